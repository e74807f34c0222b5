// The Finalizers view on the two scenario fixtures: the Timer that keeps cancelled tasks,
// and the static map with a blocked finalizer thread.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  cliJson, count, dropReady, e2eFile, facts as factsOf, fixtures, jvmHistogram, screenshot, showView, staticMapDump, timerDump,
} from './helpers.mjs';

const env = e2eFile();

test('Finalizers view: the JVM\'s Finalizer count, the Timer holder as a chain, the Timer diagnosis', async () => {
  const page = await env.newPage();
  const facts = factsOf('timer_finalizer');
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
  assert.deepEqual(chain, [...cliHolder.path.flatMap((st) => [st.class, st.field]), `${facts.statement_class} ×${count(2000)}`]);
  const timers = await page.$$eval('[data-testid=timer-diagnosis]', (els) => els.map((e) => ({ tasks: Number(e.dataset.tasks), cancelled: Number(e.dataset.cancelled), text: e.textContent })));
  assert.equal(timers.length, 1);
  assert.equal(timers[0].tasks, facts.timer_tasks);
  assert.equal(timers[0].cancelled, facts.cancelled_tasks);
  assert.ok(timers[0].text.includes(`${count(2000)} cancelled of ${count(2001)} tasks`), timers[0].text);
  assert.ok(timers[0].text.includes(facts.head_task_class) && timers[0].text.includes('Timer.purge()'), timers[0].text);
  await screenshot(page, '10-finalizers-timer', 1500);
});

test('Finalizers view: the static-map holder, the queue and the blocked finalizer thread; no Timer', async () => {
  const page = await env.newPage();
  const facts = factsOf('static_map_finalizer');
  await dropReady(page, staticMapDump);
  await showView(page, 'finalizers');
  const holder = await page.textContent('[data-testid=finalizer-holders] > li:first-child');
  assert.ok(holder.includes(facts.holder_class) && holder.includes(facts.holder_field), holder);
  assert.equal(await page.$$eval('[data-testid=timer-diagnosis]', (els) => els.length), 0);
  assert.equal(Number(await page.getAttribute('[data-testid=finalizer-queued]', 'data-value')), facts.queued);
  assert.ok((await page.textContent('.view-finalizers')).includes(`at ${facts.queued_class}.finalize`), 'the finalizer thread\'s stack is shown');
  await screenshot(page, '11-finalizers-static-map', 1400);
});
