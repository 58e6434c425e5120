//! The interpreter: a stackless register-machine loop (DESIGN decision 3).
//!
//! A script call pushes a [`Frame`] and continues the same loop; it never recurses on the
//! Rust stack, so call depth is bounded only by `Vm::max_depth`. `TAILCALL` moves the callee
//! and its arguments down over the running frame and reuses it, so tail calls run in
//! constant space.

pub(crate) use crate::arith::{compare, floor_mod, scheme_div, Arith};
use crate::builtins::scheme::{chars_strings, hashtables, lists, numbers, vectors};
use crate::error::{ErrorKind, RuntimeError};
use crate::format;
use crate::interp_data::{record_slot, record_test, MethodTarget};
use crate::jit_hook::Entered;
use crate::limits::Limit;
use crate::native::NativeImpl;
use crate::object::{Closure, Proto};
use crate::opcode::Instr;
use crate::value::{values_equal_in, Gc, Value};
use crate::vm::{Frame, Handler, Vm};
use std::rc::Rc;
use tandem_core::ir::Wording;
use tandem_syntax::{FileId, Span};

/// The most arguments `apply` spreads (Lua's stack limit is of the same order). Above 255
/// the callee must be variadic or a native; a fixed-arity function gets an arity error.
pub const MAX_APPLY_ARGS: usize = 1_000_000;

/// An error found while setting up a call, before a frame exists for it.
pub(crate) type CallError = (ErrorKind, String);

impl Vm {
    /// Run a module's entry prototype to completion and return its value.
    pub fn run_proto(&mut self, proto: Rc<Proto>) -> Result<Value, RuntimeError> {
        if !self.protos.iter().any(|p| Rc::ptr_eq(p, &proto)) {
            self.protos.push(proto.clone());
        }
        let closure = self.heap.alloc_closure(proto.clone(), Box::new([]));
        let base = self.entry_base();
        let top = base + proto.nregs as usize;
        if self.stack.len() < top + 1 {
            self.stack.resize(top + 1, Value::Null);
        }
        self.high_water = self.high_water.max(top);
        self.stack[base - 1] = Value::Closure(closure);
        self.run_entry(closure, base)
    }

    /// Call the function `f` (a closure or a native) with `args`, from the host: not from
    /// a native (natives never call back into scripts), but between runs, as
    /// [`Vm::run_proto`] runs a program. A closure runs in a frame of its own through the
    /// same entry path (compiled, when the JIT has compiled it or decides to now). A
    /// runtime error leaves the VM as it was before the call, ready for the next one.
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> Result<Value, RuntimeError> {
        let base = self.entry_base();
        let n = args.len();
        if self.stack.len() < base + n + 1 {
            self.stack.resize(base + n + 1, Value::Null);
        }
        self.high_water = self.high_water.max(base + n);
        // The function and its arguments sit in a call window, as for any call (which
        // also roots them).
        self.stack[base - 1] = f;
        self.stack[base..base + n].copy_from_slice(args);
        let nowhere = Span::new(FileId(u32::MAX), 0, 0);
        match f {
            Value::Closure(c) => {
                if let Err((kind, msg)) = self.prepare_frame(c, base, n) {
                    return Err(self.error_at(kind, msg, c.proto.span));
                }
                self.run_entry(c, base)
            }
            Value::Native(id) => self.call_native(id, base, n).map_err(|(kind, msg)| {
                // A native that failed because the heap refused an allocation fails with
                // the memory limit's error (as `instr_error` says).
                let (kind, msg) = if self.heap.take_limit_hit() {
                    (ErrorKind::Limit(Limit::Memory), self.heap.limit_message())
                } else {
                    (kind, msg)
                };
                let mut err = self.error_at(kind, msg, nowhere);
                err.value = self.pending_raise.take();
                err
            }),
            other => Err(self.error_at(
                ErrorKind::Runtime,
                format!("Cannot call a value of type {}", other.type_name()),
                nowhere,
            )),
        }
    }

    /// Where the entry frame of a run starts: above the running frame, if any (a module
    /// loaded by `import` runs while its importer's frame waits).
    fn entry_base(&self) -> usize {
        match self.frames.last() {
            Some(f) => f.base as usize + f.closure.proto.nregs as usize + 1,
            None => 1,
        }
    }

    /// Push the entry frame of a run for `closure` at `base` (its arguments in place, the
    /// stack large enough) and run it to completion: compiled, when the JIT has a body for
    /// it or makes one now, else interpreted. On an error, the frames and handlers of the
    /// run are dropped.
    fn run_entry(&mut self, closure: Gc<Closure>, base: usize) -> Result<Value, RuntimeError> {
        let entry_depth = self.frames.len();
        if entry_depth == 0 {
            // A run from the host: its fuel and deadline start now.
            self.begin_limits();
        }
        self.frames.push(Frame {
            closure,
            pc: 0,
            base: base as u32,
        });
        let result = match self.jit_enter_entry(closure, base) {
            Entered::No | Entered::Deopt => self.execute(entry_depth),
            Entered::Returned => Ok(self.returned_value(base)),
            Entered::Error(e) => {
                if self.unwind(&e, entry_depth) {
                    self.execute(entry_depth)
                } else {
                    Err(e)
                }
            }
        };
        if result.is_err() {
            self.frames.truncate(entry_depth);
            self.handlers.retain(|h| h.frame < entry_depth);
        }
        result
    }

    /// Check arity, pack variadic arguments, and make sure the stack can hold the frame.
    /// The arguments are already in `stack[base..base + nargs]`.
    #[inline]
    pub(crate) fn prepare_frame(
        &mut self,
        c: Gc<Closure>,
        base: usize,
        nargs: usize,
    ) -> Result<(), CallError> {
        let p = &c.proto;
        let arity = p.arity as usize;
        if nargs != arity {
            if p.variadic && nargs >= arity {
                let rest = self.stack[base + arity..base + nargs].to_vec();
                let packed = if p.rest_list {
                    self.new_list(&rest)
                } else {
                    self.new_array(rest)
                };
                self.stack[base + arity] = packed;
            } else {
                return Err((ErrorKind::Runtime, arity_message(p, nargs)));
            }
        } else if p.variadic {
            let arr = if p.rest_list {
                Value::Null
            } else {
                self.new_array(Vec::new())
            };
            if self.stack.len() <= base + arity {
                self.stack.resize(base + arity + 1, Value::Null);
            }
            self.stack[base + arity] = arr;
        }
        let top = base + p.nregs as usize;
        if top >= self.stack.len() {
            let want = (top + 1).max(self.stack.len() * 2);
            self.grow_stack(want)
                .map_err(|m| (ErrorKind::Limit(Limit::Memory), m))?;
        }
        if top > self.high_water {
            self.high_water = top;
        }
        Ok(())
    }

    /// Resolve `R[cb+1].name(...)` (`n` arguments after the object) in the frame at
    /// `base` and lay out the call window at `cb`; returns the number of arguments.
    pub(crate) fn method_window(
        &mut self,
        base: usize,
        cb: u8,
        n: u8,
        name: &str,
        cache: (&crate::object::MethodCache, usize),
    ) -> Result<usize, String> {
        let at = base + cb as usize;
        match self.resolve_method(self.stack[at + 1], name, cache)? {
            MethodTarget::WithSelf(f) => {
                self.stack[at] = f;
                Ok(n as usize + 1)
            }
            MethodTarget::NoSelf(f) => {
                self.stack.copy_within(at + 2..at + 2 + n as usize, at + 1);
                self.stack[at] = f;
                Ok(n as usize)
            }
        }
    }

    /// Spread the list (or array) in `R[cb+1]` as the arguments of the call window at `cb`
    /// in the frame at `base`; returns their number. May grow the stack.
    pub(crate) fn spread_window(&mut self, base: usize, cb: u8) -> Result<usize, String> {
        let at = base + cb as usize + 1;
        let items = Vm::list_items(self.stack[at], MAX_APPLY_ARGS)?;
        if self.stack.len() < at + items.len() + 1 {
            self.grow_stack(at + items.len() + 1)?;
        }
        if at + items.len() > self.high_water {
            self.high_water = at + items.len();
        }
        self.stack[at..at + items.len()].copy_from_slice(&items);
        Ok(items.len())
    }

    /// Call native `id` with `stack[at..at + n]` as arguments.
    pub(crate) fn call_native(&mut self, id: u32, at: usize, n: usize) -> Result<Value, CallError> {
        self.admit_native(id, n)?;
        // The arguments are copied out of the value stack, which the native may grow. A
        // library native with a few arguments gets them in a buffer on the native stack:
        // a fixed-size copy (the slots past `n` ride along unread), no vector to take.
        const FEW: usize = 4;
        let r = match self.natives[id as usize].imp {
            NativeImpl::Fn(f) if n <= FEW && at + FEW <= self.stack.len() => {
                let mut buf = [Value::Null; FEW];
                buf.copy_from_slice(&self.stack[at..at + FEW]);
                f(self, &buf[..n])
            }
            ref imp => {
                let imp = imp.clone();
                let mut args = std::mem::take(&mut self.scratch);
                args.clear();
                args.extend_from_slice(&self.stack[at..at + n]);
                let r = match imp {
                    NativeImpl::Fn(f) => f(self, &args),
                    NativeImpl::Host(h) => h(self, &args),
                };
                args.clear();
                self.scratch = args;
                r
            }
        };
        r.map_err(|m| self.native_error(m))
    }

    /// The error a native's message becomes (`exit` asks for an exit instead).
    #[cold]
    #[inline(never)]
    fn native_error(&mut self, m: String) -> CallError {
        match self.exit_request.take() {
            Some(code) => (ErrorKind::Exit(code), m),
            None => (ErrorKind::Runtime, m),
        }
    }

    /// The dispatch loop. Runs until the frame at `entry_depth` returns.
    pub(crate) fn execute(&mut self, entry_depth: usize) -> Result<Value, RuntimeError> {
        'frame: loop {
            let frame = *self.frames.last().expect("a frame is running");
            let mut closure = frame.closure;
            // SAFETY: the closure is rooted by this frame (its record) for as long as it
            // runs; we switch (`enter!`) or reload (`continue 'frame`) whenever the frame
            // changes.
            let mut proto: &Proto = unsafe { &*Rc::as_ptr(&closure.proto) };
            // Scheme's `=` compares floats exactly, Ruff's `==` within an epsilon.
            let mut exact_eq = proto.wording == Wording::Scheme;
            let mut code_start: *const Instr = proto.code.as_ptr();
            let mut base = frame.base as usize;
            let mut nregs = proto.nregs as usize;
            // The next instruction. A pointer, not an index: one live value in the loop.
            // SAFETY: a saved pc is inside the code.
            let mut ip: *const Instr = unsafe { code_start.add(frame.pc as usize) };
            let mut regs: *mut Value = unsafe { self.stack.as_mut_ptr().add(base) };

            // Run closure `$c` in the frame at stack index `$at`, from instruction `$pc`
            // (0 for a frame just pushed; the saved pc for a caller being returned to).
            macro_rules! enter {
                ($c:expr, $at:expr) => {
                    enter!($c, $at, 0)
                };
                ($c:expr, $at:expr, $pc:expr) => {{
                    closure = $c;
                    // SAFETY: as above; the new closure is rooted by stack[$at - 1].
                    proto = unsafe { &*Rc::as_ptr(&closure.proto) };
                    exact_eq = proto.wording == Wording::Scheme;
                    code_start = proto.code.as_ptr();
                    base = $at;
                    nregs = proto.nregs as usize;
                    // SAFETY: a saved pc is inside the code.
                    ip = unsafe { code_start.add($pc) };
                    regs = unsafe { self.stack.as_mut_ptr().add(base) };
                }};
            }
            macro_rules! r {
                ($i:expr) => {
                    // SAFETY: registers < nregs, and the stack holds base + nregs slots.
                    unsafe { *regs.add($i as usize) }
                };
            }
            macro_rules! set {
                ($i:expr, $v:expr) => {{
                    let v = $v;
                    // SAFETY: as for `r!`.
                    unsafe { *regs.add($i as usize) = v }
                }};
            }
            macro_rules! pc {
                () => {
                    // SAFETY: `ip` always points into (or one past) this prototype's code.
                    unsafe { ip.offset_from(code_start) as usize }
                };
            }
            macro_rules! save_pc {
                () => {
                    self.frames.last_mut().expect("frame").pc = pc!() as u32
                };
            }
            macro_rules! fail {
                ($kind:expr, $msg:expr) => {{
                    let msg = $msg;
                    // The instruction just run (`ip` is past it).
                    let err = self.instr_error(proto, pc!().wrapping_sub(1), $kind, msg);
                    raise!(err)
                }};
            }
            macro_rules! throw {
                ($msg:expr) => {
                    fail!(ErrorKind::Runtime, $msg)
                };
            }
            macro_rules! refresh {
                () => {
                    regs = unsafe { self.stack.as_mut_ptr().add(base) }
                };
            }
            // `R[$i] = *$src`, copied as a whole 16 bytes. A value tested first and then
            // copied by value is split by LLVM into its tag and an unaligned 8-byte payload
            // that go through the native stack, where the reload of the payload cannot be
            // forwarded from the two overlapping stores: a stall of a dozen cycles.
            macro_rules! set_copy {
                ($i:expr, $src:expr) => {{
                    let src: &Value = $src;
                    // SAFETY: as for `r!`; `src` is a live value outside the registers'
                    // slot or equal to it (a copy onto itself is harmless).
                    unsafe { std::ptr::copy(src, regs.add($i as usize), 1) }
                }};
            }
            // `R[dst] = G[g]`, which must be defined.
            macro_rules! get_global {
                ($dst:expr, $g:expr) => {{
                    let v = &self.globals.values[$g as usize];
                    if let Value::Undef = v {
                        throw!(format!("Undefined variable: {}", self.globals.name($g)));
                    }
                    set_copy!($dst, v);
                }};
            }
            // Collect, with everything below `top` live; then enforce the memory limit.
            macro_rules! collect {
                ($top:expr) => {{
                    self.collect($top);
                    refresh!();
                    if self.heap.over_limit() {
                        let (k, m) = self.limit_error(Limit::Memory);
                        fail!(k, m);
                    }
                }};
            }
            // An event for the limits (a call or a loop's back edge): count it down, and
            // look at the limits when the count runs out (`crate::limits`).
            macro_rules! spend {
                () => {{
                    self.countdown -= 1;
                    if self.countdown < 0 {
                        if let Err(l) = self.tick() {
                            let (k, m) = self.limit_error(l);
                            fail!(k, m);
                        }
                    }
                }};
            }
            macro_rules! safepoint {
                () => {
                    if self.heap.should_collect() {
                        collect!(base + nregs);
                    }
                };
            }
            macro_rules! rr {
                ($i:expr) => {
                    // SAFETY: as for `r!`; a shared view of a register, so the fast paths
                    // test tags in place instead of copying values out.
                    unsafe { &*regs.add($i as usize) }
                };
            }
            macro_rules! slow_arith {
                ($op:expr, $dst:expr, $a:expr, $b:expr) => {
                    match self.arith_slow($op, $a, $b) {
                        Ok(v) => set!($dst, v),
                        Err(m) => throw!(m),
                    }
                };
            }
            // `R[a] OP R[b]` for `<`/`<=`: ints and floats inline, the rest through `compare`
            // (true when the ordering is $o1 or $o2).
            macro_rules! cmp_op {
                ($a:expr, $b:expr, $op:tt, $o1:ident, $o2:ident) => {
                    match (rr!($a), rr!($b)) {
                        (Value::Int(x), Value::Int(y)) => x $op y,
                        (Value::Float(x), Value::Float(y)) => x $op y,
                        _ => match compare(r!($a), r!($b), stringify!($op)) {
                            Ok(Some(o)) => {
                                o == std::cmp::Ordering::$o1 || o == std::cmp::Ordering::$o2
                            }
                            Ok(None) => false,
                            Err(m) => throw!(m),
                        },
                    }
                };
            }
            // `R[a] OP imm`. Other operands fail as the value form does: `>` and `>=` are
            // compiled as the mirrored `imm < R[a]` / `imm <= R[a]` (`$swap`, with `$mirror`
            // the operator then), so the error message names the operands in that order.
            macro_rules! cmp_imm {
                ($a:expr, $imm:expr, $op:tt, $mirror:tt, $swap:expr) => {
                    match rr!($a) {
                        Value::Int(x) => *x $op $imm as i64,
                        Value::Float(x) => *x $op $imm as f64,
                        _ => {
                            let (v, k) = (r!($a), Value::Int($imm as i64));
                            let e = if $swap {
                                compare(k, v, stringify!($mirror))
                            } else {
                                compare(v, k, stringify!($op))
                            };
                            match e {
                                Err(m) => throw!(m),
                                Ok(_) => unreachable!("compare accepts only numbers and strings"),
                            }
                        }
                    }
                };
            }
            // Every backward jump (a loop's back edge, conditional or not) is a GC safe point,
            // and counts towards compiling the loop.
            macro_rules! jump {
                ($off:expr) => {{
                    let off = $off;
                    // A collection's error, or a limit's, is the jump's.
                    if off < 0 {
                        spend!();
                        safepoint!();
                    }
                    // SAFETY: the compiler only emits jumps to instructions of this code.
                    ip = unsafe { ip.offset(off as isize) };
                    if off < 0 {
                        loop_hook!();
                    }
                }};
            }
            // Count a loop iteration; when the counter runs out, offer the loop (entered at
            // the current pc) to the JIT.
            macro_rules! loop_hook {
                () => {{
                    let pj = &proto.jit;
                    let h = pj.loop_hot.get() - 1;
                    pj.loop_hot.set(h);
                    if h <= 0 {
                        let entered = self.jit_enter_loop(closure, base, pc!());
                        compiled_frame!(entered);
                    }
                }};
            }
            // After this frame was handed to compiled code: carry on as it says.
            macro_rules! compiled_frame {
                ($entered:expr) => {
                    match $entered {
                        Entered::No => {}
                        Entered::Returned => {
                            // The frame returned: resume its caller (or finish).
                            let len = self.frames.len();
                            if len == entry_depth {
                                return Ok(self.returned_value(base));
                            }
                            // SAFETY: len > entry_depth, so the caller's frame exists.
                            let f = unsafe { *self.frames.as_ptr().add(len - 1) };
                            enter!(f.closure, f.base as usize, f.pc as usize);
                            continue;
                        }
                        Entered::Error(e) => raise!(e),
                        Entered::Deopt => continue 'frame,
                    }
                };
            }

            macro_rules! raise {
                ($err:expr) => {{
                    let err = $err;
                    if self.unwind(&err, entry_depth) {
                        continue 'frame;
                    }
                    return Err(err);
                }};
            }
            macro_rules! drop_handlers {
                () => {
                    while let Some(h) = self.handlers.last() {
                        if h.frame >= self.frames.len() {
                            self.handlers.pop();
                        } else {
                            break;
                        }
                    }
                };
            }
            macro_rules! kstr {
                ($k:expr) => {
                    match proto.consts[$k as usize] {
                        Value::Str(s) => s,
                        _ => throw!("internal error: expected a string constant".to_string()),
                    }
                };
            }
            // Make the frame of closure `$c` at stack index `$at` ready to run, its `$n`
            // arguments already in place: check the arity, pack rest arguments, make room on
            // the stack, and collect if due (before entering, so a limit error is the
            // caller's).
            macro_rules! prepare_callee {
                ($c:expr, $at:expr, $n:expr) => {{
                    // Fast path: exact arity, room on the stack already.
                    let p: &Proto = &$c.proto;
                    let top = $at + p.nregs as usize;
                    if $n == p.call_arity as usize && top < self.stack.len() {
                        if top > self.high_water {
                            self.high_water = top;
                        }
                    } else if let Err((k, m)) = self.prepare_frame($c, $at, $n) {
                        fail!(k, m);
                    }
                    if self.heap.should_collect() {
                        collect!(top);
                    }
                }};
            }
            // Call closure `$c`, already in `R[$cb]`, with `$n` arguments after it.
            macro_rules! call_closure {
                ($cb:expr, $n:expr, $c:expr) => {{
                    let n: usize = $n as usize;
                    let c: Gc<Closure> = $c;
                    let at = base + $cb as usize + 1;
                    spend!();
                    // One compare covers both the depth limit and the room in
                    // `frames`; `grow_frames` tells them apart.
                    let len = self.frames.len();
                    if len >= self.frame_limit && !self.grow_frames() {
                        fail!(
                            ErrorKind::StackOverflow,
                            format!(
                                "stack overflow: more than {} nested calls",
                                self.max_depth()
                            )
                        );
                    }
                    prepare_callee!(c, at, n);
                    // SAFETY: `len >= 1` (this frame) and `len < frame_limit <=
                    // capacity`; nothing above pushed or popped frames.
                    let pc = pc!() as u32;
                    unsafe {
                        let fp = self.frames.as_mut_ptr();
                        (*fp.add(len - 1)).pc = pc;
                        fp.add(len).write(Frame {
                            closure: c,
                            pc: 0,
                            base: at as u32,
                        });
                        self.frames.set_len(len + 1);
                    }
                    let pj = &c.proto.jit;
                    let h = pj.hot.get() - 1;
                    pj.hot.set(h);
                    if h <= 0 {
                        match self.jit_enter_call(c, at) {
                            Entered::No => {}
                            // The callee returned into R[cb]; carry on in this frame.
                            Entered::Returned => {
                                refresh!();
                                continue;
                            }
                            Entered::Error(e) => raise!(e),
                            Entered::Deopt => continue 'frame,
                        }
                    }
                    enter!(c, at);
                    continue;
                }};
            }
            // Tail-call closure `$c` with the `$n` arguments after `R[$cb]`.
            macro_rules! tail_call_closure {
                ($cb:expr, $n:expr, $c:expr) => {{
                    let cb: u8 = $cb;
                    let n: usize = $n as usize;
                    let c: Gc<Closure> = $c;
                    if c == closure && n == proto.call_arity as usize {
                        // A self tail call: the frame stays as it is; move the
                        // arguments into the parameters and start over.
                        // SAFETY: both ranges are this frame's registers.
                        unsafe { slide_down(regs, regs.add(cb as usize + 1), n) };
                        spend!();
                        safepoint!();
                        ip = code_start;
                        // A loop back to the start.
                        loop_hook!();
                        continue;
                    }
                    spend!();
                    // Slide callee and arguments down over this frame.
                    // SAFETY: base >= 1 and the window lies inside the stack.
                    unsafe {
                        *regs.sub(1) = Value::Closure(c);
                        slide_down(regs, regs.add(cb as usize + 1), n);
                    }
                    prepare_callee!(c, base, n);
                    // SAFETY: this frame is the last one.
                    unsafe {
                        let f = self.frames.as_mut_ptr().add(self.frames.len() - 1);
                        (*f).closure = c;
                        (*f).pc = 0;
                    }
                    let pj = &c.proto.jit;
                    let h = pj.hot.get() - 1;
                    pj.hot.set(h);
                    if h <= 0 {
                        let entered = self.jit_enter_call(c, base);
                        compiled_frame!(entered);
                    }
                    enter!(c, base);
                    continue;
                }};
            }
            macro_rules! do_call {
                ($cb:expr, $n:expr) => {{
                    let cb: u8 = $cb;
                    let n: usize = $n as usize;
                    let callee = r!(cb);
                    let at = base + cb as usize + 1;
                    match callee {
                        Value::Closure(c) => call_closure!(cb, n, c),
                        Value::Native(id) => {
                            save_pc!();
                            match self.call_native(id, at, n) {
                                Ok(v) => {
                                    refresh!();
                                    set!(cb, v);
                                }
                                Err((k, m)) => fail!(k, m),
                            }
                            safepoint!();
                        }
                        v => throw!(not_callable(&v)),
                    }
                }};
            }
            macro_rules! do_tail_call {
                ($cb:expr, $n:expr) => {{
                    let cb: u8 = $cb;
                    let n: usize = $n as usize;
                    let callee = r!(cb);
                    match callee {
                        Value::Closure(c) => tail_call_closure!(cb, n, c),
                        Value::Native(id) => {
                            save_pc!();
                            match self.call_native(id, base + cb as usize + 1, n) {
                                Ok(v) => {
                                    refresh!();
                                    return_value!(v)
                                }
                                Err((k, m)) => fail!(k, m),
                            }
                        }
                        v => throw!(not_callable(&v)),
                    }
                }};
            }
            // Resolve `R[cb+1].K[k](...)` and lay out the call window at `cb`, binding the
            // total argument count to `$nargs`.
            macro_rules! method_window {
                ($cb:expr, $n:expr, $k:expr, $nargs:ident) => {
                    let name = kstr!($k);
                    let cache = (&proto.methods, $k as usize);
                    let $nargs = match self.method_window(base, $cb, $n, name.as_str(), cache) {
                        Ok(nargs) => nargs,
                        Err(m) => throw!(m),
                    };
                };
            }

            // Pop this frame, leaving `$v` in its callee slot, and resume the caller in
            // place (or finish, at the entry frame).
            macro_rules! return_value {
                ($v:expr) => {{
                    let v = $v;
                    // SAFETY: base >= 1.
                    unsafe { *regs.sub(1) = v };
                    // SAFETY: this frame exists (len > entry_depth >= 0); frames are Copy.
                    let len = self.frames.len() - 1;
                    unsafe { self.frames.set_len(len) };
                    drop_handlers!();
                    if len == entry_depth {
                        return Ok(v);
                    }
                    // SAFETY: len > entry_depth, so the caller's frame is at len - 1.
                    let f = unsafe { *self.frames.as_ptr().add(len - 1) };
                    enter!(f.closure, f.base as usize, f.pc as usize);
                    continue;
                }};
            }

            loop {
                // SAFETY: every prototype ends in a return, and jumps stay inside the code.
                // Match on the instruction in place, so that each arm loads only its own
                // operands (a copied-out instruction gets all fields decoded up front).
                let instr: &Instr = unsafe { &*ip };
                ip = unsafe { ip.add(1) };
                match *instr {
                    Instr::Move { dst, src } => set!(dst, r!(src)),
                    Instr::LoadK { dst, k } => set!(dst, proto.consts[k as usize]),
                    Instr::LoadInt { dst, imm } => set!(dst, Value::Int(imm as i64)),
                    Instr::LoadNull { dst } => set!(dst, Value::Null),
                    Instr::LoadTrue { dst } => set!(dst, Value::Bool(true)),
                    Instr::LoadFalse { dst } => set!(dst, Value::Bool(false)),
                    Instr::GetGlobal { dst, g } => get_global!(dst, g),
                    Instr::SetGlobal { src, g } => {
                        if self.globals.immutable[g as usize] {
                            throw!(format!(
                                "Cannot assign to immutable variable: {}",
                                self.globals.name(g)
                            ));
                        }
                        self.globals.values[g as usize] = r!(src);
                    }
                    Instr::DefGlobalMut { src, g } => {
                        self.globals.values[g as usize] = r!(src);
                        self.globals.immutable[g as usize] = false;
                    }
                    Instr::DefGlobalConst { src, g } => {
                        self.globals.values[g as usize] = r!(src);
                        self.globals.immutable[g as usize] = true;
                    }
                    Instr::GetUpval { dst, u } => set!(dst, closure.upvals[u as usize]),
                    Instr::GetUpvalBox { dst, u } => match closure.upvals[u as usize] {
                        Value::Box(b) => set!(dst, b.value.get()),
                        _ => throw!("internal error: upvalue is not a box".to_string()),
                    },
                    Instr::SetUpvalBox { u, src } => match closure.upvals[u as usize] {
                        Value::Box(b) => b.value.set(r!(src)),
                        _ => throw!("internal error: upvalue is not a box".to_string()),
                    },
                    Instr::NewBox { dst, src } => {
                        let b = self.heap.alloc_box(r!(src));
                        set!(dst, Value::Box(b));
                    }
                    Instr::GetBox { dst, bx } => match r!(bx) {
                        Value::Box(b) => set!(dst, b.value.get()),
                        _ => throw!("internal error: register is not a box".to_string()),
                    },
                    Instr::SetBox { bx, src } => match r!(bx) {
                        Value::Box(b) => b.value.set(r!(src)),
                        _ => throw!("internal error: register is not a box".to_string()),
                    },
                    Instr::Add { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Int(x), Value::Int(y)) => match x.checked_add(*y) {
                            Some(z) => set!(dst, Value::Int(z)),
                            None => throw!(overflow()),
                        },
                        (Value::Float(x), Value::Float(y)) => set!(dst, Value::Float(x + y)),
                        _ => slow_arith!(Arith::Add, dst, r!(a), r!(b)),
                    },
                    Instr::AddInt { dst, a, imm } => match rr!(a) {
                        Value::Int(x) => match x.checked_add(imm as i64) {
                            Some(z) => set!(dst, Value::Int(z)),
                            None => throw!(overflow()),
                        },
                        Value::Float(x) => set!(dst, Value::Float(x + imm as f64)),
                        _ => {
                            // Report it as written: `x - 1` compiles to ADDI with -1.
                            let (op, k) = if imm < 0 {
                                (Arith::Sub, -(imm as i64))
                            } else {
                                (Arith::Add, imm as i64)
                            };
                            slow_arith!(op, dst, r!(a), Value::Int(k))
                        }
                    },
                    Instr::Sub { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Int(x), Value::Int(y)) => match x.checked_sub(*y) {
                            Some(z) => set!(dst, Value::Int(z)),
                            None => throw!(overflow()),
                        },
                        (Value::Float(x), Value::Float(y)) => set!(dst, Value::Float(x - y)),
                        _ => slow_arith!(Arith::Sub, dst, r!(a), r!(b)),
                    },
                    Instr::Mul { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Int(x), Value::Int(y)) => match x.checked_mul(*y) {
                            Some(z) => set!(dst, Value::Int(z)),
                            None => throw!(overflow()),
                        },
                        (Value::Float(x), Value::Float(y)) => set!(dst, Value::Float(x * y)),
                        _ => slow_arith!(Arith::Mul, dst, r!(a), r!(b)),
                    },
                    Instr::MulInt { dst, a, imm } => match rr!(a) {
                        Value::Int(x) => match x.checked_mul(imm as i64) {
                            Some(z) => set!(dst, Value::Int(z)),
                            None => throw!(overflow()),
                        },
                        Value::Float(x) => set!(dst, Value::Float(x * imm as f64)),
                        _ => slow_arith!(Arith::Mul, dst, r!(a), Value::Int(imm as i64)),
                    },
                    Instr::Div { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Float(x), Value::Float(y)) if *y != 0.0 => {
                            set!(dst, Value::Float(x / y))
                        }
                        _ => slow_arith!(Arith::Div, dst, r!(a), r!(b)),
                    },
                    Instr::Mod { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Int(x), Value::Int(y)) if *y > 0 => set!(dst, Value::Int(x % y)),
                        _ => slow_arith!(Arith::Mod, dst, r!(a), r!(b)),
                    },
                    Instr::ModInt { dst, a, imm } => match rr!(a) {
                        // The compiler only emits MODI with imm > 0; testing it here lets
                        // the division skip its zero and overflow checks.
                        Value::Int(x) if imm > 0 => set!(dst, Value::Int(x % imm as i64)),
                        _ => slow_arith!(Arith::Mod, dst, r!(a), Value::Int(imm as i64)),
                    },
                    Instr::ModFloorInt { dst, a, imm } => match rr!(a) {
                        // imm > 0: the Euclidean remainder is the floored one.
                        Value::Int(x) if imm > 0 => set!(dst, Value::Int(x.rem_euclid(imm as i64))),
                        _ => match floor_mod(r!(a), Value::Int(imm as i64)) {
                            Ok(v) => set!(dst, v),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::CharEq { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Char(x), Value::Char(y)) => set!(dst, Value::Bool(x == y)),
                        _ => match chars_strings::char_eq_of(self, r!(a), r!(b)) {
                            Ok(v) => set!(dst, v),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::Quot { dst, a, b } => match (rr!(a), rr!(b)) {
                        // y > 0: no zero divisor, no overflow of MIN / -1.
                        (Value::Int(x), Value::Int(y)) if *y > 0 => set!(dst, Value::Int(x / y)),
                        _ => match numbers::quotient_of(self, r!(a), r!(b)) {
                            Ok(v) => set!(dst, v),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::ModFloor { dst, a, b } => match floor_mod(r!(a), r!(b)) {
                        Ok(v) => set!(dst, v),
                        Err(m) => throw!(m),
                    },
                    Instr::DivScheme { dst, a, b } => match (rr!(a), rr!(b)) {
                        (Value::Float(x), Value::Float(y)) => set!(dst, Value::Float(x / y)),
                        _ => match scheme_div(r!(a), r!(b)) {
                            Ok(v) => set!(dst, v),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::Neg { dst, src } => match rr!(src) {
                        Value::Int(x) => match x.checked_neg() {
                            Some(z) => set!(dst, Value::Int(z)),
                            None => throw!(overflow()),
                        },
                        Value::Float(x) => set!(dst, Value::Float(-x)),
                        v => throw!(format!("Invalid unary operation: -{}", v.type_name())),
                    },
                    Instr::Not { dst, src } => match rr!(src) {
                        Value::Bool(b) => set!(dst, Value::Bool(!b)),
                        v => throw!(format!("Invalid unary operation: !{}", v.type_name())),
                    },
                    Instr::Truthy { dst, src } => set!(dst, Value::Bool(rr!(src).truthy())),
                    Instr::Eq { dst, a, b } => {
                        set!(dst, Value::Bool(values_equal_in(r!(a), r!(b), exact_eq)))
                    }
                    Instr::Ne { dst, a, b } => {
                        set!(dst, Value::Bool(!values_equal_in(r!(a), r!(b), exact_eq)))
                    }
                    Instr::Lt { dst, a, b } => {
                        let lt = cmp_op!(a, b, <, Less, Less);
                        set!(dst, Value::Bool(lt));
                    }
                    Instr::Le { dst, a, b } => {
                        let le = cmp_op!(a, b, <=, Less, Equal);
                        set!(dst, Value::Bool(le));
                    }
                    Instr::Jmp { off } => jump!(off),
                    // Booleans first: a test's usual operand, without `truthy`'s dispatch.
                    Instr::JmpFalsy { src, off } => {
                        let t = match rr!(src) {
                            Value::Bool(b) => *b,
                            v => v.truthy(),
                        };
                        if !t {
                            jump!(off);
                        }
                    }
                    Instr::JmpTruthy { src, off } => {
                        let t = match rr!(src) {
                            Value::Bool(b) => *b,
                            v => v.truthy(),
                        };
                        if t {
                            jump!(off);
                        }
                    }
                    Instr::JmpFalse { src, off } => {
                        if let Value::Bool(false) = rr!(src) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotNull { src, off } => {
                        if !matches!(rr!(src), Value::Null) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotLt { a, b, off } => {
                        if !cmp_op!(a, b, <, Less, Less) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotLe { a, b, off } => {
                        if !cmp_op!(a, b, <=, Less, Equal) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotEq { a, b, off } => {
                        let eq = match (rr!(a), rr!(b)) {
                            (Value::Int(x), Value::Int(y)) => x == y,
                            _ => values_equal_in(r!(a), r!(b), exact_eq),
                        };
                        if !eq {
                            jump!(off);
                        }
                    }
                    Instr::JmpEq { a, b, off } => {
                        let eq = match (rr!(a), rr!(b)) {
                            (Value::Int(x), Value::Int(y)) => x == y,
                            _ => values_equal_in(r!(a), r!(b), exact_eq),
                        };
                        if eq {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotEqInt { a, imm, off } => {
                        let eq = match rr!(a) {
                            Value::Int(x) => *x == imm as i64,
                            _ => values_equal_in(r!(a), Value::Int(imm as i64), exact_eq),
                        };
                        if !eq {
                            jump!(off);
                        }
                    }
                    Instr::JmpEqInt { a, imm, off } => {
                        let eq = match rr!(a) {
                            Value::Int(x) => *x == imm as i64,
                            _ => values_equal_in(r!(a), Value::Int(imm as i64), exact_eq),
                        };
                        if eq {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotLtInt { a, imm, off } => {
                        if !cmp_imm!(a, imm, <, >, false) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotLeInt { a, imm, off } => {
                        if !cmp_imm!(a, imm, <=, >=, false) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotGtInt { a, imm, off } => {
                        if !cmp_imm!(a, imm, >, <, true) {
                            jump!(off);
                        }
                    }
                    Instr::JmpNotGeInt { a, imm, off } => {
                        if !cmp_imm!(a, imm, >=, <=, true) {
                            jump!(off);
                        }
                    }
                    Instr::Call { base: cb, n } => do_call!(cb, n),
                    Instr::TailCall { base: cb, n } => do_tail_call!(cb, n),
                    // A global holding a closure (the usual case) is called without reading
                    // it back from the register.
                    Instr::CallGlobal { base: cb, n, g } => match self.globals.values[g as usize] {
                        Value::Closure(c) => {
                            set!(cb, Value::Closure(c));
                            call_closure!(cb, n, c)
                        }
                        _ => {
                            get_global!(cb, g);
                            do_call!(cb, n)
                        }
                    },
                    Instr::TailCallGlobal { base: cb, n, g } => {
                        match self.globals.values[g as usize] {
                            Value::Closure(c) => tail_call_closure!(cb, n, c),
                            _ => {
                                get_global!(cb, g);
                                do_tail_call!(cb, n)
                            }
                        }
                    }
                    Instr::CallMethod { base: cb, n, k } => {
                        method_window!(cb, n, k, nargs);
                        do_call!(cb, nargs)
                    }
                    Instr::TailCallMethod { base: cb, n, k } => {
                        method_window!(cb, n, k, nargs);
                        do_tail_call!(cb, nargs)
                    }
                    Instr::Return { src } => return_value!(r!(src)),
                    Instr::ReturnNull {} => return_value!(Value::Null),
                    Instr::Closure { dst, p } => {
                        let child = &proto.children[p as usize];
                        let c = self.make_closure(child, closure, base);
                        set!(dst, c);
                    }
                    Instr::NewArray { dst, n } => {
                        let a = self.new_array(Vec::with_capacity(n as usize));
                        set!(dst, a);
                    }
                    Instr::ArrayPush { arr, src } => match r!(arr) {
                        Value::Array(a) => {
                            if let Err(m) = self.array_push(a, r!(src)) {
                                throw!(m);
                            }
                        }
                        _ => throw!("internal error: APUSH on a non-array".to_string()),
                    },
                    Instr::NewDict { dst } => {
                        let d = self.new_dict(Default::default());
                        set!(dst, d);
                    }
                    // An array and an int index in range, inline; everything else
                    // (negative and float indexes, dicts, strings, errors) in `get_index`.
                    Instr::GetIndex { dst, obj, idx } => match (rr!(obj), rr!(idx)) {
                        (Value::Array(a), Value::Int(i)) if (*i as u64) < a.len() as u64 => {
                            // SAFETY: the index was just checked against the length.
                            set!(dst, unsafe { *a.items().get_unchecked(*i as usize) });
                        }
                        _ => match self.get_index(r!(obj), r!(idx)) {
                            Ok(v) => set!(dst, v),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::SetIndex { obj, idx, src } => match (rr!(obj), rr!(idx)) {
                        (Value::Array(a), Value::Int(i)) if (*i as u64) < a.len() as u64 => {
                            let v = r!(src);
                            // SAFETY: the index was just checked against the length.
                            unsafe { *a.items_mut().get_unchecked_mut(*i as usize) = v };
                        }
                        _ => {
                            if let Err(m) = self.set_index(r!(obj), r!(idx), r!(src)) {
                                throw!(m);
                            }
                        }
                    },
                    Instr::TableRef {
                        dst,
                        table,
                        key,
                        dflt,
                    } => match hashtables::table_ref(self, r!(table), r!(key), r!(dflt)) {
                        Ok(v) => set!(dst, v),
                        Err(m) => throw!(m),
                    },
                    Instr::TableSet { table, key, src } => {
                        if let Err(m) = hashtables::table_set(self, r!(table), r!(key), r!(src)) {
                            throw!(m);
                        }
                    }
                    Instr::Cons { dst, a, b } => {
                        let p = self.heap.alloc_pair(r!(a), r!(b));
                        set!(dst, Value::Pair(p));
                    }
                    // The fast paths match on a register in place (`rr!`, no `*`): a value
                    // copied out first is stored to the native stack and its tag and
                    // payload reloaded from there, a store-forwarding stall per instruction.
                    Instr::Car { dst, src } => match rr!(src) {
                        Value::Pair(p) => set!(dst, p.car.get()),
                        _ => match lists::car_checked(self, r!(src)) {
                            Ok(x) => set!(dst, x),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::Cdr { dst, src } => match rr!(src) {
                        Value::Pair(p) => set!(dst, p.cdr.get()),
                        _ => match lists::cdr_checked(self, r!(src)) {
                            Ok(x) => set!(dst, x),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::IsNull { dst, src } => {
                        set!(dst, Value::Bool(matches!(rr!(src), Value::Null)));
                    }
                    Instr::IsPair { dst, src } => {
                        set!(dst, Value::Bool(matches!(rr!(src), Value::Pair(_))));
                    }
                    Instr::IsFalse { dst, src } => {
                        set!(dst, Value::Bool(matches!(rr!(src), Value::Bool(false))));
                    }
                    Instr::Eqv { dst, a, b } => {
                        set!(dst, Value::Bool(lists::eqv(r!(a), r!(b))));
                    }
                    Instr::VecRef { dst, vec, idx } => match (rr!(vec), rr!(idx)) {
                        (Value::Array(a), Value::Int(i)) if (*i as u64) < a.len() as u64 => {
                            // SAFETY: the index was just checked against the length.
                            set!(dst, unsafe { *a.items().get_unchecked(*i as usize) });
                        }
                        _ => match vectors::vector_ref_of(self, r!(vec), r!(idx)) {
                            Ok(x) => set!(dst, x),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::VecSet { vec, idx, src } => match (rr!(vec), rr!(idx)) {
                        (Value::Array(a), Value::Int(i)) if (*i as u64) < a.len() as u64 => {
                            let v = r!(src);
                            // SAFETY: the index was just checked against the length.
                            unsafe { *a.items_mut().get_unchecked_mut(*i as usize) = v };
                        }
                        _ => {
                            let (v, i) = (r!(vec), r!(idx));
                            if let Err(m) = vectors::vector_set_of(self, v, i, r!(src)) {
                                throw!(m);
                            }
                        }
                    },
                    Instr::IsInstance { dst, obj, ty } => {
                        set!(
                            dst,
                            Value::Bool(crate::interp_data::is_instance(r!(obj), r!(ty)))
                        );
                    }
                    Instr::StrRef { dst, s, idx } => {
                        // Past either end, `char_at` gives `None`: the native's error.
                        let c = match (rr!(s), rr!(idx)) {
                            (Value::Str(x), Value::Int(i)) => {
                                usize::try_from(*i).ok().and_then(|i| x.char_at(i))
                            }
                            _ => None,
                        };
                        match c {
                            Some(c) => set!(dst, Value::Char(c)),
                            None => match chars_strings::string_ref_of(self, r!(s), r!(idx)) {
                                Ok(x) => set!(dst, x),
                                Err(m) => throw!(m),
                            },
                        }
                    }
                    Instr::StrLen { dst, src } => match rr!(src) {
                        Value::Str(x) => set!(dst, Value::Int(x.char_len() as i64)),
                        _ => match chars_strings::string_length_of(self, r!(src)) {
                            Ok(x) => set!(dst, x),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::VecLen { dst, src } => match rr!(src) {
                        Value::Array(a) => set!(dst, Value::Int(a.len() as i64)),
                        _ => match vectors::vector_length_of(self, r!(src)) {
                            Ok(x) => set!(dst, x),
                            Err(m) => throw!(m),
                        },
                    },
                    Instr::Concat { dst, base: b, n } => {
                        // The strings' bytes are known before the text is built.
                        let strs: usize = (0..n)
                            .map(|i| r!(b + i).as_str().map_or(0, str::len))
                            .fold(0, usize::saturating_add);
                        if let Err(m) = self.heap.reserve(strs) {
                            throw!(m);
                        }
                        let mut s = String::new();
                        for i in 0..n {
                            format::write_display(self, r!(b + i), &mut s);
                        }
                        if let Err(m) = format::check_text(self, "string interpolation", s.len()) {
                            throw!(m);
                        }
                        let v = self.new_str(s);
                        set!(dst, v);
                    }
                    Instr::GetField { dst, obj, k } => {
                        if let Value::Struct(inst) = *rr!(obj) {
                            let name = || match proto.consts[k as usize] {
                                Value::Str(s) => Some(s),
                                _ => None,
                            };
                            if let Some(i) = proto.fields.index(k as usize, &inst.ty, name) {
                                if let Some(&v) = inst.fields().get(i) {
                                    set!(dst, v);
                                    continue;
                                }
                            }
                        }
                        let name = kstr!(k);
                        match self.get_field(r!(obj), name.as_str()) {
                            Ok(v) => set!(dst, v),
                            Err(m) => throw!(m),
                        }
                    }
                    Instr::RecGet { dst, obj, k, off } => {
                        let globals = &self.globals.values;
                        match record_slot(globals, proto, k, rr!(obj)) {
                            Some(Some((inst, i))) => {
                                set_copy!(dst, &inst.fields()[i]);
                                jump!(off);
                            }
                            Some(None) => {
                                let name = kstr!(k);
                                match self.get_field(r!(obj), name.as_str()) {
                                    Ok(v) => set!(dst, v),
                                    Err(m) => throw!(m),
                                }
                                jump!(off);
                            }
                            None => {}
                        }
                    }
                    Instr::RecIs { dst, obj, k, off } => {
                        let globals = &self.globals.values;
                        if let Some(b) = record_test(globals, proto, k, rr!(obj)) {
                            set!(dst, Value::Bool(b));
                            jump!(off);
                        }
                    }
                    Instr::RecSet { obj, k, src, off } => {
                        let globals = &self.globals.values;
                        match record_slot(globals, proto, k, rr!(obj)) {
                            Some(Some((inst, i))) => {
                                inst.set_at(i, r!(src));
                                jump!(off);
                            }
                            Some(None) => {
                                let name = kstr!(k);
                                if let Err(m) = self.set_field(r!(obj), name.as_str(), r!(src)) {
                                    throw!(m);
                                }
                                jump!(off);
                            }
                            None => {}
                        }
                    }
                    Instr::SetField { obj, k, src } => {
                        if let Value::Struct(inst) = *rr!(obj) {
                            let name = || match proto.consts[k as usize] {
                                Value::Str(s) => Some(s),
                                _ => None,
                            };
                            if let Some(i) = proto.fields.index(k as usize, &inst.ty, name) {
                                if inst.set_at(i, r!(src)) {
                                    continue;
                                }
                            }
                        }
                        let name = kstr!(k);
                        if let Err(m) = self.set_field(r!(obj), name.as_str(), r!(src)) {
                            throw!(m);
                        }
                    }
                    Instr::NewStruct { dst, ty } => match r!(ty) {
                        Value::StructType(t) => {
                            let inst = self.heap.alloc_instance(t, &[]);
                            set!(dst, Value::Struct(inst));
                        }
                        v => throw!(format!(
                            "Cannot build a struct from a value of type {}",
                            v.type_name()
                        )),
                    },
                    Instr::TestVariant { dst, src, k } => {
                        let key = kstr!(k);
                        set!(dst, Value::Bool(Vm::test_variant(r!(src), key.as_str())));
                    }
                    Instr::GetPayload { dst, src, idx } => match r!(src) {
                        Value::Variant(v) if (idx as usize) < v.payload.len() => {
                            set!(dst, v.payload[idx as usize])
                        }
                        v => throw!(format!(
                            "internal error: no payload {idx} in a value of type {}",
                            v.type_name()
                        )),
                    },
                    Instr::TryBegin { reg, off } | Instr::TryBeginRaw { reg, off } => {
                        let frame = self.frames.len() - 1;
                        self.handlers.push(Handler {
                            frame,
                            catch_pc: (pc!() as isize + off as isize) as u32,
                            reg,
                            raw: matches!(*instr, Instr::TryBeginRaw { .. }),
                        });
                    }
                    Instr::CallList { base: cb } | Instr::TailCallList { base: cb } => {
                        let n = match self.spread_window(base, cb) {
                            Ok(n) => n,
                            Err(m) => throw!(m),
                        };
                        refresh!();
                        if matches!(*instr, Instr::TailCallList { .. }) {
                            do_tail_call!(cb, n)
                        } else {
                            do_call!(cb, n)
                        }
                    }
                    Instr::TryEnd {} => {
                        self.handlers.pop();
                    }
                    // Rare instructions run through the one-instruction executor.
                    Instr::ArrayExtend { .. }
                    | Instr::DictExtend { .. }
                    | Instr::NewStructType { .. }
                    | Instr::AddMethod { .. }
                    | Instr::NewVariant { .. }
                    | Instr::IsFailure { .. }
                    | Instr::Unwrap { .. }
                    | Instr::Throw { .. }
                    | Instr::Import { .. }
                    | Instr::IterPrep { .. } => {
                        save_pc!();
                        match self.exec_one(pc!() - 1) {
                            Ok(_) => refresh!(),
                            Err(e) => raise!(e),
                        }
                    }
                    Instr::IterNext { base: b, dst, off } => {
                        let Value::Int(i) = r!(b + 1) else {
                            throw!("internal error: bad iterator state".to_string())
                        };
                        match r!(b) {
                            Value::Array(a) => match a.items().get(i as usize) {
                                Some(v) => {
                                    set_copy!(dst, v);
                                    set!(b + 1, Value::Int(i + 1));
                                }
                                None => jump!(off),
                            },
                            Value::Int(n) => {
                                if i < n {
                                    set!(dst, Value::Int(i));
                                    set!(b + 1, Value::Int(i + 1));
                                } else {
                                    jump!(off)
                                }
                            }
                            _ => throw!("internal error: bad iterator state".to_string()),
                        }
                    }
                    Instr::RangePrep { base: b, off } => {
                        let (Value::Int(start), Value::Int(end), Value::Int(step)) =
                            (r!(b), r!(b + 1), r!(b + 2))
                        else {
                            throw!(format!(
                                "range expects integer arguments, got {}, {}, {}",
                                r!(b).type_name(),
                                r!(b + 1).type_name(),
                                r!(b + 2).type_name()
                            ))
                        };
                        if step == 0 {
                            throw!("range step cannot be zero".to_string());
                        }
                        if (step > 0 && start >= end) || (step < 0 && start <= end) {
                            jump!(off);
                        } else {
                            // The loop variable lives right after the three counters.
                            set!(b + 3, Value::Int(start));
                        }
                    }
                    Instr::RangeNext { base: b, off } => {
                        if let (Value::Int(cur), Value::Int(end), Value::Int(step)) =
                            (r!(b), r!(b + 1), r!(b + 2))
                        {
                            if let Some(next) = cur.checked_add(step) {
                                if (step > 0 && next < end) || (step < 0 && next > end) {
                                    set!(b, Value::Int(next));
                                    set!(b + 3, Value::Int(next));
                                    jump!(off);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Copy `n` values from `src` down to `dst` (`dst < src`; the ranges may overlap), without a
/// call into `memmove` for the usual handful of arguments.
///
/// # Safety
/// Both ranges must lie inside one allocation of values.
#[inline(always)]
unsafe fn slide_down(dst: *mut Value, src: *const Value, n: usize) {
    if n <= 4 {
        // Forward order is safe because `dst < src`.
        for i in 0..n {
            dst.add(i).write(src.add(i).read());
        }
    } else {
        std::ptr::copy(src, dst, n);
    }
}

fn arity_message(p: &Proto, nargs: usize) -> String {
    // Methods count their arguments without `self`.
    let is_method = p.is_method;
    let n = p.arity as usize - usize::from(is_method && p.arity > 0);
    let nargs = nargs - usize::from(is_method && nargs > 0);
    let what = if p.variadic {
        format!("at least {n}")
    } else {
        n.to_string()
    };
    let noun = if n == 1 && !p.variadic {
        "argument"
    } else {
        "arguments"
    };
    format!("{} expects {what} {noun}, got {nargs}", p.name)
}

#[cold]
pub(crate) fn overflow() -> String {
    "Integer overflow".to_string()
}

/// Reword an instruction's error as the Scheme specification has it (Ruff's wording is the
/// interpreter's own).
#[cold]
pub(crate) fn scheme_wording(msg: &mut String) {
    if msg == "Integer overflow" {
        *msg = "integer overflow".to_string();
    }
}

pub(crate) fn not_callable(v: &Value) -> String {
    format!("Cannot call a value of type {}", v.type_name())
}
