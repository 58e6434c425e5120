(import (scheme base) (scheme write))
(define-syntax vec-sum
  (syntax-rules ()
    ((_ #(x ...)) (+ x ...))))
(write (vec-sum #(1 2 3 4))) (newline)
(write (vec-sum #())) (newline)
(define-syntax vec-first
  (syntax-rules ()
    ((_ #(a b ...)) 'a)))
(write (vec-first #(first second third))) (newline)
(define-syntax vec-swap
  (syntax-rules ()
    ((_ #(a b)) (vector 'b 'a))))
(write (vec-swap #(left right))) (newline)
(define-syntax pairs->vector
  (syntax-rules ()
    ((_ (a b) ...) #(a ... b ...))))
(write (pairs->vector (1 2) (3 4))) (newline)
(define-syntax vec-tmpl
  (syntax-rules ()
    ((_ x ...) (vector (* x 2) ...))))
(write (vec-tmpl 1 2 3)) (newline)
