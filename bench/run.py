#!/usr/bin/env python3
"""Benchmark runner: tandem (bench/*.ruff, and bench/*.scm as tandem-scm) against the peer
implementations in ../shared/bench/peers.

usage: python3 bench/run.py [--impls tandem,tandem-scm,lua54,luajit,...]
                            [--bench all|orig|new|fib,intloop,...]
                            [-n RUNS] [--warmup K] [--tandem PATH] [--tandem-args "--jit=off"]
                            [--peers DIR] [--timeout SECONDS] [--markdown FILE]

Two sets of benchmarks (rows): the original eight, the peers' set (their programs for the peers,
their expected.txt), and the new set (nbody, floatgrid, ...: Ruff and Scheme here, Lua versions in
bench/lua/ run by lua54 and luajit, expected outputs in bench/expected.txt; the other peers have no
version of them and show n/a). --bench takes names and the set names orig, new and all (default).

For every (implementation, benchmark):
  1. one check run: stdout captured and compared with the expected output (FAIL shows what it
     printed); its peak RSS is recorded;
  2. K unmeasured warm-up runs, then RUNS timed runs, measured like the peers' harness.py: whole
     process, stdin /dev/null, output discarded, wall = monotonic clock around spawn..reap,
     CPU = user+sys from the kernel's rusage for that child (os.wait4). The median is reported.
Every run has a time limit (--timeout, default 120 s); a run that hits it is killed and reported as
TIMEOUT. A missing or failing tandem is reported as FAIL and the runner carries on.

Results go to stdout as markdown (progress goes to stderr); --markdown FILE also appends them to FILE.
Python 3 standard library only.
"""
import argparse
import atexit
import datetime
import math
import os
import platform
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The original eight: the peers' set (../shared/bench/peers), with their programs and expected.txt.
ORIG_BENCHES = ["hello", "fib", "intloop", "tailrec", "evenodd", "mandel", "strcat", "hashtab"]
# The new set: bench/NAME.ruff, bench/NAME.scm and bench/lua/NAME.lua (for lua54 and luajit only),
# expected outputs in bench/expected.txt.
NEW_BENCHES = ["nbody", "floatgrid", "sieve", "closures", "wordfreq", "bintrees", "deeprec", "qsort",
               "lcs", "dictstr", "interp", "particles", "matmul", "csvcount", "strindex"]
BENCHES = ORIG_BENCHES + NEW_BENCHES
BENCH_SETS = {"orig": ORIG_BENCHES, "new": NEW_BENCHES, "all": BENCHES}
NEW_EXPECTED = os.path.join(HERE, "expected.txt")
LUA_DIR = os.path.join(HERE, "lua")
# Peers that run the new set (from bench/lua/); the others have no version of it: "n/a".
NEW_PEERS = {"lua54", "luajit"}
# Cells a peer cannot run at all, shown as n/a with the reason in the Notes.
UNSUPPORTED = {
    ("luajit", "deeprec"): "LuaJIT caps the Lua stack at 65,500 slots (LUAI_MAXSTACK), so recursion "
                           "depth 100,000 overflows it (\"stack overflow\" from about depth 16,000)",
}
# Peer order as in the peers' impls.sh.
PEERS = ["c", "cpython", "pypy", "node", "luajit", "lua54", "chez", "guile", "chibi"]
CPYTHON = "/root/.pyenv/versions/3.11.7/bin/python3.11"  # real binary, not the pyenv shim (impls.sh)
# Runtimes without tail-call elimination run these fallback programs instead (peers' README).
LOOP_VARIANTS = {"tailrec": "tailrec_loop", "evenodd": "evenodd_loop"}
NO_TCO = {"cpython", "pypy", "node"}
VARIANT_LABEL = {"tailrec_loop": "loop", "evenodd_loop": "trampoline"}
RATIO_PEERS = ["lua54", "luajit", "cpython"]
# Copy of the peers' expected.txt, used only when that file can't be found.
EXPECTED_FALLBACK = {"hello": "hello, world", "fib": "2178309", "intloop": "199999997",
                     "tailrec": "100000000", "evenodd": "true", "mandel": "242423", "strcat": "6888890",
                     "hashtab": "1000000 499999500000"}
GNU_TIME = "/usr/bin/time"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Implementations


class Impl:
    """How to run one benchmark on one implementation."""

    def __init__(self, name, binary, cwd):
        self.name = name
        self.binary = binary  # the executable whose presence decides "installed"
        self.cwd = cwd
        self.prime = False  # run once, unmeasured, before the check run (Guile's auto-compile cache)

    def installed(self):
        return self.binary is not None and os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)

    def why_missing(self):
        return "%s not found" % self.binary

    def workdir(self, bench):
        """The directory BENCH's program runs in."""
        return self.cwd

    def not_applicable(self, bench):
        """A reason when this implementation has no program for BENCH (the cell shows n/a)."""
        return UNSUPPORTED.get((self.name, bench))

    def program(self, bench):
        """Name of the program actually run for BENCH (a loop variant for runtimes without TCO)."""
        if self.name in NO_TCO and bench in LOOP_VARIANTS:
            return LOOP_VARIANTS[bench]
        return bench

    def command(self, bench):
        """Returns (argv, error). error is a string when no command can be made."""
        raise NotImplementedError


class Tandem(Impl):
    """tandem running the Ruff versions (bench/NAME.ruff)."""

    ext = ".ruff"

    def __init__(self, path, args):
        super().__init__("tandem", path, REPO)
        self.args = args

    def command(self, bench):
        src = os.path.join(HERE, bench + self.ext)
        if not os.path.isfile(src):
            return None, "missing program " + src
        if not self.installed():
            return None, "tandem binary not found: %s (build it: cargo build --release)" % self.binary
        return [self.binary, "run"] + self.args + [src], None


class TandemScheme(Tandem):
    """tandem running the Scheme versions (bench/NAME.scm: the peers' programs, unchanged)."""

    ext = ".scm"

    def __init__(self, path, args):
        super().__init__(path, args)
        self.name = "tandem-scm"


class Peer(Impl):
    """The `cmd IMPL NAME` mapping of the peers' impls.sh, re-implemented."""

    def __init__(self, name, peers_dir, cbuilder):
        self.peers_dir = peers_dir
        self.cbuilder = cbuilder
        d = peers_dir
        lib = os.path.join(d, "lib")
        self.make = {
            "c": (cbuilder.gcc, lambda n: [cbuilder.binary(n)]),
            "cpython": (CPYTHON, lambda n: [CPYTHON, os.path.join(d, n + ".py")]),
            "pypy": ("/usr/bin/pypy3", lambda n: ["/usr/bin/pypy3", os.path.join(d, n + ".py")]),
            "node": ("/usr/bin/node", lambda n: ["/usr/bin/node", os.path.join(d, n + ".js")]),
            "luajit": ("/usr/bin/luajit", lambda n: ["/usr/bin/luajit", os.path.join(d, n + ".lua")]),
            "lua54": ("/usr/bin/lua5.4", lambda n: ["/usr/bin/lua5.4", os.path.join(d, n + ".lua")]),
            "chez": ("/usr/bin/scheme",
                     lambda n: ["/usr/bin/scheme", "--libdirs", lib, "--program", os.path.join(d, n + ".scm")]),
            "guile": ("/usr/bin/guile", lambda n: ["/usr/bin/guile", "-L", lib, os.path.join(d, n + ".scm")]),
            "chibi": ("/usr/local/bin/chibi-scheme",
                      lambda n: ["/usr/local/bin/chibi-scheme", "-I", lib, os.path.join(d, n + ".scm")]),
        }[name]
        super().__init__(name, self.make[0], peers_dir)
        self.prime = name == "guile"
        self.have_dir = os.path.isfile(os.path.join(peers_dir, "expected.txt"))

    def installed(self, bench=None):
        """The binary exists, and so does the peers' directory unless BENCH is one of the new set
        (their Lua versions are in bench/lua/)."""
        if not super().installed():
            return False
        return self.have_dir or bench in NEW_BENCHES

    def runs_any(self, benches):
        """Installed for at least one of BENCHES (so worth a column)."""
        return any(self.installed(b) for b in benches if not self.not_applicable(b))

    def why_missing(self):
        if self.binary is None:
            return "gcc not found"
        if not super().installed():
            return "%s not found" % self.binary
        if not self.have_dir:
            return "peers directory not found: %s (use --peers DIR)" % self.peers_dir
        return "%s not found" % self.binary

    def workdir(self, bench):
        return LUA_DIR if bench in NEW_BENCHES else self.cwd

    def not_applicable(self, bench):
        if bench in NEW_BENCHES and self.name not in NEW_PEERS:
            return "no %s version of the new benchmarks" % self.name
        return super().not_applicable(bench)

    def command(self, bench):
        prog = self.program(bench)
        if bench in NEW_BENCHES:
            src = os.path.join(LUA_DIR, prog + ".lua")
            if not os.path.isfile(src):
                return None, "missing program " + src
            return [self.binary, src], None
        if self.name == "c":
            err = self.cbuilder.build(prog)
            if err:
                return None, err
        return self.make[1](prog), None


class CBuilder:
    """Builds the peers' C programs with gcc -O2 into a temporary bin directory, on demand."""

    def __init__(self, peers_dir):
        self.peers_dir = peers_dir
        self.gcc = shutil.which("gcc")
        self.bindir = None
        self.errors = {}

    def binary(self, name):
        return os.path.join(self.bindir, name)

    def build(self, name):
        if name in self.errors:
            return self.errors[name]
        if self.bindir is None:
            self.bindir = tempfile.mkdtemp(prefix="tandem-bench-bin-")
            atexit.register(shutil.rmtree, self.bindir, True)
        out = self.binary(name)
        if os.path.exists(out):
            return None
        src = os.path.join(self.peers_dir, name + ".c")
        p = subprocess.run([self.gcc, "-O2", "-o", out, src], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        err = None if p.returncode == 0 else "gcc -O2 %s failed: %s" % (src, p.stdout.strip()[-300:])
        self.errors[name] = err
        return err


# --------------------------------------------------------------------------------------------------
# Running one process


class Run:
    def __init__(self):
        self.wall = None
        self.cpu = None
        self.code = None  # exit code (negative: killed by that signal)
        self.timed_out = False
        self.error = None  # could not start
        self.stdout = b""
        self.stderr = b""
        self.maxrss_kb = None


CURRENT = {"pid": None}  # the running child, killed on Ctrl-C


def run_once(argv, cwd, timeout, capture=False):
    """Spawns ARGV (in its own process group), waits with os.wait4, returns a Run.

    Wall time is a monotonic clock read around spawn..exit, CPU is the child's user+sys rusage.
    On timeout the whole process group is killed with SIGKILL."""
    r = Run()
    out = tempfile.TemporaryFile() if capture else subprocess.DEVNULL
    err = tempfile.TemporaryFile() if capture else subprocess.DEVNULL
    try:
        t0 = time.monotonic()
        try:
            p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 start_new_session=True)
        except OSError as e:
            r.error = "cannot start %s: %s" % (argv[0], e)
            return r
        CURRENT["pid"] = p.pid
        lock = threading.Lock()
        state = {"done": False}

        def on_timeout():
            with lock:
                if not state["done"]:
                    r.timed_out = True
                    kill_group(p.pid)

        timer = threading.Timer(timeout, on_timeout)
        timer.daemon = True
        timer.start()
        try:
            # Wait for the exit without reaping, so the pid cannot be reused before the timer is off.
            os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
            t1 = time.monotonic()
            with lock:
                state["done"] = True
            timer.cancel()
            kill_group(p.pid)  # leftovers in the group, if any (the leader is still an unreaped zombie)
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:
            timer.cancel()
            kill_group(p.pid)
            try:
                os.wait4(p.pid, 0)
            except ChildProcessError:
                pass
            p.returncode = -9
            raise
        finally:
            CURRENT["pid"] = None
        p.returncode = r.code = os.waitstatus_to_exitcode(status)
        r.wall = t1 - t0
        r.cpu = ru.ru_utime + ru.ru_stime
        r.maxrss_kb = ru.ru_maxrss
        if capture:
            out.seek(0)
            r.stdout = out.read()
            err.seek(0)
            r.stderr = err.read()
        return r
    finally:
        if capture:
            out.close()
            err.close()


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def have_gnu_time():
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        p = subprocess.run([GNU_TIME, "--version"], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "GNU" in (p.stdout + p.stderr)


def check_run(argv, cwd, timeout, rss_method):
    """The check run: stdout/stderr captured, peak RSS recorded.

    rss_method "time": the command runs under GNU time (`/usr/bin/time -f %M`), which forks it from
    a small process and reads its ru_maxrss with wait4. "wait4": ru_maxrss of our own wait4 on the
    child; on Linux that value can't be below this runner's own peak RSS (exec records the RSS of
    the forked/vforked image as the child's high-water mark), so small figures are upper bounds."""
    if rss_method != "time":
        return run_once(argv, cwd, timeout, capture=True)
    fd, rssfile = tempfile.mkstemp(prefix="tandem-bench-rss-")
    os.close(fd)
    try:
        r = run_once([GNU_TIME, "-f", "%M", "-o", rssfile] + argv, cwd, timeout, capture=True)
        lines = []
        try:
            with open(rssfile) as f:
                lines = [l.strip() for l in f.read().splitlines() if l.strip()]
            r.maxrss_kb = int(lines[-1])
        except (OSError, ValueError, IndexError):
            r.maxrss_kb = None
        if r.code is not None and r.code >= 128 + 1 and any("terminated by signal" in l for l in lines):
            r.code = -(r.code - 128)
        return r
    finally:
        os.unlink(rssfile)


# --------------------------------------------------------------------------------------------------
# Results


class Cell:
    def __init__(self, impl, bench, program):
        self.impl = impl
        self.bench = bench
        self.program = program  # the program run (tailrec_loop for cpython's tailrec, ...)
        self.status = None  # "ok", "FAIL", "TIMEOUT", "not installed", "n/a", "interrupted"
        self.detail = ""
        self.cpu = []
        self.wall = []
        self.codes = []
        self.maxrss_kb = None
        self.rss_upper_bound = False
        self.check_wall = None

    def ok(self):
        return self.status == "ok"

    def cpu_med(self):
        return statistics.median(self.cpu) if self.ok() and self.cpu else None

    def wall_med(self):
        return statistics.median(self.wall) if self.ok() and self.wall else None

    def suffix(self):
        lab = VARIANT_LABEL.get(self.program)
        return " (%s)" % lab if lab else ""


def load_expected(path):
    """NAME OUTPUT lines, as in the peers' expected.txt."""
    exp = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                name, _, val = line.partition(" ")
                exp[name] = val
    return exp


def normalize(impl, text):
    # Python prints True, Scheme #t: the peers' check.sh accepts them for `true`. tandem must print
    # exactly `true`.
    if impl != "tandem" and text in ("True\n", "#t\n"):
        return "true\n"
    return text


def short(b, n):
    s = b.decode("utf-8", "replace")
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n] + "..."


def short_tail(b, n):
    s = " ".join(b.decode("utf-8", "replace").split())
    return s if len(s) <= n else "..." + s[-n:]


def measure(impl, bench, expected, a, rss_method, runner_rss_kb):
    prog = impl.program(bench)
    cell = Cell(impl.name, bench, prog)
    na = impl.not_applicable(bench)
    if na:
        cell.status = "n/a"
        cell.detail = na
        return cell
    # A missing tandem binary (either column) is a FAIL, reported by command(); a missing peer
    # is "not installed".
    if not isinstance(impl, Tandem) and not impl.installed(bench):
        cell.status = "not installed"
        cell.detail = impl.why_missing()
        return cell
    argv, err = impl.command(bench)
    if err:
        cell.status = "FAIL"
        cell.detail = err
        return cell
    label = "%s/%s%s" % (impl.name, bench, cell.suffix())
    if impl.prime:
        log("  %s: priming (unmeasured)" % label)
        run_once(argv, impl.workdir(bench), a.timeout)
    log("  %s: check run: %s" % (label, shlex.join(argv)))
    r = check_run(argv, impl.workdir(bench), a.timeout, rss_method)
    cell.check_wall = r.wall
    cell.maxrss_kb = r.maxrss_kb
    if rss_method == "wait4" and r.maxrss_kb is not None and r.maxrss_kb <= runner_rss_kb:
        cell.rss_upper_bound = True
    if r.error:
        cell.status, cell.detail = "FAIL", r.error
        return cell
    if r.timed_out:
        cell.status, cell.detail = "TIMEOUT", "check run killed after %g s" % a.timeout
        return cell
    want = expected.get(prog, expected.get(bench))
    got = normalize(impl.name, r.stdout.decode("utf-8", "replace"))
    if r.code != 0 or want is None or got != want + "\n":
        cell.status = "FAIL"
        parts = ["exit %s" % r.code]
        if want is None:
            parts.append("no expected output for %s" % prog)
        parts.append("printed %r (expected %r)" % (short(r.stdout, 200), want))
        if r.stderr.strip():
            parts.append("stderr: " + short_tail(r.stderr, 300))
        cell.detail = "; ".join(parts)
        return cell
    runs = a.n if a.n is not None else (3 if r.wall > 3.0 else 5)
    warm = a.warmup if a.warmup is not None else (0 if r.wall > 20.0 else 1)
    log("  %s: ok (%.3f s wall); %d warm-up + %d timed runs" % (label, r.wall, warm, runs))
    for _ in range(warm):
        w = run_once(argv, impl.workdir(bench), a.timeout)
        if w.timed_out:
            cell.status, cell.detail = "TIMEOUT", "warm-up run killed after %g s" % a.timeout
            return cell
    for _ in range(runs):
        t = run_once(argv, impl.workdir(bench), a.timeout)
        if t.error:
            cell.status, cell.detail = "FAIL", t.error
            return cell
        if t.timed_out:
            cell.status, cell.detail = "TIMEOUT", "timed run killed after %g s" % a.timeout
            return cell
        cell.cpu.append(t.cpu)
        cell.wall.append(t.wall)
        cell.codes.append(t.code)
    if any(c != 0 for c in cell.codes):
        cell.status = "FAIL"
        cell.detail = "timed runs exited with %s" % ",".join(map(str, sorted(set(cell.codes))))
        return cell
    cell.status = "ok"
    log("  %s: cpu median %.3f s, wall median %.3f s" % (label, cell.cpu_med(), cell.wall_med()))
    return cell


# --------------------------------------------------------------------------------------------------
# Report


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def status_text(cell):
    if cell is None:
        return ""
    return {"not installed": "not installed"}.get(cell.status, cell.status)


def time_cell(cell, which):
    if cell is None:
        return ""
    if not cell.ok():
        return status_text(cell)
    v = cell.cpu_med() if which == "cpu" else cell.wall_med()
    return "%.3f%s" % (v, cell.suffix())


def rss_cell(cell):
    if cell is None or cell.status == "not installed" or cell.maxrss_kb is None:
        return status_text(cell) if cell is not None and cell.status != "ok" else ""
    v = "%s%.1f" % ("≤" if cell.rss_upper_bound else "", cell.maxrss_kb / 1024.0)
    if not cell.ok():
        v += " " + cell.status
    return v + cell.suffix()


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            models = [l.split(":", 1)[1].strip() for l in f if l.lower().startswith("model name")]
        if models:
            return "%s (%d logical CPUs)" % (models[0], len(models))
    except OSError:
        pass
    return platform.processor() or "unknown"


def uname_m():
    try:
        return subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return platform.machine()


def repo_commit():
    try:
        p = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True, timeout=10)
        return p.stdout.strip() if p.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def geo_groups(benches):
    """(label, members) for the geometric-mean rows: the original throughput benchmarks (not
    hello, which measures start-up and has its own bar in milliseconds), the new set, and both."""
    orig = [b for b in benches if b in ORIG_BENCHES and b != "hello"]
    new = [b for b in benches if b in NEW_BENCHES]
    groups = []
    if orig:
        groups.append(("geometric mean, original %d (without hello)" % len(orig), orig))
    if new:
        groups.append(("geometric mean, new %d" % len(new), new))
    if orig and new:
        groups.append(("geometric mean, all %d (without hello)" % (len(orig) + len(new)), orig + new))
    return groups


def ratio_rows(benches, num, dens, get):
    """Rows of the ratio tables: per benchmark, NUM's median CPU divided by each of DENS's, then
    the geometric means of geo_groups over the benchmarks where both cells have a time
    (`(k of n)` when some are missing)."""
    rows = []
    ratios = {d: {} for d in dens}
    for b in benches:
        row = [b]
        t = get(b, num)
        tv = t.cpu_med() if t else None
        for d in dens:
            c = get(b, d)
            dv = c.cpu_med() if c else None
            if tv is not None and dv is not None and tv > 0 and dv > 0:
                ratios[d][b] = tv / dv
                row.append("%.2f%s" % (tv / dv, c.suffix()))
            elif c is not None and c.status == "n/a":
                row.append("n/a")
            else:
                row.append("—")
        rows.append(row)
    for label, members in geo_groups(benches):
        row = [label]
        for d in dens:
            xs = [math.log(ratios[d][b]) for b in members if b in ratios[d]]
            if xs:
                g = "%.2f" % math.exp(sum(xs) / len(xs))
                if len(xs) < len(members):
                    g += " (%d of %d)" % (len(xs), len(members))
                row.append(g)
            else:
                row.append("—")
        rows.append(row)
    return rows


def report(cells, impls, benches, a, started, rss_method, runner_rss_kb, skipped, cmdline, partial):
    names = [i.name for i in impls]
    get = lambda b, n: cells.get((n, b))
    lines = []
    lines.append("## tandem benchmarks, %s" % started.strftime("%Y-%m-%d %H:%M:%S %Z").strip())
    lines.append("")
    if partial:
        lines.append("**Interrupted: partial results.**")
        lines.append("")
    lines.append("- command: `%s`" % cmdline)
    lines.append("- machine: `uname -m` = %s; CPU: %s; load average at start %s, at end %s" % (
        uname_m(), cpu_model(), a.load_start, " ".join("%.2f" % x for x in os.getloadavg())))
    commit = repo_commit()
    tandem = next((i for i in impls if i.name == "tandem"), None)
    if tandem is not None:
        lines.append("- tandem: `%s run %s FILE`%s" % (
            tandem.binary, " ".join(tandem.args), "" if tandem.installed() else " (binary not found)"))
    if commit:
        lines.append("- repo commit: %s" % commit)
    lines.append("- peers: `%s`" % a.peers)
    sets = [name for name, members in (("original", ORIG_BENCHES), ("new", NEW_BENCHES))
            if any(b in members for b in benches)]
    lines.append("- benchmarks: %s set%s; expected output: %s" % (
        " and ".join(sets), "s" if len(sets) > 1 else "",
        "; ".join(x for x, on in (("%s (original set)" % a.expected_src, "original" in sets),
                                   ("`bench/expected.txt` (new set)", "new" in sets)) if on)))
    runs = ("%d run%s" % (a.n, "" if a.n == 1 else "s")) if a.n is not None else "5 runs (3 when the check run took > 3 s)"
    warm = ("%d warm-up" % a.warmup) if a.warmup is not None else "1 warm-up (0 when the check run took > 20 s)"
    lines.append("- timing: whole process, median of %s after %s; per-run limit %g s" % (runs, warm, a.timeout))
    if skipped:
        lines.append("- not installed (skipped): %s" % ", ".join(skipped))
    if getattr(a, "left_out", None):
        lines.append("- left out (no version of the selected benchmarks): %s" % ", ".join(a.left_out))
    lines.append("")

    lines.append("### Median CPU seconds (user+sys)")
    lines.append("")
    lines.append(table(["benchmark"] + names, [[b] + [time_cell(get(b, n), "cpu") for n in names] for b in benches]))
    lines.append("")

    ratio_peers = [p for p in RATIO_PEERS if p in names]
    if "tandem" in names and ratio_peers:
        lines.append("### CPU ratio tandem / peer (below 1: tandem is faster)")
        lines.append("")
        lines.append(table(["benchmark"] + ["tandem/%s" % p for p in ratio_peers],
                           ratio_rows(benches, "tandem", ratio_peers, get)))
        lines.append("")

    if "tandem-scm" in names and ratio_peers:
        lines.append("### CPU ratio tandem Scheme / peer (below 1: tandem's Scheme dialect is faster)")
        lines.append("")
        lines.append(table(["benchmark"] + ["tandem-scm/%s" % p for p in ratio_peers],
                           ratio_rows(benches, "tandem-scm", ratio_peers, get)))
        lines.append("")

    if "tandem" in names and "tandem-scm" in names:
        # One engine, one speed: the Scheme versions against the Ruff-dialect versions.
        lines.append("### CPU ratio tandem Scheme / tandem Ruff (the same programs in both dialects)")
        lines.append("")
        lines.append(table(["benchmark", "tandem-scm / tandem"],
                           ratio_rows(benches, "tandem-scm", ["tandem"], get)))
        lines.append("")

    lines.append("### Peak RSS MB (check run)")
    lines.append("")
    lines.append(table(["benchmark"] + names, [[b] + [rss_cell(get(b, n)) for n in names] for b in benches]))
    lines.append("")
    if rss_method == "time":
        lines.append("Peak RSS: ru_maxrss of the check run, forked and reaped (wait4) by GNU time "
                     "(`/usr/bin/time -f %M`), as the peers' check.sh measures it.")
    else:
        lines.append("Peak RSS: ru_maxrss from this runner's os.wait4 on the check run. On Linux it cannot "
                     "go below the runner's own peak RSS (%.1f MB here), so `≤` marks upper bounds." %
                     (runner_rss_kb / 1024.0))
    lines.append("")

    lines.append("### Median wall seconds")
    lines.append("")
    lines.append(table(["benchmark"] + names, [[b] + [time_cell(get(b, n), "wall") for n in names] for b in benches]))
    lines.append("")

    notes = []
    no_version = [n for n in names if any(c.status == "n/a" and (n, c.bench) not in UNSUPPORTED
                                          for (cn, _), c in cells.items() if cn == n)]
    if no_version:
        notes.append("n/a: %s %s no versions of the new benchmarks (only lua54 and luajit run them, "
                     "from bench/lua/)." % (", ".join(no_version),
                                            "has" if len(no_version) == 1 else "have"))
    if any(c.program in VARIANT_LABEL for c in cells.values() if c.ok()):
        notes.append("(loop) / (trampoline): CPython, PyPy and node have no tail-call elimination, so they "
                     "run tailrec_loop / evenodd_loop (a while loop / a thunk trampoline) instead of "
                     "tailrec / evenodd, as in the peers' README.")
    for (n, b), c in sorted(cells.items(), key=lambda kv: (names.index(kv[0][0]), benches.index(kv[0][1]))):
        if c.status == "n/a" and (n, b) not in UNSUPPORTED:
            continue  # summarised above
        if c.status not in ("ok", "not installed"):
            notes.append("%s %s: %s: %s" % (n, c.program, c.status, c.detail))
        elif c.status == "not installed" and n not in skipped:
            notes.append("%s %s: not installed (%s)" % (n, c.program, c.detail))
    if notes:
        lines.append("### Notes")
        lines.append("")
        seen = set()
        for x in notes:
            if x not in seen:
                seen.add(x)
                lines.append("- " + x)
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------


def parse_list(s, allowed, what):
    items = [x.strip() for x in s.split(",") if x.strip()]
    bad = [x for x in items if x not in allowed]
    if bad:
        raise SystemExit("unknown %s: %s (known: %s)" % (what, ", ".join(bad), ", ".join(allowed)))
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--impls", help="comma-separated: tandem (the .ruff programs), tandem-scm (the .scm "
                    "programs, run by tandem), %s (default: tandem, tandem-scm and every peer whose "
                    "binary exists and that has a version of a selected benchmark)" % ",".join(PEERS))
    ap.add_argument("--bench", help="comma-separated benchmark names and set names: orig (the original "
                    "eight: %s), new (%s), all (both, the default)" % (
                        ",".join(ORIG_BENCHES), ",".join(NEW_BENCHES)))
    ap.add_argument("-n", type=int, default=None, help="timed runs (default 5; 3 when a run takes > 3 s)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="unmeasured warm-up runs (default 1; 0 when a run takes > 20 s)")
    ap.add_argument("--tandem", default=None, help="tandem binary (default: target/release/tandem in the repo)")
    ap.add_argument("--tandem-args", default="--jit=off", help='arguments after `run` (default "--jit=off")')
    ap.add_argument("--peers", default=None, help="peers' benchmark directory (default: ../shared/bench/peers "
                    "relative to the repo root)")
    ap.add_argument("--timeout", type=float, default=120.0, help="per-run limit in seconds (default 120)")
    ap.add_argument("--rss", choices=["auto", "time", "wait4"], default="auto",
                    help="peak RSS method: GNU time's wait4 on the child (time), this runner's wait4 "
                    "(wait4), or time when /usr/bin/time is GNU time (auto, default)")
    ap.add_argument("--markdown", metavar="FILE", help="also append the result tables to FILE")
    a = ap.parse_args()
    if a.n is not None and a.n < 1:
        ap.error("-n must be at least 1")
    if a.warmup is not None and a.warmup < 0:
        ap.error("--warmup must be >= 0")

    started = datetime.datetime.now().astimezone()
    a.load_start = " ".join("%.2f" % x for x in os.getloadavg())
    cmdline = "python3 " + shlex.join(sys.argv)
    a.peers = os.path.abspath(a.peers or os.path.join(REPO, "..", "shared", "bench", "peers"))
    a.peers = os.path.normpath(a.peers)
    tandem_path = os.path.abspath(a.tandem) if a.tandem else os.path.join(REPO, "target", "release", "tandem")
    chosen = set()
    for x in parse_list(a.bench or "all", list(BENCH_SETS) + BENCHES, "benchmark"):
        chosen.update(BENCH_SETS.get(x, [x]))
    benches = [b for b in BENCHES if b in chosen]  # canonical order, no duplicates

    have_peers = os.path.isfile(os.path.join(a.peers, "expected.txt"))
    if any(b in ORIG_BENCHES for b in benches) and not have_peers:
        log("warning: no expected.txt in %s: peers unavailable (use --peers DIR); "
            "checking tandem against the built-in copy" % a.peers)
    if have_peers:
        expected = load_expected(os.path.join(a.peers, "expected.txt"))
        a.expected_src = "the peers' expected.txt"
    else:
        expected = dict(EXPECTED_FALLBACK)
        a.expected_src = "run.py's built-in copy of the peers' expected.txt"
    if any(b in NEW_BENCHES for b in benches):
        try:
            expected.update(load_expected(NEW_EXPECTED))
        except OSError as e:
            log("warning: cannot read %s (%s): the new benchmarks will FAIL their check" % (NEW_EXPECTED, e))

    cb = CBuilder(a.peers)
    make = {
        "tandem": lambda: Tandem(tandem_path, shlex.split(a.tandem_args)),
        "tandem-scm": lambda: TandemScheme(tandem_path, shlex.split(a.tandem_args)),
    }
    for p in PEERS:
        make[p] = (lambda p=p: Peer(p, a.peers, cb))
    skipped = []
    a.left_out = []
    if a.impls:
        impls = [make[n]() for n in parse_list(a.impls, ["tandem", "tandem-scm"] + PEERS, "implementation")]
    else:
        impls = [make["tandem"](), make["tandem-scm"]()]
        for p in PEERS:
            i = make[p]()
            if i.runs_any(benches):
                impls.append(i)
            elif Impl.installed(i) and all(i.not_applicable(b) for b in benches):
                # installed, but no version of any selected benchmark (c, cpython, ... on the new set)
                log("%s: no version of the selected benchmarks, left out" % p)
                a.left_out.append(p)
            else:
                skipped.append(p)
    rss_method = a.rss
    if rss_method == "auto":
        rss_method = "time" if have_gnu_time() else "wait4"
    elif rss_method == "time" and not have_gnu_time():
        ap.error("--rss time needs GNU time at %s" % GNU_TIME)

    log("impls: %s; benchmarks: %s" % (", ".join(i.name for i in impls), ", ".join(benches)))
    if skipped:
        log("not installed: %s" % ", ".join(skipped))
    cells = {}
    partial = False
    try:
        for b in benches:
            log("%s:" % b)
            for impl in impls:
                runner_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                cells[(impl.name, b)] = measure(impl, b, expected, a, rss_method, runner_rss_kb)
    except KeyboardInterrupt:
        partial = True
        log("interrupted: printing partial results")
    runner_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = report(cells, impls, benches, a, started, rss_method, runner_rss_kb, skipped, cmdline, partial)
    print(text)
    if a.markdown:
        with open(a.markdown, "a") as f:
            f.write(text + "\n")
        log("appended to %s" % a.markdown)
    return 130 if partial else 0


if __name__ == "__main__":
    sys.exit(main())
