//! Lowering of the instructions that are not calls: moves, constants, globals, upvalues,
//! arithmetic and comparisons with type guards, branches and loops (heap data is
//! `lower_data.rs`'s). What is not inlined runs through the interpreter's code (`jit_exec`).

use crate::deopt::Reason;
use crate::lower::{Lower, Tagged};
use crate::lower_data::Field;
use crate::types::{Arith, Slot, State, Step, Ty, Way};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F64, I64, I8};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData};
use tandem_vm::jit_helpers::{EXEC_ERROR, EXEC_JUMP};
use tandem_vm::opcode::Instr;
use tandem_vm::Value;

/// An arithmetic operation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    /// Ruff `/`: ints truncate; a zero divisor is an error.
    Div,
    /// Ruff `%` (truncated).
    Mod,
    /// Floored modulo.
    ModFloor,
    /// Scheme `/` on floats.
    DivScheme,
}

/// An operand: a register or an immediate int.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Opd {
    Reg(usize),
    Imm(i64),
}

/// A comparison.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Cmp {
    fn int_cc(self) -> IntCC {
        match self {
            Cmp::Lt => IntCC::SignedLessThan,
            Cmp::Le => IntCC::SignedLessThanOrEqual,
            Cmp::Gt => IntCC::SignedGreaterThan,
            Cmp::Ge => IntCC::SignedGreaterThanOrEqual,
            Cmp::Eq => IntCC::Equal,
        }
    }
    fn float_cc(self) -> FloatCC {
        match self {
            Cmp::Lt => FloatCC::LessThan,
            Cmp::Le => FloatCC::LessThanOrEqual,
            Cmp::Gt => FloatCC::GreaterThan,
            Cmp::Ge => FloatCC::GreaterThanOrEqual,
            Cmp::Eq => FloatCC::Equal,
        }
    }
}

impl Lower<'_, '_> {
    /// Write register `r` to the value stack when it is unboxed, without changing the
    /// state (for slow paths, whose state is not the one control continues with).
    pub(crate) fn spill(&mut self, r: usize) {
        let s = self.st[r];
        if s.ty != Ty::Any && !s.synced {
            let p = self.regs();
            self.write_unboxed(r, s.ty, p, self.roff(r));
        }
    }

    /// Sync every register the instruction at `pc` reads.
    pub(crate) fn sync_reads(&mut self, pc: usize) {
        let mut rd = Vec::new();
        crate::flow::reads(self.proto(), &self.proto().code[pc], &mut rd);
        for r in rd {
            if r < self.st.len() {
                self.sync(r);
            }
        }
    }

    pub(crate) fn spill_reads(&mut self, pc: usize) {
        let mut rd = Vec::new();
        crate::flow::reads(self.proto(), &self.proto().code[pc], &mut rd);
        for r in rd {
            if r < self.st.len() {
                self.spill(r);
            }
        }
    }

    fn int_val(&mut self, o: Opd) -> ir::Value {
        match o {
            Opd::Reg(r) => self.b.use_var(self.vi(r)),
            Opd::Imm(k) => self.iconst(k),
        }
    }

    fn float_val(&mut self, o: Opd) -> ir::Value {
        match o {
            Opd::Reg(r) if self.st[r].ty == Ty::Float => self.b.use_var(self.vf(r)),
            Opd::Reg(r) => {
                let i = self.b.use_var(self.vi(r));
                self.b.ins().fcvt_from_sint(F64, i)
            }
            Opd::Imm(k) => self.b.ins().f64const(k as f64),
        }
    }

    fn opd_tagged(&mut self, o: Opd) -> Tagged {
        match o {
            Opd::Reg(r) => self.tagged(r),
            Opd::Imm(k) => {
                let t = self.abi.tags.int;
                let tag = self.b.ins().iconst(I8, t as i64);
                let bits = self.iconst(k);
                Tagged { tag, bits }
            }
        }
    }

    /// The payload type of `ty` in a Cranelift register.
    pub(crate) fn var_of(&self, r: usize, ty: Ty) -> cranelift_frontend::Variable {
        if ty == Ty::Float {
            self.vf(r)
        } else {
            self.vi(r)
        }
    }

    /// Load register `r` (known to hold a value of type `ty`) from the value stack.
    pub(crate) fn load_typed(&mut self, r: usize, ty: Ty) -> ir::Value {
        let p = self.regs();
        self.payload(p, self.roff(r), ty)
    }

    /// Ruff's float equality: finite values within `f64::EPSILON`, the rest exactly.
    fn float_eq(&mut self, x: ir::Value, y: ir::Value) -> ir::Value {
        let inf = self.b.ins().f64const(f64::INFINITY);
        let ax = self.b.ins().fabs(x);
        let ay = self.b.ins().fabs(y);
        let fx = self.b.ins().fcmp(FloatCC::LessThan, ax, inf);
        let fy = self.b.ins().fcmp(FloatCC::LessThan, ay, inf);
        let finite = self.b.ins().band(fx, fy);
        let d = self.b.ins().fsub(x, y);
        let ad = self.b.ins().fabs(d);
        let eps = self.b.ins().f64const(f64::EPSILON);
        let close = self.b.ins().fcmp(FloatCC::LessThan, ad, eps);
        let same = self.b.ins().fcmp(FloatCC::Equal, x, y);
        self.b.ins().select(finite, close, same)
    }

    /// `x CMP y` on two floats (Scheme code compares for equality exactly).
    fn float_cmp(&mut self, c: Cmp, x: ir::Value, y: ir::Value) -> ir::Value {
        if c == Cmp::Eq && self.proto().wording != tandem_core::ir::Wording::Scheme {
            self.float_eq(x, y)
        } else {
            self.b.ins().fcmp(c.float_cc(), x, y)
        }
    }

    /// `a CMP b` for two operands whose static types are numbers (or bools, for `==`).
    fn typed_cmp(&mut self, c: Cmp, a: Opd, b: Opd) -> ir::Value {
        let ty = |o: Opd, st: &State| match o {
            Opd::Reg(r) => st[r].ty,
            Opd::Imm(_) => Ty::Int,
        };
        let (ta, tb) = (ty(a, &self.st), ty(b, &self.st));
        if (ta == Ty::Int && tb == Ty::Int) || (ta == Ty::Bool && tb == Ty::Bool) {
            let x = self.int_val(a);
            let y = self.int_val(b);
            self.b.ins().icmp(c.int_cc(), x, y)
        } else {
            let x = self.float_val(a);
            let y = self.float_val(b);
            self.float_cmp(c, x, y)
        }
    }

    /// Go to `yes` when both tags are `t`, else to `no` (two branches, not a combined
    /// flag: a known tag folds its branch away).
    fn both_tags(&mut self, a: ir::Value, b: ir::Value, t: u8, yes: ir::Block, no: ir::Block) {
        let at = self.tag_is(a, t);
        let k = self.b.create_block();
        self.b.ins().brif(at, k, &[], no, &[]);
        self.b.switch_to_block(k);
        let bt = self.tag_is(b, t);
        self.b.ins().brif(bt, yes, &[], no, &[]);
    }

    fn is_typed_num(&self, o: Opd) -> bool {
        match o {
            Opd::Reg(r) => self.st[r].is_num(),
            Opd::Imm(_) => true,
        }
    }

    // ----- arithmetic -----

    fn arith(&mut self, pc: usize, op: Op, dst: usize, a: Opd, b: Opd, w: Arith) {
        match w {
            Arith::Int => {
                let x = self.int_val(a);
                let r = match (op, b) {
                    (Op::Add, Opd::Imm(k)) => {
                        // x + k overflows exactly when x is past a bound: one compare.
                        let bad = match k.cmp(&0) {
                            std::cmp::Ordering::Greater => {
                                self.b
                                    .ins()
                                    .icmp_imm_s(IntCC::SignedGreaterThan, x, i64::MAX - k)
                            }
                            std::cmp::Ordering::Less => {
                                self.b
                                    .ins()
                                    .icmp_imm_s(IntCC::SignedLessThan, x, i64::MIN - k)
                            }
                            std::cmp::Ordering::Equal => self.b.ins().iconst(I8, 0),
                        };
                        self.with_slow(pc, bad, dst, Ty::Int, |l| l.b.ins().iadd_imm_s(x, k))
                    }
                    _ => {
                        let y = self.int_val(b);
                        self.int_op(pc, op, x, y, dst)
                    }
                };
                self.b.def_var(self.vi(dst), r);
            }
            Arith::Float => {
                let x = self.float_val(a);
                let y = self.float_val(b);
                let r = self.float_op(pc, op, x, y, dst);
                self.b.def_var(self.vf(dst), r);
            }
            Arith::GuardInt(g) => {
                let tag = self.mem_tag(g);
                let ok = self.tag_is(tag, self.abi.tags.int);
                let fail = self.deopt_block(pc, Reason::Guard, usize::MAX);
                let cont = self.b.create_block();
                self.b.ins().brif(ok, cont, &[], fail, &[]);
                self.b.switch_to_block(cont);
                let v = self.mem_bits(g, I64);
                self.b.def_var(self.vi(g), v);
                self.st[g] = Slot {
                    ty: Ty::Int,
                    synced: true,
                    shape: 0,
                };
                self.arith(pc, op, dst, a, b, Arith::Int);
            }
            Arith::GuardNum(g) => {
                let f = self.guard_num(pc, g);
                let x = if a == Opd::Reg(g) {
                    f
                } else {
                    self.float_val(a)
                };
                let y = if b == Opd::Reg(g) {
                    f
                } else {
                    self.float_val(b)
                };
                let r = self.float_op(pc, op, x, y, dst);
                self.b.def_var(self.vf(dst), r);
            }
            Arith::Generic => self.generic_arith(pc, op, dst, a, b),
        }
    }

    /// Register `g` (in the value stack) as a float: a float, or an int converted;
    /// anything else deoptimizes.
    fn guard_num(&mut self, pc: usize, g: usize) -> ir::Value {
        let tags = self.abi.tags;
        let tag = self.mem_tag(g);
        let is_f = self.tag_is(tag, tags.float);
        let (join, fv) = self.block_with_param(F64);
        let bf = self.b.create_block();
        let chk = self.b.create_block();
        self.b.ins().brif(is_f, bf, &[], chk, &[]);
        self.b.switch_to_block(bf);
        let f = self.mem_bits(g, F64);
        self.jump_with(join, f);
        self.b.switch_to_block(chk);
        let is_i = self.tag_is(tag, tags.int);
        let bi = self.b.create_block();
        let fail = self.deopt_block(pc, Reason::Guard, usize::MAX);
        self.b.ins().brif(is_i, bi, &[], fail, &[]);
        self.b.switch_to_block(bi);
        let i = self.mem_bits(g, I64);
        let f = self.b.ins().fcvt_from_sint(F64, i);
        self.jump_with(join, f);
        self.b.switch_to_block(join);
        fv
    }

    /// A typed instruction with a rare slow case (`bad`: an overflow, a zero divisor):
    /// the value `fast` computes, or else the interpreter finishes the instruction.
    ///
    /// Usually the slow case leaves compiled code (the interpreter runs the instruction
    /// again and raises its error), so a loop has no call in it and keeps its floats in
    /// registers. Where that exit was taken too often (the site is generic now), the slow
    /// case calls the interpreter's code and continues here instead ([`Self::slow_by_call`]).
    fn with_slow(
        &mut self,
        pc: usize,
        bad: ir::Value,
        dst: usize,
        ty: Ty,
        fast: impl FnOnce(&mut Self) -> ir::Value,
    ) -> ir::Value {
        if self.spec().generic.contains(&(pc as u32)) {
            return self.slow_by_call(pc, bad, dst, ty, fast);
        }
        let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
        let cont = self.b.create_block();
        self.b.ins().brif(bad, exit, &[], cont, &[]);
        self.b.switch_to_block(cont);
        fast(self)
    }

    /// The slow case of [`Self::with_slow`] as a call: run the interpreter's code, then
    /// continue with the destination reloaded as `ty`, or deoptimize after the instruction
    /// when it holds something else.
    fn slow_by_call(
        &mut self,
        pc: usize,
        bad: ir::Value,
        dst: usize,
        ty: Ty,
        fast: impl FnOnce(&mut Self) -> ir::Value,
    ) -> ir::Value {
        let pty = if ty == Ty::Float { F64 } else { I64 };
        let (join, res) = self.block_with_param(pty);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let fb = self.b.create_block();
        self.b.ins().brif(bad, slow, &[], fb, &[]);
        self.b.switch_to_block(fb);
        let v = fast(self);
        self.jump_with(join, v);
        self.b.switch_to_block(slow);
        self.spill_reads(pc);
        let v = self.exec_reload(pc, dst, ty);
        self.jump_with(join, v);
        self.b.switch_to_block(join);
        res
    }

    /// Run the instruction at `pc` through the interpreter's code (operands already in
    /// the value stack) and reload `dst` as `ty`, deoptimizing after the instruction if
    /// it is not of that type.
    pub(crate) fn exec_reload(&mut self, pc: usize, dst: usize, ty: Ty) -> ir::Value {
        self.exec_checked(pc);
        let tag = self.mem_tag(dst);
        let ok = self.tag_is(tag, self.tag_of_ty(ty));
        let mut after = self.st.clone();
        after[dst] = Slot::ANY;
        let fail = self.deopt_block_with(pc + 1, Reason::Result, usize::MAX, after);
        let cont = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], fail, &[]);
        self.b.switch_to_block(cont);
        self.load_typed(dst, ty)
    }

    fn int_op(&mut self, pc: usize, op: Op, x: ir::Value, y: ir::Value, dst: usize) -> ir::Value {
        match op {
            Op::Add | Op::Sub | Op::Mul => {
                let (r, of) = match op {
                    Op::Add => self.b.ins().sadd_overflow(x, y),
                    Op::Sub => self.b.ins().ssub_overflow(x, y),
                    _ => self.b.ins().smul_overflow(x, y),
                };
                self.with_slow(pc, of, dst, Ty::Int, |_| r)
            }
            Op::Div | Op::Mod | Op::ModFloor => {
                // Divisors 0 and -1 (an error, or the overflow of MIN / -1) go slow.
                let y1 = self.b.ins().iadd_imm_s(y, 1);
                let bad = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, y1, 2);
                self.with_slow(pc, bad, dst, Ty::Int, |l| match op {
                    Op::Div => l.b.ins().sdiv(x, y),
                    Op::Mod => l.b.ins().srem(x, y),
                    _ => {
                        let r = l.b.ins().srem(x, y);
                        l.floor_adjust(r, y)
                    }
                })
            }
            Op::DivScheme => unreachable!("Scheme division of ints runs the interpreter's code"),
        }
    }

    /// Turn a truncated remainder `r` of division by `y` into the floored one.
    fn floor_adjust(&mut self, r: ir::Value, y: ir::Value) -> ir::Value {
        let zero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let rs = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        let ys = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, y, 0);
        let differ = self.b.ins().bxor(rs, ys);
        let adj = self.b.ins().band(zero, differ);
        let ry = self.b.ins().iadd(r, y);
        self.b.ins().select(adj, ry, r)
    }

    fn float_op(&mut self, pc: usize, op: Op, x: ir::Value, y: ir::Value, dst: usize) -> ir::Value {
        match op {
            Op::Add => self.b.ins().fadd(x, y),
            Op::Sub => self.b.ins().fsub(x, y),
            Op::Mul => self.b.ins().fmul(x, y),
            Op::DivScheme => self.b.ins().fdiv(x, y),
            Op::Div => {
                // Ruff: a zero divisor is an error, raised by the interpreter's code.
                let zero = self.b.ins().f64const(0.0);
                let bad = self.b.ins().fcmp(FloatCC::Equal, y, zero);
                self.with_slow(pc, bad, dst, Ty::Float, |l| l.b.ins().fdiv(x, y))
            }
            Op::Mod | Op::ModFloor => unreachable!("float remainders run the interpreter's code"),
        }
    }

    /// Arithmetic on operands of unknown types: ints and floats inline, the rest through
    /// the interpreter's code; the result goes to the value stack.
    fn generic_arith(&mut self, pc: usize, op: Op, dst: usize, a: Opd, b: Opd) {
        for o in [a, b] {
            if let Opd::Reg(r) = o {
                self.sync(r);
            }
        }
        let tags = self.abi.tags;
        let ta = self.opd_tagged(a);
        let tb = self.opd_tagged(b);
        let done = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        // Both ints.
        let int_b = self.b.create_block();
        let not_ii = self.b.create_block();
        self.both_tags(ta.tag, tb.tag, tags.int, int_b, not_ii);
        self.b.switch_to_block(int_b);
        let (x, y) = (ta.bits, tb.bits);
        let (r, bad) = match op {
            Op::Add => self.b.ins().sadd_overflow(x, y),
            Op::Sub => self.b.ins().ssub_overflow(x, y),
            Op::Mul => self.b.ins().smul_overflow(x, y),
            _ => {
                // Division: 0 and -1 go slow.
                let y1 = self.b.ins().iadd_imm_s(y, 1);
                let bad = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, y1, 2);
                let ok = self.b.create_block();
                let (j, r) = self.block_with_param(I64);
                let zero = self.iconst(0);
                self.b
                    .ins()
                    .brif(bad, j, &[ir::BlockArg::Value(zero)], ok, &[]);
                self.b.switch_to_block(ok);
                let q = self.b.ins().sdiv(x, y);
                self.jump_with(j, q);
                self.b.switch_to_block(j);
                (r, bad)
            }
        };
        let store_i = self.b.create_block();
        self.b.ins().brif(bad, slow, &[], store_i, &[]);
        self.b.switch_to_block(store_i);
        let p = self.regs();
        self.store_tagged(p, self.roff(dst), tags.int, r);
        self.b.ins().jump(done, &[]);
        // Both floats.
        self.b.switch_to_block(not_ii);
        let flt = self.b.create_block();
        self.both_tags(ta.tag, tb.tag, tags.float, flt, slow);
        self.b.switch_to_block(flt);
        let x = self.b.ins().bitcast(F64, MemFlagsData::new(), ta.bits);
        let y = self.b.ins().bitcast(F64, MemFlagsData::new(), tb.bits);
        let r = match op {
            Op::Add => self.b.ins().fadd(x, y),
            Op::Sub => self.b.ins().fsub(x, y),
            Op::Mul => self.b.ins().fmul(x, y),
            _ => {
                let zero = self.b.ins().f64const(0.0);
                let bad = self.b.ins().fcmp(FloatCC::Equal, y, zero);
                let ok = self.b.create_block();
                self.b.ins().brif(bad, slow, &[], ok, &[]);
                self.b.switch_to_block(ok);
                self.b.ins().fdiv(x, y)
            }
        };
        let p = self.regs();
        self.store_tagged(p, self.roff(dst), tags.float, r);
        self.b.ins().jump(done, &[]);
        // Everything else.
        self.b.switch_to_block(slow);
        self.exec_checked(pc);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    // ----- branches -----

    /// Jump when `a CMP b` is `when` (the taken edge is the instruction's jump).
    fn cmp_jump(&mut self, pc: usize, step: &Step, c: Cmp, a: Opd, b: Opd, when: bool) {
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        let fall = pc + 1;
        let both_typed = self.is_typed_num(a) && self.is_typed_num(b);
        let bools = c == Cmp::Eq
            && [a, b]
                .iter()
                .all(|o| matches!(o, Opd::Reg(r) if self.st[*r].ty == Ty::Bool));
        if both_typed || bools {
            let cond = self.typed_cmp(c, a, b);
            self.branch_when(pc, step, cond, when, target, fall);
            return;
        }
        // Dispatch on the tags: int/int and float/float inline, else the interpreter.
        let tags = self.abi.tags;
        let ta = self.opd_tagged(a);
        let tb = self.opd_tagged(b);
        let int_b = self.b.create_block();
        let not_ii = self.b.create_block();
        self.both_tags(ta.tag, tb.tag, tags.int, int_b, not_ii);
        self.b.switch_to_block(int_b);
        let cond = self.b.ins().icmp(c.int_cc(), ta.bits, tb.bits);
        self.branch_when(pc, step, cond, when, target, fall);
        self.b.switch_to_block(not_ii);
        let flt = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        self.both_tags(ta.tag, tb.tag, tags.float, flt, slow);
        self.b.switch_to_block(flt);
        let x = self.b.ins().bitcast(F64, MemFlagsData::new(), ta.bits);
        let y = self.b.ins().bitcast(F64, MemFlagsData::new(), tb.bits);
        let cond = self.float_cmp(c, x, y);
        self.branch_when(pc, step, cond, when, target, fall);
        self.b.switch_to_block(slow);
        match (c, a, b) {
            (Cmp::Eq, Opd::Reg(a), Opd::Reg(b)) => {
                let eq = self.values_equal(pc, a, b);
                let cond = self.b.ins().icmp_imm_s(IntCC::NotEqual, eq, 0);
                self.branch_when(pc, step, cond, when, target, fall);
            }
            _ => self.slow_jump(pc, step),
        }
    }

    /// `==` of registers `a` and `b` by the interpreter's function (`jit_values_equal`,
    /// called directly: it neither allocates nor fails), as 0 or 1. The registers go to
    /// the value stack first.
    fn values_equal(&mut self, pc: usize, a: usize, b: usize) -> ir::Value {
        self.spill_reads(pc);
        let p = self.regs();
        let (oa, ob) = (self.roff(a) as i64, self.roff(b) as i64);
        let pa = self.b.ins().iadd_imm_s(p, oa);
        let pb = self.b.ins().iadd_imm_s(p, ob);
        let exact = (self.proto().wording == tandem_core::ir::Wording::Scheme) as i64;
        let exact = self.iconst(exact);
        let f = self.iconst(self.helpers.equal as i64);
        let call = self
            .b
            .ins()
            .call_indirect(self.sigs.cons, f, &[pa, pb, exact]);
        self.b.inst_results(call)[0]
    }

    /// Branch to the jump target when `cond == when`.
    fn branch_when(
        &mut self,
        pc: usize,
        step: &Step,
        cond: ir::Value,
        when: bool,
        target: usize,
        fall: usize,
    ) {
        if when {
            self.branch(pc, cond, target, &step.jump, fall, &step.next);
        } else {
            self.branch(pc, cond, fall, &step.next, target, &step.jump);
        }
    }

    /// Decide a conditional jump with the interpreter's code.
    fn slow_jump(&mut self, pc: usize, step: &Step) {
        self.spill_reads(pc);
        let code = self.exec(pc);
        self.leave_on_exec_error(code);
        let taken = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, code, EXEC_JUMP as i64);
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        self.branch(pc, taken, target, &step.jump, pc + 1, &step.next);
    }

    /// Ruff truthiness of register `r`, inline for bools, null, ints and floats; `None`
    /// when the type is not known and the tag is none of those (the caller's slow path).
    fn truth_jump(&mut self, pc: usize, step: &Step, r: usize, jump_if_truthy: bool) {
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        let fall = pc + 1;
        let s = self.st[r];
        match s.ty {
            Ty::Int | Ty::Bool => {
                let x = self.b.use_var(self.vi(r));
                let t = self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0);
                self.branch_when(pc, step, t, jump_if_truthy, target, fall);
            }
            Ty::Float => {
                let x = self.b.use_var(self.vf(r));
                let zero = self.b.ins().f64const(0.0);
                let t = self.b.ins().fcmp(FloatCC::NotEqual, x, zero);
                self.branch_when(pc, step, t, jump_if_truthy, target, fall);
            }
            Ty::Any => {
                let tags = self.abi.tags;
                let tag = self.mem_tag(r);
                let bits = self.mem_bits(r, I64);
                // Bools and ints: truthy when the payload is not 0 (a bool's is 0 or 1).
                let p = self.regs();
                let byte = self.load(I8, p, self.roff(r) + 8);
                let is_b = self.tag_is(tag, tags.bool);
                let bb = self.b.create_block();
                let n1 = self.b.create_block();
                self.b.ins().brif(is_b, bb, &[], n1, &[]);
                self.b.switch_to_block(bb);
                let t = self.b.ins().icmp_imm_s(IntCC::NotEqual, byte, 0);
                self.branch_when(pc, step, t, jump_if_truthy, target, fall);
                self.b.switch_to_block(n1);
                let is_i = self.tag_is(tag, tags.int);
                let ib = self.b.create_block();
                let n2 = self.b.create_block();
                self.b.ins().brif(is_i, ib, &[], n2, &[]);
                self.b.switch_to_block(ib);
                let t = self.b.ins().icmp_imm_s(IntCC::NotEqual, bits, 0);
                self.branch_when(pc, step, t, jump_if_truthy, target, fall);
                self.b.switch_to_block(n2);
                let is_n = self.tag_is(tag, tags.null);
                let nb = self.b.create_block();
                let n3 = self.b.create_block();
                self.b.ins().brif(is_n, nb, &[], n3, &[]);
                self.b.switch_to_block(nb);
                // Null is falsy.
                if jump_if_truthy {
                    self.goto(pc, fall, &step.next);
                } else {
                    self.goto(pc, target, &step.jump);
                }
                self.b.switch_to_block(n3);
                let is_f = self.tag_is(tag, tags.float);
                let fb = self.b.create_block();
                let slow = self.b.create_block();
                self.b.set_cold_block(slow);
                self.b.ins().brif(is_f, fb, &[], slow, &[]);
                self.b.switch_to_block(fb);
                let x = self.b.ins().bitcast(F64, MemFlagsData::new(), bits);
                let zero = self.b.ins().f64const(0.0);
                let t = self.b.ins().fcmp(FloatCC::NotEqual, x, zero);
                self.branch_when(pc, step, t, jump_if_truthy, target, fall);
                self.b.switch_to_block(slow);
                self.slow_jump(pc, step);
            }
        }
    }

    // ----- loops -----

    fn range_prep(&mut self, pc: usize, step: &Step, b: usize) {
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        if step.way == Way::Exec {
            self.spill_reads(pc);
            let code = self.exec(pc);
            let err = self
                .b
                .ins()
                .icmp_imm_s(IntCC::Equal, code, EXEC_ERROR as i64);
            let eb = self.error_block(usize::MAX);
            let ok = self.b.create_block();
            self.b.ins().brif(err, eb, &[], ok, &[]);
            self.b.switch_to_block(ok);
            // The counters are ints now (else the instruction raised an error).
            for k in 0..3 {
                let v = self.mem_bits(b + k, I64);
                self.b.def_var(self.vi(b + k), v);
            }
            let taken = self
                .b
                .ins()
                .icmp_imm_s(IntCC::Equal, code, EXEC_JUMP as i64);
            let fallb = self.b.create_block();
            let tb = self.edge(pc, target, &step.jump);
            self.b.ins().brif(taken, tb, &[], fallb, &[]);
            self.b.switch_to_block(fallb);
            let v = self.mem_bits(b + 3, I64);
            self.b.def_var(self.vi(b + 3), v);
            self.goto(pc, pc + 1, &step.next);
            return;
        }
        let start = self.b.use_var(self.vi(b));
        let end = self.b.use_var(self.vi(b + 1));
        let stp = self.b.use_var(self.vi(b + 2));
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, stp, 0);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let ok = self.b.create_block();
        self.b.ins().brif(zero, slow, &[], ok, &[]);
        self.b.switch_to_block(slow);
        // A zero step: the interpreter's code raises the error.
        self.spill_reads(pc);
        self.exec(pc);
        let eb = self.error_block(usize::MAX);
        self.b.ins().jump(eb, &[]);
        self.b.switch_to_block(ok);
        let up = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, stp, 0);
        let ge = self
            .b
            .ins()
            .icmp(IntCC::SignedGreaterThanOrEqual, start, end);
        let le = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, start, end);
        let empty = self.b.ins().select(up, ge, le);
        let fallb = self.b.create_block();
        let tb = self.edge(pc, target, &step.jump);
        self.b.ins().brif(empty, tb, &[], fallb, &[]);
        self.b.switch_to_block(fallb);
        self.b.def_var(self.vi(b + 3), start);
        self.goto(pc, pc + 1, &step.next);
    }

    /// `for x in v` over an array or an int, inline: the next element into `dst` and the
    /// position on, or the jump out when done. Other iteration states (and a position
    /// that is not an int) go through the interpreter's code.
    fn iter_next(&mut self, pc: usize, step: &Step, b: usize, dst: usize) {
        let tags = self.abi.tags;
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        if self.st[b].ty != Ty::Any || self.st[b + 1].ty != Ty::Any {
            self.slow_jump(pc, step);
            return;
        }
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let it = self.mem_tag(b + 1);
        let is_int = self.tag_is(it, tags.int);
        let k0 = self.b.create_block();
        self.b.ins().brif(is_int, k0, &[], slow, &[]);
        self.b.switch_to_block(k0);
        let i = self.mem_bits(b + 1, I64);
        let t = self.mem_tag(b);
        let is_arr = self.tag_is(t, tags.array);
        let arr_b = self.b.create_block();
        let not_arr = self.b.create_block();
        self.b.ins().brif(is_arr, arr_b, &[], not_arr, &[]);
        // An array: the element at the position, while there is one.
        self.b.switch_to_block(arr_b);
        let arr = self.mem_bits(b, I64);
        let len = self.load(I64, arr, self.abi.array_items.len);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        let elem = self.b.create_block();
        let out = self.edge(pc, target, &step.jump);
        self.b.ins().brif(more, elem, &[], out, &[]);
        self.b.switch_to_block(elem);
        let items = self.load(I64, arr, self.abi.array_items.ptr);
        let off = self.b.ins().ishl_imm_u(i, 4);
        let at = self.b.ins().iadd(items, off);
        let p = self.regs();
        self.copy_value(at, 0, p, self.roff(dst));
        let i1 = self.b.ins().iadd_imm_s(i, 1);
        self.store_tagged(p, self.roff(b + 1), tags.int, i1);
        self.goto(pc, pc + 1, &step.next);
        // An int n: the positions 0 .. n.
        self.b.switch_to_block(not_arr);
        let is_n = self.tag_is(t, tags.int);
        let int_b = self.b.create_block();
        self.b.ins().brif(is_n, int_b, &[], slow, &[]);
        self.b.switch_to_block(int_b);
        let n = self.mem_bits(b, I64);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, n);
        let next = self.b.create_block();
        let out = self.edge(pc, target, &step.jump);
        self.b.ins().brif(more, next, &[], out, &[]);
        self.b.switch_to_block(next);
        let p = self.regs();
        self.store_tagged(p, self.roff(dst), tags.int, i);
        let i1 = self.b.ins().iadd_imm_s(i, 1);
        self.store_tagged(p, self.roff(b + 1), tags.int, i1);
        self.goto(pc, pc + 1, &step.next);
        self.b.switch_to_block(slow);
        self.slow_jump(pc, step);
    }

    fn range_next(&mut self, pc: usize, step: &Step, b: usize) {
        let target = crate::flow::jump_target(pc, &self.proto().code[pc]).expect("a jump");
        if step.way == Way::Exec {
            self.slow_jump(pc, step);
            return;
        }
        let cur = self.b.use_var(self.vi(b));
        let end = self.b.use_var(self.vi(b + 1));
        let stp = self.b.use_var(self.vi(b + 2));
        // The direction never changes in a loop: a branch on it predicts perfectly, and
        // each way is one add and one compare (an overflow ends the loop: the true sum
        // is past any bound).
        let fb = self.edge(pc, pc + 1, &step.next);
        let (again, next) = self.block_with_param(I64);
        let (upb, downb) = (self.b.create_block(), self.b.create_block());
        let up = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, stp, 0);
        self.b.ins().brif(up, upb, &[], downb, &[]);
        for (blk, cc) in [
            (upb, IntCC::SignedLessThan),
            (downb, IntCC::SignedGreaterThan),
        ] {
            self.b.switch_to_block(blk);
            let (n, of) = self.b.ins().sadd_overflow(cur, stp);
            let k = self.b.create_block();
            self.b.ins().brif(of, fb, &[], k, &[]);
            self.b.switch_to_block(k);
            let inr = self.b.ins().icmp(cc, n, end);
            self.b
                .ins()
                .brif(inr, again, &[ir::BlockArg::Value(n)], fb, &[]);
        }
        self.b.switch_to_block(again);
        self.b.def_var(self.vi(b), next);
        self.b.def_var(self.vi(b + 3), next);
        self.goto(pc, target, &step.jump);
    }

    // ----- the dispatch -----

    /// Lower the instruction at `pc`, as `step` decided.
    pub(crate) fn lower_instr(&mut self, pc: usize, step: &Step) {
        let i = self.proto().code[pc];
        let tags = self.abi.tags;
        let r = |x: u8| x as usize;
        match i {
            Instr::Move { dst, src } => {
                let (d, s) = (r(dst), r(src));
                match self.st[s].ty {
                    Ty::Any => {
                        let p = self.regs();
                        self.copy_value(p, self.roff(s), p, self.roff(d));
                    }
                    ty => {
                        let v = self.unboxed(s, ty);
                        let var = self.var_of(d, ty);
                        self.b.def_var(var, v);
                    }
                }
            }
            Instr::LoadK { dst, k } => {
                let d = r(dst);
                match self.proto().consts[k as usize] {
                    Value::Int(x) => {
                        let v = self.iconst(x);
                        self.b.def_var(self.vi(d), v);
                    }
                    Value::Float(x) => {
                        let v = self.b.ins().f64const(x);
                        self.b.def_var(self.vf(d), v);
                    }
                    Value::Bool(x) => {
                        let v = self.iconst(x as i64);
                        self.b.def_var(self.vi(d), v);
                    }
                    _ => {
                        let addr = self.proto().consts.as_ptr() as i64 + 16 * k as i64;
                        let from = self.iconst(addr);
                        let p = self.regs();
                        self.copy_value(from, 0, p, self.roff(d));
                    }
                }
            }
            Instr::LoadInt { dst, imm } => {
                let v = self.iconst(imm as i64);
                self.b.def_var(self.vi(r(dst)), v);
            }
            Instr::LoadTrue { dst } | Instr::LoadFalse { dst } => {
                let v = self.iconst(matches!(i, Instr::LoadTrue { .. }) as i64);
                self.b.def_var(self.vi(r(dst)), v);
            }
            Instr::LoadNull { dst } => {
                let p = self.regs();
                let z = self.iconst(0);
                self.store_tagged(p, self.roff(r(dst)), tags.null, z);
            }
            Instr::GetGlobal { dst, g } => {
                // An undefined global: the interpreter raises the error.
                let gp = self.load(I64, self.vm, self.abi.vm_globals.ptr);
                let off = self.iconst(16 * g as i64);
                let slot = self.b.ins().iadd(gp, off);
                let tag = self.load(I8, slot, 0);
                let undef = self.tag_is(tag, tags.undef);
                let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
                let fast = self.b.create_block();
                self.b.ins().brif(undef, exit, &[], fast, &[]);
                self.b.switch_to_block(fast);
                let p = self.regs();
                self.copy_value(slot, 0, p, self.roff(r(dst)));
            }
            Instr::SetGlobal { src, g } => {
                // An immutable global: the interpreter raises the error.
                let ip = self.load(I64, self.vm, self.abi.vm_immutable.ptr);
                let off = self.iconst(g as i64);
                let fa = self.b.ins().iadd(ip, off);
                let imm = self.load(I8, fa, 0);
                let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
                let fast = self.b.create_block();
                self.b.ins().brif(imm, exit, &[], fast, &[]);
                self.b.switch_to_block(fast);
                let gp = self.load(I64, self.vm, self.abi.vm_globals.ptr);
                let off = self.iconst(16 * g as i64);
                let slot = self.b.ins().iadd(gp, off);
                self.write_reg_to(r(src), slot, 0);
            }
            Instr::GetUpval { dst, u } => {
                let up = self.upvals();
                let p = self.regs();
                self.copy_value(up, 16 * u as i32, p, self.roff(r(dst)));
            }
            Instr::GetUpvalBox { dst, u } => {
                let up = self.upvals();
                let bx = self.box_in(pc, up, 16 * u as i32);
                let p = self.regs();
                self.copy_value(bx, self.abi.box_value, p, self.roff(r(dst)));
            }
            Instr::SetUpvalBox { u, src } => {
                let up = self.upvals();
                let bx = self.box_in(pc, up, 16 * u as i32);
                self.write_reg_to(r(src), bx, self.abi.box_value);
            }
            Instr::GetBox { dst, bx } => {
                let p = self.regs();
                let b = self.box_in(pc, p, self.roff(r(bx)));
                let p = self.regs();
                self.copy_value(b, self.abi.box_value, p, self.roff(r(dst)));
            }
            Instr::SetBox { bx, src } => {
                let p = self.regs();
                let b = self.box_in(pc, p, self.roff(r(bx)));
                self.write_reg_to(r(src), b, self.abi.box_value);
            }
            Instr::Add { dst, a, b } | Instr::Sub { dst, a, b } | Instr::Mul { dst, a, b } => {
                let op = match i {
                    Instr::Add { .. } => Op::Add,
                    Instr::Sub { .. } => Op::Sub,
                    _ => Op::Mul,
                };
                let Way::Arith(w) = step.way else {
                    unreachable!()
                };
                self.arith(pc, op, r(dst), Opd::Reg(r(a)), Opd::Reg(r(b)), w);
            }
            Instr::Div { dst, a, b } => {
                let Way::Arith(w) = step.way else {
                    unreachable!()
                };
                self.arith(pc, Op::Div, r(dst), Opd::Reg(r(a)), Opd::Reg(r(b)), w);
            }
            Instr::AddInt { dst, a, imm } | Instr::MulInt { dst, a, imm } => {
                let op = if matches!(i, Instr::AddInt { .. }) {
                    Op::Add
                } else {
                    Op::Mul
                };
                let Way::Arith(w) = step.way else {
                    unreachable!()
                };
                self.arith(pc, op, r(dst), Opd::Reg(r(a)), Opd::Imm(imm as i64), w);
            }
            Instr::Mod { dst, a, b }
            | Instr::ModFloor { dst, a, b }
            | Instr::Quot { dst, a, b } => {
                let op = match i {
                    Instr::Mod { .. } => Op::Mod,
                    Instr::ModFloor { .. } => Op::ModFloor,
                    // Two ints: C's truncated division (the slow path for 0 and -1).
                    _ => Op::Div,
                };
                match step.way {
                    Way::Arith(w) => self.arith(pc, op, r(dst), Opd::Reg(r(a)), Opd::Reg(r(b)), w),
                    _ => self.slow_instr(pc, step, r(dst)),
                }
            }
            Instr::ModInt { dst, a, imm } | Instr::ModFloorInt { dst, a, imm } => {
                let floor = matches!(i, Instr::ModFloorInt { .. });
                match step.way {
                    Way::Arith(w) if imm > 0 => {
                        if let Arith::GuardInt(g) = w {
                            self.guard_int(pc, g);
                        }
                        let x = self.b.use_var(self.vi(r(a)));
                        let mut v = self.b.ins().srem_imm_s(x, imm as i64);
                        if floor {
                            let k = self.iconst(imm as i64);
                            v = self.floor_adjust(v, k);
                        }
                        self.b.def_var(self.vi(r(dst)), v);
                    }
                    Way::Arith(w) => {
                        // A divisor the compiler never emits: the interpreter's code.
                        if let Arith::GuardInt(g) = w {
                            self.guard_int(pc, g);
                        }
                        self.sync_reads(pc);
                        let v = self.exec_reload(pc, r(dst), Ty::Int);
                        self.b.def_var(self.vi(r(dst)), v);
                    }
                    _ => self.slow_instr(pc, step, r(dst)),
                }
            }
            Instr::DivScheme { dst, a, b } => match step.way {
                Way::Arith(w) => {
                    self.arith(pc, Op::DivScheme, r(dst), Opd::Reg(r(a)), Opd::Reg(r(b)), w)
                }
                _ => self.slow_instr(pc, step, r(dst)),
            },
            Instr::Neg { dst, src } => match self.st[r(src)].ty {
                Ty::Int => {
                    let x = self.b.use_var(self.vi(r(src)));
                    let z = self.iconst(0);
                    let (v, of) = self.b.ins().ssub_overflow(z, x);
                    let v = self.with_slow(pc, of, r(dst), Ty::Int, |_| v);
                    self.b.def_var(self.vi(r(dst)), v);
                }
                Ty::Float => {
                    let x = self.b.use_var(self.vf(r(src)));
                    let v = self.b.ins().fneg(x);
                    self.b.def_var(self.vf(r(dst)), v);
                }
                _ => self.slow_instr(pc, step, r(dst)),
            },
            Instr::Not { dst, src } => {
                if self.st[r(src)].ty == Ty::Bool {
                    let x = self.b.use_var(self.vi(r(src)));
                    let v = self.b.ins().bxor_imm_s(x, 1);
                    self.b.def_var(self.vi(r(dst)), v);
                } else {
                    self.slow_instr(pc, step, r(dst));
                }
            }
            Instr::Truthy { dst, src } => {
                let s = r(src);
                match self.st[s].ty {
                    Ty::Int | Ty::Bool => {
                        let x = self.b.use_var(self.vi(s));
                        let c = self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0);
                        let v = self.b.ins().uextend(I64, c);
                        self.b.def_var(self.vi(r(dst)), v);
                    }
                    Ty::Float => {
                        let x = self.b.use_var(self.vf(s));
                        let zero = self.b.ins().f64const(0.0);
                        let c = self.b.ins().fcmp(FloatCC::NotEqual, x, zero);
                        let v = self.b.ins().uextend(I64, c);
                        self.b.def_var(self.vi(r(dst)), v);
                    }
                    Ty::Any => self.slow_instr(pc, step, r(dst)),
                }
            }
            Instr::Eq { dst, a, b }
            | Instr::Ne { dst, a, b }
            | Instr::Lt { dst, a, b }
            | Instr::Le { dst, a, b } => {
                let eq = matches!(i, Instr::Eq { .. } | Instr::Ne { .. });
                if let (Way::SlowTyped(_), true) = (step.way, eq) {
                    // The result goes to the value stack too (the plan says so).
                    let mut v = self.values_equal(pc, r(a), r(b));
                    if matches!(i, Instr::Ne { .. }) {
                        v = self.b.ins().bxor_imm_s(v, 1);
                    }
                    let p = self.regs();
                    self.store_tagged(p, self.roff(r(dst)), self.abi.tags.bool, v);
                    self.b.def_var(self.vi(r(dst)), v);
                } else if let Way::SlowTyped(_) = step.way {
                    self.slow_instr(pc, step, r(dst));
                } else {
                    let (c, neg) = match i {
                        Instr::Eq { .. } => (Cmp::Eq, false),
                        Instr::Ne { .. } => (Cmp::Eq, true),
                        Instr::Lt { .. } => (Cmp::Lt, false),
                        _ => (Cmp::Le, false),
                    };
                    let mut cond = self.typed_cmp(c, Opd::Reg(r(a)), Opd::Reg(r(b)));
                    if neg {
                        cond = self.b.ins().bxor_imm_s(cond, 1);
                    }
                    let v = self.b.ins().uextend(I64, cond);
                    self.b.def_var(self.vi(r(dst)), v);
                }
            }
            Instr::Jmp { .. } => {
                let t = crate::flow::jump_target(pc, &i).expect("a jump");
                self.goto(pc, t, &step.jump);
            }
            Instr::JmpFalsy { src, .. } => self.truth_jump(pc, step, r(src), false),
            Instr::JmpTruthy { src, .. } => self.truth_jump(pc, step, r(src), true),
            Instr::JmpFalse { src, .. } if step.way == Way::NotTaken => {
                // (The source is an `ISINST`'s bool: its guard made it 1.)
                let x = self.b.use_var(self.vi(r(src)));
                let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
                let t = self.edge(pc, pc + 1, &step.next);
                self.b.ins().brif(x, t, &[], exit, &[]);
            }
            Instr::JmpFalse { src, .. } => {
                let t = crate::flow::jump_target(pc, &i).expect("a jump");
                let s = r(src);
                match self.st[s].ty {
                    Ty::Bool => {
                        let x = self.b.use_var(self.vi(s));
                        let c = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                        self.branch(pc, c, t, &step.jump, pc + 1, &step.next);
                    }
                    Ty::Int | Ty::Float => self.goto(pc, pc + 1, &step.next),
                    Ty::Any => {
                        let tag = self.mem_tag(s);
                        let is_b = self.tag_is(tag, tags.bool);
                        let p = self.regs();
                        let byte = self.load(I8, p, self.roff(s) + 8);
                        let f = self.b.ins().icmp_imm_s(IntCC::Equal, byte, 0);
                        let c = self.b.ins().band(is_b, f);
                        self.branch(pc, c, t, &step.jump, pc + 1, &step.next);
                    }
                }
            }
            Instr::JmpNotNull { src, .. } => {
                let t = crate::flow::jump_target(pc, &i).expect("a jump");
                let s = r(src);
                if self.st[s].ty == Ty::Any {
                    let tag = self.mem_tag(s);
                    let c = self
                        .b
                        .ins()
                        .icmp_imm_s(IntCC::NotEqual, tag, tags.null as i64);
                    self.branch(pc, c, t, &step.jump, pc + 1, &step.next);
                } else {
                    self.goto(pc, t, &step.jump);
                }
            }
            Instr::JmpNotLt { a, b, .. } => {
                self.cmp_jump(pc, step, Cmp::Lt, Opd::Reg(r(a)), Opd::Reg(r(b)), false)
            }
            Instr::JmpNotLe { a, b, .. } => {
                self.cmp_jump(pc, step, Cmp::Le, Opd::Reg(r(a)), Opd::Reg(r(b)), false)
            }
            Instr::JmpNotEq { a, b, .. } => {
                self.cmp_jump(pc, step, Cmp::Eq, Opd::Reg(r(a)), Opd::Reg(r(b)), false)
            }
            Instr::JmpEq { a, b, .. } => {
                self.cmp_jump(pc, step, Cmp::Eq, Opd::Reg(r(a)), Opd::Reg(r(b)), true)
            }
            Instr::JmpNotEqInt { a, imm, .. } | Instr::JmpEqInt { a, imm, .. } => {
                let when = matches!(i, Instr::JmpEqInt { .. });
                self.cmp_jump(
                    pc,
                    step,
                    Cmp::Eq,
                    Opd::Reg(r(a)),
                    Opd::Imm(imm as i64),
                    when,
                )
            }
            Instr::JmpNotLtInt { a, imm, .. } => self.cmp_jump(
                pc,
                step,
                Cmp::Lt,
                Opd::Reg(r(a)),
                Opd::Imm(imm as i64),
                false,
            ),
            Instr::JmpNotLeInt { a, imm, .. } => self.cmp_jump(
                pc,
                step,
                Cmp::Le,
                Opd::Reg(r(a)),
                Opd::Imm(imm as i64),
                false,
            ),
            Instr::JmpNotGtInt { a, imm, .. } => self.cmp_jump(
                pc,
                step,
                Cmp::Gt,
                Opd::Reg(r(a)),
                Opd::Imm(imm as i64),
                false,
            ),
            Instr::JmpNotGeInt { a, imm, .. } => self.cmp_jump(
                pc,
                step,
                Cmp::Ge,
                Opd::Reg(r(a)),
                Opd::Imm(imm as i64),
                false,
            ),
            Instr::GetIndex { dst, obj, idx } => self.index(pc, r(obj), r(idx), Field::Get(r(dst))),
            Instr::VecRef { dst, vec, idx } => self.index(pc, r(vec), r(idx), Field::Get(r(dst))),
            Instr::VecSet { vec, idx, src } => self.index(pc, r(vec), r(idx), Field::Set(r(src))),
            Instr::Car { dst, src } | Instr::Cdr { dst, src } if step.way == Way::Plain => {
                let car = matches!(i, Instr::Car { .. });
                self.pair_field(pc, r(dst), r(src), car)
            }
            Instr::VecLen { dst, src } if step.way == Way::Plain => {
                self.vec_len(pc, r(dst), r(src))
            }
            Instr::IsNull { dst, src }
            | Instr::IsPair { dst, src }
            | Instr::IsFalse { dst, src } => self.type_test(&i, r(dst), r(src)),
            Instr::IsInstance { dst, obj, ty } => {
                if crate::types::guards_instance(self.proto(), self.spec(), pc) {
                    self.instance_guard(pc, r(dst), r(obj), r(ty))
                } else {
                    self.is_instance(r(dst), r(obj), r(ty))
                }
            }
            Instr::NewStruct { dst, ty } if step.way == Way::Plain => {
                self.new_struct(pc, r(dst), r(ty))
            }
            Instr::Cons { dst, a, b } => {
                self.sync(r(a));
                self.sync(r(b));
                let p = self.regs();
                let (oa, ob) = (self.roff(r(a)) as i64, self.roff(r(b)) as i64);
                let pa = self.b.ins().iadd_imm_s(p, oa);
                let pb = self.b.ins().iadd_imm_s(p, ob);
                let sig = self.sigs.cons;
                let pair = self
                    .call_helper(self.helpers.cons, sig, &[self.vm, pa, pb])
                    .expect("jit_cons returns the pair");
                let p = self.regs();
                self.store_tagged(p, self.roff(r(dst)), self.abi.tags.pair, pair);
            }
            Instr::CharEq { dst, a, b } => {
                if let Way::SlowTyped(_) = step.way {
                    self.slow_instr(pc, step, r(dst));
                } else {
                    self.char_eq(pc, r(dst), r(a), r(b));
                }
            }
            Instr::Eqv { dst, a, b } => {
                if let Way::SlowTyped(_) = step.way {
                    self.slow_instr(pc, step, r(dst));
                } else {
                    let x = self.b.use_var(self.vi(r(a)));
                    let y = self.b.use_var(self.vi(r(b)));
                    let c = self.b.ins().icmp(IntCC::Equal, x, y);
                    let v = self.b.ins().uextend(I64, c);
                    self.b.def_var(self.vi(r(dst)), v);
                }
            }
            Instr::GetField { dst, obj, k } => self.field(pc, r(obj), k, Field::Get(r(dst))),
            Instr::RecGet { dst, obj, k, .. } if step.way == Way::Taken => {
                self.record_field(pc, step, r(obj), k, Field::Get(r(dst)))
            }
            Instr::RecSet { obj, k, src, .. } if step.way == Way::Taken => {
                self.record_field(pc, step, r(obj), k, Field::Set(r(src)))
            }
            Instr::RecGet { .. } | Instr::RecSet { .. } => self.slow_jump(pc, step),
            Instr::RecIs { dst, obj, k, .. } => self.record_test(pc, step, r(dst), r(obj), k),
            Instr::SetField { obj, src, k } => self.field(pc, r(obj), k, Field::Set(r(src))),
            Instr::SetIndex { obj, idx, src } => self.index(pc, r(obj), r(idx), Field::Set(r(src))),
            Instr::RangePrep { base, .. } => self.range_prep(pc, step, r(base)),
            Instr::RangeNext { base, .. } => self.range_next(pc, step, r(base)),
            Instr::IterNext { base, dst, .. } => self.iter_next(pc, step, r(base), r(dst)),
            Instr::Throw { .. } => {
                self.sync_reads(pc);
                self.exec(pc);
                let eb = self.error_block(usize::MAX);
                self.b.ins().jump(eb, &[]);
            }
            Instr::Call { .. }
            | Instr::CallGlobal { .. }
            | Instr::CallMethod { .. }
            | Instr::CallList { .. }
            | Instr::TailCall { .. }
            | Instr::TailCallGlobal { .. }
            | Instr::TailCallMethod { .. }
            | Instr::TailCallList { .. }
            | Instr::Return { .. }
            | Instr::ReturnNull {} => self.lower_call(pc, step),
            _ => {
                // The interpreter's code, on operands in the value stack.
                self.sync_reads(pc);
                self.exec_checked(pc);
            }
        }
    }

    /// An instruction whose result type `step` fixed (`SlowTyped`), or `Any` (`Exec`).
    fn slow_instr(&mut self, pc: usize, step: &Step, dst: usize) {
        self.sync_reads(pc);
        match step.way {
            Way::SlowTyped(ty) => {
                let v = self.exec_reload(pc, dst, ty);
                let var = self.var_of(dst, ty);
                self.b.def_var(var, v);
            }
            _ => self.exec_checked(pc),
        }
    }

    /// Check that register `g` (in the value stack) holds an int and unbox it.
    fn guard_int(&mut self, pc: usize, g: usize) {
        let tag = self.mem_tag(g);
        let ok = self.tag_is(tag, self.abi.tags.int);
        let fail = self.deopt_block(pc, Reason::Guard, usize::MAX);
        let cont = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], fail, &[]);
        self.b.switch_to_block(cont);
        let v = self.mem_bits(g, I64);
        self.b.def_var(self.vi(g), v);
        self.st[g] = Slot {
            ty: Ty::Int,
            synced: true,
            shape: 0,
        };
    }

    /// The running closure's upvalues (their address).
    fn upvals(&mut self) -> ir::Value {
        let clo = self.running_closure();
        self.load(I64, clo, self.abi.closure_upvals.ptr)
    }

    /// The box held at `p + off` (a value that must be a box; anything else is an
    /// internal error, which the interpreter's code reports).
    fn box_in(&mut self, pc: usize, p: ir::Value, off: i32) -> ir::Value {
        let tag = self.load(I8, p, off);
        let ok = self.tag_is(tag, self.abi.tags.box_);
        let exit = self.deopt_block(pc, Reason::Slow, usize::MAX);
        let cont = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], exit, &[]);
        self.b.switch_to_block(cont);
        self.load(I64, p, off + 8)
    }
}
