// Rollup with its usual browser-app setup: resolve bare imports from node_modules, ES output.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default { input: 'src/main.js', output: { dir: 'dist', format: 'es' }, plugins: [nodeResolve()] };
