//! The virtual machine's state: heap, globals, the value stack and call frames, natives,
//! output, capabilities and limits. The dispatch loop itself is in `interp.rs`.

use crate::error::{ErrorKind, RuntimeError, TraceEntry};
use crate::globals::Globals;
use crate::heap::Heap;
use crate::jit_hook::{JitBackend, Trampoline};
use crate::native::{Caps, NativeDef};
use crate::object::{Array, Closure, Dict, KeyRef, Proto, StructType};
use crate::value::{Gc, Value};
use rustc_hash::FxHashMap;
use std::io::Write;
use std::rc::Rc;
use tandem_syntax::{FileId, SourceMap, Span};

/// An installed error handler (`try`): where to resume and where to put the error value.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    /// Index in `frames` of the frame that installed it.
    pub frame: usize,
    pub catch_pc: u32,
    pub reg: u8,
    /// Deliver the raised value itself (Scheme `guard`), not an Error value.
    pub raw: bool,
}

/// Loads a module for `import`: given the path as written and the importing file, returns
/// the module value (loading and running it the first time).
pub type ModuleLoader = Rc<dyn Fn(&mut Vm, &str, Span) -> Result<Value, RuntimeError>>;

/// One activation record. Its registers are `stack[base .. base + proto.nregs]`; its
/// callee slot, `stack[base - 1]`, gets its result. The record roots its closure (the
/// interpreter also leaves the closure in the callee slot; compiled code's direct calls
/// do not).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Frame {
    pub closure: Gc<Closure>,
    /// (Before `pc`: compiled code sets both with one 64-bit store of the base.)
    pub base: u32,
    pub pc: u32,
}

/// Which top-level forms of the Scheme prelude are loaded. The host (tandem's pipeline)
/// decides what the forms are and loads each one, at most once, before code naming it runs.
#[derive(Default, Debug)]
pub struct SchemePrelude {
    /// One flag per form of the prelude, in its order (empty until Scheme code compiles).
    pub loaded: Vec<bool>,
    /// The prelude's source file, once registered (for the locations of its code).
    pub file: Option<FileId>,
}

/// Default limit on nested (non-tail) calls.
pub const DEFAULT_MAX_DEPTH: usize = 1_000_000;

/// How many frames an error's stack trace keeps at each end.
const TRACE_KEEP: usize = 20;

pub struct Vm {
    pub heap: Heap,
    pub globals: Globals,
    pub stack: Vec<Value>,
    /// The call frames, innermost last. Calls write frames below `frame_limit` without a
    /// bounds check, so only this crate may touch the vector (its capacity never shrinks).
    pub(crate) frames: Vec<Frame>,
    pub natives: Vec<NativeDef>,
    /// Natives by key: the name in the shared namespace, `ns` U+001F `name` in another.
    pub native_index: FxHashMap<Rc<str>, u32>,
    /// Every loaded module's entry prototype (their constants are GC roots).
    pub protos: Vec<Rc<Proto>>,
    /// Values a host holds on to (GC roots).
    pub handles: Vec<Value>,
    /// The one-character strings of the ASCII characters, made when first asked for
    /// ([`Vm::char_str`]; null until then). GC roots.
    ascii_strs: Box<[Value; 128]>,
    pub out: Box<dyn Write>,
    /// Every source file loaded (for error locations, `err.line`, and module paths).
    pub sources: SourceMap,
    /// Installed error handlers, innermost last.
    pub handlers: Vec<Handler>,
    /// The struct type of error values (`err.message`, `err.line`, `err.stack`).
    pub error_type: Gc<StructType>,
    /// The record type of Scheme error objects (`error-object-message`, `-irritants`).
    pub scheme_error_type: Gc<StructType>,
    /// The host's module loader (`import`); none means imports are refused.
    pub loader: Option<ModuleLoader>,
    /// Loaded modules by canonical path (GC roots), so each loads once.
    pub modules: FxHashMap<String, Value>,
    /// Modules being loaded (canonical path, path as shown), to detect circular imports.
    pub loading: Vec<(String, String)>,
    /// Directories searched for Scheme libraries (`(import (a b))` -> `a/b.scm`).
    pub lib_paths: Vec<String>,
    /// How much of the Scheme prelude is loaded (the host loads it a definition at a time).
    pub scheme_prelude: SchemePrelude,
    /// The capabilities scripts have now. Jue's tiers narrow them for a while; nothing a
    /// script does raises them above [`Vm::granted_caps`].
    pub caps: Caps,
    /// The capabilities the host granted ([`Vm::set_caps`]): the most `caps` can be.
    pub granted_caps: Caps,
    /// Without `fs-read`, modules may still be loaded from under these folders (canonical):
    /// the library path's ([`Vm::lib_paths`]) and the program's own ([`Vm::program_dir`]).
    pub import_roots: Vec<std::path::PathBuf>,
    /// The folder (canonical) of the program file the host ran last, if it ran a file.
    pub program_dir: Option<std::path::PathBuf>,
    /// Events (calls and loop back edges) left before the next look at the limits
    /// (`crate::limits`): decremented by both tiers, [`Vm::tick`] below zero.
    pub countdown: i64,
    /// Where the JIT's trampoline for cold paths (which returns nothing in registers) leaves
    /// the result of the helper it called. Written and read by compiled code only.
    pub jit_out: u64,
    /// Fuel, timeout and the interrupt flag (`crate::limits`).
    pub(crate) limits: crate::limits::Limits,
    /// Nested (non-tail) calls allowed; set with [`Vm::set_max_depth`].
    max_depth: usize,
    /// `min(frames.capacity(), max_depth + 2)`: a call may push a frame without further
    /// checks while `frames.len()` is below it (one compare for both the depth limit and the
    /// room in `frames`). Never above the capacity.
    pub(crate) frame_limit: usize,
    /// The script's command-line arguments (`args()`).
    pub script_args: Vec<String>,
    /// Set by the `exit` builtin: the native then returns an error that the interpreter
    /// turns into an uncatchable [`ErrorKind::Exit`].
    pub exit_request: Option<i32>,
    /// Set by a native that raises a value (Scheme `raise`, `error`): the native then returns
    /// an error, and the interpreter attaches this value to it (as `throw` does).
    pub pending_raise: Option<Value>,
    /// Highest stack index written since the last collection.
    pub(crate) high_water: usize,
    pub(crate) scratch: Vec<Value>,
    /// The JIT backend, when one is installed (`crate::jit_hook`).
    pub(crate) jit: Option<Box<dyn JitBackend>>,
    /// Calls the backend's compiled code.
    pub(crate) jit_tramp: Option<Trampoline>,
    /// The error compiled code raised ([`crate::jit_hook::STATUS_ERROR`]).
    pub jit_error: Option<RuntimeError>,
    /// Compiled code does not enter a function while the native stack pointer is below
    /// this address: the call continues in the interpreter instead (0: not yet known).
    pub jit_stack_limit: usize,
    /// A panic caught in a helper compiled code called, resumed once back in Rust.
    pub(crate) jit_panic: Option<Box<dyn std::any::Any + Send>>,
}

/// The largest depth limit: 2^29 nested calls (16 GB of frames alone).
pub const MOST_DEPTH: usize = 1 << 29;

impl Vm {
    pub fn new(out: Box<dyn Write>) -> Vm {
        let mut heap = Heap::new();
        let error_type = heap.alloc_struct_type(StructType::new(
            "Error",
            vec!["line".into(), "message".into(), "stack".into()],
        ));
        let scheme_error_type = heap.alloc_struct_type(StructType::new(
            "error-object",
            vec!["message".into(), "irritants".into()],
        ));
        Vm {
            heap,
            sources: SourceMap::new(),
            handlers: Vec::new(),
            error_type,
            scheme_error_type,
            loader: None,
            modules: FxHashMap::default(),
            loading: Vec::new(),
            lib_paths: Vec::new(),
            scheme_prelude: SchemePrelude::default(),
            globals: Globals::new(),
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(64),
            natives: Vec::new(),
            native_index: FxHashMap::default(),
            protos: Vec::new(),
            handles: vec![
                Value::StructType(error_type),
                Value::StructType(scheme_error_type),
            ],
            ascii_strs: Box::new([Value::Null; 128]),
            out,
            caps: Caps::ALL,
            granted_caps: Caps::ALL,
            import_roots: Vec::new(),
            program_dir: None,
            countdown: crate::limits::SLICE as i64,
            jit_out: 0,
            limits: Default::default(),
            max_depth: DEFAULT_MAX_DEPTH,
            frame_limit: 0,
            script_args: Vec::new(),
            exit_request: None,
            pending_raise: None,
            high_water: 0,
            scratch: Vec::new(),
            jit: None,
            jit_tramp: None,
            jit_error: None,
            jit_stack_limit: 0,
            jit_panic: None,
        }
    }

    /// Limit nested (non-tail) calls; deeper calls raise a `stack overflow` error. The
    /// limit is at most [`MOST_DEPTH`] (frame indices stay below 2^30, which compiled
    /// code relies on).
    pub fn set_max_depth(&mut self, depth: usize) {
        self.max_depth = depth.clamp(1, MOST_DEPTH);
        self.frame_limit = self.frames.capacity().min(self.max_depth + 2);
    }

    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Make room for one more frame after a call found `frames.len() >= frame_limit`; false
    /// when that call would exceed `max_depth` (the entry frame does not count).
    #[cold]
    pub(crate) fn grow_frames(&mut self) -> bool {
        if self.frames.len() > self.max_depth + 1 {
            return false;
        }
        self.frames.reserve(1);
        self.frame_limit = self.frames.capacity().min(self.max_depth + 2);
        true
    }

    /// Register a native function in the global namespace `ns` (`""`: the Ruff library and
    /// host functions, `"scheme"`: the Scheme library), bound to the global of its name there.
    /// Registering a name again replaces the native.
    pub fn register_in(&mut self, ns: &str, def: NativeDef) -> u32 {
        let name = def.name.clone();
        let key: Rc<str> = if ns.is_empty() {
            name.clone()
        } else {
            let mut key = String::with_capacity(ns.len() + 1 + name.len());
            key.push_str(ns);
            key.push('\u{1f}');
            key.push_str(&name);
            key.into()
        };
        let id = match self.native_index.get(&key) {
            Some(&id) => {
                self.natives[id as usize] = def;
                id
            }
            None => {
                self.natives.push(def);
                let id = self.natives.len() as u32 - 1;
                self.native_index.insert(key, id);
                id
            }
        };
        let slot = self.globals.slot_in(ns, &name);
        self.globals.values[slot as usize] = Value::Native(id);
        id
    }

    /// Register a native function and bind it to the global of the same name.
    pub fn register(&mut self, def: NativeDef) -> u32 {
        self.register_in("", def)
    }

    /// Check that native `id` accepts `n` arguments and that the capabilities it needs are
    /// granted (the checks every call of a native makes).
    #[inline]
    pub(crate) fn admit_native(&self, id: u32, n: usize) -> Result<(), (ErrorKind, String)> {
        let def = &self.natives[id as usize];
        if def.arity.accepts(n) && self.caps.contains(def.caps) {
            return Ok(());
        }
        Err(self.native_refusal(id, n))
    }

    /// Why [`Vm::admit_native`] refuses the call (out of line: calls are almost always
    /// admitted).
    #[cold]
    #[inline(never)]
    fn native_refusal(&self, id: u32, n: usize) -> (ErrorKind, String) {
        let def = &self.natives[id as usize];
        if !def.arity.accepts(n) {
            return (
                ErrorKind::Runtime,
                format!(
                    "{} expects {}, got {}",
                    def.shown_name(),
                    def.arity.describe(),
                    n
                ),
            );
        }
        if !self.caps.contains(def.caps) {
            let missing = def.caps.without(self.caps).names().join(", ");
            return (
                ErrorKind::CapabilityDenied,
                format!(
                    "capability denied: {missing} (needed by {})",
                    def.shown_name()
                ),
            );
        }
        (
            ErrorKind::Runtime,
            "internal error: a native call refused for no reason".into(),
        )
    }

    /// Grant scripts exactly `caps` (the host's decision; see [`Vm::granted_caps`]).
    pub fn set_caps(&mut self, caps: Caps) {
        self.caps = caps;
        self.granted_caps = caps;
    }

    pub fn native_name(&self, id: u32) -> &str {
        self.natives
            .get(id as usize)
            .map(|n| &*n.name)
            .unwrap_or("?")
    }

    // ----- allocation helpers used by the interpreter and the builtins -----

    pub fn new_str(&mut self, s: impl crate::object::IntoStr) -> Value {
        Value::Str(self.heap.alloc_str(s))
    }

    /// The string of one character. An ASCII character's is made once and shared
    /// (strings are immutable and compare by content), so indexing a string or walking
    /// its characters allocates nothing for ASCII text.
    pub fn char_str(&mut self, c: char) -> Value {
        if !c.is_ascii() {
            return self.new_str(c.encode_utf8(&mut [0; 4]) as &str);
        }
        let i = c as usize;
        if let Value::Null = self.ascii_strs[i] {
            self.ascii_strs[i] = self.new_str(c.encode_utf8(&mut [0; 4]) as &str);
        }
        self.ascii_strs[i]
    }

    pub fn new_array(&mut self, items: Vec<Value>) -> Value {
        Value::Array(self.heap.alloc_array(items))
    }

    /// A proper list of `items` (Scheme pairs ending in the empty list, `Null`).
    pub fn new_list(&mut self, items: &[Value]) -> Value {
        self.list_onto(items, Value::Null)
    }

    /// The list of `items` followed by `tail` (`(a b . tail)`).
    pub fn list_onto(&mut self, items: &[Value], tail: Value) -> Value {
        let mut acc = tail;
        for &v in items.iter().rev() {
            acc = Value::Pair(self.heap.alloc_pair(v, acc));
        }
        acc
    }

    /// The elements of the proper list `v`, at most `max` of them. `Err(None)`: there are
    /// more (or the list is circular); `Err(Some(tail))`: the cdrs end in `tail`, not `()`.
    pub fn list_elements(v: Value, max: usize) -> Result<Vec<Value>, Option<Value>> {
        let mut items = Vec::new();
        let mut cur = v;
        loop {
            match cur {
                Value::Null => return Ok(items),
                Value::Pair(p) if items.len() < max => {
                    items.push(p.car.get());
                    cur = p.cdr.get();
                }
                Value::Pair(_) => return Err(None),
                tail => return Err(Some(tail)),
            }
        }
    }

    pub fn new_dict(&mut self, map: crate::object::DictMap) -> Value {
        Value::Dict(self.heap.alloc_dict(map))
    }

    // ----- growth in place, counted against the memory limit before it happens -----

    /// Grow the value stack to `len` slots, checking the growth against the memory limit
    /// first; the stack and the frames count towards it.
    pub(crate) fn grow_stack(&mut self, len: usize) -> Result<(), String> {
        let more = len.saturating_sub(self.stack.capacity());
        self.heap.reserve_values(more)?;
        self.stack.resize(len, Value::Null);
        self.heap.stack_bytes =
            (self.stack.capacity() + self.frames.capacity()) * std::mem::size_of::<Value>();
        Ok(())
    }

    /// Append `v` to `a`. When the array must grow, the growth is checked against the
    /// memory limit first and counted ([`crate::heap::Heap::reserve`]).
    #[inline]
    pub fn array_push(&mut self, a: Gc<Array>, v: Value) -> Result<(), String> {
        let items = a.items_mut();
        if items.len() == items.capacity() {
            self.grow_array(a, 1)?;
        }
        a.items_mut().push(v);
        Ok(())
    }

    /// Make room in `a` for `extra` more elements, checking and counting the growth.
    pub fn grow_array(&mut self, a: Gc<Array>, extra: usize) -> Result<(), String> {
        let items = a.items_mut();
        let need = items.len().saturating_add(extra);
        if need <= items.capacity() {
            return Ok(());
        }
        let cap = need.max(items.capacity().saturating_mul(2)).max(4);
        let more = cap - items.capacity();
        self.heap.reserve_values(more)?;
        items.reserve_exact(cap - items.len());
        self.heap.note_growth(more * std::mem::size_of::<Value>());
        Ok(())
    }

    /// `d[key] = v`. A new entry is checked against the memory limit first, and counted.
    #[inline]
    pub fn dict_insert(&mut self, d: Gc<Dict>, key: KeyRef<'_>, v: Value) -> Result<(), String> {
        let cost = dict_entry_bytes(key);
        let map = d.map_mut();
        if self.heap.reserve(cost).is_err() {
            // Only a new key needs the room.
            if map.get(key).is_none() {
                return Err(self.heap.limit_message());
            }
            self.heap.clear_limit_hit();
        }
        let before = map.len();
        map.insert_ref(key, v);
        if map.len() != before {
            self.heap.note_growth(cost);
        }
        Ok(())
    }

    // ----- garbage collection -----

    /// Collect garbage. Roots: `stack[..top]`, globals, host handles, loaded modules, and
    /// loaded prototypes' constants. Afterwards every stack slot from `top` up is cleared, so that no slot above
    /// the live region can ever hold a pointer to a freed object.
    pub fn collect(&mut self, top: usize) {
        let top = top.min(self.stack.len());
        let roots = self.stack[..top]
            .iter()
            .chain(&self.globals.values)
            .chain(&self.handles)
            .chain(self.ascii_strs.iter())
            .chain(self.modules.values());
        for &v in roots {
            self.heap.mark_value(v);
        }
        let protos = std::mem::take(&mut self.protos);
        for p in &protos {
            self.heap.mark_proto(p);
        }
        self.protos = protos;
        for f in &self.frames {
            // The frame roots its closure: compiled code's direct calls do not write it to
            // the callee slot (`stack[base - 1]`), which holds the result once it returns.
            self.heap.mark_value(Value::Closure(f.closure));
        }
        self.heap.sweep();
        let hw = self.high_water.min(self.stack.len());
        for slot in self.stack[top.min(hw)..hw].iter_mut() {
            *slot = Value::Null;
        }
        self.high_water = top;
    }

    // ----- errors -----

    /// Build a runtime error raised at `span` in the innermost frame, with its stack trace.
    pub fn error_at(&self, kind: ErrorKind, message: String, span: Span) -> RuntimeError {
        // Keep the innermost and outermost TRACE_KEEP frames (innermost first), and only
        // visit those: a caught error deep in a recursion costs no more than a shallow one.
        let n = self.frames.len();
        let (top, bottom) = if n > 2 * TRACE_KEEP {
            (n - TRACE_KEEP, TRACE_KEEP)
        } else {
            (0, 0)
        };
        let omitted = top - bottom;
        let mut trace = Vec::with_capacity(n - omitted);
        for i in (top..n).rev().chain((0..bottom).rev()) {
            let f = &self.frames[i];
            let proto = &f.closure.proto;
            // A saved pc points after the instruction that was running (the call).
            let pc = (f.pc as usize).saturating_sub(1);
            let fspan = proto.spans.get(pc).copied().unwrap_or(proto.span);
            trace.push(TraceEntry {
                function: proto.name.clone(),
                span: if i == n - 1 { span } else { fspan },
            });
        }
        // An error raised inside library code (the preludes) is reported where the program
        // called into the library: the innermost frame running the program's own code.
        let mut span = span;
        if self.frames.last().is_some_and(|f| f.closure.proto.builtin) {
            if let Some(f) = self.frames.iter().rev().find(|f| !f.closure.proto.builtin) {
                let pc = (f.pc as usize).saturating_sub(1);
                span = f.closure.proto.spans.get(pc).copied().unwrap_or(span);
            }
        }
        RuntimeError {
            kind,
            message,
            span,
            trace,
            omitted,
            value: None,
        }
    }

    /// Flush buffered output (before printing an error, and at exit).
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// The bytes a dict entry counts for (as `Dict`'s size in `heap.rs` does).
fn dict_entry_bytes(key: KeyRef<'_>) -> usize {
    let key_heap = match key {
        KeyRef::Int(_) => 0,
        KeyRef::Str(s) => s.len() + 16,
    };
    key_heap + std::mem::size_of::<crate::object::Key>() + std::mem::size_of::<Value>() + 1
}
