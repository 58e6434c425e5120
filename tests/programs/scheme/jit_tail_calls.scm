(import (scheme base) (scheme write))
;; JIT: proper tail calls (self, mutual, through closures, through apply) in constant
;; stack, far past the 1,000,000-frame depth limit

(define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))
(define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))
(write (list (my-even? 10) (my-odd? 7) (my-even? 7))) (newline)
(write (list (my-even? 1000000) (my-odd? 1000000) (my-odd? 1000001))) (newline)

;; self tail calls with accumulators
(define (sum-to n acc) (if (= n 0) acc (sum-to (- n 1) (+ acc n))))
(define (fsum n acc) (if (= n 0) acc (fsum (- n 1) (+ acc 0.5))))
(define (fib n a b) (if (= n 0) a (fib (- n 1) b (+ a b))))
(write (list (sum-to 10 0) (sum-to 1000001 0) (fsum 1000001 0.0) (fib 90 0 1))) (newline)
(write (do ((k 0 (+ k 1)) (s 0 (+ s (sum-to (modulo k 20) 0)))) ((= k 5000) s))) (newline)

;; tail calls in cond, case, and, or, when and unless
(define (collatz n steps)
  (cond ((= n 1) steps)
        ((even? n) (collatz (quotient n 2) (+ steps 1)))
        (else (collatz (+ (* 3 n) 1) (+ steps 1)))))
(define best
  (let loop ((k 1) (longest 0) (arg 0))
    (if (= k 3000)
        (list arg longest)
        (let ((s (collatz k 0)))
          (if (> s longest) (loop (+ k 1) s k) (loop (+ k 1) longest arg))))))
(write best) (newline)
(define (case-loop n acc)
  (case (modulo n 3)
    ((0) (if (= n 0) acc (case-loop (- n 1) (+ acc 1))))
    ((1) (case-loop (- n 1) (+ acc 2)))
    (else (case-loop (- n 1) (+ acc 3)))))
(define (and-loop n) (and (>= n 0) (or (= n 0) (and-loop (- n 1)))))
(define (when-loop n acc) (if (= n 0) acc (begin (when #t (when-loop (- n 1) (+ acc 1))))))
(write (list (case-loop 1000001 0) (and-loop 1000001) (when-loop 1000001 0))) (newline)

;; tail calls through closures and procedure arguments
(define (make-looper limit)
  (letrec ((loop (lambda (i acc)
                   (if (= i limit) acc (loop (+ i 1) (+ acc (modulo i 3)))))))
    loop))
(write ((make-looper 1000001) 0 0)) (newline)
(define (bounce f g n) (if (= n 0) 'done (f g f (- n 1))))
(write (bounce bounce bounce 1200000)) (newline)

;; tail calls through apply, including variadic procedures
(define (apply-loop n acc) (if (= n 0) acc (apply apply-loop (list (- n 1) (+ acc 2)))))
(define (var-loop n . rest)
  (if (= n 0)
      rest
      (apply var-loop (- n 1) (cadr rest) (list (car rest)))))
(write (list (apply-loop 1000001 0) (var-loop 100001 'a 'b))) (newline)

;; mutual recursion among three procedures passing a float
(define (ping n x) (if (= n 0) x (pong (- n 1) (+ x 1.5))))
(define (pong n x) (if (= n 0) x (pang (- n 1) (- x 0.5))))
(define (pang n x) (if (= n 0) x (ping (- n 1) (* x 1.0))))
(write (list (ping 3000000 0.0) (ping 3000001 0.0))) (newline)

;; many arguments rotated on each tail call
(define (rotate n a b c d e) (if (= n 0) (list a b c d e) (rotate (- n 1) b c d e (+ a 1))))
(write (rotate 1000003 1 2 3 4 5)) (newline)
