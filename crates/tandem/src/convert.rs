//! Conversions between Rust values and script values: [`FromValue`] (a script value read as
//! a Rust type: host-function arguments) and [`IntoValue`] (a Rust value made into a script
//! value: host-function results, `call_fn` arguments), [`IntoArgs`] (a tuple of arguments),
//! [`FromScript`] (what `eval` and `call_fn` return: a serde type or a [`Value`]), and the two
//! ways a serde type crosses: [`HostType`] (a type of the host's own, registered or not) and
//! the [`Serde`] wrapper (any serde type).
//!
//! The rules are the same in every direction and in both dialects, and `docs/embedding.md`
//! lists them: ints stay ints (a float is not taken for an int), a float accepts an int,
//! strings accept Scheme symbols, `null` / `'()` is `None` and the empty sequence, arrays
//! (Scheme vectors) and Scheme lists are sequences, dicts (Scheme hash tables), struct
//! instances (Scheme records) and association lists are maps. The serde mapping in
//! `serde_de.rs` and `serde_ser.rs` follows the same rules; the helpers here are shared.

use crate::serde_de::DeError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tandem_vm::object::{DictMap, Key};
use tandem_vm::{Value, Vm};

/// A script value read as a Rust value. The error is the reason, without the function's
/// name (`expected int, got string`): the caller adds where it happened.
pub trait FromValue: Sized {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String>;

    /// Whether a host function's argument of this type may be left out, when it and every
    /// argument after it may (`Option<T>`: a missing argument is `None`).
    const OPTIONAL: bool = false;
}

/// A Rust value made into a script value. An error becomes a script error (in a host
/// function's result) or an [`crate::Error::Host`] (in a `call_fn` argument).
pub trait IntoValue {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String>;
}

/// A type of the host's own that crosses into scripts through serde, both ways, without a
/// wrapper: as an argument or result of a host function, an element of a `Vec`, ... When
/// registered with [`crate::Engine::register_type`], its values are instances of that script
/// type (with its methods); otherwise dicts. Implementing it takes one line:
/// `impl tandem::HostType for Point {}`.
pub trait HostType: Serialize + DeserializeOwned + 'static {}

/// Any serde type as a host-function argument or result (for types of other crates, which
/// cannot implement [`HostType`] here): `|cfg: Serde<Config>| ...`, `-> Serde<Report>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Serde<T>(pub T);

/// What [`crate::Engine::eval`] and [`crate::Engine::call_fn`] return: any serde
/// `Deserialize` type (through the mapping of `docs/embedding.md`), the [`Value`] itself,
/// or an `Option`, `Vec`, `HashMap<String, _>` or `BTreeMap<String, _>` of `Value`s. `M`
/// only tells the impls apart; it is always inferred.
pub trait FromScript<M>: Sized {
    fn from_script(v: Value, vm: &Vm) -> Result<Self, String>;
}

/// [`FromScript`] through serde.
pub enum ViaSerde {}
/// [`FromScript`] of the value itself.
pub enum AsValue {}

impl<T: DeserializeOwned> FromScript<ViaSerde> for T {
    fn from_script(v: Value, vm: &Vm) -> Result<Self, String> {
        crate::serde_de::from_value(vm, v).map_err(|e| e.to_string())
    }
}

impl FromScript<AsValue> for Value {
    fn from_script(v: Value, _vm: &Vm) -> Result<Self, String> {
        Ok(v)
    }
}

/// [`FromScript`] of containers of [`Value`]s (which serde cannot make), through
/// [`FromValue`].
pub enum ValueParts {}

macro_rules! from_script_of_values {
    ($($t:ty),*) => {$(
        impl FromScript<ValueParts> for $t {
            fn from_script(v: Value, vm: &Vm) -> Result<Self, String> {
                <$t as FromValue>::from_value(v, vm)
            }
        }
    )*};
}
from_script_of_values!(
    Option<Value>,
    Vec<Value>,
    HashMap<String, Value>,
    BTreeMap<String, Value>
);

/// The arguments of [`crate::Engine::call_fn`]: a tuple of 0 to 6 [`IntoValue`]s, or a
/// `Vec<Value>`.
pub trait IntoArgs {
    fn into_args(self, vm: &mut Vm) -> Result<Vec<Value>, String>;
}

impl IntoArgs for Vec<Value> {
    fn into_args(self, _vm: &mut Vm) -> Result<Vec<Value>, String> {
        Ok(self)
    }
}

macro_rules! into_args_tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: IntoValue),*> IntoArgs for ($($t,)*) {
            #[allow(unused_variables)]
            fn into_args(self, vm: &mut Vm) -> Result<Vec<Value>, String> {
                Ok(vec![$(self.$i.into_value(vm).map_err(|e| format!("argument {}: {e}", $i + 1))?),*])
            }
        }
    };
}
into_args_tuple!();
into_args_tuple!(A 0);
into_args_tuple!(A 0, B 1);
into_args_tuple!(A 0, B 1, C 2);
into_args_tuple!(A 0, B 1, C 2, D 3);
into_args_tuple!(A 0, B 1, C 2, D 3, E 4);
into_args_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);

impl crate::Engine {
    /// Make any serde `Serialize` value a script value (see `docs/embedding.md` for the
    /// mapping): structs and maps become dicts (Scheme hash tables), sequences arrays
    /// (Scheme vectors), a struct of a registered host type an instance of it.
    ///
    /// The value is not a root of the collector: keep it only until the engine next runs
    /// script code, or pass it to the script (as an argument) before then.
    pub fn to_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<Value, crate::Error> {
        crate::serde_ser::to_value(&mut self.vm, value)
            .map_err(|e| crate::Error::Host(format!("to_value: {e}")))
    }

    /// Read a script value as any serde `Deserialize` type (see `docs/embedding.md` for
    /// the mapping).
    pub fn from_value<T: DeserializeOwned>(&self, value: Value) -> Result<T, crate::Error> {
        crate::serde_de::from_value(&self.vm, value)
            .map_err(|e| crate::Error::Host(format!("from_value: {e}")))
    }
}

// ----- shared readers (also the serde deserializer's) -----

/// `expected WHAT, got TYPE`.
pub(crate) fn expected(what: &str, v: Value) -> String {
    format!("expected {what}, got {}", shown_type(v))
}

/// A value's type as errors name it.
pub(crate) fn shown_type(v: Value) -> &'static str {
    match v {
        Value::Null => "null",
        v => v.type_name(),
    }
}

pub(crate) fn int_of(v: Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(i),
        v => Err(expected("int", v)),
    }
}

pub(crate) fn float_of(v: Value) -> Result<f64, String> {
    match v {
        Value::Float(f) => Ok(f),
        Value::Int(i) => Ok(i as f64),
        v => Err(expected("float", v)),
    }
}

pub(crate) fn bool_of(v: Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(b),
        v => Err(expected("bool", v)),
    }
}

/// The text of a string or a Scheme symbol.
pub(crate) fn str_of(vm: &Vm, v: Value) -> Result<&str, String> {
    match v {
        Value::Str(s) => {
            // SAFETY: strings are immutable, and the object lives as long as the VM is not
            // collected, which needs `&mut Vm`: not while `vm` is borrowed.
            Ok(unsafe { &*(s.as_str() as *const str) })
        }
        Value::Symbol(id) => Ok(vm.heap.symbol_name(id)),
        v => Err(expected("string", v)),
    }
}

pub(crate) fn char_of(v: Value) -> Result<char, String> {
    match v {
        Value::Char(c) => Ok(c),
        Value::Str(s) => {
            let mut cs = s.as_str().chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Ok(c),
                _ => Err("expected a char, got a string that is not one character".into()),
            }
        }
        v => Err(expected("char", v)),
    }
}

/// The elements of a sequence: an array (Scheme vector), a proper list (`'()` or `null` is
/// empty), multiple values or a Set/Queue/Stack. `None` when `v` is none of these.
pub(crate) fn seq_items(v: Value) -> Option<Result<Vec<Value>, String>> {
    match v {
        Value::Array(a) | Value::Values(a) => Some(Ok(a.to_vec())),
        Value::Null | Value::Pair(_) => Some(list_items(v)),
        Value::Coll(c) => Some(Ok(c.items().iter().copied().collect())),
        _ => None,
    }
}

/// The elements of a proper list; a cycle or an improper end is an error.
fn list_items(v: Value) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut cur = v;
    // Moves at half speed: `cur` meets it again only if the list is circular.
    let mut slow = v;
    loop {
        match cur {
            Value::Null => return Ok(items),
            Value::Pair(p) => {
                items.push(p.car.get());
                cur = p.cdr.get();
                if items.len() % 2 == 0 {
                    if let Value::Pair(s) = slow {
                        slow = s.cdr.get();
                    }
                }
                if let (Value::Pair(a), Value::Pair(b)) = (cur, slow) {
                    if a == b {
                        return Err("expected a list, got a circular one".into());
                    }
                }
            }
            tail => {
                return Err(format!(
                    "expected a proper list, got one ending in {} instead of '()",
                    shown_type(tail)
                ))
            }
        }
    }
}

/// The entries of a map: a dict (Scheme hash table; keys as their text), a struct instance
/// (Scheme record; its fields), an association list of `(key . value)` pairs with string or
/// symbol keys, or `null` / `'()` (empty). `None` when `v` is none of these.
pub(crate) fn map_entries(vm: &Vm, v: Value) -> Option<Result<Vec<(String, Value)>, String>> {
    match v {
        Value::Dict(d) => Some(Ok(d
            .map()
            .iter()
            .map(|(k, v)| (key_text(k), *v))
            .collect())),
        Value::Struct(inst) => Some(Ok(inst
            .ty
            .fields
            .iter()
            .zip(inst.fields())
            .map(|(k, v)| (k.to_string(), *v))
            .collect())),
        Value::Null | Value::Pair(_) => Some(list_items(v).and_then(|items| {
            items
                .into_iter()
                .map(|entry| match entry {
                    Value::Pair(p) => {
                        let key = str_of(vm, p.car.get())
                            .map_err(|_| "expected an association list, got a list with a key that is not a string or symbol".to_string())?;
                        Ok((key.to_string(), p.cdr.get()))
                    }
                    other => Err(format!(
                        "expected an association list, got a list with a {} in it",
                        shown_type(other)
                    )),
                })
                .collect()
        })),
        _ => None,
    }
}

/// A dict key as a program sees it (a Scheme symbol key by its name).
fn key_text(k: &Key) -> String {
    match k {
        Key::Int(i) => i.to_string(),
        Key::Str(s) => tandem_vm::builtins::scheme::hashtables::key_shown(s).to_string(),
    }
}

/// A dict of `entries` (keys as Ruff reads them: `"7"` is the int key 7).
pub(crate) fn new_dict(vm: &mut Vm, entries: Vec<(String, Value)>) -> Value {
    let v = vm.new_dict(DictMap::new());
    if let Value::Dict(d) = v {
        for (k, x) in entries {
            d.insert(&k, x);
        }
    }
    v
}

// ----- FromValue -----

impl FromValue for Value {
    fn from_value(v: Value, _vm: &Vm) -> Result<Self, String> {
        Ok(v)
    }
}

impl FromValue for () {
    fn from_value(_v: Value, _vm: &Vm) -> Result<Self, String> {
        Ok(())
    }
}

impl FromValue for bool {
    fn from_value(v: Value, _vm: &Vm) -> Result<Self, String> {
        bool_of(v)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value, _vm: &Vm) -> Result<Self, String> {
                let i = int_of(v)?;
                <$t>::try_from(i).map_err(|_| {
                    format!("expected an int that fits in {}, got {i}", stringify!($t))
                })
            }
        }
    )*};
}
from_int!(i64, i32, i16, i8, isize, u64, u32, u16, u8, usize);

impl FromValue for f64 {
    fn from_value(v: Value, _vm: &Vm) -> Result<Self, String> {
        float_of(v)
    }
}

impl FromValue for f32 {
    fn from_value(v: Value, _vm: &Vm) -> Result<Self, String> {
        float_of(v).map(|f| f as f32)
    }
}

impl FromValue for String {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        str_of(vm, v).map(str::to_string)
    }
}

impl FromValue for char {
    fn from_value(v: Value, _vm: &Vm) -> Result<Self, String> {
        char_of(v)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            Value::Variant(var) if var.family == tandem_vm::object::Family::Option => {
                match var.payload.first() {
                    Some(&x) => T::from_value(x, vm).map(Some),
                    None => Ok(None),
                }
            }
            v => T::from_value(v, vm).map(Some),
        }
    }
    const OPTIONAL: bool = true;
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        let items = seq_items(v).unwrap_or_else(|| Err(expected("an array or a list", v)))?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, x)| T::from_value(x, vm).map_err(|e| format!("element {i}: {e}")))
            .collect()
    }
}

fn map_from<T: FromValue, M: FromIterator<(String, T)>>(v: Value, vm: &Vm) -> Result<M, String> {
    let entries = map_entries(vm, v).unwrap_or_else(|| Err(expected("a dict", v)))?;
    entries
        .into_iter()
        .map(|(k, x)| match T::from_value(x, vm) {
            Ok(t) => Ok((k, t)),
            Err(e) => Err(format!("key \"{k}\": {e}")),
        })
        .collect()
}

impl<T: FromValue> FromValue for HashMap<String, T> {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        map_from(v, vm)
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        map_from(v, vm)
    }
}

impl<T: HostType> FromValue for T {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        crate::serde_de::from_value(vm, v).map_err(|e| e.to_string())
    }
}

impl<T: DeserializeOwned> FromValue for Serde<T> {
    fn from_value(v: Value, vm: &Vm) -> Result<Self, String> {
        crate::serde_de::from_value(vm, v)
            .map(Serde)
            .map_err(|e: DeError| e.to_string())
    }
}

// ----- IntoValue -----

impl IntoValue for Value {
    fn into_value(self, _vm: &mut Vm) -> Result<Value, String> {
        Ok(self)
    }
}

impl IntoValue for () {
    fn into_value(self, _vm: &mut Vm) -> Result<Value, String> {
        Ok(Value::Null)
    }
}

impl IntoValue for bool {
    fn into_value(self, _vm: &mut Vm) -> Result<Value, String> {
        Ok(Value::Bool(self))
    }
}

macro_rules! into_int {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self, _vm: &mut Vm) -> Result<Value, String> {
                i64::try_from(self).map(Value::Int).map_err(|_| {
                    format!("the integer {self} does not fit in a script int (64-bit signed)")
                })
            }
        }
    )*};
}
into_int!(i64, i32, i16, i8, isize, u64, u32, u16, u8, usize);

impl IntoValue for f64 {
    fn into_value(self, _vm: &mut Vm) -> Result<Value, String> {
        Ok(Value::Float(self))
    }
}

impl IntoValue for f32 {
    fn into_value(self, _vm: &mut Vm) -> Result<Value, String> {
        Ok(Value::Float(self as f64))
    }
}

impl IntoValue for String {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        Ok(vm.new_str(self))
    }
}

impl IntoValue for &str {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        Ok(vm.new_str(self))
    }
}

/// A char is a one-character string, in both dialects (Ruff has no character type).
impl IntoValue for char {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        Ok(vm.new_str(self.to_string()))
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        match self {
            Some(x) => x.into_value(vm),
            None => Ok(Value::Null),
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        let items = self
            .into_iter()
            .map(|x| x.into_value(vm))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(vm.new_array(items))
    }
}

impl<T: IntoValue + Clone> IntoValue for &[T] {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        self.to_vec().into_value(vm)
    }
}

fn map_into<T: IntoValue>(
    entries: impl Iterator<Item = (String, T)>,
    vm: &mut Vm,
) -> Result<Value, String> {
    let entries = entries
        .map(|(k, x)| x.into_value(vm).map(|v| (k, v)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(new_dict(vm, entries))
}

impl<T: IntoValue> IntoValue for HashMap<String, T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        map_into(self.into_iter(), vm)
    }
}

impl<T: IntoValue> IntoValue for BTreeMap<String, T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        map_into(self.into_iter(), vm)
    }
}

/// `Err(e)` is an error with the text of `e`: in a host function's result, a script error
/// the script can catch.
impl<T: IntoValue, E: std::fmt::Display> IntoValue for Result<T, E> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        match self {
            Ok(x) => x.into_value(vm),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl<T: HostType> IntoValue for T {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        crate::serde_ser::to_value(vm, &self).map_err(|e| e.to_string())
    }
}

impl<T: Serialize> IntoValue for Serde<T> {
    fn into_value(self, vm: &mut Vm) -> Result<Value, String> {
        crate::serde_ser::to_value(vm, &self.0).map_err(|e| e.to_string())
    }
}
