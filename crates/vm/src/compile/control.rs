//! Compiling control flow: conditional jumps (with fused compare-and-branch and `&&`
//! chains), loop contexts for `break`/`continue`, and the labelled loops made by loopify
//! (rotated when their body is `if c A B` with a simple `c`).

use super::{FnCompiler, Instr};
use tandem_core::ir::*;
use tandem_syntax::Diagnostic;

pub(super) struct Loop {
    pub(super) breaks: Vec<usize>,
    pub(super) continues: Vec<usize>,
    /// Where `continue` goes when already known (a backward jump).
    pub(super) continue_to: Option<usize>,
    /// `try` nesting at the loop: a `break`/`continue` leaves the handlers above it.
    pub(super) try_depth: u32,
    /// The label of a `Loop` (for `ContinueTo`).
    pub(super) label: Option<u32>,
    /// For a `Loop` whose body is `if c then A else B` with a simple `c`: a `ContinueTo` in
    /// B re-tests `c` there and branches straight back into A or B (a rotated loop: one
    /// conditional branch per iteration instead of a jump plus a test).
    pub(super) rotate: Option<Rotate>,
}

pub(super) struct Rotate {
    pub(super) cond: Expr,
    pub(super) truth: Truth,
    pub(super) then_start: usize,
    /// Known once the else branch starts.
    pub(super) else_start: Option<usize>,
}

/// A loop condition cheap and safe to compile twice: a comparison of locals and constants.
pub(super) fn simple_condition(e: &Expr) -> bool {
    let leaf = |x: &Expr| matches!(x.kind, ExprKind::Local(_) | ExprKind::Const(_));
    match &e.kind {
        ExprKind::Prim(Prim::Lt | Prim::Le | Prim::Gt | Prim::Ge | Prim::Eq | Prim::Ne, args) => {
            args.iter().all(leaf)
        }
        _ => false,
    }
}

/// An int constant that fits the 16-bit immediate of a compare-and-branch.
pub(super) fn small_int(e: &Expr) -> Option<i16> {
    match e.kind {
        ExprKind::Const(Const::Int(k)) => i16::try_from(k).ok(),
        _ => None,
    }
}

impl FnCompiler<'_, '_> {
    /// A `Loop` (from loopify), compiled for its value into `dst` or, with `ret`, as the
    /// function's result. A body `if c then A else B` with a simple `c` is rotated.
    pub(super) fn loop_(
        &mut self,
        label: u32,
        body: &Expr,
        dst: Option<u8>,
        ret: bool,
    ) -> Result<(), Diagnostic> {
        let mark = self.st.next;
        let top = self.here();
        // A function body is a block; look through single-item blocks for the `if`.
        let mut body = body;
        while let ExprKind::Block(items) = &body.kind {
            match items.as_slice() {
                [only] => body = only,
                _ => break,
            }
        }
        self.st.loops.push(Loop {
            breaks: Vec::new(),
            continues: Vec::new(),
            continue_to: Some(top),
            try_depth: self.st.try_depth,
            label: Some(label),
            rotate: None,
        });
        match &body.kind {
            ExprKind::If {
                cond,
                then,
                else_,
                truth,
            } if simple_condition(cond) => {
                let to_else = self.cond_jump(cond, *truth)?;
                let then_start = self.here();
                if let Some(lp) = self.st.loops.last_mut() {
                    lp.rotate = Some(Rotate {
                        cond: (**cond).clone(),
                        truth: *truth,
                        then_start,
                        else_start: None,
                    });
                }
                let m = self.st.next;
                let to_end = if ret {
                    self.ret(then)?;
                    None
                } else {
                    self.expr(then, dst)?;
                    Some(self.emit(Instr::Jmp { off: 0 }, body.span))
                };
                self.st.next = m;
                let else_start = self.here();
                for j in to_else {
                    self.patch(j, else_start);
                }
                if let Some(r) = self.st.loops.last_mut().and_then(|l| l.rotate.as_mut()) {
                    r.else_start = Some(else_start);
                }
                if ret {
                    self.ret(else_)?;
                } else {
                    self.expr(else_, dst)?;
                }
                if let Some(j) = to_end {
                    let here = self.here();
                    self.patch(j, here);
                }
            }
            _ => {
                if ret {
                    self.ret(body)?;
                } else {
                    self.expr(body, dst)?;
                }
            }
        }
        self.end_loop(top);
        self.st.next = mark;
        Ok(())
    }

    /// Close the innermost loop context: its breaks go here, its continues to the target.
    pub(super) fn end_loop(&mut self, continue_target: usize) {
        let lp = self.st.loops.pop().expect("loop pushed");
        let exit = self.here();
        for b in lp.breaks {
            self.patch(b, exit);
        }
        for c in lp.continues {
            self.patch(c, continue_target);
        }
    }

    /// Emit a test of `cond` that jumps when it is false; returns the jumps to patch (one per
    /// operand of a Ruff `&&`, which needs no bool in between).
    pub(super) fn cond_jump(
        &mut self,
        cond: &Expr,
        truth: Truth,
    ) -> Result<Vec<usize>, Diagnostic> {
        match &cond.kind {
            ExprKind::And(a, b) => {
                let mut jumps = self.cond_jump(a, Truth::Ruff)?;
                jumps.extend(self.cond_jump(b, Truth::Ruff)?);
                Ok(jumps)
            }
            // Scheme's `(and a b)` is `(if a b #f)`: as a condition, false when either is.
            ExprKind::If {
                cond: a,
                then: b,
                else_,
                truth: Truth::Scheme,
            } if matches!(else_.kind, ExprKind::Const(Const::Bool(false))) => {
                let mut jumps = self.cond_jump(a, Truth::Scheme)?;
                jumps.extend(self.cond_jump(b, Truth::Scheme)?);
                Ok(jumps)
            }
            _ => Ok(vec![self.cond_jump_one(cond, truth)?]),
        }
    }

    /// Emit a test of one condition that jumps when it is false.
    pub(super) fn cond_jump_one(&mut self, cond: &Expr, truth: Truth) -> Result<usize, Diagnostic> {
        let mark = self.st.next;
        let span = cond.span;
        let j = match &cond.kind {
            ExprKind::Prim(
                op @ (Prim::Lt | Prim::Le | Prim::Gt | Prim::Ge | Prim::Eq | Prim::Ne),
                args,
            ) if args.len() == 2 => {
                let a = self.operand_before(&args[0], &args[1..])?;
                let i = match small_int(&args[1]) {
                    // Compare with a small int constant: the immediate forms.
                    Some(imm) => match op {
                        Prim::Lt => Instr::JmpNotLtInt { a, imm, off: 0 },
                        Prim::Le => Instr::JmpNotLeInt { a, imm, off: 0 },
                        Prim::Gt => Instr::JmpNotGtInt { a, imm, off: 0 },
                        Prim::Ge => Instr::JmpNotGeInt { a, imm, off: 0 },
                        Prim::Eq => Instr::JmpNotEqInt { a, imm, off: 0 },
                        _ => Instr::JmpEqInt { a, imm, off: 0 },
                    },
                    None => {
                        let b = self.operand(&args[1])?;
                        match op {
                            Prim::Lt => Instr::JmpNotLt { a, b, off: 0 },
                            Prim::Le => Instr::JmpNotLe { a, b, off: 0 },
                            Prim::Gt => Instr::JmpNotLt { a: b, b: a, off: 0 },
                            Prim::Ge => Instr::JmpNotLe { a: b, b: a, off: 0 },
                            Prim::Eq => Instr::JmpNotEq { a, b, off: 0 },
                            _ => Instr::JmpEq { a, b, off: 0 },
                        }
                    }
                };
                self.emit(i, span)
            }
            // `(if (null? x) ...)`: one test of `x`, no boolean in between.
            ExprKind::Prim(Prim::IsNull, args) if args.len() == 1 => {
                let src = self.operand(&args[0])?;
                self.emit(Instr::JmpNotNull { src, off: 0 }, span)
            }
            _ => {
                let r = self.operand(cond)?;
                match truth {
                    Truth::Ruff => self.emit(Instr::JmpFalsy { src: r, off: 0 }, span),
                    Truth::Scheme => self.emit(Instr::JmpFalse { src: r, off: 0 }, span),
                }
            }
        };
        self.st.next = mark;
        Ok(j)
    }
}
