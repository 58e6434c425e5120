//! Conformance programs: every `tests/programs/<dialect>/NAME.<ext>` runs through the real
//! `tandem` binary under `--jit=off`, `--jit=always` and the default, and must print exactly
//! `NAME.out` (which every program needs; for a failing program it holds what is printed
//! before the error). When `NAME.err` exists the program must exit non-zero, not with the
//! internal-error code 70 and not by a signal, and each non-empty line of `NAME.err` must
//! appear in stderr; an `err_syntax_*` program must exit with the syntax-error code 3. The three
//! modes must agree with each other on stdout and exit code, and a `.out` or `.err` file
//! without its program is an error.
//!
//! Under `--jit=always` the run also prints the JIT's statistics (`--jit-stats`), which
//! must show that code was compiled and that nothing failed to compile: a JIT that
//! silently stopped compiling fails the suite (when the `jit` feature is built).

mod common;

use common::{command, programs_dir, temp_dir, wait_timeout};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MODES: &[Option<&str>] = &[Some("--jit=off"), Some("--jit=always"), None];
const TIMEOUT: Duration = Duration::from_secs(120);
/// The exit code of an internal error (a panic in tandem).
const INTERNAL_ERROR: i32 = 70;
/// The exit code of a syntax or compile error, which every `err_syntax_*` program must give.
const SYNTAX_ERROR: i32 = 3;

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

fn run(file: &Path, mode: Option<&str>) -> Outcome {
    let stats = (mode == Some("--jit=always")).then_some("--jit-stats");
    let mut child = command(&["run"])
        .args(mode)
        .args(stats)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tandem");
    // Read pipes on threads so a chatty program cannot block on a full pipe.
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
    let status = wait_timeout(&mut child, TIMEOUT);
    Outcome {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
        timed_out: status.is_none(),
    }
}

/// Check one program in every mode; returns a description of each failure.
fn check(file: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let Ok(expected_out) = std::fs::read_to_string(file.with_extension("out")) else {
        return vec![format!("{name}: has no .out file")];
    };
    let expected_err = std::fs::read_to_string(file.with_extension("err")).ok();
    let mut first: Option<(String, Option<i32>)> = None;
    for mode in MODES {
        let label = mode.unwrap_or("default");
        let o = run(file, *mode);
        if o.timed_out {
            failures.push(format!("{name} [{label}]: timed out after {TIMEOUT:?}"));
            continue;
        }
        if o.stdout != expected_out {
            failures.push(format!(
                "{name} [{label}]: stdout differs\n--- expected\n{expected_out}--- got\n{}--- stderr\n{}",
                o.stdout, o.stderr
            ));
        }
        match &expected_err {
            Some(phrases) => {
                if o.code == Some(0) {
                    failures.push(format!("{name} [{label}]: expected an error exit, got 0"));
                }
                if o.code.is_none() {
                    failures.push(format!("{name} [{label}]: killed by a signal (crash)"));
                }
                if o.code == Some(INTERNAL_ERROR) {
                    failures.push(format!(
                        "{name} [{label}]: internal error (exit {INTERNAL_ERROR})\n--- stderr\n{}",
                        o.stderr
                    ));
                }
                if name.starts_with("err_syntax_") && o.code != Some(SYNTAX_ERROR) {
                    failures.push(format!(
                        "{name} [{label}]: exit code {:?}, not the syntax error's {SYNTAX_ERROR}\n--- stderr\n{}",
                        o.code, o.stderr
                    ));
                }
                for p in phrases.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    if !o.stderr.contains(p) {
                        failures.push(format!(
                            "{name} [{label}]: stderr lacks {p:?}\n--- stderr\n{}",
                            o.stderr
                        ));
                    }
                }
            }
            None => {
                if o.code != Some(0) {
                    failures.push(format!(
                        "{name} [{label}]: exit code {:?}\n--- stderr\n{}",
                        o.code, o.stderr
                    ));
                }
            }
        }
        if *mode == Some("--jit=always") {
            if let Some(f) = not_compiled(&o) {
                failures.push(format!("{name} [{label}]: {f}\n--- stderr\n{}", o.stderr));
            }
        }
        match &first {
            None => first = Some((o.stdout, o.code)),
            Some((out, code)) => {
                if *out != o.stdout {
                    failures.push(format!("{name} [{label}]: stdout differs from --jit=off"));
                }
                if *code != o.code {
                    failures.push(format!(
                        "{name} [{label}]: exit code {:?} differs from --jit=off ({code:?})",
                        o.code
                    ));
                }
            }
        }
    }
    failures
}

/// Under `--jit=always`: why the statistics line shows the JIT did not compile the program
/// (none when it did, when the program did not compile to bytecode, or without the JIT).
fn not_compiled(o: &Outcome) -> Option<String> {
    if !cfg!(feature = "jit") || o.code == Some(SYNTAX_ERROR) {
        return None;
    }
    let Some(line) = o.stderr.lines().find(|l| l.starts_with("jit: ")) else {
        return Some("no `jit:` statistics line".into());
    };
    let compiled: Option<u64> = line
        .strip_prefix("jit: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok());
    match compiled {
        Some(n) if n >= 1 && line.contains(" 0 failures") => None,
        _ => Some(format!("the JIT did not compile it: {line}")),
    }
}

/// Expectation files (`.out`, `.err`) in `entries` with no program `NAME.<ext>` beside them.
fn orphans(entries: &[PathBuf], ext: &str) -> Vec<String> {
    entries
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "out" || x == "err"))
        .filter(|p| !entries.contains(&p.with_extension(ext)))
        .map(|p| {
            format!(
                "{}: no program {}",
                p.display(),
                p.with_extension(ext).display()
            )
        })
        .collect()
}

fn run_dialect(dialect: &str, ext: &str) {
    let dir = programs_dir(dialect);
    let entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    let mut files: Vec<PathBuf> = entries
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .cloned()
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no {dialect} programs in {}",
        dir.display()
    );
    let queue = Arc::new(Mutex::new(files.clone()));
    let failures = Arc::new(Mutex::new(orphans(&entries, ext)));
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let queue = queue.clone();
            let failures = failures.clone();
            std::thread::spawn(move || loop {
                let next = queue.lock().unwrap().pop();
                let Some(file) = next else { break };
                let f = check(&file);
                failures.lock().unwrap().extend(f);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("worker");
    }
    let failures = failures.lock().unwrap();
    if !failures.is_empty() {
        panic!(
            "{} failure(s) in {} {dialect} programs:\n\n{}",
            failures.len(),
            files.len(),
            failures.join("\n\n")
        );
    }
    eprintln!("{} {dialect} programs passed in every mode", files.len());
}

#[test]
fn ruff_programs() {
    run_dialect("ruff", "ruff");
}

#[test]
fn scheme_programs() {
    run_dialect("scheme", "scm");
}

#[test]
fn jue_programs() {
    run_dialect("jue", "jue");
}

#[test]
fn expectation_files_without_a_program_are_reported() {
    let dir = Path::new("/p");
    let entries: Vec<PathBuf> = ["a.ruff", "a.out", "b.out", "c.err", "README.md"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    let found = orphans(&entries, "ruff");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("b.out") && found[1].contains("c.err"),
        "{found:?}"
    );
}

#[test]
fn a_program_without_a_dot_out_file_fails_even_with_a_dot_err() {
    let dir = temp_dir("programs");
    let prog = dir.join("err_x.ruff");
    std::fs::write(&prog, "print(\"unchecked\")\nprint(1 / 0)\n").unwrap();
    std::fs::write(dir.join("err_x.err"), "Division by zero\n").unwrap();
    let failures = check(&prog);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("no .out file"), "{failures:?}");
    // With the .out file it passes, and a wrong .out is caught although .err matches.
    std::fs::write(dir.join("err_x.out"), "unchecked\n").unwrap();
    assert_eq!(check(&prog), Vec::<String>::new());
    std::fs::write(dir.join("err_x.out"), "").unwrap();
    let failures = check(&prog);
    assert!(
        failures.iter().any(|f| f.contains("stdout differs")),
        "{failures:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_err_syntax_program_that_fails_at_run_time_is_reported() {
    let dir = temp_dir("programs-syntax");
    let prog = dir.join("err_syntax_x.ruff");
    std::fs::write(&prog, "print(1 / 0)\n").unwrap();
    std::fs::write(dir.join("err_syntax_x.out"), "").unwrap();
    std::fs::write(dir.join("err_syntax_x.err"), "error\nerr_syntax_x.ruff\n").unwrap();
    let failures = check(&prog);
    assert_eq!(failures.len(), MODES.len(), "{failures:?}");
    assert!(
        failures
            .iter()
            .all(|f| f.contains("not the syntax error's 3")),
        "{failures:?}"
    );
    // A real syntax error passes.
    std::fs::write(&prog, "print((1)\n").unwrap();
    assert_eq!(check(&prog), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}
