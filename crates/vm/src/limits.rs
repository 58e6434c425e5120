//! Limits a host puts on a run: fuel, a wall-clock timeout, an interrupt from another
//! thread (and, in `heap.rs`, memory). DESIGN decision 6.
//!
//! **Where they are checked.** Both tiers count *events*: every call of a script function
//! (a closure: calls and tail calls; natives are not counted) and every loop back edge (a
//! backward jump, and a self tail call, which is one). An event decrements one counter,
//! [`Vm::countdown`]; only when it goes below zero does [`Vm::tick`] run, the one slow path:
//! it charges the fuel, reads the clock (the only place that does) and the interrupt flag,
//! and refills the counter with a slice of at most [`SLICE`] events ([`TIMED_SLICE`] with a
//! timeout). With no limit set the
//! cost of an event is one decrement and one branch, and the flag and clock are looked at
//! once every [`SLICE`] events. Compiled code decrements the same counter inline (`crates/jit`:
//! at the entry of every compiled body, of every region entered inside a unit, and on
//! every back edge); when it runs out, the frame leaves for the interpreter, which calls
//! [`Vm::tick`] at its next call or back edge.
//!
//! **Fuel** is one unit per event, per run: each run from the host (a program, a REPL
//! entry) starts with the fuel set. When the interpreter calls a function that compiled
//! code then runs, the call may be charged twice (once by each tier), so the exact count can
//! differ a little between JIT modes; the bound holds in all of them.
//!
//! **Limit errors cannot be caught.** They carry [`ErrorKind::Limit`]; `Vm::unwind` never
//! delivers one to a handler (`try`, `guard`, `with-exception-handler`, `dynamic-wind`'s
//! after thunks, which are all handlers), so no script code runs after one.

use crate::error::ErrorKind;
use crate::vm::Vm;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most events between two looks at the interrupt flag. Each look costs compiled code
/// an exit to the interpreter (the counter runs out there), so it is rare: a hundred
/// thousand calls and loop iterations take well under a millisecond of compiled code, a
/// few milliseconds interpreted.
pub const SLICE: u64 = 100_000;

/// With a timeout: the most events between two looks at the clock. An event can take long
/// (an iteration that sorts a large array, in a native), so the clock is read more often;
/// `Instant::now` every thousand events is still far below the noise.
pub const TIMED_SLICE: u64 = 1_000;

/// Which limit a run reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// The fuel ran out (`fuel exhausted`).
    Fuel,
    /// The run took longer than its timeout.
    Timeout,
    /// The host interrupted the run ([`InterruptHandle::interrupt`]).
    Interrupt,
    /// The memory limit would be exceeded.
    Memory,
}

impl Limit {
    /// The error message a run stopped by this limit reports.
    pub fn message(self, vm: &Vm) -> String {
        match self {
            Limit::Fuel => format!(
                "fuel exhausted (the limit is {} calls and loop iterations)",
                vm.limits.fuel.unwrap_or(0)
            ),
            Limit::Timeout => match vm.limits.timeout {
                Some(t) => format!("timeout: the run took longer than {}", seconds(t)),
                None => "timeout".to_string(),
            },
            Limit::Interrupt => "interrupted by the host".to_string(),
            Limit::Memory => vm.heap.limit_message(),
        }
    }
}

/// `1.5 s`, `200 ms`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// Stops a running script from another thread: [`InterruptHandle::interrupt`] makes the
/// run fail with an uncatchable `interrupted` error within [`SLICE`] events. An interrupt
/// that arrives while nothing runs stops the next run; each interrupt stops one run.
#[derive(Clone, Debug)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The limits set on a VM, and what the current run has left of them.
#[derive(Debug)]
pub struct Limits {
    /// The fuel of each run (`None`: unlimited).
    fuel: Option<u64>,
    /// How long each run may take.
    timeout: Option<Duration>,
    /// Fuel of this run not yet handed to [`Vm::countdown`].
    fuel_left: Option<u64>,
    deadline: Option<Instant>,
    interrupt: Arc<AtomicBool>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: None,
            timeout: None,
            fuel_left: None,
            deadline: None,
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Vm {
    /// Give each run `fuel` units: one per call of a script function and one per loop
    /// iteration (`None`: unlimited). Past it, the run fails with `fuel exhausted`.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.limits.fuel = fuel;
        self.begin_limits();
    }

    /// Let each run take at most `timeout` of wall-clock time (`None`: no limit).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.limits.timeout = timeout;
        self.begin_limits();
    }

    pub fn fuel(&self) -> Option<u64> {
        self.limits.fuel
    }

    pub fn timeout(&self) -> Option<Duration> {
        self.limits.timeout
    }

    /// A handle that interrupts this VM's runs from any thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.limits.interrupt.clone())
    }

    /// The fuel the current (or last) run has left, when fuel is limited.
    pub fn fuel_remaining(&self) -> Option<u64> {
        self.limits
            .fuel_left
            .map(|f| f + self.countdown.max(0) as u64)
    }

    /// Start a run from the host: its fuel and its deadline start now. Called when the
    /// entry frame of a run is pushed with no other frame running (a module an `import`
    /// runs belongs to its importer's run).
    pub(crate) fn begin_limits(&mut self) {
        self.limits.fuel_left = self.limits.fuel;
        self.limits.deadline = self.limits.timeout.map(|t| Instant::now() + t);
        self.heap.clear_limit_hit();
        self.refill();
    }

    /// Hand the counter its next slice of events (of the fuel, when it is limited).
    fn refill(&mut self) {
        let most = if self.limits.deadline.is_some() {
            TIMED_SLICE
        } else {
            SLICE
        };
        let slice = match &mut self.limits.fuel_left {
            Some(left) => {
                let s = (*left).min(most);
                *left -= s;
                s
            }
            None => most,
        };
        self.countdown = slice as i64;
    }

    /// The counter went below zero: charge the event that did it against the fuel, check
    /// the deadline and the interrupt flag, and refill. `Err` names the limit reached (the
    /// caller raises the error where it struck).
    #[cold]
    #[inline(never)]
    pub fn tick(&mut self) -> Result<(), Limit> {
        if self.limits.fuel_left == Some(0) {
            self.countdown = 0;
            return Err(Limit::Fuel);
        }
        self.refill();
        // The event that ran the counter out takes one unit of the new slice.
        self.countdown -= 1;
        if self.limits.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Limit::Interrupt);
        }
        if let Some(d) = self.limits.deadline {
            if Instant::now() >= d {
                return Err(Limit::Timeout);
            }
        }
        Ok(())
    }

    /// The error kind and message for reaching `limit`.
    pub fn limit_error(&self, limit: Limit) -> (ErrorKind, String) {
        (ErrorKind::Limit(limit), limit.message(self))
    }
}
