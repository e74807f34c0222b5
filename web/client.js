// The page's side of the worker protocol (protocol.js): one WorkerClient per worker, which
// matches replies to requests and turns `fatal` (or a worker that fails to load) into a
// rejection of everything pending. The controller (app.js) replaces a dead worker.

import { PROTOCOL_VERSION, Request, Event } from './protocol.js';

export class WorkerClient {
  constructor() {
    /** @type {(p: import('./protocol.js').ProgressEvent) => void} */
    this.onProgress = () => {};
    /** @type {(message: string) => void} called once if the worker crashes */
    this.onFatal = () => {};
    this.pending = new Map();
    this.nextId = 1;
    this.dead = null; // the Error every later request gets
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.fail(`the analysis worker stopped: ${e.message || 'it could not be loaded'}`);
    };
    this.worker.onmessageerror = () => this.fail('the analysis worker sent a message the page cannot read');
    /** Resolves with {protocolVersion, version} once the module is compiled. */
    this.ready = this.request(Request.HELLO).then((r) => {
      if (r.protocolVersion !== PROTOCOL_VERSION) {
        throw new Error(`worker speaks protocol ${r.protocolVersion}, page ${PROTOCOL_VERSION}: reload the page`);
      }
      return r;
    });
    this.ready.catch(() => {}); // seen by whoever awaits it
  }

  /** Sends a request; resolves with its result, rejects with Error{code, fatal}. */
  request(type, payload) {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, payload });
    });
  }

  receive(m) {
    if (!m || typeof m !== 'object') return;
    if (m.type === Event.PROGRESS) {
      this.onProgress(m);
      return;
    }
    if (m.type === Event.FATAL) {
      this.fail(m.message);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
  }

  /** The worker crashed: it is terminated and every request fails with `message`. */
  fail(message) {
    if (this.dead) return;
    this.stop(Object.assign(new Error(message), { fatal: true }));
    this.onFatal(message);
  }

  /** Stops the worker (cancel, or a new file); pending requests fail with `cancelled`. */
  terminate() {
    if (!this.dead) this.stop(Object.assign(new Error('cancelled'), { cancelled: true }));
  }

  stop(error) {
    this.dead = error;
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
