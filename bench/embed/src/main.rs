//! What it costs to create an engine, for a host that makes one per request: tandem's
//! `Engine::new()` against Lua 5.4's `Lua::new()` (mlua, standard libraries loaded), each
//! created and dropped many times in this one process. Also the first small script on a new
//! engine, and (for tandem) one naming a function of the Ruff prelude, which loads then
//! (with the JIT in its default mode, and off).
//!
//! Prints, for each case, the median over rounds of the time per iteration.

use std::hint::black_box;
use std::time::Instant;

/// Median over `rounds` of the time per iteration of `f` (run `iters` times a round), in µs.
fn measure(rounds: usize, iters: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 + 1 {
        f();
    }
    let mut per: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / iters as f64
        })
        .collect();
    per.sort_by(|a, b| a.partial_cmp(b).unwrap());
    per[rounds / 2]
}

fn main() {
    let (rounds, iters) = (15, 2000);
    let cases: Vec<(&str, Box<dyn FnMut()>)> = vec![
        (
            "tandem Engine::new() + drop",
            Box::new(|| drop(black_box(tandem::Engine::new()))),
        ),
        (
            "lua54  Lua::new() + drop",
            Box::new(|| drop(black_box(mlua::Lua::new()))),
        ),
        (
            "tandem new + run `x := 1 + 1`",
            Box::new(|| {
                let mut e = tandem::Engine::new();
                e.run_source("x.ruff", "x := 1 + 1").unwrap();
                black_box(e);
            }),
        ),
        (
            "lua54  new + run `x = 1 + 1`",
            Box::new(|| {
                let lua = mlua::Lua::new();
                lua.load("x = 1 + 1").exec().unwrap();
                black_box(lua);
            }),
        ),
        (
            "tandem new + run a program naming `map`",
            Box::new(|| {
                let mut e = tandem::Engine::new();
                e.run_source("m.ruff", "x := map([1, 2], func(v) { return v })")
                    .unwrap();
                black_box(e);
            }),
        ),
        (
            "tandem the same, JIT off",
            Box::new(|| {
                let mut e = tandem::Engine::new();
                e.set_jit_mode(tandem::JitMode::Off);
                e.run_source("m.ruff", "x := map([1, 2], func(v) { return v })")
                    .unwrap();
                black_box(e);
            }),
        ),
    ];
    // `CASE N`: run only case CASE (from 0), N times, untimed: for counting instructions
    // (`valgrind --tool=callgrind`, `perf stat`), which a busy machine does not disturb.
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if let [case, n] = args[..] {
        let (_, mut f) = cases.into_iter().nth(case).expect("no such case");
        for _ in 0..n {
            f();
        }
        return;
    }
    for (name, mut f) in cases {
        let us = measure(rounds, iters, &mut f);
        println!("{name:<42} {us:>9.2} µs");
    }
}
