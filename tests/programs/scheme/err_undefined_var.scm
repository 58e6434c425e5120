(import (scheme base) (scheme write))
(define (compute x) (+ x totally-undefined-name))
(display "start") (newline)
(display (compute 1)) (newline)
