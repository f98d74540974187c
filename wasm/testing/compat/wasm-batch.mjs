// @ruvector/wasm's batch example, in our words: insertBatch of entries with metadata, many queries,
// a reused input buffer, a metadata filter.
import init, { VectorDB } from '@ruvector/wasm';
import { vectors, euclidean, nearest, check } from './common.mjs';

await init();
const db = new VectorDB(64, 'euclidean', true);
const vs = vectors(3000, 64, 3);
const entries = vs.map((vector, i) => ({ vector, id: `vec_${i}`, metadata: { index: i, batch: Math.floor(i / 100) } }));
const ids = db.insertBatch(entries);
check(ids.length === 3000 && ids[17] === 'vec_17', 'insertBatch ids');

const buf = new Float32Array(64); // reused buffer: the database copies what it is given
for (let i = 0; i < 50; i++) {
  for (let j = 0; j < 64; j++) buf[j] = Math.sin(i * 64 + j);
  db.insert(buf, `reuse_${i}`, { index: 3000 + i });
}
check(db.get('reuse_0').vector[1] === Math.fround(Math.sin(1)), 'copied on insert');

const all = [...entries.map((e) => ({ id: e.id, vector: e.vector, b: e.metadata.batch }))];
let hit = 0;
for (const q of vectors(40, 64, 77)) {
  const r = db.search(q, 10);
  const ex = nearest(all, q, 10, euclidean);
  hit += r.filter((x) => ex.some((e) => e.id === x.id)).length;
  const f = db.search(q, 5, { batch: 7 });
  const exf = nearest(all, q, 5, euclidean, (e) => e.b === 7);
  check(f.length === 5 && f.every((x, i) => x.id === exf[i].id), 'filtered search = exact filtered top 5');
  check(f.every((x) => x.metadata.batch === 7), 'filter on batch');
}
check(hit / 400 >= 0.9, `recall ${hit / 400}`);
console.log('wasm-batch: ok');
