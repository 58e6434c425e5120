//! Checked record field access in one instruction (`RECGET`, `RECSET`).
//!
//! A Scheme record accessor's body, and each of its calls compiled in place
//! (`tandem_core`'s `scheme/accessors.rs`), is
//!
//! ```text
//! (if (%record-instance? o T) o.f ELSE)        ; or o.f := v
//! ```
//!
//! where `T` is the global holding the record type and `ELSE` raises the accessor's error
//! (or calls the accessor, which raises it). Compiled as written, the test and the access
//! are five instructions (`GETGLOBAL`, `ISINST`, `JMPFALSE`, `GETFIELD`, `JMP`); here they
//! are one, which does the access and jumps past `ELSE` when `o` is an instance of the type
//! in `T` now, and otherwise falls into `ELSE`. The instruction's field constant `K[k]`
//! is followed by the int `K[k+1]`, the slot of `T`'s global.

use super::{FnCompiler, Instr};
use crate::value::Value;
use tandem_core::ir::*;
use tandem_syntax::Diagnostic;

/// The most IR nodes an `ELSE` branch may have: its code must fit in the instruction's
/// 16-bit jump (a node compiles to a few instructions).
const MAX_ELSE_NODES: usize = 1000;

/// The parts of a record test with its access: the object, the type's global, the field
/// and, for a write, the value.
struct RecordIf<'e> {
    obj: &'e Expr,
    ty: &'e str,
    field: &'e str,
    value: Option<&'e Expr>,
}

/// `(if (%record-instance? o T) o.f ELSE)` or `... o.f := v ...`, when `o` and `v` are
/// locals or constants (reading them again in `ELSE` reads the same values) and `ELSE` is
/// small enough.
fn record_if<'e>(
    cond: &'e Expr,
    then: &'e Expr,
    else_: &Expr,
    truth: Truth,
) -> Option<RecordIf<'e>> {
    if truth != Truth::Scheme {
        return None;
    }
    let ExprKind::Prim(Prim::RecordIs, args) = &cond.kind else {
        return None;
    };
    let [obj, ty] = args.as_slice() else {
        return None;
    };
    let ExprKind::Global(ty) = &ty.kind else {
        return None;
    };
    let plain = |e: &Expr| matches!(e.kind, ExprKind::Local(_) | ExprKind::Const(_));
    let same = |e: &Expr| match (&e.kind, &obj.kind) {
        (ExprKind::Local(a), ExprKind::Local(b)) => a == b,
        (ExprKind::Const(a), ExprKind::Const(b)) => a == b,
        _ => false,
    };
    if !plain(obj) || !small(else_) {
        return None;
    }
    let (field, value) = match &then.kind {
        ExprKind::Field(o, f) if same(o) => (f, None),
        ExprKind::SetField(o, f, v) if same(o) && plain(v) => (f, Some(&**v)),
        _ => return None,
    };
    Some(RecordIf {
        obj,
        ty,
        field,
        value,
    })
}

/// Whether `e` has at most [`MAX_ELSE_NODES`] nodes.
fn small(e: &Expr) -> bool {
    let mut stack = vec![e];
    let mut n = 0;
    while let Some(e) = stack.pop() {
        n += 1;
        if n > MAX_ELSE_NODES {
            return false;
        }
        stack.extend(e.children());
    }
    true
}

impl FnCompiler<'_, '_> {
    /// Compile `(if COND THEN ELSE)` when it is a record test with its access (see the
    /// module comment), for its value into `dst`, or as the function's result with `tail`.
    /// `Ok(false)`: it is not one, and nothing was emitted.
    pub(super) fn record_access(
        &mut self,
        e: &Expr,
        dst: Option<u8>,
        tail: bool,
    ) -> Result<bool, Diagnostic> {
        let ExprKind::If {
            cond,
            then,
            else_,
            truth,
        } = &e.kind
        else {
            return Ok(false);
        };
        let Some(r) = record_if(cond, then, else_, *truth) else {
            return Ok(false);
        };
        let span = e.span;
        let mark = self.st.next;
        let o = self.operand(r.obj)?;
        let v = match r.value {
            Some(v) => Some(self.operand(v)?),
            None => None,
        };
        let k = self.site_const(r.field, span)?;
        let g = self.cx.global_slot(r.ty);
        let kg = self.const_index(Value::Int(g as i64), span)?;
        debug_assert_eq!(kg, k + 1, "the type's slot follows the field's name");
        // Where the value goes on the fast path (a read's; a write's is null).
        let d = match (v, tail) {
            (None, true) => Some(self.alloc(span)?),
            (None, false) => Some(self.dst_or_temp(dst, span)?),
            (Some(_), _) => None,
        };
        let at = match (v, d) {
            (Some(src), _) => self.emit(
                Instr::RecSet {
                    obj: o,
                    k,
                    src,
                    off: 0,
                },
                span,
            ),
            (None, Some(d)) => self.emit(
                Instr::RecGet {
                    dst: d,
                    obj: o,
                    k,
                    off: 0,
                },
                span,
            ),
            (None, None) => unreachable!("a read has a destination"),
        };
        if tail {
            self.ret(else_)?;
            let here = self.here();
            self.patch(at, here);
            match d {
                Some(d) => self.emit(Instr::Return { src: d }, span),
                None => self.emit(Instr::ReturnNull {}, span),
            };
        } else if let (Some(out), None) = (dst, d) {
            // A write whose value is wanted: null on the fast path.
            self.expr(else_, dst)?;
            let to_end = self.emit(Instr::Jmp { off: 0 }, span);
            let here = self.here();
            self.patch(at, here);
            self.emit(Instr::LoadNull { dst: out }, span);
            let here = self.here();
            self.patch(to_end, here);
        } else {
            self.expr(else_, dst)?;
            let here = self.here();
            self.patch(at, here);
        }
        self.st.next = mark;
        Ok(true)
    }
}

impl FnCompiler<'_, '_> {
    /// [`Prim::RecordPred`]: `RECIS` on the object, and after it the call of the
    /// predicate it falls into (the predicate not defined yet, or the type's global holding
    /// no struct type), from the same register, at the call's place.
    pub(super) fn record_pred(
        &mut self,
        args: &[Expr],
        dst: Option<u8>,
        span: tandem_syntax::Span,
    ) -> Result<(), Diagnostic> {
        let [obj, ty, pred] = args else {
            return Err(Diagnostic::error(
                "internal error: a record predicate needs three operands",
                span,
            ));
        };
        let (ExprKind::Global(ty), ExprKind::Global(pred)) = (&ty.kind, &pred.kind) else {
            return Err(Diagnostic::error(
                "internal error: a record predicate names its globals",
                span,
            ));
        };
        let mark = self.st.next;
        let d = self.dst_or_temp(dst, span)?;
        let o = self.operand(obj)?;
        let gp = self.cx.global_slot(pred);
        let gt = self.cx.global_slot(ty);
        let k = self.const_index(Value::Int(gp as i64), span)?;
        let kt = self.const_index(Value::Int(gt as i64), span)?;
        debug_assert_eq!(kt, k + 1, "the type's slot follows the predicate's");
        let at = self.emit(
            Instr::RecIs {
                dst: d,
                obj: o,
                k,
                off: 0,
            },
            span,
        );
        let base = self.alloc(span)?;
        let arg = self.alloc(span)?;
        self.emit(Instr::GetGlobal { dst: base, g: gp }, span);
        self.emit(Instr::Move { dst: arg, src: o }, span);
        self.emit(Instr::Call { base, n: 1 }, span);
        if base != d {
            self.emit(Instr::Move { dst: d, src: base }, span);
        }
        let here = self.here();
        self.patch(at, here);
        self.st.next = mark;
        Ok(())
    }
}
