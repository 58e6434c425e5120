//! How values print (`print`, `to_string`, string interpolation), exactly as the Ruff spec
//! says: floats as Rust's `f64` Display, strings raw (also inside containers), dicts with
//! sorted quoted keys, functions as `<unknown>`, natives as `<native function: NAME>`.

use crate::object::Family;
use crate::value::Value;
use crate::vm::Vm;
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
    let mut seen = Vec::new();
    let cap = out.len().saturating_add(text_room(vm));
    write_value(vm, v, out, &mut seen, cap);
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
    if len <= text_room(vm) {
        return Ok(());
    }
    vm.heap.reserve(len)?;
    Err(crate::builtins::too_large(name))
}

/// Format a float the way Ruff prints it.
pub fn write_float(f: f64, out: &mut String) {
    let _ = write!(out, "{f}");
}

fn write_value(vm: &Vm, v: Value, out: &mut String, seen: &mut Vec<usize>, cap: usize) {
    if out.len() > cap {
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => write_float(f, out),
        Value::Str(s) => out.push_str(s.as_str()),
        Value::Array(a) => {
            if seen.contains(&a.addr()) || seen.len() > 512 {
                out.push_str("[...]");
                return;
            }
            seen.push(a.addr());
            out.push('[');
            let n = a.len();
            for i in 0..n {
                if i > 0 {
                    out.push_str(", ");
                }
                match a.get(i) {
                    Some(x) => write_value(vm, x, out, seen, cap),
                    None => break,
                }
            }
            out.push(']');
            seen.pop();
        }
        Value::Dict(d) => {
            if seen.contains(&d.addr()) || seen.len() > 512 {
                out.push_str("{...}");
                return;
            }
            seen.push(d.addr());
            out.push('{');
            for (i, k) in d.sorted_keys().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push('"');
                out.push_str(crate::builtins::scheme::hashtables::key_shown(k));
                out.push_str("\": ");
                if let Some(x) = d.get(k) {
                    write_value(vm, x, out, seen, cap);
                }
            }
            out.push('}');
            seen.pop();
        }
        Value::Closure(c) if c.proto.builtin => {
            let _ = write!(out, "<native function: {}>", c.proto.name);
        }
        Value::Closure(_) => out.push_str("<unknown>"),
        Value::Native(id) => {
            let _ = write!(out, "<native function: {}>", vm.native_name(id));
        }
        Value::Struct(inst) => {
            if seen.contains(&inst.addr()) || seen.len() > 512 {
                let _ = write!(out, "{} {{...}}", inst.ty.name);
                return;
            }
            seen.push(inst.addr());
            let _ = write!(out, "{} {{", inst.ty.name);
            let mut order: Vec<usize> = (0..inst.ty.fields.len()).collect();
            order.sort_by(|&a, &b| inst.ty.fields[a].cmp(&inst.ty.fields[b]));
            for (n, &i) in order.iter().enumerate() {
                out.push_str(if n == 0 { " " } else { ", " });
                let _ = write!(out, "{}: ", inst.ty.fields[i]);
                if let Some(&x) = inst.fields().get(i) {
                    write_value(vm, x, out, seen, cap);
                }
            }
            out.push_str(if order.is_empty() { "}" } else { " }" });
            seen.pop();
        }
        Value::Variant(v) => {
            if let Family::Enum(name) = &v.family {
                let _ = write!(out, "{name}::");
            }
            out.push_str(&v.tag);
            if !v.payload.is_empty() {
                if seen.contains(&v.addr()) || seen.len() > 512 {
                    out.push_str("(...)");
                    return;
                }
                seen.push(v.addr());
                out.push('(');
                for (i, &x) in v.payload.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_value(vm, x, out, seen, cap);
                }
                out.push(')');
                seen.pop();
            }
        }
        Value::StructType(t) => {
            let _ = write!(out, "<struct {}>", t.name);
        }
        Value::EnumType(t) => {
            let _ = write!(out, "<enum {}>", t.name);
        }
        Value::Pair(_) => {
            if seen.len() > 512 {
                out.push_str("(...)");
                return;
            }
            out.push('(');
            let mut cur = v;
            let mut first = true;
            let mut n = 0;
            while let Value::Pair(p) = cur {
                if seen.contains(&p.addr()) || n > 100_000 {
                    out.push_str(" ...");
                    break;
                }
                if !first {
                    out.push(' ');
                }
                first = false;
                seen.push(p.addr());
                write_value(vm, p.car.get(), out, seen, cap);
                seen.pop();
                cur = p.cdr.get();
                n += 1;
            }
            if !matches!(cur, Value::Null | Value::Pair(_)) {
                out.push_str(" . ");
                write_value(vm, cur, out, seen, cap);
            }
            out.push(')');
        }
        Value::Symbol(id) => out.push_str(vm.heap.symbol_name(id)),
        Value::Char(c) => out.push(c),
        Value::Bytes(b) => crate::builtins::scheme::printer::write_bytevector(b.bytes(), out),
        Value::Values(a) => {
            for (i, x) in a.to_vec().into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(vm, x, out, seen, cap);
            }
        }
        // As in Ruff, collections print as <unknown>.
        Value::Coll(_) => out.push_str("<unknown>"),
        Value::Module(m) => {
            let _ = write!(out, "<module {}>", m.name);
        }
        Value::Box(b) => write_value(vm, b.value.get(), out, seen, cap),
        Value::Undef => out.push_str("undefined"),
    }
}
