// A cluster that is not there: a hung API server (the test server's `hang` knob: it accepts connections and
// never answers) and a closed port. Preflight probes the server once, with a request timeout, reports one
// clear error (server, context, cause, fix), skips the checks that need the server, and gives up in time.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, CHARTS, ROOT, startBed, writeKubeconfig, type Bed, seedFivetranTarget } from '../k8s-api/bed.js';
import { SECRET_ENV } from '../helpers.js';
import { toolStderr } from '../../src/exec/kube-reach.js';

const beds: Bed[] = [];
afterEach(async () => {
  for (const b of beds.splice(0)) await b.stop();
});

/** hd-setup install, noting when preflight started and when it failed (ms since the start). */
function timedInstall(bed: Bed, preset: string): Promise<{ code: number; stderr: string; preflightMs: number; totalMs: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let stderr = '';
    let started = -1;
    let failed = -1;
    const child = spawn(process.execPath, [BIN, 'install', '--yes', '--preset', preset], { env: bed.env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (started < 0 && stderr.includes('Preflight checks')) started = Date.now() - t0;
      if (failed < 0 && /\[1\/\d\] FAILED/.test(stderr)) failed = Date.now() - t0;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code: code ?? -1, stderr, preflightMs: failed - started, totalMs: Date.now() - t0 });
    });
  });
}

const KLOG_LINE = /^\s*(\| )?[IWEF]\d{4} \d{2}:\d{2}:\d{2}/m;

describe('an API server that cannot be reached', () => {
  it(
    'hung: one clear error naming the server, the context and the cause; dependent checks skipped; preflight gives up within 20 s',
    async () => {
      const bed = await startBed({ hang: true }, SECRET_ENV);
      beds.push(bed);
      const r = await timedInstall(bed, 'fivetran-kubernetes');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`FAIL server-version: cannot reach the Kubernetes API server at ${bed.api.url} (context test): no answer within 5s`);
      expect(r.stderr).toContain('fix: check that the cluster is up and reachable from here');
      for (const id of ['namespace', 'pvc', 'rbac', 'node-arch', 'placement', 'chart']) expect(r.stderr).toContain(`skip ${id}: not checked: the API server cannot be reached`);
      expect(r.stderr).not.toMatch(/forbidden|ask a cluster admin|does not exist/);
      expect(r.stderr).not.toMatch(KLOG_LINE);
      // Every kubectl request of the probe carries the request timeout (client-go sends it as ?timeout=).
      expect(bed.api.requests.filter((q) => q.url.startsWith('/version')).map((q) => q.url)).toContain('/version?timeout=5s');
      expect(r.preflightMs).toBeGreaterThan(0);
      expect(r.preflightMs).toBeLessThan(20_000);
      // The whole install gives up within 20 s: detection's helm and kubectl calls are not asked a hung server.
      expect(r.totalMs).toBeLessThan(20_000);
    },
    180_000,
  );

  it(
    'closed port: connection refused; the checks that need the server (the ESO CRD too) are skipped; no klog',
    async () => {
      const bed = await startBed({}, SECRET_ENV);
      beds.push(bed);
      writeKubeconfig(bed.kubeconfig, 'http://127.0.0.1:1');
      const r = await timedInstall(bed, 'tobiko-kubernetes-external-secrets');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('FAIL server-version: cannot reach the Kubernetes API server at http://127.0.0.1:1 (context test): connection refused');
      expect(r.stderr).toContain('skip external-secrets-crd: not checked');
      expect(r.stderr).not.toMatch(/CRD externalsecrets.external-secrets.io is missing|forbidden/);
      expect(r.stderr).not.toMatch(KLOG_LINE);
      expect(r.preflightMs).toBeLessThan(20_000);
    },
    180_000,
  );

  // An install hd-setup recorded, then its cluster goes away: every lifecycle command says so (exit 1, with
  // the server, the context, the cause and the fix), never "no install found" (exit 2, for nothing recorded).
  it(
    'status, doctor, stop, start, uninstall, rollback on a recorded install: exit 1 with the cause (closed port, then hung), in time; nothing recorded: nothing installed, exit 1',
    async () => {
      const bed = await startBed({}, SECRET_ENV);
      beds.push(bed);
      seedFivetranTarget(bed);
      const chart = `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`;
      const ok = await bed.hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--set', chart]);
      expect(ok.code, ok.stderr).toBe(0);
      const commands = [['status'], ['doctor'], ['stop'], ['start'], ['uninstall', '--yes'], ['rollback', '--yes']];
      const runAll = () =>
        Promise.all(
          commands.map(async (c) => {
            const t0 = Date.now();
            const r = await bed.hd(c);
            return { c: c[0], ...r, ms: Date.now() - t0 };
          }),
        );
      const live = bed.api.url;
      writeKubeconfig(bed.kubeconfig, 'http://127.0.0.1:1');
      for (const r of await runAll()) {
        expect(r.code, `${r.c}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain('cannot reach the Kubernetes API server at http://127.0.0.1:1 (context test): connection refused');
        expect(r.stderr).toContain('release hd-agent in namespace fivetran cannot be looked at');
        expect(r.stderr).toContain('fix: check that the cluster is up and reachable from here');
        expect(r.stderr).not.toMatch(/no install found/);
        expect(r.stderr).not.toMatch(KLOG_LINE);
      }
      writeKubeconfig(bed.kubeconfig, live);
      bed.api.scenario.hang = true;
      for (const r of await runAll()) {
        expect(r.code, `${r.c}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`cannot reach the Kubernetes API server at ${live} (context test): no answer within 5s`);
        expect(r.ms).toBeLessThan(20_000);
      }
      bed.api.scenario.hang = false;
      // No helm on PATH (kubectl neither): the tools are missing, not the install.
      const noTools = (process.env.PATH ?? '').split(':').filter((d) => !existsSync(join(d, 'helm')) && !existsSync(join(d, 'kubectl'))).join(':');
      for (const c of [['status'], ['doctor'], ['stop']]) {
        const r = await bed.hd(c, { PATH: noTools });
        expect(r.code, `${c[0]}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain('helm is not installed or not on PATH; so release hd-agent in namespace fivetran cannot be looked at');
        expect(r.stderr).not.toMatch(/no install found/);
      }
      // Nothing recorded there, no helm: doctor checks the host for an install, and says helm is missing.
      const before = await bed.hd(['doctor', '--preset', 'fivetran-kubernetes'], { PATH: noTools, HOME: bed.dir });
      expect(before.code, before.stderr).toBe(1);
      expect(before.stdout + before.stderr).toMatch(/helm.*not (installed|found|on PATH)/i);
      expect(before.stdout + before.stderr).not.toMatch(/cannot be looked at/);
      // Still there, untouched: the release and its recorded install.
      expect(JSON.parse((await bed.helm('list', '-a', '-n', 'fivetran', '-o', 'json')).stdout)).toMatchObject([{ name: 'hd-agent', status: 'deployed', revision: '1' }]);
      // Nothing recorded (another HOME): nothing installed, said, exit 1 (the answer, not bad input)
      const none = await bed.hd(['status'], { HOME: bed.dir });
      expect(none.code).toBe(1);
      expect(none.stdout).toContain('Nothing installed here: no install found');
    },
    180_000,
  );

  it('klog lines are dropped from tool errors, and kept under HD_SETUP_DEBUG=1', () => {
    const stderr = 'E1202 07:34:26.001395   30267 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list"\nThe connection to the server 127.0.0.1:1 was refused';
    expect(toolStderr(stderr, {})).toBe('The connection to the server 127.0.0.1:1 was refused');
    expect(toolStderr(stderr, { HD_SETUP_DEBUG: '1' })).toBe(stderr);
  });
});
