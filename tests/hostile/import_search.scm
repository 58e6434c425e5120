;; args: --deny fs-read
;; exit: 3
;; error: capability denied: fs-read
;; Library search with .. in the name.
(import (.. .. crates tandem src prelude))
