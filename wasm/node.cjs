// ruvector-wasm for Node as CommonJS (the package's "require" entry). No top-level await: call
// `await init()` (or initSync()) before using the classes; VectorDb loads the module itself.
//
//   const { init, VectorDB } = require('ruvector-wasm');
'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { createApi } = require('./dist/core.cjs');

const file = (simd) => path.join(__dirname, 'dist', `ruvector_${simd ? 'simd' : 'scalar'}.wasm`);

const api = createApi({
  name: 'node',
  source: async (simd) => ({ bytes: await fsp.readFile(file(simd)), from: 'file' }),
  sourceSync: (simd) => fs.readFileSync(file(simd)),
  fs: {
    async read(p, missingOk) {
      try {
        return new Uint8Array(await fsp.readFile(p));
      } catch (e) {
        if (missingOk && e.code === 'ENOENT') return null;
        throw e;
      }
    },
    async write(p, bytes) {
      const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
      try {
        await fsp.writeFile(tmp, bytes);
        await fsp.rename(tmp, p);
      } catch (e) {
        await fsp.unlink(tmp).catch(() => {});
        throw e;
      }
    },
  },
});

module.exports = api;
module.exports.default = api.init;
