(import (scheme base) (scheme write) (scheme case-lambda))
(define area
  (case-lambda
    ((r) (* 3 r r))
    ((w h) (* w h))
    ((a b c) (list 'triangle a b c))))
(write (area 2)) (newline)
(write (area 3 4)) (newline)
(write (area 3 4 5)) (newline)
(define greet
  (case-lambda
    (() "hi")
    ((name) (string-append "hi " name))
    ((name . more) (list name more))))
(write (greet)) (newline)
(write (greet "bob")) (newline)
(write (greet "bob" "carol" "dave")) (newline)
(define range
  (case-lambda
    ((end) (range 0 end))
    ((start end) (range start end 1))
    ((start end step)
     (let loop ((i start) (acc '()))
       (if (>= i end) (reverse acc) (loop (+ i step) (cons i acc)))))))
(write (range 5)) (newline)
(write (range 2 6)) (newline)
(write (range 0 10 3)) (newline)
(define any-count (case-lambda (args (length args))))
(write (any-count 1 2 3)) (newline)
