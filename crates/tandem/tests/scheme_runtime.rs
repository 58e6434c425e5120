//! Runtime tests for the Scheme dialect through the real binary: proper tail calls at scale
//! (R7RS 3.5: "a loop of 10^8 tail calls runs in constant memory"), deep non-tail recursion,
//! the `--max-depth` limit, reader nesting limits and the shape of an uncaught error.
//!
//! These run the debug (opt-level 1) binary. 10^8 self tail calls take about 7 s there; the
//! same program was also checked by hand on the release build with `/usr/bin/time -v`
//! (peak RSS about 5 MB, the same as an empty program).

mod common;

use common::{command, scratch_dir, stderr, stdout, tandem, write_file};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// Run `tandem run [flags] file`, `src` saved as `name` in the scratch directory, and
/// collect its output.
fn run(name: &str, src: &str, flags: &[&str]) -> Output {
    let path = write_file(&scratch_dir(), name, src);
    tandem(&[&["run"], flags, &[path.to_str().unwrap()]].concat())
}

fn assert_success(o: &Output, expected: &str) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
    assert_eq!(stdout(o), expected, "stderr:\n{}", stderr(o));
}

/// Run a program and sample its resident set size while it runs (Linux: /proc/PID/status).
/// Returns the output and the largest VmRSS seen, in kB (0 where /proc is not available).
fn run_sampling_rss(name: &str, src: &str) -> (Output, u64) {
    let path = write_file(&scratch_dir(), name, src);
    let mut child = command(&["run"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tandem");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            for line in text.lines() {
                // VmHWM is the peak so far; VmRSS the current size. Take the larger.
                if line.starts_with("VmHWM:") || line.starts_with("VmRSS:") {
                    let kb: u64 = line
                        .split_whitespace()
                        .nth(1)
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    peak = peak.max(kb);
                }
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            panic!("{name} did not finish in 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), peak)
}

// ---------------------------------------------------------------------------------------
// Proper tail calls.

#[test]
fn hundred_million_self_tail_calls_in_a_named_let() {
    let src = "(define (count-down n)\n\
               \x20 (let loop ((i n) (acc 0))\n\
               \x20   (if (= i 0) acc (loop (- i 1) (+ acc 2)))))\n\
               (display (count-down 100000000))\n\
               (newline)\n";
    let (o, peak_kb) = run_sampling_rss("self_tail.scm", src);
    assert_success(&o, "200000000\n");
    // Constant memory: a frame (or even a word) per call would be gigabytes.
    assert!(
        peak_kb < 64 * 1024,
        "10^8 tail calls peaked at {peak_kb} kB of RSS"
    );
}

#[test]
fn ten_million_mutual_tail_calls_through_cond_and_and() {
    let src = "(define (my-even? n)\n\
               \x20 (cond ((= n 0) #t)\n\
               \x20       (else (my-odd? (- n 1)))))\n\
               (define (my-odd? n)\n\
               \x20 (and (not (= n 0))\n\
               \x20      (my-even? (- n 1))))\n\
               (display (my-even? 10000000)) (newline)\n\
               (display (my-odd? 10000001)) (newline)\n\
               (display (my-even? 10000001)) (newline)\n\
               (display (my-odd? 10000000)) (newline)\n";
    let (o, peak_kb) = run_sampling_rss("mutual_tail.scm", src);
    assert_success(&o, "#t\n#t\n#f\n#f\n");
    assert!(
        peak_kb < 64 * 1024,
        "10^7 mutual tail calls peaked at {peak_kb} kB of RSS"
    );
}

#[test]
fn tail_calls_through_every_form_run_in_constant_depth() {
    // Each loop goes a million times through one form, with a max depth far below that: any
    // call that is not a proper tail call overflows the stack.
    let src = r#"
(define n 1000000)
(define (via-if i) (if (= i 0) 'if (via-if (- i 1))))
(define (via-cond i) (cond ((= i 0) 'cond) ((odd? i) (via-cond (- i 1))) (else (via-cond (- i 1)))))
(define (via-case i) (case (remainder i 2) ((0) (if (= i 0) 'case (via-case (- i 1)))) (else (via-case (- i 1)))))
(define (via-and i) (and #t (if (= i 0) 'and (via-and (- i 1)))))
(define (via-or i) (or #f (if (= i 0) 'or (via-or (- i 1)))))
(define (via-when i) (if (= i 0) 'when (when #t (via-when (- i 1)))))
(define (via-unless i) (if (= i 0) 'unless (unless #f (via-unless (- i 1)))))
(define (via-let i) (if (= i 0) 'let (let ((j (- i 1))) (via-let j))))
(define (via-let* i) (if (= i 0) 'let* (let* ((j (- i 1)) (k j)) (via-let* k))))
(define (via-letrec i) (if (= i 0) 'letrec (letrec ((j (- i 1))) (via-letrec j))))
(define (via-begin i) (if (= i 0) 'begin (begin 1 (via-begin (- i 1)))))
(define (via-apply i) (if (= i 0) 'apply (apply via-apply (list (- i 1)))))
(define (via-do i) (do ((k 0 (+ k 1))) ((= k 1) (if (= i 0) 'do (via-do (- i 1))))))
(define (via-named i) (let lp ((j i)) (if (= j 0) 'named-let (lp (- j 1)))))
(define (via-lambda i) (if (= i 0) 'lambda ((lambda (j) (via-lambda j)) (- i 1))))
(for-each (lambda (f) (display (f n)) (newline))
  (list via-if via-cond via-case via-and via-or via-when via-unless via-let via-let*
        via-letrec via-begin via-apply via-do via-named via-lambda))
"#;
    let o = run("every_form.scm", src, &["--max-depth", "1000"]);
    assert_success(
        &o,
        "if\ncond\ncase\nand\nor\nwhen\nunless\nlet\nlet*\nletrec\nbegin\napply\ndo\n\
         named-let\nlambda\n",
    );
}

// ---------------------------------------------------------------------------------------
// Non-tail recursion and the depth limit.

#[test]
fn non_tail_recursion_100000_deep_works() {
    let src = "(define (sum n) (if (= n 0) 0 (+ n (sum (- n 1)))))\n\
               (display (sum 100000)) (newline)\n\
               (define (build n) (if (= n 0) '() (cons n (build (- n 1)))))\n\
               (display (length (build 100000))) (newline)\n\
               (define (len l) (if (null? l) 0 (+ 1 (len (cdr l)))))\n\
               (display (len (map (lambda (x) (* x 2)) (build 100000)))) (newline)\n";
    let o = run("deep.scm", src, &[]);
    assert_success(&o, "5000050000\n100000\n100000\n");
}

#[test]
fn apply_spreads_a_long_list() {
    // Natives and variadic procedures take any number of spread arguments, in tail
    // position too; a fixed-arity procedure reports the count.
    let src = "(define (build n) (let lp ((i n) (acc '())) (if (= i 0) acc (lp (- i 1) (cons i acc)))))\n\
               (display (apply + (build 100000))) (newline)\n\
               (display (length (apply list (build 1000)))) (newline)\n\
               (define (count . xs) (length xs))\n\
               (display (apply count 1 2 (build 300))) (newline)\n\
               (define (last-of first . rest) (if (null? rest) first (apply last-of rest)))\n\
               (display (last-of 1 2 3)) (newline)\n\
               (define (tail-count l) (apply count l))\n\
               (display (tail-count (build 5000))) (newline)\n\
               (define (two a b) a)\n\
               (apply two (build 300))\n";
    let o = run("long_apply.scm", src, &[]);
    assert_eq!(
        stdout(&o),
        "5000050000\n1000\n302\n3\n5000\n",
        "{}",
        stderr(&o)
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("300"), "{}", stderr(&o));
}

#[test]
fn apply_refuses_more_than_its_limit() {
    let src = "(define (build n) (let lp ((i n) (acc '())) (if (= i 0) acc (lp (- i 1) (cons i acc)))))\n\
               (display (apply + (build 1000001)))\n";
    let o = run("huge_apply.scm", src, &[]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("apply: too many arguments (the limit is 1000000)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn max_depth_turns_deep_recursion_into_a_stack_overflow_naming_the_file() {
    let src = "(define (sum n)\n  (if (= n 0) 0 (+ n (sum (- n 1)))))\n\
               (display \"start\") (newline)\n\
               (display (sum 5000))\n";
    let o = run("overflow.scm", src, &["--max-depth", "1000"]);
    assert_eq!(o.status.code(), Some(4), "stderr:\n{}", stderr(&o));
    assert_eq!(stdout(&o), "start\n");
    let err = stderr(&o);
    assert!(err.contains("stack overflow"), "{err}");
    assert!(err.contains("overflow.scm:2:"), "{err}");
    assert!(err.contains("at sum"), "{err}");
    // The trace is abbreviated, not 1000 lines long.
    assert!(err.lines().count() < 100, "{err}");
}

#[test]
fn the_same_recursion_fits_under_a_larger_max_depth() {
    let src = "(define (sum n) (if (= n 0) 0 (+ n (sum (- n 1)))))\n(display (sum 5000))\n";
    let o = run("fits.scm", src, &["--max-depth", "10000"]);
    assert_success(&o, "12502500");
}

// ---------------------------------------------------------------------------------------
// Reader limits: deep nesting is a clean syntax error (exit 3), never a crash.

fn assert_clean_syntax_error(name: &str, src: &str) {
    let o = run(name, src, &[]);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{name}: stderr (first 2000 bytes):\n{}",
        &err[..err.len().min(2000)]
    );
    assert!(err.contains("error"), "{name}");
    assert!(err.contains(name), "{name}: the error should name the file");
    assert!(!err.contains("panicked"), "{name}");
}

#[test]
fn hundred_thousand_open_parentheses_is_a_clean_error() {
    assert_clean_syntax_error("parens.scm", &"(".repeat(100_000));
    let balanced = format!("{}{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_clean_syntax_error("balanced.scm", &balanced);
    assert_clean_syntax_error("parens.jue", &"(".repeat(100_000));
}

#[test]
fn other_deep_nestings_are_clean_errors() {
    assert_clean_syntax_error("quotes.scm", &format!("{}a", "'".repeat(100_000)));
    assert_clean_syntax_error("vectors.scm", &"#(".repeat(100_000));
    assert_clean_syntax_error(
        "quasi.scm",
        &format!("{}{}a", "`".repeat(50_000), ",".repeat(50_000)),
    );
    let calls = format!("{}1{}", "(display ".repeat(100_000), ")".repeat(100_000));
    assert_clean_syntax_error("calls.scm", &calls);
    assert_clean_syntax_error("comments.scm", &"#|".repeat(100_000));
}

#[test]
fn runaway_macro_expansion_is_a_clean_error() {
    for (i, src) in [
        "(define-syntax m (syntax-rules () ((_ x) (m x)))) (m 1)",
        "(define-syntax m (syntax-rules () ((_ x) (m (x))))) (m 1)",
        "(define-syntax m (syntax-rules () ((_ x ...) (m x ... x ...)))) (m 1)",
        "(define-syntax m (syntax-rules () ((_ x) (+ 1 (m x))))) (m 1)",
    ]
    .iter()
    .enumerate()
    {
        assert_clean_syntax_error(&format!("macro{i}.scm"), src);
    }
}

// ---------------------------------------------------------------------------------------
// Uncaught errors.

#[test]
fn uncaught_error_prints_message_location_and_stack_trace() {
    let src = "(define (f x)\n  (+ 1 (g x)))\n(define (g x)\n  (+ 2 (error \"boom\" 1 2)))\n\
               (display \"before\")\n(newline)\n(f 5)\n(display \"after\")\n";
    let o = run("boom.scm", src, &[]);
    assert_eq!(o.status.code(), Some(4), "stderr:\n{}", stderr(&o));
    assert_eq!(stdout(&o), "before\n");
    let err = stderr(&o);
    // The message with its irritants, as `error: boom 1 2` (the spec allows `Error: boom 1 2`).
    assert!(err.to_lowercase().contains("error: boom 1 2"), "{err}");
    assert!(err.contains("stack trace"), "{err}");
    // The frames of the user's program, innermost first, with file:line:col (the file is
    // named by the path it was run with).
    let frame = |func: &str, loc: &str| {
        err.lines()
            .position(|l| l.trim_start().starts_with(&format!("at {func} (")) && l.contains(loc))
            .unwrap_or_else(|| panic!("no frame for {func} at {loc} in:\n{err}"))
    };
    let g = frame("g", "boom.scm:4:");
    let f = frame("f", "boom.scm:2:");
    let main = frame("<main>", "boom.scm:7:1)");
    assert!(g < f && f < main, "{err}");
}

#[test]
fn uncaught_error_in_tail_position_still_names_the_call_site() {
    // f and g tail-call, so their frames are gone; the trace still reaches the top-level call.
    let src = "(define (f x) (g x))\n(define (g x) (error \"boom\" 1 2))\n(f 5)\n";
    let o = run("tailboom.scm", src, &[]);
    assert_eq!(o.status.code(), Some(4), "stderr:\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.to_lowercase().contains("error: boom 1 2"), "{err}");
    assert!(err.contains("tailboom.scm:3:1"), "{err}");
}

#[test]
fn uncaught_error_headline_location_is_in_the_users_file() {
    let src = "(define (g x)\n  (+ 2 (error \"boom\" 1 2)))\n(g 1)\n";
    let o = run("headline.scm", src, &[]);
    let err = stderr(&o);
    let headline = err
        .lines()
        .find(|l| l.trim_start().starts_with("-->"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(headline.contains("headline.scm:2:"), "{err}");
}

#[test]
fn runtime_error_from_a_builtin_points_at_the_user_code() {
    let o = run("car.scm", "(display 1)\n(newline)\n(car 5)\n", &[]);
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(stdout(&o), "1\n");
    let err = stderr(&o);
    assert!(err.contains("car"), "{err}");
    assert!(err.contains("car.scm:3:1"), "{err}");
}

#[test]
fn raise_of_a_non_condition_is_reported() {
    let o = run("raise.scm", "(raise 'oops)\n", &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("oops"), "{}", stderr(&o));
}
