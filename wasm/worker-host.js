// The module Web Worker behind ruvector-wasm/worker (worker.js): one VectorDb per worker; calls
// run one at a time in arrival order. The module comes from the `wasm` option (a
// WebAssembly.Module, bytes or a URL, sent by the page) or is fetched next to this file; there is
// no base64 fallback here, so that the worker bundle has no dynamic import (bundlers that build
// workers as iife, e.g. Vite 5 by default, refuse code splitting).
import { createApi } from './dist/core.mjs';

const api = createApi({
  name: 'worker',
  async source(simd) {
    const url = simd ? new URL('./dist/ruvector_simd.wasm', import.meta.url)
      : new URL('./dist/ruvector_scalar.wasm', import.meta.url);
    const r = await fetch(url);
    if (!r.ok) {
      throw new Error(`ruvector worker: fetching ${url}: HTTP ${r.status} (serve the package's dist/*.wasm ` +
        'next to worker-host.js, or pass {wasm: module or bytes} to WorkerVectorDb)');
    }
    return { bytes: new Uint8Array(await r.arrayBuffer()), from: 'url' };
  },
});
const { VectorDb, init } = api;

let db = null;
let queue = Promise.resolve();

function unpack(entries) {
  if (Array.isArray(entries) || entries === null || typeof entries !== 'object' || !ArrayBuffer.isView(entries.vectors)) {
    return entries;
  }
  const { vectors, ids, metadata } = entries; // packed: n x dim floats
  const dim = db._dim;
  if (vectors.length % dim !== 0) throw new RangeError(`ruvector: vectors has ${vectors.length} numbers, not a multiple of ${dim} (dimension mismatch)`);
  const n = vectors.length / dim;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = { vector: vectors.subarray(i * dim, (i + 1) * dim), id: ids ? ids[i] : undefined,
      metadata: metadata ? metadata[i] : undefined };
  }
  return out;
}

async function handle({ id, op, args, progress }) {
  const onProgress = progress ? (done, total) => self.postMessage({ id, progress: [done, total] }) : undefined;
  if (op === 'open') {
    const { wasm, ...options } = args[0] || {};
    if (wasm !== undefined) await init(wasm);
    db = new VectorDb(options);
    db._dim = options.dimensions || options.dimension;
    await db.len();
    return { result: true };
  }
  if (!db) throw new Error('ruvector: worker database not open');
  switch (op) {
    case 'insert': return { result: await db.insert(args[0]) };
    case 'insertBatch': return { result: await db.insertBatch(unpack(args[0]), { onProgress }) };
    case 'search': {
      const hits = await db.search(args[0]);
      return { result: hits, transfer: hits.map((h) => h.vector && h.vector.buffer).filter(Boolean) };
    }
    case 'get': {
      const e = await db.get(args[0]);
      return { result: e, transfer: e ? [e.vector.buffer] : [] };
    }
    case 'delete': return { result: await db.delete(args[0]) };
    case 'len': return { result: await db.len() };
    case 'isEmpty': return { result: await db.isEmpty() };
    case 'memoryUsage': return { result: await db.memoryUsage() };
    case 'save': {
      await db.len();
      const b = db._db.save();
      return { result: b, transfer: [b.buffer] };
    }
    case 'saveToIndexedDB': {
      await db.len();
      return { result: await db._db.saveToIndexedDB(args[0], args[1]) };
    }
    case 'flush': {
      await db.len();
      return { result: await db._db.flush() };
    }
    case 'checkpoint': {
      await db.len();
      return { result: await db._db.checkpoint() };
    }
    default: throw new TypeError(`ruvector worker: unknown call ${op}`);
  }
}

self.onmessage = (e) => {
  const m = e.data;
  queue = queue.then(async () => {
    try {
      const r = await handle(m);
      self.postMessage({ id: m.id, ok: true, result: r.result }, [...new Set(r.transfer || [])]);
    } catch (err) {
      self.postMessage({ id: m.id, ok: false, error: { name: err && err.name, message: String(err && err.message || err), code: err && err.code } });
    }
  });
};

