// The compatibility examples (testing/compat/*): scripts written against @ruvector/wasm 0.1.x and
// the `ruvector` package, run unchanged with both names pointing at this package (symlinks in a
// temporary node_modules). test/ci.sh runs them again against the packed tarball.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'ruv-compat-'));
mkdirSync(path.join(dir, 'node_modules', '@ruvector'), { recursive: true });
symlinkSync(pkg, path.join(dir, 'node_modules', '@ruvector', 'wasm'), 'dir');
symlinkSync(pkg, path.join(dir, 'node_modules', 'ruvector'), 'dir');
cpSync(path.join(pkg, 'testing', 'compat'), dir, { recursive: true });

for (const f of readdirSync(path.join(pkg, 'testing', 'compat')).filter((x) => x !== 'common.mjs')) {
  test(`compat example ${f}`, () => {
    const out = execFileSync(process.execPath, [path.join(dir, f)], { cwd: dir, encoding: 'utf8' });
    assert.match(out, /: ok/);
  });
}
test.after(() => rmSync(dir, { recursive: true, force: true }));
