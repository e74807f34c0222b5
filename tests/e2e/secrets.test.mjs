// Secrets, from its tab, on the fixture with planted secrets: the rows equal the CLI's
// `secrets --json` (kind, masked value, length, object, holder chain, what matched), the
// counts per kind, the kind buttons and the filter, the CSV export, a chain step opening
// its object in the inspector, and no planted value anywhere in the page's DOM or export.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { cliJson, dropReady, e2eFile, facts, fixtures, frames, screenshot, showView, viewLoaded, download } from './helpers.mjs';

const env = e2eFile();
const file = path.join(fixtures, 'secrets.hprof');

const chainText = (p) => p.map((s) => `${s.class}.${s.field}`).join(' → ');

/** The rows in the DOM (the virtual table renders those in view), by rank. */
function rows(page) {
  return page.$$eval('[data-testid=secrets] [data-rank]', (rs) => rs.map((r) => ({
    rank: Number(r.dataset.rank),
    kind: r.querySelector('[data-col=kind]').dataset.value,
    masked: r.querySelector('[data-col=masked]').dataset.value,
    length: Number(r.querySelector('[data-col=length]').dataset.value),
    object: r.querySelector('[data-col=object]').dataset.value,
    path: r.querySelector('[data-col=path]').dataset.value,
    steps: [...r.querySelectorAll('[data-col=path] a')].map((a) => a.dataset.object),
    detail: r.querySelector('[data-col=detail]').textContent,
  })).sort((a, b) => a.rank - b.rank));
}

/** Every run of `n` characters of the planted values (and of the near misses that look like secrets). */
function plantedWindows() {
  const f = facts('secrets');
  const values = [
    ...f.planted.map((p) => (p.kind === 'pem_private_key' ? p.value.split('\n').filter((l) => !l.startsWith('-----')).join('\n') : p.value)),
    ...f.near_misses.map((m) => m.value).filter((v) => v.length >= 16 && !v.includes(' ') && !v.includes('://')),
  ];
  const out = new Set();
  for (const v of values) {
    for (let i = 0; i + 8 <= v.length; i++) {
      const w = v.slice(i, i + 8);
      if (!w.includes('\n') && w.trim().length === 8) out.add(w);
    }
  }
  return [...out];
}

test('secrets of the fixture: the CLI\'s rows, masked, and no planted value in the page', async () => {
  const page = await env.newPage();
  await dropReady(page, file);
  const cli = cliJson('secrets', file);
  assert.equal(cli.secrets.length, facts('secrets').planted.length, 'the CLI finds every planted secret');
  await showView(page, 'secrets');
  await viewLoaded(page, '#secrets');

  const total = Object.values(cli.by_kind).reduce((a, b) => a + b, 0);
  assert.equal(await page.$eval('[data-testid=secrets-summary]', (e) => e.dataset.total), String(total));
  const kinds = await page.$$eval('[data-testid=secrets-kind]', (bs) => Object.fromEntries(bs.map((b) => [b.dataset.kind, Number(b.dataset.count)])));
  assert.deepEqual(kinds, cli.by_kind);

  // Every row, as the CLI gives it (the answer's order is each row's rank).
  const shown = await rows(page);
  assert.equal(shown.length, cli.secrets.length, 'every secret is in view');
  assert.deepEqual(shown, cli.secrets.map((s, rank) => ({
    rank, kind: s.kind, masked: s.masked, length: s.length, object: s.object,
    path: chainText(s.path), steps: s.path.map((x) => x.object), detail: s.detail,
  })));

  // A kind's button shows only that kind; the filter narrows by class or field.
  await page.click('[data-testid=secrets-kind][data-kind=secret_map_entry]');
  await frames(page);
  assert.deepEqual((await rows(page)).map((r) => r.kind), cli.secrets.filter((s) => s.kind === 'secret_map_entry').map((s) => s.kind));
  await page.click('[data-testid=secrets-kind][data-kind=secret_map_entry]');
  await page.fill('[data-testid=secrets-filter]', 'Keystore');
  await frames(page);
  assert.deepEqual((await rows(page)).map((r) => r.path), ['Secrets$Keystore.storePassword']);
  await page.fill('[data-testid=secrets-filter]', '');
  await frames(page);
  await screenshot(page, '40-secrets');

  // The CSV export: a row per secret, masked.
  const csv = await download(page, '[data-testid=export-secrets]');
  assert.match(csv.name, /-secrets\.csv$/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'kind,masked,length,object,held_by,what_matched');
  assert.equal(lines.length, cli.secrets.length + 1);

  // No planted value, whole or 8 characters of it in a row, in the DOM or the export.
  const html = await page.content();
  const textContent = await page.evaluate(() => document.body.innerText);
  for (const w of plantedWindows()) {
    assert.ok(!html.includes(w), `the page's DOM holds ${JSON.stringify(w)}`);
    assert.ok(!textContent.includes(w), `the page shows ${JSON.stringify(w)}`);
    assert.ok(!csv.text.includes(w), `the export holds ${JSON.stringify(w)}`);
  }

  // A chain's step opens its object in the inspector.
  const jwt = cli.secrets.findIndex((s) => s.kind === 'jwt');
  const thread = cli.secrets[jwt].path[0].object;
  await page.click(`[data-testid=secrets] [data-rank="${jwt}"] [data-col=path] a[data-object="${thread}"]`);
  await viewLoaded(page, `#inspect?object=${thread}`);
  const text = await page.$eval('#view', (v) => v.textContent);
  assert.ok(text.includes('java.lang.Thread'), 'the inspector shows the thread');
});
