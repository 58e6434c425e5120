(import (scheme base) (scheme write))
(display "raising") (newline)
(raise 'custom-condition-xyz)
