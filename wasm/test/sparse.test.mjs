// SparseIndex (ruv_sparse_*) and fuse (ruv_fuse) against independent implementations in
// JavaScript: a brute force that sums each entry's products in double precision in ascending
// dimension order, ranks by score with ties to the entry written first, and rounds the distance
// to float32 (what the C header documents, so hits and distances must be bit-identical); the
// three search modes (and forced pruning windows) must agree; writes (remove, update, upsert,
// compact) keep it exact; save / load round trips give the same hits and the same bytes; string
// ids and metadata (put in every mode, keeping / setting / clearing each field, upserts, removes,
// compaction, save / load) equal a JavaScript model, and getKey inverts getId; RRF and weighted
// fusion match a JavaScript fusion. Then hostile arguments: every bad call throws a
// TypeError / RangeError before any C call, or a RuvectorError with the C status and the reason,
// and the same index and a new one still answer exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rv from '../node.mjs';

await rv.init();

// ---- data ----------------------------------------------------------------------------------------
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

const VOCAB = 3000;
/** A sparse vector of about nnz terms over a skewed vocabulary (frequent low ids, as BM25 or
    SPLADE data), values float32 in (0.05, 4), a tenth of them negative when `signed`. */
function randomSparse(r, nnz, signed) {
  const set = new Set();
  while (set.size < nnz) set.add(Math.floor(VOCAB * r() ** 3));
  const indices = Uint32Array.from([...set].sort((a, b) => a - b));
  const values = new Float32Array(indices.length);
  for (let i = 0; i < values.length; i++) values[i] = (0.05 + 3.95 * r()) * (signed && r() < 0.1 ? -1 : 1);
  return { indices, values };
}

// ---- the reference ------------------------------------------------------------------------------
const fround = Math.fround;

/** Sum of squares in double, in order. */
function norm2(v) {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

/** Merge-dot of query weights qw (doubles) over q's ids with x's values (scaled as the C
    library stores them for cosine): [dot, shared]. */
function mergeDot(qi, qw, xi, xv, scale) {
  let s = 0, shared = false, i = 0, j = 0;
  while (i < qi.length && j < xi.length) {
    if (qi[i] < xi[j]) i++;
    else if (qi[i] > xi[j]) j++;
    else {
      const v = scale !== 1 ? fround(xv[j] * scale) : xv[j];
      s += qw[i] * v;
      shared = true;
      i++;
      j++;
    }
  }
  return [s, shared];
}

/**
 * The k nearest of entries (an array of {key, indices, values} in write order) to q under metric,
 * among those `pass(key)` accepts: {keys: bigint[], distances: Float32Array}.
 */
function brute(metric, entries, q, k, pass = () => true) {
  const qn2 = norm2(q.values);
  const qs = metric === 'cosine' ? 1 / Math.sqrt(qn2) : 1;
  const qw = Array.from(q.values, (x) => x * qs);
  const l2 = metric === 'l2';
  const cand = [];
  if (q.indices.length === 0 && !l2) return { keys: [], distances: new Float32Array(0) };
  entries.forEach((e, slot) => {
    if (!pass(e.key)) return;
    const n2 = norm2(e.values);
    const [dot, shared] = mergeDot(q.indices, qw, e.indices, e.values, metric === 'cosine' ? 1 / Math.sqrt(n2) : 1);
    if (!shared && !l2) return;
    cand.push({ key: BigInt(e.key), slot, score: l2 ? -(qn2 + n2 - 2 * dot) : dot });
  });
  cand.sort((a, b) => (b.score - a.score) || (a.slot - b.slot));
  const top = cand.slice(0, k);
  return {
    keys: top.map((c) => c.key),
    distances: Float32Array.from(top, (c) => { const d = l2 ? -c.score : 1 - c.score; return l2 && d < 0 ? 0 : d; }),
  };
}

/** The JS model of an index: entries in write order (an upsert / update moves the key last). */
class Model {
  constructor() { this.m = new Map(); }
  put(key, v) { this.m.delete(key); this.m.set(key, { key, indices: v.indices, values: v.values }); }
  remove(key) { return this.m.delete(key); }
  get entries() { return [...this.m.values()]; }
}

function sameHits(got, want, what) {
  assert.deepEqual(Array.from(got.keys), want.keys, `${what}: keys`);
  assert.deepEqual(got.distances, want.distances, `${what}: distances (bit-identical)`);
}

// ---- search against the brute force ---------------------------------------------------------------
const N = 2500;
const METRICS = ['ip', 'cosine', 'l2'];

/** An index of metric with N entries (keys 10 i + 3, some keys above 2^53 as BigInt), duplicates
    (ties), an empty vector (not for cosine), and its model. */
function build(metric, seed) {
  const r = rng(seed);
  const ix = new rv.SparseIndex({ metric });
  const model = new Model();
  for (let i = 0; i < N; i++) {
    let v;
    if (i % 97 === 50) v = model.entries[i - 7]; // an exact duplicate of an earlier entry: a tie
    else v = randomSparse(r, 2 + Math.floor(r() * 40), metric !== 'cosine' || i % 2 === 0);
    const key = i % 500 === 499 ? (1n << 60n) + BigInt(i) : 10 * i + 3;
    if (i === 1234 && metric !== 'cosine') v = { indices: [], values: [] };
    ix.add(key, { indices: v.indices, values: v.values });
    model.put(typeof key === 'bigint' ? key : BigInt(key), { indices: Uint32Array.from(v.indices), values: Float32Array.from(v.values) });
  }
  return { ix, model, r };
}

const queries = (r, n) => Array.from({ length: n }, (_, i) => randomSparse(r, 1 + (i % 12) + (i === 0 ? 30 : 0), i % 3 === 0));

/** Every query in every mode (and pruned in forced windows) equals the brute force. */
function checkAll(ix, model, metric, qs, label, pass, allow) {
  let scoredPruned = 0, scoredExh = 0;
  for (const [qi, q] of qs.entries()) {
    for (const k of [1, 10, 100]) {
      const want = brute(metric, model.entries, q, k, pass);
      for (const opts of [{}, { mode: 'pruned' }, { mode: 'exhaustive' }, { mode: 'brute' },
        { mode: 'pruned', window: 64 }, { mode: 'pruned', window: 256 }]) {
        const got = ix.search(q, k, allow ? { ...opts, allow } : opts);
        sameHits(got, want, `${label} query ${qi} k ${k} ${JSON.stringify(opts)}`);
        if (opts.window === 64) scoredPruned += got.scored;
        if (opts.mode === 'exhaustive') scoredExh += got.scored;
      }
    }
  }
  return { scoredPruned, scoredExh };
}

for (const metric of METRICS) {
  test(`SparseIndex ${metric}: every mode equals a double-precision brute force, through writes`, () => {
    const { ix, model, r } = build(metric, 7 + metric.length);
    assert.equal(ix.count, N);
    assert.equal(ix.metric, metric);
    assert.equal(ix.maxNnz, 65536);
    const qs = queries(r, 24);
    const s = checkAll(ix, model, metric, qs, metric);
    // pruning does less work than the exhaustive traversal (l2 always scans every entry)
    if (metric !== 'l2') assert.ok(s.scoredPruned < s.scoredExh, `scored ${s.scoredPruned} pruned, ${s.scoredExh} exhaustive`);
    // k beyond the count, k 0, an empty query
    assert.equal(ix.search(qs[1], 2 ** 32 - 1, { mode: 'brute' }).keys.length, brute(metric, model.entries, qs[1], N + 1).keys.length);
    assert.equal(ix.search(qs[1], 0).keys.length, 0);
    sameHits(ix.search({ indices: [], values: [] }, 5), brute(metric, model.entries, { indices: [], values: new Float32Array(0) }, 5), 'empty query');

    // writes: removes, updates, upserts of present and new keys (they move last), then compact
    const keys = [...model.m.keys()];
    for (let i = 0; i < keys.length; i += 3) {
      assert.equal(ix.remove(keys[i]), true);
      model.remove(keys[i]);
    }
    assert.equal(ix.remove(keys[0]), false);
    for (let i = 1; i < keys.length; i += 11) {
      if (i % 3 === 0) continue; // removed
      const v = randomSparse(r, 3 + (i % 20), metric !== 'cosine');
      ix.update(keys[i], v);
      model.put(keys[i], v);
    }
    assert.throws(() => ix.update(keys[0], qs[2]), (e) => e instanceof rv.RuvectorError && e.code === -7);
    for (let i = 2; i < keys.length; i += 13) {
      const v = randomSparse(r, 5, true && metric !== 'cosine');
      ix.upsert(keys[i], v);
      model.put(keys[i], v);
    }
    for (let i = 0; i < 50; i++) {
      const v = randomSparse(r, 8, false);
      ix.upsert(900000 + i, v);
      model.put(BigInt(900000 + i), v);
    }
    assert.equal(ix.count, model.m.size);
    assert.deepEqual([...ix.keys()], [...model.m.keys()], 'keys() in write order');
    checkAll(ix, model, metric, qs.slice(0, 8), `${metric} after writes`);
    const before = ix.memoryUsage;
    ix.compact();
    assert.ok(ix.memoryUsage <= before, `compact: ${before} -> ${ix.memoryUsage} bytes`);
    assert.deepEqual([...ix.keys()], [...model.m.keys()], 'keys() after compact');
    checkAll(ix, model, metric, qs.slice(0, 8), `${metric} after compact`);

    // get / has / contains
    for (const [key, e] of [...model.m].slice(0, 200)) {
      const g = ix.get(key);
      assert.deepEqual(g.indices, Uint32Array.from(e.indices));
      assert.deepEqual(g.values, Float32Array.from(e.values));
      assert.equal(ix.has(key), true);
      assert.equal(ix.contains(key), true);
    }
    assert.equal(ix.get(keys[0]), undefined);
    assert.equal(ix.has(keys[0]), false);
    assert.equal(ix.contains(Number.MAX_SAFE_INTEGER), false);
    ix.free();
  });
}

test('SparseIndex: allow-list bitset, as Index.search', () => {
  const r = rng(99);
  const ix = new rv.SparseIndex({ metric: 'ip' });
  const model = new Model();
  for (let i = 0; i < 1500; i++) {
    const v = randomSparse(r, 2 + (i % 30), true);
    ix.add(i, v);
    model.put(BigInt(i), v);
  }
  const allow = new Uint8Array(167); // keys >= 1336 are outside the bitset: excluded
  for (let key = 0; key < allow.length * 8; key++) if (key % 3 === 0 || key % 7 === 0) allow[key >> 3] |= 1 << (key & 7);
  const pass = (key) => key < BigInt(allow.length * 8) && (key % 3n === 0n || key % 7n === 0n);
  checkAll(ix, model, 'ip', queries(r, 10), 'allow', pass, allow);
  const none = ix.search(queries(r, 1)[0], 10, { allow: new Uint8Array(4) });
  assert.equal(none.keys.length, 0);
  assert.throws(() => ix.search(queries(r, 1)[0], 3, { filter: () => true }), /filter callbacks are not supported.*allow/);
  ix.free();
});

// ---- persistence --------------------------------------------------------------------------------
test('SparseIndex save / load: same hits, same bytes on re-save, options kept, corrupt data refused', () => {
  for (const metric of METRICS) {
    const { ix, model, r } = build(metric, 31);
    for (const key of [...model.m.keys()].slice(0, 400)) { ix.remove(key); model.remove(key); } // tombstones are not saved
    const qs = queries(r, 10);
    const bytes = ix.save();
    const back = rv.SparseIndex.load(bytes);
    assert.equal(back.count, ix.count);
    assert.equal(back.metric, metric);
    assert.equal(back.maxNnz, 65536);
    assert.deepEqual(back.save(), bytes, `${metric}: a loaded index saves to identical bytes`);
    assert.deepEqual([...back.keys()], [...ix.keys()]);
    for (const q of qs) {
      for (const mode of ['pruned', 'exhaustive', 'brute']) {
        const a = ix.search(q, 20, { mode }), b = back.search(q, 20, { mode });
        sameHits(b, { keys: Array.from(a.keys), distances: a.distances }, `${metric} loaded ${mode}`);
      }
      sameHits(back.search(q, 20), brute(metric, model.entries, q, 20), `${metric} loaded vs brute force`);
    }
    // an ArrayBuffer and trailing bytes are accepted
    const padded = new Uint8Array(bytes.length + 16);
    padded.set(bytes);
    const b2 = rv.SparseIndex.load(padded.buffer);
    assert.deepEqual(b2.save(), bytes);
    b2.free();
    ix.free();
    back.free();
  }
  const small = new rv.SparseIndex({ metric: 'cosine', maxNnz: 4 });
  small.add(1, { indices: [1, 2], values: [1, 2] });
  assert.throws(() => small.add(2, { indices: [1, 2, 3, 4, 5], values: [1, 1, 1, 1, 1] }),
    (e) => e instanceof rv.RuvectorError && e.code === -3 && /5 nonzeros, the index allows 4/.test(e.message));
  const sb = small.save();
  const sl = rv.SparseIndex.load(sb);
  assert.equal(sl.metric, 'cosine');
  assert.equal(sl.maxNnz, 4);
  assert.throws(() => sl.add(3, { indices: [1, 2, 3, 4, 5], values: [1, 1, 1, 1, 1] }), /allows 4/);
  // truncations, a flipped byte, a dense index's bytes (and sparse bytes to Index.load)
  for (const cut of [0, 8, 100, 127, sb.length - 1]) {
    assert.throws(() => rv.SparseIndex.load(sb.subarray(0, cut)), rv.RuvectorError, `cut at ${cut}`);
  }
  const flip = sb.slice();
  flip[flip.length - 3] ^= 0x40;
  assert.throws(() => rv.SparseIndex.load(flip), rv.RuvectorError);
  const dense = new rv.Index(4);
  dense.add(1, [1, 2, 3, 4]);
  assert.throws(() => rv.SparseIndex.load(dense.save()), (e) => e instanceof rv.RuvectorError && e.code === -6);
  assert.throws(() => rv.Index.load(sb), (e) => e instanceof rv.RuvectorError && e.code === -6);
  for (const bad of [null, undefined, 'bytes', [1, 2, 3], 42, {}]) assert.throws(() => rv.SparseIndex.load(bad), TypeError);
  assert.equal(sl.search({ indices: [2], values: [1] }, 1).keys[0], 1n);
  dense.free();
  small.free();
  sl.free();
});

// ---- string ids and metadata ----------------------------------------------------------------------
/**
 * The JS model of an index with ids and metadata: key -> {indices, values, id (string or null),
 * meta (Uint8Array or null)}, in write order (a new vector moves the key last; an id or metadata
 * change alone does not), and id -> key. put() returns the status the C library documents for the
 * call (ruv_sparse_put's order: invalid vector -3; insert of a present key -4; update of an
 * absent key -7; a new key without a vector -1; an id another key has -4) and applies it when 0.
 */
class MetaModel {
  constructor() { this.m = new Map(); this.byId = new Map(); }
  put(key, v, id, meta, mode, valid = true) {
    const e = this.m.get(key);
    if (v && !valid) return -3;
    if (mode === 'insert' && e) return -4;
    if (mode === 'update' && !e) return -7;
    if (!e && !v) return -1;
    if (id && this.byId.has(id) && this.byId.get(id) !== key) return -4;
    const n = e ? { ...e } : { indices: null, values: null, id: null, meta: null };
    if (v) { n.indices = Uint32Array.from(v.indices); n.values = Float32Array.from(v.values); }
    if (id !== undefined && id !== null) {
      if (n.id !== null) this.byId.delete(n.id);
      n.id = id === '' ? null : id;
      if (n.id !== null) this.byId.set(n.id, key);
    }
    if (meta !== undefined && meta !== null) n.meta = meta.length ? meta.slice() : null;
    if (v) this.m.delete(key);
    this.m.set(key, n);
    return 0;
  }
  remove(key) {
    const e = this.m.get(key);
    if (!e) return false;
    if (e.id !== null) this.byId.delete(e.id);
    this.m.delete(key);
    return true;
  }
  get entries() { return [...this.m].map(([key, e]) => ({ key, indices: e.indices, values: e.values })); }
}

/** Every key's vector, id and metadata equal the model's, getKey inverts getId, keys() is the
    write order, absent keys and ids answer undefined, stats() adds up. */
function checkMeta(ix, model, label, idPool, absentKeys) {
  assert.equal(ix.count, model.m.size, `${label}: count`);
  assert.deepEqual([...ix.keys()], [...model.m.keys()], `${label}: keys() in write order`);
  for (const [key, e] of model.m) {
    const g = ix.get(key);
    assert.deepEqual(g.indices, e.indices, `${label}: key ${key} indices`);
    assert.deepEqual(g.values, e.values, `${label}: key ${key} values`);
    assert.equal(ix.getId(key), e.id, `${label}: key ${key} id`);
    assert.deepEqual(ix.getMeta(key), e.meta, `${label}: key ${key} meta`);
    if (e.id !== null) assert.equal(ix.getKey(e.id), key, `${label}: getKey(getId(${key}))`);
  }
  for (const id of idPool) {
    assert.equal(ix.getKey(id), model.byId.get(id), `${label}: getKey(${JSON.stringify(id.slice(0, 20))})`);
  }
  for (const key of absentKeys) {
    if (model.m.has(key)) continue;
    assert.equal(ix.getId(key), undefined, `${label}: getId of absent ${key}`);
    assert.equal(ix.getMeta(key), undefined, `${label}: getMeta of absent ${key}`);
    assert.equal(ix.get(key), undefined, `${label}: get of absent ${key}`);
  }
  const st = ix.stats();
  assert.equal(st.live, model.m.size, `${label}: stats.live`);
  assert.equal(st.vectorBytes + st.postingBytes + st.keyBytes + st.idBytes + st.metaBytes, st.totalBytes,
    `${label}: stats byte fields sum to totalBytes`);
  assert.equal(st.totalBytes, ix.memoryUsage, `${label}: stats.totalBytes = memoryUsage`);
  assert.ok(st.deadPostings <= st.postings, `${label}: deadPostings <= postings`);
  let ids = 0, metaBytes = 0, postings = 0;
  for (const e of model.m.values()) {
    if (e.id !== null) ids++;
    if (e.meta) metaBytes += e.meta.length;
    postings += e.indices.length;
  }
  assert.equal(st.postings - st.deadPostings, postings, `${label}: live postings`);
  if (ids === 0 && st.tombstones === 0) assert.equal(st.idBytes, 0, `${label}: no ids, no id bytes`);
  assert.ok(st.metaBytes >= metaBytes, `${label}: metaBytes ${st.metaBytes} >= ${metaBytes} stored`);
}

test('SparseIndex ids and metadata: random puts, upserts, removes, compaction and save / load against a JS model', () => {
  const enc = new TextEncoder();
  for (const [metric, seed] of [['ip', 3], ['cosine', 4], ['l2', 5]]) {
    const r = rng(seed);
    const pick = (a) => a[Math.floor(r() * a.length)];
    let ix = new rv.SparseIndex({ metric });
    const model = new MetaModel();
    const keys = Array.from({ length: 160 }, (_, i) => (i % 40 === 7 ? (1n << 63n) + BigInt(i) : BigInt(i * 7 + 1)));
    keys.push(2n ** 64n - 1n, 0n);
    const idPool = Array.from({ length: 120 }, (_, i) => `doc-${i}`);
    idPool.push('x'.repeat(1024), '\u00e9'.repeat(512), 'caf\u00e9 \u4e2d\u6587 \u{1f642}', 'a\u0000b', ' ', 'doc-1 ');
    for (const id of idPool) assert.ok(enc.encode(id).length <= 1024);
    const randomMeta = () => {
      const n = r() < 0.05 ? 70000 + Math.floor(r() * 1000) : 1 + Math.floor(r() * 48);
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
      return b;
    };
    let counts = { ok: 0, refused: 0, saves: 0, compacts: 0, removes: 0 };
    for (let step = 0; step < 2500; step++) {
      const key = pick(keys);
      const u = r();
      if (u < 0.12) {
        assert.equal(ix.remove(key), model.remove(key), `step ${step}: remove ${key}`);
        counts.removes++;
      } else if (u < 0.14) {
        ix.compact();
        counts.compacts++;
      } else if (u < 0.15) {
        const bytes = ix.save();
        const back = rv.SparseIndex.load(bytes);
        assert.deepEqual(back.save(), bytes, `step ${step}: a loaded index saves to the same bytes`);
        assert.equal(back.metric, metric);
        checkMeta(back, model, `${metric} step ${step} loaded`, idPool, keys);
        ix.free();
        ix = back;
        counts.saves++;
      } else {
        // the vector: kept (undefined / null), new, or (rarely) invalid
        const w = r();
        let v = w < 0.3 ? (w < 0.15 ? undefined : null) : randomSparse(r, 1 + Math.floor(r() * 12), metric !== 'cosine');
        let valid = true;
        if (v && r() < 0.03) { v = { indices: [4, 2], values: [1, 1] }; valid = false; }
        // the id: kept, set (sometimes another key's: a clash), or cleared
        const x = r();
        const id = x < 0.4 ? (x < 0.2 ? undefined : null) : x < 0.9 ? pick(idPool) : '';
        // the metadata: kept, set, or cleared
        const y = r();
        const meta = y < 0.4 ? (y < 0.2 ? undefined : null) : y < 0.9 ? randomMeta() : new Uint8Array(0);
        const form = r();
        let mode, call;
        if (form < 0.6) {
          mode = pick(['insert', 'update', 'update', 'upsert', 'upsert', 'upsert', undefined]);
          call = () => ix.put(key, v, id, meta, mode);
        } else {
          // add / update / upsert: a vector alone (ids and metadata kept)
          const m = pick(['add', 'update', 'upsert', 'upsert']);
          mode = m === 'add' ? 'insert' : m;
          if (!v) { v = randomSparse(r, 3, false); valid = true; }
          call = () => ix[m](key, v);
        }
        const idArg = form < 0.6 ? id : undefined, metaArg = form < 0.6 ? meta : undefined;
        const want = model.put(key, v, idArg, metaArg, mode || 'insert', valid);
        if (want === 0) {
          call();
          counts.ok++;
          if (metaArg && metaArg.length) metaArg.fill(0xee); // the index keeps its own copy
        } else {
          assert.throws(call, (e) => e instanceof rv.RuvectorError && e.code === want,
            `step ${step}: put(${key}, ${v ? 'v' : v}, ${JSON.stringify(idArg)}, meta ${metaArg && metaArg.length}, ${mode}) should be ${want}`);
          counts.refused++;
        }
      }
      if (step % 250 === 249) checkMeta(ix, model, `${metric} step ${step}`, idPool, keys);
    }
    checkMeta(ix, model, `${metric} end`, idPool, keys);
    // searches still equal the brute force over the model's vectors
    const qs = queries(r, 6);
    for (const q of qs) {
      for (const mode of ['pruned', 'exhaustive', 'brute']) {
        sameHits(ix.search(q, 15, { mode }), brute(metric, model.entries, q, 15), `${metric} search ${mode}`);
      }
    }
    // a final round trip (the ids and metadata sections), then removing everything drops them
    const back = rv.SparseIndex.load(ix.save());
    checkMeta(back, model, `${metric} final load`, idPool, keys);
    for (const key of [...model.m.keys()]) { assert.equal(back.remove(key), true); model.remove(key); }
    checkMeta(back, model, `${metric} emptied`, idPool, keys);
    back.compact();
    const st = back.stats();
    assert.equal(st.live + st.tombstones + st.postings, 0, `${metric}: compacted empty index`);
    back.free();
    ix.free();
    assert.ok(counts.ok > 1000 && counts.refused > 150 && counts.saves > 10, `${metric}: ${JSON.stringify(counts)}`);
    console.log(`# ids / metadata model, ${metric}: ${JSON.stringify(counts)}`);
  }
});

test('SparseIndex ids and metadata: put modes, upsert keeps, remove drops, the same API as Index', () => {
  const sp = new rv.SparseIndex();
  const dn = new rv.Index(2);
  const meta = new Uint8Array([1, 2, 3]);
  // the same calls on both classes give the same answers
  for (const [ix, v] of [[sp, { indices: [1], values: [2] }], [dn, [1, 2]]]) {
    ix.put(1, v, 'one', meta);
    ix.put(2n, v, 'two');
    assert.equal(ix.getId(1), 'one');
    assert.deepEqual(ix.getMeta(1), meta);
    assert.equal(ix.getId(2), 'two');
    assert.equal(ix.getMeta(2), null);
    assert.equal(ix.getId(3), undefined);
    assert.equal(ix.getMeta(3), undefined);
    assert.equal(ix.getKey('one'), 1n);
    assert.equal(ix.getKey('three'), undefined);
    ix.upsert(1, v); // keeps the id and metadata
    assert.equal(ix.getId(1), 'one');
    assert.deepEqual(ix.getMeta(1), meta);
    ix.update(1, v);
    assert.equal(ix.getKey('one'), 1n);
    ix.put(1, null, null, new Uint8Array([9]), 'update'); // metadata alone
    assert.deepEqual(ix.getMeta(1), new Uint8Array([9]));
    assert.equal(ix.getId(1), 'one');
    ix.put(1, undefined, '', undefined, 'upsert'); // clears the id
    assert.equal(ix.getId(1), null);
    assert.equal(ix.getKey('one'), undefined);
    ix.put(2, null, 'one', new Uint8Array(0), 'update'); // a freed id is free; empty meta clears
    assert.equal(ix.getKey('one'), 2n);
    assert.equal(ix.getMeta(2), null);
    ix.put(2, null, 'one', null, 'upsert'); // its own id again: no clash
    assert.throws(() => ix.put(1, null, 'one', null, 'update'),
      (e) => e instanceof rv.RuvectorError && e.code === -4 && /the id "one" belongs to key 2/.test(e.message));
    assert.throws(() => ix.put(1, v, 'x'), (e) => e instanceof rv.RuvectorError && e.code === -4);
    assert.throws(() => ix.put(5, v, 'x', null, 'update'), (e) => e instanceof rv.RuvectorError && e.code === -7);
    assert.throws(() => ix.put(5, null, 'x', null, 'upsert'),
      (e) => e instanceof rv.RuvectorError && e.code === -1 && /a new entry needs a vector/.test(e.message));
    assert.equal(ix.has(5), false);
    assert.equal(ix.getKey('x'), undefined);
    assert.equal(ix.remove(2), true); // drops its id and metadata
    assert.equal(ix.getKey('one'), undefined);
    ix.put(2, v, 'one');
    assert.equal(ix.getKey('one'), 2n);
    assert.equal(ix.getMeta(2), null, 'a removed key comes back without its old metadata');
  }
  // stats: the sparse fields
  const st = sp.stats();
  assert.deepEqual(Object.keys(st), ['live', 'tombstones', 'dims', 'postings', 'deadPostings', 'vectorBytes',
    'postingBytes', 'keyBytes', 'idBytes', 'metaBytes', 'totalBytes']);
  assert.equal(st.live, 2);
  assert.equal(st.dims, 1);
  assert.ok(st.idBytes > 0 && st.metaBytes > 0);
  sp.compact();
  assert.equal(sp.stats().tombstones, 0);
  assert.equal(sp.stats().deadPostings, 0);
  // an id that is not valid UTF-16 is stored as its UTF-8 encoding (lone surrogates become U+FFFD)
  sp.put(9, { indices: [1], values: [1] }, 'a\ud800');
  assert.equal(sp.getId(9), 'a\ufffd');
  assert.equal(sp.getKey('a\udc00'), 9n);
  sp.free();
  dn.free();
});

// ---- fusion ---------------------------------------------------------------------------------------
/** RRF / weighted fusion in JavaScript (as documented in ruvector.h): [{key, score}]. */
function jsFuse(lists, { k = Infinity, method = 'rrf', rrfK = 60, weights } = {}) {
  const sum = new Map();
  lists.forEach((l, li) => {
    const w = weights ? fround(weights[li]) : 1;
    const d = Array.from(l.distances, fround);
    const lo = Math.min(...d), hi = Math.max(...d);
    const seen = new Set();
    l.keys.forEach((key, j) => {
      key = BigInt(key);
      if (seen.has(key)) return; // a repeated key counts at its first position
      seen.add(key);
      const s = method === 'rrf' ? w / ((rrfK || 60) + (j + 1)) : hi > lo ? w * ((hi - d[j]) / (hi - lo)) : w;
      sum.set(key, (sum.get(key) || 0) + s);
    });
  });
  // sums are accumulated in list order, as C does (a key's contributions list by list)
  return [...sum].sort((a, b) => (b[1] - a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, k).map(([key, score]) => ({ key, score: fround(score) }));
}

test('fuse: RRF and weighted fusion equal a JavaScript fusion (dense + sparse hybrid search)', () => {
  const r = rng(5);
  const dim = 16, n = 800;
  const dense = new rv.Index(dim, { metric: 'cosine' });
  const sparse = new rv.SparseIndex({ metric: 'ip' });
  for (let i = 0; i < n; i++) {
    dense.add(i, Float32Array.from({ length: dim }, () => r() * 2 - 1));
    sparse.add(i, randomSparse(r, 3 + (i % 25), false));
  }
  for (let t = 0; t < 20; t++) {
    const dq = Float32Array.from({ length: dim }, () => r() * 2 - 1);
    const sq = randomSparse(r, 2 + (t % 8), false);
    const a = dense.search(dq, 50), b = sparse.search(sq, 50);
    for (const o of [{}, { k: 10 }, { k: 5, rrfK: 10 }, { k: 30, weights: [0.3, 1.7] }, { rrfK: 1.5, weights: [2, 0] },
      { method: 'weighted' }, { method: 'weighted', k: 10, weights: [1, 0.25] }, { method: 'weighted', weights: [0, 1] }]) {
      const got = rv.fuse([a, b], o);
      const want = jsFuse([a, b], o);
      assert.deepEqual(got, want, `query ${t} ${JSON.stringify(o)}`);
    }
    // hit arrays [{key, distance}] are the same input
    const asHits = (h) => Array.from(h.keys, (key, i) => ({ key, distance: h.distances[i] }));
    assert.deepEqual(rv.fuse([asHits(a), b], { k: 10 }), rv.fuse([a, b], { k: 10 }));
  }
  // ties go to the smaller key; a repeated key counts once per list at its first position; one
  // list; no lists; empty lists; k 0; number and BigInt keys; keys above 2^53
  const big = (1n << 63n) + 5n;
  assert.deepEqual(rv.fuse([{ keys: [9, 4, 7], distances: [0, 1, 2] }, { keys: [4n, 9n, 7n], distances: [0, 1, 2] }]),
    jsFuse([{ keys: [9, 4, 7], distances: [0, 1, 2] }, { keys: [4, 9, 7], distances: [0, 1, 2] }]));
  assert.deepEqual(rv.fuse([{ keys: [9, 4, 7], distances: [0, 1, 2] }, { keys: [4n, 9n, 7n], distances: [0, 1, 2] }]).map((h) => h.key), [4n, 9n, 7n]);
  assert.deepEqual(rv.fuse([[{ key: 3, distance: 0.1 }, { key: 3, distance: 0.2 }, { key: big, distance: 0.3 }]]),
    [{ key: 3n, score: fround(1 / 61) }, { key: big, score: fround(1 / 63) }]);
  assert.deepEqual(rv.fuse([]), []);
  assert.deepEqual(rv.fuse([[], { keys: new BigUint64Array(0), distances: new Float32Array(0) }]), []);
  assert.deepEqual(rv.fuse([[{ key: 1, distance: 0 }]], { k: 0 }), []);
  assert.deepEqual(rv.fuse([[{ key: 1, distance: 5 }, { key: 2, distance: 5 }]], { method: 'weighted', weights: [2] }),
    [{ key: 1n, score: 2 }, { key: 2n, score: 2 }]);
  dense.free();
  sparse.free();
});

// ---- hostile arguments ------------------------------------------------------------------------------
test('hostile arguments: each throws a checked error; the same index and a new one stay exact', () => {
  const { ix, model, r } = build('ip', 77);
  const qs = queries(r, 6);
  const ok = { indices: [1, 5, 9], values: [0.5, 1, 2] };
  const okError = (e) => (e instanceof TypeError || e instanceof RangeError || e instanceof rv.RuvectorError) &&
    /^ruvector: /.test(e.message);
  let n = 0;
  const bad = (what, fn, type) => {
    n++;
    assert.throws(fn, (e) => {
      assert.ok(okError(e), `${what}: threw ${e && e.name}: ${e && e.message}`);
      if (type) assert.ok(e instanceof type, `${what}: ${e.name} instead of ${type.name}: ${e.message}`);
      return true;
    }, what);
  };
  const vectors = {
    'NaN value': [{ indices: [1, 2], values: [1, NaN] }, RangeError],
    'Infinity value': [{ indices: [1, 2], values: [1, Infinity] }, RangeError],
    '-Infinity value': [{ indices: [1], values: new Float32Array([-Infinity]) }, RangeError],
    'value beyond float32': [{ indices: [1], values: [1e39] }, RangeError],
    'negative index': [{ indices: [-1, 2], values: [1, 1] }, RangeError],
    'fractional index': [{ indices: [1.5, 2], values: [1, 1] }, RangeError],
    'index 2^32-1': [{ indices: [2 ** 32 - 1], values: [1] }, RangeError],
    'index 2^32-1 in a Uint32Array': [{ indices: new Uint32Array([3, 2 ** 32 - 1]), values: [1, 1] }, RangeError],
    'index 2^32': [{ indices: [2 ** 32], values: [1] }, RangeError],
    'index 2^53': [{ indices: [2 ** 53], values: [1] }, RangeError],
    'NaN index': [{ indices: [NaN], values: [1] }, RangeError],
    'string index': [{ indices: ['1'], values: [1] }, TypeError],
    'BigInt index': [{ indices: [1n], values: [1] }, TypeError],
    'BigUint64Array indices': [{ indices: new BigUint64Array([1n]), values: [1] }, TypeError],
    'string value': [{ indices: [1], values: ['1'] }, TypeError],
    'fewer values': [{ indices: [1, 2, 3], values: [1, 2] }, RangeError],
    'more values': [{ indices: [1], values: new Float32Array(2).fill(1) }, RangeError],
    'no indices': [{ values: [1] }, TypeError],
    'no values': [{ indices: [1] }, TypeError],
    'indices a string': [{ indices: '12', values: [1, 1] }, TypeError],
    'values an object': [{ indices: [1], values: { 0: 1, length: 1 } }, TypeError],
    'a dense array': [[1, 2, 3], TypeError],
    'a Float32Array': [new Float32Array(3), TypeError],
    null: [null, TypeError],
    undefined: [undefined, TypeError],
    'a number': [3, TypeError],
    'a string': ['{"indices":[1],"values":[1]}', TypeError],
    'too many nonzeros': [{ indices: new Uint32Array(2 ** 24 + 1), values: new Float32Array(2 ** 24 + 1) }, RangeError],
    // refused by the C library (RuvectorError -3, with the reason)
    'unsorted indices': [{ indices: [5, 1], values: [1, 1] }, rv.RuvectorError],
    'duplicate indices': [{ indices: [1, 1], values: [1, 1] }, rv.RuvectorError],
    'zero value': [{ indices: [1, 2], values: [1, 0] }, rv.RuvectorError],
    'negative zero value': [{ indices: [1], values: [-0] }, rv.RuvectorError],
    'value that rounds to 0 in float32': [{ indices: [1], values: [1e-50] }, rv.RuvectorError],
    'squared norm beyond float32': [{ indices: [1, 2], values: [3e38, 3e38] }, rv.RuvectorError],
  };
  for (const [what, [v, type]] of Object.entries(vectors)) {
    bad(`add ${what}`, () => ix.add(123456789, v), type);
    bad(`upsert ${what}`, () => ix.upsert(3, v), type);
    bad(`update ${what}`, () => ix.update(3, v), type);
    bad(`search ${what}`, () => ix.search(v, 5), type);
  }
  assert.throws(() => ix.add(1, { indices: [5, 1], values: [1, 1] }), /indices\[1\] = 1 after indices\[0\] = 5: indices must be strictly increasing/);
  assert.throws(() => ix.add(1, { indices: [1, 2], values: [1, 0] }), /values\[1\] is 0/);
  assert.throws(() => ix.search({ indices: [1, 1], values: [1, 1] }, 3), (e) => e.code === -3 && /strictly increasing/.test(e.message));
  bad('add a present key', () => ix.add(3, ok), rv.RuvectorError);
  for (const key of [-1, 1.5, NaN, Infinity, 2 ** 53, -1n, 1n << 64n, '3', null, undefined, {}, [3]]) {
    for (const m of ['add', 'upsert', 'update']) bad(`${m} key ${String(key)}`, () => ix[m](key, ok));
    for (const m of ['remove', 'has', 'contains', 'get']) bad(`${m} key ${String(key)}`, () => ix[m](key));
  }
  for (const k of [-1, NaN, Infinity, 1.5, 2 ** 32, '3', 3n, null, undefined, {}]) {
    bad(`search k ${String(k)}`, () => ix.search(ok, k));
  }
  for (const o of [{ mode: 'fast' }, { mode: 1 }, { window: 63 }, { window: 100 }, { window: 8192 }, { window: -64 },
    { window: 64.5 }, { window: '64' }, { allow: [1, 2] }, { allow: new Uint32Array(2) }, { filter: (k) => k > 2 }, 'pruned', [1]]) {
    bad(`search options ${JSON.stringify(o)}`, () => ix.search(ok, 3, o));
  }
  for (const o of [{ metric: 'l1' }, { metric: 'hamming' }, { metric: 2 }, { maxNnz: -1 }, { maxNnz: 2 ** 24 + 1 },
    { maxNnz: 1.5 }, { maxNnz: '8' }, 'ip', 5]) {
    bad(`new SparseIndex(${JSON.stringify(o)})`, () => new rv.SparseIndex(o));
  }
  const fl = { keys: [1, 2], distances: [0.1, 0.2] };
  const fuses = {
    'lists not an array': [() => rv.fuse(fl), TypeError],
    'a list a number': [() => rv.fuse([fl, 3]), TypeError],
    'a list null': [() => rv.fuse([null]), TypeError],
    'keys and distances of different lengths': [() => rv.fuse([{ keys: [1, 2], distances: [1] }]), RangeError],
    'NaN distance': [() => rv.fuse([{ keys: [1, 2], distances: [0, NaN] }]), RangeError],
    'string distance': [() => rv.fuse([{ keys: [1], distances: ['0'] }]), TypeError],
    'Infinity distance (weighted)': [() => rv.fuse([{ keys: [1], distances: [Infinity] }], { method: 'weighted' }), RangeError],
    'bad key': [() => rv.fuse([{ keys: [-1], distances: [0] }]), RangeError],
    'bad hit': [() => rv.fuse([[{ key: 1, distance: 0 }, 5]]), TypeError],
    'hit without distance': [() => rv.fuse([[{ key: 1 }]]), TypeError],
    'k -1': [() => rv.fuse([fl], { k: -1 }), RangeError],
    'k NaN': [() => rv.fuse([fl], { k: NaN }), RangeError],
    'k 2.5': [() => rv.fuse([fl], { k: 2.5 }), RangeError],
    'k "3"': [() => rv.fuse([fl], { k: '3' }), TypeError],
    'method': [() => rv.fuse([fl], { method: 'borda' }), RangeError],
    'rrfK -1': [() => rv.fuse([fl], { rrfK: -1 }), RangeError],
    'rrfK NaN': [() => rv.fuse([fl], { rrfK: NaN }), RangeError],
    'rrfK Infinity': [() => rv.fuse([fl], { rrfK: Infinity }), RangeError],
    'weights: too few': [() => rv.fuse([fl, fl], { weights: [1] }), RangeError],
    'weights: negative': [() => rv.fuse([fl], { weights: [-1] }), RangeError],
    'weights: NaN': [() => rv.fuse([fl], { weights: [NaN] }), RangeError],
    'weights: beyond float32': [() => rv.fuse([fl], { weights: [1e39] }), RangeError],
    'weights: a number': [() => rv.fuse([fl], { weights: 1 }), TypeError],
    'options a string': [() => rv.fuse([fl], 'rrf'), TypeError],
  };
  for (const [what, [fn, type]] of Object.entries(fuses)) bad(`fuse ${what}`, fn, type);
  // freed objects
  const gone = new rv.SparseIndex();
  gone.add(1, ok);
  gone.free();
  gone.free(); // idempotent
  for (const [what, fn] of [['count', () => gone.count], ['memoryUsage', () => gone.memoryUsage],
    ['add', () => gone.add(2, ok)], ['search', () => gone.search(ok, 1)], ['get', () => gone.get(1)],
    ['remove', () => gone.remove(1)], ['has', () => gone.has(1)], ['compact', () => gone.compact()],
    ['save', () => gone.save()], ['keys', () => [...gone.keys()]]]) {
    n++;
    assert.throws(fn, /sparse index already freed/, `freed ${what}`);
  }
  const disposed = new rv.SparseIndex();
  disposed[Symbol.dispose]();
  assert.throws(() => disposed.count, /freed/);

  // afterwards: the same index still answers exactly, and a new one works
  assert.equal(ix.count, N);
  for (const q of qs) for (const mode of ['pruned', 'exhaustive', 'brute']) sameHits(ix.search(q, 10, { mode }), brute('ip', model.entries, q, 10), `after the barrage ${mode}`);
  const fresh = new rv.SparseIndex({ metric: 'l2' });
  fresh.add(1, { indices: [1, 2], values: [3, 4] });
  fresh.add(2, { indices: [7], values: [1] });
  const h = fresh.search({ indices: [1, 2], values: [3, 4] }, 2);
  assert.deepEqual(Array.from(h.keys), [1n, 2n]);
  assert.deepEqual(Array.from(h.distances), [0, 26]);
  assert.ok(n > 250, `${n} hostile calls`);
  console.log(`# ${n} hostile calls, each a checked error`);
  ix.free();
  fresh.free();
});

test('hostile arguments to put / getId / getMeta / getKey / stats: checked errors, then exact answers from the same index and a new one', () => {
  const r = rng(8);
  const ix = new rv.SparseIndex({ metric: 'ip' });
  const model = new MetaModel();
  const idPool = [];
  for (let i = 0; i < 400; i++) {
    const key = i % 50 === 0 ? (1n << 62n) + BigInt(i) : BigInt(i);
    const id = i % 3 ? `id-${i}` : undefined;
    const meta = i % 4 ? Uint8Array.from({ length: 1 + (i % 9) }, (_, j) => (i * 31 + j) & 255) : undefined;
    const v = randomSparse(r, 2 + (i % 17), true);
    ix.put(key, v, id, meta);
    assert.equal(model.put(key, v, id, meta, 'insert'), 0);
    if (id) idPool.push(id);
  }
  const keys = [...model.m.keys()];
  const before = ix.save();
  const ok = { indices: [1, 5, 9], values: [0.5, 1, 2] };
  const okError = (e) => (e instanceof TypeError || e instanceof RangeError || e instanceof rv.RuvectorError) &&
    /^ruvector: /.test(e.message);
  let n = 0;
  const bad = (what, fn, type, code) => {
    n++;
    assert.throws(fn, (e) => {
      assert.ok(okError(e), `${what}: threw ${e && e.name}: ${e && e.message}`);
      if (type) assert.ok(e instanceof type, `${what}: ${e.name} instead of ${type.name}: ${e.message}`);
      if (code !== undefined) assert.equal(e.code, code, `${what}: code ${e.code}: ${e.message}`);
      return true;
    }, what);
  };
  const BAD_KEYS = [[-1, RangeError], [1.5, RangeError], [NaN, RangeError], [Infinity, RangeError], [-Infinity, RangeError],
    [2 ** 53, RangeError], [2 ** 64, RangeError], [Number.MAX_VALUE, RangeError], [-1n, RangeError], [1n << 64n, RangeError],
    ['3', TypeError], ['', TypeError], [null, TypeError], [undefined, TypeError], [{}, TypeError], [[3], TypeError],
    [true, TypeError], [{ valueOf: () => 3 }, TypeError], [Symbol('k'), TypeError], [new Uint8Array(8), TypeError],
    [() => 3, TypeError], [new Date(0), TypeError]];
  for (const [key, type] of BAD_KEYS) {
    const show = typeof key === 'symbol' ? 'Symbol' : typeof key === 'bigint' ? `${key}n` : String(key);
    bad(`put key ${show}`, () => ix.put(key, ok, 'fresh-id', new Uint8Array(2), 'upsert'), type);
    bad(`put key ${show} without vector`, () => ix.put(key, null, 'fresh-id'), type);
    bad(`getId key ${show}`, () => ix.getId(key), type);
    bad(`getMeta key ${show}`, () => ix.getMeta(key), type);
  }
  // bad vectors with an id and metadata: nothing of the put happens
  const VECS = [[{ indices: [1, 2], values: [1, NaN] }, RangeError], [{ indices: [1], values: [Infinity] }, RangeError],
    [{ indices: [-1], values: [1] }, RangeError], [{ indices: [1.5], values: [1] }, RangeError],
    [{ indices: [2 ** 32 - 1], values: [1] }, RangeError], [{ indices: [1, 2], values: [1] }, RangeError],
    [{ indices: ['1'], values: [1] }, TypeError], [{ indices: [1], values: ['1'] }, TypeError], [{ values: [1] }, TypeError],
    [[1, 2, 3], TypeError], [new Float32Array(3), TypeError], ['{"indices":[1],"values":[1]}', TypeError], [5, TypeError],
    [true, TypeError], [{ indices: [5, 1], values: [1, 1] }, rv.RuvectorError, -3], [{ indices: [1, 1], values: [1, 1] }, rv.RuvectorError, -3],
    [{ indices: [1], values: [0] }, rv.RuvectorError, -3], [{ indices: [1], values: [1e-50] }, rv.RuvectorError, -3]];
  for (const [v, type, code] of VECS) {
    for (const key of [keys[5], 999999]) {
      for (const mode of ['insert', 'update', 'upsert']) {
        bad(`put(${key}, ${JSON.stringify(v)}, id, meta, ${mode})`, () => ix.put(key, v, 'fresh-id', new Uint8Array([7]), mode), type, code);
      }
    }
  }
  // ids
  const BAD_IDS = [[5, TypeError], [0, TypeError], [NaN, TypeError], [true, TypeError], [{}, TypeError], [[], TypeError],
    [['a'], TypeError], [1n, TypeError], [Symbol('i'), TypeError], [new Uint8Array([97]), TypeError], [new String('a'), TypeError],
    [{ toString: () => 'a' }, TypeError], [() => 'a', TypeError], ['x'.repeat(1025), RangeError],
    ['\u00e9'.repeat(513), RangeError], ['\u{1f642}'.repeat(257), RangeError], ['x'.repeat(1 << 20), RangeError]];
  for (const [id, type] of BAD_IDS) {
    const show = typeof id === 'symbol' ? 'Symbol' : typeof id === 'string' ? `string(${id.length})` : typeof id === 'bigint' ? '1n' : String(id);
    bad(`put id ${show}`, () => ix.put(keys[3], null, id, null, 'update'), type);
    bad(`put new key, id ${show}`, () => ix.put(777777, ok, id), type);
    bad(`getKey ${show}`, () => ix.getKey(id), type);
  }
  for (const [id, type] of [['', RangeError], [null, TypeError], [undefined, TypeError]]) bad(`getKey ${String(id)}`, () => ix.getKey(id), type);
  // metadata: bytes only
  const BAD_META = [['bytes', TypeError], ['', TypeError], [[1, 2], TypeError], [{ a: 1 }, TypeError], [5, TypeError],
    [true, TypeError], [new Uint16Array(2), TypeError], [new Int8Array(2), TypeError], [new Uint8ClampedArray(2), TypeError],
    [new ArrayBuffer(4), TypeError], [new DataView(new ArrayBuffer(4)), TypeError], [1n, TypeError], [Symbol('m'), TypeError],
    [new Uint8Array(0x1000001), RangeError]];
  for (const [meta, type] of BAD_META) {
    const show = typeof meta === 'symbol' ? 'Symbol' : ArrayBuffer.isView(meta) ? `${meta.constructor.name}(${meta.byteLength})` :
      typeof meta === 'bigint' ? '1n' : JSON.stringify(meta) || String(meta);
    bad(`put meta ${show}`, () => ix.put(keys[3], null, null, meta, 'update'), type);
    bad(`put new key, meta ${show}`, () => ix.put(777777, ok, 'fresh-id', meta), type);
  }
  // modes
  for (const [mode, type] of [['replace', RangeError], ['INSERT', RangeError], ['', RangeError], ['add', RangeError],
    ['toString', RangeError], ['__proto__', RangeError], [0, TypeError], [1, TypeError], [2, TypeError], [true, TypeError],
    [{}, TypeError], [['upsert'], TypeError], [NaN, TypeError], [Symbol('m'), TypeError]]) {
    const show = typeof mode === 'symbol' ? 'Symbol' : JSON.stringify(mode) || String(mode);
    bad(`put mode ${show}`, () => ix.put(keys[3], ok, 'fresh-id', new Uint8Array(1), mode), type);
    bad(`put new key, mode ${show}`, () => ix.put(777777, ok, 'fresh-id', null, mode), type);
  }
  // refused by the C library: the status, the index unchanged
  const otherId = model.m.get(keys[1]).id;
  bad('put an id another key has', () => ix.put(keys[2], null, otherId, null, 'update'), rv.RuvectorError, -4);
  bad('put a new key with an id another key has', () => ix.put(777777, ok, otherId), rv.RuvectorError, -4);
  bad('upsert a key with an id another key has and a new vector', () => ix.put(keys[2], ok, otherId, new Uint8Array(3), 'upsert'), rv.RuvectorError, -4);
  bad('insert a present key', () => ix.put(keys[2], ok, 'fresh-id'), rv.RuvectorError, -4);
  bad('update an absent key', () => ix.put(777777, ok, 'fresh-id', null, 'update'), rv.RuvectorError, -7);
  bad('a new key without a vector', () => ix.put(777777, null, 'fresh-id', new Uint8Array(1), 'upsert'), rv.RuvectorError, -1);
  bad('a new key with nothing', () => ix.put(777777), rv.RuvectorError, -1);
  // stats and the getters ignore extra arguments; a freed index throws (as every other method)
  ix.stats('x', 5);
  const gone = new rv.SparseIndex();
  gone.put(1, ok, 'a', new Uint8Array(1));
  gone.free();
  for (const [what, fn] of [['put', () => gone.put(2, ok)], ['getId', () => gone.getId(1)], ['getMeta', () => gone.getMeta(1)],
    ['getKey', () => gone.getKey('a')], ['stats', () => gone.stats()]]) {
    n++;
    assert.throws(fn, /sparse index already freed/, `freed ${what}`);
  }

  // afterwards: the same index holds exactly what it held (same bytes, same ids and metadata)
  assert.deepEqual(ix.save(), before, 'the barrage changed nothing');
  checkMeta(ix, model, 'after the barrage', [...idPool, 'fresh-id'], [...keys, 777777n, 999999n]);
  for (const q of queries(r, 4)) sameHits(ix.search(q, 10), brute('ip', model.entries, q, 10), 'search after the barrage');
  // ... it still takes writes, and a new index works with ids and metadata
  ix.put(keys[0], null, 'renamed', new Uint8Array([1]), 'update');
  model.put(keys[0], null, 'renamed', new Uint8Array([1]), 'update');
  checkMeta(ix, model, 'a write after the barrage', [...idPool, 'renamed'], keys);
  const fresh = new rv.SparseIndex({ metric: 'l2' });
  fresh.put(1, { indices: [1, 2], values: [3, 4] }, 'p', new Uint8Array([5]));
  fresh.put(2n, { indices: [7], values: [1] }, 'q');
  assert.deepEqual(Array.from(fresh.search({ indices: [1, 2], values: [3, 4] }, 2).distances), [0, 26]);
  assert.equal(fresh.getKey('q'), 2n);
  assert.deepEqual(fresh.getMeta(1), new Uint8Array([5]));
  assert.equal(fresh.stats().live, 2);
  assert.ok(n > 300, `${n} hostile calls`);
  console.log(`# ${n} hostile calls to put / getId / getMeta / getKey / stats, each a checked error`);
  fresh.free();
  ix.free();
});

test('SparseIndex: lifetimes (liveIndexes), keys as numbers or BigInts, CommonJS export', async () => {
  const before = rv.memoryStats().liveIndexes;
  const a = new rv.SparseIndex({ metric: 'cosine', maxNnz: 100 });
  assert.equal(rv.memoryStats().liveIndexes, before + 1);
  a.add(2n ** 64n - 1n, { indices: [0, 2 ** 32 - 2], values: [1, -1] });
  assert.equal(a.has(2n ** 64n - 1n), true);
  assert.deepEqual(Array.from(a.get(2n ** 64n - 1n).indices), [0, 2 ** 32 - 2]);
  assert.equal(a.search({ indices: [0], values: [2] }, 1).keys[0], 2n ** 64n - 1n);
  a.free();
  assert.equal(rv.memoryStats().liveIndexes, before);
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('../node.cjs');
  assert.equal(typeof cjs.SparseIndex, 'function');
  assert.equal(typeof cjs.fuse, 'function');
  const browser = await import('../index.js');
  assert.equal(typeof browser.SparseIndex, 'function');
  assert.equal(typeof browser.fuse, 'function');
});
