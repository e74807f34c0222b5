// The Finalizer analysis (`heapscope finalizers`): how many java.lang.ref.Finalizer objects
// there are and what they keep, who keeps their referents alive (each holder as a sentence
// and as a chain of class.field steps), the finalization queue, what the finalizer thread
// is doing, and the diagnosis of every java.util.Timer queue.

import { h } from './dom.js';
import * as fmt from './format.js';
import { exportButton, tableSection, tile } from './table.js';
import { classLink, objectLink, prose, share } from './links.js';
import { threadStack } from './threads.js';

/**
 * A holder's path as a chain: each step's class, then the field it refers onward with,
 * ending at the referents' class. The accumulation point is marked. A field and the step
 * it leads to stay on one line.
 */
function chain(path, end, accumulationClass) {
  const step = (cls, extra = '') => h('span', { class: `step ${extra} ${cls === accumulationClass ? 'accumulation' : ''}` },
    h('code', { class: 'step-class', text: cls }),
    cls === accumulationClass && h('span', { class: 'step-note', text: 'accumulates' }));
  const targets = [...path.slice(1).map((s) => s.class), end];
  return h('ol', { class: 'chain', attrs: { 'aria-label': 'Path from the holder' } },
    h('li', {}, step(path[0].class)),
    path.map((s, i) => h('li', { class: 'hop' },
      h('span', { class: 'edge', attrs: { 'aria-label': `through ${s.field}` } },
        h('span', { class: 'edge-field', text: s.field }), h('span', { class: 'arrow', text: '→', attrs: { 'aria-hidden': 'true' } })),
      step(targets[i], i === path.length - 1 ? 'target' : ''))));
}

function holder(x) {
  return h('li', { class: 'holder', data: { referents: String(x.referents), of: String(x.of) } },
    prose(x.summary),
    chain(x.path, `${x.class} ×${fmt.count(x.referents)}`, x.accumulation_point.class),
    h('dl', { class: 'facts compact' },
      h('dt', { text: 'Held by' }), h('dd', {}, objectLink(x.holder)),
      h('dt', { text: 'Accumulation point' }), h('dd', {}, objectLink(x.accumulation_point, { retained: true })),
      h('dt', { text: 'Freed if it let go' }), h('dd', { text: `${fmt.bytes(x.retained_bytes)}, ${fmt.count(x.freed_referents)} of the ${fmt.count(x.referents)} referents`, title: `${fmt.count(x.retained_bytes)} bytes` }),
      h('dt', { text: 'All paths' }), h('dd', {}, classLink(x.class))));
}

function timer(t) {
  const due = t.head_task_due_in_ms;
  const when = t.head_task_time_ms !== null && t.head_task_time_ms !== undefined
    ? `${new Date(t.head_task_time_ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}${due !== null && due !== undefined ? (due >= 0 ? `, ${fmt.span(due)} after the dump` : `, overdue by ${fmt.span(due)}`) : ''}`
    : '–';
  return h('section', { class: 'card timer', data: { testid: 'timer-diagnosis', tasks: String(t.tasks), cancelled: String(t.cancelled_tasks) } },
    h('h3', {}, 'Timer ', t.thread ? h('span', { class: 'thread-name', text: `'${t.thread}'` }) : h('span', { class: 'muted', text: '(no thread runs this queue)' })),
    h('p', { class: 'timer-count' },
      h('strong', { text: `${fmt.count(t.cancelled_tasks)} cancelled of ${fmt.count(t.tasks)} tasks` }), ' still in the queue ', objectLink(t.queue, { retained: true })),
    h('dl', { class: 'facts compact' },
      h('dt', { text: 'Head task' }), h('dd', {}, t.head_task_class ? h('code', { text: t.head_task_class }) : '–', t.head_task_cancelled ? ' (cancelled)' : ''),
      h('dt', { text: 'Due' }), h('dd', { text: when }),
      t.cancelled_task_classes.length > 0 && [h('dt', { text: 'Cancelled tasks' }),
        h('dd', {}, t.cancelled_task_classes.map(([name, n], i) => [i > 0 && ', ', `${fmt.count(n)} `, classLink(name)]))]),
    t.advice && h('p', { class: 'advice', text: t.advice }));
}

/**
 * @param {object} o
 * @param {object} o.report   the Finalizer report (`heapscope finalizers --json`)
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function finalizersView({ report: r, onExport }) {
  const byClass = (title, name, rows, empty) => tableSection({
    title, name, rows, onExport, empty,
    columns: [
      { key: 'class', csv: 'name', title: 'Class', kind: 'text', value: (c) => c.name, cellClass: 'mono', decorate: (el, c) => el.replaceChildren(classLink(c.name)) },
      { key: 'instances', title: 'Objects', kind: 'count', value: (c) => c.instances },
      { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow', kind: 'bytes', value: (c) => c.shallow_bytes },
      { key: 'retained', csv: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (c) => c.retained_bytes },
    ],
  });

  const holderColumns = [
    { key: 'summary', title: 'Summary', kind: 'text', value: (x) => x.summary },
    { key: 'path', title: 'Path', kind: 'text', value: (x) => x.path.map((s) => `${s.class} .${s.field}`).join(' → ') },
    { key: 'referents', title: 'Referents', kind: 'count', value: (x) => x.referents },
    { key: 'of', title: 'Of', kind: 'count', value: (x) => x.of },
    { key: 'class', title: 'Class', kind: 'text', value: (x) => x.class },
    { key: 'holder', title: 'Holder', kind: 'text', value: (x) => x.holder.object },
    { key: 'accumulation_point', title: 'Accumulation point', kind: 'text', value: (x) => x.accumulation_point.object },
    { key: 'retained_bytes', title: 'Freed', kind: 'bytes', value: (x) => x.retained_bytes },
    { key: 'freed_referents', title: 'Freed referents', kind: 'count', value: (x) => x.freed_referents },
  ];

  const queue = h('section', { class: 'card' },
    h('h2', { text: 'Finalization queue' }),
    h('p', {}, h('strong', { data: { testid: 'finalizer-queued', value: String(r.queued) }, text: fmt.count(r.queued) }),
      ` Finalizer${r.queued === 1 ? '' : 's'} wait${r.queued === 1 ? 's' : ''} for the finalizer thread`,
      r.queue_length !== null && r.queue_length !== undefined ? ` (the queue's own count: ${fmt.count(r.queue_length)}).` : '.'),
    r.queued > 0 && r.finalizer_threads.length > 0 && h('p', { class: 'muted', text: 'Objects wait here while the finalizer thread runs finalize() methods one at a time; a slow or blocked finalize() holds up all of them.' }));

  const threads = h('section', { class: 'card' },
    h('h2', { text: 'Finalizer thread' }),
    r.in_processing.length > 0
      ? h('p', {}, h('strong', { text: 'Being finalized now: ' }), r.in_processing.map((o, i) => [i > 0 && ', ', objectLink(o)]))
      : h('p', { class: 'muted', text: 'No object is being finalized at the moment of the dump.' }),
    r.finalizer_threads.length === 0
      ? h('p', { class: 'muted', text: 'No finalizer thread in this dump.' })
      : r.finalizer_threads.map((t) => h('div', { class: 'thread-block' },
        h('h3', {}, h('span', { class: 'thread-name', text: `'${t.name}'` }), ' ', objectLink(t.object)),
        threadStack(t))));

  return h('div', { class: 'view-finalizers page' },
    h('div', { class: 'tiles' },
      tile('finalizer-count', 'Finalizers', fmt.count(r.finalizers), r.finalizers, `java.lang.ref.Finalizer, ${fmt.bytes(r.shallow_bytes)} shallow`),
      tile('finalizer-retained', 'Retained by the Finalizers', fmt.bytes(r.retained_bytes), r.retained_bytes, `${share(r.heap_share)} of the reachable heap`),
      tile('finalizer-referents', 'Referents', fmt.count(r.referents), r.referents, `${fmt.bytes(r.referents_shallow_bytes)} shallow`),
      tile('finalizer-referents-retained', 'Retained by the referents', fmt.bytes(r.referents_retained_bytes), r.referents_retained_bytes, 'objects with a finalize() method, and what they keep'),
      tile('finalizer-together-retained', 'Retained together', fmt.bytes(r.together_retained_bytes), r.together_retained_bytes, 'the Finalizers and their referents as one set, each object once')),
    h('section', { class: 'card' },
      h('div', { class: 'section-head' }, h('h2', { text: 'Who keeps the referents alive' }),
        r.holders.length > 0 && exportButton('finalizer-holders', () => onExport('finalizer-holders', holderColumns, r.holders))),
      h('p', { class: 'muted note', text: 'The shortest strong paths from GC roots to the referents (the Finalizer list and other java.lang.ref links ignored), grouped by the pattern they follow.' }),
      r.holders.length > 0
        ? h('ol', { class: 'holders', data: { testid: 'finalizer-holders' } }, r.holders.map(holder))
        : h('p', { class: 'muted', data: { testid: 'finalizer-holders' }, text: 'No referent is held strongly: they wait only for finalization.' })),
    r.timers.length > 0 && h('div', { class: 'timers' }, r.timers.map(timer)),
    h('div', { class: 'grid' },
      byClass('Referents by class', 'finalizer-referents', r.referents_by_class, 'No Finalizer has a referent.'),
      h('div', { class: 'stack-col' }, queue,
        r.queued_by_class.length > 0 && byClass('Queued by class', 'finalizer-queued', r.queued_by_class))),
    threads);
}
