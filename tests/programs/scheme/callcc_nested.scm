(import (scheme base) (scheme write))
(define (deep n k)
  (if (= n 0)
      (k 'escaped-from-bottom)
      (list 'level n (deep (- n 1) k))))
(write (call/cc (lambda (k) (deep 100 k)))) (newline)
(define (tree-find pred tree)
  (call/cc
    (lambda (found)
      (let walk ((t tree))
        (cond ((null? t) #f)
              ((pair? t) (walk (car t)) (walk (cdr t)))
              ((pred t) (found t))
              (else #f)))
      'not-found)))
(write (tree-find (lambda (x) (and (number? x) (> x 10))) '(1 (2 (3 42) 5) 99))) (newline)
(write (tree-find string? '(1 (2 (3 4))))) (newline)
(define (outer)
  (call/cc
    (lambda (outer-k)
      (list 'outer-list
            (call/cc
              (lambda (inner-k)
                (outer-k 'jumped-over-inner)))))))
(write (outer)) (newline)
(define (inner-only)
  (call/cc
    (lambda (outer-k)
      (list 'kept
            (call/cc (lambda (inner-k) (inner-k 'inner-value)))))))
(write (inner-only)) (newline)
(define saved-k #f)
(define (collect lst)
  (call/cc
    (lambda (k)
      (map (lambda (x) (if (negative? x) (k (list 'negative x)) (* x 2))) lst))))
(write (collect '(1 2 3))) (newline)
(write (collect '(1 -2 3))) (newline)
