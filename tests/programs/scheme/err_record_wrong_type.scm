;; An accessor applied to a record of another type is an uncaught error.
(define-record-type <point> (make-point x) point? (x point-x))
(define-record-type <other> (make-other x) other? (x other-x))
(display "before")
(newline)
(display (point-x (make-other 42)))
