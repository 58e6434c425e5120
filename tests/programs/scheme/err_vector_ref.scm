(import (scheme base) (scheme write))
(define v (vector 1 2 3))
(display (vector-ref v 2)) (newline)
(display (vector-ref v 3)) (newline)
