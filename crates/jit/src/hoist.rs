//! Loop-invariant arrays: which loops check their arrays once, before the loop.
//!
//! An array register that a loop indexes but never writes holds the same array on every
//! iteration, and when nothing in the loop can add or remove elements of any array, that
//! array's element pointer and length do not change while the loop runs either. Such a
//! loop checks the register's tag and loads the pointer and length on each way into its
//! header from outside (the OSR entry included); its indexing instructions then check
//! only the index against the length. A failed check leaves compiled code at the header
//! (`Reason::Slow`); after a few, the header's pc is generic and the loop checks per
//! access again.
//!
//! What can change an array's length: calls (natives such as `push`, and user code),
//! method calls, and any instruction whose interpreter code may run user code. A loop
//! hoists only when every instruction in it is on [`keeps_arrays`]'s list.

use crate::deopt::Reason;
use crate::flow::{body_writes, simple_loops};
use crate::lower::Lower;
use crate::types::{Spec, State, Ty};
use cranelift_frontend::Variable;
use tandem_vm::object::Proto;
use tandem_vm::opcode::Instr;

/// One loop that checks arrays before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hoist {
    /// The loop's header and the last pc of its body.
    pub header: usize,
    pub end: usize,
    /// The array registers checked before the loop.
    pub regs: Vec<usize>,
}

/// Whether the instruction leaves every array's elements where they are and their count
/// as it is, whichever way it is compiled (its interpreter code runs no user code).
pub fn keeps_arrays(i: &Instr) -> bool {
    use Instr::*;
    matches!(
        i,
        Move { .. }
            | LoadK { .. }
            | LoadInt { .. }
            | LoadNull { .. }
            | LoadTrue { .. }
            | LoadFalse { .. }
            | GetGlobal { .. }
            | GetUpval { .. }
            | GetUpvalBox { .. }
            | GetBox { .. }
            | Add { .. }
            | Sub { .. }
            | Mul { .. }
            | Div { .. }
            | Mod { .. }
            | ModFloor { .. }
            | AddInt { .. }
            | MulInt { .. }
            | ModInt { .. }
            | ModFloorInt { .. }
            | Quot { .. }
            | CharEq { .. }
            | Neg { .. }
            | Not { .. }
            | Truthy { .. }
            | Eq { .. }
            | Ne { .. }
            | Lt { .. }
            | Le { .. }
            | Jmp { .. }
            | JmpFalsy { .. }
            | JmpTruthy { .. }
            | JmpFalse { .. }
            | JmpNotNull { .. }
            | JmpNotLt { .. }
            | JmpNotLe { .. }
            | JmpNotEq { .. }
            | JmpEq { .. }
            | JmpNotEqInt { .. }
            | JmpEqInt { .. }
            | JmpNotLtInt { .. }
            | JmpNotLeInt { .. }
            | JmpNotGtInt { .. }
            | JmpNotGeInt { .. }
            | RangeNext { .. }
            | GetIndex { .. }
            | SetIndex { .. }
            | VecRef { .. }
            | VecSet { .. }
            | VecLen { .. }
            | StrRef { .. }
            | StrLen { .. }
            | GetField { .. }
            | SetField { .. }
            | RecGet { .. }
            | RecSet { .. }
            | RecIs { .. }
            | Car { .. }
            | Cdr { .. }
            | IsNull { .. }
            | IsPair { .. }
            | IsFalse { .. }
            | IsInstance { .. }
            | Eqv { .. }
    )
}

/// The loops of `proto` that hoist their arrays' checks, given the analysis' states per
/// pc. Header 0 is left out (a self tail call enters it too).
pub fn array_loops(proto: &Proto, states: &[Option<State>], spec: &Spec) -> Vec<Hoist> {
    let mut out = Vec::new();
    if spec.none {
        return out;
    }
    for (header, end) in simple_loops(proto, true) {
        if header == 0 || spec.generic.contains(&(header as u32)) {
            continue;
        }
        let Some(at_header) = &states[header] else {
            continue;
        };
        let body = &proto.code[header..=end];
        if !body.iter().all(keeps_arrays) {
            continue;
        }
        let writes = body_writes(proto, header, end);
        let mut regs: Vec<usize> = Vec::new();
        for (k, i) in body.iter().enumerate() {
            let pc = header + k;
            let (obj, idx) = match *i {
                Instr::GetIndex { obj, idx, .. }
                | Instr::SetIndex { obj, idx, .. }
                | Instr::VecRef { vec: obj, idx, .. }
                | Instr::VecSet { vec: obj, idx, .. } => (obj as usize, idx as usize),
                _ => continue,
            };
            let Some(st) = &states[pc] else {
                continue;
            };
            let inline = st[obj].ty == Ty::Any && matches!(st[idx].ty, Ty::Int | Ty::Any);
            if inline
                && at_header[obj].ty == Ty::Any
                && !writes.contains(obj)
                && !spec.generic.contains(&(pc as u32))
                && !regs.contains(&obj)
            {
                regs.push(obj);
            }
        }
        if !regs.is_empty() {
            out.push(Hoist { header, end, regs });
        }
    }
    out
}

/// Lowering: the checks on the way into a loop, and the variables its accesses use.
impl Lower<'_, '_> {
    /// The loop of the current region (its index in `hoists`) that an edge from
    /// `from_pc` to `target` enters from outside, when that loop checks arrays first.
    pub(crate) fn enters_hoist(&self, from_pc: usize, target: usize) -> Option<usize> {
        self.regions[self.cur].hoists.iter().position(|(h, _)| {
            h.header == target && (from_pc == usize::MAX || from_pc < h.header || from_pc > h.end)
        })
    }

    /// On a way into loop `h` (at `header`, in `state`): check that each of its array
    /// registers holds an array (else leave for the interpreter at the header), and load
    /// the array's element pointer and length into the loop's variables.
    pub(crate) fn check_arrays(&mut self, h: usize, header: usize, state: &State) {
        let (hoist, vars) = self.regions[self.cur].hoists[h].clone();
        let exit = self.deopt_block_with(header, Reason::Slow, usize::MAX, state.clone());
        for (&r, &(items_var, len_var)) in hoist.regs.iter().zip(&vars) {
            let (items, len) = self.array_items(r, exit);
            self.b.def_var(items_var, items);
            self.b.def_var(len_var, len);
        }
    }

    /// The variables holding the element pointer and length of the array in register
    /// `r`, when a loop around `pc` checked it before it started.
    pub(crate) fn hoisted(&self, pc: usize, r: usize) -> Option<(Variable, Variable)> {
        // The innermost such loop (any would do: each checked the same array).
        self.regions[self.cur]
            .hoists
            .iter()
            .filter(|(h, _)| h.header <= pc && pc <= h.end)
            .filter_map(|(h, vars)| h.regs.iter().position(|&x| x == r).map(|k| vars[k]))
            .next_back()
    }
}
