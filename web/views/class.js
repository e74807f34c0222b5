// A class's page (`heapscope class`): for every class of the name (several class loaders
// may each define one) its instances, shallow size and retained size — the histogram's,
// a lower bound, with a button for the precise retained size (`heapscope retained-set`) —,
// the class object, superclasses, class loader, static fields and direct subclasses; links
// to the paths from GC roots, the immediate dominators, and the biggest instances.
// Hooks: [data-testid=class-entry] per class (data-instances, -shallow, -retained),
// [data-testid=class-precise] (the button) and [data-testid=class-precise-result]
// (data-bytes, data-objects, data-minimum).

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { tableSection } from './table.js';
import { classHref, classLink, classPathsHref, dominatorsOfHref, loading, objectLink } from './links.js';
import { fieldTable } from './inspector.js';

/** Rows of the retained set shown (the CSV export of `heapscope retained-set` has all). */
const SET_ROWS = 20;

/** The precise retained size of every instance of `name`, asked for on a click. */
function preciseCard(name, entries, load, onExport) {
  const result = h('div', { data: { testid: 'class-precise-result' } });
  const minimum = entries.reduce((n, c) => n + c.retained_bytes, 0);
  const which = entries.length > 1 ? `every instance of the ${entries.length} classes named ${name}` : `every instance of ${name}`;
  const button = h('button', {
    type: 'button', class: 'small', text: 'Compute the precise retained size', data: { testid: 'class-precise' },
    title: 'Marks everything the GC roots reach without passing through an instance: what is left would be freed',
    on: {
      click: () => {
        button.disabled = true;
        loading(result, load.retainedSet({ class: name, top: SET_ROWS }), (r) => {
          Object.assign(result.dataset, { bytes: String(r.retained_bytes), objects: String(r.retained_objects), minimum: String(r.minimum_retained_bytes) });
          const more = r.retained_bytes - r.minimum_retained_bytes;
          return [
            h('p', {},
              h('strong', { text: `${fmt.bytes(r.retained_bytes)} (${fmt.count(r.retained_bytes)} bytes)` }),
              ` in ${fmt.count(r.retained_objects)} objects would be freed if ${which} went`,
              r.unreachable_objects > 0 ? ` (${fmt.count(r.unreachable_objects)} of the instances are unreachable already)` : '',
              more > 0
                ? `: ${fmt.bytes(more)} more than the lower bound, held by several instances together.`
                : ': the same as the lower bound (no instance shares what it holds with another).'),
            tableSection({
              title: r.total_classes > r.classes.length ? `The retained set by class (the first ${fmt.count(r.classes.length)} of ${fmt.count(r.total_classes)})` : 'The retained set by class',
              name: 'retained-set', rows: r.classes, onExport,
              columns: [
                { key: 'class', csv: 'name', title: 'Class', kind: 'text', value: (c) => c.name, cellClass: 'mono', decorate: (el, c) => el.replaceChildren(classLink(c.name)) },
                { key: 'instances', title: 'Objects', kind: 'count', value: (c) => c.instances },
                { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow size', kind: 'bytes', value: (c) => c.shallow_bytes },
              ],
            }),
          ];
        }, 'Marking what the GC roots reach without the instances…');
      },
    },
  });
  return h('section', { class: 'card' },
    h('h2', { text: 'Precise retained size' }),
    h('p', { class: 'muted' },
      `The retained sizes above are lower bounds (${fmt.bytes(minimum)} for ${which}): they add up what each instance dominates, `,
      'and leave out what several instances hold together. The precise size is what a garbage collection would free if all of them went.'),
    button, result);
}

function entryCard(c, onExport) {
  const facts = [
    ['Kind', `${c.kind} class`],
    ['Class object', c.class_object ? objectLink(c.class_object, { retained: true }) : 'none in the dump'],
    ['Instances', fmt.count(c.instances), 'instances'],
    ['Shallow size', `${fmt.bytes(c.shallow_bytes)} (${fmt.count(c.shallow_bytes)} bytes)`, 'shallow'],
    ['Retained size', [`at least ${fmt.bytes(c.retained_bytes)} (${fmt.count(c.retained_bytes)} bytes)`,
      h('span', { class: 'muted', text: ' — the histogram\'s: what the instances dominate, each counted once (MAT\'s minimum retained size)' })], 'retained'],
    c.instance_size !== undefined && ['Bytes per instance', fmt.bytes(c.instance_size)],
    ['Superclasses', c.superclasses.length > 0 ? c.superclasses.flatMap((s, i) => [i > 0 && ' → ', classLink(s.name)]) : 'none'],
    ['Class loader', c.class_loader ? objectLink(c.class_loader) : 'the bootstrap class loader'],
  ].filter(Boolean);
  const parts = [
    h('section', { class: 'card' },
      h('h2', {}, h('code', { text: c.name }), c.class_object && h('span', { class: 'oid', text: ` ${c.class_object.object}` })),
      h('dl', { class: 'facts' }, facts.flatMap(([k, x, hook]) => [h('dt', { text: k }), h('dd', { data: { testid: hook && `class-${hook}` } }, x)]))),
  ];
  if (c.statics.length > 0 || c.class_object) parts.push(fieldTable('Static fields', 'class-statics', c.statics, onExport, 'No static fields.'));
  parts.push(tableSection({
    title: `Direct subclasses (${fmt.count(c.subclasses.length)})`, name: 'class-subclasses', rows: c.subclasses, onExport, empty: 'No class of the dump extends it.',
    columns: [
      { key: 'class', csv: 'name', title: 'Class', kind: 'text', value: (s) => s.name, cellClass: 'mono', decorate: (el, s) => el.replaceChildren(classLink(s.name)) },
      { key: 'instances', title: 'Instances', kind: 'count', value: (s) => s.instances },
    ],
  }));
  return h('div', {
    class: 'class-entry',
    data: { testid: 'class-entry', object: c.class_object?.object, instances: String(c.instances), shallow: String(c.shallow_bytes), retained: String(c.retained_bytes) },
  }, parts);
}

function instancesCard(r, name, onExport) {
  return tableSection({
    title: `Biggest instances (${fmt.count(r.nodes.length)} of ${fmt.count(r.total)})`,
    name: 'class-biggest', rows: r.nodes, onExport,
    empty: `No instance of ${name} in the dump.`,
    columns: [
      { key: 'object', title: 'Object', kind: 'text', value: (n) => n.object, decorate: (el, n) => el.replaceChildren(objectLink(n)) },
      { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow', kind: 'bytes', value: (n) => n.shallow_bytes },
      { key: 'retained', csv: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (n) => n.retained_bytes },
    ],
  });
}

function render(r, load, onExport) {
  const name = r.name;
  if (r.classes.length === 0) {
    return h('p', { class: 'card muted', data: { testid: 'class-none' }, text: `No class named ${name} in this dump.` });
  }
  const links = h('div', { class: 'head-actions' },
    h('a', { class: 'button secondary small', href: classPathsHref(name), text: 'Paths from GC roots', data: { testid: 'class-paths' } }),
    h('a', { class: 'button secondary small', href: dominatorsOfHref(name), text: 'Immediate dominators', data: { testid: 'class-dominators' }, title: 'Who keeps the instances alive' }),
    h('a', { class: 'button secondary small', href: dominatorsOfHref(name, true), text: 'Immediate dominators, past the JDK', title: 'Who keeps the instances alive, passing over java.*, javax.*, jdk.*, sun.* and com.sun.* holders' }));
  const instances = h('div');
  loading(instances, load.instances(name, 10), (x) => instancesCard(x, name, onExport), 'Finding the biggest instances…');
  return [
    h('div', { class: 'section-head' },
      h('p', { class: 'muted', text: r.classes.length > 1 ? `${r.classes.length} classes of this name, defined by different class loaders.` : '' }),
      links),
    r.classes.map((c) => entryCard(c, onExport)),
    preciseCard(name, r.classes, load, onExport),
    instances,
  ];
}

/**
 * @param {object} o
 * @param {URLSearchParams} o.params   `name`: the Java class name
 * @param {{classInfo: (name: string) => Promise<any>, retainedSet: (q: object) => Promise<any>, instances: (name: string, limit: number) => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function classView({ params, load, onExport }) {
  const name = params.get('name');
  const input = h('input', {
    type: 'search', class: 'filter wide', name: 'class', value: name ?? '', placeholder: 'A class name (java.util.HashMap, byte[])',
    autocomplete: 'off', spellcheck: false, data: { testid: 'class-input' }, attrs: { list: 'class-names', 'aria-label': 'Class name' },
  });
  const form = h('form', {
    class: 'toolbar',
    on: {
      submit: (e) => {
        e.preventDefault();
        const t = input.value.trim();
        if (t) location.hash = classHref(t);
      },
    },
  }, input, h('button', { type: 'submit', class: 'small', text: 'Show the class' }));
  const body = h('div', { class: 'class-body' });
  const el = h('div', { class: 'view-class page', data: { testid: 'class-view' } }, form, body);
  if (name) {
    el.dataset.state = 'loading';
    const head = h('h2', { class: 'view-title' }, 'Class ', h('code', { text: name }));
    const content = h('div', { class: 'class-content' });
    body.append(head, content);
    loading(content, load.classInfo(name), (r) => render(r, load, onExport), 'Reading the class…').then(() => {
      el.dataset.state = content.dataset.state;
    });
  } else {
    replace(body, h('p', { class: 'card muted', text: 'Type a class name, or click a class anywhere in another view.' }));
    el.dataset.state = 'ready';
  }
  return el;
}
