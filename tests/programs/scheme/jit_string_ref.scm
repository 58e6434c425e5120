; string-ref and string-length as instructions: long ASCII and non-ASCII strings walked in
; hot loops, then arguments that are not strings or indexes out of range, whose errors are
; caught (over and over, so compiled code stops expecting strings there), the names rebound
; locally, and one error that is not caught.
(import (scheme base) (scheme write))

(define (count-char s ch)
  (let loop ((i 0) (n 0))
    (if (= i (string-length s))
        n
        (loop (+ i 1) (if (char=? (string-ref s i) ch) (+ n 1) n)))))

(define (ref s i) (string-ref s i))
(define (len s) (string-length s))

(define (try thunk)
  (guard (e ((error-object? e)
             (list (error-object-message e) (error-object-irritants e))))
    (thunk)))

(define ascii (string-append (make-string 15000 #\x) (make-string 15000 #\y)))
(define wide (string-append (make-string 15000 #\é) (make-string 15000 #\日) "😀"))
(display (list (count-char ascii #\y) (count-char wide #\日) (count-char wide #\😀)))
(newline)
(display (list (ref wide 0) (ref wide 15000) (ref wide 30000) (len wide) (len "") (len "😀")))
(newline)
(let loop ((k 0))
  (when (< k 5)
    (display (try (lambda () (ref (if (even? k) 'sym wide) (if (even? k) 0 30001)))))
    (newline)
    (display (try (lambda () (len (if (even? k) #\a 12))))) (newline)
    (loop (+ k 1))))
(display (try (lambda () (ref ascii -1)))) (newline)
(display (try (lambda () (ref ascii 2.0)))) (newline)
(display (let loop ((i 0) (n 0))
           (if (= i 10000) n (loop (+ i 1) (+ n (len (if (odd? i) ascii wide)))))))
(newline)
(let ((string-ref (lambda (s i) 'mine)) (string-length (lambda (s) 'also-mine)))
  (display (list (string-ref 1 2) (string-length 3))))
(newline)
(ref wide 30001)
