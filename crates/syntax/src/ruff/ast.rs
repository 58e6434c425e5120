//! The Ruff-dialect abstract syntax tree. Every node carries the span of the source it came
//! from. The tree covers the whole dialect (stage 1 and stage 2); lowering decides what is
//! supported.

use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// How a binding was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    /// `let x := v`: immutable.
    Let,
    /// `mut x := v`: explicitly mutable.
    Mut,
    /// `const X := v`: constant.
    Const,
}

/// The target of a declaration: a name, or a destructuring pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum BindPattern {
    Name(Ident),
    /// `[a, b, ...rest]`
    Array {
        items: Vec<BindPattern>,
        rest: Option<Ident>,
        span: Span,
    },
    /// `{a, b, ...rest}`
    Dict {
        keys: Vec<Ident>,
        rest: Option<Ident>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `target := value`, `target = value`, or `target op= value` (`op` is then `Some`).
    /// `target` is an `Ident`, `Index` or `Field` expression (the parser checks this).
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
    },
    /// `let|mut|const pattern := value`
    Decl {
        kind: DeclKind,
        pattern: BindPattern,
        value: Expr,
    },
    /// `func name(params) { body }`
    Func(FuncDecl),
    /// `return` or `return expr`
    Return(Option<Expr>),
    /// `if cond { } else if ... else { }`; `else_` is a `Block` statement or another `If`.
    If {
        cond: Expr,
        then: Block,
        else_: Option<Box<Stmt>>,
    },
    While {
        cond: Expr,
        body: Block,
    },
    /// `loop { }`
    Loop {
        body: Block,
    },
    /// `for var in iter { }`
    For {
        var: Ident,
        iter: Expr,
        body: Block,
    },
    Break,
    Continue,
    /// A bare `{ ... }` block.
    Block(Block),
    /// `struct Name { field: type, func method(self) { } }`
    Struct(StructDecl),
    /// `enum Name { A, B(x) }`
    Enum(EnumDecl),
    /// `match subject { case P: { } default: { } }`
    Match {
        subject: Expr,
        cases: Vec<MatchCase>,
        default: Option<Block>,
    },
    /// `try { } except err { }`
    Try {
        body: Block,
        err: Ident,
        handler: Block,
    },
    /// `import m` or `import m as alias`; `path` is the module name as written (`a/b` or `m`).
    Import {
        path: String,
        alias: Option<Ident>,
    },
    /// `from m import a, b`
    FromImport {
        path: String,
        names: Vec<Ident>,
    },
    /// `export func ...` / `export let ...`
    Export(Box<Stmt>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FuncDecl {
    pub name: Ident,
    pub params: Vec<Ident>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    /// Field names in declaration order (type annotations are parsed and dropped).
    pub fields: Vec<Ident>,
    pub methods: Vec<FuncDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<EnumVariant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumVariant {
    pub name: Ident,
    /// Number of payload fields, `B(x, y)` has 2. Plain variants have 0.
    pub arity: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchCase {
    pub pattern: Pattern,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `_`
    Wildcard(Span),
    /// An int, float, string, bool or null literal (negative numbers included).
    Literal(Expr),
    /// A bare identifier: matches a string with the same text (Ruff convention).
    Ident(Ident),
    /// `Ok(p)`, `Err(p)`, `Some(p)`, `None`, or `Name(p, ...)`.
    Ctor {
        name: Ident,
        args: Vec<Pattern>,
        span: Span,
    },
    /// `Enum::Variant` or `Enum::Variant(p, ...)`.
    Variant {
        enum_name: Ident,
        variant: Ident,
        args: Vec<Pattern>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `!`
    Not,
    /// `-`
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    /// `&&` (short-circuit)
    And,
    /// `||` (short-circuit)
    Or,
    /// `??` (replaces only null)
    Coalesce,
    /// `|>`: `x |> f` is `f(x)`
    Pipe,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Coalesce => "??",
            BinOp::Pipe => "|>",
        }
    }
}

/// A piece of an interpolated string `"a ${x} b"`.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Lit(String),
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArrayItem {
    Item(Expr),
    /// `...e`
    Spread(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum DictItem {
    /// `key: value`; the key is any expression (usually a string literal).
    Pair(Expr, Expr),
    /// `...e`
    Spread(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    /// A string literal with escapes already processed and no interpolation.
    Str(String),
    /// A string with at least one `${expr}`.
    Interp(Vec<StrPart>),
    Bool(bool),
    Null,
    Ident(String),
    Array(Vec<ArrayItem>),
    Dict(Vec<DictItem>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
    Field {
        object: Box<Expr>,
        name: Ident,
    },
    /// Anonymous function `func(a, b) { ... }`.
    Func {
        params: Vec<Ident>,
        body: Block,
    },
    /// Postfix `e?`.
    Try(Box<Expr>),
    /// `Name { field: value, ... }`
    StructLit {
        name: Ident,
        fields: Vec<(Ident, Expr)>,
    },
    /// `Enum::Variant`
    Path {
        enum_name: Ident,
        variant: Ident,
    },
}
