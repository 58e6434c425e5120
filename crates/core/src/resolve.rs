//! The resolver: the one place where variable storage and tail positions are decided, for
//! every dialect.
//!
//! - A local referred to from an inner function is *captured*; the inner function (and every
//!   function between it and the owner) gets an upvalue for it.
//! - A captured local that is also reassigned (or captured before its definition completed)
//!   is *boxed*: it lives in a heap cell shared by the frame and the closures. Captured locals
//!   that are never reassigned are copied into closures by value.
//! - A call whose value is the function's result is marked `tail`.

use crate::ir::*;
use rustc_hash::FxHashSet;

/// Resolve a freshly lowered module in place.
pub fn resolve(module: &mut Module) {
    let mut r = Resolver {
        vars: std::mem::take(&mut module.vars),
        parents: module.funcs.iter().map(|f| f.parent).collect(),
        upvalues: vec![Vec::new(); module.funcs.len()],
        defining: FxHashSet::default(),
        try_depth: 0,
    };
    // Inner functions first, so that a closure's upvalue list is complete when the
    // enclosing function's walk reaches the point where the closure is made. Lowering
    // creates a function before the functions nested in it, so reverse creation order
    // visits every child before its parent.
    for fid in (0..module.funcs.len()).rev() {
        debug_assert!(module.funcs[fid].parent.is_none_or(|p| (p as usize) < fid));
        let mut body =
            std::mem::replace(&mut module.funcs[fid].body, Expr::null(Default::default()));
        r.walk(&mut body, fid as FuncId, true);
        module.funcs[fid].body = body;
    }
    for v in &mut r.vars {
        v.boxed = v.captured && v.reassigned;
    }
    for (fid, ups) in r.upvalues.into_iter().enumerate() {
        module.funcs[fid].upvalues = ups;
    }
    module.vars = r.vars;
}

struct Resolver {
    vars: Vec<VarInfo>,
    parents: Vec<Option<FuncId>>,
    upvalues: Vec<Vec<(VarId, Capture)>>,
    /// Variables whose `Define` initialiser is being walked.
    defining: FxHashSet<VarId>,
    /// How many `try` bodies enclose the current point (in the function being walked). A
    /// `return f(x)` inside one is not a tail call: the handler must stay installed.
    try_depth: u32,
}

impl Resolver {
    /// The index of `var` in `func`'s upvalue list, adding it (and the chain through the
    /// enclosing functions) when missing.
    fn upvalue(&mut self, func: FuncId, var: VarId) -> u32 {
        if let Some(i) = self.upvalues[func as usize]
            .iter()
            .position(|(v, _)| *v == var)
        {
            return i as u32;
        }
        let parent = self.parents[func as usize].expect("captured variable has an owner");
        let capture = if self.vars[var as usize].func == parent {
            Capture::Local(var)
        } else {
            Capture::Upvalue(self.upvalue(parent, var))
        };
        self.upvalues[func as usize].push((var, capture));
        (self.upvalues[func as usize].len() - 1) as u32
    }

    fn use_var(&mut self, var: VarId, func: FuncId) {
        if self.vars[var as usize].func != func {
            self.vars[var as usize].captured = true;
            self.upvalue(func, var);
        }
    }

    /// A closure of `inner` is made in the function being walked (its parent): record the
    /// captures of that function's locals.
    fn closure(&mut self, inner: FuncId) {
        let inner = inner as usize;
        for i in 0..self.upvalues[inner].len() {
            if let (v, Capture::Local(_)) = self.upvalues[inner][i] {
                self.vars[v as usize].captured = true;
                if self.defining.contains(&v) {
                    // Captured before its value exists: the closure must see the
                    // store that completes the definition, so it needs a box.
                    self.vars[v as usize].reassigned = true;
                }
            }
        }
    }

    /// Walk `e`, code of `func`; `tail` says whether its value is the function's result.
    /// Only the forms that pass the tail position on, mark calls, or touch variables and
    /// closures have arms here; every other form's children are walked in non-tail position.
    fn walk(&mut self, e: &mut Expr, func: FuncId, tail: bool) {
        match &mut e.kind {
            ExprKind::Local(v) => self.use_var(*v, func),
            ExprKind::Define(v, init) => {
                let v = *v;
                let fresh = self.defining.insert(v);
                self.walk(init, func, false);
                if fresh {
                    self.defining.remove(&v);
                }
            }
            ExprKind::SetLocal(v, value) => {
                let v = *v;
                self.vars[v as usize].reassigned = true;
                self.use_var(v, func);
                self.walk(value, func, false);
            }
            ExprKind::Block(items) | ExprKind::Seq(items) => {
                let n = items.len();
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(item, func, tail && i + 1 == n);
                }
            }
            ExprKind::If {
                cond, then, else_, ..
            } => {
                self.walk(cond, func, false);
                self.walk(then, func, tail);
                self.walk(else_, func, tail);
            }
            // Ruff's && and || convert their result to bool: not a tail position (the
            // default arm below).
            ExprKind::Coalesce(a, b) => {
                self.walk(a, func, false);
                self.walk(b, func, tail);
            }
            ExprKind::Return(value) => self.walk(value, func, self.try_depth == 0),
            ExprKind::Call { tail: t, .. }
            | ExprKind::MethodCall { tail: t, .. }
            | ExprKind::Apply { tail: t, .. } => {
                *t = tail;
                for c in e.children_mut() {
                    self.walk(c, func, false);
                }
            }
            ExprKind::Closure(inner) => self.closure(*inner),
            ExprKind::StructDef { methods, .. } => {
                for &(_, m) in methods.iter() {
                    self.closure(m);
                }
            }
            ExprKind::Loop { body, .. } => self.walk(body, func, tail),
            ExprKind::Try { body, handler, .. } => {
                // The handler must stay installed while the body runs: no tail calls there.
                self.try_depth += 1;
                self.walk(body, func, false);
                self.try_depth -= 1;
                self.walk(handler, func, tail);
            }
            _ => {
                for c in e.children_mut() {
                    self.walk(c, func, false);
                }
            }
        }
    }
}
