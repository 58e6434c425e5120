;; args: --max-memory 256M
;; exit: 4
;; error: hash table keys must be exact integers, strings or symbols
;; stdout: #t#f
;; 300,000-deep lists, where equal? answers right both ways; as a hash-table key it is a clear error.
(define (nest n) (let loop ((i 0) (x 1)) (if (= i n) x (loop (+ i 1) (list x)))))
(define a (nest 300000))
(display (equal? a (nest 300000)))
(display (equal? a (nest 299999)))
(define h (make-hash-table))
(hash-table-set! h a 1)
