;; Tail calls with more than four arguments (slid down by memmove), rest arguments on a
;; self tail call (the arity fast path does not apply), and a tail call that changes closure.
(define (f n . rest) (if (= n 0) (length rest) (f (- n 1) 1 2 3)))
(display (f 100000)) (newline)
(define (g a b c d e f2 h) (if (= a 0) (+ b c d e f2 h) (g (- a 1) h b c d e f2)))
(display (g 1000001 1 2 3 4 5 6)) (newline)
(define (k a b c d e f2 h) (if (= a 0) (list b c d e f2 h) (k2 (- a 1) h b c d e f2)))
(define (k2 a b c d e f2 h) (k a b c d e f2 h))
(display (k 7 1 2 3 4 5 6)) (newline)
(define (m x) (if (= x 0) 'done (m2 x 1 2)))
(define (m2 x . r) (m (- x 1)))
(display (m 100000)) (newline)
