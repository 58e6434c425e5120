;; qsort: array algorithms on an int vector. Each round fills the vector with Park-Miller
;; pseudo-random ints, sorts it with a hand-written recursive quicksort (Hoare partition, middle
;; pivot), checks it is sorted, then binary-searches n keys (every other one taken from the
;; vector). n = 100,000, 8 rounds. Prints the number of keys found, the sum of the medians and
;; the number of unsorted neighbours (0).
;; Expected output: 438367 3992477 0
(import (scheme base) (scheme write))

(define (quicksort a lo hi)
  (when (< lo hi)
    (let ((p (vector-ref a (+ lo (quotient (- hi lo) 2)))))
      (let partition ((i lo) (j hi))
        (if (<= i j)
            (let* ((i (let up ((i i)) (if (< (vector-ref a i) p) (up (+ i 1)) i)))
                   (j (let down ((j j)) (if (> (vector-ref a j) p) (down (- j 1)) j))))
              (if (<= i j)
                  (let ((t (vector-ref a i)))
                    (vector-set! a i (vector-ref a j))
                    (vector-set! a j t)
                    (partition (+ i 1) (- j 1)))
                  (partition i j)))
            (begin
              (quicksort a lo j)
              (quicksort a i hi)))))))

(define (bsearch a n key)
  (let loop ((lo 0) (hi (- n 1)))
    (if (> lo hi)
        #f
        (let* ((mid (+ lo (quotient (- hi lo) 2)))
               (v (vector-ref a mid)))
          (cond ((= v key) #t)
                ((< v key) (loop (+ mid 1) hi))
                (else (loop lo (- mid 1))))))))

(define (next seed) (modulo (* seed 16807) 2147483647))

(define (run n rounds)
  (let ((a (make-vector n 0)))
    (let round ((r 0) (seed 7) (found 0) (medians 0) (unsorted 0))
      (if (= r rounds)
          (begin (display found) (display " ") (display medians) (display " ")
                 (display unsorted) (newline))
          (let ((seed (let fill ((i 0) (seed seed))
                        (if (= i n)
                            seed
                            (let ((seed (next seed)))
                              (vector-set! a i (modulo seed 1000000))
                              (fill (+ i 1) seed))))))
            (quicksort a 0 (- n 1))
            (let ((unsorted (let count ((i 0) (u unsorted))
                              (if (= i (- n 1))
                                  u
                                  (count (+ i 1)
                                         (if (> (vector-ref a i) (vector-ref a (+ i 1)))
                                             (+ u 1)
                                             u)))))
                  (medians (+ medians (vector-ref a (quotient n 2)))))
              (let search ((i 0) (seed seed) (found found))
                (if (= i n)
                    (round (+ r 1) seed found medians unsorted)
                    (if (= (modulo i 2) 1)
                        (search (+ i 1) seed (if (bsearch a n (vector-ref a i)) (+ found 1) found))
                        (let ((seed (next seed)))
                          (search (+ i 1) seed
                                  (if (bsearch a n (modulo seed 1000000))
                                      (+ found 1)
                                      found))))))))))))

(run 100000 8)
