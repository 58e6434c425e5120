;;; The Scheme prelude: the library procedures that call back into script code, written
;;; on top of the natives in crates/vm/src/builtins/scheme/. Loaded in the "scheme"
;;; namespace a top-level form at a time: before a .scm / .jue unit runs, the forms providing
;;; the globals it names, and the forms those name (crates/tandem/src/prelude.rs; build.rs
;;; indexes this file). A form provides the names it defines and those it `set!`s outside
;;; any lambda; so a form's load-time effects on globals must be written that way (not in a
;;; procedure called while it loads), and a form that provides nothing runs with the first
;;; Scheme code.
;;;
;;; Only core syntax is used here: define lambda if let cond begin set! quote, plus `guard`
;;; in exactly one place (`%catch`) and `apply`. Names starting with % are internal.

;;; ---------------------------------------------------------------------------------------
;;; The one primitive catch. (%catch thunk handler) calls (thunk); if anything is raised
;;; inside it -- a raised object, an error object, a native's error, or a call/cc escape --
;;; it unwinds and returns (handler obj). It MUST catch everything, escapes included.

(define (%catch thunk handler)
  (guard (%e (#t (handler %e)))
    (thunk)))

;;; ---------------------------------------------------------------------------------------
;;; apply as a procedure value: (apply f a b '(c d)) calls (f a b c d). The expander lowers a
;;; direct (apply f lst) call to the VM's list call; this is for `apply` used as a value.

(define (apply f . args)
  (apply f (apply %list* args)))

;;; ---------------------------------------------------------------------------------------
;;; Lists

(define (%map1 f lst)
  (if (null? lst)
      '()
      (let ((head (cons (f (car lst)) '())))
        (let loop ((tail head) (l (cdr lst)))
          (if (null? l)
              head
              (let ((cell (cons (f (car l)) '())))
                (set-cdr! tail cell)
                (loop cell (cdr l))))))))

(define (%any-null? lists)
  (if (null? lists)
      #f
      (if (null? (car lists)) #t (%any-null? (cdr lists)))))

(define (%cars lists) (%map1 car lists))
(define (%cdrs lists) (%map1 cdr lists))

(define (map f lst . more)
  (if (null? more)
      (%map1 f lst)
      (let loop ((lists (cons lst more)) (acc '()))
        (if (%any-null? lists)
            (reverse acc)
            (loop (%cdrs lists) (cons (apply f (%cars lists)) acc))))))

(define (for-each f lst . more)
  (if (null? more)
      (let loop ((l lst))
        (if (null? l)
            #t
            (begin (f (car l)) (loop (cdr l)))))
      (let loop ((lists (cons lst more)))
        (if (%any-null? lists)
            #t
            (begin (apply f (%cars lists)) (loop (%cdrs lists)))))))

(define (append-map f lst . more)
  (apply append (apply map f lst more)))

(define (filter pred lst)
  (let loop ((l lst) (acc '()))
    (cond ((null? l) (reverse acc))
          ((pred (car l)) (loop (cdr l) (cons (car l) acc)))
          (else (loop (cdr l) acc)))))

(define (remove pred lst)
  (filter (lambda (x) (if (pred x) #f #t)) lst))

(define (partition pred lst)
  (let loop ((l lst) (in '()) (out '()))
    (cond ((null? l) (values (reverse in) (reverse out)))
          ((pred (car l)) (loop (cdr l) (cons (car l) in) out))
          (else (loop (cdr l) in (cons (car l) out))))))

(define (filter-map f lst)
  (let loop ((l lst) (acc '()))
    (if (null? l)
        (reverse acc)
        (let ((v (f (car l))))
          (loop (cdr l) (if v (cons v acc) acc))))))

;; SRFI-1: (fold kons knil lst ...) calls (kons elem ... acc).
(define (fold kons knil lst . more)
  (if (null? more)
      (let loop ((l lst) (acc knil))
        (if (null? l) acc (loop (cdr l) (kons (car l) acc))))
      (let loop ((lists (cons lst more)) (acc knil))
        (if (%any-null? lists)
            acc
            (loop (%cdrs lists) (apply kons (append (%cars lists) (list acc))))))))

(define (fold-left f acc lst . more)
  (if (null? more)
      (let loop ((l lst) (acc acc))
        (if (null? l) acc (loop (cdr l) (f acc (car l)))))
      (let loop ((lists (cons lst more)) (acc acc))
        (if (%any-null? lists)
            acc
            (loop (%cdrs lists) (apply f acc (%cars lists)))))))

(define (fold-right f acc lst . more)
  (if (null? more)
      (let loop ((l (reverse lst)) (acc acc))
        (if (null? l) acc (loop (cdr l) (f (car l) acc))))
      (let loop ((lists (map reverse (cons lst more))) (acc acc))
        (if (%any-null? lists)
            acc
            (loop (%cdrs lists) (apply f (append (%cars lists) (list acc))))))))

;; SRFI-1: (reduce f ridentity lst): (f elem acc), starting from the first element.
(define (reduce f ridentity lst)
  (if (null? lst)
      ridentity
      (fold f (car lst) (cdr lst))))

(define (reduce-right f ridentity lst)
  (if (null? lst)
      ridentity
      (let loop ((l (reverse lst)))
        (if (null? (cdr l))
            (car l)
            (f (car (cdr l)) (loop (cdr l)))))))

(define (find pred lst)
  (cond ((null? lst) #f)
        ((pred (car lst)) (car lst))
        (else (find pred (cdr lst)))))

(define (find-tail pred lst)
  (cond ((null? lst) #f)
        ((pred (car lst)) lst)
        (else (find-tail pred (cdr lst)))))

(define (any pred lst)
  (if (null? lst)
      #f
      (let ((v (pred (car lst))))
        (if v v (any pred (cdr lst))))))

(define (every pred lst)
  (if (null? lst)
      #t
      (let loop ((l lst))
        (let ((v (pred (car l))))
          (cond ((null? (cdr l)) v)
                (v (loop (cdr l)))
                (else #f))))))

(define (count pred lst)
  (let loop ((l lst) (n 0))
    (if (null? l) n (loop (cdr l) (if (pred (car l)) (+ n 1) n)))))

(define (list-index pred lst)
  (let loop ((l lst) (i 0))
    (cond ((null? l) #f)
          ((pred (car l)) i)
          (else (loop (cdr l) (+ i 1))))))

(define (delete! x lst) (delete x lst))

;; member and assoc with an optional equality predicate.
(define member
  (let ((native-member member))
    (lambda (x lst . pred)
      (if (null? pred)
          (native-member x lst)
          (let ((same? (car pred)))
            (find-tail (lambda (y) (same? x y)) lst))))))

(define assoc
  (let ((native-assoc assoc))
    (lambda (x alist . pred)
      (if (null? pred)
          (native-assoc x alist)
          (let ((same? (car pred)))
            (find (lambda (entry) (same? x (car entry))) alist))))))

;; A stable merge sort: (sort list less?) and (list-sort less? list). The merge and
;; list-head loop in constant stack (they build their result front to back with set-cdr! on
;; cells they just made), so only the halving recursion, log2 n deep, uses the stack.
(define (%merge a b less?)
  (let ((head (cons #f '())))
    (let loop ((tail head) (a a) (b b))
      (cond ((null? a) (set-cdr! tail b) (cdr head))
            ((null? b) (set-cdr! tail a) (cdr head))
            ((less? (car b) (car a))
             (let ((cell (cons (car b) '())))
               (set-cdr! tail cell)
               (loop cell a (cdr b))))
            (else
             (let ((cell (cons (car a) '())))
               (set-cdr! tail cell)
               (loop cell (cdr a) b)))))))

(define (%sort lst less?)
  (let ((n (length lst)))
    (if (< n 2)
        lst
        (let ((half (quotient n 2)))
          (%merge (%sort (list-head lst half) less?)
                  (%sort (list-tail lst half) less?)
                  less?)))))

(define (list-head lst k)
  (let ((head (cons #f '())))
    (let loop ((tail head) (l lst) (k k))
      (if (= k 0)
          (cdr head)
          (let ((cell (cons (car l) '())))
            (set-cdr! tail cell)
            (loop cell (cdr l) (- k 1)))))))

(define (sort seq less?)
  (if (vector? seq)
      (list->vector (%sort (vector->list seq) less?))
      (%sort seq less?)))

(define (list-sort less? lst) (%sort lst less?))

;;; ---------------------------------------------------------------------------------------
;;; Vectors and strings

(define (vector-map f v . more)
  (list->vector (apply map f (vector->list v) (map vector->list more))))

(define (vector-for-each f v . more)
  (apply for-each f (vector->list v) (map vector->list more)))

(define (string-map f s . more)
  (list->string (apply map f (string->list s) (map string->list more))))

(define (string-for-each f s . more)
  (apply for-each f (string->list s) (map string->list more)))

(define (string-count s pred)
  (count pred (string->list s)))

;;; ---------------------------------------------------------------------------------------
;;; Multiple values

(define (call-with-values producer consumer)
  (apply consumer (%values->list (producer))))

(define %handlers '())
(define %last-raised #f)

;;; ---------------------------------------------------------------------------------------
;;; dynamic-wind and escaping continuations.
;;;
;;; `winders` is the list of active (before . after) pairs, innermost first. An escape
;;; procedure runs the `after` thunks between where it is called and where its call/cc was
;;; entered, then raises an escape object that the call/cc's %catch recognises by its tag.
;;; dynamic-wind also runs `after` when an ordinary exception unwinds through it (and then
;;; re-raises); escapes pass through it untouched since their `after`s already ran.

;; The winders list lives in this closure, not in a global: an `after` thunk (for instance
;; the one that restores capabilities after a Jue tier) must not be reachable by scripts.
(define dynamic-wind #f)
(define call-with-current-continuation #f)

(let ((winders '()))
  (define (unwind-to target)
    (if (if (eq? winders target) #f (pair? winders))
        (let ((w (car winders)))
          (set! winders (cdr winders))
          ((cdr w))
          (unwind-to target))
        #t))
  (set! dynamic-wind
        (lambda (before thunk after)
          (before)
          (let ((outer winders))
            (set! winders (cons (cons before after) outer))
            (let ((result
                   (%catch thunk
                           (lambda (e)
                             (if (%escape? e)
                                 (%raise e)
                                 (begin
                                   (set! winders outer)
                                   (after)
                                   (%raise e)))))))
              (set! winders outer)
              (after)
              result))))
  (set! call-with-current-continuation
        (lambda (f)
          (let ((tag (list 'continuation))
                (saved-winders winders)
                (saved-handlers %handlers))
            (%catch
             (lambda ()
               (f (lambda vals
                    (unwind-to saved-winders)
                    (set! %handlers saved-handlers)
                    (%raise (%make-escape tag vals)))))
             (lambda (e)
               (if (if (%escape? e) (eq? (%escape-tag e) tag) #f)
                   (%escape-values e)
                   (%raise e))))))))

(define call/cc call-with-current-continuation)

(define (call-with-escape-continuation f) (call-with-current-continuation f))

;;; ---------------------------------------------------------------------------------------
;;; Exceptions.
;;;
;;; %handlers is the stack of with-exception-handler handlers, innermost first. raise and
;;; raise-continuable call the innermost handler in the dynamic environment of the raise,
;;; minus that handler. With no handler installed they unwind to the nearest guard (or end
;;; the program) through the native %raise. %last-raised remembers the object last sent to
;;; %raise, so that with-exception-handler can tell an error raised by a native (which never
;;; went through `raise`, e.g. (car '())) from one that already visited the handlers.


(define (%throw obj)
  (set! %last-raised obj)
  (%raise obj))

(define (%with-outer-handlers thunk)
  (let ((saved %handlers))
    (dynamic-wind
     (lambda () (set! %handlers (cdr saved)))
     thunk
     (lambda () (set! %handlers saved)))))

(define (raise obj)
  (if (null? %handlers)
      (%throw obj)
      (let ((handler (car %handlers)))
        (%with-outer-handlers
         (lambda ()
           (handler obj)
           (raise (%make-error-object "exception handler returned" (list obj))))))))

(define (raise-continuable obj)
  (if (null? %handlers)
      (%throw obj)
      (let ((handler (car %handlers)))
        (%with-outer-handlers (lambda () (handler obj))))))

(define (error message . irritants)
  (raise (%make-error-object message irritants)))

(define (with-exception-handler handler thunk)
  (let ((outer %handlers))
    (%catch
     (lambda ()
       (dynamic-wind
        (lambda () (set! %handlers (cons handler outer)))
        thunk
        (lambda () (set! %handlers outer))))
     (lambda (e)
       (cond ((%escape? e) (%raise e))
             ((eq? e %last-raised) (%raise e))
             (else
              ;; An error raised by a native: the handlers never saw it.
              (set! %last-raised e)
              (handler e)
              (raise (%make-error-object "exception handler returned" (list e)))))))))

;; For the expander's `guard`: run (thunk) with no with-exception-handler handlers visible,
;; since a guard inside a with-exception-handler must see a raise first.
(define (%guard-body thunk)
  (let ((saved %handlers))
    (dynamic-wind
     (lambda () (set! %handlers '()))
     thunk
     (lambda () (set! %handlers saved)))))

;;; ---------------------------------------------------------------------------------------
;;; Parameters: a parameter is a procedure; (p) is its value. parameterize is lowered to
;;; (%parameterize (list p ...) (list v ...) (lambda () body ...)).

(define %param-tag (list 'parameter))

(define (make-parameter init . converter)
  (let ((convert (if (null? converter) (lambda (x) x) (car converter))))
    (let ((value (convert init)))
      (lambda args
        (cond ((null? args) value)
              ((eq? (car args) %param-tag)
               (if (eq? (car (cdr args)) 'convert)
                   (convert (car (cdr (cdr args))))
                   (set! value (car (cdr (cdr args))))))
              (else (set! value (car args))))))))

(define (%parameterize params vals thunk)
  (let ((new (map (lambda (p v) (p %param-tag 'convert v)) params vals))
        (old '()))
    (dynamic-wind
     (lambda ()
       (set! old (map (lambda (p) (p)) params))
       (for-each (lambda (p v) (p %param-tag 'set v)) params new))
     thunk
     (lambda ()
       (set! new (map (lambda (p) (p)) params))
       (for-each (lambda (p v) (p %param-tag 'set v)) params old)))))

;;; ---------------------------------------------------------------------------------------
;;; Promises (R7RS reference implementation). (delay e) is lowered to
;;; (%delay (lambda () e)), (delay-force e) to (%delay-force (lambda () e)).

(define (%delay-force thunk) (%make-promise #f thunk))

(define (%delay thunk)
  (%make-promise #f (lambda () (%make-promise #t (thunk)))))

(define (force p)
  (if (promise? p)
      (let ((b (%promise-box p)))
        (if (car b)
            (cdr b)
            (let ((p2 ((cdr b))))
              (if (car (%promise-box p))
                  (cdr (%promise-box p))
                  (begin
                    (%promise-update! p2 p)
                    (force p))))))
      p))

;;; ---------------------------------------------------------------------------------------
;;; SRFI-69 hash table procedures that take procedures, on top of the natives.

;; A value no table holds: what hash-table-ref/default returns for a missing key.
(define %table-missing (list 'missing))

(define (hash-table-ref table key . thunk)
  (let ((v (hash-table-ref/default table key %table-missing)))
    (if (eq? v %table-missing)
        (if (pair? thunk)
            ((car thunk))
            (error "hash-table-ref: no value for key" key))
        v)))

(define (hash-table-update! table key proc . thunk)
  (hash-table-set! table key (proc (apply hash-table-ref table key thunk))))

(define (hash-table-update!/default table key proc default)
  (hash-table-set! table key (proc (hash-table-ref/default table key default))))

(define (hash-table-walk table proc)
  (for-each (lambda (entry) (proc (car entry) (cdr entry))) (hash-table->alist table)))

(define (hash-table-fold table kons knil)
  (fold (lambda (entry acc) (kons (car entry) (cdr entry) acc)) knil (hash-table->alist table)))

(define (hash-table-copy table . mutable)
  (let ((copy (make-hash-table)))
    (hash-table-walk table (lambda (k v) (hash-table-set! copy k v)))
    copy))

;;; ---------------------------------------------------------------------------------------
;;; Jue tiers: (%with-tier 'formal thunk) runs (thunk) with the capabilities narrowed to the
;;; tier's preset, and restores them however the thunk exits. The capability natives are
;;; captured here and unbound in the same definition, so that scripts cannot re-grant
;;; themselves capabilities: a program that names one loads this definition first.

(define %with-tier
  (let ((narrow %caps-narrow) (set-caps %caps-set))
    (set! %caps-narrow #f)
    (set! %caps-set #f)
    (lambda (tier thunk)
      (let ((saved #f))
        (dynamic-wind
         (lambda () (set! saved (narrow tier)))
         thunk
         (lambda () (set-caps saved)))))))
