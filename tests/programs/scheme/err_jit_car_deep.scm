;; An error of an inlined CAR deep in compiled frames, uncaught: the native's message, the
;; call's span and every frame in the trace, as in the interpreter.
(import (scheme base) (scheme write))
(define (firsts l) (if (null? l) '() (cons (car (car l)) (firsts (cdr l)))))
(define (go n)
  (let loop ((i 0) (acc 0))
    (if (= i n) acc
        (loop (+ i 1) (+ acc (length (firsts (list (list i) (list 2) (if (= i 900) 7 (list 3))))))))))
(display (go 800))
(newline)
(display (go 1000))
(newline)
