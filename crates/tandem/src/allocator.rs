//! The command-line binary's global allocator: mimalloc.
//!
//! The heap's objects, strings and dict tables are many small blocks that die young, and
//! glibc's malloc spent a third of an allocation-heavy run in `malloc`/`free` (callgrind,
//! `bench/particles.ruff`). mimalloc's version 2 without transparent huge pages keeps peak
//! RSS at or below glibc's (with huge pages `hello` took 13 MB).
//!
//! Blocks whose alignment mimalloc gives anyway (at most 8, or 16 for blocks of 16 bytes
//! or more) take its plain entry points, which are about half the instructions of the
//! aligned ones; others take the aligned ones. A host that embeds the library chooses its
//! own allocator.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

pub struct Mimalloc;

/// Whether mimalloc's plain allocation gives `layout`'s alignment: every block is aligned
/// to 8 bytes, and blocks of 16 bytes or more to 16.
fn plain(layout: &Layout) -> bool {
    layout.align() <= 8 || (layout.align() <= 16 && layout.size() >= 16)
}

// SAFETY: each function forwards to mimalloc with a size and alignment it honours (see
// `plain`); blocks are freed by `mi_free`, which takes blocks from either entry point.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe {
            if plain(&layout) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe {
            if plain(&layout) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator.
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe {
            let new = Layout::from_size_align_unchecked(new_size, layout.align());
            if plain(&new) {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
