;; interp: a bytecode interpreter for a tiny stack machine, written in Scheme. The program (a
;; vector of ints) runs the loop
;;   s = 0; i = 0; while i < n { s = (s + i * i) % 1000003; i = i + 1 }
;; with n = 2,000,000 in register 2; the interpreter dispatches with a cond chain (the same
;; order as the Ruff and Lua if chains), its state pc, sp and steps in a named let. Prints s,
;; the number of instructions executed and the final stack depth.
;; Opcodes: 0 PUSH k, 1 LOAD r, 2 STORE r, 3 ADD, 4 SUB, 5 MUL, 6 MOD, 7 LT, 8 JZ addr,
;; 9 JMP addr, 10 HALT. Addresses are offsets into the code.
;; Expected output: 999912 34000010 1
(import (scheme base) (scheme write))

(define (execute code regs)
  (let ((stack (make-vector 16 0)))
    (let loop ((pc 0) (sp -1) (steps 0))
      (let ((op (vector-ref code pc))
            (steps (+ steps 1)))
        (cond
         ((= op 1)
          (let ((sp (+ sp 1)))
            (vector-set! stack sp (vector-ref regs (vector-ref code (+ pc 1))))
            (loop (+ pc 2) sp steps)))
         ((= op 0)
          (let ((sp (+ sp 1)))
            (vector-set! stack sp (vector-ref code (+ pc 1)))
            (loop (+ pc 2) sp steps)))
         ((= op 2)
          (vector-set! regs (vector-ref code (+ pc 1)) (vector-ref stack sp))
          (loop (+ pc 2) (- sp 1) steps))
         ((= op 3)
          (let ((sp (- sp 1)))
            (vector-set! stack sp (+ (vector-ref stack sp) (vector-ref stack (+ sp 1))))
            (loop (+ pc 1) sp steps)))
         ((= op 4)
          (let ((sp (- sp 1)))
            (vector-set! stack sp (- (vector-ref stack sp) (vector-ref stack (+ sp 1))))
            (loop (+ pc 1) sp steps)))
         ((= op 5)
          (let ((sp (- sp 1)))
            (vector-set! stack sp (* (vector-ref stack sp) (vector-ref stack (+ sp 1))))
            (loop (+ pc 1) sp steps)))
         ((= op 6)
          (let ((sp (- sp 1)))
            (vector-set! stack sp (modulo (vector-ref stack sp) (vector-ref stack (+ sp 1))))
            (loop (+ pc 1) sp steps)))
         ((= op 7)
          (let ((sp (- sp 1)))
            (if (< (vector-ref stack sp) (vector-ref stack (+ sp 1)))
                (vector-set! stack sp 1)
                (vector-set! stack sp 0))
            (loop (+ pc 1) sp steps)))
         ((= op 8)
          (let ((v (vector-ref stack sp)))
            (if (= v 0)
                (loop (vector-ref code (+ pc 1)) (- sp 1) steps)
                (loop (+ pc 2) (- sp 1) steps))))
         ((= op 9)
          (loop (vector-ref code (+ pc 1)) sp steps))
         (else
          (display (vector-ref stack sp)) (display " ") (display steps) (display " ")
          (display (+ sp 1)) (newline)))))))

(define (run n)
  (let ((code (vector
               0 0 2 0             ; 0: s = 0
               0 0 2 1             ; 4: i = 0
               1 1 1 2 7 8 37      ; 8: if not (i < n) goto 37
               1 0 1 1 1 1 5 3 0 1000003 6 2 0 ; 15: s = (s + i * i) % 1000003
               1 1 0 1 3 2 1       ; 28: i = i + 1
               9 8                 ; 35: goto 8
               1 0 10))            ; 37: push s; halt
        (regs (vector 0 0 n)))
    (execute code regs)))

(run 2000000)
