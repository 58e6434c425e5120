(import (scheme base) (scheme write))
;; JIT: a user error with irritants raised at the bottom of a 1,000-frame recursion,
;; after the same recursion has completed 2,000 times
(define (descend n bad)
  (cond ((> n 0) (+ 1 (descend (- n 1) bad)))
        (bad (error "bottom reached:" bad 'at n))
        (else 0)))
(define total
  (let loop ((k 0) (t 0))
    (if (= k 2000) t (loop (+ k 1) (+ t (descend (+ 900 (modulo k 100)) #f))))))
(write total) (newline)
(write (descend 1000 #f)) (newline)
(write (descend 1000 "boom")) (newline)
(display "unreachable") (newline)
