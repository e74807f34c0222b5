// Which WebAssembly module analyses a file: wasm32 (web/pkg) or wasm64 (web/pkg64, 64-bit
// memory). Pure functions, used by worker.js (which loads the module) and tested by the
// end-to-end tests; nothing here touches WebAssembly except the feature test.
//
// The policy:
// - wasm32 by default. Its pointers are half the size and V8 elides its bounds checks
//   with guard pages, which memory64 cannot, so it is the smaller and faster module; its
//   limit is 4 GiB of memory (the session plans for 3.5 GiB).
// - wasm64 when the browser supports memory64 and the full analysis would not fit wasm32:
//   the session's plan after pass 1 says so exactly (objects and references counted), and
//   the page then starts a new worker with wasm64 and reads the file again. A new worker
//   rather than a second module in the same one: a WebAssembly memory never shrinks, and
//   the wasm32 module's (2.8 GiB after pass 1 of the 8 GB benchmark dump) would stay
//   allocated beside wasm64's for the whole session.
// - wasm64 at once, without the wasm32 pass 1, when the file is so large that the plan
//   would refuse wasm32 for most dumps of its size (see `PEAK_PER_DUMP_BYTE`): that pass
//   costs about a sixth of the analysis (tests/bench/BROWSER.md has both modules on the
//   same dumps). A wasm32 that runs out of memory before its plan can refuse (pass 1 of a
//   dump of very many small objects) makes the page switch as well.
// - `?wasm=32` or `?wasm=64` in the page's address forces one (tests, or a browser whose
//   memory64 misbehaves); a forced module never switches.

/**
 * A module with one 64-bit memory (limits flag 0x04: i64 addresses, no maximum, 0 pages):
 * `WebAssembly.validate` accepts it only where memory64 is implemented.
 */
const MEMORY64_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, // "\0asm"
  0x01, 0x00, 0x00, 0x00, // version 1
  0x05, 0x03, 0x01, // memory section: 3 bytes, 1 memory
  0x04, 0x00, // limits: 64-bit, minimum 0 pages
]);

/** Whether this browser runs WebAssembly modules with 64-bit memory (memory64). */
export function hasMemory64() {
  try {
    return WebAssembly.validate(MEMORY64_PROBE);
  } catch {
    return false;
  }
}

/** Module names as the protocol carries them. */
export const WASM32 = 'wasm32';
export const WASM64 = 'wasm64';

/** What the page calls each module. */
export const MODULE_TITLES = Object.freeze({ [WASM32]: '32-bit WebAssembly', [WASM64]: '64-bit WebAssembly (memory64)' });

/**
 * The plan's peak (32 B per object + 4 B per reference + 64 MiB) per byte of an
 * uncompressed dump, as the up-front estimate uses it. A dump spends at least 25 B per
 * object (record header, 64-bit IDs) and 8 B per reference, plus the values. Measured
 * (without the 64 MiB): 0.64 for the generated benchmark dumps (1 GB and 8 GB: 70 B of
 * file and 3.7 references per object; 0.88 when the plan counted 48 B per object), less
 * for the small JDK dumps of the tests (more of their bytes are arrays and class data). At 0.6 a file above limit / 0.6 (5.8 GiB
 * for wasm32's 3.5 GiB) goes to wasm64 unread: most dumps that large are refused by wasm32,
 * and for one that is not, wasm64 costs ~12 % more time (1 GB benchmark dump), about what
 * reading pass 1 twice costs a switched one (~15 %).
 */
const PEAK_PER_DUMP_BYTE = 0.6;

/**
 * A low estimate of how much a gzip dump inflates (measured: 3.1 for the benchmark dump at
 * `gzip -1`, jcmd's `-gz=1`; 3.7 and 4.7 for the test dumps), so that only files that
 * surely exceed wasm32 skip the exact plan of pass 1.
 */
const GZIP_RATIO = 3;

/** Whether a dump of `size` bytes (gzip or not) would almost surely exceed `limit32`. */
function likelyBeyondWasm32(size, gzip, limit32) {
  return size * (gzip ? GZIP_RATIO : 1) * PEAK_PER_DUMP_BYTE > limit32;
}

/**
 * The module to start with.
 * @param {object} o
 * @param {?string} o.forced   WASM32, WASM64, or null (choose)
 * @param {boolean} o.memory64 the browser supports memory64
 * @param {number} o.size      bytes of the file
 * @param {boolean} o.gzip     the file is gzip
 * @param {number} o.limit32   the memory the wasm32 session may plan for
 * @param {number} o.limit64   the memory the wasm64 session may plan for
 * @returns {{module: string, reason: string}}
 */
export function initialModule({ forced, memory64, size, gzip, limit32, limit64 }) {
  if (forced) return { module: forced, reason: 'requested by the page' };
  if (!memory64) return { module: WASM32, reason: 'this browser has no 64-bit WebAssembly memory' };
  if (limit64 > limit32 && likelyBeyondWasm32(size, gzip, limit32)) {
    return { module: WASM64, reason: 'the file is too large for 32-bit WebAssembly memory' };
  }
  return { module: WASM32, reason: 'the default' };
}

/**
 * After wasm32's pass 1: whether to start again with wasm64. Only when the module was not
 * forced, the plan was refused, and it fits what wasm64 may plan for (a limit the user
 * lowered for both modules refuses both).
 * @param {{forced: ?string, memory64: boolean, refused: ?string, peak: number, limit64: number}} o
 */
export function switchToWasm64({ forced, memory64, refused, peak, limit64 }) {
  return !forced && memory64 && Boolean(refused) && peak <= limit64;
}
