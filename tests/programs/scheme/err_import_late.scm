;; An import after other forms is an error (imports are resolved before the program runs).
(display "hi")
(import (modules counter))
