;; args: --max-memory 64M
;; error: memory limit exceeded
(display (string-length (make-string 1000000000000 #\a)))
