// "Save a redacted copy": the page's copy, made in the worker from the wasm module, is
// byte for byte the CLI's (`heapscope redact`), whether the browser writes it to a file
// (File System Access API) or assembles it as a Blob and downloads it.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TIMEOUT, cli, dropReady, e2eFile, fixtures, timerDump } from './helpers.mjs';

const env = e2eFile();

/** The CLI's redacted copy of `file` at `level`. */
function cliCopy(file, level) {
  const out = path.join(env.tmp, `${path.basename(file)}.${level}.cli`);
  cli('redact', '--quiet', '--level', level, file, out);
  const bytes = fs.readFileSync(out);
  fs.rmSync(out);
  return bytes;
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

test('without a file-writing API the copy is a download, identical to the CLI', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  // As in Firefox: no showSaveFilePicker.
  await page.evaluate(() => { delete window.showSaveFilePicker; });
  assert.equal(await page.isVisible('[data-testid=redact-save]'), true);
  await page.selectOption('[data-testid=redact-level]', 'basic');
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid=redact-save]')]);
  assert.equal(dl.suggestedFilename(), 'timer_finalizer-redacted.hprof');
  const got = fs.readFileSync(await dl.path());
  const want = cliCopy(timerDump, 'basic');
  assert.equal(got.length, fs.statSync(timerDump).size);
  assert.equal(sha256(got), sha256(want));
  // The program's thread name is in the dump, and not in the copy.
  assert.ok(fs.readFileSync(timerDump).includes('PostgreSQL-JDBC-SharedTimer'));
  assert.ok(!got.includes('PostgreSQL-JDBC-SharedTimer'));
  await page.waitForSelector('[data-testid=redact-status][data-state=saved]');
});

test('with showSaveFilePicker the copy is written as it is made (gzip dump, full level)', async () => {
  const gz = path.join(fixtures, 'basic_parallel_gz.hprof.gz');
  const page = await env.newPage();
  await dropReady(page, gz);
  // A save dialog that records what is written: the chosen name, each write, close.
  await page.evaluate(() => {
    window.__saved = { name: null, writes: 0, parts: [], closed: false };
    window.showSaveFilePicker = async (o) => {
      window.__saved.name = o.suggestedName;
      return {
        createWritable: async () => ({
          write: async (b) => { window.__saved.writes += 1; window.__saved.parts.push(new Uint8Array(b)); },
          close: async () => { window.__saved.closed = true; },
          abort: async () => {},
        }),
      };
    };
  });
  await page.selectOption('[data-testid=redact-level]', 'full');
  await page.click('[data-testid=redact-save]');
  await page.waitForSelector('[data-testid=redact-status][data-state=saved]', { timeout: TIMEOUT });
  const saved = await page.evaluate(async () => {
    const s = window.__saved;
    const blob = new Blob(s.parts);
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    const hex = [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
    return { name: s.name, writes: s.writes, closed: s.closed, size: blob.size, hex };
  });
  const want = cliCopy(gz, 'full');
  assert.equal(saved.name, 'basic_parallel_gz-redacted-full.hprof.gz');
  assert.equal(saved.closed, true);
  assert.ok(saved.writes >= 1);
  assert.equal(saved.size, want.length);
  assert.equal(saved.hex, sha256(want));
  assert.deepEqual([...want.subarray(0, 2)], [0x1f, 0x8b]);
});

test('with "Replace names" the copy and its name map are the CLI\'s (redact --names)', async () => {
  const dump = path.join(fixtures, 'basic.hprof');
  const out = path.join(env.tmp, 'basic.names.cli');
  const map = path.join(env.tmp, 'basic.names.cli.json');
  fs.rmSync(map, { force: true });
  cli('redact', '--quiet', '--names', '--names-map', map, dump, out);
  const want = fs.readFileSync(out);
  const wantMap = fs.readFileSync(map);
  fs.rmSync(out);
  fs.rmSync(map);
  const page = await env.newPage();
  await dropReady(page, dump);
  await page.evaluate(() => { delete window.showSaveFilePicker; });
  assert.equal(await page.isVisible('[data-testid=redact-map-save]'), false);
  await page.check('[data-testid=redact-names]');
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid=redact-save]')]);
  assert.equal(dl.suggestedFilename(), 'basic-redacted.hprof');
  const got = fs.readFileSync(await dl.path());
  assert.equal(sha256(got), sha256(want));
  // The class names of the program are gone from the copy, the JDK's are there.
  assert.ok(fs.readFileSync(dump).includes('Fixtures$KeepAliveTask'));
  assert.ok(!got.includes('KeepAliveTask'));
  assert.ok(got.includes('java/util/HashMap$Node'));
  await page.waitForSelector('[data-testid=redact-status][data-state=saved]');
  await page.waitForSelector('[data-testid=redact-map-save]', { state: 'visible' });
  const [mdl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid=redact-map-save]')]);
  assert.equal(mdl.suggestedFilename(), 'basic-redacted.hprof.names.json');
  const gotMap = fs.readFileSync(await mdl.path());
  assert.equal(gotMap.toString(), wantMap.toString());
  assert.equal(JSON.parse(gotMap).classes.C2, 'Fixtures$KeepAliveTask');
});

test('"with a map…" uses an earlier copy\'s placeholders, as redact --names-map does; a bad map is refused', async () => {
  const s1 = path.join(fixtures, 'series1.hprof.gz');
  const s2 = path.join(fixtures, 'series2.hprof.gz');
  const map = path.join(env.tmp, 'series.names.json');
  const out1 = path.join(env.tmp, 'series1.names.cli.gz');
  const out2 = path.join(env.tmp, 'series2.names.cli.gz');
  fs.rmSync(map, { force: true });
  cli('redact', '--quiet', '--names', '--names-map', map, s1, out1);
  const map1 = fs.readFileSync(map);
  cli('redact', '--quiet', '--names', '--names-map', map, s2, out2);
  const want = fs.readFileSync(out2);
  const wantMap = fs.readFileSync(map);
  fs.writeFileSync(map, map1); // the page is given the map as it was after series1
  const page = await env.newPage();
  await dropReady(page, s2);
  await page.evaluate(() => { delete window.showSaveFilePicker; });
  // A file that is not a names map: the one-line error, no copy.
  const bad = path.join(env.tmp, 'bad.names.json');
  fs.writeFileSync(bad, '{"version": 1, "classes": {"f1": "Foo"}}');
  await page.setInputFiles('[data-testid=redact-map-input]', bad);
  // Choosing a map (read as text, then) turns "Replace names" on.
  await page.waitForSelector('[data-testid=redact-names]:checked');
  await page.waitForSelector('[data-testid=redact-map-pick]:has-text("with bad.names.json")');
  await page.click('[data-testid=redact-save]');
  await page.waitForSelector('[data-testid=redact-status][data-state=error]', { timeout: TIMEOUT });
  const err = await page.textContent('[data-testid=redact-status]');
  assert.match(err, /bad\.names\.json is not a names map of heapscope redact --names: "f1" is not a placeholder of classes/);
  // The map written after series1: the page's copy of series2 and its new map are the CLI's.
  await page.setInputFiles('[data-testid=redact-map-input]', map);
  await page.waitForSelector('[data-testid=redact-map-pick]:has-text("with series.names.json")');
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid=redact-save]')]);
  assert.equal(dl.suggestedFilename(), 'series2-redacted.hprof.gz');
  assert.equal(sha256(fs.readFileSync(await dl.path())), sha256(want));
  await page.waitForSelector('[data-testid=redact-map-save]', { state: 'visible' });
  const [mdl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid=redact-map-save]')]);
  const gotMap = fs.readFileSync(await mdl.path());
  assert.equal(gotMap.toString(), wantMap.toString());
  // Every placeholder of series1's map is kept.
  const m1 = JSON.parse(map1);
  const m2 = JSON.parse(gotMap);
  assert.ok(Object.keys(m1.classes).length >= 3);
  for (const [k, v] of Object.entries(m1.classes)) assert.equal(m2.classes[k], v);
  for (const f of [map, out1, out2, bad]) fs.rmSync(f);
});
