#!/bin/sh
# Builds the package's generated files into wasm/dist. Needs emcc (Debian: emscripten) and node.
#   ruvector_simd.wasm, ruvector_scalar.wasm   standalone modules (SIMD128 kernels / portable
#                                              kernels), loaded by src/core.js without any
#                                              Emscripten JS runtime; imports: env.rw_progress,
#                                              env.emscripten_notify_memory_growth
#   ruvector_simd.wasm.js, ..._scalar.wasm.js  the same bytes as base64 ES modules: the fallback
#                                              that index.js imports lazily when the .wasm file is
#                                              not where `new URL(..., import.meta.url)` says
#                                              (bundlers that do not emit assets: esbuild, Rollup)
#   core.mjs, core.cjs                         src/core.js as ES module and as CommonJS
# Default optimisation: -O3 without auto-vectorising and unrolling (the kernels are SIMD128
# intrinsics already). RW_OPT="..." overrides. Memory: grows on demand up to 4 GiB (the wasm32
# limit; Node >= 18 and current browsers allow it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/dist"
mkdir -p "$out"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" # Debian's emcc needs its acorn
fns=$(sed -n 's/^RW [^(]* \**\(rw_[a-z_0-9]*\)(.*/_\1/p' "$here/src/ruvector_wasm.c" | tr '\n' ',')
flags="${RW_OPT:--O3 -fno-vectorize -fno-slp-vectorize -fno-unroll-loops} -DNDEBUG --no-entry \
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sTOTAL_STACK=1MB -sINITIAL_MEMORY=4MB \
  -sMALLOC=dlmalloc -sFILESYSTEM=0 --js-library $here/src/imports.js \
  -sEXPORTED_FUNCTIONS=${fns}_malloc,_free"
# shellcheck disable=SC2086
emcc $flags -msimd128 "$here/src/ruvector_wasm.c" -o "$out/ruvector_simd.wasm"
# shellcheck disable=SC2086
emcc $flags "$here/src/ruvector_wasm.c" -o "$out/ruvector_scalar.wasm"
rm -f "$out"/ruvector_*.mjs # the Emscripten JS runtime of older builds
node "$here/tools/gen.mjs" "$here"
for f in ruvector_simd.wasm ruvector_scalar.wasm core.mjs ruvector_simd.wasm.js; do
  printf '%-24s %7d bytes, %6d gzip\n' "$f" "$(wc -c <"$out/$f")" "$(gzip -9c "$out/$f" | wc -c)"
done
