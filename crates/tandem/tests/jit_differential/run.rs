//! Running a program through the real `tandem` binary in each mode, and judging whether the
//! runs agree.

use crate::common::command;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Generous: a program takes milliseconds, but the machine may be loaded.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The exit code of an internal error (a panic in tandem).
pub const INTERNAL_ERROR: i32 = 70;
/// The exit code of a syntax or compile error.
pub const SYNTAX_ERROR: i32 = 3;
pub const MODES: [&str; 2] = ["--jit=off", "--jit=always"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
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

pub fn run_mode(file: &Path, mode: &str) -> (Outcome, Duration) {
    let start = Instant::now();
    let mut child = command(&["run", mode])
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
    let o = Outcome {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
        timed_out: status.is_none(),
    };
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
    format!(
        "exit: {}\n--- stdout ({} bytes)\n{}\n--- stderr ({} bytes)\n{}",
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

/// What is wrong with the two runs of one program, if anything.
pub fn judge(off: &Outcome, jit: &Outcome) -> Option<String> {
    let mut problems = Vec::new();
    for (mode, o) in MODES.iter().zip([off, jit]) {
        if o.timed_out {
            problems.push(format!("{mode} timed out"));
        } else if o.code.is_none() {
            problems.push(format!("{mode} was killed by a signal (a crash)"));
        } else if o.code == Some(INTERNAL_ERROR) {
            problems.push(format!(
                "{mode} ended in an internal error (exit {INTERNAL_ERROR})"
            ));
        }
    }
    if off.code != jit.code || off.timed_out != jit.timed_out {
        problems.push(format!(
            "exit status differs: {:?} vs {:?}",
            off.code, jit.code
        ));
    }
    if off.stdout != jit.stdout {
        problems.push(format!(
            "stdout differs from byte {}",
            first_difference(&off.stdout, &jit.stdout)
        ));
    }
    if off.stderr != jit.stderr {
        problems.push(format!(
            "stderr differs from byte {}",
            first_difference(&off.stderr, &jit.stderr)
        ));
    }
    if problems.is_empty() {
        return None;
    }
    let at_out = first_difference(&off.stdout, &jit.stdout);
    let at_err = first_difference(&off.stderr, &jit.stderr);
    Some(format!(
        "{}\n\n===== {} =====\n{}\n\n===== {} =====\n{}",
        problems.join("; "),
        MODES[0],
        describe(off, at_out, at_err),
        MODES[1],
        describe(jit, at_out, at_err),
    ))
}

/// One program run in both modes: the failure, if any, and the `--jit=off` outcome.
pub fn check_program(src: &str, file: &Path) -> (Option<String>, Outcome, Duration) {
    std::fs::write(file, src).expect("write program");
    let (off, t_off) = run_mode(file, MODES[0]);
    let (jit, t_jit) = run_mode(file, MODES[1]);
    (judge(&off, &jit), off, t_off + t_jit)
}
