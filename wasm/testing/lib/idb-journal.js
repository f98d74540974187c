// Incremental IndexedDB persistence of VectorDB (saveToIndexedDB, flush, checkpoint,
// loadFromIndexedDB) against a JavaScript model, in a browser (browser/journal.html, run by
// browser/run.mjs and test/ci.sh). Every check compares the reloaded database with the model:
// every acknowledged-and-flushed write present, nothing else. Scenarios:
//   crash      writes after the last flush, then the object is dropped without flushing
//   torn       the last journal record in IndexedDB cut short (or a byte flipped): the tail is
//              ignored and reported, cut from IndexedDB, and the journal continues after it
//   checkpoint explicit and automatic (checkpointRatio): one generation left in the store
//   old        the single-record format of earlier versions loads, and converts on save
//   async      VectorDb with storagePath (journaled in browsers)
//   failing    IndexedDB failing under a flush and a checkpoint: rejected, retried, nothing lost
//   hostile    bad arguments to the new methods and damaged meta / chunks: checked errors only,
//              and the same object works afterwards
export async function idbJournalCheck(rv, log = () => {}) {
  const { VectorDB, VectorDb } = rv;
  await rv.init();
  const failures = [];
  let checks = 0;
  const ok = (c, what) => { checks++; if (!c) failures.push(what); };
  const dim = 16;
  let s = 12345;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const vec = () => Float32Array.from({ length: dim }, () => rnd() * 2 - 1);

  // the model: id -> {v, m}; apply the same operation to the database and the model
  const ops = {
    insert(db, model, id, m) {
      const v = vec();
      db.insert(v, id, m);
      const prev = model.get(id);
      model.set(id, { v, m: m === undefined && prev ? prev.m : m });
    },
    del(db, model, id) {
      ok(db.delete(id) === model.delete(id), `delete ${id}`);
    },
  };
  const randomWrites = (db, model, n, tag) => {
    for (let i = 0; i < n; i++) {
      const ids = [...model.keys()];
      const x = rnd();
      if (x < 0.6 || ids.length < 5) ops.insert(db, model, `${tag}${i}`, { tag, i });
      else if (x < 0.8) ops.insert(db, model, ids[Math.floor(rnd() * ids.length)], { upd: tag, i });
      else ops.del(db, model, ids[Math.floor(rnd() * ids.length)]);
    }
  };
  const same = (db, model, what) => {
    checks++;
    if (db.len() !== model.size) {
      failures.push(`${what}: ${db.len()} entries, the model has ${model.size}`);
      return;
    }
    for (const [id, e] of model) {
      const g = db.get(id);
      if (!g) { failures.push(`${what}: ${id} missing`); return; }
      if (JSON.stringify(g.metadata) !== JSON.stringify(e.m)) { failures.push(`${what}: ${id} metadata`); return; }
      for (let j = 0; j < dim; j++) {
        if (g.vector[j] !== e.v[j]) { failures.push(`${what}: ${id} vector`); return; }
      }
    }
  };
  const copy = (model) => new Map(model);
  const idb = (name) => new Promise((res, rej) => {
    const rq = indexedDB.open(name, 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore('ruvector');
    rq.onsuccess = () => res(rq.result);
    rq.onerror = () => rej(rq.error);
  });
  const tx = async (name, mode, fn) => {
    const d = await idb(name);
    try {
      return await new Promise((res, rej) => {
        const t = d.transaction('ruvector', mode);
        let out;
        fn(t.objectStore('ruvector'), (v) => { out = v; });
        t.oncomplete = () => res(out);
        t.onerror = () => rej(t.error);
        t.onabort = () => rej(t.error);
      });
    } finally {
      d.close();
    }
  };
  const allKeys = (name) => tx(name, 'readonly', (st, done) => {
    const rq = st.getAllKeys();
    rq.onsuccess = () => done(rq.result);
  });
  const del = (name) => new Promise((res) => {
    const rq = indexedDB.deleteDatabase(name);
    rq.onsuccess = rq.onerror = rq.onblocked = () => res();
  });
  /** Rewrites the last journal record of the current generation with f(bytes). */
  const damageLast = (name, f) => tx(name, 'readwrite', (st, done) => {
    const rq = st.getAllKeys();
    rq.onsuccess = () => {
      const jk = rq.result.filter((k) => Array.isArray(k) && k[0] === 'j');
      const last = jk[jk.length - 1];
      const g = st.get(last);
      g.onsuccess = () => { st.put(f(g.result), last); done(last); };
    };
  });

  // ---- crash: unflushed writes are lost, flushed ones are all there -------------------------------
  const name = 'ruvector-journal-test';
  await del(name);
  let model = new Map();
  let db = new VectorDB(dim, 'cosine', true);
  randomWrites(db, model, 300, 'a');
  const big = { checkpointRatio: 4 }; // no automatic checkpoint in the crash and torn scenarios
  await db.saveToIndexedDB(name, big);
  let st = db.indexedDBStatus();
  ok(st && st.generation === 1 && st.journalBytes === 32 && st.snapshotBytes > 0, `status after save: ${JSON.stringify(st)}`);
  randomWrites(db, model, 40, 'b');
  const w0 = st.bytesWritten;
  const n1 = await db.flush();
  st = db.indexedDBStatus();
  ok(n1 > 0 && st.bytesWritten - w0 === n1 && st.journalBytes === 32 + n1, `flush wrote ${n1}`);
  ok(n1 < st.snapshotBytes / 4, `40 writes journaled in ${n1} bytes, snapshot ${st.snapshotBytes}`);
  ok(await db.flush() === 0, 'a flush with nothing new writes nothing');
  randomWrites(db, model, 25, 'c');
  ok(await db.saveToIndexedDB(name) === true, 'saveToIndexedDB again (flushes)');
  ok(db.indexedDBStatus().generation === 1, 'saveToIndexedDB with the same name appends');
  const flushed = copy(model);
  randomWrites(db, model, 30, 'd'); // acknowledged, never flushed
  ok(db.indexedDBStatus().pendingBytes > 0, 'pending bytes reported');
  db = null; // the "crash": dropped without flush()
  let back = await VectorDB.loadFromIndexedDB(name, big);
  same(back, flushed, 'crash: reload has every flushed write and nothing after');
  ok(back.loadReport.format === 'journal' && back.loadReport.stop === 'end' &&
    back.loadReport.records === 65 && back.loadReport.ignoredBytes === 0, `crash: report ${JSON.stringify(back.loadReport)}`);
  model = copy(flushed);

  // ---- the journal continues after a reload ------------------------------------------------------
  randomWrites(back, model, 20, 'e');
  await back.flush();
  const afterE = copy(model);
  back.free();
  back = await VectorDB.loadFromIndexedDB(name, big);
  same(back, afterE, 'continued journal replays');
  ok(back.loadReport.records === 85 && back.indexedDBStatus().journalRecords === 85, `records after continuing: ${back.loadReport.records}`);

  // ---- torn tail: the last record cut short ------------------------------------------------------
  randomWrites(back, model, 10, 'f');
  await back.flush();
  const afterF = copy(model);
  randomWrites(back, model, 1, 'g'); // one record: the one torn
  await back.flush();
  back.free();
  await damageLast(name, (b) => b.slice(0, b.length - 9));
  back = await VectorDB.loadFromIndexedDB(name, big);
  same(back, afterF, 'torn tail ignored');
  ok(back.loadReport.stop === 'torn' && back.loadReport.ignoredBytes > 0 && back.loadReport.records === 95,
    `torn: report ${JSON.stringify(back.loadReport)}`);
  model = copy(afterF);
  randomWrites(back, model, 10, 'h');
  await back.flush();
  const afterH = copy(model);
  back.free();
  back = await VectorDB.loadFromIndexedDB(name, big);
  same(back, afterH, 'writes after a torn tail follow the valid prefix');
  ok(back.loadReport.stop === 'end', `after repair: ${back.loadReport.stop}`);

  // ---- a flipped byte in the last record ---------------------------------------------------------
  randomWrites(back, model, 5, 'i');
  await back.flush();
  const afterI = copy(model);
  randomWrites(back, model, 1, 'j'); // one record: the one damaged
  await back.flush();
  back.free();
  await damageLast(name, (b) => { const c = b.slice(); c[c.length >> 1] ^= 0x40; return c; });
  back = await VectorDB.loadFromIndexedDB(name, big);
  same(back, afterI, 'corrupt record ignored');
  ok(back.loadReport.stop !== 'end' && back.loadReport.ignoredBytes > 0, `corrupt: ${JSON.stringify(back.loadReport)}`);
  model = copy(afterI);

  // ---- checkpoints: explicit, and automatic past checkpointRatio -------------------------------
  randomWrites(back, model, 10, 'k');
  const g0 = back.indexedDBStatus().generation;
  const cb = await back.checkpoint();
  st = back.indexedDBStatus();
  ok(st.generation === g0 + 1 && st.journalBytes === 32 && cb === st.snapshotBytes + 32, `checkpoint: ${JSON.stringify(st)}`);
  let keys = await allKeys(name);
  ok(keys.every((k) => k === 'meta' || (Array.isArray(k) && k[1] === st.generation)) &&
    keys.filter((k) => Array.isArray(k) && k[0] === 's').length >= 1, `one generation left: ${JSON.stringify(keys)}`);
  await back.saveToIndexedDB(name, { checkpointRatio: 0.001 });
  randomWrites(back, model, 10, 'l');
  await back.flush();
  ok(back.indexedDBStatus().generation === g0 + 2, 'automatic checkpoint past checkpointRatio');
  // checkpointRecords: a checkpoint when the journal holds more records (HNSW default 500)
  await back.saveToIndexedDB(name, { checkpointRatio: 1000, checkpointRecords: 12 });
  const g2 = back.indexedDBStatus().generation;
  randomWrites(back, model, 10, 'n');
  await back.flush();
  ok(back.indexedDBStatus().generation === g2 && back.indexedDBStatus().journalRecords === 10, 'under checkpointRecords: appended');
  randomWrites(back, model, 5, 'o');
  await back.flush();
  ok(back.indexedDBStatus().generation === g2 + 1 && back.indexedDBStatus().journalRecords === 0,
    `past checkpointRecords: a checkpoint ${JSON.stringify(back.indexedDBStatus())}`);
  await back.saveToIndexedDB(name, { checkpointRatio: 0.25, chunkBytes: 65536 });
  randomWrites(back, model, 3, 'm');
  await back.saveToIndexedDB(name, { full: true, durability: 'strict' });
  keys = await allKeys(name);
  const nchunks = keys.filter((k) => Array.isArray(k) && k[0] === 's').length;
  ok(nchunks === Math.ceil(back.indexedDBStatus().snapshotBytes / 65536), `chunkBytes 65536: ${nchunks} chunks`);
  const afterM = copy(model);
  back.free();
  back = await VectorDB.loadFromIndexedDB(name, big);
  same(back, afterM, 'after checkpoints');
  back.free();
  await del(name);

  // ---- the single-record format of earlier versions -------------------------------------------
  const old = 'ruvector-journal-old';
  await del(old);
  const om = new Map();
  const odb = new VectorDB(dim, 'euclidean', false);
  randomWrites(odb, om, 50, 'o');
  const bytes = odb.save();
  odb.free();
  await tx(old, 'readwrite', (st2) => st2.put(bytes, 'db'));
  back = await VectorDB.loadFromIndexedDB(old);
  same(back, om, 'single-record format loads');
  ok(back.loadReport.format === 'single', 'single: report');
  randomWrites(back, om, 10, 'p');
  await back.flush(); // bound to the name: the first flush converts (a checkpoint)
  keys = await allKeys(old);
  ok(!keys.includes('db') && keys.includes('meta'), `converted: ${JSON.stringify(keys)}`);
  back.free();
  back = await VectorDB.loadFromIndexedDB(old);
  same(back, om, 'converted database');
  back.free();
  await del(old);

  // ---- VectorDb with storagePath (browsers: journaled) ---------------------------------------------
  const ap = 'ruvector-journal-async';
  await del(ap);
  const a1 = new VectorDb({ dimensions: dim, storagePath: ap });
  await a1.insert({ id: 'x', vector: vec(), metadata: { n: 1 } });
  await a1.close();
  const a2 = new VectorDb({ dimensions: dim, storagePath: ap });
  ok((await a2.get('x'))?.metadata?.n === 1, 'VectorDb storagePath reload');
  await a2.insert({ id: 'y', vector: vec() });
  await a2.close();
  const a3 = new VectorDb({ dimensions: dim, storagePath: ap });
  ok(await a3.len() === 2, 'VectorDb storagePath: the second insert journaled');
  a3.free();
  keys = await allKeys(ap);
  ok(keys.filter((k) => Array.isArray(k) && k[0] === 'j').length === 2, `VectorDb journal records: ${JSON.stringify(keys)}`);
  await del(ap);

  // ---- IndexedDB failing: the flush or checkpoint rejects, nothing acknowledged is lost from
  // memory, and the next flush writes it
  const fname = 'ruvector-journal-fail';
  await del(fname);
  const fm = new Map();
  const f = new VectorDB(dim, 'cosine', true);
  randomWrites(f, fm, 20, 't');
  await f.saveToIndexedDB(fname, { checkpointRatio: 1000 }); // (checkpoints only when asked)
  const failOpen = () => { indexedDB.open = () => { throw new Error('test: IndexedDB down'); }; };
  const restore = () => { delete indexedDB.open; };
  randomWrites(f, fm, 5, 'u');
  failOpen();
  let rejected = false;
  try { await f.flush(); } catch (e) { rejected = /IndexedDB down/.test(e.message); }
  restore();
  ok(rejected && f.indexedDBStatus().pendingBytes > 0, 'a failed flush rejects and keeps its bytes');
  randomWrites(f, fm, 5, 'w');
  ok(await f.flush() > 0, 'the next flush writes them');
  back = await VectorDB.loadFromIndexedDB(fname);
  same(back, fm, 'after a failed flush');
  back.free();
  failOpen();
  rejected = false;
  try { await f.checkpoint(); } catch (e) { rejected = /IndexedDB down/.test(e.message); }
  restore();
  ok(rejected, 'a failed checkpoint rejects');
  randomWrites(f, fm, 5, 'x');
  ok(f.indexedDBStatus().pendingBytes === 0, 'no journal kept while a checkpoint is due');
  await f.flush(); // the checkpoint again
  ok(f.indexedDBStatus().generation === 2, `generation after the retried checkpoint: ${f.indexedDBStatus().generation}`);
  randomWrites(f, fm, 5, 'y');
  await f.flush();
  f.free();
  back = await VectorDB.loadFromIndexedDB(fname);
  same(back, fm, 'after a failed checkpoint');
  ok(back.loadReport.records === 5, `records after the retried checkpoint: ${back.loadReport.records}`);
  back.free();
  await del(fname);

  // ---- hostile arguments and damaged records: checked errors, the object keeps working --------
  const hn = 'ruvector-journal-hostile';
  await del(hn);
  const hm = new Map();
  const h = new VectorDB(dim, 'cosine', true);
  randomWrites(h, hm, 30, 'q');
  const checked = (e) => e instanceof TypeError || e instanceof RangeError || e instanceof rv.RuvectorError;
  const BAD = [0, -1, NaN, Infinity, 2 ** 53, '', true, 10n, {}, [], [1], () => 1, Symbol('s'), new Uint8Array(4)];
  const expectReject = async (what, p, test = checked) => {
    checks++;
    try {
      await p();
      failures.push(`${what}: resolved`);
    } catch (e) {
      if (!test(e)) failures.push(`${what}: ${e && e.name}: ${e && e.message}`);
    }
  };
  await expectReject('checkpoint() before any save', () => h.checkpoint(), (e) => /not kept in IndexedDB/.test(e.message));
  for (const b of BAD) {
    await expectReject(`saveToIndexedDB(${String(typeof b)})`, () => h.saveToIndexedDB(b));
    await expectReject(`loadFromIndexedDB(${String(typeof b)})`, () => VectorDB.loadFromIndexedDB(b));
    if (b !== undefined && (b === null || typeof b !== 'object' || Array.isArray(b) || ArrayBuffer.isView(b))) {
      if (!(Array.isArray(b) && b.length === 0)) await expectReject('saveToIndexedDB options', () => h.saveToIndexedDB(hn, b));
    }
    await expectReject('chunkBytes', () => h.saveToIndexedDB(hn, { chunkBytes: b }));
    await expectReject('checkpointRatio', () => h.saveToIndexedDB(hn, { checkpointRatio: b === 0 ? -1 : b }));
    if (b !== true) await expectReject('full', () => h.saveToIndexedDB(hn, { full: b }));
    await expectReject('durability', () => h.saveToIndexedDB(hn, { durability: b }));
    if (b !== 0) await expectReject('checkpointRecords', () => h.saveToIndexedDB(hn, { checkpointRecords: b }));
  }
  ok(h.indexedDBStatus() === null, 'failed calls bound nothing');
  await expectReject('nothing saved', () => VectorDB.loadFromIndexedDB('ruvector-journal-none'), (e) => /nothing saved/.test(e.message));
  await del('ruvector-journal-none');
  await h.saveToIndexedDB(hn);
  randomWrites(h, hm, 10, 'r');
  await h.flush();
  // damaged stores: meta lies about chunks, a chunk is garbage, the meta is garbage
  const metaOf = () => tx(hn, 'readonly', (st2, done) => { const r = st2.get('meta'); r.onsuccess = () => done(r.result); });
  const meta = await metaOf();
  const putMeta = (m) => tx(hn, 'readwrite', (st2) => st2.put(m, 'meta'));
  for (const m of [{ ...meta, chunks: meta.chunks + 1 }, { ...meta, metric: 'nope' }, { ...meta, snapshotId: 'zz' },
    { ...meta, snapshotId: 5 }, { ...meta, gen: 99 }, { ...meta, gen: {} }, { ...meta, gen: 'x' }, { ...meta, gen: -1 },
    { ...meta, chunks: 'x' }, { ...meta, metric: meta.metric === 'cosine' ? 'euclidean' : 'cosine' }]) {
    await putMeta(m);
    await expectReject(`damaged meta ${JSON.stringify(m).slice(0, 60)}`, () => VectorDB.loadFromIndexedDB(hn));
  }
  await putMeta(meta);
  await tx(hn, 'readwrite', (st2) => st2.put(new Uint8Array(100), ['s', meta.gen, 0]));
  await expectReject('garbage snapshot chunk', () => VectorDB.loadFromIndexedDB(hn));
  await tx(hn, 'readwrite', (st2) => st2.put('not bytes', ['s', meta.gen, 0]));
  await expectReject('a string as a snapshot chunk', () => VectorDB.loadFromIndexedDB(hn));
  // the writer is intact: a checkpoint repairs the store
  await h.checkpoint();
  back = await VectorDB.loadFromIndexedDB(hn);
  same(back, hm, 'after hostile calls and damaged records, a checkpoint restores the store');
  // garbage journal records (not bytes, random bytes): ignored, the snapshot loads
  const m2 = await metaOf();
  await tx(hn, 'readwrite', (st2) => { st2.put({ x: 1 }, ['j', m2.gen, 1]); st2.put(new Uint8Array(77).fill(7), ['j', m2.gen, 2]); });
  back.free();
  back = await VectorDB.loadFromIndexedDB(hn);
  same(back, hm, 'garbage journal records ignored');
  ok(back.loadReport.stop !== 'end', 'garbage journal reported');
  randomWrites(back, hm, 5, 's');
  await back.flush();
  back.free();
  back = await VectorDB.loadFromIndexedDB(hn);
  same(back, hm, 'writes after garbage journal records');
  back.free();
  h.free();
  await expectReject('flush() after free()', () => h.flush(), (e) => /freed/.test(e.message));
  await del(hn);
  log(`idb journal: ${checks} checks, ${failures.length} failures`);
  return { checks, failures };
}

// ---- a page closed during a flush (browser/run.mjs: phase close-write, then close-read) ---------
// close-write: a checkpoint, a flushed batch (state A), a second batch whose flush is in flight
// when the page returns (state A + B), then writes never flushed; run.mjs navigates away at once.
// close-read (the next page): the database must be exactly A or A + B: a flush is all or nothing,
// and nothing written after it is there.
const CLOSE_DB = 'ruvector-journal-close';

export async function closeWrite(rv) {
  await rv.init();
  await new Promise((res) => { const rq = indexedDB.deleteDatabase(CLOSE_DB); rq.onsuccess = rq.onerror = rq.onblocked = res; });
  const dim = 8;
  const model = {};
  const db = new rv.VectorDB(dim, 'euclidean', true);
  // values k / 8 (exact in float32), so that JSON comparisons are exact
  const put = (id, i) => {
    const v = Array.from({ length: dim }, () => Math.round(Math.random() * 1000) / 8);
    db.insert(v, id, { i });
    model[id] = [i, ...v];
  };
  for (let i = 0; i < 100; i++) put(`a${i}`, i);
  await db.saveToIndexedDB(CLOSE_DB, { checkpointRatio: 100 }); // (journal flushes only)
  for (let i = 0; i < 50; i++) put(`b${i}`, i);
  db.delete('a3');
  delete model.a3;
  await db.flush();
  const A = JSON.stringify(model);
  for (let i = 0; i < 50; i++) put(`c${i}`, i);
  put('a5', 555);
  db.delete('b7');
  delete model.b7;
  const AB = JSON.stringify(model);
  localStorage.setItem(CLOSE_DB, JSON.stringify({ A, AB }));
  db.flush(); // not awaited: in flight when the page goes away
  await new Promise((res) => setTimeout(res, 0)); // (it has taken the journal bytes of B)
  for (let i = 0; i < 30; i++) put(`d${i}`, i); // acknowledged, never flushed
  return { pendingBytes: db.indexedDBStatus().pendingBytes };
}

export async function closeRead(rv) {
  await rv.init();
  const { A, AB } = JSON.parse(localStorage.getItem(CLOSE_DB));
  const db = await rv.VectorDB.loadFromIndexedDB(CLOSE_DB);
  const ids = new Set([...Object.keys(JSON.parse(AB)), ...Array.from({ length: 30 }, (_, i) => `d${i}`), 'a3', 'b7']);
  const got = {};
  for (const id of ids) {
    const e = db.get(id);
    if (e) got[id] = [e.metadata.i, ...e.vector];
  }
  const norm = (m) => JSON.stringify(Object.keys(m).sort().map((k) => [k, m[k]]));
  const g = norm(got);
  const state = g === norm(JSON.parse(A)) ? 'flushed' : g === norm(JSON.parse(AB)) ? 'flushed+inflight' : 'other';
  const out = { state, count: db.len(), entries: Object.keys(got).length, report: db.loadReport };
  db.free();
  localStorage.removeItem(CLOSE_DB);
  await new Promise((res) => { const rq = indexedDB.deleteDatabase(CLOSE_DB); rq.onsuccess = rq.onerror = rq.onblocked = res; });
  return out;
}
