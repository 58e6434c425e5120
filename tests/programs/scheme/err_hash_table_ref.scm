;; hash-table-ref/default on something that is not a hash table, inside a loop.
(import (scheme base) (scheme write) (srfi 69))
(define (total table n)
  (let loop ((i 0) (s 0))
    (if (= i n)
        s
        (loop (+ i 1) (+ s (hash-table-ref/default table i 0))))))
(define t (make-hash-table))
(hash-table-set! t 1 10)
(display (total t 3)) (newline)
(display (total 'not-a-table 3)) (newline)
