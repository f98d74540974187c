// Exact nearest neighbours in double precision (the reference the tests compare against), and
// deterministic pseudo-random data. No Node built-ins: also used by the browser pages.

/** n x dim floats in [-1, 1) from a xorshift32 seed. */
export function randomVectors(n, dim, seed) {
  const v = new Float32Array(n * dim);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < v.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    v[i] = (s / 4294967296) * 2 - 1;
  }
  return v;
}

/** Distance of metric (VectorDB names) between a and b, in double precision. */
export function distance(metric, a, b) {
  let s = 0, na = 0, nb = 0;
  switch (metric) {
    case 'euclidean':
      for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
      return Math.sqrt(s);
    case 'manhattan':
      for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
      return s;
    case 'dotproduct':
      for (let i = 0; i < a.length; i++) s += a[i] * b[i];
      return -s;
    case 'cosine':
      for (let i = 0; i < a.length; i++) { s += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
      return na > 0 && nb > 0 ? 1 - s / Math.sqrt(na * nb) : 1;
    default: throw new Error(`metric ${metric}`);
  }
}

/** [{row, d}] of the k nearest rows of data (n x dim) to q, closest first (ties by row). */
export function exactKnn(metric, data, dim, q, k, keep) {
  const n = data.length / dim;
  const all = [];
  for (let r = 0; r < n; r++) {
    if (keep && !keep(r)) continue;
    all.push({ row: r, d: distance(metric, q, data.subarray(r * dim, (r + 1) * dim)) });
  }
  all.sort((x, y) => x.d - y.d || x.row - y.row);
  return all.slice(0, k);
}

/**
 * Checks hits [{row, score}] against the exact answer: the same rows up to ties (a hit is right
 * when its exact distance is at most the k-th exact distance + tol) and scores within tol of the
 * exact distance. Returns {recall, maxScoreErr, wrongOrder}.
 */
export function compareHits(metric, data, dim, q, hits, k, keep, tol = 1e-4) {
  const truth = exactKnn(metric, data, dim, q, k, keep);
  const kth = truth.length ? truth[truth.length - 1].d : Infinity;
  let good = 0, maxErr = 0, wrongOrder = 0;
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i];
    const d = distance(metric, q, data.subarray(h.row * dim, (h.row + 1) * dim));
    if (d <= kth + tol * Math.max(1, Math.abs(kth))) good++;
    maxErr = Math.max(maxErr, Math.abs(d - h.score) / Math.max(1, Math.abs(d)));
    if (i && hits[i - 1].score > h.score + 1e-6) wrongOrder++;
  }
  return { recall: truth.length ? good / truth.length : (hits.length === 0 ? 1 : 0),
    count: hits.length, expected: truth.length, maxScoreErr: maxErr, wrongOrder };
}
