//! Vectors (the VM's arrays) and bytevectors.

use super::super::{too_large, MAX_ARRAY_LEN, MAX_STR_BYTES};
use super::{bytes_arg, index, length_arg, list_vec, range, reg, str_arg, vec_arg, wrong};
use crate::native::{Arity, NativeResult};
use crate::object::Bytevector;
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    let one = Arity::exactly(1);
    reg(vm, "vector?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Array(_))))
    });
    reg(vm, "make-vector", Arity::range(1, 2), make_vector);
    reg(vm, "vector", Arity::at_least(0), |vm, a| {
        Ok(vm.new_array(a.to_vec()))
    });
    reg(vm, "vector-length", one, |vm, a| vector_length_of(vm, a[0]));
    reg(vm, "vector-ref", Arity::exactly(2), vector_ref);
    reg(vm, "vector-set!", Arity::exactly(3), vector_set);
    reg(vm, "vector->list", Arity::range(1, 3), vector_to_list);
    reg(vm, "list->vector", one, |vm, a| {
        let items = list_vec(vm, "list->vector", a[0])?;
        Ok(vm.new_array(items))
    });
    reg(vm, "vector-fill!", Arity::range(2, 4), vector_fill);
    reg(vm, "vector-copy", Arity::range(1, 3), vector_copy);
    reg(vm, "vector-append", Arity::at_least(0), vector_append);

    reg(vm, "bytevector?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Bytes(_))))
    });
    reg(vm, "bytevector", Arity::at_least(0), bytevector);
    reg(vm, "make-bytevector", Arity::range(1, 2), make_bytevector);
    reg(vm, "bytevector-length", one, |vm, a| {
        Ok(Value::Int(
            bytes_arg(vm, "bytevector-length", a[0])?.bytes().len() as i64,
        ))
    });
    reg(vm, "bytevector-u8-ref", Arity::exactly(2), bytevector_ref);
    reg(vm, "bytevector-u8-set!", Arity::exactly(3), bytevector_set);
    reg(vm, "bytevector-copy", Arity::range(1, 3), bytevector_copy);
    reg(
        vm,
        "bytevector-append",
        Arity::at_least(0),
        bytevector_append,
    );
    reg(vm, "utf8->string", Arity::range(1, 3), utf8_to_string);
    reg(vm, "string->utf8", one, |vm, a| {
        let b = str_arg(vm, "string->utf8", &a[0])?.as_bytes().to_vec();
        Ok(new_bytes(vm, b))
    });
}

fn make_vector(vm: &mut Vm, args: &[Value]) -> NativeResult {
    super::super::room_for(vm, args[0], std::mem::size_of::<Value>())?;
    let n = length_arg(vm, "make-vector", args[0], MAX_ARRAY_LEN)?;
    let fill = args.get(1).copied().unwrap_or(Value::Bool(false));
    Ok(vm.new_array(vec![fill; n]))
}

fn vector_ref(vm: &mut Vm, args: &[Value]) -> NativeResult {
    vector_ref_of(vm, args[0], args[1])
}

fn vector_set(vm: &mut Vm, args: &[Value]) -> NativeResult {
    vector_set_of(vm, args[0], args[1], args[2])?;
    Ok(Value::Null)
}

/// `(vector-ref v i)`: the native and the `VECREF` instruction.
pub(crate) fn vector_ref_of(vm: &Vm, v: Value, i: Value) -> Result<Value, String> {
    let a = vec_arg(vm, "vector-ref", v)?;
    let i = index(vm, "vector-ref", i, a.len(), false)?;
    Ok(a.get(i).unwrap_or(Value::Null))
}

/// `(vector-set! v i x)`: the native and the `VECSET` instruction.
pub(crate) fn vector_set_of(vm: &Vm, v: Value, i: Value, x: Value) -> Result<(), String> {
    let a = vec_arg(vm, "vector-set!", v)?;
    let i = index(vm, "vector-set!", i, a.len(), false)?;
    a.items_mut()[i] = x;
    Ok(())
}

/// `(vector-length v)`: the native and the `VECLEN` instruction.
pub(crate) fn vector_length_of(vm: &Vm, v: Value) -> Result<Value, String> {
    Ok(Value::Int(vec_arg(vm, "vector-length", v)?.len() as i64))
}

fn vector_to_list(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = vec_arg(vm, "vector->list", args[0])?;
    let (start, end) = range(vm, "vector->list", args, 1, a.len())?;
    Ok(vm.new_list(&a.items()[start..end]))
}

fn vector_fill(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = vec_arg(vm, "vector-fill!", args[0])?;
    let (start, end) = range(vm, "vector-fill!", args, 2, a.len())?;
    for slot in &mut a.items_mut()[start..end] {
        *slot = args[1];
    }
    Ok(Value::Null)
}

fn vector_copy(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let a = vec_arg(vm, "vector-copy", args[0])?;
    let (start, end) = range(vm, "vector-copy", args, 1, a.len())?;
    let items = a.items()[start..end].to_vec();
    Ok(vm.new_array(items))
}

fn vector_append(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let mut total = 0usize;
    for &v in args {
        total = total.saturating_add(vec_arg(vm, "vector-append", v)?.len());
    }
    vm.heap.reserve_values(total)?;
    if total > MAX_ARRAY_LEN {
        return Err(too_large("vector-append"));
    }
    let mut items = Vec::with_capacity(total);
    for &v in args {
        items.extend_from_slice(vec_arg(vm, "vector-append", v)?.items());
    }
    Ok(vm.new_array(items))
}

fn byte_arg(vm: &Vm, name: &str, v: Value) -> Result<u8, String> {
    match v {
        Value::Int(b) if (0..=255).contains(&b) => Ok(b as u8),
        _ => Err(wrong(vm, name, "a byte (0 to 255)", v)),
    }
}

fn new_bytes(vm: &mut Vm, b: Vec<u8>) -> Value {
    Value::Bytes(vm.heap.alloc_bytes(Bytevector::new(b)))
}

fn bytevector(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let b = args
        .iter()
        .map(|&v| byte_arg(vm, "bytevector", v))
        .collect::<Result<Vec<u8>, String>>()?;
    Ok(new_bytes(vm, b))
}

fn make_bytevector(vm: &mut Vm, args: &[Value]) -> NativeResult {
    super::super::room_for(vm, args[0], 1)?;
    let n = length_arg(vm, "make-bytevector", args[0], MAX_STR_BYTES)?;
    let fill = match args.get(1) {
        Some(&v) => byte_arg(vm, "make-bytevector", v)?,
        None => 0,
    };
    Ok(new_bytes(vm, vec![fill; n]))
}

fn bytevector_ref(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let b = bytes_arg(vm, "bytevector-u8-ref", args[0])?;
    let i = index(vm, "bytevector-u8-ref", args[1], b.bytes().len(), false)?;
    Ok(Value::Int(b.bytes()[i] as i64))
}

fn bytevector_set(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let b = bytes_arg(vm, "bytevector-u8-set!", args[0])?;
    let i = index(vm, "bytevector-u8-set!", args[1], b.bytes().len(), false)?;
    let byte = byte_arg(vm, "bytevector-u8-set!", args[2])?;
    b.bytes_mut()[i] = byte;
    Ok(Value::Null)
}

fn bytevector_copy(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let b = bytes_arg(vm, "bytevector-copy", args[0])?;
    let (start, end) = range(vm, "bytevector-copy", args, 1, b.bytes().len())?;
    let copy = b.bytes()[start..end].to_vec();
    Ok(new_bytes(vm, copy))
}

fn bytevector_append(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let mut total = 0usize;
    for &v in args {
        total = total.saturating_add(bytes_arg(vm, "bytevector-append", v)?.bytes().len());
    }
    vm.heap.reserve(total)?;
    if total > MAX_STR_BYTES {
        return Err(too_large("bytevector-append"));
    }
    let mut out = Vec::with_capacity(total);
    for &v in args {
        out.extend_from_slice(bytes_arg(vm, "bytevector-append", v)?.bytes());
    }
    Ok(new_bytes(vm, out))
}

fn utf8_to_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let b = bytes_arg(vm, "utf8->string", args[0])?;
    let (start, end) = range(vm, "utf8->string", args, 1, b.bytes().len())?;
    let s = String::from_utf8_lossy(&b.bytes()[start..end]).into_owned();
    Ok(vm.new_str(s))
}
