(import (scheme base) (scheme write))
;; JIT: deep non-tail recursion, 100,000 frames (see jit_deep_recursion_million.scm for 999,000)

;; build a list recursively and sum it recursively
(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))
(define (sum-list l) (if (null? l) 0 (+ (car l) (sum-list (cdr l)))))
(define (len l) (if (null? l) 0 (+ 1 (len (cdr l)))))
(write (list (sum-list (build 10)) (len (build 10)))) (newline)
(define big (build 100000))
(write (list (sum-list big) (len big) (car big) (list-ref big 99999))) (newline)


;; float results through deep recursion
(define (harmonic n) (if (= n 0) 0.0 (+ (/ 1.0 n) (harmonic (- n 1)))))
(write (list (harmonic 1) (harmonic 2) (harmonic 4))) (newline)
(define h (harmonic 100000))
(write (and (> h 12.09) (< h 12.1))) (newline)

;; a recursive map and append over 100,000 elements
(define (my-map f l) (if (null? l) '() (cons (f (car l)) (my-map f (cdr l)))))
(define (my-append a b) (if (null? a) b (cons (car a) (my-append (cdr a) b))))
(define doubled (my-map (lambda (x) (* 2 x)) big))
(write (list (car doubled) (sum-list doubled) (len (my-append big doubled)))) (newline)

;; a tree recursion with deep left spines
(define (make-tree n) (if (= n 0) '() (list (make-tree (- n 1)) n)))
(define (tree-sum t) (if (null? t) 0 (+ (cadr t) (tree-sum (car t)))))
(write (tree-sum (make-tree 100000))) (newline)
