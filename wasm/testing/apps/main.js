// Entry of the bundler test apps (esbuild, Vite, webpack, Rollup with default settings; see
// test/ci.sh): the package by its bare name; with #worker in the URL also the worker wrapper.
import { appCheck } from './app.js';

(async () => {
  const r = { app: await appCheck() };
  if (location.hash === '#worker') {
    const { workerCheck } = await import('./worker-check.js');
    r.worker = await workerCheck();
  }
  window.__result = r;
})().catch((e) => {
  window.__result = { error: String((e && e.stack) || e) };
});
