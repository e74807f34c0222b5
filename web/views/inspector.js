// The object inspector (`heapscope inspect`): one object's fields (primitives as values,
// strings as text, references as links), a class's statics, an array's first elements,
// who refers to it and through which field, its dominator and its GC roots.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { tableSection } from './table.js';
import { classHref, classLink, classPathsHref, inspectHref, loading, objectLink, parseObjectId, pathsHref } from './links.js';
import { rootKinds } from './rootkinds.js';

/** A field's or element's value: a link for references, the value text otherwise. */
function valueCell(el, x) {
  if (x.object) el.replaceChildren(objectLink(x.object, { retained: true }));
  else el.replaceChildren(h('span', { class: x.value === 'null' ? 'muted' : 'mono', text: x.value }));
}

/** A table of fields (`inspect`'s `fields` or `statics`): rows `tr[data-name]`. */
export function fieldTable(title, name, rows, onExport, empty) {
  const t = tableSection({
    title, name, rows, onExport, empty,
    columns: [
      { key: 'declaring', title: 'Declared in', kind: 'text', value: (f) => f.declaring, cellClass: 'mono muted', decorate: (el, f) => el.replaceChildren(classLink(f.declaring)) },
      { key: 'name', title: 'Field', kind: 'text', value: (f) => f.name, cellClass: 'mono' },
      { key: 'type', title: 'Type', kind: 'text', value: (f) => f.type, cellClass: 'mono muted' },
      { key: 'value', title: 'Value', kind: 'text', value: (f) => f.value, decorate: valueCell },
    ],
  });
  rows.forEach((f, i) => {
    const tr = t.querySelectorAll('tbody tr')[i];
    if (tr) tr.dataset.name = f.name;
  });
  return t;
}

function render(v, onExport) {
  const facts = [
    ['Kind', v.kind],
    ['Shallow size', `${fmt.bytes(v.shallow_bytes)} (${fmt.count(v.shallow_bytes)} bytes)`],
    ['Retained size', `${fmt.bytes(v.retained_bytes)} (${fmt.count(v.retained_bytes)} bytes)`],
    v.length !== undefined && ['Length', fmt.count(v.length)],
    v.value !== undefined && ['Value', h('span', { class: 'strval', text: `"${v.value}"` })],
    ['Reachable', v.reachable ? 'yes' : 'no: no GC root reaches it (it would be collected)'],
    ['GC root', v.gc_roots.length > 0 ? rootKinds(v.gc_roots) : 'no'],
    ['Dominator', v.dominator ? objectLink(v.dominator, { retained: true }) : (v.reachable ? 'the GC roots (no single object keeps it alive)' : '–')],
  ].filter(Boolean);
  const head = h('section', { class: 'card' },
    h('div', { class: 'section-head' },
      h('h2', {}, v.kind === 'class' ? h('code', { text: v.class }) : classLink(v.class), ' ', h('span', { class: 'oid', text: v.object })),
      h('div', { class: 'head-actions' },
        v.kind === 'class' && h('a', { class: 'button secondary small', href: classHref(v.class.replace(/^class /, '')), text: 'Class page' }),
        v.kind === 'class' && h('a', { class: 'button secondary small', href: classPathsHref(v.class.replace(/^class /, '')), text: 'Instances and their paths' }),
        v.reachable && h('a', { class: 'button secondary small', href: pathsHref(v.object), text: 'Paths from GC roots', data: { testid: 'inspector-paths' } }))),
    h('dl', { class: 'facts', data: { testid: 'inspector-facts' } }, facts.flatMap(([k, x]) => [h('dt', { text: k }), h('dd', {}, x)])));
  const parts = [head];
  if (v.kind === 'class' || v.statics.length > 0) parts.push(fieldTable('Static fields', 'inspector-statics', v.statics, onExport, 'No static fields.'));
  if (v.kind === 'instance') parts.push(fieldTable('Fields', 'inspector-fields', v.fields, onExport, 'No instance fields.'));
  if (v.length !== undefined) {
    parts.push(tableSection({
      title: v.elements.length < v.length ? `Elements (the first ${fmt.count(v.elements.length)} of ${fmt.count(v.length)})` : 'Elements',
      name: 'inspector-elements', rows: v.elements, onExport, empty: 'The array is empty.',
      columns: [
        { key: 'index', title: 'Index', kind: 'count', value: (e) => e.index },
        { key: 'value', title: 'Value', kind: 'text', value: (e) => e.value, decorate: valueCell },
      ],
    }));
  }
  parts.push(tableSection({
    title: v.referrers.length < v.referrers_total ? `Referrers (the first ${fmt.count(v.referrers.length)} of ${fmt.count(v.referrers_total)})` : `Referrers (${fmt.count(v.referrers_total)})`,
    name: 'inspector-referrers', rows: v.referrers, onExport, empty: 'Nothing refers to this object.',
    columns: [
      { key: 'object', title: 'Object', kind: 'text', value: (r) => r.object.object, decorate: (el, r) => el.replaceChildren(objectLink(r.object, { retained: true })) },
      { key: 'field', title: 'Through field', kind: 'text', value: (r) => r.field, cellClass: 'mono' },
    ],
  }));
  return h('div', { class: 'inspector', data: { testid: 'inspector', object: v.object } }, parts);
}

/**
 * @param {object} o
 * @param {URLSearchParams} o.params   `object`: the ID
 * @param {{inspect: (id: string) => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function inspectorView({ params, load, onExport }) {
  const id = params.get('object');
  const input = h('input', {
    type: 'search', class: 'filter', name: 'object', value: id ?? '', placeholder: 'Object ID (0x…)', autocomplete: 'off', spellcheck: false,
    data: { testid: 'inspect-input' }, attrs: { 'aria-label': 'Object ID' },
  });
  const form = h('form', {
    class: 'toolbar',
    on: {
      submit: (e) => {
        e.preventDefault();
        const t = input.value.trim();
        // Not an ID: the view shows the worker's answer to it.
        if (t) location.hash = inspectHref(parseObjectId(t, { bare: true }) ?? t);
      },
    },
  }, input, h('button', { type: 'submit', class: 'small', text: 'Inspect' }));
  const body = h('div');
  const el = h('div', { class: 'view-inspect page' }, form, body);
  if (id) {
    el.dataset.state = 'loading';
    loading(body, load.inspect(id), (v) => render(v, onExport), 'Reading the object…').then(() => {
      el.dataset.state = body.dataset.state;
    });
  } else {
    replace(body, h('p', { class: 'card muted', text: 'Type an object ID, or click an object in another view.' }));
    el.dataset.state = 'ready';
  }
  return el;
}
