;; args: --max-memory 16M
;; error: memory limit exceeded
(define (grow l) (grow (cons 1 l)))
(grow '())
