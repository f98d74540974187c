// Multi-vector keys (options.multi, getVectors), the three-tier HNSW walk on bits
// (options.walkBits) and float queries against typed indexes (search option f32Query), against
// an independent brute force in JavaScript (double precision over the stored values). Then hostile
// values for the new parameters: every bad call throws and the same index and a new one still
// answer exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rv from '../node.mjs';

await rv.init();

// ---- data and the reference -------------------------------------------------------------------
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}
const unit = (r) => r() / 4294967296; // [0, 1)

/** binary16 bit pattern -> its value (exact). */
function f16(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}
/** bfloat16 bit pattern -> its value. */
function bf16(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 7) & 255, m = h & 127;
  return e === 0 ? s * m * 2 ** -133 : s * (1 + m / 128) * 2 ** (e - 127);
}

/** Distance of metric between two vectors of values (double precision), as the C library. */
function dist(metric, a, b) {
  let s = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (metric === 'l2sq') s += (x - y) * (x - y);
    else if (metric === 'l1') s += Math.abs(x - y);
    else { s += x * y; na += x * x; nb += y * y; }
  }
  if (metric === 'ip') return 1 - s;
  if (metric === 'cosine') return na > 0 && nb > 0 ? 1 - s / Math.sqrt(na * nb) : 1;
  return s;
}

/** Float32Array of n x dim uniform values in [-1, 1). */
function floats(n, dim, seed) {
  const r = rng(seed), v = new Float32Array(n * dim);
  for (let i = 0; i < v.length; i++) v[i] = 2 * unit(r) - 1;
  return v;
}

const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/**
 * hits (search / searchRange result) against a reference list [{key, d}] sorted by distance:
 * the same number, each distance equal to the reference's at that rank, and each key's own
 * reference distance equal to the distance reported (order may differ only among ties).
 */
function sameHits(hits, ref, what) {
  const byKey = new Map(ref.map((x) => [x.key, x.d]));
  assert.equal(hits.keys.length, ref.length, `${what}: hit count`);
  const seen = new Set();
  for (let i = 0; i < ref.length; i++) {
    const key = Number(hits.keys[i]);
    assert.ok(!seen.has(key), `${what}: key ${key} twice`);
    seen.add(key);
    near(hits.distances[i], ref[i].d, `${what}: distance at rank ${i}`);
    assert.ok(byKey.has(key), `${what}: key ${key} is not a reference hit`);
    near(hits.distances[i], byKey.get(key), `${what}: distance of key ${key}`);
  }
}

/** Keys ranked by min distance over their vectors: model = Map key -> [Float32Array]. */
function rankKeys(model, metric, q) {
  const out = [];
  for (const [key, vs] of model) {
    let d = Infinity;
    for (const v of vs) d = Math.min(d, dist(metric, q, v));
    out.push({ key, d });
  }
  return out.sort((a, b) => a.d - b.d || a.key - b.key);
}

// ---- multi ------------------------------------------------------------------------------------
/** A multi index of dim 12 with 60 keys of 1..5 vectors (added with addBatch and add, keys
    interleaved), and its model. */
function multiIndex(kind, metric) {
  const dim = 12, r = rng(7);
  const idx = new rv.Index(dim, { kind, metric, multi: true, seed: 3 });
  const model = new Map();
  const keys = [], rows = [];
  for (let key = 0; key < 60; key++) {
    const n = 1 + (r() % 5);
    for (let j = 0; j < n; j++) keys.push(key);
  }
  for (let i = keys.length - 1; i > 0; i--) { // shuffle: a key's vectors are not adjacent
    const j = r() % (i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const data = floats(keys.length, dim, 11);
  const half = keys.length >> 1;
  idx.addBatch(keys.slice(0, half), data.subarray(0, half * dim));
  for (let i = half; i < keys.length; i++) idx.add(keys[i], data.subarray(i * dim, (i + 1) * dim));
  for (let i = 0; i < keys.length; i++) {
    let v = data.slice(i * dim, (i + 1) * dim);
    if (metric === 'cosine') { // stored normalised
      const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      v = v.map((x) => x / n);
    }
    if (!model.has(keys[i])) model.set(keys[i], []);
    model.get(keys[i]).push(v);
    rows.push(keys[i]);
  }
  return { idx, model, dim, total: keys.length };
}

test('multi: flat top-k = brute force over keys (min over a key\'s vectors), range and batch too', () => {
  for (const metric of ['l2sq', 'ip', 'cosine', 'l1']) {
    const { idx, model, dim, total } = multiIndex('flat', metric);
    assert.equal(idx.multi, true);
    assert.equal(idx.config().multi, true);
    assert.equal(idx.count, total, 'count counts vectors');
    assert.equal([...idx.keys()].length, total, 'keys() yields a key once per vector');
    const qs = floats(20, dim, 99);
    for (let i = 0; i < 20; i++) {
      const q = qs.subarray(i * dim, (i + 1) * dim);
      const ref = rankKeys(model, metric, q);
      for (const k of [1, 10, 60, 1000]) {
        sameHits(idx.search(q, k), ref.slice(0, Math.min(k, model.size)), `${metric} q${i} k${k}`);
      }
      const radius = ref[15].d;
      const rr = idx.searchRange(q, radius);
      const inR = ref.filter((x) => x.d <= radius + 1e-5 * Math.max(1, Math.abs(radius)));
      assert.ok(Math.abs(rr.total - inR.length) <= 1, `${metric} range total ${rr.total} vs ${inR.length}`);
      sameHits(rr, inR.slice(0, rr.total), `${metric} range q${i}`);
      assert.equal(idx.searchRange(q, Infinity).total, model.size, 'range: each key once');
    }
    const batch = idx.searchBatch(qs, 7);
    for (let i = 0; i < 20; i++) {
      const one = idx.search(qs.subarray(i * dim, (i + 1) * dim), 7);
      assert.deepEqual(batch[i].keys, one.keys);
      assert.deepEqual(batch[i].distances, one.distances);
    }
    idx.free();
  }
});

test('multi: getVectors, remove drops all, put / update / upsert are -6, save / load keeps it', () => {
  const { idx, model, dim, total } = multiIndex('flat', 'l2sq');
  // exactly the vectors added, in the order added (slot order: no removals yet)
  for (const [key, vs] of model) {
    const got = idx.getVectors(key);
    assert.equal(got.length, vs.length, `key ${key}`);
    got.forEach((v, j) => {
      assert.ok(v instanceof Float32Array && v.length === dim);
      assert.deepEqual(v, vs[j], `key ${key} vector ${j}`);
    });
    const one = idx.getVector(key);
    assert.ok(vs.some((v) => v.every((x, i) => x === one[i])), 'getVector: one of the key\'s vectors');
    assert.deepEqual(idx.getVectors(BigInt(key)), got, 'BigInt key');
  }
  assert.equal(idx.getVectors(1000), undefined);
  // put / update / upsert: RUV_E_UNSUPPORTED, index unchanged
  const v = new Float32Array(dim).fill(0.5);
  for (const [what, fn] of [['put', () => idx.put(3, v)], ['put id', () => idx.put(3, v, 'x')],
    ['put new', () => idx.put(5000, v)], ['update', () => idx.update(3, v)], ['upsert', () => idx.upsert(3, v)],
    ['upsert new', () => idx.upsert(5000, v)], ['put upsert', () => idx.put(3, v, null, null, 'upsert')]]) {
    assert.throws(fn, (e) => e instanceof rv.RuvectorError && e.code === -6, what);
  }
  assert.equal(idx.count, total);
  assert.equal(idx.has(5000), false);
  // save / load: multi kept, same answers, more vectors under a present key still possible
  const q = floats(1, dim, 5);
  const before = idx.search(q, 10);
  const back = rv.Index.load(idx.save());
  assert.equal(back.multi, true);
  assert.equal(back.config().multi, true);
  assert.equal(back.count, total);
  assert.deepEqual(back.search(q, 10), before);
  for (const [key, vs] of model) assert.deepEqual(back.getVectors(key), vs);
  back.add(3, v);
  assert.equal(back.getVectors(3).length, model.get(3).length + 1);
  assert.deepEqual(back.getVectors(3).at(-1), v);
  back.free();
  // remove: every vector of the key
  let count = total;
  for (const key of [0, 7, 13, 59, 21]) {
    assert.equal(idx.remove(key), true);
    count -= model.get(key).length;
    model.delete(key);
    assert.equal(idx.count, count);
    assert.equal(idx.has(key), false);
    assert.equal(idx.getVectors(key), undefined);
    assert.equal(idx.getVector(key), undefined);
    assert.equal(idx.remove(key), false);
  }
  for (const [key, vs] of model) { // the same vectors (slots moved: compare as sets)
    const got = idx.getVectors(key).map((x) => Array.from(x).join()).sort();
    assert.deepEqual(got, vs.map((x) => Array.from(x).join()).sort(), `key ${key} after removals`);
  }
  sameHits(idx.search(q, 100), rankKeys(model, 'l2sq', q), 'after removals');
  // re-adding a removed key starts it afresh
  idx.add(7, v);
  assert.deepEqual(idx.getVectors(7), [v]);
  // a non-multi index: getVectors = [getVector], multi false
  const one = new rv.Index(3);
  one.add(1, [1, 2, 3]);
  assert.equal(one.multi, false);
  assert.equal(one.config().multi, false);
  assert.deepEqual(one.getVectors(1), [new Float32Array([1, 2, 3])]);
  assert.throws(() => one.add(1, [1, 2, 3]), (e) => e.code === -4, 'duplicate key without multi');
  one.free();
  idx.free();
});

test('multi: HNSW returns distinct keys, close to the brute force', () => {
  const { idx, model, dim } = multiIndex('hnsw', 'l2sq');
  const qs = floats(20, dim, 123);
  let hit = 0;
  for (let i = 0; i < 20; i++) {
    const q = qs.subarray(i * dim, (i + 1) * dim);
    const h = idx.search(q, 10, { efSearch: 200 });
    assert.equal(h.keys.length, 10);
    assert.equal(new Set(h.keys).size, 10, 'distinct keys');
    const truth = new Set(rankKeys(model, 'l2sq', q).slice(0, 10).map((x) => x.key));
    for (const k of h.keys) if (truth.has(Number(k))) hit++;
  }
  assert.ok(hit / 200 >= 0.95, `recall ${hit / 200}`);
  idx.free();
});

// ---- walkBits ---------------------------------------------------------------------------------
test('walkBits: HNSW + SQ8 on clustered data reaches recall@10 >= 0.9; training and configurations', () => {
  const dim = 64, n = 3000, nc = 30, r = rng(21);
  const centres = floats(nc, dim, 22);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = r() % nc;
    for (let j = 0; j < dim; j++) data[i * dim + j] = centres[c * dim + j] + 0.35 * (2 * unit(r) - 1);
  }
  const keys = Array.from({ length: n }, (_, i) => i);
  const idx = new rv.Index(dim, { kind: 'hnsw', quant: 'sq8', walkBits: true, seed: 1 });
  assert.equal(idx.config().walkBits, true);
  assert.throws(() => idx.add(0, data.subarray(0, dim)), (e) => e instanceof rv.RuvectorError && e.code === -18,
    'add before train: RUV_E_UNTRAINED');
  assert.throws(() => idx.addBatch(keys, data), (e) => e.code === -18);
  idx.train(data);
  idx.addBatch(keys, data);
  const nq = 50;
  let hit = 0;
  for (let i = 0; i < nq; i++) {
    const q = data.slice(i * 53 * dim, (i * 53 + 1) * dim).map((x, j) => x + 0.05 * Math.sin(i + j));
    const truth = new Set(keys.map((key) => ({ key, d: dist('l2sq', q, data.subarray(key * dim, (key + 1) * dim)) }))
      .sort((a, b) => a.d - b.d).slice(0, 10).map((x) => x.key));
    for (const k of idx.search(q, 10, { efSearch: 128 }).keys) if (truth.has(Number(k))) hit++;
  }
  const recall = hit / (nq * 10);
  console.log(`# walkBits recall@10 ${recall}`);
  assert.ok(recall >= 0.9, `recall@10 ${recall}`);
  // save / load keeps it
  const back = rv.Index.load(idx.save());
  assert.equal(back.config().walkBits, true);
  const q0 = data.subarray(0, dim);
  assert.deepEqual(back.search(q0, 10), idx.search(q0, 10));
  back.free();
  idx.free();
  // also with f32 storage (training sets the bits' thresholds)
  const f = new rv.Index(dim, { kind: 'hnsw', walkBits: true });
  assert.throws(() => f.add(0, data.subarray(0, dim)), (e) => e.code === -18);
  f.train(data.subarray(0, 500 * dim));
  f.addBatch(keys.slice(0, 500), data.subarray(0, 500 * dim));
  assert.equal(Number(f.search(data.subarray(dim, 2 * dim), 1).keys[0]), 1);
  f.free();
  // refused configurations: the C error
  for (const o of [{}, { quant: 'sq8' }, { kind: 'hnsw', quant: 'bin' }, { kind: 'hnsw', dtype: 'i8' },
    { kind: 'hnsw', dtype: 'f16' }, { kind: 'hnsw', dtype: 'binary', metric: 'hamming' }]) {
    assert.throws(() => new rv.Index(dim, { ...o, walkBits: true }),
      (e) => e instanceof rv.RuvectorError && e.code === -6, JSON.stringify(o));
  }
  assert.equal(new rv.Index(dim, { kind: 'hnsw', walkBits: false }).config().walkBits, false);
});

// ---- f32Query ---------------------------------------------------------------------------------
const TYPED = {
  i8: { Arr: Int8Array, value: (x) => x, gen: (r) => (r() % 256) - 128, scale: 100 },
  u8: { Arr: Uint8Array, value: (x) => x, gen: (r) => r() % 256, scale: 100 },
  f16: { Arr: Uint16Array, value: f16, scale: 2,
    gen: (r) => (r() & 0x8000) | ((13 + (r() % 4)) << 10) | (r() % 1024) },
  bf16: { Arr: Uint16Array, value: bf16, scale: 2,
    gen: (r) => (r() & 0x8000) | ((124 + (r() % 4)) << 7) | (r() % 128) },
};

test('f32Query: float queries on i8 / u8 / f16 / bf16 flat indexes = brute force over the stored values', () => {
  const dim = 24, n = 300, nq = 15;
  for (const [type, t] of Object.entries(TYPED)) {
    for (const metric of ['l2sq', 'ip', 'cosine', 'l1']) {
      const r = rng(type.length * 31 + metric.length);
      const data = new t.Arr(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = t.gen(r);
      const idx = new rv.Index(dim, { dtype: type, metric });
      idx.addBatch(Array.from({ length: n }, (_, i) => i), data);
      const vals = [];
      for (let i = 0; i < n; i++) vals.push(Array.from(data.subarray(i * dim, (i + 1) * dim), t.value));
      const qs = floats(nq, dim, 77).map((x) => x * t.scale);
      const batch = idx.searchBatch(qs, 10, { f32Query: true });
      for (let i = 0; i < nq; i++) {
        const q = qs.subarray(i * dim, (i + 1) * dim);
        const ref = vals.map((v, key) => ({ key, d: dist(metric, q, v) })).sort((a, b) => a.d - b.d || a.key - b.key);
        const what = `${type} ${metric} q${i}`;
        const h = idx.search(q, 10, { f32Query: true });
        sameHits(h, ref.slice(0, 10), what);
        assert.deepEqual(batch[i], h, `${what} batch`);
        sameHits(idx.search(Array.from(q), 10, { f32Query: true }), ref.slice(0, 10), `${what} number array`);
        const radius = ref[20].d;
        const rr = idx.searchRange(q, radius, { f32Query: true });
        assert.ok(rr.total >= 20 && rr.total <= 22, `${what} range total ${rr.total}`);
        sameHits(rr, ref.slice(0, rr.total), `${what} range`);
      }
      // the typed query is still the default
      const own = data.subarray(5 * dim, 6 * dim);
      assert.equal(Number(idx.search(own, 1).keys[0]) === 5 || metric === 'ip', true);
      assert.throws(() => idx.search(new Float32Array(dim - 1), 1, { f32Query: true }), (e) => e.code === -17);
      assert.throws(() => idx.search(new Float32Array(dim), 1), (e) => e instanceof TypeError || e.code === -17);
      idx.free();
    }
  }
});

test('f32Query: binary indexes give RUV_E_UNSUPPORTED (-6); f32 indexes are unchanged', () => {
  const b = new rv.Index(20, { dtype: 'binary', metric: 'hamming' });
  b.add(1, new Uint8Array(3));
  const q = new Float32Array(20).fill(1);
  for (const fn of [() => b.search(q, 1, { f32Query: true }), () => b.searchBatch(q, 1, { f32Query: true }),
    () => b.searchRange(q, 5, { f32Query: true })]) {
    assert.throws(fn, (e) => e instanceof rv.RuvectorError && e.code === -6);
  }
  assert.equal(b.search(new Uint8Array(3), 1).keys[0], 1n);
  b.free();
  const f = new rv.Index(3);
  f.add(1, [1, 2, 3]);
  f.add(2, [3, 2, 1]);
  assert.deepEqual(f.search([1, 2, 2], 2, { f32Query: true }), f.search([1, 2, 2], 2));
  f.free();
});

// ---- hostile values of the new parameters -----------------------------------------------------
test('hostile: multi / walkBits / f32Query / getVectors arguments throw, indexes keep working', () => {
  const dim = 8;
  const data = floats(40, dim, 3);
  const keys = Array.from({ length: 40 }, (_, i) => i % 13);
  const idx = new rv.Index(dim, { multi: true });
  idx.addBatch(keys, data);
  const i8 = new rv.Index(dim, { dtype: 'i8' });
  i8.addBatch([1, 2, 3], new Int8Array(3 * dim).map((_, i) => (i * 37) % 255 - 127));
  const q = data.subarray(0, dim);
  const want = idx.search(q, 5), wantV = idx.getVectors(4), want8 = i8.search(q, 3, { f32Query: true });
  const bad = [1, 0, NaN, 0.5, 1e300, -1, 2 ** 53, 'true', '', {}, [], 1n, () => true, Symbol('x')];
  const threw = (fn, what) => assert.throws(fn, (e) => e instanceof TypeError || e instanceof RangeError ||
    e instanceof rv.RuvectorError, what);
  let checks = 0;
  for (const v of bad) {
    const what = typeof v === 'symbol' ? 'symbol' : String(v);
    threw(() => new rv.Index(dim, { multi: v }), `multi ${what}`);
    threw(() => new rv.Index(dim, { kind: 'hnsw', walkBits: v }), `walkBits ${what}`);
    threw(() => idx.search(q, 5, { f32Query: v }), `f32Query ${what}`);
    threw(() => i8.searchBatch(q, 5, { f32Query: v }), `searchBatch f32Query ${what}`);
    threw(() => i8.searchRange(q, 5, { f32Query: v }), `searchRange f32Query ${what}`);
    checks += 5;
  }
  for (const key of [-1, 0.5, NaN, Infinity, 2 ** 64, -1n, 2n ** 64n, '1', null, undefined, {}, [1]]) {
    threw(() => idx.getVectors(key), `getVectors ${String(key)}`);
    threw(() => idx.add(key, q), `add ${String(key)}`);
    checks += 2;
  }
  // bad queries with f32Query
  for (const qq of [new Float32Array(dim).fill(NaN), new Float32Array(dim).fill(Infinity), [...q.slice(1), 1e300],
    new Float32Array(dim + 1), [], null, 'x', Array(dim).fill('1'), new BigInt64Array(dim), { length: dim }]) {
    threw(() => i8.search(qq, 3, { f32Query: true }), 'f32 query');
    threw(() => i8.searchRange(qq, 3, { f32Query: true }), 'f32 query range');
    checks += 2;
  }
  const f16 = new rv.Index(dim, { dtype: 'f16' });
  f16.add(1, new Uint16Array(dim).fill(0x3c00));
  threw(() => f16.search(new Uint16Array(dim).fill(0x3c00), 1, { f32Query: true }), 'f16 bit patterns as f32 query');
  assert.equal(f16.search(new Float32Array(dim).fill(1), 1, { f32Query: true }).distances[0], 0);
  f16.free();
  // bad multi vectors: NaN, wrong length, wrong type
  for (const vv of [new Float32Array(dim).fill(NaN), new Float32Array(dim - 1), 'x', null, new Int8Array(dim + 1)]) {
    threw(() => idx.add(1, vv), 'multi add vector');
    checks++;
  }
  assert.ok(checks > 100, `${checks} checks`);
  // the same indexes, and new ones, still answer as before
  assert.deepEqual(idx.search(q, 5), want);
  assert.deepEqual(idx.getVectors(4), wantV);
  assert.deepEqual(i8.search(q, 3, { f32Query: true }), want8);
  assert.equal(idx.count, 40);
  const fresh = new rv.Index(dim, { multi: true });
  fresh.addBatch(keys, data);
  assert.deepEqual(fresh.search(q, 5), want);
  assert.deepEqual(fresh.getVectors(4), wantV);
  const fresh8 = rv.Index.load(i8.save());
  assert.deepEqual(fresh8.search(q, 3, { f32Query: true }), want8);
  for (const x of [idx, i8, fresh, fresh8]) x.free();
});
