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
    // enclosing function's walk reaches the point where the closure is made.
    let depth = |mut f: FuncId| {
        let mut d = 0;
        while let Some(p) = module.funcs[f as usize].parent {
            d += 1;
            f = p;
        }
        d
    };
    let mut order: Vec<FuncId> = (0..module.funcs.len() as FuncId).collect();
    order.sort_by_key(|&f| std::cmp::Reverse(depth(f)));
    for fid in order {
        let fid = fid as usize;
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

    /// A closure of `inner` is made in `func`: record the captures of `func`'s locals.
    fn closure(&mut self, inner: FuncId, func: FuncId) {
        let _ = func;
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

    fn walk(&mut self, e: &mut Expr, func: FuncId, tail: bool) {
        match &mut e.kind {
            ExprKind::Const(_) | ExprKind::Global(_) | ExprKind::Break | ExprKind::Continue => {}
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
            ExprKind::SetGlobal(_, value) | ExprKind::DefineGlobal(_, _, value) => {
                self.walk(value, func, false)
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
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                // Ruff's && and || convert their result to bool: not a tail position.
                self.walk(a, func, false);
                self.walk(b, func, false);
            }
            ExprKind::Coalesce(a, b) => {
                self.walk(a, func, false);
                self.walk(b, func, tail);
            }
            ExprKind::While { cond, body, .. } => {
                self.walk(cond, func, false);
                self.walk(body, func, false);
            }
            ExprKind::ForEach { iter, body, .. } => {
                self.walk(iter, func, false);
                self.walk(body, func, false);
            }
            ExprKind::ForRange {
                start,
                end,
                step,
                body,
                ..
            } => {
                self.walk(start, func, false);
                self.walk(end, func, false);
                if let Some(s) = step {
                    self.walk(s, func, false);
                }
                self.walk(body, func, false);
            }
            ExprKind::Return(value) => self.walk(value, func, self.try_depth == 0),
            ExprKind::Call {
                callee,
                args,
                tail: t,
            } => {
                *t = tail;
                self.walk(callee, func, false);
                for a in args {
                    self.walk(a, func, false);
                }
            }
            ExprKind::Prim(_, args) => {
                for a in args {
                    self.walk(a, func, false);
                }
            }
            ExprKind::Closure(inner) => self.closure(*inner, func),
            ExprKind::Field(obj, _) | ExprKind::VariantField(obj, _) => self.walk(obj, func, false),
            ExprKind::VariantTest { value, .. } => self.walk(value, func, false),
            ExprKind::SetField(obj, _, value) => {
                self.walk(obj, func, false);
                self.walk(value, func, false);
            }
            ExprKind::MethodCall {
                obj, args, tail: t, ..
            } => {
                *t = tail;
                self.walk(obj, func, false);
                for a in args {
                    self.walk(a, func, false);
                }
            }
            ExprKind::StructDef { methods, .. } => {
                for &(_, m) in methods.iter() {
                    self.closure(m, func);
                }
            }
            ExprKind::StructLit { ty, fields } => {
                self.walk(ty, func, false);
                for (_, v) in fields {
                    self.walk(v, func, false);
                }
            }
            ExprKind::EnumDef { .. } | ExprKind::Import(_) => {}
            ExprKind::MakeVariant {
                enum_type, args, ..
            } => {
                if let Some(t) = enum_type {
                    self.walk(t, func, false);
                }
                for a in args {
                    self.walk(a, func, false);
                }
            }
            ExprKind::Throw(v) => self.walk(v, func, false),
            ExprKind::Loop { body, .. } => self.walk(body, func, tail),
            ExprKind::ContinueTo(_) => {}
            ExprKind::Apply {
                callee,
                args,
                tail: t,
            } => {
                *t = tail;
                self.walk(callee, func, false);
                self.walk(args, func, false);
            }
            ExprKind::Try { body, handler, .. } => {
                // The handler must stay installed while the body runs: no tail calls there.
                self.try_depth += 1;
                self.walk(body, func, false);
                self.try_depth -= 1;
                self.walk(handler, func, tail);
            }
            ExprKind::Array(items) => {
                for item in items {
                    match item {
                        ArrayElem::Item(x) | ArrayElem::Spread(x) => self.walk(x, func, false),
                    }
                }
            }
            ExprKind::Dict(items) => {
                for item in items {
                    match item {
                        DictElem::Pair(k, v) => {
                            self.walk(k, func, false);
                            self.walk(v, func, false);
                        }
                        DictElem::Spread(x) => self.walk(x, func, false),
                    }
                }
            }
        }
    }
}
