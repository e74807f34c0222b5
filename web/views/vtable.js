// A virtualized, sortable table: only the rows in view (plus a margin) are in the DOM, so
// 100 000 rows scroll as smoothly as 100. Rows are absolutely placed in a canvas as tall
// as all rows; a row node is reused for the rows that map to its slot.

import { h } from './dom.js';
import { fill, numeric } from './cells.js';

const OVERSCAN = 8;

export class VirtualTable {
  /**
   * @param {object} o
   * @param {(import('../export.js').Column & {width?: string})[]} o.columns
   * @param {(row: any) => Object<string, string>} o.rowData   data-* attributes of a row
   * @param {{key: string, desc: boolean}} o.sort             initial order
   * @param {string} o.testid
   * @param {string} o.label                                  accessible name
   * @param {number} [o.rowHeight]
   */
  constructor({ columns, rowData, sort, testid, label, rowHeight = 30 }) {
    this.columns = columns;
    this.rowData = rowData;
    this.sort = sort;
    this.rowHeight = rowHeight;
    this.source = [];
    this.rows = [];
    this.pool = [];
    this.generation = 0;
    this.raf = 0;
    this.headCells = columns.map((c) =>
      h('div', { class: `vt-th ${numeric(c) ? 'num' : ''}`, data: { col: c.key }, attrs: { role: 'columnheader' } },
        h('button', { type: 'button', title: c.headerTitle, on: { click: () => this.sortBy(c) } },
          h('span', { text: c.title }), h('span', { class: 'sort-mark', attrs: { 'aria-hidden': 'true' } }))));
    this.head = h('div', { class: 'vt-row vt-head', attrs: { role: 'row' } }, this.headCells);
    this.canvas = h('div', { class: 'vt-canvas', attrs: { role: 'rowgroup' } });
    this.empty = h('p', { class: 'vt-empty muted', hidden: true });
    this.el = h('div', { class: 'vtable', data: { testid }, attrs: { role: 'table', 'aria-label': label, tabindex: '0' } },
      this.head, this.canvas, this.empty);
    this.el.style.setProperty('--vt-cols', columns.map((c) => c.width ?? '1fr').join(' '));
    this.el.style.setProperty('--vt-row', `${rowHeight}px`);
    this.el.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.el);
    this.markSort();
  }

  /** Shows `rows` (already filtered) in the current order; `emptyText` when none. */
  setRows(rows, emptyText = 'No rows.') {
    this.source = rows;
    this.empty.textContent = emptyText;
    this.empty.hidden = rows.length > 0;
    this.order();
    this.el.scrollTop = 0;
  }

  /** The rows in display order (what a CSV export should contain). */
  displayed() {
    return this.rows;
  }

  sortBy(col) {
    this.sort = this.sort.key === col.key ? { key: col.key, desc: !this.sort.desc } : { key: col.key, desc: numeric(col) };
    this.markSort();
    this.order();
  }

  markSort() {
    for (const [i, c] of this.columns.entries()) {
      const cell = this.headCells[i];
      const on = c.key === this.sort.key;
      cell.setAttribute('aria-sort', on ? (this.sort.desc ? 'descending' : 'ascending') : 'none');
      cell.querySelector('.sort-mark').textContent = on ? (this.sort.desc ? '▼' : '▲') : '';
    }
  }

  /** Sorts the source rows by the sort column; ties keep the source order. */
  order() {
    const col = this.columns.find((c) => c.key === this.sort.key) ?? this.columns[0];
    const src = this.source;
    const keys = src.map((r) => col.value(r));
    const idx = src.map((_, i) => i);
    const sign = this.sort.desc ? -1 : 1;
    idx.sort((a, b) => {
      const x = keys[a];
      const y = keys[b];
      const c = x < y ? -1 : x > y ? 1 : 0;
      return c * sign || a - b;
    });
    this.rows = idx.map((i) => src[i]);
    this.el.setAttribute('aria-rowcount', String(this.rows.length + 1));
    this.generation += 1;
    this.schedule();
  }

  schedule() {
    if (!this.raf) this.raf = requestAnimationFrame(() => this.render());
  }

  /** Places the rows in view; nodes whose slot still shows the same row are left alone. */
  render() {
    this.raf = 0;
    const rh = this.rowHeight;
    const n = this.rows.length;
    this.canvas.style.height = `${n * rh}px`;
    const top = Math.max(0, this.el.scrollTop - this.canvas.offsetTop);
    const first = Math.max(0, Math.floor(top / rh) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + this.el.clientHeight) / rh) + OVERSCAN);
    while (this.pool.length < last - first) this.pool.push(this.makeRow());
    const used = new Set();
    for (let i = first; i < last; i++) {
      const node = this.pool[i % this.pool.length];
      used.add(node);
      if (node.index !== i || node.generation !== this.generation) this.fillRow(node, i);
      if (!node.isConnected) this.canvas.append(node);
    }
    for (const node of this.pool) if (!used.has(node) && node.isConnected) node.remove();
    this.inDisplayOrder([...used].sort((a, b) => a.index - b.index));
  }

  /**
   * Keeps the row nodes in the DOM in the order they are shown, so that Tab (and a screen
   * reader) goes down the rows; the pool reuses nodes in a circle, so few move. A focused
   * row that moves keeps the focus.
   */
  inDisplayOrder(nodes) {
    const focused = this.canvas.contains(document.activeElement) ? document.activeElement : null;
    let next = null;
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i].nextSibling !== next) this.canvas.insertBefore(nodes[i], next);
      next = nodes[i];
    }
    if (focused && document.activeElement !== focused && focused.isConnected) focused.focus({ preventScroll: true });
  }

  makeRow() {
    const cells = this.columns.map((c) => h('div', { class: `vt-td ${numeric(c) ? 'num' : ''} ${c.cellClass ?? ''}`, data: { col: c.key }, attrs: { role: 'cell' } }));
    const node = h('div', { class: 'vt-row', attrs: { role: 'row' } }, cells);
    node.cells = cells;
    return node;
  }

  fillRow(node, i) {
    const row = this.rows[i];
    node.index = i;
    node.generation = this.generation;
    node.style.transform = `translateY(${i * this.rowHeight}px)`;
    node.setAttribute('aria-rowindex', String(i + 2));
    for (const [k, v] of Object.entries(this.rowData(row))) node.dataset[k] = v;
    for (const [j, c] of this.columns.entries()) fill(node.cells[j], c, row);
  }
}
