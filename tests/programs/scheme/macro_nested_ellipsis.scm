(import (scheme base) (scheme write))
(define-syntax my-let*
  (syntax-rules ()
    ((_ () body ...) (let () body ...))
    ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...)))))
(write (my-let* ((a 1) (b (+ a 1)) (c (* b 10))) (list a b c))) (newline)
(define-syntax my-cond
  (syntax-rules (else)
    ((_ (else e ...)) (begin e ...))
    ((_ (c e ...) clause ...) (if c (begin e ...) (my-cond clause ...)))))
(write (my-cond (#f 1) ((= 1 1) 2 3) (else 4))) (newline)
(write (my-cond (#f 1) (else 'fallback))) (newline)
(define-syntax group-lengths
  (syntax-rules ()
    ((_ (a ...) ...) (list (length '(a ...)) ...))))
(write (group-lengths (1 2 3) () (x y))) (newline)
(define-syntax table
  (syntax-rules ()
    ((_ (key val ...) ...) (list (cons 'key (list val ...)) ...))))
(write (table (a 1 2) (b) (c 3))) (newline)
(define-syntax let2
  (syntax-rules ()
    ((_ ((n v) ...) ((m w) ...) body) (let ((n v) ...) (let ((m w) ...) body)))))
(write (let2 ((x 1) (y 2)) ((z (+ x y))) (list x y z))) (newline)
