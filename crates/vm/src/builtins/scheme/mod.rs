//! The Scheme runtime library: the natives of the `.scm` / `.jue` dialect, registered in the
//! `"scheme"` global namespace. Procedures that call back into script code (`map`,
//! `for-each`, `dynamic-wind`, `call/cc`, ...) are written in Scheme, in the tandem crate's
//! `prelude.scm`, on top of the `%`-prefixed helpers defined here.
//!
//! One area per module: `numbers`, `lists` (pairs, lists, equivalence), `chars_strings`
//! (characters, strings, symbols), `vectors` (vectors and bytevectors), `printer` (the
//! `display`/`write` notation), `output` (the output procedures and string ports), `control`
//! (values, errors and `raise`, promises, escapes, capabilities and Jue tiers), `hashtables`
//! (SRFI-69 tables, also behind the `TABLEREF`/`TABLESET` instructions) and `host`
//! (`ffi-call`).

use crate::native::{Arity, Caps, NativeDef, NativeFn, NativeResult};
use crate::object::{Array, Bytevector, Pair, Str, StructType};
use crate::value::{Gc, Value};
use crate::vm::Vm;

pub mod chars_strings;
pub mod control;
pub mod hashtables;
mod host;
pub mod lists;
pub mod numbers;
pub mod output;
pub mod printer;
pub mod vectors;

pub use printer::{write_jue, write_scheme};

/// The namespace the Scheme library lives in.
pub const NS: &str = "scheme";

/// Register the Scheme library in `vm`.
pub fn install(vm: &mut Vm) {
    numbers::install(vm);
    lists::install(vm);
    chars_strings::install(vm);
    vectors::install(vm);
    output::install(vm);
    control::install(vm);
    hashtables::install(vm);
    host::install(vm);
}

/// Register a Scheme native that needs no capability.
pub(crate) fn reg(vm: &mut Vm, name: &str, arity: Arity, f: NativeFn) {
    vm.register_in(NS, NativeDef::new(name, arity, Caps::NONE, f));
}

/// The name of a hidden global: library state such as the private struct types of promises
/// and ports. It lives in the shared namespace, where Scheme code never looks names up (a
/// Scheme `|% scheme port|` is an identifier, but one of the program's own namespaces), under
/// a name with a space, which a Ruff identifier cannot have: no script can read or replace
/// it. The name is the whole key of the global table, so a lookup (on every `force`, port
/// write, ...) hashes it and allocates nothing.
pub(crate) type Hidden = &'static str;

/// Create a struct type private to the Scheme library, rooted in the hidden global `key`.
pub(crate) fn make_hidden_type(
    vm: &mut Vm,
    key: Hidden,
    name: &str,
    fields: &[&str],
) -> Gc<StructType> {
    debug_assert!(
        key.contains(' '),
        "a hidden name must not be a Ruff identifier"
    );
    let ty = vm.heap.alloc_struct_type(StructType::new(
        name,
        fields.iter().map(|f| (*f).into()).collect(),
    ));
    set_hidden(vm, key, Value::StructType(ty));
    ty
}

/// A struct type created by [`make_hidden_type`].
pub(crate) fn hidden_type(vm: &Vm, key: Hidden) -> Option<Gc<StructType>> {
    match get_hidden(vm, key) {
        Value::StructType(t) => Some(t),
        _ => None,
    }
}

pub(crate) fn set_hidden(vm: &mut Vm, key: Hidden, v: Value) {
    let slot = vm.globals.slot(key);
    vm.globals.values[slot as usize] = v;
}

pub(crate) fn get_hidden(vm: &Vm, key: Hidden) -> Value {
    match vm.globals.lookup_static(key) {
        Some(slot) => vm.globals.values[slot as usize],
        None => Value::Undef,
    }
}

/// Is `v` an instance of the hidden struct type `key`?
pub(crate) fn is_hidden_instance(vm: &Vm, v: Value, key: Hidden) -> bool {
    match v {
        Value::Struct(inst) => hidden_type(vm, key).is_some_and(|ty| inst.ty == ty),
        _ => false,
    }
}

/// A short written form of `v`, for error messages.
pub(crate) fn show(vm: &Vm, v: Value) -> String {
    let mut s = String::new();
    printer::write_limited(vm, v, true, &mut s, 200);
    s
}

/// `NAME: expected WHAT, got VALUE`.
pub(crate) fn wrong(vm: &Vm, name: &str, what: &str, got: Value) -> String {
    format!("{name}: expected {what}, got {}", show(vm, got))
}

/// The elements of a proper list.
pub(crate) fn list_vec(vm: &Vm, name: &str, v: Value) -> Result<Vec<Value>, String> {
    Vm::list_elements(v, super::MAX_ARRAY_LEN).map_err(|tail| match tail {
        None => format!("{name}: the list is too long (or circular)"),
        Some(_) => wrong(vm, name, "a proper list", v),
    })
}

/// Cycle detection for a walk down a list's cdrs (Floyd's: a second cursor follows at half
/// speed, and the walker meets it exactly when the list is circular). The walk stops within
/// about twice the length of the list's prefix and cycle, so a native never loops forever.
pub(crate) struct CycleCheck {
    slow: Value,
    steps: u64,
}

impl CycleCheck {
    /// For a walk starting at `start`.
    pub(crate) fn new(start: Value) -> CycleCheck {
        CycleCheck {
            slow: start,
            steps: 0,
        }
    }

    /// Record one move of the walker, to `cur`. True when the list is circular (`cur` is
    /// then on the cycle).
    pub(crate) fn circular(&mut self, cur: Value) -> bool {
        self.steps += 1;
        if self.steps.is_multiple_of(2) {
            if let Value::Pair(p) = self.slow {
                self.slow = p.cdr.get();
            }
        }
        matches!((cur, self.slow), (Value::Pair(a), Value::Pair(b)) if Gc::ptr_eq(a, b))
    }
}

/// A comparison chain `(op a b c ...)`: true when every neighbouring pair of arguments, as
/// `arg` reads them, satisfies `ok`. Every argument is read (and so type-checked), also after
/// a pair has failed.
pub(crate) fn chain<'a, T>(
    args: &'a [Value],
    arg: impl Fn(&'a Value) -> Result<T, String>,
    ok: impl Fn(&T, &T) -> bool,
) -> NativeResult {
    let Some((first, rest)) = args.split_first() else {
        return Ok(Value::Bool(true));
    };
    let mut prev = arg(first)?;
    let mut all = true;
    for a in rest {
        let cur = arg(a)?;
        all &= ok(&prev, &cur);
        prev = cur;
    }
    Ok(Value::Bool(all))
}

/// An exact integer argument.
pub(crate) fn int(vm: &Vm, name: &str, v: Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(wrong(vm, name, "an integer", v)),
    }
}

/// A non-negative index argument below `len` (or up to `len` when `inclusive`).
pub(crate) fn index(
    vm: &Vm,
    name: &str,
    v: Value,
    len: usize,
    inclusive: bool,
) -> Result<usize, String> {
    let i = match v {
        Value::Int(i) => i,
        _ => return Err(wrong(vm, name, "an exact integer index", v)),
    };
    let ok = i >= 0 && (i as u64) < len as u64 + u64::from(inclusive);
    if ok {
        Ok(i as usize)
    } else {
        Err(format!("{name}: index {i} out of range (length {len})"))
    }
}

/// Optional `[start [end]]` arguments at `args[at..]` for a sequence of length `len`.
pub(crate) fn range(
    vm: &Vm,
    name: &str,
    args: &[Value],
    at: usize,
    len: usize,
) -> Result<(usize, usize), String> {
    let start = match args.get(at) {
        Some(&v) => index(vm, name, v, len, true)?,
        None => 0,
    };
    let end = match args.get(at + 1) {
        Some(&v) => index(vm, name, v, len, true)?,
        None => len,
    };
    if start > end {
        return Err(format!("{name}: start {start} is after end {end}"));
    }
    Ok((start, end))
}

/// A string argument.
pub(crate) fn str_arg<'a>(vm: &Vm, name: &str, v: &'a Value) -> Result<&'a str, String> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        _ => Err(wrong(vm, name, "a string", *v)),
    }
}

/// A string argument as the object (for indexing by character).
pub(crate) fn str_obj_arg<'a>(vm: &Vm, name: &str, v: &'a Value) -> Result<&'a Str, String> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(wrong(vm, name, "a string", *v)),
    }
}

/// A character argument.
pub(crate) fn char_arg(vm: &Vm, name: &str, v: Value) -> Result<char, String> {
    match v {
        Value::Char(c) => Ok(c),
        _ => Err(wrong(vm, name, "a character", v)),
    }
}

/// A symbol argument (its id).
pub(crate) fn symbol_arg(vm: &Vm, name: &str, v: Value) -> Result<u32, String> {
    match v {
        Value::Symbol(id) => Ok(id),
        _ => Err(wrong(vm, name, "a symbol", v)),
    }
}

/// The text of a name given as a symbol or a string; `None` for any other value.
pub(crate) fn name_text(vm: &Vm, v: Value) -> Option<String> {
    match v {
        Value::Symbol(id) => Some(vm.heap.symbol_name(id).to_string()),
        Value::Str(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

/// A pair argument.
pub(crate) fn pair_arg(vm: &Vm, name: &str, v: Value) -> Result<Gc<Pair>, String> {
    match v {
        Value::Pair(p) => Ok(p),
        _ => Err(wrong(vm, name, "a pair", v)),
    }
}

/// A vector argument.
pub(crate) fn vec_arg(vm: &Vm, name: &str, v: Value) -> Result<Gc<Array>, String> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(wrong(vm, name, "a vector", v)),
    }
}

/// A bytevector argument.
pub(crate) fn bytes_arg(vm: &Vm, name: &str, v: Value) -> Result<Gc<Bytevector>, String> {
    match v {
        Value::Bytes(b) => Ok(b),
        _ => Err(wrong(vm, name, "a bytevector", v)),
    }
}

/// A length (or count) argument: an exact integer from 0 to `max`.
pub(crate) fn length_arg(vm: &Vm, name: &str, v: Value, max: usize) -> Result<usize, String> {
    match v {
        Value::Int(n) if n >= 0 && n as u64 <= max as u64 => Ok(n as usize),
        Value::Int(n) if n >= 0 => Err(format!(
            "{name}: length {n} is too large (the limit is {max})"
        )),
        _ => Err(wrong(vm, name, "a non-negative length", v)),
    }
}
