;; args: --max-memory 256M
;; exit: 0
;; stdout: 600001
;; A 300,000-deep list prints whole (the printer keeps its own work stack).
(define (nest n) (let loop ((i 0) (x 1)) (if (= i n) x (loop (+ i 1) (list x)))))
(define p (open-output-string))
(write (nest 300000) p)
(display (string-length (get-output-string p)))
