//! Control: multiple values, `raise` and error objects, promises, the escape objects behind
//! `call/cc`, record tests, capabilities and Jue's tiers and printer.
//!
//! A native cannot unwind with an arbitrary object, only with an error message. To raise a
//! value it stores it in `vm.pending_raise` and returns `Err(message)`; the interpreter
//! attaches the stored value to the runtime error, so a `guard` receives the object itself
//! and an uncaught raise still has a readable message.

use super::printer::{Labels, Style};
use super::{hidden_type, is_hidden_instance, list_vec, reg, wrong, Hidden};
use crate::native::{Arity, Caps, NativeResult};
use crate::value::Value;
use crate::vm::Vm;
use std::io::Write;

const PROMISE: Hidden = "% scheme promise";
const ESCAPE: Hidden = "% scheme escape";

pub fn install(vm: &mut Vm) {
    let one = Arity::exactly(1);
    super::make_hidden_type(vm, PROMISE, "promise", &["box"]);
    super::make_hidden_type(vm, ESCAPE, "continuation-escape", &["tag", "values"]);

    reg(vm, "values", Arity::at_least(0), values);
    reg(vm, "%values->list", one, values_to_list);
    reg(vm, "procedure?", one, |_, a| {
        Ok(Value::Bool(matches!(
            a[0],
            Value::Closure(_) | Value::Native(_)
        )))
    });

    // `raise` and `error` are the prelude's (they call with-exception-handler handlers first);
    // `%raise` is the unwinding they end in.
    reg(vm, "%raise", one, raise);
    reg(
        vm,
        "%make-error-object",
        Arity::exactly(2),
        make_error_object,
    );
    reg(vm, "error-object?", one, |vm, a| {
        Ok(Value::Bool(is_error_object(vm, a[0])))
    });
    reg(vm, "error-object-message", one, |vm, a| {
        error_field(vm, "error-object-message", a[0], 0)
    });
    reg(vm, "error-object-irritants", one, |vm, a| {
        error_field(vm, "error-object-irritants", a[0], 1)
    });
    reg(vm, "file-error?", one, |_, _| Ok(Value::Bool(false)));
    reg(vm, "read-error?", one, |_, _| Ok(Value::Bool(false)));
    reg(vm, "%record-instance?", Arity::exactly(2), |_, a| {
        Ok(Value::Bool(crate::interp_data::is_instance(a[0], a[1])))
    });

    reg(vm, "%make-escape", Arity::exactly(2), make_escape);
    reg(vm, "%escape?", one, |vm, a| {
        Ok(Value::Bool(is_hidden_instance(vm, a[0], ESCAPE)))
    });
    reg(vm, "%escape-tag", one, |vm, a| escape_field(vm, a[0], 0));
    reg(vm, "%escape-values", one, escape_values);

    reg(vm, "%make-promise", Arity::exactly(2), |vm, a| {
        new_promise(vm, a[0], a[1])
    });
    reg(vm, "make-promise", one, |vm, a| {
        if is_hidden_instance(vm, a[0], PROMISE) {
            Ok(a[0])
        } else {
            new_promise(vm, Value::Bool(true), a[0])
        }
    });
    reg(vm, "promise?", one, |vm, a| {
        Ok(Value::Bool(is_hidden_instance(vm, a[0], PROMISE)))
    });
    reg(vm, "%promise-box", one, promise_box);
    reg(vm, "%promise-update!", Arity::exactly(2), promise_update);

    reg(vm, "has-capability?", one, has_capability);
    reg(vm, "require-capability", one, require_capability);
    reg(vm, "%caps-get", Arity::exactly(0), |vm, _| {
        Ok(Value::Int(vm.caps.0 as i64))
    });
    reg(vm, "%caps-set", one, caps_set);
    reg(vm, "%caps-narrow", one, caps_narrow);
    vm.register_in(
        super::NS,
        crate::native::NativeDef::new(JUE_PRINT, one, Caps::STDOUT, jue_print)
            .shown_as(JUE_PRINT_SHOWN),
    );
}

// ----- multiple values -----

fn values(vm: &mut Vm, args: &[Value]) -> NativeResult {
    if args.len() == 1 {
        return Ok(args[0]);
    }
    Ok(Value::Values(vm.heap.alloc_array(args.to_vec())))
}

/// The values a producer returned, as a list (one plain value is a list of one).
fn values_to_list(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Values(a) => Ok(vm.new_list(a.items())),
        v => Ok(vm.new_list(&[v])),
    }
}

// ----- raise and error objects -----

pub(crate) fn is_error_object(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Struct(inst) if inst.ty == vm.scheme_error_type)
}

/// Beyond this many bytes an error message stops listing irritants.
const MAX_MESSAGE: usize = 4000;

/// The message of an uncaught raise of `obj`: `msg irritant ...` for an error object.
pub fn raise_message(vm: &Vm, obj: Value) -> String {
    if let Value::Struct(inst) = obj {
        if inst.ty == vm.scheme_error_type {
            let f = inst.fields();
            let mut s = super::printer::to_text(vm, f[0], Style::Display, Labels::Cycles);
            // The irritants list can be long, or made circular with `set-cdr!`.
            let mut cur = f[1];
            while let Value::Pair(p) = cur {
                if s.len() > MAX_MESSAGE {
                    s.push_str(" ...");
                    break;
                }
                s.push(' ');
                super::printer::write_limited(vm, p.car.get(), true, &mut s, 1000);
                cur = p.cdr.get();
            }
            return s;
        }
    }
    if is_hidden_instance(vm, obj, ESCAPE) {
        return "continuation called outside its dynamic extent".to_string();
    }
    format!("exception raised: {}", super::show(vm, obj))
}

/// Unwind with `obj` as the raised value.
pub fn raise_value(vm: &mut Vm, obj: Value) -> NativeResult {
    let message = raise_message(vm, obj);
    vm.pending_raise = Some(obj);
    Err(message)
}

fn raise(vm: &mut Vm, args: &[Value]) -> NativeResult {
    raise_value(vm, args[0])
}

fn new_error_object(vm: &mut Vm, message: Value, irritants: Value) -> Value {
    let text = match message {
        Value::Str(s) => s.as_str().to_string(),
        other => super::printer::to_text(vm, other, Style::Display, Labels::Cycles),
    };
    vm.scheme_error_object(&text, irritants)
}

/// `(%make-error-object message irritant-list)`
fn make_error_object(vm: &mut Vm, args: &[Value]) -> NativeResult {
    list_vec(vm, "%make-error-object", args[1])?;
    Ok(new_error_object(vm, args[0], args[1]))
}

fn error_field(vm: &Vm, name: &str, v: Value, i: usize) -> NativeResult {
    match v {
        Value::Struct(inst) if inst.ty == vm.scheme_error_type => Ok(inst.fields()[i]),
        _ => Err(wrong(vm, name, "an error object", v)),
    }
}

// ----- escapes (call/cc) -----

fn make_escape(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let ty = hidden_type(vm, ESCAPE).ok_or("internal error: no escape type")?;
    let inst = vm.heap.alloc_instance(ty, &[args[0], args[1]]);
    Ok(Value::Struct(inst))
}

fn escape_field(vm: &Vm, v: Value, i: usize) -> NativeResult {
    match v {
        Value::Struct(inst) if is_hidden_instance(vm, v, ESCAPE) => Ok(inst.fields()[i]),
        _ => Err(wrong(vm, "%escape-tag", "an escape", v)),
    }
}

/// The values an escape carries, as `values` would return them.
fn escape_values(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let list = escape_field(vm, args[0], 1)?;
    let items = list_vec(vm, "%escape-values", list)?;
    values(vm, &items)
}

// ----- promises -----

/// A promise holds a shared box `(done? . value-or-thunk)`, as in the R7RS reference
/// implementation, so chains of `delay-force` collapse.
fn new_promise(vm: &mut Vm, done: Value, value: Value) -> NativeResult {
    let ty = hidden_type(vm, PROMISE).ok_or("internal error: no promise type")?;
    let cell = super::lists::cons(vm, done, value);
    Ok(Value::Struct(vm.heap.alloc_instance(ty, &[cell])))
}

fn promise_box(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Struct(inst) if is_hidden_instance(vm, args[0], PROMISE) => Ok(inst.fields()[0]),
        v => Err(wrong(vm, "force", "a promise", v)),
    }
}

/// `(%promise-update! new old)`: `old` takes over `new`'s state and they share one box.
/// A `new` that is not a promise is the value `old` is done with.
fn promise_update(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let (new, old) = (args[0], args[1]);
    let old_box = match old {
        Value::Struct(inst) if is_hidden_instance(vm, old, PROMISE) => {
            inst.fields().first().copied()
        }
        _ => None,
    };
    let Some(Value::Pair(old_box)) = old_box else {
        return Err(wrong(vm, "force", "a promise", old));
    };
    match new {
        Value::Struct(new_inst) if is_hidden_instance(vm, new, PROMISE) => {
            if let Value::Pair(new_box) = new_inst.fields()[0] {
                old_box.car.set(new_box.car.get());
                old_box.cdr.set(new_box.cdr.get());
            }
            new_inst.set("box", Value::Pair(old_box));
        }
        v => {
            old_box.car.set(Value::Bool(true));
            old_box.cdr.set(v);
        }
    }
    Ok(Value::Null)
}

// ----- capabilities and Jue -----

/// The capability a name stands for: the VM's names (`stdout`, `clock`, `fs-read`, ...) and
/// the spec's aliases (`io-write`, `io-read`, `time`).
pub fn capability_named(name: &str) -> Option<Caps> {
    Caps::from_name(name).or(match name {
        "io-write" | "write" | "output" | "print" => Some(Caps::STDOUT),
        "io-read" | "read" | "input" => Some(Caps::STDIN),
        "time" => Some(Caps::CLOCK),
        "fs" => Some(Caps::FS_READ.union(Caps::FS_WRITE)),
        _ => None,
    })
}

/// The capability preset of a Jue tier.
pub fn tier_caps(tier: &str) -> Option<Caps> {
    let verified = Caps::STDOUT;
    let empirical = verified
        .union(Caps::CLOCK)
        .union(Caps::STDIN)
        .union(Caps::FS_READ);
    match tier.trim_start_matches(':') {
        "formal" => Some(Caps::NONE),
        "verified" => Some(verified),
        "empirical" => Some(empirical),
        "experimental" => Some(Caps::ALL),
        _ => None,
    }
}

fn symbol_or_string(vm: &Vm, name: &str, v: Value) -> Result<String, String> {
    super::name_text(vm, v).ok_or_else(|| wrong(vm, name, "a capability name", v))
}

fn has_capability(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let name = symbol_or_string(vm, "has-capability?", args[0])?;
    Ok(Value::Bool(
        capability_named(&name).is_some_and(|c| vm.caps.contains(c)),
    ))
}

fn require_capability(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let name = symbol_or_string(vm, "require-capability", args[0])?;
    let Some(c) = capability_named(&name) else {
        return Err(format!("require-capability: unknown capability {name}"));
    };
    if vm.caps.contains(c) {
        return Ok(Value::Bool(true));
    }
    let canonical = c.without(vm.caps).names().join(", ");
    if canonical == name {
        Err(format!("capability denied: {name}"))
    } else {
        Err(format!("capability denied: {name} ({canonical})"))
    }
}

fn caps_set(vm: &mut Vm, args: &[Value]) -> NativeResult {
    match args[0] {
        Value::Int(bits) if (0..=Caps::ALL.0 as i64).contains(&bits) => {
            // Restoring what a tier narrowed: never more than the host granted, so a
            // script that reaches this native cannot grant itself anything.
            vm.caps = Caps(bits as u32 & vm.granted_caps.0);
            Ok(Value::Null)
        }
        v => Err(wrong(vm, "%caps-set", "a capability set", v)),
    }
}

/// `(%caps-narrow tier)`: intersect the current capabilities with the tier's preset; returns
/// the previous set (for `%caps-set`).
fn caps_narrow(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let tier = symbol_or_string(vm, "%caps-narrow", args[0])?;
    let Some(preset) = tier_caps(&tier) else {
        return Err(format!("unknown tier {tier}"));
    };
    let old = vm.caps;
    vm.caps = Caps(old.0 & preset.0);
    Ok(Value::Int(old.0 as i64))
}

/// The native compiled Jue code (and the Scheme REPL) calls to print a top-level value.
pub const JUE_PRINT: &str = "%jue-print";
/// How errors name [`JUE_PRINT`].
pub const JUE_PRINT_SHOWN: &str = "printing a top-level value";

/// Print a top-level value the Jue way, then a newline. Zero values print nothing.
fn jue_print(vm: &mut Vm, args: &[Value]) -> NativeResult {
    if let Value::Values(a) = args[0] {
        if a.is_empty() {
            return Ok(Value::Null);
        }
    }
    let mut s = String::new();
    super::printer::write_jue(vm, args[0], &mut s);
    super::printer::check_room(vm, JUE_PRINT_SHOWN, s.len())?;
    s.push('\n');
    vm.out
        .write_all(s.as_bytes())
        .map_err(|e| format!("{JUE_PRINT_SHOWN}: {e}"))?;
    Ok(Value::Null)
}
