//! Host types: a Rust struct registered as a script type ([`Engine::register_type`]), with
//! methods written in Rust ([`TypeBuilder::method`]) and fields scripts read and write.
//!
//! A host type is a VM struct type (`tandem_vm::object::StructType`) named and shaped like
//! the Rust struct: its serde name and field names, learnt by deserializing the struct from
//! a probe that records what the derived `Deserialize` asks for. Its values in scripts are
//! ordinary struct instances, so fields are plain values that scripts read and write
//! without calling Rust (and compiled code's field caches work on them); Rust sees a value
//! when it reads one back through serde: as a host function's argument, a method's
//! receiver, `from_value`, ... A `&mut self` method writes the receiver's fields back after
//! the call.
//!
//! What each dialect sees, for `struct Point { x: f64, y: f64 }` with a method `norm`:
//! - Ruff: the type `Point` (a global): `Point { x: 3.0, y: 4.0 }`, `p.x`, `p.x := 5.0`,
//!   `p.norm()`.
//! - Scheme, as `define-record-type` would define it, with the type's name in kebab case:
//!   `(make-point 3.0 4.0)` (every field, in order), `(point? v)`, `(point-x p)`,
//!   `(point-x-set! p 5.0)`, `(point-norm p)`.
//!
//! The serializer makes a struct of a registered type's name and fields into an instance
//! of that type (found through a hidden global), so a host function returning a `Point`
//! returns a script `Point`.

use crate::convert::HostType;
use crate::host_fn::HostMethod;
use crate::{Engine, Error};
use serde::de::{self, Visitor};
use std::cell::Cell;
use std::marker::PhantomData;
use std::rc::Rc;
use tandem_vm::object::{Instance, StructType};
use tandem_vm::value::Gc;
use tandem_vm::{Arity, Caps, NativeDef, NativeImpl, NativeResult, Value, Vm};

/// The hidden global (in the shared namespace) holding the script type of host type `name`:
/// a name with a space, which no script can write.
fn hidden_key(name: &str) -> String {
    format!("%host type {name}")
}

/// The registered script type whose Rust (serde) name is `name`, if any.
pub(crate) fn script_type(vm: &Vm, name: &str) -> Option<Gc<StructType>> {
    match vm.globals.get(&hidden_key(name)) {
        Some(Value::StructType(ty)) => Some(ty),
        _ => None,
    }
}

/// `HttpRequest` -> `http-request`, `max_speed` -> `max-speed`: a Rust name as Scheme
/// spells it.
pub(crate) fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' {
            out.push('-');
            prev_lower = false;
        } else if c.is_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// Registers methods on a host type; see [`Engine::register_type`].
pub struct TypeBuilder<'e, T> {
    engine: &'e mut Engine,
    ty: Gc<StructType>,
    /// The type's name as Scheme spells it (`point`).
    scheme: String,
    _t: PhantomData<fn() -> T>,
}

impl Engine {
    /// Register the Rust struct `T` as a script type of the same name, usable from both
    /// dialects (see `docs/embedding.md`, "Host types"); add methods with the returned
    /// builder. `T` must be a struct with named fields whose serde impls are derived (or
    /// behave alike); anything else is an [`Error::Host`]. Registering a type of the same
    /// name again replaces it for new values.
    pub fn register_type<T: HostType>(&mut self) -> Result<TypeBuilder<'_, T>, Error> {
        let (name, fields) = probe::<T>().map_err(Error::Host)?;
        let field_names: Vec<Box<str>> = fields.iter().map(|f| (*f).into()).collect();
        let vm = &mut self.vm;
        let ty = vm
            .heap
            .alloc_struct_type(StructType::new(name, field_names));
        let tv = Value::StructType(ty);
        vm.handles.push(tv);
        for key in [name.to_string(), hidden_key(name)] {
            let slot = vm.globals.slot(&key) as usize;
            vm.globals.values[slot] = tv;
        }
        let scheme = kebab(name);
        let mut b = TypeBuilder {
            engine: self,
            ty,
            scheme,
            _t: PhantomData,
        };
        b.scheme_record_procedures();
        Ok(b)
    }
}

impl<T: HostType> TypeBuilder<'_, T> {
    /// Add a method: `f` takes `&T` or `&mut T` (a `&mut` method's changes are written back
    /// to the instance), then up to 6 arguments as a host function does. Ruff calls it as
    /// `p.name(args)`, Scheme as `(type-name p args)`.
    pub fn method<M, F: HostMethod<T, M>>(self, name: &str, f: F) -> Self {
        let f = Rc::new(f);
        let (n, optional) = F::arity();
        // With the receiver.
        let (lo, hi) = (1 + (n - optional) as usize, 1 + n as usize);
        let ty = self.ty;
        let ruff_name = format!("{}.{name}", ty.name);
        let scheme_name = format!("{}-{}", self.scheme, kebab(name));
        for (shown, scheme) in [(ruff_name, false), (scheme_name, true)] {
            let f = f.clone();
            let label = shown.clone();
            let imp = move |vm: &mut Vm, args: &[Value]| -> NativeResult {
                check_count(&label, args.len(), lo, hi, !scheme)?;
                f.call(vm, args, &label, ty)
            };
            let def = native(&shown, Rc::new(imp));
            if scheme {
                self.engine
                    .vm
                    .register_in(tandem_vm::builtins::scheme::NS, def);
            } else {
                let id = self.engine.vm.register(def);
                ty.add_method(name, Value::Native(id));
            }
        }
        self
    }

    /// The Scheme procedures a record type has: constructor, predicate, accessors and
    /// modifiers.
    fn scheme_record_procedures(&mut self) {
        let ty = self.ty;
        let s = self.scheme.clone();
        let vm = &mut self.engine.vm;
        let ns = tandem_vm::builtins::scheme::NS;
        let ctor = format!("make-{s}");
        let label = ctor.clone();
        let make = move |vm: &mut Vm, args: &[Value]| -> NativeResult {
            check_count(&label, args.len(), ty.fields.len(), ty.fields.len(), false)?;
            // Through `T`, so the fields are checked (and normalized: an int given for an
            // `f64` field becomes a float).
            let inst = vm.heap.alloc_instance(ty, args);
            let t: T = crate::serde_de::from_value(vm, Value::Struct(inst))
                .map_err(|e| format!("{label}: {e}"))?;
            crate::serde_ser::to_value(vm, &t).map_err(|e| format!("{label}: {e}"))
        };
        vm.register_in(ns, native(&ctor, Rc::new(make)));
        let is = move |_: &mut Vm, args: &[Value]| -> NativeResult {
            Ok(Value::Bool(
                matches!(args.first(), Some(Value::Struct(i)) if i.ty == ty),
            ))
        };
        let mut pred = native(&format!("{s}?"), Rc::new(is));
        pred.arity = Arity::exactly(1);
        vm.register_in(ns, pred);
        for (i, field) in ty.fields.iter().enumerate() {
            let get_name = format!("{s}-{}", kebab(field));
            let label = get_name.clone();
            let get = move |vm: &mut Vm, args: &[Value]| -> NativeResult {
                check_count(&label, args.len(), 1, 1, false)?;
                Ok(instance_of(vm, &label, ty, args[0])?.fields()[i])
            };
            vm.register_in(ns, native(&get_name, Rc::new(get)));
            let set_name = format!("{s}-{}-set!", kebab(field));
            let label = set_name.clone();
            let set = move |vm: &mut Vm, args: &[Value]| -> NativeResult {
                check_count(&label, args.len(), 2, 2, false)?;
                let inst = instance_of(vm, &label, ty, args[0])?;
                inst.set(&ty.fields[i], args[1]);
                Ok(Value::Null)
            };
            vm.register_in(ns, native(&set_name, Rc::new(set)));
        }
    }
}

/// A host native taking any number of arguments (it checks them itself).
fn native(name: &str, imp: tandem_vm::native::HostFn) -> NativeDef {
    NativeDef {
        name: name.into(),
        arity: Arity::at_least(0),
        caps: Caps::NONE,
        imp: NativeImpl::Host(imp),
        shown: None,
        intrinsic: None,
    }
}

/// `v` as an instance of `ty`, or the error naming the procedure.
fn instance_of(_vm: &Vm, name: &str, ty: Gc<StructType>, v: Value) -> Result<Gc<Instance>, String> {
    match v {
        Value::Struct(inst) if inst.ty == ty => Ok(inst),
        other => Err(format!(
            "{name}: expected a {}, got {}",
            ty.name,
            crate::convert::shown_type(other)
        )),
    }
}

/// Check a call's argument count: `args.len()` must be in `lo..=hi`. `hidden_receiver`:
/// the first argument is the receiver of a Ruff method call (`p.m(...)`), which the
/// message does not count.
fn check_count(
    name: &str,
    got: usize,
    lo: usize,
    hi: usize,
    hidden_receiver: bool,
) -> Result<(), String> {
    if (lo..=hi).contains(&got) {
        return Ok(());
    }
    let k = usize::from(hidden_receiver);
    let (lo, hi, got) = (lo - k, hi - k, got.saturating_sub(k));
    let range = if lo == hi {
        format!("{hi} argument{}", if hi == 1 { "" } else { "s" })
    } else {
        format!("{lo} to {hi} arguments")
    };
    Err(format!("{name} expects {range}, got {got}"))
}

/// The serde name and field names of struct `T`, from what its `Deserialize` asks of a
/// deserializer that answers nothing.
fn probe<T: HostType>() -> Result<(&'static str, &'static [&'static str]), String> {
    let seen: Cell<Option<(&'static str, &'static [&'static str])>> = Cell::new(None);
    let _ = T::deserialize(Probe { seen: &seen });
    seen.get().ok_or_else(|| {
        format!(
            "register_type: {} is not a struct with named fields (its Deserialize does not ask for one)",
            std::any::type_name::<T>()
        )
    })
}

/// A deserializer that records the struct a `Deserialize` asks for, then fails.
struct Probe<'c> {
    seen: &'c Cell<Option<(&'static str, &'static [&'static str])>>,
}

#[derive(Debug)]
struct ProbeDone;

impl std::fmt::Display for ProbeDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("probe")
    }
}

impl std::error::Error for ProbeDone {}

impl de::Error for ProbeDone {
    fn custom<M: std::fmt::Display>(_msg: M) -> Self {
        ProbeDone
    }
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = ProbeDone;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, ProbeDone> {
        Err(ProbeDone)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, ProbeDone> {
        self.seen.set(Some((name, fields)));
        Err(ProbeDone)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
