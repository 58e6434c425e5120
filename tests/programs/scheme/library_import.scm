;; (import (name ...)) loads a define-library from name/....sld beside the program.
(import (scheme base) (scheme write) (modules counter))
(define c (make-counter))
(c) (c)
(display (c)) (newline)
(display (counter-version)) (newline)
