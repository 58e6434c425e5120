//! The collections (Set, Queue, Stack) and the capability-gated effects (input, files, env,
//! clocks, exit, args), tested through the public API and through the real binary.

mod common;

use common::{
    captured, command, engine, fails, fails_with, prints, run_with, stderr, stdout, tandem,
    tandem_with_stdin, temp_dir, write_file,
};
use std::path::{Path, PathBuf};
use tandem::{Caps, Engine};

/// A Ruff string literal for `s` (paths from the temp dir).
fn lit(s: &std::path::Path) -> String {
    let s = s.to_str().unwrap();
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

// ----- Set -----

#[test]
fn set_construction_and_membership() {
    prints(
        r#"s := Set([3, 1, 3, "a", 1, "a", 2])
print(set_to_array(s), len(s), type(s))
print(set_has(s, 1), set_has(s, "a"), set_has(s, 9), set_has(s, "1"))
print(set_has(s, 1.0), set_to_array(Set([1, 1.0, 2.0, 2])))
e := Set()
print(set_to_array(e), len(e), is_empty(e), is_empty(s), type(e))
print(s)
print(to_string(s))
print(set_to_array(Set([[1, 2], [1, 2], {"k": 1}, {"k": 1}, null, null, true, true])))"#,
        "[3, 1, a, 2] 4 set\ntrue true false false\ntrue [1, 2]\n[] 0 true false set\n<unknown>\n<unknown>\n[[1, 2], {\"k\": 1}, null, true]\n",
    );
}

#[test]
fn set_add_and_remove_mutate_and_return_the_set() {
    prints(
        r#"s := Set()
s := set_add(s, "x")
t := set_add(s, "y")
set_add(s, "x")
print(set_to_array(s), set_to_array(t), s == t)
set_remove(s, "x")
s := set_remove(s, "nope")
print(set_to_array(s), len(t))
a := set_to_array(s)
push(a, "z")
print(set_to_array(s), a)"#,
        "[x, y] [x, y] true\n[y] 1\n[y] [y, z]\n",
    );
}

#[test]
fn set_algebra_builds_new_sets_in_order() {
    prints(
        r#"a := Set([1, 2, 3, 4])
b := Set([4, 3, 5, 6.0, "s"])
print(set_to_array(set_union(a, b)))
print(set_to_array(set_intersect(a, b)))
print(set_to_array(set_difference(a, b)))
print(set_to_array(set_difference(b, a)))
print(set_to_array(a), set_to_array(b))
print(set_to_array(set_union(Set([1.0]), Set([1, 2]))))
print(set_to_array(set_intersect(Set([2, "2"]), Set([2.0]))))
print(type(set_union(Set(), Set())))"#,
        "[1, 2, 3, 4, 5, 6, s]\n[3, 4]\n[1, 2]\n[5, 6, s]\n[1, 2, 3, 4] [4, 3, 5, 6, s]\n[1, 2]\n[2]\nset\n",
    );
}

#[test]
fn large_sets_stay_fast() {
    // Construction and the set algebra use a hashed index for ints and strings.
    prints(
        r#"a := []
for i in 200000 { push(a, i % 50000) }
s := Set(a)
t := Set(range(25000, 75000))
print(len(s), len(set_union(s, t)), len(set_intersect(s, t)), len(set_difference(s, t)))"#,
        "50000 75000 25000 25000\n",
    );
}

#[test]
fn set_type_errors() {
    fails("Set(5)", "Set expects an array, got int");
    fails("Set([1], [2])", "Set expects 0 to 1 arguments, got 2");
    fails("set_add([1], 2)", "set_add expects a Set, got array");
    fails("set_has(Queue(), 2)", "set_has expects a Set, got queue");
    fails(
        "set_union(Set(), [1])",
        "set_union expects a Set, got array",
    );
}

// ----- Queue and Stack -----

#[test]
fn queue_is_fifo_with_ruff_shapes() {
    prints(
        r#"q := Queue()
print(queue_is_empty(q), queue_peek(q), type(q), len(q))
q := queue_enqueue(q, 1)
queue_enqueue(q, "two")
queue_enqueue(q, [3])
print(queue_to_array(q), queue_peek(q), queue_size(q), len(q), is_empty(q))
r := queue_dequeue(q)
print(len(r), r[1], queue_to_array(r[0]), r[0] == q)
q := r[0]
print(queue_dequeue(q)[1], queue_dequeue(q)[1])
r := queue_dequeue(q)
print(r[1], queue_is_empty(q), queue_to_array(q))
print(queue_to_array(Queue([5, 6])), queue_peek(Queue([5, 6])))
print(q)"#,
        "true null queue 0\n[1, two, [3]] 1 3 3 false\n2 1 [two, [3]] true\ntwo [3]\nnull true []\n[5, 6] 5\n<unknown>\n",
    );
}

#[test]
fn stack_is_lifo_with_ruff_shapes() {
    prints(
        r#"s := Stack()
print(stack_is_empty(s), stack_peek(s), type(s))
s := stack_push(s, 1)
stack_push(s, 2)
stack_push(s, 3)
print(stack_to_array(s), stack_peek(s), stack_size(s), len(s))
r := stack_pop(s)
print(r[1], stack_to_array(r[0]), r[0] == s)
print(stack_pop(s)[1], stack_pop(s)[1], stack_pop(s)[1], stack_pop(s))
print(stack_is_empty(s), is_empty(s))
t := Stack([1, 2, 3])
print(stack_peek(t), stack_pop(t)[1], stack_to_array(t))"#,
        "true null stack\n[1, 2, 3] 3 3 3\n3 [1, 2] true\n2 1 null [<unknown>, null]\ntrue true\n3 3 [1, 2]\n",
    );
}

#[test]
fn collections_are_references() {
    prints(
        r#"func fill(q, n) { for i in n { queue_enqueue(q, i) } }
q := Queue()
fill(q, 3)
print(queue_to_array(q))
d := {"s": Stack()}
stack_push(d["s"], "x")
print(stack_to_array(d["s"]))
arr := [1, 2]
q2 := Queue(arr)
push(arr, 3)
print(queue_to_array(q2), arr)
print(Queue() == Queue())"#,
        "[0, 1, 2]\n[x]\n[1, 2] [1, 2, 3]\nfalse\n",
    );
}

#[test]
fn queue_and_stack_type_errors() {
    fails(
        "queue_enqueue(Stack(), 1)",
        "queue_enqueue expects a Queue, got stack",
    );
    fails("stack_pop([1])", "stack_pop expects a Stack, got array");
    fails("Queue(\"abc\")", "Queue expects an array, got string");
    fails(
        "stack_push(Stack())",
        "stack_push expects 2 arguments, got 1",
    );
}

#[test]
fn bfs_with_a_queue_and_a_visited_set() {
    prints(
        r#"graph := {"a": ["b", "c"], "b": ["d"], "c": ["d", "e"], "d": ["a"], "e": []}
seen := Set(["a"])
q := Queue(["a"])
order := []
while !queue_is_empty(q) {
    r := queue_dequeue(q)
    node := r[1]
    push(order, node)
    for next in graph[node] {
        if !set_has(seen, next) {
            set_add(seen, next)
            queue_enqueue(q, next)
        }
    }
}
print(order)"#,
        "[a, b, c, d, e]\n",
    );
}

// ----- files -----

#[test]
fn write_read_exists_and_list() {
    let dir = temp_dir("files");
    let src = format!(
        r#"d := {d}
print(file_exists(d + "/a.txt"))
print(write_file(d + "/b.txt", "bee"))
print(write_file(d + "/a.txt", "line 1\nline 2\n"))
print(file_exists(d + "/a.txt"), file_exists(d))
print(read_file(d + "/a.txt") == "line 1\nline 2\n", read_file(d + "/b.txt"))
write_file(d + "/b.txt", "")
print(len(read_file(d + "/b.txt")))
print(list_dir(d))"#,
        d = lit(&dir)
    );
    prints(
        &src,
        "false\ntrue\ntrue\ntrue true\ntrue bee\n0\n[a.txt, b.txt]\n",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.txt")).unwrap(),
        "line 1\nline 2\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn list_dir_is_sorted() {
    let dir = temp_dir("sorted");
    for n in ["zeta", "alpha", "Mid", "beta.txt"] {
        std::fs::write(dir.join(n), n).unwrap();
    }
    std::fs::create_dir(dir.join("sub")).unwrap();
    prints(
        &format!("print(list_dir({}))", lit(&dir)),
        "[Mid, alpha, beta.txt, sub, zeta]\n",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn file_errors_name_the_function_and_path() {
    let dir = temp_dir("errors");
    let missing = dir.join("missing.txt");
    fails(
        &format!("read_file({})", lit(&missing)),
        &format!(
            "read_file: cannot read '{}': No such file or directory",
            missing.display()
        ),
    );
    fails(
        &format!("list_dir({})", lit(&missing)),
        &format!("list_dir: cannot list '{}'", missing.display()),
    );
    let nested = dir.join("no/such/dir/f.txt");
    fails(
        &format!("write_file({}, \"x\")", lit(&nested)),
        &format!("write_file: cannot write '{}'", nested.display()),
    );
    fails(
        &format!("read_file({})", lit(&dir)),
        &format!("read_file: cannot read '{}'", dir.display()),
    );
    fails("read_file(42)", "read_file expects a string, got int");
    fails(
        &format!("write_file({}, 5)", lit(&dir.join("f"))),
        "write_file expects string content, got int",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- capabilities -----

#[test]
fn denied_capabilities_fail_with_their_name() {
    let no_read = Caps::ALL.without(Caps::FS_READ);
    fails_with(no_read, r#"read_file("x")"#, "capability denied: fs-read");
    fails_with(no_read, r#"file_exists("x")"#, "capability denied: fs-read");
    fails_with(no_read, r#"list_dir(".")"#, "capability denied: fs-read");
    fails_with(
        Caps::ALL.without(Caps::FS_WRITE),
        r#"write_file("x", "y")"#,
        "capability denied: fs-write",
    );
    fails_with(
        Caps::ALL.without(Caps::ENV),
        r#"env("HOME")"#,
        "capability denied: env",
    );
    for f in ["now()", "time_us()", "performance_now()"] {
        fails_with(
            Caps::ALL.without(Caps::CLOCK),
            f,
            "capability denied: clock",
        );
    }
    for f in ["exit(1)", "args()"] {
        fails_with(
            Caps::ALL.without(Caps::PROCESS),
            f,
            "capability denied: process",
        );
    }
    fails_with(
        Caps::ALL.without(Caps::STDIN),
        "input()",
        "capability denied: stdin",
    );
}

#[test]
fn denial_leaves_other_effects_working() {
    // Without fs-read a program can still write, and output before the failure is kept.
    let dir = temp_dir("deny");
    let f = dir.join("w.txt");
    let src = format!(
        "print(write_file({p}, \"ok\"))\nprint(read_file({p}))\nprint(\"unreachable\")",
        p = lit(&f)
    );
    match run_with(Caps::ALL.without(Caps::FS_READ), &src) {
        Ok(out) => panic!("should fail, printed {out}"),
        Err((out, e)) => {
            assert_eq!(out, "true\n");
            assert!(e.contains("capability denied: fs-read"), "{e}");
        }
    }
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "ok");
    // Collections need no capability at all.
    match run_with(Caps::NONE, "s := Set([1]); set_add(s, 2); len(s)") {
        Ok(_) => {}
        Err((_, e)) => panic!("collections should need no capability: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- clocks and env -----

#[test]
fn clocks_are_floats_and_move_forward() {
    prints(
        r#"print(type(now()), type(time_us()), type(performance_now()))
print(now() > 1600000000.0, now() == to_int(now()))
a := time_us()
p := performance_now()
mut x := 0
for i in 20000 { x += i }
b := time_us()
q := performance_now()
print(b >= a, q >= p, a >= 0, p >= 0)"#,
        "float float float\ntrue true\ntrue true true true\n",
    );
}

#[test]
fn env_reads_variables_and_gives_empty_string_when_unset() {
    let dir = temp_dir("env");
    let p = dir.join("env.ruff");
    std::fs::write(
        &p,
        r#"print(env("TANDEM_EFFECTS_TEST"))
u := env("TANDEM_EFFECTS_UNSET_VAR")
print(type(u), len(u), u == "")
print(env(""), len(env("A=B")))"#,
    )
    .unwrap();
    let o = command(&["run", p.to_str().unwrap()])
        .env("TANDEM_EFFECTS_TEST", "hello env")
        .env_remove("TANDEM_EFFECTS_UNSET_VAR")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hello env\nstring 0 true\n 0\n");
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- through the binary: exit, args, --deny, input -----

#[test]
fn exit_sets_the_process_exit_code_and_flushes_output() {
    let dir = temp_dir("exit");
    let p = write_file(
        &dir,
        "exit.ruff",
        "print(\"before\")\nfunc f() { for i in 10 { if i == 2 { exit(3) } print(i) } }\nf()\nprint(\"after\")\n",
    );
    for mode in ["--jit=off", "--jit=always"] {
        let o = tandem(&["run", mode, p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
        assert_eq!(stdout(&o), "before\n0\n1\n");
        assert_eq!(stderr(&o), "", "exit is not an error");
    }
    let cases = [
        ("exit()", 0),
        ("exit(0)", 0),
        ("exit(1)", 1),
        ("exit(2.9)", 2),
        ("exit(255)", 255),
        ("exit(256 + 7)", 7),
        ("exit(-1)", 255),
    ];
    for (call, code) in cases {
        let p = write_file(&dir, "code.ruff", &format!("print(1)\n{call}\nprint(2)\n"));
        let o = tandem(&["run", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(code), "{call}: {}", stderr(&o));
        assert_eq!(stdout(&o), "1\n", "{call}");
    }
    let p = write_file(&dir, "bad.ruff", "exit(\"x\")\n");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("exit expects an int exit code, got string"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn args_are_the_trailing_command_line_arguments() {
    let dir = temp_dir("args");
    let p = write_file(
        &dir,
        "args.ruff",
        "a := args()\nprint(a, len(a), type(a))\nfor x in a { print(type(x), x) }\n",
    );
    let o = tandem(&["run", p.to_str().unwrap(), "a", "b"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "[a, b] 2 array\nstring a\nstring b\n");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(stdout(&o), "[] 0 array\n");
    let o = tandem(&["run", p.to_str().unwrap(), "--flag", "two words", "-x"]);
    assert_eq!(
        stdout(&o),
        "[--flag, two words, -x] 3 array\nstring --flag\nstring two words\nstring -x\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deny_flag_withdraws_a_capability() {
    let dir = temp_dir("denyflag");
    let data = write_file(&dir, "data.txt", "payload");
    let p = write_file(
        &dir,
        "read.ruff",
        &format!("print(\"start\")\nprint(read_file({}))\n", lit(&data)),
    );
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "start\npayload\n");
    let o = tandem(&["run", "--deny", "fs-read", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(stdout(&o), "start\n");
    assert!(
        stderr(&o).contains("capability denied: fs-read"),
        "{}",
        stderr(&o)
    );
    // Denying something else leaves fs-read alone.
    let o = tandem(&[
        "run",
        "--deny",
        "env",
        "--deny",
        "clock",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let q = write_file(&dir, "exit.ruff", "exit(5)\n");
    let o = tandem(&["run", "--deny", "process", q.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("capability denied: process"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn input_reads_lines_from_stdin() {
    let dir = temp_dir("input");
    let p = write_file(
        &dir,
        "input.ruff",
        r#"print("start")
name := input("Name: ")
print("hello " + name + "!")
n := to_int(input())
print(n * 2)
blank := input()
print(len(blank))
last := input()
print("[" + last + "]")
eof := input("more? ")
print(type(eof), len(eof))
"#,
    );
    let o = tandem_with_stdin(
        &["run", p.to_str().unwrap()],
        "Ada  \n21\n\nno newline at end",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "start\nName: hello Ada!\n42\n0\n[no newline at end]\nmore? string 0\n"
    );
    // Windows line endings are stripped too.
    let q = write_file(&dir, "crlf.ruff", "print(\"[\" + input() + \"]\")\n");
    let o = tandem_with_stdin(&["run", q.to_str().unwrap()], "x\r\ny\r\n");
    assert_eq!(stdout(&o), "[x]\n");
    let o = tandem_with_stdin(&["run", "--deny", "stdin", q.to_str().unwrap()], "x\n");
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("capability denied: stdin"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- imports without fs-read (DESIGN decision 6) ------------------------------------

/// A program folder, a library folder and, outside both, a file whose text must never be
/// shown: `prog/`, `lib/`, `secret.ruff` and `secret.scm` (syntax errors quoting
/// `TOPSECRET`), and `prog/link.ruff`, a symbolic link to the Ruff secret.
fn import_tree(name: &str) -> PathBuf {
    let dir = common::temp_dir(name);
    let prog = dir.join("prog");
    let lib = dir.join("lib");
    std::fs::create_dir_all(prog.join("sub")).unwrap();
    std::fs::create_dir_all(lib.join("util")).unwrap();
    std::fs::write(dir.join("secret.ruff"), "TOPSECRET is here\n").unwrap();
    std::fs::write(dir.join("secret.scm"), "(TOPSECRET is here\n").unwrap();
    std::fs::write(
        prog.join("sub/near.ruff"),
        "export func f() { return 41 }\n",
    )
    .unwrap();
    std::fs::write(lib.join("util/math.scm"), "(define (inc x) (+ x 1))\n").unwrap();
    std::os::unix::fs::symlink(dir.join("secret.ruff"), prog.join("link.ruff")).unwrap();
    dir
}

/// An engine without `fs-read`, with `lib` on its library path.
fn reader_less_engine(dir: &Path) -> (Engine, common::Buf) {
    let (mut e, out) = engine();
    e.set_caps(Caps::ALL.without(Caps::FS_READ));
    e.add_lib_path(dir.join("lib").to_str().unwrap());
    (e, out)
}

#[test]
fn without_fs_read_imports_stay_in_the_program_and_library_folders() {
    let dir = import_tree("imports-allowed");
    let main = common::write_file(
        &dir.join("prog"),
        "main.ruff",
        "import \"sub/near\"\nprint(near.f() + 1)\n",
    );
    let (mut e, out) = reader_less_engine(&dir);
    e.run_file(&main).unwrap();
    assert_eq!(captured(&out), "42\n");
    let main = common::write_file(
        &dir.join("prog"),
        "main.scm",
        "(import (util math))\n(display (inc 1))\n",
    );
    let (mut e, out) = reader_less_engine(&dir);
    e.run_file(&main).unwrap();
    assert_eq!(captured(&out), "2");
}

#[test]
fn without_fs_read_no_import_reads_outside_and_no_error_quotes_the_file() {
    let dir = import_tree("imports-denied");
    let ruff = [
        ("up.ruff", "import \"../secret\"\n"),
        ("link_.ruff", "import \"link\"\n"),
        (
            "abs.ruff",
            format!("import \"{}\"\n", dir.join("secret").display()).leak(),
        ),
        ("dots.ruff", "import \"sub/../../secret\"\n"),
    ];
    let scheme = [
        ("file.scm", "(import (file \"../secret.scm\"))\n"),
        ("name.scm", "(import (.. secret))\n"),
    ];
    for (name, src) in ruff.iter().chain(scheme.iter()) {
        let main = common::write_file(&dir.join("prog"), name, src);
        let (mut e, _) = reader_less_engine(&dir);
        let err = e.run_file(&main).expect_err(name);
        let text = e.render_error(&err);
        assert!(
            text.contains("capability denied: fs-read"),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!("{name}:1:")),
            "{name}: a location: {text}"
        );
        assert!(
            !text.contains("TOPSECRET"),
            "{name} quotes the file: {text}"
        );
        // The same program with fs-read reads the file (a syntax error quoting it).
        let (mut e, _) = engine();
        let err = e.run_file(&main).expect_err(name);
        assert!(
            e.render_error(&err).contains("TOPSECRET"),
            "{name} with fs-read"
        );
    }
}

#[test]
fn without_fs_read_source_text_imports_only_from_the_library_path() {
    let dir = import_tree("imports-source");
    let (mut e, out) = reader_less_engine(&dir);
    // Source text has no folder: nothing relative to the working directory.
    let err = e
        .run_source("main.ruff", "import \"Cargo.toml\"\n")
        .unwrap_err();
    assert!(e.render_error(&err).contains("capability denied: fs-read"));
    e.run_source("lib.scm", "(import (util math))\n(display (inc 2))")
        .unwrap();
    assert_eq!(captured(&out), "3");
    // A program file run before does not leave its folder open to source text.
    let main = common::write_file(&dir.join("prog"), "ok.ruff", "print(1)\n");
    e.run_file(&main).unwrap();
    let err = e
        .run_source("main.ruff", "import \"sub/near\"\n")
        .unwrap_err();
    assert!(e.render_error(&err).contains("capability denied: fs-read"));
}

#[test]
fn a_script_cannot_reach_the_capability_setter() {
    // `%caps-set` (which restores what a Jue tier narrowed, and never grants more than the
    // host did) is the Scheme library's own: not reachable by `ffi-call`, and unbound for
    // programs that name it.
    let (mut e, _) = engine();
    e.set_caps(Caps::STDOUT);
    let err = e
        .run_source(
            "up.scm",
            "(define raise! (ffi-call \"%caps-set\" 127))\n(display 1)",
        )
        .unwrap_err();
    assert!(e.render_error(&err).contains("no host function"), "{err}");
    let err = e
        .run_source("up2.jue", "(%caps-set 127)\n(ffi-call \"env\" \"HOME\")")
        .unwrap_err();
    let text = e.render_error(&err);
    assert!(
        text.contains("capability denied") || text.contains("Cannot call"),
        "{text}"
    );
    assert_eq!(e.caps(), Caps::STDOUT);
}
