//! Heap object types: strings, arrays, dicts, closures, boxes, and function prototypes.
//!
//! Arrays, dicts and boxes are mutable through shared `Gc` pointers. The VM is single-threaded
//! and never holds a reference into an object's contents across a call that could mutate the
//! same object; the accessors below rely on that.

use crate::opcode::Instr;
use crate::value::{Gc, Value};
use rustc_hash::FxHashMap;
use std::cell::{Cell, UnsafeCell};
use std::collections::VecDeque;
use std::rc::Rc;
use tandem_syntax::Span;

pub use crate::text::{IntoStr, Str};

/// A growable array of values (a reference type).
#[derive(Default)]
pub struct Array {
    items: UnsafeCell<Vec<Value>>,
}

impl Array {
    /// Where the `Vec` of elements sits (for compiled code, `crate::jit_abi`).
    pub(crate) const ITEMS_OFFSET: usize = std::mem::offset_of!(Array, items);

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
    /// The elements it has room for without growing.
    pub fn capacity(&self) -> usize {
        // SAFETY: as for `items`.
        unsafe { (*self.items.get()).capacity() }
    }
    /// A copy of the elements (safe to hold while mutating this array).
    pub fn to_vec(&self) -> Vec<Value> {
        self.items().to_vec()
    }
}

/// A dict key. Ruff dict keys are strings, and an int key means its decimal string
/// (`d[7]` is `d["7"]`). A key whose text is a canonical decimal int is stored as the int:
/// hashing and comparing it is cheap, and an int key needs no string at all. The text is
/// rebuilt where keys are shown (printing, `keys()`, iteration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Int(i64),
    Str(Box<str>),
}

/// A borrowed key, for lookups that must not allocate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    Int(i64),
    Str(&'a str),
}

impl KeyRef<'_> {
    /// The key for a string: an int when the text is a canonical decimal int.
    pub fn parse(s: &str) -> KeyRef<'_> {
        let b = s.as_bytes();
        let digits = b.strip_prefix(b"-").unwrap_or(b);
        let canonical = !digits.is_empty()
            && digits.len() <= 19
            && digits.iter().all(u8::is_ascii_digit)
            && (digits[0] != b'0' || (digits.len() == 1 && b.len() == 1));
        if canonical {
            if let Ok(i) = s.parse::<i64>() {
                return KeyRef::Int(i);
            }
        }
        KeyRef::Str(s)
    }

    pub fn to_key(self) -> Key {
        match self {
            KeyRef::Int(i) => Key::Int(i),
            KeyRef::Str(s) => Key::Str(s.into()),
        }
    }
}

impl Key {
    pub fn as_ref(&self) -> KeyRef<'_> {
        match self {
            Key::Int(i) => KeyRef::Int(*i),
            Key::Str(s) => KeyRef::Str(s),
        }
    }

    /// The key as the string a program sees.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Key::Int(i) => std::borrow::Cow::Owned(i.to_string()),
            Key::Str(s) => std::borrow::Cow::Borrowed(s),
        }
    }
    /// Approximate bytes owned by the key (for heap accounting).
    pub fn heap_size(&self) -> usize {
        match self {
            Key::Int(_) => 0,
            Key::Str(s) => s.len() + 16,
        }
    }
}

impl KeyRef<'_> {
    /// The key's hash: an int is its own hash (the dict spreads hashes over its slots:
    /// `dict_map::home`), a string's text is hashed a word at a time.
    #[inline]
    pub fn hash_code(self) -> u64 {
        match self {
            KeyRef::Int(i) => i as u64,
            KeyRef::Str(s) => hash_text(s.as_bytes()),
        }
    }
}

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// The hash of a string key: its 8-byte words (the last one padded by overlapping loads,
/// never byte by byte) folded multiplicatively, seeded with the length, then mixed so that
/// every input bit reaches the low bits the dict's slots are taken from.
#[inline]
fn hash_text(b: &[u8]) -> u64 {
    let n = b.len();
    let mut h = (n as u64).wrapping_mul(MIX);
    let mut fold = |w: u64| h = (h.rotate_left(23) ^ w).wrapping_mul(MIX);
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        fold(u64::from_le_bytes(w.try_into().unwrap_or_default()));
    }
    let rest = words.remainder();
    let r = rest.len();
    if r >= 4 {
        let lo = u32::from_le_bytes(rest[..4].try_into().unwrap_or_default()) as u64;
        let hi = u32::from_le_bytes(rest[r - 4..].try_into().unwrap_or_default()) as u64;
        fold(lo | hi << 32);
    } else if r > 0 {
        fold(rest[0] as u64 | (rest[r / 2] as u64) << 8 | (rest[r - 1] as u64) << 16);
    }
    h ^ (h >> 29) ^ (h >> 47)
}

pub use crate::dict_map::DictMap;

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
    pub fn get_ref(&self, key: KeyRef<'_>) -> Option<Value> {
        self.map().get(key).copied()
    }
    #[inline]
    pub fn get(&self, key: &str) -> Option<Value> {
        self.get_ref(KeyRef::parse(key))
    }
    #[inline]
    pub fn get_int(&self, key: i64) -> Option<Value> {
        self.get_ref(KeyRef::Int(key))
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.map().contains_key(KeyRef::parse(key))
    }
    #[inline]
    pub fn insert_ref(&self, key: KeyRef<'_>, v: Value) {
        self.map_mut().insert_ref(key, v)
    }
    pub fn insert(&self, key: &str, v: Value) {
        self.insert_ref(KeyRef::parse(key), v)
    }
    pub fn insert_int(&self, key: i64, v: Value) {
        self.insert_ref(KeyRef::Int(key), v)
    }
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.map_mut().remove(KeyRef::parse(key))
    }
    /// Keys as strings, in sorted order (the order in which dicts print and iterate).
    pub fn sorted_keys(&self) -> Vec<Box<str>> {
        let mut keys: Vec<Box<str>> = self.map().keys().map(|k| k.text().into()).collect();
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpvalDesc {
    pub source: UpvalSource,
    /// The upvalue holds a box (the variable is reassigned somewhere).
    pub boxed: bool,
    /// The captured variable's name (for the disassembler).
    pub name: Box<str>,
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
    /// `arity` when a call with exactly that many arguments needs no preparation (not
    /// variadic), else `u32::MAX`, which no argument count equals (`apply` spreads at most
    /// `MAX_APPLY_ARGS`): one compare on the fast call path.
    pub call_arity: u32,
    pub code: Vec<Instr>,
    /// Source span of each instruction (same length as `code`).
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    pub children: Vec<Rc<Proto>>,
    pub upvals: Vec<UpvalDesc>,
    pub span: Span,
    /// Part of the standard library (the prelude): prints as a native function.
    pub builtin: bool,
    /// Extra arguments are collected into a list (Scheme) instead of an array.
    pub rest_list: bool,
    /// A struct method: `self` is its first parameter, which arity errors do not count.
    pub is_method: bool,
    /// Whose wording the interpreter's own errors use in this code.
    pub wording: tandem_core::ir::Wording,
    /// Call and loop counters and the compiled body (`crate::jit_hook`).
    pub jit: crate::jit_hook::ProtoJit,
    /// The interpreter's inline caches of struct fields (`GETFIELD`/`SETFIELD`).
    pub fields: FieldCache,
    /// The interpreter's inline caches of struct methods (`CALLMETHOD`/`TAILMETHOD`).
    pub methods: MethodCache,
}

/// The interpreter's inline caches of struct fields, one per constant of a prototype (the
/// field names of its `GETFIELD` and `SETFIELD` instructions): the id of the struct type a
/// field was last found in (0: none yet; ids start at 1) and its index there. A hit skips
/// the search of the type's field names.
#[derive(Default)]
pub struct FieldCache(Box<[Cell<(u64, u32)>]>);

impl FieldCache {
    /// Caches for a prototype with `consts` constants.
    pub fn new(consts: usize) -> FieldCache {
        FieldCache((0..consts).map(|_| Cell::new((0, 0))).collect())
    }

    /// What the cache of constant `k` remembers: a struct type's id and the field's index
    /// in it (for the JIT, which compiles them in as constants behind a check of the type).
    pub fn get(&self, k: usize) -> Option<(u64, usize)> {
        let (id, i) = self.0.get(k)?.get();
        (id != 0).then_some((id, i as usize))
    }

    /// The index of field `name` (constant `k`) in struct type `ty`, remembered for the
    /// next time; `None` when the type has no such field.
    #[inline]
    pub fn index(
        &self,
        k: usize,
        ty: &StructType,
        name: impl FnOnce() -> Option<Gc<Str>>,
    ) -> Option<usize> {
        let c = self.0.get(k)?;
        let (id, i) = c.get();
        if id == ty.id {
            return Some(i as usize);
        }
        let i = ty.field_index(name()?.as_str())?;
        self.remember(k, ty.id, i);
        Some(i)
    }

    /// Remember that field constant `k` was found at `index` in struct type `id`.
    pub fn remember(&self, k: usize, id: u64, index: usize) {
        if let Some(c) = self.0.get(k) {
            c.set((id, index as u32));
        }
    }
}

/// The interpreter's inline caches of struct methods, one per constant of a prototype
/// that has method calls (the method names): the id of the struct type a method was
/// last found in (0: none yet) and the method. A hit skips the search of the type's
/// methods by name; the JIT compiles a cached method inline (behind a check of the
/// receiver's type). A type's methods are all added while it is declared, before any
/// instance of it exists, so what a type's id maps to never changes. The cached methods
/// are roots (`Heap::mark_proto`): the JIT may look at one whose type is gone.
#[derive(Default)]
pub struct MethodCache(Box<[Cell<(u64, Value)>]>);

impl MethodCache {
    /// Caches for a prototype with `consts` constants (none when it calls no method).
    pub fn new(consts: usize, code: &[Instr]) -> MethodCache {
        let calls = code
            .iter()
            .any(|i| matches!(i, Instr::CallMethod { .. } | Instr::TailCallMethod { .. }));
        let n = if calls { consts } else { 0 };
        MethodCache((0..n).map(|_| Cell::new((0, Value::Null))).collect())
    }

    /// What the cache of constant `k` remembers: a struct type's id and its method.
    pub fn get(&self, k: usize) -> Option<(u64, Value)> {
        let (id, m) = self.0.get(k)?.get();
        (id != 0).then_some((id, m))
    }

    /// Method `name` (constant `k`) of struct type `ty`, remembered for the next time.
    #[inline]
    pub fn method(&self, k: usize, ty: &StructType, name: &str) -> Option<Value> {
        if let Some(c) = self.0.get(k) {
            let (id, m) = c.get();
            if id == ty.id {
                return Some(m);
            }
            let m = ty.method(name)?;
            c.set((ty.id, m));
            return Some(m);
        }
        ty.method(name)
    }

    /// The methods remembered (for the collector).
    pub fn values(&self) -> impl Iterator<Item = Value> + '_ {
        self.0.iter().map(|c| c.get().1)
    }
}

/// A function value: a prototype plus its captured upvalues.
pub struct Closure {
    pub proto: Rc<Proto>,
    pub upvals: Box<[Value]>,
}

/// A struct type: its name, field names (declaration order) and methods.
pub struct StructType {
    /// Unique among every struct type ever made (never reused, unlike an address): what
    /// compiled code's inline caches key on.
    pub id: u64,
    pub name: Box<str>,
    pub fields: Box<[Box<str>]>,
    methods: UnsafeCell<FxHashMap<Box<str>, Value>>,
}

impl StructType {
    pub fn new(name: &str, fields: Vec<Box<str>>) -> StructType {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        StructType {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            name: name.into(),
            fields: fields.into_boxed_slice(),
            methods: UnsafeCell::new(FxHashMap::default()),
        }
    }
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| &**f == name)
    }
    pub fn method(&self, name: &str) -> Option<Value> {
        self.methods().get(name).copied()
    }
    pub fn methods(&self) -> &FxHashMap<Box<str>, Value> {
        // SAFETY: single-threaded; methods are only added while the type is being defined.
        unsafe { &*self.methods.get() }
    }
    pub fn add_method(&self, name: &str, f: Value) {
        // SAFETY: as for `methods`; no reference into the map is held across this call.
        unsafe { &mut *self.methods.get() }.insert(name.into(), f);
    }
}

/// An instance of a struct type. Its fields follow it in the same allocation: one
/// allocation per instance, made by [`Instance::alloc`] (through
/// `Heap::alloc_instance`) and freed by [`Instance::free`] (the sweeper).
#[repr(C)]
pub struct Instance {
    pub ty: Gc<StructType>,
    /// The first field, just past this header in the same allocation. Made from the
    /// allocation's own pointer, so it may reach every field.
    fields: *mut Value,
    len: usize,
}

impl Instance {
    /// Where the first field of an instance is, from the start of its allocation (the
    /// same for every instance: compiled code reads fields at fixed offsets from it).
    pub(crate) const INLINE_OFFSET: usize = std::mem::size_of::<crate::value::GcBox<Instance>>()
        .next_multiple_of(std::mem::align_of::<Value>());

    /// The layout of an instance with `len` fields.
    #[inline]
    fn layout(len: usize) -> std::alloc::Layout {
        let size = Instance::INLINE_OFFSET + len * std::mem::size_of::<Value>();
        let align = std::mem::align_of::<crate::value::GcBox<Instance>>()
            .max(std::mem::align_of::<Value>());
        // A struct type has at most a few thousand fields: no overflow.
        std::alloc::Layout::from_size_align(size, align).expect("a struct's fields fit")
    }

    /// A new instance of `ty` with `len` fields: `values`, then nulls.
    #[inline]
    pub(crate) fn alloc(ty: Gc<StructType>, values: &[Value], len: usize) -> Gc<Instance> {
        let layout = Instance::layout(len);
        // SAFETY: the layout is non-zero-sized (the header); the memory is initialized
        // below before anything reads it.
        unsafe {
            let p = std::alloc::alloc(layout);
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            let fields = p.add(Instance::INLINE_OFFSET) as *mut Value;
            let given = values.len().min(len);
            std::ptr::copy_nonoverlapping(values.as_ptr(), fields, given);
            for i in given..len {
                fields.add(i).write(Value::Null);
            }
            let b = p as *mut crate::value::GcBox<Instance>;
            b.write(crate::value::GcBox {
                marked: Cell::new(false),
                value: Instance { ty, fields, len },
            });
            Gc::from_raw(std::ptr::NonNull::new_unchecked(b))
        }
    }

    /// Reclaim an instance.
    ///
    /// # Safety
    /// Only the sweeper calls this, for an unreachable instance made by [`Instance::alloc`].
    pub(crate) unsafe fn free(g: Gc<Instance>) {
        let layout = Instance::layout(g.len);
        // SAFETY: as documented; nothing in an instance needs dropping.
        unsafe { std::alloc::dealloc(g.raw() as *mut u8, layout) }
    }

    pub fn fields(&self) -> &[Value] {
        // SAFETY: `fields` points at `len` initialized values in this allocation;
        // single-threaded, see the module docs.
        unsafe { std::slice::from_raw_parts(self.fields, self.len) }
    }
    pub fn get(&self, name: &str) -> Option<Value> {
        self.ty.field_index(name).map(|i| self.fields()[i])
    }
    /// Set field number `i`; false when there is none.
    #[inline]
    pub fn set_at(&self, i: usize, v: Value) -> bool {
        if i < self.len {
            // SAFETY: in bounds; as for `fields`.
            unsafe { self.fields.add(i).write(v) };
            true
        } else {
            false
        }
    }
    /// Set a field; false when the struct has no such field.
    pub fn set(&self, name: &str, v: Value) -> bool {
        match self.ty.field_index(name) {
            Some(i) => self.set_at(i, v),
            None => false,
        }
    }
}

/// Which family a variant value belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Family {
    /// `Ok(x)` / `Err(e)`
    Result,
    /// `Some(x)` / `None`
    Option,
    /// A variant of a user enum, by the enum's name.
    Enum(Box<str>),
}

/// An enum type declared with `enum Name { A, B(x) }`: variant names and payload arities.
pub struct EnumType {
    pub name: Box<str>,
    pub variants: Box<[(Box<str>, u8)]>,
}

impl EnumType {
    pub fn arity_of(&self, tag: &str) -> Option<u8> {
        self.variants
            .iter()
            .find(|(n, _)| &**n == tag)
            .map(|(_, a)| *a)
    }
}

/// A variant value: `Ok(1)`, `None`, `Color::Red`, `Shape::Circle(2.0)`.
pub struct Variant {
    pub family: Family,
    pub tag: Box<str>,
    pub payload: Box<[Value]>,
}

/// The kind of a builtin collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollKind {
    /// Unique elements in insertion order.
    Set,
    /// First in, first out.
    Queue,
    /// Last in, first out.
    Stack,
}

/// A Set, Queue or Stack (a reference type).
pub struct Collection {
    pub kind: CollKind,
    items: UnsafeCell<VecDeque<Value>>,
}

impl Collection {
    pub fn new(kind: CollKind, items: VecDeque<Value>) -> Collection {
        Collection {
            kind,
            items: UnsafeCell::new(items),
        }
    }
    /// The elements. Do not hold the reference across anything that may mutate this
    /// collection.
    pub fn items(&self) -> &VecDeque<Value> {
        // SAFETY: single-threaded; see the module docs.
        unsafe { &*self.items.get() }
    }
    #[allow(clippy::mut_from_ref)]
    pub fn items_mut(&self) -> &mut VecDeque<Value> {
        // SAFETY: as for `items`.
        unsafe { &mut *self.items.get() }
    }
}

/// A Scheme pair (a cons cell). Mutable (`set-car!`, `set-cdr!`).
pub struct Pair {
    pub car: Cell<Value>,
    pub cdr: Cell<Value>,
}

/// A Scheme bytevector.
pub struct Bytevector {
    bytes: UnsafeCell<Vec<u8>>,
}

impl Bytevector {
    pub fn new(bytes: Vec<u8>) -> Bytevector {
        Bytevector {
            bytes: UnsafeCell::new(bytes),
        }
    }
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: single-threaded; see the module docs.
        unsafe { &*self.bytes.get() }
    }
    #[allow(clippy::mut_from_ref)]
    pub fn bytes_mut(&self) -> &mut Vec<u8> {
        // SAFETY: as for `bytes`.
        unsafe { &mut *self.bytes.get() }
    }
}

/// A loaded module: its name and exported members, each the global slot that holds it
/// (so `m.x` always sees the module's current value).
pub struct ModuleObj {
    pub name: Box<str>,
    pub exports: FxHashMap<Box<str>, u32>,
    /// The exports that only forward to a builtin, which a Scheme importer may call directly
    /// (see `tandem_core::ir::Forwarder`).
    pub forwarders: Vec<tandem_core::ir::Forwarder>,
}

impl ModuleObj {
    /// The global slot of export `name`.
    pub fn slot(&self, name: &str) -> Option<u32> {
        self.exports.get(name).copied()
    }
}
