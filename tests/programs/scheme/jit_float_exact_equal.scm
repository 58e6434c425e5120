(import (scheme base) (scheme write))
;; JIT: Scheme's = on inexact numbers is exact (R7RS 6.2.6): no epsilon, unlike Ruff's ==.
;; The two-argument form, the n-ary form, apply and a first-class = must all agree.
(define (eq2 a b) (= a b))
(define (eq3 a b) (= a b b))
(define (eq-apply a b) (apply = (list a b)))
(define num= =)
(define (all-forms a b) (list (= a b) (eq2 a b) (eq3 a b) (eq-apply a b) (num= a b)))
(write (all-forms (+ 0.1 0.2) 0.3)) (newline)
(write (all-forms 5e-324 0)) (newline)
(write (all-forms 1e-17 0.0)) (newline)
(write (all-forms 1.0 (+ 1.0 1e-16))) (newline)
(write (list (= (+ 0.1 0.2) 0.3) (= 5e-324 0) (= 0 5e-324) (= 1e-20 0.0) (zero? 1e-20) (= 0.5 0.5))) (newline)
;; hot: count equalities that hold exactly
(define (count-equal n)
  (let loop ((k 0) (same 0))
    (if (= k n)
        same
        (loop (+ k 1)
              (+ same
                 (if (= (* k 0.1) (/ k 10.0)) 1 0)
                 (if (= (+ (* k 1.0) 1e-17) k) 1 0)
                 (if (= (* k 1e-18) 0) 1 0))))))
(write (count-equal 20000)) (newline)
(define (count-zero n)
  (do ((k 0 (+ k 1))
       (z 0 (if (= (* k 1e-20) 0.0) (+ z 1) z)))
      ((= k n) z)))
(write (count-zero 20000)) (newline)
