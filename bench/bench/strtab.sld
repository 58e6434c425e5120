;; (bench strtab): a string-keyed hash table for the benchmarks wordfreq.scm and dictstr.scm.
;; SRFI 69 with string=? keys (as in chibi; tandem has these procedures built in). SRFI 69's
;; string-hash is not passed: make-hash-table picks the hash function for string=? itself.
(define-library (bench strtab)
  (export st-make st-set! st-ref st-delete! st-count)
  (import (scheme base) (srfi 69))
  (begin
    (define (st-make) (make-hash-table string=?))
    (define (st-set! h k v) (hash-table-set! h k v))
    (define (st-ref h k default) (hash-table-ref/default h k default))
    (define (st-delete! h k) (hash-table-delete! h k))
    (define (st-count h) (hash-table-size h))))
