;; Record procedures redefined after `define-record-type` (with `define` and with `set!`):
;; calls made after the new definition reach it, from the top level and from procedures
;; defined before.
(import (scheme base) (scheme write))

(define-record-type point (make-point x y) point? (x point-x set-point-x!) (y point-y set-point-y!))

(define (show-x p) (point-x p))
(define (show-y p) (point-y p))
(define (bump! p) (set-point-x! p 100))
(define (is-point? v) (point? v))

(define p (make-point 1 2))
(display (list (show-x p) (show-y p) (point-x p) (is-point? p)))
(newline)

(define orig-x point-x)
(define orig-y point-y)
(define (point-x p) (list 'new-x (point-y p)))
(set! point-y (lambda (p) 'new-y))
(set! set-point-x! (lambda (p v) (set-point-y! p v)))
(define (point? v) 'never)

(display (list (show-x p) (show-y p) (point-x p) (point-y p) (is-point? p) (point? 3)))
(newline)
(bump! p)
(display (list (orig-x p) (orig-y p)))
(newline)
(display (map point-x (list p)))
(newline)
(display (show-x 'anything))
(newline)
