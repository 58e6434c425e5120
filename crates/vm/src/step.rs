//! One instruction outside the dispatch loop.
//!
//! [`Vm::exec_one`] runs a single instruction of the top frame with the interpreter's own
//! operations, reading and writing registers in the value stack. Compiled code calls it for
//! every instruction it does not inline, and the interpreter calls it for its rare
//! instructions (type definitions, imports, spreads, `throw`), so each instruction's
//! meaning is written once. Calls, returns and tail calls are not instructions it runs:
//! the interpreter and compiled code each do those themselves.

use crate::builtins::scheme::{chars_strings, hashtables, lists, vectors};
use crate::error::{ErrorKind, RuntimeError};
use crate::format;
use crate::interp::{compare, floor_mod, scheme_div, Arith};
use crate::interp_data::{record_slot, record_test};
use crate::object::{Closure, Proto, StructType, UpvalSource};
use crate::opcode::Instr;
use crate::value::{values_equal_in, Gc, Value};
use crate::vm::{Handler, Vm};
use std::cmp::Ordering;
use std::rc::Rc;
use tandem_core::ir::Wording;

/// Where control goes after [`Vm::exec_one`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// To the next instruction.
    Next,
    /// Along the instruction's jump (a taken branch; for `RANGENEXT` the loop goes on, for
    /// `ITERNEXT` the iteration is over).
    Jump,
}

/// `a < b` (`or_equal`: `a <= b`) as the interpreter orders values: numbers and strings.
pub(crate) fn less(a: Value, b: Value, or_equal: bool) -> Result<bool, String> {
    let op = if or_equal { "<=" } else { "<" };
    Ok(match compare(a, b, op)? {
        Some(Ordering::Less) => true,
        Some(Ordering::Equal) => or_equal,
        _ => false,
    })
}

/// `v OP imm` for the compare-with-immediate jumps (`op` is `<`, `<=`, `>` or `>=`). The
/// compiler writes `>` and `>=` as the mirrored `imm < v` / `imm <= v`, so their errors
/// name the operands in that order.
pub(crate) fn compare_imm(v: Value, imm: i64, op: &str) -> Result<bool, String> {
    let k = Value::Int(imm);
    match op {
        "<" => less(v, k, false),
        "<=" => less(v, k, true),
        ">" => less(k, v, false),
        _ => less(k, v, true),
    }
}

impl Vm {
    /// The error an instruction raises at `pc` of the top frame (running `proto`): worded
    /// for the code's dialect, located at the instruction, with the value a native raised.
    pub(crate) fn instr_error(
        &mut self,
        proto: &Proto,
        pc: usize,
        kind: ErrorKind,
        mut msg: String,
    ) -> RuntimeError {
        // An operation that failed because the heap refused an allocation fails with the
        // memory limit's error, whatever it said.
        let kind = if self.heap.take_limit_hit() {
            msg = self.heap.limit_message();
            ErrorKind::Limit(crate::limits::Limit::Memory)
        } else {
            kind
        };
        if proto.wording == Wording::Scheme && !matches!(kind, ErrorKind::Limit(_)) {
            crate::interp::scheme_wording(&mut msg);
        }
        if let Some(f) = self.frames.last_mut() {
            f.pc = pc.wrapping_add(1) as u32;
        }
        let span = proto.spans.get(pc).copied().unwrap_or(proto.span);
        let mut err = self.error_at(kind, msg, span);
        err.value = self.pending_raise.take();
        err
    }

    /// A closure of `child`, capturing from the frame at `base` running `closure`.
    pub(crate) fn make_closure(
        &mut self,
        child: &Rc<Proto>,
        closure: Gc<Closure>,
        base: usize,
    ) -> Value {
        let ups: Box<[Value]> = child
            .upvals
            .iter()
            .map(|d| match d.source {
                UpvalSource::Register(r) => self.stack[base + r as usize],
                UpvalSource::Upvalue(u) => closure.upvals[u as usize],
            })
            .collect();
        Value::Closure(self.heap.alloc_closure(child.clone(), ups))
    }

    /// The iteration state `for x in v` walks: arrays and ints as they are, a string's
    /// characters and a dict's sorted keys as arrays.
    pub(crate) fn iter_state(&mut self, v: Value) -> Result<Value, String> {
        Ok(match v {
            Value::Array(_) | Value::Int(_) => v,
            Value::Str(s) => {
                let chars: Vec<char> = s.as_str().chars().collect();
                let items = chars.into_iter().map(|c| self.char_str(c)).collect();
                self.new_array(items)
            }
            Value::Dict(d) => {
                let keys = d.sorted_keys();
                let items = keys.into_iter().map(|k| self.new_str(k)).collect();
                self.new_array(items)
            }
            v => {
                return Err(format!(
                    "Cannot iterate over a value of type {}",
                    v.type_name()
                ))
            }
        })
    }

    /// The message `throw v` raises.
    fn thrown_message(&self, v: Value) -> String {
        match v {
            Value::Struct(inst) if inst.ty == self.error_type => match inst.get("message") {
                Some(m) => format::display(self, m),
                None => "error".to_string(),
            },
            _ => format::display(self, v),
        }
    }

    /// Run the instruction at `pc` of the top frame (see the module docs).
    pub(crate) fn exec_one(&mut self, pc: usize) -> Result<Flow, RuntimeError> {
        let frame = *self.frames.last().expect("a frame is running");
        let closure = frame.closure;
        // SAFETY: the closure is rooted by its frame (the collector marks every frame's closure).
        let proto: &Proto = unsafe { &*Rc::as_ptr(&closure.proto) };
        let base = frame.base as usize;
        let exact_eq = proto.wording == Wording::Scheme;
        macro_rules! r {
            ($i:expr) => {
                self.stack[base + $i as usize]
            };
        }
        macro_rules! set {
            ($i:expr, $v:expr) => {{
                let v = $v;
                self.stack[base + $i as usize] = v;
            }};
        }
        macro_rules! fail {
            ($kind:expr, $msg:expr) => {{
                let msg = $msg;
                return Err(self.instr_error(proto, pc, $kind, msg));
            }};
        }
        macro_rules! throw {
            ($msg:expr) => {
                fail!(ErrorKind::Runtime, $msg)
            };
        }
        macro_rules! ok {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(m) => throw!(m),
                }
            };
        }
        macro_rules! jump_if {
            ($c:expr) => {
                return Ok(if $c { Flow::Jump } else { Flow::Next })
            };
        }
        macro_rules! kstr {
            ($k:expr) => {
                match proto.consts[$k as usize] {
                    Value::Str(s) => s,
                    _ => throw!("internal error: expected a string constant".to_string()),
                }
            };
        }
        macro_rules! arith {
            ($op:expr, $dst:expr, $a:expr, $b:expr) => {{
                let v = ok!(self.arith_slow($op, $a, $b));
                set!($dst, v)
            }};
        }
        macro_rules! boxed {
            ($v:expr) => {
                match $v {
                    Value::Box(b) => b,
                    _ => throw!("internal error: register is not a box".to_string()),
                }
            };
        }
        match proto.code[pc] {
            Instr::Move { dst, src } => set!(dst, r!(src)),
            Instr::LoadK { dst, k } => set!(dst, proto.consts[k as usize]),
            Instr::LoadInt { dst, imm } => set!(dst, Value::Int(imm as i64)),
            Instr::LoadNull { dst } => set!(dst, Value::Null),
            Instr::LoadTrue { dst } => set!(dst, Value::Bool(true)),
            Instr::LoadFalse { dst } => set!(dst, Value::Bool(false)),
            Instr::GetGlobal { dst, g } => {
                let v = self.globals.values[g as usize];
                if let Value::Undef = v {
                    throw!(format!("Undefined variable: {}", self.globals.name(g)));
                }
                set!(dst, v);
            }
            Instr::SetGlobal { src, g } => {
                if self.globals.immutable[g as usize] {
                    throw!(format!(
                        "Cannot assign to immutable variable: {}",
                        self.globals.name(g)
                    ));
                }
                self.globals.values[g as usize] = r!(src);
            }
            Instr::DefGlobalMut { src, g } => {
                self.globals.values[g as usize] = r!(src);
                self.globals.immutable[g as usize] = false;
            }
            Instr::DefGlobalConst { src, g } => {
                self.globals.values[g as usize] = r!(src);
                self.globals.immutable[g as usize] = true;
            }
            Instr::GetUpval { dst, u } => set!(dst, closure.upvals[u as usize]),
            Instr::GetUpvalBox { dst, u } => {
                let b = boxed!(closure.upvals[u as usize]);
                set!(dst, b.value.get());
            }
            Instr::SetUpvalBox { u, src } => boxed!(closure.upvals[u as usize]).value.set(r!(src)),
            Instr::NewBox { dst, src } => {
                let b = self.heap.alloc_box(r!(src));
                set!(dst, Value::Box(b));
            }
            Instr::GetBox { dst, bx } => {
                let b = boxed!(r!(bx));
                set!(dst, b.value.get());
            }
            Instr::SetBox { bx, src } => boxed!(r!(bx)).value.set(r!(src)),
            Instr::Add { dst, a, b } => arith!(Arith::Add, dst, r!(a), r!(b)),
            Instr::Sub { dst, a, b } => arith!(Arith::Sub, dst, r!(a), r!(b)),
            Instr::Mul { dst, a, b } => arith!(Arith::Mul, dst, r!(a), r!(b)),
            Instr::Div { dst, a, b } => arith!(Arith::Div, dst, r!(a), r!(b)),
            Instr::Mod { dst, a, b } => arith!(Arith::Mod, dst, r!(a), r!(b)),
            Instr::AddInt { dst, a, imm } => {
                // Reported as written: `x - 1` compiles to ADDI with -1.
                let (op, k) = if imm < 0 {
                    (Arith::Sub, -(imm as i64))
                } else {
                    (Arith::Add, imm as i64)
                };
                arith!(op, dst, r!(a), Value::Int(k))
            }
            Instr::MulInt { dst, a, imm } => arith!(Arith::Mul, dst, r!(a), Value::Int(imm as i64)),
            Instr::ModInt { dst, a, imm } => arith!(Arith::Mod, dst, r!(a), Value::Int(imm as i64)),
            Instr::ModFloor { dst, a, b } => set!(dst, ok!(floor_mod(r!(a), r!(b)))),
            Instr::CharEq { dst, a, b } => {
                let v = ok!(crate::builtins::scheme::chars_strings::char_eq_of(
                    self,
                    r!(a),
                    r!(b)
                ));
                set!(dst, v)
            }
            Instr::Quot { dst, a, b } => {
                let v = ok!(crate::builtins::scheme::numbers::quotient_of(
                    self,
                    r!(a),
                    r!(b)
                ));
                set!(dst, v)
            }
            Instr::ModFloorInt { dst, a, imm } => {
                set!(dst, ok!(floor_mod(r!(a), Value::Int(imm as i64))))
            }
            Instr::DivScheme { dst, a, b } => set!(dst, ok!(scheme_div(r!(a), r!(b)))),
            Instr::Neg { dst, src } => match r!(src) {
                Value::Int(x) => match x.checked_neg() {
                    Some(z) => set!(dst, Value::Int(z)),
                    None => throw!(crate::interp::overflow()),
                },
                Value::Float(x) => set!(dst, Value::Float(-x)),
                v => throw!(format!("Invalid unary operation: -{}", v.type_name())),
            },
            Instr::Not { dst, src } => match r!(src) {
                Value::Bool(b) => set!(dst, Value::Bool(!b)),
                v => throw!(format!("Invalid unary operation: !{}", v.type_name())),
            },
            Instr::Truthy { dst, src } => set!(dst, Value::Bool(r!(src).truthy())),
            Instr::Eq { dst, a, b } => {
                set!(dst, Value::Bool(values_equal_in(r!(a), r!(b), exact_eq)))
            }
            Instr::Ne { dst, a, b } => {
                set!(dst, Value::Bool(!values_equal_in(r!(a), r!(b), exact_eq)))
            }
            Instr::Lt { dst, a, b } => set!(dst, Value::Bool(ok!(less(r!(a), r!(b), false)))),
            Instr::Le { dst, a, b } => set!(dst, Value::Bool(ok!(less(r!(a), r!(b), true)))),
            Instr::Jmp { .. } => return Ok(Flow::Jump),
            Instr::JmpFalsy { src, .. } => jump_if!(!r!(src).truthy()),
            Instr::JmpTruthy { src, .. } => jump_if!(r!(src).truthy()),
            Instr::JmpFalse { src, .. } => jump_if!(matches!(r!(src), Value::Bool(false))),
            Instr::JmpNotNull { src, .. } => jump_if!(!matches!(r!(src), Value::Null)),
            Instr::JmpNotLt { a, b, .. } => jump_if!(!ok!(less(r!(a), r!(b), false))),
            Instr::JmpNotLe { a, b, .. } => jump_if!(!ok!(less(r!(a), r!(b), true))),
            Instr::JmpNotEq { a, b, .. } => jump_if!(!values_equal_in(r!(a), r!(b), exact_eq)),
            Instr::JmpEq { a, b, .. } => jump_if!(values_equal_in(r!(a), r!(b), exact_eq)),
            Instr::JmpNotEqInt { a, imm, .. } => {
                jump_if!(!values_equal_in(r!(a), Value::Int(imm as i64), exact_eq))
            }
            Instr::JmpEqInt { a, imm, .. } => {
                jump_if!(values_equal_in(r!(a), Value::Int(imm as i64), exact_eq))
            }
            Instr::JmpNotLtInt { a, imm, .. } => {
                jump_if!(!ok!(compare_imm(r!(a), imm as i64, "<")))
            }
            Instr::JmpNotLeInt { a, imm, .. } => {
                jump_if!(!ok!(compare_imm(r!(a), imm as i64, "<=")))
            }
            Instr::JmpNotGtInt { a, imm, .. } => {
                jump_if!(!ok!(compare_imm(r!(a), imm as i64, ">")))
            }
            Instr::JmpNotGeInt { a, imm, .. } => {
                jump_if!(!ok!(compare_imm(r!(a), imm as i64, ">=")))
            }
            Instr::Closure { dst, p } => {
                let child = proto.children[p as usize].clone();
                let c = self.make_closure(&child, closure, base);
                set!(dst, c);
            }
            Instr::NewArray { dst, n } => {
                let a = self.new_array(Vec::with_capacity(n as usize));
                set!(dst, a);
            }
            Instr::ArrayPush { arr, src } => match r!(arr) {
                Value::Array(a) => ok!(self.array_push(a, r!(src))),
                _ => throw!("internal error: APUSH on a non-array".to_string()),
            },
            Instr::ArrayExtend { arr, src } => match (r!(arr), r!(src)) {
                (Value::Array(a), Value::Array(b)) => {
                    let items = b.to_vec();
                    ok!(self.grow_array(a, items.len()));
                    a.items_mut().extend(items);
                }
                (_, v) => throw!(format!("Cannot spread a {} into an array", v.type_name())),
            },
            Instr::NewDict { dst } => {
                let d = self.new_dict(Default::default());
                set!(dst, d);
            }
            Instr::DictExtend { dict, src } => match (r!(dict), r!(src)) {
                (Value::Dict(d), Value::Dict(s)) => {
                    let entries: Vec<(crate::object::Key, Value)> =
                        s.map().iter().map(|(k, v)| (k.clone(), *v)).collect();
                    for (k, v) in entries {
                        ok!(self.dict_insert(d, k.as_ref(), v));
                    }
                }
                (_, v) => throw!(format!("Cannot spread a {} into a dict", v.type_name())),
            },
            Instr::GetIndex { dst, obj, idx } => {
                let v = ok!(self.get_index(r!(obj), r!(idx)));
                set!(dst, v)
            }
            Instr::SetIndex { obj, idx, src } => ok!(self.set_index(r!(obj), r!(idx), r!(src))),
            Instr::TableRef {
                dst,
                table,
                key,
                dflt,
            } => {
                let v = ok!(hashtables::table_ref(self, r!(table), r!(key), r!(dflt)));
                set!(dst, v)
            }
            Instr::TableSet { table, key, src } => {
                ok!(hashtables::table_set(self, r!(table), r!(key), r!(src)))
            }
            Instr::Cons { dst, a, b } => {
                let p = self.heap.alloc_pair(r!(a), r!(b));
                set!(dst, Value::Pair(p))
            }
            Instr::Car { dst, src } => set!(dst, ok!(lists::car_checked(self, r!(src)))),
            Instr::Cdr { dst, src } => set!(dst, ok!(lists::cdr_checked(self, r!(src)))),
            Instr::IsNull { dst, src } => set!(dst, Value::Bool(matches!(r!(src), Value::Null))),
            Instr::IsPair { dst, src } => {
                set!(dst, Value::Bool(matches!(r!(src), Value::Pair(_))))
            }
            Instr::IsFalse { dst, src } => {
                set!(dst, Value::Bool(matches!(r!(src), Value::Bool(false))))
            }
            Instr::Eqv { dst, a, b } => set!(dst, Value::Bool(lists::eqv(r!(a), r!(b)))),
            Instr::VecRef { dst, vec, idx } => {
                set!(dst, ok!(vectors::vector_ref_of(self, r!(vec), r!(idx))))
            }
            Instr::VecSet { vec, idx, src } => {
                ok!(vectors::vector_set_of(self, r!(vec), r!(idx), r!(src)))
            }
            Instr::IsInstance { dst, obj, ty } => {
                set!(
                    dst,
                    Value::Bool(crate::interp_data::is_instance(r!(obj), r!(ty)))
                )
            }
            Instr::VecLen { dst, src } => set!(dst, ok!(vectors::vector_length_of(self, r!(src)))),
            Instr::StrRef { dst, s, idx } => {
                set!(dst, ok!(chars_strings::string_ref_of(self, r!(s), r!(idx))))
            }
            Instr::StrLen { dst, src } => {
                set!(dst, ok!(chars_strings::string_length_of(self, r!(src))))
            }
            Instr::Concat { dst, base: b, n } => {
                let mut s = String::new();
                for i in 0..n {
                    format::write_display(self, r!(b + i), &mut s);
                }
                ok!(format::check_text(self, "string interpolation", s.len()));
                let v = self.new_str(s);
                set!(dst, v);
            }
            Instr::GetField { dst, obj, k } => {
                let name = kstr!(k);
                let v = ok!(self.get_field(r!(obj), name.as_str()));
                set!(dst, v)
            }
            // An instance of the record type without the field: the field instruction's
            // error, from the same code.
            Instr::RecGet { dst, obj, k, .. } => {
                match record_slot(&self.globals.values, proto, k, &r!(obj)) {
                    None => return Ok(Flow::Next),
                    Some(Some((inst, i))) => set!(dst, inst.fields()[i]),
                    Some(None) => {
                        let name = kstr!(k);
                        let v = ok!(self.get_field(r!(obj), name.as_str()));
                        set!(dst, v)
                    }
                }
                return Ok(Flow::Jump);
            }
            Instr::RecIs { dst, obj, k, .. } => {
                let Some(b) = record_test(&self.globals.values, proto, k, &r!(obj)) else {
                    return Ok(Flow::Next);
                };
                set!(dst, Value::Bool(b));
                return Ok(Flow::Jump);
            }
            Instr::RecSet { obj, k, src, .. } => {
                match record_slot(&self.globals.values, proto, k, &r!(obj)) {
                    None => return Ok(Flow::Next),
                    Some(Some((inst, i))) => {
                        inst.set_at(i, r!(src));
                    }
                    Some(None) => {
                        let name = kstr!(k);
                        ok!(self.set_field(r!(obj), name.as_str(), r!(src)))
                    }
                }
                return Ok(Flow::Jump);
            }
            Instr::SetField { obj, k, src } => {
                let name = kstr!(k);
                ok!(self.set_field(r!(obj), name.as_str(), r!(src)))
            }
            Instr::NewStructType { dst, k } => match proto.consts[k as usize] {
                Value::StructType(t) => {
                    let copy = StructType::new(&t.name, t.fields.to_vec());
                    set!(dst, Value::StructType(self.heap.alloc_struct_type(copy)));
                }
                _ => throw!("internal error: NEWTYPE of a non-type".to_string()),
            },
            Instr::AddMethod { ty, k, src } => {
                let name = kstr!(k);
                match r!(ty) {
                    Value::StructType(t) => t.add_method(name.as_str(), r!(src)),
                    _ => throw!("internal error: ADDMETHOD on a non-struct".to_string()),
                }
            }
            Instr::NewStruct { dst, ty } => match r!(ty) {
                Value::StructType(t) => {
                    let inst = self.heap.alloc_instance(t, &[]);
                    set!(dst, Value::Struct(inst));
                }
                v => throw!(format!(
                    "Cannot build a struct from a value of type {}",
                    v.type_name()
                )),
            },
            Instr::NewVariant { dst, base: b, n, k } => {
                let key = kstr!(k);
                let payload: Vec<Value> = (0..n).map(|i| r!(b + 1 + i)).collect();
                let v = ok!(self.new_variant(r!(b), key.as_str(), &payload));
                set!(dst, v)
            }
            Instr::TestVariant { dst, src, k } => {
                let key = kstr!(k);
                set!(dst, Value::Bool(Vm::test_variant(r!(src), key.as_str())));
            }
            Instr::GetPayload { dst, src, idx } => match r!(src) {
                Value::Variant(v) if (idx as usize) < v.payload.len() => {
                    set!(dst, v.payload[idx as usize])
                }
                v => throw!(format!(
                    "internal error: no payload {idx} in a value of type {}",
                    v.type_name()
                )),
            },
            Instr::IsFailure { dst, src } => set!(dst, Value::Bool(ok!(Vm::is_failure(r!(src))))),
            Instr::Unwrap { dst, src } => match r!(src) {
                Value::Variant(v) if !v.payload.is_empty() => set!(dst, v.payload[0]),
                v => throw!(format!(
                    "The ? operator expects a Result or Option, got {}",
                    v.type_name()
                )),
            },
            Instr::Throw { src } => {
                let v = r!(src);
                let message = self.thrown_message(v);
                let mut err = self.instr_error(proto, pc, ErrorKind::Runtime, message);
                err.value = Some(v);
                return Err(err);
            }
            Instr::TryBegin { reg, off } | Instr::TryBeginRaw { reg, off } => {
                let frame = self.frames.len() - 1;
                self.handlers.push(Handler {
                    frame,
                    catch_pc: (pc as isize + 1 + off as isize) as u32,
                    reg,
                    raw: matches!(proto.code[pc], Instr::TryBeginRaw { .. }),
                });
            }
            Instr::TryEnd {} => {
                self.handlers.pop();
            }
            Instr::Import { dst, k } => {
                let path = kstr!(k);
                if let Some(f) = self.frames.last_mut() {
                    f.pc = pc.wrapping_add(1) as u32;
                }
                let Some(loader) = self.loader.clone() else {
                    throw!("import is not available in this engine".to_string())
                };
                let m = loader(self, path.as_str(), proto.spans[pc])?;
                set!(dst, m);
            }
            Instr::IterPrep { base: b } => {
                let it = ok!(self.iter_state(r!(b)));
                set!(b, it);
                set!(b + 1, Value::Int(0));
            }
            Instr::IterNext { base: b, dst, .. } => {
                let Value::Int(i) = r!(b + 1) else {
                    throw!("internal error: bad iterator state".to_string())
                };
                let next = match r!(b) {
                    Value::Array(a) => a.get(i as usize),
                    Value::Int(n) => (i < n).then_some(Value::Int(i)),
                    _ => throw!("internal error: bad iterator state".to_string()),
                };
                let Some(v) = next else {
                    return Ok(Flow::Jump);
                };
                set!(dst, v);
                set!(b + 1, Value::Int(i + 1));
            }
            Instr::RangePrep { base: b, .. } => {
                let (Value::Int(start), Value::Int(end), Value::Int(step)) =
                    (r!(b), r!(b + 1), r!(b + 2))
                else {
                    throw!(format!(
                        "range expects integer arguments, got {}, {}, {}",
                        r!(b).type_name(),
                        r!(b + 1).type_name(),
                        r!(b + 2).type_name()
                    ))
                };
                if step == 0 {
                    throw!("range step cannot be zero".to_string());
                }
                if (step > 0 && start >= end) || (step < 0 && start <= end) {
                    return Ok(Flow::Jump);
                }
                // The loop variable lives right after the three counters.
                set!(b + 3, Value::Int(start));
            }
            Instr::RangeNext { base: b, .. } => {
                if let (Value::Int(cur), Value::Int(end), Value::Int(step)) =
                    (r!(b), r!(b + 1), r!(b + 2))
                {
                    if let Some(next) = cur.checked_add(step) {
                        if (step > 0 && next < end) || (step < 0 && next > end) {
                            set!(b, Value::Int(next));
                            set!(b + 3, Value::Int(next));
                            return Ok(Flow::Jump);
                        }
                    }
                }
            }
            Instr::Call { .. }
            | Instr::TailCall { .. }
            | Instr::CallGlobal { .. }
            | Instr::TailCallGlobal { .. }
            | Instr::CallMethod { .. }
            | Instr::TailCallMethod { .. }
            | Instr::CallList { .. }
            | Instr::TailCallList { .. }
            | Instr::Return { .. }
            | Instr::ReturnNull {} => {
                throw!("internal error: a call or return run as one instruction".to_string())
            }
        }
        Ok(Flow::Next)
    }
}
