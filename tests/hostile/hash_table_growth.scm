;; args: --max-memory 16M
;; error: memory limit exceeded
(define h (make-hash-table))
(let loop ((i 0)) (hash-table-set! h i i) (loop (+ i 1)))
