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

/// A chain of 20,000 nested functions (as a long `let*-values` makes, with a thunk beside
/// each) resolves in linear time: the resolver once sorted the functions by a depth it
/// recomputed in every comparison, O(F·depth·log F), which took most of a minute here.
#[test]
fn deeply_nested_functions_resolve_quickly() {
    let n = 20_000u32;
    let sp = Span::default();
    let mk = |kind| Expr::new(kind, sp);
    let mut m = Module::default();
    // Function 2k+1 is the chain's k-th; function 2k+2 a leaf made by function 0, so that
    // creation order is not sorted by depth.
    let func = |name: String, body, parent| Func {
        name,
        params: Vec::new(),
        rest: None,
        rest_list: false,
        body,
        span: sp,
        parent,
        upvalues: Vec::new(),
    };
    let mut main = vec![mk(ExprKind::Closure(1))];
    main.extend((0..n).map(|k| mk(ExprKind::Closure(2 * k + 2))));
    m.funcs
        .push(func("main".into(), mk(ExprKind::Block(main)), None));
    for k in 0..n {
        let body = if k + 1 == n {
            mk(ExprKind::Local(0))
        } else {
            mk(ExprKind::Closure(2 * k + 3))
        };
        let parent = if k == 0 { 0 } else { 2 * k - 1 };
        m.funcs.push(func(format!("f{k}"), body, Some(parent)));
        m.funcs
            .push(func(format!("leaf{k}"), Expr::null(sp), Some(0)));
    }
    m.vars.push(VarInfo {
        name: "x".into(),
        func: 0,
        mutable: false,
        captured: false,
        reassigned: false,
        boxed: false,
        span: sp,
    });
    let start = std::time::Instant::now();
    tandem_core::resolve::resolve(&mut m);
    let took = start.elapsed();
    assert!(took.as_secs_f64() < 2.0, "resolve took {took:?}");
    // The innermost function's use of `x` reaches it through every function in between.
    assert!(m.vars[0].captured && !m.vars[0].boxed);
    assert_eq!(m.funcs[1].upvalues, vec![(0, Capture::Local(0))]);
    for k in 1..n as usize {
        let f = &m.funcs[2 * k + 1];
        assert_eq!(f.upvalues, vec![(0, Capture::Upvalue(0))], "{}", f.name);
        assert!(m.funcs[2 * k + 2].upvalues.is_empty());
    }
}
