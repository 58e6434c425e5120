//! Runtime errors: a message, the span of the failing instruction, and a stack trace.

use crate::value::Value;
use tandem_syntax::{Diagnostic, SourceMap, Span};

/// One line of a stack trace: a function and where in it execution was.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    pub function: String,
    pub span: Span,
}

/// The kind of a runtime error, for hosts that want to tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Raised by the program or a builtin (type errors, bounds, arithmetic, ...).
    Runtime,
    /// The call depth limit was reached.
    StackOverflow,
    /// A limit the host set was reached: fuel, time, an interrupt or memory. Scripts
    /// cannot catch it (see `crate::limits`).
    Limit(crate::limits::Limit),
    /// A builtin needed a capability the script was not granted.
    CapabilityDenied,
    /// The script called `exit(code)`: not an error, and not catchable; the host ends the
    /// run with this code.
    Exit(i32),
}

#[derive(Clone, Debug)]
pub struct RuntimeError {
    pub kind: ErrorKind,
    pub message: String,
    /// Where the error was raised.
    pub span: Span,
    /// Innermost frame first. Long traces keep their ends; `omitted` frames are left out.
    pub trace: Vec<TraceEntry>,
    pub omitted: usize,
    /// The value thrown by `throw(v)` (or the Error value being rethrown). Only meaningful
    /// while the VM that raised it is running; hosts should read `message`.
    pub value: Option<Value>,
}

impl RuntimeError {
    /// Render like a compiler diagnostic, followed by the stack trace.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut d = Diagnostic::error(self.message.clone(), self.span);
        if !self.trace.is_empty() {
            let mut lines = Vec::new();
            let half = self.trace.len().div_ceil(2);
            for (i, t) in self.trace.iter().enumerate() {
                if self.omitted > 0 && i == half {
                    lines.push(format!("  ... {} more frames ...", self.omitted));
                }
                lines.push(format!(
                    "  at {} ({})",
                    t.function,
                    sources.location(t.span)
                ));
            }
            d = d.with_note(format!(
                "stack trace (innermost first):\n{}",
                lines.join("\n")
            ));
        }
        let mut text = d.render(sources);
        // Put the trace lines flush left under the note.
        text = text.replace("   = note: stack trace", "stack trace");
        text
    }

    /// `file:line:col` of the error.
    pub fn location(&self, sources: &SourceMap) -> String {
        sources.location(self.span)
    }
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuntimeError {}
