//! The `tandem` command-line interface.

mod allocator;
mod repl;

use clap::builder::{EnumValueParser, PossibleValue};
use clap::{value_parser, Arg, ArgAction, ArgMatches, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tandem::{Caps, Dialect, Engine, Error};

#[global_allocator]
static ALLOC: allocator::Mimalloc = allocator::Mimalloc;

// The command line is built with clap's builder API, not its derive: the binary is linked
// statically, which rules out proc-macro crates (docs/ARCHITECTURE.md: "The binary is linked
// statically").
// `cli_command` defines it, `cli_from_matches` reads what it parsed into the structs below.

/// What the command line asks for.
#[derive(Debug)]
struct Cli {
    command: Command,
}

#[derive(Debug)]
enum Command {
    /// `tandem run [OPTIONS] FILE [ARGS]...`
    Run {
        opts: RunOpts,
        file: PathBuf,
        /// Arguments passed to the program.
        args: Vec<String>,
    },
    /// `tandem check [OPTIONS] FILE`
    Check { opts: CommonOpts, file: PathBuf },
    /// `tandem disasm [OPTIONS] [--jit] FILE`
    Disasm {
        opts: CommonOpts,
        /// `--jit`: also print the Cranelift IR.
        show_jit: bool,
        file: PathBuf,
    },
    /// `tandem repl [OPTIONS] [--lang LANG]`
    Repl { opts: RunOpts, lang: Lang },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lang {
    Ruff,
    Scheme,
    Jue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JitMode {
    Off,
    Auto,
    Always,
}

/// Options of every command.
#[derive(Debug, Clone)]
struct CommonOpts {
    max_depth: usize,
    deny: Vec<Caps>,
    lib_path: Vec<String>,
}

/// Options of the commands that run code.
#[derive(Debug, Clone)]
struct RunOpts {
    common: CommonOpts,
    jit: JitMode,
    jit_stats: bool,
    limits: LimitOpts,
}

/// Limits on what a run may use (DESIGN decision 6). Reaching one stops the run with an
/// error programs cannot catch, and exit status 5.
#[derive(Debug, Clone)]
struct LimitOpts {
    fuel: Option<u64>,
    timeout: Option<std::time::Duration>,
    max_memory: Option<usize>,
    sandbox: bool,
    allow: Vec<Caps>,
}

impl ValueEnum for Lang {
    fn value_variants<'a>() -> &'a [Self] {
        &[Lang::Ruff, Lang::Scheme, Lang::Jue]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            Lang::Ruff => "ruff",
            Lang::Scheme => "scheme",
            Lang::Jue => "jue",
        }))
    }
}

impl ValueEnum for JitMode {
    fn value_variants<'a>() -> &'a [Self] {
        &[JitMode::Off, JitMode::Auto, JitMode::Always]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            JitMode::Off => PossibleValue::new("off").help("Interpret only"),
            JitMode::Auto => PossibleValue::new("auto").help(
                "Compile functions after a number of calls and loops after a number of \
                 iterations (the default)",
            ),
            JitMode::Always => PossibleValue::new("always")
                .help("Compile every function before its first call, top-level code included"),
        })
    }
}

/// `tandem -h`'s first line; `--help` shows `LONG_ABOUT`.
const ABOUT: &str = "tandem: one engine, two languages (a Ruff dialect and a Scheme dialect)";

const LONG_ABOUT: &str = "\
tandem: one engine, two languages (a Ruff dialect and a Scheme dialect).

The file extension picks the language: `.ruff` for the Ruff dialect, `.scm` (or `.ss`, \
`.sld`) for Scheme, `.jue` for Jue mode.

Exit codes: 0 success, 2 usage or I/O error, 3 syntax or compile error, 4 runtime error, 5 \
a limit stopped the program (fuel, timeout, memory); a program that calls `exit(n)` exits \
with n.

Limits (`run` and `repl`; each REPL entry gets them afresh): `--fuel N` allows N function \
calls and loop iterations, `--timeout SECS` that much wall-clock time, `--max-memory SIZE` \
that much heap (checked before each allocation); `--max-depth N` bounds nested calls. \
Programs cannot catch fuel, timeout and memory errors: the run stops, with a diagnostic at \
the place it struck, and exit status 5. The depth limit is an ordinary (catchable) runtime \
error. `run --sandbox` denies every capability but stdout and sets default limits (fuel \
1000000000, timeout 10 s, memory 256M); `--allow CAP` grants a capability back, and \
explicit limits replace the defaults.";

const EXAMPLES: &str = "\
Examples:
  tandem run examples/hello.ruff
  tandem run --max-depth 10000 prog.ruff arg1 arg2
  tandem run --fuel 1000000 --timeout 2.5 --max-memory 64M prog.ruff
  tandem run --sandbox --allow fs-read prog.scm
  tandem check prog.ruff
  tandem disasm prog.ruff
  tandem repl --lang scheme";

/// The command line: its subcommands, their options and help texts.
fn cli_command() -> clap::Command {
    clap::Command::new("tandem")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_help(EXAMPLES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            clap::Command::new("run")
                .about("Run a program")
                .args(run_args())
                .arg(file_arg().help("The program to run (.ruff, .scm or .jue)"))
                .arg(
                    Arg::new("args")
                        .value_name("ARGS")
                        .value_parser(value_parser!(String))
                        .action(ArgAction::Append)
                        .num_args(1..)
                        .trailing_var_arg(true)
                        .allow_hyphen_values(true)
                        .help("Arguments passed to the program"),
                ),
        )
        .subcommand(
            clap::Command::new("check")
                .about("Parse and compile a program without running it; report any errors")
                .long_about(
                    "Parse and compile a program without running it; report any errors.\n\n\
                     The Scheme libraries the program imports are compiled too, and not run \
                     either.",
                )
                .args(common_args())
                .arg(file_arg()),
        )
        .subcommand(
            clap::Command::new("disasm")
                .about("Print the bytecode of every function in a program, with source lines")
                .long_about(
                    "Print the bytecode of every function in a program, with source lines.\n\n\
                     Nothing runs: the Scheme libraries the program imports are compiled, not \
                     run.",
                )
                .args(common_args())
                .arg(
                    Arg::new("show_jit")
                        .long("jit")
                        .action(ArgAction::SetTrue)
                        .help(
                            "Also print, after the bytecode, the Cranelift IR the JIT makes for \
                             each function (compiled as `--jit=always` would, with no types \
                             seen yet)",
                        ),
                )
                .arg(file_arg()),
        )
        .subcommand(
            clap::Command::new("repl")
                .about("An interactive session; errors are reported and the session goes on")
                .long_about(
                    "An interactive session; errors are reported and the session goes on.\n\n\
                     Line editing and history on a terminal. An entry goes on over several \
                     lines while it is unfinished (a bracket, string or comment is open, or, in \
                     Ruff, an operator waits for its operand). Scheme and Jue sessions echo the \
                     value of each expression.",
                )
                .args(run_args())
                .arg(
                    Arg::new("lang")
                        .long("lang")
                        .value_name("LANG")
                        .value_parser(EnumValueParser::<Lang>::new())
                        .default_value("ruff")
                        .help("The language of the session"),
                ),
        )
}

/// The program file of `run`, `check` and `disasm`.
fn file_arg() -> Arg {
    Arg::new("file")
        .value_name("FILE")
        .value_parser(value_parser!(PathBuf))
        .required(true)
}

/// The options of every command (`CommonOpts`).
fn common_args() -> [Arg; 3] {
    [
        Arg::new("max_depth")
            .long("max-depth")
            .value_name("N")
            .value_parser(value_parser!(usize))
            .default_value("1000000")
            .help("Maximum depth of nested (non-tail) calls before a `stack overflow` error"),
        Arg::new("deny")
            .long("deny")
            .value_name("CAP")
            .value_parser(parse_cap)
            .action(ArgAction::Append)
            .help(
                "Withdraw a capability from the program (repeatable): stdout, stdin, fs-read, \
                 fs-write, env, clock, process",
            ),
        Arg::new("lib_path")
            .short('I')
            .long("lib-path")
            .value_name("DIR")
            .value_parser(value_parser!(String))
            .action(ArgAction::Append)
            .help(
                "Add a directory to search for Scheme libraries (repeatable): `(import (a b))` \
                 loads `a/b.sld` or `a/b.scm` from beside the program or from these directories",
            ),
    ]
}

/// The options of the commands that run code (`RunOpts`, with its `LimitOpts`).
fn run_args() -> Vec<Arg> {
    let mut args = Vec::from(common_args());
    args.extend([
        Arg::new("jit")
            .long("jit")
            .value_name("MODE")
            .value_parser(EnumValueParser::<JitMode>::new())
            .default_value("auto")
            .help(
                "When the JIT compiles to machine code (a build without the `jit` feature \
                 always interprets)",
            ),
        Arg::new("jit_stats")
            .long("jit-stats")
            .action(ArgAction::SetTrue)
            .help(
                "After the run, print one line to stderr on what the JIT did: `jit: N functions \
                 compiled, M loops compiled (K OSR entries), D deopts (reasons), ..., compile \
                 time`",
            ),
        Arg::new("fuel")
            .long("fuel")
            .value_name("N")
            .value_parser(value_parser!(u64))
            .help(
                "Fuel: the most function calls plus loop iterations a run may make, then `fuel \
                 exhausted` (exit 5)",
            ),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECS")
            .value_parser(parse_secs)
            .help(
                "Wall-clock time a run may take, in seconds (fractions allowed, e.g. 0.5), then \
                 `timeout` (exit 5)",
            ),
        Arg::new("max_memory")
            .long("max-memory")
            .value_name("SIZE")
            .value_parser(parse_size)
            .help(
                "Heap memory a run may use: bytes, or with a K, M or G suffix (64M, 1G). Each \
                 allocation is checked before it is made; past the limit, `memory limit \
                 exceeded` (exit 5)",
            ),
        Arg::new("sandbox")
            .long("sandbox")
            .action(ArgAction::SetTrue)
            .help(
                "Run sandboxed: deny every capability except stdout, and set default limits \
                 (fuel 1000000000, timeout 10 s, max memory 256M) where none is given",
            ),
        Arg::new("allow")
            .long("allow")
            .value_name("CAP")
            .value_parser(parse_cap)
            .action(ArgAction::Append)
            .requires("sandbox")
            .help(
                "With --sandbox: grant this capability back (repeatable): stdin, fs-read, \
                 fs-write, env, clock, process",
            ),
    ]);
    args
}

/// What `cli_command` parsed, as the structs `real_main` takes.
fn cli_from_matches(matches: &ArgMatches) -> Cli {
    let command = match matches.subcommand() {
        Some(("run", m)) => Command::Run {
            opts: run_opts(m),
            file: file(m),
            args: many(m, "args"),
        },
        Some(("check", m)) => Command::Check {
            opts: common_opts(m),
            file: file(m),
        },
        Some(("disasm", m)) => Command::Disasm {
            opts: common_opts(m),
            show_jit: m.get_flag("show_jit"),
            file: file(m),
        },
        Some(("repl", m)) => Command::Repl {
            opts: run_opts(m),
            lang: one(m, "lang"),
        },
        _ => unreachable!("clap requires one of the subcommands"),
    };
    Cli { command }
}

fn common_opts(m: &ArgMatches) -> CommonOpts {
    CommonOpts {
        max_depth: one(m, "max_depth"),
        deny: many(m, "deny"),
        lib_path: many(m, "lib_path"),
    }
}

fn run_opts(m: &ArgMatches) -> RunOpts {
    RunOpts {
        common: common_opts(m),
        jit: one(m, "jit"),
        jit_stats: m.get_flag("jit_stats"),
        limits: LimitOpts {
            fuel: m.get_one("fuel").copied(),
            timeout: m.get_one("timeout").copied(),
            max_memory: m.get_one("max_memory").copied(),
            sandbox: m.get_flag("sandbox"),
            allow: many(m, "allow"),
        },
    }
}

fn file(m: &ArgMatches) -> PathBuf {
    one(m, "file")
}

/// The value of an argument that is required or has a default.
fn one<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> T {
    m.get_one::<T>(id)
        .unwrap_or_else(|| panic!("clap gives `{id}` a value"))
        .clone()
}

/// Every value given to a repeatable argument, in order.
fn many<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Vec<T> {
    m.get_many::<T>(id)
        .map(|values| values.cloned().collect())
        .unwrap_or_default()
}

/// The sandbox's default fuel: about ten seconds of a tight loop in the interpreter.
const SANDBOX_FUEL: u64 = 1_000_000_000;
const SANDBOX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const SANDBOX_MEMORY: usize = 256 << 20;

/// `2`, `0.5`: seconds, as a duration.
fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    std::time::Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("'{s}' is not a usable number of seconds"))
}

/// `1048576`, `512K`, `64M`, `1G` (binary multiples; a trailing `B` is allowed).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let (digits, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a size (bytes, or a number with K, M or G)"))?;
    n.checked_mul(mult)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or_else(|| format!("'{s}' is too large a size"))
}

fn parse_cap(s: &str) -> Result<Caps, String> {
    match Caps::from_name(s) {
        Some(c) => Ok(c),
        None => Err(format!(
            "unknown capability '{s}' (known: {})",
            Caps::NAMED
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn configure_common(engine: &mut Engine, opts: &CommonOpts) {
    engine.set_max_depth(opts.max_depth);
    let caps = opts.deny.iter().fold(Caps::ALL, |caps, &d| caps.without(d));
    engine.set_caps(caps);
    for dir in &opts.lib_path {
        engine.add_lib_path(dir);
    }
}

fn configure(engine: &mut Engine, opts: &RunOpts) {
    configure_common(engine, &opts.common);
    let l = &opts.limits;
    if l.sandbox {
        let granted = l.allow.iter().fold(Caps::STDOUT, |caps, &a| caps.union(a));
        let caps = opts
            .common
            .deny
            .iter()
            .fold(granted, |caps, &d| caps.without(d));
        engine.set_caps(caps);
    }
    // Limits given explicitly replace the sandbox's defaults.
    engine.set_fuel(l.fuel.or(l.sandbox.then_some(SANDBOX_FUEL)));
    engine.set_timeout(l.timeout.or(l.sandbox.then_some(SANDBOX_TIMEOUT)));
    engine.set_memory_limit(l.max_memory.or(l.sandbox.then_some(SANDBOX_MEMORY)));
    engine.set_jit_mode(match opts.jit {
        JitMode::Off => tandem::JitMode::Off,
        JitMode::Auto => tandem::JitMode::Auto,
        JitMode::Always => tandem::JitMode::Always,
    });
}

/// Report an error (unless the program called `exit()`); the process's exit code.
fn report(engine: &mut Engine, err: &Error) -> ExitCode {
    engine.flush();
    if !err.is_exit() {
        eprint!("{}", engine.render_error(err));
    }
    ExitCode::from(err.exit_code())
}

/// End a run without tearing down the heap object by object: the process is about to exit
/// and the OS reclaims everything at once (freeing a large heap can take longer than the
/// program did). Output has been flushed already. Hosts that drop an `Engine` still free it.
fn finish(engine: Engine, code: ExitCode) -> ExitCode {
    std::mem::forget(engine);
    code
}

fn real_main(cli: Cli) -> ExitCode {
    let mut engine = Engine::new();
    match cli.command {
        Command::Run { opts, file, args } => {
            configure(&mut engine, &opts);
            engine.vm().script_args = args;
            let code = match engine.run_file(&file) {
                Ok(_) => {
                    engine.flush();
                    ExitCode::SUCCESS
                }
                Err(e) => report(&mut engine, &e),
            };
            if opts.jit_stats {
                eprintln!("{}", engine.jit_stats());
            }
            finish(engine, code)
        }
        Command::Check { opts, file } => {
            configure_common(&mut engine, &opts);
            match engine.check_file(&file) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => report(&mut engine, &e),
            }
        }
        Command::Disasm {
            opts,
            show_jit,
            file,
        } => {
            configure_common(&mut engine, &opts);
            match engine.check_file(&file) {
                Ok(proto) => {
                    if show_jit {
                        print!("{}", engine.disassemble_jit(&proto));
                    } else {
                        print!("{}", engine.disassemble(&proto));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => report(&mut engine, &e),
            }
        }
        Command::Repl { opts, lang } => {
            configure(&mut engine, &opts);
            let dialect = match lang {
                Lang::Ruff => Dialect::Ruff,
                Lang::Scheme => Dialect::Scheme,
                Lang::Jue => Dialect::Jue,
            };
            let code = repl::run(&mut engine, dialect);
            finish(engine, code)
        }
    }
}

fn main() -> ExitCode {
    let cli = cli_from_matches(&cli_command().get_matches());
    // The CLI exits as soon as the program ends: see `finish`.
    // Run on a thread with a large stack: the front end and compiler recurse over the
    // syntax tree (nesting depth is capped by the parser), and this keeps every such
    // recursion far from the limit. Script calls never use the Rust stack. The Scheme
    // expander's share is there too, so it runs on this thread rather than starting one.
    let worker = std::thread::Builder::new()
        .name("tandem".into())
        .stack_size((256 << 20) + tandem_core::scheme::LOWERING_STACK)
        .spawn(move || tandem_core::scheme::on_big_stack(|| real_main(cli)));
    match worker {
        Ok(handle) => {
            match handle.join() {
                Ok(code) => code,
                Err(_) => {
                    eprintln!("error: internal error (a panic): this is a bug in tandem, please report it");
                    ExitCode::from(70)
                }
            }
        }
        Err(e) => {
            eprintln!("error: cannot start the interpreter thread: {e}");
            ExitCode::from(70)
        }
    }
}
