//! The Ruff dialect front end: tokens, lexer, AST and parser.

pub mod ast;
pub mod lexer;
mod parse_expr;
pub mod parser;
pub mod token;

pub use parser::parse;
