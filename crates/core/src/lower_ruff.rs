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
    known_globals: &[String],
) -> Result<Module, Vec<Diagnostic>> {
    lower(program, file_span, is_builtin, known_globals, false)
}

/// Lower a parsed program as [`lower_program`] does, but make its entry function return the
/// value of the program's last statement when that is an expression (a host's `eval`);
/// otherwise null, as always.
pub fn lower_program_valued(
    program: &ast::Program,
    file_span: Span,
    is_builtin: &dyn Fn(&str) -> bool,
    known_globals: &[String],
) -> Result<Module, Vec<Diagnostic>> {
    lower(program, file_span, is_builtin, known_globals, true)
}

fn lower(
    program: &ast::Program,
    file_span: Span,
    is_builtin: &dyn Fn(&str) -> bool,
    known_globals: &[String],
    valued: bool,
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
        exports: Vec::new(),
    };
    for s in &program.stmts {
        collect_top_names(s, &mut lw.top_names);
    }
    // Globals the file's namespace already has (earlier entries of a REPL session) are the
    // file's own top-level names too, but not declarations (so `let x` may be repeated).
    lw.top_names.extend(known_globals.iter().cloned());
    let main = lw.new_func("<main>", None, file_span);
    lw.loops.push(0);
    lw.scopes.push(Scope::new(main, true));
    let mut body = lw.hoist(&program.stmts);
    for s in &program.stmts {
        body.push(lw.stmt(s));
    }
    let last_is_expr =
        matches!(program.stmts.last(), Some(s) if matches!(s.kind, StmtKind::Expr(_)));
    if !(valued && last_is_expr) {
        body.push(Expr::null(file_span));
    }
    lw.scopes.pop();
    lw.module.funcs[main as usize].body = Expr::new(ExprKind::Block(body), file_span);
    lw.module.entry = main;
    let mut globals: Vec<String> = lw.top_names.iter().cloned().collect();
    globals.sort();
    lw.module.globals = globals;
    lw.module.exports = std::mem::take(&mut lw.exports);
    if lw.errors.is_empty() {
        lw.module.check_height().map_err(|d| vec![d])?;
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
        StmtKind::Struct(d) => {
            out.insert(d.name.name.clone());
        }
        StmtKind::Enum(d) => {
            out.insert(d.name.name.clone());
        }
        StmtKind::Import { path, alias } => {
            out.insert(match alias {
                Some(a) => a.name.clone(),
                None => module_binding_name(path),
            });
        }
        StmtKind::FromImport { names, .. } => {
            for n in names {
                out.insert(n.name.clone());
            }
        }
        _ => {}
    }
}

/// The name `import a/b/m` binds: the last path component, without an extension.
pub fn module_binding_name(path: &str) -> String {
    let file = std::path::Path::new(path.rsplit(['/', '\\']).next().unwrap_or(path));
    match (tandem_syntax::Dialect::from_path(file), file.file_stem()) {
        (Some(_), Some(stem)) => stem.to_string_lossy().into_owned(),
        _ => file.to_string_lossy().into_owned(),
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
    pub(crate) var: VarId,
    /// Declared with `let`/`mut`/`const` (for the duplicate-declaration check).
    pub(crate) declared: bool,
}

pub(crate) struct Scope {
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

pub(crate) struct Lowerer<'b> {
    module: Module,
    pub(crate) scopes: Vec<Scope>,
    /// Loop nesting depth of each function being lowered (innermost last).
    loops: Vec<u32>,
    errors: Vec<Diagnostic>,
    top_names: FxHashSet<String>,
    /// Top-level `let`/`const` globals, with where they were declared.
    top_immutable: FxHashMap<String, Span>,
    /// Top-level names declared with `let`/`mut`/`const`.
    top_declared: FxHashSet<String>,
    is_builtin: &'b dyn Fn(&str) -> bool,
    /// Top-level names marked `export`.
    exports: Vec<String>,
}

pub(crate) enum Resolved {
    Local(VarId),
    Global,
}

pub(crate) fn e(kind: ExprKind, span: Span) -> Expr {
    Expr::new(kind, span)
}

impl Lowerer<'_> {
    fn new_func(&mut self, name: &str, parent: Option<FuncId>, span: Span) -> FuncId {
        self.module.add_func(name, parent, span)
    }

    pub(crate) fn new_var(&mut self, name: &str, mutable: bool, span: Span) -> VarId {
        let func = self.cur_func();
        self.module.add_var(name, func, mutable, span)
    }

    /// A new local `name` of the current function, bound in the innermost scope (`declared`:
    /// by `let`/`mut`/`const` or as a parameter, for the duplicate-declaration check).
    pub(crate) fn bind_local(
        &mut self,
        name: &str,
        mutable: bool,
        declared: bool,
        span: Span,
    ) -> VarId {
        let var = self.new_var(name, mutable, span);
        self.scopes
            .last_mut()
            .expect("scope")
            .names
            .insert(name.to_string(), Binding { var, declared });
        var
    }

    pub(crate) fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn cur_func(&self) -> FuncId {
        self.scopes.last().map(|s| s.func).unwrap_or(0)
    }

    pub(crate) fn at_top(&self) -> bool {
        self.scopes.last().is_some_and(|s| s.top)
    }

    pub(crate) fn lookup(&self, name: &str) -> Resolved {
        for s in self.scopes.iter().rev() {
            if let Some(b) = s.names.get(name) {
                return Resolved::Local(b.var);
            }
        }
        Resolved::Global
    }

    pub(crate) fn push_block(&mut self) {
        let f = self.cur_func();
        self.scopes.push(Scope::new(f, false));
    }

    /// Lower the statements of a block in a new scope.
    pub(crate) fn block(&mut self, b: &ast::Block) -> Expr {
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
                let v = self.bind_local(&f.name.name, true, false, f.name.span);
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
            StmtKind::Struct(d) => {
                let mut methods = Vec::new();
                for m in &d.methods {
                    let qualified = format!("{}.{}", d.name.name, m.name.name);
                    let clo = self.function(&qualified, &m.params, &m.body, m.span);
                    if let ExprKind::Closure(fid) = clo.kind {
                        methods.push((m.name.name.clone(), fid));
                    }
                }
                let def = e(
                    ExprKind::StructDef {
                        name: d.name.name.clone(),
                        fields: d.fields.iter().map(|f| f.name.clone()).collect(),
                        methods,
                    },
                    span,
                );
                self.bind_declared(&d.name, def, span)
            }
            StmtKind::Enum(d) => {
                let mut variants = Vec::new();
                for v in &d.variants {
                    let arity = self.payload_arity(&v.name.name, v.arity, v.name.span);
                    variants.push((v.name.name.clone(), arity));
                }
                let def = e(
                    ExprKind::EnumDef {
                        name: d.name.name.clone(),
                        variants,
                    },
                    span,
                );
                self.bind_declared(&d.name, def, span)
            }
            StmtKind::Match {
                subject,
                cases,
                default,
            } => self.match_stmt(subject, cases, default.as_ref(), span),
            StmtKind::Try { body, err, handler } => {
                let body = self.block(body);
                self.push_block();
                let v = self.bind_local(&err.name, true, false, err.span);
                let handler = self.block(handler);
                self.scopes.pop();
                e(
                    ExprKind::Try {
                        body: Box::new(body),
                        var: v,
                        handler: Box::new(handler),
                        raw: false,
                    },
                    span,
                )
            }
            StmtKind::Import { path, alias } => {
                let name = match alias {
                    Some(a) => a.clone(),
                    None => ast::Ident {
                        name: module_binding_name(path),
                        span,
                    },
                };
                let load = e(ExprKind::Import(path.clone()), span);
                self.bind_declared(&name, load, span)
            }
            StmtKind::FromImport { path, names } => {
                let m = self.new_var("$module", false, span);
                let mut items = vec![e(
                    ExprKind::Define(m, Box::new(e(ExprKind::Import(path.clone()), span))),
                    span,
                )];
                for n in names {
                    let member = e(
                        ExprKind::Field(Box::new(e(ExprKind::Local(m), span)), n.name.clone()),
                        n.span,
                    );
                    items.push(self.bind_declared(n, member, n.span));
                }
                items.push(Expr::null(span));
                e(ExprKind::Seq(items), span)
            }
            StmtKind::Export(inner) => {
                if !self.at_top() {
                    self.error(Diagnostic::error(
                        "'export' is only allowed at the top level of a module",
                        span,
                    ));
                }
                let mut names = FxHashSet::default();
                collect_top_names(inner, &mut names);
                let mut names: Vec<String> = names.into_iter().collect();
                names.sort();
                self.exports.extend(names);
                self.stmt(inner)
            }
        }
    }

    /// Bind a declaration (struct, enum, import) to its name, as a `const` would: an
    /// immutable global at top level, a new immutable local elsewhere, with the same checks
    /// (no second declaration of the name in the scope, no builtin's name at top level).
    fn bind_declared(&mut self, name: &ast::Ident, value: Expr, span: Span) -> Expr {
        self.declare_name(DeclKind::Const, name, value, span)
    }

    pub(crate) fn loop_body(&mut self, body: &ast::Block) -> Expr {
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
                    && self.is_builtin_name("range") =>
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
        let v = self.bind_local(&var.name, true, false, var.span);
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
    pub(crate) fn function(
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
            let v = self.bind_local(&p.name, true, true, p.span);
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

    pub(crate) fn decl(
        &mut self,
        kind: DeclKind,
        pattern: &BindPattern,
        value: &ast::Expr,
        span: Span,
    ) -> Expr {
        let BindPattern::Name(id) = pattern else {
            return self.destructure(kind, pattern, value, span);
        };
        // Name a function after the variable it initialises, for error messages.
        let init = match &value.kind {
            ast::ExprKind::Func { params, body } => {
                self.function(&id.name, params, body, value.span)
            }
            _ => self.expr(value),
        };
        self.declare_name(kind, id, init, span)
    }

    /// Declare `id` with `let`/`mut`/`const`, initialised to `init`.
    pub(crate) fn declare_name(
        &mut self,
        kind: DeclKind,
        id: &ast::Ident,
        init: Expr,
        span: Span,
    ) -> Expr {
        let name = &id.name;
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
        let v = self.bind_local(name, kind == DeclKind::Mut, true, id.span);
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
                        let v = self.bind_local(name, true, false, target.span);
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
                        let to = self.new_var("$obj", false, object.span);
                        let ti = self.new_var("$idx", false, index.span);
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
            ast::ExprKind::Field { object, name } => {
                let obj = self.expr(object);
                let rhs = self.expr(value);
                match op {
                    None => e(
                        ExprKind::SetField(Box::new(obj), name.name.clone(), Box::new(rhs)),
                        span,
                    ),
                    Some(op) => {
                        let to = self.new_var("$obj", false, object.span);
                        let cur = e(
                            ExprKind::Field(
                                Box::new(e(ExprKind::Local(to), object.span)),
                                name.name.clone(),
                            ),
                            target.span,
                        );
                        let newv = self.binary_prim(op, cur, rhs, span);
                        e(
                            ExprKind::Block(vec![
                                e(ExprKind::Define(to, Box::new(obj)), object.span),
                                e(
                                    ExprKind::SetField(
                                        Box::new(e(ExprKind::Local(to), object.span)),
                                        name.name.clone(),
                                        Box::new(newv),
                                    ),
                                    span,
                                ),
                            ]),
                            span,
                        )
                    }
                }
            }
            _ => {
                self.error(Diagnostic::error("invalid assignment target", target.span));
                Expr::null(span)
            }
        }
    }

    /// The number of payload values of variant `name` (declared or matched at `span`), which
    /// must fit the IR's `u8` (an error otherwise, reported here rather than truncated).
    pub(crate) fn payload_arity(&mut self, name: &str, n: usize, span: Span) -> u8 {
        u8::try_from(n).unwrap_or_else(|_| {
            self.error(Diagnostic::error(
                format!(
                    "variant '{name}' has {n} payload values (the limit is {})",
                    u8::MAX
                ),
                span,
            ));
            u8::MAX
        })
    }

    /// True when `name` refers to the builtin global of that name here (not rebound by a
    /// local or a top-level declaration of this file).
    pub(crate) fn is_builtin_name(&self, name: &str) -> bool {
        matches!(self.lookup(name), Resolved::Global) && !self.top_names.contains(name)
    }

    /// `e?`: the payload of `Ok(x)`/`Some(x)`, or return `Err(..)`/`None` from the function.
    fn question(&mut self, inner: &ast::Expr, span: Span) -> Expr {
        let value = self.expr(inner);
        let t = self.new_var("$try", false, span);
        let local = || e(ExprKind::Local(t), span);
        e(
            ExprKind::Block(vec![
                e(ExprKind::Define(t, Box::new(value)), span),
                e(
                    ExprKind::If {
                        cond: Box::new(e(ExprKind::Prim(Prim::IsFailure, vec![local()]), span)),
                        then: Box::new(e(ExprKind::Return(Box::new(local())), span)),
                        else_: Box::new(Expr::null(span)),
                        truth: Truth::Ruff,
                    },
                    span,
                ),
                e(ExprKind::Prim(Prim::Unwrap, vec![local()]), span),
            ]),
            span,
        )
    }

    pub(crate) fn binary_prim(&mut self, op: BinOp, a: Expr, b: Expr, span: Span) -> Expr {
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

    pub(crate) fn expr(&mut self, x: &ast::Expr) -> Expr {
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
                let lowered: Vec<Expr> = args.iter().map(|a| self.expr(a)).collect();
                match &callee.kind {
                    // `throw(v)` with the builtin `throw`.
                    ast::ExprKind::Ident(n)
                        if n == "throw" && self.is_builtin_name("throw") && lowered.len() == 1 =>
                    {
                        e(
                            ExprKind::Throw(Box::new(lowered.into_iter().next().expect("one"))),
                            span,
                        )
                    }
                    // `x.f(args)`: a method, a module member, or the builtin `f(x, args)`.
                    ast::ExprKind::Field { object, name } => {
                        let obj = self.expr(object);
                        e(
                            ExprKind::MethodCall {
                                obj: Box::new(obj),
                                name: name.name.clone(),
                                args: lowered,
                                tail: false,
                            },
                            span,
                        )
                    }
                    // `Enum::Variant(args)`
                    ast::ExprKind::Path { enum_name, variant } => {
                        self.enum_variant(enum_name, variant, lowered, span)
                    }
                    _ => {
                        let callee = self.expr(callee);
                        e(
                            ExprKind::Call {
                                callee: Box::new(callee),
                                args: lowered,
                                tail: false,
                            },
                            span,
                        )
                    }
                }
            }
            ast::ExprKind::Index { object, index } => {
                let o = self.expr(object);
                let i = self.expr(index);
                e(ExprKind::Prim(Prim::Index, vec![o, i]), span)
            }
            ast::ExprKind::Func { params, body } => {
                self.function("<anonymous>", params, body, span)
            }
            ast::ExprKind::Field { object, name } => {
                let obj = self.expr(object);
                e(ExprKind::Field(Box::new(obj), name.name.clone()), span)
            }
            ast::ExprKind::Try(inner) => self.question(inner, span),
            ast::ExprKind::StructLit { name, fields } => {
                let ty = self.expr(&ast::Expr {
                    kind: ast::ExprKind::Ident(name.name.clone()),
                    span: name.span,
                });
                let fields = fields
                    .iter()
                    .map(|(f, v)| (f.name.clone(), self.expr(v)))
                    .collect();
                e(
                    ExprKind::StructLit {
                        ty: Box::new(ty),
                        fields,
                    },
                    span,
                )
            }
            ast::ExprKind::Path { enum_name, variant } => {
                self.enum_variant(enum_name, variant, Vec::new(), span)
            }
        }
    }

    /// `Enum::Variant` (no `args`) or `Enum::Variant(args)`: a variant of the enum type the
    /// name `Enum` refers to here.
    fn enum_variant(
        &mut self,
        enum_name: &ast::Ident,
        variant: &ast::Ident,
        args: Vec<Expr>,
        span: Span,
    ) -> Expr {
        let ty = self.expr(&ast::Expr {
            kind: ast::ExprKind::Ident(enum_name.name.clone()),
            span: enum_name.span,
        });
        e(
            ExprKind::MakeVariant {
                enum_type: Some(Box::new(ty)),
                family: enum_name.name.clone(),
                tag: variant.name.clone(),
                args,
            },
            span,
        )
    }
}
