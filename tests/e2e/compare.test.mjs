// Comparing dumps in the page: the series of three dumps of one JVM (tests/fixtures/
// series{1,2,3}.hprof.gz, Series.java). Two dumps ("Compare with…" after the first) and
// three chosen at once; the delta rows equal the CLI's (`heapscope compare --json`), the
// trends are what the program built, and each dump is analysed by a fresh worker started
// only after the previous one is gone (the page never holds two heaps).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  cli, dropReady, download, e2eFile, exportedReport, facts as factsOf, finalStatus, fixtures, frames, screenshot, showView, STATUS,
} from './helpers.mjs';

const env = e2eFile();
const series = [1, 2, 3].map((k) => path.join(fixtures, `series${k}.hprof.gz`));

/** The CLI's comparison, its files named as the page names them (the file's name). */
function cliCompare(files) {
  const c = JSON.parse(cli('compare', '--json', '--quiet', ...files));
  for (const d of c.dumps) d.file = path.basename(d.file);
  return c;
}

/** Every worker the page starts and ends, with how many were alive when each started. */
function watchWorkers(page) {
  const w = { live: 0, starts: [] };
  const track = (worker) => {
    w.live += 1;
    worker.on('close', () => { w.live -= 1; });
  };
  page.workers().forEach(track); // the spare made at load
  page.on('worker', (worker) => {
    w.starts.push(w.live);
    track(worker);
  });
  return w;
}

/**
 * Counts, in the page itself, the workers alive each time the page makes one (`live`: alive
 * now). Playwright reports a terminated worker's end a little later, so a worker made right
 * after `terminate()` can look as if it started beside it; the page's own calls cannot.
 */
async function countStarts(page, live) {
  await page.evaluate((n) => {
    window.__starts = [];
    window.__live = n;
    const Base = window.Worker;
    window.Worker = class extends Base {
      constructor(...args) {
        window.__starts.push(window.__live);
        super(...args);
        window.__live += 1;
      }

      terminate() {
        if (!this.__ended) window.__live -= 1;
        this.__ended = true;
        super.terminate();
      }
    };
    // The workers made before (the spare, the open dump's) end through their own method.
    const end = Base.prototype.terminate;
    Base.prototype.terminate = function terminate() {
      if (!(this instanceof window.Worker) && !this.__ended) window.__live -= 1;
      this.__ended = true;
      end.call(this);
    };
  }, live);
  return () => page.evaluate(() => window.__starts);
}

/** Waits until `n` workers are alive (a spare starts right after a report is shown). */
async function alive(w, n) {
  for (let i = 0; w.live !== n; i++) {
    assert.ok(i < 200, `${n} workers alive, not ${w.live}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Parses the CSV export (no quoted commas in these class names). */
function csvRows(text) {
  const [head, ...lines] = text.trim().split('\r\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

/** The comparison's class rows as the page exports them equal the CLI's rows. */
async function assertRowsEqualCli(page, expected) {
  const { text } = await download(page, '[data-testid=export-compare-classes]');
  const rows = csvRows(text);
  const n = expected.dumps.length;
  assert.equal(rows.length, expected.classes.length, 'every class of the CLI is a row');
  const byName = new Map(expected.classes.map((r) => [r.name, r]));
  for (const r of rows) {
    const c = byName.get(r.class.replace(/^'/, ''));
    assert.ok(c, `${r.class} is in the CLI's comparison`);
    for (let i = 0; i < n; i++) assert.equal(Number(r[`instances_${i + 1}`]), c.instances[i], `${c.name} instances in dump ${i + 1}`);
    assert.equal(Number(r.instances_change), c.instances_change, `${c.name} Δ instances`);
    assert.equal(Number(r.shallow_bytes_change), c.shallow_bytes_change, `${c.name} Δ shallow`);
    assert.equal(Number(r[`shallow_bytes_${n}`]), c.shallow_bytes[n - 1], `${c.name} shallow`);
    assert.equal(r.retained_bytes_change === '' ? null : Number(r.retained_bytes_change), c.retained_bytes_change, `${c.name} Δ retained`);
    assert.equal(r.status, c.status, `${c.name} status`);
  }
  // The table opens sorted by growth, as the CLI: its first row is the CLI's first.
  const first = await page.$eval('[data-testid=compare-classes] [data-class]', (e) => e.dataset.class);
  assert.equal(first, expected.classes[0].name);
}

test('Compare with…: a second dump after the first, by a fresh worker; rows equal the CLI\'s', async () => {
  const page = await env.newPage();
  const workers = watchWorkers(page);
  await dropReady(page, series[0]);
  await alive(workers, 2); // the first dump's and a spare
  const starts = await countStarts(page, 2);
  await page.setInputFiles('#compare-input', series[1]);
  assert.equal(await finalStatus(page), 'ready');
  assert.equal(await page.evaluate(() => location.hash), '#compare');
  // The first dump's worker (and the spare) were gone before the second dump's started.
  assert.deepEqual(await starts(), [0], 'one new worker, started with none alive');
  assert.equal(workers.live, 1, 'one worker at the end: the open dump\'s');
  const expected = cliCompare(series.slice(0, 2));
  await assertRowsEqualCli(page, expected);
  const trends = await page.$$eval('[data-testid=trend]', (els) => Object.fromEntries(els.map((e) => [e.dataset.name, JSON.parse(e.dataset.values)])));
  assert.deepEqual(trends, expected.trends);
  // The last dump stays open for drill-down.
  await showView(page, 'suspects');
  await showView(page, 'compare');
  await env.close(page);
});

test('three dumps chosen at once: dump k of 3, trends of the program, suspects matched, in the export', async () => {
  const page = await env.newPage();
  const workers = watchWorkers(page);
  await page.evaluate(() => {
    window.__titles = new Set();
    new MutationObserver(() => window.__titles.add(document.querySelector('#busy h2')?.textContent))
      .observe(document.querySelector('#busy'), { subtree: true, childList: true, characterData: true });
  });
  await alive(workers, 1); // the spare made at load
  const starts = await countStarts(page, 1);
  // Out of order: the comparison orders the dumps by their timestamps.
  await page.setInputFiles('#file-input', [series[2], series[0], series[1]]);
  assert.equal(await finalStatus(page), 'ready');
  const titles = await page.evaluate(() => [...window.__titles]);
  for (const [k, f] of [[1, 'series3'], [2, 'series1'], [3, 'series2']]) {
    assert.ok(titles.some((t) => t?.includes(`${f}.hprof.gz (dump ${k} of 3)`)), `progress names dump ${k} of 3: ${titles}`);
  }
  // The spare worker made at load goes first; each dump's worker starts with none alive.
  assert.deepEqual(await starts(), [0, 0, 0], 'three workers, one at a time');
  const expected = cliCompare(series);
  assert.deepEqual(await page.$$eval('[data-testid=compare-dumps] tbody tr td[data-col=file]', (tds) => tds.map((t) => t.textContent)),
    ['series1.hprof.gz', 'series2.hprof.gz', 'series3.hprof.gz']);
  await screenshot(page, '30-compare', 1600);
  await assertRowsEqualCli(page, expected);
  const facts = factsOf('series');
  const trend = (name) => page.$eval(`[data-testid=trend][data-name="${name}"]`, (e) => JSON.parse(e.dataset.values));
  assert.deepEqual(await trend('finalizers'), facts.dumps.map((d) => d.finalizers));
  assert.deepEqual(await trend(`cancelled_tasks:${facts.timer_thread}`), facts.dumps.map((d) => d.cancelled_tasks));
  assert.deepEqual(await trend(`referents:${facts.statement_class}`), facts.dumps.map((d) => d.cancelled_statements));
  const suspects = await page.$$eval('[data-testid=compare-suspect]', (els) => els.map((e) => ({ kind: e.dataset.kind, class: e.dataset.class, status: e.dataset.status })));
  assert.deepEqual(suspects, expected.suspects.map((s) => ({ kind: s.kind, class: s.class, status: s.status })));
  assert.ok(suspects.some((s) => s.kind === 'finalizer' && s.status === 'kept'), 'the Finalizer suspect is in every dump');
  // The JSON export holds the comparison (the CLI's, file names aside).
  const report = await exportedReport(page);
  assert.deepEqual(report.comparison, expected);
  assert.equal(report.compared_reports.length, 2);
  assert.equal(report.dump_report.file, 'series2.hprof.gz');
  // The open dump is the last one given, ready for drill-down.
  await showView(page, 'histogram');
  assert.equal(await page.textContent(STATUS), 'ready');
  await frames(page);
  await env.close(page);
});

test('a file that cannot be read in a series is left out with the CLI\'s warning; the others are compared', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-e2e-'));
  const bad = path.join(dir, 'broken.hprof');
  fs.writeFileSync(bad, 'not a heap dump\n');
  const page = await env.newPage();
  await page.setInputFiles('#file-input', [series[0], bad, series[1]]);
  assert.equal(await finalStatus(page), 'ready');
  assert.equal(await page.evaluate(() => location.hash), '#compare');
  assert.deepEqual(await page.$$eval('[data-testid=compare-dumps] tbody tr td[data-col=file]', (tds) => tds.map((t) => t.textContent)),
    ['series1.hprof.gz', 'series2.hprof.gz']);
  const warnings = await page.$$eval('[data-testid=compare-warnings] p', (ps) => ps.map((p) => p.textContent));
  assert.ok(warnings.some((w) => w.startsWith('left out of the comparison: broken.hprof: not an HPROF')), `${warnings}`);
  await assertRowsEqualCli(page, cliCompare(series.slice(0, 2)));
  await env.close(page);
  fs.rmSync(dir, { recursive: true, force: true });
});
