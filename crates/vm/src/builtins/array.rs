//! Array builtins. Arrays are references: `push`, `pop`, `insert` and `remove_at` change
//! the array in place (and return it, or `[array, item]`, the shapes Ruff programs expect).
//! `sort`, `reverse`, `concat`, `enumerate`, `zip` and `range` build new arrays. The array
//! forms of `len`, `contains`, `index_of`, `remove`, `clear`, `slice` and `is_empty` live
//! in `generic.rs`; `min`/`max` in `math.rs`; `map`, `filter`, ... in the prelude.

use super::math::total_order;
use super::{array_arg, expected, int_arg, pair, pure, too_large, MAX_ARRAY_LEN, MAX_STR_BYTES};
use crate::interp_data::normalize_index;
use crate::native::{Arity, NativeResult};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    pure(vm, "push", Arity::exactly(2), push);
    pure(vm, "append", Arity::exactly(2), push);
    pure(vm, "pop", Arity::exactly(1), pop);
    pure(vm, "insert", Arity::exactly(3), insert);
    pure(vm, "remove_at", Arity::exactly(2), remove_at);
    pure(vm, "concat", Arity::exactly(2), concat);
    pure(vm, "sort", Arity::exactly(1), sort);
    pure(vm, "reverse", Arity::exactly(1), reverse);
    pure(vm, "sum", Arity::exactly(1), sum);
    pure(vm, "enumerate", Arity::exactly(1), enumerate);
    pure(vm, "zip", Arity::exactly(2), zip);
    pure(vm, "range", Arity::range(1, 3), range);
    pure(vm, "__check_callback", Arity::exactly(3), check_callback);
}

/// `push(arr, v)`: append in place; returns `arr`.
fn push(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("push", &args[0])?;
    vm.array_push(a, args[1])?;
    Ok(args[0])
}

/// `pop(arr)`: remove the last element in place; returns `[arr, last]`, or `[arr, 0]`
/// when `arr` is empty (as Ruff).
fn pop(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("pop", &args[0])?;
    let last = a.items_mut().pop().unwrap_or(Value::Int(0));
    Ok(pair(vm, args[0], last))
}

/// `insert(arr, i, v)`: a new array with `v` inserted before index `i` (0..=len; negative
/// counts from the end). The argument is not changed (as in Ruff).
fn insert(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("insert", &args[0])?;
    let i = int_arg("insert", &args[1])?;
    let len = a.len();
    let at = if i < 0 {
        i.checked_add(len as i64)
    } else {
        Some(i)
    };
    match at {
        Some(at) if at >= 0 && at as u64 <= len as u64 => {
            vm.heap.reserve_values(len + 1)?;
            let mut items = a.to_vec();
            items.insert(at as usize, args[2]);
            Ok(vm.new_array(items))
        }
        _ => Err(format!(
            "insert: Index out of bounds: index {i}, length {len}"
        )),
    }
}

/// `remove_at(arr, i)`: remove the element at `i` (negative counts from the end) in place;
/// returns `[arr, removed]`.
fn remove_at(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("remove_at", &args[0])?;
    let i = int_arg("remove_at", &args[1])?;
    let len = a.len();
    match normalize_index(i, len) {
        Some(j) => {
            let removed = a.items_mut().remove(j);
            Ok(pair(vm, args[0], removed))
        }
        None => Err(format!(
            "remove_at: Index out of bounds: index {i}, length {len}"
        )),
    }
}

/// `concat(a, b)`: a new array with the elements of `a` then `b` (two strings are joined).
fn concat(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match (args[0], args[1]) {
        (Value::Array(a), Value::Array(b)) => {
            vm.heap.reserve_values(a.len().saturating_add(b.len()))?;
            if a.len().saturating_add(b.len()) > MAX_ARRAY_LEN {
                return Err(too_large("concat"));
            }
            let mut items = Vec::with_capacity(a.len() + b.len());
            items.extend_from_slice(a.items());
            items.extend_from_slice(b.items());
            Ok(vm.new_array(items))
        }
        (Value::Str(a), Value::Str(b)) => {
            let (a, b) = (a.as_str(), b.as_str());
            vm.heap.reserve(a.len() + b.len())?;
            if a.len() + b.len() > MAX_STR_BYTES {
                return Err(too_large("concat"));
            }
            let mut s = String::with_capacity(a.len() + b.len());
            s.push_str(a);
            s.push_str(b);
            Ok(vm.new_str(s))
        }
        (Value::Array(_) | Value::Str(_), b) => {
            Err(expected("concat", "two arrays or two strings", &b))
        }
        (a, _) => Err(expected("concat", "two arrays or two strings", &a)),
    }
}

/// `sort(arr)`: a new array with the elements in ascending order. The elements must be
/// all numbers (ints and floats mix) or all strings. The sort is stable.
fn sort(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("sort", &args[0])?;
    let mut items = a.to_vec();
    let all_numbers = items
        .iter()
        .all(|v| matches!(v, Value::Int(_) | Value::Float(_)));
    let all_strings = items.iter().all(|v| matches!(v, Value::Str(_)));
    if !all_numbers && !all_strings {
        let odd = items
            .iter()
            .find(|v| !matches!(v, Value::Int(_) | Value::Float(_) | Value::Str(_)))
            .map(|v| v.type_name())
            .unwrap_or("a mix of numbers and strings");
        return Err(format!(
            "sort expects an array of numbers or of strings, got {odd}"
        ));
    }
    // Every pair is comparable now, and `total_order` is a total order on them.
    items.sort_by(|x, y| total_order(*x, *y).unwrap_or(std::cmp::Ordering::Equal));
    Ok(vm.new_array(items))
}

/// `reverse(arr)`: a new array with the elements in reverse order (a string is reversed
/// by characters).
fn reverse(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Array(a) => {
            let mut items = a.to_vec();
            items.reverse();
            Ok(vm.new_array(items))
        }
        Value::Str(s) => {
            let r: String = s.as_str().chars().rev().collect();
            Ok(vm.new_str(r))
        }
        v => Err(expected("reverse", "an array or a string", &v)),
    }
}

/// `sum(arr)`: an int while every element is an int (checked), a float once any is.
fn sum(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("sum", &args[0])?;
    let mut int_total: i64 = 0;
    let mut float_total: Option<f64> = None;
    for v in a.items() {
        match (*v, float_total.as_mut()) {
            (Value::Int(i), None) => {
                int_total = int_total
                    .checked_add(i)
                    .ok_or_else(|| "Integer overflow".to_string())?;
            }
            (Value::Int(i), Some(f)) => *f += i as f64,
            (Value::Float(x), None) => float_total = Some(int_total as f64 + x),
            (Value::Float(x), Some(f)) => *f += x,
            (other, _) => {
                return Err(format!(
                    "sum expects an array of numbers, got an element of type {}",
                    other.type_name()
                ))
            }
        }
    }
    Ok(match float_total {
        Some(f) => Value::Float(f),
        None => Value::Int(int_total),
    })
}

/// `enumerate(arr)`: `[[0, a], [1, b], ...]`.
fn enumerate(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("enumerate", &args[0])?;
    let pairs = a
        .items()
        .iter()
        .enumerate()
        .map(|(i, &v)| pair(vm, Value::Int(i as i64), v))
        .collect();
    Ok(vm.new_array(pairs))
}

/// `zip(a, b)`: `[[a0, b0], [a1, b1], ...]`, as long as the shorter array.
fn zip(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("zip", &args[0])?;
    let b = array_arg("zip", &args[1])?;
    let pairs = a
        .items()
        .iter()
        .zip(b.items())
        .map(|(&x, &y)| pair(vm, x, y))
        .collect();
    Ok(vm.new_array(pairs))
}

/// `range(end)`, `range(start, end)`, `range(start, end, step)`: the ints from `start`
/// (default 0) up to but excluding `end`, by `step` (default 1; negative counts down).
/// Empty when the bounds are the wrong way round.
fn range(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let nums = args
        .iter()
        .map(|v| match v {
            Value::Int(i) => Ok(*i),
            _ => Err(expected("range", "int arguments", v)),
        })
        .collect::<Result<Vec<i64>, String>>()?;
    let (start, end, step) = match nums[..] {
        [end] => (0, end, 1),
        [start, end] => (start, end, 1),
        [start, end, step] => (start, end, step),
        _ => return Err("range expects 1 to 3 arguments".to_string()),
    };
    if step == 0 {
        return Err("range: step cannot be zero".to_string());
    }
    let (start, end, step) = (start as i128, end as i128, step as i128);
    let count = if step > 0 && start < end {
        (end - start + step - 1) / step
    } else if step < 0 && start > end {
        (start - end + (-step) - 1) / (-step)
    } else {
        0
    };
    vm.heap
        .reserve_values(usize::try_from(count).unwrap_or(usize::MAX))?;
    if count > MAX_ARRAY_LEN as i128 {
        return Err(too_large("range"));
    }
    // Every element lies between start and end, so it fits in an i64.
    let items = (0..count)
        .map(|k| Value::Int((start + k * step) as i64))
        .collect();
    Ok(vm.new_array(items))
}

/// `__check_callback(name, arr, f)`: the argument check of the prelude's `map`, `filter`,
/// `reduce`, `find`, `any` and `all` (written in Ruff, they cannot test types as cheaply).
fn check_callback(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let name = args[0].as_str().unwrap_or("?");
    if !matches!(args[1], Value::Array(_)) {
        return Err(expected(name, "an array", &args[1]));
    }
    if !matches!(args[2], Value::Closure(_) | Value::Native(_)) {
        return Err(expected(name, "a function", &args[2]));
    }
    Ok(Value::Null)
}
