;; floatgrid: a small float function f(x, y) called per element of nested loops; the results are
;; stored in a fresh vector per row, the rows in a vector per round, then everything is summed in
;; order. 500 x 500 points, 80 rounds. Prints floor(total * 1000).
;; Expected output: 7772306559
(import (scheme base) (scheme write))

(define (f x y)
  (/ (+ (* x y) 1.5) (+ (+ (* x x) (* y y)) 1.0)))

(define (run n m rounds)
  (let loop ((r 0) (total 0.0))
    (if (= r rounds)
        total
        (let ((rows (make-vector n)))
          (do ((i 0 (+ i 1))) ((= i n))
            (let ((x (+ (* i 0.01) (* r 0.001)))
                  (row (make-vector m)))
              (do ((j 0 (+ j 1))) ((= j m))
                (vector-set! row j (f x (* j 0.02))))
              (vector-set! rows i row)))
          (let sum-rows ((i 0) (total total))
            (if (= i n)
                (loop (+ r 1) total)
                (let ((row (vector-ref rows i)))
                  (let sum-row ((j 0) (s 0.0))
                    (if (= j m)
                        (sum-rows (+ i 1) (+ total s))
                        (sum-row (+ j 1) (+ s (vector-ref row j))))))))))))

(display (exact (floor (* (run 500 500 80) 1000.0))))
(newline)
