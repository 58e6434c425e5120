//! What the JIT did, for `tandem run --jit-stats`.

use crate::deopt::Reason;
use std::cell::Cell;
use std::fmt;

/// Counters, shared by the JIT and the deoptimization sites of the code it made.
#[derive(Default)]
pub struct Stats {
    /// Function bodies compiled (entered by calls).
    pub functions: Cell<u64>,
    /// Loop bodies compiled (entered by on-stack replacement).
    pub loops: Cell<u64>,
    /// Times a running loop was entered through a compiled loop body.
    pub osr_entries: Cell<u64>,
    /// Exits to the interpreter, by reason.
    pub deopts: [Cell<u64>; Reason::ALL.len()],
    /// Compiled code thrown away because a speculation kept failing.
    pub recompiles: Cell<u64>,
    /// Functions that could not be compiled (a bug in the JIT: they run interpreted).
    pub failures: Cell<u64>,
    /// Time spent compiling, in nanoseconds.
    pub compile_ns: Cell<u64>,
}

impl Stats {
    pub fn note_deopt(&self, r: Reason) {
        let c = &self.deopts[r.index()];
        c.set(c.get() + 1);
    }

    pub fn add(c: &Cell<u64>, n: u64) {
        c.set(c.get() + n);
    }

    /// All exits to the interpreter.
    pub fn deopt_total(&self) -> u64 {
        self.deopts.iter().map(Cell::get).sum()
    }
}

impl fmt::Display for Stats {
    /// One line: `jit: N functions compiled, M loops compiled (K OSR entries), D deopts
    /// (reason: n, ...), R recompiles, F failures, compile time T ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "jit: {} functions compiled, {} loops compiled ({} OSR entries), {} deopts",
            self.functions.get(),
            self.loops.get(),
            self.osr_entries.get(),
            self.deopt_total()
        )?;
        let reasons: Vec<String> = Reason::ALL
            .iter()
            .filter(|r| self.deopts[r.index()].get() > 0)
            .map(|r| format!("{}: {}", r.name(), self.deopts[r.index()].get()))
            .collect();
        if !reasons.is_empty() {
            write!(f, " ({})", reasons.join(", "))?;
        }
        write!(
            f,
            ", {} recompiles, {} failures, compile time {:.1} ms",
            self.recompiles.get(),
            self.failures.get(),
            self.compile_ns.get() as f64 / 1e6
        )
    }
}
