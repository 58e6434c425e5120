//! The two preludes: the parts of the standard libraries written in the dialects
//! themselves, loaded only when code names them, so that creating an engine compiles
//! nothing.
//!
//! **The Ruff prelude** (`prelude.ruff`: `map`, `filter`, `reduce`, `find`, `any`, `all`) loads
//! whole, before the first Ruff unit that names one of its functions (as a global or as a
//! method, `xs.map(f)`) is compiled. It is parsed, lowered and resolved once per process
//! ([`load_ruff_for`] keeps the IR); each engine compiles and runs that IR.
//!
//! **The Scheme prelude** (`prelude.scm`) loads a definition at a time: before a Scheme or
//! Jue unit runs, the forms that provide the globals it names (and the forms those depend
//! on) are compiled and run, once each. A program that names no prelude procedure loads
//! none; one that uses `map` loads `map` and what `map` uses.
//!
//! `build.rs` indexes the prelude with tandem's reader when tandem is built (see its header
//! for the rules): for each top-level form, its byte range, the names it provides and the
//! forms it depends on. At run time, [`load_for`] picks the forms, reads only their text
//! (spans stay those of the whole file, so stack traces show the prelude's real lines),
//! lowers them together as library code, checks that the lowered code names nothing another
//! unloaded form provides (the expander's own output can, e.g. `call-with-values`), and
//! compiles and runs them into the `scheme` namespace.

use crate::Error;
use std::sync::OnceLock;
use tandem_core::ir::{Expr, ExprKind, Module};
use tandem_syntax::scheme::{read_range, ReadMode};
use tandem_syntax::{FileId, Span};
use tandem_vm::{Value, Vm};

/// One top-level form of the prelude, as `build.rs` indexed it.
pub(crate) struct Form {
    /// Its bytes in the prelude's text.
    pub start: u32,
    pub end: u32,
    /// The global names it defines or assigns while it loads.
    pub provides: &'static [&'static str],
    /// The forms (indexes in [`Index::forms`]) that provide names it contains.
    pub deps: &'static [u16],
    /// `define-syntax`: compiled with every other form (it defines no global).
    pub syntax: bool,
    /// It provides no name: it runs with the first Scheme code, whatever that uses.
    pub eager: bool,
}

mod generated {
    use super::Form;
    include!(concat!(env!("OUT_DIR"), "/prelude_index.rs"));
}

/// A prelude and its index.
pub(crate) struct Index {
    /// The source name (in stack traces).
    pub name: &'static str,
    pub text: &'static str,
    /// Its top-level forms, in order.
    pub forms: &'static [Form],
    /// Every name a form provides, sorted, with the forms providing it.
    pub names: &'static [(&'static str, &'static [u16])],
}

/// The Scheme prelude.
pub(crate) static SCHEME: Index = Index {
    name: "<scheme-prelude>",
    text: include_str!("prelude.scm"),
    forms: generated::FORMS,
    names: generated::NAMES,
};

impl Index {
    /// The forms that provide `name`.
    fn providers(&self, name: &str) -> &'static [u16] {
        match self.names.binary_search_by(|(n, _)| (*n).cmp(name)) {
            Ok(i) => self.names[i].1,
            Err(_) => &[],
        }
    }

    /// Mark the forms in `stack`, and everything they depend on, in `want`, skipping forms
    /// already loaded.
    fn select(&self, want: &mut [bool], loaded: &[bool], mut stack: Vec<u16>) {
        while let Some(i) = stack.pop() {
            let i = i as usize;
            if i >= want.len() || want[i] || loaded[i] {
                continue;
            }
            want[i] = true;
            stack.extend_from_slice(self.forms[i].deps);
        }
    }

    /// A form's text.
    #[cfg(test)]
    fn text_of(&self, i: u16) -> &'static str {
        let f = &self.forms[i as usize];
        &self.text[f.start as usize..f.end as usize]
    }
}

/// Load, if they are not loaded yet, the prelude forms providing `names` (the globals a unit
/// about to be compiled names), the forms they depend on, and the eager forms. A form that
/// does not compile is a bug in tandem, and says so; a runtime error (such as the memory
/// limit) is passed on, and the forms of that attempt stay unloaded, to load again next time.
pub(crate) fn load_for<'n>(
    vm: &mut Vm,
    names: impl IntoIterator<Item = &'n str>,
) -> Result<(), Error> {
    load_from(&SCHEME, vm, names)
}

/// [`load_for`] from the prelude `index` (the Scheme prelude, or a test's). A VM keeps the
/// state of one prelude: it is not meant to load from two.
fn load_from<'n>(
    index: &Index,
    vm: &mut Vm,
    names: impl IntoIterator<Item = &'n str>,
) -> Result<(), Error> {
    let n = index.forms.len();
    if vm.scheme_prelude.loaded.len() != n {
        vm.scheme_prelude.loaded = vec![false; n];
    }
    let mut want = vec![false; n];
    let mut stack: Vec<u16> = (0..n as u16)
        .filter(|&i| index.forms[i as usize].eager)
        .collect();
    for name in names {
        stack.extend_from_slice(index.providers(name));
    }
    index.select(&mut want, &vm.scheme_prelude.loaded, stack);
    if !want.contains(&true) {
        return Ok(());
    }
    let file = match vm.scheme_prelude.file {
        Some(f) => f,
        None => {
            let f = vm.sources.add(index.name, index.text);
            vm.scheme_prelude.file = Some(f);
            f
        }
    };
    let bug = |diags| Error::Compile(crate::pipeline::noted_as_bug(diags, index.name));
    let module = loop {
        let mut datums = Vec::new();
        for (i, form) in index.forms.iter().enumerate() {
            if want[i] || form.syntax {
                let range = form.start as usize..form.end as usize;
                datums.extend(read_range(index.text, range, file, ReadMode::Scheme).map_err(bug)?);
            }
        }
        let module = tandem_core::scheme::lower_scheme_library(&datums, Span::new(file, 0, 0))
            .map_err(bug)?;
        // The expander's output may name globals the forms' text does not.
        let loaded = &vm.scheme_prelude.loaded;
        let more: Vec<u16> = module
            .free_globals()
            .into_iter()
            .flat_map(|name| index.providers(name))
            .copied()
            .filter(|&i| !want[i as usize] && !loaded[i as usize])
            .collect();
        if more.is_empty() {
            break module;
        }
        index.select(&mut want, loaded, more);
    };
    let ns = tandem_vm::builtins::scheme::NS;
    let proto =
        tandem_vm::compile::compile_module(&module, &mut vm.globals, &mut vm.heap, ns, true)
            .map_err(|d| bug(vec![d]))?;
    // Running it keeps the prototype (its constants are roots from now on).
    vm.run_proto(proto).map_err(Error::from)?;
    for (loaded, wanted) in vm.scheme_prelude.loaded.iter_mut().zip(want) {
        *loaded |= wanted;
    }
    Ok(())
}

/// Whether a form of the Scheme prelude provides `name`.
pub(crate) fn scheme_provides(name: &str) -> bool {
    !SCHEME.providers(name).is_empty()
}

/// The names the loaded forms of the Scheme prelude provide, sorted.
pub(crate) fn loaded_names(vm: &Vm) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SCHEME
        .forms
        .iter()
        .zip(&vm.scheme_prelude.loaded)
        .filter(|(_, &loaded)| loaded)
        .flat_map(|(f, _)| f.provides.iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

// ----- the Ruff prelude -----

/// The Ruff prelude's source name (in stack traces) and text.
pub(crate) const RUFF_NAME: &str = "<prelude>";
pub(crate) const RUFF_TEXT: &str = include_str!("prelude.ruff");

/// The functions the Ruff prelude defines (a test checks the list against the file).
pub(crate) const RUFF_PROVIDES: &[&str] = &["all", "any", "filter", "find", "map", "reduce"];

/// The Ruff prelude's file: every engine registers it first, so the spans of the IR kept
/// for the process point into it in every engine.
pub(crate) const RUFF_FILE: FileId = FileId(0);

/// The Ruff prelude, parsed, lowered and resolved by the first engine that loads it.
static RUFF_IR: OnceLock<Module> = OnceLock::new();

/// Load the Ruff prelude into `vm` if `module` (a Ruff unit about to be compiled) names one
/// of its functions that `vm` does not define yet.
pub(crate) fn load_ruff_for(vm: &mut Vm, module: &Module) -> Result<(), Error> {
    let unloaded = |n: &str| RUFF_PROVIDES.contains(&n) && vm.globals.get(n).is_none();
    let mut stack: Vec<&Expr> = module.funcs.iter().map(|f| &f.body).collect();
    let mut named = false;
    while let Some(e) = stack.pop() {
        let name = match &e.kind {
            ExprKind::Global(g) if !module.globals.contains(g) => Some(g),
            ExprKind::MethodCall { name, .. } => Some(name),
            _ => None,
        };
        if name.is_some_and(|n| unloaded(n)) {
            named = true;
            break;
        }
        stack.extend(e.children());
    }
    if named {
        load_ruff(vm)?;
    }
    Ok(())
}

/// The compile errors of Ruff prelude `name`, noted as a bug in tandem.
fn ruff_bug(name: &str, diags: Vec<tandem_syntax::Diagnostic>) -> Error {
    Error::Compile(crate::pipeline::noted_as_bug(diags, name))
}

/// Parse, lower and resolve a Ruff prelude (`text`, registered as `file`).
fn lower_ruff(name: &str, text: &str, file: FileId) -> Result<Module, Error> {
    let program = tandem_syntax::ruff::parse(text, file).map_err(|d| ruff_bug(name, d))?;
    // As a prelude: it names no builtin it could shadow, and has no earlier code.
    tandem_core::lower_ruff::lower_program(&program, Span::new(file, 0, 0), &|_| false, &[])
        .map_err(|d| ruff_bug(name, d))
}

/// Compile and run the Ruff prelude into the shared namespace. A function of the same name
/// the host registered stays: the host's definition wins, as it would have had the
/// prelude loaded first.
fn load_ruff(vm: &mut Vm) -> Result<(), Error> {
    let module = match RUFF_IR.get() {
        Some(m) => m,
        None => {
            let m = lower_ruff(RUFF_NAME, RUFF_TEXT, RUFF_FILE)?;
            RUFF_IR.get_or_init(|| m)
        }
    };
    let proto = tandem_vm::compile::compile_module(module, &mut vm.globals, &mut vm.heap, "", true)
        .map_err(|d| ruff_bug(RUFF_NAME, vec![d]))?;
    let kept: Vec<(usize, Value)> = RUFF_PROVIDES
        .iter()
        .filter_map(|n| {
            let slot = vm.globals.lookup(n)? as usize;
            let v = vm.globals.values[slot];
            (!matches!(v, Value::Undef)).then_some((slot, v))
        })
        .collect();
    let handles = vm.handles.len();
    vm.handles.extend(kept.iter().map(|&(_, v)| v));
    let ran = vm.run_proto(proto).map_err(Error::from);
    vm.handles.truncate(handles);
    for (slot, v) in kept {
        vm.globals.values[slot] = v;
    }
    ran.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn the_index_covers_the_prelude_in_order() {
        let forms = SCHEME.forms;
        assert!(!forms.is_empty());
        let mut end = 0;
        for f in forms {
            assert!(
                f.start >= end && f.end > f.start,
                "forms overlap or are out of order"
            );
            end = f.end;
            assert!(f.deps.iter().all(|&d| (d as usize) < forms.len()));
        }
        assert!(end as usize <= SCHEME.text.len());
        assert!(
            SCHEME.names.windows(2).all(|w| w[0].0 < w[1].0),
            "names are sorted"
        );
        for (name, provided_by) in SCHEME.names {
            assert!(provided_by
                .iter()
                .all(|&f| forms[f as usize].provides.contains(name)));
        }
    }

    #[test]
    fn definitions_and_load_time_assignments_are_provided() {
        let provided = |name: &str| {
            SCHEME
                .providers(name)
                .iter()
                .map(|&i| SCHEME.text_of(i))
                .collect::<Vec<_>>()
        };
        assert!(provided("map")[0].starts_with("(define (map f lst . more)"));
        assert!(provided("apply")[0].starts_with("(define (apply f . args)"));
        // dynamic-wind is defined as #f, then set in the block that keeps the winders.
        let dw = provided("dynamic-wind");
        assert_eq!(dw.len(), 2, "{dw:?}");
        assert!(dw[1].starts_with("(let ((winders"));
        // The capability natives are taken (and unbound) by %with-tier's definition, so a
        // program naming one loads that definition and finds it unbound.
        assert!(provided("%caps-set")[0].starts_with("(define %with-tier"));
        // An assignment inside a procedure body runs only when it is called.
        assert_eq!(provided("%handlers").len(), 1);
        assert!(SCHEME.providers("loop").is_empty() && SCHEME.providers("car").is_empty());
        // No form of today's prelude runs eagerly: a program using nothing loads nothing.
        assert!(SCHEME.forms.iter().all(|f| !f.eager));
    }

    /// A prelude made for the test, indexed by hand as build.rs would, with what today's
    /// prelude does not have: a macro, a form that runs eagerly, and a definition whose
    /// expansion names a global its text does not (`let-values` calls `call-with-values`).
    const TEST_TEXT: &str = "(define-syntax swap!
  (syntax-rules () ((_ a b) (let ((t a)) (set! a b) (set! b t)))))
(display \"[eager]\")
(define (pair-diff) (let-values (((a b) (values 10 3))) (swap! a b) (- a b)))
(define (call-with-values producer consumer)
  (apply consumer (%values->list (producer))))
(define (unused) (car '()))
";

    fn test_index() -> &'static Index {
        let forms = [
            ("(define-syntax", &[][..], true),
            ("(display", &[], false),
            ("(define (pair-diff)", &["pair-diff"], false),
            ("(define (call-with-values", &["call-with-values"], false),
            ("(define (unused)", &["unused"], false),
        ];
        let mut starts: Vec<usize> = forms
            .iter()
            .map(|(start, _, _)| TEST_TEXT.find(start).unwrap())
            .collect();
        starts.push(TEST_TEXT.len());
        let forms: Vec<Form> = forms
            .iter()
            .enumerate()
            .map(|(i, &(_, provides, syntax))| Form {
                start: starts[i] as u32,
                end: TEST_TEXT[..starts[i + 1]].trim_end().len() as u32,
                provides: Box::leak(provides.to_vec().into_boxed_slice()),
                deps: &[],
                syntax,
                eager: !syntax && provides.is_empty(),
            })
            .collect();
        let names: &[(&str, &[u16])] = &[
            ("call-with-values", &[3]),
            ("pair-diff", &[2]),
            ("unused", &[4]),
        ];
        Box::leak(Box::new(Index {
            name: "<test-prelude>",
            text: TEST_TEXT,
            forms: Box::leak(forms.into_boxed_slice()),
            names: Box::leak(names.to_vec().into_boxed_slice()),
        }))
    }

    #[test]
    fn the_loader_runs_eager_forms_once_and_follows_names_the_expander_adds() {
        let index = test_index();
        let (mut engine, out) = crate::test_support::captured_engine();
        let vm = engine.vm();
        // Nothing named: only the eager form runs.
        load_from(index, vm, []).unwrap();
        vm.flush();
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "[eager]");
        assert_eq!(vm.scheme_prelude.loaded, [false, true, false, false, false]);
        // pair-diff's text names neither call-with-values nor any dependency; its expansion
        // calls call-with-values, which is loaded with it. The macro comes along.
        load_from(index, vm, ["pair-diff", "car"]).unwrap();
        assert_eq!(vm.scheme_prelude.loaded, [false, true, true, true, false]);
        let proto = engine
            .compile_source("t.scm", "(display (pair-diff))", crate::Dialect::Scheme)
            .unwrap();
        engine.run_proto(proto).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "[eager]-7");
    }

    #[test]
    fn the_ruff_prelude_defines_what_it_is_said_to_provide() {
        let module = lower_ruff(RUFF_NAME, RUFF_TEXT, RUFF_FILE).unwrap();
        let mut defined = module.globals.clone();
        defined.sort();
        assert_eq!(defined, RUFF_PROVIDES);
    }

    #[test]
    fn a_broken_ruff_prelude_is_reported_as_a_bug_with_its_location() {
        let mut engine = Engine::with_output(Box::new(std::io::sink()));
        let text = "func f(x) {\n  return x +\n}\n";
        let file = engine.vm().sources.add("<test-prelude>", text);
        let err = lower_ruff("<test-prelude>", text, file).unwrap_err();
        let rendered = engine.render_error(&err);
        assert!(rendered.contains("<test-prelude>:3:1"), "{rendered}");
        assert!(rendered.contains("this is a bug in tandem"), "{rendered}");
        assert_eq!(err.exit_code(), 3);
    }

    #[test]
    fn the_ruff_prelude_loads_when_first_named_and_a_hosts_function_stays() {
        let (mut engine, out) = crate::test_support::captured_engine();
        engine.run_source("a.ruff", "print(len([1, 2]))").unwrap();
        assert!(
            engine.vm().globals.get("map").is_none(),
            "nothing named it yet"
        );
        engine.register_fn("filter", |_xs: Vec<i64>, _f: tandem_vm::Value| {
            "host filter"
        });
        engine
            .run_source("b.ruff", "print([1, 2, 3].map(func(x) { return x * 2 }))")
            .unwrap();
        engine
            .run_source("c.ruff", "print(filter([1], func(x) { return true }))")
            .unwrap();
        engine.flush();
        assert_eq!(
            String::from_utf8_lossy(&out.borrow()),
            "2\n[2, 4, 6]\nhost filter\n"
        );
    }

    #[test]
    fn a_prelude_form_that_does_not_compile_is_reported_as_a_bug() {
        static FORMS: [Form; 1] = [Form {
            start: 0,
            end: 4,
            provides: &["x"],
            deps: &[],
            syntax: false,
            eager: false,
        }];
        let index = Index {
            name: "<bad-prelude>",
            text: "(if)",
            forms: &FORMS,
            names: &[("x", &[0])],
        };
        let mut engine = Engine::with_output(Box::new(std::io::sink()));
        let err = load_from(&index, engine.vm(), ["x"]).unwrap_err();
        let text = engine.render_error(&err);
        assert!(text.contains("<bad-prelude>:1:1"), "{text}");
        assert!(text.contains("this is a bug in tandem"), "{text}");
        assert!(engine.vm().scheme_prelude.loaded.iter().all(|l| !l));
    }
}
