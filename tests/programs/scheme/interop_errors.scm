;; A Ruff throw inside a Ruff function called from Scheme is caught by guard; the
;; handler receives the thrown value itself.
(import (scheme base) (scheme write) (file "modules/thrower.ruff"))
(display (guard (e (#t (list (quote caught) (error-object? e) e))) (boom 1)))
(newline)
