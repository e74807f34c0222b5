//! The wasm module's global allocator: the system allocator, noting the size of the first
//! allocation that fails (see [`super::failed_allocation_bytes`]).
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc is an unsafe trait; every call forwards unchanged to System"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Size of the first allocation that failed (0: none), for
/// [`failed_allocation_bytes`](super::failed_allocation_bytes).
pub(super) static FAILED_ALLOCATION: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, noting the size of an allocation that fails before the standard
/// library aborts (which traps without a word): running out of the 4 GiB a wasm32 module
/// can address is the likeliest failure on a large dump, and deserves a clear message.
struct NotingAllocator;

impl NotingAllocator {
    fn note(p: *mut u8, size: usize) -> *mut u8 {
        if p.is_null() {
            // No allocation here: memory is exhausted.
            let _ =
                FAILED_ALLOCATION.compare_exchange(0, size, Ordering::Relaxed, Ordering::Relaxed);
        }
        p
    }
}

// SAFETY: every call is forwarded unchanged to `System`; only failures are noted.
unsafe impl GlobalAlloc for NotingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's arguments, forwarded as is.
        Self::note(unsafe { System.alloc(layout) }, layout.size())
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's arguments, forwarded as is.
        Self::note(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's arguments, forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's arguments, forwarded as is.
        Self::note(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: NotingAllocator = NotingAllocator;
