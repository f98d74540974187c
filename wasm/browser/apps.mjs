// Headless Chromium over built browser apps: serves each given folder on 127.0.0.1, opens its
// index.html (with #worker when asked) and checks window.__result (see testing/apps/main.js).
//   PLAYWRIGHT_DIR=... node wasm/browser/apps.mjs name=dir[#worker] ...
import { serve, withChromium } from './harness.mjs';

let failed = 0;
await withChromium(async ({ open }) => {
  for (const arg of process.argv.slice(2)) {
    const [name, spec] = arg.split('=');
    const [dir, hash] = spec.split('#');
    const srv = await serve(dir);
    try {
      const r = await open(`${srv.url}index.html${hash ? `#${hash}` : ''}`, 180000);
      const fails = [...r.app.failures, ...(r.worker ? r.worker.failures : [])];
      if (hash && !r.worker) fails.push('worker check did not run');
      if (r.app.isa !== 'wasm128') fails.push(`isa ${r.app.isa}`);
      console.log(`${name}: ${fails.length ? `FAIL ${fails.join('; ')}` : 'ok'} (init ${r.app.initMs.toFixed(0)} ms, ` +
        `recall@10 ${r.app.recall10.toFixed(3)}${r.worker ? `, worker insert ${r.worker.insertMs.toFixed(0)} ms` : ''}` +
        `, module from ${r.app.loadedFrom})`);
      if (fails.length) failed++;
    } catch (e) {
      failed++;
      console.log(`${name}: FAIL ${e.message}`);
    } finally {
      srv.close();
    }
  }
});
process.exit(failed ? 1 : 0);
