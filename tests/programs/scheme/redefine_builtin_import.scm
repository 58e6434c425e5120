;; Imported names shadow the builtins of the same name: calls are not inlined.
(import (scheme base) (scheme write) (modules ops))
(display (+ 1 2)) (newline)
(display (modulo 7 3)) (newline)
(display (- 7 3)) (newline)
