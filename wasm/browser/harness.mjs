// Headless Chromium for the browser tests: a static server on 127.0.0.1 (correct MIME types,
// application/wasm included) and Debian's chromium through playwright-core
// (PLAYWRIGHT_DIR = a folder whose node_modules has playwright-core).
import http from 'node:http';
import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.cjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css' };

/** Serves root; resolves to {url, close}. */
export async function serve(root) {
  root = path.resolve(root);
  const server = http.createServer(async (rq, rs) => {
    let p = path.normalize(path.join(root, decodeURIComponent(new URL(rq.url, 'http://x').pathname)));
    if (!p.startsWith(root)) { rs.writeHead(403); rs.end(); return; }
    try {
      if ((await stat(p)).isDirectory()) p = path.join(p, 'index.html');
      const body = await readFile(p);
      rs.writeHead(200, { 'content-type': TYPES[path.extname(p)] || 'application/octet-stream' });
      rs.end(body);
    } catch {
      rs.writeHead(404);
      rs.end();
    }
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** Runs fn({context, open}) with a fresh Chromium profile; open(url) waits for window.__result. */
export async function withChromium(fn) {
  const req = createRequire(path.join(process.env.PLAYWRIGHT_DIR || process.cwd(), 'x.js'));
  const { chromium } = req('playwright-core');
  const profile = await mkdtemp(path.join(tmpdir(), 'ruv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await context.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const open = async (url, timeout = 120000) => {
      logs.length = 0;
      await page.goto(url);
      try {
        await page.waitForFunction(() => window.__result, null, { timeout });
      } catch (e) {
        throw new Error(`${url}: no result in ${timeout} ms\n${logs.join('\n')}`);
      }
      const r = await page.evaluate(() => window.__result);
      if (r.error) throw new Error(`${url}: ${r.error}\n${logs.join('\n')}`);
      r.logs = logs.slice();
      return r;
    };
    return await fn({ context, page, open });
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
