#!/bin/sh
# Builds the two WebAssembly modules into wasm/dist: ruvector_simd (SIMD128 kernels) and
# ruvector_scalar (portable kernels). Needs emcc (Debian: emscripten). Run from anywhere.
# Default: -O3 without auto-vectorisation and unrolling (the kernels are SIMD128 intrinsics
# already; the compiler's own vectorising and unrolling of the rest only adds size): size target
# SIMD .wasm + glue <= 40 KB gzip. RW_OPT="..." overrides (e.g. -Os: smaller, 35% slower).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/dist"
mkdir -p "$out"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" # Debian's emcc needs its acorn
fns=$(sed -n 's/^RW [^(]* \**\(rw_[a-z_0-9]*\)(.*/_\1/p' "$here/src/ruvector_wasm.c" | tr '\n' ',')
flags="${RW_OPT:--O3 -fno-vectorize -fno-slp-vectorize -fno-unroll-loops} -sMODULARIZE=1 -sEXPORT_ES6=1 -sALLOW_MEMORY_GROWTH=1 -sMEMORY_GROWTH_GEOMETRIC_STEP=0.05 -sTOTAL_STACK=1MB -sINITIAL_MEMORY=4MB -sFILESYSTEM=0 \
  -sENVIRONMENT=web,node -sMALLOC=emmalloc -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sINCOMING_MODULE_JS_API=[wasmBinary,locateFile] \
  -sEXPORTED_FUNCTIONS=${fns}_malloc,_free \
  -sEXPORTED_RUNTIME_METHODS=[HEAPU8,HEAPU32,HEAPF32] --extern-pre-js $here/src/node_shim.js"
# shellcheck disable=SC2086
emcc $flags -msimd128 "$here/src/ruvector_wasm.c" -o "$out/ruvector_simd.mjs"
# shellcheck disable=SC2086
emcc $flags "$here/src/ruvector_wasm.c" -o "$out/ruvector_scalar.mjs"
for f in ruvector_simd.wasm ruvector_simd.mjs ruvector_scalar.wasm ruvector_scalar.mjs; do
  printf '%-22s %7d bytes, %6d gzip\n' "$f" "$(wc -c <"$out/$f")" "$(gzip -9c "$out/$f" | wc -c)"
done
