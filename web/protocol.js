// The worker protocol: the one place that defines what the page (app.js) and the worker
// (worker.js) say to each other. Both import it; nothing else defines message shapes.
//
// Page → worker: a request  {id, type, payload}
// Worker → page: its reply  {id, ok: true, result} | {id, ok: false, error: {code, message}}
//                 events    {type: 'progress', ...Progress} | {type: 'fatal', message, outOfMemory, module}
//
// One worker analyses one file: the page creates a worker, sends `open` with the File,
// then queries. A worker runs one of two builds of the module, wasm32 or wasm64 (64-bit
// memory, where the browser has it; see module-choice.js): when wasm32's plan refuses the
// full analysis and wasm64's would not, `open` answers with `switchTo: 'wasm64'` and the
// page opens the file again in a new worker with that module; the page does the same when
// wasm32 runs out of memory (`fatal` with `outOfMemory`) before its plan could refuse. After `fatal` (a WebAssembly trap: panic or out of memory) the worker is
// unusable and the page replaces it; pending requests are abandoned.
//
// The worker knows no analysis: `query` requests carry a Query ({kind, ...parameters}, as
// crate/query/mod.rs defines it: its defaults and checks live there, once), and the worker
// hands them to the module as they are. The answer is the CLI's `--json` output of the same
// command. `Query` below lists the kinds; tests/protocol.rs fails when it and the Rust list
// disagree. Adding an analysis: its Query kind here, its view in views/ registered in app.js.

/** Bumped when a message shape changes incompatibly. */
export const PROTOCOL_VERSION = 4;

/** Request types (page → worker). */
export const Request = Object.freeze({
  /** payload: none → {@link HelloResult}. */
  HELLO: 'hello',
  /** payload: {@link OpenPayload} → {@link OpenResult}; streams every pass, with progress events. */
  OPEN: 'open',
  /** payload: none → {@link Status}: the module and its memory (any time, e.g. after the report). */
  STATUS: 'status',
  /** payload: a query, `{kind: Query.X, ...parameters}` → its answer (below). */
  QUERY: 'query',
  /**
   * payload: {@link RedactPayload} → {total: number (bytes of the file)}: starts a redacted
   * copy of the opened file (`heapscope redact`); its bytes are then asked for with
   * `redact_next` until `done`. A new `redact` abandons a copy under way.
   */
  REDACT: 'redact',
  /**
   * payload: none → {@link RedactPiece}: reads the next slice of the file and returns the
   * copy's bytes for it (with a `progress` event of phase `redact`); `bad_dump` when the
   * dump cannot be copied (then no copy exists: discard what was written).
   */
  REDACT_NEXT: 'redact_next',
});

/**
 * Query kinds: the `kind` of a `query` request's payload, and its parameters (snake_case,
 * as the CLI's JSON; absent parameters take the defaults of crate/query/mod.rs). All but
 * `summary` and `histogram` need the full analysis (else the error `refused`).
 */
export const Query = Object.freeze({
  /** {} → {@link Summary} (`heapscope summary --json`). */
  SUMMARY: 'summary',
  /** {top?: number, by_retained?: boolean} → {@link Histogram} (`heapscope histogram --json`). */
  HISTOGRAM: 'histogram',
  /** {top?: number} → the whole report (`heapscope analyze --json`). */
  ANALYZE: 'analyze',
  /** {top?: number, depth?: number} → the tree's top levels (`heapscope dominators --json`). */
  DOMINATOR_TREE: 'dominator_tree',
  /** {parent?: string (object ID; absent: the GC roots' side), limit?: number} → {@link Dominators}. */
  DOMINATOR_CHILDREN: 'dominator_children',
  /** {class: string, limit?: number} → {@link Instances}: the class's biggest instances. */
  INSTANCES: 'instances',
  /** {} → {@link FinalizerReport}. */
  FINALIZERS: 'finalizers',
  /** {object?: string, class?: string (one of the two), include_weak?: boolean} → {@link PathTree}. */
  PATHS: 'paths',
  /** {object: string, max_items?: number, offset?: number, referrers_offset?: number} → {@link ObjectView}. */
  INSPECT: 'inspect',
  /** {} → {@link SuspectsReport}. */
  SUSPECTS: 'suspects',
  /** {} → {references: RefKindStats[]} (`heapscope references --json`). */
  REFERENCES: 'references',
  /** {max_locals?: number} → {threads: ThreadView[]} (`heapscope threads --json`). */
  THREADS: 'threads',
  /** {top?: number} → {@link Histogram} of the objects no GC root reaches (`heapscope unreachable --json`). */
  UNREACHABLE: 'unreachable',
  /** {class?: string, holder?: string, top?: number} → {@link CollectionsReport} (`heapscope collections --json`). */
  COLLECTIONS: 'collections',
  /**
   * {object?: string, class?: string (one of the two), skip?: string[] (`java.*` patterns), top?: number}
   * → {@link ImmediateDominators} (`heapscope immediate-dominators --json`).
   */
  IMMEDIATE_DOMINATORS: 'immediate_dominators',
  /** {object?: string, class?: string (one of the two), top?: number} → {@link RetainedSet} (`heapscope retained-set --json`). */
  RETAINED_SET: 'retained_set',
  /** {name: string} → {@link ClassReport} (`heapscope class --json`). */
  CLASS: 'class',
  /** {top?: number, depth?: number} → {@link GroupedDomTree} (`heapscope dominators --group-by class --json`). */
  GROUPED_DOMINATOR_TREE: 'grouped_dominator_tree',
  /**
   * {parent?: string (object ID; absent: the GC roots' side), path?: string[] (class names, one
   * per level), limit?: number, group_limit?: number} → {@link DomGroup}: one group of the
   * dominator tree grouped by class, its largest objects and the groups below it.
   */
  DOMINATOR_GROUP: 'dominator_group',
  /** {group_by?: 'package'|'loader' (default package), top?: number, by_retained?: boolean} → {@link GroupedHistogram} (`heapscope histogram --group-by`). */
  GROUPED_HISTOGRAM: 'grouped_histogram',
  /** {min_count?: number, top?: number} → {@link DuplicateStrings} (`heapscope duplicate-strings --json`). */
  DUPLICATE_STRINGS: 'duplicate_strings',
  /** {} → {@link ClassLoaders} (`heapscope classloaders --json`). */
  CLASS_LOADERS: 'class_loaders',
  /**
   * {include_values?: boolean, file_name?: string (the dump's name, no directory)} → a string:
   * the shareable report, one self-contained HTML file (`heapscope report`, the same bytes).
   */
  HTML_REPORT: 'html_report',
  /** {} → {@link Secrets} (`heapscope secrets --json`). */
  SECRETS: 'secrets',
  /**
   * {file?: string} → the dump's compact report (what a comparison keeps of it: headline
   * figures, the histogram, reference, Finalizer and Timer figures, suspects; the histogram
   * alone when the full analysis was refused). Also `analyze`'s `report`.
   */
  REPORT: 'report',
  /**
   * {reports: Report[] (kept from other dumps), file?: string (this dump's name)} → the
   * comparison of those dumps and this one, oldest first (`heapscope compare --json`:
   * dumps, classes, trends, suspects, warnings).
   */
  COMPARE: 'compare',
});

/** Event types (worker → page, no id). */
export const Event = Object.freeze({
  /** {@link ProgressEvent} */
  PROGRESS: 'progress',
  /**
   * {type, message, outOfMemory, module}: the worker crashed and must be replaced;
   * `outOfMemory`: the module ran out of memory, `module`: which one (null: none loaded).
   */
  FATAL: 'fatal',
});

/** Error codes in failed replies. */
export const ErrorCode = Object.freeze({
  /** Unknown type, malformed message, or wrong protocol use (e.g. a query before `open`). */
  INVALID_REQUEST: 'invalid_request',
  /** The file is not a readable heap dump (truncated, corrupt, not HPROF); message says where. */
  BAD_DUMP: 'bad_dump',
  /** The browser could not read the file (moved, permissions). */
  READ_FAILED: 'read_failed',
  /** The query needs an analysis that is not complete (no file opened, or still reading). */
  NOT_READY: 'not_ready',
  /** The full analysis was refused (predicted memory above the limit); message says why. */
  REFUSED: 'refused',
  /** No object with the given ID in this dump. */
  NOT_FOUND: 'not_found',
  /** The analysis broke its own rules (a bug, not a problem with the dump). */
  INTERNAL: 'internal',
});

/** Bytes read per File.slice: large enough to amortize calls, small enough for any tab. */
export const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * @typedef {{id: number, type: string, payload?: any}} RequestMessage
 * @typedef {{id: number, ok: true, result: any}} OkReply
 * @typedef {{id: number, ok: false, error: {code: string, message: string}}} ErrorReply
 *
 * @typedef {{protocolVersion: number, version: string, memory64: boolean}} HelloResult
 *   memory64: the browser runs the wasm64 module
 *
 * @typedef {object} OpenPayload
 * @property {Blob} file            the dropped File (or a Blob fetched for the sample)
 * @property {'wasm32'|'wasm64'} [module]  the module to use; absent: the worker chooses
 * @property {object} [options]     {memoryLimit?: number (bytes: lowers the limit of either
 *                                  module: wasm32 3.5 GiB, wasm64 14 GiB),
 *                                  wasm32MemoryLimit?: number (bytes: lowers wasm32's only, so
 *                                  that a test can make the worker switch)}
 *
 * @typedef {object} OpenResult
 * @property {number} passes        passes read
 * @property {number} millis        time from open to complete
 * @property {?Plan} plan           what the full analysis costs (known after pass 1)
 * @property {?string} refused      why the full analysis was refused (only summary and
 *                                  histogram exist then), or null
 * @property {boolean} full         whether the full analysis ran (the queries below work)
 * @property {'wasm32'|'wasm64'} module  the module that ran
 * @property {string} moduleReason  why that one (`the default`, `requested by the page`, …)
 * @property {number} memoryBytes   its WebAssembly memory after the passes (never shrinks)
 * @property {?'wasm64'} switchTo   wasm32 refused the full analysis and wasm64 would run it:
 *                                  open the file again, in a new worker, with this module
 *
 * @typedef {{objects: number, references_bound: number, peak_bytes: number, limit_bytes: number}} Plan
 *
 * @typedef {object} RedactPayload
 * @property {'basic'|'full'} [level]  what is replaced (README, "Redacted copy"); default basic
 * @property {boolean} [gzip]       gzip output even when the file is not gzip (it is gzip
 *                                  when the file is)
 * @property {boolean} [names]      replace the names outside the JDK by placeholders
 *                                  (`heapscope redact --names`); the map comes with the
 *                                  last piece
 * @property {string} [map]         with `names`: an earlier copy's map (its JSON text), whose
 *                                  placeholders are used again (`--names-map`); one that is
 *                                  not such a map is `invalid_request`
 * @property {string} [mapName]     the map's file name, for that error
 *
 * @typedef {object} RedactPiece
 * @property {Uint8Array} bytes     the copy's next bytes (may be empty), in order
 * @property {boolean} done         the copy is complete (no more `redact_next`)
 * @property {number} read          bytes of the file read so far
 * @property {?boolean} gzip        whether the copy is gzip (null before the first bytes)
 * @property {?Uint8Array} map      with `names`, on the last piece (`done`): the names map,
 *                                  JSON, the bytes `heapscope redact --names` writes to its
 *                                  map file (holds the real names); otherwise null
 *
 * @typedef {{module: ?string, memory64: boolean, memoryBytes: number}} Status
 *   module: null before `open`; memoryBytes: the high-water mark of its memory
 *
 * @typedef {object} ProgressEvent
 * @property {'progress'} type
 * @property {string} phase         pass name (`index`, `references`, `referrers`) or
 *                                  computation between passes (`reachability`, `dominators`,
 *                                  `retained sizes`)
 * @property {number} done          bytes read in this pass, or the computation's units
 * @property {number} total         bytes of the file, or the computation's total (0: unknown)
 * @property {number} pass          1-based pass number
 * @property {number} passes        passes expected in all
 *
 * The report types mirror the CLI's `--json` output (snake_case keys):
 *
 * @typedef {object} Summary        `heapscope summary --json`
 * @property {string} format
 * @property {number} id_size
 * @property {number} timestamp_ms
 * @property {number} objects
 * @property {number} instances
 * @property {number} object_arrays
 * @property {number} primitive_arrays
 * @property {number} classes
 * @property {number} shallow_bytes
 * @property {Object<string, number>} gc_roots
 * @property {boolean} compressed_oops
 * @property {{header_bytes: number, reference_bytes: number, compressed_class_pointers: boolean,
 *             field_layout: string, classes_matching: number, classes_with_evidence: number}} size_model
 * @property {number} strings
 * @property {number} stack_traces
 * @property {number} heap_dump_segments
 * @property {Array<{key: string, severity: string, count: number, first_offset: ?number, help: string}>} diagnostics
 *
 * @typedef {object} HistogramRow
 * @property {string} name          Java class name
 * @property {number} instances
 * @property {number} shallow_bytes
 * @property {number} [retained_bytes] after the full analysis (`histogram --retained`)
 *
 * @typedef {{classes: HistogramRow[], total_instances: number, total_shallow_bytes: number}} Histogram
 *
 * Object IDs are "0x…" hex strings (a JS number would round 64-bit addresses).
 *
 * @typedef {{object: string, class: string, shallow_bytes: number, retained_bytes: number,
 *            value?: string}} ObjRef   class is `class Name` for class objects; value: string text
 * @typedef {ObjRef & {children: DomNode[]}} DomNode   (children empty: ask for them)
 * @typedef {{nodes: DomNode[], more: number, reachable_bytes: number, unreachable_objects: number,
 *            unreachable_bytes: number}} Dominators
 * @typedef {{nodes: DomNode[], total: number}} Instances
 *
 * The dominator tree grouped by class (retained sums are exact: the objects of a level have
 * disjoint retained sets); class objects group under `java.lang.Class`:
 * @typedef {{class: string, objects: number, shallow_bytes: number, retained_bytes: number}} ClassSum
 * @typedef {ClassSum & {largest: ObjRef, children: ClassGroup[], more_children: number}} ClassGroup
 * @typedef {{group_by: 'class', groups: ClassGroup[], more_groups: number, reachable_bytes: number,
 *            unreachable_objects: number, unreachable_bytes: number}} GroupedDomTree
 * @typedef {{parent?: string, path: string[], group?: ClassSum, groups: ClassGroup[], more_groups: number,
 *            nodes: DomNode[], more: number, reachable_bytes: number, unreachable_objects: number,
 *            unreachable_bytes: number}} DomGroup
 *
 * The histogram grouped by package (a tree) or class loader; retained_bytes (after the full
 * analysis) is the minimum retained size, a lower bound:
 * @typedef {{name: string, kind: 'package'|'loader'|'class', object?: string, classes: number,
 *            instances: number, shallow_bytes: number, retained_bytes?: number,
 *            children: HistogramGroup[]}} HistogramGroup
 * @typedef {{group_by: 'package'|'loader', groups: HistogramGroup[], more_groups: number,
 *            total_classes: number, total_instances: number, total_shallow_bytes: number}} GroupedHistogram
 *
 * The rest are exactly the CLI's `--json` output of the same command (README's table):
 * (`Summary` and `Histogram` above are too.)
 * @typedef {object} FinalizerReport   `heapscope finalizers --json`
 * @typedef {object} PathTree          `heapscope path --json`: {targets, searched, found,
 *   not_found, include_weak, roots: PathNode[], more_roots?}; PathNode = ObjRef & {field?,
 *   gc_roots?, held_by?, repeat, targets, children: PathNode[], more_children?}
 * @typedef {object} ObjectView        `heapscope inspect --json` (a collection's
 *   `collection`, `entries`, `entries_total`; a field's `collection` with its first entries)
 * @typedef {object} CollectionsReport `heapscope collections --json`
 * @typedef {object} SuspectsReport    `heapscope suspects --json`: {reachable_bytes, threshold,
 *   finalizer_threshold, suspects: [{kind, description, retained_bytes, heap_share, object?,
 *   class?, instances?, accumulation_point?, accumulated_by_class, path_from_root, merged}]}
 * @typedef {object} ThreadView        an element of `heapscope threads --json`'s `threads`
 * @typedef {object} RefKindStats      an element of `heapscope references --json`'s `references`
 * @typedef {object} ImmediateDominators `heapscope immediate-dominators --json`: {objects,
 *   unreachable_objects, skip, rows: [{class, gc_roots?, dominators, objects,
 *   dominated_shallow_bytes, shallow_bytes, retained_bytes, top: [ObjRef & {objects}], more}]}
 * @typedef {object} RetainedSet       `heapscope retained-set --json`: {objects,
 *   unreachable_objects, retained_objects, retained_bytes, minimum_retained_bytes,
 *   classes: HistogramRow[], total_classes}
 * @typedef {object} ClassReport       `heapscope class --json`: {name, classes: [{name, kind,
 *   class_object?, instances, shallow_bytes, retained_bytes, instance_size?, superclasses,
 *   class_loader?, statics, subclasses}]}
 * @typedef {object} DuplicateStrings  `heapscope duplicate-strings --json`: {strings,
 *   unreachable_strings, unreadable_strings, min_count, duplicated_values, duplicate_strings,
 *   wasted_bytes, values: [{value, length, count, wasted_bytes, string_bytes, array_bytes,
 *   value_arrays, holders: [{class, field, array_held_by?: {class, field}, count}],
 *   more_holders, objects: string[]}], more_values}
 * @typedef {object} ClassLoaders      `heapscope classloaders --json`: {loaders: [{loader?: ObjRef,
 *   name?, classes, instances, instances_shallow_bytes, defined_retained_bytes}], classes,
 *   duplicate_classes: [{name, copies: [{class_object: ObjRef, loader?: ObjRef, loader_name?,
 *   instances, path: [ObjRef & {field?, gc_roots?, held_by?, repeat}]}]}]}
 * @typedef {object} Secrets           `heapscope secrets --json`: {secrets: [{kind, object,
 *   class, path: [{class, field, object}] (from the nearest holder down), masked (a few characters
 *   at each end; the value itself never crosses the protocol), length, detail}],
 *   by_kind: {kind: count}, more_secrets, arrays_searched}
 *
 * A failed query's error code: `invalid_request` (an unknown kind or parameter, a value
 * out of range), `not_ready`, `refused`, `not_found`, `bad_dump` (a record could not be
 * re-read), `internal`.
 */
