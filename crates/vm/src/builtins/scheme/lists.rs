//! Pairs and lists, booleans, and the equivalence predicates `eq?` `eqv?` `equal?`.

use super::super::MAX_ARRAY_LEN;
use super::numbers::Num;
use super::{chain, length_arg, list_vec, pair_arg, reg, wrong, CycleCheck};
use crate::native::{Arity, NativeResult};
use crate::object::{Array, Pair};
use crate::value::{Gc, Value};
use crate::vm::Vm;
use rustc_hash::FxHashSet;

pub fn install(vm: &mut Vm) {
    let one = Arity::exactly(1);
    let two = Arity::exactly(2);
    reg(vm, "not", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Bool(false))))
    });
    reg(vm, "boolean?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Bool(_))))
    });
    reg(vm, "boolean=?", Arity::at_least(2), boolean_eq);
    reg(vm, "eq?", two, |_, a| Ok(Value::Bool(eqv(a[0], a[1]))));
    reg(vm, "eqv?", two, |_, a| Ok(Value::Bool(eqv(a[0], a[1]))));
    reg(vm, "equal?", two, |_, a| Ok(Value::Bool(equal(a[0], a[1]))));
    reg(vm, "cons", two, |vm, a| Ok(cons(vm, a[0], a[1])));
    reg(vm, "car", one, car);
    reg(vm, "cdr", one, cdr);
    reg(vm, "set-car!", two, set_car);
    reg(vm, "set-cdr!", two, set_cdr);
    cxrs(vm);
    reg(vm, "list", Arity::at_least(0), |vm, a| Ok(vm.new_list(a)));
    reg(vm, "cons*", Arity::at_least(1), cons_star);
    reg(vm, "list?", one, |_, a| {
        Ok(Value::Bool(list_length(a[0]).is_some()))
    });
    reg(vm, "pair?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Pair(_))))
    });
    reg(vm, "null?", one, |_, a| {
        Ok(Value::Bool(matches!(a[0], Value::Null)))
    });
    reg(vm, "length", one, length);
    reg(vm, "append", Arity::at_least(0), append);
    reg(vm, "reverse", one, reverse);
    reg(vm, "list-tail", two, list_tail);
    reg(vm, "list-ref", two, list_ref);
    reg(vm, "list-set!", Arity::exactly(3), list_set);
    reg(vm, "list-copy", one, list_copy);
    reg(vm, "last-pair", one, last_pair);
    reg(vm, "last", one, last);
    reg(vm, "make-list", Arity::range(1, 2), make_list);
    reg(vm, "iota", Arity::range(1, 3), iota);
    reg(vm, "memq", two, |vm, a| mem(vm, "memq", a, eqv));
    reg(vm, "memv", two, |vm, a| mem(vm, "memv", a, eqv));
    reg(vm, "member", two, |vm, a| mem(vm, "member", a, equal));
    reg(vm, "assq", two, |vm, a| ass(vm, "assq", a, eqv));
    reg(vm, "assv", two, |vm, a| ass(vm, "assv", a, eqv));
    reg(vm, "assoc", two, |vm, a| ass(vm, "assoc", a, equal));
    reg(vm, "delete", two, delete);
    reg(vm, "delete-duplicates", one, delete_duplicates);
    reg(vm, "%list*", Arity::at_least(1), cons_star);
}

pub(crate) fn cons(vm: &mut Vm, a: Value, b: Value) -> Value {
    Value::Pair(vm.heap.alloc_pair(a, b))
}

/// `eqv?` (and `eq?`, which is the same here): small values by value, heap objects by
/// identity, floats by bit pattern.
pub fn eqv(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) | (Value::Undef, Value::Undef) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Symbol(x), Value::Symbol(y)) => x == y,
        (Value::Native(x), Value::Native(y)) => x == y,
        _ => matches!((identity(a), identity(b)), (Some(x), Some(y)) if x == y),
    }
}

/// The kind and address of a heap object, which `eqv?` compares by identity; `None` for
/// the values it compares by value.
fn identity(v: Value) -> Option<(u8, usize)> {
    Some(match v {
        // The objects `equal?` also compares by identity come first (see `atom_key`).
        Value::Closure(x) => (0, x.addr()),
        Value::Struct(x) => (1, x.addr()),
        Value::StructType(x) => (2, x.addr()),
        Value::Dict(x) => (3, x.addr()),
        Value::Variant(x) => (4, x.addr()),
        Value::Coll(x) => (5, x.addr()),
        Value::Module(x) => (6, x.addr()),
        Value::EnumType(x) => (7, x.addr()),
        Value::Str(x) => (8, x.addr()),
        Value::Bytes(x) => (9, x.addr()),
        Value::Pair(x) => (10, x.addr()),
        Value::Array(x) => (11, x.addr()),
        Value::Values(x) => (12, x.addr()),
        _ => return None,
    })
}

/// `equal?`: structural on pairs, vectors, strings and bytevectors; `eqv?` otherwise.
///
/// It terminates on any input and answers as R7RS asks for circular structure: two values
/// are equal when no walk down both finds a difference (they have the same infinite
/// unfolding). The walk keeps its own work stack, so depth costs no Rust stack. Past a small
/// number of container pairs it also records which containers it has assumed equal, in a
/// union-find over their addresses (Adams and Dybvig, "Efficient nondestructive equality
/// checking for trees and graphs"): a pair of containers that is already assumed equal,
/// directly or through other assumptions, is not walked again. That ends the walk round a
/// cycle and makes structure with sharing linear rather than exponential.
pub fn equal(a: Value, b: Value) -> bool {
    shallow_equal(a, b)
        .or_else(|| equal_flat(a, b))
        .unwrap_or_else(|| {
            Equal {
                work: Vec::new(),
                assumed: crate::value::AssumedEqual::new(EQUAL_UNRECORDED),
            }
            .run(a, b)
        })
}

/// `equal?` of two lists or two vectors whose elements need no looking into (the common
/// case), without allocating; `None` when an element is itself a container, or a list goes
/// on for more than [`EQUAL_UNRECORDED`] pairs (it may be circular).
fn equal_flat(a: Value, b: Value) -> Option<bool> {
    match (a, b) {
        (Value::Pair(_), Value::Pair(_)) => {
            let (mut x, mut y) = (a, b);
            for _ in 0..EQUAL_UNRECORDED {
                let (Value::Pair(p), Value::Pair(q)) = (x, y) else {
                    return shallow_equal(x, y);
                };
                if !shallow_equal(p.car.get(), q.car.get())? {
                    return Some(false);
                }
                (x, y) = (p.cdr.get(), q.cdr.get());
                if let (Value::Pair(p), Value::Pair(q)) = (x, y) {
                    if Gc::ptr_eq(p, q) {
                        return Some(true);
                    }
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) | (Value::Values(x), Value::Values(y)) => {
            for (&p, &q) in x.items().iter().zip(y.items()) {
                if !shallow_equal(p, q)? {
                    return Some(false);
                }
            }
            Some(x.len() == y.len())
        }
        _ => None,
    }
}

/// `equal?` decided without looking inside: `None` when `a` and `b` are two distinct
/// containers of the same kind and length, whose elements must be compared.
fn shallow_equal(a: Value, b: Value) -> Option<bool> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.as_str() == y.as_str()),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.bytes() == y.bytes()),
        (Value::Pair(x), Value::Pair(y)) => Gc::ptr_eq(x, y).then_some(true),
        (Value::Array(x), Value::Array(y)) | (Value::Values(x), Value::Values(y)) => {
            if Gc::ptr_eq(x, y) {
                Some(true)
            } else if x.len() != y.len() {
                Some(false)
            } else {
                None
            }
        }
        _ => Some(eqv(a, b)),
    }
}

/// Container pairs compared before [`Equal`] starts recording (small data never hashes).
const EQUAL_UNRECORDED: usize = 256;

/// The state of one `equal?` walk.
struct Equal {
    work: Vec<EqualWork>,
    assumed: crate::value::AssumedEqual,
}

enum EqualWork {
    /// Compare two values.
    Values(Value, Value),
    /// Compare elements `i..` of two vectors of the same length.
    Elements(Gc<Array>, Gc<Array>, usize),
}

impl Equal {
    fn run(mut self, a: Value, b: Value) -> bool {
        self.work.push(EqualWork::Values(a, b));
        while let Some(item) = self.work.pop() {
            let (a, b) = match item {
                EqualWork::Values(a, b) => (a, b),
                EqualWork::Elements(x, y, i) => {
                    if i + 1 < x.len() {
                        self.work.push(EqualWork::Elements(x, y, i + 1));
                    }
                    match (x.get(i), y.get(i)) {
                        (Some(p), Some(q)) => (p, q),
                        _ => continue,
                    }
                }
            };
            match shallow_equal(a, b) {
                Some(true) => continue,
                Some(false) => return false,
                None => {}
            }
            if self.assumed.assume(address(a), address(b)) {
                continue;
            }
            match (a, b) {
                (Value::Pair(p), Value::Pair(q)) => {
                    // The car first: a long list keeps the work stack short.
                    self.work.push(EqualWork::Values(p.cdr.get(), q.cdr.get()));
                    self.work.push(EqualWork::Values(p.car.get(), q.car.get()));
                }
                (Value::Array(x), Value::Array(y)) | (Value::Values(x), Value::Values(y)) => {
                    if !x.is_empty() {
                        self.work.push(EqualWork::Elements(x, y, 0));
                    }
                }
                _ => unreachable!("shallow_equal decides everything but containers"),
            }
        }
        true
    }
}

/// The identity of a container.
fn address(v: Value) -> usize {
    match v {
        Value::Pair(p) => p.addr(),
        Value::Array(a) | Value::Values(a) => a.addr(),
        _ => 0,
    }
}

fn boolean_eq(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let arg = |v: &Value| match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(wrong(vm, "boolean=?", "a boolean", *v)),
    };
    chain(args, arg, |a, b| a == b)
}

fn car(vm: &mut Vm, args: &[Value]) -> NativeResult {
    car_checked(vm, args[0])
}

fn cdr(vm: &mut Vm, args: &[Value]) -> NativeResult {
    cdr_checked(vm, args[0])
}

/// `(car v)`: the native and the `CAR` instruction.
pub(crate) fn car_checked(vm: &Vm, v: Value) -> Result<Value, String> {
    Ok(pair_arg(vm, "car", v)?.car.get())
}

/// `(cdr v)`: the native and the `CDR` instruction.
pub(crate) fn cdr_checked(vm: &Vm, v: Value) -> Result<Value, String> {
    Ok(pair_arg(vm, "cdr", v)?.cdr.get())
}

fn set_car(vm: &mut Vm, args: &[Value]) -> NativeResult {
    pair_arg(vm, "set-car!", args[0])?.car.set(args[1]);
    Ok(Value::Null)
}

fn set_cdr(vm: &mut Vm, args: &[Value]) -> NativeResult {
    pair_arg(vm, "set-cdr!", args[0])?.cdr.set(args[1]);
    Ok(Value::Null)
}

/// `c[ad]+r`: `path` is the letters between `c` and `r`, applied right to left.
fn cxr(vm: &Vm, name: &str, path: &str, v: Value) -> NativeResult {
    let mut cur = v;
    for op in path.bytes().rev() {
        match cur {
            Value::Pair(p) => cur = if op == b'a' { p.car.get() } else { p.cdr.get() },
            _ => return Err(wrong(vm, name, "a list with enough elements", v)),
        }
    }
    Ok(cur)
}

macro_rules! cxr_natives {
    ($vm:expr; $($name:literal),* $(,)?) => {
        $(
            reg($vm, $name, Arity::exactly(1), |vm, a| {
                cxr(vm, $name, &$name[1..$name.len() - 1], a[0])
            });
        )*
    };
}

fn cxrs(vm: &mut Vm) {
    cxr_natives!(vm;
        "caar", "cadr", "cdar", "cddr",
        "caaar", "caadr", "cadar", "caddr", "cdaar", "cdadr", "cddar", "cdddr",
        "caaaar", "caaadr", "caadar", "caaddr", "cadaar", "cadadr", "caddar", "cadddr",
        "cdaaar", "cdaadr", "cdadar", "cdaddr", "cddaar", "cddadr", "cdddar", "cddddr",
    );
}

/// `(cons* a b ... tail)`: the list of `a b ...` ending in `tail`.
fn cons_star(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let (&last, init) = args.split_last().expect("arity is at least 1");
    Ok(vm.list_onto(init, last))
}

/// The length of a proper list; `None` for an improper or circular one.
pub(crate) fn list_length(v: Value) -> Option<usize> {
    let mut slow = v;
    let mut fast = v;
    let mut n = 0usize;
    loop {
        match fast {
            Value::Null => return Some(n),
            Value::Pair(p) => {
                fast = p.cdr.get();
                n += 1;
            }
            _ => return None,
        }
        match fast {
            Value::Null => return Some(n),
            Value::Pair(p) => {
                fast = p.cdr.get();
                n += 1;
            }
            _ => return None,
        }
        if let Value::Pair(s) = slow {
            slow = s.cdr.get();
        }
        if let (Value::Pair(s), Value::Pair(f)) = (slow, fast) {
            if Gc::ptr_eq(s, f) {
                return None;
            }
        }
    }
}

fn length(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match list_length(args[0]) {
        Some(n) => Ok(Value::Int(n as i64)),
        None => Err(wrong(vm, "length", "a proper list", args[0])),
    }
}

fn append(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let Some((&last, init)) = args.split_last() else {
        return Ok(Value::Null);
    };
    let mut items = Vec::new();
    for &l in init {
        items.extend(list_vec(vm, "append", l)?);
    }
    Ok(vm.list_onto(&items, last))
}

/// `(reverse l)`: one walk down the list, consing each element onto the result (no copy
/// of the elements first). A circular or too long list, or an improper one, is an error.
fn reverse(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let mut acc = Value::Null;
    let mut cur = args[0];
    let mut check = CycleCheck::new(cur);
    let mut n = 0usize;
    loop {
        match cur {
            Value::Null => return Ok(acc),
            Value::Pair(p) => {
                n += 1;
                acc = cons(vm, p.car.get(), acc);
                cur = p.cdr.get();
                if n > MAX_ARRAY_LEN || check.circular(cur) {
                    return Err("reverse: the list is too long (or circular)".into());
                }
            }
            _ => return Err(wrong(vm, "reverse", "a proper list", args[0])),
        }
    }
}

/// The tail of `l` after `k` cdrs. A circular list has every length: its walk goes round
/// the cycle only `k` modulo the cycle's length times.
fn nth_tail(vm: &Vm, name: &str, l: Value, k: Value) -> NativeResult {
    let n = match k {
        Value::Int(n) if n >= 0 => n as u64,
        _ => return Err(wrong(vm, name, "a non-negative exact integer", k)),
    };
    let past_end = || format!("{name}: index {n} is past the end of the list");
    let mut cur = l;
    let mut check = CycleCheck::new(l);
    let mut i = 0u64;
    while i < n {
        let Value::Pair(p) = cur else {
            return Err(past_end());
        };
        cur = p.cdr.get();
        i += 1;
        if check.circular(cur) {
            let cycle = cycle_length(cur);
            for _ in 0..(n - i) % cycle {
                cur = cdr_of(cur);
            }
            return Ok(cur);
        }
    }
    Ok(cur)
}

/// The number of pairs on the cycle through the pair `start`.
fn cycle_length(start: Value) -> u64 {
    let mut len = 1;
    let mut cur = cdr_of(start);
    while !eqv(cur, start) {
        cur = cdr_of(cur);
        len += 1;
    }
    len
}

/// The cdr of a pair (`()` for anything else).
fn cdr_of(v: Value) -> Value {
    match v {
        Value::Pair(p) => p.cdr.get(),
        _ => Value::Null,
    }
}

fn list_tail(vm: &mut Vm, args: &[Value]) -> NativeResult {
    nth_tail(vm, "list-tail", args[0], args[1])
}

fn list_ref(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match nth_tail(vm, "list-ref", args[0], args[1])? {
        Value::Pair(p) => Ok(p.car.get()),
        _ => Err(format!(
            "list-ref: index {} is past the end of the list",
            super::show(vm, args[1])
        )),
    }
}

fn list_set(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match nth_tail(vm, "list-set!", args[0], args[1])? {
        Value::Pair(p) => {
            p.car.set(args[2]);
            Ok(Value::Null)
        }
        _ => Err(format!(
            "list-set!: index {} is past the end of the list",
            super::show(vm, args[1])
        )),
    }
}

fn list_copy(vm: &mut Vm, args: &[Value]) -> NativeResult {
    // Copies the spine; an improper tail is kept (R7RS).
    let mut items = Vec::new();
    let mut cur = args[0];
    while let Value::Pair(p) = cur {
        items.push(p.car.get());
        cur = p.cdr.get();
        if items.len() > MAX_ARRAY_LEN {
            return Err("list-copy: the list is too long (or circular)".into());
        }
    }
    Ok(vm.list_onto(&items, cur))
}

/// The last pair of the list `v` (which must be a pair and not circular).
fn last_pair_of(vm: &Vm, name: &str, v: Value, what: &str) -> Result<Gc<Pair>, String> {
    let Value::Pair(mut p) = v else {
        return Err(wrong(vm, name, what, v));
    };
    let mut check = CycleCheck::new(v);
    while let next @ Value::Pair(q) = p.cdr.get() {
        if check.circular(next) {
            return Err(circular(vm, name, v));
        }
        p = q;
    }
    Ok(p)
}

fn last_pair(vm: &mut Vm, args: &[Value]) -> NativeResult {
    last_pair_of(vm, "last-pair", args[0], "a pair").map(Value::Pair)
}

fn last(vm: &mut Vm, args: &[Value]) -> NativeResult {
    Ok(last_pair_of(vm, "last", args[0], "a non-empty list")?
        .car
        .get())
}

fn make_list(vm: &mut Vm, args: &[Value]) -> NativeResult {
    super::super::room_for(vm, args[0], super::super::PAIR_BYTES)?;
    let n = length_arg(vm, "make-list", args[0], MAX_ARRAY_LEN)?;
    let fill = args.get(1).copied().unwrap_or(Value::Null);
    let mut acc = Value::Null;
    for _ in 0..n {
        acc = cons(vm, fill, acc);
    }
    Ok(acc)
}

/// `(iota count [start [step]])`: `start`, `start + step`, ... (`count` elements); exact
/// when `start` and `step` both are.
fn iota(vm: &mut Vm, args: &[Value]) -> NativeResult {
    super::super::room_for(vm, args[0], super::super::PAIR_BYTES)?;
    let n = length_arg(vm, "iota", args[0], MAX_ARRAY_LEN)?;
    let start = Num::of(vm, "iota", args.get(1).copied().unwrap_or(Value::Int(0)))?;
    let step = Num::of(vm, "iota", args.get(2).copied().unwrap_or(Value::Int(1)))?;
    let mut items = Vec::with_capacity(n);
    match (start, step) {
        (Num::I(s), Num::I(d)) => {
            for i in 0..n {
                let v = i64::try_from(s as i128 + d as i128 * i as i128)
                    .map_err(|_| super::numbers::overflow("iota"))?;
                items.push(Value::Int(v));
            }
        }
        _ => {
            let (s, d) = (start.f(), step.f());
            items.extend((0..n).map(|i| Value::Float(s + d * i as f64)));
        }
    }
    Ok(vm.new_list(&items))
}

/// `memq`, `memv`, `member`: the first tail whose car is `same` as `args[0]`.
fn mem(vm: &Vm, name: &str, args: &[Value], same: fn(Value, Value) -> bool) -> NativeResult {
    let mut cur = args[1];
    let mut check = CycleCheck::new(cur);
    loop {
        match cur {
            Value::Pair(p) => {
                if same(args[0], p.car.get()) {
                    return Ok(cur);
                }
                cur = p.cdr.get();
                if check.circular(cur) {
                    return Err(circular(vm, name, args[1]));
                }
            }
            Value::Null => return Ok(Value::Bool(false)),
            _ => return Err(wrong(vm, name, "a proper list", args[1])),
        }
    }
}

/// `assq`, `assv`, `assoc`: the first entry whose key is `same` as `args[0]`.
fn ass(vm: &Vm, name: &str, args: &[Value], same: fn(Value, Value) -> bool) -> NativeResult {
    let mut cur = args[1];
    let mut check = CycleCheck::new(cur);
    loop {
        match cur {
            Value::Pair(p) => {
                match p.car.get() {
                    Value::Pair(entry) => {
                        if same(args[0], entry.car.get()) {
                            return Ok(Value::Pair(entry));
                        }
                    }
                    other => return Err(wrong(vm, name, "an association list entry", other)),
                }
                cur = p.cdr.get();
                if check.circular(cur) {
                    return Err(circular(vm, name, args[1]));
                }
            }
            Value::Null => return Ok(Value::Bool(false)),
            _ => return Err(wrong(vm, name, "a proper list", args[1])),
        }
    }
}

fn circular(vm: &Vm, name: &str, l: Value) -> String {
    format!(
        "{name}: expected a proper list, got a circular list {}",
        super::show(vm, l)
    )
}

fn delete(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let items = list_vec(vm, "delete", args[1])?;
    let kept: Vec<Value> = items.into_iter().filter(|&v| !equal(args[0], v)).collect();
    Ok(vm.new_list(&kept))
}

/// `(delete-duplicates list)`: the first of each set of `equal?` elements, in order.
fn delete_duplicates(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let items = list_vec(vm, "delete-duplicates", args[0])?;
    // Elements with a key are found in a hash set; only pairs and vectors, whose `equal?`
    // looks inside, are compared one by one (with each other).
    let mut seen: FxHashSet<AtomKey> = FxHashSet::default();
    let mut containers: Vec<Value> = Vec::new();
    let mut kept: Vec<Value> = Vec::new();
    for v in &items {
        let new = match atom_key(v) {
            Some(k) => seen.insert(k),
            None => {
                let new = !containers.iter().any(|&c| equal(c, *v));
                if new {
                    containers.push(*v);
                }
                new
            }
        };
        if new {
            kept.push(*v);
        }
    }
    Ok(vm.new_list(&kept))
}

/// A hashable stand-in for a value that is `equal?` to exactly the values with the same key
/// (`None` for pairs, vectors and the rest, which are compared with `equal?`).
#[derive(PartialEq, Eq, Hash)]
enum AtomKey<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// `eqv?` compares floats by bit pattern.
    Float(u64),
    Char(char),
    Symbol(u32),
    Native(u32),
    Str(&'a str),
    Bytes(&'a [u8]),
    /// An object `equal?` compares by identity: a kind and an address.
    Object(u8, usize),
}

fn atom_key(v: &Value) -> Option<AtomKey<'_>> {
    Some(match v {
        Value::Null => AtomKey::Null,
        Value::Bool(b) => AtomKey::Bool(*b),
        Value::Int(i) => AtomKey::Int(*i),
        Value::Float(f) => AtomKey::Float(f.to_bits()),
        Value::Char(c) => AtomKey::Char(*c),
        Value::Symbol(id) => AtomKey::Symbol(*id),
        Value::Native(id) => AtomKey::Native(*id),
        Value::Str(s) => AtomKey::Str(s.as_str()),
        Value::Bytes(b) => AtomKey::Bytes(b.bytes()),
        // Pairs and vectors are compared by content, one by one.
        Value::Pair(_) | Value::Array(_) | Value::Values(_) => return None,
        _ => {
            let (kind, addr) = identity(*v)?;
            AtomKey::Object(kind, addr)
        }
    })
}
