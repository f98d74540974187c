// The scalar module (the one engines without SIMD128 get) answers like the SIMD one's tests
// expect: loaded explicitly with init({simd: false}) in this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import init, { VectorDB, isa } from '../node.mjs';
import { fioriRecall, FIORI_DIM } from './helpers.mjs';

await init({ simd: false });

test('scalar module: serial kernels, recall on fiori', () => {
  assert.equal(isa(), 'serial');
  const db = new VectorDB(FIORI_DIM, 'cosine', true);
  const r = fioriRecall(db);
  assert.ok(r >= 0.95, `recall@10 ${r}`);
  db.free();
});
