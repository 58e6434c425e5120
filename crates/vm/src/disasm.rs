//! The disassembler: prints every function's bytecode with the source lines it came from.
//! Tests use it as a microscope on the compiler (e.g. that a call in tail position became
//! `TAILCALL`).

use crate::format;
use crate::globals::Globals;
use crate::object::{Proto, UpvalSource};
use crate::opcode::{Instr, Operand};
use crate::value::Value;
use crate::vm::Vm;
use std::fmt::Write;
use tandem_syntax::SourceMap;

/// Disassemble `proto` and, after it, all of its nested functions.
pub fn disassemble(vm: &Vm, proto: &Proto, sources: &SourceMap) -> String {
    disassemble_with(vm, proto, sources, &mut |_| None)
}

/// As [`disassemble`], with `after(function)`'s text (if any) printed after each
/// function's bytecode (`disasm --jit` puts the JIT's code there). Functions come in the
/// order of a depth-first walk: a function, then its nested functions in order.
pub fn disassemble_with(
    vm: &Vm,
    proto: &Proto,
    sources: &SourceMap,
    after: &mut dyn FnMut(&Proto) -> Option<String>,
) -> String {
    let mut out = String::new();
    function(vm, &vm.globals, proto, sources, after, &mut out);
    out
}

fn function(
    vm: &Vm,
    globals: &Globals,
    p: &Proto,
    sources: &SourceMap,
    after: &mut dyn FnMut(&Proto) -> Option<String>,
    out: &mut String,
) {
    let _ = writeln!(
        out,
        "function {} ({}) params={}{} regs={} consts={} upvals={}",
        p.name,
        sources.location(p.span),
        p.arity,
        if p.variadic { "+rest" } else { "" },
        p.nregs,
        p.consts.len(),
        p.upvals.len()
    );
    for (i, u) in p.upvals.iter().enumerate() {
        let name = &u.name;
        let from = match u.source {
            UpvalSource::Register(r) => format!("parent r{r}"),
            UpvalSource::Upvalue(x) => format!("parent u{x}"),
        };
        let _ = writeln!(
            out,
            "  upval u{i} {name} <- {from}{}",
            if u.boxed { " (boxed)" } else { "" }
        );
    }
    let mut last_line = 0;
    let file = sources.get(p.span.file);
    for (pc, instr) in p.code.iter().enumerate() {
        let span = p.spans[pc];
        let line = sources.line_of(span);
        if line != last_line && line != 0 {
            if let Some(f) = file {
                let _ = writeln!(out, "  ; {line:>4} | {}", f.line_text(line).trim());
            }
            last_line = line;
        }
        let ops: Vec<String> = instr
            .operands()
            .iter()
            .map(|(_, op)| operand(vm, globals, p, pc, *op))
            .collect();
        let _ = writeln!(
            out,
            "  {pc:04}  {:<11} {}{}",
            instr.name(),
            ops.join(", "),
            record_globals(globals, p, instr)
        );
    }
    out.push('\n');
    if let Some(text) = after(p) {
        out.push_str(&text);
        out.push('\n');
    }
    for child in &p.children {
        function(vm, globals, child, sources, after, out);
    }
}

/// The globals a record instruction tests, named: their slots are in its constants
/// (`RECGET`/`RECSET`: the type's after the field's name; `RECIS`: the predicate's, then
/// the type's).
fn record_globals(globals: &Globals, p: &Proto, instr: &Instr) -> String {
    let (k, what): (u16, &[&str]) = match *instr {
        Instr::RecGet { k, .. } | Instr::RecSet { k, .. } => (k + 1, &["type"]),
        Instr::RecIs { k, .. } => (k, &["pred", "type"]),
        _ => return String::new(),
    };
    let mut out = String::new();
    for (i, w) in what.iter().enumerate() {
        if let Some(&Value::Int(g)) = p.consts.get(k as usize + i) {
            out.push_str(&format!("  ; {w} g{g}({})", globals.name(g as u32)));
        }
    }
    out
}

fn operand(vm: &Vm, globals: &Globals, p: &Proto, pc: usize, op: Operand) -> String {
    match op {
        Operand::Reg(r) => format!("r{r}"),
        Operand::Const(k) => match p.consts.get(k as usize) {
            Some(Value::Str(s)) => format!("k{k}({:?})", s.as_str()),
            Some(v) => format!("k{k}({})", format::display(vm, *v)),
            None => format!("k{k}"),
        },
        Operand::Global(g) => format!("g{g}({})", globals.name(g)),
        Operand::Upval(u) => format!("u{u}"),
        Operand::Proto(i) => match p.children.get(i as usize) {
            Some(c) => format!("p{i}({})", c.name),
            None => format!("p{i}"),
        },
        Operand::Jump(off) => format!("->{:04}", pc as i64 + 1 + off as i64),
        Operand::Imm(i) => i.to_string(),
        Operand::Count(n) => n.to_string(),
    }
}
