(import (scheme base) (scheme write))
(define (trace-wind name thunk)
  (dynamic-wind
    (lambda () (display "enter ") (display name) (newline))
    thunk
    (lambda () (display "exit ") (display name) (newline))))
(trace-wind 'a (lambda () (trace-wind 'b (lambda () (display "body") (newline)))))
(define result
  (call/cc
    (lambda (k)
      (trace-wind 'x
        (lambda ()
          (trace-wind 'y
            (lambda ()
              (trace-wind 'z (lambda () (k 'escaped)))
              (display "not printed") (newline))))))))
(display result) (newline)
(define (early-exit lst)
  (call/cc
    (lambda (return)
      (trace-wind 'scan
        (lambda ()
          (for-each (lambda (x) (when (> x 2) (return x))) lst)
          'none)))))
(display (early-exit '(1 2 3 4))) (newline)
(display (early-exit '(1 2))) (newline)
