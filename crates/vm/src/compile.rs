//! The bytecode compiler: resolved core IR in, [`Proto`]s out. It knows nothing of syntax.
//!
//! Registers are allocated as a stack: parameters first, then locals in the order they are
//! defined (freed at the end of their block), then temporaries. A call evaluates its callee
//! and arguments into a fresh window at the top of that stack.

mod control;
mod records;

use crate::globals::Globals;
use crate::heap::Heap;
use crate::object::{EnumType, Proto, StructType, UpvalDesc, UpvalSource};
use crate::opcode::Instr;
use crate::value::Value;
use control::Loop;
use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;
use tandem_core::ir::*;
use tandem_syntax::{Diagnostic, Span};

/// Registers a frame may use (operands are 8 bits).
const MAX_REGS: u16 = 250;

/// Compile a resolved module. Returns the prototype of its entry function.
///
/// `ns` is the module's global namespace: its top-level names live there, private to it
/// (`""` is the shared namespace, used by the standard library). `builtin` marks the
/// standard library's own code (it then prints like a native function).
pub fn compile_module(
    module: &Module,
    globals: &mut Globals,
    heap: &mut Heap,
    ns: &str,
    builtin: bool,
) -> Result<Rc<Proto>, Diagnostic> {
    let mut cx = Ctx {
        module,
        globals,
        heap,
        builtin,
        ns: ns.to_string(),
        own_globals: module.globals.iter().cloned().collect(),
        builtin_ns: module.builtin_ns.clone(),
    };
    cx.function(module.entry, Vec::new(), false)
}

struct Ctx<'a> {
    module: &'a Module,
    globals: &'a mut Globals,
    heap: &'a mut Heap,
    builtin: bool,
    ns: String,
    /// The module's own top-level names (in namespace `ns`).
    own_globals: FxHashSet<String>,
    /// Where the module's other global names live.
    builtin_ns: String,
}

impl Ctx<'_> {
    /// The global slot a name refers to in this module.
    fn global_slot(&mut self, name: &str) -> u32 {
        if self.own_globals.contains(name) {
            self.globals.slot_in(&self.ns, name)
        } else {
            self.globals.slot_in(&self.builtin_ns, name)
        }
    }
}

struct FnState {
    fid: FuncId,
    code: Vec<Instr>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    str_consts: FxHashMap<String, u16>,
    children: Vec<Rc<Proto>>,
    regs: FxHashMap<VarId, u8>,
    upvals: FxHashMap<VarId, u8>,
    next: u16,
    max: u16,
    loops: Vec<Loop>,
    /// Active `try` bodies around the code being compiled.
    try_depth: u32,
}

impl Ctx<'_> {
    /// Compile function `fid`, whose closures capture `upvals`.
    fn function(
        &mut self,
        fid: FuncId,
        upvals: Vec<UpvalDesc>,
        is_method: bool,
    ) -> Result<Rc<Proto>, Diagnostic> {
        let func = self.module.func(fid);
        let mut st = FnState {
            fid,
            code: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            str_consts: FxHashMap::default(),
            children: Vec::new(),
            regs: FxHashMap::default(),
            upvals: FxHashMap::default(),
            next: 0,
            max: 0,
            loops: Vec::new(),
            try_depth: 0,
        };
        for (i, (v, _)) in func.upvalues.iter().enumerate() {
            st.upvals.insert(*v, i as u8);
        }
        if func.params.len() > 200 {
            return Err(Diagnostic::error(
                "too many parameters (the limit is 200)",
                func.span,
            ));
        }
        let mut fc = FnCompiler {
            cx: self,
            st: &mut st,
        };
        for &p in func.params.iter().chain(func.rest.iter()) {
            let r = fc.alloc(func.span)?;
            fc.bind_local(p, r, func.span);
        }
        let body = &func.body;
        fc.ret(body)?;
        let variadic = func.rest.is_some();
        let arity = func.params.len() as u8;
        let fields = crate::object::FieldCache::new(st.consts.len());
        let methods = crate::object::MethodCache::new(st.consts.len(), &st.code);
        Ok(Rc::new(Proto {
            name: func.name.clone(),
            arity,
            variadic,
            call_arity: if variadic { u32::MAX } else { arity as u32 },
            nregs: st.max.max(1),
            code: st.code,
            spans: st.spans,
            consts: st.consts,
            children: st.children,
            upvals,
            span: func.span,
            builtin: self.builtin,
            wording: self.module.wording,
            rest_list: func.rest_list,
            is_method,
            jit: Default::default(),
            fields,
            methods,
        }))
    }
}

struct FnCompiler<'c, 'a> {
    cx: &'c mut Ctx<'a>,
    st: &'c mut FnState,
}

/// Where a variable lives, seen from the function being compiled.
enum Place {
    Reg(u8),
    BoxReg(u8),
    Upval(u8),
    UpvalBox(u8),
}

impl FnCompiler<'_, '_> {
    fn emit(&mut self, i: Instr, span: Span) -> usize {
        self.st.code.push(i);
        self.st.spans.push(span);
        self.st.code.len() - 1
    }

    fn here(&self) -> usize {
        self.st.code.len()
    }

    /// Point the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        let off = target as i32 - (at as i32 + 1);
        match &mut self.st.code[at] {
            Instr::Jmp { off: o }
            | Instr::JmpFalsy { off: o, .. }
            | Instr::JmpTruthy { off: o, .. }
            | Instr::JmpFalse { off: o, .. }
            | Instr::JmpNotNull { off: o, .. }
            | Instr::JmpNotLt { off: o, .. }
            | Instr::JmpNotLe { off: o, .. }
            | Instr::JmpNotEq { off: o, .. }
            | Instr::JmpEq { off: o, .. }
            | Instr::JmpNotEqInt { off: o, .. }
            | Instr::JmpEqInt { off: o, .. }
            | Instr::JmpNotLtInt { off: o, .. }
            | Instr::JmpNotLeInt { off: o, .. }
            | Instr::JmpNotGtInt { off: o, .. }
            | Instr::JmpNotGeInt { off: o, .. }
            | Instr::IterNext { off: o, .. }
            | Instr::RangePrep { off: o, .. }
            | Instr::RangeNext { off: o, .. }
            | Instr::TryBegin { off: o, .. }
            | Instr::TryBeginRaw { off: o, .. } => *o = off,
            Instr::RecGet { off: o, .. }
            | Instr::RecSet { off: o, .. }
            | Instr::RecIs { off: o, .. } => {
                *o = i16::try_from(off).expect("a record access jumps over a small branch")
            }
            _ => {}
        }
    }

    /// Local `v` lives in register `r` from here on; when it is boxed, the register's value
    /// moves into a new box there.
    fn bind_local(&mut self, v: VarId, r: u8, span: Span) {
        self.st.regs.insert(v, r);
        if self.cx.module.var(v).boxed {
            self.emit(Instr::NewBox { dst: r, src: r }, span);
        }
    }

    fn alloc(&mut self, span: Span) -> Result<u8, Diagnostic> {
        if self.st.next >= MAX_REGS {
            return Err(Diagnostic::error(
                "function too complex: it needs more than 250 registers",
                span,
            )
            .with_hint("split it into smaller functions or use fewer nested expressions"));
        }
        let r = self.st.next as u8;
        self.st.next += 1;
        self.st.max = self.st.max.max(self.st.next);
        Ok(r)
    }

    fn const_index(&mut self, v: Value, span: Span) -> Result<u16, Diagnostic> {
        if self.st.consts.len() >= u16::MAX as usize {
            return Err(Diagnostic::error(
                "function too large: more than 65535 constants",
                span,
            ));
        }
        self.st.consts.push(v);
        Ok((self.st.consts.len() - 1) as u16)
    }

    fn str_const(&mut self, s: &str, span: Span) -> Result<u16, Diagnostic> {
        if let Some(&k) = self.st.str_consts.get(s) {
            return Ok(k);
        }
        let g = self.cx.heap.alloc_str(s);
        let k = self.const_index(Value::Str(g), span)?;
        self.st.str_consts.insert(s.to_string(), k);
        Ok(k)
    }

    /// A constant of its own for the name of one field access or method call: the
    /// interpreter's inline caches (`FieldCache`, `MethodCache`) are per constant, so
    /// each site remembers its own struct type (`Vec2 { x: self.x }` reads `x` of one
    /// type and writes `x` of another). The string itself is shared.
    fn site_const(&mut self, name: &str, span: Span) -> Result<u16, Diagnostic> {
        let k = self.str_const(name, span)?;
        let v = self.st.consts[k as usize];
        self.const_index(v, span)
    }

    fn place(&self, v: VarId, span: Span) -> Result<Place, Diagnostic> {
        let info = self.cx.module.var(v);
        if info.func == self.st.fid {
            match self.st.regs.get(&v) {
                Some(&r) if info.boxed => Ok(Place::BoxReg(r)),
                Some(&r) => Ok(Place::Reg(r)),
                None => Err(Diagnostic::error(
                    format!("variable '{}' used before its definition", info.name),
                    span,
                )),
            }
        } else {
            match self.st.upvals.get(&v) {
                Some(&u) if info.boxed => Ok(Place::UpvalBox(u)),
                Some(&u) => Ok(Place::Upval(u)),
                None => Err(Diagnostic::error(
                    format!("internal error: '{}' is not captured here", info.name),
                    span,
                )),
            }
        }
    }

    /// The register a value goes to: `dst`, or a new temporary when none is wanted.
    fn dst_or_temp(&mut self, dst: Option<u8>, span: Span) -> Result<u8, Diagnostic> {
        match dst {
            Some(d) => Ok(d),
            None => self.alloc(span),
        }
    }

    /// The window base of a call: the destination itself when it is the newest temporary
    /// (the call then leaves its result in place), otherwise a new temporary.
    fn call_base(&mut self, dst: Option<u8>, tail: bool, span: Span) -> Result<u8, Diagnostic> {
        match dst {
            Some(d) if d as u16 + 1 == self.st.next && !tail => Ok(d),
            _ => self.alloc(span),
        }
    }

    /// Copy a call's result from its window base to `dst`, unless it is there already.
    fn move_result(&mut self, base: u8, dst: Option<u8>, span: Span) {
        if let Some(d) = dst.filter(|&d| d != base) {
            self.emit(Instr::Move { dst: d, src: base }, span);
        }
    }

    /// The value of a statement: null, when one is wanted.
    fn null_into(&mut self, dst: Option<u8>, span: Span) {
        if let Some(d) = dst {
            self.emit(Instr::LoadNull { dst: d }, span);
        }
    }

    /// Compile `e` as the function's result.
    fn ret(&mut self, e: &Expr) -> Result<(), Diagnostic> {
        match &e.kind {
            ExprKind::Const(Const::Null) => {
                self.emit(Instr::ReturnNull {}, e.span);
            }
            ExprKind::Return(v) => self.ret(v)?,
            ExprKind::Loop { label, body } => self.loop_(*label, body, None, true)?,
            ExprKind::Block(items) | ExprKind::Seq(items) if !items.is_empty() => {
                let mark = self.st.next;
                let (last, init) = items.split_last().expect("non-empty");
                for item in init {
                    self.expr(item, None)?;
                }
                self.ret(last)?;
                self.st.next = mark;
            }
            ExprKind::If { .. } if self.record_access(e, None, true)? => {}
            ExprKind::If {
                cond,
                then,
                else_,
                truth,
            } => {
                // Each branch returns on its own: no jump over the else branch.
                let to_else = self.cond_jump(cond, *truth)?;
                self.ret(then)?;
                let here = self.here();
                for j in to_else {
                    self.patch(j, here);
                }
                self.ret(else_)?;
            }
            ExprKind::Call { tail: true, .. }
            | ExprKind::MethodCall { tail: true, .. }
            | ExprKind::Apply { tail: true, .. }
            | ExprKind::ContinueTo(_)
            | ExprKind::Break
            | ExprKind::Continue => {
                // Compiles to a tail call or a jump; nothing follows it.
                let mark = self.st.next;
                self.expr(e, None)?;
                self.st.next = mark;
            }
            _ => {
                let mark = self.st.next;
                let r = self.operand(e)?;
                self.emit(Instr::Return { src: r }, e.span);
                self.st.next = mark;
            }
        }
        Ok(())
    }

    /// [`Self::operand`] for an operand that is read only after the `later` ones are
    /// computed: a local that one of them may assign (Scheme `(+ x (begin (set! x 5) 1))`
    /// adds the old `x`) is copied to a temporary first.
    fn operand_before(&mut self, e: &Expr, later: &[Expr]) -> Result<u8, Diagnostic> {
        if let ExprKind::Local(v) = e.kind {
            if self.may_assign(v, later) {
                let r = self.alloc(e.span)?;
                self.expr(e, Some(r))?;
                return Ok(r);
            }
        }
        self.operand(e)
    }

    /// [`Self::operand_before`] for each of `args`, in order.
    fn operands(&mut self, args: &[Expr]) -> Result<Vec<u8>, Diagnostic> {
        let mut regs = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            regs.push(self.operand_before(a, &args[i + 1..])?);
        }
        Ok(regs)
    }

    /// Whether evaluating `exprs` may assign local `v`. It looks at a bounded number of
    /// nodes (beyond them, the answer is yes); nested functions cannot assign a local that
    /// lives in a register (a captured local that is reassigned lives in a box).
    fn may_assign(&self, v: VarId, exprs: &[Expr]) -> bool {
        if !self.cx.module.var(v).reassigned {
            return false;
        }
        let mut stack: Vec<&Expr> = exprs.iter().collect();
        let mut budget = 64;
        while let Some(e) = stack.pop() {
            if budget == 0 {
                return true;
            }
            budget -= 1;
            if matches!(e.kind, ExprKind::SetLocal(w, _) if w == v) {
                return true;
            }
            stack.extend(e.children());
        }
        false
    }

    /// Compile `e` and return a register holding its value (a local's own register when
    /// possible, otherwise a new temporary).
    fn operand(&mut self, e: &Expr) -> Result<u8, Diagnostic> {
        if let ExprKind::Local(v) = e.kind {
            if let Place::Reg(r) = self.place(v, e.span)? {
                return Ok(r);
            }
        }
        let r = self.alloc(e.span)?;
        self.expr(e, Some(r))?;
        Ok(r)
    }

    /// Compile `e` for its value into `dst`, or for effect when `dst` is `None`.
    fn expr(&mut self, e: &Expr, dst: Option<u8>) -> Result<(), Diagnostic> {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(c) => {
                if let Some(d) = dst {
                    self.load_const(c, d, span)?;
                }
            }
            ExprKind::Local(v) => {
                if let Some(d) = dst {
                    match self.place(*v, span)? {
                        Place::Reg(r) => {
                            if r != d {
                                self.emit(Instr::Move { dst: d, src: r }, span);
                            }
                        }
                        Place::BoxReg(r) => {
                            self.emit(Instr::GetBox { dst: d, bx: r }, span);
                        }
                        Place::Upval(u) => {
                            self.emit(Instr::GetUpval { dst: d, u }, span);
                        }
                        Place::UpvalBox(u) => {
                            self.emit(Instr::GetUpvalBox { dst: d, u }, span);
                        }
                    }
                }
            }
            ExprKind::Define(v, init) => {
                let r = self.alloc(span)?;
                self.st.regs.insert(*v, r);
                // The register is not visible to `init` until defined, so evaluating
                // straight into it is safe.
                self.expr(init, Some(r))?;
                if self.cx.module.var(*v).boxed {
                    self.emit(Instr::NewBox { dst: r, src: r }, span);
                }
                self.null_into(dst, span);
            }
            ExprKind::SetLocal(v, value) => {
                match self.place(*v, span)? {
                    Place::Reg(r) => {
                        if writes_after_reads(value) {
                            self.expr(value, Some(r))?;
                        } else {
                            let mark = self.st.next;
                            let t = self.operand(value)?;
                            if t != r {
                                self.emit(Instr::Move { dst: r, src: t }, span);
                            }
                            self.st.next = mark;
                        }
                    }
                    Place::BoxReg(b) => {
                        let mark = self.st.next;
                        let t = self.operand(value)?;
                        self.emit(Instr::SetBox { bx: b, src: t }, span);
                        self.st.next = mark;
                    }
                    Place::UpvalBox(u) => {
                        let mark = self.st.next;
                        let t = self.operand(value)?;
                        self.emit(Instr::SetUpvalBox { u, src: t }, span);
                        self.st.next = mark;
                    }
                    Place::Upval(_) => {
                        return Err(Diagnostic::error(
                            "internal error: assignment to an unboxed captured variable",
                            span,
                        ))
                    }
                }
                self.null_into(dst, span);
            }
            ExprKind::Global(name) => {
                let g = self.cx.global_slot(name);
                let d = match dst {
                    Some(d) => d,
                    // Still read it: an undefined global is an error even for effect.
                    None => self.alloc(span)?,
                };
                self.emit(Instr::GetGlobal { dst: d, g }, span);
                if dst.is_none() {
                    self.st.next -= 1;
                }
            }
            ExprKind::SetGlobal(name, value) | ExprKind::DefineGlobal(name, _, value) => {
                let g = self.cx.global_slot(name);
                let mark = self.st.next;
                let t = self.operand(value)?;
                let i = match &e.kind {
                    ExprKind::DefineGlobal(_, GlobalKind::Immutable, _) => {
                        Instr::DefGlobalConst { src: t, g }
                    }
                    ExprKind::DefineGlobal(_, GlobalKind::Mutable, _) => {
                        Instr::DefGlobalMut { src: t, g }
                    }
                    _ => Instr::SetGlobal { src: t, g },
                };
                self.emit(i, span);
                self.st.next = mark;
                self.null_into(dst, span);
            }
            ExprKind::Seq(items) | ExprKind::Block(items) => {
                let mark = self.st.next;
                if items.is_empty() {
                    self.null_into(dst, span);
                }
                let n = items.len();
                for (i, item) in items.iter().enumerate() {
                    self.expr(item, if i + 1 == n { dst } else { None })?;
                }
                // A block's locals end with it; a sequence's stay (it splices into its
                // surroundings).
                if matches!(e.kind, ExprKind::Block(_)) {
                    self.st.next = mark;
                }
            }
            ExprKind::If { .. } if self.record_access(e, dst, false)? => {}
            ExprKind::If {
                cond,
                then,
                else_,
                truth,
            } => {
                let to_else = self.cond_jump(cond, *truth)?;
                let mark = self.st.next;
                self.expr(then, dst)?;
                self.st.next = mark;
                let has_else = dst.is_some() || !is_null(else_);
                if has_else {
                    let to_end = self.emit(Instr::Jmp { off: 0 }, span);
                    let here = self.here();
                    for j in to_else {
                        self.patch(j, here);
                    }
                    self.expr(else_, dst)?;
                    self.st.next = mark;
                    let here = self.here();
                    self.patch(to_end, here);
                } else {
                    let here = self.here();
                    for j in to_else {
                        self.patch(j, here);
                    }
                }
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let mark = self.st.next;
                let d = self.dst_or_temp(dst, span)?;
                let ra = self.operand(a)?;
                let short = if is_and {
                    self.emit(Instr::JmpFalsy { src: ra, off: 0 }, span)
                } else {
                    self.emit(Instr::JmpTruthy { src: ra, off: 0 }, span)
                };
                let rb = self.operand(b)?;
                self.emit(Instr::Truthy { dst: d, src: rb }, span);
                let to_end = self.emit(Instr::Jmp { off: 0 }, span);
                let here = self.here();
                self.patch(short, here);
                if is_and {
                    self.emit(Instr::LoadFalse { dst: d }, span);
                } else {
                    self.emit(Instr::LoadTrue { dst: d }, span);
                }
                let here = self.here();
                self.patch(to_end, here);
                self.st.next = mark;
            }
            ExprKind::Coalesce(a, b) => {
                let mark = self.st.next;
                let t = self.alloc(span)?;
                self.expr(a, Some(t))?;
                let j = self.emit(Instr::JmpNotNull { src: t, off: 0 }, span);
                self.expr(b, Some(t))?;
                let here = self.here();
                self.patch(j, here);
                if let Some(d) = dst {
                    self.emit(Instr::Move { dst: d, src: t }, span);
                }
                self.st.next = mark;
            }
            ExprKind::While { cond, body, truth } => {
                let top = self.here();
                let exits = self.cond_jump(cond, *truth)?;
                self.st.loops.push(Loop {
                    breaks: exits,
                    continues: Vec::new(),
                    continue_to: Some(top),
                    try_depth: self.st.try_depth,
                    label: None,
                    rotate: None,
                });
                let mark = self.st.next;
                self.expr(body, None)?;
                self.st.next = mark;
                let j = self.emit(Instr::Jmp { off: 0 }, span);
                self.patch(j, top);
                self.end_loop(top);
                self.null_into(dst, span);
            }
            ExprKind::ForEach { var, iter, body } => {
                let mark = self.st.next;
                let base = self.alloc(span)?;
                self.alloc(span)?;
                self.expr(iter, Some(base))?;
                self.emit(Instr::IterPrep { base }, iter.span);
                let top = self.here();
                let r = self.alloc(span)?;
                let next = self.emit(
                    Instr::IterNext {
                        base,
                        dst: r,
                        off: 0,
                    },
                    span,
                );
                self.bind_local(*var, r, span);
                self.st.loops.push(Loop {
                    breaks: vec![next],
                    continues: Vec::new(),
                    continue_to: Some(top),
                    try_depth: self.st.try_depth,
                    label: None,
                    rotate: None,
                });
                self.expr(body, None)?;
                let j = self.emit(Instr::Jmp { off: 0 }, span);
                self.patch(j, top);
                self.end_loop(top);
                self.st.next = mark;
                self.null_into(dst, span);
            }
            ExprKind::ForRange {
                var,
                start,
                end,
                step,
                body,
            } => {
                let mark = self.st.next;
                let base = self.alloc(span)?;
                self.alloc(span)?;
                self.alloc(span)?;
                self.expr(start, Some(base))?;
                self.expr(end, Some(base + 1))?;
                match step {
                    Some(s) => self.expr(s, Some(base + 2))?,
                    None => {
                        self.emit(
                            Instr::LoadInt {
                                dst: base + 2,
                                imm: 1,
                            },
                            span,
                        );
                    }
                }
                let prep = self.emit(Instr::RangePrep { base, off: 0 }, span);
                let top = self.here();
                // RANGEPREP/RANGENEXT write the loop variable, the register after the three
                // counters.
                let r = self.alloc(span)?;
                debug_assert_eq!(r, base + 3);
                self.bind_local(*var, r, span);
                self.st.loops.push(Loop {
                    breaks: vec![prep],
                    continues: Vec::new(),
                    continue_to: None,
                    try_depth: self.st.try_depth,
                    label: None,
                    rotate: None,
                });
                self.expr(body, None)?;
                let cont = self.here();
                let next = self.emit(Instr::RangeNext { base, off: 0 }, span);
                self.patch(next, top);
                self.end_loop(cont);
                self.st.next = mark;
                self.null_into(dst, span);
            }
            ExprKind::Break | ExprKind::Continue => {
                let is_break = matches!(e.kind, ExprKind::Break);
                let Some(lp) = self.st.loops.last() else {
                    let what = if is_break { "break" } else { "continue" };
                    return Err(Diagnostic::error(
                        format!("'{what}' outside of a loop"),
                        span,
                    ));
                };
                let known = lp.continue_to;
                // Leave the handlers of the `try` bodies this jump exits.
                for _ in lp.try_depth..self.st.try_depth {
                    self.emit(Instr::TryEnd {}, span);
                }
                let j = self.emit(Instr::Jmp { off: 0 }, span);
                let lp = self.st.loops.last_mut().expect("checked above");
                if is_break {
                    lp.breaks.push(j);
                } else if let Some(t) = known {
                    self.patch(j, t);
                } else {
                    lp.continues.push(j);
                }
            }
            ExprKind::Return(value) => {
                self.ret(value)?;
            }
            ExprKind::ContinueTo(label) => {
                let Some(lp) = self.st.loops.iter().rev().find(|l| l.label == Some(*label)) else {
                    return Err(Diagnostic::error(
                        "internal error: no loop to continue",
                        span,
                    ));
                };
                let (target, depth) = (lp.continue_to.expect("a Loop knows its top"), lp.try_depth);
                let rotated = lp.rotate.as_ref().and_then(|r| {
                    r.else_start
                        .map(|e| (r.cond.clone(), r.truth, r.then_start, e))
                });
                for _ in depth..self.st.try_depth {
                    self.emit(Instr::TryEnd {}, span);
                }
                match rotated {
                    Some((cond, truth, then_start, else_start)) => {
                        for j in self.cond_jump(&cond, truth)? {
                            self.patch(j, else_start);
                        }
                        let j = self.emit(Instr::Jmp { off: 0 }, span);
                        self.patch(j, then_start);
                    }
                    None => {
                        let j = self.emit(Instr::Jmp { off: 0 }, span);
                        self.patch(j, target);
                    }
                }
            }
            ExprKind::Call { callee, args, tail } => {
                let mark = self.st.next;
                let base = self.call_base(dst, *tail, span)?;
                // A global callee is loaded by the call instruction itself.
                let global = match &callee.kind {
                    ExprKind::Global(name) => Some(self.cx.global_slot(name)),
                    _ => None,
                };
                if global.is_none() {
                    self.expr(callee, Some(base))?;
                }
                self.arguments(args, span)?;
                let n = args.len() as u8;
                if *tail {
                    match global {
                        Some(g) => self.emit(Instr::TailCallGlobal { base, n, g }, span),
                        None => self.emit(Instr::TailCall { base, n }, span),
                    };
                } else {
                    match global {
                        Some(g) => self.emit(Instr::CallGlobal { base, n, g }, span),
                        None => self.emit(Instr::Call { base, n }, span),
                    };
                    self.move_result(base, dst, span);
                }
                self.st.next = mark;
            }
            ExprKind::Prim(op, args) => self.prim(*op, args, dst, span)?,
            ExprKind::Closure(fid) => {
                let mark = self.st.next;
                let d = self.dst_or_temp(dst, span)?;
                self.closure(*fid, d, span)?;
                self.st.next = mark;
            }
            ExprKind::Field(obj, name) => {
                let mark = self.st.next;
                let o = self.operand(obj)?;
                let k = self.site_const(name, span)?;
                let d = self.dst_or_temp(dst, span)?;
                self.emit(Instr::GetField { dst: d, obj: o, k }, span);
                self.st.next = mark;
            }
            ExprKind::SetField(obj, name, value) => {
                let mark = self.st.next;
                let o = self.operand_before(obj, std::slice::from_ref(value))?;
                let v = self.operand(value)?;
                let k = self.site_const(name, span)?;
                self.emit(Instr::SetField { obj: o, k, src: v }, span);
                self.st.next = mark;
                self.null_into(dst, span);
            }
            ExprKind::MethodCall {
                obj,
                name,
                args,
                tail,
            } => {
                let mark = self.st.next;
                let base = self.call_base(dst, *tail, span)?;
                let ro = self.alloc(obj.span)?;
                self.expr(obj, Some(ro))?;
                self.arguments(args, span)?;
                let k = self.site_const(name, span)?;
                let n = args.len() as u8;
                if *tail {
                    self.emit(Instr::TailCallMethod { base, n, k }, span);
                } else {
                    self.emit(Instr::CallMethod { base, n, k }, span);
                    self.move_result(base, dst, span);
                }
                self.st.next = mark;
            }
            ExprKind::StructDef {
                name,
                fields,
                methods,
            } => {
                let mark = self.st.next;
                let ty = self.cx.heap.alloc_struct_type(StructType::new(
                    name,
                    fields.iter().map(|f| f.as_str().into()).collect(),
                ));
                let kt = self.const_index(Value::StructType(ty), span)?;
                let t = self.alloc(span)?;
                if methods.is_empty() {
                    self.emit(Instr::LoadK { dst: t, k: kt }, span);
                } else {
                    self.emit(Instr::NewStructType { dst: t, k: kt }, span);
                }
                for (mname, fid) in methods {
                    let m = self.st.next;
                    let r = self.alloc(span)?;
                    self.closure_of(*fid, true, r, span)?;
                    let k = self.str_const(mname, span)?;
                    self.emit(Instr::AddMethod { ty: t, k, src: r }, span);
                    self.st.next = m;
                }
                if let Some(d) = dst {
                    self.emit(Instr::Move { dst: d, src: t }, span);
                }
                self.st.next = mark;
            }
            ExprKind::StructLit { ty, fields } => {
                let mark = self.st.next;
                let t = self.alloc(span)?;
                let rt = self.operand(ty)?;
                self.emit(Instr::NewStruct { dst: t, ty: rt }, span);
                for (fname, value) in fields {
                    let m = self.st.next;
                    let v = self.operand(value)?;
                    let k = self.site_const(fname, value.span)?;
                    self.emit(Instr::SetField { obj: t, k, src: v }, value.span);
                    self.st.next = m;
                }
                if let Some(d) = dst {
                    self.emit(Instr::Move { dst: d, src: t }, span);
                }
                self.st.next = mark;
            }
            ExprKind::EnumDef { name, variants } => {
                let et = self.cx.heap.alloc_enum_type(EnumType {
                    name: name.as_str().into(),
                    variants: variants
                        .iter()
                        .map(|(v, a)| (v.as_str().into(), *a))
                        .collect(),
                });
                let k = self.const_index(Value::EnumType(et), span)?;
                if let Some(d) = dst {
                    self.emit(Instr::LoadK { dst: d, k }, span);
                }
            }
            ExprKind::MakeVariant {
                enum_type,
                family,
                tag,
                args,
            } => {
                let mark = self.st.next;
                let base = self.alloc(span)?;
                match enum_type {
                    Some(t) => self.expr(t, Some(base))?,
                    None => {
                        self.emit(Instr::LoadNull { dst: base }, span);
                    }
                }
                self.arguments(args, span)?;
                let k = self.str_const(&format!("{family}|{tag}"), span)?;
                let n = args.len() as u8;
                let d = dst.unwrap_or(base);
                self.emit(Instr::NewVariant { dst: d, base, n, k }, span);
                self.st.next = mark;
            }
            ExprKind::VariantTest {
                value,
                family,
                tag,
                arity,
            } => {
                let mark = self.st.next;
                let r = self.operand(value)?;
                let key = format!(
                    "{}|{}|{}",
                    family.as_deref().unwrap_or(""),
                    tag,
                    arity.map(|a| a.to_string()).unwrap_or_default()
                );
                let k = self.str_const(&key, span)?;
                let d = self.dst_or_temp(dst, span)?;
                self.emit(Instr::TestVariant { dst: d, src: r, k }, span);
                self.st.next = mark;
            }
            ExprKind::VariantField(value, idx) => {
                let mark = self.st.next;
                let r = self.operand(value)?;
                let d = self.dst_or_temp(dst, span)?;
                self.emit(
                    Instr::GetPayload {
                        dst: d,
                        src: r,
                        idx: *idx,
                    },
                    span,
                );
                self.st.next = mark;
            }
            ExprKind::Throw(value) => {
                let mark = self.st.next;
                let r = self.operand(value)?;
                self.emit(Instr::Throw { src: r }, span);
                self.st.next = mark;
                self.null_into(dst, span);
            }
            ExprKind::Try {
                body,
                var,
                handler,
                raw,
            } => {
                let mark = self.st.next;
                let r = self.alloc(span)?;
                let begin = if *raw {
                    self.emit(Instr::TryBeginRaw { reg: r, off: 0 }, span)
                } else {
                    self.emit(Instr::TryBegin { reg: r, off: 0 }, span)
                };
                self.st.try_depth += 1;
                self.expr(body, None)?;
                self.st.try_depth -= 1;
                self.emit(Instr::TryEnd {}, span);
                let to_end = self.emit(Instr::Jmp { off: 0 }, span);
                let here = self.here();
                self.patch(begin, here);
                self.bind_local(*var, r, span);
                self.expr(handler, None)?;
                let here = self.here();
                self.patch(to_end, here);
                self.st.next = mark;
                self.null_into(dst, span);
            }
            ExprKind::Apply { callee, args, tail } => {
                let mark = self.st.next;
                let base = self.alloc(span)?;
                self.expr(callee, Some(base))?;
                let r = self.alloc(args.span)?;
                self.expr(args, Some(r))?;
                if *tail {
                    self.emit(Instr::TailCallList { base }, span);
                } else {
                    self.emit(Instr::CallList { base }, span);
                    self.move_result(base, dst, span);
                }
                self.st.next = mark;
            }
            ExprKind::Loop { label, body } => self.loop_(*label, body, dst, false)?,
            ExprKind::Import(path) => {
                let k = self.str_const(path, span)?;
                let mark = self.st.next;
                let d = self.dst_or_temp(dst, span)?;
                self.emit(Instr::Import { dst: d, k }, span);
                self.st.next = mark;
            }
            ExprKind::Array(items) => {
                let mark = self.st.next;
                let t = self.alloc(span)?;
                let n = items.len().min(255) as u8;
                self.emit(Instr::NewArray { dst: t, n }, span);
                for item in items {
                    let m = self.st.next;
                    match item {
                        ArrayElem::Item(x) => {
                            let r = self.operand(x)?;
                            self.emit(Instr::ArrayPush { arr: t, src: r }, x.span);
                        }
                        ArrayElem::Spread(x) => {
                            let r = self.operand(x)?;
                            self.emit(Instr::ArrayExtend { arr: t, src: r }, x.span);
                        }
                    }
                    self.st.next = m;
                }
                if let Some(d) = dst {
                    self.emit(Instr::Move { dst: d, src: t }, span);
                }
                self.st.next = mark;
            }
            ExprKind::Dict(items) => {
                let mark = self.st.next;
                let t = self.alloc(span)?;
                self.emit(Instr::NewDict { dst: t }, span);
                for item in items {
                    let m = self.st.next;
                    match item {
                        DictElem::Pair(k, v) => {
                            let rk = self.operand(k)?;
                            let rv = self.operand(v)?;
                            self.emit(
                                Instr::SetIndex {
                                    obj: t,
                                    idx: rk,
                                    src: rv,
                                },
                                k.span,
                            );
                        }
                        DictElem::Spread(x) => {
                            let r = self.operand(x)?;
                            self.emit(Instr::DictExtend { dict: t, src: r }, x.span);
                        }
                    }
                    self.st.next = m;
                }
                if let Some(d) = dst {
                    self.emit(Instr::Move { dst: d, src: t }, span);
                }
                self.st.next = mark;
            }
        }
        Ok(())
    }

    /// Evaluate call arguments into consecutive new registers (the call window).
    fn arguments(&mut self, args: &[Expr], span: Span) -> Result<(), Diagnostic> {
        if args.len() > 200 {
            return Err(Diagnostic::error(
                "too many arguments in one call (the limit is 200)",
                span,
            ));
        }
        for a in args {
            let r = self.alloc(a.span)?;
            self.expr(a, Some(r))?;
        }
        Ok(())
    }

    /// Emit `CLOSURE` of function `fid` into `d`, with its upvalue descriptors.
    fn closure(&mut self, fid: FuncId, d: u8, span: Span) -> Result<(), Diagnostic> {
        self.closure_of(fid, false, d, span)
    }

    /// [`closure`](Self::closure), for a function that may be a struct method.
    fn closure_of(
        &mut self,
        fid: FuncId,
        is_method: bool,
        d: u8,
        span: Span,
    ) -> Result<(), Diagnostic> {
        let mut descs = Vec::new();
        for (v, cap) in &self.cx.module.func(fid).upvalues {
            let source = match cap {
                Capture::Local(var) => match self.st.regs.get(var) {
                    Some(&r) => UpvalSource::Register(r),
                    None => {
                        return Err(Diagnostic::error(
                            format!(
                                "variable '{}' is captured before its definition",
                                self.cx.module.var(*var).name
                            ),
                            span,
                        ))
                    }
                },
                Capture::Upvalue(i) => UpvalSource::Upvalue(*i as u8),
            };
            let var = self.cx.module.var(*v);
            descs.push(UpvalDesc {
                source,
                boxed: var.boxed,
                name: var.name.as_str().into(),
            });
        }
        let proto = self.cx.function(fid, descs, is_method)?;
        if self.st.children.len() >= u16::MAX as usize {
            return Err(Diagnostic::error("too many nested functions", span));
        }
        self.st.children.push(proto);
        let p = (self.st.children.len() - 1) as u16;
        self.emit(Instr::Closure { dst: d, p }, span);
        Ok(())
    }

    fn load_const(&mut self, c: &Const, d: u8, span: Span) -> Result<(), Diagnostic> {
        match c {
            Const::Null => {
                self.emit(Instr::LoadNull { dst: d }, span);
            }
            Const::Bool(true) => {
                self.emit(Instr::LoadTrue { dst: d }, span);
            }
            Const::Bool(false) => {
                self.emit(Instr::LoadFalse { dst: d }, span);
            }
            Const::Int(i) if i32::try_from(*i).is_ok() => {
                self.emit(
                    Instr::LoadInt {
                        dst: d,
                        imm: *i as i32,
                    },
                    span,
                );
            }
            Const::Int(i) => {
                let k = self.const_index(Value::Int(*i), span)?;
                self.emit(Instr::LoadK { dst: d, k }, span);
            }
            Const::Float(f) => {
                let k = self.const_index(Value::Float(*f), span)?;
                self.emit(Instr::LoadK { dst: d, k }, span);
            }
            Const::Str(s) => {
                let k = self.str_const(s, span)?;
                self.emit(Instr::LoadK { dst: d, k }, span);
            }
            Const::Symbol(_)
            | Const::Char(_)
            | Const::List(..)
            | Const::Vector(_)
            | Const::Bytes(_) => {
                let v = self.materialize(c);
                let k = self.const_index(v, span)?;
                self.emit(Instr::LoadK { dst: d, k }, span);
            }
        }
        Ok(())
    }

    /// Build a quoted constant on the heap (it is rooted as a constant of this prototype).
    fn materialize(&mut self, c: &Const) -> Value {
        let heap = &mut *self.cx.heap;
        match c {
            Const::Null => Value::Null,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::Float(f) => Value::Float(*f),
            Const::Str(s) => Value::Str(heap.alloc_str(s.as_str())),
            Const::Symbol(s) => Value::Symbol(heap.intern(s)),
            Const::Char(ch) => Value::Char(*ch),
            Const::List(items, tail) => {
                let mut acc = self.materialize(tail);
                for item in items.iter().rev() {
                    let v = self.materialize(item);
                    acc = Value::Pair(self.cx.heap.alloc_pair(v, acc));
                }
                acc
            }
            Const::Vector(items) => {
                let vals = items.iter().map(|i| self.materialize(i)).collect();
                Value::Array(self.cx.heap.alloc_array(vals))
            }
            Const::Bytes(b) => {
                Value::Bytes(heap.alloc_bytes(crate::object::Bytevector::new(b.clone())))
            }
        }
    }

    fn prim(
        &mut self,
        op: Prim,
        args: &[Expr],
        dst: Option<u8>,
        span: Span,
    ) -> Result<(), Diagnostic> {
        if op == Prim::RecordPred {
            return self.record_pred(args, dst, span);
        }
        let mark = self.st.next;
        if op == Prim::Concat {
            let base = self.st.next as u8;
            for a in args {
                let r = self.alloc(a.span)?;
                self.expr(a, Some(r))?;
            }
            let d = match dst {
                Some(d) => d,
                None => base,
            };
            let n = args.len().min(255) as u8;
            self.emit(Instr::Concat { dst: d, base, n }, span);
            self.st.next = mark;
            return Ok(());
        }
        if matches!(op, Prim::SetIndex | Prim::TableSet | Prim::VectorSet) {
            let &[o, i, v] = self.operands(args)?.as_slice() else {
                return Err(Diagnostic::error(
                    format!("internal error: {op:?} needs three operands"),
                    span,
                ));
            };
            let instr = match op {
                Prim::SetIndex => Instr::SetIndex {
                    obj: o,
                    idx: i,
                    src: v,
                },
                Prim::TableSet => Instr::TableSet {
                    table: o,
                    key: i,
                    src: v,
                },
                _ => Instr::VecSet {
                    vec: o,
                    idx: i,
                    src: v,
                },
            };
            self.emit(instr, span);
            self.st.next = mark;
            self.null_into(dst, span);
            return Ok(());
        }
        // Add/Sub with a small int constant on the right use the immediate form.
        if matches!(op, Prim::Add | Prim::Sub) {
            if let ExprKind::Const(Const::Int(k)) = args[1].kind {
                // Not `x - 0` as `x + 0`: for x = -0.0 they differ.
                let imm = if op == Prim::Add {
                    Some(k)
                } else if k == 0 {
                    None
                } else {
                    k.checked_neg()
                };
                if let Some(imm) = imm.and_then(|i| i32::try_from(i).ok()) {
                    let a = self.operand(&args[0])?;
                    let d = self.dst_or_temp(dst, span)?;
                    self.emit(Instr::AddInt { dst: d, a, imm }, span);
                    self.st.next = mark;
                    return Ok(());
                }
            }
        }
        // Mul, and Mod by a positive constant, have immediate forms too.
        if matches!(op, Prim::Mul | Prim::Mod | Prim::FloorMod) {
            if let ExprKind::Const(Const::Int(k)) = args[1].kind {
                if let Ok(imm) = i32::try_from(k) {
                    if op == Prim::Mul || imm > 0 {
                        let a = self.operand(&args[0])?;
                        let d = self.dst_or_temp(dst, span)?;
                        let i = match op {
                            Prim::Mul => Instr::MulInt { dst: d, a, imm },
                            Prim::Mod => Instr::ModInt { dst: d, a, imm },
                            _ => Instr::ModFloorInt { dst: d, a, imm },
                        };
                        self.emit(i, span);
                        self.st.next = mark;
                        return Ok(());
                    }
                }
            }
        }
        let regs = self.operands(args)?;
        // Operations with no result still run: they may raise an error.
        let d = self.dst_or_temp(dst, span)?;
        let i = match (op, regs.as_slice()) {
            (Prim::Add, &[a, b]) => Instr::Add { dst: d, a, b },
            (Prim::Sub, &[a, b]) => Instr::Sub { dst: d, a, b },
            (Prim::Mul, &[a, b]) => Instr::Mul { dst: d, a, b },
            (Prim::Div, &[a, b]) => Instr::Div { dst: d, a, b },
            (Prim::Mod, &[a, b]) => Instr::Mod { dst: d, a, b },
            (Prim::Eq, &[a, b]) => Instr::Eq { dst: d, a, b },
            (Prim::Ne, &[a, b]) => Instr::Ne { dst: d, a, b },
            (Prim::Lt, &[a, b]) => Instr::Lt { dst: d, a, b },
            (Prim::Le, &[a, b]) => Instr::Le { dst: d, a, b },
            (Prim::Gt, &[a, b]) => Instr::Lt { dst: d, a: b, b: a },
            (Prim::Ge, &[a, b]) => Instr::Le { dst: d, a: b, b: a },
            (Prim::Neg, &[a]) => Instr::Neg { dst: d, src: a },
            (Prim::Not, &[a]) => Instr::Not { dst: d, src: a },
            (Prim::Truthy, &[a]) => Instr::Truthy { dst: d, src: a },
            (Prim::IsFailure, &[a]) => Instr::IsFailure { dst: d, src: a },
            (Prim::FloorMod, &[a, b]) => Instr::ModFloor { dst: d, a, b },
            (Prim::Quotient, &[a, b]) => Instr::Quot { dst: d, a, b },
            (Prim::CharEq, &[a, b]) => Instr::CharEq { dst: d, a, b },
            (Prim::SchemeDiv, &[a, b]) => Instr::DivScheme { dst: d, a, b },
            (Prim::Unwrap, &[a]) => Instr::Unwrap { dst: d, src: a },
            (Prim::Index, &[o, i]) => Instr::GetIndex {
                dst: d,
                obj: o,
                idx: i,
            },
            (Prim::TableRef, &[t, k, dflt]) => Instr::TableRef {
                dst: d,
                table: t,
                key: k,
                dflt,
            },
            (Prim::Cons, &[a, b]) => Instr::Cons { dst: d, a, b },
            (Prim::Car, &[a]) => Instr::Car { dst: d, src: a },
            (Prim::Cdr, &[a]) => Instr::Cdr { dst: d, src: a },
            (Prim::IsNull, &[a]) => Instr::IsNull { dst: d, src: a },
            (Prim::IsPair, &[a]) => Instr::IsPair { dst: d, src: a },
            (Prim::IsFalse, &[a]) => Instr::IsFalse { dst: d, src: a },
            (Prim::Eqv, &[a, b]) => Instr::Eqv { dst: d, a, b },
            (Prim::VectorRef, &[v, i]) => Instr::VecRef {
                dst: d,
                vec: v,
                idx: i,
            },
            (Prim::VectorLength, &[a]) => Instr::VecLen { dst: d, src: a },
            (Prim::StringRef, &[s, i]) => Instr::StrRef { dst: d, s, idx: i },
            (Prim::StringLength, &[a]) => Instr::StrLen { dst: d, src: a },
            (Prim::RecordIs, &[o, t]) => Instr::IsInstance {
                dst: d,
                obj: o,
                ty: t,
            },
            _ => {
                return Err(Diagnostic::error(
                    format!(
                        "internal error: primitive {op:?} with {} operands",
                        regs.len()
                    ),
                    span,
                ))
            }
        };
        self.emit(i, span);
        self.st.next = mark;
        Ok(())
    }
}

fn is_null(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Const(Const::Null))
}

/// True when compiling `e` straight into a variable's register is safe: every read of
/// other values happens before the single final write of the result. (Not calls: a call may
/// use its destination as the base of its argument window, which would overwrite the
/// variable before the arguments read it.)
fn writes_after_reads(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Const(_)
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::Prim(..)
            | ExprKind::Closure(_)
    )
}
