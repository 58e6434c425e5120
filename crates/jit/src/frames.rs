//! The frame contract of compiled bodies, as the lowering keeps it: the running closure,
//! calls of bodies and returns from them (status, event counter, result, and the callee's
//! registers' and record's addresses), and pushing an inlined callee's frame record when
//! something may look at it.

use crate::lower::{Called, Lower, Target, CALLEE_SLOT};
use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::ir::{self, InstBuilder};
use tandem_vm::jit_hook::STATUS_DEOPT;

impl Lower<'_, '_> {
    /// Write the unit's frame's running closure (kept in a register when the unit has
    /// tail calls between regions) to its frame and its callee slot.
    pub(crate) fn sync_frame_closure(&mut self) {
        let Some(v) = self.fclo else {
            return;
        };
        let clo = self.b.use_var(v);
        let regs = self.regs();
        self.store_tagged(regs, CALLEE_SLOT, self.abi.tags.closure, clo);
        let fa = self.b.use_var(self.frame);
        self.store(clo, fa, self.abi.frame_closure);
    }

    /// The closure the current region runs.
    pub(crate) fn running_closure(&mut self) -> ir::Value {
        if let (Some(v), 0) = (self.fclo, self.regions[self.cur].depth) {
            return self.b.use_var(v);
        }
        if self.regions[self.cur].depth == 0 {
            // The frame's record (a direct call does not write the callee slot).
            let fa = self.frame_addr();
            return self.load(I64, fa, self.abi.frame_closure);
        }
        // An inlined callee's frame may not be pushed; its call set the variable.
        let v = self.regions[self.cur].parent.as_ref().expect("inlined").clo;
        self.b.use_var(v)
    }

    /// Return `status` (not `STATUS_RETURNED`) to the caller, with the event counter.
    pub(crate) fn return_status(&mut self, status: ir::Value) {
        let z = self.iconst(0);
        self.return_words(status, [z, z], [z, z]);
    }

    /// Return `status` with the event counter and a result: the two words of a value
    /// (meaningful with `STATUS_RETURNED` only). Results pass in registers: the compiled
    /// caller takes them from there, the trampoline writes them to the callee slot.
    ///
    /// The addresses of this frame's registers and of its record go back too: they are
    /// where a compiled caller's are, at a fixed distance (the caller need not reload
    /// them from the VM unless the call failed).
    pub(crate) fn return_value(&mut self, status: ir::Value, value: [ir::Value; 2]) {
        let at = if self.callable && self.loops {
            // Computed afresh: the variables need not live across the loops for this.
            self.fresh_addrs()
        } else if self.callable {
            [self.regs(), self.b.use_var(self.frame)]
        } else {
            // (Nothing then keeps them alive, across a loop, for this.)
            let z = self.iconst(0);
            [z, z]
        };
        self.return_words(status, value, at);
    }

    /// Return the status, the event counter, a value's words and two addresses.
    pub(crate) fn return_words(
        &mut self,
        status: ir::Value,
        value: [ir::Value; 2],
        at: [ir::Value; 2],
    ) {
        let cd = self.b.use_var(self.cd);
        self.b
            .ins()
            .return_(&[status, cd, value[0], value[1], at[0], at[1]]);
    }

    /// Leave for the interpreter from the exit `site` (a `deopt::Site`'s address): its
    /// address goes back with `STATUS_DEOPT` as the result's first word, and whoever
    /// returns to the interpreter (the trampoline) notes it (`deopt::note_deopt`). Compiled
    /// callers on the way pass it on.
    pub(crate) fn return_deopt(&mut self, site: usize) {
        let s = self.iconst(site as i64);
        self.return_deopt_at(s);
    }

    /// [`Lower::return_deopt`] with the site's address (or 0) computed.
    pub(crate) fn return_deopt_at(&mut self, site: ir::Value) {
        let st = self.iconst(STATUS_DEOPT as i64);
        let z = self.iconst(0);
        self.return_words(st, [site, z], [z, z]);
    }

    /// Call a compiled body with the usual arguments (vm, base, regs, frame, frame index)
    /// and the event counter; returns its status and its result's words.
    pub(crate) fn call_body(&mut self, target: Target, args: [ir::Value; 5]) -> Called {
        self.sync_frame_closure();
        let cd = self.b.use_var(self.cd);
        let [a, b, c, d, e] = args;
        let args = [a, b, c, d, e, cd];
        let inst = match target {
            Target::Body(body) => {
                let sig = self.sigs.body;
                self.b.ins().call_indirect(sig, body, &args)
            }
            Target::Own(f) => self.b.ins().call(f, &args),
        };
        let r = self.b.inst_results(inst).to_vec();
        self.b.def_var(self.cd, r[1]);
        Called {
            status: r[0],
            value: [r[2], r[3]],
            at: [r[4], r[5]],
        }
    }

    /// Tail-call the compiled body `body` (see [`Lower::call_body`]).
    pub(crate) fn tail_call_body(&mut self, body: ir::Value, args: [ir::Value; 5]) {
        let cd = self.b.use_var(self.cd);
        let sig = self.sigs.body;
        let [a, b, c, d, e] = args;
        self.b
            .ins()
            .return_call_indirect(sig, body, &[a, b, c, d, e, cd]);
    }

    /// In an inlined callee, push its VM frame, as its call would have: the caller's pc,
    /// the callee's closure (in the call's callee slot) and base, the frame count. An
    /// inlined call pushes nothing (its frame would only be seen by code that looks at
    /// frames); this runs before anything that may look: every call out of compiled code,
    /// and every exit. Doing it twice is harmless.
    pub(crate) fn materialize(&mut self) {
        if self.materialize_frame() {
            self.set_frame_count();
        }
    }

    /// [`Lower::materialize`] but the frame count, for a caller that sets it next (a
    /// direct call pushing the callee's frame). False when the region is not inlined.
    pub(crate) fn materialize_frame(&mut self) -> bool {
        let Some(p) = self.regions[self.cur].parent.as_ref() else {
            return false;
        };
        let (pr, ppc) = (p.region, p.pc);
        let abi = self.abi;
        let here = self.cur;
        self.cur = pr;
        let fa = self.frame_addr();
        self.cur = here;
        let pcv = self.b.ins().iconst(I32, ppc as i64 + 1);
        self.store(pcv, fa, abi.frame_pc);
        let nf = self.frame_addr();
        let clo = self.running_closure();
        self.store(clo, nf, abi.frame_closure);
        // Its base; not its pc, which whoever looks next sets (a helper is passed it, an
        // exit stores it), and which a second push must not undo.
        let at = self.rbase();
        let base32 = self.b.ins().ireduce(I32, at);
        self.store(base32, nf, abi.frame_base);
        true
    }

    /// The frame count once an inlined callee's frame is pushed.
    pub(crate) fn set_frame_count(&mut self) {
        let abi = self.abi;
        // At least this frame; more when a callee's frames are still above it (a callee
        // that deoptimized: the interpreter runs them first).
        let idx = self.rfidx();
        let len1 = self.b.ins().iadd_imm_s(idx, 1);
        let len = self.load(I64, self.vm, abi.vm_frames.len);
        let len2 = self.b.ins().umax(len, len1);
        self.store(len2, self.vm, abi.vm_frames.len);
    }
}
