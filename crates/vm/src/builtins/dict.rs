//! Dict builtins. Keys are strings; an int key is converted to its decimal string, as in
//! `d[1]`. `keys`, `values` and `items` list entries in sorted key order (the order dicts
//! print and iterate in). The dict forms of `len`, `remove`, `clear` and `is_empty` live in
//! `generic.rs`.

use super::{dict_arg, key_arg, pair, pure};
use crate::native::{Arity, NativeResult};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    pure(vm, "keys", Arity::exactly(1), keys);
    pure(vm, "values", Arity::exactly(1), values);
    pure(vm, "items", Arity::exactly(1), items);
    pure(vm, "has_key", Arity::exactly(2), has_key);
    pure(vm, "get", Arity::range(2, 3), get);
    pure(vm, "merge", Arity::exactly(2), merge);
}

fn keys(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let d = dict_arg("keys", &args[0])?;
    let ks = d.sorted_keys();
    let items = ks.into_iter().map(|k| vm.new_str(k)).collect();
    Ok(vm.new_array(items))
}

fn values(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let d = dict_arg("values", &args[0])?;
    let items = d.sorted_keys().iter().filter_map(|k| d.get(k)).collect();
    Ok(vm.new_array(items))
}

/// `items(d)`: `[[key, value], ...]`.
fn items(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let d = dict_arg("items", &args[0])?;
    let mut out = Vec::with_capacity(d.len());
    for k in d.sorted_keys() {
        if let Some(v) = d.get(&k) {
            let key = vm.new_str(k);
            out.push(pair(vm, key, v));
        }
    }
    Ok(vm.new_array(out))
}

/// `has_key(d, k)`: the int `1` or `0` (as Ruff).
fn has_key(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let d = dict_arg("has_key", &args[0])?;
    let k = key_arg("has_key", &args[1])?;
    Ok(Value::Int(d.map().contains_key(k) as i64))
}

/// `get(d, k)` / `get(d, k, default)`: the value at `k`, or the default (`null`).
fn get(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let d = dict_arg("get", &args[0])?;
    let k = key_arg("get", &args[1])?;
    Ok(d.get_ref(k)
        .unwrap_or_else(|| args.get(2).copied().unwrap_or(Value::Null)))
}

/// `merge(a, b)`: a new dict with the entries of `a`, then those of `b` (which win).
fn merge(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = dict_arg("merge", &args[0])?;
    let b = dict_arg("merge", &args[1])?;
    let mut map = a.map().clone();
    for (k, v) in b.map() {
        map.insert(k.clone(), *v);
    }
    Ok(vm.new_dict(map))
}
