// Privacy: the page's CSP, and nothing leaving the browser or staying in it. Every test
// of every file is checked the same way after it runs (e2eFile's afterEach in
// helpers.mjs: each request to the site's own static files, nothing logged, stored or
// blocked by the CSP, on every page the test opened); the tests here state it for a
// whole session, and check that the recording sees what it must (the worker's requests).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dropReady, e2eFile, exportedReport, finalStatus, openHash, screenshot, showView, staticFiles, staticMapDump, cliJson,
} from './helpers.mjs';

const env = e2eFile();

test('the page declares a CSP that allows no other origin and no inline code', async () => {
  const page = await env.newPage();
  const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [k, ...v] = d.split(/\s+/);
    return [k, v];
  }));
  const allowed = new Set(["'self'", "'none'", "'wasm-unsafe-eval'"]);
  for (const [k, v] of Object.entries(directives)) {
    for (const s of v) assert.ok(allowed.has(s), `CSP ${k} allows ${s}`);
  }
  assert.deepEqual(directives['default-src'], ["'self'"]);
  assert.deepEqual(directives['connect-src'], ["'self'"]);
  assert.deepEqual(directives['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  const inline = await page.evaluate(() => ({
    scripts: document.querySelectorAll('script:not([src])').length,
    styles: document.querySelectorAll('style, [style]').length,
    external: [...document.querySelectorAll('[src], link[href]')].map((e) => e.src || e.href).filter((u) => !u.startsWith(location.origin)),
  }));
  assert.deepEqual(inline, { scripts: 0, styles: 0, external: [] });
  await screenshot(page, '01-landing');
});

test('every request went to the site itself, for one of its static files', async () => {
  const servedBefore = env.served.length;
  const page = await env.newPage();
  // The sample (fetched from the site), a file chosen, an export (a blob: URL).
  await page.click('#sample');
  assert.equal(await finalStatus(page), 'ready');
  await dropReady(page, staticMapDump);
  await exportedReport(page);
  const { origin } = env;
  const log = env.log(page);
  const files = staticFiles();
  const bad = log.requests.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'blob:') return new URL(url.pathname).origin !== origin; // local exports
    return url.origin !== origin || !files.has(url.pathname);
  });
  assert.deepEqual(bad, []);
  const served = env.served.slice(servedBefore);
  assert.deepEqual(served.filter((p) => !files.has(p)), []);
  for (const p of ['/pkg/heapscope_bg.wasm', '/worker.js', '/samples/timer_finalizer.hprof']) assert.ok(served.includes(p), `${p} was served`);
  assert.ok(log.requests.some((u) => u.endsWith('/pkg/heapscope_bg.wasm')), 'the worker\'s requests are recorded too');
  // Every worker the page started is the site's worker.js, and the reader.js it starts to
  // read the file.
  assert.ok(log.workers.length > 0, 'workers were seen');
  assert.deepEqual([...new Set(log.workers)].sort(), [`${origin}/reader.js`, `${origin}/worker.js`]);
});

test('nothing logged, stored or blocked: console, storage, CSP violations', async () => {
  // A session through every view, the inspector and an export.
  const page = await env.newPage();
  await dropReady(page, staticMapDump);
  for (const view of ['overview', 'histogram', 'finalizers', 'dominators', 'suspects', 'threads']) await showView(page, view);
  await openHash(page, `#inspect?object=${cliJson('dominators', staticMapDump, '--top', '1', '--depth', '1').roots[0].object}`);
  await exportedReport(page);
  const log = env.log(page);
  assert.deepEqual(log.console, []);
  assert.deepEqual(log.errors, []);
  const stored = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    csp: window.__csp,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, indexedDB: 0, caches: 0, csp: [] });
});
