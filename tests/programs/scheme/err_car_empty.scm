(import (scheme base) (scheme write))
(define (first-of lst) (car lst))
(display (first-of '(1 2))) (newline)
(display (first-of '())) (newline)
