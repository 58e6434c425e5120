//! Front-end pieces shared by every dialect: source files and spans, diagnostics, and the
//! Ruff-dialect lexer and parser. Nothing here knows about the IR, bytecode or the VM.

pub mod diagnostic;
pub mod dialect;
pub mod ruff;
pub mod scheme;
pub mod span;
#[cfg(test)]
mod test_support;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use dialect::Dialect;
pub use span::{FileId, LineCol, SourceFile, SourceMap, Span};
