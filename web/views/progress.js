// The progress panel while a dump is read: one bar for the whole analysis (it only grows),
// its percentage and an estimate of the time left, then the current phase (pass n of m)
// with its own share done and bytes.
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

/**
 * How long each phase takes, in parts of the whole (measured in the page on the 1 GB and
 * 8 GB benchmark dumps, tests/bench/BROWSER.md): the overall bar gives each its share.
 * `pass`: the pass it belongs to (a session that stops after pass 1 skips the rest).
 */
const WEIGHTS = [
  { phase: 'index', pass: 1, weight: 15 },
  { phase: 'references', pass: 2, weight: 22 },
  { phase: 'reachability', pass: 2, weight: 12 },
  { phase: 'referrers', pass: 3, weight: 35 },
  { phase: 'dominators', pass: 3, weight: 9 },
  { phase: 'retained sizes', pass: 3, weight: 5 },
  { phase: 'report', pass: Infinity, weight: 4 },
];

/**
 * The share of the whole analysis done at event `p` (0..1), or null for a phase the
 * weights do not know.
 */
export function overallDone(p) {
  const passes = p.passes > 0 ? p.passes : 3;
  const steps = WEIGHTS.filter((w) => w.pass <= passes || w.pass === Infinity);
  const i = steps.findIndex((w) => w.phase === p.phase);
  if (i < 0) return null;
  const total = steps.reduce((n, w) => n + w.weight, 0);
  const before = steps.slice(0, i).reduce((n, w) => n + w.weight, 0);
  const f = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  return (before + f * steps[i].weight) / total;
}

export class ProgressView {
  /** @param {{onCancel: () => void}} o */
  constructor({ onCancel }) {
    this.title = h('h2', {});
    this.pct = h('span', { class: 'pct', data: { testid: 'progress-percent' } });
    this.eta = h('span', { class: 'eta muted', data: { testid: 'progress-eta' } });
    this.bar = h('progress', { max: 1000, data: { testid: 'progress-bar' }, attrs: { 'aria-label': 'Analysis' } });
    this.phase = h('span', { class: 'phase' });
    this.phasePct = h('span', { class: 'phase-pct muted', data: { testid: 'progress-phase-percent' } });
    this.detail = h('p', { class: 'muted' });
    this.el = h('section', { class: 'card progress-card', attrs: { 'aria-live': 'polite' } },
      this.title,
      this.bar,
      h('div', { class: 'progress-line' }, this.pct, this.eta),
      h('div', { class: 'progress-line progress-phase' }, this.phase, this.phasePct),
      h('div', { class: 'progress-line' }, this.detail,
        h('button', { class: 'secondary small', type: 'button', text: 'Cancel', data: { testid: 'cancel' }, on: { click: onCancel } })));
  }

  /** A new file: `what` is its name. */
  start(what, size) {
    this.title.textContent = what;
    this.phase.textContent = 'Starting';
    this.phasePct.textContent = '';
    this.pct.textContent = '0 %';
    this.eta.textContent = '';
    this.bar.value = 0;
    this.done = 0;
    this.detail.textContent = size === undefined ? '' : fmt.bytes(size);
    this.size = size;
    this.started = performance.now();
  }

  /** @param {import('../protocol.js').ProgressEvent} p */
  update(p) {
    const label = PHASES[p.phase] ?? p.phase.charAt(0).toUpperCase() + p.phase.slice(1);
    this.phase.textContent = p.passes > 1 && p.pass > 0 ? `${label} — pass ${p.pass} of ${p.passes}` : label;
    this.phasePct.textContent = p.total > 0 ? `${Math.floor(Math.min(1, p.done / p.total) * 100)} %` : '';
    const now = performance.now();
    if (p.phase === 'switch') {
      // The file is read again by the other module: the whole analysis starts over.
      this.done = 0;
      this.started = now;
    }
    // The bar never goes back: a phase's estimate only moves it on.
    const overall = overallDone(p);
    if (overall !== null) this.done = Math.max(this.done, overall);
    this.bar.value = Math.round(this.done * 1000);
    this.pct.textContent = `${Math.floor(this.done * 100)} %`;
    const secs = (now - this.started) / 1000;
    // Time left: at the pace so far (once there is a pace to go by).
    const left = this.done > 0.02 && secs > 1 && this.done < 1 ? (secs * (1 - this.done)) / this.done : null;
    this.eta.textContent = this.done >= 1 ? 'done' : left === null ? 'estimating the time left…' : `about ${fmt.span(Math.max(1000, left * 1000))} left`;
    // Passes count the file's bytes; computations between passes count their own units.
    this.detail.textContent = p.detail
      ? `${p.detail} · ${secs.toFixed(1)} s`
      : p.total > 0 && p.total === this.size
        ? `${fmt.bytes(p.done)} of ${fmt.bytes(p.total)} · ${secs.toFixed(1)} s`
        : `${secs.toFixed(1)} s`;
  }
}
