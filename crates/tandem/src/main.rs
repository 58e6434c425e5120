//! The `tandem` command-line interface.

mod allocator;
mod repl;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tandem::{Caps, Dialect, Engine, Error};

#[global_allocator]
static ALLOC: allocator::Mimalloc = allocator::Mimalloc;

/// tandem: one engine, two languages (a Ruff dialect and a Scheme dialect).
///
/// The file extension picks the language: `.ruff` for the Ruff dialect, `.scm` (or `.ss`,
/// `.sld`) for Scheme, `.jue` for Jue mode.
///
/// Exit codes: 0 success, 2 usage or I/O error, 3 syntax or compile error, 4 runtime error, 5
/// a limit stopped the program (fuel, timeout, memory); a program that calls `exit(n)` exits
/// with n.
///
/// Limits (`run` and `repl`; each REPL entry gets them afresh): `--fuel N` allows N function
/// calls and loop iterations, `--timeout SECS` that much wall-clock time, `--max-memory
/// SIZE` that much heap (checked before each allocation); `--max-depth N` bounds nested
/// calls. Programs cannot catch fuel, timeout and memory errors: the run stops, with a
/// diagnostic at the place it struck, and exit status 5. The depth limit is an ordinary
/// (catchable) runtime error. `run --sandbox` denies every capability but stdout and sets
/// default limits (fuel 1000000000, timeout 10 s, memory 256M); `--allow CAP` grants a
/// capability back, and explicit limits replace the defaults.
#[derive(Parser, Debug)]
#[command(name = "tandem", version)]
#[command(
    after_help = "Examples:\n  tandem run examples/hello.ruff\n  tandem run --max-depth 10000 prog.ruff arg1 arg2\n  tandem run --fuel 1000000 --timeout 2.5 --max-memory 64M prog.ruff\n  tandem run --sandbox --allow fs-read prog.scm\n  tandem check prog.ruff\n  tandem disasm prog.ruff\n  tandem repl --lang scheme"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a program.
    Run {
        #[command(flatten)]
        opts: RunOpts,
        /// The program to run (.ruff, .scm or .jue).
        file: PathBuf,
        /// Arguments passed to the program.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Parse and compile a program without running it; report any errors.
    ///
    /// The Scheme libraries the program imports are compiled too, and not run either.
    Check {
        #[command(flatten)]
        opts: CommonOpts,
        file: PathBuf,
    },
    /// Print the bytecode of every function in a program, with source lines.
    ///
    /// Nothing runs: the Scheme libraries the program imports are compiled, not run.
    Disasm {
        #[command(flatten)]
        opts: CommonOpts,
        /// Also print, after the bytecode, the Cranelift IR the JIT makes for each function
        /// (compiled as `--jit=always` would, with no types seen yet).
        #[arg(long = "jit")]
        show_jit: bool,
        file: PathBuf,
    },
    /// An interactive session; errors are reported and the session goes on.
    ///
    /// Line editing and history on a terminal. An entry goes on over several lines while it is
    /// unfinished (a bracket, string or comment is open, or, in Ruff, an operator waits for
    /// its operand). Scheme and Jue sessions echo the value of each expression.
    Repl {
        #[command(flatten)]
        opts: RunOpts,
        /// The language of the session.
        #[arg(long, value_enum, default_value_t = Lang::Ruff)]
        lang: Lang,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Lang {
    Ruff,
    Scheme,
    Jue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum JitMode {
    /// Interpret only.
    Off,
    /// Compile functions after a number of calls and loops after a number of iterations
    /// (the default).
    Auto,
    /// Compile every function before its first call, top-level code included.
    Always,
}

/// Options of every command.
#[derive(Args, Debug, Clone)]
struct CommonOpts {
    /// Maximum depth of nested (non-tail) calls before a `stack overflow` error.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    max_depth: usize,
    /// Withdraw a capability from the program (repeatable): stdout, stdin, fs-read,
    /// fs-write, env, clock, process.
    #[arg(long, value_name = "CAP", value_parser = parse_cap)]
    deny: Vec<Caps>,
    /// Add a directory to search for Scheme libraries (repeatable): `(import (a b))` loads
    /// `a/b.sld` or `a/b.scm` from beside the program or from these directories.
    #[arg(short = 'I', long = "lib-path", value_name = "DIR")]
    lib_path: Vec<String>,
}

/// Options of the commands that run code.
#[derive(Args, Debug, Clone)]
struct RunOpts {
    #[command(flatten)]
    common: CommonOpts,
    /// When the JIT compiles to machine code (a build without the `jit` feature always
    /// interprets).
    #[arg(long, value_enum, default_value_t = JitMode::Auto, value_name = "MODE")]
    jit: JitMode,
    /// After the run, print one line to stderr on what the JIT did: `jit: N functions
    /// compiled, M loops compiled (K OSR entries), D deopts (reasons), ..., compile time`.
    #[arg(long)]
    jit_stats: bool,
    #[command(flatten)]
    limits: LimitOpts,
}

/// Limits on what a run may use (DESIGN decision 6). Reaching one stops the run with an
/// error programs cannot catch, and exit status 5.
#[derive(Args, Debug, Clone)]
struct LimitOpts {
    /// Fuel: the most function calls plus loop iterations a run may make, then `fuel
    /// exhausted` (exit 5).
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Wall-clock time a run may take, in seconds (fractions allowed, e.g. 0.5), then
    /// `timeout` (exit 5).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    timeout: Option<std::time::Duration>,
    /// Heap memory a run may use: bytes, or with a K, M or G suffix (64M, 1G). Each
    /// allocation is checked before it is made; past the limit, `memory limit exceeded`
    /// (exit 5).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<usize>,
    /// Run sandboxed: deny every capability except stdout, and set default limits (fuel
    /// 1000000000, timeout 10 s, max memory 256M) where none is given.
    #[arg(long)]
    sandbox: bool,
    /// With --sandbox: grant this capability back (repeatable): stdin, fs-read, fs-write,
    /// env, clock, process.
    #[arg(long, value_name = "CAP", value_parser = parse_cap, requires = "sandbox")]
    allow: Vec<Caps>,
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
    let cli = Cli::parse();
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
