// The controller: takes a file (drop, picker, sample), runs it through a worker, keeps the
// report and shows one view at a time (the URL hash names it, so Back works). Rendering
// is in views/; the worker protocol in protocol.js and client.js.
//
// Privacy: the file is read by the worker in this tab. Nothing from it is logged, stored
// (no localStorage, no IndexedDB) or sent; exports are generated here as Blob downloads.

import { Request } from './protocol.js';
import { WorkerClient } from './client.js';
import { h, replace } from './views/dom.js';
import * as fmt from './views/format.js';
import { toCsv, download, exportName } from './export.js';
import { ProgressView } from './views/progress.js';
import { overviewView } from './views/overview.js';
import { HistogramView } from './views/histogram.js';

/**
 * The views. `queries` are fetched when an analysis completes; their results make up the
 * report (and its JSON export). `objects`: the view needs the per-object index (references,
 * dominators, paths); without such a view the session stops after the histogram pass, as
 * the CLI's `summary` and `histogram` do. A new analysis adds a request type in
 * protocol.js, its handler in worker.js, and an entry here.
 */
const VIEWS = [
  { id: 'overview', title: 'Overview', queries: [Request.SUMMARY], objects: false, create: (report, ctx) => overviewView({ report, ...ctx }) },
  { id: 'histogram', title: 'Histogram', queries: [Request.HISTOGRAM], objects: false, create: (report, ctx) => new HistogramView({ histogram: report.histogram, ...ctx }).el },
];
const QUERIES = [...new Set(VIEWS.flatMap((v) => v.queries))];
const SESSION_OPTIONS = { histogramOnly: !VIEWS.some((v) => v.objects) };

const SAMPLE = { url: 'samples/timer_finalizer.hprof', name: 'timer_finalizer.hprof' };

const $ = (sel) => document.querySelector(sel);
const ui = {
  input: $('#file-input'),
  status: $('[data-testid=status]'),
  landing: $('#landing'),
  busy: $('#busy'),
  report: $('#report'),
  tabs: $('#tabs'),
  view: $('#view'),
  fileInfo: $('#file-info'),
  exportJson: $('#export-json'),
  dropOverlay: $('#drop-overlay'),
};

const state = {
  client: null, // the worker of the current file
  spare: null, // a worker compiled in advance for the next file
  report: null,
  views: new Map(), // view id → element, built on first show
};

const progress = new ProgressView({ onCancel: cancel });
ui.busy.append(progress.el);

/** The status line: `idle`, `reading`, `ready`, `cancelled`, or `error: …` (tests read it). */
function setStatus(kind, message) {
  ui.status.dataset.state = kind;
  ui.status.textContent = kind === 'error' ? `error: ${message}` : kind;
  ui.status.hidden = kind !== 'error' && kind !== 'cancelled'; // the rest shows elsewhere
}

function show(part) {
  ui.landing.hidden = part !== 'landing';
  ui.busy.hidden = part !== 'busy';
  ui.report.hidden = part !== 'report';
  ui.tabs.hidden = part !== 'report';
  ui.exportJson.hidden = part !== 'report';
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

/** Analyses `file` in a fresh worker; the previous file's worker is dropped. */
async function analyze(file) {
  state.client?.terminate();
  const client = takeWorker();
  state.client = client;
  state.report = null;
  state.views.clear();
  progress.start(file.name, file.size);
  show('busy');
  setStatus('reading');
  client.onProgress = (p) => {
    if (state.client === client) progress.update(p);
  };
  client.onFatal = (message) => {
    // During the analysis the request below fails too; after it, the report stays.
    if (state.client !== client || !state.report) return;
    state.client = null;
    setStatus('error', `the analysis worker stopped: ${message}`);
    warmWorker();
  };
  try {
    const { version } = await client.ready;
    const opened = await client.request(Request.OPEN, { file, options: SESSION_OPTIONS });
    const report = {
      heapscope: version,
      file: { name: file.name, size: file.size },
      analysis: { passes: opened.passes, millis: Math.round(opened.millis) },
    };
    for (const q of QUERIES) report[q] = await client.request(q);
    if (state.client !== client) return;
    state.report = report;
    showReport();
    setStatus('ready');
  } catch (e) {
    if (state.client !== client || e.cancelled) return;
    client.terminate(); // one worker per file; a crashed one is already gone
    state.client = null;
    show('landing');
    setStatus('error', e.fatal ? `the analysis stopped: ${e.message}. The page has a new worker; drop a file to try again.` : e.message);
  } finally {
    if (state.client === client || state.client === null) warmWorker();
  }
}

function cancel() {
  if (!state.client) return;
  state.client.terminate();
  state.client = null;
  state.report = null;
  show('landing');
  setStatus('cancelled');
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
    show('landing');
    setStatus('error', `could not load the sample dump (${SAMPLE.url}): ${e.message}`);
  }
}

function viewFromHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0];
}

function showReport() {
  const r = state.report;
  if (!VIEWS.some((v) => `#${v.id}` === location.hash)) history.replaceState(null, '', `#${VIEWS[0].id}`);
  replace(ui.fileInfo,
    h('span', { class: 'file-name', text: r.file.name, title: r.file.name }),
    h('span', { class: 'muted', text: ` · ${fmt.bytes(r.file.size)} · ${fmt.duration(r.analysis.millis)}` }));
  show('report');
  renderView();
}

function renderView() {
  if (!state.report) return;
  const view = viewFromHash();
  for (const a of ui.tabs.querySelectorAll('a')) {
    if (a.dataset.view === view.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!state.views.has(view.id)) state.views.set(view.id, view.create(state.report, { onExport: exportTable }));
  replace(ui.view, state.views.get(view.id));
  document.title = `${view.title} · ${state.report.file.name} · Heapscope`;
}

function exportTable(name, columns, rows) {
  download(exportName(state.report.file.name, name, 'csv'), toCsv(columns, rows), 'text/csv');
}

function exportReport() {
  const r = state.report;
  if (r) download(exportName(r.file.name, 'report', 'json'), JSON.stringify(r, null, 2), 'application/json');
}

// Wiring.
replace(ui.tabs, VIEWS.map((v) => h('a', { href: `#${v.id}`, text: v.title, data: { view: v.id } })));
window.addEventListener('hashchange', renderView);
ui.input.addEventListener('change', () => {
  const f = ui.input.files[0];
  ui.input.value = ''; // choosing the same file again is a new analysis
  if (f) analyze(f);
});
$('#sample').addEventListener('click', loadSample);
ui.exportJson.addEventListener('click', exportReport);

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
  const f = e.dataTransfer?.files[0];
  if (f) analyze(f);
});

show('landing');
setStatus('idle');
warmWorker();
