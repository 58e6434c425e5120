//! What compiled code knows about each register at each instruction: the type it holds
//! unboxed in a machine register (an int, a float or a bool), or nothing (any value, in the
//! VM's value stack), and whether the value stack is up to date for it.
//!
//! [`plan`] decides, for one instruction and the state before it, how it is compiled and
//! what the state after it is. Both the forward analysis ([`analyze`]) and the code
//! generator use it, so the state the generator keeps always matches the analysis.

use crate::flow::{falls_through, jump_target, Flow, RegSet};
use rustc_hash::FxHashSet;
use tandem_vm::object::{Proto, UpvalSource};
use tandem_vm::opcode::Instr;
use tandem_vm::Value;

/// The static type of a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Any value; the value stack holds it.
    Any,
    /// An int, unboxed.
    Int,
    /// A float, unboxed.
    Float,
    /// A bool, unboxed (0 or 1).
    Bool,
}

/// One register's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub ty: Ty,
    /// The value stack holds the current value (always true for `Any`).
    pub synced: bool,
    /// For an `Any` register: the id of the struct type its value is an instance of, as a
    /// guard earlier on every path here checked (0: not known). Any write of the register
    /// makes a new slot, which forgets it.
    pub shape: u64,
}

impl Slot {
    pub const ANY: Slot = Slot {
        ty: Ty::Any,
        synced: true,
        shape: 0,
    };
    pub fn fresh(ty: Ty) -> Slot {
        Slot {
            ty,
            synced: ty == Ty::Any,
            shape: 0,
        }
    }
    pub fn is_num(self) -> bool {
        matches!(self.ty, Ty::Int | Ty::Float)
    }
}

/// The state of every register.
pub type State = Vec<Slot>;

/// Join two states where control flow meets, keeping only what both know; registers not
/// live there become `Any` (their value does not matter).
pub fn join(into: &mut State, from: &State, live: &RegSet) -> bool {
    let mut changed = false;
    for r in 0..into.len() {
        let a = into[r];
        let b = from[r];
        let j = if !live.contains(r) {
            Slot::ANY
        } else if a.ty == b.ty {
            Slot {
                ty: a.ty,
                synced: a.synced && b.synced,
                shape: if a.shape == b.shape { a.shape } else { 0 },
            }
        } else {
            Slot::ANY
        };
        if j != a {
            into[r] = j;
            changed = true;
        }
    }
    changed
}

/// How a two-operand arithmetic instruction is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    /// Both ints: an int result (overflow and other failures take the slow path, which
    /// raises the error).
    Int,
    /// Numbers, at least one a float: a float result.
    Float,
    /// Operand `.0` (the value stack's) must be an int: checked, else deoptimize.
    GuardInt(usize),
    /// Operand `.0` must be a number: checked, else deoptimize; a float result.
    GuardNum(usize),
    /// Anything: ints and floats inline, the rest through the interpreter's code; the
    /// result is `Any`.
    Generic,
}

/// The decision [`plan`] makes for an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// Follows from the operand types alone.
    Plain,
    /// Arithmetic, as above.
    Arith(Arith),
    /// Run the interpreter's code, then expect the destination to hold this type
    /// (deoptimizing after the instruction if it does not).
    SlowTyped(Ty),
    /// Run the interpreter's code; what it writes is `Any`.
    Exec,
    /// Leave compiled code here (an inlined callee's instruction that would call out):
    /// the interpreter runs it, and the rest of the call.
    Exit,
    /// A conditional jump that compiled code expects not to take: taking it leaves
    /// compiled code (the interpreter jumps), so the code there is not compiled along.
    NotTaken,
    /// A conditional jump that compiled code expects to take (a record access, `RECGET`
    /// or `RECSET`, on the record type the interpreter's cache remembers): anything else
    /// leaves compiled code before it, so the code after it is not compiled along.
    Taken,
}

/// What one instruction does to the state: the decision, and the states on each way out.
pub struct Step {
    pub way: Way,
    /// The state when control goes on to the next instruction.
    pub next: State,
    /// The state along the instruction's jump (or its self tail call to pc 0).
    pub jump: State,
}

/// Settings of one compilation that change how instructions are compiled.
#[derive(Default, Clone)]
pub struct Spec {
    /// Instructions (pcs) whose speculation failed too often: compiled generically.
    pub generic: FxHashSet<u32>,
    /// Speculate nowhere (a function that kept deoptimizing).
    pub none: bool,
    /// Tail calls (pcs) whose callee is, when compiling, the function itself: they may
    /// loop back to pc 0.
    pub self_tail: FxHashSet<u32>,
    /// Calls of globals (pcs) that held, when compiling, a closure of a prototype that
    /// takes exactly the arguments passed: compiled with that prototype's facts as
    /// constants, behind a check of the callee's prototype.
    pub known: rustc_hash::FxHashMap<u32, Known>,
    /// Tail calls (pcs) of another region of the compilation unit (its index), which
    /// jump there when the callee is still of that region's prototype.
    pub cross: rustc_hash::FxHashMap<u32, usize>,
    /// Calls of globals (pcs) that held, when compiling, a library native compiled code
    /// may run inline (its id, and which).
    pub intrinsics: rustc_hash::FxHashMap<u32, (u32, tandem_vm::native::Intrinsic)>,
    /// Calls of globals (pcs) that held, when compiling, another native (its id): called
    /// through `jit_native` behind a check of the callee, skipping the general protocol.
    pub natives: rustc_hash::FxHashMap<u32, u32>,
    /// Calls of globals (pcs) whose callee is compiled inline, as the region with this
    /// index (it returns to the instruction after the call).
    pub inline: rustc_hash::FxHashMap<u32, usize>,
    /// Method calls (pcs) compiled inline: the struct type (its id) whose method the
    /// interpreter's cache found there, and that method (a closure's address). The
    /// inlined code runs when the receiver has that type.
    pub methods: rustc_hash::FxHashMap<u32, (u64, usize)>,
    /// Calls (pcs) whose result is speculated to have this type (the callee's returns
    /// give it): checked after the call, which deoptimizes after it otherwise.
    pub call_ret: rustc_hash::FxHashMap<u32, Ty>,
    /// Loads (pcs: an array element, a struct field, a vector slot) whose result is
    /// speculated to have this type (`crate::hints`): checked after the load, which
    /// deoptimizes after it otherwise.
    pub loads: rustc_hash::FxHashMap<u32, Ty>,
    /// An inlined callee's region: an instruction that would call out (the interpreter's
    /// code, a call that is not inline) leaves compiled code instead (`Way::Exit`), unless
    /// that exit was taken too often (it is in `generic` then), or it comes before
    /// `cold_from`.
    pub cold_exits: bool,
    /// The pcs before it run on every call of the function (its first instructions, up to
    /// and including the first jump or return): an exit there would be taken every time,
    /// so they call out as in a function of their own.
    pub cold_from: usize,
    /// The globals of this region's self and cross tail calls and of its calls of known
    /// callees, when nothing in the unit can change a global (no global writes, no calls
    /// but of the unit's own function): checked once when the unit is entered, so those
    /// calls need no check while it runs (`Lower::stable`).
    pub stable: Vec<u32>,
}

/// A callee's prototype as seen when compiling (it lives as long as the JIT: its
/// address cannot be reused).
#[derive(Clone, Copy, Debug)]
pub struct Known {
    /// The `Proto`'s address.
    pub proto: usize,
    /// The word an `Rc<Proto>` holds for it (what a closure stores).
    pub rc_word: usize,
    pub nregs: u16,
}

fn kty(v: &Value) -> Ty {
    match v {
        Value::Int(_) => Ty::Int,
        Value::Float(_) => Ty::Float,
        Value::Bool(_) => Ty::Bool,
        _ => Ty::Any,
    }
}

/// The arithmetic decision for operand states `a`, `b` (register numbers `ra`, `rb`;
/// `rb` is `None` for an immediate int).
fn arith_way(a: Slot, b: Slot, ra: usize, rb: Option<usize>, spec_ok: bool) -> Arith {
    use Ty::*;
    match (a.ty, b.ty) {
        (Int, Int) => Arith::Int,
        (Int | Float, Int | Float) => Arith::Float,
        (Any, Int) if spec_ok => Arith::GuardInt(ra),
        (Int, Any) if spec_ok => Arith::GuardInt(rb.unwrap_or(ra)),
        (Any, Float) if spec_ok => Arith::GuardNum(ra),
        (Float, Any) if spec_ok => Arith::GuardNum(rb.unwrap_or(ra)),
        _ => Arith::Generic,
    }
}

/// The state after an arithmetic instruction decided as `w` (reads `rs`, writes `dst`).
fn arith_state(st: &mut State, w: Arith, rs: &[usize], dst: usize) {
    match w {
        Arith::Int => st[dst] = Slot::fresh(Ty::Int),
        Arith::Float => st[dst] = Slot::fresh(Ty::Float),
        Arith::GuardInt(r) => {
            st[r] = Slot {
                ty: Ty::Int,
                synced: true,
                shape: 0,
            };
            st[dst] = Slot::fresh(Ty::Int);
        }
        Arith::GuardNum(_) => st[dst] = Slot::fresh(Ty::Float),
        Arith::Generic => {
            for &r in rs {
                sync(st, r);
            }
            st[dst] = Slot::ANY;
        }
    }
}

fn sync(st: &mut State, r: usize) {
    st[r].synced = true;
}

/// The registers `reads` lists for `i` (helper for instructions run through the
/// interpreter's code, whose operands must be in the value stack).
fn sync_reads(proto: &Proto, st: &mut State, i: &Instr) {
    let mut rd = Vec::new();
    crate::flow::reads(proto, i, &mut rd);
    for r in rd {
        if r < st.len() {
            sync(st, r);
        }
    }
}

/// The state of a load's result: in the value stack, or unboxed (and perhaps only there)
/// when a hint says its type (checked by the lowering after the load).
fn loaded(spec: &Spec, pc: usize, spec_ok: bool) -> Slot {
    match spec.loads.get(&(pc as u32)) {
        Some(&ty) if spec_ok => Slot::fresh(ty),
        _ => Slot::ANY,
    }
}

/// The struct type (its id) and field index that a `GETFIELD`/`SETFIELD` of register
/// `obj` and field-name constant `k` speculates on: what the interpreter's cache for `k`
/// remembers. The compiled code checks the object's type against it (once per path, the
/// `shape` of the register's slot remembering it) and leaves when it differs.
pub fn field_shape(
    proto: &Proto,
    st: &State,
    obj: usize,
    k: impl Into<usize>,
    spec_ok: bool,
) -> Option<(u64, usize)> {
    if !spec_ok || st[obj].ty != Ty::Any {
        return None;
    }
    proto.fields.get(k.into())
}

/// Whether the `ISINST` at `pc` is compiled as a guard: it is followed by a `JMPFALSE` on
/// its result (the shape the Scheme front end gives a record accessor's call, whose `else`
/// calls the accessor to raise its error: `accessors.rs`), and that speculation has not
/// failed too often. A failed guard leaves compiled code at the `ISINST`; the `JMPFALSE`'s
/// jump is not compiled (`Way::NotTaken`).
pub fn guards_instance(proto: &Proto, spec: &Spec, pc: usize) -> bool {
    let Instr::IsInstance { dst, .. } = proto.code[pc] else {
        return false;
    };
    matches!(proto.code.get(pc + 1), Some(Instr::JmpFalse { src, .. }) if *src == dst)
        && !spec.none
        && !spec.generic.contains(&(pc as u32))
}

/// An instruction whose bool result the interpreter's code computes (`SlowTyped`): its
/// operands `reads` go to the value stack, and the result comes back there.
fn slow_bool(st: &mut State, reads: &[usize], dst: usize) -> Way {
    for &r in reads {
        sync(st, r);
    }
    st[dst] = Slot {
        ty: Ty::Bool,
        synced: true,
        shape: 0,
    };
    Way::SlowTyped(Ty::Bool)
}

/// Decide how the instruction at `pc` is compiled, given the state before it.
pub fn plan(proto: &Proto, pc: usize, before: &State, spec: &Spec) -> Step {
    use Ty::*;
    let i = &proto.code[pc];
    let mut st = before.clone();
    let spec_ok = !spec.none && !spec.generic.contains(&(pc as u32));
    let mut way = Way::Plain;
    let num = |s: Slot| s.is_num();
    let mut jump: Option<State> = None;
    match *i {
        Instr::Move { dst, src } => st[dst as usize] = Slot::fresh(st[src as usize].ty),
        Instr::LoadK { dst, k } => st[dst as usize] = Slot::fresh(kty(&proto.consts[k as usize])),
        Instr::LoadInt { dst, .. } => st[dst as usize] = Slot::fresh(Int),
        Instr::LoadTrue { dst } | Instr::LoadFalse { dst } => st[dst as usize] = Slot::fresh(Bool),
        Instr::LoadNull { dst }
        | Instr::GetGlobal { dst, .. }
        | Instr::GetUpval { dst, .. }
        | Instr::GetUpvalBox { dst, .. }
        | Instr::GetBox { dst, .. } => st[dst as usize] = Slot::ANY,
        Instr::SetGlobal { .. } | Instr::SetUpvalBox { .. } | Instr::SetBox { .. } => {}
        Instr::Add { dst, a, b } | Instr::Sub { dst, a, b } | Instr::Mul { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            let w = arith_way(st[a], st[b], a, Some(b), spec_ok);
            arith_state(&mut st, w, &[a, b], dst as usize);
            way = Way::Arith(w);
        }
        Instr::Div { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            let w = arith_way(st[a], st[b], a, Some(b), spec_ok);
            arith_state(&mut st, w, &[a, b], dst as usize);
            way = Way::Arith(w);
        }
        Instr::AddInt { dst, a, .. } | Instr::MulInt { dst, a, .. } => {
            let a = a as usize;
            let w = arith_way(st[a], Slot::fresh(Int), a, None, spec_ok);
            arith_state(&mut st, w, &[a], dst as usize);
            way = Way::Arith(w);
        }
        Instr::Mod { dst, a, b } | Instr::ModFloor { dst, a, b } | Instr::Quot { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            if st[a].ty == Int && st[b].ty == Int {
                way = Way::Arith(Arith::Int);
                st[dst as usize] = Slot::fresh(Int);
            } else if num(st[a]) && num(st[b]) {
                sync(&mut st, a);
                sync(&mut st, b);
                way = Way::SlowTyped(Float);
                st[dst as usize] = Slot {
                    ty: Float,
                    synced: true,
                    shape: 0,
                };
            } else {
                sync(&mut st, a);
                sync(&mut st, b);
                way = Way::Exec;
                st[dst as usize] = Slot::ANY;
            }
        }
        Instr::ModInt { dst, a, .. } | Instr::ModFloorInt { dst, a, .. } => {
            let a = a as usize;
            match st[a].ty {
                Int => {
                    way = Way::Arith(Arith::Int);
                    st[dst as usize] = Slot::fresh(Int);
                }
                Any if spec_ok => {
                    way = Way::Arith(Arith::GuardInt(a));
                    st[a] = Slot {
                        ty: Int,
                        synced: true,
                        shape: 0,
                    };
                    st[dst as usize] = Slot::fresh(Int);
                }
                Float => {
                    sync(&mut st, a);
                    way = Way::SlowTyped(Float);
                    st[dst as usize] = Slot {
                        ty: Float,
                        synced: true,
                        shape: 0,
                    };
                }
                _ => {
                    sync(&mut st, a);
                    way = Way::Exec;
                    st[dst as usize] = Slot::ANY;
                }
            }
        }
        Instr::DivScheme { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            if num(st[a]) && num(st[b]) && (st[a].ty == Float || st[b].ty == Float) {
                way = Way::Arith(Arith::Float);
                st[dst as usize] = Slot::fresh(Float);
            } else {
                sync(&mut st, a);
                sync(&mut st, b);
                way = Way::Exec;
                st[dst as usize] = Slot::ANY;
            }
        }
        Instr::Neg { dst, src } => {
            let s = src as usize;
            match st[s].ty {
                Int | Float => st[dst as usize] = Slot::fresh(st[s].ty),
                _ => {
                    sync(&mut st, s);
                    way = Way::Exec;
                    st[dst as usize] = Slot::ANY;
                }
            }
        }
        Instr::Not { dst, src } => {
            let s = src as usize;
            if st[s].ty == Bool {
                st[dst as usize] = Slot::fresh(Bool);
            } else {
                way = slow_bool(&mut st, &[s], dst as usize);
            }
        }
        Instr::Truthy { dst, src } => {
            let s = src as usize;
            if st[s].ty == Any {
                way = slow_bool(&mut st, &[], dst as usize);
            } else {
                st[dst as usize] = Slot::fresh(Bool);
            }
        }
        Instr::Eq { dst, a, b }
        | Instr::Ne { dst, a, b }
        | Instr::Lt { dst, a, b }
        | Instr::Le { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            let eq = matches!(i, Instr::Eq { .. } | Instr::Ne { .. });
            let inline = (num(st[a]) && num(st[b])) || (eq && st[a].ty == Bool && st[b].ty == Bool);
            if inline {
                st[dst as usize] = Slot::fresh(Bool);
            } else {
                way = slow_bool(&mut st, &[a, b], dst as usize);
            }
        }
        Instr::JmpNotLt { a, b, .. }
        | Instr::JmpNotLe { a, b, .. }
        | Instr::JmpNotEq { a, b, .. }
        | Instr::JmpEq { a, b, .. } => {
            let (a, b) = (a as usize, b as usize);
            let eq = matches!(i, Instr::JmpNotEq { .. } | Instr::JmpEq { .. });
            let typed = (num(st[a]) && num(st[b])) || (eq && st[a].ty == Bool && st[b].ty == Bool);
            if !typed {
                sync(&mut st, a);
                sync(&mut st, b);
            }
        }
        // The `else` of a type test compiled by the Scheme front end before a record's
        // field (`accessors.rs`): the call that raises the accessor's error.
        Instr::JmpFalse { src, .. }
            if spec_ok
                && st[src as usize].ty == Bool
                && pc > 0
                && guards_instance(proto, spec, pc - 1) =>
        {
            way = Way::NotTaken;
        }
        Instr::JmpNotEqInt { a, .. }
        | Instr::JmpEqInt { a, .. }
        | Instr::JmpNotLtInt { a, .. }
        | Instr::JmpNotLeInt { a, .. }
        | Instr::JmpNotGtInt { a, .. }
        | Instr::JmpNotGeInt { a, .. }
        | Instr::JmpFalsy { src: a, .. }
        | Instr::JmpTruthy { src: a, .. }
        | Instr::JmpFalse { src: a, .. }
        | Instr::JmpNotNull { src: a, .. } => {
            // Typed operands compare inline; `Any` ones are already in the value stack;
            // a bool compared with an int goes through the interpreter's code.
            let cmp = !matches!(
                i,
                Instr::JmpFalsy { .. }
                    | Instr::JmpTruthy { .. }
                    | Instr::JmpFalse { .. }
                    | Instr::JmpNotNull { .. }
            );
            if cmp && st[a as usize].ty == Bool {
                sync(&mut st, a as usize);
            }
        }
        Instr::Jmp { .. } => {}
        Instr::Call { base, .. }
        | Instr::CallGlobal { base, .. }
        | Instr::CallMethod { base, .. }
        | Instr::CallList { base } => {
            sync_reads(proto, &mut st, i);
            for s in st.iter_mut().skip(base as usize) {
                *s = Slot::ANY;
            }
            // A callee known to return this type: checked after the call (`call_ret`).
            // (A compiled callee's result comes in registers: not in the value stack.)
            if let Some(&ty) = spec.call_ret.get(&(pc as u32)) {
                st[base as usize] = Slot {
                    ty,
                    synced: false,
                    shape: 0,
                };
            } else {
                st[base as usize] = loaded(spec, pc, spec_ok);
            }
        }
        Instr::TailCall { base, n } | Instr::TailCallGlobal { base, n, .. } => {
            // The lowering writes the window to the value stack itself, and only when
            // the call leaves. A self tail call moves the arguments into the parameters
            // and loops.
            jump = Some(tail_args(&st, base as usize, n as usize, st.len()));
        }
        Instr::TailCallMethod { .. } | Instr::TailCallList { .. } => {
            sync_reads(proto, &mut st, i);
            way = Way::Exec;
        }
        // A return passes its value in registers (an inlined one to its caller's
        // variable): nothing need be in the value stack.
        Instr::Return { .. } | Instr::ReturnNull {} => {}
        Instr::Throw { .. } => sync_reads(proto, &mut st, i),
        Instr::Closure { dst, p } => {
            for d in &proto.children[p as usize].upvals {
                if let UpvalSource::Register(x) = d.source {
                    sync(&mut st, x as usize);
                }
            }
            way = Way::Exec;
            st[dst as usize] = Slot::ANY;
        }
        Instr::GetIndex { dst, obj, idx } => {
            // Arrays inline; the rest (and the slow cases) through the interpreter's
            // code, which needs the index in the value stack only there.
            let _ = (obj, idx);
            st[dst as usize] = loaded(spec, pc, spec_ok);
        }
        // A Scheme vector's element inline (as `GETINDEX` does an array's).
        Instr::VecRef { dst, .. } => st[dst as usize] = loaded(spec, pc, spec_ok),
        Instr::SetIndex { .. } | Instr::VecSet { .. } => {}
        Instr::SetField { obj, k, .. } => {
            if let Some((id, _)) = field_shape(proto, &st, obj as usize, k, spec_ok) {
                st[obj as usize].shape = id;
            }
        }
        // A new struct through `jit_new_struct` (anything but a type: the interpreter's
        // error).
        Instr::NewStruct { dst, ty } => {
            if st[ty as usize].ty != Any {
                way = Way::Exec;
            }
            st[dst as usize] = Slot::ANY;
        }
        // A new pair from the two values in the value stack (`jit_cons`).
        Instr::Cons { dst, a, b } => {
            sync(&mut st, a as usize);
            sync(&mut st, b as usize);
            st[dst as usize] = Slot::ANY;
        }
        // A pair's car or cdr inline; anything but a pair is the interpreter's error.
        Instr::Car { dst, src } | Instr::Cdr { dst, src } => {
            if st[src as usize].ty != Any {
                way = Way::Exec;
                sync(&mut st, src as usize);
            }
            st[dst as usize] = Slot::ANY;
        }
        Instr::VecLen { dst, src } => {
            if st[src as usize].ty == Any {
                st[dst as usize] = Slot::fresh(Int);
            } else {
                way = Way::Exec;
                sync(&mut st, src as usize);
                st[dst as usize] = Slot::ANY;
            }
        }
        // Type tests never fail and never call out.
        Instr::IsNull { dst, .. }
        | Instr::IsPair { dst, .. }
        | Instr::IsFalse { dst, .. }
        | Instr::IsInstance { dst, .. } => st[dst as usize] = Slot::fresh(Bool),
        // Two characters compare inline (anything else leaves compiled code there).
        Instr::CharEq { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            if spec_ok && st[a].ty == Any && st[b].ty == Any {
                st[dst as usize] = Slot::fresh(Bool);
            } else {
                way = slow_bool(&mut st, &[a, b], dst as usize);
            }
        }
        Instr::Eqv { dst, a, b } => {
            let (a, b) = (a as usize, b as usize);
            let same = st[a].ty == st[b].ty && matches!(st[a].ty, Int | Bool);
            if same {
                st[dst as usize] = Slot::fresh(Bool);
            } else {
                way = slow_bool(&mut st, &[a, b], dst as usize);
            }
        }
        // A record type's predicate inline: the type test along the jump, and on the
        // other way the predicate's call.
        Instr::RecIs { dst, .. } => {
            let mut j = st.clone();
            j[dst as usize] = Slot::fresh(Bool);
            jump = Some(j);
        }
        // A record's field, on the type the cache remembers (`Way::Taken`); once that
        // failed too often, through the interpreter's code.
        Instr::RecGet { dst, obj, k, .. }
        | Instr::RecSet {
            obj, k, src: dst, ..
        } => {
            let mut j = st.clone();
            if let Some((id, _)) = field_shape(proto, &st, obj as usize, k, spec_ok) {
                way = Way::Taken;
                j[obj as usize].shape = id;
                if let Instr::RecGet { .. } = i {
                    j[dst as usize] = loaded(spec, pc, spec_ok);
                }
            } else {
                way = Way::Exec;
                sync_reads(proto, &mut st, i);
                j = st.clone();
                if let Instr::RecGet { .. } = i {
                    j[dst as usize] = Slot::ANY;
                }
            }
            jump = Some(j);
        }
        // A struct's field inline through a cache; the rest through the interpreter's
        // code, which needs the object in the value stack only there.
        Instr::GetField { dst, obj, k } => {
            if let Some((id, _)) = field_shape(proto, &st, obj as usize, k, spec_ok) {
                st[obj as usize].shape = id;
            }
            st[dst as usize] = loaded(spec, pc, spec_ok);
        }
        Instr::RangePrep { base, .. } => {
            let b = base as usize;
            let all_int = (0..3).all(|k| st[b + k].ty == Int);
            if !all_int {
                way = Way::Exec;
                for k in 0..3 {
                    st[b + k] = Slot {
                        ty: Int,
                        synced: true,
                        shape: 0,
                    };
                }
            }
            let j = st.clone();
            st[b + 3] = Slot {
                ty: Int,
                synced: !all_int,
                shape: 0,
            };
            jump = Some(j);
        }
        Instr::RangeNext { base, .. } => {
            let b = base as usize;
            let all_int = (0..3).all(|k| st[b + k].ty == Int);
            let mut j = st.clone();
            if all_int {
                j[b] = Slot::fresh(Int);
                j[b + 3] = Slot::fresh(Int);
            } else {
                way = Way::Exec;
                j[b] = Slot::ANY;
                j[b + 3] = Slot::ANY;
            }
            jump = Some(j);
        }
        Instr::IterNext { base, dst, .. } => {
            way = Way::Exec;
            sync_reads(proto, &mut st, i);
            st[dst as usize] = Slot::ANY;
            st[base as usize + 1] = Slot::ANY;
        }
        _ => {
            // Everything else runs the interpreter's code on the value stack.
            way = Way::Exec;
            sync_reads(proto, &mut st, i);
            let mut wr = Vec::new();
            crate::flow::writes(i, &mut wr);
            for r in wr {
                st[r] = Slot::ANY;
            }
        }
    }
    if spec.cold_exits && pc >= spec.cold_from && !spec.generic.contains(&(pc as u32)) {
        let p = pc as u32;
        let calls_out = match i {
            // A known callee is called directly (its frame on top of this one's).
            Instr::CallGlobal { .. } => {
                !spec.intrinsics.contains_key(&p)
                    && !spec.inline.contains_key(&p)
                    && !spec.known.contains_key(&p)
            }
            Instr::TailCallGlobal { .. } => !spec.self_tail.contains(&p),
            Instr::Call { .. }
            | Instr::CallMethod { .. }
            | Instr::CallList { .. }
            | Instr::TailCall { .. }
            | Instr::TailCallMethod { .. }
            | Instr::TailCallList { .. } => true,
            _ => matches!(way, Way::Exec | Way::SlowTyped(_)),
        };
        if calls_out {
            way = Way::Exit;
        }
    }
    let jump = jump.unwrap_or_else(|| st.clone());
    Step {
        way,
        next: st,
        jump,
    }
}

/// The state a tail call's callee (with `nregs` registers) starts in: its parameters
/// hold the `n` arguments after the window at `base`, the rest nothing.
pub fn tail_args(st: &State, base: usize, n: usize, nregs: usize) -> State {
    let mut j = vec![Slot::ANY; nregs];
    for (p, slot) in j.iter_mut().enumerate().take(n) {
        *slot = Slot::fresh(st[base + 1 + p].ty);
    }
    j
}

/// One region of a compilation unit, for the analysis.
pub struct RegionRef<'a> {
    pub proto: &'a Proto,
    pub flow: &'a Flow,
    pub spec: &'a Spec,
    /// For an inlined callee: its caller's region, the call's pc and its window.
    pub inline: Option<(usize, usize, usize)>,
}

/// The state a caller continues in after an inlined callee returns: its state after the
/// call, with the callee's result (`result`) in the call's register.
fn after_inline(callsite: &State, cb: usize, result: Slot) -> State {
    let mut s = callsite.clone();
    s[cb] = result;
    s
}

/// The state before every reachable pc of every region of a unit, from the state at
/// `entry_pc` of region 0. Unreachable pcs have `None`.
pub fn analyze(regions: &[RegionRef], entry_pc: usize, entry: State) -> Vec<Vec<Option<State>>> {
    let mut block_in: Vec<Vec<Option<State>>> = regions
        .iter()
        .map(|r| vec![None; r.flow.starts.len()])
        .collect();
    let mut in_work: Vec<Vec<bool>> = regions
        .iter()
        .map(|r| vec![false; r.flow.starts.len()])
        .collect();
    let mut work: Vec<(usize, usize)> = Vec::new();
    // Each region's simple loops, by header block, with the registers they may write: the
    // other registers a header's state holds unboxed are written to the value stack before
    // the loop (once), so that its exits need not (fewer values live in the loop).
    let loops: Vec<rustc_hash::FxHashMap<usize, RegSet>> = regions
        .iter()
        .map(|r| {
            if r.flow.has_try {
                return Default::default();
            }
            crate::flow::loop_writes(r.proto)
                .into_iter()
                .map(|(pc, set)| (r.flow.block_of[pc], set))
                .collect()
        })
        .collect();
    let sync_invariants = |ri: usize, b: usize, s: &mut State| {
        if let Some(ws) = loops[ri].get(&b) {
            for (r, slot) in s.iter_mut().enumerate() {
                if slot.ty != Ty::Any && !ws.contains(r) {
                    slot.synced = true;
                }
            }
        }
    };
    // The entry is a block start (a loop header, or pc 0).
    let eb = regions[0].flow.block_of[entry_pc];
    debug_assert_eq!(regions[0].flow.starts[eb], entry_pc);
    let mut entry = entry;
    sync_invariants(0, eb, &mut entry);
    block_in[0][eb] = Some(entry);
    work.push((0, eb));
    in_work[0][eb] = true;
    // For each inlined region: its caller's state after the call (the join over the
    // times the analysis passed the call).
    let mut callsite: Vec<Option<State>> = vec![None; regions.len()];
    loop {
        while let Some((ri, b)) = work.pop() {
            in_work[ri][b] = false;
            let RegionRef {
                proto,
                flow,
                spec,
                inline,
            } = regions[ri];
            let code = &proto.code;
            let n = code.len();
            let mut st = block_in[ri][b].clone().expect("queued blocks have a state");
            let range = flow.range(b, n);
            let last = range.end - 1;
            let mut outs: Vec<(usize, usize, State)> = Vec::new();
            for pc in range {
                let step = plan(proto, pc, &st, spec);
                if step.way == Way::Exit {
                    break;
                }
                if pc == last {
                    let i = &code[pc];
                    let inlined = spec.inline.get(&(pc as u32)).copied();
                    // A method's receiver is its first argument.
                    let window = match *i {
                        Instr::CallGlobal { base, n, .. } => Some((base, n as usize)),
                        Instr::CallMethod { base, n, .. } => Some((base, n as usize + 1)),
                        _ => None,
                    };
                    if let (Some(q), Some((base, argc))) = (inlined, window) {
                        // Into the inlined callee, its parameters the arguments; it comes back
                        // to pc + 1 (its returns add those edges).
                        let (base, argc) = (&base, &argc);
                        let nregs = regions[q].proto.nregs as usize;
                        let mut synced = st.clone();
                        sync_reads(proto, &mut synced, i);
                        outs.push((q, 0, tail_args(&synced, *base as usize, *argc, nregs)));
                        let changed = match &mut callsite[q] {
                            None => {
                                callsite[q] = Some(step.next.clone());
                                true
                            }
                            Some(cur) => join(cur, &step.next, &RegSet::ALL),
                        };
                        if changed {
                            // Its returns carry the new state: go over the callee again.
                            for qb in 0..regions[q].flow.starts.len() {
                                if block_in[q][qb].is_some() && !in_work[q][qb] {
                                    in_work[q][qb] = true;
                                    work.push((q, qb));
                                }
                            }
                        }
                    } else if falls_through(i) && pc + 1 < n && step.way != Way::Taken {
                        outs.push((ri, pc + 1, step.next.clone()));
                    }
                    if let (Some((pr, cpc, cb)), Some(cs)) = (inline, &callsite[ri]) {
                        // An inlined callee's return (or tail call, whose result is in the
                        // value stack) goes back to its caller.
                        let result = match *i {
                            Instr::Return { src } => Some(Slot::fresh(st[src as usize].ty)),
                            Instr::ReturnNull {} => Some(Slot::ANY),
                            Instr::TailCall { .. }
                            | Instr::TailCallGlobal { .. }
                            | Instr::TailCallMethod { .. }
                            | Instr::TailCallList { .. } => Some(Slot::ANY),
                            _ => None,
                        };
                        if let Some(r) = result {
                            outs.push((pr, cpc + 1, after_inline(cs, cb, r)));
                        }
                    }
                    match jump_target(pc, i) {
                        Some(t) if step.way != Way::NotTaken => {
                            outs.push((ri, t, step.jump.clone()))
                        }
                        _ => {}
                    }
                    if crate::flow::is_tail_call(i) && spec.self_tail.contains(&(pc as u32)) {
                        outs.push((ri, 0, step.jump.clone()));
                    }
                    if let (Some(&to), Instr::TailCallGlobal { base, n, .. }) =
                        (spec.cross.get(&(pc as u32)), i)
                    {
                        let nregs = regions[to].proto.nregs as usize;
                        let j = tail_args(&st, *base as usize, *n as usize, nregs);
                        outs.push((to, 0, j));
                    }
                }
                st = step.next;
            }
            for (tr, target, out) in outs {
                let flow = regions[tr].flow;
                let tb = flow.block_of[target];
                let live = flow.live(target);
                let changed = match &mut block_in[tr][tb] {
                    None => {
                        let mut s = out.clone();
                        // Dead registers carry nothing in.
                        for (r, slot) in s.iter_mut().enumerate() {
                            if !live.contains(r) {
                                *slot = Slot::ANY;
                            }
                        }
                        sync_invariants(tr, tb, &mut s);
                        block_in[tr][tb] = Some(s);
                        true
                    }
                    Some(cur) => {
                        let mut j = cur.clone();
                        join(&mut j, &out, &live);
                        sync_invariants(tr, tb, &mut j);
                        let changed = j != *cur;
                        *cur = j;
                        changed
                    }
                };
                if changed && !in_work[tr][tb] {
                    in_work[tr][tb] = true;
                    work.push((tr, tb));
                }
            }
        }
        // An inlined callee that never returns (as far as the analysis sees) still returns
        // through its caller's slow path (the call made by the interpreter's protocol): its
        // result is then in the value stack.
        let mut seeded = false;
        for (q, r) in regions.iter().enumerate() {
            let (Some((pr, cpc, cb)), Some(cs)) = (r.inline, &callsite[q]) else {
                continue;
            };
            let flow = regions[pr].flow;
            let tb = flow.block_of[cpc + 1];
            if block_in[pr][tb].is_none() {
                block_in[pr][tb] = Some(after_inline(cs, cb, Slot::ANY));
                in_work[pr][tb] = true;
                work.push((pr, tb));
                seeded = true;
            }
        }
        if !seeded {
            break;
        }
    }
    // Expand to every pc.
    regions
        .iter()
        .zip(block_in)
        .map(|(r, blocks)| {
            let n = r.proto.code.len();
            let mut per_pc: Vec<Option<State>> = vec![None; n];
            for (b, start) in blocks.into_iter().enumerate() {
                let Some(mut st) = start else {
                    continue;
                };
                for pc in r.flow.range(b, n) {
                    per_pc[pc] = Some(st.clone());
                    st = plan(r.proto, pc, &st, r.spec).next;
                }
            }
            per_pc
        })
        .collect()
}

/// The type every return of a region gives, when they agree (over reachable returns;
/// `None` when none is reachable or they differ, or a return is of a boxed value).
pub fn return_type(proto: &Proto, states: &[Option<State>]) -> Option<Ty> {
    let mut ty: Option<Ty> = None;
    for (pc, i) in proto.code.iter().enumerate() {
        let Some(st) = &states[pc] else {
            continue;
        };
        let t = match *i {
            Instr::Return { src } => st[src as usize].ty,
            Instr::ReturnNull {} => Ty::Any,
            // A tail call returns whatever its callee does.
            Instr::TailCall { .. }
            | Instr::TailCallGlobal { .. }
            | Instr::TailCallMethod { .. }
            | Instr::TailCallList { .. } => Ty::Any,
            _ => continue,
        };
        if t == Ty::Any || ty.is_some_and(|u| u != t) {
            return None;
        }
        ty = Some(t);
    }
    ty
}

/// Whether the instruction at `pc`, lowered in state `st`, can allocate: as
/// [`may_allocate`] says, except that heap-data accesses and type tests whose failed
/// checks leave compiled code (rather than run the interpreter's code) cannot.
pub(crate) fn may_allocate_at(
    proto: &tandem_vm::object::Proto,
    pc: usize,
    st: &State,
    spec: &Spec,
) -> bool {
    use tandem_vm::opcode::Instr::*;
    let i = &proto.code[pc];
    let way = plan(proto, pc, st, spec).way;
    let exits = !spec.none && !spec.generic.contains(&(pc as u32));
    let indexable = |obj: u8, idx: u8| {
        st[obj as usize].ty == Ty::Any && matches!(st[idx as usize].ty, Ty::Int | Ty::Any)
    };
    if way == Way::Plain {
        match *i {
            GetIndex { obj, idx, .. }
            | SetIndex { obj, idx, .. }
            | VecRef { vec: obj, idx, .. }
            | VecSet { vec: obj, idx, .. }
                if exits && indexable(obj, idx) =>
            {
                return false
            }
            Car { .. } | Cdr { .. } | VecLen { .. } if exits => return false,
            GetField { obj, k, .. } | SetField { obj, k, .. }
                if field_shape(proto, st, obj as usize, k, exits).is_some() =>
            {
                return false
            }
            IsNull { .. }
            | IsPair { .. }
            | IsFalse { .. }
            | IsInstance { .. }
            | Eqv { .. }
            | CharEq { .. } => return false,
            _ => {}
        }
    }
    may_allocate(i, way)
}

/// Whether the instruction, lowered as decided (`way`), can allocate: anything that runs
/// the interpreter's code (calls aside, see below).
fn may_allocate(i: &tandem_vm::opcode::Instr, way: Way) -> bool {
    use tandem_vm::opcode::Instr::*;
    match way {
        Way::Exec | Way::SlowTyped(_) | Way::Arith(Arith::Generic) => return true,
        Way::Arith(_) | Way::Exit | Way::NotTaken | Way::Taken => return false,
        Way::Plain => {}
    }
    // Calls do not count: a compiled callee that allocates checks for a collection when
    // it starts, and the helpers do when they call (natives, uncompiled callees). A tail
    // call loops back without allocating, or leaves.
    if matches!(
        i,
        Call { .. }
            | CallGlobal { .. }
            | CallMethod { .. }
            | CallList { .. }
            | TailCall { .. }
            | TailCallGlobal { .. }
    ) {
        return false;
    }
    !matches!(
        i,
        Move { .. }
            | LoadK { .. }
            | LoadInt { .. }
            | LoadNull { .. }
            | LoadTrue { .. }
            | LoadFalse { .. }
            | GetGlobal { .. }
            | SetGlobal { .. }
            | GetUpval { .. }
            | GetUpvalBox { .. }
            | SetUpvalBox { .. }
            | GetBox { .. }
            | SetBox { .. }
            | AddInt { .. }
            | MulInt { .. }
            | ModInt { .. }
            | ModFloorInt { .. }
            | Neg { .. }
            | Not { .. }
            | Truthy { .. }
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
            | Return { .. }
            | ReturnNull {}
            | RangePrep { .. }
            | RangeNext { .. }
            | TryEnd {}
    )
}
