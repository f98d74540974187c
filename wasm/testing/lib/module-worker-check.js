// The package inside a plain module Web Worker (pages without a bundler).
/** The package in a plain module Web Worker, imported by the URL the page's import map gives the
    bare name (import.meta.resolve): pages without a bundler only. */
export async function moduleWorkerCheck() {
  const r = { failures: [] };
  const fail = (m) => r.failures.push(m);
  const url = import.meta.resolve ? import.meta.resolve('ruvector-wasm') : null;
  if (url) {
    const src = `import init, { VectorDB, isa } from ${JSON.stringify(url)};
      await init();
      const db = new VectorDB(4, 'euclidean', false);
      db.insert([1, 2, 3, 4], 'a'); db.insert([0, 0, 0, 0], 'b');
      const h = db.search([1, 2, 3, 5], 1)[0];
      postMessage({ isa: isa(), id: h.id, score: h.score });`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
    const m = await new Promise((res, rej) => { w.onmessage = (ev) => res(ev.data); w.onerror = (ev) => rej(new Error(ev.message)); });
    w.terminate();
    r.moduleWorker = m;
    if (m.id !== 'a' || m.score !== 1 || m.isa !== 'wasm128') fail(`module worker ${JSON.stringify(m)}`);
  }
  else fail('no import.meta.resolve');
  return r;
}
