//! Running a program through the real `tandem` binary in each mode (the interpreter alone,
//! the JIT compiling everything up front, and the default, which compiles what gets hot),
//! and judging whether the runs agree; and the checks of the judge.

use crate::common::command;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Generous: a program takes milliseconds, but the machine may be loaded.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The exit code of an internal error (a panic in tandem).
pub const INTERNAL_ERROR: i32 = 70;
/// The exit code of a syntax or compile error.
pub const SYNTAX_ERROR: i32 = 3;

/// A way of running programs: its name in reports, and its flags to `tandem run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    pub name: &'static str,
    flags: &'static [&'static str],
}

/// The interpreter alone: what the other modes must match.
pub const OFF: Mode = Mode {
    name: "--jit=off",
    flags: &["--jit=off"],
};
/// Every function compiled before its first call, top-level code included.
pub const ALWAYS: Mode = Mode {
    name: "--jit=always",
    flags: &["--jit=always"],
};
/// No `--jit` flag, so `--jit=auto`: a function is compiled after 500 calls and a loop after
/// 1000 back edges, entered in the middle of its running function by on-stack replacement;
/// failed speculation deoptimizes and recompiles. Only the default mode takes these paths.
/// `--jit-stats` makes it also say what the JIT did: that last line of stderr is taken off
/// before judging and kept in [`Outcome::jit_stats`].
pub const DEFAULT: Mode = Mode {
    name: "default (--jit=auto)",
    flags: &["--jit-stats"],
};
/// Every mode a program runs in, [`OFF`] first.
pub const MODES: [Mode; 3] = [OFF, ALWAYS, DEFAULT];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    /// The JIT's statistics line (`jit: N functions compiled, ...`), in [`DEFAULT`] mode.
    pub jit_stats: Option<String>,
}

/// What the JIT did in one run, from its statistics line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JitStats {
    /// Functions compiled (after 500 calls, in the default mode).
    pub functions: u64,
    /// Loops compiled (after 1000 back edges), and times one was entered by on-stack
    /// replacement.
    pub loops: u64,
    pub osr_entries: u64,
    pub deopts: u64,
    pub recompiles: u64,
    /// Functions the JIT could not compile (a JIT bug; they run interpreted).
    pub failures: u64,
}

impl JitStats {
    /// Parse `jit: 2 functions compiled, 1 loops compiled (6 OSR entries), 4 deopts (slow
    /// path: 4), 1 recompiles, 0 failures, compile time 7.1 ms`.
    pub fn parse(line: &str) -> Option<JitStats> {
        let rest = line.strip_prefix("jit: ")?;
        let words: Vec<&str> = rest
            .split([' ', ',', '(', ')'])
            .filter(|w| !w.is_empty())
            .collect();
        let mut st = JitStats::default();
        let mut seen = 0;
        for pair in words.windows(2) {
            let Ok(n) = pair[0].parse::<u64>() else {
                continue;
            };
            let field = match pair[1] {
                "functions" => &mut st.functions,
                "loops" => &mut st.loops,
                "OSR" => &mut st.osr_entries,
                "deopts" => &mut st.deopts,
                "recompiles" => &mut st.recompiles,
                "failures" => &mut st.failures,
                _ => continue,
            };
            *field = n;
            seen += 1;
        }
        (seen == 6).then_some(st)
    }
}

/// How many of a number of runs got the JIT to do each thing: the fractions of programs
/// that reach the default mode's thresholds.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitReach {
    /// Runs that reported statistics.
    pub runs: u64,
    pub functions: u64,
    pub loops: u64,
    pub osr: u64,
    pub deopts: u64,
    pub recompiles: u64,
    pub failures: u64,
}

impl JitReach {
    pub fn add(&mut self, st: &JitStats) {
        self.runs += 1;
        for (count, n) in [
            (&mut self.functions, st.functions),
            (&mut self.loops, st.loops),
            (&mut self.osr, st.osr_entries),
            (&mut self.deopts, st.deopts),
            (&mut self.recompiles, st.recompiles),
            (&mut self.failures, st.failures),
        ] {
            *count += u64::from(n > 0);
        }
    }

    /// `count` as a percentage of the runs.
    pub fn percent(&self, count: u64) -> f64 {
        count as f64 * 100.0 / self.runs.max(1) as f64
    }
}

impl std::fmt::Display for JitReach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "of {} default-mode runs, {:.1}% compiled a function (500 calls), {:.1}% a loop \
             (1000 back edges; {:.1}% entered one by OSR), {:.1}% deoptimized, {:.1}% recompiled, \
             {:.1}% failed to compile something",
            self.runs,
            self.percent(self.functions),
            self.percent(self.loops),
            self.percent(self.osr),
            self.percent(self.deopts),
            self.percent(self.recompiles),
            self.percent(self.failures),
        )
    }
}

/// `common::wait_timeout`, polling more often: runs take milliseconds, and a coarse poll
/// would leave the cores idle between them.
fn wait_quickly(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Run `file` in `mode`: what it did and how long it took.
pub fn run_mode(file: &Path, mode: Mode) -> (Outcome, Duration) {
    let start = Instant::now();
    let mut child = command(&["run"])
        .args(mode.flags)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tandem");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let status = wait_quickly(&mut child, TIMEOUT);
    let mut o = Outcome {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
        timed_out: status.is_none(),
        jit_stats: None,
    };
    if mode.flags.contains(&"--jit-stats") {
        // The statistics line is the last of stderr, after any error the program ended in.
        let body = o.stderr.strip_suffix('\n').unwrap_or(&o.stderr);
        let at = body.rfind('\n').map_or(0, |i| i + 1);
        if body[at..].starts_with("jit: ") {
            o.jit_stats = Some(body[at..].to_string());
            o.stderr.truncate(at);
        }
    }
    (o, start.elapsed())
}

/// At most `max` characters of `s`, centred on byte `at` when it is long.
fn excerpt(s: &str, at: usize, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut start = at.saturating_sub(max / 2).min(s.len() - max);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + max).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "[... {start} bytes before ...]\n{}\n[... {} bytes after ...]",
        &s[start..end],
        s.len() - end
    )
}

fn first_difference(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

fn describe(o: &Outcome, at_out: usize, at_err: usize) -> String {
    let stats = match &o.jit_stats {
        Some(line) => format!("\n--- --jit-stats (not compared)\n{line}"),
        None => String::new(),
    };
    format!(
        "exit: {}\n--- stdout ({} bytes)\n{}\n--- stderr ({} bytes)\n{}{stats}",
        if o.timed_out {
            format!("timed out after {TIMEOUT:?}")
        } else {
            match o.code {
                Some(c) => c.to_string(),
                None => "killed by a signal".into(),
            }
        },
        o.stdout.len(),
        excerpt(&o.stdout, at_out, 3000),
        o.stderr.len(),
        excerpt(&o.stderr, at_err, 2000),
    )
}

/// What is wrong with the runs of one program in each of [`MODES`], if anything: a run
/// that crashed, timed out or ended in an internal error, and each mode whose exit status,
/// stdout or stderr differs from [`OFF`]'s.
pub fn judge(runs: &[Outcome; 3]) -> Option<String> {
    let mut problems = Vec::new();
    for (mode, o) in MODES.iter().zip(runs) {
        let name = mode.name;
        if o.timed_out {
            problems.push(format!("{name} timed out"));
        } else if o.code.is_none() {
            problems.push(format!("{name} was killed by a signal (a crash)"));
        } else if o.code == Some(INTERNAL_ERROR) {
            problems.push(format!(
                "{name} ended in an internal error (exit {INTERNAL_ERROR})"
            ));
        }
    }
    let off = &runs[0];
    let (mut at_out, mut at_err) = (usize::MAX, usize::MAX);
    let mut differing = Vec::new();
    for (mode, o) in MODES.iter().zip(runs).skip(1) {
        let mut diffs = Vec::new();
        if off.code != o.code || off.timed_out != o.timed_out {
            diffs.push(format!("exit status {:?} vs {:?}", off.code, o.code));
        }
        if off.stdout != o.stdout {
            let at = first_difference(&off.stdout, &o.stdout);
            at_out = at_out.min(at);
            diffs.push(format!("stdout from byte {at}"));
        }
        if off.stderr != o.stderr {
            let at = first_difference(&off.stderr, &o.stderr);
            at_err = at_err.min(at);
            diffs.push(format!("stderr from byte {at}"));
        }
        if !diffs.is_empty() {
            differing.push(mode.name);
            problems.push(format!(
                "{} differs from {}: {}",
                mode.name,
                OFF.name,
                diffs.join(", ")
            ));
        }
    }
    if differing.len() == 2 {
        let same = runs[1].code == runs[2].code
            && runs[1].stdout == runs[2].stdout
            && runs[1].stderr == runs[2].stderr;
        problems.push(format!(
            "{} and {} {} each other",
            ALWAYS.name,
            DEFAULT.name,
            if same {
                "agree with"
            } else {
                "also differ from"
            }
        ));
    }
    if problems.is_empty() {
        return None;
    }
    let (at_out, at_err) = (at_out.min(off.stdout.len()), at_err.min(off.stderr.len()));
    let mut report = problems.join("; ");
    for (mode, o) in MODES.iter().zip(runs) {
        let _ = write!(
            report,
            "\n\n===== {} =====\n{}",
            mode.name,
            describe(o, at_out, at_err)
        );
    }
    Some(report)
}

/// What checking one program found.
pub struct Checked {
    /// What is wrong, if anything (see [`judge`]).
    pub failure: Option<String>,
    /// The [`OFF`] run.
    pub off: Outcome,
    /// What the JIT did in the [`DEFAULT`] run.
    pub jit: Option<JitStats>,
    /// The time all the runs took.
    pub time: Duration,
}

/// Run the program `src`, written to `file`, in every mode and judge the runs.
pub fn check_program(src: &str, file: &Path) -> Checked {
    std::fs::write(file, src).expect("write program");
    let mut time = Duration::ZERO;
    let runs = MODES.map(|mode| {
        let (o, t) = run_mode(file, mode);
        time += t;
        o
    });
    Checked {
        failure: judge(&runs),
        jit: runs[2].jit_stats.as_deref().and_then(JitStats::parse),
        off: runs.into_iter().next().expect("the --jit=off run"),
        time,
    }
}

// ----- checks of the judge -----

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
