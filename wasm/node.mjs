// ruvector-wasm for Node as an ES module (the package's "node" + "import" entry): reads the .wasm
// file next to this module and adds file persistence (VectorDB.saveToFile / loadFromFile, the
// storagePath of VectorDb).
import { readFileSync } from 'node:fs';
import { readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { createApi } from './dist/core.mjs';

const file = (simd) => new URL(`./dist/ruvector_${simd ? 'simd' : 'scalar'}.wasm`, import.meta.url);

const api = createApi({
  name: 'node',
  source: async (simd) => ({ bytes: await readFile(file(simd)), from: 'file' }),
  sourceSync: (simd) => readFileSync(file(simd)),
  fs: {
    async read(path, missingOk) {
      try {
        return new Uint8Array(await readFile(path));
      } catch (e) {
        if (missingOk && e.code === 'ENOENT') return null;
        throw e;
      }
    },
    async write(path, bytes) { // atomic: a temporary file renamed over path
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, path);
      } catch (e) {
        await unlink(tmp).catch(() => {});
        throw e;
      }
    },
  },
});

export default api.init;
export const {
  init, initSync, detectSIMD, version, isa, memoryStats, RuvectorError, Index, SparseIndex, fuse,
  VectorDB, VectorDb, JsSearchResult, JsVectorEntry, arrayToFloat32Array, benchmark,
  distanceToSimilarity,
} = api;
