// CSV exports of the views' tables. (The JSON report export is what most other tests
// compare with the CLI.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliJson, download, dropReady, e2eFile, showView, timerDump } from './helpers.mjs';

const env = e2eFile();

test('CSV exports: the histogram (every class) and the GC roots', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'histogram');
  const { name, text } = await download(page, '[data-testid=export-histogram]');
  assert.equal(name, 'timer_finalizer-histogram.csv');
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'class,instances,shallow_bytes,retained_bytes');
  const h = cliJson('histogram', timerDump, '--retained');
  assert.equal(lines.length - 1, h.classes.length);
  assert.deepEqual(lines.slice(1).sort(), h.classes.map((c) => `${c.name},${c.instances},${c.shallow_bytes},${c.retained_bytes}`).sort());
  const stmt = h.classes.find((c) => c.name === 'Fixtures$PgStatement');
  assert.ok(lines.includes(`Fixtures$PgStatement,2150,51600,${stmt.retained_bytes}`));
  // Tables of the other views export the same way.
  await showView(page, 'finalizers');
  const holders = await download(page, '[data-testid=export-finalizer-holders]');
  assert.equal(holders.name, 'timer_finalizer-finalizer-holders.csv');
  const f = cliJson('finalizers', timerDump);
  assert.equal(holders.text.trimEnd().split('\r\n').length, f.holders.length + 1);
  await showView(page, 'dominators');
  const dom = await download(page, '[data-testid=export-dominators]');
  assert.match(dom.text.split('\r\n')[0], /^depth,object,class,shallow_bytes,retained_bytes,percent_of_heap$/);
  await showView(page, 'overview');
  const roots = await download(page, '[data-testid=export-gc-roots]');
  const s = cliJson('summary', timerDump);
  const rows = roots.text.trimEnd().split('\r\n');
  assert.equal(rows[0], 'kind,count');
  assert.deepEqual(Object.fromEntries(rows.slice(1).map((l) => l.split(',')).map(([k, n]) => [k, Number(n)])), s.gc_roots);
});
