//! The builtin collections: Set, Queue and Stack.
//!
//! Collections are references, like arrays: the mutating functions (`set_add`,
//! `set_remove`, `queue_enqueue`, `queue_dequeue`, `stack_push`, `stack_pop`) change the
//! collection in place *and* return the shapes Ruff returns, so Ruff's idioms
//! (`q := queue_enqueue(q, 1)`, `result := stack_pop(s)`) work unchanged:
//!
//! - `set_add`, `set_remove`, `queue_enqueue`, `stack_push` return the collection;
//! - `queue_dequeue` and `stack_pop` return `[collection, item]`, with `null` for the item
//!   when the collection is empty;
//! - `queue_peek` / `stack_peek` return the item, or `null` when empty;
//! - `set_union`, `set_intersect` and `set_difference` build a new set (in the first set's
//!   order, then the second's); the `*_to_array` functions build a new array.
//!
//! A Set keeps insertion order and compares elements with `==` ([`values_equal`]).
//! `len` and `is_empty` also accept collections (see `generic.rs`).

use super::{expected, pair, pure, too_large, MAX_ARRAY_LEN};
use crate::native::{Arity, NativeResult};
use crate::object::CollKind::{self, Queue, Stack};
use crate::object::Collection;
use crate::value::{values_equal, Gc, Value};
use crate::vm::Vm;
use rustc_hash::FxHashSet;
use std::collections::VecDeque;

pub fn install(vm: &mut Vm) {
    pure(vm, "Set", Arity::range(0, 1), set_new);
    pure(vm, "set_add", Arity::exactly(2), set_add);
    pure(vm, "set_has", Arity::exactly(2), set_has);
    pure(vm, "set_remove", Arity::exactly(2), set_remove);
    pure(vm, "set_union", Arity::exactly(2), set_union);
    pure(vm, "set_intersect", Arity::exactly(2), set_intersect);
    pure(vm, "set_difference", Arity::exactly(2), set_difference);
    pure(vm, "set_to_array", Arity::exactly(1), |vm, a| {
        to_array(vm, "set_to_array", CollKind::Set, &a[0])
    });

    // A queue and a stack differ only in the end `take` and `peek` use (see `front_end`).
    pure(vm, "Queue", Arity::range(0, 1), |vm, a| {
        sequence_new(vm, "Queue", Queue, a)
    });
    pure(vm, "queue_enqueue", Arity::exactly(2), |vm, a| {
        put(vm, "queue_enqueue", Queue, a)
    });
    pure(vm, "queue_dequeue", Arity::exactly(1), |vm, a| {
        take(vm, "queue_dequeue", Queue, a)
    });
    pure(vm, "queue_peek", Arity::exactly(1), |_, a| {
        peek("queue_peek", Queue, &a[0])
    });
    pure(vm, "queue_is_empty", Arity::exactly(1), |_, a| {
        is_empty("queue_is_empty", Queue, &a[0])
    });
    pure(vm, "queue_size", Arity::exactly(1), |_, a| {
        size("queue_size", Queue, &a[0])
    });
    pure(vm, "queue_to_array", Arity::exactly(1), |vm, a| {
        to_array(vm, "queue_to_array", Queue, &a[0])
    });

    pure(vm, "Stack", Arity::range(0, 1), |vm, a| {
        sequence_new(vm, "Stack", Stack, a)
    });
    pure(vm, "stack_push", Arity::exactly(2), |vm, a| {
        put(vm, "stack_push", Stack, a)
    });
    pure(vm, "stack_pop", Arity::exactly(1), |vm, a| {
        take(vm, "stack_pop", Stack, a)
    });
    pure(vm, "stack_peek", Arity::exactly(1), |_, a| {
        peek("stack_peek", Stack, &a[0])
    });
    pure(vm, "stack_is_empty", Arity::exactly(1), |_, a| {
        is_empty("stack_is_empty", Stack, &a[0])
    });
    pure(vm, "stack_size", Arity::exactly(1), |_, a| {
        size("stack_size", Stack, &a[0])
    });
    pure(vm, "stack_to_array", Arity::exactly(1), |vm, a| {
        to_array(vm, "stack_to_array", Stack, &a[0])
    });
}

// ----- helpers -----

fn kind_name(kind: CollKind) -> &'static str {
    match kind {
        CollKind::Set => "a Set",
        CollKind::Queue => "a Queue",
        CollKind::Stack => "a Stack",
    }
}

/// The argument as a collection of `kind`, or a type error naming `name`.
fn coll_arg(name: &str, kind: CollKind, v: &Value) -> Result<Gc<Collection>, String> {
    match v {
        Value::Coll(c) if c.kind == kind => Ok(*c),
        _ => Err(expected(name, kind_name(kind), v)),
    }
}

fn new_coll(vm: &mut Vm, kind: CollKind, items: VecDeque<Value>) -> Value {
    Value::Coll(vm.heap.alloc_collection(Collection::new(kind, items)))
}

/// The optional initial elements of `Set(arr)`, `Queue(arr)`, `Stack(arr)`.
fn initial_items(name: &str, args: &[Value]) -> Result<Vec<Value>, String> {
    match args.first() {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.to_vec()),
        Some(v) => Err(expected(name, "an array", v)),
    }
}

/// `set_to_array`, `queue_to_array`, `stack_to_array`: a copy of the elements as a new
/// array, in insertion order (a queue's front first, a stack's bottom first).
fn to_array(vm: &mut Vm, name: &str, kind: CollKind, v: &Value) -> NativeResult {
    let c = coll_arg(name, kind, v)?;
    if c.items().len() > MAX_ARRAY_LEN {
        return Err(too_large(name));
    }
    let items: Vec<Value> = c.items().iter().copied().collect();
    Ok(vm.new_array(items))
}

/// A hashable stand-in for the values whose `==` is plain identity of content: ints,
/// strings, bools and null. Two such values are `==` exactly when their keys are equal,
/// except that an int may also equal a float (handled by [`Members`]).
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
}

fn key_of(v: &Value) -> Option<Key<'_>> {
    match v {
        Value::Null => Some(Key::Null),
        Value::Bool(b) => Some(Key::Bool(*b)),
        Value::Int(i) => Some(Key::Int(*i)),
        Value::Str(s) => Some(Key::Str(s.as_str())),
        _ => None,
    }
}

/// A membership index over a list of values, answering "is there an element `==` to
/// this one?" in O(1) for ints, strings, bools and null, and by a scan of the other
/// elements (floats, arrays, ...) otherwise. Equality is exactly [`values_equal`].
struct Members<'a> {
    keyed: FxHashSet<Key<'a>>,
    /// Elements without a key, in no particular order.
    others: Vec<Value>,
    /// Whether `others` holds a float (an int candidate must then also scan).
    has_float: bool,
    /// The int elements (a float candidate may equal one of them).
    ints: Vec<i64>,
}

impl<'a> Members<'a> {
    fn new() -> Members<'a> {
        Members {
            keyed: FxHashSet::default(),
            others: Vec::new(),
            has_float: false,
            ints: Vec::new(),
        }
    }

    fn build(items: impl IntoIterator<Item = &'a Value>) -> Members<'a> {
        let mut m = Members::new();
        for v in items {
            m.insert(v);
        }
        m
    }

    fn insert(&mut self, v: &'a Value) {
        match key_of(v) {
            Some(k) => {
                if let Key::Int(i) = k {
                    self.ints.push(i);
                }
                self.keyed.insert(k);
            }
            None => {
                self.has_float |= matches!(v, Value::Float(_));
                self.others.push(*v);
            }
        }
    }

    fn contains(&self, v: &Value) -> bool {
        match (key_of(v), v) {
            (Some(k), _) => {
                if self.keyed.contains(&k) {
                    return true;
                }
                // An int can also equal a float element.
                matches!(k, Key::Int(_))
                    && self.has_float
                    && self.others.iter().any(|x| values_equal(*x, *v))
            }
            (None, Value::Float(_)) => {
                self.ints.iter().any(|i| values_equal(Value::Int(*i), *v))
                    || self.others.iter().any(|x| values_equal(*x, *v))
            }
            // Arrays, dicts, structs, ... only ever equal values without a key.
            (None, _) => self.others.iter().any(|x| values_equal(*x, *v)),
        }
    }
}

/// `items` without duplicates (by `==`), keeping the first occurrence of each.
fn dedup(items: &[Value]) -> VecDeque<Value> {
    let mut members = Members::new();
    let mut out = VecDeque::with_capacity(items.len());
    for v in items {
        if !members.contains(v) {
            members.insert(v);
            out.push_back(*v);
        }
    }
    out
}

/// `queue_size`, `stack_size`: the number of elements.
fn size(name: &str, kind: CollKind, v: &Value) -> NativeResult {
    Ok(Value::Int(coll_arg(name, kind, v)?.items().len() as i64))
}

/// `queue_is_empty`, `stack_is_empty`.
fn is_empty(name: &str, kind: CollKind, v: &Value) -> NativeResult {
    Ok(Value::Bool(coll_arg(name, kind, v)?.items().is_empty()))
}

fn position(c: Gc<Collection>, v: Value) -> Option<usize> {
    c.items().iter().position(|x| values_equal(*x, v))
}

// ----- Set -----

/// `Set()` or `Set(arr)`: a new set of the array's distinct elements, in first-seen order.
fn set_new(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let items = initial_items("Set", args)?;
    let items = dedup(&items);
    Ok(new_coll(vm, CollKind::Set, items))
}

/// `set_add(s, v)`: add `v` unless an equal element is present; returns `s`.
fn set_add(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = coll_arg("set_add", CollKind::Set, &args[0])?;
    if position(s, args[1]).is_none() {
        grow(vm, s)?;
        s.items_mut().push_back(args[1]);
    }
    Ok(args[0])
}

/// `set_has(s, v)`: whether an element equal to `v` is present (a bool).
fn set_has(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = coll_arg("set_has", CollKind::Set, &args[0])?;
    Ok(Value::Bool(position(s, args[1]).is_some()))
}

/// `set_remove(s, v)`: remove the element equal to `v`, if any; returns `s`.
fn set_remove(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let s = coll_arg("set_remove", CollKind::Set, &args[0])?;
    s.items_mut().retain(|x| !values_equal(*x, args[1]));
    Ok(args[0])
}

/// Both arguments of a binary set operation.
fn two_sets(name: &str, args: &[Value]) -> Result<(Gc<Collection>, Gc<Collection>), String> {
    let a = coll_arg(name, CollKind::Set, &args[0])?;
    let b = coll_arg(name, CollKind::Set, &args[1])?;
    Ok((a, b))
}

/// `set_union(a, b)`: a new set: the elements of `a`, then those of `b` not in `a`.
fn set_union(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let (a, b) = two_sets("set_union", args)?;
    let (a, b) = (a.items(), b.items());
    if a.len().saturating_add(b.len()) > MAX_ARRAY_LEN {
        return Err(too_large("set_union"));
    }
    let members = Members::build(a);
    let mut out = a.clone();
    // `b` is a set, so its own elements are already distinct.
    out.extend(b.iter().copied().filter(|v| !members.contains(v)));
    Ok(new_coll(vm, CollKind::Set, out))
}

/// `set_intersect(a, b)`: a new set of the elements of `a` that are also in `b`.
fn set_intersect(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let (a, b) = two_sets("set_intersect", args)?;
    let (a, b) = (a.items(), b.items());
    let members = Members::build(b);
    let out = a.iter().copied().filter(|v| members.contains(v)).collect();
    Ok(new_coll(vm, CollKind::Set, out))
}

/// `set_difference(a, b)`: a new set of the elements of `a` that are not in `b`.
fn set_difference(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let (a, b) = two_sets("set_difference", args)?;
    let (a, b) = (a.items(), b.items());
    let members = Members::build(b);
    let out = a.iter().copied().filter(|v| !members.contains(v)).collect();
    Ok(new_coll(vm, CollKind::Set, out))
}

// ----- Queue and Stack -----

/// `Queue()` or `Queue(arr)`, `Stack()` or `Stack(arr)`: a new queue (the array's first
/// element is the front) or stack (the array's last element is the top).
fn sequence_new(vm: &mut Vm, name: &str, kind: CollKind, args: &[Value]) -> NativeResult {
    let items = initial_items(name, args)?;
    Ok(new_coll(vm, kind, items.into()))
}

/// Whether `take` and `peek` use the front (a queue) rather than the back (a stack).
fn front_end(kind: CollKind) -> bool {
    kind == CollKind::Queue
}

/// `queue_enqueue(q, v)`, `stack_push(s, v)`: add `v` at the back (a stack's top); returns
/// the collection.
fn put(vm: &mut Vm, name: &str, kind: CollKind, args: &[Value]) -> NativeResult {
    let c = coll_arg(name, kind, &args[0])?;
    grow(vm, c)?;
    c.items_mut().push_back(args[1]);
    Ok(args[0])
}

/// Before adding an element to `c`: when it must grow, check the growth against the memory
/// limit and count it (as `Vm::grow_array` does for arrays).
fn grow(vm: &mut Vm, c: Gc<Collection>) -> Result<(), String> {
    let items = c.items_mut();
    if items.len() == items.capacity() {
        let more = items.capacity().max(4);
        vm.heap.reserve_values(more)?;
        items.reserve_exact(items.capacity() + more - items.len());
        vm.heap.note_growth(more * std::mem::size_of::<Value>());
    }
    Ok(())
}

/// `queue_dequeue(q)`, `stack_pop(s)`: remove the front (queue) or top (stack) element;
/// returns `[collection, item]` (`[collection, null]` when it is empty, as Ruff).
fn take(vm: &mut Vm, name: &str, kind: CollKind, args: &[Value]) -> NativeResult {
    let c = coll_arg(name, kind, &args[0])?;
    let items = c.items_mut();
    let item = if front_end(kind) {
        items.pop_front()
    } else {
        items.pop_back()
    };
    Ok(pair(vm, args[0], item.unwrap_or(Value::Null)))
}

/// `queue_peek(q)`, `stack_peek(s)`: the front (queue) or top (stack) element, or `null`
/// when empty.
fn peek(name: &str, kind: CollKind, v: &Value) -> NativeResult {
    let c = coll_arg(name, kind, v)?;
    let items = c.items();
    let item = if front_end(kind) {
        items.front()
    } else {
        items.back()
    };
    Ok(item.copied().unwrap_or(Value::Null))
}
