// ruvector-wasm/adapter: RuvectorWasmAdapter of @ruvector/wasm 0.1.x over this package (./node.mjs).
import * as rv from './node.mjs';
import { makeAdapter } from './src/adapter.js';

const a = makeAdapter(rv);
export const { RuvectorWasmAdapter, WASM_HNSW_AVAILABLE, distanceToSimilarity } = a;
export default a.RuvectorWasmAdapter;
