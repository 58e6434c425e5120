//! The standard library, registered through the same native-function API a host uses.

use crate::native::{Arity, Caps, NativeDef};
use crate::vm::Vm;

pub mod io;

/// Register every builtin in `vm`.
pub fn install(vm: &mut Vm) {
    io::install(vm);
}

/// Shorthand used by the builtin modules.
pub(crate) fn def(vm: &mut Vm, name: &str, arity: Arity, caps: Caps, f: crate::native::NativeFn) {
    vm.register(NativeDef::new(name, arity, caps, f));
}
