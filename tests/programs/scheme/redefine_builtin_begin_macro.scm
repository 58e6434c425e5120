;; A program's own definition of a builtin's name is called, never inlined as the builtin's
;; primitive operation, however the definition is written: inside `begin`, made by a macro
;; (with the name from the template or from the use), or by `set!` inside a procedure.
(begin (define (* a b) (list 'times a b)))
(display (* 3 4)) (newline)

(define-syntax define-minus
  (syntax-rules () ((_) (define (- a b) (list 'minus a b)))))
(define-minus)
(display (- 5 3)) (newline)

(define-syntax define-op
  (syntax-rules () ((_ name tag) (define (name a b) (list tag a b)))))
(define-op < 'less)
(display (< 1 2)) (newline)

(define (patch!) (set! remainder (lambda (a b) 'patched)))
(display (remainder 7 2)) (newline)
(patch!)
(display (remainder 7 2)) (newline)

;; Untouched builtins still work (and shadowing by a local is unaffected).
(display (+ 1 2)) (newline)
(display (let ((+ max)) (+ 10 4))) (newline)
