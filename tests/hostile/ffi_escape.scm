;; args: --sandbox
;; exit: 4
;; error: capability denied: fs-read
(display (ffi-call "read_file" "/etc/hostname"))
