//! Checks of the checker itself: the judge reports every kind of difference, and a
//! simulated JIT bug is found, shrunk, reported and saved.

use crate::campaign::Campaign;
use crate::common::temp_dir;
use crate::generator_checks::hot_probe;
use crate::print::Lang;
use crate::run::{judge, run_mode, Outcome, INTERNAL_ERROR, MODES};
use std::path::Path;
use std::time::{Duration, Instant};

/// The checker reports every kind of difference and every bad exit, and nothing else.
pub fn judge_flags_differences() {
    let ok = Outcome {
        code: Some(0),
        stdout: "1\n2\n".into(),
        stderr: String::new(),
        timed_out: false,
    };
    assert_eq!(judge(&ok, &ok.clone()), None);
    let err = Outcome {
        code: Some(4),
        stdout: "1\n".into(),
        stderr: "error: Integer overflow\n".into(),
        timed_out: false,
    };
    assert_eq!(judge(&err, &err.clone()), None);
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
        let why = judge(&ok, v).unwrap_or_else(|| panic!("no difference found for {v:?}"));
        assert!(
            why.contains("--jit=off") && why.contains("--jit=always"),
            "{why}"
        );
    }
    // Agreeing on a crash or an internal error is still a failure.
    let internal = Outcome {
        code: Some(INTERNAL_ERROR),
        ..ok.clone()
    };
    assert!(judge(&internal, &internal.clone()).is_some());
    let stdout_diff = judge(&ok, &variants[0]).unwrap();
    assert!(
        stdout_diff.starts_with("stdout differs from byte 2"),
        "{stdout_diff}"
    );
}

/// A stand-in for a JIT bug, to test the harness: `--jit=always` "prints" what `--jit=off`
/// does, except that hot loops' probe lines come out wrong.
fn fake_hot_loop_bug(src: &str, file: &Path) -> (Option<String>, Outcome, Duration) {
    std::fs::write(file, src).expect("write program");
    let (off, time) = run_mode(file, MODES[0]);
    let mut jit = off.clone();
    jit.stdout = off
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
    (judge(&off, &jit), off, time)
}

/// A difference is found, shrunk to a small program that still shows it, reported with
/// both outputs, and saved.
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
            "stdout differs",
            "===== --jit=off",
            "===== --jit=always",
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
            fake_hot_loop_bug(&src, &file).0.is_some(),
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
