//! Embedding tandem in a Rust program: the acceptance program of issue 10's host API.
//!
//!     cargo run -p tandem --example embed
//!
//! Each line it writes is the comment at the end of the `writeln!` that writes it
//! (`tests/host_example.rs` runs this program and checks that). `docs/embedding.md` is the
//! guide.

use std::io::Write;
use std::time::Duration;
use tandem::{Dialect, Engine, HostType};

// Your types derive serde's traits: `#[derive(Serialize, Deserialize)]`, with serde's `derive`
// feature. This repository builds no proc-macro crates (its binary is linked statically), so
// `embed_serde.rs` writes out what the derive would generate for the two types here.
#[path = "embed_serde.rs"]
mod embed_serde;

#[derive(Debug, PartialEq)]
struct MyStruct {
    x: f64,
    y: f64,
    tags: Vec<String>,
}

/// A host type: registered below as the script type `Point`, with Rust methods.
#[derive(Debug)]
struct Point {
    x: f64,
    y: f64,
}

impl HostType for Point {}

/// The program, writing what it shows to `out`.
pub fn run(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::new();
    engine.register_fn("add", |a: i64, b: i64| a + b); // typed, 0..=6 arguments
    engine.register_fn("greet", |name: String| format!("hello, {name}"));
    engine.register_fn("safe_div", |a: i64, b: i64| -> Result<i64, String> {
        if b == 0 {
            Err("divide by zero".into()) // Err = a script error with this text
        } else {
            Ok(a / b)
        }
    });

    let n: i64 = engine.eval(Dialect::Ruff, "add(40, 2)")?;
    writeln!(out, "{n}")?; // 42
    let s: String = engine.eval(Dialect::Scheme, "(greet \"scheme\")")?;
    writeln!(out, "{s}")?; // hello, scheme
    let err = engine
        .eval::<i64, _>(Dialect::Ruff, "safe_div(1, 0)")
        .unwrap_err();
    writeln!(out, "{err}")?; // divide by zero

    engine.run_source("lib.ruff", "func area(w, h) { return w * h }")?;
    let a: i64 = engine.call_fn("area", (6i64, 7i64))?; // call a script function
    writeln!(out, "{a}")?; // 42

    let my_serde_struct = MyStruct {
        x: 1.5,
        y: -2.0,
        tags: vec!["a".into(), "b".into()],
    };
    let v = engine.to_value(&my_serde_struct)?; // serde::Serialize -> Value
    writeln!(out, "{}", engine.display(v))?; // {"tags": [a, b], "x": 1.5, "y": -2}
    let back: MyStruct = engine.from_value(v)?; // Value -> serde::Deserialize
    writeln!(out, "{}", back == my_serde_struct)?; // true
    let q: MyStruct = engine.eval(
        Dialect::Ruff,
        "p := {\"x\": 3.0, \"y\": 4.0, \"tags\": [\"t\"]}\np",
    )?;
    writeln!(out, "{q:?}")?; // MyStruct { x: 3.0, y: 4.0, tags: ["t"] }

    // A Rust struct as a script type, with methods and fields, in both dialects.
    engine
        .register_type::<Point>()?
        .method("norm", |p: &Point| (p.x * p.x + p.y * p.y).sqrt())
        .method("scale", |p: &mut Point, k: f64| {
            p.x *= k;
            p.y *= k;
        });
    let r: f64 = engine.eval(
        Dialect::Ruff,
        "p := Point { x: 3, y: 4 }\np.scale(2)\np.norm()",
    )?;
    writeln!(out, "{r}")?; // 10
    let x: f64 = engine.eval(
        Dialect::Scheme,
        "(define p (make-point 3 4))\n(point-x-set! p 6)\n(point-x p)",
    )?;
    writeln!(out, "{x}")?; // 6

    // Limits: an instruction budget, a wall-clock timeout, an interrupt from another
    // thread, the call depth and the memory scripts keep. A limit stops the run with
    // `Error::Limit`; scripts cannot catch it, and the engine goes on.
    engine.set_fuel(Some(1_000_000)); // calls and loop iterations per run
    let spin = engine
        .eval::<(), _>(Dialect::Ruff, "while true {}")
        .unwrap_err();
    writeln!(out, "{spin}")?; // fuel exhausted (the limit is 1000000 calls and loop iterations)
    engine.set_fuel(None);
    engine.set_timeout(Some(Duration::from_millis(200)));
    let h = engine.interrupt_handle(); // Send + Sync; h.interrupt() from another thread stops the script
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        h.interrupt();
    });
    let stopped = engine
        .eval::<(), _>(Dialect::Scheme, "(let loop () (loop))")
        .unwrap_err();
    stopper.join().expect("the interrupting thread");
    writeln!(out, "{}", matches!(stopped, tandem::Error::Limit(_)))?; // true
    engine.set_timeout(None);
    engine.set_max_depth(10_000);
    engine.set_memory_limit(Some(64 << 20));
    let depth = engine
        .eval::<i64, _>(Dialect::Ruff, "func f(n) { return 1 + f(n + 1) }\nf(0)")
        .unwrap_err();
    writeln!(out, "{depth}")?; // stack overflow: more than 10000 nested calls
    let after: i64 = engine.eval(Dialect::Ruff, "add(1, 1)")?; // the engine goes on after errors
    writeln!(out, "{after}")?; // 2
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&mut std::io::stdout().lock())
}
