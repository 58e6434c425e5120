//! The heap: allocation, accounting, and a precise mark-and-sweep collector that reclaims
//! cycles (DESIGN decision 2).
//!
//! Every object is allocated through [`Heap`] and recorded in its object list. The collector
//! never runs on its own: allocation only *counts* bytes, and the interpreter calls
//! [`Heap::should_collect`] at safe points (calls and loop back-edges), where every live value
//! is in a root: the value stack, the globals, the constants of loaded prototypes, or a handle
//! held by the host.

use crate::object::{
    Array, BoxCell, Bytevector, Closure, Collection, Dict, DictMap, EnumType, Instance, ModuleObj,
    Pair, Proto, Str, StructType, Variant,
};
use crate::value::{Gc, GcBox, Value};
use std::cell::Cell;
use std::mem::{size_of, size_of_val};

/// What the collector needs from every heap object type.
pub trait Trace {
    /// Mark every value this object refers to.
    fn trace(&self, heap: &mut Heap);
    /// Approximate bytes held (the object and what it owns), for accounting.
    fn size(&self) -> usize;
    /// Free the object.
    ///
    /// # Safety
    /// Only for an unreachable object of this heap (or when the heap is dropped).
    unsafe fn reclaim(g: Gc<Self>)
    where
        Self: Sized,
    {
        // SAFETY: as documented; the heap allocated it as a `Box`.
        unsafe { g.free() }
    }
}

impl Trace for Str {
    fn trace(&self, _: &mut Heap) {}
    fn size(&self) -> usize {
        // Inline text is inside the object.
        size_of::<GcBox<Str>>() + self.heap_len()
    }
}
impl Trace for Array {
    fn trace(&self, heap: &mut Heap) {
        for &v in self.items() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        // The capacity: room reserved by growth counts (`Vm::grow_array`).
        size_of::<GcBox<Array>>() + self.capacity() * size_of::<Value>()
    }
}
impl Trace for Dict {
    fn trace(&self, heap: &mut Heap) {
        for &v in self.map().values() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        size_of::<GcBox<Dict>>()
            + self
                .map()
                .keys()
                .map(|k| k.heap_size() + size_of::<crate::object::Key>() + size_of::<Value>() + 1)
                .sum::<usize>()
    }
}
impl Trace for Closure {
    fn trace(&self, heap: &mut Heap) {
        for &v in self.upvals.iter() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        size_of::<GcBox<Closure>>() + size_of_val(&*self.upvals)
    }
}
impl Trace for BoxCell {
    fn trace(&self, heap: &mut Heap) {
        heap.mark_value(self.value.get());
    }
    fn size(&self) -> usize {
        size_of::<GcBox<BoxCell>>()
    }
}
impl Trace for StructType {
    fn trace(&self, heap: &mut Heap) {
        for &v in self.methods().values() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        size_of::<GcBox<StructType>>() + self.fields.len() * 24 + self.methods().len() * 40
    }
}
impl Trace for Instance {
    fn trace(&self, heap: &mut Heap) {
        heap.mark_value(Value::StructType(self.ty));
        for &v in self.fields() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        size_of::<GcBox<Instance>>() + size_of_val(self.fields())
    }
    unsafe fn reclaim(g: Gc<Self>) {
        // SAFETY: as documented; `Heap::alloc_instance` allocated it.
        unsafe { Instance::free(g) }
    }
}
impl Trace for EnumType {
    fn trace(&self, _: &mut Heap) {}
    fn size(&self) -> usize {
        size_of::<GcBox<EnumType>>() + self.variants.len() * 24
    }
}
impl Trace for Variant {
    fn trace(&self, heap: &mut Heap) {
        for &v in self.payload.iter() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        size_of::<GcBox<Variant>>() + size_of_val(&*self.payload) + self.tag.len()
    }
}
impl Trace for Collection {
    fn trace(&self, heap: &mut Heap) {
        for &v in self.items() {
            heap.mark_value(v);
        }
    }
    fn size(&self) -> usize {
        size_of::<GcBox<Collection>>() + self.items().capacity() * size_of::<Value>()
    }
}
impl Trace for ModuleObj {
    // The exported values live in globals, which are roots.
    fn trace(&self, _: &mut Heap) {}
    fn size(&self) -> usize {
        size_of::<GcBox<ModuleObj>>() + (self.exports.len() + self.forwarders.len()) * 40
    }
}

impl Trace for Pair {
    fn trace(&self, heap: &mut Heap) {
        heap.mark_value(self.car.get());
        heap.mark_value(self.cdr.get());
    }
    fn size(&self) -> usize {
        size_of::<GcBox<Pair>>()
    }
}
impl Trace for Bytevector {
    fn trace(&self, _: &mut Heap) {}
    fn size(&self) -> usize {
        size_of::<GcBox<Bytevector>>() + self.bytes().len()
    }
}

/// Declares every heap object kind once: the type-erased reference, the allocators, and the
/// dispatch from a reference to its `Trace` implementation.
macro_rules! object_kinds {
    ($($kind:ident($ty:ty) => $alloc:ident),* $(,)?) => {
        /// A type-erased reference to any heap object.
        #[derive(Clone, Copy)]
        enum ObjRef {
            $($kind(Gc<$ty>),)*
        }

        impl ObjRef {
            fn marked(&self) -> &Cell<bool> {
                match self {
                    $(ObjRef::$kind(g) => &g.header().marked,)*
                }
            }
            fn trace(&self, heap: &mut Heap) {
                match self {
                    $(ObjRef::$kind(g) => Trace::trace(&**g, heap),)*
                }
            }
            fn size(&self) -> usize {
                match self {
                    $(ObjRef::$kind(g) => Trace::size(&**g),)*
                }
            }
            /// SAFETY: only for unreachable objects (or when the heap is dropped).
            unsafe fn free(self) {
                match self {
                    $(ObjRef::$kind(g) => Trace::reclaim(g),)*
                }
            }
        }

        impl Heap {
            $(object_kinds!(@alloc $kind($ty) => $alloc);)*
        }
    };
    // An instance is allocated with its fields (`Heap::alloc_instance`).
    (@alloc $kind:ident($ty:ty) => custom) => {};
    (@alloc $kind:ident($ty:ty) => $alloc:ident) => {
        pub fn $alloc(&mut self, obj: $ty) -> Gc<$ty> {
            self.account(Trace::size(&obj));
            let gc = Gc::from_box(Box::new(GcBox {
                marked: Cell::new(false),
                value: obj,
            }));
            self.objects.push(ObjRef::$kind(gc));
            gc
        }
    };
}

object_kinds! {
    Str(Str) => alloc_str_obj,
    Array(Array) => alloc_array_obj,
    Dict(Dict) => alloc_dict_obj,
    Closure(Closure) => alloc_closure_obj,
    Box(BoxCell) => alloc_box_obj,
    StructType(StructType) => alloc_struct_type,
    Instance(Instance) => custom,
    EnumType(EnumType) => alloc_enum_type,
    Variant(Variant) => alloc_variant,
    Collection(Collection) => alloc_collection,
    Module(ModuleObj) => alloc_module,
    Pair(Pair) => alloc_pair_obj,
    Bytes(Bytevector) => alloc_bytes,
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

const MIN_THRESHOLD: usize = 4 << 20;

pub struct Heap {
    /// Interned symbol names; a symbol value is an index here. Symbols are never freed.
    symbols: Vec<Box<str>>,
    symbol_index: rustc_hash::FxHashMap<Box<str>, u32>,
    /// Memory the symbol table holds (it counts towards the limit, and is never freed).
    symbol_bytes: usize,
    /// Memory the VM's value stack and frames hold (it counts towards the limit; kept up
    /// to date by `Vm::grow_stack`).
    pub(crate) stack_bytes: usize,
    objects: Vec<ObjRef>,
    bytes: usize,
    threshold: usize,
    limit: Option<usize>,
    stats: HeapStats,
    gray: Vec<ObjRef>,
    /// Set when [`Heap::reserve`] refused an allocation: the error the refusing code returns
    /// is then the memory limit's (uncatchable), whatever its own error type can say.
    limit_hit: bool,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl Heap {
    /// Where compiled code finds the byte count and the threshold `should_collect` compares.
    pub(crate) const BYTES_OFFSET: usize = std::mem::offset_of!(Heap, bytes);
    pub(crate) const THRESHOLD_OFFSET: usize = std::mem::offset_of!(Heap, threshold);

    pub fn new() -> Heap {
        Heap {
            symbols: Vec::new(),
            symbol_index: Default::default(),
            symbol_bytes: 0,
            stack_bytes: 0,
            objects: Vec::new(),
            bytes: 0,
            threshold: MIN_THRESHOLD,
            limit: None,
            stats: HeapStats::default(),
            gray: Vec::new(),
            limit_hit: false,
        }
    }

    /// Limit the heap to `limit` bytes. An allocation that would take the heap (the bytes
    /// live at the last collection plus those allocated since) past it is refused before it
    /// is made ([`Heap::reserve`]), and a collection that leaves more than that live fails
    /// too ([`Heap::over_limit`]); either raises the uncatchable memory limit error.
    /// Collections come sooner as the heap nears the limit, so that at most half of the
    /// room left holds garbage when a large allocation is asked for.
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
        self.threshold = self.next_threshold(self.bytes / 2);
    }

    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    /// The allocation level that triggers the next collection, given `live` bytes after one:
    /// twice the live heap, but never past the limit.
    fn next_threshold(&self, live: usize) -> usize {
        let t = (live * 2).max(MIN_THRESHOLD);
        match self.limit {
            Some(l) => {
                let room = l.saturating_sub(self.symbol_bytes + self.stack_bytes);
                t.min(live + room.saturating_sub(live) / 2).max(1)
            }
            None => t,
        }
    }

    /// Check that `n` more bytes fit under the memory limit, before allocating them.
    /// On `Err` (the limit's message) the caller allocates nothing and fails; the error it
    /// raises becomes the uncatchable memory limit error (see [`Heap::take_limit_hit`]).
    #[inline]
    pub fn reserve(&mut self, n: usize) -> Result<(), String> {
        match self.limit {
            Some(l) if self.used().saturating_add(n) > l => {
                self.limit_hit = true;
                Err(self.limit_message())
            }
            _ => Ok(()),
        }
    }

    /// [`Heap::reserve`] for `n` values (of 16 bytes each).
    #[inline]
    pub fn reserve_values(&mut self, n: usize) -> Result<(), String> {
        self.reserve(n.saturating_mul(size_of::<Value>()))
    }

    /// The bytes that count towards the limit: the heap's objects (live at the last
    /// collection, and allocated since), interned symbols, the VM's stack and frames.
    fn used(&self) -> usize {
        self.bytes + self.symbol_bytes + self.stack_bytes
    }

    /// The bytes still allowed before the memory limit (`None`: no limit). Text built
    /// outside the heap (printing) stays within it too.
    pub fn room(&self) -> Option<usize> {
        self.limit.map(|l| l.saturating_sub(self.used()))
    }

    /// `memory limit exceeded (N bytes)`.
    pub fn limit_message(&self) -> String {
        format!("memory limit exceeded ({} bytes)", self.limit.unwrap_or(0))
    }

    /// Whether [`Heap::reserve`] refused an allocation since this was last asked (and
    /// forget it).
    pub fn take_limit_hit(&mut self) -> bool {
        std::mem::take(&mut self.limit_hit)
    }

    pub(crate) fn clear_limit_hit(&mut self) {
        self.limit_hit = false;
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
        matches!(self.limit, Some(l) if self.used() > l)
    }

    fn account(&mut self, size: usize) {
        self.bytes += size;
        self.stats.allocations += 1;
    }

    /// A new instance of `ty` with these field values: one per field of `ty`, the ones
    /// not given null.
    pub fn alloc_instance(&mut self, ty: Gc<StructType>, fields: &[Value]) -> Gc<Instance> {
        let n = ty.fields.len().max(fields.len());
        let gc = Instance::alloc(ty, fields, n);
        self.account(Trace::size(&*gc));
        self.objects.push(ObjRef::Instance(gc));
        gc
    }

    pub fn alloc_str(&mut self, s: impl crate::object::IntoStr) -> Gc<Str> {
        self.alloc_str_obj(Str::new(s))
    }

    pub fn alloc_array(&mut self, items: Vec<Value>) -> Gc<Array> {
        self.alloc_array_obj(Array::new(items))
    }

    pub fn alloc_dict(&mut self, map: DictMap) -> Gc<Dict> {
        self.alloc_dict_obj(Dict::new(map))
    }

    pub fn alloc_closure(
        &mut self,
        proto: std::rc::Rc<Proto>,
        upvals: Box<[Value]>,
    ) -> Gc<Closure> {
        self.alloc_closure_obj(Closure { proto, upvals })
    }

    pub fn alloc_pair(&mut self, car: Value, cdr: Value) -> Gc<Pair> {
        self.alloc_pair_obj(Pair {
            car: Cell::new(car),
            cdr: Cell::new(cdr),
        })
    }

    /// The symbol with this name (interned: the same name gives the same symbol).
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.symbol_index.get(name) {
            return id;
        }
        let id = self.symbols.len() as u32;
        // The name is stored twice (table and index), with a box and an index entry each.
        self.symbol_bytes += 2 * (name.len() + size_of::<Box<str>>()) + size_of::<u32>();
        self.symbols.push(name.into());
        self.symbol_index.insert(name.into(), id);
        id
    }

    pub fn symbol_name(&self, id: u32) -> &str {
        self.symbols.get(id as usize).map(|s| &**s).unwrap_or("?")
    }

    pub fn alloc_box(&mut self, v: Value) -> Gc<BoxCell> {
        self.alloc_box_obj(BoxCell {
            value: Cell::new(v),
        })
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
            Value::StructType(g) => ObjRef::StructType(g),
            Value::Struct(g) => ObjRef::Instance(g),
            Value::EnumType(g) => ObjRef::EnumType(g),
            Value::Variant(g) => ObjRef::Variant(g),
            Value::Coll(g) => ObjRef::Collection(g),
            Value::Module(g) => ObjRef::Module(g),
            Value::Pair(g) => ObjRef::Pair(g),
            Value::Bytes(g) => ObjRef::Bytes(g),
            Value::Values(g) => ObjRef::Array(g),
            Value::Symbol(_) | Value::Char(_) => return,
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => return,
            Value::Native(_) | Value::Undef => return,
        };
        if !obj.marked().replace(true) {
            self.gray.push(obj);
        }
    }

    /// Mark the constants of a prototype and all its children.
    pub fn mark_proto(&mut self, p: &Proto) {
        for &k in &p.consts {
            self.mark_value(k);
        }
        for m in p.methods.values() {
            self.mark_value(m);
        }
        for c in &p.children {
            self.mark_proto(c);
        }
    }

    /// Trace everything reachable from the objects marked so far.
    pub fn trace(&mut self) {
        while let Some(obj) = self.gray.pop() {
            obj.trace(self);
        }
    }

    /// Free every unmarked object, clear the marks, and set the next threshold.
    pub fn sweep(&mut self) {
        self.trace();
        let mut live = 0usize;
        let mut freed = 0u64;
        self.objects.retain(|&obj| {
            if obj.marked().replace(false) {
                live += obj.size();
                true
            } else {
                freed += 1;
                // SAFETY: unmarked after a full trace from all roots: nothing refers to it.
                unsafe { obj.free() };
                false
            }
        });
        self.bytes = live;
        self.threshold = self.next_threshold(live);
        self.stats.freed += freed;
        self.stats.collections += 1;
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        for obj in self.objects.drain(..) {
            // SAFETY: the heap owns every object; nothing uses them after the heap is gone.
            unsafe { obj.free() };
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
        let mut n = 0;
        while !h.should_collect() && n < 10_000_000 {
            h.alloc_str(format!("string number {n}"));
            n += 1;
        }
        assert_eq!(h.stats().allocations, n);
        assert!(h.should_collect(), "after {n} strings");
        assert!(h.stats().bytes >= MIN_THRESHOLD);
        h.sweep();
        assert!(!h.should_collect());
    }
}
