; char=? of two arguments as an instruction: characters of every kind compared in a hot
; loop, then arguments that are not characters, whose errors are caught (over and over,
; so compiled code stops expecting characters there), then one that is not caught.
(import (scheme base) (scheme write))

(define (count-same s t)
  (let loop ((i 0) (n 0))
    (if (= i (string-length s))
        n
        (loop (+ i 1) (if (char=? (string-ref s i) (string-ref t i)) (+ n 1) n)))))

(define (eq2 a b) (char=? a b))

(define (try thunk)
  (guard (e ((error-object? e)
             (list (error-object-message e) (error-object-irritants e))))
    (thunk)))

(define s (make-string 30000 #\x))
(define t (string-append (make-string 15000 #\x) (make-string 15000 #\y)))
(display (count-same s t)) (newline)
(display (list (eq2 #\a #\a) (eq2 #\a #\A) (eq2 #\x3bb #\x3bb) (eq2 #\nul #\x0) (eq2 #\space #\newline)))
(newline)
(let loop ((k 0))
  (when (< k 5)
    (display (try (lambda () (eq2 #\a (if (even? k) 97 "a"))))) (newline)
    (loop (+ k 1))))
(display (let loop ((i 0) (n 0)) (if (= i 10000) n (loop (+ i 1) (if (eq2 #\q #\q) (+ n 1) n)))))
(newline)
(display (char=? #\a #\a #\a)) (newline)
(let ((char=? (lambda (a b) 'mine))) (display (char=? 1 2))) (newline)
(eq2 'a #\a)
