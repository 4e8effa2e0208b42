// Failures, played by the API server's scenario knobs, through the REAL helm and kubectl: each one is explained
// with its cause and its fix; a stuck pod ends helm's wait early; releases left pending or failed are found.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CHARTS, startBed, type Bed } from '../k8s-api/bed.js';
import type { Scenario } from '../k8s-api/server.js';
import { ROOT, SECRET_ENV } from '../helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = 180_000;
const FIVETRAN = ['--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`];
const TOBIKO_ESO = ['--preset', 'tobiko-kubernetes-external-secrets', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`];
const beds: Bed[] = [];
afterEach(async () => {
  for (const b of beds.splice(0)) await b.stop();
});

async function fivetranBed(scenario: Partial<Scenario> = {}, pvc = true, own = false): Promise<Bed> {
  const bed = await startBed(scenario, SECRET_ENV);
  if (!own) beds.push(bed);
  bed.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fivetran' } });
  if (pvc) bed.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
  return bed;
}
const created = (bed: Bed) => bed.api.requests.filter((r) => r.method === 'POST' && !r.url.includes('selfsubjectaccessreviews')).map((r) => r.url.split('?')[0]);

describe('pods that do not come up: the wait ends early, with the cause and the fix, from the real pod state', () => {
  // helm's timeout stays at its 5m default: each run must end long before it. An image pull gets a grace period
  // (HD_SETUP_STUCK_GRACE_MS, 60 s by default; 3 s here); a crash loop or a pod no node can take ends it at once.
  const cases: [string, Partial<Scenario>, string[], RegExp[]][] = [
    ['ImagePullBackOff', { pods: 'ImagePullBackOff' }, [], [/stopped waiting: pod hd-agent-\S+ cannot pull image us-docker\.pkg\.dev\/\S+ \(ImagePullBackOff\)/, /check that the nodes reach the registry/, /kubectl describe pod hd-agent-/]],
    ['CrashLoopBackOff', { pods: 'CrashLoopBackOff', logs: 'INFO starting\nERROR Invalid token\n' }, [], [/stopped waiting: pod hd-agent-\S+ is crash-looping \(4 restarts\); last log line: ERROR Invalid token/, /kubectl logs hd-agent-\S+ -n fivetran --previous/]],
    // preflight's placement check would stop it first (test/k8s-real/preflight.test.ts): skipped, to reach the pods
    ['a node selector no node matches', {}, ['--set', 'fivetran.kubernetes.nodeSelector.pool=agents', '--skip-check', 'placement'], [/stopped waiting: pod hd-agent-\S+ cannot be scheduled: node selector pool=agents matches no node/, /kubectl label node <node> pool=agents/]],
    // each pair is on some node, both on none: the scheduler's rule, not each pair alone (that read as "short of capacity")
    [
      'a node selector whose pairs no one node has',
      { nodes: [{ 'kubernetes.io/hostname': 'node-1', pool: 'agents', zone: 'b' }, { 'kubernetes.io/hostname': 'node-2', pool: 'batch', zone: 'a' }] },
      ['--set', 'fivetran.kubernetes.nodeSelector.pool=agents', '--set', 'fivetran.kubernetes.nodeSelector.zone=a', '--skip-check', 'placement'],
      [/stopped waiting: pod hd-agent-\S+ cannot be scheduled: no node meets node selector pool=agents and node selector zone=a together \(0\/2 nodes are available/, /label a node to match \(kubectl label node <node> pool=agents zone=a\)/],
    ],
    // a user who may not list nodes: an empty list is not read as "no node has the label"; the scheduler's word is
    [
      'a node selector no node matches, for a user who may not list nodes',
      { forbidden: ['list nodes'] },
      ['--set', 'fivetran.kubernetes.nodeSelector.pool=agents', '--skip-check', 'placement'],
      [/stopped waiting: pod hd-agent-\S+ cannot be scheduled: 0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/, /Fix:\s+compare the nodes' labels \(kubectl get nodes --show-labels\) with the placement/, /node-arch: cannot list nodes \(Error from server \(Forbidden\).*\(fix: the agent image is amd64 only: ask for the right to list nodes, or check by hand that amd64 nodes exist \(kubectl get nodes -L kubernetes\.io\/arch\)\)/],
    ],
  ];
  it.concurrent.each(cases)(
    '%s',
    async (_name, scenario, sets, expected) => {
      const bed = await fivetranBed(scenario, true, true); // concurrent: this test stops its own bed
      try {
        const t0 = Date.now();
        const r = await bed.hd(['install', '--yes', ...FIVETRAN, ...sets], { HD_SETUP_STUCK_GRACE_MS: '3000' });
        expect(r.code).toBe(1);
        expect(Date.now() - t0).toBeLessThan(90_000);
        for (const e of expected) expect(r.stderr).toMatch(e);
        expect(r.stderr).not.toMatch(/imagePullSecrets/);
        expect(r.stderr).toMatch(/Fix: /);
        // A first install has nothing to go back to: it is left, and the summary says how to remove it.
        expect(r.stderr).toContain('the release hd-agent is left as it is (a first install has no earlier revision to go back to): remove it with hd-setup uninstall');
        const [rel] = JSON.parse((await bed.helm('list', '-a', '-n', 'fivetran', '-o', 'json')).stdout) as Obj[];
        expect(rel).toMatchObject({ name: 'hd-agent', status: 'failed' });
        // ... and every command finds it, with the state and the fix.
        const st = await bed.hd(['status']);
        expect(st.code).toBe(1);
        expect(st.stdout).toContain('release hd-agent is failed (revision 1)');
        expect(st.stdout).toContain('the first install did not complete: hd-setup uninstall');
      } finally {
        await bed.stop();
      }
    },
    T,
  );

  it(
    'an upgrade whose pods cannot be scheduled ends early and goes back to the last good revision; the summary says so, and status (stopped too) and doctor that the change did not finish (not healthy) until the install is run again, and a start or restart that it runs the revision deployed, as it is, with that fix',
    async () => {
      const bed = await fivetranBed();
      const ok = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(ok.code, ok.stderr).toBe(0);
      const t0 = Date.now();
      const r = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.nodeSelector.pool=agents', '--skip-check', 'placement']);
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(90_000);
      expect(r.stderr).toMatch(/stopped waiting: pod hd-agent-\S+ cannot be scheduled: node selector pool=agents matches no node/);
      expect(r.stderr).toContain('helm rollback hd-agent 1 -n fivetran --wait --timeout 5m');
      expect(r.stderr).toContain('the release hd-agent was rolled back to revision 1, the last good one: it runs as before the change');
      const hist = JSON.parse((await bed.helm('history', 'hd-agent', '-n', 'fivetran', '-o', 'json')).stdout) as Obj[];
      expect(hist.map((h) => [h.revision, h.status])).toEqual([
        [1, 'superseded'],
        [2, 'failed'],
        [3, 'deployed'],
      ]);
      const pods = bed.api.objects('', 'pods', 'fivetran');
      expect(pods.every((p) => !p.spec.nodeSelector?.pool)).toBe(true);
      // deployed and running, but not the change: status and doctor say it did not finish (it said "healthy")
      const st = await bed.hd(['status']);
      expect(st.code).toBe(1);
      expect(st.stdout).toContain('  ✖ the last change did not finish (it failed or was stopped): revision 3 of release hd-agent, deployed now, may not have all of it\n    fix: run the install again (hd-setup install --preset … --yes, with the settings you want): it applies them\n');
      expect(JSON.parse((await bed.hd(['status', '--json'])).stdout)).toMatchObject({ healthy: false, unfinished: true, release: { status: 'deployed' } });
      const release = (JSON.parse((await bed.hd(['doctor', '--json'])).stdout) as { checks: Obj[] }).checks.find((c) => c.id === 'release');
      expect(release).toMatchObject({ status: 'fail', message: 'release hd-agent revision 3 is deployed, but the last change did not finish (it failed or was stopped): it may not have all of it' });
      // a start scales up and applies nothing: the change is still not finished (it said healthy after it)
      expect((await bed.hd(['start', '--yes'])).code).toBe(0);
      expect(JSON.parse((await bed.hd(['status', '--json'])).stdout)).toMatchObject({ healthy: false, unfinished: true });
      // stopped, then started: the start runs the revision deployed, as it is, and says that it does not have the
      // change, with the fix (it said nothing, the summary as after any start); stopped, and after it, status says
      // it did not finish too
      const unfinished = 'the last change did not finish (it failed or was stopped): this start runs revision 3 of release hd-agent as it is deployed, which may not have all of it; to apply it, run the install again (hd-setup install --preset … --yes, with the settings you want)';
      expect((await bed.hd(['stop'])).code).toBe(0);
      const stopped = await bed.hd(['status']);
      expect(stopped.stdout).toContain('  ✖ the last change did not finish (it failed or was stopped): revision 3 of release hd-agent, deployed now, may not have all of it\n    fix: run the install again (hd-setup install --preset … --yes, with the settings you want): it applies them\n');
      expect(stopped.stdout).toMatch(/\nStopped with hd-setup stop \([^)]*: scaled to 0\)\. Start it: hd-setup start\n/);
      expect(JSON.parse((await bed.hd(['status', '--json'])).stdout)).toMatchObject({ healthy: false, unfinished: true, stoppedAt: expect.any(String) });
      const dry = await bed.hd(['start', '--dry-run']);
      expect(dry.stdout).toContain(`Warnings\n  ! ${unfinished}`);
      const start = await bed.hd(['start', '--yes']);
      expect(start.code, start.stderr).toBe(0);
      expect(start.stderr).toContain(`  Warnings:\n    - ${unfinished}\n`);
      expect(bed.api.objects('apps', 'deployments', 'fivetran').find((d) => d.metadata.name === 'hd-agent')!.spec.replicas).toBe(1);
      expect(JSON.parse((await bed.hd(['status', '--json'])).stdout)).toMatchObject({ healthy: false, unfinished: true });
      // a restart alike
      const restart = await bed.hd(['restart', '--yes']);
      expect(restart.code, restart.stderr).toBe(0);
      expect(restart.stderr).toContain(`  Warnings:\n    - ${unfinished}\n`);
      // the install run again (with the settings wanted, here those deployed) finishes it
      const again = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(again.code, again.stderr).toBe(0);
      const after = await bed.hd(['status', '--json']);
      expect([after.code, JSON.parse(after.stdout).healthy]).toEqual([0, true]);
    },
    T,
  );

  it(
    'an upgrade whose pods crash, and whose rollback cannot bring them up either: the summary says the rollback failed too, with helm\'s last line, and where to look',
    async () => {
      const bed = await fivetranBed();
      const ok = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(ok.code, ok.stderr).toBe(0);
      bed.api.scenario.pods = 'CrashLoopBackOff'; // every pod made from now on, the rollback's too
      const r = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.timeout=15s', '--set', 'fivetran.kubernetes.nodeSelector.disk=any', '--skip-check', 'placement'], { HD_SETUP_STUCK_GRACE_MS: '2000' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('helm rollback hd-agent 1 -n fivetran --wait --timeout 15s');
      const m = /rolling the release hd-agent back to revision 1 failed too \((.*)\): see helm history hd-agent -n fivetran, then hd-setup rollback/.exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      // helm's own last line, not a bare exit code
      expect(m![1]).toMatch(/^Error: /);
    },
    T,
  );
});

describe('preflight stops before anything is created', () => {
  it(
    'RBAC: the PodDisruptionBudget right is needed for chart 0.24.0 (which has one), not for 0.12.0',
    async () => {
      const bed = await fivetranBed({ forbidden: ['create poddisruptionbudgets'] });
      const r24 = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(r24.code).toBe(1);
      expect(r24.stderr).toMatch(/forbidden: you may not create poddisruptionbudgets in namespace fivetran/);
      expect(created(bed)).toEqual([]);
      const r12 = await bed.hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.12.0')}`, '--set', 'fivetran.kubernetes.chartVersion=0.12.0']);
      expect(r12.code, r12.stderr).toBe(0);
      expect(bed.api.objects('policy', 'poddisruptionbudgets', 'fivetran')).toEqual([]);
    },
    T,
  );


  it(
    'a missing PVC',
    async () => {
      const bed = await fivetranBed({}, false);
      const r = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/PersistentVolumeClaim fivetran-data does not exist in namespace fivetran/);
      expect(created(bed)).toEqual([]);
    },
    T,
  );

  it(
    'forbidden rights: the access review says no',
    async () => {
      const bed = await fivetranBed({ forbidden: ['create deployments', 'create roles'] });
      const r = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/forbidden: you may not create deployments, roles in namespace fivetran/);
      expect(created(bed)).toEqual([]);
    },
    T,
  );

  it(
    'a namespace one may not read: a warning whose fix names the namespace setting of the product in hand',
    async () => {
      const bed = await fivetranBed({ forbidden: ['get namespaces'] });
      for (const [args, setting] of [
        [FIVETRAN, 'fivetran.kubernetes.namespace'],
        [TOBIKO_ESO, 'tobiko.kubernetes.namespace'],
      ] as const) {
        const r = await bed.hd(['doctor', '--json', ...args]);
        const ns = (JSON.parse(r.stdout).checks as Obj[]).find((c) => c.id === 'namespace')!;
        expect(ns, r.stderr).toMatchObject({ status: 'warn', message: expect.stringMatching(/^cannot read namespace \S+ \(forbidden\)$/) });
        expect(ns.fix).toBe(`ask an admin to create it, or use a namespace you can see: --set ${setting}=...`);
      }
    },
    T,
  );

  it(
    'an old server',
    async () => {
      const bed = await fivetranBed({ version: 'v1.27.3' });
      const r = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Kubernetes v1\.27\.3 is older than the required 1\.29/);
      expect(created(bed)).toEqual([]);
    },
    T,
  );

  it(
    'the External Secrets CRD is missing',
    async () => {
      const bed = await startBed({ eso: 'missing' }, {});
      beds.push(bed);
      const r = await bed.hd(['install', '--yes', ...TOBIKO_ESO]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the External Secrets Operator CRD externalsecrets.external-secrets.io is missing');
      expect(created(bed)).toEqual([]);
    },
    T,
  );
});

describe('a rollback of an agent stopped with hd-setup stop', () => {
  it(
    'helm rolls back, and the agent stays stopped: scaled to 0 again, the record still says stopped (the rollback ran it again)',
    async () => {
      const bed = await fivetranBed();
      const args = ['--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`];
      expect((await bed.hd(['install', '--yes', ...args])).code).toBe(0);
      expect((await bed.hd(['install', '--yes', ...args, '--set', 'proxy.https=http://proxy.corp:3128'])).code).toBe(0);
      expect((await bed.hd(['stop', '--set', 'product=fivetran'])).code).toBe(0);
      const replicas = () => bed.api.objects('apps', 'deployments', 'fivetran').find((d) => d.metadata.name === 'hd-agent')!.spec.replicas;
      expect(replicas()).toBe(0);
      const r = await bed.hd(['rollback', '--yes', '--set', 'product=fivetran']);
      expect(r.code, r.stderr).toBe(0);
      expect(replicas()).toBe(0);
      expect(r.stderr).toMatch(/helm rollback hd-agent -n fivetran\n/);
      expect(r.stderr).toMatch(/Keep it stopped \(hd-setup stop, [^)]+\): scale hd-agent to 0/);
      expect(r.stderr).toMatch(/The agent stays stopped \(hd-setup stop, [^)]+\); hd-setup start runs it with the restored configuration/);
      expect(replicas()).toBe(0);
      expect(bed.api.objects('', 'configmaps', 'fivetran').find((c) => c.metadata.name === 'hd-agent-config')!.data.https_proxy).toBeUndefined();
      const status = await bed.hd(['status', '--set', 'product=fivetran']);
      expect(status.stdout).toMatch(/Stopped with hd-setup stop/);
      expect((await bed.hd(['start', '--set', 'product=fivetran'])).code).toBe(0);
      expect(replicas()).toBe(1);
    },
    T,
  );
});

describe('External Secrets', () => {
  it(
    'with ESO serving external-secrets.io/v1, the ExternalSecret is applied and the executors reference its target Secret',
    async () => {
      const bed = await startBed({ eso: 'v1' }, {});
      beds.push(bed);
      const r = await bed.hd(['install', '--yes', ...TOBIKO_ESO]);
      // No controller fills the target Secret here, but the pods do not need it to be scheduled in this server.
      expect(r.code, r.stderr).toBe(0);
      const [es] = bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko');
      expect(es).toMatchObject({ apiVersion: 'external-secrets.io/v1', metadata: { name: 'executors-secrets' }, spec: { target: { name: 'executors-secrets' }, secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secretsmanager' } } });
      expect((es!.spec.data as Obj[]).map((d) => d.secretKey)).toEqual(['SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD', 'TCLOUD_CLIENT_SECRET']); // in key order
      const dep = bed.api.objects('apps', 'deployments', 'tobiko').find((d) => d.metadata.name.endsWith('-apply'))!;
      const pw = (dep.spec.template.spec.containers[0].env as Obj[]).find((e) => e.name === 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD');
      expect(pw?.valueFrom).toEqual({ secretKeyRef: { name: 'executors-secrets', key: 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD' } });
      // ExternalSecrets that cannot be listed are not taken as none: the uninstall stops before it changes
      // anything, saying why (the ExternalSecret was left behind with exit 0)
      bed.api.scenario.forbidden = ['list externalsecrets'];
      const denied = await bed.hd(['uninstall', '--yes', '--set', 'product=tobiko']);
      expect(denied.code, denied.stderr).toBe(1);
      expect(denied.stderr).toMatch(/^error: cannot uninstall: the externalsecret objects hd-setup applied in namespace tobiko cannot be listed \(.*cannot list resource "externalsecrets".*\); nothing was changed\. Fix the access, or delete them yourself \(kubectl delete externalsecret -n tobiko -l app\.kubernetes\.io\/managed-by=hd-setup,app\.kubernetes\.io\/instance=executors\), then uninstall again\n$/);
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toHaveLength(1);
      expect(bed.api.objects('apps', 'deployments', 'tobiko')).toHaveLength(2);
      bed.api.scenario.forbidden = [];
      // uninstall deletes the ExternalSecret it applied
      const un = await bed.hd(['uninstall', '--yes', '--set', 'product=tobiko']);
      expect(un.code, un.stderr).toBe(0);
      expect(un.stderr).toContain('kubectl delete externalsecret -n tobiko -l app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=executors --ignore-not-found');
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toEqual([]);
    },
    T,
  );

  it(
    'the secrets go inline: the ExternalSecret is deleted once the release runs without it, with the target Secret it made (that Secret, with an owner and hd-setup\'s labels copied from the ExternalSecret, is left to the owner)',
    async () => {
      const bed = await startBed({ eso: 'v1' }, SECRET_ENV);
      beds.push(bed);
      expect((await bed.hd(['install', '--yes', ...TOBIKO_ESO])).code).toBe(0);
      const [es] = bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko');
      bed.api.seed({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'executors-secrets', namespace: 'tobiko', labels: es!.metadata.labels, ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'executors-secrets', uid: es!.metadata.uid, controller: true }] }, data: { TCLOUD_CLIENT_SECRET: Buffer.from('from-the-store').toString('base64') } });
      const inline = await bed.hd(['install', '--yes', '--reset', '--preset', 'tobiko-kubernetes', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`, '--set', 'tobiko.secrets.strategy=inline']);
      expect(inline.code, inline.stderr).toBe(0);
      expect(inline.stderr).not.toContain('Delete Secret');
      // the ExternalSecret goes, last, with what it made (the garbage collector deletes its Secret)
      expect(inline.stderr).toContain('Delete externalsecret executors-secrets: no longer used (the secrets are inline in the Helm values) ...\n      $ kubectl delete externalsecret executors-secrets -n tobiko --ignore-not-found\n');
      expect(inline.stderr.indexOf('Delete externalsecret')).toBeGreaterThan(inline.stderr.indexOf('helm upgrade --install'));
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toEqual([]);
      expect(bed.api.objects('', 'secrets', 'tobiko').map((x) => x.metadata.name)).not.toContain('executors-secrets');
    },
    T,
  );

  it(
    'from the store to a Secret hd-setup applies (existingSecret): the ExternalSecret is deleted first, keeping its Secret (--cascade=orphan), which the apply then takes over (the ExternalSecret stayed and filled it again from the store)',
    async () => {
      const bed = await startBed({ eso: 'v1' }, SECRET_ENV);
      beds.push(bed);
      expect((await bed.hd(['install', '--yes', ...TOBIKO_ESO])).code).toBe(0);
      const [es] = bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko');
      bed.api.seed({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'executors-secrets', namespace: 'tobiko', ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'executors-secrets', uid: es!.metadata.uid, controller: true }] }, data: { TCLOUD_CLIENT_SECRET: Buffer.from('from-the-store').toString('base64') } });
      const uid = bed.api.objects('', 'secrets', 'tobiko').find((x) => x.metadata.name === 'executors-secrets')!.metadata.uid;
      const moved = await bed.hd(['install', '--yes', '--reset', '--preset', 'tobiko-kubernetes', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`]);
      expect(moved.code, moved.stderr).toBe(0);
      // the same Secret all along (never deleted: the executors' pods read it), now without an owner, holding what was applied
      const secret = bed.api.objects('', 'secrets', 'tobiko').find((x) => x.metadata.name === 'executors-secrets')!;
      expect(secret.metadata.uid).toBe(uid);
      expect(secret.metadata.ownerReferences).toBeUndefined();
      expect(Buffer.from(secret.data!.TCLOUD_CLIENT_SECRET!, 'base64').toString()).toBe(SECRET_ENV.TCLOUD_CLIENT_SECRET);
      expect(moved.stderr).toContain('Delete externalsecret executors-secrets, keeping Secret executors-secrets it filled (the executors read Secret executors-secrets) ...\n      $ kubectl delete externalsecret executors-secrets -n tobiko --cascade=orphan --ignore-not-found\n');
      expect(moved.stderr.indexOf('Delete externalsecret')).toBeLessThan(moved.stderr.indexOf('Apply Secret executors-secrets'));
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toEqual([]);
      const again = await bed.hd(['install', '--yes', '--preset', 'tobiko-kubernetes', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/Changed: nothing/);
    },
    T,
  );

  it(
    'from the store to the same Secret named as the user\'s (create: false): the ExternalSecret is deleted keeping its Secret, which is handed over in the same run; an uninstall leaves it (it deleted it by its labels)',
    async () => {
      const bed = await startBed({ eso: 'v1' }, SECRET_ENV);
      beds.push(bed);
      expect((await bed.hd(['install', '--yes', ...TOBIKO_ESO])).code).toBe(0);
      const [es] = bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko');
      const labels = { 'app.kubernetes.io/managed-by': 'hd-setup', 'app.kubernetes.io/instance': 'executors' };
      // as the operator fills it: every key the ExternalSecret lists (preflight checks the user's Secret has them)
      const filled = Object.fromEntries((es!.spec.data as { secretKey: string }[]).map((d) => [d.secretKey, Buffer.from(d.secretKey === 'TCLOUD_CLIENT_SECRET' ? 'from-the-store' : `${d.secretKey}-from-the-store`).toString('base64')]));
      expect(Object.keys(filled)).toEqual(['SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD', 'TCLOUD_CLIENT_SECRET']);
      bed.api.seed({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'executors-secrets', namespace: 'tobiko', labels, ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'executors-secrets', uid: es!.metadata.uid, controller: true }] }, data: filled });
      const secret = () => bed.api.objects('', 'secrets', 'tobiko').find((x) => x.metadata.name === 'executors-secrets');
      const uid = secret()!.metadata.uid;
      const preset = join(bed.home, 'own-secret.yaml');
      writeFileSync(preset, readFileSync(join(ROOT, 'presets/tobiko-kubernetes.yaml'), 'utf8').replace(/^ {2}clientSecret: .*\n/m, '').replace(/^ {6}password: .*\n/m, '').replace(/^ {4}name: executors-secrets\n/m, '    name: executors-secrets\n    create: false\n'));
      const at = ['--preset', preset, '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`];
      const own = await bed.hd(['install', '--yes', '--reset', ...at]);
      expect(own.code, own.stderr).toBe(0);
      expect(own.stderr).toContain('Hand Secret executors-secrets over to you (tobiko.secrets.create=false)');
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toEqual([]);
      expect(secret()?.metadata.uid).toBe(uid);
      expect(secret()?.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
      expect((await bed.hd(['uninstall', '--yes', ...at])).code).toBe(0);
      expect(secret()?.metadata.uid).toBe(uid);
      expect(Buffer.from(secret()!.data!.TCLOUD_CLIENT_SECRET!, 'base64').toString()).toBe('from-the-store');
    },
    T,
  );

  it(
    'an uninstall that stopped after helm uninstall (the ExternalSecret could not be deleted) is finished by the next one (it said "no install found" and left the ExternalSecret and the Secrets)',
    async () => {
      const bed = await startBed({ eso: 'v1' }, SECRET_ENV);
      beds.push(bed);
      expect((await bed.hd(['install', '--yes', ...TOBIKO_ESO])).code).toBe(0);
      bed.api.scenario.forbidden = ['delete externalsecrets'];
      const stopped = await bed.hd(['uninstall', '--yes', '--set', 'product=tobiko']);
      expect(stopped.code, stopped.stderr).toBe(1);
      expect(bed.api.objects('apps', 'deployments', 'tobiko')).toEqual([]);
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toHaveLength(1);
      bed.api.scenario.forbidden = [];
      // and a Secret of hd-setup's for this release (as one a failed Secrets delete would leave)
      bed.api.seed({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'left-token', namespace: 'tobiko', labels: { 'app.kubernetes.io/managed-by': 'hd-setup', 'app.kubernetes.io/instance': 'executors' } }, data: { t: Buffer.from('x').toString('base64') } });
      const status = await bed.hd(['status', '--set', 'product=tobiko']);
      expect(status.stdout).toContain('  not installed: release executors is not there, and what hd-setup applied beside it may be left (a run that stopped, or helm uninstall by hand); install it again (hd-setup install …), or delete what is left (hd-setup uninstall)\n');
      const again = await bed.hd(['uninstall', '--yes', '--set', 'product=tobiko']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('helm uninstall executors');
      expect(bed.api.objects('external-secrets.io', 'externalsecrets', 'tobiko')).toEqual([]);
      expect(bed.api.objects('', 'secrets', 'tobiko').map((x) => x.metadata.name)).not.toContain('left-token');
      const third = await bed.hd(['uninstall', '--yes', '--set', 'product=tobiko']);
      expect(third.code, third.stderr).toBe(0);
      expect(third.stdout + third.stderr).toMatch(/nothing to do: .* is not installed \(uninstalled; /);
    },
    T,
  );

  it(
    'a release removed with helm uninstall by hand: uninstall deletes its Secrets and their local 0600 copies (the copy holding the client secret stayed); a first install stopped before helm is found the same way, with both ways on',
    async () => {
      const bed = await startBed({}, SECRET_ENV);
      beds.push(bed);
      const TOBIKO = ['--preset', 'tobiko-kubernetes', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`];
      const copy = join(bed.home, '.config/hd-setup/tobiko/tobiko/executors/secret.yaml');
      expect((await bed.hd(['install', '--yes', ...TOBIKO])).code).toBe(0);
      expect(existsSync(copy)).toBe(true);
      expect((await bed.helm('uninstall', 'executors', '-n', 'tobiko')).code).toBe(0);
      const un = await bed.hd(['uninstall', '--yes', '--set', 'product=tobiko']);
      expect(un.code, un.stderr).toBe(0);
      expect(existsSync(copy)).toBe(false);
      expect(bed.api.objects('', 'secrets', 'tobiko').map((x) => x.metadata.name)).not.toContain('executors-secrets');
      expect(un.stdout + un.stderr).not.toContain(SECRET_ENV.TCLOUD_CLIENT_SECRET);
      // a first install that stopped at its Secret, before helm: not "an uninstall that stopped"
      await bed.hd(['uninstall', '--yes', '--purge', '--set', 'product=tobiko']);
      bed.api.scenario.forbidden = ['create secrets', 'patch secrets'];
      expect((await bed.hd(['install', '--yes', '--skip-check', 'rbac', ...TOBIKO])).code).toBe(1);
      bed.api.scenario.forbidden = [];
      const status = await bed.hd(['status', '--set', 'product=tobiko']);
      expect(status.stdout).toContain('not installed: release executors is not there, and what hd-setup applied beside it may be left (a run that stopped, or helm uninstall by hand); install it again (hd-setup install …), or delete what is left (hd-setup uninstall)');
    },
    T,
  );

  it(
    'with ESO serving only v1beta1, preflight says so before anything is created',
    async () => {
      const bed = await startBed({ eso: 'v1beta1' }, {});
      beds.push(bed);
      const r = await bed.hd(['install', '--yes', ...TOBIKO_ESO]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('FAIL external-secrets-crd: External Secrets Operator serves only external-secrets.io/v1beta1 of ExternalSecret; hd-setup renders external-secrets.io/v1');
      expect(r.stderr).toContain('upgrade External Secrets Operator to 0.17 or newer');
      expect(created(bed)).toEqual([]);
    },
    T,
  );
});

// helm list without -a hides pending releases: hd-setup lists with -a, and says what the state means and what to do.
describe('releases that are not deployed are found, with their state and the fix', () => {
  it(
    'pending-install: status (exit 1), doctor and stop say so; uninstall removes it',
    async () => {
      const bed = await fivetranBed();
      bed.api.seedHelmRelease({ name: 'hd-agent', namespace: 'fivetran', status: 'pending-install' });
      expect((await bed.helm('list', '-a', '-n', 'fivetran')).stdout).toContain('pending-install');
      const r = await bed.hd(['status', ...FIVETRAN.slice(0, 2)]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain('release hd-agent revision 1 (pending-install)');
      expect(r.stdout).toContain('release hd-agent is pending-install (revision 1): an install was interrupted or is still running');
      expect(r.stdout).toMatch(/fix: .*hd-setup uninstall, then install again/);
      const doc = await bed.hd(['doctor', ...FIVETRAN.slice(0, 2)]);
      expect(doc.code).toBe(1);
      expect(doc.stdout).toMatch(/fail\s+release: release hd-agent is pending-install/);
      const stop = await bed.hd(['stop', ...FIVETRAN.slice(0, 2)]);
      expect(stop.code).toBe(1);
      expect(stop.stderr).toMatch(/cannot stop: release hd-agent is pending-install .*fix: .*hd-setup uninstall/);
      const un = await bed.hd(['uninstall', '--yes', ...FIVETRAN.slice(0, 2)]);
      expect(un.code, un.stderr).toBe(0);
      expect(JSON.parse((await bed.helm('list', '-a', '-n', 'fivetran', '-o', 'json')).stdout)).toEqual([]);
    },
    T,
  );

  it(
    'a release upgraded by hand to another chart version with the same values (helm upgrade --reuse-values) is not "up to date": the install plans the upgrade back to the version it asks for',
    async () => {
      const bed = await fivetranBed();
      expect((await bed.hd(['install', '--yes', ...FIVETRAN])).code).toBe(0);
      const hand = await bed.helm('upgrade', 'hd-agent', join(CHARTS, 'fivetran-0.12.0'), '-n', 'fivetran', '--reuse-values');
      expect(hand.code, hand.stderr).toBe(0);
      const version = async () => (JSON.parse((await bed.helm('list', '-a', '-n', 'fivetran', '-o', 'json')).stdout) as { chart: string }[])[0]!.chart.replace(/^.*-(\d+\.\d+\.\d+)$/, '$1');
      expect(await version()).toBe('0.12.0');
      // the plan upgrades it (the upgrade across chart versions itself is helm's; this API server's controller
      // does not model every field a version changes, so the plan is what is checked here)
      const r = await bed.hd(['install', '--dry-run', ...FIVETRAN]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/release hd-agent is up to date/);
      expect(r.stdout).toMatch(/helm upgrade --install hd-agent \S*fivetran-0\.24\.0 .*--version 0\.24\.0/);
    },
    T,
  );

  it(
    'pending-upgrade (helm killed mid-upgrade) with the same values: an install refuses with the fix (it said "up to date", Changed: nothing); rollback goes back to the revision that deployed, then the install is a no-op',
    async () => {
      const bed = await fivetranBed();
      expect((await bed.hd(['install', '--yes', ...FIVETRAN])).code).toBe(0);
      const v1 = bed.api.objects('', 'secrets', 'fivetran').find((x) => x.metadata.name === 'sh.helm.release.v1.hd-agent.v1')!;
      const rel = JSON.parse(gunzipSync(Buffer.from(Buffer.from(v1.data!.release!, 'base64').toString(), 'base64')).toString());
      rel.version = 2;
      rel.info.status = 'pending-upgrade';
      bed.api.seed({ apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: 'sh.helm.release.v1.hd-agent.v2', namespace: 'fivetran', labels: { name: 'hd-agent', owner: 'helm', status: 'pending-upgrade', version: '2' } }, data: { release: Buffer.from(gzipSync(Buffer.from(JSON.stringify(rel))).toString('base64')).toString('base64') } });
      const r = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('error: cannot install: release hd-agent in namespace fivetran is pending-upgrade (revision 2): a helm run was interrupted or is still running; if no hd-setup or helm is still working on it (helm history hd-agent -n fivetran): hd-setup rollback (back to the last revision that deployed), then install again');
      expect(r.stderr).not.toMatch(/Changed: nothing/);
      const back = await bed.hd(['rollback', '--yes', ...FIVETRAN.slice(0, 2)]);
      expect(back.code, back.stderr).toBe(0);
      const again = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/Changed: nothing/);
    },
    T,
  );
});

describe('a second release of the Fivetran chart in one namespace', () => {
  it(
    'is refused before anything is created (helm failed on the chart\'s fixed PodDisruptionBudget names, leaving a failed release and its token Secret); the way out it names works',
    async () => {
      const bed = await fivetranBed();
      expect((await bed.hd(['install', '--yes', ...FIVETRAN])).code).toBe(0);
      const before = created(bed).length;
      const renamed = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.release=agent2']);
      expect(renamed.code).toBe(2);
      expect(renamed.stderr.trim()).toBe(
        'error: fivetran.kubernetes.release: namespace fivetran has the Fivetran Hybrid Deployment Agent already, as release hd-agent; a second release of its chart there fails on the names the chart fixes. Keep that one: --set fivetran.kubernetes.release=hd-agent; or, to rename it, remove it first: hd-setup uninstall --set product=fivetran --set runtime=kubernetes --set fivetran.kubernetes.namespace=fivetran --set fivetran.kubernetes.release=hd-agent (its values are kept), then install again',
      );
      expect(created(bed).slice(before)).toEqual([]);
      const names = async () => (await bed.helm('list', '-a', '-n', 'fivetran', '-q')).stdout.trim().split('\n');
      expect(await names()).toEqual(['hd-agent']);
      // as it says: uninstall the first, then the install under the new name goes through
      expect((await bed.hd(['uninstall', '--yes', '--set', 'product=fivetran', '--set', 'runtime=kubernetes', '--set', 'fivetran.kubernetes.namespace=fivetran', '--set', 'fivetran.kubernetes.release=hd-agent'])).code).toBe(0);
      const again = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.release=agent2']);
      expect(again.code, again.stderr).toBe(0);
      expect(await names()).toEqual(['agent2']);
    },
    T,
  );

  it(
    'one installed by hand (not by hd-setup): the way out named is helm\'s own uninstall, never hd-setup\'s; one uninstalled with its history kept is no obstacle',
    async () => {
      const bed = await fivetranBed();
      bed.api.seedHelmRelease({ name: 'old', namespace: 'fivetran', status: 'uninstalled' });
      bed.api.seedHelmRelease({ name: 'byhand', namespace: 'fivetran', status: 'deployed' });
      const r = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        'error: fivetran.kubernetes.release: namespace fivetran has the Fivetran Hybrid Deployment Agent already, as release byhand; a second release of its chart there fails on the names the chart fixes. Keep that one: --set fivetran.kubernetes.release=byhand; or, to rename it, remove it first: helm uninstall byhand -n fivetran (hd-setup did not install it), then install again',
      );
      expect((await bed.helm('uninstall', 'byhand', '-n', 'fivetran')).code).toBe(0);
      const ok = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(ok.code, ok.stderr).toBe(0);
    },
    T,
  );
});
