// Browser check of the worker wrapper (ruvector-wasm/worker): run by the import-map pages and the
// webpack / Vite apps.
import { WorkerVectorDb } from 'ruvector-wasm/worker';
import { randomVectors, compareHits } from './exact.js';

export async function workerCheck() {
  const r = { failures: [] };
  const fail = (m) => r.failures.push(m);
  const dim = 32, n = 6000;
  const vectors = randomVectors(n, dim, 33);
  const copy = vectors.slice();
  const db = new WorkerVectorDb({ dimensions: dim, metric: 'euclidean' });
  let events = 0, lastDone = 0, ticks = 0;
  db.addEventListener('progress', (e) => { events++; lastDone = e.done; });
  const iv = setInterval(() => ticks++, 4);
  const t0 = performance.now();
  const ids = await db.insertBatch({ vectors, ids: Array.from({ length: n }, (_, i) => `w${i}`),
    metadata: Array.from({ length: n }, (_, i) => ({ c: i % 4 })) }, { transfer: true });
  r.insertMs = performance.now() - t0;
  clearInterval(iv);
  r.mainThreadTicks = ticks; // the page kept running while the worker inserted
  if (ticks < 10) fail(`the main thread ran ${ticks} timer ticks during a ${r.insertMs.toFixed(0)} ms insert`);
  if (ids.length !== n || ids[5] !== 'w5') fail(`insertBatch ids ${ids.length}`);
  if (vectors.byteLength !== 0) fail('the vectors were copied, not transferred');
  if (events < 2 || lastDone !== n) fail(`progress events ${events}, last ${lastDone}`);
  for (let t = 0; t < 5; t++) {
    const q = randomVectors(1, dim, 900 + t);
    const hits = await db.search({ vector: q, k: 10, filter: { c: 2 } });
    const c = compareHits('euclidean', copy, dim, q, hits.map((h) => ({ row: +h.id.slice(1), score: h.score })), 10,
      (i) => i % 4 === 2);
    if (c.recall < 0.9 || c.count !== 10 || c.maxScoreErr > 1e-4) fail(`worker search ${t}: ${JSON.stringify(c)}`);
    if (!(hits[0].vector instanceof Float32Array) || hits.some((h) => h.metadata.c !== 2)) fail('worker hit shape');
  }
  if ((await db.len()) !== n) fail('worker len');
  const e = await db.get('w9');
  if (!e || e.vector.some((x, j) => x !== copy[9 * dim + j])) fail('worker get');
  await db.search({ vector: [1, 2] }).then(() => fail('dimension error not reported'),
    (err) => { if (!(err instanceof RangeError) || err.code !== -17) fail(`worker error ${err}`); });
  // incremental IndexedDB persistence inside the worker: a checkpoint, then journal bytes only
  if (typeof indexedDB === 'object') {
    const name = 'ruvector-worker-check';
    await db.saveToIndexedDB(name, { checkpointRatio: 0.25 });
    await db.insert({ id: 'idb1', vector: randomVectors(1, dim, 77) });
    const fb = await db.flush();
    if (!(fb > 0 && fb < 4096)) fail(`worker flush wrote ${fb} bytes`);
    if (!((await db.checkpoint()) > 100000)) fail('worker checkpoint');
    await new Promise((res) => { const rq = indexedDB.deleteDatabase(name); rq.onsuccess = rq.onerror = rq.onblocked = res; });
  }
  db.terminate();
  return r;
}
