;; dictstr: a hash table keyed by strings ((bench strtab), SRFI 69). Each round inserts n keys
;; "k<i>" -> i + r, looks up n keys "k<(i * 7) % (2n)>" (some missing) and adds 1 to each one
;; found, deletes the keys with even i, counts the entries left and sums the values of the odd
;; keys by lookup. n = 100,000, 4 rounds. Prints the totals over all rounds: hits, misses,
;; entries left, sum.
;; Expected output: 228572 171428 200000 10000414288
(import (scheme base) (scheme write) (bench strtab))

(define (key i) (string-append "k" (number->string i)))

(define (run n rounds)
  (let loop ((r 0) (hits 0) (misses 0) (left 0) (total 0))
    (if (= r rounds)
        (begin (display hits) (display " ") (display misses) (display " ")
               (display left) (display " ") (display total) (newline))
        (let ((d (st-make)))
          (do ((i 0 (+ i 1))) ((= i n))
            (st-set! d (key i) (+ i r)))
          (let lookup ((i 0) (hits hits) (misses misses))
            (if (< i n)
                (let* ((k (key (modulo (* i 7) (* 2 n))))
                       (v (st-ref d k #f)))
                  (if v
                      (begin (st-set! d k (+ v 1))
                             (lookup (+ i 1) (+ hits 1) misses))
                      (lookup (+ i 1) hits (+ misses 1))))
                (begin
                  (do ((i 0 (+ i 2))) ((>= i n))
                    (st-delete! d (key i)))
                  (let ((left (+ left (st-count d))))
                    (let sum ((i 1) (total total))
                      (if (< i n)
                          (sum (+ i 2) (+ total (st-ref d (key i) 0)))
                          (loop (+ r 1) hits misses left total)))))))))))

(run 100000 4)
