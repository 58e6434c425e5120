; Small procedures whose bodies end in a tail call of another procedure (a record
; constructor, a helper), called from hot loops: compiled as calls of their own units, where
; the tail call is a jump. The tail callee is rebound halfway (the next calls must see the
; new one), and an error raised in a tail callee reports the same trace in every mode.
(import (scheme base) (scheme write))

(define-record-type vec2 (make-vec2 x y) vec2? (x vec2-x) (y vec2-y))

(define (vec2-add a b) (make-vec2 (+ (vec2-x a) (vec2-x b)) (+ (vec2-y a) (vec2-y b))))
(define (scale v k) (make-vec2 (* (vec2-x v) k) (* (vec2-y v) k)))
(define (step n) (finish (* n 3)))
(define (finish m) (+ m 1))

(define (run n)
  (let loop ((i 0) (acc (make-vec2 0.0 0.0)) (s 0))
    (if (= i n)
        (list (vec2-x acc) (vec2-y acc) s)
        (loop (+ i 1) (vec2-add acc (scale (make-vec2 1.0 2.0) 0.5)) (+ s (step i))))))

(write (run 20000)) (newline)
(set! finish (lambda (m) (- m 1)))
(write (run 20000)) (newline)
(set! finish (lambda (m) (if (> m 30000) (error "too big" m) m)))
(guard (e ((error-object? e)
           (display "caught: ")
           (display (error-object-message e))
           (write (error-object-irritants e))
           (newline)))
  (run 20000))
(write (run 5)) (newline)
