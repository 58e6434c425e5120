(import (scheme base) (scheme write))
(define-syntax my-let
  (syntax-rules ()
    ((_ ((name val) ...) body1 body2 ...)
     ((lambda (name ...) body1 body2 ...) val ...))))
(write (my-let ((a 1) (b 2)) (+ a b))) (newline)
(write (my-let () 'no-bindings)) (newline)
(define-syntax my-list
  (syntax-rules ()
    ((_ x ...) (list x ...))))
(write (my-list)) (newline)
(write (my-list 1 2 3)) (newline)
(define-syntax rev-args
  (syntax-rules ()
    ((_ f a b) (f b a))))
(write (rev-args - 1 10)) (newline)
(define-syntax tagged
  (syntax-rules ()
    ((_ tag x ...) (list (cons 'tag x) ...))))
(write (tagged t 1 2 3)) (newline)
(define-syntax first-and-rest
  (syntax-rules ()
    ((_ a b ...) '(a (b ...)))))
(write (first-and-rest 1 2 3 4)) (newline)
(write (first-and-rest 1)) (newline)
(define-syntax tail-pattern
  (syntax-rules ()
    ((_ x ... last) 'last)))
(write (tail-pattern 1 2 3 final)) (newline)
(define-syntax dotted
  (syntax-rules ()
    ((_ a . rest) '(a rest))))
(write (dotted 1 2 3)) (newline)
