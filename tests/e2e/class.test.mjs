// The class page, from a histogram row: the CLI's `class --json` figures (instances,
// shallow size, the histogram's retained size, class object, superclasses, loader,
// statics, subclasses), the precise retained size button (the CLI's `retained-set`), the
// immediate dominators (the CLI's `immediate-dominators`, also past the JDK), and class
// names elsewhere (inspector, dominator tree) opening the class page.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import {
  cliFields, cliJson, corpus, dropReady, e2eFile, facts, frames, inspectorFields, openHash, screenshot, showView, timerDump,
  viewLoaded,
} from './helpers.mjs';

const env = e2eFile();

const JDK = 'java.*,javax.*,jdk.*,sun.*,com.sun.*';

/** The class page's entries as the page shows them. */
function entries(page) {
  return page.$$eval('[data-testid=class-entry]', (es) => es.map((e) => ({
    object: e.dataset.object ?? null,
    instances: Number(e.dataset.instances),
    shallow: Number(e.dataset.shallow),
    retained: Number(e.dataset.retained),
    superclasses: [...e.querySelectorAll('dt')].find((d) => d.textContent === 'Superclasses').nextElementSibling.textContent,
    loader: [...e.querySelectorAll('dt')].find((d) => d.textContent === 'Class loader').nextElementSibling.querySelector('a.obj')?.dataset.object ?? null,
    subclasses: [...e.querySelectorAll('[data-testid=class-subclasses] tbody tr')].map((tr) => [tr.querySelector('[data-col=class]').textContent, Number(tr.querySelector('[data-col=instances]').dataset.value)]),
  })));
}

const cliEntries = (r) => r.classes.map((c) => ({
  object: c.class_object?.object ?? null,
  instances: c.instances,
  shallow: c.shallow_bytes,
  retained: c.retained_bytes,
  superclasses: c.superclasses.length > 0 ? c.superclasses.map((s) => s.name).join(' → ') : 'none',
  loader: c.class_loader?.object ?? null,
  subclasses: c.subclasses.map((s) => [s.name, s.instances]),
}));

/** The immediate dominators table: class rows, and the dominator objects under each. */
function dominatorRows(page) {
  return page.$$eval('[data-testid=immediate-dominators] tbody tr[data-class]', (trs) => trs.map((tr) => {
    const v = (k) => {
      const x = tr.querySelector(`[data-col=${k}]`).dataset.value;
      return x === undefined ? 0 : Number(x);
    };
    return { class: tr.dataset.class, gc_roots: tr.dataset.gcRoots === '1', objects: v('objects'), dominated: v('dominated'), dominators: v('dominators'), shallow: v('shallow'), retained: v('retained') };
  }));
}
const cliDominatorRows = (d) => d.rows.map((r) => ({
  class: r.class, gc_roots: r.gc_roots === true, objects: r.objects, dominated: r.dominated_shallow_bytes, dominators: r.dominators, shallow: r.shallow_bytes, retained: r.retained_bytes,
}));

async function precise(page) {
  await page.click('[data-testid=class-precise]');
  await page.waitForFunction(() => document.querySelector('[data-testid=class-precise-result]')?.dataset.state === 'ready', null, { timeout: 120_000 });
  return page.$eval('[data-testid=class-precise-result]', (e) => ({ bytes: Number(e.dataset.bytes), objects: Number(e.dataset.objects), minimum: Number(e.dataset.minimum) }));
}

test('histogram row → class page: the CLI\'s class, retained-set and immediate-dominators figures', async () => {
  const page = await env.newPage();
  const f = facts('timer_finalizer');
  const cls = f.statement_class;
  await dropReady(page, timerDump);
  await showView(page, 'histogram');
  await page.fill('[data-testid=histogram-filter]', cls);
  await frames(page);
  await page.click(`[data-testid=histogram] [data-class="${cls}"] [data-col=instances]`);
  const hash = `#class?name=${encodeURIComponent(cls)}`;
  await viewLoaded(page, hash);
  const cli = cliJson('class', timerDump, cls);
  assert.deepEqual(await entries(page), cliEntries(cli));
  assert.equal(cli.classes[0].instances, f.statements);
  assert.deepEqual(await inspectorFields(page, 'class-statics'), cliFields(cli.classes[0].statics));
  // The biggest instances: as big as the biggest of the class's top-level dominator group
  // (no single object holds the statements; all retain the same).
  const biggest = cliJson('dominators', timerDump, '--group-by', 'class', '--depth', '1').groups.find((g) => g.class === cls).largest;
  assert.equal(await page.$eval('[data-testid=class-biggest] tbody tr [data-col=retained]', (td) => Number(td.dataset.value)), biggest.retained_bytes);
  // The precise retained size: one click, the CLI's retained-set.
  const set = cliJson('retained-set', timerDump, '--class', cls);
  assert.deepEqual(await precise(page), { bytes: set.retained_bytes, objects: set.retained_objects, minimum: set.minimum_retained_bytes });
  assert.equal(set.minimum_retained_bytes, cli.classes[0].retained_bytes, 'the lower bound is the histogram\'s');
  const setRows = await page.$$eval('[data-testid=retained-set] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('[data-col=class]').textContent, Number(tr.querySelector('[data-col=instances]').dataset.value), Number(tr.querySelector('[data-col=shallow]').dataset.value)]));
  assert.deepEqual(setRows, set.classes.slice(0, 20).map((c) => [c.name, c.instances, c.shallow_bytes]));
  await screenshot(page, '21-class', 1500);
  // Immediate dominators: every statement is also its Finalizer's referent, so no single
  // object keeps it alive: one `<GC roots>` row of every statement.
  await page.click('[data-testid=class-dominators]');
  await viewLoaded(page, `#immediate-dominators?class=${encodeURIComponent(cls)}`);
  const dom = cliJson('immediate-dominators', timerDump, '--class', cls);
  assert.deepEqual(await dominatorRows(page), cliDominatorRows(dom));
  assert.deepEqual(dom.rows.map((r) => [r.class, r.objects]), [['<GC roots>', f.statements]]);
  // Back to the class page, and on to its paths (one click).
  await page.goBack();
  await viewLoaded(page, hash);
  await page.click('[data-testid=class-paths]');
  await viewLoaded(page, `#paths?class=${encodeURIComponent(cls)}`);
  assert.equal(Number(await page.$eval('[data-testid=paths-summary]', (e) => e.dataset.targets)), f.statements);
  await page.click('[data-testid=paths-class]');
  await viewLoaded(page, hash);
});

test('immediate dominators of the cancelled tasks: the queue\'s array; past the JDK, the GC roots', async () => {
  const page = await env.newPage();
  const f = facts('timer_finalizer');
  const cls = f.task_class;
  await dropReady(page, timerDump);
  await openHash(page, `#class?name=${encodeURIComponent(cls)}`);
  const cli = cliJson('class', timerDump, cls);
  assert.deepEqual(await entries(page), cliEntries(cli));
  assert.equal(cli.classes[0].superclasses[0].name, 'java.util.TimerTask');
  await page.click('[data-testid=class-dominators]');
  const hash = `#immediate-dominators?class=${encodeURIComponent(cls)}`;
  await viewLoaded(page, hash);
  const dom = cliJson('immediate-dominators', timerDump, '--class', cls);
  assert.deepEqual(await dominatorRows(page), cliDominatorRows(dom));
  assert.deepEqual(dom.rows.map((r) => [r.class, r.dominators, r.objects]), [['java.util.TimerTask[]', 1, f.cancelled_tasks]]);
  // One row: opened, its dominator objects listed as the CLI lists them.
  const objects = await page.$$eval('[data-testid=immediate-dominators] tr[data-dominator-of]:not([hidden])', (trs) => trs.map((tr) => [tr.dataset.object, Number(tr.querySelector('[data-col=objects]').dataset.value)]));
  assert.deepEqual(objects, dom.rows[0].top.map((o) => [o.object, o.objects]));
  await screenshot(page, '22-immediate-dominators');
  // Past the JDK: the array, the queue and the Timer's thread are java.*; no application
  // object keeps the tasks alive.
  await page.check('[data-testid=idom-skip]');
  await viewLoaded(page, `${hash}&skip=jdk`);
  const past = cliJson('immediate-dominators', timerDump, '--class', cls, '--skip', JDK);
  assert.deepEqual(await dominatorRows(page), cliDominatorRows(past));
  assert.deepEqual(past.rows.map((r) => [r.class, r.objects]), [['<GC roots>', f.cancelled_tasks]]);
  // The class page of the array's class from the dominator row's class link.
  await page.goBack();
  await viewLoaded(page, hash);
  await page.click('[data-testid=immediate-dominators] tr[data-class="java.util.TimerTask[]"] a.cls');
  await viewLoaded(page, `#class?name=${encodeURIComponent('java.util.TimerTask[]')}`);
  assert.deepEqual(await entries(page), cliEntries(cliJson('class', timerDump, 'java.util.TimerTask[]')));
});

test('class names open the class page: inspector, dominator tree; a class with subclasses and statics', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  // The dominator tree's first row: its class name links to the class page.
  const top = cliJson('dominators', timerDump, '--top', '1', '--depth', '1').roots[0];
  await showView(page, 'dominators');
  const link = await page.$(`[data-testid=dominator-tree] tr[data-object="${top.object}"] a.cls`);
  const name = top.class.replace(/^class /, '');
  await link.click();
  await viewLoaded(page, `#class?name=${encodeURIComponent(name)}`);
  assert.deepEqual(await entries(page), cliEntries(cliJson('class', timerDump, name)));
  // The inspector's object: its class name links to the class page, whose subclasses and
  // statics are the CLI's.
  const queue = '0xffd3e4d0';
  await openHash(page, `#inspect?object=${queue}`);
  await page.click('[data-testid=inspector] h2 a.cls');
  const arr = 'java.util.TimerTask[]';
  await viewLoaded(page, `#class?name=${encodeURIComponent(arr)}`);
  await openHash(page, '#class?name=java.util.TimerTask');
  const cli = cliJson('class', timerDump, 'java.util.TimerTask');
  assert.deepEqual(await entries(page), cliEntries(cli));
  assert.deepEqual(await inspectorFields(page, 'class-statics'), cliFields(cli.classes[0].statics));
  assert.equal(cli.classes[0].subclasses.length, 2);
  // A name the dump lacks.
  await openHash(page, '#class?name=no.such.Class');
  assert.match(await page.textContent('[data-testid=class-none]'), /No class named no\.such\.Class/);
});

test('a corpus dump (gzip): class page and precise retained size of java.lang.Module as the CLI gives them', async () => {
  const file = path.join(corpus, 'openjdk_jdk11_04_x64.hprof.gz');
  const page = await env.newPage();
  await dropReady(page, file);
  const cls = 'java.lang.Module';
  await openHash(page, `#class?name=${encodeURIComponent(cls)}`);
  const cli = cliJson('class', file, cls);
  assert.deepEqual(await entries(page), cliEntries(cli));
  assert.deepEqual(await inspectorFields(page, 'class-statics'), cliFields(cli.classes[0].statics));
  const set = cliJson('retained-set', file, '--class', cls);
  assert.deepEqual(await precise(page), { bytes: set.retained_bytes, objects: set.retained_objects, minimum: set.minimum_retained_bytes });
  assert.ok(set.retained_bytes >= set.minimum_retained_bytes);
  await openHash(page, `#immediate-dominators?class=${encodeURIComponent(cls)}&skip=jdk`);
  assert.deepEqual(await dominatorRows(page), cliDominatorRows(cliJson('immediate-dominators', file, '--class', cls, '--skip', JDK)));
});
