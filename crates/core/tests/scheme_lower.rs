//! Scheme expander and lowering: the IR shape of special forms, hygiene, tail calls, errors.

use tandem_core::ir::*;
use tandem_core::scheme::lower_scheme_program;
use tandem_syntax::scheme::{read, ReadMode};
use tandem_syntax::{FileId, Span};

fn try_lower(src: &str, jue: bool) -> Result<Module, Vec<String>> {
    let mode = if jue { ReadMode::Jue } else { ReadMode::Scheme };
    let datums = read(src, FileId(0), mode).expect("reads");
    lower_scheme_program(&datums, Span::default(), jue, &[], &[])
        .map_err(|ds| ds.into_iter().map(|d| d.message).collect())
}

fn lower(src: &str) -> Module {
    try_lower(src, false).unwrap_or_else(|e| panic!("lowering failed: {e:?}"))
}

fn errors(src: &str) -> Vec<String> {
    match try_lower(src, false) {
        Ok(_) => panic!("expected an error for {src}"),
        Err(e) => e,
    }
}

fn assert_error(src: &str, needle: &str) {
    let errs = errors(src);
    assert!(
        errs.iter().any(|e| e.contains(needle)),
        "expected an error containing {needle:?} for {src}, got {errs:?}"
    );
}

/// Visit every sub-expression of `e` (pre-order).
fn walk<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Define(_, x)
        | ExprKind::SetLocal(_, x)
        | ExprKind::SetGlobal(_, x)
        | ExprKind::DefineGlobal(_, _, x)
        | ExprKind::Return(x)
        | ExprKind::Throw(x)
        | ExprKind::Loop { body: x, .. }
        | ExprKind::Field(x, _) => walk(x, f),
        ExprKind::SetField(a, _, b) => {
            walk(a, f);
            walk(b, f);
        }
        ExprKind::Block(xs) | ExprKind::Seq(xs) | ExprKind::Prim(_, xs) => {
            xs.iter().for_each(|x| walk(x, f))
        }
        ExprKind::If {
            cond, then, else_, ..
        } => {
            walk(cond, f);
            walk(then, f);
            walk(else_, f);
        }
        ExprKind::Call { callee, args, .. } => {
            walk(callee, f);
            args.iter().for_each(|x| walk(x, f));
        }
        ExprKind::Apply { callee, args, .. } => {
            walk(callee, f);
            walk(args, f);
        }
        ExprKind::Try { body, handler, .. } => {
            walk(body, f);
            walk(handler, f);
        }
        ExprKind::StructLit { ty, fields } => {
            walk(ty, f);
            fields.iter().for_each(|(_, x)| walk(x, f));
        }
        ExprKind::While { cond, body, .. } => {
            walk(cond, f);
            walk(body, f);
        }
        _ => {}
    }
}

fn func<'m>(m: &'m Module, name: &str) -> &'m Func {
    m.funcs
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

/// (callee description, tail flag) of every call in a function's body.
fn calls(m: &Module, fname: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    walk(&func(m, fname).body, &mut |e| match &e.kind {
        ExprKind::Call { callee, tail, .. } => out.push((describe(m, callee), *tail)),
        ExprKind::Apply { callee, tail, .. } => {
            out.push((format!("apply {}", describe(m, callee)), *tail))
        }
        _ => {}
    });
    out
}

fn describe(m: &Module, e: &Expr) -> String {
    match &e.kind {
        ExprKind::Global(g) => g.clone(),
        ExprKind::Local(v) => format!("local {}", m.var(*v).name),
        _ => "?".into(),
    }
}

fn main_items(m: &Module) -> &[Expr] {
    match &m.func(m.entry).body.kind {
        ExprKind::Block(xs) => xs,
        _ => panic!("main is a block"),
    }
}

#[test]
fn module_metadata() {
    let m = lower("(import (scheme base))\n(define x 1)\n(define (f) x)\n(display (f))");
    assert_eq!(m.builtin_ns, "scheme");
    assert_eq!(m.globals, vec!["x".to_string(), "f".to_string()]);
    let items = main_items(&m);
    assert!(
        matches!(&items[0].kind, ExprKind::DefineGlobal(n, GlobalKind::Mutable, _) if n == "x")
    );
    assert!(matches!(&items[1].kind, ExprKind::DefineGlobal(n, _, v)
        if n == "f" && matches!(v.kind, ExprKind::Closure(_))));
    // The lambda is named after the variable.
    func(&m, "f");
    assert_eq!(
        calls(&m, "<main>"),
        vec![("display".into(), false), ("f".into(), false)]
    );
}

#[test]
fn self_tail_call_is_marked() {
    let m = lower("(define (loop n) (if (= n 0) 0 (loop (- n 1))))");
    let cs = calls(&m, "loop");
    let tails: Vec<_> = cs.iter().filter(|c| c.1).collect();
    assert_eq!(tails.len(), 1, "{cs:?}");
    assert_eq!(tails[0].0, "loop");
}

#[test]
fn non_tail_recursive_call() {
    // `*` of two arguments is inlined as the multiply operation, so the recursive call is
    // an argument of it, not a tail call; with a user-defined `times` it is a tail call.
    let m = lower("(define (f n) (if (zero? n) 1 (* n (f (- n 1)))))");
    let cs = calls(&m, "f");
    assert!(cs.contains(&("f".into(), false)), "{cs:?}");
    assert!(!cs.iter().any(|c| c.1), "no tail calls: {cs:?}");
    let m = lower("(define (g n) (if (zero? n) 1 (times n (g (- n 1)))))");
    let cs = calls(&m, "g");
    assert!(cs.contains(&("g".into(), false)), "{cs:?}");
    assert!(cs.contains(&("times".into(), true)), "{cs:?}");
}

#[test]
fn tail_positions_through_derived_forms() {
    let m = lower(
        "(define (g x)
           (cond ((= x 0) (a x))
                 ((= x 1) => b)
                 (else (and (c x) (or (d x) (e x))))))
         (define (h x) (let* ((y 1) (z 2)) (when x (begin (k y z)))))
         (define (w x) (case x ((1 2) (p x)) (else (q x))))",
    );
    let tail_of = |f: &str| -> Vec<String> {
        calls(&m, f)
            .into_iter()
            .filter(|c| c.1)
            .map(|c| c.0)
            .collect()
    };
    let g = tail_of("g");
    for callee in ["a", "b", "e"] {
        assert!(g.contains(&callee.to_string()), "{callee} in {g:?}");
    }
    // `d` is not in tail position (its value is tested), `c` neither.
    assert!(!g.contains(&"d".to_string()) && !g.contains(&"c".to_string()));
    assert_eq!(tail_of("h"), vec!["k".to_string()]);
    assert_eq!(tail_of("w"), vec!["p".to_string(), "q".to_string()]);
}

#[test]
fn named_let_and_do_loops_become_loops() {
    // A named let / do whose name is only called in tail position from its own body runs
    // as a loop in the enclosing function (loopify): no calls of `loop` remain.
    let m = lower(
        "(define (sum n) (let loop ((i 0) (acc 0)) (if (> i n) acc (loop (+ i 1) (+ acc i)))))
         (define (cnt n) (do ((i 0 (+ i 1)) (s 0 (+ s i))) ((= i n) s) (display i)))",
    );
    for f in ["sum", "cnt"] {
        let body = &m.funcs.iter().find(|x| x.name == f).expect("function").body;
        assert!(format!("{body:?}").contains("Loop {"), "{f}: {body:?}");
    }
    assert!(
        !calls(&m, "sum").iter().any(|c| c.0.contains("loop")),
        "{:?}",
        calls(&m, "sum")
    );
    assert!(calls(&m, "cnt").contains(&("display".into(), false)));
}

#[test]
fn named_let_used_as_a_value_stays_a_closure() {
    // `loop` escapes (passed to map): it must stay a real procedure, called by tail call.
    let m = lower("(define (f xs) (let loop ((x 1)) (if (> x 3) (map loop xs) (loop (+ x 1)))))");
    let l = calls(&m, "loop");
    assert!(l.contains(&("local loop".into(), true)), "{l:?}");
}

#[test]
fn apply_is_lowered_to_apply_in_tail_position() {
    let m = lower("(define (f g . xs) (apply g 1 2 xs))");
    let f = func(&m, "f");
    assert!(f.rest.is_some() && f.rest_list);
    let cs = calls(&m, "f");
    assert!(cs.contains(&("apply local g".into(), true)), "{cs:?}");
    // `cons` is the builtin: a primitive operation.
    let conses = prims_in(&m, Some("f"));
    assert_eq!(conses.iter().filter(|&&p| p == Prim::Cons).count(), 2);
    // Even a top-level (re)definition of apply uses the VM's list call (the prelude defines
    // `apply` the procedure that way); a local binding of `apply` is an ordinary call.
    let m = lower("(define (apply f . xs) (apply f (apply list* xs)))");
    assert_eq!(
        calls(&m, "apply")
            .iter()
            .filter(|c| c.0.starts_with("apply"))
            .count(),
        2
    );
    let m = lower("(define (h apply) (apply car '(1)))");
    assert!(calls(&m, "h").contains(&("local apply".into(), true)));
}

#[test]
fn lambda_formals() {
    let m = lower("(define a (lambda args args)) (define (b x . r) r) (define (c x y) y)");
    let a = func(&m, "a");
    assert!(a.params.is_empty() && a.rest.is_some() && a.rest_list);
    let b = func(&m, "b");
    assert_eq!(b.params.len(), 1);
    assert!(b.rest.is_some());
    let c = func(&m, "c");
    assert_eq!(c.params.len(), 2);
    assert!(c.rest.is_none());
}

#[test]
fn curried_define() {
    let m = lower("(define ((adder n) x) (+ n x))");
    let f = func(&m, "adder");
    assert_eq!(f.params.len(), 1);
    assert!(matches!(
        &f.body.kind,
        ExprKind::Block(xs) if matches!(xs[0].kind, ExprKind::Closure(_))
    ));
}

#[test]
fn quote_constants() {
    let m = lower("(define x '(a 1 #\\c \"s\" #(1 2) (b . c) () #t))");
    let ExprKind::DefineGlobal(_, _, v) = &main_items(&m)[0].kind else {
        panic!()
    };
    let ExprKind::Const(Const::List(items, tail)) = &v.kind else {
        panic!("{:?}", v.kind)
    };
    assert_eq!(**tail, Const::Null);
    assert_eq!(items[0], Const::Symbol("a".into()));
    assert_eq!(items[1], Const::Int(1));
    assert_eq!(items[2], Const::Char('c'));
    assert_eq!(items[3], Const::Str("s".into()));
    assert_eq!(items[4], Const::Vector(vec![Const::Int(1), Const::Int(2)]));
    assert_eq!(
        items[5],
        Const::List(
            vec![Const::Symbol("b".into())],
            Box::new(Const::Symbol("c".into()))
        )
    );
    assert_eq!(items[6], Const::Null);
    assert_eq!(items[7], Const::Bool(true));
}

/// The primitive operations in the bodies of `m`'s functions (`fname`'s only, when given).
fn prims_in(m: &Module, fname: Option<&str>) -> Vec<Prim> {
    let mut out = Vec::new();
    for f in m.funcs.iter().filter(|f| fname.is_none_or(|n| f.name == n)) {
        walk(&f.body, &mut |e| {
            if let ExprKind::Prim(p, _) = &e.kind {
                out.push(*p);
            }
        });
    }
    out
}

fn globals_called(m: &Module) -> Vec<String> {
    let mut out = Vec::new();
    for f in &m.funcs {
        walk(&f.body, &mut |e| {
            if let ExprKind::Call { callee, .. } = &e.kind {
                if let ExprKind::Global(g) = &callee.kind {
                    out.push(g.clone());
                }
            }
        });
    }
    out
}

#[test]
fn quasiquote() {
    // Fully constant: folded.
    let m = lower("(define x `(a (b ,'c) . d))");
    let ExprKind::DefineGlobal(_, _, v) = &main_items(&m)[0].kind else {
        panic!()
    };
    // (b ,'c) has an unquote: code, not a constant; but the constant head stays constant.
    assert!(prims_in(&m, None).contains(&Prim::Cons), "{v:?}");
    let m = lower("(define (f x y) `(1 ,x ,@y #(,x) `(nested ,(not-evaluated ,x)) . ,y))");
    let g = globals_called(&m);
    for needed in ["append", "list->vector"] {
        assert!(g.contains(&needed.to_string()), "{needed} in {g:?}");
    }
    assert!(prims_in(&m, None).contains(&Prim::Cons));
    assert!(!g.contains(&"not-evaluated".to_string()));
    let m = lower("(define x `(1 2 3))");
    let ExprKind::DefineGlobal(_, _, v) = &main_items(&m)[0].kind else {
        panic!()
    };
    assert!(matches!(v.kind, ExprKind::Const(Const::List(..))));
}

#[test]
fn long_quasiquoted_lists_fold_in_linear_time() {
    // 200,000 constant items after an unquote: one constant list and one `cons` (folding
    // them one `cons` at a time used to be quadratic: minutes).
    let n = 200_000;
    let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let src = format!("(define (f x) `(,x {} . end))", items.join(" "));
    let start = std::time::Instant::now();
    let m = lower(&src);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    let body = &func(&m, "f").body;
    let mut lists = Vec::new();
    walk(body, &mut |e| {
        if let ExprKind::Const(Const::List(xs, tail)) = &e.kind {
            lists.push((
                xs.len(),
                xs.first().cloned(),
                xs.last().cloned(),
                tail.clone(),
            ));
        }
    });
    assert_eq!(
        lists,
        vec![(
            n,
            Some(Const::Int(0)),
            Some(Const::Int(n as i64 - 1)),
            Box::new(Const::Symbol("end".into()))
        )]
    );
    assert!(globals_called(&m).is_empty());
    assert_eq!(prims_in(&m, None), vec![Prim::Cons]);
    // Constants around code keep their order: `(1 2 ,x 3 4)`.
    let m = lower("(define (g x) `(1 2 ,x 3 4))");
    let mut consts = Vec::new();
    walk(&func(&m, "g").body, &mut |e| {
        if let ExprKind::Const(c) = &e.kind {
            consts.push(c.clone());
        }
    });
    let list = |xs: Vec<i64>| {
        Const::List(
            xs.into_iter().map(Const::Int).collect(),
            Box::new(Const::Null),
        )
    };
    assert!(consts.contains(&list(vec![3, 4])), "{consts:?}");
    assert!(
        consts.contains(&Const::Int(1)) && consts.contains(&Const::Int(2)),
        "{consts:?}"
    );
}

/// The VarIds a `Local` reads inside function `fname`, by variable name.
fn locals_read(m: &Module, fname: &str) -> Vec<VarId> {
    let mut out = Vec::new();
    walk(&func(m, fname).body, &mut |e| {
        if let ExprKind::Local(v) = e.kind {
            out.push(v);
        }
    });
    out
}

#[test]
fn hygiene_template_binder_does_not_capture_user_variable() {
    let m = lower(
        "(define-syntax my-or (syntax-rules () ((_ a b) (let ((t a)) (if t t b)))))
         (define (f) (let ((t 5)) (my-or #f t)))",
    );
    let ts: Vec<VarId> = (0..m.vars.len() as VarId)
        .filter(|&v| m.var(v).name == "t")
        .collect();
    assert_eq!(ts.len(), 2, "the user's t and the macro's t");
    let user_t = ts[0];
    let macro_t = ts[1];
    // Find the `if`: its else branch must read the user's t.
    let mut found = false;
    walk(&func(&m, "f").body, &mut |e| {
        if let ExprKind::If {
            cond, then, else_, ..
        } = &e.kind
        {
            if let (ExprKind::Local(c), ExprKind::Local(t), ExprKind::Local(el)) =
                (&cond.kind, &then.kind, &else_.kind)
            {
                assert_eq!(*c, macro_t);
                assert_eq!(*t, macro_t);
                assert_eq!(*el, user_t);
                found = true;
            }
        }
    });
    assert!(found);
}

#[test]
fn hygiene_swap_and_free_identifiers() {
    let m = lower(
        "(define-syntax swap! (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
         (define (f) (let ((tmp 1) (other 2)) (swap! tmp other) (list tmp other)))",
    );
    let sets: Vec<(VarId, VarId)> = {
        let mut out = Vec::new();
        walk(&func(&m, "f").body, &mut |e| {
            if let ExprKind::SetLocal(t, v) = &e.kind {
                if let ExprKind::Local(src) = v.kind {
                    out.push((*t, src));
                }
            }
        });
        out
    };
    assert_eq!(sets.len(), 2);
    let name = |v: VarId| m.var(v).name.clone();
    // (set! tmp other): user's tmp gets other; (set! other tmp*): other gets the macro's tmp.
    assert_eq!(name(sets[0].0), "tmp");
    assert_eq!(name(sets[0].1), "other");
    assert_eq!(name(sets[1].0), "other");
    assert_eq!(name(sets[1].1), "tmp");
    assert_ne!(sets[0].0, sets[1].1, "two different tmp variables");
}

#[test]
fn hygiene_template_keywords_resist_user_rebinding() {
    // The user rebinds `if` locally; the macro's `if` is still the special form.
    let m = lower(
        "(define-syntax my-if (syntax-rules () ((_ c a b) (if c a b))))
         (define (f) (let ((if list)) (my-if #t 1 2)))",
    );
    let mut ifs = 0;
    walk(&func(&m, "f").body, &mut |e| {
        if matches!(
            e.kind,
            ExprKind::If {
                truth: Truth::Scheme,
                ..
            }
        ) {
            ifs += 1;
        }
    });
    assert_eq!(ifs, 1);
    // A user's local `if` is a variable, not the special form.
    let m = lower("(define (g) (let ((if (lambda (a b c) b))) (if 1 2 3)))");
    assert!(calls(&m, "g").contains(&("local if".into(), true)));
    // The template's free `list` means the global even where the user binds `list`.
    let m = lower(
        "(define-syntax mk (syntax-rules () ((_ x) (list x))))
         (define (h) (let ((list 0)) (mk list)))",
    );
    let cs = calls(&m, "h");
    assert_eq!(cs, vec![("list".to_string(), true)]);
    assert_eq!(
        locals_read(&m, "h").len(),
        1,
        "the argument is the user's local list"
    );
}

#[test]
fn syntax_rules_ellipses_literals_vectors_dotted() {
    let m = lower(
        "(define-syntax my-let* (syntax-rules ()
           ((_ () body ...) (let () body ...))
           ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...)))))
         (define-syntax for (syntax-rules (in)
           ((_ x in lst body ...) (for-each (lambda (x) body ...) lst))))
         (define-syntax flat (syntax-rules () ((_ (a b ...) ...) '(a ... b ... ...))))
         (define-syntax vec (syntax-rules () ((_ #(a ...)) (list a ...))))
         (define-syntax dot (syntax-rules () ((_ a . rest) 'rest)))
         (define-syntax tailpat (syntax-rules () ((_ a ... z) 'z)))
         (define (f) (my-let* ((p 1) (q p)) (+ p q)))
         (define (g) (for y in '(1 2) (display y)))
         (define h (flat (1 2 3) (4 5)))
         (define i (vec #(1 2 3)))
         (define j (dot 1 2 3))
         (define k (tailpat 1 2 3))",
    );
    let by = |n: &str| {
        main_items(&m)
            .iter()
            .find_map(|e| match &e.kind {
                ExprKind::DefineGlobal(g, _, v) if g == n => Some(v.kind.clone()),
                _ => None,
            })
            .unwrap()
    };
    let ints = |xs: &[i64]| {
        Const::List(
            xs.iter().map(|&i| Const::Int(i)).collect(),
            Box::new(Const::Null),
        )
    };
    assert!(matches!(by("h"), ExprKind::Const(c) if c == ints(&[1, 4, 2, 3, 5])));
    assert!(matches!(by("j"), ExprKind::Const(c) if c == ints(&[2, 3])));
    assert!(matches!(by("k"), ExprKind::Const(Const::Int(3))));
    assert!(calls(&m, "g").contains(&("for-each".into(), true)));
    assert!(matches!(by("i"), ExprKind::Call { args, .. } if args.len() == 3));
}

#[test]
fn literal_matching_is_by_binding() {
    // `else` bound locally is not the literal `else`.
    let src = "(define-syntax m (syntax-rules (else) ((_ else) 'kw) ((_ x) 'other)))
               (define a (m else))
               (define (b) (let ((else 1)) (m else)))";
    let m = lower(src);
    let mut syms = Vec::new();
    for f in &m.funcs {
        walk(&f.body, &mut |e| {
            if let ExprKind::Const(Const::Symbol(s)) = &e.kind {
                syms.push(s.clone());
            }
        });
    }
    assert_eq!(syms, vec!["kw".to_string(), "other".to_string()]);
}

#[test]
fn internal_defines_are_hoisted() {
    let m = lower(
        "(define (f)
           (define (even? n) (if (= n 0) #t (odd? (- n 1))))
           (define (odd? n) (if (= n 0) #f (even? (- n 1))))
           (even? 10))",
    );
    let ExprKind::Block(xs) = &func(&m, "f").body.kind else {
        panic!()
    };
    assert!(
        matches!(&xs[0].kind, ExprKind::Define(_, v) if matches!(v.kind, ExprKind::Const(Const::Null)))
    );
    assert!(matches!(&xs[1].kind, ExprKind::Define(..)));
    assert!(matches!(&xs[2].kind, ExprKind::SetLocal(..)));
    assert!(matches!(&xs[3].kind, ExprKind::SetLocal(..)));
    assert!(calls(&m, "odd?").contains(&("local even?".into(), true)));
}

#[test]
fn guard_lowers_to_raw_try() {
    let m = lower(
        "(define (f) (guard (e ((symbol? e) 'sym) ((string? e) => string-length)) (raise 'boom)))",
    );
    let mut found = false;
    walk(&func(&m, "f").body, &mut |e| {
        if let ExprKind::Try { raw, handler, .. } = &e.kind {
            assert!(*raw);
            let mut throws = 0;
            walk(handler, &mut |h| {
                if matches!(h.kind, ExprKind::Throw(_)) {
                    throws += 1;
                }
            });
            assert_eq!(throws, 2, "re-raise escapes, and when no clause matches");
            found = true;
        }
    });
    assert!(found);
    let g = globals_called(&m);
    assert!(g.contains(&"%guard-body".to_string()) && g.contains(&"%escape?".to_string()));
    // The library (the prelude) gets raw guards; a program defining %guard-body does not.
    let src = "(define (%catch thunk handler) (guard (e (#t (handler e))) (thunk)))
               (define (%guard-body thunk) (thunk))";
    let g = globals_called(&lower(src));
    assert!(g.contains(&"%guard-body".to_string()) && g.contains(&"%escape?".to_string()));
    let datums = read(src, FileId(0), ReadMode::Scheme).expect("reads");
    let m = tandem_core::scheme::lower_scheme_library(&datums, Span::default()).expect("lowers");
    let g = globals_called(&m);
    assert!(!g.contains(&"%guard-body".to_string()) && !g.contains(&"%escape?".to_string()));
}

#[test]
fn records() {
    let m = lower(
        "(define-record-type point (make-point x y) point? (x point-x set-point-x!) (y point-y))",
    );
    assert_eq!(
        m.globals,
        [
            "point",
            "make-point",
            "point?",
            "point-x",
            "set-point-x!",
            "point-y"
        ]
        .map(String::from)
        .to_vec()
    );
    let items = main_items(&m);
    assert!(matches!(&items[0].kind, ExprKind::DefineGlobal(_, _, v)
        if matches!(&v.kind, ExprKind::StructDef { fields, .. } if fields == &["x".to_string(), "y".to_string()])));
    let mut lit = false;
    walk(&func(&m, "make-point").body, &mut |e| {
        if let ExprKind::StructLit { fields, .. } = &e.kind {
            lit = fields.len() == 2;
        }
    });
    assert!(lit);
    assert!(prims_in(&m, Some("point?")).contains(&Prim::RecordIs));
    // Accessors and modifiers check the type first, and raise an error object otherwise.
    for (name, access) in [("point-x", "Field"), ("set-point-x!", "SetField")] {
        let ExprKind::If { then, .. } = &func(&m, name).body.kind else {
            panic!("{name}: {:?}", func(&m, name).body)
        };
        let ok = match access {
            "Field" => matches!(then.kind, ExprKind::Field(..)),
            _ => matches!(then.kind, ExprKind::SetField(..)),
        };
        assert!(ok, "{name}: {then:?}");
        let called: Vec<String> = calls(&m, name).into_iter().map(|c| c.0).collect();
        for needed in ["%make-error-object", "%raise"] {
            assert!(called.contains(&needed.to_string()), "{name}: {called:?}");
        }
        assert!(prims_in(&m, Some(name)).contains(&Prim::RecordIs), "{name}");
    }
}

#[test]
fn procedures_over_builtins() {
    let m = lower(
        "(define p (delay (+ 1 2)))
         (define q (delay-force p))
         (define r (make-parameter 1))
         (define (s) (parameterize ((r 2)) (r)))
         (define t (case-lambda ((a) a) ((a b) b) ((a . rest) rest)))
         (define-values (u v) (values 1 2))
         (define (w) (let-values (((a b) (values 1 2)) ((c) (values 3))) (list a b c)))",
    );
    let g = globals_called(&m);
    for needed in [
        "%delay",
        "%delay-force",
        "%parameterize",
        "call-with-values",
        "length",
    ] {
        assert!(g.contains(&needed.to_string()), "{needed} in {g:?}");
    }
    let t = m.funcs.iter().rfind(|f| f.name == "t").unwrap();
    assert!(t.rest.is_some() && t.params.is_empty());
    let mut tail_applies = 0;
    walk(&t.body, &mut |e| {
        if matches!(e.kind, ExprKind::Apply { tail: true, .. }) {
            tail_applies += 1;
        }
    });
    assert_eq!(tail_applies, 3);
    assert!(m.globals.contains(&"u".to_string()) && m.globals.contains(&"v".to_string()));
}

#[test]
fn jue_mode_prints_expressions_and_tiers() {
    let m = try_lower(
        "(define x 1)\n(+ x 1)\n(:formal (+ 1 2))\nnil\n(begin (define y 2) y)",
        true,
    )
    .unwrap();
    let prints = globals_called(&m)
        .iter()
        .filter(|g| *g == "%jue-print")
        .count();
    assert_eq!(prints, 4);
    assert!(globals_called(&m).contains(&"%with-tier".to_string()));
    let mut tier = None;
    walk(&m.func(m.entry).body, &mut |e| {
        if let ExprKind::Call { callee, args, .. } = &e.kind {
            if matches!(&callee.kind, ExprKind::Global(g) if g == "%with-tier") {
                tier = Some(args[0].kind.clone());
            }
        }
    });
    assert!(matches!(tier, Some(ExprKind::Const(Const::Symbol(s))) if s == "formal"));
}

#[test]
fn malformed_forms_are_reported() {
    assert_error("(if 1 2 3 4)", "if: expected 2 or 3 parts, got 4");
    assert_error("(let ((x)) x)", "bad let binding");
    assert_error("(let ((1 2)) x)", "bad let binding");
    assert_error(
        "(define-syntax my-macro (syntax-rules () ((_ a) a))) (my-macro 1 2)",
        "no syntax-rules pattern matches (my-macro 1 2)",
    );
    assert_error("(lambda (x x) x)", "duplicate parameter");
    assert_error("(lambda (x 1) x)", "bad formals");
    assert_error("(define)", "define");
    assert_error("(quote)", "quote");
    assert_error("(+ 1 (define x 2))", "not allowed here");
    assert_error("(set! 1 2)", "set!");
    assert_error("(cond (else 1) (#t 2))", "`else` must be the last clause");
    assert_error("(lambda (x))", "body");
    assert_error("(display if)", "syntax keyword `if` used as a variable");
    assert_error("(define-syntax foo 42)", "syntax-rules");
    assert_error("`,@x", "unquote-splicing: not inside a list");
    assert_error(
        "(define-syntax m (syntax-rules () ((_ a ...) (a)))) (m 1 2)",
        "ellipsis",
    );
    // Errors carry the span of the form.
    let datums = read("(display 1)\n(if)", FileId(0), ReadMode::Scheme).unwrap();
    let errs = lower_scheme_program(&datums, Span::default(), false, &[], &[]).unwrap_err();
    assert_eq!(errs[0].span.unwrap().start, 12);
}

#[test]
fn looping_macros_are_bounded() {
    assert_error(
        "(define-syntax loop (syntax-rules () ((_ x) (loop x)))) (loop 1)",
        "macro expansion too deep",
    );
    assert_error(
        "(define-syntax deep (syntax-rules () ((_ x) (list (deep x))))) (deep 1)",
        "too deep",
    );
    // Exponential growth is stopped too.
    let errs = errors("(define-syntax dbl (syntax-rules () ((_ x) (dbl (x x))))) (dbl 1)");
    assert!(
        errs.iter()
            .any(|e| e.contains("too large") || e.contains("too deep")),
        "{errs:?}"
    );
}

/// Rename every symbol `from` in `d` to `to`.
fn rename_symbols(d: &mut tandem_syntax::scheme::Datum, from: &str, to: &str) {
    use tandem_syntax::scheme::DatumKind;
    match &mut d.kind {
        DatumKind::Symbol(s) if s == from => *s = to.to_string(),
        DatumKind::List(items, tail) => {
            items.iter_mut().for_each(|x| rename_symbols(x, from, to));
            if let Some(t) = tail {
                rename_symbols(t, from, to);
            }
        }
        DatumKind::Vector(items) => items.iter_mut().for_each(|x| rename_symbols(x, from, to)),
        _ => {}
    }
}

#[test]
fn forged_aliases_are_plain_globals() {
    // The reader rejects NUL in symbols; a host handing the expander datums with a forged
    // `name\0N` alias (alias 0 below renames `if`, made by the expansion of `(m)`) still gets
    // plain globals, never a panic and never the special form the alias stands for.
    let src = "(define-syntax m (syntax-rules () ((_) (if #t 1 2))))
               (m)
               (display FOO)
               (COND (#t 1))";
    let mut datums = read(src, FileId(0), ReadMode::Scheme).expect("reads");
    for d in &mut datums {
        rename_symbols(d, "FOO", "foo\u{0}0");
        rename_symbols(d, "COND", "cond\u{0}0");
    }
    let m = lower_scheme_program(&datums, Span::default(), false, &[], &[]).expect("lowers");
    let mut globals = Vec::new();
    walk(&m.func(m.entry).body, &mut |e| {
        if let ExprKind::Global(g) = &e.kind {
            globals.push(g.clone());
        }
    });
    assert!(globals.contains(&"foo".to_string()), "{globals:?}");
    assert!(globals.contains(&"cond".to_string()), "{globals:?}");
}

#[test]
fn macro_defining_macros_and_local_macros() {
    let m = lower(
        "(define-syntax def-getter (syntax-rules ()
           ((_ name val) (define-syntax name (syntax-rules () ((_) val))))))
         (def-getter five 5)
         (define x (five))
         (define (f y)
           (define-syntax twice (syntax-rules () ((_ e) (begin e e))))
           (let-syntax ((inc (syntax-rules () ((_ v) (+ v 1)))))
             (twice (display (inc y)))))",
    );
    let items = main_items(&m);
    assert!(items.iter().any(|e| matches!(&e.kind,
        ExprKind::DefineGlobal(n, _, v) if n == "x" && matches!(v.kind, ExprKind::Const(Const::Int(5))))));
    assert_eq!(
        calls(&m, "f").iter().filter(|c| c.0 == "display").count(),
        2
    );
}

#[test]
fn or_and_and_shapes() {
    let m = lower("(define a (and)) (define b (or)) (define (c x) (or x (f x)))");
    let items = main_items(&m);
    assert!(
        matches!(&items[0].kind, ExprKind::DefineGlobal(_, _, v) if matches!(v.kind, ExprKind::Const(Const::Bool(true))))
    );
    assert!(
        matches!(&items[1].kind, ExprKind::DefineGlobal(_, _, v) if matches!(v.kind, ExprKind::Const(Const::Bool(false))))
    );
    assert!(calls(&m, "c").contains(&("f".into(), true)));
}

/// Every conformance program expands and lowers without a diagnostic, except the deliberate
/// syntax errors (`err_syntax_*`), which must fail to read.
#[test]
fn conformance_programs_lower() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/programs");
    let mut failures = Vec::new();
    let mut n = 0;
    for (dir, ext, jue) in [("scheme", "scm", false), ("jue", "jue", true)] {
        let entries = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("cannot list tests/programs/{dir}: {e}"));
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        let before = n;
        for p in paths {
            if p.extension().and_then(|e| e.to_str()) != Some(ext) {
                continue;
            }
            n += 1;
            let src = std::fs::read_to_string(&p).unwrap();
            let mode = if jue { ReadMode::Jue } else { ReadMode::Scheme };
            let syntax_error_test = p
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("err_syntax"));
            let datums = match (read(&src, FileId(0), mode), syntax_error_test) {
                (Ok(datums), false) => datums,
                (Err(_), true) => continue,
                (Ok(_), true) => {
                    failures.push(format!("{}: should not read", p.display()));
                    continue;
                }
                (Err(ds), false) => {
                    failures.push(format!("{}: does not read: {}", p.display(), ds[0].message));
                    continue;
                }
            };
            if let Err(ds) = lower_scheme_program(&datums, Span::default(), jue, &[], &[]) {
                let d = &ds[0];
                let at = d.span.map(|s| s.start as usize).unwrap_or(0);
                let line = src[..at.min(src.len())].lines().count();
                failures.push(format!("{}:{line}: {}", p.display(), d.message));
            }
        }
        assert!(
            n > before,
            "no conformance programs in tests/programs/{dir}"
        );
    }
    assert!(
        failures.is_empty(),
        "{n} programs, failures:\n{}",
        failures.join("\n")
    );
}
