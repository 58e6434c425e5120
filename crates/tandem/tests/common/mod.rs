//! Helpers shared by the integration tests: engines whose output the test reads back, Ruff
//! programs run in-process, the real `tandem` binary, temporary files and disassembly.
//!
//! Each test file is its own crate and uses only some of these, hence `allow(dead_code)`.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tandem::{Caps, Dialect, Engine};

// ----- captured output -----

/// A buffer that a [`Shared`] writer appends to and the test reads back.
pub type Buf = Rc<RefCell<Vec<u8>>>;

/// A writer appending everything to a shared buffer.
pub struct Shared(pub Buf);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A writer into a fresh buffer, and the buffer.
pub fn capture() -> (Box<dyn Write>, Buf) {
    let buf = Buf::default();
    (Box::new(Shared(buf.clone())), buf)
}

/// An engine whose output goes to the returned buffer.
pub fn engine() -> (Engine, Buf) {
    let (writer, buf) = capture();
    (Engine::with_output(writer), buf)
}

/// Everything written to `buf` so far; panics if it is not UTF-8.
pub fn captured(buf: &Buf) -> String {
    String::from_utf8(buf.borrow().clone()).unwrap()
}

// ----- Ruff programs in-process -----

/// Run Ruff `src` (as `t.ruff`) with capabilities `caps`: its output, or (the output so
/// far, the rendered error).
pub fn run_with(caps: Caps, src: &str) -> Result<String, (String, String)> {
    let (mut e, buf) = engine();
    e.set_caps(caps);
    let r = e.run_source("t.ruff", src);
    let out = captured(&buf);
    match r {
        Ok(_) => Ok(out),
        Err(err) => Err((out, e.render_error(&err))),
    }
}

/// Run Ruff `src` with every capability: its output, or the rendered error.
pub fn run(src: &str) -> Result<String, String> {
    run_with(Caps::ALL, src).map_err(|(_, e)| e)
}

/// Assert that Ruff `src` runs and prints exactly `expected`.
#[track_caller]
pub fn prints(src: &str, expected: &str) {
    match run(src) {
        Ok(out) => assert_eq!(out, expected, "program:\n{src}"),
        Err(e) => panic!("program failed:\n{src}\n{e}"),
    }
}

/// Assert that Ruff `src`, run with `caps`, fails with an error containing `message`.
#[track_caller]
pub fn fails_with(caps: Caps, src: &str, message: &str) {
    match run_with(caps, src) {
        Ok(out) => panic!("program should fail with {message:?}:\n{src}\nprinted:\n{out}"),
        Err((_, e)) => assert!(
            e.contains(message),
            "error should contain {message:?}:\n{src}\ngot:\n{e}"
        ),
    }
}

/// Assert that Ruff `src` fails with an error containing `message`.
#[track_caller]
pub fn fails(src: &str, message: &str) {
    fails_with(Caps::ALL, src, message)
}

// ----- the tandem binary -----

/// The command `tandem ARGS` with stdin empty; the caller adds the rest. The binary is
/// the one cargo built for these tests, or `TANDEM_TEST_BIN` when set (a long run, such
/// as the differential test's, can use a copy while the tree is rebuilt).
pub fn command(args: &[&str]) -> Command {
    let bin =
        std::env::var_os("TANDEM_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_tandem").into());
    let mut cmd = Command::new(bin);
    cmd.args(args).stdin(Stdio::null());
    cmd
}

/// Run `tandem ARGS` with stdin empty and collect its status, stdout and stderr.
pub fn tandem(args: &[&str]) -> Output {
    command(args).output().expect("run tandem")
}

/// Run `tandem ARGS` with `input` on stdin and collect its status, stdout and stderr.
pub fn tandem_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tandem");
    let mut pipe = child.stdin.take().expect("stdin");
    // A child that exits early closes its end; the assertions on its output then say what
    // happened, so a broken pipe is not a panic here.
    let _ = pipe.write_all(input.as_bytes());
    drop(pipe);
    child.wait_with_output().expect("run tandem")
}

/// A process's stdout, lossily decoded.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A process's stderr, lossily decoded.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Wait at most `limit` for `child` to exit: its status, or `None` when it ran out of time
/// (it is then killed and reaped).
pub fn wait_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
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
        std::thread::sleep(Duration::from_millis(2));
    }
}

// ----- files -----

/// The conformance programs of one dialect: `tests/programs/<dialect>`.
pub fn programs_dir(dialect: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/programs")
        .join(dialect)
}

/// The directory of this test process's files (named after the process only), made if
/// missing and never emptied: tests run in parallel.
pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh, empty directory `name` in [`scratch_dir`], for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = scratch_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Write `src` to `dir/name` (making any missing directories) and return its path.
pub fn write_file(dir: &Path, name: &str, src: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, src).unwrap();
    path
}

/// Write `src` to a file `name` in a fresh directory of its own and return its path.
pub fn temp_program(name: &str, src: &str) -> PathBuf {
    write_file(&temp_dir(name), name, src)
}

// ----- disassembly -----

/// Compile `src` (file `file` in `dialect`) in `e` and disassemble it all; panics with the
/// rendered error if it does not compile.
pub fn disassemble_in(e: &mut Engine, file: &str, src: &str, dialect: Dialect) -> String {
    let proto = match e.compile_source(file, src, dialect) {
        Ok(p) => p,
        Err(err) => panic!("compile error:\n{}", e.render_error(&err)),
    };
    e.disassemble(&proto)
}

/// [`disassemble_in`] a fresh engine whose output is discarded.
pub fn disassemble(file: &str, src: &str, dialect: Dialect) -> String {
    let mut e = Engine::with_output(Box::new(std::io::sink()));
    disassemble_in(&mut e, file, src, dialect)
}

/// The part of disassembly `text` for the first function called `name` (its header line up
/// to the next function), if there is one.
pub fn function_section(text: &str, name: &str) -> Option<String> {
    let start = text.find(&format!("function {name} ("))?;
    let rest = &text[start..];
    let end = rest[1..]
        .find("\nfunction ")
        .map(|i| i + 1)
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// [`function_section`], panicking when there is no function `name`.
pub fn function_of(text: &str, name: &str) -> String {
    function_section(text, name).unwrap_or_else(|| panic!("no function {name} in:\n{text}"))
}
