//! WebAssembly bindings for the browser worker (`web/worker.js`): one [`HeapSession`]
//! wraps a [`Session`] and is driven by the same multi-pass protocol as the CLI. The
//! worker owns the `File` and streams it in; queries arrive as the page wrote them
//! (`{kind, …}`, [`Query`]) and answers leave as plain JS objects, the CLI's `--json`
//! output of the same command. Nothing here touches the DOM, the network or the console.
//!
//! Failures the page must see: a bad dump is an `Error` thrown by `push` or `end_pass`
//! (the [`HprofError`](crate::format::HprofError) text); a query's failure an `Error` too.
//! Each is named by its protocol code (`bad_dump`, `not_found`, …). A Rust panic or a
//! failed allocation aborts the module (a WebAssembly trap); before that, the panic hook
//! and the allocator (`alloc.rs`) record what happened, and the worker collects it with
//! [`take_panic_message`] and [`failed_allocation_bytes`] to tell the page, which then
//! replaces the worker. The hook deliberately prints nothing: a panic message may quote
//! data from the dump, and the console is not a place for that.

use crate::format::{ByteSource, ErrorKind, HprofError};
use crate::graph::BuildError;
use crate::query::{Options, Query, QueryError, Session};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use wasm_bindgen::prelude::*;

mod alloc;
use self::alloc::FAILED_ALLOCATION;

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
        .map_err(|e| {
            js_error(
                "internal",
                &format!("cannot convert the result for the page: {e}"),
            )
        })
}

/// An `Error` whose `name` is the protocol's error code (`web/protocol.js`'s `ErrorCode`):
/// the worker reads the code there.
fn js_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name(code);
    e.into()
}

fn query_error(e: QueryError) -> JsValue {
    js_error(e.code(), &e.to_string())
}

fn build_error(e: BuildError) -> JsValue {
    query_error(e.into())
}

/// One analysis of one dump (see [`crate::query`] for the protocol).
#[wasm_bindgen]
pub struct HeapSession {
    inner: Session,
}

#[wasm_bindgen]
impl HeapSession {
    /// `options`: `{ histogramOnly?: boolean, memoryLimit?: number, strict?: boolean }` or
    /// undefined
    /// (`memoryLimit` in bytes: lowers [`MEMORY_LIMIT`], never raises it, since the module
    /// cannot address more). `on_progress(phase, done, total)` is called during the
    /// computations between passes and the phases of a query.
    #[wasm_bindgen(constructor)]
    pub fn new(
        options: JsValue,
        on_progress: Option<js_sys::Function>,
    ) -> Result<HeapSession, JsValue> {
        let o: OptionsDto = if options.is_undefined() || options.is_null() {
            OptionsDto::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| js_error("invalid_request", &format!("bad session options: {e}")))?
        };
        let mut inner = Session::new(Options {
            histogram_only: o.histogram_only,
            memory_limit: Some(
                o.memory_limit
                    .map_or(MEMORY_LIMIT, |m| (m as u64).min(MEMORY_LIMIT)),
            ),
            strict: o.strict,
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
            Some(p) => to_js(&p),
            None => Ok(JsValue::NULL),
        }
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.inner.push(bytes).map_err(build_error)
    }

    /// Ends the current pass (the whole file was pushed).
    pub fn end_pass(&mut self) -> Result<(), JsValue> {
        self.inner.end_pass().map_err(build_error)
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

    /// Answers a query: `{kind, …parameters}` as [`Query`] defines them (the page's
    /// `web/protocol.js` lists the kinds); the answer is the CLI's `--json` output of the
    /// same command. Failures are `Error`s named by their protocol code.
    pub fn query(&mut self, query: JsValue) -> Result<JsValue, JsValue> {
        let q = Query::read(serde_wasm_bindgen::Deserializer::from(query)).map_err(query_error)?;
        to_js(&self.inner.query(&q).map_err(query_error)?)
    }
}

/// Session options from JS (`{ histogramOnly?: boolean, memoryLimit?: number, strict?: boolean }`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct OptionsDto {
    /// Stop after the histogram (no per-object memory).
    histogram_only: bool,
    /// Refuse the full analysis above this predicted peak (bytes).
    memory_limit: Option<f64>,
    /// Fail on a damaged dump instead of analysing it up to the damage.
    strict: bool,
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
        if let Some(dst) = buf.get_mut(..n) {
            bytes.subarray(0, n as u32).copy_to(dst);
        }
        Ok(n)
    }
}

/// A redacted copy of the file being made (`format::redact`): the worker pushes the file
/// in slices and writes what each push returns; `finish` returns the last bytes. The
/// same bytes as `heapscope redact` writes for the same file and level. A bad dump is an
/// `Error` named `bad_dump` (then no copy exists: the page discards what it wrote). With
/// `names`, names outside the JDK get placeholders (`redact --names`), and `names_map`
/// gives the map once the copy is complete; an earlier copy's map is read first through
/// `assign_name` (the worker parses its JSON).
#[wasm_bindgen]
pub struct Redaction {
    inner: crate::format::redact::Redactor,
}

#[wasm_bindgen]
impl Redaction {
    /// `level`: `basic` or `full`; `gzip`: gzip output even when the input is plain;
    /// `names`: placeholders for the names outside the JDK.
    #[wasm_bindgen(constructor)]
    pub fn new(level: &str, gzip: bool, names: bool) -> Result<Redaction, JsValue> {
        let level = crate::format::redact::Level::from_name(level).ok_or_else(|| {
            js_error(
                "invalid_request",
                &format!("redaction level must be basic or full, not {level:?}"),
            )
        })?;
        use crate::format::redact::Redactor;
        Ok(Redaction {
            inner: if names {
                Redactor::with_names(level, gzip, crate::format::redact_names::NameMap::new())
            } else {
                Redactor::new(level, gzip)
            },
        })
    }

    /// Feeds the next bytes of the file; returns the copy's bytes for them.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
        let mut out = Vec::new();
        self.inner
            .push(bytes, &mut out)
            .map_err(|e| js_error("bad_dump", &e.to_string()))?;
        Ok(out)
    }

    /// Ends the file; returns the copy's last bytes.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        let mut out = Vec::new();
        self.inner
            .finish(&mut out)
            .map_err(|e| js_error("bad_dump", &e.to_string()))?;
        Ok(out)
    }

    /// One entry of an earlier copy's names map (`section`: `classes`, `fields`, …), before
    /// the first push; an entry that does not fit is an `Error` named `invalid_request`.
    pub fn assign_name(
        &mut self,
        section: &str,
        placeholder: &str,
        name: &str,
    ) -> Result<(), JsValue> {
        self.inner
            .assign_name(section, placeholder, name)
            .map_err(|e| js_error("invalid_request", &e))
    }

    /// The names map (JSON, the bytes `heapscope redact --names` writes) when names were
    /// asked for: complete once `finish` returned.
    pub fn names_map(&self) -> Option<Vec<u8>> {
        self.inner.name_map().map(|m| m.to_json())
    }

    /// Whether the copy is gzip (undefined before the first two bytes were pushed).
    pub fn gzip_output(&self) -> Option<bool> {
        self.inner.gzip_output()
    }
}
