// Leak suspects, threads, and the overview's findings, reference statistics, reachability
// and memory plan.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliJson, dropReady, e2eFile, overviewFigures, screenshot, showView, timerDump } from './helpers.mjs';

const env = e2eFile();

test('leak suspects, threads and the overview\'s findings, references, reachability and memory', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  const sus = cliJson('suspects', timerDump);
  await showView(page, 'suspects');
  const shown = await page.$$eval('[data-testid=suspect]', (els) => els.map((e) => ({ kind: e.dataset.kind, retained: Number(e.dataset.retained), text: e.querySelector('.prose').textContent })));
  assert.deepEqual(shown, sus.suspects.map((x) => ({ kind: x.kind, retained: x.retained_bytes, text: x.description.replaceAll('`', '') })));
  await screenshot(page, '12-suspects');
  await showView(page, 'threads');
  const names = await page.$$eval('[data-testid=thread]', (els) => els.map((e) => e.dataset.name));
  const cliThreads = cliJson('threads', timerDump).threads;
  assert.deepEqual(names, cliThreads.map((t) => t.name));
  // What the locals alone keep alive, each object once: the CLI's figure, never more than
  // the thread's retained size (main: 29 128 of 30 328 bytes; counted per local it was 120 856).
  const locals = await page.$$eval('[data-testid=thread] [data-testid=locals-retained]', (els) => els.map((e) => Number(e.dataset.value)));
  assert.deepEqual(locals, cliThreads.map((t) => t.locals_retained_bytes));
  assert.equal(cliThreads[0].name, 'main');
  assert.deepEqual([cliThreads[0].locals_retained_bytes, cliThreads[0].object.retained_bytes], [29_128, 30_328]);
  for (const t of cliThreads) assert.ok(t.locals_retained_bytes <= t.object.retained_bytes, t.name);
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
  assert.match(await page.textContent('[data-testid=overview-plan]'), /^30\u00a0317 objects and up to [\d\u00a0]+ references: about [\d.]+ MiB at the peak of the full analysis, within the 3\.5 GiB this page allows$/);
  await screenshot(page, '02-overview-findings', 1600);
});
