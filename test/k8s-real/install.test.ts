// Full hd-setup runs (the bundle in dist/) against the in-memory API server, through the REAL kubectl and
// helm, with the vendored charts: install, an identical re-run, status, stop/start, an upgrade, rollback, uninstall.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CHARTS, startBed, type Bed, seedFivetranTarget } from '../k8s-api/bed.js';
import { CLIENT_SECRET, SECRETS, SECRET_ENV, TOKEN, WAREHOUSE_PASSWORD } from '../helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = 180_000;
const writes = (bed: Bed, from = 0) => bed.api.requests.slice(from).filter((r) => r.method !== 'GET' && !r.url.includes('selfsubjectaccessreviews'));
const ready = (pods: Obj[]) => pods.filter((p) => (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True')).length;
const decode = (s: Obj, key: string) => Buffer.from(s.data?.[key] ?? '', 'base64').toString('utf8');

function noSecretsIn(bed: Bed, ...texts: string[]): void {
  for (const s of SECRETS) {
    for (const t of texts) expect(t.includes(s), 'secret in the output').toBe(false);
    for (const r of bed.api.requests) expect(r.url.includes(s), `secret in a request URL: ${r.method} ${r.url}`).toBe(false);
  }
}

async function releases(bed: Bed, ns: string): Promise<Obj[]> {
  const r = await bed.helm('list', '-a', '-n', ns, '-o', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Obj[];
}

describe('fivetran-kubernetes against the API server, with the real helm, kubectl and chart 0.24.0', () => {
  let bed: Bed;
  const chart = `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`;
  const hd = (args: string[], extra: NodeJS.ProcessEnv = {}) => bed.hd([...args, '--preset', 'fivetran-kubernetes', '--set', chart], extra);
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
    seedFivetranTarget(bed);
  });
  afterAll(() => bed?.stop());

  it(
    'install deploys the release; the Deployment and the token Secret exist; the pod becomes Ready',
    async () => {
      const r = await hd(['install', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const [rel] = await releases(bed, 'fivetran');
      expect(rel).toMatchObject({ name: 'hd-agent', status: 'deployed', revision: '1', chart: 'hybrid-deployment-agent-0.24.0' });
      const dep = bed.api.objects('apps', 'deployments', 'fivetran');
      expect(dep.map((d) => d.metadata.name)).toEqual(['hd-agent']);
      const c = dep[0]!.spec.template.spec.containers[0];
      expect(c.env.find((e: Obj) => e.name === 'token').valueFrom).toEqual({ secretKeyRef: { name: 'hd-agent-hd-setup-token', key: 'token' } });
      const secret = bed.api.objects('', 'secrets', 'fivetran').find((s) => s.metadata.name === 'hd-agent-hd-setup-token')!;
      expect(decode(secret, 'token')).toBe(TOKEN);
      expect(secret.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'hd-setup', 'app.kubernetes.io/instance': 'hd-agent' });
      expect(dep[0]!.status).toMatchObject({ readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1, observedGeneration: dep[0]!.metadata.generation });
      const pods = bed.api.objects('', 'pods', 'fivetran');
      expect(ready(pods)).toBe(1);
      expect(r.stderr).toContain('release hd-agent revision 1 (deployed), 1/1 pods ready');
      noSecretsIn(bed, r.stdout, r.stderr);
      // the summary's logs command runs as printed
      const logs = /^ {4}Logs: +kubectl (.+)$/m.exec(r.stderr)?.[1];
      const out = await bed.kubectl(...logs!.split(' '));
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toBe('INFO agent started\n');
      // what hd-setup created is recorded beside its files, never in the HOME itself
      expect(readdirSync(bed.home).filter((n) => n.startsWith('.hd-setup'))).toEqual([]);
      expect(JSON.parse(readFileSync(join(bed.home, '.config/hd-setup/fivetran/fivetran/hd-agent/.hd-setup-created'), 'utf8')).created).toContain('values.yaml');
    },
    T,
  );

  it(
    'a second identical run changes nothing',
    async () => {
      const n = bed.api.requests.length;
      const r = await hd(['install', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(writes(bed, n)).toEqual([]);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '1', status: 'deployed' });
      expect(r.stderr).toContain('release hd-agent is up to date (revision 1)');
    },
    T,
  );

  it(
    'status reports the release and the ready pod',
    async () => {
      const r = await hd(['status', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as Obj;
      expect(j.release.revision).toBe(1);
      expect(j.podsReady).toBe('1/1');
    },
    T,
  );

  it(
    'stop scales the Deployment to 0 (its pod goes), start scales it back and the pod is Ready',
    async () => {
      const stop = await hd(['stop']);
      expect(stop.code, stop.stderr).toBe(0);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.replicas).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(bed.api.objects('', 'pods', 'fivetran')).toEqual([]);
      // status: stopped on purpose, not failed (exit 1 still: it is not running)
      const stopped = await hd(['status']);
      expect(stopped.code).toBe(1);
      expect(stopped.stdout).toMatch(/Stopped with hd-setup stop \(.* UTC: scaled to 0\)\. Start it: hd-setup start/);
      bed.api.scenario.podReadyDelayMs = 1500;
      const start = await hd(['start']);
      bed.api.scenario.podReadyDelayMs = 0;
      expect(start.code, start.stderr).toBe(0);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.replicas).toBe(1);
      // it waited for the pod, as an install does, and says so (it said done at the scale, the pod not ready)
      expect(ready(bed.api.objects('', 'pods', 'fivetran'))).toBe(1);
      expect(start.stderr).toMatch(/\$ kubectl rollout status deployment\/\S+ -n fivetran --timeout=\S+\n/);
      expect(start.stderr).toMatch(/release hd-agent revision \d+ \(deployed\), 1\/1 pods ready/);
      expect((await hd(['status'])).stdout).not.toContain('Stopped with hd-setup stop');
    },
    T,
  );

  it(
    'install after stop runs the agent again (the same values: helm has nothing to do, the Deployment is scaled back)',
    async () => {
      expect((await hd(['stop'])).code).toBe(0);
      const dry = await hd(['install', '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('$ kubectl scale deployment hd-agent -n fivetran --replicas=1');
      expect(dry.stderr).toContain('It was stopped with hd-setup stop (');
      const r = await hd(['install', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.replicas).toBe(1);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '1', status: 'deployed' });
      await new Promise((res) => setTimeout(res, 50));
      expect(ready(bed.api.objects('', 'pods', 'fivetran'))).toBe(1);
      expect(r.stderr).toContain('1/1 pods ready');
      const status = await hd(['status']);
      expect(status.code, status.stdout).toBe(0);
      expect(status.stdout).not.toContain('Stopped with hd-setup stop');
      // and then it is the no-op again
      const n = bed.api.requests.length;
      expect((await hd(['install', '--yes'])).code).toBe(0);
      expect(writes(bed, n)).toEqual([]);
    },
    T,
  );

  it(
    'dry-run of a proxy change: helm upgrade, and no restart step (the checksum annotation changes)',
    async () => {
      const r = await hd(['install', '--dry-run', '--set', 'proxy.https=http://proxy.corp:3128']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('$ helm upgrade --install hd-agent');
      expect(r.stdout).not.toContain('rollout');
    },
    T,
  );

  let podsBefore: string[] = [];
  let checksumBefore = '';
  let upgrade = { code: 0, stdout: '', stderr: '' };
  it(
    'a proxy added: the release is upgraded to revision 2 and the ConfigMap carries it',
    async () => {
      podsBefore = bed.api.objects('', 'pods', 'fivetran').map((p) => p.metadata.name);
      checksumBefore = bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.template.metadata.annotations['checksum/config'];
      expect(checksumBefore).toMatch(/^[0-9a-f]{64}$/);
      const r = (upgrade = await hd(['install', '--yes', '--set', 'proxy.https=http://proxy.corp:3128']));
      expect(r.code, r.stderr).toBe(0);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '2', status: 'deployed' });
      expect(bed.api.objects('', 'configmaps', 'fivetran').find((c) => c.metadata.name === 'hd-agent-config')!.data.https_proxy).toBe('http://proxy.corp:3128');
    },
    T,
  );

  // The chart passes the proxy through a ConfigMap (envFrom), read when a pod starts. Chart 0.24.0 takes pod
  // annotations: the checksum of the config hd-setup renders there changes, so helm replaces the pod itself
  // (and its --wait waits for the new one); no kubectl rollout restart.
  it(
    '... and the agent pod is replaced by helm through the checksum annotation (no rollout restart); the run waited for the new pod',
    async () => {
      expect(podsBefore).toHaveLength(1);
      const after = bed.api.objects('', 'pods', 'fivetran');
      expect(after.map((p) => p.metadata.name)).not.toEqual(podsBefore);
      expect(after.map((p) => p.metadata.name).filter((n) => podsBefore.includes(n))).toEqual([]);
      expect(ready(after)).toBe(1);
      const annotations = bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.template.metadata.annotations as Obj;
      expect(annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      expect(annotations['checksum/config']).not.toBe(checksumBefore);
      expect(annotations['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
      expect(after[0]!.metadata.annotations?.['checksum/config']).toBe(annotations['checksum/config']);
      expect(upgrade.stderr).not.toContain('rollout');
      expect(upgrade.stderr).not.toContain('Restart the pods');
      expect(upgrade.stderr).toContain('release hd-agent revision 2 (deployed), 1/1 pods ready');
    },
    T,
  );

  it(
    'the same run again changes nothing: the checksum is the same, no upgrade, no restart',
    async () => {
      const n = bed.api.requests.length;
      const pods = bed.api.objects('', 'pods', 'fivetran').map((p) => p.metadata.name);
      const r = await hd(['install', '--yes', '--set', 'proxy.https=http://proxy.corp:3128']);
      expect(r.code, r.stderr).toBe(0);
      expect(writes(bed, n)).toEqual([]);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '2', status: 'deployed' });
      expect(bed.api.objects('', 'pods', 'fivetran').map((p) => p.metadata.name)).toEqual(pods);
      expect(r.stderr).not.toContain('rollout');
    },
    T,
  );

  // The checksum leaves secrets out, and the token lives in the Secret hd-setup applies beside the chart:
  // a new token changes neither the values nor the pod template, so the Deployment is restarted for it.
  it(
    'a new token alone: the Secret is re-applied, helm is not run, and the Deployment is restarted (rollout restart)',
    async () => {
      const token = Buffer.from('other_lion:Zx9QvR2mL7pK4tW8nB3cY6hJ1sD5fG0aQ2wE4rT6').toString('base64');
      const pods = bed.api.objects('', 'pods', 'fivetran').map((p) => p.metadata.name);
      const r = await hd(['install', '--yes', '--set', 'proxy.https=http://proxy.corp:3128'], { FIVETRAN_TOKEN: token });
      expect(r.code, r.stderr).toBe(0);
      expect(decode(bed.api.objects('', 'secrets', 'fivetran').find((x) => x.metadata.name === 'hd-agent-hd-setup-token')!, 'token')).toBe(token);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '2' });
      expect(r.stderr).toContain('kubectl rollout restart deployment/hd-agent -n fivetran');
      const after = bed.api.objects('', 'pods', 'fivetran');
      expect(after.map((p) => p.metadata.name).filter((n) => pods.includes(n))).toEqual([]);
      expect(ready(after)).toBe(1);
      expect(r.stderr + r.stdout).not.toContain(token);
    },
    T,
  );

  it(
    'rollback: helm rolls back to the first values (revision 3), the ConfigMap loses the proxy',
    async () => {
      const r = await hd(['rollback', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '3', status: 'deployed' });
      expect(bed.api.objects('', 'configmaps', 'fivetran').find((c) => c.metadata.name === 'hd-agent-config')!.data.https_proxy).toBeUndefined();
    },
    T,
  );

  it(
    'uninstall removes the release and the Secret hd-setup created; the PVC and the namespace stay',
    async () => {
      const r = await hd(['uninstall', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(await releases(bed, 'fivetran')).toEqual([]);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')).toEqual([]);
      expect(bed.api.objects('', 'secrets', 'fivetran').map((s) => s.metadata.name)).toEqual([]);
      expect(bed.api.objects('', 'persistentvolumeclaims', 'fivetran').map((p) => p.metadata.name)).toEqual(['fivetran-data']);
      expect(bed.api.objects('', 'namespaces').map((n) => n.metadata.name)).toContain('fivetran');
      noSecretsIn(bed, r.stdout, r.stderr);
      expect(r.stderr).toMatch(/keeps the values \(no secret; its \d+ backups, 0600, may hold earlier ones\); --purge deletes it/);
    },
    T,
  );

  it(
    'uninstall of one whose values hold a proxy password says the values it keeps hold a secret (it said "no secret")',
    async () => {
      const proxy = { AGENT_HTTPS_PROXY: 'http://bob:Pr0xyPa55w0rd@proxy.corp:3128' };
      const i = await hd(['install', '--yes', '--set', 'proxy.https=env:AGENT_HTTPS_PROXY'], proxy);
      expect(i.code, i.stderr).toBe(0);
      const r = await hd(['uninstall', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/keeps the values \(secrets among them, 0600: a proxy password or inline secrets; its \d+ backups, 0600, may hold earlier ones\); --purge deletes it/);
      expect(r.stdout + r.stderr).not.toContain('Pr0xyPa55w0rd');
    },
    T,
  );
});

describe('fivetran-kubernetes with chart 0.12.0, which takes no pod annotations: a reconfigure restarts the pods', () => {
  let bed: Bed;
  const sets = ['--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.12.0')}`, '--set', 'fivetran.kubernetes.chartVersion=0.12.0'];
  const hd = (args: string[], extra: NodeJS.ProcessEnv = {}) => bed.hd([...args, '--preset', 'fivetran-kubernetes', ...sets], extra);
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
    seedFivetranTarget(bed);
  });
  afterAll(() => bed?.stop());

  it(
    'a proxy added: helm upgrades, the pod template is unchanged, so hd-setup restarts the Deployment and waits for the new pod',
    async () => {
      const first = await hd(['install', '--yes']);
      expect(first.code, first.stderr).toBe(0);
      const before = bed.api.objects('', 'pods', 'fivetran').map((p) => p.metadata.name);
      expect(before).toHaveLength(1);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.template.metadata.annotations?.['checksum/config']).toBeUndefined();
      const dry = await hd(['install', '--dry-run', '--set', 'proxy.https=http://proxy.corp:3128']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('kubectl rollout restart the Deployments of hd-agent');
      const r = await hd(['install', '--yes', '--set', 'proxy.https=http://proxy.corp:3128']);
      expect(r.code, r.stderr).toBe(0);
      expect((await releases(bed, 'fivetran'))[0]).toMatchObject({ revision: '2', status: 'deployed', chart: 'hybrid-deployment-agent-0.12.0' });
      expect(bed.api.objects('', 'configmaps', 'fivetran').find((c) => c.metadata.name === 'hd-agent-config')!.data.https_proxy).toBe('http://proxy.corp:3128');
      expect(r.stderr).toContain('kubectl rollout restart deployment/hd-agent -n fivetran');
      expect(r.stderr).toContain('kubectl rollout status deployment/hd-agent -n fivetran --timeout=5m');
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
      const after = bed.api.objects('', 'pods', 'fivetran');
      expect(after.map((p) => p.metadata.name).filter((n) => before.includes(n))).toEqual([]);
      expect(ready(after)).toBe(1);
      expect(r.stderr).toMatch(/release hd-agent revision 2 \(deployed\), 1\/1 pods ready[^]*release hd-agent revision 2 \(deployed\), 1\/1 pods ready/);
    },
    T,
  );

  it(
    'the same run again changes nothing (no upgrade, no restart)',
    async () => {
      const n = bed.api.requests.length;
      const r = await hd(['install', '--yes', '--set', 'proxy.https=http://proxy.corp:3128']);
      expect(r.code, r.stderr).toBe(0);
      expect(writes(bed, n)).toEqual([]);
      expect(r.stderr).not.toContain('rollout');
    },
    T,
  );
});

describe('tobiko-kubernetes against the API server, with the real helm, kubectl and the pre-release chart', () => {
  let bed: Bed;
  const chart = `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`;
  const hd = (args: string[], extra: NodeJS.ProcessEnv = {}) => bed.hd([...args, '--preset', 'tobiko-kubernetes', '--set', chart], extra);
  const executor = (role: string) => bed.api.objects('apps', 'deployments', 'tobiko').find((d) => d.metadata.name === `executors-hybrid-executors-${role}`)!;
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
  });
  afterAll(() => bed?.stop());

  it(
    'install: each executor Deployment gets TCLOUD_* and every gateway key, secrets by secretKeyRef to the Secret that holds them',
    async () => {
      const r = await hd(['install', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect((await releases(bed, 'tobiko'))[0]).toMatchObject({ name: 'executors', status: 'deployed', revision: '1' });
      expect(bed.api.objects('apps', 'deployments', 'tobiko').map((d) => d.metadata.name)).toEqual(['executors-hybrid-executors-apply', 'executors-hybrid-executors-run']);
      const secret = bed.api.objects('', 'secrets', 'tobiko').find((s) => s.metadata.name === 'executors-secrets')!;
      expect(decode(secret, 'TCLOUD_CLIENT_SECRET')).toBe(CLIENT_SECRET);
      expect(decode(secret, 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD')).toBe(WAREHOUSE_PASSWORD);
      for (const role of ['apply', 'run']) {
        const env = Object.fromEntries((executor(role).spec.template.spec.containers[0].env as Obj[]).map((e) => [e.name, e.valueFrom ?? e.value]));
        expect(env).toEqual({
          TCLOUD_URL: 'https://cloud.tobikodata.com/sqlmesh/acme/analytics',
          TCLOUD_CLIENT_ID: '7f3c2a10-hybrid-executors',
          TCLOUD_CLIENT_SECRET: { secretKeyRef: { name: 'executors-secrets', key: 'TCLOUD_CLIENT_SECRET' } },
          SQLMESH__DEFAULT_GATEWAY: 'WAREHOUSE',
          SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__TYPE: 'postgres',
          SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__HOST: 'postgres.data.svc.cluster.local',
          SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PORT: '5432',
          SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__DATABASE: 'analytics',
          SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__USER: 'sqlmesh',
          SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: { secretKeyRef: { name: 'executors-secrets', key: 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD' } },
        });
        // Every key the pods reference is in the Secret.
        for (const v of Object.values(env)) if (typeof v === 'object') expect(Object.keys(secret.data)).toContain((v as Obj).secretKeyRef.key);
      }
      expect(executor('apply').spec.replicas).toBe(1);
      expect(executor('run').spec.replicas).toBe(2);
      expect(ready(bed.api.objects('', 'pods', 'tobiko'))).toBe(3);
      noSecretsIn(bed, r.stdout, r.stderr);
      // the summary's logs command runs as printed and shows both executors, each line under its pod
      const logs = /^ {4}Logs: +kubectl (.+)$/m.exec(r.stderr)?.[1];
      expect(logs, r.stderr).toBeDefined();
      const out = await bed.kubectl(...logs!.split(' '));
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/^\[pod\/executors-hybrid-executors-apply-\S+\/\S+\] INFO agent started$/m);
      expect(out.stdout).toMatch(/^\[pod\/executors-hybrid-executors-run-\S+\/\S+\] INFO agent started$/m);
    },
    T,
  );

  it(
    'a second identical run changes nothing',
    async () => {
      const n = bed.api.requests.length;
      const r = await hd(['install', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(writes(bed, n)).toEqual([]);
      expect((await releases(bed, 'tobiko'))[0]).toMatchObject({ revision: '1' });
    },
    T,
  );

  it(
    'status reports 3/3 pods ready',
    async () => {
      const r = await hd(['status', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Obj).podsReady).toBe('3/3');
    },
    T,
  );

  // Only the Secret hd-setup applies changes (a new client secret): helm has nothing to upgrade, and the pods
  // read the Secret at start; so both executors are restarted and waited for.
  it(
    'a new client secret: the Secret is updated, the release stays at revision 1, and both executors get new pods',
    async () => {
      const before = bed.api.objects('', 'pods', 'tobiko').map((p) => p.metadata.name);
      const r = await hd(['install', '--yes'], { TCLOUD_CLIENT_SECRET: `${CLIENT_SECRET}-rotated` });
      expect(r.code, r.stderr).toBe(0);
      expect((await releases(bed, 'tobiko'))[0]).toMatchObject({ revision: '1', status: 'deployed' });
      expect(decode(bed.api.objects('', 'secrets', 'tobiko').find((s) => s.metadata.name === 'executors-secrets')!, 'TCLOUD_CLIENT_SECRET')).toBe(`${CLIENT_SECRET}-rotated`);
      expect(r.stderr).toContain('kubectl rollout restart deployment/executors-hybrid-executors-apply deployment/executors-hybrid-executors-run -n tobiko');
      const after = bed.api.objects('', 'pods', 'tobiko');
      expect(after.filter((p) => before.includes(p.metadata.name))).toEqual([]);
      expect(ready(after)).toBe(3);
      noSecretsIn(bed, r.stdout, r.stderr);
      expect(r.stderr.includes(`${CLIENT_SECRET}-rotated`)).toBe(false);
      // And back, so that the tests below see the preset's secret.
      expect((await hd(['install', '--yes'])).code).toBe(0);
    },
    T,
  );

  // The Deployments are found in the release's manifest (helm get manifest), by their component label.
  it(
    'stop scales both executors to 0, start back to 1 and 2; a second stop, or a start of a running agent, changes nothing (they scaled again and said so)',
    async () => {
      const stop = await hd(['stop']);
      expect(stop.code, stop.stderr).toBe(0);
      expect([executor('apply').spec.replicas, executor('run').spec.replicas]).toEqual([0, 0]);
      const record = () => readFileSync(join(bed.home, '.config/hd-setup/installs.json'), 'utf8');
      const stopped = record();
      const again = await hd(['stop']);
      expect(again.code, again.stderr).toBe(0);
      expect(record()).toBe(stopped); // stopped since the first stop: the record says so still
      expect(again.stderr).toContain('[1/1] Scale executors-hybrid-executors-apply, executors-hybrid-executors-run to 0/0 ... skipped: scaled to 0 already\n');
      expect(again.stderr).toMatch(/Changed: nothing/);
      expect(again.stderr).not.toContain('kubectl scale');
      const start = await hd(['start']);
      expect(start.code, start.stderr).toBe(0);
      expect([executor('apply').spec.replicas, executor('run').spec.replicas]).toEqual([1, 2]);
      const running = await hd(['start']);
      expect(running.code, running.stderr).toBe(0);
      expect(running.stderr).toMatch(/Changed: nothing/);
      expect(running.stderr).not.toContain('kubectl scale');
      // restart still scales down and back up (its start is planned once the stop is done)
      const restart = await hd(['restart']);
      expect(restart.code, restart.stderr).toBe(0);
      expect(restart.stderr.match(/kubectl scale/g)?.length).toBe(4);
      expect([executor('apply').spec.replicas, executor('run').spec.replicas]).toEqual([1, 2]);
    },
    T,
  );

  it(
    'stopped, then installed again: with no change both are scaled back; with a change helm upgrades and puts the replicas back',
    async () => {
      expect((await hd(['stop'])).code).toBe(0);
      const same = await hd(['install', '--yes']);
      expect(same.code, same.stderr).toBe(0);
      expect([executor('apply').spec.replicas, executor('run').spec.replicas]).toEqual([1, 2]);
      expect(same.stderr).toContain('3/3 pods ready');
      expect((await hd(['stop'])).code).toBe(0);
      const changed = await hd(['install', '--yes', '--set', 'proxy.https=http://proxy.corp:3128']);
      expect(changed.code, changed.stderr).toBe(0);
      expect([executor('apply').spec.replicas, executor('run').spec.replicas]).toEqual([1, 2]);
      expect(changed.stdout + changed.stderr).not.toContain('kubectl scale');
      expect((await hd(['status'])).code).toBe(0);
      expect((await hd(['install', '--yes', '--reset'])).code).toBe(0);
    },
    T,
  );

  it(
    'uninstall removes the release and the Secret hd-setup created',
    async () => {
      const state = join(bed.home, '.config/hd-setup/tobiko/tobiko/executors');
      expect(existsSync(join(state, 'secret.yaml'))).toBe(true);
      // --dry-run --json: the plan for scripts, each step by a unique id, nothing done
      const dry = await hd(['uninstall', '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      const plan = JSON.parse(dry.stdout) as { dryRun: boolean; command: string; steps: { id: string; title: string; actions: { command: string }[] }[] };
      expect(plan).toMatchObject({ dryRun: true, command: 'uninstall', product: 'tobiko', runtime: 'kubernetes' });
      const ids = plan.steps.map((st) => st.id);
      expect(ids.every((id) => /^[a-z][a-z0-9:-]*$/.test(id)) && new Set(ids).size === ids.length, ids.join(' ')).toBe(true);
      // the Secret's local copy, and the backups of it the rotation above left (the old client secret in them)
      const backups = readdirSync(state).filter((n) => n.startsWith('secret.yaml.bak-'));
      expect(backups.length).toBeGreaterThan(0);
      expect(readFileSync(join(state, backups[0]!), 'utf8')).toContain(CLIENT_SECRET);
      expect(plan.steps.find((st) => st.id === 'secret-files')?.actions.map((x) => x.command)).toEqual([`rm -f ${join(state, 'secret.yaml')}`, ...backups.map((b) => `rm -f ${join(state, b)}`)]);
      expect(existsSync(join(state, 'secret.yaml'))).toBe(true);
      const r = await hd(['uninstall', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(await releases(bed, 'tobiko')).toEqual([]);
      expect(bed.api.objects('apps', 'deployments', 'tobiko')).toEqual([]);
      expect(bed.api.objects('', 'secrets', 'tobiko')).toEqual([]);
      // the Secret's local copy (the client secret and the passwords) goes with it; the values stay
      expect(existsSync(join(state, 'secret.yaml'))).toBe(false);
      expect(readdirSync(state).filter((n) => n.startsWith('secret.yaml'))).toEqual([]);
      expect(existsSync(join(state, 'values.yaml'))).toBe(true);
      expect(r.stderr).toContain(`${state} keeps the values (no secret; its ${readdirSync(state).filter((n) => n.startsWith('values.yaml.bak-')).length} backups, 0600, may hold earlier ones); --purge deletes it`);
      // no ExternalSecret CRD here: nothing of that kind to delete, and kubectl's error about it is not shown
      expect(r.stderr).not.toMatch(/externalsecret|resource type/i);
    },
    T,
  );
});
