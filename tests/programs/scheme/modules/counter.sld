(define-library (modules counter)
  (export make-counter counter-version)
  (import (scheme base))
  (begin
    (define hidden 42)
    (define (make-counter)
      (let ((n 0))
        (lambda () (set! n (+ n 1)) n)))
    (define (counter-version) "counter 1")))
