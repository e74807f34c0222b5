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

use crate::analysis::paths::PathOptions;
use crate::format::{ByteSource, ErrorKind, HprofError};
use crate::session::{Options, Session, parse_hex_id};
use serde::Serialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen::prelude::*;

/// Predicted peak memory above which the wasm32 module's session refuses the full
/// analysis (keeping the histogram) instead of running out of memory halfway: a wasm32
/// module addresses at most 4 GiB, and the module's code, stack, the allocator's
/// fragmentation and the query results need the rest. 3.5 GiB.
pub const MEMORY_LIMIT_WASM32: u64 = 7 << 29;

/// The same for the wasm64 (memory64) module: V8 lets a 64-bit memory grow to 16 GiB
/// (`kV8MaxWasmMemory64Pages`, 262 144 pages of 64 KiB), and the same share as wasm32's
/// is kept in reserve. 14 GiB.
pub const MEMORY_LIMIT_WASM64: u64 = 14 << 30;

/// This module's limit: [`MEMORY_LIMIT_WASM64`] in the memory64 build, else
/// [`MEMORY_LIMIT_WASM32`].
#[cfg(target_arch = "wasm64")]
pub const MEMORY_LIMIT: u64 = MEMORY_LIMIT_WASM64;
/// This module's limit: [`MEMORY_LIMIT_WASM64`] in the memory64 build, else
/// [`MEMORY_LIMIT_WASM32`].
#[cfg(not(target_arch = "wasm64"))]
pub const MEMORY_LIMIT: u64 = MEMORY_LIMIT_WASM32;

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

/// Both modules' default limits in bytes, `{wasm32, wasm64}`: the worker chooses between
/// them (and decides whether switching to wasm64 would let a refused analysis run)
/// whichever module it has loaded.
#[wasm_bindgen]
pub fn memory_limits() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Limits {
        wasm32: u64,
        wasm64: u64,
    }
    to_js(&Limits {
        wasm32: MEMORY_LIMIT_WASM32,
        wasm64: MEMORY_LIMIT_WASM64,
    })
}

/// The crate version, for reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Serializes a result for JS: plain objects and numbers, as `JSON.parse` would give.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert the result for the page: {e}")).into())
}

/// One analysis of one dump (see [`crate::session`] for the protocol).
#[wasm_bindgen]
pub struct HeapSession {
    inner: Session,
}

#[wasm_bindgen]
impl HeapSession {
    /// `options`: `{ histogramOnly?: boolean, memoryLimit?: number }` or undefined
    /// (`memoryLimit` in bytes: lowers [`MEMORY_LIMIT`], never raises it, since the module
    /// cannot address more). `on_progress(phase, done, total)` is called during the
    /// computations between passes.
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
            memory_limit: Some(
                o.memory_limit
                    .map_or(MEMORY_LIMIT, |m| (m as u64).min(MEMORY_LIMIT)),
            ),
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

    /// Gives the session random access to the file (required by the queries after the
    /// histogram): `read(offset, length)` returns the file's bytes there as a `Uint8Array`
    /// (fewer only at the end), `len` is the file's size. Gzip is handled by the session.
    pub fn set_source(&mut self, read: js_sys::Function, len: f64) {
        self.inner.set_source(Box::new(JsSource {
            read,
            len: len as u64,
        }));
    }

    /// Starts the next pass: `{ name, number, of }`, or null when the analysis is complete.
    pub fn begin_pass(&mut self) -> Result<JsValue, JsValue> {
        match self.inner.begin_pass() {
            Some(p) => to_js(&dto::PassDto::from(p)),
            None => Ok(JsValue::NULL),
        }
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.inner.push(bytes).map_err(query_error)
    }

    /// Ends the current pass (the whole file was pushed).
    pub fn end_pass(&mut self) -> Result<(), JsValue> {
        self.inner.end_pass().map_err(query_error)
    }

    /// The dump summary (`heapscope summary --json`).
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.summary().ok_or_else(not_ready)?)
    }

    /// The class histogram, largest first (with `retained_bytes` after the full analysis).
    pub fn histogram(&self) -> Result<JsValue, JsValue> {
        let (Some(h), Some(index)) = (self.inner.histogram(), self.inner.index()) else {
            return Err(not_ready());
        };
        to_js(&dto::HistogramDto::new(h, index))
    }

    /// What the full analysis costs (`{objects, references_bound, peak_bytes}`), or null
    /// before pass 1 ends.
    pub fn plan(&self) -> Result<JsValue, JsValue> {
        match self.inner.plan() {
            Some(p) => to_js(&p),
            None => Ok(JsValue::NULL),
        }
    }

    /// Why the full analysis was refused (too little memory), or undefined.
    pub fn refused(&self) -> Option<String> {
        self.inner.refused().map(str::to_string)
    }

    /// The dominator tree's children of `parent` (`"0x…"`; undefined: the GC roots' side),
    /// largest retained first: `{nodes, more, reachable_bytes, unreachable_objects,
    /// unreachable_bytes}`.
    pub fn dominator_children(
        &self,
        parent: Option<String>,
        limit: u32,
    ) -> Result<JsValue, JsValue> {
        let parent = parent.as_deref().map(object_id).transpose()?;
        let (nodes, more) = self
            .inner
            .dominator_children(parent, limit as usize)
            .map_err(query_error)?;
        let heap = self.inner.heap().ok_or_else(not_ready)?;
        to_js(&dto::DominatorsDto {
            nodes,
            more,
            reachable_bytes: heap.reachable_bytes(),
            unreachable_objects: heap.unreachable.0,
            unreachable_bytes: heap.unreachable.1,
        })
    }

    /// The instances of the classes named `name`, largest retained first: `{nodes, total}`.
    pub fn biggest_instances(&self, name: &str, limit: u32) -> Result<JsValue, JsValue> {
        let (nodes, total) = self
            .inner
            .biggest_instances(name, limit as usize)
            .map_err(query_error)?;
        to_js(&dto::InstancesDto { nodes, total })
    }

    /// The Finalizer report (`heapscope finalizers --json`).
    pub fn finalizers(&mut self) -> Result<JsValue, JsValue> {
        to_js(self.inner.finalizers().map_err(query_error)?)
    }

    /// Merged shortest paths from GC roots to the object `id` (`heapscope path --object`).
    pub fn paths_to_object(&mut self, id: &str, include_weak: bool) -> Result<JsValue, JsValue> {
        let tree = self
            .inner
            .paths_to_object(object_id(id)?, &path_options(include_weak))
            .map_err(query_error)?;
        to_js(&tree)
    }

    /// Merged shortest paths from GC roots to every instance of the classes named `name`
    /// (`heapscope path --class`).
    pub fn paths_to_class(&mut self, name: &str, include_weak: bool) -> Result<JsValue, JsValue> {
        let tree = self
            .inner
            .paths_to_class(name, &path_options(include_weak))
            .map_err(query_error)?;
        to_js(&tree)
    }

    /// One object (`heapscope inspect --json`), with at most `max_items` elements and
    /// referrers.
    pub fn inspect(&mut self, id: &str, max_items: u32) -> Result<JsValue, JsValue> {
        let view = self
            .inner
            .inspect(object_id(id)?, max_items)
            .map_err(query_error)?;
        to_js(&view)
    }

    /// Leak suspects (`heapscope suspects --json`).
    pub fn suspects(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.suspects().map_err(query_error)?)
    }

    /// Threads with stacks and at most `max_locals` locals per frame (the `threads` array
    /// of `heapscope threads --json`).
    pub fn threads(&mut self, max_locals: u32) -> Result<JsValue, JsValue> {
        to_js(
            &self
                .inner
                .threads(max_locals as usize)
                .map_err(query_error)?,
        )
    }

    /// Reference statistics by kind (the `references` array of `heapscope references
    /// --json`).
    pub fn reference_stats(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.reference_stats().map_err(query_error)?)
    }
}

/// An object ID from JS (`"0x…"`).
fn object_id(id: &str) -> Result<u64, JsError> {
    parse_hex_id(id)
        .ok_or_else(|| JsError::new(&format!("not an object ID: {id:.40} (use 0x… hex)")))
}

fn path_options(include_weak: bool) -> PathOptions {
    PathOptions {
        include_weak,
        ..PathOptions::default()
    }
}

/// A session's error for JS: a missing object is an `Error` named `NotFound` (the worker
/// tells it apart by that name), the rest plain `Error`s with the error's text.
fn query_error(e: HprofError) -> JsValue {
    match e.kind {
        ErrorKind::NoObject { id } => {
            let e = js_sys::Error::new(&format!(
                "no object with ID {} in this dump",
                dto::hex_id(id)
            ));
            e.set_name("NotFound");
            e.into()
        }
        _ => JsError::new(&e.to_string()).into(),
    }
}

fn not_ready() -> JsValue {
    JsError::new(&HprofError::new(0, ErrorKind::NotReady).to_string()).into()
}

/// The file, read through the worker's `read(offset, length) -> Uint8Array` (a
/// `FileReaderSync` read of `File.slice`).
struct JsSource {
    read: js_sys::Function,
    len: u64,
}

impl ByteSource for JsSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let want = (buf.len() as u64).min(self.len.saturating_sub(offset)) as usize;
        if want == 0 {
            return Ok(0);
        }
        let io = |detail: String| HprofError::new(offset, ErrorKind::Io { detail });
        let got = self
            .read
            .call2(
                &JsValue::NULL,
                &JsValue::from_f64(offset as f64),
                &JsValue::from_f64(want as f64),
            )
            .map_err(|e| {
                io(e.dyn_ref::<js_sys::Error>().map_or_else(
                    || "the file could not be read".to_string(),
                    |e| String::from(e.message()),
                ))
            })?;
        let bytes = got
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| io("the page's reader returned no bytes".to_string()))?;
        let n = (bytes.length() as usize).min(want);
        bytes.subarray(0, n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }
}
