; Strings indexed by character: string-ref, string-length, substring, string-copy,
; string->list, string->vector and write-string with ranges, on ASCII, non-ASCII (é, emoji,
; CJK), mixed and empty strings, short (kept inline) and long (indexed through marks every
; 16 characters), and the out-of-range errors.
(import (scheme base) (scheme write) (scheme char))

(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define (try thunk)
  (guard (e ((error-object? e) (error-object-message e)))
    (thunk)))

(define (repeat s n)
  (let loop ((i 0) (acc ""))
    (if (= i n) acc (loop (+ i 1) (string-append acc s)))))

;; The characters of s, read with string-ref backwards then forwards, back into a string.
(define (rebuild s)
  (let ((n (string-length s)))
    (let loop ((i (- n 1)) (acc '()))
      (if (< i 0)
          (list->string acc)
          (loop (- i 1) (cons (string-ref s i) acc))))))

;; Every substring of length k, joined: checks the bounds at every position.
(define (windows s k)
  (let loop ((i 0) (acc '()))
    (if (> (+ i k) (string-length s))
        (length acc)
        (loop (+ i 1) (cons (substring s i (+ i k)) acc)))))

(define short-ascii "hello")
(define short-wide "héllo😀日本")
(define long-ascii (repeat "abcdefghij" 7))
(define long-wide (repeat "aé😀日" 25))
(define tail-wide (string-append (make-string 40 #\q) "é"))
(define head-wide (string-append "😀" (make-string 40 #\q)))

(for-each
 (lambda (s)
   (show (string-length s) (equal? (rebuild s) s) (windows s 3) (windows s 17)))
 (list "" short-ascii short-wide long-ascii long-wide tail-wide head-wide))

(show (string-ref short-wide 1) (string-ref short-wide 5) (string-ref short-wide 7))
(show (string-ref long-wide 0) (string-ref long-wide 1) (string-ref long-wide 2)
      (string-ref long-wide 3) (string-ref long-wide 99) (string-ref long-wide 64))
(show (string-ref tail-wide 40) (string-ref tail-wide 39) (string-ref head-wide 0)
      (string-ref head-wide 40))
(show (substring long-wide 14 19) (substring long-wide 95 100) (substring long-wide 100 100))
(show (string-copy long-wide 97) (string-copy long-wide 30 34) (string-copy short-wide 5))
(show (substring tail-wide 38 41) (string-copy head-wide 0 2))
(show (string->list long-wide 96) (string->vector short-wide 4 7))
(write-string long-wide (current-output-port) 60 66) (newline)
(write-string short-wide (current-output-port) 1 2) (newline)
(show (string-length (substring long-wide 1 99)) (string-length (string-copy long-wide 50)))
(show (substring "" 0 0) (string-copy "") (string->list ""))
(show (string=? (substring long-wide 0 100) long-wide)
      (string=? (string-append (substring long-wide 0 50) (substring long-wide 50 100)) long-wide))
(show (char-upcase (string-ref short-wide 1)) (char->integer (string-ref long-wide 2)))

;; Errors: the index checked against the length in characters.
(show (try (lambda () (string-ref "" 0))))
(show (try (lambda () (string-ref short-wide 8))))
(show (try (lambda () (string-ref short-wide -1))))
(show (try (lambda () (string-ref long-wide 100))))
(show (try (lambda () (string-ref long-ascii 70))))
(show (try (lambda () (string-ref long-wide 1.5))))
(show (try (lambda () (substring long-wide 0 101))))
(show (try (lambda () (substring long-wide 60 50))))
(show (try (lambda () (string-copy short-wide 9))))
(show (try (lambda () (string->list long-wide 0 200))))
(show (try (lambda () (write-string long-wide (current-output-port) 99 101))))
