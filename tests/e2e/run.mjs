#!/usr/bin/env node
// Browser end-to-end tests: the app in web/ (after .ci/build-web) in Debian's headless
// Chromium, driven through the page as a person would (file input, drop, buttons), checked
// against the JVM's own histograms and the native CLI on the same files.
//
//   node tests/e2e/run.mjs        (exit status 0 only if every test passed)
//
// Screenshots of every view go to tests/e2e/artifacts/ (git-ignored).

import assert from 'node:assert/strict';
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseFileTimed, launchChromium, openApp, serve } from './server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = path.join(repo, 'web');
const fixtures = path.join(repo, 'tests/fixtures');
const corpus = path.join(repo, '../shared/corpus');
const artifacts = path.join(repo, 'tests/e2e/artifacts');
const cliPath = path.join(repo, 'target/release/heapscope');
const TIMEOUT = 120_000;

// ---------------------------------------------------------------- a tiny test runner

const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL ${name}\n     ${String(e.stack ?? e).replaceAll('\n', '\n     ')}`);
  }
}

// ---------------------------------------------------------------- the static server

/** Every file of web/ as a URL path: the only things the page may request. */
function staticFiles(dir = webRoot, prefix = '/') {
  const out = new Set(prefix === '/' ? ['/'] : []);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) for (const f of staticFiles(path.join(dir, e.name), `${prefix}${e.name}/`)) out.add(f);
    else out.add(`${prefix}${e.name}`);
  }
  return out;
}

// ---------------------------------------------------------------- the CLI and the JVM's truth

function cli(...args) {
  return execFileSync(cliPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}
const cliJson = (cmd, file, ...more) => JSON.parse(cli(cmd, file, '--json', '--quiet', ...more));

/** Histogram rows with retained sizes, as comparable strings (several classes may share a name). */
const retainedRows = (classes) => classes.map((r) => `${r.name}\t${r.instances}\t${r.shallow_bytes}\t${r.retained_bytes}`).sort();

/** The CLI's paths tree without the fields a page node does not show as data. */
const pathRoots = (t) => t.roots.map((n) => ({ object: n.object, class: n.class, targets: n.targets }));

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
function jvmHistogram(file) {
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
function assertSummary(page, cli, what) {
  assert.deepEqual({ ...page, diagnostics: [] }, { ...cli, diagnostics: [] }, `${what}: summary, page vs CLI`);
  for (const d of cli.diagnostics) assert.deepEqual(page.diagnostics.find((x) => x.key === d.key), d, `${what}: diagnostic ${d.key}`);
}

/** Our rows by name (several classes of one name summed). */
function byName(rows) {
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
function compareWithJvm(ours, jvm) {
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
function checkClassAgainstJvm(name, [oc, ob], jvm) {
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
async function assertFullReport(page, report, file) {
  assertSummary(report.summary, cliJson('summary', file), file);
  assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', file)), 'histogram: page vs CLI');
  assert.deepEqual(retainedRows(report.histogram.classes), retainedRows(cliJson('histogram', file, '--retained').classes), 'retained: page vs CLI');
  assert.deepEqual(report.finalizers, cliJson('finalizers', file), 'finalizers: page vs CLI');
  assert.deepEqual(report.suspects, cliJson('suspects', file), 'suspects: page vs CLI');
  assert.deepEqual(report.threads, cliJson('threads', file).threads, 'threads: page vs CLI');
  assert.deepEqual(report.references, cliJson('references', file).references, 'references: page vs CLI');
  const dom = cliJson('dominators', file, '--top', '5', '--depth', '1');
  await showView(page, 'dominators');
  assert.deepEqual((await domRows(page, 0)).slice(0, 5), domFields(dom.roots), 'dominator tree: top rows vs CLI');
}

/** The overview's "Analysed by" line: module, memory grown to, module switched from. */
async function moduleLine(page) {
  await showView(page, 'overview');
  return page.$eval('[data-testid=overview-module]', (e) => ({ ...e.dataset, text: e.textContent }));
}

const stripRows = (h) => h.classes.map(({ name, instances, shallow_bytes }) => ({ name, instances, shallow_bytes }));

// ---------------------------------------------------------------- driving the page

const STATUS = '[data-testid=status]';

/** Waits until the status is final: `ready`, `cancelled` or `error…`. */
async function finalStatus(page) {
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
async function drop(page, file) {
  const { status, ms } = await chooseFileTimed(page, file, { timeout: TIMEOUT });
  return { status, ms };
}

async function dropReady(page, file) {
  const r = await drop(page, file);
  assert.equal(r.status, 'ready', `${path.basename(file)}: status`);
  return r;
}

const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function showView(page, id) {
  await page.click(`#tabs a[data-view="${id}"]`);
  await page.waitForFunction((v) => location.hash === `#${v}`, id);
  await frames(page);
}

/** Goes to a view by its URL hash (as a link would) and waits until it has loaded. */
async function openHash(page, hash) {
  await page.evaluate((hh) => { location.hash = hh; }, hash);
  return viewLoaded(page, hash);
}

/** Waits until the view the URL names is shown and done loading; fails on its error. */
async function viewLoaded(page, hash) {
  await page.waitForFunction((hh) => {
    const v = document.querySelector('#view > *');
    return location.hash === hh && v && v.dataset.state !== 'loading' && !v.querySelector('[data-state=loading]');
  }, hash, { timeout: TIMEOUT });
  const err = await page.$eval('#view', (v) => v.querySelector('[data-testid=view-error]')?.textContent ?? null);
  assert.equal(err, null, `${hash}: the view shows an error`);
  await frames(page);
}

/** The dominator tree's rows at `depth` as the page shows them (exact values). */
function domRows(page, depth) {
  return page.$$eval(`[data-testid=dominator-tree] tbody tr[data-depth="${depth}"]`, (trs) => trs.map((tr) => ({
    object: tr.dataset.object,
    class: tr.querySelector('[data-col=class]').dataset.value,
    shallow_bytes: Number(tr.querySelector('[data-col=shallow]').dataset.value),
    retained_bytes: Number(tr.querySelector('[data-col=retained]').dataset.value),
  })));
}
const domFields = (nodes) => nodes.map(({ object, class: c, shallow_bytes, retained_bytes }) => ({ object, class: c, shallow_bytes, retained_bytes }));

/** The inspector's fields as the page shows them: name → value text. */
function inspectorFields(page, table = 'inspector-fields') {
  return page.$$eval(`[data-testid=${table}] tbody tr`, (trs) => trs.map((tr) => [tr.dataset.name, tr.querySelector('[data-col=value] a.obj')?.dataset.object ?? tr.querySelector('[data-col=value]').textContent]));
}
const cliFields = (fields) => fields.map((f) => [f.name, f.value]);

/** Brings a class's rows into the DOM with the filter box; sums rows of that exact name. */
async function classRow(page, name) {
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
async function retainedCell(page, name) {
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', name);
  await frames(page);
  const sel = `[data-testid=histogram] [data-class="${name.replace(/["\\]/g, '\\$&')}"] [data-col=retained]`;
  const v = await page.$$eval(sel, (cs) => cs.reduce((n, c) => n + Number(c.dataset.value), 0));
  await page.fill('[data-testid=histogram-filter]', '');
  await frames(page);
  return v;
}

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click(selector)]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync(await dl.path(), 'utf8') };
}

async function exportedReport(page) {
  const { name, text } = await download(page, '[data-testid=export-report]');
  assert.match(name, /-report\.json$/);
  return JSON.parse(text);
}

/** The overview's headline figures (exact values from data-value). */
async function overviewFigures(page) {
  await showView(page, 'overview');
  return page.$$eval('[data-testid^=overview-]', (els) => Object.fromEntries(els.map((e) => [e.dataset.testid.slice(9), Number(e.dataset.value)])));
}

async function screenshot(page, name, height) {
  const vp = page.viewportSize();
  if (height) await page.setViewportSize({ width: vp.width, height });
  await frames(page);
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  if (height) await page.setViewportSize(vp);
}

/** Everything the page reports that it should not: console output, CSP violations, errors. */
function watch(page, log) {
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('worker', (w) => log.workers.push(w.url()));
}

async function newPage(browser, origin, log, query = '') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  watch(page, log);
  await openApp(page, `${origin}/${query}`);
  return page;
}

// ---------------------------------------------------------------- the tests

/**
 * timer_finalizer.hprof with two 6 MiB records of an unknown tag after the header (which
 * readers skip by their length): 18 MB, so the page's second 16 MiB File.slice starts in
 * the middle of the heap-dump records.
 */
function writePadded(dir) {
  const src = fs.readFileSync(path.join(fixtures, 'timer_finalizer.hprof'));
  const header = src.indexOf(0) + 1 + 4 + 8;
  const pad = Buffer.alloc(9 + (6 << 20));
  pad[0] = 0x42;
  pad.writeUInt32BE(6 << 20, 5);
  const file = path.join(dir, 'padded_timer_finalizer.hprof');
  fs.writeFileSync(file, Buffer.concat([src.subarray(0, header), pad, pad, src.subarray(header)]));
  return file;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  for (const f of ['index.html', 'pkg/heapscope.js', 'pkg/heapscope_bg.wasm', 'samples/timer_finalizer.hprof']) {
    if (!fs.existsSync(path.join(webRoot, f))) throw new Error(`web/${f} is missing: run .ci/build-web first`);
  }
  execSync('cargo build --release --quiet --bin heapscope', { cwd: repo, stdio: 'inherit' });
  fs.mkdirSync(artifacts, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-e2e-'));
  const padded = writePadded(tmp);
  const { server, served, origin } = await serve(webRoot);
  const log = { console: [], errors: [], requests: [], workers: [] };
  const browser = await launchChromium();
  const figures = {};
  try {
    const page = await newPage(browser, origin, log);

    await test('the page declares a CSP that allows no other origin and no inline code', async () => {
      const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
        const [k, ...v] = d.split(/\s+/);
        return [k, v];
      }));
      const allowed = new Set(["'self'", "'none'", "'wasm-unsafe-eval'"]);
      for (const [k, v] of Object.entries(directives)) {
        for (const s of v) assert.ok(allowed.has(s), `CSP ${k} allows ${s}`);
      }
      assert.deepEqual(directives['default-src'], ["'self'"]);
      assert.deepEqual(directives['connect-src'], ["'self'"]);
      assert.deepEqual(directives['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
      const inline = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script:not([src])').length,
        styles: document.querySelectorAll('style, [style]').length,
        external: [...document.querySelectorAll('[src], link[href]')].map((e) => e.src || e.href).filter((u) => !u.startsWith(location.origin)),
      }));
      assert.deepEqual(inline, { scripts: 0, styles: 0, external: [] });
      await screenshot(page, '01-landing');
    });

    const FIXTURES = [
      ['timer_finalizer', 'timer_finalizer.hprof'],
      ['static_map_finalizer', 'static_map_finalizer.hprof'],
      ['basic', 'basic.hprof'],
      ['basic_nocoops', 'basic_nocoops.hprof'],
      ['basic_noccp', 'basic_noccp.hprof'],
      ['basic_parallel_gz', 'basic_parallel_gz.hprof.gz'],
    ];
    for (const [name, file] of FIXTURES) {
      await test(`fixture ${file}: the page's histogram is the JVM's, and the CLI's`, async () => {
        const full = path.join(fixtures, file);
        await dropReady(page, full);
        const report = await exportedReport(page);
        assert.equal(report.file.name, file);
        await assertFullReport(page, report, full);
        assert.equal(report.analysis.module, 'wasm32', 'a small dump runs in the default module');
        const jvm = jvmHistogram(path.join(fixtures, `${name}.histo.txt`));
        const c = compareWithJvm(byName(report.histogram.classes), jvm);
        assert.deepEqual(c.mismatches, []);
        assert.ok(c.instanceExact >= 230 && c.arrayExact >= 15, JSON.stringify(c));
        // The rows as the page shows them: the scenario's classes, and the JVM's largest
        // instance classes and array classes whose counts agree with the dump's.
        const facts = JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.facts.json`), 'utf8'));
        const ours = byName(report.histogram.classes);
        const largest = [...jvm].filter(([n]) => n !== 'java.lang.Class').sort((a, b) => b[1][1] - a[1][1]);
        const named = new Set([facts.statement_class, facts.task_class, facts.finalizable_class, facts.queued_class, facts.chain_class,
          'java.lang.ref.Finalizer', 'byte[]',
          ...largest.filter(([n]) => !n.endsWith('[]')).slice(0, 4).map(([n]) => n),
          ...largest.filter(([n, [c]]) => n.endsWith('[]') && ours.get(n)?.[0] === c).slice(0, 3).map(([n]) => n)]);
        named.delete(undefined);
        let compared = 0;
        const retainedOf = new Map();
        for (const r of report.histogram.classes) retainedOf.set(r.name, (retainedOf.get(r.name) ?? 0) + r.retained_bytes);
        for (const cls of named) {
          const row = await classRow(page, cls);
          assert.deepEqual(row, ours.get(cls) ?? null, `${cls}: page row vs exported report`);
          if (row) assert.equal(await retainedCell(page, cls), retainedOf.get(cls), `${cls}: retained cell`);
          if (row && checkClassAgainstJvm(cls, row, jvm)) compared += 1;
        }
        assert.ok(compared >= 7, `only ${compared} named classes comparable with the JVM`);
        if (name === 'timer_finalizer') {
          const row = await classRow(page, 'Fixtures$PgStatement');
          assert.deepEqual(row, [facts.statements, jvm.get('Fixtures$PgStatement')[1]]);
          assert.deepEqual(row, [2150, 51600]);
          assert.deepEqual(await classRow(page, 'Fixtures$CancelTask'), jvm.get('Fixtures$CancelTask'));
        }
        const fig = await overviewFigures(page);
        assert.equal(fig.objects, report.summary.objects);
        assert.equal(fig.classes, report.summary.classes);
        assert.equal(fig['shallow-bytes'], report.summary.shallow_bytes);
        if (name === 'basic') {
          await screenshot(page, '02-overview', 1500);
          await showView(page, 'histogram');
          await screenshot(page, '03-histogram');
          await page.fill('[data-testid=histogram-filter]', 'Fixtures$');
          await screenshot(page, '04-histogram-filtered');
          await page.fill('[data-testid=histogram-filter]', '');
        }
      });
    }

    const CORPUS = ['openjdk_jdk11_04_x64.hprof.gz', 'sun_jdk6_18_x32.hprof'];
    for (const file of CORPUS) {
      await test(`corpus ${file}: the page reports what the CLI reports`, async () => {
        const full = path.join(corpus, file);
        assert.ok(fs.existsSync(full), `${full} is missing: the tests read ../shared/corpus beside the repository`);
        await dropReady(page, full);
        const report = await exportedReport(page);
        const h = cliJson('histogram', full);
        assertSummary(report.summary, cliJson('summary', full), file);
        assert.deepEqual(stripRows(report.histogram), stripRows(h));
        assert.equal(report.histogram.total_shallow_bytes, h.total_shallow_bytes);
        assert.deepEqual(retainedRows(report.histogram.classes), retainedRows(cliJson('histogram', full, '--retained').classes));
        // Field values re-read from the file (through the gzip snapshots for .gz): the
        // Finalizer report, thread names, and one object in the inspector.
        assert.deepEqual(report.finalizers, cliJson('finalizers', full));
        assert.deepEqual(report.threads, cliJson('threads', full).threads);
        const obj = cliJson('dominators', full, '--top', '1', '--depth', '1').roots[0].object;
        const view = cliJson('inspect', full, obj);
        await openHash(page, `#inspect?object=${obj}`);
        const table = view.kind === 'class' ? 'inspector-statics' : 'inspector-fields';
        assert.deepEqual(await inspectorFields(page, table), cliFields(view.kind === 'class' ? view.statics : view.fields), `${obj}: fields`);
        assert.ok(view.statics.length + view.fields.length > 0, `${obj} has fields to compare`);
        const top = byName(h.classes);
        for (const r of h.classes.slice(0, 5)) assert.deepEqual(await classRow(page, r.name), top.get(r.name), r.name);
        // Virtualized: a few dozen row nodes, not one per class; the last rows are reached
        // by scrolling.
        await showView(page, 'histogram');
        const inDom = await page.$$eval('[data-testid=histogram] [data-class]', (rs) => rs.length);
        assert.ok(inDom > 10 && inDom < 80 && inDom < h.classes.length, `${inDom} row nodes for ${h.classes.length} classes`);
        await page.$eval('[data-testid=histogram]', (t) => { t.scrollTop = t.scrollHeight; });
        await frames(page);
        const lastShown = await page.$$eval('[data-testid=histogram] [data-class]', (rs) => Math.max(...rs.map((r) => Number(r.getAttribute('aria-rowindex')))));
        assert.equal(lastShown, h.classes.length + 1, 'the last row is shown at the bottom');
      });
    }

    await test('a dump larger than one 16 MiB read (records cut between reads) gives the same results', async () => {
      assert.ok(fs.statSync(padded).size > 16 << 20);
      await dropReady(page, padded);
      const report = await exportedReport(page);
      assertSummary(report.summary, cliJson('summary', padded), 'padded');
      assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', path.join(fixtures, 'timer_finalizer.hprof'))));
      assert.deepEqual(await classRow(page, 'Fixtures$PgStatement'), [2150, 51600]);
      await showView(page, 'overview');
      const diag = await page.$$eval('[data-testid=diagnostics] tbody tr', (trs) => trs.map((tr) => ({
        key: tr.querySelector('[data-col=key]').textContent,
        count: Number(tr.querySelector('[data-col=count]').dataset.value),
        help: tr.querySelector('[data-col=help]').textContent,
      })));
      assert.deepEqual(diag.map((d) => [d.key, d.count]), [['unknown_record', 2]]);
      assert.match(diag[0].help, /skipped by their length/);
      await screenshot(page, '05-overview-diagnostics', 1500);
    });

    const timerDump = path.join(fixtures, 'timer_finalizer.hprof');
    const staticMapDump = path.join(fixtures, 'static_map_finalizer.hprof');

    await test('Finalizers view: the JVM\'s Finalizer count, the Timer holder as a chain, the Timer diagnosis', async () => {
      const facts = JSON.parse(fs.readFileSync(path.join(fixtures, 'timer_finalizer.facts.json'), 'utf8'));
      const jvmFinalizers = jvmHistogram(path.join(fixtures, 'timer_finalizer.histo.txt')).get('java.lang.ref.Finalizer')[0];
      assert.equal(jvmFinalizers, 2150);
      await dropReady(page, timerDump);
      await showView(page, 'finalizers');
      assert.equal(Number(await page.getAttribute('[data-testid=finalizer-count]', 'data-value')), jvmFinalizers);
      const holder = await page.textContent('[data-testid=finalizer-holders] > li:first-child');
      for (const part of ['java.util.TimerThread', "'PostgreSQL-JDBC-SharedTimer-1'", 'java.util.TaskQueue.queue', 'CancelTask.stmt']) {
        assert.ok(holder.includes(part), `the first holder names ${part}: ${holder}`);
      }
      // The chain: each step's class, the field it refers onward with, then the referents.
      const cliHolder = cliJson('finalizers', timerDump).holders[0];
      const chain = await page.$$eval('[data-testid=finalizer-holders] > li:first-child .chain :is(.step-class, .edge-field)', (els) => els.map((e) => e.textContent));
      assert.deepEqual(chain, [...cliHolder.path.flatMap((st) => [st.class, st.field]), `${facts.statement_class} ×2,000`]);
      const timers = await page.$$eval('[data-testid=timer-diagnosis]', (els) => els.map((e) => ({ tasks: Number(e.dataset.tasks), cancelled: Number(e.dataset.cancelled), text: e.textContent })));
      assert.equal(timers.length, 1);
      assert.equal(timers[0].tasks, facts.timer_tasks);
      assert.equal(timers[0].cancelled, facts.cancelled_tasks);
      assert.ok(timers[0].text.includes('2,000 cancelled of 2,001 tasks'), timers[0].text);
      assert.ok(timers[0].text.includes(facts.head_task_class) && timers[0].text.includes('Timer.purge()'), timers[0].text);
      await screenshot(page, '10-finalizers-timer', 1500);
    });

    await test('Finalizers view: the static-map holder, the queue and the blocked finalizer thread; no Timer', async () => {
      const facts = JSON.parse(fs.readFileSync(path.join(fixtures, 'static_map_finalizer.facts.json'), 'utf8'));
      await dropReady(page, staticMapDump);
      await showView(page, 'finalizers');
      const holder = await page.textContent('[data-testid=finalizer-holders] > li:first-child');
      assert.ok(holder.includes(facts.holder_class) && holder.includes(facts.holder_field), holder);
      assert.equal(await page.$$eval('[data-testid=timer-diagnosis]', (els) => els.length), 0);
      assert.equal(Number(await page.getAttribute('[data-testid=finalizer-queued]', 'data-value')), facts.queued);
      assert.ok((await page.textContent('.view-finalizers')).includes(`at ${facts.queued_class}.finalize`), 'the finalizer thread\'s stack is shown');
      await screenshot(page, '11-finalizers-static-map', 1400);
    });

    await test('histogram row → class paths (the CLI\'s counts) and biggest instances → inspector; Back and Forward', async () => {
      const cls = 'Fixtures$PgStatement';
      await dropReady(page, timerDump);
      await showView(page, 'histogram');
      await page.fill('[data-testid=histogram-filter]', cls);
      await frames(page);
      await page.click(`[data-testid=histogram] [data-class="${cls}"] [data-col=instances]`);
      const classHash = `#paths?class=${encodeURIComponent(cls)}`;
      await viewLoaded(page, classHash);
      const t = cliJson('path', timerDump, '--class', cls);
      const summary = await page.$eval('[data-testid=paths-summary]', (e) => ({ ...e.dataset }));
      assert.deepEqual([summary.targets, summary.searched, summary.found, summary.notFound].map(Number), [t.targets, t.searched, t.found, t.not_found]);
      const roots = await page.$$eval('[data-testid=path-node][data-depth="0"]', (ns) => ns.map((n) => ({ object: n.dataset.object, class: n.dataset.class, targets: Number(n.dataset.targets) })));
      assert.deepEqual(roots, pathRoots(t));
      const heldBy = await page.textContent('[data-testid=path-node][data-depth="0"] .held-by');
      assert.equal(heldBy, `in ${t.roots[0].held_by}`);
      // Biggest instances: every statement counted, the largest first (the suspect's).
      const biggest = cliJson('suspects', timerDump).suspects.find((x) => x.class === cls).object;
      const first = await page.$eval('[data-testid=instances] tbody tr', (tr) => ({ object: tr.querySelector('a.obj').dataset.object, retained: Number(tr.querySelector('[data-col=retained]').dataset.value) }));
      assert.equal(first.retained, biggest.retained_bytes);
      assert.match(await page.textContent('.instances h2'), /of 2,150\)/);
      await screenshot(page, '14-paths-class', 1300);
      // A path node's object opens the inspector (a task: the thread → its queue → the
      // queue's array → the task; the thread's frame locals hang below the thread).
      const node = await page.$('[data-testid=path-node][data-depth="3"][data-class="Fixtures$CancelTask"] a.obj');
      const id = await node.getAttribute('data-object');
      await node.click();
      await viewLoaded(page, `#inspect?object=${id}`);
      const view = cliJson('inspect', timerDump, id);
      assert.deepEqual(await inspectorFields(page), cliFields(view.fields));
      assert.ok(view.fields.length > 0);
      const referrers = await page.$$eval('[data-testid=inspector-referrers] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('a.obj').dataset.object, tr.querySelector('[data-col=field]').textContent]));
      assert.deepEqual(referrers, view.referrers.map((r) => [r.object.object, r.field]));
      await screenshot(page, '15-inspector');
      // Through a referrer to another object, then Back and Forward through all of it.
      await page.click('[data-testid=inspector-referrers] tbody tr a.obj');
      await viewLoaded(page, `#inspect?object=${view.referrers[0].object.object}`);
      await page.goBack();
      await viewLoaded(page, `#inspect?object=${id}`);
      assert.deepEqual(await inspectorFields(page), cliFields(view.fields));
      await page.goBack();
      await viewLoaded(page, classHash);
      assert.equal(await page.$$eval('[data-testid=path-node][data-depth="0"]', (ns) => ns.length), t.roots.length);
      await page.goBack();
      await page.waitForFunction(() => location.hash === '#histogram' && document.querySelector('[data-testid=histogram]'));
      await page.goForward();
      await viewLoaded(page, classHash);
      await page.goForward();
      await viewLoaded(page, `#inspect?object=${id}`);
      // Include weak references: the page asks again, as `path --include-weak` does.
      await openHash(page, classHash);
      await page.check('[data-testid=paths-weak]');
      await viewLoaded(page, `${classHash}&weak=1`);
      const weak = cliJson('path', timerDump, '--class', cls, '--include-weak');
      const weakRoots = await page.$$eval('[data-testid=path-node][data-depth="0"]', (ns) => ns.map((n) => ({ object: n.dataset.object, class: n.dataset.class, targets: Number(n.dataset.targets) })));
      assert.deepEqual(weakRoots, pathRoots(weak));
    });

    await test('dominator tree: the CLI\'s top rows, a row expanded, the treemap opens the inspector', async () => {
      await dropReady(page, timerDump);
      await showView(page, 'dominators');
      const dom = cliJson('dominators', timerDump, '--top', '5', '--depth', '2');
      assert.deepEqual((await domRows(page, 0)).slice(0, 5), domFields(dom.roots));
      const parent = dom.roots.find((r) => r.children.length > 0);
      await page.click(`[data-testid=dominator-tree] tr[data-object="${parent.object}"] [data-action=expand]`);
      await page.waitForSelector('[data-testid=dominator-tree] tr[data-depth="1"]');
      assert.deepEqual((await domRows(page, 1)).slice(0, 5), domFields(parent.children));
      const boxes = await page.$$eval('[data-testid=treemap] a.tm-box', (bs) => bs.map((b) => b.dataset.object));
      assert.ok(boxes.includes(dom.roots[0].object), 'the largest object has a box');
      await screenshot(page, '09-dominators', 1300);
      await page.click(`[data-testid=treemap] a.tm-box.depth-1[data-object="${dom.roots[0].object}"]`, { position: { x: 8, y: 6 } });
      await viewLoaded(page, `#inspect?object=${dom.roots[0].object}`);
      assert.equal(await page.getAttribute('[data-testid=inspector]', 'data-object'), dom.roots[0].object);
      await page.goBack();
      await page.waitForFunction(() => location.hash === '#dominators');
      assert.equal(await page.$$eval('[data-testid=dominator-tree] tr[data-depth="1"]', (r) => r.length) > 0, true, 'the expanded row stays expanded');
    });

    await test('leak suspects, threads and the overview\'s findings, references, reachability and memory', async () => {
      await dropReady(page, timerDump);
      const sus = cliJson('suspects', timerDump);
      await showView(page, 'suspects');
      const shown = await page.$$eval('[data-testid=suspect]', (els) => els.map((e) => ({ kind: e.dataset.kind, retained: Number(e.dataset.retained), text: e.querySelector('.prose').textContent })));
      assert.deepEqual(shown, sus.suspects.map((x) => ({ kind: x.kind, retained: x.retained_bytes, text: x.description.replaceAll('`', '') })));
      await screenshot(page, '12-suspects');
      await showView(page, 'threads');
      const names = await page.$$eval('[data-testid=thread]', (els) => els.map((e) => e.dataset.name));
      assert.deepEqual(names, cliJson('threads', timerDump).threads.map((t) => t.name));
      await screenshot(page, '13-threads');
      await showView(page, 'overview');
      const finding = await page.textContent('[data-testid=overview-findings] [data-finding=suspect]');
      const firstSentence = sus.suspects[0].description.replaceAll('`', '').split(/(?<=\.)\s+(?=[A-Z0-9'])/)[0];
      assert.ok(finding.startsWith(firstSentence), `${finding} vs ${firstSentence}`);
      const fin = await page.textContent('[data-testid=overview-findings] [data-finding=finalizer]');
      assert.ok(fin.startsWith(cliJson('finalizers', timerDump).holders[0].summary.replaceAll('`', '')), fin);
      const refs = await page.$$eval('[data-testid=reference-stats] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('[data-col=kind]').textContent, Number(tr.querySelector('[data-col=references]').dataset.value)]));
      assert.deepEqual(refs, cliJson('references', timerDump).references.map((k) => [k.kind, k.references]));
      const fig = await overviewFigures(page);
      const dom = cliJson('dominators', timerDump, '--top', '1', '--depth', '1');
      assert.equal(fig['unreachable-objects'], dom.unreachable_objects);
      assert.equal(fig['reachable-bytes'], dom.reachable_bytes);
      assert.match(await page.textContent('[data-testid=overview-plan]'), /^30,317 objects and up to [\d,]+ references: about [\d.]+ MiB at the peak of the full analysis, within the 3\.5 GiB this page allows$/);
      await screenshot(page, '02-overview-findings', 1600);
    });

    await test('a dump over the memory limit: the refusal is shown, the histogram still works', async () => {
      const p = await newPage(browser, origin, log, '?memory-limit-mib=1');
      await dropReady(p, timerDump);
      const notice = await p.textContent('#notice');
      assert.ok(await p.isVisible('#notice'));
      assert.match(notice, /^Histogram only: this dump has 30317 objects and up to \d+ references: the full analysis would need about \d+ MiB, more than the 1 MiB available here\./);
      assert.deepEqual(await p.$$eval('#tabs a', (as) => as.map((a) => a.dataset.view)), ['overview', 'histogram']);
      const report = await exportedReport(p);
      assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', timerDump)));
      assert.equal(report.finalizers, undefined);
      // The limit holds for either module: switching to wasm64 would not help.
      assert.deepEqual([report.analysis.module, report.analysis.switched], ['wasm32', null]);
      assert.deepEqual(await classRow(p, 'Fixtures$PgStatement'), [2150, 51600]);
      assert.equal(await p.$$eval('[data-testid=histogram] [data-col=retained]', (c) => c.length), 0, 'no retained column');
      await screenshot(p, '16-refused');
      await p.context().close();
    });

    await test('the 64-bit module (?wasm=64) gives the CLI\'s report, through gzip too', async () => {
      const p = await newPage(browser, origin, log, '?wasm=64');
      for (const full of [timerDump, path.join(corpus, 'openjdk_jdk11_04_x64.hprof.gz')]) {
        await dropReady(p, full);
        const report = await exportedReport(p);
        assert.equal(report.analysis.module, 'wasm64');
        assert.equal(report.analysis.switched, null);
        await assertFullReport(p, report, full);
        // An object re-read from the file by the 64-bit module (random access).
        const obj = cliJson('dominators', full, '--top', '1', '--depth', '1').roots[0].object;
        const view = cliJson('inspect', full, obj);
        await openHash(p, `#inspect?object=${obj}`);
        const table = view.kind === 'class' ? 'inspector-statics' : 'inspector-fields';
        assert.deepEqual(await inspectorFields(p, table), cliFields(view.kind === 'class' ? view.statics : view.fields), `${obj}: fields`);
        const line = await moduleLine(p);
        assert.equal(line.module, 'wasm64');
        const memory = report.analysis.memory_bytes;
        assert.equal(Number(line.memoryBytes), memory, 'memory used: page vs exported report');
        assert.ok(memory > 0 && memory <= report.analysis.plan.limit_bytes, `memory used: ${memory} of ${report.analysis.plan.limit_bytes} bytes`);
        assert.match(line.text, /^64-bit WebAssembly \(memory64\), [\d.]+ MiB of memory used \(\?wasm=64 in the page's address\)$/);
        assert.match(await p.textContent('[data-testid=overview-plan]'), /within the 14\.0 GiB this page allows$/);
      }
      await screenshot(p, '17-overview-wasm64', 1500);
      await p.context().close();
    });

    await test('wasm32\'s limit too small (?wasm32-limit-mib=8): the page switches to wasm64 and runs the full analysis', async () => {
      // The 5.2 MiB file is below what wasm32 may plan for (8 MiB), so wasm32 reads it
      // first; its plan (~66 MiB) is not.
      const p = await newPage(browser, origin, log, '?wasm32-limit-mib=8');
      await p.evaluate(() => {
        window.__phases = new Set();
        new MutationObserver(() => window.__phases.add(document.querySelector('#busy .phase').textContent))
          .observe(document.querySelector('#busy'), { subtree: true, childList: true, characterData: true });
      });
      await dropReady(p, timerDump);
      const report = await exportedReport(p);
      assert.equal(report.analysis.module, 'wasm64', 'the analysis ran in the 64-bit module');
      assert.equal(report.analysis.switched?.from, 'wasm32');
      assert.equal(report.analysis.switched.out_of_memory, false);
      assert.match(report.analysis.switched.reason, /^this dump has 30317 objects .* more than the 8 MiB available here\./);
      assert.deepEqual([report.analysis.full, report.analysis.refused, report.analysis.passes], [true, null, 3]);
      assert.equal(await p.isVisible('#notice'), false, 'no refusal shown');
      assert.ok((await p.$$eval('#tabs a', (as) => as.map((a) => a.dataset.view))).includes('dominators'));
      await assertFullReport(p, report, timerDump);
      const phases = await p.evaluate(() => [...window.__phases]);
      assert.ok(phases.includes('Switching to 64-bit WebAssembly (memory64)'), phases.join(' | '));
      const line = await moduleLine(p);
      assert.deepEqual([line.module, line.switched], ['wasm64', 'wasm32']);
      assert.match(line.text, /^64-bit WebAssembly \(memory64\), [\d.]+ MiB of memory used \(after 32-bit WebAssembly read the file once/);
      await p.context().close();
      // Forced to wasm32, the same limit refuses: no switch.
      const q = await newPage(browser, origin, log, '?wasm=32&wasm32-limit-mib=8');
      await dropReady(q, timerDump);
      assert.ok(await q.isVisible('#notice'));
      const r = await exportedReport(q);
      assert.deepEqual([r.analysis.module, r.analysis.full, r.analysis.switched], ['wasm32', false, null]);
      await q.context().close();
      // A file far above wasm32's limit (5.2 MiB against 1 MiB) goes to wasm64 unread.
      const u = await newPage(browser, origin, log, '?wasm32-limit-mib=1');
      await dropReady(u, timerDump);
      const direct = await exportedReport(u);
      assert.deepEqual([direct.analysis.module, direct.analysis.full, direct.analysis.switched, direct.analysis.passes], ['wasm64', true, null, 3]);
      assert.match((await moduleLine(u)).text, /\(the file is too large for 32-bit WebAssembly memory\)$/);
      await u.context().close();
      assert.ok(served.includes('/pkg64/heapscope_bg.wasm'), 'the 64-bit module was fetched');
    });

    await test('the module choice: memory64 detected; large files go to wasm64 unread, others to wasm32', async () => {
      const r = await page.evaluate(async () => {
        const m = await import('./module-choice.js');
        const GiB = 2 ** 30;
        const limits = { limit32: 3.5 * GiB, limit64: 14 * GiB };
        const pick = (o) => m.initialModule({ forced: null, memory64: true, gzip: false, ...limits, ...o }).module;
        return {
          memory64: m.hasMemory64(),
          // The probe is a valid module but for its 64-bit flag: a 32-bit memory validates.
          probe32: WebAssembly.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 0])),
          oneGb: pick({ size: 1e9 }),
          fourGb: pick({ size: 4e9 }),
          eightGb: pick({ size: 8e9 }),
          eightGbNoMemory64: pick({ size: 8e9, memory64: false }),
          eightGbForced32: m.initialModule({ forced: 'wasm32', memory64: true, gzip: false, size: 8e9, ...limits }).module,
          eightGbUserLimit: pick({ size: 8e9, limit32: GiB, limit64: GiB }),
          gzip2500Mb: pick({ size: 2.5e9, gzip: true }),
          gzip1Gb: pick({ size: 1e9, gzip: true }),
          switchRefused: m.switchToWasm64({ forced: null, memory64: true, refused: 'too big', peak: 5 * GiB, limit64: 14 * GiB }),
          switchBeyond64: m.switchToWasm64({ forced: null, memory64: true, refused: 'too big', peak: 15 * GiB, limit64: 14 * GiB }),
          switchForced: m.switchToWasm64({ forced: 'wasm32', memory64: true, refused: 'too big', peak: 5 * GiB, limit64: 14 * GiB }),
          switchNotRefused: m.switchToWasm64({ forced: null, memory64: true, refused: null, peak: GiB, limit64: 14 * GiB }),
        };
      });
      assert.deepEqual(r, {
        memory64: true, probe32: true, oneGb: 'wasm32', fourGb: 'wasm32', eightGb: 'wasm64', eightGbNoMemory64: 'wasm32', eightGbForced32: 'wasm32',
        eightGbUserLimit: 'wasm32', gzip2500Mb: 'wasm64', gzip1Gb: 'wasm32', switchRefused: true, switchBeyond64: false, switchForced: false, switchNotRefused: false,
      });
    });

    await test('CSV exports: the histogram (every class) and the GC roots', async () => {
      await dropReady(page, path.join(fixtures, 'timer_finalizer.hprof'));
      await showView(page, 'histogram');
      const { name, text } = await download(page, '[data-testid=export-histogram]');
      assert.equal(name, 'timer_finalizer-histogram.csv');
      const lines = text.trimEnd().split('\r\n');
      assert.equal(lines[0], 'class,instances,shallow_bytes,retained_bytes');
      const h = cliJson('histogram', path.join(fixtures, 'timer_finalizer.hprof'), '--retained');
      assert.equal(lines.length - 1, h.classes.length);
      assert.deepEqual(lines.slice(1).sort(), h.classes.map((c) => `${c.name},${c.instances},${c.shallow_bytes},${c.retained_bytes}`).sort());
      const stmt = h.classes.find((c) => c.name === 'Fixtures$PgStatement');
      assert.ok(lines.includes(`Fixtures$PgStatement,2150,51600,${stmt.retained_bytes}`));
      // Tables of the other views export the same way.
      await showView(page, 'finalizers');
      const holders = await download(page, '[data-testid=export-finalizer-holders]');
      assert.equal(holders.name, 'timer_finalizer-finalizer-holders.csv');
      const f = cliJson('finalizers', path.join(fixtures, 'timer_finalizer.hprof'));
      assert.equal(holders.text.trimEnd().split('\r\n').length, f.holders.length + 1);
      await showView(page, 'dominators');
      const dom = await download(page, '[data-testid=export-dominators]');
      assert.match(dom.text.split('\r\n')[0], /^depth,object,class,shallow_bytes,retained_bytes,percent_of_heap$/);
      await showView(page, 'overview');
      const roots = await download(page, '[data-testid=export-gc-roots]');
      const s = cliJson('summary', path.join(fixtures, 'timer_finalizer.hprof'));
      const rows = roots.text.trimEnd().split('\r\n');
      assert.equal(rows[0], 'kind,count');
      assert.deepEqual(Object.fromEntries(rows.slice(1).map((l) => l.split(',')).map(([k, n]) => [k, Number(n)])), s.gc_roots);
    });

    await test('sorting by each column, and Back/Forward between views', async () => {
      await showView(page, 'histogram');
      const order = () => page.$$eval('[data-testid=histogram] [data-class]', (rs) => rs
        .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
        .slice(0, 5).map((r) => [r.dataset.class, Number(r.querySelector('[data-col=instances]').dataset.value)]));
      const h = cliJson('histogram', path.join(fixtures, 'timer_finalizer.hprof')).classes;
      assert.deepEqual((await order()).map((r) => r[0]), h.slice(0, 5).map((r) => r.name), 'shallow, largest first');
      await page.click('[data-testid=histogram] [role=columnheader][data-col=instances] button');
      await frames(page);
      const byCount = [...h].sort((a, b) => b.instances - a.instances).slice(0, 5).map((r) => r.instances);
      assert.deepEqual((await order()).map((r) => r[1]), byCount, 'instances, most first');
      await page.click('[data-testid=histogram] [role=columnheader][data-col=class] button');
      await frames(page);
      const byName = h.map((r) => r.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, 5);
      assert.deepEqual((await order()).map((r) => r[0]), byName, 'class name, A first');
      await showView(page, 'overview');
      await showView(page, 'histogram');
      await page.goBack();
      await page.waitForFunction(() => location.hash === '#overview' && document.querySelector('.view-overview'));
      await page.goForward();
      await page.waitForFunction(() => location.hash === '#histogram' && document.querySelector('[data-testid=histogram]'));
    });

    await test('a truncated dump gives the CLI\'s error in the status, then a good dump works in the same page', async () => {
      const cut = path.join(tmp, 'cut.hprof');
      fs.writeFileSync(cut, fs.readFileSync(path.join(fixtures, 'timer_finalizer.hprof')).subarray(0, 3_000_000));
      const r = spawnSync(cliPath, ['summary', cut], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      const expected = r.stderr.trim();
      assert.match(expected, /^error: truncated .* at offset [\d ]+:/);
      const { status } = await drop(page, cut);
      assert.equal(status, expected);
      assert.ok(await page.isVisible(STATUS), 'the error is shown');
      await screenshot(page, '06-error-truncated');
      const notDump = path.join(tmp, 'notes.txt');
      fs.writeFileSync(notDump, 'not a heap dump\n');
      assert.match((await drop(page, notDump)).status, /^error: not an HPROF heap dump at offset 0: /);
      await dropReady(page, path.join(fixtures, 'static_map_finalizer.hprof'));
      assert.equal((await classRow(page, 'Fixtures$NativeHandle'))[0], 1500);
    });

    await test('Cancel stops the analysis (its worker is dropped); "Try a sample" then works', async () => {
      // A file dropped on the page, and Cancel clicked before the worker can finish.
      await page.evaluate(async () => {
        const blob = await (await fetch('samples/timer_finalizer.hprof')).blob();
        const dt = new DataTransfer();
        dt.items.add(new File([blob], 'dropped.hprof'));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        document.querySelector('[data-testid=cancel]').click();
      });
      assert.equal(await finalStatus(page), 'cancelled');
      assert.ok(await page.isVisible('#landing'), 'back to the landing page');
      // The landing page's sample button: the sample is fetched from the site itself.
      await page.click('#sample');
      assert.equal(await finalStatus(page), 'ready');
      const report = await exportedReport(page);
      assert.equal(report.file.name, 'timer_finalizer.hprof');
      assert.deepEqual(await classRow(page, 'Fixtures$PgStatement'), [2150, 51600]);
    });

    await test('the worker protocol: unknown requests get invalid_request, queries need a file', async () => {
      const replies = await page.evaluate(async () => {
        const w = new Worker('worker.js', { type: 'module' });
        const got = [];
        const done = new Promise((resolve) => {
          w.onmessage = (e) => {
            got.push(e.data);
            if (got.length === 4) resolve();
          };
        });
        w.postMessage({ id: 1, type: 'drop_tables', payload: {} });
        w.postMessage({ id: 2, type: 'summary' });
        w.postMessage({ type: 'hello' });
        w.postMessage({ id: 3, type: 'open', payload: { file: 'not a file' } });
        await done;
        w.terminate();
        // A session whose full analysis is refused, and queries with bad or unknown IDs.
        const worker = () => {
          const wk = new Worker('worker.js', { type: 'module' });
          const waiting = new Map();
          wk.onmessage = (e) => waiting.get(e.data.id)?.(e.data);
          let next = 10;
          const ask = (type, payload) => new Promise((resolve) => {
            const id = next++;
            waiting.set(id, resolve);
            wk.postMessage({ id, type, payload });
          });
          return { ask, stop: () => wk.terminate() };
        };
        const file = new File([await (await fetch('samples/timer_finalizer.hprof')).blob()], 'x.hprof');
        const a = worker();
        const refused = [await a.ask('open', { file, options: { memoryLimit: 1 << 20 } }), await a.ask('dominators', {}), await a.ask('histogram'),
          await a.ask('status')];
        a.stop();
        const c = worker();
        const modules = [await c.ask('hello'), await c.ask('status'), await c.ask('open', { file, module: 'wasm128' }),
          await c.ask('open', { file, options: { memoryLimit: -1 } })];
        c.stop();
        const b = worker();
        const ok = [await b.ask('open', { file }), await b.ask('inspect', { object: 'fc03c2e0' }), await b.ask('inspect', { object: '0x1' }),
          await b.ask('paths', { class: 'no.such.Class' })];
        b.stop();
        return { first: got.sort((a, b) => (a.id ?? 0) - (b.id ?? 0)), refused, ok, modules };
      });
      assert.deepEqual(replies.first.map((r) => [r.id, r.ok, r.error?.code]), [
        [null, false, 'invalid_request'], [1, false, 'invalid_request'], [2, false, 'not_ready'], [3, false, 'invalid_request']]);
      const [opened, dominators, histogram, status] = replies.refused;
      assert.equal(opened.ok, true);
      assert.equal(opened.result.full, false);
      assert.equal(opened.result.passes, 1);
      assert.deepEqual([opened.result.module, opened.result.switchTo], ['wasm32', null], 'a limit for both modules: no switch');
      assert.deepEqual([status.result.module, status.result.memory64, status.result.memoryBytes >= opened.result.memoryBytes], ['wasm32', true, true]);
      const [hello, before, badModule, badLimit] = replies.modules;
      assert.deepEqual([hello.result.protocolVersion, hello.result.memory64], [3, true]);
      assert.deepEqual(before.result, { module: null, memory64: true, memoryBytes: 0 });
      assert.deepEqual([badModule.ok, badModule.error.code, badModule.error.message], [false, 'invalid_request', 'module must be "wasm32" or "wasm64"']);
      assert.deepEqual([badLimit.ok, badLimit.error.code], [false, 'invalid_request']);
      assert.match(opened.result.refused, /more than the 1 MiB available here/);
      assert.deepEqual([dominators.ok, dominators.error.code, dominators.error.message], [false, 'refused', opened.result.refused]);
      assert.equal(histogram.ok, true);
      const [full, badId, unknownId, noClass] = replies.ok;
      assert.deepEqual([full.ok, full.result.full, full.result.passes], [true, true, 3]);
      assert.deepEqual([badId.ok, badId.error.code], [false, 'invalid_request']);
      assert.deepEqual([unknownId.ok, unknownId.error.code, unknownId.error.message], [false, 'not_found', 'no object with ID 0x1 in this dump']);
      assert.deepEqual([noClass.ok, noClass.result.targets, noClass.result.roots], [true, 0, []]);
    });

    await test('the virtual table stays small in the DOM with 20 000 rows, and shows the rows scrolled to', async () => {
      const r = await page.evaluate(async () => {
        const { VirtualTable } = await import('./views/vtable.js');
        const t = new VirtualTable({
          columns: [{ key: 'class', title: 'Class', kind: 'text', value: (x) => x.name },
            { key: 'instances', title: 'Instances', kind: 'count', value: (x) => x.n }],
          rowData: (x) => ({ class: x.name }), sort: { key: 'instances', desc: true }, testid: 'synthetic', label: 'synthetic',
        });
        t.el.style.height = '600px';
        t.el.style.flex = 'none'; // 600 px, not what the page's column leaves
        document.body.append(t.el);
        const rows = Array.from({ length: 20000 }, (_, i) => ({ name: `c${i}`, n: (i * 7919) % 20011 }));
        const t0 = performance.now();
        t.setRows(rows);
        await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
        const firstRender = performance.now() - t0;
        const top = t.el.querySelector('[aria-rowindex="2"]')?.dataset.class;
        // Rows the view shows below its sticky header (each row is 30 px tall).
        const visible = Math.ceil((t.el.clientHeight - t.head.offsetHeight) / 30);
        const nodes = [];
        const frameTimes = [];
        const steps = [];
        for (let k = 0; k < 20000; k += 500) {
          // Scrolled so that row k (0-based, in the sorted order) is the first under the header.
          const f0 = performance.now();
          t.el.scrollTop = k * 30;
          t.render();
          frameTimes.push(performance.now() - f0);
          const shown = [...t.el.querySelectorAll('[data-class]')];
          nodes.push(shown.length);
          const headBottom = t.head.getBoundingClientRect().bottom;
          const first = shown.find((n) => Math.abs(n.getBoundingClientRect().top - headBottom) < 1);
          steps.push({ k, scrollTop: t.el.scrollTop, rowIndex: first ? Number(first.getAttribute('aria-rowindex')) : null, class: first?.dataset.class });
        }
        t.el.remove();
        return { firstRender, visible, minNodes: Math.min(...nodes), maxNodes: Math.max(...nodes), maxFrame: Math.max(...frameTimes), top, steps };
      });
      // The rows in the table's order: most instances first (the counts are all different).
      const order = Array.from({ length: 20000 }, (_, i) => ({ name: `c${i}`, n: (i * 7919) % 20011 })).sort((a, b) => b.n - a.n).map((x) => x.name);
      assert.equal(r.top, order[0], 'the first row');
      assert.ok(r.visible >= 15, `rows in view: ${r.visible}`);
      assert.ok(r.minNodes >= r.visible && r.maxNodes <= 60, `row nodes in the DOM: ${r.minNodes} to ${r.maxNodes} for ${r.visible} rows in view`);
      assert.equal(r.steps.length, 40);
      for (const s of r.steps) {
        assert.equal(s.scrollTop, s.k * 30, `scrolled to row ${s.k}`);
        assert.deepEqual([s.rowIndex, s.class], [s.k + 2, order[s.k]], `the row under the header after scrolling to row ${s.k}`);
      }
      figures.vtable = r;
    });

    await test('timing: drop to ready (full analysis) in the page vs the CLI; the same file again gives the same report', async () => {
      // HEAPSCOPE_E2E_BIG=/path/to/big.hprof adds one run on a bigger dump (not in CI).
      const files = [[timerDump, 3], ...(process.env.HEAPSCOPE_E2E_BIG ? [[process.env.HEAPSCOPE_E2E_BIG, 1]] : [])];
      figures.timing = [];
      for (const [file, runs] of files) {
        const pageMs = [];
        const expected = retainedRows(cliJson('histogram', file, '--retained').classes);
        let first = null;
        for (let i = 0; i < runs; i++) {
          const { ms } = await dropReady(page, file);
          assert.ok(ms > 0 && Number.isFinite(ms), `drop to ready: ${ms} ms`);
          pageMs.push(ms);
          // Each run is a new worker: nothing of the previous analysis carries over.
          const report = await exportedReport(page);
          assert.deepEqual(retainedRows(report.histogram.classes), expected, `${path.basename(file)}, run ${i + 1}: retained, page vs CLI`);
          const { millis, ...analysis } = report.analysis;
          const same = { ...report, analysis };
          if (first) assert.deepEqual(same, first, `${path.basename(file)}, run ${i + 1}: the report of run 1`);
          else first = same;
        }
        const cliMs = [];
        for (let i = 0; i < runs; i++) {
          const t0 = process.hrtime.bigint();
          cli('histogram', file, '--retained', '--quiet');
          cliMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        figures.timing.push({ file: path.basename(file), bytes: fs.statSync(file).size, pageMs: median(pageMs), cliMs: median(cliMs), runs });
      }
    });

    await test('every request went to the site itself, for one of its static files', async () => {
      const files = staticFiles();
      const bad = log.requests.filter((u) => {
        const url = new URL(u);
        if (url.protocol === 'blob:') return new URL(url.pathname).origin !== origin; // local exports
        return url.origin !== origin || !files.has(url.pathname);
      });
      assert.deepEqual(bad, []);
      assert.deepEqual(served.filter((p) => !files.has(p)), []);
      for (const p of ['/pkg/heapscope_bg.wasm', '/worker.js', '/samples/timer_finalizer.hprof']) assert.ok(served.includes(p), `${p} was served`);
      assert.ok(log.requests.some((u) => u.endsWith('/pkg/heapscope_bg.wasm')), 'the worker\'s requests are recorded too');
      // Every worker the pages started (the analysis workers, the protocol test's) is the site's worker.js.
      assert.ok(log.workers.length > 0, 'workers were seen');
      assert.deepEqual([...new Set(log.workers)], [`${origin}/worker.js`]);
    });

    await test('nothing logged, stored or blocked: console, storage, CSP violations', async () => {
      assert.deepEqual(log.console, []);
      assert.deepEqual(log.errors, []);
      const stored = await page.evaluate(async () => ({
        local: localStorage.length,
        session: sessionStorage.length,
        indexedDB: (await indexedDB.databases()).length,
        caches: (await caches.keys()).length,
        csp: window.__csp,
      }));
      assert.deepEqual(stored, { local: 0, session: 0, indexedDB: 0, caches: 0, csp: [] });
    });
    await page.context().close();

    await test('a WebAssembly trap (out of memory) reaches the page, and the next file works without a reload', async () => {
      // V8's --wasm-max-mem-pages caps WebAssembly memory at 128 × 64 KiB = 8 MiB: the full
      // analysis of the small corpus dump fits (it needs 2.4 MiB), the 5.4 MB fixture's
      // cannot (20 MiB; its read alone is 5.2 MiB). The module really runs out of memory
      // and traps; nothing is simulated. wasm32 runs out first, the page switches to wasm64
      // (capped too), and wasm64's trap is the one shown.
      const small = await launchChromium(['--js-flags=--wasm-max-mem-pages=128']);
      try {
        const log2 = { console: [], errors: [], requests: [], workers: [] };
        const p = await newPage(small, origin, log2);
        const { status } = await drop(p, path.join(fixtures, 'timer_finalizer.hprof'));
        assert.match(status, /^error: the analysis stopped: out of memory: [\d.]+ MiB more were needed with [\d.]+ MiB in use, and the browser gave no more \(64-bit WebAssembly \(memory64\) in a tab gets at most 16 GiB/);
        await screenshot(p, '07-error-out-of-memory');
        const file = path.join(corpus, 'hprof-32.bin');
        await dropReady(p, file);
        const report = await exportedReport(p);
        assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', file)));
        assert.deepEqual(log2.console, []);
        assert.deepEqual(log2.errors, []);
      } finally {
        await small.close();
      }
    });

    await test('progress: phase, pass and percentage while a file is read', async () => {
      // The panel as rendered from a progress event of a multi-pass analysis (the view
      // only renders), then the real events of the 18 MB file as the page shows them.
      const p = await newPage(browser, origin, log);
      const shown = await p.evaluate(async () => {
        const { ProgressView } = await import('./views/progress.js');
        const v = new ProgressView({ onCancel: () => {} });
        v.start('dump.hprof', 40 << 20);
        v.update({ type: 'progress', phase: 'index', done: 10 << 20, total: 40 << 20, pass: 1, passes: 3 });
        return { phase: v.phase.textContent, pct: v.pct.textContent, bar: v.bar.value, detail: v.detail.textContent };
      });
      assert.equal(shown.phase, 'Indexing objects — pass 1 of 3');
      assert.equal(shown.pct, '25 %');
      assert.equal(shown.bar, 250);
      assert.match(shown.detail, /^10\.0 MiB of 40\.0 MiB/);
      await p.evaluate(() => { window.__progress = []; window.__phases = new Set(); });
      await p.evaluate(() => {
        new MutationObserver(() => {
          const pct = document.querySelector('[data-testid=progress-percent]')?.textContent;
          if (pct) window.__progress.push(pct);
          window.__phases.add(document.querySelector('#busy .phase').textContent);
        }).observe(document.querySelector('#busy'), { subtree: true, childList: true, characterData: true });
      });
      await p.setInputFiles('#file-input', padded);
      await p.screenshot({ path: path.join(artifacts, '08-progress.png') });
      assert.equal(await finalStatus(p), 'ready');
      const seen = await p.evaluate(() => window.__progress);
      assert.ok(seen.includes('100 %'), `progress seen: ${seen.join(', ')}`);
      // Every pass, the computations between them, and the report's parts.
      const phases = await p.evaluate(() => [...window.__phases]);
      for (const ph of ['Indexing objects — pass 1 of 3', 'Reading references — pass 2 of 3', 'Finding reachable objects — pass 2 of 3',
        'Reading referrers — pass 3 of 3', 'Computing dominators — pass 3 of 3', 'Computing retained sizes — pass 3 of 3',
        'Preparing the report']) {
        assert.ok(phases.includes(ph), `phase "${ph}" not among: ${phases.join(' | ')}`);
      }
      await p.context().close();
    });
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  for (const t of figures.timing ?? []) {
    console.log(`timing: ${t.file} (${(t.bytes / 1048576).toFixed(1)} MiB): drop to ready (full analysis and report) ${t.pageMs.toFixed(0)} ms in the page, ` +
      `${t.cliMs.toFixed(0)} ms for the CLI's histogram --retained${t.runs > 1 ? ` (median of ${t.runs})` : ''}`);
  }
  const wasm = fs.statSync(path.join(webRoot, 'pkg/heapscope_bg.wasm')).size;
  console.log(`wasm module: ${(wasm / 1024).toFixed(0)} KiB`);
  if (figures.vtable) {
    const v = figures.vtable;
    console.log(`virtual table, 20 000 rows: first render ${v.firstRender.toFixed(1)} ms, slowest scroll render ${v.maxFrame.toFixed(1)} ms, ${v.maxNodes} row nodes`);
  }
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
