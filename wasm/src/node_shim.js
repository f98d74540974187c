// Prepended to the Emscripten ES module: gives it `require` and `__dirname` under Node (a no-op
// in browsers).
var require, __dirname;
if (typeof process == 'object' && process.versions && process.versions.node) {
  require = (await import('module')).createRequire(import.meta.url);
  __dirname = require('path').dirname(require('url').fileURLToPath(import.meta.url));
}
