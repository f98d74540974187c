// Call-level comparison with @ruvector/wasm: the same calls against that package and this one,
// outcomes side by side (return values normalised to plain data, errors by type). The README's
// compatibility table explains every difference this prints.
//   npm install --prefix /tmp/peer @ruvector/wasm@0.1.31        (test-only)
//   node wasm/testing/probe.mjs /tmp/peer/node_modules/@ruvector/wasm [--all] [--check]
// --check exits non-zero when the calls that differ are not exactly EXPECTED (test/ci.sh).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ours from '../node.mjs';

const peerDir = process.argv[2];
if (!peerDir) {
  console.error('usage: node wasm/testing/probe.mjs <path of @ruvector/wasm> [--all]');
  process.exit(2);
}
const theirs = await import(pathToFileURL(path.join(peerDir, 'pkg', 'ruvector_wasm.js')).href);
await theirs.default({ module_or_path: readFileSync(path.join(peerDir, 'pkg', 'ruvector_wasm_bg.wasm')) });
await ours.init();
const quiet = console.warn; // their HNSW fallback warns on every constructor
console.warn = () => {};
const realLog = console.log;

const round = (x) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 1e5) / 1e5 : x);
function plain(v, depth = 0) {
  if (depth > 4) return '...';
  if (v instanceof Map) return { '<Map>': Object.fromEntries([...v].map(([k, x]) => [k, plain(x, depth + 1)])) };
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(v.slice(0, 4), round).join(',')}${v.length > 4 ? ',...' : ''}](${v.length})`;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v && typeof v === 'object') {
    const o = {};
    const keys = new Set([...Object.keys(v)]);
    for (const k of ['id', 'score', 'metadata', 'vector']) if (k in v) keys.add(k);
    keys.delete('__wbg_ptr');
    for (const k of [...keys].sort()) o[k] = plain(v[k], depth + 1);
    return o;
  }
  return round(v);
}
const idShape = (id) => (typeof id !== 'string' ? typeof id : /^vec_\d+$/.test(id) ? 'vec_N'
  : /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id) ? 'uuid' : 'other');

const f32 = (...a) => new Float32Array(a);
function filled(m, metric = 'euclidean', hnsw = true) {
  const db = new m.VectorDB(3, metric, hnsw);
  db.insert(f32(1, 2, 3), 'a', { t: 'x', n: 1 });
  db.insert(f32(4, 6, 3), 'b', { t: 'y', n: 2 });
  db.insert(f32(-1, 0, 2), 'c');
  db.insert(f32(0.5, 0.5, 0.5), 'd', { t: 'x', n: 3 });
  return db;
}
const q = f32(1, 2, 4);

// [name, (module) => value]
const checks = [];
const add = (name, fn) => checks.push([name, fn]);
add('exports', (m) => ['JsSearchResult', 'JsVectorEntry', 'VectorDB', 'arrayToFloat32Array', 'benchmark', 'default',
  'detectSIMD', 'init', 'initSync', 'version'].filter((k) => typeof m[k] !== 'function'));
add('version() shape', (m) => /^\d+\.\d+\.\d+$/.test(m.version()));
add('version()', (m) => m.version());
add('detectSIMD() type', (m) => typeof m.detectSIMD());
add('arrayToFloat32Array([1,2,3])', (m) => m.arrayToFloat32Array([1, 2, 3]));
add('arrayToFloat32Array(Float32Array)', (m) => m.arrayToFloat32Array(f32(1, 2)));
add('benchmark() type', (m) => typeof m.benchmark('x', 10, 8));
add('named init() after default init', (m) => m.init());
for (const metric of ['euclidean', 'cosine', 'dotproduct', 'manhattan', undefined]) {
  add(`search ${metric}: ids and scores`, (m) => filled(m, metric).search(q, 4).map((h) => [h.id, round(h.score)]));
}
add('search: hit fields', (m) => Object.keys(plain(filled(m).search(q, 1)[0])));
add('search: metadata of a hit', (m) => plain(filled(m).search(q, 1)[0].metadata));
add('search: metadata absent', (m) => filled(m).search(f32(-1, 0, 2), 1)[0].metadata);
add('search: vector of a hit', (m) => plain(filled(m).search(q, 1)[0].vector));
add('search: hit is JsSearchResult', (m) => filled(m).search(q, 1)[0] instanceof m.JsSearchResult);
add('search: JSON.stringify(hit)', (m) => JSON.stringify(filled(m).search(q, 1)[0]));
add('search: hit.free()', (m) => typeof filled(m).search(q, 1)[0].free);
for (const k of [0, undefined, 1, 10, 2.5, -1, Infinity, NaN, 2 ** 31, '2']) {
  add(`search k = ${String(k)}`, (m) => filled(m).search(q, k).map((h) => h.id));
}
add('search filter {t: "x"}, k 1', (m) => filled(m).search(q, 1, { t: 'x' }).map((h) => h.id));
add('search filter {t: "x"}, k 4', (m) => filled(m).search(q, 4, { t: 'x' }).map((h) => h.id));
add('search filter {n: {$gt: 1}}', (m) => filled(m).search(q, 4, { n: { $gt: 1 } }).map((h) => h.id));
add('search filter {}', (m) => filled(m).search(q, 4, {}).map((h) => h.id));
add('search filter null', (m) => filled(m).search(q, 2, null).map((h) => h.id));
add('search with a number[] query', (m) => filled(m).search([1, 2, 4], 1).map((h) => h.id));
add('search wrong dimension', (m) => filled(m).search(f32(1, 2), 1));
add('search NaN query', (m) => filled(m).search(f32(NaN, 1, 1), 1).map((h) => h.id));
add('insert returns the id', (m) => new m.VectorDB(3).insert(f32(1, 2, 3), 'k1'));
add('insert without id: id shape', (m) => idShape(new m.VectorDB(3).insert(f32(1, 2, 3))));
add('insert without id, then the generated id given again', (m) => {
  const db = new m.VectorDB(3);
  const gen = db.insert(f32(1, 2, 3));
  db.insert(f32(9, 9, 9), idShape(gen) === 'vec_N' ? 'vec_1' : 'x');
  return db.len();
});
add('user id vec_0, then an insert without id', (m) => {
  const db = new m.VectorDB(3);
  db.insert(f32(1, 2, 3), 'vec_0', { mine: true });
  db.insert(f32(4, 5, 6));
  return [db.len(), plain(db.get('vec_0') && db.get('vec_0').metadata)];
});
add('insert number[]', (m) => new m.VectorDB(3).insert([1, 2, 3], 'arr'));
add('insert NaN', (m) => new m.VectorDB(3).insert(f32(NaN, 1, 1), 'n'));
add('insert Infinity', (m) => new m.VectorDB(3).insert(f32(Infinity, 1, 1), 'n'));
add('insert wrong dimension', (m) => new m.VectorDB(3).insert(f32(1, 2), 'w'));
add('insert empty id', (m) => new m.VectorDB(3).insert(f32(1, 2, 3), ''));
add('insert number id', (m) => new m.VectorDB(3).insert(f32(1, 2, 3), 5));
add('insert same id twice: len', (m) => { const db = new m.VectorDB(3); db.insert(f32(1, 2, 3), 'a'); db.insert(f32(3, 2, 1), 'a'); return db.len(); });
add('insert same id twice: get vector', (m) => { const db = new m.VectorDB(3); db.insert(f32(1, 2, 3), 'a', { v: 1 }); db.insert(f32(3, 2, 1), 'a'); return plain(db.get('a')); });
add('insertBatch plain objects', (m) => new m.VectorDB(3).insertBatch([{ vector: f32(1, 2, 3), id: 'p' }, { vector: f32(0, 1, 0) }]).map(idShape));
add('insertBatch with metadata', (m) => new m.VectorDB(3).insertBatch([{ vector: f32(1, 2, 3), id: 'p', metadata: { a: 1 } }]));
add('insertBatch JsVectorEntry', (m) => new m.VectorDB(3).insertBatch([new m.JsVectorEntry(f32(1, 2, 3), 'e', { z: 1 })]));
add('insertBatch []', (m) => new m.VectorDB(3).insertBatch([]));
add('get: fields', (m) => plain(filled(m).get('a')));
add('get: instanceof JsVectorEntry', (m) => filled(m).get('a') instanceof m.JsVectorEntry);
add('get cosine: vector as inserted', (m) => plain(filled(m, 'cosine').get('b').vector));
add('get: metadata absent', (m) => filled(m).get('c').metadata);
add('get missing', (m) => filled(m).get('zz'));
add('delete existing / again', (m) => { const db = filled(m); return [db.delete('a'), db.delete('a'), db.len()]; });
add('delete missing', (m) => filled(m).delete('zz'));
add('len / isEmpty / dimensions', (m) => { const db = filled(m); return [db.len(), db.isEmpty(), db.dimensions]; });
add('empty: len / isEmpty', (m) => { const db = new m.VectorDB(7); return [db.len(), db.isEmpty(), db.dimensions]; });
add('search on empty', (m) => new m.VectorDB(3).search(q, 5));
for (const d of [1.5, '128', 0, -1, 70000, null]) add(`new VectorDB(${JSON.stringify(d)}).dimensions`, (m) => new m.VectorDB(d).dimensions);
add('new VectorDB(3, "hamming")', (m) => new m.VectorDB(3, 'hamming').dimensions);
add('new VectorDB(3, null, null)', (m) => new m.VectorDB(3, null, null).dimensions);
add('free() twice', (m) => { const db = new m.VectorDB(3); db.free(); db.free(); return 'ok'; });
add('len() after free()', (m) => { const db = new m.VectorDB(3); db.free(); return db.len(); });
add('Symbol.dispose', (m) => typeof new m.VectorDB(3)[Symbol.dispose]);
add('JsVectorEntry fields', (m) => plain(new m.JsVectorEntry(f32(1, 2, 3), 'i', { a: 1 })));
add('JsVectorEntry without id', (m) => plain(new m.JsVectorEntry(f32(1, 2, 3))));
add('saveToIndexedDB() under Node', async (m) => filled(m).saveToIndexedDB());
add('VectorDB.loadFromIndexedDB("x") under Node', async (m) => m.VectorDB.loadFromIndexedDB('x'));
add('metadata: nested object', (m) => { const db = new m.VectorDB(2); db.insert(f32(1, 2), 'a', { o: { p: [1, 2] } }); return plain(db.get('a').metadata); });
add('metadata: string', (m) => { const db = new m.VectorDB(2); db.insert(f32(1, 2), 'a', 'text'); return plain(db.get('a').metadata); });
add('metadata: Date', (m) => { const db = new m.VectorDB(2); db.insert(f32(1, 2), 'a', { d: new Date(0) }); return plain(db.get('a').metadata); });
add('score order, 50 random vectors (flat)', (m) => {
  const db = new m.VectorDB(8, 'euclidean', false);
  let s = 3;
  const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  for (let i = 0; i < 50; i++) db.insert(new Float32Array(8).map(r), `r${i}`);
  return db.search(new Float32Array(8).fill(0.5), 5).map((h) => h.id);
});

// The calls that differ on purpose, each with its row of the README's compatibility table.
const EXPECTED = {
  'version()': 'version() is ruvector.h\'s',
  'named init() after default init': 'named init()',
  'search: metadata of a hit': 'metadata as JSON, not a Map',
  'search: JSON.stringify(hit)': 'plain objects, not handles',
  'search k = 2.5': 'checked k', 'search k = -1': 'checked k', 'search k = Infinity': 'checked k',
  'search k = NaN': 'checked k', 'search k = 2': 'checked k',
  'search filter {n: {$gt: 1}}': 'filter inside the search, operators',
  'search filter {}': 'an empty filter',
  'search wrong dimension': 'error types', 'insert wrong dimension': 'error types',
  'new VectorDB(3, "hamming")': 'error types', 'VectorDB.loadFromIndexedDB("x") under Node': 'error types',
  'search NaN query': 'NaN / Infinity', 'insert NaN': 'NaN / Infinity', 'insert Infinity': 'NaN / Infinity',
  'insert without id: id shape': 'UUIDs', 'user id vec_0, then an insert without id': 'UUIDs',
  'insert empty id': 'checked ids', 'insert number id': 'checked ids',
  'insert same id twice: get vector': 'metadata as JSON, not a Map',
  'insertBatch plain objects': 'insertBatch of plain objects',
  'get: fields': 'metadata as JSON, not a Map', 'JsVectorEntry fields': 'metadata as JSON, not a Map',
  'metadata: nested object': 'metadata as JSON, not a Map', 'metadata: string': 'metadata as JSON, not a Map',
  'metadata: Date': 'metadata as JSON, not a Map',
  'new VectorDB(1.5).dimensions': 'checked dimensions', 'new VectorDB("128").dimensions': 'checked dimensions',
  'new VectorDB(0).dimensions': 'checked dimensions', 'new VectorDB(-1).dimensions': 'checked dimensions',
  'new VectorDB(70000).dimensions': 'checked dimensions', 'new VectorDB(null).dimensions': 'checked dimensions',
  'free() twice': 'free() idempotent',
  'saveToIndexedDB() under Node': 'IndexedDB under Node',
};

async function outcome(fn, m) {
  console.log = () => {};
  try {
    const v = await fn(m);
    return JSON.stringify(v === undefined ? 'undefined' : plain(v));
  } catch (e) {
    const name = e instanceof Error ? e.constructor.name : typeof e;
    return `throws ${name}`;
  } finally {
    console.log = realLog;
  }
}

let same = 0;
const rows = [];
for (const [name, fn] of checks) {
  const a = await outcome(fn, theirs), b = await outcome(fn, ours);
  if (a === b) same++;
  if (a !== b || process.argv.includes('--all')) rows.push([name, a, b]);
}
console.warn = quiet;
for (const [name, a, b] of rows) {
  console.log(`${a === b ? 'same' : 'DIFF'} | ${name}\n      @ruvector/wasm: ${a.slice(0, 200)}\n      ruvector-wasm:  ${b.slice(0, 200)}`);
}
console.log(`${same} of ${checks.length} calls give the same outcome; ${checks.length - same} differ (see the compatibility table in wasm/README.md)`);
if (process.argv.includes('--check')) {
  const differ = new Set(rows.filter(([, a, b]) => a !== b).map(([n]) => n));
  const unexpected = [...differ].filter((n) => !(n in EXPECTED));
  const gone = Object.keys(EXPECTED).filter((n) => !differ.has(n));
  if (unexpected.length || gone.length) {
    console.log(`probe: unexpected differences: ${unexpected.join('; ') || 'none'}; expected but now equal: ${gone.join('; ') || 'none'}`);
    process.exit(1);
  }
  console.log('probe: every difference is one the compatibility table explains');
}
