; quotient as an instruction: ints of every sign, in a hot loop and out of it, integral
; floats, and each error the native raises (a zero divisor, the overflow of the most
; negative int by -1, a non-integer, a non-number), caught; then one that is not.
(import (scheme base) (scheme write))

(define (q a b) (quotient a b))

(define (sum-q n d)
  (let loop ((i (- n)) (s 0))
    (if (> i (+ n 5)) s (loop (+ i 1) (+ s (quotient i d))))))

(define (try thunk)
  (guard (e ((error-object? e) (error-object-message e)))
    (thunk)))

(display (list (q 7 2) (q -7 2) (q 7 -2) (q -7 -2) (q 0 5) (q 6 3))) (newline)
(display (sum-q 20000 7)) (newline)
(display (sum-q 20000 -3)) (newline)
(display (list (q 7.0 2) (q -9 2.0) (q 1e18 7))) (newline)
(display (try (lambda () (q 1 0)))) (newline)
(display (try (lambda () (q (- (expt 2 62) (* 2 (expt 2 62))) -1)))) (newline)
(display (try (lambda () (q 7.5 2)))) (newline)
(display (try (lambda () (q "7" 2)))) (newline)
(let loop ((i 0))
  (when (< i 5)
    (display (try (lambda () (sum-q 10 (- i 2))))) (newline)
    (loop (+ i 1))))
(display (let ((quotient (lambda (a b) (* a b)))) (quotient 6 7))) (newline)
(q 5 0)
