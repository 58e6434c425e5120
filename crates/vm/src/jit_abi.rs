//! The memory layout compiled code relies on: value tags, and where the fields it reads and
//! writes directly sit in the VM and in heap objects.
//!
//! The types involved are `repr(C)` where this crate owns them ([`Value`] is `repr(C, u8)`:
//! its tag byte at offset 0, every payload at offset 8; `Frame` and `GcBox` are `repr(C)`).
//! For standard-library containers (`Vec`, boxed slices, `Rc`), whose field order Rust does
//! not promise, [`Abi::get`] finds the order once by looking at a live instance, and refuses
//! (so the JIT stays off) if a container does not have the expected shape.

use crate::heap::Heap;
use crate::jit_hook::ProtoJit;
use crate::object::{Array, BoxCell, Closure, Instance, Pair, Proto, StructType};
use crate::value::{Gc, GcBox, Value};
use crate::vm::{Frame, Vm};
use std::mem::{offset_of, size_of};
use std::rc::Rc;
use std::sync::OnceLock;

/// The tag byte of a value.
pub fn tag_of(v: &Value) -> u8 {
    // SAFETY: `Value` is `repr(C, u8)`: its first byte is the tag.
    unsafe { *(v as *const Value as *const u8) }
}

/// Value tags, as the tag byte holds them.
#[derive(Clone, Copy, Debug)]
pub struct Tags {
    pub null: u8,
    pub bool: u8,
    pub int: u8,
    pub float: u8,
    pub str: u8,
    pub array: u8,
    pub dict: u8,
    pub closure: u8,
    pub native: u8,
    pub strukt: u8,
    pub struct_type: u8,
    pub box_: u8,
    pub pair: u8,
    pub undef: u8,
    /// A character: its code point is the `u32` at byte 8.
    pub chr: u8,
}

/// Where a container keeps its data pointer, its length and (for a `Vec`) its capacity
/// (byte offsets within it; a boxed slice's capacity is its length).
#[derive(Clone, Copy, Debug)]
pub struct Seq {
    pub ptr: i32,
    pub len: i32,
    pub cap: i32,
}

/// Byte offsets compiled code uses. Offsets into heap objects count from the start of the
/// `GcBox` (the address a `Gc` holds).
#[derive(Clone, Copy, Debug)]
pub struct Abi {
    pub tags: Tags,
    /// `Vm::stack` (the value stack).
    pub vm_stack: Seq,
    /// `Vm::frames`.
    pub vm_frames: Seq,
    pub vm_frame_limit: i32,
    pub vm_high_water: i32,
    pub vm_jit_stack_limit: i32,
    /// `Vm::globals.values` and `.immutable`.
    pub vm_globals: Seq,
    pub vm_immutable: Seq,
    /// The heap's allocated bytes and the collection threshold (`Heap::should_collect`).
    pub vm_heap_bytes: i32,
    pub vm_heap_threshold: i32,
    /// `Vm::countdown`, the limits' event counter (`crate::limits`).
    pub vm_countdown: i32,
    /// `Vm::jit_out`: the result of a helper called through the cold paths' trampoline.
    pub vm_jit_out: i32,
    pub frame_size: i32,
    pub frame_closure: i32,
    pub frame_pc: i32,
    pub frame_base: i32,
    /// `Closure::proto` (an `Rc<Proto>`, one word) and `Closure::upvals`.
    pub closure_proto: i32,
    pub closure_upvals: Seq,
    /// From the word an `Rc<Proto>` holds to the `Proto`.
    pub rc_to_value: i32,
    /// `Proto::jit.entry`, `Proto::jit.hot`, `Proto::call_arity` (u32), `Proto::nregs`
    /// (u16).
    pub proto_entry: i32,
    pub proto_hot: i32,
    pub proto_call_arity: i32,
    pub proto_nregs: i32,
    pub array_items: Seq,
    pub box_value: i32,
    /// Where an instance's first field is, from its `Gc` address (the fields follow the
    /// instance in its allocation).
    pub instance_inline: i32,
    pub instance_ty: i32,
    /// `StructType::id`.
    pub struct_type_id: i32,
    /// `Pair::car`, `Pair::cdr`.
    pub pair_car: i32,
    pub pair_cdr: i32,
}

/// The positions (in words) of `needles` among the words of `x`, which must be exactly
/// `words` words long; `None` if a needle is missing or two share a word.
fn word_positions<T>(x: &T, words: usize, needles: &[usize]) -> Option<Vec<i32>> {
    if size_of::<T>() != words * size_of::<usize>() {
        return None;
    }
    // SAFETY: `T` is exactly `words` words of plain data (pointers and integers).
    let ws: &[usize] = unsafe { std::slice::from_raw_parts(x as *const T as *const usize, words) };
    let mut out = Vec::new();
    for &n in needles {
        let mut hits = ws.iter().enumerate().filter(|(_, &w)| w == n);
        let (i, _) = hits.next()?;
        if hits.next().is_some() {
            return None;
        }
        out.push((i * size_of::<usize>()) as i32);
    }
    Some(out)
}

/// Where a `Vec<T>` keeps its pointer and length.
fn vec_seq<T: Default + Clone>() -> Option<Seq> {
    let mut v: Vec<T> = Vec::with_capacity(7);
    v.push(T::default());
    v.push(T::default());
    let p = word_positions(&v, 3, &[v.as_ptr() as usize, 2, 7])?;
    Some(Seq {
        ptr: p[0],
        len: p[1],
        cap: p[2],
    })
}

/// Where a `Box<[Value]>` keeps its pointer and length.
fn boxed_slice_seq() -> Option<Seq> {
    let b: Box<[Value]> = vec![Value::Null; 3].into_boxed_slice();
    let p = word_positions(&b, 2, &[b.as_ptr() as usize, 3])?;
    Some(Seq {
        ptr: p[0],
        len: p[1],
        cap: p[1],
    })
}

/// From the word an `Rc<T>` holds to its `T`.
fn rc_to_value() -> Option<i32> {
    let rc = Rc::new(0u64);
    if size_of::<Rc<u64>>() != size_of::<usize>() {
        return None;
    }
    // SAFETY: an `Rc` is one pointer-sized word.
    let word: usize = unsafe { std::mem::transmute_copy(&rc) };
    let value = Rc::as_ptr(&rc) as usize;
    i32::try_from(value.checked_sub(word)?).ok()
}

fn shift(s: Seq, by: usize) -> Seq {
    Seq {
        ptr: s.ptr + by as i32,
        len: s.len + by as i32,
        cap: s.cap + by as i32,
    }
}

impl Abi {
    /// The layout of this build, or `None` when a container has an unexpected shape.
    pub fn get() -> Option<&'static Abi> {
        static ABI: OnceLock<Option<Abi>> = OnceLock::new();
        ABI.get_or_init(Abi::probe).as_ref()
    }

    fn probe() -> Option<Abi> {
        let values = vec_seq::<Value>()?;
        let flags = vec_seq::<bool>()?;
        let frames = vec_seq::<FrameProbe>()?;
        let slice = boxed_slice_seq()?;
        if size_of::<Value>() != 16 || size_of::<Frame>() != 16 {
            return None;
        }
        let tags = Tags {
            null: tag_of(&Value::Null),
            bool: tag_of(&Value::Bool(false)),
            int: tag_of(&Value::Int(0)),
            float: tag_of(&Value::Float(0.0)),
            str: tag_of(&Value::Str(Gc::dangling())),
            array: tag_of(&Value::Array(Gc::dangling())),
            dict: tag_of(&Value::Dict(Gc::dangling())),
            closure: tag_of(&Value::Closure(Gc::dangling())),
            native: tag_of(&Value::Native(0)),
            strukt: tag_of(&Value::Struct(Gc::dangling())),
            struct_type: tag_of(&Value::StructType(Gc::dangling())),
            box_: tag_of(&Value::Box(Gc::dangling())),
            pair: tag_of(&Value::Pair(Gc::dangling())),
            undef: tag_of(&Value::Undef),
            chr: tag_of(&Value::Char('\0')),
        };
        let c = Value::Char('\u{10FFFF}');
        // SAFETY: a `Value` is 16 bytes (checked above).
        let code = unsafe { *((&c as *const Value as *const u8).add(8) as *const u32) };
        if code != 0x10FFFF {
            return None;
        }
        let globals = offset_of!(Vm, globals);
        let obj = |o: usize| (offset_of!(GcBox<Array>, value) + o) as i32;
        Some(Abi {
            tags,
            vm_stack: shift(values, offset_of!(Vm, stack)),
            vm_frames: shift(frames, offset_of!(Vm, frames)),
            vm_frame_limit: offset_of!(Vm, frame_limit) as i32,
            vm_high_water: offset_of!(Vm, high_water) as i32,
            vm_jit_stack_limit: offset_of!(Vm, jit_stack_limit) as i32,
            vm_globals: shift(
                values,
                globals + offset_of!(crate::globals::Globals, values),
            ),
            vm_immutable: shift(
                flags,
                globals + offset_of!(crate::globals::Globals, immutable),
            ),
            vm_heap_bytes: (offset_of!(Vm, heap) + Heap::BYTES_OFFSET) as i32,
            vm_heap_threshold: (offset_of!(Vm, heap) + Heap::THRESHOLD_OFFSET) as i32,
            vm_countdown: offset_of!(Vm, countdown) as i32,
            vm_jit_out: offset_of!(Vm, jit_out) as i32,
            frame_size: size_of::<Frame>() as i32,
            frame_closure: offset_of!(Frame, closure) as i32,
            frame_pc: offset_of!(Frame, pc) as i32,
            frame_base: offset_of!(Frame, base) as i32,
            closure_proto: obj(offset_of!(Closure, proto)),
            closure_upvals: shift(slice, obj(offset_of!(Closure, upvals)) as usize),
            rc_to_value: rc_to_value()?,
            proto_entry: (offset_of!(Proto, jit) + offset_of!(ProtoJit, entry)) as i32,
            proto_hot: (offset_of!(Proto, jit) + offset_of!(ProtoJit, hot)) as i32,
            proto_call_arity: offset_of!(Proto, call_arity) as i32,
            proto_nregs: offset_of!(Proto, nregs) as i32,
            array_items: shift(values, obj(Array::ITEMS_OFFSET) as usize),
            box_value: obj(offset_of!(BoxCell, value)),
            instance_inline: Instance::INLINE_OFFSET as i32,
            instance_ty: obj(offset_of!(Instance, ty)),
            struct_type_id: obj(offset_of!(StructType, id)),
            pair_car: obj(offset_of!(Pair, car)),
            pair_cdr: obj(offset_of!(Pair, cdr)),
        })
    }
}

/// A stand-in with `Frame`'s size for probing `Vec<Frame>` (a `Frame` has no default).
#[derive(Clone, Default)]
#[allow(dead_code)]
struct FrameProbe([u64; 2]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_probe_succeeds_and_agrees_with_live_objects() {
        let abi = Abi::get().expect("layout");
        assert_eq!(abi.tags.int, 2);
        assert_eq!(
            tag_of(&Value::Str(crate::heap::Heap::new().alloc_str("x"))),
            4
        );
        let mut heap = Heap::new();
        let arr = heap.alloc_array(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(tag_of(&Value::Array(arr)), abi.tags.array);
        let base = arr.addr();
        // SAFETY: reading the words the layout names inside a live array.
        unsafe {
            let ptr = *((base + abi.array_items.ptr as usize) as *const usize);
            let len = *((base + abi.array_items.len as usize) as *const usize);
            assert_eq!(ptr, arr.items().as_ptr() as usize);
            assert_eq!(len, 2);
        }
        let v = Value::Float(1.5);
        // SAFETY: the payload of a float is at offset 8.
        let bits = unsafe { *((&v as *const Value as usize + 8) as *const u64) };
        assert_eq!(bits, 1.5f64.to_bits());
        let b = Value::Bool(true);
        // SAFETY: the payload of a bool is at offset 8.
        let byte = unsafe { *((&b as *const Value as usize + 8) as *const u8) };
        assert_eq!(byte, 1);
        for (v, t) in [
            (
                Value::Dict(heap.alloc_dict(Default::default())),
                abi.tags.dict,
            ),
            (Value::Box(heap.alloc_box(Value::Null)), abi.tags.box_),
            (
                Value::Pair(heap.alloc_pair(Value::Null, Value::Null)),
                abi.tags.pair,
            ),
        ] {
            assert_eq!(tag_of(&v), t);
        }
    }
}
