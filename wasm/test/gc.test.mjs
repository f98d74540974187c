// Lifetimes: 2,000 databases created, used and dropped without free() are reclaimed by the
// garbage collector (FinalizationRegistry), so the WebAssembly heap stays bounded; free() is
// idempotent; `using` / Symbol.dispose frees; small databases start small. Needs --expose-gc:
// without it this file runs itself again with the flag (so `node --test wasm/test/` covers it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as rv from '../node.mjs';

const settle = async () => {
  for (let i = 0; i < 20 && rv.memoryStats().liveIndexes > 0; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
};

if (typeof globalThis.gc !== 'function') {
  test('lifetimes (re-run under node --expose-gc)', () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // a run of its own, not a subtest of this one
    const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
    process.stdout.write(out.split('\n').filter((l) => l.startsWith('# 2,000')).map((l) => `${l}\n`).join(''));
    assert.match(out, /# fail 0/);
    assert.match(out, /# pass [1-9]/);
  });
} else {
  await rv.init();

  test('2,000 dropped databases are reclaimed: bounded heap, no live indexes left', async () => {
    const dim = 384;
    const v = new Float32Array(dim).map((_, i) => Math.sin(i));
    const warm = new rv.VectorDB(dim, 'cosine', true);
    warm.insert(v, 'w');
    warm.free();
    await settle();
    const before = rv.memoryStats();
    let peakLive = 0;
    for (let i = 0; i < 2000; i++) {
      const db = new rv.VectorDB(dim, i % 2 ? 'cosine' : 'euclidean', i % 3 !== 0);
      for (let j = 0; j < 5; j++) db.insert(v.map((x) => x + j), `id${j}`, { i, j });
      assert.equal(db.search(v, 3, { j: 2 })[0].id, 'id2');
      if (i % 100 === 99) {
        peakLive = Math.max(peakLive, rv.memoryStats().liveIndexes);
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    await settle();
    const after = rv.memoryStats();
    console.log(`# 2,000 create/drop cycles: WebAssembly memory ${before.wasmBytes} -> ${after.wasmBytes} bytes, ` +
      `live indexes ${before.liveIndexes} -> ${after.liveIndexes} (peak ${peakLive} between collections)`);
    assert.ok(after.liveIndexes <= 1, `live indexes after collection: ${after.liveIndexes}`);
    assert.ok(after.wasmBytes - before.wasmBytes <= 16 * 1048576,
      `heap grew by ${after.wasmBytes - before.wasmBytes} bytes`);
  });

  test('free() is idempotent, Symbol.dispose frees, freed databases throw', async () => {
    const before = rv.memoryStats().liveIndexes;
    const db = new rv.VectorDB(8);
    db.free();
    db.free();
    assert.throws(() => db.len(), /freed/);
    assert.equal(rv.memoryStats().liveIndexes, before);
    {
      const d2 = new rv.VectorDB(8);
      d2[Symbol.dispose]();
      assert.throws(() => d2.insert(new Float32Array(8)), /freed/);
    }
    const ix = new rv.Index(4);
    ix[Symbol.dispose]();
    ix.free();
    assert.equal(rv.memoryStats().liveIndexes, before);
    const adb = new rv.VectorDb({ dimensions: 4 });
    await adb.insert({ vector: [1, 2, 3, 4] });
    adb.free();
    adb.free();
    await assert.rejects(adb.len(), /freed/);
  });

  test('small databases start small and grow on demand', () => {
    for (const [dim, hnsw, limit] of [[384, true, 64 * 1024], [384, false, 48 * 1024], [3, true, 16 * 1024]]) {
      const db = new rv.VectorDB(dim, 'cosine', hnsw);
      const m = db.memoryUsage();
      assert.ok(m.bytes <= limit, `${dim}-d ${hnsw ? 'HNSW' : 'flat'}: ${m.bytes} bytes when empty`);
      for (let i = 0; i < 1000; i++) db.insert(new Float32Array(dim).fill(i + 1).map((x, j) => x * (j + 1)), `k${i}`);
      assert.equal(db.len(), 1000);
      assert.ok(db.memoryUsage().capacity >= 1000);
      db.free();
    }
  });
}
