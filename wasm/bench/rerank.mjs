// rerankDtype under Node: HNSW over SQ8 with f32 and with 16-bit re-ranking copies, and
// hnswlib-wasm 0.8.2, in one process on the same data, one thread, one query at a time, measured
// as bench/wasm_bench.mjs measures (same build and search parameters: M 16, efConstruction 200,
// seed 100, k 10; QPS = queries / median pass time of `passes` passes over every query; recall@10
// against the set's ground truth). wasm_bench.mjs has no rerankDtype flag, hence this runner.
// The efSearch values are measured interleaved (every index at one ef, then the next ef), so that
// noise from other work on the machine falls on all sides alike.
//
//   sh wasm/build.sh
//   npm install --prefix /tmp/peers hnswlib-wasm@0.8.2 fake-indexeddb@6
//   node wasm/bench/rerank.mjs --data ../shared/data --set glove100-angular --peers /tmp/peers \
//        [--rerank-dtype f32,bf16] [--rerank 1,4] [--ef 48,56,64,...] [--passes 3] \
//        [--max-n N] [--max-q N] [--no-hnswlib]
//
// Prints wasm_bench-style JSON lines ("runtime":"wasm"; ours with "rerank_dtype"), then the best
// QPS at recall@10 >= 0.95 and 0.99 per side. Bytes per vector: `bytes_per_vec` is
// memoryUsage / n of the index as built (as wasm_bench.mjs reports it: it includes the slots
// reserved beyond n), `bytes_per_vec_loaded` the same for the index reloaded from its save()
// (exactly n slots), and for hnswlib-wasm the growth of its WebAssembly memory over initIndex and
// the inserts / n (an upper bound: memory grows in steps).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, pct, readVecs, recallAt } from '../../bench/texmex.mjs';
import init, { Index, isa } from '../node.mjs';

const dataDir = arg('data', '../shared/data');
const set = arg('set', 'glove100-angular');
const peers = arg('peers', '');
const maxN = +arg('max-n', 0), maxQ = +arg('max-q', 0), passes = Math.max(3, +arg('passes', 3));
const efs = arg('ef', '48,56,64,72,96,128,160,192,256,320').split(',').map(Number);
const rdtypes = arg('rerank-dtype', 'f32,bf16').split(',');
const rrs = arg('rerank', '1,4').split(',').map(Number);
const withHnswlib = !process.argv.includes('--no-hnswlib') && peers;
const metric = set.includes('angular') ? 'cosine' : 'euclidean';
const M = 16, efc = 200, k = 10, quant = 'sq8';


const base = readVecs(dataDir, `${set}_base.fvecs`, maxN);
const qs = readVecs(dataDir, `${set}_query.fvecs`, maxQ);
const gt = readVecs(dataDir, `${set}_groundtruth.ivecs`, maxQ);
const dim = base.dim, n = base.rows, nq = qs.rows;
const row = (v, i) => v.data.subarray(i * v.dim, (i + 1) * v.dim);

const recall = (found) => recallAt(found, gt, k);

const lines = [];

function measure(lib, ef, searchOne, buildS, bytes, extra = {}) {
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
  const r = { lib, runtime: 'wasm', index: 'hnsw', dataset: set, metric, n, dim, nq,
    params: { M, ef_construction: efc, ef_search: ef },
    build_s: +buildS.toFixed(3), insert_per_s: Math.round(n / buildS),
    qps: +(nq / passS[Math.floor(passes / 2)]).toFixed(1), recall10: +recall(found).toFixed(4),
    bytes_per_vec: bytes ? +(bytes / n).toFixed(1) : null, threads: 1,
    p50_us: +(1000 * pct(lat, 0.5)).toFixed(1), p95_us: +(1000 * pct(lat, 0.95)).toFixed(1),
    p99_us: +(1000 * pct(lat, 0.99)).toFixed(1), ...extra };
  lines.push(r);
  console.log(JSON.stringify(r));
}

const keys = Array.from({ length: n }, (_, i) => i);
const sides = []; // {name, run(ef)}

await init();
for (const rd of rdtypes) {
  const ix = new Index(dim, { metric: metric === 'cosine' ? 'cosine' : 'l2sq', kind: 'hnsw', M,
    efConstruction: efc, capacity: n, seed: 100, quant, rerankDtype: rd });
  const t0 = performance.now();
  ix.train(base.data);
  for (let i = 0; i < n; i += 1000) {
    const m = Math.min(1000, n - i);
    ix.addBatch(keys.slice(i, i + m), base.data.subarray(i * dim, (i + m) * dim));
  }
  const buildS = (performance.now() - t0) / 1000;
  const st = ix.stats();
  const loaded = Index.load(ix.save());
  const lst = loaded.stats();
  const mem = { bytes_per_vec_loaded: +(loaded.memoryUsage / n).toFixed(1),
    slots: st.capacity, slots_loaded: lst.capacity,
    per_slot: { vector: st.vectorBytes / st.capacity, code: +(st.codeBytes / st.capacity).toFixed(1),
      graph: +(st.graphBytes / st.capacity).toFixed(1), key: +(st.keyBytes / st.capacity).toFixed(1) } };
  loaded.free();
  console.error(`# ruvector ${quant} rerankDtype ${rd}: built in ${buildS.toFixed(1)} s, ` +
    `${JSON.stringify(st)}; reloaded ${JSON.stringify(lst)}`);
  for (const rr of rrs) {
    sides.push({ name: `ruvector ${quant} ${rd} x${rr}`, run: (ef) => measure('ruvector', ef,
      (q, e) => Array.from(ix.search(q, k, { efSearch: e, rerank: rr }).keys, Number),
      buildS, ix.memoryUsage, { isa: isa(), quant, rerank: rr, rerank_dtype: rd, ...mem }) });
  }
}

if (withHnswlib) {
  globalThis.window = globalThis; // hnswlib-wasm expects a browser global
  const mod = await import(pathToFileURL(path.resolve(peers,
    'node_modules/hnswlib-wasm/dist/hnswlib.js')).href);
  // it keeps its files in IDBFS, which aborts under Node without an indexedDB: give it one
  await import(pathToFileURL(path.resolve(peers, 'node_modules/fake-indexeddb/auto/index.mjs')).href);
  const lib = await mod.loadHnswlib();
  const heap = () => lib.HEAP8.buffer.byteLength;
  const before = heap();
  const h = new lib.HierarchicalNSW(metric === 'cosine' ? 'cosine' : 'l2', dim, '');
  h.initIndex(n, M, efc, 100);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) h.addPoint(row(base, i), i, false);
  const buildS = (performance.now() - t0) / 1000;
  const grown = heap() - before;
  console.error(`# hnswlib-wasm: built in ${buildS.toFixed(1)} s; WebAssembly memory ${before} -> ${heap()}`);
  sides.push({ name: 'hnswlib-wasm', run: (ef) => {
    h.setEfSearch(ef);
    measure('hnswlib-wasm', ef, (q) => Array.from(h.searchKnn(q, k, undefined).neighbors), buildS,
      grown, { bytes_note: 'WebAssembly memory growth over initIndex + inserts' });
  } });
}

for (const ef of efs) for (const s of sides) s.run(ef);

// best QPS at each recall floor per side
for (const floor of [0.95, 0.99]) {
  const groups = new Map();
  for (const r of lines) {
    const g = r.lib === 'ruvector' ? `ruvector ${r.quant} rerankDtype ${r.rerank_dtype}` : r.lib;
    if (r.recall10 < floor) continue;
    const b = groups.get(g);
    if (!b || r.qps > b.qps) groups.set(g, r);
  }
  for (const [g, r] of groups) {
    console.error(`# recall >= ${floor}: ${g}${r.rerank ? ` x${r.rerank}` : ''} ef ${r.params.ef_search}: ` +
      `${r.qps} QPS at ${r.recall10}, ${r.bytes_per_vec} B/vector as built` +
      `${r.bytes_per_vec_loaded ? `, ${r.bytes_per_vec_loaded} reloaded` : ''}`);
  }
}
