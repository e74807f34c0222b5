// Every fixture of tests/fixtures/ in the page: its histogram against the JVM's own
// (GC.class_histogram taken at the same moment) and against the CLI, and the full report
// (Finalizers, suspects, threads, references, dominators) against the CLI.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  assertFullReport, byName, checkClassAgainstJvm, classRow, compareWithJvm, dropReady, e2eFile, exportedReport, facts as factsOf,
  fixtures, jvmHistogram, overviewFigures, retainedCell, screenshot, showView,
} from './helpers.mjs';

const env = e2eFile();

const FIXTURES = [
  ['timer_finalizer', 'timer_finalizer.hprof'],
  ['static_map_finalizer', 'static_map_finalizer.hprof'],
  ['basic', 'basic.hprof'],
  ['basic_nocoops', 'basic_nocoops.hprof'],
  ['basic_noccp', 'basic_noccp.hprof'],
  ['basic_parallel_gz', 'basic_parallel_gz.hprof.gz'],
];
for (const [name, file] of FIXTURES) {
  test(`fixture ${file}: the page's histogram is the JVM's, and the CLI's`, async () => {
    const page = await env.newPage();
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
    const facts = factsOf(name);
    const ours = byName(report.histogram.classes);
    const largest = [...jvm].filter(([n]) => n !== 'java.lang.Class').sort((a, b) => b[1][1] - a[1][1]);
    const named = new Set([facts.statement_class, facts.task_class, facts.finalizable_class, facts.queued_class, facts.chain_class,
      'java.lang.ref.Finalizer', 'byte[]',
      ...largest.filter(([n]) => !n.endsWith('[]')).slice(0, 4).map(([n]) => n),
      ...largest.filter(([n, [cnt]]) => n.endsWith('[]') && ours.get(n)?.[0] === cnt).slice(0, 3).map(([n]) => n)]);
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
