; Natives called from compiled loops: the call goes straight to the native when the
; global still holds it. Each way that must still work: a native that calls back into
; compiled code, an error raised by the native deep in a hot loop (caught, then not), a
; global rebound from a native to a procedure and back, a native that allocates a lot.
(import (scheme base) (scheme write) (scheme char))

(define (count-char s ch)
  (let loop ((i 0) (n 0))
    (if (= i (string-length s))
        n
        (loop (+ i 1) (if (char=? (string-ref s i) ch) (+ n 1) n)))))

(define (sum-squares lst)
  (apply + (map (lambda (x) (* x x)) lst)))

(define (build n)
  (let loop ((i 0) (acc '()))
    (if (= i n) acc (loop (+ i 1) (cons (number->string i) acc)))))

(define text (make-string 20000 #\a))
(set! text (string-append (substring text 0 7) "b" (substring text 8 20000)))
(display (count-char text #\a)) (newline)
(display (let loop ((k 0) (t 0)) (if (= k 3000) t (loop (+ k 1) (+ t (sum-squares '(1 2 3)))))))
(newline)
(display (length (build 30000))) (newline)
(define (safe-ref s i)
  (guard (e ((error-object? e) (error-object-message e)))
    (string-ref s i)))
(display (let loop ((i 0) (last #f)) (if (= i 20010) last (loop (+ i 1) (safe-ref text i)))))
(newline)
(define (twice-len s) (* 2 (string-length s)))
(display (let loop ((i 0) (t 0)) (if (= i 5000) t (loop (+ i 1) (+ t (twice-len "abc"))))))
(newline)
(set! string-length (lambda (s) 100))
(display (let loop ((i 0) (t 0)) (if (= i 5000) t (loop (+ i 1) (+ t (twice-len "abc"))))))
(newline)
(display (count-char "zz" #\z)) (newline)
(string-ref text 20000)
