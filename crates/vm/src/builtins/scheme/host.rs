//! `ffi-call`: calling a function the host registered with `Engine::register_native`.

use super::{reg, show};
use crate::native::{Arity, NativeImpl, NativeResult};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    reg(vm, "ffi-call", Arity::at_least(1), ffi_call);
}

/// `(ffi-call name arg ...)`: `name` is a symbol or string naming a host-registered native
/// function; the arguments are passed in order, and the capability check is the callee's.
fn ffi_call(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let Some(name) = super::name_text(vm, args[0]) else {
        return Err(format!(
            "ffi-call: the function name must be a symbol or string, got {}",
            show(vm, args[0])
        ));
    };
    // Namespaced natives (the Scheme library's, keyed `ns\u{1f}name`) are not reachable:
    // only the global ones, which the host and the Ruff library register.
    let id = match vm.native_index.get(name.as_str()) {
        Some(&id) if !name.contains('\u{1f}') => id,
        _ => return Err(format!("ffi-call: no host function named '{name}'")),
    };
    let rest = &args[1..];
    vm.admit_native(id, rest.len()).map_err(|(_, m)| m)?;
    match vm.natives[id as usize].imp.clone() {
        NativeImpl::Fn(f) => f(vm, rest),
        NativeImpl::Host(h) => h(vm, rest),
    }
}
