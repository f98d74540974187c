// @ruvector/wasm's utility exports and classes, in our words.
import init, { init as namedInit, initSync, VectorDB, JsVectorEntry, JsSearchResult, detectSIMD,
  version, arrayToFloat32Array, benchmark } from '@ruvector/wasm';
import { check } from './common.mjs';

const out = await init();
check(out && out.memory instanceof WebAssembly.Memory, 'init returns the exports');
await namedInit();
check(typeof initSync === 'function', 'initSync');
check(typeof detectSIMD() === 'boolean' && /^\d+\.\d+\.\d+$/.test(version()), 'detectSIMD, version');
const f = arrayToFloat32Array([1, 2, 3]);
check(f instanceof Float32Array && f[2] === 3, 'arrayToFloat32Array');
check(benchmark('insert', 200, 16) > 0, 'benchmark');
const db = new VectorDB(3); // default metric and index
const e = new JsVectorEntry(new Float32Array([1, 0, 0]), 'x', { k: 1 });
check(e.id === 'x' && e.metadata.k === 1 && e.vector[0] === 1, 'JsVectorEntry');
db.insertBatch([e, { vector: new Float32Array([0, 1, 0]) }]);
const [hit] = db.search(new Float32Array([1, 0.1, 0]), 1);
check(hit instanceof JsSearchResult && hit.id === 'x', 'JsSearchResult');
check(db.search(new Float32Array([1, 0, 0])).length === 0, 'search without k gives []');
hit.free();
db.free();
{
  const d2 = new VectorDB(2, 'manhattan', false);
  d2.insert([1, 1], 'p');
  check(d2.search([0, 0], 1)[0].score === 2, 'manhattan');
  d2[Symbol.dispose]();
}
const dot = new VectorDB(2, 'dotproduct');
dot.insert(new Float32Array([2, 3]), 'a');
check(dot.search(new Float32Array([1, 1]), 1)[0].score === -5, 'dotproduct score is -a.b');
console.log('wasm-utilities: ok');
