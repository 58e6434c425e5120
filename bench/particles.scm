;; particles: records and the procedures that act on them (the methods of particles.ruff).
;; Particles (a record type with x, y, vx, vy) get (particle-step! p dt) every step (gravity,
;; move, bounce off the floor and the walls of a 100-wide box, losing a little speed) and then
;; (particle-energy p); a vec2 record type whose procedures return new records accumulates the
;; centre of mass. 1,000 particles, 2,500 steps. Prints floor(1000 x) of the last step's total
;; energy and of the centre of mass.
;; Expected output: 242283142 50017 14709
(import (scheme base) (scheme write))

(define-record-type vec2
  (make-vec2 x y)
  vec2?
  (x vec2-x)
  (y vec2-y))

(define (vec2-add a o)
  (make-vec2 (+ (vec2-x a) (vec2-x o)) (+ (vec2-y a) (vec2-y o))))

(define (vec2-scale a k)
  (make-vec2 (* (vec2-x a) k) (* (vec2-y a) k)))

(define-record-type particle
  (make-particle x y vx vy)
  particle?
  (x particle-x set-particle-x!)
  (y particle-y set-particle-y!)
  (vx particle-vx set-particle-vx!)
  (vy particle-vy set-particle-vy!))

(define (particle-step! p dt)
  (set-particle-vy! p (- (particle-vy p) (* 9.81 dt)))
  (set-particle-x! p (+ (particle-x p) (* (particle-vx p) dt)))
  (set-particle-y! p (+ (particle-y p) (* (particle-vy p) dt)))
  (when (< (particle-y p) 0.0)
    (set-particle-y! p (- (particle-y p)))
    (set-particle-vy! p (* (- (particle-vy p)) 0.99)))
  (cond ((< (particle-x p) 0.0)
         (set-particle-x! p (- (particle-x p)))
         (set-particle-vx! p (* (- (particle-vx p)) 0.99)))
        ((> (particle-x p) 100.0)
         (set-particle-x! p (- 200.0 (particle-x p)))
         (set-particle-vx! p (* (- (particle-vx p)) 0.99)))))

(define (particle-energy p)
  (+ (* 0.5 (+ (* (particle-vx p) (particle-vx p)) (* (particle-vy p) (particle-vy p))))
     (* 9.81 (particle-y p))))

(define (particle-pos p)
  (make-vec2 (particle-x p) (particle-y p)))

(define (run n steps)
  (let ((ps (make-vector n)))
    (do ((i 0 (+ i 1))) ((= i n))
      (vector-set! ps i (make-particle (* (modulo i 100) 1.0)
                                       (+ 10.0 (* (modulo i 7) 5.0))
                                       (- (* (modulo i 11) 1.5) 7.5)
                                       (* (modulo i 5) 2.0))))
    (let loop ((s 0) (e 0.0) (c (make-vec2 0.0 0.0)))
      (if (= s steps)
          (let ((c (vec2-scale c (/ 1.0 n))))
            (display (exact (floor (* e 1000.0)))) (display " ")
            (display (exact (floor (* (vec2-x c) 1000.0)))) (display " ")
            (display (exact (floor (* (vec2-y c) 1000.0)))) (newline))
          (let inner ((i 0) (e 0.0) (c (make-vec2 0.0 0.0)))
            (if (= i n)
                (loop (+ s 1) e c)
                (let ((p (vector-ref ps i)))
                  (particle-step! p 0.01)
                  (inner (+ i 1) (+ e (particle-energy p)) (vec2-add c (particle-pos p))))))))))

(run 1000 2500)
