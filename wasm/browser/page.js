// The browser test's page (also an example): ?phase=build inserts, searches and saves to
// IndexedDB; ?phase=reload loads from IndexedDB and searches again; ?phase=big builds 100,000
// x 384 SQ8 vectors and reports WebAssembly memory and recall. Results go to window.__result.
import init, { VectorDB, Index, isa, detectSIMD } from '../index.js';

const phase = new URLSearchParams(location.search).get('phase') || 'build';
const out = document.getElementById('out');

// Deterministic pseudo-random unit vectors (xorshift), the same in every phase.
function vectors(n, dim, seed) {
  const v = new Float32Array(n * dim);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < v.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    v[i] = (s / 4294967296) * 2 - 1;
  }
  return v;
}

async function run() {
  const t0 = performance.now();
  await init();
  const initMs = performance.now() - t0;
  const r = { phase, initMs, isa: isa(), simd: detectSIMD() };
  const dim = 32, n = 2000;
  const base = vectors(n, dim, 7), qs = vectors(20, dim, 99);
  const search = (db) => Array.from({ length: 20 }, (_, q) =>
    db.search(qs.subarray(q * dim, (q + 1) * dim), 5).map((h) => h.id));
  if (phase === 'build') {
    const db = new VectorDB(dim, 'cosine', true);
    for (let i = 0; i < n; i++) db.insert(base.subarray(i * dim, (i + 1) * dim), `v${i}`, { i });
    r.count = db.len();
    r.hits = search(db);
    r.meta = db.get('v42').metadata;
    await db.saveToIndexedDB('ruvector-test');
    db.free();
  } else if (phase === 'reload') {
    const t1 = performance.now();
    const db = await VectorDB.loadFromIndexedDB('ruvector-test');
    r.loadMs = performance.now() - t1;
    r.count = db.len();
    r.hits = search(db);
    r.meta = db.get('v42').metadata;
    db.free();
  } else { // big: 100,000 x 384, SQ8 codes only, flat (exact scan of the codes)
    const N = 100000, D = 384, nq = 50;
    const data = vectors(N, D, 3), q = vectors(nq, D, 5);
    // capacity up front (no doubling slack), a small training sample and small batches, so
    // that the transient copies in WebAssembly memory stay small next to the index
    const ix = new Index(D, { metric: 'cosine', kind: 'flat', quant: 'sq8', dropF32: true,
      capacity: N });
    ix.train(data.subarray(0, 2000 * D));
    for (let i = 0; i < N; i += 1000) {
      ix.addBatch(Array.from({ length: 1000 }, (_, j) => i + j),
        data.subarray(i * D, (i + 1000) * D));
    }
    r.count = ix.count;
    r.indexBytes = ix.memoryUsage;
    const M = await init();
    r.wasmBytes = M.memory.buffer.byteLength;
    // recall@10 against exact cosine in JavaScript (double precision)
    let hit = 0;
    const norms = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += data[i * D + j] * data[i * D + j];
      norms[i] = Math.sqrt(s);
    }
    for (let k = 0; k < nq; k++) {
      const qq = q.subarray(k * D, (k + 1) * D);
      const sims = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += qq[j] * data[i * D + j];
        sims[i] = s / norms[i];
      }
      const truth = new Set(Array.from(sims.keys()).sort((a, b) => sims[b] - sims[a])
        .slice(0, 10));
      for (const key of ix.search(qq, 10).keys) hit += truth.has(Number(key)) ? 1 : 0;
    }
    r.recall10 = hit / (nq * 10);
    const t1 = performance.now();
    const saved = ix.save(); // (a copy inside WebAssembly memory: grows it, measured above)
    r.saveMs = performance.now() - t1;
    r.savedBytes = saved.length;
    ix.free();
    // the saved 100k index through IndexedDB: store, then time load from IndexedDB + open
    const db = await new Promise((res, rej) => {
      const rq = indexedDB.open('ruvector-big', 1);
      rq.onupgradeneeded = () => rq.result.createObjectStore('s');
      rq.onsuccess = () => res(rq.result);
      rq.onerror = () => rej(rq.error);
    });
    const put = (v) => new Promise((res, rej) => {
      const tx = db.transaction('s', 'readwrite');
      tx.objectStore('s').put(v, 'k');
      tx.oncomplete = res;
      tx.onerror = () => rej(tx.error);
    });
    const get = () => new Promise((res, rej) => {
      const tx = db.transaction('s', 'readonly');
      const rq = tx.objectStore('s').get('k');
      tx.oncomplete = () => res(rq.result);
      tx.onerror = () => rej(tx.error);
    });
    await put(saved);
    const t2 = performance.now();
    const bytes = await get();
    const back = Index.load(bytes);
    r.idbLoadMs = performance.now() - t2;
    r.loadedCount = back.count;
    back.free();
    db.close();
  }
  return r;
}

run().then((r) => {
  window.__result = r;
  out.textContent = JSON.stringify(r, null, 1);
}, (e) => {
  window.__result = { error: String(e && e.stack || e) };
  out.textContent = window.__result.error;
});
