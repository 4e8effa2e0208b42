// vitest globalSetup: fetch (once, cached in .cache/k8s-tools) the real helm and kubectl that the Kubernetes
// tests drive. Under CI a failure fails the run; locally (no network) it is reported once here and each
// Kubernetes test fails with the same clear message (test/k8s-api/bed.ts: toolsDir()).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '../..');
  const r = spawnSync('bash', [join(root, 'scripts/k8s-tools.sh')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0) return;
  const why = (r.stderr || r.error?.message || 'unknown error').trim().split('\n').at(-1);
  const message = `k8s-tools: could not get the real helm and kubectl (${why}); the Kubernetes tests (test/k8s-real) will fail`;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`${message}\n`);
}
