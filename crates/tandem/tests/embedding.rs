//! The embedding API as the README shows it: a host registers a native function and runs a
//! script that calls it; capabilities and depth limits set through the engine apply.

mod common;

use common::{captured, engine};
use tandem::{Arity, Caps, Value};

#[test]
fn readme_example_host_function() {
    let (mut engine, out) = engine();
    engine.set_max_depth(10_000);
    engine.set_memory_limit(Some(64 << 20));
    engine.register_native(
        "double",
        Arity::exactly(1),
        Caps::NONE,
        |_vm, args| match args[0] {
            Value::Int(i) => Ok(Value::Int(i * 2)),
            _ => Err("double expects an int".into()),
        },
    );
    engine.run_source("demo.ruff", "print(double(21))").unwrap();
    assert_eq!(captured(&out), "42\n");
    // The host function's error becomes a runtime error at the call, catchable by the script.
    let err = engine.run_source("bad.ruff", "double(\"x\")").unwrap_err();
    assert!(engine.render_error(&err).contains("double expects an int"));
    engine
        .run_source(
            "c.ruff",
            "try { double(\"x\") } except e { print(\"caught\", e.message) }",
        )
        .unwrap();
    assert!(captured(&out).ends_with("caught double expects an int\n"));
}

#[test]
fn host_functions_are_reachable_from_scheme_through_ffi_call() {
    let (mut engine, out) = engine();
    engine.register_native("add3", Arity::exactly(3), Caps::NONE, |_vm, args| {
        match (args[0], args[1], args[2]) {
            (Value::Int(a), Value::Int(b), Value::Int(c)) => Ok(Value::Int(a * 100 + b * 10 + c)),
            _ => Err("add3 expects ints".into()),
        }
    });
    engine
        .run_source("f.jue", "(ffi-call 'add3 1 2 3)")
        .unwrap();
    assert_eq!(captured(&out), "123\n");
}

#[test]
fn capabilities_and_depth_limits_set_by_the_host_apply() {
    let (mut engine, _out) = engine();
    engine.set_caps(Caps::ALL.without(Caps::STDOUT));
    let err = engine.run_source("p.ruff", "print(1)").unwrap_err();
    assert!(engine
        .render_error(&err)
        .contains("capability denied: stdout"));
    engine.set_caps(Caps::ALL);
    engine.set_max_depth(100);
    let err = engine
        .run_source("d.ruff", "func f(n) { return 1 + f(n + 1) }\nf(0)")
        .unwrap_err();
    assert!(engine.render_error(&err).contains("stack overflow"));
}

#[test]
fn ffi_call_cannot_reach_the_scheme_librarys_private_natives() {
    let (mut engine, out) = engine();
    engine.set_caps(Caps::ALL.without(Caps::FS_READ));
    // `%caps-set` lives in the Scheme namespace under the key "scheme\u{1f}%caps-set"; a
    // string naming that key must not reach it (it would restore a withdrawn capability).
    let err = engine
        .run_source("x.jue", "(ffi-call \"scheme\\x1f;%caps-set\" 127)")
        .unwrap_err();
    assert!(engine
        .render_error(&err)
        .contains("ffi-call: no host function named"));
    assert_eq!(engine.caps(), Caps::ALL.without(Caps::FS_READ));
    engine
        .run_source("y.jue", "(has-capability? 'fs-read)")
        .unwrap();
    assert_eq!(captured(&out), "false\n");
}

/// Run `src` (a program named `name`) in a fresh engine on a thread with an ordinary
/// host's stack (2 MiB); returns what it printed.
fn run_on_host_thread(name: &'static str, src: &'static str) -> String {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let (mut engine, out) = engine();
            engine.run_source(name, src).unwrap();
            captured(&out)
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deeply_nested_and_circular_data_print_on_a_small_host_thread() {
    // Hosts run scripts on ordinary threads (2 MiB stacks), so printing must not recurse
    // with the data's depth; a cycle is written with datum labels.
    let out = run_on_host_thread(
        "deep.scm",
        "(define d (let loop ((i 0) (acc '())) \
                       (if (= i 100000) acc (loop (+ i 1) (vector acc)))))\n\
                     (define p (open-output-string))\n\
                     (write d p)\n\
                     (display (string-length (get-output-string p)))\n\
                     (newline)\n\
                     (define c (list 1 2))\n\
                     (set-cdr! (cdr c) c)\n\
                     (write c)",
    );
    assert_eq!(out, "300002\n#0=(1 2 . #0#)");
}

#[test]
fn ruff_prints_deep_data_in_full_on_a_small_host_thread() {
    // Ruff's printer keeps its own work stack too: `print` writes a 1,000,000-deep array
    // whole (it used to write `[...]` past 512 levels); a cycle still prints as `[...]`.
    const DEEP: usize = 1_000_000;
    let out = run_on_host_thread(
        "deep.ruff",
        "a := 1\n\
                     for i in range(1000000) { a := [a] }\n\
                     print(a)\n\
                     c := [1]\n\
                     push(c, c)\n\
                     print(c)",
    );
    let deep = format!("{}1{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    assert_eq!(out.len(), deep.len() + "[1, [...]]\n".len());
    assert!(
        out == format!("{deep}[1, [...]]\n"),
        "{}",
        &out[out.len() - 40..]
    );
}

#[test]
fn the_memory_limit_stops_the_run_and_scripts_cannot_catch_it() {
    let (mut engine, out) = engine();
    engine.set_memory_limit(Some(8 << 20));
    // Keeping ever more alive fails; `try` does not catch it (DESIGN decision 6): the run
    // stops, with the limit's own error, and the engine stays usable.
    let err = engine
        .run_source(
            "grow.ruff",
            "func grow() {\n\
               keep := []\n\
               while true { push(keep, [1, 2, 3, 4, 5, 6, 7, 8]) }\n\
             }\n\
             try { grow() } except e { print(e.message) }\n\
             print(\"after\")",
        )
        .unwrap_err();
    assert!(matches!(err, tandem::Error::Limit(_)), "{err:?}");
    assert_eq!(err.exit_code(), 5);
    assert!(engine
        .render_error(&err)
        .contains("memory limit exceeded (8388608 bytes)"));
    assert_eq!(captured(&out), "");
    // Garbage does not count: a loop that drops what it makes runs under the same limit.
    out.borrow_mut().clear();
    engine
        .run_source(
            "churn.ruff",
            "n := 0\nfor i in range(200000) { a := [i, i, i, i]\n n := n + len(a) }\nprint(n)",
        )
        .unwrap();
    assert_eq!(captured(&out), "800000\n");
    // Interned symbols never die, so they count too.
    out.borrow_mut().clear();
    let err = engine
        .run_source(
            "syms.scm",
            "(let loop ((i 0)) (string->symbol (number->string i)) (loop (+ i 1)))",
        )
        .unwrap_err();
    assert!(engine.render_error(&err).contains("memory limit exceeded"));
}

#[test]
fn lowering_max_depth_after_deep_calls_still_limits_them() {
    // Calls push frames without a depth check while the frame stack has room; the room a
    // deep run left behind must not outlast a smaller limit set afterwards.
    let (mut engine, out) = engine();
    let src = "func down(n) { if n == 0 { return 0 } return 1 + down(n - 1) }\n";
    engine
        .run_source("deep.ruff", &format!("{src}print(down(5000))"))
        .unwrap();
    engine.set_max_depth(100);
    let err = engine
        .run_source("shallow.ruff", &format!("{src}print(down(150))"))
        .unwrap_err();
    let text = engine.render_error(&err);
    assert!(text.contains("more than 100 nested calls"), "{text}");
    engine
        .run_source("fits.ruff", &format!("{src}print(down(90))"))
        .unwrap();
    engine.set_max_depth(10_000);
    engine
        .run_source("again.ruff", &format!("{src}print(down(8000))"))
        .unwrap();
    assert_eq!(captured(&out), "5000\n90\n8000\n");
}
