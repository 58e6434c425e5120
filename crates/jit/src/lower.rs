//! Lowering one bytecode function to Cranelift IR: the frame, blocks and edges, values in
//! registers and in the value stack, and the exits back to the interpreter.
//!
//! The compiled function has the `tail` calling convention and the signature
//! `(vm, base) -> status` (see `tandem_vm::jit_hook`). Registers of type `Int`, `Float` or
//! `Bool` ([`Ty`]) live in Cranelift variables; everything else lives in the VM's value
//! stack at `regs = stack + base * 16`, which is reloaded after every call out (the stack
//! may have moved). The instructions themselves are lowered in `lower_ops.rs` and
//! `lower_call.rs`.

use crate::deopt::{Reason, SiteTable};
use crate::flow::{self, Flow, RegSet};
use crate::types::{plan, Slot, Spec, State, Ty, Way};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{F64, I32, I64, I8};
use cranelift_codegen::ir::{self, Block, BlockArg, InstBuilder, MemFlagsData, SigRef};
use cranelift_frontend::{FunctionBuilder, Variable};
use tandem_vm::jit_abi::Abi;
use tandem_vm::jit_hook::STATUS_ERROR;
use tandem_vm::object::Proto;

/// Addresses of the runtime functions compiled code calls.
#[derive(Clone, Copy)]
pub struct Helpers {
    pub exec: usize,
    pub call: usize,
    pub tail_call: usize,
    pub safepoint: usize,
    /// The limits' slow path (`tandem_vm::limits`): `(vm, pc) -> code`.
    pub tick: usize,
    pub drop_handlers: usize,
    pub field: usize,
    pub method_cache: usize,
    /// A new pair (`CONS`).
    pub cons: usize,
    /// A new struct instance (`NEWSTRUCT`).
    pub new_struct: usize,
    /// A call of a known native (`(vm, pc, window) -> status`, the `field` signature).
    pub native: usize,
    /// `==` of two values in the value stack (`(a, b, exact) -> 0/1`, the `cons`
    /// signature): called directly (it neither allocates nor fails).
    pub equal: usize,
    /// `GETINDEX`/`SETINDEX` off the inline array path (`(vm, pc) -> code`, as `exec`).
    pub index: usize,
    /// The trampoline cold paths call helpers through (`preserve.rs`; 0 where there is
    /// none).
    pub preserve: usize,
}

/// Signatures imported into the function being built.
pub struct Sigs {
    /// `(vm, pc) -> code`: exec, call, tail_call, safepoint, tick.
    pub helper: SigRef,
    /// `(vm)`: drop_handlers.
    pub vm_only: SigRef,
    /// `(vm, base) -> status` with the `tail` convention: compiled bodies.
    pub body: SigRef,
    /// `(vm, pc, cache) -> code`: field.
    pub field: SigRef,
    /// `(vm, pc, cache)`: method_cache.
    pub cache: SigRef,
    /// `(vm, a, b) -> pair`: cons.
    pub cons: SigRef,
    /// `(vm, ty) -> instance`: new_struct.
    pub value: SigRef,
    /// `(vm, b, c, helper)`, clobbering nothing: the trampoline of cold paths.
    pub preserve: SigRef,
}

/// Where a block that was created ahead of time must lead once the current block is done.
pub(crate) enum Pending {
    /// An edge into the block of `target` with the state `state`: write back what the
    /// target expects in the value stack, then jump.
    Edge {
        block: Block,
        from_pc: usize,
        target: usize,
        state: State,
    },
    /// A deoptimization: write back the registers live at `resume` (only those below
    /// `below`), set the frame's pc to `resume`, report, and return to the interpreter.
    Deopt {
        block: Block,
        resume: usize,
        state: State,
        below: usize,
        site: usize,
    },
    /// A callee handed its frames to the interpreter: write back the registers live at
    /// `resume` (below `below`), set the frame's pc, and hand this frame over too.
    Resume {
        block: Block,
        resume: usize,
        state: State,
        below: usize,
    },
    /// An error: return the error status. A handler may resume this frame in the
    /// interpreter: one of its own (when it has any: write back every register below
    /// `below`), or, for an error from a call (`after_call`: the pc after it), one in a
    /// callee's frame, after which this frame continues at that pc (write back what is
    /// live there, below `below`).
    Error {
        block: Block,
        state: State,
        below: usize,
        after_call: Option<usize>,
    },
}

/// An operand as compiled code sees it: a tag and a 64-bit payload, known or loaded.
#[derive(Clone, Copy)]
pub(crate) struct Tagged {
    /// The tag as an `i8` value (a constant when known).
    pub tag: ir::Value,
    /// The payload bits as an `i64`.
    pub bits: ir::Value,
}

/// One function of a compilation unit, as the analysis saw it.
///
/// A unit is the function being compiled plus the functions it tail-calls through
/// globals that held them when compiling (and so on, a few deep): they are compiled into
/// one body, so that those tail calls are jumps between regions (`Spec::cross`). All
/// regions run in the same frame; each has its own registers' variables.
pub struct RegionIn<'a> {
    pub proto: &'a Proto,
    pub flow: &'a Flow,
    /// The state before each pc (None: unreachable).
    pub states: &'a [Option<State>],
    pub spec: &'a Spec,
    /// For an inlined callee: the caller's region, the call's pc, and its window.
    pub inline: Option<(usize, usize, usize)>,
}

pub(crate) struct Region<'a> {
    pub(crate) proto: &'a Proto,
    pub(crate) flow: &'a Flow,
    pub(crate) states: &'a [Option<State>],
    pub(crate) spec: &'a Spec,
    pub(crate) vi: Vec<Variable>,
    pub(crate) vf: Vec<Variable>,
    pub(crate) blocks: Vec<Option<Block>>,
    /// For each pc, how many instructions before it may allocate (one more entry: the
    /// total). A region that allocates checks for a due collection when entered, and on
    /// each back edge whose loop body (the pcs from its target to it) allocates: each
    /// instruction of a cycle lies in the range of one of that cycle's back edges (from
    /// it, the cycle's pcs rise until a back edge; from wherever that lands, the cycle gets
    /// back to the instruction, so some back edge goes from above it to at or below it),
    /// so a cycle that allocates passes such a check. (The
    /// interpreter's safe points are calls and back edges.)
    pub(crate) allocs: Vec<u32>,
    /// Its loops that check their invariant arrays before they start (`hoist.rs`), with
    /// the variables that hold each such array's element pointer and length.
    pub(crate) hoists: Vec<(crate::hoist::Hoist, Vec<(Variable, Variable)>)>,
    /// Where its registers start, counted from the unit's frame base (0, or for an
    /// inlined callee its caller's call window + 1).
    pub(crate) reg_base: usize,
    /// Its frame's index above the unit's frame (0, or 1 for an inlined callee).
    pub(crate) depth: usize,
    /// For an inlined callee: its caller's region, the call's pc, its window, and the
    /// caller's state at the call (recorded when the caller's call is lowered), which the
    /// callee's exits write back too.
    pub(crate) parent: Option<Parent>,
}

/// Which compiled body a call runs.
#[derive(Clone, Copy)]
pub(crate) enum Target {
    /// A body's address (a prototype's entry, or what `jit_tail_call` gave).
    Body(ir::Value),
    /// This very function (`Lower::own`).
    Own(ir::FuncRef),
}

/// What a call of a compiled body gives back: its status, and (with `STATUS_RETURNED`)
/// its result as the two words of a value.
#[derive(Clone, Copy)]
pub(crate) struct Called {
    pub status: ir::Value,
    pub value: [ir::Value; 2],
    /// With `STATUS_RETURNED`: the callee's registers' and record's addresses (see
    /// [`Lower::return_value`]).
    pub at: [ir::Value; 2],
}

/// How an inlined callee returns to its caller.
pub(crate) struct Parent {
    /// The callee's running closure (its call sets it; its callee slot is not written).
    pub clo: Variable,
    pub region: usize,
    pub pc: usize,
    pub cb: usize,
    pub state: Option<State>,
}

pub struct Lower<'a, 'f> {
    pub(crate) b: FunctionBuilder<'f>,
    pub(crate) regions: Vec<Region<'a>>,
    /// The region being lowered.
    pub(crate) cur: usize,
    pub(crate) abi: &'static Abi,
    pub(crate) helpers: Helpers,
    pub(crate) sigs: Sigs,
    pub(crate) sites: &'a mut SiteTable,
    pub(crate) vm: ir::Value,
    pub(crate) base: ir::Value,
    pub(crate) regs: Variable,
    /// The address of this function's frame.
    pub(crate) frame: Variable,
    pub(crate) fidx: ir::Value,
    /// The limits' event counter (`Vm::countdown`), kept in a register: passed to and
    /// returned from compiled callees, written to the VM before a helper call (which may
    /// run the interpreter) and read back after it.
    pub(crate) cd: Variable,
    /// When the unit has tail calls between its regions: the closure its frame runs (the
    /// region's function), kept in a register. A tail call between regions only sets it;
    /// [`Lower::sync_frame_closure`] writes it to the frame and its callee slot before
    /// anything looks at them (helpers, calls, exits).
    pub(crate) fclo: Option<Variable>,
    pub(crate) st: State,
    /// When the unit's tail-call globals are stable (`Spec::stable`): each one's closure,
    /// checked at entry.
    pub(crate) stable: Option<rustc_hash::FxHashMap<u32, Variable>>,
    /// When the unit is a function entered at its start: this very function, which its
    /// calls of itself call directly, and the parameter types its entry speculates (see
    /// [`SELF_ENTRY`]).
    pub(crate) own: Option<(ir::FuncRef, State)>,
    /// The type every return of the unit's function gives (`types::return_type`): a
    /// result of its own code, called directly, has it (no tag check after the call).
    pub(crate) own_ret: Option<Ty>,
    /// Whether compiled callers may call this code (a function entered at its start; a
    /// loop entered by OSR only returns to the trampoline): then its returns give the
    /// addresses of its registers and record (`Lower::return_value`).
    pub(crate) callable: bool,
    /// Whether the unit has loops (back edges).
    pub(crate) loops: bool,
    pub(crate) pending: Vec<(usize, Pending)>,
    pub(crate) mem: MemFlagsData,
}

/// Where a frame's callee slot is, from its registers' address (the value just below
/// them): its running closure, and where its result goes.
pub(crate) const CALLEE_SLOT: i32 = -16;

/// The bit of the frame index a compiled call of the unit's own function sets when it
/// did the entry's checks itself: the stable globals are unchanged (nothing in the unit
/// can change them), the arguments have the types the entry speculates (the caller knows
/// them when compiling), and the value stack has room for every region. The callee then
/// skips those checks (a second entry to one function, without a second function).
/// (Frame indices stay far below it: the depth limit is at most half of it, checked
/// below, and a nested run's entry frame, pushed without that check, needs a native call
/// from a checked frame first.)
pub(crate) const SELF_ENTRY: i64 = 1 << 30;
const _: () = assert!(2 * tandem_vm::vm::MOST_DEPTH as i64 <= SELF_ENTRY);

impl<'a, 'f> Lower<'a, 'f> {
    pub fn new(
        mut b: FunctionBuilder<'f>,
        regions: Vec<RegionIn<'a>>,
        abi: &'static Abi,
        helpers: Helpers,
        sigs: Sigs,
        sites: &'a mut SiteTable,
    ) -> Lower<'a, 'f> {
        let regions = regions
            .into_iter()
            .map(|r| {
                let n = r.proto.nregs as usize;
                let mut allocs = vec![0u32];
                for pc in 0..r.proto.code.len() {
                    let a = match &r.states[pc] {
                        Some(st) => crate::types::may_allocate_at(r.proto, pc, st, r.spec),
                        None => false,
                    };
                    allocs.push(allocs[pc] + a as u32);
                }
                let hoists = crate::hoist::array_loops(r.proto, r.states, r.spec)
                    .into_iter()
                    .map(|h| {
                        let vars = h
                            .regs
                            .iter()
                            .map(|_| (b.declare_var(I64), b.declare_var(I64)))
                            .collect();
                        (h, vars)
                    })
                    .collect();
                Region {
                    proto: r.proto,
                    flow: r.flow,
                    states: r.states,
                    spec: r.spec,
                    vi: (0..n).map(|_| b.declare_var(I64)).collect(),
                    vf: (0..n).map(|_| b.declare_var(F64)).collect(),
                    blocks: vec![None; r.flow.starts.len()],
                    allocs,
                    hoists,
                    reg_base: 0,
                    depth: 0,
                    parent: r.inline.map(|(region, pc, cb)| Parent {
                        clo: b.declare_var(I64),
                        region,
                        pc,
                        cb,
                        state: None,
                    }),
                }
            })
            .collect::<Vec<Region>>();
        let mut regions = regions;
        for i in 0..regions.len() {
            if let Some(p) = &regions[i].parent {
                let (pr, cb) = (p.region, p.cb);
                regions[i].reg_base = regions[pr].reg_base + cb + 1;
                regions[i].depth = regions[pr].depth + 1;
            }
        }
        let regs = b.declare_var(I64);
        let frame = b.declare_var(I64);
        let cd = b.declare_var(I64);
        // Placeholders until the entry block defines them.
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let (vm, base) = (params[0], params[1]);
        // The caller passes the event counter last.
        b.def_var(cd, params[5]);
        Lower {
            b,
            regions,
            cur: 0,
            abi,
            helpers,
            sigs,
            sites,
            vm,
            base,
            regs,
            frame,
            fidx: vm,
            cd,
            fclo: None,
            st: Vec::new(),
            stable: None,
            own: None,
            own_ret: None,
            callable: true,
            loops: false,
            pending: Vec::new(),
            mem: MemFlagsData::trusted(),
        }
    }

    // ----- the region being lowered -----

    pub(crate) fn proto(&self) -> &'a Proto {
        self.regions[self.cur].proto
    }
    pub(crate) fn flow(&self) -> &'a Flow {
        self.regions[self.cur].flow
    }
    pub(crate) fn states(&self) -> &'a [Option<State>] {
        self.regions[self.cur].states
    }
    pub(crate) fn spec(&self) -> &'a Spec {
        self.regions[self.cur].spec
    }
    pub(crate) fn vi(&self, r: usize) -> Variable {
        self.regions[self.cur].vi[r]
    }
    pub(crate) fn vf(&self, r: usize) -> Variable {
        self.regions[self.cur].vf[r]
    }
    pub(crate) fn allocates(&self) -> bool {
        self.regions[self.cur].allocs.last().is_some_and(|&n| n > 0)
    }

    /// Whether an instruction of the current region from `lo` to `hi` (inclusive) may
    /// allocate.
    pub(crate) fn allocates_in(&self, lo: usize, hi: usize) -> bool {
        let a = &self.regions[self.cur].allocs;
        a[hi + 1] > a[lo]
    }

    // ----- constants and memory -----

    pub(crate) fn iconst(&mut self, v: i64) -> ir::Value {
        self.b.ins().iconst(I64, v)
    }

    pub(crate) fn load(&mut self, ty: ir::Type, p: ir::Value, off: i32) -> ir::Value {
        self.b.ins().load(ty, self.mem, p, off)
    }

    pub(crate) fn store(&mut self, v: ir::Value, p: ir::Value, off: i32) {
        self.b.ins().store(self.mem, v, p, off);
    }

    /// The address of register 0 (reloaded after calls out).
    pub(crate) fn regs(&mut self) -> ir::Value {
        self.b.use_var(self.regs)
    }

    /// Recompute `regs` from the VM's stack pointer (after anything that may grow it).
    pub(crate) fn reload_regs(&mut self) {
        let [r, f] = self.fresh_addrs();
        self.b.def_var(self.regs, r);
        self.b.def_var(self.frame, f);
    }

    /// The addresses of register 0 and of this frame's record, from the VM's pointers
    /// (the value stack and the frames may have moved: a callee pushed, a vector grew).
    pub(crate) fn fresh_addrs(&mut self) -> [ir::Value; 2] {
        let sp = self.load(I64, self.vm, self.abi.vm_stack.ptr);
        let off = self.b.ins().ishl_imm_u(self.base, 4);
        let r = self.b.ins().iadd(sp, off);
        let fp = self.load(I64, self.vm, self.abi.vm_frames.ptr);
        let off = self
            .b
            .ins()
            .imul_imm_s(self.fidx, self.abi.frame_size as i64);
        [r, self.b.ins().iadd(fp, off)]
    }

    /// The address of the current region's frame (reloaded with `regs`): the unit's own
    /// frame, or, in an inlined callee, the frame it pushed above it.
    pub(crate) fn frame_addr(&mut self) -> ir::Value {
        let f = self.b.use_var(self.frame);
        let depth = self.regions[self.cur].depth as i64;
        if depth == 0 {
            f
        } else {
            self.b
                .ins()
                .iadd_imm_s(f, depth * self.abi.frame_size as i64)
        }
    }

    /// The byte offset from `regs` of register `r` of the current region (an inlined
    /// callee's registers start above its caller's window).
    pub(crate) fn roff(&self, r: usize) -> i32 {
        ((self.regions[self.cur].reg_base + r) * 16) as i32
    }

    /// The byte offset from `regs` of the current region's callee slot (where its running
    /// closure sits, and where its result goes).
    pub(crate) fn slot_off(&self) -> i32 {
        (self.regions[self.cur].reg_base as i32 - 1) * 16
    }

    /// The current region's frame base (a stack index).
    pub(crate) fn rbase(&mut self) -> ir::Value {
        let rb = self.regions[self.cur].reg_base as i64;
        if rb == 0 {
            self.base
        } else {
            self.b.ins().iadd_imm_s(self.base, rb)
        }
    }

    /// The current region's frame index.
    pub(crate) fn rfidx(&mut self) -> ir::Value {
        let d = self.regions[self.cur].depth as i64;
        if d == 0 {
            self.fidx
        } else {
            self.b.ins().iadd_imm_s(self.fidx, d)
        }
    }

    /// The tag byte of register `r` in the value stack.
    pub(crate) fn mem_tag(&mut self, r: usize) -> ir::Value {
        let p = self.regs();
        self.load(I8, p, self.roff(r))
    }

    /// The payload of register `r` in the value stack.
    pub(crate) fn mem_bits(&mut self, r: usize, ty: ir::Type) -> ir::Value {
        let p = self.regs();
        self.load(ty, p, self.roff(r) + 8)
    }

    /// Store a value with tag `tag` and payload `bits` (an `i64`, or an `f64`) at
    /// `p + off`, writing whole words.
    pub(crate) fn store_tagged(&mut self, p: ir::Value, off: i32, tag: u8, bits: ir::Value) {
        let t = self.iconst(tag as i64);
        self.store(t, p, off);
        self.store(bits, p, off + 8);
    }

    /// Copy a whole value between two addresses.
    pub(crate) fn copy_value(&mut self, from: ir::Value, foff: i32, to: ir::Value, toff: i32) {
        let v = self.load_words(from, foff);
        self.store_words(v, to, toff);
    }

    /// The value at `p + off` as its two words (as a body returns one).
    pub(crate) fn load_words(&mut self, p: ir::Value, off: i32) -> [ir::Value; 2] {
        [self.load(I64, p, off), self.load(I64, p, off + 8)]
    }

    /// Store a value's two words at `p + off`.
    pub(crate) fn store_words(&mut self, v: [ir::Value; 2], p: ir::Value, off: i32) {
        self.store(v[0], p, off);
        self.store(v[1], p, off + 8);
    }

    /// The unboxed value of register `r` (type `ty`) as payload bits (`f64` for floats).
    pub(crate) fn unboxed(&mut self, r: usize, ty: Ty) -> ir::Value {
        match ty {
            Ty::Float => self.b.use_var(self.vf(r)),
            _ => self.b.use_var(self.vi(r)),
        }
    }

    pub(crate) fn tag_of_ty(&self, ty: Ty) -> u8 {
        let t = &self.abi.tags;
        match ty {
            Ty::Int => t.int,
            Ty::Float => t.float,
            Ty::Bool => t.bool,
            Ty::Any => unreachable!("Any has no static tag"),
        }
    }

    /// Write register `r` (unboxed, of type `ty`) to the value stack at `p + off`.
    pub(crate) fn write_unboxed(&mut self, r: usize, ty: Ty, p: ir::Value, off: i32) {
        let v = self.unboxed(r, ty);
        let tag = self.tag_of_ty(ty);
        self.store_tagged(p, off, tag, v);
    }

    /// Make sure the value stack holds register `r`'s current value.
    pub(crate) fn sync(&mut self, r: usize) {
        let s = self.st[r];
        if s.ty != Ty::Any && !s.synced {
            let p = self.regs();
            self.write_unboxed(r, s.ty, p, self.roff(r));
            self.st[r].synced = true;
        }
    }

    /// Write the value of register `r` (any state) to `p + off`.
    pub(crate) fn write_reg_to(&mut self, r: usize, p: ir::Value, off: i32) {
        let s = self.st[r];
        if s.ty == Ty::Any {
            let rp = self.regs();
            self.copy_value(rp, self.roff(r), p, off);
        } else {
            self.write_unboxed(r, s.ty, p, off);
        }
    }

    /// Register `r` as a tag and payload.
    pub(crate) fn tagged(&mut self, r: usize) -> Tagged {
        let s = self.st[r];
        if s.ty == Ty::Any {
            let tag = self.mem_tag(r);
            let bits = self.mem_bits(r, I64);
            Tagged { tag, bits }
        } else {
            let t = self.tag_of_ty(s.ty);
            let tag = self.b.ins().iconst(I8, t as i64);
            let v = self.unboxed(r, s.ty);
            let bits = if s.ty == Ty::Float {
                self.b.ins().bitcast(I64, MemFlagsData::new(), v)
            } else {
                v
            };
            Tagged { tag, bits }
        }
    }

    /// `tag == t` as a condition.
    pub(crate) fn tag_is(&mut self, tag: ir::Value, t: u8) -> ir::Value {
        self.b.ins().icmp_imm_s(IntCC::Equal, tag, t as i64)
    }

    // ----- helpers (runtime calls) -----

    /// Call the helper at `addr` (signature `sig`) with `args`.
    pub(crate) fn call_helper(
        &mut self,
        addr: usize,
        sig: SigRef,
        args: &[ir::Value],
    ) -> Option<ir::Value> {
        self.around_helper(|l| {
            let f = l.iconst(addr as i64);
            let inst = l.b.ins().call_indirect(sig, f, args);
            l.b.inst_results(inst).first().copied()
        })
    }

    /// Call the `(vm, pc) -> code` helper at `addr` from a loop's back edge's cold path
    /// through the trampoline that clobbers no register (`preserve.rs`; a plain call where
    /// there is none), so that the loop keeps its values in registers. Nothing is
    /// reloaded after it: such helpers move neither the value stack nor the frames.
    pub(crate) fn call_back_edge_helper(&mut self, addr: usize, pc: usize) -> ir::Value {
        let pcv = self.b.ins().iconst(I32, pc as i64);
        if !crate::preserve::available() {
            return self
                .call_helper(addr, self.sigs.helper, &[self.vm, pcv])
                .expect("helpers return a code");
        }
        self.around_helper(|l| {
            let pc64 = l.b.ins().uextend(I64, pcv);
            let helper = l.iconst(addr as i64);
            // The helper's third argument (it has two) is the VM again: a value at hand.
            let args = [l.vm, pc64, l.vm, helper];
            let t = l.iconst(l.helpers.preserve as i64);
            l.b.ins().call_indirect(l.sigs.preserve, t, &args);
            Some(l.load(I64, l.vm, l.abi.vm_jit_out))
        })
        .expect("the trampoline's result is read back")
    }

    /// What every helper call needs around it: the inlined frames pushed, the event
    /// counter and the frame's closure in the VM before `call`, the counter read back
    /// after it.
    fn around_helper(
        &mut self,
        call: impl FnOnce(&mut Self) -> Option<ir::Value>,
    ) -> Option<ir::Value> {
        self.materialize();
        self.store_countdown();
        self.sync_frame_closure();
        let r = call(self);
        self.load_countdown();
        r
    }

    /// Write the event counter to `Vm::countdown`, for code that reads it there.
    pub(crate) fn store_countdown(&mut self) {
        let cd = self.b.use_var(self.cd);
        self.store(cd, self.vm, self.abi.vm_countdown);
    }

    /// Read the event counter back from `Vm::countdown` (after code that may count).
    pub(crate) fn load_countdown(&mut self) {
        let cd = self.load(I64, self.vm, self.abi.vm_countdown);
        self.b.def_var(self.cd, cd);
    }

    /// Call a `(vm, pc) -> code` helper, then reload `regs`.
    pub(crate) fn helper(&mut self, addr: usize, pc: usize) -> ir::Value {
        let pcv = self.b.ins().iconst(I32, pc as i64);
        let sig = self.sigs.helper;
        let r = self
            .call_helper(addr, sig, &[self.vm, pcv])
            .expect("helpers return a code");
        self.reload_regs();
        r
    }

    /// Run the instruction at `pc` through the interpreter's code (its operands must be
    /// in the value stack): `EXEC_NEXT`, `EXEC_JUMP` or `EXEC_ERROR`.
    pub(crate) fn exec(&mut self, pc: usize) -> ir::Value {
        self.helper(self.helpers.exec, pc)
    }

    /// After `exec`: go on when the code is not `EXEC_ERROR`.
    pub(crate) fn exec_checked(&mut self, pc: usize) {
        let code = self.exec(pc);
        self.leave_on_exec_error(code);
    }

    /// Leave through the error exit when a helper's `code` is `EXEC_ERROR`; else go on
    /// (in a new current block).
    pub(crate) fn leave_on_exec_error(&mut self, code: ir::Value) {
        let err = self.b.ins().icmp_imm_s(
            IntCC::Equal,
            code,
            tandem_vm::jit_helpers::EXEC_ERROR as i64,
        );
        let eb = self.error_block(usize::MAX);
        let cont = self.b.create_block();
        self.b.ins().brif(err, eb, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    // ----- blocks, edges and exits -----

    /// The block of the bytecode block starting at `pc`.
    pub(crate) fn block_at(&mut self, pc: usize) -> Block {
        self.block_in(self.cur, pc)
    }

    /// The block of the bytecode block starting at `pc` of region `region`.
    pub(crate) fn block_in(&mut self, region: usize, pc: usize) -> Block {
        let r = &mut self.regions[region];
        let bi = r.flow.block_of[pc];
        match r.blocks[bi] {
            Some(b) => b,
            None => {
                let b = self.b.create_block();
                self.regions[region].blocks[bi] = Some(b);
                b
            }
        }
    }

    /// What to branch to for going from `from_pc` to `target` with the state `out`: the
    /// target's block itself, or a block (filled later) that first writes back what the
    /// target keeps in the value stack, and checks for a collection on a loop's back edge.
    pub(crate) fn edge(&mut self, from_pc: usize, target: usize, out: &State) -> Block {
        let tin = self.states()[target]
            .as_ref()
            .expect("an edge leads to a reachable instruction");
        let live = self.flow().live(target);
        // The target holds the register in the value stack only (`Any`), or also there
        // (a loop's invariant, written once before the loop).
        let needs_store = (0..out.len()).any(|r| {
            live.contains(r)
                && (tin[r].ty == Ty::Any || tin[r].synced)
                && out[r].ty != Ty::Any
                && !out[r].synced
        });
        let backward = from_pc != usize::MAX && target <= from_pc;
        // Every back edge counts for the limits; in code that allocates, it is also a
        // collection's safe point. A way into a loop that checks its arrays first does.
        if !(needs_store || backward || self.enters_hoist(from_pc, target).is_some()) {
            return self.block_at(target);
        }
        let block = self.b.create_block();
        self.pending.push((
            self.cur,
            Pending::Edge {
                block,
                from_pc,
                target,
                state: out.clone(),
            },
        ));
        block
    }

    /// Jump to `target` with the current state.
    pub(crate) fn goto(&mut self, from_pc: usize, target: usize, out: &State) {
        let blk = self.edge(from_pc, target, out);
        self.b.ins().jump(blk, &[]);
    }

    /// Branch on `cond` to `taken` (state `tst`) or `fall` (state `fst`).
    pub(crate) fn branch(
        &mut self,
        pc: usize,
        cond: ir::Value,
        taken: usize,
        tst: &State,
        fall: usize,
        fst: &State,
    ) {
        let t = self.edge(pc, taken, tst);
        let f = self.edge(pc, fall, fst);
        self.b.ins().brif(cond, t, &[], f, &[]);
    }

    /// A block that deoptimizes to `resume` with the current state (registers from
    /// `below` up are not this frame's to write: a callee's).
    pub(crate) fn deopt_block(&mut self, resume: usize, reason: Reason, below: usize) -> Block {
        self.deopt_block_with(resume, reason, below, self.st.clone())
    }

    pub(crate) fn deopt_block_with(
        &mut self,
        resume: usize,
        reason: Reason,
        below: usize,
        state: State,
    ) -> Block {
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        let site = self.sites.add(self.cur, resume as u32, reason);
        self.pending.push((
            self.cur,
            Pending::Deopt {
                block,
                resume,
                state,
                below,
                site,
            },
        ));
        block
    }

    /// A block that returns the error status (after writing back, when this function
    /// has handlers, the registers below `below`).
    pub(crate) fn error_block(&mut self, below: usize) -> Block {
        self.error_block_at(below, None)
    }

    /// [`Lower::error_block`] for an error a call returned (see [`Pending::Error`]).
    pub(crate) fn error_block_at(&mut self, below: usize, after_call: Option<usize>) -> Block {
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.pending.push((
            self.cur,
            Pending::Error {
                block,
                state: self.st.clone(),
                below,
                after_call,
            },
        ));
        block
    }

    /// Write back the registers in `set` that `state` holds unboxed and not yet in the
    /// value stack.
    fn write_back(&mut self, state: &State, set: &RegSet, below: usize) {
        let saved = std::mem::replace(&mut self.st, state.clone());
        for r in 0..state.len().min(below) {
            if set.contains(r) {
                self.sync(r);
            }
        }
        self.st = saved;
    }

    /// In an inlined callee, before leaving compiled code: write back its caller's
    /// registers too (what is live after the call, below its window; the caller's pc was
    /// stored when the callee's frame was pushed), and so on up.
    ///
    /// After a call (`after_call`), the region's frame is pushed already, and the frame
    /// count covers the callee's frames still above it: `pushed` skips pushing it again.
    fn write_back_callers(&mut self, pushed: bool) {
        if !pushed {
            self.materialize();
        }
        let here = self.cur;
        while let Some(p) = &self.regions[self.cur].parent {
            let (pr, pc, cb) = (p.region, p.pc, p.cb);
            let state = p
                .state
                .clone()
                .expect("the caller records its state at the call");
            self.cur = pr;
            let live = if self.flow().has_try {
                RegSet::ALL
            } else {
                self.flow().live(pc + 1)
            };
            self.write_back(&state, &live, cb);
        }
        self.cur = here;
    }

    /// Jump from the current block into region `region` at `target` with the state
    /// `out` (of that region's registers).
    pub(crate) fn goto_region(&mut self, region: usize, target: usize, out: &State) {
        let here = self.cur;
        self.cur = region;
        self.goto(usize::MAX, target, out);
        self.cur = here;
    }

    fn set_frame_pc(&mut self, pc: usize) {
        let f = self.frame_addr();
        let v = self.b.ins().iconst(I32, pc as i64);
        self.store(v, f, self.abi.frame_pc);
    }

    /// Emit the blocks created ahead of time.
    pub(crate) fn flush_pending(&mut self) {
        while let Some((region, p)) = self.pending.pop() {
            self.cur = region;
            match p {
                Pending::Edge {
                    block,
                    from_pc,
                    target,
                    state,
                } => {
                    self.b.switch_to_block(block);
                    let tin = self.states()[target].clone().expect("reachable");
                    let live = self.flow().live(target);
                    let mut need = RegSet::default();
                    for (r, slot) in tin.iter().enumerate() {
                        if live.contains(r) && (slot.ty == Ty::Any || slot.synced) {
                            need.insert(r);
                        }
                    }
                    self.write_back(&state, &need, usize::MAX);
                    if let Some(h) = self.enters_hoist(from_pc, target) {
                        self.check_arrays(h, target, &state);
                    }
                    if from_pc != usize::MAX && target <= from_pc {
                        if flow::is_tail_call(&self.proto().code[from_pc]) {
                            // A self tail call: leave at the function's start, which the
                            // interpreter's next call enters compiled code at again.
                            self.tick(target, &state);
                        } else {
                            self.tick_back_edge(from_pc, &state);
                        }
                        if self.allocates_in(target, from_pc) {
                            self.gc_check(from_pc, &state);
                        }
                    }
                    let tb = self.block_at(target);
                    self.b.ins().jump(tb, &[]);
                }
                Pending::Deopt {
                    block,
                    resume,
                    state,
                    below,
                    site,
                } => {
                    self.b.switch_to_block(block);
                    let live = if self.flow().has_try {
                        RegSet::ALL
                    } else {
                        self.flow().live(resume)
                    };
                    self.write_back(&state, &live, below);
                    self.write_back_callers(false);
                    self.sync_frame_closure();
                    self.set_frame_pc(resume);
                    self.return_deopt(site);
                }
                Pending::Resume {
                    block,
                    resume,
                    state,
                    below,
                } => {
                    self.b.switch_to_block(block);
                    let live = if self.flow().has_try {
                        RegSet::ALL
                    } else {
                        self.flow().live(resume)
                    };
                    self.write_back(&state, &live, below);
                    self.write_back_callers(true);
                    self.sync_frame_closure();
                    self.set_frame_pc(resume);
                    self.reenter_soon();
                    // The callee's exit site, passed on.
                    let site = self.b.block_params(block)[0];
                    self.return_deopt_at(site);
                }
                Pending::Error {
                    block,
                    state,
                    below,
                    after_call,
                } => {
                    self.b.switch_to_block(block);
                    if self.flow().has_try {
                        self.write_back(&state, &RegSet::ALL, below);
                    } else if let Some(resume) = after_call {
                        let live = self.flow().live(resume);
                        self.write_back(&state, &live, below);
                    }
                    // The error may be caught above; the callers continue interpreted.
                    self.write_back_callers(after_call.is_some());
                    self.sync_frame_closure();
                    let st = self.iconst(STATUS_ERROR as i64);
                    self.return_status(st);
                }
            }
        }
    }

    /// On a loop's back edge whose body allocates: collect when due (the
    /// interpreter's safe point). Every pointer is in the value stack already.
    pub(crate) fn gc_check(&mut self, pc: usize, state: &State) {
        let bytes = self.load(I64, self.vm, self.abi.vm_heap_bytes);
        let thr = self.load(I64, self.vm, self.abi.vm_heap_threshold);
        let due = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, bytes, thr);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let cont = self.b.create_block();
        self.b.ins().brif(due, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        self.raise_or_go_on(state, cont, |l| l.helper(l.helpers.safepoint, pc));
    }

    /// On a back edge's cold path (in `state`): `call` a helper, then raise its error
    /// (status non-zero) or go on at `cont`, which becomes the current block.
    fn raise_or_go_on(
        &mut self,
        state: &State,
        cont: Block,
        call: impl FnOnce(&mut Self) -> ir::Value,
    ) {
        let saved = std::mem::replace(&mut self.st, state.clone());
        let code = call(self);
        let eb = self.error_block(usize::MAX);
        self.st = saved;
        self.b.ins().brif(code, eb, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Decrement `Vm::countdown` (an event for the limits); when it runs out, continue
    /// in a cold block (the current block on return); returns the block that goes on.
    fn count_down(&mut self) -> Block {
        let cd = self.b.use_var(self.cd);
        let cd1 = self.b.ins().iadd_imm_s(cd, -1);
        self.b.def_var(self.cd, cd1);
        let out = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, cd1, 0);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let cont = self.b.create_block();
        self.b.ins().brif(out, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        cont
    }

    /// An event for the limits at the entry `pc` of the current region (of a function, of
    /// an inlined callee or of a tail callee), in `state`: decrement `Vm::countdown`; when
    /// it runs out, leave for the interpreter at `pc` (`Reason::Tick`), which looks at the
    /// limits at its next call or back edge and raises a limit's error there; the loop
    /// counters of this region and its callers are set to 1, so their next back edges
    /// re-enter compiled code. An entry is not inside a loop of its code, so the exit costs
    /// the hot path nothing; mutual tail recursion through regions re-enters at its next
    /// call.
    pub(crate) fn tick(&mut self, pc: usize, state: &State) {
        let cont = self.count_down();
        self.reenter_soon();
        let exit = self.deopt_block_with(pc, Reason::Tick, usize::MAX, state.clone());
        self.b.ins().jump(exit, &[]);
        self.b.switch_to_block(cont);
    }

    /// An event for the limits on a back edge from `pc` (in `state`): decrement
    /// `Vm::countdown`; when it runs out, call the interpreter's slow path (`jit_tick`:
    /// fuel, deadline, interrupt; it refills the counter) on a cold path, through the
    /// trampoline that clobbers no register, and go on; or raise the limit's error at `pc`,
    /// as the interpreter does at a back edge. Leaving for the interpreter instead would
    /// bring the frame back through an OSR entry at whatever loop it reached next: a
    /// compile for each such entry, and code entered in the middle of a loop nest.
    pub(crate) fn tick_back_edge(&mut self, pc: usize, state: &State) {
        let cont = self.count_down();
        // `Vm::tick` moves neither the value stack nor the frames: `regs` and the frame's
        // address stay as they are (reloading them would make them values the loop carries
        // in new registers, with moves on every iteration).
        self.raise_or_go_on(state, cont, |l| l.call_back_edge_helper(l.helpers.tick, pc));
    }

    /// The current region's function (and an inlined callee's callers) continue in the
    /// interpreter: let their next back edges offer their loops to compiled code again at
    /// once.
    pub(crate) fn reenter_soon(&mut self) {
        let mut r = Some(self.cur);
        while let Some(i) = r {
            let hot = &self.regions[i].proto.jit.loop_hot as *const std::cell::Cell<i32> as i64;
            let at = self.iconst(hot);
            let one = self.b.ins().iconst(I32, 1);
            self.store(one, at, 0);
            r = self.regions[i].parent.as_ref().map(|p| p.region);
        }
    }

    /// Branch to `slow` unless the value stack has room below `top` (a stack index), and
    /// make sure the high-water mark covers it: a collection clears the slots below the
    /// mark that are above the top frame, so none keeps a pointer to a swept object. The
    /// mark never exceeds the stack's length (the stack only grows), so one comparison
    /// with it is the common case.
    pub(crate) fn reserve(&mut self, top: ir::Value, slow: Block) {
        let hw = self.load(I64, self.vm, self.abi.vm_high_water);
        let covered = self.b.ins().icmp(IntCC::UnsignedLessThan, top, hw);
        let grow = self.b.create_block();
        self.b.set_cold_block(grow);
        let ok = self.b.create_block();
        self.b.ins().brif(covered, ok, &[], grow, &[]);
        self.b.switch_to_block(grow);
        let slen = self.load(I64, self.vm, self.abi.vm_stack.len);
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThan, top, slen);
        let set = self.b.create_block();
        self.b.set_cold_block(set);
        self.b.ins().brif(fits, set, &[], slow, &[]);
        self.b.switch_to_block(set);
        let mark = self.b.ins().iadd_imm_s(top, 1);
        self.store(mark, self.vm, self.abi.vm_high_water);
        self.b.ins().jump(ok, &[]);
        self.b.switch_to_block(ok);
    }

    // ----- the function -----

    /// Build the whole function, entered at `entry_pc` in the state `entry`.
    pub fn build(mut self, entry_pc: usize, entry: &State) -> FunctionBuilder<'f> {
        let abi = self.abi;
        self.callable = entry_pc == 0;
        self.loops = self.regions.iter().any(|r| {
            (r.proto.code.iter().enumerate())
                .any(|(pc, i)| flow::jump_target(pc, i).is_some_and(|t| t <= pc))
        });
        // Native stack check: near the end, the interpreter runs this call instead.
        let sp = self.b.ins().get_stack_pointer(I64);
        let lim = self.load(I64, self.vm, abi.vm_jit_stack_limit);
        let low = self.b.ins().icmp(IntCC::UnsignedLessThan, sp, lim);
        let bail = self.b.create_block();
        self.b.set_cold_block(bail);
        let start = self.b.create_block();
        self.b.ins().brif(low, bail, &[], start, &[]);
        self.b.switch_to_block(bail);
        let site = self.sites.add(0, entry_pc as u32, Reason::Stack);
        self.return_deopt(site);

        self.b.switch_to_block(start);
        // The caller passed the registers' address, the frame's address and its index.
        let entry_blk = self.b.func.layout.entry_block().expect("an entry block");
        let params = self.b.block_params(entry_blk).to_vec();
        // The frame index without the `SELF_ENTRY` flag: a block parameter (a masking
        // `band` would be recomputed at every use).
        let flagged = match self.own {
            Some(_) => {
                let flagged = self.b.ins().band_imm_s(params[4], SELF_ENTRY);
                let (setup, fidx) = self.block_with_param(I64);
                let bare = self.b.create_block();
                self.b
                    .ins()
                    .brif(flagged, bare, &[], setup, &[BlockArg::Value(params[4])]);
                self.b.switch_to_block(bare);
                let f = self.b.ins().iadd_imm_s(params[4], -SELF_ENTRY);
                self.jump_with(setup, f);
                self.b.switch_to_block(setup);
                self.fidx = fidx;
                Some(flagged)
            }
            None => {
                self.fidx = params[4];
                None
            }
        };
        self.b.def_var(self.regs, params[2]);
        self.b.def_var(self.frame, params[3]);
        if self
            .regions
            .iter()
            .any(|r| r.depth == 0 && !r.spec.cross.is_empty())
        {
            let v = self.b.declare_var(I64);
            let clo = self.load(I64, params[3], self.abi.frame_closure);
            self.b.def_var(v, clo);
            self.fclo = Some(v);
        }
        let n = self.proto().nregs as usize;
        self.st = vec![Slot::ANY; n];
        let st = self.st.clone();
        // A call: an event for the limits. (A loop is entered from the interpreter's back
        // edge, which counted already, and whose error the interpreter would have raised
        // there.)
        if entry_pc == 0 {
            self.tick(entry_pc, &st);
        }
        if self.allocates() {
            self.gc_check(entry_pc, &st);
        }
        // A call of this function from itself checked the rest already.
        let checked = match flagged {
            Some(flagged) => {
                let inner = self.b.create_block();
                let outer = self.b.create_block();
                self.b.ins().brif(flagged, inner, &[], outer, &[]);
                self.b.switch_to_block(outer);
                Some(inner)
            }
            None => None,
        };
        if self.regions.len() > 1 {
            // The other regions run in this frame: room for the largest (else the
            // interpreter runs the call; it makes room as it goes).
            let most = self.unit_nregs() as i64;
            let top = self.b.ins().iadd_imm_s(self.base, most);
            self.reserve(top, bail);
        }
        self.check_stable(entry_pc, true);
        self.unbox_params(entry_pc, entry, true);
        if let Some(inner) = checked {
            let st = self.st.clone();
            self.goto(usize::MAX, entry_pc, &st);
            self.b.switch_to_block(inner);
            self.check_stable(entry_pc, false);
            self.unbox_params(entry_pc, entry, false);
        }
        let st = self.st.clone();
        self.goto(usize::MAX, entry_pc, &st);

        // Every reachable bytecode block of every region, in order.
        for region in 0..self.regions.len() {
            self.cur = region;
            let code_len = self.proto().code.len();
            for bi in 0..self.flow().starts.len() {
                let start_pc = self.flow().starts[bi];
                let Some(st) = self.states()[start_pc].clone() else {
                    continue;
                };
                let blk = self.block_at(start_pc);
                self.b.switch_to_block(blk);
                self.st = st;
                let range = self.flow().range(bi, code_len);
                let last = range.end - 1;
                let mut open = true;
                for pc in range {
                    if !self.emit(pc) {
                        open = false;
                        break;
                    }
                }
                if !open {
                    continue;
                }
                // A block that ends without a jump falls into the next one.
                let i = &self.proto().code[last];
                let inlined = self.spec().inline.contains_key(&(last as u32));
                if flow::falls_through(i) && flow::jump_target(last, i).is_none() && !inlined {
                    if last + 1 < code_len {
                        let st = self.st.clone();
                        self.goto(last, last + 1, &st);
                    } else {
                        // Falling off the end cannot happen (functions end in a return).
                        let st = self.iconst(STATUS_ERROR as i64);
                        self.return_status(st);
                    }
                }
            }
        }
        self.flush_pending();
        self.b.seal_all_blocks();
        self.b
    }

    /// Unbox the parameters whose types the entry state speculates, checking their tags
    /// first unless a call of this function by itself checked them (`check` false).
    fn unbox_params(&mut self, entry_pc: usize, entry: &State, check: bool) {
        let n = self.proto().nregs as usize;
        self.st = vec![Slot::ANY; n];
        for (r, slot) in entry.iter().enumerate().take(n) {
            let ty = slot.ty;
            if ty == Ty::Any {
                continue;
            }
            if check {
                let tag = self.mem_tag(r);
                let want = self.tag_of_ty(ty);
                let ok = self.tag_is(tag, want);
                let fail = self.deopt_block(entry_pc, Reason::Entry, usize::MAX);
                let cont = self.b.create_block();
                self.b.ins().brif(ok, cont, &[], fail, &[]);
                self.b.switch_to_block(cont);
            }
            let v = self.load_typed(r, ty);
            self.b.def_var(self.var_of(r, ty), v);
            self.st[r] = Slot {
                ty,
                synced: true,
                shape: 0,
            };
        }
    }

    /// The most registers any region of the unit needs (they all run in one frame).
    pub(crate) fn unit_nregs(&self) -> usize {
        self.regions
            .iter()
            .map(|r| r.proto.nregs as usize)
            .max()
            .unwrap_or(0)
    }

    /// Whether self tail call at `pc` of the current region may use the stable globals:
    /// only in region 0 (entered with the closure checked at entry), when no other region
    /// jumps into it (a jump in brings the closure of whatever global it came through).
    pub(crate) fn stable_self(&self, pc: usize) -> bool {
        self.cur == 0
            && self.stable.is_some()
            && self.spec().self_tail.contains(&(pc as u32))
            && !self
                .regions
                .iter()
                .any(|r| r.spec.cross.values().any(|&to| to == 0))
    }

    /// The globals of the unit's tail calls, when nothing in the unit can change them
    /// (`Spec::stable`): check them once, here at entry (and load each one's closure), so
    /// the tail calls need no check. A cross tail call needs the global to hold a closure
    /// of its region's prototype; a self tail call of region 0, the running closure
    /// itself. If one does not, the call runs in the interpreter (a `Callee` exit; after
    /// a few, the unit is compiled again for what the globals hold then, or without this).
    ///
    /// Entered from a call of this function by itself (`check` false), the globals are
    /// as the caller checked them: their closures are loaded without checks (the one a
    /// self tail call needs to be the running closure is still compared with it).
    fn check_stable(&mut self, entry_pc: usize, check: bool) {
        let abi = self.abi;
        // (global, the prototype its closure must have, whether it must be this closure)
        let mut want: Vec<(u32, usize, bool)> = Vec::new();
        for (ri, r) in self.regions.iter().enumerate() {
            for &g in &r.spec.stable {
                for (pc, i) in r.proto.code.iter().enumerate() {
                    let pc32 = pc as u32;
                    match *i {
                        tandem_vm::opcode::Instr::TailCallGlobal { g: gg, .. }
                        | tandem_vm::opcode::Instr::CallGlobal { g: gg, .. }
                            if gg == g => {}
                        _ => continue,
                    }
                    let Some(k) = r.spec.known.get(&pc32) else {
                        continue;
                    };
                    let me = ri == 0 && r.spec.self_tail.contains(&pc32);
                    match want.iter_mut().find(|w| w.0 == g) {
                        Some(w) => w.2 |= me,
                        None => want.push((g, k.rc_word, me)),
                    }
                }
            }
        }
        if want.is_empty() {
            return;
        }
        let clos = match self.stable.clone() {
            Some(clos) => clos,
            None => want
                .iter()
                .map(|&(g, _, _)| (g, self.b.declare_var(I64)))
                .collect::<rustc_hash::FxHashMap<u32, Variable>>(),
        };
        self.st = vec![Slot::ANY; self.proto().nregs as usize];
        let no = self.deopt_block(entry_pc, Reason::Callee, usize::MAX);
        let gp = self.load(I64, self.vm, abi.vm_globals.ptr);
        for &(g, rc, me) in &want {
            let off = self.iconst(16 * g as i64);
            let slot = self.b.ins().iadd(gp, off);
            let clo = if check {
                let tag = self.load(I8, slot, 0);
                let is_clo = self.tag_is(tag, abi.tags.closure);
                let k1 = self.b.create_block();
                self.b.ins().brif(is_clo, k1, &[], no, &[]);
                self.b.switch_to_block(k1);
                let clo = self.load(I64, slot, 8);
                let r = self.load(I64, clo, abi.closure_proto);
                let same = self.b.ins().icmp_imm_s(IntCC::Equal, r, rc as i64);
                let k2 = self.b.create_block();
                self.b.ins().brif(same, k2, &[], no, &[]);
                self.b.switch_to_block(k2);
                clo
            } else {
                self.load(I64, slot, 8)
            };
            if me {
                let cur = self.running_closure();
                let is_me = self.b.ins().icmp(IntCC::Equal, clo, cur);
                let k3 = self.b.create_block();
                self.b.ins().brif(is_me, k3, &[], no, &[]);
                self.b.switch_to_block(k3);
            }
            self.b.def_var(clos[&g], clo);
        }
        self.stable = Some(clos);
    }

    /// Lower the instruction at `pc` (the state before it is `self.st`).
    fn emit(&mut self, pc: usize) -> bool {
        let step = plan(self.proto(), pc, &self.st, self.spec());
        if step.way == Way::Exit {
            let exit = self.deopt_block(pc, Reason::Guard, usize::MAX);
            self.b.ins().jump(exit, &[]);
            return false;
        }
        // Write back what the plan says the value stack holds after this instruction and
        // does not hold now (the lowering syncs its operands itself; this is the rest).
        for r in 0..self.st.len() {
            let (now, after) = (self.st[r], step.next[r]);
            if now.ty != Ty::Any && !now.synced && after.ty == now.ty && after.synced {
                self.sync(r);
            }
        }
        self.lower_instr(pc, &step);
        self.st = step.next;
        true
    }

    /// A block that receives one `i64` parameter.
    pub(crate) fn block_with_param(&mut self, ty: ir::Type) -> (Block, ir::Value) {
        let b = self.b.create_block();
        let v = self.b.append_block_param(b, ty);
        (b, v)
    }

    pub(crate) fn jump_with(&mut self, to: Block, v: ir::Value) {
        self.b.ins().jump(to, &[BlockArg::Value(v)]);
    }
}
