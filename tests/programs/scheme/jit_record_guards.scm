; Record accessors compiled in place (a type test, then the field) where the JIT turns the
; test into a guard: after a hot loop over one record type, the same sites meet another
; record type and non-records, whose errors are caught, over and over (so the guard's
; site stops speculating), and then the first type again.
(import (scheme base) (scheme write))

(define-record-type point (make-point x y) point? (x point-x set-point-x!) (y point-y))
(define-record-type other (make-other x) other? (x other-x))

(define (norm1 p) (+ (point-x p) (point-y p)))

(define (bump! p d) (set-point-x! p (+ (point-x p) d)))

(define (sum-loop ps n)
  (let loop ((i 0) (acc 0.0))
    (if (= i n)
        acc
        (let ((p (vector-ref ps (modulo i (vector-length ps)))))
          (bump! p 0.5)
          (loop (+ i 1) (+ acc (norm1 p)))))))

(define (try thunk)
  (guard (e ((error-object? e)
             (display "caught: ")
             (display (error-object-message e))
             (display " ")
             (write (error-object-irritants e))
             (newline)
             #f))
    (thunk)))

(define ps (vector (make-point 1.0 2.0) (make-point 3.0 4.0)))
(display (sum-loop ps 20000)) (newline)
(try (lambda () (norm1 (make-other 1.0))))
(try (lambda () (bump! 'sym 1.0)))
(let loop ((k 0))
  (when (< k 5)
    (try (lambda () (sum-loop (vector (make-point 1.0 1.0) (make-other 2.0)) 10)))
    (loop (+ k 1))))
(display (sum-loop ps 1000)) (newline)
(display (map point-x (vector->list ps))) (newline)
(display (norm1 (make-point 1 2))) (newline)
(norm1 (make-other 5))
