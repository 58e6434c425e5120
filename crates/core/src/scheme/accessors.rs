//! Calls of a record type's accessors, modifiers and predicates, compiled in place.
//!
//! `define-record-type` makes each accessor a procedure that checks its argument's type and
//! then reads a field (`records.rs`): `(point-x p)` costs a call, a native type test and a
//! return. When the accessor is defined once at the top of this module and never assigned,
//! the call `(point-x e)` becomes
//!
//! ```text
//! (if (%record-instance? p <point>) p.x (point-x p))
//! ```
//!
//! and a modifier's `(set-point-x! e v)` becomes `(if (%record-instance? p <point>) p.x := v
//! (set-point-x! p v))`, where `p` (and `v`) are the arguments themselves when they are
//! locals or constants, else new locals bound to them first, in order (each argument is
//! computed once, as for the call). The test reads the type's global at the call, as the
//! procedure does. The bytecode compiler makes the test and the access one instruction
//! (`RECGET` / `RECSET`, `tandem_vm`'s `compile/records.rs`), which falls into the call
//! when the test fails. Anything that fails the test calls the procedure itself, which
//! raises its own error, with its own frame in the stack trace: nothing a program can
//! observe changes. A predicate's call `(point? e)` becomes [`Prim::RecordPred`] (`RECIS`):
//! the type test, unless the predicate's global is not defined yet or the type's global
//! holds no struct type, when it calls the predicate. Decided after expansion, with the module's definitions and assignments
//! known (like the inlining of builtins).

use crate::ir::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// What a record procedure does when its argument has the right type.
#[derive(Clone)]
struct Access {
    /// The global holding the record type.
    ty: String,
    /// The field; `None` for the type's predicate.
    field: Option<String>,
    /// A modifier (two parameters; the value of the call is null).
    modifier: bool,
}

/// Rewrite the calls of the module's record accessors and modifiers in place (see the
/// module comment). `assigned`: the globals the module assigns anywhere; `redefined`:
/// the names that are not the builtins here (a predicate's test is the builtin
/// `%record-instance?`'s only when that is not one of them).
pub(crate) fn inline_record_calls(
    module: &mut Module,
    assigned: &FxHashSet<String>,
    redefined: &FxHashSet<String>,
) {
    let mut procs = record_procedures(module, assigned);
    if redefined.contains("%record-instance?") {
        procs.retain(|_, a| a.field.is_some());
    }
    if procs.is_empty() {
        return;
    }
    let set_locals = assigned_locals(module);
    for fid in 0..module.funcs.len() {
        let span = module.funcs[fid].span;
        let mut body = std::mem::replace(&mut module.funcs[fid].body, Expr::null(span));
        let mut new_var = |span| module.add_var("record", fid as FuncId, true, span);
        let mut stack: Vec<&mut Expr> = vec![&mut body];
        while let Some(e) = stack.pop() {
            if let Some(new) = rewrite(e, &procs, &set_locals, &mut new_var) {
                // The original call is now the `else` branch, its callee wrapped: it is not
                // rewritten again, but calls in its arguments are.
                *e = new;
            }
            stack.extend(Expr::children_mut(e));
        }
        module.funcs[fid].body = body;
    }
}

/// The locals the module assigns anywhere after their definition.
fn assigned_locals(module: &Module) -> FxHashSet<VarId> {
    let mut out = FxHashSet::default();
    let mut stack: Vec<&Expr> = module.funcs.iter().map(|f| &f.body).collect();
    while let Some(e) = stack.pop() {
        if let ExprKind::SetLocal(v, _) = &e.kind {
            out.insert(*v);
        }
        stack.extend(e.children());
    }
    out
}

/// The record procedure call `e` in place, when it is one of `procs` with the right number
/// of arguments. An argument that is not a local or a constant is first bound to a new
/// local (`new_var`), in order, so that the test, the access and the call for the error
/// all see the values the call would have received, each computed once; so is the object
/// of a modifier whose value is computed, when it is a local assigned somewhere
/// (`set_locals`): the value's code might assign it.
fn rewrite(
    e: &Expr,
    procs: &FxHashMap<String, Access>,
    set_locals: &FxHashSet<VarId>,
    new_var: &mut impl FnMut(tandem_syntax::Span) -> VarId,
) -> Option<Expr> {
    let ExprKind::Call { callee, args, .. } = &e.kind else {
        return None;
    };
    let ExprKind::Global(g) = &callee.kind else {
        return None;
    };
    let a = procs.get(g)?;
    if args.len() != 1 + usize::from(a.modifier) {
        return None;
    }
    let span = e.span;
    let mk = |kind| Expr::new(kind, span);
    let Some(field) = &a.field else {
        // A predicate: its argument is computed once, by the instruction's code.
        let globals = [a.ty.clone(), g.clone()].map(|n| mk(ExprKind::Global(n)));
        let mut args = args.clone();
        args.extend(globals);
        return Some(mk(ExprKind::Prim(Prim::RecordPred, args)));
    };
    let all_plain = args.iter().all(plain);
    let mut binds = Vec::new();
    let mut args: Vec<Expr> = args
        .iter()
        .map(|x| {
            let keep = match &x.kind {
                ExprKind::Const(_) => true,
                ExprKind::Local(v) => all_plain || !set_locals.contains(v),
                _ => false,
            };
            if keep {
                return x.clone();
            }
            let v = new_var(x.span);
            binds.push(mk(ExprKind::Define(v, Box::new(x.clone()))));
            mk(ExprKind::Local(v))
        })
        .collect();
    let obj = &args[0];
    let test = mk(ExprKind::Call {
        callee: Box::new(mk(ExprKind::Global("%record-instance?".into()))),
        args: vec![obj.clone(), mk(ExprKind::Global(a.ty.clone()))],
        tail: false,
    });
    let access = if a.modifier {
        ExprKind::SetField(
            Box::new(obj.clone()),
            field.clone(),
            Box::new(args[1].clone()),
        )
    } else {
        ExprKind::Field(Box::new(obj.clone()), field.clone())
    };
    // The call for the error: through the procedure's value (`GETGLOBAL` and `CALL`, not
    // `CALLG`), so the JIT does not compile the procedure inline on a path that only
    // raises.
    let fallback = mk(ExprKind::Call {
        callee: Box::new(mk(ExprKind::Block(vec![(**callee).clone()]))),
        args: std::mem::take(&mut args),
        tail: false,
    });
    let test = mk(ExprKind::If {
        cond: Box::new(test),
        then: Box::new(mk(access)),
        else_: Box::new(fallback),
        truth: Truth::Scheme,
    });
    if binds.is_empty() {
        return Some(test);
    }
    binds.push(test);
    Some(mk(ExprKind::Block(binds)))
}

/// An expression that can be evaluated twice as if once: a local variable or a constant.
fn plain(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Local(_) | ExprKind::Const(_))
}

/// The module's record accessors, modifiers and predicates that may be compiled in
/// place: defined once, at the top level, never assigned, with the body `records.rs`
/// gives them.
fn record_procedures(module: &Module, assigned: &FxHashSet<String>) -> FxHashMap<String, Access> {
    super::forward::fixed_functions(module, assigned)
        .into_iter()
        .filter_map(|(name, f)| Some((name.to_string(), access_of(f)?)))
        .collect()
}

/// What `f` does, when it is a record accessor, modifier or predicate as `records.rs`
/// makes them: `(if (%record-instance? obj T) obj.field ...)`, `(if (...) obj.field :=
/// value ...)` or `(%record-instance? obj T)`.
fn access_of(f: &Func) -> Option<Access> {
    if f.rest.is_some() || f.params.is_empty() || f.params.len() > 2 {
        return None;
    }
    let body = super::forward::only_expr(&f.body);
    let (test, then) = match &body.kind {
        ExprKind::If { cond, then, .. } => (&**cond, Some(&**then)),
        _ => (body, None),
    };
    let ExprKind::Call { callee, args, .. } = &test.kind else {
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
    let access = |field: &String, modifier| {
        Some(Access {
            ty: ty.clone(),
            field: Some(field.clone()),
            modifier,
        })
    };
    match (then.map(|t| &t.kind), f.params.len()) {
        (None, 1) => Some(Access {
            ty: ty.clone(),
            field: None,
            modifier: false,
        }),
        (Some(ExprKind::Field(o, field)), 1) if is_param(o, 0) => access(field, false),
        (Some(ExprKind::SetField(o, field, v)), 2) if is_param(o, 0) && is_param(v, 1) => {
            access(field, true)
        }
        _ => None,
    }
}
