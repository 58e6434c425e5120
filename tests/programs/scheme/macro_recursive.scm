(import (scheme base) (scheme write))
(define-syntax my-and
  (syntax-rules ()
    ((_) #t)
    ((_ e) e)
    ((_ e1 e2 ...) (if e1 (my-and e2 ...) #f))))
(write (my-and)) (newline)
(write (my-and 1 2 3)) (newline)
(write (my-and 1 #f 3)) (newline)
(define-syntax my-reverse-list
  (syntax-rules ()
    ((_ () acc) 'acc)
    ((_ (x rest ...) (acc ...)) (my-reverse-list (rest ...) (x acc ...)))))
(write (my-reverse-list (1 2 3 4) ())) (newline)
(define-syntax count-args
  (syntax-rules ()
    ((_) 0)
    ((_ x rest ...) (+ 1 (count-args rest ...)))))
(write (count-args a b c d e)) (newline)
(define-syntax my-let-loop
  (syntax-rules ()
    ((_ name ((v init) ...) body ...)
     ((letrec ((name (lambda (v ...) body ...))) name) init ...))))
(write (my-let-loop lp ((i 0) (acc '())) (if (= i 4) acc (lp (+ i 1) (cons i acc))))) (newline)
(define-syntax thread
  (syntax-rules ()
    ((_ x) x)
    ((_ x (f args ...) rest ...) (thread (f x args ...) rest ...))))
(write (thread 5 (+ 1) (* 2) (- 3))) (newline)
