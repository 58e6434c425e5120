//! The Scheme (and Jue) front end after the reader: a hygienic macro expander that lowers
//! [`Datum`]s straight to core IR in one recursive pass.
//!
//! - `expand`: environments, identifier resolution (with renaming for hygiene), the special
//!   forms' dispatch, bodies and definitions, the top level.
//! - `forms`: the derived forms (`cond`, `case`, `do`, named `let`, `guard`, ...).
//! - `syntax_rules`: `syntax-rules` matching and template instantiation.
//! - `quasiquote`: quasiquote to calls of `cons`/`list`/`append`/`list->vector`.
//! - `records`: `define-record-type`.
//! - `forward`: library procedures that only forward to a builtin, and their importers' calls.
//! - `lower`: IR-building helpers and the list of `%`-builtins the lowering relies on.

mod accessors;
mod expand;
mod forms;
mod forward;
mod lower;
mod quasiquote;
mod records;
mod syntax_rules;

use crate::ir::{Forwarder, Module};
use tandem_syntax::scheme::Datum;
use tandem_syntax::{Diagnostic, Span};

use expand::Options;
pub use expand::{live_environments, MAX_EXPANSION_NODES, MAX_EXPANSION_STEPS, MAX_MACRO_DEPTH};

/// The native stack lowering may need: it recurses over the program (and over macro
/// expansions) up to the expander's limits.
pub const LOWERING_STACK: usize = 512 << 20;

thread_local! {
    /// [`on_big_stack`] is running on this thread.
    static ON_BIG_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` on the calling thread, promising that it has [`LOWERING_STACK`] bytes of stack to
/// spare beyond what `f` itself needs (it was spawned with that much more): Scheme lowering
/// inside `f` then runs on this thread instead of on a helper thread of its own. Starting a
/// thread with such a stack costs more than lowering a small program (about 0.2 ms, a tenth
/// of a whole `hello`); the CLI runs everything on one big thread and says so.
pub fn on_big_stack<R>(f: impl FnOnce() -> R) -> R {
    let before = ON_BIG_STACK.with(|b| b.replace(true));
    let r = f();
    ON_BIG_STACK.with(|b| b.set(before));
    r
}

/// Expand and lower a whole Scheme (or, with `jue`, Jue) program read by
/// [`tandem_syntax::scheme::read`]. The result is resolved (captures, tail calls) and ready
/// for the compiler. `known_globals` are the names the program's namespace already defines
/// (earlier entries of a REPL session) or imports: like the program's own definitions, they
/// keep calls of builtins of the same name from being inlined as primitive operations.
/// `forwarders` are the imported procedures that only forward to a builtin (the
/// [`Module::forwarders`] of the modules imported, under the names they are imported as):
/// calls of them become calls of the builtin. The result's own `forwarders` list this
/// program's.
///
/// Lowering recurses over the datums (and over macro expansions, up to
/// [`MAX_MACRO_DEPTH`] levels), so it runs on a helper thread with a [`LOWERING_STACK`] stack,
/// unless the calling thread has one ([`on_big_stack`]).
pub fn lower_scheme_program(
    datums: &[Datum],
    file_span: Span,
    jue: bool,
    known_globals: &[String],
    forwarders: &[Forwarder],
) -> Result<Module, Vec<Diagnostic>> {
    lower_program(datums, file_span, jue, known_globals, forwarders, false)
}

/// Lower a program as [`lower_scheme_program`] does, but make its entry function return the
/// value of its last top-level form when that is an expression (a host's `eval`; in Jue
/// that value is returned instead of printed); otherwise the unspecified value, as always.
pub fn lower_scheme_program_valued(
    datums: &[Datum],
    file_span: Span,
    jue: bool,
    known_globals: &[String],
    forwarders: &[Forwarder],
) -> Result<Module, Vec<Diagnostic>> {
    lower_program(datums, file_span, jue, known_globals, forwarders, true)
}

/// A program (not a library), its entry valued or not.
fn lower_program(
    datums: &[Datum],
    file_span: Span,
    jue: bool,
    known_globals: &[String],
    forwarders: &[Forwarder],
    valued: bool,
) -> Result<Module, Vec<Diagnostic>> {
    let options = Options {
        jue,
        known_globals,
        forwarders,
        library: false,
        valued,
    };
    lower_on_big_stack(datums, file_span, options)
}

/// Lower (some of) the Scheme library written in Scheme, the prelude, as
/// [`lower_scheme_program`] lowers a program, with two differences: its `guard` is the
/// primitive catch-everything the runtime support is built on (no `%guard-body`, no
/// `%escape?`), and its definitions *are* the builtins, so they do not stop calls of builtins
/// from being inlined.
pub fn lower_scheme_library(datums: &[Datum], file_span: Span) -> Result<Module, Vec<Diagnostic>> {
    let options = Options {
        jue: false,
        known_globals: &[],
        forwarders: &[],
        library: true,
        valued: false,
    };
    lower_on_big_stack(datums, file_span, options)
}

fn lower_on_big_stack(
    datums: &[Datum],
    file_span: Span,
    options: Options,
) -> Result<Module, Vec<Diagnostic>> {
    // Only borrows: `Copy`, so it can run here when no thread can be spawned.
    let run = move || expand::lower_program(datums, file_span, options);
    if ON_BIG_STACK.with(|b| b.get()) {
        return run();
    }
    let spawned = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("scheme-expand".into())
            .stack_size(LOWERING_STACK)
            .spawn_scoped(s, run)
            .ok()
            .map(|h| h.join())
    });
    match spawned {
        Some(Ok(result)) => result,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_syntax::scheme::DatumKind;

    #[test]
    fn on_big_stack_lowers_on_the_calling_thread_and_then_stops() {
        // `(if #t (if #t ... 1))`, nested far deeper than the reader allows and than a
        // default thread's stack could lower.
        let datum = |kind| Datum::new(kind, Span::default());
        let mut d = datum(DatumKind::Int(1));
        for _ in 0..20_000 {
            let head = datum(DatumKind::Symbol("if".into()));
            d = datum(DatumKind::List(
                vec![head, datum(DatumKind::Bool(true)), d],
                None,
            ));
        }
        let worker = std::thread::Builder::new()
            .stack_size(LOWERING_STACK + (16 << 20))
            .spawn(move || {
                let lowered = on_big_stack(|| {
                    assert!(ON_BIG_STACK.with(|b| b.get()));
                    lower_scheme_program(std::slice::from_ref(&d), Span::default(), false, &[], &[])
                        .is_ok()
                });
                let after = ON_BIG_STACK.with(|b| b.get());
                drop(d); // here, on the big stack
                (lowered, after)
            })
            .unwrap();
        assert_eq!(worker.join().unwrap(), (true, false));
    }
}
