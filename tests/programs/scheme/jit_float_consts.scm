(import (scheme base) (scheme write))
;; JIT: float constants, mixed exact/inexact arithmetic and comparisons,
;; first cold (a few calls) and then hot (loops of 20,000 iterations).
(define (poly x) (+ (* 0.1 x x) (* -2.5 x) 1.0))
(define (mix i)
  (let ((a (+ i 0.5))
        (b (* 0.25 i))
        (c (/ i 4.0))
        (d (- 3 (* i 0.125))))
    (+ a b c d)))
(define (cmp-code a b)
  (+ (if (< a b) 1 0) (if (<= a b) 2 0) (if (> a b) 4 0) (if (>= a b) 8 0) (if (= a b) 16 0)))
(define (consts i)
  (case (modulo i 5)
    ((0) 0.1)
    ((1) -2.5)
    ((2) 1e300)
    ((3) 5e-324)
    (else 1.0)))

;; cold
(write (list (poly 0) (poly 1) (poly 10) (poly -3) (poly 2.5))) (newline)
(write (list (mix 0) (mix 1) (mix 8) (mix -4))) (newline)
(write (list (cmp-code 1 1.0) (cmp-code 1 1.5) (cmp-code 2 1.5) (cmp-code 1.0 1) (cmp-code -0.5 0))) (newline)
(write (list (exact? (poly 0)) (exact? (+ 2 3)) (exact? (* 2 3.0)) (inexact? (- 2.0 2)) (exact? (/ 6 3)) (/ 7 2.0))) (newline)
(write (list (consts 0) (consts 1) (> (consts 3) 0) (consts 4) (= (consts 2) 1e300))) (newline)

;; hot
(define total
  (let loop ((i 0) (acc 0.0))
    (if (= i 20000)
        acc
        (loop (+ i 1) (+ acc (poly (modulo i 50)) (mix (modulo i 7)))))))
(write total) (newline)

(define csum
  (do ((k 0 (+ k 1))
       (s 0 (+ s (cmp-code (modulo k 10) (+ (modulo k 7) 0.5))
                 (cmp-code (* (modulo k 5) 1.0) (modulo k 5))
                 (cmp-code (modulo k 3) 1))))
      ((= k 20000) s)))
(write csum) (newline)

(define (classify-consts n)
  (let loop ((k 0) (small 0.0) (huge 0) (tiny 0) (ones 0))
    (if (= k n)
        (list small huge tiny ones)
        (let ((c (consts k)))
          (loop (+ k 1)
                (if (or (> c 1e299) (and (> c 0) (< c 1e-300))) small (+ small c))
                (if (> c 1e299) (+ huge 1) huge)
                (if (and (> c 0) (< c 1e-300)) (+ tiny 1) tiny)
                (if (= c 1) (+ ones 1) ones))))))
(write (classify-consts 20000)) (newline)

;; an exact accumulator that becomes inexact on the first step
(define acc
  (let loop ((k 0) (a 0))
    (if (= k 20000) a (loop (+ k 1) (+ a 0.5)))))
(write (list acc (exact? acc) (exact acc))) (newline)

;; comparisons between exact integers and floats that must stay exact
(define exact-count
  (let loop ((k 0) (n 0))
    (if (= k 20000)
        n
        (loop (+ k 1)
              (if (and (= (* k 1.0) k) (>= (+ k 0.0) k) (> (+ k 0.5) k) (< (- k 0.5) k)
                       (= (exact (inexact k)) k))
                  (+ n 1)
                  n)))))
(write exact-count) (newline)
(write (list (poly 0) (poly 1) (poly 10) (poly -3) (poly 2.5))) (newline)
(write (list (mix 0) (mix 1) (mix 8) (mix -4))) (newline)
(write (list (cmp-code 1 1.0) (cmp-code 1 1.5) (cmp-code 2 1.5) (cmp-code 1.0 1) (cmp-code -0.5 0))) (newline)
