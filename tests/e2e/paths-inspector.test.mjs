// From a histogram row through the class page to the class's paths from the GC roots and
// its biggest instances, from a path node to the inspector and on through a referrer; Back
// and Forward; weak references included.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cliFields, cliJson, dropReady, e2eFile, frames, inspectorFields, openHash, pathRoots, screenshot, showView, timerDump,
  viewLoaded,
} from './helpers.mjs';

const env = e2eFile();

test('histogram row → class page → class paths (the CLI\'s counts) and biggest instances → inspector; Back and Forward', async () => {
  const page = await env.newPage();
  const cls = 'Fixtures$PgStatement';
  await dropReady(page, timerDump);
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', cls);
  await frames(page);
  await page.click(`[data-testid=histogram] [data-class="${cls}"] [data-col=instances]`);
  const classPage = `#class?name=${encodeURIComponent(cls)}`;
  await viewLoaded(page, classPage);
  await page.click('[data-testid=class-paths]');
  const classHash = `#paths?class=${encodeURIComponent(cls)}`;
  await viewLoaded(page, classHash);
  const t = cliJson('path', timerDump, '--class', cls);
  const summary = await page.$eval('[data-testid=paths-summary]', (e) => ({ ...e.dataset }));
  assert.deepEqual([summary.targets, summary.searched, summary.found, summary.notFound].map(Number), [t.targets, t.searched, t.found, t.not_found]);
  const roots = await page.$$eval('[data-testid=path-node][data-depth="0"]', (ns) => ns.map((n) => ({ object: n.dataset.object, class: n.dataset.class, targets: Number(n.dataset.targets) })));
  assert.deepEqual(roots, pathRoots(t));
  const heldBy = await page.textContent('[data-testid=path-node][data-depth="0"] .held-by');
  assert.equal(heldBy, `in ${t.roots[0].held_by}`);
  // Biggest instances: every statement counted, the largest first (the largest of the
  // statements' group in the dominator tree grouped by class).
  const biggest = cliJson('dominators', timerDump, '--group-by', 'class', '--depth', '1').groups.find((g) => g.class === cls).largest;
  const first = await page.$eval('[data-testid=instances] tbody tr', (tr) => ({ object: tr.querySelector('a.obj').dataset.object, retained: Number(tr.querySelector('[data-col=retained]').dataset.value) }));
  assert.equal(first.retained, biggest.retained_bytes);
  assert.match(await page.textContent('.instances h2'), /of 2\u00a0150\)/);
  await screenshot(page, '14-paths-class', 1300);
  // A path node's object opens the inspector (a task: the thread → its queue → the
  // queue's array → the task; the thread's frame locals hang below the thread).
  const node = await page.$('[data-testid=path-node][data-depth="3"][data-class="Fixtures$CancelTask"] a.obj');
  const id = await node.getAttribute('data-object');
  await node.click();
  await viewLoaded(page, `#inspect?object=${id}`);
  const view = cliJson('inspect', timerDump, id);
  assert.deepEqual(await inspectorFields(page), cliFields(view.fields));
  assert.ok(view.fields.length > 0);
  const referrers = await page.$$eval('[data-testid=inspector-referrers] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('a.obj').dataset.object, tr.querySelector('[data-col=field]').textContent]));
  assert.deepEqual(referrers, view.referrers.map((r) => [r.object.object, r.field]));
  await screenshot(page, '15-inspector');
  // Through a referrer to another object, then Back and Forward through all of it.
  await page.click('[data-testid=inspector-referrers] tbody tr a.obj');
  await viewLoaded(page, `#inspect?object=${view.referrers[0].object.object}`);
  await page.goBack();
  await viewLoaded(page, `#inspect?object=${id}`);
  assert.deepEqual(await inspectorFields(page), cliFields(view.fields));
  await page.goBack();
  await viewLoaded(page, classHash);
  assert.equal(await page.$$eval('[data-testid=path-node][data-depth="0"]', (ns) => ns.length), t.roots.length);
  await page.goBack();
  await viewLoaded(page, classPage);
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#histogram' && document.querySelector('[data-testid=histogram]'));
  await page.goForward();
  await viewLoaded(page, classPage);
  await page.goForward();
  await viewLoaded(page, classHash);
  await page.goForward();
  await viewLoaded(page, `#inspect?object=${id}`);
  // Include weak references: the page asks again, as `path --include-weak` does.
  await openHash(page, classHash);
  await page.check('[data-testid=paths-weak]');
  await viewLoaded(page, `${classHash}&weak=1`);
  const weak = cliJson('path', timerDump, '--class', cls, '--include-weak');
  const weakRoots = await page.$$eval('[data-testid=path-node][data-depth="0"]', (ns) => ns.map((n) => ({ object: n.dataset.object, class: n.dataset.class, targets: Number(n.dataset.targets) })));
  assert.deepEqual(weakRoots, pathRoots(weak));
});
