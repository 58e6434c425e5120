//! The typed host API: functions registered with `register_fn` and called by scripts of both
//! dialects, `eval`, `call_fn` (under every JIT mode), and the engine going on after every
//! kind of error. Serde conversions and host types are in `host_serde.rs`.

mod common;

use common::{captured, engine};
use std::collections::HashMap;
use tandem::{Caps, Dialect, Engine, Error, JitMode, Value};

/// The rendered error of `src` evaluated in `dialect`, which must fail.
fn fails(engine: &mut Engine, dialect: Dialect, src: &str) -> String {
    match engine.eval::<Value, _>(dialect, src) {
        Ok(v) => panic!("{src}: expected an error, got {}", engine.display(v)),
        Err(e) => engine.render_error(&e),
    }
}

#[test]
fn the_acceptance_program_of_the_issue() {
    let (mut engine, _out) = engine();
    engine.register_fn("add", |a: i64, b: i64| a + b);
    engine.register_fn("greet", |name: String| format!("hello, {name}"));
    engine.register_fn("safe_div", |a: i64, b: i64| -> Result<i64, String> {
        if b == 0 {
            Err("divide by zero".into())
        } else {
            Ok(a / b)
        }
    });
    let n: i64 = engine.eval(Dialect::Ruff, "add(40, 2)").unwrap();
    assert_eq!(n, 42);
    let s: String = engine.eval(Dialect::Scheme, "(greet \"scheme\")").unwrap();
    assert_eq!(s, "hello, scheme");
    engine
        .run_source("lib.ruff", "func area(w, h) { return w * h }")
        .unwrap();
    let a: i64 = engine.call_fn("area", (6i64, 7i64)).unwrap();
    assert_eq!(a, 42);
    let q: i64 = engine.eval(Dialect::Ruff, "safe_div(84, 2)").unwrap();
    assert_eq!(q, 42);
    let e = engine
        .eval::<i64, _>(Dialect::Ruff, "safe_div(1, 0)")
        .unwrap_err();
    assert!(matches!(e, Error::Runtime(_)));
    assert_eq!(e.to_string(), "divide by zero");
}

#[test]
fn arguments_of_every_listed_type_and_arity() {
    let (mut engine, _out) = engine();
    engine.register_fn("zero", || 7i64);
    engine.register_fn("six", |a: i64, b: i64, c: i64, d: i64, e: i64, f: i64| {
        a + 10 * b + 100 * c + 1000 * d + 10_000 * e + 100_000 * f
    });
    engine.register_fn("half", |x: f64| x / 2.0);
    engine.register_fn("not", |b: bool| !b);
    engine.register_fn("shout", |s: &str| s.to_uppercase());
    engine.register_fn("join2", |a: &str, sep: String, b: &str| {
        format!("{a}{sep}{b}")
    });
    engine.register_fn("nothing", || ());
    engine.register_fn("total", |xs: Vec<i64>| xs.iter().sum::<i64>());
    engine.register_fn("keys", |m: HashMap<String, i64>| {
        let mut k: Vec<String> = m.into_keys().collect();
        k.sort();
        k
    });
    engine.register_fn("kind", |v: Value| v.type_name());
    engine.register_fn("echo", |v: Value| v);
    let ruff = [
        ("zero()", "7"),
        ("six(1, 2, 3, 4, 5, 6)", "654321"),
        // An int is accepted where a float is wanted.
        ("half(3)", "1.5"),
        ("not(false)", "true"),
        ("shout(\"hi\")", "HI"),
        ("join2(\"a\", \"-\", \"b\")", "a-b"),
        ("nothing()", "null"),
        ("total([1, 2, 3])", "6"),
        ("keys({\"b\": 1, \"a\": 2})", "[a, b]"),
        ("kind([1])", "array"),
        ("echo({\"k\": [1, 2]})", "{\"k\": [1, 2]}"),
    ];
    for (src, want) in ruff {
        let v: Value = engine.eval(Dialect::Ruff, src).unwrap();
        assert_eq!(engine.display(v), want, "{src}");
    }
    // Scheme: lists and vectors are sequences, hash tables maps, symbols strings.
    let scheme = [
        ("(six 1 2 3 4 5 6)", "654321"),
        ("(total (list 1 2 3))", "6"),
        ("(total (vector 4 5))", "9"),
        ("(total '())", "0"),
        ("(shout 'sym)", "SYM"),
        (
            "(let ((h (make-hash-table))) (hash-table-set! h \"x\" 1) (keys h))",
            "[x]",
        ),
        ("(keys '((a . 1) (b . 2)))", "[a, b]"),
    ];
    for (src, want) in scheme {
        let v: Value = engine.eval(Dialect::Scheme, src).unwrap();
        assert_eq!(engine.display(v), want, "{src}");
    }
}

#[test]
fn options_may_be_left_out_and_none_is_null() {
    let (mut engine, _out) = engine();
    engine.register_fn("greet", |name: String, title: Option<String>| match title {
        Some(t) => format!("{t} {name}"),
        None => name,
    });
    engine.register_fn("maybe", |x: i64| if x > 0 { Some(x) } else { None });
    let a: String = engine.eval(Dialect::Ruff, "greet(\"Ada\")").unwrap();
    assert_eq!(a, "Ada");
    let b: String = engine
        .eval(Dialect::Ruff, "greet(\"Ada\", \"Dr\")")
        .unwrap();
    assert_eq!(b, "Dr Ada");
    let c: String = engine.eval(Dialect::Ruff, "greet(\"Ada\", null)").unwrap();
    assert_eq!(c, "Ada");
    let d: String = engine
        .eval(Dialect::Ruff, "greet(\"Ada\", Some(\"Ms\"))")
        .unwrap();
    assert_eq!(d, "Ms Ada");
    let none: Option<i64> = engine.eval(Dialect::Ruff, "maybe(-1)").unwrap();
    assert_eq!(none, None);
    let some: Option<i64> = engine.eval(Dialect::Scheme, "(maybe 5)").unwrap();
    assert_eq!(some, Some(5));
    let null: bool = engine.eval(Dialect::Ruff, "maybe(0) == null").unwrap();
    assert!(null);
    // Still too many or too few arguments for the rest.
    let e = engine
        .eval::<Value, _>(Dialect::Ruff, "greet()")
        .unwrap_err();
    assert_eq!(e.to_string(), "greet expects 1 to 2 arguments, got 0");
}

#[test]
fn nested_containers_cross_both_ways() {
    let (mut engine, _out) = engine();
    engine.register_fn("transpose", |m: Vec<Vec<i64>>| {
        let cols = m.first().map_or(0, Vec::len);
        (0..cols)
            .map(|c| m.iter().map(|row| row[c]).collect::<Vec<i64>>())
            .collect::<Vec<_>>()
    });
    engine.register_fn("counts", |m: HashMap<String, Vec<Option<i64>>>| {
        let mut out: HashMap<String, i64> = HashMap::new();
        for (k, v) in m {
            out.insert(k, v.iter().flatten().count() as i64);
        }
        out
    });
    let t: Vec<Vec<i64>> = engine
        .eval(Dialect::Ruff, "transpose([[1, 2, 3], [4, 5, 6]])")
        .unwrap();
    assert_eq!(t, vec![vec![1, 4], vec![2, 5], vec![3, 6]]);
    let t: Vec<Vec<i64>> = engine
        .eval(Dialect::Scheme, "(transpose (list (vector 1 2) '(3 4)))")
        .unwrap();
    assert_eq!(t, vec![vec![1, 3], vec![2, 4]]);
    let c: HashMap<String, i64> = engine
        .eval(
            Dialect::Ruff,
            "counts({\"a\": [1, null, 3], \"b\": [], \"c\": [null]})",
        )
        .unwrap();
    assert_eq!(c["a"], 2);
    assert_eq!(c["b"], 0);
    assert_eq!(c["c"], 0);
    // What a host function returns is an ordinary value to the script.
    let v: Value = engine
        .eval(Dialect::Ruff, "t := transpose([[1, 2]])\nt[1][0] + len(t)")
        .unwrap();
    assert_eq!(engine.display(v), "4");
}

#[test]
fn wrong_argument_types_and_counts_are_script_errors_naming_the_function() {
    let (mut engine, out) = engine();
    engine.register_fn("add", |a: i64, b: i64| a + b);
    engine.register_fn("total", |xs: Vec<i64>| xs.iter().sum::<i64>());
    engine.register_fn("shout", |s: &str| s.to_uppercase());
    engine.register_fn("half", |x: f64| x / 2.0);
    let cases = [
        ("add(1, \"x\")", "add: argument 2: expected int, got string"),
        ("add(1.5, 2)", "add: argument 1: expected int, got float"),
        ("add(1)", "add expects 2 arguments, got 1"),
        ("add(1, 2, 3)", "add expects 2 arguments, got 3"),
        (
            "total([1, \"two\"])",
            "total: argument 1: element 1: expected int, got string",
        ),
        (
            "total(5)",
            "total: argument 1: expected an array or a list, got int",
        ),
        ("shout(3)", "shout: argument 1: expected string, got int"),
        ("half(null)", "half: argument 1: expected float, got null"),
    ];
    for (src, want) in cases {
        let text = fails(&mut engine, Dialect::Ruff, src);
        assert!(text.contains(want), "{src}: {text}");
        // Located at the call.
        assert!(text.contains("1:1"), "{src}: {text}");
    }
    let text = fails(&mut engine, Dialect::Scheme, "(add 1 'x)");
    assert!(
        text.contains("add: argument 2: expected int, got symbol"),
        "{text}"
    );
    // Catchable like any script error.
    engine
        .run_source(
            "c.ruff",
            "try { add(1, []) } except e { print(\"caught:\", e.message) }",
        )
        .unwrap();
    assert_eq!(
        captured(&out),
        "caught: add: argument 2: expected int, got array\n"
    );
}

#[test]
fn errors_from_rust_functions_are_catchable_in_both_dialects() {
    let (mut engine, out) = engine();
    engine.register_fn("parse_port", |s: &str| -> Result<i64, String> {
        s.parse::<u16>()
            .map(i64::from)
            .map_err(|e| format!("bad port {s:?}: {e}"))
    });
    engine
        .run_source(
            "r.ruff",
            "try { parse_port(\"99999\") } except e { print(e.message) }\nprint(parse_port(\"80\"))",
        )
        .unwrap();
    engine
        .run_source(
            "s.scm",
            "(display (guard (e ((error-object? e) (error-object-message e))) (parse_port \"x\")))",
        )
        .unwrap();
    assert_eq!(
        captured(&out),
        "bad port \"99999\": number too large to fit in target type\n80\nbad port \"x\": invalid digit found in string"
    );
    let r = engine.eval::<i64, _>(Dialect::Ruff, "parse_port(\"-1\")");
    let text = engine.render_error(&r.unwrap_err());
    assert!(text.contains("bad port \"-1\""), "{text}");
    assert!(text.contains("<eval"), "{text}");
}

#[test]
fn capabilities_apply_to_host_functions_that_declare_them() {
    let (mut engine, _out) = engine();
    engine.register_fn_with_caps("now_ms", Caps::CLOCK, || 1234i64);
    let t: i64 = engine.eval(Dialect::Ruff, "now_ms()").unwrap();
    assert_eq!(t, 1234);
    engine.set_caps(Caps::ALL.without(Caps::CLOCK));
    let e = engine
        .eval::<i64, _>(Dialect::Scheme, "(now_ms)")
        .unwrap_err();
    assert_eq!(e.to_string(), "capability denied: clock (needed by now_ms)");
}

#[test]
fn eval_returns_the_last_expression_in_a_namespace_of_its_own() {
    let (mut engine, out) = engine();
    let v: i64 = engine
        .eval(Dialect::Ruff, "x := 20\nfunc f(y) { return x + y }\nf(22)")
        .unwrap();
    assert_eq!(v, 42);
    // Each eval has its own namespace: `x` is not defined any more.
    let e = engine
        .eval::<Value, _>(Dialect::Ruff, "print(x)")
        .unwrap_err();
    assert!(e.to_string().contains("Undefined variable: x"), "{e}");
    // Statements give null, converted as asked.
    engine.eval::<(), _>(Dialect::Ruff, "y := 1").unwrap();
    let none: Option<i64> = engine.eval(Dialect::Ruff, "").unwrap();
    assert_eq!(none, None);
    let empty: Vec<i64> = engine.eval(Dialect::Scheme, "(define z 1)").unwrap();
    assert!(empty.is_empty());
    let s: i64 = engine
        .eval(Dialect::Scheme, "(define (sq x) (* x x))\n(sq 7)")
        .unwrap();
    assert_eq!(s, 49);
    // Jue returns the last value instead of printing it (the others print).
    let j: i64 = engine.eval(Dialect::Jue, "(+ 1 1)\n(+ 2 2)").unwrap();
    assert_eq!(j, 4);
    engine.flush();
    assert_eq!(captured(&out), "2\n");
    // A result that does not convert is a host error naming the result.
    let e = engine
        .eval::<i64, _>(Dialect::Ruff, "\"text\"")
        .unwrap_err();
    assert!(matches!(e, Error::Host(_)));
    assert_eq!(e.to_string(), "eval: the result: expected int, got string");
}

#[test]
fn eval_and_call_fn_give_containers_of_values() {
    let (mut engine, _out) = engine();
    let xs: Vec<Value> = engine.eval(Dialect::Ruff, "[1, \"two\", [3]]").unwrap();
    assert_eq!(xs.len(), 3);
    assert!(matches!(xs[0], Value::Int(1)));
    assert_eq!(engine.display(xs[1]), "two");
    assert_eq!(engine.display(xs[2]), "[3]");
    let m: HashMap<String, Value> = engine.eval(Dialect::Scheme, "'((a . 1) (b . #t))").unwrap();
    assert!(matches!(m["a"], Value::Int(1)));
    assert!(matches!(m["b"], Value::Bool(true)));
    let none: Option<Value> = engine.eval(Dialect::Ruff, "x := 1").unwrap();
    assert!(none.is_none());
    engine
        .run_source("pair.scm", "(define (pair a b) (list a b))")
        .unwrap();
    let p: Vec<Value> = engine.call_fn("pair", (1, "b")).unwrap();
    assert_eq!(engine.display(p[1]), "b");
    let e = engine
        .eval::<Vec<Value>, _>(Dialect::Ruff, "7")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "eval: the result: expected an array or a list, got int"
    );
}

#[test]
fn call_fn_calls_the_latest_program_or_a_named_one() {
    let (mut engine, _out) = engine();
    engine
        .run_source("geo.ruff", "func area(w, h) { return w * h }")
        .unwrap();
    engine
        .run_source(
            "words.scm",
            "(define (greet name) (string-append \"hi \" name))\n(define (count . xs) (length xs))",
        )
        .unwrap();
    let g: String = engine.call_fn("greet", ("ann",)).unwrap();
    assert_eq!(g, "hi ann");
    let n: i64 = engine.call_fn("count", (1, 2.5, "x", true)).unwrap();
    assert_eq!(n, 4);
    let n0: i64 = engine.call_fn("count", ()).unwrap();
    assert_eq!(n0, 0);
    // `area` is in geo.ruff's namespace, not the latest program's.
    let e = engine.call_fn::<i64, _>("area", (2, 3)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "call_fn(\"area\"): words.scm defines no function named 'area' at its top level"
    );
    let a: i64 = engine.call_fn_in("geo.ruff", "area", (2, 3)).unwrap();
    assert_eq!(a, 6);
    // An eval's namespace is named too.
    engine
        .eval::<(), _>(Dialect::Ruff, "func twice(x) { return 2 * x }")
        .unwrap();
    let ns = engine.last_namespace().unwrap().to_string();
    assert!(ns.starts_with("<eval "), "{ns}");
    let t: i64 = engine.call_fn("twice", (21,)).unwrap();
    assert_eq!(t, 42);
    let t: i64 = engine.call_fn_in(&ns, "twice", (5,)).unwrap();
    assert_eq!(t, 10);
    // Not a function.
    engine.run_source("v.ruff", "limit := 10").unwrap();
    let e = engine.call_fn::<Value, _>("limit", ()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "call_fn(\"limit\"): 'limit' in v.ruff is a int, not a function"
    );
}

#[test]
fn call_fn_errors_leave_the_engine_usable() {
    let (mut engine, out) = engine();
    engine
        .run_source(
            "lib.ruff",
            "func div(a, b) { return a / b }\n\
             func deep(n) { if n == 0 { return 0 } return 1 + deep(n - 1) }\n\
             func safe(a, b) { try { return div(a, b) } except e { return -1 } }",
        )
        .unwrap();
    // A runtime error in the function, with its location.
    let e = engine.call_fn::<i64, _>("div", (1, 0)).unwrap_err();
    let text = engine.render_error(&e);
    assert!(text.contains("Division by zero"), "{text}");
    assert!(text.contains("lib.ruff:1"), "{text}");
    // Wrong number of arguments: the script's arity error.
    let e = engine.call_fn::<i64, _>("div", (1,)).unwrap_err();
    assert_eq!(e.to_string(), "div expects 2 arguments, got 1");
    // An argument that does not convert.
    let e = engine.call_fn::<i64, _>("div", (1, u64::MAX)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "call_fn(\"div\"): argument 2: the integer 18446744073709551615 does not fit in a script int (64-bit signed)"
    );
    // The depth limit.
    engine.set_max_depth(50);
    let e = engine.call_fn::<i64, _>("deep", (100,)).unwrap_err();
    assert!(e.to_string().contains("stack overflow"), "{e}");
    engine.set_max_depth(100_000);
    // After all that, calls (and handlers) work as before.
    let d: i64 = engine.call_fn("deep", (1000,)).unwrap();
    assert_eq!(d, 1000);
    let s: i64 = engine.call_fn("safe", (1, 0)).unwrap();
    assert_eq!(s, -1);
    let q: i64 = engine.call_fn("div", (84, 2)).unwrap();
    assert_eq!(q, 42);
    engine
        .run_source("p.ruff", "print(\"still here\")")
        .unwrap();
    assert_eq!(captured(&out), "still here\n");
}

#[test]
fn call_fn_runs_compiled_code_and_interpreted_code_alike() {
    for mode in [JitMode::Off, JitMode::Auto, JitMode::Always] {
        let (mut engine, _out) = engine();
        engine.set_jit_mode(mode);
        engine
            .run_source(
                "fib.ruff",
                "func fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }\n\
                 func boom(n) { if n > 3 { throw(\"too big: \" + str(n)) } return n }\n\
                 func sum(xs) { mut t := 0\n for x in xs { t = t + x }\n return t }",
            )
            .unwrap();
        for _ in 0..3 {
            let f: i64 = engine.call_fn("fib", (20,)).unwrap();
            assert_eq!(f, 6765, "{mode:?}");
        }
        // Hot enough to compile under Auto.
        for i in 0..600 {
            let b: i64 = engine.call_fn("boom", (i % 4,)).unwrap();
            assert_eq!(b, i % 4);
        }
        let e = engine.call_fn::<i64, _>("boom", (7,)).unwrap_err();
        assert_eq!(e.to_string(), "too big: 7", "{mode:?}");
        let s: i64 = engine.call_fn("sum", (vec![1, 2, 3, 4],)).unwrap();
        assert_eq!(s, 10, "{mode:?}");
        let s: f64 = engine.call_fn("sum", (vec![0.5, 0.25],)).unwrap();
        assert_eq!(s, 0.75, "{mode:?}");
        if mode == JitMode::Always && engine.jit_available() {
            assert!(
                engine.jit_stats().starts_with("jit: ")
                    && !engine.jit_stats().contains(" 0 functions compiled"),
                "{}",
                engine.jit_stats()
            );
        }
    }
}

#[test]
fn functions_a_script_hands_over_can_be_called_back() {
    let (mut engine, _out) = engine();
    let adder: Value = engine
        .eval(
            Dialect::Ruff,
            "func make(k) { return func(x) { return x + k } }\nmake(10)",
        )
        .unwrap();
    // Called before any other script runs, so the closure is still alive.
    let r: i64 = engine.call_value(adder, (5,)).unwrap();
    assert_eq!(r, 15);
    let lambda: Value = engine
        .eval(Dialect::Scheme, "(lambda (a b) (- a b))")
        .unwrap();
    let r: i64 = engine.call_value(lambda, (10, 4)).unwrap();
    assert_eq!(r, 6);
    // A native is a function too.
    engine.register_fn("neg", |x: i64| -x);
    let neg: Value = engine.eval(Dialect::Ruff, "neg").unwrap();
    let r: i64 = engine.call_value(neg, (3,)).unwrap();
    assert_eq!(r, -3);
    let e = engine.call_value::<i64, _>(Value::Int(3), ()).unwrap_err();
    assert_eq!(e.to_string(), "Cannot call a value of type int");
}

#[test]
fn the_engine_goes_on_after_every_kind_of_error() {
    let (mut engine, out) = engine();
    engine.register_fn("fail", || -> Result<(), String> {
        Err("host says no".into())
    });
    engine.set_memory_limit(Some(4 << 20));
    let errors: Vec<Error> = vec![
        engine
            .eval::<Value, _>(Dialect::Ruff, "func (")
            .unwrap_err(),
        engine
            .eval::<Value, _>(Dialect::Scheme, "(car '())")
            .unwrap_err(),
        engine
            .eval::<Value, _>(Dialect::Ruff, "fail()")
            .unwrap_err(),
        engine.eval::<i64, _>(Dialect::Ruff, "[1]").unwrap_err(),
        engine
            .eval::<Value, _>(
                Dialect::Ruff,
                "keep := []\nwhile true { push(keep, [1, 2, 3, 4, 5, 6, 7, 8]) }",
            )
            .unwrap_err(),
        engine.call_fn::<Value, _>("nope", ()).unwrap_err(),
    ];
    let kinds: Vec<String> = errors
        .iter()
        .map(|e| match e {
            Error::Compile(_) => "compile".into(),
            Error::Runtime(r) => format!("runtime: {}", r.message),
            Error::Host(m) => format!("host: {m}"),
            Error::Io(m) => format!("io: {m}"),
            Error::Limit(r) => format!("limit: {}", r.message),
        })
        .collect();
    assert_eq!(kinds[0], "compile");
    assert!(kinds[1].starts_with("runtime: car"), "{}", kinds[1]);
    assert_eq!(kinds[2], "runtime: host says no");
    assert_eq!(kinds[3], "host: eval: the result: expected int, got array");
    assert_eq!(kinds[4], "limit: memory limit exceeded (4194304 bytes)");
    assert!(
        kinds[5].starts_with("host: call_fn(\"nope\")"),
        "{}",
        kinds[5]
    );
    engine.set_memory_limit(None);
    let v: i64 = engine.eval(Dialect::Ruff, "len([1, 2, 3])").unwrap();
    assert_eq!(v, 3);
    let v: i64 = engine
        .eval(Dialect::Scheme, "(length (map (lambda (x) x) '(1 2)))")
        .unwrap();
    assert_eq!(v, 2);
    engine.run_source("ok.ruff", "print(\"ok\")").unwrap();
    assert_eq!(captured(&out), "ok\n");
}

#[test]
fn a_hosts_function_replaces_a_library_function_of_the_same_name_for_good() {
    let (mut engine, _out) = engine();
    // `assoc` is defined by the Scheme prelude, which loads definitions when first used.
    engine.register_fn("assoc", |k: String, _alist: Value| {
        format!("host assoc {k}")
    });
    let s: String = engine.eval(Dialect::Scheme, "(assoc \"a\" '())").unwrap();
    assert_eq!(s, "host assoc a");
    let s: String = engine.eval(Dialect::Ruff, "assoc(\"b\", null)").unwrap();
    assert_eq!(s, "host assoc b");
}

#[test]
fn the_error_type_displays_its_message_and_is_a_std_error() {
    let (mut engine, _out) = engine();
    let e = engine.eval::<Value, _>(Dialect::Ruff, "1 / 0").unwrap_err();
    assert_eq!(e.to_string(), "Division by zero");
    assert_eq!(e.exit_code(), 4);
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert_eq!(boxed.to_string(), "Division by zero");
    let e = engine
        .eval::<Value, _>(Dialect::Ruff, "x := (")
        .unwrap_err();
    assert!(matches!(e, Error::Compile(_)));
    assert!(!e.to_string().is_empty());
    assert_eq!(e.exit_code(), 3);
}
