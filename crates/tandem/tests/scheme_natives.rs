//! The Scheme runtime natives (crates/vm/src/builtins/scheme), called directly through a
//! `Vm`: number semantics and overflow, equivalence, lists, strings, the printer (`write` /
//! `display` of nested structures and floats), string ports, raise and error objects,
//! capabilities. A few tests run whole programs through an `Engine` (with the prelude).

mod common;

use common::{capture, captured, engine, Buf};
use tandem_vm::builtins::scheme::{write_jue, write_scheme};
use tandem_vm::native::NativeImpl;
use tandem_vm::{Caps, Value, Vm};

fn new_vm() -> (Vm, Buf) {
    let (writer, buf) = capture();
    let mut vm = Vm::new(writer);
    tandem_vm::builtins::install(&mut vm);
    (vm, buf)
}

fn vm() -> Vm {
    new_vm().0
}

fn call(vm: &mut Vm, name: &str, args: &[Value]) -> Result<Value, String> {
    let slot = vm
        .globals
        .lookup_in("scheme", name)
        .unwrap_or_else(|| panic!("no scheme native {name}"));
    let Value::Native(id) = vm.globals.values[slot as usize] else {
        panic!("{name} is not a native");
    };
    let def = &vm.natives[id as usize];
    assert!(def.arity.accepts(args.len()), "{name}: bad arity in test");
    let NativeImpl::Fn(f) = def.imp.clone() else {
        panic!("{name} is a host function");
    };
    f(vm, args)
}

fn ok(vm: &mut Vm, name: &str, args: &[Value]) -> Value {
    call(vm, name, args).unwrap_or_else(|e| panic!("{name} failed: {e}"))
}

fn written(vm: &Vm, v: Value) -> String {
    let mut s = String::new();
    write_scheme(vm, v, true, &mut s);
    s
}

fn displayed(vm: &Vm, v: Value) -> String {
    let mut s = String::new();
    write_scheme(vm, v, false, &mut s);
    s
}

/// Call and show the result in write notation.
fn w(vm: &mut Vm, name: &str, args: &[Value]) -> String {
    let v = ok(vm, name, args);
    written(vm, v)
}

fn err(vm: &mut Vm, name: &str, args: &[Value]) -> String {
    match call(vm, name, args) {
        Ok(v) => panic!("{name} should fail, gave {}", written(vm, v)),
        Err(e) => e,
    }
}

/// Run a Scheme program with the call depth limited to `max_depth`: its output, or the
/// rendered error.
fn run_scheme(src: &str, max_depth: usize) -> Result<String, String> {
    let (mut e, buf) = engine();
    e.set_max_depth(max_depth);
    let result = e.run_source("t.scm", src);
    e.flush();
    match result {
        Ok(_) => Ok(String::from_utf8_lossy(&buf.borrow()).into_owned()),
        Err(err) => Err(e.render_error(&err)),
    }
}

fn sym(vm: &mut Vm, s: &str) -> Value {
    Value::Symbol(vm.heap.intern(s))
}

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn fl(f: f64) -> Value {
    Value::Float(f)
}

// ----- numbers -----

#[test]
fn arithmetic_is_exact_on_ints() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "+", &[]), "0");
    assert_eq!(w(&mut vm, "*", &[]), "1");
    assert_eq!(w(&mut vm, "+", &[int(1), int(2), int(3), int(4)]), "10");
    assert_eq!(w(&mut vm, "-", &[int(10)]), "-10");
    assert_eq!(w(&mut vm, "-", &[int(10), int(1), int(2), int(3)]), "4");
    assert_eq!(w(&mut vm, "*", &[int(2), int(3), int(4)]), "24");
    assert_eq!(w(&mut vm, "+", &[int(1), fl(0.5)]), "1.5");
    assert_eq!(w(&mut vm, "-", &[int(5), fl(5.0)]), "0.0");
    assert_eq!(w(&mut vm, "*", &[int(4), fl(-2.25)]), "-9.0");
    assert_eq!(
        w(&mut vm, "*", &[int(3037000499), int(3037000499)]),
        "9223372030926249001"
    );
    assert_eq!(
        w(
            &mut vm,
            "-",
            &[int(-4611686018427387904), int(4611686018427387904)]
        ),
        "-9223372036854775808"
    );
}

#[test]
fn integer_overflow_is_an_error() {
    let mut vm = vm();
    for (name, args) in [
        ("+", vec![int(i64::MAX), int(1)]),
        ("-", vec![int(i64::MIN), int(1)]),
        ("-", vec![int(i64::MIN)]),
        ("*", vec![int(4611686018427387904), int(2)]),
        ("abs", vec![int(i64::MIN)]),
        ("expt", vec![int(2), int(63)]),
        ("expt", vec![int(3), int(1000)]),
        ("quotient", vec![int(i64::MIN), int(-1)]),
        ("/", vec![int(i64::MIN), int(-1)]),
        ("lcm", vec![int(i64::MAX), int(2)]),
        ("square", vec![int(1 << 32)]),
        ("exact", vec![fl(1e19)]),
        ("gcd", vec![int(i64::MIN), int(0)]),
        ("floor-quotient", vec![int(i64::MIN), int(-1)]),
    ] {
        // The message names the operation.
        assert_eq!(
            err(&mut vm, name, &args),
            format!("{name}: integer overflow"),
            "{name}"
        );
    }
    assert_eq!(
        w(&mut vm, "expt", &[int(2), int(62)]),
        "4611686018427387904"
    );
    assert_eq!(
        w(&mut vm, "expt", &[int(3), int(39)]),
        "4052555153018976267"
    );
    assert_eq!(w(&mut vm, "expt", &[int(-1), int(1001)]), "-1");
}

#[test]
fn division_is_exact_when_it_divides() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "/", &[int(6), int(3)]), "2");
    assert_eq!(w(&mut vm, "/", &[int(100), int(10), int(2)]), "5");
    assert_eq!(w(&mut vm, "/", &[int(-12), int(4)]), "-3");
    assert_eq!(w(&mut vm, "/", &[int(1), int(3)]), "0.3333333333333333");
    assert_eq!(w(&mut vm, "/", &[int(7), int(2)]), "3.5");
    assert_eq!(w(&mut vm, "/", &[int(-3), int(4)]), "-0.75");
    assert_eq!(w(&mut vm, "/", &[int(2)]), "0.5");
    assert_eq!(w(&mut vm, "/", &[int(1)]), "1");
    assert_eq!(w(&mut vm, "/", &[fl(3.0), int(2)]), "1.5");
    assert_eq!(w(&mut vm, "/", &[fl(1.0), fl(0.0)]), "+inf.0");
    assert_eq!(w(&mut vm, "/", &[fl(-1.0), int(0)]), "-inf.0");
    assert!(err(&mut vm, "/", &[int(1), int(0)]).contains("division by zero"));
}

#[test]
fn integer_division_signs() {
    let mut vm = vm();
    let qrm = |vm: &mut Vm, a: i64, b: i64| {
        [
            w(vm, "quotient", &[int(a), int(b)]),
            w(vm, "remainder", &[int(a), int(b)]),
            w(vm, "modulo", &[int(a), int(b)]),
        ]
        .join(" ")
    };
    assert_eq!(qrm(&mut vm, 17, 5), "3 2 2");
    assert_eq!(qrm(&mut vm, -17, 5), "-3 -2 3");
    assert_eq!(qrm(&mut vm, 17, -5), "-3 2 -3");
    assert_eq!(qrm(&mut vm, -17, -5), "3 -2 -2");
    assert_eq!(w(&mut vm, "modulo", &[int(-7), int(2)]), "1");
    assert_eq!(w(&mut vm, "modulo", &[fl(-7.0), int(2)]), "1.0");
    assert!(err(&mut vm, "modulo", &[int(1), int(0)]).contains("division by zero"));
    assert!(err(&mut vm, "quotient", &[fl(1.5), int(1)]).contains("integer"));
}

#[test]
fn comparisons_chain() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "=", &[int(1), int(1), int(1)]), "#t");
    assert_eq!(w(&mut vm, "=", &[int(1), int(1), int(2)]), "#f");
    assert_eq!(w(&mut vm, "<", &[int(1), int(2), int(3)]), "#t");
    assert_eq!(w(&mut vm, "<", &[int(1), int(3), int(2)]), "#f");
    assert_eq!(w(&mut vm, "<", &[int(1), fl(1.5), int(2)]), "#t");
    assert_eq!(w(&mut vm, ">=", &[int(3), int(3), int(1)]), "#t");
    assert_eq!(w(&mut vm, "=", &[fl(0.0), fl(-0.0)]), "#t");
    assert_eq!(w(&mut vm, "=", &[int(3), fl(3.0)]), "#t");
    assert_eq!(w(&mut vm, "<", &[fl(f64::NAN), int(1)]), "#f");
    // No rounding of large ints against floats.
    assert_eq!(w(&mut vm, "=", &[int(i64::MAX), fl(i64::MAX as f64)]), "#f");
    let a = sym(&mut vm, "a");
    assert!(err(&mut vm, "<", &[int(1), a]).contains("<"));
}

#[test]
fn rounding_and_exactness() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "round", &[fl(2.5)]), "2.0");
    assert_eq!(w(&mut vm, "round", &[fl(-2.5)]), "-2.0");
    assert_eq!(w(&mut vm, "round", &[fl(3.5)]), "4.0");
    assert_eq!(w(&mut vm, "round", &[fl(0.5)]), "0.0");
    assert_eq!(w(&mut vm, "floor", &[fl(-2.7)]), "-3.0");
    assert_eq!(w(&mut vm, "ceiling", &[fl(-0.5)]), "-0.0");
    assert_eq!(w(&mut vm, "truncate", &[fl(-2.7)]), "-2.0");
    assert_eq!(w(&mut vm, "floor", &[int(5)]), "5");
    assert_eq!(w(&mut vm, "exact", &[fl(3.0)]), "3");
    assert_eq!(w(&mut vm, "exact", &[fl(1e3)]), "1000");
    assert_eq!(w(&mut vm, "inexact", &[int(3)]), "3.0");
    assert_eq!(w(&mut vm, "exact->inexact", &[int(12)]), "12.0");
    assert!(err(&mut vm, "exact", &[fl(2.5)]).contains("exact"));
    assert!(err(&mut vm, "exact", &[fl(f64::NAN)]).contains("exact"));
    assert_eq!(w(&mut vm, "exact?", &[int(1)]), "#t");
    assert_eq!(w(&mut vm, "inexact?", &[fl(1.0)]), "#t");
}

#[test]
fn roots_powers_gcd() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "sqrt", &[int(16)]), "4");
    assert_eq!(w(&mut vm, "sqrt", &[int(0)]), "0");
    assert_eq!(w(&mut vm, "sqrt", &[int(2)]), "1.4142135623730951");
    assert_eq!(w(&mut vm, "sqrt", &[fl(2.25)]), "1.5");
    assert_eq!(w(&mut vm, "exact-integer-sqrt", &[int(17)]), "4 1");
    assert_eq!(w(&mut vm, "exact-integer-sqrt", &[int(1000000)]), "1000 0");
    assert_eq!(w(&mut vm, "expt", &[int(2), int(10)]), "1024");
    assert_eq!(w(&mut vm, "expt", &[int(0), int(0)]), "1");
    assert_eq!(w(&mut vm, "expt", &[int(-2), int(3)]), "-8");
    assert_eq!(w(&mut vm, "expt", &[fl(2.0), int(3)]), "8.0");
    assert_eq!(w(&mut vm, "expt", &[int(4), fl(0.5)]), "2.0");
    assert_eq!(w(&mut vm, "expt", &[int(2), int(-1)]), "0.5");
    assert_eq!(w(&mut vm, "gcd", &[]), "0");
    assert_eq!(w(&mut vm, "gcd", &[int(-12), int(8)]), "4");
    assert_eq!(w(&mut vm, "lcm", &[]), "1");
    assert_eq!(w(&mut vm, "lcm", &[int(-4), int(6)]), "12");
    assert_eq!(w(&mut vm, "lcm", &[int(0), int(5)]), "0");
    assert_eq!(w(&mut vm, "min", &[int(3), int(1), int(2)]), "1");
    assert_eq!(w(&mut vm, "max", &[fl(2.5), fl(-1.0)]), "2.5");
    assert_eq!(w(&mut vm, "abs", &[fl(-2.5)]), "2.5");
}

#[test]
fn number_predicates() {
    let mut vm = vm();
    let s = sym(&mut vm, "a");
    assert_eq!(w(&mut vm, "zero?", &[fl(-0.0)]), "#t");
    assert_eq!(w(&mut vm, "negative?", &[fl(-0.5)]), "#t");
    assert_eq!(w(&mut vm, "odd?", &[int(-3)]), "#t");
    assert_eq!(w(&mut vm, "even?", &[int(0)]), "#t");
    assert_eq!(w(&mut vm, "integer?", &[fl(3.0)]), "#t");
    assert_eq!(w(&mut vm, "integer?", &[fl(3.5)]), "#f");
    assert_eq!(w(&mut vm, "integer?", &[s]), "#f");
    assert_eq!(w(&mut vm, "number?", &[s]), "#f");
    assert_eq!(w(&mut vm, "nan?", &[fl(f64::NAN)]), "#t");
}

#[test]
fn number_string_conversion() {
    let mut vm = vm();
    let conv = |vm: &mut Vm, s: &str, radix: Option<i64>| {
        let v = vm.new_str(s);
        let mut args = vec![v];
        args.extend(radix.map(int));
        w(vm, "string->number", &args)
    };
    assert_eq!(conv(&mut vm, "123", None), "123");
    assert_eq!(conv(&mut vm, "-45", None), "-45");
    assert_eq!(conv(&mut vm, "2.5", None), "2.5");
    assert_eq!(conv(&mut vm, "abc", None), "#f");
    assert_eq!(conv(&mut vm, "", None), "#f");
    assert_eq!(conv(&mut vm, "12x", None), "#f");
    assert_eq!(conv(&mut vm, "ff", Some(16)), "255");
    assert_eq!(conv(&mut vm, "101", Some(2)), "5");
    assert_eq!(conv(&mut vm, "1e3", None), "1000.0");
    assert_eq!(conv(&mut vm, ".5", None), "0.5");
    assert_eq!(conv(&mut vm, "+inf.0", None), "+inf.0");
    assert_eq!(w(&mut vm, "number->string", &[int(255), int(16)]), "\"ff\"");
    assert_eq!(
        w(&mut vm, "number->string", &[int(255), int(2)]),
        "\"11111111\""
    );
    assert_eq!(w(&mut vm, "number->string", &[int(-8), int(8)]), "\"-10\"");
    assert_eq!(w(&mut vm, "number->string", &[fl(2.5)]), "\"2.5\"");
    assert_eq!(
        w(&mut vm, "number->string", &[int(i64::MIN)]),
        "\"-9223372036854775808\""
    );
}

// ----- equivalence and lists -----

#[test]
fn equivalence_predicates() {
    let mut vm = vm();
    let a = sym(&mut vm, "a");
    let l1 = vm.new_list(&[int(1), int(2)]);
    let l2 = vm.new_list(&[int(1), int(2)]);
    let s1 = vm.new_str("abc");
    let s2 = vm.new_str("abc");
    assert_eq!(w(&mut vm, "eq?", &[a, a]), "#t");
    assert_eq!(w(&mut vm, "eq?", &[Value::Null, Value::Null]), "#t");
    assert_eq!(w(&mut vm, "eq?", &[l1, l1]), "#t");
    assert_eq!(w(&mut vm, "eq?", &[l1, l2]), "#f");
    assert_eq!(w(&mut vm, "equal?", &[l1, l2]), "#t");
    assert_eq!(w(&mut vm, "eqv?", &[int(100000), int(100000)]), "#t");
    assert_eq!(w(&mut vm, "eqv?", &[int(2), fl(2.0)]), "#f");
    assert_eq!(w(&mut vm, "eqv?", &[fl(1.5), fl(1.5)]), "#t");
    assert_eq!(w(&mut vm, "eqv?", &[fl(0.0), fl(-0.0)]), "#f");
    assert_eq!(w(&mut vm, "eqv?", &[s1, s2]), "#f");
    assert_eq!(w(&mut vm, "equal?", &[s1, s2]), "#t");
    assert_eq!(w(&mut vm, "equal?", &[int(2), fl(2.0)]), "#f");
    assert_eq!(
        w(&mut vm, "equal?", &[Value::Char('a'), Value::Char('a')]),
        "#t"
    );
    let v1 = vm.new_array(vec![int(1), l1]);
    let v2 = vm.new_array(vec![int(1), l2]);
    assert_eq!(w(&mut vm, "equal?", &[v1, v2]), "#t");
    assert_eq!(w(&mut vm, "eqv?", &[v1, v2]), "#f");
    assert_eq!(w(&mut vm, "equal?", &[a, s1]), "#f");
    let car = ok(&mut vm, "car", &[l1]);
    assert_eq!(written(&vm, car), "1");
    let f = vm.globals.values[vm.globals.lookup_in("scheme", "car").unwrap() as usize];
    assert_eq!(w(&mut vm, "eq?", &[f, f]), "#t");
    assert_eq!(w(&mut vm, "not", &[Value::Bool(false)]), "#t");
    assert_eq!(w(&mut vm, "not", &[Value::Null]), "#f");
}

fn equal(vm: &mut Vm, a: Value, b: Value) -> bool {
    match ok(vm, "equal?", &[a, b]) {
        Value::Bool(x) => x,
        other => panic!("equal? gave {}", written(vm, other)),
    }
}

#[test]
fn equal_on_flat_lists_and_vectors() {
    let mut vm = vm();
    let (s1, s2) = (vm.new_str("a"), vm.new_str("a"));
    let cases: [(Vec<Value>, Vec<Value>, bool); 5] = [
        (vec![int(1), s1], vec![int(1), s2], true),
        (vec![int(1), int(2)], vec![int(1), int(2), int(3)], false),
        (vec![int(1), int(2), int(3)], vec![int(1), int(2)], false),
        (vec![fl(0.0)], vec![fl(-0.0)], false),
        (vec![], vec![], true),
    ];
    for (x, y, want) in cases {
        let (l1, l2) = (vm.new_list(&x), vm.new_list(&y));
        assert_eq!(
            equal(&mut vm, l1, l2),
            want,
            "{} {}",
            written(&vm, l1),
            written(&vm, l2)
        );
        let (v1, v2) = (vm.new_array(x), vm.new_array(y));
        assert_eq!(
            equal(&mut vm, v1, v2),
            want,
            "{} {}",
            written(&vm, v1),
            written(&vm, v2)
        );
    }
    // Improper tails, and a tail shared by both lists.
    let d1 = ok(&mut vm, "cons*", &[int(1), s1]);
    let d2 = ok(&mut vm, "cons*", &[int(1), s2]);
    assert!(equal(&mut vm, d1, d2));
    let d3 = ok(&mut vm, "cons*", &[int(1), int(2)]);
    assert!(!equal(&mut vm, d1, d3));
    let tail = vm.new_list(&[int(2), int(3)]);
    let t1 = ok(&mut vm, "cons", &[int(1), tail]);
    let t2 = ok(&mut vm, "cons", &[int(1), tail]);
    assert!(equal(&mut vm, t1, t2));
    // A vector in the tail position, and nested elements, go the long way.
    let v1 = vm.new_array(vec![int(1)]);
    let v2 = vm.new_array(vec![int(1)]);
    let n1 = ok(&mut vm, "cons*", &[int(0), v1]);
    let n2 = ok(&mut vm, "cons*", &[int(0), v2]);
    assert!(equal(&mut vm, n1, n2));
    let m1 = vm.new_list(&[int(0), v1, s1]);
    let m2 = vm.new_list(&[int(0), v2, s2]);
    assert!(equal(&mut vm, m1, m2));
}

#[test]
fn equal_on_circular_structure() {
    let mut vm = vm();
    // Two separately built #0=(1 2 3 . #0#).
    let c1 = circular_list(&mut vm, &[]);
    let c2 = circular_list(&mut vm, &[]);
    assert!(equal(&mut vm, c1, c2));
    assert!(equal(&mut vm, c1, c1));
    // The same unfolding, with a prefix: (1 2 3 . #0=(1 2 3 . #0#)).
    let p = circular_list(&mut vm, &[int(1), int(2), int(3)]);
    assert!(equal(&mut vm, p, c1));
    // Different unfolding: (0 . #0=(1 2 3 . #0#)), and a proper list.
    let q = circular_list(&mut vm, &[int(0)]);
    assert!(!equal(&mut vm, q, c1));
    let proper = vm.new_list(&[int(1), int(2), int(3), int(1), int(2), int(3)]);
    assert!(!equal(&mut vm, proper, c1));
    // #0=(1 . #0#) and #0=(1 1 . #0#) unfold the same.
    let one = vm.new_list(&[int(1)]);
    ok(&mut vm, "set-cdr!", &[one, one]);
    let two = vm.new_list(&[int(1), int(1)]);
    let two_last = ok(&mut vm, "cdr", &[two]);
    ok(&mut vm, "set-cdr!", &[two_last, two]);
    assert!(equal(&mut vm, one, two));
    // Cycles through the car and through vectors.
    let a = vm.new_list(&[int(7)]);
    ok(&mut vm, "set-car!", &[a, a]);
    let b = vm.new_list(&[int(7)]);
    ok(&mut vm, "set-car!", &[b, b]);
    assert!(equal(&mut vm, a, b));
    let v1 = ok(&mut vm, "make-vector", &[int(2), int(1)]);
    let v2 = ok(&mut vm, "make-vector", &[int(2), int(1)]);
    ok(&mut vm, "vector-set!", &[v1, int(1), v1]);
    ok(&mut vm, "vector-set!", &[v2, int(1), v2]);
    assert!(equal(&mut vm, v1, v2));
    ok(&mut vm, "vector-set!", &[v2, int(0), int(2)]);
    assert!(!equal(&mut vm, v1, v2));
}

/// `depth` nested one-element lists around `leaf`: `((((leaf))))`; alternately vectors
/// when `vectors`.
fn nested(vm: &mut Vm, depth: usize, leaf: Value, vectors: bool) -> Value {
    let mut v = leaf;
    for i in 0..depth {
        v = if vectors && i % 2 == 0 {
            ok(vm, "vector", &[v])
        } else {
            vm.new_list(&[v])
        };
    }
    v
}

#[test]
fn equal_at_any_depth() {
    let mut vm = vm();
    for vectors in [false, true] {
        let a = nested(&mut vm, 100_000, int(1), vectors);
        let b = nested(&mut vm, 100_000, int(1), vectors);
        assert!(equal(&mut vm, a, b), "100,000 deep, vectors: {vectors}");
        let c = nested(&mut vm, 100_000, int(2), vectors);
        assert!(!equal(&mut vm, a, c), "100,000 deep, vectors: {vectors}");
        let d = nested(&mut vm, 99_999, int(1), vectors);
        assert!(!equal(&mut vm, a, d), "one level less, vectors: {vectors}");
    }
    // 20,000 deep (the old limit was 10,000, past which equal? said #f).
    let a = nested(&mut vm, 20_000, int(1), false);
    let b = nested(&mut vm, 20_000, int(1), false);
    assert!(equal(&mut vm, a, b));
    // A long list, equal and differing in its last element.
    let items: Vec<Value> = (0..1_000_000).map(int).collect();
    let l1 = vm.new_list(&items);
    let l2 = vm.new_list(&items);
    assert!(equal(&mut vm, l1, l2));
    let mut other = items.clone();
    other[999_999] = int(-1);
    let l3 = vm.new_list(&other);
    assert!(!equal(&mut vm, l1, l3));
}

#[test]
fn equal_on_shared_structure_finishes() {
    let mut vm = vm();
    // node(i) = (node(i-1) . node(i-1)), 60 levels: 2^60 paths, 61 distinct pairs.
    let dag = |vm: &mut Vm, leaf: i64| {
        let mut v = int(leaf);
        for _ in 0..60 {
            v = ok(vm, "cons", &[v, v]);
        }
        v
    };
    let a = dag(&mut vm, 1);
    let b = dag(&mut vm, 1);
    assert!(equal(&mut vm, a, b));
    let c = dag(&mut vm, 2);
    assert!(!equal(&mut vm, a, c));
    // The same with vectors: v(i) = #(v(i-1) v(i-1)).
    let vdag = |vm: &mut Vm, leaf: i64| {
        let mut v = int(leaf);
        for _ in 0..60 {
            v = ok(vm, "vector", &[v, v]);
        }
        v
    };
    let a = vdag(&mut vm, 1);
    let b = vdag(&mut vm, 1);
    assert!(equal(&mut vm, a, b));
    // Only the last copy of the leaf differs: found after the shared part is assumed.
    let x = vdag(&mut vm, 1);
    let y = vdag(&mut vm, 1);
    let top_x = ok(&mut vm, "vector", &[x, int(5)]);
    let top_y = ok(&mut vm, "vector", &[y, int(6)]);
    assert!(!equal(&mut vm, top_x, top_y));
}

#[test]
fn list_operations() {
    let mut vm = vm();
    let l = vm.new_list(&[int(1), int(2), int(3)]);
    let l2 = vm.new_list(&[int(4), int(5)]);
    assert_eq!(w(&mut vm, "length", &[l]), "3");
    assert_eq!(w(&mut vm, "append", &[l, l2]), "(1 2 3 4 5)");
    assert_eq!(w(&mut vm, "append", &[]), "()");
    assert_eq!(w(&mut vm, "append", &[l, int(9)]), "(1 2 3 . 9)");
    assert_eq!(w(&mut vm, "reverse", &[l]), "(3 2 1)");
    assert_eq!(w(&mut vm, "list-tail", &[l, int(2)]), "(3)");
    assert_eq!(w(&mut vm, "list-ref", &[l, int(1)]), "2");
    assert_eq!(w(&mut vm, "cadr", &[l]), "2");
    assert_eq!(w(&mut vm, "cddr", &[l]), "(3)");
    assert_eq!(w(&mut vm, "caddr", &[l]), "3");
    assert_eq!(w(&mut vm, "cdddr", &[l]), "()");
    assert!(err(&mut vm, "cadddr", &[l]).contains("cadddr"));
    assert_eq!(w(&mut vm, "memv", &[int(2), l]), "(2 3)");
    assert_eq!(w(&mut vm, "memq", &[int(7), l]), "#f");
    assert_eq!(w(&mut vm, "list?", &[l]), "#t");
    let dotted = ok(&mut vm, "cons", &[int(1), int(2)]);
    assert_eq!(w(&mut vm, "list?", &[dotted]), "#f");
    assert!(err(&mut vm, "length", &[dotted]).contains("length"));
    let a = sym(&mut vm, "a");
    let e1 = ok(&mut vm, "cons", &[int(1), a]);
    let key = vm.new_str("k");
    let e2 = ok(&mut vm, "cons", &[key, int(2)]);
    let alist = vm.new_list(&[e1, e2]);
    let k2 = vm.new_str("k");
    assert_eq!(w(&mut vm, "assv", &[int(1), alist]), "(1 . a)");
    assert_eq!(w(&mut vm, "assoc", &[k2, alist]), "(\"k\" . 2)");
    assert_eq!(w(&mut vm, "assq", &[k2, alist]), "#f");
    assert_eq!(w(&mut vm, "list-copy", &[l]), "(1 2 3)");
    assert_eq!(w(&mut vm, "make-list", &[int(2), int(0)]), "(0 0)");
    assert_eq!(w(&mut vm, "cons*", &[int(1), int(2), l2]), "(1 2 4 5)");
    assert_eq!(w(&mut vm, "iota", &[int(5)]), "(0 1 2 3 4)");
    assert_eq!(w(&mut vm, "last-pair", &[l]), "(3)");
    // Mutation shows through the shared structure.
    ok(&mut vm, "set-car!", &[l, int(10)]);
    assert_eq!(written(&vm, l), "(10 2 3)");
    let msg = err(&mut vm, "car", &[Value::Null]);
    assert!(msg.starts_with("car"), "{msg}");
    // A circular list has no length (and printing it terminates).
    let c = ok(&mut vm, "list", &[int(1), int(2)]);
    let tail = ok(&mut vm, "cdr", &[c]);
    ok(&mut vm, "set-cdr!", &[tail, c]);
    assert_eq!(w(&mut vm, "list?", &[c]), "#f");
    let mut s = String::new();
    tandem_vm::builtins::scheme::printer::write_limited(&vm, c, true, &mut s, 100);
    assert!(s.len() < 200);
}

#[test]
fn length_arguments_say_what_is_wrong() {
    let mut vm = vm();
    // Over the cap: "too large", not "expected a non-negative length".
    for name in [
        "make-string",
        "make-vector",
        "make-bytevector",
        "make-list",
        "iota",
    ] {
        let e = err(&mut vm, name, &[int(1_000_000_000_000)]);
        assert!(e.starts_with(name) && e.contains("too large"), "{e}");
        let e = err(&mut vm, name, &[int(-1)]);
        assert!(e.contains("a non-negative length"), "{e}");
        let e = err(&mut vm, name, &[fl(2.0)]);
        assert!(e.contains("a non-negative length"), "{e}");
    }
    assert_eq!(w(&mut vm, "make-vector", &[int(2), int(7)]), "#(7 7)");
    assert_eq!(w(&mut vm, "make-bytevector", &[int(2), int(7)]), "#u8(7 7)");
}

#[test]
fn iota_checks_start_and_step() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "iota", &[int(3), int(10), int(-2)]), "(10 8 6)");
    assert_eq!(w(&mut vm, "iota", &[int(3), fl(0.5)]), "(0.5 1.5 2.5)");
    assert_eq!(
        w(&mut vm, "iota", &[int(3), int(1), fl(0.5)]),
        "(1.0 1.5 2.0)"
    );
    assert_eq!(w(&mut vm, "iota", &[int(0), int(5)]), "()");
    // The types are checked even when no element is made.
    let s = vm.new_str("x");
    assert!(err(&mut vm, "iota", &[int(0), s]).contains("a number"));
    assert!(err(&mut vm, "iota", &[int(0), int(0), s]).contains("a number"));
    // The last element would not fit in an exact integer.
    let e = err(&mut vm, "iota", &[int(3), int(i64::MAX - 1)]);
    assert!(e.contains("overflow"), "{e}");
    assert_eq!(
        w(&mut vm, "iota", &[int(2), int(i64::MAX - 1)]),
        "(9223372036854775806 9223372036854775807)"
    );
}

#[test]
fn lists_built_onto_a_tail() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "cons*", &[int(1)]), "1");
    assert_eq!(w(&mut vm, "cons*", &[int(1), int(2), int(3)]), "(1 2 . 3)");
    let l = vm.new_list(&[int(1), int(2)]);
    assert_eq!(w(&mut vm, "append", &[l, l, Value::Null]), "(1 2 1 2)");
    // append shares its last argument; list-copy keeps an improper tail.
    let shared = ok(&mut vm, "append", &[l, l]);
    let tail = ok(&mut vm, "cddr", &[shared]);
    assert_eq!(w(&mut vm, "eq?", &[tail, l]), "#t");
    let dotted = ok(&mut vm, "cons*", &[int(1), int(2), int(3)]);
    assert_eq!(w(&mut vm, "list-copy", &[dotted]), "(1 2 . 3)");
    assert_eq!(w(&mut vm, "list-copy", &[int(5)]), "5");
    assert_eq!(w(&mut vm, "reverse", &[Value::Null]), "()");
    for name in ["car", "cdr"] {
        let e = err(&mut vm, name, &[int(1)]);
        assert_eq!(e, format!("{name}: expected a pair, got 1"));
    }
    for name in ["set-car!", "set-cdr!"] {
        let e = err(&mut vm, name, &[Value::Null, int(1)]);
        assert_eq!(e, format!("{name}: expected a pair, got ()"));
    }
}

#[test]
fn huge_results_are_refused_before_allocating() {
    let mut vm = vm();
    // 4096 copies of one 300 KB string join to 1.2 GB: over the string cap.
    let big = vm.new_str("x".repeat(300_000));
    let parts = vm.new_list(&vec![big; 4096]);
    let e = err(&mut vm, "string-join", &[parts]);
    assert_eq!(e, "string-join: result is too large");
    let dash = vm.new_str("-");
    let few = vm.new_list(&[big, big]);
    let joined = ok(&mut vm, "string-join", &[few, dash]);
    assert_eq!(w(&mut vm, "string-length", &[joined]), "600001");

    // 700 copies of a 100,000-element vector: 70 million elements.
    let v = ok(&mut vm, "make-vector", &[int(100_000), int(0)]);
    let e = err(&mut vm, "vector-append", &vec![v; 700]);
    assert_eq!(e, "vector-append: result is too large");
    let two = ok(&mut vm, "vector-append", &[v, v]);
    assert_eq!(w(&mut vm, "vector-length", &[two]), "200000");

    // 1100 copies of a 1 MiB bytevector: over 1 GiB.
    let b = ok(&mut vm, "make-bytevector", &[int(1 << 20), int(1)]);
    let e = err(&mut vm, "bytevector-append", &vec![b; 1100]);
    assert_eq!(e, "bytevector-append: result is too large");
    let two = ok(&mut vm, "bytevector-append", &[b, b]);
    assert_eq!(w(&mut vm, "bytevector-length", &[two]), "2097152");

    // 70 million characters as a list, a vector or split pieces.
    let long = vm.new_str("a".repeat(70_000_000));
    for name in ["string->list", "string->vector"] {
        assert_eq!(
            err(&mut vm, name, &[long]),
            format!("{name}: result is too large")
        );
    }
    assert_eq!(
        w(&mut vm, "string->list", &[long, int(5), int(8)]),
        "(#\\a #\\a #\\a)"
    );
    let e = err(&mut vm, "string-split", &[long, Value::Char('a')]);
    assert_eq!(e, "string-split: result is too large");
    let csv = vm.new_str("a,b,,c");
    assert_eq!(
        w(&mut vm, "string-split", &[csv, Value::Char(',')]),
        "(\"a\" \"b\" \"\" \"c\")"
    );
}

/// `(1 2 3)` with its last cdr pointing back to the first pair, behind an optional prefix.
fn circular_list(vm: &mut Vm, prefix: &[Value]) -> Value {
    let c = vm.new_list(&[int(1), int(2), int(3)]);
    let last = ok(vm, "last-pair", &[c]);
    ok(vm, "set-cdr!", &[last, c]);
    let mut l = c;
    for &v in prefix.iter().rev() {
        l = ok(vm, "cons", &[v, l]);
    }
    l
}

#[test]
fn searching_a_circular_list_terminates() {
    let mut vm = vm();
    let c = circular_list(&mut vm, &[]);
    for name in ["memq", "memv", "member"] {
        let e = err(&mut vm, name, &[int(9), c]);
        assert!(
            e.starts_with(name) && e.contains("circular list #0=(1 2 3 . #0#)"),
            "{e}"
        );
        // An element that is there is still found.
        let found = ok(&mut vm, name, &[int(3), c]);
        assert_eq!(w(&mut vm, "car", &[found]), "3");
    }
    let e1 = ok(&mut vm, "list", &[int(1), int(10)]);
    let e2 = ok(&mut vm, "list", &[int(2), int(20)]);
    let al = vm.new_list(&[e1, e2]);
    let last = ok(&mut vm, "last-pair", &[al]);
    ok(&mut vm, "set-cdr!", &[last, al]);
    for name in ["assq", "assv", "assoc"] {
        let e = err(&mut vm, name, &[int(9), al]);
        assert!(e.starts_with(name) && e.contains("circular"), "{e}");
        assert_eq!(w(&mut vm, name, &[int(2), al]), "(2 20)");
    }
}

#[test]
fn list_tail_of_a_huge_index_terminates() {
    let mut vm = vm();
    let l = vm.new_list(&[int(1), int(2), int(3)]);
    let e = err(&mut vm, "list-tail", &[l, int(i64::MAX)]);
    assert_eq!(
        e,
        "list-tail: index 9223372036854775807 is past the end of the list"
    );
    assert!(err(&mut vm, "list-ref", &[l, int(3)]).contains("past the end"));
    // A circular list has every length: the walk goes round the cycle k mod 3 times.
    let c = circular_list(&mut vm, &[]);
    // i64::MAX = 3 * 3074457345618258602 + 1.
    assert_eq!(w(&mut vm, "list-ref", &[c, int(i64::MAX)]), "2");
    assert_eq!(w(&mut vm, "list-ref", &[c, int(3_000_000_000_000)]), "1");
    assert_eq!(w(&mut vm, "list-ref", &[c, int(5)]), "3");
    let t = ok(&mut vm, "list-tail", &[c, int(3)]);
    assert_eq!(w(&mut vm, "eq?", &[t, c]), "#t");
    // With a prefix before the cycle: (0 . #0=(1 2 3 . #0#)).
    let p = circular_list(&mut vm, &[int(0)]);
    assert_eq!(w(&mut vm, "list-ref", &[p, int(0)]), "0");
    assert_eq!(w(&mut vm, "list-ref", &[p, int(1)]), "1");
    // Index k >= 1 is element (k - 1) mod 3 of the cycle; 10^18 - 1 = 0 mod 3.
    assert_eq!(
        w(&mut vm, "list-ref", &[p, int(1_000_000_000_000_000_000)]),
        "1"
    );
    assert_eq!(
        w(&mut vm, "list-ref", &[p, int(1_000_000_000_000_000_002)]),
        "3"
    );
    ok(&mut vm, "list-set!", &[p, int(i64::MAX), int(99)]);
    // i64::MAX - 1 = 0 mod 3: the cycle's first element was set.
    assert_eq!(w(&mut vm, "list-ref", &[p, int(1)]), "99");
}

#[test]
fn hash_table_keys_keep_their_kind() {
    let mut vm = vm();
    let t = ok(&mut vm, "make-hash-table", &[]);
    let one_str = vm.new_str("1");
    let forty_two = vm.new_str("42");
    let a_str = vm.new_str("a");
    let a_sym = sym(&mut vm, "a");
    // A string that starts with NUL, spelled like a symbol's key used to be.
    let nul_a = vm.new_str("\0a");
    let nul_ya = vm.new_str("\0ya");
    let missing = sym(&mut vm, "missing");
    ok(&mut vm, "hash-table-set!", &[t, int(1), int(100)]);
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, one_str, missing]),
        "missing"
    );
    assert_eq!(w(&mut vm, "hash-table-contains?", &[t, one_str]), "#f");
    ok(&mut vm, "hash-table-set!", &[t, one_str, int(101)]);
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, int(1), missing]),
        "100"
    );
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, one_str, missing]),
        "101"
    );
    ok(&mut vm, "hash-table-delete!", &[t, one_str]);
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, int(1), missing]),
        "100"
    );
    assert_eq!(w(&mut vm, "hash-table-contains?", &[t, one_str]), "#f");

    let t = ok(&mut vm, "make-hash-table", &[]);
    for (k, v) in [
        (forty_two, 1),
        (a_str, 2),
        (a_sym, 3),
        (nul_a, 4),
        (nul_ya, 5),
    ] {
        ok(&mut vm, "hash-table-set!", &[t, k, int(v)]);
    }
    assert_eq!(w(&mut vm, "hash-table-size", &[t]), "5");
    assert_eq!(
        w(&mut vm, "hash-table-keys", &[t]),
        "(\"42\" \"a\" a \"\\x0;a\" \"\\x0;ya\")"
    );
    assert_eq!(
        w(&mut vm, "hash-table->alist", &[t]),
        "((\"42\" . 1) (\"a\" . 2) (a . 3) (\"\\x0;a\" . 4) (\"\\x0;ya\" . 5))"
    );
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, int(42), missing]),
        "missing"
    );
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, a_sym, missing]),
        "3"
    );
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, nul_a, missing]),
        "4"
    );
    // A symbol with a long name (past the key's inline buffer).
    let long = sym(&mut vm, &"s".repeat(100));
    ok(&mut vm, "hash-table-set!", &[t, long, int(6)]);
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, long, missing]),
        "6"
    );
    let long_str = vm.new_str("s".repeat(100));
    assert_eq!(
        w(&mut vm, "hash-table-ref/default", &[t, long_str, missing]),
        "missing"
    );
    let e = err(&mut vm, "hash-table-set!", &[t, fl(1.5), int(0)]);
    assert!(e.contains("exact integers, strings or symbols"), "{e}");
}

#[test]
fn sorting_a_long_list_needs_little_stack() {
    // 200,000 pseudo-random keys sorted with calls limited to 1,000 deep: the merge used to
    // recurse once per element.
    let src = "
(define (make n seed)
  (let loop ((i 0) (x seed) (acc '()))
    (if (= i n) acc (loop (+ i 1) (modulo (+ (* x 1103515245) 12345) 2147483648)
                          (cons (cons (modulo x 1000) i) acc)))))
(define xs (make 200000 42))
(define sorted (sort xs (lambda (a b) (< (car a) (car b)))))
(define (check l n)
  (cond ((null? (cdr l)) (+ n 1))
        ((< (car (car (cdr l))) (car (car l))) 'unsorted)
        ;; Stable: equal keys keep their order (the second field counts down in xs).
        ((and (= (car (car (cdr l))) (car (car l))) (< (cdr (car l)) (cdr (car (cdr l)))))
         'unstable)
        (else (check (cdr l) (+ n 1)))))
(display (check sorted 0)) (newline)
(display (list-head '(1 2 3) 2)) (display (list-head '(1 2) 0))
(display (list-sort < '(3 1 2))) (display (sort (vector 2 3 1) <)) (newline)
";
    assert_eq!(
        run_scheme(src, 1000).as_deref(),
        Ok("200000\n(1 2)()(1 2 3)#(1 2 3)\n")
    );
}

#[test]
fn member_and_assoc_with_a_predicate() {
    let src = r#"
(display (member 2.0 '(1 2 3) =))
(display (member 5 '(1 2 3) <))
(display (member "B" '("a" "b") string-ci=?))
(display (member 9 '(1 2) =))
(display (assoc 2.0 '((1 . one) (2 . two)) =))
(display (assoc "K" '(("k" . v)) string-ci=?))
(display (assoc 3 '((1 . one)) =))
(display (member 1 '(1 2)))
(display (assoc 1 '((1 . x))))
"#;
    assert_eq!(
        run_scheme(src, 1000).as_deref(),
        Ok("(2 3)#f(b)#f(2 . two)(k . v)#f(1 2)(1 . x)")
    );
}

#[test]
fn last_and_last_pair() {
    let mut vm = vm();
    let l = vm.new_list(&[int(1), int(2), int(3)]);
    assert_eq!(w(&mut vm, "last", &[l]), "3");
    assert_eq!(w(&mut vm, "last-pair", &[l]), "(3)");
    let dotted = ok(&mut vm, "cons*", &[int(1), int(2), int(3)]);
    assert_eq!(w(&mut vm, "last-pair", &[dotted]), "(2 . 3)");
    assert_eq!(w(&mut vm, "last", &[dotted]), "2");
    assert_eq!(
        err(&mut vm, "last", &[Value::Null]),
        "last: expected a non-empty list, got ()"
    );
    assert_eq!(
        err(&mut vm, "last-pair", &[int(4)]),
        "last-pair: expected a pair, got 4"
    );
    // A circular list has no last pair, and the error says so.
    let c = circular_list(&mut vm, &[int(0)]);
    for name in ["last", "last-pair"] {
        let e = err(&mut vm, name, &[c]);
        assert_eq!(
            e,
            format!("{name}: expected a proper list, got a circular list (0 . #0=(1 2 3 . #0#))")
        );
    }
    let one = vm.new_list(&[int(1)]);
    ok(&mut vm, "set-cdr!", &[one, one]);
    assert!(err(&mut vm, "last", &[one]).contains("circular"));
}

#[test]
fn delete_duplicates_keeps_first_occurrences() {
    let mut vm = vm();
    let a1 = vm.new_str("a");
    let a2 = vm.new_str("a");
    let b = vm.new_str("b");
    let x = sym(&mut vm, "x");
    let p1 = vm.new_list(&[int(1), int(2)]);
    let p2 = vm.new_list(&[int(1), int(2)]);
    let p3 = vm.new_list(&[int(1)]);
    let v1 = vm.new_array(vec![int(1)]);
    let v2 = vm.new_array(vec![int(1)]);
    let items = [
        int(1),
        fl(1.0),
        int(1),
        a1,
        x,
        a2,
        b,
        x,
        fl(0.0),
        fl(-0.0),
        fl(0.0),
        p1,
        p3,
        p2,
        Value::Char('c'),
        Value::Char('c'),
        v1,
        v2,
        Value::Bool(false),
        Value::Null,
        Value::Null,
    ];
    let l = vm.new_list(&items);
    assert_eq!(
        w(&mut vm, "delete-duplicates", &[l]),
        "(1 1.0 \"a\" x \"b\" 0.0 -0.0 (1 2) (1) #\\c #(1) #f ())"
    );
    // 300,000 elements with 1,000 distinct values: hashed, not compared pairwise.
    let many: Vec<Value> = (0..300_000).map(|i| int(i % 1000)).collect();
    let l = vm.new_list(&many);
    let d = ok(&mut vm, "delete-duplicates", &[l]);
    assert_eq!(w(&mut vm, "length", &[d]), "1000");
    assert_eq!(w(&mut vm, "list-ref", &[d, int(999)]), "999");
}

// ----- characters, strings, symbols -----

#[test]
fn strings_and_chars() {
    let mut vm = vm();
    let s = vm.new_str("Hello, World");
    assert_eq!(w(&mut vm, "string-length", &[s]), "12");
    assert_eq!(w(&mut vm, "string-ref", &[s, int(7)]), "#\\W");
    assert_eq!(w(&mut vm, "substring", &[s, int(0), int(5)]), "\"Hello\"");
    assert_eq!(w(&mut vm, "string-copy", &[s, int(7)]), "\"World\"");
    assert!(err(&mut vm, "string-ref", &[s, int(12)]).contains("string-ref"));
    let u = vm.new_str("héllo");
    assert_eq!(w(&mut vm, "string-length", &[u]), "5");
    assert_eq!(w(&mut vm, "string-ref", &[u, int(1)]), "#\\é");
    assert_eq!(w(&mut vm, "substring", &[u, int(1), int(3)]), "\"él\"");
    assert_eq!(w(&mut vm, "string->list", &[u, int(3)]), "(#\\l #\\o)");
    let l = vm.new_list(&[Value::Char('x'), Value::Char('y')]);
    assert_eq!(w(&mut vm, "list->string", &[l]), "\"xy\"");
    let a = vm.new_str("abc");
    let b = vm.new_str("abd");
    assert_eq!(w(&mut vm, "string<?", &[a, b]), "#t");
    assert_eq!(w(&mut vm, "string=?", &[a, a, b]), "#f");
    assert_eq!(w(&mut vm, "string-append", &[a, b]), "\"abcabd\"");
    assert_eq!(w(&mut vm, "string-upcase", &[a]), "\"ABC\"");
    assert_eq!(w(&mut vm, "char-upcase", &[Value::Char('a')]), "#\\A");
    assert_eq!(w(&mut vm, "char->integer", &[Value::Char('A')]), "65");
    assert_eq!(w(&mut vm, "integer->char", &[int(32)]), "#\\space");
    assert_eq!(
        w(&mut vm, "char<?", &[Value::Char('a'), Value::Char('b')]),
        "#t"
    );
    assert_eq!(w(&mut vm, "string->symbol", &[a]), "abc");
    let sym_a = sym(&mut vm, "abc");
    let interned = ok(&mut vm, "string->symbol", &[a]);
    assert_eq!(w(&mut vm, "eq?", &[interned, sym_a]), "#t");
    assert_eq!(w(&mut vm, "symbol->string", &[sym_a]), "\"abc\"");
    assert_eq!(w(&mut vm, "string-index", &[s, Value::Char('o')]), "4");
    let needle = vm.new_str("World");
    assert_eq!(w(&mut vm, "string-contains", &[s, needle]), "7");
    assert_eq!(
        w(&mut vm, "make-string", &[int(3), Value::Char('z')]),
        "\"zzz\""
    );
}

#[test]
fn comparison_chains() {
    let mut vm = vm();
    let c = Value::Char;
    assert_eq!(w(&mut vm, "char<?", &[c('a'), c('b'), c('c')]), "#t");
    assert_eq!(w(&mut vm, "char<?", &[c('a'), c('c'), c('b')]), "#f");
    assert_eq!(w(&mut vm, "char-ci=?", &[c('a'), c('A'), c('a')]), "#t");
    assert_eq!(w(&mut vm, "char-ci<?", &[c('a'), c('B')]), "#t");
    assert_eq!(w(&mut vm, "char=?", &[c('x')]), "#t");
    // Every argument is checked, also after a false pair.
    let e = err(&mut vm, "char<?", &[c('b'), c('a'), int(1)]);
    assert_eq!(e, "char<?: expected a character, got 1");
    let [abc, abd, up, e_acute, e_acute_up] =
        ["abc", "abd", "ABC", "é", "É"].map(|t| vm.new_str(t));
    assert_eq!(w(&mut vm, "string<?", &[abc, abd]), "#t");
    assert_eq!(w(&mut vm, "string<=?", &[abc, abc, abd]), "#t");
    assert_eq!(w(&mut vm, "string>?", &[abd, abc, up]), "#t");
    assert_eq!(w(&mut vm, "string=?", &[abc, up]), "#f");
    assert_eq!(w(&mut vm, "string-ci=?", &[abc, up, abc]), "#t");
    assert_eq!(w(&mut vm, "string-ci<?", &[up, abd]), "#t");
    assert_eq!(w(&mut vm, "string-ci=?", &[e_acute, e_acute_up]), "#t");
    assert_eq!(w(&mut vm, "string-ci<?", &[up, e_acute_up]), "#t");
    let e = err(&mut vm, "string=?", &[abc, abd, c('a')]);
    assert_eq!(e, "string=?: expected a string, got #\\a");
    let t = Value::Bool(true);
    let f = Value::Bool(false);
    assert_eq!(w(&mut vm, "boolean=?", &[t, t, t]), "#t");
    assert_eq!(w(&mut vm, "boolean=?", &[t, f]), "#f");
    let e = err(&mut vm, "boolean=?", &[t, f, int(0)]);
    assert_eq!(e, "boolean=?: expected a boolean, got 0");
    let [x, y] = ["x", "y"].map(|n| sym(&mut vm, n));
    assert_eq!(w(&mut vm, "symbol=?", &[x, x, x]), "#t");
    assert_eq!(w(&mut vm, "symbol=?", &[x, y]), "#f");
    let e = err(&mut vm, "symbol=?", &[x, y, abc]);
    assert_eq!(e, "symbol=?: expected a symbol, got \"abc\"");
    assert_eq!(w(&mut vm, "=", &[int(1), fl(1.0), int(1)]), "#t");
    assert_eq!(w(&mut vm, "<", &[int(1), fl(1.5), int(2)]), "#t");
    assert_eq!(w(&mut vm, "<", &[int(1), fl(f64::NAN)]), "#f");
    let e = err(&mut vm, ">=", &[int(2), int(1), abc]);
    assert_eq!(e, ">=: expected a number, got \"abc\"");
}

// ----- the printer -----

#[test]
fn floats_print_like_chibi() {
    let vm = vm();
    for (f, text) in [
        (0.5, "0.5"),
        (3.0, "3.0"),
        (-0.0, "-0.0"),
        (-2.25, "-2.25"),
        (100.0, "100.0"),
        (0.1, "0.1"),
        (12.125, "12.125"),
        (1000000.0, "1000000.0"),
        (123.456, "123.456"),
        (1.0 / 3.0, "0.3333333333333333"),
        (f64::INFINITY, "+inf.0"),
        (f64::NEG_INFINITY, "-inf.0"),
        (f64::NAN, "+nan.0"),
        (1e21, "1e+21"),
    ] {
        assert_eq!(written(&vm, fl(f)), text);
        assert_eq!(displayed(&vm, fl(f)), text);
    }
}

#[test]
fn write_and_display_nested_data() {
    let mut vm = vm();
    let two = vm.new_str("two");
    let six = vm.new_str("six");
    let inner = vm.new_list(&[fl(4.5), six]);
    let l = vm.new_list(&[int(1), two, Value::Char('3'), inner]);
    assert_eq!(written(&vm, l), "(1 \"two\" #\\3 (4.5 \"six\"))");
    assert_eq!(displayed(&vm, l), "(1 two 3 (4.5 six))");
    let a = sym(&mut vm, "a");
    let b = sym(&mut vm, "b");
    let dotted = ok(&mut vm, "cons", &[a, b]);
    assert_eq!(written(&vm, dotted), "(a . b)");
    let q = sym(&mut vm, "quote");
    let x = sym(&mut vm, "x");
    let quoted = vm.new_list(&[q, x]);
    assert_eq!(written(&vm, quoted), "(quote x)");
    let sa = vm.new_str("a");
    let v = vm.new_array(vec![int(1), sa, Value::Char('b')]);
    assert_eq!(written(&vm, v), "#(1 \"a\" #\\b)");
    assert_eq!(displayed(&vm, v), "#(1 a b)");
    let empty = vm.new_array(vec![]);
    assert_eq!(written(&vm, empty), "#()");
    let bv = ok(&mut vm, "bytevector", &[int(1), int(2), int(3)]);
    assert_eq!(written(&vm, bv), "#u8(1 2 3)");
    let nested_empty = vm.new_list(&[Value::Null, Value::Null]);
    assert_eq!(written(&vm, nested_empty), "(() ())");
    assert_eq!(written(&vm, Value::Bool(true)), "#t");
    assert_eq!(written(&vm, Value::Bool(false)), "#f");
    let esc = vm.new_str("a\"b\\c\nd");
    assert_eq!(written(&vm, esc), "\"a\\\"b\\\\c\\nd\"");
    assert_eq!(displayed(&vm, esc), "a\"b\\c\nd");
    assert_eq!(written(&vm, Value::Char(' ')), "#\\space");
    assert_eq!(written(&vm, Value::Char('\n')), "#\\newline");
    assert_eq!(displayed(&vm, Value::Char(' ')), " ");
    let odd = sym(&mut vm, "hello world");
    assert_eq!(written(&vm, odd), "|hello world|");
    assert_eq!(displayed(&vm, odd), "hello world");
    let camel = sym(&mut vm, "CamelCase");
    assert_eq!(written(&vm, camel), "CamelCase");
    let numeric = sym(&mut vm, "12");
    assert_eq!(written(&vm, numeric), "|12|");
    let car = vm.globals.values[vm.globals.lookup_in("scheme", "car").unwrap() as usize];
    assert_eq!(written(&vm, car), "#<procedure car>");
}

#[test]
fn jue_notation() {
    let mut vm = vm();
    let jue = |vm: &Vm, v: Value| {
        let mut s = String::new();
        write_jue(vm, v, &mut s);
        s
    };
    assert_eq!(jue(&vm, Value::Bool(true)), "true");
    assert_eq!(jue(&vm, Value::Bool(false)), "false");
    assert_eq!(jue(&vm, Value::Null), "nil");
    let l = vm.new_list(&[int(1), int(2)]);
    assert_eq!(jue(&vm, l), "(1 2)");
    let s = vm.new_str("s");
    assert_eq!(jue(&vm, s), "\"s\"");
    let (mut vm2, buf) = new_vm();
    ok(&mut vm2, "%jue-print", &[Value::Bool(false)]);
    ok(&mut vm2, "%jue-print", &[Value::Null]);
    ok(&mut vm2, "%jue-print", &[fl(-0.0)]);
    assert_eq!(captured(&buf), "false\nnil\n-0.0\n");
}

// ----- output and string ports -----

#[test]
fn strings_and_characters_written_as_they_are() {
    let (mut vm, buf) = new_vm();
    let port = ok(&mut vm, "open-output-string", &[]);
    let text = vm.new_str("héllo \"wörld\"");
    ok(&mut vm, "display", &[text, port]);
    ok(&mut vm, "display", &[Value::Char('é'), port]);
    ok(&mut vm, "write-string", &[text, port, int(1), int(3)]);
    ok(&mut vm, "write-string", &[text, port, int(7)]);
    ok(&mut vm, "write-string", &[text, port, int(13), int(13)]);
    assert_eq!(
        w(&mut vm, "get-output-string", &[port]),
        "\"héllo \\\"wörld\\\"éélwörld\\\"\""
    );
    let e = err(&mut vm, "write-string", &[text, port, int(3), int(2)]);
    assert_eq!(e, "write-string: start 3 is after end 2");
    let e = err(&mut vm, "write-string", &[text, port, int(14)]);
    assert_eq!(e, "write-string: index 14 out of range (length 13)");
    ok(&mut vm, "display", &[text]);
    ok(&mut vm, "display", &[Value::Char('λ')]);
    assert_eq!(captured(&buf), "héllo \"wörld\"λ");
    // Denied standard output is refused before anything is written, strings included.
    vm.caps = Caps::NONE;
    assert!(err(&mut vm, "display", &[text]).contains("capability denied"));
    assert!(err(&mut vm, "display", &[Value::Char('x')]).contains("capability denied"));

    // vector->string and vector->list read a range of the vector in place.
    let v = vm.new_array(vec![Value::Char('a'), Value::Char('b'), int(3)]);
    assert_eq!(w(&mut vm, "vector->string", &[v, int(0), int(2)]), "\"ab\"");
    let e = err(&mut vm, "vector->string", &[v]);
    assert_eq!(e, "vector->string: expected a character, got 3");
    assert_eq!(w(&mut vm, "vector->list", &[v, int(1)]), "(#\\b 3)");
}

#[test]
fn output_procedures_and_string_ports() {
    let (mut vm, buf) = new_vm();
    let hello = vm.new_str("hi \"x\"");
    ok(&mut vm, "display", &[hello]);
    ok(&mut vm, "write", &[hello]);
    ok(&mut vm, "newline", &[]);
    ok(&mut vm, "write-char", &[Value::Char('W')]);
    assert_eq!(captured(&buf), "hi \"x\"\"hi \\\"x\\\"\"\nW");
    let port = ok(&mut vm, "open-output-string", &[]);
    let part = vm.new_str("hello");
    ok(&mut vm, "write-string", &[part, port]);
    ok(&mut vm, "write-char", &[Value::Char(' '), port]);
    ok(&mut vm, "display", &[int(42), port]);
    let quoted = vm.new_str("q");
    ok(&mut vm, "write", &[quoted, port]);
    assert_eq!(
        w(&mut vm, "get-output-string", &[port]),
        "\"hello 42\\\"q\\\"\""
    );
    ok(&mut vm, "newline", &[port]);
    assert_eq!(
        w(&mut vm, "get-output-string", &[port]),
        "\"hello 42\\\"q\\\"\\n\""
    );
    assert!(err(&mut vm, "display", &[int(1), int(2)]).contains("port"));

    // Standard output needs the stdout capability; a string port does not.
    vm.caps = Caps::NONE;
    let e = err(&mut vm, "display", &[int(1)]);
    assert!(
        e.contains("capability denied") && e.contains("stdout"),
        "{e}"
    );
    assert!(err(&mut vm, "newline", &[]).contains("capability denied"));
    ok(&mut vm, "display", &[int(7), port]);
}

// ----- values, errors, raise -----

#[test]
fn multiple_values() {
    let mut vm = vm();
    assert_eq!(w(&mut vm, "values", &[int(41)]), "41");
    let v = ok(&mut vm, "values", &[int(1), int(2)]);
    assert!(matches!(v, Value::Values(_)));
    assert_eq!(w(&mut vm, "%values->list", &[v]), "(1 2)");
    let none = ok(&mut vm, "values", &[]);
    assert_eq!(w(&mut vm, "%values->list", &[none]), "()");
    assert_eq!(w(&mut vm, "%values->list", &[int(5)]), "(5)");
}

#[test]
fn error_objects_and_raise() {
    let mut vm = vm();
    let msg = vm.new_str("boom");
    let a = sym(&mut vm, "a");
    let irritants = vm.new_list(&[int(1), a]);
    let obj = ok(&mut vm, "%make-error-object", &[msg, irritants]);
    let e = err(&mut vm, "%raise", &[obj]);
    assert_eq!(e, "boom 1 a");
    let raised = vm
        .pending_raise
        .take()
        .expect("%raise leaves the raised object");
    assert_eq!(w(&mut vm, "eq?", &[raised, obj]), "#t");
    assert_eq!(w(&mut vm, "error-object?", &[obj]), "#t");
    assert_eq!(w(&mut vm, "error-object-message", &[obj]), "\"boom\"");
    assert_eq!(w(&mut vm, "error-object-irritants", &[obj]), "(1 a)");
    assert_eq!(w(&mut vm, "error-object?", &[int(42)]), "#f");

    let s = sym(&mut vm, "custom-condition-xyz");
    let e = err(&mut vm, "%raise", &[s]);
    assert!(e.contains("custom-condition-xyz"), "{e}");
    assert!(matches!(vm.pending_raise.take(), Some(Value::Symbol(_))));

    let m = vm.new_str("no irritants");
    let obj = ok(&mut vm, "%make-error-object", &[m, Value::Null]);
    assert_eq!(w(&mut vm, "error-object-irritants", &[obj]), "()");
    assert_eq!(err(&mut vm, "%raise", &[obj]), "no irritants");
    vm.pending_raise = None;
    let e = err(&mut vm, "%make-error-object", &[m, int(1)]);
    assert!(e.contains("a proper list"), "{e}");
}

#[test]
fn error_and_raise_are_the_preludes() {
    // The natives of these names were shadowed by the prelude's and are gone.
    let vm = vm();
    assert_eq!(vm.globals.lookup_in("scheme", "error"), None);
    assert_eq!(vm.globals.lookup_in("scheme", "raise"), None);
    let out = run_scheme(
        "(display (guard (e ((error-object? e)
                             (list (error-object-message e) (error-object-irritants e))))
                   (error \"boom\" 1 'a)))
         (display (guard (e ((symbol? e) e)) (raise 'oops)))
         (display (with-exception-handler (lambda (e) 10) (lambda () (+ 1 (raise-continuable 'c)))))",
        1000,
    );
    assert_eq!(out.as_deref(), Ok("(boom (1 a))oops11"));
    let e = run_scheme("(error \"boom\" 1 'a)", 1000).unwrap_err();
    assert!(e.contains("boom 1 a"), "{e}");
    let e = run_scheme("(raise 'custom-condition-xyz)", 1000).unwrap_err();
    assert!(e.contains("custom-condition-xyz"), "{e}");
}

#[test]
fn private_types_tell_their_instances_apart() {
    let mut vm = vm();
    let promise = ok(&mut vm, "make-promise", &[int(1)]);
    let port = ok(&mut vm, "open-output-string", &[]);
    let stdout = ok(&mut vm, "current-output-port", &[]);
    let escape = ok(&mut vm, "%make-escape", &[int(0), Value::Null]);
    for (v, is_promise, is_port, is_escape) in [
        (promise, "#t", "#f", "#f"),
        (port, "#f", "#t", "#f"),
        (stdout, "#f", "#t", "#f"),
        (escape, "#f", "#f", "#t"),
        (int(1), "#f", "#f", "#f"),
    ] {
        assert_eq!(w(&mut vm, "promise?", &[v]), is_promise);
        assert_eq!(w(&mut vm, "port?", &[v]), is_port);
        assert_eq!(w(&mut vm, "%escape?", &[v]), is_escape);
    }
    // The types live in globals no identifier can name.
    let hidden: Vec<String> = vm
        .globals
        .defined_names()
        .into_iter()
        .filter(|n| n.starts_with('%'))
        .collect();
    assert!(!hidden.is_empty());
    assert!(hidden.iter().all(|n| n.contains(' ')), "{hidden:?}");
    assert!(err(&mut vm, "write-string", &[int(1), promise]).contains("a string"));
    let s = vm.new_str("x");
    let e = err(&mut vm, "write-string", &[s, promise]);
    assert_eq!(e, "write-string: expected an output port, got #<promise>");
    assert_eq!(
        err(&mut vm, "%promise-box", &[port]),
        "force: expected a promise, got #<port>"
    );
}

#[test]
fn scripts_cannot_reach_the_private_types() {
    // `|...|` makes an identifier of any text, so the hidden globals live where Scheme code
    // does not look up names (the shared namespace).
    for name in ["% scheme promise", "% scheme port", "% promise", "% port"] {
        let e = run_scheme(&format!("(display |{name}|)"), 1000).unwrap_err();
        assert!(e.contains(&format!("Undefined variable: {name}")), "{e}");
    }
    let out = run_scheme(
        "(set! |% scheme promise| 1) (define |% scheme port| 2)
         (display (force (delay 5))) (display (port? (current-output-port)))",
        1000,
    );
    assert_eq!(out.as_deref(), Ok("5#t"));
}

#[test]
fn promises_share_state() {
    let mut vm = vm();
    let p = ok(&mut vm, "%make-promise", &[Value::Bool(false), int(0)]);
    let q = ok(&mut vm, "make-promise", &[int(42)]);
    assert_eq!(w(&mut vm, "promise?", &[q]), "#t");
    assert_eq!(w(&mut vm, "make-promise", &[q]), "#<promise>");
    ok(&mut vm, "%promise-update!", &[q, p]);
    assert_eq!(w(&mut vm, "%promise-box", &[p]), "(#t . 42)");
    let eq = {
        let bp = ok(&mut vm, "%promise-box", &[p]);
        let bq = ok(&mut vm, "%promise-box", &[q]);
        w(&mut vm, "eq?", &[bp, bq])
    };
    assert_eq!(eq, "#t");
    // Another struct (here one with no fields at all) is not a promise.
    let ty = vm
        .heap
        .alloc_struct_type(tandem_vm::object::StructType::new("empty", Vec::new()));
    let inst = vm.heap.alloc_instance(ty, &[]);
    let other = Value::Struct(inst);
    let msg = err(&mut vm, "%promise-update!", &[int(1), other]);
    assert!(msg.contains("expected a promise"), "{msg}");
}

// ----- capabilities -----

#[test]
fn capabilities_and_tiers() {
    let mut vm = vm();
    let clock = sym(&mut vm, "clock");
    let stdout = sym(&mut vm, "stdout");
    let io_write = sym(&mut vm, "io-write");
    assert_eq!(w(&mut vm, "has-capability?", &[clock]), "#t");
    let verified = sym(&mut vm, "verified");
    let old = ok(&mut vm, "%caps-narrow", &[verified]);
    assert_eq!(w(&mut vm, "has-capability?", &[clock]), "#f");
    assert_eq!(w(&mut vm, "has-capability?", &[stdout]), "#t");
    assert_eq!(w(&mut vm, "has-capability?", &[io_write]), "#t");
    let e = err(&mut vm, "require-capability", &[clock]);
    assert!(
        e.contains("capability denied") && e.contains("clock"),
        "{e}"
    );
    // Narrowing never widens.
    let experimental = sym(&mut vm, "experimental");
    ok(&mut vm, "%caps-narrow", &[experimental]);
    assert_eq!(w(&mut vm, "has-capability?", &[clock]), "#f");
    ok(&mut vm, "%caps-set", &[old]);
    assert_eq!(vm.caps, Caps::ALL);
    let formal = sym(&mut vm, "formal");
    ok(&mut vm, "%caps-narrow", &[formal]);
    assert_eq!(vm.caps, Caps::NONE);
    assert!(err(&mut vm, "require-capability", &[stdout]).contains("stdout"));
}
