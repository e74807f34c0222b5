#!/usr/bin/env node
// The page's "Save a redacted copy" timed in Debian's headless Chromium (after
// .ci/build-web): the file is analysed (the button shows with the report), then the copy
// is made through a save dialog whose writable stream only counts the bytes (no disk in
// the way), from the click to the status `saved`. Prints the analysis time, the copy's
// time, bytes and throughput. Not run in CI.
//
//   node tests/bench/redact.mjs [--level basic|full] [--names] FILE

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseFileTimed, launchChromium, openApp, serve } from '../e2e/server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
let level = 'basic';
const li = args.indexOf('--level');
if (li >= 0) [, level] = args.splice(li, 2);
const ni = args.indexOf('--names');
const names = ni >= 0;
if (names) args.splice(ni, 1);
const file = args[0];
if (!file || !fs.existsSync(file) || !['basic', 'full'].includes(level)) {
  console.error('usage: node tests/bench/redact.mjs [--level basic|full] [--names] FILE');
  process.exit(2);
}
const { server, origin } = await serve(path.join(repo, 'web'));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await openApp(page, `${origin}/`);
  const opened = await chooseFileTimed(page, file, { timeout: 3_600_000, polling: 500 });
  if (opened.status !== 'ready') throw new Error(`the page says ${opened.status}`);
  await page.evaluate(() => {
    window.__copy = { bytes: 0, writes: 0 };
    window.showSaveFilePicker = async () => ({
      createWritable: async () => ({
        write: async (b) => { window.__copy.bytes += b.byteLength; window.__copy.writes += 1; },
        close: async () => {},
        abort: async () => {},
      }),
    });
  });
  await page.selectOption('[data-testid=redact-level]', level);
  if (names) await page.check('[data-testid=redact-names]');
  const t0 = await page.evaluate(() => performance.now());
  await page.click('[data-testid=redact-save]');
  await page.waitForSelector('[data-testid=redact-status][data-state=saved]', { timeout: 3_600_000, polling: 200 });
  const t1 = await page.evaluate(() => performance.now());
  const copy = await page.evaluate(() => window.__copy);
  const s = (t1 - t0) / 1000;
  console.log(`analysis ${(opened.ms / 1000).toFixed(1)} s; redacted copy (${level}${names ? ", names" : ""}) ${s.toFixed(1)} s, ` +
    `${copy.bytes} bytes in ${copy.writes} writes, ${(fs.statSync(file).size / 1e6 / s).toFixed(0)} MB/s of dump`);
} finally {
  await browser.close();
  server.close();
}
