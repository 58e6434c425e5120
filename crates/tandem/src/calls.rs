//! Calls both ways between the host and scripts: typed host functions scripts call
//! ([`Engine::register_fn`]), and the host running source for its value
//! ([`Engine::eval`]) or calling a script's function ([`Engine::call_fn`]).
//!
//! Host functions are natives (`tandem_vm::native`), bound in both dialects' namespaces:
//! the shared one (Ruff, and Scheme's `ffi-call`) and the Scheme library's. A Scheme
//! prelude definition of the same name is loaded first, so that the host's function
//! replaces it for good (it would otherwise replace the host's when first used).
//!
//! A call from the host runs the function in a frame of its own on the VM's stack
//! ([`tandem_vm::Vm::call_value`]), through the same entry path a program's top level
//! takes, compiled or interpreted. After an error the VM is as it was before the call.

use crate::convert::{FromScript, IntoArgs};
use crate::host_fn::HostFn;
use crate::{Dialect, Engine, Error};
use std::rc::Rc;
use tandem_vm::{Arity, Caps, NativeDef, NativeImpl, Value, Vm};

impl Engine {
    /// Expose the Rust closure `f` to scripts of both dialects as the function `name`.
    ///
    /// `f` takes 0 to 6 arguments, each of a [`crate::FromValue`] type (`i64`, `f64`,
    /// `bool`, `String`, `Option<T>`, `Vec<T>`, `HashMap<String, T>`, [`Value`], a
    /// [`crate::HostType`], ...) or `&str`, with their types written out; it returns an
    /// [`crate::IntoValue`] type, such as `Result<T, String>`, whose `Err` is a script error
    /// with that text (catchable by the script). A wrong argument type or count is a script
    /// error naming the function. Trailing `Option` arguments may be left out.
    ///
    /// ```
    /// # use tandem::{Dialect, Engine};
    /// let mut engine = Engine::new();
    /// engine.register_fn("add", |a: i64, b: i64| a + b);
    /// let n: i64 = engine.eval(Dialect::Ruff, "add(40, 2)").unwrap();
    /// assert_eq!(n, 42);
    /// ```
    ///
    /// A name the dialects' libraries already have is replaced, for the library's own code
    /// too: choose names that do not collide.
    pub fn register_fn<M>(&mut self, name: &str, f: impl HostFn<M>) {
        self.register_fn_with_caps(name, Caps::NONE, f)
    }

    /// [`Engine::register_fn`] for a function with effects: a call is refused (a
    /// `capability denied` error) unless the scripts are granted `caps`
    /// ([`Engine::set_caps`]).
    pub fn register_fn_with_caps<M, F: HostFn<M>>(&mut self, name: &str, caps: Caps, f: F) {
        let (n, optional) = F::arity();
        let label = name.to_string();
        let imp = Rc::new(move |vm: &mut Vm, args: &[Value]| f.call(vm, args, &label));
        let def = NativeDef {
            name: name.into(),
            arity: Arity::range(n - optional, n),
            caps,
            imp: NativeImpl::Host(imp),
            shown: None,
            intrinsic: None,
        };
        if crate::prelude::scheme_provides(name) {
            // Only the program's own errors can stop the prelude's definitions loading;
            // if they do not load, they cannot replace the host's function later either.
            let _ = crate::prelude::load_for(&mut self.vm, [name]);
        }
        self.vm
            .register_in(tandem_vm::builtins::scheme::NS, def.clone());
        self.vm.register(def);
    }

    /// Run `source` as a program of `dialect` in a namespace of its own, and return the
    /// value of its last top-level expression, converted to `T`: any serde `Deserialize`
    /// type (see `docs/embedding.md` for the mapping), or [`Value`]. A program that ends
    /// with a statement (or is empty) gives `null`, which converts to `()`, `None`, an
    /// empty `Vec` or map, ...
    ///
    /// The program becomes the one [`Engine::call_fn`] looks in. Its namespace is named
    /// `<eval N>` ([`Engine::last_namespace`]).
    pub fn eval<T: FromScript<M>, M>(
        &mut self,
        dialect: Dialect,
        source: &str,
    ) -> Result<T, Error> {
        self.evals += 1;
        let name = format!("<eval {}>", self.evals);
        let proto = self.compile(&name, source, dialect, crate::pipeline::Imports::Run, true)?;
        self.last_ns = Some(name);
        let v = self.run_proto(proto)?;
        T::from_script(v, &self.vm).map_err(|e| Error::Host(format!("eval: the result: {e}")))
    }

    /// Call the function `name` defined at the top level of the program compiled most
    /// recently (by [`Engine::run_source`], [`Engine::run_file`], [`Engine::eval`] or
    /// [`Engine::compile_source`]) with `args`, a tuple of 0 to 6 [`crate::IntoValue`]s,
    /// and convert its result as [`Engine::eval`] does.
    ///
    /// ```
    /// # use tandem::Engine;
    /// let mut engine = Engine::new();
    /// engine.run_source("lib.ruff", "func area(w, h) { return w * h }").unwrap();
    /// let a: i64 = engine.call_fn("area", (6, 7)).unwrap();
    /// assert_eq!(a, 42);
    /// ```
    pub fn call_fn<T: FromScript<M>, M>(
        &mut self,
        name: &str,
        args: impl IntoArgs,
    ) -> Result<T, Error> {
        let ns = self.last_ns.clone().ok_or_else(|| {
            Error::Host(format!(
                "call_fn(\"{name}\"): no program has run yet, so there is no function to call"
            ))
        })?;
        self.call_fn_in(&ns, name, args)
    }

    /// [`Engine::call_fn`] for a function of another program: `namespace` is the name the
    /// program was run under (the `name` given to [`Engine::run_source`], the path given
    /// to [`Engine::run_file`] as displayed, or what [`Engine::last_namespace`] said after
    /// an [`Engine::eval`]).
    pub fn call_fn_in<T: FromScript<M>, M>(
        &mut self,
        namespace: &str,
        name: &str,
        args: impl IntoArgs,
    ) -> Result<T, Error> {
        let what = format!("call_fn(\"{name}\")");
        let f = self
            .vm
            .globals
            .lookup_in(namespace, name)
            .map(|slot| self.vm.globals.values[slot as usize])
            .filter(|v| !matches!(v, Value::Undef))
            .ok_or_else(|| {
                Error::Host(format!(
                    "{what}: {namespace} defines no function named '{name}' at its top level"
                ))
            })?;
        if !matches!(f, Value::Closure(_) | Value::Native(_)) {
            return Err(Error::Host(format!(
                "{what}: '{name}' in {namespace} is a {}, not a function",
                crate::convert::shown_type(f)
            )));
        }
        self.call_value_as(&what, f, args)
    }

    /// Call a function value (a closure or a native a script handed over, such as a
    /// callback) with `args`, and convert its result as [`Engine::eval`] does.
    pub fn call_value<T: FromScript<M>, M>(
        &mut self,
        f: Value,
        args: impl IntoArgs,
    ) -> Result<T, Error> {
        self.call_value_as("call_value", f, args)
    }

    fn call_value_as<T: FromScript<M>, M>(
        &mut self,
        what: &str,
        f: Value,
        args: impl IntoArgs,
    ) -> Result<T, Error> {
        let args = args
            .into_args(&mut self.vm)
            .map_err(|e| Error::Host(format!("{what}: {e}")))?;
        let r = self.vm.call_value(f, &args).map_err(Error::from);
        self.vm.flush();
        let v = r?;
        T::from_script(v, &self.vm).map_err(|e| Error::Host(format!("{what}: the result: {e}")))
    }

    /// The namespace [`Engine::call_fn`] looks in: that of the program compiled most
    /// recently, if any.
    pub fn last_namespace(&self) -> Option<&str> {
        self.last_ns.as_deref()
    }
}
