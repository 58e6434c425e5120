//! A campaign: cases `first..first + cases` of one dialect, each generated from (seed,
//! dialect, index) alone, run on worker threads; a failing case is shrunk by proptest,
//! reduced further, reported and saved. At the end, the check that this failure path works,
//! on a simulated JIT bug.

use crate::ast::Program;
use crate::common::temp_dir;
use crate::generator_checks::hot_probe;
use crate::print::{source, Lang};
use crate::reduce::reduce;
use crate::run::{judge, run_mode, Checked, JitReach, OFF, SYNTAX_ERROR};
use crate::strategy::program;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random generator of case `index` of `lang` under `seed`.
pub fn case_rng(seed: u64, lang: Lang, index: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    let mut z = seed
        ^ splitmix(index)
        ^ if lang == Lang::Ruff {
            0
        } else {
            0x5EED_5C4E_3E00_0000
        };
    for chunk in bytes.chunks_mut(8) {
        z = splitmix(z);
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// One case per runner; on a failure, at most `shrink_iters` shrinking steps (a minute at
/// most).
pub fn runner_config(shrink_iters: u32) -> Config {
    Config {
        cases: 1,
        failure_persistence: None,
        max_shrink_iters: shrink_iters,
        max_shrink_time: 60_000,
        ..Config::default()
    }
}

#[derive(Default)]
pub struct Stats {
    pub cases: u64,
    pub syntax_errors: u64,
    pub runtime_errors: u64,
    pub clean: u64,
    pub other_exits: u64,
    /// What the JIT did in the default mode.
    pub jit: JitReach,
    /// The time a case's runs took, in all and at most.
    pub run_time: Duration,
    pub slowest: Duration,
    /// The report of each failing case, and the file its shrunk program was written to.
    pub failures: Vec<(String, PathBuf)>,
}

/// Runs the program given as source, written to the file given, in every mode, and judges
/// the runs ([`crate::run::check_program`], or a stand-in).
pub type Checker = fn(&str, &Path) -> Checked;

/// A run of cases `first..first + cases` of one dialect.
pub struct Campaign {
    pub lang: Lang,
    pub seed: u64,
    pub first: u64,
    pub cases: u64,
    pub threads: u64,
    /// Where to write every generated program, if anywhere.
    pub keep: Option<PathBuf>,
    pub check: Checker,
    /// Under the target directory's `tmp/`: where failing programs and reports go.
    pub failures_dir: &'static str,
    /// Stop starting cases after the first failure.
    pub stop_at_first: bool,
    /// Proptest's shrinking steps, then the time [`reduce`] may take.
    pub shrink_iters: u32,
    pub reduce_time: Duration,
}

impl Campaign {
    pub fn run(&self) -> Stats {
        let next = AtomicU64::new(0);
        let stats = Mutex::new(Stats::default());
        std::thread::scope(|scope| {
            for w in 0..self.threads.max(1) {
                let (next, stats) = (&next, &stats);
                scope.spawn(move || self.worker(w, next, stats));
            }
        });
        stats.into_inner().unwrap()
    }

    fn worker(&self, w: u64, next: &AtomicU64, stats: &Mutex<Stats>) {
        let lang = self.lang;
        let dir = temp_dir(&format!(
            "jit-diff-{}-{}-{w}",
            self.failures_dir,
            lang.name()
        ));
        let file = dir.join(format!("case.{}", lang.ext()));
        let strategy = program();
        loop {
            let n = next.fetch_add(1, Ordering::SeqCst);
            if n >= self.cases {
                break;
            }
            let index = self.first + n;
            let config = runner_config(self.shrink_iters);
            let mut runner = TestRunner::new_with_rng(config, case_rng(self.seed, lang, index));
            let first_run: RefCell<Option<Checked>> = RefCell::new(None);
            let result = runner.run(&strategy, |prog| {
                let src = source(&prog, lang);
                let is_first = first_run.borrow().is_none();
                if let (Some(k), true) = (&self.keep, is_first) {
                    let _ = std::fs::write(k.join(format!("{index}.{}", lang.ext())), &src);
                }
                let mut checked = (self.check)(&src, &file);
                let failure = checked.failure.take();
                if is_first {
                    *first_run.borrow_mut() = Some(checked);
                }
                match failure {
                    None => Ok(()),
                    Some(f) => Err(TestCaseError::fail(f)),
                }
            });
            let mut st = stats.lock().unwrap();
            st.cases += 1;
            if let Some(c) = first_run.into_inner() {
                st.run_time += c.time;
                st.slowest = st.slowest.max(c.time);
                if let Some(jit) = &c.jit {
                    st.jit.add(jit);
                }
                match c.off.code {
                    Some(0) => st.clean += 1,
                    Some(SYNTAX_ERROR) => st.syntax_errors += 1,
                    Some(4) => st.runtime_errors += 1,
                    _ => st.other_exits += 1,
                }
            }
            drop(st);
            let shrunk = match result {
                Ok(()) => continue,
                Err(TestError::Fail(_, prog)) => prog,
                Err(TestError::Abort(why)) => panic!("proptest aborted: {why}"),
            };
            if self.stop_at_first {
                next.store(self.cases, Ordering::SeqCst);
            }
            let failure = self.report(index, &shrunk, &file);
            stats.lock().unwrap().failures.push(failure);
        }
    }

    /// Reduce the shrunk program of case `index` further, run it once more, and write it and
    /// the report to the failures directory.
    fn report(&self, index: u64, shrunk: &Program, file: &Path) -> (String, PathBuf) {
        let lang = self.lang;
        let seed = self.seed;
        let fails = |p: &Program| (self.check)(&source(p, lang), file).failure.is_some();
        let reduced = reduce(shrunk.clone(), &fails, Instant::now() + self.reduce_time);
        let src = source(&reduced, lang);
        let why = (self.check)(&src, file).failure;
        let why = why.unwrap_or_else(|| "the reduced program no longer fails (flaky?)".into());
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(self.failures_dir);
        let _ = std::fs::create_dir_all(&dir);
        let stem = format!("{}-{seed:x}-{index}", lang.name());
        let path = dir.join(format!("{stem}.{}", lang.ext()));
        let report = format!(
            "{} case {index} (rerun alone: TANDEM_DIFF_SEED={seed:#x} TANDEM_DIFF_FIRST={index} TANDEM_DIFF_CASES=1): \
             {why}\n\n===== reduced program ({}) =====\n{src}",
            lang.name(),
            path.display()
        );
        let _ = std::fs::write(&path, &src);
        let _ = std::fs::write(dir.join(format!("{stem}.txt")), &report);
        (report, path)
    }
}

// ----- checks of the failure path -----

/// A stand-in for a JIT bug, to test the harness: every mode "prints" what `--jit=off`
/// does, except that in the default mode hot loops' probe lines come out wrong.
fn fake_hot_loop_bug(src: &str, file: &Path) -> Checked {
    std::fs::write(file, src).expect("write program");
    let (off, time) = run_mode(file, OFF);
    let mut auto = off.clone();
    auto.stdout = off
        .stdout
        .lines()
        .map(|l| {
            if hot_probe(l) {
                format!("{l} WRONG\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    Checked {
        failure: judge(&[off.clone(), off.clone(), auto]),
        off,
        jit: None,
        time,
    }
}

/// A difference is found, shrunk to a small program that still shows it, reported with
/// every mode's output, and saved.
pub fn failures_are_shrunk_reported_and_saved() {
    for lang in [Lang::Ruff, Lang::Scheme] {
        let started = Instant::now();
        let campaign = Campaign {
            lang,
            seed: 0xFA11,
            first: 0,
            cases: 40,
            threads: 1,
            keep: None,
            check: fake_hot_loop_bug,
            failures_dir: "jit-diff-selftest",
            stop_at_first: true,
            shrink_iters: 30,
            reduce_time: Duration::from_secs(8),
        };
        let stats = campaign.run();
        let (report, path) = stats
            .failures
            .first()
            .unwrap_or_else(|| panic!("{}: no case ran a hot loop", lang.name()));
        let src = std::fs::read_to_string(path).expect("the shrunk program is saved");
        assert!(
            report.contains(&src),
            "the report shows the program:\n{report}"
        );
        for part in [
            "default (--jit=auto) differs from --jit=off: stdout",
            "===== --jit=off",
            "===== --jit=always",
            "===== default (--jit=auto)",
            " WRONG",
        ] {
            assert!(
                report.contains(part),
                "the report lacks {part:?}:\n{report}"
            );
        }
        let file = temp_dir(&format!("jit-diff-selftest-{}", lang.name()))
            .join(format!("p.{}", lang.ext()));
        assert!(
            fake_hot_loop_bug(&src, &file).failure.is_some(),
            "the shrunk program no longer fails:\n{src}"
        );
        // Shrunk a good deal in the time it had (the fixed prelude and epilogue are 35 lines).
        let lines = src.lines().count();
        assert!(lines < 120, "{lines} lines left after shrinking:\n{src}");
        eprintln!(
            "{} shrunk to {lines} lines in {:?}:\n{src}",
            lang.name(),
            started.elapsed()
        );
    }
}
