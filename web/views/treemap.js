// A treemap of the dominator tree, laid out by d3-hierarchy (vendor/, loaded as a classic
// script: its UMD global `d3`). It shows one node at a time — at first the GC roots' side,
// the tree's top — with its largest children as boxes sized by retained bytes; the biggest
// objects show their own largest children inside. When a node has more children than fit
// legibly, they are grouped by class: one box per class, sized by the objects' summed
// retained bytes, labelled `Class × n`.
//
// Clicking a box zooms into it (its children fill the map); the breadcrumb above goes
// back out. An object box is also a link to the object's inspector: its label line (the
// name and size at its top) follows the link, as do the keyboard and boxes with nothing
// inside. Hooks: the map is [data-testid=treemap] with data-state (`loading`, `ready`) and
// data-zoom (`root`, `object:0x…` or `group:<class>`); object boxes a.tm-box[data-object],
// class boxes .tm-box.tm-group[data-class][data-objects]; the breadcrumb
// [data-testid=treemap-crumbs] button[data-zoom-to=<depth>].

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { inspectHref, objectLink } from './links.js';

const TOP = 30; // boxes at the first level (more children than this: grouped by class)
const NESTED = 8; // of which this many show their children
const PER = 12; // children shown inside each
const HEIGHT = 360;
const LABEL_LINE = 18; // px at the top of a box: the label, a link for object boxes

/** A small, stable colour index for a class name. */
function hue(name) {
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) >>> 0;
  return x % 8;
}

/** `HashMap$Node` of `java.util.HashMap$Node`. */
const shortName = (c) => c.replace(/^.*[.$](?=[^.$]+$)/, '');

/**
 * @param {object} o
 * @param {import('../protocol.js').DomNode[]} o.nodes  the largest objects under the GC roots
 * @param {number} o.more                                how many more there are
 * @param {number} o.total                               the reachable heap
 * @param {(parent: ?string, limit: number) => Promise<import('../protocol.js').Dominators>} o.children
 * @param {(q: {parent?: string, path: string[], limit?: number, groupLimit?: number}) => Promise<import('../protocol.js').DomGroup>} o.group
 */
export function treemap({ nodes, more, total, children, group }) {
  const el = h('div', { class: 'treemap', data: { testid: 'treemap', state: 'loading', zoom: 'root' }, attrs: { role: 'group', 'aria-label': 'Treemap of the largest retained objects' } });
  el.style.height = `${HEIGHT}px`;
  const d3 = globalThis.d3;
  if (!d3 || typeof d3.treemap !== 'function') {
    el.style.height = '';
    el.append(h('p', { class: 'muted', text: 'The treemap needs vendor/d3-hierarchy.min.js, which this copy of the site lacks (run .ci/build-web).' }));
    return el;
  }
  if (nodes.length === 0) {
    el.style.height = '';
    el.dataset.state = 'ready';
    el.append(h('p', { class: 'muted', text: 'Nothing is reachable from the GC roots.' }));
    return el;
  }
  const crumbs = h('nav', { class: 'tm-crumbs', data: { testid: 'treemap-crumbs' }, attrs: { 'aria-label': 'Treemap zoom' } });
  const caption = h('p', { class: 'muted note' });

  /**
   * What the map shows: the GC roots' side, an object, or a class group (objects of class
   * `path[0]` that `parent` — an object ID, or null for the GC roots — dominates).
   * @typedef {{kind: 'root'} | {kind: 'object', node: any} | {kind: 'group', parent: ?string, path: string[], sum: any}} Target
   */
  /** @type {Target[]} */
  let trail = [{ kind: 'root' }];
  let data = null; // the laid-out level: {kids: Item[]}
  let width = 0;
  let generation = 0;

  const objectItem = (n) => ({ kind: 'object', node: n, value: n.retained_bytes, kids: null });
  const groupItem = (parent, g) => (g.objects === 1
    ? objectItem(g.largest) // a class with one object: the object itself
    : { kind: 'group', parent, path: [g.class], sum: g, value: g.retained_bytes, kids: null });
  const restItem = (value, count, what) => ({ kind: 'rest', value, count, what });
  const zoomable = (it) => it.kind === 'group' || (it.kind === 'object' && it.node.retained_bytes > it.node.shallow_bytes);

  /** The children of `at` (at most TOP boxes, grouped by class when there are more) and what they leave out. */
  async function level(at) {
    if (at.kind === 'group') {
      const r = await group({ parent: at.parent ?? undefined, path: at.path, limit: TOP, groupLimit: 1 });
      const kids = r.nodes.map(objectItem);
      const shown = kids.reduce((s, k) => s + k.value, 0);
      if (r.more > 0) kids.push(restItem(Math.max(0, at.sum.retained_bytes - shown), r.more, 'smaller objects'));
      return {
        kids,
        text: r.more > 0
          ? `The ${fmt.count(r.nodes.length)} largest of ${fmt.count(at.sum.objects)} ${at.path[0]} objects retain ${fmt.bytes(shown)} of the group's ${fmt.bytes(at.sum.retained_bytes)}.`
          : `The ${fmt.count(at.sum.objects)} ${at.path[0]} objects retain ${fmt.bytes(at.sum.retained_bytes)} (${fmt.percent(at.sum.retained_bytes, total)} of the reachable heap).`,
      };
    }
    const parent = at.kind === 'object' ? at.node.object : null;
    const whole = at.kind === 'object' ? at.node.retained_bytes - at.node.shallow_bytes : total;
    const where = at.kind === 'object' ? `${at.node.class} ${at.node.object}` : 'the GC roots';
    const first = at.kind === 'root' ? { nodes, more } : await children(parent, TOP);
    if (first.nodes.length + first.more <= TOP) {
      const kids = first.nodes.map(objectItem);
      return { kids, text: `The ${fmt.count(kids.length)} objects ${where} dominate${at.kind === 'object' ? 's' : ''} directly retain ${fmt.bytes(whole)}.` };
    }
    const r = await group({ parent: parent ?? undefined, path: [], groupLimit: TOP });
    const kids = r.groups.map((g) => groupItem(parent, g));
    const shown = kids.reduce((s, k) => s + k.value, 0);
    if (r.more_groups > 0) kids.push(restItem(Math.max(0, whole - shown), r.more_groups, 'more classes'));
    const count = first.nodes.length + first.more;
    return {
      kids,
      text: `${fmt.count(count)} objects ${at.kind === 'root' ? 'are dominated by the GC roots' : `are dominated by ${where}`} directly: too many for a box each, so they are grouped by class` +
        `${r.more_groups > 0 ? `; the ${fmt.count(r.groups.length)} largest classes retain ${fmt.bytes(shown)} (${fmt.percent(shown, whole)})` : ''}.`,
    };
  }

  /** The children drawn inside a big box. */
  async function nested(it) {
    // A class box stays whole (its objects are many small ones: zoom in to see them).
    if (!zoomable(it) || it.kind === 'group') return;
    const r = await children(it.node.object, PER);
    const sum = r.nodes.reduce((s, k) => s + k.retained_bytes, 0);
    it.kids = [...r.nodes.map(objectItem), { kind: 'self', value: Math.max(0, it.node.retained_bytes - sum) }];
  }

  async function show(newTrail) {
    const mine = ++generation;
    el.dataset.state = 'loading';
    const at = newTrail[newTrail.length - 1];
    try {
      const lv = await level(at);
      await Promise.all(lv.kids.slice(0, NESTED).map((k) => nested(k).catch(() => {})));
      if (mine !== generation) return;
      trail = newTrail;
      data = { kids: lv.kids };
      caption.textContent = lv.text;
    } catch (e) {
      if (mine !== generation) return;
      caption.textContent = `The treemap could not load this node: ${e.message}`;
    }
    el.dataset.zoom = at.kind === 'root' ? 'root' : at.kind === 'object' ? `object:${at.node.object}` : `group:${at.path[0]}`;
    drawCrumbs();
    draw();
    el.dataset.state = 'ready';
  }

  function drawCrumbs() {
    const label = (t) => (t.kind === 'root' ? 'GC roots' : t.kind === 'object' ? `${shortName(t.node.class)} ${t.node.object}` : `${shortName(t.path[0])} × ${fmt.count(t.sum.objects)}`);
    const parts = trail.map((t, i) => {
      const last = i === trail.length - 1;
      const item = last
        ? (t.kind === 'object' ? objectLink(t.node, { retained: true }) : h('strong', { text: label(t) }))
        : h('button', { type: 'button', class: 'link', text: label(t), data: { zoomTo: String(i) }, on: { click: () => show(trail.slice(0, i + 1)) } });
      return [i > 0 && h('span', { class: 'muted', text: ' › ', attrs: { 'aria-hidden': 'true' } }), item];
    });
    replace(crumbs, parts);
  }

  function draw() {
    width = el.clientWidth;
    if (width === 0 || !data) return;
    const root = d3.hierarchy(data, (d) => d.kids)
      .sum((d) => (d.kids ? 0 : d.value))
      .sort((a, b) => b.value - a.value);
    d3.treemap()
      .tile(d3.treemapSquarify)
      .size([width, HEIGHT])
      .paddingInner(2)
      .paddingTop((d) => (d.depth === 1 ? LABEL_LINE : 0))
      .paddingRight((d) => (d.depth === 1 ? 2 : 0))
      .paddingBottom((d) => (d.depth === 1 ? 2 : 0))
      .paddingLeft((d) => (d.depth === 1 ? 2 : 0))
      .round(true)(root);
    replace(el, root.descendants().filter((d) => d.depth > 0).map((d) => box(d)));
  }

  /** Zooms into `it` (drawn at `depth`; a nested box's parent box comes first). */
  function zoomInto(it, d) {
    const at = [];
    if (d.depth === 2 && d.parent) at.push(target(d.parent.data));
    at.push(target(it));
    show([...trail, ...at]);
  }

  const target = (it) => (it.kind === 'group' ? { kind: 'group', parent: it.parent, path: it.path, sum: it.sum } : { kind: 'object', node: it.node });

  function box(d) {
    const it = d.data;
    const w = d.x1 - d.x0;
    const ht = d.y1 - d.y0;
    const depthClass = `tm-box depth-${d.depth}`;
    let b;
    if (it.kind === 'self' || it.kind === 'rest') {
      const title = it.kind === 'rest'
        ? `${fmt.count(it.count)} ${it.what}: ${fmt.bytes(it.value)} (${fmt.percent(it.value, total)} of the heap)`
        : `${fmt.bytes(it.value)} in itself and smaller objects`;
      b = h('div', { class: `${depthClass} tm-rest`, title });
      if (it.kind === 'self' && d.parent?.data && zoomable(d.parent.data)) {
        // The part of a box its children leave: zooms into the box.
        b.classList.add('tm-self');
        b.addEventListener('click', () => zoomInto(d.parent.data, d.parent));
      }
      if (it.kind === 'rest' && w > 56 && ht > 15) b.append(h('span', { class: 'tm-size', text: `${fmt.count(it.count)} ${it.what}` }));
    } else if (it.kind === 'group') {
      const s = it.sum;
      b = h('div', {
        class: `${depthClass} tm-group tm-c${hue(s.class)}`, title: `${s.class} × ${fmt.count(s.objects)}\n${fmt.bytes(s.retained_bytes)} retained (${fmt.percent(s.retained_bytes, total)} of the heap). Click to zoom in.`,
        data: { class: s.class, objects: String(s.objects), retained: String(s.retained_bytes) },
        attrs: { role: 'button', tabindex: '0' },
        on: {
          click: (e) => { e.stopPropagation(); zoomInto(it, d); },
          keydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); zoomInto(it, d); } },
        },
      });
      if (w > 56 && ht > 15) b.append(h('span', { class: 'tm-label', text: `${shortName(s.class)} × ${fmt.count(s.objects)}` }), h('span', { class: 'tm-size', text: ` ${fmt.bytes(s.retained_bytes)}` }));
    } else {
      const n = it.node;
      const can = zoomable(it);
      b = h('a', {
        class: `${depthClass} tm-c${hue(n.class)}`, href: inspectHref(n.object),
        title: `${n.class} ${n.object}\n${fmt.bytes(n.retained_bytes)} retained (${fmt.percent(n.retained_bytes, total)} of the heap)${can ? '\nClick to zoom in; click its name to inspect it.' : ''}`,
        data: { object: n.object },
        on: {
          click: (e) => {
            // The label line, the keyboard (detail 0) and boxes with nothing inside follow the link.
            if (!can || e.detail === 0 || e.clientY - b.getBoundingClientRect().top < LABEL_LINE) return;
            e.preventDefault();
            e.stopPropagation();
            zoomInto(it, d);
          },
        },
      });
      if (w > 56 && ht > 15) b.append(h('span', { class: 'tm-label', text: shortName(n.class) }), h('span', { class: 'tm-size', text: ` ${fmt.bytes(n.retained_bytes)}` }));
    }
    b.style.left = `${d.x0}px`;
    b.style.top = `${d.y0}px`;
    b.style.width = `${w}px`;
    b.style.height = `${ht}px`;
    return b;
  }

  new ResizeObserver(() => {
    if (el.clientWidth !== width) draw();
  }).observe(el);
  show(trail);
  return h('div', {}, crumbs, el, caption);
}
