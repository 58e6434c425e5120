//! Calls of a record type's accessors and modifiers, compiled in place.
//!
//! `define-record-type` makes each accessor a procedure that checks its argument's type and
//! then reads a field (`records.rs`): `(point-x p)` costs a call, a native type test and a
//! return. When the accessor is defined once at the top of this module and never assigned,
//! and its argument is a local variable or a constant (so that reading it twice is reading
//! it once), the call `(point-x p)` becomes
//!
//! ```text
//! (if (%record-instance? p <point>) p.x (point-x p))
//! ```
//!
//! and a modifier's `(set-point-x! p v)` becomes `(if (%record-instance? p <point>) p.x := v
//! (set-point-x! p v))`. The test reads the type's global at the call, as the procedure
//! does; `%record-instance?` becomes an instruction ([`Prim::RecordIs`]) as other builtins
//! do, and the field access is the struct field instruction. Anything that fails the test calls the procedure
//! itself, which raises its own error, with its own frame in the stack trace: nothing a
//! program can observe changes. Decided after expansion, with the module's definitions and
//! assignments known (like the inlining of builtins).

use crate::ir::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// What a record procedure does when its argument has the right type.
#[derive(Clone)]
struct Access {
    /// The global holding the record type.
    ty: String,
    field: String,
    /// A modifier (two parameters; the value of the call is null).
    modifier: bool,
}

/// Rewrite the calls of the module's record accessors and modifiers in place (see the
/// module comment). `assigned`: the globals the module assigns anywhere.
pub(crate) fn inline_record_calls(module: &mut Module, assigned: &FxHashSet<String>) {
    let procs = record_procedures(module, assigned);
    if procs.is_empty() {
        return;
    }
    let mut stack: Vec<&mut Expr> = module.funcs.iter_mut().map(|f| &mut f.body).collect();
    while let Some(e) = stack.pop() {
        if let Some(new) = rewrite(e, &procs) {
            // The original call is now the `else` branch, its callee wrapped: it is not
            // rewritten again, but calls in its arguments are.
            *e = new;
        }
        stack.extend(Expr::children_mut(e));
    }
}

/// The record procedure call `e` in place, when it is one of `procs` with an argument read
/// without effects.
fn rewrite(e: &Expr, procs: &FxHashMap<String, Access>) -> Option<Expr> {
    let ExprKind::Call { callee, args, .. } = &e.kind else {
        return None;
    };
    let ExprKind::Global(g) = &callee.kind else {
        return None;
    };
    let a = procs.get(g)?;
    let obj = args.first()?;
    if args.len() != 1 + usize::from(a.modifier) || !plain(obj) {
        return None;
    }
    let span = e.span;
    let mk = |kind| Expr::new(kind, span);
    let test = mk(ExprKind::Call {
        callee: Box::new(mk(ExprKind::Global("%record-instance?".into()))),
        args: vec![obj.clone(), mk(ExprKind::Global(a.ty.clone()))],
        tail: false,
    });
    let access = if a.modifier {
        ExprKind::SetField(
            Box::new(obj.clone()),
            a.field.clone(),
            Box::new(args[1].clone()),
        )
    } else {
        ExprKind::Field(Box::new(obj.clone()), a.field.clone())
    };
    // The call for the error: through the procedure's value (`GETGLOBAL` and `CALL`, not
    // `CALLG`), so the JIT does not compile the procedure inline on a path that only
    // raises.
    let mut fallback = e.clone();
    if let ExprKind::Call { callee, .. } = &mut fallback.kind {
        let global = std::mem::replace(&mut **callee, Expr::null(span));
        **callee = mk(ExprKind::Block(vec![global]));
    }
    Some(mk(ExprKind::If {
        cond: Box::new(test),
        then: Box::new(mk(access)),
        else_: Box::new(fallback),
        truth: Truth::Scheme,
    }))
}

/// An expression that can be evaluated twice as if once: a local variable or a constant.
fn plain(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Local(_) | ExprKind::Const(_))
}

/// The module's record accessors and modifiers that may be compiled in place: defined
/// once, at the top level, never assigned, with the body `records.rs` gives them.
fn record_procedures(module: &Module, assigned: &FxHashSet<String>) -> FxHashMap<String, Access> {
    super::forward::fixed_functions(module, assigned)
        .into_iter()
        .filter_map(|(name, f)| Some((name.to_string(), access_of(f)?)))
        .collect()
}

/// What `f` does, when it is a record accessor or modifier as `records.rs` makes them:
/// `(if (%record-instance? obj T) obj.field ...)` or `(if (...) obj.field := value ...)`.
fn access_of(f: &Func) -> Option<Access> {
    if f.rest.is_some() || f.params.is_empty() || f.params.len() > 2 {
        return None;
    }
    let ExprKind::If { cond, then, .. } = &super::forward::only_expr(&f.body).kind else {
        return None;
    };
    let ExprKind::Call { callee, args, .. } = &cond.kind else {
        return None;
    };
    if !matches!(&callee.kind, ExprKind::Global(g) if g == "%record-instance?") {
        return None;
    }
    let is_param = |e: &Expr, i: usize| matches!(e.kind, ExprKind::Local(v) if v == f.params[i]);
    let ty = match args.as_slice() {
        [o, t] if is_param(o, 0) => match &t.kind {
            ExprKind::Global(ty) => ty.clone(),
            _ => return None,
        },
        _ => return None,
    };
    match (&then.kind, f.params.len()) {
        (ExprKind::Field(o, field), 1) if is_param(o, 0) => Some(Access {
            ty,
            field: field.clone(),
            modifier: false,
        }),
        (ExprKind::SetField(o, field, v), 2) if is_param(o, 0) && is_param(v, 1) => Some(Access {
            ty,
            field: field.clone(),
            modifier: true,
        }),
        _ => None,
    }
}
