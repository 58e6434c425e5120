;; args: --timeout 0.3
;; error: timeout
;; within: 5
(define (spin) (let loop () (loop)))
(dynamic-wind
  (lambda () #f)
  spin
  (lambda () (display "after thunk") (let loop () (loop))))
(display "after")
