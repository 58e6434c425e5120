(import (scheme base) (scheme write))
;; JIT: subtracting an exact 0 from -0.0 gives -0.0 (IEEE: -0.0 - 0.0 = -0.0),
;; so (- x 0) must not be rewritten as (+ x 0), which gives 0.0.
(define z -0.0)
(define (sub0 x) (- x 0))
(define (add0 x) (+ x 0))
(write (list (- z 0) (- z 0.0) (- -0.0 0) (sub0 z) (add0 z) (- z 0 0) (apply - (list z 0)))) (newline)
(write (list (/ 1 (- z 0)) (/ 1 (sub0 z)) (/ 1 (add0 z)))) (newline)
;; hot
(define (count-negative-zeros n)
  (let loop ((k 1) (neg 0))
    (if (> k n)
        neg
        (loop (+ k 1) (if (< (/ 1 (sub0 (* -0.0 k))) 0) (+ neg 1) neg)))))
(write (count-negative-zeros 20000)) (newline)
(write (do ((k 0 (+ k 1)) (x -0.0 (- x 0))) ((= k 20000) x))) (newline)
