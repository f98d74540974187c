// Loading: the browser entry under Node (base64 fallback), init forms, initSync, the conflicting
// {simd} request, CommonJS require, file persistence and the IndexedDB message, VectorDb storagePath.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (code, type = 'mjs') => execFileSync(process.execPath,
  [type === 'mjs' ? '--input-type=module' : '--input-type=commonjs', '-e', code], { cwd: pkg, encoding: 'utf8' });

test('browser entry under Node: no fetch of file: URLs, the base64 copy loads', () => {
  const out = run(`import init, { VectorDB, memoryStats } from './index.js';
    await init(); const db = new VectorDB(2, 'euclidean', false); db.insert([3, 4], 'a');
    console.log(memoryStats().loadedFrom, db.search([0, 0], 1)[0].score);`);
  assert.equal(out.trim(), 'base64 5');
});

test('init forms: bytes, {module_or_path}, WebAssembly.Module, a promise; {simd: false} after SIMD throws', () => {
  for (const form of ['bytes', '{ module_or_path: bytes }', 'new WebAssembly.Module(bytes)', 'Promise.resolve(bytes)']) {
    const out = run(`import { readFileSync } from 'node:fs';
      import init, { isa, memoryStats } from './node.mjs';
      const bytes = readFileSync('dist/ruvector_scalar.wasm');
      const x = await init(${form});
      console.log(isa(), memoryStats().loadedFrom, x.memory instanceof WebAssembly.Memory);`);
    assert.equal(out.trim(), 'serial argument true', form);
  }
  const out = run(`import init from './node.mjs';
    await init();
    try { await init({ simd: false }); console.log('no error'); } catch (e) { console.log(e.message); }`);
  assert.match(out, /init\(\{simd: false\}\) after the SIMD128 module was loaded/);
  const bad = run(`import init from './node.mjs';
    try { await init(new Uint8Array([1, 2, 3, 4, 5])); } catch (e) { console.log(e.constructor.name, e.message); }
    try { await init(42); } catch (e) { console.log(e.constructor.name); }`);
  assert.match(bad, /Error ruvector: init\(\): the bytes are not a WebAssembly module/);
  assert.match(bad, /TypeError/);
  const before = run(`import { VectorDB } from './node.mjs';
    try { new VectorDB(3); } catch (e) { console.log(e.message); }`);
  assert.match(before, /call `await init\(\)`/);
});

test('CommonJS: require, async init, initSync(), VectorDb without init', () => {
  const out = run(`const rv = require('./node.cjs');
    rv.initSync();
    const ix = new rv.Index(2); ix.add(1n, [1, 1]);
    const v = new rv.VectorDb({ dimensions: 2 });
    v.insert({ id: 'x', vector: [1, 0] }).then(() => v.len()).then((n) => console.log(rv.isa(), ix.count, n));`, 'cjs');
  assert.match(out.trim(), /^(wasm128|serial) 1 1$/);
  const req = createRequire(import.meta.url);
  assert.equal(typeof req('../node.cjs').init, 'function');
});

test('Node persistence: saveToFile / loadFromFile, IndexedDB message, VectorDb storagePath', async () => {
  const rv = await import('../node.mjs');
  await rv.init();
  const dir = mkdtempSync(path.join(tmpdir(), 'ruv-files-'));
  try {
    const db = new rv.VectorDB(3, 'cosine', true);
    db.insert([1, 2, 3], 'a', { n: 1 });
    db.insert([0.1, 0.2, 0.31], 'b');
    const f = path.join(dir, 'db.rvdb');
    assert.equal(await db.saveToFile(f), true);
    const back = await rv.VectorDB.loadFromFile(f);
    assert.deepEqual(Array.from(back.get('a').vector), [1, 2, 3]);
    assert.deepEqual(back.get('a').metadata, { n: 1 });
    assert.deepEqual(readFileSync(f), Buffer.from(db.save()));
    await assert.rejects(db.saveToIndexedDB('x'), /IndexedDB is not available here \(Node has none\): use db.saveToFile/);
    await assert.rejects(rv.VectorDB.loadFromIndexedDB('x'), /saveToFile/);
    await assert.rejects(rv.VectorDB.loadFromFile(path.join(dir, 'none')), /ENOENT/);
    const sp = path.join(dir, 'store.rvdb');
    const v = new rv.VectorDb({ dimensions: 3, storagePath: sp });
    await v.insertBatch([{ id: 'p', vector: [1, 0, 0], metadata: { k: 1 } }, { id: 'q', vector: [0, 1, 0] }]);
    await v.delete('q');
    await v.close();
    const v2 = new rv.VectorDb({ dimensions: 3, storagePath: sp });
    assert.equal(await v2.len(), 1);
    assert.deepEqual((await v2.get('p')).metadata, { k: 1 });
    assert.equal(await v2.get('q'), null);
    v2.free();
    const wrong = new rv.VectorDb({ dimensions: 4, storagePath: sp });
    await assert.rejects(wrong.len(), /holds vectors of 3 dimensions/);
    db.free();
    back.free();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Index.reserve: room for n entries at once, refused beyond the limit, index unchanged', async () => {
  const rv = await import('../node.mjs');
  await rv.init();
  const idx = new rv.Index(4, { kind: 'hnsw' });
  idx.reserve(5000);
  const before = idx.memoryUsage;
  for (let i = 0; i < 5000; i++) idx.add(i, [i, 1, 2, 3]);
  // the slot arrays were allocated once: only the graph's upper levels grew meanwhile
  assert.ok(idx.memoryUsage - before < 256 * 1024, `grew by ${idx.memoryUsage - before}`);
  assert.throws(() => idx.reserve(-1), RangeError);
  assert.throws(() => idx.reserve(2 ** 40), RangeError);
  assert.throws(() => idx.reserve(1.5), RangeError);
  assert.equal(idx.count, 5000);
  const s = idx.search([4999, 1, 2, 3], 1);
  assert.equal(s.keys[0], 4999n);
  idx.free();
});
