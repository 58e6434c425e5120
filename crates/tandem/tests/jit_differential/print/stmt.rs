//! Printing statements, and `try`/`except` or `guard` handlers. Code that may run
//! thousands of times rations its output, and constructs that make no sense where they
//! land (`break` outside a loop, `return` outside a function) print nothing.

use super::{Printer, WRAP};
use crate::ast::{Expr, Handler, Stmt, Ty};

impl Printer {
    pub(super) fn block(&mut self, stmts: &[Stmt], ind: usize) {
        for s in stmts {
            self.stmt(s, ind);
        }
    }

    /// A Scheme body: the statements, or `#f` when they print nothing.
    pub(super) fn scheme_body(&mut self, stmts: &[Stmt], ind: usize) {
        let text = self.capture(|p| p.block(stmts, ind));
        if text.is_empty() {
            self.line(ind, "#f");
        } else {
            self.out.push_str(&text);
        }
    }

    pub(super) fn assign_str(&self, name: &str, value: &str) -> String {
        if self.scheme() {
            format!("(set! {name} {value})")
        } else {
            format!("{name} := {value}")
        }
    }

    pub(super) fn print_stmt(&mut self, ind: usize, args: &[String]) {
        let call = self.call_str(if self.scheme() { "pr" } else { "print" }, args);
        if self.hot {
            // Ration output from code that may run thousands of times.
            if self.scheme() {
                self.line(ind, &format!("(when (< pc 300) (set! pc (+ pc 1)) {call})"));
            } else {
                self.line(ind, "if pc < 300 {");
                self.line(ind + 1, "pc += 1");
                self.line(ind + 1, &call);
                self.line(ind, "}");
            }
        } else {
            self.line(ind, &call);
        }
    }

    pub(super) fn checksum(&mut self, ind: usize, value: &str) {
        let v = self.rem(value, WRAP);
        let text = if self.scheme() {
            format!("(set! chk (remainder (+ (* chk 31) {v}) 1000000007))")
        } else {
            format!("chk := (chk * 31 + {v}) % 1000000007")
        };
        self.line(ind, &text);
    }

    pub(super) fn stmt(&mut self, st: &Stmt, ind: usize) {
        // Handlers and throws cost more than plain statements, most in Scheme (measured).
        self.charge(match (st, self.scheme()) {
            (Stmt::Try(..), false) => 2,
            (Stmt::Try(..), true) => 20,
            (Stmt::Throw(..), false) => 15,
            (Stmt::Throw(..), true) => 80,
            _ => 1,
        });
        let s = self.scheme();
        match st {
            Stmt::Assign(ty, n, e, wrap) => {
                let Some(name) = self.find_var(*ty, *n, true) else {
                    return;
                };
                let mut v = self.expr(e);
                if *wrap && *ty == Ty::Int {
                    v = self.rem(&v, WRAP);
                }
                let text = self.assign_str(&name, &v);
                self.line(ind, &text);
                if *ty == Ty::Str {
                    // Keep strings short: `s := s + s` in a loop doubles.
                    if s {
                        self.line(
                            ind,
                            &format!("(when (> (string-length {name}) 40) (set! {name} \"r\"))"),
                        );
                    } else {
                        self.line(ind, &format!("if len({name}) > 40 {{"));
                        self.line(ind + 1, &format!("{name} := \"r\""));
                        self.line(ind, "}");
                    }
                }
            }
            Stmt::Print(args) => {
                let mut a = vec!["\"o\"".to_string()];
                a.extend(args.iter().map(|x| self.expr(x)));
                self.print_stmt(ind, &a);
            }
            Stmt::If(c, t, f) => {
                let c = self.expr(c);
                if s {
                    self.line(ind, &format!("(if {c}"));
                    self.line(ind + 1, "(begin");
                    self.scheme_body(t, ind + 2);
                    self.line(ind + 2, ")");
                    self.line(ind + 1, "(begin");
                    self.scheme_body(f, ind + 2);
                    self.line(ind + 2, "))");
                } else {
                    self.line(ind, &format!("if {c} {{"));
                    self.block(t, ind + 1);
                    if f.is_empty() {
                        self.line(ind, "}");
                    } else {
                        self.line(ind, "} else {");
                        self.block(f, ind + 1);
                        self.line(ind, "}");
                    }
                }
            }
            Stmt::Loop(l) => {
                self.print_loop(l, ind);
            }
            Stmt::ArrSet(a, i, v, safe) => {
                let Some(name) = self.find_var(Ty::Arr, *a, false) else {
                    return;
                };
                let mut i = self.expr(i);
                if *safe {
                    i = self.safe_index(&i, &name, false);
                }
                let v = self.expr(v);
                if s {
                    self.line(ind, &format!("(vector-set! {name} {i} {v})"));
                } else {
                    self.line(ind, &format!("{name}[{i}] := {v}"));
                }
            }
            Stmt::Push(a, v) => {
                let Some(name) = self.find_var(Ty::Arr, *a, true) else {
                    return;
                };
                let v = self.expr(v);
                if s {
                    self.line(
                        ind,
                        &format!(
                            "(when (< (vector-length {name}) 64) (set! {name} (vector-append {name} (vector {v}))))"
                        ),
                    );
                } else {
                    self.line(ind, &format!("if len({name}) < 64 {{"));
                    self.line(ind + 1, &format!("push({name}, {v})"));
                    self.line(ind, "}");
                }
            }
            Stmt::Try(body, h) => self.print_try(body, h, ind),
            Stmt::Throw(e, style) => {
                let v = self.expr(e);
                let text = match (s, style) {
                    (true, 0) => format!("(error \"thrown\" {v})"),
                    (true, _) => format!("(raise {v})"),
                    (false, 0) => format!("throw(\"thrown \" + to_string({v}))"),
                    (false, _) => format!("throw({v})"),
                };
                self.line(ind, &text);
            }
            Stmt::Break | Stmt::Continue => {
                let Some(l) = self.loops.last() else { return };
                let brk = matches!(st, Stmt::Break);
                let text = match (s, brk) {
                    (true, true) => format!("(brk{} #f)", l.id),
                    (true, false) => format!("(cnt{} #f)", l.id),
                    (false, true) => "break".into(),
                    (false, false) => "continue".into(),
                };
                self.line(ind, &text);
            }
            Stmt::Return(e) => {
                let Some(f) = &self.func else { return };
                let e = if f.ret == Ty::Int {
                    e.clone()
                } else {
                    f.ret_expr.clone()
                };
                let v = self.expr(&e);
                if s {
                    self.line(ind, &format!("(rt {v})"));
                } else {
                    self.line(ind, &format!("return {v}"));
                }
            }
            Stmt::Call(e) => {
                if let Expr::Call(ret, slot, args, short) = e {
                    if let Some(text) = self.call(*ret, *slot, args, *short) {
                        self.line(ind, &text);
                    }
                }
            }
            Stmt::AtIter(at, body) => {
                let Some(l) = self
                    .loops
                    .iter()
                    .rev()
                    .find(|l| l.counter.is_some() && l.bound > 0)
                else {
                    return;
                };
                let counter = l.counter.clone().unwrap_or_default();
                let k = u64::from(*at) % l.bound;
                if s {
                    self.line(ind, &format!("(when (= {counter} {k})"));
                    self.scheme_body(body, ind + 1);
                    self.line(ind + 1, ")");
                } else {
                    self.line(ind, &format!("if {counter} == {k} {{"));
                    self.block(body, ind + 1);
                    self.line(ind, "}");
                }
            }
            Stmt::Checksum(e) => {
                let v = self.expr(e);
                self.checksum(ind, &v);
            }
            Stmt::Capture(e) => {
                let saved = std::mem::take(&mut self.callables);
                let v = self.expr(e);
                self.callables = saved;
                if s {
                    self.line(
                        ind,
                        &format!("(when (< (length gk) 40) (set! gk (cons (lambda () {v}) gk)))"),
                    );
                } else {
                    self.line(ind, "if len(gk) < 40 {");
                    self.line(ind + 1, "push(gk, func() {");
                    self.line(ind + 2, &format!("return {v}"));
                    self.line(ind + 1, "})");
                    self.line(ind, "}");
                }
            }
            Stmt::Rebind(a, b) => {
                let globals: Vec<usize> = (0..self.callables.len())
                    .filter(|&i| self.callables[i].rebindable)
                    .collect();
                if globals.is_empty() {
                    return;
                }
                let src = globals[*a as usize % globals.len()];
                let c = &self.callables[src];
                let targets: Vec<usize> = globals
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let t = &self.callables[i];
                        i < src
                            && t.params == c.params
                            && t.ret == c.ret
                            && t.cost <= c.cost * 2 + 10
                    })
                    .collect();
                if targets.is_empty() {
                    return;
                }
                let tgt = &self.callables[targets[*b as usize % targets.len()]].name;
                let text = self.assign_str(&self.callables[src].name, tgt);
                self.line(ind, &text);
            }
            Stmt::Drive(n, args) => {
                let depth = self.drive_depth(*n);
                let text = self.call_depth(*n, depth, args, false);
                if self.callables[*n].ret == Ty::Int {
                    self.checksum(ind, &text);
                } else {
                    let text = self.assign_str("gd1", &text);
                    self.line(ind, &text);
                }
            }
        }
    }

    pub(super) fn print_try(&mut self, body: &[Stmt], h: &Handler, ind: usize) {
        let id = self.id();
        let s = self.scheme();
        if s {
            self.line(ind, &format!("(guard (e{id}"));
            self.line(ind + 1, "(#t");
            self.line(ind + 2, "(set! errs (+ errs 1))");
            self.line(
                ind + 2,
                &format!("(when (< errs 20) (pr \"caught\" (err-msg e{id})))"),
            );
        } else {
            self.line(ind, "try {");
            self.block(body, ind + 1);
            self.line(ind, &format!("}} except e{id} {{"));
            self.line(ind + 1, "errs += 1");
            self.line(ind + 1, "if errs < 20 {");
            let what = match h.report {
                0 => format!("e{id}.message"),
                1 => format!("e{id}.message, e{id}.line"),
                _ => format!("e{id}.message, e{id}.line, e{id}.stack"),
            };
            self.line(ind + 2, &format!("print(\"caught\", {what})"));
            self.line(ind + 1, "}");
        }
        let inner = if s { ind + 2 } else { ind + 1 };
        if let Some((n, e)) = &h.assign {
            if let Some(name) = self.find_var(Ty::Int, *n, true) {
                let v = self.expr(e);
                let text = self.assign_str(&name, &v);
                self.line(inner, &text);
            }
        }
        if h.rethrow {
            if s {
                self.line(inner, &format!("(raise e{id})"));
            } else {
                self.line(inner, &format!("throw(e{id})"));
            }
        }
        if s {
            self.line(inner, "#f)");
            self.line(ind + 1, ")");
            self.scheme_body(body, ind + 1);
            self.line(ind + 1, ")");
        } else {
            self.line(ind, "}");
        }
    }
}
