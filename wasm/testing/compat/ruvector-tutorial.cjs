// The `ruvector` package's first tutorial, in our words (CommonJS): a database persisted to a path,
// inserts with metadata, a search with k and threshold, get, len, delete; reopened from the file.
const { VectorDb } = require('ruvector');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

const check = (ok, what) => { if (!ok) throw new Error(`compat check failed: ${what}`); };

async function tutorial() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rv-')), 'my-vectors.db');
  const db = new VectorDb({ dimensions: 128, maxElements: 10000, storagePath: file });
  const topics = ['Artificial intelligence', 'Deep learning', 'Natural language processing'];
  const base = new Float32Array(128).map((_, i) => Math.sin(i));
  for (const [i, text] of topics.entries()) {
    const vector = base.map((x, j) => x + 0.3 * Math.cos(i * 7 + j));
    const id = await db.insert({ id: `doc${i + 1}`, vector, metadata: { text, category: 'AI' } });
    check(id === `doc${i + 1}`, 'insert resolves to the id');
  }
  const results = await db.search({ vector: base, k: 5, threshold: 0.7 });
  check(results.length === 3, `3 results above the threshold (${results.length})`);
  for (const r of results) {
    check(1 - r.score >= 0.7 && typeof r.metadata.text === 'string' && r.vector.length === 128, 'hit shape');
  }
  check((await db.search({ vector: base.map((x) => -x), k: 5, threshold: 0.7 })).length === 0, 'threshold filters');
  const doc = await db.get('doc1');
  check(doc && doc.metadata.text === 'Artificial intelligence', 'get');
  check((await db.get('nothing')) === null, 'get of a missing id is null');
  check((await db.len()) === 3, 'len');
  check((await db.delete('doc1')) === true && (await db.delete('doc1')) === false, 'delete');
  check((await db.len()) === 2 && (await db.isEmpty()) === false, 'len after delete');
  await db.close(); // pending writes reach the file
  const again = new VectorDb({ dimensions: 128, storagePath: file });
  check((await again.len()) === 2 && (await again.get('doc2')).metadata.category === 'AI', 'reopened from storagePath');
  again.free();
  console.log('ruvector-tutorial: ok');
}

tutorial().catch((e) => { console.error(e); process.exit(1); });
