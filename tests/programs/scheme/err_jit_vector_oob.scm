(import (scheme base) (scheme write))
;; JIT: an index walks off the end of a vector inside a hot loop
(define data (make-vector 20000 0))
(do ((k 0 (+ k 1))) ((= k 20000)) (vector-set! data k (* k 2)))
(let loop ((i 0) (total 0))
  (when (and (> i 0) (= (modulo i 5000) 0))
    (write (list i total))
    (newline))
  (loop (+ i 1) (+ total (vector-ref data i))))
