// The analysis worker: the only code that loads the WebAssembly module. One worker
// analyses one file: it keeps the File (later analyses read slices of it at random),
// streams it into a HeapSession once per pass the session asks for, and answers queries.
// Message shapes: protocol.js. Nothing here logs: dump contents never reach the console.

import init, {
  HeapSession,
  take_panic_message,
  failed_allocation_bytes,
  version,
} from './pkg/heapscope.js';
import { PROTOCOL_VERSION, Request, Event, ErrorCode, CHUNK_BYTES } from './protocol.js';

/** A failed request with a protocol error code. */
class RequestError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A WebAssembly trap (panic, out of memory): this worker is finished. */
class Crash extends Error {}

let wasm = null; // the module's exports (memory)
const loaded = init().then(
  (exports) => {
    wasm = exports;
  },
  (e) => {
    crash(`could not load the analysis module (pkg/heapscope_bg.wasm): ${e.message}`);
    throw new Crash('module not loaded');
  },
);
loaded.catch(() => {}); // requests await it and see the failure; `fatal` was posted

let file = null; // the File being analysed, kept for random-access reads
let session = null;
let complete = false;
let crashed = false;
let current = { pass: 0, passes: 0 };

const handlers = {
  [Request.HELLO]: () => ({ protocolVersion: PROTOCOL_VERSION, version: version() }),
  [Request.OPEN]: open,
  [Request.SUMMARY]: () => query((s) => s.summary()),
  [Request.HISTOGRAM]: () => query((s) => s.histogram()),
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
    await loaded;
    if (crashed) return;
    const result = await handler(msg.payload);
    self.postMessage({ id, ok: true, result });
  } catch (e) {
    if (e instanceof Crash || crashed) return; // `fatal` was posted; the page replaces us
    const code = e instanceof RequestError ? e.code : ErrorCode.INVALID_REQUEST;
    self.postMessage({ id, ok: false, error: { code, message: e.message } });
  }
};

/**
 * Calls into the module. A trap (or a stack overflow) is a crash; any other exception is
 * an ordinary error of `code` (the module throws plain Errors for bad dumps).
 */
function call(fn, code = ErrorCode.INVALID_REQUEST) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      crash(crashMessage(e));
      throw new Crash(e.message);
    }
    throw new RequestError(code, e.message);
  }
}

/** What the module recorded before it trapped. */
function crashMessage(e) {
  let failed = 0;
  let panic = null;
  try {
    failed = failed_allocation_bytes();
  } catch { /* the module is beyond asking */ }
  if (failed > 0) {
    const used = wasm ? wasm.memory.buffer.byteLength : 0;
    return (
      `out of memory: ${mib(failed)} more were needed with ${mib(used)} in use, and the browser ` +
      'gave no more (WebAssembly in a tab gets at most 4 GiB, often less; the command-line tool has no such limit)'
    );
  }
  try {
    panic = take_panic_message();
  } catch { /* idem */ }
  if (panic) return `internal error: ${panic}`;
  return `the analysis module crashed (${e.name}: ${e.message})`;
}

function mib(n) {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function crash(message) {
  if (crashed) return;
  crashed = true;
  self.postMessage({ type: Event.FATAL, message });
}

function progress(phase, done, total) {
  self.postMessage({ type: Event.PROGRESS, phase, done, total, pass: current.pass, passes: current.passes });
}

/** Progress of the computations between passes, at most ~20 events a second. */
let lastComputeEvent = 0;
function onComputeProgress(phase, done, total) {
  const now = performance.now();
  if (now - lastComputeEvent >= 50 || done === total) {
    lastComputeEvent = now;
    progress(phase, done, total);
  }
}

/** Reads bytes [start, start + CHUNK_BYTES) of the file. */
function readChunk(blob, start) {
  const p = blob.slice(start, Math.min(start + CHUNK_BYTES, blob.size)).arrayBuffer();
  p.catch(() => {}); // awaited later; a failure while a push runs is reported then
  return p;
}

async function open(payload) {
  if (session) throw new RequestError(ErrorCode.INVALID_REQUEST, 'this worker already has a file; use a new worker for another');
  const blob = payload && payload.file;
  if (!(blob instanceof Blob)) throw new RequestError(ErrorCode.INVALID_REQUEST, 'open needs {file: File}');
  const started = performance.now();
  file = blob;
  session = call(() => new HeapSession(payload.options, onComputeProgress));
  const size = file.size;
  for (;;) {
    const pass = call(() => session.begin_pass());
    if (pass === null) break;
    current = { pass: pass.number, passes: pass.of };
    progress(pass.name, 0, size);
    // The file is read from the start for each pass; the next chunk is read while the
    // module parses this one.
    let next = readChunk(file, 0);
    for (let offset = 0; offset < size; ) {
      let buf;
      try {
        buf = await next;
      } catch (e) {
        throw new RequestError(ErrorCode.READ_FAILED, `cannot read the file at offset ${offset} (was it changed or moved after it was chosen?): ${e.message}`);
      }
      if (buf.byteLength === 0) throw new RequestError(ErrorCode.READ_FAILED, 'the file got shorter while it was being read');
      offset += buf.byteLength;
      next = offset < size ? readChunk(file, offset) : null;
      call(() => session.push(new Uint8Array(buf)), ErrorCode.BAD_DUMP);
      progress(pass.name, offset, size);
    }
    call(() => session.end_pass(), ErrorCode.BAD_DUMP);
  }
  complete = true;
  return { size, passes: current.passes, millis: performance.now() - started };
}

function query(fn) {
  if (!complete) throw new RequestError(ErrorCode.NOT_READY, 'no complete analysis yet: open a file first');
  return call(() => fn(session));
}
