//! The hostile-programs suite (`tests/hostile/`, see its README): each program runs in the
//! real binary under `--jit=off` and `--jit=always` and must end with its limit's error and
//! exit status, in time, and without its peak RSS passing three times its memory limit plus the
//! binary's baseline. The child runs under a 4 GiB address-space limit, so a regression
//! fails the test instead of exhausting the machine.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a child did: exit status (None: killed by a signal), output, peak RSS in bytes and
/// wall-clock time.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    max_rss: u64,
    took: Duration,
}

const ADDRESS_SPACE: libc::rlim_t = 4 << 30;
/// A child still running after this long is killed (the test then fails).
const KILL_AFTER: Duration = Duration::from_secs(60);

/// Run the binary with `args`, measuring its peak RSS with `wait4`.
fn run(args: &[&str]) -> Ran {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("the tandem binary starts");
    let pid = child.id() as libc::pid_t;
    let out = child.stdout.take().expect("piped");
    let err = child.stderr.take().expect("piped");
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = reader(Box::new(out));
    let err = reader(Box::new(err));
    // A watchdog: the child is not reaped until wait4 below, so its pid stays its own.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(KILL_AFTER).is_err() {
            // SAFETY: kill on our own unreaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child, with valid pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    let took = start.elapsed();
    let _ = done_tx.send(());
    let _ = watchdog.join();
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    // The child was reaped with wait4: `Child` must not wait for it again.
    std::mem::forget(child);
    Ran {
        code,
        stdout: out.join().expect("reader"),
        stderr: err.join().expect("reader"),
        // Linux reports ru_maxrss in KiB.
        max_rss: usage.ru_maxrss as u64 * 1024,
        took,
    }
}

/// A program's directives (see `tests/hostile/README.md`).
struct Case {
    path: PathBuf,
    args: Vec<String>,
    error: String,
    exit: i32,
    stdout: String,
    within: Duration,
    max_memory: Option<u64>,
}

fn parse_size(s: &str) -> u64 {
    let (n, m) = match s.chars().last() {
        Some('K') => (&s[..s.len() - 1], 1 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    n.parse::<u64>().expect("a size") * m
}

fn case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).expect("readable");
    let mut c = Case {
        path: path.to_path_buf(),
        args: Vec::new(),
        error: String::new(),
        exit: 5,
        stdout: String::new(),
        within: Duration::from_secs(20),
        max_memory: None,
    };
    for line in text.lines() {
        let Some(d) = line
            .strip_prefix("// ")
            .or_else(|| line.strip_prefix(";; "))
        else {
            break;
        };
        let Some((key, value)) = d.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "args" => c.args = value.split_whitespace().map(String::from).collect(),
            "error" => c.error = value.to_string(),
            "exit" => c.exit = value.parse().expect("an exit status"),
            "stdout" => c.stdout = value.replace("\\n", "\n"),
            "within" => c.within = Duration::from_secs(value.parse().expect("seconds")),
            other => panic!("{}: unknown directive {other}", path.display()),
        }
    }
    assert!(
        !c.error.is_empty() || c.exit == 0,
        "{}: no `error:`",
        path.display()
    );
    if let Some(i) = c.args.iter().position(|a| a == "--max-memory") {
        c.max_memory = Some(parse_size(&c.args[i + 1]));
    }
    if c.args.iter().any(|a| a == "--sandbox") && c.max_memory.is_none() {
        c.max_memory = Some(256 << 20);
    }
    c
}

fn programs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/hostile exists")
        .map(|e| e.expect("an entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("ruff" | "scm")))
        .collect();
    v.sort();
    v.extend(generated());
    v
}

/// Programs too large to keep in the repository, written to a scratch folder: source
/// nested 100,000 deep in each dialect (a clear error, never a native stack overflow).
fn generated() -> Vec<PathBuf> {
    const DEEP: usize = 100_000;
    let dir = std::env::temp_dir().join(format!("tandem-hostile-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nested = |open: &str, close: &str| format!("{}1{}", open.repeat(DEEP), close.repeat(DEEP));
    let cases = [
        (
            "gen_nested_arrays.ruff",
            "// exit: 3\n// error: nesting too deep\n",
            format!("x := {}\nprint(x)\n", nested("[", "]")),
        ),
        (
            "gen_nested_parens.ruff",
            "// exit: 3\n// error: nesting too deep\n",
            format!("x := {}\n", nested("(", ")")),
        ),
        (
            "gen_nested_blocks.ruff",
            "// exit: 3\n// error: nesting too deep\n",
            format!("{}{}\n", "if true { ".repeat(DEEP), "}".repeat(DEEP)),
        ),
        (
            "gen_nested_calls.scm",
            ";; exit: 3\n;; error: nesting too deep\n",
            format!("(display {})\n", nested("(list ", ")")),
        ),
        (
            "gen_nested_quote.scm",
            ";; exit: 3\n;; error: nesting too deep\n",
            format!("(display '{})\n", nested("(", ")")),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, head, body)| {
            let p = dir.join(name);
            std::fs::write(&p, format!("{head}{body}")).unwrap();
            p
        })
        .collect()
}

/// Peak RSS of the binary running a program that does nothing, in this mode.
fn baseline(mode: &str) -> u64 {
    let dir = std::env::temp_dir().join(format!("tandem-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("empty.scm");
    std::fs::write(&p, "(display 1)\n").unwrap();
    let r = run(&["run", mode, p.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.max_rss
}

fn suite(mode: &str) {
    let base = baseline(mode);
    assert!(base > 1 << 20, "wait4 measures the peak RSS: {base}");
    let mut failures = Vec::new();
    let cases = programs();
    assert!(cases.len() >= 20, "the suite is there");
    for path in cases {
        let c = case(&path);
        let file = c.path.to_str().unwrap().to_string();
        let mut args = vec!["run", mode];
        args.extend(c.args.iter().map(String::as_str));
        args.push(&file);
        let r = run(&args);
        let name = c.path.file_name().unwrap().to_string_lossy();
        // No program may panic, abort or die by a signal.
        if r.stderr.contains("internal error") || r.stderr.contains("panicked") {
            failures.push(format!("{name} ({mode}): a panic\n{}", r.stderr));
            continue;
        }
        let mut problems = Vec::new();
        if r.code != Some(c.exit) {
            problems.push(format!("exit {:?}, expected {}", r.code, c.exit));
        }
        if !r.stderr.contains(&c.error) {
            problems.push(format!("stderr lacks {:?}", c.error));
        }
        // The diagnostic says where it struck.
        if c.exit != 0 && !r.stderr.contains(&format!("{name}:")) {
            problems.push("no location in the diagnostic".to_string());
        }
        if c.exit == 0 && !r.stderr.is_empty() {
            problems.push("an error on stderr".to_string());
        }
        if r.stdout != c.stdout {
            problems.push(format!("stdout {:?}, expected {:?}", r.stdout, c.stdout));
        }
        if r.took > c.within {
            problems.push(format!("took {:?}, allowed {:?}", r.took, c.within));
        }
        // Three times the limit: the heap's objects up to the limit, a growing container's
        // old and new buffers while it moves (a dict's entries double), and what the
        // allocator (mimalloc, in the binary) keeps for a few milliseconds after a free
        // before returning it to the system.
        let allowed = base + 3 * c.max_memory.unwrap_or(128 << 20);
        if r.max_rss > allowed {
            problems.push(format!(
                "peak RSS {} MiB, allowed {} MiB",
                r.max_rss >> 20,
                allowed >> 20
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name} ({mode}): {}\n--- stderr:\n{}",
                problems.join("; "),
                r.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn hostile_programs_interpreted() {
    suite("--jit=off");
}

#[test]
fn hostile_programs_compiled() {
    suite("--jit=always");
}

#[test]
fn an_interrupt_handle_stops_a_running_script_from_another_thread() {
    // In-process: the engine is not Send, the handle is.
    let mut engine = tandem::Engine::with_output(Box::new(std::io::sink()));
    let handle = engine.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        handle.interrupt();
    });
    let start = Instant::now();
    let err = engine
        .run_source("spin.ruff", "while true {}")
        .expect_err("interrupted");
    stopper.join().unwrap();
    assert!(matches!(err, tandem::Error::Limit(_)), "{err:?}");
    assert!(engine.render_error(&err).contains("interrupted"));
    assert!(start.elapsed() < Duration::from_secs(10));
}
