//! The IR's own checks: expression height, and dropping trees of any depth.

use tandem_core::ir::*;
use tandem_syntax::{FileId, Span};

fn func(body: Expr, parent: Option<FuncId>) -> Func {
    Func {
        name: "f".into(),
        params: Vec::new(),
        rest: None,
        rest_list: false,
        body,
        span: Span::default(),
        parent,
        upvalues: Vec::new(),
    }
}

/// A chain of `n` nested `if`s (each in the previous one's `else`); node `k` (from the top,
/// 1-based) has the span `k..k`.
fn if_chain(n: usize) -> Expr {
    let sp = |k: usize| Span::new(FileId(0), k, k);
    let mut acc = Expr::null(sp(n));
    for k in (1..n).rev() {
        acc = Expr::new(
            ExprKind::If {
                cond: Box::new(Expr::null(sp(k))),
                then: Box::new(Expr::null(sp(k))),
                else_: Box::new(acc),
                truth: Truth::Scheme,
            },
            sp(k),
        );
    }
    acc
}

#[test]
fn a_million_deep_tree_fails_the_height_check_and_drops_without_overflow() {
    let mut m = Module::default();
    m.funcs.push(func(if_chain(1_000_000), None));
    let err = m.check_height().expect_err("too deep");
    assert_eq!(err.message, "expression nested too deeply");
    // The first node past the limit.
    let at = err.span.expect("a span");
    assert_eq!(at.start as usize, MAX_IR_HEIGHT + 1);
    // Dropping the module (on this test thread's small stack) must not recurse per level.
    drop(m);
}

#[test]
fn height_counts_nodes_and_function_boundaries() {
    let mut m = Module::default();
    m.funcs.push(func(if_chain(100), None));
    assert!(m.check_height_within(100).is_ok());
    assert!(m.check_height_within(99).is_err());
    // Five functions, each body making the next one's closure: the innermost body sits at
    // 1 + 4 * (1 + FUNC_HEIGHT).
    let mut m = Module::default();
    for f in 0..5u32 {
        let body = if f == 4 {
            Expr::null(Span::default())
        } else {
            Expr::new(ExprKind::Closure(f + 1), Span::default())
        };
        m.funcs.push(func(body, f.checked_sub(1)));
    }
    let deepest = 1 + 4 * (1 + FUNC_HEIGHT);
    assert!(m.check_height_within(deepest).is_ok());
    assert!(m.check_height_within(deepest - 1).is_err());
}
