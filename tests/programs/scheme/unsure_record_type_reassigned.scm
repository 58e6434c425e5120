;; The global of a record type's name assigned another record type: the record
;; procedures test against the global's value at each call (tandem's reading; the spec does
;; not say), so `point-x` then accepts an `other`, which has no field `x`.
(import (scheme base) (scheme write))
(define-record-type point (make-point x y) point? (x point-x set-point-x!) (y point-y))
(define-record-type other (make-other z) other? (z other-z))
(define (f p) (point-x p))
(define (try thunk)
  (guard (e ((error-object? e) (display "caught: ") (display (error-object-message e)) (newline)))
    (thunk)))
(define p (make-point 1 2))
(display (f p)) (newline)
(define o (make-other 3))
(set! point other)
(try (lambda () (f p)))
(try (lambda () (point-x p)))
(try (lambda () (set-point-x! o 5)))
(display (point? o)) (newline)
(f o)
