(import (scheme base) (scheme write))
;; JIT: values whose types change after a loop or procedure has become hot

;; an exact integer for 10,000 iterations, then inexact
(define x
  (do ((k 0 (+ k 1))
       (x 0 (+ (if (= k 10000) (+ x 0.5) x) 1)))
      ((= k 20000) x)))
(write (list x (exact? x))) (newline)

;; an integer for 10,000 iterations, then a string
(define s
  (let loop ((k 0) (s 0))
    (cond ((= k 12000) s)
          ((= k 10000) (loop (+ k 1) "s"))
          ((string? s)
           (loop (+ k 1) (if (= (modulo k 500) 0) (string-append s (number->string (modulo k 7))) s)))
          (else (loop (+ k 1) (+ s k))))))
(write s) (newline)

;; (/ k 2) is exact for even k and a float for odd k: the sum flips between the two
(define halves
  (let loop ((k 0) (sum 0) (exacts 0))
    (if (= k 20000)
        (list sum (exact? sum) exacts)
        (let ((h (/ k 2)))
          (loop (+ k 1) (+ sum h) (if (exact? h) (+ exacts 1) exacts))))))
(write halves) (newline)

;; vector elements: integers, then floats, then strings
(define vec (make-vector 100 0))
(do ((j 0 (+ j 1))) ((= j 100)) (vector-set! vec j j))
(define vsum
  (do ((k 0 (+ k 1))
       (sum 0 (let ((v (vector-ref vec (modulo k 100))))
                (+ sum (if (string? v) (string-length v) v)))))
      ((= k 30000) sum)
    (when (= k 9999)
      (do ((j 0 (+ j 1))) ((= j 100)) (vector-set! vec j (+ (vector-ref vec j) 0.25))))
    (when (= k 19999)
      (do ((j 0 (+ j 1))) ((= j 100)) (vector-set! vec j (number->string j))))))
(write (list vsum (vector-ref vec 3) (vector-ref vec 99))) (newline)

;; one procedure: 10,000 calls with integers, then floats, then mixed
(define (combine a b) (+ a b))
(define isum (do ((k 0 (+ k 1)) (s 0 (combine s k))) ((= k 10000) s)))
(define fsum (do ((k 0 (+ k 1)) (s 0.0 (combine s (* k 0.5)))) ((= k 10000) s)))
(define mixed (do ((k 0 (+ k 1)) (s 0 (combine s (if (even? k) 1 0.5)))) ((= k 10000) s)))
(write (list isum fsum mixed (combine 1 2) (combine 1.5 2) (combine 2 1.5))) (newline)
(write (guard (e ((error-object? e) 'type-error)) (combine "a" 1))) (newline)
(write (guard (e ((error-object? e) (error-object-message e))) (combine 9223372036854775807 1))) (newline)
(write (let ((big (combine 9223372036854775807 1.0))) (list (inexact? big) (> big 9.2e18) (< big 9.3e18)))) (newline)

;; comparisons that see integers, then floats, then strings through string<?
(define (less a b) (if (string? a) (string<? a b) (< a b)))
(define lc
  (+ (do ((k 0 (+ k 1)) (n 0 (if (less (modulo k 10) 5) (+ n 1) n))) ((= k 10000) n))
     (do ((k 0 (+ k 1)) (n 0 (if (less (* k 0.001) 5.0) (+ n 1) n))) ((= k 10000) n))
     (do ((k 0 (+ k 1)) (n 0 (if (less (number->string (modulo k 10)) "5") (+ n 1) n))) ((= k 1000) n))))
(write lc) (newline)

;; a global procedure redefined midway through a hot loop
(define (step v) (+ v 1))
(define g
  (do ((k 0 (+ k 1))
       (g 0 (step g)))
      ((= k 20000) g)
    (when (= k 9999) (set! step (lambda (v) (+ v 2))))))
(write g) (newline)
(define op step)
(define count
  (do ((k 0 (+ k 1))
       (c 0 (modulo (op c) 1000003)))
      ((= k 20000) c)
    (when (= k 4999) (set! op (lambda (v) (* v 2))))
    (when (= k 5029) (set! op (lambda (v) (- v 1))))))
(write count) (newline)

;; booleans, symbols, the empty list, characters and numbers through one variable
(define seen (make-vector 5 0))
(do ((k 0 (+ k 1))) ((= k 20000))
  (let ((v (case (modulo k 5) ((0) #f) ((1) 'sym) ((2) '()) ((3) #\a) (else k))))
    (cond ((not v) (vector-set! seen 0 (+ (vector-ref seen 0) 1)))
          ((symbol? v) (vector-set! seen 1 (+ (vector-ref seen 1) 1)))
          ((null? v) (vector-set! seen 2 (+ (vector-ref seen 2) 1)))
          ((char? v) (vector-set! seen 3 (+ (vector-ref seen 3) 1)))
          ((number? v) (vector-set! seen 4 (+ (vector-ref seen 4) v))))))
(write seen) (newline)
