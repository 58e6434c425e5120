//! Arithmetic the dispatch loop leaves to a slower path: mixed and overflowing operands,
//! strings, errors (`Vm::arith_slow`); comparisons of numbers and strings; Scheme's floored
//! modulo and exact division.

use crate::interp::overflow;
use crate::value::Value;
use crate::vm::Vm;

/// Floored modulo (Scheme `modulo`): the result has the sign of the divisor.
pub(crate) fn floor_mod(a: Value, b: Value) -> Result<Value, String> {
    match (a, b) {
        (Value::Int(_), Value::Int(0)) => Err("modulo: division by zero".to_string()),
        (Value::Int(x), Value::Int(y)) => {
            let r = x.checked_rem(y).unwrap_or(0);
            Ok(Value::Int(if r != 0 && (r < 0) != (y < 0) {
                r + y
            } else {
                r
            }))
        }
        (x, y) => {
            let (Some(p), Some(q)) = (as_f64(x), as_f64(y)) else {
                return Err(format!(
                    "modulo: expected numbers, got {} and {}",
                    x.type_name(),
                    y.type_name()
                ));
            };
            Ok(Value::Float(p - q * (p / q).floor()))
        }
    }
}

/// Scheme `/`: exact when two ints divide evenly, else a float; `(/ n 0)` with an exact
/// zero is an error, with an inexact one it is an infinity.
pub(crate) fn scheme_div(a: Value, b: Value) -> Result<Value, String> {
    match (a, b) {
        (Value::Int(_), Value::Int(0)) => Err("/: division by zero".to_string()),
        (Value::Int(x), Value::Int(y)) => match x.checked_rem(y) {
            Some(0) => x
                .checked_div(y)
                .map(Value::Int)
                .ok_or_else(|| "integer overflow".to_string()),
            _ => Ok(Value::Float(x as f64 / y as f64)),
        },
        (x, y) => match (as_f64(x), as_f64(y)) {
            (Some(p), Some(q)) => Ok(Value::Float(p / q)),
            _ => Err(format!(
                "/: expected numbers, got {} and {}",
                x.type_name(),
                y.type_name()
            )),
        },
    }
}

fn as_f64(v: Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Arith {
    fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
            Arith::Mod => "%",
        }
    }
}

/// Order two values for `<`/`<=`: numbers (mixed int/float) and strings. `None` when
/// unordered (NaN).
pub(crate) fn compare(a: Value, b: Value, op: &str) -> Result<Option<std::cmp::Ordering>, String> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(&y))),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(&y)),
        (Value::Int(x), Value::Float(y)) => Ok((x as f64).partial_cmp(&y)),
        (Value::Float(x), Value::Int(y)) => Ok(x.partial_cmp(&(y as f64))),
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.as_str().cmp(y.as_str()))),
        _ => Err(format!(
            "Invalid binary operation: {} {op} {}",
            a.type_name(),
            b.type_name()
        )),
    }
}

impl Vm {
    /// Arithmetic beyond the int/int and float/float fast paths.
    pub(crate) fn arith_slow(&mut self, op: Arith, a: Value, b: Value) -> Result<Value, String> {
        match (op, a, b) {
            (Arith::Div, Value::Int(x), Value::Int(y)) => {
                if y == 0 {
                    return Err("Division by zero".to_string());
                }
                x.checked_div(y).map(Value::Int).ok_or_else(overflow)
            }
            (Arith::Mod, Value::Int(x), Value::Int(y)) => {
                if y == 0 {
                    return Err("Modulo by zero".to_string());
                }
                // MIN % -1 is 0 (only the quotient overflows).
                Ok(Value::Int(x.wrapping_rem(y)))
            }
            (Arith::Add, Value::Str(x), Value::Str(y)) => {
                self.heap
                    .reserve(x.as_str().len().saturating_add(y.as_str().len()))?;
                let s = crate::object::Str::concat(&[x.as_str(), y.as_str()]);
                Ok(Value::Str(self.heap.alloc_str_obj(s)))
            }
            (Arith::Add, Value::Int(x), Value::Int(y)) => {
                x.checked_add(y).map(Value::Int).ok_or_else(overflow)
            }
            (Arith::Sub, Value::Int(x), Value::Int(y)) => {
                x.checked_sub(y).map(Value::Int).ok_or_else(overflow)
            }
            (Arith::Mul, Value::Int(x), Value::Int(y)) => {
                x.checked_mul(y).map(Value::Int).ok_or_else(overflow)
            }
            _ => match (as_f64(a), as_f64(b)) {
                (Some(x), Some(y)) => Ok(Value::Float(match op {
                    Arith::Add => x + y,
                    Arith::Sub => x - y,
                    Arith::Mul => x * y,
                    Arith::Div => {
                        if y == 0.0 {
                            return Err("Division by zero".to_string());
                        }
                        x / y
                    }
                    Arith::Mod => {
                        if y == 0.0 {
                            return Err("Modulo by zero".to_string());
                        }
                        x % y
                    }
                })),
                _ => Err(format!(
                    "Invalid binary operation: {} {} {}",
                    a.type_name(),
                    op.symbol(),
                    b.type_name()
                )),
            },
        }
    }
}
