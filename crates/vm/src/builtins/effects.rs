//! Capability-gated effects: console input, files, the environment, clocks and the
//! process. Each builtin declares the capability it needs and the VM refuses the call
//! without it (`capability denied: fs-read`).
//!
//! Return shapes follow Ruff: `input` strips trailing whitespace and gives `""` at end of
//! input; `env` gives `""` for an unset variable; `write_file` returns `true`; `now` is
//! whole seconds since the Unix epoch as a float; `time_us` (microseconds) and
//! `performance_now` (milliseconds) are floats measured from a fixed point early in the
//! process (monotonic). tandem additions: `list_dir` sorts its names, and I/O failures are
//! runtime errors that name the function and the path.

use super::{def, expected, str_arg, str_arg_as, too_large, MAX_ARRAY_LEN, MAX_STR_BYTES};
use crate::native::{Arity, Caps, NativeResult};
use crate::value::Value;
use crate::vm::Vm;
use std::io::{BufRead, Write};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub fn install(vm: &mut Vm) {
    // Fix the origin of the monotonic clocks before any program runs.
    let _ = start();
    def(vm, "input", Arity::range(0, 1), Caps::STDIN, input);
    def(vm, "read_file", Arity::exactly(1), Caps::FS_READ, read_file);
    def(
        vm,
        "file_exists",
        Arity::exactly(1),
        Caps::FS_READ,
        file_exists,
    );
    def(vm, "list_dir", Arity::exactly(1), Caps::FS_READ, list_dir);
    def(
        vm,
        "write_file",
        Arity::exactly(2),
        Caps::FS_WRITE,
        write_file,
    );
    def(vm, "env", Arity::exactly(1), Caps::ENV, env);
    def(vm, "now", Arity::exactly(0), Caps::CLOCK, now);
    def(vm, "time_us", Arity::exactly(0), Caps::CLOCK, time_us);
    def(
        vm,
        "performance_now",
        Arity::exactly(0),
        Caps::CLOCK,
        performance_now,
    );
    def(vm, "exit", Arity::range(0, 1), Caps::PROCESS, exit);
    def(vm, "args", Arity::exactly(0), Caps::PROCESS, args);
}

/// The origin of `time_us` and `performance_now`.
fn start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// An I/O error's text without the `(os error N)` suffix: `No such file or directory`.
fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `input()` / `input(prompt)`: print the prompt (flushing any pending output), read one
/// line from stdin and return it without trailing whitespace (as Ruff). At end of input
/// it returns `""`, as Ruff does.
fn input(vm: &mut Vm, args: &[Value]) -> NativeResult {
    if let Some(p) = args.first() {
        let prompt = str_arg_as("input", "a string prompt", p)?;
        vm.out
            .write_all(prompt.as_bytes())
            .map_err(|e| format!("input: cannot write to stdout: {}", io_message(&e)))?;
    }
    vm.flush();
    let mut buf = Vec::new();
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    // Read at most one line, and never more than the string cap.
    let limit = MAX_STR_BYTES as u64 + 1;
    std::io::Read::take(&mut lock, limit)
        .read_until(b'\n', &mut buf)
        .map_err(|e| format!("input: cannot read from stdin: {}", io_message(&e)))?;
    if buf.len() > MAX_STR_BYTES {
        return Err(too_large("input"));
    }
    let line = String::from_utf8_lossy(&buf);
    Ok(vm.new_str(line.trim_end()))
}

/// `read_file(path)`: the whole file as a string.
fn read_file(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let path = str_arg("read_file", &args[0])?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("read_file: cannot read '{path}': {}", io_message(&e)))?;
    if text.len() > MAX_STR_BYTES {
        return Err(too_large("read_file"));
    }
    Ok(vm.new_str(text))
}

/// `file_exists(path)`: whether a file or directory exists at `path` (a bool).
fn file_exists(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let path = str_arg("file_exists", &args[0])?;
    Ok(Value::Bool(std::path::Path::new(path).exists()))
}

/// `list_dir(path)`: the names of the directory's entries, sorted.
fn list_dir(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let path = str_arg("list_dir", &args[0])?;
    let fail = |e: std::io::Error| format!("list_dir: cannot list '{path}': {}", io_message(&e));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(path).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        names.push(entry.file_name().to_string_lossy().into_owned());
        if names.len() > MAX_ARRAY_LEN {
            return Err(too_large("list_dir"));
        }
    }
    names.sort();
    let items = names.into_iter().map(|n| vm.new_str(n)).collect();
    Ok(vm.new_array(items))
}

/// `write_file(path, content)`: create or replace the file; returns `true` (as Ruff).
fn write_file(_vm: &mut Vm, args: &[Value]) -> NativeResult {
    let path = str_arg("write_file", &args[0])?;
    let content = str_arg_as("write_file", "string content", &args[1])?;
    std::fs::write(path, content)
        .map_err(|e| format!("write_file: cannot write '{path}': {}", io_message(&e)))?;
    Ok(Value::Bool(true))
}

/// `env(name)`: the variable's value, or `""` when it is unset (as Ruff).
fn env(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let name = str_arg("env", &args[0])?;
    // Names the OS cannot look up (empty, or containing `=` or NUL) are never set.
    let value = if name.is_empty() || name.contains(['=', '\0']) {
        None
    } else {
        std::env::var_os(name)
    };
    let value = value
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(vm.new_str(value))
}

/// `now()`: seconds since the Unix epoch, as a float. Like Ruff, whole seconds.
fn now(_vm: &mut Vm, _args: &[Value]) -> NativeResult {
    let secs = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as f64,
        Err(e) => -(e.duration().as_secs_f64().ceil()),
    };
    Ok(Value::Float(secs))
}

/// `time_us()`: microseconds since a fixed point early in the process (monotonic), as a
/// float (as Ruff).
fn time_us(_vm: &mut Vm, _args: &[Value]) -> NativeResult {
    Ok(Value::Float(start().elapsed().as_micros() as f64))
}

/// `performance_now()`: milliseconds since a fixed point early in the process
/// (monotonic, with a fractional part), as a float.
fn performance_now(_vm: &mut Vm, _args: &[Value]) -> NativeResult {
    Ok(Value::Float(start().elapsed().as_secs_f64() * 1000.0))
}

/// `exit()` / `exit(code)`: end the program with `code` (default 0; a float is truncated;
/// taken modulo 256, as the OS does). Output printed so far is flushed.
fn exit(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let code = match args.first() {
        None => 0,
        Some(Value::Int(i)) => *i,
        Some(Value::Float(f)) => *f as i64,
        Some(v) => return Err(expected("exit", "an int exit code", v)),
    };
    vm.flush();
    vm.exit_request = Some(code.rem_euclid(256) as i32);
    Err("exit".into())
}

/// `args()`: the program's command-line arguments, as an array of strings.
fn args(vm: &mut Vm, _args: &[Value]) -> NativeResult {
    let list = vm.script_args.clone();
    let items = list.into_iter().map(|a| vm.new_str(a)).collect();
    Ok(vm.new_array(items))
}
