//! Printing functions, each with a budget and scope of its own: plain functions with
//! inner closures, linear and tree recursion, self and mutual tail calls, and closure
//! factories. Each becomes a callable for the code printed after it.

use super::{
    returns, CallKind, Callable, FnCx, Printer, FN_BUDGET, FN_ITERS, LEVEL_BUDGET, MAX_REC_DEPTH,
    MAX_TAIL_DEPTH, MAX_TREE_DEPTH, WRAP,
};
use crate::ast::{Func, Ty, K};
use std::fmt::Write as _;

impl Printer {
    /// Print functions' bodies with their own budget and scope; restore afterwards.
    pub(super) fn in_function<R>(
        &mut self,
        budget: u64,
        func: Option<FnCx>,
        f: impl FnOnce(&mut Self) -> R,
    ) -> (R, u64) {
        let saved = (
            self.mult,
            self.spent,
            self.budget,
            self.iter_limit,
            self.hot,
            self.vars.len(),
        );
        let saved_func = std::mem::replace(&mut self.func, func);
        self.mult = 1;
        self.spent = 0;
        self.budget = budget;
        self.iter_limit = FN_ITERS;
        self.hot = true;
        let r = f(self);
        let cost = self.spent.max(1);
        self.func = saved_func;
        (
            self.mult,
            self.spent,
            self.budget,
            self.iter_limit,
            self.hot,
        ) = (saved.0, saved.1, saved.2, saved.3, saved.4);
        self.vars.truncate(saved.5);
        (r, cost)
    }

    pub(super) fn print_func(&mut self, k: usize, f: &Func) {
        let s = self.scheme();
        match f {
            Func::Plain {
                params,
                ret,
                locals,
                closures,
                body,
                ret_expr,
            } => {
                let name = format!("f{k}");
                let pnames: Vec<String> = (0..params.len()).map(|i| format!("p{i}")).collect();
                let has_return = returns(body);
                let fcx = FnCx {
                    ret: *ret,
                    ret_expr: ret_expr.clone(),
                };
                let nclosures = self.callables.len();
                let (text, cost) = self.in_function(FN_BUDGET, Some(fcx), |p| {
                    p.capture(|p| {
                        for (pn, &t) in pnames.iter().zip(params) {
                            p.push_var(pn, t, true);
                        }
                        if s {
                            p.line(
                                0,
                                &format!(
                                    "(define ({name}{})",
                                    pnames.iter().map(|x| format!(" {x}")).collect::<String>()
                                ),
                            );
                        } else {
                            p.line(0, &format!("func {name}({}) {{", pnames.join(", ")));
                        }
                        let mut ind = 1;
                        if s && has_return {
                            p.line(ind, "(call/cc (lambda (rt)");
                            ind += 1;
                        }
                        let mut binds = Vec::new();
                        for (li, (t, init)) in locals.iter().enumerate() {
                            let v = p.expr(init);
                            let lname = format!("l{li}");
                            if s {
                                binds.push(format!("({lname} {v})"));
                            } else {
                                p.line(ind, &format!("{lname} := {v}"));
                            }
                            p.push_var(&lname, *t, true);
                        }
                        for (ci, upd) in closures.iter().enumerate() {
                            let cname = format!("k{ci}");
                            let nv = p.vars.len();
                            p.push_var("v", Ty::Int, false);
                            let saved_callables = std::mem::take(&mut p.callables);
                            let spent = p.spent;
                            let u = p.expr(upd);
                            let u = p.rem(&u, WRAP);
                            let ccost = p.spent - spent + 2;
                            p.callables = saved_callables;
                            p.vars.truncate(nv);
                            if s {
                                binds.push(format!("({cname} (lambda (v) (set! l0 {u}) l0))"));
                            } else {
                                p.line(ind, &format!("{cname} := func(v) {{"));
                                p.line(ind + 1, &format!("l0 := {u}"));
                                p.line(ind + 1, "return l0");
                                p.line(ind, "}");
                            }
                            p.callables.push(Callable {
                                name: cname,
                                params: vec![Ty::Int],
                                ret: Ty::Int,
                                kind: CallKind::Plain,
                                cost: ccost,
                                rebindable: false,
                            });
                        }
                        if s {
                            p.line(ind, &format!("(let* ({})", binds.join(" ")));
                            ind += 1;
                        }
                        p.block(body, ind);
                        let r = p.expr(ret_expr);
                        if s {
                            let closing = if has_return { "))))" } else { "))" };
                            p.line(ind, &format!("{r}{closing}"));
                        } else {
                            p.line(ind, &format!("return {r}"));
                            p.line(0, "}");
                        }
                    })
                });
                self.callables.truncate(nclosures);
                self.out.push_str(&text);
                self.callables.push(Callable {
                    name,
                    params: params.clone(),
                    ret: *ret,
                    kind: CallKind::Plain,
                    cost: cost + 2,
                    rebindable: true,
                });
            }
            Func::Rec {
                base,
                step,
                other,
                op,
                tree,
            } => {
                let name = format!("r{k}");
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    let saved_callables = std::mem::take(&mut p.callables);
                    p.push_var("n", Ty::Int, false);
                    p.push_var("x", Ty::Int, true);
                    let base = p.expr(base);
                    let step = p.expr(step);
                    let other = p.expr(other);
                    p.callables = saved_callables;
                    let n1 = p.bin("-", "n", "1");
                    let first = p.call_str(&name, &[n1, step]);
                    let second = if *tree {
                        let n2 = p.bin("-", "n", "2");
                        p.call_str(&name, &[n2, "x".to_string()])
                    } else {
                        other
                    };
                    let comb = p.binop(*op, K::Int, &first, &second);
                    if s {
                        format!("(define ({name} n x)\n  (if (<= n 0)\n    {base}\n    {comb}))\n")
                    } else {
                        format!("func {name}(n, x) {{\n  if n <= 0 {{\n    return {base}\n  }}\n  return {comb}\n}}\n")
                    }
                });
                self.out.push_str(&text);
                let max = if *tree { MAX_TREE_DEPTH } else { MAX_REC_DEPTH };
                self.callables.push(Callable {
                    name,
                    params: vec![Ty::Int, Ty::Int],
                    ret: Ty::Int,
                    kind: CallKind::Depth { max, tree: *tree },
                    cost: cost + 3,
                    rebindable: false,
                });
            }
            Func::Tail { body, upd } => {
                let name = format!("t{k}");
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    p.push_var("n", Ty::Int, false);
                    p.push_var("acc", Ty::Int, false);
                    p.capture(|p| {
                        let u = p.expr(upd);
                        let u = p.rem(&u, WRAP);
                        let n1 = p.bin("-", "n", "1");
                        let tail = p.call_str(&name, &[n1, u]);
                        if s {
                            p.line(0, &format!("(define ({name} n acc)"));
                            p.line(1, "(if (<= n 0)");
                            p.line(2, "acc");
                            p.line(2, "(begin");
                            p.block(body, 3);
                            p.line(3, &format!("{tail})))"));
                        } else {
                            p.line(0, &format!("func {name}(n, acc) {{"));
                            p.line(1, "if n <= 0 {");
                            p.line(2, "return acc");
                            p.line(1, "}");
                            p.block(body, 1);
                            p.line(1, &format!("return {tail}"));
                            p.line(0, "}");
                        }
                    })
                });
                self.out.push_str(&text);
                self.callables.push(Callable {
                    name,
                    params: vec![Ty::Int, Ty::Int],
                    ret: Ty::Int,
                    kind: CallKind::Depth {
                        max: MAX_TAIL_DEPTH,
                        tree: false,
                    },
                    cost: cost + 3,
                    rebindable: false,
                });
            }
            Func::Mutual { upd_a, upd_b } => {
                let (a, b) = (format!("ma{k}"), format!("mb{k}"));
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    let saved_callables = std::mem::take(&mut p.callables);
                    p.push_var("n", Ty::Int, false);
                    p.push_var("acc", Ty::Int, false);
                    let mut text = String::new();
                    for (me, other, upd, base) in [(&a, &b, upd_a, "acc"), (&b, &a, upd_b, "(acc + 1)")] {
                        let u = p.expr(upd);
                        let u = p.rem(&u, WRAP);
                        let n1 = p.bin("-", "n", "1");
                        let tail = p.call_str(other, &[n1, u]);
                        if s {
                            let base = if base == "acc" { "acc" } else { "(+ acc 1)" };
                            let _ = writeln!(text, "(define ({me} n acc)\n  (if (<= n 0)\n    {base}\n    {tail}))");
                        } else {
                            let _ = writeln!(
                                text,
                                "func {me}(n, acc) {{\n  if n <= 0 {{\n    return {base}\n  }}\n  return {tail}\n}}"
                            );
                        }
                    }
                    p.callables = saved_callables;
                    text
                });
                self.out.push_str(&text);
                self.callables.push(Callable {
                    name: a,
                    params: vec![Ty::Int, Ty::Int],
                    ret: Ty::Int,
                    kind: CallKind::Depth {
                        max: MAX_TAIL_DEPTH,
                        tree: false,
                    },
                    cost: cost / 2 + 3,
                    rebindable: false,
                });
            }
            Func::Factory { upd, inits } => {
                let name = format!("mk{k}");
                let c = format!("c{k}");
                let (text, cost) = self.in_function(LEVEL_BUDGET, None, |p| {
                    let saved_callables = std::mem::take(&mut p.callables);
                    p.push_var("start", Ty::Int, false);
                    p.push_var(&c, Ty::Int, true);
                    p.push_var("v", Ty::Int, false);
                    let u = p.expr(upd);
                    let u = p.rem(&u, WRAP);
                    p.callables = saved_callables;
                    if s {
                        format!("(define ({name} start)\n  (let (({c} start))\n    (lambda (v) (set! {c} {u}) {c})))\n")
                    } else {
                        format!(
                            "func {name}(start) {{\n  {c} := start\n  return func(v) {{\n    {c} := {u}\n    return {c}\n  }}\n}}\n"
                        )
                    }
                });
                self.out.push_str(&text);
                for (j, init) in [inits.0, inits.1].into_iter().enumerate() {
                    let inst = format!("cl{k}_{j}");
                    let init = self.int(init);
                    let text = if s {
                        format!("(define {inst} ({name} {init}))")
                    } else {
                        format!("{inst} := {name}({init})")
                    };
                    self.line(0, &text);
                    self.callables.push(Callable {
                        name: inst,
                        params: vec![Ty::Int],
                        ret: Ty::Int,
                        kind: CallKind::Plain,
                        cost: cost + 2,
                        rebindable: true,
                    });
                }
            }
        }
    }
}
