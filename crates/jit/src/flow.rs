//! The shape of a bytecode function: basic blocks, their edges, and which registers are
//! live where. Everything here reads only the bytecode.

use tandem_vm::object::{Proto, UpvalSource};
use tandem_vm::opcode::Instr;

/// A set of registers (a function has at most 256).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct RegSet([u64; 4]);

impl RegSet {
    pub const ALL: RegSet = RegSet([u64::MAX; 4]);

    pub fn insert(&mut self, r: usize) {
        self.0[r >> 6] |= 1 << (r & 63);
    }
    pub fn remove(&mut self, r: usize) {
        self.0[r >> 6] &= !(1 << (r & 63));
    }
    pub fn contains(&self, r: usize) -> bool {
        self.0[r >> 6] & (1 << (r & 63)) != 0
    }
    pub fn union(&mut self, o: &RegSet) -> bool {
        let mut changed = false;
        for i in 0..4 {
            let n = self.0[i] | o.0[i];
            changed |= n != self.0[i];
            self.0[i] = n;
        }
        changed
    }
}

/// The target of the jump of the instruction at `pc`, if it has one.
pub fn jump_target(pc: usize, instr: &Instr) -> Option<usize> {
    let off = match *instr {
        Instr::Jmp { off }
        | Instr::JmpFalsy { off, .. }
        | Instr::JmpTruthy { off, .. }
        | Instr::JmpFalse { off, .. }
        | Instr::JmpNotNull { off, .. }
        | Instr::JmpNotLt { off, .. }
        | Instr::JmpNotLe { off, .. }
        | Instr::JmpNotEq { off, .. }
        | Instr::JmpEq { off, .. }
        | Instr::JmpNotEqInt { off, .. }
        | Instr::JmpEqInt { off, .. }
        | Instr::JmpNotLtInt { off, .. }
        | Instr::JmpNotLeInt { off, .. }
        | Instr::JmpNotGtInt { off, .. }
        | Instr::JmpNotGeInt { off, .. }
        | Instr::IterNext { off, .. }
        | Instr::RangePrep { off, .. }
        | Instr::RangeNext { off, .. } => off,
        Instr::RecGet { off, .. } | Instr::RecSet { off, .. } | Instr::RecIs { off, .. } => {
            off as i32
        }
        _ => return None,
    };
    Some((pc as isize + 1 + off as isize) as usize)
}

/// Whether control can go on to the next instruction.
pub fn falls_through(instr: &Instr) -> bool {
    !matches!(
        instr,
        Instr::Jmp { .. }
            | Instr::Return { .. }
            | Instr::ReturnNull {}
            | Instr::TailCall { .. }
            | Instr::TailCallGlobal { .. }
            | Instr::TailCallMethod { .. }
            | Instr::TailCallList { .. }
            | Instr::Throw { .. }
    )
}

/// Whether the instruction is a tail call (which may loop back to pc 0 when it calls the
/// running function itself).
pub fn is_tail_call(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::TailCall { .. }
            | Instr::TailCallGlobal { .. }
            | Instr::TailCallMethod { .. }
            | Instr::TailCallList { .. }
    )
}

/// The registers an instruction reads (a superset is safe), for `proto`'s code.
pub fn reads(proto: &Proto, instr: &Instr, out: &mut Vec<usize>) {
    out.clear();
    let mut r = |x: u8| out.push(x as usize);
    match *instr {
        Instr::Move { src, .. }
        | Instr::SetGlobal { src, .. }
        | Instr::DefGlobalMut { src, .. }
        | Instr::DefGlobalConst { src, .. }
        | Instr::SetUpvalBox { src, .. }
        | Instr::NewBox { src, .. }
        | Instr::Neg { src, .. }
        | Instr::Not { src, .. }
        | Instr::Truthy { src, .. }
        | Instr::JmpFalsy { src, .. }
        | Instr::JmpTruthy { src, .. }
        | Instr::JmpFalse { src, .. }
        | Instr::JmpNotNull { src, .. }
        | Instr::Return { src }
        | Instr::TestVariant { src, .. }
        | Instr::GetPayload { src, .. }
        | Instr::IsFailure { src, .. }
        | Instr::Unwrap { src, .. }
        | Instr::Car { src, .. }
        | Instr::Cdr { src, .. }
        | Instr::IsNull { src, .. }
        | Instr::IsPair { src, .. }
        | Instr::IsFalse { src, .. }
        | Instr::VecLen { src, .. }
        | Instr::StrLen { src, .. }
        | Instr::Throw { src } => r(src),
        Instr::GetBox { bx, .. } => r(bx),
        Instr::SetBox { bx, src } => {
            r(bx);
            r(src)
        }
        Instr::Add { a, b, .. }
        | Instr::Sub { a, b, .. }
        | Instr::Mul { a, b, .. }
        | Instr::Div { a, b, .. }
        | Instr::Mod { a, b, .. }
        | Instr::ModFloor { a, b, .. }
        | Instr::Quot { a, b, .. }
        | Instr::CharEq { a, b, .. }
        | Instr::StrRef { s: a, idx: b, .. }
        | Instr::DivScheme { a, b, .. }
        | Instr::Cons { a, b, .. }
        | Instr::Eqv { a, b, .. }
        | Instr::Eq { a, b, .. }
        | Instr::Ne { a, b, .. }
        | Instr::Lt { a, b, .. }
        | Instr::Le { a, b, .. }
        | Instr::JmpNotLt { a, b, .. }
        | Instr::JmpNotLe { a, b, .. }
        | Instr::JmpNotEq { a, b, .. }
        | Instr::JmpEq { a, b, .. } => {
            r(a);
            r(b)
        }
        Instr::AddInt { a, .. }
        | Instr::MulInt { a, .. }
        | Instr::ModInt { a, .. }
        | Instr::ModFloorInt { a, .. }
        | Instr::JmpNotEqInt { a, .. }
        | Instr::JmpEqInt { a, .. }
        | Instr::JmpNotLtInt { a, .. }
        | Instr::JmpNotLeInt { a, .. }
        | Instr::JmpNotGtInt { a, .. }
        | Instr::JmpNotGeInt { a, .. } => r(a),
        Instr::Call { base, n }
        | Instr::TailCall { base, n }
        | Instr::CallMethod { base, n, .. }
        | Instr::TailCallMethod { base, n, .. } => {
            // A method call's window holds the object too: one more register.
            for i in 0..=n as usize + 1 {
                out.push(base as usize + i);
            }
        }
        Instr::CallGlobal { base, n, .. } | Instr::TailCallGlobal { base, n, .. } => {
            for i in 1..=n as usize {
                out.push(base as usize + i);
            }
        }
        Instr::CallList { base } | Instr::TailCallList { base } => {
            r(base);
            r(base + 1)
        }
        Instr::Closure { p, .. } => {
            for d in &proto.children[p as usize].upvals {
                if let UpvalSource::Register(x) = d.source {
                    out.push(x as usize);
                }
            }
        }
        Instr::ArrayPush { arr, src } => {
            r(arr);
            r(src)
        }
        Instr::ArrayExtend { arr, src } => {
            r(arr);
            r(src)
        }
        Instr::DictExtend { dict, src } => {
            r(dict);
            r(src)
        }
        Instr::GetIndex { obj, idx, .. } => {
            r(obj);
            r(idx)
        }
        Instr::SetIndex { obj, idx, src } => {
            r(obj);
            r(idx);
            r(src)
        }
        Instr::TableRef {
            table, key, dflt, ..
        } => {
            r(table);
            r(key);
            r(dflt)
        }
        Instr::IsInstance { obj, ty, .. } => {
            r(obj);
            r(ty)
        }
        Instr::VecRef { vec, idx, .. } => {
            r(vec);
            r(idx)
        }
        Instr::VecSet { vec, idx, src } => {
            r(vec);
            r(idx);
            r(src)
        }
        Instr::TableSet { table, key, src } => {
            r(table);
            r(key);
            r(src)
        }
        Instr::Concat { base, n, .. } => {
            for i in 0..n as usize {
                out.push(base as usize + i);
            }
        }
        Instr::GetField { obj, .. } => r(obj),
        // A failed `RECGET` leaves its destination as it was: read, so that its value is
        // in the value stack on both ways out.
        Instr::RecGet { dst, obj, .. } | Instr::RecIs { dst, obj, .. } => {
            r(obj);
            r(dst)
        }
        Instr::RecSet { obj, src, .. } => {
            r(obj);
            r(src)
        }
        Instr::SetField { obj, src, .. } => {
            r(obj);
            r(src)
        }
        Instr::AddMethod { ty, src, .. } => {
            r(ty);
            r(src)
        }
        Instr::NewStruct { ty, .. } => r(ty),
        Instr::NewVariant { base, n, .. } => {
            for i in 0..=n as usize {
                out.push(base as usize + i);
            }
        }
        Instr::IterPrep { base } => r(base),
        Instr::IterNext { base, .. } => {
            r(base);
            r(base + 1)
        }
        Instr::RangePrep { base, .. } | Instr::RangeNext { base, .. } => {
            for i in 0..3 {
                out.push(base as usize + i);
            }
        }
        Instr::LoadK { .. }
        | Instr::LoadInt { .. }
        | Instr::LoadNull { .. }
        | Instr::LoadTrue { .. }
        | Instr::LoadFalse { .. }
        | Instr::GetGlobal { .. }
        | Instr::GetUpval { .. }
        | Instr::GetUpvalBox { .. }
        | Instr::Jmp { .. }
        | Instr::ReturnNull {}
        | Instr::NewArray { .. }
        | Instr::NewDict { .. }
        | Instr::NewStructType { .. }
        | Instr::TryBegin { .. }
        | Instr::TryBeginRaw { .. }
        | Instr::TryEnd {}
        | Instr::Import { .. } => {}
    }
}

/// The registers an instruction always writes (before it can jump), for liveness.
pub fn writes(instr: &Instr, out: &mut Vec<usize>) {
    out.clear();
    let mut w = |x: u8| out.push(x as usize);
    match *instr {
        Instr::Move { dst, .. }
        | Instr::LoadK { dst, .. }
        | Instr::LoadInt { dst, .. }
        | Instr::LoadNull { dst }
        | Instr::LoadTrue { dst }
        | Instr::LoadFalse { dst }
        | Instr::GetGlobal { dst, .. }
        | Instr::GetUpval { dst, .. }
        | Instr::GetUpvalBox { dst, .. }
        | Instr::NewBox { dst, .. }
        | Instr::GetBox { dst, .. }
        | Instr::Add { dst, .. }
        | Instr::AddInt { dst, .. }
        | Instr::MulInt { dst, .. }
        | Instr::ModInt { dst, .. }
        | Instr::ModFloor { dst, .. }
        | Instr::Quot { dst, .. }
        | Instr::CharEq { dst, .. }
        | Instr::ModFloorInt { dst, .. }
        | Instr::DivScheme { dst, .. }
        | Instr::Sub { dst, .. }
        | Instr::Mul { dst, .. }
        | Instr::Div { dst, .. }
        | Instr::Mod { dst, .. }
        | Instr::Neg { dst, .. }
        | Instr::Not { dst, .. }
        | Instr::Truthy { dst, .. }
        | Instr::Eq { dst, .. }
        | Instr::Ne { dst, .. }
        | Instr::Lt { dst, .. }
        | Instr::Le { dst, .. }
        | Instr::Closure { dst, .. }
        | Instr::NewArray { dst, .. }
        | Instr::NewDict { dst }
        | Instr::GetIndex { dst, .. }
        | Instr::TableRef { dst, .. }
        | Instr::Cons { dst, .. }
        | Instr::Car { dst, .. }
        | Instr::Cdr { dst, .. }
        | Instr::IsNull { dst, .. }
        | Instr::IsPair { dst, .. }
        | Instr::IsFalse { dst, .. }
        | Instr::Eqv { dst, .. }
        | Instr::VecRef { dst, .. }
        | Instr::VecLen { dst, .. }
        | Instr::StrRef { dst, .. }
        | Instr::StrLen { dst, .. }
        | Instr::IsInstance { dst, .. }
        | Instr::Concat { dst, .. }
        | Instr::GetField { dst, .. }
        | Instr::NewStructType { dst, .. }
        | Instr::NewStruct { dst, .. }
        | Instr::NewVariant { dst, .. }
        | Instr::TestVariant { dst, .. }
        | Instr::GetPayload { dst, .. }
        | Instr::IsFailure { dst, .. }
        | Instr::Unwrap { dst, .. }
        | Instr::Import { dst, .. } => w(dst),
        Instr::Call { base, .. }
        | Instr::CallGlobal { base, .. }
        | Instr::CallMethod { base, .. }
        | Instr::CallList { base } => w(base),
        Instr::IterPrep { base } => {
            w(base);
            w(base + 1)
        }
        _ => {}
    }
}

/// For each simple loop of `proto`, keyed by its header (the target of backward jumps),
/// the registers its body may write. The body is the code from the header to the last
/// backward jump to it; a loop is simple when no jump inside it goes back before the header
/// and no jump from after it comes back into it (so every path from the header back to
/// itself stays inside). Calls, and anything else with a window, may write every register
/// from the window up.
pub fn loop_writes(proto: &Proto) -> rustc_hash::FxHashMap<usize, RegSet> {
    let mut out = rustc_hash::FxHashMap::default();
    for (t, end) in simple_loops(proto, false) {
        out.insert(t, body_writes(proto, t, end));
    }
    out
}

/// The simple loops of `proto` (see [`loop_writes`]) as (header, last pc of the body).
/// With `closed`, also no jump from before the header goes into the body: every way into
/// the body is through the header.
pub fn simple_loops(proto: &Proto, closed: bool) -> Vec<(usize, usize)> {
    let code = &proto.code;
    let mut ends: rustc_hash::FxHashMap<usize, usize> = Default::default();
    for (pc, i) in code.iter().enumerate() {
        if let Some(t) = jump_target(pc, i) {
            if t <= pc {
                let e = ends.entry(t).or_insert(pc);
                *e = (*e).max(pc);
            }
        }
    }
    let mut out = Vec::new();
    'loops: for (&t, &end) in &ends {
        for (pc, i) in code.iter().enumerate() {
            let Some(to) = jump_target(pc, i) else {
                continue;
            };
            let inside = (t..=end).contains(&pc);
            let into = (t + 1..=end).contains(&to);
            if (inside && to < t)
                || (pc > end && (t..=end).contains(&to))
                || (closed && pc < t && into)
            {
                continue 'loops;
            }
        }
        out.push((t, end));
    }
    out.sort_unstable();
    out
}

/// The registers the code from `t` to `end` may write. Calls, and anything else with a
/// window, may write every register from the window up.
pub fn body_writes(proto: &Proto, t: usize, end: usize) -> RegSet {
    use tandem_vm::opcode::Operand;
    let code = &proto.code;
    let mut w = Vec::new();
    {
        let mut set = RegSet::default();
        for i in &code[t..=end] {
            writes(i, &mut w);
            for &r in &w {
                set.insert(r);
            }
            for (name, op) in i.operands() {
                match (name, op) {
                    ("base", Operand::Reg(b)) => {
                        for r in b as usize..256 {
                            set.insert(r);
                        }
                    }
                    ("dst" | "reg", Operand::Reg(r)) => set.insert(r as usize),
                    _ => {}
                }
            }
        }
        set
    }
}

/// Basic blocks of a function and the liveness of registers.
pub struct Flow {
    /// The first pc of each block, in order.
    pub starts: Vec<usize>,
    /// For each pc, the index of its block.
    pub block_of: Vec<usize>,
    /// Registers live before each pc (every register, when the function has handlers:
    /// a `catch` can read anything set before its `try`).
    pub live_in: Vec<RegSet>,
    /// The function installs error handlers.
    pub has_try: bool,
}

impl Flow {
    /// The flow of `proto`; `ends` are pcs that end a block besides jumps and returns
    /// (calls compiled inline, which go to another region and come back after).
    pub fn new(proto: &Proto, ends: &[usize]) -> Flow {
        let code = &proto.code;
        let n = code.len();
        let mut leader = vec![false; n + 1];
        leader[0] = true;
        for &e in ends {
            if e < n {
                leader[e + 1] = true;
            }
        }
        let mut has_try = false;
        for (pc, i) in code.iter().enumerate() {
            if let Some(t) = jump_target(pc, i) {
                if t <= n {
                    leader[t] = true;
                }
                leader[pc + 1] = true;
            }
            if !falls_through(i) {
                leader[pc + 1] = true;
            }
            if let Instr::TryBegin { off, .. } | Instr::TryBeginRaw { off, .. } = *i {
                has_try = true;
                let t = (pc as isize + 1 + off as isize) as usize;
                if t <= n {
                    leader[t] = true;
                }
            }
        }
        let starts: Vec<usize> = (0..n).filter(|&pc| leader[pc]).collect();
        let mut block_of = vec![0; n];
        let mut b = 0;
        for (pc, slot) in block_of.iter_mut().enumerate() {
            if b + 1 < starts.len() && starts[b + 1] == pc {
                b += 1;
            }
            *slot = b;
        }
        let live_in = if has_try {
            vec![RegSet::ALL; n]
        } else {
            liveness(proto, &starts)
        };
        Flow {
            starts,
            block_of,
            live_in,
            has_try,
        }
    }

    /// The pcs of block `b`.
    pub fn range(&self, b: usize, len: usize) -> std::ops::Range<usize> {
        let end = self.starts.get(b + 1).copied().unwrap_or(len);
        self.starts[b]..end
    }

    /// Registers live before `pc` (none past the end).
    pub fn live(&self, pc: usize) -> RegSet {
        self.live_in.get(pc).copied().unwrap_or_default()
    }
}

/// The successors of the block ending with the instruction at `last`.
pub fn successors(code: &[Instr], last: usize) -> Vec<usize> {
    let i = &code[last];
    let mut s = Vec::with_capacity(2);
    if falls_through(i) && last + 1 < code.len() {
        s.push(last + 1);
    }
    if let Some(t) = jump_target(last, i) {
        s.push(t);
    }
    if is_tail_call(i) {
        s.push(0);
    }
    s
}

/// Backward liveness over the blocks, then per pc.
fn liveness(proto: &Proto, starts: &[usize]) -> Vec<RegSet> {
    let code = &proto.code;
    let n = code.len();
    let nb = starts.len();
    let end = |b: usize| starts.get(b + 1).copied().unwrap_or(n);
    let mut live_in_block = vec![RegSet::default(); nb];
    let block_of = |pc: usize| match starts.binary_search(&pc) {
        Ok(b) => b,
        Err(b) => b - 1,
    };
    let mut rd = Vec::new();
    let mut wr = Vec::new();
    // A self tail call moves its arguments into the parameters: those are live at pc 0.
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..nb).rev() {
            let last = end(b) - 1;
            let mut live = RegSet::default();
            for s in successors(code, last) {
                if s < n {
                    live.union(&live_in_block[block_of(s)]);
                }
            }
            for pc in (starts[b]..end(b)).rev() {
                transfer_live(proto, &code[pc], &mut live, &mut rd, &mut wr);
            }
            if live_in_block[b] != live {
                live_in_block[b] = live;
                changed = true;
            }
        }
    }
    let mut out = vec![RegSet::default(); n];
    for (b, &start) in starts.iter().enumerate() {
        let last = end(b) - 1;
        let mut live = RegSet::default();
        for s in successors(code, last) {
            if s < n {
                live.union(&live_in_block[block_of(s)]);
            }
        }
        for pc in (start..end(b)).rev() {
            transfer_live(proto, &code[pc], &mut live, &mut rd, &mut wr);
            out[pc] = live;
        }
    }
    out
}

fn transfer_live(
    proto: &Proto,
    i: &Instr,
    live: &mut RegSet,
    rd: &mut Vec<usize>,
    wr: &mut Vec<usize>,
) {
    writes(i, wr);
    for &r in wr.iter() {
        live.remove(r);
    }
    reads(proto, i, rd);
    for &r in rd.iter() {
        live.insert(r);
    }
}
