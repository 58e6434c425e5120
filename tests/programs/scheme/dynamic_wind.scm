(import (scheme base) (scheme write))
(define log '())
(define (note x) (set! log (cons x log)))
(define r (dynamic-wind
            (lambda () (note 'before))
            (lambda () (note 'during) 'result)
            (lambda () (note 'after))))
(write r) (newline)
(write (reverse log)) (newline)
(set! log '())
(define r2
  (call/cc
    (lambda (k)
      (dynamic-wind
        (lambda () (note 'before))
        (lambda () (note 'during) (k 'escaped) (note 'not-reached))
        (lambda () (note 'after))))))
(write r2) (newline)
(write (reverse log)) (newline)
(set! log '())
(call/cc
  (lambda (k)
    (dynamic-wind
      (lambda () (note 'outer-before))
      (lambda ()
        (dynamic-wind
          (lambda () (note 'inner-before))
          (lambda () (note 'inner-body) (k 'out))
          (lambda () (note 'inner-after))))
      (lambda () (note 'outer-after)))))
(write (reverse log)) (newline)
(set! log '())
(define r3
  (guard (e (#t (note (list 'handler e)) 'handled))
    (dynamic-wind
      (lambda () (note 'before))
      (lambda () (raise 'boom))
      (lambda () (note 'after)))))
(write r3) (newline)
(write (reverse log)) (newline)
