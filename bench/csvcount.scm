;; csvcount: CSV-like lines. Each round builds n lines of 5 comma-separated fields (a tag from a
;; table of 8 and a number below 13, chosen by a Park-Miller generator; a row joined with
;; string-append), joins the lines with "\n" (through a string port), splits the text into
;; lines and each line into fields (string-ref and substring on each line: see split-line),
;; and counts each (column, field) pair in a string-keyed hash table ((bench strtab), SRFI 69)
;; keyed by "column:field". n = 20,000, 10 rounds. Prints the number of fields, of distinct keys
;; (summed over rounds), the count of "2:red7" (summed) and the total length of the lines.
;; Expected output: 1000000 5200 1851 6905764
(import (scheme base) (scheme write) (bench strtab))

(define tags (vector "red" "green" "blue" "cyan" "magenta" "yellow" "black" "white"))

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

;; The whole text is cut into lines through string->vector (string-ref on a long string
;; counts its characters at each call); a line is short, so its fields are cut with
;; string-ref and substring.
(define (split-text s ch)
  (let* ((v (string->vector s))
         (n (vector-length v)))
    (let loop ((i 0) (start 0) (acc '()))
      (cond ((= i n) (reverse (cons (vector->string v start n) acc)))
            ((char=? (vector-ref v i) ch)
             (loop (+ i 1) (+ i 1) (cons (vector->string v start i) acc)))
            (else (loop (+ i 1) start acc))))))

(define (split-line s ch)
  (let ((n (string-length s)))
    (let loop ((i 0) (start 0) (acc '()))
      (cond ((= i n) (reverse (cons (substring s start n) acc)))
            ((char=? (string-ref s i) ch)
             (loop (+ i 1) (+ i 1) (cons (substring s start i) acc)))
            (else (loop (+ i 1) start acc))))))

(define (make-row seed)
  ;; Five fields from the generator: returns the row's text and the next seed.
  (let loop ((j 0) (seed seed) (fields '()))
    (if (= j 5)
        (values (join (reverse fields) ",") seed)
        (let ((seed (modulo (* seed 16807) 2147483647)))
          (loop (+ j 1) seed
                (cons (string-append (vector-ref tags (modulo seed 8))
                                     (number->string (modulo seed 13)))
                      fields))))))

(define (run n rounds)
  (let loop ((r 0) (seed 7) (fields 0) (distinct 0) (probe 0) (total 0))
    (if (= r rounds)
        (begin
          (display fields) (display " ") (display distinct) (display " ")
          (display probe) (display " ") (display total) (newline))
        (let make-lines ((i 0) (seed seed) (lines '()))
          (if (< i n)
              (call-with-values (lambda () (make-row seed))
                (lambda (row seed) (make-lines (+ i 1) seed (cons row lines))))
              (let ((counts (st-make)))
                (let each-line ((ls (split-text (join (reverse lines) "\n") #\newline))
                                (fields fields) (distinct distinct) (total total))
                  (if (null? ls)
                      (loop (+ r 1) seed fields distinct
                            (+ probe (st-ref counts "2:red7" 0)) total)
                      (let each-field ((fs (split-line (car ls) #\,)) (col 0)
                                       (fields fields) (distinct distinct))
                        (if (null? fs)
                            (each-line (cdr ls) fields distinct
                                       (+ total (string-length (car ls))))
                            (let* ((key (string-append (number->string col) ":" (car fs)))
                                   (c (st-ref counts key 0)))
                              (st-set! counts key (+ c 1))
                              (each-field (cdr fs) (+ col 1) (+ fields 1)
                                          (if (= c 0) (+ distinct 1) distinct)))))))))))))

(run 20000 10)
