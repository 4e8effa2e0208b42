// vitest globalSetup: the child-process tests run dist/hd-setup.mjs, so build it from the current source
// first (esbuild, about a second). HD_TEST_SKIP_BUILD=1 skips it when the caller has just built.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  if (process.env.HD_TEST_SKIP_BUILD === '1') return;
  const root = resolve(import.meta.dirname, '..');
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the build failed, so the tests would run a stale bundle:\n${r.stderr || r.stdout}`);
}
