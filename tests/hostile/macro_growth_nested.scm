;; exit: 3
;; within: 5
;; error: macro expansion too large
;; As an argument, and nested in its own expansion, where every expansion would stay alive.
(define-syntax t (syntax-rules () ((_ a ...) (g (t 1 a ...)))))
(g (t))
