// The dominator tree and its treemap.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cliJson, domFields, domRows, dropReady, e2eFile, screenshot, showView, timerDump, viewLoaded,
} from './helpers.mjs';

const env = e2eFile();

test('dominator tree: the CLI\'s top rows, a row expanded, the treemap opens the inspector', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'dominators');
  const dom = cliJson('dominators', timerDump, '--top', '5', '--depth', '2');
  assert.deepEqual((await domRows(page, 0)).slice(0, 5), domFields(dom.roots));
  const parent = dom.roots.find((r) => r.children.length > 0);
  await page.click(`[data-testid=dominator-tree] tr[data-object="${parent.object}"] [data-action=expand]`);
  await page.waitForSelector('[data-testid=dominator-tree] tr[data-depth="1"]');
  assert.deepEqual((await domRows(page, 1)).slice(0, 5), domFields(parent.children));
  const boxes = await page.$$eval('[data-testid=treemap] a.tm-box', (bs) => bs.map((b) => b.dataset.object));
  assert.ok(boxes.includes(dom.roots[0].object), 'the largest object has a box');
  await screenshot(page, '09-dominators', 1300);
  await page.click(`[data-testid=treemap] a.tm-box.depth-1[data-object="${dom.roots[0].object}"]`, { position: { x: 8, y: 6 } });
  await viewLoaded(page, `#inspect?object=${dom.roots[0].object}`);
  assert.equal(await page.getAttribute('[data-testid=inspector]', 'data-object'), dom.roots[0].object);
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#dominators');
  assert.equal(await page.$$eval('[data-testid=dominator-tree] tr[data-depth="1"]', (r) => r.length) > 0, true, 'the expanded row stays expanded');
});
