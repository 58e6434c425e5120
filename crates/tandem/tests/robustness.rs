//! No input may crash tandem. Mutants of the conformance programs (bytes deleted, duplicated,
//! swapped, brackets inserted) go through the whole pipeline: in-process for parse and
//! compile, and through the real binary for running. A panic, a signal or the internal-error
//! exit code fails the test; syntax errors, runtime errors and time-outs are fine.

mod common;

use common::{command, programs_dir, stderr, stdout, temp_dir, wait_timeout, write_file};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
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
    mutate_with(src, rng, NASTY)
}

/// Apply 1 to 4 random edits: delete a run of characters, duplicate one elsewhere, swap two
/// characters, or insert one of `words`.
fn mutate_with(src: &str, rng: &mut Rng, words: &[&str]) -> String {
    let edits = 1 + rng.below(4);
    mutate_n(src, rng, words, edits)
}

/// Apply exactly `edits` random edits (see `mutate_with`).
fn mutate_n(src: &str, rng: &mut Rng, words: &[&str], edits: usize) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..edits {
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
                let word = words[rng.below(words.len())];
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, word.chars());
            }
        }
    }
    chars.into_iter().collect()
}

fn corpus() -> Vec<String> {
    corpus_of("ruff", "ruff")
}

/// The programs of `tests/programs/<dir>` with extension `ext`, in name order.
fn corpus_of(dir: &str, ext: &str) -> Vec<String> {
    let dir = programs_dir(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("programs dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .{ext} programs in {}", dir.display());
    files
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
        })
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
    let dir = temp_dir("fuzz");
    let mut ran = 0;
    for i in 0..1500 {
        let src = mutate(&corpus[(i * 7) % corpus.len()], &mut rng);
        let path = dir.join(format!("m{i}.ruff"));
        std::fs::write(&path, &src).unwrap();
        // Sandboxed: no file writes or process access, and the scratch directory as cwd.
        if let Some(s) = run_limited(&path, &dir) {
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

// ---------------------------------------------------------------------------------------
// The Scheme dialect and Jue mode: the same treatment with Lisp-shaped mutations.

const NASTY_SCHEME: &[&str] = &[
    "(",
    ")",
    "(",
    ")",
    "'",
    "`",
    ",",
    ",@",
    "#(",
    "#u8(",
    "#\\",
    "#\\x",
    "\"",
    "#|",
    "|#",
    "#;",
    ".",
    " . ",
    "|",
    ";",
    "\n",
    "define-syntax",
    "(define-syntax m (syntax-rules () ((_ x ...) (m x ... x ...))))",
    "(syntax-rules ()",
    "...",
    "_",
    "lambda",
    "(lambda args args)",
    "define",
    "let",
    "letrec",
    "set!",
    "else",
    "=>",
    "call/cc",
    "(call/cc (lambda (k) k))",
    "dynamic-wind",
    "guard",
    "quote",
    "#t",
    "nil",
    "9223372036854775807",
    "-9223372036854775808",
    "1e999",
    "#e1.5",
    "+nan.0",
    "0",
    "-",
    "(:formal",
    "(:experimental",
];

/// `TANDEM_FUZZ_SCALE=N` multiplies the number of Scheme/Jue mutants (default 1), for
/// longer runs by hand. At 15 the in-process test meets `RUNAWAY_NESTED_MACRO`'s mutant and
/// spends minutes in the expander (see there).
fn fuzz_scale() -> usize {
    std::env::var("TANDEM_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn mutate_scheme(src: &str, rng: &mut Rng) -> String {
    mutate_with(src, rng, NASTY_SCHEME)
}

/// The Scheme and Jue corpora, each program tagged with its dialect and file extension.
fn lisp_corpus() -> Vec<(Dialect, &'static str, String)> {
    let mut all = Vec::new();
    for src in corpus_of("scheme", "scm") {
        all.push((Dialect::Scheme, "scm", src));
    }
    for src in corpus_of("jue", "jue") {
        all.push((Dialect::Jue, "jue", src));
    }
    assert!(all.len() > 100, "only {} Scheme/Jue programs", all.len());
    all
}

/// Compile `src` in a fresh engine; panics (with the input) if the front end or compiler
/// panics. Returns whether it compiled.
fn compile_no_panic(name: &str, src: &str, dialect: Dialect) -> bool {
    let mut e = Engine::with_output(Box::new(std::io::sink()));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        e.compile_source(name, src, dialect).is_ok()
    }));
    match r {
        Ok(ok) => ok,
        Err(_) => panic!("compiling this {dialect:?} mutant panicked:\n{src}"),
    }
}

#[test]
fn mutated_scheme_and_jue_programs_never_panic_the_front_end_or_compiler() {
    let corpus = lisp_corpus();
    let mut rng = Rng(0x5eed_5c4e_3e00_0003);
    let mut compiled = 0;
    let total = 4000 * fuzz_scale();
    for i in 0..total {
        let (dialect, ext, text) = &corpus[i % corpus.len()];
        let src = mutate_scheme(text, &mut rng);
        compiled += compile_no_panic(&format!("m.{ext}"), &src, *dialect) as usize;
    }
    eprintln!("{compiled} of {total} Scheme/Jue mutants compiled");
    // Many mutants must get past the reader and expander to exercise the compiler.
    assert!(
        compiled > total / 5,
        "only {compiled} of {total} mutants compiled"
    );
}

#[test]
fn scheme_edge_inputs_never_panic_the_front_end_or_compiler() {
    let inputs = [
        String::new(),
        "(".into(),
        ")".into(),
        "'".into(),
        "`,@".into(),
        ",@x".into(),
        "#(".into(),
        "#\\".into(),
        "#|".into(),
        "\"".into(),
        "(define-syntax)".into(),
        "(define-syntax m)".into(),
        "(define-syntax m (syntax-rules))".into(),
        "(define-syntax m (syntax-rules () ((_ ...) ...)))\n(m)".into(),
        "(define-syntax m (syntax-rules () ((_ x ...) (x ... ...))))\n(m 1 2)".into(),
        "(define-syntax m (syntax-rules ... () ((_ x ...) 1)))\n(m 1)".into(),
        "(define-syntax ... (syntax-rules () ((_) 1)))\n(...)".into(),
        "(let-syntax ((m (syntax-rules () ((_ x) x)))) (m))".into(),
        "(lambda (x x) x)".into(),
        "(lambda (. x) x)".into(),
        "(define . x)".into(),
        "(define (f . ) 1)".into(),
        "(let ((x)) x)".into(),
        "(let loop)".into(),
        "(do ((i 0 (+ i 1) 5)) (#f))".into(),
        "(case)".into(),
        "(cond (else))".into(),
        "(cond (=> 1))".into(),
        "(quasiquote (unquote-splicing 1))".into(),
        "`(1 ,@2 . ,@3)".into(),
        "`#(1 ,@'(2 3) ,@4)".into(),
        "(apply)".into(),
        "(define-record-type)".into(),
        "(define-record-type p (mk x) p? (x))".into(),
        "(define-values (a . b))".into(),
        "(case-lambda)".into(),
        "(guard)".into(),
        "(guard (e) . 1)".into(),
        "(parameterize ((1 2)) 3)".into(),
        "(import)".into(),
        "(import (nonexistent lib))".into(),
        "(import (scheme base) . 1)".into(),
        "(:formal)".into(),
        "(:verified 1 2)".into(),
        "#!fold-case (DEFINE X 1)".into(),
        "#\\xFFFFFFFFFF".into(),
        "\"\\x110000;\"".into(),
        "#e1e400".into(),
        "(1 . 2 . 3)".into(),
        "(. 1)".into(),
        "#;".into(),
        "#; #;".into(),
        format!("{}1", "#;".repeat(5000)),
        format!("{}x", ",@".repeat(3000)),
        format!(
            "(define-syntax m (syntax-rules () ((_ {}) 1)))",
            "(x ...) ".repeat(500)
        ),
        format!("(quote {})", "#(".repeat(999)),
    ];
    for src in &inputs {
        for (dialect, name) in [(Dialect::Scheme, "e.scm"), (Dialect::Jue, "e.jue")] {
            compile_no_panic(name, src, dialect);
        }
    }
}

/// Run `tandem run --max-depth 20000 file` with a 5 s limit. `None` means it timed out.
fn run_limited(path: &Path, cwd: &Path) -> Option<std::process::ExitStatus> {
    let mut child = command(&[
        "run",
        "--max-depth",
        "20000",
        "--deny",
        "fs-write",
        "--deny",
        "process",
    ])
    .arg(path)
    .current_dir(cwd)
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("spawn");
    wait_timeout(&mut child, Duration::from_secs(5)) // None: an infinite loop is not a crash
}

#[test]
fn mutated_scheme_and_jue_programs_never_crash_the_vm() {
    let corpus = lisp_corpus();
    let mut rng = Rng(0x5eed_5c4e_3e00_0004);
    let dir = temp_dir("fuzz-scm");
    let total = 600 * fuzz_scale();
    let mut jobs = Vec::new();
    for i in 0..total {
        let (_, ext, text) = &corpus[(i * 7) % corpus.len()];
        // Half the mutants get a single edit, so that more of them get past the reader and
        // actually run.
        let src = if i % 2 == 0 {
            mutate_n(text, &mut rng, NASTY_SCHEME, 1)
        } else {
            mutate_scheme(text, &mut rng)
        };
        let path = dir.join(format!("m{i}.{ext}"));
        std::fs::write(&path, &src).unwrap();
        jobs.push((path, src));
    }
    // A few workers, so that mutants that loop until the time-out do not dominate.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Option<i32>, bool)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((path, _)) = jobs.get(i) else {
                            break;
                        };
                        match run_limited(path, &dir) {
                            Some(st) => mine.push((i, st.code(), true)),
                            None => mine.push((i, None, false)),
                        }
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut finished = 0;
    let mut by_code = std::collections::BTreeMap::new();
    for (i, code, done) in results.into_iter().flatten() {
        if !done {
            continue;
        }
        finished += 1;
        *by_code.entry(code).or_insert(0) += 1;
        match code {
            Some(0) | Some(2) | Some(3) | Some(4) => {}
            other => panic!(
                "mutant crashed (exit {other:?}), kept at {}:\n{}",
                jobs[i].0.display(),
                jobs[i].1
            ),
        }
    }
    eprintln!("{finished} of {total} Scheme/Jue mutants finished; exit codes: {by_code:?}");
    assert!(
        finished > total / 2,
        "only {finished} of {total} mutants finished"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Found by `mutated_scheme_and_jue_programs_never_panic_the_front_end_or_compiler` with
/// `TANDEM_FUZZ_SCALE=15` (mutant 30487, from `macro_hygiene_if.scm`): a macro whose recursive
/// use sits under `let` and `if` and never shrinks. The expander stops it only at the macro
/// depth limit (10,000 nested expansions), with a clean `macro expansion too deep`. That took
/// about 20 s per use while looking up a name walked every enclosing frame (see `Env` in
/// `expand.rs`); now a name no local frame binds goes straight to the top level.
const RUNAWAY_NESTED_MACRO: &str = "(define-syntax my-or
  (syntax-rules ()
    ((_) #f)
    ((_ e) e)
    ((_ e r ...) (let ((t e)) (if t t (my-or ()
  r ...))))))
(display (my-or #f 2)) (newline)
";

#[test]
fn runaway_nested_macro_recursion_fails_quickly() {
    let dir = temp_dir("runaway");
    let path = write_file(&dir, "runaway.scm", RUNAWAY_NESTED_MACRO);
    let mut child = command(&["check"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let status = wait_timeout(&mut child, Duration::from_secs(5))
        .expect("expanding a runaway macro took more than 5 s");
    assert_eq!(status.code(), Some(3));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Run `tandem run` on `src` saved as `name` in a fresh directory; returns the exit code
/// (`None`: killed by a signal, such as a stack overflow's abort), stdout and stderr.
fn run_generated(name: &str, src: &str) -> (Option<i32>, String, String) {
    let dir = temp_dir(name);
    let path = write_file(&dir, name, src);
    let out = command(&["run"])
        .arg(&path)
        .current_dir(&dir)
        .output()
        .expect("spawn");
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code(), stdout(&out), stderr(&out))
}

/// Derived forms as long as their source (`and`, `or`, `cond`, `case`, quasiquote, `apply`,
/// Ruff `match`) once built expression trees a million levels deep, and
/// the passes after lowering overflowed the native stack on them (an abort, no message).
/// Now lowering checks the tree's height: a clean compile error at the place it is crossed.
#[test]
fn derived_forms_a_million_long_are_a_clean_error() {
    let n = 1_000_000;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "and.scm",
            format!("(define (f x) (and {}))\n", "x ".repeat(n)),
            "and.scm:1:",
        ),
        (
            "cond.scm",
            format!("(define (f x) (cond {}))\n", "(x 0) ".repeat(n)),
            "cond.scm:1:",
        ),
        (
            "case.scm",
            format!(
                "(define (f x) (case x {}))\n",
                (0..n).map(|i| format!("(({i}) {i}) ")).collect::<String>()
            ),
            "case.scm:1:",
        ),
        (
            "qq.scm",
            format!("(define (f x) `({}))\n", ",x ".repeat(n)),
            "qq.scm:1:",
        ),
        (
            "apply.scm",
            format!("(define (f x) (apply + {}'()))\n", "x ".repeat(n)),
            "apply.scm:1:",
        ),
        (
            "or.scm",
            format!("(define (f x) (or {}))\n", "x ".repeat(n)),
            "or.scm:1:",
        ),
        (
            "splice.scm",
            format!("(define (f x) `({}))\n", ",@x ".repeat(n)),
            "splice.scm:1:",
        ),
        (
            "match.ruff",
            format!(
                "x := 1\nmatch x {{\n{}}}\n",
                (0..n)
                    .map(|i| format!("  case {i}: {{}}\n"))
                    .collect::<String>()
            ),
            "match.ruff:2:1",
        ),
    ];
    for (name, src, at) in &cases {
        let (code, _, err) = run_generated(name, src);
        let head: String = err.chars().take(2000).collect();
        assert_eq!(code, Some(3), "{name}: stderr:\n{head}");
        assert!(
            err.contains("expression nested too deeply"),
            "{name}:\n{head}"
        );
        assert!(
            err.contains(at),
            "{name}: expected a location {at}:\n{head}"
        );
        assert!(!err.contains("panicked"), "{name}:\n{head}");
    }
}

/// The height limit leaves long forms of a realistic size alone.
#[test]
fn long_derived_forms_under_the_limit_still_run() {
    let n = 100_000;
    let src = format!(
        "(define (f x) (and {}x))\n(display (f 7))\n\
         (define (g x) (case x {}(else 'none)))\n(display (g {}))\n",
        "x ".repeat(n),
        (0..n).map(|i| format!("(({i}) {i}) ")).collect::<String>(),
        n - 1
    );
    let (code, out, err) = run_generated("long.scm", &src);
    assert_eq!(
        code,
        Some(0),
        "{}",
        err.chars().take(2000).collect::<String>()
    );
    // (f 7) is 7 and (g 99999) is 99999.
    assert_eq!(out, format!("7{}", n - 1));
}
