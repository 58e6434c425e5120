//! Lowering from the Ruff AST to core IR.
//!
//! This is where Ruff's scoping rules live:
//! - `x := v` (and `x = v`) assigns the nearest existing binding of `x`: a local of an
//!   enclosing block or function, or a global declared anywhere at the module's top level.
//!   Only when there is none does it create a new mutable binding in the current block.
//! - `let`, `mut`, `const` and parameters always create a new binding (shadowing).
//! - Names bound at the top level of the file (not inside a block) are globals.
//! - Functions declared inside a block are hoisted to the start of that block, so local
//!   functions can call each other.

use crate::ir::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tandem_syntax::ruff::ast::{self, BinOp, BindPattern, DeclKind, StmtKind, UnOp};
use tandem_syntax::{Diagnostic, Span};

/// Lower a parsed program. `is_builtin` tells which global names the engine predefines
/// (re-declaring one with `let`/`mut`/`const` at top level is an error).
pub fn lower_program(
    program: &ast::Program,
    file_span: Span,
    is_builtin: &dyn Fn(&str) -> bool,
) -> Result<Module, Vec<Diagnostic>> {
    let mut lw = Lowerer {
        module: Module::default(),
        scopes: Vec::new(),
        loops: Vec::new(),
        errors: Vec::new(),
        top_names: FxHashSet::default(),
        top_immutable: FxHashMap::default(),
        top_declared: FxHashSet::default(),
        is_builtin,
    };
    for s in &program.stmts {
        collect_top_names(s, &mut lw.top_names);
    }
    let main = lw.new_func("<main>", None, file_span);
    lw.loops.push(0);
    lw.scopes.push(Scope::new(main, true));
    let mut body = lw.hoist(&program.stmts);
    for s in &program.stmts {
        body.push(lw.stmt(s));
    }
    body.push(Expr::null(file_span));
    lw.scopes.pop();
    lw.module.funcs[main as usize].body = Expr::new(ExprKind::Block(body), file_span);
    lw.module.entry = main;
    if lw.errors.is_empty() {
        crate::resolve::resolve(&mut lw.module);
        Ok(lw.module)
    } else {
        Err(lw.errors)
    }
}

/// Names bound by a top-level statement (they become globals).
fn collect_top_names(s: &ast::Stmt, out: &mut FxHashSet<String>) {
    match &s.kind {
        StmtKind::Assign { target, .. } => {
            if let ast::ExprKind::Ident(n) = &target.kind {
                out.insert(n.clone());
            }
        }
        StmtKind::Decl { pattern, .. } => pattern_names(pattern, out),
        StmtKind::Func(f) => {
            out.insert(f.name.name.clone());
        }
        StmtKind::Export(inner) => collect_top_names(inner, out),
        _ => {}
    }
}

fn pattern_names(p: &BindPattern, out: &mut FxHashSet<String>) {
    match p {
        BindPattern::Name(id) => {
            out.insert(id.name.clone());
        }
        BindPattern::Array { items, rest, .. } => {
            for i in items {
                pattern_names(i, out);
            }
            if let Some(r) = rest {
                out.insert(r.name.clone());
            }
        }
        BindPattern::Dict { keys, rest, .. } => {
            for k in keys {
                out.insert(k.name.clone());
            }
            if let Some(r) = rest {
                out.insert(r.name.clone());
            }
        }
    }
}

struct Binding {
    var: VarId,
    /// Declared with `let`/`mut`/`const` (for the duplicate-declaration check).
    declared: bool,
}

struct Scope {
    func: FuncId,
    /// The file's top-level scope: its bindings are globals.
    top: bool,
    names: FxHashMap<String, Binding>,
}

impl Scope {
    fn new(func: FuncId, top: bool) -> Scope {
        Scope {
            func,
            top,
            names: FxHashMap::default(),
        }
    }
}

struct Lowerer<'b> {
    module: Module,
    scopes: Vec<Scope>,
    /// Loop nesting depth of each function being lowered (innermost last).
    loops: Vec<u32>,
    errors: Vec<Diagnostic>,
    top_names: FxHashSet<String>,
    /// Top-level `let`/`const` globals, with where they were declared.
    top_immutable: FxHashMap<String, Span>,
    /// Top-level names declared with `let`/`mut`/`const`.
    top_declared: FxHashSet<String>,
    is_builtin: &'b dyn Fn(&str) -> bool,
}

enum Resolved {
    Local(VarId),
    Global,
}

fn e(kind: ExprKind, span: Span) -> Expr {
    Expr::new(kind, span)
}

impl Lowerer<'_> {
    fn new_func(&mut self, name: &str, parent: Option<FuncId>, span: Span) -> FuncId {
        self.module.funcs.push(Func {
            name: name.to_string(),
            params: Vec::new(),
            rest: None,
            body: Expr::null(span),
            span,
            parent,
            upvalues: Vec::new(),
        });
        (self.module.funcs.len() - 1) as FuncId
    }

    fn new_var(&mut self, name: &str, mutable: bool, span: Span) -> VarId {
        let func = self.scopes.last().map(|s| s.func).unwrap_or(0);
        self.module.vars.push(VarInfo {
            name: name.to_string(),
            func,
            mutable,
            captured: false,
            reassigned: false,
            boxed: false,
            span,
        });
        (self.module.vars.len() - 1) as VarId
    }

    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn cur_func(&self) -> FuncId {
        self.scopes.last().map(|s| s.func).unwrap_or(0)
    }

    fn at_top(&self) -> bool {
        self.scopes.last().is_some_and(|s| s.top)
    }

    fn lookup(&self, name: &str) -> Resolved {
        for s in self.scopes.iter().rev() {
            if let Some(b) = s.names.get(name) {
                return Resolved::Local(b.var);
            }
        }
        Resolved::Global
    }

    fn push_block(&mut self) {
        let f = self.cur_func();
        self.scopes.push(Scope::new(f, false));
    }

    /// Lower the statements of a block in a new scope.
    fn block(&mut self, b: &ast::Block) -> Expr {
        self.push_block();
        let mut items = self.hoist(&b.stmts);
        for s in &b.stmts {
            items.push(self.stmt(s));
        }
        self.scopes.pop();
        e(ExprKind::Block(items), b.span)
    }

    /// Pre-declare the functions of a (non-top-level) block so they can refer to each other.
    fn hoist(&mut self, stmts: &[ast::Stmt]) -> Vec<Expr> {
        let mut out = Vec::new();
        if self.at_top() {
            return out;
        }
        for s in stmts {
            if let StmtKind::Func(f) = &s.kind {
                let v = self.new_var(&f.name.name, true, f.name.span);
                self.scopes.last_mut().expect("scope").names.insert(
                    f.name.name.clone(),
                    Binding {
                        var: v,
                        declared: false,
                    },
                );
                out.push(e(
                    ExprKind::Define(v, Box::new(Expr::null(f.name.span))),
                    f.name.span,
                ));
            }
        }
        out
    }

    fn stmt(&mut self, s: &ast::Stmt) -> Expr {
        let span = s.span;
        match &s.kind {
            StmtKind::Expr(x) => self.expr(x),
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, span),
            StmtKind::Decl {
                kind,
                pattern,
                value,
            } => self.decl(*kind, pattern, value, span),
            StmtKind::Func(f) => {
                let clo = self.function(&f.name.name, &f.params, &f.body, f.span);
                if self.at_top() {
                    e(
                        ExprKind::DefineGlobal(
                            f.name.name.clone(),
                            GlobalKind::Mutable,
                            Box::new(clo),
                        ),
                        span,
                    )
                } else {
                    match self.lookup(&f.name.name) {
                        Resolved::Local(v) => e(ExprKind::SetLocal(v, Box::new(clo)), span),
                        Resolved::Global => e(
                            ExprKind::SetGlobal(f.name.name.clone(), Box::new(clo)),
                            span,
                        ),
                    }
                }
            }
            StmtKind::Return(v) => {
                let value = match v {
                    Some(x) => self.expr(x),
                    None => Expr::null(span),
                };
                e(ExprKind::Return(Box::new(value)), span)
            }
            StmtKind::If { cond, then, else_ } => {
                let c = self.expr(cond);
                let t = self.block(then);
                let el = match else_ {
                    Some(s) => self.stmt(s),
                    None => Expr::null(span),
                };
                e(
                    ExprKind::If {
                        cond: Box::new(c),
                        then: Box::new(t),
                        else_: Box::new(el),
                        truth: Truth::Ruff,
                    },
                    span,
                )
            }
            StmtKind::While { cond, body } => {
                let c = self.expr(cond);
                let b = self.loop_body(body);
                e(
                    ExprKind::While {
                        cond: Box::new(c),
                        body: Box::new(b),
                        truth: Truth::Ruff,
                    },
                    span,
                )
            }
            StmtKind::Loop { body } => {
                let b = self.loop_body(body);
                e(
                    ExprKind::While {
                        cond: Box::new(e(ExprKind::Const(Const::Bool(true)), span)),
                        body: Box::new(b),
                        truth: Truth::Ruff,
                    },
                    span,
                )
            }
            StmtKind::For { var, iter, body } => self.for_loop(var, iter, body, span),
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                if self.loops.last().copied().unwrap_or(0) == 0 {
                    let what = if is_break { "break" } else { "continue" };
                    self.error(Diagnostic::error(
                        format!("'{what}' outside of a loop"),
                        span,
                    ));
                }
                e(
                    if is_break {
                        ExprKind::Break
                    } else {
                        ExprKind::Continue
                    },
                    span,
                )
            }
            StmtKind::Block(b) => self.block(b),
            StmtKind::Struct(_) => self.unsupported("struct declarations", span),
            StmtKind::Enum(_) => self.unsupported("enum declarations", span),
            StmtKind::Match { .. } => self.unsupported("match", span),
            StmtKind::Try { .. } => self.unsupported("try/except", span),
            StmtKind::Import { .. } | StmtKind::FromImport { .. } => {
                self.unsupported("modules (import)", span)
            }
            StmtKind::Export(_) => self.unsupported("modules (export)", span),
        }
    }

    fn unsupported(&mut self, what: &str, span: Span) -> Expr {
        self.error(
            Diagnostic::error(format!("{what} are not supported yet"), span)
                .with_note("this part of the Ruff dialect (stage 2) is not implemented yet"),
        );
        Expr::null(span)
    }

    fn loop_body(&mut self, body: &ast::Block) -> Expr {
        if let Some(d) = self.loops.last_mut() {
            *d += 1;
        }
        let b = self.block(body);
        if let Some(d) = self.loops.last_mut() {
            *d -= 1;
        }
        b
    }

    fn for_loop(
        &mut self,
        var: &ast::Ident,
        iter: &ast::Expr,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        // `for x in range(...)` with the builtin `range` runs without building an array.
        let range_args = match &iter.kind {
            ast::ExprKind::Call { callee, args }
                if (1..=3).contains(&args.len())
                    && matches!(&callee.kind, ast::ExprKind::Ident(n) if n == "range")
                    && matches!(self.lookup("range"), Resolved::Global)
                    && !self.top_names.contains("range") =>
            {
                Some(args)
            }
            _ => None,
        };
        let lowered_args: Option<Vec<Expr>> =
            range_args.map(|args| args.iter().map(|a| self.expr(a)).collect());
        let iter_e = if lowered_args.is_none() {
            Some(self.expr(iter))
        } else {
            None
        };
        // The loop variable is fresh in each iteration, in a scope around the body.
        self.push_block();
        let v = self.new_var(&var.name, true, var.span);
        self.scopes.last_mut().expect("scope").names.insert(
            var.name.clone(),
            Binding {
                var: v,
                declared: false,
            },
        );
        let b = self.loop_body(body);
        self.scopes.pop();
        match lowered_args {
            Some(mut a) => {
                let (start, end, step) = match a.len() {
                    1 => (
                        e(ExprKind::Const(Const::Int(0)), iter.span),
                        a.remove(0),
                        None,
                    ),
                    2 => {
                        let end = a.remove(1);
                        (a.remove(0), end, None)
                    }
                    _ => {
                        let step = a.remove(2);
                        let end = a.remove(1);
                        (a.remove(0), end, Some(Box::new(step)))
                    }
                };
                e(
                    ExprKind::ForRange {
                        var: v,
                        start: Box::new(start),
                        end: Box::new(end),
                        step,
                        body: Box::new(b),
                    },
                    span,
                )
            }
            None => e(
                ExprKind::ForEach {
                    var: v,
                    iter: Box::new(iter_e.expect("lowered above")),
                    body: Box::new(b),
                },
                span,
            ),
        }
    }

    /// Lower a function literal or declaration into a new IR function; returns the
    /// expression that makes its closure.
    fn function(
        &mut self,
        name: &str,
        params: &[ast::Ident],
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        let parent = self.cur_func();
        let fid = self.new_func(name, Some(parent), span);
        self.scopes.push(Scope::new(fid, false));
        self.loops.push(0);
        let mut pvars = Vec::new();
        let mut seen = FxHashSet::default();
        for p in params {
            if !seen.insert(p.name.clone()) {
                self.error(Diagnostic::error(
                    format!("Duplicate parameter name: {}", p.name),
                    p.span,
                ));
            }
            let v = self.new_var(&p.name, true, p.span);
            self.scopes.last_mut().expect("scope").names.insert(
                p.name.clone(),
                Binding {
                    var: v,
                    declared: true,
                },
            );
            pvars.push(v);
        }
        let mut items = self.hoist(&body.stmts);
        for s in &body.stmts {
            items.push(self.stmt(s));
        }
        items.push(Expr::null(body.span));
        self.loops.pop();
        self.scopes.pop();
        let f = &mut self.module.funcs[fid as usize];
        f.params = pvars;
        f.body = e(ExprKind::Block(items), body.span);
        e(ExprKind::Closure(fid), span)
    }

    fn decl(
        &mut self,
        kind: DeclKind,
        pattern: &BindPattern,
        value: &ast::Expr,
        span: Span,
    ) -> Expr {
        let BindPattern::Name(id) = pattern else {
            return self.unsupported("destructuring declarations", span);
        };
        let name = &id.name;
        // Name a function after the variable it initialises, for error messages.
        let init = match &value.kind {
            ast::ExprKind::Func { params, body } => self.function(name, params, body, value.span),
            _ => self.expr(value),
        };
        if self.at_top() {
            if self.top_declared.contains(name) || (self.is_builtin)(name) {
                self.error(Diagnostic::error(
                    format!("Duplicate declaration in the same scope: {name}"),
                    id.span,
                ));
            }
            self.top_declared.insert(name.clone());
            let gk = match kind {
                DeclKind::Mut => GlobalKind::Mutable,
                DeclKind::Let | DeclKind::Const => {
                    self.top_immutable.insert(name.clone(), id.span);
                    GlobalKind::Immutable
                }
            };
            return e(
                ExprKind::DefineGlobal(name.clone(), gk, Box::new(init)),
                span,
            );
        }
        let scope = self.scopes.last().expect("scope");
        if scope.names.get(name).is_some_and(|b| b.declared) {
            self.error(Diagnostic::error(
                format!("Duplicate declaration in the same scope: {name}"),
                id.span,
            ));
        }
        let v = self.new_var(name, kind == DeclKind::Mut, id.span);
        self.scopes.last_mut().expect("scope").names.insert(
            name.clone(),
            Binding {
                var: v,
                declared: true,
            },
        );
        e(ExprKind::Define(v, Box::new(init)), span)
    }

    fn check_mutable(&mut self, v: VarId, span: Span) {
        let info = &self.module.vars[v as usize];
        if !info.mutable {
            let name = info.name.clone();
            let decl_span = info.span;
            self.error(
                Diagnostic::error(format!("Cannot assign to immutable variable: {name}"), span)
                    .with_label(decl_span, "declared immutable here")
                    .with_hint(format!(
                        "declare it with `mut {name} := ...` to allow reassignment"
                    )),
            );
        }
    }

    fn assign(
        &mut self,
        target: &ast::Expr,
        op: Option<BinOp>,
        value: &ast::Expr,
        span: Span,
    ) -> Expr {
        match &target.kind {
            ast::ExprKind::Ident(name) => {
                let resolved = self.lookup(name);
                let current = match resolved {
                    Resolved::Local(v) => e(ExprKind::Local(v), target.span),
                    Resolved::Global => e(ExprKind::Global(name.clone()), target.span),
                };
                let rhs = match &value.kind {
                    ast::ExprKind::Func { params, body } if op.is_none() => {
                        self.function(name, params, body, value.span)
                    }
                    _ => self.expr(value),
                };
                let rhs = match op {
                    Some(op) => self.binary_prim(op, current, rhs, span),
                    None => rhs,
                };
                match resolved {
                    Resolved::Local(v) => {
                        self.check_mutable(v, target.span);
                        e(ExprKind::SetLocal(v, Box::new(rhs)), span)
                    }
                    Resolved::Global
                        if self.at_top() || self.top_names.contains(name) || op.is_some() =>
                    {
                        if let Some(&decl) = self.top_immutable.get(name) {
                            self.error(
                                Diagnostic::error(
                                    format!("Cannot assign to immutable variable: {name}"),
                                    target.span,
                                )
                                .with_label(decl, "declared immutable here"),
                            );
                        }
                        e(ExprKind::SetGlobal(name.clone(), Box::new(rhs)), span)
                    }
                    Resolved::Global => {
                        // No binding anywhere: a new mutable local in the current block.
                        let v = self.new_var(name, true, target.span);
                        self.scopes.last_mut().expect("scope").names.insert(
                            name.clone(),
                            Binding {
                                var: v,
                                declared: false,
                            },
                        );
                        e(ExprKind::Define(v, Box::new(rhs)), span)
                    }
                }
            }
            ast::ExprKind::Index { object, index } => {
                let obj = self.expr(object);
                let idx = self.expr(index);
                let rhs = self.expr(value);
                match op {
                    None => e(ExprKind::Prim(Prim::SetIndex, vec![obj, idx, rhs]), span),
                    Some(op) => {
                        // Evaluate the object and index once.
                        self.push_block();
                        let to = self.new_var("$obj", false, object.span);
                        let ti = self.new_var("$idx", false, index.span);
                        self.scopes.pop();
                        let cur = e(
                            ExprKind::Prim(
                                Prim::Index,
                                vec![
                                    e(ExprKind::Local(to), object.span),
                                    e(ExprKind::Local(ti), index.span),
                                ],
                            ),
                            target.span,
                        );
                        let newv = self.binary_prim(op, cur, rhs, span);
                        e(
                            ExprKind::Block(vec![
                                e(ExprKind::Define(to, Box::new(obj)), object.span),
                                e(ExprKind::Define(ti, Box::new(idx)), index.span),
                                e(
                                    ExprKind::Prim(
                                        Prim::SetIndex,
                                        vec![
                                            e(ExprKind::Local(to), object.span),
                                            e(ExprKind::Local(ti), index.span),
                                            newv,
                                        ],
                                    ),
                                    span,
                                ),
                            ]),
                            span,
                        )
                    }
                }
            }
            ast::ExprKind::Field { .. } => self.unsupported("field assignments", span),
            _ => {
                self.error(Diagnostic::error("invalid assignment target", target.span));
                Expr::null(span)
            }
        }
    }

    fn binary_prim(&mut self, op: BinOp, a: Expr, b: Expr, span: Span) -> Expr {
        let p = match op {
            BinOp::Add => Prim::Add,
            BinOp::Sub => Prim::Sub,
            BinOp::Mul => Prim::Mul,
            BinOp::Div => Prim::Div,
            BinOp::Mod => Prim::Mod,
            BinOp::Lt => Prim::Lt,
            BinOp::Le => Prim::Le,
            BinOp::Gt => Prim::Gt,
            BinOp::Ge => Prim::Ge,
            BinOp::Eq => Prim::Eq,
            BinOp::Ne => Prim::Ne,
            BinOp::And => return e(ExprKind::And(Box::new(a), Box::new(b)), span),
            BinOp::Or => return e(ExprKind::Or(Box::new(a), Box::new(b)), span),
            BinOp::Coalesce => return e(ExprKind::Coalesce(Box::new(a), Box::new(b)), span),
            BinOp::Pipe => {
                return e(
                    ExprKind::Call {
                        callee: Box::new(b),
                        args: vec![a],
                        tail: false,
                    },
                    span,
                )
            }
        };
        e(ExprKind::Prim(p, vec![a, b]), span)
    }

    fn expr(&mut self, x: &ast::Expr) -> Expr {
        let span = x.span;
        match &x.kind {
            ast::ExprKind::Int(i) => e(ExprKind::Const(Const::Int(*i)), span),
            ast::ExprKind::Float(f) => e(ExprKind::Const(Const::Float(*f)), span),
            ast::ExprKind::Str(s) => e(ExprKind::Const(Const::Str(s.clone())), span),
            ast::ExprKind::Bool(b) => e(ExprKind::Const(Const::Bool(*b)), span),
            ast::ExprKind::Null => Expr::null(span),
            ast::ExprKind::Interp(parts) => {
                let args = parts
                    .iter()
                    .map(|p| match p {
                        ast::StrPart::Lit(s) => e(ExprKind::Const(Const::Str(s.clone())), span),
                        ast::StrPart::Expr(x) => self.expr(x),
                    })
                    .collect();
                e(ExprKind::Prim(Prim::Concat, args), span)
            }
            ast::ExprKind::Ident(name) => match self.lookup(name) {
                Resolved::Local(v) => e(ExprKind::Local(v), span),
                Resolved::Global => e(ExprKind::Global(name.clone()), span),
            },
            ast::ExprKind::Array(items) => {
                let items = items
                    .iter()
                    .map(|i| match i {
                        ast::ArrayItem::Item(x) => ArrayElem::Item(self.expr(x)),
                        ast::ArrayItem::Spread(x) => ArrayElem::Spread(self.expr(x)),
                    })
                    .collect();
                e(ExprKind::Array(items), span)
            }
            ast::ExprKind::Dict(items) => {
                let items = items
                    .iter()
                    .map(|i| match i {
                        // As in Ruff, a key is an expression: `{name: 1}` uses the
                        // value of the variable `name`.
                        ast::DictItem::Pair(k, v) => DictElem::Pair(self.expr(k), self.expr(v)),
                        ast::DictItem::Spread(x) => DictElem::Spread(self.expr(x)),
                    })
                    .collect();
                e(ExprKind::Dict(items), span)
            }
            ast::ExprKind::Unary(op, inner) => match (op, &inner.kind) {
                (UnOp::Neg, ast::ExprKind::Int(i)) => match i.checked_neg() {
                    Some(n) => e(ExprKind::Const(Const::Int(n)), span),
                    None => e(ExprKind::Prim(Prim::Neg, vec![self.expr(inner)]), span),
                },
                (UnOp::Neg, ast::ExprKind::Float(f)) => e(ExprKind::Const(Const::Float(-f)), span),
                (UnOp::Neg, _) => e(ExprKind::Prim(Prim::Neg, vec![self.expr(inner)]), span),
                (UnOp::Not, _) => e(ExprKind::Prim(Prim::Not, vec![self.expr(inner)]), span),
            },
            ast::ExprKind::Binary(op, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                self.binary_prim(*op, a, b, span)
            }
            ast::ExprKind::Call { callee, args } => {
                let (callee, mut lowered) = match &callee.kind {
                    // `x.f(args)`: the method form of builtin `f(x, args)`.
                    ast::ExprKind::Field { object, name } => {
                        let obj = self.expr(object);
                        (e(ExprKind::Global(name.name.clone()), name.span), vec![obj])
                    }
                    _ => (self.expr(callee), Vec::new()),
                };
                for a in args {
                    lowered.push(self.expr(a));
                }
                e(
                    ExprKind::Call {
                        callee: Box::new(callee),
                        args: lowered,
                        tail: false,
                    },
                    span,
                )
            }
            ast::ExprKind::Index { object, index } => {
                let o = self.expr(object);
                let i = self.expr(index);
                e(ExprKind::Prim(Prim::Index, vec![o, i]), span)
            }
            ast::ExprKind::Func { params, body } => {
                self.function("<anonymous>", params, body, span)
            }
            ast::ExprKind::Field { .. } => self.unsupported("field accesses", span),
            ast::ExprKind::Try(_) => self.unsupported("the `?` operator", span),
            ast::ExprKind::StructLit { .. } => self.unsupported("struct literals", span),
            ast::ExprKind::Path { .. } => self.unsupported("enum variants", span),
        }
    }
}
