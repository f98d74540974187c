// ruvector-wasm for browsers, Web Workers and bundlers (the package's "browser" / "import" /
// "default" entry). No Node built-ins on this path.
//
//   import init, { VectorDB } from 'ruvector-wasm';
//   await init();                         // the SIMD128 module when the engine has it
//
// The .wasm files are located with `new URL('./dist/...', import.meta.url)`, which webpack and
// Vite turn into emitted assets. Where that URL does not answer with a WebAssembly module
// (esbuild and Rollup do not copy assets; an iife bundle has no import.meta.url), the bytes come
// from dist/*.wasm.js, a base64 copy imported lazily (its own chunk, loaded only then).
import { createApi } from './dist/core.mjs';

function wasmUrl(simd) {
  try {
    return simd ? new URL('./dist/ruvector_simd.wasm', import.meta.url)
      : new URL('./dist/ruvector_scalar.wasm', import.meta.url);
  } catch {
    return null; // no usable import.meta.url (e.g. an iife bundle)
  }
}

async function fetchWasm(simd) {
  const url = wasmUrl(simd);
  if (!url || !/^(https?|blob|data):$/.test(url.protocol) || typeof fetch !== 'function') return null;
  try {
    const r = await fetch(url);
    if (!r.ok) return null;
    const b = new Uint8Array(await r.arrayBuffer());
    return b.length > 8 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d ? b : null;
  } catch {
    return null;
  }
}

function fromBase64(s) {
  const bin = atob(s);
  const b = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
  return b;
}

const api = createApi({
  name: 'browser',
  async source(simd) {
    const b = await fetchWasm(simd);
    if (b) return { bytes: b, from: 'url' };
    const m = simd ? await import('./dist/ruvector_simd.wasm.js')
      : await import('./dist/ruvector_scalar.wasm.js');
    return { bytes: fromBase64(m.default), from: 'base64' };
  },
});

export default api.init;
export const {
  init, initSync, detectSIMD, version, isa, memoryStats, RuvectorError, Index, SparseIndex, fuse,
  VectorDB, VectorDb, JsSearchResult, JsVectorEntry, arrayToFloat32Array, benchmark,
  distanceToSimilarity,
} = api;
