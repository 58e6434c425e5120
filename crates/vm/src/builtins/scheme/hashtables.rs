//! SRFI-69-style hash tables for Scheme (`make-hash-table`, `hash-table-set!`, ...), backed
//! by the same dict type as Ruff dicts. Keys are exact integers, strings or symbols.

use super::{reg, show, wrong};
use crate::native::{Arity, NativeResult};
use crate::object::{Key, KeyRef};
use crate::value::{Gc, Value};
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    // The optional arguments (equivalence and hash procedures) are accepted and ignored:
    // keys are compared by value, which is `equal?` for the supported key types.
    reg(vm, "make-hash-table", Arity::range(0, 2), make);
    reg(vm, "hash-table?", Arity::exactly(1), is_table);
    reg(vm, "hash-table-set!", Arity::exactly(3), set);
    reg(vm, "hash-table-ref/default", Arity::exactly(3), ref_default);
    reg(vm, "hash-table-contains?", Arity::exactly(2), contains);
    reg(vm, "hash-table-exists?", Arity::exactly(2), contains);
    reg(vm, "hash-table-delete!", Arity::exactly(2), delete);
    reg(vm, "hash-table-size", Arity::exactly(1), size);
    reg(vm, "hash-table-count", Arity::exactly(1), size);
    reg(vm, "hash-table-keys", Arity::exactly(1), keys);
    reg(vm, "hash-table-values", Arity::exactly(1), values);
    reg(vm, "hash-table->alist", Arity::exactly(1), to_alist);
}

fn table(vm: &Vm, name: &str, v: Value) -> Result<Gc<crate::object::Dict>, String> {
    match v {
        Value::Dict(d) => Ok(d),
        other => Err(wrong(vm, name, "a hash table", other)),
    }
}

// Keys. The dict's own key type has ints and strings, and (for Ruff) reads a string that
// spells an int as that int; here each kind of Scheme key stays distinct: an exact integer
// is an int key, a string is a string key as it is (so "1" and 1 are different keys), and a
// symbol is a string key behind a NUL-and-tag prefix no plain string key has. A string that
// itself starts with NUL gets a prefix too, so no two Scheme keys meet.

/// The prefix of a symbol's key.
const SYMBOL: &str = "\0y";
/// The prefix of a key for a string that starts with NUL.
const NUL_STRING: &str = "\0s";

/// How a stored key prints in Ruff's notation (`format.rs` shows every dict's keys through
/// this): a symbol's or a NUL-led string's key without the prefix this file gives it. A dict
/// does not record which dialect filled it, so a Ruff key that happens to begin with one of
/// the prefixes (`"\0y..."`) is shown without it too.
pub fn key_shown(k: &str) -> &str {
    k.strip_prefix(SYMBOL)
        .or_else(|| k.strip_prefix(NUL_STRING))
        .unwrap_or(k)
}

/// The dict key of a Scheme key, built without allocating for ints, strings and symbols of
/// up to [`INLINE`] bytes.
enum TableKey<'a> {
    Borrowed(KeyRef<'a>),
    Inline([u8; INLINE], usize),
    Owned(String),
}

const INLINE: usize = 64;

impl TableKey<'_> {
    fn get(&self) -> KeyRef<'_> {
        match self {
            TableKey::Borrowed(k) => *k,
            // The buffer holds a prefix and a whole `&str`: valid UTF-8.
            TableKey::Inline(buf, n) => KeyRef::Str(std::str::from_utf8(&buf[..*n]).unwrap_or("")),
            TableKey::Owned(s) => KeyRef::Str(s),
        }
    }

    fn prefixed(prefix: &str, text: &str) -> TableKey<'static> {
        let n = prefix.len() + text.len();
        if n > INLINE {
            return TableKey::Owned(format!("{prefix}{text}"));
        }
        let mut buf = [0u8; INLINE];
        buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
        buf[prefix.len()..n].copy_from_slice(text.as_bytes());
        TableKey::Inline(buf, n)
    }
}

fn key<'a>(vm: &Vm, name: &str, v: &'a Value) -> Result<TableKey<'a>, String> {
    match v {
        Value::Int(i) => Ok(TableKey::Borrowed(KeyRef::Int(*i))),
        Value::Str(s) if s.as_str().starts_with('\0') => {
            Ok(TableKey::prefixed(NUL_STRING, s.as_str()))
        }
        Value::Str(s) => Ok(TableKey::Borrowed(KeyRef::Str(s.as_str()))),
        Value::Symbol(id) => Ok(TableKey::prefixed(SYMBOL, vm.heap.symbol_name(*id))),
        other => Err(format!(
            "{name}: hash table keys must be exact integers, strings or symbols, got {}",
            show(vm, *other)
        )),
    }
}

/// The Scheme value of a stored key.
fn key_value(vm: &mut Vm, k: &Key) -> Value {
    match k {
        Key::Int(i) => Value::Int(*i),
        Key::Str(s) => {
            if let Some(sym) = s.strip_prefix(SYMBOL) {
                Value::Symbol(vm.heap.intern(sym))
            } else {
                vm.new_str(s.strip_prefix(NUL_STRING).unwrap_or(s))
            }
        }
    }
}

fn make(vm: &mut Vm, _args: &[Value]) -> NativeResult {
    Ok(vm.new_dict(Default::default()))
}

fn is_table(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Bool(matches!(args[0], Value::Dict(_))))
}

fn set(vm: &mut Vm, args: &[Value]) -> NativeResult {
    table_set(vm, args[0], args[1], args[2])?;
    Ok(Value::Null)
}

fn ref_default(vm: &mut Vm, args: &[Value]) -> NativeResult {
    table_ref(vm, args[0], args[1], args[2])
}

/// `(hash-table-set! t k v)`: the native, and the `TABLESET` instruction the call of the
/// builtin compiles to (an exact integer key is the common case, tested first).
///
/// Never inlined, like the interpreter's `get_index`/`set_index`: inlined into the dispatch
/// loop, these two made every other instruction dearer (callgrind: intloop.ruff +7%,
/// mandel +3%).
#[inline(never)]
pub(crate) fn table_set(vm: &mut Vm, t: Value, k: Value, v: Value) -> Result<(), String> {
    if let (Value::Dict(t), Value::Int(i)) = (t, k) {
        return vm.dict_insert(t, KeyRef::Int(i), v);
    }
    let t = table(vm, "hash-table-set!", t)?;
    let k = key(vm, "hash-table-set!", &k)?;
    vm.dict_insert(t, k.get(), v)
}

/// `(hash-table-ref/default t k default)`: the native, and the `TABLEREF` instruction the
/// call of the builtin compiles to (an exact integer key first; never inlined: see
/// [`table_set`]).
#[inline(never)]
pub(crate) fn table_ref(vm: &Vm, t: Value, k: Value, default: Value) -> Result<Value, String> {
    if let (Value::Dict(t), Value::Int(i)) = (t, k) {
        return Ok(t.map().get(KeyRef::Int(i)).copied().unwrap_or(default));
    }
    let t = table(vm, "hash-table-ref/default", t)?;
    let k = key(vm, "hash-table-ref/default", &k)?;
    Ok(t.map().get(k.get()).copied().unwrap_or(default))
}

fn contains(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-contains?", args[0])?;
    let k = key(vm, "hash-table-contains?", &args[1])?;
    Ok(Value::Bool(t.map().contains_key(k.get())))
}

fn delete(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-delete!", args[0])?;
    let k = key(vm, "hash-table-delete!", &args[1])?;
    t.map_mut().remove(k.get());
    Ok(Value::Null)
}

fn size(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-size", args[0])?;
    Ok(Value::Int(t.len() as i64))
}

fn keys(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-keys", args[0])?;
    let vals: Vec<Value> = t.map().keys().map(|k| key_value(vm, k)).collect();
    Ok(vm.new_list(&vals))
}

fn values(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-values", args[0])?;
    let vals: Vec<Value> = t.map().values().copied().collect();
    Ok(vm.new_list(&vals))
}

fn to_alist(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table->alist", args[0])?;
    let mut pairs = Vec::with_capacity(t.len());
    for (k, v) in t.map().iter() {
        let kv = key_value(vm, k);
        pairs.push(Value::Pair(vm.heap.alloc_pair(kv, *v)));
    }
    Ok(vm.new_list(&pairs))
}
