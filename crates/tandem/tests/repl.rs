//! `tandem repl`, driven with piped stdin (no terminal: no prompts, plain line reading).

mod common;

use common::{stderr, stdout, tandem_with_stdin};
use std::process::Output;

/// Run `tandem repl <args>` with `input` on stdin.
fn repl(args: &[&str], input: &str) -> Output {
    tandem_with_stdin(&[&["repl"], args].concat(), input)
}

#[test]
fn ruff_globals_and_functions_persist_across_entries() {
    let o = repl(
        &[],
        "x := 10\n\
         func twice(a) {\n\
         \x20 // a comment with a bracket (\n\
         \x20 return a * 2 + x\n\
         }\n\
         print(twice(1))\n\
         func bump() { x := x + 1 }\n\
         bump()\n\
         print(x)\n\
         let k = 1\n\
         let k = 2\n\
         print(k, \"{ in a string\")\n",
    );
    assert_eq!(stdout(&o), "12\n11\n2 { in a string\n");
    assert_eq!(stderr(&o), "");
    assert!(o.status.success());
}

#[test]
fn ruff_syntax_error_does_not_end_the_session() {
    let o = repl(&["--lang", "ruff"], "print(1 +)\nprint(\"still here\")\n");
    assert_eq!(stdout(&o), "still here\n");
    assert!(stderr(&o).contains("<repl>:1:"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn ruff_runtime_error_does_not_end_the_session() {
    let o = repl(&[], "y := 1\nprint(y / 0)\nprint(y + 1)\n");
    assert_eq!(stdout(&o), "2\n");
    assert!(stderr(&o).contains("Division by zero"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn ruff_exit_ends_the_session_with_its_code() {
    let o = repl(&[], "print(1)\nexit(3)\nprint(2)\n");
    assert_eq!(stdout(&o), "1\n");
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn unfinished_entry_at_end_of_input_reports_its_error() {
    let o = repl(&[], "print(\"a\")\nprint((1)\n");
    assert_eq!(stdout(&o), "a\n");
    assert!(stderr(&o).contains("error"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn repl_options_apply() {
    let o = repl(&["--deny", "stdout"], "print(1)\n");
    assert!(stderr(&o).contains("capability denied"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn scheme_echoes_expressions_not_definitions() {
    let o = repl(
        &["--lang", "scheme"],
        "(define x 21)\n\
         x\n\
         (define (f x)\n\
         \x20 (* x 2)) ; a comment (\n\
         (f x) \"s\" #\\( (list 1 #t)\n\
         (display \"hi\") (newline)\n\
         (car '())\n\
         (+ x 1)\n",
    );
    assert_eq!(stdout(&o), "21\n42\n\"s\"\n#\\(\n(1 #t)\nhi\n22\n");
    assert!(stderr(&o).contains("car"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn scheme_macros_persist_across_entries_until_redefined() {
    let o = repl(
        &["--lang", "scheme"],
        "(define-syntax swap! (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))\n\
         (define tmp 1) (define y 2)\n\
         (swap! tmp y)\n\
         (list tmp y)\n\
         (define-syntax twice (syntax-rules () ((_ e) (begin e e))))\n\
         (twice (display \"hi\"))\n\
         (newline)\n\
         (define-syntax broken (syntax-rules () ((_) (car '()))))\n\
         (broken)\n\
         (define (twice x) (* 2 x))\n\
         (twice 21)\n\
         (define-syntax swap! (syntax-rules () ((_ a b) 'replaced)))\n\
         (swap! tmp y)\n\
         (list tmp y)\n",
    );
    // Hygiene holds across entries (the macro's tmp is not the session's), a define of the
    // keyword replaces the macro, and so does a new define-syntax.
    assert_eq!(stdout(&o), "(2 1)\nhihi\n42\nreplaced\n(2 1)\n");
    // An error raised by a macro's expansion points at the entry that used it.
    assert!(stderr(&o).contains("car"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_macro_from_an_entry_that_failed_to_compile_is_not_kept() {
    let o = repl(
        &["--lang", "scheme"],
        "(define-syntax m (syntax-rules () ((_) 1))) (if)\n(m)\n",
    );
    assert_eq!(stdout(&o), "");
    let e = stderr(&o);
    assert!(e.contains("if: expected 2 or 3 parts"), "{e}");
    assert!(e.contains("Undefined variable: m"), "{e}");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn jue_prints_values_its_way() {
    let o = repl(
        &["--lang", "jue"],
        "(define t true)\nt\nnil\n(not t)\n(define (g)\n  nil)\n(g)\n",
    );
    assert_eq!(stdout(&o), "true\nnil\nfalse\nnil\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn ruff_interpolation_brackets_do_not_hold_the_entry_open() {
    // The `{` and `"` inside `${...}` are code, not an open bracket or string.
    let o = repl(
        &[],
        "print(\"${\"{\"}\")\nprint(\"${\"}\"} ${[1, 2][0]}\")\nprint(\"after\")\n",
    );
    assert_eq!(stdout(&o), "{\n} 1\nafter\n");
    assert_eq!(stderr(&o), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn ruff_entry_continues_while_the_parser_wants_more() {
    // A binary operator continues the expression on the next line, as in a file; an
    // interpolation left open continues the string.
    let o = repl(&[], "x := 1 +\n  2\nprint(\"${x\n}\")\nprint(x)\n");
    assert_eq!(stdout(&o), "3\n3\n", "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn denying_stdout_stops_the_value_echo() {
    for lang in ["scheme", "jue"] {
        let o = repl(
            &["--lang", lang, "--deny", "stdout"],
            "(define x 1)\n(+ x 2)\n",
        );
        assert_eq!(stdout(&o), "", "{lang}");
        // The Scheme session's own printer is named like Jue's, not by its hidden name.
        assert!(
            stderr(&o).contains("capability denied: stdout (needed by printing a top-level value)"),
            "{lang}: {}",
            stderr(&o)
        );
        assert_eq!(o.status.code(), Some(0), "{lang}");
    }
}

#[test]
fn scheme_builtin_redefined_in_an_earlier_entry_is_called_not_inlined() {
    // `(+ 3 4)` in a later entry must call the session's `+`, not the inlined primitive.
    let o = repl(
        &["--lang", "scheme"],
        "(define (+ a b) (* a b))\n\
         (+ 3 4)\n\
         (define (apply f . args) 'mine)\n\
         (apply - 1 '(2))\n\
         (- 10 4)\n",
    );
    assert_eq!(stdout(&o), "12\nmine\n6\n", "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn scheme_entries_load_the_prelude_procedures_they_use_as_they_come() {
    // Each entry loads the prelude definitions it names (and what those use) before it runs:
    // a definition naming `filter` loads it for the later entry that calls it; `sort` comes
    // with %sort and %merge; escapes and handlers load mid-session.
    let o = repl(
        &["--lang", "scheme"],
        "(define (evens l) (filter even? l))\n\
         (evens '(1 2 3 4))\n\
         (define (total l) (fold + 0 l))\n\
         (total (evens '(1 2 3 4 5 6)))\n\
         (sort (list 3 1 2) <)\n\
         (call/cc (lambda (k) (dynamic-wind (lambda () #f) (lambda () (k 'escaped)) (lambda () (display \"after \")))))\n\
         (guard (e (#t (list 'caught e))) (raise 'boom))\n\
         (with-exception-handler (lambda (e) 10) (lambda () (+ 1 (raise-continuable 'c))))\n",
    );
    assert_eq!(
        stdout(&o),
        "(2 4)\n12\n(1 2 3)\nafter escaped\n(caught boom)\n11\n",
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o), "");
    assert_eq!(o.status.code(), Some(0));
}
