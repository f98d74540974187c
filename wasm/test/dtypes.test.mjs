// Element types (f16, bf16, i8, u8, binary), Hamming / Jaccard, range search, searchBatch,
// update / upsert and HNSW over binary and PQ codes, against an independent brute force in
// JavaScript: exact integers for i8 / u8 / binary, double precision over the decoded halves for
// f16 / bf16. Then hostile arguments: every bad call throws (TypeError / RangeError before any C
// call; RuvectorError with the C message for unsupported combinations) and the same index and a
// new one still answer exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rv from '../node.mjs';

await rv.init();

// ---- data and the reference -------------------------------------------------------------------
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** binary16 bit pattern -> its value (exact, as a double). */
function f16(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}
/** bfloat16 bit pattern -> its value (the top half of a float32). */
function bf16(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 7) & 255, m = h & 127;
  return e === 0 ? s * m * 2 ** -133 : s * (1 + m / 128) * 2 ** (e - 127);
}

const TYPES = {
  // n random vectors of dim, as the index's typed array; finite halves of magnitude 2^-6..4
  // (some subnormal); binary with random bits past dim (which the library must ignore)
  f16: { Arr: Uint16Array, len: (d) => d, value: f16,
    gen: (r) => (r() & 0x8000) | (r() % 8 === 0 ? r() % 1024 : ((9 + (r() % 9)) << 10) | (r() % 1024)) },
  bf16: { Arr: Uint16Array, len: (d) => d, value: bf16,
    gen: (r) => (r() & 0x8000) | ((121 + (r() % 9)) << 7) | (r() % 128) },
  i8: { Arr: Int8Array, len: (d) => d, value: (x) => x, gen: (r) => (r() % 256) - 128 },
  u8: { Arr: Uint8Array, len: (d) => d, value: (x) => x, gen: (r) => r() % 256 },
  binary: { Arr: Uint8Array, len: (d) => (d + 7) >> 3, gen: (r) => r() % 256 },
};

function gen(type, n, dim, seed) {
  const t = TYPES[type], r = rng(seed), v = new t.Arr(n * t.len(dim));
  for (let i = 0; i < v.length; i++) v[i] = t.gen(r);
  return v;
}

const popcount = (x) => { let c = 0; for (; x; x &= x - 1) c++; return c; };

/** The distance of metric between vectors a and b of type (double precision / exact integers). */
function dist(type, metric, dim, a, b) {
  if (type === 'binary') {
    let x = 0, and = 0, or = 0;
    for (let i = 0; i < a.length; i++) {
      const mask = i === a.length - 1 && dim % 8 ? (1 << (dim % 8)) - 1 : 255;
      const p = a[i] & mask, q = b[i] & mask;
      x += popcount(p ^ q);
      and += popcount(p & q);
      or += popcount(p | q);
    }
    return metric === 'hamming' ? x : or === 0 ? 0 : 1 - and / or;
  }
  const val = TYPES[type] ? TYPES[type].value : (x) => x;
  let s = 0, na = 0, nb = 0;
  for (let i = 0; i < dim; i++) {
    const x = val(a[i]), y = val(b[i]);
    if (metric === 'l2sq') s += (x - y) * (x - y);
    else if (metric === 'l1') s += Math.abs(x - y);
    else { s += x * y; na += x * x; nb += y * y; }
  }
  if (metric === 'ip') return 1 - s;
  if (metric === 'cosine') return na > 0 && nb > 0 ? 1 - s / Math.sqrt(na * nb) : 1;
  return s;
}

const exactMetric = (type, metric) => (type === 'i8' || type === 'u8' || type === 'binary') &&
  metric !== 'cosine' && metric !== 'jaccard';

/** All rows as [{row, d}] sorted by distance, then row (the flat index's order: slot = row). */
function ranked(type, metric, dim, data, q, keep) {
  const len = TYPES[type] ? TYPES[type].len(dim) : dim;
  const out = [];
  for (let r = 0; r < data.length / len; r++) {
    if (keep && !keep(r)) continue;
    out.push({ row: r, d: dist(type, metric, dim, q, data.subarray(r * len, (r + 1) * len)) });
  }
  return out.sort((x, y) => x.d - y.d || x.row - y.row);
}

const tolOf = (type, metric, d) => (exactMetric(type, metric) ? 0
  : type === 'binary' ? 1e-6 : 1e-4 * Math.max(1, Math.abs(d)));

/** Checks k-NN hits against the brute force: exact keys for integer metrics, else up to ties. */
function checkKnn(label, type, metric, dim, data, q, hits, k, keep) {
  const all = ranked(type, metric, dim, data, q, keep);
  const truth = all.slice(0, k);
  assert.equal(hits.keys.length, truth.length, `${label}: ${hits.keys.length} hits, want ${truth.length}`);
  const byRow = new Map(all.map((x) => [x.row, x.d]));
  const kth = truth.length ? truth[truth.length - 1].d : 0;
  for (let i = 0; i < hits.keys.length; i++) {
    const row = Number(hits.keys[i]);
    const d = byRow.get(row);
    assert.ok(d !== undefined, `${label}: hit ${row} not a candidate`);
    const tol = tolOf(type, metric, d);
    assert.ok(Math.abs(hits.distances[i] - d) <= tol, `${label}: hit ${row} distance ${hits.distances[i]}, exact ${d}`);
    assert.ok(d <= kth + tol, `${label}: hit ${row} at ${d} beyond the k-th exact distance ${kth}`);
    if (i) assert.ok(hits.distances[i] >= hits.distances[i - 1], `${label}: hits out of order`);
    if (exactMetric(type, metric)) assert.equal(row, truth[i].row, `${label}: hit ${i}`);
  }
}

const row = (v, len, i) => v.subarray(i * len, (i + 1) * len);

const COMBOS = [];
for (const type of ['f16', 'bf16', 'i8', 'u8']) for (const metric of ['l2sq', 'ip', 'cosine', 'l1']) COMBOS.push([type, metric]);
COMBOS.push(['binary', 'hamming'], ['binary', 'jaccard']);

// ---- k-NN, getVector, searchBatch, update / upsert, save / load on flat indexes ---------------
test('typed flat indexes: k-NN equal to the brute force for every (dtype, metric) pair', () => {
  const dim = 37, n = 500, nq = 12;
  for (const [type, metric] of COMBOS) {
    const label = `${type}/${metric}`;
    const len = TYPES[type].len(dim);
    const data = gen(type, n, dim, 11);
    const qs = gen(type, nq, dim, 99);
    const ix = new rv.Index(dim, { dtype: type, metric });
    assert.equal(ix.dtype, type);
    assert.equal(ix.config().dtype, type);
    assert.equal(ix.config().metric, metric);
    // half by one batch, the rest one by one (add, put, and upsert of new keys)
    ix.addBatch(Array.from({ length: n / 2 }, (_, i) => i), data.subarray(0, (n / 2) * len));
    for (let i = n / 2; i < n; i++) {
      if (i % 3 === 0) ix.add(i, row(data, len, i));
      else if (i % 3 === 1) ix.put(BigInt(i), row(data, len, i));
      else ix.upsert(i, row(data, len, i));
    }
    assert.equal(ix.count, n);
    for (let q = 0; q < nq; q++) checkKnn(`${label} q${q}`, type, metric, dim, data, row(qs, len, q), ix.search(row(qs, len, q), 10), 10);
    // getVector: the array type, as given (binary: bits past dim cleared)
    for (const i of [0, 7, n - 1]) {
      const got = ix.getVector(i);
      assert.ok(got instanceof TYPES[type].Arr, `${label}: getVector type ${got.constructor.name}`);
      const want = TYPES[type].Arr.from(row(data, len, i));
      if (type === 'binary' && dim % 8) want[len - 1] &= (1 << (dim % 8)) - 1;
      assert.deepEqual(got, want, `${label}: getVector(${i})`);
    }
    // searchBatch = search per query
    const batch = ix.searchBatch(qs, 7);
    assert.equal(batch.length, nq);
    for (let q = 0; q < nq; q++) {
      const one = ix.search(row(qs, len, q), 7);
      assert.deepEqual(batch[q].keys, one.keys, `${label}: searchBatch keys q${q}`);
      assert.deepEqual(batch[q].distances, one.distances, `${label}: searchBatch distances q${q}`);
    }
    // a filtered search (allow-list: even keys)
    const allow = new Uint8Array(Math.ceil(n / 8)).fill(0x55);
    checkKnn(`${label} allow`, type, metric, dim, data, row(qs, len, 0), ix.search(row(qs, len, 0), 10, { allow }), 10, (r) => r % 2 === 0);
    // update: row 3 gets query 0's vector (distance 0 for l2sq / l1 / hamming)
    ix.update(3, row(qs, len, 0));
    const upd = TYPES[type].Arr.from(row(qs, len, 0));
    if (type === 'binary' && dim % 8) upd[len - 1] &= (1 << (dim % 8)) - 1;
    assert.deepEqual(ix.getVector(3), upd, `${label}: getVector after update`);
    data.set(row(qs, len, 0), 3 * len);
    checkKnn(`${label} updated`, type, metric, dim, data, row(qs, len, 1), ix.search(row(qs, len, 1), 10), 10);
    // save / load keeps the type and the answers
    const back = rv.Index.load(ix.save());
    assert.equal(back.dtype, type);
    const a = ix.search(row(qs, len, 2), 10), b = back.search(row(qs, len, 2), 10);
    assert.deepEqual(b.keys, a.keys);
    assert.deepEqual(b.distances, a.distances);
    assert.deepEqual(back.getVector(5), ix.getVector(5));
    back.free();
    ix.free();
  }
});

test('plain arrays: integers accepted for i8 / u8 / binary, equal to the typed array', () => {
  const ix = new rv.Index(5, { dtype: 'i8', metric: 'l2sq' });
  ix.add(1, [-128, 127, 0, 5, -5]);
  ix.addBatch([2, 3], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  assert.deepEqual(ix.getVector(1), new Int8Array([-128, 127, 0, 5, -5]));
  const r = ix.search([1, 1, 1, 1, 2], 3);
  assert.deepEqual(Array.from(r.keys), [2n, 3n, 1n]);
  assert.deepEqual(Array.from(r.distances), [1, 4, 129 * 129 + 126 * 126 + 1 + 16 + 49]);
  ix.free();
  const b = new rv.Index(12, { dtype: 'binary', metric: 'hamming' });
  b.add(1, [0xff, 0xff]); // bits 12..15 past dim: ignored, and cleared in getVector
  assert.deepEqual(b.getVector(1), new Uint8Array([0xff, 0x0f]));
  assert.deepEqual(Array.from(b.search(new Uint8Array([0, 0]), 1).distances), [12]);
  b.free();
});

// ---- range search -----------------------------------------------------------------------------
/** Radii that separate distances: exact values for integer metrics (the boundary included),
    midpoints of gaps wider than the tolerance otherwise. */
function radii(type, metric, all, at) {
  const out = [];
  for (const j of at) {
    if (j >= all.length) continue;
    if (exactMetric(type, metric)) { out.push(all[j].d); continue; }
    for (let i = j; i + 1 < all.length; i++) {
      const gap = all[i + 1].d - all[i].d;
      if (gap > 4 * tolOf(type, metric, all[i].d) + 1e-6) { out.push(Math.fround((all[i].d + all[i + 1].d) / 2)); break; }
    }
  }
  return out;
}

function checkRange(label, type, metric, all, r, radius, cap) {
  const want = all.filter((x) => x.d <= radius);
  assert.equal(r.total, want.length, `${label}: total ${r.total}, brute force ${want.length} within ${radius}`);
  const n = Math.min(want.length, cap === undefined ? Infinity : cap);
  assert.equal(r.keys.length, n, `${label}: ${r.keys.length} hits`);
  const d = new Map(all.map((x) => [x.row, x.d]));
  for (let i = 0; i < n; i++) {
    const row = Number(r.keys[i]);
    assert.ok(Math.abs(r.distances[i] - d.get(row)) <= tolOf(type, metric, d.get(row)), `${label}: distance of ${row}`);
    assert.ok(d.get(row) <= radius, `${label}: ${row} outside the radius`);
    if (exactMetric(type, metric)) assert.equal(row, want[i].row, `${label}: hit ${i}`);
    if (i) assert.ok(r.distances[i] >= r.distances[i - 1], `${label}: order`);
  }
  if (cap === undefined && !exactMetric(type, metric)) {
    assert.deepEqual(new Set(Array.from(r.keys, Number)), new Set(want.map((x) => x.row)), `${label}: the set`);
  }
}

test('searchRange on flat indexes equals the brute force (every type, caps, allow-lists)', () => {
  const dim = 29, n = 400;
  const combos = [['f32', 'l2sq'], ['f32', 'ip'], ...COMBOS];
  for (const [type, metric] of combos) {
    const label = `range ${type}/${metric}`;
    const len = TYPES[type] ? TYPES[type].len(dim) : dim;
    let data, qs;
    if (type === 'f32') {
      const r = rng(5);
      data = Float32Array.from({ length: n * dim }, () => r() / 2 ** 31 - 1);
      qs = Float32Array.from({ length: 4 * dim }, () => r() / 2 ** 31 - 1);
    } else {
      data = gen(type, n, dim, 21);
      qs = gen(type, 4, dim, 77);
    }
    const ix = new rv.Index(dim, { dtype: type, metric });
    ix.addBatch(Array.from({ length: n }, (_, i) => i), data);
    for (let q = 0; q < 4; q++) {
      const query = row(qs, len, q);
      const all = ranked(type, metric, dim, data, query);
      for (const radius of radii(type, metric, all, [0, 4, 49, 199])) {
        checkRange(`${label} q${q} r${radius}`, type, metric, all, ix.searchRange(query, radius), radius);
        checkRange(`${label} q${q} r${radius} cap 3`, type, metric, all, ix.searchRange(query, radius, { cap: 3 }), radius, 3);
        const c = ix.searchRange(query, radius, { cap: 0 });
        assert.equal(c.keys.length, 0);
        checkRange(`${label} q${q} r${radius} count`, type, metric, all, c, radius, 0);
        const allow = new Uint8Array(Math.ceil(n / 8)).fill(0xaa); // odd keys
        const odd = all.filter((x) => x.row % 2 === 1);
        checkRange(`${label} q${q} r${radius} allow`, type, metric, odd, ix.searchRange(query, radius, { allow }), radius);
      }
      assert.equal(ix.searchRange(query, Infinity).total, n);
      assert.equal(ix.searchRange(query, metric === 'ip' ? -1e30 : -1).total, 0);
    }
    ix.free();
  }
  // an empty index
  const e = new rv.Index(3, { dtype: 'u8' });
  assert.deepEqual(e.searchRange([1, 2, 3], 100), { keys: new BigUint64Array(0), distances: new Float32Array(0), total: 0 });
  e.free();
});

test('searchRange on HNSW: no false hits, recall against the brute force (reported)', (t) => {
  const cases = [['u8', 'l2sq', 16], ['binary', 'hamming', 128], ['f16', 'cosine', 24]];
  for (const [type, metric, dim] of cases) {
    const n = 3000, len = TYPES[type].len(dim);
    // clustered data: 30 centres with small perturbations (range queries with real neighbourhoods)
    const r = rng(9), centres = gen(type, 30, dim, 3), data = new TYPES[type].Arr(n * len);
    for (let i = 0; i < n; i++) {
      const c = r() % 30;
      for (let j = 0; j < len; j++) {
        let x = centres[c * len + j];
        if (type === 'u8') x = Math.max(0, Math.min(255, x + (r() % 41) - 20));
        else if (type === 'binary') x ^= r() % 8 === 0 ? 1 << (r() % 8) : 0;
        else x = (x & ~7) | (r() % 8); // f16: the low mantissa bits
        data[i * len + j] = x;
      }
    }
    const ix = new rv.Index(dim, { dtype: type, metric, kind: 'hnsw', seed: 1 });
    ix.addBatch(Array.from({ length: n }, (_, i) => i), data);
    let found = 0, want = 0, hits = 0;
    for (let q = 0; q < 20; q++) {
      const query = row(data, len, (q * 149) % n);
      const all = ranked(type, metric, dim, data, query);
      const [radius] = radii(type, metric, all, [60]);
      const truth = new Set(all.filter((x) => x.d <= radius).map((x) => x.row));
      const res = ix.searchRange(query, radius);
      assert.equal(res.keys.length, res.total);
      for (let i = 0; i < res.keys.length; i++) {
        const rr = Number(res.keys[i]);
        assert.ok(truth.has(rr), `hnsw range ${type}: ${rr} is not within ${radius}`);
        if (i) assert.ok(res.distances[i] >= res.distances[i - 1]);
      }
      found += res.total;
      want += truth.size;
      const knn = ix.search(query, 10);
      hits += checkRecall(all, knn, 10, type, metric);
    }
    const recall = found / want;
    t.diagnostic(`HNSW range recall ${type}/${metric} (dim ${dim}, n ${n}, ~60 per query): ${recall.toFixed(4)}; k-NN recall@10 ${(hits / 200).toFixed(4)}`);
    assert.ok(recall >= 0.9, `HNSW range recall ${type}/${metric}: ${recall}`);
    assert.ok(hits / 200 >= 0.9, `HNSW recall@10 ${type}/${metric}: ${hits / 200}`);
    ix.free();
  }
});

/** Hits of knn among the exact k nearest (up to ties: within the k-th distance). */
function checkRecall(all, knn, k, type, metric) {
  const kth = all[k - 1].d, d = new Map(all.map((x) => [x.row, x.d]));
  let good = 0;
  for (const key of knn.keys) if (d.get(Number(key)) <= kth + tolOf(type, metric, kth)) good++;
  return good;
}

// ---- HNSW over binary and PQ codes (refused before ruvector.h 0.2) -----------------------------
test('HNSW over BIN and PQ codes: builds, searches with re-ranking, recall reported', (t) => {
  const dim = 32, n = 2000, r = rng(17);
  const centres = Float32Array.from({ length: 20 * dim }, () => r() / 2 ** 31 - 1);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = r() % 20;
    for (let j = 0; j < dim; j++) data[i * dim + j] = centres[c * dim + j] + (r() / 2 ** 32 - 0.5) * 0.6;
  }
  for (const [quant, extra, floor] of [['bin', { rerank: 16 }, 0.85], ['pq', { pqM: 8, rerank: 8 }, 0.9],
    ['pq', { pqM: 8, dropF32: true }, 0.4]]) {
    const ix = new rv.Index(dim, { metric: 'l2sq', kind: 'hnsw', quant, seed: 2, ...extra });
    assert.equal(ix.config().kind, 'hnsw');
    assert.equal(ix.config().quant, quant);
    if (quant === 'pq') assert.equal(ix.config().pqM, 8);
    ix.train(data);
    ix.addBatch(Array.from({ length: n }, (_, i) => i), data);
    let good = 0;
    for (let q = 0; q < 50; q++) {
      const query = data.subarray(((q * 37) % n) * dim, ((q * 37) % n + 1) * dim);
      const all = ranked('f32', 'l2sq', dim, data, query);
      good += checkRecall(all, ix.search(query, 10), 10, 'f32', 'l2sq');
    }
    const recall = good / 500;
    t.diagnostic(`HNSW over ${quant} ${JSON.stringify(extra)}: recall@10 ${recall.toFixed(3)}`);
    assert.ok(recall >= floor, `HNSW ${quant}: recall@10 ${recall}`);
    ix.free();
  }
});

// ---- hostile arguments ------------------------------------------------------------------------
test('hostile arguments on typed indexes: each throws, the index and a new one still answer', () => {
  const dim = 10;
  for (const type of ['f32', 'f16', 'bf16', 'i8', 'u8', 'binary']) {
    const metric = type === 'binary' ? 'hamming' : 'l2sq';
    const len = TYPES[type] ? TYPES[type].len(dim) : dim;
    const data = type === 'f32' ? Float32Array.from({ length: 50 * dim }, (_, i) => (i * 7919) % 13 - 6) : gen(type, 50, dim, 4);
    const Arr = type === 'f32' ? Float32Array : TYPES[type].Arr;
    const good = data.subarray(0, len);
    const ix = new rv.Index(dim, { dtype: type, metric });
    ix.addBatch(Array.from({ length: 50 }, (_, i) => i), data);
    const before = ix.search(good, 5), beforeRange = ix.searchRange(good, before.distances[3]);
    const wrongArr = { f32: new Float64Array(len + 1), f16: new Uint8Array(len), bf16: new Int16Array(len), i8: new Uint8Array(len),
      u8: new Int8Array(len), binary: new Uint16Array(len) }[type];
    const bad = [
      ['wrong typed array', wrongArr],
      ['short', new Arr(len - 1)], ['long', new Arr(len + 1)], ['empty', new Arr(0)],
      ['null', null], ['a string', 'abc'], ['an object', { length: len }], ['a number', 3],
      ['NaN array', new Array(len).fill(NaN)], ['fraction array', new Array(len).fill(1.5)],
      ['strings array', new Array(len).fill('1')], ['short array', new Array(len - 1).fill(0)],
      ['BigInt64Array', new BigInt64Array(len)], ['DataView', new DataView(new ArrayBuffer(len * 4))],
    ];
    if (type === 'i8') bad.push(['128', new Array(len).fill(128)], ['-129', new Array(len).fill(-129)]);
    if (type === 'u8' || type === 'binary') bad.push(['-1', new Array(len).fill(-1)], ['256', new Array(len).fill(256)]);
    if (type === 'f16') bad.push(['+Inf', Uint16Array.of(...new Array(len).fill(0), 0x7c00).subarray(1)], ['NaN', new Uint16Array(len).fill(0x7e00)]);
    if (type === 'bf16') bad.push(['-Inf', new Uint16Array(len).fill(0xff80)], ['NaN', new Uint16Array(len).fill(0x7fc0)]);
    if (type === 'f32') bad.push(['Infinity', new Float32Array(len).fill(Infinity)], ['1e39 array', new Array(len).fill(1e39)]);
    // f32 keeps accepting other numeric typed arrays (converted) and arrays of numbers
    if (type === 'f32') bad.splice(0, 1);
    if (type === 'f32') bad.splice(bad.findIndex(([w]) => w === 'fraction array'), 1);
    const calls = [];
    for (const [what, v] of bad) {
      calls.push([`add(${what})`, () => ix.add(1000, v)]);
      calls.push([`put(${what})`, () => ix.put(1001, v, 'x')]);
      calls.push([`update(${what})`, () => ix.update(0, v)]);
      calls.push([`upsert(${what})`, () => ix.upsert(1002, v)]);
      calls.push([`search(${what})`, () => ix.search(v, 3)]);
      calls.push([`searchRange(${what})`, () => ix.searchRange(v, 100)]);
      calls.push([`addBatch(${what})`, () => ix.addBatch([1003], v)]);
      if (what !== 'empty') calls.push([`searchBatch(${what})`, () => ix.searchBatch(v, 3)]);
    }
    for (const radius of [NaN, '1', null, undefined, 1n, {}]) calls.push([`searchRange radius ${String(radius)}`, () => ix.searchRange(good, radius)]);
    for (const cap of [-1, 1.5, 2 ** 32, NaN, '3']) calls.push([`searchRange cap ${cap}`, () => ix.searchRange(good, 1, { cap })]);
    for (const efSearch of [-1, 0.5, 70000]) calls.push([`searchRange efSearch ${efSearch}`, () => ix.searchRange(good, 1, { efSearch })]);
    calls.push(['searchRange allow Array', () => ix.searchRange(good, 1, { allow: [1, 2] })]);
    calls.push(['searchRange options string', () => ix.searchRange(good, 1, 'x')]);
    calls.push(['searchBatch k -1', () => ix.searchBatch(good, -1)]);
    calls.push(['addBatch 2 keys 1 vector', () => ix.addBatch([2000, 2001], good)]);
    calls.push(['update absent key', () => ix.update(5000, good)]); // RuvectorError -7 (C)
    calls.push(['update no vector', () => ix.update(0)]);
    calls.push(['add existing key', () => ix.add(0, good)]); // RuvectorError -4 (C)
    for (const [what, fn] of calls) {
      assert.throws(fn, (e) => {
        const ok = e instanceof TypeError || e instanceof RangeError || e instanceof rv.RuvectorError;
        assert.ok(ok, `${type} ${what}: ${e && e.constructor.name} ${e && e.message}`);
        assert.match(e.message, /^ruvector: /, `${type} ${what}`);
        return true;
      }, `${type} ${what} did not throw`);
    }
    assert.equal(ix.count, 50, `${type}: count after the barrage`);
    assert.ok(!ix.has(1000) && !ix.has(1001) && !ix.has(1002) && !ix.has(1003));
    const after = ix.search(good, 5), afterRange = ix.searchRange(good, before.distances[3]);
    assert.deepEqual(after, before, `${type}: search after the barrage`);
    assert.deepEqual(afterRange, beforeRange, `${type}: searchRange after the barrage`);
    const fresh = new rv.Index(dim, { dtype: type, metric });
    fresh.addBatch(Array.from({ length: 50 }, (_, i) => i), data);
    assert.deepEqual(fresh.search(good, 5), before, `${type}: a new index`);
    fresh.free();
    ix.free();
  }
});

test('unsupported (dtype, metric, quant) combinations: RuvectorError with the C message', () => {
  const bad = [
    { dtype: 'binary' }, // l2sq on bits
    { dtype: 'binary', metric: 'cosine' },
    { metric: 'hamming' }, // f32 with Hamming
    { dtype: 'u8', metric: 'jaccard' },
    { dtype: 'i8', quant: 'sq8' },
    { dtype: 'f16', quant: 'pq' },
    { dtype: 'binary', metric: 'hamming', quant: 'bin' },
    { metric: 'l1', quant: 'pq' },
  ];
  for (const o of bad) {
    assert.throws(() => new rv.Index(16, o), (e) => {
      assert.ok(e instanceof rv.RuvectorError, `${JSON.stringify(o)}: ${e.constructor.name}`);
      assert.equal(e.code, -6);
      assert.match(e.message, /not supported/);
      return true;
    }, JSON.stringify(o));
  }
  for (const [o, Cls] of [[{ dtype: 'float' }, RangeError], [{ dtype: 5 }, TypeError], [{ metric: 'custom' }, RangeError],
    [{ dtype: 'F16' }, RangeError], [{ pqM: -1 }, RangeError], [{ pqM: 1.5 }, RangeError]]) {
    assert.throws(() => new rv.Index(16, o), Cls, JSON.stringify(o));
  }
  // PQ with pqM not dividing dim: C's RUV_E_ARG
  assert.throws(() => new rv.Index(16, { quant: 'pq', pqM: 5 }), (e) => e instanceof rv.RuvectorError && e.code === -1);
  // a supported one still works after the refusals
  const ok = new rv.Index(16, { dtype: 'binary', metric: 'jaccard', kind: 'hnsw' });
  ok.add(1, new Uint8Array([3, 0]));
  assert.deepEqual(Array.from(ok.search(new Uint8Array([1, 0]), 1).distances), [0.5]);
  ok.free();
});
