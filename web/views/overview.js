// Overview: what the dump is and what it holds (the `heapscope summary` report), the top
// findings (first leak suspect, the Finalizer finding), reachability, reference statistics
// and what the analysis needed in memory.

import { h } from './dom.js';
import * as fmt from './format.js';
import { tableSection, tile as figure } from './table.js';
import { classLink, firstSentence, href, objectLink, prose } from './links.js';
import { MODULE_TITLES, WASM32 } from '../module-choice.js';
import { rootKind } from './rootkinds.js';

/** A headline figure, hooked as `overview-<id>`. */
const tile = (id, ...rest) => figure(`overview-${id}`, ...rest);

/** A card of label/value pairs. */
function facts(title, pairs) {
  return h('section', { class: 'card' }, h('h2', { text: title }),
    h('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([k, v, title]) => [h('dt', { text: k }), h('dd', { title }, v)])));
}

const yes = (b) => (b ? 'yes' : 'no');

/** The two findings that matter first, one sentence each, with links to their views. */
function findings(report) {
  const items = [];
  const first = report.suspects?.suspects[0];
  if (report.suspects) {
    items.push(first
      ? h('li', { data: { finding: 'suspect' } }, prose(firstSentence(first.description), 'span'), ' ', h('a', { href: href('suspects'), text: 'Leak suspects →' }))
      : h('li', { data: { finding: 'suspect' } }, `No leak suspect: nothing retains more than ${fmt.percent(report.suspects.threshold, 1)} of the reachable heap.`));
  }
  const f = report.finalizers;
  const notable = report.suspects?.suspects.some((s) => s.kind === 'finalizer');
  if (f && f.finalizers > 0 && report.suspects && !notable) {
    // Below the share at which Finalizers are a finding: said, not offered as a finding.
    const held = f.together_retained_bytes;
    items.push(h('li', { data: { finding: 'finalizer', notable: 'false' } },
      `${fmt.count(f.finalizers)} java.lang.ref.Finalizer objects and their referents retain ${fmt.bytes(held)}, `
      + `below the ${fmt.percent(report.suspects.finalizer_threshold, 1)} of the reachable heap at which they are a finding. `,
      h('a', { href: href('finalizers'), text: 'Finalizers →' })));
  } else if (f && f.finalizers > 0) {
    const sentence = f.holders.length > 0 ? f.holders[0].summary : f.findings[0];
    items.push(h('li', { data: { finding: 'finalizer' } }, prose(firstSentence(sentence), 'span'), ' ', h('a', { href: href('finalizers'), text: 'Finalizers →' })));
  } else if (f) {
    items.push(h('li', { data: { finding: 'finalizer' } }, 'No java.lang.ref.Finalizer objects: nothing waits for finalization.'));
  }
  if (items.length === 0) return null;
  return h('section', { class: 'card findings' }, h('h2', { text: 'Findings' }), h('ul', { class: 'sentences', data: { testid: 'overview-findings' } }, items));
}

/** Rows shown per list of the top consumers. */
const TOP = 8;

/**
 * One list of the top consumers: each row a name (`label(x)`), a bar of its share of
 * `whole` and the size; `data(x)` its hooks.
 */
function consumerList(testid, items, size, whole, label, data) {
  const max = Math.max(1, ...items.map(size));
  return h('ol', { class: 'consumers', data: { testid } }, items.map((x) => {
    const bar = h('span', { class: 'consumer-bar', attrs: { 'aria-hidden': 'true' } });
    bar.style.width = `${((100 * size(x)) / max).toFixed(2)}%`;
    return h('li', { data: { ...data(x), retained: String(size(x)) } },
      h('span', { class: 'consumer-name' }, label(x)),
      h('span', { class: 'consumer-track' }, bar),
      h('span', { class: 'consumer-size num', text: fmt.bytes(size(x)), title: `${fmt.count(size(x))} bytes, ${fmt.percent(size(x), whole.bytes)} of ${whole.what}` }));
  }));
}

/**
 * What uses the memory: the classes that retain the most (the histogram's retained sizes,
 * or shallow sizes when only the histogram exists) and the biggest objects of the
 * dominator tree, each with a bar.
 */
function consumers(report) {
  const classes = report.histogram?.classes ?? [];
  const retained = classes.some((c) => c.retained_bytes !== undefined);
  const size = retained ? (c) => c.retained_bytes : (c) => c.shallow_bytes;
  const topClasses = [...classes].sort((a, b) => size(b) - size(a)).slice(0, TOP);
  const dom = report.dominators;
  const whole = dom ? { bytes: dom.reachable_bytes, what: 'the reachable heap' } : { bytes: report.summary.shallow_bytes, what: 'the heap' };
  const objects = dom ? dom.nodes.slice(0, TOP) : [];
  if (topClasses.length === 0 && objects.length === 0) return null;
  return h('section', { class: 'card top-consumers', data: { testid: 'top-consumers' } },
    h('h2', { text: 'What uses the memory' }),
    h('div', { class: 'grid' },
      h('div', {},
        h('h3', { text: retained ? 'Classes by retained size' : 'Classes by shallow size' }),
        consumerList('top-classes', topClasses, size, whole, (c) => classLink(c.name), (c) => ({ class: c.name })),
        h('p', { class: 'muted note' }, retained
          ? 'What would be freed with every instance of the class (a lower bound: classes share what they keep). '
          : 'The bytes of the instances themselves. ',
        h('a', { href: href('histogram'), text: 'Histogram →' }))),
      objects.length > 0 && h('div', {},
        h('h3', { text: 'Biggest objects' }),
        consumerList('top-objects', objects, (n) => n.retained_bytes, whole, (n) => objectLink(n), (n) => ({ object: n.object })),
        h('p', { class: 'muted note' }, 'The objects that retain the most, at the top of the dominator tree. ',
          h('a', { href: href('dominators'), text: 'Dominator tree →' })))));
}

/** What the full analysis needed (or would have needed) in memory. */
function memoryLine(analysis) {
  const p = analysis.plan;
  if (!p) return null;
  const text = `${fmt.count(p.objects)} objects and up to ${fmt.count(p.references_bound)} references: about ${fmt.bytes(p.peak_bytes)} at the peak of the full analysis` +
    (p.limit_bytes ? `, ${analysis.refused ? 'more than' : 'within'} the ${fmt.bytes(p.limit_bytes)} this page allows` : '');
  return ['Memory', h('span', { data: { testid: 'overview-plan', peak: String(p.peak_bytes) }, text })];
}

/** Which module ran, the memory it grew to, and why it was not wasm32 when it switched. */
function moduleLine(analysis) {
  if (!analysis.module) return null;
  const name = MODULE_TITLES[analysis.module] ?? analysis.module;
  const used = analysis.memory_bytes ? `, ${fmt.bytes(analysis.memory_bytes)} of memory used` : '';
  const sw = analysis.switched;
  let why = '';
  if (sw && sw.out_of_memory) why = ` (after ${MODULE_TITLES[WASM32]} ran out of memory)`;
  else if (sw) why = ` (after ${MODULE_TITLES[WASM32]} read the file once and found the full analysis too large for its memory: ${fmt.duration(sw.millis)})`;
  else if (analysis.module_reason && analysis.module_reason !== 'the default') why = ` (${analysis.module_reason})`;
  return ['Analysed by', h('span', {
    data: { testid: 'overview-module', module: analysis.module, memoryBytes: String(analysis.memory_bytes ?? ''), switched: sw ? sw.from : '' },
    text: `${name}${used}${why}`,
  })];
}

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
  const dom = report.dominators;

  const tiles = h('div', { class: 'tiles' },
    tile('shallow-bytes', 'Heap size', fmt.bytes(s.shallow_bytes), s.shallow_bytes, `${fmt.count(s.shallow_bytes)} bytes, shallow`),
    tile('objects', 'Objects', fmt.count(s.objects), s.objects),
    tile('classes', 'Classes', fmt.count(s.classes), s.classes,
      `loaded (class objects); ${fmt.count(report.histogram.classes.length)} of them have instances (the histogram's rows)`),
    tile('gc-roots', 'GC roots', fmt.count(rootTotal), rootTotal),
    dom && tile('reachable-bytes', 'Reachable heap', fmt.bytes(dom.reachable_bytes), dom.reachable_bytes, `${fmt.percent(dom.reachable_bytes, s.shallow_bytes)} of the heap is reachable from GC roots`),
    dom && tile('unreachable-objects', 'Unreachable objects', fmt.count(dom.unreachable_objects), dom.unreachable_objects,
      [`${fmt.bytes(dom.unreachable_bytes)}: garbage the next collection would free; left out of retained sizes. `,
        h('a', { href: '#unreachable', text: 'By class' })]));

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
    memoryLine(report.analysis),
    moduleLine(report.analysis),
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
      // MAT's words on the page (`Java local`); the export keeps the analysis' keys.
      { key: 'kind', title: 'Kind', kind: 'text', value: (r) => r.kind, decorate: (el, r) => { el.textContent = rootKind(r.kind); el.dataset.kind = r.kind; } },
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

  const references = report.references && tableSection({
    title: 'References by kind', name: 'reference-stats', onExport, rows: report.references.references,
    empty: 'No java.lang.ref.Reference objects in this dump.',
    columns: [
      { key: 'kind', title: 'Kind', kind: 'text', value: (k) => k.kind },
      { key: 'references', title: 'References', kind: 'count', value: (k) => k.references },
      { key: 'referents', title: 'Referents', kind: 'count', value: (k) => k.referents },
      { key: 'referents_shallow_bytes', title: 'Referents shallow', kind: 'bytes', value: (k) => k.referents_shallow_bytes },
      { key: 'referents_retained_bytes', title: 'Referents retained', kind: 'bytes', value: (k) => k.referents_retained_bytes },
      {
        key: 'only_through_references', title: 'Only through references', kind: 'count', value: (k) => k.only_through_references,
        decorate: (el, k) => {
          el.textContent = `${fmt.count(k.only_through_references)} of ${fmt.count(k.checked)}`;
          el.title = 'Referents checked, and those with no strong path from a GC root: they go when memory is short (soft), at the next collection (weak), or after cleanup (phantom, final)';
        },
      },
    ],
  });

  return h('div', { class: 'view-overview' }, findings(report), consumers(report), tiles,
    h('div', { class: 'grid' }, dump, heap, model, rootTable),
    references,
    diagnostics);
}
