// The shareable report: the page's "Save report" writes the same bytes as `heapscope
// report` (with and without values), and the saved file, opened from disk in Chromium,
// asks for nothing but itself, is styled under its own Content-Security-Policy, and shows
// the findings.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { TIMEOUT, cli, count, dropReady, e2eFile, facts, timerDump } from './helpers.mjs';

const env = e2eFile();

/** Clicks `selector` and returns the download's suggested name and its bytes. */
async function downloadBytes(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

/** `heapscope report` of `file` (with `more` arguments), as bytes. */
function cliReport(file, ...more) {
  const out = path.join(env.tmp, `cli-${more.join('') || 'plain'}.html`);
  cli('report', file, '-o', out, '--quiet', ...more);
  return fs.readFileSync(out);
}

test('Save report: the same bytes as heapscope report, with and without values', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  const plain = await downloadBytes(page, '[data-testid=save-report]');
  assert.equal(plain.name, 'timer_finalizer.hprof.report.html');
  assert.ok(plain.bytes.equals(cliReport(timerDump)), 'the page\'s report differs from the CLI\'s');
  await page.check('[data-testid=save-report-values]');
  const valued = await downloadBytes(page, '[data-testid=save-report]');
  assert.ok(valued.bytes.equals(cliReport(timerDump, '--include-values')), 'with values: the page\'s report differs from the CLI\'s');
  assert.ok(!valued.bytes.equals(plain.bytes));
  await env.close(page);
});

test('the saved report opens offline: no request but the file itself, styled, with the findings', async () => {
  const f = facts('timer_finalizer');
  for (const values of [false, true]) {
    const file = path.join(env.tmp, `report-${values}.html`);
    fs.writeFileSync(file, cliReport(timerDump, ...(values ? ['--include-values'] : [])));
    const url = pathToFileURL(file).href;
    for (const colorScheme of ['light', 'dark']) {
      const context = await env.browser.newContext({ colorScheme });
      const requests = [];
      const logged = [];
      await context.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      // Everything but the file itself is refused (and recorded) should the page ask.
      await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
      const page = await context.newPage();
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => logged.push(`${m.type()}: ${m.text()}`));
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForTimeout(300); // anything lazy (fonts, images) would have been asked by now
      assert.deepEqual(requests, [url], 'requests other than the file');
      assert.deepEqual(logged, [], 'console output (a CSP violation logs one)');
      assert.deepEqual(await page.evaluate(() => window.__csp), []);

      // The style sheet applied (its hash is in the policy): the values note has its
      // background, and the background follows the colour scheme.
      const note = page.locator('#values-note');
      assert.equal(await note.isVisible(), true);
      assert.match(await note.innerText(), values ? /^Values included\./ : /^No values\./);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, colorScheme === 'dark' ? 'rgb(20, 24, 29)' : 'rgb(255, 255, 255)');
      assert.notEqual(await note.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgba(0, 0, 0, 0)');

      // The findings, visible.
      const timer = page.locator('#finalizers .timer');
      assert.equal(await timer.locator('h3').innerText(), `Timer '${f.timer_thread}'`);
      assert.match(await timer.innerText(), new RegExp(`${count(f.cancelled_tasks)} cancelled of ${count(f.timer_tasks)} tasks`));
      assert.equal((await timer.innerText()).includes('Due'), values);
      const holder = await page.locator('#finalizers .holder').first().innerText();
      assert.ok(holder.includes(`${f.statement_class}`) && holder.includes(f.timer_thread), holder);
      const suspect = page.locator('#suspects .suspect').first();
      assert.equal(await suspect.isVisible(), true);
      assert.match(await suspect.innerText(), /Finalizers/);
      const statements = page.locator('#histogram tr', { hasText: f.statement_class });
      assert.match(await statements.first().innerText(), new RegExp(count(f.statements)));
      assert.ok(await page.locator('#threads details.thread').count() > 0);
      assert.equal(await page.title(), 'Heap dump report: timer_finalizer.hprof');

      // Printed: the navigation goes, the content stays.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('nav').isVisible(), false);
      assert.equal(await timer.isVisible(), true);
      await context.close();
    }
  }
});
