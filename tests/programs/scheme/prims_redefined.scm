;; A program that redefines `car` and assigns `vector-ref` gets its own procedures at
;; every call, not the primitives' instructions.
(import (scheme base) (scheme write))
(define real-car (lambda (p) (if (pair? p) (cdr p) 'none)))
(define (car p) (real-car p))
(define (firsts l) (if (null? l) '() (cons (car l) (firsts (cdr l)))))
(display (firsts (list 1 2 3)))
(newline)
(define old-ref vector-ref)
(set! vector-ref (lambda (v i) (* 100 (old-ref v i))))
(define (vsum v)
  (let loop ((i 0) (s 0)) (if (= i (vector-length v)) s (loop (+ i 1) (+ s (vector-ref v i))))))
(display (vsum (vector 1 2 3)))
(newline)
