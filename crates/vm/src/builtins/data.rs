//! Stage-2 data builtins: the `Ok`/`Err`/`Some` constructors and the `None` value, `throw`
//! as a first-class function, and the helpers destructuring declarations compile to.

use super::{def, pure};
use crate::native::{Arity, Caps, NativeResult};
use crate::object::{Family, Variant};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    pure(vm, "Ok", Arity::exactly(1), ok);
    pure(vm, "Err", Arity::exactly(1), err);
    pure(vm, "Some", Arity::exactly(1), some);
    let none = variant(vm, Family::Option, "None", &[]);
    vm.globals.set("None", none);
    def(vm, "throw", Arity::exactly(1), Caps::NONE, throw);
    pure(vm, "__destructure_len", Arity::exactly(2), destructure_len);
    pure(vm, "__array_rest", Arity::exactly(2), array_rest);
    pure(vm, "__dict_rest", Arity::at_least(1), dict_rest);
}

fn variant(vm: &mut Vm, family: Family, tag: &str, payload: &[Value]) -> Value {
    Value::Variant(vm.heap.alloc_variant(Variant {
        family,
        tag: tag.into(),
        payload: payload.into(),
    }))
}

fn ok(vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(variant(vm, Family::Result, "Ok", args))
}

fn err(vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(variant(vm, Family::Result, "Err", args))
}

fn some(vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(variant(vm, Family::Option, "Some", args))
}

/// `throw` used as a value (e.g. passed to another function). A direct `throw(v)` call
/// compiles to the THROW instruction, which also keeps non-string values.
fn throw(vm: &mut Vm, args: &[Value]) -> NativeResult {
    Err(crate::format::display(vm, args[0]))
}

/// `let [a, b] := xs` needs an array of at least 2 elements.
fn destructure_len(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let Value::Int(n) = args[1] else {
        return Err("internal error: bad destructuring count".into());
    };
    match args[0] {
        Value::Array(a) if a.len() as i64 >= n => Ok(Value::Null),
        Value::Array(a) => Err(format!(
            "Cannot destructure: expected at least {n} elements, got {}",
            a.len()
        )),
        v => Err(format!(
            "Cannot destructure a value of type {} as an array",
            v.type_name()
        )),
    }
}

/// The elements after the first `n` (for `...rest`).
fn array_rest(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match (args[0], args[1]) {
        (Value::Array(a), Value::Int(n)) => {
            let items = a.items().iter().skip(n.max(0) as usize).copied().collect();
            Ok(vm.new_array(items))
        }
        (v, _) => Err(format!(
            "Cannot destructure a value of type {} as an array",
            v.type_name()
        )),
    }
}

/// A copy of a dict without the given keys (for `{a, ...rest}`).
fn dict_rest(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let Value::Dict(d) = args[0] else {
        return Err(format!(
            "Cannot destructure a value of type {} as a dict",
            args[0].type_name()
        ));
    };
    let mut map = d.map().clone();
    for k in &args[1..] {
        if let Some(k) = k.as_str() {
            map.remove(crate::object::KeyRef::parse(k));
        }
    }
    Ok(vm.new_dict(map))
}
