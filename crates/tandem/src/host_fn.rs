//! Typed host functions: a Rust closure of 0 to 6 arguments registered as a native
//! ([`crate::Engine::register_fn`]), and a host type's methods ([`crate::TypeBuilder::method`]).
//!
//! Each argument is converted with [`FromValue`], or borrowed as a `&str` for the duration
//! of the call; the result with [`IntoValue`] (so a `Result<T, String>` whose `Err` is a
//! script error). A wrong argument is a script error naming the function and the argument
//! (`add: argument 2: expected int, got string`); a wrong count is the VM's arity error
//! (`add expects 2 arguments, got 3`). Trailing `Option` arguments may be left out.
//!
//! The impls are generated for every arity and every choice of owned or `&str` argument at
//! each position. The marker type parameter of [`HostFn`] and [`HostMethod`] (a tuple of
//! [`Own`] and [`Str`]) only tells those impls apart: it is always inferred from the
//! closure's parameter types, which must therefore be written out (`|a: i64, b: i64|`).

use crate::convert::{str_of, FromValue, HostType, IntoValue};
use std::marker::PhantomData;
use tandem_vm::object::StructType;
use tandem_vm::value::Gc;
use tandem_vm::{NativeResult, Value, Vm};

/// Marks an argument converted with [`FromValue`] (in the marker of [`HostFn`]).
pub struct Own<A>(PhantomData<A>);

/// Marks a `&str` argument, borrowed for the call (in the marker of [`HostFn`]).
pub enum Str {}

/// Marks a method taking `&self` (in the marker of [`HostMethod`]).
pub enum Ref {}

/// Marks a method taking `&mut self` (in the marker of [`HostMethod`]).
pub enum Mut {}

/// A Rust closure callable from scripts: `Fn(A, B, ...) -> R` with up to 6 arguments, each
/// a [`FromValue`] type or `&str`, and `R` an [`IntoValue`] type.
pub trait HostFn<Marker>: 'static {
    /// How many arguments it takes, and how many of them (at the end) may be left out.
    fn arity() -> (u8, u8);
    /// Call it with the script's arguments; `name` is the function's name, for errors.
    fn call(&self, vm: &mut Vm, args: &[Value], name: &str) -> NativeResult;
}

/// A method of host type `T`: `Fn(&T, A, ...) -> R` or `Fn(&mut T, A, ...) -> R`, with up
/// to 6 arguments after the receiver, as for [`HostFn`].
pub trait HostMethod<T, Marker>: 'static {
    /// Arguments after the receiver, and how many of them may be left out.
    fn arity() -> (u8, u8);
    /// Call it with the receiver (`args[0]`, an instance of `ty`) and the arguments after
    /// it; `name` is the method as the script names it, for errors.
    fn call(&self, vm: &mut Vm, args: &[Value], name: &str, ty: Gc<StructType>) -> NativeResult;
}

/// Argument `i` (missing trailing arguments read as `null`), converted.
fn arg<A: FromValue>(vm: &Vm, args: &[Value], i: usize, name: &str) -> Result<A, String> {
    let v = args.get(i).copied().unwrap_or(Value::Null);
    A::from_value(v, vm).map_err(|e| format!("{name}: argument {}: {e}", i + 1))
}

/// Argument `i` as a string borrowed from the VM for the call.
fn str_arg<'v>(vm: &'v Vm, args: &[Value], i: usize, name: &str) -> Result<&'v str, String> {
    let v = args.get(i).copied().unwrap_or(Value::Null);
    str_of(vm, v).map_err(|e| format!("{name}: argument {}: {e}", i + 1))
}

/// How many of the arguments at the end may be left out, given which may.
fn optional_tail(optional: &[bool]) -> u8 {
    optional.iter().rev().take_while(|&&o| o).count() as u8
}

/// The receiver of a method call: `args[0]` read as a `T`, and the instance it came from.
fn receiver<T: HostType>(
    vm: &Vm,
    args: &[Value],
    name: &str,
    ty: Gc<StructType>,
) -> Result<(T, Gc<tandem_vm::object::Instance>), String> {
    match args.first() {
        Some(Value::Struct(inst)) if inst.ty == ty => {
            let me = crate::serde_de::from_value(vm, Value::Struct(*inst))
                .map_err(|e| format!("{name}: the {} it was called on: {e}", ty.name))?;
            Ok((me, *inst))
        }
        Some(&other) => Err(format!(
            "{name}: expected a {} to call it on, got {}",
            ty.name,
            crate::convert::shown_type(other)
        )),
        None => Err(format!("{name}: expected a {} to call it on", ty.name)),
    }
}

/// Write `me` back into the instance it was read from (after a `&mut self` method).
fn write_back<T: HostType>(
    vm: &mut Vm,
    me: &T,
    inst: Gc<tandem_vm::object::Instance>,
    name: &str,
) -> Result<(), String> {
    let v = crate::serde_ser::to_value(vm, me).map_err(|e| format!("{name}: {e}"))?;
    match v {
        Value::Struct(new) if new.ty == inst.ty => {
            for (field, &x) in inst.ty.fields.iter().zip(new.fields()) {
                inst.set(field, x);
            }
            Ok(())
        }
        _ => Err(format!(
            "{name}: internal error: the {} did not serialize as its script type",
            inst.ty.name
        )),
    }
}

// One argument position: converted (`own`) or borrowed (`str`).
macro_rules! convert_arg {
    (own $vm:ident $args:ident $i:tt $A:ident $name:ident $off:expr) => {
        arg::<$A>($vm, $args, $i + $off, $name)?
    };
    (str $vm:ident $args:ident $i:tt $A:ident $name:ident $off:expr) => {
        str_arg($vm, $args, $i + $off, $name)?
    };
}

macro_rules! is_optional {
    (own $A:ident) => {
        <$A as FromValue>::OPTIONAL
    };
    (str $A:ident) => {
        false
    };
}

// Generates the impls of `HostFn` and `HostMethod` for every arity and every choice of
// `own`/`str` at each position: `@go` branches on the first undecided position,
// accumulating the marker types, the closure's parameter types, the generic parameters,
// their bounds and the positions; the last arm emits the impls.
macro_rules! host_fn_impls {
    (@go [$($m:ty),*] [$($p:ty),*] [$($g:ident),*] [$($b:tt)*] [$($c:tt)*] ;
        $i:tt $A:ident $(, $ri:tt $rA:ident)*) => {
        host_fn_impls!(@go [$($m,)* Own<$A>] [$($p,)* $A] [$($g,)* $A] [$($b)* $A: FromValue,]
            [$($c)* (own $i $A)] ; $($ri $rA),*);
        host_fn_impls!(@go [$($m,)* Str] [$($p,)* &'s str] [$($g),*] [$($b)*]
            [$($c)* (str $i $A)] ; $($ri $rA),*);
    };
    (@go [$($m:ty),*] [$($p:ty),*] [$($g:ident),*] [$($b:tt)*]
        [$(($k:ident $i:tt $A:ident))*] ;) => {
        impl<Func, R, $($g),*> HostFn<($($m,)*)> for Func
        where
            Func: for<'s> Fn($($p),*) -> R + 'static,
            R: IntoValue,
            $($b)*
        {
            fn arity() -> (u8, u8) {
                let optional: &[bool] = &[$(is_optional!($k $A)),*];
                (optional.len() as u8, optional_tail(optional))
            }

            #[allow(unused_variables)]
            fn call(&self, vm: &mut Vm, args: &[Value], name: &str) -> NativeResult {
                let r = {
                    let v: &Vm = vm;
                    let t = ($(convert_arg!($k v args $i $A name 0),)*);
                    (self)($(t.$i),*)
                };
                r.into_value(vm)
            }
        }

        impl<T, Func, R, $($g),*> HostMethod<T, (Ref, $($m,)*)> for Func
        where
            T: HostType,
            Func: for<'s> Fn(&'s T, $($p),*) -> R + 'static,
            R: IntoValue,
            $($b)*
        {
            fn arity() -> (u8, u8) {
                let optional: &[bool] = &[$(is_optional!($k $A)),*];
                (optional.len() as u8, optional_tail(optional))
            }

            #[allow(unused_variables)]
            fn call(
                &self,
                vm: &mut Vm,
                args: &[Value],
                name: &str,
                ty: Gc<StructType>,
            ) -> NativeResult {
                let r = {
                    let v: &Vm = vm;
                    let (me, _) = receiver::<T>(v, args, name, ty)?;
                    let t = ($(convert_arg!($k v args $i $A name 1),)*);
                    (self)(&me, $(t.$i),*)
                };
                r.into_value(vm)
            }
        }

        impl<T, Func, R, $($g),*> HostMethod<T, (Mut, $($m,)*)> for Func
        where
            T: HostType,
            Func: for<'s> Fn(&'s mut T, $($p),*) -> R + 'static,
            R: IntoValue,
            $($b)*
        {
            fn arity() -> (u8, u8) {
                let optional: &[bool] = &[$(is_optional!($k $A)),*];
                (optional.len() as u8, optional_tail(optional))
            }

            #[allow(unused_variables)]
            fn call(
                &self,
                vm: &mut Vm,
                args: &[Value],
                name: &str,
                ty: Gc<StructType>,
            ) -> NativeResult {
                let (me, inst, r) = {
                    let v: &Vm = vm;
                    let (mut me, inst) = receiver::<T>(v, args, name, ty)?;
                    let t = ($(convert_arg!($k v args $i $A name 1),)*);
                    let r = (self)(&mut me, $(t.$i),*);
                    (me, inst, r)
                };
                write_back(vm, &me, inst, name)?;
                r.into_value(vm)
            }
        }
    };
    ($($i:tt $A:ident),*) => {
        host_fn_impls!(@go [] [] [] [] [] ; $($i $A),*);
    };
}

host_fn_impls!();
host_fn_impls!(0 A0);
host_fn_impls!(0 A0, 1 A1);
host_fn_impls!(0 A0, 1 A1, 2 A2);
host_fn_impls!(0 A0, 1 A1, 2 A2, 3 A3);
host_fn_impls!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4);
host_fn_impls!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5);
