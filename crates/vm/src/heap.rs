//! The heap: allocation, accounting, and a precise mark-and-sweep collector that reclaims
//! cycles (DESIGN decision 2).
//!
//! Every object is allocated through [`Heap`] and recorded in its object list. The collector
//! never runs on its own: allocation only *counts* bytes, and the interpreter calls
//! [`Heap::should_collect`] at safe points (calls and loop back-edges), where every live value
//! is in a root: the value stack, the globals, the constants of loaded prototypes, or a handle
//! held by the host.

use crate::object::{Array, BoxCell, Closure, Dict, DictMap, Proto, Str};
use crate::value::{Gc, GcBox, Value};
use std::cell::Cell;
use std::rc::Rc;

/// A type-erased reference to any heap object.
#[derive(Clone, Copy)]
enum ObjRef {
    Str(Gc<Str>),
    Array(Gc<Array>),
    Dict(Gc<Dict>),
    Closure(Gc<Closure>),
    Box(Gc<BoxCell>),
}

/// Counters a host or a test can read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Objects allocated since the heap was created.
    pub allocations: u64,
    /// Objects reclaimed since the heap was created.
    pub freed: u64,
    /// Collections run.
    pub collections: u64,
    /// Estimated bytes in live objects (exact after a collection, counted up in between).
    pub bytes: usize,
    /// Objects currently allocated.
    pub objects: usize,
}

/// The memory limit was reached: the allocation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

const MIN_THRESHOLD: usize = 1 << 20;

pub struct Heap {
    objects: Vec<ObjRef>,
    bytes: usize,
    threshold: usize,
    limit: Option<usize>,
    stats: HeapStats,
    gray: Vec<ObjRef>,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

fn str_size(s: &Str) -> usize {
    std::mem::size_of::<GcBox<Str>>() + s.as_str().len()
}
fn array_size(a: &Array) -> usize {
    std::mem::size_of::<GcBox<Array>>() + std::mem::size_of_val(a.items())
}
fn dict_size(d: &Dict) -> usize {
    std::mem::size_of::<GcBox<Dict>>()
        + d.map()
            .keys()
            .map(|k| k.len() + 16 + std::mem::size_of::<Value>() + 8)
            .sum::<usize>()
}
fn closure_size(c: &Closure) -> usize {
    std::mem::size_of::<GcBox<Closure>>() + c.upvals.len() * std::mem::size_of::<Value>()
}

impl Heap {
    pub fn new() -> Heap {
        Heap {
            objects: Vec::new(),
            bytes: 0,
            threshold: MIN_THRESHOLD,
            limit: None,
            stats: HeapStats::default(),
            gray: Vec::new(),
        }
    }

    /// Refuse allocations once the live heap would exceed `limit` bytes.
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
    }

    pub fn stats(&self) -> HeapStats {
        HeapStats {
            bytes: self.bytes,
            objects: self.objects.len(),
            ..self.stats
        }
    }

    /// True when enough has been allocated since the last collection that the interpreter
    /// should collect at its next safe point.
    #[inline]
    pub fn should_collect(&self) -> bool {
        self.bytes >= self.threshold
    }

    /// True when the memory limit is exceeded even after collecting.
    pub fn over_limit(&self) -> bool {
        matches!(self.limit, Some(l) if self.bytes > l)
    }

    fn account(&mut self, size: usize) {
        self.bytes += size;
        self.stats.allocations += 1;
    }

    pub fn alloc_str(&mut self, s: impl Into<Box<str>>) -> Gc<Str> {
        let obj = Str::new(s);
        self.account(str_size(&obj));
        let gc = Gc::from_box(Box::new(GcBox {
            marked: Cell::new(false),
            value: obj,
        }));
        self.objects.push(ObjRef::Str(gc));
        gc
    }

    pub fn alloc_array(&mut self, items: Vec<Value>) -> Gc<Array> {
        let obj = Array::new(items);
        self.account(array_size(&obj));
        let gc = Gc::from_box(Box::new(GcBox {
            marked: Cell::new(false),
            value: obj,
        }));
        self.objects.push(ObjRef::Array(gc));
        gc
    }

    pub fn alloc_dict(&mut self, map: DictMap) -> Gc<Dict> {
        let obj = Dict::new(map);
        self.account(dict_size(&obj));
        let gc = Gc::from_box(Box::new(GcBox {
            marked: Cell::new(false),
            value: obj,
        }));
        self.objects.push(ObjRef::Dict(gc));
        gc
    }

    pub fn alloc_closure(&mut self, proto: Rc<Proto>, upvals: Box<[Value]>) -> Gc<Closure> {
        let obj = Closure { proto, upvals };
        self.account(closure_size(&obj));
        let gc = Gc::from_box(Box::new(GcBox {
            marked: Cell::new(false),
            value: obj,
        }));
        self.objects.push(ObjRef::Closure(gc));
        gc
    }

    pub fn alloc_box(&mut self, v: Value) -> Gc<BoxCell> {
        self.account(std::mem::size_of::<GcBox<BoxCell>>());
        let gc = Gc::from_box(Box::new(GcBox {
            marked: Cell::new(false),
            value: BoxCell {
                value: Cell::new(v),
            },
        }));
        self.objects.push(ObjRef::Box(gc));
        gc
    }

    /// Note growth of an existing object (e.g. an array that was pushed to), so that memory
    /// held in long-lived containers also counts towards the next collection and the limit.
    #[inline]
    pub fn note_growth(&mut self, bytes: usize) {
        self.bytes += bytes;
    }

    /// Mark a value reachable. Call for every root, then [`Heap::sweep`].
    #[inline]
    pub fn mark_value(&mut self, v: Value) {
        let obj = match v {
            Value::Str(g) => ObjRef::Str(g),
            Value::Array(g) => ObjRef::Array(g),
            Value::Dict(g) => ObjRef::Dict(g),
            Value::Closure(g) => ObjRef::Closure(g),
            Value::Box(g) => ObjRef::Box(g),
            _ => return,
        };
        self.mark_obj(obj);
    }

    fn mark_obj(&mut self, obj: ObjRef) {
        let already = match obj {
            ObjRef::Str(g) => g.header().marked.replace(true),
            ObjRef::Array(g) => g.header().marked.replace(true),
            ObjRef::Dict(g) => g.header().marked.replace(true),
            ObjRef::Closure(g) => g.header().marked.replace(true),
            ObjRef::Box(g) => g.header().marked.replace(true),
        };
        if !already {
            self.gray.push(obj);
        }
    }

    /// Mark the constants of a prototype and all its children.
    pub fn mark_proto(&mut self, p: &Proto) {
        for &k in &p.consts {
            self.mark_value(k);
        }
        for c in &p.children {
            self.mark_proto(c);
        }
    }

    /// Trace everything reachable from the objects marked so far.
    pub fn trace(&mut self) {
        while let Some(obj) = self.gray.pop() {
            match obj {
                ObjRef::Str(_) => {}
                ObjRef::Array(a) => {
                    for i in 0..a.len() {
                        let v = a.items()[i];
                        self.mark_value(v);
                    }
                }
                ObjRef::Dict(d) => {
                    let vals: Vec<Value> = d.map().values().copied().collect();
                    for v in vals {
                        self.mark_value(v);
                    }
                }
                ObjRef::Closure(c) => {
                    for i in 0..c.upvals.len() {
                        self.mark_value(c.upvals[i]);
                    }
                }
                ObjRef::Box(b) => self.mark_value(b.value.get()),
            }
        }
    }

    /// Free every unmarked object, clear the marks, and set the next threshold.
    pub fn sweep(&mut self) {
        self.trace();
        let mut live = 0usize;
        let mut freed = 0u64;
        self.objects.retain(|&obj| {
            let (marked, size) = match obj {
                ObjRef::Str(g) => (g.header().marked.replace(false), str_size(&g)),
                ObjRef::Array(g) => (g.header().marked.replace(false), array_size(&g)),
                ObjRef::Dict(g) => (g.header().marked.replace(false), dict_size(&g)),
                ObjRef::Closure(g) => (g.header().marked.replace(false), closure_size(&g)),
                ObjRef::Box(g) => (
                    g.header().marked.replace(false),
                    std::mem::size_of::<GcBox<BoxCell>>(),
                ),
            };
            if marked {
                live += size;
                true
            } else {
                freed += 1;
                // SAFETY: unmarked after a full trace from all roots: nothing refers to it.
                unsafe {
                    match obj {
                        ObjRef::Str(g) => g.free(),
                        ObjRef::Array(g) => g.free(),
                        ObjRef::Dict(g) => g.free(),
                        ObjRef::Closure(g) => g.free(),
                        ObjRef::Box(g) => g.free(),
                    }
                }
                false
            }
        });
        self.bytes = live;
        self.threshold = (live * 2).max(MIN_THRESHOLD);
        self.stats.freed += freed;
        self.stats.collections += 1;
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        for obj in self.objects.drain(..) {
            // SAFETY: the heap owns every object; nothing uses them after the heap is gone.
            unsafe {
                match obj {
                    ObjRef::Str(g) => g.free(),
                    ObjRef::Array(g) => g.free(),
                    ObjRef::Dict(g) => g.free(),
                    ObjRef::Closure(g) => g.free(),
                    ObjRef::Box(g) => g.free(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_objects_are_freed_and_roots_kept() {
        let mut h = Heap::new();
        let keep = h.alloc_str("keep");
        let _drop = h.alloc_str("drop");
        let arr = h.alloc_array(vec![Value::Str(keep)]);
        h.mark_value(Value::Array(arr));
        h.sweep();
        let s = h.stats();
        assert_eq!(s.objects, 2);
        assert_eq!(s.freed, 1);
        assert_eq!(s.collections, 1);
        assert_eq!(keep.as_str(), "keep");
    }

    #[test]
    fn cycles_are_reclaimed() {
        let mut h = Heap::new();
        for _ in 0..100 {
            // box -> array -> box: a cycle with no root.
            let b = h.alloc_box(Value::Null);
            let a = h.alloc_array(vec![Value::Box(b)]);
            b.value.set(Value::Array(a));
        }
        assert_eq!(h.stats().objects, 200);
        h.sweep();
        assert_eq!(h.stats().objects, 0);
        assert_eq!(h.stats().freed, 200);
    }

    #[test]
    fn a_rooted_cycle_survives_collection() {
        let mut h = Heap::new();
        let b = h.alloc_box(Value::Null);
        let a = h.alloc_array(vec![Value::Box(b)]);
        b.value.set(Value::Array(a));
        h.mark_value(Value::Box(b));
        h.sweep();
        assert_eq!(h.stats().objects, 2);
        // Second collection without roots frees both.
        h.sweep();
        assert_eq!(h.stats().objects, 0);
    }

    #[test]
    fn allocation_is_counted_and_triggers_collection() {
        let mut h = Heap::new();
        assert!(!h.should_collect());
        for i in 0..100_000 {
            h.alloc_str(format!("string number {i}"));
        }
        assert_eq!(h.stats().allocations, 100_000);
        assert!(h.should_collect());
        h.sweep();
        assert!(!h.should_collect());
    }
}
