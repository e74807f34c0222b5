// Duplicate strings (`heapscope duplicate-strings`, Eclipse MAT's "Group by value" on
// java.lang.String): the values several reachable strings hold, most wasted bytes first —
// what would be freed if one copy of each were kept: the other copies' String objects and
// the value arrays only they use. Holders: the class and field referring to the copies
// (for an array, also what holds the array). The value opens its first copy in the
// inspector; the copies column lists the first ones.
// Hooks: [data-testid=dup-summary] (data-strings, -values, -duplicates, -wasted), the table
// [data-testid=duplicate-strings] with rows [data-rank] (the answer's order, 0-based) and
// cells data-col (+ data-value; the value's cell its whole text as listed), [data-testid=duplicate-strings-filter], the CSV export.

import { h } from './dom.js';
import * as fmt from './format.js';
import { VirtualTable } from './vtable.js';
import { exportButton } from './table.js';
import { inspectHref, loading } from './links.js';

/** Values asked for (the totals cover every value; the CLI's --top). */
export const TOP = 2000;

/** A holder as one line: `Class.field`, or `Array[] of Class.field` for an array's. */
export function holderText(x) {
  if (x.array_held_by) return `${x.class} of ${x.array_held_by.class}.${x.array_held_by.field}`;
  return x.field === '[]' ? x.class : `${x.class}.${x.field}`;
}

/** The value on one line: control characters escaped. */
function oneLine(s) {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const allHolders = (r) => r.holders.map((x) => `${fmt.count(x.count)} × ${holderText(x)}`).join('; ') + (r.more_holders > 0 ? `; … ${r.more_holders} more` : '');

const columns = [
  {
    key: 'value', csv: 'value', title: 'Value', kind: 'text', width: 'minmax(14rem, 2fr)', cellClass: 'mono', value: (r) => r.value,
    decorate: (el, r) => {
      el.replaceChildren(h('a', { href: inspectHref(r.objects[0]), text: `"${oneLine(r.value)}"`, data: { object: r.objects[0] } }));
      el.title = `${r.value}\n${fmt.count(r.length)} characters — opens the first copy in the inspector`;
      el.dataset.value = r.value;
    },
  },
  { key: 'length', csv: 'length', title: 'Length', kind: 'count', width: '6rem', value: (r) => r.length },
  { key: 'count', csv: 'count', title: 'Strings', kind: 'count', width: '7rem', value: (r) => r.count },
  {
    key: 'wasted', csv: 'wasted_bytes', title: 'Wasted', kind: 'bytes', width: '8rem', value: (r) => r.wasted_bytes,
    decorate: (el, r) => {
      el.title = `${fmt.count(r.wasted_bytes)} bytes: ${fmt.count(r.string_bytes)} of String objects (every copy but one) and ${fmt.count(r.array_bytes)} of value arrays only these copies use (${fmt.count(r.value_arrays)} arrays)`;
    },
  },
  {
    key: 'holders', csv: 'holders', title: 'Held by (references)', kind: 'text', width: 'minmax(14rem, 2fr)', cellClass: 'mono', value: allHolders,
    decorate: (el, r) => {
      const first = r.holders[0];
      const more = r.holders.length - 1 + r.more_holders;
      el.textContent = first ? `${fmt.count(first.count)} × ${holderText(first)}${more > 0 ? ` (+${more} more)` : ''}` : '';
      el.title = allHolders(r).replaceAll('; ', '\n');
    },
  },
  {
    key: 'objects', csv: 'objects', title: 'Copies', kind: 'text', width: '12rem', cellClass: 'mono', value: (r) => r.objects.join(' '),
    decorate: (el, r) => {
      el.replaceChildren(...r.objects.flatMap((id, i) => [i > 0 ? ' ' : '', h('a', { href: inspectHref(id), text: id, data: { object: id }, title: `Inspect ${id}` })]));
      el.title = `The first ${r.objects.length} of ${fmt.count(r.count)} copies`;
    },
  },
];

function render(d, onExport) {
  const rows = d.values.map((v, rank) => ({ ...v, rank }));
  const lower = rows.map((r) => r.value.toLowerCase());
  const table = new VirtualTable({
    columns,
    rowData: (r) => ({ rank: String(r.rank) }),
    sort: { key: 'wasted', desc: true },
    testid: 'duplicate-strings',
    label: 'Duplicate strings',
  });
  const counts = h('p', { class: 'muted counts', attrs: { 'aria-live': 'polite' } });
  const filter = h('input', {
    type: 'search', class: 'filter', placeholder: 'Filter values…', autocomplete: 'off', spellcheck: false,
    data: { testid: 'duplicate-strings-filter' }, attrs: { 'aria-label': 'Filter values by a part of them' },
    on: { input: () => apply() },
  });
  const apply = () => {
    const q = filter.value.toLowerCase();
    const shown = q ? rows.filter((_, i) => lower[i].includes(q)) : rows;
    counts.textContent = q
      ? `${fmt.count(shown.length)} of ${fmt.count(rows.length)} values listed`
      : `${fmt.count(rows.length)} values listed${d.more_values > 0 ? ` (the ${fmt.count(d.more_values)} wasting least left out)` : ''}`;
    table.setRows(shown, 'No listed value contains that text.');
  };
  apply();
  const summary = h('p', {
    data: { testid: 'dup-summary', strings: String(d.strings), values: String(d.duplicated_values), duplicates: String(d.duplicate_strings), wasted: String(d.wasted_bytes) },
  },
  `${fmt.count(d.strings)} reachable strings: ${fmt.count(d.duplicated_values)} values are each held by ${d.min_count} or more of them (${fmt.count(d.duplicate_strings)} strings), wasting `,
  h('strong', { text: fmt.bytes(d.wasted_bytes), title: `${fmt.count(d.wasted_bytes)} bytes` }),
  ': the String objects of every copy but one, and the value arrays only those copies use.',
  d.unreachable_strings > 0 ? ` ${fmt.count(d.unreachable_strings)} unreachable strings are left out (the next collection frees them).` : '',
  d.unreadable_strings > 0 ? ` ${fmt.count(d.unreadable_strings)} strings without a value array in the dump are left out.` : '');
  return h('section', { class: 'card' },
    h('div', { class: 'section-head' }, h('h2', { text: 'Duplicate strings' }),
      rows.length > 0 && exportButton('duplicate-strings', () => onExport('duplicate-strings', columns, table.displayed()), 'The values shown, in the order shown')),
    summary,
    rows.length > 0
      ? [h('div', { class: 'toolbar' }, filter, counts), table.el]
      : h('p', { class: 'muted', text: 'No two reachable strings hold the same value.' }));
}

/**
 * @param {object} o
 * @param {{duplicateStrings: (q: object) => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function duplicateStringsView({ load, onExport }) {
  const content = h('div');
  const el = h('div', { class: 'view-duplicate-strings page', data: { testid: 'dup-view' } }, content);
  el.dataset.state = 'loading';
  loading(content, load.duplicateStrings({ top: TOP }), (d) => render(d, onExport), 'Reading every string’s value…').then(() => {
    el.dataset.state = content.dataset.state;
  });
  return el;
}
