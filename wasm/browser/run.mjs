// Headless Chromium test of the ES module: serves wasm/ on 127.0.0.1, opens page.html in
// Debian's chromium through playwright-core, builds and saves to IndexedDB, reloads the page,
// loads from IndexedDB and searches again (same hits), then the 100k x 384 SQ8 memory phase.
// Prints one JSON line of measurements (times are reported, not asserted: figures come from
// quiet runs, see bench/README.md). Usage:
//   PLAYWRIGHT_DIR=/path/containing/node_modules node wasm/browser/run.mjs [--no-big]
import http from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const req = createRequire(path.join(process.env.PLAYWRIGHT_DIR || process.cwd(), 'x.js'));
const { chromium } = req('playwright-core');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm' };

const server = http.createServer(async (rq, rs) => {
  const p = path.normalize(path.join(root, decodeURIComponent(new URL(rq.url, 'http://x').pathname)));
  if (!p.startsWith(root)) { rs.writeHead(403); rs.end(); return; }
  try {
    const body = await readFile(p);
    rs.writeHead(200, { 'content-type': types[path.extname(p)] || 'application/octet-stream' });
    rs.end(body);
  } catch {
    rs.writeHead(404);
    rs.end();
  }
});
await new Promise((res) => server.listen(0, '127.0.0.1', res));
const base = `http://127.0.0.1:${server.address().port}/browser/page.html`;
const profile = await mkdtemp(path.join(tmpdir(), 'ruv-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
let failed = 0;
const check = (ok, what) => { if (!ok) { failed++; console.error(`FAIL: ${what}`); } };
async function phase(page, name, timeout) {
  await page.goto(`${base}?phase=${name}`);
  await page.waitForFunction(() => window.__result, null, { timeout });
  const r = await page.evaluate(() => window.__result);
  if (r.error) throw new Error(`${name}: ${r.error}`);
  return r;
}
try {
  const page = await ctx.newPage();
  const a = await phase(page, 'build', 60000);
  const b = await phase(page, 'reload', 60000); // a reload of the page, same profile
  check(a.count === 2000 && b.count === 2000, 'counts after reload');
  check(JSON.stringify(a.hits) === JSON.stringify(b.hits), 'same hits after IndexedDB reload');
  check(a.hits.every((h) => h.length === 5), 'k hits');
  check(a.meta && a.meta.i === 42 && b.meta && b.meta.i === 42, 'metadata survives');
  check(a.simd === true && a.isa === 'wasm128', 'SIMD128 module in Chromium');
  // the example page: indexes 20,000 vectors, then a click searches (with the filter on)
  await page.goto(base.replace('browser/page.html', 'example.html'));
  await page.waitForSelector('#search:not([disabled])', { timeout: 120000 });
  await page.check('#filter');
  await page.click('#search');
  await page.waitForFunction(() => document.querySelectorAll('#hits tr').length === 11);
  const colours = await page.$$eval('#hits td:nth-child(3)', (t) => t.map((x) => x.textContent));
  check(colours.length === 10 && colours.every((c) => c.includes('"red"')),
    'example page: 10 filtered hits');
  const line = { bench: 'chromium', init_ms: +a.initMs.toFixed(1), isa: a.isa,
    idb_load_2k_ms: +b.loadMs.toFixed(1) };
  if (!process.argv.includes('--no-big')) {
    const c = await phase(page, 'big', 600000);
    check(c.loadedCount === 100000, 'big index loads back');
    check(c.recall10 >= 0.95, `recall@10 ${c.recall10} >= 0.95`);
    check(c.wasmBytes < 50 * 1048576, `WASM memory ${c.wasmBytes} < 50 MB`);
    Object.assign(line, { n: c.count, dim: 384, quant: 'sq8', recall10: c.recall10,
      index_bytes: c.indexBytes, wasm_memory_bytes: c.wasmBytes, saved_bytes: c.savedBytes,
      idb_load_100k_ms: +c.idbLoadMs.toFixed(1) });
  }
  console.log(JSON.stringify(line));
} finally {
  await ctx.close();
  server.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
