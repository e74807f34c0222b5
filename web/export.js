// Exports, generated in the page and saved through a Blob download: nothing leaves the
// machine. Tables export from the same column definitions the views render.

/**
 * @typedef {object} Column
 * @property {string} key            stable key: the cell's data-col (and CSV header unless `csv`)
 * @property {string} [csv]          CSV header
 * @property {string} title          header shown in the page
 * @property {'text'|'count'|'bytes'|'offset'|'ratio'} kind  (`ratio`: a fraction, shown as a percentage)
 * @property {(row: any) => any} value  raw value (numbers stay exact integers)
 */

/** A CSV field: quoted when needed; text that a spreadsheet would run as a formula is
 * prefixed with `'` (class names come from an untrusted file). */
function field(v, kind) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (kind === 'text' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV text (RFC 4180, CRLF line ends) of `rows` under `columns`. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => field(c.csv ?? c.key, 'text')).join(',')];
  for (const r of rows) lines.push(columns.map((c) => field(c.value(r), c.kind)).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Saves `text` as a file named `name` (a download of a local Blob). */
export function download(name, text, type) {
  downloadBlob(name, new Blob([text], { type }));
}

/** Saves `blob` as a file named `name`. */
export function downloadBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name from a dump's name: `basic.hprof` + `histogram` → `basic-histogram.csv`. */
export function exportName(dumpName, what, ext) {
  const base = dumpName.replace(/\.gz$/i, '').replace(/\.hprof$/i, '').replace(/[^\w.-]+/g, '_') || 'heap';
  return `${base}-${what}.${ext}`;
}
