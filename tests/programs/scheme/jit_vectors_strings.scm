(import (scheme base) (scheme write) (scheme char))
;; JIT: vector and string access in hot loops, with out-of-range errors caught in the loop

;; prefix sums in a vector
(define n 5000)
(define v (make-vector n 0))
(do ((k 0 (+ k 1))) ((= k n)) (vector-set! v k (modulo k 13)))
(define pre (make-vector (+ n 1) 0))
(do ((k 0 (+ k 1))) ((= k n))
  (vector-set! pre (+ k 1) (+ (vector-ref pre k) (vector-ref v k))))
(write (list (vector-ref pre n) (vector-ref pre 100) (vector-ref v (- n 1)) (vector-length pre))) (newline)

;; a sieve of Eratosthenes on a vector of booleans
(define limit 20000)
(define sieve (make-vector limit #t))
(vector-set! sieve 0 #f)
(vector-set! sieve 1 #f)
(let outer ((i 2))
  (when (< (* i i) limit)
    (when (vector-ref sieve i)
      (let inner ((j (* i i)))
        (when (< j limit)
          (vector-set! sieve j #f)
          (inner (+ j i)))))
    (outer (+ i 1))))
(define primes
  (let loop ((k 0) (count 0) (last 0))
    (cond ((= k limit) (list count last))
          ((vector-ref sieve k) (loop (+ k 1) (+ count 1) k))
          (else (loop (+ k 1) count last)))))
(write primes) (newline)

;; a 2-D grid as a vector of vectors, smoothed in nested loops
(define rows 60)
(define cols 70)
(define grid
  (let ((g (make-vector rows)))
    (do ((r 0 (+ r 1))) ((= r rows) g)
      (let ((row (make-vector cols 0)))
        (do ((c 0 (+ c 1))) ((= c cols)) (vector-set! row c (modulo (* r c) 10)))
        (vector-set! g r row)))))
(define (cell r c) (vector-ref (vector-ref grid r) c))
(do ((step 0 (+ step 1))) ((= step 5))
  (do ((r 1 (+ r 1))) ((= r (- rows 1)))
    (do ((c 1 (+ c 1))) ((= c (- cols 1)))
      (vector-set! (vector-ref grid r) c
                   (modulo (+ (cell (- r 1) c) (cell (+ r 1) c) (cell r (- c 1)) (cell r (+ c 1))) 10)))))
(define gsum
  (let loop ((r 0) (s 0))
    (if (= r rows) s (loop (+ r 1) (+ s (apply + (vector->list (vector-ref grid r))))))))
(write (list gsum (cell 30 35) (cell 59 69) (cell 58 1))) (newline)

;; out-of-range reads and writes caught in a hot loop
(define small (vector 10 20 30))
(define (probe n)
  (let loop ((k 0) (hits 0) (misses 0) (msg #f))
    (if (= k n)
        (list hits misses msg)
        (let* ((idx (- (modulo k 9) 4))
               (r (guard (e ((error-object? e) (error-object-message e)))
                    (vector-set! small (modulo idx 3) (vector-ref small (modulo idx 3)))
                    (vector-ref small idx))))
          (if (string? r)
              (loop (+ k 1) hits (+ misses 1) (if (= idx 3) r msg))
              (loop (+ k 1) (+ hits r) misses msg))))))
(write (probe 20000)) (newline)

;; strings: string-ref in a hot loop, building strings, character codes
(define text "the quick brown fox jumps over the lazy dog")
(define tl (string-length text))
(define vowels
  (do ((k 0 (+ k 1))
       (count 0 (if (memv (string-ref text (modulo k tl)) '(#\a #\e #\i #\o #\u)) (+ count 1) count)))
      ((= k 20000) count)))
(write (list tl vowels (string-ref text (- tl 1)) (string-ref text 4))) (newline)
(define (reverse-string s)
  (let loop ((k (- (string-length s) 1)) (acc '()))
    (if (< k 0) (list->string (reverse acc)) (loop (- k 1) (cons (string-ref s k) acc)))))
(write (reverse-string text)) (newline)
(define codes
  (do ((round 0 (+ round 1))
       (sum 0 (+ sum (let loop ((k 0) (s 0))
                       (if (= k tl) s (loop (+ k 1) (+ s (char->integer (string-ref text k)))))))))
      ((= round 200) sum)))
(write codes) (newline)
(define upper
  (let loop ((k 0) (out (open-output-string)))
    (if (= k tl)
        (get-output-string out)
        (begin (write-char (char-upcase (string-ref text k)) out) (loop (+ k 1) out)))))
(write upper) (newline)
(define serr
  (do ((k 0 (+ k 1))
       (errs 0 (+ errs (guard (e ((error-object? e) 1))
                         (string-ref text (+ (- (modulo k 50) 25) (* (modulo k 2) 20)))
                         0))))
      ((= k 1000) errs)))
(write serr) (newline)
(define joined
  (let loop ((k 0) (acc ""))
    (if (= k 300) (string-length acc) (loop (+ k 1) (string-append acc (number->string k))))))
(write (list joined (substring text 4 9) (string->symbol (substring text 10 15)))) (newline)
