// ruvector.h for JavaScript: an ES module over the WebAssembly build (wasm/build.sh).
//
//   import init, { VectorDB, Index } from 'ruvector-wasm';
//   await init();                         // loads the SIMD128 module, or the scalar one
//   const db = new VectorDB(384, 'cosine', true);
//
// `VectorDB` follows the API of @ruvector/wasm 0.1.x; `Index` mirrors the C API (u64 keys as
// BigInt or number, typed arrays, no JSON). Errors from C become `RuvectorError` exceptions
// carrying the C status (`code`, e.g. -17 for a dimension mismatch) and its message.
import createSimd from './dist/ruvector_simd.mjs';
import createScalar from './dist/ruvector_scalar.mjs';

// A module with one v128 instruction: WebAssembly.validate accepts it only with SIMD128.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1,
  0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

let M = null; // the instantiated Emscripten module
let simd = false;

/** Whether this JavaScript engine runs WebAssembly SIMD128. */
export function detectSIMD() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/**
 * Loads the WebAssembly module once (later calls return the same promise result). Picks the
 * SIMD128 build when the engine validates it, else the scalar build; `options.simd = false`
 * forces the scalar one. Under Node the .wasm file is read from disk next to this module.
 */
export default async function init(options = {}) {
  if (M) return M;
  simd = options.simd !== false && detectSIMD();
  const name = simd ? 'ruvector_simd.wasm' : 'ruvector_scalar.wasm';
  const create = simd ? createSimd : createScalar;
  const args = {};
  if (typeof process === 'object' && process.versions && process.versions.node) {
    const { readFile } = await import('node:fs/promises');
    args.wasmBinary = await readFile(new URL(`./dist/${name}`, import.meta.url));
  } else {
    args.locateFile = (p) => new URL(`./dist/${p}`, import.meta.url).href;
  }
  M = await create(args);
  return M;
}

function mod() {
  if (!M) throw new Error('ruvector: call `await init()` before using the library');
  return M;
}

/** Library version, e.g. "0.1.0". */
export function version() {
  return cstr(mod()._rw_version());
}

/** The kernels in use: "wasm128" (SIMD) or "serial". */
export function isa() {
  return cstr(mod()._rw_isa());
}

/** An error from the C library: `code` is its ruv_result status. */
export class RuvectorError extends Error {
  constructor(code, what) {
    super(`ruvector: ${what}: ${cstr(mod()._rw_result_string(code))} (${code})`);
    this.name = 'RuvectorError';
    this.code = code;
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function cstr(p) {
  const h = M.HEAPU8;
  let e = p;
  while (h[e]) e++;
  return dec.decode(h.subarray(p, e));
}

function check(r, what) {
  if (r !== 0) throw new RuvectorError(r, what);
}

// Scratch memory in the module, grown on demand (one per module: calls are synchronous).
let scratch = 0;
let scratchLen = 0;
function alloc(bytes) {
  if (bytes > scratchLen) {
    if (scratch) M._free(scratch);
    scratchLen = Math.max(bytes, 2 * scratchLen, 4096);
    scratch = M._malloc(scratchLen);
    if (!scratch) {
      scratchLen = 0;
      throw new RuvectorError(-2, 'scratch');
    }
  }
  return scratch;
}

function keyParts(key) {
  const k = BigInt(key);
  if (k < 0n || k > 0xFFFFFFFFFFFFFFFFn) throw new RangeError('ruvector: key must be a u64');
  return [Number(k & 0xFFFFFFFFn), Number(k >> 32n)];
}

const METRICS = { l2sq: 0, ip: 1, cosine: 2, l1: 3 };
const KINDS = { flat: 0, hnsw: 1 };
const QUANTS = { none: 0, f16: 1, bf16: 2, sq8: 3, bin: 4, pq: 5 };

/**
 * The C API: an index of u64 keys to `dim`-float vectors, each with an optional string id and
 * metadata bytes. Keys are returned as BigInt. Call `free()` when done (the memory is in the
 * WebAssembly heap, which JavaScript's garbage collector does not see).
 */
export class Index {
  /**
   * @param {number} dim
   * @param {{metric?: 'l2sq'|'ip'|'cosine'|'l1', kind?: 'flat'|'hnsw', M?: number,
   *   efConstruction?: number, efSearch?: number, quant?: 'none'|'f16'|'bf16'|'sq8'|'bin'|'pq',
   *   rerank?: number, dropF32?: boolean, seed?: number, capacity?: number}} [opts]
   *   capacity: slots allocated up front (the index doubles them when full; default 1024)
   */
  constructor(dim, opts = {}) {
    const m = mod();
    const metric = METRICS[opts.metric ?? 'l2sq'];
    const kind = KINDS[opts.kind ?? 'flat'];
    const quant = QUANTS[opts.quant ?? 'none'];
    if (metric === undefined || kind === undefined || quant === undefined) {
      throw new RangeError('ruvector: unknown metric, kind or quant');
    }
    const st = alloc(4);
    this._p = m._rw_create(dim >>> 0, metric, kind, opts.M ?? 0, opts.efConstruction ?? 0,
      opts.efSearch ?? 0, quant, opts.rerank ?? 0, opts.dropF32 ? 1 : 0, opts.seed ?? 0,
      opts.capacity ?? 0, st);
    if (!this._p) throw new RuvectorError(m.HEAP32[st >> 2], 'create');
    this.dim = dim >>> 0;
  }

  static _wrap(p) {
    const x = Object.create(Index.prototype);
    x._p = p;
    x.dim = mod()._rw_dim(p);
    return x;
  }

  _live() {
    if (!this._p) throw new Error('ruvector: index already freed');
    return this._p;
  }

  _vec(v, at) {
    if (!(v instanceof Float32Array)) v = Float32Array.from(v);
    if (v.length !== this.dim) throw new RuvectorError(-17, `vector of ${v.length} floats`);
    M.HEAPF32.set(v, at >> 2);
  }

  /** Releases the index. Further calls throw. */
  free() {
    if (this._p) M._rw_free(this._p);
    this._p = 0;
  }

  get count() { return M._rw_count(this._live()); }
  get memoryUsage() { return M._rw_memory(this._live()); }

  /** Trains an SQ8 / BIN / PQ quantizer on n vectors (concatenated floats). */
  train(vectors) {
    const n = vectors.length / this.dim;
    const at = alloc(vectors.length * 4);
    M.HEAPF32.set(vectors, at >> 2);
    check(M._rw_train(this._live(), n, at), 'train');
  }

  /**
   * Inserts (mode 'insert'), replaces ('update') or either ('upsert') the entry of key. vector
   * (dim floats), id (string) and meta (Uint8Array) may be undefined: kept as they are (a new
   * key needs a vector); an empty id or meta clears it.
   */
  put(key, vector, id, meta, mode = 'insert') {
    const p = this._live();
    const [lo, hi] = keyParts(key);
    const idb = id === undefined || id === null ? null : enc.encode(String(id));
    const mb = meta === undefined || meta === null ? null : meta;
    const vb = vector ? this.dim * 4 : 0;
    const at = alloc(vb + (idb ? idb.length : 0) + (mb ? mb.length : 0) + 8);
    if (vector) this._vec(vector, at);
    const ida = at + vb;
    if (idb) M.HEAPU8.set(idb, ida);
    const ma = ida + (idb ? idb.length : 0);
    if (mb) M.HEAPU8.set(mb, ma);
    const md = { insert: 0, update: 1, upsert: 2 }[mode];
    if (md === undefined) throw new RangeError('ruvector: mode is insert, update or upsert');
    check(M._rw_put(p, lo, hi, vector ? at : 0, idb ? ida : 0, idb ? idb.length : 0, idb ? 1 : 0,
      mb ? ma : 0, mb ? mb.length : 0, mb ? 1 : 0, md), mode);
  }

  /** Adds one vector under key (no id or metadata). */
  add(key, vector) { this.put(key, vector); }

  /** Adds n vectors: keys (BigUint64Array or numbers) and their concatenated floats. */
  addBatch(keys, vectors) {
    const n = keys.length;
    if (vectors.length !== n * this.dim) throw new RuvectorError(-17, 'addBatch');
    const at = alloc(n * 8 + vectors.length * 4);
    const k64 = new BigUint64Array(M.HEAPU8.buffer, at, n);
    for (let i = 0; i < n; i++) k64[i] = BigInt(keys[i]);
    M.HEAPF32.set(vectors, (at + n * 8) >> 2);
    check(M._rw_add_batch(this._live(), n, at, at + n * 8), 'addBatch');
  }

  /** Deletes key; false if it was not there. */
  remove(key) {
    const [lo, hi] = keyParts(key);
    const r = M._rw_remove(this._live(), lo, hi);
    if (r === -7) return false;
    check(r, 'remove');
    return true;
  }

  has(key) {
    const [lo, hi] = keyParts(key);
    return M._rw_contains(this._live(), lo, hi) !== 0;
  }

  /**
   * Up to k nearest: { keys: BigUint64Array, distances: Float32Array }, closest first.
   * opts.efSearch, opts.rerank; opts.allow = a Uint8Array bitset over keys (bit key % 8 of
   * byte key / 8) restricting the hits.
   */
  search(query, k, opts = {}) {
    const p = this._live();
    const allow = opts.allow || null;
    const at = alloc(this.dim * 4 + (allow ? allow.length : 0) + k * 12 + 16);
    this._vec(query, at);
    let o = at + this.dim * 4;
    if (allow) M.HEAPU8.set(allow, o);
    const aa = allow ? o : 0;
    o += allow ? allow.length : 0;
    o = (o + 7) & ~7;
    const ka = o, da = ka + k * 8, na = da + k * 4;
    check(M._rw_search(p, at, k, opts.efSearch ?? 0, opts.rerank ?? 0, aa,
      allow ? allow.length * 8 : 0, ka, da, na), 'search');
    const n = M.HEAPU32[na >> 2];
    return {
      keys: new BigUint64Array(M.HEAPU8.buffer.slice(ka, ka + n * 8)),
      distances: new Float32Array(M.HEAPU8.buffer.slice(da, da + n * 4)),
    };
  }

  /** The stored vector of key (Float32Array), or undefined. */
  getVector(key) {
    const [lo, hi] = keyParts(key);
    const at = alloc(this.dim * 4);
    const r = M._rw_get_vector(this._live(), lo, hi, at);
    if (r === -7) return undefined;
    check(r, 'getVector');
    return new Float32Array(M.HEAPU8.buffer.slice(at, at + this.dim * 4));
  }

  _blob(fn, key) {
    const [lo, hi] = keyParts(key);
    const at = alloc(8);
    const r = fn(this._live(), lo, hi, at, at + 4);
    if (r === -7) return undefined;
    check(r, 'get');
    const ptr = M.HEAPU32[at >> 2], len = M.HEAPU32[(at + 4) >> 2];
    return ptr ? M.HEAPU8.slice(ptr, ptr + len) : null;
  }

  /** The string id of key: a string, null if it has none, undefined if key is absent. */
  getId(key) {
    const b = this._blob(M._rw_get_id, key);
    return b ? dec.decode(b) : b;
  }

  /** The metadata bytes of key (Uint8Array), null if none, undefined if key is absent. */
  getMeta(key) { return this._blob(M._rw_get_meta, key); }

  /** The key that has string id, or undefined. */
  findId(id) {
    const b = enc.encode(String(id));
    const at = alloc(b.length + 16);
    const ka = (at + b.length + 7) & ~7;
    M.HEAPU8.set(b, at);
    const r = M._rw_find_id(this._live(), at, b.length, ka);
    if (r === -7 || (r === -1 && b.length === 0)) return undefined;
    check(r, 'findId');
    return new BigUint64Array(M.HEAPU8.buffer, ka, 1)[0];
  }

  /** Live keys, in slot order. */
  *keys() {
    const p = this._live();
    let cursor = 0;
    for (;;) {
      const at = alloc(16);
      M.HEAPU32[at >> 2] = cursor;
      if (!M._rw_next(p, at, at + 8)) return;
      cursor = M.HEAPU32[at >> 2];
      yield new BigUint64Array(M.HEAPU8.buffer, at + 8, 1)[0];
    }
  }

  /** The index in the ruvector file format (Uint8Array, a copy). */
  save() {
    const at = alloc(8);
    const b = M._rw_save(this._live(), at, at + 4);
    if (!b) throw new RuvectorError(M.HEAP32[(at + 4) >> 2], 'save');
    const len = M.HEAPU32[at >> 2];
    const out = M.HEAPU8.slice(b, b + len);
    M._free(b);
    return out;
  }

  /** An index loaded from bytes written by save() or the C library. */
  static load(bytes, expectDim = 0) {
    const m = mod();
    const b = m._malloc(Math.max(bytes.length, 1));
    if (!b) throw new RuvectorError(-2, 'load');
    m.HEAPU8.set(bytes, b);
    const at = alloc(4);
    const p = m._rw_load(b, bytes.length, expectDim, at);
    const st = m.HEAP32[at >> 2];
    m._free(b);
    if (!p) throw new RuvectorError(st, 'load');
    return Index._wrap(p);
  }

  /** The resolved configuration. */
  config() {
    const at = alloc(24);
    M._rw_config(this._live(), at);
    const u = M.HEAPU32.subarray(at >> 2, (at >> 2) + 6);
    const name = (o, v) => Object.keys(o).find((x) => o[x] === v);
    return { metric: name(METRICS, u[0]), kind: name(KINDS, u[1]), M: u[2],
      efConstruction: u[3], efSearch: u[4], quant: name(QUANTS, u[5]) };
  }
}

// ---- VectorDB: the @ruvector/wasm 0.1.x API ------------------------------------------------

const DB_METRICS = { euclidean: 'l2sq', cosine: 'cosine', dotproduct: 'ip', manhattan: 'l1' };

function newId() {
  if (globalThis.crypto && globalThis.crypto.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * A vector database with string ids and JSON metadata, compatible with @ruvector/wasm 0.1.x.
 * Scores are distances (lower is closer), per metric: "euclidean" the Euclidean distance,
 * "cosine" 1 - cosine similarity, "dotproduct" 1 - a.b, "manhattan" the sum of absolute
 * differences.
 */
export class VectorDB {
  /**
   * @param {number} dimensions
   * @param {'euclidean'|'cosine'|'dotproduct'|'manhattan'} [metric] default 'cosine'
   * @param {boolean} [useHnsw] default true
   * @param {{M?: number, efConstruction?: number, efSearch?: number, quant?: string,
   *   seed?: number}} [options] HNSW parameters and storage (see Index)
   */
  constructor(dimensions, metric, useHnsw, options = {}) {
    const m = metric ?? 'cosine';
    if (!(m in DB_METRICS)) throw new RangeError(`ruvector: unknown metric "${m}"`);
    this._metric = m;
    this._ix = options._index || new Index(dimensions, { ...options, metric: DB_METRICS[m],
      kind: useHnsw === false ? 'flat' : 'hnsw' });
    this._next = 1n; // next key
    for (const k of this._ix.keys()) if (k >= this._next) this._next = k + 1n;
    this._meta = new Map(); // key -> parsed metadata (cache for filters and results)
  }

  get dimensions() { return this._ix.dim; }
  len() { return this._ix.count; }
  isEmpty() { return this._ix.count === 0; }

  /** Inserts vector (Float32Array) under id (generated when absent); returns the id. An
      existing id gets the new vector and metadata. */
  insert(vector, id, metadata) {
    const sid = id === undefined || id === null ? newId() : String(id);
    if (sid.length === 0) throw new RangeError('ruvector: empty id');
    const meta = metadata === undefined || metadata === null ? null
      : enc.encode(JSON.stringify(metadata));
    const old = this._ix.findId(sid);
    if (old !== undefined) {
      this._ix.put(old, vector, sid, meta || new Uint8Array(0), 'update');
      this._meta.delete(old);
      return sid;
    }
    const key = this._next;
    this._ix.put(key, vector, sid, meta, 'insert');
    this._next = key + 1n;
    return sid;
  }

  /** Inserts entries [{vector, id?, metadata?}, ...]; returns their ids. */
  insertBatch(entries) {
    return entries.map((e) => this.insert(e.vector, e.id, e.metadata));
  }

  _metaOf(key) {
    if (this._meta.has(key)) return this._meta.get(key);
    const b = this._ix.getMeta(key);
    const v = b ? JSON.parse(dec.decode(b)) : undefined;
    this._meta.set(key, v);
    return v;
  }

  /**
   * The k nearest: [{id, score, metadata?}], closest first. filter: an object whose every
   * field must equal the entry's metadata field (entries without metadata never match).
   * options.efSearch per query; options.includeVectors adds `vector`.
   */
  search(query, k, filter, options = {}) {
    let allow;
    if (filter && Object.keys(filter).length) {
      const want = Object.entries(filter).map(([f, v]) => [f, JSON.stringify(v)]);
      const keys = [...this._ix.keys()];
      let max = 0n;
      for (const key of keys) if (key > max) max = key;
      allow = new Uint8Array(Number(max / 8n) + 1);
      for (const key of keys) {
        const md = this._metaOf(key);
        if (md && want.every(([f, v]) => JSON.stringify(md[f]) === v)) {
          allow[Number(key / 8n)] |= 1 << Number(key % 8n);
        }
      }
    }
    const r = this._ix.search(query, k, { efSearch: options.efSearch, allow });
    const out = [];
    for (let i = 0; i < r.keys.length; i++) {
      const key = r.keys[i];
      let score = r.distances[i];
      if (this._metric === 'euclidean') score = Math.sqrt(Math.max(score, 0));
      const hit = { id: this._ix.getId(key), score };
      const md = this._metaOf(key);
      if (md !== undefined) hit.metadata = md;
      if (options.includeVectors) hit.vector = this._ix.getVector(key);
      out.push(hit);
    }
    return out;
  }

  /** Deletes id; false if absent. */
  delete(id) {
    const key = this._ix.findId(String(id));
    if (key === undefined) return false;
    this._meta.delete(key);
    return this._ix.remove(key);
  }

  /** {id, vector, metadata} or undefined. */
  get(id) {
    const key = this._ix.findId(String(id));
    if (key === undefined) return undefined;
    const md = this._metaOf(key);
    return { id: String(id), vector: this._ix.getVector(key), metadata: md ?? null };
  }

  /** The database in the ruvector file format (Uint8Array). */
  save() {
    const cfgb = enc.encode(JSON.stringify({ metric: this._metric }));
    const idx = this._ix.save();
    const out = new Uint8Array(8 + cfgb.length + idx.length);
    out.set(enc.encode('RVDB'), 0);
    new DataView(out.buffer).setUint32(4, cfgb.length, true);
    out.set(cfgb, 8);
    out.set(idx, 8 + cfgb.length);
    return out;
  }

  /** A database from save()'s bytes. */
  static load(bytes) {
    const u = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    if (u.length < 8 || dec.decode(u.subarray(0, 4)) !== 'RVDB') {
      throw new RuvectorError(-11, 'VectorDB.load');
    }
    const n = new DataView(u.buffer, u.byteOffset).getUint32(4, true);
    if (8 + n > u.length) throw new RuvectorError(-14, 'VectorDB.load');
    let cfg;
    try {
      cfg = JSON.parse(dec.decode(u.subarray(8, 8 + n)));
    } catch (e) {
      throw new RuvectorError(-16, 'VectorDB.load');
    }
    if (!(cfg.metric in DB_METRICS)) throw new RuvectorError(-16, 'VectorDB.load');
    const ix = Index.load(u.subarray(8 + n));
    return new VectorDB(ix.dim, cfg.metric, ix.config().kind === 'hnsw', { _index: ix });
  }

  /** Saves to IndexedDB (browsers): database `name`, one record. */
  async saveToIndexedDB(name = 'ruvector') {
    const db = await idbOpen(name);
    await idbDo(db, 'readwrite', (s) => s.put(this.save(), 'db'));
    db.close();
  }

  /** Loads what saveToIndexedDB(name) stored. */
  static async loadFromIndexedDB(name = 'ruvector') {
    const db = await idbOpen(name);
    const bytes = await idbDo(db, 'readonly', (s) => s.get('db'));
    db.close();
    if (!bytes) throw new Error(`ruvector: nothing saved in IndexedDB "${name}"`);
    return VectorDB.load(bytes);
  }

  /** Releases the WebAssembly memory of the database. */
  free() { this._ix.free(); }
}

function idbOpen(name) {
  return new Promise((resolve, reject) => {
    const rq = indexedDB.open(name, 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore('ruvector');
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => reject(rq.error);
  });
}

function idbDo(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('ruvector', mode);
    const rq = fn(tx.objectStore('ruvector'));
    tx.oncomplete = () => resolve(rq.result);
    tx.onerror = () => reject(tx.error);
  });
}
