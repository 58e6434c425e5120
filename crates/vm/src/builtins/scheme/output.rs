//! The Scheme printer (`display` / `write` notation, as chibi-scheme prints), the output
//! procedures, and string ports.
//!
//! A port is an instance of a private struct type with one field: a bytevector buffer for a
//! string port, or `()` for standard output. Writing to standard output needs the `stdout`
//! capability; writing to a string port needs none, so those natives check the capability
//! themselves instead of declaring it.

use super::{hidden_type, is_hidden_instance, reg, set_hidden, wrong};
use crate::native::{Arity, Caps, NativeResult};
use crate::object::{Bytevector, Instance};
use crate::value::Value;
use crate::vm::Vm;
use std::io::Write;

const PORT: &str = "port";
const STDOUT_PORT: &str = "stdout-port";

pub fn install(vm: &mut Vm) {
    super::make_hidden_type(vm, PORT, "port", &["buffer"]);
    let ty = hidden_type(vm, PORT).expect("port type");
    let stdout = vm.heap.alloc_instance(Instance::new(ty, vec![Value::Null]));
    set_hidden(vm, STDOUT_PORT, Value::Struct(stdout));

    reg(vm, "display", Arity::range(1, 2), |vm, a| {
        print(vm, "display", a, Style::Display)
    });
    reg(vm, "write", Arity::range(1, 2), |vm, a| {
        print(vm, "write", a, Style::Write)
    });
    reg(vm, "write-shared", Arity::range(1, 2), |vm, a| {
        print(vm, "write-shared", a, Style::Write)
    });
    reg(vm, "write-simple", Arity::range(1, 2), |vm, a| {
        print(vm, "write-simple", a, Style::Write)
    });
    reg(vm, "newline", Arity::range(0, 1), |vm, a| {
        emit(vm, "newline", a.first().copied(), "\n")
    });
    reg(vm, "write-string", Arity::range(1, 4), write_string);
    reg(vm, "write-char", Arity::range(1, 2), |vm, a| {
        let c = super::chars_strings::char_arg(vm, "write-char", a[0])?;
        emit(
            vm,
            "write-char",
            a.get(1).copied(),
            c.encode_utf8(&mut [0; 4]),
        )
    });
    reg(vm, "write-u8", Arity::range(1, 2), |vm, a| match a[0] {
        Value::Int(b) if (0..=255).contains(&b) => emit(
            vm,
            "write-u8",
            a.get(1).copied(),
            &(b as u8 as char).to_string(),
        ),
        v => Err(wrong(vm, "write-u8", "a byte", v)),
    });
    reg(
        vm,
        "open-output-string",
        Arity::exactly(0),
        open_output_string,
    );
    reg(
        vm,
        "get-output-string",
        Arity::exactly(1),
        get_output_string,
    );
    reg(vm, "current-output-port", Arity::exactly(0), |vm, _| {
        Ok(super::get_hidden(vm, STDOUT_PORT))
    });
    reg(vm, "current-error-port", Arity::exactly(0), |vm, _| {
        Ok(super::get_hidden(vm, STDOUT_PORT))
    });
    reg(vm, "flush-output-port", Arity::range(0, 1), |vm, _| {
        vm.flush();
        Ok(Value::Null)
    });
    reg(vm, "close-port", Arity::exactly(1), |_, _| Ok(Value::Null));
    reg(vm, "close-output-port", Arity::exactly(1), |_, _| {
        Ok(Value::Null)
    });
    for name in ["port?", "output-port?", "textual-port?"] {
        reg(vm, name, Arity::exactly(1), |vm, a| {
            Ok(Value::Bool(is_hidden_instance(vm, a[0], PORT)))
        });
    }
    reg(vm, "input-port?", Arity::exactly(1), |_, _| {
        Ok(Value::Bool(false))
    });
}

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

/// The largest text the printer builds (it stops with `...` beyond, e.g. on a circular list).
const MAX_OUT: usize = 1 << 28;

/// Append the `write` (or, with `write == false`, `display`) form of `v` to `out`.
pub fn write_scheme(vm: &Vm, v: Value, write: bool, out: &mut String) {
    let style = if write { Style::Write } else { Style::Display };
    print_value(vm, v, style, out, 0, MAX_OUT);
}

/// Append Jue's printed form of a top-level value to `out` (no newline).
pub fn write_jue(vm: &Vm, v: Value, out: &mut String) {
    print_value(vm, v, Style::Jue, out, 0, MAX_OUT);
}

/// Print with a size cap (for error messages).
pub fn write_limited(vm: &Vm, v: Value, write: bool, out: &mut String, limit: usize) {
    let style = if write { Style::Write } else { Style::Display };
    let start = out.len();
    print_value(vm, v, style, out, 0, start + limit);
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
pub fn to_text(vm: &Vm, v: Value, style: Style) -> String {
    let mut s = String::new();
    print_value(vm, v, style, &mut s, 0, MAX_OUT);
    s
}

/// Floats as chibi prints them: shortest round-trip digits, `.0` on integral values,
/// `+inf.0`, `-inf.0`, `+nan.0`, exponents for very large and small magnitudes.
pub fn format_float(f: f64) -> String {
    tandem_syntax::scheme::datum::format_float(f)
}

fn print_value(vm: &Vm, v: Value, style: Style, out: &mut String, depth: usize, limit: usize) {
    if out.len() > limit {
        return;
    }
    if depth > 10_000 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str(if style == Style::Jue { "nil" } else { "()" }),
        Value::Bool(b) => out.push_str(match (style, b) {
            (Style::Jue, true) => "true",
            (Style::Jue, false) => "false",
            (_, true) => "#t",
            (_, false) => "#f",
        }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format_float(f)),
        Value::Str(s) => {
            if style == Style::Display {
                out.push_str(s.as_str());
            } else {
                write_string_literal(s.as_str(), out);
            }
        }
        Value::Char(c) => {
            if style == Style::Display {
                out.push(c);
            } else {
                tandem_syntax::scheme::datum::write_char(c, out);
            }
        }
        Value::Symbol(id) => {
            let name = vm.heap.symbol_name(id);
            if style != Style::Display && needs_bars(name) {
                out.push('|');
                for c in name.chars() {
                    match c {
                        '|' => out.push_str("\\|"),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
                out.push('|');
            } else {
                out.push_str(name);
            }
        }
        Value::Pair(_) => {
            out.push('(');
            let mut cur = v;
            let mut first = true;
            loop {
                match cur {
                    Value::Pair(p) => {
                        if !first {
                            out.push(' ');
                        }
                        first = false;
                        print_value(vm, p.car.get(), style, out, depth + 1, limit);
                        if out.len() > limit {
                            return;
                        }
                        cur = p.cdr.get();
                    }
                    Value::Null => break,
                    tail => {
                        out.push_str(" . ");
                        print_value(vm, tail, style, out, depth + 1, limit);
                        break;
                    }
                }
            }
            out.push(')');
        }
        Value::Array(a) => {
            out.push_str("#(");
            print_seq(vm, &a.to_vec(), style, out, depth, limit);
            out.push(')');
        }
        Value::Values(a) => print_seq(vm, &a.to_vec(), style, out, depth, limit),
        Value::Bytes(b) => {
            out.push_str("#u8(");
            let parts: Vec<String> = b.bytes().iter().map(|x| x.to_string()).collect();
            out.push_str(&parts.join(" "));
            out.push(')');
        }
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
            out.push_str(vm.native_name(id));
            out.push('>');
        }
        Value::Struct(inst) => {
            if inst.ty == vm.scheme_error_type {
                out.push_str("#<error-object ");
                let f = inst.fields();
                print_value(vm, f[0], Style::Write, out, depth + 1, limit);
                if !matches!(f.get(1), Some(Value::Null) | None) {
                    out.push(' ');
                    print_value(vm, f[1], Style::Write, out, depth + 1, limit);
                }
                out.push('>');
            } else {
                let name = inst.ty.name.trim_start_matches('<').trim_end_matches('>');
                out.push_str("#<");
                out.push_str(name);
                out.push('>');
            }
        }
        Value::StructType(t) => {
            out.push_str("#<record-type ");
            out.push_str(t.name.trim_start_matches('<').trim_end_matches('>'));
            out.push('>');
        }
        Value::Undef => out.push_str("#<undefined>"),
        Value::Box(_) => out.push_str("#<box>"),
        other => {
            out.push_str("#<");
            out.push_str(&crate::format::display(vm, other));
            out.push('>');
        }
    }
}

fn print_seq(vm: &Vm, items: &[Value], style: Style, out: &mut String, depth: usize, limit: usize) {
    for (i, &x) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_value(vm, x, style, out, depth + 1, limit);
        if out.len() > limit {
            return;
        }
    }
}

fn write_string_literal(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            c if c.is_control() => out.push_str(&format!("\\x{:x};", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Does a symbol need `|..|` to read back as itself?
fn needs_bars(name: &str) -> bool {
    name.is_empty()
        || name == "."
        || name.starts_with('#')
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "()[]{}\"';`|,".contains(c))
        || super::numbers::parse_number(name, 10).is_some()
}

/// Where an output procedure writes: standard output (`None`) or a string port's buffer.
fn target(
    vm: &Vm,
    name: &str,
    port: Option<Value>,
) -> Result<Option<crate::value::Gc<Bytevector>>, String> {
    let Some(p) = port else {
        return Ok(None);
    };
    if !is_hidden_instance(vm, p, PORT) {
        return Err(wrong(vm, name, "an output port", p));
    }
    let Value::Struct(inst) = p else {
        unreachable!("checked above")
    };
    match inst.fields()[0] {
        Value::Bytes(b) => Ok(Some(b)),
        _ => Ok(None),
    }
}

/// Write `text` to `port` (standard output when absent).
fn emit(vm: &mut Vm, name: &str, port: Option<Value>, text: &str) -> NativeResult {
    match target(vm, name, port)? {
        Some(buf) => {
            let bytes = buf.bytes_mut();
            if bytes.len() + text.len() > super::super::MAX_STR_BYTES {
                return Err(super::super::too_large(name));
            }
            bytes.extend_from_slice(text.as_bytes());
            vm.heap.note_growth(text.len());
        }
        None => {
            if !vm.caps.contains(Caps::STDOUT) {
                return Err(format!("capability denied: stdout (needed by {name})"));
            }
            vm.out
                .write_all(text.as_bytes())
                .map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(Value::Null)
}

fn print(vm: &mut Vm, name: &str, args: &[Value], style: Style) -> NativeResult {
    // Check the destination before formatting (a denied write should not do the work).
    target(vm, name, args.get(1).copied())?;
    let text = to_text(vm, args[0], style);
    emit(vm, name, args.get(1).copied(), &text)
}

fn write_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let Value::Str(s) = args[0] else {
        return Err(wrong(vm, "write-string", "a string", args[0]));
    };
    let text = s.as_str();
    let n = super::chars_strings::char_len(text);
    let (start, end) = super::range(vm, "write-string", args, 2, n)?;
    let sub: String = if start == 0 && end == n {
        text.to_string()
    } else {
        text.chars().skip(start).take(end - start).collect()
    };
    emit(vm, "write-string", args.get(1).copied(), &sub)
}

fn open_output_string(vm: &mut Vm, _args: &[Value]) -> NativeResult {
    let ty = hidden_type(vm, PORT).ok_or("internal error: no port type")?;
    let buf = Value::Bytes(vm.heap.alloc_bytes(Bytevector::new(Vec::new())));
    let inst = vm.heap.alloc_instance(Instance::new(ty, vec![buf]));
    Ok(Value::Struct(inst))
}

fn get_output_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match target(vm, "get-output-string", Some(args[0]))? {
        Some(buf) => {
            let s = String::from_utf8_lossy(buf.bytes()).into_owned();
            Ok(vm.new_str(s))
        }
        None => Err(wrong(vm, "get-output-string", "a string port", args[0])),
    }
}
