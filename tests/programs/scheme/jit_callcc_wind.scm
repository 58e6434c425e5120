(import (scheme base) (scheme write))
;; JIT: call/cc escapes out of hot loops and deep recursion, and dynamic-wind
;; before/after thunks run exactly once per entry and exit, also on escapes

;; escape from a nested loop as soon as a match is found
(define (find-pair target)
  (call/cc
    (lambda (return)
      (do ((a 1 (+ a 1))) ((= a 40) #f)
        (do ((b a (+ b 1))) ((= b 40))
          (when (= (+ (* a a) (* b b)) target)
            (return (list a b))))))))
(write (list (find-pair 25) (find-pair 1325) (find-pair 3))) (newline)
(write (do ((t 1 (+ t 1)) (hits 0 (if (find-pair t) (+ hits 1) hits))) ((= t 1000) hits))) (newline)

;; escape from the bottom of a 10,000-deep non-tail recursion, 100 times
(define (descend n k)
  (if (= n 0)
      (k 'bottom)
      (+ 1 (descend (- n 1) k))))
(define escapes
  (let loop ((i 0) (count 0))
    (if (= i 100)
        count
        (loop (+ i 1)
              (if (eq? (call/cc (lambda (k) (descend 10000 k))) 'bottom) (+ count 1) count)))))
(write escapes) (newline)
;; the same recursion, not escaping, still works afterwards
(write (call/cc (lambda (k) (descend 10000 (lambda (x) 0))))) (newline)

;; dynamic-wind in a hot loop: normal exits and escapes both run the after thunk
(define befores 0)
(define afters 0)
(define (guarded k i)
  (dynamic-wind
    (lambda () (set! befores (+ befores 1)))
    (lambda () (if (= (modulo i 3) 0) (k i) (* i 2)))
    (lambda () (set! afters (+ afters 1)))))
(define wsum
  (do ((i 0 (+ i 1))
       (s 0 (+ s (call/cc (lambda (k) (guarded k i))))))
      ((= i 20000) s)))
(write (list wsum befores afters)) (newline)

;; an escape through three nested dynamic-winds records the unwinding order
(define trail '())
(define (note x) (set! trail (cons x trail)))
(define (nested k i)
  (dynamic-wind
    (lambda () (note 'in1))
    (lambda ()
      (dynamic-wind
        (lambda () (note 'in2))
        (lambda ()
          (dynamic-wind
            (lambda () (note 'in3))
            (lambda () (if (odd? i) (k 'escaped) 'normal))
            (lambda () (note 'out3))))
        (lambda () (note 'out2))))
    (lambda () (note 'out1))))
(write (list (call/cc (lambda (k) (nested k 1))) (reverse trail))) (newline)
(set! trail '())
(write (list (call/cc (lambda (k) (nested k 2))) (reverse trail))) (newline)
(set! trail '())
(define results
  (do ((i 0 (+ i 1))
       (esc 0 (if (eq? (call/cc (lambda (k) (nested k i))) 'escaped) (+ esc 1) esc)))
      ((= i 5000) esc)))
(write (list results (length trail) (list-tail trail (- (length trail) 6)))) (newline)

;; an escape out of a loop that would never end
(define (first-square-above n)
  (call/cc
    (lambda (found)
      (let loop ((i 0))
        (when (> (* i i) n) (found i))
        (loop (+ i 1))))))
(write (list (first-square-above 1000) (first-square-above 99999999)
             (do ((k 0 (+ k 1)) (s 0 (+ s (first-square-above k)))) ((= k 2000) s))))
(newline)

;; exceptions raised inside dynamic-wind unwind through the after thunk
(define unwound 0)
(define caught
  (do ((i 0 (+ i 1))
       (c 0 (+ c (guard (e ((symbol? e) 1))
                   (dynamic-wind
                     (lambda () #f)
                     (lambda () (if (even? i) (raise 'oops) 0))
                     (lambda () (set! unwound (+ unwound 1))))))))
      ((= i 10000) c)))
(write (list caught unwound)) (newline)
