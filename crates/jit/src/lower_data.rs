//! Lowering of the instructions that touch heap data: array and vector elements, struct
//! fields (through inline caches), pairs, type tests, and the allocations with helpers of
//! their own (`CONS`, `NEWSTRUCT`). Fast paths are inline; a failed check exits to the
//! interpreter (`slow_block`) or runs the interpreter's code.

use crate::deopt::Reason;
use crate::lower::{Lower, Tagged};
use crate::types::{field_shape, Step, Ty};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I32, I64, I8};
use cranelift_codegen::ir::{self, InstBuilder};
use tandem_vm::jit_helpers::InlineCache;
use tandem_vm::opcode::Instr;

/// An access of a struct field or an array element: a read into a register, or a write
/// from one.
#[derive(Clone, Copy)]
pub(crate) enum Field {
    Get(usize),
    Set(usize),
}

impl Lower<'_, '_> {
    /// The address of element `idx` of the array in register `obj`, or a jump to `slow`.
    fn array_elem(
        &mut self,
        pc: usize,
        obj: usize,
        idx: usize,
        slow: ir::Block,
    ) -> Option<ir::Value> {
        let tags = self.abi.tags;
        if self.st[obj].ty != Ty::Any {
            return None;
        }
        let hoisted = self.hoisted(pc, obj);
        let iv = match self.st[idx].ty {
            Ty::Int => self.b.use_var(self.vi(idx)),
            Ty::Any => {
                let t = self.mem_tag(idx);
                let ok = self.tag_is(t, tags.int);
                let cont = self.b.create_block();
                self.b.ins().brif(ok, cont, &[], slow, &[]);
                self.b.switch_to_block(cont);
                self.mem_bits(idx, I64)
            }
            _ => return None,
        };
        let (items, len) = match hoisted {
            Some((items, len)) => (self.b.use_var(items), self.b.use_var(len)),
            None => self.array_items(obj, slow),
        };
        // Unsigned: a negative index (counted from the end) takes the slow path.
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, len);
        let c2 = self.b.create_block();
        self.b.ins().brif(inb, c2, &[], slow, &[]);
        self.b.switch_to_block(c2);
        let off = self.b.ins().ishl_imm_u(iv, 4);
        Some(self.b.ins().iadd(items, off))
    }

    /// A struct field read or write through an inline cache: when the object is a struct
    /// of the type the cache remembers, the field is at the remembered index; else
    /// `jit_field` runs the instruction (and remembers this struct's type).
    pub(crate) fn field(&mut self, pc: usize, obj: usize, k: u16, f: Field) {
        let spec = self.spec();
        let spec_ok = !spec.none && !spec.generic.contains(&(pc as u32));
        if let Some((id, index)) = field_shape(self.proto(), &self.st, obj, k, spec_ok) {
            return self.field_of_shape(pc, obj, id, index, f);
        }
        let abi = self.abi;
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let done = self.b.create_block();
        let cache = self.sites.cache() as i64;
        if self.st[obj].ty == Ty::Any {
            let tag = self.mem_tag(obj);
            let is_struct = self.tag_is(tag, abi.tags.strukt);
            let k1 = self.b.create_block();
            self.b.ins().brif(is_struct, k1, &[], slow, &[]);
            self.b.switch_to_block(k1);
            let inst = self.mem_bits(obj, I64);
            let ty = self.load(I64, inst, abi.instance_ty);
            let id = self.load(I64, ty, abi.struct_type_id);
            let cp = self.iconst(cache);
            let cid = self.load(I64, cp, InlineCache::TYPE_ID);
            let hit = self.b.ins().icmp(IntCC::Equal, id, cid);
            let k2 = self.b.create_block();
            self.b.ins().brif(hit, k2, &[], slow, &[]);
            self.b.switch_to_block(k2);
            let idx = self.load(I64, cp, InlineCache::INDEX);
            let fields = self.b.ins().iadd_imm_s(inst, abi.instance_inline as i64);
            let off = self.b.ins().ishl_imm_u(idx, 4);
            let at = self.b.ins().iadd(fields, off);
            self.move_at(pc, f, at);
            self.b.ins().jump(done, &[]);
        } else {
            self.b.ins().jump(slow, &[]);
        }
        self.b.switch_to_block(slow);
        self.spill_reads(pc);
        let pcv = self.b.ins().iconst(I32, pc as i64);
        let cp = self.iconst(cache);
        let sig = self.sigs.field;
        let code = self
            .call_helper(self.helpers.field, sig, &[self.vm, pcv, cp])
            .expect("the field helper returns a code");
        self.reload_regs();
        self.leave_on_exec_error(code);
        if let Field::Get(dst) = f {
            self.expect_load(pc, dst, false);
        }
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// A field access speculating on what the interpreter's cache remembers: the object
    /// is a struct of type `id` (checked unless an earlier check on every path here did:
    /// the slot's `shape`), and the field is at `index`. Anything else leaves compiled code
    /// before the instruction, so the fast path calls nothing.
    fn field_of_shape(&mut self, pc: usize, obj: usize, id: u64, index: usize, f: Field) {
        let abi = self.abi;
        let inst = if self.st[obj].shape == id {
            self.mem_bits(obj, I64)
        } else {
            let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
            let tag = self.mem_tag(obj);
            let is_struct = self.tag_is(tag, abi.tags.strukt);
            let k1 = self.b.create_block();
            self.b.ins().brif(is_struct, k1, &[], exit, &[]);
            self.b.switch_to_block(k1);
            let inst = self.mem_bits(obj, I64);
            let ty = self.load(I64, inst, abi.instance_ty);
            let tid = self.load(I64, ty, abi.struct_type_id);
            let hit = self.b.ins().icmp_imm_s(IntCC::Equal, tid, id as i64);
            let k2 = self.b.create_block();
            self.b.ins().brif(hit, k2, &[], exit, &[]);
            self.b.switch_to_block(k2);
            inst
        };
        let off = abi.instance_inline as i64 + (index * 16) as i64;
        let at = self.b.ins().iadd_imm_s(inst, off);
        self.move_at(pc, f, at);
    }

    /// A record access (`RECGET`, `RECSET`) compiled as `Way::Taken`: the object is an
    /// instance of the struct type the field cache remembers (as for [`Self::field`]), and
    /// that type is the value of the record type's global now; anything else leaves
    /// compiled code before the instruction (the interpreter then runs the code that
    /// raises the record procedure's error). Then the field, and on along the jump.
    pub(crate) fn record_field(&mut self, pc: usize, step: &Step, obj: usize, k: u16, f: Field) {
        let abi = self.abi;
        let proto = self.proto();
        let (id, index) = proto
            .fields
            .get(k as usize)
            .expect("Way::Taken has a cached field");
        let g = match proto.consts.get(k as usize + 1) {
            Some(&tandem_vm::value::Value::Int(g)) => g,
            _ => unreachable!("a record access's field name is followed by its type's global"),
        };
        let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
        let check = |l: &mut Self, ok: ir::Value| {
            let next = l.b.create_block();
            l.b.ins().brif(ok, next, &[], exit, &[]);
            l.b.switch_to_block(next);
        };
        if self.st[obj].shape != id {
            let tag = self.mem_tag(obj);
            let is_struct = self.tag_is(tag, abi.tags.strukt);
            check(self, is_struct);
        }
        let inst = self.mem_bits(obj, I64);
        let ty = self.load(I64, inst, abi.instance_ty);
        if self.st[obj].shape != id {
            let tid = self.load(I64, ty, abi.struct_type_id);
            let hit = self.b.ins().icmp_imm_s(IntCC::Equal, tid, id as i64);
            check(self, hit);
        }
        // The global: a struct type, the instance's.
        let gp = self.load(I64, self.vm, abi.vm_globals.ptr);
        let slot = self.b.ins().iadd_imm_s(gp, 16 * g);
        let gtag = self.load(I8, slot, 0);
        let is_type = self.tag_is(gtag, abi.tags.struct_type);
        check(self, is_type);
        let gty = self.load(I64, slot, 8);
        let same = self.b.ins().icmp(IntCC::Equal, gty, ty);
        check(self, same);
        let off = abi.instance_inline as i64 + (index * 16) as i64;
        let at = self.b.ins().iadd_imm_s(inst, off);
        self.move_at(pc, f, at);
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        self.goto(pc, target, &step.jump);
    }

    /// `RECIS`: when the predicate's global is defined and the type's global holds a
    /// struct type, the type test into `dst` (a bool) and on along the jump; otherwise on
    /// to the next instruction (the predicate's call).
    pub(crate) fn record_test(&mut self, pc: usize, step: &Step, dst: usize, obj: usize, k: u16) {
        let abi = self.abi;
        let proto = self.proto();
        let slot_of = |i: usize| match proto.consts.get(i) {
            Some(&tandem_vm::value::Value::Int(g)) => g,
            _ => unreachable!("a record predicate's constants are global slots"),
        };
        let (gp, gt) = (slot_of(k as usize), slot_of(k as usize + 1));
        let fall = self.edge(pc, pc + 1, &step.next);
        let globals = self.load(I64, self.vm, abi.vm_globals.ptr);
        // A global's slot and its tag.
        let slot = |l: &mut Self, g: i64| {
            let at = l.b.ins().iadd_imm_s(globals, 16 * g);
            (at, l.load(I8, at, 0))
        };
        let (_, ptag) = slot(self, gp);
        let undef = self.tag_is(ptag, abi.tags.undef);
        let k1 = self.b.create_block();
        self.b.ins().brif(undef, fall, &[], k1, &[]);
        self.b.switch_to_block(k1);
        let (tslot, ttag) = slot(self, gt);
        let is_type = self.tag_is(ttag, abi.tags.struct_type);
        let k2 = self.b.create_block();
        self.b.ins().brif(is_type, k2, &[], fall, &[]);
        self.b.switch_to_block(k2);
        let v = if self.st[obj].ty == Ty::Any {
            let o = self.tagged(obj);
            let ty = self.load(I64, tslot, 8);
            self.instance_of(o, ty)
        } else {
            self.iconst(0)
        };
        self.b.def_var(self.vi(dst), v);
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        self.goto(pc, target, &step.jump);
    }

    /// Read the value at `at` into the register (unboxed when the load at `pc` has a
    /// type hint), or write the register there.
    fn move_at(&mut self, pc: usize, f: Field, at: ir::Value) {
        match f {
            Field::Get(dst) => match self.load_hint(pc) {
                Some(ty) => self.load_unboxed(pc, dst, ty, at),
                None => {
                    let p = self.regs();
                    self.copy_value(at, 0, p, self.roff(dst));
                }
            },
            Field::Set(src) => self.write_reg_to(src, at, 0),
        }
    }

    /// The element pointer and length of the array in register `r` (in the value stack);
    /// anything but an array goes to `fail`.
    pub(crate) fn array_items(&mut self, r: usize, fail: ir::Block) -> (ir::Value, ir::Value) {
        let t = self.mem_tag(r);
        let ok = self.tag_is(t, self.abi.tags.array);
        let k = self.b.create_block();
        self.b.ins().brif(ok, k, &[], fail, &[]);
        self.b.switch_to_block(k);
        let arr = self.mem_bits(r, I64);
        let items = self.load(I64, arr, self.abi.array_items.ptr);
        let len = self.load(I64, arr, self.abi.array_items.len);
        (items, len)
    }

    /// An element read (`GETINDEX`, `VECREF`) or write (`SETINDEX`, `VECSET`): an
    /// array's element inline; anything else exits, or (once the site failed too often)
    /// runs the interpreter's code.
    pub(crate) fn index(&mut self, pc: usize, obj: usize, idx: usize, f: Field) {
        let inline = self.st[obj].ty == Ty::Any && matches!(self.st[idx].ty, Ty::Int | Ty::Any);
        let (slow, exits) = self.slow_block(pc, inline);
        let done = self.b.create_block();
        match self.array_elem(pc, obj, idx, slow) {
            Some(e) => {
                self.move_at(pc, f, e);
                self.b.ins().jump(done, &[]);
            }
            None => {
                self.b.ins().jump(slow, &[]);
            }
        }
        if !exits {
            self.b.switch_to_block(slow);
            self.spill_reads(pc);
            let code = self.helper(self.helpers.index, pc);
            self.leave_on_exec_error(code);
            if let Field::Get(dst) = f {
                self.expect_load(pc, dst, false);
            }
            self.b.ins().jump(done, &[]);
        }
        self.b.switch_to_block(done);
    }

    /// Where the fast path of an inlined instruction at `pc` goes when its checks fail:
    /// a deoptimization exit (the interpreter runs the instruction) while that has not
    /// failed too often and the fast path can run at all (`inline`), so that the compiled
    /// path has no call in it and keeps its values in registers; else a cold block (the
    /// second value is false) where the caller runs the interpreter's code and comes back.
    fn slow_block(&mut self, pc: usize, inline: bool) -> (ir::Block, bool) {
        let spec = self.spec();
        if inline && !spec.none && !spec.generic.contains(&(pc as u32)) {
            return (self.deopt_block(pc, Reason::Slow, usize::MAX), true);
        }
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        (slow, false)
    }

    /// `CAR`/`CDR` of an `Any` register: the field of a pair; anything else runs the
    /// interpreter's code (its error).
    pub(crate) fn pair_field(&mut self, pc: usize, dst: usize, src: usize, car: bool) {
        let (slow, exits) = self.slow_block(pc, true);
        let done = self.b.create_block();
        let tag = self.mem_tag(src);
        let ok = self.tag_is(tag, self.abi.tags.pair);
        let fast = self.b.create_block();
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let pair = self.mem_bits(src, I64);
        let off = if car {
            self.abi.pair_car
        } else {
            self.abi.pair_cdr
        };
        let p = self.regs();
        self.copy_value(pair, off, p, self.roff(dst));
        self.b.ins().jump(done, &[]);
        if !exits {
            self.b.switch_to_block(slow);
            self.spill_reads(pc);
            self.exec_checked(pc);
            self.b.ins().jump(done, &[]);
        }
        self.b.switch_to_block(done);
    }

    /// `VECLEN` of an `Any` register: an array's length; anything else runs the
    /// interpreter's code (its error).
    pub(crate) fn vec_len(&mut self, pc: usize, dst: usize, src: usize) {
        let (slow, exits) = self.slow_block(pc, true);
        let (done, len) = self.block_with_param(I64);
        let tag = self.mem_tag(src);
        let ok = self.tag_is(tag, self.abi.tags.array);
        let fast = self.b.create_block();
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let arr = self.mem_bits(src, I64);
        let n = self.load(I64, arr, self.abi.array_items.len);
        self.jump_with(done, n);
        if !exits {
            self.b.switch_to_block(slow);
            self.spill_reads(pc);
            let n = self.exec_reload(pc, dst, Ty::Int);
            self.jump_with(done, n);
        }
        self.b.switch_to_block(done);
        self.b.def_var(self.vi(dst), len);
    }

    /// `ISINST`: a struct whose type is the type in `R[ty]`. (An int, a float or a bool is
    /// no struct.)
    pub(crate) fn is_instance(&mut self, dst: usize, obj: usize, ty: usize) {
        if self.st[obj].ty != Ty::Any || self.st[ty].ty != Ty::Any {
            let no = self.iconst(0);
            self.b.def_var(self.vi(dst), no);
            return;
        }
        let o = self.tagged(obj);
        let t = self.tagged(ty);
        let is_type = self.tag_is(t.tag, self.abi.tags.struct_type);
        let is_type = self.b.ins().uextend(I64, is_type);
        let same = self.instance_of(o, t.bits);
        let v = self.b.ins().band(is_type, same);
        self.b.def_var(self.vi(dst), v);
    }

    /// `CHAREQ` of two `Any` registers: when both hold characters, compare their code
    /// points; anything else leaves compiled code (the interpreter raises the error).
    pub(crate) fn char_eq(&mut self, pc: usize, dst: usize, a: usize, b: usize) {
        let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
        let chr = self.abi.tags.chr;
        let code = |l: &mut Self, r: usize| {
            let t = l.mem_tag(r);
            let ok = l.tag_is(t, chr);
            let k = l.b.create_block();
            l.b.ins().brif(ok, k, &[], exit, &[]);
            l.b.switch_to_block(k);
            let p = l.regs();
            l.load(I32, p, l.roff(r) + 8)
        };
        let x = code(self, a);
        let y = code(self, b);
        let same = self.b.ins().icmp(IntCC::Equal, x, y);
        let v = self.b.ins().uextend(I64, same);
        self.b.def_var(self.vi(dst), v);
    }

    /// `ISINST` as a guard (`types::guards_instance`): anything but an instance of the
    /// struct type in `ty` leaves compiled code here; the result is 1. The object's tag is
    /// not checked again when a field access already checked its type on every path here.
    pub(crate) fn instance_guard(&mut self, pc: usize, dst: usize, obj: usize, ty: usize) {
        let abi = self.abi;
        let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
        if self.st[obj].ty != Ty::Any || self.st[ty].ty != Ty::Any {
            self.b.ins().jump(exit, &[]);
            let k = self.b.create_block();
            self.b.switch_to_block(k);
        } else {
            let check = |l: &mut Self, ok: ir::Value| {
                let k = l.b.create_block();
                l.b.ins().brif(ok, k, &[], exit, &[]);
                l.b.switch_to_block(k);
            };
            let t = self.mem_tag(ty);
            let is_type = self.tag_is(t, abi.tags.struct_type);
            check(self, is_type);
            if self.st[obj].shape == 0 {
                let o = self.mem_tag(obj);
                let is_inst = self.tag_is(o, abi.tags.strukt);
                check(self, is_inst);
            }
            let inst = self.mem_bits(obj, I64);
            let oty = self.load(I64, inst, abi.instance_ty);
            let tb = self.mem_bits(ty, I64);
            let same = self.b.ins().icmp(IntCC::Equal, oty, tb);
            check(self, same);
        }
        let one = self.iconst(1);
        self.b.def_var(self.vi(dst), one);
    }

    /// 1 when `obj` is a struct whose type is `ty` (a struct type's address), else 0.
    pub(crate) fn instance_of(&mut self, obj: Tagged, ty: ir::Value) -> ir::Value {
        let (join, res) = self.block_with_param(I64);
        let is_inst = self.tag_is(obj.tag, self.abi.tags.strukt);
        let inst = self.b.create_block();
        let zero = self.iconst(0);
        self.b
            .ins()
            .brif(is_inst, inst, &[], join, &[ir::BlockArg::Value(zero)]);
        self.b.switch_to_block(inst);
        let t = self.load(I64, obj.bits, self.abi.instance_ty);
        let same = self.b.ins().icmp(IntCC::Equal, t, ty);
        let v = self.b.ins().uextend(I64, same);
        self.jump_with(join, v);
        self.b.switch_to_block(join);
        res
    }

    /// `NEWSTRUCT` of an `Any` register: `jit_new_struct` makes the instance; when the
    /// register holds no struct type, the interpreter's code raises the error.
    pub(crate) fn new_struct(&mut self, pc: usize, dst: usize, ty: usize) {
        let p = self.regs();
        let off = self.roff(ty) as i64;
        let pt = self.b.ins().iadd_imm_s(p, off);
        let sig = self.sigs.value;
        let inst = self
            .call_helper(self.helpers.new_struct, sig, &[self.vm, pt])
            .expect("jit_new_struct returns the instance");
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let fast = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(inst, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let p = self.regs();
        self.store_tagged(p, self.roff(dst), self.abi.tags.strukt, inst);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(slow);
        self.exec_checked(pc);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// `NULLP`, `PAIRP`, `FALSEP`: a test of the register's tag (and of a bool's value).
    pub(crate) fn type_test(&mut self, i: &Instr, dst: usize, src: usize) {
        let tags = self.abi.tags;
        let v = match (self.st[src].ty, i) {
            (Ty::Any, Instr::IsFalse { .. }) => {
                let tag = self.mem_tag(src);
                let is_bool = self.tag_is(tag, tags.bool);
                let p = self.regs();
                let byte = self.load(I8, p, self.roff(src) + 8);
                let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, byte, 0);
                let c = self.b.ins().band(is_bool, is_zero);
                self.b.ins().uextend(I64, c)
            }
            (Ty::Any, _) => {
                let tag = self.mem_tag(src);
                let t = if matches!(i, Instr::IsNull { .. }) {
                    tags.null
                } else {
                    tags.pair
                };
                let c = self.tag_is(tag, t);
                self.b.ins().uextend(I64, c)
            }
            (Ty::Bool, Instr::IsFalse { .. }) => {
                let x = self.b.use_var(self.vi(src));
                self.b.ins().bxor_imm_s(x, 1)
            }
            // An int, a float or a bool is never `()` or a pair; only a bool can be #f.
            _ => self.iconst(0),
        };
        self.b.def_var(self.vi(dst), v);
    }
}
