// Secrets (`heapscope secrets`): values in the heap that look like secrets — PEM private
// keys, JWTs, cloud access keys, passwords in URLs, bearer tokens, and text held by fields
// or map keys named like a secret — each with its kind, the value masked (a few characters
// at each end: the module never sends the value itself), the object holding it and the
// chain of classes and fields from its nearest holder, each a link to the inspector. Asked
// when the view is first opened (one sweep over every reachable char[] and byte[]).
// Hooks: [data-testid=secrets-summary] (data-total), [data-testid=secrets-kind] per kind
// (data-kind, data-count), the table [data-testid=secrets] with rows [data-rank] (the
// answer's order, 0-based) and cells data-col (+ data-value), [data-testid=secrets-filter],
// the CSV export.

import { h } from './dom.js';
import * as fmt from './format.js';
import { VirtualTable } from './vtable.js';
import { exportButton } from './table.js';
import { classLink, inspectHref, loading } from './links.js';

/** What each kind is, for people. */
export const KIND_TITLES = {
  pem_private_key: 'PEM private key',
  jwt: 'JSON Web Token',
  cloud_access_key: 'Cloud access key',
  url_password: 'Password in a URL',
  bearer_token: 'Bearer token',
  secret_field: 'Field named like a secret',
  secret_map_entry: 'Map entry keyed like a secret',
};

/** A holder chain on one line: `Class.field → Class.field`. */
export const chainText = (path) => path.map((s) => `${s.class}.${s.field}`).join(' → ');

const columns = [
  { key: 'kind', csv: 'kind', title: 'Kind', kind: 'text', width: '10rem', value: (r) => r.kind,
    decorate: (el, r) => { el.title = `${KIND_TITLES[r.kind] ?? r.kind}: ${r.detail}`; el.dataset.value = r.kind; } },
  { key: 'masked', csv: 'masked', title: 'Value (masked)', kind: 'text', width: 'minmax(9rem, 1fr)', cellClass: 'mono', value: (r) => r.masked,
    decorate: (el, r) => { el.title = `${fmt.count(r.length)} characters, masked: only a few at each end are shown`; el.dataset.value = r.masked; } },
  { key: 'length', csv: 'length', title: 'Length', kind: 'count', width: '6rem', value: (r) => r.length },
  { key: 'object', csv: 'object', title: 'Object', kind: 'text', width: 'minmax(16rem, 1fr)', cellClass: 'mono', value: (r) => `${r.class} ${r.object}`,
    decorate: (el, r) => {
      el.replaceChildren(classLink(r.class), ' ', h('a', { class: 'obj', href: inspectHref(r.object), text: r.object, data: { object: r.object }, title: `Inspect ${r.class} ${r.object}` }));
      el.dataset.value = r.object;
    } },
  { key: 'path', csv: 'held_by', title: 'Held by (nearest holder first)', kind: 'text', width: 'minmax(16rem, 3fr)', cellClass: 'mono', value: (r) => chainText(r.path),
    decorate: (el, r) => {
      el.replaceChildren(...(r.path.length === 0
        ? [h('span', { class: 'muted', text: 'a GC root' })]
        : r.path.flatMap((s, i) => [i > 0 ? ' → ' : '', h('a', { href: inspectHref(s.object), text: `${s.class}.${s.field}`, data: { object: s.object }, title: `Inspect ${s.class} ${s.object}` })])));
      el.title = chainText(r.path).replaceAll(' → ', '\n→ ');
      el.dataset.value = chainText(r.path);
    } },
  { key: 'detail', csv: 'what_matched', title: 'What matched', kind: 'text', width: 'minmax(10rem, 1fr)', value: (r) => r.detail },
];

function render(d, onExport) {
  const rows = d.secrets.map((s, rank) => ({ ...s, rank }));
  const text = rows.map((r) => [r.kind, r.masked, r.class, r.object, chainText(r.path), r.detail].join(' ').toLowerCase());
  const total = Object.values(d.by_kind).reduce((a, b) => a + b, 0);
  const table = new VirtualTable({
    columns,
    rowData: (r) => ({ rank: String(r.rank) }),
    sort: { key: 'kind', desc: false },
    testid: 'secrets',
    label: 'Secrets',
  });
  let kind = '';
  const counts = h('p', { class: 'muted counts', attrs: { 'aria-live': 'polite' } });
  const filter = h('input', {
    type: 'search', class: 'filter', placeholder: 'Filter by kind, class, field…', autocomplete: 'off', spellcheck: false,
    data: { testid: 'secrets-filter' }, attrs: { 'aria-label': 'Filter the secrets by a part of their kind, class, holder or what matched' },
    on: { input: () => apply() },
  });
  const apply = () => {
    const q = filter.value.toLowerCase();
    const shown = rows.filter((r, i) => (!kind || r.kind === kind) && (!q || text[i].includes(q)));
    counts.textContent = shown.length === rows.length
      ? `${fmt.count(rows.length)} listed${d.more_secrets > 0 ? ` (${fmt.count(d.more_secrets)} more counted, not listed)` : ''}`
      : `${fmt.count(shown.length)} of ${fmt.count(rows.length)} listed`;
    table.setRows(shown, 'No listed secret matches.');
  };
  const kindButtons = Object.entries(d.by_kind).map(([k, n]) => h('button', {
    type: 'button', class: 'secondary small', disabled: n === 0,
    data: { testid: 'secrets-kind', kind: k, count: String(n) },
    attrs: { 'aria-pressed': 'false' },
    text: `${KIND_TITLES[k] ?? k}: ${fmt.count(n)}`,
    title: n === 0 ? 'None found' : `Show only these (${k})`,
    on: {
      click: (e) => {
        kind = kind === k ? '' : k;
        for (const b of kindButtons) b.setAttribute('aria-pressed', String(b.dataset.kind === kind));
        e.currentTarget.blur?.();
        apply();
      },
    },
  }));
  apply();
  const summary = h('p', { data: { testid: 'secrets-summary', total: String(total) } },
    h('strong', { text: `${fmt.count(total)} values look like secrets` }),
    ` in the reachable heap (${fmt.count(d.arrays_searched)} char[] and byte[] searched). Values are masked: a few characters at each end, never the whole value. `,
    'Found by their text (private keys, tokens, access keys, passwords in URLs) or by the name of the field or map key holding them; objects nothing reaches are not searched.');
  return h('section', { class: 'card' },
    h('div', { class: 'section-head' }, h('h2', { text: 'Secrets' }),
      rows.length > 0 && exportButton('secrets', () => onExport('secrets', columns, table.displayed()), 'The secrets shown (masked), in the order shown')),
    summary,
    h('div', { class: 'toolbar', data: { testid: 'secrets-kinds' } }, kindButtons),
    rows.length > 0
      ? [h('div', { class: 'toolbar' }, filter, counts), table.el]
      : h('p', { class: 'muted', text: 'Nothing in this heap looks like a secret.' }));
}

/**
 * @param {object} o
 * @param {{secrets: () => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function secretsView({ load, onExport }) {
  const content = h('div');
  const el = h('div', { class: 'view-secrets page', data: { testid: 'secrets-view' } }, content);
  el.dataset.state = 'loading';
  loading(content, load.secrets(), (d) => render(d, onExport), 'Searching every reachable string and text array…').then(() => {
    el.dataset.state = content.dataset.state;
  });
  return el;
}
