//! Loopification: a local function that is only ever called in tail position from its own
//! body (and once, to start it) is compiled as a loop in the enclosing function. This is the
//! shape of Scheme's named `let` and of `do`:
//!
//! ```text
//! Block[Define(f, null), SetLocal(f, Closure(g)), Call(f, inits)]
//!   =>  Block[Define(p1, init1) ..., Loop(body of g, with each `f(args)` tail call
//!                                    replaced by: assign the parameters; ContinueTo)]
//! ```
//!
//! It applies only when the body makes no closures (which could observe that the loop
//! reuses one binding per parameter instead of a fresh one per call) and when `f` is used
//! nowhere else. The loop runs in the enclosing frame: no call, no frame, no closure.

use crate::ir::*;
use tandem_syntax::Span;

/// The shape this pass looks for (see [`try_loop`]), as named `let` and `do` build it: the
/// local `var` bound to a closure of `func` (defined first, then assigned, so that the
/// closure captures the variable's box), then called with `inits`.
pub(crate) fn local_loop(var: VarId, func: FuncId, inits: Vec<Expr>, span: Span) -> Expr {
    let mk = |kind| Expr::new(kind, span);
    mk(ExprKind::Block(vec![
        mk(ExprKind::Define(var, Box::new(Expr::null(span)))),
        mk(ExprKind::SetLocal(
            var,
            Box::new(mk(ExprKind::Closure(func))),
        )),
        mk(ExprKind::Call {
            callee: Box::new(mk(ExprKind::Local(var))),
            args: inits,
            tail: false,
        }),
    ]))
}

/// Rewrite every eligible local loop in the module (run before `resolve`).
pub fn loopify(module: &mut Module) {
    // Inner functions first (they are created after their parents): an outer loop becomes
    // eligible once the loops inside it no longer make closures.
    for fid in (0..module.funcs.len()).rev() {
        let mut body =
            std::mem::replace(&mut module.funcs[fid].body, Expr::null(Default::default()));
        rewrite(module, fid as FuncId, &mut body);
        module.funcs[fid].body = body;
    }
}

/// Walk `e` (code of function `owner`) looking for the loop pattern.
fn rewrite(module: &mut Module, owner: FuncId, e: &mut Expr) {
    for child in e.children_mut() {
        rewrite(module, owner, child);
    }
    if let ExprKind::Block(items) = &mut e.kind {
        if let Some(new) = try_loop(module, owner, items, e.span) {
            *e = new;
        }
    }
}

fn try_loop(module: &mut Module, owner: FuncId, items: &mut [Expr], span: Span) -> Option<Expr> {
    let [define, set, call] = items else {
        return None;
    };
    let ExprKind::Define(v, init) = &define.kind else {
        return None;
    };
    if !matches!(init.kind, ExprKind::Const(Const::Null)) {
        return None;
    }
    let ExprKind::SetLocal(v2, clo) = &set.kind else {
        return None;
    };
    let ExprKind::Closure(g) = clo.kind else {
        return None;
    };
    let ExprKind::Call { callee, args, .. } = &mut call.kind else {
        return None;
    };
    let v = *v;
    if *v2 != v || !matches!(callee.kind, ExprKind::Local(c) if c == v) {
        return None;
    }
    let func = module.func(g);
    let n = func.params.len();
    if func.rest.is_some() || args.len() != n || func.parent != Some(owner) {
        return None;
    }
    // The inits are evaluated outside the loop: they must not mention the loop.
    if args.iter().any(|a| mentions(a, v)) {
        return None;
    }
    let gbody = &func.body;
    if makes_closure(gbody) || !only_tail_self_calls(gbody, v, n, true) {
        return None;
    }
    // Eligible. The function's variables now live in the enclosing function.
    let params = func.params.clone();
    let mut body = std::mem::replace(&mut module.funcs[g as usize].body, Expr::null(span));
    for var in module.vars.iter_mut() {
        if var.func == g {
            var.func = owner;
            var.mutable = true;
        }
    }
    replace_self_calls(module, owner, &mut body, v, &params, g);
    // The block is replaced by the loop: its call's arguments move into the definitions.
    let mut out: Vec<Expr> = params
        .iter()
        .zip(std::mem::take(args))
        .map(|(p, a)| {
            let at = a.span;
            Expr::new(ExprKind::Define(*p, Box::new(a)), at)
        })
        .collect();
    // The loop's label: the function it replaces (unique in the module).
    out.push(Expr::new(
        ExprKind::Loop {
            label: g,
            body: Box::new(body),
        },
        span,
    ));
    Some(Expr::new(ExprKind::Block(out), span))
}

/// Does `e` mention variable `v` anywhere?
fn mentions(e: &Expr, v: VarId) -> bool {
    match &e.kind {
        ExprKind::Local(x) => *x == v,
        ExprKind::Define(x, _) | ExprKind::SetLocal(x, _) if *x == v => true,
        _ => e.children().into_iter().any(|c| mentions(c, v)),
    }
}

fn makes_closure(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Closure(_) | ExprKind::StructDef { .. } => true,
        _ => e.children().into_iter().any(makes_closure),
    }
}

/// True when every mention of `v` in `e` is the callee of an `n`-argument call in tail
/// position (relative to the function body `e` belongs to).
fn only_tail_self_calls(e: &Expr, v: VarId, n: usize, tail: bool) -> bool {
    match &e.kind {
        ExprKind::Local(x) => *x != v,
        ExprKind::SetLocal(x, _) | ExprKind::Define(x, _) if *x == v => false,
        ExprKind::Call { callee, args, .. } if matches!(callee.kind, ExprKind::Local(c) if c == v) => {
            tail && args.len() == n && args.iter().all(|a| !mentions(a, v))
        }
        ExprKind::Block(xs) | ExprKind::Seq(xs) => {
            let last = xs.len().saturating_sub(1);
            xs.iter()
                .enumerate()
                .all(|(i, x)| only_tail_self_calls(x, v, n, tail && i == last))
        }
        ExprKind::If {
            cond, then, else_, ..
        } => {
            only_tail_self_calls(cond, v, n, false)
                && only_tail_self_calls(then, v, n, tail)
                && only_tail_self_calls(else_, v, n, tail)
        }
        // Inlined into the enclosing function, a `return` would return from that function
        // instead of ending the loop: not eligible. (Scheme, the only dialect loopified,
        // never emits `Return`.)
        ExprKind::Return(_) => false,
        // A tail call in a loop's body leaves the loop with its value: still in tail position.
        ExprKind::Loop { body, .. } => only_tail_self_calls(body, v, n, tail),
        ExprKind::Coalesce(a, b) => {
            only_tail_self_calls(a, v, n, false) && only_tail_self_calls(b, v, n, tail)
        }
        // Inside a loop or a handler the call would not leave the body: not a tail call here.
        _ => e
            .children()
            .into_iter()
            .all(|c| only_tail_self_calls(c, v, n, false)),
    }
}

/// Replace each tail call `v(args)` by assignments to `params` and a `ContinueTo(label)`.
fn replace_self_calls(
    module: &mut Module,
    owner: FuncId,
    e: &mut Expr,
    v: VarId,
    params: &[VarId],
    label: u32,
) {
    if let ExprKind::Call { callee, args, .. } = &mut e.kind {
        if matches!(callee.kind, ExprKind::Local(c) if c == v) {
            let span = e.span;
            let args = std::mem::take(args);
            let seq = assign_params(module, owner, params, args, span, label);
            *e = Expr::new(ExprKind::Seq(seq), span);
            return;
        }
    }
    for child in e.children_mut() {
        replace_self_calls(module, owner, child, v, params, label);
    }
}

/// The parallel assignment `params := args` followed by `ContinueTo(label)`.
fn assign_params(
    module: &mut Module,
    owner: FuncId,
    params: &[VarId],
    args: Vec<Expr>,
    span: Span,
    label: u32,
) -> Vec<Expr> {
    let mut out = Vec::new();
    let n = params.len();
    // In order, when no argument reads a parameter assigned before it; in reverse, when none
    // reads one assigned after it; otherwise through temporaries.
    let reads_earlier = (0..n).any(|i| params[..i].iter().any(|p| mentions(&args[i], *p)));
    let reads_later = (0..n).any(|i| params[i + 1..].iter().any(|p| mentions(&args[i], *p)));
    let mut pairs: Vec<(VarId, Expr)> = params.iter().copied().zip(args).collect();
    // An argument that is the parameter itself needs no assignment.
    pairs.retain(|(p, a)| !matches!(a.kind, ExprKind::Local(x) if x == *p));
    if !reads_earlier {
        for (p, a) in pairs {
            out.push(Expr::new(ExprKind::SetLocal(p, Box::new(a)), span));
        }
    } else if !reads_later {
        for (p, a) in pairs.into_iter().rev() {
            out.push(Expr::new(ExprKind::SetLocal(p, Box::new(a)), span));
        }
    } else {
        let mut temps = Vec::new();
        for (p, a) in pairs {
            let t = module.add_var("$loop", owner, false, span);
            out.push(Expr::new(ExprKind::Define(t, Box::new(a)), span));
            temps.push((p, t));
        }
        for (p, t) in temps {
            out.push(Expr::new(
                ExprKind::SetLocal(p, Box::new(Expr::new(ExprKind::Local(t), span))),
                span,
            ));
        }
    }
    out.push(Expr::new(ExprKind::ContinueTo(label), span));
    out
}
