//! A global allocator that counts live heap bytes, so that a fuzz target (or the replay of
//! its regressions) can assert that memory stays proportional to the input: a length field
//! read from a hostile file must never size an allocation.
//!
//! Included by `tests/fuzz_regressions.rs` with `#[path]`: keep it free of dependencies.
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc is an unsafe trait; every call forwards to System"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Counts live bytes and their peak; refuses allocations past `LIMIT` (the allocation then
/// fails, and Rust aborts naming its size: the fuzzer reports it as a crash, with the
/// stack of the allocation that went too far).
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn grow(n: usize) -> bool {
    let now = LIVE.fetch_add(n, Relaxed).saturating_add(n);
    if now > LIMIT.load(Relaxed) {
        LIVE.fetch_sub(n, Relaxed);
        return false;
    }
    PEAK.fetch_max(now, Relaxed);
    true
}

fn shrink(n: usize) {
    LIVE.fetch_sub(n, Relaxed);
}

/// Counts `size` bytes, then allocates with `f`; undoes the count if either fails.
fn counted(size: usize, f: impl FnOnce() -> *mut u8) -> *mut u8 {
    if !grow(size) {
        return std::ptr::null_mut();
    }
    let p = f();
    if p.is_null() {
        shrink(size);
    }
    p
}

// SAFETY: every method forwards to `System` with the caller's arguments; the counters
// only observe sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        counted(layout.size(), || unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        counted(layout.size(), || unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        shrink(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // While moving, old and new blocks may both be live: count the new one first.
        // SAFETY: forwarded as is.
        let p = counted(new_size, || unsafe {
            System.realloc(ptr, layout, new_size)
        });
        if !p.is_null() {
            shrink(layout.size());
        }
        p
    }
}

/// Runs `f` with at most `limit` bytes allocated on top of what is live now; returns its
/// result and the peak of bytes live during it above that base. Not reentrant, and other
/// threads' allocations count too: run measured code on one thread at a time.
pub fn measure<R>(limit: usize, f: impl FnOnce() -> R) -> (R, usize) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    LIMIT.store(base.saturating_add(limit), Relaxed);
    let r = f();
    LIMIT.store(usize::MAX, Relaxed);
    let peak = PEAK.load(Relaxed).saturating_sub(base);
    (r, peak)
}
