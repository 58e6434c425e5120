//! String builtins. Positions count characters (Unicode scalar values), the unit `s[i]`
//! and `for c in s` use. (Two exceptions, kept from Ruff: `len(s)` counts UTF-8 bytes and
//! `index_of(s, sub)` returns a byte offset; for ASCII text these agree.) The string forms
//! of the polymorphic `len`, `contains`, `index_of`, `is_empty` and `slice` live in
//! `generic.rs`.

use super::{
    array_arg, clamp_index, int_arg, pure, str_arg, str_arg_as, str_obj_arg, too_large,
    MAX_ARRAY_LEN, MAX_STR_BYTES,
};
use crate::format;
use crate::native::{Arity, NativeResult};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    pure(vm, "upper", Arity::exactly(1), upper);
    pure(vm, "to_upper", Arity::exactly(1), upper);
    pure(vm, "lower", Arity::exactly(1), lower);
    pure(vm, "to_lower", Arity::exactly(1), lower);
    pure(vm, "capitalize", Arity::exactly(1), capitalize);
    pure(vm, "trim", Arity::exactly(1), |vm, a| {
        trim_with(vm, "trim", a[0], str::trim)
    });
    pure(vm, "trim_start", Arity::exactly(1), |vm, a| {
        trim_with(vm, "trim_start", a[0], str::trim_start)
    });
    pure(vm, "trim_end", Arity::exactly(1), |vm, a| {
        trim_with(vm, "trim_end", a[0], str::trim_end)
    });
    pure(vm, "split", Arity::exactly(2), split);
    pure(vm, "join", Arity::exactly(2), join);
    pure(vm, "replace", Arity::exactly(3), replace);
    pure(vm, "starts_with", Arity::exactly(2), starts_with);
    pure(vm, "ends_with", Arity::exactly(2), ends_with);
    pure(vm, "substring", Arity::exactly(3), substring);
    pure(vm, "char_at", Arity::exactly(2), char_at);
    pure(vm, "count_chars", Arity::exactly(1), count_chars);
    pure(vm, "repeat", Arity::exactly(2), repeat);
    pure(vm, "str_reverse", Arity::exactly(1), str_reverse);
}

/// Return `s` itself when unchanged, else a new string.
fn str_result(vm: &mut Vm, original: Value, s: &str, new: String) -> Value {
    if s == new {
        original
    } else {
        vm.new_str(new)
    }
}

fn upper(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("upper", &args[0])?;
    let u = s.to_uppercase();
    Ok(str_result(vm, args[0], s, u))
}

fn lower(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("lower", &args[0])?;
    let l = s.to_lowercase();
    Ok(str_result(vm, args[0], s, l))
}

/// `capitalize(s)`: the first character upper-cased and the rest lower-cased (as Ruff).
fn capitalize(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("capitalize", &args[0])?;
    let mut chars = s.chars();
    let out = match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(&chars.as_str().to_lowercase());
            out
        }
        None => String::new(),
    };
    Ok(str_result(vm, args[0], s, out))
}

/// `trim`, `trim_start`, `trim_end`: `s` without the whitespace `f` cuts; `s` itself when
/// there is none.
fn trim_with(vm: &mut Vm, name: &str, v: Value, f: fn(&str) -> &str) -> NativeResult {
    let s = str_arg(name, &v)?;
    let t = f(s);
    Ok(if t.len() == s.len() { v } else { vm.new_str(t) })
}

/// `split(s, sep)`: the pieces between occurrences of `sep` (empty pieces kept). As in
/// Ruff, an empty separator matches at every character boundary:
/// `split("abc", "")` is `["", "a", "b", "c", ""]`.
fn split(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("split", &args[0])?;
    let sep = str_arg_as("split", "a string separator", &args[1])?;
    // Count first: an empty separator makes a piece per character, and each piece is a
    // heap string. A one-byte separator is counted and found byte by byte (a memchr-like
    // scan), not with the general substring search.
    let byte = match sep.as_bytes() {
        &[b] if b.is_ascii() => Some(b),
        _ => None,
    };
    let pieces = match byte {
        _ if sep.is_empty() => s.chars().count() + 2,
        Some(b) => s.bytes().filter(|&x| x == b).count() + 1,
        None => s.matches(sep).count() + 1,
    };
    vm.heap.reserve_values(pieces.saturating_mul(3))?;
    if pieces > MAX_ARRAY_LEN {
        return Err(too_large("split"));
    }
    let mut items = Vec::with_capacity(pieces);
    match byte {
        Some(b) => {
            let mut start = 0;
            for (i, &x) in s.as_bytes().iter().enumerate() {
                if x == b {
                    // An ASCII byte is a character boundary on both sides.
                    items.push(vm.new_str(&s[start..i]));
                    start = i + 1;
                }
            }
            items.push(vm.new_str(&s[start..]));
        }
        None => items.extend(s.split(sep).map(|p| vm.new_str(p))),
    }
    Ok(vm.new_array(items))
}

/// `join(arr, sep)`: the display forms of the elements, separated by `sep`.
fn join(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = array_arg("join", &args[0])?;
    let sep = str_arg_as("join", "a string separator", &args[1])?;
    let items = a.items();
    // Room for the strings and separators up front (what a join of strings needs exactly,
    // so the text is never copied to grow it), within what the checks below allow.
    let strs: usize = items
        .iter()
        .map(|v| match v {
            Value::Str(s) => s.as_str().len(),
            _ => 0,
        })
        .sum();
    let want = strs.saturating_add(sep.len().saturating_mul(items.len().saturating_sub(1)));
    let room = vm.heap.room().unwrap_or(usize::MAX).min(MAX_STR_BYTES);
    let mut out = String::with_capacity(want.min(room));
    for (i, &v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match v {
            Value::Str(s) => out.push_str(s.as_str()),
            _ => format::write_display(vm, v, &mut out),
        }
        vm.heap.reserve(out.len())?;
        if out.len() > MAX_STR_BYTES {
            return Err(too_large("join"));
        }
    }
    Ok(vm.new_str(out))
}

/// `replace(s, old, new)`: every occurrence of `old` replaced by `new`.
fn replace(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("replace", &args[0])?;
    let old = str_arg_as("replace", "a string to search for", &args[1])?;
    let new = str_arg_as("replace", "a string replacement", &args[2])?;
    let count = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(old).count()
    };
    // Matches do not overlap, so `count * old.len() <= s.len()`.
    let kept = s.len() - count * old.len();
    let size = count
        .checked_mul(new.len())
        .and_then(|n| n.checked_add(kept));
    vm.heap.reserve(size.unwrap_or(usize::MAX))?;
    match size {
        Some(n) if n <= MAX_STR_BYTES => {}
        _ => return Err(too_large("replace")),
    }
    let out = s.replace(old, new);
    Ok(str_result(vm, args[0], s, out))
}

fn starts_with(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("starts_with", &args[0])?;
    let p = str_arg_as("starts_with", "a string prefix", &args[1])?;
    Ok(Value::Bool(s.starts_with(p)))
}

fn ends_with(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("ends_with", &args[0])?;
    let p = str_arg_as("ends_with", "a string suffix", &args[1])?;
    Ok(Value::Bool(s.ends_with(p)))
}

/// `substring(s, start, end)`: characters `start..end`, both clamped to the string (a
/// negative bound counts as 0); empty when `end <= start`.
fn substring(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_obj_arg("substring", &args[0])?;
    let start = int_arg("substring", &args[1])?.max(0);
    let end = int_arg("substring", &args[2])?.max(0);
    let sub = s.char_slice(clamp_index(start), clamp_index(end));
    Ok(vm.new_str(sub))
}

/// `char_at(s, i)`: the character at `i`, or `""` when `i` is out of range (negative too).
fn char_at(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_obj_arg("char_at", &args[0])?;
    let i = int_arg("char_at", &args[1])?;
    match usize::try_from(i).ok().and_then(|i| s.char_at(i)) {
        Some(c) => Ok(vm.char_str(c)),
        None => Ok(vm.new_str("")),
    }
}

fn count_chars(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_obj_arg("count_chars", &args[0])?;
    Ok(Value::Int(s.char_len() as i64))
}

/// `repeat(s, n)`: `s` repeated `n` times (`""` when `n <= 0`).
fn repeat(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("repeat", &args[0])?;
    let n = int_arg("repeat", &args[1])?.max(0);
    let n = usize::try_from(n).map_err(|_| too_large("repeat"))?;
    vm.heap.reserve(s.len().saturating_mul(n))?;
    match s.len().checked_mul(n) {
        Some(total) if total <= MAX_STR_BYTES => Ok(vm.new_str(s.repeat(n))),
        _ => Err(too_large("repeat")),
    }
}

fn str_reverse(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg("str_reverse", &args[0])?;
    let r: String = s.chars().rev().collect();
    Ok(vm.new_str(r))
}
