(import (scheme base) (scheme write))
(define-syntax my-or
  (syntax-rules ()
    ((_) #f)
    ((_ e) e)
    ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))
(display (my-or #f 2)) (newline)
(display (let ((if list)) (my-or #f 2))) (newline)
(display (let ((t 5)) (my-or #f t))) (newline)
(display (let ((if list) (t 'user-t)) (my-or #f #f t))) (newline)
(display (my-or)) (newline)
(define-syntax my-unless
  (syntax-rules ()
    ((_ c body) (if c #f body))))
(display (let ((if (lambda args 'hijacked))) (my-unless #f 'ok))) (newline)
(define (helper) 'global-helper)
(define-syntax call-helper
  (syntax-rules ()
    ((_) (helper))))
(display (let ((helper (lambda () 'local-helper))) (call-helper))) (newline)
(define-syntax my-list-of
  (syntax-rules ()
    ((_ x ...) (list x ...))))
(display (let ((list vector)) (my-list-of 1 2 3))) (newline)
