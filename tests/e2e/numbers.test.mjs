// Numbers a user can trust: one leak, one suspect; Finalizers offered as a finding only
// above their threshold; the histogram's retained column labelled the lower bound it is;
// both class counts named; a thread's locals counted once.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cliJson, count, dropReady, e2eFile, fixtures, showView, timerDump } from './helpers.mjs';

const env = e2eFile();

test('the Timer dump: one suspect, with the statements folded in; labelled counts and a lower-bound retained column', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  const suspects = cliJson('suspects', timerDump);
  // One leak, one suspect: the class rule's statements are the Finalizers' referents.
  assert.deepEqual(suspects.suspects.map((s) => s.kind), ['finalizer']);
  assert.equal(suspects.suspects[0].merged.length, 1);
  await showView(page, 'suspects');
  assert.equal(await page.locator('[data-testid=suspect]').count(), 1);
  const merged = await page.$$eval('[data-testid=suspect-merged] li', (els) => els.map((e) => e.textContent));
  assert.deepEqual(merged, suspects.suspects[0].merged.map((m) => m.replace(/`/g, '')));
  // The overview names both class counts: loaded classes, and those with instances.
  const summary = cliJson('summary', timerDump);
  const histogram = cliJson('histogram', timerDump);
  await showView(page, 'overview');
  const tile = page.locator('[data-testid=overview-classes]');
  assert.equal(Number(await tile.getAttribute('data-value')), summary.classes);
  assert.match(await tile.textContent(), new RegExp(`${count(histogram.classes.length)} of them have instances`));
  // The histogram: the retained column says it is a lower bound, the counts what they count.
  await showView(page, 'histogram');
  const head = page.locator('[data-testid=histogram] .vt-th[data-col=retained] button');
  assert.equal((await head.textContent()).trim(), 'Retained size ≥');
  assert.match(await head.getAttribute('title'), /lower bound/);
  assert.match(await page.textContent('.view-histogram .counts'), /classes with instances .* shallow sizes include unreachable objects, retained sizes do not/);
});

test('the HTTP sessions dump: its one small Finalizer is said, not offered as a finding', async () => {
  const dump = path.join(fixtures, 'http_sessions.hprof');
  const page = await env.newPage();
  await dropReady(page, dump);
  const f = cliJson('finalizers', dump);
  const suspects = cliJson('suspects', dump);
  assert.ok(f.finalizers > 0, 'the dump has a Finalizer');
  assert.ok(!suspects.suspects.some((s) => s.kind === 'finalizer'), 'below the threshold');
  await showView(page, 'overview');
  const item = page.locator('[data-testid=overview-findings] li[data-finding=finalizer]');
  assert.equal(await item.getAttribute('data-notable'), 'false');
  assert.match(await item.textContent(), /below the 5\.0 % of the reachable heap at which they are a finding/);
});
