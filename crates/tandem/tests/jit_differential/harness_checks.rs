//! Checks of the checker itself: the judge reports every kind of difference, and a
//! simulated JIT bug is found, shrunk, reported and saved.

use crate::campaign::Campaign;
use crate::common::temp_dir;
use crate::generator_checks::hot_probe;
use crate::print::Lang;
use crate::run::{
    judge, run_mode, Checked, JitStats, Outcome, ALWAYS, DEFAULT, INTERNAL_ERROR, MODES, OFF,
};
use std::path::Path;
use std::time::{Duration, Instant};

/// The checker reports every kind of difference, in either JIT mode, and every bad exit,
/// and nothing else.
pub fn judge_flags_differences() {
    let ok = Outcome {
        code: Some(0),
        stdout: "1\n2\n".into(),
        ..Outcome::default()
    };
    let all = |o: &Outcome| [o.clone(), o.clone(), o.clone()];
    assert_eq!(judge(&all(&ok)), None);
    let err = Outcome {
        code: Some(4),
        stdout: "1\n".into(),
        stderr: "error: Integer overflow\n".into(),
        ..Outcome::default()
    };
    assert_eq!(judge(&all(&err)), None);
    // The JIT's statistics are not compared.
    let with_stats = Outcome {
        jit_stats: Some("jit: 1 functions compiled".into()),
        ..ok.clone()
    };
    assert_eq!(judge(&[ok.clone(), ok.clone(), with_stats]), None);
    let variants = [
        Outcome {
            stdout: "1\n3\n".into(),
            ..ok.clone()
        },
        Outcome {
            stderr: "warning\n".into(),
            ..ok.clone()
        },
        Outcome {
            code: Some(4),
            ..ok.clone()
        },
        Outcome {
            code: None,
            ..ok.clone()
        },
        Outcome {
            code: None,
            timed_out: true,
            ..ok.clone()
        },
    ];
    for v in &variants {
        // The mode that differs is named, and every mode's output is shown.
        for (bad, good) in [(ALWAYS, DEFAULT), (DEFAULT, ALWAYS)] {
            let mut runs = all(&ok);
            runs[if bad == ALWAYS { 1 } else { 2 }] = v.clone();
            let why = judge(&runs).unwrap_or_else(|| panic!("no difference found for {v:?}"));
            assert!(
                why.contains(&format!("{} differs from {}", bad.name, OFF.name))
                    && !why.contains(&format!("{} differs", good.name)),
                "{why}"
            );
            for mode in MODES {
                assert!(why.contains(&format!("===== {} =====", mode.name)), "{why}");
            }
        }
        let why = judge(&[ok.clone(), v.clone(), v.clone()]).unwrap();
        assert!(why.contains("agree with each other"), "{why}");
    }
    // Agreeing on a crash or an internal error is still a failure.
    let internal = Outcome {
        code: Some(INTERNAL_ERROR),
        ..ok.clone()
    };
    assert!(judge(&all(&internal)).is_some());
    let stdout_diff = judge(&[ok.clone(), ok.clone(), variants[0].clone()]).unwrap();
    assert!(
        stdout_diff.starts_with("default (--jit=auto) differs from --jit=off: stdout from byte 2"),
        "{stdout_diff}"
    );
    let line = "jit: 2 functions compiled, 1 loops compiled (6 OSR entries), 4 deopts \
                (slow path: 3, operand type: 1), 1 recompiles, 0 failures, compile time 7.1 ms";
    assert_eq!(
        JitStats::parse(line),
        Some(JitStats {
            functions: 2,
            loops: 1,
            osr_entries: 6,
            deopts: 4,
            recompiles: 1,
            failures: 0,
        })
    );
    assert_eq!(JitStats::parse("jit: not installed"), None);
}

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
