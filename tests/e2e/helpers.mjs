// What the browser end-to-end tests (tests/e2e/*.test.mjs) share: paths, the native CLI
// and the JVM's histograms they are checked against, driving the page, and `e2eFile()`,
// which gives each test file one static server and one Chromium, and each test pages of
// its own whose every request, console message, error, worker, CSP violation and stored
// item is checked after the test (see `e2eFile`).

import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chooseFileTimed, launchChromium, openApp, serve } from './server.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webRoot = path.join(repo, 'web');
export const fixtures = path.join(repo, 'tests/fixtures');
export const corpus = path.join(repo, '../shared/corpus');
export const artifacts = path.join(repo, 'tests/e2e/artifacts');
export const cliPath = path.join(repo, 'target/release/heapscope');
export const TIMEOUT = 120_000;
export const STATUS = '[data-testid=status]';
/** The site's workers: the analysis (worker.js) and the file reader it starts (reader.js). */
export const SITE_WORKERS = ['/worker.js', '/reader.js'];

export const timerDump = path.join(fixtures, 'timer_finalizer.hprof');
export const staticMapDump = path.join(fixtures, 'static_map_finalizer.hprof');

/** A fixture's facts (`tests/fixtures/<name>.facts.json`): what the scenario built. */
export const facts = (name) => JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.facts.json`), 'utf8'));

// ---------------------------------------------------------------- one server and one browser per file

/** Every file of web/ as a URL path: the only things the page may request. */
export function staticFiles(dir = webRoot, prefix = '/') {
  const out = new Set(prefix === '/' ? ['/'] : []);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) for (const f of staticFiles(path.join(dir, e.name), `${prefix}${e.name}/`)) out.add(f);
    else out.add(`${prefix}${e.name}`);
  }
  return out;
}

/** What a page must not keep or have blocked: storage of any kind, CSP violations. */
async function storedBy(page) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the page did not answer within 30 s (storage and CSP not checked)')), 30_000);
  });
  return Promise.race([timeout, page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    csp: window.__csp,
  }))]).finally(() => clearTimeout(timer));
}

/**
 * Registers the hooks of a test file and returns its environment:
 *
 * - `before`: checks that web/ is built, builds the CLI (`cargo build --release`), creates
 *   tests/e2e/artifacts and a temporary directory (`env.tmp`), starts the static server
 *   (`env.origin`, `env.served`: every path asked for) and Chromium (`env.browser`).
 * - `env.newPage(query, { browser })` opens the app in a new browser context (its own
 *   storage and cache) and records everything the page does; `env.launch(args)` starts
 *   another Chromium for the current test; `env.close(page)` checks a page and closes it.
 * - `afterEach`: checks and closes every page the test opened (and the browsers it
 *   launched): each request went to the site itself for one of its static files (blob:
 *   URLs of the site's own exports aside), every worker is the site's worker.js (or the
 *   reader.js it starts to read the file), nothing
 *   was logged (console, uncaught errors), nothing stored (local/session storage,
 *   IndexedDB, caches), no CSP violation; the server was asked only for static files.
 *   A test that breaks any of this fails.
 * - `after`: closes the browser and the server, removes the temporary directory, and
 *   checks the server's whole list once more.
 */
export function e2eFile() {
  const env = { tmp: null, origin: null, served: null, browser: null };
  let files; // staticFiles(), once web/ is known to be built
  let server;
  let opened = []; // { page, log, stored } of the current test
  let launched = []; // browsers of the current test
  let servedFrom = 0; // env.served's length when the current test started

  before(async () => {
    for (const f of ['index.html', 'pkg/heapscope.js', 'pkg/heapscope_bg.wasm', 'pkg64/heapscope_bg.wasm', 'samples/timer_finalizer.hprof']) {
      if (!fs.existsSync(path.join(webRoot, f))) throw new Error(`web/${f} is missing: run .ci/build-web first`);
    }
    files = staticFiles();
    execSync('cargo build --release --quiet --bin heapscope', { cwd: repo, stdio: 'inherit' });
    fs.mkdirSync(artifacts, { recursive: true });
    env.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-e2e-'));
    ({ server, served: env.served, origin: env.origin } = await serve(webRoot));
    env.browser = await launchChromium();
  });

  after(async () => {
    await env.browser?.close();
    server?.close();
    if (env.tmp) fs.rmSync(env.tmp, { recursive: true, force: true });
    // Between tests too: the server was only ever asked for static files.
    if (env.served) assert.deepEqual(env.served.filter((p) => !files.has(p)), [], 'the server was asked for something other than a static file');
  });

  beforeEach(() => {
    servedFrom = env.served.length;
  });

  env.newPage = async (query = '', { browser = env.browser } = {}) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await context.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    const log = { console: [], errors: [], requests: [], workers: [] };
    page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.errors.push(e.message));
    page.on('request', (r) => log.requests.push(r.url()));
    page.on('worker', (w) => log.workers.push(w.url()));
    opened.push({ page, log, stored: null });
    await openApp(page, `${env.origin}/${query}`);
    return page;
  };

  /** What a page of the current test did so far (requests, workers, console, errors). */
  env.log = (page) => opened.find((o) => o.page === page).log;

  env.close = async (page) => {
    const o = opened.find((x) => x.page === page);
    if (o.stored === null) o.stored = await storedBy(page);
    await page.context().close();
  };

  env.launch = async (args) => {
    const b = await launchChromium(args);
    launched.push(b);
    return b;
  };

  afterEach(async () => {
    const pages = opened;
    const browsers = launched;
    opened = [];
    launched = [];
    try {
      for (const o of pages) {
        if (o.page.isClosed()) continue;
        if (o.stored === null) o.stored = await storedBy(o.page);
        await o.page.context().close();
      }
    } finally {
      for (const b of browsers) await b.close();
    }
    const origin = env.origin;
    for (const [i, { log, stored }] of pages.entries()) {
      const what = `page ${i + 1} of the test`;
      const bad = log.requests.filter((u) => {
        const url = new URL(u);
        if (url.protocol === 'blob:') return new URL(url.pathname).origin !== origin; // local exports
        return url.origin !== origin || !files.has(url.pathname);
      });
      assert.deepEqual(bad, [], `${what}: requests other than the site's static files`);
      assert.deepEqual(log.workers.filter((w) => !SITE_WORKERS.includes(new URL(w).pathname) || new URL(w).origin !== origin), [], `${what}: workers other than the site's worker.js and reader.js`);
      assert.deepEqual(log.console, [], `${what}: console output`);
      assert.deepEqual(log.errors, [], `${what}: uncaught errors`);
      assert.notEqual(stored, null, `${what} was closed without env.close(page): its storage and CSP violations went unchecked`);
      assert.deepEqual(stored, { local: 0, session: 0, indexedDB: 0, caches: 0, csp: [] }, `${what}: stored or blocked`);
    }
    assert.deepEqual(env.served.slice(servedFrom).filter((p) => !files.has(p)), [], 'the server was asked for something other than a static file');
  });

  return env;
}

// ---------------------------------------------------------------- the CLI and the JVM's truth

/** A count as the page writes it (views/format.js `count`): `2 150`, with a no-break space. */
export const count = (n) => n.toLocaleString('en-US').replace(/,/g, '\u00a0');

export function cli(...args) {
  return execFileSync(cliPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}
export const cliJson = (cmd, file, ...more) => JSON.parse(cli(cmd, file, '--json', '--quiet', ...more));

/** Histogram rows with retained sizes, as comparable strings (several classes may share a name). */
export const retainedRows = (classes) => classes.map((r) => `${r.name}\t${r.instances}\t${r.shallow_bytes}\t${r.retained_bytes}`).sort();

/** The CLI's paths tree without the fields a page node does not show as data. */
export const pathRoots = (t) => t.roots.map((n) => ({ object: n.object, class: n.class, targets: n.targets }));

export const stripRows = (h) => h.classes.map(({ name, instances, shallow_bytes }) => ({ name, instances, shallow_bytes }));

/** JVM class names (`[Ljava.lang.String;`) in Java form, as tests/common/mod.rs. */
function jvmName(n) {
  const dims = n.length - n.replace(/^\[+/, '').length;
  if (dims === 0) return n;
  const e = n.slice(dims);
  const prim = { Z: 'boolean', C: 'char', F: 'float', D: 'double', B: 'byte', S: 'short', I: 'int', J: 'long' };
  const base = prim[e] ?? e.replace(/^L/, '').replace(/;$/, '');
  return base + '[]'.repeat(dims);
}

/** A `GC.class_histogram` table: name → [instances, bytes] (several loaders summed). */
export function jvmHistogram(file) {
  const out = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0]?.endsWith(':')) parts.shift();
    if (parts.length < 3 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1]) || parts[2].startsWith('<')) continue;
    const name = jvmName(parts[2]);
    const [c, b] = out.get(name) ?? [0, 0];
    out.set(name, [c + Number(parts[0]), b + Number(parts[1])]);
  }
  return out;
}

/**
 * The page's summary against the CLI's `summary --json`: equal, except that the page ran
 * the full analysis, whose later passes may add diagnostics (dangling references …) to
 * those of pass 1.
 */
export function assertSummary(page, cliSummary, what) {
  assert.deepEqual({ ...page, diagnostics: [] }, { ...cliSummary, diagnostics: [] }, `${what}: summary, page vs CLI`);
  for (const d of cliSummary.diagnostics) assert.deepEqual(page.diagnostics.find((x) => x.key === d.key), d, `${what}: diagnostic ${d.key}`);
}

/** Our rows by name (several classes of one name summed). */
export function byName(rows) {
  const m = new Map();
  for (const r of rows) {
    const [c, b] = m.get(r.name) ?? [0, 0];
    m.set(r.name, [c + r.instances, b + r.shallow_bytes]);
  }
  return m;
}

/**
 * Compares as the Rust tests (and Eclipse MAT's) do: an instance class must have the JVM's
 * per-instance size; an array class whose count agrees must have the JVM's total bytes.
 * `java.lang.Class` is left out (see the README).
 */
export function compareWithJvm(ours, jvm) {
  const c = { instanceExact: 0, arrayExact: 0, arrayCountDiffers: 0, missing: 0, mismatches: [] };
  for (const [name, [jc, jb]] of jvm) {
    if (name === 'java.lang.Class' || jc === 0) continue;
    const o = ours.get(name);
    if (!o) {
      c.missing += 1;
      continue;
    }
    const [oc, ob] = o;
    if (name.endsWith('[]')) {
      if (jc !== oc) c.arrayCountDiffers += 1;
      else if (jb === ob) c.arrayExact += 1;
      else c.mismatches.push(`${name}: jvm ${jc} × ${jb} B, ours ${oc} × ${ob} B`);
    } else if (jb * oc === ob * jc) c.instanceExact += 1;
    else c.mismatches.push(`${name}: jvm ${jb / jc} B/instance, ours ${ob / oc}`);
  }
  return c;
}

/** One class checked against the JVM the same way; returns whether it could be compared. */
export function checkClassAgainstJvm(name, [oc, ob], jvm) {
  const j = jvm.get(name);
  if (!j) return false;
  const [jc, jb] = j;
  if (name.endsWith('[]')) {
    if (jc !== oc) return false;
    assert.equal(ob, jb, `${name}: total bytes, page vs JVM`);
  } else {
    assert.equal(ob * jc, jb * oc, `${name}: bytes per instance, page ${ob}/${oc} vs JVM ${jb}/${jc}`);
  }
  return true;
}

/**
 * The page's report of `file` (the full analysis) against the CLI's `--json`: summary,
 * histogram, retained sizes per class, Finalizers, suspects, threads, references, and the
 * dominator tree's top rows as the page shows them.
 */
export async function assertFullReport(page, report, file) {
  assertSummary(report.summary, cliJson('summary', file), file);
  assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', file)), 'histogram: page vs CLI');
  assert.deepEqual(retainedRows(report.histogram.classes), retainedRows(cliJson('histogram', file, '--retained').classes), 'retained: page vs CLI');
  assert.deepEqual(report.finalizers, cliJson('finalizers', file), 'finalizers: page vs CLI');
  assert.deepEqual(report.suspects, cliJson('suspects', file), 'suspects: page vs CLI');
  assert.deepEqual(report.threads, cliJson('threads', file), 'threads: page vs CLI');
  assert.deepEqual(report.references, cliJson('references', file), 'references: page vs CLI');
  const dom = cliJson('dominators', file, '--top', '5', '--depth', '1');
  await showView(page, 'dominators');
  assert.deepEqual((await domRows(page, 0)).slice(0, 5), domFields(dom.roots), 'dominator tree: top rows vs CLI');
}

/** An object re-read from the file (random access, through gzip too): the inspector's fields vs `inspect`. */
export async function assertInspectsTopObject(page, file) {
  const obj = cliJson('dominators', file, '--top', '1', '--depth', '1').roots[0].object;
  const view = cliJson('inspect', file, obj);
  await openHash(page, `#inspect?object=${obj}`);
  const table = view.kind === 'class' ? 'inspector-statics' : 'inspector-fields';
  assert.deepEqual(await inspectorFields(page, table), cliFields(view.kind === 'class' ? view.statics : view.fields), `${obj}: fields`);
  return { obj, view };
}

// ---------------------------------------------------------------- files the tests write

/**
 * timer_finalizer.hprof with two 6 MiB records of an unknown tag after the header (which
 * readers skip by their length): 18 MB, so the page's second 16 MiB File.slice starts in
 * the middle of the heap-dump records.
 */
export function writePadded(dir) {
  const src = fs.readFileSync(timerDump);
  const header = src.indexOf(0) + 1 + 4 + 8;
  const pad = Buffer.alloc(9 + (6 << 20));
  pad[0] = 0x42;
  pad.writeUInt32BE(6 << 20, 5);
  const file = path.join(dir, 'padded_timer_finalizer.hprof');
  fs.writeFileSync(file, Buffer.concat([src.subarray(0, header), pad, pad, src.subarray(header)]));
  return file;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---------------------------------------------------------------- driving the page

/** Waits until the status is final: `ready`, `cancelled` or `error…`. */
export async function finalStatus(page) {
  const h = await page.waitForFunction((sel) => {
    const t = document.querySelector(sel).textContent;
    return (t === 'ready' || t === 'cancelled' || t.startsWith('error')) && t;
  }, STATUS, { timeout: TIMEOUT });
  return h.jsonValue();
}

/**
 * Chooses `file` in `#file-input` as a person would; returns the final status and the
 * time from the input's change event to that status (measured in the page).
 */
export async function drop(page, file) {
  const { status, ms } = await chooseFileTimed(page, file, { timeout: TIMEOUT });
  return { status, ms };
}

export async function dropReady(page, file) {
  const r = await drop(page, file);
  assert.equal(r.status, 'ready', `${path.basename(file)}: status`);
  return r;
}

export const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

export async function showView(page, id) {
  await page.click(`#tabs a[data-view="${id}"]`);
  await page.waitForFunction((v) => location.hash === `#${v}`, id);
  await frames(page);
}

/** Goes to a view by its URL hash (as a link would) and waits until it has loaded. */
export async function openHash(page, hash) {
  await page.evaluate((hh) => { location.hash = hh; }, hash);
  return viewLoaded(page, hash);
}

/** Waits until the view the URL names is shown and done loading; fails on its error. */
export async function viewLoaded(page, hash) {
  await page.waitForFunction((hh) => {
    const v = document.querySelector('#view > *');
    return location.hash === hh && v && v.dataset.state !== 'loading' && !v.querySelector('[data-state=loading]');
  }, hash, { timeout: TIMEOUT });
  const err = await page.$eval('#view', (v) => v.querySelector('[data-testid=view-error]')?.textContent ?? null);
  assert.equal(err, null, `${hash}: the view shows an error`);
  await frames(page);
}

/** The dominator tree's rows at `depth` as the page shows them (exact values). */
export function domRows(page, depth) {
  return page.$$eval(`[data-testid=dominator-tree] tbody tr[data-depth="${depth}"]`, (trs) => trs.map((tr) => ({
    object: tr.dataset.object,
    class: tr.querySelector('[data-col=class]').dataset.value,
    shallow_bytes: Number(tr.querySelector('[data-col=shallow]').dataset.value),
    retained_bytes: Number(tr.querySelector('[data-col=retained]').dataset.value),
  })));
}
export const domFields = (nodes) => nodes.map(({ object, class: c, shallow_bytes, retained_bytes }) => ({ object, class: c, shallow_bytes, retained_bytes }));

/** The inspector's fields as the page shows them: name → value text. */
export function inspectorFields(page, table = 'inspector-fields') {
  return page.$$eval(`[data-testid=${table}] tbody tr`, (trs) => trs.map((tr) => [tr.dataset.name, tr.querySelector('[data-col=value] a.obj')?.dataset.object ?? tr.querySelector('[data-col=value]').textContent]));
}
export const cliFields = (fields) => fields.map((f) => [f.name, f.value]);

/** Brings a class's rows into the DOM with the filter box; sums rows of that exact name. */
export async function classRow(page, name) {
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', name);
  await frames(page);
  const sel = `[data-testid=histogram] [data-class="${name.replace(/["\\]/g, '\\$&')}"]`;
  const rows = await page.$$eval(sel, (rs) => rs.map((r) => ({
    instances: Number(r.querySelector('[data-col=instances]').dataset.value),
    shallow: Number(r.querySelector('[data-col=shallow]').dataset.value),
  })));
  await page.fill('[data-testid=histogram-filter]', '');
  await frames(page);
  if (rows.length === 0) return null;
  return rows.reduce(([c, b], r) => [c + r.instances, b + r.shallow], [0, 0]);
}

/** The histogram's retained cell(s) of a class, summed (exact bytes from data-value). */
export async function retainedCell(page, name) {
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', name);
  await frames(page);
  const sel = `[data-testid=histogram] [data-class="${name.replace(/["\\]/g, '\\$&')}"] [data-col=retained]`;
  const v = await page.$$eval(sel, (cs) => cs.reduce((n, c) => n + Number(c.dataset.value), 0));
  await page.fill('[data-testid=histogram-filter]', '');
  await frames(page);
  return v;
}

export async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click(selector)]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync(await dl.path(), 'utf8') };
}

export async function exportedReport(page) {
  const { name, text } = await download(page, '[data-testid=export-report]');
  assert.match(name, /-report\.json$/);
  return JSON.parse(text);
}

/** The overview's headline figures (exact values from data-value). */
export async function overviewFigures(page) {
  await showView(page, 'overview');
  return page.$$eval('[data-testid^=overview-]', (els) => Object.fromEntries(els.map((e) => [e.dataset.testid.slice(9), Number(e.dataset.value)])));
}

/** The overview's "Analysed by" line: module, memory grown to, module switched from. */
export async function moduleLine(page) {
  await showView(page, 'overview');
  return page.$eval('[data-testid=overview-module]', (e) => ({ ...e.dataset, text: e.textContent }));
}

/** Records the progress panel's phase texts in `window.__phases` (read with `phasesSeen`). */
export async function watchPhases(page) {
  await page.evaluate(() => {
    window.__phases = new Set();
    new MutationObserver(() => window.__phases.add(document.querySelector('#busy .phase').textContent))
      .observe(document.querySelector('#busy'), { subtree: true, childList: true, characterData: true });
  });
}
export const phasesSeen = (page) => page.evaluate(() => [...window.__phases]);

/** A PNG of the page in tests/e2e/artifacts/ (`height`: a taller viewport for it). */
export async function screenshot(page, name, height) {
  const vp = page.viewportSize();
  if (height) await page.setViewportSize({ width: vp.width, height });
  await frames(page);
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  if (height) await page.setViewportSize(vp);
}
