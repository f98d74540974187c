// @ruvector/wasm's quick start, in our words: load the module, make a 384-d cosine database with
// HNSW, insert embeddings with ids and metadata, search, read the hits, get, delete.
import init, { VectorDB } from '@ruvector/wasm';
import { vectors, cosineDistance, nearest, check } from './common.mjs';

await init();
const db = new VectorDB(384, 'cosine', true);
const docs = vectors(500, 384, 7).map((vector, i) => ({ id: `doc_${i}`, vector, meta: { title: `Document ${i}`, type: i % 2 ? 'note' : 'article' } }));
for (const d of docs) check(db.insert(d.vector, d.id, d.meta) === d.id, 'insert returns the id');
const unnamed = db.insert(vectors(1, 384, 99)[0]);
check(typeof unnamed === 'string' && unnamed.length > 0, 'generated id');
check(db.len() === 501 && !db.isEmpty() && db.dimensions === 384, 'len, isEmpty, dimensions');

const query = vectors(1, 384, 1234)[0];
const results = db.search(query, 10);
check(results.length === 10, '10 results');
const exact = nearest(docs, query, 10, cosineDistance);
let found = 0;
for (const r of results) {
  if (exact.some((e) => e.id === r.id)) found++;
  check(typeof r.score === 'number' && typeof r.id === 'string', 'result fields');
  const d = docs.find((x) => x.id === r.id);
  if (d) {
    check(Math.abs(r.score - cosineDistance(query, d.vector)) < 1e-5, 'score = cosine distance');
    check(r.metadata.title === d.meta.title, 'metadata on results');
    check(r.vector.length === 384 && r.vector.every((x, i) => x === d.vector[i]), 'vector on results, as inserted');
  }
}
check(found >= 9, `recall ${found}/10`);
for (let i = 1; i < results.length; i++) check(results[i - 1].score <= results[i].score, 'closest first');

const entry = db.get('doc_3');
check(entry.id === 'doc_3' && entry.metadata.type === 'note' && entry.vector.every((x, i) => x === docs[3].vector[i]), 'get');
check(db.get('missing') === undefined, 'get of a missing id');
check(db.search(query, 0).length === 0, 'k = 0');
check(db.delete('doc_3') === true && db.delete('doc_3') === false && db.len() === 500, 'delete');
console.log('wasm-quickstart: ok');
