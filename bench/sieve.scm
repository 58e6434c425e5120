;; sieve: a vector of booleans, reused each round: reset to #t, cross out multiples, count.
;; Round r sieves [2, n - 1000 r]; n = 1,000,000, 30 rounds. Prints the sum of the counts and
;; the last count.
;; Expected output: 2323834 76426
(import (scheme base) (scheme write))

(define (sieve flags n)
  (do ((i 2 (+ i 1))) ((> i n))
    (vector-set! flags i #t))
  (let loop ((i 2))
    (when (<= (* i i) n)
      (when (vector-ref flags i)
        (let cross ((j (* i i)))
          (when (<= j n)
            (vector-set! flags j #f)
            (cross (+ j i)))))
      (loop (+ i 1))))
  (let count ((k 2) (c 0))
    (if (> k n)
        c
        (count (+ k 1) (if (vector-ref flags k) (+ c 1) c)))))

(define (run n rounds)
  (let ((flags (make-vector (+ n 1) #f)))
    (let loop ((r 0) (total 0) (last 0))
      (if (= r rounds)
          (begin (display total) (display " ") (display last) (newline))
          (let ((c (sieve flags (- n (* r 1000)))))
            (loop (+ r 1) (+ total c) c))))))

(run 1000000 30)
