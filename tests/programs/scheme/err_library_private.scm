;; Names a library does not export stay private.
(import (scheme base) (scheme write) (modules counter))
(display "start") (newline)
(display hidden)
