//! Differential testing of the JIT against the interpreter.
//!
//! Proptest strategies generate random, well-formed programs in both dialects (an abstract
//! syntax tree, [`Program`], printed as Ruff or Scheme source by [`Printer`]). Each program
//! runs through the real `tandem` binary under `--jit=off` and `--jit=always`, and the two
//! runs must agree exactly on stdout, stderr and exit status. Neither run may end in an
//! internal error (exit 70), a signal or a time-out. On a failure proptest shrinks the
//! program, then [`reduce`] removes whatever else the failure does not need; the report
//! shows the reduced source and both outputs, and the program and report are also written
//! to `target/tmp/jit-diff-failures/`.
//!
//! The programs aim at what a JIT gets wrong: checked integer arithmetic near the i64 limits,
//! float corner cases (-0.0, NaN, infinities, denormals, 0.1-style constants, huge ints
//! compared with floats), mixed int/float arithmetic, hot loops of thousands of iterations in
//! every loop form of each dialect (with `break`/`continue`, or escapes through `call/cc` in
//! Scheme), a driver loop calling every function of the program thousands of times, bounded
//! recursion, deep self and mutual tail calls, closures that capture and mutate variables
//! (also called after the loop or function that made them has finished), functions that
//! assign globals, arrays/vectors (index, set, push, length, out-of-bounds errors), strings,
//! variables whose type changes midway through a loop, and runtime errors thrown from deep
//! inside loops and calls, both caught (`try`/`except`, `guard`) and uncaught. Every value
//! computed shows in the output: loops print probes, a checksum accumulates integers, and the
//! program ends by printing every global.
//!
//! The generator keeps programs valid by construction: every name is resolved by the
//! printer from what is in scope (an out-of-range reference picks another variable of the
//! same type, a call with no fitting callee becomes a literal), loop bounds and recursion
//! depths are clamped by an estimated cost budget so each program runs in milliseconds, and
//! constructs that make no sense where they land (`break` outside a loop, `return` outside a
//! function) are dropped. So a shrunk program is still a valid program. Tests at the end
//! check the generator (programs compile, run quickly, reach hot loops, catch errors, cover
//! each feature) and the failure path (a simulated JIT bug is found, shrunk and saved).
//!
//! Environment:
//! - `TANDEM_DIFF_CASES`: cases per dialect (default 1000).
//! - `TANDEM_DIFF_SEED`: the base seed (default: random, printed). Case `i` of a dialect is
//!   generated from (seed, dialect, i) alone, so any case reproduces on its own.
//! - `TANDEM_DIFF_FIRST`: the first case index (default 0), to split a long run into ranges
//!   or rerun one case: `TANDEM_DIFF_SEED=S TANDEM_DIFF_FIRST=I TANDEM_DIFF_CASES=1`.
//! - `TANDEM_DIFF_THREADS`: worker threads per dialect (default: the number of cores).
//! - `TANDEM_DIFF_KEEP`: a directory; every generated program is also written there.
//!
//! A long run, e.g. 100,000 cases of each dialect from a recorded seed (with `--nocapture`
//! each dialect ends with a line of statistics: time per case, exit codes, syntax errors):
//! `TANDEM_DIFF_SEED=0x1234 TANDEM_DIFF_CASES=100000 cargo test --release -p tandem --test
//! jit_differential jit_matches -- --nocapture`.

mod common;

use common::{command, temp_dir};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// =====================================================================================
// The abstract syntax tree
// =====================================================================================

/// The static type the generator gives an expression or variable. `Dyn` variables hold any
/// scalar and change type at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Int,
    Float,
    Bool,
    Str,
    Arr,
    Dyn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Un {
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
enum Op {
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
enum K {
    Int,
    Num,
    Str,
    Bool,
    Dyn,
}

#[derive(Clone, Debug)]
enum Expr {
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
struct Handler {
    /// 0: the message; 1: also the line; 2: also the stack (Ruff only).
    report: u8,
    assign: Option<(u8, Expr)>,
    rethrow: bool,
}

#[derive(Clone, Debug)]
struct Loop {
    /// Which loop form of the dialect (modulo the number of forms).
    kind: u8,
    bound: u16,
    body: Vec<Stmt>,
    /// Printed every quarter of the iterations of a top-level loop.
    probes: Vec<Expr>,
    /// A loop-carried accumulator folded into the checksum after the loop.
    acc: Option<Expr>,
}

#[derive(Clone, Debug)]
enum Stmt {
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
enum Func {
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
struct Driver {
    bound: u16,
    kind: u8,
    args: Vec<(Ty, Expr)>,
    handler: Option<Handler>,
}

#[derive(Clone, Debug)]
struct Program {
    globals: Vec<Expr>,
    funcs: Vec<Func>,
    driver: Option<Driver>,
    main: Vec<Stmt>,
}

/// The globals every program has, so every type has an assignable variable everywhere.
const GLOBALS: &[(Ty, &str)] = &[
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

// =====================================================================================
// Strategies
// =====================================================================================

const SPECIAL_INTS: &[i64] = &[
    i64::MAX,
    i64::MIN,
    i64::MAX - 1,
    i64::MIN + 1,
    -1,
    3_037_000_499,
    3_037_000_500,
    -3_037_000_500,
    4_611_686_018_427_387_904,
    2_147_483_647,
    2_147_483_648,
    4_294_967_296,
    9_007_199_254_740_992,
    9_007_199_254_740_993,
    1_000_000_007,
    -1_000_000,
];

const SPECIAL_FLOATS: &[f64] = &[
    0.1,
    0.2,
    0.3,
    0.5,
    1.5,
    -2.5,
    0.0,
    -0.0,
    1.0,
    3.0,
    1e16,
    9_007_199_254_740_992.0,
    9.223_372_036_854_776e18,
    -9.223_372_036_854_776e18,
    1e308,
    f64::MAX,
    5e-324,
    2.225_073_858_507_201_4e-308,
    1e-300,
    123.456,
    1e21,
    1e-7,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

const STRINGS: &[&str] = &["", "a", "ab", "xyz", "hello", "Z9", "a b", "0"];

/// Expression strategies of one depth, by type.
#[derive(Clone)]
struct Es {
    int: BoxedStrategy<Expr>,
    float: BoxedStrategy<Expr>,
    boolean: BoxedStrategy<Expr>,
    string: BoxedStrategy<Expr>,
    arr: BoxedStrategy<Expr>,
    dynamic: BoxedStrategy<Expr>,
}

impl Es {
    fn of(&self, ty: Ty) -> BoxedStrategy<Expr> {
        match ty {
            Ty::Int => self.int.clone(),
            Ty::Float => self.float.clone(),
            Ty::Bool => self.boolean.clone(),
            Ty::Str => self.string.clone(),
            Ty::Arr => self.arr.clone(),
            Ty::Dyn => self.dynamic.clone(),
        }
    }
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn int_lit() -> BoxedStrategy<Expr> {
    prop_oneof![
        5 => (0i64..10).prop_map(Expr::Int),
        3 => (-1000i64..1000).prop_map(Expr::Int),
        1 => select(SPECIAL_INTS).prop_map(Expr::Int),
    ]
    .boxed()
}

fn float_lit() -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => select(SPECIAL_FLOATS).prop_map(Expr::Float),
        1 => (-80i32..80).prop_map(|n| Expr::Float(f64::from(n) / 8.0)),
    ]
    .boxed()
}

fn str_lit() -> BoxedStrategy<Expr> {
    select(STRINGS).prop_map(Expr::Str).boxed()
}

fn arr_lit() -> BoxedStrategy<Expr> {
    prop_oneof![
        30 => vec(int_lit(), 1..6).prop_map(Expr::ArrLit),
        1 => Just(Expr::ArrLit(Vec::new())),
    ]
    .boxed()
}

/// A literal of any scalar type, for a `Dyn` global's first value.
fn any_lit() -> BoxedStrategy<Expr> {
    prop_oneof![
        10 => int_lit(),
        6 => float_lit(),
        1 => str_lit(),
        1 => any::<bool>().prop_map(Expr::Bool),
    ]
    .boxed()
}

fn lit_of(ty: Ty) -> BoxedStrategy<Expr> {
    match ty {
        Ty::Int => int_lit(),
        Ty::Float => float_lit(),
        Ty::Bool => any::<bool>().prop_map(Expr::Bool).boxed(),
        Ty::Str => str_lit(),
        Ty::Arr => arr_lit(),
        Ty::Dyn => any_lit(),
    }
}

fn var(ty: Ty) -> BoxedStrategy<Expr> {
    any::<u8>().prop_map(move |i| Expr::Var(ty, i)).boxed()
}

fn leaf_exprs() -> Es {
    let int = prop_oneof![3 => int_lit(), 4 => var(Ty::Int)].boxed();
    let float = prop_oneof![3 => float_lit(), 3 => var(Ty::Float)].boxed();
    let boolean = prop_oneof![any::<bool>().prop_map(Expr::Bool), var(Ty::Bool)].boxed();
    let string = prop_oneof![str_lit(), var(Ty::Str)].boxed();
    let arr = prop_oneof![3 => var(Ty::Arr), 1 => arr_lit()].boxed();
    let dynamic = prop_oneof![
        4 => var(Ty::Dyn),
        3 => int.clone(),
        2 => float.clone(),
        1 => string.clone(),
        1 => boolean.clone(),
    ]
    .boxed();
    Es {
        int,
        float,
        boolean,
        string,
        arr,
        dynamic,
    }
}

fn typed_arg(p: &Es) -> BoxedStrategy<(Ty, Expr)> {
    prop_oneof![
        5 => p.int.clone().prop_map(|e| (Ty::Int, e)),
        2 => p.float.clone().prop_map(|e| (Ty::Float, e)),
        1 => p.string.clone().prop_map(|e| (Ty::Str, e)),
        1 => p.boolean.clone().prop_map(|e| (Ty::Bool, e)),
        1 => p.arr.clone().prop_map(|e| (Ty::Arr, e)),
        2 => p.dynamic.clone().prop_map(|e| (Ty::Dyn, e)),
    ]
    .boxed()
}

fn call(ret: Ty, p: &Es) -> BoxedStrategy<Expr> {
    (
        any::<u8>(),
        vec(typed_arg(p), 0..4),
        prop::bool::weighted(0.005),
    )
        .prop_map(move |(slot, args, short)| Expr::Call(ret, slot, args, short))
        .boxed()
}

fn bin(
    ops: &'static [Op],
    k: K,
    a: BoxedStrategy<Expr>,
    b: BoxedStrategy<Expr>,
) -> BoxedStrategy<Expr> {
    (select(ops), a, b)
        .prop_map(move |(op, a, b)| Expr::Bin(op, k, bx(a), bx(b)))
        .boxed()
}

fn unary(ops: &'static [Un], a: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    (select(ops), a)
        .prop_map(|(op, a)| Expr::Un(op, bx(a)))
        .boxed()
}

const INT_OPS: &[Op] = &[
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Add,
    Op::Sub,
    Op::Min,
    Op::Max,
];
const DIV_OPS: &[Op] = &[Op::Div, Op::Rem];
/// Divisors: mostly non-zero constants, so division by zero is rare but happens.
const DIVISORS: &[i64] = &[1, 2, 3, 7, 10, -1, -3, 1_000_003, i64::MAX];
const FLOAT_OPS: &[Op] = &[Op::Add, Op::Sub, Op::Mul, Op::Div];
const CMP_OPS: &[Op] = &[Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Eq, Op::Ne];
const EQ_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Lt];
const DYN_EQ_OPS: &[Op] = &[Op::Eq, Op::Ne];
const DYN_OPS: &[Op] = &[Op::Add, Op::Sub, Op::Mul];

/// Expressions one level deeper than `p`.
fn next_level(p: &Es) -> Es {
    let num = prop_oneof![2 => p.float.clone(), 1 => p.int.clone()].boxed();
    let int = prop_oneof![
        3 => p.int.clone(),
        7 => bin(INT_OPS, K::Int, p.int.clone(), p.int.clone()),
        2 => bin(
            DIV_OPS,
            K::Int,
            p.int.clone(),
            prop_oneof![3 => select(DIVISORS).prop_map(Expr::Int), 1 => p.int.clone()].boxed()
        ),
        1 => unary(&[Un::Neg, Un::IAbs], p.int.clone()),
        2 => (p.arr.clone(), p.int.clone(), prop::bool::weighted(0.97))
            .prop_map(|(a, i, safe)| Expr::Index(bx(a), bx(i), safe)),
        1 => unary(&[Un::StrLen], p.string.clone()),
        1 => unary(&[Un::ArrLen], p.arr.clone()),
        2 => call(Ty::Int, p),
        1 => unary(
            &[Un::Trunc],
            prop_oneof![var(Ty::Float), (-80i32..80).prop_map(|n| Expr::Float(f64::from(n) / 8.0))].boxed()
        ),
    ]
    .boxed();
    let float = prop_oneof![
        3 => p.float.clone(),
        3 => bin(FLOAT_OPS, K::Num, p.float.clone(), num.clone()),
        2 => bin(FLOAT_OPS, K::Num, num.clone(), p.float.clone()),
        1 => unary(&[Un::Neg, Un::Abs, Un::Sqrt], p.float.clone()),
        2 => unary(&[Un::ToFloat], p.int.clone()),
        1 => call(Ty::Float, p),
    ]
    .boxed();
    let boolean = prop_oneof![
        2 => p.boolean.clone(),
        3 => bin(CMP_OPS, K::Int, p.int.clone(), p.int.clone()),
        2 => bin(CMP_OPS, K::Num, p.float.clone(), num.clone()),
        1 => bin(CMP_OPS, K::Num, num, p.float.clone()),
        1 => bin(EQ_OPS, K::Str, p.string.clone(), p.string.clone()),
        1 => bin(DYN_EQ_OPS, K::Dyn, p.dynamic.clone(), p.dynamic.clone()),
        2 => bin(&[Op::And, Op::Or], K::Bool, p.boolean.clone(), p.boolean.clone()),
        1 => bin(&[Op::Eq, Op::Ne], K::Bool, p.boolean.clone(), p.boolean.clone()),
        1 => unary(&[Un::Not], p.boolean.clone()),
        1 => call(Ty::Bool, p),
    ]
    .boxed();
    let string = prop_oneof![
        2 => p.string.clone(),
        2 => bin(&[Op::Cat], K::Str, p.string.clone(), p.string.clone()),
        1 => unary(&[Un::ToStr], p.int.clone()),
        1 => unary(&[Un::ToStr], p.float.clone()),
        1 => (p.string.clone(), p.int.clone(), prop::bool::weighted(0.97))
            .prop_map(|(s, i, safe)| Expr::StrAt(bx(s), bx(i), safe)),
        1 => call(Ty::Str, p),
    ]
    .boxed();
    let dynamic = prop_oneof![
        2 => p.dynamic.clone(),
        2 => bin(DYN_OPS, K::Dyn, var(Ty::Dyn), prop_oneof![p.int.clone(), p.float.clone()].boxed()),
        1 => int.clone(),
        1 => float.clone(),
        1 => string.clone(),
        1 => call(Ty::Dyn, p),
    ]
    .boxed();
    Es {
        int,
        float,
        boolean,
        string,
        arr: p.arr.clone(),
        dynamic,
    }
}

fn assign(ty: Ty, e: BoxedStrategy<Expr>, wrap: f64) -> BoxedStrategy<Stmt> {
    (any::<u8>(), e, prop::bool::weighted(wrap))
        .prop_map(move |(v, x, w)| Stmt::Assign(ty, v, x, w))
        .boxed()
}

fn throw(e: &Es) -> BoxedStrategy<Stmt> {
    (e.int.clone(), 0u8..2)
        .prop_map(|(x, style)| Stmt::Throw(x, style))
        .boxed()
}

/// Statements with no statements inside.
fn simple_stmt(e: &Es) -> BoxedStrategy<Stmt> {
    prop_oneof![
        6 => assign(Ty::Int, e.int.clone(), 0.7),
        2 => assign(Ty::Float, e.float.clone(), 0.0),
        1 => assign(Ty::Bool, e.boolean.clone(), 0.0),
        1 => assign(Ty::Str, e.string.clone(), 0.0),
        1 => assign(Ty::Arr, e.arr.clone(), 0.0),
        2 => assign(Ty::Dyn, e.dynamic.clone(), 0.0),
        2 => vec(prop_oneof![e.dynamic.clone(), probe()], 1..3).prop_map(Stmt::Print),
        2 => (any::<u8>(), e.int.clone(), e.int.clone(), prop::bool::weighted(0.97))
            .prop_map(|(a, i, v, safe)| Stmt::ArrSet(a, i, v, safe)),
        1 => (any::<u8>(), e.int.clone()).prop_map(|(a, v)| Stmt::Push(a, v)),
        2 => call(Ty::Dyn, e).prop_map(Stmt::Call),
        1 => e.int.clone().prop_map(Stmt::Capture),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Stmt::Rebind(a, b)),
        3 => e.int.clone().prop_map(Stmt::Checksum),
    ]
    .boxed()
}

/// Statements that leave a block early: generated inside branches only.
fn jump(e: &Es) -> BoxedStrategy<Stmt> {
    prop_oneof![
        1 => Just(Stmt::Break),
        3 => Just(Stmt::Continue),
        2 => e.int.clone().prop_map(Stmt::Return),
        1 => throw(e),
    ]
    .boxed()
}

/// Branch conditions: any boolean, or one that follows the innermost loop counter (the
/// innermost int variable) so branches change from one iteration to the next.
fn condition(e: &Es) -> BoxedStrategy<Expr> {
    let periodic =
        (1i64..8, 0i64..8, select(&[Op::Eq, Op::Ne, Op::Lt][..])).prop_map(|(m, k, op)| {
            let r = Expr::Bin(
                Op::Rem,
                K::Int,
                bx(Expr::Var(Ty::Int, 0)),
                bx(Expr::Int(m + 1)),
            );
            Expr::Bin(op, K::Int, bx(r), bx(Expr::Int(k.min(m))))
        });
    let threshold = (0u8..3, 0i64..5000, select(&[Op::Lt, Op::Ge][..]))
        .prop_map(|(v, k, op)| Expr::Bin(op, K::Int, bx(Expr::Var(Ty::Int, v)), bx(Expr::Int(k))));
    prop_oneof![2 => e.boolean.clone(), 2 => periodic, 1 => threshold].boxed()
}

fn handler(e: &Es) -> BoxedStrategy<Handler> {
    (
        0u8..3,
        prop::option::weighted(0.3, (any::<u8>(), e.int.clone())),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(report, assign, rethrow)| Handler {
            report,
            assign,
            rethrow,
        })
        .boxed()
}

fn bound() -> BoxedStrategy<u16> {
    prop_oneof![3 => 0u16..12, 1 => 12u16..200, 3 => 1000u16..5000].boxed()
}

/// A value a probe prints: a variable, which cannot fail.
fn probe() -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => var(Ty::Int),
        2 => var(Ty::Float),
        2 => var(Ty::Dyn),
        1 => var(Ty::Str),
        1 => var(Ty::Arr),
        1 => var(Ty::Bool),
    ]
    .boxed()
}

/// A loop; its body is sometimes all in a `try`, so that an error in one iteration does not
/// end the loop.
fn loop_of(
    body: BoxedStrategy<Stmt>,
    e: &Es,
    bound: BoxedStrategy<u16>,
    in_try: f64,
) -> BoxedStrategy<Stmt> {
    (
        any::<u8>(),
        bound,
        vec(body, 1..7),
        vec(probe(), 0..3),
        prop::option::weighted(0.3, e.int.clone()),
        prop::option::weighted(in_try, handler(e)),
    )
        .prop_map(|(kind, bound, body, probes, acc, h)| {
            let body = match h {
                Some(h) => vec![Stmt::Try(body, h)],
                None => body,
            };
            Stmt::Loop(Box::new(Loop {
                kind,
                bound,
                body,
                probes,
                acc,
            }))
        })
        .boxed()
}

/// Statements one level deeper than `prev`.
fn stmt_level(prev: &BoxedStrategy<Stmt>, e: &Es) -> BoxedStrategy<Stmt> {
    let branch = prop_oneof![10 => prev.clone(), 1 => jump(e)].boxed();
    let at_iter_body = prop_oneof![
        2 => assign(Ty::Dyn, e.dynamic.clone(), 0.0),
        1 => throw(e),
        1 => Just(Stmt::Break),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Stmt::Rebind(a, b)),
        2 => prev.clone(),
    ]
    .boxed();
    prop_oneof![
        8 => prev.clone(),
        3 => (condition(e), vec(branch.clone(), 1..4), vec(branch, 0..3))
            .prop_map(|(c, t, f)| Stmt::If(c, t, f)),
        1 => loop_of(prev.clone(), e, bound(), 0.3),
        2 => (vec(prop_oneof![12 => prev.clone(), 1 => throw(e)], 1..4), handler(e))
            .prop_map(|(b, h)| Stmt::Try(b, h)),
        2 => (any::<u16>(), vec(at_iter_body, 1..3)).prop_map(|(at, b)| Stmt::AtIter(at, b)),
    ]
    .boxed()
}

fn param_ty() -> BoxedStrategy<Ty> {
    prop_oneof![
        6 => Just(Ty::Int),
        2 => Just(Ty::Float),
        1 => Just(Ty::Str),
        1 => Just(Ty::Bool),
        1 => Just(Ty::Arr),
        2 => Just(Ty::Dyn),
    ]
    .boxed()
}

fn ret_ty() -> BoxedStrategy<Ty> {
    prop_oneof![
        6 => Just(Ty::Int),
        2 => Just(Ty::Float),
        1 => Just(Ty::Str),
        1 => Just(Ty::Bool),
        1 => Just(Ty::Dyn),
    ]
    .boxed()
}

fn func(stmt: &BoxedStrategy<Stmt>, e: &Es) -> BoxedStrategy<Func> {
    let es = e.clone();
    let plain = (
        vec(param_ty(), 0..4),
        ret_ty().prop_flat_map(move |t| (Just(t), es.of(t))),
        e.int.clone(),
        vec(
            param_ty().prop_flat_map({
                let es = e.clone();
                move |t| (Just(t), es.of(t))
            }),
            0..3,
        ),
        vec(e.int.clone(), 0..3),
        vec(stmt.clone(), 1..6),
    )
        .prop_map(
            |(params, (ret, ret_expr), first, mut locals, closures, body)| {
                locals.insert(0, (Ty::Int, first));
                Func::Plain {
                    params,
                    ret,
                    locals,
                    closures,
                    body,
                    ret_expr,
                }
            },
        );
    let rec = (
        e.int.clone(),
        e.int.clone(),
        e.int.clone(),
        select(&[Op::Add, Op::Sub, Op::Max, Op::Mul, Op::Rem][..]),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(base, step, other, op, tree)| Func::Rec {
            base,
            step,
            other,
            op,
            tree,
        });
    let tail =
        (vec(stmt.clone(), 0..3), e.int.clone()).prop_map(|(body, upd)| Func::Tail { body, upd });
    let mutual =
        (e.int.clone(), e.int.clone()).prop_map(|(upd_a, upd_b)| Func::Mutual { upd_a, upd_b });
    let factory = (e.int.clone(), -5i64..100, -5i64..100)
        .prop_map(|(upd, a, b)| Func::Factory { upd, inits: (a, b) });
    prop_oneof![
        6 => plain,
        1 => rec,
        2 => tail,
        1 => mutual,
        2 => factory,
    ]
    .boxed()
}

/// Random programs.
fn program() -> BoxedStrategy<Program> {
    let e0 = leaf_exprs();
    let e1 = next_level(&e0);
    let e2 = next_level(&e1);
    let e3 = next_level(&e2);
    let s0 = simple_stmt(&e2);
    let s1 = stmt_level(&s0, &e2);
    let s2 = stmt_level(&s1, &e2);
    let s3 = stmt_level(&s2, &e3);
    let globals: Vec<BoxedStrategy<Expr>> = GLOBALS.iter().map(|&(t, _)| lit_of(t)).collect();
    let hot = loop_of(s2.clone(), &e2, (1000u16..5000).boxed(), 0.5);
    let driver = (
        1000u16..5000,
        any::<u8>(),
        vec(typed_arg(&e1), 0..4),
        prop::option::weighted(0.9, handler(&e1)),
    )
        .prop_map(|(bound, kind, mut args, handler)| {
            // The first int argument follows the loop counter (the innermost int).
            let counter = Expr::Bin(Op::Add, K::Int, bx(Expr::Var(Ty::Int, 0)), bx(Expr::Int(1)));
            args.insert(0, (Ty::Int, counter));
            Driver {
                bound,
                kind,
                args,
                handler,
            }
        });
    // Proptest shrinks a tuple's parts in order: the main program first, where removing
    // whole statements simplifies the most, the globals' first values last.
    (
        vec(
            prop_oneof![
                4 => hot,
                6 => s3,
                1 => (vec(s2.clone(), 1..4), handler(&e2)).prop_map(|(b, h)| Stmt::Try(b, h)),
            ],
            1..6,
        ),
        prop::option::weighted(0.9, driver),
        vec(func(&s2, &e2), 0..6),
        globals,
    )
        .prop_map(|(main, driver, funcs, globals)| Program {
            globals,
            funcs,
            driver,
            main,
        })
        .boxed()
}

// =====================================================================================
// Printing
// =====================================================================================

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lang {
    Ruff,
    Scheme,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::Ruff => "ruff",
            Lang::Scheme => "scheme",
        }
    }
    fn ext(self) -> &'static str {
        match self {
            Lang::Ruff => "ruff",
            Lang::Scheme => "scm",
        }
    }
}

/// The estimated cost (roughly, expression nodes evaluated) a whole program may spend.
const MAIN_BUDGET: u64 = 600_000;
/// The estimated cost the driver loop may spend.
const DRIVER_BUDGET: u64 = 1_000_000;
/// The estimated cost one call from the driver loop may spend (recursion depths are cut to
/// fit).
const DRIVE_CALL: u64 = 150;
/// The estimated cost one call of a function may spend.
const FN_BUDGET: u64 = 100;
/// The estimated cost one level of a recursive function may spend.
const LEVEL_BUDGET: u64 = 40;
/// The most iterations nested loops at top level may run together.
const MAIN_ITERS: u64 = 5000;
/// The most iterations nested loops in a function may run together.
const FN_ITERS: u64 = 8;
/// Deepest self or mutual tail recursion.
const MAX_TAIL_DEPTH: u64 = 20_000;
/// Deepest non-tail linear recursion.
const MAX_REC_DEPTH: u64 = 400;
/// Deepest tree recursion (fib-like: about 1.6^n calls).
const MAX_TREE_DEPTH: u64 = 16;
/// Integers are reduced modulo this where the generator asks for it.
const WRAP: i64 = 1_000_003;

struct Var {
    name: String,
    ty: Ty,
    assignable: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Plain,
    /// First argument is a depth, reduced to at most `max`; `cost` is per level.
    Depth {
        max: u64,
        tree: bool,
    },
}

struct Callable {
    name: String,
    params: Vec<Ty>,
    ret: Ty,
    kind: CallKind,
    cost: u64,
    /// A global that may be rebound to another callable (defined before it, so that calls
    /// still only go to earlier definitions and cannot recurse).
    rebindable: bool,
}

struct LoopCx {
    id: u32,
    counter: Option<String>,
    bound: u64,
}

/// The function being printed, for `return`.
struct FnCx {
    ret: Ty,
    ret_expr: Expr,
}

/// Prints a [`Program`] as source, resolving names from scope and keeping the cost down.
struct Printer {
    lang: Lang,
    out: String,
    vars: Vec<Var>,
    callables: Vec<Callable>,
    loops: Vec<LoopCx>,
    func: Option<FnCx>,
    /// How many times the code being printed runs per call of its function (or per program).
    mult: u64,
    spent: u64,
    budget: u64,
    iter_limit: u64,
    /// Whether output here must be rationed (it may run thousands of times).
    hot: bool,
    next_id: u32,
}

fn fib_calls(n: u64) -> u64 {
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 0..n {
        let c = a.saturating_add(b).saturating_add(1);
        a = b;
        b = c;
    }
    b
}

fn is_scheme(lang: Lang) -> bool {
    lang == Lang::Scheme
}

impl Printer {
    fn new(lang: Lang) -> Self {
        Printer {
            lang,
            out: String::new(),
            vars: Vec::new(),
            callables: Vec::new(),
            loops: Vec::new(),
            func: None,
            mult: 1,
            spent: 0,
            budget: MAIN_BUDGET,
            iter_limit: MAIN_ITERS,
            hot: false,
            next_id: 0,
        }
    }

    fn scheme(&self) -> bool {
        is_scheme(self.lang)
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn line(&mut self, ind: usize, text: &str) {
        for _ in 0..ind {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Print `f` into a fresh buffer and return what it printed.
    fn capture(&mut self, f: impl FnOnce(&mut Self)) -> String {
        let saved = std::mem::take(&mut self.out);
        f(self);
        std::mem::replace(&mut self.out, saved)
    }

    fn charge(&mut self, n: u64) {
        self.spent = self.spent.saturating_add(self.mult.saturating_mul(n));
    }

    fn push_var(&mut self, name: &str, ty: Ty, assignable: bool) {
        self.vars.push(Var {
            name: name.to_string(),
            ty,
            assignable,
        });
    }

    fn find_var(&self, ty: Ty, n: u8, assign: bool) -> Option<String> {
        let c: Vec<&Var> = self
            .vars
            .iter()
            .rev()
            .filter(|v| v.ty == ty && (v.assignable || !assign))
            .collect();
        if c.is_empty() {
            None
        } else {
            Some(c[n as usize % c.len()].name.clone())
        }
    }

    // ----- literals -----

    fn int(&self, n: i64) -> String {
        if self.scheme() {
            n.to_string()
        } else if n == i64::MIN {
            "(-9223372036854775807 - 1)".to_string()
        } else if n < 0 {
            format!("({n})")
        } else {
            n.to_string()
        }
    }

    fn float(&self, x: f64) -> String {
        if x.is_nan() {
            if self.scheme() {
                "(/ 0.0 0.0)".into()
            } else {
                "(1e308 * 10.0 - 1e308 * 10.0)".into()
            }
        } else if x.is_infinite() {
            match (self.scheme(), x > 0.0) {
                (true, true) => "+inf.0".into(),
                (true, false) => "-inf.0".into(),
                (false, true) => "(1e308 * 10.0)".into(),
                (false, false) => "(-1e308 * 10.0)".into(),
            }
        } else {
            // `{:?}` always shows a `.` or an exponent, and round-trips.
            let s = format!("{x:?}");
            if !self.scheme() && s.starts_with('-') {
                format!("({s})")
            } else {
                s
            }
        }
    }

    fn default_of(&self, ty: Ty) -> String {
        match (ty, self.scheme()) {
            (Ty::Int, _) | (Ty::Dyn, _) => "1".into(),
            (Ty::Float, _) => "0.5".into(),
            (Ty::Bool, true) => "#t".into(),
            (Ty::Bool, false) => "true".into(),
            (Ty::Str, _) => "\"d\"".into(),
            (Ty::Arr, true) => "(vector 1 2)".into(),
            (Ty::Arr, false) => "[1, 2]".into(),
        }
    }

    fn bin(&self, op: &str, a: &str, b: &str) -> String {
        if self.scheme() {
            format!("({op} {a} {b})")
        } else {
            format!("({a} {op} {b})")
        }
    }

    fn call_str(&self, f: &str, args: &[String]) -> String {
        if self.scheme() {
            if args.is_empty() {
                format!("({f})")
            } else {
                format!("({f} {})", args.join(" "))
            }
        } else {
            format!("{f}({})", args.join(", "))
        }
    }

    /// `x` reduced modulo `m` (truncating, so the sign of `x` stays).
    fn rem(&self, x: &str, m: i64) -> String {
        if self.scheme() {
            format!("(remainder {x} {m})")
        } else {
            format!("({x} % {m})")
        }
    }

    fn len_of(&self, x: &str, string: bool) -> String {
        match (self.scheme(), string) {
            (true, true) => format!("(string-length {x})"),
            (true, false) => format!("(vector-length {x})"),
            (false, _) => format!("len({x})"),
        }
    }

    /// An index into `coll` made safe: modulo its length.
    fn safe_index(&self, idx: &str, coll: &str, string: bool) -> String {
        let len = self.len_of(coll, string);
        if self.scheme() {
            format!("(modulo {idx} {len})")
        } else {
            format!("({idx} % {len})")
        }
    }

    // ----- expressions -----

    fn expr(&mut self, e: &Expr) -> String {
        self.charge(1);
        let s = self.scheme();
        match e {
            Expr::Int(n) => self.int(*n),
            Expr::Float(x) => self.float(*x),
            Expr::Bool(b) => match (s, b) {
                (true, true) => "#t".into(),
                (true, false) => "#f".into(),
                (false, b) => b.to_string(),
            },
            Expr::Str(t) => format!("\"{t}\""),
            Expr::Var(ty, n) => self
                .find_var(*ty, *n, false)
                .unwrap_or_else(|| self.default_of(*ty)),
            Expr::Un(op, a) => {
                let a = self.expr(a);
                match (op, s) {
                    (Un::Neg, true) => format!("(- {a})"),
                    (Un::Neg, false) => format!("(-{a})"),
                    (Un::Not, true) => format!("(not {a})"),
                    (Un::Not, false) => format!("(!{a})"),
                    (Un::Abs, _) | (Un::IAbs, true) => self.call_str("abs", &[a]),
                    (Un::IAbs, false) => self.call_str("iabs", &[a]),
                    (Un::ToFloat, true) => format!("(exact->inexact {a})"),
                    (Un::ToFloat, false) => format!("to_float({a})"),
                    (Un::Trunc, true) => format!("(exact (truncate {a}))"),
                    (Un::Trunc, false) => format!("to_int({a})"),
                    (Un::Sqrt, true) => format!("(sqrt (abs {a}))"),
                    (Un::Sqrt, false) => format!("sqrt(abs({a}))"),
                    (Un::ToStr, true) => format!("(number->string {a})"),
                    (Un::ToStr, false) => format!("to_string({a})"),
                    (Un::StrLen, _) => self.len_of(&a, true),
                    (Un::ArrLen, _) => self.len_of(&a, false),
                }
            }
            Expr::Bin(op, k, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                self.binop(*op, *k, &a, &b)
            }
            Expr::Index(a, i, safe) => {
                let a = self.expr(a);
                let mut i = self.expr(i);
                if *safe {
                    i = self.safe_index(&i, &a, false);
                }
                if s {
                    format!("(vector-ref {a} {i})")
                } else {
                    format!("{a}[{i}]")
                }
            }
            Expr::StrAt(t, i, safe) => {
                let t = self.expr(t);
                let mut i = self.expr(i);
                if *safe {
                    i = self.safe_index(&i, &t, true);
                }
                if s {
                    format!("(string (string-ref {t} {i}))")
                } else {
                    format!("{t}[{i}]")
                }
            }
            Expr::Call(ret, slot, args, short) => self
                .call(*ret, *slot, args, *short)
                .unwrap_or_else(|| self.default_of(*ret)),
            Expr::ArrLit(items) => {
                let items: Vec<String> = items.iter().map(|x| self.expr(x)).collect();
                if s {
                    format!(
                        "(vector{})",
                        items.iter().map(|x| format!(" {x}")).collect::<String>()
                    )
                } else {
                    format!("[{}]", items.join(", "))
                }
            }
        }
    }

    fn binop(&self, op: Op, k: K, a: &str, b: &str) -> String {
        if !self.scheme() {
            let o = match op {
                Op::Add | Op::Cat => "+",
                Op::Sub => "-",
                Op::Mul => "*",
                Op::Div => "/",
                Op::Rem => "%",
                Op::Lt => "<",
                Op::Le => "<=",
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Eq => "==",
                Op::Ne => "!=",
                Op::And => "&&",
                Op::Or => "||",
                // Ruff's `min`, `max` and `abs` return floats: ints use the program's own.
                Op::Min if k == K::Int => return format!("imin({a}, {b})"),
                Op::Max if k == K::Int => return format!("imax({a}, {b})"),
                Op::Min => return format!("min({a}, {b})"),
                Op::Max => return format!("max({a}, {b})"),
            };
            return self.bin(o, a, b);
        }
        let o = match (op, k) {
            (Op::Add, _) => "+",
            (Op::Sub, _) => "-",
            (Op::Mul, _) => "*",
            (Op::Div, K::Int) => "quotient",
            (Op::Div, _) => "/",
            (Op::Rem, _) => "remainder",
            (Op::Min, _) => "min",
            (Op::Max, _) => "max",
            (Op::Cat, _) => "string-append",
            (Op::And, _) => "and",
            (Op::Or, _) => "or",
            (Op::Eq, K::Str) => "string=?",
            (Op::Eq, K::Bool) => "eq?",
            (Op::Eq, K::Dyn) => "equal?",
            (Op::Eq, _) => "=",
            (Op::Ne, _) => return format!("(not {})", self.binop(Op::Eq, k, a, b)),
            (Op::Lt, K::Str) => "string<?",
            (Op::Gt, K::Str) => return self.bin("string<?", b, a),
            (Op::Le | Op::Ge, K::Str) => {
                let (x, y) = if op == Op::Le { (b, a) } else { (a, b) };
                return format!("(not {})", self.bin("string<?", x, y));
            }
            (Op::Lt, _) => "<",
            (Op::Le, _) => "<=",
            (Op::Gt, _) => ">",
            (Op::Ge, _) => ">=",
        };
        self.bin(o, a, b)
    }

    /// A call, or `None` when nothing in scope fits (or the budget allows none).
    fn call(&mut self, ret: Ty, slot: u8, args: &[(Ty, Expr)], short: bool) -> Option<String> {
        let cands: Vec<(usize, u64)> = (0..self.callables.len())
            .filter(|&i| ret == Ty::Dyn || self.callables[i].ret == ret)
            .map(|i| (i, self.affordable(i)))
            .filter(|&(_, d)| d > 0)
            .collect();
        if cands.is_empty() {
            return None;
        }
        let (ci, _) = cands[slot as usize % cands.len()];
        self.call_at(ci, args, short)
    }

    /// The deepest recursion affordable for callable `ci` here (1 for a plain one), or 0
    /// when even one call is too costly.
    fn affordable(&self, ci: usize) -> u64 {
        let remaining = self.budget.saturating_sub(self.spent);
        let mult = self.mult.max(1);
        let c = &self.callables[ci];
        match c.kind {
            CallKind::Plain => u64::from(mult.saturating_mul(c.cost) <= remaining),
            CallKind::Depth { max, tree: false } => {
                (remaining / mult.saturating_mul(c.cost).max(1)).min(max)
            }
            CallKind::Depth { max, tree: true } => (0..=max)
                .rev()
                .find(|&d| fib_calls(d).saturating_mul(c.cost).saturating_mul(mult) <= remaining)
                .unwrap_or(0),
        }
    }

    /// A call of callable `ci`, matching `args` to its parameters by type; `None` when it
    /// is not affordable.
    fn call_at(&mut self, ci: usize, args: &[(Ty, Expr)], short: bool) -> Option<String> {
        let depth = self.affordable(ci);
        if depth == 0 {
            return None;
        }
        Some(self.call_depth(ci, depth, args, short))
    }

    /// The depth the driver loop calls callable `ci` with: whatever keeps one call under
    /// [`DRIVE_CALL`].
    fn drive_depth(&self, ci: usize) -> u64 {
        let c = &self.callables[ci];
        match c.kind {
            CallKind::Plain => 1,
            CallKind::Depth { max, tree: false } => (DRIVE_CALL / c.cost.max(1)).clamp(1, max),
            CallKind::Depth { max, tree: true } => (1..=max)
                .rev()
                .find(|&d| fib_calls(d).saturating_mul(c.cost) <= DRIVE_CALL)
                .unwrap_or(1),
        }
    }

    /// What one call of callable `ci` at `depth` costs.
    fn call_cost(&self, ci: usize, depth: u64) -> u64 {
        let c = &self.callables[ci];
        match c.kind {
            CallKind::Plain => c.cost,
            CallKind::Depth { tree: false, .. } => depth.saturating_mul(c.cost),
            CallKind::Depth { tree: true, .. } => fib_calls(depth).saturating_mul(c.cost),
        }
    }

    /// A call of callable `ci`, recursing at most `depth` deep if it recurses.
    fn call_depth(&mut self, ci: usize, depth: u64, args: &[(Ty, Expr)], short: bool) -> String {
        let (name, params, kind) = {
            let c = &self.callables[ci];
            (c.name.clone(), c.params.clone(), c.kind)
        };
        let mut used = vec![false; args.len()];
        let mut out = Vec::new();
        for (pi, &pty) in params.iter().enumerate() {
            let found = args.iter().enumerate().position(|(ai, (aty, _))| {
                !used[ai] && (*aty == pty || (pty == Ty::Dyn && *aty != Ty::Arr))
            });
            let mut text = match found {
                Some(ai) => {
                    used[ai] = true;
                    self.expr(&args[ai].1)
                }
                None => self.default_of(pty),
            };
            if pi == 0 && matches!(kind, CallKind::Depth { .. }) {
                let m = i64::try_from(depth).unwrap_or(1);
                text = match text.parse::<i64>() {
                    Ok(v) => self.int(v % m),
                    Err(_) => self.rem(&text, m),
                };
            }
            out.push(text);
        }
        if short && !out.is_empty() {
            out.pop();
        }
        self.charge(self.call_cost(ci, depth));
        self.call_str(&name, &out)
    }

    // ----- statements -----

    fn block(&mut self, stmts: &[Stmt], ind: usize) {
        for s in stmts {
            self.stmt(s, ind);
        }
    }

    /// A Scheme body: the statements, or `#f` when they print nothing.
    fn scheme_body(&mut self, stmts: &[Stmt], ind: usize) {
        let text = self.capture(|p| p.block(stmts, ind));
        if text.is_empty() {
            self.line(ind, "#f");
        } else {
            self.out.push_str(&text);
        }
    }

    fn assign_str(&self, name: &str, value: &str) -> String {
        if self.scheme() {
            format!("(set! {name} {value})")
        } else {
            format!("{name} := {value}")
        }
    }

    fn print_stmt(&mut self, ind: usize, args: &[String]) {
        let call = self.call_str(if self.scheme() { "pr" } else { "print" }, args);
        if self.hot {
            // Ration output from code that may run thousands of times.
            if self.scheme() {
                self.line(ind, &format!("(when (< pc 300) (set! pc (+ pc 1)) {call})"));
            } else {
                self.line(ind, "if pc < 300 {");
                self.line(ind + 1, "pc += 1");
                self.line(ind + 1, &call);
                self.line(ind, "}");
            }
        } else {
            self.line(ind, &call);
        }
    }

    fn checksum(&mut self, ind: usize, value: &str) {
        let v = self.rem(value, WRAP);
        let text = if self.scheme() {
            format!("(set! chk (remainder (+ (* chk 31) {v}) 1000000007))")
        } else {
            format!("chk := (chk * 31 + {v}) % 1000000007")
        };
        self.line(ind, &text);
    }

    fn stmt(&mut self, st: &Stmt, ind: usize) {
        // Handlers and throws cost more than plain statements, most in Scheme (measured).
        self.charge(match (st, self.scheme()) {
            (Stmt::Try(..), false) => 2,
            (Stmt::Try(..), true) => 20,
            (Stmt::Throw(..), false) => 15,
            (Stmt::Throw(..), true) => 80,
            _ => 1,
        });
        let s = self.scheme();
        match st {
            Stmt::Assign(ty, n, e, wrap) => {
                let Some(name) = self.find_var(*ty, *n, true) else {
                    return;
                };
                let mut v = self.expr(e);
                if *wrap && *ty == Ty::Int {
                    v = self.rem(&v, WRAP);
                }
                let text = self.assign_str(&name, &v);
                self.line(ind, &text);
                if *ty == Ty::Str {
                    // Keep strings short: `s := s + s` in a loop doubles.
                    if s {
                        self.line(
                            ind,
                            &format!("(when (> (string-length {name}) 40) (set! {name} \"r\"))"),
                        );
                    } else {
                        self.line(ind, &format!("if len({name}) > 40 {{"));
                        self.line(ind + 1, &format!("{name} := \"r\""));
                        self.line(ind, "}");
                    }
                }
            }
            Stmt::Print(args) => {
                let mut a = vec!["\"o\"".to_string()];
                a.extend(args.iter().map(|x| self.expr(x)));
                self.print_stmt(ind, &a);
            }
            Stmt::If(c, t, f) => {
                let c = self.expr(c);
                if s {
                    self.line(ind, &format!("(if {c}"));
                    self.line(ind + 1, "(begin");
                    self.scheme_body(t, ind + 2);
                    self.line(ind + 2, ")");
                    self.line(ind + 1, "(begin");
                    self.scheme_body(f, ind + 2);
                    self.line(ind + 2, "))");
                } else {
                    self.line(ind, &format!("if {c} {{"));
                    self.block(t, ind + 1);
                    if f.is_empty() {
                        self.line(ind, "}");
                    } else {
                        self.line(ind, "} else {");
                        self.block(f, ind + 1);
                        self.line(ind, "}");
                    }
                }
            }
            Stmt::Loop(l) => self.print_loop(l, ind),
            Stmt::ArrSet(a, i, v, safe) => {
                let Some(name) = self.find_var(Ty::Arr, *a, false) else {
                    return;
                };
                let mut i = self.expr(i);
                if *safe {
                    i = self.safe_index(&i, &name, false);
                }
                let v = self.expr(v);
                if s {
                    self.line(ind, &format!("(vector-set! {name} {i} {v})"));
                } else {
                    self.line(ind, &format!("{name}[{i}] := {v}"));
                }
            }
            Stmt::Push(a, v) => {
                let Some(name) = self.find_var(Ty::Arr, *a, true) else {
                    return;
                };
                let v = self.expr(v);
                if s {
                    self.line(
                        ind,
                        &format!(
                            "(when (< (vector-length {name}) 64) (set! {name} (vector-append {name} (vector {v}))))"
                        ),
                    );
                } else {
                    self.line(ind, &format!("if len({name}) < 64 {{"));
                    self.line(ind + 1, &format!("push({name}, {v})"));
                    self.line(ind, "}");
                }
            }
            Stmt::Try(body, h) => self.print_try(body, h, ind),
            Stmt::Throw(e, style) => {
                let v = self.expr(e);
                let text = match (s, style) {
                    (true, 0) => format!("(error \"thrown\" {v})"),
                    (true, _) => format!("(raise {v})"),
                    (false, 0) => format!("throw(\"thrown \" + to_string({v}))"),
                    (false, _) => format!("throw({v})"),
                };
                self.line(ind, &text);
            }
            Stmt::Break | Stmt::Continue => {
                let Some(l) = self.loops.last() else { return };
                let brk = matches!(st, Stmt::Break);
                let text = match (s, brk) {
                    (true, true) => format!("(brk{} #f)", l.id),
                    (true, false) => format!("(cnt{} #f)", l.id),
                    (false, true) => "break".into(),
                    (false, false) => "continue".into(),
                };
                self.line(ind, &text);
            }
            Stmt::Return(e) => {
                let Some(f) = &self.func else { return };
                let e = if f.ret == Ty::Int {
                    e.clone()
                } else {
                    f.ret_expr.clone()
                };
                let v = self.expr(&e);
                if s {
                    self.line(ind, &format!("(rt {v})"));
                } else {
                    self.line(ind, &format!("return {v}"));
                }
            }
            Stmt::Call(e) => {
                if let Expr::Call(ret, slot, args, short) = e {
                    if let Some(text) = self.call(*ret, *slot, args, *short) {
                        self.line(ind, &text);
                    }
                }
            }
            Stmt::AtIter(at, body) => {
                let Some(l) = self
                    .loops
                    .iter()
                    .rev()
                    .find(|l| l.counter.is_some() && l.bound > 0)
                else {
                    return;
                };
                let counter = l.counter.clone().unwrap_or_default();
                let k = u64::from(*at) % l.bound;
                if s {
                    self.line(ind, &format!("(when (= {counter} {k})"));
                    self.scheme_body(body, ind + 1);
                    self.line(ind + 1, ")");
                } else {
                    self.line(ind, &format!("if {counter} == {k} {{"));
                    self.block(body, ind + 1);
                    self.line(ind, "}");
                }
            }
            Stmt::Checksum(e) => {
                let v = self.expr(e);
                self.checksum(ind, &v);
            }
            Stmt::Capture(e) => {
                let saved = std::mem::take(&mut self.callables);
                let v = self.expr(e);
                self.callables = saved;
                if s {
                    self.line(
                        ind,
                        &format!("(when (< (length gk) 40) (set! gk (cons (lambda () {v}) gk)))"),
                    );
                } else {
                    self.line(ind, "if len(gk) < 40 {");
                    self.line(ind + 1, "push(gk, func() {");
                    self.line(ind + 2, &format!("return {v}"));
                    self.line(ind + 1, "})");
                    self.line(ind, "}");
                }
            }
            Stmt::Rebind(a, b) => {
                let globals: Vec<usize> = (0..self.callables.len())
                    .filter(|&i| self.callables[i].rebindable)
                    .collect();
                if globals.is_empty() {
                    return;
                }
                let src = globals[*a as usize % globals.len()];
                let c = &self.callables[src];
                let targets: Vec<usize> = globals
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let t = &self.callables[i];
                        i < src
                            && t.params == c.params
                            && t.ret == c.ret
                            && t.cost <= c.cost * 2 + 10
                    })
                    .collect();
                if targets.is_empty() {
                    return;
                }
                let tgt = &self.callables[targets[*b as usize % targets.len()]].name;
                let text = self.assign_str(&self.callables[src].name, tgt);
                self.line(ind, &text);
            }
            Stmt::Drive(n, args) => {
                let depth = self.drive_depth(*n);
                let text = self.call_depth(*n, depth, args, false);
                if self.callables[*n].ret == Ty::Int {
                    self.checksum(ind, &text);
                } else {
                    let text = self.assign_str("gd1", &text);
                    self.line(ind, &text);
                }
            }
        }
    }

    fn print_try(&mut self, body: &[Stmt], h: &Handler, ind: usize) {
        let id = self.id();
        let s = self.scheme();
        if s {
            self.line(ind, &format!("(guard (e{id}"));
            self.line(ind + 1, "(#t");
            self.line(ind + 2, "(set! errs (+ errs 1))");
            self.line(
                ind + 2,
                &format!("(when (< errs 20) (pr \"caught\" (err-msg e{id})))"),
            );
        } else {
            self.line(ind, "try {");
            self.block(body, ind + 1);
            self.line(ind, &format!("}} except e{id} {{"));
            self.line(ind + 1, "errs += 1");
            self.line(ind + 1, "if errs < 20 {");
            let what = match h.report {
                0 => format!("e{id}.message"),
                1 => format!("e{id}.message, e{id}.line"),
                _ => format!("e{id}.message, e{id}.line, e{id}.stack"),
            };
            self.line(ind + 2, &format!("print(\"caught\", {what})"));
            self.line(ind + 1, "}");
        }
        let inner = if s { ind + 2 } else { ind + 1 };
        if let Some((n, e)) = &h.assign {
            if let Some(name) = self.find_var(Ty::Int, *n, true) {
                let v = self.expr(e);
                let text = self.assign_str(&name, &v);
                self.line(inner, &text);
            }
        }
        if h.rethrow {
            if s {
                self.line(inner, &format!("(raise e{id})"));
            } else {
                self.line(inner, &format!("throw(e{id})"));
            }
        }
        if s {
            self.line(inner, "#f)");
            self.line(ind + 1, ")");
            self.scheme_body(body, ind + 1);
            self.line(ind + 1, ")");
        } else {
            self.line(ind, "}");
        }
    }

    fn print_loop(&mut self, l: &Loop, ind: usize) {
        let id = self.id();
        let s = self.scheme();
        let allowed = (self.iter_limit / self.mult.max(1)).max(1);
        let mut bound = u64::from(l.bound).min(allowed);
        let forms = 6;
        let mut kind = l.kind % forms;
        // Iterating over an array runs up to 64 times (pushes stop there).
        let arr = self.find_var(Ty::Arr, l.kind / forms, false);
        if kind == 4 && (allowed < 64 || arr.is_none()) {
            kind = 0;
        }
        let counted = kind != 4;
        if !counted {
            bound = 64;
        }
        let (brk, cnt) = jumps(&l.body);
        let counter = format!("i{id}");
        let top = self.func.is_none() && self.mult == 1;
        let probe_every = if top && counted && bound >= 20 {
            bound / 4
        } else {
            0
        };

        // The body, with the scope and multiplier it runs with.
        let saved_mult = self.mult;
        let saved_hot = self.hot;
        let spent_before = self.spent;
        self.mult = self.mult.saturating_mul(bound.max(1));
        self.hot = self.hot || self.mult > 20;
        let nvars = self.vars.len();
        if counted {
            self.push_var(&counter, Ty::Int, false);
        } else {
            self.push_var(&format!("el{id}"), Ty::Int, false);
        }
        if l.acc.is_some() {
            self.push_var(&format!("acc{id}"), Ty::Int, false);
        }
        self.loops.push(LoopCx {
            id,
            counter: counted.then(|| counter.clone()),
            bound,
        });
        let body_ind = ind + 2;
        let mut body = self.capture(|p| {
            if s && cnt {
                // A continuation per iteration.
                p.charge(8);
            }
            if probe_every > 0 {
                let mut args = vec![format!("\"p{id}\""), counter.clone()];
                args.extend(l.probes.iter().map(|x| p.expr(x)));
                let call = p.call_str(if s { "pr" } else { "print" }, &args);
                if s {
                    p.line(
                        body_ind,
                        &format!("(when (= (remainder {counter} {probe_every}) 0) {call})"),
                    );
                } else {
                    p.line(body_ind, &format!("if {counter} % {probe_every} == 0 {{"));
                    p.line(body_ind + 1, &call);
                    p.line(body_ind, "}");
                }
            }
            p.block(&l.body, body_ind);
        });
        let acc_update = l.acc.as_ref().map(|e| {
            let v = self.expr(e);
            if s {
                format!("(remainder (+ acc{id} {v}) {WRAP})")
            } else {
                format!("acc{id} := (acc{id} + {v}) % {WRAP}")
            }
        });
        self.loops.pop();
        self.vars.truncate(nvars);
        self.mult = saved_mult;
        self.hot = saved_hot;
        // Fewer iterations when the body turned out costly.
        let per_iter =
            (self.spent - spent_before) / saved_mult.max(1).saturating_mul(bound.max(1)).max(1);
        let remaining = self.budget.saturating_sub(spent_before);
        if self.spent > self.budget && counted {
            bound = (remaining / saved_mult.max(1).saturating_mul(per_iter.max(1))).min(bound);
        }
        self.spent = spent_before + saved_mult * bound * per_iter.max(1);

        if s {
            self.scheme_loop(ind, id, kind, bound, &arr, &mut body, acc_update, brk, cnt);
        } else {
            self.ruff_loop(
                ind,
                id,
                kind,
                bound,
                &arr,
                &body,
                acc_update,
                l.acc.is_some(),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ruff_loop(
        &mut self,
        ind: usize,
        id: u32,
        kind: u8,
        bound: u64,
        arr: &Option<String>,
        body: &str,
        acc_update: Option<String>,
        has_acc: bool,
    ) {
        let i = format!("i{id}");
        if has_acc {
            self.line(ind, &format!("acc{id} := 0"));
        }
        match kind {
            0 => {
                self.line(ind, &format!("{i} := 0"));
                self.line(ind, &format!("while {i} < {bound} {{"));
                self.line(ind + 1, &format!("{i} += 1"));
            }
            1 => self.line(ind, &format!("for {i} in range({bound}) {{")),
            2 => self.line(ind, &format!("for {i} in {bound} {{")),
            3 => {
                self.line(ind, &format!("{i} := 0"));
                self.line(ind, "loop {");
                self.line(ind + 1, &format!("if {i} >= {bound} {{"));
                self.line(ind + 2, "break");
                self.line(ind + 1, "}");
                self.line(ind + 1, &format!("{i} += 1"));
            }
            4 => {
                let a = arr.clone().unwrap_or_default();
                self.line(ind, &format!("for el{id} in {a} {{"));
            }
            _ => self.line(ind, &format!("for {i} in range(0, {}, 2) {{", bound * 2)),
        }
        // The body was printed two levels in; Ruff blocks need one.
        for l in body.lines() {
            self.out.push_str(l.strip_prefix("  ").unwrap_or(l));
            self.out.push('\n');
        }
        if let Some(u) = acc_update {
            self.line(ind + 1, &u);
        }
        self.line(ind, "}");
        if has_acc {
            self.line(ind, &format!("chk := (chk + acc{id}) % 1000000007"));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn scheme_loop(
        &mut self,
        ind: usize,
        id: u32,
        kind: u8,
        bound: u64,
        arr: &Option<String>,
        body: &mut String,
        acc_update: Option<String>,
        brk: bool,
        cnt: bool,
    ) {
        let i = format!("i{id}");
        let b = ind + 2;
        let pad = "  ".repeat(b);
        if cnt {
            *body = format!("{pad}(call/cc (lambda (cnt{id})\n{body}{pad}  #f))\n");
        }
        let has_acc = acc_update.is_some();
        // Kind 5 carries the accumulator as a loop variable; the others keep it in a `let`.
        let acc_set = match (&acc_update, kind) {
            (Some(u), k) if k != 5 => format!("{pad}(set! acc{id} {u})\n"),
            _ => String::new(),
        };
        let mut ind = ind;
        if brk {
            self.line(ind, &format!("(call/cc (lambda (brk{id})"));
            ind += 1;
        }
        if has_acc && kind != 5 {
            self.line(ind, &format!("(let ((acc{id} 0))"));
            ind += 1;
        }
        // Re-indent the body to this depth.
        let body_text = format!("{body}{acc_set}");
        let body_ind = ind + 2;
        let body_text: String = body_text
            .lines()
            .map(|l| {
                let t = l.strip_prefix(&pad).unwrap_or(l);
                format!("{}{t}\n", "  ".repeat(body_ind))
            })
            .collect();
        let body_or_false = if body_text.trim().is_empty() {
            format!("{}#f\n", "  ".repeat(body_ind))
        } else {
            body_text.clone()
        };
        match kind {
            0 => {
                self.line(ind, &format!("(let lp{id} (({i} 0))"));
                self.line(ind + 1, &format!("(when (< {i} {bound})"));
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (+ {i} 1))))"));
            }
            1 => {
                self.line(ind, &format!("(do (({i} 0 (+ {i} 1)))"));
                self.line(ind + 1, &format!("((>= {i} {bound}))"));
                self.out.push_str(&body_text);
                self.line(ind + 1, ")");
            }
            2 => {
                self.line(ind, &format!("(letrec ((lp{id} (lambda ({i})"));
                self.line(ind + 1, &format!("(if (< {i} {bound})"));
                self.line(ind + 1, "(begin");
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (+ {i} 1)))))))"));
                self.line(ind + 1, &format!("(lp{id} 0))"));
            }
            3 => {
                self.line(ind, &format!("(let lp{id} (({i} {bound}))"));
                self.line(ind + 1, &format!("(cond ((> {i} 0)"));
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (- {i} 1)))))"));
            }
            4 => {
                let a = arr.clone().unwrap_or_default();
                self.line(ind, &format!("(vector-for-each (lambda (el{id})"));
                self.out.push_str(&body_or_false);
                self.line(ind + 1, &format!(") {a})"));
            }
            _ => {
                let step = acc_update.clone().unwrap_or_else(|| format!("acc{id}"));
                self.line(ind, &format!("(let lp{id} (({i} 0) (acc{id} 0))"));
                self.line(ind + 1, &format!("(if (< {i} {bound})"));
                self.line(ind + 1, "(begin");
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (+ {i} 1) {step}))"));
                self.line(
                    ind + 1,
                    &format!("(set! chk (remainder (+ chk acc{id}) 1000000007))))"),
                );
            }
        }
        if has_acc && kind != 5 {
            ind -= 1;
            self.line(
                ind + 1,
                &format!("(set! chk (remainder (+ chk acc{id}) 1000000007)))"),
            );
        }
        if brk {
            ind -= 1;
            self.line(ind + 1, "))");
        }
    }

    // ----- functions -----

    /// Print functions' bodies with their own budget and scope; restore afterwards.
    fn in_function<R>(
        &mut self,
        budget: u64,
        func: Option<FnCx>,
        f: impl FnOnce(&mut Self) -> R,
    ) -> (R, u64) {
        let saved = (
            self.mult,
            self.spent,
            self.budget,
            self.iter_limit,
            self.hot,
            self.vars.len(),
        );
        let saved_func = std::mem::replace(&mut self.func, func);
        self.mult = 1;
        self.spent = 0;
        self.budget = budget;
        self.iter_limit = FN_ITERS;
        self.hot = true;
        let r = f(self);
        let cost = self.spent.max(1);
        self.func = saved_func;
        (
            self.mult,
            self.spent,
            self.budget,
            self.iter_limit,
            self.hot,
        ) = (saved.0, saved.1, saved.2, saved.3, saved.4);
        self.vars.truncate(saved.5);
        (r, cost)
    }

    fn print_func(&mut self, k: usize, f: &Func) {
        let s = self.scheme();
        match f {
            Func::Plain {
                params,
                ret,
                locals,
                closures,
                body,
                ret_expr,
            } => {
                let name = format!("f{k}");
                let pnames: Vec<String> = (0..params.len()).map(|i| format!("p{i}")).collect();
                let has_return = returns(body);
                let fcx = FnCx {
                    ret: *ret,
                    ret_expr: ret_expr.clone(),
                };
                let nclosures = self.callables.len();
                let (text, cost) = self.in_function(FN_BUDGET, Some(fcx), |p| {
                    p.capture(|p| {
                        for (pn, &t) in pnames.iter().zip(params) {
                            p.push_var(pn, t, true);
                        }
                        if s {
                            p.line(
                                0,
                                &format!(
                                    "(define ({name}{})",
                                    pnames.iter().map(|x| format!(" {x}")).collect::<String>()
                                ),
                            );
                        } else {
                            p.line(0, &format!("func {name}({}) {{", pnames.join(", ")));
                        }
                        let mut ind = 1;
                        if s && has_return {
                            p.line(ind, "(call/cc (lambda (rt)");
                            ind += 1;
                        }
                        let mut binds = Vec::new();
                        for (li, (t, init)) in locals.iter().enumerate() {
                            let v = p.expr(init);
                            let lname = format!("l{li}");
                            if s {
                                binds.push(format!("({lname} {v})"));
                            } else {
                                p.line(ind, &format!("{lname} := {v}"));
                            }
                            p.push_var(&lname, *t, true);
                        }
                        for (ci, upd) in closures.iter().enumerate() {
                            let cname = format!("k{ci}");
                            let nv = p.vars.len();
                            p.push_var("v", Ty::Int, false);
                            let saved_callables = std::mem::take(&mut p.callables);
                            let spent = p.spent;
                            let u = p.expr(upd);
                            let u = p.rem(&u, WRAP);
                            let ccost = p.spent - spent + 2;
                            p.callables = saved_callables;
                            p.vars.truncate(nv);
                            if s {
                                binds.push(format!("({cname} (lambda (v) (set! l0 {u}) l0))"));
                            } else {
                                p.line(ind, &format!("{cname} := func(v) {{"));
                                p.line(ind + 1, &format!("l0 := {u}"));
                                p.line(ind + 1, "return l0");
                                p.line(ind, "}");
                            }
                            p.callables.push(Callable {
                                name: cname,
                                params: vec![Ty::Int],
                                ret: Ty::Int,
                                kind: CallKind::Plain,
                                cost: ccost,
                                rebindable: false,
                            });
                        }
                        if s {
                            p.line(ind, &format!("(let* ({})", binds.join(" ")));
                            ind += 1;
                        }
                        p.block(body, ind);
                        let r = p.expr(ret_expr);
                        if s {
                            let closing = if has_return { "))))" } else { "))" };
                            p.line(ind, &format!("{r}{closing}"));
                        } else {
                            p.line(ind, &format!("return {r}"));
                            p.line(0, "}");
                        }
                    })
                });
                self.callables.truncate(nclosures);
                self.out.push_str(&text);
                self.callables.push(Callable {
                    name,
                    params: params.clone(),
                    ret: *ret,
                    kind: CallKind::Plain,
                    cost: cost + 2,
                    rebindable: true,
                });
            }
            Func::Rec {
                base,
                step,
                other,
                op,
                tree,
            } => {
                let name = format!("r{k}");
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    let saved_callables = std::mem::take(&mut p.callables);
                    p.push_var("n", Ty::Int, false);
                    p.push_var("x", Ty::Int, true);
                    let base = p.expr(base);
                    let step = p.expr(step);
                    let other = p.expr(other);
                    p.callables = saved_callables;
                    let n1 = p.bin("-", "n", "1");
                    let first = p.call_str(&name, &[n1, step]);
                    let second = if *tree {
                        let n2 = p.bin("-", "n", "2");
                        p.call_str(&name, &[n2, "x".to_string()])
                    } else {
                        other
                    };
                    let comb = p.binop(*op, K::Int, &first, &second);
                    if s {
                        format!("(define ({name} n x)\n  (if (<= n 0)\n    {base}\n    {comb}))\n")
                    } else {
                        format!("func {name}(n, x) {{\n  if n <= 0 {{\n    return {base}\n  }}\n  return {comb}\n}}\n")
                    }
                });
                self.out.push_str(&text);
                let max = if *tree { MAX_TREE_DEPTH } else { MAX_REC_DEPTH };
                self.callables.push(Callable {
                    name,
                    params: vec![Ty::Int, Ty::Int],
                    ret: Ty::Int,
                    kind: CallKind::Depth { max, tree: *tree },
                    cost: cost + 3,
                    rebindable: false,
                });
            }
            Func::Tail { body, upd } => {
                let name = format!("t{k}");
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    p.push_var("n", Ty::Int, false);
                    p.push_var("acc", Ty::Int, false);
                    p.capture(|p| {
                        let u = p.expr(upd);
                        let u = p.rem(&u, WRAP);
                        let n1 = p.bin("-", "n", "1");
                        let tail = p.call_str(&name, &[n1, u]);
                        if s {
                            p.line(0, &format!("(define ({name} n acc)"));
                            p.line(1, "(if (<= n 0)");
                            p.line(2, "acc");
                            p.line(2, "(begin");
                            p.block(body, 3);
                            p.line(3, &format!("{tail})))"));
                        } else {
                            p.line(0, &format!("func {name}(n, acc) {{"));
                            p.line(1, "if n <= 0 {");
                            p.line(2, "return acc");
                            p.line(1, "}");
                            p.block(body, 1);
                            p.line(1, &format!("return {tail}"));
                            p.line(0, "}");
                        }
                    })
                });
                self.out.push_str(&text);
                self.callables.push(Callable {
                    name,
                    params: vec![Ty::Int, Ty::Int],
                    ret: Ty::Int,
                    kind: CallKind::Depth {
                        max: MAX_TAIL_DEPTH,
                        tree: false,
                    },
                    cost: cost + 3,
                    rebindable: false,
                });
            }
            Func::Mutual { upd_a, upd_b } => {
                let (a, b) = (format!("ma{k}"), format!("mb{k}"));
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    let saved_callables = std::mem::take(&mut p.callables);
                    p.push_var("n", Ty::Int, false);
                    p.push_var("acc", Ty::Int, false);
                    let mut text = String::new();
                    for (me, other, upd, base) in [(&a, &b, upd_a, "acc"), (&b, &a, upd_b, "(acc + 1)")] {
                        let u = p.expr(upd);
                        let u = p.rem(&u, WRAP);
                        let n1 = p.bin("-", "n", "1");
                        let tail = p.call_str(other, &[n1, u]);
                        if s {
                            let base = if base == "acc" { "acc" } else { "(+ acc 1)" };
                            let _ = writeln!(text, "(define ({me} n acc)\n  (if (<= n 0)\n    {base}\n    {tail}))");
                        } else {
                            let _ = writeln!(
                                text,
                                "func {me}(n, acc) {{\n  if n <= 0 {{\n    return {base}\n  }}\n  return {tail}\n}}"
                            );
                        }
                    }
                    p.callables = saved_callables;
                    text
                });
                self.out.push_str(&text);
                self.callables.push(Callable {
                    name: a,
                    params: vec![Ty::Int, Ty::Int],
                    ret: Ty::Int,
                    kind: CallKind::Depth {
                        max: MAX_TAIL_DEPTH,
                        tree: false,
                    },
                    cost: cost / 2 + 3,
                    rebindable: false,
                });
            }
            Func::Factory { upd, inits } => {
                let name = format!("mk{k}");
                let c = format!("c{k}");
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    let saved_callables = std::mem::take(&mut p.callables);
                    p.push_var("start", Ty::Int, false);
                    p.push_var(&c, Ty::Int, true);
                    p.push_var("v", Ty::Int, false);
                    let u = p.expr(upd);
                    let u = p.rem(&u, WRAP);
                    p.callables = saved_callables;
                    if s {
                        format!("(define ({name} start)\n  (let (({c} start))\n    (lambda (v) (set! {c} {u}) {c})))\n")
                    } else {
                        format!(
                            "func {name}(start) {{\n  {c} := start\n  return func(v) {{\n    {c} := {u}\n    return {c}\n  }}\n}}\n"
                        )
                    }
                });
                self.out.push_str(&text);
                for (j, init) in [inits.0, inits.1].into_iter().enumerate() {
                    let inst = format!("cl{k}_{j}");
                    let init = self.int(init);
                    let text = if s {
                        format!("(define {inst} ({name} {init}))")
                    } else {
                        format!("{inst} := {name}({init})")
                    };
                    self.line(0, &text);
                    self.callables.push(Callable {
                        name: inst,
                        params: vec![Ty::Int],
                        ret: Ty::Int,
                        kind: CallKind::Plain,
                        cost: cost + 2,
                        rebindable: true,
                    });
                }
            }
        }
    }

    fn program(mut self, p: &Program) -> String {
        let s = self.scheme();
        if s {
            self.out.push_str(
                "(import (scheme base) (scheme write))\n\
                 (define (pr . xs)\n  (let lp ((xs xs) (first #t))\n    (if (pair? xs)\n        \
                 (begin (if (not first) (display \" \")) (display (car xs)) (lp (cdr xs) #f))\n        \
                 (newline))))\n\
                 (define (err-msg e)\n  (if (error-object? e) (cons (error-object-message e) (error-object-irritants e)) e))\n",
            );
        }
        for name in ["chk", "errs", "pc"] {
            let text = if s {
                format!("(define {name} 0)")
            } else {
                format!("{name} := 0")
            };
            self.line(0, &text);
        }
        self.line(0, if s { "(define gk '())" } else { "gk := []" });
        if !s {
            self.out.push_str(
                "func imin(a, b) {\n  if a < b {\n    return a\n  }\n  return b\n}\n\
                 func imax(a, b) {\n  if a > b {\n    return a\n  }\n  return b\n}\n\
                 func iabs(a) {\n  if a < 0 {\n    return -a\n  }\n  return a\n}\n",
            );
        }
        for (&(ty, name), init) in GLOBALS.iter().zip(&p.globals) {
            let v = self.expr(init);
            let text = if s {
                format!("(define {name} {v})")
            } else {
                format!("{name} := {v}")
            };
            self.line(0, &text);
            self.push_var(name, ty, true);
        }
        for (k, f) in p.funcs.iter().enumerate() {
            self.print_func(k, f);
        }
        self.spent = 0;
        if let Some(d) = &p.driver {
            // The driver has a budget of its own: enough for all the calls at its bound,
            // with some to spare for calls in the arguments.
            let per_iter: u64 = (0..self.callables.len())
                .map(|i| self.call_cost(i, self.drive_depth(i)) + 4)
                .sum();
            let bound = (DRIVER_BUDGET / per_iter.max(1)).min(u64::from(d.bound));
            self.budget = per_iter * bound * 5 / 4;
            let body: Vec<Stmt> = (0..self.callables.len())
                .map(|i| Stmt::Drive(i, d.args.clone()))
                .collect();
            let body = match &d.handler {
                Some(h) => vec![Stmt::Try(body, h.clone())],
                None => body,
            };
            if !body.is_empty() {
                let l = Loop {
                    kind: d.kind,
                    bound: u16::try_from(bound).unwrap_or(u16::MAX),
                    body,
                    probes: vec![Expr::Var(Ty::Dyn, 0)],
                    acc: None,
                };
                self.print_loop(&l, 0);
            }
        }
        let driver_cost = self.spent;
        self.spent = 0;
        self.budget = MAIN_BUDGET;
        self.block(&p.main, 0);
        let cost = self.spent + driver_cost;
        // Call the closures kept by `Capture`, oldest first.
        if s {
            self.out.push_str(
                "(for-each\n  (lambda (kf)\n    (guard (ek (#t (set! errs (+ errs 1))))\n      \
                 (set! chk (remainder (+ (* chk 31) (remainder (kf) 1000003)) 1000000007))))\n  (reverse gk))\n",
            );
        } else {
            self.out.push_str(
                "for kf in gk {\n  try {\n    chk := (chk * 31 + kf() % 1000003) % 1000000007\n  \
                 } except ek {\n    errs += 1\n  }\n}\n",
            );
        }
        let mut args = vec!["\"end\"".to_string(), "chk".into(), "errs".into()];
        args.extend(GLOBALS.iter().map(|&(_, n)| n.to_string()));
        let call = self.call_str(if s { "pr" } else { "print" }, &args);
        self.line(0, &call);
        let comment = if s { ";" } else { "//" };
        self.line(0, &format!("{comment} estimated cost {cost}"));
        self.out
    }
}

/// Whether `stmts` break or continue the loop they are in (not loops nested in them).
fn jumps(stmts: &[Stmt]) -> (bool, bool) {
    let mut r = (false, false);
    for s in stmts {
        let (b, c) = match s {
            Stmt::Break => (true, false),
            Stmt::Continue => (false, true),
            Stmt::If(_, t, f) => {
                let (a, b) = (jumps(t), jumps(f));
                (a.0 || b.0, a.1 || b.1)
            }
            Stmt::Try(body, _) | Stmt::AtIter(_, body) => jumps(body),
            _ => (false, false),
        };
        r = (r.0 || b, r.1 || c);
    }
    r
}

/// Whether `stmts` contain a `return` anywhere.
fn returns(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Return(_) => true,
        Stmt::If(_, t, f) => returns(t) || returns(f),
        Stmt::Try(body, _) | Stmt::AtIter(_, body) => returns(body),
        Stmt::Loop(l) => returns(&l.body),
        _ => false,
    })
}

fn source(p: &Program, lang: Lang) -> String {
    Printer::new(lang).program(p)
}

// =====================================================================================
// Reducing a failing program further
// =====================================================================================
//
// Proptest shrinks a tuple's parts one after the other, each as far as it goes, and its
// iteration budget runs out deep in the first part. So after it, a plain delta-debugging
// pass over the tree removes what the failure does not need: the driver, whole functions,
// statements anywhere, wrappers (an `if`, loop or `try` replaced by its body), loop
// iterations, and sub-expressions (replaced by a same-typed child or a literal).

/// The type an expression has (as the generator gave it).
fn ty_of(e: &Expr) -> Ty {
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
fn reduce(mut p: Program, fails: &dyn Fn(&Program) -> bool, deadline: Instant) -> Program {
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

// =====================================================================================
// Running and comparing
// =====================================================================================

/// Generous: a program takes milliseconds, but the machine may be loaded.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The exit code of an internal error (a panic in tandem).
const INTERNAL_ERROR: i32 = 70;
/// The exit code of a syntax or compile error.
const SYNTAX_ERROR: i32 = 3;
const MODES: [&str; 2] = ["--jit=off", "--jit=always"];

#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

/// `common::wait_timeout`, polling more often: runs take milliseconds, and a coarse poll
/// would leave the cores idle between them.
fn wait_quickly(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn run_mode(file: &Path, mode: &str) -> (Outcome, Duration) {
    let start = Instant::now();
    let mut child = command(&["run", mode])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tandem");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let status = wait_quickly(&mut child, TIMEOUT);
    let o = Outcome {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
        timed_out: status.is_none(),
    };
    (o, start.elapsed())
}

/// At most `max` characters of `s`, centred on byte `at` when it is long.
fn excerpt(s: &str, at: usize, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut start = at.saturating_sub(max / 2).min(s.len() - max);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + max).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "[... {start} bytes before ...]\n{}\n[... {} bytes after ...]",
        &s[start..end],
        s.len() - end
    )
}

fn first_difference(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

fn describe(o: &Outcome, at_out: usize, at_err: usize) -> String {
    format!(
        "exit: {}\n--- stdout ({} bytes)\n{}\n--- stderr ({} bytes)\n{}",
        if o.timed_out {
            format!("timed out after {TIMEOUT:?}")
        } else {
            match o.code {
                Some(c) => c.to_string(),
                None => "killed by a signal".into(),
            }
        },
        o.stdout.len(),
        excerpt(&o.stdout, at_out, 3000),
        o.stderr.len(),
        excerpt(&o.stderr, at_err, 2000),
    )
}

/// What is wrong with the two runs of one program, if anything.
fn judge(off: &Outcome, jit: &Outcome) -> Option<String> {
    let mut problems = Vec::new();
    for (mode, o) in MODES.iter().zip([off, jit]) {
        if o.timed_out {
            problems.push(format!("{mode} timed out"));
        } else if o.code.is_none() {
            problems.push(format!("{mode} was killed by a signal (a crash)"));
        } else if o.code == Some(INTERNAL_ERROR) {
            problems.push(format!(
                "{mode} ended in an internal error (exit {INTERNAL_ERROR})"
            ));
        }
    }
    if off.code != jit.code || off.timed_out != jit.timed_out {
        problems.push(format!(
            "exit status differs: {:?} vs {:?}",
            off.code, jit.code
        ));
    }
    if off.stdout != jit.stdout {
        problems.push(format!(
            "stdout differs from byte {}",
            first_difference(&off.stdout, &jit.stdout)
        ));
    }
    if off.stderr != jit.stderr {
        problems.push(format!(
            "stderr differs from byte {}",
            first_difference(&off.stderr, &jit.stderr)
        ));
    }
    if problems.is_empty() {
        return None;
    }
    let at_out = first_difference(&off.stdout, &jit.stdout);
    let at_err = first_difference(&off.stderr, &jit.stderr);
    Some(format!(
        "{}\n\n===== {} =====\n{}\n\n===== {} =====\n{}",
        problems.join("; "),
        MODES[0],
        describe(off, at_out, at_err),
        MODES[1],
        describe(jit, at_out, at_err),
    ))
}

/// One program run in both modes: the failure, if any, and the `--jit=off` outcome.
fn check_program(src: &str, file: &Path) -> (Option<String>, Outcome, Duration) {
    std::fs::write(file, src).expect("write program");
    let (off, t_off) = run_mode(file, MODES[0]);
    let (jit, t_jit) = run_mode(file, MODES[1]);
    (judge(&off, &jit), off, t_off + t_jit)
}

// =====================================================================================
// The driver
// =====================================================================================

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random generator of case `index` of `lang` under `seed`.
fn case_rng(seed: u64, lang: Lang, index: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    let mut z = seed
        ^ splitmix(index)
        ^ if lang == Lang::Ruff {
            0
        } else {
            0x5EED_5C4E_3E00_0000
        };
    for chunk in bytes.chunks_mut(8) {
        z = splitmix(z);
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// One case per runner; on a failure, at most `shrink_iters` shrinking steps (a minute at
/// most).
fn runner_config(shrink_iters: u32) -> Config {
    Config {
        cases: 1,
        failure_persistence: None,
        max_shrink_iters: shrink_iters,
        max_shrink_time: 60_000,
        ..Config::default()
    }
}

#[derive(Default)]
struct Stats {
    cases: u64,
    syntax_errors: u64,
    runtime_errors: u64,
    clean: u64,
    other_exits: u64,
    run_time: Duration,
    slowest: Duration,
    /// The report of each failing case, and the file its shrunk program was written to.
    failures: Vec<(String, PathBuf)>,
}

/// Runs a program in both modes: the failure, if any, the `--jit=off` outcome and the time.
type Checker = fn(&str, &Path) -> (Option<String>, Outcome, Duration);

/// A run of cases `first..first + cases` of one dialect.
struct Campaign {
    lang: Lang,
    seed: u64,
    first: u64,
    cases: u64,
    threads: u64,
    /// Where to write every generated program, if anywhere.
    keep: Option<PathBuf>,
    check: Checker,
    /// Under the target directory's `tmp/`: where failing programs and reports go.
    failures_dir: &'static str,
    /// Stop starting cases after the first failure.
    stop_at_first: bool,
    /// Proptest's shrinking steps, then the time [`reduce`] may take.
    shrink_iters: u32,
    reduce_time: Duration,
}

impl Campaign {
    fn run(&self) -> Stats {
        let next = AtomicU64::new(0);
        let stats = Mutex::new(Stats::default());
        std::thread::scope(|scope| {
            for w in 0..self.threads.max(1) {
                let (next, stats) = (&next, &stats);
                scope.spawn(move || self.worker(w, next, stats));
            }
        });
        stats.into_inner().unwrap()
    }

    fn worker(&self, w: u64, next: &AtomicU64, stats: &Mutex<Stats>) {
        let lang = self.lang;
        let dir = temp_dir(&format!(
            "jit-diff-{}-{}-{w}",
            self.failures_dir,
            lang.name()
        ));
        let file = dir.join(format!("case.{}", lang.ext()));
        let strategy = program();
        loop {
            let n = next.fetch_add(1, Ordering::SeqCst);
            if n >= self.cases {
                break;
            }
            let index = self.first + n;
            let config = runner_config(self.shrink_iters);
            let mut runner = TestRunner::new_with_rng(config, case_rng(self.seed, lang, index));
            let first_run: RefCell<Option<(Outcome, Duration)>> = RefCell::new(None);
            let result = runner.run(&strategy, |prog| {
                let src = source(&prog, lang);
                let is_first = first_run.borrow().is_none();
                if let (Some(k), true) = (&self.keep, is_first) {
                    let _ = std::fs::write(k.join(format!("{index}.{}", lang.ext())), &src);
                }
                let (failure, off, time) = (self.check)(&src, &file);
                if is_first {
                    *first_run.borrow_mut() = Some((off, time));
                }
                match failure {
                    None => Ok(()),
                    Some(f) => Err(TestCaseError::fail(f)),
                }
            });
            let mut st = stats.lock().unwrap();
            st.cases += 1;
            if let Some((off, time)) = first_run.into_inner() {
                st.run_time += time;
                st.slowest = st.slowest.max(time);
                match off.code {
                    Some(0) => st.clean += 1,
                    Some(SYNTAX_ERROR) => st.syntax_errors += 1,
                    Some(4) => st.runtime_errors += 1,
                    _ => st.other_exits += 1,
                }
            }
            drop(st);
            let shrunk = match result {
                Ok(()) => continue,
                Err(TestError::Fail(_, prog)) => prog,
                Err(TestError::Abort(why)) => panic!("proptest aborted: {why}"),
            };
            if self.stop_at_first {
                next.store(self.cases, Ordering::SeqCst);
            }
            let failure = self.report(index, &shrunk, &file);
            stats.lock().unwrap().failures.push(failure);
        }
    }

    /// Run the shrunk program of case `index` once more, and write it and the report to the
    /// failures directory.
    fn report(&self, index: u64, shrunk: &Program, file: &Path) -> (String, PathBuf) {
        let lang = self.lang;
        let seed = self.seed;
        let fails = |p: &Program| (self.check)(&source(p, lang), file).0.is_some();
        let reduced = reduce(shrunk.clone(), &fails, Instant::now() + self.reduce_time);
        let src = source(&reduced, lang);
        let (why, _, _) = (self.check)(&src, file);
        let why = why.unwrap_or_else(|| "the shrunk program no longer fails (flaky?)".into());
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(self.failures_dir);
        let _ = std::fs::create_dir_all(&dir);
        let stem = format!("{}-{seed:x}-{index}", lang.name());
        let path = dir.join(format!("{stem}.{}", lang.ext()));
        let report = format!(
            "{} case {index} (rerun alone: TANDEM_DIFF_SEED={seed:#x} TANDEM_DIFF_FIRST={index} TANDEM_DIFF_CASES=1): \
             {why}\n\n===== shrunk program ({}) =====\n{src}",
            lang.name(),
            path.display()
        );
        let _ = std::fs::write(&path, &src);
        let _ = std::fs::write(dir.join(format!("{stem}.txt")), &report);
        (report, path)
    }
}

fn differential(lang: Lang) {
    let cases = env_u64("TANDEM_DIFF_CASES").unwrap_or(1000);
    let first = env_u64("TANDEM_DIFF_FIRST").unwrap_or(0);
    let seed = env_u64("TANDEM_DIFF_SEED").unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        splitmix(t ^ u64::from(std::process::id()))
    });
    let threads = env_u64("TANDEM_DIFF_THREADS").unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(2)
    });
    let keep = std::env::var_os("TANDEM_DIFF_KEEP").map(PathBuf::from);
    if let Some(k) = &keep {
        std::fs::create_dir_all(k).expect("TANDEM_DIFF_KEEP directory");
    }
    let reproduce =
        format!("TANDEM_DIFF_SEED={seed:#x} TANDEM_DIFF_FIRST={first} TANDEM_DIFF_CASES={cases}");
    eprintln!("jit_differential {}: {reproduce}", lang.name());
    let campaign = Campaign {
        lang,
        seed,
        first,
        cases,
        threads,
        keep,
        check: check_program,
        failures_dir: "jit-diff-failures",
        stop_at_first: false,
        shrink_iters: 1000,
        reduce_time: Duration::from_secs(120),
    };
    let start = Instant::now();
    let st = campaign.run();
    let wall = start.elapsed();
    let n = st.cases.max(1);
    eprintln!(
        "jit_differential {}: {} cases in {:.1} s ({threads} threads, {:.1} ms/case wall, {:.1} ms per pair of runs, slowest {:.0} ms); \
         exits: {} clean, {} runtime error, {} syntax error ({:.2}%), {} other; {} failure(s)",
        lang.name(),
        st.cases,
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0 / n as f64,
        st.run_time.as_secs_f64() * 1000.0 / n as f64,
        st.slowest.as_secs_f64() * 1000.0,
        st.clean,
        st.runtime_errors,
        st.syntax_errors,
        st.syntax_errors as f64 * 100.0 / n as f64,
        st.other_exits,
        st.failures.len(),
    );
    if !st.failures.is_empty() {
        let reports: Vec<&str> = st.failures.iter().map(|(r, _)| r.as_str()).collect();
        panic!(
            "{} of {} {} cases failed ({reproduce}):\n\n{}",
            st.failures.len(),
            st.cases,
            lang.name(),
            reports.join("\n\n====================================================\n\n")
        );
    }
}

#[test]
fn ruff_jit_matches_interpreter() {
    differential(Lang::Ruff);
}

#[test]
fn scheme_jit_matches_interpreter() {
    differential(Lang::Scheme);
}

// =====================================================================================
// Checks of the generator and the checker themselves
// =====================================================================================

/// `n` programs of the generator from a fixed seed.
fn sample_programs(lang: Lang, n: u64) -> Vec<String> {
    let strategy = program();
    (0..n)
        .map(|i| {
            let mut runner =
                TestRunner::new_with_rng(runner_config(0), case_rng(0x005A_3F1E, lang, i));
            let tree = strategy.new_tree(&mut runner).expect("generate");
            source(&tree.current(), lang)
        })
        .collect()
}

/// Run programs `srcs` under `--jit=off` on worker threads; their outcomes and run times.
fn run_all(lang: Lang, srcs: Vec<String>, tag: &str) -> Vec<(String, Outcome, Duration)> {
    let n = srcs.len();
    let queue = Arc::new(Mutex::new(srcs.into_iter().enumerate().collect::<Vec<_>>()));
    let results = Arc::new(Mutex::new(Vec::new()));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let workers: Vec<_> = (0..threads)
        .map(|w| {
            let queue = queue.clone();
            let results = results.clone();
            let tag = tag.to_string();
            std::thread::spawn(move || {
                let dir = temp_dir(&format!("jit-diff-{tag}-{}-{w}", lang.name()));
                let file = dir.join(format!("p.{}", lang.ext()));
                loop {
                    let Some((i, src)) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    std::fs::write(&file, &src).unwrap();
                    let (o, t) = run_mode(&file, MODES[0]);
                    results.lock().unwrap().push((i, src, o, t));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let mut r = std::mem::take(&mut *results.lock().unwrap());
    assert_eq!(r.len(), n);
    r.sort_by_key(|x| x.0);
    r.into_iter().map(|(_, s, o, t)| (s, o, t)).collect()
}

/// Whether output line `l` is a loop probe (`pN COUNTER ...`) whose counter is past 1000,
/// which shows a hot loop ran.
fn hot_probe(l: &str) -> bool {
    let mut w = l.split(' ');
    w.next()
        .is_some_and(|p| p.starts_with('p') && p[1..].parse::<u32>().is_ok())
        && w.next()
            .and_then(|c| c.parse::<u64>().ok())
            .is_some_and(|c| c >= 1000)
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole.max(1) as f64
}

/// Generated programs parse and compile, run quickly, and do what they are meant to: reach
/// hot loops, catch errors, end some runs in uncaught errors, and never name an undefined
/// variable.
fn generator_programs_are_valid(lang: Lang) {
    const N: usize = 300;
    let results = run_all(lang, sample_programs(lang, N as u64), "valid");
    let mut syntax = Vec::new();
    let mut bad = Vec::new();
    let (mut clean, mut uncaught, mut caught, mut hot) = (0, 0, 0, 0);
    let mut times: Vec<Duration> = Vec::new();
    for (src, o, t) in &results {
        times.push(*t);
        match o.code {
            Some(0) => clean += 1,
            Some(4) => uncaught += 1,
            Some(SYNTAX_ERROR) => syntax.push(format!("{}\n{src}", o.stderr)),
            _ => bad.push(format!(
                "exit {:?}, timed out: {}\n{}\n{src}",
                o.code, o.timed_out, o.stderr
            )),
        }
        let lower = o.stderr.to_lowercase();
        if lower.contains("undefined variable")
            || lower.contains("unbound")
            || lower.contains("not defined")
        {
            bad.push(format!("names an undefined variable:\n{}\n{src}", o.stderr));
        }
        if o.stdout.lines().any(|l| l.starts_with("caught")) {
            caught += 1;
        }
        if o.stdout.lines().any(hot_probe) {
            hot += 1;
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "{} generator: {N} programs: {:.1}% clean, {:.1}% uncaught runtime error, {:.1}% syntax error, \
         {:.1}% catch errors, {:.1}% reach a hot loop; run time median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        lang.name(),
        percent(clean, N),
        percent(uncaught, N),
        percent(syntax.len(), N),
        percent(caught, N),
        percent(hot, N),
        ms(times[N / 2]),
        ms(times[N * 95 / 100]),
        ms(times[N - 1]),
    );
    assert!(
        bad.is_empty(),
        "generated programs went wrong:\n\n{}",
        bad.join("\n\n")
    );
    assert!(
        percent(syntax.len(), N) < 1.0,
        "{} of {N} generated programs do not compile:\n\n{}",
        syntax.len(),
        syntax.join("\n\n")
    );
    assert!(
        percent(clean, N) >= 50.0,
        "only {clean} of {N} programs ran to the end"
    );
    assert!(
        percent(uncaught, N) >= 5.0,
        "only {uncaught} of {N} programs ended in an uncaught error"
    );
    assert!(
        percent(caught, N) >= 25.0,
        "only {caught} of {N} programs caught an error"
    );
    assert!(
        percent(hot, N) >= 40.0,
        "only {hot} of {N} programs reached a hot loop"
    );
    // Well under a second each; the margin is for a loaded machine.
    assert!(
        times[N - 1] < Duration::from_secs(3),
        "a program ran for {:?}",
        times[N - 1]
    );
    assert!(
        times[N * 95 / 100] < Duration::from_millis(500),
        "p95 run time {:?}",
        times[N * 95 / 100]
    );
}

#[test]
fn ruff_generator_programs_are_valid() {
    generator_programs_are_valid(Lang::Ruff);
}

#[test]
fn scheme_generator_programs_are_valid() {
    generator_programs_are_valid(Lang::Scheme);
}

/// Every feature the generator is meant to cover appears in a fair share of programs.
fn generator_covers_features(lang: Lang, features: &[(&str, &str, f64)]) {
    const N: usize = 400;
    let srcs = sample_programs(lang, N as u64);
    let mut missing = Vec::new();
    for &(what, needle, min_percent) in features {
        let n = srcs.iter().filter(|s| s.contains(needle)).count();
        if percent(n, N) < min_percent {
            missing.push(format!(
                "{what} ({needle:?}): in {:.1}% of programs, want {min_percent}%",
                percent(n, N)
            ));
        }
    }
    // A loop header: a line with a loop counter (`i12`) and a bound of 1000 or more.
    let hot = srcs
        .iter()
        .filter(|s| {
            s.lines().any(|l| {
                let words: Vec<&str> = l
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                words
                    .iter()
                    .any(|w| w.starts_with('i') && w[1..].parse::<u32>().is_ok())
                    && words
                        .iter()
                        .filter_map(|w| w.parse::<u64>().ok())
                        .any(|n| (1000..=5000).contains(&n))
            })
        })
        .count();
    if percent(hot, N) < 50.0 {
        missing.push(format!(
            "loops of 1000 or more iterations: in {:.1}% of programs",
            percent(hot, N)
        ));
    }
    // `f2 := f0`, `(set! cl1_0 cl0_1)`: a global function rebound while the program runs.
    let is_fn = |w: &str| {
        let w = w.trim_matches(|c| c == '(' || c == ')');
        (w.starts_with('f') && w[1..].parse::<u32>().is_ok())
            || (w.starts_with("cl") && w.contains('_'))
    };
    let rebinds = srcs
        .iter()
        .filter(|s| {
            s.lines().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                match w[..] {
                    [a, ":=", b] => is_fn(a) && is_fn(b),
                    ["(set!", a, b] => is_fn(a) && is_fn(b),
                    _ => false,
                }
            })
        })
        .count();
    eprintln!(
        "{}: {:.1}% of programs rebind a function",
        lang.name(),
        percent(rebinds, N)
    );
    if percent(rebinds, N) < 3.0 {
        missing.push(format!(
            "rebinding functions: in {:.1}% of programs",
            percent(rebinds, N)
        ));
    }
    assert!(
        missing.is_empty(),
        "{} generator lacks:\n{}",
        lang.name(),
        missing.join("\n")
    );
}

#[test]
fn ruff_generator_covers_features() {
    generator_covers_features(
        Lang::Ruff,
        &[
            ("while loops", "while i", 10.0),
            ("for-range loops", "in range(", 10.0),
            ("loop/break", "loop {", 10.0),
            ("for over an array", "for el", 3.0),
            ("break", "break\n", 20.0),
            ("continue", "continue\n", 10.0),
            ("try/except", "} except e", 50.0),
            ("throw", "throw(", 30.0),
            ("the error stack", ".stack)", 10.0),
            ("return from a loop or branch", "    return ", 20.0),
            ("self tail calls", "return t", 10.0),
            ("mutual tail calls", "return mb", 5.0),
            ("non-tail recursion", "func r", 5.0),
            ("closure factories", "return func(v)", 10.0),
            ("inner closures", ":= func(v)", 10.0),
            ("push", "push(", 20.0),
            ("index assignment", "] := ", 30.0),
            ("string concatenation", "\" + ", 10.0),
            ("to_int", "to_int(", 20.0),
            ("to_float", "to_float(", 20.0),
            ("i64::MAX", "9223372036854775807", 20.0),
            ("i64::MIN", "(-9223372036854775807 - 1)", 5.0),
            ("infinity", "(1e308 * 10.0)", 10.0),
            ("NaN", "(1e308 * 10.0 - 1e308 * 10.0)", 5.0),
            ("-0.0", "(-0.0)", 5.0),
            ("0.1", "0.1", 10.0),
            ("denormals", "5e-324", 5.0),
            ("a type change midway through a loop", " == ", 50.0),
            ("the loop accumulator", "acc", 30.0),
            ("integer division", " / ", 40.0),
            ("modulo", " % ", 80.0),
        ],
    );
}

#[test]
fn scheme_generator_covers_features() {
    generator_covers_features(
        Lang::Scheme,
        &[
            ("named let", "(let lp", 30.0),
            ("do loops", "(do ((", 10.0),
            ("letrec loops", "(letrec ((lp", 10.0),
            ("vector-for-each", "(vector-for-each", 3.0),
            ("call/cc escapes", "(call/cc", 30.0),
            ("guard", "(guard", 50.0),
            ("raise", "(raise", 20.0),
            ("error", "(error \"thrown\"", 20.0),
            ("self tail calls", "(define (t", 10.0),
            ("mutual tail calls", "(define (mb", 5.0),
            ("non-tail recursion", "(define (r", 5.0),
            ("closure factories", "(define (mk", 10.0),
            ("inner closures", "(lambda (v) (set! l0", 10.0),
            ("vector push", "vector-append", 20.0),
            ("vector-set!", "(vector-set!", 30.0),
            ("string-append", "(string-append", 10.0),
            ("quotient", "(quotient", 30.0),
            ("exact conversion", "(exact (truncate", 20.0),
            ("inexact conversion", "(exact->inexact", 20.0),
            ("i64::MAX", "9223372036854775807", 20.0),
            ("i64::MIN", "-9223372036854775808", 5.0),
            ("infinity", "+inf.0", 5.0),
            ("NaN", "(/ 0.0 0.0)", 5.0),
            ("-0.0", "-0.0", 5.0),
            ("0.1", "0.1", 10.0),
            ("denormals", "5e-324", 5.0),
            ("equal? on changing types", "(equal?", 10.0),
        ],
    );
}

/// Shrinking keeps programs valid: every step proptest may take still compiles.
#[test]
fn shrunk_programs_stay_valid() {
    for lang in [Lang::Ruff, Lang::Scheme] {
        let strategy = program();
        let mut srcs = Vec::new();
        for i in 0..10 {
            let mut runner =
                TestRunner::new_with_rng(runner_config(0), case_rng(0xC0FFEE, lang, i));
            let mut tree = strategy.new_tree(&mut runner).expect("generate");
            // Simplify as if every step still failed, then as if none did, alternately.
            for step in 0..40 {
                let moved = if step % 3 == 2 {
                    tree.complicate()
                } else {
                    tree.simplify()
                };
                if !moved {
                    break;
                }
                srcs.push(source(&tree.current(), lang));
            }
        }
        let n = srcs.len();
        let broken: Vec<String> = run_all(lang, srcs, "shrink")
            .into_iter()
            .filter(|(_, o, _)| {
                o.code == Some(SYNTAX_ERROR) || o.code == Some(INTERNAL_ERROR) || o.timed_out
            })
            .map(|(src, o, _)| format!("{}\n{src}", o.stderr))
            .collect();
        assert!(
            broken.is_empty(),
            "{} of {n} shrunk {} programs are broken:\n\n{}",
            broken.len(),
            lang.name(),
            broken.join("\n\n")
        );
    }
}

/// The checker reports every kind of difference and every bad exit, and nothing else.
#[test]
fn judge_flags_differences() {
    let ok = Outcome {
        code: Some(0),
        stdout: "1\n2\n".into(),
        stderr: String::new(),
        timed_out: false,
    };
    assert_eq!(judge(&ok, &ok.clone()), None);
    let err = Outcome {
        code: Some(4),
        stdout: "1\n".into(),
        stderr: "error: Integer overflow\n".into(),
        timed_out: false,
    };
    assert_eq!(judge(&err, &err.clone()), None);
    let variants = [
        Outcome {
            stdout: "1\n3\n".into(),
            ..ok.clone()
        },
        Outcome {
            stderr: "warning\n".into(),
            ..ok.clone()
        },
        Outcome {
            code: Some(4),
            ..ok.clone()
        },
        Outcome {
            code: None,
            ..ok.clone()
        },
        Outcome {
            code: None,
            timed_out: true,
            ..ok.clone()
        },
    ];
    for v in &variants {
        let why = judge(&ok, v).unwrap_or_else(|| panic!("no difference found for {v:?}"));
        assert!(
            why.contains("--jit=off") && why.contains("--jit=always"),
            "{why}"
        );
    }
    // Agreeing on a crash or an internal error is still a failure.
    let internal = Outcome {
        code: Some(INTERNAL_ERROR),
        ..ok.clone()
    };
    assert!(judge(&internal, &internal.clone()).is_some());
    let stdout_diff = judge(&ok, &variants[0]).unwrap();
    assert!(
        stdout_diff.starts_with("stdout differs from byte 2"),
        "{stdout_diff}"
    );
}

/// A stand-in for a JIT bug, to test the harness: `--jit=always` "prints" what `--jit=off`
/// does, except that hot loops' probe lines come out wrong.
fn fake_hot_loop_bug(src: &str, file: &Path) -> (Option<String>, Outcome, Duration) {
    std::fs::write(file, src).expect("write program");
    let (off, time) = run_mode(file, MODES[0]);
    let mut jit = off.clone();
    jit.stdout = off
        .stdout
        .lines()
        .map(|l| {
            if hot_probe(l) {
                format!("{l} WRONG\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    (judge(&off, &jit), off, time)
}

/// A difference is found, shrunk to a small program that still shows it, reported with
/// both outputs, and saved.
#[test]
fn failures_are_shrunk_reported_and_saved() {
    for lang in [Lang::Ruff, Lang::Scheme] {
        let started = Instant::now();
        let campaign = Campaign {
            lang,
            seed: 0xFA11,
            first: 0,
            cases: 40,
            threads: 1,
            keep: None,
            check: fake_hot_loop_bug,
            failures_dir: "jit-diff-selftest",
            stop_at_first: true,
            shrink_iters: 30,
            reduce_time: Duration::from_secs(8),
        };
        let stats = campaign.run();
        let (report, path) = stats
            .failures
            .first()
            .unwrap_or_else(|| panic!("{}: no case ran a hot loop", lang.name()));
        let src = std::fs::read_to_string(path).expect("the shrunk program is saved");
        assert!(
            report.contains(&src),
            "the report shows the program:\n{report}"
        );
        for part in [
            "stdout differs",
            "===== --jit=off",
            "===== --jit=always",
            " WRONG",
        ] {
            assert!(
                report.contains(part),
                "the report lacks {part:?}:\n{report}"
            );
        }
        let file = temp_dir(&format!("jit-diff-selftest-{}", lang.name()))
            .join(format!("p.{}", lang.ext()));
        assert!(
            fake_hot_loop_bug(&src, &file).0.is_some(),
            "the shrunk program no longer fails:\n{src}"
        );
        // Shrunk a good deal in the time it had (the fixed prelude and epilogue are 35 lines).
        let lines = src.lines().count();
        assert!(lines < 120, "{lines} lines left after shrinking:\n{src}");
        eprintln!(
            "{} shrunk to {lines} lines in {:?}:\n{src}",
            lang.name(),
            started.elapsed()
        );
    }
}
