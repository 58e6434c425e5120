;; args: --max-memory 64M
;; error: memory limit exceeded
(display (vector-length (make-vector 100000000 0)))
