;; args: --sandbox
;; exit: 3
;; error: capability denied: fs-read
(import (file "../../crates/tandem/src/prelude.scm"))
