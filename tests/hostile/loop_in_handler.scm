;; args: --fuel 2000000
;; error: fuel exhausted
(define (spin) (let loop () (loop)))
(with-exception-handler
  (lambda (e) (display "handler") 0)
  (lambda () (+ 1 (spin))))
(display "after")
