//! Unit tests of the analysis the code generator relies on: blocks and liveness
//! (`flow.rs`), the decisions of `plan` and the forward analysis (`types.rs`), on
//! bytecode written by hand.

use crate::flow::{Flow, RegSet};
use crate::types::{analyze, join, plan, return_type, Arith, RegionRef, Slot, Spec, Ty, Way};
use tandem_vm::object::Proto;
use tandem_vm::opcode::Instr;
use tandem_vm::Value;

fn proto(arity: u8, nregs: u16, code: Vec<Instr>, consts: Vec<Value>) -> Proto {
    Proto {
        name: "t".into(),
        arity,
        variadic: false,
        nregs,
        call_arity: arity as u32,
        spans: vec![Default::default(); code.len()],
        code,
        consts,
        children: Vec::new(),
        upvals: Vec::new(),
        span: Default::default(),
        builtin: false,
        rest_list: false,
        is_method: false,
        wording: Default::default(),
        jit: Default::default(),
        fields: Default::default(),
        methods: Default::default(),
    }
}

fn int() -> Slot {
    Slot {
        ty: Ty::Int,
        synced: true,
        shape: 0,
    }
}

/// `s := 0; i := 0; while i < n { s := s + i; i := i + 1 }; return s` with n in r0.
fn sum_loop() -> Proto {
    proto(
        1,
        4,
        vec![
            Instr::LoadInt { dst: 1, imm: 0 },      // 0: s := 0
            Instr::LoadInt { dst: 2, imm: 0 },      // 1: i := 0
            Instr::JmpNotLt { a: 2, b: 0, off: 3 }, // 2: while i < n
            Instr::Add { dst: 1, a: 1, b: 2 },      // 3: s := s + i
            Instr::AddInt {
                dst: 2,
                a: 2,
                imm: 1,
            }, // 4: i := i + 1
            Instr::Jmp { off: -4 },                 // 5: back to 2
            Instr::Return { src: 1 },               // 6
        ],
        vec![],
    )
}

#[test]
fn blocks_start_at_jump_targets_and_after_jumps() {
    let p = sum_loop();
    let f = Flow::new(&p, &[]);
    assert_eq!(f.starts, vec![0, 2, 3, 6]);
    assert_eq!(f.block_of, vec![0, 0, 1, 2, 2, 2, 3]);
    assert!(!f.has_try);
}

#[test]
fn liveness_follows_the_loop() {
    let p = sum_loop();
    let f = Flow::new(&p, &[]);
    // At the loop header n, s and i are live; r3 never is.
    let at = f.live(2);
    assert!(at.contains(0) && at.contains(1) && at.contains(2) && !at.contains(3));
    // Before s := 0, s is not live (it is written first); n is.
    let start = f.live(0);
    assert!(start.contains(0) && !start.contains(1) && !start.contains(2));
    // At the return only s.
    let ret = f.live(6);
    assert!(ret.contains(1) && !ret.contains(0) && !ret.contains(2));
}

#[test]
fn a_function_with_handlers_keeps_every_register_live() {
    let p = proto(
        0,
        2,
        vec![
            Instr::TryBegin { reg: 1, off: 2 },
            Instr::LoadInt { dst: 0, imm: 1 },
            Instr::TryEnd {},
            Instr::Return { src: 0 },
        ],
        vec![],
    );
    let f = Flow::new(&p, &[]);
    assert!(f.has_try);
    assert_eq!(f.live(3), RegSet::ALL);
    // The catch target starts a block.
    assert!(f.starts.contains(&3));
}

#[test]
fn join_keeps_what_both_sides_know() {
    let live = RegSet::ALL;
    let mut a = vec![int(), Slot::fresh(Ty::Float), Slot::fresh(Ty::Int), int()];
    let b = vec![
        Slot::fresh(Ty::Int),
        Slot::fresh(Ty::Float),
        Slot::fresh(Ty::Float),
        Slot::ANY,
    ];
    assert!(join(&mut a, &b, &live));
    // Int synced with Int unsynced: unsynced. Int with Float, or anything with Any: Any.
    assert_eq!(a[0], Slot::fresh(Ty::Int));
    assert_eq!(a[1], Slot::fresh(Ty::Float));
    assert_eq!(a[2], Slot::ANY);
    assert_eq!(a[3], Slot::ANY);
    // Joining again changes nothing.
    assert!(!join(&mut a, &b, &live));
    // A register dead at the join carries nothing.
    let mut c = vec![int()];
    let mut dead = RegSet::default();
    dead.remove(0);
    join(&mut c, &[int()].to_vec(), &dead);
    assert_eq!(c[0], Slot::ANY);
}

#[test]
fn plan_decides_arithmetic_by_operand_types() {
    let p = proto(
        0,
        3,
        vec![
            Instr::Add { dst: 2, a: 0, b: 1 },
            Instr::AddInt {
                dst: 2,
                a: 0,
                imm: 1,
            },
        ],
        vec![],
    );
    let spec = Spec::default();
    let st = |a: Slot, b: Slot| vec![a, b, Slot::ANY];
    let fl = Slot::fresh(Ty::Float);
    let way = |s: &Vec<Slot>, pc| plan(&p, pc, s, &spec).way;
    assert_eq!(way(&st(int(), int()), 0), Way::Arith(Arith::Int));
    assert_eq!(way(&st(int(), fl), 0), Way::Arith(Arith::Float));
    assert_eq!(
        way(&st(Slot::ANY, int()), 0),
        Way::Arith(Arith::GuardInt(0))
    );
    assert_eq!(way(&st(fl, Slot::ANY), 0), Way::Arith(Arith::GuardNum(1)));
    assert_eq!(
        way(&st(Slot::ANY, Slot::ANY), 0),
        Way::Arith(Arith::Generic)
    );
    assert_eq!(
        way(&st(Slot::ANY, Slot::ANY), 1),
        Way::Arith(Arith::GuardInt(0))
    );
    // The guard refines the operand to an int, still in the value stack.
    let step = plan(&p, 0, &st(Slot::ANY, int()), &spec);
    assert_eq!(step.next[0], int());
    assert_eq!(step.next[2], Slot::fresh(Ty::Int));
    // A site whose speculation failed is compiled generically, and so is everything
    // when speculation is off.
    let mut generic = Spec::default();
    generic.generic.insert(0);
    assert_eq!(
        plan(&p, 0, &st(Slot::ANY, int()), &generic).way,
        Way::Arith(Arith::Generic)
    );
    let none = Spec {
        none: true,
        ..Spec::default()
    };
    assert_eq!(
        plan(&p, 0, &st(Slot::ANY, int()), &none).way,
        Way::Arith(Arith::Generic)
    );
    // Generic arithmetic needs its operands in the value stack.
    let step = plan(&p, 0, &st(Slot::fresh(Ty::Int), Slot::ANY), &generic);
    assert!(step.next[0].synced);
}

#[test]
fn the_loop_keeps_its_counters_unboxed() {
    let p = sum_loop();
    let f = Flow::new(&p, &[]);
    let spec = Spec::default();
    let regions = [RegionRef {
        proto: &p,
        flow: &f,
        spec: &spec,
        inline: None,
    }];
    // n speculated an int at entry.
    let entry = vec![int(), Slot::ANY, Slot::ANY, Slot::ANY];
    let states = analyze(&regions, 0, entry).remove(0);
    let header = states[2].as_ref().expect("the loop is reachable");
    assert_eq!(header[0].ty, Ty::Int);
    assert_eq!(header[1].ty, Ty::Int);
    assert_eq!(header[2].ty, Ty::Int);
    assert_eq!(return_type(&p, &states), Some(Ty::Int));
    // With n unknown, `i < n` still dispatches on tags and s, i stay ints.
    let entry = vec![Slot::ANY; 4];
    let states = analyze(&regions, 0, entry).remove(0);
    let header = states[2].as_ref().expect("reachable");
    assert_eq!((header[1].ty, header[2].ty), (Ty::Int, Ty::Int));
}

#[test]
fn a_value_of_unknown_type_flowing_into_the_loop_makes_it_boxed() {
    // s := f() (unknown) before the loop; s := s + 1 inside: s is Any at the header, and
    // the add is guarded there, so s is an int after the guard but Any again at the join.
    let p = proto(
        1,
        3,
        vec![
            Instr::Move { dst: 1, src: 0 }, // 0: s := n (unknown)
            Instr::JmpNotLtInt {
                a: 1,
                imm: 10,
                off: 2,
            }, // 1: while s < 10
            Instr::AddInt {
                dst: 1,
                a: 1,
                imm: 1,
            }, // 2
            Instr::Jmp { off: -3 },         // 3
            Instr::Return { src: 1 },       // 4
        ],
        vec![],
    );
    let f = Flow::new(&p, &[]);
    let spec = Spec::default();
    let regions = [RegionRef {
        proto: &p,
        flow: &f,
        spec: &spec,
        inline: None,
    }];
    let states = analyze(&regions, 0, vec![Slot::ANY; 3]).remove(0);
    assert_eq!(states[1].as_ref().unwrap()[1].ty, Ty::Any);
    let after = plan(&p, 2, states[2].as_ref().unwrap(), &spec);
    assert_eq!(after.way, Way::Arith(Arith::GuardInt(1)));
    assert_eq!(return_type(&p, &states), None);
}

#[test]
fn float_constants_are_floats_not_zero() {
    let p = proto(
        0,
        2,
        vec![
            Instr::LoadK { dst: 0, k: 0 },
            Instr::LoadK { dst: 1, k: 1 },
            Instr::Return { src: 0 },
        ],
        vec![Value::Float(2.5), Value::Int(7)],
    );
    let spec = Spec::default();
    let st = vec![Slot::ANY; 2];
    let s1 = plan(&p, 0, &st, &spec).next;
    assert_eq!(s1[0], Slot::fresh(Ty::Float));
    let s2 = plan(&p, 1, &s1, &spec).next;
    assert_eq!(s2[1], Slot::fresh(Ty::Int));
}

/// The sum loop writes s and i, not n: n is its only invariant. A jump from after a loop
/// back into it, or from inside it to before its header, makes it not simple.
#[test]
fn loop_writes_lists_what_a_simple_loop_may_write() {
    let p = sum_loop();
    let loops = crate::flow::loop_writes(&p);
    let ws = loops.get(&2).expect("the loop's header is pc 2");
    assert!(ws.contains(1) && ws.contains(2), "s and i are written");
    assert!(!ws.contains(0), "n is not");
    assert_eq!(loops.len(), 1);
    // A call in the body may write its window and everything above it.
    let mut code = sum_loop().code;
    code[3] = Instr::Call { base: 1, n: 0 };
    let q = proto(1, 4, code, vec![]);
    let ws = crate::flow::loop_writes(&q)
        .remove(&2)
        .expect("still simple");
    assert!(ws.contains(1) && ws.contains(2) && ws.contains(3) && ws.contains(200));
    assert!(!ws.contains(0));
    // A jump from after the loop back into its body.
    let mut code = sum_loop().code;
    code.push(Instr::Jmp { off: -5 }); // 7: to 3
    let q = proto(1, 4, code, vec![]);
    assert!(!crate::flow::loop_writes(&q).contains_key(&2));
}

/// An unboxed register a loop does not write is in the value stack at its header (written
/// once, before the loop), so the loop's exits need not write it; the counters it writes
/// are not.
#[test]
fn a_loops_invariant_registers_are_synced_at_its_header() {
    let p = sum_loop();
    let f = Flow::new(&p, &[]);
    let spec = Spec::default();
    let regions = [RegionRef {
        proto: &p,
        flow: &f,
        spec: &spec,
        inline: None,
    }];
    let unsynced = Slot {
        ty: Ty::Int,
        synced: false,
        shape: 0,
    };
    let entry = vec![unsynced, Slot::ANY, Slot::ANY, Slot::ANY];
    let states = analyze(&regions, 0, entry).remove(0);
    let header = states[2].as_ref().expect("the loop is reachable");
    assert_eq!(header[0], int(), "n: an int, and in the value stack");
    assert_eq!(header[2].ty, Ty::Int);
    assert!(
        !header[2].synced,
        "i changes in the loop: in a register only"
    );
    let before = states[0].as_ref().expect("the entry");
    assert!(
        !before[0].synced,
        "n is written only on the way into the loop"
    );
}

/// A field access speculating on the interpreter's cache gives its object register the
/// struct type's id (its `shape`), which later accesses on every path need not check
/// again; a write of the register, a join with a path that did not check, or a
/// compilation that does not speculate forgets it.
#[test]
fn a_field_access_remembers_the_struct_type_until_the_register_is_written() {
    let mut p = proto(
        2,
        4,
        vec![
            Instr::GetField {
                dst: 2,
                obj: 0,
                k: 0,
            }, // 0
            Instr::GetField {
                dst: 3,
                obj: 0,
                k: 0,
            }, // 1
            Instr::Move { dst: 0, src: 1 }, // 2
            Instr::Return { src: 0 },       // 3
        ],
        vec![Value::Null],
    );
    p.fields = tandem_vm::object::FieldCache::new(1);
    let st = vec![Slot::ANY; 4];
    let spec = Spec::default();
    let first = plan(&p, 0, &st, &spec);
    assert_eq!(first.next[0].shape, 0, "nothing cached yet: nothing known");
    p.fields.remember(0, 7, 1);
    let first = plan(&p, 0, &st, &spec);
    assert_eq!(first.next[0].shape, 7);
    assert_eq!(first.next[2].shape, 0);
    let second = plan(&p, 1, &first.next, &spec);
    assert_eq!(second.next[0].shape, 7, "still known at the second access");
    let moved = plan(&p, 2, &second.next, &spec);
    assert_eq!(moved.next[0].shape, 0, "a write forgets it");
    let mut joined = first.next.clone();
    join(&mut joined, &st, &RegSet::ALL);
    assert_eq!(joined[0].shape, 0, "a path that did not check");
    let none = Spec {
        none: true,
        ..Spec::default()
    };
    assert_eq!(plan(&p, 0, &st, &none).next[0].shape, 0);
    let mut generic = Spec::default();
    generic.generic.insert(0);
    assert_eq!(plan(&p, 0, &st, &generic).next[0].shape, 0);
}

/// `ISINST` followed by `JMPFALSE` on its result is a guard: the jump is not compiled, so
/// the code it leads to is unreachable in the analysis, until the guard failed too often.
#[test]
fn an_instance_test_before_a_jump_is_a_guard() {
    let p = proto(
        2,
        4,
        vec![
            Instr::IsInstance {
                dst: 2,
                obj: 0,
                ty: 1,
            }, // 0
            Instr::JmpFalse { src: 2, off: 2 }, // 1: to 4
            Instr::LoadInt { dst: 3, imm: 1 },  // 2
            Instr::Return { src: 3 },           // 3
            Instr::LoadInt { dst: 3, imm: 2 },  // 4
            Instr::Return { src: 3 },           // 5
        ],
        vec![],
    );
    let f = Flow::new(&p, &[]);
    let entry = vec![Slot::ANY; 4];
    let reach = |spec: &Spec| {
        let regions = [RegionRef {
            proto: &p,
            flow: &f,
            spec,
            inline: None,
        }];
        let states = analyze(&regions, 0, entry.clone()).remove(0);
        (states[2].is_some(), states[4].is_some())
    };
    let spec = Spec::default();
    let after = plan(&p, 0, &entry, &spec);
    assert_eq!(plan(&p, 1, &after.next, &spec).way, Way::NotTaken);
    assert_eq!(reach(&spec), (true, false));
    let mut failed = Spec::default();
    failed.generic.insert(0);
    assert_ne!(plan(&p, 1, &after.next, &failed).way, Way::NotTaken);
    assert_eq!(reach(&failed), (true, true));
}

/// A loop that indexes an array register it never writes, and holds nothing that could
/// change an array's length, checks that array before it starts; a call in the loop, a
/// write of the register, a way into the body that skips the header, or a failed check
/// at the header (the header's pc generic) each stop that.
#[test]
fn loops_check_their_invariant_arrays_before_they_start() {
    use crate::hoist::array_loops;
    // s := 0; i := 0; while i < n { s := s + a[i]; i := i + 1 }; return s
    // (a in r0, n in r1)
    let code = |body: Instr| {
        vec![
            Instr::LoadInt { dst: 2, imm: 0 },      // 0
            Instr::LoadInt { dst: 3, imm: 0 },      // 1
            Instr::JmpNotLt { a: 3, b: 1, off: 4 }, // 2: header
            body,                                   // 3
            Instr::Add { dst: 2, a: 2, b: 4 },      // 4
            Instr::AddInt {
                dst: 3,
                a: 3,
                imm: 1,
            }, // 5
            Instr::Jmp { off: -5 },                 // 6: back to 2
            Instr::Return { src: 2 },               // 7
        ]
    };
    let hoists = |p: &Proto, spec: &Spec| {
        let f = Flow::new(p, &[]);
        let regions = [RegionRef {
            proto: p,
            flow: &f,
            spec,
            inline: None,
        }];
        let states = analyze(&regions, 0, vec![Slot::ANY; 6]).remove(0);
        array_loops(p, &states, spec)
    };
    let spec = Spec::default();
    let p = proto(
        2,
        6,
        code(Instr::GetIndex {
            dst: 4,
            obj: 0,
            idx: 3,
        }),
        vec![],
    );
    let h = hoists(&p, &spec);
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].header, h[0].end, h[0].regs.clone()), (2, 6, vec![0]));
    let mut generic = Spec::default();
    generic.generic.insert(2);
    assert!(hoists(&p, &generic).is_empty(), "the header's check failed");
    let written = proto(
        2,
        6,
        code(Instr::GetIndex {
            dst: 0,
            obj: 0,
            idx: 3,
        }),
        vec![],
    );
    assert!(
        hoists(&written, &spec).is_empty(),
        "the loop writes the register"
    );
    let call = proto(2, 6, code(Instr::Call { base: 4, n: 0 }), vec![]);
    assert!(hoists(&call, &spec).is_empty(), "a call may push");
    let mut c = code(Instr::GetIndex {
        dst: 4,
        obj: 0,
        idx: 3,
    });
    c[1] = Instr::Jmp { off: 2 }; // 1: into the body, past the header
    let skips = proto(2, 6, c, vec![]);
    assert!(
        hoists(&skips, &spec).is_empty(),
        "a way in skips the header"
    );
}

/// `RECGET` on the record type its field cache remembers is expected to find its field
/// (`Way::Taken`): the code after it (the accessor's call for the error) is unreachable in
/// the analysis, and the jump's state knows the object's type; with nothing cached, or
/// once the speculation failed too often, it runs the interpreter's code and both ways
/// are compiled.
#[test]
fn a_record_access_expects_its_jump() {
    let mut p = proto(
        1,
        4,
        vec![
            Instr::RecGet {
                dst: 1,
                obj: 0,
                k: 0,
                off: 2,
            }, // 0: to 3
            Instr::LoadInt { dst: 1, imm: 2 }, // 1
            Instr::Return { src: 1 },          // 2
            Instr::Return { src: 1 },          // 3
        ],
        vec![Value::Null, Value::Int(0)],
    );
    p.fields = tandem_vm::object::FieldCache::new(2);
    let f = Flow::new(&p, &[]);
    let entry = vec![Slot::ANY; 4];
    let reach = |p: &Proto, spec: &Spec| {
        let regions = [RegionRef {
            proto: p,
            flow: &f,
            spec,
            inline: None,
        }];
        let states = analyze(&regions, 0, entry.clone()).remove(0);
        (states[1].is_some(), states[3].is_some())
    };
    let spec = Spec::default();
    assert_eq!(plan(&p, 0, &entry, &spec).way, Way::Exec);
    assert_eq!(reach(&p, &spec), (true, true));
    p.fields.remember(0, 7, 1);
    let step = plan(&p, 0, &entry, &spec);
    assert_eq!(step.way, Way::Taken);
    assert_eq!(step.jump[0].shape, 7);
    assert_eq!(reach(&p, &spec), (false, true));
    let mut failed = Spec::default();
    failed.generic.insert(0);
    assert_eq!(plan(&p, 0, &entry, &failed).way, Way::Exec);
    assert_eq!(reach(&p, &failed), (true, true));
}
