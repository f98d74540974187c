// Headless Chromium tests of the package from the source tree (wasm/, built by build.sh), served
// on 127.0.0.1 and driven through playwright-core:
//   checks.html  the page without a bundler (import map): app check against a brute force, the
//                worker wrapper (transfer, progress, off the main thread, IndexedDB flush) and a
//                module Web Worker, the hostile-argument test
//   journal.html incremental IndexedDB persistence (saveToIndexedDB / flush / checkpoint /
//                loadFromIndexedDB) against a JavaScript model: lost unflushed writes, torn and
//                corrupt tails, checkpoints, the single-record format, hostile arguments; and a
//                page that goes away during a flush (all of it or none of it on reload)
//   page.html    build, search and save to IndexedDB; reload the page, load and search again (same
//                hits); 100,000 x 384 SQ8 vectors within 50 MB of WebAssembly memory
//   example.html indexes 20,000 vectors, a click searches with the filter on
// Prints one JSON line of measurements (times are reported, not asserted).
//   PLAYWRIGHT_DIR=/dir/with/node_modules node wasm/browser/run.mjs [--no-big]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, withChromium } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let failed = 0;
const check = (ok, what) => { if (!ok) { failed++; console.error(`FAIL: ${what}`); } };
const srv = await serve(root);
const base = `${srv.url}browser/`;
try {
  await withChromium(async ({ page, open }) => {
    const c = await open(`${base}checks.html`, 180000);
    check(c.app.failures.length === 0, `app check: ${c.app.failures.join('; ')}`);
    check(c.app.isa === 'wasm128', 'SIMD128 module in Chromium');
    check(c.worker.failures.length === 0, `worker checks: ${c.worker.failures.join('; ')}`);
    check(c.hostile.failures.length === 0 && c.hostile.checks > 3500,
      `hostile test in Chromium: ${c.hostile.checks} checks, failures: ${c.hostile.failures.slice(0, 20).join('; ')}`);
    const j = await open(`${base}journal.html`, 180000);
    check(j.failures.length === 0 && j.checks > 100,
      `IndexedDB journal: ${j.checks} checks, failures: ${j.failures.slice(0, 20).join('; ')}`);
    // a page that goes away while a flush is in flight, with writes never flushed after it
    const cw = await open(`${base}journal.html?phase=close-write`);
    const cr = await open(`${base}journal.html?phase=close-read`);
    check(cw.pendingBytes > 0, 'close-write: unflushed writes pending');
    check(cr.state === 'flushed' || cr.state === 'flushed+inflight',
      `page closed during a flush: the reloaded database is ${cr.state} (${cr.count} entries)`);
    const a = await open(`${base}page.html?phase=build`);
    const b = await open(`${base}page.html?phase=reload`); // a reload of the page, same profile
    check(a.count === 2000 && b.count === 2000, 'counts after reload');
    check(JSON.stringify(a.hits) === JSON.stringify(b.hits), 'same hits after IndexedDB reload');
    check(a.hits.every((h) => h.length === 5), 'k hits');
    check(a.meta && a.meta.i === 42 && b.meta && b.meta.i === 42, 'metadata survives');
    // the example page: indexes 20,000 vectors, then a click searches (with the filter on)
    await page.goto(`${srv.url}example.html`);
    await page.waitForSelector('#search:not([disabled])', { timeout: 120000 });
    await page.check('#filter');
    await page.click('#search');
    await page.waitForFunction(() => document.querySelectorAll('#hits tr').length === 11);
    const colours = await page.$$eval('#hits td:nth-child(3)', (t) => t.map((x) => x.textContent));
    check(colours.length === 10 && colours.every((x) => x.includes('"red"')), 'example page: 10 filtered hits');
    const line = { bench: 'chromium', init_ms: +c.app.initMs.toFixed(1), isa: c.app.isa,
      app_recall10: c.app.recall10, hostile_checks: c.hostile.checks, idb_journal_checks: j.checks, idb_close_state: cr.state,
      worker_insert_6000_ms: +c.worker.insertMs.toFixed(1), main_thread_ticks_during_insert: c.worker.mainThreadTicks,
      idb_load_2k_ms: +b.loadMs.toFixed(1) };
    if (!process.argv.includes('--no-big')) {
      const d = await open(`${base}page.html?phase=big`, 600000);
      check(d.loadedCount === 100000, 'big index loads back');
      check(d.recall10 >= 0.95, `recall@10 ${d.recall10} >= 0.95`);
      check(d.wasmBytes < 50 * 1048576, `WASM memory ${d.wasmBytes} < 50 MB`);
      Object.assign(line, { n: d.count, dim: 384, quant: 'sq8', recall10: d.recall10,
        index_bytes: d.indexBytes, wasm_memory_bytes: d.wasmBytes, saved_bytes: d.savedBytes,
        idb_load_100k_ms: +d.idbLoadMs.toFixed(1) });
    }
    console.log(JSON.stringify(line));
  });
} finally {
  srv.close();
}
console.log(`chromium (source tree): ${failed ? 'FAILED' : 'ok'}`);
process.exit(failed ? 1 : 0);
