;; Imported as modules/shapes.ss by interop_ss_module.ruff: .ss is a Scheme extension too.
(define (area w h) (* w h))
