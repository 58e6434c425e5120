//! Loopification of local tail-recursive functions, on hand-made shapes.

use tandem_core::ir::*;
use tandem_syntax::{FileId, Span};

fn lower_ruff(src: &str) -> Module {
    let program = tandem_syntax::ruff::parse(src, FileId(0)).expect("parses");
    tandem_core::lower_ruff::lower_program(&program, Span::default(), &|_| false, &[])
        .unwrap_or_else(|d| panic!("lowering failed: {:?}", d[0].message))
}

fn count_loops(e: &Expr) -> usize {
    let own = usize::from(matches!(e.kind, ExprKind::Loop { .. }));
    own + e.children().into_iter().map(count_loops).sum::<usize>()
}

/// The block `{ func f(i) {...}  f(0) }` lowers to exactly loopify's shape
/// `[Define(f, null), SetLocal(f, Closure), Call(f, 0)]`.
#[test]
fn a_body_with_return_is_not_made_a_loop() {
    // Inlined into `<main>`, `return i` would return from `<main>`: it must stay a function.
    let mut m = lower_ruff("{ func f(i) { if i < 10 { return f(i + 1) }\n return i }\n f(0) }");
    // The shape is the one loopify looks for (else this test would pass vacuously).
    let ExprKind::Block(main) = &m.func(m.entry).body.kind else {
        panic!("main is a block")
    };
    let ExprKind::Block(items) = &main[0].kind else {
        panic!("the inner block: {:?}", main[0])
    };
    assert!(
        matches!(
            &items[..],
            [
                Expr { kind: ExprKind::Define(..), .. },
                Expr { kind: ExprKind::SetLocal(_, clo), .. },
                Expr { kind: ExprKind::Call { .. }, .. },
            ] if matches!(clo.kind, ExprKind::Closure(_))
        ),
        "{items:?}"
    );
    tandem_core::loopify::loopify(&mut m);
    assert_eq!(count_loops(&m.func(m.entry).body), 0);
    assert!(m.funcs.iter().any(|f| f.name == "f"));
}
