// DOM building for the views. Text from the dump only ever goes in through textContent
// or attributes, never as HTML.

/**
 * Creates an element. `props`: `class`, `text`, `data` (dataset entries; null ones left out), `attrs`
 * (attributes), `on` (event listeners); children are nodes or strings (text).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'data') for (const [d, x] of Object.entries(v)) { if (x !== undefined && x !== null) el.dataset[d] = x; }
    else if (k === 'attrs') for (const [a, x] of Object.entries(v)) el.setAttribute(a, x);
    else if (k === 'on') for (const [ev, f] of Object.entries(v)) el.addEventListener(ev, f);
    else el[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) el.append(c);
  }
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}
