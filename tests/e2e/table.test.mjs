// Tables: the histogram's sorting and Back/Forward between views, and the virtual table
// (few DOM rows for many, the right rows after scrolling).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliJson, dropReady, e2eFile, frames, showView, timerDump } from './helpers.mjs';

const env = e2eFile();

test('sorting by each column, and Back/Forward between views', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'histogram');
  const order = () => page.$$eval('[data-testid=histogram] [data-class]', (rs) => rs
    .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
    .slice(0, 5).map((r) => [r.dataset.class, Number(r.querySelector('[data-col=instances]').dataset.value)]));
  const h = cliJson('histogram', timerDump).classes;
  assert.deepEqual((await order()).map((r) => r[0]), h.slice(0, 5).map((r) => r.name), 'shallow, largest first');
  await page.click('[data-testid=histogram] [role=columnheader][data-col=instances] button');
  await frames(page);
  const byCount = [...h].sort((a, b) => b.instances - a.instances).slice(0, 5).map((r) => r.instances);
  assert.deepEqual((await order()).map((r) => r[1]), byCount, 'instances, most first');
  await page.click('[data-testid=histogram] [role=columnheader][data-col=class] button');
  await frames(page);
  const byName = h.map((r) => r.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, 5);
  assert.deepEqual((await order()).map((r) => r[0]), byName, 'class name, A first');
  await showView(page, 'overview');
  await showView(page, 'histogram');
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#overview' && document.querySelector('.view-overview'));
  await page.goForward();
  await page.waitForFunction(() => location.hash === '#histogram' && document.querySelector('[data-testid=histogram]'));
});

test('the virtual table stays small in the DOM with 20 000 rows, and shows the rows scrolled to', async (tc) => {
  const page = await env.newPage();
  const r = await page.evaluate(async () => {
    const { VirtualTable } = await import('./views/vtable.js');
    const t = new VirtualTable({
      columns: [{ key: 'class', title: 'Class', kind: 'text', value: (x) => x.name },
        { key: 'instances', title: 'Instances', kind: 'count', value: (x) => x.n }],
      rowData: (x) => ({ class: x.name }), sort: { key: 'instances', desc: true }, testid: 'synthetic', label: 'synthetic',
    });
    t.el.style.height = '600px';
    t.el.style.flex = 'none'; // 600 px, not what the page's column leaves
    document.body.append(t.el);
    const rows = Array.from({ length: 20000 }, (_, i) => ({ name: `c${i}`, n: (i * 7919) % 20011 }));
    const t0 = performance.now();
    t.setRows(rows);
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    const firstRender = performance.now() - t0;
    const top = t.el.querySelector('[aria-rowindex="2"]')?.dataset.class;
    // Rows the view shows below its sticky header (each row is 30 px tall).
    const visible = Math.ceil((t.el.clientHeight - t.head.offsetHeight) / 30);
    const nodes = [];
    const frameTimes = [];
    const steps = [];
    for (let k = 0; k < 20000; k += 500) {
      // Scrolled so that row k (0-based, in the sorted order) is the first under the header.
      const f0 = performance.now();
      t.el.scrollTop = k * 30;
      t.render();
      frameTimes.push(performance.now() - f0);
      const shown = [...t.el.querySelectorAll('[data-class]')];
      nodes.push(shown.length);
      const headBottom = t.head.getBoundingClientRect().bottom;
      const first = shown.find((n) => Math.abs(n.getBoundingClientRect().top - headBottom) < 1);
      steps.push({ k, scrollTop: t.el.scrollTop, rowIndex: first ? Number(first.getAttribute('aria-rowindex')) : null, class: first?.dataset.class });
    }
    t.el.remove();
    return { firstRender, visible, minNodes: Math.min(...nodes), maxNodes: Math.max(...nodes), maxFrame: Math.max(...frameTimes), top, steps };
  });
  // The rows in the table's order: most instances first (the counts are all different).
  const order = Array.from({ length: 20000 }, (_, i) => ({ name: `c${i}`, n: (i * 7919) % 20011 })).sort((a, b) => b.n - a.n).map((x) => x.name);
  assert.equal(r.top, order[0], 'the first row');
  assert.ok(r.visible >= 15, `rows in view: ${r.visible}`);
  assert.ok(r.minNodes >= r.visible && r.maxNodes <= 60, `row nodes in the DOM: ${r.minNodes} to ${r.maxNodes} for ${r.visible} rows in view`);
  assert.equal(r.steps.length, 40);
  for (const s of r.steps) {
    assert.equal(s.scrollTop, s.k * 30, `scrolled to row ${s.k}`);
    assert.deepEqual([s.rowIndex, s.class], [s.k + 2, order[s.k]], `the row under the header after scrolling to row ${s.k}`);
  }
  tc.diagnostic(`virtual table, 20 000 rows: first render ${r.firstRender.toFixed(1)} ms, slowest scroll render ${r.maxFrame.toFixed(1)} ms, ${r.maxNodes} row nodes`);
});
