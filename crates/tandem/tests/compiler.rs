//! Compiler tests through the disassembler: what the bytecode of a function looks like.

mod common;

use common::{disassemble, function_of};
use tandem::{Dialect, Engine};

/// The disassembly of function `name` (its header line up to the next function).
fn disasm_of(src: &str, name: &str) -> String {
    function_of(&disassemble("t.ruff", src, Dialect::Ruff), name)
}

/// Mnemonics of the instructions, in order.
fn ops(disasm: &str) -> Vec<String> {
    disasm
        .lines()
        .filter(|l| l.starts_with("  0") || l.starts_with("  1"))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .collect()
}

fn count(ops: &[String], op: &str) -> usize {
    ops.iter().filter(|o| *o == op).count()
}

/// Tail calls, in either form (`TAILCALL`, or `TAILCALLG` for a global callee).
fn tail_calls(ops: &[String]) -> usize {
    count(ops, "TAILCALL") + count(ops, "TAILCALLG")
}

/// Ordinary calls, in either form (`CALL`, or `CALLG` for a global callee).
fn plain_calls(ops: &[String]) -> usize {
    count(ops, "CALL") + count(ops, "CALLG")
}

/// The disassembly and mnemonics of function `name` in `src`, checked: it makes `tail` tail
/// calls and `plain` ordinary calls.
fn assert_calls(src: &str, name: &str, tail: usize, plain: usize) -> (String, Vec<String>) {
    let d = disasm_of(src, name);
    let o = ops(&d);
    assert_eq!(tail_calls(&o), tail, "{d}");
    assert_eq!(plain_calls(&o), plain, "{d}");
    (d, o)
}

#[test]
fn return_of_a_call_is_a_tail_call() {
    assert_calls(
        "func g(x) { return x }\nfunc f(x) { return g(x) }",
        "f",
        1,
        0,
    );
}

#[test]
fn call_inside_arithmetic_is_not_a_tail_call() {
    assert_calls(
        "func g(x) { return x }\nfunc f(x) { return 1 + g(x) }",
        "f",
        0,
        1,
    );
}

#[test]
fn returning_calls_in_if_branches_are_tail_calls() {
    let src = "func g(x) { return x }\nfunc h(x) { return x }\n\
               func f(x) {\n  if x > 0 {\n    print(x)\n    return g(x - 1)\n  } else {\n    return h(x)\n  }\n}";
    // print(x) is not in tail position.
    assert_calls(src, "f", 2, 1);
}

#[test]
fn a_call_statement_at_the_end_is_not_a_tail_call() {
    // Falling off the end returns null, not g's value.
    let (d, o) = assert_calls("func g(x) { return x }\nfunc f(x) { g(x) }", "f", 0, 1);
    assert_eq!(o.last().map(String::as_str), Some("RETURNNULL"), "{d}");
}

#[test]
fn self_tail_recursion_and_else_if_chains() {
    let src = "func count(n, acc) {\n  if n == 0 { return acc }\n  else if n < 0 { return count(0 - n, acc) }\n  return count(n - 1, acc + 1)\n}";
    let (d, o) = assert_calls(src, "count", 2, 0);
    // n == 0 compiles to a fused compare-with-immediate-and-branch.
    assert!(o.iter().any(|x| x == "JMPNEQI"), "{d}");
}

#[test]
fn disassembly_shows_source_lines() {
    let d = disasm_of("func f(x) {\n  return x * 2\n}", "f");
    assert!(
        d.contains("|   return x * 2") || d.contains("| return x * 2"),
        "{d}"
    );
    assert!(d.contains("MUL"), "{d}");
}

#[test]
fn captured_and_reassigned_variables_are_boxed() {
    let src = "func mk() {\n  mut n := 0\n  return func() { n := n + 1\n return n }\n}";
    let d = disasm_of(src, "mk");
    assert!(d.contains("NEWBOX"), "{d}");
    let inner = disasm_of(src, "<anonymous>");
    assert!(inner.contains("(boxed)"), "{inner}");
    assert!(inner.contains("SETUPBOX"), "{inner}");
}

#[test]
fn captured_but_never_reassigned_variables_are_copied() {
    let src = "func mk(k) {\n  return func(x) { return x + k }\n}";
    let mk = disasm_of(src, "mk");
    assert!(!mk.contains("NEWBOX"), "{mk}");
    let inner = disasm_of(src, "<anonymous>");
    assert!(inner.contains("GETUPVAL "), "{inner}");
}

#[test]
fn for_range_does_not_build_an_array() {
    let d = disasm_of(
        "func f(n) {\n  s := 0\n  for i in range(n) { s += i }\n  return s\n}",
        "f",
    );
    let o = ops(&d);
    assert!(o.iter().any(|x| x == "RANGEPREP"), "{d}");
    assert!(o.iter().any(|x| x == "RANGENEXT"), "{d}");
    assert_eq!(plain_calls(&o), 0, "{d}");
}

#[test]
fn for_over_a_rebound_range_calls_it() {
    // A local or a top-level `range` of the file's own is not the builtin: a real call.
    for src in [
        "func f(n, range) {\n  s := 0\n  for i in range(n) { s += i }\n  return s\n}",
        "func range(n) { return [n] }\nfunc f(n) {\n  s := 0\n  for i in range(n) { s += i }\n  return s\n}",
    ] {
        let d = disasm_of(src, "f");
        let o = ops(&d);
        assert!(!o.iter().any(|x| x == "RANGEPREP"), "{d}");
        assert!(plain_calls(&o) >= 1, "{d}");
    }
}

#[test]
fn small_constants_use_immediate_forms() {
    let d = disasm_of(
        "func f(i, j) {\n  if i < 2 { return i * 3 }\n  return (i % 7) + (j - 1) + i * j\n}",
        "f",
    );
    let o = ops(&d);
    for op in ["JMPNLTI", "MULI", "MODI", "ADDI", "MUL"] {
        assert!(o.iter().any(|x| x == op), "missing {op} in\n{d}");
    }
    // No constant loads left for the small ints.
    assert_eq!(count(&o, "LOADI"), 0, "{d}");
}

#[test]
fn try_body_calls_are_not_tail_calls() {
    // The call inside `try` keeps its handler; the one in `except` may be a tail call.
    let (d, o) = assert_calls(
        "func g(x) { return x }\nfunc f(x) {\n  try { return g(x) } except e { return g(0) }\n}",
        "f",
        1,
        1,
    );
    assert!(o.iter().any(|x| x == "TRYBEGIN"), "{d}");
}

#[test]
fn calls_of_global_functions_load_the_callee_in_the_call() {
    let d = disasm_of(
        "func g(x) { return x }\nfunc f(x) { return g(x) + g(x) }",
        "f",
    );
    let o = ops(&d);
    assert_eq!(count(&o, "CALLG"), 2, "{d}");
    assert_eq!(count(&o, "GETGLOBAL"), 0, "{d}");
    // A callee that is a local is still called through a register.
    let d = disasm_of("func f(h) { return 1 + h(2) }", "f");
    assert_eq!(count(&ops(&d), "CALL"), 1, "{d}");
}

#[test]
fn too_many_variant_values_is_a_compile_error_not_a_truncation() {
    let fields: Vec<String> = (0..201).map(|i| format!("f{i}")).collect();
    let values: Vec<String> = (0..201).map(|i| i.to_string()).collect();
    let src = format!(
        "enum Big {{ V({}) }}\nx := Big::V({})\n",
        fields.join(", "),
        values.join(", ")
    );
    let err = compile_error(&src);
    assert!(err.contains("too many arguments"), "{err}");
}

/// The compile error for `src`, rendered.
fn compile_error(src: &str) -> String {
    let mut e = Engine::with_output(Box::new(std::io::sink()));
    match e.compile_source("t.ruff", src, Dialect::Ruff) {
        Ok(_) => panic!("compiled:\n{src}"),
        Err(err) => e.render_error(&err),
    }
}

#[test]
fn too_many_payload_values_in_a_declaration_or_pattern_is_an_error_not_a_clamp() {
    let names = |n: usize| {
        (0..n)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Declared: 256 payload fields do not fit (they used to become 255).
    let err = compile_error(&format!("enum Big {{ V({}) }}\n", names(256)));
    assert!(
        err.contains("variant 'V' has 256 payload values (the limit is 255)"),
        "{err}"
    );
    assert!(err.contains("t.ruff:1:12"), "{err}");
    // Matched: the arity test and the field indexes (which wrapped past 255).
    for pattern in [
        format!("Some({})", names(300)),
        format!("Big::V({})", names(256)),
    ] {
        let src = format!(
            "enum Big {{ V(x) }}\nx := 1\nmatch x {{\n    case {pattern}: {{ print(1) }}\n}}\n"
        );
        let err = compile_error(&src);
        assert!(err.contains("payload values (the limit is 255)"), "{err}");
        assert!(err.contains("t.ruff:4:10"), "{err}");
    }
    // 255 is fine.
    let mut e = Engine::with_output(Box::new(std::io::sink()));
    let src = format!("enum Big {{ V({}) }}\n", names(255));
    assert!(e.compile_source("t.ruff", &src, Dialect::Ruff).is_ok());
}
