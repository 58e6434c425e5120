;; A Scheme module that builds a hash table with symbol, string and int keys, for Ruff.
(define (make_table)
  (let ((h (make-hash-table)))
    (hash-table-set! h 'sym 1)
    (hash-table-set! h "str" 2)
    (hash-table-set! h 7 3)
    h))
