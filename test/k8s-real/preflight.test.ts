// Preflight that matches the cluster (issue 14, item 7), through the REAL helm and kubectl against the API
// server: the PVC is ReadWriteMany, the token Secret has its key, node selectors and required affinity rules
// match a node, limits are not below requests, and the chart can be fetched (a mirror too) before anything
// is created. Each failure: one cause, and a fix naming the --set path.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BIN, CHARTS, startBed, toolsDir, type Bed } from '../k8s-api/bed.js';
import type { Scenario } from '../k8s-api/server.js';
import { SECRET_ENV, TOKEN } from '../helpers.js';
import { expectAbsent, RUN } from '../leak-check.js';

const T = 180_000;
const CHART = `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`;
const FIVETRAN = ['--preset', 'fivetran-kubernetes', '--set', CHART];
const beds: Bed[] = [];
afterEach(async () => {
  for (const b of beds.splice(0)) await b.stop();
});

async function bed(scenario: Partial<Scenario> = {}, accessModes = ['ReadWriteMany'], namespace = true): Promise<Bed> {
  const b = await startBed(scenario, SECRET_ENV);
  beds.push(b);
  if (namespace) b.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fivetran' } });
  b.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes } });
  return b;
}

/** Every request that changes something (the access reviews only ask). */
const writes = (b: Bed) => b.api.requests.filter((r) => r.method !== 'GET' && !r.url.includes('selfsubjectaccessreviews')).map((r) => `${r.method} ${r.url.split('?')[0]}`);

/** The one FAIL line of a check, and its fix line. */
function failOf(stderr: string, id: string): { message: string; fix: string } {
  const lines = stderr.split('\n');
  const i = lines.findIndex((l) => l.includes(`FAIL ${id}: `));
  expect(i, `no FAIL ${id} in:\n${stderr}`).toBeGreaterThanOrEqual(0);
  return { message: lines[i]!.split(`FAIL ${id}: `)[1]!, fix: (lines[i + 1] ?? '').replace(/^\s*(\| )?\s*fix: /, '') };
}

describe('preflight matches the cluster; nothing is created when it fails', () => {
  it(
    'a ReadWriteOnce PVC fails, naming the access mode and the --set that points at another claim',
    async () => {
      const b = await bed({}, ['ReadWriteOnce']);
      const r = await b.hd(['install', '--yes', ...FIVETRAN]);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'pvc');
      expect(f.message).toBe('PVC fivetran-data is ReadWriteOnce, not ReadWriteMany; the agent and its job pods mount it at the same time from different nodes');
      expect(f.fix).toContain('--set fivetran.kubernetes.dataVolumePvc=<name>');
      expect(writes(b)).toEqual([]);
    },
    T,
  );

  it(
    'a tokenSecret without the named key fails, listing its keys (never its values); with the key the install goes on',
    async () => {
      const b = await bed();
      b.api.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'agent-token', namespace: 'fivetran' }, stringData: { 'fivetran-token': TOKEN } });
      const preset = join(b.dir, 'token-secret.yaml');
      writeFileSync(preset, 'product: fivetran\nruntime: kubernetes\nfivetran:\n  kubernetes:\n    dataVolumePvc: fivetran-data\n    tokenSecret: {name: agent-token, key: token}\n');
      const r = await b.hd(['install', '--yes', '--preset', preset, '--set', CHART]);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'token-secret');
      expect(f.message).toBe('Secret agent-token in namespace fivetran has no key token (its keys: fivetran-token)');
      expect(f.fix).toContain('--set fivetran.kubernetes.tokenSecret.key=<key>');
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(writes(b)).toEqual([]);
      const ok = await b.hd(['install', '--yes', '--preset', preset, '--set', CHART, '--set', 'fivetran.kubernetes.tokenSecret.key=fivetran-token']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('Secret agent-token in fivetran has the key fivetran-token');
    },
    T,
  );

  it(
    'a node selector that no node matches fails before helm runs, naming the --set path (a dotted key in brackets)',
    async () => {
      const b = await bed({ nodes: [{ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/arch': 'amd64', pool: 'batch' }] });
      const r = await b.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.nodeSelector.pool=agents', '--set', 'fivetran.kubernetes.nodeSelector["topology.kubernetes.io/zone"]=a']);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'placement');
      expect(f.message).toBe("the agent's node selector pool=agents,topology.kubernetes.io/zone=a matches none of the 1 node(s)");
      expect(f.fix).toContain('kubectl label node <node> pool=agents topology.kubernetes.io/zone=a');
      expect(f.fix).toContain('--set fivetran.kubernetes.nodeSelector.pool=<value> --set fivetran.kubernetes.nodeSelector["topology.kubernetes.io/zone"]=<value>');
      expect(writes(b)).toEqual([]);
      // A node that has both labels: the check passes.
      b.api.setNodes([{ 'kubernetes.io/hostname': 'node-2', 'kubernetes.io/arch': 'amd64', pool: 'agents', 'topology.kubernetes.io/zone': 'a' }]);
      const ok = await b.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.nodeSelector.pool=agents', '--set', 'fivetran.kubernetes.nodeSelector["topology.kubernetes.io/zone"]=a']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/ok\s+placement: each node selector and required affinity rule \(1\) matches at least one of 1 node\(s\)/);
    },
    T,
  );

  it(
    'a required affinity rule no node matches fails (a preferred one does not), with the fix to make it preferred',
    async () => {
      const preset = ['--preset', 'fivetran-kubernetes-affinity', '--set', CHART];
      const b = await bed({ nodes: [{ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/arch': 'amd64', hd_size: 'small' }] });
      const r = await b.hd(['install', '--yes', ...preset]);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'placement');
      expect(f.message).toBe('required affinity rule large (hd_size In large), needed by the jobs of its connections, matches none of the 1 node(s)');
      expect(f.fix).toContain('--set fivetran.kubernetes.affinityRules.large.mode=preferred');
      expect(r.stderr).not.toContain('rule small');
      expect(writes(b)).toEqual([]);
      b.api.setNodes([{ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/arch': 'amd64', hd_size: 'small' }, { 'kubernetes.io/hostname': 'node-2', 'kubernetes.io/arch': 'amd64', hd_size: 'large' }]);
      const ok = await b.hd(['install', '--yes', ...preset]);
      expect(ok.code, ok.stderr).toBe(0);
    },
    T,
  );

  it(
    'Gt/Lt rules compare the label as an integer, as the scheduler does (a label 8.5 or none meets neither)',
    async () => {
      const rule = ['--set', 'fivetran.kubernetes.affinityRules.big={mode: required, match: [{key: cores, operator: Gt, values: ["8"]}, {key: disk, operator: Lt, values: ["100"]}]}', '--set', 'fivetran.kubernetes.affinity=[{rule: big, connectors: [conn_1]}]'];
      const node = (labels: Record<string, string>) => ({ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/arch': 'amd64', ...labels });
      const b = await bed({ nodes: [node({ cores: '4', disk: '50' })] });
      for (const labels of [{ cores: '4', disk: '50' }, { cores: '8.5', disk: '50' }, { cores: '16', disk: '100' }, { cores: '16' }] as Record<string, string>[]) {
        b.api.setNodes([node(labels)]);
        const r = await b.hd(['install', '--yes', ...FIVETRAN, ...rule]);
        expect(r.code, JSON.stringify(labels)).toBe(1);
        expect(failOf(r.stderr, 'placement').message).toBe('required affinity rule big (cores Gt 8 and disk Lt 100), needed by the jobs of its connections, matches none of the 1 node(s)');
        expect(writes(b)).toEqual([]);
      }
      b.api.setNodes([node({ cores: '16', disk: '99' })]);
      const ok = await b.hd(['install', '--yes', ...FIVETRAN, ...rule]);
      expect(ok.code, ok.stderr).toBe(0);
    },
    T,
  );

  it(
    'limits below requests fail before the API server would reject the pod template, naming the --set path (both products)',
    async () => {
      const b = await bed();
      const r = await b.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.resources.limits.cpu=500m', '--set', 'fivetran.kubernetes.resources.limits.memory=4Gi']);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'resources');
      expect(f.message).toBe('the agent: the cpu limit 500m is below its request 2 (Kubernetes rejects such a pod)');
      expect(f.fix).toBe('--set fivetran.kubernetes.resources.limits.cpu=2 (or more), or lower --set fivetran.kubernetes.resources.requests.cpu');
      expect(writes(b)).toEqual([]);
      const t = await b.hd(['install', '--yes', '--preset', 'tobiko-kubernetes', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`, '--set', 'tobiko.kubernetes.run.resources.requests.memory=2Gi', '--set', 'tobiko.kubernetes.run.resources.limits.memory=512Mi']);
      expect(t.code).toBe(1);
      expect(failOf(t.stderr, 'resources').message).toBe('the run executor: the memory limit 512Mi is below its request 2Gi (Kubernetes rejects such a pod)');
      expect(writes(b)).toEqual([]);
    },
    T,
  );
});

describe("a Secret the user made (Tobiko existingSecret, create: false): its key names are checked, its values never read", () => {
  const TOBIKO_CHART = `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`;
  const CLIENT = `user-client-secret-${RUN}`;
  const PW = `user-warehouse-pw-${RUN}`;
  const PW2 = `user-reporting-pw-${RUN}`;
  const VALUES = [CLIENT, PW, PW2];
  const KEYS = ['TCLOUD_CLIENT_SECRET', 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD', 'SQLMESH__GATEWAYS__REPORTING__CONNECTION__PASSWORD'];
  const userSecret = (stringData?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'executors-secrets', namespace: 'tobiko' }, ...(stringData ? { stringData } : {}) });

  async function tobikoBed(scenario: Partial<Scenario> = {}): Promise<{ b: Bed; args: string[] }> {
    const b = await bed(scenario);
    b.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tobiko' } });
    const preset = join(b.dir, 'tobiko-existing.yaml');
    writeFileSync(
      preset,
      [
        'product: tobiko',
        'runtime: kubernetes',
        'tobiko:',
        '  org: acme',
        '  project: analytics',
        '  clientId: 7f3c2a10-hybrid-executors',
        '  gateways:',
        '    warehouse: {type: postgres, host: db, port: 5432, database: analytics, user: sqlmesh}',
        '    reporting: {type: postgres, host: db2, port: 5432, database: reports, user: sqlmesh}',
        '  defaultGateway: warehouse',
        '  secrets: {strategy: existingSecret, name: executors-secrets, create: false}',
        '  kubernetes: {namespace: tobiko}',
        '',
      ].join('\n'),
    );
    return { b, args: ['--preset', preset, '--set', TOBIKO_CHART] };
  }
  const releases = async (b: Bed) => JSON.parse((await b.helm('list', '-n', 'tobiko', '-a', '-o', 'json')).stdout || '[]') as { name: string; status: string }[];

  it(
    'gateway keys missing: install fails in preflight naming them and the fix (no value on a command line), nothing applied; with every key it installs; no value ever in the output',
    async () => {
      const { b, args } = await tobikoBed();
      b.api.seed(userSecret({ TCLOUD_CLIENT_SECRET: CLIENT }));
      const r = await b.hd(['install', '--yes', ...args], { HD_SETUP_DEBUG: '1' });
      expect(r.code, r.stderr).toBe(1);
      const f = failOf(r.stderr, 'existing-secret');
      expect(f.message).toBe(`Secret executors-secrets in namespace tobiko has no keys ${KEYS[1]}, ${KEYS[2]} (its keys: TCLOUD_CLIENT_SECRET)`);
      expect(f.fix).toContain(`add the keys ${KEYS[1]}, ${KEYS[2]} to Secret executors-secrets: kubectl edit secret executors-secrets -n tobiko`);
      expect(f.fix).not.toMatch(/--from-literal=/);
      expect(writes(b)).toEqual([]);
      expect(await releases(b)).toEqual([]);
      expectAbsent('install', r.stdout + r.stderr, VALUES);
      // --json: the failed check, by id, with the keys; no value
      const j = await b.hd(['install', '--yes', '--json', ...args], { HD_SETUP_DEBUG: '1' });
      expect(j.code, j.stderr).toBe(1);
      expect(j.stdout).toContain(KEYS[1]);
      expectAbsent('install --json', j.stdout + j.stderr, VALUES);
      const d = await b.hd(['doctor', '--json', ...args], { HD_SETUP_DEBUG: '1' });
      expect((JSON.parse(d.stdout).checks as { id: string; status: string }[]).find((c) => c.id === 'existing-secret')).toMatchObject({ status: 'fail' });
      expectAbsent('doctor --json', d.stdout + d.stderr, VALUES);
      expect(writes(b)).toEqual([]);

      // one key left: named alone
      b.api.seed(userSecret({ TCLOUD_CLIENT_SECRET: CLIENT, [KEYS[1]!]: PW }));
      const one = await b.hd(['install', '--yes', ...args]);
      expect(one.code, one.stderr).toBe(1);
      expect(failOf(one.stderr, 'existing-secret').message).toBe(`Secret executors-secrets in namespace tobiko has no key ${KEYS[2]} (its keys: ${KEYS[1]}, TCLOUD_CLIENT_SECRET)`);
      expect(await releases(b)).toEqual([]);

      // every key: the check passes and the install goes on
      b.api.seed(userSecret({ TCLOUD_CLIENT_SECRET: CLIENT, [KEYS[1]!]: PW, [KEYS[2]!]: PW2 }));
      const ok = await b.hd(['install', '--yes', ...args], { HD_SETUP_DEBUG: '1' });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(new RegExp(`ok\\s+existing-secret: Secret executors-secrets in tobiko has the keys ${KEYS.join(', ')}`));
      expect(await releases(b)).toMatchObject([{ name: 'executors', status: 'deployed' }]);
      expectAbsent('install (every key)', ok.stdout + ok.stderr, VALUES);
      const again = await b.hd(['install', '--yes', '--json', ...args], { HD_SETUP_DEBUG: '1' });
      expect(again.code, again.stderr).toBe(0);
      expectAbsent('install --json (every key)', again.stdout + again.stderr, VALUES);
      const doc = await b.hd(['doctor', '--json'], { HD_SETUP_DEBUG: '1' });
      expect((JSON.parse(doc.stdout).checks as { id: string; status: string }[]).find((c) => c.id === 'existing-secret')).toMatchObject({ status: 'ok' });
      expectAbsent('doctor --json (installed)', doc.stdout + doc.stderr, VALUES);
    },
    T,
  );

  it(
    'a Secret with no data fails naming every key; one that is missing fails as before; one the user may not read is a warning that the keys were not checked',
    async () => {
      const { b, args } = await tobikoBed();
      const none = await b.hd(['install', '--yes', ...args]);
      expect(none.code).toBe(1);
      expect(failOf(none.stderr, 'existing-secret')).toEqual({ message: 'Secret executors-secrets does not exist in namespace tobiko', fix: `create it with the keys ${KEYS.join(', ')}, or set tobiko.secrets.create=true` });
      b.api.seed(userSecret());
      const empty = await b.hd(['install', '--yes', ...args]);
      expect(empty.code).toBe(1);
      expect(failOf(empty.stderr, 'existing-secret').message).toBe(`Secret executors-secrets in namespace tobiko has no keys ${KEYS.join(', ')} (it holds no data)`);
      expect(writes(b)).toEqual([]);
      // an empty data map is no data either
      b.api.seed({ ...userSecret(), data: {} });
      expect(failOf((await b.hd(['install', '--yes', ...args])).stderr, 'existing-secret').message).toMatch(/\(it holds no data\)$/);
      b.api.scenario.forbidden = ['get secrets'];
      const d = await b.hd(['doctor', '--json', ...args]);
      const c = (JSON.parse(d.stdout).checks as { id: string; status: string; message: string; fix: string }[]).find((x) => x.id === 'existing-secret')!;
      expect(c, d.stdout).toMatchObject({ status: 'warn', message: `cannot read Secret executors-secrets in namespace tobiko (forbidden): not checked that it exists and holds the keys ${KEYS.join(', ')}` });
      expect(c.fix).toContain('kubectl describe secret executors-secrets -n tobiko');
      b.api.scenario.forbidden = [];
    },
    T,
  );
});

describe('the chart is fetched before anything is created', () => {
  it(
    'an unreachable chart reference: the chart check fails, and neither the namespace nor the token Secret is created',
    async () => {
      const b = await bed({}, ['ReadWriteMany'], false);
      const r = await b.hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--set', 'fivetran.kubernetes.chart=oci://127.0.0.1:1/charts/hybrid-deployment-agent']);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'chart');
      expect(f.message).toMatch(/^cannot fetch the chart oci:\/\/127\.0\.0\.1:1\/charts\/hybrid-deployment-agent 0\.24\.0: .*connect: connection refused/);
      expect(f.fix).toContain('--set fivetran.kubernetes.chart=<oci://mirror/... or a directory>');
      expect(writes(b)).toEqual([]);
      expect(b.api.objects('', 'namespaces').map((n) => n.metadata.name)).not.toContain('fivetran');
      expect(b.api.objects('', 'secrets')).toEqual([]);
    },
    T,
  );

  it(
    'a mirror (an HTTP chart URL): preflight pulls the chart into the local cache, then the install uses it',
    async () => {
      const b = await bed();
      const out = join(b.dir, 'pkg');
      mkdirSync(out);
      execFileSync(join(toolsDir(), 'helm'), ['package', join(CHARTS, 'fivetran-0.24.0'), '--destination', out], { env: b.env });
      const [tgz] = readdirSync(out);
      const served: string[] = [];
      const mirror = createServer((req, res) => {
        served.push(req.url ?? '');
        if (req.url === `/charts/${tgz}`) {
          res.writeHead(200, { 'Content-Type': 'application/gzip' });
          res.end(readFileSync(join(out, tgz!)));
        } else res.writeHead(404).end();
      });
      await new Promise<void>((ok) => mirror.listen(0, '127.0.0.1', ok));
      try {
        const url = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/charts/${tgz}`;
        const r = await b.hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${url}`]);
        expect(r.code, r.stderr).toBe(0);
        const cache = join(b.home, '.cache/hd-setup/charts');
        expect(r.stderr).toContain(`chart ${url} 0.24.0 fetched into ${cache}`);
        expect(existsSync(join(cache, tgz!))).toBe(true);
        expect(served.filter((u) => u === `/charts/${tgz}`).length).toBeGreaterThanOrEqual(2); // preflight's pull, then helm's install
        const [rel] = JSON.parse((await b.helm('list', '-n', 'fivetran', '-o', 'json')).stdout) as { chart: string; status: string }[];
        expect(rel).toMatchObject({ chart: 'hybrid-deployment-agent-0.24.0', status: 'deployed' });
      } finally {
        await new Promise<void>((ok) => mirror.close(() => ok()));
      }
    },
    T,
  );

  it(
    'a local chart of another version than chartVersion fails, naming both --set paths',
    async () => {
      const b = await bed();
      const r = await b.hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.12.0')}`]);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'chart');
      expect(f.message).toBe(`the chart in ${join(CHARTS, 'fivetran-0.12.0')} is version 0.12.0, not 0.24.0`);
      expect(f.fix).toContain('--set fivetran.kubernetes.chartVersion=0.12.0');
      expect(writes(b)).toEqual([]);
    },
    T,
  );
});

describe('the optional in-cluster egress check', () => {
  const EGRESS = ['--set', 'fivetran.kubernetes.egressCheck={}'];
  const egressPods = (b: Bed) => b.api.written('', 'pods').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'egress-check');
  const left = (b: Bed) => b.api.objects('', 'pods', 'fivetran').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'egress-check');

  it(
    'a pod in the namespace reaches the vendor endpoints through the proxy, and is removed; the setting is kept with the install',
    async () => {
      const b = await bed();
      const r = await b.hd(['install', '--yes', ...FIVETRAN, ...EGRESS, '--set', 'proxy.https=http://bob:pr0xyPW99@proxy.corp:3128']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`egress: from a pod in fivetran through the proxy http://bob:********@proxy.corp:3128, every vendor endpoint answers (ldp.orchestrator.fivetran.com, api.fivetran.com)`);
      expect(r.stderr).not.toContain('pr0xyPW99');
      const [pod] = egressPods(b);
      const c = pod!.spec.containers[0];
      expect(c.image).toBe('curlimages/curl:8.11.1');
      expect(c.command.slice(-2)).toEqual(['https://ldp.orchestrator.fivetran.com', 'https://api.fivetran.com/v1/hybrid-deployment-agents']);
      expect(c.env).toContainEqual({ name: 'HTTPS_PROXY', value: 'http://bob:pr0xyPW99@proxy.corp:3128' });
      expect(pod!.spec).toMatchObject({ restartPolicy: 'Never', activeDeadlineSeconds: 60 });
      expect(left(b)).toEqual([]);
      const exp = await b.hd(['export-preset', '--preset', 'fivetran-kubernetes']);
      expect(exp.stdout).toMatch(/egressCheck: \{\}/);
    },
    T,
  );

  it(
    'doctor of an install whose proxy this host does not reach (it resolves only inside the cluster; here a closed port): each vendor endpoint is a warning that names the egress check, not a failure (exit 0); installed with the check, the fix points at it; the proxy password never shown',
    async () => {
      const b = await bed();
      const password = 'ClosedP0rtProxyPassw0rd';
      const PX = `http://bob:${password}@127.0.0.1:1`;
      const i = await b.hd(['install', '--yes', ...FIVETRAN, '--set', 'proxy.https=env:PX'], { PX });
      expect(i.code, i.stderr).toBe(0);
      // the install found by doctor alone: its proxy read back from the release
      const text = await b.hd(['doctor']);
      expect(text.code, text.stdout + text.stderr).toBe(0);
      const proxy = 'http://bob:********@127.0.0.1:1';
      for (const host of ['ldp.orchestrator.fivetran.com', 'api.fivetran.com']) {
        expect(text.stdout).toContain(
          `  warn    reachability: ${host} is not reachable from this host through the proxy ${proxy} (ECONNREFUSED); the agent runs in the cluster, which this does not check\n` +
            '          fix: check that the proxy allows CONNECT to it on port 443 and that its credentials are right, or change proxy.https; to check from inside the cluster: --set fivetran.kubernetes.egressCheck={}\n',
        );
      }
      const json = await b.hd(['doctor', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const doc = JSON.parse(json.stdout) as { ok: boolean; checks: { id: string; status: string; message: string; fix?: string }[] };
      expect(doc.ok).toBe(true);
      expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(doc.checks.filter((c) => c.id === 'reachability').map((c) => [c.status, c.fix?.split('; ').at(-1)])).toEqual([
        ['warn', 'to check from inside the cluster: --set fivetran.kubernetes.egressCheck={}'],
        ['warn', 'to check from inside the cluster: --set fivetran.kubernetes.egressCheck={}'],
      ]);
      // installed with the egress check: the pod looks from inside the cluster, and the warning's fix says so
      const on = await b.hd(['install', '--yes', ...FIVETRAN, ...EGRESS, '--set', 'proxy.https=env:PX'], { PX });
      expect(on.code, on.stderr).toBe(0);
      const withCheck = await b.hd(['doctor', '--json']);
      expect(withCheck.code, withCheck.stderr).toBe(0);
      const checks = (JSON.parse(withCheck.stdout) as typeof doc).checks;
      expect(checks.find((c) => c.id === 'egress')).toMatchObject({ status: 'ok' });
      expect(checks.filter((c) => c.id === 'reachability').map((c) => [c.status, c.fix?.split('; ').at(-1)])).toEqual([
        ['warn', 'the egress check looks from inside the cluster'],
        ['warn', 'the egress check looks from inside the cluster'],
      ]);
      expect(left(b)).toEqual([]);
      for (const [where, r] of Object.entries({ install: i, doctor: text, 'doctor --json': json, 'install (egress check)': on, 'doctor --json (egress check)': withCheck })) {
        expectAbsent(where, r.stdout + r.stderr, [password, TOKEN]);
      }
    },
    T,
  );

  it(
    'endpoints unreachable from inside the cluster: one cause per endpoint, the fix, the pod removed, nothing else created',
    async () => {
      const b = await bed({ egress: 'unreachable' });
      const r = await b.hd(['install', '--yes', ...FIVETRAN, ...EGRESS]);
      expect(r.code).toBe(1);
      const f = failOf(r.stderr, 'egress');
      expect(f.message).toBe('from a pod in namespace fivetran, not reachable: ldp.orchestrator.fivetran.com (curl: (28) Connection timed out after 10001 milliseconds), api.fivetran.com (curl: (28) Connection timed out after 10001 milliseconds)');
      expect(f.fix).toContain('--set proxy.https=');
      expect(writes(b).map((w) => w.replace(/hd-setup-egress-\w+/, 'POD'))).toEqual(['POST /api/v1/namespaces/fivetran/pods', 'DELETE /api/v1/namespaces/fivetran/pods/POD']);
      expect(left(b)).toEqual([]);
    },
    T,
  );

  it(
    'an image the cluster cannot pull: bounded by the timeout, the fix names the image setting; skippable by its id',
    async () => {
      const b = await bed({ egress: 'no-image' });
      const t0 = Date.now();
      const r = await b.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.egressCheck={image: registry.local/curl:8, timeout: 5s}']);
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(60_000);
      const f = failOf(r.stderr, 'egress');
      expect(f.message).toBe('the egress check pod did not finish within 5s (ImagePullBackOff); image registry.local/curl:8');
      expect(f.fix).toContain('--set fivetran.kubernetes.egressCheck.image=<an image with sh and curl');
      expect(left(b)).toEqual([]);
      const n = egressPods(b).length;
      const skipped = await b.hd(['install', '--yes', ...FIVETRAN, ...EGRESS, '--skip-check', 'egress']);
      expect(skipped.code, skipped.stderr).toBe(0);
      expect(skipped.stderr).toContain('egress: skipped by --skip-check');
      expect(egressPods(b)).toHaveLength(n);
    },
    T,
  );

  it(
    'a signal while the check pod runs (Ctrl-C or SIGTERM in an install, Ctrl-C in doctor, Ctrl-C twice): the pod, which holds the proxy password, is removed (it was left)',
    async () => {
      const b = await bed({ egress: 'no-image' });
      const proxy = ['--set', 'proxy.https=env:PX', '--set', 'fivetran.kubernetes.egressCheck={timeout: 60s}'];
      for (const [args, signals, code] of [
        [['install', '--yes'], ['SIGINT'], 130],
        [['install', '--yes'], ['SIGTERM'], 143],
        [['doctor'], ['SIGINT'], 130],
        [['install', '--yes'], ['SIGINT', 'SIGINT'], 130],
      ] as const) {
        const before = egressPods(b).length;
        const child = spawn(process.execPath, [BIN, ...args, ...FIVETRAN, ...proxy], { env: { ...b.env, PX: 'http://bob:EgressProxyPassw0rd@proxy.corp:3128' }, stdio: ['ignore', 'pipe', 'pipe'] });
        const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
        for (const t0 = Date.now(); egressPods(b).length === before; ) {
          if (Date.now() - t0 > 60_000) throw new Error(`${args.join(' ')}: no egress pod was made`);
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 300));
        for (const sig of signals) {
          child.kill(sig);
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(await closed, `${args.join(' ')} ${signals.join(' ')}`).toBe(code);
        expect(left(b), `${args.join(' ')} ${signals.join(' ')}`).toEqual([]);
      }
    },
    T,
  );
});
