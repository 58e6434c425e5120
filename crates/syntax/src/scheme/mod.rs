//! The Scheme and Jue front end's first stage: the reader, which turns source text into
//! [`Datum`] trees with spans. The expander (and everything after it) consumes datums.

pub mod datum;
mod lexer;
pub mod reader;
#[cfg(test)]
mod reader_tests;

pub use datum::{Datum, DatumKind};
pub use reader::{read, read_range, ReadMode, MAX_DEPTH, MAX_ERRORS};
