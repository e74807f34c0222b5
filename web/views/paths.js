// Paths to GC roots (`heapscope path`): for a class (every instance) or one object, the
// shortest paths from GC roots merged into a tree. Each node shows the field its parent
// refers to it by, the object, how many targets its branch leads to, runs of one class
// collapsed into one node (×N), and at the top the GC root kinds and the thread holding
// a frame root. For a class, its biggest instances come first.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { exportButton, tableSection } from './table.js';
import { classHref, href, inspectHref, loading, objectLink, parseObjectId } from './links.js';
import { rootKinds } from './rootkinds.js';

const SEARCHING = 'Searching the shortest paths from GC roots (for at most 5,000 targets, evenly sampled)…';

/** Whether a node starts open: the top levels, big branches, and single-child chains. */
function startsOpen(n, depth, found, parentKids) {
  return depth < 2 || n.targets * 20 >= found || parentKids === 1;
}

/**
 * The field of the object above (`parent`) that refers to `n`; an array index (`[712366]`)
 * links to that element's page in the array's inspector.
 */
function edgeField(n, parent) {
  const title = 'The field of the object above that refers to this one';
  const m = /^\[(\d+)\]$/.exec(n.field);
  if (m && parent && !(parent.repeat > 1)) {
    return h('a', {
      class: 'edge-field', href: href('inspect', { object: parent.object, offset: Number(m[1]) || undefined }), text: `.${n.field}`,
      title: `Element ${m[1]} of the array above, in its inspector`, data: { testid: 'path-index' },
    });
  }
  return h('span', { class: 'edge-field', text: `.${n.field}`, title });
}

function nodeLine(n, toggle, parent) {
  return h('div', { class: 'pnode-line' },
    toggle,
    n.field !== undefined && edgeField(n, parent),
    objectLink(n),
    n.repeat > 1 && h('span', { class: 'badge', text: `×${fmt.count(n.repeat)}`, title: `${fmt.count(n.repeat)} objects of this class, each linked to the next by the same field, collapsed` }),
    n.gc_roots && n.gc_roots.length > 0 && h('span', { class: 'badge root', text: `GC root: ${rootKinds(n.gc_roots)}`, data: { kinds: n.gc_roots.join(' ') } }),
    n.held_by && h('span', { class: 'held-by', text: `in ${n.held_by}` }),
    h('span', { class: 'pnode-stats muted' },
      h('span', { class: 'targets', text: `${fmt.count(n.targets)} target${n.targets === 1 ? '' : 's'}` }),
      ` · retains ${fmt.bytes(n.retained_bytes)}`));
}

/** The merged tree; children are built when a node is first opened. */
function pathTree(tree) {
  const render = (n, depth, siblings, parent) => {
    const li = h('li', {
      class: 'pnode',
      data: { testid: 'path-node', object: n.object, class: n.class, targets: String(n.targets), depth: String(depth), field: n.field },
    });
    const hasKids = n.children.length > 0 || n.more_children > 0;
    let kids = null;
    let open = false;
    const button = hasKids
      ? h('button', { type: 'button', class: 'toggle', data: { action: 'expand' }, on: { click: () => set(!open) } })
      : h('span', { class: 'toggle-space', attrs: { 'aria-hidden': 'true' } });
    const set = (o) => {
      open = o;
      if (!hasKids) return;
      button.textContent = open ? '▾' : '▸';
      button.setAttribute('aria-expanded', String(open));
      if (open && !kids) {
        kids = h('ul', { class: 'ptree' },
          n.children.map((c) => render(c, depth + 1, n.children.length, n)),
          n.more_children > 0 && h('li', { class: 'pnode more muted', text: `… ${fmt.count(n.more_children)} more` }));
        li.append(kids);
      }
      if (kids) kids.hidden = !open;
    };
    li.append(nodeLine(n, button, parent));
    set(startsOpen(n, depth, tree.found, siblings));
    return li;
  };
  return h('ul', { class: 'ptree top', data: { testid: 'paths' } },
    tree.roots.map((r) => render(r, 0, tree.roots.length)),
    tree.more_roots > 0 && h('li', { class: 'pnode more muted', text: `… ${fmt.count(tree.more_roots)} more GC roots` }));
}

/** Every node of the tree, depth first, with its depth (the CSV export). */
function flatten(tree) {
  const out = [];
  const stack = tree.roots.map((n) => [n, 0]).reverse();
  while (stack.length) {
    const [n, d] = stack.pop();
    out.push({ n, d });
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i], d + 1]);
  }
  return out;
}

const columns = [
  { key: 'depth', title: 'Depth', kind: 'count', value: (r) => r.d },
  { key: 'field', title: 'Field', kind: 'text', value: (r) => r.n.field },
  { key: 'object', title: 'Object', kind: 'text', value: (r) => r.n.object },
  { key: 'class', title: 'Class', kind: 'text', value: (r) => r.n.class },
  { key: 'repeat', title: 'Repeat', kind: 'count', value: (r) => r.n.repeat },
  { key: 'targets', title: 'Targets', kind: 'count', value: (r) => r.n.targets },
  { key: 'gc_roots', title: 'GC roots', kind: 'text', value: (r) => (r.n.gc_roots ?? []).join(' ') },
  { key: 'held_by', title: 'Held by', kind: 'text', value: (r) => r.n.held_by },
  { key: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (r) => r.n.retained_bytes },
];

function treeSection(tree, name, onExport) {
  const counts = h('p', {
    class: 'paths-summary', data: { testid: 'paths-summary', targets: String(tree.targets), searched: String(tree.searched), found: String(tree.found), notFound: String(tree.not_found) },
  }, `${fmt.count(tree.targets)} target${tree.targets === 1 ? '' : 's'}`,
  tree.searched < tree.targets ? `, ${fmt.count(tree.searched)} searched (an even sample)` : '',
  `: ${fmt.count(tree.found)} with a path from a GC root, ${fmt.count(tree.not_found)} without`,
  tree.include_weak ? ' (weak, soft, phantom and final references followed).' : ' (weak, soft, phantom and final references and the Finalizer list ignored).');
  return h('section', { class: 'card' },
    h('div', { class: 'section-head' }, h('h2', { text: 'Shortest paths from GC roots, merged' }),
      tree.roots.length > 0 && exportButton(name, () => onExport(name, columns, flatten(tree)), 'Every node of the tree, with its depth')),
    counts,
    tree.roots.length > 0 ? pathTree(tree) : h('p', { class: 'muted', data: { testid: 'paths' }, text: tree.targets === 0 ? 'No such object in the dump.' : 'No path from a GC root: the targets are unreachable, or reachable only through the references left out.' }));
}

function instancesSection(r, name, onExport) {
  return tableSection({
    title: `Biggest instances (${fmt.count(r.nodes.length)} of ${fmt.count(r.total)})`,
    name: 'instances', rows: r.nodes, onExport,
    empty: `No instance of ${name} in the dump.`,
    columns: [
      { key: 'object', title: 'Object', kind: 'text', value: (n) => n.object, decorate: (el, n) => el.replaceChildren(objectLink(n)) },
      { key: 'shallow', csv: 'shallow_bytes', title: 'Shallow', kind: 'bytes', value: (n) => n.shallow_bytes },
      { key: 'retained', csv: 'retained_bytes', title: 'Retained', kind: 'bytes', value: (n) => n.retained_bytes },
    ],
  });
}

/**
 * @param {object} o
 * @param {URLSearchParams} o.params   `class` or `object`, and `weak=1`
 * @param {{paths: (q: object) => Promise<any>, instances: (name: string, limit: number) => Promise<any>}} o.load
 * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
 */
export function pathsView({ params, load, onExport }) {
  const cls = params.get('class');
  const object = params.get('object');
  const weak = params.get('weak') === '1';
  const input = h('input', {
    type: 'search', class: 'filter wide', name: 'target', value: object ?? cls ?? '', placeholder: 'A class name (java.util.HashMap, byte[]) or an object ID (0x…)',
    autocomplete: 'off', spellcheck: false, data: { testid: 'paths-input' }, attrs: { list: 'class-names', 'aria-label': 'Class name or object ID' },
  });
  const check = h('input', { type: 'checkbox', checked: weak, data: { testid: 'paths-weak' } });
  const go = (e) => {
    e?.preventDefault();
    const t = input.value.trim();
    if (!t) return;
    // A class name or an object ID (`0x…`); a bare hex string is a class name here.
    const id = parseObjectId(t);
    const target = id ? { object: id } : { class: t };
    location.hash = href('paths', { ...target, weak: check.checked ? '1' : undefined });
  };
  check.addEventListener('change', () => go());
  const form = h('form', { class: 'toolbar', on: { submit: go } },
    input,
    h('label', { class: 'check' }, check, ' Include weak, soft, phantom and final references'),
    h('button', { type: 'submit', class: 'small', text: 'Find paths' }));

  const body = h('div', { class: 'paths-body' });
  const el = h('div', { class: 'view-paths page', data: { testid: 'paths-view' } }, form, body);
  if (cls) {
    const inst = h('div', { class: 'instances' });
    const tree = h('div');
    body.append(h('h2', { class: 'view-title' }, 'Class ', h('a', { href: classHref(cls), data: { testid: 'paths-class' }, title: 'The class page' }, h('code', { text: cls }))), inst, tree);
    loading(inst, load.instances(cls, 10), (r) => instancesSection(r, cls, onExport), 'Finding the biggest instances…');
    loading(tree, load.paths({ class: cls, includeWeak: weak }), (t) => treeSection(t, 'paths', onExport), SEARCHING).then(() => {
      el.dataset.state = tree.dataset.state;
    });
    el.dataset.state = 'loading';
  } else if (object) {
    const tree = h('div');
    body.append(h('h2', { class: 'view-title' }, 'Object ', h('a', { href: inspectHref(object), text: object })), tree);
    el.dataset.state = 'loading';
    loading(tree, load.paths({ object, includeWeak: weak }), (t) => treeSection(t, 'paths', onExport), SEARCHING).then(() => {
      el.dataset.state = tree.dataset.state;
    });
  } else {
    replace(body, h('p', { class: 'card muted', text: 'Type a class name or an object ID, or click a class or an object in another view.' }));
    el.dataset.state = 'ready';
  }
  return el;
}
