//! `tandem repl`: an interactive session in one dialect.
//!
//! One entry is one or more lines: reading goes on (prompt `... `) while the entry is
//! unfinished. In Ruff the real lexer and parser decide: the entry is unfinished when its
//! first syntax error is at the end of the input (an open bracket, string, interpolation or
//! block comment, or an operator still waiting for its operand). In Scheme and Jue a scanner
//! counts open brackets, strings, `|symbols|` and block comments. Each entry is compiled and
//! run in the same engine under the one source name [`REPL_NAME`], so its globals live in one
//! namespace for the whole session.
//! An error (syntax or runtime) is printed to stderr and the session goes on; `exit()` ends
//! it with that code, end of input (Ctrl-D) with 0 (after running an unfinished entry, so
//! its syntax error shows), and Ctrl-C drops the entry being typed.
//!
//! What is echoed:
//! - Ruff: nothing. Ruff has no value echo; call `print`.
//! - Jue: every top-level expression's value, as a `.jue` file prints it.
//! - Scheme: every top-level expression's value in `write` notation, each on its own line.
//!   Definitions and expressions whose value is unspecified print nothing. The entry is
//!   compiled in Jue mode, whose expander marks each top-level expression (after macro
//!   expansion, so definitions are told apart reliably) with a call to `%jue-print`; the
//!   session replaces that printer with [`scheme_echo`]. Side effect: in a Scheme session
//!   `true`, `false` and `nil` read as Jue's literals.
//!
//! With stdin a terminal, lines are read with `rustyline` (line editing, history kept in
//! `~/.tandem_history`). Otherwise lines are read plainly and no prompt is printed, so piped
//! sessions print only what the program prints.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use tandem::{Dialect, Engine, NativeResult, Value, Vm};
use tandem_vm::builtins::scheme::control::{JUE_PRINT, JUE_PRINT_SHOWN};
use tandem_vm::{Arity, Caps, NativeDef};

/// The source name (and so the global namespace) of every entry of a session.
const REPL_NAME: &str = "<repl>";

/// Run a session reading from stdin until end of input or `exit()`.
pub fn run(engine: &mut Engine, dialect: Dialect) -> ExitCode {
    if dialect == Dialect::Scheme {
        // This replaces the native in place: every call to `%jue-print` reaches the echo.
        engine.vm().register_in(
            "scheme",
            NativeDef::new(JUE_PRINT, Arity::exactly(1), Caps::STDOUT, scheme_echo)
                .shown_as(JUE_PRINT_SHOWN),
        );
    }
    let mut input = Input::new();
    let mut entry = String::new();
    let code = loop {
        let prompt = if entry.is_empty() {
            match dialect {
                Dialect::Ruff => "ruff> ",
                Dialect::Scheme => "scheme> ",
                Dialect::Jue => "jue> ",
            }
        } else {
            "... "
        };
        let line = match input.read(prompt) {
            Line::Text(l) => l,
            Line::Interrupted => {
                entry.clear();
                continue;
            }
            Line::End => {
                // Run what is left (an unclosed entry reports its syntax error).
                let rest = std::mem::take(&mut entry);
                if scan(&rest, dialect) != Scan::Blank {
                    if let Some(code) = eval(engine, &rest, dialect) {
                        break code;
                    }
                }
                break ExitCode::SUCCESS;
            }
        };
        entry.push_str(&line);
        entry.push('\n');
        match scan(&entry, dialect) {
            Scan::Open => continue,
            Scan::Blank => {
                entry.clear();
                continue;
            }
            Scan::Complete => {}
        }
        let text = std::mem::take(&mut entry);
        input.remember(text.trim_end());
        if let Some(code) = eval(engine, &text, dialect) {
            break code;
        }
    };
    input.save();
    code
}

/// Compile and run one entry, reporting an error; `Some(code)` when the program exits.
fn eval(engine: &mut Engine, text: &str, dialect: Dialect) -> Option<ExitCode> {
    // Every entry compiles into the same namespace, and the engine counts names that
    // namespace already defines as the entry's own: earlier definitions stay visible.
    let compile_as = if dialect == Dialect::Scheme {
        Dialect::Jue
    } else {
        dialect
    };
    let result = engine
        .compile_source(REPL_NAME, text, compile_as)
        .and_then(|proto| engine.run_proto(proto));
    engine.flush();
    match result {
        Err(err) if err.is_exit() => Some(ExitCode::from(err.exit_code())),
        Err(err) => {
            eprint!("{}", engine.render_error(&err));
            None
        }
        Ok(_) => None,
    }
}

/// The Scheme session's `%jue-print`: write a top-level value, unless it is unspecified.
/// tandem has one value for "unspecified" and the empty list, so `'()` prints nothing too.
fn scheme_echo(vm: &mut Vm, args: &[Value]) -> NativeResult {
    let values: Vec<Value> = match args[0] {
        Value::Null => Vec::new(),
        Value::Values(a) => a.to_vec(),
        v => vec![v],
    };
    let mut s = String::new();
    for v in values {
        tandem_vm::builtins::scheme::write_scheme(vm, v, true, &mut s);
        s.push('\n');
    }
    vm.out
        .write_all(s.as_bytes())
        .map_err(|e| format!("repl: {e}"))?;
    Ok(Value::Null)
}

/// Whether an entry is ready to run.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// A bracket, string or block comment is still open: read another line.
    Open,
    /// Only whitespace and comments.
    Blank,
    Complete,
}

/// Whether a Ruff entry is finished. It is unfinished (`Open`) when the parser's first error
/// is at the end of the input, or is a string, interpolation or block comment the lexer found
/// unterminated (it swallowed the rest of the input); any other error is the user's to see now.
fn scan_ruff(text: &str) -> Scan {
    use tandem_syntax::FileId;
    let lexed = tandem_syntax::ruff::lexer::lex(text, FileId(0));
    if lexed.diags.is_empty() && lexed.tokens.len() == 1 {
        return Scan::Blank; // only the end-of-file token: whitespace and comments
    }
    let Err(diags) = tandem_syntax::ruff::parse(text, FileId(0)) else {
        return Scan::Complete;
    };
    let Some(first) = diags.first() else {
        return Scan::Complete;
    };
    let at_end = first.span.is_some_and(|s| s.start as usize >= text.len());
    let unterminated = lexed.unterminated
        && lexed
            .diags
            .last()
            .is_some_and(|d| d.span == first.span && d.message == first.message);
    if at_end || unterminated {
        Scan::Open
    } else {
        Scan::Complete
    }
}

/// Whether an entry is finished: [`scan_ruff`] for Ruff, [`scan_scheme`] otherwise.
fn scan(text: &str, dialect: Dialect) -> Scan {
    match dialect {
        Dialect::Ruff => scan_ruff(text),
        Dialect::Scheme | Dialect::Jue => scan_scheme(text),
    }
}

/// Scan a Scheme or Jue entry for open brackets (`(`, `[`, `{`), strings, `|symbols|` and
/// block comments. Extra closing brackets count as complete (the reader reports them).
fn scan_scheme(text: &str) -> Scan {
    let cs: Vec<char> = text.chars().collect();
    let mut depth: i64 = 0;
    let mut blank = true;
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        let next = cs.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == ';' {
            while i < cs.len() && cs[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '#' && next == Some('|') {
            // `#| |#` nests.
            let mut level = 1;
            i += 2;
            while level > 0 {
                if i + 1 >= cs.len() {
                    return Scan::Open;
                }
                if cs[i] == '|' && cs[i + 1] == '#' {
                    level -= 1;
                    i += 2;
                } else if cs[i] == '#' && cs[i + 1] == '|' {
                    level += 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            continue;
        }
        blank = false;
        match c {
            '"' | '|' => {
                // A string or a `|symbol|`.
                i += 1;
                loop {
                    match cs.get(i) {
                        None => return Scan::Open,
                        Some('\\') => i += 2,
                        Some(&d) if d == c => break,
                        Some(_) => i += 1,
                    }
                }
            }
            '#' if next == Some('\\') => i += 2, // `#\(`: skip the character
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    if blank {
        Scan::Blank
    } else if depth > 0 {
        Scan::Open
    } else {
        Scan::Complete
    }
}

/// One line of input.
enum Line {
    Text(String),
    /// Ctrl-C.
    Interrupted,
    /// End of input.
    End,
}

/// Where lines come from: a line editor on a terminal, stdin read plainly otherwise.
enum Input {
    Editor {
        editor: Box<rustyline::DefaultEditor>,
        history: Option<PathBuf>,
    },
    Plain,
}

impl Input {
    fn new() -> Input {
        if !std::io::stdin().is_terminal() {
            return Input::Plain;
        }
        let Ok(mut editor) = rustyline::DefaultEditor::new() else {
            return Input::Plain;
        };
        let history = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(|home| PathBuf::from(home).join(".tandem_history"));
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        Input::Editor {
            editor: Box::new(editor),
            history,
        }
    }

    fn read(&mut self, prompt: &str) -> Line {
        match self {
            Input::Editor { editor, .. } => match editor.readline(prompt) {
                Ok(line) => Line::Text(line),
                Err(rustyline::error::ReadlineError::Interrupted) => Line::Interrupted,
                Err(_) => Line::End,
            },
            Input::Plain => {
                let mut line = String::new();
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) => {
                        let end = line.trim_end_matches(['\n', '\r']).len();
                        line.truncate(end);
                        Line::Text(line)
                    }
                }
            }
        }
    }

    fn remember(&mut self, entry: &str) {
        if let Input::Editor { editor, .. } = self {
            let _ = editor.add_history_entry(entry);
        }
    }

    fn save(&mut self) {
        if let Input::Editor {
            editor,
            history: Some(path),
        } = self
        {
            let _ = editor.save_history(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scan each input in `dialect`; panic naming every input whose result is not the expected.
    fn check(dialect: Dialect, cases: &[(&str, Scan)]) {
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(text, want)| {
                let got = scan(text, dialect);
                (got != *want).then(|| format!("{text:?}: expected {want:?}, got {got:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{dialect:?}:\n{}", wrong.join("\n"));
    }

    #[test]
    fn ruff_entries() {
        use Scan::*;
        check(
            Dialect::Ruff,
            &[
                ("func f(x) {\n", Open),
                ("func f(x) {\n return x\n}\n", Complete),
                ("print(\"(\")\n", Complete),
                ("print(\"a\\\"(\")\n", Complete),
                ("x := [1, # ]\n", Open),
                ("x := 1 // (\n", Complete),
                ("/* ( \n", Open),
                ("/* ( */ x := 1\n", Complete),
                ("print(\"abc\n", Open),
                ("  # just a comment\n", Blank),
                ("\n", Blank),
                (")\n", Complete),
                // Interpolations: brackets and strings inside `${...}` are code.
                ("print(\"${\"{\"}\")\n", Complete),
                ("print(\"${\"}\"}\")\n", Complete),
                ("print(\"${f(\"${1}\")}\")\n", Complete),
                ("print(\"${\n", Open),
                ("print(\"${ (1 \n", Open),
                ("print(\"{ not code\")\n", Complete),
                // Binary operators continue an expression on the next line.
                ("x := 1 +\n", Open),
                ("x := 1 +\n2\n", Complete),
                // An error before the end of the input is reported at once.
                ("print(1 +)\n", Complete),
                ("print(\"a\" \"b\"\n", Complete),
            ],
        );
    }

    #[test]
    fn scheme_entries() {
        use Scan::*;
        let cases = [
            ("(define (f x)\n", Open),
            ("(define (f x)\n (* x 2))\n", Complete),
            ("(display \")\")\n", Complete),
            ("(list #\\( #\\))\n", Complete),
            ("(list #\\()\n", Complete),
            ("(f ; )\n", Open),
            ("#| ( #| |# |# 1\n", Complete),
            ("#| ( #| |# \n", Open),
            ("'|a (|\n", Complete),
            ("; nothing\n", Blank),
        ];
        check(Dialect::Scheme, &cases);
        check(Dialect::Jue, &cases);
    }
}
