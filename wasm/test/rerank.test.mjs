// rerankDtype (ruv_index_options.rerank_dtype): quantized storage keeps its re-ranking copies as
// f32 (default), f16 or bf16. Checked against the input in JavaScript doubles: config() reports
// the type (also after save / load), the copies take 2 bytes per dimension instead of 4 (stats,
// memoryUsage), getVector returns each value within half an ulp of the 16-bit type (and exactly
// a value of that type), re-ranked distances are within the bound that rounding allows of the
// double-precision distance (and within f32 accumulation of the distance to the stored copy),
// recall@10 against the exact neighbours, a reloaded index gives the same hits, f16 copies refuse
// |x| >= 65520 (the index unchanged); hostile option values throw before any C call and leave
// the module working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rv from '../node.mjs';

await rv.init();

const TYPES = ['f32', 'f16', 'bf16'];
const REL = { f32: 0, f16: 2 ** -11, bf16: 2 ** -8 }; // half an ulp, relative

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

/** n x dim floats: mostly in -1..1, one value in ten scaled by 2^-6..2^2 (several binades,
    f16 subnormals included), as float32. */
function data(n, dim, seed) {
  const r = rng(seed), v = new Float32Array(n * dim);
  for (let i = 0; i < v.length; i++) {
    const x = 2 * r() - 1;
    v[i] = i % 10 === 3 ? x * 2 ** Math.floor(9 * r() - 6) : x;
  }
  return v;
}

/** Half an ulp of x (a double) in type t, at x's binade (subnormals: the smallest binade's). */
function halfUlp(x, t) {
  const a = Math.abs(x);
  if (t === 'f32' || a === 0) return 0;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return t === 'bf16' ? 2 ** (Math.max(e, -126) - 8) : 2 ** (Math.max(e, -14) - 11);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** x (a float32 value) is a value of type t. */
function representable(x, t) {
  if (t === 'f32' || x === 0) return true;
  if (t === 'bf16') {
    f32[0] = x;
    return (u32[0] & 0xffff) === 0;
  }
  const a = Math.abs(x); // f16: at most 11 significant bits, no value below 2^-24
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return a < 65520 && Number.isInteger(a * 2 ** (10 - Math.max(e, -14)));
}

function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Exact top-k keys (double precision) of every query. */
function exactTop(metric, base, n, dim, qs, nq, k) {
  const out = [];
  const norms = Array.from({ length: n }, (_, i) => Math.sqrt(dot(base.subarray(i * dim, (i + 1) * dim),
    base.subarray(i * dim, (i + 1) * dim))));
  for (let q = 0; q < nq; q++) {
    const qv = qs.subarray(q * dim, (q + 1) * dim), qn = Math.sqrt(dot(qv, qv));
    const d = [];
    for (let i = 0; i < n; i++) {
      const x = base.subarray(i * dim, (i + 1) * dim);
      if (metric === 'l2sq') {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (qv[j] - x[j]) ** 2;
        d.push([s, i]);
      } else {
        d.push([1 - dot(qv, x) / (qn * norms[i]), i]);
      }
    }
    d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(new Set(d.slice(0, k).map((e) => e[1])));
  }
  return out;
}

const n = 2000, dim = 48, nq = 30, k = 10;
const base = data(n, dim, 41), qs = data(nq, dim, 42);
const row = (v, i) => v.subarray(i * dim, (i + 1) * dim);
const keys = Array.from({ length: n }, (_, i) => i);
const truth = { l2sq: exactTop('l2sq', base, n, dim, qs, nq, k), cosine: exactTop('cosine', base, n, dim, qs, nq, k) };

function build(metric, rd, kind = 'flat', extra = {}) {
  const ix = new rv.Index(dim, { metric, kind, quant: 'sq8', capacity: n, seed: 5, ...extra,
    ...(rd === undefined ? {} : { rerankDtype: rd }) });
  ix.train(base);
  ix.addBatch(keys, base);
  return ix;
}

for (const metric of ['l2sq', 'cosine']) {
  test(`rerankDtype f32 / f16 / bf16 (SQ8, flat, ${metric}): config, 2 bytes per dimension, values, distances, recall, reload`, () => {
    const byType = {};
    for (const rd of TYPES) {
      const ix = build(metric, rd);
      const c = ix.config();
      assert.equal(c.rerankDtype, rd);
      assert.equal(c.quant, 'sq8');
      assert.equal(c.dropF32, false);
      // memory: the copies are the vector bytes, capacity x dim x 4 or 2
      const st = ix.stats();
      assert.equal(st.vectorBytes, st.capacity * dim * (rd === 'f32' ? 4 : 2), `${rd} vectorBytes`);
      assert.equal(ix.memoryUsage, st.totalBytes);
      byType[rd] = { st, mem: ix.memoryUsage };

      // getVector: the input (normalised for cosine) rounded to rd, within half an ulp
      const rel = REL[rd];
      for (let i = 0; i < n; i += 7) {
        const x = row(base, i), got = ix.getVector(i);
        const norm = metric === 'cosine' ? Math.sqrt(dot(x, x)) : 1;
        for (let j = 0; j < dim; j++) {
          const want = x[j] / norm; // double
          // cosine: the library normalises in float32 first (at most 2^-24 relative)
          const tol = halfUlp(want, rd) * (1 + 2 ** -20) + (metric === 'cosine' ? 2 ** -24 * Math.abs(want) : 0);
          assert.ok(Math.abs(got[j] - want) <= tol,
            `${rd} ${metric} key ${i}[${j}]: ${got[j]} for ${want} (tolerance ${tol})`);
          assert.ok(representable(got[j], rd), `${rd} key ${i}[${j}]: ${got[j]} is no ${rd} value`);
          if (rd === 'f32' && metric === 'l2sq') assert.equal(got[j], x[j]);
        }
      }

      // search, re-ranking 10 x k: distances against the double-precision distance to the input
      // (the rounding bound of the copies) and to the stored copy (f32 accumulation only)
      let hit = 0;
      const before = [];
      for (let q = 0; q < nq; q++) {
        const qv = row(qs, q);
        const h = ix.search(qv, k, { rerank: 10 });
        assert.equal(h.keys.length, k);
        before.push(h);
        const qq = dot(qv, qv);
        for (let j = 0; j < k; j++) {
          const key = Number(h.keys[j]), x = row(base, key), d = h.distances[j];
          if (truth[metric][q].has(key)) hit++;
          const xx = dot(x, x), qx = dot(qv, x);
          let exact, tol;
          if (metric === 'l2sq') {
            exact = qq + xx - 2 * qx;
            tol = 2 * Math.sqrt(Math.max(exact, 0)) * rel * Math.sqrt(xx) + rel * rel * xx + 1e-5 * (qq + xx);
          } else {
            exact = 1 - qx / Math.sqrt(qq * xx);
            tol = 2 * rel + 1e-5;
          }
          assert.ok(Math.abs(d - exact) <= tol, `${rd} ${metric} q${q} hit ${j}: ${d} vs ${exact} (tolerance ${tol})`);
          const s = ix.getVector(key); // the stored copy, widened
          const ss = dot(s, s), qs_ = dot(qv, s);
          const stored = metric === 'l2sq' ? qq + ss - 2 * qs_ : 1 - qs_ / Math.sqrt(qq);
          assert.ok(Math.abs(d - stored) <= 1e-5 * (metric === 'l2sq' ? qq + ss : 1),
            `${rd} ${metric} q${q} hit ${j}: ${d} vs ${stored} over the stored copy`);
        }
        for (let j = 1; j < k; j++) assert.ok(h.distances[j - 1] <= h.distances[j]);
        // range search (exact on a flat index) measures on the same copies: every hit inside the
        // 10th distance, with the same distance
        const r = ix.searchRange(qv, h.distances[k - 1]);
        assert.ok(r.total >= k);
        const byKey = new Map(Array.from(r.keys, (kk, i) => [kk, r.distances[i]]));
        for (let j = 0; j < k; j++) assert.equal(byKey.get(h.keys[j]), h.distances[j], `${rd} range q${q}`);
      }
      const recall = hit / (nq * k);
      assert.ok(recall >= 0.99, `${rd} ${metric}: recall@10 ${recall}`);

      // save / load: the type, the bytes and the same hits
      const bytes = ix.save();
      const back = rv.Index.load(bytes);
      assert.equal(back.config().rerankDtype, rd);
      assert.deepEqual(back.config(), c);
      assert.equal(back.stats().vectorBytes, back.stats().capacity * dim * (rd === 'f32' ? 4 : 2));
      for (let q = 0; q < nq; q++) {
        const h = back.search(row(qs, q), k, { rerank: 10 });
        assert.deepEqual(h.keys, before[q].keys);
        assert.deepEqual(h.distances, before[q].distances);
      }
      assert.deepEqual(back.getVector(11), ix.getVector(11));
      assert.deepEqual(back.save(), bytes);
      back.free();
      ix.free();
    }
    // the 16-bit copies save capacity x dim x 2 bytes against f32, the rest unchanged
    for (const rd of ['f16', 'bf16']) {
      assert.equal(byType.f32.st.capacity, byType[rd].st.capacity);
      assert.equal(byType.f32.mem - byType[rd].mem, byType.f32.st.capacity * dim * 2, rd);
      assert.equal(byType.f32.st.codeBytes, byType[rd].st.codeBytes);
    }
  });
}

test('rerankDtype on HNSW over SQ8 and over bf16 codes, searchRange and searchBatch use the copies; reload gives the same hits', () => {
  for (const [quant, rd] of [['sq8', 'bf16'], ['sq8', 'f16'], ['bf16', 'f16'], ['f16', 'bf16']]) {
    const ix = new rv.Index(dim, { metric: 'l2sq', kind: 'hnsw', quant, rerankDtype: rd, capacity: n, seed: 9 });
    if (quant === 'sq8') ix.train(base);
    ix.addBatch(keys, base);
    assert.equal(ix.config().rerankDtype, rd);
    assert.equal(ix.stats().vectorBytes, ix.stats().capacity * dim * 2);
    let hit = 0;
    const batch = ix.searchBatch(qs, k, { efSearch: 128, rerank: 10 });
    for (let q = 0; q < nq; q++) {
      const h = ix.search(row(qs, q), k, { efSearch: 128, rerank: 10 });
      assert.deepEqual(batch[q].keys, h.keys);
      assert.deepEqual(batch[q].distances, h.distances);
      for (const key of h.keys) if (truth.l2sq[q].has(Number(key))) hit++;
      // range search up to the 10th distance: the distances of the copies (= k-NN's)
      const r = ix.searchRange(row(qs, q), h.distances[k - 1], { efSearch: 128 });
      const byKey = new Map(Array.from(r.keys, (kk, i) => [kk, r.distances[i]]));
      for (let j = 0; j < k; j++) {
        if (byKey.has(h.keys[j])) assert.equal(byKey.get(h.keys[j]), h.distances[j]);
      }
    }
    assert.ok(hit / (nq * k) >= 0.95, `${quant} / ${rd}: recall@10 ${hit / (nq * k)}`);
    const back = rv.Index.load(ix.save());
    assert.equal(back.config().rerankDtype, rd);
    for (let q = 0; q < nq; q++) {
      const a = ix.search(row(qs, q), k, { efSearch: 128, rerank: 10 });
      const b = back.search(row(qs, q), k, { efSearch: 128, rerank: 10 });
      assert.deepEqual(b.keys, a.keys);
      assert.deepEqual(b.distances, a.distances);
    }
    back.free();
    ix.free();
  }
});

test('rerankDtype f16 refuses |x| >= 65520 (RuvectorError -3, index unchanged); bf16 takes it', () => {
  const big = new Float32Array(dim).fill(0.5);
  big[3] = 70000;
  for (const rd of ['f16', 'bf16']) {
    const ix = build('l2sq', rd);
    const save = ix.save();
    if (rd === 'f16') {
      assert.throws(() => ix.add(5000, big), (e) => e instanceof rv.RuvectorError && e.code === -3);
      const batch = new Float32Array(3 * dim).fill(0.25);
      batch.set(big, dim);
      assert.throws(() => ix.addBatch([5001, 5002, 5003], batch), (e) => e instanceof rv.RuvectorError && e.code === -3);
      assert.throws(() => ix.upsert(7, big), (e) => e instanceof rv.RuvectorError && e.code === -3);
      assert.equal(ix.count, n);
      assert.ok(!ix.has(5000) && !ix.has(5002));
      assert.deepEqual(ix.save(), save); // nothing changed
      big[3] = 65504; // the largest f16
      ix.add(5000, big);
      assert.equal(ix.getVector(5000)[3], 65504);
      big[3] = 70000;
    } else {
      ix.add(5000, big);
      assert.equal(ix.getVector(5000)[3], 70144); // 70000 to 8 significant bits
    }
    assert.equal(ix.count, n + 1);
    assert.equal(ix.search(row(qs, 0), k).keys.length, k);
    ix.free();
  }
});

test('rerankDtype: defaults, f32 allowed everywhere, VectorDB passes it through and reloads it', () => {
  const a = new rv.Index(4);
  assert.equal(a.config().rerankDtype, 'f32');
  a.free();
  for (const o of [{ rerankDtype: 'f32' }, { rerankDtype: undefined }, { rerankDtype: null }, { quant: 'sq8', rerankDtype: null },
    { quant: 'sq8', dropF32: true, rerankDtype: 'f32' },
    { quant: 'sq8' }, { dtype: 'i8', rerankDtype: 'f32' }]) {
    const ix = new rv.Index(4, o);
    assert.equal(ix.config().rerankDtype, 'f32', JSON.stringify(o));
    ix.free();
  }
  // VectorDB: 16-bit codes need no training; bf16 codes with f16 copies
  const db = new rv.VectorDB(dim, 'euclidean', true, { quant: 'bf16', rerankDtype: 'f16', capacity: 64 });
  const ref = new rv.VectorDB(dim, 'euclidean', true, { quant: 'bf16', capacity: 64 });
  for (let i = 0; i < 50; i++) {
    db.insert(row(base, i), `v${i}`, { i });
    ref.insert(row(base, i), `v${i}`, { i });
  }
  assert.equal(db.memoryUsage().vectorBytes, db.memoryUsage().capacity * dim * 2);
  assert.equal(ref.memoryUsage().vectorBytes, ref.memoryUsage().capacity * dim * 4);
  const e = db.get('v7');
  for (let j = 0; j < dim; j++) {
    const x = base[7 * dim + j];
    assert.ok(Math.abs(e.vector[j] - x) <= halfUlp(x, 'f16'), `${e.vector[j]} for ${x}`);
  }
  assert.deepEqual(e.metadata, { i: 7 });
  const hits = db.search(row(qs, 0), 5);
  const back = rv.VectorDB.load(db.save());
  assert.equal(back._ix.config().rerankDtype, 'f16');
  assert.deepEqual(back.search(row(qs, 0), 5).map((h) => [h.id, h.score]), hits.map((h) => [h.id, h.score]));
  for (const d of [db, ref, back]) d.free();
});

test('rerankDtype: hostile values throw TypeError / RangeError naming the option; nothing broken afterwards', () => {
  const ref = build('l2sq', 'bf16');
  const want = Array.from({ length: nq }, (_, q) => ref.search(row(qs, q), k));
  const live = rv.memoryStats().liveIndexes;
  const cases = [
    [{ quant: 'sq8', rerankDtype: 'F16' }, RangeError, /rerankDtype must be one of f32, f16, bf16, got the string "F16"/],
    [{ quant: 'sq8', rerankDtype: 3 }, TypeError, /rerankDtype must be one of .*got 3/],
    [{ quant: 'sq8', rerankDtype: 1 }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: {} }, TypeError, /rerankDtype must be one of .*got an object/],
    [{ quant: 'sq8', rerankDtype: [] }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: true }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: 2n }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: Symbol('bf16') }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: { toString: () => 'bf16' } }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: new String('bf16') }, TypeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: 'i8' }, RangeError, /rerankDtype must be one of f32, f16, bf16, got the string "i8"/],
    [{ quant: 'sq8', rerankDtype: 'u8' }, RangeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: 'binary' }, RangeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: '' }, RangeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: 'bf16 ' }, RangeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: '__proto__' }, RangeError, /rerankDtype/],
    [{ quant: 'sq8', rerankDtype: 'toString' }, RangeError, /rerankDtype/],
    [{ rerankDtype: 'bf16' }, RangeError, /rerankDtype 'bf16' .*needs quant .*got quant 'none'/],
    [{ quant: 'none', rerankDtype: 'f16' }, RangeError, /rerankDtype 'f16' .*got quant 'none'/],
    [{ dtype: 'u8', rerankDtype: 'f16' }, RangeError, /got quant 'none'/],
    [{ quant: 'sq8', dropF32: true, rerankDtype: 'bf16' }, RangeError, /rerankDtype 'bf16' .*dropF32: true/],
    [{ quant: 'pq', dropF32: true, rerankDtype: 'f16' }, RangeError, /dropF32: true/],
  ];
  for (const [o, Cls, re] of cases) {
    assert.throws(() => new rv.Index(dim, o), (e) => e instanceof Cls && re.test(e.message),
      `new Index(${dim}, {rerankDtype: ${typeof o.rerankDtype === 'symbol' ? 'Symbol' : String(o.rerankDtype)}, ...})`);
    assert.throws(() => new rv.VectorDB(dim, 'euclidean', true, o), (e) => e instanceof Cls && re.test(e.message));
  }
  // a typed index cannot take quantized storage at all: the C library's refusal (-6)
  assert.throws(() => new rv.Index(dim, { dtype: 'i8', quant: 'sq8', rerankDtype: 'bf16' }),
    (e) => e instanceof rv.RuvectorError && e.code === -6 && /rerankDtype bf16/.test(e.message));
  assert.equal(rv.memoryStats().liveIndexes, live, 'no index left behind by a refused create');
  // the index made before and a new one answer as before
  const fresh = build('l2sq', 'bf16');
  for (let q = 0; q < nq; q++) {
    for (const ix of [ref, fresh]) {
      const h = ix.search(row(qs, q), k);
      assert.deepEqual(h.keys, want[q].keys);
      assert.deepEqual(h.distances, want[q].distances);
    }
  }
  assert.equal(fresh.config().rerankDtype, 'bf16');
  fresh.free();
  ref.free();
});
