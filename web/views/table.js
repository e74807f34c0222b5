// Small building blocks of the views: a table with a CSV export button (GC roots,
// diagnostics, …) and a headline figure (tile).

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
    rows.length > 0 && h('button', {
      class: 'secondary small', type: 'button', text: 'Export CSV',
      data: { testid: `export-${name}` },
      on: { click: () => onExport(name, columns, rows) },
    }));
  if (rows.length === 0) return h('section', { class: 'card' }, head, h('p', { class: 'muted', text: empty ?? 'None.' }));
  const table = h('table', { class: 'plain', data: { testid: name } },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { text: c.title, class: numeric(c) ? 'num' : '', attrs: { scope: 'col' } })))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => {
      const td = h('td', { class: `${numeric(c) ? 'num' : ''} ${c.cellClass ?? ''}`, data: { col: c.key } });
      fill(td, c, r);
      return td;
    })))));
  return h('section', { class: 'card' }, head, h('div', { class: 'table-wrap' }, table));
}

/** A headline figure: `value` is the exact number (data-value), `testid` its hook. */
export function tile(testid, label, text, value, note) {
  return h('div', { class: 'tile', data: { testid, value: String(value) } },
    h('div', { class: 'tile-label', text: label }),
    h('div', { class: 'tile-value', text }),
    note && h('div', { class: 'tile-note muted', text: note }));
}
