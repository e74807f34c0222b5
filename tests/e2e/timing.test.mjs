// Drop to ready in the page against the CLI, and the same file again giving the same
// report. HEAPSCOPE_E2E_BIG=/path/to/big.hprof adds one run on a bigger dump (not in CI):
//
//   HEAPSCOPE_E2E_BIG=dump.hprof node --test tests/e2e/timing.test.mjs
//
// The figures are printed as the test's diagnostics (ℹ lines).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  cli, cliJson, dropReady, e2eFile, exportedReport, median, retainedRows, timerDump, webRoot,
} from './helpers.mjs';

const env = e2eFile();

test('timing: drop to ready (full analysis) in the page vs the CLI; the same file again gives the same report', async (t) => {
  const page = await env.newPage();
  const files = [[timerDump, 3], ...(process.env.HEAPSCOPE_E2E_BIG ? [[process.env.HEAPSCOPE_E2E_BIG, 1]] : [])];
  const timing = [];
  for (const [file, runs] of files) {
    const pageMs = [];
    const expected = retainedRows(cliJson('histogram', file, '--retained').classes);
    let first = null;
    for (let i = 0; i < runs; i++) {
      const { ms } = await dropReady(page, file);
      assert.ok(ms > 0 && Number.isFinite(ms), `drop to ready: ${ms} ms`);
      pageMs.push(ms);
      // Each run is a new worker: nothing of the previous analysis carries over.
      const report = await exportedReport(page);
      assert.deepEqual(retainedRows(report.histogram.classes), expected, `${path.basename(file)}, run ${i + 1}: retained, page vs CLI`);
      const { millis, ...analysis } = report.analysis;
      const same = { ...report, analysis };
      if (first) assert.deepEqual(same, first, `${path.basename(file)}, run ${i + 1}: the report of run 1`);
      else first = same;
    }
    const cliMs = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      cli('histogram', file, '--retained', '--quiet');
      cliMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    timing.push({ file: path.basename(file), bytes: fs.statSync(file).size, pageMs: median(pageMs), cliMs: median(cliMs), runs });
  }
  for (const x of timing) {
    t.diagnostic(`timing: ${x.file} (${(x.bytes / 1048576).toFixed(1)} MiB): drop to ready (full analysis and report) ${x.pageMs.toFixed(0)} ms in the page, ` +
      `${x.cliMs.toFixed(0)} ms for the CLI's histogram --retained${x.runs > 1 ? ` (median of ${x.runs})` : ''}`);
  }
  const wasm = fs.statSync(path.join(webRoot, 'pkg/heapscope_bg.wasm')).size;
  t.diagnostic(`wasm module: ${(wasm / 1024).toFixed(0)} KiB`);
});
