// The dominator tree grouped by class (MAT's "Group by class"): at each level, one row per
// class with the objects' count and summed shallow and retained sizes (exact: the objects
// of one level have disjoint retained sets). A class row expands to a row listing its
// objects (largest retained first, a page at a time; each object row expands to its own
// children, as in the plain tree) and to the classes of the level below: the objects its
// objects immediately dominate, grouped again. Every request names its group by its path
// of class names from the top (`dominator_group`), so nothing is kept in the worker.
//
// Rows: tr[data-kind=group][data-path=<JSON array of class names>][data-class][data-depth],
// tr[data-kind=objects][data-path], tr[data-kind=object][data-object][data-depth]; cells
// data-col (objects, shallow, retained, percent) with exact integers in data-value.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { fill } from './cells.js';
import { objectLink } from './links.js';
import { cell, headerRow, shareBar } from './table.js';

/** Objects and classes fetched per step ("Show more" asks for this many more). */
const PAGE = 100;

/**
 * @param {object} o
 * @param {number} o.total  the reachable heap
 * @param {(q: {parent?: string, path: string[], limit?: number, groupLimit?: number}) => Promise<import('../protocol.js').DomGroup>} o.group
 * @param {(parent: ?string, limit: number) => Promise<import('../protocol.js').Dominators>} o.children
 * @returns {{el: HTMLElement, visible: () => any[], columns: any[]}}
 */
export function groupedTree({ total, group, children }) {
  const size = (r) => r.sum ?? r.node;
  const columns = [
    { key: 'depth', title: 'Depth', kind: 'count', value: (r) => r.depth, hidden: true },
    { key: 'kind', title: 'Row', kind: 'text', value: (r) => (r.type === 'group' ? 'class' : 'object'), hidden: true },
    { key: 'object', title: 'Object', kind: 'text', value: (r) => (r.type === 'node' ? r.node.object : ''), hidden: true },
    { key: 'class', title: 'Class', kind: 'text', value: (r) => size(r).class },
    { key: 'objects', csv: 'objects', title: 'Objects', kind: 'count', value: (r) => (r.type === 'group' ? r.sum.objects : 1) },
    { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow', kind: 'bytes', value: (r) => size(r).shallow_bytes },
    { key: 'retained', csv: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (r) => size(r).retained_bytes },
    {
      key: 'percent', csv: 'percent_of_heap', title: '% of heap', kind: 'text', num: true, value: (r) => (total ? ((100 * size(r).retained_bytes) / total).toFixed(2) : ''),
      decorate: (el, r) => {
        el.textContent = fmt.percent(size(r).retained_bytes, total);
        el.append(shareBar(size(r).retained_bytes, total));
      },
    },
  ];
  const shown = columns.filter((c) => !c.hidden);

  // Items: group {type, path, sum, depth, open, groups: ?Item[], moreGroups, groupLimit,
  // objects: {open, nodes: Item[], more, limit}}; node {type, node, depth, open, kids, more,
  // limit} (its children, ungrouped, as in the plain tree). Busy/error on either.
  const top = { type: 'top', path: [], depth: -1, open: true, groups: null, moreGroups: 0, groupLimit: PAGE };
  const body = h('tbody');
  const counts = h('p', { class: 'muted counts', text: 'Loading…' });
  const table = h('table', { class: 'plain tree', data: { testid: 'dominator-groups', state: 'loading' } }, headerRow(shown), body);

  const groupItem = (parent, g) => ({
    type: 'group', path: [...parent.path, g.class], sum: g, depth: parent.depth + 1, open: false,
    groups: null, moreGroups: 0, groupLimit: PAGE, objects: { open: false, nodes: [], more: 0, limit: PAGE },
  });
  const nodeItem = (n, depth) => ({ type: 'node', node: n, depth, open: false, kids: null, more: 0, limit: PAGE });

  /** Keeps the open state of items already shown (matched by `key`) when a list grows. */
  function merge(old, fresh, key) {
    const byKey = new Map((old ?? []).map((o) => [key(o), o]));
    return fresh.map((f) => {
      const o = byKey.get(key(f));
      return o ? Object.assign(o, { sum: f.sum ?? o.sum, node: f.node ?? o.node }) : f;
    });
  }

  async function run(item, work) {
    item.busy = true;
    item.error = null;
    render();
    try {
      await work();
    } catch (e) {
      item.error = e.message;
    }
    item.busy = false;
    render();
  }

  /** Loads a group's (or the top's) classes below and its objects. */
  const loadGroup = (item, { groupLimit = item.groupLimit, limit = item.objects?.limit ?? PAGE } = {}) => run(item, async () => {
    const r = await group({ path: item.path, limit, groupLimit });
    item.groups = merge(item.groups, r.groups.map((g) => groupItem(item, g)), (x) => x.sum.class);
    item.moreGroups = r.more_groups;
    item.groupLimit = groupLimit;
    if (item.objects) {
      item.objects.nodes = merge(item.objects.nodes, r.nodes.map((n) => nodeItem(n, item.depth + 2)), (x) => x.node.object);
      item.objects.more = r.more;
      item.objects.limit = limit;
    }
  });

  const loadChildren = (item, limit) => run(item, async () => {
    const r = await children(item.node.object, limit);
    item.kids = merge(item.kids, r.nodes.map((n) => nodeItem(n, item.depth + 1)), (x) => x.node.object);
    item.more = r.more;
    item.limit = limit;
  });

  function toggle(item) {
    item.open = !item.open;
    if (item.open && item.type === 'group' && item.groups === null) loadGroup(item);
    else if (item.open && item.type === 'node' && item.kids === null) loadChildren(item, PAGE);
    else render();
  }

  const pad = (el, depth) => {
    el.style.paddingLeft = `${Math.min(depth, 40) * 1.1}rem`;
    return el;
  };
  const toggleButton = (item, label) => h('button', {
    type: 'button', class: 'toggle', text: item.open ? '▾' : '▸', data: { action: 'expand' },
    attrs: { 'aria-expanded': String(item.open), 'aria-label': `${item.open ? 'Collapse' : 'Expand'} ${label}` },
    on: { click: () => toggle(item) },
  });
  const note = (depth, content) => h('tr', { class: 'tree-note' }, h('td', { attrs: { colspan: shown.length } }, pad(h('div', {}, content), depth + 1.5)));
  const moreButton = (action, left, what, onClick) => h('button', {
    type: 'button', class: 'secondary small', data: { action },
    text: `Show ${fmt.count(Math.min(PAGE, left))} more of ${fmt.count(left)} ${what}`, on: { click: onClick },
  });

  function groupRow(it) {
    const cells = shown.map((c) => {
      const td = cell(c);
      if (c.key === 'class') {
        td.append(pad(h('div', { class: 'tree-cell' }, toggleButton(it, it.sum.class),
          h('span', { class: 'cls mono', text: it.sum.class }),
          h('span', { class: 'group-count', text: `× ${fmt.count(it.sum.objects)}` })), it.depth));
        td.dataset.value = it.sum.class;
      } else {
        fill(td, c, it);
      }
      return td;
    });
    return h('tr', { data: { kind: 'group', path: JSON.stringify(it.path), class: it.sum.class, depth: String(it.depth), objects: String(it.sum.objects) } }, cells);
  }

  function objectsRow(g) {
    const o = g.objects;
    const label = `${fmt.count(g.sum.objects)} ${g.sum.objects === 1 ? 'object' : 'objects'}, largest first`;
    return h('tr', { class: 'objects-row', data: { kind: 'objects', path: JSON.stringify(g.path), depth: String(g.depth + 1) } },
      h('td', { attrs: { colspan: shown.length } },
        pad(h('div', { class: 'tree-cell' }, toggleButton(o, `the ${label}`), h('span', { class: 'muted', text: label })), g.depth + 1)));
  }

  function nodeRow(it) {
    const leaf = it.node.retained_bytes === it.node.shallow_bytes;
    const cells = shown.map((c) => {
      const td = cell(c);
      if (c.key === 'class') {
        const t = leaf ? h('span', { class: 'toggle-space', attrs: { 'aria-hidden': 'true' } }) : toggleButton(it, it.node.class);
        td.append(pad(h('div', { class: 'tree-cell' }, t, objectLink(it.node)), it.depth));
        td.dataset.value = it.node.class;
      } else if (c.key === 'objects') {
        td.textContent = '';
      } else {
        fill(td, c, it);
      }
      return td;
    });
    return h('tr', { data: { kind: 'object', object: it.node.object, depth: String(it.depth) } }, cells);
  }

  function status(rows, it, depth) {
    if (it.busy) rows.push(note(depth, h('span', { class: 'muted', text: 'Loading…' })));
    if (it.error) rows.push(note(depth, h('span', { class: 'inline-error', text: it.error })));
  }

  /** Rows in display order, and the items they show (the CSV export). */
  function walk(out, items) {
    const rows = [];
    const stack = [];
    const pushGroup = (g) => stack.push({ g });
    for (let i = (top.groups ?? []).length - 1; i >= 0; i--) pushGroup(top.groups[i]);
    // Explicit stack: a frame is a group, an object, or a note to draw after a list.
    while (stack.length) {
      const f = stack.pop();
      if (f.fn) {
        f.fn();
        continue;
      }
      if (f.g) {
        const g = f.g;
        rows.push(groupRow(g));
        items.push(g);
        if (!g.open) {
          status(rows, g, g.depth);
          continue;
        }
        const after = [];
        after.push({ fn: () => status(rows, g, g.depth) });
        if (g.moreGroups > 0) {
          after.push({ fn: () => rows.push(note(g.depth + 1, moreButton('more-groups', g.moreGroups, 'classes', () => loadGroup(g, { groupLimit: g.groupLimit + PAGE })))) });
        }
        for (let i = (g.groups ?? []).length - 1; i >= 0; i--) after.push({ g: g.groups[i] });
        if (g.groups !== null) after.push({ objects: g });
        stack.push(...after);
        continue;
      }
      if (f.objects) {
        const g = f.objects;
        rows.push(objectsRow(g));
        const o = g.objects;
        if (!o.open) continue;
        const after = [];
        if (o.more > 0) {
          after.push({ fn: () => rows.push(note(g.depth + 2, moreButton('more-objects', o.more, 'objects', () => { o.limit += PAGE; loadGroup(g, { limit: o.limit }); }))) });
        }
        for (let i = o.nodes.length - 1; i >= 0; i--) after.push({ n: o.nodes[i] });
        stack.push(...after);
        continue;
      }
      const n = f.n;
      rows.push(nodeRow(n));
      items.push(n);
      if (!n.open && !n.busy && !n.error) continue;
      const after = [{ fn: () => status(rows, n, n.depth) }];
      if (n.open && n.more > 0) {
        after.push({ fn: () => rows.push(note(n.depth + 1, moreButton('more', n.more, 'objects', () => loadChildren(n, n.limit + PAGE)))) });
      }
      if (n.open) for (let i = (n.kids ?? []).length - 1; i >= 0; i--) after.push({ n: n.kids[i] });
      stack.push(...after);
    }
    status(rows, top, -1);
    if (top.moreGroups > 0) rows.push(note(-1, moreButton('more-groups', top.moreGroups, 'classes', () => loadGroup(top, { groupLimit: top.groupLimit + PAGE }))));
    out.push(...rows);
  }

  function render() {
    const rows = [];
    walk(rows, []);
    replace(body, rows);
    if (top.groups) {
      const n = top.groups.length + top.moreGroups;
      counts.textContent = `The objects the GC roots dominate directly, in ${fmt.count(n)} ${n === 1 ? 'class' : 'classes'}; the reachable heap is ${fmt.bytes(total)}. A class's retained size is exact: its objects' retained sets are disjoint.`;
      table.dataset.state = 'ready';
    }
  }

  function visible() {
    const items = [];
    walk([], items);
    return items;
  }

  loadGroup(top);
  return { el: h('div', {}, counts, h('div', { class: 'table-wrap' }, table)), visible, columns };
}
