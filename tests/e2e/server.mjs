// What the end-to-end tests (run.mjs) and the browser benchmark (tests/bench/browser.mjs)
// share: the static server for web/ and Chromium's flags.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Debian's Chromium, headless, with nothing that talks to the network on its own. */
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Serves `webRoot` on an ephemeral localhost port; records every path asked for. */
export async function serve(webRoot) {
  const served = [];
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    served.push(p);
    const file = path.join(webRoot, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(webRoot + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(data);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, served, origin: `http://127.0.0.1:${server.address().port}` };
}
