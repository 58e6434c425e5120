;; lcs: dynamic programming, longest common subsequence of two pseudo-random sequences over a
;; 4-letter alphabet (vectors of ints), with two int rows swapped after each row. 10 pairs of
;; length 2,000. Prints the LCS lengths summed.
;; Expected output: 12965
(import (scheme base) (scheme write))

(define (lcs a n b m)
  ;; row[j] holds column j, for j in [0, m]
  (let loop ((i 0) (prev (make-vector (+ m 1) 0)) (cur (make-vector (+ m 1) 0)))
    (if (= i n)
        (vector-ref prev m)
        (let ((ai (vector-ref a i)))
          (do ((j 0 (+ j 1))) ((= j m))
            (if (= ai (vector-ref b j))
                (vector-set! cur (+ j 1) (+ (vector-ref prev j) 1))
                (let ((up (vector-ref prev (+ j 1)))
                      (left (vector-ref cur j)))
                  (if (> up left)
                      (vector-set! cur (+ j 1) up)
                      (vector-set! cur (+ j 1) left)))))
          (loop (+ i 1) cur prev)))))

(define (gen n seed)
  ;; returns the vector and the new seed
  (let ((v (make-vector n 0)))
    (let fill ((i 0) (seed seed))
      (if (= i n)
          (values v seed)
          (let ((seed (modulo (* seed 16807) 2147483647)))
            (vector-set! v i (modulo seed 4))
            (fill (+ i 1) seed))))))

(define (run n pairs)
  (let loop ((p 0) (seed 12345) (total 0))
    (if (= p pairs)
        total
        (let*-values (((a seed) (gen n seed))
                      ((b seed) (gen n seed)))
          (loop (+ p 1) seed (+ total (lcs a n b n)))))))

(display (run 2000 10))
(newline)
