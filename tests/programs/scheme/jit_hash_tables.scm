(import (scheme base) (scheme write) (srfi 69))
;; JIT: SRFI-69 hash tables used in hot loops: counting, lookups with defaults,
;; updates, deletion, and missing keys caught

;; word counts over many rounds
(define text '(it was the best of times it was the worst of times it was the age of wisdom))
(define counts (make-hash-table))
(do ((round 0 (+ round 1))) ((= round 500))
  (for-each (lambda (w) (hash-table-update!/default counts w (lambda (n) (+ n 1)) 0)) text))
(define (sorted-counts h)
  (let insert-all ((keys (hash-table-keys h)) (out '()))
    (if (null? keys)
        out
        (insert-all (cdr keys)
                    (let ins ((l out))
                      (cond ((null? l) (list (cons (car keys) (hash-table-ref h (car keys)))))
                            ((string<? (symbol->string (car keys)) (symbol->string (caar l)))
                             (cons (cons (car keys) (hash-table-ref h (car keys))) l))
                            (else (cons (car l) (ins (cdr l))))))))))
(write (sorted-counts counts)) (newline)
(write (hash-table-size counts)) (newline)

;; integer keys: squares, read back with defaults
(define squares (make-hash-table eqv?))
(do ((k 0 (+ k 1))) ((= k 2000)) (hash-table-set! squares k (* k k)))
(define ssum
  (do ((k 0 (+ k 1))
       (s 0 (+ s (hash-table-ref/default squares (modulo k 2500) -1))))
      ((= k 20000) s)))
(write (list (hash-table-size squares) ssum)) (newline)

;; missing keys raise an error, caught in the loop
(define missing
  (do ((k 0 (+ k 1))
       (m 0 (+ m (guard (e (#t 1)) (hash-table-ref squares k) 0))))
      ((= k 3000) m)))
(write missing) (newline)

;; string keys built in the loop, and deletion of half of them
(define names (make-hash-table equal?))
(do ((k 0 (+ k 1))) ((= k 5000))
  (hash-table-set! names (string-append "key" (number->string (modulo k 1000))) k))
(write (list (hash-table-size names) (hash-table-ref/default names "key7" #f) (hash-table-ref/default names "key1000" 'none)))
(newline)
(do ((k 0 (+ k 1))) ((= k 1000))
  (when (odd? k) (hash-table-delete! names (string-append "key" (number->string k)))))
(write (list (hash-table-size names) (hash-table-exists? names "key2") (hash-table-exists? names "key3")))
(newline)
(write (hash-table-fold names (lambda (k v acc) (+ acc v)) 0)) (newline)

;; float values accumulated per key
(define sums (make-hash-table eqv?))
(do ((k 0 (+ k 1))) ((= k 20000))
  (hash-table-update!/default sums (modulo k 4) (lambda (s) (+ s (* k 0.5))) 0.0))
(write (map (lambda (key) (hash-table-ref sums key)) '(0 1 2 3))) (newline)
