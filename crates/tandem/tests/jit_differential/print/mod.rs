//! Printing a [`Program`] as Ruff or Scheme source. The [`Printer`] resolves every name from
//! what is in scope and keeps an estimated cost within budget (clamping loop bounds and
//! recursion depths), so whatever tree it is given prints as a valid program that runs in
//! milliseconds. This file has the printer's state, scope, literals and the program's
//! layout; expressions and calls, statements, loops and functions are printed by the
//! submodules.

mod expr;
mod func;
mod loops;
mod stmt;

use crate::ast::{Expr, Loop, Program, Stmt, Ty, GLOBALS};

/// The dialect a program is printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ruff,
    Scheme,
}

impl Lang {
    pub fn name(self) -> &'static str {
        match self {
            Lang::Ruff => "ruff",
            Lang::Scheme => "scheme",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Lang::Ruff => "ruff",
            Lang::Scheme => "scm",
        }
    }
}

/// The estimated cost (roughly, expression nodes evaluated) a whole program may spend.
const MAIN_BUDGET: u64 = 600_000;
/// The estimated cost the driver loop may spend.
const DRIVER_BUDGET: u64 = 1_000_000;
/// The estimated cost one call from the driver loop may spend (recursion depths are cut to
/// fit).
const DRIVE_CALL: u64 = 150;
/// The estimated cost one call of a function may spend.
const FN_BUDGET: u64 = 100;
/// The estimated cost one level of a recursive function may spend.
const LEVEL_BUDGET: u64 = 40;
/// The most iterations nested loops at top level may run together.
const MAIN_ITERS: u64 = 5000;
/// The most iterations nested loops in a function may run together.
const FN_ITERS: u64 = 8;
/// Deepest self or mutual tail recursion.
const MAX_TAIL_DEPTH: u64 = 20_000;
/// Deepest non-tail linear recursion.
const MAX_REC_DEPTH: u64 = 400;
/// Deepest tree recursion (fib-like: about 1.6^n calls).
const MAX_TREE_DEPTH: u64 = 16;
/// Integers are reduced modulo this where the generator asks for it.
const WRAP: i64 = 1_000_003;

struct Var {
    name: String,
    ty: Ty,
    assignable: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Plain,
    /// First argument is a depth, reduced to at most `max`; `cost` is per level.
    Depth {
        max: u64,
        tree: bool,
    },
}

struct Callable {
    name: String,
    params: Vec<Ty>,
    ret: Ty,
    kind: CallKind,
    cost: u64,
    /// A global that may be rebound to another callable (defined before it, so that calls
    /// still only go to earlier definitions and cannot recurse).
    rebindable: bool,
}

struct LoopCx {
    id: u32,
    counter: Option<String>,
    bound: u64,
}

/// The function being printed, for `return`.
struct FnCx {
    ret: Ty,
    ret_expr: Expr,
}

/// Prints a [`Program`] as source, resolving names from scope and keeping the cost down.
struct Printer {
    lang: Lang,
    out: String,
    vars: Vec<Var>,
    callables: Vec<Callable>,
    loops: Vec<LoopCx>,
    func: Option<FnCx>,
    /// How many times the code being printed runs per call of its function (or per program).
    mult: u64,
    spent: u64,
    budget: u64,
    iter_limit: u64,
    /// Whether output here must be rationed (it may run thousands of times).
    hot: bool,
    next_id: u32,
    /// The driver loop's id and iterations, once printed.
    driver: Option<(u32, u64)>,
}

fn fib_calls(n: u64) -> u64 {
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 0..n {
        let c = a.saturating_add(b).saturating_add(1);
        a = b;
        b = c;
    }
    b
}

fn is_scheme(lang: Lang) -> bool {
    lang == Lang::Scheme
}

impl Printer {
    fn new(lang: Lang) -> Self {
        Printer {
            lang,
            out: String::new(),
            vars: Vec::new(),
            callables: Vec::new(),
            loops: Vec::new(),
            func: None,
            mult: 1,
            spent: 0,
            budget: MAIN_BUDGET,
            iter_limit: MAIN_ITERS,
            hot: false,
            next_id: 0,
            driver: None,
        }
    }

    fn scheme(&self) -> bool {
        is_scheme(self.lang)
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn line(&mut self, ind: usize, text: &str) {
        for _ in 0..ind {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Print `f` into a fresh buffer and return what it printed.
    fn capture(&mut self, f: impl FnOnce(&mut Self)) -> String {
        let saved = std::mem::take(&mut self.out);
        f(self);
        std::mem::replace(&mut self.out, saved)
    }

    fn charge(&mut self, n: u64) {
        self.spent = self.spent.saturating_add(self.mult.saturating_mul(n));
    }

    fn push_var(&mut self, name: &str, ty: Ty, assignable: bool) {
        self.vars.push(Var {
            name: name.to_string(),
            ty,
            assignable,
        });
    }

    fn find_var(&self, ty: Ty, n: u8, assign: bool) -> Option<String> {
        let c: Vec<&Var> = self
            .vars
            .iter()
            .rev()
            .filter(|v| v.ty == ty && (v.assignable || !assign))
            .collect();
        if c.is_empty() {
            None
        } else {
            Some(c[n as usize % c.len()].name.clone())
        }
    }

    // ----- literals -----

    fn int(&self, n: i64) -> String {
        if self.scheme() {
            n.to_string()
        } else if n == i64::MIN {
            "(-9223372036854775807 - 1)".to_string()
        } else if n < 0 {
            format!("({n})")
        } else {
            n.to_string()
        }
    }

    fn float(&self, x: f64) -> String {
        if x.is_nan() {
            if self.scheme() {
                "(/ 0.0 0.0)".into()
            } else {
                "(1e308 * 10.0 - 1e308 * 10.0)".into()
            }
        } else if x.is_infinite() {
            match (self.scheme(), x > 0.0) {
                (true, true) => "+inf.0".into(),
                (true, false) => "-inf.0".into(),
                (false, true) => "(1e308 * 10.0)".into(),
                (false, false) => "(-1e308 * 10.0)".into(),
            }
        } else {
            // `{:?}` always shows a `.` or an exponent, and round-trips.
            let s = format!("{x:?}");
            if !self.scheme() && s.starts_with('-') {
                format!("({s})")
            } else {
                s
            }
        }
    }

    fn default_of(&self, ty: Ty) -> String {
        match (ty, self.scheme()) {
            (Ty::Int, _) | (Ty::Dyn, _) => "1".into(),
            (Ty::Float, _) => "0.5".into(),
            (Ty::Bool, true) => "#t".into(),
            (Ty::Bool, false) => "true".into(),
            (Ty::Str, _) => "\"d\"".into(),
            (Ty::Arr, true) => "(vector 1 2)".into(),
            (Ty::Arr, false) => "[1, 2]".into(),
        }
    }

    fn bin(&self, op: &str, a: &str, b: &str) -> String {
        if self.scheme() {
            format!("({op} {a} {b})")
        } else {
            format!("({a} {op} {b})")
        }
    }

    fn call_str(&self, f: &str, args: &[String]) -> String {
        if self.scheme() {
            if args.is_empty() {
                format!("({f})")
            } else {
                format!("({f} {})", args.join(" "))
            }
        } else {
            format!("{f}({})", args.join(", "))
        }
    }

    /// `x` reduced modulo `m` (truncating, so the sign of `x` stays).
    fn rem(&self, x: &str, m: i64) -> String {
        if self.scheme() {
            format!("(remainder {x} {m})")
        } else {
            format!("({x} % {m})")
        }
    }

    fn len_of(&self, x: &str, string: bool) -> String {
        match (self.scheme(), string) {
            (true, true) => format!("(string-length {x})"),
            (true, false) => format!("(vector-length {x})"),
            (false, _) => format!("len({x})"),
        }
    }

    /// An index into `coll` made safe: modulo its length.
    fn safe_index(&self, idx: &str, coll: &str, string: bool) -> String {
        let len = self.len_of(coll, string);
        if self.scheme() {
            format!("(modulo {idx} {len})")
        } else {
            format!("({idx} % {len})")
        }
    }

    /// The whole program: the prelude of helpers, the globals, the functions, the driver
    /// loop, the main statements, the captured closures' calls and the final line of every
    /// global's value.
    fn program(mut self, p: &Program) -> Printed {
        let s = self.scheme();
        if s {
            self.out.push_str(
                "(import (scheme base) (scheme write))\n\
                 (define (pr . xs)\n  (let lp ((xs xs) (first #t))\n    (if (pair? xs)\n        \
                 (begin (if (not first) (display \" \")) (display (car xs)) (lp (cdr xs) #f))\n        \
                 (newline))))\n\
                 (define (err-msg e)\n  (if (error-object? e) (cons (error-object-message e) (error-object-irritants e)) e))\n",
            );
        }
        for name in ["chk", "errs", "pc"] {
            let text = if s {
                format!("(define {name} 0)")
            } else {
                format!("{name} := 0")
            };
            self.line(0, &text);
        }
        self.line(0, if s { "(define gk '())" } else { "gk := []" });
        if !s {
            self.out.push_str(
                "func imin(a, b) {\n  if a < b {\n    return a\n  }\n  return b\n}\n\
                 func imax(a, b) {\n  if a > b {\n    return a\n  }\n  return b\n}\n\
                 func iabs(a) {\n  if a < 0 {\n    return -a\n  }\n  return a\n}\n",
            );
        }
        for (&(ty, name), init) in GLOBALS.iter().zip(&p.globals) {
            let v = self.expr(init);
            let text = if s {
                format!("(define {name} {v})")
            } else {
                format!("{name} := {v}")
            };
            self.line(0, &text);
            self.push_var(name, ty, true);
        }
        for (k, f) in p.funcs.iter().enumerate() {
            self.print_func(k, f);
        }
        self.spent = 0;
        if let Some(d) = &p.driver {
            // The driver has a budget of its own: enough for all the calls at its bound,
            // with some to spare for calls in the arguments.
            let per_iter: u64 = (0..self.callables.len())
                .map(|i| self.call_cost(i, self.drive_depth(i)) + 4)
                .sum();
            let bound = (DRIVER_BUDGET / per_iter.max(1)).min(u64::from(d.bound));
            self.budget = per_iter * bound * 5 / 4;
            let body: Vec<Stmt> = (0..self.callables.len())
                .map(|i| Stmt::Drive(i, d.args.clone()))
                .collect();
            let body = match &d.handler {
                Some(h) => vec![Stmt::Try(body, h.clone())],
                None => body,
            };
            if !body.is_empty() {
                let l = Loop {
                    // Not over an array (form 4): that runs 64 times at most, short of the
                    // call threshold.
                    kind: if d.kind % 6 == 4 { d.kind + 1 } else { d.kind },
                    bound: u16::try_from(bound).unwrap_or(u16::MAX),
                    body,
                    probes: vec![Expr::Var(Ty::Dyn, 0)],
                    acc: None,
                };
                let id = self.next_id + 1;
                let iterations = self.print_loop(&l, 0);
                self.driver = Some((id, iterations));
            }
        }
        let driver_cost = self.spent;
        self.spent = 0;
        self.budget = MAIN_BUDGET;
        self.block(&p.main, 0);
        let cost = self.spent + driver_cost;
        // Call the closures kept by `Capture`, oldest first.
        if s {
            self.out.push_str(
                "(for-each\n  (lambda (kf)\n    (guard (ek (#t (set! errs (+ errs 1))))\n      \
                 (set! chk (remainder (+ (* chk 31) (remainder (kf) 1000003)) 1000000007))))\n  (reverse gk))\n",
            );
        } else {
            self.out.push_str(
                "for kf in gk {\n  try {\n    chk := (chk * 31 + kf() % 1000003) % 1000000007\n  \
                 } except ek {\n    errs += 1\n  }\n}\n",
            );
        }
        let mut args = vec!["\"end\"".to_string(), "chk".into(), "errs".into()];
        args.extend(GLOBALS.iter().map(|&(_, n)| n.to_string()));
        let call = self.call_str(if s { "pr" } else { "print" }, &args);
        self.line(0, &call);
        let comment = if s { ";" } else { "//" };
        self.line(0, &format!("{comment} estimated cost {cost}"));
        Printed {
            src: self.out,
            driver: self.driver,
        }
    }
}

/// Whether `stmts` break or continue the loop they are in (not loops nested in them).
fn jumps(stmts: &[Stmt]) -> (bool, bool) {
    let mut r = (false, false);
    for s in stmts {
        let (b, c) = match s {
            Stmt::Break => (true, false),
            Stmt::Continue => (false, true),
            Stmt::If(_, t, f) => {
                let (a, b) = (jumps(t), jumps(f));
                (a.0 || b.0, a.1 || b.1)
            }
            Stmt::Try(body, _) | Stmt::AtIter(_, body) => jumps(body),
            _ => (false, false),
        };
        r = (r.0 || b, r.1 || c);
    }
    r
}

/// Whether `stmts` contain a `return` anywhere.
fn returns(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Return(_) => true,
        Stmt::If(_, t, f) => returns(t) || returns(f),
        Stmt::Try(body, _) | Stmt::AtIter(_, body) => returns(body),
        Stmt::Loop(l) => returns(&l.body),
        _ => false,
    })
}

/// A program printed as source.
pub struct Printed {
    pub src: String,
    /// The driver loop, if the program has one: its probes' label (`p` and this number),
    /// and the most iterations it runs, each calling every function once.
    pub driver: Option<(u32, u64)>,
}

/// `p` printed in dialect `lang`.
pub fn print(p: &Program, lang: Lang) -> Printed {
    Printer::new(lang).program(p)
}

/// `p` as source in dialect `lang`.
pub fn source(p: &Program, lang: Lang) -> String {
    print(p, lang).src
}
