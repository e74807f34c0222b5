// Unreachable objects (Eclipse MAT's "Unreachable Objects Histogram"): the objects no GC
// root reaches, by class — what the next garbage collection would free. They count in the
// heap's shallow size but not in the reachable heap, the dominator tree or retained sizes;
// this view says which classes make the difference.

import { h } from './dom.js';
import * as fmt from './format.js';
import { HistogramView } from './histogram.js';

/**
 * @param {object} o
 * @param {import('../protocol.js').Histogram} o.unreachable  `heapscope unreachable --json`
 * @param {number} o.heapBytes  the heap's shallow size
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function unreachableView({ unreachable, heapBytes, onExport }) {
  const n = unreachable.total_instances;
  const bytes = unreachable.total_shallow_bytes;
  const note = n === 0
    ? 'Every object of the dump is reachable from a GC root (the dump was taken after a full collection).'
    : `${fmt.count(n)} objects (${fmt.bytes(bytes)}, ${fmt.percent(bytes, heapBytes)} of the heap) that no GC root reaches: the next garbage collection would free them. ` +
      'They count in the heap size, not in the reachable heap, the dominator tree or retained sizes.';
  const table = new HistogramView({ histogram: unreachable, onExport, name: 'unreachable', label: 'Unreachable objects by class' });
  return h('section', { class: 'view-unreachable' },
    h('p', { class: 'muted note', data: { testid: 'unreachable-summary', objects: String(n), bytes: String(bytes) }, text: note }),
    table.el);
}
