;; args: --fuel 2000000
;; error: fuel exhausted
(define (spin) (let loop () (loop)))
(guard (e (#t (display "caught") (newline))) (spin))
(display "after")
