// The hostile-argument test, shared by Node (test/hostile.test.mjs) and Chromium (browser/checks.html
// and the no-bundler app of ci.sh): every public function and method gets Infinity, NaN, -1, 2**31,
// 2**53, 2.5, strings, null, objects, huge arrays... Each call must either return or throw a TypeError,
// RangeError or RuvectorError (never a WebAssembly trap or anything else), the invalid ones must
// throw, and afterwards the databases made before the barrage and a new one must still give the
// exact answers (compared with a brute force in double precision) and the memory must be bounded.
// SparseIndex (with string ids and metadata) and fuse get the same treatment: after the barrage
// the sparse index saves to the bytes it saved before, its ids and metadata are unchanged, and its
// searches (and a new index's) equal a brute force.
import { randomVectors, compareHits } from './exact.js';

const BAD_NUMBERS = [Infinity, -Infinity, NaN, -1, -0.5, 2.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64,
  Number.MAX_VALUE, -(2 ** 31)];
const BAD_TYPES = ['128', '', 'x'.repeat(5000), true, 10n, {}, [], [1, 2], { valueOf: () => 3 },
  () => 1, Symbol('s'), new Date(0)];
const ALL = [...BAD_NUMBERS, ...BAD_TYPES, null, undefined, 0, 1, 3];

export async function runHostile(rv, log = () => {}) {
  const failures = [];
  let checks = 0;
  const okError = (e) => e instanceof TypeError || e instanceof RangeError || e instanceof rv.RuvectorError;
  const showValue = (v) => {
    try {
      if (typeof v === 'symbol') return 'Symbol';
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'function') return 'function';
      if (typeof v === 'string') return v.length > 20 ? `'${v.slice(0, 8)}...'(${v.length})` : `'${v}'`;
      if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
      if (Array.isArray(v)) return v.length > 8 ? `Array(${v.length})` : JSON.stringify(v);
      if (v && typeof v === 'object') return JSON.stringify(v) || 'object';
      return String(v);
    } catch { return '?'; }
  };
  const show = showValue;
  /** fn must return or throw a checked error; mustThrow: it must throw one. */
  function call(what, fn, mustThrow) {
    checks++;
    try {
      const r = fn();
      if (mustThrow) failures.push(`${what}: returned ${show(r)} instead of throwing`);
      return r;
    } catch (e) {
      if (!okError(e)) failures.push(`${what}: threw ${e && e.name}: ${e && e.message}`);
      return undefined;
    }
  }
  async function callAsync(what, fn, mustThrow) {
    checks++;
    try {
      const r = await fn();
      if (mustThrow) failures.push(`${what}: resolved ${show(r)} instead of rejecting`);
      return r;
    } catch (e) {
      if (!okError(e)) failures.push(`${what}: rejected with ${e && e.name}: ${e && e.message}`);
      return undefined;
    }
  }
  const isValidCount = (v, min, max) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

  // -- databases made before the barrage: their contents are checked at the end
  const dim = 16, n = 400;
  const data = randomVectors(n, dim, 11);
  const row = (i) => data.subarray(i * dim, (i + 1) * dim);
  const dbs = {
    flat: new rv.VectorDB(dim, 'euclidean', false),
    hnsw: new rv.VectorDB(dim, 'cosine', true),
    dot: new rv.VectorDB(dim, 'dotproduct', false),
  };
  for (const db of Object.values(dbs)) {
    for (let i = 0; i < n; i++) db.insert(row(i), `r${i}`, { i, even: i % 2 === 0 });
  }
  const ix = new rv.Index(dim, { metric: 'l2sq', kind: 'hnsw', seed: 3 });
  ix.addBatch(Array.from({ length: n }, (_, i) => i), data);
  const db = dbs.hnsw;
  const q = row(5);
  // a sparse index (ip) of n entries under keys 1000 + i, ids `s${i}` on two thirds, metadata
  // bytes on three quarters; `sparse` records what was put
  let ss = 7;
  const rnd = () => { ss ^= ss << 13; ss >>>= 0; ss ^= ss >>> 17; ss ^= ss << 5; ss >>>= 0; return ss / 4294967296; };
  const sparseVec = (nnz) => {
    const set = new Set();
    while (set.size < nnz) set.add(Math.floor(500 * rnd() ** 2));
    const indices = Uint32Array.from([...set].sort((a, b) => a - b));
    return { indices, values: Float32Array.from(indices, () => 0.1 + 3 * rnd()) };
  };
  const sx = new rv.SparseIndex({ metric: 'ip' });
  const sparse = [];
  for (let i = 0; i < n; i++) {
    const e = { key: BigInt(1000 + i), v: sparseVec(1 + (i % 20)), id: i % 3 ? `s${i}` : null,
      meta: i % 4 ? Uint8Array.from({ length: 1 + (i % 11) }, (_, j) => (i + j * 7) & 255) : null };
    sx.put(e.key, e.v, e.id, e.meta);
    sparse.push(e);
  }
  const sq = sparseVec(6);
  const sparseBefore = sx.save();
  const memBefore = rv.memoryStats().wasmBytes;

  // -- constructors
  for (const v of ALL) {
    call(`new VectorDB(${show(v)})`, () => { const d = new rv.VectorDB(v); if (d.free) d.free(); },
      !isValidCount(v, 1, 65536) && !(v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)));
    call(`new VectorDB(4, ${show(v)})`, () => new rv.VectorDB(4, v).free(),
      !(v === null || v === undefined));
    call(`new VectorDB(4, 'cosine', ${show(v)})`, () => new rv.VectorDB(4, 'cosine', v).free(),
      !(v === null || v === undefined || typeof v === 'boolean'));
    for (const opt of ['M', 'efConstruction', 'efSearch', 'capacity', 'rerank', 'seed', 'quant', 'dropF32', 'rerankDtype']) {
      call(`new VectorDB(4, 'cosine', true, {${opt}: ${show(v)}})`,
        () => new rv.VectorDB(4, 'cosine', true, { [opt]: v }).free());
    }
    call(`new VectorDB(4, 'cosine', true, ${show(v)})`, () => new rv.VectorDB(4, 'cosine', true, v).free());
    call(`new Index(${show(v)})`, () => new rv.Index(v).free(), !isValidCount(v, 1, 65536));
    call(`new Index(4, ${show(v)})`, () => new rv.Index(4, v).free());
    call(`new Index(4, {quant: 'sq8', rerankDtype: ${show(v)}})`,
      () => new rv.Index(4, { quant: 'sq8', rerankDtype: v }).free(), v !== undefined && v !== null);
    call(`new JsVectorEntry(${show(v)})`, () => new rv.JsVectorEntry(v), !(Array.isArray(v)));
  }
  for (const cap of [2 ** 28, 2 ** 27, 1e8]) { // valid numbers, impossible sizes: out of memory
    call(`new VectorDB(4096, 'cosine', false, {capacity: ${cap}})`,
      () => new rv.VectorDB(4096, 'cosine', false, { capacity: cap }).free(), true);
  }

  // -- insert
  const huge = new Float32Array(1 << 22);
  const vecs = [...ALL, huge, new Array(1e6), new Float32Array(dim).fill(NaN),
    new Float32Array(dim).fill(Infinity), Array(dim).fill('1'), Array(dim).fill(1e39),
    new Float64Array(dim).fill(1e300), new BigInt64Array(dim), new Float32Array(dim - 1),
    new Float32Array(dim + 1), new Uint8Array(dim * 4), { length: dim }];
  for (const v of vecs) {
    call(`insert(vector ${show(v)})`, () => db.insert(v, 'hostile'), !(v instanceof Uint8Array && v.length === dim));
    call(`search(${show(v)}, 3)`, () => db.search(v, 3), true);
    call(`Index.add(1e6, ${show(v)})`, () => ix.add(1e6, v), !(v instanceof Uint8Array && v.length === dim));
    call(`Index.search(${show(v)}, 3)`, () => ix.search(v, 3), true);
    call(`Index.train(${show(v)})`, () => ix.train(v), true); // not a quantized index: state error
  }
  db.delete('hostile');
  ix.remove(1e6);
  for (const v of [...ALL, 'x'.repeat(1025), '\u00e9'.repeat(600), '']) {
    const validId = typeof v === 'string' && v !== '' && new TextEncoder().encode(v).length <= 1024;
    call(`insert(q, id ${show(v)})`, () => { const id = db.insert(q, v); db.delete(id); },
      !(v === null || v === undefined || validId));
    call(`get(${show(v)})`, () => db.get(v), typeof v !== 'string' || v === '' || v.length > 1024 || v.length === 600);
    call(`delete(${show(v)})`, () => db.delete(v), typeof v !== 'string' || v === '' || v.length > 1024 || v.length === 600);
    call(`Index.getKey(${show(v)})`, () => ix.getKey(v), typeof v !== 'string' || v === '' || v.length > 1024 || v.length === 600);
  }
  const cyc = {};
  cyc.self = cyc;
  for (const m of [cyc, 10n, () => 1, Symbol('m'), { big: 'x'.repeat(17 * 1024 * 1024) }]) {
    call(`insert(q, 'm', metadata ${show(m)})`, () => db.insert(q, 'm', m), typeof m !== 'function' && typeof m !== 'symbol' ? true : true);
  }
  db.delete('m');

  // -- search arguments
  for (const k of ALL) {
    call(`search(q, k ${show(k)})`, () => db.search(q, k),
      !(k === undefined || k === null || isValidCount(k, 0, 2 ** 32 - 1)));
    call(`Index.search(q, k ${show(k)})`, () => ix.search(q, k), !isValidCount(k, 0, 2 ** 32 - 1));
    call(`search(q, 3, filter ${show(k)})`, () => db.search(q, 3, k),
      !(k === undefined || k === null || (k && typeof k === 'object' && !Array.isArray(k))));
    call(`search(q, 3, null, {efSearch: ${show(k)}})`, () => db.search(q, 3, null, { efSearch: k }),
      !(k === undefined || k === null || isValidCount(k, 0, 65536)));
    call(`Index.search(q, 3, {rerank: ${show(k)}})`, () => ix.search(q, 3, { rerank: k }),
      !(k === undefined || k === null || isValidCount(k, 0, 1024)));
    call(`Index.search(q, 3, {allow: ${show(k)}})`, () => ix.search(q, 3, { allow: k }),
      !(k === undefined || k === null));
    call(`search(q, 3, null, ${show(k)})`, () => db.search(q, 3, null, k));
    call(`search(q, 3, {i: {$gt: ${show(k)}}})`, () => db.search(q, 3, { i: { $gt: k } }),
      !(typeof k === 'number' && Number.isFinite(k)));
    call(`search(q, 3, {i: {$in: ${show(k)}}})`, () => db.search(q, 3, { i: { $in: k } }), !Array.isArray(k));
  }
  call('search(q, 3, {i: {$regex: "x"}})', () => db.search(q, 3, { i: { $regex: 'x' } }), true);
  for (const k of [2 ** 31, 2 ** 32 - 1]) { // valid: every entry
    const r = call(`search(q, ${k})`, () => db.search(q, k, null, { includeVectors: false }));
    checks++;
    if (!r || r.length !== n || r.some((h) => typeof h.id !== 'string')) failures.push(`search(q, ${k}): ${r && r.length} hits`);
  }

  // -- keys of the C API
  for (const key of [...ALL, -1n, 2n ** 64n, 2n ** 64n - 1n, 2 ** 53 - 1]) {
    call(`Index.getVector(${show(key)})`, () => ix.getVector(key),
      !((typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) ||
        (typeof key === 'bigint' && key >= 0n && key < 2n ** 64n)));
    call(`Index.has(${show(key)})`, () => ix.has(key));
    call(`Index.remove(${show(key)})`, () => (typeof key === 'number' && key < n ? false : ix.remove(key)));
    call(`Index.getId(${show(key)})`, () => ix.getId(key));
    call(`Index.getMeta(${show(key)})`, () => ix.getMeta(key));
    call(`Index.put(${show(key)}, null, 'x')`, () => ix.put(key, null, 'x', null, 'update'));
  }
  for (const v of ALL) {
    call(`Index.put(1, q, ${show(v)})`, () => ix.put(1, q, v, null, 'upsert'));
    call(`Index.put(1, q, null, ${show(v)})`, () => ix.put(1, q, null, v, 'upsert'));
    call(`Index.put(1, q, null, null, ${show(v)})`, () => ix.put(1, q, null, null, v));
    call(`Index.addBatch(${show(v)}, data)`, () => ix.addBatch(v, data), true);
    call(`Index.addBatch([1e7], ${show(v)})`, () => ix.addBatch([1e7], v), true);
    call(`insertBatch(${show(v)})`, () => db.insertBatch(v), !(Array.isArray(v) && v.length === 0));
    call(`insertBatch([${show(v)}])`, () => db.insertBatch([v]), true);
    call(`insertBatch([{vector: ${show(v)}}])`, () => db.insertBatch([{ vector: v }]), true);
    call(`VectorDB.load(${show(v)})`, () => rv.VectorDB.load(v).free(), true);
    call(`Index.load(${show(v)})`, () => rv.Index.load(v).free(), true);
    call(`arrayToFloat32Array(${show(v)})`, () => rv.arrayToFloat32Array(v), !(Array.isArray(v)));
    call(`benchmark('b', ${show(v)}, 4)`, () => rv.benchmark('b', v, 4), !isValidCount(v, 1, 1e7));
    call(`benchmark('b', 2, ${show(v)})`, () => rv.benchmark('b', 2, v), !isValidCount(v, 1, 65536));
  }
  call('Index.addBatch(2 keys, 1 vector)', () => ix.addBatch([1e7, 1e7 + 1], q), true);
  call('Index.addBatch(huge keys)', () => ix.addBatch(new Array(1e6).fill(1e7), q), true);
  // corrupt files: random bytes, a truncated save, a header claiming a huge section
  const saved = dbs.flat.save();
  for (const [what, b] of [['random', randomVectors(64, 1, 5).map((x) => x * 1e6)],
    ['truncated', saved.subarray(0, saved.length >> 1)],
    ['huge header', (() => { const c = saved.slice(); new DataView(c.buffer).setUint32(4, 0xfffffff0, true); return c; })()],
    ['bit flips', (() => { const c = saved.slice(); for (let i = 40; i < c.length; i += 97) c[i] ^= 0x5a; return c; })()]]) {
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
    call(`VectorDB.load(${what})`, () => rv.VectorDB.load(bytes).free(), true);
    call(`Index.load(${what})`, () => rv.Index.load(bytes).free(), true);
  }

  // -- SparseIndex and fuse
  const isKey = (k) => (typeof k === 'number' && Number.isSafeInteger(k) && k >= 0) ||
    (typeof k === 'bigint' && k >= 0n && k < 2n ** 64n);
  const isNull = (v) => v === null || v === undefined;
  const sv = { indices: [1, 4], values: [0.5, 2] };
  const spareKey = 5e5; // not a key of sx
  for (const v of ALL) {
    call(`new SparseIndex(${show(v)})`, () => new rv.SparseIndex(v).free(),
      !(isNull(v) || (v && typeof v === 'object' && !Array.isArray(v))));
    call(`new SparseIndex({metric: ${show(v)}})`, () => new rv.SparseIndex({ metric: v }).free(), !isNull(v));
    call(`new SparseIndex({maxNnz: ${show(v)}})`, () => new rv.SparseIndex({ maxNnz: v }).free(),
      !(isNull(v) || isValidCount(v, 0, 2 ** 24)));
  }
  const svecs = [...ALL, { indices: [1, 2], values: [1, NaN] }, { indices: [1], values: [Infinity] },
    { indices: [-1], values: [1] }, { indices: [2.5], values: [1] }, { indices: [2 ** 32 - 1], values: [1] },
    { indices: [2, 1], values: [1, 1] }, { indices: [1, 1], values: [1, 1] }, { indices: [1], values: [0] },
    { indices: [1], values: [1e-50] }, { indices: [1, 2], values: [1] }, { indices: ['1'], values: [1] },
    { indices: [1], values: ['1'] }, { indices: [1n], values: [1] }, { indices: [1] }, { values: [1] },
    'nnz 2^24 + 1', 'nnz 70000 (maxNnz 65536)', huge];
  const bigSparse = {
    'nnz 2^24 + 1': { indices: new Uint32Array(2 ** 24 + 1), values: new Float32Array(2 ** 24 + 1) },
    'nnz 70000 (maxNnz 65536)': { indices: new Uint32Array(70000).map((_, i) => i), values: new Float32Array(70000).fill(1) },
  };
  for (const v0 of svecs) {
    // (the large vectors by name: show() would stringify them)
    const big = typeof v0 === 'string' && Object.prototype.hasOwnProperty.call(bigSparse, v0);
    const v = big ? bigSparse[v0] : v0;
    const show = (x) => (big && x === v ? v0 : showValue(x));
    for (const k of [spareKey, 1000]) {
      call(`SparseIndex.add(${k}, ${show(v)})`, () => sx.add(k, v), true);
      call(`SparseIndex.upsert(${k}, ${show(v)})`, () => sx.upsert(k, v), true);
      call(`SparseIndex.update(${k}, ${show(v)})`, () => sx.update(k, v), true);
      call(`SparseIndex.put(${k}, ${show(v)}, 'h', meta, 'upsert')`, () => {
        sx.put(k, v, 'h', new Uint8Array([1]), 'upsert');
        sx.put(k, null, '', new Uint8Array(0), 'update'); // key 1000 has no id or metadata
      }, !(isNull(v) && k === 1000));
    }
    call(`SparseIndex.search(${show(v)}, 3)`, () => sx.search(v, 3), true);
    call(`SparseIndex.search({indices: ${show(v)}, values: [1]}, 3)`, () => sx.search({ indices: v, values: [1] }, 3), true);
  }
  for (const key of [...ALL, -1n, 2n ** 64n, 2n ** 64n - 1n, 2 ** 53 - 1]) {
    const bad = !isKey(key);
    call(`SparseIndex.get(${show(key)})`, () => sx.get(key), bad);
    call(`SparseIndex.has(${show(key)})`, () => sx.has(key), bad);
    call(`SparseIndex.remove(${show(key)})`, () => sx.remove(key), bad); // no key of sx is below 1000
    call(`SparseIndex.getId(${show(key)})`, () => sx.getId(key), bad);
    call(`SparseIndex.getMeta(${show(key)})`, () => sx.getMeta(key), bad);
    call(`SparseIndex.put(${show(key)}, null, 'x', null, 'update')`, () => sx.put(key, null, 'x', null, 'update'), true);
    call(`SparseIndex.put(${show(key)}, sv, 'x', meta, 'upsert')`, () => {
      sx.put(key, sv, 'x', new Uint8Array(2), 'upsert');
      sx.remove(key);
    }, bad);
  }
  for (const v of [...ALL, 'x'.repeat(1025), '\u00e9'.repeat(600), '\u00e9'.repeat(512), '', 's1', 's2']) {
    const validId = typeof v === 'string' && v !== '' && new TextEncoder().encode(v).length <= 1024;
    const taken = v === 's1' || v === 's2'; // ids of keys 1001 and 1002
    call(`SparseIndex.put(${spareKey}, sv, id ${show(v)})`, () => {
      sx.put(spareKey, sv, v, null, 'upsert');
      sx.remove(spareKey);
    }, taken || !(isNull(v) || validId || v === ''));
    call(`SparseIndex.put(1000, null, id ${show(v)}, null, 'update')`, () => {
      sx.put(1000, null, v, null, 'update');
      sx.put(1000, null, '', null, 'update'); // key 1000 has no id
    }, taken || !(isNull(v) || validId || v === ''));
    call(`SparseIndex.getKey(${show(v)})`, () => sx.getKey(v), !validId);
  }
  for (const v of [...ALL, 'bytes', new Uint16Array(2), new Int8Array(2), new ArrayBuffer(2), new Uint8Array(0x1000001)]) {
    call(`SparseIndex.put(1000, null, null, meta ${show(v)}, 'update')`, () => sx.put(1000, null, null, v, 'update'), !isNull(v));
    call(`SparseIndex.put(${spareKey}, sv, 'h', meta ${show(v)})`, () => {
      sx.put(spareKey, sv, 'h', v);
      sx.remove(spareKey);
    }, !isNull(v));
    call(`SparseIndex.put(1000, sv, null, null, mode ${show(v)})`, () => sx.put(1000, sv, null, null, v), true);
  }
  for (const k of ALL) {
    call(`SparseIndex.search(sq, k ${show(k)})`, () => sx.search(sq, k), !isValidCount(k, 0, 2 ** 32 - 1));
    call(`SparseIndex.search(sq, 3, {mode: ${show(k)}})`, () => sx.search(sq, 3, { mode: k }), !isNull(k));
    call(`SparseIndex.search(sq, 3, {window: ${show(k)}})`, () => sx.search(sq, 3, { window: k }), !(isNull(k) || k === 0));
    call(`SparseIndex.search(sq, 3, {allow: ${show(k)}})`, () => sx.search(sq, 3, { allow: k }), !isNull(k));
    call(`SparseIndex.search(sq, 3, ${show(k)})`, () => sx.search(sq, 3, k),
      !(isNull(k) || (k && typeof k === 'object' && !Array.isArray(k))));
    call(`SparseIndex.load(${show(k)})`, () => rv.SparseIndex.load(k).free(), true);
    call(`SparseIndex.stats(${show(k)})`, () => sx.stats(k));
  }
  for (const [what, b] of [['random', randomVectors(64, 1, 9).map((x) => x * 1e6)],
    ['truncated', sparseBefore.subarray(0, sparseBefore.length >> 1)],
    ['header only', sparseBefore.subarray(0, 64)],
    ['bit flips', (() => { const c = sparseBefore.slice(); for (let i = 70; i < c.length; i += 89) c[i] ^= 0x5a; return c; })()],
    ['a dense index', ix.save()]]) {
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
    call(`SparseIndex.load(${what})`, () => rv.SparseIndex.load(bytes).free(), true);
  }
  call('Index.load(a sparse index)', () => rv.Index.load(sparseBefore).free(), true);
  const l1 = sx.search(sq, 20), l2 = ix.search(q, 20);
  for (const v of ALL) {
    call(`fuse(${show(v)})`, () => rv.fuse(v), !(Array.isArray(v) && v.length === 0));
    call(`fuse([${show(v)}])`, () => rv.fuse([v]), !(Array.isArray(v) && v.length <= 2 && v.length === 0));
    call(`fuse([l1, l2], {k: ${show(v)}})`, () => rv.fuse([l1, l2], { k: v }), !(isNull(v) || isValidCount(v, 0, 2 ** 32 - 1)));
    call(`fuse([l1, l2], {method: ${show(v)}})`, () => rv.fuse([l1, l2], { method: v }), !isNull(v));
    call(`fuse([l1, l2], {rrfK: ${show(v)}})`, () => rv.fuse([l1, l2], { rrfK: v }),
      !(isNull(v) || (typeof v === 'number' && v >= 0 && v <= 1e300)));
    call(`fuse([l1, l2], {weights: ${show(v)}})`, () => rv.fuse([l1, l2], { weights: v }),
      !(isNull(v) || (Array.isArray(v) && v.length === 2 && v.every((w) => typeof w === 'number' && w >= 0 && w < 1e38))));
    call(`fuse([l1, l2], ${show(v)})`, () => rv.fuse([l1, l2], v),
      !(isNull(v) || (v && typeof v === 'object' && !Array.isArray(v))));
    call(`fuse([{keys: ${show(v)}, distances: [0]}])`, () => rv.fuse([{ keys: v, distances: [0] }]),
      !(Array.isArray(v) && v.length === 1 && isKey(v[0])));
    call(`fuse([{keys: [1], distances: ${show(v)}}])`, () => rv.fuse([{ keys: [1], distances: v }]), true);
    call(`fuse([[{key: ${show(v)}, distance: 0}]])`, () => rv.fuse([[{ key: v, distance: 0 }]]), !isKey(v));
    call(`fuse([[{key: 1, distance: ${show(v)}}]])`, () => rv.fuse([[{ key: 1, distance: v }]]),
      !(typeof v === 'number' && !Number.isNaN(v)));
  }
  call('fuse weighted of an infinite distance', () => rv.fuse([[{ key: 1, distance: Infinity }]], { method: 'weighted' }), true);
  call('fuse weights beyond float32', () => rv.fuse([l1, l2], { weights: [1, 1e39] }), true);
  call('fuse weights negative', () => rv.fuse([l1, l2], { weights: [1, -1] }), true);

  // -- the async API
  for (const v of ALL) {
    await callAsync(`new VectorDb(${show(v)}).len()`, async () => {
      const d = new rv.VectorDb(v);
      try { return await d.len(); } finally { d.free(); }
    }, true);
  }
  const adb = new rv.VectorDb({ dimensions: dim, metric: 'euclidean' });
  await adb.insert({ id: 'a', vector: q });
  for (const v of ALL) {
    await callAsync(`VectorDb.insert(${show(v)})`, () => adb.insert(v), true);
    await callAsync(`VectorDb.insert({vector: ${show(v)}})`, () => adb.insert({ vector: v }), true);
    await callAsync(`VectorDb.search(${show(v)})`, () => adb.search(v), true);
    await callAsync(`VectorDb.search({vector: q, k: ${show(v)}})`, () => adb.search({ vector: q, k: v }),
      !(v === undefined || v === null || isValidCount(v, 0, 2 ** 32 - 1)));
    await callAsync(`VectorDb.search({vector: q, threshold: ${show(v)}})`, () => adb.search({ vector: q, threshold: v }),
      !(v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v))));
    await callAsync(`VectorDb.get(${show(v)})`, () => adb.get(v),
      !(typeof v === 'string' && v !== '' && v.length <= 1024));
  }
  adb.free();

  // -- the databases of before still answer exactly, and a new one does too
  const exactCheck = (name, d, metric) => {
    for (let t = 0; t < 20; t++) {
      const qq = randomVectors(1, dim, 100 + t);
      const hits = d.search(qq, 10).map((h) => ({ row: +h.id.slice(1), score: h.score }));
      const c = compareHits(metric, data, dim, qq, hits, 10);
      checks++;
      const minRecall = name.includes('hnsw') ? 0.9 : 1;
      if (c.count !== 10 || c.recall < minRecall || c.maxScoreErr > 1e-4 || c.wrongOrder) {
        failures.push(`${name} after the barrage, query ${t}: ${JSON.stringify(c)}`);
      }
    }
    for (const i of [0, 7, n - 1]) {
      const g = d.get(`r${i}`);
      checks++;
      if (!g || g.metadata.i !== i || g.vector.some((x, j) => x !== data[i * dim + j])) failures.push(`${name}.get(r${i}) changed`);
    }
    checks++;
    if (d.len() !== n) failures.push(`${name}.len() = ${d.len()}, not ${n}`);
    const filtered = d.search(row(3), 5, { even: false });
    checks++;
    if (filtered.length !== 5 || filtered.some((h) => h.metadata.i % 2 !== 1)) failures.push(`${name} filtered search`);
  };
  exactCheck('flat', dbs.flat, 'euclidean');
  exactCheck('hnsw', dbs.hnsw, 'cosine');
  exactCheck('dot', dbs.dot, 'dotproduct');
  const fresh = new rv.VectorDB(dim, 'manhattan', false);
  for (let i = 0; i < n; i++) fresh.insert(row(i), `r${i}`, { i, even: i % 2 === 0 });
  exactCheck('new database', fresh, 'manhattan');
  const r = ix.search(q, 1);
  checks++;
  if (r.keys[0] !== 5n || r.distances[0] !== 0) failures.push(`Index after the barrage: ${r.keys[0]} ${r.distances[0]}`);

  // the sparse index: the same bytes, ids, metadata and vectors; searches equal a brute force
  // (ip: 1 - the dot summed in double in ascending dimension order, ties to the entry written
  // first), as do a new index's; fuse equals RRF computed here
  const same = (a, b) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
  const after = sx.save();
  checks++;
  if (!same(after, sparseBefore)) failures.push(`SparseIndex saves ${after.length} other bytes after the barrage`);
  for (const e of sparse) {
    checks++;
    const g = sx.get(e.key), m = sx.getMeta(e.key);
    if (!g || !same(g.indices, e.v.indices) || !same(g.values, e.v.values) || sx.getId(e.key) !== e.id ||
        (e.meta ? !same(m, e.meta) : m !== null) || (e.id !== null && sx.getKey(e.id) !== e.key)) {
      failures.push(`SparseIndex entry ${e.key} changed`);
    }
  }
  checks++;
  const st = sx.stats();
  if (sx.count !== n || st.live !== n || st.totalBytes !== sx.memoryUsage || sx.getKey('h') !== undefined ||
      sx.getKey('x') !== undefined || sx.has(spareKey)) failures.push(`SparseIndex after the barrage: ${JSON.stringify(st)}`);
  const sparseBrute = (entries, qv, k) => {
    const out = [];
    entries.forEach((e, slot) => {
      let s = 0, shared = false;
      for (let i = 0, j = 0; i < qv.indices.length && j < e.v.indices.length;) {
        if (qv.indices[i] < e.v.indices[j]) i++;
        else if (qv.indices[i] > e.v.indices[j]) j++;
        else { s += qv.values[i] * e.v.values[j]; shared = true; i++; j++; }
      }
      if (shared) out.push({ key: e.key, slot, s });
    });
    out.sort((a, b) => (b.s - a.s) || (a.slot - b.slot));
    return out.slice(0, k).map((h) => ({ key: h.key, d: Math.fround(1 - h.s) }));
  };
  const freshSparse = new rv.SparseIndex();
  for (const e of sparse) freshSparse.put(e.key, e.v, e.id, e.meta);
  for (let t = 0; t < 20; t++) {
    const qv = sparseVec(1 + (t % 9));
    const want = sparseBrute(sparse, qv, 10);
    for (const [name, s2] of [['SparseIndex', sx], ['new SparseIndex', freshSparse]]) {
      for (const mode of ['pruned', 'exhaustive', 'brute']) {
        const got = s2.search(qv, 10, { mode });
        checks++;
        if (got.keys.length !== want.length || want.some((h, i) => got.keys[i] !== h.key || got.distances[i] !== h.d)) {
          failures.push(`${name} search ${t} (${mode}) after the barrage differs from the brute force`);
        }
      }
    }
  }
  checks++;
  if (!same(freshSparse.save(), sparseBefore)) failures.push('a new SparseIndex of the same entries saves other bytes');
  const fa = sx.search(sq, 10), fb = freshSparse.search(sparseVec(3), 10);
  const rrf = new Map();
  for (const l of [fa, fb]) l.keys.forEach((key, i) => rrf.set(key, (rrf.get(key) || 0) + 1 / (60 + i + 1)));
  const wantFused = [...rrf].sort((a, b) => (b[1] - a[1]) || (a[0] < b[0] ? -1 : 1)).map(([key, sc]) => [key, Math.fround(sc)]);
  const gotFused = rv.fuse([fa, fb]);
  checks++;
  if (gotFused.length !== wantFused.length || wantFused.some(([key, sc], i) => gotFused[i].key !== key || gotFused[i].score !== sc)) {
    failures.push('fuse after the barrage differs from RRF computed in JavaScript');
  }
  for (const d of [...Object.values(dbs), fresh, ix, sx, freshSparse]) d.free();
  const memAfter = rv.memoryStats().wasmBytes;
  checks++;
  if (memAfter > memBefore + 64 * 1048576) failures.push(`memory grew from ${memBefore} to ${memAfter} bytes`);
  log(`hostile: ${checks} checks, ${failures.length} failures, memory ${memBefore} -> ${memAfter}`);
  return { checks, failures, memBefore, memAfter };
}
