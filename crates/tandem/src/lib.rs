//! tandem's embedding API.
//!
//! ```no_run
//! let mut engine = tandem::Engine::new();
//! engine.run_source("demo.ruff", "print(1 + 2)").unwrap();
//! ```
//!
//! An [`Engine`] owns one VM: its heap, globals, natives, capabilities and limits. Source
//! goes through the pipeline front end → core IR → resolver → bytecode compiler → VM.
//!
//! The host's guide is `docs/embedding.md` (typed functions with [`Engine::register_fn`],
//! [`Engine::eval`], [`Engine::call_fn`], serde, host types with [`Engine::register_type`],
//! capabilities, errors); its examples run as doc-tests.

mod calls;
mod convert;
/// The fuzz targets' entry points (`fuzz/`), shared with the replay test: not part of the
/// embedding API.
#[doc(hidden)]
pub mod fuzz_entry;
mod host_fn;
mod host_type;
mod pipeline;
mod prelude;
mod serde_de;
mod serde_ser;

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;
use std::sync::OnceLock;
use tandem_syntax::{Diagnostic, SourceMap, Span};
use tandem_vm::object::Proto;

pub use convert::{
    AsValue, FromScript, FromValue, HostType, IntoArgs, IntoValue, Serde, ValueParts, ViaSerde,
};
pub use host_fn::{HostFn, HostMethod, Mut, Own, Ref, Str};
pub use host_type::TypeBuilder;
pub use tandem_syntax::Dialect;
pub use tandem_vm::jit_hook::JitMode;
pub use tandem_vm::{Arity, Caps, ErrorKind, NativeResult, RuntimeError, Value, Vm};
pub use tandem_vm::{InterruptHandle, Limit};

/// The embedding guide, `docs/embedding.md`: its examples run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding.md")]
pub struct EmbeddingGuide;

/// Anything that can go wrong loading or running a program.
#[derive(Debug)]
pub enum Error {
    /// The file could not be read, or the dialect is unknown.
    Io(String),
    /// Syntax or compile errors (one or more).
    Compile(Vec<Diagnostic>),
    /// An error raised while running.
    Runtime(RuntimeError),
    /// A request of the host's could not be carried out: a value did not convert between
    /// Rust and the script (`to_value`, `from_value`, `eval`'s result, `call_fn`'s
    /// arguments and result), `call_fn` named no function, or `register_type` was given
    /// something other than a struct.
    Host(String),
    /// A limit the host set stopped the run: fuel, the timeout, an interrupt or the
    /// memory limit (`err.kind` is `ErrorKind::Limit(which)`; where it struck is its span).
    /// Scripts cannot catch these.
    Limit(RuntimeError),
}

impl From<RuntimeError> for Error {
    /// A runtime error, or [`Error::Limit`] when a limit stopped the run.
    fn from(e: RuntimeError) -> Error {
        match e.kind {
            ErrorKind::Limit(_) => Error::Limit(e),
            _ => Error::Runtime(e),
        }
    }
}

impl std::fmt::Display for Error {
    /// The error's message, without location (see [`Engine::render_error`] for the full
    /// diagnostic).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(m) | Error::Host(m) => f.write_str(m),
            Error::Compile(diags) => {
                let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
                f.write_str(&msgs.join("; "))
            }
            Error::Runtime(e) | Error::Limit(e) => f.write_str(&e.message),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The process exit code the CLI uses: the code the program passed to `exit()`; otherwise
    /// 2 for I/O and usage problems, 3 for syntax/compile errors, 4 for runtime errors (and
    /// a host's requests that failed), 5 when a limit (fuel, timeout, interrupt, memory)
    /// stopped the run.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Io(_) => 2,
            Error::Compile(_) => 3,
            Error::Host(_) => 4,
            Error::Limit(_) => 5,
            // `exit()` keeps its code in 0..=255.
            Error::Runtime(e) => match e.kind {
                ErrorKind::Exit(code) => u8::try_from(code).unwrap_or(4),
                _ => 4,
            },
        }
    }

    /// Whether the program asked to end, with `exit()`: not a failure, nothing to report.
    pub fn is_exit(&self) -> bool {
        matches!(self, Error::Runtime(e) if matches!(e.kind, ErrorKind::Exit(_)))
    }
}

/// A tandem engine: one VM with its heap, globals and builtins.
pub struct Engine {
    vm: Vm,
    /// Globals the engine predefines (natives and the Ruff prelude's functions).
    builtin_names: &'static HashSet<String>,
    /// Per namespace, the top-level `define-syntax` forms of the Scheme code compiled into it:
    /// macros persist from one compilation into the same namespace (a REPL entry) to the
    /// next, as its globals do.
    macros: std::collections::HashMap<String, Vec<tandem_syntax::scheme::Datum>>,
    /// The namespace of the program compiled most recently (`call_fn` looks there).
    last_ns: Option<String>,
    /// How many `eval`s ran (each gets a namespace of its own).
    evals: u64,
}

const PRELUDE_NAME: &str = prelude::RUFF_NAME;

/// The globals every engine predefines: the natives `tandem_vm::builtins` registers and the
/// Ruff prelude's functions (loaded when first named). The same in every engine of the
/// process, so computed once.
fn builtin_names(vm: &Vm) -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = vm.globals.defined_names();
        names.extend(prelude::RUFF_PROVIDES.iter().map(|n| n.to_string()));
        names
    })
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// An engine printing to the process's stdout (buffered), with every capability.
    pub fn new() -> Engine {
        Engine::with_output(Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout(),
        )))
    }

    /// An engine whose `print` output goes to `out`.
    ///
    /// Cheap: it compiles nothing. The parts of the standard library written in Ruff and
    /// in Scheme (the preludes) load when code first names them.
    pub fn with_output(out: Box<dyn Write>) -> Engine {
        let mut vm = Vm::new(out);
        tandem_vm::builtins::install(&mut vm);
        #[cfg(feature = "jit")]
        {
            // Without a usable layout (not expected) the JIT stays out: interpret.
            let _ = tandem_jit::install(&mut vm, JitMode::Auto);
        }
        // The Ruff prelude's file comes first, where the IR every engine shares expects it.
        let file = vm.sources.add(PRELUDE_NAME, prelude::RUFF_TEXT);
        debug_assert_eq!(file, prelude::RUFF_FILE);
        let names = builtin_names(&vm);
        vm.loader = Some(Rc::new(move |vm: &mut Vm, path: &str, span: Span| {
            pipeline::load_module(vm, names, path, span)
        }));
        Engine {
            vm,
            builtin_names: names,
            macros: Default::default(),
            last_ns: None,
            evals: 0,
        }
    }

    pub fn vm(&mut self) -> &mut Vm {
        &mut self.vm
    }

    pub fn sources(&self) -> &SourceMap {
        &self.vm.sources
    }

    /// Limit nested (non-tail) calls; deeper calls raise a `stack overflow` error.
    pub fn set_max_depth(&mut self, depth: usize) {
        self.vm.set_max_depth(depth);
    }

    /// Whether this build has the JIT (the `jit` cargo feature, on by default).
    pub fn jit_available(&self) -> bool {
        self.vm.jit_backend().is_some()
    }

    /// When the JIT compiles: never (`Off`), hot functions and loops (`Auto`, the
    /// default), or everything before it runs (`Always`). Without the JIT every mode
    /// interprets. Code compiled already stays compiled.
    pub fn set_jit_mode(&mut self, mode: JitMode) {
        if let Some(b) = self.vm.jit_backend_mut() {
            b.set_mode(mode);
        }
    }

    /// The JIT mode (`Off` without the JIT).
    pub fn jit_mode(&self) -> JitMode {
        self.vm.jit_mode()
    }

    /// One line on what the JIT did so far: `jit: N functions compiled, ...` (or that
    /// this build has no JIT).
    pub fn jit_stats(&self) -> String {
        #[cfg(feature = "jit")]
        {
            tandem_jit::stats_line(&self.vm)
        }
        #[cfg(not(feature = "jit"))]
        {
            "jit: not built in (the interpreter runs everything)".to_string()
        }
    }

    /// Every function of a compiled program: its bytecode, then the Cranelift IR the JIT
    /// makes for it (compiled as `--jit=always` would before the first call).
    pub fn disassemble_jit(&mut self, proto: &Rc<Proto>) -> String {
        #[cfg(feature = "jit")]
        {
            match tandem_jit::ir_text(&mut self.vm, proto) {
                Ok(fns) => {
                    let mut irs = fns.into_iter();
                    tandem_vm::disasm::disassemble_with(
                        &self.vm,
                        proto,
                        &self.vm.sources,
                        &mut |p| {
                            irs.next()
                                .map(|(_, ir)| format!("  jit: Cranelift IR of {}\n{ir}", p.name))
                        },
                    )
                }
                Err(e) => {
                    let mut out = self.disassemble(proto);
                    out.push_str(&format!("\njit: cannot compile: {e}\n"));
                    out
                }
            }
        }
        #[cfg(not(feature = "jit"))]
        {
            let mut out = self.disassemble(proto);
            out.push_str("\njit: not built in\n");
            out
        }
    }

    /// Limit the memory scripts may use, in bytes (`None`: no limit): every allocation that
    /// grows the heap is checked before it is made, and a run that would pass the limit
    /// fails with `memory limit exceeded` ([`Error::Limit`], which scripts cannot catch).
    pub fn set_memory_limit(&mut self, bytes: Option<usize>) {
        self.vm.heap.set_limit(bytes);
    }

    /// Give each run `fuel` units (`None`: unlimited): one per call of a script function
    /// and one per loop iteration, in the interpreter and in compiled code. A run that
    /// spends it all fails with `fuel exhausted` ([`Error::Limit`]). Each run (each
    /// `run_*` call, each REPL entry) starts with the whole amount.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.vm.set_fuel(fuel);
    }

    /// The fuel the last run left unspent (`None` when fuel is unlimited).
    pub fn fuel_remaining(&self) -> Option<u64> {
        self.vm.fuel_remaining()
    }

    /// Let each run take at most `timeout` of wall-clock time (`None`: no limit); past it,
    /// the run fails with a `timeout` error ([`Error::Limit`]).
    pub fn set_timeout(&mut self, timeout: Option<std::time::Duration>) {
        self.vm.set_timeout(timeout);
    }

    /// A handle (`Send + Sync + Clone`) whose `interrupt()`, called from any thread, stops
    /// the engine's running script with an `interrupted` error ([`Error::Limit`]); if
    /// nothing runs, the next run stops at its start.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.vm.interrupt_handle()
    }

    /// Set the capabilities scripts are granted.
    pub fn set_caps(&mut self, caps: Caps) {
        self.vm.set_caps(caps);
    }

    pub fn caps(&self) -> Caps {
        self.vm.caps
    }

    /// Expose a host function over raw values to scripts, as a global of the Ruff
    /// namespace (Scheme reaches it with `ffi-call`). [`Engine::register_fn`] is the typed
    /// way, visible in both dialects.
    pub fn register_native(
        &mut self,
        name: &str,
        arity: Arity,
        caps: Caps,
        f: impl Fn(&mut Vm, &[Value]) -> NativeResult + 'static,
    ) {
        self.vm.register(tandem_vm::NativeDef {
            name: name.into(),
            arity,
            caps,
            imp: tandem_vm::NativeImpl::Host(Rc::new(f)),
            shown: None,
            intrinsic: None,
        });
    }

    /// Parse, lower, resolve and compile a source text; returns the entry prototype. The
    /// file's top-level names live in a namespace of their own (named after the file). Scheme
    /// libraries it imports are loaded now: compiled and run.
    pub fn compile_source(
        &mut self,
        name: &str,
        text: &str,
        dialect: Dialect,
    ) -> Result<Rc<Proto>, Error> {
        // Source text has no folder of its own to import from (see `program_dir`).
        self.vm.program_dir = None;
        self.compile_program(name, text, dialect)
    }

    fn compile_program(
        &mut self,
        name: &str,
        text: &str,
        dialect: Dialect,
    ) -> Result<Rc<Proto>, Error> {
        let proto = self.compile(name, text, dialect, pipeline::Imports::Run, false)?;
        self.last_ns = Some(name.to_string());
        Ok(proto)
    }

    /// A program file's folder, which its imports may read without `fs-read`.
    fn set_program_dir(&mut self, path: &Path) {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        self.vm.program_dir = std::fs::canonicalize(dir.unwrap_or(Path::new("."))).ok();
    }

    /// Compile a program (`eval`: whose entry returns its last expression's value).
    fn compile(
        &mut self,
        name: &str,
        text: &str,
        dialect: Dialect,
        imports: pipeline::Imports,
        eval: bool,
    ) -> Result<Rc<Proto>, Error> {
        let cx = pipeline::Cx {
            builtins: self.builtin_names,
            imports,
        };
        let role = match dialect {
            _ if eval => pipeline::Role::Eval,
            Dialect::Scheme | Dialect::Jue => {
                pipeline::Role::Program(Some(self.macros.entry(name.to_string()).or_default()))
            }
            Dialect::Ruff => pipeline::Role::Program(None),
        };
        pipeline::compile_text(&mut self.vm, cx, name, text, dialect, name, role).map(|c| c.proto)
    }

    /// Add a directory to search for Scheme libraries (`(import (a b))` finds `a/b.scm`).
    /// Scripts without `fs-read` may load modules from under it (and from under the folder
    /// of the program file [`Engine::run_file`] ran), nowhere else.
    pub fn add_lib_path(&mut self, dir: &str) {
        self.vm.lib_paths.push(dir.to_string());
        if let Ok(root) = std::fs::canonicalize(dir) {
            self.vm.import_roots.push(root);
        }
    }

    /// Read a file and pick its dialect from the extension.
    fn read_program(path: &Path) -> Result<(String, Dialect), Error> {
        let dialect = Dialect::from_path(path).ok_or_else(|| {
            Error::Io(format!(
                "cannot tell the language of '{}': use a .ruff, .scm (.ss, .sld) or .jue file",
                path.display()
            ))
        })?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io(format!("cannot read '{}': {e}", path.display())))?;
        Ok((text, dialect))
    }

    /// Read a file, pick its dialect from the extension, and compile it (see
    /// [`Engine::compile_source`]).
    pub fn compile_file(&mut self, path: &Path) -> Result<Rc<Proto>, Error> {
        let (text, dialect) = Self::read_program(path)?;
        self.set_program_dir(path);
        self.compile_program(&path.display().to_string(), &text, dialect)
    }

    /// Compile a file as [`Engine::compile_file`] does, but run nothing: the Scheme libraries
    /// it imports are compiled (so their errors are reported) but not run, and the names they
    /// export hold no values. For `tandem check` and `tandem disasm`: the prototype is for
    /// inspecting, not for running.
    pub fn check_file(&mut self, path: &Path) -> Result<Rc<Proto>, Error> {
        let (text, dialect) = Self::read_program(path)?;
        self.set_program_dir(path);
        let loaded: std::collections::HashSet<String> = self.vm.modules.keys().cloned().collect();
        let r = self.compile(
            &path.display().to_string(),
            &text,
            dialect,
            pipeline::Imports::CompileOnly,
            false,
        );
        // Forget the modules only compiled, so that a later import loads (and runs) them.
        self.vm.modules.retain(|key, _| loaded.contains(key));
        r
    }

    /// Run a compiled entry prototype.
    pub fn run_proto(&mut self, proto: Rc<Proto>) -> Result<Value, Error> {
        let r = self.vm.run_proto(proto).map_err(Error::from);
        self.vm.flush();
        if let Err(Error::Limit(_)) = r {
            // Nothing runs now: free what the stopped run left, so the next run starts
            // with only what the globals keep.
            self.vm.collect(0);
        }
        r
    }

    /// Compile and run a source text in the given dialect.
    pub fn run_source_as(
        &mut self,
        name: &str,
        text: &str,
        dialect: Dialect,
    ) -> Result<Value, Error> {
        let proto = self.compile_source(name, text, dialect)?;
        self.run_proto(proto)
    }

    /// Compile and run a source text; the dialect comes from `name`'s extension (Ruff when
    /// it selects none).
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<Value, Error> {
        let dialect = Dialect::from_path(Path::new(name)).unwrap_or(Dialect::Ruff);
        self.run_source_as(name, text, dialect)
    }

    /// Compile and run a file.
    pub fn run_file(&mut self, path: &Path) -> Result<Value, Error> {
        let proto = self.compile_file(path)?;
        self.run_proto(proto)
    }

    /// The bytecode of a compiled program, every function, with source lines.
    pub fn disassemble(&self, proto: &Proto) -> String {
        tandem_vm::disasm::disassemble(&self.vm, proto, &self.vm.sources)
    }

    /// Render an error for a terminal.
    pub fn render_error(&self, err: &Error) -> String {
        match err {
            Error::Io(m) | Error::Host(m) => format!("error: {m}\n"),
            Error::Compile(diags) => {
                let mut s = String::new();
                for d in diags {
                    s.push_str(&d.render(&self.vm.sources));
                }
                if diags.len() > 1 {
                    s.push_str(&format!("error: {} errors found\n", diags.len()));
                }
                s
            }
            Error::Runtime(e) | Error::Limit(e) => e.render(&self.vm.sources),
        }
    }

    /// The display form of a value (as `print` shows it).
    pub fn display(&self, v: Value) -> String {
        tandem_vm::format::display(&self.vm, v)
    }

    /// The names of the Scheme prelude's definitions loaded so far, sorted. The prelude (the
    /// part of the Scheme library written in Scheme) loads a definition at a time, before
    /// the first code that names it runs: a program that uses none loads none.
    pub fn scheme_prelude_loaded(&self) -> Vec<&'static str> {
        prelude::loaded_names(&self.vm)
    }

    /// Heap counters (allocations, collections, live bytes).
    pub fn heap_stats(&self) -> tandem_vm::heap::HeapStats {
        self.vm.heap.stats()
    }

    /// Flush buffered output.
    pub fn flush(&mut self) {
        self.vm.flush();
    }
}

/// What the crate's unit tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use std::cell::RefCell;

    /// An engine whose output the test reads back from the buffer returned with it.
    pub(crate) fn captured_engine() -> (Engine, Rc<RefCell<Vec<u8>>>) {
        struct Shared(Rc<RefCell<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Rc::new(RefCell::new(Vec::new()));
        (Engine::with_output(Box::new(Shared(out.clone()))), out)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::captured_engine;
    use super::*;

    #[test]
    fn check_file_runs_nothing_and_leaves_imports_to_load_later() {
        let dir = std::env::temp_dir().join(format!("tandem-lib-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("noisy.scm"),
            "(display \"noisy ran\\n\")\n(define answer 42)\n",
        )
        .unwrap();
        let main = dir.join("main.scm");
        std::fs::write(&main, "(import (noisy))\n(display answer)\n").unwrap();
        let (mut engine, out) = captured_engine();
        engine.check_file(&main).unwrap();
        engine.flush();
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "");
        // The library was only compiled: running the program loads and runs it.
        engine.run_file(&main).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "noisy ran\n42");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_named_like_the_prelude_is_an_ordinary_file() {
        let (mut engine, out) = captured_engine();
        // Its definitions stay in its own namespace instead of replacing builtins.
        engine
            .run_source(PRELUDE_NAME, "func len(x) { return 99 }\nprint(len([1]))")
            .unwrap();
        engine.run_source("main.ruff", "print(len([1]))").unwrap();
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "99\n1\n");
    }

    #[test]
    fn a_scheme_prelude_that_failed_to_load_loads_again_next_time() {
        let (mut engine, out) = captured_engine();
        // Too little memory for the prelude: the first program fails while loading the
        // definitions it uses, before it runs.
        engine.set_memory_limit(Some(1));
        let err = engine
            .run_source("a.scm", "(display \"a ran\")\n(display (make-parameter 1))")
            .unwrap_err();
        let text = engine.render_error(&err);
        assert!(text.contains("memory limit exceeded"), "{text}");
        assert!(text.contains("<scheme-prelude>"), "{text}");
        assert!(engine.scheme_prelude_loaded().is_empty());
        // Those definitions were not marked loaded, so the next program loads them (and
        // the others it uses) and runs.
        engine.set_memory_limit(None);
        engine
            .run_source(
                "b.scm",
                "(define p (make-parameter 7))\n(display (force (delay (p))))",
            )
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "7");
        let loaded = engine.scheme_prelude_loaded();
        for name in ["make-parameter", "%param-tag", "%delay", "force"] {
            assert!(loaded.contains(&name), "{name} in {loaded:?}");
        }
    }

    #[test]
    fn exit_codes() {
        let mut engine = Engine::with_output(Box::new(std::io::sink()));
        let exit = engine.run_source("e.ruff", "exit(7)").unwrap_err();
        assert!(exit.is_exit());
        assert_eq!(exit.exit_code(), 7);
        let runtime = engine.run_source("r.ruff", "1 / 0").unwrap_err();
        assert!(!runtime.is_exit());
        assert_eq!(runtime.exit_code(), 4);
        let compile = engine.run_source("c.ruff", "print(").unwrap_err();
        assert_eq!(compile.exit_code(), 3);
        assert_eq!(Error::Io(String::new()).exit_code(), 2);
    }
}
