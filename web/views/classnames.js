// Class names as people type them: the dump's class names for a <datalist> (the class,
// paths and immediate-dominators boxes complete from it), and a simple name (`HashMap`)
// resolved to the fully qualified one (`java.util.HashMap`) when only one class has it;
// when several have it, the choices.

import { h } from './dom.js';
import { classLink } from './links.js';
import { splitName } from './names.js';

const cache = new WeakMap();

/** The dump's class names (sorted, each once), from the report's histogram. */
export function classNames(report) {
  let names = cache.get(report);
  if (!names) {
    names = [...new Set((report.histogram?.classes ?? []).map((c) => c.name))].sort();
    cache.set(report, names);
  }
  return names;
}

/**
 * What `text` names among `names`: `{name}` — the class itself, or the only class whose
 * simple name (after the package; an inner class's `Outer$Inner` whole, or failing that
 * its `Inner`) it is —,
 * `{choices}` when several classes have that simple name, `{}` when none (the views
 * answer that themselves).
 */
export function resolveClass(names, text) {
  const t = text.trim();
  if (names.includes(t)) return { name: t };
  if (t.includes('.')) return {};
  let choices = names.filter((n) => splitName(n)[1] === t);
  // `Node`: the inner classes of that name (`java.util.HashMap$Node`, …).
  if (choices.length === 0 && !t.includes('$')) choices = names.filter((n) => n.slice(n.lastIndexOf('$') + 1) === t && n.includes('$'));
  if (choices.length === 1) return { name: choices[0] };
  return choices.length > 1 ? { choices } : {};
}

/** Fills `list` (a <datalist>) with `names`. */
export function fillClassList(list, names) {
  const f = document.createDocumentFragment();
  for (const n of names) f.append(h('option', { value: n }));
  list.replaceChildren(f);
}

/**
 * The answer to an ambiguous simple name: the classes that have it, each leading to the
 * view asked for (`hrefOf(name)`) and to its class page.
 */
export function classChoices(asked, choices, hrefOf, what) {
  return h('div', { class: 'page', data: { testid: 'class-choices', state: 'ready' } },
    h('section', { class: 'card' },
      h('h2', { class: 'view-title' }, h('code', { text: asked }), ` names ${choices.length} classes: which one?`),
      h('ul', { class: 'sentences' }, choices.map((n) => h('li', { data: { class: n } },
        h('a', { href: hrefOf(n), data: { choice: n } }, what, ' ', h('code', { text: n })), ' · ', classLink(n))))));
}
