//! Lowering of calls, tail calls and returns.
//!
//! A call of a compiled closure is a direct machine call: compiled code checks the callee
//! (a closure whose prototype takes exactly these arguments and has a compiled body), that
//! the depth limit and the value stack leave room, pushes the callee's frame itself (so
//! traces, the depth limit and the collector see it), and calls the body. Anything else
//! (natives, uncompiled or variadic callees, methods, `apply`, a full frame stack) goes
//! through `jit_call`, which runs the interpreter's call protocol. A tail call of the
//! running closure jumps back to the start; other tail calls replace the frame and use
//! `return_call`, so they run in constant native stack.

use crate::lower::Lower;
use crate::types::{Step, Ty};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I16, I32, I64, I8};
use cranelift_codegen::ir::{self, InstBuilder};
use tandem_vm::jit_helpers::FIRST_BODY;
use tandem_vm::jit_hook::{STATUS_DEOPT, STATUS_ERROR, STATUS_RETURNED};
use tandem_vm::opcode::Instr;

/// Where the checks of a call's fast path find the callee.
struct Callee {
    tag: ir::Value,
    /// The closure (its `Gc` address) when the tag says closure.
    clo: ir::Value,
}

impl Lower<'_, '_> {
    pub(crate) fn lower_call(&mut self, pc: usize, step: &Step) {
        let i = self.proto.code[pc];
        match i {
            Instr::Return { src } => {
                let s = src as usize;
                let p = self.regs();
                self.write_reg_to(s, p, -16);
                self.ret();
            }
            Instr::ReturnNull {} => {
                let p = self.regs();
                let z = self.iconst(0);
                self.store_tagged(p, -16, self.abi.tags.null, z);
                self.ret();
            }
            Instr::Call { base, n } | Instr::CallGlobal { base, n, .. } => {
                self.sync_reads(pc);
                let g = match i {
                    Instr::CallGlobal { g, .. } => Some(g),
                    _ => None,
                };
                self.call(pc, base as usize, n as usize, g);
            }
            Instr::CallMethod { base, .. } | Instr::CallList { base } => {
                self.sync_reads(pc);
                self.call_slow(pc, base as usize);
            }
            Instr::TailCall { base, n } | Instr::TailCallGlobal { base, n, .. } => {
                // The window is written to the value stack only off the self-call path.
                let g = match i {
                    Instr::TailCallGlobal { g, .. } => Some(g),
                    _ => None,
                };
                self.tail_call(pc, step, base as usize, n as usize, g);
            }
            Instr::TailCallMethod { .. } | Instr::TailCallList { .. } => {
                self.sync_reads(pc);
                self.tail_call_slow(pc);
            }
            _ => unreachable!("not a call"),
        }
    }

    /// Pop this frame and return (the value is in the callee slot already).
    fn ret(&mut self) {
        let abi = self.abi;
        self.store(self.fidx, self.vm, abi.vm_frames.len);
        if self.flow.has_try {
            let sig = self.sigs.vm_only;
            let f = self.iconst(self.helpers.drop_handlers as i64);
            self.b.ins().call_indirect(sig, f, &[self.vm]);
        }
        let z = self.iconst(STATUS_RETURNED as i64);
        self.b.ins().return_(&[z]);
    }

    /// The callee of a call window at `cb`: a global's value, or the register.
    fn callee(&mut self, cb: usize, g: Option<u32>) -> (Callee, Option<ir::Value>) {
        match g {
            Some(g) => {
                let gp = self.load(I64, self.vm, self.abi.vm_globals.ptr);
                let off = self.iconst(16 * g as i64);
                let slot = self.b.ins().iadd(gp, off);
                let tag = self.load(I8, slot, 0);
                let clo = self.load(I64, slot, 8);
                (Callee { tag, clo }, Some(slot))
            }
            None => {
                let tag = self.mem_tag(cb);
                let clo = self.mem_bits(cb, I64);
                (Callee { tag, clo }, None)
            }
        }
    }

    /// Branch to `slow` unless the callee is a closure taking exactly `n` arguments with
    /// a compiled body; returns its prototype's address, its body and its register count.
    /// A callee known when compiling (`Spec::known`) is checked by its prototype only,
    /// and the rest are constants.
    fn check_callee(
        &mut self,
        pc: usize,
        c: &Callee,
        n: usize,
        slow: ir::Block,
    ) -> (ir::Value, ir::Value, ir::Value) {
        let abi = self.abi;
        let ok = self.tag_is(c.tag, abi.tags.closure);
        let k1 = self.b.create_block();
        self.b.ins().brif(ok, k1, &[], slow, &[]);
        self.b.switch_to_block(k1);
        let rc = self.load(I64, c.clo, abi.closure_proto);
        let (proto, nregs) = match self.spec.known.get(&(pc as u32)).copied() {
            Some(k) => {
                let same = self.b.ins().icmp_imm_s(IntCC::Equal, rc, k.rc_word as i64);
                let k2 = self.b.create_block();
                self.b.ins().brif(same, k2, &[], slow, &[]);
                self.b.switch_to_block(k2);
                let proto = self.iconst(k.proto as i64);
                (proto, self.iconst(k.nregs as i64))
            }
            None => {
                let proto = self.b.ins().iadd_imm_s(rc, abi.rc_to_value as i64);
                let arity = self.load(I32, proto, abi.proto_call_arity);
                let ok = self.b.ins().icmp_imm_s(IntCC::Equal, arity, n as i64);
                let k2 = self.b.create_block();
                self.b.ins().brif(ok, k2, &[], slow, &[]);
                self.b.switch_to_block(k2);
                let nregs = self.load(I16, proto, abi.proto_nregs);
                (proto, self.b.ins().uextend(I64, nregs))
            }
        };
        let body = self.load(I64, proto, abi.proto_entry);
        let k3 = self.b.create_block();
        self.b.ins().brif(body, k3, &[], slow, &[]);
        self.b.switch_to_block(k3);
        (proto, body, nregs)
    }

    /// Branch to `slow` unless the value stack has room for `nregs` registers at `at` (an
    /// index); returns `at + nregs`.
    fn check_room(&mut self, nregs: ir::Value, at: ir::Value, slow: ir::Block) -> ir::Value {
        let top = self.b.ins().iadd(at, nregs);
        let slen = self.load(I64, self.vm, self.abi.vm_stack.len);
        let ok = self.b.ins().icmp(IntCC::UnsignedLessThan, top, slen);
        let k = self.b.create_block();
        self.b.ins().brif(ok, k, &[], slow, &[]);
        self.b.switch_to_block(k);
        top
    }

    /// The address of this function's frame.
    fn frame_addr(&mut self) -> ir::Value {
        let fp = self.load(I64, self.vm, self.abi.vm_frames.ptr);
        let off = self
            .b
            .ins()
            .imul_imm_s(self.fidx, self.abi.frame_size as i64);
        self.b.ins().iadd(fp, off)
    }

    /// A non-tail call of the window at `cb` with `n` arguments (of global `g`).
    fn call(&mut self, pc: usize, cb: usize, n: usize, g: Option<u32>) {
        let abi = self.abi;
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let done = self.b.create_block();
        let (c, gslot) = self.callee(cb, g);
        let (_, body, nregs) = self.check_callee(pc, &c, n, slow);
        // Depth limit and room for a frame.
        let len = self.load(I64, self.vm, abi.vm_frames.len);
        let lim = self.load(I64, self.vm, abi.vm_frame_limit);
        let ok = self.b.ins().icmp(IntCC::UnsignedLessThan, len, lim);
        let k = self.b.create_block();
        self.b.ins().brif(ok, k, &[], slow, &[]);
        self.b.switch_to_block(k);
        let at = self.b.ins().iadd_imm_s(self.base, cb as i64 + 1);
        let top = self.check_room(nregs, at, slow);
        // The callee slot holds the closure (it roots it and tells its frame its closure).
        if let Some(slot) = gslot {
            let p = self.regs();
            self.copy_value(slot, 0, p, Self::reg_off(cb));
        }
        // This frame's pc (for traces), then the callee's frame.
        let fa = self.frame_addr();
        let pcv = self.b.ins().iconst(I32, pc as i64 + 1);
        self.store(pcv, fa, abi.frame_pc);
        let fp = self.load(I64, self.vm, abi.vm_frames.ptr);
        let off = self.b.ins().imul_imm_s(len, abi.frame_size as i64);
        let nf = self.b.ins().iadd(fp, off);
        self.store(c.clo, nf, abi.frame_closure);
        let zero = self.b.ins().iconst(I32, 0);
        self.store(zero, nf, abi.frame_pc);
        let at32 = self.b.ins().ireduce(I32, at);
        self.store(at32, nf, abi.frame_base);
        let len1 = self.b.ins().iadd_imm_s(len, 1);
        self.store(len1, self.vm, abi.vm_frames.len);
        let hw = self.load(I64, self.vm, abi.vm_high_water);
        let hw2 = self.b.ins().umax(hw, top);
        self.store(hw2, self.vm, abi.vm_high_water);
        let sig = self.sigs.body;
        let inst = self.b.ins().call_indirect(sig, body, &[self.vm, at]);
        let status = self.b.inst_results(inst)[0];
        self.reload_regs();
        self.after_call(pc, cb, status, done);
        // The slow path: the interpreter's call protocol.
        self.b.switch_to_block(slow);
        let status = self.helper(self.helpers.call, pc);
        self.after_call(pc, cb, status, done);
        self.b.switch_to_block(done);
    }

    /// A call through `jit_call` only (methods, `apply`).
    fn call_slow(&mut self, pc: usize, cb: usize) {
        let done = self.b.create_block();
        let status = self.helper(self.helpers.call, pc);
        self.after_call(pc, cb, status, done);
        self.b.switch_to_block(done);
    }

    /// Continue at `done` when `status` says the callee returned; else leave: an error,
    /// or hand this frame to the interpreter after the call (the callee's frames went
    /// first). Registers from `cb` up are the callee's: not written back.
    fn after_call(&mut self, pc: usize, cb: usize, status: ir::Value, done: ir::Block) {
        let bad = self.b.create_block();
        self.b.set_cold_block(bad);
        self.b.ins().brif(status, bad, &[], done, &[]);
        self.b.switch_to_block(bad);
        let is_err = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, status, STATUS_ERROR as i64);
        let eb = self.error_block_at(cb, Some(pc + 1));
        let deopt = self.resume_block(pc + 1, cb);
        self.b.ins().brif(is_err, eb, &[], deopt, &[]);
    }

    /// A block that hands this frame to the interpreter at `resume` because a callee did
    /// (not a failure of this code): write back, set the pc, return `STATUS_DEOPT`.
    fn resume_block(&mut self, resume: usize, below: usize) -> ir::Block {
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.pending.push(crate::lower::Pending::Resume {
            block,
            resume,
            state: self.st.clone(),
            below,
        });
        block
    }

    /// A tail call of the window at `cb` with `n` arguments (of global `g`).
    fn tail_call(&mut self, pc: usize, step: &Step, cb: usize, n: usize, g: Option<u32>) {
        let abi = self.abi;
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let unsynced = self.st.clone();
        let (c, gslot) = self.callee(cb, g);
        let is_clo = self.tag_is(c.tag, abi.tags.closure);
        let k0 = self.b.create_block();
        self.b.ins().brif(is_clo, k0, &[], slow, &[]);
        self.b.switch_to_block(k0);
        if self.spec.self_tail.contains(&(pc as u32)) {
            // The running closure itself: move the arguments into the parameters and
            // loop back to the start.
            let p = self.regs();
            let cur = self.load(I64, p, -8);
            let me = self.b.ins().icmp(IntCC::Equal, c.clo, cur);
            let self_b = self.b.create_block();
            let other = self.b.create_block();
            self.b.ins().brif(me, self_b, &[], other, &[]);
            self.b.switch_to_block(self_b);
            self.self_tail_call(pc, step, cb, n);
            self.b.switch_to_block(other);
        }
        // Leaving for another function: its arguments go to the value stack (on the
        // slow path too, which the sync below dominates).
        self.sync_reads(pc);
        let (_, body, nregs) = self.check_callee(pc, &c, n, slow);
        let _ = self.check_room(nregs, self.base, slow);
        // Replace the frame: callee slot, arguments slid down, the frame's closure.
        let p = self.regs();
        match gslot {
            Some(slot) => self.copy_value(slot, 0, p, -16),
            None => self.copy_value(p, Self::reg_off(cb), p, -16),
        }
        for k in 0..n {
            let p = self.regs();
            self.copy_value(p, Self::reg_off(cb + 1 + k), p, Self::reg_off(k));
        }
        let fa = self.frame_addr();
        self.store(c.clo, fa, abi.frame_closure);
        let sig = self.sigs.body;
        self.b
            .ins()
            .return_call_indirect(sig, body, &[self.vm, self.base]);
        // The slow path is reached before the window was synced too: write it (again).
        self.b.switch_to_block(slow);
        let synced = std::mem::replace(&mut self.st, unsynced);
        self.spill_reads(pc);
        self.st = synced;
        self.tail_call_slow(pc);
    }

    /// The arguments of a self tail call become the parameters; jump to pc 0.
    fn self_tail_call(&mut self, pc: usize, step: &Step, cb: usize, n: usize) {
        // Read every argument before writing any parameter (they may overlap).
        let mut vals = Vec::with_capacity(n);
        for k in 0..n {
            let a = cb + 1 + k;
            let ty = self.st[a].ty;
            let v = if ty == Ty::Any {
                let p = self.regs();
                let w0 = self.load(I64, p, Self::reg_off(a));
                let w1 = self.load(I64, p, Self::reg_off(a) + 8);
                (Some((w0, w1)), None)
            } else {
                (None, Some(self.unboxed(a, ty)))
            };
            vals.push((ty, v));
        }
        for (k, (ty, v)) in vals.into_iter().enumerate() {
            match v {
                (Some((w0, w1)), _) => {
                    let p = self.regs();
                    self.store(w0, p, Self::reg_off(k));
                    self.store(w1, p, Self::reg_off(k) + 8);
                }
                (_, Some(x)) => {
                    let var = if ty == Ty::Float {
                        self.vf[k]
                    } else {
                        self.vi[k]
                    };
                    self.b.def_var(var, x);
                }
                _ => unreachable!(),
            }
        }
        self.goto(pc, 0, &step.jump);
    }

    /// A tail call through `jit_tail_call`: continue with the body it returns, or return
    /// its status (the frame is the callee's now, or popped, or it raised an error).
    fn tail_call_slow(&mut self, pc: usize) {
        let r = self.helper(self.helpers.tail_call, pc);
        let is_body =
            self.b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, r, FIRST_BODY as i64);
        let go = self.b.create_block();
        let ret = self.b.create_block();
        self.b.ins().brif(is_body, go, &[], ret, &[]);
        self.b.switch_to_block(go);
        let sig = self.sigs.body;
        self.b
            .ins()
            .return_call_indirect(sig, r, &[self.vm, self.base]);
        self.b.switch_to_block(ret);
        let _ = (STATUS_DEOPT, STATUS_RETURNED);
        self.b.ins().return_(&[r]);
    }
}
