// The module Web Worker behind ruvector-wasm/worker (worker.js): one VectorDb per worker; calls
// run one at a time in arrival order.
import { VectorDb } from './index.js';

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
    db = new VectorDb(args[0]);
    db._dim = args[0] && (args[0].dimensions || args[0].dimension);
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
      return { result: await db._db.saveToIndexedDB(args[0]) };
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

