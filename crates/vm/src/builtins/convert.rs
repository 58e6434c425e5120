//! Conversions and checks: `to_string`/`str`, `to_int`, `to_float`, `to_bool`, `parse_int`,
//! `parse_float`, `type`, `format`, `assert`, `assert_equal`.

use super::{float_to_int, pure, str_arg, str_arg_as, too_large, MAX_STR_BYTES};
use crate::format;
use crate::native::{Arity, NativeResult};
use crate::value::{values_equal, Value};
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    pure(vm, "to_string", Arity::exactly(1), to_string);
    pure(vm, "str", Arity::exactly(1), to_string);
    pure(vm, "to_int", Arity::exactly(1), to_int);
    pure(vm, "to_float", Arity::exactly(1), to_float);
    pure(vm, "to_bool", Arity::exactly(1), to_bool);
    pure(vm, "parse_int", Arity::exactly(1), parse_int);
    pure(vm, "parse_float", Arity::exactly(1), parse_float);
    pure(vm, "type", Arity::exactly(1), type_of);
    pure(vm, "format", Arity::at_least(1), format_fn);
    pure(vm, "assert", Arity::range(1, 2), assert);
    pure(vm, "assert_equal", Arity::exactly(2), assert_equal);
}

/// `to_string(v)`: the display form, as `print` shows it.
fn to_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Str(_) => return Ok(args[0]),
        Value::Int(i) => return Ok(vm.new_str(format::int_text(i, &mut [0; 20]))),
        _ => {}
    }
    let s = format::display(vm, args[0]);
    format::check_text(vm, "to_string", s.len())?;
    Ok(vm.new_str(s))
}

/// `to_int(v)`: ints unchanged, floats truncated, strings parsed, bools 1/0.
fn to_int(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Int(i) => Ok(Value::Int(i)),
        Value::Float(f) => float_to_int(f.trunc())
            .map(Value::Int)
            .ok_or_else(|| format!("Cannot convert {} to int", float_text(f))),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        Value::Str(s) => s
            .as_str()
            .trim()
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| format!("Cannot convert '{}' to int", s.as_str())),
        v => Err(format!("Cannot convert {} to int", v.type_name())),
    }
}

fn float_text(f: f64) -> String {
    let mut s = String::new();
    format::write_float(f, &mut s);
    s
}

/// `to_float(v)`: numbers, numeric strings, bools 1/0.
fn to_float(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Int(i) => Ok(Value::Float(i as f64)),
        Value::Float(f) => Ok(Value::Float(f)),
        Value::Bool(b) => Ok(Value::Float(if b { 1.0 } else { 0.0 })),
        Value::Str(s) => s
            .as_str()
            .trim()
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("Cannot convert '{}' to float", s.as_str())),
        v => Err(format!("Cannot convert {} to float", v.type_name())),
    }
}

/// `to_bool(v)`: truthiness, except that (as in Ruff) the strings `"false"` and `"0"`, in
/// any case, are false too.
fn to_bool(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Bool(match args[0] {
        Value::Str(s) => {
            let t = s.as_str();
            !(t.is_empty() || t.eq_ignore_ascii_case("false") || t == "0")
        }
        v => v.truthy(),
    }))
}

/// `parse_int(s)`: a decimal integer, surrounding whitespace allowed.
fn parse_int(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("parse_int", &args[0])?;
    s.trim()
        .parse::<i64>()
        .map(Value::Int)
        .map_err(|_| format!("Cannot parse '{s}' as integer"))
}

/// `parse_float(s)`: a decimal number, surrounding whitespace allowed; always a float.
fn parse_float(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("parse_float", &args[0])?;
    s.trim()
        .parse::<f64>()
        .map(Value::Float)
        .map_err(|_| format!("Cannot parse '{s}' as float"))
}

/// `type(v)`: `int float string bool null array dict function ...`.
fn type_of(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let name = args[0].type_name();
    Ok(vm.new_str(name))
}

/// `format(template, args...)`: each `{}` is replaced by the display form of the next
/// argument; `{{` and `}}` stand for literal braces. Extra arguments are ignored.
fn format_fn(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let template = str_arg_as("format", "a string template", &args[0])?;
    let mut rest = args[1..].iter();
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('}')) => {
                chars.next();
                let v = rest.next().ok_or_else(|| {
                    "format: the template has more {} placeholders than arguments".to_string()
                })?;
                format::write_display(vm, *v, &mut out);
                if out.len() > MAX_STR_BYTES {
                    return Err(too_large("format"));
                }
            }
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Ok(vm.new_str(out))
}

/// `assert(cond)` / `assert(cond, message)`: fails with `Assertion failed` when `cond` is
/// falsy; returns `true` otherwise.
fn assert(vm: &mut Vm, args: &[Value]) -> NativeResult {
    if args[0].truthy() {
        return Ok(Value::Bool(true));
    }
    match args.get(1) {
        Some(m) => Err(format!("Assertion failed: {}", format::display(vm, *m))),
        None => Err("Assertion failed".to_string()),
    }
}

/// `assert_equal(actual, expected)`: fails with `Assertion failed: expected E, got A`.
fn assert_equal(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let (actual, wanted) = (args[0], args[1]);
    if values_equal(actual, wanted) {
        return Ok(Value::Bool(true));
    }
    Err(format!(
        "Assertion failed: expected {}, got {}",
        shown(vm, wanted),
        shown(vm, actual)
    ))
}

/// A value for an assertion message: strings quoted so that `"1"` and `1` differ.
fn shown(vm: &Vm, v: Value) -> String {
    match v {
        Value::Str(s) => format!("{:?}", s.as_str()),
        _ => format::display(vm, v),
    }
}
