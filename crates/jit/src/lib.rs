//! tandem's JIT: compiles hot bytecode functions and loops to machine code with Cranelift,
//! keeping the interpreter's frames (DESIGN decision 5; `docs/ARCHITECTURE.md`, "The JIT").
//!
//! - [`install`] puts a [`Jit`] into a VM as its `JitBackend`. The interpreter offers it a
//!   function after a number of calls and a loop after a number of back edges
//!   ([`CALL_THRESHOLD`], [`LOOP_THRESHOLD`]), or everything at once with
//!   [`JitMode::Always`].
//! - A function is analysed (`flow.rs`: blocks and liveness; `types.rs`: the types
//!   registers hold, from the types seen at entry) and lowered (`lower*.rs`) to one
//!   Cranelift function per entry: at pc 0 for calls, at a loop header for on-stack
//!   replacement.
//! - Exits back to the interpreter and what they teach are in `deopt.rs`; counters in
//!   `stats.rs`.

#[cfg(test)]
mod analysis_tests;
mod deopt;
mod flow;
mod frames;
mod hints;
mod hoist;
mod lower;
mod lower_call;
mod lower_data;
mod lower_ops;
mod preserve;
mod stats;
mod types;

use crate::deopt::{ProtoState, SiteTable};
use crate::lower::{Helpers, Lower, Sigs};
use crate::stats::Stats;
use crate::types::{Slot, Spec, Ty};
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{AbiParam, InstBuilder, Signature, UserFuncName};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::Module;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::time::Instant;
use tandem_vm::jit_abi::Abi;
use tandem_vm::jit_hook::{JitBackend, Trampoline};
use tandem_vm::object::{Closure, Proto};
use tandem_vm::opcode::Instr;
use tandem_vm::value::Gc;
use tandem_vm::{Value, Vm};

pub use tandem_vm::jit_hook::JitMode;

/// Calls of a function before `--jit=auto` compiles it.
pub const CALL_THRESHOLD: i32 = 500;
/// Back edges of a loop before `--jit=auto` compiles it (entered by on-stack replacement).
pub const LOOP_THRESHOLD: i32 = 1000;
/// The most functions compiled into one unit (a function and its tail callees).
const MAX_REGIONS: usize = 4;
/// The most regions (tail callees and inlined callees) in one unit.
const MAX_UNIT_REGIONS: usize = 32;
/// The most code (in instructions) compiled inline into one unit.
const MAX_INLINED_CODE: usize = 600;
/// The largest callee (in instructions) compiled inline.
const MAX_INLINE_CODE: usize = 48;
/// The largest function (in instructions) that joins another's unit.
const MAX_REGION_CODE: usize = 200;
/// Compilations of one prototype after which it is compiled without speculation.
const MAX_SPECULATIVE_COMPILES: u32 = 6;
/// Compilations of one prototype after which the JIT leaves it to the interpreter.
const MAX_COMPILES: u32 = 12;

/// The code generator, created at the first compilation (start-up compiles nothing).
struct Codegen {
    module: JITModule,
    ctx: cranelift_codegen::Context,
    fctx: FunctionBuilderContext,
    body_sig: Signature,
    helper_sig: Signature,
    vm_sig: Signature,
    site_sig: Signature,
    field_sig: Signature,
    cache_sig: Signature,
    /// `(vm, a, b) -> pair`: `jit_cons`.
    cons_sig: Signature,
    /// `(vm, ty) -> instance`: `jit_new_struct`.
    value_sig: Signature,
    /// `(vm, b, c, helper)` in `preserve_all`: `preserve::call_preserving`.
    preserve_sig: Signature,
}

/// The JIT backend of one VM.
pub struct Jit {
    mode: JitMode,
    cg: Option<Codegen>,
    stats: Rc<Stats>,
    protos: FxHashMap<usize, Rc<ProtoState>>,
    /// Deoptimization sites of every body made (compiled code points into them).
    tables: Vec<SiteTable>,
    /// Keep the IR of what is compiled (for `disasm --jit`).
    keep_ir: bool,
    ir: Vec<(String, String)>,
}

/// Install a JIT in `vm`, compiling in `mode`. Without a usable layout (never expected on
/// the platforms Cranelift supports) it stays off and says so.
pub fn install(vm: &mut Vm, mode: JitMode) -> Result<(), String> {
    if Abi::get().is_none() {
        return Err("the JIT cannot read this build's memory layout".into());
    }
    vm.install_jit(Box::new(Jit::new(mode)));
    Ok(())
}

/// The statistics line of the JIT installed in `vm` (`jit: N functions compiled, ...`).
pub fn stats_line(vm: &Vm) -> String {
    match vm
        .jit_backend()
        .and_then(|b| b.as_any().downcast_ref::<Jit>())
    {
        Some(j) if j.mode == JitMode::Off => format!("{} (--jit=off)", j.stats),
        Some(j) => j.stats.to_string(),
        None => "jit: not installed".to_string(),
    }
}

/// The Cranelift IR the JIT makes for `proto` and every function in it, compiled for
/// calls with no type feedback (what `--jit=always` makes before the first call).
pub fn ir_text(vm: &mut Vm, proto: &Rc<Proto>) -> Result<Vec<(String, String)>, String> {
    let mut jit = Jit::new(JitMode::Always);
    jit.keep_ir = true;
    let mut todo = vec![proto.clone()];
    while let Some(p) = todo.pop() {
        todo.extend(p.children.iter().rev().cloned());
        let st = jit.state(&p);
        let entry = vec![Ty::Any; p.nregs as usize];
        jit.compile(vm, &st, 0, &entry, Vec::new())?;
    }
    Ok(std::mem::take(&mut jit.ir))
}

impl Jit {
    pub fn new(mode: JitMode) -> Jit {
        Jit {
            mode,
            cg: None,
            stats: Rc::new(Stats::default()),
            protos: FxHashMap::default(),
            tables: Vec::new(),
            keep_ir: false,
            ir: Vec::new(),
        }
    }

    /// The statistics so far.
    pub fn stats(&self) -> String {
        self.stats.to_string()
    }

    fn state(&mut self, proto: &Rc<Proto>) -> Rc<ProtoState> {
        let key = Rc::as_ptr(proto) as usize;
        self.protos
            .entry(key)
            .or_insert_with(|| Rc::new(ProtoState::new(proto.clone())))
            .clone()
    }

    /// Make the code generator and the trampoline (once).
    fn codegen(&mut self, vm: &mut Vm) -> Result<&mut Codegen, String> {
        if self.cg.is_none() {
            let cg = Codegen::new()?;
            let tramp = cg.trampoline()?;
            vm.set_jit_trampoline(tramp.0);
            self.cg = Some(tramp.1);
            if vm.jit_stack_limit == 0 {
                vm.jit_stack_limit = stack_limit();
            }
        }
        Ok(self.cg.as_mut().expect("made above"))
    }

    /// Compile `st`'s prototype entered at `entry_pc` with the register types `types`
    /// (checked at entry); returns the body's address.
    fn compile(
        &mut self,
        vm: &mut Vm,
        st: &Rc<ProtoState>,
        entry_pc: usize,
        types: &[Ty],
        holds: Vec<hints::Holds>,
    ) -> Result<usize, String> {
        let started = Instant::now();
        let proto = st.proto.clone();
        let abi = Abi::get().ok_or("no layout")?;
        st.compiles.set(st.compiles.get() + 1);
        // The unit: this function, and the functions it tail-calls through globals
        // (theirs too, a few deep), compiled together so those tail calls are jumps.
        // Small callees of its calls are compiled inline (regions too, with a parent).
        let mut unit: Vec<Rc<ProtoState>> = vec![st.clone()];
        let mut inline: Vec<Option<(usize, usize, usize)>> = vec![None];
        let mut specs: Vec<Spec> = Vec::new();
        while specs.len() < unit.len() {
            let i = specs.len();
            let spec = self.spec_for(vm, &mut unit, &mut inline, i);
            specs.push(spec);
        }
        // Nothing in the unit can rebind a global: the globals of its tail calls between
        // its regions, and of its calls of this very function, are checked once, at entry.
        // Its calls may only be of itself (or inline), since a call of anything else may
        // run code that rebinds a global; and when it calls itself, it may tail-call only
        // its own regions (a tail call out leaves its frame to other code, which may
        // rebind a global before a caller's compiled code goes on).
        let root = Rc::as_ptr(&proto) as usize;
        let calls_self = |spec: &Spec, pc: usize| {
            let pc = pc as u32;
            spec.inline.contains_key(&pc) || spec.known.get(&pc).is_some_and(|k| k.proto == root)
        };
        let has_calls = unit.iter().any(|u| {
            u.proto.code.iter().any(|i| {
                matches!(
                    i,
                    Instr::Call { .. }
                        | Instr::CallGlobal { .. }
                        | Instr::CallMethod { .. }
                        | Instr::CallList { .. }
                )
            })
        });
        let pure = unit.iter().zip(&specs).all(|(u, spec)| {
            u.proto.code.iter().enumerate().all(|(pc, i)| match i {
                Instr::SetGlobal { .. }
                | Instr::DefGlobalMut { .. }
                | Instr::DefGlobalConst { .. }
                | Instr::Import { .. }
                | Instr::Call { .. }
                | Instr::CallMethod { .. }
                | Instr::CallList { .. } => false,
                Instr::CallGlobal { .. } => calls_self(spec, pc),
                Instr::TailCall { .. } => !has_calls,
                Instr::TailCallGlobal { .. } => {
                    let pc = pc as u32;
                    !has_calls || spec.self_tail.contains(&pc) || spec.cross.contains_key(&pc)
                }
                _ => true,
            })
        });
        if pure && !st.no_stable.get() {
            for (u, spec) in unit.iter().zip(specs.iter_mut()) {
                for (pc, i) in u.proto.code.iter().enumerate() {
                    let pc32 = pc as u32;
                    match *i {
                        Instr::TailCallGlobal { g, .. }
                            if spec.self_tail.contains(&pc32) || spec.cross.contains_key(&pc32) =>
                        {
                            spec.stable.push(g)
                        }
                        Instr::CallGlobal { g, .. } if spec.known.contains_key(&pc32) => {
                            spec.stable.push(g)
                        }
                        _ => {}
                    }
                }
            }
        }
        let flows: Vec<flow::Flow> = unit
            .iter()
            .zip(&specs)
            .map(|(u, spec)| {
                let ends: Vec<usize> = spec.inline.keys().map(|&pc| pc as usize).collect();
                flow::Flow::new(&u.proto, &ends)
            })
            .collect();
        let live = flows[0].live(entry_pc);
        if !specs[0].none {
            let holds = holds
                .into_iter()
                .enumerate()
                .map(|(r, h)| {
                    if live.contains(r) {
                        h
                    } else {
                        hints::Holds::Nothing
                    }
                })
                .collect();
            let found = hints::load_hints(
                &proto,
                entry_pc,
                holds,
                &specs[0].intrinsics,
                &specs[0].inline,
                &specs[0].generic,
            );
            specs[0].loads = found.loads;
            // A callee inlined here: loads from its parameters, from what the arguments
            // tell.
            for (i, l) in inline.iter().enumerate() {
                let Some((0, pc, _)) = *l else {
                    continue;
                };
                let Some(args) = found.args.get(&(pc as u32)) else {
                    continue;
                };
                if specs[i].none {
                    continue;
                }
                let callee = unit[i].proto.clone();
                let h = hints::load_hints(
                    &callee,
                    0,
                    args.clone(),
                    &specs[i].intrinsics,
                    &specs[i].inline,
                    &specs[i].generic,
                );
                specs[i].loads = h.loads;
            }
        }
        let entry: Vec<Slot> = (0..proto.nregs as usize)
            .map(|r| {
                let ty = types.get(r).copied().unwrap_or(Ty::Any);
                if live.contains(r) && ty != Ty::Any && !specs[0].none {
                    Slot {
                        ty,
                        synced: true,
                        shape: 0,
                    }
                } else {
                    Slot::ANY
                }
            })
            .collect();
        let refs = region_refs(&unit, &flows, &specs, &inline);
        let mut states = types::analyze(&refs, entry_pc, entry.clone());
        // Calls of this very function (from its inlined copies too): speculate that they
        // return what its returns give, when that is consistent (its other returns
        // decide it).
        let self_calls: Vec<(usize, u32)> = specs
            .iter()
            .enumerate()
            .filter(|(k, _)| Rc::ptr_eq(&unit[*k].proto, &proto))
            .flat_map(|(k, spec)| {
                let proto = &proto;
                spec.known.iter().filter_map(move |(pc, kn)| {
                    (kn.proto == Rc::as_ptr(proto) as usize
                        && matches!(proto.code[*pc as usize], Instr::CallGlobal { .. })
                        && !spec.inline.contains_key(pc)
                        && !spec.generic.contains(pc))
                    .then_some((k, *pc))
                })
            })
            .collect();
        if entry_pc == 0 && !self_calls.is_empty() && !st.no_ret_spec.get() && !specs[0].none {
            for ty in [Ty::Int, Ty::Float] {
                let mut tspecs: Vec<Spec> = specs.clone();
                for &(k, pc) in &self_calls {
                    tspecs[k].call_ret.insert(pc, ty);
                }
                let trial = region_refs(&unit, &flows, &tspecs, &inline);
                let s2 = types::analyze(&trial, entry_pc, entry.clone());
                if types::return_type(&proto, &s2[0]) == Some(ty) {
                    states = s2;
                    drop(trial);
                    drop(refs);
                    specs = tspecs;
                    break;
                }
            }
        }
        let own_ret = match entry_pc {
            0 => types::return_type(&proto, &states[0]),
            _ => None,
        };
        if entry_pc == 0 {
            st.ret.set(own_ret);
        }
        let refs = region_refs(&unit, &flows, &specs, &inline);
        let mut sites = SiteTable::new(unit.clone(), self.stats.clone(), entry_pc != 0);
        let keep_ir = self.keep_ir;
        let cg = self.codegen(vm)?;
        cg.ctx.clear();
        cg.ctx.func.signature = cg.body_sig.clone();
        cg.ctx.func.name = UserFuncName::user(0, proto.code.len() as u32);
        let helpers = Helpers {
            exec: tandem_vm::jit_helpers::jit_exec as *const () as usize,
            call: tandem_vm::jit_helpers::jit_call as *const () as usize,
            tail_call: tandem_vm::jit_helpers::jit_tail_call as *const () as usize,
            safepoint: tandem_vm::jit_helpers::jit_safepoint as *const () as usize,
            tick: tandem_vm::jit_helpers::jit_tick as *const () as usize,
            drop_handlers: tandem_vm::jit_helpers::jit_drop_handlers as *const () as usize,
            field: tandem_vm::jit_helpers::jit_field as *const () as usize,
            method_cache: tandem_vm::jit_helpers::jit_method_cache as *const () as usize,
            cons: tandem_vm::jit_helpers::jit_cons as *const () as usize,
            new_struct: tandem_vm::jit_helpers::jit_new_struct as *const () as usize,
            native: tandem_vm::jit_helpers::jit_native as *const () as usize,
            equal: tandem_vm::jit_helpers::jit_values_equal as *const () as usize,
            index: tandem_vm::jit_helpers::jit_index as *const () as usize,
            preserve: preserve::address(),
        };
        let id = cg
            .module
            .declare_anonymous_function(&cg.body_sig)
            .map_err(|e| e.to_string())?;
        // A function whose calls of itself go through a stable global calls its own
        // code directly, past its entry's checks (see `lower::SELF_ENTRY`); any other
        // body has no second entry to test for.
        let calls_itself = entry_pc == 0
            && unit.iter().zip(&specs).any(|(u, spec)| {
                u.proto.code.iter().enumerate().any(|(pc, i)| {
                    let pc = pc as u32;
                    matches!(*i, Instr::CallGlobal { g, .. }
                        if spec.stable.contains(&g)
                            && !spec.inline.contains_key(&pc)
                            && spec.known.get(&pc).is_some_and(|k| k.proto == root))
                })
            });
        let own = calls_itself.then(|| cg.module.declare_func_in_func(id, &mut cg.ctx.func));
        {
            let mut b = FunctionBuilder::new(&mut cg.ctx.func, &mut cg.fctx);
            let sigs = Sigs {
                helper: b.import_signature(cg.helper_sig.clone()),
                vm_only: b.import_signature(cg.vm_sig.clone()),
                body: b.import_signature(cg.body_sig.clone()),
                field: b.import_signature(cg.field_sig.clone()),
                cache: b.import_signature(cg.cache_sig.clone()),
                cons: b.import_signature(cg.cons_sig.clone()),
                value: b.import_signature(cg.value_sig.clone()),
                preserve: b.import_signature(cg.preserve_sig.clone()),
            };
            let regions = refs
                .iter()
                .zip(&states)
                .map(|(r, states)| lower::RegionIn {
                    proto: r.proto,
                    flow: r.flow,
                    states,
                    spec: r.spec,
                    inline: r.inline,
                })
                .collect();
            let mut lower = Lower::new(b, regions, abi, helpers, sigs, &mut sites);
            lower.own = own.map(|f| (f, entry.clone()));
            lower.own_ret = own_ret;
            let b = lower.build(entry_pc, &entry);
            b.finalize(cg.module.isa().frontend_config());
        }
        let dump = std::env::var_os("TANDEM_JIT_DUMP").is_some();
        cg.ctx.set_disasm(dump);
        cg.module
            .define_function(id, &mut cg.ctx)
            .map_err(|e| format!("{e:?}"))?;
        if dump {
            eprintln!(
                "jit: {} entered at {entry_pc}\n{}",
                proto.name,
                cg.ctx.func.display()
            );
        }
        if dump {
            if let Some(code) = cg.ctx.compiled_code().and_then(|c| c.vcode.clone()) {
                eprintln!("jit: machine code of {}\n{code}", proto.name);
            }
        }
        let ir = keep_ir.then(|| cg.ctx.func.display().to_string());
        cg.module
            .finalize_definitions()
            .map_err(|e| e.to_string())?;
        let body = cg.module.get_finalized_function(id) as usize;
        if let Some(dir) = std::env::var_os("TANDEM_JIT_BYTES") {
            if let Some(c) = cg.ctx.compiled_code() {
                let path = std::path::Path::new(&dir).join(format!("{body:x}.bin"));
                let _ = std::fs::write(path, c.code_buffer());
            }
        }
        if let Some(ir) = ir {
            let what = if entry_pc == 0 {
                proto.name.clone()
            } else {
                format!("{} (loop at {entry_pc:04})", proto.name)
            };
            self.ir.push((what, ir));
        }
        self.tables.push(sites);
        let took = started.elapsed();
        Stats::add(&self.stats.compile_ns, took.as_nanos() as u64);
        if std::env::var_os("TANDEM_JIT_TRACE").is_some() {
            eprintln!(
                "jit: compiled {} at {entry_pc} ({} regions, {} instructions, {} hinted loads) in {:.2} ms",
                proto.name,
                unit.len(),
                unit.iter().map(|u| u.proto.code.len()).sum::<usize>(),
                specs[0].loads.len(),
                took.as_secs_f64() * 1e3
            );
        }
        Ok(body)
    }

    /// The settings for compiling region `i` of `unit`: what its speculation failures
    /// taught, the callees of its calls of globals that are known now, its self tail
    /// calls, and its tail calls of other functions, which join the unit (up to
    /// [`MAX_REGIONS`]) when they are small enough.
    fn spec_for(
        &mut self,
        vm: &Vm,
        unit: &mut Vec<Rc<ProtoState>>,
        inline: &mut Vec<Option<(usize, usize, usize)>>,
        i: usize,
    ) -> Spec {
        let st = unit[i].clone();
        let is_inlined = inline[i].is_some();
        let cold_exits = is_inlined;
        // The first instructions run on every call, up to the first jump or return.
        let cold_from = st
            .proto
            .code
            .iter()
            .enumerate()
            .position(|(pc, i)| flow::jump_target(pc, i).is_some() || !flow::falls_through(i))
            .map_or(st.proto.code.len(), |pc| pc + 1);
        let proto = st.proto.clone();
        let mut spec = Spec {
            generic: st.generic.borrow().clone(),
            none: st.compiles.get() > MAX_SPECULATIVE_COMPILES,
            cold_exits,
            cold_from,
            ..Spec::default()
        };
        for (pc, ins) in proto.code.iter().enumerate() {
            if let Instr::CallMethod { base, n, k } = *ins {
                if !is_inlined && !spec.none && !spec.generic.contains(&(pc as u32)) {
                    self.inline_method(vm, &proto, (pc, base, n, k), unit, inline, i, &mut spec);
                }
                continue;
            }
            let (n, g, tail) = match *ins {
                Instr::CallGlobal { n, g, .. } => (n, g, false),
                Instr::TailCallGlobal { n, g, .. } => (n, g, true),
                _ => continue,
            };
            let c = match vm.globals.values.get(g as usize).copied() {
                Some(Value::Closure(c)) => c,
                Some(Value::Native(id)) => {
                    let def = &vm.natives[id as usize];
                    if !tail && def.arity.accepts(n as usize) {
                        match def.intrinsic {
                            Some(k) => {
                                spec.intrinsics.insert(pc as u32, (id, k));
                            }
                            None => {
                                spec.natives.insert(pc as u32, id);
                            }
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let callee = &c.proto;
            if callee.variadic || n != callee.arity {
                continue;
            }
            // Keep the callee's prototype (its address is compiled in).
            let cst = self.state(callee);
            spec.known.insert(pc as u32, known(callee));
            if !tail
                && !Rc::ptr_eq(callee, &proto)
                && !cst.no_ret_spec.get()
                && !spec.generic.contains(&(pc as u32))
            {
                if let Some(ty) = cst.ret.get() {
                    spec.call_ret.insert(pc as u32, ty);
                }
            }
            if !tail {
                // A function inlines itself too (one level: an inlined callee inlines
                // nothing), halving the real calls of small recursive functions.
                if !is_inlined && inlinable(vm, &cst, unit, inline) {
                    let Instr::CallGlobal { base, .. } = *ins else {
                        continue;
                    };
                    unit.push(cst.clone());
                    inline.push(Some((i, pc, base as usize)));
                    spec.inline.insert(pc as u32, unit.len() - 1);
                }
                continue;
            }
            if Rc::ptr_eq(callee, &proto) {
                spec.self_tail.insert(pc as u32);
                continue;
            }
            if is_inlined {
                continue;
            }
            let member = unit
                .iter()
                .zip(inline.iter())
                .position(|(u, inl)| inl.is_none() && Rc::ptr_eq(&u.proto, callee));
            let joins = member.is_some()
                || (unit
                    .iter()
                    .zip(inline.iter())
                    .filter(|(_, l)| l.is_none())
                    .count()
                    < MAX_REGIONS
                    && callee.code.len() <= MAX_REGION_CODE
                    && !cst.failed.get()
                    && !callee
                        .code
                        .iter()
                        .any(|i| matches!(i, Instr::TryBegin { .. } | Instr::TryBeginRaw { .. })));
            if joins {
                let j = member.unwrap_or_else(|| {
                    unit.push(cst.clone());
                    inline.push(None);
                    unit.len() - 1
                });
                spec.cross.insert(pc as u32, j);
            }
        }
        spec
    }

    /// The method call `(pc, base, n, k)` of region `i` (of method constant `k`) is
    /// compiled inline when the interpreter's cache there found a small method: behind a
    /// check that the receiver has the struct type the cache remembers.
    #[allow(clippy::too_many_arguments)]
    fn inline_method(
        &mut self,
        vm: &Vm,
        proto: &Proto,
        (pc, base, n, k): (usize, u8, u8, u16),
        unit: &mut Vec<Rc<ProtoState>>,
        inline: &mut Vec<Option<(usize, usize, usize)>>,
        i: usize,
        spec: &mut Spec,
    ) {
        let Some((id, Value::Closure(c))) = proto.methods.get(k as usize) else {
            return;
        };
        let callee = &c.proto;
        if callee.variadic || callee.arity as usize != n as usize + 1 {
            return;
        }
        let cst = self.state(callee);
        if !inlinable(vm, &cst, unit, inline) {
            return;
        }
        spec.known.insert(pc as u32, known(callee));
        spec.methods.insert(pc as u32, (id, c.addr()));
        unit.push(cst);
        inline.push(Some((i, pc, base as usize)));
        spec.inline.insert(pc as u32, unit.len() - 1);
    }

    /// Compile for entry at `pc` of the frame at `base`, with the types the live
    /// registers hold now (unless speculation there is off).
    fn compile_here(
        &mut self,
        vm: &mut Vm,
        st: &Rc<ProtoState>,
        base: usize,
        pc: usize,
        speculate: bool,
    ) -> usize {
        if st.failed.get() || st.compiles.get() >= MAX_COMPILES {
            st.proto.jit.hot.set(i32::MAX);
            st.proto.jit.loop_hot.set(i32::MAX);
            return 0;
        }
        let n = st.proto.nregs as usize;
        let types: Vec<Ty> = (0..n)
            .map(|r| match vm.stack.get(base + r) {
                Some(Value::Int(_)) if speculate => Ty::Int,
                Some(Value::Float(_)) if speculate => Ty::Float,
                Some(Value::Bool(_)) if speculate => Ty::Bool,
                _ => Ty::Any,
            })
            .collect();
        let types = if pc == 0 {
            // Only the parameters hold anything at entry.
            let np = st.proto.arity as usize + usize::from(st.proto.variadic);
            (0..n)
                .map(|r| if r < np { types[r] } else { Ty::Any })
                .collect()
        } else {
            types
        };
        // What the live registers hold tells the types of loads from them (`hints`).
        let holds: Vec<hints::Holds> = if speculate {
            (0..n)
                .map(|r| match vm.stack.get(base + r) {
                    Some(v) if pc != 0 || r < st.proto.arity as usize => hints::holds(v),
                    _ => hints::Holds::Nothing,
                })
                .collect()
        } else {
            Vec::new()
        };
        match self.compile(vm, st, pc, &types, holds) {
            Ok(body) => body,
            Err(e) => {
                if std::env::var_os("TANDEM_JIT_DEBUG").is_some() {
                    eprintln!("jit: cannot compile {}: {e}", st.proto.name);
                }
                st.failed.set(true);
                Stats::add(&self.stats.failures, 1);
                st.proto.jit.hot.set(i32::MAX);
                st.proto.jit.loop_hot.set(i32::MAX);
                0
            }
        }
    }

    /// The body for calls of `st`'s prototype (compiling it if needed).
    fn entry_body(&mut self, vm: &mut Vm, st: &Rc<ProtoState>, base: usize) -> usize {
        let p = &st.proto;
        if p.jit.entry.get() != 0 {
            return p.jit.entry.get();
        }
        let speculate = !st.no_param_spec.get();
        let body = self.compile_here(vm, st, base, 0, speculate);
        if body != 0 {
            p.jit.entry.set(body);
            Stats::add(&self.stats.functions, 1);
        }
        body
    }
}

impl JitBackend for Jit {
    fn mode(&self) -> JitMode {
        self.mode
    }

    fn on_hot_call(&mut self, vm: &mut Vm, closure: Gc<Closure>, base: usize) -> usize {
        let proto = closure.proto.clone();
        if self.mode == JitMode::Off {
            proto.jit.hot.set(i32::MAX);
            return 0;
        }
        let key = Rc::as_ptr(&proto) as usize;
        let first = self.protos.get(&key).is_none_or(|st| !st.ran.get());
        if self.mode == JitMode::Auto && first {
            // First call: start counting (its loops' back edges too: they count from the
            // first call, not from the first back edge after it).
            self.state(&proto).ran.set(true);
            proto.jit.hot.set(CALL_THRESHOLD);
            proto.jit.loop_hot.set(LOOP_THRESHOLD);
            return 0;
        }
        let st = self.state(&proto);
        self.entry_body(vm, &st, base)
    }

    fn on_hot_loop(&mut self, vm: &mut Vm, closure: Gc<Closure>, base: usize, pc: u32) -> usize {
        let proto = closure.proto.clone();
        if self.mode == JitMode::Off {
            proto.jit.loop_hot.set(i32::MAX);
            return 0;
        }
        let key = Rc::as_ptr(&proto) as usize;
        let first = self.protos.get(&key).is_none_or(|st| !st.ran.get());
        if self.mode == JitMode::Auto && first {
            self.state(&proto).ran.set(true);
            proto.jit.loop_hot.set(LOOP_THRESHOLD);
            return 0;
        }
        proto.jit.loop_hot.set(LOOP_THRESHOLD);
        let st = self.state(&proto);
        if pc == 0 {
            // A self tail call in the interpreter: the start of the function.
            return self.entry_body(vm, &st, base);
        }
        let existing = st
            .osr
            .borrow()
            .iter()
            .find(|(p, _)| *p == pc)
            .map(|&(_, b)| b);
        let body = match existing {
            Some(b) => b,
            None => {
                let speculate = !st.no_osr_spec.get();
                let body = self.compile_here(vm, &st, base, pc as usize, speculate);
                if body == 0 {
                    return 0;
                }
                st.osr.borrow_mut().push((pc, body));
                Stats::add(&self.stats.loops, 1);
                body
            }
        };
        Stats::add(&self.stats.osr_entries, 1);
        body
    }

    fn set_mode(&mut self, mode: JitMode) {
        self.mode = mode;
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What compiled code knows of a callee's prototype (kept alive by its `ProtoState`: its
/// address cannot be reused).
fn known(callee: &Rc<Proto>) -> types::Known {
    types::Known {
        proto: Rc::as_ptr(callee) as usize,
        // SAFETY: an `Rc` is one word (checked by `Abi::get`).
        rc_word: unsafe { std::mem::transmute_copy::<Rc<Proto>, usize>(callee) },
        nregs: callee.nregs,
    }
}

/// Whether a call of `cst`'s function may be compiled inline into `unit` (`inline` says
/// which of its regions are inlined callees): a small function, without handlers, whose
/// speculation has not failed, within the unit's budget. Not a callee that tail-calls
/// another function: inlined, its tail call would go through the interpreter's protocol
/// (`jit_tail_call`, about 250 instructions), where called, it is a jump within its own
/// unit.
fn inlinable(
    vm: &Vm,
    cst: &ProtoState,
    unit: &[Rc<ProtoState>],
    inline: &[Option<(usize, usize, usize)>],
) -> bool {
    let callee = &cst.proto;
    let small = callee.code.len() <= MAX_INLINE_CODE
        && !callee.code.iter().any(|i| match *i {
            Instr::TryBegin { .. } | Instr::TryBeginRaw { .. } => true,
            Instr::TailCall { .. } | Instr::TailCallMethod { .. } | Instr::TailCallList { .. } => {
                true
            }
            Instr::TailCallGlobal { g, .. } => !matches!(
                vm.globals.values.get(g as usize),
                Some(Value::Closure(c)) if Rc::ptr_eq(&c.proto, callee)
            ),
            _ => false,
        });
    let inlined_code: usize = unit
        .iter()
        .zip(inline.iter())
        .filter(|(_, l)| l.is_some())
        .map(|(u, _)| u.proto.code.len())
        .sum();
    small
        && !cst.failed.get()
        && unit.len() < MAX_UNIT_REGIONS
        && inlined_code + callee.code.len() <= MAX_INLINED_CODE
}

/// Where compiled code stops entering functions: the thread's stack end plus a reserve
/// (half of what is left when the JIT starts, at least 1 MiB) for the Rust code compiled
/// code calls (helpers, the nested interpreter, the compiler itself).
/// The analysis' view of a unit's regions: each one's prototype, flow, speculation and
/// (for an inlined callee) where it was inlined.
fn region_refs<'a>(
    unit: &'a [Rc<ProtoState>],
    flows: &'a [flow::Flow],
    specs: &'a [Spec],
    inline: &[Option<(usize, usize, usize)>],
) -> Vec<types::RegionRef<'a>> {
    unit.iter()
        .zip(flows)
        .zip(specs)
        .zip(inline)
        .map(|(((u, flow), spec), &inline)| types::RegionRef {
            proto: &u.proto,
            flow,
            spec,
            inline,
        })
        .collect()
}

fn stack_limit() -> usize {
    // A local on this thread's stack (`&0u8` would be a promoted static).
    let marker = std::hint::black_box(0u8);
    let here = std::ptr::addr_of!(marker) as usize;
    match stacker::remaining_stack() {
        Some(rem) => {
            let end = here.saturating_sub(rem);
            let reserve = (rem / 2).max(1 << 20);
            end + reserve.min(rem)
        }
        // Unknown: assume 1 MiB below here is safe to use and keep 256 KiB of it.
        None => here.saturating_sub(768 << 10),
    }
}

impl Codegen {
    fn new() -> Result<Codegen, String> {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        // Checking each function's IR costs as much as compiling it: debug builds only.
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        flags
            .set("enable_verifier", verify)
            .map_err(|e| e.to_string())?;
        flags.set("is_pic", "false").map_err(|e| e.to_string())?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(|e| e.to_string())?;
        flags
            .set("preserve_frame_pointers", "true")
            .map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| e.to_string())?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let default_cc = isa.default_call_conv();
        let module = JITModule::new(JITBuilder::with_isa(
            isa,
            cranelift_module::default_libcall_names(),
        ));
        // (vm, base, regs, frame, fidx, countdown) -> (status, countdown): the caller passes the frame's
        // registers' address, its `Frame`'s address and index, which it knows already.
        // The event counter of the limits (`Vm::countdown`) goes in last and comes back
        // with the status: compiled code keeps it in a register.
        let mut body_sig = Signature::new(CallConv::Tail);
        for _ in 0..6 {
            body_sig.params.push(AbiParam::new(I64));
        }
        // Returns: the status, the event counter, the result (the two words of a value,
        // in registers; the trampoline writes them to the callee slot), and the
        // addresses of the callee's registers and frame record (`Lower::return_value`).
        for _ in 0..6 {
            body_sig.returns.push(AbiParam::new(I64));
        }
        let mut helper_sig = Signature::new(default_cc);
        helper_sig.params.push(AbiParam::new(I64));
        helper_sig
            .params
            .push(AbiParam::new(cranelift_codegen::ir::types::I32));
        helper_sig.returns.push(AbiParam::new(I64));
        let mut vm_sig = Signature::new(default_cc);
        vm_sig.params.push(AbiParam::new(I64));
        let mut site_sig = Signature::new(default_cc);
        site_sig.params.push(AbiParam::new(I64));
        let mut cache_sig = Signature::new(default_cc);
        cache_sig.params.push(AbiParam::new(I64));
        cache_sig
            .params
            .push(AbiParam::new(cranelift_codegen::ir::types::I32));
        cache_sig.params.push(AbiParam::new(I64));
        let mut field_sig = cache_sig.clone();
        field_sig.returns.push(AbiParam::new(I64));
        let mut cons_sig = Signature::new(default_cc);
        for _ in 0..3 {
            cons_sig.params.push(AbiParam::new(I64));
        }
        cons_sig.returns.push(AbiParam::new(I64));
        let mut value_sig = Signature::new(default_cc);
        value_sig.params.push(AbiParam::new(I64));
        value_sig.params.push(AbiParam::new(I64));
        value_sig.returns.push(AbiParam::new(I64));
        let mut preserve_sig = Signature::new(CallConv::PreserveAll);
        for _ in 0..4 {
            preserve_sig.params.push(AbiParam::new(I64));
        }
        Ok(Codegen {
            ctx: module.make_context(),
            module,
            fctx: FunctionBuilderContext::new(),
            body_sig,
            helper_sig,
            vm_sig,
            site_sig,
            field_sig,
            cache_sig,
            cons_sig,
            value_sig,
            preserve_sig,
        })
    }

    /// The trampoline Rust calls compiled bodies through: `(body, vm, base) -> status`
    /// in the platform's convention, calling the body in the `tail` convention.
    fn trampoline(mut self) -> Result<(Trampoline, Codegen), String> {
        let cc = self.module.isa().default_call_conv();
        let mut sig = Signature::new(cc);
        for _ in 0..3 {
            sig.params.push(AbiParam::new(I64));
        }
        sig.returns.push(AbiParam::new(I64));
        self.ctx.clear();
        self.ctx.func.signature = sig.clone();
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let blk = b.create_block();
            b.append_block_params_for_function_params(blk);
            b.switch_to_block(blk);
            let p = b.block_params(blk).to_vec();
            let bsig = b.import_signature(self.body_sig.clone());
            // The frame at `base` is the top one: its index, address and registers.
            let abi = Abi::get().ok_or("no layout")?;
            let flags = cranelift_codegen::ir::MemFlagsData::trusted();
            let (vm, base) = (p[1], p[2]);
            let len = b.ins().load(I64, flags, vm, abi.vm_frames.len);
            let fidx = b.ins().iadd_imm_s(len, -1);
            let fp = b.ins().load(I64, flags, vm, abi.vm_frames.ptr);
            let off = b.ins().imul_imm_s(fidx, abi.frame_size as i64);
            let frame = b.ins().iadd(fp, off);
            let sp = b.ins().load(I64, flags, vm, abi.vm_stack.ptr);
            let off = b.ins().ishl_imm_u(base, 4);
            let regs = b.ins().iadd(sp, off);
            let cd = b.ins().load(I64, flags, vm, abi.vm_countdown);
            let call = b
                .ins()
                .call_indirect(bsig, p[0], &[vm, base, regs, frame, fidx, cd]);
            let out = b.inst_results(call).to_vec();
            let (r, cd) = (out[0], out[1]);
            b.ins().store(flags, cd, vm, abi.vm_countdown);
            // A result goes to the callee slot, below the registers (which may have moved).
            let put = b.create_block();
            let other = b.create_block();
            let done = b.create_block();
            b.ins().brif(r, other, &[], put, &[]);
            // A deoptimization passes its exit site back: note it (`deopt::note_deopt`).
            b.switch_to_block(other);
            let deopt = b.ins().icmp_imm_s(
                cranelift_codegen::ir::condcodes::IntCC::Equal,
                r,
                tandem_vm::jit_hook::STATUS_DEOPT as i64,
            );
            let has_site = b.create_block();
            let note = b.create_block();
            b.ins().brif(deopt, has_site, &[], done, &[]);
            b.switch_to_block(has_site);
            b.ins().brif(out[2], note, &[], done, &[]);
            b.switch_to_block(note);
            let site_sig = b.import_signature(self.site_sig.clone());
            let f = b.ins().iconst(I64, deopt::note_deopt as *const () as i64);
            b.ins().call_indirect(site_sig, f, &[out[2]]);
            b.ins().jump(done, &[]);
            b.switch_to_block(put);
            let sp = b.ins().load(I64, flags, vm, abi.vm_stack.ptr);
            let off = b.ins().ishl_imm_u(base, 4);
            let regs = b.ins().iadd(sp, off);
            b.ins().store(flags, out[2], regs, lower::CALLEE_SLOT);
            b.ins().store(flags, out[3], regs, lower::CALLEE_SLOT + 8);
            b.ins().jump(done, &[]);
            b.switch_to_block(done);
            b.ins().return_(&[r]);
            b.seal_all_blocks();
            b.finalize(self.module.isa().frontend_config());
        }
        let id = self
            .module
            .declare_anonymous_function(&sig)
            .map_err(|e| e.to_string())?;
        self.module
            .define_function(id, &mut self.ctx)
            .map_err(|e| format!("{e:?}"))?;
        self.module
            .finalize_definitions()
            .map_err(|e| e.to_string())?;
        let f = self.module.get_finalized_function(id);
        // SAFETY: the function was built with exactly this signature in the platform's C
        // calling convention.
        let t: Trampoline = unsafe { std::mem::transmute::<*const u8, Trampoline>(f) };
        Ok((t, self))
    }
}
