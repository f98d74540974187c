// @ruvector/wasm/adapter, in our words: create, insert objects, search by similarity, get.
import { RuvectorWasmAdapter, distanceToSimilarity } from '@ruvector/wasm/adapter';
import { vectors, cosineDistance, check } from './common.mjs';

const index = await RuvectorWasmAdapter.create({ dimensions: 32, metric: 'cosine' });
const vs = vectors(300, 32, 5);
vs.forEach((vector, i) => index.insert({ id: `d${i}`, vector, metadata: { title: `t${i}`, even: i % 2 === 0 } }));
check(index.len() === 300 && !index.isEmpty(), 'len');
const q = vs[10];
const res = index.search({ vector: q, k: 5 });
check(res[0].id === 'd10' && Math.abs(res[0].similarity - 1) < 1e-5, 'best hit is the query itself');
for (let i = 1; i < res.length; i++) check(res[i - 1].similarity >= res[i].similarity, 'higher similarity first');
for (const r of res) {
  check(r.score === r.similarity && Math.abs(r.distance - cosineDistance(q, vs[+r.id.slice(1)])) < 1e-5, 'distance');
  check(r.metadata.title === `t${r.id.slice(1)}`, 'metadata round-trips');
}
const f = index.search({ vector: q, k: 5, filter: { even: false } });
check(f.length === 5 && f.every((r) => !r.metadata.even), 'filter');
check(index.get('d3').metadata.title === 't3' && index.get('nope') === null, 'get');
check(distanceToSimilarity('euclidean', 1) === 0.5, 'distanceToSimilarity');
check(index.indexType === 'hnsw', 'index type');
check(index.delete('d3') && index.len() === 299, 'delete');
console.log('wasm-adapter: ok');
