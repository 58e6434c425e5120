(import (scheme base) (scheme write))
;; An operand keeps the value it had when it was evaluated even if a later operand assigns
;; the variable: arithmetic and comparisons that run as instructions evaluate their operands
;; left to right as a call of the procedure does.
(define plus +)
(define less <)
(define (sum-then-set x) (+ x (begin (set! x 5) 1)))
(define (call-sum-then-set x) (plus x (begin (set! x 5) 1)))
(display (list (sum-then-set 1) (call-sum-then-set 1))) (newline)
(define (less-then-set x) (if (< x (begin (set! x 10) 5)) (list 'less x) (list 'not-less x)))
(define (call-less-then-set x)
  (if (less x (begin (set! x 10) 5)) (list 'less x) (list 'not-less x)))
(display (list (less-then-set 1) (call-less-then-set 1))) (newline)
(define (product x) (* x (begin (set! x 3) x)))
(display (product 2)) (newline)
(define (compare x) (= x (begin (set! x 7) 7)))
(display (compare 1)) (newline)
