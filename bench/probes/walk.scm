(define (make-grid n) (let ((v (make-vector n))) (do ((i 0 (+ i 1))) ((= i n) v) (vector-set! v i (* i 0.5)))))
(define (smooth v n)
  (let loop ((i 1) (acc 0.0))
    (if (= i (- n 1)) acc
        (loop (+ i 1) (+ acc (/ (+ (vector-ref v (- i 1)) (vector-ref v i) (vector-ref v (+ i 1))) 3.0))))))
(define g (make-grid 5000))
(define (rep k s) (if (= k 0) s (rep (- k 1) (+ s (smooth g 5000)))))
(display (exact (floor (rep 300 0.0)))) (newline)
