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

    /// A `Gc` of an object allocated by hand (see `Instance::alloc`).
    ///
    /// # Safety
    /// `ptr` points at an initialized `GcBox<T>` that the heap will own.
    pub(crate) unsafe fn from_raw(ptr: NonNull<GcBox<T>>) -> Gc<T> {
        Gc {
            ptr,
            _marker: PhantomData,
        }
    }

    /// The object's allocation.
    pub(crate) fn raw(self) -> *mut GcBox<T> {
        self.ptr.as_ptr()
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
    values_equal_walk(a, b, false)
}

/// `==` as the code's dialect defines it: Scheme's `=` compares floats exactly (`exact`),
/// Ruff's within an epsilon ([`floats_equal`]).
pub fn values_equal_in(a: Value, b: Value, exact: bool) -> bool {
    values_equal_walk(a, b, exact)
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

/// `==` without a depth limit: containers are compared on a work stack of their own, so
/// nesting costs no Rust stack and a million-deep array compares correctly. Past
/// [`EQ_UNRECORDED`] container pairs the walk also records which pairs it has assumed equal
/// (a union-find over their addresses, as Scheme's `equal?` does), so circular data ends
/// (equal when no walk finds a difference) and shared data is compared once.
fn values_equal_walk(a: Value, b: Value, exact: bool) -> bool {
    match shallow_eq(a, b, exact) {
        Some(r) => r,
        None => EqWalk {
            work: Vec::new(),
            assumed: AssumedEqual::new(EQ_UNRECORDED),
        }
        .run(a, b, exact),
    }
}

/// Container pairs compared before [`EqWalk`] starts recording them.
const EQ_UNRECORDED: usize = 256;

/// `==` decided without looking inside: `None` for two distinct containers whose
/// elements must be compared.
fn shallow_eq(a: Value, b: Value, exact: bool) -> Option<bool> {
    let feq = |x: f64, y: f64| if exact { x == y } else { floats_equal(x, y) };
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => feq(x, y),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => feq(x as f64, y),
        (Value::Str(x), Value::Str(y)) => Gc::ptr_eq(x, y) || x.as_str() == y.as_str(),
        (Value::Array(x), Value::Array(y)) => {
            if Gc::ptr_eq(x, y) || (x.is_empty() && y.is_empty()) {
                true
            } else if x.len() != y.len() {
                false
            } else {
                return None;
            }
        }
        (Value::Dict(x), Value::Dict(y)) => {
            if Gc::ptr_eq(x, y) {
                true
            } else if x.map().len() != y.map().len() {
                false
            } else {
                return None;
            }
        }
        (Value::Closure(x), Value::Closure(y)) => Gc::ptr_eq(x, y),
        (Value::Struct(x), Value::Struct(y)) => {
            if Gc::ptr_eq(x, y) {
                true
            } else if !Gc::ptr_eq(x.ty, y.ty) {
                false
            } else {
                return None;
            }
        }
        (Value::Variant(x), Value::Variant(y)) => {
            if Gc::ptr_eq(x, y) {
                true
            } else if x.family != y.family || x.tag != y.tag || x.payload.len() != y.payload.len() {
                false
            } else {
                return None;
            }
        }
        (Value::StructType(x), Value::StructType(y)) => Gc::ptr_eq(x, y),
        (Value::EnumType(x), Value::EnumType(y)) => Gc::ptr_eq(x, y),
        (Value::Coll(x), Value::Coll(y)) => Gc::ptr_eq(x, y),
        (Value::Module(x), Value::Module(y)) => Gc::ptr_eq(x, y),
        (Value::Pair(x), Value::Pair(y)) => {
            if Gc::ptr_eq(x, y) {
                true
            } else {
                return None;
            }
        }
        (Value::Symbol(x), Value::Symbol(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => Gc::ptr_eq(x, y) || x.bytes() == y.bytes(),
        (Value::Native(x), Value::Native(y)) => x == y,
        _ => false,
    })
}

/// The state of one [`values_equal_walk`].
struct EqWalk {
    work: Vec<(Value, Value)>,
    assumed: AssumedEqual,
}

/// The containers an equality walk assumes equal while it compares them (so circular data
/// ends, and shared parts are walked once): a union-find forest over their addresses (a
/// missing entry is a root), as Scheme's `equal?` does (Adams and Dybvig). The first
/// `unrecorded` comparisons are not recorded (small data never hashes).
pub(crate) struct AssumedEqual {
    visited: usize,
    unrecorded: usize,
    parent: rustc_hash::FxHashMap<usize, usize>,
}

impl AssumedEqual {
    pub(crate) fn new(unrecorded: usize) -> AssumedEqual {
        AssumedEqual {
            visited: 0,
            unrecorded,
            parent: rustc_hash::FxHashMap::default(),
        }
    }

    /// Record that the containers at addresses `a` and `b` are being compared. True when
    /// they are assumed equal already (no need to walk them again); otherwise they are
    /// from now on.
    pub(crate) fn assume(&mut self, a: usize, b: usize) -> bool {
        self.visited += 1;
        if self.visited <= self.unrecorded {
            return false;
        }
        let (ra, rb) = (self.root(a), self.root(b));
        if ra == rb {
            return true;
        }
        self.parent.insert(ra, rb);
        false
    }

    /// The representative of `k`'s set, compressing the path to it.
    fn root(&mut self, k: usize) -> usize {
        let mut root = k;
        while let Some(&p) = self.parent.get(&root) {
            root = p;
        }
        let mut cur = k;
        while cur != root {
            let next = self.parent[&cur];
            self.parent.insert(cur, root);
            cur = next;
        }
        root
    }
}

impl EqWalk {
    fn run(mut self, a: Value, b: Value, exact: bool) -> bool {
        self.work.push((a, b));
        while let Some((a, b)) = self.work.pop() {
            match shallow_eq(a, b, exact) {
                Some(true) => continue,
                Some(false) => return false,
                None => {}
            }
            if self.assumed.assume(container_addr(a), container_addr(b)) {
                continue;
            }
            // Elements are pushed last first, so they are compared in order.
            match (a, b) {
                (Value::Array(x), Value::Array(y)) => {
                    let (xs, ys) = (x.items(), y.items());
                    self.work
                        .extend(xs.iter().zip(ys.iter()).rev().map(|(p, q)| (*p, *q)));
                }
                (Value::Dict(x), Value::Dict(y)) => {
                    let ym = y.map();
                    for (k, v) in x.map().iter() {
                        match ym.get(k.as_ref()) {
                            Some(w) => self.work.push((*v, *w)),
                            None => return false,
                        }
                    }
                }
                (Value::Struct(x), Value::Struct(y)) => {
                    let (xs, ys) = (x.fields(), y.fields());
                    self.work
                        .extend(xs.iter().zip(ys.iter()).rev().map(|(p, q)| (*p, *q)));
                }
                (Value::Variant(x), Value::Variant(y)) => {
                    self.work.extend(
                        x.payload
                            .iter()
                            .zip(y.payload.iter())
                            .rev()
                            .map(|(p, q)| (*p, *q)),
                    );
                }
                (Value::Pair(x), Value::Pair(y)) => {
                    // The car first: a long list keeps the work stack short.
                    self.work.push((x.cdr.get(), y.cdr.get()));
                    self.work.push((x.car.get(), y.car.get()));
                }
                _ => unreachable!("shallow_eq decides everything but containers"),
            }
        }
        true
    }
}

/// The identity of a container [`EqWalk`] looks into.
fn container_addr(v: Value) -> usize {
    match v {
        Value::Array(x) => x.addr(),
        Value::Dict(x) => x.addr(),
        Value::Struct(x) => x.addr(),
        Value::Variant(x) => x.addr(),
        Value::Pair(x) => x.addr(),
        _ => 0,
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
    fn deep_arrays_compare_by_content_at_any_depth() {
        let mut heap = crate::heap::Heap::default();
        let nest = |heap: &mut crate::heap::Heap, leaf: i64, depth: usize| {
            let mut v = Value::Int(leaf);
            for _ in 0..depth {
                v = Value::Array(heap.alloc_array(vec![v]));
            }
            v
        };
        for depth in [1, 200, 201, 100_000] {
            let (a, b) = (nest(&mut heap, 1, depth), nest(&mut heap, 1, depth));
            assert!(values_equal(a, b), "equal at depth {depth}");
            let c = nest(&mut heap, 2, depth);
            assert!(!values_equal(a, c), "unequal leaves at depth {depth}");
            let d = nest(&mut heap, 1, depth + 1);
            assert!(!values_equal(a, d), "unequal depths at {depth}");
        }
    }

    #[test]
    fn circular_arrays_compare_and_end() {
        let mut heap = crate::heap::Heap::default();
        // a = [1, a] and b = [1, b]: the same infinite unfolding.
        let a = heap.alloc_array(vec![Value::Int(1)]);
        a.push(Value::Array(a));
        let b = heap.alloc_array(vec![Value::Int(1)]);
        b.push(Value::Array(b));
        assert!(values_equal(Value::Array(a), Value::Array(b)));
        let c = heap.alloc_array(vec![Value::Int(2)]);
        c.push(Value::Array(c));
        assert!(!values_equal(Value::Array(a), Value::Array(c)));
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
