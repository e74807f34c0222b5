// Leak suspects (`heapscope suspects`): what retains more than a tenth of the reachable
// heap, in one sentence each, with its size and share, where the retained objects
// accumulate, and the shortest path to it from a GC root.

import { h } from './dom.js';
import * as fmt from './format.js';
import { classLink, objectLink, prose, share } from './links.js';
import { cell, exportButton, headerRow } from './table.js';
import { fill } from './cells.js';

const KIND = { object: 'One object', class: 'Many instances of one class', finalizer: 'Finalizers' };

/** A path from a GC root: each object, and the field the previous one refers to it by. */
function objectPath(steps) {
  return h('ol', { class: 'objpath' }, steps.map((s, i) => h('li', {},
    i === 0 ? h('span', { class: 'muted', text: 'GC root ' }) : h('span', { class: 'edge-field', text: `.${s.field ?? '?'} → ` }),
    objectLink(s.object, { retained: true }))));
}

/** What the accumulation point immediately dominates, by class (`accumulated_by_class`). */
const accumulatedColumns = [
  { key: 'class', title: 'Class', kind: 'text', value: (r) => r.class, decorate: (el, r) => el.replaceChildren(classLink(r.class)) },
  { key: 'objects', title: 'Objects', kind: 'count', value: (r) => r.objects },
  { key: 'shallow', title: 'Shallow', kind: 'bytes', value: (r) => r.shallow_bytes },
  { key: 'retained', title: 'Retained', kind: 'bytes', value: (r) => r.retained_bytes },
];

function accumulated(rows) {
  return h('div', { class: 'accumulated-by-class' },
    h('h3', { text: 'Accumulated objects by class' }),
    h('p', { class: 'muted note', text: 'The objects the accumulation point dominates directly, one row per class, largest retained first.' }),
    h('table', { class: 'plain accumulated', data: { testid: 'suspect-accumulated' } },
      headerRow(accumulatedColumns),
      h('tbody', {}, rows.map((r) => h('tr', { data: { class: r.class } }, accumulatedColumns.map((c) => {
        const td = cell(c);
        fill(td, c, r);
        return td;
      }))))));
}

function suspect(s, i) {
  return h('li', { class: 'card suspect', data: { testid: 'suspect', kind: s.kind, retained: String(s.retained_bytes) } },
    h('div', { class: 'suspect-head' },
      h('span', { class: 'rank', text: `Suspect ${i + 1}` }),
      h('span', { class: 'badge', text: KIND[s.kind] ?? s.kind }),
      h('span', { class: 'suspect-size' },
        h('strong', { text: fmt.bytes(s.retained_bytes), title: `${fmt.count(s.retained_bytes)} bytes` }),
        h('span', { class: 'muted', text: ` · ${share(s.heap_share)} of the reachable heap` }))),
    prose(s.description),
    h('dl', { class: 'facts compact' },
      s.class && [h('dt', { text: 'Class' }), h('dd', {}, classLink(s.class), s.instances !== undefined ? ` (${fmt.count(s.instances)} instances)` : '')],
      s.object && [h('dt', { text: s.kind === 'object' ? 'Object' : 'Biggest instance' }), h('dd', {}, objectLink(s.object, { retained: true }))],
      s.accumulation_point && [h('dt', { text: 'Accumulation point' }), h('dd', {}, objectLink(s.accumulation_point, { retained: true }))]),
    s.merged?.length > 0 && h('div', { class: 'merged', data: { testid: 'suspect-merged' } },
      h('h3', { text: 'The same leak, also found as' }),
      h('ul', { class: 'sentences' }, s.merged.map((m) => h('li', {}, prose(m, 'span'))))),
    s.accumulated_by_class?.length > 0 && accumulated(s.accumulated_by_class),
    s.path_from_root.length > 0 && h('div', { class: 'path-from-root' }, h('h3', { text: 'Shortest path from a GC root' }), objectPath(s.path_from_root)));
}

const columns = [
  { key: 'kind', title: 'Kind', kind: 'text', value: (s) => s.kind },
  { key: 'description', title: 'Description', kind: 'text', value: (s) => s.description },
  { key: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (s) => s.retained_bytes },
  { key: 'heap_share', title: 'Share', kind: 'text', value: (s) => s.heap_share },
  { key: 'object', title: 'Object', kind: 'text', value: (s) => s.object?.object },
  { key: 'class', title: 'Class', kind: 'text', value: (s) => s.class },
  { key: 'accumulation_point', title: 'Accumulation point', kind: 'text', value: (s) => s.accumulation_point?.object },
];

/**
 * @param {object} o
 * @param {import('../protocol.js').SuspectsReport} o.report
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function suspectsView({ report, onExport }) {
  const list = report.suspects;
  return h('div', { class: 'view-suspects page' },
    h('div', { class: 'toolbar' },
      h('p', { class: 'muted counts', text: `Objects, classes and the Finalizer queue that retain more than ${share(report.threshold)} of the ${fmt.bytes(report.reachable_bytes)} reachable heap.` }),
      list.length > 0 && exportButton('suspects', () => onExport('suspects', columns, list))),
    list.length > 0
      ? h('ol', { class: 'suspects', data: { testid: 'suspects' } }, list.map(suspect))
      : h('p', { class: 'card', data: { testid: 'suspects' }, text: `No suspect: nothing retains more than ${share(report.threshold)} of the reachable heap.` }));
}
