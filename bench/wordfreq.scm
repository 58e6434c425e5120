;; wordfreq: string splitting and building. Each round makes n words (a vocabulary word plus a
;; number, chosen by a Park-Miller generator) in a list, joins them with " " (through a string
;; port), splits the text on #\space (vector-ref and vector->string on string->vector: see
;; split), counts the words in a string-keyed hash table ((bench strtab), SRFI 69), and joins
;; the words "alpha0".."alpha96" that occur with ",". n = 100,000, 40 rounds. Prints the number
;; of words, of distinct words (summed over rounds), the count of "beta7" (summed) and the total
;; length of the texts.
;; Expected output: 4000000 62080 2518 28617499
(import (scheme base) (scheme write) (bench strtab))

(define vocab
  (vector "alpha" "beta" "gamma" "delta" "epsilon" "zeta" "eta" "theta"
          "iota" "kappa" "lambda" "mu" "nu" "xi" "omicron" "pi"))

(define (join strs sep)
  (let ((port (open-output-string)))
    (unless (null? strs)
      (write-string (car strs) port)
      (let loop ((l (cdr strs)))
        (unless (null? l)
          (write-string sep port)
          (write-string (car l) port)
          (loop (cdr l)))))
    (get-output-string port)))

(define (split s ch)
  ;; Scans (string->vector s) and cuts words with vector->string: tandem's string-ref and
  ;; substring take time proportional to the whole string's length (each call checks the
  ;; string for non-ASCII), so the same loop on the string itself would be quadratic.
  (let* ((v (string->vector s))
         (n (vector-length v)))
    (let loop ((i 0) (start 0) (acc '()))
      (cond ((= i n) (reverse (cons (vector->string v start n) acc)))
            ((char=? (vector-ref v i) ch)
             (loop (+ i 1) (+ i 1) (cons (vector->string v start i) acc)))
            (else (loop (+ i 1) start acc))))))

(define (run n rounds)
  (let loop ((r 0) (seed 42) (words 0) (distinct 0) (probe 0) (total-len 0))
    (if (= r rounds)
        (begin
          (display words) (display " ") (display distinct) (display " ")
          (display probe) (display " ") (display total-len) (newline))
        (let make-parts ((i 0) (seed seed) (parts '()))
          (if (< i n)
              (let ((seed (modulo (* seed 16807) 2147483647)))
                (make-parts (+ i 1) seed
                            (cons (string-append (vector-ref vocab (modulo seed 16))
                                                 (number->string (modulo seed 97)))
                                  parts)))
              (let* ((text (join (reverse parts) " "))
                     (ws (split text #\space))
                     (counts (st-make))
                     (nd (let count ((l ws) (nd 0))
                           (if (null? l)
                               nd
                               (let* ((w (car l))
                                      (c (st-ref counts w #f)))
                                 (if c
                                     (begin (st-set! counts w (+ c 1)) (count (cdr l) nd))
                                     (begin (st-set! counts w 1) (count (cdr l) (+ nd 1))))))))
                     (alphas (let collect ((j 0) (acc '()))
                               (if (= j 97)
                                   (reverse acc)
                                   (let ((key (string-append "alpha" (number->string j))))
                                     (collect (+ j 1)
                                              (if (st-ref counts key #f) (cons key acc) acc))))))
                     (joined (join alphas ",")))
                (loop (+ r 1) seed
                      (+ words (length ws))
                      (+ distinct nd)
                      (+ probe (st-ref counts "beta7" 0))
                      (+ total-len (string-length text) (string-length joined)))))))))

(run 100000 40)
