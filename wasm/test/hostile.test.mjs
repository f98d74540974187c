// The hostile-argument test (testing/lib/hostile.js) under Node; browser/run.mjs runs it in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rv from '../node.mjs';
import { runHostile } from '../testing/lib/hostile.js';

await rv.init();

test('hostile arguments: checked errors only, then exact answers from old and new databases', async () => {
  const r = await runHostile(rv, (m) => console.log(m));
  assert.ok(r.checks > 3500, `${r.checks} checks (with the SparseIndex and fuse cases)`);
  assert.deepEqual(r.failures, []);
});
