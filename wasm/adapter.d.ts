// Types of ruvector-wasm/adapter: RuvectorWasmAdapter of @ruvector/wasm 0.1.x over this package.
import type { VectorDB, Filter } from './index.js';

/** true: this package's VectorDB builds an HNSW graph when asked (useHnsw). */
export const WASM_HNSW_AVAILABLE: boolean;
/** A distance as a similarity, higher is closer: cosine 1 - d, dot -d, else 1 / (1 + d). */
export function distanceToSimilarity(metric: string, distance: number): number;

export interface AdapterSearchResult {
  id: string;
  similarity: number;
  distance: number;
  /** = similarity */
  score: number;
  vector?: Float32Array;
  metadata?: Record<string, any>;
}

export class RuvectorWasmAdapter {
  constructor(db: VectorDB | any, options?: { dimensions?: number; metric?: string; usesHnsw?: boolean });
  static create(options: { dimensions: number; metric?: string; useHnsw?: boolean; module?: any }): Promise<RuvectorWasmAdapter>;
  readonly usesHnsw: boolean;
  readonly indexType: 'hnsw' | 'flat';
  insert(entry: { id?: string; vector: Float32Array | number[]; metadata?: Record<string, any> }): string;
  insertBatch(entries: Array<{ id?: string; vector: Float32Array | number[]; metadata?: Record<string, any> }>): string[];
  search(query: { vector: Float32Array | number[]; k: number; filter?: Filter }): AdapterSearchResult[];
  get(id: string): { id: string; vector?: Float32Array; metadata?: Record<string, any> } | null;
  delete(id: string): boolean;
  len(): number;
  isEmpty(): boolean;
  clearMetadata(): void;
}
export default RuvectorWasmAdapter;
