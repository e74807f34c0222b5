// Class loaders (`heapscope classloaders`, Eclipse MAT's "Class Loader Explorer" and
// "Duplicate Classes"): every loader (the bootstrap loader as one row) with the classes it
// defines, their instances, the loader object's retained size and what its classes and
// their instances keep alive together; then each class name several loaders define, with
// each copy's loader and the shortest path from a GC root that keeps it alive.
// Hooks: [data-testid=classloaders] rows tr[data-loader] ("bootstrap" or the loader's ID),
// cells data-col + data-value; [data-testid=duplicate-class] per name (data-name), its
// copies [data-testid=class-copy] (data-object, data-loader, data-instances) with the path
// steps [data-testid=path-step] (data-object, data-field).

import { h } from './dom.js';
import * as fmt from './format.js';
import { tableSection } from './table.js';
import { classLink, loading, objectLink } from './links.js';

const loaderText = (l) => (l.loader ? `${l.loader.class} ${l.loader.object}${l.name ? ` '${l.name}'` : ''}` : l.name);

const columns = [
  {
    key: 'loader', csv: 'loader', title: 'Class loader', kind: 'text', value: loaderText,
    decorate: (el, l) => el.replaceChildren(l.loader
      ? h('span', {}, objectLink(l.loader), l.name ? h('span', { class: 'muted', text: ` '${l.name}'` }) : '')
      : h('span', { class: 'muted', text: l.name })),
  },
  { key: 'classes', csv: 'classes', title: 'Defined classes', kind: 'count', value: (l) => l.classes },
  { key: 'instances', csv: 'instances', title: 'Instances', kind: 'count', value: (l) => l.instances },
  { key: 'shallow', csv: 'instances_shallow_bytes', title: 'Their shallow size', kind: 'bytes', value: (l) => l.instances_shallow_bytes },
  {
    key: 'defined', csv: 'defined_retained_bytes', title: 'Defined, retained', kind: 'bytes', value: (l) => l.defined_retained_bytes,
    decorate: (el, l) => { el.title = `${fmt.count(l.defined_retained_bytes)} bytes that the loader's classes and their instances keep alive together`; },
  },
  { key: 'retained', csv: 'loader_retained_bytes', title: 'Loader retained', kind: 'bytes', value: (l) => (l.loader ? l.loader.retained_bytes : null) },
];

function path(steps) {
  if (steps.length === 0) return h('p', { class: 'muted', text: 'No path from a GC root (unreachable, or the search hit its limit).' });
  return h('ol', { class: 'path-steps' }, steps.map((s) => h('li', { data: { testid: 'path-step', object: s.object, field: s.field } },
    s.field && h('code', { class: 'muted', text: `.${s.field} ` }),
    objectLink(s),
    s.gc_roots?.length > 0 && h('span', { class: 'muted', text: ` GC root: ${s.gc_roots.join(', ')}${s.held_by ? `, ${s.held_by}` : ''}` }),
    s.repeat > 1 && h('span', { class: 'muted', text: ` ×${fmt.count(s.repeat)}` }))));
}

function duplicates(c) {
  if (c.duplicate_classes.length === 0) {
    return h('section', { class: 'card' }, h('h2', { text: 'Duplicate classes' }), h('p', { class: 'muted', text: 'No class is defined by more than one loader.' }));
  }
  return h('section', { class: 'card' },
    h('h2', { text: `Duplicate classes (${fmt.count(c.duplicate_classes.length)})` }),
    h('p', { class: 'muted', text: 'Class names several loaders define: each copy with its loader, its instances and what keeps it alive (the shortest path from a GC root to the class object). A copy of an undeployed application kept by one reference is a class loader leak.' }),
    c.duplicate_classes.map((d) => h('details', { class: 'dup-class', data: { testid: 'duplicate-class', name: d.name }, open: c.duplicate_classes.length <= 5 },
      h('summary', {}, classLink(d.name), ` — ${d.copies.length} copies`),
      d.copies.map((k) => h('div', { class: 'class-copy', data: { testid: 'class-copy', object: k.class_object.object, loader: k.loader?.object ?? 'bootstrap', instances: String(k.instances) } },
        h('p', {},
          objectLink(k.class_object), ' by ',
          k.loader ? objectLink(k.loader) : h('span', { class: 'muted', text: '<bootstrap>' }),
          k.loader_name ? ` '${k.loader_name}'` : '',
          `: ${fmt.count(k.instances)} instance${k.instances === 1 ? '' : 's'}`),
        path(k.path))))));
}

function render(c, onExport) {
  const rows = c.loaders.map((l) => ({ ...l }));
  const section = tableSection({ title: `Class loaders (${fmt.count(rows.length)}), ${fmt.count(c.classes)} classes`, name: 'classloaders', columns, rows, onExport });
  // Each row names its loader (tests and links).
  const trs = section.querySelectorAll('tbody tr');
  rows.forEach((l, i) => { if (trs[i]) trs[i].dataset.loader = l.loader?.object ?? 'bootstrap'; });
  return h('div', { class: 'class-content' }, section, duplicates(c));
}

/**
 * @param {object} o
 * @param {{classLoaders: () => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function classLoadersView({ load, onExport }) {
  const content = h('div');
  const el = h('div', { class: 'view-classloaders page', data: { testid: 'classloaders-view' } }, content);
  el.dataset.state = 'loading';
  loading(content, load.classLoaders(), (c) => render(c, onExport), 'Listing the class loaders…').then(() => {
    el.dataset.state = content.dataset.state;
  });
  return el;
}
