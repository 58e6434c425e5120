;; matmul: float matrices as vectors of row vectors. Builds A and B (350 x 350, entries in
;; [-1, 1) from a Park-Miller generator), computes C = A * B with the i-k-j loop order (each row
;; of C accumulated in place), then D = C * A. Prints floor(trace * 1000) of C and of D.
;; Expected output: -162199 1366042
(import (scheme base) (scheme write))

(define (make n seed)
  (let ((m (make-vector n)))
    (let rows ((i 0) (seed seed))
      (if (= i n)
          m
          (let ((row (make-vector n)))
            (let cols ((j 0) (seed seed))
              (if (= j n)
                  (begin (vector-set! m i row) (rows (+ i 1) seed))
                  (let ((seed (modulo (* seed 16807) 2147483647)))
                    (vector-set! row j (- (/ (modulo seed 1000) 500.0) 1.0))
                    (cols (+ j 1) seed)))))))))

(define (mul a b n)
  (let ((c (make-vector n)))
    (do ((i 0 (+ i 1))) ((= i n) c)
      (let ((row (make-vector n 0.0))
            (ai (vector-ref a i)))
        (do ((k 0 (+ k 1))) ((= k n))
          (let ((aik (vector-ref ai k))
                (bk (vector-ref b k)))
            (do ((j 0 (+ j 1))) ((= j n))
              (vector-set! row j (+ (vector-ref row j) (* aik (vector-ref bk j)))))))
        (vector-set! c i row)))))

(define (trace m n)
  (let loop ((i 0) (t 0.0))
    (if (= i n) t (loop (+ i 1) (+ t (vector-ref (vector-ref m i) i))))))

(define (run n)
  (let* ((a (make n 1))
         (b (make n 2))
         (c (mul a b n))
         (d (mul c a n)))
    (display (exact (floor (* (trace c n) 1000.0))))
    (display " ")
    (display (exact (floor (* (trace d n) 1000.0))))
    (newline)))

(run 350)
