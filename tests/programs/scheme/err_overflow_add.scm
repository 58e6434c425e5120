(import (scheme base) (scheme write))
(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))
(display (fact 20)) (newline)
(display (+ 9223372036854775807 1)) (newline)
