// The histogram view with its "Group by" selector: class (the class histogram,
// histogram.js), package (a tree: `java` → `java.util` → `java.util.HashMap`) or class
// loader (one row per loader object, its classes below). The grouped trees are asked for
// when first chosen (`grouped_histogram`, `heapscope histogram --group-by`); their rows
// expand. Retained sizes are minimum retained sizes: a lower bound (the column says so).
//
// Hooks: select[data-testid=histogram-group-by]; the tree [data-testid=histogram-groups]
// (data-state, data-group-by) with rows tr[data-kind=package|loader|class][data-name]
// [data-depth] (loaders: data-object) and cells data-col (classes, instances, shallow,
// retained) holding exact integers in data-value; its CSV export-histogram-groups.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { fill } from './cells.js';
import { classLink, loading } from './links.js';
import { cell, exportButton, headerRow, shareBar } from './table.js';

/** Children shown per list before a "Show more" button. */
const PAGE = 200;

const TITLES = { class: 'class', package: 'package', loader: 'class loader' };

/**
 * @param {object} o
 * @param {{el: HTMLElement}} o.table  the class histogram (a HistogramView)
 * @param {(groupBy: 'package'|'loader') => Promise<import('../protocol.js').GroupedHistogram>} o.groups
 * @param {boolean} o.full  the full analysis ran (retained sizes, the loaders' classes)
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function histogramView({ table, groups, full, onExport }) {
  const content = h('div', { class: 'histogram-content' }, table.el);
  const trees = new Map(); // group-by → element
  const select = h('select', {
    data: { testid: 'histogram-group-by' }, attrs: { 'aria-label': 'Group the histogram by' },
    on: {
      change: () => {
        const by = select.value;
        if (by === 'class') return replace(content, table.el);
        if (!trees.has(by)) {
          const el = h('section', { class: 'grouped-histogram', data: { testid: 'histogram-groups', groupBy: by } });
          loading(el, groups(by), (r) => groupTree(r, { full, onExport }), `Grouping the classes by ${TITLES[by]}…`);
          trees.set(by, el);
        }
        replace(content, trees.get(by));
      },
    },
  }, Object.entries(TITLES).map(([value, text]) => h('option', { value, text })));
  return h('div', { class: 'view-histogram-groups' },
    h('div', { class: 'toolbar group-bar' }, h('label', { class: 'group-by' }, 'Group by', select)),
    content);
}

/** The grouped histogram as an expandable tree table, with its counts and CSV export. */
function groupTree(r, { full, onExport }) {
  const totalBytes = r.total_shallow_bytes;
  const withRetained = r.groups.some((g) => g.retained_bytes !== undefined);
  const columns = [
    { key: 'depth', title: 'Depth', kind: 'count', value: (it) => it.depth, hidden: true },
    { key: 'kind', title: 'Kind', kind: 'text', value: (it) => it.g.kind, hidden: true },
    { key: 'object', title: 'Loader', kind: 'text', value: (it) => it.g.object ?? '', hidden: true },
    { key: 'name', csv: 'name', title: r.group_by === 'package' ? 'Package / class' : 'Class loader / class', kind: 'text', value: (it) => it.g.name },
    { key: 'classes', csv: 'classes', title: 'Classes', kind: 'count', value: (it) => it.g.classes },
    { key: 'instances', csv: 'instances', title: 'Objects', kind: 'count', value: (it) => it.g.instances },
    {
      key: 'shallow', csv: 'shallow_bytes', title: 'Shallow size', kind: 'bytes', value: (it) => it.g.shallow_bytes,
      decorate: (el, _it, v) => {
        el.title = `${fmt.count(v)} bytes, ${fmt.percent(v, totalBytes)} of the heap`;
        el.append(shareBar(v, totalBytes));
      },
    },
    withRetained && {
      key: 'retained', csv: 'min_retained_bytes', title: 'Retained size ≥', kind: 'bytes', value: (it) => it.g.retained_bytes,
      decorate: (el, _it, v) => {
        el.title = `${fmt.count(v)} bytes at least: the minimum retained size (what these instances retain that no other instance of the group holds; objects kept alive only by several together are left out)`;
      },
    },
  ].filter(Boolean);
  const shown = columns.filter((c) => !c.hidden);
  const top = { g: { children: r.groups }, depth: -1, open: true, limit: PAGE };
  const item = (g, depth) => ({ g, depth, open: false, limit: PAGE });
  const kids = new Map(); // item → its child items, made when first opened
  const childItems = (it) => {
    if (!kids.has(it)) kids.set(it, it.g.children.map((c) => item(c, it.depth + 1)));
    return kids.get(it);
  };
  const body = h('tbody');

  function row(it) {
    const g = it.g;
    const cells = shown.map((c) => {
      const td = cell(c);
      if (c.key === 'name') {
        const toggle = g.children.length === 0
          ? h('span', { class: 'toggle-space', attrs: { 'aria-hidden': 'true' } })
          : h('button', {
            type: 'button', class: 'toggle', text: it.open ? '▾' : '▸', data: { action: 'expand' },
            attrs: { 'aria-expanded': String(it.open), 'aria-label': `${it.open ? 'Collapse' : 'Expand'} ${g.name}` },
            on: { click: () => { it.open = !it.open; render(); } },
          });
        const name = g.kind === 'class' && full ? classLink(g.name) : h('span', { class: g.kind === 'class' ? 'cls' : 'group-name', text: g.name });
        const cellEl = h('div', { class: 'tree-cell mono' }, toggle, name, g.object && h('span', { class: 'oid muted', text: ` ${g.object}` }));
        cellEl.style.paddingLeft = `${Math.min(it.depth, 40) * 1.1}rem`;
        td.append(cellEl);
        td.dataset.value = g.name;
      } else {
        fill(td, c, it);
      }
      return td;
    });
    return h('tr', { data: { kind: g.kind, name: g.name, depth: String(it.depth), object: g.object } }, cells);
  }

  /** The rows shown, in order (with the items, for the CSV). */
  function walk(rows, items) {
    const stack = [{ list: top }];
    while (stack.length) {
      const f = stack.pop();
      if (f.it) {
        rows?.push(row(f.it));
        items?.push(f.it);
        if (f.it.open) stack.push({ list: f.it });
        continue;
      }
      if (f.more) {
        const p = f.more;
        const left = p.g.children.length - p.limit;
        const btn = h('button', {
          type: 'button', class: 'secondary small', data: { action: 'more' },
          text: `Show ${fmt.count(Math.min(PAGE, left))} more of ${fmt.count(left)}`,
          on: { click: () => { p.limit += PAGE; render(); } },
        });
        const div = h('div', {}, btn);
        div.style.paddingLeft = `${Math.min(p.depth + 1, 40) * 1.1 + 1.6}rem`;
        rows?.push(h('tr', { class: 'tree-note' }, h('td', { attrs: { colspan: shown.length } }, div)));
        continue;
      }
      const p = f.list;
      const list = childItems(p);
      if (list.length > p.limit) stack.push({ more: p });
      for (let i = Math.min(list.length, p.limit) - 1; i >= 0; i--) stack.push({ it: list[i] });
    }
  }

  function render() {
    const rows = [];
    walk(rows, null);
    replace(body, rows);
  }
  render();

  const visible = () => {
    const items = [];
    walk(null, items);
    return items;
  };
  const what = r.group_by === 'package' ? 'top-level packages' : 'class loaders';
  const n = r.groups.length + r.more_groups;
  const counts = `${fmt.count(n)} ${what} · ${fmt.count(r.total_classes)} classes · ${fmt.count(r.total_instances)} objects · ${fmt.bytes(r.total_shallow_bytes)}`;
  const notes = [
    r.group_by === 'package'
      ? 'An array class goes with its element\'s package; arrays of primitives under <primitive arrays>, classes without a package under <default package>.'
      : 'The bootstrap loader\'s classes are under <bootstrap>; class objects (java.lang.Class) too.',
    withRetained && ' Retained size ≥ is the minimum retained size, a lower bound: what the instances retain that no other instance of the package, loader or class holds.',
  ].filter(Boolean).join('');
  const name = `histogram-by-${r.group_by}`;
  return h('div', { class: 'grouped-histogram-body' },
    h('div', { class: 'toolbar' },
      h('p', { class: 'muted counts', data: { testid: 'histogram-groups-counts' }, text: counts }),
      exportButton('histogram-groups', () => onExport(name, columns, visible()), 'The rows shown, with their depth')),
    h('p', { class: 'muted note', text: notes }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'plain tree', attrs: { 'aria-label': `Histogram by ${TITLES[r.group_by]}` } }, headerRow(shown), body)));
}
