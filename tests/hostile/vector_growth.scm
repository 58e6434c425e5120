;; args: --max-memory 32M
;; error: memory limit exceeded
(define (grow v) (grow (vector-append v v)))
(grow (make-vector 1 0))
