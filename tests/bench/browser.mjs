#!/usr/bin/env node
// The browser benchmark: the page in web/ (after .ci/build-web) in Debian's headless
// Chromium analyses a dump chosen in its file input, once per module asked for, and the
// native CLI runs the same full analysis. Prints a Markdown table: per-phase times (from
// the worker's progress events), time from choosing the file to the summary being known
// and to the report being shown, the module that ran, the WebAssembly memory it grew to,
// and the browser's peak memory (sampled from /proc). Not run in CI. See tests/bench/BROWSER.md.
//
//   node tests/bench/browser.mjs [--wasm 32,64,auto] [--query PARAMS] [--no-cli] [--timeout MIN] FILE

import { execFileSync, execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseFileTimed, launchChromium, openApp, serve } from '../e2e/server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = path.join(repo, 'web');

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error('usage: node tests/bench/browser.mjs [--wasm 32,64,auto] [--query PARAMS] [--no-cli] [--timeout MIN] FILE');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { modules: ['32', '64'], query: '', cli: true, timeoutMin: 120, file: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--wasm') o.modules = (argv[++i] ?? '').split(',');
    else if (a === '--query') o.query = argv[++i] ?? '';
    else if (a === '--no-cli') o.cli = false;
    else if (a === '--timeout') o.timeoutMin = Number(argv[++i]);
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (o.file) usage('one FILE only');
    else o.file = a;
  }
  if (!o.file) usage();
  if (!fs.existsSync(o.file)) usage(`${o.file} does not exist`);
  if (o.modules.some((m) => !['32', '64', 'auto'].includes(m))) usage('--wasm takes 32, 64 and auto, comma-separated');
  if (!(o.timeoutMin > 0)) usage('--timeout takes minutes');
  return o;
}

// ---------------------------------------------------------------- RSS of Chromium's processes

/** The process and its descendants (from /proc/*\/stat). */
function processTree(root) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** A `Key:   123 kB` line's value in bytes. */
const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

/**
 * A process's proportional set size (shared pages divided among their processes, so the
 * sum over Chromium's processes counts each page once) and its own RSS high-water mark, in
 * bytes; null when it is gone.
 */
function memoryOf(pid) {
  try {
    return { pss: kib(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'), hwm: kib(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM') };
  } catch {
    return null;
  }
}

/**
 * Samples Chromium's processes (this script's descendants) every 200 ms: the peak of their
 * summed PSS, and the largest RSS high-water mark of one process (the renderer, whose
 * worker runs the module).
 */
function rssSampler() {
  const peak = { sum: 0, process: 0 };
  const sample = () => {
    let sum = 0;
    for (const pid of processTree(process.pid)) {
      if (pid === process.pid) continue;
      const m = memoryOf(pid);
      if (!m) continue;
      sum += m.pss;
      peak.process = Math.max(peak.process, m.hwm);
    }
    peak.sum = Math.max(peak.sum, sum);
  };
  const timer = setInterval(sample, 200);
  return { peak, stop: () => { sample(); clearInterval(timer); } };
}

// ---------------------------------------------------------------- one analysis in the page

/**
 * Records, in the page, every request to a worker and every message back, with times
 * (performance.now()): the page's own code is not changed.
 */
function instrument() {
  const Native = window.Worker;
  const log = [];
  window.__bench = { log, workers: 0 };
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      const w = ++window.__bench.workers;
      this.benchId = w;
      this.addEventListener('message', (e) => {
        const d = e.data ?? {};
        log.push({ t: performance.now(), w, dir: 'in', type: d.type, phase: d.phase, done: d.done, total: d.total, id: d.id, ok: d.ok });
      });
    }

    postMessage(msg, ...rest) {
      log.push({ t: performance.now(), w: this.benchId, dir: 'out', type: msg?.type, id: msg?.id });
      return super.postMessage(msg, ...rest);
    }
  };
}

/** One analysis: `?wasm=<module>` (none for auto) and `query` (`a=1&b=2`) in the page's address. */
async function analyseInPage(browser, origin, file, module, query, timeoutMs) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const params = [module === 'auto' ? '' : `wasm=${module}`, query].filter(Boolean).join('&');
  await openApp(page, `${origin}/${params ? `?${params}` : ''}`);
  const { status, chosen, done } = await chooseFileTimed(page, file, { timeout: timeoutMs, polling: 500 });
  const { log } = await page.evaluate(() => window.__bench);
  let shown = null;
  if (status === 'ready') {
    shown = await page.evaluate(() => {
      const d = (sel) => document.querySelector(sel)?.dataset ?? {};
      return {
        module: d('[data-testid=overview-module]'),
        peak: Number(d('[data-testid=overview-plan]').peak),
        objects: Number(d('[data-testid=overview-objects]').value),
        refused: document.querySelector('[data-testid=refused]')?.textContent ?? null,
      };
    });
  }
  await context.close();
  return { status, ...phases({ log, chosen, done }), shown };
}

/**
 * Phases from the worker's progress events: each lasts from its first event to the next
 * phase's first event (or the `open` reply), per worker (a switch to wasm64 starts a new
 * worker; `switch` is from the first worker's reply to the second's first event).
 * `summary` is when the pass 1 of the module that ran ended (summary and histogram known);
 * `opened` when its `open` reply came; `ready` when the page showed the report.
 */
function phases({ log, chosen, done }) {
  const rows = [];
  const openIds = new Set(log.filter((e) => e.dir === 'out' && e.type === 'open').map((e) => `${e.w}:${e.id}`));
  let summary = null;
  let opened = null;
  for (const w of [...new Set(log.map((e) => e.w))]) {
    const events = log.filter((e) => e.w === w && e.dir === 'in');
    const reply = events.find((e) => e.ok !== undefined && openIds.has(`${w}:${e.id}`));
    if (!reply) continue;
    const starts = [];
    for (const e of events) {
      if (e.type === 'progress' && starts.at(-1)?.phase !== e.phase) starts.push({ phase: e.phase, t: e.t });
    }
    if (opened !== null && starts.length > 0) rows.push({ worker: w, phase: 'switch (new worker, module loaded)', ms: starts[0].t - opened });
    starts.forEach((s, i) => {
      const end = i + 1 < starts.length ? starts[i + 1].t : reply.t;
      rows.push({ worker: w, phase: s.phase, ms: end - s.t });
      if (s.phase === 'index') summary = end;
    });
    opened = reply.t;
  }
  return { phases: rows, summaryMs: summary - chosen, openMs: opened - chosen, readyMs: done - chosen, reportMs: done - opened };
}

// ---------------------------------------------------------------- the CLI

/** The CLI's full analysis under /usr/bin/time: wall time, peak RSS, its --timings phases. */
function runCli(file) {
  const bin = process.env.HEAPSCOPE ?? path.join(repo, 'target/release/heapscope');
  const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  const args = /^\s+analyze\b/m.test(help) ? ['analyze', file, '--json', '--quiet'] : ['histogram', file, '--retained', '--json', '--quiet'];
  if (execFileSync(bin, [args[0], '--help'], { encoding: 'utf8' }).includes('--timings')) args.push('--timings');
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${r.stderr.trim().split('\n').at(-1)}`);
  const [, wall, rssKib] = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  const phasesOut = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return { command: `heapscope ${args.slice(0, 1).concat(args.slice(2)).join(' ')}`, ms: Number(wall) * 1000, rss: Number(rssKib) * 1024, phases: phasesOut };
}

// ---------------------------------------------------------------- the table

/** The page's address parameters of a run, as the table shows them (`(auto)`: none). */
const runLabel = (module, query) => [module === 'auto' ? '' : `?wasm=${module}`, query].filter(Boolean).join('&').replace(/^(?!\?)(.)/, '?$1') || '(auto)';

const mib = (n) => `${(n / 1048576).toFixed(0)} MiB`;
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const load = () => os.loadavg()[0].toFixed(2);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  for (const f of ['index.html', 'pkg/heapscope_bg.wasm', 'pkg64/heapscope_bg.wasm']) {
    if (!fs.existsSync(path.join(webRoot, f))) usage(`web/${f} is missing: run .ci/build-web first`);
  }
  const size = fs.statSync(o.file).size;
  console.log(`# Browser benchmark: ${path.basename(o.file)} (${size.toLocaleString('en-US')} bytes)\n`);
  console.log(`Chromium ${execSync('chromium --version 2>/dev/null || true', { shell: '/bin/bash', encoding: 'utf8' }).trim().replace(/^Chromium /, '')}, ` +
    `${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM; the file is read once first so that it is in the page cache.\n`);
  execSync(`cat ${JSON.stringify(o.file)} > /dev/null`, { shell: '/bin/bash' });
  const { server, origin } = await serve(webRoot);
  const runs = [];
  try {
    for (const module of o.modules) {
      // A fresh browser per module, so that its peak RSS is this analysis' alone.
      const browser = await launchChromium();
      const rss = rssSampler();
      const started = load();
      try {
        const r = await analyseInPage(browser, origin, o.file, module, o.query, o.timeoutMin * 60_000);
        rss.stop();
        runs.push({ label: runLabel(module, o.query), load: started, rss: rss.peak, ...r });
        console.error(`${runLabel(module, o.query)}: ${r.status} in ${secs(r.readyMs)}`);
      } finally {
        rss.stop();
        await browser.close();
      }
    }
  } finally {
    server.close();
  }
  const cli = o.cli ? { load: load(), ...runCli(o.file) } : null;

  console.log('| run | module | load | pass 1 → summary | full analysis (open) | report | chosen → report shown | wasm memory | peak RSS renderer / PSS all |');
  console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of runs) {
    const m = r.shown?.module ?? {};
    const module = r.status !== 'ready' ? r.status.slice(0, 80) : `${m.module}${m.switched ? ` (switched from ${m.switched})` : ''}${r.shown.refused ? ', histogram only (refused)' : ''}`;
    console.log(`| \`${r.label}\` | ${module} | ${r.load} | ${secs(r.summaryMs)} | ${secs(r.openMs)} | ${secs(r.reportMs)} | ${secs(r.readyMs)} | ` +
      `${m.memoryBytes ? mib(Number(m.memoryBytes)) : 'n/a'} | ${mib(r.rss.process)} / ${mib(r.rss.sum)} |`);
  }
  if (cli) {
    console.log(`| \`${cli.command}\` | native | ${cli.load} | ${cli.phases.length ? secs(cli.phases[0].wall_ms) : 'n/a'} | ${secs(cli.ms)} | | ${secs(cli.ms)} | | ${mib(cli.rss)} |`);
  }
  console.log('\nPhases (each from its first progress event to the next phase\'s; a switch to wasm64 starts a second worker):\n');
  const names = [...new Set(runs.flatMap((r) => r.phases.map((p) => p.phase)))];
  const cliNames = cli ? cli.phases.map((p) => p.phase) : [];
  console.log(`| phase | ${runs.map((r) => `\`${r.label}\``).join(' | ')}${cli ? ' | CLI' : ''} |`);
  console.log(`|---|${runs.map(() => '--:|').join('')}${cli ? '--:|' : ''}`);
  for (const name of [...new Set([...names, ...cliNames])]) {
    const cells = runs.map((r) => r.phases.filter((p) => p.phase === name).map((p) => (r.phases.some((q) => q.worker !== p.worker && q.phase === name) ? `${secs(p.ms)} (worker ${p.worker})` : secs(p.ms))).join(', ') || '');
    const c = cli ? ` | ${cli.phases.filter((p) => p.phase === name).map((p) => secs(p.wall_ms)).join(', ')}` : '';
    console.log(`| ${name} | ${cells.join(' | ')}${c} |`);
  }
  for (const r of runs) {
    if (r.shown) {
      console.log(`\n\`${r.label}\`: ${r.shown.objects.toLocaleString('en-US')} objects, plan ${mib(r.shown.peak)} predicted peak; ` +
        `WebAssembly memory ${mib(Number(r.shown.module.memoryBytes))} = ${(Number(r.shown.module.memoryBytes) / r.shown.objects).toFixed(1)} B per object` +
        `${r.shown.refused ? `; refused: ${r.shown.refused}` : ''}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
