;; args: --max-depth 100000
;; error: stack overflow
;; exit: 4
(define (f n) (+ 1 (f (+ n 1))))
(f 0)
