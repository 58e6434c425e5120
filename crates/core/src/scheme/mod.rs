//! The Scheme (and Jue) front end after the reader: a hygienic macro expander that lowers
//! [`Datum`]s straight to core IR in one recursive pass.
//!
//! - `expand`: environments, identifier resolution (with renaming for hygiene), the special
//!   forms' dispatch, bodies and definitions, the top level.
//! - `forms`: the derived forms (`cond`, `case`, `do`, named `let`, `guard`, ...).
//! - `syntax_rules`: `syntax-rules` matching and template instantiation.
//! - `quasiquote`: quasiquote to calls of `cons`/`list`/`append`/`list->vector`.
//! - `records`: `define-record-type`.
//! - `lower`: IR-building helpers and the list of `%`-builtins the lowering relies on.

mod expand;
mod forms;
mod lower;
mod quasiquote;
mod records;
mod syntax_rules;

use crate::ir::Module;
use tandem_syntax::scheme::Datum;
use tandem_syntax::{Diagnostic, Span};

pub use expand::{MAX_EXPANSION_STEPS, MAX_MACRO_DEPTH};

/// Expand and lower a whole Scheme (or, with `jue`, Jue) program read by
/// [`tandem_syntax::scheme::read`]. The result is resolved (captures, tail calls) and ready
/// for the compiler. `known_globals` are the names the program's namespace already defines
/// (earlier entries of a REPL session) or imports: like the program's own definitions, they
/// keep calls of builtins of the same name from being inlined as primitive operations.
///
/// Lowering recurses over the datums (and over macro expansions, up to
/// [`MAX_MACRO_DEPTH`] levels), so it runs on a helper thread with a large stack.
pub fn lower_scheme_program(
    datums: &[Datum],
    file_span: Span,
    jue: bool,
    known_globals: &[String],
) -> Result<Module, Vec<Diagnostic>> {
    lower_on_big_stack(datums, file_span, jue, known_globals, false)
}

/// Lower (some of) the Scheme library written in Scheme, the prelude, as
/// [`lower_scheme_program`] lowers a program, with two differences: its `guard` is the
/// primitive catch-everything the runtime support is built on (no `%guard-body`, no
/// `%escape?`), and its definitions *are* the builtins, so they do not stop calls of builtins
/// from being inlined.
pub fn lower_scheme_library(datums: &[Datum], file_span: Span) -> Result<Module, Vec<Diagnostic>> {
    lower_on_big_stack(datums, file_span, false, &[], true)
}

fn lower_on_big_stack(
    datums: &[Datum],
    file_span: Span,
    jue: bool,
    known_globals: &[String],
    library: bool,
) -> Result<Module, Vec<Diagnostic>> {
    let run = || expand::lower_program(datums, file_span, jue, known_globals, library);
    let spawned = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("scheme-expand".into())
            .stack_size(512 << 20)
            .spawn_scoped(s, run)
            .ok()
            .map(|h| h.join())
    });
    match spawned {
        Some(Ok(result)) => result,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => expand::lower_program(datums, file_span, jue, known_globals, library),
    }
}
