;; The pair, vector and identity primitives that compile to instructions (CAR, CDR, CONS,
;; NULLP, PAIRP, FALSEP, EQV, VECREF, VECSET, VECLEN), in hot loops whose operand types
;; change after many iterations, with their errors caught, and used as values.
(import (scheme base) (scheme write))

(define (show . xs) (for-each display xs) (newline))

;; Build and walk lists; the element types change halfway.
(define (build n)
  (let loop ((i 0) (acc '()))
    (if (= i n) acc
        (loop (+ i 1) (cons (if (< i (quotient n 2)) i (* 1.5 i)) acc)))))
(define (sum l)
  (let loop ((l l) (s 0))
    (if (null? l) s (loop (cdr l) (+ s (car l))))))
(show "sum " (sum (build 20000)))

;; Type tests on every kind of value, many times over.
(define samples (list 0 1 -1 0.0 -0.0 #t #f '() (list 1) (cons 1 2) "s" #\a 'sym (vector) (vector 1) car))
(define (tests x)
  (list (null? x) (pair? x) (not x)))
(define (count-tests n)
  (let loop ((i 0) (nulls 0) (pairs 0) (falses 0))
    (if (= i n) (list nulls pairs falses)
        (let ((x (list-ref samples (modulo i (length samples)))))
          (loop (+ i 1)
                (if (null? x) (+ nulls 1) nulls)
                (if (pair? x) (+ pairs 1) pairs)
                (if (not x) (+ falses 1) falses))))))
(show "tests " (count-tests 16000))
(for-each (lambda (x) (write (tests x)) (display " ")) samples)
(newline)

;; eq? and eqv? on numbers, characters, symbols, strings, the empty list and procedures.
(define (eqv-table a b)
  (list (eq? a b) (eqv? a b)))
(show (eqv-table 3 3) (eqv-table 3 3.0) (eqv-table 2.5 2.5) (eqv-table 0.0 -0.0)
      (eqv-table +nan.0 +nan.0) (eqv-table #\a #\a) (eqv-table 'a 'a) (eqv-table "a" "a")
      (eqv-table '() '()) (eqv-table car car) (eqv-table #t #t) (eqv-table #f '())
      (eqv-table 4611686018427387904 4611686018427387904))
(define (count-eq n)
  (let loop ((i 0) (k 0))
    (if (= i n) k
        (loop (+ i 1) (if (eqv? (modulo i 7) 3) (+ k 1) k)))))
(show "eqv-count " (count-eq 70000))
(define (count-eq-mixed n)
  (let loop ((i 0) (k 0))
    (if (= i n) k
        (let ((x (if (< i 10000) i (exact->inexact i))))
          (loop (+ i 1) (if (eqv? x 12000.0) (+ k 1) (if (eq? x 500) (+ k 10) k)))))))
(show "eqv-mixed " (count-eq-mixed 20000))

;; Vectors: fill, read back, length; the element type changes after 10,000 rounds.
(define (vec-sum v)
  (let loop ((i 0) (s 0))
    (if (= i (vector-length v)) s (loop (+ i 1) (+ s (vector-ref v i))))))
(define v (make-vector 30000 0))
(let loop ((i 0))
  (when (< i 30000)
    (vector-set! v i (if (< i 10000) i (/ i 4.0)))
    (loop (+ i 1))))
(show "vec " (vec-sum v) " " (vector-length v))
(show "vector-set! value " (let ((w (vector 1 2))) (list (vector-set! w 0 9) w)))

;; Errors from inside hot loops, caught, with the natives' messages.
(define (safe thunk)
  (guard (e (#t (display "caught: ") (display (if (error-object? e) (error-object-message e) e)) (newline) 'err))
    (thunk)))
(define (walk-to-error l n)
  (let loop ((l l) (i 0))
    (if (= i n) 'done (loop (cdr l) (+ i 1)))))
(safe (lambda () (walk-to-error (build 5000) 6000)))
(safe (lambda () (car 5)))
(safe (lambda () (cdr "x")))
(safe (lambda () (vector-ref v 30000)))
(safe (lambda () (vector-ref v -1)))
(safe (lambda () (vector-ref v 1.0)))
(safe (lambda () (vector-ref (list 1 2) 0)))
(safe (lambda () (vector-set! v 30001 0)))
(safe (lambda () (vector-length "abc")))
(define (car-all l) (if (null? l) '() (cons (car (car l)) (car-all (cdr l)))))
(safe (lambda () (car-all (list (list 1) (list 2) 3))))

;; The primitives as values, and shadowed by local bindings.
(show (map car (list (list 1 2) (list 3 4))) " " (map cdr (list (list 1 2))))
(show (apply cons (list 1 2)) " " ((lambda (car) (car 5)) (lambda (x) (* x 10))))
(let ((null? (lambda (x) 'mine)) (vector-ref list))
  (show (null? '()) " " (vector-ref 1 2)))
(show (let loop ((l (list 1 2 3)) (n 0)) (if (pair? l) (loop (cdr l) (+ n 1)) n)))
