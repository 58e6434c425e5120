//! Type hints for loaded values, from the values the function holds when it is compiled.
//!
//! An element of an array, a field of a struct or a slot of a Scheme vector can hold
//! anything, so without more the compiled code keeps what it loads boxed, and every
//! operation on it dispatches on tags in memory. But a hot loop usually reads numbers of
//! one type from the same containers over and over. When a function (or a loop) is
//! compiled, its registers already hold those containers: the JIT samples a few of their
//! elements (and fields), and where every sample has one scalar type (int, float or bool)
//! it speculates that the loads from them give that type. A hinted load checks the tag it
//! loaded and deoptimizes after the load when it differs (`Reason::Element`); a site that
//! keeps failing is compiled without the hint next time.
//!
//! The registers are followed through the code from the entry (wrapping around, so a loop
//! entered in its middle sees its own body first): a move copies what a register tells,
//! a load from an array of arrays tells the row's element type, and any other write
//! forgets it. This is a guess, not a proof; the guards make it safe.

use crate::types::Ty;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use tandem_vm::native::Intrinsic;
use tandem_vm::object::Proto;
use tandem_vm::opcode::Instr;
use tandem_vm::Value;

/// At most this many elements of an array are sampled.
const SAMPLES: usize = 12;

/// How deep into containers of containers the sampling looks.
const DEPTH: usize = 3;

/// What a value tells about the values loaded from it.
#[derive(Clone, Default, PartialEq)]
pub enum Holds {
    #[default]
    Nothing,
    /// A scalar of this type (what an element or a field is: a hint).
    Scalar(Ty),
    /// An array (or vector) whose sampled elements all tell this.
    Array(Rc<Holds>),
    /// A struct instance: what each field tells, by name (those that tell something).
    Fields(Rc<[(Box<str>, Holds)]>),
}

/// The indices sampled of a sequence of `n`: its first and last, and some between.
fn sample_indices(n: usize) -> impl Iterator<Item = usize> {
    let step = n.div_ceil(SAMPLES).max(1);
    (0..n)
        .step_by(step)
        .chain(n.checked_sub(1))
        .take(SAMPLES + 1)
}

/// What a value tells, looking `depth` containers deep.
fn holds_at(v: &Value, depth: usize) -> Holds {
    match v {
        Value::Int(_) => Holds::Scalar(Ty::Int),
        Value::Float(_) => Holds::Scalar(Ty::Float),
        Value::Bool(_) => Holds::Scalar(Ty::Bool),
        _ if depth == 0 => Holds::Nothing,
        Value::Array(a) => {
            let items = a.items();
            if items.is_empty() {
                return Holds::Nothing;
            }
            let mut all: Option<Holds> = None;
            for i in sample_indices(items.len()) {
                let h = holds_at(&items[i], depth - 1);
                if h == Holds::Nothing || all.as_ref().is_some_and(|a| *a != h) {
                    return Holds::Nothing;
                }
                all = Some(h);
            }
            all.map_or(Holds::Nothing, |h| Holds::Array(Rc::new(h)))
        }
        Value::Struct(inst) => {
            let fields: Vec<(Box<str>, Holds)> = inst
                .ty
                .fields
                .iter()
                .zip(inst.fields())
                .map(|(name, v)| (name.clone(), holds_at(v, depth - 1)))
                .filter(|(_, h)| *h != Holds::Nothing)
                .collect();
            if fields.is_empty() {
                Holds::Nothing
            } else {
                Holds::Fields(fields.into())
            }
        }
        _ => Holds::Nothing,
    }
}

/// What a register's value tells about loads from it (a scalar tells nothing).
pub fn holds(v: &Value) -> Holds {
    match holds_at(v, DEPTH) {
        Holds::Scalar(_) => Holds::Nothing,
        h => h,
    }
}

/// A load of something that tells `h`: the hint for the load (a scalar's type), and what
/// the loaded register tells.
fn load(h: &Holds) -> (Option<Ty>, Holds) {
    match h {
        Holds::Scalar(t) => (Some(*t), Holds::Nothing),
        other => (None, other.clone()),
    }
}

/// What [`load_hints`] finds.
#[derive(Default)]
pub struct Hints {
    /// The loads (pcs) whose results are speculated to have a type.
    pub loads: FxHashMap<u32, Ty>,
    /// For each call compiled inline (its pc): what its arguments tell, for the callee's
    /// own loads from its parameters.
    pub args: FxHashMap<u32, Vec<Holds>>,
}

/// The loads of `proto` entered at `entry_pc` whose results are speculated to have a
/// type, from what its registers hold at entry (`regs`, one per register; `Nothing` for
/// those not live). `intrinsics` are its calls that run a library native inline (a Scheme
/// `vector-ref` is a load too); `inline` its calls compiled inline; `skip` are pcs not to
/// speculate at.
pub fn load_hints(
    proto: &Proto,
    entry_pc: usize,
    regs: Vec<Holds>,
    intrinsics: &FxHashMap<u32, (u32, Intrinsic)>,
    inline: &FxHashMap<u32, usize>,
    skip: &rustc_hash::FxHashSet<u32>,
) -> Hints {
    let mut know = regs;
    know.resize(proto.nregs as usize, Holds::Nothing);
    let mut hints = FxHashMap::default();
    let mut args = FxHashMap::default();
    if know.iter().all(|h| matches!(h, Holds::Nothing)) {
        return Hints::default();
    }
    let n = proto.code.len();
    let mut writes = Vec::new();
    for pc in (entry_pc..n).chain(0..entry_pc) {
        let i = &proto.code[pc];
        let p = pc as u32;
        let at = |r: u8| know.get(r as usize).cloned().unwrap_or_default();
        let mut out: Option<(usize, Holds)> = None;
        match *i {
            Instr::Move { dst, src } => out = Some((dst as usize, at(src))),
            Instr::GetIndex { dst, obj, .. } | Instr::VecRef { dst, vec: obj, .. } => {
                let mut h = Holds::Nothing;
                if let Holds::Array(e) = at(obj) {
                    let (t, rest) = load(&e);
                    if let (Some(t), false) = (t, skip.contains(&p)) {
                        hints.insert(p, t);
                    }
                    h = rest;
                }
                out = Some((dst as usize, h));
            }
            Instr::GetField { dst, obj, k } | Instr::RecGet { dst, obj, k, .. } => {
                let mut h = Holds::Nothing;
                if let (Holds::Fields(fs), Some(Value::Str(name))) =
                    (at(obj), proto.consts.get(k as usize))
                {
                    if let Some((_, f)) = fs.iter().find(|(f, _)| **f == *name.as_str()) {
                        let (t, rest) = load(f);
                        if let (Some(t), false) = (t, skip.contains(&p)) {
                            hints.insert(p, t);
                        }
                        h = rest;
                    }
                }
                out = Some((dst as usize, h));
            }
            Instr::CallGlobal { base, n, .. } => {
                if let Some((_, Intrinsic::VectorRef)) = intrinsics.get(&p) {
                    if let Holds::Array(e) = at(base + 1) {
                        let (t, rest) = load(&e);
                        if let (Some(t), false) = (t, skip.contains(&p)) {
                            hints.insert(p, t);
                        }
                        out = Some((base as usize, rest));
                    }
                } else if inline.contains_key(&p) {
                    let a: Vec<Holds> = (0..n).map(|k| at(base + 1 + k)).collect();
                    if a.iter().any(|h| *h != Holds::Nothing) {
                        args.insert(p, a);
                    }
                }
            }
            Instr::CallMethod { base, n, .. } if inline.contains_key(&p) => {
                // The receiver, then the arguments.
                let a: Vec<Holds> = (0..=n).map(|k| at(base + 1 + k)).collect();
                if a.iter().any(|h| *h != Holds::Nothing) {
                    args.insert(p, a);
                }
            }
            _ => {}
        }
        writes.clear();
        crate::flow::writes(i, &mut writes);
        for &w in &writes {
            if let Some(k) = know.get_mut(w) {
                *k = Holds::Nothing;
            }
        }
        if let Some((d, h)) = out {
            if let Some(k) = know.get_mut(d) {
                *k = h;
            }
        }
    }
    Hints { loads: hints, args }
}
