(define (sboom x) (raise (list (quote bad) x)))
(define (serr x) (error "scheme error" x))
