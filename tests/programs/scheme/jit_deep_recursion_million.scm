(import (scheme base) (scheme write))
;; JIT: non-tail recursion 999,000 frames deep (the default limit is 1,000,000 frames),
;; after the same procedure has been warmed up with many shallow calls
(define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))
(write (do ((k 0 (+ k 1)) (s 0 (+ s (depth (modulo k 50))))) ((= k 2000) s))) (newline)
(write (depth 999000)) (newline)
;; past the limit: a catchable error, and the program goes on
(write (guard (e (#t 'stack-overflow-caught)) (depth 1100000))) (newline)
(write (depth 1000)) (newline)
