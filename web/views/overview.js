// Overview: what the dump is and what it holds (the `heapscope summary` report).

import { h } from './dom.js';
import * as fmt from './format.js';
import { tableSection } from './table.js';

/** A headline figure; `value` is the exact number (data-value). */
function tile(testid, label, text, value, note) {
  return h('div', { class: 'tile', data: { testid: `overview-${testid}`, value: String(value) } },
    h('div', { class: 'tile-label', text: label }),
    h('div', { class: 'tile-value', text }),
    note && h('div', { class: 'tile-note muted', text: note }));
}

/** A card of label/value pairs. */
function facts(title, pairs) {
  return h('section', { class: 'card' }, h('h2', { text: title }),
    h('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([k, v, title]) => [h('dt', { text: k }), h('dd', { text: v, title })])));
}

const yes = (b) => (b ? 'yes' : 'no');

/**
 * @param {object} o
 * @param {{file: {name: string, size: number}, analysis: {millis: number, passes: number},
 *          summary: import('../protocol.js').Summary}} o.report
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function overviewView({ report, onExport }) {
  const s = report.summary;
  const classObjects = s.objects - s.instances - s.object_arrays - s.primitive_arrays;
  const roots = Object.entries(s.gc_roots).map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count);
  const rootTotal = roots.reduce((n, r) => n + r.count, 0);
  const m = s.size_model;

  const tiles = h('div', { class: 'tiles' },
    tile('shallow-bytes', 'Heap size', fmt.bytes(s.shallow_bytes), s.shallow_bytes, `${fmt.count(s.shallow_bytes)} bytes, shallow`),
    tile('objects', 'Objects', fmt.count(s.objects), s.objects),
    tile('classes', 'Classes', fmt.count(s.classes), s.classes),
    tile('gc-roots', 'GC roots', fmt.count(rootTotal), rootTotal));

  const dump = facts('Dump', [
    ['File', report.file.name],
    ['Size on disk', fmt.bytes(report.file.size), `${fmt.count(report.file.size)} bytes`],
    ['Format', s.format],
    ['Identifier size', `${s.id_size} bytes (${s.id_size === 8 ? '64' : '32'}-bit JVM)`],
    s.timestamp_ms > 0 && ['Taken', new Date(s.timestamp_ms).toLocaleString()],
    ['Heap dump records', fmt.count(s.heap_dump_segments)],
    ['Strings', fmt.count(s.strings)],
    ['Stack traces', fmt.count(s.stack_traces)],
    ['Analysed in', `${fmt.duration(report.analysis.millis)} (${report.analysis.passes} pass${report.analysis.passes === 1 ? '' : 'es'} over the file)`],
  ]);

  const heap = facts('Objects', [
    ['Instances', fmt.count(s.instances)],
    ['Object arrays', fmt.count(s.object_arrays)],
    ['Primitive arrays', fmt.count(s.primitive_arrays)],
    ['Class objects', fmt.count(classObjects)],
    ['Total', fmt.count(s.objects)],
    ['Shallow size', fmt.bytes(s.shallow_bytes), `${fmt.count(s.shallow_bytes)} bytes`],
  ]);

  const model = facts('Size model', [
    ['Compressed oops', yes(s.compressed_oops)],
    ['Compressed class pointers', yes(m.compressed_class_pointers)],
    ['Object header', `${m.header_bytes} bytes`],
    ['Reference', `${m.reference_bytes} bytes`],
    ['Field layout', m.field_layout === 'packed' ? 'packed (JDK 15+)' : m.field_layout === 'legacy' ? 'legacy (JDK 6–14)' : m.field_layout],
    ['Evidence', m.classes_with_evidence > 0
      ? `${fmt.count(m.classes_matching)} of ${fmt.count(m.classes_with_evidence)} classes with address evidence agree`
      : 'no address evidence in this dump'],
  ]);
  const modelNote = h('p', { class: 'muted note', text: 'Sizes are shallow sizes as HotSpot lays the objects out in memory, which the dump does not record: the layout is chosen to agree with the gaps between object addresses.' });
  model.append(modelNote);

  const rootTable = tableSection({
    title: 'GC roots by kind', name: 'gc-roots', onExport, rows: roots, empty: 'This dump records no GC roots.',
    columns: [
      { key: 'kind', title: 'Kind', kind: 'text', value: (r) => r.kind },
      { key: 'count', title: 'Roots', kind: 'count', value: (r) => r.count },
    ],
  });

  const diagnostics = tableSection({
    title: 'Diagnostics', name: 'diagnostics', onExport, rows: s.diagnostics,
    empty: 'None: every record was as the format expects.',
    columns: [
      { key: 'severity', title: 'Severity', kind: 'text', value: (d) => d.severity, cellClass: 'severity' },
      { key: 'key', title: 'What', kind: 'text', value: (d) => d.key, cellClass: 'mono' },
      { key: 'count', title: 'Count', kind: 'count', value: (d) => d.count },
      { key: 'first_offset', title: 'First at offset', kind: 'offset', value: (d) => d.first_offset },
      { key: 'help', title: 'Meaning', kind: 'text', value: (d) => d.help, cellClass: 'wrap' },
    ],
  });
  for (const td of diagnostics.querySelectorAll('td.severity')) td.dataset.severity = td.textContent;

  return h('div', { class: 'view-overview' }, tiles,
    h('div', { class: 'grid' }, dump, heap, model, rootTable),
    diagnostics);
}
