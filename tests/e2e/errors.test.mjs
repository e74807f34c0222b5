// Files that are not a whole heap dump, and an analysis cancelled: the page says so and
// the next file works without a reload.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  classRow, cliPath, drop, dropReady, e2eFile, exportedReport, finalStatus, screenshot, staticMapDump, STATUS, timerDump,
} from './helpers.mjs';

const env = e2eFile();

test('a truncated dump gives the CLI\'s error in the status, then a good dump works in the same page', async () => {
  const page = await env.newPage();
  const cut = path.join(env.tmp, 'cut.hprof');
  fs.writeFileSync(cut, fs.readFileSync(timerDump).subarray(0, 3_000_000));
  const r = spawnSync(cliPath, ['summary', cut], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  const expected = r.stderr.trim();
  assert.match(expected, /^error: truncated .* at offset [\d ]+:/);
  const { status } = await drop(page, cut);
  assert.equal(status, expected);
  assert.ok(await page.isVisible(STATUS), 'the error is shown');
  await screenshot(page, '06-error-truncated');
  const notDump = path.join(env.tmp, 'notes.txt');
  fs.writeFileSync(notDump, 'not a heap dump\n');
  assert.match((await drop(page, notDump)).status, /^error: not an HPROF heap dump at offset 0: /);
  await dropReady(page, staticMapDump);
  assert.equal((await classRow(page, 'Fixtures$NativeHandle'))[0], 1500);
});

test('Cancel stops the analysis (its worker is dropped); "Try a sample" then works', async () => {
  // A dump already shown, so that going back to the landing page is something Cancel does.
  const page = await env.newPage();
  await dropReady(page, staticMapDump);
  assert.equal(await page.isVisible('#landing'), false, 'a dump is shown, not the landing page');
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
