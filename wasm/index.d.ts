// Types of ruvector-wasm (index.js).

/** Loads the WebAssembly module (SIMD128 when the engine has it; `simd: false` forces the
    scalar build). Call once before anything else. */
export default function init(options?: { simd?: boolean }): Promise<unknown>;

/** Whether this engine runs WebAssembly SIMD128. */
export function detectSIMD(): boolean;
/** Library version, "MAJOR.MINOR.PATCH". */
export function version(): string;
/** Kernels in use: "wasm128" or "serial". */
export function isa(): string;

/** An error from the C library; `code` is its ruv_result status (e.g. -17 dimension mismatch,
    -3 NaN/Inf, -4 key exists, -11 bad magic, -15 checksum, -16 corrupt, -18 untrained). */
export class RuvectorError extends Error {
  readonly code: number;
}

export type Key = bigint | number;

export interface IndexOptions {
  metric?: 'l2sq' | 'ip' | 'cosine' | 'l1';
  kind?: 'flat' | 'hnsw';
  M?: number;
  efConstruction?: number;
  efSearch?: number;
  quant?: 'none' | 'f16' | 'bf16' | 'sq8' | 'bin' | 'pq';
  rerank?: number;
  dropF32?: boolean;
  seed?: number;
  /** slots allocated up front (doubled when full; default 1024) */
  capacity?: number;
}

/** The C API: u64 keys to vectors with optional string ids and metadata bytes. */
export class Index {
  constructor(dim: number, options?: IndexOptions);
  readonly dim: number;
  readonly count: number;
  readonly memoryUsage: number;
  free(): void;
  train(vectors: Float32Array): void;
  put(key: Key, vector?: Float32Array | number[] | null, id?: string | null,
      meta?: Uint8Array | null, mode?: 'insert' | 'update' | 'upsert'): void;
  add(key: Key, vector: Float32Array | number[]): void;
  addBatch(keys: ArrayLike<Key>, vectors: Float32Array): void;
  remove(key: Key): boolean;
  has(key: Key): boolean;
  search(query: Float32Array | number[], k: number,
         options?: { efSearch?: number; rerank?: number; allow?: Uint8Array }):
      { keys: BigUint64Array; distances: Float32Array };
  getVector(key: Key): Float32Array | undefined;
  getId(key: Key): string | null | undefined;
  getMeta(key: Key): Uint8Array | null | undefined;
  findId(id: string): bigint | undefined;
  keys(): IterableIterator<bigint>;
  save(): Uint8Array;
  static load(bytes: Uint8Array, expectDim?: number): Index;
  config(): { metric: string; kind: string; M: number; efConstruction: number;
              efSearch: number; quant: string };
}

export interface SearchResult {
  id: string;
  /** A distance, lower is closer: Euclidean distance, 1 - cosine, 1 - dot, or L1. */
  score: number;
  metadata?: any;
  vector?: Float32Array;
}

/** The @ruvector/wasm 0.1.x API. */
export class VectorDB {
  constructor(dimensions: number, metric?: 'euclidean' | 'cosine' | 'dotproduct' | 'manhattan',
              useHnsw?: boolean,
              options?: { M?: number; efConstruction?: number; efSearch?: number;
                          quant?: IndexOptions['quant']; seed?: number });
  readonly dimensions: number;
  len(): number;
  isEmpty(): boolean;
  insert(vector: Float32Array, id?: string | null, metadata?: any): string;
  insertBatch(entries: { vector: Float32Array; id?: string | null; metadata?: any }[]): string[];
  search(query: Float32Array, k: number, filter?: Record<string, any> | null,
         options?: { efSearch?: number; includeVectors?: boolean }): SearchResult[];
  delete(id: string): boolean;
  get(id: string): { id: string; vector: Float32Array; metadata: any } | undefined;
  save(): Uint8Array;
  static load(bytes: Uint8Array | ArrayBuffer): VectorDB;
  saveToIndexedDB(name?: string): Promise<void>;
  static loadFromIndexedDB(name?: string): Promise<VectorDB>;
  free(): void;
}
