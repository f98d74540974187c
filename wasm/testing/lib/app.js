// The check every browser build runs (bundler apps, the import-map page): the package imported by
// its bare name, loaded, and its answers compared with a brute force in double precision.
import init, { VectorDB, VectorDb, isa, memoryStats } from 'ruvector-wasm';
import { randomVectors, compareHits } from './exact.js';

export async function appCheck() {
  const t0 = performance.now();
  await init();
  const r = { initMs: performance.now() - t0, isa: isa(), failures: [] };
  const fail = (m) => r.failures.push(m);
  const dim = 32, n = 2000;
  const data = randomVectors(n, dim, 21);
  const row = (i) => data.subarray(i * dim, (i + 1) * dim);
  const hnsw = new VectorDB(dim, 'cosine', true);
  const flat = new VectorDB(dim, 'euclidean', false);
  for (let i = 0; i < n; i++) {
    hnsw.insert(row(i), `v${i}`, { c: i % 3 });
    flat.insert(row(i), `v${i}`, { c: i % 3 });
  }
  let recall = 0;
  for (let t = 0; t < 20; t++) {
    const q = randomVectors(1, dim, 500 + t);
    const toRows = (hits) => hits.map((h) => ({ row: +h.id.slice(1), score: h.score }));
    const a = compareHits('cosine', data, dim, q, toRows(hnsw.search(q, 10)), 10);
    recall += a.recall / 20;
    if (a.maxScoreErr > 1e-4 || a.wrongOrder) fail(`hnsw query ${t}: ${JSON.stringify(a)}`);
    const b = compareHits('euclidean', data, dim, q, toRows(flat.search(q, 10)), 10);
    if (b.recall !== 1 || b.maxScoreErr > 1e-4) fail(`flat query ${t}: ${JSON.stringify(b)}`);
    const f = compareHits('euclidean', data, dim, q, toRows(flat.search(q, 10, { c: 1 })), 10, (i) => i % 3 === 1);
    if (f.recall !== 1 || f.count !== 10) fail(`filtered query ${t}: ${JSON.stringify(f)}`);
  }
  if (recall < 0.9) fail(`hnsw recall@10 ${recall}`);
  r.recall10 = recall;
  const g = hnsw.get('v7');
  if (!g || g.vector.some((x, j) => x !== data[7 * dim + j]) || g.metadata.c !== 1) fail('get(v7)');
  const back = VectorDB.load(hnsw.save());
  if (back.len() !== n || back.search(row(3), 1)[0].id !== 'v3') fail('save / load');
  back.free();
  hnsw.free();
  flat.free();
  const adb = new VectorDb({ dimensions: 3, distanceMetric: 'euclidean' });
  await adb.insert({ id: 'a', vector: [1, 2, 3], metadata: { t: 'x' } });
  await adb.insert({ id: 'b', vector: [4, 6, 3] });
  const hits = await adb.search({ vector: [1, 2, 4], k: 2 });
  if (hits.length !== 2 || hits[0].id !== 'a' || Math.abs(hits[0].score - 1) > 1e-6 || (await adb.get('zz')) !== null) {
    fail(`VectorDb: ${JSON.stringify(hits)}`);
  }
  adb.free();
  r.wasmBytes = memoryStats().wasmBytes;
  r.loadedFrom = memoryStats().loadedFrom;
  r.ms = performance.now() - t0;
  return r;
}
