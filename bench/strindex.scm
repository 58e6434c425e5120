;; strindex: strings walked by character index. Builds an ASCII text and a mixed text (é, 日
;; and 😀 among ASCII letters) of n characters each from a Park-Miller generator, then, each
;; round, walks both by index with string-ref (counting a target character and summing its
;; positions modulo 1000) and reads n characters of each at positions from the generator
;; (counting the target). n = 200,000, 10 rounds. Prints the counts and the sum.
;; Expected output: 598050 200000 298874310 401610
(import (scheme base) (scheme write))

(define (make-text pool n seed)
  (let ((m (string-length pool)))
    (let loop ((i 0) (seed seed) (acc '()))
      (if (= i n)
          (list->string (reverse acc))
          (let ((seed (modulo (* seed 16807) 2147483647)))
            (loop (+ i 1) seed (cons (string-ref pool (modulo seed m)) acc)))))))

;; Walk s by index: (count . position sum) of ch.
(define (walk s ch)
  (let ((n (string-length s)))
    (let loop ((i 0) (hits 0) (sum 0))
      (if (= i n)
          (cons hits sum)
          (if (char=? (string-ref s i) ch)
              (loop (+ i 1) (+ hits 1) (+ sum (modulo i 1000)))
              (loop (+ i 1) hits sum))))))

;; Read n characters of s at positions from the generator: the count of ch.
(define (probe s ch seed)
  (let ((n (string-length s)))
    (let loop ((k 0) (seed seed) (hits 0))
      (if (= k n)
          hits
          (let ((seed (modulo (* seed 16807) 2147483647)))
            (loop (+ k 1) seed
                  (if (char=? (string-ref s (modulo seed n)) ch) (+ hits 1) hits)))))))

(define (run n rounds)
  (let ((ascii (make-text "abcdefghij" n 1))
        (wide (make-text "aé日😀bcdefg" n 2)))
    (let loop ((r 0) (hits 0) (sum 0) (probes 0))
      (if (= r rounds)
          (begin
            (display hits) (display " ") (display (string-length wide)) (display " ")
            (display sum) (display " ") (display probes) (newline))
          (let ((a (walk ascii #\a))
                (e (walk wide #\é))
                (g (walk wide #\😀)))
            (loop (+ r 1)
                  (+ hits (car a) (car e) (car g))
                  (+ sum (cdr a) (cdr e) (cdr g))
                  (+ probes (probe ascii #\b (+ r 3)) (probe wide #\日 (+ r 5)))))))))

(run 200000 10)
