// A treemap of the top of the dominator tree, laid out by d3-hierarchy (vendor/, loaded as
// a classic script: its UMD global `d3`). The largest objects are boxes sized by retained
// bytes; the biggest of them show their own largest children inside. Every box is a link
// to the object's inspector.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { inspectHref } from './links.js';

const TOP = 30; // boxes at the first level
const NESTED = 8; // of which this many show their children
const PER = 12; // children shown inside each
const HEIGHT = 360;

/** A small, stable colour index for a class name. */
function hue(name) {
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) >>> 0;
  return x % 8;
}

/**
 * @param {object} o
 * @param {import('../protocol.js').DomNode[]} o.nodes  the largest objects under the GC roots
 * @param {number} o.more                                how many more there are
 * @param {number} o.total                               the reachable heap
 * @param {(parent: ?string, limit: number) => Promise<import('../protocol.js').Dominators>} o.children
 */
export function treemap({ nodes, more, total, children }) {
  const el = h('div', { class: 'treemap', data: { testid: 'treemap' }, attrs: { role: 'group', 'aria-label': 'Treemap of the largest retained objects' } });
  el.style.height = `${HEIGHT}px`;
  const d3 = globalThis.d3;
  if (!d3 || typeof d3.treemap !== 'function') {
    el.style.height = '';
    el.append(h('p', { class: 'muted', text: 'The treemap needs vendor/d3-hierarchy.min.js, which this copy of the site lacks (run .ci/build-web).' }));
    return el;
  }
  if (nodes.length === 0) {
    el.style.height = '';
    el.append(h('p', { class: 'muted', text: 'Nothing is reachable from the GC roots.' }));
    return el;
  }
  // Only the largest objects: the many small ones would fill the map with one grey box.
  const top = nodes.slice(0, TOP).map((n) => ({ node: n, value: n.retained_bytes, kids: null }));
  const shownBytes = top.reduce((s, t) => s + t.value, 0);
  const others = nodes.length - top.length + more;
  const data = { kids: top };
  const caption = h('p', { class: 'muted note', text: others > 0
    ? `The ${fmt.count(top.length)} largest objects under the GC roots retain ${fmt.bytes(shownBytes)} (${fmt.percent(shownBytes, total)} of the reachable heap); ${fmt.count(others)} smaller ones retain the rest.`
    : `Every object directly under the GC roots: ${fmt.bytes(shownBytes)}.` });
  let width = 0;
  function draw() {
    width = el.clientWidth;
    if (width === 0) return;
    const root = d3.hierarchy(data, (d) => d.kids)
      .sum((d) => (d.kids ? 0 : d.value))
      .sort((a, b) => b.value - a.value);
    d3.treemap()
      .tile(d3.treemapSquarify)
      .size([width, HEIGHT])
      .paddingInner(2)
      .paddingTop((d) => (d.depth === 1 ? 18 : 0))
      .paddingRight((d) => (d.depth === 1 ? 2 : 0))
      .paddingBottom((d) => (d.depth === 1 ? 2 : 0))
      .paddingLeft((d) => (d.depth === 1 ? 2 : 0))
      .round(true)(root);
    const boxes = root.descendants().filter((d) => d.depth > 0).map((d) => box(d));
    replace(el, boxes);
  }

  function box(d) {
    const w = d.x1 - d.x0;
    const ht = d.y1 - d.y0;
    const n = d.data.node;
    const label = `${n.class} ${n.object}`;
    const size = d.data.self ? d.data.value : n.retained_bytes;
    const title = `${label}\n${fmt.bytes(size)} ${d.data.self ? 'in itself and smaller objects' : 'retained'} (${fmt.percent(size, total)} of the heap)`;
    const props = {
      class: `tm-box depth-${d.depth} ${d.data.self ? 'tm-rest' : `tm-c${hue(n.class)}`}`,
      title,
      data: d.data.self ? {} : { object: n.object },
    };
    const b = d.data.self ? h('div', props) : h('a', { ...props, href: inspectHref(n.object) });
    b.style.left = `${d.x0}px`;
    b.style.top = `${d.y0}px`;
    b.style.width = `${w}px`;
    b.style.height = `${ht}px`;
    if (w > 56 && ht > 15 && !d.data.self) {
      b.append(h('span', { class: 'tm-label', text: n.class.replace(/^.*[.$](?=[^.$]+$)/, '') }),
        h('span', { class: 'tm-size', text: ` ${fmt.bytes(size)}` }));
    }
    return b;
  }

  new ResizeObserver(() => {
    if (el.clientWidth !== width) draw();
  }).observe(el);

  // The biggest boxes show their own largest children.
  Promise.all(top.slice(0, NESTED).map(async (t) => {
    if (t.node.retained_bytes === t.node.shallow_bytes) return;
    const r = await children(t.node.object, PER);
    const sum = r.nodes.reduce((s, k) => s + k.retained_bytes, 0);
    t.kids = [
      ...r.nodes.map((k) => ({ node: k, value: k.retained_bytes })),
      { node: t.node, self: true, value: Math.max(0, t.node.retained_bytes - sum) },
    ];
  })).then(draw, draw);
  return h('div', {}, el, caption);
}
