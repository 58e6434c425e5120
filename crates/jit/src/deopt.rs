//! Deoptimization sites, and what compiled code's exits tell the JIT.
//!
//! Every exit of compiled code back to the interpreter that was not asked for by the
//! program (a failed type guard, a result of an unexpected type, the native stack running
//! low) has a [`Site`]. The exit reports it through [`note_deopt`], which counts it in the
//! statistics and, when one site keeps failing, drops the speculation there: the function's
//! compiled code is thrown away and the next call (or loop entry) compiles it again without
//! that speculation.

use crate::stats::Stats;
use rustc_hash::FxHashSet;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tandem_vm::jit_helpers::InlineCache;
use tandem_vm::object::Proto;

/// Why compiled code gave a frame back to the interpreter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A speculated parameter or loop-entry register had another type.
    Entry,
    /// An operand speculated to be an int (or a number) was not.
    Guard,
    /// An instruction run through the interpreter's code gave a result of another type
    /// than the compiled code continues with.
    Result,
    /// The native stack was running low: the call continues in the interpreter.
    Stack,
    /// A rare case of an inlined instruction (an overflow, a zero divisor): the
    /// interpreter runs it (and raises its error).
    Slow,
    /// A global the unit's tail calls go through no longer held the function it was
    /// compiled for: the call runs in the interpreter.
    Callee,
    /// A load (an element, a field) hinted to give one type gave another (its site is
    /// the instruction after the load, where the interpreter goes on).
    Element,
    /// The entry of a function (or of a region inlined or tail-called inside a unit) found
    /// the limits' countdown run out: the interpreter runs it from there and looks at the
    /// limits at its next event. Not a failed speculation. (A back edge calls the limits'
    /// slow path instead and stays in compiled code: `Lower::tick_back_edge`.)
    Tick,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::Entry,
        Reason::Guard,
        Reason::Result,
        Reason::Stack,
        Reason::Slow,
        Reason::Callee,
        Reason::Element,
        Reason::Tick,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reason::Entry => "entry type",
            Reason::Guard => "operand type",
            Reason::Result => "result type",
            Reason::Stack => "native stack",
            Reason::Slow => "slow path",
            Reason::Callee => "callee changed",
            Reason::Element => "element type",
            Reason::Tick => "limit check",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// After this many exits at one site, its speculation is dropped.
pub const DEOPT_LIMIT: u32 = 3;

/// What the JIT keeps about one prototype across its compilations.
pub struct ProtoState {
    pub proto: Rc<Proto>,
    /// Instructions to compile without speculation.
    pub generic: RefCell<FxHashSet<u32>>,
    /// Do not speculate on the parameters' types at entry.
    pub no_param_spec: Cell<bool>,
    /// Loop entries whose register-type speculation failed too often.
    pub no_osr_spec: Cell<bool>,
    /// How often a loop entry's speculation failed.
    pub osr_fails: Cell<u32>,
    /// Its tail calls' globals kept changing: check them at every call instead of once.
    pub no_stable: Cell<bool>,
    /// The type its compiled body's returns give (when they agree): what calls of it
    /// speculate their result to be.
    pub ret: Cell<Option<crate::types::Ty>>,
    /// That speculation failed too often: calls of it do not speculate.
    pub no_ret_spec: Cell<bool>,
    /// How often it was compiled (entry and loop bodies).
    pub compiles: Cell<u32>,
    /// Compiled loop entries: (pc, body).
    pub osr: RefCell<Vec<(u32, usize)>>,
    /// Compilation failed (a bug): never try again.
    pub failed: Cell<bool>,
    /// It was called (or entered) at least once: the backend saw its first call.
    pub ran: Cell<bool>,
}

impl ProtoState {
    pub fn new(proto: Rc<Proto>) -> ProtoState {
        ProtoState {
            proto,
            generic: Default::default(),
            ran: Cell::new(false),
            no_param_spec: Cell::new(false),
            no_osr_spec: Cell::new(false),
            osr_fails: Cell::new(0),
            no_stable: Cell::new(false),
            ret: Cell::new(None),
            no_ret_spec: Cell::new(false),
            compiles: Cell::new(0),
            osr: Default::default(),
            failed: Cell::new(false),
        }
    }

    /// Throw the compiled code away: the next call or loop entry compiles again.
    pub fn invalidate(&self) {
        self.proto.jit.entry.set(0);
        self.proto.jit.hot.set(0);
        self.proto.jit.loop_hot.set(0);
        self.osr.borrow_mut().clear();
    }
}

/// One exit of compiled code.
pub struct Site {
    pub pc: u32,
    pub reason: Reason,
    pub count: Cell<u32>,
    /// Whether this site is a loop entry's (not the function's entry).
    pub osr: bool,
    /// The prototype whose instruction this is (where the speculation is dropped).
    pub owner: Rc<ProtoState>,
    /// The prototype whose compiled body contains it (which is thrown away).
    pub unit: Rc<ProtoState>,
    pub stats: Rc<Stats>,
}

/// The sites of one compiled body (boxed, so their addresses are stable: compiled code
/// holds them).
pub struct SiteTable {
    // Boxed: compiled code holds the sites' addresses, which must not move.
    #[allow(clippy::vec_box)]
    pub sites: Vec<Box<Site>>,
    /// The prototype of each region of the unit (the first is the unit's own).
    owners: Vec<Rc<ProtoState>>,
    /// The inline caches of the body's field accesses and method calls (boxed: compiled
    /// code holds their addresses).
    #[allow(clippy::vec_box)]
    caches: Vec<Box<InlineCache>>,
    stats: Rc<Stats>,
    osr: bool,
}

impl SiteTable {
    pub fn new(owners: Vec<Rc<ProtoState>>, stats: Rc<Stats>, osr: bool) -> SiteTable {
        SiteTable {
            sites: Vec::new(),
            owners,
            caches: Vec::new(),
            stats,
            osr,
        }
    }

    /// A new inline cache; returns its address.
    pub fn cache(&mut self) -> usize {
        let c = Box::<InlineCache>::default();
        let addr = &*c as *const InlineCache as usize;
        self.caches.push(c);
        addr
    }

    /// A new site at `pc` of region `region`; returns its address for the code to pass
    /// to [`note_deopt`].
    pub fn add(&mut self, region: usize, pc: u32, reason: Reason) -> usize {
        let site = Box::new(Site {
            pc,
            reason,
            count: Cell::new(0),
            osr: self.osr && region == 0,
            owner: self.owners[region].clone(),
            unit: self.owners[0].clone(),
            stats: self.stats.clone(),
        });
        let addr = &*site as *const Site as usize;
        self.sites.push(site);
        addr
    }
}

/// Called by compiled code on an exit at `site` (see the module docs).
///
/// # Safety
/// `site` must be a site of a compiled body that is still kept (bodies are never freed
/// while their JIT lives).
pub unsafe extern "C" fn note_deopt(site: *const Site) {
    // SAFETY: as documented; nothing here can panic except on a bug (a poisoned borrow).
    let site = unsafe { &*site };
    site.stats.note_deopt(site.reason);
    if matches!(site.reason, Reason::Stack | Reason::Tick) {
        return;
    }
    let n = site.count.get() + 1;
    site.count.set(n);
    if n < DEOPT_LIMIT {
        return;
    }
    site.count.set(0);
    let owner = &site.owner;
    match site.reason {
        Reason::Entry if site.osr => {
            // The loop is entered with other types now: compile the entry again for
            // them, and stop speculating there if that keeps happening.
            let fails = owner.osr_fails.get() + 1;
            owner.osr_fails.set(fails);
            if fails >= DEOPT_LIMIT {
                owner.no_osr_spec.set(true);
            }
            owner.osr.borrow_mut().clear();
            site.stats.recompiles.set(site.stats.recompiles.get() + 1);
            return;
        }
        Reason::Entry => owner.no_param_spec.set(true),
        Reason::Callee => owner.no_stable.set(true),
        Reason::Element => {
            if let Ok(mut g) = owner.generic.try_borrow_mut() {
                g.insert(site.pc.saturating_sub(1));
            }
        }
        _ => {
            if let Ok(mut g) = owner.generic.try_borrow_mut() {
                g.insert(site.pc);
            }
        }
    }
    owner.invalidate();
    site.unit.invalidate();
    site.stats.recompiles.set(site.stats.recompiles.get() + 1);
}
