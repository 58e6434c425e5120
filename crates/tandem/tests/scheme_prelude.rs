//! The Scheme prelude loads a definition at a time, before the code naming it runs: what
//! loads (through `Engine::scheme_prelude_loaded`), and that everything still works when a
//! prelude procedure is reached only through another one, from later programs of the same
//! engine, from a module a Ruff program imports, and with the capability natives hidden.

mod common;

use common::{captured, engine, stderr, stdout, tandem, temp_dir, Buf};
use tandem::{Dialect, Engine};

/// Run `src` as a Scheme program and return what it printed (the output is cleared).
fn run(engine: &mut Engine, out: &Buf, src: &str) -> String {
    run_as(engine, out, "p.scm", src, Dialect::Scheme)
}

fn run_as(engine: &mut Engine, out: &Buf, name: &str, src: &str, dialect: Dialect) -> String {
    if let Err(e) = engine.run_source_as(name, src, dialect) {
        panic!("{src}: {}", engine.render_error(&e));
    }
    engine.flush();
    String::from_utf8_lossy(&std::mem::take(&mut *out.borrow_mut())).into_owned()
}

#[test]
fn a_program_that_names_no_prelude_procedure_loads_none() {
    let (mut e, out) = engine();
    let printed = run(
        &mut e,
        &out,
        "(import (scheme base) (scheme write))\n\
         (define (square x) (* x x))\n\
         (display (list (square 7) 'map \"filter\" (vector-ref (vector 1 2) 1) (+ 1 2)))\n\
         (newline)",
    );
    assert_eq!(printed, "(49 map filter 2 3)\n");
    // Quoted symbols and strings that spell prelude names are not uses of them.
    assert_eq!(e.scheme_prelude_loaded(), Vec::<&str>::new());
    // `(apply f list)` called directly is the VM's own list call, not the prelude's `apply`.
    assert_eq!(run(&mut e, &out, "(display (apply + '(1 2 3)))"), "6");
    assert_eq!(e.scheme_prelude_loaded(), Vec::<&str>::new());
}

#[test]
fn a_procedure_reached_only_through_another_prelude_procedure_is_loaded() {
    let (mut e, out) = engine();
    // sort uses %sort, which uses %merge and list-head; the program names only sort.
    assert_eq!(
        run(&mut e, &out, "(display (sort (list 5 3 9 1) <))"),
        "(1 3 5 9)"
    );
    let loaded = e.scheme_prelude_loaded();
    assert_eq!(loaded, ["%merge", "%sort", "list-head", "sort"]);
    // vector-map goes through map and %map1; string-count through count.
    assert_eq!(
        run(
            &mut e,
            &out,
            "(display (vector-map (lambda (x) (* x x)) #(1 2 3)))\n\
             (display (string-count \"banana\" (lambda (c) (char=? c #\\a))))"
        ),
        "#(1 4 9)3"
    );
    let loaded = e.scheme_prelude_loaded();
    for name in ["vector-map", "map", "%map1", "string-count", "count"] {
        assert!(loaded.contains(&name), "{name} in {loaded:?}");
    }
    assert!(!loaded.contains(&"filter"), "{loaded:?}");
}

#[test]
fn names_only_the_expander_writes_are_loaded_too() {
    // let-values calls call-with-values, guard %guard-body, parameterize %parameterize and
    // delay %delay: none of them is written in the program.
    let (mut e, out) = engine();
    let printed = run(
        &mut e,
        &out,
        "(let-values (((q r) (values 3 2))) (display (list q r)))\n\
         (display (guard (x (#t (list 'caught x))) (raise 'oops)))\n\
         (define p (make-parameter 1))\n\
         (parameterize ((p 2)) (display (p)))\n\
         (display (force (delay (+ 40 2))))",
    );
    assert_eq!(printed, "(3 2)(caught oops)242");
}

#[test]
fn later_programs_of_an_engine_load_what_they_need() {
    let (mut e, out) = engine();
    assert_eq!(
        run(&mut e, &out, "(display (filter odd? '(1 2 3)))"),
        "(1 3)"
    );
    assert_eq!(e.scheme_prelude_loaded(), ["filter"]);
    // A program that assigns a prelude procedure gets its definition loaded first, so the
    // assignment is not undone by a later load.
    assert_eq!(
        run(
            &mut e,
            &out,
            "(set! fold (lambda (f acc l) 'mine))\n(display (fold + 0 '(1 2)))"
        ),
        "mine"
    );
    assert_eq!(run(&mut e, &out, "(display (fold + 0 '(1 2)))"), "mine");
    // Escapes and dynamic-wind, loaded late, in a Jue program.
    let printed = run_as(
        &mut e,
        &out,
        "q.jue",
        "(call/cc (lambda (k) (dynamic-wind (lambda () (display \"in \")) \
         (lambda () (k 42)) (lambda () (display \"out \")))))",
        Dialect::Jue,
    );
    assert_eq!(printed, "in out 42\n");
}

#[test]
fn the_capability_natives_stay_hidden_whichever_program_comes_first() {
    // A program naming a capability native loads the definition that captures and unbinds
    // it; a tier used afterwards still works, and still narrows.
    let (mut e, out) = engine();
    assert_eq!(
        run(&mut e, &out, "(display (list %caps-set %caps-narrow))"),
        "(#f #f)"
    );
    let tier = "(:formal (+ 1 2))\n(:formal (display \"x\"))";
    let err = e.run_source_as("t.jue", tier, Dialect::Jue).unwrap_err();
    assert!(
        e.render_error(&err).contains("capability denied"),
        "{}",
        e.render_error(&err)
    );
    e.flush();
    assert_eq!(captured(&out), "3\n");
    // The other order: a tier first, then a program naming the natives.
    let (mut e, out) = engine();
    assert_eq!(
        run_as(&mut e, &out, "t.jue", "(:formal (* 6 7))", Dialect::Jue),
        "42\n"
    );
    assert_eq!(run(&mut e, &out, "(display %caps-set)"), "#f");
}

#[test]
fn an_error_inside_lazily_loaded_prelude_code_shows_the_prelude_s_own_lines() {
    let (mut e, _out) = engine();
    let err = e
        .run_source("err.scm", "(define (f x) (error \"too big:\" x))\n(f 5)")
        .unwrap_err();
    let text = e.render_error(&err);
    let prelude = include_str!("../src/prelude.scm");
    let line = prelude
        .lines()
        .position(|l| l.starts_with("(define (%throw obj)"))
        .expect("%throw in the prelude")
        + 3; // the `(%raise obj)` line, 1-based
    assert!(
        text.contains(&format!("at %throw (<scheme-prelude>:{line}:3)")),
        "{text}"
    );
    assert!(text.contains("error: too big: 5"), "{text}");
}

#[test]
fn a_ruff_program_importing_a_scheme_module_that_uses_the_prelude() {
    let dir = temp_dir("prelude");
    std::fs::write(
        dir.join("lists.scm"),
        "(define (evens v) (list->vector (filter even? (vector->list v))))\n\
         (define (total v) (fold + 0 (vector->list v)))\n",
    )
    .unwrap();
    let main = dir.join("main.ruff");
    std::fs::write(
        &main,
        "import \"lists.scm\"\nlet e = lists.evens([1, 2, 3, 4, 6])\nprint(e)\nprint(lists.total(e))\n",
    )
    .unwrap();
    let o = tandem(&["run", main.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(stdout(&o), "[2, 4, 6]\n12\n", "{err}");
    assert!(o.status.success(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
