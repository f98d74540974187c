// ruvector-wasm/worker: the async VectorDb API with the database in a module Web Worker, so that
// inserts, builds and searches run off the main thread.
//
//   import { WorkerVectorDb } from 'ruvector-wasm/worker';
//   const db = new WorkerVectorDb({ dimensions: 384, metric: 'cosine' });
//   db.addEventListener('progress', (e) => console.log(e.done, e.total));
//   await db.insertBatch({ vectors, ids }, { transfer: true }); // vectors: n x 384 Float32Array
//   const hits = await db.search({ vector: q, k: 10, filter: { lang: 'en' } });
//   db.terminate();
//
// Methods are those of VectorDb (insert, insertBatch, search, get, delete, len, isEmpty,
// memoryUsage, save) and return promises. insertBatch also takes the packed form {vectors (n x dim
// Float32Array), ids?, metadata?}; with {transfer: true} the vectors' buffers move to the worker
// instead of being copied (they are detached here afterwards). Result vectors come back
// transferred. Progress: options.onProgress(done, total) and 'progress' events on the object.
// options.wasm (a WebAssembly.Module, bytes or a URL) gives the worker its module; by default it
// fetches dist/*.wasm next to worker-host.js.
// Bundlers: webpack and Vite bundle the worker from `new Worker(new URL(..., import.meta.url))`;
// elsewhere pass your own: new WorkerVectorDb(options, { worker: new Worker(url, {type: 'module'}) })
// with url pointing at this package's worker-host.js (also exported as ruvector-wasm/worker-host).

const ERRORS = { TypeError, RangeError, Error };

export class WorkerVectorDb extends EventTarget {
  constructor(options, init) {
    super();
    this._w = (init && init.worker) ||
      new Worker(new URL('./worker-host.js', import.meta.url), { type: 'module', name: 'ruvector' });
    this._seq = 0;
    this._pending = new Map();
    this._w.onmessage = (e) => this._message(e.data);
    this._w.onerror = (e) => this._failAll(new Error(`ruvector worker: ${e.message || 'failed to start'}`));
    this._ready = this._call('open', [options]);
    this._ready.catch(() => {});
  }

  _message(m) {
    const p = this._pending.get(m.id);
    if (!p) return;
    if (m.progress) {
      const [done, total] = m.progress;
      if (p.onProgress) p.onProgress(done, total);
      const ev = new Event('progress');
      ev.done = done;
      ev.total = total;
      this.dispatchEvent(ev);
      return;
    }
    this._pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else {
      const Cls = ERRORS[m.error.name] || Error;
      const err = new Cls(m.error.message);
      if (m.error.code !== undefined) err.code = m.error.code;
      if (m.error.name === 'RuvectorError') err.name = 'RuvectorError';
      p.reject(err);
    }
  }

  _failAll(err) {
    for (const p of this._pending.values()) p.reject(err);
    this._pending.clear();
  }

  _call(op, args, transfer, onProgress) {
    if (!this._w) return Promise.reject(new Error('ruvector: worker terminated'));
    const id = ++this._seq;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, onProgress });
      this._w.postMessage({ id, op, args, progress: !!onProgress || op === 'insertBatch' }, transfer || []);
    });
  }

  insert(entry, opts) {
    const t = opts && opts.transfer && entry && entry.vector && entry.vector.buffer ? [entry.vector.buffer] : [];
    return this._call('insert', [entry], t);
  }

  insertBatch(entries, opts) {
    const o = opts || {};
    const t = new Set();
    if (o.transfer) {
      const add = (v) => { if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) t.add(v.buffer); };
      if (Array.isArray(entries)) for (const e of entries) add(e && e.vector);
      else if (entries) add(entries.vectors);
    }
    return this._call('insertBatch', [entries], [...t], o.onProgress);
  }

  search(query) { return this._call('search', [query]); }
  get(id) { return this._call('get', [id]); }
  delete(id) { return this._call('delete', [id]); }
  len() { return this._call('len', []); }
  isEmpty() { return this._call('isEmpty', []); }
  memoryUsage() { return this._call('memoryUsage', []); }
  /** The database's bytes (VectorDB.load / saveToIndexedDB format), transferred here. */
  save() { return this._call('save', []); }
  /** Saves to IndexedDB inside the worker (incremental: VectorDB.saveToIndexedDB). */
  saveToIndexedDB(name, options) { return this._call('saveToIndexedDB', [name, options]); }
  /** VectorDB.flush() inside the worker: the journal bytes since the last flush. */
  flush() { return this._call('flush', []); }
  /** VectorDB.checkpoint() inside the worker. */
  checkpoint() { return this._call('checkpoint', []); }

  /** Stops the worker (pending calls reject); the database goes with it. */
  terminate() {
    if (!this._w) return;
    this._w.terminate();
    this._w = null;
    this._failAll(new Error('ruvector: worker terminated'));
  }

  [Symbol.dispose || Symbol.for('Symbol.dispose')]() { this.terminate(); }
}

export { WorkerVectorDb as VectorDb };
