// Dumps from ../shared/corpus/ (one gzip) against the CLI, with an object re-read in the
// inspector and the virtualized histogram scrolled to its end; and a dump larger than
// one 16 MiB read of the page.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  assertInspectsTopObject, assertSummary, byName, classRow, cliJson, corpus, dropReady, e2eFile, exportedReport, frames,
  retainedRows, screenshot, showView, stripRows, timerDump, writePadded,
} from './helpers.mjs';

const env = e2eFile();

const CORPUS = ['openjdk_jdk11_04_x64.hprof.gz', 'sun_jdk6_18_x32.hprof'];
for (const file of CORPUS) {
  test(`corpus ${file}: the page reports what the CLI reports`, async () => {
    const page = await env.newPage();
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
    assert.deepEqual(report.threads, cliJson('threads', full));
    const { obj, view } = await assertInspectsTopObject(page, full);
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

test('a dump larger than one 16 MiB read (records cut between reads) gives the same results', async () => {
  const page = await env.newPage();
  const padded = writePadded(env.tmp);
  assert.ok(fs.statSync(padded).size > 16 << 20);
  await dropReady(page, padded);
  const report = await exportedReport(page);
  assertSummary(report.summary, cliJson('summary', padded), 'padded');
  assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', timerDump)));
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
