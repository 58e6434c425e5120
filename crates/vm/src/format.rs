//! How values print (`print`, `to_string`, string interpolation), exactly as the Ruff spec
//! says: floats as Rust's `f64` Display, strings raw (also inside containers), dicts with
//! sorted quoted keys, functions as `<unknown>`, natives as `<native function: NAME>`.
//!
//! The printer keeps its own work stack instead of recursing, so data of any depth prints in
//! full on any thread's stack. A container met again inside itself (a cycle) prints elided:
//! `[...]`, `{...}`, `Name {...}`, `Tag(...)`, and ` ...` ending a Scheme list.

use crate::object::{Array, Dict, Family, Instance, Pair, Variant};
use crate::value::{Gc, Value};
use crate::vm::Vm;
use rustc_hash::FxHashSet;
use std::fmt::Write;

/// The display form of a value.
pub fn display(vm: &Vm, v: Value) -> String {
    let mut s = String::new();
    write_display(vm, v, &mut s);
    s
}

/// Append the display form of a value to `out`. Printing stops once `out` passes
/// [`text_room`] (data that shares its parts can print exponentially large); whoever keeps
/// or writes the text checks with [`check_text`].
pub fn write_display(vm: &Vm, v: Value, out: &mut String) {
    let cap = out.len().saturating_add(text_room(vm));
    write_value(vm, v, out, cap);
}

/// The most bytes of text printing may build: what the memory limit leaves, and never more
/// than the largest string.
pub fn text_room(vm: &Vm) -> usize {
    let most = crate::builtins::MAX_STR_BYTES;
    vm.heap.room().map_or(most, |r| r.min(most))
}

/// Fail when `len` bytes of printed text are more than [`text_room`] allows: the memory
/// limit's error when there is a limit (uncatchable, as every refused allocation), else
/// `NAME: result is too large`.
pub fn check_text(vm: &mut Vm, name: &str, len: usize) -> Result<(), String> {
    check_text_within(vm, name, len, usize::MAX)
}

/// [`check_text`] for a printer that also stops at `most` bytes (its own cap).
pub fn check_text_within(vm: &mut Vm, name: &str, len: usize, most: usize) -> Result<(), String> {
    if len <= text_room(vm).min(most) {
        return Ok(());
    }
    vm.heap.reserve(len)?;
    Err(crate::builtins::too_large(name))
}

/// Format a float the way Ruff prints it.
pub fn write_float(f: f64, out: &mut String) {
    let _ = write!(out, "{f}");
}

/// The decimal text of `i` in `buf` (no allocation, none of `fmt`'s machinery): what
/// `i.to_string()` gives.
pub fn int_text(i: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    // SAFETY: only ASCII digits and '-' were written.
    unsafe { std::str::from_utf8_unchecked(&buf[at..]) }
}

/// Append the decimal text of `i` to `out`.
#[inline]
pub fn write_int(i: i64, out: &mut String) {
    out.push_str(int_text(i, &mut [0; 20]));
}

/// One step of printing. The printer keeps these on a work stack of its own instead of
/// recursing, so data of any depth prints in full on any thread's stack; an open container
/// is one task (where it is up to), so the stack grows with the depth, not the width.
enum Task {
    Value(Value),
    Text(&'static str),
    /// An array's elements from the index on, then `]`.
    Array(Gc<Array>, usize),
    /// A dict's entries from the index into its sorted keys on, then `}`.
    Dict(Gc<Dict>, Box<[Box<str>]>, usize),
    /// An instance's fields from the index into their order by name on, then ` }`.
    Struct(Gc<Instance>, Box<[usize]>, usize),
    /// A variant's payload from the index on, then `)`.
    Variant(Gc<Variant>, usize),
    /// The rest of a list, after this many elements: more elements, ` . tail`, `)`. The
    /// pair is the list's element at half that index (a tortoise to the printed hare): when
    /// the rest comes back to it, the list is circular and ends in ` ...`.
    List(Value, usize, Gc<Pair>),
    /// A list's pair whose car is printed: the rest of the list follows its cdr.
    ListCdr(Gc<Pair>, usize, Gc<Pair>),
    /// Multiple values from the index on.
    Values(Gc<Array>, usize),
}

struct Printer<'a> {
    vm: &'a Vm,
    out: &'a mut String,
    work: Vec<Task>,
    /// The containers being printed (each open one's address): met again inside itself, a
    /// container prints elided (`[...]`, `{...}`, `Name {...}`, `(...)`, ` ...` in a list).
    open: FxHashSet<usize>,
}

/// Print `v` onto `out`, stopping at the first step once `out` is longer than `cap`.
fn write_value(vm: &Vm, v: Value, out: &mut String, cap: usize) {
    if out.len() > cap {
        return;
    }
    // Scalars and strings print in one step: no printer to set up.
    match v {
        Value::Int(i) => return write_int(i, out),
        Value::Str(s) => return out.push_str(s.as_str()),
        _ => {}
    }
    let mut p = Printer {
        vm,
        out,
        work: Vec::new(),
        open: FxHashSet::default(),
    };
    p.value(v);
    while let Some(task) = p.work.pop() {
        if p.out.len() > cap {
            return;
        }
        p.step(task);
    }
}

impl Printer<'_> {
    /// Start printing `v`: a scalar is written whole, a container opened.
    fn value(&mut self, v: Value) {
        let out = &mut *self.out;
        match v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Value::Int(i) => write_int(i, out),
            Value::Float(f) => write_float(f, out),
            Value::Str(s) => out.push_str(s.as_str()),
            Value::Array(a) => {
                let opened = self.open(a.addr(), || Task::Array(a, 0));
                self.out.push_str(if opened { "[" } else { "[...]" });
            }
            Value::Dict(d) => {
                let opened = self.open(d.addr(), || Task::Dict(d, d.sorted_keys().into(), 0));
                self.out.push_str(if opened { "{" } else { "{...}" });
            }
            Value::Closure(c) if c.proto.builtin => {
                let _ = write!(out, "<native function: {}>", c.proto.name);
            }
            Value::Closure(_) => out.push_str("<unknown>"),
            Value::Native(id) => {
                let _ = write!(out, "<native function: {}>", self.vm.native_name(id));
            }
            Value::Struct(inst) => {
                let opened = self.open(inst.addr(), || {
                    let fields = &inst.ty.fields;
                    let mut order: Box<[usize]> = (0..fields.len()).collect();
                    order.sort_by(|&a, &b| fields[a].cmp(&fields[b]));
                    Task::Struct(inst, order, 0)
                });
                let body = if opened { "{" } else { "{...}" };
                let _ = write!(self.out, "{} {body}", inst.ty.name);
            }
            Value::Variant(v) => {
                if let Family::Enum(name) = &v.family {
                    let _ = write!(out, "{name}::");
                }
                out.push_str(&v.tag);
                if !v.payload.is_empty() {
                    let opened = self.open(v.addr(), || Task::Variant(v, 0));
                    self.out.push_str(if opened { "(" } else { "(...)" });
                }
            }
            Value::StructType(t) => {
                let _ = write!(out, "<struct {}>", t.name);
            }
            Value::EnumType(t) => {
                let _ = write!(out, "<enum {}>", t.name);
            }
            Value::Pair(p) => {
                out.push('(');
                self.work.push(Task::List(v, 0, p));
            }
            Value::Symbol(id) => out.push_str(self.vm.heap.symbol_name(id)),
            Value::Char(c) => out.push(c),
            Value::Bytes(b) => crate::builtins::scheme::printer::write_bytevector(b.bytes(), out),
            Value::Values(a) => self.work.push(Task::Values(a, 0)),
            // As in Ruff, collections print as <unknown>.
            Value::Coll(_) => out.push_str("<unknown>"),
            Value::Module(m) => {
                let _ = write!(out, "<module {}>", m.name);
            }
            // A box holds a program's value, never another box.
            Value::Box(b) => self.work.push(Task::Value(b.value.get())),
            Value::Undef => out.push_str("undefined"),
        }
    }

    /// Take one step: print a value, or go on with a container (its next part queued
    /// before the part's value, so the part prints first).
    fn step(&mut self, task: Task) {
        match task {
            Task::Value(v) => self.value(v),
            Task::Text(s) => self.out.push_str(s),
            Task::Array(a, i) => match a.get(i) {
                Some(x) => {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.work.push(Task::Array(a, i + 1));
                    self.work.push(Task::Value(x));
                }
                None => self.close(a.addr(), "]"),
            },
            Task::Dict(d, keys, i) => {
                let Some(k) = keys.get(i) else {
                    return self.close(d.addr(), "}");
                };
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.out.push('"');
                self.out
                    .push_str(crate::builtins::scheme::hashtables::key_shown(k));
                self.out.push_str("\": ");
                let x = d.get(k);
                self.work.push(Task::Dict(d, keys, i + 1));
                if let Some(x) = x {
                    self.work.push(Task::Value(x));
                }
            }
            Task::Struct(inst, order, n) => {
                let Some(&i) = order.get(n) else {
                    let end = if order.is_empty() { "}" } else { " }" };
                    return self.close(inst.addr(), end);
                };
                self.out.push_str(if n == 0 { " " } else { ", " });
                let _ = write!(self.out, "{}: ", inst.ty.fields[i]);
                let x = inst.fields().get(i).copied();
                self.work.push(Task::Struct(inst, order, n + 1));
                if let Some(x) = x {
                    self.work.push(Task::Value(x));
                }
            }
            Task::Variant(v, i) => match v.payload.get(i) {
                Some(&x) => {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.work.push(Task::Variant(v, i + 1));
                    self.work.push(Task::Value(x));
                }
                None => self.close(v.addr(), ")"),
            },
            Task::List(rest, n, slow) => match rest {
                // Back at the tortoise (a circular list), or at a pair being printed (this
                // list's car holds the list again): ` ...`.
                Value::Pair(p)
                    if (n > 0 && p.addr() == slow.addr()) || !self.open.insert(p.addr()) =>
                {
                    self.out.push_str(" ...)")
                }
                Value::Pair(p) => {
                    if n > 0 {
                        self.out.push(' ');
                    }
                    self.work.push(Task::ListCdr(p, n, slow));
                    self.work.push(Task::Value(p.car.get()));
                }
                Value::Null => self.out.push(')'),
                tail => {
                    self.out.push_str(" . ");
                    self.work.push(Task::Text(")"));
                    self.work.push(Task::Value(tail));
                }
            },
            Task::ListCdr(p, n, slow) => {
                // A list's own pairs are open only while their car prints.
                self.open.remove(&p.addr());
                // The tortoise steps once for every two elements (it is always a pair the
                // printer already passed, so its cdr is a pair too).
                let slow = match (n % 2 == 1, slow.cdr.get()) {
                    (true, Value::Pair(next)) => next,
                    _ => slow,
                };
                self.step(Task::List(p.cdr.get(), n + 1, slow));
            }
            Task::Values(a, i) => {
                if let Some(x) = a.get(i) {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    self.work.push(Task::Values(a, i + 1));
                    self.work.push(Task::Value(x));
                }
            }
        }
    }

    /// Open the container at `addr`: queue `task` (which prints its parts) and say true;
    /// or, when it is being printed already (met again inside itself, a cycle), false,
    /// and the caller writes it elided.
    fn open(&mut self, addr: usize, task: impl FnOnce() -> Task) -> bool {
        let fresh = self.open.insert(addr);
        if fresh {
            self.work.push(task());
        }
        fresh
    }

    /// End an open container with its closing text.
    fn close(&mut self, addr: usize, end: &str) {
        self.open.remove(&addr);
        self.out.push_str(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{EnumType, StructType, Variant};

    fn fresh() -> Vm {
        Vm::new(Box::new(std::io::sink()))
    }

    fn arr(vm: &mut Vm, items: Vec<Value>) -> Value {
        vm.new_array(items)
    }

    fn s(vm: &mut Vm, text: &str) -> Value {
        vm.new_str(text)
    }

    fn dict(vm: &mut Vm, entries: &[(&str, Value)]) -> Value {
        let d = vm.heap.alloc_dict(Default::default());
        for &(k, v) in entries {
            d.insert(k, v);
        }
        Value::Dict(d)
    }

    fn variant(vm: &mut Vm, family: Family, tag: &str, payload: Vec<Value>) -> Value {
        Value::Variant(vm.heap.alloc_variant(Variant {
            family,
            tag: tag.into(),
            payload: payload.into(),
        }))
    }

    fn instance(vm: &mut Vm, name: &str, fields: &[(&str, Value)]) -> Value {
        let names = fields.iter().map(|&(n, _)| n.into()).collect();
        let ty = vm.heap.alloc_struct_type(StructType::new(name, names));
        let values: Vec<Value> = fields.iter().map(|&(_, v)| v).collect();
        Value::Struct(vm.heap.alloc_instance(ty, &values))
    }

    fn nested(vm: &mut Vm, depth: usize) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..depth {
            v = vm.new_array(vec![v]);
        }
        v
    }

    #[test]
    fn scalars_print_as_ruff_prints_them() {
        let mut vm = fresh();
        let x = s(&mut vm, "a b");
        let sym = vm.heap.intern("sym");
        let cases = [
            (Value::Null, "null"),
            (Value::Bool(true), "true"),
            (Value::Bool(false), "false"),
            (Value::Int(-7), "-7"),
            (Value::Int(i64::MAX), "9223372036854775807"),
            (Value::Float(1.5), "1.5"),
            (Value::Float(2.0), "2"),
            (Value::Float(-0.0), "-0"),
            (Value::Float(1e21), "1000000000000000000000"),
            (Value::Float(1e-7), "0.0000001"),
            (Value::Float(f64::NAN), "NaN"),
            (Value::Float(f64::INFINITY), "inf"),
            (Value::Float(f64::NEG_INFINITY), "-inf"),
            (x, "a b"),
            (Value::Symbol(sym), "sym"),
            (Value::Char('λ'), "λ"),
            (Value::Undef, "undefined"),
        ];
        for (v, want) in cases {
            assert_eq!(display(&vm, v), want);
        }
    }

    #[test]
    fn containers_print_as_ruff_prints_them() {
        let mut vm = fresh();
        let empty = arr(&mut vm, vec![]);
        assert_eq!(display(&vm, empty), "[]");
        // Strings are raw inside containers; only dict keys are quoted.
        let (a, bc) = (s(&mut vm, "a"), s(&mut vm, "b c"));
        let v = arr(&mut vm, vec![a, bc, Value::Int(1)]);
        assert_eq!(display(&vm, v), "[a, b c, 1]");
        let inner = arr(&mut vm, vec![Value::Int(4)]);
        let right = arr(&mut vm, vec![Value::Int(3), inner]);
        let left = arr(&mut vm, vec![Value::Int(1), Value::Int(2)]);
        let v = arr(&mut vm, vec![left, right]);
        assert_eq!(display(&vm, v), "[[1, 2], [3, [4]]]");
        let v = arr(
            &mut vm,
            vec![Value::Bool(true), Value::Null, Value::Float(1.5)],
        );
        assert_eq!(display(&vm, v), "[true, null, 1.5]");

        let d = dict(&mut vm, &[]);
        assert_eq!(display(&vm, d), "{}");
        let d = dict(&mut vm, &[("b", Value::Int(2)), ("a", Value::Int(1))]);
        assert_eq!(display(&vm, d), r#"{"a": 1, "b": 2}"#);
        let (x, st) = (s(&mut vm, "x"), s(&mut vm, "str"));
        let a1x = arr(&mut vm, vec![Value::Int(1), x]);
        let m = dict(&mut vm, &[("k", Value::Null)]);
        let d = dict(&mut vm, &[("z", st), ("a", a1x), ("m", m)]);
        assert_eq!(
            display(&vm, d),
            r#"{"a": [1, x], "m": {"k": null}, "z": str}"#
        );

        let p = instance(&mut vm, "P", &[("y", Value::Int(1)), ("x", Value::Int(2))]);
        assert_eq!(display(&vm, p), "P { x: 2, y: 1 }");
        let e = instance(&mut vm, "E", &[]);
        assert_eq!(display(&vm, e), "E {}");
        let ty = vm.heap.alloc_struct_type(StructType::new("T", vec![]));
        assert_eq!(display(&vm, Value::StructType(ty)), "<struct T>");
        let et = vm.heap.alloc_enum_type(EnumType {
            name: "Color".into(),
            variants: Box::new([("Red".into(), 0)]),
        });
        assert_eq!(display(&vm, Value::EnumType(et)), "<enum Color>");

        let ok = variant(&mut vm, Family::Result, "Ok", vec![Value::Int(1)]);
        assert_eq!(display(&vm, ok), "Ok(1)");
        let none = variant(&mut vm, Family::Option, "None", vec![]);
        assert_eq!(display(&vm, none), "None");
        let red = variant(&mut vm, Family::Enum("Color".into()), "Red", vec![]);
        assert_eq!(display(&vm, red), "Color::Red");
        let x = s(&mut vm, "x");
        let circle = variant(
            &mut vm,
            Family::Enum("Shape".into()),
            "Circle",
            vec![Value::Float(1.5), x],
        );
        assert_eq!(display(&vm, circle), "Shape::Circle(1.5, x)");

        let l = vm.new_list(&[Value::Int(1), Value::Int(2), Value::Int(3)]);
        assert_eq!(display(&vm, l), "(1 2 3)");
        let dotted = vm.list_onto(&[Value::Int(1)], Value::Int(2));
        assert_eq!(display(&vm, dotted), "(1 . 2)");
        let one = vm.new_list(&[Value::Int(1)]);
        let l = vm.new_list(&[one, Value::Int(2)]);
        let tail = arr(&mut vm, vec![Value::Int(9)]);
        let dotted = vm.list_onto(&[l], tail);
        assert_eq!(display(&vm, dotted), "(((1) 2) . [9])");

        let b = vm
            .heap
            .alloc_bytes(crate::object::Bytevector::new(vec![1, 2]));
        assert_eq!(display(&vm, Value::Bytes(b)), "#u8(1 2)");
        let vals = vm.heap.alloc_array(vec![Value::Int(1), l]);
        assert_eq!(display(&vm, Value::Values(vals)), "1 ((1) 2)");
        let inner = arr(&mut vm, vec![Value::Int(5)]);
        let boxed = vm.heap.alloc_box(inner);
        assert_eq!(display(&vm, Value::Box(boxed)), "[5]");
    }

    #[test]
    fn mixtures_and_shared_parts_print_in_full() {
        let mut vm = fresh();
        let one = arr(&mut vm, vec![Value::Int(1)]);
        let some = variant(&mut vm, Family::Option, "Some", vec![one]);
        let p = instance(&mut vm, "P", &[("a", some), ("b", one)]);
        let d = dict(&mut vm, &[("k", p), ("j", one)]);
        let err = variant(&mut vm, Family::Result, "Err", vec![d]);
        let l = vm.new_list(&[one, p]);
        let v = arr(&mut vm, vec![d, err, one, l, Value::Float(0.5)]);
        let dp = r#"{"j": [1], "k": P { a: Some([1]), b: [1] }}"#;
        assert_eq!(
            display(&vm, v),
            format!("[{dp}, Err({dp}), [1], ([1] P {{ a: Some([1]), b: [1] }}), 0.5]")
        );
        // Appending keeps what `out` held.
        let mut out = String::from("x = ");
        write_display(&vm, one, &mut out);
        assert_eq!(out, "x = [1]");
    }

    #[test]
    fn cycles_print_as_elisions() {
        let mut vm = fresh();
        // a = [1, a]
        let a = vm.heap.alloc_array(vec![Value::Int(1)]);
        a.push(Value::Array(a));
        assert_eq!(display(&vm, Value::Array(a)), "[1, [...]]");
        // b = [a, b]: the inner a elides only itself.
        let b = vm.heap.alloc_array(vec![Value::Array(a)]);
        b.push(Value::Array(b));
        assert_eq!(display(&vm, Value::Array(b)), "[[1, [...]], [...]]");
        // d = {"me": d, "l": [d]}
        let d = vm.heap.alloc_dict(Default::default());
        d.insert("me", Value::Dict(d));
        let l = arr(&mut vm, vec![Value::Dict(d)]);
        d.insert("l", l);
        assert_eq!(
            display(&vm, Value::Dict(d)),
            r#"{"l": [{...}], "me": {...}}"#
        );
        // An instance holding itself, and a variant reached again through an array.
        let p = instance(&mut vm, "P", &[("me", Value::Null), ("n", Value::Int(1))]);
        if let Value::Struct(inst) = p {
            inst.set("me", p);
        }
        assert_eq!(display(&vm, p), "P { me: P {...}, n: 1 }");
        let holder = vm.heap.alloc_array(vec![]);
        let some = variant(&mut vm, Family::Option, "Some", vec![Value::Array(holder)]);
        holder.push(some);
        assert_eq!(display(&vm, some), "Some([Some(...)])");
        assert_eq!(display(&vm, Value::Array(holder)), "[Some([...])]");
        // A pair whose car is itself; a list inside an array inside that list.
        let pair = vm.heap.alloc_pair(Value::Null, Value::Null);
        pair.car.set(Value::Pair(pair));
        assert_eq!(display(&vm, Value::Pair(pair)), "(( ...))");
        let back = vm.heap.alloc_array(vec![]);
        let l = vm.new_list(&[Value::Array(back), Value::Int(2)]);
        back.push(l);
        assert_eq!(display(&vm, l), "([( ...)] 2)");
        // A circular list ends in ` ...` once the printer finds it came round.
        let c = vm.heap.alloc_pair(Value::Int(1), Value::Null);
        c.cdr.set(Value::Pair(c));
        assert_eq!(display(&vm, Value::Pair(c)), "(1 ...)");
        let ring = vm.new_list(&[Value::Int(1), Value::Int(2), Value::Int(3)]);
        let Value::Pair(first) = ring else { panic!() };
        let Value::Pair(second) = first.cdr.get() else {
            panic!()
        };
        let Value::Pair(third) = second.cdr.get() else {
            panic!()
        };
        third.cdr.set(Value::Pair(second));
        let text = display(&vm, ring);
        assert!(text.starts_with("(1 2 3 "), "{text}");
        assert!(text.ends_with(" ...)") && text.len() < 40, "{text}");
        // A long list that is not circular prints in full.
        let items: Vec<Value> = (0..250_000).map(Value::Int).collect();
        let list = vm.new_list(&items);
        let long = display(&vm, list);
        assert!(
            long.ends_with(" 249998 249999)"),
            "{}",
            &long[long.len() - 20..]
        );
    }

    #[test]
    fn deep_data_prints_in_full() {
        // On a small thread's stack: printing does not recurse with the depth.
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(deep_data_prints_in_full_here)
            .unwrap()
            .join()
            .unwrap();
    }

    fn deep_data_prints_in_full_here() {
        let mut vm = fresh();
        let depth = 100_000;
        let v = nested(&mut vm, depth);
        let text = display(&vm, v);
        assert_eq!(text.len(), 2 * depth + 1);
        assert!(text.starts_with(&"[".repeat(depth)));
        assert!(text.ends_with(&format!("[1{}", "]".repeat(depth))));
        // Deep through every kind of container.
        let mut v = Value::Int(0);
        for i in 0..depth {
            v = match i % 5 {
                0 => arr(&mut vm, vec![v]),
                1 => dict(&mut vm, &[("k", v)]),
                2 => instance(&mut vm, "S", &[("f", v)]),
                3 => variant(&mut vm, Family::Option, "Some", vec![v]),
                _ => vm.new_list(&[v]),
            };
        }
        // The outermost level is a list (99,999 % 5 == 4).
        let text = display(&vm, v);
        let (opens, closes) = (r#"(Some(S { f: {"k": ["#, "]} }))");
        assert!(text.starts_with(&opens.repeat(3)), "{}", &text[..80]);
        assert!(text.ends_with(&format!("[0{}", closes.repeat(depth / 5))));
        assert_eq!(text.len(), (depth / 5) * (opens.len() + closes.len()) + 1);
    }

    #[test]
    fn printing_stops_at_the_room_the_memory_limit_leaves() {
        let mut vm = fresh();
        // Forty levels of [a, a]: 2^40 leaves.
        let mut a = arr(&mut vm, vec![Value::Int(1)]);
        for _ in 0..40 {
            a = arr(&mut vm, vec![a, a]);
        }
        let big = 1 << 40;
        vm.heap.set_limit(Some(big));
        let used = big - vm.heap.room().unwrap();
        vm.heap.set_limit(Some(used + (1 << 20)));
        let room = text_room(&vm);
        let mut out = String::new();
        write_display(&vm, a, &mut out);
        assert!(out.len() > room && out.len() < room + 1024, "{}", out.len());
        let e = check_text(&mut vm, "print", out.len()).unwrap_err();
        assert!(e.contains("memory limit exceeded"), "{e}");
        // Without a limit, past the largest string: `result is too large`.
        let mut vm = fresh();
        let e = check_text(&mut vm, "print", crate::builtins::MAX_STR_BYTES + 1).unwrap_err();
        assert!(e.contains("print: result is too large"), "{e}");
    }
}
