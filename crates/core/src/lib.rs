//! The core of the pipeline: one intermediate representation for every dialect.
//!
//! A front end's AST is *lowered* into [`ir::Module`] (names already bound to [`ir::VarId`]s or
//! globals by the dialect's own scoping rules). The [`resolve`] pass then decides, once and for
//! all dialects, which locals are captured by closures (and must live in a box), each
//! function's upvalue list, and which calls are in tail position. The bytecode compiler consumes
//! the resolved IR and knows nothing of syntax.

pub mod ir;
pub mod loopify;
pub mod lower_match;
pub mod lower_ruff;
pub mod resolve;
pub mod scheme;

pub use ir::*;
