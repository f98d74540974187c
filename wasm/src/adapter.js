// The `./adapter` subpath of @ruvector/wasm 0.1.x (RuvectorWasmAdapter), over this package. The
// adapter there works around three gaps of that build (no HNSW, distance called score, metadata
// lost); here the database has none of them, so this is a thin object-argument wrapper: search
// hits carry `distance` (the database's score), `similarity` (higher is closer, per metric) and
// `score` = similarity, and filters run inside the search.
export function makeAdapter(rv) {
  const WASM_HNSW_AVAILABLE = true;
  const { distanceToSimilarity } = rv;

  const toF32 = (v) => (v instanceof Float32Array ? v : rv.arrayToFloat32Array(v));

  class RuvectorWasmAdapter {
    /** Wraps a VectorDB (this package's, or anything with the same methods). */
    constructor(db, options = {}) {
      if (!db) throw new TypeError('ruvector: RuvectorWasmAdapter needs a VectorDB');
      const o = options || {};
      this._db = db;
      this._metric = String(o.metric || 'cosine').toLowerCase();
      this._dimensions = o.dimensions;
      this._usesHnsw = o.usesHnsw !== undefined ? !!o.usesHnsw : WASM_HNSW_AVAILABLE;
    }

    /** Loads the module (or options.module), creates the VectorDB and wraps it. */
    static async create(options = {}) {
      const { dimensions, metric = 'cosine', useHnsw = true } = options || {};
      if (typeof dimensions !== 'number' || !(dimensions > 0)) {
        throw new TypeError('ruvector: RuvectorWasmAdapter.create needs a positive `dimensions`');
      }
      const m = options.module || rv;
      if (typeof m.default === 'function') await m.default();
      if (typeof m.VectorDB !== 'function') throw new TypeError('ruvector: options.module has no VectorDB');
      const db = new m.VectorDB(dimensions, metric, useHnsw);
      return new RuvectorWasmAdapter(db, { dimensions, metric, usesHnsw: useHnsw });
    }

    get usesHnsw() { return this._usesHnsw; }
    get indexType() { return this._usesHnsw ? 'hnsw' : 'flat'; }

    insert(entry) {
      return this._db.insert(toF32(entry.vector), entry.id, entry.metadata);
    }

    insertBatch(entries) {
      return this._db.insertBatch(entries.map((e) => ({ id: e.id, vector: toF32(e.vector), metadata: e.metadata })));
    }

    /** {vector, k, filter?} -> [{id, similarity, distance, score, vector, metadata}], best first. */
    search(query) {
      const hits = this._db.search(toF32(query.vector), query.k, query.filter) || [];
      return hits.map((h) => {
        const similarity = distanceToSimilarity(this._metric, h.score);
        return { id: h.id, similarity, distance: h.score, score: similarity, vector: h.vector, metadata: h.metadata };
      }).sort((a, b) => b.similarity - a.similarity);
    }

    get(id) {
      const e = this._db.get(id);
      return e ? { id: e.id !== undefined ? e.id : id, vector: e.vector, metadata: e.metadata } : null;
    }

    delete(id) { return this._db.delete(id); }
    len() { return this._db.len(); }
    isEmpty() { return this._db.isEmpty(); }
    /** Nothing to clear: metadata lives in the database (kept for @ruvector/wasm code). */
    clearMetadata() {}
  }

  return { RuvectorWasmAdapter, WASM_HNSW_AVAILABLE, distanceToSimilarity };
}
