//! The Scheme printer: `display` / `write` notation as chibi-scheme prints it, and Jue's
//! top-level notation.
//!
//! The printer keeps its own work stack instead of recursing, so a deeply nested value prints
//! on any thread's stack. Structure that contains a cycle is written with datum labels
//! (`#0=(1 . #0#)`), as R7RS `write` and `display` require; `write-shared` labels all shared
//! structure, and `write-simple` none (the size cap still ends a circular one).

use crate::value::Value;
use crate::vm::Vm;
use rustc_hash::FxHashMap;
use std::fmt::Write;
use tandem_syntax::scheme::datum;

/// How to print.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    /// `display`: strings and characters raw.
    Display,
    /// `write`: strings quoted and escaped, characters as `#\x`, odd symbols in `|..|`.
    Write,
    /// Jue's top-level printer: `write`, but booleans as `true`/`false` and `()` as `nil`.
    Jue,
}

/// Which pairs and vectors get datum labels.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Labels {
    /// Those on a cycle (`write`, `display`).
    Cycles,
    /// Those reached more than once (`write-shared`).
    Shared,
    /// None (`write-simple`).
    Never,
}

/// The largest text the printer builds (it stops with `...` beyond).
const MAX_OUT: usize = 1 << 28;

/// Append the `write` (or, with `write == false`, `display`) form of `v` to `out`.
pub fn write_scheme(vm: &Vm, v: Value, write: bool, out: &mut String) {
    let style = if write { Style::Write } else { Style::Display };
    print(vm, v, style, Labels::Cycles, out, room(vm));
}

/// How much text the printer may build: [`MAX_OUT`], and no more than the memory limit
/// leaves (shared structure can print exponentially large). The caller that keeps or writes
/// the text checks it with [`check_room`].
pub(crate) fn room(vm: &Vm) -> usize {
    crate::format::text_room(vm).min(MAX_OUT)
}

/// Fail when printed text of `len` bytes was cut at [`room`]: the memory limit's error when
/// there is a limit, else `NAME: result is too large`.
pub(crate) fn check_room(vm: &mut Vm, name: &str, len: usize) -> Result<(), String> {
    crate::format::check_text_within(vm, name, len, MAX_OUT)
}

/// Append Jue's printed form of a top-level value to `out` (no newline).
pub fn write_jue(vm: &Vm, v: Value, out: &mut String) {
    print(vm, v, Style::Jue, Labels::Cycles, out, room(vm));
}

/// Print in `write` (or `display`) notation with a size cap: beyond `limit` bytes the text
/// is cut and ends in `...` (for error messages).
pub fn write_limited(vm: &Vm, v: Value, write: bool, out: &mut String, limit: usize) {
    let style = if write { Style::Write } else { Style::Display };
    let start = out.len();
    print(vm, v, style, Labels::Cycles, out, start + limit);
    if out.len() > start + limit {
        let mut cut = start + limit;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
}

/// The text of `v` in a style.
pub fn to_text(vm: &Vm, v: Value, style: Style, labels: Labels) -> String {
    let mut s = String::new();
    print(vm, v, style, labels, &mut s, room(vm));
    s
}

/// Floats as chibi prints them: shortest round-trip digits, `.0` on integral values,
/// `+inf.0`, `-inf.0`, `+nan.0`, exponents for very large and small magnitudes.
pub fn format_float(f: f64) -> String {
    datum::format_float(f)
}

/// Append a bytevector's notation, `#u8(1 2 3)`, to `out` (Ruff's `print` shows one the
/// same way).
pub(crate) fn write_bytevector(bytes: &[u8], out: &mut String) {
    out.push_str("#u8(");
    for (i, x) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{x}");
    }
    out.push(')');
}

/// A pair's or vector's identity, for labels.
fn node_key(v: Value) -> Option<usize> {
    match v {
        Value::Pair(p) => Some(p.addr()),
        Value::Array(a) => Some(a.addr()),
        _ => None,
    }
}

/// The values `v` contains that the printer shows (and so walks into).
fn children(vm: &Vm, v: Value, mut f: impl FnMut(Value)) {
    match v {
        Value::Pair(p) => {
            f(p.car.get());
            f(p.cdr.get());
        }
        Value::Array(a) | Value::Values(a) => a.to_vec().into_iter().for_each(f),
        Value::Struct(inst) if inst.ty == vm.scheme_error_type => {
            inst.fields().iter().take(2).copied().for_each(f)
        }
        _ => {}
    }
}

/// The pairs and vectors of `v` that need a label. A depth-first walk with its own stack:
/// a node met again while it is still being walked lies on a cycle; met again after, it is
/// shared.
fn find_labelled(vm: &Vm, v: Value, labels: Labels) -> FxHashMap<usize, Option<usize>> {
    #[derive(PartialEq)]
    enum Seen {
        Open,
        Done,
    }
    let mut marks: FxHashMap<usize, Seen> = FxHashMap::default();
    let mut labelled = FxHashMap::default();
    if labels == Labels::Never {
        return labelled;
    }
    // `Err(key)` closes a node once everything below it has been walked.
    let mut work: Vec<Result<Value, usize>> = vec![Ok(v)];
    while let Some(item) = work.pop() {
        let v = match item {
            Ok(v) => v,
            Err(key) => {
                marks.insert(key, Seen::Done);
                continue;
            }
        };
        let key = node_key(v);
        if let Some(key) = key {
            match marks.get(&key) {
                Some(Seen::Open) => {
                    labelled.insert(key, None);
                    continue;
                }
                Some(Seen::Done) => {
                    if labels == Labels::Shared {
                        labelled.insert(key, None);
                    }
                    continue;
                }
                None => {
                    marks.insert(key, Seen::Open);
                    work.push(Err(key));
                }
            }
        }
        children(vm, v, |c| {
            if matches!(
                c,
                Value::Pair(_) | Value::Array(_) | Value::Values(_) | Value::Struct(_)
            ) {
                work.push(Ok(c));
            }
        });
    }
    labelled
}

/// One step of printing.
enum Task {
    Value(Value, Style),
    Text(&'static str),
    /// The rest of a list after an element: `()`, more elements, or ` . tail`.
    ListRest(Value, Style),
}

struct Printer<'a> {
    vm: &'a Vm,
    out: &'a mut String,
    work: Vec<Task>,
    /// Labelled nodes, with the number each got when first printed.
    labels: FxHashMap<usize, Option<usize>>,
    next_label: usize,
}

fn print(vm: &Vm, v: Value, style: Style, labels: Labels, out: &mut String, limit: usize) {
    let mut p = Printer {
        vm,
        labels: find_labelled(vm, v, labels),
        out,
        work: vec![Task::Value(v, style)],
        next_label: 0,
    };
    while let Some(task) = p.work.pop() {
        if p.out.len() > limit {
            return;
        }
        match task {
            Task::Text(s) => p.out.push_str(s),
            Task::Value(v, style) => p.value(v, style),
            Task::ListRest(rest, style) => p.list_rest(rest, style),
        }
    }
}

impl Printer<'_> {
    fn is_labelled(&self, v: Value) -> bool {
        node_key(v).is_some_and(|k| self.labels.contains_key(&k))
    }

    /// For a labelled node: write `#n#` and return true if it was printed already, else
    /// write `#n=` and number it.
    fn label(&mut self, v: Value) -> bool {
        let Some(slot) = node_key(v).and_then(|k| self.labels.get_mut(&k)) else {
            return false;
        };
        if let Some(n) = *slot {
            let _ = write!(self.out, "#{n}#");
            return true;
        }
        let n = self.next_label;
        *slot = Some(n);
        self.next_label += 1;
        let _ = write!(self.out, "#{n}=");
        false
    }

    fn value(&mut self, v: Value, style: Style) {
        let out = &mut *self.out;
        match v {
            Value::Null => out.push_str(if style == Style::Jue { "nil" } else { "()" }),
            Value::Bool(b) => out.push_str(match (style, b) {
                (Style::Jue, true) => "true",
                (Style::Jue, false) => "false",
                (_, true) => "#t",
                (_, false) => "#f",
            }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&format_float(f)),
            Value::Str(s) if style == Style::Display => out.push_str(s.as_str()),
            Value::Str(s) => datum::write_string(s.as_str(), out),
            Value::Char(c) if style == Style::Display => out.push(c),
            Value::Char(c) => datum::write_char(c, out),
            Value::Symbol(id) if style == Style::Display => {
                out.push_str(self.vm.heap.symbol_name(id))
            }
            Value::Symbol(id) => datum::write_symbol(self.vm.heap.symbol_name(id), out),
            Value::Pair(p) => {
                if self.label(v) {
                    return;
                }
                self.out.push('(');
                self.work.push(Task::Text(")"));
                self.work.push(Task::ListRest(p.cdr.get(), style));
                self.work.push(Task::Value(p.car.get(), style));
            }
            Value::Array(a) => {
                if self.label(v) {
                    return;
                }
                self.out.push_str("#(");
                self.work.push(Task::Text(")"));
                self.push_seq(&a.to_vec(), style);
            }
            Value::Values(a) => self.push_seq(&a.to_vec(), style),
            Value::Bytes(b) => write_bytevector(b.bytes(), out),
            Value::Closure(c) => {
                let name = c.proto.name.as_str();
                if name.is_empty() || name.starts_with('<') {
                    out.push_str("#<procedure>");
                } else {
                    out.push_str("#<procedure ");
                    out.push_str(name);
                    out.push('>');
                }
            }
            Value::Native(id) => {
                out.push_str("#<procedure ");
                out.push_str(self.vm.native_name(id));
                out.push('>');
            }
            Value::Struct(inst) if inst.ty == self.vm.scheme_error_type => {
                out.push_str("#<error-object ");
                let f = inst.fields();
                self.work.push(Task::Text(">"));
                if let Some(&irritants) = f.get(1).filter(|v| !matches!(v, Value::Null)) {
                    self.work.push(Task::Value(irritants, Style::Write));
                    self.work.push(Task::Text(" "));
                }
                if let Some(&message) = f.first() {
                    self.work.push(Task::Value(message, Style::Write));
                }
            }
            Value::Struct(inst) => {
                out.push_str("#<");
                out.push_str(inst.ty.name.trim_start_matches('<').trim_end_matches('>'));
                out.push('>');
            }
            Value::StructType(t) => {
                out.push_str("#<record-type ");
                out.push_str(t.name.trim_start_matches('<').trim_end_matches('>'));
                out.push('>');
            }
            // A table's keys are stored in the dict's own encoding, and its values may hold
            // the table itself: it prints by its size, as an opaque object.
            Value::Dict(d) => {
                let _ = write!(out, "#<hash-table {}>", d.len());
            }
            Value::Undef => out.push_str("#<undefined>"),
            Value::Box(_) => out.push_str("#<box>"),
            other => {
                out.push_str("#<");
                out.push_str(&crate::format::display(self.vm, other));
                out.push('>');
            }
        }
    }

    /// Continue a list whose elements so far are printed; `rest` is the next cdr.
    fn list_rest(&mut self, rest: Value, style: Style) {
        match rest {
            Value::Null => {}
            Value::Pair(p) if !self.is_labelled(rest) => {
                self.out.push(' ');
                self.work.push(Task::ListRest(p.cdr.get(), style));
                self.work.push(Task::Value(p.car.get(), style));
            }
            tail => {
                self.out.push_str(" . ");
                self.work.push(Task::Value(tail, style));
            }
        }
    }

    /// Queue `items` separated by spaces.
    fn push_seq(&mut self, items: &[Value], style: Style) {
        for (i, &x) in items.iter().enumerate().rev() {
            self.work.push(Task::Value(x, style));
            if i > 0 {
                self.work.push(Task::Text(" "));
            }
        }
    }
}
