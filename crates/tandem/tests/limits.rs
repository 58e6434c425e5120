//! Limits through the Engine API (DESIGN decision 6): fuel, timeout, interrupt and memory
//! stop a run with `Error::Limit`, scripts cannot catch them, and the engine stays usable.

mod common;

use common::{captured, engine};
use std::time::{Duration, Instant};
use tandem::{Dialect, Engine, Error, ErrorKind, JitMode, Limit};

fn limit_of(err: &Error) -> Limit {
    match err {
        Error::Limit(e) => match e.kind {
            ErrorKind::Limit(l) => l,
            k => panic!("a limit error of kind {k:?}"),
        },
        other => panic!("not a limit error: {other:?}"),
    }
}

const MODES: [JitMode; 2] = [JitMode::Off, JitMode::Always];

#[test]
fn fuel_stops_an_endless_loop_and_the_engine_goes_on() {
    for mode in MODES {
        let (mut e, out) = engine();
        e.set_jit_mode(mode);
        e.set_fuel(Some(100_000));
        let err = e.run_source("spin.ruff", "while true {}").unwrap_err();
        assert_eq!(limit_of(&err), Limit::Fuel);
        assert_eq!(err.exit_code(), 5);
        let text = e.render_error(&err);
        assert!(text.contains("fuel exhausted"), "{text}");
        assert!(text.contains("spin.ruff:1:1"), "{text}");
        // The next run has its fuel again.
        e.run_source("ok.ruff", "for i in range(1000) { }\nprint(\"ok\")")
            .unwrap();
        assert_eq!(captured(&out), "ok\n");
        let left = e.fuel_remaining().expect("fuel is limited");
        assert!(left < 100_000 && left > 90_000, "{left}");
        // Without a limit the loop would run forever; unlimited fuel runs to the end.
        e.set_fuel(None);
        e.run_source("n.ruff", "i := 0\nwhile i < 300000 { i := i + 1 }")
            .unwrap();
        assert_eq!(e.fuel_remaining(), None);
    }
}

#[test]
fn fuel_counts_calls_and_loop_iterations() {
    // 1000 iterations of a loop calling a function: about 2000 units.
    let (mut e, _) = engine();
    e.set_jit_mode(JitMode::Off);
    e.set_fuel(Some(10_000));
    e.run_source(
        "c.ruff",
        "func f(x) { return x }\ni := 0\nwhile i < 1000 { f(i)\n i := i + 1 }",
    )
    .unwrap();
    let spent = 10_000 - e.fuel_remaining().unwrap();
    assert!((2000..=2010).contains(&spent), "{spent}");
    // Exactly the fuel a run needs is enough; one unit less is not.
    e.set_fuel(Some(spent));
    e.run_source(
        "c.ruff",
        "func f(x) { return x }\ni := 0\nwhile i < 1000 { f(i)\n i := i + 1 }",
    )
    .unwrap();
    e.set_fuel(Some(spent - 1));
    let err = e
        .run_source(
            "c.ruff",
            "func f(x) { return x }\ni := 0\nwhile i < 1000 { f(i)\n i := i + 1 }",
        )
        .unwrap_err();
    assert_eq!(limit_of(&err), Limit::Fuel);
}

#[test]
fn limit_errors_are_not_caught_by_scripts() {
    for mode in MODES {
        let (mut e, out) = engine();
        e.set_jit_mode(mode);
        e.set_fuel(Some(50_000));
        let ruff = "func spin() { while true {} }\n\
                    try { spin() } except e { print(\"caught\") }\nprint(\"after\")";
        let err = e.run_source("t.ruff", ruff).unwrap_err();
        assert_eq!(limit_of(&err), Limit::Fuel);
        let scheme = [
            "(guard (e (#t (display \"caught\"))) (let loop () (loop)))",
            "(with-exception-handler (lambda (e) (display \"handler\") 1) (lambda () (let loop () (loop))))",
            "(dynamic-wind (lambda () #f) (lambda () (let loop () (loop))) (lambda () (display \"after\")))",
            "(call/cc (lambda (k) (with-exception-handler (lambda (e) (k 1)) (lambda () (let loop () (loop))))))",
        ];
        for src in scheme {
            let err = e.run_source("t.scm", src).unwrap_err();
            assert_eq!(limit_of(&err), Limit::Fuel, "{src}");
        }
        assert_eq!(captured(&out), "", "no handler ran");
        // The depth limit stays an ordinary, catchable error.
        e.set_fuel(None);
        e.set_max_depth(1000);
        e.run_source(
            "d.ruff",
            "func f(n) { return 1 + f(n) }\ntry { f(0) } except e { print(\"caught depth\") }",
        )
        .unwrap();
        assert_eq!(captured(&out), "caught depth\n");
    }
}

#[test]
fn a_timeout_stops_a_run_and_the_next_run_has_its_own() {
    for mode in MODES {
        let (mut e, out) = engine();
        e.set_jit_mode(mode);
        e.set_timeout(Some(Duration::from_millis(200)));
        let start = Instant::now();
        let err = e
            .run_source("t.scm", "(define (spin n) (spin (+ n 1)))\n(spin 0)")
            .unwrap_err();
        let took = start.elapsed();
        assert_eq!(limit_of(&err), Limit::Timeout);
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        assert!(e.render_error(&err).contains("took longer than 200 ms"));
        e.run_source("ok.ruff", "print(1)").unwrap();
        assert_eq!(captured(&out), "1\n");
    }
}

#[test]
fn an_interrupt_before_a_run_stops_that_run_only() {
    let mut e: Engine = engine().0;
    let h = e.interrupt_handle();
    let h2 = h.clone();
    // Send + Sync + Clone.
    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    assert_send_sync(&h2);
    h.interrupt();
    let err = e
        .run_source("spin.ruff", "while true {}")
        .expect_err("interrupted at its start");
    assert_eq!(limit_of(&err), Limit::Interrupt);
    e.run_source("ok.ruff", "i := 0\nwhile i < 100000 { i := i + 1 }")
        .unwrap();
}

#[test]
fn memory_limit_at_a_back_edge_to_pc_0_is_an_error_not_a_panic() {
    // The fuzzer's input: the loop's back edge jumps to pc 0 of `f`.
    for mode in MODES {
        let (mut e, _) = engine();
        e.set_jit_mode(mode);
        e.set_memory_limit(Some(1_000_000));
        let err = e
            .run_source_as(
                "f.ruff",
                "s := \"x\"\nfunc f() { while true { s := s + s } }\nf()",
                Dialect::Ruff,
            )
            .unwrap_err();
        assert_eq!(limit_of(&err), Limit::Memory);
        let text = e.render_error(&err);
        assert!(
            text.contains("memory limit exceeded (1000000 bytes)"),
            "{text}"
        );
        assert!(text.contains("f.ruff:2:"), "{text}");
        // Usable after: the garbage of the stopped run is gone.
        e.run_source("ok.ruff", "x := [1, 2, 3]").unwrap();
    }
}

#[test]
fn growth_in_place_counts_against_the_memory_limit() {
    for mode in MODES {
        let (mut e, _) = engine();
        e.set_jit_mode(mode);
        e.set_memory_limit(Some(1_000_000));
        let cases = [
            ("p.ruff", "a := []\nwhile true { push(a, 1) }"),
            ("d.ruff", "d := {}\ni := 0\nwhile true { d[i] := i\n i := i + 1 }"),
            (
                "h.scm",
                "(define h (make-hash-table))\n(let loop ((i 0)) (hash-table-set! h i i) (loop (+ i 1)))",
            ),
            ("q.ruff", "q := Queue()\nwhile true { queue_enqueue(q, 1) }"),
            (
                "o.scm",
                "(define p (open-output-string))\n(let loop () (write-string \"abcdefgh\" p) (loop))",
            ),
        ];
        for (name, src) in cases {
            let err = e.run_source(name, src).unwrap_err();
            assert_eq!(limit_of(&err), Limit::Memory, "{name}: {err:?}");
            let used = e.heap_stats().bytes;
            assert!(used < 1_000_000, "{name}: {used} bytes kept");
        }
    }
}

#[test]
fn huge_sizes_fail_before_anything_is_allocated() {
    let (mut e, _) = engine();
    e.set_memory_limit(Some(10 << 20));
    for (name, src) in [
        ("r.ruff", "repeat(\"ab\", 1000000000000)"),
        ("r2.ruff", "range(100000000)"),
        ("s.scm", "(make-string 100000000 #\\a)"),
        ("v.scm", "(make-vector 100000000 0)"),
        ("l.scm", "(make-list 100000000 0)"),
        ("b.scm", "(make-bytevector 100000000 0)"),
    ] {
        let before = e.heap_stats().bytes;
        let err = e.run_source(name, src).unwrap_err();
        assert_eq!(limit_of(&err), Limit::Memory, "{name}");
        assert!(e.heap_stats().bytes <= before + (1 << 20), "{name}");
    }
}

// ----- the Scheme expander and deep data ------------------------------------------------

/// A macro that grows its own use at each step fails fast, by its expansion budget, with a
/// located diagnostic: once used where every expansion would stay alive (a call's
/// argument), once at the top level, and used again (each use must not cost as much again).
#[test]
fn a_runaway_macro_fails_fast_with_a_located_error() {
    let grow = "(define-syntax t (syntax-rules () ((_ a ...) (t 1 a ...))))\n";
    for (name, uses) in [
        ("arg.scm", "(g (t))\n"),
        ("top.scm", "(t)\n(t)\n(t)\n(t)\n"),
    ] {
        let (mut e, _) = engine();
        let start = Instant::now();
        let Err(err) = e.compile_source(name, &format!("{grow}{uses}"), Dialect::Scheme) else {
            panic!("{name} compiled");
        };
        let took = start.elapsed();
        let text = e.render_error(&err);
        assert!(text.contains("macro expansion too large"), "{text}");
        assert!(text.contains(&format!("{name}:2:")), "{text}");
        assert_eq!(err.exit_code(), 3);
        // 10 s and 2.4 GB before the budget; about 0.1 s now (debug build).
        assert!(took < Duration::from_secs(3), "{name} took {took:?}");
    }
}

/// Compiling a unit with macros leaves no expander environment alive (a top-level
/// `define-syntax` used to make an `Rc` cycle with its frame, leaking it per unit).
#[test]
fn compiling_macros_leaks_no_expander_environment() {
    use tandem_core::scheme::{live_environments, on_big_stack, LOWERING_STACK};
    // Lowering on this thread, where the count of live frames is kept.
    let t = std::thread::Builder::new()
        .stack_size(LOWERING_STACK + (64 << 20))
        .spawn(|| {
            on_big_stack(|| {
                let (mut e, out) = engine();
                let units = [
                    "(define-syntax m (syntax-rules () ((_) 1)))\n(display (m))",
                    "(letrec-syntax ((r (syntax-rules () ((_) 2)))) (display (r)))",
                    "(define (f) (define-syntax n (syntax-rules () ((_) 3))) (n))\n(display (f))",
                ];
                let before = live_environments();
                for i in 0..300 {
                    let src = units[i % units.len()];
                    e.run_source(&format!("u{i}.scm"), src).unwrap();
                }
                assert_eq!(live_environments(), before, "expander frames leaked");
                assert!(captured(&out).starts_with("123123"));
            })
        })
        .unwrap();
    t.join().unwrap();
}

/// `==` and `equal?` on data nested deeper than any fixed cutoff: the right answer in
/// both directions, in every JIT mode (Ruff's `==` used to answer false past 200 levels).
#[test]
fn deep_data_compares_correctly() {
    let ruff = "a := 1\nb := 1\nc := 2\nfor i in range(5000) { a := [a]\n b := [b]\n c := [c] }\n\
                print(a == b, a != b, a == c, [a, {\"k\": b}] == [b, {\"k\": a}])\n";
    let scheme = "(define (nest n x) (if (= n 0) x (nest (- n 1) (vector (list x)))))\n\
                  (display (list (equal? (nest 5000 1) (nest 5000 1)) (equal? (nest 5000 1) (nest 5000 2))))";
    for mode in MODES {
        let (mut e, out) = engine();
        e.set_jit_mode(mode);
        e.run_source("deep.ruff", ruff).unwrap();
        e.run_source("deep.scm", scheme).unwrap();
        assert_eq!(captured(&out), "true false false true\n(#t #f)", "{mode:?}");
    }
}
