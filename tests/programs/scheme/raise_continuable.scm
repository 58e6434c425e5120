(import (scheme base) (scheme write))
(write (with-exception-handler
         (lambda (e) (* e 10))
         (lambda () (+ 1 (raise-continuable 5)))))
(newline)
(write (with-exception-handler
         (lambda (e) (if (symbol? e) 'default-value 0))
         (lambda () (list 'got (raise-continuable 'need-value)))))
(newline)
(write (with-exception-handler
         (lambda (e) (* e 10))
         (lambda ()
           (with-exception-handler
             (lambda (e) (+ 100 (raise-continuable (+ e 1))))
             (lambda () (+ 1 (raise-continuable 5)))))))
(newline)
(define (lookup key alist)
  (let ((p (assq key alist)))
    (if p (cdr p) (raise-continuable (list 'missing key)))))
(write (with-exception-handler
         (lambda (e) 0)
         (lambda () (+ (lookup 'a '((a . 1) (b . 2))) (lookup 'z '((a . 1)))))))
(newline)
(define warnings '())
(write (with-exception-handler
         (lambda (w) (set! warnings (cons w warnings)) 'continued)
         (lambda ()
           (raise-continuable 'warn-1)
           (raise-continuable 'warn-2)
           'body-finished)))
(newline)
(write (reverse warnings)) (newline)
