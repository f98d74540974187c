// Types of ruvector-wasm (index.js for browsers and bundlers, node.mjs / node.cjs for Node).

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** What init() / initSync() return: the module's exports (memory included). */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
  [name: string]: unknown;
}

/**
 * Loads the WebAssembly module once (later calls return the same exports). Without a source:
 * the SIMD128 build when the engine validates it, else the scalar one, found next to the
 * package's module (or its base64 copy). `simd: false` forces the scalar build; it must come
 * before the first init().
 */
export default function init(
  input?: InitInput | Promise<InitInput> |
    { module_or_path?: InitInput | Promise<InitInput>; simd?: boolean }): Promise<InitOutput>;
export function init(
  input?: InitInput | Promise<InitInput> |
    { module_or_path?: InitInput | Promise<InitInput>; simd?: boolean }): Promise<InitOutput>;
/** Synchronous init from bytes or a compiled module; under Node also with no argument. */
export function initSync(input?: BufferSource | WebAssembly.Module |
  { module?: BufferSource | WebAssembly.Module; simd?: boolean }): InitOutput;

/** Whether this engine runs WebAssembly SIMD128. */
export function detectSIMD(): boolean;
/** ruvector.h version, "MAJOR.MINOR.PATCH". */
export function version(): string;
/** Kernels in use: "wasm128" or "serial". */
export function isa(): string;
/** WebAssembly memory (bytes, limit) and indexes not yet freed or collected. */
export function memoryStats(): { wasmBytes: number; wasmMaxBytes: number; liveIndexes: number; simd: boolean;
  /** where init() got the module: 'url' (fetched next to the package), 'base64' (the bundled copy),
      'file' (Node), 'argument' */
  loadedFrom: 'url' | 'base64' | 'file' | 'argument' | null };
/** A Float32Array copy of arr (numbers must be finite). */
export function arrayToFloat32Array(arr: ArrayLike<number>): Float32Array;
/** Insert rate (operations per second) of `iterations` random vectors into a flat database. */
export function benchmark(name: string, iterations: number, dimensions: number): number;
/** A score (distance) as a similarity, higher is closer: cosine 1 - d, dot -d, else 1 / (1 + d). */
export function distanceToSimilarity(metric: string, distance: number): number;

/** An error from the C library; `code` is its ruv_result status (-2 out of memory, -4 key exists,
    -11 bad magic, -14 truncated, -15 checksum, -16 corrupt, -18 untrained, ...). Argument errors
    are TypeError / RangeError (with `code` -17 for a dimension mismatch, -3 for NaN/Infinity). */
export class RuvectorError extends Error {
  readonly code: number;
}

export type Key = bigint | number;
export type Vector = Float32Array | ArrayLike<number>;

/** Element type of an Index's vectors (ruv_index_options.dtype). */
export type Dtype = 'f32' | 'f16' | 'bf16' | 'i8' | 'u8' | 'binary';

/** One vector (or n vectors back to back) of an Index of element type D: f32 Float32Array (other
    numeric typed arrays and arrays of finite numbers are converted); f16 / bf16 Uint16Array of
    bit patterns; i8 Int8Array; u8 Uint8Array; binary Uint8Array of ceil(dim / 8) bytes per vector
    (dimension d = bit d % 8 of byte d / 8). i8, u8 and binary also take arrays of integers in
    their range (-128..127, 0..255). */
export type TypedVector<D extends Dtype = 'f32'> =
  D extends 'f32' ? Vector :
  D extends 'f16' | 'bf16' ? Uint16Array :
  D extends 'i8' ? Int8Array | ArrayLike<number> :
  Uint8Array | ArrayLike<number>;

/** What getVector returns for element type D. */
export type StoredVector<D extends Dtype = 'f32'> =
  D extends 'f32' ? Float32Array : D extends 'f16' | 'bf16' ? Uint16Array :
  D extends 'i8' ? Int8Array : Uint8Array;

/** Search hits, closest first. */
export interface Hits { keys: BigUint64Array; distances: Float32Array }

export interface SearchOptions {
  /** HNSW candidate list size, 1..65536 (0 or absent: the index's) */
  efSearch?: number;
  /** quantized storage with f32 copies: re-rank factor 1..1024 (0 or absent: the index's) */
  rerank?: number;
  /** bitset over keys (bit key % 8 of byte key / 8): only these keys can be hits */
  allow?: Uint8Array;
  /** the query is dim floats (Float32Array or numbers) whatever the index's dtype: f16, bf16,
      i8 and u8 vectors are compared with it in f32 (ruv_search_options.f32_query); binary:
      RuvectorError -6 */
  f32Query?: boolean;
}

/** A query of an Index of element type D: with options.f32Query, dim floats. */
export type Query<D extends Dtype = 'f32'> = TypedVector<D> | Vector;

export interface IndexOptions<D extends Dtype = Dtype> {
  /** element type of the vectors given and returned (default 'f32'); see TypedVector */
  dtype?: D;
  /** 'hamming' and 'jaccard' need dtype 'binary', which takes only those two; f16, bf16, i8, u8:
      l2sq, ip, cosine, l1. Other pairs: RuvectorError -6 (RUV_E_UNSUPPORTED) from the C library */
  metric?: 'l2sq' | 'ip' | 'cosine' | 'l1' | 'hamming' | 'jaccard';
  kind?: 'flat' | 'hnsw';
  /** 2..512 (0 or absent: 16) */
  M?: number;
  /** M..65536 (0 or absent: 200) */
  efConstruction?: number;
  /** 1..65536 (0 or absent: 64) */
  efSearch?: number;
  /** storage of f32 vectors (typed indexes: 'none' only); flat and HNSW with every one */
  quant?: 'none' | 'f16' | 'bf16' | 'sq8' | 'bin' | 'pq';
  /** PQ code bytes, must divide dim (0 or absent: dim / 4) */
  pqM?: number;
  /** 1..1024 (0 or absent: 4) */
  rerank?: number;
  dropF32?: boolean;
  /** element type of the re-ranking copies that quantized storage keeps (quant other than 'none'
      and dropF32 false; ruv_index_options.rerank_dtype): 'f32' (absent: the default, exact),
      'bf16' or 'f16' (2 bytes per dimension instead of 4; re-ranking, searchRange and getVector
      use the copies widened to f32: rounded to 8 significant bits (bf16, relative error at most
      2^-8) or 11 (f16, 2^-11; add / addBatch throw RuvectorError -3 for |x| >= 65520)). A 16-bit
      type with quant 'none' or dropF32 true, another string or null: RangeError / TypeError.
      Saved with the index. */
  rerankDtype?: RerankDtype;
  /** 0..2^32-1 */
  seed?: number;
  /** slots allocated up front, 1..2^28 (0 or absent: 16; doubled when full): pre-reserve big
      databases to avoid the copy that growth makes */
  capacity?: number;
  /** a key may own several vectors (ruv_index_options.multi): add / addBatch under a present key
      add another vector, searches return each key once with its nearest vector's distance,
      remove drops them all, getVectors returns them; put / update / upsert throw
      RuvectorError -6 (no ids or metadata). count counts vectors */
  multi?: boolean;
  /** HNSW over f32 input (quant other than 'bin'): walk the graph on 1 bit per dimension,
      re-score on the stored codes (ruv_index_options.walk_bits); needs train() before adding.
      Other configurations: RuvectorError -6 */
  walkBits?: boolean;
}

/** Element type of the re-ranking copies of quantized storage (IndexOptions.rerankDtype). */
export type RerankDtype = 'f32' | 'f16' | 'bf16';

export interface IndexStats {
  live: number; deleted: number; freeSlots: number; capacity: number; vectorBytes: number;
  codeBytes: number; graphBytes: number; keyBytes: number; idBytes: number; metaBytes: number;
  totalBytes: number; readonly: boolean;
}

/** The C API: u64 keys to vectors with optional string ids and metadata bytes. */
export class Index<D extends Dtype = 'f32'> {
  constructor(dim: number, options?: IndexOptions<D>);
  readonly dim: number;
  readonly dtype: D;
  /** options.multi: a key may own several vectors */
  readonly multi: boolean;
  /** live vectors (a multi index: vectors, not keys) */
  readonly count: number;
  readonly memoryUsage: number;
  /** Releases the index now (idempotent); dropped indexes are released by the GC. */
  free(): void;
  [Symbol.dispose](): void;
  stats(): IndexStats;
  /** SQ8 / BIN / PQ quantizers of f32 indexes: n x dim floats */
  train(vectors: Vector): void;
  put(key: Key, vector?: TypedVector<D> | null, id?: string | null, meta?: Uint8Array | null,
      mode?: 'insert' | 'update' | 'upsert'): void;
  /** A multi index: a present key gets one more vector (ruv_index_add). */
  add(key: Key, vector: TypedVector<D>): void;
  /** A new vector for an existing key (id and metadata kept); RuvectorError -7 if absent. */
  update(key: Key, vector: TypedVector<D>): void;
  /** Adds key or replaces its vector. */
  upsert(key: Key, vector: TypedVector<D>): void;
  /** Room for n entries in all at once (ruv_index_reserve): later adds up to n do not grow
      the arrays. */
  reserve(n: number): void;
  addBatch(keys: ArrayLike<Key> | BigUint64Array, vectors: TypedVector<D>,
           options?: { onProgress?: (done: number, total: number) => void }): void;
  /** Deletes key (multi: all its vectors); false if absent. */
  remove(key: Key): boolean;
  has(key: Key): boolean;
  /** k in 0..2^32-1; min(k, count) hits (multi: distinct keys, each with its nearest vector's
      distance). */
  search(query: Query<D>, k: number, options?: SearchOptions): Hits;
  /** nq queries back to back in one call (ruv_index_search_batch): nq results. */
  searchBatch(queries: Query<D>, k: number, options?: SearchOptions): Hits[];
  /** Every entry with distance <= radius (compared as float32; Infinity: all), closest first
      (ruv_index_search_range): total = how many; keys / distances hold the closest min(cap,
      total). cap 0..2^32-1 (absent: all; 0 counts only). Flat: exact; HNSW: approximate. */
  searchRange(query: Query<D>, radius: number,
              options?: { cap?: number; efSearch?: number; allow?: Uint8Array; f32Query?: boolean }):
    Hits & { total: number };
  /** The stored vector (cosine f32 indexes: normalised; binary: bits past dim cleared); multi:
      one of the key's vectors. */
  getVector(key: Key): StoredVector<D> | undefined;
  /** Every vector of key (ruv_index_get_vectors), in slot order (the order added unless removals
      freed slots that later adds reused); one unless the index is multi; undefined if absent. */
  getVectors(key: Key): StoredVector<D>[] | undefined;
  getId(key: Key): string | null | undefined;
  getMeta(key: Key): Uint8Array | null | undefined;
  getKey(id: string): bigint | undefined;
  /** @deprecated use getKey (renamed with the C API in 0.2.0) */
  findId(id: string): bigint | undefined;
  keys(): IterableIterator<bigint>;
  save(): Uint8Array;
  /** The element type comes from the data (see the dtype property). */
  static load(bytes: Uint8Array | ArrayBuffer, expectDim?: number): Index<Dtype>;
  config(): { metric: string; kind: string; M: number; efConstruction: number;
              efSearch: number; quant: string; rerank: number; dropF32: boolean; dtype: Dtype;
              pqM: number; multi: boolean; walkBits: boolean; rerankDtype: RerankDtype };
  /** Id of the snapshot save() would write now (ruv_index_snapshot_id); O(index size). */
  snapshotId(): bigint;
  /** Attaches a journal kept in memory (ruv_index_journal_attach): every later write appends one
      record before it is applied. {base}: a new journal after the snapshot with that id (its
      32-byte header is the first bytes taken); {nextSeq, size}: continue one after
      replayJournal (the report's nextSeq and validBytes). Replaces an attached journal. */
  attachJournal(options: { base?: Key; nextSeq?: Key; size?: Key }): void;
  /** The journal bytes appended since the last take (a copy); null when none is attached. */
  takeJournal(): Uint8Array | null;
  /** Detaches the journal (bytes not taken are dropped). */
  detachJournal(): void;
  /** Applies a journal (bytes or its consecutive chunks) to this index, which holds the snapshot
      it follows (ruv_index_journal_replay): the valid prefix of its records; a torn or corrupt
      tail is ignored and reported. options.base: the snapshot id it must follow (default any). */
  replayJournal(bytes: Uint8Array | ArrayBuffer | ReadonlyArray<Uint8Array | ArrayBuffer>,
                options?: { base?: Key }): JournalReport;
}

/** What replayJournal / loadFromIndexedDB found in a journal. */
export interface JournalReport {
  /** records applied */
  records: number;
  /** bytes of the header and the applied records (continue the journal after them) */
  validBytes: number;
  /** bytes after them, not applied */
  ignoredBytes: number;
  /** sequence number of the next record */
  nextSeq: number;
  /** the snapshot id in the journal header (0n if unreadable) */
  base: bigint;
  /** why the replay stopped: 'end' (nothing ignored), 'torn' (data ended inside a record),
      'magic', 'checksum', 'sequence' (damaged), 'base' (follows another snapshot: nothing
      applied), 'version' (a later format), 'record' (a valid record that did not apply) */
  stop: 'end' | 'torn' | 'magic' | 'checksum' | 'sequence' | 'base' | 'version' | 'record' | string;
  /** stop 'record': the index's status for it; else 0 */
  status: number;
}

/** Options of saveToIndexedDB / loadFromIndexedDB. */
export interface IndexedDBOptions {
  /** a checkpoint (the whole index) instead of the journal bytes since the last flush */
  full?: boolean;
  /** flush writes a checkpoint instead when the stored journal would exceed this fraction of the
      snapshot (default 0.25; 0 = every flush) */
  checkpointRatio?: number;
  /** flush writes a checkpoint instead when the journal would hold more records than this
      (0 = no limit); default 500 for HNSW databases (each replayed insert at load is a graph
      insertion), 0 for flat ones */
  checkpointRecords?: number;
  /** bytes per snapshot record, 65536..67108864 (default 8 MiB) */
  chunkBytes?: number;
  /** IndexedDB's transaction durability hint for this database's writes: 'strict' makes the
      browser sync to disk before a flush resolves (default: the browser's default) */
  durability?: 'default' | 'strict' | 'relaxed';
}

/** Where a VectorDB is kept in IndexedDB (indexedDBStatus()). */
export interface IndexedDBStatus {
  name: string;
  /** the checkpoint generation stored (0: none written yet) */
  generation: number;
  snapshotBytes: number;
  /** journal bytes stored after the snapshot */
  journalBytes: number;
  /** writes (journal records) since the snapshot, stored or pending */
  journalRecords: number;
  /** journal bytes of acknowledged writes not flushed yet (lost if the page closes now) */
  pendingBytes: number;
  /** bytes this object has written to IndexedDB */
  bytesWritten: number;
  /** checkpoints this object has written */
  checkpoints: number;
}

/** A sparse vector: nnz dimension ids, strictly increasing integers in 0..2^32-2, and their nnz
    values, finite and nonzero (float32). Types, lengths, integer ranges and finite values are
    checked in JavaScript (TypeError / RangeError, NaN / Infinity with code -3); unsorted or
    repeated ids, zero values, more than maxNnz nonzeros, an empty cosine vector and a squared norm
    beyond float32 are refused by the C library (RuvectorError -3, the reason in the message). */
export interface SparseVector {
  indices: Uint32Array | ArrayLike<number>;
  values: Float32Array | ArrayLike<number>;
}

export interface SparseIndexOptions {
  /** distance: 'ip' 1 - dot (default), 'cosine' 1 - cosine similarity, 'l2' (alias 'l2sq') the
      squared Euclidean distance */
  metric?: 'ip' | 'cosine' | 'l2' | 'l2sq';
  /** nonzeros allowed per vector, 1..2^24 (0 or absent: 65536) */
  maxNnz?: number;
}

export interface SparseSearchOptions {
  /** the algorithm; every mode returns the same hits: 'pruned' (default, MaxScore with
      block-max bounds), 'exhaustive' (every posting of the query's dimensions), 'brute' (every
      entry) */
  mode?: 'pruned' | 'exhaustive' | 'brute';
  /** 'pruned': slots per window, a power of two in 64..4096 (0 or absent: automatic) */
  window?: number;
  /** bitset over keys (bit key % 8 of byte key / 8): only these keys can be hits. Filter
      callbacks are not supported (a `filter` option throws a TypeError) */
  allow?: Uint8Array;
}

/** SparseIndex.stats() (ruv_sparse_get_stats): counts, and allocated bytes by part (the byte
    fields sum to totalBytes = memoryUsage). */
export interface SparseIndexStats {
  /** entries (= count) */
  live: number;
  /** slots of removed or replaced entries, until compaction */
  tombstones: number;
  /** posting lists: distinct dimension ids stored (until compaction) */
  dims: number;
  /** postings, the tombstones' included */
  postings: number;
  /** of those, the tombstones' */
  deadPostings: number;
  vectorBytes: number; postingBytes: number; keyBytes: number; idBytes: number; metaBytes: number;
  totalBytes: number;
}

/** SparseIndex.search's result: Hits plus the work done. */
export interface SparseHits extends Hits {
  /** entries whose score was completed (pruning leaves fewer than 'exhaustive') */
  scored: number;
}

/** The sparse index (ruv_sparse_*): u64 keys to sparse vectors, each with an optional string id
    and metadata bytes (as Index), exact top-k search through an inverted index. Sums in double
    in ascending dimension order, so every mode gives bit-identical distances; ties go to the
    entry written first. */
export class SparseIndex {
  constructor(options?: SparseIndexOptions);
  /** 'l2' for 'l2sq' */
  readonly metric: 'ip' | 'cosine' | 'l2';
  readonly maxNnz: number;
  /** live entries */
  readonly count: number;
  /** bytes allocated by the index (vectors, posting lists, keys, ids, metadata) */
  readonly memoryUsage: number;
  /** Releases the index now (idempotent); dropped indexes are released by the GC. */
  free(): void;
  [Symbol.dispose](): void;
  /** Counts and sizes by part (ruv_sparse_get_stats). */
  stats(): SparseIndexStats;
  /** Inserts ('insert', the default), replaces ('update') or either ('upsert') the entry of key,
      as Index.put (ruv_sparse_put): vector, id and meta undefined or null are kept (a new key
      needs a vector: RuvectorError -1); id '' and an empty meta clear them; ids are unique
      (another key's id: RuvectorError -4). A new vector moves the key last in the write order.
      All or nothing. */
  put(key: Key, vector?: SparseVector | null, id?: string | null, meta?: Uint8Array | null,
      mode?: 'insert' | 'update' | 'upsert'): void;
  /** Adds the vector under key; RuvectorError -4 if key is present. */
  add(key: Key, vector: SparseVector): void;
  /** A new vector for a present key (id and metadata kept); RuvectorError -7 if absent. */
  update(key: Key, vector: SparseVector): void;
  /** Adds key or replaces its vector (a replaced entry moves last in the write order and keeps
      its id and metadata). */
  upsert(key: Key, vector: SparseVector): void;
  /** The string id of key; null if it has none, undefined if key is absent. */
  getId(key: Key): string | null | undefined;
  /** The metadata bytes of key (a copy); null if none, undefined if key is absent. */
  getMeta(key: Key): Uint8Array | null | undefined;
  /** The key of the entry whose string id is id, or undefined. */
  getKey(id: string): bigint | undefined;
  /** Deletes key (its vector, id and metadata); false if absent. */
  remove(key: Key): boolean;
  has(key: Key): boolean;
  /** Alias of has (ruv_sparse_contains). */
  contains(key: Key): boolean;
  /** The stored vector as given (copies), or undefined. */
  get(key: Key): { indices: Uint32Array; values: Float32Array } | undefined;
  /** Drops removed entries from the posting lists (write order kept). */
  compact(): void;
  /** Live keys in write order. */
  keys(): IterableIterator<bigint>;
  /** k in 0..2^32-1: the k nearest, closest first. ip and cosine rank only entries sharing a
      dimension with the query (fewer than k hits then); l2 ranks every entry. An empty query
      finds nothing for ip and cosine. */
  search(query: SparseVector, k: number, options?: SparseSearchOptions): SparseHits;
  /** The ruvector file format, kind 2 (sparse), ids and metadata included: the same entries give
      the same bytes. */
  save(): Uint8Array;
  /** Every field, checksum and entry checked (RuvectorError); a dense index's bytes: -6. */
  static load(bytes: Uint8Array | ArrayBuffer): SparseIndex;
}

/** One fused result: a key and its fused score (larger is better). */
export interface FusedHit { key: bigint; score: number }

export interface FuseOptions {
  /** results to return, 0..2^32-1 (absent: every key) */
  k?: number;
  /** 'rrf' (default): sum over the lists holding the key of weight / (rrfK + rank), rank from 1;
      'weighted': sum of weight x (dmax - d) / (dmax - dmin) per list (1 when a list's distances
      are all equal; distances must be finite) */
  method?: 'rrf' | 'weighted';
  /** RRF's constant, finite and >= 0 (0 or absent: 60) */
  rrfK?: number;
  /** one per list, finite and >= 0 (absent: 1 each) */
  weights?: ArrayLike<number>;
}

/** Rank fusion of result lists by key (ruv_fuse), e.g. an Index and a SparseIndex search over
    the same keys (hybrid search). Each list: a search result {keys, distances} (closest first)
    or an array of hits {key, distance}; distances must not be NaN. A key repeated within a list
    counts at its first position. Best first; ties to the smaller key; score is the sum (in
    double) as a float32. */
export function fuse(lists: ReadonlyArray<Hits | { keys: ArrayLike<Key>; distances: ArrayLike<number> } |
  ReadonlyArray<{ key: Key; distance: number }>>, options?: FuseOptions): FusedHit[];

/** A search hit of VectorDB (plain data; free() is a no-op kept for @ruvector/wasm code). */
export class JsSearchResult {
  private constructor();
  readonly id: string;
  /** A distance, lower is closer: Euclidean distance, 1 - cosine, -dot, or L1. */
  readonly score: number;
  readonly metadata: any | undefined;
  /** The vector as inserted (undefined with includeVectors: false). */
  readonly vector: Float32Array | undefined;
  free(): void;
  [Symbol.dispose](): void;
}

export class JsVectorEntry {
  constructor(vector: Float32Array | ArrayLike<number>, id?: string | null, metadata?: any | null);
  readonly id: string | undefined;
  readonly metadata: any | undefined;
  readonly vector: Float32Array;
  free(): void;
  [Symbol.dispose](): void;
}

/** Metadata filter: every field must match; a value matches by JSON equality, or use operators. */
export type Filter = Record<string, any | {
  $eq?: any; $in?: any[]; $gt?: number; $gte?: number; $lt?: number; $lte?: number;
}>;

export type Metric = 'euclidean' | 'cosine' | 'dotproduct' | 'manhattan';

export interface VectorDBOptions {
  M?: number; efConstruction?: number; efSearch?: number; quant?: IndexOptions['quant'];
  rerank?: number; dropF32?: boolean;
  /** quant other than 'none' with dropF32 false: 'f16' / 'bf16' keep the re-ranking copies in 16
      bits (half their memory; get and search return the vectors rounded to them); see
      IndexOptions.rerankDtype */
  rerankDtype?: IndexOptions['rerankDtype']; seed?: number;
  /** slots reserved up front (default 16, grows by doubling) */
  capacity?: number;
}

export interface MemoryUsage {
  /** bytes of this database's index */
  bytes: number; count: number; capacity: number; vectorBytes: number; graphBytes: number;
  metadataBytes: number;
  /** the whole WebAssembly memory (shared by every database) and its limit */
  wasmBytes: number; wasmMaxBytes: number;
}

/** The @ruvector/wasm 0.1.x API. */
export class VectorDB {
  constructor(dimensions: number, metric?: Metric | null, useHnsw?: boolean | null,
              options?: VectorDBOptions);
  /** The `ruvector` package's alias: new VectorDB({dimensions, ...}) gives a VectorDb. */
  constructor(options: VectorDbOptions);
  readonly dimensions: number;
  len(): number;
  isEmpty(): boolean;
  insert(vector: Float32Array | ArrayLike<number>, id?: string | null, metadata?: any | null): string;
  insertBatch(entries: Array<{ vector: Float32Array | ArrayLike<number>; id?: string | null;
                               metadata?: any } | JsVectorEntry>,
              options?: { onProgress?: (done: number, total: number) => void }): string[];
  search(query: Float32Array | ArrayLike<number>, k?: number, filter?: Filter | null,
         options?: { efSearch?: number; includeVectors?: boolean }): JsSearchResult[];
  delete(id: string): boolean;
  get(id: string): JsVectorEntry | undefined;
  memoryUsage(): MemoryUsage;
  save(): Uint8Array;
  static load(bytes: Uint8Array | ArrayBuffer): VectorDB;
  /** Incremental: the first call (or options.full) writes a checkpoint and binds the database to
      name; later calls write only the journal bytes since the last flush (see flush). */
  saveToIndexedDB(name?: string, options?: IndexedDBOptions): Promise<boolean>;
  /** Snapshot chunks + journal replay (a torn or corrupt tail ignored, see loadReport), or the
      single-record format of earlier versions; the database stays bound to name. */
  static loadFromIndexedDB(name?: string, options?: Omit<IndexedDBOptions, 'full'>): Promise<VectorDB>;
  /** Writes the journal bytes of the writes since the last flush as one IndexedDB record (or a
      checkpoint when due); resolves to the bytes written (0: nothing new or not bound). */
  flush(): Promise<number>;
  /** Writes a checkpoint now: new snapshot chunks, meta and journal start, the old generation
      deleted, in one transaction. Resolves to the bytes written. */
  checkpoint(): Promise<number>;
  indexedDBStatus(): IndexedDBStatus | null;
  /** What loadFromIndexedDB found (null for other databases). */
  readonly loadReport: null | { format: 'journal' | 'single'; snapshotBytes: number; journalBytes: number;
    records: number; ignoredBytes: number; stop: JournalReport['stop']; status: number };
  /** Node only (atomic write). */
  saveToFile(path: string): Promise<boolean>;
  static loadFromFile(path: string): Promise<VectorDB>;
  free(): void;
  [Symbol.dispose](): void;
}

export interface VectorDbOptions {
  dimensions?: number;
  /** alias of dimensions */
  dimension?: number;
  metric?: 'cosine' | 'euclidean' | 'dot' | 'dotproduct' | 'manhattan' | string;
  /** alias of metric */
  distanceMetric?: string;
  /** Node: a file, rewritten after changes; browsers: an IndexedDB database, written
      incrementally after changes (VectorDB.saveToIndexedDB). Loaded if present. */
  storagePath?: string;
  path?: string;
  maxElements?: number;
  m?: number;
  ef_construction?: number;
  efConstruction?: number;
  efSearch?: number;
  hnswConfig?: { m?: number; efConstruction?: number; efSearch?: number; maxElements?: number };
  hnsw?: { m?: number; efConstruction?: number; efSearch?: number; maxElements?: number };
}

export interface VectorDbEntry {
  id?: string;
  vector: Float32Array | ArrayLike<number>;
  metadata?: Record<string, any>;
}

export interface VectorDbHit {
  id: string;
  /** a distance (as VectorDB's score) */
  score: number;
  vector: Float32Array;
  metadata?: Record<string, any>;
}

/** The async API of the `ruvector` npm package; loads the module itself. */
export class VectorDb {
  constructor(options: VectorDbOptions);
  insert(entry: VectorDbEntry): Promise<string>;
  insertBatch(entries: VectorDbEntry[],
              options?: { onProgress?: (done: number, total: number) => void }): Promise<string[]>;
  /** k defaults to 10; threshold is a minimum similarity (distanceToSimilarity). */
  search(query: { vector: Float32Array | ArrayLike<number>; k?: number; filter?: Filter;
                  efSearch?: number; threshold?: number }): Promise<VectorDbHit[]>;
  get(id: string): Promise<{ id: string; vector: Float32Array; metadata?: Record<string, any> } | null>;
  delete(id: string): Promise<boolean>;
  len(): Promise<number>;
  isEmpty(): Promise<boolean>;
  memoryUsage(): Promise<MemoryUsage>;
  save(path?: string): Promise<boolean>;
  /** Waits for pending writes, then frees. */
  close(): Promise<void>;
  free(): void;
  [Symbol.dispose](): void;
}
