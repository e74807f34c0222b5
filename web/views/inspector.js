// The object inspector (`heapscope inspect`): one object's fields (primitives as values,
// strings as text, references as links with the class they point to), a class's statics,
// an array's elements and a collection's entries (a page at a time), who refers to it and
// through which field (a page at a time), its dominator and its GC roots. A field that
// holds a collection shows that collection's first entries below the fields.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { tableSection } from './table.js';
import { classHref, classLink, classPathsHref, href, inspectHref, loading, objectLink, parseObjectId, pathsHref } from './links.js';
import { rootKinds } from './rootkinds.js';

/** Elements, entries and referrers per page (the query's default `max_items`). */
const PAGE = 100;

/** A field's or element's value: a link for references, the value text otherwise. */
function valueCell(el, x) {
  if (x.object) el.replaceChildren(objectLink(x.object, { retained: true }));
  else el.replaceChildren(h('span', { class: x.value === 'null' ? 'muted' : 'mono', text: x.value }));
}

/** A field's type: the declared one for primitives, the referenced object's class for references. */
function fieldType(f) {
  if (f.object) return f.object.class;
  return f.type === 'java.lang.Object' ? 'reference' : f.type;
}

/** A table of fields (`inspect`'s `fields` or `statics`): rows `tr[data-name]`. */
export function fieldTable(title, name, rows, onExport, empty) {
  const t = tableSection({
    title, name, rows, onExport, empty,
    columns: [
      { key: 'declaring', title: 'Declared in', kind: 'text', value: (f) => f.declaring, cellClass: 'mono muted', decorate: (el, f) => el.replaceChildren(classLink(f.declaring)) },
      { key: 'name', title: 'Field', kind: 'text', value: (f) => f.name, cellClass: 'mono' },
      // A dump declares a primitive field's type but only "object" (`java.lang.Object`) for
      // a reference field: show the class of the object it points to, `reference` for null.
      { key: 'type', title: 'Type', kind: 'text', value: fieldType, cellClass: 'mono muted' },
      { key: 'value', title: 'Value', kind: 'text', value: (f) => f.value, decorate: valueCell },
    ],
  });
  rows.forEach((f, i) => {
    const tr = t.querySelectorAll('tbody tr')[i];
    if (tr) tr.dataset.name = f.name;
  });
  return t;
}

/** `3 entries · capacity 16 · 18.8 % full · 52 B unused` of a collection's figures. */
function factsText(c) {
  return [
    `${fmt.count(c.size)} ${c.kind === 'map' ? 'entries' : 'elements'}`,
    c.capacity !== null && c.capacity !== undefined && `capacity ${fmt.count(c.capacity)}`,
    c.fill_ratio !== null && c.fill_ratio !== undefined && `${(100 * c.fill_ratio).toFixed(1)} % full`,
    c.capacity !== null && c.capacity !== undefined && `${fmt.bytes(c.wasted_bytes)} in unused slots`,
  ].filter(Boolean).join(' · ');
}

/** An entry side (key or value): a link, or `null`. */
function itemCell(el, item) {
  if (!item) el.replaceChildren();
  else if (item.object) el.replaceChildren(objectLink(item.object, { retained: true }));
  else el.replaceChildren(h('span', { class: item.value === 'null' ? 'muted' : 'mono', text: item.value }));
}

/** A collection's entries: index, key (maps), value. */
function entriesTable(title, name, kind, entries, onExport) {
  const t = tableSection({
    title, name, rows: entries, onExport, empty: 'No entries.',
    columns: [
      { key: 'index', title: '#', kind: 'count', value: (e) => e.index },
      kind === 'map' && { key: 'key', title: 'Key', kind: 'text', value: (e) => e.key?.value, decorate: (el, e) => itemCell(el, e.key) },
      { key: 'value', title: kind === 'map' ? 'Value' : 'Element', kind: 'text', value: (e) => e.value.value, decorate: (el, e) => itemCell(el, e.value) },
    ].filter(Boolean),
  });
  entries.forEach((e, i) => {
    const tr = t.querySelectorAll('tbody tr')[i];
    if (tr) tr.dataset.index = String(e.index);
  });
  return t;
}

/**
 * Previous / next links over a list of `total` items shown from `offset` (`shown` of
 * them), numbered from 0 as the tables' `#` column; `to(offset)` is the page's address.
 * Nothing when one page holds them all.
 */
function pager(name, offset, shown, total, to) {
  if (offset === 0 && shown >= total) return null;
  const link = (text, o, test) => h('a', { href: to(o), text, data: { testid: `${name}-${test}` } });
  return h('nav', { class: 'pager', data: { testid: `${name}-pager`, offset: String(offset), total: String(total) }, attrs: { 'aria-label': `Pages of ${name}` } },
    offset > 0 ? link('◀ Previous', Math.max(0, offset - PAGE), 'previous') : h('span', { class: 'disabled', text: '◀ Previous' }),
    h('span', { text: shown > 0 ? `#${fmt.count(offset)}–#${fmt.count(offset + shown - 1)} of ${fmt.count(total)}` : `none from #${fmt.count(offset)} (${fmt.count(total)} in all)` }),
    offset + shown < total ? link('Next ▶', offset + PAGE, 'next') : h('span', { class: 'disabled', text: 'Next ▶' }));
}

/** A section's pager placed under its heading. */
function withPager(section, nav) {
  if (nav) section.querySelector('.section-head')?.after(nav);
  return section;
}

/** The first entries of the collections the fields hold (one click from the object). */
function fieldCollections(fields, onExport) {
  return fields.filter((f) => f.collection).map((f) => {
    const c = f.collection;
    const section = entriesTable(
      `${f.name}: ${f.object.class}, ${c.entries.length < c.entries_total ? `the first ${fmt.count(c.entries.length)} of ${fmt.count(c.entries_total)}` : `${fmt.count(c.entries_total)}`} ${c.kind === 'map' ? 'entries' : 'elements'}`,
      `field-entries-${f.name}`, c.kind, c.entries, onExport);
    section.classList.add('field-entries');
    section.dataset.testid = 'inspector-field-entries';
    section.dataset.field = f.name;
    section.dataset.total = String(c.entries_total);
    section.append(h('p', { class: 'muted note' }, factsText(c), ' · ',
      h('a', { href: inspectHref(f.object.object), text: 'Open the collection' })));
    return section;
  });
}

function render(v, onExport, page) {
  const to = (p) => href('inspect', {
    object: v.object,
    offset: (p.offset ?? page.offset) || undefined,
    referrers: (p.referrers ?? page.referrers) || undefined,
  });
  const facts = [
    ['Kind', v.kind],
    ['Shallow size', `${fmt.bytes(v.shallow_bytes)} (${fmt.count(v.shallow_bytes)} bytes)`],
    ['Retained size', `${fmt.bytes(v.retained_bytes)} (${fmt.count(v.retained_bytes)} bytes)`],
    v.length !== undefined && ['Length', fmt.count(v.length)],
    v.value !== undefined && ['Value', h('span', { class: 'strval', text: `"${v.value}"` })],
    ['Reachable', v.reachable ? 'yes' : 'no: no GC root reaches it (it would be collected)'],
    ['GC root', v.gc_roots.length > 0 ? rootKinds(v.gc_roots) : 'no'],
    ['Dominator', v.dominator ? objectLink(v.dominator, { retained: true }) : (v.reachable ? 'the GC roots (no single object keeps it alive)' : '–')],
  ].filter(Boolean);
  const head = h('section', { class: 'card' },
    h('div', { class: 'section-head' },
      h('h2', {}, v.kind === 'class' ? h('code', { text: v.class }) : classLink(v.class), ' ', h('span', { class: 'oid', text: v.object })),
      h('div', { class: 'head-actions' },
        v.kind === 'class' && h('a', { class: 'button secondary small', href: classHref(v.class.replace(/^class /, '')), text: 'Class page' }),
        v.kind === 'class' && h('a', { class: 'button secondary small', href: classPathsHref(v.class.replace(/^class /, '')), text: 'Instances and their paths' }),
        v.reachable && h('a', { class: 'button secondary small', href: pathsHref(v.object), text: 'Paths from GC roots', data: { testid: 'inspector-paths' } }))),
    h('dl', { class: 'facts', data: { testid: 'inspector-facts' } }, facts.flatMap(([k, x]) => [h('dt', { text: k }), h('dd', {}, x)])));
  const parts = [head];
  if (v.collection) {
    // A collection: its entries first (a page at a time), its internals below.
    const c = v.collection;
    const entries = entriesTable(`Entries (${c.base} ${c.kind})`, 'inspector-entries', c.kind, v.entries, onExport);
    entries.dataset.testid = 'inspector-collection';
    entries.dataset.size = String(c.size);
    entries.querySelector('.section-head')?.after(h('p', { class: 'muted note', data: { testid: 'inspector-collection-facts' }, text: factsText(c) }));
    parts.push(withPager(entries, pager('inspector-entries', page.offset, v.entries.length, v.entries_total, (o) => to({ offset: o }))));
  }
  if (v.kind === 'class' || v.statics.length > 0) parts.push(fieldTable('Static fields', 'inspector-statics', v.statics, onExport, 'No static fields.'));
  if (v.kind === 'instance') parts.push(fieldTable(v.collection ? 'Fields (the collection\'s internals)' : 'Fields', 'inspector-fields', v.fields, onExport, 'No instance fields.'));
  parts.push(...fieldCollections([...v.statics, ...v.fields], onExport));
  if (v.length !== undefined) {
    const first = v.elements[0]?.index ?? page.offset;
    const elements = tableSection({
      title: v.elements.length < v.length ? `Elements (${fmt.count(v.length)})` : 'Elements',
      name: 'inspector-elements', rows: v.elements, onExport, empty: page.offset > 0 ? 'No elements on this page.' : 'The array is empty.',
      columns: [
        { key: 'index', title: 'Index', kind: 'count', value: (e) => e.index },
        { key: 'value', title: 'Value', kind: 'text', value: (e) => e.value, decorate: valueCell },
      ],
    });
    parts.push(withPager(elements, pager('inspector-elements', first, v.elements.length, v.length, (o) => to({ offset: o }))));
  }
  const referrers = tableSection({
    title: `Referrers (${fmt.count(v.referrers_total)})`,
    name: 'inspector-referrers', rows: v.referrers, onExport, empty: page.referrers > 0 ? 'No referrers on this page.' : 'Nothing refers to this object.',
    columns: [
      { key: 'object', title: 'Object', kind: 'text', value: (r) => r.object.object, decorate: (el, r) => el.replaceChildren(objectLink(r.object, { retained: true })) },
      { key: 'field', title: 'Through field', kind: 'text', value: (r) => r.field, cellClass: 'mono' },
    ],
  });
  parts.push(withPager(referrers, pager('inspector-referrers', page.referrers, v.referrers.length, v.referrers_total, (o) => to({ referrers: o }))));
  return h('div', { class: 'inspector', data: { testid: 'inspector', object: v.object } }, parts);
}

/**
 * @param {object} o
 * @param {URLSearchParams} o.params   `object`: the ID; `offset`: the first element or entry
 *                                    shown; `referrers`: the first referrer shown
 * @param {{inspect: (id: string, page: {offset?: number, referrersOffset?: number, limit?: number}) => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function inspectorView({ params, load, onExport }) {
  const id = params.get('object');
  const number = (k) => Math.max(0, Math.floor(Number(params.get(k)) || 0));
  const page = { offset: number('offset'), referrers: number('referrers') };
  const input = h('input', {
    type: 'search', class: 'filter', name: 'object', value: id ?? '', placeholder: 'Object ID (0x…)', autocomplete: 'off', spellcheck: false,
    data: { testid: 'inspect-input' }, attrs: { 'aria-label': 'Object ID' },
  });
  const form = h('form', {
    class: 'toolbar',
    on: {
      submit: (e) => {
        e.preventDefault();
        const t = input.value.trim();
        // Not an ID: the view shows the worker's answer to it.
        if (t) location.hash = inspectHref(parseObjectId(t, { bare: true }) ?? t);
      },
    },
  }, input, h('button', { type: 'submit', class: 'small', text: 'Inspect' }));
  const body = h('div');
  const el = h('div', { class: 'view-inspect page' }, form, body);
  if (id) {
    el.dataset.state = 'loading';
    loading(body, load.inspect(id, { offset: page.offset, referrersOffset: page.referrers, limit: PAGE }), (v) => render(v, onExport, page), 'Reading the object…').then(() => {
      el.dataset.state = body.dataset.state;
    });
  } else {
    replace(body, h('p', { class: 'card muted', text: 'Type an object ID, or click an object in another view.' }));
    el.dataset.state = 'ready';
  }
  return el;
}
