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

/// The dict key for a Scheme key. Symbols use a prefix no string key can have (a NUL), so
/// the symbol `a` and the string "a" stay distinct keys.
fn key(vm: &Vm, name: &str, v: Value) -> Result<Key, String> {
    match v {
        Value::Int(i) => Ok(Key::Int(i)),
        Value::Str(s) => Ok(KeyRef::parse(s.as_str()).to_key()),
        Value::Symbol(id) => Ok(Key::Str(format!("\0{}", vm.heap.symbol_name(id)).into())),
        other => Err(format!(
            "{name}: hash table keys must be exact integers, strings or symbols, got {}",
            show(vm, other)
        )),
    }
}

/// The Scheme value of a stored key.
fn key_value(vm: &mut Vm, k: &Key) -> Value {
    match k {
        Key::Int(i) => Value::Int(*i),
        Key::Str(s) => match s.strip_prefix('\0') {
            Some(sym) => Value::Symbol(vm.heap.intern(sym)),
            None => vm.new_str(&**s),
        },
    }
}

fn make(vm: &mut Vm, _args: &[Value]) -> NativeResult {
    Ok(vm.new_dict(Default::default()))
}

fn is_table(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(Value::Bool(matches!(args[0], Value::Dict(_))))
}

fn set(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-set!", args[0])?;
    let k = key(vm, "hash-table-set!", args[1])?;
    t.map_mut().insert(k, args[2]);
    Ok(Value::Null)
}

fn ref_default(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-ref/default", args[0])?;
    let k = key(vm, "hash-table-ref/default", args[1])?;
    Ok(t.map().get(k.as_ref()).copied().unwrap_or(args[2]))
}

fn contains(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-contains?", args[0])?;
    let k = key(vm, "hash-table-contains?", args[1])?;
    Ok(Value::Bool(t.map().contains_key(k.as_ref())))
}

fn delete(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-delete!", args[0])?;
    let k = key(vm, "hash-table-delete!", args[1])?;
    t.map_mut().remove(k.as_ref());
    Ok(Value::Null)
}

fn size(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-size", args[0])?;
    Ok(Value::Int(t.len() as i64))
}

fn keys(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-keys", args[0])?;
    let ks: Vec<Key> = t.map().keys().cloned().collect();
    let vals: Vec<Value> = ks.iter().map(|k| key_value(vm, k)).collect();
    Ok(vm.new_list(&vals))
}

fn values(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table-values", args[0])?;
    let vals: Vec<Value> = t.map().values().copied().collect();
    Ok(vm.new_list(&vals))
}

fn to_alist(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let t = table(vm, "hash-table->alist", args[0])?;
    let entries: Vec<(Key, Value)> = t.map().iter().map(|(k, v)| (k.clone(), *v)).collect();
    let mut pairs = Vec::new();
    for (k, v) in entries {
        let kv = key_value(vm, &k);
        pairs.push(Value::Pair(vm.heap.alloc_pair(kv, v)));
    }
    Ok(vm.new_list(&pairs))
}
