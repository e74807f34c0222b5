// The worker's message protocol, spoken to directly from the page: bad requests, queries
// before a file, a refused full analysis, unknown modules and limits, bad object IDs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { e2eFile } from './helpers.mjs';

const env = e2eFile();

test('the worker protocol: unknown requests get invalid_request, queries need a file', async () => {
  const page = await env.newPage();
  const replies = await page.evaluate(async () => {
    const w = new Worker('worker.js', { type: 'module' });
    const got = [];
    const done = new Promise((resolve) => {
      w.onmessage = (e) => {
        got.push(e.data);
        if (got.length === 4) resolve();
      };
    });
    w.postMessage({ id: 1, type: 'drop_tables', payload: {} });
    w.postMessage({ id: 2, type: 'query', payload: { kind: 'summary' } });
    w.postMessage({ type: 'hello' });
    w.postMessage({ id: 3, type: 'open', payload: { file: 'not a file' } });
    await done;
    w.terminate();
    // A session whose full analysis is refused, and queries with bad or unknown IDs.
    const worker = () => {
      const wk = new Worker('worker.js', { type: 'module' });
      const waiting = new Map();
      wk.onmessage = (e) => waiting.get(e.data.id)?.(e.data);
      let next = 10;
      const ask = (type, payload) => new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        wk.postMessage({ id, type, payload });
      });
      return { ask, stop: () => wk.terminate() };
    };
    const file = new File([await (await fetch('samples/timer_finalizer.hprof')).blob()], 'x.hprof');
    const a = worker();
    const refused = [await a.ask('open', { file, options: { memoryLimit: 1 << 20 } }), await a.ask('query', { kind: 'dominator_children' }), await a.ask('query', { kind: 'histogram' }),
      await a.ask('status')];
    a.stop();
    const c = worker();
    const modules = [await c.ask('hello'), await c.ask('status'), await c.ask('open', { file, module: 'wasm128' }),
      await c.ask('open', { file, options: { memoryLimit: -1 } })];
    c.stop();
    const b = worker();
    const ok = [await b.ask('open', { file }), await b.ask('query', { kind: 'inspect', object: 'fc03c2e0' }), await b.ask('query', { kind: 'inspect', object: '0x1' }),
      await b.ask('query', { kind: 'paths', class: 'no.such.Class' }), await b.ask('query', { kind: 'threads', maxLocals: 5 }),
      await b.ask('query', { kind: 'dominator_children', limit: 0 }), await b.ask('query', { kind: 'no_such_kind' }), await b.ask('query', 'summary'),
      await b.ask('query', { kind: 'threads', max_locals: 1 })];
    b.stop();
    return { first: got.sort((a, b) => (a.id ?? 0) - (b.id ?? 0)), refused, ok, modules };
  });
  assert.deepEqual(replies.first.map((r) => [r.id, r.ok, r.error?.code]), [
    [null, false, 'invalid_request'], [1, false, 'invalid_request'], [2, false, 'not_ready'], [3, false, 'invalid_request']]);
  const [opened, dominators, histogram, status] = replies.refused;
  assert.equal(opened.ok, true);
  assert.equal(opened.result.full, false);
  assert.equal(opened.result.passes, 1);
  assert.deepEqual([opened.result.module, opened.result.switchTo], ['wasm32', null], 'a limit for both modules: no switch');
  assert.deepEqual([status.result.module, status.result.memory64, status.result.memoryBytes >= opened.result.memoryBytes], ['wasm32', true, true]);
  const [hello, before, badModule, badLimit] = replies.modules;
  assert.deepEqual([hello.result.protocolVersion, hello.result.memory64], [4, true]);
  assert.deepEqual(before.result, { module: null, memory64: true, memoryBytes: 0 });
  assert.deepEqual([badModule.ok, badModule.error.code, badModule.error.message], [false, 'invalid_request', 'module must be "wasm32" or "wasm64"']);
  assert.deepEqual([badLimit.ok, badLimit.error.code], [false, 'invalid_request']);
  assert.match(opened.result.refused, /more than the 1 MiB available here/);
  assert.deepEqual([dominators.ok, dominators.error.code, dominators.error.message], [false, 'refused', opened.result.refused]);
  assert.equal(histogram.ok, true);
  const [full, badId, unknownId, noClass, badField, badLimit2, badKind, notObject, threads] = replies.ok;
  assert.deepEqual([full.ok, full.result.full, full.result.passes], [true, true, 3]);
  assert.deepEqual([badId.ok, badId.error.code], [false, 'invalid_request']);
  assert.deepEqual([unknownId.ok, unknownId.error.code, unknownId.error.message], [false, 'not_found', 'no object with ID 0x1 in this dump']);
  assert.deepEqual([noClass.ok, noClass.result.targets, noClass.result.roots], [true, 0, []]);
  // The module checks every query: unknown parameters and kinds, values out of range.
  assert.deepEqual([badField.ok, badField.error.code], [false, 'invalid_request']);
  assert.match(badField.error.message, /unknown field `maxLocals`/);
  assert.deepEqual([badLimit2.ok, badLimit2.error.code, badLimit2.error.message], [false, 'invalid_request', 'limit must be from 1 to 100000, not 0']);
  assert.deepEqual([badKind.ok, badKind.error.code], [false, 'invalid_request']);
  assert.deepEqual([notObject.ok, notObject.error.code], [false, 'invalid_request']);
  assert.equal(threads.ok, true);
  assert.ok(threads.result.threads.length > 0 && threads.result.threads.every((t) => t.frames.every((f) => f.locals.length <= 1)), 'max_locals taken');
});
