;; args: --timeout 0.5
;; error: timeout
;; within: 5
(define (spin i) (spin (+ i 1)))
(spin 0)
