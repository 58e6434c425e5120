//! The pipeline from source text to a runnable prototype, and module loading for `import`.
//! Free functions over a `Vm`, so the module loader (called from inside the interpreter)
//! can use them as well as the `Engine`.
//!
//! Modules work across dialects: a `.ruff` file can `import "m.scm"`, and a Scheme file can
//! `(import (file "m.ruff"))` or `(import (a b))` (the file `a/b.sld` or `a/b.scm`, looked
//! up beside the importing file and then in the library path). Scheme imports are resolved
//! before the importing program runs, as in R7RS: the imported names become globals of the
//! importing file, holding the values the module exported.

use crate::{Dialect, Error};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use tandem_core::ir::Forwarder;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::{Diagnostic, FileId, Span};
use tandem_vm::object::{ModuleObj, Proto};
use tandem_vm::{Caps, ErrorKind, RuntimeError, Value, Vm};

/// A compiled unit: its entry prototype, the names it exports, and which of those only
/// forward to a builtin.
pub(crate) struct Compiled {
    pub proto: Rc<Proto>,
    pub exports: Vec<String>,
    pub forwarders: Vec<Forwarder>,
}

/// A name a Scheme import binds: its value and, when the export only forwards to a builtin,
/// that builtin and the arity (what [`Forwarder`] says, under the imported name).
struct Imported {
    name: String,
    value: Value,
    forwards_to: Option<(String, usize)>,
}

/// What happens to the modules a program imports while it compiles (Scheme's `import`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Imports {
    /// Compile and run each module once, and import the values it exports.
    Run,
    /// Only compile them (`tandem check` and `tandem disasm`): nothing runs, and the imported
    /// names are known but hold no values.
    CompileOnly,
}

/// What the pipeline needs besides the VM.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    /// The names the engine predefines (natives and the Ruff prelude).
    pub builtins: &'a HashSet<String>,
    pub imports: Imports,
}

/// A module file and its dialect, which its extension selects ([`Dialect::from_path`]). A
/// path whose extension selects none gets `.ruff` appended: `import "m"` loads `m.ruff`, and
/// `import "m.txt"` loads `m.txt.ruff`.
fn module_file(path: PathBuf) -> (PathBuf, Dialect) {
    match Dialect::from_path(&path) {
        Some(dialect) => (path, dialect),
        None => {
            let mut with_ext = path.into_os_string();
            with_ext.push(".ruff");
            (PathBuf::from(with_ext), Dialect::Ruff)
        }
    }
}

/// What [`compile_text`] compiles.
pub(crate) enum Role<'m> {
    /// Program code. With `Some(macros)`, the namespace keeps its macros: `macros` holds the
    /// top-level `define-syntax` forms of the Scheme code compiled into it before (the
    /// entries of a REPL session), which are in scope in this unit, and this unit's own join
    /// them once it compiles.
    Program(Option<&'m mut Vec<Datum>>),
    /// A host's `eval`: program code in a namespace of its own, whose entry function returns
    /// the value of its last top-level expression.
    Eval,
}

/// The keyword a top-level `(define-syntax NAME ...)` form defines.
fn macro_keyword(d: &Datum) -> Option<&str> {
    if !d.is_form("define-syntax") {
        return None;
    }
    d.list_items()?.get(1)?.as_symbol()
}

/// After a unit compiled into a namespace: keep its top-level macros for the next unit, and
/// forget earlier ones whose keyword it redefines, as a macro or as a variable.
fn remember_macros(saved: &mut Vec<Datum>, new: &[Datum], defined: &[String]) {
    saved.retain(|old| {
        let k = macro_keyword(old).unwrap_or("");
        !defined.iter().any(|g| g == k) && !new.iter().any(|d| macro_keyword(d) == Some(k))
    });
    saved.extend(new.iter().cloned());
}

/// Parse, lower, resolve and compile `text` (file `name`) into global namespace `ns`. Code
/// first loads what it names of its dialect's prelude (see `prelude.rs`).
pub(crate) fn compile_text(
    vm: &mut Vm,
    cx: Cx,
    name: &str,
    text: &str,
    dialect: Dialect,
    ns: &str,
    role: Role,
) -> Result<Compiled, Error> {
    let (macros, valued) = match role {
        Role::Program(macros) => (macros, false),
        Role::Eval => (None, true),
    };
    let file = vm.sources.add(name, text);
    let file_span = Span::new(file, 0, 0);
    // Names the namespace already defines (from earlier code compiled into it, as in a REPL
    // session) belong to this file too. For a file compiled once, there are none.
    let known = vm.globals.names_in(ns);
    // Values to bind in this file's namespace before it runs (Scheme imports).
    let mut imported: Vec<Imported> = Vec::new();
    let mut library_exports: Option<Vec<String>> = None;
    // This unit's own top-level macros, when the namespace keeps them (`macros`).
    let mut own_macros: Vec<Datum> = Vec::new();
    let mut module = match dialect {
        Dialect::Ruff => {
            let program = tandem_syntax::ruff::parse(text, file).map_err(Error::Compile)?;
            let is_builtin = |n: &str| cx.builtins.contains(n);
            let lower = if valued {
                tandem_core::lower_ruff::lower_program_valued
            } else {
                tandem_core::lower_ruff::lower_program
            };
            let module = lower(&program, file_span, &is_builtin, &known).map_err(Error::Compile)?;
            // Before the unit runs (or is only checked), the Ruff prelude, if it names one
            // of its functions.
            crate::prelude::load_ruff_for(vm, &module)?;
            module
        }
        Dialect::Scheme | Dialect::Jue => {
            let jue = dialect == Dialect::Jue;
            let mode = if jue {
                tandem_syntax::scheme::ReadMode::Jue
            } else {
                tandem_syntax::scheme::ReadMode::Scheme
            };
            let datums = tandem_syntax::scheme::read(text, file, mode).map_err(Error::Compile)?;
            let mut lib = library_parts(datums)?;
            library_exports = lib.exports;
            if let Some(saved) = macros.as_deref() {
                own_macros = lib
                    .body
                    .iter()
                    .filter(|d| macro_keyword(d).is_some())
                    .cloned()
                    .collect();
                lib.body.splice(0..0, saved.iter().cloned());
            }
            for set in &lib.imports {
                imported.extend(import_set(vm, cx, set, file)?);
            }
            // The names this program's namespace defines (besides its own definitions):
            // earlier REPL entries and imports.
            let mut defined = known.clone();
            defined.extend(imported.iter().map(|i| i.name.clone()));
            let forwarders: Vec<Forwarder> = imported
                .iter()
                .filter_map(|i| {
                    let (target, arity) = i.forwards_to.clone()?;
                    Some(Forwarder {
                        name: i.name.clone(),
                        target,
                        arity,
                    })
                })
                .collect();
            let lower = if valued {
                tandem_core::scheme::lower_scheme_program_valued
            } else {
                tandem_core::scheme::lower_scheme_program
            };
            lower(&lib.body, file_span, jue, &defined, &forwarders).map_err(Error::Compile)?
        }
    };
    // The names this unit itself defines, before the namespace's other names join them.
    let own_globals = macros.as_ref().map(|_| module.globals.clone());
    for name in known {
        if !module.globals.contains(&name) {
            module.globals.push(name);
        }
    }
    let mut exports = std::mem::take(&mut module.exports);
    if matches!(dialect, Dialect::Scheme | Dialect::Jue) {
        // A library exports its export list; a plain Scheme file, everything it defines.
        exports = library_exports.unwrap_or_else(|| module.globals.clone());
        for i in &imported {
            if !module.globals.contains(&i.name) {
                module.globals.push(i.name.clone());
            }
        }
        // Before the unit runs (or is only checked), the prelude definitions it names.
        crate::prelude::load_for(vm, module.free_globals())?;
    }
    let mut forwarders = std::mem::take(&mut module.forwarders);
    if !forwarders.is_empty() {
        let exported: HashSet<&str> = exports.iter().map(String::as_str).collect();
        forwarders.retain(|f| exported.contains(f.name.as_str()));
    }
    let proto =
        tandem_vm::compile::compile_module(&module, &mut vm.globals, &mut vm.heap, ns, false)
            .map_err(|d| Error::Compile(vec![d]))?;
    for i in imported {
        let slot = vm.globals.slot_in(ns, &i.name);
        vm.globals.values[slot as usize] = i.value;
    }
    if let (Some(saved), Some(defined)) = (macros, own_globals) {
        remember_macros(saved, &own_macros, &defined);
    }
    // Keep the prototype's constants alive from now on (also when it is only
    // disassembled, never run).
    vm.protos.push(proto.clone());
    Ok(Compiled {
        proto,
        exports,
        forwarders,
    })
}

/// A Scheme file split into its imports, body and (for a `define-library`) export list.
struct LibraryParts {
    imports: Vec<Datum>,
    body: Vec<Datum>,
    exports: Option<Vec<String>>,
}

fn library_parts(datums: Vec<Datum>) -> Result<LibraryParts, Error> {
    let mut parts = LibraryParts {
        imports: Vec::new(),
        body: Vec::new(),
        exports: None,
    };
    if datums.len() == 1 && datums[0].is_form("define-library") {
        let Some(DatumKind::List(items, _)) = datums.into_iter().next().map(|d| d.kind) else {
            unreachable!("checked above")
        };
        let mut exports = Vec::new();
        for decl in items.into_iter().skip(2) {
            let span = decl.span;
            let DatumKind::List(mut parts_of, None) = decl.kind else {
                return Err(Error::Compile(vec![Diagnostic::error(
                    "define-library: expected a declaration like (export ...), (import ...) or (begin ...)",
                    span,
                )]));
            };
            let head = parts_of
                .first()
                .and_then(|h| h.as_symbol())
                .unwrap_or("")
                .to_string();
            let rest: Vec<Datum> = parts_of.drain(1..).collect();
            match head.as_str() {
                "export" => {
                    for spec in rest {
                        match spec.as_symbol() {
                            Some(s) => exports.push(s.to_string()),
                            None => {
                                return Err(Error::Compile(vec![Diagnostic::error(
                                    "define-library: only plain names can be exported",
                                    spec.span,
                                )]))
                            }
                        }
                    }
                }
                "import" => parts.imports.extend(rest),
                "begin" => parts.body.extend(rest),
                other => {
                    return Err(Error::Compile(vec![Diagnostic::error(
                        format!("define-library: '{other}' declarations are not supported"),
                        span,
                    )]))
                }
            }
        }
        parts.exports = Some(exports);
        return Ok(parts);
    }
    for d in datums {
        let is_import = d.is_form("import");
        if is_import && parts.body.is_empty() {
            if let DatumKind::List(items, _) = d.kind {
                parts.imports.extend(items.into_iter().skip(1));
            }
        } else if is_import {
            return Err(Error::Compile(vec![Diagnostic::error(
                "import: imports must come before the program's other forms",
                d.span,
            )]));
        } else {
            parts.body.push(d);
        }
    }
    Ok(parts)
}

/// Load one Scheme import set; returns the names it binds, their values and which forward
/// to a builtin. Standard libraries (`(scheme ...)`, `(srfi ...)`) are always available and
/// bind nothing new.
fn import_set(vm: &mut Vm, cx: Cx, set: &Datum, from: FileId) -> Result<Vec<Imported>, Error> {
    let bad = |msg: String| Error::Compile(vec![Diagnostic::error(msg, set.span)]);
    let DatumKind::List(items, None) = &set.kind else {
        return Err(bad(
            "import: expected a library name like (scheme base)".into()
        ));
    };
    if items.is_empty() {
        return Err(bad(
            "import: empty library name: expected a library name like (scheme base)".into(),
        ));
    }
    let head = items.first().and_then(|h| h.as_symbol()).unwrap_or("");
    if matches!(head, "scheme" | "srfi") {
        // Standard libraries are built in: nothing to bind.
        return Ok(Vec::new());
    }
    if matches!(head, "only" | "except" | "prefix" | "rename") {
        let Some(inner) = items.get(1) else {
            return Err(bad(format!("import: ({head} ...) needs an import set")));
        };
        let mut bound = import_set(vm, cx, inner, from)?;
        let names: Vec<&str> = items[2..].iter().filter_map(|d| d.as_symbol()).collect();
        match head {
            "only" => bound.retain(|i| names.contains(&i.name.as_str())),
            "except" => bound.retain(|i| !names.contains(&i.name.as_str())),
            "prefix" => {
                let Some(p) = names.first() else {
                    return Err(bad("import: (prefix set prefix) needs a prefix".into()));
                };
                for i in bound.iter_mut() {
                    i.name = format!("{p}{}", i.name);
                }
            }
            _ => {
                for pair in &items[2..] {
                    let names = pair.list_items().and_then(|p| match p {
                        [a, b] => Some((a.as_symbol()?, b.as_symbol()?)),
                        _ => None,
                    });
                    let Some((old, new)) = names else {
                        return Err(bad("import: (rename set (old new) ...)".into()));
                    };
                    for i in bound.iter_mut() {
                        if i.name == old {
                            i.name = new.to_string();
                        }
                    }
                }
            }
        }
        return Ok(bound);
    }
    let importer_dir = importer_dir(vm, from);
    let candidates: Vec<(PathBuf, Dialect)> = if head == "file" {
        match items.get(1).map(|d| &d.kind) {
            Some(DatumKind::Str(p)) => vec![module_file(importer_dir.join(p))],
            _ => return Err(bad("import: expected (file \"path\")".into())),
        }
    } else {
        let mut rel = PathBuf::new();
        for part in items {
            match &part.kind {
                DatumKind::Symbol(s) => rel.push(s),
                DatumKind::Int(i) => rel.push(i.to_string()),
                _ => return Err(bad("import: a library name is a list of symbols".into())),
            }
        }
        let mut dirs = vec![importer_dir];
        dirs.extend(vm.lib_paths.iter().map(PathBuf::from));
        dirs.iter()
            .flat_map(|d| ["sld", "scm"].map(|ext| module_file(d.join(&rel).with_extension(ext))))
            .collect()
    };
    // Without `fs-read`, files outside the allowed folders are not even looked for.
    let (candidates, refused): (Vec<_>, Vec<_>) =
        candidates.into_iter().partition(|(p, _)| may_read(vm, p));
    let Some((file, dialect)) = candidates.iter().find(|(p, _)| p.is_file()).cloned() else {
        if !refused.is_empty() {
            return Err(bad(denied(&set.to_string())));
        }
        let tried: Vec<String> = candidates
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        return Err(bad(format!(
            "import: library {} not found (looked for {})",
            set,
            tried.join(", ")
        )));
    };
    let module = load_module_file(vm, cx, &file, dialect, &set.to_string(), set.span)?;
    let Value::Module(m) = module else {
        return Ok(Vec::new());
    };
    let forwarders: rustc_hash::FxHashMap<&str, &Forwarder> =
        m.forwarders.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut bound = Vec::new();
    for (name, &slot) in m.exports.iter() {
        let forwards_to = forwarders.get(&**name).map(|f| (f.target.clone(), f.arity));
        bound.push(Imported {
            name: name.to_string(),
            value: vm.globals.values[slot as usize],
            forwards_to,
        });
    }
    bound.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(bound)
}

/// Whether a script may read the module file `file`. With `fs-read`, any file. Without it,
/// only one that resolves (`..` and symbolic links followed) to a path under the folder of
/// the program file the host ran ([`Vm::program_dir`]) or under a library folder
/// ([`Vm::import_roots`]). A file that does not exist resolves through its folder, so
/// whether one exists outside them is never looked at either.
fn may_read(vm: &Vm, file: &Path) -> bool {
    if vm.caps.contains(Caps::FS_READ) {
        return true;
    }
    let Some(resolved) = resolve(file) else {
        return false;
    };
    vm.program_dir
        .iter()
        .chain(vm.import_roots.iter())
        .any(|root| resolved.starts_with(root))
}

/// `file` as an absolute path without `.`, `..` or symbolic links: canonical when it
/// exists, else its folder's canonical path joined with its name (`None` when neither
/// resolves, or the name is `..`).
fn resolve(file: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(file) {
        return Some(p);
    }
    let name = file.file_name()?;
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = std::fs::canonicalize(dir.unwrap_or(Path::new("."))).ok()?;
    Some(dir.join(name))
}

/// The error for an import [`may_read`] refuses. It names the module as written, never
/// anything read from the file.
fn denied(written: &str) -> String {
    format!(
        "capability denied: fs-read (needed to import {written} from outside the program's \
         folder and the library path)"
    )
}

/// The directory of source file `file`, which its imports are relative to.
fn importer_dir(vm: &Vm, file: FileId) -> PathBuf {
    vm.sources
        .get(file)
        .and_then(|f| Path::new(&f.name).parent().map(Path::to_path_buf))
        .unwrap_or_default()
}

/// The file an `import` names, relative to the importing file, and its dialect (see
/// [`module_file`]).
fn module_path(vm: &Vm, path: &str, from: Span) -> (PathBuf, Dialect) {
    module_file(importer_dir(vm, from.file).join(path))
}

/// The VM's module loader: load the module `path` for a Ruff `import` at `span`. The import
/// runs while the program runs, so every failure, a syntax error in the module included,
/// becomes a runtime error here.
pub(crate) fn load_module(
    vm: &mut Vm,
    builtins: &HashSet<String>,
    path: &str,
    span: Span,
) -> Result<Value, RuntimeError> {
    let (file, dialect) = module_path(vm, path, span);
    if !may_read(vm, &file) {
        return Err(vm.error_at(
            ErrorKind::CapabilityDenied,
            denied(&format!("'{path}'")),
            span,
        ));
    }
    let cx = Cx {
        builtins,
        imports: Imports::Run,
    };
    load_module_file(vm, cx, &file, dialect, path, span).map_err(|e| match e {
        Error::Runtime(e) | Error::Limit(e) => e,
        Error::Compile(diags) => compile_errors_at_runtime(vm, &diags, span),
        Error::Io(m) | Error::Host(m) => vm.error_at(ErrorKind::Runtime, m, span),
    })
}

/// A runtime error for the compile errors of a module imported at `span`: the first error,
/// where it is, naming the module when it is in another file, and counting the rest. The
/// stack trace shows the import.
fn compile_errors_at_runtime(vm: &Vm, diags: &[Diagnostic], span: Span) -> RuntimeError {
    let Some(first) = diags.first() else {
        return vm.error_at(ErrorKind::Runtime, "import failed".into(), span);
    };
    let at = first.span.unwrap_or(span);
    let mut message = first.message.clone();
    if at.file != span.file {
        if let Some(f) = vm.sources.get(at.file) {
            message = format!("in module '{}': {message}", short_name(&f.name));
        }
    }
    if diags.len() > 1 {
        let more = diags.len() - 1;
        let s = if more == 1 { "" } else { "s" };
        message.push_str(&format!(" (and {more} more error{s})"));
    }
    let mut e = vm.error_at(ErrorKind::Runtime, message, span);
    e.span = at;
    e
}

/// Load a module file for the import at `span` (which names it as `written`): from the cache,
/// or by compiling and running it once. A module that does not compile gives
/// `Error::Compile` with all its diagnostics (the first one noting where the module was
/// imported); a failure while it runs, `Error::Runtime`.
fn load_module_file(
    vm: &mut Vm,
    cx: Cx,
    file: &Path,
    dialect: Dialect,
    written: &str,
    span: Span,
) -> Result<Value, Error> {
    if !may_read(vm, file) {
        return Err(Error::Compile(vec![Diagnostic::error(
            denied(written),
            span,
        )]));
    }
    let key = std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string();
    if let Some(&m) = vm.modules.get(&key) {
        return Ok(m);
    }
    let display = file.display().to_string();
    let shown_path = short_name(&display);
    if let Some(start) = vm.loading.iter().position(|(k, _)| *k == key) {
        let mut chain: Vec<String> = vm.loading[start..]
            .iter()
            .map(|(_, shown)| short_name(shown))
            .collect();
        chain.push(shown_path.clone());
        return Err(Error::Compile(vec![Diagnostic::error(
            format!("circular import: {}", chain.join(" -> ")),
            span,
        )]));
    }
    let text = std::fs::read_to_string(file).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            format!("module file '{display}' not found")
        } else {
            format!("cannot read '{display}': {e}")
        };
        Error::Compile(vec![Diagnostic::error(
            format!("cannot import '{written}': {why}"),
            span,
        )])
    })?;
    vm.loading.push((key.clone(), display.clone()));
    let result = run_module(vm, cx, &shown_path, &display, &text, &key, dialect);
    vm.loading.pop();
    let module = result.map_err(|e| match e {
        Error::Compile(mut diags) => {
            if let Some(first) = diags.first_mut() {
                let at = vm.sources.location(span);
                first
                    .notes
                    .push(format!("{shown_path} is imported at {at}"));
            }
            Error::Compile(diags)
        }
        e => e,
    })?;
    vm.modules.insert(key, module);
    Ok(module)
}

fn short_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Compile a module and, unless `cx` says only to compile, run it; returns the module object
/// (its exports name global slots of namespace `ns`).
fn run_module(
    vm: &mut Vm,
    cx: Cx,
    path: &str,
    display: &str,
    text: &str,
    ns: &str,
    dialect: Dialect,
) -> Result<Value, Error> {
    let compiled = compile_text(vm, cx, display, text, dialect, ns, Role::Program(None))?;
    if cx.imports == Imports::Run {
        vm.run_proto(compiled.proto).map_err(Error::from)?;
    }
    let mut exports = rustc_hash::FxHashMap::default();
    for name in &compiled.exports {
        if let Some(slot) = vm.globals.lookup_in(ns, name) {
            exports.insert(name.as_str().into(), slot);
        }
    }
    let m = vm.heap.alloc_module(ModuleObj {
        name: tandem_core::lower_ruff::module_binding_name(path).into(),
        exports,
        forwarders: compiled.forwarders,
    });
    Ok(Value::Module(m))
}

/// The compile errors of tandem's own prelude `name`, the first noting that they are a bug.
pub(crate) fn noted_as_bug(mut diags: Vec<Diagnostic>, name: &str) -> Vec<Diagnostic> {
    if let Some(first) = diags.first_mut() {
        first.notes.push(format!(
            "{name} is part of tandem: this is a bug in tandem, please report it"
        ));
    }
    diags
}
