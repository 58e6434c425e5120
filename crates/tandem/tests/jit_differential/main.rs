//! Differential testing of the JIT against the interpreter.
//!
//! Proptest strategies generate random, well-formed programs in both dialects (an abstract
//! syntax tree, [`ast::Program`], printed as Ruff or Scheme source by [`print`]). Each program
//! runs through the real `tandem` binary in three modes ([`run::MODES`]): `--jit=off` (the
//! interpreter alone), `--jit=always` (every function compiled before its first call), and
//! the default, with no `--jit` flag, which is `--jit=auto`: it compiles a function after 500
//! calls and a loop after 1000 back edges, entering the loop in the middle of its running
//! function by on-stack replacement, and deoptimizes and recompiles when what it speculated
//! on stops holding, paths that `--jit=always` never takes. The three runs must agree exactly
//! on stdout, stderr and exit status, and the report names the mode that differs. No run may
//! end in an internal error (exit 70), a signal or a time-out. On a failure proptest shrinks
//! the program, then [`reduce`] removes whatever else the failure does not need; the report
//! shows the reduced source and the three outputs, and the program and report are also
//! written to `target/tmp/jit-diff-failures/`.
//!
//! The programs aim at what a JIT gets wrong: checked integer arithmetic near the i64
//! limits, float corner cases (-0.0, NaN, infinities, denormals, 0.1-style constants, huge
//! ints compared with floats), mixed int/float arithmetic, hot loops of thousands of
//! iterations in every loop form of each dialect (with `break`/`continue`, or escapes
//! through `call/cc` in Scheme), past the default mode's loop threshold, a driver loop
//! calling every function of the program thousands of times, past its call threshold,
//! bounded recursion, deep self and mutual tail calls, closures that capture and mutate
//! variables (also called after the loop or function that made them has finished),
//! functions that assign globals, arrays/vectors (index, set, push, length, out-of-bounds
//! errors), strings, variables whose type changes midway through a loop, and runtime errors
//! thrown from deep inside loops and calls, both caught (`try`/`except`, `guard`) and
//! uncaught. Every value computed shows in the output: loops print probes, a checksum
//! accumulates integers, and the program ends by printing every global.
//!
//! The generator keeps programs valid by construction: every name is resolved by the
//! printer from what is in scope (an out-of-range reference picks another variable of the
//! same type, a call with no fitting callee becomes a literal), loop bounds and recursion
//! depths are clamped by an estimated cost budget so each program runs in milliseconds, and
//! constructs that make no sense where they land (`break` outside a loop, `return` outside a
//! function) are dropped. So a shrunk program is still a valid program. Self-checks test the
//! generator (programs compile, run quickly, reach hot loops, catch errors, take the default
//! mode past its thresholds, cover each feature), the judge, and the failure path (a
//! simulated JIT bug is found, shrunk and saved).
//!
//! Environment:
//! - `TANDEM_DIFF_CASES`: cases per dialect (default 1000).
//! - `TANDEM_DIFF_SEED`: the base seed (default: random, printed). Case `i` of a dialect is
//!   generated from (seed, dialect, i) alone, so any case reproduces on its own.
//! - `TANDEM_DIFF_FIRST`: the first case index (default 0), to split a long run into ranges
//!   or rerun one case: `TANDEM_DIFF_SEED=S TANDEM_DIFF_FIRST=I TANDEM_DIFF_CASES=1`.
//! - `TANDEM_DIFF_THREADS`: worker threads per dialect (default: the number of cores).
//! - `TANDEM_DIFF_KEEP`: a directory; every generated program is also written there.
//!
//! A long run, e.g. 100,000 cases of each dialect from a recorded seed (with `--nocapture`
//! each dialect ends with a line of statistics: time per case, exit codes, syntax errors, and
//! how many default-mode runs compiled a function, compiled a loop, entered one by OSR,
//! deoptimized and recompiled, from `--jit-stats`):
//! `TANDEM_DIFF_SEED=0x1234 TANDEM_DIFF_CASES=100000 cargo test --release -p tandem --test
//! jit_differential jit_matches -- --nocapture`.
//!
//! The modules: [`ast`] (the tree), [`strategy`] (generating it), [`print`] (printing it as
//! source), [`run`] (running the binary and judging the runs), [`campaign`] (cases on worker
//! threads; failures shrunk, reported and saved), [`reduce`] (the structural reducer), and
//! [`generator_checks`]; [`run`] and [`campaign`] end with the checks of the judge and of the
//! failure path. This file reads the environment and lists every test.

#[path = "../common/mod.rs"]
mod common;

mod ast;
mod campaign;
mod generator_checks;
mod print;
mod reduce;
mod run;
mod strategy;

use campaign::{splitmix, Campaign};
use print::Lang;
use run::{check_program, MODES};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

fn differential(lang: Lang) {
    let cases = env_u64("TANDEM_DIFF_CASES").unwrap_or(1000);
    let first = env_u64("TANDEM_DIFF_FIRST").unwrap_or(0);
    let seed = env_u64("TANDEM_DIFF_SEED").unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        splitmix(t ^ u64::from(std::process::id()))
    });
    let threads = env_u64("TANDEM_DIFF_THREADS").unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(2)
    });
    let keep = std::env::var_os("TANDEM_DIFF_KEEP").map(PathBuf::from);
    if let Some(k) = &keep {
        std::fs::create_dir_all(k).expect("TANDEM_DIFF_KEEP directory");
    }
    let reproduce =
        format!("TANDEM_DIFF_SEED={seed:#x} TANDEM_DIFF_FIRST={first} TANDEM_DIFF_CASES={cases}");
    eprintln!("jit_differential {}: {reproduce}", lang.name());
    let campaign = Campaign {
        lang,
        seed,
        first,
        cases,
        threads,
        keep,
        check: check_program,
        failures_dir: "jit-diff-failures",
        stop_at_first: false,
        shrink_iters: 1000,
        reduce_time: Duration::from_secs(120),
    };
    let start = Instant::now();
    let st = campaign.run();
    let wall = start.elapsed();
    let n = st.cases.max(1);
    eprintln!(
        "jit_differential {}: {} cases in {:.1} s ({threads} threads, {:.1} ms/case wall, {:.1} ms per case's {} runs, slowest {:.0} ms); \
         exits: {} clean, {} runtime error, {} syntax error ({:.2}%), {} other; {}; {} failure(s)",
        lang.name(),
        st.cases,
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0 / n as f64,
        st.run_time.as_secs_f64() * 1000.0 / n as f64,
        MODES.len(),
        st.slowest.as_secs_f64() * 1000.0,
        st.clean,
        st.runtime_errors,
        st.syntax_errors,
        st.syntax_errors as f64 * 100.0 / n as f64,
        st.other_exits,
        st.jit,
        st.failures.len(),
    );
    if !st.failures.is_empty() {
        let reports: Vec<&str> = st.failures.iter().map(|(r, _)| r.as_str()).collect();
        panic!(
            "{} of {} {} cases failed ({reproduce}):\n\n{}",
            st.failures.len(),
            st.cases,
            lang.name(),
            reports.join("\n\n====================================================\n\n")
        );
    }
}

#[test]
fn ruff_jit_matches_interpreter() {
    differential(Lang::Ruff);
}

#[test]
fn scheme_jit_matches_interpreter() {
    differential(Lang::Scheme);
}

// ----- checks of the generator and the checker themselves -----

#[test]
fn ruff_generator_programs_are_valid() {
    generator_checks::programs_are_valid(Lang::Ruff);
}

#[test]
fn scheme_generator_programs_are_valid() {
    generator_checks::programs_are_valid(Lang::Scheme);
}

#[test]
#[cfg_attr(
    not(feature = "jit"),
    ignore = "without the JIT nothing reaches its thresholds"
)]
fn ruff_generator_reaches_jit_thresholds() {
    generator_checks::reaches_jit_thresholds(Lang::Ruff);
}

#[test]
#[cfg_attr(
    not(feature = "jit"),
    ignore = "without the JIT nothing reaches its thresholds"
)]
fn scheme_generator_reaches_jit_thresholds() {
    generator_checks::reaches_jit_thresholds(Lang::Scheme);
}

#[test]
fn ruff_generator_covers_features() {
    generator_checks::covers_features(Lang::Ruff);
}

#[test]
fn scheme_generator_covers_features() {
    generator_checks::covers_features(Lang::Scheme);
}

/// Shrinking keeps programs valid: every step proptest may take still compiles.
#[test]
fn shrunk_programs_stay_valid() {
    generator_checks::shrunk_programs_stay_valid();
}

/// The checker reports every kind of difference and every bad exit, and nothing else.
#[test]
fn judge_flags_differences() {
    run::judge_flags_differences();
}

/// A difference is found, shrunk to a small program that still shows it, reported with
/// every mode's output, and saved.
#[test]
fn failures_are_shrunk_reported_and_saved() {
    campaign::failures_are_shrunk_reported_and_saved();
}
