// The progress panel while a dump is read: phase, pass n of m, bar, percentage, bytes.
// Passes read the file (`index`, `references`, `referrers`); between them the worker
// computes (`reachability` after pass 2, `dominators` and `retained sizes` after pass 3);
// then the page asks for the report's parts (`report`). When wasm32's memory is too small
// the page switches to wasm64 and the passes start again (`switch`).

import { h } from './dom.js';
import * as fmt from './format.js';
import { MODULE_TITLES, WASM64 } from '../module-choice.js';

const PHASES = {
  index: 'Indexing objects',
  references: 'Reading references',
  reachability: 'Finding reachable objects',
  referrers: 'Reading referrers',
  dominators: 'Computing dominators',
  'retained sizes': 'Computing retained sizes',
  report: 'Preparing the report',
  switch: `Switching to ${MODULE_TITLES[WASM64]}`,
};

export class ProgressView {
  /** @param {{onCancel: () => void}} o */
  constructor({ onCancel }) {
    this.title = h('h2', {});
    this.phase = h('span', { class: 'phase' });
    this.pct = h('span', { class: 'pct', data: { testid: 'progress-percent' } });
    this.bar = h('progress', { max: 1000 });
    this.detail = h('p', { class: 'muted' });
    this.el = h('section', { class: 'card progress-card', attrs: { 'aria-live': 'polite' } },
      this.title,
      h('div', { class: 'progress-line' }, this.phase, this.pct),
      this.bar,
      h('div', { class: 'progress-line' }, this.detail,
        h('button', { class: 'secondary small', type: 'button', text: 'Cancel', data: { testid: 'cancel' }, on: { click: onCancel } })));
  }

  /** A new file: `what` is its name. */
  start(what, size) {
    this.title.textContent = what;
    this.phase.textContent = 'Starting';
    this.pct.textContent = '';
    this.bar.value = 0;
    this.detail.textContent = size === undefined ? '' : fmt.bytes(size);
    this.size = size;
    this.started = performance.now();
  }

  /** @param {import('../protocol.js').ProgressEvent} p */
  update(p) {
    const label = PHASES[p.phase] ?? p.phase.charAt(0).toUpperCase() + p.phase.slice(1);
    this.phase.textContent = p.passes > 1 && p.pass > 0 ? `${label} — pass ${p.pass} of ${p.passes}` : label;
    if (p.total > 0) {
      const f = Math.min(1, p.done / p.total);
      this.bar.value = Math.round(f * 1000);
      this.pct.textContent = `${Math.floor(f * 100)} %`;
    } else {
      this.bar.removeAttribute('value'); // indeterminate
      this.pct.textContent = '';
    }
    const secs = (performance.now() - this.started) / 1000;
    // Passes count the file's bytes; computations between passes count their own units.
    this.detail.textContent = p.detail
      ? `${p.detail} · ${secs.toFixed(1)} s`
      : p.total > 0 && p.total === this.size
        ? `${fmt.bytes(p.done)} of ${fmt.bytes(p.total)} · ${secs.toFixed(1)} s`
        : `${secs.toFixed(1)} s`;
  }
}
