//! The native binary's allocator: the system allocator, plus a request for transparent
//! huge pages (Linux `madvise(MADV_HUGEPAGE)`) on every allocation of 4 MiB or more.
//!
//! The analysis reads its big arrays (object table, ID map, graph, preorder numbers) at
//! random: with 4 KiB pages nearly every access to an array of hundreds of MiB also misses
//! the TLB. Debian's default transparent-huge-page mode is `madvise`, so large arrays only
//! get 2 MiB pages when asked. Asking costs nothing when the kernel says no (the advice
//! fails quietly: `never`, other systems). The library is unaffected; the wasm module's
//! memory is the browser's to map.
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc is an unsafe trait, and madvise is a foreign function"
)]

use std::alloc::{GlobalAlloc, Layout, System};

/// Allocations at least this large are advised.
const ADVISE_FROM: usize = 4 << 20;

pub struct HugePages;

#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, size: usize) {
    const HUGE: usize = 2 << 20;
    const MADV_HUGEPAGE: i32 = 14;
    unsafe extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    if ptr.is_null() || size < ADVISE_FROM {
        return;
    }
    // The whole 2 MiB pages inside the block: advice needs page-aligned ranges, and only
    // aligned 2 MiB ranges can become huge pages.
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize + size) & !(HUGE - 1);
    if end > start {
        // SAFETY: the range lies inside a live allocation of ours; MADV_HUGEPAGE changes
        // no contents and failure is harmless.
        unsafe {
            madvise(start as *mut std::ffi::c_void, end - start, MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _size: usize) {}

// SAFETY: every call is forwarded to `System` with the same arguments; `advise` only gives
// the kernel a hint about memory the caller now owns.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's arguments, forwarded as is.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's arguments, forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's arguments, forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's arguments, forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}
