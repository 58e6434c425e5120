//! `examples/embed.rs`, the acceptance program of issue 10's host API, runs and writes what
//! its comments say: each `writeln!` line ends with a comment holding the line it writes.

#[allow(dead_code)] // its `main`: the test calls `run`
#[path = "../../../examples/embed.rs"]
mod embed;

const SOURCE: &str = include_str!("../../../examples/embed.rs");

/// The comments at the end of the example's `writeln!(out, ...)` lines, in order.
fn promised_lines() -> Vec<&'static str> {
    SOURCE
        .lines()
        .filter(|l| l.trim_start().starts_with("writeln!(out"))
        .map(|l| match l.split_once("; // ") {
            Some((_, comment)) => comment.trim(),
            None => panic!("a writeln! line without its comment: {l}"),
        })
        .collect()
}

#[test]
fn the_embedding_example_writes_what_its_comments_say() {
    let promised = promised_lines();
    // The program writes every kind of result the issue asks for.
    assert!(promised.len() >= 10, "{promised:?}");
    let mut out = Vec::new();
    embed::run(&mut out).unwrap_or_else(|e| panic!("the example failed: {e}"));
    let text = String::from_utf8(out).unwrap();
    let written: Vec<&str> = text.lines().collect();
    assert_eq!(written.len(), promised.len(), "{text}");
    for (w, p) in written.iter().zip(&promised) {
        assert_eq!(w, p, "what the example wrote, and what its comment says");
    }
}
