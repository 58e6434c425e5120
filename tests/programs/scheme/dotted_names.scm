; A '.' inside a procedure's name does not make it a method: arity errors count every argument.
(define (my.fn x) x)
(display (my.fn 5))
(newline)
(display (guard (e (#t (error-object-message e))) (my.fn)))
(newline)
