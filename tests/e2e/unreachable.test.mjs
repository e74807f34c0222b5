// Unreachable objects by class: reached from the overview's tile, every row the CLI's
// `unreachable --json`, the totals the heap less the reachable heap, the CSV export and
// the report's `unreachable`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliJson, corpus, download, dropReady, e2eFile, exportedReport, frames, screenshot, timerDump } from './helpers.mjs';
import path from 'node:path';

const env = e2eFile();

for (const file of [timerDump, path.join(corpus, 'openjdk_jdk11_04_x64.hprof.gz')]) {
  test(`unreachable objects of ${path.basename(file)}: the CLI's rows, from the overview's tile`, async () => {
    const page = await env.newPage();
    await dropReady(page, file);
    const cli = cliJson('unreachable', file);
    const dom = cliJson('dominators', file, '--top', '1', '--depth', '1');
    const summary = cliJson('summary', file);
    assert.equal(cli.total_instances, dom.unreachable_objects);
    assert.equal(dom.reachable_bytes + cli.total_shallow_bytes, summary.shallow_bytes);
    await page.click('[data-testid=overview-unreachable-objects] a[href="#unreachable"]');
    await page.waitForFunction(() => location.hash === '#unreachable');
    await frames(page);
    const note = await page.$eval('[data-testid=unreachable-summary]', (e) => ({ objects: Number(e.dataset.objects), bytes: Number(e.dataset.bytes) }));
    assert.deepEqual(note, { objects: cli.total_instances, bytes: cli.total_shallow_bytes });
    // Every row, as the CLI gives it (the table renders the rows in view: filter by name).
    const seen = [];
    for (const r of cli.classes.slice(0, 12)) {
      await page.fill('[data-testid=unreachable-filter]', r.name);
      await frames(page);
      const row = await page.$$eval(`[data-testid=unreachable] [data-class="${r.name.replace(/["\\]/g, '\\$&')}"]`, (rs) => rs.map((x) => ({
        instances: Number(x.querySelector('[data-col=instances]').dataset.value),
        shallow: Number(x.querySelector('[data-col=shallow]').dataset.value),
      })));
      seen.push(row.reduce((a, b) => ({ instances: a.instances + b.instances, shallow: a.shallow + b.shallow }), { instances: 0, shallow: 0 }));
    }
    const byName = new Map();
    for (const r of cli.classes) {
      const e = byName.get(r.name) ?? { instances: 0, shallow: 0 };
      byName.set(r.name, { instances: e.instances + r.instances, shallow: e.shallow + r.shallow_bytes });
    }
    assert.deepEqual(seen, cli.classes.slice(0, 12).map((r) => byName.get(r.name)));
    await page.fill('[data-testid=unreachable-filter]', '');
    await frames(page);
    if (file === timerDump) {
      await screenshot(page, '20-unreachable');
      const csv = await download(page, '[data-testid=export-unreachable]');
      assert.match(csv.name, /-unreachable\.csv$/);
      assert.equal(csv.text.trim().split('\n').length, cli.classes.length + 1, 'a CSV row per class and a header');
    }
    const report = await exportedReport(page);
    assert.deepEqual(report.unreachable, cli, 'the report holds the CLI\'s answer');
  });
}
