// Small building blocks of the views: a table with a CSV export button (GC roots,
// diagnostics, …), the button itself, a table's header row and cells, a share bar and a
// headline figure (tile).

import { h } from './dom.js';
import { fill, numeric } from './cells.js';

/**
 * @param {object} o
 * @param {string} o.title           heading
 * @param {string} o.name            export name (`gc-roots`), also the table's data-testid
 * @param {import('../export.js').Column[]} o.columns
 * @param {any[]} o.rows
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 * @param {string} [o.empty]         text shown instead of an empty table
 */
export function tableSection({ title, name, columns, rows, onExport, empty }) {
  const head = h('div', { class: 'section-head' },
    h('h2', { text: title }),
    rows.length > 0 && exportButton(name, () => onExport(name, columns, rows)));
  if (rows.length === 0) return h('section', { class: 'card' }, head, h('p', { class: 'muted', text: empty ?? 'None.' }));
  const table = h('table', { class: 'plain', data: { testid: name } },
    headerRow(columns),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => {
      const td = cell(c);
      fill(td, c, r);
      return td;
    })))));
  return h('section', { class: 'card' }, head, h('div', { class: 'table-wrap' }, table));
}

/** The "Export CSV" button of a table (`export-<name>` its hook); `title` says what it holds. */
export function exportButton(name, onClick, title) {
  return h('button', {
    class: 'secondary small', type: 'button', text: 'Export CSV', title,
    data: { testid: `export-${name}` },
    on: { click: onClick },
  });
}

/** Right-aligned: numeric columns, and text columns with `num` (a percentage as text). */
const alignRight = (c) => numeric(c) || c.num === true;

/** A table's header row (`thead`) for `columns`. */
export function headerRow(columns) {
  return h('thead', {}, h('tr', {}, columns.map((c) => h('th', { text: c.title, class: alignRight(c) ? 'num' : '', attrs: { scope: 'col' } }))));
}

/** An empty cell of column `c` (data-col'd, aligned); `fill` (cells.js) puts the value in. */
export function cell(c) {
  return h('td', { class: `${alignRight(c) ? 'num' : ''} ${c.cellClass ?? ''}`, data: { col: c.key } });
}

/**
 * A bar of `part`'s share of `total` (0 without one), behind a cell's number: it takes at
 * most the left 45 % of the cell; the number is right-aligned after it.
 */
export function shareBar(part, total) {
  const bar = h('span', { class: 'share', attrs: { 'aria-hidden': 'true' } });
  bar.style.width = `${total ? ((45 * part) / total).toFixed(2) : 0}%`;
  return bar;
}

/** A headline figure: `value` is the exact number (data-value), `testid` its hook; `note` text or nodes. */
export function tile(testid, label, text, value, note) {
  return h('div', { class: 'tile', data: { testid, value: String(value) } },
    h('div', { class: 'tile-label', text: label }),
    h('div', { class: 'tile-value', text }),
    note && h('div', { class: 'tile-note muted' }, note));
}
