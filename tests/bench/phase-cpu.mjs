#!/usr/bin/env node
// Per-phase CPU of the page's analysis: the page in web/ (or another copy of the site, to
// compare two versions on one machine) analyses a dump in Debian's headless Chromium, and
// at each phase change (the worker's progress events, polled every 25 ms) the script reads
// from /proc the CPU time (user + system) of the analysis worker's thread
// (`DedicatedWorker`, the reader worker's included) and of all Chromium's processes. On a
// shared machine the CPU times vary less than the wall times. Not run in CI; see BROWSER.md.
//
//   node tests/bench/phase-cpu.mjs [--wasm 32|64] [--web DIR] [--flag CHROMIUM_FLAG]... FILE

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseFileTimed, launchChromium, openApp, serve } from '../e2e/server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const o = { wasm: '32', web: path.join(repo, 'web'), flags: [], file: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--wasm') o.wasm = argv[++i];
  else if (a === '--web') o.web = path.resolve(argv[++i]);
  else if (a === '--flag') o.flags.push(argv[++i]);
  else if (!a.startsWith('-') && !o.file) o.file = a;
  else {
    console.error('usage: node tests/bench/phase-cpu.mjs [--wasm 32|64] [--web DIR] [--flag CHROMIUM_FLAG]... FILE');
    process.exit(2);
  }
}
if (!o.file || !['32', '64'].includes(o.wasm)) {
  console.error('usage: node tests/bench/phase-cpu.mjs [--wasm 32|64] [--web DIR] [--flag CHROMIUM_FLAG]... FILE');
  process.exit(2);
}

const TICKS = 100; // clock ticks per second in /proc/*/stat (USER_HZ)

/** The process and its descendants. */
function tree(root) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** utime + stime in seconds of a /proc stat file. */
function cpu(statPath) {
  const s = fs.readFileSync(statPath, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

/** CPU seconds so far: the workers' threads, and every Chromium process. */
function sample() {
  let worker = 0;
  let all = 0;
  for (const p of tree(process.pid)) {
    if (p === process.pid) continue;
    try {
      all += cpu(`/proc/${p}/stat`);
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        try {
          if (fs.readFileSync(`/proc/${p}/task/${t}/comm`, 'utf8').startsWith('DedicatedWorker')) worker += cpu(`/proc/${p}/task/${t}/stat`);
        } catch { /* gone */ }
      }
    } catch { /* gone */ }
  }
  return { t: performance.now(), worker, all };
}

// The file in the page cache first, as browser.mjs does.
{
  const fd = fs.openSync(o.file, 'r');
  const b = Buffer.alloc(1 << 24);
  while (fs.readSync(fd, b) > 0);
  fs.closeSync(fd);
}
const { server, origin } = await serve(o.web);
const browser = await launchChromium(o.flags);
const context = await browser.newContext();
await context.addInitScript(() => {
  const Native = window.Worker;
  window.__phase = null;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = e.data ?? {};
        if (d.type === 'progress') window.__phase = d.phase;
      });
    }
  };
});
const page = await context.newPage();
await openApp(page, `${origin}/?wasm=${o.wasm}`);
const marks = [];
let last = null;
const load = os.loadavg()[0];
const poll = setInterval(async () => {
  try {
    const p = await page.evaluate(() => window.__phase);
    if (p !== last) {
      last = p;
      marks.push({ phase: p, ...sample() });
    }
  } catch { /* the page is closing */ }
}, 25);
const r = await chooseFileTimed(page, o.file, { timeout: 3_600_000, polling: 100 });
clearInterval(poll);
marks.push({ phase: null, ...sample() });
await browser.close();
server.close();

console.log(`${path.basename(o.file)}, ?wasm=${o.wasm}, ${path.relative(process.cwd(), o.web) || '.'}: ${r.status.trim()}; ` +
  `load average ${load.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}; chosen → report shown ${(r.ms / 1000).toFixed(2)} s\n`);
console.log('| phase | wall s | worker CPU s | Chromium CPU s |\n|---|--:|--:|--:|');
const total = { worker: 0, all: 0 };
for (let i = 0; i + 1 < marks.length; i++) {
  const [a, b] = [marks[i], marks[i + 1]];
  if (a.phase === null) continue;
  total.worker += b.worker - a.worker;
  total.all += b.all - a.all;
  // The last phase runs until the report is shown (its queries included).
  const name = b.phase === null ? `${a.phase} + report` : a.phase;
  console.log(`| ${name} | ${((b.t - a.t) / 1000).toFixed(2)} | ${(b.worker - a.worker).toFixed(2)} | ${(b.all - a.all).toFixed(2)} |`);
}
console.log(`| all | | ${total.worker.toFixed(2)} | ${total.all.toFixed(2)} |`);
