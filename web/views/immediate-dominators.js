// Immediate dominators (`heapscope immediate-dominators`, Eclipse MAT's "Immediate
// Dominators"): who keeps the instances of a class — or one object — alive. For each, the
// nearest object that every path from the GC roots to it passes through, grouped by that
// object's class; objects no single object keeps alive fall in a `<GC roots>` row. "Past
// the JDK" passes over holders of the JDK's classes (up the dominator tree), so that the
// application's object that holds a JDK collection is named instead of the collection.
// Rows: [data-testid=immediate-dominators] tbody tr[data-class] (the `<GC roots>` row also
// data-gc-roots), cells data-col with data-value; a row's dominator objects follow it as
// tr[data-dominator-of][data-object], shown once the row is opened (data-action=expand).

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { fill } from './cells.js';
import { cell, exportButton, headerRow } from './table.js';
import { classHref, classLink, href, inspectHref, loading, objectLink, parseObjectId } from './links.js';

/** The classes "past the JDK" passes over (`--skip` of the CLI). */
export const JDK_PATTERNS = ['java.*', 'javax.*', 'jdk.*', 'sun.*', 'com.sun.*'];

/** Dominator objects listed per row. */
const TOP = 10;

const columns = [
  { key: 'class', csv: 'class', title: 'Dominator class', kind: 'text', value: (r) => r.class },
  { key: 'objects', csv: 'objects', title: 'Objects kept', kind: 'count', value: (r) => r.objects },
  { key: 'dominated', csv: 'dominated_shallow_bytes', title: 'Their shallow size', kind: 'bytes', value: (r) => r.dominated_shallow_bytes },
  { key: 'dominators', csv: 'dominators', title: 'Dominators', kind: 'count', value: (r) => (r.gc_roots ? null : r.dominators) },
  { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow size', kind: 'bytes', value: (r) => (r.gc_roots ? null : r.shallow_bytes) },
  { key: 'retained', csv: 'retained_bytes', title: 'Retained together', kind: 'bytes', value: (r) => (r.gc_roots ? null : r.retained_bytes) },
];

const TITLES = {
  objects: 'How many of the objects asked about these dominators keep alive',
  dominators: 'Distinct dominator objects of this class',
  retained: 'What these dominators keep alive together (one nested in another counts once)',
};

function table(d) {
  const body = h('tbody');
  const rows = [];
  for (const r of d.rows) {
    const sub = [];
    let open = false;
    const toggle = r.top.length > 0
      ? h('button', { type: 'button', class: 'toggle', data: { action: 'expand' }, on: { click: () => set(!open) } })
      : h('span', { class: 'toggle-space', attrs: { 'aria-hidden': 'true' } });
    const tr = h('tr', { data: { class: r.class, gcRoots: r.gc_roots ? '1' : undefined } }, columns.map((c) => {
      const td = cell(c);
      fill(td, c, r);
      if (c.key === 'class') {
        td.replaceChildren(h('div', { class: 'tree-cell' }, toggle,
          r.gc_roots ? h('span', { class: 'muted', text: `${r.class} — no single object keeps them alive` }) : classLink(r.class)));
      } else if (TITLES[c.key]) {
        td.title = TITLES[c.key];
      }
      return td;
    }));
    for (const o of r.top) {
      sub.push(h('tr', { class: 'sub', data: { dominatorOf: r.class, object: o.object } },
        h('td', { data: { col: 'class' } }, h('div', { class: 'tree-cell indent' }, objectLink(o))),
        h('td', { class: 'num', data: { col: 'objects', value: String(o.objects) }, text: fmt.count(o.objects) }),
        h('td'), h('td'),
        h('td', { class: 'num', data: { col: 'shallow', value: String(o.shallow_bytes) }, text: fmt.bytes(o.shallow_bytes) }),
        h('td', { class: 'num', data: { col: 'retained', value: String(o.retained_bytes) }, text: fmt.bytes(o.retained_bytes) })));
    }
    if (r.more > 0) sub.push(h('tr', { class: 'sub tree-note' }, h('td', { attrs: { colspan: columns.length } }, h('div', { class: 'tree-cell indent muted', text: `… ${fmt.count(r.more)} more ${r.class}` }))));
    const set = (o) => {
      open = o;
      toggle.textContent = open ? '▾' : '▸';
      toggle.setAttribute('aria-expanded', String(open));
      for (const s of sub) s.hidden = !open;
    };
    if (r.top.length > 0) set(d.rows.length === 1);
    else for (const s of sub) s.hidden = true;
    rows.push(tr, ...sub);
  }
  replace(body, rows);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'plain', data: { testid: 'immediate-dominators' } }, headerRow(columns), body));
}

function render(d, { what, skip, onExport }) {
  const reachable = d.objects - d.unreachable_objects;
  const summary = h('p', { data: { testid: 'idom-summary', objects: String(d.objects), unreachable: String(d.unreachable_objects) } },
    `${fmt.count(d.objects)} object${d.objects === 1 ? '' : 's'}`,
    d.unreachable_objects > 0 ? ` (${fmt.count(d.unreachable_objects)} unreachable: garbage already, in no row)` : '',
    reachable > 0 ? `; who keeps ${reachable === 1 ? 'it' : 'them'} alive, by the class of the nearest object every path from the GC roots passes through${skip ? ', past the JDK\'s classes' : ''}.` : '.');
  return h('section', { class: 'card' },
    h('div', { class: 'section-head' }, h('h2', { text: `Immediate dominators of ${what}` }),
      d.rows.length > 0 && exportButton('immediate-dominators', () => onExport('immediate-dominators', columns, d.rows), 'One row per dominator class')),
    summary,
    d.rows.length > 0 ? table(d) : h('p', { class: 'muted', text: d.objects === 0 ? 'No such object in the dump.' : 'None of them is reachable.' }));
}

/**
 * @param {object} o
 * @param {URLSearchParams} o.params   `class` or `object`, and `skip=jdk`
 * @param {{immediateDominators: (q: object) => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function immediateDominatorsView({ params, load, onExport }) {
  const cls = params.get('class');
  const object = params.get('object');
  const skip = params.get('skip') === 'jdk';
  const input = h('input', {
    type: 'search', class: 'filter wide', name: 'target', value: object ?? cls ?? '', placeholder: 'A class name (java.util.HashMap, byte[]) or an object ID (0x…)',
    autocomplete: 'off', spellcheck: false, data: { testid: 'idom-input' }, attrs: { list: 'class-names', 'aria-label': 'Class name or object ID' },
  });
  const check = h('input', { type: 'checkbox', checked: skip, data: { testid: 'idom-skip' } });
  const go = (e) => {
    e?.preventDefault();
    const t = input.value.trim();
    if (!t) return;
    const id = parseObjectId(t);
    location.hash = href('immediate-dominators', { ...(id ? { object: id } : { class: t }), skip: check.checked ? 'jdk' : undefined });
  };
  check.addEventListener('change', () => go());
  const form = h('form', { class: 'toolbar', on: { submit: go } },
    input,
    h('label', { class: 'check', title: JDK_PATTERNS.join(', ') }, check, ' Past the JDK (pass over holders of java.*, javax.*, jdk.*, sun.*, com.sun.* classes)'),
    h('button', { type: 'submit', class: 'small', text: 'Show' }));
  const body = h('div');
  const el = h('div', { class: 'view-immediate-dominators page', data: { testid: 'idom-view' } }, form, body);
  if (!cls && !object) {
    replace(body, h('p', { class: 'card muted', text: 'Type a class name or an object ID, or open one from a class page.' }));
    el.dataset.state = 'ready';
    return el;
  }
  const what = cls ? `every ${cls}` : `object ${object}`;
  body.append(h('h2', { class: 'view-title' }, cls
    ? ['Who keeps every ', h('a', { href: classHref(cls), data: { testid: 'idom-class' } }, h('code', { text: cls })), ' alive']
    : ['Who keeps ', h('a', { href: inspectHref(object), text: object }), ' alive']));
  const content = h('div');
  body.append(content);
  el.dataset.state = 'loading';
  const query = { ...(object ? { object } : { class: cls }), skip: skip ? JDK_PATTERNS : undefined, top: TOP };
  loading(content, load.immediateDominators(query), (d) => render(d, { what, skip, onExport }), 'Finding the immediate dominators…').then(() => {
    el.dataset.state = content.dataset.state;
  });
  return el;
}
