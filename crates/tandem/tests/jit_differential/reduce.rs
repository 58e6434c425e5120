//! Reducing a failing program further than proptest does.
//!
//! Proptest shrinks a tuple's parts one after the other, each as far as it goes, and its
//! iteration budget runs out deep in the first part. So after it, a plain delta-debugging
//! pass over the tree removes what the failure does not need: the driver, whole functions,
//! statements anywhere, wrappers (an `if`, loop or `try` replaced by its body), loop
//! iterations, and sub-expressions (replaced by a same-typed child or a literal).

use crate::ast::{ty_of, Expr, Func, Handler, Program, Stmt, Ty, GLOBALS};
use std::time::Instant;

/// Simpler expressions to try in place of `e`.
fn simpler_exprs(e: &Expr) -> Vec<Expr> {
    let ty = ty_of(e);
    let mut out: Vec<Expr> = match e {
        Expr::Un(_, a) => vec![(**a).clone()],
        Expr::Bin(_, _, a, b) | Expr::Index(a, b, _) | Expr::StrAt(a, b, _) => {
            vec![(**a).clone(), (**b).clone()]
        }
        Expr::Call(_, _, args, _) => args.iter().map(|(_, a)| a.clone()).collect(),
        Expr::ArrLit(items) if items.len() > 1 => vec![Expr::ArrLit(items[..1].to_vec())],
        _ => Vec::new(),
    };
    out.retain(|c| ty == Ty::Dyn || ty_of(c) == ty);
    match e {
        Expr::Int(n) => out.extend(
            [0, 1, n / 2]
                .into_iter()
                .filter(|m| m.unsigned_abs() < n.unsigned_abs())
                .map(Expr::Int),
        ),
        Expr::Float(x) if *x != 0.0 && *x != 1.0 => {
            out.extend([Expr::Float(0.0), Expr::Float(1.0)])
        }
        Expr::Float(_) | Expr::Bool(_) | Expr::Str(_) | Expr::Var(..) => {}
        _ => out.push(match ty {
            Ty::Int | Ty::Dyn => Expr::Int(1),
            Ty::Float => Expr::Float(1.0),
            Ty::Bool => Expr::Bool(true),
            Ty::Str => Expr::Str("a"),
            Ty::Arr => Expr::ArrLit(vec![Expr::Int(1)]),
        }),
    }
    out
}

/// Calls `f` on every statement list of `p` (preorder) until it returns true.
fn each_list(p: &mut Program, f: &mut dyn FnMut(&mut Vec<Stmt>) -> bool) -> bool {
    fn walk(list: &mut Vec<Stmt>, f: &mut dyn FnMut(&mut Vec<Stmt>) -> bool) -> bool {
        if f(list) {
            return true;
        }
        for s in list.iter_mut() {
            let done = match s {
                Stmt::If(_, t, e) => walk(t, f) || walk(e, f),
                Stmt::Loop(l) => walk(&mut l.body, f),
                Stmt::Try(b, _) | Stmt::AtIter(_, b) => walk(b, f),
                _ => false,
            };
            if done {
                return true;
            }
        }
        false
    }
    if walk(&mut p.main, f) {
        return true;
    }
    p.funcs.iter_mut().any(|func| match func {
        Func::Plain { body, .. } | Func::Tail { body, .. } => walk(body, f),
        _ => false,
    })
}

/// Calls `f` on every expression of `p` (preorder) until it returns true.
fn each_expr(p: &mut Program, f: &mut dyn FnMut(&mut Expr) -> bool) -> bool {
    fn expr(e: &mut Expr, f: &mut dyn FnMut(&mut Expr) -> bool) -> bool {
        if f(e) {
            return true;
        }
        match e {
            Expr::Un(_, a) => expr(a, f),
            Expr::Bin(_, _, a, b) | Expr::Index(a, b, _) | Expr::StrAt(a, b, _) => {
                expr(a, f) || expr(b, f)
            }
            Expr::Call(_, _, args, _) => args.iter_mut().any(|(_, a)| expr(a, f)),
            Expr::ArrLit(items) => items.iter_mut().any(|a| expr(a, f)),
            _ => false,
        }
    }
    fn stmts(list: &mut [Stmt], f: &mut dyn FnMut(&mut Expr) -> bool) -> bool {
        list.iter_mut().any(|s| match s {
            Stmt::Assign(_, _, e, _)
            | Stmt::Push(_, e)
            | Stmt::Throw(e, _)
            | Stmt::Return(e)
            | Stmt::Call(e)
            | Stmt::Checksum(e)
            | Stmt::Capture(e) => expr(e, f),
            Stmt::Print(es) => es.iter_mut().any(|e| expr(e, f)),
            Stmt::If(c, t, e) => expr(c, f) || stmts(t, f) || stmts(e, f),
            Stmt::Loop(l) => {
                l.acc.as_mut().is_some_and(|e| expr(e, f))
                    || l.probes.iter_mut().any(|e| expr(e, f))
                    || stmts(&mut l.body, f)
            }
            Stmt::ArrSet(_, i, v, _) => expr(i, f) || expr(v, f),
            Stmt::Try(b, h) => stmts(b, f) || h.assign.as_mut().is_some_and(|(_, e)| expr(e, f)),
            Stmt::AtIter(_, b) => stmts(b, f),
            Stmt::Drive(_, args) => args.iter_mut().any(|(_, e)| expr(e, f)),
            Stmt::Break | Stmt::Continue | Stmt::Rebind(..) => false,
        })
    }
    if stmts(&mut p.main, f) {
        return true;
    }
    if let Some(d) = &mut p.driver {
        if d.args.iter_mut().any(|(_, e)| expr(e, f)) {
            return true;
        }
    }
    for func in &mut p.funcs {
        let done = match func {
            Func::Plain {
                locals,
                closures,
                body,
                ret_expr,
                ..
            } => {
                locals.iter_mut().any(|(_, e)| expr(e, f))
                    || closures.iter_mut().any(|e| expr(e, f))
                    || stmts(body, f)
                    || expr(ret_expr, f)
            }
            Func::Rec {
                base, step, other, ..
            } => expr(base, f) || expr(step, f) || expr(other, f),
            Func::Tail { body, upd } => stmts(body, f) || expr(upd, f),
            Func::Mutual { upd_a, upd_b } => expr(upd_a, f) || expr(upd_b, f),
            Func::Factory { upd, .. } => expr(upd, f),
        };
        if done {
            return true;
        }
    }
    p.globals.iter_mut().any(|e| expr(e, f))
}

/// What trying edit `n` at position `t` did.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// There is no position `t`.
    NoPosition,
    /// Position `t` has no edit `n` (nor any after it).
    NoEdit,
    /// Edit `n` does not apply here.
    Same,
    Changed,
}

/// Edit `n` of statement `t` (preorder over all statement lists) of `p`: remove it and
/// all after it in its list, remove it alone, replace it by its body or else-branch, halve a
/// loop's iterations, drop a loop's extras, or simplify a handler.
fn edit_stmt(p: &mut Program, t: usize, n: usize) -> Step {
    if n >= 5 {
        return Step::NoEdit;
    }
    let mut seen = 0;
    let mut step = Step::NoPosition;
    each_list(p, &mut |list| {
        if t >= seen + list.len() {
            seen += list.len();
            return false;
        }
        let i = t - seen;
        if n == 0 {
            step = if i + 1 < list.len() {
                list.truncate(i);
                Step::Changed
            } else {
                Step::Same
            };
            return true;
        }
        let replacement: Option<Vec<Stmt>> = match (&list[i], n - 1) {
            (_, 0) => Some(Vec::new()),
            (Stmt::If(_, b, _) | Stmt::Try(b, _) | Stmt::AtIter(_, b), 1) => Some(b.clone()),
            (Stmt::Loop(l), 1) => Some(l.body.clone()),
            (Stmt::If(_, _, e), 2) => Some(e.clone()),
            (Stmt::Loop(l), 2) if l.bound > 1 => {
                let mut l = l.clone();
                l.bound /= 2;
                Some(vec![Stmt::Loop(l)])
            }
            (Stmt::Loop(l), 3) if !l.probes.is_empty() || l.acc.is_some() || l.kind != 0 => {
                let mut l = l.clone();
                (l.probes, l.acc, l.kind) = (Vec::new(), None, 0);
                Some(vec![Stmt::Loop(l)])
            }
            (Stmt::Try(b, h), 2) if h.assign.is_some() || h.rethrow || h.report != 0 => {
                let h = Handler {
                    report: 0,
                    assign: None,
                    rethrow: false,
                };
                Some(vec![Stmt::Try(b.clone(), h)])
            }
            _ => None,
        };
        step = match replacement {
            Some(r) => {
                list.splice(i..=i, r);
                Step::Changed
            }
            None => Step::Same,
        };
        true
    });
    step
}

/// Edit `n` of expression `t` (preorder) of `p`: replace it by its `n`th simpler form.
fn edit_expr(p: &mut Program, t: usize, n: usize) -> Step {
    let mut seen = 0;
    let mut step = Step::NoPosition;
    each_expr(p, &mut |e| {
        if seen < t {
            seen += 1;
            return false;
        }
        step = match simpler_exprs(e).into_iter().nth(n) {
            Some(x) => {
                *e = x;
                Step::Changed
            }
            None => Step::NoEdit,
        };
        true
    });
    step
}

/// Edit `n` of the program's top level (position 0 only): drop the driver, halve its
/// iterations, remove all functions or one, or give a global the simplest first value.
fn edit_top(p: &mut Program, t: usize, n: usize) -> Step {
    if t > 0 {
        return Step::NoPosition;
    }
    let changed = |c: bool| if c { Step::Changed } else { Step::Same };
    match n {
        0 => changed(p.driver.take().is_some()),
        1 => changed(match &mut p.driver {
            Some(d) if d.bound > 1 => {
                d.bound /= 2;
                true
            }
            _ => false,
        }),
        2 => changed(
            p.funcs.len() > 1 && {
                p.funcs.clear();
                true
            },
        ),
        _ if n - 3 < p.funcs.len() => {
            p.funcs.remove(n - 3);
            Step::Changed
        }
        _ => {
            let g = n - 3 - p.funcs.len();
            let Some(&(ty, _)) = GLOBALS.get(g) else {
                return Step::NoEdit;
            };
            let simplest = match ty {
                Ty::Int | Ty::Dyn => Expr::Int(0),
                Ty::Float => Expr::Float(0.0),
                Ty::Bool => Expr::Bool(false),
                Ty::Str => Expr::Str(""),
                Ty::Arr => Expr::ArrLit(vec![Expr::Int(0)]),
            };
            let same = format!("{:?}", p.globals[g]) == format!("{simplest:?}");
            p.globals[g] = simplest;
            changed(!same)
        }
    }
}

/// Reduce `p`, which `fails`, as far as it goes before `deadline`: each edit is kept only
/// if the program still fails.
pub fn reduce(mut p: Program, fails: &dyn Fn(&Program) -> bool, deadline: Instant) -> Program {
    type Edit = fn(&mut Program, usize, usize) -> Step;
    // Coarse edits first: the top level, then statements, then expressions.
    let passes: [Edit; 3] = [edit_top, edit_stmt, edit_expr];
    loop {
        let mut progress = false;
        for edit in passes {
            let mut t = 0;
            'positions: loop {
                let mut n = 0;
                loop {
                    if Instant::now() > deadline {
                        return p;
                    }
                    let mut q = p.clone();
                    match edit(&mut q, t, n) {
                        Step::NoPosition => break 'positions,
                        Step::NoEdit => break,
                        Step::Same => n += 1,
                        Step::Changed if fails(&q) => {
                            // Position `t` now holds something new: try every edit again.
                            p = q;
                            progress = true;
                            n = 0;
                        }
                        Step::Changed => n += 1,
                    }
                }
                t += 1;
            }
        }
        if !progress {
            return p;
        }
    }
}
