// Test helpers: texmex readers for the shared test data, exact neighbours in double precision.
import { readFileSync } from 'node:fs';

const data = new URL('../../tests/data/', import.meta.url);

/** [rows, dim] of a .fvecs / .ivecs file in tests/data as a Float32Array / Int32Array. */
export function readVecs(name) {
  const b = readFileSync(new URL(name, data));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dim = dv.getInt32(0, true);
  const rows = b.byteLength / (4 + 4 * dim);
  const Out = name.endsWith('.ivecs') ? Int32Array : Float32Array;
  const out = new Out(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dim; i++) {
      const o = r * (4 + 4 * dim) + 4 + 4 * i;
      out[r * dim + i] = Out === Int32Array ? dv.getInt32(o, true) : dv.getFloat32(o, true);
    }
  }
  return { rows, dim, data: out };
}

/** Recall@k of found (arrays of row numbers) against the first k columns of truth. */
export function recallAt(found, truth, k) {
  let hit = 0;
  for (let q = 0; q < found.length; q++) {
    const t = new Set(Array.from(truth.data.subarray(q * truth.dim, q * truth.dim + k)));
    for (const f of found[q].slice(0, k)) if (t.has(f)) hit++;
  }
  return hit / (found.length * k);
}

/** Recall@10 of db (a VectorDB) on tests/data/fiori against its ground truth, after inserting
    the base vectors with their row numbers as ids. */
export function fioriRecall(db) {
  const base = readVecs('fiori_base.fvecs'), qs = readVecs('fiori_query.fvecs');
  const gt = readVecs('fiori_groundtruth.ivecs');
  for (let i = 0; i < base.rows; i++) {
    db.insert(base.data.subarray(i * base.dim, (i + 1) * base.dim), String(i));
  }
  const found = [];
  for (let q = 0; q < qs.rows; q++) {
    found.push(db.search(qs.data.subarray(q * qs.dim, (q + 1) * qs.dim), 10).map((h) => +h.id));
  }
  return recallAt(found, gt, 10);
}

/** The dimension of the fiori vectors (from the file). */
export const FIORI_DIM = readVecs('fiori_query.fvecs').dim;
