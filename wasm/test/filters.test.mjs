// Metadata filters against a brute force over the passing entries: equality, $eq, $in, ranges,
// combinations, after updates and deletes, on a loaded database, on flat and HNSW indexes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rv from '../node.mjs';
import { randomVectors, compareHits } from '../testing/lib/exact.js';

await rv.init();
const dim = 24, n = 3000;
const data = randomVectors(n, dim, 5);
const row = (i) => data.subarray(i * dim, (i + 1) * dim);
const tags = ['a', 'b', 'c', 'd'];
const metaOf = (i) => ({ tag: tags[i % 4], price: (i * 37) % 1000, group: i % 50, flag: i % 7 === 0, nested: { x: i % 2 } });

const filters = [
  [{ tag: 'b' }, (m) => m.tag === 'b'],
  [{ tag: { $eq: 'c' } }, (m) => m.tag === 'c'],
  [{ group: { $in: [3, 17, 40] } }, (m) => [3, 17, 40].includes(m.group)],
  [{ price: { $gte: 100, $lt: 300 } }, (m) => m.price >= 100 && m.price < 300],
  [{ price: { $gt: 990 } }, (m) => m.price > 990],
  [{ price: { $lte: 5 } }, (m) => m.price <= 5],
  [{ tag: 'a', price: { $lt: 500 } }, (m) => m.tag === 'a' && m.price < 500],
  [{ flag: true, tag: { $in: ['a', 'd'] } }, (m) => m.flag && (m.tag === 'a' || m.tag === 'd')],
  [{ nested: { x: 1 } }, (m) => m.nested.x === 1],
  [{ group: { $in: [3, 4], $gte: 4 } }, (m) => m.group === 4],
  [{ missing: 1 }, () => false],
];

function checkAll(db, alive, metric, label) {
  for (const [f, keep] of filters) {
    for (let t = 0; t < 8; t++) {
      const q = randomVectors(1, dim, 70 + t);
      const hits = db.search(q, 10, f).map((h) => ({ row: +h.id, score: h.score, md: h.metadata }));
      for (const h of hits) assert.ok(keep(h.md), `${label} ${JSON.stringify(f)}: hit ${h.row} does not pass`);
      const c = compareHits(metric, data, dim, q, hits, 10, (i) => alive(i) && keep(metaOf(i)));
      assert.equal(c.count, c.expected, `${label} ${JSON.stringify(f)}: ${c.count} hits, ${c.expected} pass`);
      assert.ok(c.recall >= (label.includes('hnsw') ? 0.9 : 1), `${label} ${JSON.stringify(f)}: ${JSON.stringify(c)}`);
      assert.ok(c.maxScoreErr < 1e-4);
    }
  }
}

for (const hnsw of [false, true]) {
  const label = hnsw ? 'hnsw' : 'flat';
  test(`filters on ${label}: operators, updates, deletes, a loaded copy`, () => {
    const db = new rv.VectorDB(dim, 'euclidean', hnsw);
    for (let i = 0; i < n; i++) db.insert(row(i), String(i), metaOf(i));
    checkAll(db, () => true, 'euclidean', label);
    // deletes and metadata updates keep the index right
    const gone = new Set();
    for (let i = 0; i < n; i += 9) { db.delete(String(i)); gone.add(i); }
    for (let i = 1; i < n; i += 9) db.insert(row(i), String(i), metaOf(i)); // same metadata again
    for (let i = 2; i < n; i += 9) db.insert(row(i), String(i), { other: i }); // metadata replaced
    for (let i = 3; i < n; i += 9) db.insert(row(i), String(i)); // metadata kept (no metadata given)
    const alive = (i) => !gone.has(i) && i % 9 !== 2;
    checkAll(db, alive, 'euclidean', `${label} after writes`);
    // a loaded copy builds its index on the first filtered search
    const back = rv.VectorDB.load(db.save());
    checkAll(back, alive, 'euclidean', `${label} loaded`);
    assert.throws(() => db.search(row(0), 3, { price: { $regex: 'x' } }), TypeError);
    assert.throws(() => db.search(row(0), 3, { price: { $gt: '5' } }), TypeError);
    assert.throws(() => db.search(row(0), 3, { tag: { $in: 'a' } }), TypeError);
    assert.deepEqual(db.search(row(0), 3, { tag: 'zzz' }), []);
    db.free();
    back.free();
  });
}

test('filters: k hits whenever k entries pass (inside the search, not after it)', () => {
  const db = new rv.VectorDB(dim, 'cosine', true);
  for (let i = 0; i < n; i++) db.insert(row(i), String(i), { rare: i % 500 === 0 });
  const hits = db.search(row(1), 6, { rare: true });
  assert.equal(hits.length, 6);
  assert.ok(hits.every((h) => +h.id % 500 === 0));
  db.free();
});
