//! Replays the fuzz targets' saved inputs on the stable toolchain: the minimized corpora
//! (`fuzz/corpus/<target>/`) and the inputs that once crashed, hung or exhausted memory
//! (`fuzz/regressions/<target>/`), through the same entry points the fuzzer runs
//! (`tandem::fuzz_entry`). An entry panics on a bug (an engine panic, the engine unusable
//! after the input, the JIT disagreeing with the interpreter), and a crash or a stack
//! overflow ends the test process; either fails the test. `fuzz/README.md` says how the
//! corpora were made and what each regression was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, in name order (none when it does not exist).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading a fuzz directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Run every saved input of `target` through `entry`; a panic names the input. Asserts that
/// there was a corpus to replay, so that the test cannot pass by finding nothing. Returns
/// how many inputs `entry` counted (it returns whether the input counts).
fn replay(target: &str, entry: impl Fn(&[u8]) -> bool + std::panic::RefUnwindSafe) -> usize {
    let corpus = inputs("corpus", target);
    let regressions = inputs("regressions", target);
    assert!(
        corpus.len() >= 50,
        "fuzz/corpus/{target} has only {} inputs",
        corpus.len()
    );
    let started = Instant::now();
    let mut counted = 0;
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let one = Instant::now();
        match std::panic::catch_unwind(|| entry(&data)) {
            Ok(counts) => counted += counts as usize,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panic!("{target}: {} panicked: {why}", path.display());
            }
        }
        // A hang the fuzzer would report (at -timeout=10) must not come back either; the
        // bound is loose for a debug build on a busy machine.
        assert!(
            one.elapsed() < Duration::from_secs(20),
            "{target}: {} took {:?}",
            path.display(),
            one.elapsed()
        );
    }
    eprintln!(
        "{target}: {} corpus inputs and {} regressions replayed in {:?}",
        corpus.len(),
        regressions.len(),
        started.elapsed()
    );
    counted
}

/// An entry that says nothing of its inputs, as one whose every input counts.
fn each(entry: fn(&[u8])) -> impl Fn(&[u8]) -> bool + std::panic::RefUnwindSafe {
    move |data| {
        entry(data);
        true
    }
}

#[test]
fn ruff_frontend_corpus_and_regressions() {
    replay("ruff_frontend", each(tandem::fuzz_entry::ruff_frontend));
}

#[test]
fn scheme_frontend_corpus_and_regressions() {
    replay("scheme_frontend", each(tandem::fuzz_entry::scheme_frontend));
}

#[test]
fn run_limited_corpus_and_regressions() {
    replay("run_limited", each(tandem::fuzz_entry::run_limited));
}

/// Most of the corpus must really be compared (not stopped by a limit in either mode), or
/// the differential would test little.
#[test]
fn jit_vs_interp_corpus_and_regressions() {
    let total =
        inputs("corpus", "jit_vs_interp").len() + inputs("regressions", "jit_vs_interp").len();
    let compared = replay("jit_vs_interp", tandem::fuzz_entry::jit_vs_interp_compared);
    eprintln!("jit_vs_interp: {compared} of {total} inputs compared");
    assert!(
        compared * 2 > total,
        "only {compared} of {total} inputs were compared (the rest hit a limit)"
    );
}
