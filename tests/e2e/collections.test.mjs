// Collections: the view's tables are the CLI's `collections --json` rows (by class, grouped
// by size, by holding field, single collections) with a CSV export; the inspector shows a
// collection's entries a page at a time, a session's attributes one click from the
// sessions map's entry, an array's elements in pages, and a path's array index opens that
// element's page.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { cliJson, download, dropReady, e2eFile, facts, fixtures, frames, openHash, screenshot, showView, timerDump, viewLoaded } from './helpers.mjs';

const env = e2eFile();
const collectionsDump = path.join(fixtures, 'collections.hprof');

/** A table's rows as `{col: data-value or text}` objects. */
function tableRows(page, testid) {
  return page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) => trs.map((tr) => Object.fromEntries(
    [...tr.querySelectorAll('td')].map((td) => [td.dataset.col, td.dataset.value ?? td.querySelector('a.obj')?.dataset.object ?? td.textContent]),
  )));
}

const num = (v) => (v === null || v === undefined ? undefined : String(v));

test('the collections view shows the CLI\'s rows by class, by size, by holding field and the largest wasters', async () => {
  const page = await env.newPage();
  await dropReady(page, collectionsDump);
  const cli = cliJson('collections', collectionsDump, '--top', '200');
  await showView(page, 'collections');
  await viewLoaded(page, '#collections');
  const note = await page.$eval('[data-testid=collections-summary]', (e) => ({ ...e.dataset }));
  assert.deepEqual(note, { testid: 'collections-summary', instances: String(cli.instances), empty: String(cli.empty), wasted: String(cli.wasted_bytes), innerMaps: String(cli.inner_maps) });
  // By class: every class, its figures and fill-ratio buckets.
  const classes = await tableRows(page, 'collections-classes');
  assert.deepEqual(classes.map((r) => [r.class, r.instances, r.empty, r.size_total, r.capacity_total, r.wasted_bytes, r.fill_0, r.fill_5, r.largest]),
    cli.classes.map((c) => [c.class, num(c.instances), num(c.empty), num(c.size_total), c.capacity_total === null ? '–' : num(c.capacity_total), num(c.wasted_bytes),
      c.fill_ratios ? num(c.fill_ratios[0]) : '–', c.fill_ratios ? num(c.fill_ratios[5]) : '–', c.largest.object]));
  assert.ok(classes.length >= 11, 'every collection class of the fixture');
  // Grouped by size, for a chosen class.
  await page.selectOption('[data-testid=collections-sizes-class]', 'java.util.ArrayList');
  await frames(page);
  const sizes = await tableRows(page, 'collections-sizes');
  const list = cli.classes.find((c) => c.class === 'java.util.ArrayList');
  assert.deepEqual(sizes.map((r) => [Number(r.size), Number(r.instances)]), list.by_size.map((s) => [s.size, s.instances]));
  // By holding field: the program's fields among them.
  const holders = await tableRows(page, 'collections-holders');
  assert.deepEqual(holders.map((r) => [r.holder, r.class, r.instances, r.wasted_bytes]), cli.holders.map((x) => [x.holder, x.class, num(x.instances), num(x.wasted_bytes)]));
  const f = facts('collections');
  for (const [cls, g] of Object.entries(f.collections)) {
    const row = holders.find((r) => r.holder === `${f.holder_class}.${g.field}[]` && r.class === cls);
    assert.ok(row, `${cls}: held by ${g.field}`);
    assert.equal(Number(row.instances), g.instances, cls);
  }
  // The largest wasters, each a link to its inspector.
  const single = await tableRows(page, 'collections-instances');
  assert.deepEqual(single.map((r) => [r.object, r.size, r.capacity ?? '–', r.holder]), cli.collections.map((c) => [c.object.object, num(c.size), c.capacity === null ? '–' : num(c.capacity), c.holder]));
  await screenshot(page, '21-collections', 1600);
  const csv = await download(page, '[data-testid=export-collections-classes]');
  assert.match(csv.name, /-collections-classes\.csv$/);
  assert.equal(csv.text.trim().split('\n').length, cli.classes.length + 1, 'a CSV row per class and a header');
  // A row's collection opens in the inspector with its entries first.
  await page.click(`[data-testid=collections-instances] a.obj[data-object="${cli.collections[0].object.object}"]`);
  await viewLoaded(page, `#inspect?object=${cli.collections[0].object.object}`);
  const facts0 = await page.$eval('[data-testid=inspector-collection]', (e) => Number(e.dataset.size));
  assert.equal(facts0, cli.collections[0].size);
});

test('a session\'s attributes are one click from the sessions map\'s entry; entries in pages', async () => {
  const page = await env.newPage();
  await dropReady(page, collectionsDump);
  const f = facts('collections').sessions;
  const holder = `${f.holder_class}.${f.holder_static_field}`;
  const map = cliJson('collections', collectionsDump, '--holder', holder).collections[0].object.object;
  const all = cliJson('inspect', collectionsDump, map, '--limit', '1000');
  assert.equal(all.entries_total, f.sessions);
  // Page through the map's entries until the example session's.
  await openHash(page, `#inspect?object=${map}`);
  let entry = null;
  for (let pageNo = 0; pageNo < 3 && !entry; pageNo += 1) {
    const cli = cliJson('inspect', collectionsDump, map, '--offset', String(pageNo * 100));
    const rows = await page.$$eval('[data-testid=inspector-entries] tbody tr', (trs) => trs.map((tr) => ({
      index: Number(tr.dataset.index),
      key: tr.querySelector('[data-col=key] .strval')?.title,
      value: tr.querySelector('[data-col=value] a.obj')?.dataset.object,
    })));
    assert.deepEqual(rows, cli.entries.map((e) => ({ index: e.index, key: e.key.object.value, value: e.value.object.object })), `page ${pageNo + 1}`);
    entry = rows.find((r) => r.key === f.example.id);
    if (!entry) {
      await page.click('[data-testid=inspector-entries-next]');
      await viewLoaded(page, `#inspect?object=${map}&offset=${(pageNo + 1) * 100}`);
    }
  }
  assert.ok(entry, 'the example session is among the entries');
  await screenshot(page, '23-map-entries', 1200);
  // One click: the session's inspector shows its attributes as entries.
  await page.click(`[data-testid=inspector-entries] tr[data-index="${entry.index}"] [data-col=value] a.obj`);
  await viewLoaded(page, `#inspect?object=${entry.value}`);
  const session = cliJson('inspect', collectionsDump, entry.value);
  const attrs = session.fields.find((x) => x.name === f.attributes_field).collection;
  const shown = await page.$$eval(`[data-testid=inspector-field-entries][data-field="${f.attributes_field}"] tbody tr`, (trs) => trs.map((tr) => [
    tr.querySelector('[data-col=key] .strval')?.title,
    tr.querySelector('[data-col=value] .strval')?.title ?? tr.querySelector('[data-col=value] .cls')?.textContent,
  ]));
  assert.deepEqual(shown, attrs.entries.map((e) => [e.key.object.value, e.value.object.value ?? e.value.object.class]));
  assert.deepEqual(Object.fromEntries(shown).user, f.example.user);
  assert.deepEqual(shown.map((s) => s[0]).sort(), [...f.attribute_keys].sort());
  // The Type column names the referenced object's class.
  const type = await page.$eval(`[data-testid=inspector-fields] tr[data-name="${f.attributes_field}"] [data-col=type]`, (td) => td.textContent);
  assert.equal(type, f.attributes_class);
  await screenshot(page, '22-session-attributes', 1200);
});

test('an array\'s elements and its referrers page through; a path\'s array index opens that element', async () => {
  const page = await env.newPage();
  await dropReady(page, timerDump);
  // A PgStatement held by a cancelled task in the Timer's queue: its path goes through
  // the TimerTask[] by an index.
  const target = '0xfc03c8c0';
  await openHash(page, `#paths?object=${target}`);
  const link = await page.$('[data-testid=path-index]');
  assert.ok(link, 'an array index on the path');
  const field = await link.textContent();
  const index = Number(/\[(\d+)\]/.exec(field)[1]);
  const hash = await link.getAttribute('href');
  await link.click();
  await viewLoaded(page, hash);
  const array = new URLSearchParams(hash.split('?')[1]).get('object');
  const cli = cliJson('inspect', timerDump, array, '--offset', String(index));
  const rows = await page.$$eval('[data-testid=inspector-elements] tbody tr', (trs) => trs.map((tr) => [
    Number(tr.querySelector('[data-col=index]').dataset.value), tr.querySelector('[data-col=value] a.obj')?.dataset.object ?? null]));
  assert.deepEqual(rows, cli.elements.map((e) => [e.index, e.object?.object ?? null]));
  assert.equal(rows[0][0], index, 'the page starts at the element');
  const nav = await page.$eval('[data-testid=inspector-elements-pager]', (e) => ({ offset: Number(e.dataset.offset), total: Number(e.dataset.total) }));
  assert.deepEqual(nav, { offset: index, total: cli.length });
  // Previous goes back one page; the elements there are the CLI's too.
  await page.click('[data-testid=inspector-elements-previous]');
  const back = Math.max(0, index - 100);
  await viewLoaded(page, back > 0 ? `#inspect?object=${array}&offset=${back}` : `#inspect?object=${array}`);
  const prev = cliJson('inspect', timerDump, array, '--offset', String(back));
  const first = await page.$eval('[data-testid=inspector-elements] tbody tr [data-col=index]', (td) => Number(td.dataset.value));
  assert.equal(first, prev.elements[0].index);
  // Referrers in pages: class java.lang.ref.Finalizer (its instances refer to it).
  const cls = '0xfd9b2db8';
  await openHash(page, `#inspect?object=${cls}`);
  const many = cliJson('inspect', timerDump, cls, '--referrers-offset', '100');
  assert.ok(many.referrers_total > 200, `${many.referrers_total} referrers`);
  await page.click('[data-testid=inspector-referrers-next]');
  await viewLoaded(page, `#inspect?object=${cls}&referrers=100`);
  const refs = await page.$$eval('[data-testid=inspector-referrers] tbody tr a.obj', (as) => as.map((a) => a.dataset.object));
  assert.deepEqual(refs, many.referrers.map((r) => r.object.object));
});
