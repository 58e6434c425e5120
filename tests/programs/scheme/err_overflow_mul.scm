(import (scheme base) (scheme write))
(display (* 4611686018427387903 2)) (newline)
(display (* 9223372036854775807 2)) (newline)
