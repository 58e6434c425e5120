//! The `Value` type: `Copy`, 16 bytes, ints and floats inline, heap objects behind [`Gc`]
//! pointers owned by the [`crate::heap::Heap`].
//!
//! Representation (DESIGN decision 1): a Rust enum, i.e. a tag word plus an 8-byte payload.
//! We chose it over NaN-boxing because it keeps full i64 ints inline without a range check on
//! every arithmetic result, and the tag test is one byte compare either way. See
//! `docs/ARCHITECTURE.md`.

use crate::object::{
    Array, BoxCell, Bytevector, Closure, CollKind, Collection, Dict, EnumType, Family, Instance,
    ModuleObj, Pair, Str, StructType, Variant,
};
use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A pointer to a GC-managed object of type `T`. It is only valid while the object is
/// reachable from the roots at every collection; the VM upholds that.
pub struct Gc<T> {
    ptr: NonNull<GcBox<T>>,
    _marker: PhantomData<T>,
}

impl<T> Clone for Gc<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gc<T> {}

impl<T> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<T> Eq for Gc<T> {}

impl<T> fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gc({:p})", self.ptr)
    }
}

/// Header + object, as allocated by the heap. `repr(C)`, so compiled code knows where the
/// object starts (`crate::jit_abi`).
#[repr(C)]
pub struct GcBox<T> {
    pub(crate) marked: std::cell::Cell<bool>,
    pub(crate) value: T,
}

impl<T> Gc<T> {
    pub(crate) fn from_box(b: Box<GcBox<T>>) -> Gc<T> {
        Gc {
            ptr: NonNull::from(Box::leak(b)),
            _marker: PhantomData,
        }
    }

    pub(crate) fn header(&self) -> &GcBox<T> {
        // SAFETY: a live Gc always points at an allocated GcBox (heap invariant).
        unsafe { self.ptr.as_ref() }
    }

    /// Reclaim the object. Only the sweeper calls this, for unmarked objects.
    pub(crate) unsafe fn free(self) {
        drop(Box::from_raw(self.ptr.as_ptr()));
    }

    /// A pointer to nothing, for building a value only to read its tag (never deref'd).
    pub(crate) fn dangling() -> Gc<T> {
        Gc {
            ptr: NonNull::dangling(),
            _marker: PhantomData,
        }
    }

    pub fn ptr_eq(a: Gc<T>, b: Gc<T>) -> bool {
        a.ptr == b.ptr
    }

    pub fn addr(self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl<T> std::ops::Deref for Gc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.header().value
    }
}

/// A tandem value.
///
/// `repr(C, u8)`: a one-byte tag at offset 0 and every payload at offset 8, the layout
/// compiled code reads and writes (`crate::jit_abi`).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, u8)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Gc<Str>),
    Array(Gc<Array>),
    Dict(Gc<Dict>),
    Closure(Gc<Closure>),
    /// A native function, by index in the engine's native table.
    Native(u32),
    /// A struct type (the value of `P` after `struct P { ... }`).
    StructType(Gc<StructType>),
    /// A struct instance.
    Struct(Gc<Instance>),
    /// An enum type (the value of `Color` after `enum Color { ... }`).
    EnumType(Gc<EnumType>),
    /// `Ok(x)`, `Err(e)`, `Some(x)`, `None`, or a user enum variant.
    Variant(Gc<Variant>),
    /// A Set, Queue or Stack.
    Coll(Gc<Collection>),
    /// A loaded module (`import m`).
    Module(Gc<ModuleObj>),
    /// A Scheme pair. The empty list is `Null`.
    Pair(Gc<Pair>),
    /// An interned Scheme symbol (its index in the heap's symbol table).
    Symbol(u32),
    /// A Scheme character.
    Char(char),
    /// A Scheme bytevector.
    Bytes(Gc<Bytevector>),
    /// Several values at once (Scheme `values`), as an array of them.
    Values(Gc<Array>),
    /// A mutable cell shared by a frame and its closures. Never visible to programs.
    Box(Gc<BoxCell>),
    /// An unset global. Never visible to programs.
    Undef,
}

impl Value {
    /// The name `type(v)` returns.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Dict(_) => "dict",
            Value::Closure(_) | Value::Native(_) => "function",
            Value::Struct(_) => "struct",
            Value::StructType(_) => "struct type",
            Value::EnumType(_) => "enum type",
            Value::Variant(v) => match v.family {
                Family::Result => "result",
                Family::Option => "option",
                Family::Enum(_) => "enum",
            },
            Value::Coll(c) => match c.kind {
                CollKind::Set => "set",
                CollKind::Queue => "queue",
                CollKind::Stack => "stack",
            },
            Value::Module(_) => "module",
            Value::Pair(_) => "pair",
            Value::Symbol(_) => "symbol",
            Value::Char(_) => "char",
            Value::Bytes(_) => "bytevector",
            Value::Values(_) => "values",
            Value::Box(_) => "box",
            Value::Undef => "undefined",
        }
    }

    /// Ruff truthiness: `false null 0 0.0 "" [] {}` are false.
    #[inline]
    pub fn truthy(&self) -> bool {
        match *self {
            Value::Bool(b) => b,
            Value::Null | Value::Undef => false,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            _ => true,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

/// Equality as `==` defines it: numbers by value across int/float, strings by content,
/// arrays and dicts structurally, functions by identity.
pub fn values_equal(a: Value, b: Value) -> bool {
    values_equal_depth(a, b, 0, false)
}

/// `==` as the code's dialect defines it: Scheme's `=` compares floats exactly (`exact`),
/// Ruff's within an epsilon ([`floats_equal`]).
pub fn values_equal_in(a: Value, b: Value, exact: bool) -> bool {
    values_equal_depth(a, b, 0, exact)
}

/// Float equality as Ruff defines it: finite values are equal when they differ by less than
/// `f64::EPSILON` (so `0.1 + 0.2 == 0.3`); infinities compare exactly; NaN equals nothing.
#[inline]
pub fn floats_equal(x: f64, y: f64) -> bool {
    if x.is_finite() && y.is_finite() {
        (x - y).abs() < f64::EPSILON
    } else {
        x == y
    }
}

fn values_equal_depth(a: Value, b: Value, depth: u32, exact: bool) -> bool {
    let feq = |x: f64, y: f64| if exact { x == y } else { floats_equal(x, y) };
    if depth > 200 {
        return false;
    }
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => feq(x, y),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => feq(x as f64, y),
        (Value::Str(x), Value::Str(y)) => Gc::ptr_eq(x, y) || x.as_str() == y.as_str(),
        (Value::Array(x), Value::Array(y)) => {
            if Gc::ptr_eq(x, y) {
                return true;
            }
            let (xs, ys) = (x.items(), y.items());
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys.iter())
                    .all(|(p, q)| values_equal_depth(*p, *q, depth + 1, exact))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            if Gc::ptr_eq(x, y) {
                return true;
            }
            let (xm, ym) = (x.map(), y.map());
            xm.len() == ym.len()
                && xm.iter().all(|(k, v)| match ym.get(k.as_ref()) {
                    Some(w) => values_equal_depth(*v, *w, depth + 1, exact),
                    None => false,
                })
        }
        (Value::Closure(x), Value::Closure(y)) => Gc::ptr_eq(x, y),
        (Value::Struct(x), Value::Struct(y)) => {
            Gc::ptr_eq(x, y)
                || (Gc::ptr_eq(x.ty, y.ty)
                    && x.fields()
                        .iter()
                        .zip(y.fields().iter())
                        .all(|(p, q)| values_equal_depth(*p, *q, depth + 1, exact)))
        }
        (Value::Variant(x), Value::Variant(y)) => {
            Gc::ptr_eq(x, y)
                || (x.family == y.family
                    && x.tag == y.tag
                    && x.payload.len() == y.payload.len()
                    && x.payload
                        .iter()
                        .zip(y.payload.iter())
                        .all(|(p, q)| values_equal_depth(*p, *q, depth + 1, exact)))
        }
        (Value::StructType(x), Value::StructType(y)) => Gc::ptr_eq(x, y),
        (Value::EnumType(x), Value::EnumType(y)) => Gc::ptr_eq(x, y),
        (Value::Coll(x), Value::Coll(y)) => Gc::ptr_eq(x, y),
        (Value::Module(x), Value::Module(y)) => Gc::ptr_eq(x, y),
        (Value::Pair(x), Value::Pair(y)) => {
            Gc::ptr_eq(x, y)
                || (values_equal_depth(x.car.get(), y.car.get(), depth + 1, exact)
                    && values_equal_depth(x.cdr.get(), y.cdr.get(), depth + 1, exact))
        }
        (Value::Symbol(x), Value::Symbol(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => Gc::ptr_eq(x, y) || x.bytes() == y.bytes(),
        (Value::Native(x), Value::Native(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn numeric_equality_crosses_int_and_float() {
        assert!(values_equal(Value::Int(1), Value::Float(1.0)));
        assert!(!values_equal(Value::Int(1), Value::Float(1.5)));
        assert!(!values_equal(Value::Int(0), Value::Null));
        assert!(!values_equal(Value::Bool(true), Value::Int(1)));
        // Ruff's epsilon equality for finite floats.
        assert!(values_equal(Value::Float(0.1 + 0.2), Value::Float(0.3)));
        assert!(!values_equal(
            Value::Float(f64::NAN),
            Value::Float(f64::NAN)
        ));
        assert!(values_equal(
            Value::Float(f64::INFINITY),
            Value::Float(f64::INFINITY)
        ));
    }

    #[test]
    fn truthiness_of_scalars() {
        assert!(!Value::Int(0).truthy());
        assert!(Value::Int(-1).truthy());
        assert!(!Value::Float(0.0).truthy());
        assert!(!Value::Null.truthy());
        assert!(Value::Bool(true).truthy());
    }
}
