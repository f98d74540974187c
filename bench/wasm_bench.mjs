// WebAssembly benchmark under Node: ruvector-wasm (wasm/index.js), hnswlib-wasm 0.8.2 and
// @ruvector/wasm 0.1.31 in the same process, same data, one thread, one query at a time.
// Prints ruv_bench-style JSON lines with "runtime":"wasm".
//
//   npm install --prefix /tmp/peers hnswlib-wasm@0.8.2 @ruvector/wasm@0.1.31 fake-indexeddb@6
//   (bench-only; fake-indexeddb stands in for the IndexedDB hnswlib-wasm's file system needs)
//   node bench/wasm_bench.mjs --data ../shared/data --set glove100-angular --peers /tmp/peers \
//        [--max-n N] [--max-q N] [--ef 16,32,64,128] [--passes 3] [--lib ruvector,hnswlib,ruvector-wasm]
//        [--quant none,sq8] [--rerank 1,4]   (ruvector HNSW storage; the flat index stays f32;
//        each re-rank factor is measured on the same quantized index)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, pct, readVecs, recallAt } from './texmex.mjs';
import init, { VectorDB, Index, isa } from '../wasm/node.mjs';

const dataDir = arg('data', '../shared/data');
const set = arg('set', 'glove100-angular');
const peers = arg('peers', '');
const maxN = +arg('max-n', 0), maxQ = +arg('max-q', 0), passes = Math.max(3, +arg('passes', 3));
const efs = arg('ef', '16,24,32,48,64,96,128').split(',').map(Number);
const libs = arg('lib', 'ruvector,hnswlib,ruvector-wasm').split(',');
const metric = set.includes('angular') ? 'cosine' : 'euclidean';
const M = 16, efc = 200, k = 10;


const base = readVecs(dataDir, `${set}_base.fvecs`, maxN);
const qs = readVecs(dataDir, `${set}_query.fvecs`, maxQ);
const gt = readVecs(dataDir, `${set}_groundtruth.ivecs`, maxQ);
const dim = base.dim, n = base.rows, nq = qs.rows;
const row = (v, i) => v.data.subarray(i * v.dim, (i + 1) * v.dim);

const recall = (found) => recallAt(found, gt, k);


function measure(lib, index, ef, searchOne, buildS, insertPerS, bytes, extra = {}) {
  const passS = [], lat = [];
  let found;
  for (let p = 0; p < passes; p++) {
    found = [];
    const t0 = performance.now();
    for (let q = 0; q < nq; q++) {
      const t1 = performance.now();
      found.push(searchOne(row(qs, q), ef));
      lat.push(performance.now() - t1);
    }
    passS.push((performance.now() - t0) / 1000);
  }
  passS.sort((a, b) => a - b);
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ lib, runtime: 'wasm', index, dataset: set, metric, n, dim, nq,
    params: index === 'hnsw' ? { M, ef_construction: efc, ef_search: ef } : {},
    build_s: +buildS.toFixed(3), insert_per_s: Math.round(insertPerS),
    qps: +(nq / passS[Math.floor(passes / 2)]).toFixed(1), recall10: +recall(found).toFixed(4),
    bytes_per_vec: bytes ? +(bytes / n).toFixed(1) : null, threads: 1,
    p50_us: +(1000 * pct(lat, 0.5)).toFixed(1), p95_us: +(1000 * pct(lat, 0.95)).toFixed(1),
    p99_us: +(1000 * pct(lat, 0.99)).toFixed(1), ...extra }));
}

const keys = Array.from({ length: n }, (_, i) => i);

if (libs.includes('ruvector')) {
  await init();
  const quants = arg('quant', 'none').split(',');
  for (const [kind, quant] of [...quants.map((q) => ['hnsw', q]), ['flat', 'none']]) {
    const ix = new Index(dim, { metric: metric === 'cosine' ? 'cosine' : 'l2sq', kind, M,
      efConstruction: efc, capacity: n, seed: 100, quant });
    const t0 = performance.now();
    if (quant === 'sq8' || quant === 'pq' || quant === 'bin') ix.train(base.data);
    for (let i = 0; i < n; i += 1000) {
      const m = Math.min(1000, n - i);
      ix.addBatch(keys.slice(i, i + m), base.data.subarray(i * dim, (i + m) * dim));
    }
    const buildS = (performance.now() - t0) / 1000;
    // re-rank factors (quantized storage): each measured on the same index
    const rrs = quant === 'none' ? [0] : arg('rerank', '4').split(',').map(Number);
    for (const rr of rrs) {
      const search = (q, ef) => Array.from(ix.search(q, k, { efSearch: ef, rerank: rr }).keys,
        Number);
      for (const ef of kind === 'hnsw' ? efs : [0]) {
        measure('ruvector', kind, ef, search, buildS, n / buildS, ix.memoryUsage,
          { isa: isa(), quant, rerank: rr });
      }
    }
    ix.free();
  }
  // the VectorDB API (string ids, metadata path), flat insert rate as @ruvector/wasm measures it
  const db = new VectorDB(dim, metric, false);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) db.insert(row(base, i), String(i));
  const s = (performance.now() - t0) / 1000;
  measure('ruvector-vectordb', 'flat', 0, (q) => db.search(q, k).map((h) => +h.id), s, n / s,
    null, { isa: isa() });
  db.free();
}

if (libs.includes('hnswlib') && peers) {
  globalThis.window = globalThis; // hnswlib-wasm expects a browser global
  const mod = await import(pathToFileURL(path.resolve(peers,
    'node_modules/hnswlib-wasm/dist/hnswlib.js')).href);
  // it keeps its files in IDBFS, which aborts under Node without an indexedDB: give it one
  await import(pathToFileURL(path.resolve(peers, 'node_modules/fake-indexeddb/auto/index.mjs')).href);
  const lib = await mod.loadHnswlib();
  const h = new lib.HierarchicalNSW(metric === 'cosine' ? 'cosine' : 'l2', dim, '');
  h.initIndex(n, M, efc, 100);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) h.addPoint(row(base, i), i, false);
  const buildS = (performance.now() - t0) / 1000;
  for (const ef of efs) {
    h.setEfSearch(ef);
    measure('hnswlib-wasm', 'hnsw', ef, (q) => Array.from(h.searchKnn(q, k, undefined).neighbors),
      buildS, n / buildS, null);
  }
}

if (libs.includes('ruvector-wasm') && peers) {
  const dir = path.resolve(peers, 'node_modules/@ruvector/wasm');
  const mod = await import(pathToFileURL(path.join(dir, 'pkg', 'ruvector_wasm.js')).href);
  await mod.default({ module_or_path: readFileSync(path.join(dir, 'pkg', 'ruvector_wasm_bg.wasm')) });
  const db = new mod.VectorDB(dim, metric, true);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) db.insert(row(base, i), String(i), null);
  const s = (performance.now() - t0) / 1000;
  measure('@ruvector/wasm', 'flat (useHnsw ignored)', 0,
    (q) => db.search(q, k, null).map((r) => +r.id), s, n / s, null);
}
