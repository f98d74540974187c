// The VectorDB API used the way @ruvector/wasm's README uses it, plus recall on the shared fiori
// set, save/load, bad input and memory. Run: node --test wasm/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import init, { VectorDB, Index, RuvectorError, detectSIMD, version, isa } from '../node.mjs';
import { fioriRecall, FIORI_DIM } from './helpers.mjs';

const M = await init();

test('module: version, SIMD detection, kernels', () => {
  assert.match(version(), /^\d+\.\d+\.\d+$/);
  assert.equal(typeof detectSIMD(), 'boolean');
  assert.equal(isa(), detectSIMD() ? 'wasm128' : 'serial');
});

test('README usage: insert with id and metadata, search, get, delete, len', () => {
  const db = new VectorDB(384, 'cosine', true);
  assert.equal(db.dimensions, 384);
  assert.equal(db.isEmpty(), true);
  const emb = new Float32Array(384).map((_, i) => Math.sin(i));
  const id = db.insert(emb, 'doc_1', { title: 'My Document', type: 'article' });
  assert.equal(id, 'doc_1');
  const other = db.insert(new Float32Array(384).map((_, i) => Math.cos(i * 3)));
  assert.equal(typeof other, 'string');
  assert.notEqual(other, 'doc_1');
  assert.equal(db.len(), 2);
  const res = db.search(emb, 10);
  assert.equal(res.length, 2);
  assert.equal(res[0].id, 'doc_1');
  assert.ok(Math.abs(res[0].score) < 1e-6); // a distance: 0 for the vector itself
  assert.ok(res[1].score > res[0].score);
  assert.deepEqual(res[0].metadata, { title: 'My Document', type: 'article' });
  assert.equal(res[1].metadata, undefined);
  const got = db.get('doc_1');
  assert.equal(got.id, 'doc_1');
  assert.deepEqual(got.metadata, { title: 'My Document', type: 'article' });
  assert.equal(got.vector.length, 384);
  assert.equal(db.get('nope'), undefined);
  assert.equal(db.delete('doc_1'), true);
  assert.equal(db.delete('doc_1'), false);
  assert.equal(db.len(), 1);
  const ids = db.insertBatch([{ vector: emb, id: 'x', metadata: { a: 1 } }, { vector: emb }]);
  assert.equal(ids.length, 2);
  assert.equal(ids[0], 'x');
  assert.equal(db.len(), 3);
  db.free();
});

test('metrics: scores are distances (euclidean, dotproduct, manhattan)', () => {
  const a = new Float32Array([1, 2, 3]), b = new Float32Array([4, 6, 3]);
  const cases = { euclidean: 5, dotproduct: -(4 + 12 + 9), manhattan: 7 };
  for (const [metric, want] of Object.entries(cases)) {
    for (const hnsw of [false, true]) {
      const db = new VectorDB(3, metric, hnsw);
      db.insert(b, 'b');
      const [hit] = db.search(a, 1);
      assert.ok(Math.abs(hit.score - want) < 1e-5, `${metric}: ${hit.score} vs ${want}`);
      db.free();
    }
  }
  assert.throws(() => new VectorDB(3, 'hamming'), RangeError);
});

test('metadata filter: equality on every field, k hits when k match', () => {
  const db = new VectorDB(8, 'euclidean', true);
  for (let i = 0; i < 300; i++) {
    const v = new Float32Array(8).map((_, j) => Math.sin(i * 7 + j));
    db.insert(v, `id${i}`, { parity: i % 2, tens: Math.floor(i / 10) });
  }
  const q = new Float32Array(8).fill(0.1);
  const odd = db.search(q, 10, { parity: 1 });
  assert.equal(odd.length, 10);
  for (const h of odd) assert.equal(h.metadata.parity, 1);
  const few = db.search(q, 10, { tens: 3, parity: 0 });
  assert.equal(few.length, 5); // 30, 32, 34, 36, 38
  for (const h of few) assert.deepEqual(h.metadata, { parity: 0, tens: 3 });
  assert.equal(db.search(q, 10, { parity: 7 }).length, 0);
  db.free();
});

test('recall on fiori (cosine) against its ground truth, HNSW and flat', () => {
  for (const hnsw of [true, false]) {
    const db = new VectorDB(FIORI_DIM, 'cosine', hnsw);
    const r = fioriRecall(db);
    assert.ok(r >= (hnsw ? 0.95 : 0.99), `recall@10 ${r}`);
    db.free();
  }
});

test('save / load: same results, ids and metadata', () => {
  const db = new VectorDB(16, 'cosine', true, { M: 8, efConstruction: 64 });
  for (let i = 0; i < 200; i++) {
    db.insert(new Float32Array(16).map((_, j) => Math.cos(i * 1.7 + j * 0.3)), `k${i}`,
      i % 3 ? { i } : undefined);
  }
  db.delete('k5');
  const bytes = db.save();
  const db2 = VectorDB.load(bytes);
  assert.equal(db2.len(), db.len());
  const q = new Float32Array(16).fill(0.2);
  assert.deepEqual(db2.search(q, 10), db.search(q, 10));
  assert.equal(db2.get('k5'), undefined);
  assert.deepEqual(db2.get('k7').metadata, { i: 7 });
  const id = db2.insert(new Float32Array(16).fill(1)); // new keys continue after loaded ones
  assert.equal(db2.len(), db.len() + 1);
  assert.equal(db2.get(id).id, id);
  db.free();
  db2.free();
});

test('bad input: dimension, corrupt bytes, freed index', () => {
  const db = new VectorDB(4, 'cosine', true);
  assert.throws(() => db.insert(new Float32Array(3)), (e) => e instanceof RangeError &&
    e.code === -17 && /dimension mismatch/.test(e.message));
  assert.throws(() => db.search(new Float32Array(5), 3), (e) => e.code === -17);
  assert.throws(() => db.insert(new Float32Array([1, NaN, 0, 0])), (e) => e.code === -3);
  assert.throws(() => db.insert(new Float32Array(4), ''), RangeError);
  db.insert(new Float32Array([1, 2, 3, 4]), 'a');
  const bytes = db.save();
  const bad = bytes.slice();
  bad[bad.length - 1] ^= 1;
  assert.throws(() => VectorDB.load(bad), (e) => e.code === -15); // checksum
  assert.throws(() => VectorDB.load(bytes.subarray(0, bytes.length - 9)), RuvectorError);
  assert.throws(() => VectorDB.load(new Uint8Array(3)), (e) => e.code === -11);
  db.free();
  assert.throws(() => db.len(), /freed/);
});

test('low-level Index: u64 keys, typed arrays, ids and metadata bytes', () => {
  const ix = new Index(3, { metric: 'l2sq', kind: 'hnsw', seed: 7 });
  const big = 0xFFFFFFFFFFFFFFF0n;
  ix.addBatch([1, 2], new Float32Array([0, 0, 0, 1, 1, 1]));
  ix.put(big, [2, 2, 2], 'far', new Uint8Array([9, 8]));
  const r = ix.search(new Float32Array([2, 2, 2.5]), 2);
  assert.deepEqual(Array.from(r.keys), [big, 2n]);
  assert.ok(Math.abs(r.distances[0] - 0.25) < 1e-6);
  assert.equal(ix.getId(big), 'far');
  assert.equal(ix.getId(1), null);
  assert.equal(ix.getId(99), undefined);
  assert.deepEqual(Array.from(ix.getMeta(big)), [9, 8]);
  assert.equal(ix.getKey('far'), big);
  assert.equal(ix.findId('far'), big); // the deprecated name
  assert.equal(ix.getKey('none'), undefined);
  assert.deepEqual([...ix.keys()], [1n, 2n, big]);
  assert.throws(() => ix.add(1, [0, 0, 0]), (e) => e.code === -4); // key exists
  assert.equal(ix.remove(2), true);
  assert.equal(ix.has(2), false);
  const ix2 = Index.load(ix.save(), 3);
  assert.deepEqual([...ix2.keys()], [1n, big]);
  assert.throws(() => Index.load(ix.save(), 4), (e) => e.code === -17);
  ix.free();
  ix2.free();
});

test('quantized storage through the binding: SQ8 needs training', () => {
  const ix = new Index(8, { quant: 'sq8', kind: 'flat' });
  const v = new Float32Array(8 * 50).map((_, i) => Math.sin(i));
  assert.throws(() => ix.add(1, v.subarray(0, 8)), (e) => e.code === -18);
  ix.train(v);
  ix.addBatch(Array.from({ length: 50 }, (_, i) => i), v);
  assert.equal(ix.search(v.subarray(80, 88), 1).keys[0], 10n);
  ix.free();
});

test('memory: create / fill / free loops do not grow the heap', () => {
  const cycle = () => {
    const db = new VectorDB(32, 'cosine', true);
    for (let i = 0; i < 500; i++) db.insert(new Float32Array(32).fill(i % 7), `x${i}`, { i });
    db.search(new Float32Array(32).fill(1), 10, { i: 3 });
    db.save();
    db.free();
  };
  cycle();
  const before = M.memory.buffer.byteLength;
  for (let r = 0; r < 30; r++) cycle();
  assert.equal(M.memory.buffer.byteLength, before);
});
