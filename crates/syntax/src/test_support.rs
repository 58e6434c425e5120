//! Helpers the front ends' unit tests share (the Ruff parser's and the Scheme reader's).

use crate::diagnostic::Diagnostic;
use crate::span::SourceMap;

/// `diags` rendered against a source map holding only `src` (as `FileId(0)`), named `name`.
pub(crate) fn render(name: &str, src: &str, diags: &[Diagnostic]) -> String {
    let mut sm = SourceMap::new();
    sm.add(name, src);
    diags.iter().map(|d| d.render(&sm)).collect()
}

/// Run `f` on a thread with a 1 MiB stack (half the default for threads): a stack overflow,
/// or any other panic, there fails the test.
pub(crate) fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow");
}

/// Call `f` on every concatenation `a + b` of two of `pieces` (each with itself as well).
pub(crate) fn each_pair(pieces: &[&str], mut f: impl FnMut(&str)) {
    for a in pieces {
        for b in pieces {
            f(&format!("{a}{b}"));
        }
    }
}
