// What the views share for naming objects and classes: links that navigate (the URL hash
// names a view and its argument, so Back and Forward work), object references, sentences
// with `code` spans, and a placeholder for a view that is still loading.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { className } from './names.js';

/** The hash of a view with its arguments: `#inspect?object=0x1f`. */
export function href(view, params) {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== false)).toString() : '';
  return q ? `#${view}?${q}` : `#${view}`;
}

/**
 * An object ID as a person types it: `0x` and hex digits, any case (`bare`: the `0x` may be
 * left out) → `0x…` in lower case; null for anything else. The worker checks the length.
 */
export function parseObjectId(text, { bare = false } = {}) {
  const m = /^(0x)?([0-9a-f]+)$/i.exec(text.trim());
  return m && (m[1] || bare) ? `0x${m[2].toLowerCase()}` : null;
}

/** The inspector of object `id`. */
export const inspectHref = (id) => href('inspect', { object: id });

/** The page of the classes named `name`: instances, sizes, statics, and links on. */
export const classHref = (name) => href('class', { name });

/** Paths from GC roots to every instance of a class (and its biggest instances). */
export const classPathsHref = (name) => href('paths', { class: name });

/** The immediate dominators of every instance of a class (`skip`: pass over the JDK's). */
export const dominatorsOfHref = (name, skip) => href('immediate-dominators', { class: name, skip: skip ? 'jdk' : undefined });

/** The class a reference's class names: `class X` (a class object) names X's class page. */
const pageClass = (name) => (name.startsWith('class ') ? name.slice(6) : name);

/** Paths from GC roots to object `id`. */
export const pathsHref = (id) => href('paths', { object: id });

/**
 * An object reference (`ObjRef`): its class, a link to the class page, and its ID, a link to
 * the inspector (`a.obj`), and the string value when it has one. `retained`: also show its
 * retained size.
 */
export function objectLink(ref, { retained = false } = {}) {
  return h('span', { class: 'objref' },
    classLink(ref.class), ' ',
    h('a', { class: 'obj', href: inspectHref(ref.object), data: { object: ref.object }, title: `Inspect ${ref.class} ${ref.object}` },
      h('span', { class: 'oid', text: ref.object })),
    ref.value !== undefined && h('span', { class: 'strval', text: ` "${ref.value}"`, title: ref.value }),
    retained && h('span', { class: 'muted size', text: ` ${fmt.bytes(ref.retained_bytes)}`, title: `retains ${fmt.count(ref.retained_bytes)} bytes` }));
}

/** A class name linking to its class page (`class X`, a class object, to X's). */
export function classLink(name) {
  const cls = pageClass(name);
  return h('a', { class: 'cls', href: classHref(cls), title: `Class ${cls}: instances, sizes, statics, who keeps them alive` }, className(name));
}

/** A sentence from the analysis, with its `backquoted` names as code. */
export function prose(text, tag = 'p') {
  const parts = String(text).split('`');
  return h(tag, { class: 'prose' }, parts.map((p, i) => (i % 2 ? h('code', { text: p }) : p)));
}

/** The first sentence of `text` (a period followed by a space and a capital or digit). */
export function firstSentence(text) {
  const m = /^(.*?[.!?])\s+(?=[A-Z0-9`'])/s.exec(text);
  return m ? m[1] : text;
}

/** `12.3 %` of a share (0..1). */
export function share(x) {
  return fmt.percent(x, 1);
}

/**
 * A view whose content arrives later: shows `what`, then what `render(result)` returns,
 * or the error. The root's data-state is `loading`, `ready` or `error` (tests wait on it).
 */
export function loading(el, promise, render, what = 'Loading…') {
  el.dataset.state = 'loading';
  replace(el, h('p', { class: 'muted loading', text: what }));
  return promise.then(
    (r) => {
      replace(el, render(r));
      el.dataset.state = 'ready';
    },
    (e) => {
      replace(el, h('p', { class: 'inline-error', data: { testid: 'view-error' }, text: e.message }));
      el.dataset.state = 'error';
    },
  );
}
