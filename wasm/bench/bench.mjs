// Benchmarks behind the figures in wasm/README.md (Node, the package's node entry; build first
// with wasm/build.sh). One JSON line per measurement, then a summary line per figure: the median
// over --runs interleaved runs (each run measures every case once, cases in turn) with min..max.
//
//   node wasm/bench/bench.mjs filters [--data ../shared/data] [--set glove100-angular] [--n 20000]
//        [--queries 300] [--runs 5] [--c-rule]
//       latency and recall@10 (against a double-precision brute force over the passing entries) of
//       VectorDB.search (k = 10, HNSW, cosine) unfiltered and with metadata filters
//   node wasm/bench/bench.mjs memory [--dim 4096] [--runs 3]
//       largest database of dim-float vectors that fits: default growth, and pre-reserved with the
//       capacity option (each attempt in a fresh process: WebAssembly memory never shrinks)
//   node --expose-gc wasm/bench/bench.mjs gc [--cycles 2000] [--runs 3]
//       WebAssembly memory over create / use / drop cycles reclaimed by the garbage collector
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as rv from '../node.mjs';

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i > 0 ? Number(args[i + 1]) : def;
};
const optStr = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i > 0 ? args[i + 1] : def;
};
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const spread = (a) => `${Math.min(...a).toFixed(3)}..${Math.max(...a).toFixed(3)}`;

function rand(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

function readVecs(file, max) {
  const b = readFileSync(file);
  const dim = b.readInt32LE(0);
  const rows = Math.min(max, b.length / (4 + 4 * dim));
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) out[r * dim + j] = b.readFloatLE(r * (4 + 4 * dim) + 4 + 4 * j);
  return { rows, dim, data: out };
}

async function filters() {
  const n = opt('n', 20000), nq = opt('queries', 300), runs = opt('runs', 5);
  const dir = optStr('data', path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data'));
  const set = optStr('set', 'glove100-angular');
  await rv.init();
  const r = rand(7);
  let base, qs, dim;
  if (existsSync(path.join(dir, `${set}_base.fvecs`))) {
    base = readVecs(path.join(dir, `${set}_base.fvecs`), n);
    const q = readVecs(path.join(dir, `${set}_query.fvecs`), nq);
    dim = base.dim;
    qs = Array.from({ length: q.rows }, (_, i) => q.data.subarray(i * dim, (i + 1) * dim));
  } else {
    dim = opt('dim', 100);
    console.log(`# ${dir}/${set}_*.fvecs not found: uniform random vectors (HNSW recall is low on those)`);
    base = { rows: n, dim, data: new Float32Array(n * dim).map(() => r() * 2 - 1) };
    qs = Array.from({ length: nq }, () => new Float32Array(dim).map(() => r() * 2 - 1));
  }
  const N = base.rows;
  const row = (i) => base.data.subarray(i * dim, (i + 1) * dim);
  const colours = ['red', 'green', 'blue'];
  const meta = Array.from({ length: N }, (_, i) => ({ colour: colours[i % 3], category: `c${i % 20}`, price: Math.floor(r() * 1000), i }));
  const db = new rv.VectorDB(dim, 'cosine', true, { capacity: N });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) db.insert(row(i), String(i), meta[i]);
  const buildS = (performance.now() - t0) / 1000;
  const cases = {
    unfiltered: [null, () => true],
    'colour = red (1/3)': [{ colour: 'red' }, (m) => m.colour === 'red'],
    'category = c7 (1/20)': [{ category: 'c7' }, (m) => m.category === 'c7'],
    'category $in [c1, c2] (1/10)': [{ category: { $in: ['c1', 'c2'] } }, (m) => m.category === 'c1' || m.category === 'c2'],
    'price in [100, 200) (1/10)': [{ price: { $gte: 100, $lt: 200 } }, (m) => m.price >= 100 && m.price < 200],
    'colour = red and price < 500 (1/6)': [{ colour: 'red', price: { $lt: 500 } }, (m) => m.colour === 'red' && m.price < 500],
  };
  // --c-rule: each filter again with efSearch 64 given, which leaves the choice between graph
  // search and exact scan (and the widening of ef) to the C library's own rule
  const cRule = args.includes('--c-rule');
  if (cRule) {
    for (const [name, c] of Object.entries(cases)) if (name !== 'unfiltered') cases[`${name} [C rule]`] = c;
  }
  // exact answers in double precision (cosine), per case and query
  const norms = new Float64Array(N).map((_, i) => Math.sqrt(row(i).reduce((a, x) => a + x * x, 0)));
  const truth = {};
  for (const [name, [, keep]] of Object.entries(cases)) {
    truth[name] = qs.map((q) => {
      const qn = Math.sqrt(q.reduce((a, x) => a + x * x, 0));
      const d = [];
      for (let i = 0; i < N; i++) {
        if (!keep(meta[i])) continue;
        let s = 0;
        const v = row(i);
        for (let j = 0; j < dim; j++) s += q[j] * v[j];
        d.push([i, 1 - s / (qn * norms[i])]);
      }
      d.sort((a, b) => a[1] - b[1]);
      return new Set(d.slice(0, 10).map((x) => String(x[0])));
    });
  }
  const t1 = performance.now();
  db.search(qs[0], 10, { colour: 'red' }); // the first filtered search builds the metadata index
  const firstMs = performance.now() - t1;
  const per = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
  const rec = {};
  for (let run = 0; run < runs; run++) {
    for (const [name, [f]] of Object.entries(cases)) {
      const lat = [];
      let hit = 0;
      qs.forEach((q, qi) => {
        const t = performance.now();
        const hits = db.search(q, 10, f, name.endsWith('[C rule]') ? { efSearch: 64 } : undefined);
        lat.push(performance.now() - t);
        for (const h of hits) if (truth[name][qi].has(h.id)) hit++;
      });
      rec[name] = hit / (qs.length * 10);
      per[name].push(median(lat));
      console.log(JSON.stringify({ bench: 'filters', run, case: name, n: N, dim, k: 10, median_ms: +median(lat).toFixed(4), recall10: rec[name] }));
    }
  }
  const baseMs = median(per.unfiltered);
  console.log(`# ${set} (${N} x ${dim}, cosine, HNSW M 16 / efConstruction 200 / efSearch 64, metadata on every entry), ` +
    `${qs.length} queries, k = 10, default search options; build ${buildS.toFixed(1)} s; first filtered search ` +
    `(builds the metadata index) ${firstMs.toFixed(1)} ms`);
  for (const [name, a] of Object.entries(per)) {
    console.log(`# ${name}: median ${median(a).toFixed(3)} ms (runs ${spread(a)}), ${(median(a) / baseMs).toFixed(2)}x unfiltered, recall@10 ${rec[name].toFixed(3)}`);
  }
  db.free();
}

// One attempt (child process): a flat f32 index of dim floats, no ids, filled with batches of
// 1024 until out of memory or `target` vectors. Prints {count, bytes, wasmBytes}.
async function memoryChild() {
  const dim = opt('dim', 4096), cap = opt('capacity', 0), target = opt('target', 0);
  await rv.init();
  const B = 1024;
  const batch = new Float32Array(B * dim).map((_, i) => Math.sin(i));
  let ix, count = 0, err = null;
  try {
    ix = new rv.Index(dim, cap ? { capacity: cap } : {});
    for (;;) {
      const m = target ? Math.min(B, target - count) : B;
      if (m <= 0) break;
      ix.addBatch(Float64Array.from({ length: m }, (_, i) => count + i), batch.subarray(0, m * dim));
      count += m;
    }
  } catch (e) {
    err = e.code !== undefined ? e.code : String(e.message);
  }
  console.log(JSON.stringify({ count, vectorBytes: count * dim * 4, wasmBytes: rv.memoryStats().wasmBytes, error: err }));
}

async function memory() {
  const dim = opt('dim', 4096), runs = opt('runs', 3);
  const self = fileURLToPath(import.meta.url);
  const attempt = (extra) => JSON.parse(execFileSync(process.execPath, [self, 'memory-child', '--dim', String(dim), ...extra],
    { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
  const res = { growth: [], reserve: [] };
  let lo = 1024, hi = Math.floor(4 * 2 ** 30 / (dim * 4) / 1024) * 1024, prevLo = 0;
  for (let run = 0; run < runs; run++) {
    const g = attempt([]);
    res.growth.push(g.count);
    console.log(JSON.stringify({ bench: 'memory', run, mode: 'default growth', dim, ...g }));
    // largest pre-reserved capacity that can be filled: bisection on capacity (multiples of
    // 1024) in the first run; later runs re-check the bounds it found
    if (run > 0) {
      lo = prevLo;
      hi = prevLo + 1024;
      const up = attempt(['--capacity', String(hi), '--target', String(hi)]);
      if (up.count === hi) { lo = hi; hi = Math.floor(4 * 2 ** 30 / (dim * 4) / 1024) * 1024; }
    }
    while (hi - lo > 1024) {
      const mid = Math.floor((lo + hi) / 2048) * 1024;
      const a = attempt(['--capacity', String(mid), '--target', String(mid)]);
      if (a.count === mid) lo = mid; else hi = mid;
    }
    const a = attempt(['--capacity', String(lo), '--target', String(lo)]);
    prevLo = lo;
    res.reserve.push(a.count);
    console.log(JSON.stringify({ bench: 'memory', run, mode: 'capacity pre-reserved', dim, capacity: lo, ...a }));
  }
  const gib = (c) => (c * dim * 4 / 2 ** 30).toFixed(2);
  console.log(`# ${dim}-d f32, default growth: ${median(res.growth)} vectors = ${gib(median(res.growth))} GiB of vectors (runs ${Math.min(...res.growth)}..${Math.max(...res.growth)})`);
  console.log(`# ${dim}-d f32, capacity pre-reserved: ${median(res.reserve)} vectors = ${gib(median(res.reserve))} GiB of vectors (runs ${Math.min(...res.reserve)}..${Math.max(...res.reserve)})`);
}

async function gc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const cycles = opt('cycles', 2000), runs = opt('runs', 3), dim = opt('dim', 384);
  await rv.init();
  const v = new Float32Array(dim).map((_, i) => Math.cos(i));
  const settle = async () => {
    for (let i = 0; i < 20 && rv.memoryStats().liveIndexes > 0; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
  };
  const grew = [], peaks = [];
  for (let run = 0; run < runs; run++) {
    await settle();
    const before = rv.memoryStats().wasmBytes;
    let peak = before;
    for (let i = 0; i < cycles; i++) {
      const db = new rv.VectorDB(dim, 'cosine', true);
      for (let j = 0; j < 20; j++) db.insert(v.map((x) => x * (j + 1) + j), `k${j}`, { j });
      db.search(v, 5, { j: 3 });
      if (i % 100 === 99) {
        peak = Math.max(peak, rv.memoryStats().wasmBytes);
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    await settle();
    const after = rv.memoryStats();
    grew.push((after.wasmBytes - before) / 1048576);
    peaks.push(peak / 1048576);
    console.log(JSON.stringify({ bench: 'gc', run, cycles, dim, entries: 20, before, after: after.wasmBytes, peak, live: after.liveIndexes }));
  }
  console.log(`# ${cycles} create / insert 20 x ${dim} / search / drop cycles: WebAssembly memory grew ${median(grew).toFixed(2)} MiB (runs ${spread(grew)}), ` +
    `peak ${median(peaks).toFixed(1)} MiB (runs ${spread(peaks)}), gc() every 100 cycles`);
}

const modes = { filters, memory, 'memory-child': memoryChild, gc };
if (!modes[mode]) {
  console.error('usage: node wasm/bench/bench.mjs filters|memory|gc [options] (see the head of this file)');
  process.exit(2);
}
await modes[mode]();
