//! The pipeline from source text to a runnable prototype, and module loading for `import`.
//! Free functions over a `Vm`, so the module loader (called from inside the interpreter)
//! can use them as well as the `Engine`.

use crate::{Dialect, Error};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use tandem_syntax::Span;
use tandem_vm::object::{ModuleObj, Proto};
use tandem_vm::{ErrorKind, RuntimeError, Value, Vm};

/// A compiled unit: its entry prototype and the names it exports.
pub(crate) struct Compiled {
    pub proto: Rc<Proto>,
    pub exports: Vec<String>,
}

/// Parse, lower, resolve and compile `text` (file `name`) into global namespace `ns`.
pub(crate) fn compile_text(
    vm: &mut Vm,
    builtins: &HashSet<String>,
    name: &str,
    text: &str,
    dialect: Dialect,
    ns: &str,
    builtin: bool,
) -> Result<Compiled, Error> {
    let file = vm.sources.add(name, text);
    let file_span = Span::new(file, 0, 0);
    let module = match dialect {
        Dialect::Ruff => {
            let program = tandem_syntax::ruff::parse(text, file).map_err(Error::Compile)?;
            let is_builtin = |n: &str| builtins.contains(n);
            tandem_core::lower_ruff::lower_program(&program, file_span, &is_builtin)
                .map_err(Error::Compile)?
        }
        Dialect::Scheme | Dialect::Jue => {
            let jue = dialect == Dialect::Jue;
            let mode = if jue {
                tandem_syntax::scheme::ReadMode::Jue
            } else {
                tandem_syntax::scheme::ReadMode::Scheme
            };
            let datums = tandem_syntax::scheme::read(text, file, mode).map_err(Error::Compile)?;
            tandem_core::scheme::lower_scheme_program(&datums, file_span, jue)
                .map_err(Error::Compile)?
        }
    };
    let proto =
        tandem_vm::compile::compile_module(&module, &mut vm.globals, &mut vm.heap, ns, builtin)
            .map_err(|d| Error::Compile(vec![d]))?;
    // Keep the prototype's constants alive from now on (also when it is only
    // disassembled, never run).
    vm.protos.push(proto.clone());
    Ok(Compiled {
        proto,
        exports: module.exports,
    })
}

/// The file an `import` names, relative to the importing file.
fn module_path(vm: &Vm, path: &str, from: Span) -> PathBuf {
    let importer = vm
        .sources
        .get(from.file)
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let dir = Path::new(&importer)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut rel = path.to_string();
    if !rel.ends_with(".ruff") {
        rel.push_str(".ruff");
    }
    dir.join(rel)
}

/// Load the module `path` for an `import` at `span`: from the cache, or by compiling and
/// running it once. Errors are runtime errors at the import (or inside the module).
pub(crate) fn load_module(
    vm: &mut Vm,
    builtins: &HashSet<String>,
    path: &str,
    span: Span,
) -> Result<Value, RuntimeError> {
    let file = module_path(vm, path, span);
    let key = std::fs::canonicalize(&file)
        .unwrap_or_else(|_| file.clone())
        .display()
        .to_string();
    if let Some(&m) = vm.modules.get(&key) {
        return Ok(m);
    }
    let display = file.display().to_string();
    if let Some(start) = vm.loading.iter().position(|(k, _)| *k == key) {
        let mut chain: Vec<String> = vm.loading[start..]
            .iter()
            .map(|(_, shown)| short_name(shown))
            .collect();
        chain.push(short_name(&display));
        return Err(vm.error_at(
            ErrorKind::Runtime,
            format!("circular import: {}", chain.join(" -> ")),
            span,
        ));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            format!("module file '{display}' not found")
        } else {
            format!("cannot read '{display}': {e}")
        };
        vm.error_at(
            ErrorKind::Runtime,
            format!("cannot import '{path}': {why}"),
            span,
        )
    })?;
    vm.loading.push((key.clone(), display.clone()));
    let result = run_module(vm, builtins, path, &display, &text, &key);
    vm.loading.pop();
    let module = result?;
    vm.modules.insert(key, module);
    Ok(module)
}

fn short_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

fn run_module(
    vm: &mut Vm,
    builtins: &HashSet<String>,
    path: &str,
    display: &str,
    text: &str,
    ns: &str,
) -> Result<Value, RuntimeError> {
    let compiled = match compile_text(vm, builtins, display, text, Dialect::Ruff, ns, false) {
        Ok(c) => c,
        Err(Error::Compile(diags)) => {
            let first = diags.first();
            let msg = first.map(|d| d.message.clone()).unwrap_or_default();
            let at = first.and_then(|d| d.span).unwrap_or_default();
            return Err(vm.error_at(ErrorKind::Runtime, format!("in module '{path}': {msg}"), at));
        }
        Err(other) => {
            return Err(vm.error_at(ErrorKind::Runtime, format!("{other:?}"), Span::default()))
        }
    };
    vm.run_proto(compiled.proto)?;
    let mut exports = rustc_hash::FxHashMap::default();
    for name in &compiled.exports {
        if let Some(slot) = vm.globals.lookup_in(ns, name) {
            exports.insert(name.as_str().into(), slot);
        }
    }
    let m = vm.heap.alloc_module(ModuleObj {
        name: tandem_core::lower_ruff::module_binding_name(path).into(),
        exports,
    });
    Ok(Value::Module(m))
}
