//! The entry points of the coverage-guided fuzz targets (`fuzz/`, cargo-fuzz on nightly),
//! here so that the replay test (`tests/fuzz_replay.rs`, stable `cargo test`) runs every
//! saved input through exactly the code the fuzzer ran. Not part of the embedding API.
//!
//! Each entry takes the fuzzer's bytes, returns normally for any input the engine handled
//! (errors included: a syntax error, a runtime error or a limit error is an answer), and
//! panics only for a bug: the engine panicked, or (`jit_vs_interp`) the two tiers disagreed.
//! Aborts, stack overflows, hangs and running out of memory are bugs the fuzzer sees
//! without help.
//!
//! Every entry runs its input on a thread of its own with a [`HOST_STACK`] stack, the stack
//! of a host's main thread, so that an input behaves the same under the fuzzer and under
//! the test harness (whose threads have 2 MiB).
//!
//! Inputs that run pick their dialect with their first byte (see [`Selector`]); programs
//! are named as files of a directory that does not exist, so relative imports find nothing.

use crate::{Caps, Dialect, Engine, Error, JitMode};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// The stack each entry runs its input on: a host's main thread's (8 MiB on Linux).
pub const HOST_STACK: usize = 8 << 20;

/// The fuel of a run: calls and loop iterations.
pub const FUEL: u64 = 20_000;
/// The memory limit of a run, in bytes.
pub const MEMORY: usize = 4 << 20;
/// The depth limit of a run: nested calls.
pub const DEPTH: usize = 200;
/// The most output a differential run keeps for comparing; beyond it, a hash and a count.
const OUTPUT_KEPT: usize = 1 << 16;

/// Where the programs are said to live: a directory that does not exist.
const DIR: &str = "/nonexistent-tandem-fuzz";

/// What the first byte of a `run_limited` or `jit_vs_interp` input selects: the dialect
/// (`r`, `s`, `j`; any other byte by its value modulo 3) and whether the program may
/// print (a lowercase letter, or bit 5 set: output goes to a sink or is captured; an
/// uppercase letter, or bit 5 clear: even stdout is denied). The rest is the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selector {
    pub dialect: Dialect,
    pub stdout: bool,
}

impl Selector {
    pub fn of(byte: u8) -> Selector {
        let dialect = match byte.to_ascii_lowercase() {
            b'r' => Dialect::Ruff,
            b's' => Dialect::Scheme,
            b'j' => Dialect::Jue,
            b => [Dialect::Ruff, Dialect::Scheme, Dialect::Jue][(b % 3) as usize],
        };
        Selector {
            dialect,
            stdout: byte & 0x20 != 0,
        }
    }

    /// The file name the program is compiled as.
    fn file(self) -> String {
        let ext = match self.dialect {
            Dialect::Ruff => "ruff",
            Dialect::Scheme => "scm",
            Dialect::Jue => "jue",
        };
        format!("{DIR}/input.{ext}")
    }
}

/// Split an input into its selector and its program text (invalid UTF-8 replaced).
fn split(data: &[u8]) -> Option<(Selector, String)> {
    let (&first, rest) = data.split_first()?;
    Some((
        Selector::of(first),
        String::from_utf8_lossy(rest).into_owned(),
    ))
}

/// Run `f` on a fresh thread with a [`HOST_STACK`] stack; a panic there is re-raised here.
fn on_host_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("fuzz-input".into())
            .stack_size(HOST_STACK)
            .spawn_scoped(s, f)
            .expect("cannot start the input's thread");
        match handle.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// An engine for untrusted input: no capability (stdout too, when `stdout` is false),
/// output to `out`.
fn sandboxed(out: Box<dyn Write>, stdout: bool) -> Engine {
    let mut engine = Engine::with_output(out);
    engine.set_caps(if stdout { Caps::STDOUT } else { Caps::NONE });
    engine
}

/// `ruff_frontend`: a Ruff source text through the lexer, parser, lowering, resolver and
/// bytecode compiler, and the disassembler; nothing runs.
pub fn ruff_frontend(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    on_host_stack(move || {
        let mut engine = sandboxed(Box::new(std::io::sink()), false);
        let name = format!("{DIR}/input.ruff");
        if let Ok(proto) = engine.compile_source(&name, &text, Dialect::Ruff) {
            let listing = engine.disassemble(&proto);
            assert!(
                !listing.is_empty(),
                "a compiled program disassembles to nothing"
            );
        }
    })
}

/// `scheme_frontend`: a Scheme text through the reader, the expander and lowering, the
/// resolver and the bytecode compiler, and the disassembler; nothing of the program runs
/// (its imports would: none resolve). The first byte selects Jue mode when [`Selector`]
/// says Jue (`j`, or a byte 2 modulo 3), Scheme otherwise; the rest is the text.
pub fn scheme_frontend(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (dialect, ext) = match Selector::of(first).dialect {
        Dialect::Jue => (Dialect::Jue, "jue"),
        _ => (Dialect::Scheme, "scm"),
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    on_host_stack(move || {
        let mut engine = sandboxed(Box::new(std::io::sink()), false);
        let name = format!("{DIR}/input.{ext}");
        if let Ok(proto) = engine.compile_source(&name, &text, dialect) {
            let listing = engine.disassemble(&proto);
            assert!(
                !listing.is_empty(),
                "a compiled program disassembles to nothing"
            );
        }
    })
}

/// `run_limited`: compile and run a program under [`FUEL`], [`MEMORY`] and [`DEPTH`]
/// limits with every capability denied (stdout too, unless the selector allows it, into
/// a sink), in the default JIT mode. Any error is an answer. The engine must stay usable
/// after it: a small program runs afterwards and must print what it should.
pub fn run_limited(data: &[u8]) {
    let Some((sel, text)) = split(data) else {
        return;
    };
    on_host_stack(move || {
        let out = Capture::default();
        let mut engine = sandboxed(Box::new(out.clone()), sel.stdout);
        engine.set_fuel(Some(FUEL));
        engine.set_memory_limit(Some(MEMORY));
        engine.set_max_depth(DEPTH);
        let _ = engine.run_source_as(&sel.file(), &text, sel.dialect);
        // Still usable: a fresh program runs and prints. (Without the memory limit: what
        // the input keeps in its globals may leave too little room under it.)
        engine.set_caps(Caps::STDOUT);
        engine.set_memory_limit(None);
        out.clear();
        let after = match sel.dialect {
            Dialect::Ruff => {
                engine.run_source_as(&format!("{DIR}/after.ruff"), "print(6 * 7)", Dialect::Ruff)
            }
            _ => engine.run_source_as(
                &format!("{DIR}/after.scm"),
                "(display (* 6 7))",
                Dialect::Scheme,
            ),
        };
        if let Err(e) = after {
            panic!(
                "the engine is unusable after the input: {}",
                engine.render_error(&e)
            );
        }
        let (printed, _, _) = out.summary();
        assert_eq!(
            String::from_utf8_lossy(&printed).trim_end(),
            "42",
            "after the input, a program printing 42 printed something else"
        );
    })
}

/// `jit_vs_interp`: the same program run twice, by the interpreter alone (`JitMode::Off`)
/// and with everything compiled first (`JitMode::Always`), each in a fresh engine with the
/// limits of [`run_limited`] and only stdout granted (captured). Fuel is counted slightly
/// differently by the two tiers (a call from the interpreter into compiled code is counted
/// by both: see `crates/vm/src/limits.rs`), and memory is counted at collections whose
/// timing differs, so a run that a limit stopped in either mode is not compared. Otherwise
/// both must print the same and end the same way (the same value, or the same error at the
/// same place), and the JIT must not have failed to compile any function.
pub fn jit_vs_interp(data: &[u8]) {
    jit_vs_interp_compared(data);
}

/// [`jit_vs_interp`], saying whether the two runs were compared (no limit stopped either;
/// an input too short to hold a program counts as not compared).
pub fn jit_vs_interp_compared(data: &[u8]) -> bool {
    let Some((sel, text)) = split(data) else {
        return false;
    };
    on_host_stack(move || {
        let off = run_in_mode(sel, &text, JitMode::Off);
        let always = run_in_mode(sel, &text, JitMode::Always);
        if off.limited || always.limited {
            return false;
        }
        assert_eq!(
            off.output, always.output,
            "the interpreter and the JIT printed differently"
        );
        assert_eq!(
            off.outcome, always.outcome,
            "the interpreter and the JIT ended differently"
        );
        assert_eq!(
            always.jit_failures, 0,
            "the JIT failed to compile a function: {}",
            always.jit_stats
        );
        true
    })
}

/// How one differential run went.
struct Run {
    /// What it printed (see [`Capture::summary`]).
    output: (Vec<u8>, u64, usize),
    /// The value it returned (displayed) or its error (rendered).
    outcome: Result<String, String>,
    /// A limit (fuel, memory) stopped it.
    limited: bool,
    jit_failures: u64,
    jit_stats: String,
}

fn run_in_mode(sel: Selector, text: &str, mode: JitMode) -> Run {
    let out = Capture::default();
    let mut engine = sandboxed(Box::new(out.clone()), true);
    engine.set_fuel(Some(FUEL));
    engine.set_memory_limit(Some(MEMORY));
    engine.set_max_depth(DEPTH);
    engine.set_jit_mode(mode);
    let r = engine.run_source_as(&sel.file(), text, sel.dialect);
    engine.flush();
    let limited = matches!(r, Err(Error::Limit(_)));
    let outcome = match r {
        Ok(v) => Ok(engine.display(v)),
        Err(e) => Err(engine.render_error(&e)),
    };
    let jit_stats = engine.jit_stats();
    Run {
        output: out.summary(),
        outcome,
        limited,
        jit_failures: failures_in(&jit_stats),
        jit_stats,
    }
}

/// `N` of the `N failures` in a JIT stats line (0 without one).
fn failures_in(stats: &str) -> u64 {
    stats
        .split(", ")
        .find_map(|part| part.strip_suffix(" failures"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// A writer that keeps the first [`OUTPUT_KEPT`] bytes written to it, and a hash and a
/// count of everything, so that a program printing in a loop cannot exhaust the memory.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<CaptureState>>);

#[derive(Default)]
struct CaptureState {
    kept: Vec<u8>,
    /// FNV-1a over every byte written.
    hash: u64,
    total: usize,
}

impl Capture {
    /// Forget everything written so far.
    fn clear(&self) {
        *self.0.borrow_mut() = CaptureState::default();
    }

    fn summary(&self) -> (Vec<u8>, u64, usize) {
        let s = self.0.borrow();
        (s.kept.clone(), s.hash, s.total)
    }
}

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let mut s = self.0.borrow_mut();
        if s.total == 0 {
            s.hash = 0xcbf2_9ce4_8422_2325;
        }
        for &byte in b {
            s.hash = (s.hash ^ byte as u64).wrapping_mul(0x100_0000_01b3);
        }
        s.total += b.len();
        let room = OUTPUT_KEPT.saturating_sub(s.kept.len());
        s.kept.extend_from_slice(&b[..b.len().min(room)]);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_bytes() {
        let r = Selector::of(b'r');
        assert_eq!((r.dialect, r.stdout), (Dialect::Ruff, true));
        let s = Selector::of(b'S');
        assert_eq!((s.dialect, s.stdout), (Dialect::Scheme, false));
        assert_eq!(Selector::of(b'j').dialect, Dialect::Jue);
        assert_eq!(Selector::of(0).dialect, Dialect::Ruff);
        assert_eq!(Selector::of(4).dialect, Dialect::Scheme);
    }

    #[test]
    fn failures_are_read_from_the_stats_line() {
        let line = "jit: 3 functions compiled, 0 loops compiled (0 OSR entries), 0 deopts, \
                    0 recompiles, 2 failures, compile time 1.0 ms";
        assert_eq!(failures_in(line), 2);
        assert_eq!(failures_in("jit: not installed"), 0);
    }

    #[test]
    fn capture_keeps_a_prefix_and_counts_the_rest() {
        let mut c = Capture::default();
        c.write_all(&vec![b'x'; OUTPUT_KEPT + 10]).unwrap();
        let (kept, _, total) = c.summary();
        assert_eq!(kept.len(), OUTPUT_KEPT);
        assert_eq!(total, OUTPUT_KEPT + 10);
        let mut d = Capture::default();
        d.write_all(&vec![b'x'; OUTPUT_KEPT + 10]).unwrap();
        let mut e = Capture::default();
        e.write_all(&vec![b'x'; OUTPUT_KEPT + 9]).unwrap();
        e.write_all(b"y").unwrap();
        // Same prefix and length, different tail: the hashes tell them apart.
        assert_ne!(d.summary(), e.summary());
    }

    #[test]
    fn a_mismatch_is_a_panic() {
        // Not a real mismatch (none is known): two runs of programs that print differently
        // must compare unequal through the same summary the entry compares.
        let a = run_in_mode(Selector::of(b'r'), "print(1)", JitMode::Off);
        let b = run_in_mode(Selector::of(b'r'), "print(2)", JitMode::Off);
        assert!(!a.limited && !b.limited);
        assert_ne!(a.output, b.output);
    }
}
