;; A record predicate called (through a procedure defined before it) before its
;; `define-record-type` has run: the predicate's own name is undefined.
(import (scheme base) (scheme write))
(define (is-point? v) (point? v))
(display "before")
(newline)
(display (is-point? 1))
(newline)
(define-record-type point (make-point x y) point? (x point-x) (y point-y))
