// Duplicate strings, from its tab: the CLI's `duplicate-strings --json` totals and rows, the
// values the collections fixture's program duplicated (its facts), the filter, the CSV
// export, and a value opening its first copy in the inspector.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { cliJson, corpus, count, download, dropReady, e2eFile, facts, fixtures, frames, screenshot, showView, viewLoaded } from './helpers.mjs';

const env = e2eFile();

/** The rows in the DOM (the virtual table renders those in view), by rank. */
function rows(page) {
  return page.$$eval('[data-testid=duplicate-strings] [data-rank]', (rs) => rs.map((r) => ({
    rank: Number(r.dataset.rank),
    value: r.querySelector('[data-col=value]').dataset.value,
    length: Number(r.querySelector('[data-col=length]').dataset.value),
    count: Number(r.querySelector('[data-col=count]').dataset.value),
    wasted: Number(r.querySelector('[data-col=wasted]').dataset.value),
    holder: r.querySelector('[data-col=holders]').textContent,
    objects: [...r.querySelectorAll('[data-col=objects] a')].map((a) => a.dataset.object),
  })).sort((a, b) => a.rank - b.rank));
}

const holderText = (x) => (x.array_held_by ? `${x.class} of ${x.array_held_by.class}.${x.array_held_by.field}` : x.field === '[]' ? x.class : `${x.class}.${x.field}`);

for (const file of [path.join(fixtures, 'collections.hprof'), path.join(corpus, 'openjdk_jdk11_04_x64.hprof.gz')]) {
  test(`duplicate strings of ${path.basename(file)}: the CLI's figures`, async () => {
    const page = await env.newPage();
    await dropReady(page, file);
    const cli = cliJson('duplicate-strings', file, '--top', '2000');
    await showView(page, 'duplicate-strings');
    await viewLoaded(page, '#duplicate-strings');
    const s = await page.$eval('[data-testid=dup-summary]', (e) => ({ ...e.dataset }));
    assert.deepEqual(s, {
      testid: 'dup-summary',
      strings: String(cli.strings),
      values: String(cli.duplicated_values),
      duplicates: String(cli.duplicate_strings),
      wasted: String(cli.wasted_bytes),
    });
    const shown = await rows(page);
    assert.ok(shown.length >= 5, 'rows in view');
    assert.deepEqual(shown.map((r) => r.rank), shown.map((_, i) => i), 'the first rows, most wasted first');
    assert.deepEqual(shown, shown.map((r) => {
      const v = cli.values[r.rank];
      const more = v.holders.length - 1 + v.more_holders;
      return {
        rank: r.rank, value: v.value, length: v.length, count: v.count, wasted: v.wasted_bytes,
        holder: `${count(v.holders[0].count)} × ${holderText(v.holders[0])}${more > 0 ? ` (+${more} more)` : ''}`,
        objects: v.objects,
      };
    }));

    if (path.basename(file) === 'collections.hprof') {
      // What the program built: each value its count of strings, held by its field.
      for (const d of facts('collections').duplicate_strings) {
        await page.fill('[data-testid=duplicate-strings-filter]', d.value);
        await frames(page);
        const [r] = (await rows(page)).filter((x) => x.value === d.value);
        assert.equal(r.count, d.count, d.value);
        assert.equal(r.length, d.length, d.value);
        assert.ok(r.holder.includes(d.field_class), `${d.value}: ${r.holder}`);
      }
      await page.fill('[data-testid=duplicate-strings-filter]', '');
      await frames(page);
      await screenshot(page, '30-duplicate-strings');
      const csv = await download(page, '[data-testid=export-duplicate-strings]');
      assert.match(csv.name, /-duplicate-strings\.csv$/);
      const lines = csv.text.trim().split('\r\n');
      assert.equal(lines.length, cli.values.length + 1, 'a CSV row per value and a header');
      assert.equal(lines[0], 'value,length,count,wasted_bytes,holders,objects');
      assert.ok(lines[1].startsWith(`duplicate-value-A,17,500,${cli.values[0].wasted_bytes},`), lines[1]);
    }

    // The value opens its first copy in the inspector: a String of that value.
    const first = cli.values[0];
    await page.click('[data-testid=duplicate-strings] [data-rank="0"] [data-col=value] a');
    const hash = `#inspect?object=${first.objects[0]}`;
    await viewLoaded(page, hash);
    const inspected = cliJson('inspect', file, first.objects[0]);
    assert.equal(inspected.class, 'java.lang.String');
    assert.ok(first.value.startsWith(inspected.value.replace(/…$/, '')), 'the inspected String holds the value');
    const text = await page.$eval('#view', (v) => v.textContent);
    assert.ok(text.includes(first.objects[0]), 'the inspector shows the copy');
  });
}
