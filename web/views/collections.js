// The JDK collections (`heapscope collections`; Eclipse MAT's "Collection Fill Ratio" and
// "Collections Grouped By Size"): every HashMap, ArrayList, … by class and by the field
// that holds them, with sizes, capacities, fill ratios and the bytes their unused
// capacity wastes, largest waste first; the single collections that waste the most.

import { h } from './dom.js';
import * as fmt from './format.js';
import { tableSection } from './table.js';
import { classLink, loading, objectLink } from './links.js';

/** Holder rows and single collections the page asks for. */
const TOP = 200;

/** The columns every group of collections has (a class, or a holder and a class). */
const totals = [
  { key: 'instances', title: 'Collections', kind: 'count', value: (r) => r.instances },
  { key: 'empty', title: 'Empty', kind: 'count', value: (r) => r.empty },
  { key: 'size_total', title: 'Entries', kind: 'count', value: (r) => r.size_total },
  { key: 'capacity_total', title: 'Capacity', kind: 'count', value: (r) => r.capacity_total },
  { key: 'average_fill_ratio', title: 'Avg fill', kind: 'ratio', value: (r) => r.average_fill_ratio },
  { key: 'wasted_bytes', title: 'Wasted', kind: 'bytes', value: (r) => r.wasted_bytes },
];

const largest = { key: 'largest', title: 'Largest waste', kind: 'text', value: (r) => r.largest.object, decorate: (el, r) => el.replaceChildren(objectLink(r.largest)) };

function classesTable(r, onExport) {
  const buckets = r.fill_buckets.map((b, i) => ({
    key: `fill_${i}`, csv: `fill ${b}`, title: `Fill ${b}`, kind: 'count', value: (c) => (c.fill_ratios ? c.fill_ratios[i] : null),
  }));
  const t = tableSection({
    title: 'By class (fill ratio = entries / capacity)', name: 'collections-classes', rows: r.classes, onExport,
    empty: 'No collections of the JDK classes in this dump.',
    columns: [
      { key: 'class', title: 'Class', kind: 'text', value: (c) => c.class, decorate: (el, c) => el.replaceChildren(classLink(c.class)) },
      { key: 'kind', title: 'Kind', kind: 'text', value: (c) => c.kind, cellClass: 'muted' },
      ...totals,
      { key: 'zero_capacity', title: 'No table', kind: 'count', value: (c) => (c.capacity_total === null ? null : c.zero_capacity) },
      ...buckets,
      largest,
    ],
  });
  t.querySelectorAll('tbody tr').forEach((tr, i) => { tr.dataset.class = r.classes[i].class; });
  return t;
}

/** Collections grouped by size, for one class at a time (a choice of the classes). */
function sizesSection(r, onExport) {
  const body = h('div');
  const show = (name) => {
    const c = r.classes.find((x) => x.class === name);
    body.replaceChildren(tableSection({
      title: `${name}: collections grouped by size`, name: 'collections-sizes', rows: c ? c.by_size : [], onExport,
      columns: [
        { key: 'size', title: 'Entries', kind: 'count', value: (s) => s.size },
        { key: 'instances', title: 'Collections', kind: 'count', value: (s) => s.instances },
      ],
    }));
  };
  const select = h('select', {
    class: 'small', data: { testid: 'collections-sizes-class' }, attrs: { 'aria-label': 'Class whose collections are grouped by size' },
    on: { change: () => show(select.value) },
  }, r.classes.map((c) => h('option', { value: c.class, text: c.class })));
  if (r.classes.length === 0) return null;
  show(r.classes[0].class);
  return h('div', { class: 'collections-sizes' },
    h('label', { class: 'muted' }, 'Collections grouped by size of ', select), body);
}

function holdersTable(r, onExport) {
  const t = tableSection({
    title: r.holders.length < r.holders_total
      ? `By holding field (the first ${fmt.count(r.holders.length)} of ${fmt.count(r.holders_total)})`
      : 'By holding field',
    name: 'collections-holders', rows: r.holders, onExport,
    columns: [
      { key: 'holder', title: 'Held by', kind: 'text', value: (x) => x.holder, cellClass: 'mono' },
      { key: 'class', title: 'Class', kind: 'text', value: (x) => x.class, decorate: (el, x) => el.replaceChildren(classLink(x.class)) },
      ...totals,
      largest,
    ],
  });
  t.querySelectorAll('tbody tr').forEach((tr, i) => {
    tr.dataset.holder = r.holders[i].holder;
    tr.dataset.class = r.holders[i].class;
  });
  return t;
}

function instancesTable(r, onExport) {
  return tableSection({
    title: r.collections.length < r.instances
      ? `Single collections, largest waste first (the first ${fmt.count(r.collections.length)} of ${fmt.count(r.instances)})`
      : 'Single collections, largest waste first',
    name: 'collections-instances', rows: r.collections, onExport,
    columns: [
      { key: 'object', title: 'Collection', kind: 'text', value: (c) => c.object.object, decorate: (el, c) => el.replaceChildren(objectLink(c.object)) },
      { key: 'size', title: 'Entries', kind: 'count', value: (c) => c.size },
      { key: 'capacity', title: 'Capacity', kind: 'count', value: (c) => c.capacity },
      { key: 'fill_ratio', title: 'Fill', kind: 'ratio', value: (c) => c.fill_ratio },
      { key: 'wasted_bytes', title: 'Wasted', kind: 'bytes', value: (c) => c.wasted_bytes },
      { key: 'holder', title: 'Held by', kind: 'text', value: (c) => c.holder, cellClass: 'mono' },
    ],
  });
}

function render(r, onExport) {
  const note = h('p', {
    class: 'muted note',
    data: { testid: 'collections-summary', instances: String(r.instances), empty: String(r.empty), wasted: String(r.wasted_bytes), innerMaps: String(r.inner_maps) },
  }, `${fmt.count(r.instances)} collections (${fmt.count(r.empty)} empty): ${fmt.bytes(r.wasted_bytes)} taken by unused slots of their tables and arrays `,
  `(${r.reference_bytes}-byte references; a hash table's unused slots are its empty buckets, a list's the slots past its size). `,
  `A set's map is counted as the set (${fmt.count(r.inner_maps)} maps). `,
  'LinkedList and TreeMap have no capacity. Open a collection to see its entries.');
  return h('div', { class: 'collections' }, h('section', { class: 'card' }, h('h2', { text: 'Java collections' }), note),
    classesTable(r, onExport),
    h('section', { class: 'card' }, sizesSection(r, onExport)),
    holdersTable(r, onExport),
    instancesTable(r, onExport));
}

/**
 * @param {object} o
 * @param {{collections: (top: number) => Promise<import('../protocol.js').CollectionsReport>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function collectionsView({ load, onExport }) {
  const body = h('div');
  const el = h('div', { class: 'view-collections page', data: { testid: 'collections-view', state: 'loading' } }, body);
  loading(body, load.collections(TOP), (r) => render(r, onExport), 'Reading every collection…').then(() => {
    el.dataset.state = body.dataset.state;
  });
  return el;
}
