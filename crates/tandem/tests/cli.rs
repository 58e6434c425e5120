//! The command-line interface, tested from the outside: exit codes, error formats, limits.

mod common;

use common::{stderr, stdout, tandem, temp_program};

#[test]
fn help_and_version() {
    let o = tandem(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    // The subcommand list (not the examples after it, which name them too).
    let commands: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        commands,
        ["run", "check", "disasm", "repl", "help"],
        "{text}"
    );
    assert!(
        text.contains("Exit codes: 0 success, 2 usage or I/O error, 3 syntax or compile error, 4 runtime error"),
        "{text}"
    );
    let o = tandem(&["run", "--help"]);
    let text = stdout(&o);
    assert!(
        text.contains("--max-depth") && text.contains("--jit"),
        "{text}"
    );
    let o = tandem(&["--version"]);
    assert!(stdout(&o).starts_with("tandem "), "{}", stdout(&o));
}

#[test]
fn runs_a_program_and_passes_jit_modes() {
    let p = temp_program("ok.ruff", "print(\"hi\", 1 + 2)\n");
    for mode in ["--jit=off", "--jit=auto", "--jit=always"] {
        let o = tandem(&["run", mode, p.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), "hi 3\n");
    }
}

#[test]
fn syntax_error_exits_3_with_location_and_caret() {
    let p = temp_program("bad.ruff", "x := 1\nprint((x + 2)\n");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let e = stderr(&o);
    assert!(e.contains("error"), "{e}");
    assert!(e.contains("bad.ruff:"), "{e}");
    assert!(e.contains('^'), "{e}");
    // `check` reports the same without running.
    let o = tandem(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn runtime_error_exits_4_with_file_line_col_and_trace() {
    let src = "func inner(x) {\n  return x / 0\n}\nfunc outer() {\n  return 1 + inner(5)\n}\nprint(\"before\")\nouter()\n";
    let p = temp_program("div.ruff", src);
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(stdout(&o), "before\n");
    let e = stderr(&o);
    assert!(e.contains("Division by zero"), "{e}");
    assert!(e.contains("div.ruff:2:10"), "{e}");
    assert!(e.contains("at inner"), "{e}");
    assert!(e.contains("at outer"), "{e}");
    assert!(e.contains("at <main>"), "{e}");
}

#[test]
fn missing_file_and_unknown_extension_exit_2() {
    let o = tandem(&["run", "/nonexistent/x.ruff"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let p = temp_program("prog.txt", "print(1)");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".ruff"), "{}", stderr(&o));
}

const SUM: &str =
    "func sum(n) { if n == 0 { return 0 } return n + sum(n - 1) }\nprint(sum(1000000))\n";

#[test]
fn million_deep_recursion_works_by_default() {
    let p = temp_program("deep.ruff", SUM);
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "500000500000\n");
}

#[test]
fn max_depth_gives_a_stack_overflow_error_naming_the_line() {
    let p = temp_program("deep2.ruff", SUM);
    let o = tandem(&["run", "--max-depth", "10000", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    let e = stderr(&o);
    assert!(e.contains("stack overflow"), "{e}");
    assert!(e.contains("deep2.ruff:1:"), "{e}");
    assert!(e.contains("more frames"), "{e}");
}

#[test]
fn denying_stdout_refuses_print() {
    let p = temp_program("cap.ruff", "print(1)\n");
    let o = tandem(&["run", "--deny", "stdout", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("capability denied: stdout"),
        "{}",
        stderr(&o)
    );
    let o = tandem(&["run", "--deny", "teleport", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown capability"), "{}", stderr(&o));
}

#[test]
fn disasm_prints_every_function() {
    let p = temp_program(
        "d.ruff",
        "func f(x) { return g(x) }\nfunc g(x) { return x }\nprint(f(1))\n",
    );
    let o = tandem(&["disasm", p.to_str().unwrap()]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("function <main>"), "{text}");
    assert!(text.contains("function f"), "{text}");
    assert!(text.contains("function g"), "{text}");
    assert!(text.contains("TAILCALL"), "{text}");
}

#[test]
fn denying_stdout_stops_jue_value_echo() {
    let p = temp_program("echo.jue", "(define x 1)\n(+ x 2)\n");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(stdout(&o), "3\n", "{}", stderr(&o));
    let o = tandem(&["run", "--deny", "stdout", p.to_str().unwrap()]);
    assert_eq!(stdout(&o), "");
    assert_eq!(o.status.code(), Some(4));
    let e = stderr(&o);
    // The error names what needed the capability, not the hidden native doing it.
    assert!(
        e.contains("capability denied: stdout (needed by printing a top-level value)"),
        "{e}"
    );
    assert!(!e.contains('%'), "{e}");
    assert!(e.contains("echo.jue:2:1"), "{e}");
}

#[test]
fn import_picks_the_dialect_by_the_same_extensions_as_run() {
    // `.ss` is Scheme for `tandem run` and for `import` alike.
    let lib = temp_program("g2.ss", "(define (twice x) (* 2 x))\n(define answer 21)\n");
    let dir = lib.parent().unwrap().to_path_buf();
    let p = dir.join("use_ss.ruff");
    std::fs::write(
        &p,
        "from \"g2.ss\" import twice, answer\nprint(twice(answer))\n",
    )
    .unwrap();
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(stdout(&o), "42\n", "{}", stderr(&o));
    let p = dir.join("use_ss.scm");
    std::fs::write(&p, "(import (file \"g2.ss\"))\n(display (twice answer))\n").unwrap();
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(stdout(&o), "42", "{}", stderr(&o));
    // Any other extension is not a dialect: `.ruff` is appended.
    let p = dir.join("use_txt.ruff");
    std::fs::write(&p, "import \"g2.txt\"\n").unwrap();
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("g2.txt.ruff' not found"),
        "{}",
        stderr(&o)
    );
}

/// A Scheme library `lib/bad.sld` with two syntax errors, and the directory holding it.
fn bad_library(test: &str) -> std::path::PathBuf {
    let lib = temp_program(
        &format!("{test}.sld"),
        "(define-library (lib bad)\n  (export f)\n  (import (scheme base))\n  \
         (begin (define (f) 1)\n    (let ((a)) 1)\n    (if)))\n",
    );
    let dir = lib.parent().unwrap().to_path_buf();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::rename(&lib, dir.join("lib/bad.sld")).unwrap();
    dir
}

#[test]
fn syntax_errors_in_an_imported_scheme_library_are_compile_errors() {
    let dir = bad_library("badlib1");
    let p = dir.join("use.scm");
    std::fs::write(&p, "(import (scheme base) (lib bad))\n(display (f))\n").unwrap();
    for cmd in ["run", "check"] {
        let o = tandem(&[cmd, p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{cmd}: {}", stderr(&o));
        let e = stderr(&o);
        // Every diagnostic, each at its place in the library, and where it was imported.
        assert!(e.contains("bad let binding"), "{e}");
        assert!(e.contains("bad.sld:5:11"), "{e}");
        assert!(e.contains("if: expected"), "{e}");
        assert!(e.contains("bad.sld:6:5"), "{e}");
        assert!(e.contains("2 errors found"), "{e}");
        assert!(e.contains("bad.sld is imported at"), "{e}");
        assert!(e.contains("use.scm:1:23"), "{e}");
    }
}

#[test]
fn syntax_errors_in_a_module_imported_while_running_are_runtime_errors() {
    // A Ruff `import` runs with the program: exit 4, with the first error and a count.
    let dir = bad_library("badlib2");
    let p = dir.join("use.ruff");
    std::fs::write(&p, "print(\"before\")\nimport \"lib/bad.sld\"\n").unwrap();
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert_eq!(stdout(&o), "before\n");
    let e = stderr(&o);
    assert!(
        e.contains("in module 'bad.sld': let: bad let binding"),
        "{e}"
    );
    assert!(e.contains("(and 1 more error)"), "{e}");
    assert!(e.contains("bad.sld:5:11"), "{e}");
    assert!(e.contains("at <main> ("), "{e}");
    assert!(e.contains("use.ruff:2:1)"), "{e}");
}

#[test]
fn check_and_disasm_do_not_run_imported_libraries() {
    let lib = temp_program(
        "noisy.sld",
        "(define-library (noisy)\n  (export f)\n  (import (scheme base) (scheme write))\n  \
         (begin (display \"library ran\") (newline) (define (f) 42)))\n",
    );
    let p = lib.parent().unwrap().join("use_noisy.scm");
    std::fs::write(
        &p,
        "(import (scheme base) (scheme write) (noisy))\n(display (f))\n",
    )
    .unwrap();
    let o = tandem(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = tandem(&["disasm", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("function <main>"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("library ran"), "{}", stdout(&o));
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(stdout(&o), "library ran\n42", "{}", stderr(&o));
}

#[test]
fn an_empty_library_name_is_rejected_clearly() {
    let p = temp_program("empty_lib.scm", "(import (scheme base) ())\n");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let e = stderr(&o);
    assert!(e.contains("import: empty library name"), "{e}");
    assert!(e.contains("empty_lib.scm:1:23"), "{e}");
}

#[test]
fn a_missing_module_is_named_as_written_by_import_and_from() {
    for src in ["import lib/nosuch\n", "from lib/nosuch import x\n"] {
        let p = temp_program("missing_mod.ruff", src);
        let o = tandem(&["run", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(4));
        let e = stderr(&o);
        assert!(
            e.contains("cannot import 'lib/nosuch': module file"),
            "{src}: {e}"
        );
        assert!(e.contains("nosuch.ruff' not found"), "{src}: {e}");
    }
}

#[test]
fn exit_ends_the_program_with_its_code_and_no_report() {
    let p = temp_program("exit7.ruff", "print(1)\nexit(7)\nprint(2)\n");
    let o = tandem(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(7));
    assert_eq!(stdout(&o), "1\n");
    assert_eq!(stderr(&o), "");
}

#[test]
fn limit_flags_are_explained_and_checked() {
    let o = tandem(&["--help"]);
    let text = stdout(&o);
    assert!(text.contains("5 a limit stopped the program"), "{text}");
    for cmd in ["run", "repl"] {
        let o = tandem(&[cmd, "--help"]);
        let text = stdout(&o);
        for flag in [
            "--fuel",
            "--timeout",
            "--max-memory",
            "--sandbox",
            "--allow",
        ] {
            assert!(text.contains(flag), "{cmd} --help lacks {flag}:\n{text}");
        }
    }
    let p = temp_program("spin.ruff", "print(\"start\")\nwhile true {}\n");
    let path = p.to_str().unwrap();
    // Sizes and durations are parsed, and bad ones are usage errors.
    for bad in [
        &["run", "--max-memory", "lots", path][..],
        &["run", "--timeout", "-1", path],
        &["run", "--fuel", "x", path],
        &["run", "--allow", "fs-read", path],
    ] {
        let o = tandem(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
    }
    for ok in ["64M", "1G", "1048576", "512K"] {
        let o = tandem(&["run", "--max-memory", ok, "--fuel", "1000", path]);
        assert_eq!(o.status.code(), Some(5), "{ok}: {}", stderr(&o));
        assert_eq!(stdout(&o), "start\n");
        assert!(stderr(&o).contains("spin.ruff:2:1"), "{}", stderr(&o));
    }
    let o = tandem(&["run", "--timeout", "0.2", path]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("timeout"), "{}", stderr(&o));
}

#[test]
fn sandbox_denies_everything_but_stdout_and_allow_grants_back() {
    let p = temp_program("env.ruff", "print(\"x\")\nprint(env(\"HOME\"))\n");
    let path = p.to_str().unwrap();
    let o = tandem(&["run", "--sandbox", path]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("capability denied: env"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "x\n");
    let o = tandem(&["run", "--sandbox", "--allow", "env", path]);
    assert!(o.status.success(), "{}", stderr(&o));
}
