;; A .scm program importing a .ruff module with (import (file "...")): Ruff functions are
;; procedures, arrays are vectors, null is '().
(import (scheme base) (scheme write) (file "modules/stats.ruff"))
(display (mean (vector 1 2 3 4))) (newline)
(display (mean (vector 2.0 3.0))) (newline)
(display version) (newline)
(write (greet "scheme")) (newline)
(display (apply_fn (lambda (x) (* x x)) 12)) (newline)
(display (null? (nothing))) (newline)
