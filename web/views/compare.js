// The comparison of dumps (the `compare` query; `heapscope compare --json`): the dumps in
// order, warnings, a small line chart per trend, the suspects matched across the dumps and
// the per-class deltas (virtual, sortable, filterable, CSV). Rows: data-class="<name>";
// cells data-col + data-value. Charts: data-testid="trend" data-name="<trend>".

import { h } from './dom.js';
import * as fmt from './format.js';
import { VirtualTable } from './vtable.js';
import { exportButton, tableSection } from './table.js';
import { className } from './names.js';

/** What a trend's name means (the CLI's renderer says the same, crate/cli/render.rs). */
export function trendLabel(name) {
  if (name.startsWith('referents:')) return `Finalizer referents ${name.slice('referents:'.length)}`;
  if (name.startsWith('cancelled_tasks:')) return `Cancelled tasks of Timer '${name.slice('cancelled_tasks:'.length)}'`;
  return {
    heap_bytes: 'Heap',
    reachable_bytes: 'Reachable heap',
    objects: 'Objects',
    threads: 'Threads',
    finalizers: 'Finalizers',
    finalization_queue: 'Waiting in the finalization queue',
    soft_referents: 'Soft referents',
    weak_referents: 'Weak referents',
    phantom_referents: 'Phantom referents',
  }[name] ?? name;
}

const isBytes = (name) => name.endsWith('_bytes');
const show = (v, bytes) => (v === null || v === undefined ? '–' : bytes ? fmt.bytes(v) : fmt.count(v));

/** A signed change: `+1 000`, `−2.0 MiB`, `0`. */
export function signed(v, bytes) {
  if (v === null || v === undefined) return '–';
  const s = show(Math.abs(v), bytes);
  return v > 0 ? `+${s}` : v < 0 ? `−${s}` : s;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/**
 * A small line chart of one trend: one point per dump (a gap where a dump cannot tell),
 * the axis from 0 (growth shows as slope, not as a zoomed wiggle), each point's value in
 * its tooltip.
 */
function chart(name, values, dumps) {
  const W = 220;
  const H = 64;
  const pad = 6;
  const known = values.filter((v) => v !== null);
  const max = Math.max(1, ...known);
  const x = (i) => pad + (values.length > 1 ? (i * (W - 2 * pad)) / (values.length - 1) : (W - 2 * pad) / 2);
  const y = (v) => H - pad - (v * (H - 2 * pad)) / max;
  const bytes = isBytes(name);
  const parts = [];
  let run = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) parts.push(run);
      run = [];
    } else run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (run.length) parts.push(run);
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'trend-chart', role: 'img', 'aria-label': `${trendLabel(name)}: ${values.map((v) => show(v, bytes)).join(', ')}` },
    svg('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, class: 'axis' }),
    ...parts.map((p) => svg('polyline', { points: p.join(' '), class: 'line' })),
    ...values.flatMap((v, i) => (v === null ? [] : [svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, class: 'point' },
      svg('title', {}, `dump ${i + 1} (${dumps[i].file}): ${show(v, bytes)}`))])));
  const first = values[0];
  const last = values[values.length - 1];
  const change = first !== null && last !== null ? last - first : null;
  return h('figure', { class: 'trend card', data: { testid: 'trend', name, values: JSON.stringify(values) } },
    h('figcaption', {},
      h('span', { class: 'trend-label', text: trendLabel(name) }),
      h('span', { class: 'trend-value', text: `${values.map((v) => show(v, bytes)).join(' → ')}` }),
      h('span', { class: `trend-change ${change > 0 ? 'up' : ''}`, text: change === null ? '' : ` (${signed(change, bytes)})` })),
    plot);
}

/** `new`, `gone` or `kept`: a badge beside the name in the table, a column of the CSV. */
const STATUS = { key: 'status', csv: 'status', title: 'Status', kind: 'text', value: (r) => r.status };

function columns(dumps) {
  const n = dumps.length;
  const last = n - 1;
  const delta = (key, csv, title, kind, value) => ({
    key, csv, title, kind, width: '7rem', value,
    decorate: (el, _r, v) => { el.textContent = signed(v, kind === 'bytes'); },
  });
  return [
    { key: 'class', csv: 'class', title: 'Class', kind: 'text', width: 'minmax(12rem, 1fr)', cellClass: 'mono', value: (r) => r.name,
      decorate: (el, r) => el.replaceChildren(className(r.name), r.status === 'kept' ? '' : h('span', { class: `badge ${r.status}`, text: r.status })) },
    ...dumps.map((d, i) => ({
      key: `instances_${i + 1}`, csv: `instances_${i + 1}`, title: `Instances #${i + 1}`, headerTitle: d.file, kind: 'count', width: '6.5rem', value: (r) => r.instances[i],
    })),
    delta('instances_change', 'instances_change', 'Δ instances', 'count', (r) => r.instances_change),
    { key: 'shallow', csv: `shallow_bytes_${n}`, title: `Shallow #${n}`, kind: 'bytes', width: '6.5rem', value: (r) => r.shallow_bytes[last] },
    delta('shallow_change', 'shallow_bytes_change', 'Δ shallow', 'bytes', (r) => r.shallow_bytes_change),
    { key: 'retained', csv: `retained_bytes_${n}`, title: `Retained #${n}`, kind: 'bytes', width: '6.5rem', value: (r) => r.retained_bytes[last] },
    delta('retained_change', 'retained_bytes_change', 'Δ retained', 'bytes', (r) => r.retained_bytes_change),
  ];
}

function suspectsSection(c) {
  const rows = c.suspects.map((s, i) => h('li', { class: 'card', data: { testid: 'compare-suspect', kind: s.kind, class: s.class, status: s.status } },
    h('p', {},
      h('strong', { text: `${s.kind} ` }), h('code', { text: s.class }),
      s.status !== 'kept' && h('span', { class: `badge ${s.status}`, text: s.status }),
      h('span', { text: `: retained ${s.retained_bytes.map((v) => show(v, true)).join(' → ')}` }),
      s.growth !== null && h('strong', { class: s.growth > 0 ? 'up' : '', text: ` (${signed(s.growth, true)})` })),
    s.path.length > 0 && h('p', { class: 'mono muted', text: `path: ${s.path.map((p) => (p.field ? `.${p.field} → ${p.class}` : p.class)).join(' ')}` }),
    s.accumulation_point && h('p', { class: 'muted', text: `accumulates in ${s.accumulation_point}` }),
    h('p', { class: 'muted', text: `in dump ${c.dumps.length - [...s.retained_bytes].reverse().findIndex((v) => v !== null)}: ${s.description}`, data: { index: String(i) } })));
  return h('section', {},
    h('h2', { text: 'Leak between dumps' }),
    h('p', { class: 'muted', text: 'Suspects matched across the dumps by their path of classes and fields from the GC root (addresses change between dumps); new: not a suspect in the first dump, gone: not in the last.' }),
    rows.length ? h('ul', { class: 'compare-suspects' }, rows) : h('p', { class: 'muted', text: 'No suspect in any dump.' }));
}

/**
 * @param {object} o
 * @param {any} o.comparison  the `compare` answer
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 * @param {() => void} [o.onAdd]  "Compare with…" (more dumps)
 */
export function compareView({ comparison: c, onExport, onAdd }) {
  const dumpColumns = [
    { key: 'n', csv: 'dump', title: '#', kind: 'count', value: (d) => c.dumps.indexOf(d) + 1 },
    { key: 'file', csv: 'file', title: 'File', kind: 'text', value: (d) => d.file },
    { key: 'written', csv: 'timestamp_ms', title: 'Written', kind: 'text', value: (d) => new Date(d.timestamp_ms).toISOString().replace('T', ' ').replace('Z', ' UTC') },
    { key: 'objects', csv: 'objects', title: 'Objects', kind: 'count', value: (d) => d.objects },
    { key: 'heap', csv: 'shallow_bytes', title: 'Heap', kind: 'bytes', value: (d) => d.shallow_bytes },
    { key: 'reachable', csv: 'reachable_bytes', title: 'Reachable heap', kind: 'bytes', value: (d) => d.reachable_bytes },
    { key: 'classes', csv: 'classes', title: 'Classes', kind: 'count', value: (d) => d.classes },
  ];
  const cols = columns(c.dumps);
  const table = new VirtualTable({
    columns: cols,
    rowData: (r) => ({ class: r.name, status: r.status }),
    sort: { key: 'shallow_change', desc: true },
    testid: 'compare-classes',
    label: 'Classes across the dumps',
  });
  const lower = c.classes.map((r) => r.name.toLowerCase());
  const counts = h('p', { class: 'muted counts', attrs: { 'aria-live': 'polite' } });
  const newCount = c.classes.filter((r) => r.status === 'new').length;
  const goneCount = c.classes.filter((r) => r.status === 'gone').length;
  const onlyChanged = h('input', { type: 'checkbox', data: { testid: 'compare-changed' }, on: { change: () => apply() } });
  const filter = h('input', {
    type: 'search', class: 'filter', placeholder: 'Filter classes by name…', autocomplete: 'off', spellcheck: false,
    data: { testid: 'compare-classes-filter' }, attrs: { 'aria-label': 'Filter classes by a part of their name' },
    on: { input: () => apply() },
  });
  function apply() {
    const q = filter.value.trim().toLowerCase();
    const rows = c.classes.filter((r, i) => (!q || lower[i].includes(q)) && (!onlyChanged.checked || r.instances_change !== 0 || r.shallow_bytes_change !== 0));
    counts.textContent = `${fmt.count(rows.length)} of ${fmt.count(c.classes.length)} classes · ${fmt.count(newCount)} new · ${fmt.count(goneCount)} gone`;
    table.setRows(rows, 'No class name contains that text.');
  }
  apply();
  const el = h('section', { class: 'view-compare', data: { testid: 'compare' } },
    h('div', { class: 'section-head' },
      h('h2', { text: `Comparison of ${fmt.count(c.dumps.length)} dumps, oldest first` }),
      onAdd && h('button', { type: 'button', class: 'secondary small', text: 'Compare with more…', data: { testid: 'compare-more' }, on: { click: onAdd } })),
    tableSection({ title: 'Dumps', name: 'compare-dumps', columns: dumpColumns, rows: c.dumps, onExport }),
    c.warnings.length > 0 && h('div', { class: 'card warning', data: { testid: 'compare-warnings' } },
      c.warnings.map((w) => h('p', { text: w }))),
    h('h2', { text: 'Trends' }),
    h('div', { class: 'trends' }, Object.entries(c.trends).map(([name, values]) => chart(name, values, c.dumps))),
    suspectsSection(c),
    h('h2', { text: 'Classes, most grown first' }),
    h('div', { class: 'toolbar' }, filter,
      h('label', { class: 'muted' }, onlyChanged, ' changed only'),
      counts,
      exportButton('compare-classes', () => onExport('compare-classes', [...cols, STATUS], table.displayed()), 'The rows shown, in the order shown')),
    table.el);
  return el;
}
