// The progress panel: as rendered from one event, and the real events of an 18 MB file
// (driving.test.mjs checks that its overall bar only grows).

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { artifacts, e2eFile, finalStatus, writePadded } from './helpers.mjs';

const env = e2eFile();

test('progress: phase, pass and percentage while a file is read', async () => {
  // The panel as rendered from a progress event of a multi-pass analysis (the view
  // only renders), then the real events of the 18 MB file as the page shows them.
  const padded = writePadded(env.tmp);
  const p = await env.newPage();
  const shown = await p.evaluate(async () => {
    const { ProgressView } = await import('./views/progress.js');
    const v = new ProgressView({ onCancel: () => {} });
    v.start('dump.hprof', 40 << 20);
    v.update({ type: 'progress', phase: 'index', done: 10 << 20, total: 40 << 20, pass: 1, passes: 3 });
    return { phase: v.phase.textContent, phasePct: v.phasePct.textContent, pct: v.pct.textContent, bar: v.bar.value, detail: v.detail.textContent };
  });
  assert.equal(shown.phase, 'Indexing objects — pass 1 of 3');
  // A quarter of pass 1 is a quarter of its share of the whole analysis (15 of 102 parts).
  assert.equal(shown.phasePct, '25 %');
  assert.equal(shown.pct, '3 %');
  assert.equal(shown.bar, 37);
  assert.match(shown.detail, /^10\.0 MiB of 40\.0 MiB/);
  await p.evaluate(() => { window.__progress = []; window.__phases = new Set(); });
  await p.evaluate(() => {
    new MutationObserver(() => {
      const pct = document.querySelector('[data-testid=progress-percent]')?.textContent;
      if (pct) window.__progress.push(pct);
      window.__phases.add(document.querySelector('#busy .phase').textContent);
    }).observe(document.querySelector('#busy'), { subtree: true, childList: true, characterData: true });
  });
  await p.setInputFiles('#file-input', padded);
  await p.screenshot({ path: path.join(artifacts, '08-progress.png') });
  assert.equal(await finalStatus(p), 'ready');
  const seen = await p.evaluate(() => window.__progress);
  assert.ok(seen.includes('100 %'), `progress seen: ${seen.join(', ')}`);
  // Every pass, the computations between them, and the report's parts.
  const phases = await p.evaluate(() => [...window.__phases]);
  for (const ph of ['Indexing objects — pass 1 of 3', 'Reading references — pass 2 of 3', 'Finding reachable objects — pass 2 of 3',
    'Reading referrers — pass 3 of 3', 'Computing dominators — pass 3 of 3', 'Computing retained sizes — pass 3 of 3',
    'Preparing the report']) {
    assert.ok(phases.includes(ph), `phase "${ph}" not among: ${phases.join(' | ')}`);
  }
});
