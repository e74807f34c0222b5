// What the end-to-end tests (tests/e2e/*.test.mjs, through helpers.mjs) and the browser
// benchmark (tests/bench/browser.mjs) share: the static server for web/, Chromium, and
// driving the page's file input.
//
//   node tests/e2e/server.mjs [PORT]   serves web/ on http://127.0.0.1:PORT/ (default 8000)
//                                      until stopped (what .ci/serve runs)

import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's Chromium, headless, with nothing that talks to the network on its own. */
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches Debian's Chromium (`chromium` on the PATH) with FLAGS and `extraArgs`. */
export function launchChromium(extraArgs = []) {
  const executablePath = execSync('command -v chromium', { shell: '/bin/bash', encoding: 'utf8' }).trim();
  return chromium.launch({ executablePath, headless: true, args: [...FLAGS, ...extraArgs] });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Serves `webRoot` on localhost (`port`: 0, an ephemeral one); records every path asked for. */
export async function serve(webRoot, port = 0) {
  const served = [];
  const server = http.createServer((req, res) => {
    let p;
    try {
      p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    served.push(p);
    const file = path.join(webRoot, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(webRoot + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(data);
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { server, served, origin: `http://127.0.0.1:${server.address().port}` };
}

const STATUS = '[data-testid=status]';

/** Opens the app at `url` in `page` and waits until it is idle (no file yet). */
export async function openApp(page, url) {
  await page.goto(url);
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'idle', STATUS);
}

/**
 * Chooses `file` in the page's `#file-input` as a person would and waits until the status
 * is final for it (`ready`, `error: …` or `cancelled`). Returns that status, and in the
 * page's clock (performance.now()) when the file was chosen (the input's change event)
 * and when the status became final; `ms` between the two.
 */
export async function chooseFileTimed(page, file, { timeout = 120_000, polling = 'raf' } = {}) {
  await page.evaluate((sel) => {
    const status = document.querySelector(sel);
    const t = { chosen: null, done: null };
    window.__chooseFile = t;
    document.querySelector('#file-input').addEventListener('change', () => { t.chosen = performance.now(); }, { capture: true, once: true });
    new MutationObserver((_, obs) => {
      // Only after the change: a final status of the previous file is not this one's.
      if (t.chosen !== null && ['ready', 'error', 'cancelled'].includes(status.dataset.state)) {
        t.done = performance.now();
        obs.disconnect();
      }
    }).observe(status, { attributes: true, childList: true, characterData: true, subtree: true });
  }, STATUS);
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction(() => window.__chooseFile.done !== null, null, { timeout, polling });
  const { chosen, done } = await page.evaluate(() => window.__chooseFile);
  return { status: await page.textContent(STATUS), chosen, done, ms: done - chosen };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node tests/e2e/server.mjs [PORT]');
    process.exit(2);
  }
  await serve(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web'), port);
}
