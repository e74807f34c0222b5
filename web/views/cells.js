// How a column's value is shown in a cell: shared by the static and the virtual table.
// Numeric cells carry the exact integer in data-value.

import * as fmt from './format.js';

/** Text of a value of a column kind. */
function display(kind, v) {
  if (v === null || v === undefined) return '–';
  switch (kind) {
    case 'count':
    case 'offset':
      return fmt.count(v);
    case 'bytes':
      return fmt.bytes(v);
    case 'ratio':
      return `${(100 * v).toFixed(1)} %`;
    default:
      return String(v);
  }
}

/** Fills cell `el` (already data-col'd) with `row`'s value of `col`. */
export function fill(el, col, row) {
  const v = col.value(row);
  if (col.kind === 'text') {
    el.textContent = v;
    el.title = v;
  } else {
    el.textContent = display(col.kind, v);
    if (v === null || v === undefined) el.removeAttribute('data-value');
    else el.dataset.value = String(v);
    if (col.kind === 'bytes' && v !== null && v !== undefined) el.title = `${fmt.count(v)} bytes`;
  }
  if (col.decorate) col.decorate(el, row, v);
}

/** Whether a column holds numbers (right-aligned, sorted largest first). */
export function numeric(col) {
  return col.kind !== 'text';
}
