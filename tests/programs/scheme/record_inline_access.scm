;; Record accessors, modifiers and predicates called directly (compiled in place), with
;; arguments that are variables, constants and computed values, on records of the right
;; type and of others; and the same procedures used as values.
(import (scheme base) (scheme write))

(define-record-type point (make-point x y) point? (x point-x set-point-x!) (y point-y set-point-y!))
(define-record-type other (make-other x) other? (x other-x))

(define (try thunk)
  (guard (e ((error-object? e)
             (display "caught: ")
             (display (error-object-message e))
             (display " ")
             (write (error-object-irritants e))
             (newline)))
    (thunk)))

(define p (make-point 1 2))
(display (list (point-x p) (point-y p) (point? p) (point? (make-other 1)) (point? 5)))
(newline)
(set-point-x! p 10)
(set-point-y! p (+ (point-y p) 5))
(display (list (point-x p) (point-y p)))
(newline)

;; Wrong types: the accessor's own error, whatever the argument's form.
(try (lambda () (point-x (make-other 3))))
(try (lambda () (set-point-y! 'sym 4)))
(try (lambda () (point-y (vector-ref (vector 1 2) 0))))
(try (lambda () (set-point-x! (car (list (make-other 1))) (+ 1 2))))
(try (lambda () (point-x 42)))
(try (lambda () (other-x p)))
(define o (make-other 7))
(try (lambda () (set-point-x! o 1)))
(display (other-x o))
(newline)

;; Computed arguments are computed once.
(define count 0)
(define (next!)
  (set! count (+ count 1))
  p)
(let ((x (point-x (next!))))
  (display (list x count))
  (newline))
(set-point-x! (next!) 20)
(let ((x (point-x p)))
  (display (list x count))
  (newline))

;; Records in a vector, read and written back in a loop.
(define ps (vector (make-point 1.5 2.0) (make-point 3.0 4.5)))
(let loop ((i 0))
  (when (< i 1000)
    (let ((q (vector-ref ps (modulo i 2))))
      (set-point-x! q (+ (point-x q) 0.5))
      (set-point-y! (vector-ref ps (modulo i 2)) (* (point-y q) 1.0)))
    (loop (+ i 1))))
(display (list (point-x (vector-ref ps 0)) (point-y (vector-ref ps 1))))
(newline)

;; Accessors and modifiers as values.
(define pts (list (make-point 1 2) (make-point 3 4)))
(display (map point-x pts))
(newline)
(for-each (lambda (q) (set-point-y! q 0)) pts)
(display (map point-y pts))
(newline)
(for-each set-point-x! pts (list 8 9))
(display (map point-x pts))
(newline)
(display (map point? (list p 1 (make-other 2))))
(newline)
(define (apply-to f x) (f x))
(display (apply-to point-y (make-point 5 6)))
(newline)
(try (lambda () (map point-x (list p 'nope))))
(try (lambda () (apply-to point-y (make-other 0))))

;; Captured variables.
(define (getter q) (lambda () (point-x q)))
(display ((getter (make-point 11 12))))
(newline)
(try (getter 'not-a-point))

;; Wrong argument counts are the procedure's errors too.
(try (lambda () (point-x p p)))
(try (lambda () (set-point-x! p)))
