(import (scheme base) (scheme write))
(display
  (letrec ((even? (lambda (n) (if (= n 0) #t (odd? (- n 1)))))
           (odd? (lambda (n) (if (= n 0) #f (even? (- n 1))))))
    (list (even? 100) (odd? 100) (even? 7))))
(newline)
(display
  (letrec ((fact (lambda (n) (if (= n 0) 1 (* n (fact (- n 1)))))))
    (fact 10)))
(newline)
(display
  (letrec* ((a 5)
            (b (* a 2))
            (c (lambda () (+ a b))))
    (c)))
(newline)
(display
  (letrec* ((fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))
            (fibs (map fib '(0 1 2 3 4 5 6 7 8 9 10))))
    fibs))
(newline)
