// The dominator tree: what keeps the most memory alive. A treemap of the top of the tree,
// then the tree as a table whose rows expand (children are fetched when first opened).
// Rows: tr[data-object][data-depth], cells data-col (class, shallow, retained, percent)
// with exact integers in data-value.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { fill } from './cells.js';
import { objectLink } from './links.js';
import { cell, exportButton, headerRow, shareBar } from './table.js';
import { treemap } from './treemap.js';
import { groupedTree } from './domgroups.js';

/** Children fetched per step ("Show more" asks for this many more). */
const PAGE = 100;

/**
 * @param {object} o
 * @param {import('../protocol.js').Dominators} o.dominators  the top level, as in the report
 * @param {(parent: ?string, limit: number) => Promise<import('../protocol.js').Dominators>} o.children
 * @param {(q: {parent?: string, path: string[], limit?: number, groupLimit?: number}) => Promise<import('../protocol.js').DomGroup>} o.group
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function dominatorsView({ dominators, children, group, onExport }) {
  const total = dominators.reachable_bytes;
  const columns = [
    { key: 'depth', title: 'Depth', kind: 'count', value: (r) => r.depth, hidden: true },
    { key: 'object', title: 'Object', kind: 'text', value: (r) => r.node.object, hidden: true },
    { key: 'class', title: 'Class', kind: 'text', value: (r) => r.node.class },
    { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow', kind: 'bytes', value: (r) => r.node.shallow_bytes },
    { key: 'retained', csv: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (r) => r.node.retained_bytes },
    {
      key: 'percent', csv: 'percent_of_heap', title: '% of heap', kind: 'text', num: true, value: (r) => (total ? ((100 * r.node.retained_bytes) / total).toFixed(2) : ''),
      decorate: (el, r) => {
        el.textContent = fmt.percent(r.node.retained_bytes, total);
        el.append(shareBar(r.node.retained_bytes, total));
      },
    },
  ];
  const shown = columns.filter((c) => !c.hidden);

  // The tree as loaded: {node, depth, open, kids: ?Item[], more, limit, busy, error}.
  const top = { node: null, depth: -1, open: true, kids: null, more: 0, limit: PAGE };
  setKids(top, dominators);
  const body = h('tbody');
  const counts = h('p', { class: 'muted counts' });

  function setKids(item, r) {
    item.kids = r.nodes.map((n) => ({ node: n, depth: item.depth + 1, open: false, kids: null, more: 0, limit: PAGE }));
    item.more = r.more;
  }

  async function load(item, limit) {
    item.busy = true;
    item.error = null;
    render();
    try {
      setKids(item, await children(item.node ? item.node.object : null, limit));
      item.limit = limit;
    } catch (e) {
      item.error = e.message;
    }
    item.busy = false;
    render();
  }

  function toggle(item) {
    item.open = !item.open;
    if (item.open && item.kids === null) load(item, PAGE);
    else render();
  }

  /** The rows in display order (also what the CSV export holds). */
  function visible() {
    const out = [];
    const stack = [...top.kids].reverse();
    while (stack.length) {
      const it = stack.pop();
      out.push(it);
      if (it.open && it.kids) for (let i = it.kids.length - 1; i >= 0; i--) stack.push(it.kids[i]);
    }
    return out;
  }

  function row(it) {
    const leaf = it.node.retained_bytes === it.node.shallow_bytes;
    const toggleButton = leaf
      ? h('span', { class: 'toggle-space', attrs: { 'aria-hidden': 'true' } })
      : h('button', {
        type: 'button', class: 'toggle', text: it.open ? '▾' : '▸', data: { action: 'expand' },
        attrs: { 'aria-expanded': String(it.open), 'aria-label': `${it.open ? 'Collapse' : 'Expand'} ${it.node.class}` },
        on: { click: () => toggle(it) },
      });
    const cells = shown.map((c) => {
      const td = cell(c);
      if (c.key === 'class') {
        const cell = h('div', { class: 'tree-cell' }, toggleButton, objectLink(it.node));
        cell.style.paddingLeft = `${Math.min(it.depth, 40) * 1.1}rem`;
        td.append(cell);
        td.dataset.value = it.node.class;
      } else {
        fill(td, c, it);
      }
      return td;
    });
    return h('tr', { data: { object: it.node.object, depth: String(it.depth) } }, cells);
  }

  function extra(it) {
    // After an item's children: a pending/error/more line.
    const pad = (el) => {
      el.style.paddingLeft = `${Math.min(it.depth + 1, 40) * 1.1 + 1.6}rem`;
      return el;
    };
    if (it.busy) return h('tr', { class: 'tree-note' }, h('td', { attrs: { colspan: shown.length } }, pad(h('div', { class: 'muted', text: 'Loading…' }))));
    if (it.error) return h('tr', { class: 'tree-note' }, h('td', { attrs: { colspan: shown.length } }, pad(h('div', { class: 'inline-error', text: it.error }))));
    if (it.more > 0 && (it === top || it.open)) {
      return h('tr', { class: 'tree-note' }, h('td', { attrs: { colspan: shown.length } }, pad(h('div', {},
        h('button', {
          type: 'button', class: 'secondary small', data: { action: 'more' },
          text: `Show ${fmt.count(Math.min(PAGE, it.more))} more of ${fmt.count(it.more)}`,
          on: { click: () => load(it, it.limit + PAGE) },
        })))));
    }
    return null;
  }

  function render() {
    const rows = [];
    const walk = (it) => {
      for (const k of it.kids ?? []) {
        rows.push(row(k));
        if (k.open) walk(k);
        const x = k.open || k.busy || k.error ? extra(k) : null;
        if (x) rows.push(x);
      }
    };
    walk(top);
    const x = extra(top);
    if (x) rows.push(x);
    replace(body, rows);
    counts.textContent = `${fmt.count(top.kids.length + top.more)} objects are dominated by the GC roots directly; the reachable heap is ${fmt.bytes(total)}.`;
  }
  render();

  const table = h('table', { class: 'plain tree', data: { testid: 'dominator-tree' } },
    headerRow(shown),
    body);
  const unreachable = dominators.unreachable_objects > 0
    ? `${fmt.count(dominators.unreachable_objects)} unreachable objects (${fmt.bytes(dominators.unreachable_bytes)}) are not in the tree.`
    : 'Every object is reachable from a GC root.';

  // "Group by class": the grouped tree (domgroups.js) in place of the plain one, made when
  // first asked for; the export holds the rows of whichever is shown.
  const plain = h('div', {}, counts, h('div', { class: 'table-wrap' }, table));
  const holder = h('div', {}, plain);
  let grouped = null;
  const groupSwitch = h('input', {
    type: 'checkbox', data: { testid: 'dominators-group-by-class' },
    on: {
      change: () => {
        if (groupSwitch.checked && !grouped) grouped = groupedTree({ total, group, children });
        replace(holder, groupSwitch.checked ? grouped.el : plain);
      },
    },
  });
  const exportRows = () => (groupSwitch.checked && grouped
    ? onExport('dominators-by-class', grouped.columns, grouped.visible())
    : onExport('dominators', columns, visible()));

  return h('div', { class: 'view-dominators page' },
    h('section', { class: 'card' },
      h('div', { class: 'section-head' }, h('h2', { text: 'Largest retained objects' }),
        h('span', { class: 'muted', text: 'Area: retained size. Click a box to zoom in, its name to inspect the object.' })),
      treemap({ nodes: top.kids.map((k) => k.node), more: top.more, total, children, group })),
    h('section', { class: 'card' },
      h('div', { class: 'section-head' }, h('h2', { text: 'Dominator tree' }),
        h('span', { class: 'head-tools' },
          h('label', { class: 'check', title: 'One row per class at each level: the objects\' count and summed sizes (MAT\'s "Group by class")' }, groupSwitch, 'Group by class'),
          exportButton('dominators', exportRows, 'The rows shown, with their depth'))),
      h('p', { class: 'muted note' }, 'An object dominates another when every path from the GC roots to the other goes through it: its retained size is what would be freed if it were gone. ', unreachable),
      holder));
}
