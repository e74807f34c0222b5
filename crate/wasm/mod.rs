//! WebAssembly bindings for the browser worker (`web/worker.js`): one [`HeapSession`]
//! wraps a [`Session`] and is driven by the same multi-pass protocol as the CLI. The
//! worker owns the `File` and streams it in; results leave as plain JS objects (see
//! [`dto`]). Nothing here touches the DOM, the network or the console.
//!
//! Failures the page must see: a bad dump is an ordinary `Error` thrown by `push` or
//! `end_pass` (the [`HprofError`](crate::format::HprofError) text). A Rust panic or a
//! failed allocation aborts the module (a WebAssembly trap); before that, the panic hook
//! and the allocator below record what happened, and the worker collects it with
//! [`take_panic_message`] and [`failed_allocation_bytes`] to tell the page, which then
//! replaces the worker. The hook deliberately prints nothing: a panic message may quote
//! data from the dump, and the console is not a place for that.

mod dto;

use crate::session::{Options, Session};
use serde::Serialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen::prelude::*;

/// The last panic message, kept for [`take_panic_message`].
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);
/// Size of the first allocation that failed (0: none), for [`failed_allocation_bytes`].
static FAILED_ALLOCATION: AtomicUsize = AtomicUsize::new(0);

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
        Self::note(unsafe { System.alloc(layout) }, layout.size())
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::note(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::note(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: NotingAllocator = NotingAllocator;

/// Runs once when the module is instantiated: installs the recording panic hook.
#[wasm_bindgen(start)]
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let p = info.payload();
        let what = p
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| p.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("panic");
        let text = match info.location() {
            Some(l) => format!("{what} (at {}:{})", l.file(), l.line()),
            None => what.to_string(),
        };
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            m.get_or_insert(text);
        }
    }));
}

/// The message of the panic that aborted the module, if one did (taken once).
#[wasm_bindgen]
pub fn take_panic_message() -> Option<String> {
    PANIC_MESSAGE.lock().ok().and_then(|mut m| m.take())
}

/// Bytes of the first allocation that failed (0 when none did). Returns a number without
/// allocating, so it works after the module ran out of memory.
#[wasm_bindgen]
pub fn failed_allocation_bytes() -> f64 {
    FAILED_ALLOCATION.load(Ordering::Relaxed) as f64
}

/// The crate version, for reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Serializes a result for JS: plain objects and numbers, as `JSON.parse` would give.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert the result for the page: {e}")))
}

/// One analysis of one dump (see [`crate::session`] for the protocol).
#[wasm_bindgen]
pub struct HeapSession {
    inner: Session,
}

#[wasm_bindgen]
impl HeapSession {
    /// `options`: `{ histogramOnly?: boolean }` or undefined. `on_progress(phase, done,
    /// total)` is called during the computations between passes.
    #[wasm_bindgen(constructor)]
    pub fn new(
        options: JsValue,
        on_progress: Option<js_sys::Function>,
    ) -> Result<HeapSession, JsError> {
        let o: dto::OptionsDto = if options.is_undefined() || options.is_null() {
            dto::OptionsDto::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("bad session options: {e}")))?
        };
        let mut inner = Session::new(Options {
            histogram_only: o.histogram_only,
            ..Options::default()
        });
        if let Some(f) = on_progress {
            inner.set_progress(Box::new(move |p| {
                let _ = f.call3(
                    &JsValue::NULL,
                    &JsValue::from_str(p.phase),
                    &JsValue::from_f64(p.done as f64),
                    &JsValue::from_f64(p.total as f64),
                );
            }));
        }
        Ok(HeapSession { inner })
    }

    /// Starts the next pass: `{ name, number, of }`, or null when the analysis is complete.
    pub fn begin_pass(&mut self) -> Result<JsValue, JsError> {
        match self.inner.begin_pass() {
            Some(p) => to_js(&dto::PassDto::from(p)),
            None => Ok(JsValue::NULL),
        }
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.inner
            .push(bytes)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Ends the current pass (the whole file was pushed).
    pub fn end_pass(&mut self) -> Result<(), JsError> {
        self.inner
            .end_pass()
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The dump summary (`heapscope summary --json`).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.summary().ok_or_else(not_ready)?)
    }

    /// The class histogram, largest first.
    pub fn histogram(&self) -> Result<JsValue, JsError> {
        let (Some(h), Some(index)) = (self.inner.histogram(), self.inner.index()) else {
            return Err(not_ready());
        };
        to_js(&dto::HistogramDto::new(h, index))
    }
}

fn not_ready() -> JsError {
    JsError::new("the analysis is not complete: every pass must be read first")
}
