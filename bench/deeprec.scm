;; deeprec: deep non-tail recursion. (build n) makes the list n, n-1, ..., 1 with cons by
;; non-tail recursion; sum walks it the same way. Round r uses depth 100,000 - r; 20 rounds.
;; Prints the total.
;; Expected output: 99982001140
(import (scheme base) (scheme write))

(define (build n)
  (if (= n 0)
      '()
      (cons n (build (- n 1)))))

(define (sum l)
  (if (null? l)
      0
      (+ (car l) (sum (cdr l)))))

(define (run depth rounds)
  (let loop ((r 0) (total 0))
    (if (= r rounds)
        total
        (loop (+ r 1) (+ total (sum (build (- depth r))))))))

(display (run 100000 20))
(newline)
