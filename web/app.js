// The controller: takes a file (drop, picker, sample), runs it through a worker, keeps the
// report and shows one view at a time (the URL hash names it, so Back works). Rendering
// is in views/; the worker protocol in protocol.js and client.js.
//
// Privacy: the file is read by the worker in this tab. Nothing from it is logged, stored
// (no localStorage, no IndexedDB) or sent; exports are generated here as Blob downloads.

import { Request, Query } from './protocol.js';
import { WorkerClient } from './client.js';
import { MODULE_TITLES, WASM32, WASM64 } from './module-choice.js';
import { h, replace } from './views/dom.js';
import * as fmt from './views/format.js';
import { toCsv, download, downloadBlob, exportName } from './export.js';
import { installKeys } from './keys.js';
import { classChoices, classNames, fillClassList, resolveClass } from './views/classnames.js';
import { ProgressView } from './views/progress.js';
import { overviewView } from './views/overview.js';
import { HistogramView } from './views/histogram.js';
import { dominatorsView } from './views/dominators.js';
import { finalizersView } from './views/finalizers.js';
import { suspectsView } from './views/suspects.js';
import { threadsView } from './views/threads.js';
import { pathsView } from './views/paths.js';
import { inspectorView } from './views/inspector.js';
import { unreachableView } from './views/unreachable.js';
import { collectionsView } from './views/collections.js';
import { classView } from './views/class.js';
import { immediateDominatorsView } from './views/immediate-dominators.js';
import { histogramView } from './views/histogram_groups.js';
import { duplicateStringsView } from './views/duplicate-strings.js';
import { classLoadersView } from './views/classloaders.js';
import { secretsView } from './views/secrets.js';
import { compareView } from './views/compare.js';

/**
 * The views, in tab order. `full`: needs the full analysis (hidden when it was refused).
 * `params`: the view takes arguments from the URL (`#inspect?object=0x…`), and one element
 * is kept per argument so Back shows it again at once. A view gets the report, its
 * arguments, `load` (queries it makes itself, e.g. on expanding a tree) and `onExport`.
 * A new analysis adds its Query kind in protocol.js, its view here, and (if the report
 * should hold it) an entry in REPORT; the worker forwards queries without knowing them.
 */
const VIEWS = [
  { id: 'overview', title: 'Overview', create: (c) => overviewView(c) },
  { id: 'histogram', title: 'Histogram', create: (c) => histogramView({ ...c, table: new HistogramView({ ...c, histogram: c.report.histogram, reachableBytes: c.report.dominators?.reachable_bytes }), groups: c.load.groupedHistogram, full: c.report.analysis.full }) },
  { id: 'class', title: 'Class', full: true, params: true, create: (c) => classView(c) },
  { id: 'dominators', title: 'Dominator tree', full: true, create: (c) => dominatorsView({ ...c, dominators: c.report.dominators, children: c.load.children, group: c.load.dominatorGroup }) },
  { id: 'suspects', title: 'Leak suspects', full: true, create: (c) => suspectsView({ ...c, report: c.report.suspects }) },
  { id: 'finalizers', title: 'Finalizers', full: true, create: (c) => finalizersView({ ...c, report: c.report.finalizers }) },
  { id: 'threads', title: 'Threads', full: true, create: (c) => threadsView({ ...c, threads: c.report.threads.threads }) },
  { id: 'paths', title: 'Paths to GC roots', full: true, params: true, create: (c) => pathsView(c) },
  { id: 'immediate-dominators', title: 'Immediate dominators', full: true, params: true, create: (c) => immediateDominatorsView(c) },
  { id: 'inspect', title: 'Object', full: true, params: true, create: (c) => inspectorView(c) },
  { id: 'duplicate-strings', title: 'Duplicate strings', full: true, create: (c) => duplicateStringsView(c) },
  { id: 'classloaders', title: 'Class loaders', full: true, create: (c) => classLoadersView(c) },
  { id: 'secrets', title: 'Secrets', full: true, create: (c) => secretsView(c) },
  { id: 'unreachable', title: 'Unreachable', full: true, create: (c) => unreachableView({ ...c, unreachable: c.report.unreachable, heapBytes: c.report.summary.shallow_bytes }) },
  { id: 'collections', title: 'Collections', full: true, create: (c) => collectionsView(c) },
  // Shown once the dump was compared with others (`needs`).
  { id: 'compare', title: 'Compare', needs: (r) => r.comparison, create: (c) => compareView({ comparison: c.report.comparison, onExport: c.onExport, onAdd: () => ui.compareInput.click() }) },
];

/**
 * The report: the queries asked once the passes are done (its JSON export holds their
 * answers, each the CLI's `--json` output of the same command, under these keys). `full`:
 * needs the full analysis. `label`: shown while it is computed.
 */
const REPORT = [
  { key: 'summary', query: { kind: Query.SUMMARY }, label: 'Summary' },
  { key: 'histogram', query: { kind: Query.HISTOGRAM }, label: 'Histogram' },
  { key: 'dominators', query: { kind: Query.DOMINATOR_CHILDREN }, full: true, label: 'Dominator tree' },
  { key: 'references', query: { kind: Query.REFERENCES }, full: true, label: 'Reference statistics' },
  { key: 'finalizers', query: { kind: Query.FINALIZERS }, full: true, label: 'Finalizer analysis' },
  { key: 'suspects', query: { kind: Query.SUSPECTS }, full: true, label: 'Leak suspects' },
  { key: 'threads', query: { kind: Query.THREADS }, full: true, label: 'Threads' },
  { key: 'unreachable', query: { kind: Query.UNREACHABLE }, full: true, label: 'Unreachable objects' },
];

/**
 * Views whose argument is a class name (the URL parameter holding it, and what a choice
 * among several classes of one simple name leads to): a simple name resolves to the
 * class's full name when only one class has it.
 */
const CLASS_PARAMS = { class: ['name', 'The class'], paths: ['class', 'Paths to'], 'immediate-dominators': ['class', 'Who keeps'] };

/** Parameterized view elements kept for Back/Forward. */
const KEPT_PARAM_VIEWS = 30;

/**
 * What the page's address asks of the analysis (the full analysis by default):
 * - `?memory-limit-mib=N` lowers the memory the analysis may plan for, whichever module
 *   runs (default: wasm32 3.5 GiB, wasm64 14 GiB), for machines that cannot give a tab that
 *   much; above it the page keeps the histogram only.
 * - `?wasm32-limit-mib=N` lowers wasm32's limit only: a dump above it switches to wasm64
 *   (the tests use it to make a small dump switch).
 * - `?wasm=32` or `?wasm=64` runs that module only (no switch); default: the worker
 *   chooses (module-choice.js).
 */
function openOptions() {
  const q = new URLSearchParams(location.search);
  const mib = (name) => {
    const n = Number(q.get(name));
    return q.has(name) && Number.isFinite(n) && n > 0 ? n * 1048576 : undefined;
  };
  const options = {};
  const limit = mib('memory-limit-mib');
  const limit32 = mib('wasm32-limit-mib');
  if (limit) options.memoryLimit = limit;
  if (limit32) options.wasm32MemoryLimit = limit32;
  const wasm = q.get('wasm');
  const module = wasm === '32' ? WASM32 : wasm === '64' ? WASM64 : undefined;
  return { options, module, moduleReason: module && `?wasm=${wasm} in the page's address` };
}

const SAMPLE = { url: 'samples/timer_finalizer.hprof', name: 'timer_finalizer.hprof' };

const $ = (sel) => document.querySelector(sel);
const ui = {
  input: $('#file-input'),
  status: $('[data-testid=status]'),
  statusBox: $('[data-testid=status-box]'),
  statusPlain: $('[data-testid=status-plain]'),
  statusDetails: $('[data-testid=status-details]'),
  landing: $('#landing'),
  busy: $('#busy'),
  report: $('#report'),
  tabs: $('#tabs'),
  notice: $('#notice'),
  view: $('#view'),
  fileInfo: $('#file-info'),
  exportJson: $('#export-json'),
  saveReportGroup: $('#save-report-group'),
  saveReport: $('#save-report'),
  saveReportValues: $('#save-report-values'),
  compareWith: $('#compare-with'),
  compareInput: $('#compare-input'),
  redact: $('#redact'),
  redactLevel: $('#redact-level'),
  redactNames: $('#redact-names'),
  redactMapPick: $('#redact-map-pick'),
  redactMapInput: $('#redact-map-input'),
  redactMapSave: $('#redact-map-save'),
  redactSave: $('#redact-save'),
  redactStatus: $('#redact-status'),
  dropOverlay: $('#drop-overlay'),
};

const state = {
  client: null, // the worker of the current file
  spare: null, // a worker compiled in advance for the next file
  report: null,
  // The report on screen while another file is analysed, with its worker: a failed or
  // cancelled analysis goes back to it. Its worker keeps its heap meanwhile (two heaps in
  // memory until the new one is ready).
  previous: null,
  views: new Map(), // view key (`histogram`, `inspect?object=0x1f`) → element
  lastKey: new Map(), // view id → the key last shown (where its tab leads back to)
};

// The dump's class names, which the class-name boxes complete from (list="class-names").
const classList = h('datalist', { id: 'class-names' });
document.body.append(classList);

const progress = new ProgressView({ onCancel: cancel });
ui.busy.append(progress.el);

/**
 * The status line: `idle`, `reading`, `ready`, `cancelled`, or `error: …` (tests read it).
 * An error is said in plain words (`plain`, or [`inWords`]) with the technical line one
 * click away; `cancelled` is said in plain words alone.
 */
function setStatus(kind, message, plain) {
  ui.status.dataset.state = kind;
  ui.status.textContent = kind === 'error' ? `error: ${message}` : kind;
  ui.statusBox.dataset.state = kind;
  ui.statusBox.hidden = kind !== 'error' && kind !== 'cancelled'; // the rest shows elsewhere
  ui.statusDetails.hidden = kind !== 'error';
  ui.statusDetails.open = false;
  ui.statusPlain.textContent = kind === 'error' ? (plain ?? inWords(message))
    : kind === 'cancelled' ? (plain ?? 'Cancelled: the file was not analysed.') : '';
}

/** What a technical error message means for the person who dropped the file. */
function inWords(message) {
  if (/^truncated /.test(message)) {
    return 'This copy of the dump ends early, before a single object could be read: it was cut short while being written or copied '
      + '(a full disk, an interrupted copy, a JVM stopped while dumping). Take the dump again, or copy the whole file.';
  }
  if (/^not an HPROF heap dump/.test(message)) {
    const why = message.replace(/^not an HPROF heap dump at offset \d+: /, '');
    return `This file is not a Java heap dump (.hprof or .hprof.gz): ${why}.`;
  }
  if (/out of memory/.test(message)) {
    return 'The browser ran out of memory for this dump. The command-line tool has no such limit (heapscope analyze FILE).';
  }
  if (/^gzip|deflate/i.test(message)) return 'This compressed dump is damaged: it could not be decompressed.';
  if (/^could not load the sample/.test(message)) return 'The sample dump could not be loaded from this site.';
  return 'This file could not be analysed.';
}

function show(part) {
  ui.landing.hidden = part !== 'landing';
  ui.busy.hidden = part !== 'busy';
  ui.report.hidden = part !== 'report';
  ui.tabs.hidden = part !== 'report';
  ui.exportJson.hidden = part !== 'report';
  // The HTML report needs the full analysis (its suspects, paths and threads).
  ui.saveReportGroup.hidden = part !== 'report' || !state.report?.analysis.full;
  ui.compareWith.hidden = part !== 'report';
  ui.redact.hidden = part !== 'report';
  ui.fileInfo.hidden = part !== 'report';
}

/** A worker ready for the next file (its module compiles while the user picks one). */
function warmWorker() {
  if (!state.spare) state.spare = new WorkerClient();
}

function takeWorker() {
  const w = state.spare ?? new WorkerClient();
  state.spare = null;
  return w;
}

/**
 * Sets the report on screen aside (see `state.previous`); an analysis still running is
 * dropped.
 */
function setAside() {
  if (state.client && state.report) {
    state.previous?.client.terminate();
    state.previous = { client: state.client, report: state.report, views: state.views, lastKey: state.lastKey, hash: location.hash };
  } else {
    state.client?.terminate();
  }
  Object.assign(state, { client: null, report: null, views: new Map(), lastKey: new Map() });
}

/** Shows the report set aside again; `false` when there is none (the landing shows). */
function restorePrevious() {
  const p = state.previous;
  state.previous = null;
  if (!p) {
    show('landing');
    return false;
  }
  Object.assign(state, { client: p.client, report: p.report, views: p.views, lastKey: p.lastKey });
  history.replaceState(null, '', p.hash);
  showReport();
  return true;
}

/** The report set aside is not needed any more: its worker goes. */
function dropPrevious() {
  state.previous?.client.terminate();
  state.previous = null;
}

/**
 * Analyses `file` in a fresh worker. The report on screen stays set aside until the new
 * one is ready, and comes back if this one fails or is cancelled. In a comparison
 * (`series`: the reports kept of the other dumps, which dump this is and of how many),
 * the dump is then compared with the others by the module, and the Compare view opens.
 */
async function analyze(file, series) {
  setAside();
  progress.start(series ? `${file.name} (dump ${series.index} of ${series.total})` : file.name, file.size);
  show('busy');
  setStatus('reading');
  let client = useWorker(takeWorker());
  try {
    const { version, memory64 } = await client.ready;
    const { options, module, moduleReason } = openOptions();
    let opened = null;
    let switched = null;
    try {
      opened = await client.request(Request.OPEN, { file, options, module });
      if (opened.switchTo) {
        switched = {
          from: opened.module, out_of_memory: false, reason: opened.refused, millis: Math.round(opened.millis),
          detail: `${fmt.bytes(opened.plan.peak_bytes)} needed, more than ${MODULE_TITLES[WASM32]}'s ${fmt.bytes(opened.plan.limit_bytes)}`,
        };
      }
    } catch (e) {
      // wasm32 ran out of memory before its plan could refuse (pass 1 of a dump of very
      // many small objects): wasm64 may have the room.
      if (!(e.fatal && e.outOfMemory && e.module === WASM32 && !module && memory64 && state.client === client)) throw e;
      switched = { from: WASM32, out_of_memory: true, reason: e.message, millis: null, detail: `${MODULE_TITLES[WASM32]} ran out of memory` };
    }
    if (state.client !== client) return;
    if (switched) {
      // Read the file again in a new worker (the old one's memory is freed with it).
      progress.update({ phase: 'switch', done: 0, total: 0, pass: 0, passes: 0, detail: `${switched.detail}; reading the file again` });
      client.terminate();
      client = useWorker(new WorkerClient());
      await client.ready;
      opened = await client.request(Request.OPEN, { file, options, module: WASM64 });
    }
    const parts = REPORT.filter((q) => opened.full || !q.full);
    const results = {};
    for (const [i, q] of parts.entries()) {
      if (state.client === client) progress.update({ phase: 'report', done: i, total: parts.length, pass: 0, passes: opened.passes, detail: q.label });
      results[q.key] = await client.request(Request.QUERY, q.query);
    }
    // What a comparison keeps of this dump (`compare` in the CLI reads the same).
    results.dump_report = await client.request(Request.QUERY, { kind: Query.REPORT, file: file.name });
    if (series) {
      if (state.client === client) progress.update({ phase: 'report', done: parts.length, total: parts.length, pass: 0, passes: opened.passes, detail: `Comparing ${series.total} dumps` });
      results.comparison = await client.request(Request.QUERY, { kind: Query.COMPARE, reports: series.kept, file: file.name });
      // The CLI's words for a dump it could not read.
      results.comparison.warnings.push(...series.leftOut.map((m) => `left out of the comparison: ${m}`));
      results.compared_reports = series.kept;
    }
    if (state.client === client) progress.update({ phase: 'report', done: parts.length, total: parts.length, pass: 0, passes: opened.passes, detail: 'Showing the report' });
    // The memory's high-water mark once the report's queries ran too.
    const { memoryBytes } = await client.request(Request.STATUS);
    const report = {
      heapscope: version,
      file: { name: file.name, size: file.size },
      analysis: {
        passes: opened.passes, millis: Math.round(opened.millis + (switched?.millis ?? 0)), full: opened.full, refused: opened.refused, plan: opened.plan,
        module: opened.module, module_reason: moduleReason ?? opened.moduleReason,
        memory_bytes: memoryBytes, switched,
      },
      ...results,
    };
    if (state.client !== client) return;
    dropPrevious();
    state.report = report;
    // A new file opens on the overview (its findings), not on the tab the last one was left
    // on; a comparison on the comparison.
    history.replaceState(null, '', series ? '#compare' : `#${VIEWS[0].id}`);
    redactStatus('idle', '');
    namesMap = null;
    ui.redactMapSave.hidden = true;
    showReport();
    setStatus('ready');
  } catch (e) {
    if (state.client !== client || e.cancelled) return;
    client.terminate(); // one worker per file; a crashed one is already gone
    state.client = null;
    const back = restorePrevious() ? ` (${file.name} was not opened; ${state.report.file.name} is shown again)` : '';
    // In a series, which of the files failed.
    const message = series ? `${file.name}: ${e.message}` : e.message;
    const plain = `${inWords(e.message)}${back ? ` ${file.name} was not opened; ${state.report.file.name} is shown again.` : ''}`;
    setStatus('error', `${e.fatal ? `the analysis stopped: ${message}. The page has a new worker; drop a file to try again.` : message}${back}`, plain);
  } finally {
    // After a comparison no spare waits: the page holds one worker (and one heap).
    if (!series && (state.client === client || state.client === null)) warmWorker();
  }
}

/** Makes `client` the current file's worker: its progress is shown, its crash reported. */
function useWorker(client) {
  state.client = client;
  client.onProgress = (p) => {
    if (state.client !== client) return;
    if (p.phase === 'redact') redactStatus('working', `Redacting… ${fmt.percent(p.done, p.total)}`);
    else progress.update(p);
  };
  client.onFatal = (message) => {
    // During the analysis the request below fails too; after it, the report stays.
    if (state.client !== client || !state.report) return;
    state.client = null;
    setStatus('error', `the analysis worker stopped: ${message}`);
    warmWorker();
  };
  return client;
}

/**
 * Compares dumps: `files` are analysed one after the other, each by a fresh worker whose
 * compact report is kept and which is terminated before the next one starts (the page
 * never holds two heaps); the last one stays open for drill-down and compares them all.
 * `kept`: reports of dumps analysed before (the open dump's, and those it was compared
 * with).
 */
async function compareFiles(files, kept = []) {
  if (files.length === 0 || files.length + kept.length < 2) {
    if (files.length) analyze(files[0]);
    return;
  }
  // One heap at a time: the open dump's worker, a report set aside and the spare go now.
  dropPrevious();
  state.client?.terminate();
  state.spare?.terminate();
  Object.assign(state, { client: null, report: null, spare: null, views: new Map(), lastKey: new Map() });
  const reports = [...kept];
  const leftOut = [];
  const total = kept.length + files.length;
  const { options, module } = openOptions();
  for (const file of files.slice(0, -1)) {
    progress.start(`${file.name} (dump ${reports.length + 1} of ${total})`, file.size);
    show('busy');
    setStatus('reading');
    let client = useWorker(new WorkerClient());
    try {
      await client.ready;
      let opened = await client.request(Request.OPEN, { file, options, module });
      if (opened.switchTo && state.client === client) {
        client.terminate();
        client = useWorker(new WorkerClient());
        await client.ready;
        opened = await client.request(Request.OPEN, { file, options, module: WASM64 });
      }
      progress.update({ phase: 'report', done: 0, total: 1, pass: 0, passes: opened.passes, detail: 'Keeping the report for the comparison' });
      const report = await client.request(Request.QUERY, { kind: Query.REPORT, file: file.name });
      if (state.client !== client) return; // cancelled
      reports.push(report);
    } catch (e) {
      if (state.client !== client || e.cancelled) return;
      // Left out, as the CLI does: one bad file does not cost the others' analyses.
      leftOut.push(`${file.name}: ${e.message}`);
    } finally {
      client.terminate();
    }
    state.client = null;
  }
  const last = files[files.length - 1];
  if (reports.length === 0) {
    // Nothing to compare the last dump with: it opens on its own, and the status says why.
    await analyze(last);
    if (state.report) setStatus('error', `no comparison: ${leftOut.join('; ')}; a comparison needs two dumps`);
    return;
  }
  await analyze(last, { kept: reports, index: total, total, leftOut });
}

/** "Compare with…": the open dump's report (and those it was compared with) and `files`. */
function compareWith(files) {
  const r = state.report;
  if (!r?.dump_report) return compareFiles(files);
  return compareFiles(files, [...(r.compared_reports ?? []), r.dump_report]);
}

function cancel() {
  if (!state.client) return;
  state.client.terminate();
  Object.assign(state, { client: null, report: null, views: new Map(), lastKey: new Map() });
  const back = restorePrevious();
  setStatus('cancelled', undefined, back ? `Cancelled: ${state.report.file.name} is shown again.` : undefined);
  warmWorker();
}

async function loadSample() {
  setStatus('reading');
  try {
    const r = await fetch(SAMPLE.url);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const blob = await r.blob();
    await analyze(new File([blob], SAMPLE.name, { type: 'application/octet-stream' }));
  } catch (e) {
    if (!state.report) show('landing');
    setStatus('error', `could not load the sample dump (${SAMPLE.url}): ${e.message}`);
  }
}

/** The view the URL names, its arguments, and the key its element is kept under. */
function route() {
  const raw = location.hash.slice(1);
  const q = raw.indexOf('?');
  const id = decodeURIComponent(q < 0 ? raw : raw.slice(0, q));
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const view = VIEWS.find((v) => v.id === id && available(v));
  if (!view) return { view: VIEWS[0], params: new URLSearchParams(), key: VIEWS[0].id };
  const args = params.toString();
  return { view, params, key: view.params && args ? `${view.id}?${args}` : view.id };
}

const available = (v) => (!v.full || Boolean(state.report?.analysis.full)) && (!v.needs || Boolean(state.report && v.needs(state.report)));

function showReport() {
  const r = state.report;
  if (!VIEWS.some((v) => `#${v.id}` === location.hash)) history.replaceState(null, '', `#${VIEWS[0].id}`);
  replace(ui.tabs, VIEWS.filter(available).map((v) => h('a', { href: `#${v.id}`, text: v.title, data: { view: v.id } })));
  replace(ui.fileInfo,
    h('span', { class: 'file-name', text: r.file.name, title: r.file.name }),
    h('span', { class: 'muted', text: ` · ${fmt.bytes(r.file.size)} · ${fmt.duration(r.analysis.millis)}` }));
  // Above every view: the full analysis refused, the dump damaged (figures are then lower
  // bounds: what was read before the damage).
  const damaged = r.summary?.damaged;
  const rootsAssumed = r.summary?.diagnostics?.some((d) => d.key === 'gc_roots_assumed');
  const notes = [];
  if (damaged) {
    notes.push(h('p', {},
      h('strong', { text: 'Damaged dump: ' }),
      h('span', {
        data: { testid: 'damaged' },
        text: `${damaged.error}. What comes before that record was analysed; objects after it are missing, `
          + 'so every count and size is a lower bound'
          + `${damaged.missing_class_dumps ? `, and ${fmt.count(damaged.missing_class_dumps)} classes have no class record` : ''}.`
          + (rootsAssumed ? ' No GC root records were read: every class and every object nothing refers to is taken as a root.' : ''),
      })));
  }
  if (r.analysis.refused) {
    notes.push(h('p', {},
      h('strong', { text: 'Histogram only: ' }),
      h('span', { data: { testid: 'refused' }, text: r.analysis.refused })));
  }
  if (classList.report !== r) {
    fillClassList(classList, classNames(r));
    classList.report = r;
  }
  ui.notice.hidden = notes.length === 0;
  replace(ui.notice, ...notes);
  show('report');
  renderView();
}

/** Queries a view makes itself; they go to the current file's worker. */
function loaders() {
  const ask = (query) => {
    if (!state.client) return Promise.reject(new Error('the analysis worker is gone: open the file again'));
    // Parameters left undefined take the module's defaults.
    return state.client.request(Request.QUERY, Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
  };
  return {
    children: (parent, limit) => ask({ kind: Query.DOMINATOR_CHILDREN, limit, ...(parent ? { parent } : {}) }),
    instances: (name, limit) => ask({ kind: Query.INSTANCES, class: name, limit }),
    paths: ({ object, class: cls, includeWeak }) => ask({ kind: Query.PATHS, include_weak: includeWeak === true, ...(object ? { object } : { class: cls }) }),
    inspect: (object, page = {}) => ask({ kind: Query.INSPECT, object, offset: page.offset, referrers_offset: page.referrersOffset, max_items: page.limit }),
    collections: (top) => ask({ kind: Query.COLLECTIONS, top }),
    classInfo: (name) => ask({ kind: Query.CLASS, name }),
    retainedSet: ({ object, class: cls, top }) => ask({ kind: Query.RETAINED_SET, top, ...(object ? { object } : { class: cls }) }),
    immediateDominators: ({ object, class: cls, skip, top }) => ask({ kind: Query.IMMEDIATE_DOMINATORS, skip, top, ...(object ? { object } : { class: cls }) }),
    dominatorGroup: ({ parent, path, limit, groupLimit }) => ask({ kind: Query.DOMINATOR_GROUP, parent, path, limit, group_limit: groupLimit }),
    groupedHistogram: (groupBy) => ask({ kind: Query.GROUPED_HISTOGRAM, group_by: groupBy, by_retained: Boolean(state.report?.analysis.full) }),
    duplicateStrings: ({ minCount, top }) => ask({ kind: Query.DUPLICATE_STRINGS, min_count: minCount, top }),
    classLoaders: () => ask({ kind: Query.CLASS_LOADERS }),
    secrets: () => ask({ kind: Query.SECRETS }),
  };
}

// Where each history entry was scrolled when it was left: Back and Forward to a view whose
// element is kept show it where it was; a view reached by a link starts at the top. Each
// entry gets an ID in its history state (this page load's own, so a reload starts afresh).
const scrolls = new Map(); // entry ID → {key, main, boxes: [element, scrollTop][]}
const entryPrefix = `${performance.timeOrigin}:`;
let entryCount = 0;
let shownEntry = null; // {entry, key, el} of the view on screen
const main = document.querySelector('main');

function historyEntry() {
  const id = history.state?.heapscopeEntry;
  if (typeof id === 'string' && id.startsWith(entryPrefix)) return id;
  const fresh = `${entryPrefix}${++entryCount}`;
  history.replaceState({ ...history.state, heapscopeEntry: fresh }, '');
  return fresh;
}

/** Records where the view on screen is scrolled to (the page, and boxes scrolled inside it). */
function saveScroll() {
  const s = shownEntry;
  if (!s || !s.el.isConnected) return;
  const boxes = [...s.el.querySelectorAll('*')].filter((e) => e.scrollTop > 0).map((e) => [e, e.scrollTop]);
  scrolls.set(s.entry, { key: s.key, main: main.scrollTop, boxes });
}

function restoreScroll(entry, key, el, wasKept) {
  const saved = wasKept ? scrolls.get(entry) : null;
  if (saved && saved.key === key) {
    for (const [e, top] of saved.boxes) e.scrollTop = top;
    main.scrollTop = saved.main;
  } else {
    ui.view.scrollTop = 0;
    main.scrollTop = 0;
  }
  shownEntry = { entry, key, el };
}

function renderView() {
  if (!state.report) return;
  const { view, params, key } = route();
  // `#paths?class=HashMap`: java.util.HashMap when it is the only one; the choices when not.
  const [param, what] = CLASS_PARAMS[view.id] ?? [];
  const asked = param && params.get(param);
  const resolved = asked ? resolveClass(classNames(state.report), asked) : {};
  if (resolved.name && resolved.name !== asked) {
    params.set(param, resolved.name);
    history.replaceState(history.state, '', `#${view.id}?${params}`);
    renderView();
    return;
  }
  if (!resolved.choices) state.lastKey.set(view.id, key);
  for (const a of ui.tabs.querySelectorAll('a')) {
    const last = state.lastKey.get(a.dataset.view);
    a.href = `#${last ?? a.dataset.view}`;
    if (a.dataset.view === view.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (resolved.choices) {
    saveScroll();
    shownEntry = null;
    const hrefOf = (n) => {
      const q = new URLSearchParams(params);
      q.set(param, n);
      return `#${view.id}?${q}`;
    };
    replace(ui.view, classChoices(asked, resolved.choices, hrefOf, what));
    main.scrollTop = 0;
    return;
  }
  saveScroll();
  const entry = historyEntry();
  let el = state.views.get(key);
  const wasKept = Boolean(el);
  if (!el) {
    el = view.create({ report: state.report, params, load: loaders(), onExport: exportTable });
    state.views.set(key, el);
    const kept = [...state.views.keys()].filter((k) => k.includes('?'));
    if (kept.length > KEPT_PARAM_VIEWS) state.views.delete(kept[0]);
  }
  replace(ui.view, el);
  restoreScroll(entry, key, el, wasKept);
  const arg = params.get('object') ?? params.get('class') ?? params.get('name');
  document.title = `${view.title}${arg ? ` ${arg}` : ''} · ${state.report.file.name} · Heapscope`;
}

function exportTable(name, columns, rows) {
  download(exportName(state.report.file.name, name, 'csv'), toCsv(columns, rows), 'text/csv');
}

function exportReport() {
  const r = state.report;
  if (r) download(exportName(r.file.name, 'report', 'json'), JSON.stringify(r, null, 2), 'application/json');
}

/**
 * Saves the shareable report: the worker writes the HTML (the same bytes as `heapscope
 * report`, from the same query) and it is downloaded as `<dump name>.report.html`.
 */
async function saveReport() {
  const r = state.report;
  const client = state.client;
  if (!r || !client) return;
  ui.saveReport.disabled = true;
  const label = ui.saveReport.textContent;
  ui.saveReport.textContent = 'Writing the report…';
  try {
    const html = await client.request(Request.QUERY, {
      kind: Query.HTML_REPORT, include_values: ui.saveReportValues.checked, file_name: r.file.name,
    });
    download(`${r.file.name}.report.html`, html, 'text/html');
  } catch (e) {
    if (!e.cancelled) {
      ui.notice.hidden = false;
      ui.notice.append(h('p', {}, h('strong', { text: 'The report could not be written: ' }), h('span', { data: { testid: 'save-report-error' }, text: e.message })));
    }
  } finally {
    ui.saveReport.disabled = false;
    ui.saveReport.textContent = label;
  }
}

// The redacted copy: made by the worker slice by slice, written here as it comes, to the
// file the user chose (File System Access API) or, where the browser has no such API,
// into a Blob downloaded at the end (held in memory: BLOB_LIMIT).
const BLOB_LIMIT = 2 * 1024 ** 3;
let redacting = false;
/** The names map of the last copy made with "Replace names": {name, bytes}, or null. */
let namesMap = null;
/** An earlier copy's map chosen with "with a map…": {name, text}, or null. */
let previousMap = null;

/** The redacted copy's status line: `idle`, `working`, `saved`, `error` (tests read it). */
function redactStatus(kind, text) {
  ui.redactStatus.dataset.state = kind;
  ui.redactStatus.textContent = text;
}

async function saveRedacted() {
  const client = state.client;
  const r = state.report;
  if (!client || !r || redacting) return;
  const level = ui.redactLevel.value;
  const names = ui.redactNames.checked;
  const gz = /\.gz$/i.test(r.file.name);
  const name = exportName(r.file.name, level === 'full' ? 'redacted-full' : 'redacted', gz ? 'hprof.gz' : 'hprof');
  let writable = null;
  const parts = [];
  if (typeof window.showSaveFilePicker === 'function') {
    try {
      const handle = await window.showSaveFilePicker({ suggestedName: name });
      writable = await handle.createWritable();
    } catch (e) {
      if (e.name !== 'AbortError') redactStatus('error', `The copy could not be saved: ${e.message}`);
      return;
    }
  } else if (r.file.size > BLOB_LIMIT) {
    redactStatus('error', `This browser cannot write files: the copy would be held in memory, and above ${fmt.bytes(BLOB_LIMIT)} that fails. Use Chrome or Edge, or the command line: heapscope redact FILE OUT.`);
    return;
  }
  redacting = true;
  ui.redactSave.disabled = true;
  namesMap = null;
  ui.redactMapSave.hidden = true;
  redactStatus('working', 'Redacting…');
  try {
    const given = names && previousMap ? { map: previousMap.text, mapName: previousMap.name } : {};
    await client.request(Request.REDACT, { level, names, ...given });
    let map = null;
    for (;;) {
      const piece = await client.request(Request.REDACT_NEXT);
      if (piece.bytes && piece.bytes.length > 0) {
        if (writable) await writable.write(piece.bytes);
        else parts.push(piece.bytes);
      }
      if (piece.done) {
        map = piece.map ?? null;
        break;
      }
    }
    if (writable) await writable.close();
    else downloadBlob(name, new Blob(parts, { type: 'application/octet-stream' }));
    if (names && map) {
      namesMap = { name: `${name}.names.json`, bytes: map };
      ui.redactMapSave.hidden = false;
      redactStatus('saved', `Saved the redacted copy (${level}, names replaced) as ${name}. Save the name map too, and keep it private: it holds the real names.`);
    } else {
      redactStatus('saved', `Saved the redacted copy (${level}) as ${name}.`);
    }
  } catch (e) {
    if (writable) await writable.abort().catch(() => {});
    redactStatus('error', `No redacted copy: ${e.message}`);
  } finally {
    redacting = false;
    ui.redactSave.disabled = false;
  }
}

/** "Save the name map": the last copy's map, to a file the user chooses or downloaded. */
async function saveNamesMap() {
  const m = namesMap;
  if (!m) return;
  if (typeof window.showSaveFilePicker === 'function') {
    try {
      const handle = await window.showSaveFilePicker({ suggestedName: m.name });
      const w = await handle.createWritable();
      await w.write(m.bytes);
      await w.close();
    } catch (e) {
      if (e.name !== 'AbortError') redactStatus('error', `The name map could not be saved: ${e.message}`);
      return;
    }
  } else {
    downloadBlob(m.name, new Blob([m.bytes], { type: 'application/json' }));
  }
  redactStatus('saved', `Saved the name map as ${m.name}: keep it private.`);
}

// Wiring.
window.addEventListener('hashchange', renderView);
installKeys(ui.view);
ui.input.addEventListener('change', () => {
  const files = [...ui.input.files];
  ui.input.value = ''; // choosing the same file again is a new analysis
  // Several files at once: compared.
  if (files.length > 1) compareFiles(files);
  else if (files[0]) analyze(files[0]);
});
ui.compareWith.addEventListener('click', () => ui.compareInput.click());
ui.compareInput.addEventListener('change', () => {
  const files = [...ui.compareInput.files];
  ui.compareInput.value = '';
  if (files.length) compareWith(files);
});
$('#sample').addEventListener('click', loadSample);
ui.exportJson.addEventListener('click', exportReport);
ui.saveReport.addEventListener('click', saveReport);
ui.redactSave.addEventListener('click', saveRedacted);
ui.redactMapSave.addEventListener('click', saveNamesMap);
ui.redactMapPick.addEventListener('click', () => ui.redactMapInput.click());
ui.redactMapInput.addEventListener('change', async () => {
  const f = ui.redactMapInput.files[0];
  ui.redactMapInput.value = '';
  if (!f) return;
  previousMap = { name: f.name, text: await f.text() };
  ui.redactNames.checked = true;
  ui.redactMapPick.textContent = `with ${f.name}`;
  redactStatus('idle', `The copy will use the placeholders of ${f.name}.`);
});

let dragDepth = 0;
const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
document.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth += 1;
  ui.dropOverlay.hidden = false;
});
document.addEventListener('dragover', (e) => {
  if (hasFiles(e)) e.preventDefault();
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) ui.dropOverlay.hidden = true;
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  ui.dropOverlay.hidden = true;
  const files = [...(e.dataTransfer?.files ?? [])];
  // Several dumps dropped at once are compared; one is analysed.
  if (files.length > 1) compareFiles(files);
  else if (files[0]) analyze(files[0]);
});

show('landing');
setStatus('idle');
warmWorker();
