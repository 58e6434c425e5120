(import (scheme base) (scheme write))
(display "before") (newline)
(error "boom" 1 2)
(display "after") (newline)
