//! Where the interpreter meets a JIT compiler (DESIGN decision 5).
//!
//! The interpreter does not depend on any JIT. A backend (the `tandem-jit` crate) installs
//! itself into a [`Vm`] as a [`JitBackend`] and a [`Trampoline`]; without one, everything is
//! interpreted and the hooks below cost one counter decrement per call and per backward jump.
//!
//! **The frame contract.** Compiled code keeps the interpreter's frames: a compiled function
//! runs in a frame the caller pushed (arguments in place and adjusted to the arity, room on
//! the value stack for its registers, `high_water` covering them), exactly as the
//! interpreter's call path leaves it. Compiled code returns one of three statuses:
//! - [`STATUS_RETURNED`]: the function returned; its value is in its callee slot
//!   (`stack[base - 1]`) and its frame is popped;
//! - [`STATUS_ERROR`]: an error was raised; it waits in [`Vm::jit_error`], and the frames
//!   are as they were where it was raised (the interpreter unwinds them to a handler);
//! - [`STATUS_DEOPT`]: compiled code gave up; every compiled frame above the caller wrote its
//!   registers back to the value stack and its pc to its frame, so the interpreter continues
//!   the innermost frame where compiled code stopped.
//!
//! **Triggers.** Each prototype has a call counter and a loop counter ([`ProtoJit`]). When
//! one runs out, the interpreter asks the backend ([`JitBackend::on_hot_call`],
//! [`JitBackend::on_hot_loop`]), which may compile and returns the body to run, or 0.

use crate::error::{ErrorKind, RuntimeError};
use crate::object::Closure;
use crate::value::{Gc, Value};
use crate::vm::Vm;
use std::cell::Cell;

/// When the JIT compiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JitMode {
    /// Never: everything runs in the interpreter.
    Off,
    /// Functions after a number of calls, loops after a number of back-edges.
    #[default]
    Auto,
    /// Every function before its first call, and top-level code too.
    Always,
}

impl JitMode {
    pub fn name(self) -> &'static str {
        match self {
            JitMode::Off => "off",
            JitMode::Auto => "auto",
            JitMode::Always => "always",
        }
    }
}

/// Compiled code returned normally (see the module docs).
pub const STATUS_RETURNED: u64 = 0;
/// Compiled code raised an error, which is in [`Vm::jit_error`].
pub const STATUS_ERROR: u64 = 1;
/// Compiled code handed the innermost frame back to the interpreter.
pub const STATUS_DEOPT: u64 = 2;

/// Calls compiled code from Rust: `(body, vm, frame base) -> status`. The backend makes it
/// (compiled bodies use a calling convention Rust cannot call directly).
pub type Trampoline = unsafe extern "C" fn(usize, *mut Vm, u64) -> u64;

/// The JIT state a prototype carries, shared by the interpreter and the backend.
#[derive(Debug, Default)]
pub struct ProtoJit {
    /// Calls left before the interpreter asks the backend (at or below 0: ask at every
    /// call; a compiled prototype stays there, so its calls find the compiled body).
    pub hot: Cell<i32>,
    /// Backward jumps left before the interpreter asks the backend for a loop entry.
    pub loop_hot: Cell<i32>,
    /// The compiled body that calls enter (at pc 0), 0 while there is none.
    pub entry: Cell<usize>,
}

/// A JIT compiler as the interpreter sees it.
pub trait JitBackend {
    /// The mode the backend was set to.
    fn mode(&self) -> JitMode;

    /// The call counter of `closure`'s prototype ran out. Its frame is pushed at `base`
    /// with the arguments in place. Compile if the policy says so and return the body
    /// to run (also stored in `ProtoJit::entry`), or 0; either way reset the counter.
    fn on_hot_call(&mut self, vm: &mut Vm, closure: Gc<Closure>, base: usize) -> usize;

    /// The loop counter of `closure`'s prototype ran out at a backward jump to `pc`, in the
    /// frame at `base`. Return a body entering the loop at `pc` (an OSR entry), or 0;
    /// either way reset the counter.
    fn on_hot_loop(&mut self, vm: &mut Vm, closure: Gc<Closure>, base: usize, pc: u32) -> usize;

    /// Change the mode (what is compiled already stays compiled).
    fn set_mode(&mut self, mode: JitMode);

    /// The backend as `Any`, for a host that wants its statistics.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// What happened when the interpreter offered a frame to compiled code.
pub(crate) enum Entered {
    /// Nothing compiled: interpret as usual.
    No,
    /// The compiled body returned: its frame is popped, its value in its callee slot.
    Returned,
    /// The compiled body raised this error.
    Error(RuntimeError),
    /// The compiled body handed its innermost frame back: continue at the top frame.
    Deopt,
}

impl Vm {
    /// Install a JIT backend (it sets its trampoline once it has made one).
    pub fn install_jit(&mut self, backend: Box<dyn JitBackend>) {
        self.jit = Some(backend);
    }

    /// The function through which the interpreter calls compiled code.
    pub fn set_jit_trampoline(&mut self, tramp: Trampoline) {
        self.jit_tramp = Some(tramp);
    }

    /// The installed JIT backend, if any.
    pub fn jit_backend(&self) -> Option<&dyn JitBackend> {
        self.jit.as_deref()
    }

    /// The installed JIT backend, if any, to change its settings.
    pub fn jit_backend_mut(&mut self) -> Option<&mut (dyn JitBackend + 'static)> {
        self.jit.as_deref_mut()
    }

    /// The mode of the installed backend (`Off` without one).
    pub fn jit_mode(&self) -> JitMode {
        self.jit.as_ref().map_or(JitMode::Off, |j| j.mode())
    }

    /// A call of `c` (frame pushed at `base`) found its prototype's counter run out.
    #[cold]
    #[inline(never)]
    pub(crate) fn jit_enter_call(&mut self, c: Gc<Closure>, base: usize) -> Entered {
        let pj = &c.proto.jit;
        let mut body = pj.entry.get();
        if body == 0 {
            let Some(mut backend) = self.jit.take() else {
                pj.hot.set(i32::MAX);
                return Entered::No;
            };
            body = backend.on_hot_call(self, c, base);
            self.jit = Some(backend);
            if body == 0 {
                return Entered::No;
            }
        }
        // Keep the counter at its end, so that the next call comes here too.
        pj.hot.set(1);
        self.run_compiled(body, base)
    }

    /// The running frame of `c` (at `base`) jumped back to `pc` and its prototype's loop
    /// counter ran out.
    #[cold]
    #[inline(never)]
    pub(crate) fn jit_enter_loop(&mut self, c: Gc<Closure>, base: usize, pc: usize) -> Entered {
        let Some(mut backend) = self.jit.take() else {
            c.proto.jit.loop_hot.set(i32::MAX);
            return Entered::No;
        };
        let body = backend.on_hot_loop(self, c, base, pc as u32);
        self.jit = Some(backend);
        if body == 0 {
            return Entered::No;
        }
        self.frames.last_mut().expect("a frame is running").pc = pc as u32;
        self.run_compiled(body, base)
    }

    /// Enter the entry frame of a run (pushed at `base`) compiled, when its prototype has
    /// a compiled body or the backend compiles one now (`--jit=always`).
    pub(crate) fn jit_enter_entry(&mut self, c: Gc<Closure>, base: usize) -> Entered {
        if self.jit.is_none() {
            return Entered::No;
        }
        let pj = &c.proto.jit;
        if pj.entry.get() == 0 && pj.hot.get() > 1 {
            // Not due yet: count this run as a call.
            pj.hot.set(pj.hot.get() - 1);
            return Entered::No;
        }
        self.jit_enter_call(c, base)
    }

    /// Run compiled `body` in the frame at `base` (the top frame).
    pub(crate) fn run_compiled(&mut self, body: usize, base: usize) -> Entered {
        let Some(tramp) = self.jit_tramp else {
            return Entered::No;
        };
        // SAFETY: the backend made `body` and `tramp`; the frame contract holds (the frame
        // at `base` is the top frame, its arguments and registers in place).
        let status = unsafe { tramp(body, self as *mut Vm, base as u64) };
        if let Some(payload) = self.jit_panic.take() {
            std::panic::resume_unwind(payload);
        }
        match status {
            STATUS_RETURNED => Entered::Returned,
            STATUS_DEOPT => Entered::Deopt,
            _ => Entered::Error(self.take_jit_error()),
        }
    }

    /// The error compiled code left in [`Vm::jit_error`] (an internal error if it left none,
    /// which would be a bug in the JIT).
    pub fn take_jit_error(&mut self) -> RuntimeError {
        match self.jit_error.take() {
            Some(e) => e,
            None => {
                let span = self
                    .frames
                    .last()
                    .map(|f| f.closure.proto.span)
                    .unwrap_or_default();
                self.error_at(
                    ErrorKind::Runtime,
                    "internal error: compiled code failed without an error".to_string(),
                    span,
                )
            }
        }
    }

    /// The value compiled code returned, from the callee slot below `base`.
    pub(crate) fn returned_value(&self, base: usize) -> Value {
        self.stack[base - 1]
    }
}
