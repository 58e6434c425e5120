(import (scheme base) (scheme write))
(with-exception-handler
  (lambda (e) (display "handler ran") (newline) (error "handler gave up" (error-object-message e)))
  (lambda () (error "original problem")))
