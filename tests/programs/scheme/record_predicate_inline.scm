;; Record predicates called directly (compiled in place) and used as values, on records
;; of their type, of another type, and on other values.
(import (scheme base) (scheme write))

(define-record-type point (make-point x y) point? (x point-x) (y point-y))
(define-record-type other (make-other z) other? (z other-z))

(define p (make-point 1 2))
(define o (make-other 3))
(display (list (point? p) (point? o) (point? 5) (point? '()) (point? "p") (other? p) (other? o)))
(newline)

(define (count-points lst)
  (let loop ((l lst) (n 0))
    (if (null? l)
        n
        (loop (cdr l) (if (point? (car l)) (+ n 1) n)))))
(display (count-points (list p 1 o p 'a p (make-point 3 4))))
(newline)

(define (kind v)
  (cond ((point? v) 'point)
        ((other? v) 'other)
        (else 'neither)))
(display (map kind (list p o 7 (make-other 1))))
(newline)

(display (map point? (list p 1 o)))
(newline)
(display (let ((test point?)) (list (test p) (test o))))
(newline)
(define (both? a b) (and (point? a) (point? b)))
(display (list (both? p p) (both? p o) (both? (car (list p)) (vector-ref (vector p) 0))))
(newline)
