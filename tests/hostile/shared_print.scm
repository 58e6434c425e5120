;; args: --max-memory 16M
;; error: memory limit exceeded
(define a (list 1))
(do ((i 0 (+ i 1))) ((= i 40)) (set! a (vector a a)))
(write a)
