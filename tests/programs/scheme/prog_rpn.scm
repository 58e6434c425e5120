(import (scheme base) (scheme write))
;; An RPN calculator reading tokens from strings.
(define (tokenize str)
  (let loop ((i 0) (start 0) (acc '()))
    (define (emit) (if (< start i) (cons (substring str start i) acc) acc))
    (cond ((= i (string-length str)) (reverse (emit)))
          ((eqv? (string-ref str i) #\space) (loop (+ i 1) (+ i 1) (emit)))
          (else (loop (+ i 1) start acc)))))
(define operators
  (list (cons "+" +) (cons "-" -) (cons "*" *)
        (cons "/" (lambda (a b) (if (= b 0) (raise 'division-by-zero) (quotient a b))))
        (cons "max" max)))
(define (rpn str)
  (let loop ((tokens (tokenize str)) (stack '()))
    (cond ((null? tokens)
           (if (= (length stack) 1)
               (car stack)
               (error "malformed expression" (length stack))))
          ((string->number (car tokens))
           => (lambda (n) (loop (cdr tokens) (cons n stack))))
          ((assoc (car tokens) operators)
           => (lambda (op)
                (when (< (length stack) 2) (error "stack underflow" (car tokens)))
                (loop (cdr tokens)
                      (cons ((cdr op) (cadr stack) (car stack)) (cddr stack)))))
          ((string=? (car tokens) "dup")
           (loop (cdr tokens) (cons (car stack) stack)))
          ((string=? (car tokens) "swap")
           (loop (cdr tokens) (cons (cadr stack) (cons (car stack) (cddr stack)))))
          (else (error "unknown token" (car tokens))))))
(define (calc str)
  (guard (e ((error-object? e)
             (string-append "error: " (error-object-message e)))
            ((symbol? e) (string-append "raised: " (symbol->string e))))
    (rpn str)))
(define inputs
  '("3 4 +"
    "5 1 2 + 4 * + 3 -"
    "2 3 4 * +"
    "10 2 /"
    "7 0 /"
    "1 +"
    "1 2 3"
    "6 dup *"
    "1 2 swap -"
    "4 foo"
    "  12   30   max  "
    "-5 3 *"))
(for-each (lambda (in)
            (write in)
            (display " -> ")
            (write (calc in))
            (newline))
          inputs)
(write (tokenize "a  bb ccc")) (newline)
