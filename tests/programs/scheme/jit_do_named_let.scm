(import (scheme base) (scheme write) (scheme inexact))
;; JIT: named let and do loops with float accumulators, run cold and then hot

;; the trapezoid rule for x^2 on [0, 1] and for 1/x on [1, 2]
(define (integrate f a b n)
  (let ((h (/ (- b a) n)))
    (let loop ((i 1) (acc (/ (+ (f a) (f b)) 2.0)))
      (if (= i n)
          (* acc h)
          (loop (+ i 1) (+ acc (f (+ a (* i h)))))))))
(write (integrate (lambda (x) (* x x)) 0 1 4)) (newline)
(write (integrate (lambda (x) (* x x)) 0 1 20000)) (newline)
(write (integrate (lambda (x) (/ 1.0 x)) 1 2 20000)) (newline)

;; Newton's method for square roots, many times
(define (newton-sqrt x)
  (let loop ((g 1.0) (i 0))
    (if (= i 30) g (loop (/ (+ g (/ x g)) 2.0) (+ i 1)))))
(write (list (newton-sqrt 2) (newton-sqrt 144) (newton-sqrt 0.25))) (newline)
(write (do ((k 1 (+ k 1))
            (worst 0.0 (max worst (abs (- (newton-sqrt k) (sqrt k))))))
           ((> k 2000) (< worst 1e-12))))
(newline)

;; naive and compensated (Kahan) summation of 0.1, 20,000 times
(define naive (do ((k 0 (+ k 1)) (s 0.0 (+ s 0.1))) ((= k 20000) s)))
(define kahan
  (let loop ((k 0) (sum 0.0) (c 0.0))
    (if (= k 20000)
        sum
        (let* ((y (- 0.1 c))
               (t (+ sum y)))
          (loop (+ k 1) t (- (- t sum) y))))))
(write (list naive kahan)) (newline)

;; do with several variables, one without a step, and a body with side effects
(define log '())
(define result
  (do ((i 0 (+ i 1))
       (fib-a 0 fib-b)
       (fib-b 1 (+ fib-a fib-b))
       (x 1.0 (* x 1.5))
       (fixed 'kept))
      ((= i 40) (list i fib-a x fixed))
    (when (= (modulo i 10) 0) (set! log (cons fib-a log)))))
(write result) (newline)
(write (reverse log)) (newline)

;; nested do loops: a float matrix product
(define (mat-mul a b n)
  (let ((c (make-vector (* n n) 0.0)))
    (do ((i 0 (+ i 1))) ((= i n) c)
      (do ((j 0 (+ j 1))) ((= j n))
        (do ((k 0 (+ k 1))
             (s 0.0 (+ s (* (vector-ref a (+ (* i n) k)) (vector-ref b (+ (* k n) j))))))
            ((= k n) (vector-set! c (+ (* i n) j) s)))))))
(define n 20)
(define a (make-vector (* n n) 0.0))
(define b (make-vector (* n n) 0.0))
(do ((i 0 (+ i 1))) ((= i (* n n)))
  (vector-set! a i (/ (modulo i 7) 4.0))
  (vector-set! b i (- (/ (modulo i 5) 2.0) 1)))
(define c (mat-mul a b n))
(write (list (vector-ref c 0) (vector-ref c 21) (vector-ref c 399)
             (let loop ((i 0) (s 0.0)) (if (= i (* n n)) s (loop (+ i 1) (+ s (vector-ref c i)))))))
(newline)

;; a float loop counter and a mixed exact/inexact accumulator
(write (let loop ((x 0.0) (count 0)) (if (>= x 1000.0) count (loop (+ x 0.125) (+ count 1))))) (newline)
(write (let loop ((k 0) (acc 0)) (if (= k 20000) acc (loop (+ k 1) (if (odd? k) (+ acc 0.5) (+ acc 1)))))) (newline)
(write (do ((k 0 (+ k 1)) (p 1.0 (* p 1.0001))) ((= k 20000) (and (> p 7.38) (< p 7.39))))) (newline)
