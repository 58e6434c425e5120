//! Derived forms lowered directly to IR: the `let` family, `do`, `cond`, `case`, `and`,
//! `or`, `let-syntax`, `guard`, `parameterize`, `case-lambda`.

use super::expand::{base_name, Binding, Env, Lx, Sf};
use super::lower::*;
use crate::ir::*;
use rustc_hash::FxHashSet;
use std::rc::Rc;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::Span;

/// One `(name init)` binding of a `let`-like form.
struct LetBinding<'d> {
    name: String,
    span: Span,
    init: &'d Datum,
    /// `do`'s step expression.
    step: Option<&'d Datum>,
}

impl Lx {
    /// Parse `((name init) ...)` (or, for `do`, `((name init [step]) ...)`).
    fn let_bindings<'d>(
        &mut self,
        kw: &str,
        d: &'d Datum,
        allow_step: bool,
        unique: bool,
    ) -> Option<Vec<LetBinding<'d>>> {
        let Some(items) = d.list_items() else {
            self.err(
                format!("{kw}: bad bindings: expected a list of (name value)"),
                d.span,
            );
            return None;
        };
        let mut out = Vec::new();
        let mut seen = FxHashSet::default();
        for b in items {
            let parts = b.list_items().unwrap_or(&[]);
            let ok_len = parts.len() == 2 || (allow_step && parts.len() == 3);
            match (parts.first().and_then(|p| p.as_symbol()), ok_len) {
                (Some(name), true) => {
                    if unique && !seen.insert(name.to_string()) {
                        self.err(
                            format!("{kw}: duplicate binding of `{}`", base_name(name)),
                            b.span,
                        );
                        return None;
                    }
                    out.push(LetBinding {
                        name: name.to_string(),
                        span: b.span,
                        init: &parts[1],
                        step: parts.get(2),
                    });
                }
                _ => {
                    self.err(
                        format!(
                            "{kw}: bad let binding {} (expected (name value))",
                            b.write_short()
                        ),
                        b.span,
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    pub(crate) fn let_form(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() >= 2 && items[1].as_symbol().is_some() {
            return self.named_let(items, env, span);
        }
        if items.len() < 3 {
            return self.err("let: expected bindings and a body", span);
        }
        let Some(bs) = self.let_bindings("let", &items[1], false, true) else {
            return Expr::null(span);
        };
        let inits: Vec<Expr> = bs
            .iter()
            .map(|b| self.named_expr(b.init, env, &b.name))
            .collect();
        let frame = Env::child(env);
        let mut out = Vec::new();
        for (b, init) in bs.iter().zip(inits) {
            let v = self.bind_new_var(&frame, &b.name, b.span);
            out.push(define(v, init, b.span));
        }
        out.push(self.body(&items[2..], &frame, span));
        mk(ExprKind::Block(out), span)
    }

    fn named_let(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 4 {
            return self.err("let: named let expects a name, bindings and a body", span);
        }
        let name = items[1].as_symbol().unwrap_or("loop").to_string();
        let Some(bs) = self.let_bindings("let", &items[2], false, true) else {
            return Expr::null(span);
        };
        let inits: Vec<Expr> = bs.iter().map(|b| self.expr(b.init, env)).collect();
        let frame = Env::child(env);
        let lv = self.bind_new_var(&frame, &name, items[1].span);
        let params: Vec<String> = bs.iter().map(|b| b.name.clone()).collect();
        let body = &items[3..];
        let fid = self.make_func(&name, span, &params, None, |lx, pv, _| {
            let inner = Env::child(&frame);
            for (p, v) in params.iter().zip(pv) {
                inner.bind(p, Binding::Var(*v));
            }
            lx.body(body, &inner, span)
        });
        crate::loopify::local_loop(lv, fid, inits, span)
    }

    pub(crate) fn let_star(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 3 {
            return self.err("let*: expected bindings and a body", span);
        }
        let Some(bs) = self.let_bindings("let*", &items[1], false, false) else {
            return Expr::null(span);
        };
        let mut frame = env.clone();
        let mut out = Vec::new();
        for b in &bs {
            let init = self.named_expr(b.init, &frame, &b.name);
            frame = Env::child(&frame);
            let v = self.bind_new_var(&frame, &b.name, b.span);
            out.push(define(v, init, b.span));
        }
        out.push(self.body(&items[2..], &frame, span));
        mk(ExprKind::Block(out), span)
    }

    pub(crate) fn letrec(&mut self, items: &[Datum], env: &Rc<Env>, span: Span, kw: &str) -> Expr {
        if items.len() < 3 {
            return self.err(format!("{kw}: expected bindings and a body"), span);
        }
        let Some(bs) = self.let_bindings(kw, &items[1], false, true) else {
            return Expr::null(span);
        };
        let frame = Env::child(env);
        let mut out = Vec::new();
        let mut vars = Vec::new();
        for b in &bs {
            let v = self.bind_new_var(&frame, &b.name, b.span);
            out.push(define(v, Expr::null(b.span), b.span));
            vars.push(v);
        }
        for (b, v) in bs.iter().zip(vars) {
            let init = self.named_expr(b.init, &frame, &b.name);
            out.push(mk(ExprKind::SetLocal(v, Box::new(init)), b.span));
        }
        out.push(self.body(&items[2..], &frame, span));
        mk(ExprKind::Block(out), span)
    }

    /// `let-values` / `let*-values`: nested `call-with-values` with a consumer per clause.
    pub(crate) fn let_values(
        &mut self,
        items: &[Datum],
        env: &Rc<Env>,
        span: Span,
        star: bool,
    ) -> Expr {
        let kw = if star { "let*-values" } else { "let-values" };
        if items.len() < 3 {
            return self.err(format!("{kw}: expected bindings and a body"), span);
        }
        let Some(clauses) = items[1].list_items() else {
            return self.err(format!("{kw}: bad bindings"), items[1].span);
        };
        for c in clauses {
            if c.list_items().map(|p| p.len()) != Some(2) {
                return self.err(
                    format!(
                        "{kw}: bad binding {} (expected (formals expression))",
                        c.write_short()
                    ),
                    c.span,
                );
            }
        }
        self.let_values_from(clauses, &items[2..], env, env, star, span)
    }

    fn let_values_from(
        &mut self,
        clauses: &[Datum],
        body: &[Datum],
        outer: &Rc<Env>,
        acc: &Rc<Env>,
        star: bool,
        span: Span,
    ) -> Expr {
        let Some((first, rest)) = clauses.split_first() else {
            return self.body(body, acc, span);
        };
        let parts = first.list_items().unwrap_or(&[]);
        let init_env = if star { acc.clone() } else { outer.clone() };
        let th = self.thunk("let-values", first.span, |lx| lx.expr(&parts[1], &init_env));
        let acc2 = acc.clone();
        let outer2 = outer.clone();
        let fid = self.func_with_formals(&parts[0], &acc2, "let-values", span, |lx, frame| {
            lx.let_values_from(rest, body, &outer2, frame, star, span)
        });
        match fid {
            Some(fid) => global_call(
                "call-with-values",
                vec![th, mk(ExprKind::Closure(fid), span)],
                span,
            ),
            None => Expr::null(span),
        }
    }

    /// `(do ((var init step) ...) (test result ...) command ...)` as a local loop procedure
    /// called in tail position (each iteration gets fresh bindings, as R7RS requires).
    pub(crate) fn do_form(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 3 {
            return self.err("do: expected bindings and a (test result ...) clause", span);
        }
        let Some(bs) = self.let_bindings("do", &items[1], true, true) else {
            return Expr::null(span);
        };
        let Some(test) = items[2].list_items().filter(|t| !t.is_empty()) else {
            return self.err("do: expected a (test result ...) clause", items[2].span);
        };
        let inits: Vec<Expr> = bs.iter().map(|b| self.expr(b.init, env)).collect();
        let lv = self.new_var("do-loop", span);
        let params: Vec<String> = bs.iter().map(|b| b.name.clone()).collect();
        let commands = &items[3..];
        let fid = self.make_func("do-loop", span, &params, None, |lx, pv, _| {
            let frame = Env::child(env);
            for (p, v) in params.iter().zip(pv) {
                frame.bind(p, Binding::Var(*v));
            }
            let cond = lx.expr(&test[0], &frame);
            let results: Vec<Expr> = test[1..].iter().map(|x| lx.expr(x, &frame)).collect();
            let done = if results.is_empty() {
                Expr::null(span)
            } else {
                mk(ExprKind::Block(results), span)
            };
            let mut again: Vec<Expr> = commands.iter().map(|c| lx.expr(c, &frame)).collect();
            let steps = bs
                .iter()
                .zip(pv)
                .map(|(b, v)| match b.step {
                    Some(s) => lx.expr(s, &frame),
                    None => local(*v, b.span),
                })
                .collect();
            again.push(call(local(lv, span), steps, span));
            if_(cond, done, mk(ExprKind::Block(again), span), span)
        });
        crate::loopify::local_loop(lv, fid, inits, span)
    }

    pub(crate) fn cond(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        let fallback = Expr::null(span);
        self.cond_clauses("cond", &items[1..], env, fallback)
    }

    /// `cond` clauses, with `fallback` when none applies (`guard` re-raises).
    pub(crate) fn cond_clauses(
        &mut self,
        kw: &str,
        clauses: &[Datum],
        env: &Rc<Env>,
        fallback: Expr,
    ) -> Expr {
        // Validate and lower front to back (errors in source order), then chain back to front.
        let mut lowered: Vec<(Span, Clause)> = Vec::new();
        for (i, c) in clauses.iter().enumerate() {
            let Some(parts) = c.list_items().filter(|p| !p.is_empty()) else {
                self.err(
                    format!(
                        "{kw}: bad clause {} (expected (test expression ...))",
                        c.write_short()
                    ),
                    c.span,
                );
                continue;
            };
            if self.special_of(&parts[0], env) == Some(Sf::Else) {
                if i + 1 != clauses.len() {
                    self.err(format!("{kw}: `else` must be the last clause"), c.span);
                }
                if parts.len() < 2 {
                    self.err(format!("{kw}: `else` clause needs an expression"), c.span);
                    continue;
                }
                let xs = parts[1..].iter().map(|x| self.expr(x, env)).collect();
                lowered.push((c.span, Clause::Else(mk(ExprKind::Block(xs), c.span))));
                continue;
            }
            let test = self.expr(&parts[0], env);
            if parts.len() >= 2 && self.special_of(&parts[1], env) == Some(Sf::Arrow) {
                if parts.len() != 3 {
                    self.err(
                        format!("{kw}: `=>` must be followed by exactly one expression"),
                        c.span,
                    );
                    continue;
                }
                let f = self.expr(&parts[2], env);
                lowered.push((c.span, Clause::Arrow(test, f)));
            } else if parts.len() == 1 {
                lowered.push((c.span, Clause::Test(test)));
            } else {
                let xs = parts[1..].iter().map(|x| self.expr(x, env)).collect();
                lowered.push((c.span, Clause::Body(test, mk(ExprKind::Block(xs), c.span))));
            }
        }
        let mut acc = fallback;
        for (cspan, clause) in lowered.into_iter().rev() {
            acc = match clause {
                Clause::Else(x) => x,
                Clause::Body(t, x) => if_(t, x, acc, cspan),
                Clause::Test(t) => {
                    let v = self.new_var("cond-test", cspan);
                    let tv = if_(local(v, cspan), local(v, cspan), acc, cspan);
                    mk(ExprKind::Block(vec![define(v, t, cspan), tv]), cspan)
                }
                Clause::Arrow(t, f) => {
                    let v = self.new_var("cond-test", cspan);
                    let app = call(f, vec![local(v, cspan)], cspan);
                    let tv = if_(local(v, cspan), app, acc, cspan);
                    mk(ExprKind::Block(vec![define(v, t, cspan), tv]), cspan)
                }
            };
        }
        acc
    }

    pub(crate) fn case(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 2 {
            return self.err("case: expected a key and clauses", span);
        }
        let key = self.expr(&items[1], env);
        let k = self.new_var("case-key", span);
        let clauses = &items[2..];
        let mut lowered: Vec<(Span, Option<Expr>, Expr)> = Vec::new();
        for (i, c) in clauses.iter().enumerate() {
            let Some(parts) = c.list_items().filter(|p| p.len() >= 2) else {
                self.err(
                    format!(
                        "case: bad clause {} (expected ((datum ...) expression ...))",
                        c.write_short()
                    ),
                    c.span,
                );
                continue;
            };
            let is_else = self.special_of(&parts[0], env) == Some(Sf::Else);
            if is_else && i + 1 != clauses.len() {
                self.err("case: `else` must be the last clause", c.span);
            }
            let test = if is_else {
                None
            } else {
                let Some(data) = parts[0].list_items() else {
                    self.err("case: expected a list of data", parts[0].span);
                    continue;
                };
                let mut t: Option<Expr> = None;
                for d in data.iter().rev() {
                    let eq = eqv_test(k, d);
                    t = Some(match t {
                        None => eq,
                        Some(rest) => if_(eq, constant(Const::Bool(true), d.span), rest, d.span),
                    });
                }
                Some(t.unwrap_or_else(|| constant(Const::Bool(false), parts[0].span)))
            };
            let body = if self.special_of(&parts[1], env) == Some(Sf::Arrow) {
                if parts.len() != 3 {
                    self.err(
                        "case: `=>` must be followed by exactly one expression",
                        c.span,
                    );
                    continue;
                }
                let f = self.expr(&parts[2], env);
                call(f, vec![local(k, c.span)], c.span)
            } else {
                let xs = parts[1..].iter().map(|x| self.expr(x, env)).collect();
                mk(ExprKind::Block(xs), c.span)
            };
            lowered.push((c.span, test, body));
        }
        let mut acc = Expr::null(span);
        for (cspan, test, body) in lowered.into_iter().rev() {
            acc = match test {
                None => body,
                Some(t) => if_(t, body, acc, cspan),
            };
        }
        mk(ExprKind::Block(vec![define(k, key, span), acc]), span)
    }

    pub(crate) fn and(&mut self, xs: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        let lowered: Vec<Expr> = xs.iter().map(|x| self.expr(x, env)).collect();
        let mut it = lowered.into_iter().rev();
        let Some(mut acc) = it.next() else {
            return constant(Const::Bool(true), span);
        };
        for x in it {
            let s = x.span;
            acc = if_(x, acc, constant(Const::Bool(false), s), s);
        }
        acc
    }

    pub(crate) fn or(&mut self, xs: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        let lowered: Vec<Expr> = xs.iter().map(|x| self.expr(x, env)).collect();
        let mut it = lowered.into_iter().rev();
        let Some(mut acc) = it.next() else {
            return constant(Const::Bool(false), span);
        };
        for x in it {
            let s = x.span;
            let v = self.new_var("or-tmp", s);
            let t = if_(local(v, s), local(v, s), acc, s);
            acc = mk(ExprKind::Block(vec![define(v, x, s), t]), s);
        }
        acc
    }

    pub(crate) fn let_syntax(
        &mut self,
        items: &[Datum],
        env: &Rc<Env>,
        span: Span,
        rec: bool,
    ) -> Expr {
        let kw = if rec { "letrec-syntax" } else { "let-syntax" };
        if items.len() < 3 {
            return self.err(format!("{kw}: expected bindings and a body"), span);
        }
        let Some(bs) = items[1].list_items() else {
            return self.err(format!("{kw}: bad bindings"), items[1].span);
        };
        let frame = Env::child(env);
        for b in bs {
            let parts = b.list_items().unwrap_or(&[]);
            let Some(name) = parts
                .first()
                .and_then(|n| n.as_symbol())
                .filter(|_| parts.len() == 2)
            else {
                self.err(format!("{kw}: bad binding {}", b.write_short()), b.span);
                continue;
            };
            let menv = if rec { frame.clone() } else { env.clone() };
            if let Some(m) = self.parse_transformer(&parts[1], &menv, name) {
                self.bind_macro(&frame, name, m);
            }
        }
        self.body(&items[2..], &frame, span)
    }

    /// `(guard (var clause ...) body ...)`: a raw `Try` whose handler runs the `cond`-like
    /// clauses with `var` bound to the raised object, re-raising it when none applies. The
    /// body runs as `(%guard-body thunk)` (no `with-exception-handler` handlers visible, so
    /// a raise reaches the guard first), and call/cc escapes are re-raised untouched.
    pub(crate) fn guard(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 3 {
            return self.err("guard: expected (variable clause ...) and a body", span);
        }
        let spec = items[1].list_items().unwrap_or(&[]);
        let Some(var) = spec.first().and_then(|v| v.as_symbol()) else {
            return self.err("guard: expected (variable clause ...)", items[1].span);
        };
        let body = if self.library {
            self.body(&items[2..], env, span)
        } else {
            let env2 = env.clone();
            let th = self.thunk("guard", span, |lx| lx.body(&items[2..], &env2, span));
            global_call("%guard-body", vec![th], span)
        };
        let frame = Env::child(env);
        let v = self.bind_new_var(&frame, var, spec[0].span);
        let rethrow = || mk(ExprKind::Throw(Box::new(local(v, span))), span);
        let mut handler = self.cond_clauses("guard", &spec[1..], &frame, rethrow());
        if !self.library {
            // A call/cc escape passes through every guard.
            let is_escape = global_call("%escape?", vec![local(v, span)], span);
            handler = if_(is_escape, rethrow(), handler, span);
        }
        // The compiler gives a `Try` the value null, so the result goes through a local.
        let r = self.new_var("guard-result", span);
        let set = |x: Expr| mk(ExprKind::SetLocal(r, Box::new(x)), span);
        let t = mk(
            ExprKind::Try {
                body: Box::new(set(body)),
                var: v,
                handler: Box::new(set(handler)),
                raw: true,
            },
            span,
        );
        mk(
            ExprKind::Block(vec![define(r, Expr::null(span), span), t, local(r, span)]),
            span,
        )
    }

    pub(crate) fn parameterize(&mut self, items: &[Datum], env: &Rc<Env>, span: Span) -> Expr {
        if items.len() < 3 {
            return self.err("parameterize: expected bindings and a body", span);
        }
        let Some(bs) = items[1].list_items() else {
            return self.err("parameterize: bad bindings", items[1].span);
        };
        let mut params = Vec::new();
        let mut values = Vec::new();
        for b in bs {
            match b.list_items() {
                Some([p, v]) => {
                    params.push(self.expr(p, env));
                    values.push(self.expr(v, env));
                }
                _ => {
                    self.err(
                        format!(
                            "parameterize: bad binding {} (expected (parameter value))",
                            b.write_short()
                        ),
                        b.span,
                    );
                }
            }
        }
        let env2 = env.clone();
        let body = &items[2..];
        let th = self.thunk("parameterize", span, |lx| lx.body(body, &env2, span));
        global_call(
            "%parameterize",
            vec![
                global_call("list", params, span),
                global_call("list", values, span),
                th,
            ],
            span,
        )
    }

    /// `case-lambda`: one closure per clause, and a variadic dispatcher that applies the first
    /// clause accepting the argument count.
    pub(crate) fn case_lambda(
        &mut self,
        items: &[Datum],
        env: &Rc<Env>,
        span: Span,
        name: &str,
    ) -> Expr {
        let mut out = Vec::new();
        let mut arms: Vec<(VarId, usize, bool)> = Vec::new();
        for c in &items[1..] {
            let Some(parts) = c.list_items().filter(|p| p.len() >= 2) else {
                self.err(
                    format!(
                        "case-lambda: bad clause {} (expected (formals body ...))",
                        c.write_short()
                    ),
                    c.span,
                );
                continue;
            };
            let (n, rest) = match &parts[0].kind {
                DatumKind::Symbol(_) => (0, true),
                DatumKind::List(xs, t) => (xs.len(), t.is_some()),
                _ => (0, false),
            };
            let clo = self.lambda(&parts[0], &parts[1..], env, name, c.span);
            let v = self.new_var("case-lambda-clause", c.span);
            out.push(define(v, clo, c.span));
            arms.push((v, n, rest));
        }
        let fid = self.make_func(name, span, &[], Some("args"), |lx, _, rv| {
            let args = rv.expect("rest parameter");
            let n = lx.new_var("argc", span);
            let mut acc = global_call(
                "error",
                vec![
                    constant(
                        Const::Str(format!(
                            "{}: no clause accepts this many arguments",
                            base_name(name)
                        )),
                        span,
                    ),
                    local(args, span),
                ],
                span,
            );
            for &(v, k, rest) in arms.iter().rev() {
                let prim = if rest { Prim::Ge } else { Prim::Eq };
                let test = mk(
                    ExprKind::Prim(
                        prim,
                        vec![local(n, span), constant(Const::Int(k as i64), span)],
                    ),
                    span,
                );
                let app = mk(
                    ExprKind::Apply {
                        callee: Box::new(local(v, span)),
                        args: Box::new(local(args, span)),
                        tail: false,
                    },
                    span,
                );
                acc = if_(test, app, acc, span);
            }
            let len = global_call("length", vec![local(args, span)], span);
            mk(ExprKind::Block(vec![define(n, len, span), acc]), span)
        });
        out.push(mk(ExprKind::Closure(fid), span));
        mk(ExprKind::Block(out), span)
    }
}

enum Clause {
    Else(Expr),
    Body(Expr, Expr),
    Test(Expr),
    Arrow(Expr, Expr),
}

/// `(eqv? key 'd)` for one `case` datum: `Prim::Eq` for immediates (numbers are compared by
/// `eqv?` when they are floats), the `eqv?` builtin otherwise.
fn eqv_test(k: VarId, d: &Datum) -> Expr {
    let s = d.span;
    let c = const_of(d);
    match c {
        Const::Int(_) | Const::Char(_) | Const::Symbol(_) | Const::Bool(_) | Const::Null => mk(
            ExprKind::Prim(Prim::Eq, vec![local(k, s), constant(c, s)]),
            s,
        ),
        _ => global_call("eqv?", vec![local(k, s), constant(c, s)], s),
    }
}

/// A short rendering of a datum for error messages.
pub(crate) trait WriteShort {
    fn write_short(&self) -> String;
}

impl WriteShort for Datum {
    fn write_short(&self) -> String {
        let w = super::expand::strip(self).write();
        if w.chars().count() > 60 {
            let cut: String = w.chars().take(57).collect();
            format!("{cut}...")
        } else {
            w
        }
    }
}
