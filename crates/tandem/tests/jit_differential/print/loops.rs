//! Printing loops, in the six forms of each dialect: the bound is clamped to the budget,
//! top-level loops print probes, and Scheme loops get `call/cc` escapes for `break` and
//! `continue`.

use super::{jumps, LoopCx, Printer, WRAP};
use crate::ast::{Loop, Ty};

impl Printer {
    /// Print loop `l`; how many times it runs at most.
    pub(super) fn print_loop(&mut self, l: &Loop, ind: usize) -> u64 {
        let id = self.id();
        let s = self.scheme();
        let allowed = (self.iter_limit / self.mult.max(1)).max(1);
        let mut bound = u64::from(l.bound).min(allowed);
        let forms = 6;
        let mut kind = l.kind % forms;
        // Iterating over an array runs up to 64 times (pushes stop there).
        let arr = self.find_var(Ty::Arr, l.kind / forms, false);
        if kind == 4 && (allowed < 64 || arr.is_none()) {
            kind = 0;
        }
        let counted = kind != 4;
        if !counted {
            bound = 64;
        }
        let (brk, cnt) = jumps(&l.body);
        let counter = format!("i{id}");
        let top = self.func.is_none() && self.mult == 1;
        let probe_every = if top && counted && bound >= 20 {
            bound / 4
        } else {
            0
        };

        // The body, with the scope and multiplier it runs with.
        let saved_mult = self.mult;
        let saved_hot = self.hot;
        let spent_before = self.spent;
        self.mult = self.mult.saturating_mul(bound.max(1));
        self.hot = self.hot || self.mult > 20;
        let nvars = self.vars.len();
        if counted {
            self.push_var(&counter, Ty::Int, false);
        } else {
            self.push_var(&format!("el{id}"), Ty::Int, false);
        }
        if l.acc.is_some() {
            self.push_var(&format!("acc{id}"), Ty::Int, false);
        }
        self.loops.push(LoopCx {
            id,
            counter: counted.then(|| counter.clone()),
            bound,
        });
        let body_ind = ind + 2;
        let mut body = self.capture(|p| {
            if s && cnt {
                // A continuation per iteration.
                p.charge(8);
            }
            if probe_every > 0 {
                let mut args = vec![format!("\"p{id}\""), counter.clone()];
                args.extend(l.probes.iter().map(|x| p.expr(x)));
                let call = p.call_str(if s { "pr" } else { "print" }, &args);
                if s {
                    p.line(
                        body_ind,
                        &format!("(when (= (remainder {counter} {probe_every}) 0) {call})"),
                    );
                } else {
                    p.line(body_ind, &format!("if {counter} % {probe_every} == 0 {{"));
                    p.line(body_ind + 1, &call);
                    p.line(body_ind, "}");
                }
            }
            p.block(&l.body, body_ind);
        });
        let acc_update = l.acc.as_ref().map(|e| {
            let v = self.expr(e);
            if s {
                format!("(remainder (+ acc{id} {v}) {WRAP})")
            } else {
                format!("acc{id} := (acc{id} + {v}) % {WRAP}")
            }
        });
        self.loops.pop();
        self.vars.truncate(nvars);
        self.mult = saved_mult;
        self.hot = saved_hot;
        // Fewer iterations when the body turned out costly.
        let per_iter =
            (self.spent - spent_before) / saved_mult.max(1).saturating_mul(bound.max(1)).max(1);
        let remaining = self.budget.saturating_sub(spent_before);
        if self.spent > self.budget && counted {
            bound = (remaining / saved_mult.max(1).saturating_mul(per_iter.max(1))).min(bound);
        }
        self.spent = spent_before + saved_mult * bound * per_iter.max(1);

        if s {
            self.scheme_loop(ind, id, kind, bound, &arr, &mut body, acc_update, brk, cnt);
        } else {
            self.ruff_loop(
                ind,
                id,
                kind,
                bound,
                &arr,
                &body,
                acc_update,
                l.acc.is_some(),
            );
        }
        bound
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn ruff_loop(
        &mut self,
        ind: usize,
        id: u32,
        kind: u8,
        bound: u64,
        arr: &Option<String>,
        body: &str,
        acc_update: Option<String>,
        has_acc: bool,
    ) {
        let i = format!("i{id}");
        if has_acc {
            self.line(ind, &format!("acc{id} := 0"));
        }
        match kind {
            0 => {
                self.line(ind, &format!("{i} := 0"));
                self.line(ind, &format!("while {i} < {bound} {{"));
                self.line(ind + 1, &format!("{i} += 1"));
            }
            1 => self.line(ind, &format!("for {i} in range({bound}) {{")),
            2 => self.line(ind, &format!("for {i} in {bound} {{")),
            3 => {
                self.line(ind, &format!("{i} := 0"));
                self.line(ind, "loop {");
                self.line(ind + 1, &format!("if {i} >= {bound} {{"));
                self.line(ind + 2, "break");
                self.line(ind + 1, "}");
                self.line(ind + 1, &format!("{i} += 1"));
            }
            4 => {
                let a = arr.clone().unwrap_or_default();
                self.line(ind, &format!("for el{id} in {a} {{"));
            }
            _ => self.line(ind, &format!("for {i} in range(0, {}, 2) {{", bound * 2)),
        }
        // The body was printed two levels in; Ruff blocks need one.
        for l in body.lines() {
            self.out.push_str(l.strip_prefix("  ").unwrap_or(l));
            self.out.push('\n');
        }
        if let Some(u) = acc_update {
            self.line(ind + 1, &u);
        }
        self.line(ind, "}");
        if has_acc {
            self.line(ind, &format!("chk := (chk + acc{id}) % 1000000007"));
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn scheme_loop(
        &mut self,
        ind: usize,
        id: u32,
        kind: u8,
        bound: u64,
        arr: &Option<String>,
        body: &mut String,
        acc_update: Option<String>,
        brk: bool,
        cnt: bool,
    ) {
        let i = format!("i{id}");
        let b = ind + 2;
        let pad = "  ".repeat(b);
        if cnt {
            *body = format!("{pad}(call/cc (lambda (cnt{id})\n{body}{pad}  #f))\n");
        }
        let has_acc = acc_update.is_some();
        // Kind 5 carries the accumulator as a loop variable; the others keep it in a `let`.
        let acc_set = match (&acc_update, kind) {
            (Some(u), k) if k != 5 => format!("{pad}(set! acc{id} {u})\n"),
            _ => String::new(),
        };
        let mut ind = ind;
        if brk {
            self.line(ind, &format!("(call/cc (lambda (brk{id})"));
            ind += 1;
        }
        if has_acc && kind != 5 {
            self.line(ind, &format!("(let ((acc{id} 0))"));
            ind += 1;
        }
        // Re-indent the body to this depth.
        let body_text = format!("{body}{acc_set}");
        let body_ind = ind + 2;
        let body_text: String = body_text
            .lines()
            .map(|l| {
                let t = l.strip_prefix(&pad).unwrap_or(l);
                format!("{}{t}\n", "  ".repeat(body_ind))
            })
            .collect();
        let body_or_false = if body_text.trim().is_empty() {
            format!("{}#f\n", "  ".repeat(body_ind))
        } else {
            body_text.clone()
        };
        match kind {
            0 => {
                self.line(ind, &format!("(let lp{id} (({i} 0))"));
                self.line(ind + 1, &format!("(when (< {i} {bound})"));
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (+ {i} 1))))"));
            }
            1 => {
                self.line(ind, &format!("(do (({i} 0 (+ {i} 1)))"));
                self.line(ind + 1, &format!("((>= {i} {bound}))"));
                self.out.push_str(&body_text);
                self.line(ind + 1, ")");
            }
            2 => {
                self.line(ind, &format!("(letrec ((lp{id} (lambda ({i})"));
                self.line(ind + 1, &format!("(if (< {i} {bound})"));
                self.line(ind + 1, "(begin");
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (+ {i} 1)))))))"));
                self.line(ind + 1, &format!("(lp{id} 0))"));
            }
            3 => {
                self.line(ind, &format!("(let lp{id} (({i} {bound}))"));
                self.line(ind + 1, &format!("(cond ((> {i} 0)"));
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (- {i} 1)))))"));
            }
            4 => {
                let a = arr.clone().unwrap_or_default();
                self.line(ind, &format!("(vector-for-each (lambda (el{id})"));
                self.out.push_str(&body_or_false);
                self.line(ind + 1, &format!(") {a})"));
            }
            _ => {
                let step = acc_update.clone().unwrap_or_else(|| format!("acc{id}"));
                self.line(ind, &format!("(let lp{id} (({i} 0) (acc{id} 0))"));
                self.line(ind + 1, &format!("(if (< {i} {bound})"));
                self.line(ind + 1, "(begin");
                self.out.push_str(&body_text);
                self.line(ind + 2, &format!("(lp{id} (+ {i} 1) {step}))"));
                self.line(
                    ind + 1,
                    &format!("(set! chk (remainder (+ chk acc{id}) 1000000007))))"),
                );
            }
        }
        if has_acc && kind != 5 {
            ind -= 1;
            self.line(
                ind + 1,
                &format!("(set! chk (remainder (+ chk acc{id}) 1000000007)))"),
            );
        }
        if brk {
            ind -= 1;
            self.line(ind + 1, "))");
        }
    }
}
