//! The engine's back half: values, the GC heap, the opcode table, the bytecode compiler,
//! the disassembler, the interpreter and the builtins. It consumes resolved core IR and
//! knows nothing of any dialect's syntax.

mod arith;
pub mod builtins;
pub mod compile;
pub mod dict_map;
pub mod disasm;
pub mod error;
pub mod format;
pub mod globals;
pub mod heap;
pub mod interp;
mod interp_data;
pub mod jit_abi;
pub mod jit_helpers;
pub mod jit_hook;
pub mod limits;
pub mod native;
pub mod object;
pub mod opcode;
pub mod step;
pub mod text;
pub mod value;
pub mod vm;

pub use error::{ErrorKind, RuntimeError, TraceEntry};
pub use limits::{InterruptHandle, Limit};
pub use native::{Arity, Caps, NativeDef, NativeFn, NativeImpl, NativeResult};
pub use value::Value;
pub use vm::Vm;
