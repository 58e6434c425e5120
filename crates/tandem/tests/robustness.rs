//! No input may crash tandem. Mutants of the conformance programs (bytes deleted, duplicated,
//! swapped, brackets inserted) go through the whole pipeline: in-process for parse and
//! compile, and through the real binary for running. A panic, a signal or the internal-error
//! exit code fails the test; syntax errors, runtime errors and time-outs are fine.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tandem::{Dialect, Engine};

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NASTY: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "${",
    "/*",
    "func",
    "return",
    ":=",
    "...",
    "?",
    "|>",
    "??",
    "-",
    "!",
    "9223372036854775807",
    "0x",
    "1e999",
    "\\",
    "\n",
    "for x in",
    "while true",
    "break",
    "continue",
    "let",
    "mut",
    "const",
    "struct",
    "match",
    "try",
    "import",
];

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let n = chars.len().max(1);
        match rng.below(5) {
            0 if !chars.is_empty() => {
                let at = rng.below(n);
                let len = 1 + rng.below(8);
                chars.drain(at..(at + len).min(chars.len()));
            }
            1 if !chars.is_empty() => {
                let at = rng.below(n);
                let len = 1 + rng.below(16);
                let piece: Vec<char> = chars[at..(at + len).min(chars.len())].to_vec();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, piece);
            }
            2 if chars.len() > 1 => {
                let last = chars.len() - 1;
                let a = rng.below(n).min(last);
                let b = rng.below(n).min(last);
                chars.swap(a, b);
            }
            _ => {
                let word = NASTY[rng.below(NASTY.len())];
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, word.chars());
            }
        }
    }
    chars.into_iter().collect()
}

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/programs/ruff");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("programs dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ruff"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

#[test]
fn mutated_programs_never_panic_the_front_end_or_compiler() {
    let corpus = corpus();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut compiled = 0;
    for i in 0..20000 {
        let src = mutate(&corpus[i % corpus.len()], &mut rng);
        let mut e = Engine::with_output(Box::new(std::io::sink()));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            e.compile_source("m.ruff", &src, Dialect::Ruff).is_ok()
        }));
        match r {
            Ok(ok) => compiled += ok as usize,
            Err(_) => panic!("compiling this mutant panicked:\n{src}"),
        }
    }
    // The mutants must exercise the back end too, not only syntax errors.
    assert!(compiled > 2000, "only {compiled} mutants compiled");
}

#[test]
fn mutated_programs_never_crash_the_vm() {
    let corpus = corpus();
    let mut rng = Rng(0x5eed_0000_0000_0002);
    let dir = std::env::temp_dir().join(format!("tandem-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ran = 0;
    for i in 0..1500 {
        let src = mutate(&corpus[(i * 7) % corpus.len()], &mut rng);
        let path = dir.join(format!("m{i}.ruff"));
        std::fs::write(&path, &src).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(["run", "--max-depth", "20000"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break Some(s);
            }
            if start.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                let _ = child.wait();
                break None; // an infinite loop is not a crash
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if let Some(s) = status {
            ran += 1;
            match s.code() {
                Some(0) | Some(2) | Some(3) | Some(4) => {}
                other => panic!(
                    "mutant crashed (exit {other:?}), kept at {}:\n{src}",
                    path.display()
                ),
            }
        }
    }
    assert!(ran > 600, "only {ran} mutants finished");
    let _ = std::fs::remove_dir_all(&dir);
}
