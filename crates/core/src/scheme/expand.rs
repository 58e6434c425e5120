//! The expander's core: environments, identifiers and hygiene, special-form dispatch,
//! `lambda`, bodies with internal definitions, and the top level.
//!
//! **Hygiene by renaming.** Every identifier a `syntax-rules` template introduces is renamed
//! to a fresh *alias* symbol, `name\0N`, where alias `N` records the original symbol and the
//! environment the macro was defined in. Resolving a symbol looks it up in the current
//! environment chain first (a binder the same expansion introduced binds the alias itself, so
//! it can only capture identifiers from that expansion); when the alias is not bound there, it
//! is resolved as its original name in the macro's definition environment. A plain symbol
//! bound nowhere is a global, named by the symbol. Special forms are bindings in the core
//! environment, so a local named `if` shadows the special form, and a template's `if` still
//! means the special form.

use super::forward;
use super::lower::*;
use super::syntax_rules::Macro;
use crate::ir::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::{Diagnostic, Span};

/// How many macro expansions may nest inside each other (a looping macro stops here).
pub const MAX_MACRO_DEPTH: u32 = 10_000;
/// How many macro expansions one program may perform in total.
pub const MAX_EXPANSION_STEPS: u64 = 2_000_000;
/// How many datum nodes the expansions of one program may produce in total. A macro that
/// grows its own use at each step (`((_ a ...) (t 1 a ...))`) reaches it after about 1,400
/// steps, in a fraction of a second, instead of producing 10,000 ever longer forms.
pub const MAX_EXPANSION_NODES: u64 = 1_000_000;
/// How deeply expressions may nest after expansion.
pub(crate) const MAX_EXPR_DEPTH: u32 = 40_000;

/// Special forms and auxiliary syntax (`else`, `=>`, ...), bound in the core environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sf {
    Quote,
    Quasiquote,
    Unquote,
    UnquoteSplicing,
    Lambda,
    Define,
    Set,
    If,
    Begin,
    Let,
    LetStar,
    Letrec,
    LetrecStar,
    LetValues,
    LetStarValues,
    DefineValues,
    Do,
    Cond,
    Case,
    And,
    Or,
    When,
    Unless,
    DefineSyntax,
    LetSyntax,
    LetrecSyntax,
    SyntaxRules,
    Guard,
    Parameterize,
    CaseLambda,
    Delay,
    DelayForce,
    DefineRecordType,
    Import,
    Else,
    Arrow,
    Ellipsis,
    Underscore,
}

const SPECIAL_FORMS: &[(&str, Sf)] = &[
    ("quote", Sf::Quote),
    ("quasiquote", Sf::Quasiquote),
    ("unquote", Sf::Unquote),
    ("unquote-splicing", Sf::UnquoteSplicing),
    ("lambda", Sf::Lambda),
    ("define", Sf::Define),
    ("set!", Sf::Set),
    ("if", Sf::If),
    ("begin", Sf::Begin),
    ("let", Sf::Let),
    ("let*", Sf::LetStar),
    ("letrec", Sf::Letrec),
    ("letrec*", Sf::LetrecStar),
    ("let-values", Sf::LetValues),
    ("let*-values", Sf::LetStarValues),
    ("define-values", Sf::DefineValues),
    ("do", Sf::Do),
    ("cond", Sf::Cond),
    ("case", Sf::Case),
    ("and", Sf::And),
    ("or", Sf::Or),
    ("when", Sf::When),
    ("unless", Sf::Unless),
    ("define-syntax", Sf::DefineSyntax),
    ("let-syntax", Sf::LetSyntax),
    ("letrec-syntax", Sf::LetrecSyntax),
    ("syntax-rules", Sf::SyntaxRules),
    ("guard", Sf::Guard),
    ("parameterize", Sf::Parameterize),
    ("case-lambda", Sf::CaseLambda),
    ("delay", Sf::Delay),
    ("delay-force", Sf::DelayForce),
    ("define-record-type", Sf::DefineRecordType),
    ("import", Sf::Import),
    ("else", Sf::Else),
    ("=>", Sf::Arrow),
    ("...", Sf::Ellipsis),
    ("_", Sf::Underscore),
];

/// What an identifier refers to.
#[derive(Clone)]
pub(crate) enum Binding {
    Var(VarId),
    Global(String),
    Special(Sf),
    Macro(Rc<Macro>),
}

impl PartialEq for Binding {
    fn eq(&self, other: &Binding) -> bool {
        match (self, other) {
            (Binding::Var(a), Binding::Var(b)) => a == b,
            (Binding::Global(a), Binding::Global(b)) => a == b,
            (Binding::Special(a), Binding::Special(b)) => a == b,
            (Binding::Macro(a), Binding::Macro(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// One frame of a lexical environment. Frames are shared (`Rc`) so a macro can keep the
/// environment it was defined in; a body's frame grows as its definitions are scanned.
///
/// Looking a name up walks the chain of frames, which is as long as the code is deeply
/// nested. Most names looked up deep inside are bound only at the top level (globals,
/// special forms, and the aliases a macro's template introduces for them), so every frame
/// knows its top level and the names any local frame binds: a name no local frame binds is
/// looked up at the top level straight away. Without this, a runaway recursive macro under a
/// `let` spent time quadratic in its depth (about 20 s) before reaching the depth limit.
pub(crate) struct Env {
    parent: Option<Rc<Env>>,
    names: RefCell<FxHashMap<String, Binding>>,
    /// The top-level frame a local frame is nested in (`None` for the top level and core).
    top: Option<Rc<Env>>,
    /// The names bound in some local frame (shared by every frame of one program).
    local_names: Rc<RefCell<FxHashSet<String>>>,
}

thread_local! {
    /// How many [`Env`] frames exist on this thread (see [`live_environments`]).
    static LIVE_ENVS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many expander environment frames are alive on this thread. Once a program is lowered
/// none of its frames stays alive; a count that grows with each program compiled is a leak.
pub fn live_environments() -> usize {
    LIVE_ENVS.with(|n| n.get())
}

impl Drop for Env {
    fn drop(&mut self) {
        LIVE_ENVS.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

impl Env {
    fn counted(env: Env) -> Rc<Env> {
        LIVE_ENVS.with(|n| n.set(n.get() + 1));
        Rc::new(env)
    }

    /// A frame of its own (the core), or the top level inside `parent` (the core).
    fn top_level(parent: Option<&Rc<Env>>) -> Rc<Env> {
        Env::counted(Env {
            parent: parent.cloned(),
            names: RefCell::new(FxHashMap::default()),
            top: None,
            local_names: parent.map(|p| p.local_names.clone()).unwrap_or_default(),
        })
    }

    /// A local frame inside `parent`.
    pub(crate) fn child(parent: &Rc<Env>) -> Rc<Env> {
        Env::counted(Env {
            parent: Some(parent.clone()),
            names: RefCell::new(FxHashMap::default()),
            top: Some(parent.top.clone().unwrap_or_else(|| parent.clone())),
            local_names: parent.local_names.clone(),
        })
    }

    pub(crate) fn bind(&self, name: &str, b: Binding) {
        if self.top.is_some() {
            let mut local = self.local_names.borrow_mut();
            if !local.contains(name) {
                local.insert(name.to_string());
            }
        }
        self.names.borrow_mut().insert(name.to_string(), b);
    }

    /// The first frame (this one or an outer one) that may bind `name`.
    fn start_for(self: &Rc<Env>, name: &str) -> Rc<Env> {
        match &self.top {
            Some(top) if !self.local_names.borrow().contains(name) => top.clone(),
            _ => self.clone(),
        }
    }
}

/// The name a (possibly renamed) symbol was written as.
pub(crate) fn base_name(sym: &str) -> &str {
    sym.split('\0').next().unwrap_or(sym)
}

/// `d` with every renamed symbol replaced by its original name (for quoting and messages).
pub(crate) fn strip(d: &Datum) -> Datum {
    let kind = match &d.kind {
        DatumKind::Symbol(s) => DatumKind::Symbol(base_name(s).to_string()),
        DatumKind::List(items, tail) => DatumKind::List(
            items.iter().map(strip).collect(),
            tail.as_ref().map(|t| Box::new(strip(t))),
        ),
        DatumKind::Vector(items) => DatumKind::Vector(items.iter().map(strip).collect()),
        k => k.clone(),
    };
    Datum::new(kind, d.span)
}

/// Parsed lambda formals: fixed parameters and the rest parameter (symbol, span).
pub(crate) type Formals = (Vec<(String, Span)>, Option<(String, Span)>);

/// A definition found while scanning a body (or the top level). Forms are borrowed from
/// the source (`'a`) and owned only when a macro expansion made them, so scanning a body
/// never copies the forms it finds.
pub(crate) struct Def<'a> {
    /// The symbol it binds (possibly an alias).
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) val: DefVal<'a>,
}

pub(crate) enum DefVal<'a> {
    /// `(define x)`: unspecified.
    Unspecified,
    Expr(Cow<'a, Datum>),
    Lambda {
        /// The parameters (a small list, copied out of the `define` head).
        formals: Datum,
        body: Cow<'a, [Datum]>,
    },
    Record(super::records::RecordPart),
}

/// A body (or top-level) form after its head has been macro-expanded.
pub(crate) enum Item<'a> {
    Defs(Vec<Def<'a>>),
    /// `(define-values formals expr)`: the names are defined (unspecified) by the `Defs`
    /// item before it; this assigns them.
    DefineValues {
        formals: Cow<'a, Datum>,
        expr: Cow<'a, Datum>,
        span: Span,
    },
    Expr(Cow<'a, Datum>),
}

/// The items of a proper list `d` (empty for anything else), borrowed or taken over.
fn list_items(d: Cow<'_, Datum>) -> Cow<'_, [Datum]> {
    match d {
        Cow::Borrowed(d) => Cow::Borrowed(d.list_items().unwrap_or(&[])),
        Cow::Owned(d) => match d.kind {
            DatumKind::List(items, None) => Cow::Owned(items),
            _ => Cow::Owned(Vec::new()),
        },
    }
}

/// Put `xs` at the front of `queue`, in order.
fn splice_front<T>(queue: &mut VecDeque<T>, xs: Vec<T>) {
    for x in xs.into_iter().rev() {
        queue.push_front(x);
    }
}

/// Item `i` of `items` (which must have it), borrowed or moved out (leaving `#f`).
fn take_item<'a>(items: &mut Cow<'a, [Datum]>, i: usize) -> Cow<'a, Datum> {
    match items {
        Cow::Borrowed(s) => Cow::Borrowed(&s[i]),
        Cow::Owned(v) => {
            let span = v[i].span;
            Cow::Owned(std::mem::replace(
                &mut v[i],
                Datum::new(DatumKind::Bool(false), span),
            ))
        }
    }
}

/// The items of `items` from `i` on, borrowed or moved out.
fn take_tail<'a>(items: &mut Cow<'a, [Datum]>, i: usize) -> Cow<'a, [Datum]> {
    match items {
        Cow::Borrowed(s) => Cow::Borrowed(&s[i..]),
        Cow::Owned(v) => Cow::Owned(v.split_off(i)),
    }
}

pub(crate) struct Lx {
    pub(crate) module: Module,
    fstack: Vec<FuncId>,
    pub(crate) errors: Vec<Diagnostic>,
    /// Alias `N`: the symbol it renames and the environment of the macro that introduced it.
    aliases: Vec<(String, Rc<Env>)>,
    pub(crate) jue: bool,
    /// Special forms only (aliases made by [`Lx::core_sym`] resolve here).
    core: Rc<Env>,
    /// The top level: core + top-level macros and defined names.
    pub(crate) root: Rc<Env>,
    globals: Vec<String>,
    /// The program is the Scheme library itself (the prelude, or some of its definitions).
    /// Its `guard` is lowered without the runtime support calls
    /// (`%guard-body`, `%escape?`): it is the primitive catch everything else is built on.
    /// And its definitions *are* the builtins, so they do not stop builtin calls from
    /// being inlined (its own `apply` relies on the `apply` form).
    pub(crate) library: bool,
    depth: u32,
    macro_depth: u32,
    pub(crate) steps: u64,
    /// Datum nodes all `syntax-rules` expansions of this program produced so far (the
    /// budget is [`MAX_EXPANSION_NODES`]).
    pub(crate) expansion_nodes: u64,
    /// The frames a macro is bound in. A macro refers to the frame it was defined in, which
    /// (for `define-syntax` and `letrec-syntax`) is the one that binds it: an `Rc` cycle,
    /// which dropping the expander breaks by emptying these frames.
    macro_envs: Vec<Rc<Env>>,
}

impl Drop for Lx {
    fn drop(&mut self) {
        for env in self.macro_envs.drain(..) {
            // Take the bindings out first: dropping one may drop other frames.
            let names = std::mem::take(&mut *env.names.borrow_mut());
            drop(names);
        }
    }
}

/// What is lowered besides the datums (see `lower_scheme_program` and
/// `lower_scheme_library`).
#[derive(Clone, Copy)]
pub(crate) struct Options<'a> {
    /// The program is Jue.
    pub(crate) jue: bool,
    /// The names the program's namespace already defines or imports.
    pub(crate) known_globals: &'a [String],
    /// The imported procedures that only forward to a builtin.
    pub(crate) forwarders: &'a [Forwarder],
    /// The program is the Scheme library itself (see [`Lx::library`]).
    pub(crate) library: bool,
    /// The entry returns the value of the last top-level form when it is an expression (a
    /// host's `eval`; in Jue that value is returned instead of printed).
    pub(crate) valued: bool,
}

pub(crate) fn lower_program(
    datums: &[Datum],
    file_span: Span,
    options: Options,
) -> Result<Module, Vec<Diagnostic>> {
    let Options {
        jue,
        known_globals,
        forwarders,
        library,
        valued,
    } = options;
    let core = Env::top_level(None);
    for (name, sf) in SPECIAL_FORMS {
        core.bind(name, Binding::Special(*sf));
    }
    let root = Env::top_level(Some(&core));
    let mut lx = Lx {
        module: Module::default(),
        fstack: Vec::new(),
        errors: Vec::new(),
        aliases: Vec::new(),
        jue,
        core,
        root,
        globals: Vec::new(),
        library,
        depth: 0,
        macro_depth: 0,
        steps: 0,
        expansion_nodes: 0,
        macro_envs: Vec::new(),
    };
    let main = lx.new_func("<main>", file_span);
    lx.fstack.push(main);
    let mut out = Vec::new();
    let root = lx.root.clone();
    let mut queue: VecDeque<Cow<Datum>> = datums.iter().map(Cow::Borrowed).collect();
    // Whether the last top-level form was an expression (its value is the last in `out`).
    let mut last_is_expr = false;
    while let Some(d) = queue.pop_front() {
        if lx.errors.len() >= 50 {
            break;
        }
        last_is_expr = false;
        let span = d.span;
        let d = match lx.begin_items(d, &root) {
            Ok(items) => {
                if jue {
                    // Jue prints the value of a top-level `begin` of expressions once.
                    lx.jue_begin(items, span, &mut out);
                    continue;
                }
                splice_front(&mut queue, items);
                continue;
            }
            Err(d) => d,
        };
        for item in lx.classify(d, &root) {
            last_is_expr = matches!(item, Item::Expr(_));
            lx.top_item(item, &mut out);
        }
    }
    if valued && last_is_expr {
        if jue {
            // Returned, not printed.
            if let Some(ExprKind::Call { args, .. }) = out.last_mut().map(|e| &mut e.kind) {
                if let Some(x) = args.pop() {
                    *out.last_mut().expect("checked") = x;
                }
            }
        }
    } else {
        out.push(Expr::null(file_span));
    }
    lx.fstack.pop();
    lx.module.funcs[main as usize].body = mk(ExprKind::Block(out), file_span);
    lx.module.entry = main;
    lx.module.builtin_ns = "scheme".into();
    lx.module.wording = Wording::Scheme;
    lx.module.globals = std::mem::take(&mut lx.globals);
    if lx.errors.is_empty() {
        // Calls of builtins that neither this program nor its namespace (re)defines become
        // primitive operations, decided now that every definition is known. Calls of
        // imported procedures that only forward to a builtin call the builtin first.
        let assigned = assigned_globals(&lx.module);
        let mut redefined = assigned.clone();
        if !lx.library {
            redefined.extend(lx.module.globals.iter().cloned());
            redefined.extend(known_globals.iter().cloned());
            forward::forward_calls(&mut lx.module, forwarders, &assigned, &redefined);
            lx.module.forwarders = forward::find_forwarders(&lx.module, &assigned, &redefined);
        }
        super::accessors::inline_record_calls(&mut lx.module, &assigned, &redefined);
        inline_builtins(&mut lx.module, &redefined);
        lx.module.check_height().map_err(|d| vec![d])?;
        crate::loopify::loopify(&mut lx.module);
        crate::resolve::resolve(&mut lx.module);
        Ok(std::mem::take(&mut lx.module))
    } else {
        Err(std::mem::take(&mut lx.errors))
    }
}

impl Lx {
    // ----- IR bookkeeping -------------------------------------------------------------

    fn new_func(&mut self, name: &str, span: Span) -> FuncId {
        let parent = self.fstack.last().copied();
        self.module.add_func(name, parent, span)
    }

    /// A new local of the function being lowered (`name` is for messages only).
    pub(crate) fn new_var(&mut self, name: &str, span: Span) -> VarId {
        let func = self.fstack.last().copied().unwrap_or(0);
        self.module.add_var(base_name(name), func, true, span)
    }

    /// A new local of the function being lowered, bound to `name` in `frame`.
    pub(crate) fn bind_new_var(&mut self, frame: &Env, name: &str, span: Span) -> VarId {
        let v = self.new_var(name, span);
        frame.bind(name, Binding::Var(v));
        v
    }

    /// Make a function: `params` (display names) and an optional rest list parameter; `build`
    /// lowers the body given the parameters' variables. Returns the function.
    pub(crate) fn make_func(
        &mut self,
        name: &str,
        span: Span,
        params: &[String],
        rest: Option<&str>,
        build: impl FnOnce(&mut Lx, &[VarId], Option<VarId>) -> Expr,
    ) -> FuncId {
        let fid = self.new_func(base_name(name), span);
        self.fstack.push(fid);
        let pvars: Vec<VarId> = params.iter().map(|p| self.new_var(p, span)).collect();
        let rvar = rest.map(|r| self.new_var(r, span));
        let body = build(self, &pvars, rvar);
        self.fstack.pop();
        let f = &mut self.module.funcs[fid as usize];
        f.params = pvars;
        f.rest = rvar;
        f.rest_list = rvar.is_some();
        f.body = body;
        fid
    }

    /// A closure of a thunk whose body `build` lowers.
    pub(crate) fn thunk(
        &mut self,
        name: &str,
        span: Span,
        build: impl FnOnce(&mut Lx) -> Expr,
    ) -> Expr {
        let fid = self.make_func(name, span, &[], None, |lx, _, _| build(lx));
        mk(ExprKind::Closure(fid), span)
    }

    pub(crate) fn err(&mut self, msg: impl Into<String>, span: Span) -> Expr {
        self.errors.push(Diagnostic::error(msg, span));
        Expr::null(span)
    }

    fn add_global(&mut self, name: &str) {
        if !self.globals.iter().any(|g| g == name) {
            self.globals.push(name.to_string());
        }
    }

    // ----- identifiers ----------------------------------------------------------------

    /// Rename `sym` for one macro expansion: a fresh alias resolved in `env` when unbound.
    pub(crate) fn new_alias(&mut self, sym: &str, env: &Rc<Env>) -> String {
        let id = self.aliases.len();
        self.aliases.push((sym.to_string(), env.clone()));
        format!("{sym}\0{id}")
    }

    /// A symbol that always means the core special form `name`, whatever the user binds.
    pub(crate) fn core_sym(&mut self, name: &str, span: Span) -> Datum {
        let core = self.core.clone();
        sym(&self.new_alias(name, &core), span)
    }

    /// What `sym` refers to in `env`.
    pub(crate) fn lookup(&self, env: &Rc<Env>, sym: &str) -> Binding {
        let mut env = env.clone();
        let mut s = sym;
        loop {
            let mut frame = Some(env.start_for(s));
            while let Some(f) = frame {
                if let Some(b) = f.names.borrow().get(s) {
                    return b.clone();
                }
                frame = f.parent.clone();
            }
            match s.rsplit_once('\0') {
                Some((orig, id)) => {
                    // Only a genuine alias (one this expansion made for `orig`) resolves in
                    // its macro's environment. The reader rejects NUL in symbols, so a forged
                    // one cannot arrive from source; should one arrive anyway (a datum built
                    // by a host), it is the plain global its visible name spells.
                    let Some((o, e)) = id
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| self.aliases.get(i))
                        .filter(|(o, _)| o == orig)
                    else {
                        return Binding::Global(base_name(s).to_string());
                    };
                    env = e.clone();
                    s = o;
                }
                None => return Binding::Global(s.to_string()),
            }
        }
    }

    /// The special form (or auxiliary keyword) `d` names, if it is an identifier bound to one.
    pub(crate) fn special_of(&self, d: &Datum, env: &Rc<Env>) -> Option<Sf> {
        match self.lookup(env, d.as_symbol()?) {
            Binding::Special(sf) => Some(sf),
            _ => None,
        }
    }

    /// The special form a list datum starts with.
    pub(crate) fn form_of(&self, d: &Datum, env: &Rc<Env>) -> Option<Sf> {
        match &d.kind {
            DatumKind::List(items, None) => items.first().and_then(|h| self.special_of(h, env)),
            _ => None,
        }
    }

    // ----- macro expansion ------------------------------------------------------------

    /// Bind macro `m` to `name` in `env`, which is then emptied when the expander is dropped
    /// (see [`Lx::macro_envs`]).
    pub(crate) fn bind_macro(&mut self, env: &Rc<Env>, name: &str, m: Macro) {
        env.bind(name, Binding::Macro(Rc::new(m)));
        // Consecutive bindings are mostly in one frame; a frame listed twice is harmless.
        if !self.macro_envs.last().is_some_and(|e| Rc::ptr_eq(e, env)) {
            self.macro_envs.push(env.clone());
        }
    }

    /// Expand `d` once if it is a macro use.
    fn expand_once(&mut self, d: &Datum, env: &Rc<Env>) -> Option<Datum> {
        let DatumKind::List(items, _) = &d.kind else {
            return None;
        };
        let head = items.first()?.as_symbol()?;
        let Binding::Macro(m) = self.lookup(env, head) else {
            return None;
        };
        self.steps += 1;
        if self.steps > MAX_EXPANSION_STEPS {
            self.err(
                "macro expansion too deep (too many expansion steps)",
                d.span,
            );
            return Some(Datum::new(DatumKind::Bool(false), d.span));
        }
        match m.expand(self, d, env) {
            Ok(x) => Some(x),
            Err(msg) => {
                self.err(msg, d.span);
                Some(Datum::new(DatumKind::Bool(false), d.span))
            }
        }
    }

    /// Expand the head of `d` until it is not a macro use.
    fn expand_head<'a>(&mut self, mut d: Cow<'a, Datum>, env: &Rc<Env>) -> Cow<'a, Datum> {
        let mut n = 0;
        while let Some(x) = self.expand_once(&d, env) {
            n += 1;
            if n > MAX_MACRO_DEPTH {
                self.err("macro expansion too deep", d.span);
                return Cow::Owned(Datum::new(DatumKind::Bool(false), d.span));
            }
            d = Cow::Owned(x);
        }
        d
    }

    // ----- expressions ----------------------------------------------------------------

    /// Lower an expression.
    pub(crate) fn expr(&mut self, d: &Datum, env: &Rc<Env>) -> Expr {
        self.expr_nested(d, env, None)
    }

    /// Lower an expression whose value is bound to `name` (a lambda gets that name).
    pub(crate) fn named_expr(&mut self, d: &Datum, env: &Rc<Env>, name: &str) -> Expr {
        self.expr_nested(d, env, Some(name))
    }

    /// [`Lx::expr_inner`] one level deeper, up to [`MAX_EXPR_DEPTH`].
    fn expr_nested(&mut self, d: &Datum, env: &Rc<Env>, name: Option<&str>) -> Expr {
        self.depth += 1;
        let r = if self.depth > MAX_EXPR_DEPTH {
            self.err("expression nested too deeply", d.span)
        } else {
            self.expr_inner(d, env, name)
        };
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, d: &Datum, env: &Rc<Env>, name: Option<&str>) -> Expr {
        let span = d.span;
        let items = match &d.kind {
            DatumKind::Symbol(s) => return self.variable(s, env, span),
            DatumKind::List(items, None) => items,
            DatumKind::List(_, Some(_)) => {
                return self.err("bad syntax: an improper list is not an expression", span)
            }
            _ => return mk(ExprKind::Const(const_of(d)), span),
        };
        let Some(head) = items.first() else {
            // `()` (Jue's `nil`): the empty list.
            return mk(ExprKind::Const(Const::Null), span);
        };
        if let Some(h) = head.as_symbol() {
            match self.lookup(env, h) {
                Binding::Special(sf) => return self.special(sf, d, items, env, name),
                Binding::Macro(_) => {
                    // Expanded until it is no macro use, each expansion dropped as the
                    // next is made: a chain of uses keeps one alive, not all of them.
                    let x = self.expand_head(Cow::Borrowed(d), env);
                    self.macro_depth += 1;
                    let r = if self.macro_depth > MAX_MACRO_DEPTH {
                        self.err("macro expansion too deep", span)
                    } else {
                        self.expr_inner(&x, env, name)
                    };
                    self.macro_depth -= 1;
                    return r;
                }
                Binding::Global(g) => {
                    if self.jue {
                        if let Some(tier) = g.strip_prefix(':').filter(|t| {
                            matches!(*t, "formal" | "verified" | "empirical" | "experimental")
                        }) {
                            return self.tier(tier, items, env, span);
                        }
                    }
                    // A call of a builtin stays a call here: [`inline_builtins`] decides
                    // at the end whether it is a primitive operation (or `Apply`).
                }
                Binding::Var(_) => {}
            }
        }
        let callee = self.expr(head, env);
        let args = items[1..].iter().map(|a| self.expr(a, env)).collect();
        call(callee, args, span)
    }

    fn variable(&mut self, s: &str, env: &Rc<Env>, span: Span) -> Expr {
        match self.lookup(env, s) {
            Binding::Var(v) => mk(ExprKind::Local(v), span),
            Binding::Global(g) => mk(ExprKind::Global(g), span),
            Binding::Special(_) | Binding::Macro(_) => self.err(
                format!("syntax keyword `{}` used as a variable", base_name(s)),
                span,
            ),
        }
    }

    /// Jue `(:tier e ...)`.
    fn tier(&mut self, tier: &str, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 2 {
            return self.err(format!(":{tier}: expected an expression"), span);
        }
        let env2 = env.clone();
        let th = self.thunk(&format!(":{tier}"), span, |lx| {
            lx.body(&items[1..], &env2, span)
        });
        global_call(
            "%with-tier",
            vec![mk(ExprKind::Const(Const::Symbol(tier.into())), span), th],
            span,
        )
    }

    fn special(
        &mut self,
        sf: Sf,
        d: &Datum,
        items: &[Datum],
        env: &Rc<Env>,
        name: Option<&str>,
    ) -> Expr {
        let span = d.span;
        let kw = base_name(items[0].as_symbol().unwrap_or("")).to_string();
        let n = items.len();
        match sf {
            Sf::Quote => {
                if n != 2 {
                    return self.err(format!("quote: expected 1 datum, got {}", n - 1), span);
                }
                mk(ExprKind::Const(const_of(&items[1])), span)
            }
            Sf::Quasiquote => {
                if n != 2 {
                    return self.err(format!("quasiquote: expected 1 datum, got {}", n - 1), span);
                }
                self.quasiquote(&items[1], env, 1)
            }
            Sf::Unquote | Sf::UnquoteSplicing => self.err(format!("{kw}: not in quasiquote"), span),
            Sf::Lambda => {
                if n < 3 {
                    return self.err("lambda: expected formals and a body", span);
                }
                self.lambda(&items[1], &items[2..], env, name.unwrap_or("lambda"), span)
            }
            Sf::If => {
                if !(3..=4).contains(&n) {
                    return self.err(format!("if: expected 2 or 3 parts, got {}", n - 1), span);
                }
                let c = self.expr(&items[1], env);
                let t = self.expr(&items[2], env);
                let e = match items.get(3) {
                    Some(x) => self.expr(x, env),
                    None => Expr::null(span),
                };
                if_(c, t, e, span)
            }
            Sf::Set => {
                if n != 3 {
                    return self.err(format!("set!: expected a variable and a value, got {} parts", n - 1), span);
                }
                let Some(s) = items[1].as_symbol() else {
                    return self.err("set!: expected a variable name", items[1].span);
                };
                let b = self.lookup(env, s);
                let value = self.named_expr(&items[2], env, s);
                match b {
                    Binding::Var(v) => mk(ExprKind::SetLocal(v, Box::new(value)), span),
                    Binding::Global(g) => mk(ExprKind::SetGlobal(g, Box::new(value)), span),
                    _ => self.err(
                        format!("set!: cannot assign the syntax keyword `{}`", base_name(s)),
                        items[1].span,
                    ),
                }
            }
            Sf::Begin => {
                if n == 1 {
                    return Expr::null(span);
                }
                let xs = items[1..].iter().map(|x| self.expr(x, env)).collect();
                mk(ExprKind::Block(xs), span)
            }
            Sf::Let => self.let_form(items, env, span),
            Sf::LetStar => self.let_star(items, env, span),
            Sf::Letrec | Sf::LetrecStar => self.letrec(items, env, span, &kw),
            Sf::LetValues | Sf::LetStarValues => {
                self.let_values(items, env, span, sf == Sf::LetStarValues)
            }
            Sf::Do => self.do_form(items, env, span),
            Sf::Cond => self.cond(items, env, span),
            Sf::Case => self.case(items, env, span),
            Sf::And => self.and(&items[1..], env, span),
            Sf::Or => self.or(&items[1..], env, span),
            Sf::When | Sf::Unless => {
                if n < 3 {
                    return self.err(format!("{kw}: expected a test and a body"), span);
                }
                let c = self.expr(&items[1], env);
                let xs = items[2..].iter().map(|x| self.expr(x, env)).collect();
                let body = mk(ExprKind::Block(xs), span);
                if sf == Sf::When {
                    if_(c, body, Expr::null(span), span)
                } else {
                    if_(c, Expr::null(span), body, span)
                }
            }
            Sf::LetSyntax | Sf::LetrecSyntax => self.let_syntax(items, env, span, sf == Sf::LetrecSyntax),
            Sf::Guard => self.guard(items, env, span),
            Sf::Parameterize => self.parameterize(items, env, span),
            Sf::CaseLambda => self.case_lambda(items, env, span, name.unwrap_or("case-lambda")),
            Sf::Delay | Sf::DelayForce => {
                if n != 2 {
                    return self.err(format!("{kw}: expected 1 expression, got {}", n - 1), span);
                }
                let env2 = env.clone();
                let th = self.thunk(&kw, span, |lx| lx.expr(&items[1], &env2));
                let f = if sf == Sf::Delay { "%delay" } else { "%delay-force" };
                global_call(f, vec![th], span)
            }
            Sf::Define
            | Sf::DefineValues
            | Sf::DefineSyntax
            | Sf::DefineRecordType
            | Sf::Import => self.err(
                format!("{kw}: a definition is not allowed here (only at the top level or at the start of a body)"),
                span,
            ),
            Sf::SyntaxRules => self.err("syntax-rules: only allowed in define-syntax, let-syntax or letrec-syntax", span),
            Sf::Else | Sf::Arrow | Sf::Ellipsis | Sf::Underscore => {
                self.err(format!("{kw}: auxiliary syntax used out of context"), span)
            }
        }
    }

    // ----- lambda and bodies ----------------------------------------------------------

    /// Parse lambda formals: the fixed parameters and the rest parameter.
    pub(crate) fn formals(&mut self, f: &Datum) -> Option<Formals> {
        let mut seen = FxHashSet::default();
        let mut check = |lx: &mut Lx, d: &Datum| -> Option<(String, Span)> {
            match d.as_symbol() {
                Some(s) => {
                    if !seen.insert(s.to_string()) {
                        lx.err(format!("duplicate parameter `{}`", base_name(s)), d.span);
                    }
                    Some((s.to_string(), d.span))
                }
                None => {
                    lx.err(
                        format!(
                            "bad formals: a parameter must be a symbol, not {}",
                            d.describe()
                        ),
                        d.span,
                    );
                    None
                }
            }
        };
        match &f.kind {
            DatumKind::Symbol(_) => Some((Vec::new(), Some(check(self, f)?))),
            DatumKind::List(items, tail) => {
                let mut ps = Vec::new();
                for x in items {
                    ps.push(check(self, x)?);
                }
                let rest = match tail {
                    Some(t) => Some(check(self, t)?),
                    None => None,
                };
                Some((ps, rest))
            }
            _ => {
                self.err(
                    format!(
                        "bad formals: expected a list or a symbol, not {}",
                        f.describe()
                    ),
                    f.span,
                );
                None
            }
        }
    }

    /// Make a function from formals (binding them in a new frame of `env`) and a body
    /// lowered by `build`.
    pub(crate) fn func_with_formals(
        &mut self,
        formals: &Datum,
        env: &Rc<Env>,
        name: &str,
        span: Span,
        build: impl FnOnce(&mut Lx, &Rc<Env>) -> Expr,
    ) -> Option<FuncId> {
        let (ps, rest) = self.formals(formals)?;
        let names: Vec<String> = ps.iter().map(|p| p.0.clone()).collect();
        let frame = Env::child(env);
        let fid = self.make_func(
            name,
            span,
            &names,
            rest.as_ref().map(|r| r.0.as_str()),
            |lx, pv, rv| {
                for (p, v) in ps.iter().zip(pv) {
                    frame.bind(&p.0, Binding::Var(*v));
                }
                if let (Some(r), Some(v)) = (&rest, rv) {
                    frame.bind(&r.0, Binding::Var(v));
                }
                build(lx, &frame)
            },
        );
        Some(fid)
    }

    pub(crate) fn lambda(
        &mut self,
        formals: &Datum,
        body: &[Datum],
        env: &Rc<Env>,
        name: &str,
        span: Span,
    ) -> Expr {
        match self.func_with_formals(formals, env, name, span, |lx, frame| {
            lx.body(body, frame, span)
        }) {
            Some(fid) => mk(ExprKind::Closure(fid), span),
            None => Expr::null(span),
        }
    }

    /// If `d` is a `(begin ...)` form (after expanding its head), its items; a macro use
    /// that expands to something else, its expansion. Anything else is given back.
    fn begin_items<'a>(
        &mut self,
        d: Cow<'a, Datum>,
        env: &Rc<Env>,
    ) -> Result<Vec<Cow<'a, Datum>>, Cow<'a, Datum>> {
        let head = match d
            .list_items()
            .and_then(|i| i.first())
            .and_then(|h| h.as_symbol())
        {
            Some(h) => self.lookup(env, h),
            None => return Err(d),
        };
        let x = match head {
            Binding::Special(Sf::Begin) => d,
            Binding::Macro(_) => {
                let x = self.expand_head(d, env);
                if self.form_of(&x, env) != Some(Sf::Begin) {
                    return Ok(vec![x]);
                }
                x
            }
            _ => return Err(d),
        };
        Ok(match list_items(x) {
            Cow::Borrowed(items) => items[1..].iter().map(Cow::Borrowed).collect(),
            Cow::Owned(items) => items.into_iter().skip(1).map(Cow::Owned).collect(),
        })
    }

    /// Scan the forms of a body (or of a top-level `begin`) in order: a `begin`, or a macro
    /// use expanding to one, splices its forms in its place; every other form is classified,
    /// so a `define-syntax` binds its macro before the forms after it are scanned.
    fn scan_forms<'a>(
        &mut self,
        mut queue: VecDeque<Cow<'a, Datum>>,
        env: &Rc<Env>,
    ) -> Vec<Item<'a>> {
        let mut items = Vec::new();
        while let Some(d) = queue.pop_front() {
            match self.begin_items(d, env) {
                Ok(xs) => splice_front(&mut queue, xs),
                Err(d) => items.extend(self.classify(d, env)),
            }
        }
        items
    }

    /// Lower a body: internal definitions (letrec* semantics) followed by expressions, in a
    /// new frame of `env`.
    pub(crate) fn body(&mut self, forms: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if forms.is_empty() {
            return self.err("expected a body (at least one expression)", span);
        }
        let frame = Env::child(env);
        let items = self.scan_forms(forms.iter().map(Cow::Borrowed).collect(), &frame);
        // Bind every defined name first (letrec*), then evaluate in order.
        let mut out = Vec::new();
        let mut vars: FxHashMap<String, VarId> = FxHashMap::default();
        for it in &items {
            if let Item::Defs(defs) = it {
                for def in defs {
                    if vars.contains_key(&def.name) {
                        self.err(
                            format!(
                                "duplicate definition of `{}` in a body",
                                base_name(&def.name)
                            ),
                            def.span,
                        );
                        continue;
                    }
                    let v = self.bind_new_var(&frame, &def.name, def.span);
                    vars.insert(def.name.clone(), v);
                    out.push(mk(
                        ExprKind::Define(v, Box::new(Expr::null(def.span))),
                        def.span,
                    ));
                }
            }
        }
        let mut last_is_expr = false;
        for it in items {
            last_is_expr = matches!(it, Item::Expr(_));
            match it {
                Item::Defs(defs) => {
                    for def in defs {
                        let value = self.def_value(&def, &frame);
                        if let Some(&v) = vars.get(&def.name) {
                            out.push(mk(ExprKind::SetLocal(v, Box::new(value)), def.span));
                        }
                    }
                }
                Item::DefineValues {
                    formals,
                    expr,
                    span,
                } => {
                    let x = self.define_values(&formals, &expr, &frame, span);
                    out.push(x);
                }
                Item::Expr(d) => out.push(self.expr(&d, &frame)),
            }
        }
        if !last_is_expr {
            // R7RS requires an expression after the definitions; be lenient (chibi is).
            out.push(Expr::null(span));
        }
        mk(ExprKind::Block(out), span)
    }

    /// The value a definition binds.
    pub(crate) fn def_value(&mut self, def: &Def<'_>, env: &Rc<Env>) -> Expr {
        let name = base_name(&def.name).to_string();
        match &def.val {
            DefVal::Unspecified => Expr::null(def.span),
            DefVal::Expr(d) => self.named_expr(d, env, &name),
            DefVal::Lambda { formals, body } => self.lambda(formals, body, env, &name, def.span),
            DefVal::Record(part) => self.record_part(part, env, &name, def.span),
        }
    }

    /// Classify a body or top-level form (expanding macros in its head): definitions are
    /// recorded, `define-syntax` binds its macro in `env` right away.
    pub(crate) fn classify<'a>(&mut self, d: Cow<'a, Datum>, env: &Rc<Env>) -> Vec<Item<'a>> {
        let d = self.expand_head(d, env);
        let span = d.span;
        let Some(sf) = self.form_of(&d, env) else {
            return vec![Item::Expr(d)];
        };
        if !matches!(
            sf,
            Sf::Define | Sf::DefineValues | Sf::DefineSyntax | Sf::DefineRecordType | Sf::Import
        ) {
            return vec![Item::Expr(d)];
        }
        // A definition: borrow its items, or take them over when an expansion made it.
        let mut items = list_items(d);
        let n = items.len();
        match sf {
            Sf::Define => {
                if n < 2 {
                    self.err("define: expected a name and a value", span);
                    return vec![];
                }
                // Curried `(define ((f a) b) ...)` → `(define (f a) (lambda (b) ...))`.
                if let Some(s) = items[1].as_symbol() {
                    if n > 3 {
                        self.err(
                            format!(
                                "define: expected 1 value for `{}`, got {}",
                                base_name(s),
                                n - 2
                            ),
                            span,
                        );
                        return vec![];
                    }
                    let name = s.to_string();
                    let val = match n {
                        3 => DefVal::Expr(take_item(&mut items, 2)),
                        _ => DefVal::Unspecified,
                    };
                    return vec![Item::Defs(vec![Def { name, span, val }])];
                }
                let mut body = take_tail(&mut items, 2);
                let mut target = take_item(&mut items, 1);
                loop {
                    match &target.kind {
                        DatumKind::List(xs, tail) if !xs.is_empty() => {
                            let formals = Datum::new(
                                DatumKind::List(xs[1..].to_vec(), tail.clone()),
                                target.span,
                            );
                            let head: Cow<Datum> = Cow::Owned(xs[0].clone());
                            if body.is_empty() {
                                self.err("define: expected a body", span);
                                return vec![];
                            }
                            if let Some(s) = head.as_symbol() {
                                return vec![Item::Defs(vec![Def {
                                    name: s.to_string(),
                                    span,
                                    val: DefVal::Lambda { formals, body },
                                }])];
                            }
                            let lam = self.core_sym("lambda", span);
                            let mut l = vec![lam, formals];
                            l.extend(body.into_owned());
                            body = Cow::Owned(vec![Datum::new(DatumKind::List(l, None), span)]);
                            target = head;
                        }
                        _ => {
                            self.err(
                                format!("define: expected a name, not {}", target.describe()),
                                target.span,
                            );
                            return vec![];
                        }
                    }
                }
            }
            Sf::DefineValues => {
                if n != 3 {
                    self.err("define-values: expected formals and an expression", span);
                    return vec![];
                }
                let Some((ps, rest)) = self.formals(&items[1]) else {
                    return vec![];
                };
                let defs = ps
                    .into_iter()
                    .chain(rest)
                    .map(|(name, span)| Def {
                        name,
                        span,
                        val: DefVal::Unspecified,
                    })
                    .collect();
                vec![
                    Item::Defs(defs),
                    Item::DefineValues {
                        formals: take_item(&mut items, 1),
                        expr: take_item(&mut items, 2),
                        span,
                    },
                ]
            }
            Sf::DefineSyntax => {
                if n != 3 {
                    self.err(
                        "define-syntax: expected a name and a syntax-rules form",
                        span,
                    );
                    return vec![];
                }
                let Some(name) = items[1].as_symbol() else {
                    self.err("define-syntax: expected a name", items[1].span);
                    return vec![];
                };
                if let Some(m) = self.parse_transformer(&items[2], env, name) {
                    self.bind_macro(env, name, m);
                }
                vec![]
            }
            Sf::DefineRecordType => match self.parse_record(&items, span) {
                Some(defs) => vec![Item::Defs(defs)],
                None => vec![],
            },
            // Only the definition forms reach here (see above).
            _ => vec![],
        }
    }

    /// Jue: a top-level `begin`. Without definitions it is one expression (its value is
    /// printed once); otherwise its forms are spliced into the top level.
    fn jue_begin(&mut self, items: Vec<Cow<Datum>>, span: Span, out: &mut Vec<Expr>) {
        let root = self.root.clone();
        let flat = self.scan_forms(items.into(), &root);
        if !flat.is_empty() && flat.iter().all(|i| matches!(i, Item::Expr(_))) {
            let xs = flat
                .into_iter()
                .filter_map(|i| match i {
                    Item::Expr(d) => Some(self.expr(&d, &root)),
                    _ => None,
                })
                .collect();
            out.push(global_call(
                "%jue-print",
                vec![mk(ExprKind::Block(xs), span)],
                span,
            ));
        } else {
            for item in flat {
                self.top_item(item, out);
            }
        }
    }

    /// Lower a top-level item.
    fn top_item(&mut self, item: Item<'_>, out: &mut Vec<Expr>) {
        let root = self.root.clone();
        match item {
            Item::Defs(defs) => {
                for def in &defs {
                    let g = base_name(&def.name).to_string();
                    self.add_global(&g);
                    root.bind(&def.name, Binding::Global(g));
                }
                for def in defs {
                    let g = base_name(&def.name).to_string();
                    let value = self.def_value(&def, &root);
                    out.push(mk(
                        ExprKind::DefineGlobal(g, GlobalKind::Mutable, Box::new(value)),
                        def.span,
                    ));
                }
            }
            Item::DefineValues {
                formals,
                expr,
                span,
            } => {
                let x = self.define_values(&formals, &expr, &root, span);
                out.push(x);
            }
            Item::Expr(d) => {
                let span = d.span;
                let x = self.expr(&d, &root);
                out.push(if self.jue {
                    global_call("%jue-print", vec![x], span)
                } else {
                    x
                });
            }
        }
    }

    /// `(define-values formals expr)` once the names are defined: assign them from the values.
    fn define_values(&mut self, formals: &Datum, expr: &Datum, env: &Rc<Env>, span: Span) -> Expr {
        let Some((ps, rest)) = self.formals(formals) else {
            return Expr::null(span);
        };
        let targets: Vec<Binding> = ps
            .iter()
            .chain(rest.iter())
            .map(|(s, _)| self.lookup(env, s))
            .collect();
        let env2 = env.clone();
        let th = self.thunk("define-values", span, |lx| lx.expr(expr, &env2));
        let names: Vec<String> = ps.iter().map(|p| p.0.clone()).collect();
        let fid = self.make_func(
            "define-values",
            span,
            &names,
            rest.as_ref().map(|r| r.0.as_str()),
            |_, pv, rv| {
                let mut sets = Vec::new();
                for (b, v) in targets.iter().zip(pv.iter().copied().chain(rv)) {
                    let val = Box::new(mk(ExprKind::Local(v), span));
                    sets.push(match b {
                        Binding::Var(t) => mk(ExprKind::SetLocal(*t, val), span),
                        Binding::Global(g) => mk(ExprKind::SetGlobal(g.clone(), val), span),
                        _ => Expr::null(span),
                    });
                }
                sets.push(Expr::null(span));
                mk(ExprKind::Block(sets), span)
            },
        );
        global_call(
            "call-with-values",
            vec![th, mk(ExprKind::Closure(fid), span)],
            span,
        )
    }
}

/// The globals `module` assigns anywhere (`set!` of a global): a builtin assigned this way
/// may be a different procedure at run time, so its calls are not inlined.
fn assigned_globals(module: &Module) -> FxHashSet<String> {
    let mut out = FxHashSet::default();
    let mut stack: Vec<&Expr> = module.funcs.iter().map(|f| &f.body).collect();
    while let Some(e) = stack.pop() {
        if let ExprKind::SetGlobal(g, _) = &e.kind {
            out.insert(g.clone());
        }
        stack.extend(e.children());
    }
    out
}

/// Turn each call of a builtin not in `redefined` into what it lowers to: a primitive
/// operation (see [`inline_prim`]), or for `(apply f a ... lst)` an [`ExprKind::Apply`] of
/// `f` to `(cons a ... lst)` (so it can be a tail call). Runs on an explicit stack, before
/// the height check.
fn inline_builtins(module: &mut Module, redefined: &FxHashSet<String>) {
    let mut stack: Vec<&mut Expr> = module.funcs.iter_mut().map(|f| &mut f.body).collect();
    while let Some(e) = stack.pop() {
        if let ExprKind::Call { callee, args, .. } = &mut e.kind {
            if let ExprKind::Global(g) = &callee.kind {
                if !redefined.contains(g) {
                    if let Some(prim) = inline_prim(g, args.len()) {
                        e.kind = ExprKind::Prim(prim, std::mem::take(args));
                    } else if g == "apply" && args.len() >= 2 {
                        let span = e.span;
                        let mut args = std::mem::take(args).into_iter();
                        let f = args.next().expect("two or more arguments");
                        let mut rest: Vec<Expr> = args.collect();
                        let mut list = rest.pop().expect("two or more arguments");
                        for a in rest.into_iter().rev() {
                            list = global_call("cons", vec![a, list], span);
                        }
                        e.kind = ExprKind::Apply {
                            callee: Box::new(f),
                            args: Box::new(list),
                            tail: false,
                        };
                    }
                }
            }
        }
        stack.extend(Expr::children_mut(e));
    }
}

/// The VM operation a call of the builtin `name` with `argc` arguments is, when there is
/// one: two-argument arithmetic and comparisons, and one-argument negation. These run as
/// instructions instead of native calls (the same instructions the Ruff dialect uses).
/// Differences from the natives, for non-numbers only: `+` joins two strings, `<` and
/// friends also order strings, and `=` compares any values instead of raising an error.
/// `hash-table-ref/default`, `hash-table-set!`, and the pair, vector and identity
/// primitives (`cons`, `car`, `cdr`, `null?`, `pair?`, `not`, `eq?`, `eqv?`, `vector-ref`,
/// `vector-set!`, `vector-length`), `string-ref`, `string-length`, `quotient` and `char=?`
/// behave exactly as the natives do, errors included.
fn inline_prim(name: &str, argc: usize) -> Option<Prim> {
    Some(match (name, argc) {
        ("+", 2) => Prim::Add,
        ("-", 2) => Prim::Sub,
        ("*", 2) => Prim::Mul,
        ("-", 1) => Prim::Neg,
        ("<", 2) => Prim::Lt,
        (">", 2) => Prim::Gt,
        ("<=", 2) => Prim::Le,
        (">=", 2) => Prim::Ge,
        ("=", 2) => Prim::Eq,
        ("modulo", 2) => Prim::FloorMod,
        ("quotient", 2) => Prim::Quotient,
        ("char=?", 2) => Prim::CharEq,
        ("remainder", 2) => Prim::Mod,
        ("/", 2) => Prim::SchemeDiv,
        ("hash-table-ref/default", 3) => Prim::TableRef,
        ("hash-table-set!", 3) => Prim::TableSet,
        ("%record-instance?", 2) => Prim::RecordIs,
        ("cons", 2) => Prim::Cons,
        ("car", 1) => Prim::Car,
        ("cdr", 1) => Prim::Cdr,
        ("null?", 1) => Prim::IsNull,
        ("pair?", 1) => Prim::IsPair,
        ("not", 1) => Prim::IsFalse,
        ("eq?", 2) | ("eqv?", 2) => Prim::Eqv,
        ("vector-ref", 2) => Prim::VectorRef,
        ("vector-set!", 3) => Prim::VectorSet,
        ("vector-length", 1) => Prim::VectorLength,
        ("string-ref", 2) => Prim::StringRef,
        ("string-length", 1) => Prim::StringLength,
        _ => return None,
    })
}
