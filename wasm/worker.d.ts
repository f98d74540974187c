// Types of ruvector-wasm/worker.
import type { VectorDbOptions, VectorDbEntry, VectorDbHit, Filter, MemoryUsage } from './index.js';

export interface PackedEntries {
  /** n x dim concatenated floats */
  vectors: Float32Array;
  ids?: string[];
  metadata?: any[];
}

/** The async VectorDb API running in a module Web Worker. 'progress' events carry done, total. */
export class WorkerVectorDb extends EventTarget {
  /** options.wasm: the module for the worker (a WebAssembly.Module, bytes or a URL); by default
      it fetches dist/*.wasm next to worker-host.js. */
  constructor(options: VectorDbOptions & { wasm?: WebAssembly.Module | BufferSource | string | URL },
              init?: { worker?: Worker });
  insert(entry: VectorDbEntry, options?: { transfer?: boolean }): Promise<string>;
  insertBatch(entries: VectorDbEntry[] | PackedEntries,
              options?: { transfer?: boolean; onProgress?: (done: number, total: number) => void }): Promise<string[]>;
  search(query: { vector: Float32Array | ArrayLike<number>; k?: number; filter?: Filter;
                  efSearch?: number; threshold?: number }): Promise<VectorDbHit[]>;
  get(id: string): Promise<{ id: string; vector: Float32Array; metadata?: any } | null>;
  delete(id: string): Promise<boolean>;
  len(): Promise<number>;
  isEmpty(): Promise<boolean>;
  memoryUsage(): Promise<MemoryUsage>;
  save(): Promise<Uint8Array>;
  saveToIndexedDB(name?: string, options?: { full?: boolean; checkpointRatio?: number; checkpointRecords?: number; chunkBytes?: number;
    durability?: 'default' | 'strict' | 'relaxed' }): Promise<boolean>;
  /** VectorDB.flush() in the worker: resolves to the bytes written. */
  flush(): Promise<number>;
  /** VectorDB.checkpoint() in the worker: resolves to the bytes written. */
  checkpoint(): Promise<number>;
  terminate(): void;
  [Symbol.dispose](): void;
}
export { WorkerVectorDb as VectorDb };
