//! Printing expressions and calls. A call picks a callee in scope that returns the wanted
//! type and that the remaining budget affords, matches the candidate arguments to its
//! parameters by type, and cuts a recursive callee's depth to fit.

use super::{fib_calls, CallKind, Printer, DRIVE_CALL};
use crate::ast::{Expr, Op, Ty, Un, K};

impl Printer {
    pub(super) fn expr(&mut self, e: &Expr) -> String {
        self.charge(1);
        let s = self.scheme();
        match e {
            Expr::Int(n) => self.int(*n),
            Expr::Float(x) => self.float(*x),
            Expr::Bool(b) => match (s, b) {
                (true, true) => "#t".into(),
                (true, false) => "#f".into(),
                (false, b) => b.to_string(),
            },
            Expr::Str(t) => format!("\"{t}\""),
            Expr::Var(ty, n) => self
                .find_var(*ty, *n, false)
                .unwrap_or_else(|| self.default_of(*ty)),
            Expr::Un(op, a) => {
                let a = self.expr(a);
                match (op, s) {
                    (Un::Neg, true) => format!("(- {a})"),
                    (Un::Neg, false) => format!("(-{a})"),
                    (Un::Not, true) => format!("(not {a})"),
                    (Un::Not, false) => format!("(!{a})"),
                    (Un::Abs, _) | (Un::IAbs, true) => self.call_str("abs", &[a]),
                    (Un::IAbs, false) => self.call_str("iabs", &[a]),
                    (Un::ToFloat, true) => format!("(exact->inexact {a})"),
                    (Un::ToFloat, false) => format!("to_float({a})"),
                    (Un::Trunc, true) => format!("(exact (truncate {a}))"),
                    (Un::Trunc, false) => format!("to_int({a})"),
                    (Un::Sqrt, true) => format!("(sqrt (abs {a}))"),
                    (Un::Sqrt, false) => format!("sqrt(abs({a}))"),
                    (Un::ToStr, true) => format!("(number->string {a})"),
                    (Un::ToStr, false) => format!("to_string({a})"),
                    (Un::StrLen, _) => self.len_of(&a, true),
                    (Un::ArrLen, _) => self.len_of(&a, false),
                }
            }
            Expr::Bin(op, k, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                self.binop(*op, *k, &a, &b)
            }
            Expr::Index(a, i, safe) => {
                let a = self.expr(a);
                let mut i = self.expr(i);
                if *safe {
                    i = self.safe_index(&i, &a, false);
                }
                if s {
                    format!("(vector-ref {a} {i})")
                } else {
                    format!("{a}[{i}]")
                }
            }
            Expr::StrAt(t, i, safe) => {
                let t = self.expr(t);
                let mut i = self.expr(i);
                if *safe {
                    i = self.safe_index(&i, &t, true);
                }
                if s {
                    format!("(string (string-ref {t} {i}))")
                } else {
                    format!("{t}[{i}]")
                }
            }
            Expr::Call(ret, slot, args, short) => self
                .call(*ret, *slot, args, *short)
                .unwrap_or_else(|| self.default_of(*ret)),
            Expr::ArrLit(items) => {
                let items: Vec<String> = items.iter().map(|x| self.expr(x)).collect();
                if s {
                    format!(
                        "(vector{})",
                        items.iter().map(|x| format!(" {x}")).collect::<String>()
                    )
                } else {
                    format!("[{}]", items.join(", "))
                }
            }
        }
    }

    pub(super) fn binop(&self, op: Op, k: K, a: &str, b: &str) -> String {
        if !self.scheme() {
            let o = match op {
                Op::Add | Op::Cat => "+",
                Op::Sub => "-",
                Op::Mul => "*",
                Op::Div => "/",
                Op::Rem => "%",
                Op::Lt => "<",
                Op::Le => "<=",
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Eq => "==",
                Op::Ne => "!=",
                Op::And => "&&",
                Op::Or => "||",
                // Ruff's `min`, `max` and `abs` return floats: ints use the program's own.
                Op::Min if k == K::Int => return format!("imin({a}, {b})"),
                Op::Max if k == K::Int => return format!("imax({a}, {b})"),
                Op::Min => return format!("min({a}, {b})"),
                Op::Max => return format!("max({a}, {b})"),
            };
            return self.bin(o, a, b);
        }
        let o = match (op, k) {
            (Op::Add, _) => "+",
            (Op::Sub, _) => "-",
            (Op::Mul, _) => "*",
            (Op::Div, K::Int) => "quotient",
            (Op::Div, _) => "/",
            (Op::Rem, _) => "remainder",
            (Op::Min, _) => "min",
            (Op::Max, _) => "max",
            (Op::Cat, _) => "string-append",
            (Op::And, _) => "and",
            (Op::Or, _) => "or",
            (Op::Eq, K::Str) => "string=?",
            (Op::Eq, K::Bool) => "eq?",
            (Op::Eq, K::Dyn) => "equal?",
            (Op::Eq, _) => "=",
            (Op::Ne, _) => return format!("(not {})", self.binop(Op::Eq, k, a, b)),
            (Op::Lt, K::Str) => "string<?",
            (Op::Gt, K::Str) => return self.bin("string<?", b, a),
            (Op::Le | Op::Ge, K::Str) => {
                let (x, y) = if op == Op::Le { (b, a) } else { (a, b) };
                return format!("(not {})", self.bin("string<?", x, y));
            }
            (Op::Lt, _) => "<",
            (Op::Le, _) => "<=",
            (Op::Gt, _) => ">",
            (Op::Ge, _) => ">=",
        };
        self.bin(o, a, b)
    }

    /// A call, or `None` when nothing in scope fits (or the budget allows none).
    pub(super) fn call(
        &mut self,
        ret: Ty,
        slot: u8,
        args: &[(Ty, Expr)],
        short: bool,
    ) -> Option<String> {
        let cands: Vec<(usize, u64)> = (0..self.callables.len())
            .filter(|&i| ret == Ty::Dyn || self.callables[i].ret == ret)
            .map(|i| (i, self.affordable(i)))
            .filter(|&(_, d)| d > 0)
            .collect();
        if cands.is_empty() {
            return None;
        }
        let (ci, _) = cands[slot as usize % cands.len()];
        self.call_at(ci, args, short)
    }

    /// The deepest recursion affordable for callable `ci` here (1 for a plain one), or 0
    /// when even one call is too costly.
    pub(super) fn affordable(&self, ci: usize) -> u64 {
        let remaining = self.budget.saturating_sub(self.spent);
        let mult = self.mult.max(1);
        let c = &self.callables[ci];
        match c.kind {
            CallKind::Plain => u64::from(mult.saturating_mul(c.cost) <= remaining),
            CallKind::Depth { max, tree: false } => {
                (remaining / mult.saturating_mul(c.cost).max(1)).min(max)
            }
            CallKind::Depth { max, tree: true } => (0..=max)
                .rev()
                .find(|&d| fib_calls(d).saturating_mul(c.cost).saturating_mul(mult) <= remaining)
                .unwrap_or(0),
        }
    }

    /// A call of callable `ci`, matching `args` to its parameters by type; `None` when it
    /// is not affordable.
    pub(super) fn call_at(
        &mut self,
        ci: usize,
        args: &[(Ty, Expr)],
        short: bool,
    ) -> Option<String> {
        let depth = self.affordable(ci);
        if depth == 0 {
            return None;
        }
        Some(self.call_depth(ci, depth, args, short))
    }

    /// The depth the driver loop calls callable `ci` with: whatever keeps one call under
    /// [`DRIVE_CALL`].
    pub(super) fn drive_depth(&self, ci: usize) -> u64 {
        let c = &self.callables[ci];
        match c.kind {
            CallKind::Plain => 1,
            CallKind::Depth { max, tree: false } => (DRIVE_CALL / c.cost.max(1)).clamp(1, max),
            CallKind::Depth { max, tree: true } => (1..=max)
                .rev()
                .find(|&d| fib_calls(d).saturating_mul(c.cost) <= DRIVE_CALL)
                .unwrap_or(1),
        }
    }

    /// What one call of callable `ci` at `depth` costs.
    pub(super) fn call_cost(&self, ci: usize, depth: u64) -> u64 {
        let c = &self.callables[ci];
        match c.kind {
            CallKind::Plain => c.cost,
            CallKind::Depth { tree: false, .. } => depth.saturating_mul(c.cost),
            CallKind::Depth { tree: true, .. } => fib_calls(depth).saturating_mul(c.cost),
        }
    }

    /// A call of callable `ci`, recursing at most `depth` deep if it recurses.
    pub(super) fn call_depth(
        &mut self,
        ci: usize,
        depth: u64,
        args: &[(Ty, Expr)],
        short: bool,
    ) -> String {
        let (name, params, kind) = {
            let c = &self.callables[ci];
            (c.name.clone(), c.params.clone(), c.kind)
        };
        let mut used = vec![false; args.len()];
        let mut out = Vec::new();
        for (pi, &pty) in params.iter().enumerate() {
            let found = args.iter().enumerate().position(|(ai, (aty, _))| {
                !used[ai] && (*aty == pty || (pty == Ty::Dyn && *aty != Ty::Arr))
            });
            let mut text = match found {
                Some(ai) => {
                    used[ai] = true;
                    self.expr(&args[ai].1)
                }
                None => self.default_of(pty),
            };
            if pi == 0 && matches!(kind, CallKind::Depth { .. }) {
                let m = i64::try_from(depth).unwrap_or(1);
                text = match text.parse::<i64>() {
                    Ok(v) => self.int(v % m),
                    Err(_) => self.rem(&text, m),
                };
            }
            out.push(text);
        }
        if short && !out.is_empty() {
            out.pop();
        }
        self.charge(self.call_cost(ci, depth));
        self.call_str(&name, &out)
    }
}
