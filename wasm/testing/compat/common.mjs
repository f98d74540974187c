// Helpers for the compatibility examples: deterministic vectors and an exact brute force.
export function vectors(n, dim, seed) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  return Array.from({ length: n }, () => new Float32Array(dim).map(() => next() * 2 - 1));
}
export function cosineDistance(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return 1 - d / Math.sqrt(na * nb);
}
export function euclidean(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
/** ids of the k nearest of entries [{id, vector}] to q under dist. */
export function nearest(entries, q, k, dist, keep = () => true) {
  return entries.filter(keep).map((e) => ({ id: e.id, d: dist(q, e.vector) }))
    .sort((a, b) => a.d - b.d).slice(0, k);
}
export function check(ok, what) {
  if (!ok) throw new Error(`compat check failed: ${what}`);
}
