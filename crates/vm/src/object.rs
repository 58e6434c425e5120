//! Heap object types: strings, arrays, dicts, closures, boxes, and function prototypes.
//!
//! Arrays, dicts and boxes are mutable through shared `Gc` pointers. The VM is single-threaded
//! and never holds a reference into an object's contents across a call that could mutate the
//! same object; the accessors below rely on that.

use crate::opcode::Instr;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::cell::{Cell, UnsafeCell};
use std::rc::Rc;
use tandem_syntax::Span;

/// An immutable string.
pub struct Str {
    s: Box<str>,
}

impl Str {
    pub fn new(s: impl Into<Box<str>>) -> Str {
        Str { s: s.into() }
    }
    pub fn as_str(&self) -> &str {
        &self.s
    }
}

/// A growable array of values (a reference type).
#[derive(Default)]
pub struct Array {
    items: UnsafeCell<Vec<Value>>,
}

impl Array {
    pub fn new(items: Vec<Value>) -> Array {
        Array {
            items: UnsafeCell::new(items),
        }
    }
    #[inline]
    pub fn len(&self) -> usize {
        self.items().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The elements. Do not hold the slice across anything that may mutate this array.
    #[inline]
    pub fn items(&self) -> &[Value] {
        // SAFETY: single-threaded; no &mut to the same Vec is live (see module docs).
        unsafe { &*self.items.get() }
    }
    /// Mutable access. Do not hold it across anything that may read this array.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub fn items_mut(&self) -> &mut Vec<Value> {
        // SAFETY: as for `items`.
        unsafe { &mut *self.items.get() }
    }
    #[inline]
    pub fn get(&self, i: usize) -> Option<Value> {
        self.items().get(i).copied()
    }
    #[inline]
    pub fn push(&self, v: Value) {
        self.items_mut().push(v)
    }
    /// A copy of the elements (safe to hold while mutating this array).
    pub fn to_vec(&self) -> Vec<Value> {
        self.items().to_vec()
    }
}

pub type DictMap = FxHashMap<Box<str>, Value>;

/// A dict with string keys (a reference type).
#[derive(Default)]
pub struct Dict {
    map: UnsafeCell<DictMap>,
}

impl Dict {
    pub fn new(map: DictMap) -> Dict {
        Dict {
            map: UnsafeCell::new(map),
        }
    }
    pub fn len(&self) -> usize {
        self.map().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The entries. Do not hold the reference across anything that may mutate this dict.
    #[inline]
    pub fn map(&self) -> &DictMap {
        // SAFETY: single-threaded; no &mut to the same map is live.
        unsafe { &*self.map.get() }
    }
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub fn map_mut(&self) -> &mut DictMap {
        // SAFETY: as for `map`.
        unsafe { &mut *self.map.get() }
    }
    #[inline]
    pub fn get(&self, key: &str) -> Option<Value> {
        self.map().get(key).copied()
    }
    pub fn insert(&self, key: &str, v: Value) {
        let m = self.map_mut();
        if let Some(slot) = m.get_mut(key) {
            *slot = v;
        } else {
            m.insert(key.into(), v);
        }
    }
    /// Keys in sorted order (the order in which dicts print and iterate).
    pub fn sorted_keys(&self) -> Vec<Box<str>> {
        let mut keys: Vec<Box<str>> = self.map().keys().cloned().collect();
        keys.sort();
        keys
    }
}

/// A mutable cell holding a captured variable that is reassigned.
pub struct BoxCell {
    pub value: Cell<Value>,
}

/// How a closure obtains one upvalue when it is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpvalSource {
    /// From a register of the creating frame (a box when the variable is boxed).
    Register(u8),
    /// From the creating closure's own upvalue.
    Upvalue(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpvalDesc {
    pub source: UpvalSource,
    /// The upvalue holds a box (the variable is reassigned somewhere).
    pub boxed: bool,
    /// For the disassembler.
    pub name_const: u16,
}

/// A compiled function: code, constants, debug info. Immutable once built.
pub struct Proto {
    pub name: String,
    /// Number of fixed parameters.
    pub arity: u8,
    /// Extra arguments are collected into an array in register `arity`.
    pub variadic: bool,
    /// Registers the frame needs.
    pub nregs: u16,
    pub code: Vec<Instr>,
    /// Source span of each instruction (same length as `code`).
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    pub children: Vec<Rc<Proto>>,
    pub upvals: Vec<UpvalDesc>,
    pub span: Span,
    /// Part of the standard library (the prelude): prints as a native function.
    pub builtin: bool,
}

/// A function value: a prototype plus its captured upvalues.
pub struct Closure {
    pub proto: Rc<Proto>,
    pub upvals: Box<[Value]>,
}
