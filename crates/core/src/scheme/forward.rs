//! Procedures that only forward to a builtin, across a library boundary.
//!
//! A library procedure like `(define (ht-set! h k v) (hash-table-set! h k v))` costs an
//! importer two calls per use. When the library never reassigns it, and the builtin is the
//! library's builtin (the library neither defines nor assigns that name, nor imports it),
//! the lowering records it as a [`Forwarder`]; the pipeline hands an importer the forwarders
//! it imports, and the importer's calls of them with that many arguments become calls of
//! the builtin, when the importer does not bind either name itself. The builtin call may
//! then be inlined further, like any other call of that builtin (an operation instead of a
//! native call). Decided after expansion, with the same sets of names as the inlining of
//! builtins.
//!
//! What changes for the program: the arguments are evaluated in the same order and the
//! builtin receives the same values; an error the builtin raises is located at the
//! importer's call instead of inside the library, and the library procedure does not
//! appear in the stack trace.

use crate::ir::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// Turn each call `(f x ...)` of an imported forwarder `f` (with its arity) into a call of
/// its target, unless the module defines (`module.globals`) or assigns (`assigned`) `f`
/// itself, or `redefined` (every name that is not the builtin in this module) holds the
/// target. Runs on an explicit stack.
pub(crate) fn forward_calls(
    module: &mut Module,
    imported: &[Forwarder],
    assigned: &FxHashSet<String>,
    redefined: &FxHashSet<String>,
) {
    let usable: FxHashMap<&str, &Forwarder> = imported
        .iter()
        .filter(|f| {
            !assigned.contains(&f.name)
                && !module.globals.contains(&f.name)
                && !redefined.contains(&f.target)
        })
        .map(|f| (f.name.as_str(), f))
        .collect();
    if usable.is_empty() {
        return;
    }
    let mut stack: Vec<&mut Expr> = module.funcs.iter_mut().map(|f| &mut f.body).collect();
    while let Some(e) = stack.pop() {
        if let ExprKind::Call { callee, args, .. } = &mut e.kind {
            if let ExprKind::Global(g) = &mut callee.kind {
                if let Some(f) = usable.get(g.as_str()) {
                    if f.arity == args.len() {
                        *g = f.target.clone();
                    }
                }
            }
        }
        stack.extend(Expr::children_mut(e));
    }
}

/// The module's forwarders: top-level `(define (f p ...) (g p ...))` where `f` is defined
/// once and never assigned, and `g` is a builtin here (not in `redefined`).
pub(crate) fn find_forwarders(
    module: &Module,
    assigned: &FxHashSet<String>,
    redefined: &FxHashSet<String>,
) -> Vec<Forwarder> {
    let mut out = Vec::new();
    for (name, func) in fixed_functions(module, assigned) {
        if func.rest.is_some() {
            continue;
        }
        let ExprKind::Call { callee, args, .. } = &only_expr(&func.body).kind else {
            continue;
        };
        let ExprKind::Global(target) = &callee.kind else {
            continue;
        };
        let passes_params = args.len() == func.params.len()
            && args
                .iter()
                .zip(&func.params)
                .all(|(a, p)| matches!(a.kind, ExprKind::Local(v) if v == *p));
        if passes_params && !redefined.contains(target) {
            out.push(Forwarder {
                name: name.to_string(),
                target: target.clone(),
                arity: args.len(),
            });
        }
    }
    out
}

/// The module's top-level `(define (name ...) ...)` functions whose global is defined once
/// and never assigned (`assigned`): calls of `name` always reach that function.
pub(crate) fn fixed_functions<'m>(
    module: &'m Module,
    assigned: &FxHashSet<String>,
) -> Vec<(&'m str, &'m Func)> {
    let Some(main) = module.funcs.get(module.entry as usize) else {
        return Vec::new();
    };
    // How often each global is defined, anywhere in the module.
    let mut definitions: FxHashMap<&str, usize> = FxHashMap::default();
    let mut stack: Vec<&Expr> = module.funcs.iter().map(|f| &f.body).collect();
    while let Some(e) = stack.pop() {
        if let ExprKind::DefineGlobal(g, ..) = &e.kind {
            *definitions.entry(g.as_str()).or_default() += 1;
        }
        stack.extend(e.children());
    }
    let ExprKind::Block(items) = &main.body.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let ExprKind::DefineGlobal(name, _, value) = &item.kind else {
            continue;
        };
        let ExprKind::Closure(fid) = value.kind else {
            continue;
        };
        if definitions.get(name.as_str()) != Some(&1) || assigned.contains(name) {
            continue;
        }
        if let Some(func) = module.funcs.get(fid as usize) {
            out.push((name.as_str(), func));
        }
    }
    out
}

/// `e` without the blocks of one expression around it.
pub(crate) fn only_expr(mut e: &Expr) -> &Expr {
    while let ExprKind::Block(xs) = &e.kind {
        match xs.as_slice() {
            [only] => e = only,
            _ => break,
        }
    }
    e
}
