//! Compiler-style diagnostics: `error: MSG`, then `--> file:line:col`, the source line, a caret
//! under the span, and optional notes and hints. Used for syntax errors, compile errors and
//! runtime errors alike.

use crate::span::{SourceMap, Span};
use std::fmt::Write;

/// How a character is shown in a message: printable ones as themselves, others escaped
/// (both lexers use it).
pub(crate) fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        c.escape_debug().to_string()
    } else {
        c.to_string()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary span with its own message.
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            labels: Vec::new(),
            notes: Vec::new(),
            hint: None,
        }
    }

    /// An error with no source location (e.g. a file that could not be read).
    pub fn error_nowhere(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            labels: Vec::new(),
            notes: Vec::new(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Render for a terminal (no colour), e.g.
    ///
    /// ```text
    /// error: expected ')' but found '{'
    ///   --> prog.ruff:3:14
    ///    |
    ///  3 | if (x > 1 {
    ///    |           ^ expected ')'
    ///    = hint: ...
    /// ```
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{sev}: {}", self.message);
        if let Some(span) = self.span {
            render_snippet(&mut out, sources, span, "");
        }
        for label in &self.labels {
            render_snippet(&mut out, sources, label.span, &label.message);
        }
        for note in &self.notes {
            let _ = writeln!(out, "   = note: {note}");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "   = hint: {hint}");
        }
        out
    }
}

fn render_snippet(out: &mut String, sources: &SourceMap, span: Span, label: &str) {
    let Some(file) = sources.get(span.file) else {
        return;
    };
    let start = file.line_col(span.start);
    let _ = writeln!(out, "  --> {}:{}:{}", file.name, start.line, start.col);
    let line_text = file.line_text(start.line);
    let num = start.line.to_string();
    let pad = " ".repeat(num.len());
    let _ = writeln!(out, " {pad} |");
    let _ = writeln!(out, " {num} | {}", line_text.replace('\t', " "));
    let end = file.line_col(span.end.max(span.start));
    let width = if end.line == start.line && end.col > start.col {
        (end.col - start.col) as usize
    } else {
        1
    };
    let caret_pad = " ".repeat(start.col.saturating_sub(1) as usize);
    let carets = "^".repeat(width.clamp(1, 200));
    if label.is_empty() {
        let _ = writeln!(out, " {pad} | {caret_pad}{carets}");
    } else {
        let _ = writeln!(out, " {pad} | {caret_pad}{carets} {label}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let mut sm = SourceMap::new();
        let f = sm.add("p.ruff", "x := 1\nif (x > 1 {\n");
        let d = Diagnostic::error("expected ')'", Span::new(f, 17, 18)).with_hint("close it");
        let text = d.render(&sm);
        assert!(text.starts_with("error: expected ')'\n"), "{text}");
        assert!(text.contains("--> p.ruff:2:11"), "{text}");
        assert!(text.contains(" 2 | if (x > 1 {"), "{text}");
        assert!(text.contains("   |           ^"), "{text}");
        assert!(text.contains("= hint: close it"), "{text}");
    }
}
