// Class loaders, from its tab: every row the CLI's `classloaders --json` gives, and on the
// collections fixture the plugin class its program defined in two loaders (its facts), the
// undeployed copy kept alive through Fixtures$EventBus.LISTENERS; the CSV export.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { cliJson, download, dropReady, e2eFile, facts, fixtures, screenshot, showView, timerDump, viewLoaded } from './helpers.mjs';

const env = e2eFile();

const collections = path.join(fixtures, 'collections.hprof');

for (const file of [collections, timerDump]) {
  test(`class loaders of ${path.basename(file)}: the CLI's rows and duplicate classes`, async () => {
    const page = await env.newPage();
    await dropReady(page, file);
    const cli = cliJson('classloaders', file);
    await showView(page, 'classloaders');
    await viewLoaded(page, '#classloaders');
    const rows = await page.$$eval('[data-testid=classloaders] tbody tr', (trs) => trs.map((tr) => {
      const v = (k) => {
        const x = tr.querySelector(`[data-col=${k}]`).dataset.value;
        return x === undefined ? null : Number(x);
      };
      return { loader: tr.dataset.loader, classes: v('classes'), instances: v('instances'), shallow: v('shallow'), defined: v('defined'), retained: v('retained') };
    }));
    assert.deepEqual(rows, cli.loaders.map((l) => ({
      loader: l.loader?.object ?? 'bootstrap',
      classes: l.classes,
      instances: l.instances,
      shallow: l.instances_shallow_bytes,
      defined: l.defined_retained_bytes,
      retained: l.loader ? l.loader.retained_bytes : null,
    })));
    const dups = await page.$$eval('[data-testid=duplicate-class]', (ds) => ds.map((d) => ({
      name: d.dataset.name,
      copies: [...d.querySelectorAll('[data-testid=class-copy]')].map((c) => ({
        object: c.dataset.object,
        loader: c.dataset.loader,
        instances: Number(c.dataset.instances),
        path: [...c.querySelectorAll('[data-testid=path-step]')].map((s) => s.dataset.object),
      })),
    })));
    assert.deepEqual(dups, cli.duplicate_classes.map((d) => ({
      name: d.name,
      copies: d.copies.map((c) => ({ object: c.class_object.object, loader: c.loader?.object ?? 'bootstrap', instances: c.instances, path: c.path.map((s) => s.object) })),
    })));

    if (file === collections) {
      const f = facts('collections').plugin;
      assert.equal(dups.length, 1);
      assert.equal(dups[0].name, f.class);
      assert.equal(dups[0].copies.length, f.classes_named_so);
      const v1 = cli.duplicate_classes[0].copies.find((c) => c.loader_name === f.undeployed_loader);
      assert.equal(v1.instances, f.instances_per_loader[f.undeployed_loader]);
      // The leak, as the page shows it: the holder's class object, then its static field.
      const steps = await page.$$eval(`[data-testid=class-copy][data-object="${v1.class_object.object}"] [data-testid=path-step]`,
        (ss) => ss.map((s) => ({ field: s.dataset.field ?? null, text: s.textContent })));
      const at = steps.findIndex((s) => s.text.includes(`class ${f.leak_holder_class}`));
      assert.ok(at >= 0, JSON.stringify(steps));
      assert.equal(steps[at + 1].field, `static ${f.leak_holder_static_field}`);
      assert.ok(steps[at + 1].text.includes(f.leak_holder_field_class));
      await screenshot(page, '31-classloaders');
      const csv = await download(page, '[data-testid=export-classloaders]');
      assert.match(csv.name, /-classloaders\.csv$/);
      const lines = csv.text.trim().split('\r\n');
      assert.equal(lines.length, cli.loaders.length + 1, 'a CSV row per loader and a header');
      assert.equal(lines[0], 'loader,classes,instances,instances_shallow_bytes,defined_retained_bytes,loader_retained_bytes');
    } else {
      assert.equal(dups.length, 0);
    }
  });
}
