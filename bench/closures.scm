;; closures: each round makes three new closures over the round's variables and passes them to
;; hand-written map, filter and reduce over a list of n ints; n = 10,000, 1,500 rounds.
;; Prints the sum over all rounds.
;; Expected output: 2494087178
(import (scheme base) (scheme write))

(define (my-map f lst)
  (let loop ((l lst) (acc '()))
    (if (null? l)
        (reverse acc)
        (loop (cdr l) (cons (f (car l)) acc)))))

(define (my-filter p lst)
  (let loop ((l lst) (acc '()))
    (if (null? l)
        (reverse acc)
        (let ((x (car l)))
          (loop (cdr l) (if (p x) (cons x acc) acc))))))

(define (my-reduce f acc lst)
  (if (null? lst)
      acc
      (my-reduce f (f acc (car lst)) (cdr lst))))

(define (run n rounds)
  (let ((base (let loop ((i (- n 1)) (acc '()))
                (if (< i 0) acc (loop (- i 1) (cons i acc))))))
    (let loop ((r 0) (total 0))
      (if (= r rounds)
          total
          (let* ((k (+ (modulo r 7) 1))
                 (scaled (my-map (lambda (x) (+ (* x k) r)) base))
                 (picked (my-filter (lambda (x) (= (modulo x 3) (modulo k 3))) scaled)))
            (loop (+ r 1)
                  (+ total (my-reduce (lambda (acc x) (+ acc (modulo x 1000))) 0 picked))))))))

(display (run 10000 1500))
(newline)
