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

use crate::lower::{Lower, Target};
use crate::types::{Step, Ty};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F64, I16, I32, I64, I8};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData};
use tandem_vm::jit_helpers::{InlineCache, FIRST_BODY};
use tandem_vm::jit_hook::{STATUS_ERROR, STATUS_RETURNED};
use tandem_vm::native::Intrinsic;
use tandem_vm::opcode::Instr;

/// Where a value to unbox is (`Lower::unbox_found`).
#[derive(Clone, Copy)]
enum Found {
    /// In its register's slot of the value stack already.
    InPlace,
    /// At this address (an element, a field).
    At(ir::Value),
    /// In these two words (a compiled callee's result).
    Words([ir::Value; 2]),
}

/// How an inlined call finds its callee.
#[derive(Clone, Copy)]
enum Via {
    /// A global's value.
    Global(u32),
    /// The receiver's struct type's method (`Spec::methods`).
    Method,
}

/// Where a direct call's callee came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum From {
    /// A register (the call window's callee slot holds it already).
    Register,
    /// A global (checked at the call).
    Global,
    /// A global checked at the unit's entry (`Spec::stable`): no check at the call.
    Stable,
}

/// Where the checks of a call's fast path find the callee.
struct Callee {
    tag: ir::Value,
    /// The closure (its `Gc` address) when the tag says closure.
    clo: ir::Value,
}

impl Lower<'_, '_> {
    pub(crate) fn lower_call(&mut self, pc: usize, step: &Step) {
        let i = self.proto().code[pc];
        match i {
            Instr::Return { src } => {
                let s = src as usize;
                if self.regions[self.cur].parent.is_some() {
                    self.inline_return(Some(s));
                    return;
                }
                let v = self.value_words(s);
                self.ret(v);
            }
            Instr::ReturnNull {} => {
                if self.regions[self.cur].parent.is_some() {
                    self.inline_return(None);
                    return;
                }
                let t = self.iconst(self.abi.tags.null as i64);
                let z = self.iconst(0);
                self.ret([t, z]);
            }
            Instr::Call { base, n } | Instr::CallGlobal { base, n, .. } => {
                // An inlined callee takes its unboxed arguments as they are (its slow
                // path writes them).
                if !self.spec().inline.contains_key(&(pc as u32)) {
                    self.sync_reads(pc);
                }
                let g = match i {
                    Instr::CallGlobal { g, .. } => Some(g),
                    _ => None,
                };
                self.call(pc, base as usize, n as usize, g);
            }
            Instr::CallMethod { base, n, .. } => {
                match self.spec().inline.get(&(pc as u32)).copied() {
                    // The receiver is the callee's first argument.
                    Some(q) => self.inline_call(pc, base as usize, n as usize + 1, Via::Method, q),
                    None => {
                        self.sync_reads(pc);
                        self.method_call(pc, base as usize, n as usize);
                    }
                }
            }
            Instr::CallList { base } => {
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
                if self.regions[self.cur].parent.is_some() {
                    self.inline_tail_call(pc);
                } else {
                    self.tail_call_slow(pc);
                }
            }
            _ => unreachable!("not a call"),
        }
    }

    /// Register `r` as the two words of a value.
    fn value_words(&mut self, r: usize) -> [ir::Value; 2] {
        if self.st[r].ty == Ty::Any {
            let p = self.regs();
            return self.load_words(p, self.roff(r));
        }
        let v = self.tagged(r);
        [self.b.ins().uextend(I64, v.tag), v.bits]
    }

    /// Pop this frame and return `value` (in registers).
    fn ret(&mut self, value: [ir::Value; 2]) {
        let abi = self.abi;
        let f = self.rfidx();
        self.store(f, self.vm, abi.vm_frames.len);
        if self.flow().has_try {
            let sig = self.sigs.vm_only;
            let f = self.iconst(self.helpers.drop_handlers as i64);
            self.b.ins().call_indirect(sig, f, &[self.vm]);
        }
        let z = self.iconst(STATUS_RETURNED as i64);
        self.return_value(z, value);
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

    /// The closure a call at `pc` of global `g` calls, when the global was checked at the
    /// unit's entry and nothing in the unit can change it (`Spec::stable`).
    fn stable_callee(&mut self, pc: usize, g: Option<u32>) -> Option<ir::Value> {
        let g = g?;
        let var = *self.stable.as_ref()?.get(&g)?;
        let spec = self.spec();
        (spec.stable.contains(&g) && spec.known.contains_key(&(pc as u32)))
            .then(|| self.b.use_var(var))
    }

    /// Whether the call at `pc` (window `cb`, `n` arguments) of a stable global calls
    /// the unit's own function (entered at its start): then it calls this very code, and
    /// with `true` also does the entry's checks for it (`lower::SELF_ENTRY`): the
    /// arguments have, when compiling, the types the entry speculates.
    fn own_call(&self, pc: usize, cb: usize, n: usize) -> Option<(ir::FuncRef, bool)> {
        let (f, entry) = self.own.as_ref()?;
        let k = self.spec().known.get(&(pc as u32))?;
        if k.proto != std::ptr::from_ref(self.regions[0].proto) as usize {
            return None;
        }
        let typed = entry.iter().enumerate().all(|(r, slot)| {
            slot.ty == Ty::Any
                || (r < n && self.st.get(cb + 1 + r).is_some_and(|a| a.ty == slot.ty))
        });
        Some((*f, typed))
    }

    /// Branch to `slow` unless the callee is a closure taking exactly `n` arguments with
    /// a compiled body; returns its prototype's address, its body and its register count.
    /// A callee known when compiling (`Spec::known`) is checked by its prototype only
    /// (not at all when `checked`: a stable global's, checked at entry), and the rest are
    /// constants.
    fn check_callee(
        &mut self,
        pc: usize,
        c: &Callee,
        n: usize,
        checked: bool,
        slow: ir::Block,
    ) -> (ir::Value, ir::Value, ir::Value) {
        let abi = self.abi;
        let known = self.spec().known.get(&(pc as u32)).copied();
        let (proto, nregs) = match known {
            Some(k) if checked => {
                let proto = self.iconst(k.proto as i64);
                (proto, self.iconst(k.nregs as i64))
            }
            _ => self.check_callee_proto(c, n, known, slow),
        };
        let body = self.load(I64, proto, abi.proto_entry);
        let k3 = self.b.create_block();
        self.b.ins().brif(body, k3, &[], slow, &[]);
        self.b.switch_to_block(k3);
        (proto, body, nregs)
    }

    /// Branch to `slow` unless the callee is a closure of the prototype `known` (of any
    /// prototype taking `n` arguments when not known); returns the prototype's address
    /// and its register count.
    fn check_callee_proto(
        &mut self,
        c: &Callee,
        n: usize,
        known: Option<crate::types::Known>,
        slow: ir::Block,
    ) -> (ir::Value, ir::Value) {
        let abi = self.abi;
        let ok = self.tag_is(c.tag, abi.tags.closure);
        let k1 = self.b.create_block();
        self.b.ins().brif(ok, k1, &[], slow, &[]);
        self.b.switch_to_block(k1);
        let rc = self.load(I64, c.clo, abi.closure_proto);
        match known {
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
        }
    }

    /// Branch to `slow` unless the value stack has room for `nregs` registers at `at` (an
    /// index). See [`Lower::reserve`].
    fn check_room(&mut self, nregs: ir::Value, at: ir::Value, slow: ir::Block) {
        let top = self.b.ins().iadd(at, nregs);
        self.reserve(top, slow);
    }

    /// A non-tail call of the window at `cb` with `n` arguments (of global `g`).
    fn call(&mut self, pc: usize, cb: usize, n: usize, g: Option<u32>) {
        if let (Some(&q), Some(g)) = (self.spec().inline.get(&(pc as u32)), g) {
            self.inline_call(pc, cb, n, Via::Global(g), q);
            return;
        }
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let done = self.b.create_block();
        // A result of a known type goes from a compiled callee's registers straight to
        // its variable (the value stack need not hold it: `types::plan`), then to `cont`.
        let ret = self.spec().call_ret.get(&(pc as u32)).copied();
        let cont = self.b.create_block();
        let typed = ret.map(|ty| (ty, cont));
        match self.stable_callee(pc, g) {
            Some(clo) => {
                let tag = self.b.ins().iconst(I8, self.abi.tags.closure as i64);
                let c = Callee { tag, clo };
                self.direct_call(pc, cb, n, &c, From::Stable, typed, slow, done);
            }
            None => {
                let (c, gslot) = self.callee(cb, g);
                let native = self.spec().natives.get(&(pc as u32)).copied();
                match self.spec().intrinsics.get(&(pc as u32)).copied() {
                    Some((id, k)) => self.intrinsic(cb, &c, id, k, slow, done),
                    None if native.is_some() && gslot.is_some() => {
                        let id = native.expect("checked");
                        self.native_call(pc, cb, n, &c, id, slow, done)
                    }
                    None => {
                        let from = match gslot {
                            Some(_) => From::Global,
                            None => From::Register,
                        };
                        self.direct_call(pc, cb, n, &c, from, typed, slow, done)
                    }
                }
            }
        }
        // The slow path: the interpreter's call protocol.
        self.b.switch_to_block(slow);
        let status = self.helper(self.helpers.call, pc);
        self.after_call(pc, cb, status, None, done);
        self.b.switch_to_block(done);
        match ret {
            Some(ty) => self.expect_result(pc, cb, ty),
            None => self.expect_load(pc, cb, true),
        }
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// The result of the call at `pc` (in `R[cb]`) must have type `ty`, as the callee's
    /// returns give: unbox it, or deoptimize after the call.
    fn expect_result(&mut self, pc: usize, cb: usize, ty: Ty) {
        let after = self.after_load(cb, true);
        self.unbox_found(
            pc,
            cb,
            ty,
            Found::InPlace,
            after,
            crate::deopt::Reason::Result,
        );
    }

    /// After a load at `pc` into `R[dst]` (a call's window from `dst` up, when `call`)
    /// that a hint gives a type (`Spec::loads`, as `types::plan` decides): check it and
    /// unbox it, or deoptimize after the load.
    pub(crate) fn expect_load(&mut self, pc: usize, dst: usize, call: bool) {
        let Some(ty) = self.load_hint(pc) else {
            return;
        };
        let after = self.after_load(dst, call);
        let reason = crate::deopt::Reason::Element;
        self.unbox_found(pc, dst, ty, Found::InPlace, after, reason);
    }

    /// The type a hint gives the load at `pc`, where `types::plan` speculates on it.
    pub(crate) fn load_hint(&self, pc: usize) -> Option<Ty> {
        let spec = self.spec();
        let p = pc as u32;
        let ty = spec.loads.get(&p).copied()?;
        (!spec.none && !spec.generic.contains(&p)).then_some(ty)
    }

    /// The state after a load into `R[dst]` (a call's window from `dst` up, when `call`)
    /// that left its result in the value stack.
    fn after_load(&self, dst: usize, call: bool) -> crate::types::State {
        let mut after = self.st.clone();
        for (r, slot) in after.iter_mut().enumerate().skip(dst) {
            if call || r == dst {
                *slot = crate::types::Slot::ANY;
            }
        }
        after
    }

    /// The fast path of a hinted load (of type `ty`, at `pc`) of the value at `at` into
    /// `R[dst]`: unboxed straight from where it is when its tag is `ty`'s; else it goes to
    /// the value stack and the frame deoptimizes after the load.
    pub(crate) fn load_unboxed(&mut self, pc: usize, dst: usize, ty: Ty, at: ir::Value) {
        let after = self.after_load(dst, false);
        let reason = crate::deopt::Reason::Element;
        self.unbox_found(pc, dst, ty, Found::At(at), after, reason);
    }

    /// The payload of the value at `p + off`, known to have type `ty`, unboxed.
    pub(crate) fn payload(&mut self, p: ir::Value, off: i32, ty: Ty) -> ir::Value {
        match ty {
            Ty::Float => self.load(F64, p, off + 8),
            Ty::Bool => {
                let b = self.load(I8, p, off + 8);
                self.b.ins().uextend(I64, b)
            }
            _ => self.load(I64, p, off + 8),
        }
    }

    /// The new value of `R[dst]`, made by the instruction at `pc` and `found` where it
    /// says, must have type `ty`: unbox it into the register's variable; else it goes to
    /// the value stack (unless it is there already) and the frame deoptimizes after the
    /// instruction, in state `after`, for `reason`.
    fn unbox_found(
        &mut self,
        pc: usize,
        dst: usize,
        ty: Ty,
        found: Found,
        after: crate::types::State,
        reason: crate::deopt::Reason,
    ) {
        let tag = match found {
            Found::InPlace => self.mem_tag(dst),
            Found::At(at) => self.load(I8, at, 0),
            Found::Words(v) => self.b.ins().ireduce(I8, v[0]),
        };
        let ok = self.tag_is(tag, self.tag_of_ty(ty));
        // After the instruction: where a record access that found its field goes on.
        let resume = match self.proto().code[pc] {
            i @ tandem_vm::opcode::Instr::RecGet { .. } => {
                crate::flow::jump_target(pc, &i).expect("a jump")
            }
            _ => pc + 1,
        };
        let fail = self.deopt_block_with(resume, reason, usize::MAX, after);
        let k = self.b.create_block();
        match found {
            Found::InPlace => {
                self.b.ins().brif(ok, k, &[], fail, &[]);
            }
            Found::At(_) | Found::Words(_) => {
                let miss = self.b.create_block();
                self.b.set_cold_block(miss);
                self.b.ins().brif(ok, k, &[], miss, &[]);
                self.b.switch_to_block(miss);
                let p = self.regs();
                let off = self.roff(dst);
                match found {
                    Found::At(at) => self.copy_value(at, 0, p, off),
                    Found::Words(v) => self.store_words(v, p, off),
                    Found::InPlace => unreachable!(),
                }
                self.b.ins().jump(fail, &[]);
            }
        }
        self.b.switch_to_block(k);
        let v = match found {
            Found::InPlace => self.load_typed(dst, ty),
            Found::At(at) => self.payload(at, 0, ty),
            Found::Words(v) => self.payload_of_word(v[1], ty),
        };
        self.b.def_var(self.var_of(dst, ty), v);
    }

    /// The unboxed value of type `ty` whose payload word is `w`.
    fn payload_of_word(&mut self, w: ir::Value, ty: Ty) -> ir::Value {
        match ty {
            Ty::Float => self.b.ins().bitcast(F64, MemFlagsData::new(), w),
            Ty::Bool => self.b.ins().band_imm_u(w, 0xff),
            _ => w,
        }
    }

    /// A method call `R[cb+1].K[k](...)` with `n` arguments: a struct method its inline
    /// cache knows is called directly (the object is its `self`); anything else, and a
    /// miss (which fills the cache), goes through `jit_call`.
    fn method_call(&mut self, pc: usize, cb: usize, n: usize) {
        let abi = self.abi;
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let miss = self.b.create_block();
        self.b.set_cold_block(miss);
        let done = self.b.create_block();
        let cache = self.sites.cache() as i64;
        let cp = self.iconst(cache);
        let tag = self.mem_tag(cb + 1);
        let is_struct = self.tag_is(tag, abi.tags.strukt);
        let k1 = self.b.create_block();
        self.b.ins().brif(is_struct, k1, &[], miss, &[]);
        self.b.switch_to_block(k1);
        let inst = self.mem_bits(cb + 1, I64);
        let ty = self.load(I64, inst, abi.instance_ty);
        let id = self.load(I64, ty, abi.struct_type_id);
        let cid = self.load(I64, cp, InlineCache::TYPE_ID);
        let hit = self.b.ins().icmp(IntCC::Equal, id, cid);
        let k2 = self.b.create_block();
        self.b.ins().brif(hit, k2, &[], miss, &[]);
        self.b.switch_to_block(k2);
        // The method becomes the callee; the object stays, as `self`.
        let p = self.regs();
        self.copy_value(cp, InlineCache::METHOD, p, self.roff(cb));
        let c = Callee {
            tag: self.load(I8, cp, InlineCache::METHOD),
            clo: self.load(I64, cp, InlineCache::METHOD + 8),
        };
        self.direct_call(pc, cb, n + 1, &c, From::Register, None, slow, done);
        self.b.switch_to_block(miss);
        self.materialize();
        let pcv = self.b.ins().iconst(I32, pc as i64);
        let sig = self.sigs.cache;
        let f = self.iconst(self.helpers.method_cache as i64);
        self.b.ins().call_indirect(sig, f, &[self.vm, pcv, cp]);
        self.b.ins().jump(slow, &[]);
        self.b.switch_to_block(slow);
        let status = self.helper(self.helpers.call, pc);
        self.after_call(pc, cb, status, None, done);
        self.b.switch_to_block(done);
    }

    /// The direct call of closure `c` (`from` a register, `R[cb]`, or a global) with `n`
    /// arguments, continuing at `done` (at the block of `typed`
    /// when the result is unboxed to that type), or `slow` when it is not a compiled
    /// closure taking them or there is no room.
    #[allow(clippy::too_many_arguments)]
    fn direct_call(
        &mut self,
        pc: usize,
        cb: usize,
        n: usize,
        c: &Callee,
        from: From,
        typed: Option<(Ty, ir::Block)>,
        slow: ir::Block,
        done: ir::Block,
    ) {
        let abi = self.abi;
        // The frame count is set below (the slow path's helper sets it itself).
        self.materialize_frame();
        let checked = from == From::Stable;
        let own = if checked {
            self.own_call(pc, cb, n)
        } else {
            None
        };
        let (target, nregs) = match own {
            // This very function: its entry's checks done here when `flag`, else by it.
            Some((f, flag)) => {
                let nregs = match flag {
                    true => self.unit_nregs(),
                    false => self.regions[0].proto.nregs as usize,
                };
                (Target::Own(f), self.iconst(nregs as i64))
            }
            None => {
                let (_, body, nregs) = self.check_callee(pc, c, n, checked, slow);
                (Target::Body(body), nregs)
            }
        };
        // Depth limit and room for a frame (this frame is the top one).
        let fidx = self.rfidx();
        let len = self.b.ins().iadd_imm_s(fidx, 1);
        let lim = self.load(I64, self.vm, abi.vm_frame_limit);
        let ok = self.b.ins().icmp(IntCC::UnsignedLessThan, len, lim);
        let k = self.b.create_block();
        self.b.ins().brif(ok, k, &[], slow, &[]);
        self.b.switch_to_block(k);
        let rbase = self.rbase();
        let at = self.b.ins().iadd_imm_s(rbase, cb as i64 + 1);
        self.check_room(nregs, at, slow);
        // The callee's frame holds its closure (which roots it: the collector marks every
        // frame's closure); its callee slot is left as it is, since nothing reads it
        // before the callee's result goes there.
        // This frame's pc (for traces), then the callee's frame.
        let fa = self.frame_addr();
        let pcv = self.b.ins().iconst(I32, pc as i64 + 1);
        self.store(pcv, fa, abi.frame_pc);
        let nf = self.b.ins().iadd_imm_s(fa, abi.frame_size as i64);
        self.store(c.clo, nf, abi.frame_closure);
        // The base and pc 0, in one word (`Frame` is `repr(C)`: base, then pc; the base,
        // a stack index, fits in 32 bits).
        debug_assert_eq!(abi.frame_pc, abi.frame_base + 4);
        self.store(at, nf, abi.frame_base);
        let len1 = self.b.ins().iadd_imm_s(len, 1);
        self.store(len1, self.vm, abi.vm_frames.len);
        // The callee's registers, frame address and index follow from this frame's.
        let cregs = {
            let p = self.regs();
            let off = self.roff(cb + 1) as i64;
            self.b.ins().iadd_imm_s(p, off)
        };
        let cfidx = self.b.ins().iadd_imm_s(fidx, 1);
        let cfidx = match own {
            Some((_, true)) => self.b.ins().bor_imm_s(cfidx, crate::lower::SELF_ENTRY),
            _ => cfidx,
        };
        let called = self.call_body(target, [self.vm, at, cregs, nf, cfidx]);
        // A callee that returned gives its registers' and record's addresses: this
        // frame's are at fixed distances below (`after_call` reloads them otherwise).
        let below = (self.regions[self.cur].reg_base + cb + 1) as i64 * 16;
        let regs = self.b.ins().iadd_imm_s(called.at[0], -below);
        self.b.def_var(self.regs, regs);
        let depth = self.regions[self.cur].depth as i64 + 1;
        let frame = self
            .b
            .ins()
            .iadd_imm_s(called.at[1], -depth * abi.frame_size as i64);
        self.b.def_var(self.frame, frame);
        let back = self.b.create_block();
        self.after_call(pc, cb, called.status, Some(called.value[0]), back);
        self.b.switch_to_block(back);
        match typed {
            Some((ty, cont)) if own.is_some() && self.own_ret == Some(ty) => {
                // This very code returned: every return of it gives `ty`.
                let v = self.payload_of_word(called.value[1], ty);
                self.b.def_var(self.var_of(cb, ty), v);
                self.b.ins().jump(cont, &[]);
            }
            Some((ty, cont)) => {
                // A compiled callee's result, from registers.
                let after = self.after_load(cb, true);
                let (found, reason) = (Found::Words(called.value), crate::deopt::Reason::Result);
                self.unbox_found(pc, cb, ty, found, after, reason);
                self.b.ins().jump(cont, &[]);
            }
            None => {
                let p = self.regs();
                self.store_words(called.value, p, self.roff(cb));
                self.b.ins().jump(done, &[]);
            }
        }
    }

    /// A call through `jit_call` only (methods, `apply`).
    fn call_slow(&mut self, pc: usize, cb: usize) {
        let done = self.b.create_block();
        let status = self.helper(self.helpers.call, pc);
        self.after_call(pc, cb, status, None, done);
        self.b.switch_to_block(done);
    }

    /// Continue at `done` when `status` says the callee returned; else leave: an error,
    /// or hand this frame to the interpreter after the call (the callee's frames went
    /// first). Registers from `cb` up are the callee's: not written back.
    ///
    /// `site` is the exit a compiled callee left by (`Lower::return_deopt`), passed on;
    /// none for a helper's status.
    fn after_call(
        &mut self,
        pc: usize,
        cb: usize,
        status: ir::Value,
        site: Option<ir::Value>,
        done: ir::Block,
    ) {
        let bad = self.b.create_block();
        self.b.set_cold_block(bad);
        self.b.ins().brif(status, bad, &[], done, &[]);
        self.b.switch_to_block(bad);
        if site.is_some() {
            // A compiled callee that did not return gave no addresses.
            self.reload_regs();
        }
        let is_err = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, status, STATUS_ERROR as i64);
        let eb = self.error_block_at(cb, Some(pc + 1));
        let deopt = self.resume_block(pc + 1, cb);
        let site = site.unwrap_or_else(|| self.iconst(0));
        self.b
            .ins()
            .brif(is_err, eb, &[], deopt, &[ir::BlockArg::Value(site)]);
    }

    /// A block that hands this frame to the interpreter at `resume` because a callee did
    /// (not a failure of this code): write back, set the pc, return `STATUS_DEOPT`.
    fn resume_block(&mut self, resume: usize, below: usize) -> ir::Block {
        let (block, _) = self.block_with_param(I64);
        self.b.set_cold_block(block);
        self.pending.push((
            self.cur,
            crate::lower::Pending::Resume {
                block,
                resume,
                state: self.st.clone(),
                below,
            },
        ));
        block
    }

    /// A tail call of the window at `cb` with `n` arguments (of global `g`).
    fn tail_call(&mut self, pc: usize, step: &Step, cb: usize, n: usize, g: Option<u32>) {
        let abi = self.abi;
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let unsynced = self.st.clone();
        // The unit's globals checked at entry: no check here.
        if let (Some(gg), Some(clos)) = (g, self.stable.clone()) {
            let pc32 = pc as u32;
            if self.spec().stable.contains(&gg) {
                if self.stable_self(pc) {
                    self.self_tail_call(pc, step, cb, n);
                    return;
                }
                if let Some(&to) = self.spec().cross.get(&pc32) {
                    let clo = self.b.use_var(clos[&gg]);
                    self.cross_tail_call(cb, n, clo, to);
                    return;
                }
            }
        }
        let (c, gslot) = self.callee(cb, g);
        let is_clo = self.tag_is(c.tag, abi.tags.closure);
        let k0 = self.b.create_block();
        self.b.ins().brif(is_clo, k0, &[], slow, &[]);
        self.b.switch_to_block(k0);
        if self.spec().self_tail.contains(&(pc as u32)) {
            // The running closure itself: move the arguments into the parameters and
            // loop back to the start.
            let cur = self.running_closure();
            let me = self.b.ins().icmp(IntCC::Equal, c.clo, cur);
            let self_b = self.b.create_block();
            let other = self.b.create_block();
            self.b.ins().brif(me, self_b, &[], other, &[]);
            self.b.switch_to_block(self_b);
            self.self_tail_call(pc, step, cb, n);
            self.b.switch_to_block(other);
        }
        if let Some(&to) = self.spec().cross.get(&(pc as u32)) {
            // Another region of this unit: check the callee's prototype and jump there.
            let k = self.spec().known[&(pc as u32)];
            let rc = self.load(I64, c.clo, abi.closure_proto);
            let same = self.b.ins().icmp_imm_s(IntCC::Equal, rc, k.rc_word as i64);
            let cross = self.b.create_block();
            let other = self.b.create_block();
            self.b.ins().brif(same, cross, &[], other, &[]);
            self.b.switch_to_block(cross);
            self.cross_tail_call(cb, n, c.clo, to);
            self.b.switch_to_block(other);
        }
        if self.regions[self.cur].parent.is_some() {
            // In an inlined callee: call, and return what it returns to the caller.
            self.b.ins().jump(slow, &[]);
            self.b.switch_to_block(slow);
            let synced = std::mem::replace(&mut self.st, unsynced);
            self.spill_reads(pc);
            self.st = synced;
            self.inline_tail_call(pc);
            return;
        }
        // Leaving for another function: its arguments go to the value stack (on the
        // slow path too, which the sync below dominates).
        self.sync_reads(pc);
        let (_, body, nregs) = self.check_callee(pc, &c, n, false, slow);
        let rbase = self.rbase();
        self.check_room(nregs, rbase, slow);
        // Replace the frame: callee slot, arguments slid down, the frame's closure.
        let p = self.regs();
        match gslot {
            Some(slot) => self.copy_value(slot, 0, p, self.slot_off()),
            None => self.copy_value(p, self.roff(cb), p, self.slot_off()),
        }
        for k in 0..n {
            let p = self.regs();
            self.copy_value(p, self.roff(cb + 1 + k), p, self.roff(k));
        }
        let fa = self.frame_addr();
        self.store(c.clo, fa, abi.frame_closure);
        let p0 = self.regs();
        let fi = self.rfidx();
        self.tail_call_body(body, [self.vm, rbase, p0, fa, fi]);
        // The slow path is reached before the window was synced too: write it (again).
        self.b.switch_to_block(slow);
        let synced = std::mem::replace(&mut self.st, unsynced);
        self.spill_reads(pc);
        self.st = synced;
        self.tail_call_slow(pc);
    }

    /// The arguments of a self tail call become the parameters; jump to pc 0.
    fn self_tail_call(&mut self, pc: usize, step: &Step, cb: usize, n: usize) {
        self.move_args(cb, n, self.cur);
        self.goto(pc, 0, &step.jump);
    }

    /// A tail call of closure `clo` of region `to`: the frame becomes the callee's, the
    /// arguments its parameters, and control jumps to the region's start.
    fn cross_tail_call(&mut self, cb: usize, n: usize, clo: ir::Value, to: usize) {
        let abi = self.abi;
        let here = self.cur;
        let nregs = self.regions[to].proto.nregs as usize;
        let start = crate::types::tail_args(&self.st, cb, n, nregs);
        self.move_args(cb, n, to);
        match self.fclo {
            // The frame's closure is written when something looks (`sync_frame_closure`).
            Some(v) if self.regions[here].depth == 0 => self.b.def_var(v, clo),
            _ => {
                let p = self.regs();
                let t = self.iconst(abi.tags.closure as i64);
                self.store(t, p, self.slot_off());
                self.store(clo, p, self.slot_off() + 8);
                let fa = self.frame_addr();
                self.store(clo, fa, abi.frame_closure);
            }
        }
        self.cur = to;
        // A call for the limits (mutual tail recursion loops through here, so it is
        // counted as a loop's back edge is: no call in the loop).
        self.tick(0, &start);
        if self.allocates() {
            // The interpreter's safe point at a call.
            self.gc_check(0, &start);
        }
        self.goto(usize::MAX, 0, &start);
        self.cur = here;
    }

    /// Move the `n` arguments after the window at `cb` into the parameters of region
    /// `to` (this region's own for a self tail call): unboxed ones into its variables,
    /// the rest into the value stack.
    fn move_args(&mut self, cb: usize, n: usize, to: usize) {
        // Read every argument before writing any parameter (they may overlap).
        let mut vals = Vec::with_capacity(n);
        for k in 0..n {
            let a = cb + 1 + k;
            let ty = self.st[a].ty;
            let v = if ty == Ty::Any {
                let p = self.regs();
                let w0 = self.load(I64, p, self.roff(a));
                let w1 = self.load(I64, p, self.roff(a) + 8);
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
                    self.store(w0, p, self.roff(k));
                    self.store(w1, p, self.roff(k) + 8);
                }
                (_, Some(x)) => {
                    let r = &self.regions[to];
                    let var = if ty == Ty::Float { r.vf[k] } else { r.vi[k] };
                    self.b.def_var(var, x);
                }
                _ => unreachable!(),
            }
        }
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
        let p0 = self.regs();
        let fa = self.frame_addr();
        self.tail_call_body(r, [self.vm, self.base, p0, fa, self.fidx]);
        debug_assert_eq!(
            self.regions[self.cur].depth, 0,
            "inlined tail calls do not get here"
        );
        self.b.switch_to_block(ret);
        // Returned (the interpreter ran the callee): its result is in the callee slot.
        // (Any other status: no exit site to pass on, the first word is 0.)
        let p = self.regs();
        let [w0, w1] = self.load_words(p, self.slot_off());
        let z = self.iconst(0);
        let returned = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, r, STATUS_RETURNED as i64);
        let w0 = self.b.ins().select(returned, w0, z);
        self.return_value(r, [w0, w1]);
    }
}

impl Lower<'_, '_> {
    /// A call of a library native that compiled code runs inline for common arguments
    /// (`Intrinsic`): check that the global still holds that native and that the
    /// arguments are the common ones, compute its result into `R[cb]`, and go to `done`;
    /// anything else goes to `slow` (the native itself, through `jit_call`).
    /// A call of the native `id` that the global held when compiling: when it still does,
    /// `jit_native` runs it with the window as it is (no instruction to decode, no global
    /// to look up); else the general protocol (`slow`).
    #[allow(clippy::too_many_arguments)]
    fn native_call(
        &mut self,
        pc: usize,
        cb: usize,
        n: usize,
        c: &Callee,
        id: u32,
        slow: ir::Block,
        done: ir::Block,
    ) {
        let is_native = self.tag_is(c.tag, self.abi.tags.native);
        self.check(is_native, slow);
        let which = self.b.ins().ireduce(I32, c.clo);
        let same = self.b.ins().icmp_imm_s(IntCC::Equal, which, id as i64);
        self.check(same, slow);
        let pcv = self.b.ins().iconst(I32, pc as i64);
        let packed = self.iconst(cb as i64 | (n as i64) << 8 | (id as i64) << 32);
        let sig = self.sigs.field;
        let status = self
            .call_helper(self.helpers.native, sig, &[self.vm, pcv, packed])
            .expect("jit_native returns a status");
        self.reload_regs();
        self.after_call(pc, cb, status, None, done);
    }

    fn intrinsic(
        &mut self,
        cb: usize,
        c: &Callee,
        id: u32,
        k: Intrinsic,
        slow: ir::Block,
        done: ir::Block,
    ) {
        let abi = self.abi;
        let tags = abi.tags;
        let is_native = self.tag_is(c.tag, tags.native);
        self.check(is_native, slow);
        let which = self.b.ins().ireduce(I32, c.clo);
        let same = self.b.ins().icmp_imm_s(IntCC::Equal, which, id as i64);
        self.check(same, slow);
        let a = self.tagged(cb + 1);
        let p = self.regs();
        let out = self.roff(cb);
        match k {
            Intrinsic::Len | Intrinsic::VectorLength => {
                let ok = self.tag_is(a.tag, tags.array);
                self.check(ok, slow);
                let len = self.load(I64, a.bits, abi.array_items.len);
                self.store_tagged(p, out, tags.int, len);
            }
            Intrinsic::Push => {
                let ok = self.tag_is(a.tag, tags.array);
                self.check(ok, slow);
                // In place only when there is room: growing is the native's.
                let len = self.load(I64, a.bits, abi.array_items.len);
                let cap = self.load(I64, a.bits, abi.array_items.cap);
                let room = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
                self.check(room, slow);
                let items = self.load(I64, a.bits, abi.array_items.ptr);
                let off = self.b.ins().ishl_imm_u(len, 4);
                let at = self.b.ins().iadd(items, off);
                self.write_reg_to(cb + 2, at, 0);
                let len1 = self.b.ins().iadd_imm_s(len, 1);
                self.store(len1, a.bits, abi.array_items.len);
                let p = self.regs();
                self.store_tagged(p, out, tags.array, a.bits);
            }
            Intrinsic::Sqrt => {
                let (join, f) = self.block_with_param(F64);
                let is_f = self.tag_is(a.tag, tags.float);
                let bf = self.b.create_block();
                let chk = self.b.create_block();
                self.b.ins().brif(is_f, bf, &[], chk, &[]);
                self.b.switch_to_block(bf);
                let x = self.b.ins().bitcast(F64, MemFlagsData::new(), a.bits);
                self.jump_with(join, x);
                self.b.switch_to_block(chk);
                let is_i = self.tag_is(a.tag, tags.int);
                self.check(is_i, slow);
                let x = self.b.ins().fcvt_from_sint(F64, a.bits);
                self.jump_with(join, x);
                self.b.switch_to_block(join);
                // A negative argument is the native's error (NaN is not negative).
                let zero = self.b.ins().f64const(0.0);
                let neg = self.b.ins().fcmp(FloatCC::LessThan, f, zero);
                let ok = self.b.ins().bxor_imm_s(neg, 1);
                self.check(ok, slow);
                let r = self.b.ins().sqrt(f);
                let p = self.regs();
                self.store_tagged(p, out, tags.float, r);
            }
            Intrinsic::FloatSqrt => {
                let is_f = self.tag_is(a.tag, tags.float);
                self.check(is_f, slow);
                let x = self.b.ins().bitcast(F64, MemFlagsData::new(), a.bits);
                let r = self.b.ins().sqrt(x);
                let p = self.regs();
                self.store_tagged(p, out, tags.float, r);
            }
            Intrinsic::Car | Intrinsic::Cdr => {
                let ok = self.tag_is(a.tag, tags.pair);
                self.check(ok, slow);
                let off = if k == Intrinsic::Car {
                    abi.pair_car
                } else {
                    abi.pair_cdr
                };
                self.copy_value(a.bits, off, p, out);
            }
            Intrinsic::IsPair | Intrinsic::IsNull => {
                let t = if k == Intrinsic::IsPair {
                    tags.pair
                } else {
                    tags.null
                };
                let is = self.tag_is(a.tag, t);
                let v = self.b.ins().uextend(I64, is);
                self.store_tagged(p, out, tags.bool, v);
            }
            Intrinsic::RecordIs => {
                // Any value and a struct type: true for a struct of exactly that type.
                let ty = self.tagged(cb + 2);
                let is_type = self.tag_is(ty.tag, tags.struct_type);
                self.check(is_type, slow);
                let r = self.instance_of(a, ty.bits);
                let p = self.regs();
                self.store_tagged(p, out, tags.bool, r);
            }
            Intrinsic::VectorRef | Intrinsic::VectorSet => {
                let ok = self.tag_is(a.tag, tags.array);
                self.check(ok, slow);
                let i = self.tagged(cb + 2);
                let is_int = self.tag_is(i.tag, tags.int);
                self.check(is_int, slow);
                let len = self.load(I64, a.bits, abi.array_items.len);
                let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, i.bits, len);
                self.check(inb, slow);
                let items = self.load(I64, a.bits, abi.array_items.ptr);
                let off = self.b.ins().ishl_imm_u(i.bits, 4);
                let at = self.b.ins().iadd(items, off);
                if k == Intrinsic::VectorRef {
                    let p = self.regs();
                    self.copy_value(at, 0, p, out);
                } else {
                    self.write_reg_to(cb + 3, at, 0);
                    let p = self.regs();
                    let z = self.iconst(0);
                    self.store_tagged(p, out, tags.null, z);
                }
            }
        }
        self.b.ins().jump(done, &[]);
    }

    /// Go on when `cond`, else to `fail`.
    fn check(&mut self, cond: ir::Value, fail: ir::Block) {
        let ok = self.b.create_block();
        self.b.ins().brif(cond, ok, &[], fail, &[]);
        self.b.switch_to_block(ok);
    }
}

impl Lower<'_, '_> {
    /// The call at `pc` of global `g` compiled inline as region `q`: check that the global
    /// still holds a closure of `q`'s prototype and that there is room, push its frame
    /// (as a call does), and jump into the region with the arguments as its parameters;
    /// its returns come back to `pc + 1`. Otherwise the interpreter's call protocol makes
    /// the call, and its result is checked against what the callee's returns give.
    fn inline_call(&mut self, pc: usize, cb: usize, n: usize, via: Via, q: usize) {
        let abi = self.abi;
        let here = self.cur;
        if let Some(p) = self.regions[q].parent.as_mut() {
            p.state = Some(self.st.clone());
        }
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let k = self.spec().known[&(pc as u32)];
        let clo = match via {
            Via::Global(g) => match self.stable_callee(pc, Some(g)) {
                Some(clo) => clo,
                None => {
                    let (c, _) = self.callee(cb, Some(g));
                    let is_clo = self.tag_is(c.tag, abi.tags.closure);
                    self.check(is_clo, slow);
                    let rc = self.load(I64, c.clo, abi.closure_proto);
                    let same = self.b.ins().icmp_imm_s(IntCC::Equal, rc, k.rc_word as i64);
                    self.check(same, slow);
                    c.clo
                }
            },
            Via::Method => {
                // The receiver (in the value stack: a struct is never unboxed) has the
                // struct type whose method this is; its methods never change, and the
                // type keeps the method alive.
                let (id, method) = self.spec().methods[&(pc as u32)];
                if self.st[cb + 1].ty != Ty::Any {
                    // An unboxed number: never a struct.
                    let no = self.b.ins().iconst(I8, 0);
                    self.check(no, slow);
                }
                let tag = self.mem_tag(cb + 1);
                let is_struct = self.tag_is(tag, abi.tags.strukt);
                self.check(is_struct, slow);
                let inst = self.mem_bits(cb + 1, I64);
                let ty = self.load(I64, inst, abi.instance_ty);
                let tid = self.load(I64, ty, abi.struct_type_id);
                let same = self.b.ins().icmp_imm_s(IntCC::Equal, tid, id as i64);
                self.check(same, slow);
                self.iconst(method as i64)
            }
        };
        // Depth limit and room, as for a call.
        let fidx = self.rfidx();
        let len = self.b.ins().iadd_imm_s(fidx, 1);
        let lim = self.load(I64, self.vm, abi.vm_frame_limit);
        let ok = self.b.ins().icmp(IntCC::UnsignedLessThan, len, lim);
        self.check(ok, slow);
        let rbase = self.rbase();
        let at = self.b.ins().iadd_imm_s(rbase, cb as i64 + 1);
        let nregs = self.iconst(k.nregs as i64);
        self.check_room(nregs, at, slow);
        // The callee's closure goes to a variable, and to its frame's record only if
        // something may look at it (`Lower::materialize`), before anything that may
        // collect: the record roots it. (Its callee slot is not written: nothing reads
        // it before the result goes there.)
        let var = self.regions[q].parent.as_ref().expect("inlined").clo;
        self.b.def_var(var, clo);
        // The arguments are the callee's parameters: the same slots of the value stack,
        // and the unboxed ones its variables.
        let nq = self.regions[q].proto.nregs as usize;
        let start = crate::types::tail_args(&self.st, cb, n, nq);
        for k in 0..n {
            let a = cb + 1 + k;
            let ty = self.st[a].ty;
            if ty != Ty::Any {
                let v = self.unboxed(a, ty);
                let r = &self.regions[q];
                let var = if ty == Ty::Float { r.vf[k] } else { r.vi[k] };
                self.b.def_var(var, v);
            }
        }
        self.cur = q;
        self.tick(0, &start);
        if self.allocates() {
            self.gc_check(0, &start);
        }
        self.cur = here;
        self.goto_region(q, 0, &start);
        // The slow path: the call through the interpreter's protocol, the arguments in
        // the value stack.
        self.b.switch_to_block(slow);
        self.sync_reads(pc);
        let status = self.helper(self.helpers.call, pc);
        let cont = self.b.create_block();
        self.after_call(pc, cb, status, None, cont);
        self.b.switch_to_block(cont);
        let mut out = self.st.clone();
        for slot in out.iter_mut().skip(cb) {
            *slot = crate::types::Slot::ANY;
        }
        let want = self.states()[pc + 1].as_ref().map_or(Ty::Any, |s| s[cb].ty);
        if want != Ty::Any {
            // The callee's returns give this type: so must the call's result here.
            let reason = crate::deopt::Reason::Result;
            self.unbox_found(pc, cb, want, Found::InPlace, out.clone(), reason);
            out[cb] = crate::types::Slot {
                ty: want,
                synced: true,
                shape: 0,
            };
        }
        self.goto(pc, pc + 1, &out);
    }

    /// A return of an inlined callee (of register `src`, or null): its value goes to the
    /// caller's call register, its frame is popped, and the caller goes on after the
    /// call.
    fn inline_return(&mut self, src: Option<usize>) {
        let (pr, ppc, cb, state) = {
            let p = self.regions[self.cur]
                .parent
                .as_ref()
                .expect("an inlined region");
            (
                p.region,
                p.pc,
                p.cb,
                p.state
                    .clone()
                    .expect("the caller records its state at the call"),
            )
        };
        let mut out = state;
        for slot in out.iter_mut().skip(cb) {
            *slot = crate::types::Slot::ANY;
        }
        match src {
            Some(s) if self.st[s].ty != Ty::Any => {
                let ty = self.st[s].ty;
                let v = self.unboxed(s, ty);
                let r = &self.regions[pr];
                let var = if ty == Ty::Float { r.vf[cb] } else { r.vi[cb] };
                self.b.def_var(var, v);
                out[cb] = crate::types::Slot::fresh(ty);
            }
            Some(s) => {
                let p = self.regs();
                let off = self.slot_off();
                self.copy_value(p, self.roff(s), p, off);
            }
            None => {
                let p = self.regs();
                let z = self.iconst(0);
                let off = self.slot_off();
                self.store_tagged(p, off, self.abi.tags.null, z);
            }
        }
        let f = self.rfidx();
        self.store(f, self.vm, self.abi.vm_frames.len);
        self.goto_region(pr, ppc + 1, &out);
    }

    /// A tail call in an inlined callee: the interpreter's protocol replaces the callee's
    /// frame (or calls a native); run the new callee here, then return its result to the
    /// caller as the inlined callee would.
    fn inline_tail_call(&mut self, pc: usize) {
        let r = self.helper(self.helpers.tail_call, pc);
        // The protocol replaced the frame's closure (its record is pushed: the helper
        // call materialized it): the running closure is the new callee.
        let fa = self.frame_addr();
        let clo = self.load(I64, fa, self.abi.frame_closure);
        let var = self.regions[self.cur].parent.as_ref().expect("inlined").clo;
        self.b.def_var(var, clo);
        let is_body =
            self.b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, r, FIRST_BODY as i64);
        // (status, the exit site a compiled callee left by)
        let (join, status) = self.block_with_param(I64);
        let site = self.b.append_block_param(join, I64);
        let run = self.b.create_block();
        let z = self.iconst(0);
        self.b.ins().brif(
            is_body,
            run,
            &[],
            join,
            &[ir::BlockArg::Value(r), ir::BlockArg::Value(z)],
        );
        self.b.switch_to_block(run);
        self.materialize();
        let rbase = self.rbase();
        let p0 = {
            let p = self.regs();
            let off = self.roff(0) as i64;
            self.b.ins().iadd_imm_s(p, off)
        };
        let fa = self.frame_addr();
        let fi = self.rfidx();
        let called = self.call_body(Target::Body(r), [self.vm, rbase, p0, fa, fi]);
        self.reload_regs();
        // Its result goes to its callee slot, as the interpreter's would.
        let put = self.b.create_block();
        self.b.ins().brif(
            called.status,
            join,
            &[
                ir::BlockArg::Value(called.status),
                ir::BlockArg::Value(called.value[0]),
            ],
            put,
            &[],
        );
        self.b.switch_to_block(put);
        let p = self.regs();
        self.store_words(called.value, p, self.slot_off());
        let z = self.iconst(0);
        self.b.ins().jump(
            join,
            &[ir::BlockArg::Value(called.status), ir::BlockArg::Value(z)],
        );
        self.b.switch_to_block(join);
        // The frame is popped (or the interpreter has it): only the caller is left.
        let (pr, ppc, cb, state) = {
            let p = self.regions[self.cur]
                .parent
                .as_ref()
                .expect("an inlined region");
            (
                p.region,
                p.pc,
                p.cb,
                p.state
                    .clone()
                    .expect("the caller records its state at the call"),
            )
        };
        let bad = self.b.create_block();
        self.b.set_cold_block(bad);
        let back = self.b.create_block();
        self.b.ins().brif(status, bad, &[], back, &[]);
        self.b.switch_to_block(bad);
        let here = self.cur;
        self.cur = pr;
        let saved = std::mem::replace(&mut self.st, state.clone());
        let is_err = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, status, STATUS_ERROR as i64);
        let eb = self.error_block_at(cb, Some(ppc + 1));
        let deopt = self.resume_block(ppc + 1, cb);
        self.b
            .ins()
            .brif(is_err, eb, &[], deopt, &[ir::BlockArg::Value(site)]);
        self.st = saved;
        self.cur = here;
        self.b.switch_to_block(back);
        let mut out = state;
        for slot in out.iter_mut().skip(cb) {
            *slot = crate::types::Slot::ANY;
        }
        self.goto_region(pr, ppc + 1, &out);
    }
}
