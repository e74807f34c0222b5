// Grouping: the dominator tree's "Group by class" switch (the CLI's `dominators --group-by
// class`), the histogram's "Group by" selector (`histogram --group-by package|loader`), the
// treemap's zoom (class boxes, the breadcrumb) and the leak suspects' accumulated objects
// by class (`suspects --json`'s `accumulated_by_class`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import {
  cliJson, corpus, count, download, dropReady, e2eFile, facts, frames, screenshot, showView, timerDump,
} from './helpers.mjs';

const env = e2eFile();
const timer = facts('timer_finalizer');

const sums = (g) => ({ class: g.class, objects: g.objects, shallow_bytes: g.shallow_bytes, retained_bytes: g.retained_bytes });

/** The grouped tree's rows at `depth` as the page shows them. */
function groupRows(page, depth) {
  return page.$$eval(`[data-testid=dominator-groups] tbody tr[data-kind=group][data-depth="${depth}"]`, (trs) => trs.map((tr) => ({
    class: tr.dataset.class,
    objects: Number(tr.querySelector('[data-col=objects]').dataset.value),
    shallow_bytes: Number(tr.querySelector('[data-col=shallow]').dataset.value),
    retained_bytes: Number(tr.querySelector('[data-col=retained]').dataset.value),
  })));
}

const groupsReady = (page) => page.waitForFunction(() => {
  const t = document.querySelector('[data-testid=dominator-groups]');
  return t && t.dataset.state === 'ready' && !t.querySelector('tr.tree-note .muted');
});

test('dominator tree grouped by class: the CLI\'s groups, a group\'s classes below and its objects', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'dominators');
  const cli = cliJson('dominators', timerDump, '--group-by', 'class', '--top', '100', '--depth', '2');
  await page.check('[data-testid=dominators-group-by-class]');
  await groupsReady(page);
  const top = await groupRows(page, 0);
  assert.deepEqual(top, cli.groups.map((g) => sums(g)));
  // The Timer's statements: one row, every statement, their summed retained size.
  const stmt = cli.groups[0];
  assert.equal(stmt.class, timer.statement_class);
  assert.equal(top[0].objects, timer.statements);
  // Expanded: the classes their objects dominate, and a row listing the objects.
  const sel = `[data-testid=dominator-groups] tr[data-kind=group][data-depth="0"][data-class="${stmt.class}"]`;
  await page.click(`${sel} [data-action=expand]`);
  await page.waitForSelector('[data-testid=dominator-groups] tr[data-kind=group][data-depth="1"]');
  await groupsReady(page);
  assert.deepEqual(await groupRows(page, 1), stmt.children.map((g) => sums(g)));
  await page.click('[data-testid=dominator-groups] tr[data-kind=objects] [data-action=expand]');
  await frames(page);
  const objects = await page.$$eval('[data-testid=dominator-groups] tr[data-kind=object][data-depth="2"]', (trs) => trs.map((tr) => ({
    object: tr.dataset.object, retained: Number(tr.querySelector('[data-col=retained]').dataset.value),
  })));
  assert.equal(objects.length, 100, 'the first page of objects');
  assert.equal(objects[0].object, stmt.largest.object, 'the largest first');
  assert.ok(objects.every((o, i) => i === 0 || objects[i - 1].retained >= o.retained), 'largest retained first');
  assert.equal(objects.reduce((s, o) => s + o.retained, 0) <= stmt.retained_bytes, true);
  const more = await page.textContent('[data-testid=dominator-groups] [data-action=more-objects]');
  assert.match(more, new RegExp(`of ${count(timer.statements - 100)} objects`));
  // An object row expands to its children, as in the plain tree.
  await page.click(`[data-testid=dominator-groups] tr[data-kind=object][data-object="${stmt.largest.object}"] [data-action=expand]`);
  await page.waitForSelector('[data-testid=dominator-groups] tr[data-kind=object][data-depth="3"]');
  await screenshot(page, '21-dominators-by-class', 1300);
  // The CSV holds the rows shown with their depth.
  const csv = await download(page, '[data-testid=export-dominators]');
  assert.match(csv.name, /-dominators-by-class\.csv$/);
  const lines = csv.text.trim().split('\n');
  assert.match(lines[0], /^depth,/);
  const shown = await page.$$eval('[data-testid=dominator-groups] tbody tr[data-kind=group], [data-testid=dominator-groups] tbody tr[data-kind=object]', (r) => r.length);
  assert.equal(lines.length, shown + 1);
  // Off again: the plain tree.
  await page.uncheck('[data-testid=dominators-group-by-class]');
  await page.waitForSelector('[data-testid=dominator-tree] tr[data-depth="0"]');
});

/** The grouped histogram's rows at `depth`. */
function histogramRows(page, depth) {
  return page.$$eval(`[data-testid=histogram-groups] tbody tr[data-depth="${depth}"]`, (trs) => trs.map((tr) => {
    const v = (c) => tr.querySelector(`[data-col=${c}]`)?.dataset.value;
    const r = { name: tr.dataset.name, kind: tr.dataset.kind, classes: Number(v('classes')), instances: Number(v('instances')), shallow_bytes: Number(v('shallow')) };
    if (v('retained') !== undefined) r.retained_bytes = Number(v('retained'));
    if (tr.dataset.object) r.object = tr.dataset.object;
    return r;
  }));
}
const nodeFields = ({ name, kind, classes, instances, shallow_bytes, retained_bytes, object }) => ({
  name, kind, classes, instances, shallow_bytes, ...(retained_bytes !== undefined ? { retained_bytes } : {}), ...(object ? { object } : {}),
});

async function groupBy(page, by) {
  await page.selectOption('[data-testid=histogram-group-by]', by);
  if (by === 'class') return;
  await page.waitForFunction((b) => document.querySelector(`[data-testid=histogram-groups][data-group-by=${b}]`)?.dataset.state === 'ready', by);
  await frames(page);
}

for (const file of [timerDump, path.join(corpus, 'openjdk_jdk11_04_x64.hprof.gz')]) {
  test(`histogram grouped by package and by class loader (${path.basename(file)}): the CLI's trees`, async () => {
    const page = await env.newPage();
    await dropReady(page, file);
    await showView(page, 'histogram');
    const packages = cliJson('histogram', file, '--group-by', 'package', '--retained');
    await groupBy(page, 'package');
    assert.deepEqual(await histogramRows(page, 0), packages.groups.map(nodeFields));
    const counts = await page.textContent('[data-testid=histogram-groups-counts]');
    assert.match(counts, new RegExp(`${count(packages.total_classes)} classes · ${count(packages.total_instances)} objects`));
    // A package opens to its packages and classes, as the CLI nests them.
    const java = packages.groups.find((g) => g.name === 'java');
    await page.click('[data-testid=histogram-groups] tr[data-depth="0"][data-name="java"] [data-action=expand]');
    await frames(page);
    assert.deepEqual(await histogramRows(page, 1), java.children.map(nodeFields));
    if (file === timerDump) {
      await screenshot(page, '22-histogram-by-package', 1300);
      const csv = await download(page, '[data-testid=export-histogram-groups]');
      assert.match(csv.name, /-histogram-by-package\.csv$/);
      const lines = csv.text.trim().split('\n');
      assert.match(lines[0], /^depth,kind,/);
      assert.equal(lines.length, 1 + packages.groups.length + java.children.length, 'a row per row shown and a header');
    }
    // By loader: one row per loader, named by its class, its classes below.
    const loaders = cliJson('histogram', file, '--group-by', 'loader', '--retained');
    await groupBy(page, 'loader');
    assert.deepEqual(await histogramRows(page, 0), loaders.groups.map(nodeFields));
    assert.ok(loaders.groups.some((g) => g.name === '<bootstrap>'));
    assert.equal(loaders.groups.reduce((s, g) => s + g.classes, 0), loaders.total_classes, 'every class under a loader');
    const app = loaders.groups.find((g) => g.object);
    await page.click(`[data-testid=histogram-groups] tr[data-depth="0"][data-object="${app.object}"] [data-action=expand]`);
    await frames(page);
    assert.deepEqual((await histogramRows(page, 1)).slice(0, 200), app.children.slice(0, 200).map(nodeFields));
    // Back to classes: the class histogram, as before.
    await groupBy(page, 'class');
    await page.waitForSelector('[data-testid=histogram] [data-class]');
  });
}

test('treemap: class boxes where a node has too many children, zoom in, the breadcrumb back out', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'dominators');
  await page.waitForSelector('[data-testid=treemap][data-state=ready][data-zoom=root]');
  const tree = cliJson('dominators', timerDump, '--group-by', 'class', '--top', '30', '--depth', '1');
  const stmt = tree.groups[0];
  // The statements: one box, "PgStatement × 2150", their summed retained size.
  const box = `[data-testid=treemap] .tm-group.depth-1[data-class="${stmt.class}"]`;
  assert.deepEqual(await page.$eval(box, (b) => ({ objects: Number(b.dataset.objects), retained: Number(b.dataset.retained), label: b.querySelector('.tm-label').textContent })),
    { objects: timer.statements, retained: stmt.retained_bytes, label: `PgStatement × ${count(timer.statements)}` });
  // Every top-level class with one object is that object's box (the plain tree's objects).
  const single = tree.groups.filter((g) => g.objects === 1).map((g) => g.largest.object);
  const objects = await page.$$eval('[data-testid=treemap] a.tm-box.depth-1[data-object]', (bs) => bs.map((b) => b.dataset.object));
  assert.deepEqual(objects.sort(), single.sort());
  await screenshot(page, '23-treemap-root', 1000);
  // Zoom into the statements: their largest objects fill the map.
  await page.click(box, { position: { x: 8, y: 6 } });
  await page.waitForSelector(`[data-testid=treemap][data-state=ready][data-zoom="group:${stmt.class}"]`);
  const inGroup = await page.$$eval('[data-testid=treemap] a.tm-box.depth-1[data-object]', (bs) => bs.map((b) => b.dataset.object));
  assert.equal(inGroup.length, 30);
  assert.ok(inGroup.includes(stmt.largest.object));
  assert.deepEqual(await page.$$eval('[data-testid=treemap-crumbs] [data-zoom-to]', (bs) => bs.map((b) => b.textContent)), ['GC roots']);
  // Out, then into the Timer's queue through its task array (a box inside its box).
  await page.click('[data-testid=treemap-crumbs] [data-zoom-to="0"]');
  await page.waitForSelector('[data-testid=treemap][data-state=ready][data-zoom=root]');
  const queue = cliJson('dominators', timerDump, '--top', '30', '--depth', '3').roots.find((r) => r.class === 'java.util.TaskQueue');
  const array = queue.children[0];
  await page.click(`[data-testid=treemap] a.tm-box.depth-2[data-object="${array.object}"]`);
  await page.waitForSelector(`[data-testid=treemap][data-state=ready][data-zoom="object:${array.object}"]`);
  // The array holds 2000 cancelled tasks: more than fit, so one class box.
  const tasks = await page.$eval(`[data-testid=treemap] .tm-group[data-class="${timer.task_class}"]`, (b) => Number(b.dataset.objects));
  assert.equal(tasks, timer.cancelled_tasks);
  await screenshot(page, '24-treemap-zoomed', 1000);
  // The breadcrumb: GC roots › the queue › the array; back to the queue: its child's box.
  await page.click('[data-testid=treemap-crumbs] [data-zoom-to="1"]');
  await page.waitForSelector(`[data-testid=treemap][data-state=ready][data-zoom="object:${queue.object}"]`);
  assert.deepEqual(await page.$$eval('[data-testid=treemap] a.tm-box.depth-1[data-object]', (bs) => bs.map((b) => b.dataset.object)),
    queue.children.filter((c) => c.retained_bytes > 0).map((c) => c.object));
});

test('leak suspects list their accumulated objects by class, as the CLI', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'suspects');
  const cli = cliJson('suspects', timerDump);
  const shown = await page.$$eval('[data-testid=suspect]', (ss) => ss.map((s) => [...s.querySelectorAll('[data-testid=suspect-accumulated] tbody tr')].map((tr) => ({
    class: tr.dataset.class,
    objects: Number(tr.querySelector('[data-col=objects]').dataset.value),
    shallow_bytes: Number(tr.querySelector('[data-col=shallow]').dataset.value),
    retained_bytes: Number(tr.querySelector('[data-col=retained]').dataset.value),
  }))));
  assert.deepEqual(shown, cli.suspects.map((s) => s.accumulated_by_class));
  const fin = cli.suspects.find((s) => s.kind === 'finalizer');
  assert.equal(fin.accumulated_by_class[0].class, timer.task_class);
  assert.equal(fin.accumulated_by_class[0].objects, timer.cancelled_tasks);
  await screenshot(page, '25-suspects-accumulated', 1300);
});
