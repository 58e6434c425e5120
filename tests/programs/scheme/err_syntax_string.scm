(import (scheme base) (scheme write))
(display "never closed)
