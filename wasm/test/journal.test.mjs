// The journal methods of Index (snapshotId, attachJournal, takeJournal, replayJournal,
// detachJournal) against a JavaScript model: a snapshot plus the journal taken after it replays
// to the writer's contents; a torn or corrupt tail is ignored and reported; a continued journal
// replays whole; hostile arguments give checked errors and leave the index working. The
// IndexedDB layer on top (VectorDB.saveToIndexedDB / flush / checkpoint / loadFromIndexedDB) is
// tested in headless Chromium (testing/lib/idb-journal.js, browser/run.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Index, VectorDB, RuvectorError, init } from '../node.mjs';

await init();

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** Index contents as a sorted list of [key, id, vector...] strings. */
function contents(ix) {
  const out = [];
  for (const k of ix.keys()) out.push(`${k}:${Array.from(ix.getVector(k)).join(',')}`);
  return out.sort();
}

function concat(parts) {
  const n = parts.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

test('journal: snapshot + taken records replay to the writer; torn tail ignored; continue', () => {
  const r = rng(5), dim = 8;
  const v = () => Float32Array.from({ length: dim }, () => r() * 2 - 1);
  const ix = new Index(dim, { kind: 'hnsw' });
  for (let i = 0; i < 50; i++) ix.add(i, v());
  const snap = ix.save();
  const id = ix.snapshotId();
  assert.equal(typeof id, 'bigint');
  assert.equal(ix.snapshotId(), id, 'stable');
  assert.equal(ix.takeJournal(), null, 'no journal attached');
  ix.attachJournal({ base: id });
  const head = ix.takeJournal();
  assert.equal(head.length, 32, 'header');
  const recs = [];
  for (let i = 50; i < 60; i++) { ix.add(i, v()); recs.push(ix.takeJournal()); }
  ix.remove(3);
  recs.push(ix.takeJournal());
  ix.addBatch([100, 101], concat([v(), v()]));
  recs.push(ix.takeJournal());
  assert.ok(recs.every((b) => b.length > 0));
  const journal = concat([head, ...recs]);
  const back = Index.load(snap);
  const rep = back.replayJournal(journal, { base: id });
  assert.equal(rep.stop, 'end');
  assert.equal(rep.records, 12);
  assert.equal(recs.length, 12);
  assert.equal(rep.validBytes, journal.length);
  assert.equal(rep.ignoredBytes, 0);
  assert.equal(rep.base, id);
  assert.deepEqual(contents(back), contents(ix));
  back.free();
  // chunks given as an array replay the same
  const b2 = Index.load(snap);
  assert.equal(b2.replayJournal([head, ...recs]).records, 12);
  assert.deepEqual(contents(b2), contents(ix));
  b2.free();
  // torn tail: cut the last record in half
  const torn = journal.subarray(0, journal.length - Math.floor(recs[recs.length - 1].length / 2));
  const b3 = Index.load(snap);
  const r3 = b3.replayJournal(torn, { base: id });
  assert.equal(r3.stop, 'torn');
  assert.equal(r3.records, 11);
  assert.equal(r3.validBytes, journal.length - recs[recs.length - 1].length);
  assert.equal(r3.ignoredBytes, torn.length - r3.validBytes);
  assert.equal(b3.count, 59, 'batch not applied, remove applied');
  // continue after the valid prefix: the combined journal replays whole
  b3.attachJournal({ nextSeq: r3.nextSeq, size: r3.validBytes });
  assert.equal(b3.takeJournal().length, 0);
  b3.add(500, v());
  const more = b3.takeJournal();
  const b4 = Index.load(snap);
  const r4 = b4.replayJournal([journal.subarray(0, r3.validBytes), more], { base: id });
  assert.equal(r4.stop, 'end');
  assert.equal(r4.records, 12);
  assert.deepEqual(contents(b4), contents(b3));
  // a corrupt byte in a record: the records before it stay, the rest is reported
  const bad = journal.slice();
  bad[head.length + recs[0].length + 20] ^= 0x55;
  const b5 = Index.load(snap);
  const r5 = b5.replayJournal(bad, { base: id });
  assert.equal(r5.records, 1);
  assert.notEqual(r5.stop, 'end');
  // another base: nothing applied
  const b6 = Index.load(snap);
  const r6 = b6.replayJournal(journal, { base: id ^ 1n });
  assert.equal(r6.stop, 'base');
  assert.equal(r6.records, 0);
  assert.equal(b6.count, 50);
  // detach: later writes append nothing
  ix.detachJournal();
  ix.add(999, v());
  assert.equal(ix.takeJournal(), null);
  for (const x of [ix, b3, b4, b5, b6]) x.free();
});

test('journal: hostile arguments give checked errors; the index keeps working', () => {
  const ix = new Index(4);
  ix.add(1, [1, 2, 3, 4]);
  const bad = [undefined, null, 0, -1, 1.5, NaN, Infinity, 'x', {}, [], [1, 2], true, 2n ** 64n, -1n,
    Symbol('s'), () => 0, new Float64Array(3), 2 ** 60];
  let errors = 0;
  const expectChecked = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof TypeError || e instanceof RangeError || e instanceof RuvectorError,
        `unexpected ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
      errors++;
    }
  };
  for (const b of bad) {
    expectChecked(() => ix.attachJournal(b));
    expectChecked(() => ix.attachJournal({ base: b }));
    expectChecked(() => ix.attachJournal({ nextSeq: b, size: b }));
    expectChecked(() => ix.attachJournal({ nextSeq: 5, size: b }));
    expectChecked(() => ix.replayJournal(b));
    expectChecked(() => ix.replayJournal(new Uint8Array(64), b));
    expectChecked(() => ix.replayJournal(new Uint8Array(64), { base: b }));
    expectChecked(() => ix.replayJournal([new Uint8Array(8), b]));
  }
  assert.ok(errors > 50);
  // garbage journals apply nothing
  const r = rng(9);
  for (let t = 0; t < 50; t++) {
    const g = Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
    const rep = ix.replayJournal(g);
    assert.equal(rep.records, 0);
  }
  // a continuation far beyond anything: writes still work (they append to it)
  ix.attachJournal({ nextSeq: 2n ** 63n, size: 2n ** 63n });
  ix.add(2, [1, 1, 1, 1]);
  assert.ok(ix.takeJournal().length > 0);
  ix.detachJournal();
  ix.detachJournal();
  assert.equal(ix.count, 2);
  assert.equal(ix.search([1, 2, 3, 4], 1).keys[0], 1n);
  ix.free();
  for (const f of ['snapshotId', 'takeJournal', 'detachJournal']) assert.throws(() => ix[f](), /freed/);
  assert.throws(() => ix.attachJournal({}), /freed/);
  assert.throws(() => ix.replayJournal(new Uint8Array(0)), /freed/);
});

test('VectorDB IndexedDB methods without IndexedDB (Node): clear errors, nothing changes', async () => {
  const db = new VectorDB(3, 'cosine', true);
  db.insert([1, 2, 3], 'a');
  assert.equal(db.indexedDBStatus(), null);
  assert.equal(await db.flush(), 0, 'never saved: nothing to flush');
  await assert.rejects(db.checkpoint(), /not kept in IndexedDB/);
  await assert.rejects(db.saveToIndexedDB('x'), /IndexedDB is not available/);
  assert.equal(db.indexedDBStatus(), null, 'nothing bound');
  assert.equal(db._ix.takeJournal(), null, 'no journal attached');
  for (const b of [0, {}, [], true, '']) await assert.rejects(db.saveToIndexedDB(b), TypeError);
  for (const o of [5, 'x', [], { full: 1 }, { checkpointRatio: -1 }, { checkpointRatio: NaN },
    { chunkBytes: 1 }, { chunkBytes: 2 ** 40 }, { chunkBytes: '4' }]) {
    await assert.rejects(db.saveToIndexedDB('x', o), (e) => e instanceof TypeError || e instanceof RangeError);
    if (!(o && typeof o === 'object' && 'full' in o)) {
      await assert.rejects(VectorDB.loadFromIndexedDB('x', o), (e) => e instanceof TypeError || e instanceof RangeError);
    }
  }
  assert.equal(db.len(), 1);
  assert.equal(db.search([1, 2, 3], 1)[0].id, 'a');
  db.free();
  await assert.rejects(db.flush(), /freed/);
});
