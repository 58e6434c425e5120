//! The JIT seen from outside: that it compiles what each mode says, what `--jit-stats`
//! and `disasm --jit` show, deoptimization and recompilation, on-stack replacement, and
//! that compiled code keeps every promise the interpreter makes (errors and traces,
//! limits, capabilities, deep recursion on a small native stack, constant-space tail
//! calls). The conformance programs run in all modes too (`programs.rs`); these tests
//! check what only the JIT's own counters can tell.
#![cfg(feature = "jit")]

mod common;

use common::{capture, captured, command, stderr, stdout, tandem, temp_program};
use tandem::{Caps, Dialect, Engine, JitMode};

/// The numbers of the `jit:` statistics line: (functions, loops, OSR entries, deopts,
/// recompiles, failures).
fn stats(err: &str) -> (u64, u64, u64, u64, u64, u64) {
    let line = err
        .lines()
        .find(|l| l.starts_with("jit: "))
        .unwrap_or_else(|| panic!("no statistics line in:\n{err}"));
    let num_before = |word: &str| -> u64 {
        let i = line
            .find(word)
            .unwrap_or_else(|| panic!("no '{word}' in {line}"));
        line[..i]
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|s| !s.is_empty())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no number before '{word}' in {line}"))
    };
    (
        num_before(" functions compiled"),
        num_before(" loops compiled"),
        num_before(" OSR entries"),
        num_before(" deopts"),
        num_before(" recompiles"),
        num_before(" failures"),
    )
}

fn run(mode: &str, name: &str, src: &str) -> (String, String, Option<i32>) {
    let p = temp_program(name, src);
    let o = tandem(&["run", mode, "--jit-stats", p.to_str().unwrap()]);
    (stdout(&o), stderr(&o), o.status.code())
}

const HOT: &str = "func sq(x) { return x * x }\n\
                   func sum(n) {\n  s := 0\n  for i in range(n) { s := s + sq(i) }\n  return s\n}\n\
                   print(sum(3000))\n";

#[test]
fn always_compiles_everything_off_nothing_and_auto_what_is_hot() {
    let (out, err, code) = run("--jit=always", "hot.ruff", HOT);
    assert_eq!((out.as_str(), code), ("8995500500\n", Some(0)));
    let (f, _, _, _, _, failures) = stats(&err);
    assert!(f >= 3, "main, sum and sq compiled: {err}");
    assert_eq!(failures, 0, "{err}");
    let (out, err, _) = run("--jit=off", "hot.ruff", HOT);
    assert_eq!(out, "8995500500\n");
    assert_eq!(stats(&err).0, 0, "{err}");
    assert!(err.contains("(--jit=off)"), "{err}");
    // Auto: sum's loop runs 3000 times, compiled by OSR (with sq inline).
    let (out, err, _) = run("--jit=auto", "hot.ruff", HOT);
    assert_eq!(out, "8995500500\n");
    let (_, loops, osr, ..) = stats(&err);
    assert!(loops >= 1 && osr >= 1, "{err}");
}

#[test]
fn a_function_called_once_and_briefly_is_not_compiled_by_auto() {
    let (out, err, _) = run(
        "--jit=auto",
        "cold.ruff",
        "func f(x) { return x + 1 }\nprint(f(1))\n",
    );
    assert_eq!(out, "2\n");
    assert_eq!(stats(&err).0 + stats(&err).1, 0, "{err}");
}

#[test]
fn a_type_that_changes_deoptimizes_and_recompiles_with_the_same_results() {
    // `total` is compiled summing arrays of ints (`s + x` guards x to be an int), then
    // given arrays of floats: the guard fails, and after a few exits it is recompiled
    // without that speculation.
    let src = "func total(a) {\n  s := 0\n  for x in a { s := s + x }\n  return s\n}\n\
               func run(a, n) {\n  t := 0\n  for k in range(n) { t := t + total(a) }\n  return t\n}\n\
               print(run([1, 2, 3], 2000))\n\
               print(run([0.5, 0.25], 2000))\n";
    let want = "12000\n1500\n";
    let (out, _, _) = run("--jit=off", "deopt.ruff", src);
    assert_eq!(out, want);
    for mode in ["--jit=always", "--jit=auto"] {
        let (out, err, code) = run(mode, "deopt.ruff", src);
        assert_eq!(out, want, "{mode}: {err}");
        assert_eq!(code, Some(0));
        let (_, _, _, deopts, recompiles, failures) = stats(&err);
        assert!(deopts >= 1, "{mode}: {err}");
        assert!(recompiles >= 1, "{mode}: {err}");
        assert_eq!(failures, 0);
    }
}

#[test]
fn a_loop_is_entered_in_the_middle_by_on_stack_replacement() {
    // One call, one long loop: only on-stack replacement can compile it.
    let src = "func spin(n) {\n  x := 0.0\n  i := 0\n  while i < n { x := x + 0.5\n i := i + 1 }\n  return x\n}\nprint(spin(200000))\n";
    let (out, err, _) = run("--jit=auto", "osr.ruff", src);
    assert_eq!(out, "100000\n");
    let (f, loops, osr, ..) = stats(&err);
    assert_eq!(f, 0, "{err}");
    assert!(loops >= 1 && osr >= 1, "{err}");
}

#[test]
fn disasm_jit_shows_the_bytecode_then_the_cranelift_ir() {
    let p = temp_program("ir.ruff", "func inc(x) { return x + 1 }\nprint(inc(41))\n");
    let o = tandem(&["disasm", "--jit", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let bytecode = text.find("ADDI").expect("bytecode first");
    let ir = text
        .find("jit: Cranelift IR of inc")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(bytecode < ir, "{text}");
    let after = &text[ir..];
    assert!(
        after.contains("function") && after.contains("tail"),
        "{text}"
    );
    assert!(
        after.contains("sadd_overflow") || after.contains("icmp"),
        "{text}"
    );
}

#[test]
fn a_loop_nest_runs_past_many_limit_slices_in_one_compiled_entry() {
    // Entered once by OSR at the first loop, a loop nest of about 2.5 million back edges
    // (25 slices of the limits' counter) stays in that compiled code: the counter's slow
    // path is called, not left for the interpreter (which would come back through OSR
    // entries at the inner loops, each a compile of its own).
    let src = "func nest(n) {\n  s := 0\n  for i in range(n) { s := s + 1 }\n  \
               i := 0\n  while i < 1000 {\n    j := 0\n    while j < 2500 { s := s + j\n j := j + 1 }\n    \
               i := i + 1\n  }\n  return s\n}\nprint(nest(300))\n";
    let (out, err, code) = run("--jit=auto", "nest.ruff", src);
    assert_eq!((out.as_str(), code), ("3123750300\n", Some(0)), "{err}");
    let (_, loops, osr, deopts, recompiles, failures) = stats(&err);
    assert_eq!((loops, osr), (1, 1), "{err}");
    assert_eq!((deopts, recompiles, failures), (0, 0, 0), "{err}");
}

#[test]
fn fuel_runs_out_in_a_compiled_loop_as_in_the_interpreter() {
    // Fuel for about 30 slices of compiled back edges; the error names the loop's line.
    let src = "func spin() {\n  i := 0\n  while true {\n    i := i + 1\n  }\n}\nspin()\n";
    let p = temp_program("fuel_loop.ruff", src);
    let path = p.to_str().unwrap();
    let off = tandem(&["run", "--jit=off", "--fuel", "3000000", path]);
    let off_err = stderr(&off);
    assert_eq!(off.status.code(), Some(5), "{off_err}");
    assert!(off_err.contains("fuel exhausted"), "{off_err}");
    for mode in ["--jit=always", "--jit=auto"] {
        let o = tandem(&["run", mode, "--fuel", "3000000", path]);
        assert_eq!(o.status.code(), Some(5), "{mode}");
        assert_eq!(stderr(&o), off_err, "{mode}");
    }
}

#[test]
fn errors_raised_in_compiled_code_match_the_interpreter_exactly() {
    let src = "func g(x) { return x * 9223372036854775807 }\n\
               func f(x) { return g(x) + 1 }\n\
               func h(x) { return f(x) }\n\
               for i in range(2000) { h(0) }\n\
               h(3)\n";
    let (o_out, o_err, o_code) = run("--jit=off", "err.ruff", src);
    for mode in ["--jit=always", "--jit=auto"] {
        let (out, err, code) = run(mode, "err.ruff", src);
        assert_eq!((out.as_str(), code), (o_out.as_str(), o_code), "{mode}");
        let strip = |e: &str| {
            e.lines()
                .filter(|l| !l.starts_with("jit: "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&err), strip(&o_err), "{mode}");
    }
    assert!(o_err.contains("Integer overflow"), "{o_err}");
    assert!(
        // h tail-calls f, so its frame became f's: g, f and <main> show.
        o_err.contains("at g (") && o_err.contains("at f ("),
        "{o_err}"
    );
}

#[test]
fn try_catches_errors_several_compiled_frames_deep_and_the_frame_goes_on() {
    let src = "func d(x) { if x > 3 { throw(\"deep \" + to_string(x)) }\n return x }\n\
               func c(x) { return d(x) + 1 }\n\
               func b(x) { return c(x) * 2 }\n\
               func a(n) {\n  caught := 0\n  total := 0\n  for i in range(n) {\n    try { total := total + b(i % 6) } except e { caught := caught + 1 }\n  }\n  return [caught, total]\n}\n\
               print(a(6000))\n";
    let (want, ..) = run("--jit=off", "try.ruff", src);
    assert_eq!(want, "[2000, 20000]\n");
    for mode in ["--jit=always", "--jit=auto"] {
        let (out, err, _) = run(mode, "try.ruff", src);
        assert_eq!(out, want, "{mode}: {err}");
    }
}

#[test]
fn depth_limit_and_capabilities_hold_in_compiled_code() {
    let src = "func r(n) { return r(n + 1) + 1 }\nprint(r(0))\n";
    let p = temp_program("depth.ruff", src);
    for mode in ["--jit=off", "--jit=always"] {
        let o = tandem(&["run", mode, "--max-depth", "5000", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(4), "{mode}");
        assert!(
            stderr(&o).contains("stack overflow: more than 5000 nested calls"),
            "{mode}: {}",
            stderr(&o)
        );
    }
    let src = "func e(k) { return env(k) }\nfor i in range(1000) { x := i }\nprint(e(\"HOME\"))\n";
    let p = temp_program("deny.ruff", src);
    for mode in ["--jit=off", "--jit=always"] {
        let o = tandem(&["run", mode, "--deny", "env", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(4), "{mode}");
        assert!(
            stderr(&o).contains("capability denied: env"),
            "{mode}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn the_memory_limit_holds_in_a_compiled_loop() {
    let (w, buf) = capture();
    let mut e = Engine::with_output(w);
    e.set_jit_mode(JitMode::Always);
    e.set_memory_limit(Some(20_000_000));
    let r = e.run_source_as(
        "mem.ruff",
        "func grow() {\n  keep := []\n  for i in range(10000000) { keep := [keep, \"xxxxxxxxxxxxxxxx\" + to_string(i)] }\n  return 0\n}\ngrow()\n",
        Dialect::Ruff,
    );
    let err = r.expect_err("the limit stops it");
    let text = e.render_error(&err);
    assert!(text.contains("memory limit exceeded"), "{text}");
    assert!(captured(&buf).is_empty());
}

#[test]
fn million_deep_recursion_works_compiled_on_a_small_native_stack() {
    // A 2 MiB thread: compiled calls nest on it until it runs low, then the interpreter
    // (stackless) goes on; nothing overflows.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let (w, buf) = capture();
            let mut e = Engine::with_output(w);
            e.set_jit_mode(JitMode::Always);
            e.run_source_as(
                "deep.scm",
                "(define (down n) (if (= n 0) 0 (+ 1 (down (- n 1)))))\n(display (down 999000))\n",
                Dialect::Scheme,
            )
            .map_err(|err| e.render_error(&err))?;
            e.flush();
            Ok::<String, String>(captured(&buf))
        })
        .unwrap();
    let out = handle.join().expect("no crash").expect("no error");
    assert_eq!(out, "999000");
}

#[test]
fn mutual_tail_calls_run_in_constant_space_compiled() {
    let src = "(define (ev? n) (if (= n 0) #t (od? (- n 1))))\n\
               (define (od? n) (if (= n 0) #f (ev? (- n 1))))\n\
               (display (ev? 3000001))\n";
    let p = temp_program("evod.scm", src);
    let o = tandem(&[
        "run",
        "--jit=always",
        "--max-depth",
        "100",
        p.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&o), "#f", "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn the_engine_has_the_jit_and_its_modes() {
    let e = Engine::new();
    assert!(e.jit_available());
    assert_eq!(e.jit_mode(), JitMode::Auto);
    let mut e = Engine::with_output(Box::new(std::io::sink()));
    e.set_jit_mode(JitMode::Always);
    e.set_caps(Caps::ALL);
    e.run_source("x.ruff", "func f(a) { return a + 1 }\nf(1)\n")
        .unwrap();
    assert!(e.jit_stats().starts_with("jit: "), "{}", e.jit_stats());
    assert!(stats(&e.jit_stats()).0 >= 2, "{}", e.jit_stats());
}

/// A small recursive function is compiled with a copy of itself inline at its calls:
/// a type change deep in the recursion, an error several levels down (with its trace),
/// and the depth limit must all behave as in the interpreter, in inlined copies too.
#[test]
fn recursive_functions_inlined_into_themselves_keep_every_promise() {
    let src = "func f(n, x) {\n  if n < 1 { return x }\n  return f(n - 1, x) + f(n - 2, x)\n}\n\
               func g(n) {\n  if n == 3 { throw(\"at three\") }\n  if n < 1 { return 0 }\n  return g(n - 1) + 1\n}\n\
               func deep(n) {\n  if n == 0 { return 0 }\n  return 1 + deep(n - 1)\n}\n\
               for i in range(3000) { f(6, 1) }\n\
               print(f(12, 1))\nprint(f(12, 0.5))\nprint(f(5, \"s\"))\n\
               caught := 0\nfor i in range(600) { try { g(8) } except e { caught := caught + 1 } }\n\
               print(caught)\nprint(deep(5000))\ng(7)\n";
    let (o_out, o_err, o_code) = run("--jit=off", "selfinline.ruff", src);
    assert_eq!(o_out, "377\n188.5\nsssssssssssss\n600\n5000\n", "{o_err}");
    assert_eq!(o_code, Some(4), "{o_err}");
    let strip = |e: &str| {
        e.lines()
            .filter(|l| !l.starts_with("jit: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for mode in ["--jit=always", "--jit=auto"] {
        let (out, err, code) = run(mode, "selfinline.ruff", src);
        assert_eq!(
            (out.as_str(), code),
            (o_out.as_str(), o_code),
            "{mode}: {err}"
        );
        assert_eq!(strip(&err), strip(&o_err), "{mode}");
        assert_eq!(stats(&err).5, 0, "{mode}: {err}");
    }
    // It did inline itself: `f` compiled with a region for each of its two self calls
    // (the trace names each compilation's regions).
    let p = temp_program("selfinline_trace.ruff", src);
    let o = common::command(&["run", "--jit=always", p.to_str().unwrap()])
        .env("TANDEM_JIT_TRACE", "1")
        .output()
        .expect("run tandem");
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l.starts_with("jit: compiled f at 0 (3 regions")),
        "{err}"
    );
    // The depth limit counts inlined frames too.
    let p = temp_program("selfdepth.ruff", "func deep(n) {\n  if n == 0 { return 0 }\n  return 1 + deep(n - 1)\n}\nfor i in range(2000) { deep(3) }\nprint(deep(100000))\n");
    let off = tandem(&[
        "run",
        "--jit=off",
        "--max-depth",
        "1000",
        p.to_str().unwrap(),
    ]);
    for mode in ["--jit=always", "--jit=auto"] {
        let o = tandem(&["run", mode, "--max-depth", "1000", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), off.status.code(), "{mode}");
        assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
        assert_eq!(stderr(&o), stderr(&off), "{mode}");
    }
}

/// Loads from arrays and struct fields are speculated to give the type the values held
/// when the code was compiled (`hints.rs`): when an element or a field changes type, the
/// guard deoptimizes after the load, the site is recompiled without the hint, and every
/// result stays the interpreter's.
#[test]
fn hinted_loads_deoptimize_when_an_element_or_a_field_changes_type() {
    let src = "struct P { x: float, y: float }\n\
               func total(a) {\n  s := 0.0\n  for i in range(len(a)) { s := s + a[i] * 2.0 }\n  return s\n}\n\
               func norm(p) { return p.x * p.x + p.y * p.y }\n\
               func rows(m) {\n  s := 0\n  for r in range(len(m)) {\n    row := m[r]\n    for c in range(len(row)) { s := s + row[c] }\n  }\n  return s\n}\n\
               a := []\nfor i in range(2000) { push(a, i * 0.5) }\n\
               t := 0.0\nfor k in range(600) { t := t + total(a) }\nprint(t)\n\
               a[1500] := 7\nprint(total(a))\na[10] := \"x\"\n\
               try { total(a) } except e { print(\"caught\") }\n\
               p := P { x: 3.0, y: 4.0 }\nn := 0.0\nfor k in range(3000) { n := n + norm(p) }\nprint(n)\n\
               p.x := 2\nprint(norm(p))\np.y := true\ntry { norm(p) } except e { print(\"caught\") }\n\
               m := [[1, 2, 3], [4, 5, 6]]\nr := 0\nfor k in range(3000) { r := r + rows(m) }\nprint(r)\n\
               m[1][2] := 6.5\nprint(rows(m))\n";
    let (o_out, o_err, o_code) = run("--jit=off", "hints.ruff", src);
    assert_eq!(o_code, Some(0), "{o_err}");
    assert_eq!(
        o_out, "1199400000\n1997514\ncaught\n75000\n20\ncaught\n63000\n21.5\n",
        "{o_err}"
    );
    for mode in ["--jit=always", "--jit=auto"] {
        let (out, err, code) = run(mode, "hints.ruff", src);
        assert_eq!(
            (out.as_str(), code),
            (o_out.as_str(), o_code),
            "{mode}: {err}"
        );
        let (_, _, _, deopts, _, failures) = stats(&err);
        assert_eq!(failures, 0, "{mode}: {err}");
        assert!(
            deopts >= 1,
            "{mode}: the changed types must deoptimize: {err}"
        );
        assert!(err.contains("element type"), "{mode}: {err}");
    }
}

/// Two closures of different functions (each with its own upvalue) tail-call each other
/// through globals: compiled as one unit, whose frame's running closure lives in a machine
/// register between the regions (`Lower::fclo`). Each region must read its own closure's
/// upvalue, and an uncaught error deep in the mutual recursion must print the same message,
/// location and trace as the interpreter.
#[test]
fn mutual_tail_calls_between_closures_keep_their_upvalues_and_traces() {
    let ruff = "func make_ping(k) {\n  return func(n) {\n    if n <= 0 { return k }\n\
                return pong(n - 1)\n  }\n}\nfunc make_pong(k) {\n  return func(n) {\n\
                if n <= 0 { return k * 2 }\n    if n == boom { return n / zero }\n\
                return ping(n - 1)\n  }\n}\nping := make_ping(3)\npong := make_pong(5)\n\
                boom := -1\nzero := 0\ntotal := 0\ni := 0\n\
                while i < 3000 {\n  total = total + ping(i % 101)\n  i = i + 1\n}\n\
                print(total)\nboom := 37\nprint(ping(80))\n";
    let scheme = "(define (make-ping k) (lambda (n) (if (<= n 0) k (pong (- n 1)))))\n\
                  (define (make-pong k)\n  (lambda (n)\n    (cond ((<= n 0) (* k 2))\n\
                  ((= n boom) (car n))\n          (else (ping (- n 1))))))\n\
                  (define ping (make-ping 3))\n(define pong (make-pong 5))\n(define boom -1)\n\
                  (define (run i total)\n  (if (< i 3000) (run (+ i 1) (+ total (ping (modulo i 101)))) total))\n\
                  (display (run 0 0)) (newline)\n(set! boom 37)\n(display (ping 80)) (newline)\n";
    for (name, src, trace) in [
        ("pingpong.ruff", ruff, "pingpong.ruff:10:27)\n  at <main> ("),
        ("pingpong.scm", scheme, "pingpong.scm:5:13)\n  at <main> ("),
    ] {
        let strip_stats = |err: &str| -> String {
            err.lines()
                .filter(|l| !l.starts_with("jit: "))
                .map(|l| format!("{l}\n"))
                .collect()
        };
        let reference = run("--jit=off", name, src);
        let reference = (reference.0, strip_stats(&reference.1), reference.2);
        // 19395: ping(n) is 3 for even n and 10 for odd n, summed over i % 101.
        assert!(reference.0.starts_with("19395\n"), "{name}: {reference:?}");
        assert!(reference.1.contains(trace), "{name}: {}", reference.1);
        assert_eq!(reference.2, Some(4), "{name}: {}", reference.1);
        for mode in ["--jit=always", "--jit=auto"] {
            let (out, err, code) = run(mode, name, src);
            assert!(stats(&err).0 >= 1, "{name} {mode}: compiled: {err}");
            let err = strip_stats(&err);
            assert_eq!(
                (out.as_str(), err.as_str(), code),
                (reference.0.as_str(), reference.1.as_str(), reference.2),
                "{name} {mode}"
            );
        }
    }
}

/// A function that calls itself through its global calls its own compiled code directly,
/// and sets the self-entry bit of the frame index (`lower::SELF_ENTRY`, `0x4000_0000`) so
/// the callee skips its entry checks; a function that does not call itself has no second
/// entry to test for. Seen in the IR that `TANDEM_JIT_DUMP` prints as each body compiles.
#[test]
fn only_a_function_that_calls_itself_gets_a_self_entry() {
    let src = "func sq(x) { return x * x }\n\
               func fib(n) {\n  if n < 2 { return n }\n  return fib(n - 1) + fib(n - 2)\n}\n\
               s := 0\nfor i in range(2000) { s := s + sq(i) }\n\
               print(fib(20))\nprint(s)\n";
    let p = temp_program("own.ruff", src);
    let o = command(&["run", "--jit=auto", p.to_str().unwrap()])
        .env("TANDEM_JIT_DUMP", "1")
        .output()
        .expect("run tandem");
    assert_eq!(stdout(&o), "6765\n2664667000\n");
    let err = stderr(&o);
    // The IR of each function compiled at its start ("jit: NAME entered at 0").
    let ir_of = |name: &str| -> String {
        let head = format!("jit: {name} entered at 0\n");
        let at = err
            .find(&head)
            .unwrap_or_else(|| panic!("{name} compiled: {err}"));
        let rest = &err[at + head.len()..];
        rest[..rest.find("\njit: ").unwrap_or(rest.len())].to_string()
    };
    let fib = ir_of("fib");
    assert!(
        fib.contains("= call fn0("),
        "fib calls itself directly:\n{fib}"
    );
    assert!(
        fib.contains("0x4000_0000"),
        "fib tests the self-entry bit:\n{fib}"
    );
    let sq = ir_of("sq");
    assert!(!sq.contains("0x4000_0000"), "sq has no self entry:\n{sq}");
    assert!(!sq.contains("call fn0("), "sq does not call itself:\n{sq}");
}

/// Two globals hold closures of one function with different upvalues, and the function
/// calls both (as itself, compiled: a direct call of its own code that skips the entry's
/// checks). Each call must run its own closure, and a float argument after int ones must
/// still be checked.
#[test]
fn calls_of_one_function_through_two_globals_keep_each_closure() {
    let ruff = "func make(k) {\n  return func(n) {\n    if n <= 0 { return k }\n\
                if n % 3 == 0 { return g(n - 1) + 1 }\n    if n % 5 == 0 { return f(n - 1) }\n\
                return f(n - 1) + k\n  }\n}\nf := make(1)\ng := make(100)\ntotal := 0\ni := 0\n\
                while i < 2000 {\n  total = total + f(i % 40) + g(i % 7)\n  i = i + 1\n}\n\
                print(total)\nprint(f(2.5))\n";
    let scheme = "(define (make k)\n  (lambda (n)\n    (cond ((<= n 0) k)\n\
                  ((= 0 (modulo n 3)) (+ (g (- n 1)) 1))\n\
                  ((= 0 (modulo n 5)) (f (- n 1)))\n          (else (+ (f (- n 1)) k)))))\n\
                  (define f (make 1))\n(define g (make 100))\n(define (run i total)\n\
                  (if (< i 2000) (run (+ i 1) (+ total (f (modulo i 40)) (g (modulo i 7)))) total))\n\
                  (display (run 0 0)) (newline)\n(display (f 2.5)) (newline)\n";
    // 1209989: the same program in Python.
    for (name, src, want) in [
        ("two.ruff", ruff, "1209989\n4\n"),
        ("two.scm", scheme, "1209989\n4\n"),
    ] {
        for mode in ["--jit=off", "--jit=always", "--jit=auto"] {
            let (out, err, code) = run(mode, name, src);
            assert_eq!(
                (out.as_str(), code),
                (want, Some(0)),
                "{name} {mode}: {err}"
            );
            if mode != "--jit=off" {
                assert!(stats(&err).0 >= 1, "{name} {mode}: compiled: {err}");
            }
        }
    }
}

/// A function that calls only itself checks the global it calls itself through once, when
/// it is entered (`Spec::stable`), not at each call. Rebinding that global between two
/// entries must still be seen: the next entry deoptimizes, and the calls reach the new
/// function, in both dialects.
#[test]
fn a_self_recursive_function_sees_its_global_rebound_between_entries() {
    let ruff = "func fib(n) {\n  if n < 2 { return n }\n  return fib(n - 1) + fib(n - 2)\n}\n\
                print(fib(20))\nold := fib\n\
                fib := func(n) { return 100 }\n\
                print(old(20))\nprint(old(1))\n";
    let scheme = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))\n\
                  (display (fib 20)) (newline)\n(define old fib)\n\
                  (set! fib (lambda (n) 100))\n\
                  (display (old 20)) (newline) (display (old 1)) (newline)\n";
    for (name, src) in [("rebind.ruff", ruff), ("rebind.scm", scheme)] {
        for mode in ["--jit=off", "--jit=always", "--jit=auto"] {
            let (out, err, code) = run(mode, name, src);
            assert_eq!(
                (out.as_str(), code),
                ("6765\n200\n1\n", Some(0)),
                "{name} {mode}: {err}"
            );
            if mode != "--jit=off" {
                assert!(stats(&err).0 >= 1, "{name} {mode}: fib compiled: {err}");
            }
        }
    }
}
