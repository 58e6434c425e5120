; Loops over vectors whose checks are made once, before the loop: the vector swapped
; between rounds, a list where a vector was, an index past the end in a hot loop.
(import (scheme base) (scheme write))

(define (vsum v lo hi)
  (do ((i lo (+ i 1)) (s 0 (+ s (vector-ref v i)))) ((= i hi) s)))

(define (vscale! v k)
  (let loop ((i 0))
    (when (< i (vector-length v))
      (vector-set! v i (* k (vector-ref v i)))
      (loop (+ i 1)))))

(define (swap-rounds x y rounds)
  (let outer ((r 0) (x x) (y y) (t 0))
    (if (= r rounds)
        t
        (outer (+ r 1) y x
               (do ((i 0 (+ i 1)) (t t (+ t (- (vector-ref x i) (vector-ref y i)))))
                   ((= i (vector-length x)) t))))))

(define big (make-vector 50000 0))
(do ((i 0 (+ i 1))) ((= i 50000)) (vector-set! big i (modulo i 7)))
(display (vsum big 0 50000)) (newline)
(define small (vector 1 2 3))
(do ((k 0 (+ k 1))) ((= k 3000)) (vscale! small 1))
(vscale! small 2)
(display small) (newline)
(display (swap-rounds (vector 1 2 3 4) (vector 0 0 0 1) 5001)) (newline)
(display (vsum '(1 2) 0 0)) (newline)
(display (guard (e (#t (error-object-message e))) (vsum '(1 2) 0 1))) (newline)
(display (vsum big 49990 50001)) (newline)
