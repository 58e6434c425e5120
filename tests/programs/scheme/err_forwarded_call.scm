;; An error in a builtin called through a library procedure that only forwards to it.
(import (scheme base) (scheme write) (modules forward))
(display (first '(1))) (newline)
(display (first 5)) (newline)
