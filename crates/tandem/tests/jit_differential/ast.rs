//! The abstract syntax tree of generated programs, shared by both dialects. Names are not
//! in the tree: a variable or callee is "the `n`th one of this type in scope", resolved by
//! the printer, so that every tree, however shrunk or reduced, prints as a valid program.

/// The static type the generator gives an expression or variable. `Dyn` variables hold any
/// scalar and change type at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Str,
    Arr,
    Dyn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Un {
    Neg,
    Not,
    /// `abs` of a float
    Abs,
    /// `abs` of an int, which stays an int (and overflows on i64::MIN)
    IAbs,
    /// int -> float
    ToFloat,
    /// float -> int, truncating (an error for NaN and infinities)
    Trunc,
    /// sqrt(abs(x))
    Sqrt,
    ToStr,
    StrLen,
    ArrLen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Min,
    Max,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Cat,
}

/// What a binary operation's operands are, which picks its Scheme spelling (`quotient` or
/// `/`, `=` or `string=?` or `equal?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum K {
    Int,
    Num,
    Str,
    Bool,
    Dyn,
}

#[derive(Clone, Debug)]
pub enum Expr {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'static str),
    /// The `n`th variable of this type in scope (modulo how many there are).
    Var(Ty, u8),
    Un(Un, Box<Expr>),
    Bin(Op, K, Box<Expr>, Box<Expr>),
    /// `arr[idx]`; when the flag is set the index is reduced modulo the length first.
    Index(Box<Expr>, Box<Expr>, bool),
    /// A one-character string `s[idx]`, the flag as for `Index`.
    StrAt(Box<Expr>, Box<Expr>, bool),
    /// A call to the `n`th callable returning this type, with typed candidate arguments;
    /// the flag drops one argument (an arity error).
    Call(Ty, u8, Vec<(Ty, Expr)>, bool),
    ArrLit(Vec<Expr>),
}

#[derive(Clone, Debug)]
pub struct Handler {
    /// 0: the message; 1: also the line; 2: also the stack (Ruff only).
    pub report: u8,
    pub assign: Option<(u8, Expr)>,
    pub rethrow: bool,
}

#[derive(Clone, Debug)]
pub struct Loop {
    /// Which loop form of the dialect (modulo the number of forms).
    pub kind: u8,
    pub bound: u16,
    pub body: Vec<Stmt>,
    /// Printed every quarter of the iterations of a top-level loop.
    pub probes: Vec<Expr>,
    /// A loop-carried accumulator folded into the checksum after the loop.
    pub acc: Option<Expr>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    /// Assign the `n`th assignable variable of the type; for ints the flag reduces the
    /// value modulo 1000003 to keep it from overflowing every time.
    Assign(Ty, u8, Expr, bool),
    Print(Vec<Expr>),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    Loop(Box<Loop>),
    ArrSet(u8, Expr, Expr, bool),
    Push(u8, Expr),
    Try(Vec<Stmt>, Handler),
    /// Throw an int payload: style 0 as a message, 1 as the raw value.
    Throw(Expr, u8),
    Break,
    Continue,
    Return(Expr),
    Call(Expr),
    /// Run the body only on one iteration of the innermost counted loop.
    AtIter(u16, Vec<Stmt>),
    Checksum(Expr),
    /// Keep a closure returning this value (evaluated when called, after the loops and
    /// functions it was made in have finished) in the global list `gk`.
    Capture(Expr),
    /// Rebind the `n`th rebindable global function to the `m`th other one with the same
    /// signature defined before it (a JIT that inlined or cached the callee must notice).
    Rebind(u8, u8),
    /// Call the `n`th callable (made by the printer for the driver loop): an int result
    /// goes into the checksum, any other into `gd1`.
    Drive(usize, Vec<(Ty, Expr)>),
}

#[derive(Clone, Debug)]
pub enum Func {
    Plain {
        params: Vec<Ty>,
        ret: Ty,
        /// The first local is always an int: the inner closures capture and mutate it.
        locals: Vec<(Ty, Expr)>,
        /// Inner closures `k(v)`, each `l0 := upd % 1000003; return l0`.
        closures: Vec<Expr>,
        body: Vec<Stmt>,
        ret_expr: Expr,
    },
    /// `r(n, x)`: base case at n <= 0, else `r(n - 1, step) op other` (or, for a tree,
    /// `r(n - 1, step) op r(n - 2, x)`).
    Rec {
        base: Expr,
        step: Expr,
        other: Expr,
        op: Op,
        tree: bool,
    },
    /// `t(n, acc)`: a self tail call, with statements before it.
    Tail { body: Vec<Stmt>, upd: Expr },
    /// `ma(n, acc)` and `mb(n, acc)` tail-calling each other.
    Mutual { upd_a: Expr, upd_b: Expr },
    /// `mk(start)` returns a closure over a counter it mutates; two instances are made.
    Factory { upd: Expr, inits: (i64, i64) },
}

/// A hot loop calling every function of the program with arguments that follow the loop
/// counter, so that each is called thousands of times and its results show.
#[derive(Clone, Debug)]
pub struct Driver {
    pub bound: u16,
    pub kind: u8,
    pub args: Vec<(Ty, Expr)>,
    pub handler: Option<Handler>,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub globals: Vec<Expr>,
    pub funcs: Vec<Func>,
    pub driver: Option<Driver>,
    pub main: Vec<Stmt>,
}

/// The globals every program has, so every type has an assignable variable everywhere.
pub const GLOBALS: &[(Ty, &str)] = &[
    (Ty::Int, "gi0"),
    (Ty::Int, "gi1"),
    (Ty::Int, "gi2"),
    (Ty::Float, "gf0"),
    (Ty::Float, "gf1"),
    (Ty::Bool, "gb0"),
    (Ty::Str, "gs0"),
    (Ty::Str, "gs1"),
    (Ty::Arr, "ga0"),
    (Ty::Arr, "ga1"),
    (Ty::Dyn, "gd0"),
    (Ty::Dyn, "gd1"),
];

/// The type an expression has (as the generator gave it).
pub fn ty_of(e: &Expr) -> Ty {
    match e {
        Expr::Int(_) => Ty::Int,
        Expr::Float(_) => Ty::Float,
        Expr::Bool(_) => Ty::Bool,
        Expr::Str(_) => Ty::Str,
        Expr::Var(t, _) | Expr::Call(t, ..) => *t,
        Expr::Un(op, a) => match op {
            Un::Neg => ty_of(a),
            Un::Not => Ty::Bool,
            Un::Abs | Un::ToFloat | Un::Sqrt => Ty::Float,
            Un::IAbs | Un::Trunc | Un::StrLen | Un::ArrLen => Ty::Int,
            Un::ToStr => Ty::Str,
        },
        Expr::Bin(op, k, ..) => match op {
            Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Eq | Op::Ne | Op::And | Op::Or => Ty::Bool,
            Op::Cat => Ty::Str,
            _ => match k {
                K::Int => Ty::Int,
                K::Num => Ty::Float,
                _ => Ty::Dyn,
            },
        },
        Expr::Index(..) => Ty::Int,
        Expr::StrAt(..) => Ty::Str,
        Expr::ArrLit(_) => Ty::Arr,
    }
}
