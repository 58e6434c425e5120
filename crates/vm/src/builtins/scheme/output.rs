//! The output procedures (`display`, `write`, `write-string`, ...) and string ports; the
//! notation itself is `printer.rs`.
//!
//! A port is an instance of a private struct type with one field: a bytevector buffer for a
//! string port, or `()` for standard output. Writing to standard output needs the `stdout`
//! capability; writing to a string port needs none, so those natives check the capability
//! themselves instead of declaring it.

use super::printer::{to_text, Labels, Style};
use super::{hidden_type, is_hidden_instance, reg, set_hidden, wrong, Hidden};
use crate::native::{Arity, Caps, NativeResult};
use crate::object::Bytevector;
use crate::value::{Gc, Value};
use crate::vm::Vm;
use std::io::Write;

const PORT: Hidden = "% scheme port";
const STDOUT_PORT: Hidden = "% scheme stdout-port";

pub fn install(vm: &mut Vm) {
    let ty = super::make_hidden_type(vm, PORT, "port", &["buffer"]);
    let stdout = vm.heap.alloc_instance(ty, &[Value::Null]);
    set_hidden(vm, STDOUT_PORT, Value::Struct(stdout));

    reg(vm, "display", Arity::range(1, 2), |vm, a| {
        print(vm, "display", a, Style::Display, Labels::Cycles)
    });
    reg(vm, "write", Arity::range(1, 2), |vm, a| {
        print(vm, "write", a, Style::Write, Labels::Cycles)
    });
    reg(vm, "write-shared", Arity::range(1, 2), |vm, a| {
        print(vm, "write-shared", a, Style::Write, Labels::Shared)
    });
    reg(vm, "write-simple", Arity::range(1, 2), |vm, a| {
        print(vm, "write-simple", a, Style::Write, Labels::Never)
    });
    reg(vm, "newline", Arity::range(0, 1), |vm, a| {
        emit(vm, "newline", a.first().copied(), b"\n")
    });
    reg(vm, "write-string", Arity::range(1, 4), write_string);
    reg(vm, "write-char", Arity::range(1, 2), |vm, a| {
        let c = super::char_arg(vm, "write-char", a[0])?;
        emit(
            vm,
            "write-char",
            a.get(1).copied(),
            c.encode_utf8(&mut [0; 4]).as_bytes(),
        )
    });
    reg(vm, "write-u8", Arity::range(1, 2), |vm, a| match a[0] {
        Value::Int(b) if (0..=255).contains(&b) => {
            emit(vm, "write-u8", a.get(1).copied(), &[b as u8])
        }
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

/// Where an output procedure writes: standard output (`None`) or a string port's buffer.
fn target(vm: &Vm, name: &str, port: Option<Value>) -> Result<Option<Gc<Bytevector>>, String> {
    let Some(p) = port else {
        return Ok(None);
    };
    match p {
        Value::Struct(inst) if is_hidden_instance(vm, p, PORT) => match inst.fields()[0] {
            Value::Bytes(b) => Ok(Some(b)),
            _ => Ok(None),
        },
        _ => Err(wrong(vm, name, "an output port", p)),
    }
}

/// The [`target`] of a write, checked: standard output needs the `stdout` capability.
fn destination(vm: &Vm, name: &str, port: Option<Value>) -> Result<Option<Gc<Bytevector>>, String> {
    let dest = target(vm, name, port)?;
    if dest.is_none() && !vm.caps.contains(Caps::STDOUT) {
        return Err(format!("capability denied: stdout (needed by {name})"));
    }
    Ok(dest)
}

/// Write `bytes` to a [`destination`].
fn write_to(vm: &mut Vm, name: &str, dest: Option<Gc<Bytevector>>, bytes: &[u8]) -> NativeResult {
    match dest {
        Some(buf) => {
            let buffer = buf.bytes_mut();
            vm.heap.reserve(bytes.len())?;
            if buffer.len() + bytes.len() > super::super::MAX_STR_BYTES {
                return Err(super::super::too_large(name));
            }
            buffer.extend_from_slice(bytes);
            vm.heap.note_growth(bytes.len());
        }
        None => {
            vm.out
                .write_all(bytes)
                .map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(Value::Null)
}

/// Write `bytes` to `port` (standard output when absent).
fn emit(vm: &mut Vm, name: &str, port: Option<Value>, bytes: &[u8]) -> NativeResult {
    let dest = destination(vm, name, port)?;
    write_to(vm, name, dest, bytes)
}

fn print(vm: &mut Vm, name: &str, args: &[Value], style: Style, labels: Labels) -> NativeResult {
    // Check the destination before formatting (a denied write should not do the work).
    let dest = destination(vm, name, args.get(1).copied())?;
    // `display` writes a string or character as it is: no copy through the printer.
    match (style, args[0]) {
        (Style::Display, Value::Str(s)) => write_to(vm, name, dest, s.as_str().as_bytes()),
        (Style::Display, Value::Char(c)) => {
            write_to(vm, name, dest, c.encode_utf8(&mut [0; 4]).as_bytes())
        }
        (_, v) => {
            let text = to_text(vm, v, style, labels);
            super::printer::check_room(vm, name, text.len())?;
            write_to(vm, name, dest, text.as_bytes())
        }
    }
}

fn write_string(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let text = super::str_obj_arg(vm, "write-string", &args[0])?;
    if args.len() <= 2 {
        // No range: the whole text, without counting its characters.
        return emit(
            vm,
            "write-string",
            args.get(1).copied(),
            text.as_str().as_bytes(),
        );
    }
    let n = text.char_len();
    let (start, end) = super::range(vm, "write-string", args, 2, n)?;
    let part = text.char_slice(start, end);
    emit(vm, "write-string", args.get(1).copied(), part.as_bytes())
}

fn open_output_string(vm: &mut Vm, _args: &[Value]) -> NativeResult {
    let ty = hidden_type(vm, PORT).ok_or("internal error: no port type")?;
    let buf = Value::Bytes(vm.heap.alloc_bytes(Bytevector::new(Vec::new())));
    let inst = vm.heap.alloc_instance(ty, &[buf]);
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
