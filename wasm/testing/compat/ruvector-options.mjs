// The `ruvector` package's configuration and search options, in our words (ES module): metric
// aliases, hnswConfig, insertBatch, search with filter and efSearch, get returning null.
import { VectorDb, VectorDB } from 'ruvector';
import { vectors, euclidean, nearest, check } from './common.mjs';

const db = new VectorDb({ dimensions: 48, distanceMetric: 'euclidean',
  hnswConfig: { m: 16, efConstruction: 100, efSearch: 64, maxElements: 5000 } });
const vs = vectors(2000, 48, 9);
const ids = await db.insertBatch(vs.map((vector, i) => ({ id: `p${i}`, vector, metadata: { shard: i % 5, rank: i } })));
check(ids.length === 2000 && ids[4] === 'p4', 'insertBatch');
const all = vs.map((vector, i) => ({ id: `p${i}`, vector, shard: i % 5, rank: i }));
let hit = 0;
for (const q of vectors(20, 48, 41)) {
  const r = await db.search({ vector: q, k: 10, efSearch: 128 });
  const ex = nearest(all, q, 10, euclidean);
  hit += r.filter((x) => ex.some((e) => e.id === x.id)).length;
  const f = await db.search({ vector: Array.from(q), k: 10, filter: { shard: 3 } });
  const exf = nearest(all, q, 10, euclidean, (e) => e.shard === 3);
  check(f.map((x) => x.id).join() === exf.map((x) => x.id).join(), 'filtered search = exact filtered top 10');
  const g = await db.search({ vector: q, k: 10, filter: { rank: { $gte: 100, $lt: 200 } } });
  const exg = nearest(all, q, 10, euclidean, (e) => e.rank >= 100 && e.rank < 200);
  check(g.map((x) => x.id).join() === exg.map((x) => x.id).join(), 'range filter');
}
check(hit / 200 >= 0.95, `recall ${hit / 200}`);
check((await db.get('zzz')) === null && (await db.isEmpty()) === false, 'get null, isEmpty');
const alias = new VectorDB({ dimensions: 4, metric: 'dot' }); // the package's VectorDB alias
await alias.insert({ id: 'a', vector: [1, 1, 1, 1] });
check((await alias.search({ vector: [1, 2, 3, 4], k: 1 }))[0].score === -10, 'dot metric through VectorDB({...})');
console.log('ruvector-options: ok');
