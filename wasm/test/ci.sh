#!/bin/sh
# Everything the npm package ruvector-wasm needs checked, for CI on a fresh Debian 12 machine with
# emscripten, nodejs (with npm) and chromium installed. Run from the repository root:
#   sh wasm/test/ci.sh
# It builds the modules, runs the Node tests, packs the tarball and installs it into fresh
# projects (ES module, CommonJS, the compatibility examples under the names @ruvector/wasm and
# ruvector), builds a small app with esbuild, Vite, webpack and Rollup at their default settings
# and runs each in headless Chromium, then a page without a bundler (import map) with a module
# Web Worker, the worker wrapper and the hostile-argument test, and the source-tree browser tests
# (incremental IndexedDB persistence against a model, IndexedDB round trip across a reload, the
# example page, 100,000 x 384 SQ8 in < 50 MB). Test-only
# npm packages go into temporary folders. Exits non-zero at the first failure.
set -eu
cd "$(dirname "$0")/../.."
[ -f wasm/build.sh ] || { echo "wasm/test/ci.sh: run from a ruvector.h checkout" >&2; exit 1; }
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" # Debian's emcc needs its acorn
start=$(date +%s)
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { printf '\n--- wasm [%ss]: %s\n' "$(($(date +%s) - start))" "$*"; }
npmi() { npm install --no-audit --no-fund --loglevel=error "$@"; }
newproject() { # a fresh npm project of type module in $1
  mkdir -p "$1"
  (cd "$1" && npm init -y >/dev/null && node -e "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));p.type='module';require('fs').writeFileSync(f,JSON.stringify(p,null,2))")
}

step "build (wasm/build.sh)"
sh wasm/build.sh

step "node --test wasm/test/ (API, recall, save/load, hostile arguments, compatibility examples, lifetimes)"
node --test wasm/test/

step "2,000 create/drop cycles under node --expose-gc"
node --expose-gc wasm/test/gc.test.mjs >"$tmp/gc.log" || { cat "$tmp/gc.log"; exit 1; }
grep -E '^# (2,000|pass|fail)' "$tmp/gc.log"

step "npm pack"
(cd wasm && npm pack --silent --ignore-scripts --pack-destination "$tmp" >/dev/null)
tgz=$(ls "$tmp"/ruvector-wasm-*.tgz)
tar tzf "$tgz" >"$tmp/files"
for f in LICENSE README.md package.json index.js node.mjs node.cjs index.d.ts adapter.js adapter.d.ts \
  worker.js worker-host.js worker.d.ts dist/core.mjs dist/core.cjs dist/ruvector_simd.wasm \
  dist/ruvector_scalar.wasm dist/ruvector_simd.wasm.js dist/ruvector_scalar.wasm.js; do
  grep -qx "package/$f" "$tmp/files" || { echo "tarball lacks $f" >&2; exit 1; }
done
node -e "
const p = JSON.parse(require('child_process').execFileSync('tar', ['xzOf', process.argv[1], 'package/package.json']));
const bad = [];
if (p.dependencies && Object.keys(p.dependencies).length) bad.push('runtime dependencies');
if (p.sideEffects !== false) bad.push('sideEffects');
if (!p.repository || !p.repository.url) bad.push('repository');
if (p.license !== 'MIT') bad.push('license');
for (const c of ['types', 'browser', 'node', 'import', 'require', 'default']) if (!(c in p.exports['.'])) bad.push('exports condition ' + c);
if (bad.length) { console.error('package.json: ' + bad.join(', ')); process.exit(1); }
console.log('tarball: ' + require('fs').readFileSync(process.argv[2], 'utf8').split('\n').length + ' files, ' + require('fs').statSync(process.argv[1]).size + ' bytes');
" "$tgz" "$tmp/files"
# the browser path must not import Node built-ins
if tar xzOf "$tgz" package/index.js package/dist/core.mjs package/worker.js package/worker-host.js | grep -nE "from 'node:|require\(|import\('node:"; then
  echo "Node built-ins on the browser path" >&2
  exit 1
fi

step "fresh project: ES module import, file persistence, IndexedDB message"
newproject "$tmp/esm"
(cd "$tmp/esm" && npmi "$tgz")
cat >"$tmp/esm/main.mjs" <<'EOF'
import init, { VectorDB, isa, memoryStats } from 'ruvector-wasm';
import { RuvectorWasmAdapter } from 'ruvector-wasm/adapter';
import assert from 'node:assert/strict';
await init();
const db = new VectorDB(3, 'euclidean', true);
db.insert(new Float32Array([1, 2, 3]), 'a', { n: 1 });
db.insert([4, 6, 3], 'b');
const [h] = db.search(new Float32Array([1, 2, 4]), 1);
assert.equal(h.id, 'a');
assert.ok(Math.abs(h.score - 1) < 1e-6);
assert.equal(memoryStats().loadedFrom, 'file');
await db.saveToFile('db.rvdb');
const back = await VectorDB.loadFromFile('db.rvdb');
assert.deepEqual(back.get('a').metadata, { n: 1 });
await assert.rejects(db.saveToIndexedDB('x'), /IndexedDB is not available.*saveToFile/);
const ad = await RuvectorWasmAdapter.create({ dimensions: 2, metric: 'cosine' });
ad.insert({ id: 'p', vector: [1, 0] });
assert.equal(ad.search({ vector: [1, 0.1], k: 1 })[0].id, 'p');
console.log('ESM import of the packed package:', isa(), h.id, h.score);
EOF
(cd "$tmp/esm" && node main.mjs)

step "fresh project: CommonJS require (async init, initSync, VectorDb without init)"
mkdir -p "$tmp/cjs"
(cd "$tmp/cjs" && npm init -y >/dev/null && npmi "$tgz")
cat >"$tmp/cjs/main.cjs" <<'EOF'
const assert = require('node:assert/strict');
const rv = require('ruvector-wasm');
(async () => {
  const out = await rv.init();
  assert.ok(out.memory instanceof WebAssembly.Memory);
  const db = new rv.VectorDB(2, 'manhattan', false);
  db.insert([1, 1], 'x');
  assert.equal(db.search([0, 0], 1)[0].score, 2);
  const vdb = new rv.VectorDb({ dimensions: 2 });
  await vdb.insert({ id: 'v', vector: [0, 1], metadata: { a: 1 } });
  assert.deepEqual((await vdb.get('v')).metadata, { a: 1 });
  console.log('CommonJS require of the packed package: ok');
})().catch((e) => { console.error(e); process.exit(1); });
EOF
cat >"$tmp/cjs/sync.cjs" <<'EOF'
const assert = require('node:assert/strict');
const fs = require('node:fs');
const rv = require('ruvector-wasm');
const bytes = fs.readFileSync(require.resolve('ruvector-wasm/package.json').replace('package.json', 'dist/ruvector_scalar.wasm'));
rv.initSync({ module: bytes });
assert.equal(rv.isa(), 'serial');
const ix = new rv.Index(2);
ix.add(7n, [1, 2]);
assert.equal(ix.search([1, 2], 1).keys[0], 7n);
console.log('initSync(bytes) under CommonJS: ok');
EOF
(cd "$tmp/cjs" && node main.cjs && node sync.cjs)

step "compatibility examples against the tarball installed as @ruvector/wasm and ruvector"
newproject "$tmp/compat"
(cd "$tmp/compat" && npmi "@ruvector/wasm@file:$tgz" "ruvector@file:$tgz")
cp wasm/testing/compat/* "$tmp/compat/"
for f in "$tmp"/compat/*.mjs "$tmp"/compat/*.cjs; do
  case "$f" in */common.mjs) continue ;; esac
  (cd "$tmp/compat" && node "$f")
done

step "call-level comparison with @ruvector/wasm 0.1.31 (every difference must be a known one)"
mkdir -p "$tmp/peer"
(cd "$tmp/peer" && npm init -y >/dev/null && npmi @ruvector/wasm@0.1.31)
node wasm/testing/probe.mjs "$tmp/peer/node_modules/@ruvector/wasm" --check >"$tmp/probe.log" 2>/dev/null ||
  { cat "$tmp/probe.log"; exit 1; }
tail -2 "$tmp/probe.log"

step "bundler apps (esbuild, Vite 8 and 5, webpack, Rollup; default settings) and a page without a bundler"
apps="$tmp/apps"
newproject "$apps"
(cd "$apps" && npmi esbuild@0 vite@8 vite5@npm:vite@5 webpack@5 webpack-cli@5 rollup@4 \
  @rollup/plugin-node-resolve@15 playwright-core@1 "$tgz")
for b in esbuild vite vite5 webpack rollup; do
  mkdir -p "$apps/$b/src"
  cp wasm/testing/apps/main.js wasm/testing/lib/app.js wasm/testing/lib/exact.js \
    wasm/testing/lib/worker-check.js "$apps/$b/src/"
done
html() { printf '<!doctype html><meta charset="utf-8"><title>app</title><script %ssrc="%s"></script>\n' "$1" "$2"; }
(cd "$apps/esbuild" && ../node_modules/.bin/esbuild src/main.js --bundle --outdir=dist --log-level=warning &&
  html "" main.js >dist/index.html)
(cd "$apps/vite" && html 'type="module" ' /src/main.js >index.html && ../node_modules/.bin/vite build --logLevel warn)
(cd "$apps/vite5" && html 'type="module" ' /src/main.js >index.html && node ../node_modules/vite5/bin/vite.js build --logLevel warn)
(cd "$apps/webpack" && mv src/main.js src/index.js && ../node_modules/.bin/webpack --no-stats &&
  html "" main.js >dist/index.html)
(cd "$apps/rollup" && cp "$root/wasm/testing/apps/rollup.config.mjs" . && ../node_modules/.bin/rollup -c --silent &&
  html 'type="module" ' main.js >dist/index.html)
mkdir -p "$apps/nobundler"
cp wasm/browser/consumer.html "$apps/nobundler/index.html"
cp wasm/testing/lib/*.js "$apps/nobundler/"
ln -s ../node_modules "$apps/nobundler/node_modules"
PLAYWRIGHT_DIR="$apps" node wasm/browser/apps.mjs esbuild="$apps/esbuild/dist" vite="$apps/vite/dist#worker" \
  vite5="$apps/vite5/dist#worker" \
  webpack="$apps/webpack/dist#worker" rollup="$apps/rollup/dist" nobundler="$apps/nobundler"

step "headless Chromium on the source tree: checks page (hostile test, worker wrapper), incremental IndexedDB against a model, IndexedDB round trip, example page, 100k x 384 SQ8 in < 50 MB"
PLAYWRIGHT_DIR="$apps" node wasm/browser/run.mjs

step "done in $(($(date +%s) - start)) s"
