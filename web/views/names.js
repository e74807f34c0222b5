// Class names that fit: a long name is cut in the middle (`java.util.concurr…HashMap$Node`),
// keeping the start of the package and the whole simple name; the full name is the
// element's title and its text (copying or searching the page finds it whole).

import { h } from './dom.js';

/**
 * Splits `name` before its simple name: `java.util.HashMap$Node` → [`java.util.`,
 * `HashMap$Node`], `int[]` → [``, `int[]`].
 */
export function splitName(name) {
  const i = name.lastIndexOf('.');
  return i < 0 ? ['', name] : [name.slice(0, i + 1), name.slice(i + 1)];
}

/** A class name as a span that, when short of room, shortens its package part in the middle. */
export function className(name) {
  const [head, tail] = splitName(name);
  return h('span', { class: 'midname', title: name },
    head && h('span', { class: 'mid-head', text: head }),
    h('span', { class: 'mid-tail', text: tail }));
}
