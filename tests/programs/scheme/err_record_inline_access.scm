;; A record accessor called in place on a computed argument of the wrong type: the
;; accessor's error, located at its definition, with its frame and its caller's.
(import (scheme base) (scheme write))
(define-record-type point (make-point x y) point? (x point-x) (y point-y))
(define-record-type other (make-other x) other? (x other-x))
(define (norm ps i) (+ (point-x (vector-ref ps i)) (point-y (vector-ref ps i))))
(define ps (vector (make-point 1 2) (make-other 3)))
(display (norm ps 0))
(newline)
(display (norm ps 1))
(newline)
