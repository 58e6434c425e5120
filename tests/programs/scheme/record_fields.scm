(import (scheme base) (scheme write))
(define-record-type node
  (make-node value next)
  node?
  (value node-value)
  (next node-next set-node-next!))
(define (list->nodes lst)
  (if (null? lst)
      '()
      (make-node (car lst) (list->nodes (cdr lst)))))
(define (nodes->list n)
  (if (null? n)
      '()
      (cons (node-value n) (nodes->list (node-next n)))))
(define chain (list->nodes '(a b c d)))
(write (nodes->list chain)) (newline)
(write (node-value (node-next chain))) (newline)
(set-node-next! chain '())
(write (nodes->list chain)) (newline)
(define-record-type pare
  (kons a d)
  pare?
  (a kar)
  (d kdr))
(define pr (kons 1 2))
(write (list (kar pr) (kdr pr) (pare? pr) (pare? (cons 1 2)))) (newline)
(define-record-type empty-rec
  (make-empty)
  empty?)
(write (empty? (make-empty))) (newline)
(define-record-type partial
  (make-partial a)
  partial?
  (a partial-a)
  (b partial-b set-partial-b!))
(define pp (make-partial 1))
(set-partial-b! pp 2)
(write (list (partial-a pp) (partial-b pp))) (newline)
(write (map node-value (list (make-node 1 '()) (make-node "two" '()) (make-node #\3 '())))) (newline)
