;; args: --max-memory 64M
;; error: memory limit exceeded
(define (grow s) (grow (string-append s s)))
(grow "x")
