//! Characters, strings (immutable, indexed by character) and symbols.

use super::super::{char_len, too_large, MAX_ARRAY_LEN, MAX_STR_BYTES};
use super::{
    chain, char_arg, length_arg, list_vec, range, reg, str_arg, str_obj_arg, symbol_arg, vec_arg,
    wrong,
};
use crate::native::{Arity, NativeResult};
use crate::object::Str;
use crate::value::Value;
use crate::vm::Vm;
use std::cmp::Ordering;

pub fn install(vm: &mut Vm) {
    let one = Arity::exactly(1);
    let cmp = Arity::at_least(1);
    reg(vm, "char?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Char(_))))
    });
    reg(vm, "char->integer", one, |vm, a| {
        Ok(Value::Int(char_arg(vm, "char->integer", a[0])? as i64))
    });
    reg(vm, "integer->char", one, integer_to_char);
    reg(vm, "char-upcase", one, |vm, a| {
        char_map(vm, "char-upcase", a[0], upcase)
    });
    reg(vm, "char-downcase", one, |vm, a| {
        char_map(vm, "char-downcase", a[0], downcase)
    });
    reg(vm, "char-foldcase", one, |vm, a| {
        char_map(vm, "char-foldcase", a[0], downcase)
    });
    reg(vm, "char-alphabetic?", one, |vm, a| {
        char_test(vm, "char-alphabetic?", a[0], char::is_alphabetic)
    });
    reg(vm, "char-numeric?", one, |vm, a| {
        char_test(vm, "char-numeric?", a[0], char::is_numeric)
    });
    reg(vm, "char-whitespace?", one, |vm, a| {
        char_test(vm, "char-whitespace?", a[0], char::is_whitespace)
    });
    reg(vm, "char-upper-case?", one, |vm, a| {
        char_test(vm, "char-upper-case?", a[0], char::is_uppercase)
    });
    reg(vm, "char-lower-case?", one, |vm, a| {
        char_test(vm, "char-lower-case?", a[0], char::is_lowercase)
    });
    reg(vm, "digit-value", one, |vm, a| {
        Ok(match char_arg(vm, "digit-value", a[0])?.to_digit(10) {
            Some(d) => Value::Int(d as i64),
            None => Value::Bool(false),
        })
    });
    reg(vm, "char=?", cmp, |vm, a| {
        char_cmp(vm, "char=?", a, false, |o| o.is_eq())
    });
    reg(vm, "char<?", cmp, |vm, a| {
        char_cmp(vm, "char<?", a, false, |o| o.is_lt())
    });
    reg(vm, "char>?", cmp, |vm, a| {
        char_cmp(vm, "char>?", a, false, |o| o.is_gt())
    });
    reg(vm, "char<=?", cmp, |vm, a| {
        char_cmp(vm, "char<=?", a, false, |o| o.is_le())
    });
    reg(vm, "char>=?", cmp, |vm, a| {
        char_cmp(vm, "char>=?", a, false, |o| o.is_ge())
    });
    reg(vm, "char-ci=?", cmp, |vm, a| {
        char_cmp(vm, "char-ci=?", a, true, |o| o.is_eq())
    });
    reg(vm, "char-ci<?", cmp, |vm, a| {
        char_cmp(vm, "char-ci<?", a, true, |o| o.is_lt())
    });

    reg(vm, "string?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Str(_))))
    });
    reg(vm, "string-length", one, |vm, a| string_length_of(vm, a[0]));
    reg(vm, "string-ref", Arity::exactly(2), |vm, a| {
        string_ref_of(vm, a[0], a[1])
    });
    reg(vm, "substring", Arity::range(2, 3), |vm, a| {
        copy_range(vm, "substring", a, true)
    });
    reg(vm, "string-copy", Arity::range(1, 3), |vm, a| {
        copy_range(vm, "string-copy", a, false)
    });
    reg(vm, "string-append", Arity::at_least(0), string_append);
    reg(vm, "string", Arity::at_least(0), string);
    reg(vm, "make-string", Arity::range(1, 2), make_string);
    reg(vm, "string->list", Arity::range(1, 3), string_to_list);
    reg(vm, "list->string", one, list_to_string);
    reg(vm, "string->vector", Arity::range(1, 3), string_to_vector);
    reg(vm, "vector->string", Arity::range(1, 3), vector_to_string);
    reg(vm, "string->symbol", one, |vm, a| {
        let s = str_arg(vm, "string->symbol", &a[0])?.to_string();
        Ok(Value::Symbol(vm.heap.intern(&s)))
    });
    reg(vm, "symbol->string", one, |vm, a| {
        let id = symbol_arg(vm, "symbol->string", a[0])?;
        let name = vm.heap.symbol_name(id).to_string();
        Ok(vm.new_str(name))
    });
    reg(vm, "symbol?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Symbol(_))))
    });
    reg(vm, "symbol=?", cmp, symbol_eq);
    reg(vm, "string=?", cmp, |vm, a| {
        str_cmp(vm, "string=?", a, false, |o| o.is_eq())
    });
    reg(vm, "string<?", cmp, |vm, a| {
        str_cmp(vm, "string<?", a, false, |o| o.is_lt())
    });
    reg(vm, "string>?", cmp, |vm, a| {
        str_cmp(vm, "string>?", a, false, |o| o.is_gt())
    });
    reg(vm, "string<=?", cmp, |vm, a| {
        str_cmp(vm, "string<=?", a, false, |o| o.is_le())
    });
    reg(vm, "string>=?", cmp, |vm, a| {
        str_cmp(vm, "string>=?", a, false, |o| o.is_ge())
    });
    reg(vm, "string-ci=?", cmp, |vm, a| {
        str_cmp(vm, "string-ci=?", a, true, |o| o.is_eq())
    });
    reg(vm, "string-ci<?", cmp, |vm, a| {
        str_cmp(vm, "string-ci<?", a, true, |o| o.is_lt())
    });
    reg(vm, "string-upcase", one, |vm, a| {
        let s = str_arg(vm, "string-upcase", &a[0])?.to_uppercase();
        Ok(vm.new_str(s))
    });
    reg(vm, "string-downcase", one, |vm, a| {
        let s = str_arg(vm, "string-downcase", &a[0])?.to_lowercase();
        Ok(vm.new_str(s))
    });
    reg(vm, "string-foldcase", one, |vm, a| {
        let s = str_arg(vm, "string-foldcase", &a[0])?.to_lowercase();
        Ok(vm.new_str(s))
    });
    reg(vm, "string-null?", one, |vm, a| {
        Ok(Value::Bool(str_arg(vm, "string-null?", &a[0])?.is_empty()))
    });
    reg(vm, "string-index", Arity::exactly(2), string_index);
    reg(vm, "string-contains", Arity::exactly(2), string_contains);
    reg(vm, "string-join", Arity::range(1, 2), string_join);
    reg(vm, "string-split", Arity::exactly(2), string_split);
    reg(vm, "string-reverse", one, |vm, a| {
        let s: String = str_arg(vm, "string-reverse", &a[0])?
            .chars()
            .rev()
            .collect();
        Ok(vm.new_str(s))
    });
}

/// A character predicate: `(char-alphabetic? c)`, ...
fn char_test(vm: &Vm, name: &str, v: Value, test: fn(char) -> bool) -> NativeResult {
    Ok(Value::Bool(test(char_arg(vm, name, v)?)))
}

/// A character mapping: `(char-upcase c)`, ...
fn char_map(vm: &Vm, name: &str, v: Value, f: fn(char) -> char) -> NativeResult {
    Ok(Value::Char(f(char_arg(vm, name, v)?)))
}

fn upcase(c: char) -> char {
    let mut u = c.to_uppercase();
    match (u.next(), u.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn downcase(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn integer_to_char(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Int(i) if (0..=0x10FFFF).contains(&i) => char::from_u32(i as u32)
            .map(Value::Char)
            .ok_or_else(|| format!("integer->char: {i} is not a Unicode scalar value")),
        v => Err(wrong(vm, "integer->char", "a Unicode scalar value", v)),
    }
}

/// `(char=? a b)`, shared by the native and the `CHAREQ` instruction.
pub(crate) fn char_eq_of(vm: &Vm, a: Value, b: Value) -> NativeResult {
    char_cmp(vm, "char=?", &[a, b], false, |o| o.is_eq())
}

fn char_cmp(
    vm: &Vm,
    name: &str,
    args: &[Value],
    fold: bool,
    ok: fn(Ordering) -> bool,
) -> NativeResult {
    let arg = |v: &Value| {
        let c = char_arg(vm, name, *v)?;
        Ok(if fold { downcase(c) } else { c })
    };
    chain(args, arg, |a, b| ok(a.cmp(b)))
}

fn str_cmp(
    vm: &Vm,
    name: &str,
    args: &[Value],
    fold: bool,
    ok: fn(Ordering) -> bool,
) -> NativeResult {
    let arg = |v| str_arg(vm, name, v);
    if fold {
        chain(args, arg, |a, b| ok(cmp_folded(a, b)))
    } else {
        chain(args, arg, |a, b| ok(a.cmp(b)))
    }
}

/// Compare two strings as `string-foldcase` would leave them (without a copy for ASCII).
fn cmp_folded(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.bytes(), b.bytes());
        a.map(|c| c.to_ascii_lowercase())
            .cmp(b.map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

fn symbol_eq(vm: &mut Vm, args: &[Value]) -> NativeResult {
    chain(args, |v| symbol_arg(vm, "symbol=?", *v), |a, b| a == b)
}

/// `(string-ref s i)`: the native and the `STRREF` instruction.
pub(crate) fn string_ref_of(vm: &Vm, s: Value, i: Value) -> NativeResult {
    let s = str_obj_arg(vm, "string-ref", &s)?;
    let i = super::index(vm, "string-ref", i, s.char_len(), false)?;
    Ok(Value::Char(s.char_at(i).unwrap_or('\0')))
}

/// `(string-length s)`: the native and the `STRLEN` instruction.
pub(crate) fn string_length_of(vm: &Vm, s: Value) -> NativeResult {
    Ok(Value::Int(
        str_obj_arg(vm, "string-length", &s)?.char_len() as i64
    ))
}

/// The characters `[start, end)` of a string as a new string; with `share_whole`, the string
/// itself when that is all of it.
fn copy_range(vm: &mut Vm, name: &str, args: &[Value], share_whole: bool) -> NativeResult {
    let s = str_obj_arg(vm, name, &args[0])?;
    let len = s.char_len();
    let (start, end) = range(vm, name, args, 1, len)?;
    if share_whole && start == 0 && end == len {
        return Ok(args[0]);
    }
    let sub = s.char_slice(start, end);
    Ok(vm.new_str(sub))
}

fn string_append(vm: &mut Vm, args: &[Value]) -> NativeResult {
    // The checks first, part by part (the same errors in the same order as appending),
    // then the text built once at its final size.
    let mut len = 0;
    for a in args {
        let part = str_arg(vm, "string-append", a)?;
        vm.heap.reserve(len + part.len())?;
        if len + part.len() > MAX_STR_BYTES {
            return Err(too_large("string-append"));
        }
        len += part.len();
    }
    let s = Str::concat_strs(len, args.iter().filter_map(|a| a.as_str()));
    Ok(Value::Str(vm.heap.alloc_str_obj(s)))
}

fn string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    chars_to_string(vm, "string", args)
}

fn make_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    // A character takes up to 4 bytes.
    let width = match args.get(1) {
        Some(Value::Char(c)) => c.len_utf8(),
        _ => 1,
    };
    super::super::room_for(vm, args[0], width)?;
    let n = length_arg(vm, "make-string", args[0], MAX_STR_BYTES / 4)?;
    let c = match args.get(1) {
        Some(&v) => char_arg(vm, "make-string", v)?,
        None => ' ',
    };
    let s: String = std::iter::repeat_n(c, n).collect();
    Ok(vm.new_str(s))
}

/// The characters `[start, end)` of the string argument, as values.
fn chars_in_range(vm: &Vm, name: &str, args: &[Value]) -> Result<Vec<Value>, String> {
    let s = str_obj_arg(vm, name, &args[0])?;
    let (start, end) = range(vm, name, args, 1, s.char_len())?;
    if end - start > MAX_ARRAY_LEN {
        return Err(too_large(name));
    }
    let sub = s.char_slice(start, end);
    Ok(sub.chars().map(Value::Char).collect())
}

fn string_to_list(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let chars = chars_in_range(vm, "string->list", args)?;
    Ok(vm.new_list(&chars))
}

fn string_to_vector(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let chars = chars_in_range(vm, "string->vector", args)?;
    Ok(vm.new_array(chars))
}

/// A new string of the characters `items` (each checked), built at its final size: inline
/// when short, with no text buffer made and dropped.
fn chars_to_string(vm: &mut Vm, name: &str, items: &[Value]) -> NativeResult {
    let mut len = 0;
    for &v in items {
        match v {
            Value::Char(c) => len += c.len_utf8(),
            _ => return Err(char_arg(vm, name, v).err().unwrap_or_default()),
        }
    }
    let chars = items.iter().filter_map(|v| match v {
        Value::Char(c) => Some(*c),
        _ => None,
    });
    Ok(Value::Str(
        vm.heap.alloc_str_obj(Str::from_chars(len, chars)),
    ))
}

fn list_to_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let items = list_vec(vm, "list->string", args[0])?;
    chars_to_string(vm, "list->string", &items)
}

fn vector_to_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = vec_arg(vm, "vector->string", args[0])?;
    let (start, end) = range(vm, "vector->string", args, 1, a.len())?;
    chars_to_string(vm, "vector->string", &a.items()[start..end])
}

/// `(string-index s char)`: the index of the first occurrence of `char`, or `#f`.
fn string_index(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg(vm, "string-index", &args[0])?;
    let c = char_arg(vm, "string-index", args[1])?;
    Ok(match s.chars().position(|x| x == c) {
        Some(i) => Value::Int(i as i64),
        None => Value::Bool(false),
    })
}

/// `(string-contains haystack needle)` (SRFI-13): the index of the first match, or `#f`.
fn string_contains(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let h = str_arg(vm, "string-contains", &args[0])?;
    let n = str_arg(vm, "string-contains", &args[1])?;
    Ok(match h.find(n) {
        Some(b) => Value::Int(char_len(&h[..b]) as i64),
        None => Value::Bool(false),
    })
}

/// `(string-join list [delimiter])`, delimiter defaulting to a space.
fn string_join(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let items = list_vec(vm, "string-join", args[0])?;
    let delim = match args.get(1) {
        Some(d) => str_arg(vm, "string-join", d)?,
        None => " ",
    };
    let parts: Vec<&str> = items
        .iter()
        .map(|v| str_arg(vm, "string-join", v))
        .collect::<Result<_, _>>()?;
    // Check the size before building: a few huge parts can ask for terabytes.
    let total = parts
        .iter()
        .try_fold(0usize, |n, p| n.checked_add(p.len()))
        .and_then(|n| n.checked_add(delim.len().checked_mul(parts.len().saturating_sub(1))?));
    if total.is_none_or(|n| n > MAX_STR_BYTES) {
        return Err(too_large("string-join"));
    }
    let s = parts.join(delim);
    Ok(vm.new_str(s))
}

/// `(string-split string char)`: the pieces between occurrences of `char`.
fn string_split(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = str_arg(vm, "string-split", &args[0])?;
    let c = char_arg(vm, "string-split", args[1])?;
    if s.matches(c).count() >= MAX_ARRAY_LEN {
        return Err(too_large("string-split"));
    }
    let items: Vec<Value> = s.split(c).map(|p| vm.new_str(p)).collect();
    Ok(vm.new_list(&items))
}
