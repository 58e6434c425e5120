;; A key hash tables cannot hold: the native's message, located at the call.
(import (scheme base) (scheme write) (srfi 69))
(define t (make-hash-table))
(display (hash-table-ref/default t 1 'none)) (newline)
(display (hash-table-ref/default t 2.5 'none)) (newline)
(display "not reached") (newline)
