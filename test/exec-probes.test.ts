// What the exec layer asks, and how often: a runtime not on PATH is never probed, and the reachability
// of a cluster is asked once per kubeconfig and context in a process.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, ROOT, load, tmp } from './helpers.js';
import { detectState } from '../src/exec/detect.js';
import { reachCluster } from '../src/exec/kube-reach.js';
import type { Model } from '../src/products/index.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('detectState', () => {
  it('a runtime that is not on PATH is not probed at all (its binary exists elsewhere)', async () => {
    const dir = tmp('hd-probe-bin-');
    const state = tmp('hd-probe-state-');
    const bin = join(dir, 'podman');
    copyFileSync(join(ROOT, 'test/stubs/bin/podman'), bin);
    chmodSync(bin, 0o755);
    const model = load({ preset: 'fivetran-podman' }).model as unknown as Model;
    process.env.HD_STUB_STATE = state;
    process.env.PATH = tmp('hd-probe-empty-'); // no podman anywhere on it
    const s = await detectState(model, { ...HOST, runtimeBin: bin }, []);
    expect(s).toMatchObject({ containers: {}, networks: [], images: [] });
    expect(existsSync(join(state, 'calls.log')) ? readFileSync(join(state, 'calls.log'), 'utf8') : '').toBe('');
    // On PATH, the same binary is asked (so the check above would see a probe).
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    await detectState(model, { ...HOST, runtimeBin: bin }, []);
    expect(readFileSync(join(state, 'calls.log'), 'utf8')).toMatch(/network ls/);
  });
});

describe('reachCluster', () => {
  it('two KUBECONFIGs in one process are probed separately; the same one again is not', async () => {
    const dir = tmp('hd-kubectl-');
    const log = join(dir, 'calls.log');
    writeFileSync(join(dir, 'kubectl'), `#!/bin/sh\necho "$KUBECONFIG $*" >> ${log}\nv=$(basename "$KUBECONFIG")\necho "{\\"serverVersion\\":{\\"gitVersion\\":\\"v1.3$v.0\\"}}"\n`);
    chmodSync(join(dir, 'kubectl'), 0o755);
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    process.env.KUBECONFIG = join(dir, '1');
    const a = await reachCluster('ctx');
    process.env.KUBECONFIG = join(dir, '2');
    const b = await reachCluster('ctx');
    process.env.KUBECONFIG = join(dir, '1');
    const a2 = await reachCluster('ctx');
    expect(a, readFileSync(log, 'utf8')).toEqual({ ok: true, version: 'v1.31.0' });
    expect(b).toEqual({ ok: true, version: 'v1.32.0' });
    expect(a2).toEqual(a);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.map((l) => l.split(' ')[0])).toEqual([join(dir, '1'), join(dir, '2')]);
  });
});

describe('probeEndpoint without a proxy', () => {
  it("answers with the status and the server's Date (the clock-skew check reads it), and names an error", async () => {
    const { createServer } = await import('node:http');
    const { probeEndpoint } = await import('../src/exec/net.js');
    const date = 'Fri, 04 Dec 2026 09:00:00 GMT';
    const server = createServer((req, res) => {
      res.setHeader('Date', date);
      res.writeHead(req.method === 'HEAD' ? 204 : 405).end();
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    try {
      expect(await probeEndpoint(`http://127.0.0.1:${port}/v1`, 5000)).toEqual({ ok: true, proxied: false, status: 204, date });
    } finally {
      server.close();
    }
    expect(await probeEndpoint(`http://127.0.0.1:${port}/v1`, 5000)).toMatchObject({ ok: false, proxied: false, error: 'ECONNREFUSED' });
  });

  it("doctor's reachability row names the cause: a name that does not resolve is DNS, a refused connection the firewall", async () => {
    const { probeEndpoint } = await import('../src/exec/net.js');
    const { unreachedReport } = await import('../src/service/lifecycle.js');
    // .invalid never resolves (RFC 6761): the resolver's own answer, no network needed
    const r = await probeEndpoint('https://hd-setup-test.invalid/', 5000);
    expect(r).toMatchObject({ ok: false, proxied: false, error: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
    expect(unreachedReport('hd-setup-test.invalid', r.error!)).toEqual({
      id: 'reachability',
      status: 'fail',
      message: `hd-setup-test.invalid does not resolve on this host (${r.error})`,
      fix: "check this host's DNS (getent hosts hd-setup-test.invalid); where only a proxy reaches the internet, configure it (--set proxy.https=...)",
    });
    expect(unreachedReport('api.fivetran.com', 'ECONNREFUSED')).toMatchObject({ message: 'api.fivetran.com is not reachable from this host (ECONNREFUSED)', fix: 'allow outbound HTTPS to it in the firewall, or configure the proxy (--set proxy.https=...)' });
    expect(unreachedReport('api.fivetran.com', 'ECONNRESET', 'http://bob:pw@proxy.internal:3128')).toMatchObject({ message: 'api.fivetran.com is not reachable from this host through the proxy http://bob:********@proxy.internal:3128 (ECONNRESET)' });
  });
});
