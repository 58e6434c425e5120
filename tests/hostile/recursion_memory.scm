;; args: --max-memory 8M
;; error: memory limit exceeded
(define (f n) (cons n (f (+ n 1))))
(f 0)
