//! The opcode table, declared once. The compiler emits [`Instr`]s, the interpreter matches on
//! them, and the disassembler prints them through [`Instr::name`] and [`Instr::operands`], all
//! from the single declaration below.
//!
//! Operand types (aliases, so the table says what each field means):
//! - [`Reg`]: a register of the current frame (R0 is the first parameter).
//! - [`KIdx`]: an index into the function's constant table.
//! - [`GIdx`]: a global slot.
//! - [`UIdx`]: an upvalue of the running closure.
//! - [`PIdx`]: an index into the function's child prototypes.
//! - [`Jump`]: a pc offset relative to the *next* instruction.
//! - [`Jump16`]: a short [`Jump`], for instructions with no room for a long one.
//! - [`Imm`]: an immediate integer.
//! - [`Count`]: a small count (number of arguments, ...).
//!
//! Calls use a window: the callee sits in `R[base]`, its arguments in `R[base+1..]`, and the
//! result lands in `R[base]`. The callee's frame starts at the caller's `base + 1`.

pub type Reg = u8;
pub type KIdx = u16;
pub type GIdx = u32;
pub type UIdx = u8;
pub type PIdx = u16;
pub type Jump = i32;
pub type Jump16 = i16;
pub type Imm = i32;
pub type Imm16 = i16;
pub type Count = u8;

/// One operand, as the disassembler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Reg(u8),
    Const(u16),
    Global(u32),
    Upval(u8),
    Proto(u16),
    Jump(i32),
    Imm(i32),
    Count(u8),
}

macro_rules! operand_of {
    (Reg, $v:expr) => {
        Operand::Reg($v)
    };
    (KIdx, $v:expr) => {
        Operand::Const($v)
    };
    (GIdx, $v:expr) => {
        Operand::Global($v)
    };
    (UIdx, $v:expr) => {
        Operand::Upval($v)
    };
    (PIdx, $v:expr) => {
        Operand::Proto($v)
    };
    (Jump, $v:expr) => {
        Operand::Jump($v)
    };
    (Imm, $v:expr) => {
        Operand::Imm($v)
    };
    (Count, $v:expr) => {
        Operand::Count($v)
    };
    (Imm16, $v:expr) => {
        Operand::Imm($v as i32)
    };
    (Jump16, $v:expr) => {
        Operand::Jump($v as i32)
    };
}

macro_rules! opcodes {
    ($( $(#[$doc:meta])* $name:ident { $($field:ident : $ty:ident),* } => $mnemonic:literal, )*) => {
        /// A bytecode instruction. Each variant is one opcode with its decoded operands.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $( $(#[$doc])* $name { $($field: $ty),* }, )*
        }

        impl Instr {
            /// The mnemonic used by the disassembler.
            pub fn name(&self) -> &'static str {
                match self { $( Instr::$name { .. } => $mnemonic, )* }
            }

            /// Operands in declaration order, named.
            pub fn operands(&self) -> Vec<(&'static str, Operand)> {
                match *self {
                    $( Instr::$name { $($field),* } => vec![$((stringify!($field), operand_of!($ty, $field))),*], )*
                }
            }

            /// Every mnemonic in the table, in declaration order.
            pub const MNEMONICS: &'static [&'static str] = &[$($mnemonic),*];
        }
    };
}

opcodes! {
    /// `R[dst] = R[src]`
    Move { dst: Reg, src: Reg } => "MOVE",
    /// `R[dst] = K[k]`
    LoadK { dst: Reg, k: KIdx } => "LOADK",
    /// `R[dst] = imm` (an int)
    LoadInt { dst: Reg, imm: Imm } => "LOADI",
    /// `R[dst] = null`
    LoadNull { dst: Reg } => "LOADNULL",
    /// `R[dst] = true`
    LoadTrue { dst: Reg } => "LOADTRUE",
    /// `R[dst] = false`
    LoadFalse { dst: Reg } => "LOADFALSE",
    /// `R[dst] = G[g]`; an undefined global is an error.
    GetGlobal { dst: Reg, g: GIdx } => "GETGLOBAL",
    /// `G[g] = R[src]`; creates the global if needed, refuses immutable ones.
    SetGlobal { src: Reg, g: GIdx } => "SETGLOBAL",
    /// Define global `g` as mutable with value `R[src]`.
    DefGlobalMut { src: Reg, g: GIdx } => "DEFGLOBAL",
    /// Define global `g` as immutable with value `R[src]`.
    DefGlobalConst { src: Reg, g: GIdx } => "DEFGLOBALK",
    /// `R[dst] = U[u]` (a by-value capture)
    GetUpval { dst: Reg, u: UIdx } => "GETUPVAL",
    /// `R[dst] = *U[u]` (a boxed capture)
    GetUpvalBox { dst: Reg, u: UIdx } => "GETUPBOX",
    /// `*U[u] = R[src]`
    SetUpvalBox { u: UIdx, src: Reg } => "SETUPBOX",
    /// `R[dst] = new box holding R[src]`
    NewBox { dst: Reg, src: Reg } => "NEWBOX",
    /// `R[dst] = *R[bx]`
    GetBox { dst: Reg, bx: Reg } => "GETBOX",
    /// `*R[bx] = R[src]`
    SetBox { bx: Reg, src: Reg } => "SETBOX",
    /// `R[dst] = R[a] + R[b]`
    Add { dst: Reg, a: Reg, b: Reg } => "ADD",
    /// `R[dst] = R[a] + imm`
    AddInt { dst: Reg, a: Reg, imm: Imm } => "ADDI",
    /// `R[dst] = R[a] * imm`
    MulInt { dst: Reg, a: Reg, imm: Imm } => "MULI",
    /// `R[dst] = R[a] % imm` (imm > 0)
    ModInt { dst: Reg, a: Reg, imm: Imm } => "MODI",
    /// `R[dst] = R[a] modulo R[b]` (floored: the sign of the divisor)
    ModFloor { dst: Reg, a: Reg, b: Reg } => "MODF",
    /// `R[dst] = R[a] modulo imm` (floored; imm > 0)
    ModFloorInt { dst: Reg, a: Reg, imm: Imm } => "MODFI",
    /// `R[dst] = R[a] / R[b]` as Scheme divides: exact when two ints divide evenly.
    DivScheme { dst: Reg, a: Reg, b: Reg } => "DIVS",
    /// `R[dst] = (quotient R[a] R[b])`: integer division truncated toward zero.
    Quot { dst: Reg, a: Reg, b: Reg } => "QUOT",
    /// `R[dst] = (char=? R[a] R[b])`
    CharEq { dst: Reg, a: Reg, b: Reg } => "CHAREQ",
    /// `R[dst] = R[a] - R[b]`
    Sub { dst: Reg, a: Reg, b: Reg } => "SUB",
    /// `R[dst] = R[a] * R[b]`
    Mul { dst: Reg, a: Reg, b: Reg } => "MUL",
    /// `R[dst] = R[a] / R[b]`
    Div { dst: Reg, a: Reg, b: Reg } => "DIV",
    /// `R[dst] = R[a] % R[b]`
    Mod { dst: Reg, a: Reg, b: Reg } => "MOD",
    /// `R[dst] = -R[src]`
    Neg { dst: Reg, src: Reg } => "NEG",
    /// `R[dst] = !R[src]` (bool only)
    Not { dst: Reg, src: Reg } => "NOT",
    /// `R[dst] = truthy(R[src])` (Ruff truth)
    Truthy { dst: Reg, src: Reg } => "TRUTHY",
    /// `R[dst] = R[a] == R[b]`
    Eq { dst: Reg, a: Reg, b: Reg } => "EQ",
    /// `R[dst] = R[a] != R[b]`
    Ne { dst: Reg, a: Reg, b: Reg } => "NE",
    /// `R[dst] = R[a] < R[b]`
    Lt { dst: Reg, a: Reg, b: Reg } => "LT",
    /// `R[dst] = R[a] <= R[b]`
    Le { dst: Reg, a: Reg, b: Reg } => "LE",
    /// `pc += off`
    Jmp { off: Jump } => "JMP",
    /// `if !truthy(R[src]) { pc += off }` (Ruff truth)
    JmpFalsy { src: Reg, off: Jump } => "JMPFALSY",
    /// `if truthy(R[src]) { pc += off }` (Ruff truth)
    JmpTruthy { src: Reg, off: Jump } => "JMPTRUTHY",
    /// `if R[src] is #f { pc += off }` (Scheme truth)
    JmpFalse { src: Reg, off: Jump } => "JMPFALSE",
    /// `if R[src] is not null { pc += off }`
    JmpNotNull { src: Reg, off: Jump } => "JMPNOTNULL",
    /// `if !(R[a] < R[b]) { pc += off }` (fused compare and branch)
    JmpNotLt { a: Reg, b: Reg, off: Jump } => "JMPNLT",
    /// `if !(R[a] <= R[b]) { pc += off }`
    JmpNotLe { a: Reg, b: Reg, off: Jump } => "JMPNLE",
    /// `if !(R[a] == R[b]) { pc += off }`
    JmpNotEq { a: Reg, b: Reg, off: Jump } => "JMPNEQ",
    /// `if R[a] == R[b] { pc += off }`
    JmpEq { a: Reg, b: Reg, off: Jump } => "JMPEQ",
    /// `if !(R[a] == imm) { pc += off }`
    JmpNotEqInt { a: Reg, imm: Imm16, off: Jump } => "JMPNEQI",
    /// `if R[a] == imm { pc += off }`
    JmpEqInt { a: Reg, imm: Imm16, off: Jump } => "JMPEQI",
    /// `if !(R[a] < imm) { pc += off }`
    JmpNotLtInt { a: Reg, imm: Imm16, off: Jump } => "JMPNLTI",
    /// `if !(R[a] <= imm) { pc += off }`
    JmpNotLeInt { a: Reg, imm: Imm16, off: Jump } => "JMPNLEI",
    /// `if !(R[a] > imm) { pc += off }`
    JmpNotGtInt { a: Reg, imm: Imm16, off: Jump } => "JMPNGTI",
    /// `if !(R[a] >= imm) { pc += off }`
    JmpNotGeInt { a: Reg, imm: Imm16, off: Jump } => "JMPNGEI",
    /// Call `R[base]` with `n` arguments `R[base+1..=base+n]`; the result goes to `R[base]`.
    Call { base: Reg, n: Count } => "CALL",
    /// Tail call: like `CALL`, but the callee replaces the running frame.
    TailCall { base: Reg, n: Count } => "TAILCALL",
    /// `R[base] = G[g]`, then `CALL base, n` (a call of a global function).
    CallGlobal { base: Reg, n: Count, g: GIdx } => "CALLG",
    /// `R[base] = G[g]`, then `TAILCALL base, n`.
    TailCallGlobal { base: Reg, n: Count, g: GIdx } => "TAILCALLG",
    /// Return `R[src]` to the caller.
    Return { src: Reg } => "RETURN",
    /// Return null.
    ReturnNull {} => "RETURNNULL",
    /// `R[dst] = closure of child prototype p`, capturing its upvalues from this frame.
    Closure { dst: Reg, p: PIdx } => "CLOSURE",
    /// `R[dst] = []` with room for `n` elements.
    NewArray { dst: Reg, n: Count } => "NEWARRAY",
    /// Append `R[src]` to the array `R[arr]`.
    ArrayPush { arr: Reg, src: Reg } => "APUSH",
    /// Append every element of the array `R[src]` to the array `R[arr]` (spread).
    ArrayExtend { arr: Reg, src: Reg } => "AEXTEND",
    /// `R[dst] = {}`
    NewDict { dst: Reg } => "NEWDICT",
    /// Copy every entry of the dict `R[src]` into the dict `R[dict]` (spread).
    DictExtend { dict: Reg, src: Reg } => "DEXTEND",
    /// `R[dst] = R[obj][R[idx]]`
    GetIndex { dst: Reg, obj: Reg, idx: Reg } => "GETINDEX",
    /// `R[obj][R[idx]] = R[src]`
    SetIndex { obj: Reg, idx: Reg, src: Reg } => "SETINDEX",
    /// `R[dst]` = the value of key `R[key]` in the hash table `R[table]`, or `R[dflt]` when
    /// it has none (Scheme `hash-table-ref/default`, the native's errors included).
    TableRef { dst: Reg, table: Reg, key: Reg, dflt: Reg } => "TABLEREF",
    /// Store `R[src]` under key `R[key]` in the hash table `R[table]` (Scheme
    /// `hash-table-set!`, the native's errors included).
    TableSet { table: Reg, key: Reg, src: Reg } => "TABLESET",
    /// `R[dst]` = a new pair of `R[a]` and `R[b]` (Scheme `cons`).
    Cons { dst: Reg, a: Reg, b: Reg } => "CONS",
    /// `R[dst]` = the car of the pair `R[src]` (Scheme `car`, the native's error included).
    Car { dst: Reg, src: Reg } => "CAR",
    /// `R[dst]` = the cdr of the pair `R[src]` (Scheme `cdr`, the native's error included).
    Cdr { dst: Reg, src: Reg } => "CDR",
    /// `R[dst]` = whether `R[src]` is the empty list (Scheme `null?`).
    IsNull { dst: Reg, src: Reg } => "NULLP",
    /// `R[dst]` = whether `R[src]` is a pair (Scheme `pair?`).
    IsPair { dst: Reg, src: Reg } => "PAIRP",
    /// `R[dst]` = whether `R[src]` is `#f` (Scheme `not`).
    IsFalse { dst: Reg, src: Reg } => "FALSEP",
    /// `R[dst]` = whether `R[a]` and `R[b]` are the same (Scheme `eqv?` and `eq?`).
    Eqv { dst: Reg, a: Reg, b: Reg } => "EQV",
    /// `R[dst]` = element `R[idx]` of the vector `R[vec]` (Scheme `vector-ref`, the
    /// native's errors included).
    VecRef { dst: Reg, vec: Reg, idx: Reg } => "VECREF",
    /// Element `R[idx]` of the vector `R[vec]` = `R[src]` (Scheme `vector-set!`).
    VecSet { vec: Reg, idx: Reg, src: Reg } => "VECSET",
    /// `R[dst]` = the length of the vector `R[src]` (Scheme `vector-length`).
    VecLen { dst: Reg, src: Reg } => "VECLEN",
    /// `R[dst]` = character `R[idx]` of the string `R[s]` (Scheme `string-ref`, the
    /// native's errors included).
    StrRef { dst: Reg, s: Reg, idx: Reg } => "STRREF",
    /// `R[dst]` = the number of characters of the string `R[src]` (Scheme `string-length`).
    StrLen { dst: Reg, src: Reg } => "STRLEN",
    /// `R[dst]` = whether `R[obj]` is a struct of exactly the type `R[ty]` (Scheme's
    /// record type test; false when `R[ty]` is not a type).
    IsInstance { dst: Reg, obj: Reg, ty: Reg } => "ISINST",
    /// A checked record field read (Scheme's record accessors): when `R[obj]` is an
    /// instance of exactly the struct type in global `K[k+1]` (an int, the global's slot),
    /// `R[dst] = R[obj].K[k]` (`GETFIELD`'s error if the type has no such field) and
    /// `pc += off`; otherwise nothing is written and the next instruction runs (the code
    /// that raises the accessor's error).
    RecGet { dst: Reg, obj: Reg, k: KIdx, off: Jump16 } => "RECGET",
    /// A checked record field write (Scheme's record modifiers): when `R[obj]` is an
    /// instance of exactly the struct type in global `K[k+1]`, `R[obj].K[k] = R[src]` and
    /// `pc += off`; otherwise the next instruction runs.
    RecSet { obj: Reg, k: KIdx, src: Reg, off: Jump16 } => "RECSET",
    /// A record type's predicate in place (Scheme): when global `K[k]` (an int, the
    /// predicate's slot) is defined and global `K[k+1]` holds a struct type, `R[dst]` =
    /// whether `R[obj]` is an instance of exactly that type, and `pc += off`; otherwise
    /// nothing is written and the next instruction runs (a call of the predicate).
    RecIs { dst: Reg, obj: Reg, k: KIdx, off: Jump16 } => "RECIS",
    /// `R[dst] = to_string(R[base]) + ... + to_string(R[base+n-1])`
    Concat { dst: Reg, base: Reg, n: Count } => "CONCAT",
    /// `R[dst] = R[obj].K[k]`: a struct field, a module member or a dict entry.
    GetField { dst: Reg, obj: Reg, k: KIdx } => "GETFIELD",
    /// `R[obj].K[k] = R[src]`
    SetField { obj: Reg, k: KIdx, src: Reg } => "SETFIELD",
    /// Call method `K[k]` of `R[base+1]` with `n` arguments `R[base+2..]`: a struct method
    /// (with the object as `self`), a module member, or the builtin `K[k]` in method form.
    /// The result goes to `R[base]`.
    CallMethod { base: Reg, n: Count, k: KIdx } => "CALLMETHOD",
    /// `CALLMETHOD` in tail position.
    TailCallMethod { base: Reg, n: Count, k: KIdx } => "TAILMETHOD",
    /// `R[dst] = a new struct type with the name and fields of the type K[k]`: each run of a
    /// struct definition that has methods makes its own type, so a struct defined inside a
    /// function gets methods closing over that call.
    NewStructType { dst: Reg, k: KIdx } => "NEWTYPE",
    /// Add method `K[k]` = `R[src]` to the struct type `R[ty]`.
    AddMethod { ty: Reg, k: KIdx, src: Reg } => "ADDMETHOD",
    /// `R[dst] = new instance of the struct type R[ty]`, every field null.
    NewStruct { dst: Reg, ty: Reg } => "NEWSTRUCT",
    /// `R[dst] = variant K[k] ("family|tag") of the enum type R[base] (or Result/Option
    /// when R[base] is null) with payload `R[base+1..=base+n]`.
    NewVariant { dst: Reg, base: Reg, n: Count, k: KIdx } => "NEWVARIANT",
    /// `R[dst] = R[src] is the variant K[k] ("family|tag|arity", empty parts match any)`
    TestVariant { dst: Reg, src: Reg, k: KIdx } => "TESTVARIANT",
    /// `R[dst] = payload value idx of the variant R[src]`
    GetPayload { dst: Reg, src: Reg, idx: Count } => "GETPAYLOAD",
    /// `R[dst] = R[src] is Err(..) or None` (the `?` test); an error for non-variants.
    IsFailure { dst: Reg, src: Reg } => "ISFAILURE",
    /// `R[dst] = the payload of Ok(x) / Some(x) in R[src]`
    Unwrap { dst: Reg, src: Reg } => "UNWRAP",
    /// Raise `R[src]` as an error.
    Throw { src: Reg } => "THROW",
    /// Install an error handler: an error raised before the matching `TRYEND` resumes at
    /// `pc + off` with the error value in `R[reg]`.
    TryBegin { reg: Reg, off: Jump } => "TRYBEGIN",
    /// Like `TRYBEGIN`, but `R[reg]` receives the raised value itself (Scheme `guard`).
    TryBeginRaw { reg: Reg, off: Jump } => "TRYBEGINRAW",
    /// Remove the innermost error handler.
    TryEnd {} => "TRYEND",
    /// Call `R[base]` with the elements of the list `R[base+1]`; the result goes to `R[base]`.
    CallList { base: Reg } => "CALLLIST",
    /// `CALLLIST` in tail position.
    TailCallList { base: Reg } => "TAILCALLLIST",
    /// `R[dst] = the module at path K[k]`, loaded (once) by the host's module loader.
    Import { dst: Reg, k: KIdx } => "IMPORT",
    /// Prepare `for x in R[base]`: turns the iterable into an iteration state in
    /// `R[base]` (what to walk) and `R[base+1]` (the position).
    IterPrep { base: Reg } => "ITERPREP",
    /// `R[dst] = next element`, or jump by `off` when the iteration is over.
    IterNext { base: Reg, dst: Reg, off: Jump } => "ITERNEXT",
    /// Prepare `for i in range(R[base], R[base+1], R[base+2])`: jump by `off` if empty,
    /// else set the loop variable `R[base+3]` to the start.
    RangePrep { base: Reg, off: Jump } => "RANGEPREP",
    /// `R[base] += R[base+2]`; while still in range, copy it to the loop variable
    /// `R[base+3]` and jump back by `off`.
    RangeNext { base: Reg, off: Jump } => "RANGENEXT",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_are_eight_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 8);
    }

    #[test]
    fn table_names_and_operands() {
        let i = Instr::Add { dst: 1, a: 2, b: 3 };
        assert_eq!(i.name(), "ADD");
        assert_eq!(
            i.operands(),
            vec![
                ("dst", Operand::Reg(1)),
                ("a", Operand::Reg(2)),
                ("b", Operand::Reg(3))
            ]
        );
        assert!(Instr::MNEMONICS.contains(&"TAILCALL"));
        let mut seen = std::collections::HashSet::new();
        for m in Instr::MNEMONICS {
            assert!(seen.insert(m), "duplicate mnemonic {m}");
        }
    }
}
