//! Proptest strategies for random [`Program`]s: literals chosen for the corner cases a JIT
//! gets wrong, expressions of each type by depth, statements, loops, functions, and the
//! driver loop that calls every function thousands of times.

use crate::ast::{Driver, Expr, Func, Handler, Loop, Op, Program, Stmt, Ty, Un, GLOBALS, K};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

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
        2 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Stmt::Rebind(a, b)),
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
        vec(body, 1..4),
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
    let branch = prop_oneof![6 => prev.clone(), 1 => jump(e)].boxed();
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
        vec(stmt.clone(), 1..4),
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
pub fn program() -> BoxedStrategy<Program> {
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
    //
    // Sizes: compiling is most of what a case costs (`--jit=always` compiles all the code, the
    // default mode the hot code, again when it recompiles), and it grows with the source, so
    // programs are kept small: up to 3 top-level statements and 2 functions (the costliest
    // part, as both JIT modes compile every function the driver calls), and up to 3
    // statements in a loop or function body. At least one function, so that the driver loop
    // has something to call past the call threshold.
    (
        vec(
            prop_oneof![
                4 => hot,
                6 => s3,
                1 => (vec(s2.clone(), 1..4), handler(&e2)).prop_map(|(b, h)| Stmt::Try(b, h)),
            ],
            1..4,
        ),
        prop::option::weighted(0.9, driver),
        vec(func(&s2, &e2), 1..3),
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
