//! Output: `print`.

use super::def;
use crate::format;
use crate::native::{Arity, Caps, NativeResult};
use crate::value::Value;
use crate::vm::Vm;
use std::io::Write;

pub fn install(vm: &mut Vm) {
    def(vm, "print", Arity::at_least(0), Caps::STDOUT, print);
}

/// `print(a, b, ...)`: the display forms joined by one space, then a newline.
fn print(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let mut line = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        format::write_display(vm, *a, &mut line);
        format::check_text(vm, "print", line.len())?;
    }
    line.push('\n');
    vm.out
        .write_all(line.as_bytes())
        .map_err(|e| format!("print: cannot write to stdout: {e}"))?;
    Ok(Value::Null)
}
