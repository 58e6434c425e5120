//! The runtime functions compiled code calls for what it does not do inline.
//!
//! Each is `extern "C"`, takes the VM and the pc of the instruction it serves, works on the
//! top frame (the compiled function's own), and runs the interpreter's own code: instructions
//! through [`Vm::exec_one`], calls through the interpreter's call protocol (arity, rest
//! arguments, depth limit, natives, collections at calls). Registers it reads must be in the
//! value stack when it is called, and what it writes is there when it returns.
//!
//! Errors are left in [`Vm::jit_error`] and reported as [`STATUS_ERROR`]. A panic (a bug)
//! must not unwind through compiled frames: it is caught here, kept in [`Vm::jit_panic`],
//! and resumed once control is back in Rust.

use crate::error::{ErrorKind, RuntimeError};
use crate::jit_hook::{Entered, STATUS_DEOPT, STATUS_ERROR, STATUS_RETURNED};
use crate::object::Proto;
use crate::opcode::Instr;
use crate::step::Flow;
use crate::value::Value;
use crate::vm::{Frame, Vm};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

/// [`jit_exec`]: the instruction ran; go on to the next one.
pub const EXEC_NEXT: u64 = 0;
/// [`jit_exec`]: the instruction's jump is taken.
pub const EXEC_JUMP: u64 = 1;
/// [`jit_exec`]: an error was raised (in [`Vm::jit_error`]).
pub const EXEC_ERROR: u64 = 2;

/// [`jit_tail_call`] returns a status below this, or else the compiled body to continue
/// with in the same frame.
pub const FIRST_BODY: u64 = 16;

/// What one struct field access or method call in compiled code remembers: the struct
/// type it last saw (by `StructType::id`; 0 for none) and that type's field index, or the
/// method the name resolved to. Compiled code reads it; [`jit_get_field`],
/// [`jit_set_field`] and [`jit_method_cache`] fill it.
#[repr(C)]
#[derive(Default)]
pub struct InlineCache {
    pub type_id: Cell<u64>,
    pub index: Cell<u64>,
    pub method: Cell<Value>,
}

impl InlineCache {
    pub const TYPE_ID: i32 = std::mem::offset_of!(InlineCache, type_id) as i32;
    pub const INDEX: i32 = std::mem::offset_of!(InlineCache, index) as i32;
    pub const METHOD: i32 = std::mem::offset_of!(InlineCache, method) as i32;
}

/// Run `f` on the VM, turning a panic into a pending panic and `on_panic`.
///
/// # Safety
/// `vm` must be the VM running the compiled code that calls.
unsafe fn guarded(vm: *mut Vm, on_panic: u64, f: impl FnOnce(&mut Vm) -> u64) -> u64 {
    // SAFETY: the caller passes the running VM; compiled code holds no Rust references.
    let vm = unsafe { &mut *vm };
    match catch_unwind(AssertUnwindSafe(|| f(&mut *vm))) {
        Ok(r) => r,
        Err(payload) => {
            vm.jit_panic = Some(payload);
            on_panic
        }
    }
}

impl Vm {
    /// The top frame and its prototype.
    fn top(&self) -> (Frame, &'static Proto) {
        let f = *self.frames.last().expect("a frame is running");
        // SAFETY: the closure is rooted by its frame (the collector marks every frame's closure), and
        // the prototype lives as long as the closure.
        let proto: &'static Proto = unsafe { &*Rc::as_ptr(&f.closure.proto) };
        (f, proto)
    }

    /// An instruction run for compiled code failed: keep the error, return [`EXEC_ERROR`].
    fn fail_exec(&mut self, err: RuntimeError) -> u64 {
        self.jit_error = Some(err);
        EXEC_ERROR
    }

    fn fail_with(&mut self, err: RuntimeError) -> u64 {
        self.jit_error = Some(err);
        STATUS_ERROR
    }

    /// Collect if due, with the top frame's registers live; the memory limit's error is
    /// raised at `pc`.
    fn collect_at(&mut self, top: usize, proto: &Proto, pc: usize) -> Result<(), RuntimeError> {
        if self.heap.should_collect() {
            self.collect(top);
            if self.heap.over_limit() {
                let (k, m) = self.limit_error(crate::limits::Limit::Memory);
                return Err(self.instr_error(proto, pc, k, m));
            }
        }
        Ok(())
    }

    /// An event for the limits at `pc` of the top frame (a call the interpreter's
    /// protocol makes for compiled code), as the interpreter counts its calls.
    fn spend_at(&mut self, proto: &Proto, pc: usize) -> Result<(), RuntimeError> {
        self.countdown -= 1;
        if self.countdown < 0 {
            self.tick_at(proto, pc)?;
        }
        Ok(())
    }

    /// The counter ran out at `pc` of `proto`: [`Vm::tick`], with a limit's error raised
    /// there.
    fn tick_at(&mut self, proto: &Proto, pc: usize) -> Result<(), RuntimeError> {
        self.tick().map_err(|l| {
            let (k, m) = self.limit_error(l);
            self.instr_error(proto, pc, k, m)
        })
    }

    /// Lay out the call window of the call instruction at `pc` (loading a global callee,
    /// resolving a method, spreading a list): its callee register and argument count.
    fn call_window(&mut self, pc: usize) -> Result<(u8, usize), RuntimeError> {
        let (f, proto) = self.top();
        let base = f.base as usize;
        let err = |vm: &mut Vm, m: String| vm.instr_error(proto, pc, ErrorKind::Runtime, m);
        Ok(match proto.code[pc] {
            Instr::Call { base: cb, n } | Instr::TailCall { base: cb, n } => (cb, n as usize),
            Instr::CallGlobal { base: cb, n, g } | Instr::TailCallGlobal { base: cb, n, g } => {
                let v = self.globals.values[g as usize];
                if let Value::Undef = v {
                    let m = format!("Undefined variable: {}", self.globals.name(g));
                    return Err(err(self, m));
                }
                self.stack[base + cb as usize] = v;
                (cb, n as usize)
            }
            Instr::CallMethod { base: cb, n, k } | Instr::TailCallMethod { base: cb, n, k } => {
                let Value::Str(name) = proto.consts[k as usize] else {
                    return Err(err(
                        self,
                        "internal error: expected a string constant".into(),
                    ));
                };
                let cache = (&proto.methods, k as usize);
                match self.method_window(base, cb, n, name.as_str(), cache) {
                    Ok(nargs) => (cb, nargs),
                    Err(m) => return Err(err(self, m)),
                }
            }
            Instr::CallList { base: cb } | Instr::TailCallList { base: cb } => {
                match self.spread_window(base, cb) {
                    Ok(nargs) => (cb, nargs),
                    Err(m) => return Err(err(self, m)),
                }
            }
            _ => return Err(err(self, "internal error: not a call".into())),
        })
    }

    /// The call at `pc` of the top frame, run to completion (see [`jit_call`]).
    fn call_from_compiled(&mut self, pc: usize) -> u64 {
        let (cb, n) = match self.call_window(pc) {
            Ok(w) => w,
            Err(e) => return self.fail_with(e),
        };
        let (f, proto) = self.top();
        let caller = self.frames.len() - 1;
        self.frames[caller].pc = pc as u32 + 1;
        let slot = f.base as usize + cb as usize;
        let at = slot + 1;
        match self.stack[slot] {
            Value::Closure(c) => {
                if let Err(e) = self.spend_at(proto, pc) {
                    return self.fail_with(e);
                }
                if self.frames.len() >= self.frame_limit && !self.grow_frames() {
                    let m = format!(
                        "stack overflow: more than {} nested calls",
                        self.max_depth()
                    );
                    let e = self.instr_error(proto, pc, ErrorKind::StackOverflow, m);
                    return self.fail_with(e);
                }
                if let Err((k, m)) = self.prepare_frame(c, at, n) {
                    let e = self.instr_error(proto, pc, k, m);
                    return self.fail_with(e);
                }
                if let Err(e) = self.collect_at(at + c.proto.nregs as usize, proto, pc) {
                    return self.fail_with(e);
                }
                self.frames.push(Frame {
                    closure: c,
                    pc: 0,
                    base: at as u32,
                });
                let pj = &c.proto.jit;
                let h = pj.hot.get() - 1;
                pj.hot.set(h);
                let entered = if h <= 0 {
                    self.jit_enter_call(c, at)
                } else {
                    Entered::No
                };
                match entered {
                    Entered::Returned => STATUS_RETURNED,
                    Entered::Error(e) => self.fail_with(e),
                    Entered::Deopt => STATUS_DEOPT,
                    // Not compiled: interpret the callee until it returns.
                    Entered::No => match self.execute(caller + 1) {
                        Ok(_) => STATUS_RETURNED,
                        Err(e) => self.fail_with(e),
                    },
                }
            }
            Value::Native(id) => match self.call_native(id, at, n) {
                Ok(v) => {
                    self.stack[slot] = v;
                    let top = f.base as usize + proto.nregs as usize;
                    match self.collect_at(top, proto, pc) {
                        Ok(()) => STATUS_RETURNED,
                        Err(e) => self.fail_with(e),
                    }
                }
                Err((k, m)) => {
                    let e = self.instr_error(proto, pc, k, m);
                    self.fail_with(e)
                }
            },
            v => {
                let m = crate::interp::not_callable(&v);
                let e = self.instr_error(proto, pc, ErrorKind::Runtime, m);
                self.fail_with(e)
            }
        }
    }

    /// The call of native `id` at `pc` of the top frame (see [`jit_native`]).
    fn native_from_compiled(&mut self, pc: usize, cb: usize, n: usize, id: u32) -> u64 {
        let caller = self.frames.len() - 1;
        let base = self.frames[caller].base as usize;
        self.frames[caller].pc = pc as u32 + 1;
        let slot = base + cb;
        self.stack[slot] = Value::Native(id);
        match self.call_native(id, slot + 1, n) {
            Ok(v) => {
                self.stack[slot] = v;
                if !self.heap.should_collect() {
                    return STATUS_RETURNED;
                }
                let (f, proto) = self.top();
                let top = f.base as usize + proto.nregs as usize;
                match self.collect_at(top, proto, pc) {
                    Ok(()) => STATUS_RETURNED,
                    Err(e) => self.fail_with(e),
                }
            }
            Err((k, m)) => {
                let (_, proto) = self.top();
                let e = self.instr_error(proto, pc, k, m);
                self.fail_with(e)
            }
        }
    }

    /// The tail call at `pc` of the top frame (see [`jit_tail_call`]).
    fn tail_call_from_compiled(&mut self, pc: usize) -> u64 {
        let (cb, n) = match self.call_window(pc) {
            Ok(w) => w,
            Err(e) => return self.fail_with(e),
        };
        let (f, proto) = self.top();
        let top = self.frames.len() - 1;
        self.frames[top].pc = pc as u32 + 1;
        let base = f.base as usize;
        let slot = base + cb as usize;
        match self.stack[slot] {
            Value::Closure(c) => {
                if let Err(e) = self.spend_at(proto, pc) {
                    return self.fail_with(e);
                }
                // Slide the callee and its arguments down over this frame.
                self.stack[base - 1] = Value::Closure(c);
                self.stack.copy_within(slot + 1..slot + 1 + n, base);
                if let Err((k, m)) = self.prepare_frame(c, base, n) {
                    let e = self.instr_error(proto, pc, k, m);
                    return self.fail_with(e);
                }
                if let Err(e) = self.collect_at(base + c.proto.nregs as usize, proto, pc) {
                    return self.fail_with(e);
                }
                self.frames[top].closure = c;
                self.frames[top].pc = 0;
                let pj = &c.proto.jit;
                let h = pj.hot.get() - 1;
                pj.hot.set(h);
                let mut body = pj.entry.get();
                if body == 0 && h <= 0 {
                    if let Some(mut backend) = self.jit.take() {
                        body = backend.on_hot_call(self, c, base);
                        self.jit = Some(backend);
                    }
                }
                if body != 0 {
                    pj.hot.set(1);
                    return body as u64;
                }
                // Not compiled: the interpreter runs the frame from its start.
                STATUS_DEOPT
            }
            Value::Native(id) => match self.call_native(id, slot + 1, n) {
                Ok(v) => {
                    self.stack[base - 1] = v;
                    self.frames.pop();
                    self.drop_handlers();
                    STATUS_RETURNED
                }
                Err((k, m)) => {
                    let e = self.instr_error(proto, pc, k, m);
                    self.fail_with(e)
                }
            },
            v => {
                let m = crate::interp::not_callable(&v);
                let e = self.instr_error(proto, pc, ErrorKind::Runtime, m);
                self.fail_with(e)
            }
        }
    }

    /// Drop the handlers installed by frames that no longer exist.
    pub(crate) fn drop_handlers(&mut self) {
        while let Some(h) = self.handlers.last() {
            if h.frame >= self.frames.len() {
                self.handlers.pop();
            } else {
                break;
            }
        }
    }
}

/// Run the instruction at `pc` of the top frame ([`Vm::exec_one`]): [`EXEC_NEXT`],
/// [`EXEC_JUMP`] or [`EXEC_ERROR`].
///
/// # Safety
/// `vm` must be the VM running the compiled code that calls, with the frame contract kept.
pub unsafe extern "C" fn jit_exec(vm: *mut Vm, pc: u32) -> u64 {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, EXEC_ERROR, |vm| match vm.exec_one(pc as usize) {
            Ok(Flow::Next) => EXEC_NEXT,
            Ok(Flow::Jump) => EXEC_JUMP,
            Err(e) => {
                vm.jit_error = Some(e);
                EXEC_ERROR
            }
        })
    }
}

/// `GETINDEX`/`SETINDEX` at `pc` of the top frame, as [`jit_exec`] runs them but without
/// its dispatch over every instruction (compiled code calls this where its inline array
/// path does not apply: dicts, strings, errors). Any other instruction goes to
/// `exec_one`. Returns [`EXEC_NEXT`] or [`EXEC_ERROR`].
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_index(vm: *mut Vm, pc: u32) -> u64 {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, EXEC_ERROR, |vm| {
            let (f, proto) = vm.top();
            let base = f.base as usize;
            let pc = pc as usize;
            let done = match proto.code[pc] {
                Instr::GetIndex { dst, obj, idx } => {
                    let (o, i) = (vm.stack[base + obj as usize], vm.stack[base + idx as usize]);
                    vm.get_index(o, i)
                        .map(|v| vm.stack[base + dst as usize] = v)
                }
                Instr::SetIndex { obj, idx, src } => {
                    let o = vm.stack[base + obj as usize];
                    let i = vm.stack[base + idx as usize];
                    let v = vm.stack[base + src as usize];
                    vm.set_index(o, i, v)
                }
                _ => {
                    return match vm.exec_one(pc) {
                        Ok(Flow::Next) => EXEC_NEXT,
                        Ok(Flow::Jump) => EXEC_JUMP,
                        Err(e) => vm.fail_exec(e),
                    }
                }
            };
            match done {
                Ok(()) => EXEC_NEXT,
                Err(msg) => {
                    let e = vm.instr_error(proto, pc, ErrorKind::Runtime, msg);
                    vm.fail_exec(e)
                }
            }
        })
    }
}

/// `==` of the values at `a` and `b` (`values_equal_in`; Scheme's exact numbers when
/// `exact` is 1): 1 or 0. It neither allocates nor fails, so compiled code calls it
/// directly, without writing anything back.
///
/// # Safety
/// `a` and `b` point to values.
pub unsafe extern "C" fn jit_values_equal(a: *const Value, b: *const Value, exact: u64) -> u64 {
    // SAFETY: as documented.
    unsafe { crate::value::values_equal_in(*a, *b, exact != 0) as u64 }
}

/// `CONS`: a new pair of the values at `a` and `b` (registers of the running frame); the
/// address of its heap object. Allocating only counts bytes: no collection runs here.
///
/// # Safety
/// `vm` must be the VM running the compiled code that calls; `a` and `b` point to values.
pub unsafe extern "C" fn jit_cons(vm: *mut Vm, a: *const Value, b: *const Value) -> u64 {
    // SAFETY: as documented.
    unsafe { (*vm).heap.alloc_pair(*a, *b).addr() as u64 }
}

/// `NEWSTRUCT` of the value at `ty`: the address of a new instance with every field null,
/// or 0 when the value is not a struct type (the interpreter's code then raises the
/// error). No collection runs here.
///
/// # Safety
/// As for [`jit_cons`].
pub unsafe extern "C" fn jit_new_struct(vm: *mut Vm, ty: *const Value) -> u64 {
    // SAFETY: as documented.
    unsafe {
        match *ty {
            Value::StructType(t) => (*vm).heap.alloc_instance(t, &[]).addr() as u64,
            _ => 0,
        }
    }
}

/// Run the call instruction at `pc` of the top frame (`CALL`, `CALLG`, `CALLMETHOD`,
/// `CALLLIST`) to completion: the result is in the callee register ([`STATUS_RETURNED`]),
/// or an error was raised, or the callee ran compiled and handed its frames to the
/// interpreter ([`STATUS_DEOPT`]; the caller's pc is already after the call). A callee that
/// is not compiled runs in the interpreter, nested.
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_call(vm: *mut Vm, pc: u32) -> u64 {
    // SAFETY: as documented.
    unsafe { guarded(vm, STATUS_ERROR, |vm| vm.call_from_compiled(pc as usize)) }
}

/// Call native `id` from the call instruction at `pc` of the top frame, whose window is
/// at register `cb` with `n` arguments (`packed`: `cb | n << 8 | id << 32`); compiled
/// code checked that the call's callee is that native. The result goes to the callee
/// slot ([`STATUS_RETURNED`]), or the error is raised ([`STATUS_ERROR`]) as [`jit_call`]
/// would: the interpreter's protocol for a native, without decoding the instruction.
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_native(vm: *mut Vm, pc: u32, packed: u64) -> u64 {
    let cb = (packed & 0xff) as usize;
    let n = ((packed >> 8) & 0xff_ffff) as usize;
    let id = (packed >> 32) as u32;
    // SAFETY: as documented.
    unsafe {
        guarded(vm, STATUS_ERROR, |vm| {
            vm.native_from_compiled(pc as usize, cb, n, id)
        })
    }
}

/// Run the tail call instruction at `pc` of the top frame. The callee replaces the frame;
/// then either a native's value was returned ([`STATUS_RETURNED`]: frame popped), or an
/// error was raised, or the callee is not compiled ([`STATUS_DEOPT`]: the interpreter
/// runs the frame from pc 0), or the result (at least [`FIRST_BODY`]) is the callee's
/// compiled body, which the caller continues with in the same frame.
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_tail_call(vm: *mut Vm, pc: u32) -> u64 {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, STATUS_ERROR, |vm| {
            vm.tail_call_from_compiled(pc as usize)
        })
    }
}

/// A collection safe point at `pc` of the top frame (a loop's back edge): collect if due;
/// [`STATUS_ERROR`] when the memory limit is exceeded, else 0.
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_safepoint(vm: *mut Vm, pc: u32) -> u64 {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, STATUS_ERROR, |vm| {
            let (f, proto) = vm.top();
            let top = f.base as usize + proto.nregs as usize;
            match vm.collect_at(top, proto, pc as usize) {
                Ok(()) => 0,
                Err(e) => vm.fail_with(e),
            }
        })
    }
}

/// An event for the limits at `pc` of the top frame ran `Vm::countdown` out in compiled
/// code (which stored the counter first): look at the limits as the interpreter does
/// ([`Vm::tick`]), which refills the counter; [`STATUS_ERROR`] when a limit is reached, the
/// error raised at `pc`, else 0 (compiled code reads the counter back and goes on).
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_tick(vm: *mut Vm, pc: u32) -> u64 {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, STATUS_ERROR, |vm| {
            let (_, proto) = vm.top();
            match vm.tick_at(proto, pc as usize) {
                Ok(()) => 0,
                Err(e) => vm.fail_with(e),
            }
        })
    }
}

/// Drop the handlers of frames that returned (a compiled function with `try` returns).
///
/// # Safety
/// As for [`jit_exec`].
pub unsafe extern "C" fn jit_drop_handlers(vm: *mut Vm) {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, 0, |vm| {
            vm.drop_handlers();
            0
        });
    }
}

impl Vm {
    /// The struct type and field index an instruction's object register and field
    /// name resolve to now, if it is a struct with that field.
    fn field_slot(&self, obj: u8, k: u16) -> Option<(u64, usize)> {
        let (f, proto) = self.top();
        let Value::Str(name) = proto.consts[k as usize] else {
            return None;
        };
        match self.stack[f.base as usize + obj as usize] {
            Value::Struct(inst) => inst.ty.field_index(name.as_str()).map(|i| (inst.ty.id, i)),
            _ => None,
        }
    }

    /// Fill `cache` for the field instruction at `pc`, before it runs (its object is in
    /// the value stack).
    fn fill_field_cache(&self, pc: usize, cache: &InlineCache) {
        let (_, proto) = self.top();
        let (obj, k) = match proto.code[pc] {
            Instr::GetField { obj, k, .. } | Instr::SetField { obj, k, .. } => (obj, k),
            _ => return,
        };
        if let Some((id, i)) = self.field_slot(obj, k) {
            cache.type_id.set(id);
            cache.index.set(i as u64);
        }
    }
}

/// A struct field read or write (`GETFIELD`, `SETFIELD`) at `pc` that missed its inline
/// cache: remember the struct's type and the field's index, then run the instruction
/// ([`jit_exec`]'s codes).
///
/// # Safety
/// As for [`jit_exec`]; `cache` must be the instruction's cache.
pub unsafe extern "C" fn jit_field(vm: *mut Vm, pc: u32, cache: *const InlineCache) -> u64 {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, EXEC_ERROR, |vm| {
            vm.fill_field_cache(pc as usize, &*cache);
            match vm.exec_one(pc as usize) {
                Ok(Flow::Next) => EXEC_NEXT,
                Ok(Flow::Jump) => EXEC_JUMP,
                Err(e) => {
                    vm.jit_error = Some(e);
                    EXEC_ERROR
                }
            }
        })
    }
}

/// Remember in `cache` the method the `CALLMETHOD` at `pc` calls, when its object is a
/// struct whose type has that method (called with the object as `self`). Changes nothing
/// else; the caller then makes the call through [`jit_call`].
///
/// # Safety
/// As for [`jit_exec`]; `cache` must be the instruction's cache.
pub unsafe extern "C" fn jit_method_cache(vm: *mut Vm, pc: u32, cache: *const InlineCache) {
    // SAFETY: as documented.
    unsafe {
        guarded(vm, 0, |vm| {
            let (f, proto) = vm.top();
            let Instr::CallMethod { base: cb, k, .. } = proto.code[pc as usize] else {
                return 0;
            };
            let Value::Str(name) = proto.consts[k as usize] else {
                return 0;
            };
            if let Value::Struct(inst) = vm.stack[f.base as usize + cb as usize + 1] {
                if let Some(m) = inst.ty.method(name.as_str()) {
                    let cache = &*cache;
                    cache.type_id.set(inst.ty.id);
                    cache.method.set(m);
                }
            }
            0
        });
    }
}
