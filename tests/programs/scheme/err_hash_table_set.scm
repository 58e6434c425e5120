;; hash-table-set! on something that is not a hash table: the native's message, located at
;; the call.
(import (scheme base) (scheme write) (srfi 69))
(define t (make-hash-table))
(hash-table-set! t 1 'one)
(display (hash-table-ref/default t 1 #f)) (newline)
(define (store! table k v) (hash-table-set! table k v))
(store! t 2 'two)
(display (hash-table-ref/default t 2 #f)) (newline)
(store! (list t) 3 'three)
(display "not reached") (newline)
