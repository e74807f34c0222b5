// Files that are not a whole heap dump, and an analysis cancelled: the page says so and
// the next file works without a reload.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  classRow, cliPath, drop, dropReady, e2eFile, exportedReport, finalStatus, screenshot, showView, staticMapDump, STATUS, timerDump,
} from './helpers.mjs';

const env = e2eFile();

test('a truncated dump opens with what it holds, says so on every view, and matches the CLI', async () => {
  const page = await env.newPage();
  const cut = path.join(env.tmp, 'cut.hprof');
  fs.writeFileSync(cut, fs.readFileSync(timerDump).subarray(0, 3_000_000));
  // The CLI opens it too: exit 3 and one warning line naming the record the input ends in.
  const r = spawnSync(cliPath, ['histogram', cut, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  // The full analysis' summary (the page runs it too): its damage report counts dangling references.
  const { summary } = JSON.parse(spawnSync(cliPath, ['analyze', cut, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout);
  assert.equal(summary.damaged.dangling_references > 0, true, 'references to objects the cut removed');
  assert.match(summary.damaged.error, /^truncated [A-Z_]+ at offset [\d ]+: the input ends [\d ]+ bytes into it$/);
  await dropReady(page, cut);
  const notice = page.locator('[data-testid=damaged]');
  assert.ok(await notice.isVisible(), 'the damage is shown');
  const text = await notice.textContent();
  assert.ok(text.includes(summary.damaged.error), text);
  assert.ok(text.includes('lower bound'), text);
  // HotSpot writes GC roots last: this cut lost them all, and the notice says roots were assumed.
  assert.ok(summary.diagnostics.some((d) => d.key === 'gc_roots_assumed'), 'the CLI assumed roots');
  assert.ok(text.includes('No GC root records were read'), text);
  await screenshot(page, '06-damaged-truncated');
  // Above every view, not only the overview.
  await showView(page, 'finalizers');
  assert.ok(await notice.isVisible(), 'the damage is shown on the Finalizers view too');
  // The page's figures are the CLI's for the same copy.
  const histogram = JSON.parse(r.stdout);
  const statements = histogram.classes.find((c) => c.name === 'Fixtures$PgStatement');
  assert.ok(statements && statements.instances > 0 && statements.instances < 20_001, 'some statements, not all');
  assert.deepEqual(await classRow(page, 'Fixtures$PgStatement'), [statements.instances, statements.shallow_bytes]);
  const report = await exportedReport(page);
  assert.deepEqual(report.summary.damaged, summary.damaged);
  // A copy cut before its first object is refused with the CLI's --strict error.
  const early = path.join(env.tmp, 'early.hprof');
  fs.writeFileSync(early, fs.readFileSync(timerDump).subarray(0, 1000));
  const e = spawnSync(cliPath, ['summary', early], { encoding: 'utf8' });
  assert.equal(e.status, 1);
  assert.match(e.stderr.trim(), /^error: truncated .* at offset [\d ]+:/);
  // The report shown stays: the error says the new file was not opened.
  assert.equal((await drop(page, early)).status, `${e.stderr.trim()} (early.hprof was not opened; cut.hprof is shown again)`);
  // Said in plain words; the technical line (the CLI's) one click away.
  assert.equal(await page.textContent('[data-testid=status-plain]'),
    'This copy of the dump ends early, before a single object could be read: it was cut short while being written or copied '
    + '(a full disk, an interrupted copy, a JVM stopped while dumping). Take the dump again, or copy the whole file. '
    + 'early.hprof was not opened; cut.hprof is shown again.');
  assert.equal(await page.isVisible(STATUS), false, 'the technical line waits behind a click');
  await page.click('[data-testid=status-details] summary');
  assert.ok(await page.isVisible(STATUS), 'the technical line is one click away');
  assert.equal(await page.isVisible('#landing'), false, 'the previous report stays');
  assert.deepEqual(await classRow(page, 'Fixtures$PgStatement'), [statements.instances, statements.shallow_bytes]);
  const notDump = path.join(env.tmp, 'notes.txt');
  fs.writeFileSync(notDump, 'not a heap dump\n');
  assert.match((await drop(page, notDump)).status, /^error: not an HPROF heap dump at offset 0: .*\(notes\.txt was not opened; cut\.hprof is shown again\)$/);
  assert.match(await page.textContent('[data-testid=status-plain]'), /^This file is not a Java heap dump \(\.hprof or \.hprof\.gz\): .+\. notes\.txt was not opened; cut\.hprof is shown again\.$/);
  // A good dump then replaces it, and its notice goes.
  await dropReady(page, staticMapDump);
  assert.equal((await classRow(page, 'Fixtures$NativeHandle'))[0], 1500);
  assert.equal(await page.locator('[data-testid=damaged]').count(), 0, 'no damage notice for an intact dump');
});

/** Drops the sample on the page and clicks Cancel before the worker can finish. */
const dropThenCancel = (page) => page.evaluate(async () => {
  const blob = await (await fetch('samples/timer_finalizer.hprof')).blob();
  const dt = new DataTransfer();
  dt.items.add(new File([blob], 'dropped.hprof'));
  document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  document.querySelector('[data-testid=cancel]').click();
});

test('Cancel stops the analysis (its worker is dropped) and shows the previous report again; with none, "Try a sample" then works', async () => {
  // A dump already shown, so that going back to the landing page is something Cancel does.
  const page = await env.newPage();
  await dropReady(page, staticMapDump);
  assert.equal(await page.isVisible('#landing'), false, 'a dump is shown, not the landing page');
  // A file dropped on the page, and Cancel clicked before the worker can finish.
  await dropThenCancel(page);
  assert.equal(await finalStatus(page), 'cancelled');
  assert.equal(await page.textContent('[data-testid=status-plain]'), 'Cancelled: static_map_finalizer.hprof is shown again.');
  // The report shown before stays (its worker too: its views still answer queries).
  assert.equal(await page.isVisible('#landing'), false, 'the previous report is shown again');
  assert.equal((await classRow(page, 'Fixtures$NativeHandle'))[0], 1500);
  // Expanding a dominator-tree node asks the previous file's worker.
  await showView(page, 'dominators');
  await page.click('[data-testid=dominator-tree] tr[data-depth="0"] [data-action=expand]');
  await page.waitForSelector('[data-testid=dominator-tree] tr[data-depth="1"]', { timeout: 30_000 });
  // On a page with no report, Cancel goes back to the landing page and its sample button.
  await env.close(page);
  const fresh = await env.newPage();
  await dropThenCancel(fresh);
  assert.equal(await finalStatus(fresh), 'cancelled');
  assert.ok(await fresh.isVisible('#landing'), 'back to the landing page');
  // The landing page's sample button: the sample is fetched from the site itself.
  await fresh.click('#sample');
  assert.equal(await finalStatus(fresh), 'ready');
  const report = await exportedReport(fresh);
  assert.equal(report.file.name, 'timer_finalizer.hprof');
  assert.deepEqual(await classRow(fresh, 'Fixtures$PgStatement'), [2150, 51600]);
});
