;; exit: 3
;; within: 5
;; error: macro expansion too large
;; Each expansion is one longer than the last, and the expansion budget stops it fast.
(define-syntax t (syntax-rules () ((_ a ...) (t 1 a ...))))
(t)
(t)
(t)
