// IndexedDB persistence figures in headless Chromium (bench/idb.html): bytes written by flushing
// 100 inserts into a saved 100,000 x 384 SQ8 VectorDB against a full save, and the load time of
// the journaled format (snapshot chunks + replay of the 100 records) against the single-record
// format. Each run is a fresh Chromium profile; prints one JSON line per run, then medians with
// min..max. Build first (wasm/build.sh).
//   PLAYWRIGHT_DIR=/dir/with/node_modules/playwright-core node wasm/bench/idb.mjs [--n 100000] [--runs 3]
//        [--loads 3] [--adds 100] [--chunk bytes]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, withChromium } from '../browser/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const chunk = opt('chunk', 0); // chunkBytes (default: the package default)
const n = opt('n', 100000), runs = opt('runs', 3), loads = opt('loads', 3), adds = opt('adds', 100);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const span = (a) => `${median(a).toFixed(1)} (${Math.min(...a).toFixed(1)}..${Math.max(...a).toFixed(1)})`;
const srv = await serve(root);
const all = [];
try {
  for (let i = 0; i < runs; i++) {
    await withChromium(async ({ open }) => {
      const r = await open(`${srv.url}bench/idb.html?n=${n}&adds=${adds}&loads=${loads}${chunk ? `&chunk=${chunk}` : ''}`, 900000);
      delete r.logs;
      console.log(JSON.stringify(r));
      all.push(r);
    });
  }
} finally {
  srv.close();
}
const oldL = all.flatMap((r) => r.oldLoadMs), newL = all.flatMap((r) => r.newLoadMs);
console.log(`n ${n} x 384 SQ8, ${runs} runs x ${loads} loads`);
console.log(`full save: ${all[0].fullSaveBytes} bytes, ${span(all.map((r) => r.fullSaveMs))} ms; checkpoint ${all[0].checkpointBytes} bytes, ${span(all.map((r) => r.checkpointMs))} ms`);
console.log(`flush of ${adds} inserts: ${span(all.map((r) => r.flushBytes))} bytes = ${span(all.map((r) => r.flushPercentOfFullSave))} % of a full save, ${span(all.map((r) => r.flushMs))} ms`);
console.log(`load: single record ${span(oldL)} ms; snapshot chunks + replay ${span(newL)} ms; ratio of medians ${(median(newL) / median(oldL)).toFixed(2)}`);
