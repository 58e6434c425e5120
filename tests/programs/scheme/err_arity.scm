(import (scheme base) (scheme write))
(define (add3 a b c) (+ a b c))
(display (add3 1 2 3)) (newline)
(display (add3 1 2)) (newline)
