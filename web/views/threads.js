// Threads: each thread's name, its stack (innermost frame first) and the objects each frame
// holds as locals, with their retained sizes. Threads are listed by what their locals
// retain, largest first.

import { h } from './dom.js';
import * as fmt from './format.js';
import { objectLink } from './links.js';
import { exportButton } from './table.js';

/** A thread's stack: one line per frame, its locals under it. */
export function threadStack(t) {
  const frames = t.frames.map((f) => h('li', { class: 'frame' },
    h('div', { class: 'frame-line' }, h('span', { class: 'muted', text: 'at ' }), h('code', { text: f.method }), h('span', { class: 'muted', text: ` (${f.location})` })),
    f.locals.length > 0 && h('ul', { class: 'locals' }, f.locals.map((l) => h('li', {}, h('span', { class: 'muted', text: 'holds ' }), objectLink(l, { retained: true }))))));
  return h('div', { class: 'stack' },
    frames.length > 0 ? h('ol', { class: 'frames' }, frames) : h('p', { class: 'muted', text: 'No stack trace in the dump for this thread.' }),
    t.other_locals.length > 0 && h('div', { class: 'other-locals' },
      h('span', { class: 'muted', text: 'Also held by the thread (no frame claims them): ' }),
      h('ul', { class: 'locals' }, t.other_locals.map((l) => h('li', {}, objectLink(l, { retained: true }))))));
}

const columns = [
  { key: 'thread', title: 'Thread', kind: 'text', value: (r) => r.thread },
  { key: 'frame', title: 'Frame', kind: 'count', value: (r) => r.frame },
  { key: 'method', title: 'Method', kind: 'text', value: (r) => r.method },
  { key: 'location', title: 'Location', kind: 'text', value: (r) => r.location },
  { key: 'local', title: 'Local', kind: 'text', value: (r) => r.local?.object },
  { key: 'local_class', title: 'Local class', kind: 'text', value: (r) => r.local?.class },
  { key: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (r) => r.local?.retained_bytes },
];

/** One CSV row per frame and local. */
function rows(threads) {
  const out = [];
  for (const t of threads) {
    t.frames.forEach((f, i) => {
      const base = { thread: t.name, frame: i, method: f.method, location: f.location };
      if (f.locals.length === 0) out.push(base);
      for (const l of f.locals) out.push({ ...base, local: l });
    });
    for (const l of t.other_locals) out.push({ thread: t.name, local: l });
  }
  return out;
}

/**
 * @param {object} o
 * @param {import('../protocol.js').ThreadView[]} o.threads
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function threadsView({ threads, onExport }) {
  const list = threads.map((t) => h('details', { class: 'card thread', data: { testid: 'thread', name: t.name }, open: threads.length <= 12 },
    h('summary', {},
      h('span', { class: 'thread-name', text: `'${t.name}'` }), ' ',
      objectLink(t.object),
      h('span', { class: 'muted', text: ` · ${t.frames.length} frame${t.frames.length === 1 ? '' : 's'} · retains ` }),
      h('span', { class: 'num', text: fmt.bytes(t.object.retained_bytes), data: { value: String(t.object.retained_bytes) } }),
      h('span', { class: 'muted', text: ', kept alive by its locals alone ', title: 'Each object once: what the thread\'s locals keep alive that nothing else holds (part of what the thread retains)' }),
      h('span', { class: 'num', data: { testid: 'locals-retained', value: String(t.locals_retained_bytes) }, text: fmt.bytes(t.locals_retained_bytes) })),
    threadStack(t)));
  return h('div', { class: 'view-threads page', data: { testid: 'threads' } },
    h('div', { class: 'toolbar' },
      h('p', { class: 'muted counts', text: `${fmt.count(threads.length)} threads, largest retained first (a thread retains what its locals hold).` }),
      threads.length > 0 && exportButton('threads', () => onExport('threads', columns, rows(threads)), 'One row per frame and local')),
    threads.length > 0 ? list : h('p', { class: 'card muted', text: 'The dump records no thread objects.' }));
}
