(import (scheme base) (scheme write))
(define (f x)
  (display x)
(f 1)
