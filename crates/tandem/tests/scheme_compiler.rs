//! Compiler tests for the Scheme dialect through the disassembler: which calls become tail
//! calls (R7RS 3.5, "Proper tail calls") and where the jumps of `if` land.
//!
//! A Scheme function is listed under its name: `(define (fact n) ...)` is `function fact (`,
//! a lambda bound by `let`/`letrec` is named after its variable, a named `let` after its
//! name, and the loop of a `do` is `do-loop`.
//!
//! Tail calls are `TAILCALL`, `TAILCALLG` (global callee) and `TAILCALLLIST` (`apply`); plain
//! calls are `CALL`, `CALLG`, `CALLLIST` and `CALLMETHOD`.
//!
//! The tests allow for optimizations the compiler may or may not make: standard procedures
//! such as `-`, `*` and `=` may be ordinary global calls (`CALLG`) or inline instructions
//! (`ADDI`, `MUL`, `JMPNEQI`, ...), and a named `let` or `do` loop may be a function of its
//! own that calls itself with `TAILCALL` or a loop inside the enclosing function (a backward
//! `JMP`). What they insist on is that nothing in a non-tail position is a tail call, and that
//! every call in tail position is a tail call (or a jump).

mod common;

use common::{disassemble, disassemble_in, function_section, temp_dir, write_file};
use tandem::{Dialect, Engine};

/// The whole disassembly of a Scheme program.
fn disasm_all(src: &str) -> String {
    disassemble("t.scm", src, Dialect::Scheme)
}

/// The section of a disassembly for function `name` (its header line up to the next
/// function), if there is one; there must not be two functions of that name.
fn section(text: &str, name: &str) -> Option<String> {
    let found = function_section(text, name)?;
    assert!(
        text.matches(&format!("function {name} (")).count() == 1,
        "two functions named {name} in:\n{text}"
    );
    Some(found)
}

/// [`section`], panicking when there is no function `name`.
fn section_of(text: &str, name: &str) -> String {
    section(text, name).unwrap_or_else(|| panic!("no function {name} in:\n{text}"))
}

/// The disassembly of function `name` (its header line up to the next function).
fn disasm_of(src: &str, name: &str) -> String {
    section_of(&disasm_all(src), name)
}

/// The code of a loop (a named `let` called `name`, or a `do` loop when `name` is
/// `do-loop`) written in function `outer`. If the loop became a function of its own, that
/// function must go round with a `TAILCALL`, and its code is returned. If it became a loop
/// inside `outer`, `outer` must jump backwards, and `outer`'s code is returned.
fn loop_code(src: &str, outer: &str, name: &str) -> (String, Vec<Instr>) {
    let text = disasm_all(src);
    if let Some(d) = section(&text, name) {
        let code = instrs(&d);
        assert!(
            count(&code, "TAILCALL") >= 1,
            "loop {name} without a TAILCALL:\n{d}"
        );
        return (d, code);
    }
    let d = section_of(&text, outer);
    let code = instrs(&d);
    assert!(
        code.iter()
            .any(|i| i.op == "JMP" && i.target().is_some_and(|t| t <= i.pc)),
        "loop {name} is neither a function nor a backward jump in:\n{text}"
    );
    (d, code)
}

/// One instruction: its index, mnemonic and operand text.
#[derive(Debug, Clone)]
struct Instr {
    pc: usize,
    op: String,
    args: String,
}

impl Instr {
    /// The global a `CALLG`/`TAILCALLG` calls: the name in `gNNN(name)`.
    fn global(&self) -> Option<&str> {
        let g = self.args.rsplit(", ").next()?;
        let open = g.find('(')?;
        if !g.starts_with('g') {
            return None;
        }
        g[open + 1..].strip_suffix(')')
    }

    /// The target of a jump: the `NNNN` in `->NNNN`.
    fn target(&self) -> Option<usize> {
        let at = self.args.find("->")?;
        let digits: String = self.args[at + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }

    fn is_tail_call(&self) -> bool {
        matches!(self.op.as_str(), "TAILCALL" | "TAILCALLG" | "TAILCALLLIST")
    }

    fn is_plain_call(&self) -> bool {
        matches!(
            self.op.as_str(),
            "CALL" | "CALLG" | "CALLLIST" | "CALLMETHOD"
        )
    }
}

/// The instructions of a function's disassembly, in order (lines `  NNNN  OP  args`).
fn instrs(disasm: &str) -> Vec<Instr> {
    let mut out = Vec::new();
    for line in disasm.lines() {
        let Some(rest) = line.strip_prefix("  ") else {
            continue;
        };
        let (pc, rest) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
        if pc.len() != 4 || !pc.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let rest = rest.trim();
        let (op, args) = match rest.find(' ') {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let pc: usize = pc.parse().unwrap();
        assert_eq!(pc, out.len(), "instruction numbering in:\n{disasm}");
        out.push(Instr {
            pc,
            op: op.to_string(),
            args: args.to_string(),
        });
    }
    assert!(!out.is_empty(), "no instructions in:\n{disasm}");
    out
}

fn tail_calls(code: &[Instr]) -> usize {
    code.iter().filter(|i| i.is_tail_call()).count()
}

fn plain_calls(code: &[Instr]) -> usize {
    code.iter().filter(|i| i.is_plain_call()).count()
}

fn count(code: &[Instr], op: &str) -> usize {
    code.iter().filter(|i| i.op == op).count()
}

/// Names of the globals called in tail position (`TAILCALLG`), in order.
fn tail_globals(code: &[Instr]) -> Vec<String> {
    code.iter()
        .filter(|i| i.op == "TAILCALLG")
        .filter_map(|i| i.global().map(str::to_string))
        .collect()
}

/// Names of the globals called in non-tail position (`CALLG`), in order.
fn plain_globals(code: &[Instr]) -> Vec<String> {
    code.iter()
        .filter(|i| i.op == "CALLG")
        .filter_map(|i| i.global().map(str::to_string))
        .collect()
}

/// Every name in `got` is one of `allowed`.
fn assert_subset(got: &[String], allowed: &[&str], d: &str) {
    for g in got {
        assert!(
            allowed.contains(&g.as_str()),
            "unexpected call to {g} (allowed: {allowed:?}) in:\n{d}"
        );
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn names(list: &[&str]) -> Vec<String> {
    sorted(list.iter().map(|s| s.to_string()).collect())
}

/// Every function ends in a return or a tail call (no falling off the end), and every jump
/// lands on an instruction of the same function.
fn assert_well_formed(disasm: &str) {
    let code = instrs(disasm);
    for i in &code {
        if let Some(t) = i.target() {
            assert!(
                t < code.len(),
                "jump at {:04} to ->{t:04} is past the end in:\n{disasm}",
                i.pc
            );
        }
    }
    let last = code.last().unwrap();
    assert!(
        last.is_tail_call() || last.op.starts_with("RETURN") || last.op == "JMP",
        "function falls off its end in:\n{disasm}"
    );
}

/// The pc of the first instruction satisfying `pred`.
fn find(code: &[Instr], pred: impl Fn(&Instr) -> bool, what: &str, disasm: &str) -> usize {
    code.iter()
        .find(|i| pred(i))
        .map(|i| i.pc)
        .unwrap_or_else(|| panic!("no {what} in:\n{disasm}"))
}

/// The code of function `name` in `src`, checked: it calls exactly the globals `tail` in tail
/// position and `plain` elsewhere (each in order), and is well formed.
fn assert_calls(src: &str, name: &str, tail: &[&str], plain: &[&str]) -> (String, Vec<Instr>) {
    let d = disasm_of(src, name);
    let code = instrs(&d);
    assert_eq!(tail_globals(&code), tail, "{d}");
    assert_eq!(plain_globals(&code), plain, "{d}");
    assert_well_formed(&d);
    (d, code)
}

fn tail_call_to(name: &'static str) -> impl Fn(&Instr) -> bool {
    move |i: &Instr| i.op == "TAILCALLG" && i.global() == Some(name)
}

fn call_to(name: &'static str) -> impl Fn(&Instr) -> bool {
    move |i: &Instr| i.op == "CALLG" && i.global() == Some(name)
}

// ---------------------------------------------------------------------------------------
// Self and mutual recursion.

#[test]
fn accumulator_factorial_has_exactly_one_tail_call_the_recursive_one() {
    let d = disasm_of(
        "(define (fact n acc) (if (zero? n) acc (fact (- n 1) (* n acc))))",
        "fact",
    );
    let code = instrs(&d);
    assert_eq!(tail_calls(&code), 1, "{d}");
    assert_eq!(tail_globals(&code), ["fact"], "{d}");
    // zero?, - and * are plain global calls or inline instructions (at the time of writing,
    // zero? is a CALLG, (- n 1) an ADDI and (* n acc) a MUL), never tail calls.
    assert!(plain_calls(&code) <= 3, "{d}");
    assert_subset(&plain_globals(&code), &["zero?", "-", "*"], &d);
    // The recursive call is the last instruction: nothing runs after it.
    assert_eq!(code.last().unwrap().op, "TAILCALLG", "{d}");
    assert_well_formed(&d);
}

#[test]
fn non_tail_factorial_calls_itself_with_a_plain_call() {
    let d = disasm_of(
        "(define (fact n) (if (zero? n) 1 (* n (fact (- n 1)))))",
        "fact",
    );
    let code = instrs(&d);
    // The recursive call is an argument of *: a plain call.
    assert_eq!(code.iter().filter(|i| call_to("fact")(i)).count(), 1, "{d}");
    // No tail call to fact. The only call that may be a tail call is the one to *, which is in
    // tail position (unless * is compiled inline).
    assert!(!tail_globals(&code).iter().any(|g| g == "fact"), "{d}");
    assert_subset(&tail_globals(&code), &["*"], &d);
    assert!(tail_calls(&code) <= 1, "{d}");
    assert_subset(&plain_globals(&code), &["zero?", "-", "fact"], &d);
    assert_well_formed(&d);
}

#[test]
fn mutual_recursion_through_letrec_uses_tail_calls() {
    let src = "(define (parity n)\n\
               \x20 (letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1)))))\n\
               \x20          (od? (lambda (n) (if (= n 0) #f (ev? (- n 1))))))\n\
               \x20   (ev? n)))";
    for name in ["ev?", "od?"] {
        let d = disasm_of(src, name);
        let code = instrs(&d);
        // The call to the other function is a tail call through the letrec-bound variable;
        // = and - are plain calls.
        assert_eq!(tail_calls(&code), 1, "{d}");
        assert_eq!(count(&code, "TAILCALL"), 1, "{d}");
        assert_eq!(code.last().unwrap().op, "TAILCALL", "{d}");
        assert_subset(&plain_globals(&code), &["-", "="], &d);
        assert_well_formed(&d);
    }
    // The body call (ev? n) is itself in tail position of parity.
    let d = disasm_of(src, "parity");
    let code = instrs(&d);
    assert_eq!(tail_calls(&code), 1, "{d}");
    assert_eq!(plain_calls(&code), 0, "{d}");
}

#[test]
fn mutual_recursion_between_global_functions_uses_tail_calls() {
    let src = "(define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))\n\
               (define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))";
    let d = disasm_of(src, "my-even?");
    assert_eq!(tail_globals(&instrs(&d)), ["my-odd?"], "{d}");
    let d = disasm_of(src, "my-odd?");
    assert_eq!(tail_globals(&instrs(&d)), ["my-even?"], "{d}");
}

// ---------------------------------------------------------------------------------------
// Jump targets of `if`.

#[test]
fn final_if_with_two_tail_calls_jumps_to_the_else_branch() {
    let (d, code) = assert_calls(
        "(define (f x) (if (p x) (g x) (h x)))",
        "f",
        &["g", "h"],
        &["p"],
    );
    let test_call = find(&code, call_to("p"), "call to p", &d);
    let g = find(&code, tail_call_to("g"), "tail call to g", &d);
    let h = find(&code, tail_call_to("h"), "tail call to h", &d);
    // The conditional jump follows the test and lands just after the then branch's tail call,
    // on the first instruction of the else branch (the argument set-up of (h x)).
    let jf = &code[test_call + 1];
    assert_eq!(jf.op, "JMPFALSE", "{d}");
    assert_eq!(jf.target(), Some(g + 1), "{d}");
    assert!(g < h, "{d}");
    // A branch ending in a tail call needs no jump over the other branch.
    assert_eq!(count(&code, "JMP"), 0, "{d}");
    assert_eq!(code.last().unwrap().pc, h, "{d}");
}

#[test]
fn if_whose_then_branch_ends_in_a_tail_call_after_other_work() {
    // Then branch: (k x) is not in tail position, (g x) is. Else: a constant.
    let (d, code) = assert_calls(
        "(define (f x) (if (p x) (begin (k x) (g x)) 0))",
        "f",
        &["g"],
        &["p", "k"],
    );
    let g = find(&code, tail_call_to("g"), "tail call to g", &d);
    let jf = find(&code, |i| i.op == "JMPFALSE", "JMPFALSE", &d);
    let target = code[jf].target().unwrap();
    assert_eq!(target, g + 1, "{d}");
    // The else branch loads 0 and returns it.
    assert!(
        code[target].op.starts_with("LOAD") && code[target + 1].op == "RETURN",
        "{d}"
    );
}

#[test]
fn nested_ifs_in_tail_position_jump_to_their_own_else_branches() {
    let (d, code) = assert_calls(
        "(define (f x) (if (p x) (if (q x) (g x) (h x)) (k x)))",
        "f",
        &["g", "h", "k"],
        &["p", "q"],
    );
    let p = find(&code, call_to("p"), "call to p", &d);
    let q = find(&code, call_to("q"), "call to q", &d);
    let g = find(&code, tail_call_to("g"), "tail call to g", &d);
    let h = find(&code, tail_call_to("h"), "tail call to h", &d);
    let k = find(&code, tail_call_to("k"), "tail call to k", &d);
    assert_eq!(code[p + 1].op, "JMPFALSE", "{d}");
    assert_eq!(code[q + 1].op, "JMPFALSE", "{d}");
    // Outer: false goes to (k x), just after the inner if's last tail call.
    assert_eq!(code[p + 1].target(), Some(h + 1), "{d}");
    // Inner: false goes to (h x), just after (g x).
    assert_eq!(code[q + 1].target(), Some(g + 1), "{d}");
    assert!(h < k && k == code.len() - 1, "{d}");
}

#[test]
fn if_not_in_tail_position_jumps_past_the_else_branch() {
    // The if is an argument: its branches are plain calls, and the then branch must jump over
    // the else branch to the outer call.
    let (d, code) = assert_calls(
        "(define (f x) (m (if (p x) (g x) (h x))))",
        "f",
        &["m"],
        &["p", "g", "h"],
    );
    let g = find(&code, call_to("g"), "call to g", &d);
    let h = find(&code, call_to("h"), "call to h", &d);
    let m = find(&code, tail_call_to("m"), "tail call to m", &d);
    let jf = find(&code, |i| i.op == "JMPFALSE", "JMPFALSE", &d);
    let jmp = find(&code, |i| i.op == "JMP", "JMP", &d);
    assert!(g < jmp && jmp < h, "{d}");
    assert_eq!(code[jf].target(), Some(jmp + 1), "{d}");
    // The jump over the else branch lands after it, before the tail call to m.
    let t = code[jmp].target().unwrap();
    assert!(t > h && t <= m, "{d}");
}

#[test]
fn one_armed_if_in_tail_position() {
    let d = disasm_of("(define (f x) (if (p x) (g x)))", "f");
    let code = instrs(&d);
    assert_eq!(tail_globals(&code), ["g"], "{d}");
    let g = find(&code, tail_call_to("g"), "tail call to g", &d);
    let jf = find(&code, |i| i.op == "JMPFALSE", "JMPFALSE", &d);
    let t = code[jf].target().unwrap();
    assert_eq!(t, g + 1, "{d}");
    assert!(code[t].op.starts_with("RETURN"), "{d}");
    assert_well_formed(&d);
}

// ---------------------------------------------------------------------------------------
// Tail position through each syntactic form.

#[test]
fn tail_calls_through_cond() {
    assert_calls(
        "(define (f x) (cond ((p x) (k x) (g x)) ((q x) => h) (else (g (h x)))))",
        "f",
        // Last body expression of a clause, the => receiver, and the else clause's outer call.
        &["g", "h", "g"],
        // Tests, the clause's first expression, and the argument (h x).
        &["p", "k", "q", "h"],
    );
}

#[test]
fn tail_calls_through_case() {
    assert_calls(
        "(define (f x) (case (k x) ((1 2) (m x) (g x)) ((3) => h) (else (g (h x)))))",
        "f",
        &["g", "h", "g"],
        &["k", "m", "h"],
    );
}

#[test]
fn tail_calls_through_and() {
    // Only the last operand is in tail position.
    assert_calls(
        "(define (f x) (and (p x) (q x) (g x)))",
        "f",
        &["g"],
        &["p", "q"],
    );
}

#[test]
fn tail_calls_through_or() {
    assert_calls(
        "(define (f x) (or (p x) (q x) (g x)))",
        "f",
        &["g"],
        &["p", "q"],
    );
}

#[test]
fn tail_calls_through_when_and_unless() {
    for form in ["when", "unless"] {
        let src = format!("(define (f x) ({form} (p x) (k x) (g x)))");
        let d = disasm_of(&src, "f");
        let code = instrs(&d);
        assert_eq!(tail_globals(&code), ["g"], "{form}: {d}");
        assert_eq!(plain_globals(&code), ["p", "k"], "{form}: {d}");
        assert_well_formed(&d);
    }
}

#[test]
fn tail_calls_through_let() {
    assert_calls(
        "(define (f x) (let ((y (h x)) (z (k x))) (m y) (g y z)))",
        "f",
        &["g"],
        &["h", "k", "m"],
    );
}

#[test]
fn tail_calls_through_let_star() {
    assert_calls(
        "(define (f x) (let* ((y (h x)) (z (k y))) (g z)))",
        "f",
        &["g"],
        &["h", "k"],
    );
}

#[test]
fn tail_calls_through_letrec() {
    let src = "(define (f x)\n\
               \x20 (letrec ((helper (lambda (y) (k y) (h y))))\n\
               \x20   (g (helper x))))";
    let d = disasm_of(src, "f");
    let code = instrs(&d);
    // The body's outer call is a tail call; (helper x) is its argument, a plain CALL.
    assert_eq!(tail_globals(&code), ["g"], "{d}");
    assert_eq!(tail_calls(&code), 1, "{d}");
    assert_eq!(count(&code, "CALL"), 1, "{d}");
    assert_calls(src, "helper", &["h"], &["k"]);
}

#[test]
fn tail_calls_through_letrec_star_and_internal_defines() {
    let src = "(define (f x)\n\
               \x20 (define (inner y) (k y) (h y))\n\
               \x20 (letrec* ((a (m x))) (inner a)))";
    let d = disasm_of(src, "f");
    let code = instrs(&d);
    assert_eq!(tail_calls(&code), 1, "{d}");
    assert!(code.last().unwrap().is_tail_call(), "{d}");
    assert_eq!(plain_globals(&code), ["m"], "{d}");
    let inner = disasm_of(src, "inner");
    assert_eq!(tail_globals(&instrs(&inner)), ["h"], "{inner}");
}

#[test]
fn tail_calls_through_begin() {
    assert_calls(
        "(define (f x) (begin (h x) (k x) (g x)))",
        "f",
        &["g"],
        &["h", "k"],
    );
}

#[test]
fn body_of_a_lambda_has_its_last_call_in_tail_position() {
    assert_calls("(define (f x) (h x) (k x) (g x))", "f", &["g"], &["h", "k"]);
}

#[test]
fn tail_calls_through_do_result() {
    let src = "(define (f n) (do ((i 0 (+ i 1))) ((= i n) (h i) (g i)) (k i)))";
    let (d, code) = loop_code(src, "f", "do-loop");
    // The last result expression is a tail call (and so is the next iteration, if the loop
    // is a function).
    assert_eq!(tail_globals(&code), ["g"], "{d}");
    // The test, the other result expression, the body and the step are not.
    let plain = plain_globals(&code);
    assert_subset(&plain, &["+", "=", "h", "k"], &d);
    assert!(
        plain.iter().any(|x| x == "h") && plain.iter().any(|x| x == "k"),
        "{d}"
    );
    assert_well_formed(&d);
    // f itself makes no plain call to the loop.
    let f = disasm_of(src, "f");
    let fc = instrs(&f);
    assert_eq!(count(&fc, "CALL"), 0, "{f}");
}

#[test]
fn tail_calls_through_named_let() {
    let src = "(define (f n) (let walk ((i n)) (if (p i) (g i) (walk (h i)))))";
    let (d, code) = loop_code(src, "f", "walk");
    // (g i) and the self call are tail calls (or the self call is a jump); (h i) and (p i)
    // are not.
    assert_eq!(tail_globals(&code), ["g"], "{d}");
    assert_eq!(plain_globals(&code), ["p", "h"], "{d}");
    assert_eq!(count(&code, "CALL"), 0, "{d}");
    assert_well_formed(&d);
    let f = disasm_of(src, "f");
    let fc = instrs(&f);
    assert_eq!(count(&fc, "CALL"), 0, "{f}");
}

#[test]
fn named_let_loop_in_non_tail_position_is_entered_with_a_plain_call() {
    let src = "(define (f n) (g (let walk2 ((i n)) (if (p i) i (walk2 (h i))))))";
    let d = disasm_of(src, "f");
    let code = instrs(&d);
    // Only the outer call to g is in tail position.
    assert_eq!(tail_globals(&code), ["g"], "{d}");
    assert_eq!(tail_calls(&code), 1, "{d}");
    // (p i) and (h i) are plain calls wherever the loop lives; inside the loop, the self
    // call is still a tail call (or a jump).
    let (w, wc) = loop_code(src, "f", "walk2");
    assert_eq!(plain_globals(&wc), ["p", "h"], "{w}");
    if w.starts_with("function walk2 ") {
        // f enters the loop function with one plain call.
        assert_eq!(count(&code, "CALL"), 1, "{d}");
    }
}

#[test]
fn apply_in_tail_position_is_tailcalllist() {
    let d = disasm_of("(define (f fn l) (h l) (apply fn 1 l))", "f");
    let code = instrs(&d);
    assert_eq!(count(&code, "TAILCALLLIST"), 1, "{d}");
    assert_eq!(code.last().unwrap().op, "TAILCALLLIST", "{d}");
    assert_eq!(count(&code, "CALLLIST"), 0, "{d}");
    // (h l) before it is a plain call.
    assert_eq!(plain_globals(&code)[0], "h", "{d}");
    assert_eq!(tail_calls(&code), 1, "{d}");
}

#[test]
fn apply_in_argument_position_is_calllist() {
    let d = disasm_of("(define (f fn l) (g (apply fn l)))", "f");
    let code = instrs(&d);
    assert_eq!(count(&code, "CALLLIST"), 1, "{d}");
    assert_eq!(count(&code, "TAILCALLLIST"), 0, "{d}");
    assert_eq!(tail_globals(&code), ["g"], "{d}");
}

// ---------------------------------------------------------------------------------------
// Calls that are not in tail position.

#[test]
fn calls_in_test_and_argument_positions_are_not_tail_calls() {
    let d = disasm_of("(define (f x) (if (g x) (+ 1 (h x)) (k (m x))))", "f");
    let code = instrs(&d);
    // (+ 1 (h x)) is in tail position: a tail call to +, or an inline ADD and a return.
    let tails = tail_globals(&code);
    assert_subset(&tails, &["+", "k"], &d);
    assert!(tails.iter().any(|x| x == "k"), "{d}");
    assert_eq!(sorted(plain_globals(&code)), names(&["g", "h", "m"]), "{d}");
}

#[test]
fn top_level_calls_are_plain_calls_or_tail_calls_of_main_only() {
    // At top level, only the program's last form could be a tail call of <main>; every
    // earlier call must be plain.
    let d = disasm_of(
        "(define (g x) x)\n(g 1)\n(g 2)\n(display (g 3))\n",
        "<main>",
    );
    let code = instrs(&d);
    assert!(
        plain_globals(&code).iter().filter(|n| *n == "g").count() >= 2,
        "{d}"
    );
    assert!(tail_calls(&code) <= 1, "{d}");
}

#[test]
fn jue_mode_compiles_tail_calls_too() {
    let text = disassemble(
        "t.jue",
        "(define (loop n) (if (= n 0) true (loop (- n 1))))\n(loop 10)\n",
        Dialect::Jue,
    );
    let d = section_of(&text, "loop");
    assert_eq!(tail_globals(&instrs(&d)), ["loop"], "{text}");
}

/// A named let whose name is only called in tail position from its own body runs as a loop
/// in the enclosing function (loopify), and the loop is rotated: its back edge is the loop's
/// own compare-and-branch, not a jump to a test at the top.
#[test]
fn named_let_loop_is_a_rotated_loop_without_calls() {
    let src = "(define (sum n) (let loop ((i 0) (s 0)) (if (= i n) s (loop (+ i 1) (+ s i)))))";
    let d = disasm_of(src, "sum");
    let code = instrs(&d);
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    assert_eq!(count(&code, "CLOSURE"), 0, "{d}");
    // The last conditional jump tests i = n and branches backwards into the body.
    let back = code
        .iter()
        .find(|i| i.op == "JMPNEQ")
        .map(|i| i.pc)
        .expect("a compare-and-branch");
    let last_neq = code.iter().rev().find(|i| i.op == "JMPNEQ").expect("jump");
    let target = last_neq.target().expect("a jump target");
    assert!(
        target < last_neq.pc && last_neq.pc > back,
        "not rotated:\n{d}"
    );
}

#[test]
fn captured_variables_are_named_in_the_disassembly() {
    let src = "(define (f x) (lambda () (lambda () x)))";
    let text = disasm_all(src);
    assert!(text.contains("upval u0 x <- parent r0"), "{text}");
    assert!(text.contains("upval u0 x <- parent u0"), "{text}");
    assert!(!text.contains("upval u0 ?"), "{text}");
    // Capturing costs the enclosing function no constant.
    assert!(disasm_of(src, "f").contains("consts=0"), "{text}");
}

#[test]
fn a_loop_continuing_in_tail_position_emits_no_dead_return() {
    let src = "(define (h n) (let loop ((i 0)) \
               (cond ((= i 5) i) ((< i n) (display i) (loop (+ i 1))) (else (loop (+ i 2))))))";
    let code = disasm_of(src, "h");
    // One exit (the `(= i 5)` clause); both continuing clauses end in a backward jump.
    assert_eq!(code.matches("RETURN").count(), 1, "{code}");
}

// ---------------------------------------------------------------------------------------
// Library procedures that only forward to a builtin.

/// The whole disassembly of a Scheme program that imports libraries: `libs` are written as
/// `NAME` files (e.g. `fwd/lib.sld`) in a directory of their own on the library path.
fn disasm_with_libs(test: &str, libs: &[(&str, &str)], src: &str) -> String {
    let dir = temp_dir(test);
    for (name, text) in libs {
        write_file(&dir, name, text);
    }
    let mut e = Engine::with_output(Box::new(std::io::sink()));
    e.add_lib_path(&dir.display().to_string());
    let text = disassemble_in(&mut e, "t.scm", src, Dialect::Scheme);
    let _ = std::fs::remove_dir_all(&dir);
    text
}

const FORWARDING_LIB: &str = "(define-library (fwd lib)
  (export first add swap later variadic helper-call own-length reassigned nested)
  (import (scheme base))
  (begin
    (define (first p) (car p))
    (define (add a b) (+ a b))
    (define (swap a b) (cons b a))
    (define (later a b) (cons a b))
    (set! later (lambda (a b) (list a b)))
    (define (variadic a . rest) (cons a rest))
    (define (helper x) (car x))
    (define (helper-call x) (helper x))
    (define (length x) 0)
    (define (own-length x) (length x))
    (define (reassigned x) (cdr x))
    (define (nested x) (car (cdr x)))))";

fn lib_globals(test: &str, src: &str, func: &str) -> (String, Vec<Instr>) {
    let text = disasm_with_libs(test, &[("fwd/lib.sld", FORWARDING_LIB)], src);
    let d = section_of(&text, func);
    let code = instrs(&d);
    (d, code)
}

/// `(define (first p) (car p))` in a library: an importer's `(first x)` is the builtin
/// `car`, and `(add x 1)` the builtin `+`, so both become instructions.
#[test]
fn an_imported_forwarder_calls_the_builtin_directly() {
    let src = "(import (scheme base) (fwd lib))
               (define (f x) (first x))
               (define (g x) (add x 1))
               (define (h x) (first (first x)) 0)";
    let (d, code) = lib_globals("direct", src, "f");
    assert_eq!(count(&code, "CAR"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let (d, code) = lib_globals("direct", src, "g");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    assert_eq!(count(&code, "ADDI"), 1, "{d}");
    let (d, code) = lib_globals("direct", src, "h");
    assert_eq!(count(&code, "CAR"), 2, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
}

/// Only a procedure that passes its own parameters, in order, to a builtin, and that the
/// library never reassigns, forwards; a call with another number of arguments keeps calling
/// the procedure (and gets its arity error).
#[test]
fn only_true_forwarders_with_their_arity_are_bypassed() {
    let src = "(import (scheme base) (fwd lib))
               (define (f x) (swap x x) (later x x) (variadic x x) (helper-call x)
                 (own-length x) (nested x) (first x x) (add x) 0)";
    let (d, code) = lib_globals("not", src, "f");
    assert_eq!(
        plain_globals(&code),
        [
            "swap",
            "later",
            "variadic",
            "helper-call",
            "own-length",
            "nested",
            "first",
            "add"
        ],
        "{d}"
    );
}

/// A program that binds the forwarder's name or the builtin's name itself, or assigns the
/// imported name, calls the imported procedure.
#[test]
fn a_rebound_or_assigned_name_is_not_bypassed() {
    // The program defines the builtin's name: `car` is not the builtin here.
    let src = "(import (scheme base) (fwd lib))
               (define (car x) 'mine)
               (define (f x) (first x) 0)";
    let (d, code) = lib_globals("rebound-target", src, "f");
    assert_eq!(plain_globals(&code), ["first"], "{d}");
    // The program assigns the imported name.
    let src = "(import (scheme base) (fwd lib))
               (define (f x) (first x) 0)
               (set! first cdr)";
    let (d, code) = lib_globals("assigned", src, "f");
    assert_eq!(plain_globals(&code), ["first"], "{d}");
    // Another import binds the builtin's name.
    let other = "(define-library (fwd car) (export car) (import (scheme base))
                   (begin (define (car x) 'other)))";
    let src = "(import (scheme base) (fwd lib) (fwd car))
               (define (f x) (first x) 0)";
    let text = disasm_with_libs(
        "imported-target",
        &[("fwd/lib.sld", FORWARDING_LIB), ("fwd/car.sld", other)],
        src,
    );
    let d = section_of(&text, "f");
    assert_eq!(plain_globals(&instrs(&d)), ["first"], "{d}");
}

/// Renamed and prefixed imports forward under their new names, and a library's forwarder
/// to an imported forwarder forwards to the builtin.
#[test]
fn forwarders_follow_renames_and_chains() {
    let src = "(import (scheme base) (prefix (fwd lib) l:) (rename (fwd lib) (first head)))
               (define (f x) (l:first x) (head x) 0)";
    let (d, code) = lib_globals("renamed", src, "f");
    assert_eq!(count(&code, "CAR"), 2, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let chain = "(define-library (fwd chain) (export top) (import (scheme base) (fwd lib))
                   (begin (define (top p) (first p))))";
    let src = "(import (scheme base) (fwd chain))
               (define (f x) (top x) 0)";
    let text = disasm_with_libs(
        "chain",
        &[("fwd/lib.sld", FORWARDING_LIB), ("fwd/chain.sld", chain)],
        src,
    );
    let d = section_of(&text, "f");
    assert_eq!(count(&instrs(&d), "CAR"), 1, "{d}");
    assert_eq!(plain_calls(&instrs(&d)), 0, "{d}");
}

// ---------------------------------------------------------------------------------------
// Operands of instructions.

/// An instruction reads a local's register directly, unless a later operand assigns that
/// local: then the value is copied first, so the instruction sees the value it had when it
/// was evaluated (as a call's argument would).
#[test]
fn an_operand_assigned_by_a_later_operand_is_copied_first() {
    let src = "(define (f x) (+ x (begin (set! x 5) x)))
               (define (g x) (set! x 2) (+ x (* x 2)))
               (define (h x) (if (< x (begin (set! x 10) 5)) 1 2))";
    let d = disasm_of(src, "f");
    let code = instrs(&d);
    let add = find(&code, |i| i.op == "ADD", "ADD", &d);
    assert_eq!(code[0].op, "MOVE", "x is copied before the set!:\n{d}");
    let copy = code[0].args.split(", ").next().unwrap();
    let added: Vec<&str> = code[add].args.split(", ").collect();
    assert_eq!(added[1], copy, "ADD reads the copy:\n{d}");
    // Reassigned, but not by a later operand: read in place.
    let d = disasm_of(src, "g");
    assert_eq!(count(&instrs(&d), "MOVE"), 0, "{d}");
    let d = disasm_of(src, "h");
    assert_eq!(instrs(&d)[0].op, "MOVE", "{d}");
}

// ---------------------------------------------------------------------------------------
// Hash tables.

/// `hash-table-set!` and `hash-table-ref/default`, called by name with three arguments, are
/// the TABLESET and TABLEREF instructions; a loop over a table makes no calls.
#[test]
fn hash_table_set_and_ref_default_are_instructions() {
    let src = "(define (fill h n)
                 (let loop ((i 0))
                   (when (< i n) (hash-table-set! h (* i 7) i) (loop (+ i 1)))))
               (define (total h n)
                 (let loop ((i 0) (s 0))
                   (if (= i n) s (loop (+ i 1) (+ s (hash-table-ref/default h (* i 7) 0))))))";
    let d = disasm_of(src, "fill");
    let code = instrs(&d);
    assert_eq!(count(&code, "TABLESET"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let d = disasm_of(src, "total");
    let code = instrs(&d);
    assert_eq!(count(&code, "TABLEREF"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
}

/// The instructions only stand for the builtins: a program that defines or assigns either
/// name, or calls it with another number of arguments (the native's arity error), or passes
/// it as a value, calls the procedure.
#[test]
fn rebound_hash_table_procedures_are_called() {
    let uses = "(define (f h) (hash-table-set! h 1 2) (hash-table-ref/default h 1 0) 0)";
    let defined = format!(
        "(define (hash-table-set! h k v) 'mine)
         (define (hash-table-ref/default h k d) 'mine)
         {uses}"
    );
    let d = disasm_of(&defined, "f");
    let code = instrs(&d);
    assert_eq!(
        count(&code, "TABLESET") + count(&code, "TABLEREF"),
        0,
        "{d}"
    );
    assert_eq!(
        plain_globals(&code),
        ["hash-table-set!", "hash-table-ref/default"],
        "{d}"
    );
    let assigned = format!(
        "{uses}
         (set! hash-table-set! (lambda (h k v) 'mine))
         (set! hash-table-ref/default (lambda (h k d) 'mine))"
    );
    let d = disasm_of(&assigned, "f");
    let code = instrs(&d);
    assert_eq!(
        count(&code, "TABLESET") + count(&code, "TABLEREF"),
        0,
        "{d}"
    );
    // A local of the same name.
    let local = "(define (f hash-table-set! h) (hash-table-set! h 1 2) 0)";
    let d = disasm_of(local, "f");
    assert_eq!(count(&instrs(&d), "TABLESET"), 0, "{d}");
    // Other arities, and the procedure as a value.
    let other = "(define (f h) (hash-table-set! h 1) (hash-table-ref/default h 1)
                   (map hash-table-set! (list h) '(1) '(2)) 0)";
    let d = disasm_of(other, "f");
    let code = instrs(&d);
    assert_eq!(
        count(&code, "TABLESET") + count(&code, "TABLEREF"),
        0,
        "{d}"
    );
    assert_eq!(
        plain_globals(&code),
        ["hash-table-set!", "hash-table-ref/default", "list", "map"],
        "{d}"
    );
}

/// A library's `(define (ht-set! h k v) (hash-table-set! h k v))` (the benchmark shim's
/// shape) is TABLESET in the importer.
#[test]
fn a_forwarding_library_procedure_becomes_a_table_instruction() {
    let lib = "(define-library (fwd ht) (export ht-set! ht-ref) (import (scheme base) (srfi 69))
                 (begin (define (ht-set! h k v) (hash-table-set! h k v))
                        (define (ht-ref h k d) (hash-table-ref/default h k d))))";
    let src = "(import (scheme base) (fwd ht))
               (define (f h) (ht-set! h 1 2) (ht-ref h 1 0))";
    let text = disasm_with_libs("ht", &[("fwd/ht.sld", lib)], src);
    let d = section_of(&text, "f");
    let code = instrs(&d);
    assert_eq!(count(&code, "TABLESET"), 1, "{d}");
    assert_eq!(count(&code, "TABLEREF"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
}

// ---------------------------------------------------------------------------------------
// Pairs, vectors and identity.

/// `cons`, `car`, `cdr`, `null?`, `pair?`, `not`, `eq?`/`eqv?`, `vector-ref`, `vector-set!`
/// and `vector-length`, called by name with their arity, are instructions: a loop over a
/// list or a vector makes no calls, and `(if (null? l) ...)` is one test of `l`.
#[test]
fn pair_and_vector_primitives_are_instructions() {
    let src = "(define (rev l)
                 (let loop ((l l) (acc '()))
                   (if (null? l) acc (loop (cdr l) (cons (car l) acc)))))
               (define (count-pairs xs)
                 (let loop ((xs xs) (n 0))
                   (if (pair? xs) (loop (cdr xs) (if (not (eq? (car xs) 'x)) (+ n 1) n)) n)))
               (define (vsum v)
                 (let loop ((i 0) (s 0))
                   (if (= i (vector-length v)) s
                       (begin (vector-set! v i (+ (vector-ref v i) 1))
                              (loop (+ i 1) (+ s (vector-ref v i)))))))";
    let d = disasm_of(src, "rev");
    let code = instrs(&d);
    for op in ["CONS", "CAR", "CDR", "JMPNOTNULL"] {
        assert_eq!(count(&code, op), 1, "{op}:\n{d}");
    }
    assert_eq!(count(&code, "NULLP"), 0, "the test is the jump:\n{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let d = disasm_of(src, "count-pairs");
    let code = instrs(&d);
    for op in ["PAIRP", "FALSEP", "EQV", "CAR", "CDR"] {
        assert_eq!(count(&code, op), 1, "{op}:\n{d}");
    }
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let d = disasm_of(src, "vsum");
    let code = instrs(&d);
    assert_eq!(count(&code, "VECLEN"), 1, "{d}");
    assert_eq!(count(&code, "VECREF"), 2, "{d}");
    assert_eq!(count(&code, "VECSET"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
}

/// `char=?` of two arguments is an instruction (`CHAREQ`), unless the name is rebound.
#[test]
fn char_eq_is_an_instruction() {
    let src = "(define (same? a b) (if (char=? a b) 1 0))";
    let d = disasm_of(src, "same?");
    let code = instrs(&d);
    assert_eq!(count(&code, "CHAREQ"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let rebound = format!("(set! char=? eq?) {src}");
    assert_eq!(count(&instrs(&disasm_of(&rebound, "same?")), "CHAREQ"), 0);
    let three = "(define (same? a b) (char=? a b a))";
    assert_eq!(count(&instrs(&disasm_of(three, "same?")), "CHAREQ"), 0);
}

/// `string-ref` and `string-length` are instructions (`STRREF`, `STRLEN`), unless rebound.
#[test]
fn string_ref_and_length_are_instructions() {
    let src = "(define (last s) (string-ref s (- (string-length s) 1)))";
    let d = disasm_of(src, "last");
    let code = instrs(&d);
    assert_eq!(count(&code, "STRREF"), 1, "{d}");
    assert_eq!(count(&code, "STRLEN"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let rebound = format!("(set! string-ref vector-ref) (set! string-length length) {src}");
    let code = instrs(&disasm_of(&rebound, "last"));
    assert_eq!(count(&code, "STRREF") + count(&code, "STRLEN"), 0);
}

/// `quotient` of two arguments is an instruction (`QUOT`), unless the name is rebound.
#[test]
fn quotient_is_an_instruction() {
    let src = "(define (mid lo hi) (+ lo (quotient (- hi lo) 2)))";
    let d = disasm_of(src, "mid");
    let code = instrs(&d);
    assert_eq!(count(&code, "QUOT"), 1, "{d}");
    assert_eq!(tail_calls(&code) + plain_calls(&code), 0, "{d}");
    let rebound = format!("(define (quotient a b) a) {src}");
    let code = instrs(&disasm_of(&rebound, "mid"));
    assert_eq!(count(&code, "QUOT"), 0);
    let code = instrs(&disasm_of("(define (f a) (quotient a 2 3))", "f"));
    assert_eq!(count(&code, "QUOT"), 0);
}

/// A program that defines or assigns one of those names, or calls it with another number
/// of arguments, calls the procedure instead.
#[test]
fn rebound_pair_primitives_are_called() {
    let uses = "(define (f l) (car l))";
    let defined = format!("(define (car x) x) {uses}");
    let code = instrs(&disasm_of(&defined, "f"));
    assert_eq!(count(&code, "CAR"), 0);
    assert_eq!(tail_calls(&code), 1);
    let assigned = format!("(set! car cdr) {uses}");
    let code = instrs(&disasm_of(&assigned, "f"));
    assert_eq!(count(&code, "CAR"), 0);
    let code = instrs(&disasm_of("(define (f l) (car l 1))", "f"));
    assert_eq!(count(&code, "CAR"), 0);
    assert_eq!(tail_calls(&code), 1);
}

// ---------------------------------------------------------------------------------------
// Records.

/// A call of a record accessor or modifier (defined once at the top, never assigned) is
/// compiled in place: one instruction (RECGET, RECSET) tests the type and reads or writes
/// the field, with a call of the procedure only when the test fails (for its error); a
/// computed argument is computed once, into a new local. A predicate's call is RECIS. An
/// assigned or redefined procedure keeps the call.
#[test]
fn record_accessors_are_compiled_in_place() {
    let rec = "(define-record-type point (make-point x y) point?
                 (x point-x set-point-x!) (y point-y))";
    let src = format!(
        "{rec}
         (define (f p) (+ (point-x p) (point-y p)))
         (define (g p) (set-point-x! p 5) 0)
         (define (h) (point-x (make-point 1 2)))
         (define (k v) (if (point? v) 1 2))"
    );
    let d = disasm_of(&src, "f");
    let code = instrs(&d);
    assert_eq!(count(&code, "RECGET"), 2, "{d}");
    assert_eq!(count(&code, "ISINST") + count(&code, "GETFIELD"), 0, "{d}");
    // The error paths call the procedures through their values (not CALLG, which the
    // JIT would compile inline).
    assert_eq!(plain_globals(&code), Vec::<String>::new(), "{d}");
    assert_eq!(count(&code, "CALL"), 2, "the error paths:\n{d}");
    assert!(d.contains("(point-x)") && d.contains("(point-y)"), "{d}");
    let d = disasm_of(&src, "g");
    let code = instrs(&d);
    assert_eq!(count(&code, "RECSET"), 1, "{d}");
    let d = disasm_of(&src, "h");
    let code = instrs(&d);
    assert_eq!(count(&code, "RECGET"), 1, "{d}");
    let d = disasm_of(&src, "k");
    let code = instrs(&d);
    assert_eq!(count(&code, "RECIS"), 1, "{d}");
    assert_eq!(plain_globals(&code), Vec::<String>::new(), "{d}");
    let assigned = format!("{rec} (define (f p) (point-x p)) (set! point-x point-y)");
    let d = disasm_of(&assigned, "f");
    let code = instrs(&d);
    assert_eq!(count(&code, "RECGET") + count(&code, "GETFIELD"), 0, "{d}");
    let redefined = format!("{rec} (define (f p) (point? p)) (define (point? v) #t)");
    let d = disasm_of(&redefined, "f");
    let code = instrs(&d);
    assert_eq!(count(&code, "RECIS") + count(&code, "ISINST"), 0, "{d}");
}

/// A modifier's computed value is computed once, into a new local, before the test; the
/// accessor calls in it are compiled in place too.
#[test]
fn accessor_calls_inside_a_modifiers_value_are_compiled_in_place() {
    let src = "(define-record-type point (make-point x) point? (x point-x set-point-x!))
               (define (f p) (set-point-x! p (+ (point-x p) 1)) 0)";
    let d = disasm_of(src, "f");
    let code = instrs(&d);
    assert_eq!(plain_globals(&code), Vec::<String>::new(), "{d}");
    assert_eq!(count(&code, "RECGET"), 1, "{d}");
    assert_eq!(count(&code, "RECSET"), 1, "{d}");
}
