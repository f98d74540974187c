// Shared by the JavaScript benchmarks (bench/wasm_bench.mjs, wasm/bench/rerank.mjs): command-line
// options, texmex files (.fvecs / .ivecs: per row int32 dim then dim values, little-endian) and
// recall@k against the ground truth.
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The value after --name on the command line, else def.
export const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

// The first max rows (all if max is 0) of dataDir/file as {rows, dim, data}: Float32Array for
// .fvecs, Int32Array for .ivecs.
export function readVecs(dataDir, file, max) {
  const b = readFileSync(path.join(dataDir, file));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dim = dv.getInt32(0, true);
  let rows = b.byteLength / (4 + 4 * dim);
  if (max && max < rows) rows = max;
  const isInt = file.endsWith('.ivecs');
  const out = isInt ? new Int32Array(rows * dim) : new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const o = r * (4 + 4 * dim) + 4;
    for (let i = 0; i < dim; i++) {
      out[r * dim + i] = isInt ? dv.getInt32(o + 4 * i, true) : dv.getFloat32(o + 4 * i, true);
    }
  }
  return { rows, dim, data: out };
}

// Mean over queries of |found[q] ∩ first k ids of gt row q| / k.
export function recallAt(found, gt, k) {
  let hit = 0;
  for (let q = 0; q < found.length; q++) {
    const t = new Set(Array.from(gt.data.subarray(q * gt.dim, q * gt.dim + k)));
    for (const f of found[q]) if (t.has(f)) hit++;
  }
  return hit / (found.length * k);
}

// Percentile p (0..1) of the sorted array a.
export const pct = (a, p) => a[Math.floor((a.length - 1) * p)];
