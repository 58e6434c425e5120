//! The core IR: an expression tree shared by all dialects.
//!
//! Statements are expressions whose value is `null`. Variables are resolved to [`VarId`]s by
//! lowering; their storage (register, box, upvalue) is decided by [`crate::resolve`].

use tandem_syntax::{Diagnostic, Span};

pub type VarId = u32;
pub type FuncId = u32;

/// A whole compilation unit (one source file).
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub funcs: Vec<Func>,
    pub vars: Vec<VarInfo>,
    /// The function holding the file's top-level code.
    pub entry: FuncId,
    /// Names bound at the file's top level: its own globals, private to the module. Every
    /// other global name refers to the shared builtin namespace.
    pub globals: Vec<String>,
    /// Top-level names the module exports (`export func`, `export let`).
    pub exports: Vec<String>,
    /// The namespace where its other (builtin) global names live: `""` for the Ruff
    /// library, `"scheme"` for the Scheme library.
    pub builtin_ns: String,
    /// Whose wording the VM's own runtime errors use in this module's code.
    pub wording: Wording,
    /// Set by the Scheme lowering: the module's top-level procedures that only forward to a
    /// builtin (see [`Forwarder`]), which a module importing them may call directly.
    pub forwarders: Vec<Forwarder>,
}

/// A top-level procedure `name` whose whole body calls the builtin `target` with the
/// procedure's own `arity` parameters, in order, and which nothing reassigns, such as
/// `(define (f a b) (g a b))`. A module importing `name` may lower `(name x y)` to
/// `(target x y)` when it binds neither name itself (the Scheme lowering does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarder {
    pub name: String,
    pub target: String,
    pub arity: usize,
}

/// The wording of the errors instructions raise, where the dialects' specifications differ
/// (only in case: `Integer overflow` in Ruff, `integer overflow` in Scheme).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Wording {
    #[default]
    Ruff,
    Scheme,
}

/// How deeply expressions may nest in a module. The passes after lowering (loopify,
/// resolve, and the bytecode compiler, which also recurses into nested functions) walk the
/// tree on the native stack, and derived forms build chains as long as their source (`and`,
/// `cond`, `case`, quasiquote, `apply`, Ruff `match`), so lowering checks this before the
/// other passes run.
///
/// The height of an expression counts the nodes on the path down to it, and the body of a
/// function as nested in the expression that makes its closure, [`FUNC_HEIGHT`] levels
/// deeper. Measured on the 256 MiB thread the CLI compiles on (debug build): a chain of `if`s
/// overflows at about 650,000 levels (~400 bytes each), nested functions (a long
/// `let*-values`) at about 67,000 functions (~4 KiB each, so ~10 levels with their two
/// nodes). The limit leaves a margin of 2.5 for both; the Scheme expander's thread (512 MiB)
/// runs only loopify and resolve, which need less per level.
pub const MAX_IR_HEIGHT: usize = 250_000;

/// The height a function boundary adds beyond its closure expression (see [`MAX_IR_HEIGHT`]).
pub const FUNC_HEIGHT: usize = 8;

impl Module {
    pub fn var(&self, id: VarId) -> &VarInfo {
        &self.vars[id as usize]
    }
    pub fn func(&self, id: FuncId) -> &Func {
        &self.funcs[id as usize]
    }

    /// Add a function named `name` (nested in `parent`), with no parameters and a `null`
    /// body for now; returns its id.
    pub fn add_func(&mut self, name: &str, parent: Option<FuncId>, span: Span) -> FuncId {
        self.funcs.push(Func {
            name: name.to_string(),
            params: Vec::new(),
            rest: None,
            rest_list: false,
            body: Expr::null(span),
            span,
            parent,
            upvalues: Vec::new(),
        });
        (self.funcs.len() - 1) as FuncId
    }

    /// Add a local variable of function `func` (what the resolver decides starts out
    /// false); returns its id.
    pub fn add_var(&mut self, name: &str, func: FuncId, mutable: bool, span: Span) -> VarId {
        self.vars.push(VarInfo {
            name: name.to_string(),
            func,
            mutable,
            captured: false,
            reassigned: false,
            boxed: false,
            span,
        });
        (self.vars.len() - 1) as VarId
    }

    /// The global names the module's code (in any function) reads or assigns but does not
    /// define itself (they are not in `globals`): what it needs from its builtin namespace.
    /// Sorted, without repeats.
    pub fn free_globals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack: Vec<&Expr> = self.funcs.iter().map(|f| &f.body).collect();
        while let Some(e) = stack.pop() {
            if let ExprKind::Global(g) | ExprKind::SetGlobal(g, _) = &e.kind {
                out.push(g.as_str());
            }
            stack.extend(e.children());
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|g| !self.globals.iter().any(|own| own == g));
        out
    }

    /// An error at the first expression found nested deeper than [`MAX_IR_HEIGHT`].
    pub fn check_height(&self) -> Result<(), Diagnostic> {
        self.check_height_within(MAX_IR_HEIGHT)
    }

    /// An error at the first expression found nested deeper than `limit` (the entry
    /// function's body is at height 1; see [`MAX_IR_HEIGHT`]), on an explicit stack.
    pub fn check_height_within(&self, limit: usize) -> Result<(), Diagnostic> {
        let Some(entry) = self.funcs.get(self.entry as usize) else {
            return Ok(());
        };
        // Each function's body is entered from the (one) expression that makes its closure.
        let mut entered = vec![false; self.funcs.len()];
        entered[self.entry as usize] = true;
        let mut stack: Vec<(&Expr, usize)> = vec![(&entry.body, 1)];
        while let Some((e, height)) = stack.pop() {
            if height > limit {
                return Err(Diagnostic::error("expression nested too deeply", e.span)
                    .with_note(format!(
                        "expressions may nest at most {limit} levels deep, counting the \
                         nested tests that forms like `and`, `cond`, `case` and `match` become \
                         (one per clause) and {FUNC_HEIGHT} more for each nested function"
                    ))
                    .with_hint("split the long form into smaller ones"));
            }
            let mut enter = |f: FuncId| {
                if let Some(seen) = entered.get_mut(f as usize) {
                    if !std::mem::replace(seen, true) {
                        stack.push((&self.funcs[f as usize].body, height + 1 + FUNC_HEIGHT));
                    }
                }
            };
            match &e.kind {
                ExprKind::Closure(f) => enter(*f),
                ExprKind::StructDef { methods, .. } => methods.iter().for_each(|m| enter(m.1)),
                _ => {}
            }
            stack.extend(e.children().into_iter().map(|c| (c, height + 1)));
        }
        Ok(())
    }
}

/// Dropping a module takes its expression trees apart on an explicit stack: a tree that
/// failed [`Module::check_height`] may be far deeper than the native stack allows for
/// `Box`'s recursive drop. ([`Expr`] itself keeps the recursive drop: lowering puts every
/// tree it builds into its module, and a pass that drops a subtree of its own runs only on
/// trees that passed the height check.)
impl Drop for Module {
    fn drop(&mut self) {
        let mut stack: Vec<Expr> = Vec::new();
        for f in &mut self.funcs {
            stack.push(std::mem::replace(&mut f.body, Expr::null(f.span)));
            while let Some(mut e) = stack.pop() {
                for c in e.children_mut() {
                    let span = c.span;
                    stack.push(std::mem::replace(c, Expr::null(span)));
                }
            }
        }
    }
}

/// What the resolver found out about a local variable.
#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    /// The function whose frame holds the variable.
    pub func: FuncId,
    /// May be assigned after its definition.
    pub mutable: bool,
    /// Set by the resolver: some inner function refers to it.
    pub captured: bool,
    /// Set by the resolver: assigned somewhere other than its definition (or read by a closure
    /// created before the definition completed, e.g. self-recursive local functions).
    pub reassigned: bool,
    /// Set by the resolver: lives in a heap box (captured and reassigned), so that closures and
    /// the frame share one mutable cell.
    pub boxed: bool,
    pub span: Span,
}

/// How a captured variable reaches a closure: from the enclosing frame's register or from the
/// enclosing closure's own upvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    Local(VarId),
    Upvalue(u32),
}

#[derive(Clone, Debug)]
pub struct Func {
    pub name: String,
    pub params: Vec<VarId>,
    /// Variadic rest parameter (Scheme `(a . rest)`); `None` for fixed arity.
    pub rest: Option<VarId>,
    /// The rest parameter is a list (Scheme); otherwise an array.
    pub rest_list: bool,
    pub body: Expr,
    pub span: Span,
    pub parent: Option<FuncId>,
    /// Filled by the resolver: the variables this function captures, in upvalue-index order,
    /// each with where the enclosing function finds it.
    pub upvalues: Vec<(VarId, Capture)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// Ruff's `null`, which is also Scheme's empty list `()`.
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A Scheme symbol (interned by the VM).
    Symbol(String),
    /// A Scheme character.
    Char(char),
    /// A quoted list: its items and the tail after the last pair (`Null` for a proper list).
    /// Built once, when the code is compiled (a constant).
    List(Vec<Const>, Box<Const>),
    /// A quoted vector (an array).
    Vector(Vec<Const>),
    /// A quoted bytevector.
    Bytes(Vec<u8>),
}

/// Which truth test a conditional uses. Ruff treats `false null 0 0.0 "" [] {}` as false;
/// Scheme treats only `#f` as false.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Ruff,
    Scheme,
}

/// Primitive operations the VM implements directly (each maps to one or a few opcodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prim {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Neg,
    /// Ruff `!`: bool only.
    Not,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `a[i]`
    Index,
    /// `a[i] := v` (args: object, index, value); value of the expression is null.
    SetIndex,
    /// Ruff truthiness to a bool.
    Truthy,
    /// Concatenate the string forms of all arguments (string interpolation).
    Concat,
    /// `e?` test: true for `Err(..)`/`None`, false for `Ok(..)`/`Some(..)`, an error for
    /// anything else.
    IsFailure,
    /// The payload of `Ok(x)`/`Some(x)`.
    Unwrap,
    /// Floored modulo (Scheme `modulo`: the result has the divisor's sign).
    FloorMod,
    /// Scheme `quotient`: integer division truncated toward zero, errors as the native's.
    Quotient,
    /// Scheme `char=?` of two characters (errors as the native's).
    CharEq,
    /// Scheme `/`: an exact int when two ints divide evenly, else a float.
    SchemeDiv,
    /// A hash table's value for a key, or a default when it has none (args: table, key,
    /// default): SRFI-69 `hash-table-ref/default`, with keys told apart as Scheme hash
    /// tables do (an exact integer, a string and a symbol are never the same key).
    TableRef,
    /// Store a value under a key in a hash table (args: table, key, value), keys as for
    /// [`Prim::TableRef`]; the value of the expression is null. SRFI-69 `hash-table-set!`.
    TableSet,
    /// Scheme `cons`, `car`, `cdr`, `null?`, `pair?`, `not` (true only for `#f`), and
    /// `eqv?` (also `eq?`): exactly as the natives behave, errors included.
    Cons,
    Car,
    Cdr,
    IsNull,
    IsPair,
    IsFalse,
    Eqv,
    /// Scheme `vector-ref`, `vector-set!` (args: vector, index, value; the value of the
    /// expression is null, as the native returns) and `vector-length`, errors included.
    VectorRef,
    VectorSet,
    VectorLength,
    /// Scheme `string-ref` and `string-length`, errors included.
    StringRef,
    StringLength,
    /// `(%record-instance? obj type)`: whether `obj` is a record (struct) of exactly that
    /// type (a record procedure's type test).
    RecordIs,
    /// A call of a record type's predicate compiled in place (args: the object, then the
    /// globals holding the record type and the predicate, as `Global`s): the type test
    /// while the predicate is defined and the type's global holds a struct type, else a
    /// call of the predicate. Made by the Scheme front end for a predicate that the
    /// module defines once and never assigns.
    RecordPred,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
    pub fn null(span: Span) -> Expr {
        Expr::new(ExprKind::Const(Const::Null), span)
    }
}

/// Element of an array literal.
#[derive(Clone, Debug)]
pub enum ArrayElem {
    Item(Expr),
    Spread(Expr),
}

/// Element of a dict literal.
#[derive(Clone, Debug)]
pub enum DictElem {
    Pair(Expr, Expr),
    Spread(Expr),
}

/// The kind of a global definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKind {
    /// May be reassigned.
    Mutable,
    /// `let` / `const`: reassignment is an error.
    Immutable,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Const),
    /// Read a local variable (of this function or captured from an enclosing one).
    Local(VarId),
    /// Define a local in the enclosing block: its first binding.
    Define(VarId, Box<Expr>),
    /// Assign an existing local.
    SetLocal(VarId, Box<Expr>),
    /// Read a global by name; an undefined global is a runtime error.
    Global(String),
    /// Assign a global (creating it if it does not exist yet, for Ruff's top-level `x := v`).
    SetGlobal(String, Box<Expr>),
    /// Declare a global with a kind (`let`, `mut`, `const`, `func`).
    DefineGlobal(String, GlobalKind, Box<Expr>),
    /// A sequence; its value is the last expression's (null when empty). Locals defined
    /// inside go out of scope at its end.
    Block(Vec<Expr>),
    /// A sequence that does not open a scope: locals it defines stay visible after it (the
    /// expansion of one statement into several, e.g. a destructuring declaration).
    Seq(Vec<Expr>),
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        else_: Box<Expr>,
        truth: Truth,
    },
    /// Short-circuit `&&` / `||` with Ruff semantics (result is a bool).
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `a ?? b`: `b` only when `a` is null.
    Coalesce(Box<Expr>, Box<Expr>),
    /// `while cond { body }` (value null). `break`/`continue` target the innermost loop.
    While {
        cond: Box<Expr>,
        body: Box<Expr>,
        truth: Truth,
    },
    /// `for var in iter { body }`: arrays, strings (chars), dicts (sorted keys), ints (0..n).
    /// `var` is defined afresh in each iteration.
    ForEach {
        var: VarId,
        iter: Box<Expr>,
        body: Box<Expr>,
    },
    /// `for var in range(start, end, step)` with the builtin `range`, without building the array.
    ForRange {
        var: VarId,
        start: Box<Expr>,
        end: Box<Expr>,
        step: Option<Box<Expr>>,
        body: Box<Expr>,
    },
    Break,
    Continue,
    Return(Box<Expr>),
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
        /// Set by the resolver when the call is in tail position.
        tail: bool,
    },
    Prim(Prim, Vec<Expr>),
    /// Make a closure of a function.
    Closure(FuncId),
    Array(Vec<ArrayElem>),
    Dict(Vec<DictElem>),
    /// `obj.name`: a struct field, a module member, or a dict entry.
    Field(Box<Expr>, String),
    /// `obj.name := value` (value of the expression: null).
    SetField(Box<Expr>, String, Box<Expr>),
    /// `obj.name(args)`: a struct method (called with `obj` as `self`), a module member, or
    /// the method form of the builtin `name` (called as `name(obj, args)`).
    MethodCall {
        obj: Box<Expr>,
        name: String,
        args: Vec<Expr>,
        tail: bool,
    },
    /// Make a struct type with its field names and methods (each a function with `self`).
    StructDef {
        name: String,
        fields: Vec<String>,
        methods: Vec<(String, FuncId)>,
    },
    /// `Type { field: value, ... }`; `ty` evaluates to a struct type.
    StructLit {
        ty: Box<Expr>,
        fields: Vec<(String, Expr)>,
    },
    /// Make an enum type with its variants and their payload arities.
    EnumDef {
        name: String,
        variants: Vec<(String, u8)>,
    },
    /// A variant value: `Enum::Tag(args)` when `enum_type` is given (it evaluates to the
    /// enum type), else a `Result`/`Option` variant named by `family`.
    MakeVariant {
        enum_type: Option<Box<Expr>>,
        family: String,
        tag: String,
        args: Vec<Expr>,
    },
    /// Is `value` the variant `tag` (of `family`: "Result", "Option" or an enum name; any
    /// family when `None`), with `arity` payload values when given? A bool.
    VariantTest {
        value: Box<Expr>,
        family: Option<String>,
        tag: String,
        arity: Option<u8>,
    },
    /// Payload value `index` of a variant.
    VariantField(Box<Expr>, u8),
    /// Raise a value as an error.
    Throw(Box<Expr>),
    /// `try { body } except var { handler }`. With `raw`, `var` receives the raised value
    /// itself (Scheme `guard`); otherwise an Error value (Ruff `except`).
    Try {
        body: Box<Expr>,
        var: VarId,
        handler: Box<Expr>,
        raw: bool,
    },
    /// Call `callee` with the elements of the list `args` as arguments (Scheme `apply`).
    Apply {
        callee: Box<Expr>,
        args: Box<Expr>,
        tail: bool,
    },
    /// Load (once) and return the module at `path`, relative to the importing file.
    Import(String),
    /// Run the body; a `ContinueTo(label)` inside it runs it again. The value is the body's
    /// value when it finishes. Made by [`crate::loopify`].
    Loop {
        label: u32,
        body: Box<Expr>,
    },
    /// Start the next round of the enclosing `Loop` with this label.
    ContinueTo(u32),
}

/// The body of [`Expr::children`] and [`Expr::children_mut`], written once: `$kind` is
/// `&e.kind` or `&mut e.kind`, `$iter` is `iter` or `iter_mut`, `$get` is `as_ref` or `as_mut`
/// (a boxed child to a reference).
macro_rules! direct_children {
    ($kind:expr, $iter:ident, $get:ident) => {{
        let mut out = Vec::new();
        match $kind {
            ExprKind::Const(_)
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::Break
            | ExprKind::Continue
            | ExprKind::ContinueTo(_)
            | ExprKind::Closure(_)
            | ExprKind::EnumDef { .. }
            | ExprKind::Import(_)
            | ExprKind::StructDef { .. } => {}
            ExprKind::Define(_, x)
            | ExprKind::SetLocal(_, x)
            | ExprKind::SetGlobal(_, x)
            | ExprKind::DefineGlobal(_, _, x)
            | ExprKind::Return(x)
            | ExprKind::Field(x, _)
            | ExprKind::VariantField(x, _)
            | ExprKind::Throw(x)
            | ExprKind::Loop { body: x, .. }
            | ExprKind::VariantTest { value: x, .. } => out.push(x.$get()),
            ExprKind::Block(xs) | ExprKind::Seq(xs) | ExprKind::Prim(_, xs) => {
                out.extend(xs.$iter())
            }
            ExprKind::If {
                cond, then, else_, ..
            } => out.extend([cond.$get(), then.$get(), else_.$get()]),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Coalesce(a, b)
            | ExprKind::SetField(a, _, b)
            | ExprKind::While {
                cond: a, body: b, ..
            }
            | ExprKind::ForEach {
                iter: a, body: b, ..
            }
            | ExprKind::Apply {
                callee: a, args: b, ..
            }
            | ExprKind::Try {
                body: a,
                handler: b,
                ..
            } => out.extend([a.$get(), b.$get()]),
            ExprKind::ForRange {
                start,
                end,
                step,
                body,
                ..
            } => {
                out.extend([start.$get(), end.$get()]);
                if let Some(s) = step {
                    out.push(s.$get());
                }
                out.push(body.$get());
            }
            ExprKind::Call {
                callee: x, args, ..
            }
            | ExprKind::MethodCall { obj: x, args, .. } => {
                out.push(x.$get());
                out.extend(args.$iter());
            }
            ExprKind::StructLit { ty, fields } => {
                out.push(ty.$get());
                out.extend(fields.$iter().map(|(_, v)| v));
            }
            ExprKind::MakeVariant {
                enum_type, args, ..
            } => {
                if let Some(t) = enum_type {
                    out.push(t.$get());
                }
                out.extend(args.$iter());
            }
            ExprKind::Array(items) => {
                for i in items.$iter() {
                    match i {
                        ArrayElem::Item(x) | ArrayElem::Spread(x) => out.push(x),
                    }
                }
            }
            ExprKind::Dict(items) => {
                for i in items.$iter() {
                    match i {
                        DictElem::Pair(k, v) => out.extend([k, v]),
                        DictElem::Spread(x) => out.push(x),
                    }
                }
            }
        }
        out
    }};
}

impl Expr {
    /// The direct subexpressions (not into other functions' bodies).
    pub fn children(&self) -> Vec<&Expr> {
        direct_children!(&self.kind, iter, as_ref)
    }

    /// The direct subexpressions, mutably.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        direct_children!(&mut self.kind, iter_mut, as_mut)
    }
}
