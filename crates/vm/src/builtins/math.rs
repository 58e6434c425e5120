//! Math builtins and the constants `PI` and `E`.
//!
//! Like Ruff, they return floats, also for int arguments: `floor`, `ceil`, `round`, `abs`,
//! `pow`, `sqrt`, `exp`, `log`, `sin`, `cos`, and `min`/`max` of numbers (a whole float prints
//! without `.0`, so `floor(2.5)` prints `2`, but `type(floor(2.5))` is `float`).

use super::{cmp_int_float, expected, pure};
use crate::native::{Arity, NativeResult};
use crate::value::Value;
use crate::vm::Vm;
use std::cmp::Ordering;

pub fn install(vm: &mut Vm) {
    pure(vm, "abs", Arity::exactly(1), abs);
    pure(vm, "min", Arity::at_least(1), min);
    pure(vm, "max", Arity::at_least(1), max);
    pure(vm, "floor", Arity::exactly(1), floor);
    pure(vm, "ceil", Arity::exactly(1), ceil);
    pure(vm, "round", Arity::exactly(1), round);
    pure(vm, "sqrt", Arity::exactly(1), sqrt);
    pure(vm, "pow", Arity::exactly(2), pow);
    pure(vm, "exp", Arity::exactly(1), exp);
    pure(vm, "log", Arity::exactly(1), log);
    pure(vm, "sin", Arity::exactly(1), sin);
    pure(vm, "cos", Arity::exactly(1), cos);
    vm.globals.set("PI", Value::Float(std::f64::consts::PI));
    vm.globals.set("E", Value::Float(std::f64::consts::E));
}

fn number(name: &str, v: &Value) -> Result<f64, String> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        _ => Err(expected(name, "a number", v)),
    }
}

/// The order `sort`, `min` and `max` use: numbers by exact value (ints and floats mixed,
/// NaN above everything), strings lexicographically. `None` for any other pair.
pub(crate) fn total_order(a: Value, b: Value) -> Option<Ordering> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(&y),
        (Value::Float(x), Value::Float(y)) => match (x.is_nan(), y.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        },
        (Value::Int(x), Value::Float(y)) => cmp_int_float(x, y).unwrap_or(Ordering::Less),
        (Value::Float(x), Value::Int(y)) => {
            cmp_int_float(y, x).map_or(Ordering::Greater, Ordering::reverse)
        }
        (Value::Str(x), Value::Str(y)) => x.as_str().cmp(y.as_str()),
        _ => return None,
    })
}

fn abs(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Int(i) => Ok(Value::Float((i as f64).abs())),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v => Err(expected("abs", "a number", &v)),
    }
}

/// The least (`want = Less`) or greatest element of `args`, or of the array when `args`
/// is one array. A numeric result is a float (as in Ruff); strings compare too.
fn extreme(name: &str, args: &[Value], want: Ordering) -> NativeResult {
    let items = match args {
        [Value::Array(a)] => a.items(),
        _ => args,
    };
    let mut best: Option<Value> = None;
    for &v in items {
        if !matches!(v, Value::Int(_) | Value::Float(_) | Value::Str(_)) {
            return Err(expected(name, "numbers or strings", &v));
        }
        best = Some(match best {
            None => v,
            Some(b) => match total_order(v, b) {
                Some(o) if o == want => v,
                Some(_) => b,
                None => {
                    return Err(format!(
                        "{name} cannot compare {} with {}",
                        v.type_name(),
                        b.type_name()
                    ))
                }
            },
        });
    }
    match best {
        Some(Value::Int(i)) => Ok(Value::Float(i as f64)),
        Some(v) => Ok(v),
        None => Err(format!("{name} of an empty array")),
    }
}

/// `min(a, b, ...)` or `min(array)`.
fn min(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    extreme("min", args, Ordering::Less)
}

/// `max(a, b, ...)` or `max(array)`.
fn max(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    extreme("max", args, Ordering::Greater)
}

/// Apply a float rounding function; the result is a float (as in Ruff).
fn round_with(name: &str, v: Value, f: fn(f64) -> f64) -> NativeResult {
    match v {
        Value::Int(i) => Ok(Value::Float(i as f64)),
        Value::Float(x) => Ok(Value::Float(f(x))),
        _ => Err(expected(name, "a number", &v)),
    }
}

fn floor(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    round_with("floor", args[0], f64::floor)
}

fn ceil(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    round_with("ceil", args[0], f64::ceil)
}

/// `round(x)`: to the nearest int, halves away from zero (`round(-2.5)` is `-3`).
fn round(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    round_with("round", args[0], f64::round)
}

/// `sqrt(x)`: a domain error for `x < 0` (as Ruff and Python).
fn sqrt(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let x = number("sqrt", &args[0])?;
    if x < 0.0 {
        return Err("sqrt: domain error: the argument must be >= 0".to_string());
    }
    Ok(Value::Float(x.sqrt()))
}

/// `pow(a, b)`: a float (as in Ruff), also for two ints.
fn pow(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = number("pow", &args[0])?;
    let b = number("pow", &args[1])?;
    Ok(Value::Float(a.powf(b)))
}

fn exp(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Float(number("exp", &args[0])?.exp()))
}

/// `log(x)`: the natural logarithm; a domain error for `x <= 0` (as Ruff and Python).
fn log(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let x = number("log", &args[0])?;
    if x <= 0.0 {
        return Err("log: domain error: the argument must be > 0".to_string());
    }
    Ok(Value::Float(x.ln()))
}

fn sin(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Float(number("sin", &args[0])?.sin()))
}

fn cos(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Float(number("cos", &args[0])?.cos()))
}
