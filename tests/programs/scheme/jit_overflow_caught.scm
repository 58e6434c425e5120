(import (scheme base) (scheme write))
;; JIT: exact integer arithmetic near the 64-bit limits in hot loops and hot procedures.
;; Overflow raises an error (no bignums); here it is caught (guard, with-exception-handler)
;; and the loop goes on.
(define max-int 9223372036854775807)
(define min-int (- -9223372036854775807 1))
(define (add a b) (+ a b))
(define (sub a b) (- a b))
(define (mul a b) (* a b))
(define (neg a) (- a))

;; cold: exact results right at the limits
(write (list (add (- max-int 1) 1) (sub (+ min-int 1) 1) (mul 3037000499 3037000499) (mul -4611686018427387904 2)))
(newline)
(write (list (neg max-int) (neg (+ min-int 1)) (mul max-int -1) (sub 0 max-int))) (newline)

;; hot: close to the limit without crossing it
(define near
  (let loop ((k 0) (acc 0))
    (if (= k 20000)
        acc
        (loop (+ k 1) (+ acc (- (add (- max-int k) k) max-int) (- (sub (+ min-int k) k) min-int))))))
(write near) (newline)

;; hot: overflow caught by guard inside the loop
(define (overflow? thunk)
  (guard (e ((error-object? e) #t))
    (thunk)
    #f))
(define (count-overflows n)
  (let loop ((k 0) (ok 0) (over 0))
    (if (= k n)
        (list ok over)
        (if (overflow? (lambda ()
                         (add (- max-int 2) (modulo k 4))
                         (mul (+ (modulo k 5) 3037000497) 3037000499)))
            (loop (+ k 1) ok (+ over 1))
            (loop (+ k 1) (+ ok 1) over)))))
(write (count-overflows 20000)) (newline)

;; each operator, caught many times; the error message is kept
(define (op-overflow j)
  (case j
    ((0) (+ max-int 1))
    ((1) (- min-int 1))
    ((2) (* max-int 2))
    ((3) (neg min-int))
    ((4) (* min-int -1))
    ((5) (+ max-int -1))
    (else (abs min-int))))
(define counts (make-vector 7 0))
(define last-message #f)
(do ((k 0 (+ k 1))) ((= k 7000))
  (let ((j (modulo k 7)))
    (guard (e ((error-object? e)
               (when (= j 0) (set! last-message (error-object-message e)))
               (vector-set! counts j (+ (vector-ref counts j) 1))))
      (op-overflow j))))
(write counts) (newline)
(write last-message) (newline)

;; with-exception-handler and an escape continuation, in a loop
(define (safe-mul a b)
  (call/cc
    (lambda (k)
      (with-exception-handler
        (lambda (e) (k 'overflow))
        (lambda () (* a b))))))
(define (count-safe n)
  (do ((k 0 (+ k 1))
       (ok 0 (if (eq? (safe-mul (+ 3037000490 (modulo k 20)) 3037000499) 'overflow) ok (+ ok 1))))
      ((= k n) ok)))
(write (count-safe 20000)) (newline)

;; a loop that doubles until it overflows; the handler is outside the loop
(define (doublings start)
  (guard (e (#t (car e)))
    (let loop ((v start) (n 0))
      (loop (guard (inner ((error-object? inner) (raise (list n))))
              (* v 2))
            (+ n 1)))))
(write (list (doublings 1) (doublings 3) (doublings -1) (doublings max-int))) (newline)
(write (let loop ((k 1) (s 0)) (if (> k 2000) s (loop (+ k 1) (+ s (doublings k)))))) (newline)

;; factorials: the largest that fits, found by catching the overflow
(define (fact n) (if (<= n 1) 1 (* n (fact (- n 1)))))
(define largest
  (do ((k 1 (+ k 1))
       (best 0 (if (guard (e (#t #f)) (fact (modulo k 30)))
                   (max best (modulo k 30))
                   best)))
      ((= k 3000) best)))
(write (list largest (fact largest))) (newline)
