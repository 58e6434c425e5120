//! Numbers: exact 64-bit integers (overflow is the error `integer overflow`) and f64 floats.
//! `/` of two exact integers is exact when it divides evenly, else a float (spec
//! difference 2: no rationals).

use super::super::{cmp_int_float, float_to_int};
use super::{reg, wrong};
use crate::native::{Arity, NativeResult};
use crate::value::Value;
use crate::vm::Vm;
use std::cmp::Ordering;

pub fn install(vm: &mut Vm) {
    let any = Arity::at_least(0);
    let one = Arity::exactly(1);
    let two = Arity::exactly(2);
    reg(vm, "+", any, add);
    reg(vm, "*", any, mul);
    reg(vm, "-", Arity::at_least(1), sub);
    reg(vm, "/", Arity::at_least(1), div);
    reg(vm, "=", Arity::at_least(1), num_eq);
    reg(vm, "<", Arity::at_least(1), num_lt);
    reg(vm, ">", Arity::at_least(1), num_gt);
    reg(vm, "<=", Arity::at_least(1), num_le);
    reg(vm, ">=", Arity::at_least(1), num_ge);
    reg(vm, "quotient", two, quotient);
    reg(vm, "remainder", two, remainder);
    reg(vm, "modulo", two, modulo);
    reg(vm, "truncate-quotient", two, quotient);
    reg(vm, "truncate-remainder", two, remainder);
    reg(vm, "floor-remainder", two, modulo);
    reg(vm, "floor-quotient", two, floor_quotient);
    reg(vm, "abs", one, abs);
    reg(vm, "magnitude", one, abs);
    reg(vm, "min", Arity::at_least(1), min);
    reg(vm, "max", Arity::at_least(1), max);
    reg(vm, "gcd", any, gcd);
    reg(vm, "lcm", any, lcm);
    reg(vm, "expt", two, expt);
    reg(vm, "exp", one, exp);
    reg(vm, "log", Arity::range(1, 2), log);
    reg(vm, "sin", one, |vm, a| float_fn(vm, "sin", a[0], f64::sin));
    reg(vm, "cos", one, |vm, a| float_fn(vm, "cos", a[0], f64::cos));
    reg(vm, "tan", one, |vm, a| float_fn(vm, "tan", a[0], f64::tan));
    reg(vm, "asin", one, |vm, a| {
        float_fn(vm, "asin", a[0], f64::asin)
    });
    reg(vm, "acos", one, |vm, a| {
        float_fn(vm, "acos", a[0], f64::acos)
    });
    reg(vm, "atan", Arity::range(1, 2), atan);
    reg(vm, "sqrt", one, sqrt);
    reg(vm, "exact-integer-sqrt", one, exact_integer_sqrt);
    reg(vm, "square", one, square);
    reg(vm, "floor", one, |vm, a| {
        rounding(vm, "floor", a[0], f64::floor)
    });
    reg(vm, "ceiling", one, |vm, a| {
        rounding(vm, "ceiling", a[0], f64::ceil)
    });
    reg(vm, "truncate", one, |vm, a| {
        rounding(vm, "truncate", a[0], f64::trunc)
    });
    reg(vm, "round", one, |vm, a| {
        rounding(vm, "round", a[0], f64::round_ties_even)
    });
    reg(vm, "exact", one, exact);
    reg(vm, "inexact->exact", one, exact);
    reg(vm, "inexact", one, inexact);
    reg(vm, "exact->inexact", one, inexact);
    reg(vm, "number->string", Arity::range(1, 2), number_to_string);
    reg(vm, "string->number", Arity::range(1, 2), string_to_number);
    reg(vm, "zero?", one, |vm, a| {
        sign_test(vm, "zero?", a[0], |o| o.is_eq())
    });
    reg(vm, "positive?", one, |vm, a| {
        sign_test(vm, "positive?", a[0], |o| o.is_gt())
    });
    reg(vm, "negative?", one, |vm, a| {
        sign_test(vm, "negative?", a[0], |o| o.is_lt())
    });
    reg(vm, "odd?", one, |vm, a| parity(vm, "odd?", a[0], 1));
    reg(vm, "even?", one, |vm, a| parity(vm, "even?", a[0], 0));
    reg(vm, "number?", one, |_, a| Ok(Value::Bool(is_number(a[0]))));
    reg(vm, "complex?", one, |_, a| Ok(Value::Bool(is_number(a[0]))));
    reg(vm, "real?", one, |_, a| Ok(Value::Bool(is_number(a[0]))));
    reg(vm, "rational?", one, |_, a| {
        Ok(Value::Bool(match a[0] {
            Value::Int(_) => true,
            Value::Float(f) => f.is_finite(),
            _ => false,
        }))
    });
    reg(vm, "integer?", one, |_, a| {
        Ok(Value::Bool(is_integer(a[0])))
    });
    reg(vm, "exact?", one, |vm, a| {
        Num::of(vm, "exact?", a[0]).map(|n| Value::Bool(matches!(n, Num::I(_))))
    });
    reg(vm, "inexact?", one, |vm, a| {
        Num::of(vm, "inexact?", a[0]).map(|n| Value::Bool(matches!(n, Num::F(_))))
    });
    reg(vm, "exact-integer?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Int(_))))
    });
    reg(vm, "exact-rational?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Int(_))))
    });
    reg(vm, "nan?", one, |vm, a| {
        Num::of(vm, "nan?", a[0]).map(|n| Value::Bool(n.f().is_nan()))
    });
    reg(vm, "infinite?", one, |vm, a| {
        Num::of(vm, "infinite?", a[0]).map(|n| Value::Bool(n.f().is_infinite()))
    });
    reg(vm, "finite?", one, |vm, a| {
        Num::of(vm, "finite?", a[0]).map(|n| Value::Bool(n.f().is_finite()))
    });
}

/// The error for an exact result outside the 64-bit range.
pub(crate) fn overflow(name: &str) -> String {
    format!("{name}: integer overflow")
}

/// A numeric argument.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    I(i64),
    F(f64),
}

impl Num {
    pub(crate) fn of(vm: &Vm, name: &str, v: Value) -> Result<Num, String> {
        match v {
            Value::Int(i) => Ok(Num::I(i)),
            Value::Float(f) => Ok(Num::F(f)),
            _ => Err(wrong(vm, name, "a number", v)),
        }
    }
    pub(crate) fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
    fn value(self) -> Value {
        match self {
            Num::I(i) => Value::Int(i),
            Num::F(f) => Value::Float(f),
        }
    }
}

fn is_number(v: Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

fn is_integer(v: Value) -> bool {
    match v {
        Value::Int(_) => true,
        Value::Float(f) => f.is_finite() && f.fract() == 0.0,
        _ => false,
    }
}

fn arith(
    name: &str,
    a: Num,
    b: Num,
    int_op: fn(i64, i64) -> Option<i64>,
    float_op: fn(f64, f64) -> f64,
) -> Result<Num, String> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => int_op(x, y).map(Num::I).ok_or_else(|| overflow(name)),
        _ => Ok(Num::F(float_op(a.f(), b.f()))),
    }
}

fn fold(
    vm: &Vm,
    name: &str,
    args: &[Value],
    unit: i64,
    int_op: fn(i64, i64) -> Option<i64>,
    float_op: fn(f64, f64) -> f64,
) -> NativeResult {
    let mut acc = Num::I(unit);
    for &a in args {
        let n = Num::of(vm, name, a)?;
        acc = arith(name, acc, n, int_op, float_op)?;
    }
    Ok(acc.value())
}

fn add(vm: &mut Vm, args: &[Value]) -> NativeResult {
    if let [Value::Int(a), Value::Int(b)] = args {
        return a
            .checked_add(*b)
            .map(Value::Int)
            .ok_or_else(|| overflow("+"));
    }
    fold(vm, "+", args, 0, i64::checked_add, |a, b| a + b)
}

fn mul(vm: &mut Vm, args: &[Value]) -> NativeResult {
    fold(vm, "*", args, 1, i64::checked_mul, |a, b| a * b)
}

fn sub(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let first = Num::of(vm, "-", args[0])?;
    if args.len() == 1 {
        return match first {
            Num::I(i) => i.checked_neg().map(Value::Int).ok_or_else(|| overflow("-")),
            Num::F(f) => Ok(Value::Float(-f)),
        };
    }
    let mut acc = first;
    for &a in &args[1..] {
        let n = Num::of(vm, "-", a)?;
        acc = arith("-", acc, n, i64::checked_sub, |a, b| a - b)?;
    }
    Ok(acc.value())
}

fn divide(a: Num, b: Num) -> Result<Num, String> {
    match (a, b) {
        (Num::I(_), Num::I(0)) => Err("/: division by zero".to_string()),
        (Num::I(x), Num::I(y)) => {
            if x.wrapping_rem(y) == 0 {
                x.checked_div(y).map(Num::I).ok_or_else(|| overflow("/"))
            } else {
                Ok(Num::F(x as f64 / y as f64))
            }
        }
        _ => Ok(Num::F(a.f() / b.f())),
    }
}

fn div(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let first = Num::of(vm, "/", args[0])?;
    if args.len() == 1 {
        return divide(Num::I(1), first).map(Num::value);
    }
    let mut acc = first;
    for &a in &args[1..] {
        acc = divide(acc, Num::of(vm, "/", a)?)?;
    }
    Ok(acc.value())
}

/// Compare two numbers; `None` when either is NaN.
pub(crate) fn compare(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
        (Num::I(x), Num::F(y)) => cmp_int_float(x, y),
        (Num::F(x), Num::I(y)) => cmp_int_float(y, x).map(Ordering::reverse),
        (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
    }
}

fn num_chain(vm: &Vm, name: &str, args: &[Value], ok: fn(Ordering) -> bool) -> NativeResult {
    super::chain(
        args,
        |v| Num::of(vm, name, *v),
        |a, b| compare(*a, *b).is_some_and(ok),
    )
}

fn num_eq(vm: &mut Vm, args: &[Value]) -> NativeResult {
    num_chain(vm, "=", args, Ordering::is_eq)
}
fn num_lt(vm: &mut Vm, args: &[Value]) -> NativeResult {
    if let [Value::Int(a), Value::Int(b)] = args {
        return Ok(Value::Bool(a < b));
    }
    num_chain(vm, "<", args, Ordering::is_lt)
}
fn num_gt(vm: &mut Vm, args: &[Value]) -> NativeResult {
    num_chain(vm, ">", args, Ordering::is_gt)
}
fn num_le(vm: &mut Vm, args: &[Value]) -> NativeResult {
    num_chain(vm, "<=", args, Ordering::is_le)
}
fn num_ge(vm: &mut Vm, args: &[Value]) -> NativeResult {
    num_chain(vm, ">=", args, Ordering::is_ge)
}

/// Integer division helpers: both exact ints, or integral floats (float result).
fn int_div(
    vm: &Vm,
    name: &str,
    args: &[Value],
    op: fn(i64, i64) -> Option<i64>,
    fop: fn(f64, f64) -> f64,
) -> NativeResult {
    let a = Num::of(vm, name, args[0])?;
    let b = Num::of(vm, name, args[1])?;
    if let Some(&v) = args[..2].iter().find(|&&v| !is_integer(v)) {
        return Err(wrong(vm, name, "an integer", v));
    }
    if b.f() == 0.0 {
        return Err(format!("{name}: division by zero"));
    }
    match (a, b) {
        (Num::I(x), Num::I(y)) => op(x, y).map(Value::Int).ok_or_else(|| overflow(name)),
        _ => Ok(Value::Float(fop(a.f(), b.f()))),
    }
}

fn quotient(vm: &mut Vm, args: &[Value]) -> NativeResult {
    quotient_of(vm, args[0], args[1])
}

/// `(quotient a b)`, shared by the native and the `QUOT` instruction.
pub(crate) fn quotient_of(vm: &Vm, a: Value, b: Value) -> NativeResult {
    int_div(vm, "quotient", &[a, b], i64::checked_div, |a, b| {
        (a / b).trunc()
    })
}

fn remainder(vm: &mut Vm, args: &[Value]) -> NativeResult {
    int_div(
        vm,
        "remainder",
        args,
        |a, b| Some(a.wrapping_rem(b)),
        |a, b| a % b,
    )
}

fn modulo(vm: &mut Vm, args: &[Value]) -> NativeResult {
    int_div(
        vm,
        "modulo",
        args,
        |a, b| {
            let r = a.wrapping_rem(b);
            Some(if r != 0 && (r < 0) != (b < 0) {
                r + b
            } else {
                r
            })
        },
        |a, b| {
            let r = a % b;
            if r != 0.0 && (r < 0.0) != (b < 0.0) {
                r + b
            } else {
                r
            }
        },
    )
}

fn floor_quotient(vm: &mut Vm, args: &[Value]) -> NativeResult {
    int_div(
        vm,
        "floor-quotient",
        args,
        |a, b| {
            let q = a.checked_div(b)?;
            Some(if (a % b != 0) && ((a < 0) != (b < 0)) {
                q - 1
            } else {
                q
            })
        },
        |a, b| (a / b).floor(),
    )
}

fn abs(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match Num::of(vm, "abs", args[0])? {
        Num::I(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| overflow("abs")),
        Num::F(f) => Ok(Value::Float(f.abs())),
    }
}

/// `min`/`max` return the chosen argument itself (chibi does no inexact contagion).
fn extremum(vm: &Vm, name: &str, args: &[Value], want: Ordering) -> NativeResult {
    let mut best = args[0];
    let mut bn = Num::of(vm, name, best)?;
    for &a in &args[1..] {
        let n = Num::of(vm, name, a)?;
        if n.f().is_nan() {
            return Ok(a);
        }
        if compare(n, bn) == Some(want) {
            best = a;
            bn = n;
        }
    }
    Ok(best)
}

fn min(vm: &mut Vm, args: &[Value]) -> NativeResult {
    extremum(vm, "min", args, Ordering::Less)
}

fn max(vm: &mut Vm, args: &[Value]) -> NativeResult {
    extremum(vm, "max", args, Ordering::Greater)
}

fn gcd2(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a as i64
}

fn gcd(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let mut acc = 0i64;
    for &a in args {
        let n = super::int(vm, "gcd", a)?;
        acc = gcd2(acc, n);
        if acc < 0 {
            return Err(overflow("gcd"));
        }
    }
    Ok(Value::Int(acc))
}

fn lcm(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let mut acc = 1i64;
    for &a in args {
        let n = super::int(vm, "lcm", a)?
            .checked_abs()
            .ok_or_else(|| overflow("lcm"))?;
        if n == 0 || acc == 0 {
            acc = 0;
            continue;
        }
        let g = gcd2(acc, n);
        acc = (acc / g).checked_mul(n).ok_or_else(|| overflow("lcm"))?;
    }
    Ok(Value::Int(acc))
}

fn expt(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let base = Num::of(vm, "expt", args[0])?;
    let e = Num::of(vm, "expt", args[1])?;
    match (base, e) {
        (Num::I(b), Num::I(e)) if e >= 0 => {
            let r = match b {
                0 => Some(if e == 0 { 1 } else { 0 }),
                1 => Some(1),
                -1 => Some(if e % 2 == 0 { 1 } else { -1 }),
                _ if e > 64 => None,
                _ => b.checked_pow(e as u32),
            };
            r.map(Value::Int).ok_or_else(|| overflow("expt"))
        }
        (Num::I(b), Num::I(e)) => Ok(Value::Float((b as f64).powf(e as f64))),
        (b, Num::I(e)) if e.unsigned_abs() <= i32::MAX as u64 => {
            Ok(Value::Float(b.f().powi(e as i32)))
        }
        (b, e) => Ok(Value::Float(b.f().powf(e.f()))),
    }
}

fn float_fn(vm: &Vm, name: &str, v: Value, f: fn(f64) -> f64) -> NativeResult {
    let n = Num::of(vm, name, v)?;
    Ok(Value::Float(f(n.f())))
}

fn exp(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match Num::of(vm, "exp", args[0])? {
        Num::I(0) => Ok(Value::Int(1)),
        n => Ok(Value::Float(n.f().exp())),
    }
}

fn log(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let x = Num::of(vm, "log", args[0])?;
    if let (Num::I(1), None) = (x, args.get(1)) {
        return Ok(Value::Int(0));
    }
    match args.get(1) {
        Some(&b) => {
            let b = Num::of(vm, "log", b)?;
            Ok(Value::Float(x.f().ln() / b.f().ln()))
        }
        None => Ok(Value::Float(x.f().ln())),
    }
}

fn atan(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let y = Num::of(vm, "atan", args[0])?.f();
    match args.get(1) {
        Some(&x) => Ok(Value::Float(y.atan2(Num::of(vm, "atan", x)?.f()))),
        None => Ok(Value::Float(y.atan())),
    }
}

/// The integer square root of a non-negative `n`.
pub(crate) fn isqrt(n: i64) -> i64 {
    let mut s = (n as f64).sqrt() as i64;
    while s > 0 && s.checked_mul(s).is_none_or(|sq| sq > n) {
        s -= 1;
    }
    while (s + 1).checked_mul(s + 1).is_some_and(|sq| sq <= n) {
        s += 1;
    }
    s
}

fn sqrt(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match Num::of(vm, "sqrt", args[0])? {
        Num::I(n) if n >= 0 => {
            let s = isqrt(n);
            if s * s == n {
                Ok(Value::Int(s))
            } else {
                Ok(Value::Float((n as f64).sqrt()))
            }
        }
        n => Ok(Value::Float(n.f().sqrt())),
    }
}

fn exact_integer_sqrt(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let n = match args[0] {
        Value::Int(n) if n >= 0 => n,
        v => {
            return Err(wrong(
                vm,
                "exact-integer-sqrt",
                "a non-negative exact integer",
                v,
            ))
        }
    };
    let s = isqrt(n);
    let a = vm
        .heap
        .alloc_array(vec![Value::Int(s), Value::Int(n - s * s)]);
    Ok(Value::Values(a))
}

fn square(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let n = Num::of(vm, "square", args[0])?;
    arith("square", n, n, i64::checked_mul, |a, b| a * b).map(Num::value)
}

fn rounding(vm: &Vm, name: &str, v: Value, f: fn(f64) -> f64) -> NativeResult {
    match Num::of(vm, name, v)? {
        Num::I(i) => Ok(Value::Int(i)),
        Num::F(x) => Ok(Value::Float(f(x))),
    }
}

fn exact(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match Num::of(vm, "exact", args[0])? {
        Num::I(i) => Ok(Value::Int(i)),
        Num::F(f) => match float_to_int(f) {
            Some(i) => Ok(Value::Int(i)),
            None if f.is_finite() && f.fract() == 0.0 => Err(overflow("exact")),
            None => Err(format!(
                "exact: {} has no exact representation (no exact rationals)",
                super::show(vm, args[0])
            )),
        },
    }
}

fn inexact(vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Float(Num::of(vm, "inexact", args[0])?.f()))
}

fn radix_arg(vm: &Vm, name: &str, args: &[Value]) -> Result<u32, String> {
    match args.get(1) {
        None => Ok(10),
        Some(Value::Int(r)) if matches!(r, 2 | 8 | 10 | 16) => Ok(*r as u32),
        Some(&v) => Err(wrong(vm, name, "a radix of 2, 8, 10 or 16", v)),
    }
}

fn int_to_radix(i: i64, radix: u32) -> String {
    let neg = i < 0;
    let mut u = i.unsigned_abs();
    if u == 0 {
        return "0".to_string();
    }
    let mut digits = Vec::new();
    while u > 0 {
        let d = (u % radix as u64) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('?'));
        u /= radix as u64;
    }
    if neg {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

fn number_to_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let radix = radix_arg(vm, "number->string", args)?;
    let s = match Num::of(vm, "number->string", args[0])? {
        Num::I(i) if radix == 10 => {
            return Ok(vm.new_str(crate::format::int_text(i, &mut [0; 20])));
        }
        Num::I(i) => int_to_radix(i, radix),
        Num::F(f) => super::printer::format_float(f),
    };
    Ok(vm.new_str(s))
}

/// Parse a Scheme number literal (`#x`/`#b`/`#o`/`#d`/`#e`/`#i` prefixes, ints in a radix,
/// decimals, exponents, `+inf.0`, `-inf.0`, `+nan.0`).
pub fn parse_number(text: &str, default_radix: u32) -> Option<Value> {
    let mut s = text;
    let mut radix = default_radix;
    let mut exactness = None;
    while s.len() >= 2 && s.starts_with('#') {
        match s.as_bytes()[1].to_ascii_lowercase() {
            b'x' => radix = 16,
            b'b' => radix = 2,
            b'o' => radix = 8,
            b'd' => radix = 10,
            b'e' => exactness = Some(true),
            b'i' => exactness = Some(false),
            _ => return None,
        }
        s = &s[2..];
    }
    let v = parse_real(s, radix)?;
    match (exactness, v) {
        (Some(true), Value::Float(f)) => float_to_int(f).map(Value::Int),
        (Some(false), Value::Int(i)) => Some(Value::Float(i as f64)),
        _ => Some(v),
    }
}

fn parse_real(s: &str, radix: u32) -> Option<Value> {
    match s {
        "+inf.0" => return Some(Value::Float(f64::INFINITY)),
        "-inf.0" => return Some(Value::Float(f64::NEG_INFINITY)),
        "+nan.0" | "-nan.0" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return None;
    }
    if body.chars().all(|c| c.is_digit(radix)) {
        return match i64::from_str_radix(s, radix) {
            Ok(i) => Some(Value::Int(i)),
            // Too large for an exact integer: read it as a float.
            Err(_) if radix == 10 => s.parse::<f64>().ok().map(Value::Float),
            Err(_) => None,
        };
    }
    if radix != 10 {
        return None;
    }
    let valid = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && body
            .split(['e', 'E'])
            .next()
            .is_some_and(|m| m.chars().any(|c| c.is_ascii_digit()));
    if !valid {
        return None;
    }
    s.parse::<f64>().ok().map(Value::Float)
}

fn string_to_number(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = super::str_arg(vm, "string->number", &args[0])?;
    let radix = radix_arg(vm, "string->number", args)?;
    Ok(parse_number(s, radix).unwrap_or(Value::Bool(false)))
}

fn sign_test(vm: &Vm, name: &str, v: Value, ok: fn(Ordering) -> bool) -> NativeResult {
    let n = Num::of(vm, name, v)?;
    Ok(Value::Bool(compare(n, Num::I(0)).is_some_and(ok)))
}

fn parity(vm: &Vm, name: &str, v: Value, want: i64) -> NativeResult {
    let i = super::int(vm, name, v)?;
    Ok(Value::Bool(i.rem_euclid(2) == want))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isqrt_is_exact() {
        for n in [0i64, 1, 2, 3, 4, 15, 16, 17, 1_000_000, i64::MAX] {
            let s = isqrt(n);
            assert!(s * s <= n);
            assert!((s + 1).checked_mul(s + 1).is_none_or(|q| q > n));
        }
    }

    #[test]
    fn number_parsing() {
        assert!(matches!(parse_number("12", 10), Some(Value::Int(12))));
        assert!(matches!(parse_number("ff", 16), Some(Value::Int(255))));
        assert!(matches!(parse_number("#xff", 10), Some(Value::Int(255))));
        assert!(matches!(parse_number(".5", 10), Some(Value::Float(f)) if f == 0.5));
        assert!(matches!(parse_number("1e3", 10), Some(Value::Float(f)) if f == 1000.0));
        assert!(parse_number("12x", 10).is_none());
        assert!(parse_number("", 10).is_none());
        assert!(parse_number("-", 10).is_none());
        assert!(parse_number("inf", 10).is_none());
        assert!(parse_number("e3", 10).is_none());
    }
}
