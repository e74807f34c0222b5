// The analysis worker: the only code that loads a WebAssembly module. One worker
// analyses one file: it keeps the File, streams it into a HeapSession once per pass the
// session asks for (read ahead by a worker of its own, reader.js: ChunkReader), lets the session read it at random afterwards (FileReaderSync, which
// only workers have), and answers queries. Message shapes: protocol.js. Nothing here logs:
// dump contents never reach the console.
//
// Two builds of the same module: wasm32 (pkg/) and wasm64 (pkg64/, 64-bit memory). Which
// one analyses a file, and when the page starts again with wasm64: module-choice.js.

import { PROTOCOL_VERSION, Request, Event, ErrorCode, CHUNK_BYTES } from './protocol.js';
import { MODULE_TITLES, WASM32, WASM64, hasMemory64, initialModule, switchToWasm64 } from './module-choice.js';

/** A failed request with a protocol error code. */
class RequestError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A WebAssembly trap (panic, out of memory): this worker is finished. */
class Crash extends Error {}

const MODULES = {
  [WASM32]: { glue: './pkg/heapscope.js', file: 'pkg/heapscope_bg.wasm', addressable: '4 GiB' },
  [WASM64]: { glue: './pkg64/heapscope.js', file: 'pkg64/heapscope_bg.wasm', addressable: '16 GiB' },
};
const memory64 = hasMemory64();

/** Loads and instantiates a module once: its bindings and raw exports (memory). */
const loads = new Map();
function load(name) {
  let p = loads.get(name);
  if (!p) {
    p = import(MODULES[name].glue).then(async (bindings) => ({ name, bindings, exports: await bindings.default() })).catch((e) => {
      crash(`could not load the analysis module (${MODULES[name].file}): ${e.message}`);
      throw new Crash('module not loaded');
    });
    p.catch(() => {}); // requests await it and see the failure; `fatal` was posted
    loads.set(name, p);
  }
  return p;
}
// wasm32 is the module most files get: it compiles while the user picks one.
const preloaded = load(WASM32);

let active = null; // the module analysing the file: {name, bindings, exports}
let file = null; // the File being analysed, kept for random-access reads
let opening = false; // an `open` arrived (one per worker)
let session = null;
let complete = false;
let refused = null; // why the full analysis did not run, when the session refused it
let crashed = false;
let current = { pass: 0, passes: 0 };

const handlers = {
  [Request.HELLO]: async () => ({ protocolVersion: PROTOCOL_VERSION, version: (await preloaded).bindings.version(), memory64 }),
  [Request.OPEN]: open,
  [Request.STATUS]: status,
  [Request.QUERY]: query,
  [Request.REDACT]: redactStart,
  [Request.REDACT_NEXT]: redactNext,
};

self.onmessage = async (event) => {
  const msg = event.data;
  const id = msg && typeof msg === 'object' && Number.isInteger(msg.id) ? msg.id : null;
  const handler = id !== null && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!handler) {
    const what = id === null ? 'a message without a numeric id' : `unknown request type "${String(msg.type).slice(0, 40)}"`;
    self.postMessage({ id, ok: false, error: { code: ErrorCode.INVALID_REQUEST, message: what } });
    return;
  }
  try {
    if (crashed) return;
    const result = await handler(msg.payload);
    // A redacted copy's bytes move to the page instead of being copied.
    const transfer = result?.bytes instanceof Uint8Array ? [result.bytes.buffer] : [];
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (e) {
    if (e instanceof Crash || crashed) return; // `fatal` was posted; the page replaces us
    const code = e instanceof RequestError ? e.code : ErrorCode.INVALID_REQUEST;
    self.postMessage({ id, ok: false, error: { code, message: e.message } });
  }
};

const CODES = new Set(Object.values(ErrorCode));

/**
 * Calls into the module. A trap (or a stack overflow) is a crash; any other exception is
 * an ordinary error: the module names its Errors by their protocol code (`bad_dump`,
 * `not_found`, …), anything else is of `code`.
 */
function call(fn, code = ErrorCode.INVALID_REQUEST) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      crash(crashMessage(e), { outOfMemory: outOfMemory(), module: active?.name ?? null });
      throw new Crash(e.message);
    }
    throw new RequestError(CODES.has(e?.name) ? e.name : code, e?.message ?? String(e));
  }
}

/** Bytes of the allocation that failed (0: none, or the module cannot say). */
function failedAllocation() {
  try {
    return active ? active.bindings.failed_allocation_bytes() : 0;
  } catch {
    return 0; // the module is beyond asking
  }
}

const outOfMemory = () => failedAllocation() > 0;

/** What the module recorded before it trapped. */
function crashMessage(e) {
  let panic = null;
  if (!active) return `the analysis module crashed (${e.name}: ${e.message})`;
  const failed = failedAllocation();
  if (failed > 0) {
    return (
      `out of memory: ${mib(failed)} more were needed with ${mib(memoryBytes())} in use, and the browser gave no more ` +
      `(${MODULE_TITLES[active.name]} in a tab gets at most ${MODULES[active.name].addressable}, often less; the command-line tool has no such limit)`
    );
  }
  try {
    panic = active.bindings.take_panic_message();
  } catch { /* idem */ }
  if (panic) return `internal error: ${panic}`;
  return `the analysis module crashed (${e.name}: ${e.message})`;
}

/** Bytes of WebAssembly memory the active module has grown to (it never shrinks). */
function memoryBytes() {
  try {
    return active ? active.exports.memory.buffer.byteLength : 0;
  } catch {
    return 0;
  }
}

function mib(n) {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

/** Ends this worker: `detail` is {outOfMemory, module} when the module trapped. */
function crash(message, detail = { outOfMemory: false, module: null }) {
  if (crashed) return;
  crashed = true;
  self.postMessage({ type: Event.FATAL, message, ...detail });
}

function progress(phase, done, total) {
  self.postMessage({ type: Event.PROGRESS, phase, done, total, pass: current.pass, passes: current.passes });
}

/** Progress of the computations between passes, at most ~20 events a second. */
let lastComputeEvent = 0;
function onComputeProgress(phase, done, total) {
  if (complete) return; // a query's phases: the page shows no progress for those
  const now = performance.now();
  if (now - lastComputeEvent >= 50 || done === total) {
    lastComputeEvent = now;
    progress(phase, done, total);
  }
}

// Random access for the queries: the session asks for a few bytes at a time (record
// headers, one object's fields) near each other, so reads go through a small cache of
// aligned blocks; each miss is one synchronous File.slice read.
const BLOCK_BYTES = 512 * 1024;
const CACHED_BLOCKS = 64;
const blocks = new Map(); // block number → Uint8Array, least recently used first
let reader = null;

function block(n) {
  let b = blocks.get(n);
  if (b) {
    blocks.delete(n);
  } else {
    reader ??= new FileReaderSync();
    const start = n * BLOCK_BYTES;
    b = new Uint8Array(reader.readAsArrayBuffer(file.slice(start, Math.min(start + BLOCK_BYTES, file.size))));
    if (blocks.size >= CACHED_BLOCKS) blocks.delete(blocks.keys().next().value);
  }
  blocks.set(n, b);
  return b;
}

/** `read(offset, length)` for HeapSession.set_source: the file's bytes there (fewer at the end). */
function readAt(offset, length) {
  const end = Math.min(offset + length, file.size);
  if (end <= offset) return new Uint8Array(0);
  const first = Math.floor(offset / BLOCK_BYTES);
  if (Math.floor((end - 1) / BLOCK_BYTES) === first) {
    return block(first).subarray(offset - first * BLOCK_BYTES, end - first * BLOCK_BYTES);
  }
  const out = new Uint8Array(end - offset);
  for (let at = offset; at < end; ) {
    const n = Math.floor(at / BLOCK_BYTES);
    const b = block(n);
    const part = b.subarray(at - n * BLOCK_BYTES, Math.min(b.length, end - n * BLOCK_BYTES));
    if (part.length === 0) break;
    out.set(part, at - offset);
    at += part.length;
  }
  return out;
}

/** Buffers the reader worker fills ahead of the module: it stays up to this many chunks ahead. */
const READ_AHEAD = 3;

/**
 * Reads a file from its start in chunks of CHUNK_BYTES (the last one shorter; an empty one
 * at the end): `await reader.next()` is the next chunk, valid until the following call (the
 * caller pushes it into the module before asking again). The reading is done by a worker
 * of its own (web/reader.js) into READ_AHEAD buffers that go back and forth (transferred,
 * not copied), so that the browser reads the file on another core while the module parses,
 * and no fresh ArrayBuffer is made per chunk (whose pages the worker would fault in and
 * zero, and V8 collect later). Where a worker cannot start one, each chunk is a
 * `Blob.slice().arrayBuffer()`, the next one read while this one is parsed.
 */
class ChunkReader {
  constructor(blob) {
    this.blob = blob;
    this.offset = 0; // bytes handed out
    this.arrived = []; // messages from the reader not asked for yet
    this.wake = null; // resolves next()'s wait for a message
    this.lent = null; // the buffer of the chunk handed out last
    this.worker = null;
    try {
      this.worker = new Worker(new URL('./reader.js', import.meta.url));
    } catch {
      // No nested workers here: slices read by this worker.
    }
    if (this.worker) {
      const arrive = (m) => {
        this.arrived.push(m);
        this.wake?.();
      };
      this.worker.onmessage = (e) => arrive(e.data);
      this.worker.onerror = (e) => {
        e.preventDefault();
        arrive({ error: `the reader stopped: ${e.message || 'unknown error'}` });
      };
      const buffers = Array.from({ length: READ_AHEAD }, () => new ArrayBuffer(CHUNK_BYTES));
      this.worker.postMessage({ file: blob, chunk: CHUNK_BYTES, buffers }, buffers);
    } else {
      this.pending = this.slice(0);
    }
  }

  /** Bytes [start, start + CHUNK_BYTES) by File.slice, as an Uint8Array. */
  slice(start) {
    const end = Math.min(start + CHUNK_BYTES, this.blob.size);
    const p = start < end ? this.blob.slice(start, end).arrayBuffer().then((b) => new Uint8Array(b)) : Promise.resolve(new Uint8Array(0));
    p.catch(() => {}); // awaited in next(); a failure is reported there
    return p;
  }

  /** The next chunk (empty at the end of the file). */
  async next() {
    if (!this.worker) {
      const chunk = await this.pending;
      this.offset += chunk.byteLength;
      this.pending = this.slice(this.offset);
      return chunk;
    }
    if (this.lent) {
      // The chunk handed out before is parsed: its buffer goes back to be filled again.
      this.worker.postMessage({ buffer: this.lent }, [this.lent]);
      this.lent = null;
    }
    while (this.arrived.length === 0) await new Promise((resolve) => { this.wake = resolve; });
    this.wake = null;
    const m = this.arrived[0];
    if (m.error !== undefined) throw new Error(m.error);
    if (m.length === 0) return new Uint8Array(0); // the end, for every later call too
    this.arrived.shift();
    this.lent = m.buffer;
    this.offset += m.length;
    return new Uint8Array(m.buffer, 0, m.length);
  }

  /** Stops reading (the rest of the file is not needed). */
  close() {
    this.worker?.terminate();
    this.worker = null;
    this.pending = null;
  }
}

/** The reader's next chunk at `offset`, or the READ_FAILED error the page shows. */
async function readNext(reader, offset) {
  let buf;
  try {
    buf = await reader.next();
  } catch (e) {
    throw new RequestError(ErrorCode.READ_FAILED, `cannot read the file at offset ${offset} (was it changed or moved after it was chosen?): ${e.message}`);
  }
  if (buf.byteLength === 0) throw new RequestError(ErrorCode.READ_FAILED, 'the file got shorter while it was being read');
  return buf;
}

/** Whether the file starts as gzip does (0x1f 0x8b). */
async function isGzip(blob) {
  try {
    const b = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
    return b[0] === 0x1f && b[1] === 0x8b;
  } catch {
    return false; // the first pass reports the read error
  }
}

/** A limit in bytes from the page: a positive number, or undefined. */
function bytesOption(v, what) {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !(v > 0)) throw new RequestError(ErrorCode.INVALID_REQUEST, `${what} must be a positive number of bytes`);
  return v;
}

async function open(payload) {
  if (opening) throw new RequestError(ErrorCode.INVALID_REQUEST, 'this worker already has a file; use a new worker for another');
  const blob = payload && payload.file;
  if (!(blob instanceof Blob)) throw new RequestError(ErrorCode.INVALID_REQUEST, 'open needs {file: File}');
  const forced = payload.module ?? null;
  if (forced !== null && forced !== WASM32 && forced !== WASM64) {
    throw new RequestError(ErrorCode.INVALID_REQUEST, `module must be "${WASM32}" or "${WASM64}"`);
  }
  if (forced === WASM64 && !memory64) {
    throw new RequestError(ErrorCode.INVALID_REQUEST, `this browser cannot run ${MODULE_TITLES[WASM64]}; open the page without ?wasm=64`);
  }
  const o = payload.options ?? {};
  const userLimit = bytesOption(o.memoryLimit, 'memoryLimit') ?? Infinity;
  const wasm32Limit = bytesOption(o.wasm32MemoryLimit, 'wasm32MemoryLimit') ?? Infinity;
  opening = true;
  const started = performance.now();
  const defaults = (await preloaded).bindings.memory_limits();
  const limits = {
    [WASM32]: Math.min(userLimit, wasm32Limit, defaults.wasm32),
    [WASM64]: Math.min(userLimit, defaults.wasm64),
  };
  const choice = initialModule({
    forced, memory64, size: blob.size, gzip: await isGzip(blob), limit32: limits[WASM32], limit64: limits[WASM64],
  });
  active = await load(choice.module);
  if (crashed) throw new Crash('module not loaded');
  file = blob;
  const options = { memoryLimit: limits[active.name] };
  session = call(() => new active.bindings.HeapSession(options, onComputeProgress));
  session.set_source(readAt, file.size);
  const size = file.size;
  for (;;) {
    const pass = call(() => session.begin_pass());
    if (pass === null) break;
    current = { pass: pass.number, passes: pass.of };
    progress(pass.name, 0, size);
    // The file is read from the start for each pass; the next chunk is read while the
    // module parses this one.
    const reader = new ChunkReader(file);
    try {
      for (let offset = 0; offset < size; ) {
        const buf = await readNext(reader, offset);
        offset += buf.byteLength;
        call(() => session.push(buf), ErrorCode.BAD_DUMP);
        progress(pass.name, offset, size);
      }
    } finally {
      reader.close();
    }
    call(() => session.end_pass(), ErrorCode.BAD_DUMP);
  }
  complete = true;
  refused = session.refused() ?? null;
  const plan = session.plan();
  if (plan) plan.limit_bytes = options.memoryLimit;
  const again = active.name === WASM32 && plan !== null &&
    switchToWasm64({ forced, memory64, refused, peak: plan.peak_bytes, limit64: limits[WASM64] });
  return {
    passes: current.pass, // passes read (fewer than announced when the session stopped after the histogram)
    millis: performance.now() - started,
    plan,
    refused,
    full: !refused,
    module: active.name,
    moduleReason: choice.reason,
    memoryBytes: memoryBytes(),
    switchTo: again ? WASM64 : null,
  };
}

/** Which module runs and how much memory it has grown to. */
function status() {
  return { module: active?.name ?? null, memory64, memoryBytes: memoryBytes() };
}

/** A query: handed to the module as it came (the module checks it and answers). */
function query(payload) {
  if (!complete) throw new RequestError(ErrorCode.NOT_READY, 'no complete analysis yet: open a file first');
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new RequestError(ErrorCode.INVALID_REQUEST, 'a query is an object {kind, ...parameters}');
  }
  return call(() => session.query(payload));
}

// A redacted copy (`redact`, then `redact_next` until done): the file is read in slices as
// for the analysis, each pushed into the module's Redaction, whose output goes back to the
// page, which writes it (to the file the user chose, or into a Blob). One slice in, its
// bytes out: neither side holds the dump (the Blob fallback aside).
let redaction = null; // {r: Redaction, offset, reader: ChunkReader, done}

function redactStart(payload) {
  if (!complete || !file) throw new RequestError(ErrorCode.NOT_READY, 'open a file first');
  const p = payload ?? {};
  const level = p.level ?? 'basic';
  if (level !== 'basic' && level !== 'full') throw new RequestError(ErrorCode.INVALID_REQUEST, 'level must be "basic" or "full"');
  if (redaction) {
    redaction.reader.close();
    call(() => redaction.r.free());
  }
  redaction = null;
  const r = call(() => new active.bindings.Redaction(level, p.gzip === true, p.names === true));
  if (p.names === true && p.map) {
    // An earlier copy's map: its placeholders are used again (`redact --names-map`).
    const what = p.mapName ?? 'the map';
    const bad = (why) => {
      call(() => r.free());
      return new RequestError(ErrorCode.INVALID_REQUEST, `${what} is not a names map of heapscope redact --names: ${why}`);
    };
    let m;
    try {
      m = JSON.parse(p.map);
    } catch (e) {
      throw bad(e.message);
    }
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw bad('not a JSON object');
    if (m.version !== 1) throw bad('no "version": 1');
    for (const [section, entries] of Object.entries(m)) {
      if (section === 'version') continue;
      if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) throw bad(`${section} is not an object`);
      for (const [placeholder, name] of Object.entries(entries)) {
        if (typeof name !== 'string') throw bad(`${section}.${placeholder} is not a string`);
        try {
          r.assign_name(section, placeholder, name);
        } catch (e) {
          throw bad(e.message);
        }
      }
    }
  }
  redaction = { r, offset: 0, reader: new ChunkReader(file), done: false };
  progress('redact', 0, file.size);
  return { total: file.size };
}

async function redactNext() {
  const c = redaction;
  if (!c || c.done) throw new RequestError(ErrorCode.INVALID_REQUEST, 'no redacted copy under way: send redact first');
  const size = file.size;
  try {
    let bytes;
    if (c.offset < size) {
      const buf = await readNext(c.reader, c.offset);
      c.offset += buf.byteLength;
      bytes = call(() => c.r.push(buf), ErrorCode.BAD_DUMP);
    }
    if (c.offset >= size) {
      const last = call(() => c.r.finish(), ErrorCode.BAD_DUMP);
      bytes = bytes ? concat(bytes, last) : last;
      c.done = true;
    }
    progress('redact', c.offset, size);
    const gzip = call(() => c.r.gzip_output()) ?? null;
    let map = null;
    if (c.done) {
      map = call(() => c.r.names_map()) ?? null;
      c.reader.close();
      call(() => c.r.free());
      redaction = null;
    }
    return { bytes, done: c.done, read: c.offset, gzip, map };
  } catch (e) {
    if (redaction === c) {
      redaction = null;
      c.reader.close();
      try {
        c.r.free();
      } catch { /* the module trapped: the worker is finished anyway */ }
    }
    throw e;
  }
}

function concat(a, b) {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
