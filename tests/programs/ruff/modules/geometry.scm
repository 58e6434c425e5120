;; A Scheme module imported by interop_scheme_module.ruff. A plain Scheme file exports
;; everything it defines; names meant for Ruff avoid `-` (Ruff cannot write `m.make-vec`).
(define (square x) (* x x))
(define (hypot a b) (sqrt (+ (square a) (square b))))
(define greeting "hello from scheme")
(define numbers (list 1 2 3))
(define (make_vec n) (make-vector n 0))
(define (apply_twice f x) (f (f x)))
(define (nothing) '())
