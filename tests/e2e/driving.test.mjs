// Driving the page: tables (class names cut in the middle, sticky headers, the scroll
// position back on Back), the keyboard (`/`, tree keys, Tab down the virtual table, a
// keyboard-only way to the Finalizer holder), the overall progress bar, the dark theme and
// GC root kinds in MAT's words, the overview's top consumers, and class-name boxes that
// complete and resolve simple names.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cliJson, dropReady, e2eFile, finalStatus, frames, openHash, showView, timerDump, viewLoaded, writePadded,
} from './helpers.mjs';

const env = e2eFile();

const mainScroll = (page) => page.$eval('main', (m) => m.scrollTop);
const active = (page) => page.evaluate(() => {
  const a = document.activeElement;
  const row = a?.closest('tr, li.pnode, [role=row]');
  return {
    testid: a?.dataset.testid ?? null,
    tag: a?.tagName.toLowerCase(),
    object: a?.dataset.object ?? null,
    view: a?.dataset.view ?? null,
    rowObject: row?.dataset.object ?? null,
    rowDepth: row?.dataset.depth ?? null,
    rowIndex: row?.getAttribute('aria-rowindex') ?? null,
  };
});

test('tables: long class names cut in the middle, sticky headers, the scroll position back on Back', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  const h = cliJson('histogram', timerDump).classes;
  // The longest name whose simple name fits the column (a longer simple name is cut too).
  const longest = h.map((r) => r.name).filter((n) => n.length - n.lastIndexOf('.') <= 20).sort((a, b) => b.length - a.length)[0];

  // A narrow window: the class column is too small for the longest name.
  await page.setViewportSize({ width: 640, height: 800 });
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', longest);
  await frames(page);
  const cell = await page.$eval(`[data-testid=histogram] [data-class="${longest}"] [data-col=class]`, (td) => {
    const head = td.querySelector('.mid-head');
    const tail = td.querySelector('.mid-tail');
    const box = td.getBoundingClientRect();
    const t = tail?.getBoundingClientRect();
    return {
      text: td.textContent,
      title: td.title,
      hover: td.querySelector('.midname')?.title,
      headCut: head ? head.scrollWidth > head.clientWidth : false,
      headShown: head ? head.clientWidth > 0 : false,
      tail: tail?.textContent,
      tailWhole: tail ? tail.scrollWidth <= tail.clientWidth && t.right <= box.right + 0.5 : false,
    };
  });
  assert.equal(cell.text, longest, 'the cell holds the whole name');
  assert.equal(cell.title, longest);
  assert.equal(cell.hover, longest, 'the full name on hover');
  assert.ok(cell.headCut && cell.headShown, `the package part is cut, its start shown: ${JSON.stringify(cell)}`);
  assert.equal(cell.tail, longest.slice(longest.lastIndexOf('.') + 1));
  assert.ok(cell.tailWhole, 'the simple name is shown whole');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Sticky headers: the dominator tree's header stays at the top of the scrolled page.
  await showView(page, 'dominators');
  const stuck = await page.evaluate(async () => {
    const main = document.querySelector('main');
    const th = document.querySelector('[data-testid=dominator-tree] thead th');
    const table = th.closest('table');
    main.scrollTop = table.getBoundingClientRect().top - main.getBoundingClientRect().top + main.scrollTop + 400;
    await new Promise((r) => requestAnimationFrame(r));
    return { position: getComputedStyle(th).position, thTop: th.getBoundingClientRect().top, mainTop: main.getBoundingClientRect().top, tableTop: table.getBoundingClientRect().top };
  });
  assert.equal(stuck.position, 'sticky');
  assert.ok(stuck.tableTop < stuck.mainTop - 300, 'the table starts above the view');
  assert.ok(Math.abs(stuck.thTop - stuck.mainTop) < 2, `the header stays in view: ${JSON.stringify(stuck)}`);
  // Every other table view's headers are sticky too.
  for (const [view, sel] of [['overview', '[data-testid=gc-roots] th'], ['finalizers', '[data-testid=finalizer-referents] th'], ['unreachable', null]]) {
    await showView(page, view);
    if (!sel) continue;
    assert.equal(await page.$eval(sel, (th) => getComputedStyle(th).position), 'sticky', `${view}: ${sel}`);
  }
  await page.evaluate(() => { location.hash = '#immediate-dominators?class=java.lang.String'; });
  await viewLoaded(page, '#immediate-dominators?class=java.lang.String');
  assert.equal(await page.$eval('[data-testid=immediate-dominators] th', (th) => getComputedStyle(th).position), 'sticky');

  // The scroll position: a kept view comes back where it was on Back and Forward; a view
  // reached by a link starts at the top.
  await showView(page, 'dominators');
  assert.equal(await mainScroll(page), 0, 'reached by its tab: the top');
  await page.$eval('main', (m) => { m.scrollTop = 900; });
  const target = await page.evaluate(() => {
    const main = document.querySelector('main').getBoundingClientRect();
    const link = [...document.querySelectorAll('[data-testid=dominator-tree] tbody tr a.obj')].find((a) => a.getBoundingClientRect().top > main.top + 100);
    return link.dataset.object;
  });
  const before = await mainScroll(page);
  assert.ok(before > 800, `scrolled: ${before}`);
  await page.click(`[data-testid=dominator-tree] tr[data-object="${target}"] a.obj`);
  await viewLoaded(page, `#inspect?object=${target}`);
  assert.equal(await mainScroll(page), 0, 'a new view starts at the top');
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#dominators');
  await frames(page);
  assert.equal(await mainScroll(page), before, 'Back: where it was');
  await page.goForward();
  await viewLoaded(page, `#inspect?object=${target}`);
  assert.equal(await mainScroll(page), 0);
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#dominators');
  await frames(page);
  assert.equal(await mainScroll(page), before, 'Back again: where it was');

  // The histogram scrolls in its own box: that comes back too.
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', '');
  await frames(page);
  await page.$eval('[data-testid=histogram]', (t) => { t.scrollTop = 600; });
  await frames(page);
  const row = await page.evaluate(() => {
    const t = document.querySelector('[data-testid=histogram]');
    const head = t.querySelector('.vt-head').getBoundingClientRect().bottom;
    return [...t.querySelectorAll('[data-class]')].find((r) => r.getBoundingClientRect().top >= head + 30).dataset.class;
  });
  await page.click(`[data-testid=histogram] [data-class="${row}"] [data-col=class] a`);
  await page.waitForFunction((n) => new URLSearchParams(location.hash.split('?')[1]).get('name') === n && document.querySelector('[data-testid=class-view]'), row);
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#histogram');
  await frames(page);
  assert.equal(await page.$eval('[data-testid=histogram]', (t) => t.scrollTop), 600, 'the histogram where it was');
  assert.ok(await page.$(`[data-testid=histogram] [data-class="${row}"]`), 'its rows drawn');
});

test('keyboard only, from the empty page to the Finalizer holder; / focuses the filter', async () => {
  const page = await env.newPage();
  const holder = cliJson('finalizers', timerDump).holders[0].holder.object;
  // Only keys from the start: Tab to the file chooser (its button shows the focus), Space
  // opens the browser's file dialog (where the person picks the dump), then Tab to the
  // Finalizers tab, Enter, Tab into the holders, Enter.
  let seen = null;
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id === 'file-input')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'file-input', 'Tab reaches the file chooser');
  const ring = await page.$eval('#landing label[for=file-input]', (l) => getComputedStyle(l).outlineStyle);
  assert.equal(ring, 'solid', 'the focused chooser shows a focus ring on its button');
  // Playwright intercepts the dialog once it listens for it; on a busy machine the first
  // key can come before that, so a second Space asks again (a person would press it again).
  const asked = page.waitForEvent('filechooser', { timeout: 60_000 });
  await page.keyboard.press('Space');
  let chooser = await Promise.race([asked, new Promise((r) => setTimeout(() => r(null), 5_000))]);
  if (!chooser) {
    await page.keyboard.press('Space');
    chooser = await asked;
  }
  await chooser.setFiles(timerDump);
  assert.equal(await finalStatus(page), 'ready');
  assert.equal(await page.evaluate(() => location.hash), '#overview', 'the dump opens on the overview');
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    seen = await active(page);
    if (seen.view === 'finalizers') break;
  }
  assert.equal(seen.view, 'finalizers', 'Tab reaches the Finalizers tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#finalizers' && document.querySelector('[data-testid=finalizer-holders]'));
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    seen = await active(page);
    if (seen.object && await page.evaluate(() => Boolean(document.activeElement.closest('[data-testid=finalizer-holders] dd')))) break;
  }
  assert.equal(seen.object, holder, 'Tab reaches the holder\'s link');
  await page.keyboard.press('Enter');
  await viewLoaded(page, `#inspect?object=${holder}`);
  assert.equal(await page.getAttribute('[data-testid=inspector]', 'data-object'), holder);

  // `/`: the current view's filter box, with nothing typed into it.
  await showView(page, 'histogram');
  await page.focus('#tabs a[data-view=histogram]');
  await page.keyboard.press('/');
  assert.equal((await active(page)).testid, 'histogram-filter');
  assert.equal(await page.inputValue('[data-testid=histogram-filter]'), '');
  await page.keyboard.type('Timer');
  await frames(page);
  assert.ok(await page.$('[data-testid=histogram] [data-class="java.util.Timer"]'), 'the filter works from the keyboard');
  await page.evaluate(() => { location.hash = '#paths'; });
  await viewLoaded(page, '#paths');
  await page.focus('#tabs a[data-view=paths]');
  await page.keyboard.press('/');
  assert.equal((await active(page)).testid, 'paths-input');
});

test('keyboard: arrows move through the dominator tree and the paths, open and close rows; Enter follows', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'dominators');
  const dom = cliJson('dominators', timerDump, '--top', '5', '--depth', '2');
  const parentIndex = dom.roots.findIndex((r) => r.children.length > 0);
  const parent = dom.roots[parentIndex];
  await page.focus(`[data-testid=dominator-tree] tr[data-object="${dom.roots[0].object}"] a.obj`);
  await page.keyboard.press('ArrowDown');
  assert.equal((await active(page)).rowObject, dom.roots[1].object, 'ArrowDown: the next row');
  await page.keyboard.press('ArrowUp');
  assert.equal((await active(page)).rowObject, dom.roots[0].object, 'ArrowUp: back');
  for (let i = 0; i < parentIndex; i++) await page.keyboard.press('ArrowDown');
  assert.equal((await active(page)).rowObject, parent.object);
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector(`[data-testid=dominator-tree] tr[data-object="${parent.children[0].object}"][data-depth="1"]`);
  await frames(page);
  assert.equal(await page.getAttribute(`[data-testid=dominator-tree] tr[data-object="${parent.object}"] [data-action=expand]`, 'aria-expanded'), 'true', 'ArrowRight opens');
  assert.deepEqual(await active(page).then((a) => [a.rowObject, a.tag]), [parent.object, 'a'], 'the focus stays on the row');
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await active(page).then((a) => [a.rowObject, a.rowDepth]), [parent.children[0].object, '1'], 'down into the children');
  await page.keyboard.press('ArrowLeft');
  const back = await active(page);
  assert.equal(back.rowObject, parent.object, 'ArrowLeft on a closed child: its parent');
  await page.keyboard.press('ArrowLeft');
  await frames(page);
  assert.equal(await page.$$eval('[data-testid=dominator-tree] tr[data-depth="1"]', (r) => r.length), 0, 'ArrowLeft closes');
  assert.equal((await active(page)).rowObject, parent.object);
  await page.keyboard.press('Enter');
  await viewLoaded(page, `#inspect?object=${parent.object}`);

  // The paths from GC roots: the same keys on the merged tree.
  const cls = 'Fixtures$PgStatement';
  await openHash(page, `#paths?class=${cls}`);
  const nodes = await page.$$eval('[data-testid=path-node]', (ns) => ns.filter((n) => n.getClientRects().length > 0).map((n) => n.dataset.object));
  assert.ok(nodes.length >= 3, `nodes shown: ${nodes.length}`);
  await page.focus(`[data-testid=path-node][data-object="${nodes[0]}"] > .pnode-line a.obj`);
  await page.keyboard.press('ArrowDown');
  assert.equal((await active(page)).rowObject, nodes[1]);
  await page.keyboard.press('ArrowDown');
  assert.equal((await active(page)).rowObject, nodes[2]);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal((await active(page)).rowObject, nodes[0]);
  const toggle = `[data-testid=path-node][data-object="${nodes[0]}"] > .pnode-line [data-action=expand]`;
  assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'false', 'ArrowLeft closes a path node');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'true', 'ArrowRight opens it');
  await page.keyboard.press('Enter');
  await viewLoaded(page, `#inspect?object=${nodes[0]}`);
});

test('keyboard: Tab goes down the virtual table\'s rows in the order shown, after scrolling', async () => {
  const page = await env.newPage();
  await page.evaluate(async () => {
    const { VirtualTable } = await import('./views/vtable.js');
    const t = new VirtualTable({
      columns: [{
        key: 'class', title: 'Class', kind: 'text', value: (x) => x.name,
        decorate: (el, x) => { const a = document.createElement('a'); a.href = `#r${x.n}`; a.textContent = x.name; el.replaceChildren(a); },
      }, { key: 'n', title: 'N', kind: 'count', value: (x) => x.n }],
      rowData: (x) => ({ class: x.name }), sort: { key: 'n', desc: false }, testid: 'synthetic', label: 'synthetic',
    });
    t.el.style.height = '600px';
    t.el.style.flex = 'none';
    document.body.prepend(t.el);
    t.setRows(Array.from({ length: 2000 }, (_, i) => ({ name: `c${i}`, n: i })));
    window.synthetic = t;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  // Scrolled in steps, by less and by more than a screen: the pool's nodes go round, so at
  // some of these positions the rows shown wrap around the end of the pool.
  for (const top of [300, 1110, 1290, 2370, 2650, 3100, 4470, 4820, 5230]) {
    const order = await page.evaluate((y) => {
      const t = window.synthetic;
      t.el.scrollTop = y;
      t.render();
      const head = t.head.getBoundingClientRect().bottom;
      const first = [...t.canvas.querySelectorAll('[role=row]')].find((r) => r.getBoundingClientRect().top >= head);
      first.querySelector('a').focus({ preventScroll: true });
      return Number(first.getAttribute('aria-rowindex'));
    }, top);
    const seen = [order];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      seen.push(Number((await active(page)).rowIndex));
    }
    assert.deepEqual(seen, Array.from({ length: 13 }, (_, i) => order + i), `Tab at scrollTop ${top}: the next row down each time`);
  }
});

test('progress: one bar for the whole analysis that only grows, time left, the phase beneath', async () => {
  const page = await env.newPage();
  const shown = await page.evaluate(async () => {
    const { ProgressView } = await import('./views/progress.js');
    const v = new ProgressView({ onCancel: () => {} });
    v.start('dump.hprof', 1000);
    v.started -= 10_000; // as if 10 s had gone by
    const out = [];
    const ev = (phase, pass, done, total) => {
      v.update({ type: 'progress', phase, done, total, pass, passes: 3 });
      out.push({ bar: v.bar.value, pct: v.pct.textContent, eta: v.eta.textContent, phase: v.phase.textContent, phasePct: v.phasePct.textContent });
    };
    for (const [phase, pass, total] of [['index', 1, 1000], ['references', 2, 1000], ['reachability', 2, 50], ['referrers', 3, 1000], ['dominators', 3, 80], ['retained sizes', 3, 80]]) {
      for (let k = 0; k <= 4; k++) ev(phase, pass, (total * k) / 4, total);
    }
    for (let i = 0; i <= 8; i++) v.update({ type: 'progress', phase: 'report', done: i, total: 8, pass: 0, passes: 3, detail: 'x' });
    out.push({ bar: v.bar.value, pct: v.pct.textContent, eta: v.eta.textContent, phase: v.phase.textContent });
    // The layout: the bar and its percentage above, the phase beneath.
    const order = [v.bar, v.pct, v.phase].map((e) => e.getBoundingClientRect ? e : null);
    document.body.append(v.el);
    const tops = order.map((e) => e.getBoundingClientRect().top);
    v.el.remove();
    return { out, tops };
  });
  const bars = shown.out.map((s) => s.bar);
  for (let i = 1; i < bars.length; i++) assert.ok(bars[i] >= bars[i - 1], `the bar went back at event ${i}: ${bars.join(' ')}`);
  assert.equal(bars.at(-1), 1000);
  assert.equal(shown.out.at(-1).pct, '100 %');
  assert.ok(bars[5] > 0 && bars[5] < 300, `the end of pass 1 is a part of the whole: ${bars[5]}`);
  assert.equal(shown.out[2].phase, 'Indexing objects — pass 1 of 3');
  assert.equal(shown.out[2].phasePct, '50 %');
  assert.equal(shown.out[7].phase, 'Reading references — pass 2 of 3');
  assert.match(shown.out[7].eta, /^about \d+ (s|min) left$/);
  assert.ok(shown.tops[0] < shown.tops[2] && shown.tops[1] < shown.tops[2], 'the phase is beneath the bar');

  // The real events of an 18 MB file: the bar never goes back to 0 between phases.
  const padded = writePadded(env.tmp);
  await page.evaluate(() => {
    window.__bars = [];
    new MutationObserver(() => {
      const b = document.querySelector('#busy [data-testid=progress-bar]');
      if (b && b.hasAttribute('value')) window.__bars.push([b.value, document.querySelector('#busy .phase').textContent]);
    }).observe(document.querySelector('#busy'), { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.setInputFiles('#file-input', padded);
  assert.equal(await finalStatus(page), 'ready');
  const real = await page.evaluate(() => window.__bars);
  const phases = new Set(real.map((r) => r[1]));
  assert.ok(phases.size >= 5, `phases seen: ${[...phases].join(' | ')}`);
  for (let i = 1; i < real.length; i++) assert.ok(real[i][0] >= real[i - 1][0], `the bar went back: ${JSON.stringify(real[i - 1])} → ${JSON.stringify(real[i])}`);
  assert.equal(real.at(-1)[0], 1000);
});

test('dark mode: treemap boxes take the theme\'s colours; GC root kinds in MAT\'s words', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'dominators');
  await page.waitForSelector('[data-testid=treemap][data-state=ready] .tm-box.depth-1:not(.tm-rest)');
  const colours = async (scheme) => {
    await page.emulateMedia({ colorScheme: scheme });
    return page.$eval('[data-testid=treemap] .tm-box.depth-1:not(.tm-rest)', (b) => {
      const s = getComputedStyle(b);
      return { bg: s.backgroundColor, fg: s.color, panel: getComputedStyle(document.querySelector('.card')).backgroundColor };
    });
  };
  const light = await colours('light');
  const dark = await colours('dark');
  assert.notEqual(light.bg, dark.bg, 'the box colour follows the theme');
  assert.notEqual(light.fg, dark.fg, 'so does its text');
  const lum = (c) => { const [r, g, b] = c.match(/\d+/g).map(Number); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
  assert.ok(lum(dark.bg) < 0.4 && lum(dark.fg) > 0.7, `dark boxes, light text: ${JSON.stringify(dark)}`);
  assert.ok(lum(light.bg) > 0.6 && lum(light.fg) < 0.3, `light boxes, dark text: ${JSON.stringify(light)}`);
  await page.emulateMedia({ colorScheme: 'light' });

  // GC root kinds: the overview's table, a path's root badge, the inspector.
  const mat = { java_frame: 'Java local', jni_global: 'JNI global', sticky_class: 'System class', thread_object: 'Thread', jni_local: 'JNI local', native_stack: 'Native stack', monitor_used: 'Busy monitor', thread_block: 'Thread block', unknown: 'Unknown' };
  const kinds = cliJson('summary', timerDump).gc_roots;
  await showView(page, 'overview');
  const shown = await page.$$eval('[data-testid=gc-roots] td[data-col=kind]', (tds) => tds.map((td) => [td.dataset.kind, td.textContent]));
  assert.ok(shown.length >= 3, `kinds: ${JSON.stringify(shown)}`);
  for (const [k, text] of shown) {
    assert.ok(k in kinds, k);
    assert.equal(text, mat[k] ?? text, k);
    assert.doesNotMatch(text, /_/, `${k} shown as ${text}`);
  }
  assert.ok(shown.some(([k]) => k === 'sticky_class') && shown.some(([k]) => k === 'java_frame'));
  await openHash(page, '#paths?class=Fixtures$PgStatement');
  const badges = await page.$$eval('[data-testid=path-node] .badge.root', (bs) => bs.map((b) => [b.dataset.kinds, b.textContent]));
  assert.ok(badges.length > 0);
  for (const [k, text] of badges) assert.equal(text, `GC root: ${k.split(' ').map((x) => mat[x] ?? x).join(', ')}`);
  const rooted = await page.$eval('[data-testid=path-node][data-depth="0"]', (n) => n.dataset.object);
  await openHash(page, `#inspect?object=${rooted}`);
  const rootFact = await page.$$eval('[data-testid=inspector] dt', (dts) => dts.find((d) => d.textContent === 'GC root')?.nextElementSibling.textContent);
  const inspected = cliJson('inspect', timerDump, rooted).gc_roots;
  assert.equal(rootFact, inspected.map((k) => mat[k] ?? k).join(', '));
});

test('overview: what uses the memory first, then the figures and the metadata', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  await showView(page, 'overview');
  const classes = cliJson('histogram', timerDump, '--retained').classes;
  const top = [...classes].sort((a, b) => b.retained_bytes - a.retained_bytes).slice(0, 8);
  const rows = await page.$$eval('[data-testid=top-classes] li', (ls) => ls.map((l) => ({ name: l.dataset.class, retained: Number(l.dataset.retained), bar: l.querySelector('.consumer-bar').getBoundingClientRect().width })));
  assert.deepEqual(rows.map((r) => r.retained), top.map((c) => c.retained_bytes), 'classes by retained size');
  for (const r of rows) assert.ok(classes.some((c) => c.name === r.name && c.retained_bytes === r.retained), r.name);
  assert.ok(rows[0].bar > 0 && rows.every((r, i) => i === 0 || r.bar <= rows[i - 1].bar + 0.01), 'bars by size');
  const dom = cliJson('dominators', timerDump, '--top', '8');
  const objects = await page.$$eval('[data-testid=top-objects] li', (ls) => ls.map((l) => ({ object: l.dataset.object, retained: Number(l.dataset.retained) })));
  assert.deepEqual(objects, dom.roots.slice(0, 8).map((n) => ({ object: n.object, retained: n.retained_bytes })), 'the biggest dominator tree objects');
  const order = await page.evaluate(() => {
    const pos = (el) => [...document.querySelectorAll('.view-overview *')].indexOf(el);
    const model = [...document.querySelectorAll('.view-overview h2')].find((x) => x.textContent === 'Size model');
    return [pos(document.querySelector('[data-testid=overview-findings]')), pos(document.querySelector('[data-testid=top-consumers]')),
      pos(document.querySelector('[data-testid=overview-objects]')), pos(model)];
  });
  assert.ok(order.every((p, i) => p >= 0 && (i === 0 || p > order[i - 1])), `findings, consumers, figures, metadata: ${order}`);
});

test('class-name boxes complete from the dump\'s classes; a simple name resolves, or lists the choices', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  const names = [...new Set(cliJson('histogram', timerDump).classes.map((c) => c.name))];
  await openHash(page, '#paths');
  const list = await page.evaluate(() => {
    const input = document.querySelector('[data-testid=paths-input]');
    return { list: input.list?.id, options: [...input.list.options].map((o) => o.value) };
  });
  assert.equal(list.list, 'class-names');
  assert.deepEqual(list.options.sort(), [...names].sort(), 'every class of the dump');
  // `HashMap` is java.util.HashMap.
  assert.ok(names.includes('java.util.HashMap') && names.filter((n) => /[.]HashMap$/.test(n)).length === 1);
  await page.fill('[data-testid=paths-input]', 'HashMap');
  await page.press('[data-testid=paths-input]', 'Enter');
  await viewLoaded(page, '#paths?class=java.util.HashMap');
  assert.equal(await page.textContent('[data-testid=paths-class]'), 'java.util.HashMap');
  // `Node`: several inner classes have that name: the choices, not "no such object".
  const nodes = names.filter((n) => n.endsWith('$Node')).sort();
  assert.ok(nodes.length > 1, `Node classes: ${nodes}`);
  await page.fill('[data-testid=paths-input]', 'Node');
  await page.press('[data-testid=paths-input]', 'Enter');
  await page.waitForSelector('[data-testid=class-choices]');
  assert.deepEqual(await page.$$eval('[data-testid=class-choices] [data-choice]', (as) => as.map((a) => a.dataset.choice).sort()), nodes);
  await page.click(`[data-testid=class-choices] [data-choice="${nodes[0]}"]`);
  await viewLoaded(page, `#paths?class=${new URLSearchParams({ class: nodes[0] }).toString().slice(6)}`);
  // The class page and the immediate dominators take simple names too.
  for (const id of ['class-input', 'idom-input']) {
    const view = id === 'class-input' ? '#class' : '#immediate-dominators';
    await openHash(page, view);
    assert.equal(await page.$eval(`[data-testid=${id}]`, (i) => i.list?.id), 'class-names', id);
    await page.fill(`[data-testid=${id}]`, 'Timer');
    await page.press(`[data-testid=${id}]`, 'Enter');
    await viewLoaded(page, id === 'class-input' ? '#class?name=java.util.Timer' : '#immediate-dominators?class=java.util.Timer');
  }
});
