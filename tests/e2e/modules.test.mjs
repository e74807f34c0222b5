// The two WebAssembly modules: the memory limit's refusal, the 64-bit module (?wasm=64),
// the switch from wasm32 to wasm64 when wasm32's limit is too small, the module choice
// itself, and a real out-of-memory trap.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  assertFullReport, assertInspectsTopObject, classRow, cliJson, corpus, drop, dropReady, e2eFile, exportedReport, moduleLine,
  phasesSeen, screenshot, stripRows, timerDump, watchPhases,
} from './helpers.mjs';

const env = e2eFile();

test('a dump over the memory limit: the refusal is shown, the histogram still works', async () => {
  const p = await env.newPage('?memory-limit-mib=1');
  await dropReady(p, timerDump);
  const notice = await p.textContent('#notice');
  assert.ok(await p.isVisible('#notice'));
  assert.match(notice, /^Histogram only: this dump has 30317 objects and up to \d+ references: the full analysis would need about \d+ MiB, more than the 1 MiB available here\./);
  assert.deepEqual(await p.$$eval('#tabs a', (as) => as.map((a) => a.dataset.view)), ['overview', 'histogram']);
  const report = await exportedReport(p);
  assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', timerDump)));
  assert.equal(report.finalizers, undefined);
  // The limit holds for either module: switching to wasm64 would not help.
  assert.deepEqual([report.analysis.module, report.analysis.switched], ['wasm32', null]);
  assert.deepEqual(await classRow(p, 'Fixtures$PgStatement'), [2150, 51600]);
  assert.equal(await p.$$eval('[data-testid=histogram] [data-col=retained]', (c) => c.length), 0, 'no retained column');
  await screenshot(p, '16-refused');
});

test('the 64-bit module (?wasm=64) gives the CLI\'s report, through gzip too', async () => {
  const p = await env.newPage('?wasm=64');
  for (const full of [timerDump, path.join(corpus, 'openjdk_jdk11_04_x64.hprof.gz')]) {
    await dropReady(p, full);
    const report = await exportedReport(p);
    assert.equal(report.analysis.module, 'wasm64');
    assert.equal(report.analysis.switched, null);
    await assertFullReport(p, report, full);
    // An object re-read from the file by the 64-bit module (random access).
    await assertInspectsTopObject(p, full);
    const line = await moduleLine(p);
    assert.equal(line.module, 'wasm64');
    const memory = report.analysis.memory_bytes;
    assert.equal(Number(line.memoryBytes), memory, 'memory used: page vs exported report');
    assert.ok(memory > 0 && memory <= report.analysis.plan.limit_bytes, `memory used: ${memory} of ${report.analysis.plan.limit_bytes} bytes`);
    assert.match(line.text, /^64-bit WebAssembly \(memory64\), [\d.]+ MiB of memory used \(\?wasm=64 in the page's address\)$/);
    assert.match(await p.textContent('[data-testid=overview-plan]'), /within the 14\.0 GiB this page allows$/);
  }
  await screenshot(p, '17-overview-wasm64', 1500);
});

test('wasm32\'s limit too small (?wasm32-limit-mib=8): the page switches to wasm64 and runs the full analysis', async () => {
  const servedBefore = env.served.length;
  // The 5.2 MiB file is below what wasm32 may plan for (8 MiB), so wasm32 reads it
  // first; its plan (~66 MiB) is not.
  const p = await env.newPage('?wasm32-limit-mib=8');
  await watchPhases(p);
  await dropReady(p, timerDump);
  const report = await exportedReport(p);
  assert.equal(report.analysis.module, 'wasm64', 'the analysis ran in the 64-bit module');
  assert.equal(report.analysis.switched?.from, 'wasm32');
  assert.equal(report.analysis.switched.out_of_memory, false);
  assert.match(report.analysis.switched.reason, /^this dump has 30317 objects .* more than the 8 MiB available here\./);
  assert.deepEqual([report.analysis.full, report.analysis.refused, report.analysis.passes], [true, null, 3]);
  assert.equal(await p.isVisible('#notice'), false, 'no refusal shown');
  assert.ok((await p.$$eval('#tabs a', (as) => as.map((a) => a.dataset.view))).includes('dominators'));
  await assertFullReport(p, report, timerDump);
  const phases = await phasesSeen(p);
  assert.ok(phases.includes('Switching to 64-bit WebAssembly (memory64)'), phases.join(' | '));
  const line = await moduleLine(p);
  assert.deepEqual([line.module, line.switched], ['wasm64', 'wasm32']);
  assert.match(line.text, /^64-bit WebAssembly \(memory64\), [\d.]+ MiB of memory used \(after 32-bit WebAssembly read the file once/);
  await env.close(p);
  // Forced to wasm32, the same limit refuses: no switch.
  const q = await env.newPage('?wasm=32&wasm32-limit-mib=8');
  await dropReady(q, timerDump);
  assert.ok(await q.isVisible('#notice'));
  const r = await exportedReport(q);
  assert.deepEqual([r.analysis.module, r.analysis.full, r.analysis.switched], ['wasm32', false, null]);
  await env.close(q);
  // A file far above wasm32's limit (5.2 MiB against 1 MiB) goes to wasm64 unread.
  const u = await env.newPage('?wasm32-limit-mib=1');
  await dropReady(u, timerDump);
  const direct = await exportedReport(u);
  assert.deepEqual([direct.analysis.module, direct.analysis.full, direct.analysis.switched, direct.analysis.passes], ['wasm64', true, null, 3]);
  assert.match((await moduleLine(u)).text, /\(the file is too large for 32-bit WebAssembly memory\)$/);
  assert.ok(env.served.slice(servedBefore).includes('/pkg64/heapscope_bg.wasm'), 'the 64-bit module was fetched');
});

test('the module choice: memory64 detected; large files go to wasm64 unread, others to wasm32', async () => {
  const page = await env.newPage();
  const r = await page.evaluate(async () => {
    const m = await import('./module-choice.js');
    const GiB = 2 ** 30;
    const limits = { limit32: 3.5 * GiB, limit64: 14 * GiB };
    const pick = (o) => m.initialModule({ forced: null, memory64: true, gzip: false, ...limits, ...o }).module;
    return {
      memory64: m.hasMemory64(),
      // The probe is a valid module but for its 64-bit flag: a 32-bit memory validates.
      probe32: WebAssembly.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 0])),
      oneGb: pick({ size: 1e9 }),
      fourGb: pick({ size: 4e9 }),
      eightGb: pick({ size: 8e9 }),
      eightGbNoMemory64: pick({ size: 8e9, memory64: false }),
      eightGbForced32: m.initialModule({ forced: 'wasm32', memory64: true, gzip: false, size: 8e9, ...limits }).module,
      eightGbUserLimit: pick({ size: 8e9, limit32: GiB, limit64: GiB }),
      gzip2500Mb: pick({ size: 2.5e9, gzip: true }),
      gzip1Gb: pick({ size: 1e9, gzip: true }),
      switchRefused: m.switchToWasm64({ forced: null, memory64: true, refused: 'too big', peak: 5 * GiB, limit64: 14 * GiB }),
      switchBeyond64: m.switchToWasm64({ forced: null, memory64: true, refused: 'too big', peak: 15 * GiB, limit64: 14 * GiB }),
      switchForced: m.switchToWasm64({ forced: 'wasm32', memory64: true, refused: 'too big', peak: 5 * GiB, limit64: 14 * GiB }),
      switchNotRefused: m.switchToWasm64({ forced: null, memory64: true, refused: null, peak: GiB, limit64: 14 * GiB }),
    };
  });
  assert.deepEqual(r, {
    memory64: true, probe32: true, oneGb: 'wasm32', fourGb: 'wasm32', eightGb: 'wasm64', eightGbNoMemory64: 'wasm32', eightGbForced32: 'wasm32',
    eightGbUserLimit: 'wasm32', gzip2500Mb: 'wasm64', gzip1Gb: 'wasm32', switchRefused: true, switchBeyond64: false, switchForced: false, switchNotRefused: false,
  });
});

test('a WebAssembly trap (out of memory) reaches the page, and the next file works without a reload', async () => {
  // V8's --wasm-max-mem-pages caps WebAssembly memory at 128 × 64 KiB = 8 MiB: the full
  // analysis of the small corpus dump fits (it needs 2.4 MiB), the 5.4 MB fixture's
  // cannot (20 MiB; its read alone is 5.2 MiB). The module really runs out of memory
  // and traps; nothing is simulated. wasm32 runs out first, the page switches to wasm64
  // (capped too), and wasm64's trap is the one shown. (The Chromium of this test is closed,
  // and its page checked like every other, after the test.)
  const small = await env.launch(['--js-flags=--wasm-max-mem-pages=128']);
  const p = await env.newPage('', { browser: small });
  const { status } = await drop(p, timerDump);
  assert.match(status, /^error: the analysis stopped: out of memory: [\d.]+ MiB more were needed with [\d.]+ MiB in use, and the browser gave no more \(64-bit WebAssembly \(memory64\) in a tab gets at most 16 GiB/);
  await screenshot(p, '07-error-out-of-memory');
  const file = path.join(corpus, 'hprof-32.bin');
  await dropReady(p, file);
  const report = await exportedReport(p);
  assert.deepEqual(stripRows(report.histogram), stripRows(cliJson('histogram', file)));
  assert.deepEqual(env.log(p).console, []);
  assert.deepEqual(env.log(p).errors, []);
});
