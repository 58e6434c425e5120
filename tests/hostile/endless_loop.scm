;; args: --fuel 3000000
;; error: fuel exhausted
(let loop () (loop))
