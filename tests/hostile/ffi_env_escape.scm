;; args: --sandbox
;; exit: 4
;; error: capability denied: env
(display (ffi-call (quote env) "HOME"))
