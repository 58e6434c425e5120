//! Builtins that accept several container types: `len`, `is_empty`, `contains`,
//! `index_of`, `remove`, `clear` and `slice`.

use super::{expected, int_arg, key_arg, pair, pure, str_arg_as};
use crate::native::{Arity, NativeResult};
use crate::value::{values_equal, Value};
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    pure(vm, "len", Arity::exactly(1), len);
    pure(vm, "is_empty", Arity::exactly(1), is_empty);
    pure(vm, "contains", Arity::exactly(2), contains);
    pure(vm, "index_of", Arity::exactly(2), index_of);
    pure(vm, "remove", Arity::exactly(2), remove);
    pure(vm, "clear", Arity::exactly(1), clear);
    pure(vm, "slice", Arity::range(2, 3), slice);
}

/// The number of characters, elements or entries.
fn size(name: &str, v: &Value) -> Result<usize, String> {
    match v {
        Value::Str(s) => Ok(s.char_len()),
        Value::Array(a) => Ok(a.len()),
        Value::Dict(d) => Ok(d.len()),
        _ => Err(expected(name, "a string, array or dict", v)),
    }
}

/// `len(x)`: the UTF-8 bytes of a string (as Ruff; `count_chars` counts characters), the
/// elements of an array, the entries of a dict, the elements of a Set, Queue or Stack.
fn len(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let n = match args[0] {
        Value::Str(s) => s.as_str().len(),
        Value::Coll(c) => c.items().len(),
        v => size("len", &v)?,
    };
    Ok(Value::Int(n as i64))
}

fn is_empty(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let empty = match args[0] {
        Value::Str(s) => s.as_str().is_empty(),
        Value::Coll(c) => c.items().is_empty(),
        v => size("is_empty", &v)? == 0,
    };
    Ok(Value::Bool(empty))
}

/// `contains(s, sub)` is the int `1`/`0` (as Ruff); `contains(arr, v)` is a bool.
fn contains(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Str(s) => {
            let sub = str_arg_as("contains", "a string to search for", &args[1])?;
            Ok(Value::Int(s.as_str().contains(sub) as i64))
        }
        Value::Array(a) => Ok(Value::Bool(
            a.items().iter().any(|x| values_equal(*x, args[1])),
        )),
        v => Err(expected("contains", "a string or an array", &v)),
    }
}

/// `index_of(s, sub)`: the byte offset of the first occurrence (as Ruff; the same as the
/// character position for ASCII text); `index_of(arr, v)`: the index of the first equal
/// element. `-1` when absent.
fn index_of(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let found = match args[0] {
        Value::Str(s) => {
            let sub = str_arg_as("index_of", "a string to search for", &args[1])?;
            s.as_str().find(sub)
        }
        Value::Array(a) => a.items().iter().position(|x| values_equal(*x, args[1])),
        v => return Err(expected("index_of", "a string or an array", &v)),
    };
    Ok(Value::Int(found.map(|i| i as i64).unwrap_or(-1)))
}

/// `remove(arr, v)`: remove the first element equal to `v` in place; returns `arr`.
/// `remove(d, k)`: remove key `k` in place; returns `[d, value]` (`[d, 0]` when absent, as
/// Ruff).
fn remove(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Array(a) => {
            if let Some(i) = a.items().iter().position(|x| values_equal(*x, args[1])) {
                a.items_mut().remove(i);
            }
            Ok(args[0])
        }
        Value::Dict(d) => {
            let k = key_arg("remove", &args[1])?;
            let v = d.map_mut().remove(k).unwrap_or(Value::Int(0));
            Ok(pair(vm, args[0], v))
        }
        v => Err(expected("remove", "an array or a dict", &v)),
    }
}

/// `clear(x)`: a new empty array or dict; the argument is not changed (as in Ruff).
fn clear(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Array(_) => Ok(vm.new_array(Vec::new())),
        Value::Dict(_) => Ok(vm.new_dict(Default::default())),
        v => Err(expected("clear", "an array or a dict", &v)),
    }
}

/// Resolve a slice bound: negative counts from the end; clamped to `0..=len`.
fn bound(i: i64, len: usize) -> usize {
    let len_i = len as i64;
    let j = if i < 0 { i.saturating_add(len_i) } else { i };
    j.clamp(0, len_i) as usize
}

/// `slice(x, start, end)`: a new array (or string) with the elements (characters)
/// `start..end`. Negative bounds count from the end, bounds are clamped, and `end`
/// defaults to the length.
fn slice(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let n = size("slice", &args[0])?;
    let start = bound(int_arg("slice", &args[1])?, n);
    let end = match args.get(2) {
        Some(v) => bound(int_arg("slice", v)?, n),
        None => n,
    }
    .max(start);
    match args[0] {
        Value::Array(a) => {
            let items = a.items()[start..end].to_vec();
            Ok(vm.new_array(items))
        }
        Value::Str(s) => Ok(vm.new_str(s.char_slice(start, end))),
        v => Err(expected("slice", "an array or a string", &v)),
    }
}
