(import (scheme base) (scheme write))
;; JIT: closures and captured variables, created and called many times

;; a fresh counter per iteration; each has its own state
(define (make-counter start)
  (let ((count start))
    (lambda ()
      (set! count (+ count 1))
      count)))
(define csum
  (let loop ((k 0) (sum 0))
    (if (= k 5000)
        sum
        (let ((c (make-counter k)))
          (loop (+ k 1)
                (let inner ((j 0) (s sum))
                  (if (> j (modulo k 4)) s (inner (+ j 1) (+ s (c))))))))))
(write csum) (newline)

;; closures capturing the loop variable of do: each iteration has a fresh binding
(define fs
  (do ((i 0 (+ i 1))
       (acc '() (cons (lambda (x) (+ x (* i i))) acc)))
      ((= i 1000) (reverse acc))))
(define fsum
  (do ((j 0 (+ j 1))
       (s 0 (+ s (let loop ((l fs) (t 0)) (if (null? l) t (loop (cdr l) (+ t ((car l) j))))))))
      ((= j 20) s)))
(write (list (length fs) ((car fs) 0) ((list-ref fs 999) 1) fsum)) (newline)

;; a closure that mutates variables of its enclosing procedure (boxed variables)
(define (count-evens n)
  (let ((evens 0) (seen 0))
    (define (note! x)
      (set! seen (+ seen 1))
      (when (even? x) (set! evens (+ evens 1))))
    (do ((k 0 (+ k 1))) ((= k n)) (note! k))
    (list evens seen)))
(write (list (count-evens 10) (count-evens 20001))) (newline)

;; a getter and a setter sharing one variable
(define (make-cell v)
  (let ((value v))
    (values (lambda () value) (lambda (x) (set! value x)))))
(define-values (getter setter) (make-cell 0))
(define acc
  (do ((k 0 (+ k 1))
       (a 0 (begin (setter (+ (getter) k))
                   (if (even? k) (+ a (modulo (getter) 1000)) a))))
      ((= k 20000) a)))
(write (list (getter) acc)) (newline)

;; a global changed from inside a closure
(define tally 0)
(define (bump! n) (set! tally (+ tally n)))
(do ((k 0 (+ k 1))) ((= k 20000))
  (bump! (modulo k 3))
  (when (= (modulo k 1000) 0) (set! tally (- tally 1))))
(write tally) (newline)

;; closures three levels deep, writing variables of each level
(define (outer a)
  (let ((b (* a 10)))
    (lambda (c)
      (let ((d (+ c 1)))
        (lambda (e)
          (set! a (+ a 1))
          (set! b (+ b 2))
          (set! d (+ d 3))
          (+ a b d e))))))
(define h ((outer 1) 2))
(define hsum (do ((k 0 (+ k 1)) (s 0 (+ s (h (modulo k 5))))) ((= k 20000) s)))
(write (list hsum (h 0))) (newline)

;; hand-written map, filter and fold
(define (my-map f l) (if (null? l) '() (cons (f (car l)) (my-map f (cdr l)))))
(define (my-filter p l)
  (cond ((null? l) '())
        ((p (car l)) (cons (car l) (my-filter p (cdr l))))
        (else (my-filter p (cdr l)))))
(define (my-fold f init l) (if (null? l) init (my-fold f (f init (car l)) (cdr l))))
(define (iota-from a n) (let loop ((i (+ a n -1)) (acc '())) (if (< i a) acc (loop (- i 1) (cons i acc)))))
(define nums (iota-from 1 2000))
(define total
  (let loop ((round 0) (t 0))
    (if (= round 10)
        t
        (let* ((sq (my-map (lambda (x) (+ (* x x) round)) nums))
               (odd (my-filter odd? sq)))
          (loop (+ round 1) (+ t (my-fold + 0 odd)))))))
(write total) (newline)
(write (my-fold + 0 (my-map (lambda (x) (* x 0.5)) '(1 2 3 4)))) (newline)
(write (my-filter (lambda (s) (= (string-length s) 2)) '("a" "bb" "ccc" "dd"))) (newline)
(write (list (map + '(1 2 3) '(10 20 30)) (apply + (map (lambda (x) (* x x)) nums)))) (newline)

;; composing closures many times
(define (compose f g) (lambda (x) (f (g x))))
(define (inc x) (+ x 1))
(define (dbl x) (* x 2))
(define both (compose inc dbl))
(write (list (do ((k 0 (+ k 1)) (s 0 (+ s (- (both k) ((compose dbl inc) k))))) ((= k 20000) s))
             (both 10) ((compose dbl inc) 10)))
(newline)
