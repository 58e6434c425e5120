//! The standard library, registered through the same native-function API a host uses.
//!
//! One concept per module: `io` (print), `convert` (conversions, `type`, `format`, asserts),
//! `string`, `array`, `dict`, `generic` (the functions that accept several container types:
//! `len`, `contains`, `remove`, ...), `math`, `collections` (Set, Queue, Stack) and
//! `effects` (the capability-gated ones: input, files, env, clocks, exit, args). Builtins
//! that call back into script code (`map`, `filter`, ...) are written in the Ruff dialect,
//! in the tandem crate's prelude.

use crate::native::{Arity, Caps, NativeDef};
use crate::object::{Array, Dict, KeyRef};
use crate::value::{Gc, Value};
use crate::vm::Vm;

pub mod array;
pub mod collections;
pub mod convert;
pub mod data;
pub mod dict;
pub mod effects;
pub mod generic;
pub mod io;
pub mod math;
pub mod scheme;
pub mod string;

/// Register every builtin in `vm` (a VM just made: nothing registered yet).
///
/// Registering the library one native at a time (a name, a key, a global slot each) is most
/// of what creating an engine costs, and it gives the same tables every time. So each thread
/// registers it once, into a template VM, and every VM made afterwards copies the template's
/// tables; the few heap values among the library's globals (the `None` value, the Scheme
/// library's private struct types and its stdout port) are copied into the new VM's heap.
pub fn install(vm: &mut Vm) {
    thread_local! {
        static TEMPLATE: Vm = {
            let mut t = Vm::new(Box::new(std::io::sink()));
            install_each(&mut t);
            t
        };
    }
    let copied =
        vm.natives.is_empty() && vm.globals.is_empty() && TEMPLATE.with(|t| copy_tables(t, vm));
    if !copied {
        install_each(vm);
    }
}

/// Copy `from`'s library into the fresh VM `to`; false (and `to` left as it was) when one
/// of the library's globals holds a kind of heap value this does not know how to copy.
fn copy_tables(from: &Vm, to: &mut Vm) -> bool {
    let mut globals = from.globals.clone();
    // Heap values, by address in `from`, and their copies (each copied once, so that an
    // instance and the global holding its type agree).
    let mut copies: Vec<(usize, Value)> = Vec::new();
    for v in globals.values.iter_mut() {
        match copy_value(*v, &mut to.heap, &mut copies) {
            Some(c) => *v = c,
            None => return false,
        }
    }
    to.globals = globals;
    to.natives = from.natives.clone();
    to.native_index = from.native_index.clone();
    true
}

/// `v` in `heap`: itself when it holds no heap object, else a copy (memoized in `copies`).
fn copy_value(
    v: Value,
    heap: &mut crate::heap::Heap,
    copies: &mut Vec<(usize, Value)>,
) -> Option<Value> {
    use crate::object::{StructType, Variant};
    let addr = match v {
        Value::StructType(t) => t.addr(),
        Value::Struct(i) => i.addr(),
        Value::Variant(x) => x.addr(),
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::Native(_)
        | Value::Symbol(_)
        | Value::Char(_)
        | Value::Undef => return Some(v),
        _ => return None,
    };
    if let Some(&(_, c)) = copies.iter().find(|(a, _)| *a == addr) {
        return Some(c);
    }
    let c = match v {
        Value::StructType(t) => {
            if !t.methods().is_empty() {
                return None;
            }
            let fields = t.fields.to_vec();
            Value::StructType(heap.alloc_struct_type(StructType::new(&t.name, fields)))
        }
        Value::Struct(i) => {
            let Value::StructType(ty) = copy_value(Value::StructType(i.ty), heap, copies)? else {
                return None;
            };
            let fields = i
                .fields()
                .iter()
                .map(|&f| copy_value(f, heap, copies))
                .collect::<Option<Vec<_>>>()?;
            Value::Struct(heap.alloc_instance(ty, &fields))
        }
        Value::Variant(x) => {
            let payload = x
                .payload
                .iter()
                .map(|&p| copy_value(p, heap, copies))
                .collect::<Option<Vec<_>>>()?;
            Value::Variant(heap.alloc_variant(Variant {
                family: x.family.clone(),
                tag: x.tag.clone(),
                payload: payload.into(),
            }))
        }
        _ => return None,
    };
    copies.push((addr, c));
    Some(c)
}

/// Register every builtin in `vm`, one at a time.
fn install_each(vm: &mut Vm) {
    io::install(vm);
    convert::install(vm);
    string::install(vm);
    array::install(vm);
    dict::install(vm);
    generic::install(vm);
    math::install(vm);
    collections::install(vm);
    data::install(vm);
    effects::install(vm);
    scheme::install(vm);
    mark_intrinsics(vm);
}

/// Mark the natives compiled code may run inline (`native::Intrinsic`), by their keys
/// in the native table (a Scheme native's key is its namespace, U+001F, its name).
fn mark_intrinsics(vm: &mut Vm) {
    use crate::native::Intrinsic as I;
    let scheme = |n: &str| format!("{}\u{1f}{n}", scheme::NS);
    let marks = [
        ("len".to_string(), I::Len),
        ("push".to_string(), I::Push),
        ("sqrt".to_string(), I::Sqrt),
        (scheme("car"), I::Car),
        (scheme("cdr"), I::Cdr),
        (scheme("pair?"), I::IsPair),
        (scheme("null?"), I::IsNull),
        (scheme("vector-ref"), I::VectorRef),
        (scheme("vector-set!"), I::VectorSet),
        (scheme("vector-length"), I::VectorLength),
        (scheme("%record-instance?"), I::RecordIs),
        (scheme("sqrt"), I::FloatSqrt),
    ];
    for (key, i) in marks {
        if let Some(&id) = vm.native_index.get(key.as_str()) {
            vm.natives[id as usize].intrinsic = Some(i);
        }
    }
}

/// Shorthand used by the builtin modules.
pub(crate) fn def(vm: &mut Vm, name: &str, arity: Arity, caps: Caps, f: crate::native::NativeFn) {
    vm.register(NativeDef::new(name, arity, caps, f));
}

/// A pure builtin: no capabilities needed.
pub(crate) fn pure(vm: &mut Vm, name: &str, arity: Arity, f: crate::native::NativeFn) {
    def(vm, name, arity, Caps::NONE, f);
}

/// The largest string (in bytes) a builtin will build.
pub(crate) const MAX_STR_BYTES: usize = 1 << 30;

/// The most elements a builtin will put in one new array (1 GiB of values).
pub(crate) const MAX_ARRAY_LEN: usize = (1 << 30) / std::mem::size_of::<Value>();

/// Check against the memory limit, before anything is built, that `count` items of
/// `unit` bytes each fit (`count` as the script gave it: an int; anything else is left to
/// the native's own checks). A size too large for the limit is the memory limit's error,
/// however large it is.
pub(crate) fn room_for(vm: &mut Vm, count: Value, unit: usize) -> Result<(), String> {
    match count {
        Value::Int(n) if n > 0 => vm
            .heap
            .reserve((n as u64).saturating_mul(unit as u64) as usize),
        _ => Ok(()),
    }
}

/// The bytes a pair takes on the heap.
pub(crate) const PAIR_BYTES: usize =
    std::mem::size_of::<crate::value::GcBox<crate::object::Pair>>();

/// 2^63: the first float above every i64 (and -2^63 is the least i64, exactly).
pub(crate) const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// The int equal to `f`, if `f` is integral and within the i64 range.
pub(crate) fn float_to_int(f: f64) -> Option<i64> {
    if f.is_finite() && f.fract() == 0.0 && (-TWO_63..TWO_63).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// The number of characters in `s`.
pub(crate) fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// A character position a script gave, never negative, as a `usize` (saturating).
pub(crate) fn clamp_index(i: i64) -> usize {
    usize::try_from(i.max(0)).unwrap_or(usize::MAX)
}

/// Compare an int with a float exactly (a large int is not rounded to a float first);
/// `None` when `f` is NaN.
pub(crate) fn cmp_int_float(i: i64, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    // Now -2^63 <= trunc(f) < 2^63: the conversion is exact.
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(f - t)),
        o => Some(o),
    }
}

/// `NAME expects WHAT, got TYPE`.
pub(crate) fn expected(name: &str, what: &str, got: &Value) -> String {
    format!("{name} expects {what}, got {}", got.type_name())
}

/// The error for a result that would exceed the size caps.
pub(crate) fn too_large(name: &str) -> String {
    format!("{name}: result is too large")
}

/// A string argument as the object (for indexing by character).
pub(crate) fn str_obj_arg<'a>(name: &str, v: &'a Value) -> Result<&'a crate::object::Str, String> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(expected(name, "a string", v)),
    }
}

pub(crate) fn str_arg<'a>(name: &str, v: &'a Value) -> Result<&'a str, String> {
    str_arg_as(name, "a string", v)
}

/// A string argument whose error names its role: `NAME expects WHAT, got TYPE`.
pub(crate) fn str_arg_as<'a>(name: &str, what: &str, v: &'a Value) -> Result<&'a str, String> {
    v.as_str().ok_or_else(|| expected(name, what, v))
}

pub(crate) fn int_arg(name: &str, v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(expected(name, "an int", v)),
    }
}

pub(crate) fn array_arg(name: &str, v: &Value) -> Result<Gc<Array>, String> {
    match v {
        Value::Array(a) => Ok(*a),
        _ => Err(expected(name, "an array", v)),
    }
}

pub(crate) fn dict_arg(name: &str, v: &Value) -> Result<Gc<Dict>, String> {
    match v {
        Value::Dict(d) => Ok(*d),
        _ => Err(expected(name, "a dict", v)),
    }
}

/// A dict key: a string, or an int (which means its decimal string), borrowed.
pub(crate) fn key_arg<'a>(name: &str, v: &'a Value) -> Result<KeyRef<'a>, String> {
    match v {
        Value::Str(s) => Ok(KeyRef::parse(s.as_str())),
        Value::Int(i) => Ok(KeyRef::Int(*i)),
        _ => Err(expected(name, "a string key", v)),
    }
}

/// Build `[a, b]` (the shape `pop`, `remove_at` and dict `remove` return).
pub(crate) fn pair(vm: &mut Vm, a: Value, b: Value) -> Value {
    vm.new_array(vec![a, b])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Vm {
        Vm::new(Box::new(std::io::sink()))
    }

    #[test]
    fn a_copied_library_is_the_library_registered_one_native_at_a_time() {
        let mut each = fresh();
        install_each(&mut each);
        let mut copied = fresh();
        install(&mut copied);
        // The same natives, under the same keys, with the same flags.
        assert_eq!(copied.natives.len(), each.natives.len());
        for (a, b) in copied.natives.iter().zip(&each.natives) {
            assert_eq!((&a.name, a.arity, a.caps), (&b.name, b.arity, b.caps));
            assert_eq!((a.shown, a.intrinsic), (b.shown, b.intrinsic));
        }
        assert_eq!(copied.native_index, each.native_index);
        // The same globals, holding the same kinds of values; heap values are the new
        // VM's own (the stdout port is an instance of the copied port type).
        assert_eq!(copied.globals.len(), each.globals.len());
        for slot in 0..each.globals.len() as u32 {
            assert_eq!(copied.globals.name(slot), each.globals.name(slot));
            let (a, b) = (
                copied.globals.values[slot as usize],
                each.globals.values[slot as usize],
            );
            assert_eq!(a.type_name(), b.type_name(), "{}", each.globals.name(slot));
            if let (Value::Native(x), Value::Native(y)) = (a, b) {
                assert_eq!(x, y);
            }
        }
        let port = scheme::hidden_type(&copied, "% scheme port").unwrap();
        match scheme::get_hidden(&copied, "% scheme stdout-port") {
            Value::Struct(i) => assert!(i.ty == port),
            v => panic!("stdout port: {}", v.type_name()),
        }
        assert!(scheme::hidden_type(&each, "% scheme port").unwrap() != port);
        assert!(matches!(
            copied.globals.get("None"),
            Some(Value::Variant(_))
        ));
    }

    #[test]
    fn a_vm_with_natives_already_registers_the_library_itself() {
        let mut vm = fresh();
        vm.register(NativeDef::new(
            "mine",
            Arity::exactly(0),
            Caps::NONE,
            |_, _| Ok(Value::Int(1)),
        ));
        install(&mut vm);
        assert_eq!(&*vm.natives[0].name, "mine");
        assert!(vm.native_index.contains_key("len"));
    }
}
