//! Resolver tests: captured and boxed variables, upvalue chains, tail positions.

use tandem_core::ir::*;
use tandem_syntax::{FileId, Span};

fn lower(src: &str) -> Module {
    let program = tandem_syntax::ruff::parse(src, FileId(0)).expect("parses");
    tandem_core::lower_ruff::lower_program(&program, Span::default(), &|n| n == "print", &[])
        .unwrap_or_else(|d| panic!("lowering failed: {:?}", d[0].message))
}

fn var<'m>(m: &'m Module, name: &str) -> &'m VarInfo {
    m.vars
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no variable {name}"))
}

fn func<'m>(m: &'m Module, name: &str) -> &'m Func {
    m.funcs
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

/// Every call in `e`, with its tail flag, in evaluation order.
fn calls(e: &Expr, out: &mut Vec<bool>) {
    let mut sub = |x: &Expr| calls(x, out);
    match &e.kind {
        ExprKind::Call { callee, args, tail } => {
            // Record this call after its operands.
            let mut inner = Vec::new();
            calls(callee, &mut inner);
            for a in args {
                calls(a, &mut inner);
            }
            out.extend(inner);
            out.push(*tail);
        }
        ExprKind::Define(_, x)
        | ExprKind::SetLocal(_, x)
        | ExprKind::SetGlobal(_, x)
        | ExprKind::DefineGlobal(_, _, x)
        | ExprKind::Return(x) => sub(x),
        ExprKind::Block(xs) | ExprKind::Prim(_, xs) => xs.iter().for_each(sub),
        ExprKind::If {
            cond, then, else_, ..
        } => {
            sub(cond);
            sub(then);
            sub(else_);
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Coalesce(a, b) => {
            sub(a);
            sub(b);
        }
        ExprKind::While { cond, body, .. } => {
            sub(cond);
            sub(body);
        }
        ExprKind::ForEach { iter, body, .. } => {
            sub(iter);
            sub(body);
        }
        _ => {}
    }
}

fn tail_flags(m: &Module, fname: &str) -> Vec<bool> {
    let mut out = Vec::new();
    calls(&func(m, fname).body, &mut out);
    out
}

#[test]
fn read_only_capture_is_not_boxed() {
    let m = lower("func mk(k) { return func(x) { return x + k } }");
    let k = var(&m, "k");
    assert!(k.captured);
    assert!(!k.reassigned);
    assert!(!k.boxed);
    let inner = func(&m, "<anonymous>");
    assert_eq!(inner.upvalues.len(), 1);
    assert!(matches!(inner.upvalues[0].1, Capture::Local(_)));
}

#[test]
fn reassigned_capture_is_boxed() {
    let m = lower("func mk() { mut n := 0\n return func() { n := n + 1\n return n } }");
    let n = var(&m, "n");
    assert!(n.captured && n.reassigned && n.boxed);
}

#[test]
fn reassigned_but_not_captured_is_not_boxed() {
    let m = lower("func f() { mut n := 0\n n := n + 1\n return n }");
    let n = var(&m, "n");
    assert!(!n.captured && n.reassigned && !n.boxed);
}

#[test]
fn self_referencing_local_function_is_boxed() {
    let m = lower("func outer() {\n func loop_(i) { if i == 0 { return 0 } return loop_(i - 1) }\n return loop_(3)\n}");
    let l = var(&m, "loop_");
    assert!(l.captured, "the inner function refers to itself");
    assert!(l.boxed, "captured before its definition completes");
}

#[test]
fn upvalues_thread_through_intermediate_functions() {
    let m = lower(
        "func a() { mut x := 1\n func b() { func c() { x := x + 1\n return x }\n return c }\n return b }",
    );
    let b = func(&m, "b");
    let c = func(&m, "c");
    assert_eq!(b.upvalues.len(), 1, "b carries x for c");
    assert!(matches!(b.upvalues[0].1, Capture::Local(_)));
    assert_eq!(c.upvalues.len(), 1);
    assert!(matches!(c.upvalues[0].1, Capture::Upvalue(0)));
    assert!(var(&m, "x").boxed);
}

#[test]
fn globals_are_not_captured() {
    let m = lower("g := 1\nfunc f() { g := 2\n return g }");
    assert!(
        m.vars.iter().all(|v| v.name != "g"),
        "g is a global, not a local"
    );
    assert!(func(&m, "f").upvalues.is_empty());
}

#[test]
fn tail_positions() {
    // return f(x): tail. return 1 + f(x): not. A call statement: not.
    let m = lower("func f(x) { return g(x) }\nfunc h(x) { return 1 + g(x) }\nfunc s(x) { g(x) }");
    assert_eq!(tail_flags(&m, "f"), vec![true]);
    assert_eq!(tail_flags(&m, "h"), vec![false]);
    assert_eq!(tail_flags(&m, "s"), vec![false]);
}

#[test]
fn tail_positions_through_if_branches_and_arguments() {
    let m = lower(
        "func f(x) {\n if x { return g(h(x)) } else if x > 1 { return k(x) }\n return m(x) && n(x)\n}",
    );
    // h(x) is an argument (not tail), g(...) is tail, k is tail, m and n are under && (not).
    assert_eq!(tail_flags(&m, "f"), vec![false, true, true, false, false]);
}

#[test]
fn loop_variables_are_fresh_per_iteration() {
    let m = lower("func f(xs) { fs := []\n for x in xs { fs := fs }\n return fs }");
    let x = var(&m, "x");
    assert!(!x.reassigned);
}
