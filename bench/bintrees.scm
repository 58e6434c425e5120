;; bintrees: allocation-heavy recursive data. Binary trees of nodes #(left right value) (leaves
;; have #f children) are built and walked: one long-lived tree of depth 15, then for each depth
;; d = 4, 6, ..., 14, 2^(15 - d + 4) trees of depth d, each built and checked
;; (check = value + check(left) - check(right)). Prints the sum of the checks and the long-lived
;; tree's check.
;; Expected output: 572640432 -1
(import (scheme base) (scheme write))

(define (make value depth)
  (if (= depth 0)
      (vector #f #f value)
      (vector (make (- (* 2 value) 1) (- depth 1))
              (make (* 2 value) (- depth 1))
              value)))

(define (check t)
  (if (not (vector-ref t 0))
      (vector-ref t 2)
      (- (+ (vector-ref t 2) (check (vector-ref t 0))) (check (vector-ref t 1)))))

(define (run max-depth)
  (let ((long-lived (make 0 max-depth)))
    (let loop ((d 4) (total 0))
      (if (> d max-depth)
          (begin (display total) (display " ") (display (check long-lived)) (newline))
          (let ((iters (let pow ((k 0) (x 1))
                         (if (= k (+ (- max-depth d) 4)) x (pow (+ k 1) (* x 2))))))
            (let iter ((i 1) (total total))
              (if (> i iters)
                  (loop (+ d 2) total)
                  (iter (+ i 1) (+ total (check (make i d)))))))))))

(run 15)
