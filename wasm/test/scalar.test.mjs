// The scalar module (the one engines without SIMD128 get) answers like the SIMD one's tests
// expect: loaded explicitly with init({simd: false}) in this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import init, { VectorDB, isa } from '../index.js';
import { readVecs, recallAt } from './helpers.mjs';

await init({ simd: false });

test('scalar module: serial kernels, recall on fiori', () => {
  assert.equal(isa(), 'serial');
  const base = readVecs('fiori_base.fvecs'), qs = readVecs('fiori_query.fvecs');
  const gt = readVecs('fiori_groundtruth.ivecs');
  const db = new VectorDB(base.dim, 'cosine', true);
  for (let i = 0; i < base.rows; i++) {
    db.insert(base.data.subarray(i * base.dim, (i + 1) * base.dim), String(i));
  }
  const found = [];
  for (let q = 0; q < qs.rows; q++) {
    found.push(db.search(qs.data.subarray(q * qs.dim, (q + 1) * qs.dim), 10).map((h) => +h.id));
  }
  const r = recallAt(found, gt, 10);
  assert.ok(r >= 0.95, `recall@10 ${r}`);
  db.free();
});
