//! Checks of the generator itself: its programs compile, run quickly, reach hot loops, catch
//! errors, take the default mode past its thresholds and cover each feature, and shrinking
//! keeps them valid.

use crate::ast::Program;
use crate::campaign::{case_rng, runner_config};
use crate::common::temp_dir;
use crate::print::{print, source, Lang, Printed};
use crate::run::{
    run_mode, JitReach, JitStats, Mode, Outcome, DEFAULT, INTERNAL_ERROR, OFF, SYNTAX_ERROR,
};
use crate::strategy::program;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `n` programs of the generator from a fixed seed.
fn sample_trees(lang: Lang, n: u64) -> Vec<Program> {
    let strategy = program();
    (0..n)
        .map(|i| {
            let mut runner =
                TestRunner::new_with_rng(runner_config(0), case_rng(0x005A_3F1E, lang, i));
            strategy.new_tree(&mut runner).expect("generate").current()
        })
        .collect()
}

/// The sources of [`sample_trees`].
fn sample_programs(lang: Lang, n: u64) -> Vec<String> {
    let trees = sample_trees(lang, n);
    trees.iter().map(|p| source(p, lang)).collect()
}

/// Run programs `srcs` in `mode` on worker threads; their outcomes and run times.
fn run_all(
    lang: Lang,
    srcs: Vec<String>,
    tag: &str,
    mode: Mode,
) -> Vec<(String, Outcome, Duration)> {
    let n = srcs.len();
    let queue = Arc::new(Mutex::new(srcs.into_iter().enumerate().collect::<Vec<_>>()));
    let results = Arc::new(Mutex::new(Vec::new()));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let workers: Vec<_> = (0..threads)
        .map(|w| {
            let queue = queue.clone();
            let results = results.clone();
            let tag = tag.to_string();
            std::thread::spawn(move || {
                let dir = temp_dir(&format!("jit-diff-{tag}-{}-{w}", lang.name()));
                let file = dir.join(format!("p.{}", lang.ext()));
                loop {
                    let Some((i, src)) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    std::fs::write(&file, &src).unwrap();
                    let (o, t) = run_mode(&file, mode);
                    results.lock().unwrap().push((i, src, o, t));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let mut r = std::mem::take(&mut *results.lock().unwrap());
    assert_eq!(r.len(), n);
    r.sort_by_key(|x| x.0);
    r.into_iter().map(|(_, s, o, t)| (s, o, t)).collect()
}

/// Whether output line `l` is a loop probe (`pN COUNTER ...`) whose counter is past 1000,
/// which shows a hot loop ran.
pub fn hot_probe(l: &str) -> bool {
    let mut w = l.split(' ');
    w.next()
        .is_some_and(|p| p.starts_with('p') && p[1..].parse::<u32>().is_ok())
        && w.next()
            .and_then(|c| c.parse::<u64>().ok())
            .is_some_and(|c| c >= 1000)
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole.max(1) as f64
}

/// Generated programs parse and compile, run quickly, and do what they are meant to: reach
/// hot loops, catch errors, end some runs in uncaught errors, and never name an undefined
/// variable.
pub fn programs_are_valid(lang: Lang) {
    const N: usize = 300;
    let results = run_all(lang, sample_programs(lang, N as u64), "valid", OFF);
    let mut syntax = Vec::new();
    let mut bad = Vec::new();
    let (mut clean, mut uncaught, mut caught, mut hot) = (0, 0, 0, 0);
    let mut times: Vec<Duration> = Vec::new();
    for (src, o, t) in &results {
        times.push(*t);
        match o.code {
            Some(0) => clean += 1,
            Some(4) => uncaught += 1,
            Some(SYNTAX_ERROR) => syntax.push(format!("{}\n{src}", o.stderr)),
            _ => bad.push(format!(
                "exit {:?}, timed out: {}\n{}\n{src}",
                o.code, o.timed_out, o.stderr
            )),
        }
        let lower = o.stderr.to_lowercase();
        if lower.contains("undefined variable")
            || lower.contains("unbound")
            || lower.contains("not defined")
        {
            bad.push(format!("names an undefined variable:\n{}\n{src}", o.stderr));
        }
        if o.stdout.lines().any(|l| l.starts_with("caught")) {
            caught += 1;
        }
        if o.stdout.lines().any(hot_probe) {
            hot += 1;
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "{} generator: {N} programs: {:.1}% clean, {:.1}% uncaught runtime error, {:.1}% syntax error, \
         {:.1}% catch errors, {:.1}% reach a hot loop; run time median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        lang.name(),
        percent(clean, N),
        percent(uncaught, N),
        percent(syntax.len(), N),
        percent(caught, N),
        percent(hot, N),
        ms(times[N / 2]),
        ms(times[N * 95 / 100]),
        ms(times[N - 1]),
    );
    assert!(
        bad.is_empty(),
        "generated programs went wrong:\n\n{}",
        bad.join("\n\n")
    );
    assert!(
        percent(syntax.len(), N) < 1.0,
        "{} of {N} generated programs do not compile:\n\n{}",
        syntax.len(),
        syntax.join("\n\n")
    );
    assert!(
        percent(clean, N) >= 50.0,
        "only {clean} of {N} programs ran to the end"
    );
    assert!(
        percent(uncaught, N) >= 5.0,
        "only {uncaught} of {N} programs ended in an uncaught error"
    );
    assert!(
        percent(caught, N) >= 25.0,
        "only {caught} of {N} programs caught an error"
    );
    assert!(
        percent(hot, N) >= 40.0,
        "only {hot} of {N} programs reached a hot loop"
    );
    // Well under a second each; the margin is for a loaded machine.
    assert!(
        times[N - 1] < Duration::from_secs(3),
        "a program ran for {:?}",
        times[N - 1]
    );
    assert!(
        times[N * 95 / 100] < Duration::from_millis(500),
        "p95 run time {:?}",
        times[N * 95 / 100]
    );
}

/// Enough programs take the default mode's paths: compiling a function after 500 calls, a
/// loop after 1000 back edges (entered by on-stack replacement), deoptimizing and
/// recompiling. Their runs also show that the JIT's statistics line is read and taken off.
pub fn reaches_jit_thresholds(lang: Lang) {
    // Without the JIT (`--no-default-features`) there are no thresholds to reach.
    if !tandem::Engine::with_output(Box::new(std::io::sink())).jit_available() {
        return;
    }
    const N: usize = 100;
    let printed: Vec<Printed> = sample_trees(lang, N as u64)
        .iter()
        .map(|p| print(p, lang))
        .collect();
    let srcs = printed.iter().map(|p| p.src.clone()).collect();
    let results = run_all(lang, srcs, "thresholds", DEFAULT);
    let mut reach = JitReach::default();
    let (mut driver_set, mut driver_ran, mut hot_loop) = (0, 0, 0);
    for ((src, o, _), p) in results.iter().zip(&printed) {
        let stats = o.jit_stats.as_deref().and_then(JitStats::parse);
        let Some(stats) = stats else {
            panic!("no JIT statistics line in stderr:\n{}\n{src}", o.stderr);
        };
        assert!(!o.stderr.contains("jit: "), "{}", o.stderr);
        reach.add(&stats);
        if let Some((id, iterations)) = p.driver {
            driver_set += usize::from(iterations >= 500);
            // A probe line of the driver loop (`pID COUNTER ...`) past iteration 500.
            let label = format!("p{id} ");
            driver_ran += usize::from(o.stdout.lines().any(|l| {
                l.strip_prefix(&label)
                    .and_then(|rest| rest.split(' ').next()?.parse::<u64>().ok())
                    .is_some_and(|counter| counter >= 500)
            }));
        }
        hot_loop += usize::from(o.stdout.lines().any(hot_probe));
    }
    eprintln!(
        "{} generator: {:.1}% of programs have a driver loop calling every function 500 times \
         or more, in {:.1}% it got past call 500; {:.1}% ran a loop past iteration 1000; {reach}",
        lang.name(),
        percent(driver_set, N),
        percent(driver_ran, N),
        percent(hot_loop, N),
    );
    // What the JIT does with what it sees changes as it evolves, so these are floors well
    // below what the generator gets now (80-100% for functions; loops: about 95% in Ruff,
    // about 15% in Scheme, whose loops mostly sit in functions called often enough to be
    // compiled whole before their loops count 1000 back edges; 10-90% for the rest).
    let loop_floor = match lang {
        Lang::Ruff => 60.0,
        Lang::Scheme => 8.0,
    };
    let floors = [
        ("drive every function 500 times", driver_set as u64, 70.0),
        ("compiled a function", reach.functions, 60.0),
        ("compiled a loop", reach.loops, loop_floor),
        ("entered a loop by OSR", reach.osr, loop_floor),
        ("deoptimized", reach.deopts, 5.0),
        ("recompiled", reach.recompiles, 3.0),
    ];
    for (what, count, min_percent) in floors {
        assert!(
            reach.percent(count) >= min_percent,
            "{}: only {count} of {N} programs {what}",
            lang.name()
        );
    }
}

/// Every feature the generator is meant to cover appears in a fair share of programs.
pub fn covers_features(lang: Lang) {
    let features = match lang {
        Lang::Ruff => RUFF_FEATURES,
        Lang::Scheme => SCHEME_FEATURES,
    };
    const N: usize = 400;
    let srcs = sample_programs(lang, N as u64);
    let mut missing = Vec::new();
    for &(what, needle, min_percent) in features {
        let n = srcs.iter().filter(|s| s.contains(needle)).count();
        if percent(n, N) < min_percent {
            missing.push(format!(
                "{what} ({needle:?}): in {:.1}% of programs, want {min_percent}%",
                percent(n, N)
            ));
        }
    }
    // A loop header: a line with a loop counter (`i12`) and a bound of 1000 or more.
    let hot = srcs
        .iter()
        .filter(|s| {
            s.lines().any(|l| {
                let words: Vec<&str> = l
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                words
                    .iter()
                    .any(|w| w.starts_with('i') && w[1..].parse::<u32>().is_ok())
                    && words
                        .iter()
                        .filter_map(|w| w.parse::<u64>().ok())
                        .any(|n| (1000..=5000).contains(&n))
            })
        })
        .count();
    if percent(hot, N) < 50.0 {
        missing.push(format!(
            "loops of 1000 or more iterations: in {:.1}% of programs",
            percent(hot, N)
        ));
    }
    // `f2 := f0`, `(set! cl1_0 cl0_1)`: a global function rebound while the program runs.
    let is_fn = |w: &str| {
        let w = w.trim_matches(|c| c == '(' || c == ')');
        (w.starts_with('f') && w[1..].parse::<u32>().is_ok())
            || (w.starts_with("cl") && w.contains('_'))
    };
    let rebinds = srcs
        .iter()
        .filter(|s| {
            s.lines().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                match w[..] {
                    [a, ":=", b] => is_fn(a) && is_fn(b),
                    ["(set!", a, b] => is_fn(a) && is_fn(b),
                    _ => false,
                }
            })
        })
        .count();
    eprintln!(
        "{}: {:.1}% of programs rebind a function",
        lang.name(),
        percent(rebinds, N)
    );
    if percent(rebinds, N) < 3.0 {
        missing.push(format!(
            "rebinding functions: in {:.1}% of programs",
            percent(rebinds, N)
        ));
    }
    assert!(
        missing.is_empty(),
        "{} generator lacks:\n{}",
        lang.name(),
        missing.join("\n")
    );
}

/// What Ruff programs must contain: (what, a piece of source that shows it, the least
/// percentage of programs).
const RUFF_FEATURES: &[(&str, &str, f64)] = &[
    ("while loops", "while i", 10.0),
    ("for-range loops", "in range(", 10.0),
    ("loop/break", "loop {", 10.0),
    ("for over an array", "for el", 3.0),
    ("break", "break\n", 20.0),
    ("continue", "continue\n", 10.0),
    ("try/except", "} except e", 50.0),
    ("throw", "throw(", 30.0),
    ("the error stack", ".stack)", 10.0),
    ("return from a loop or branch", "    return ", 20.0),
    ("self tail calls", "return t", 10.0),
    ("mutual tail calls", "return mb", 5.0),
    ("non-tail recursion", "func r", 5.0),
    ("closure factories", "return func(v)", 10.0),
    ("inner closures", ":= func(v)", 10.0),
    ("push", "push(", 20.0),
    ("index assignment", "] := ", 30.0),
    ("string concatenation", "\" + ", 10.0),
    ("to_int", "to_int(", 20.0),
    ("to_float", "to_float(", 20.0),
    ("i64::MAX", "9223372036854775807", 20.0),
    ("i64::MIN", "(-9223372036854775807 - 1)", 5.0),
    ("infinity", "(1e308 * 10.0)", 7.0),
    ("NaN", "(1e308 * 10.0 - 1e308 * 10.0)", 5.0),
    ("-0.0", "(-0.0)", 5.0),
    ("0.1", "0.1", 10.0),
    ("denormals", "5e-324", 5.0),
    ("a type change midway through a loop", " == ", 50.0),
    ("the loop accumulator", "acc", 30.0),
    ("integer division", " / ", 40.0),
    ("modulo", " % ", 80.0),
];

/// What Scheme programs must contain, as [`RUFF_FEATURES`].
const SCHEME_FEATURES: &[(&str, &str, f64)] = &[
    ("named let", "(let lp", 30.0),
    ("do loops", "(do ((", 10.0),
    ("letrec loops", "(letrec ((lp", 10.0),
    ("vector-for-each", "(vector-for-each", 3.0),
    ("call/cc escapes", "(call/cc", 20.0),
    ("guard", "(guard", 50.0),
    ("raise", "(raise", 20.0),
    ("error", "(error \"thrown\"", 20.0),
    ("self tail calls", "(define (t", 10.0),
    ("mutual tail calls", "(define (mb", 5.0),
    ("non-tail recursion", "(define (r", 5.0),
    ("closure factories", "(define (mk", 10.0),
    ("inner closures", "(lambda (v) (set! l0", 10.0),
    ("vector push", "vector-append", 20.0),
    ("vector-set!", "(vector-set!", 30.0),
    ("string-append", "(string-append", 10.0),
    ("quotient", "(quotient", 30.0),
    ("exact conversion", "(exact (truncate", 20.0),
    ("inexact conversion", "(exact->inexact", 20.0),
    ("i64::MAX", "9223372036854775807", 20.0),
    ("i64::MIN", "-9223372036854775808", 5.0),
    ("infinity", "+inf.0", 5.0),
    ("NaN", "(/ 0.0 0.0)", 5.0),
    ("-0.0", "-0.0", 5.0),
    ("0.1", "0.1", 10.0),
    ("denormals", "5e-324", 5.0),
    ("equal? on changing types", "(equal?", 10.0),
];

/// Shrinking keeps programs valid: every step proptest may take still compiles.
pub fn shrunk_programs_stay_valid() {
    for lang in [Lang::Ruff, Lang::Scheme] {
        let strategy = program();
        let mut srcs = Vec::new();
        for i in 0..10 {
            let mut runner =
                TestRunner::new_with_rng(runner_config(0), case_rng(0xC0FFEE, lang, i));
            let mut tree = strategy.new_tree(&mut runner).expect("generate");
            // Simplify as if every step still failed, then as if none did, alternately.
            for step in 0..40 {
                let moved = if step % 3 == 2 {
                    tree.complicate()
                } else {
                    tree.simplify()
                };
                if !moved {
                    break;
                }
                srcs.push(source(&tree.current(), lang));
            }
        }
        let n = srcs.len();
        let broken: Vec<String> = run_all(lang, srcs, "shrink", OFF)
            .into_iter()
            .filter(|(_, o, _)| {
                o.code == Some(SYNTAX_ERROR) || o.code == Some(INTERNAL_ERROR) || o.timed_out
            })
            .map(|(src, o, _)| format!("{}\n{src}", o.stderr))
            .collect();
        assert!(
            broken.is_empty(),
            "{} of {n} shrunk {} programs are broken:\n\n{}",
            broken.len(),
            lang.name(),
            broken.join("\n\n")
        );
    }
}
