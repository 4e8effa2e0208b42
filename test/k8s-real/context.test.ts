// --context honoured everywhere (issue 14, item 8), through the REAL helm and kubectl: the kubeconfig's
// current context points at a closed port, so any call that forgets the context fails. Install, status
// (with --context alone, no preset), doctor --bundle and stop/start all reach the live cluster. And the
// warning for settings chart 0.12.0 ignores, in the dry-run (text and --json) and the summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHARTS, seedFivetranTarget, startBed, type Bed } from '../k8s-api/bed.js';
import { SECRETS, SECRET_ENV } from '../helpers.js';
import { inPty } from '../wizard/pty-helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = 180_000;
const CHART = ['--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`];

/** Two contexts: `dead` (current; nothing listens there) and `live` (the bed's server). */
function twoContexts(path: string, live: string): void {
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      "- {name: dead, cluster: {server: 'http://127.0.0.1:1'}}",
      `- {name: live, cluster: {server: '${live}'}}`,
      'users:',
      '- {name: u, user: {token: test-token}}',
      'contexts:',
      '- {name: dead, context: {cluster: dead, user: u}}',
      '- {name: live, context: {cluster: live, user: u}}',
      'current-context: dead',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

describe('--context, with the current context pointing at a closed port', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
    twoContexts(bed.kubeconfig, bed.api.url);
    bed.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
  });
  afterAll(() => bed?.stop());

  it(
    "the context picker's list, from the real kubectl: the live context with its version, the dead one with kubectl's reason cut with … where it is long (it was cut with no mark)",
    async () => {
      const { kubeContexts } = await import('../../src/exec/kube-contexts.js');
      const list = await kubeContexts(bed.env);
      expect(list.find((c) => c.name === 'live')).toMatchObject({ reachable: true, version: expect.stringMatching(/^v\d/) });
      const dead = list.find((c) => c.name === 'dead')!;
      expect(dead).toMatchObject({ current: true, reachable: false });
      expect(dead.problem).toMatch(/^The connection to the server 127\.0\.0\.1:1 was refused .*…$/);
      expect([...dead.problem!].length).toBe(60);
    },
    T,
  );

  it(
    'install --context live reaches the live cluster with every call (preflight included)',
    async () => {
      const r = await bed.hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--context', 'live', ...CHART]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('context live (from --context)');
      expect(r.stderr).toContain('release hd-agent revision 1 (deployed), 1/1 pods ready');
      expect(r.stderr).not.toMatch(/127\.0\.0\.1:1\b/);
    },
    T,
  );

  it(
    'status --context live, without a preset, finds the install in that context',
    async () => {
      const r = await bed.hd(['status', '--context', 'live']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Fivetran agent on Kubernetes v1.32.3');
      expect(r.stdout).toContain('release hd-agent in namespace fivetran (context live)');
      expect(r.stdout).toContain('pods ready 1/1');
      expect(r.stdout + r.stderr).not.toContain('?');
      const j = JSON.parse((await bed.hd(['status', '--context', 'live', '--json'])).stdout) as Obj;
      expect(j).toMatchObject({ product: 'fivetran', podsReady: '1/1', release: { revision: 1, status: 'deployed' } });
    },
    T,
  );

  it(
    'status --context of a context whose cluster cannot be reached: exit 1, one line naming the server, the context and the cause',
    async () => {
      // whether anything is installed there cannot be known: never "no install found" (exit 2)
      const r = await bed.hd(['status', '--context', 'dead']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('cannot reach the Kubernetes API server at http://127.0.0.1:1 (context dead): connection refused');
      expect(r.stderr).toContain('fix: check that the cluster is up');
      expect(r.stderr).not.toContain('no install found');
      expect(r.stderr).not.toContain('?');
    },
    T,
  );

  it(
    'doctor --context live --bundle: the bundle holds the live cluster (server version, the release values, the pod), no secret',
    async () => {
      const file = join(bed.dir, 'bundle.tar.gz');
      const r = await bed.hd(['doctor', '--context', 'live', '--bundle', file]);
      expect(r.stdout).toContain('hd-setup doctor: Fivetran agent on Kubernetes (release hd-agent in namespace fivetran (context live))');
      expect(r.stdout).toMatch(/ok\s+server-version: Kubernetes v1\.32\.3/);
      const out = mkdtempSync(join(bed.dir, 'unpacked-'));
      execFileSync('tar', ['-xzf', file, '-C', out]);
      const read = (f: string) => readFileSync(join(out, 'hd-setup-diagnostics', f), 'utf8');
      expect(read('versions.txt')).toContain('"gitVersion": "v1.32.3"');
      expect(JSON.parse(read('helm-values.json'))).toMatchObject({ config: { data_volume_pvc: 'fivetran-data' } });
      expect((JSON.parse(read('pods.json')) as Obj).items.map((p: Obj) => p.metadata.name)).toEqual([expect.stringMatching(/^hd-agent-/)]);
      const all = ['versions.txt', 'helm-values.json', 'pods.json', 'events.json', 'doctor.json', 'preset.redacted.yaml'].map(read).join('\n');
      for (const s of SECRETS) expect(all.includes(s)).toBe(false);
    },
    T,
  );

  it(
    'the wizard checks --context before its first question: one the kubeconfig lacks is exit 2 naming the ones it has, on a terminal and off one',
    async () => {
      const line = 'error: --context: context "staging-live" is not in your kubeconfig (it has: dead, live); list them with: kubectl config get-contexts\n';
      const off = await bed.hd(['--context', 'staging-live']);
      expect(off.code).toBe(2);
      expect(off.stderr).toBe(line);
      const on = await inPty('cols 80 rows 24', { args: ['--context', 'staging-live'], env: bed.env });
      expect(on.code).toBe(2);
      expect(on.out.replace(/\r/g, '')).toContain(line);
      expect(on.out).not.toContain('What do you want to install?');
      // one it has: the wizard comes up (then Ctrl-C)
      const ok = await inPty('cols 80 rows 24', { args: ['--context', 'live'], env: bed.env, keys: ['\x03'], first: 4000 });
      expect(ok.out).not.toContain('is not in your kubeconfig');
      expect(ok.out).toContain('hd-setup · set up a hybrid-deployment agent'); // the wizard's first frame
      expect(ok.out).toContain('Cancelled. Nothing was written.');
    },
    T,
  );

  it(
    'stop and start --context live scale the Deployment in the live cluster',
    async () => {
      expect((await bed.hd(['stop', '--context', 'live'])).code).toBe(0);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.replicas).toBe(0);
      expect((await bed.hd(['start', '--context', 'live'])).code).toBe(0);
      expect(bed.api.objects('apps', 'deployments', 'fivetran')[0]!.spec.replicas).toBe(1);
    },
    T,
  );
});

describe('settings chart 0.12.0 ignores: a warning in the dry-run, its --json and the summary', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
    bed.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
  });
  afterAll(() => bed?.stop());
  const args = (version: string) => ['install', '--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, `fivetran-${version}`)}`, '--set', `fivetran.kubernetes.chartVersion=${version}`, '--set', 'fivetran.config.extra_hosts=db.internal:10.0.0.5', '--set', 'fivetran.config.custom_dns=10.0.0.53'];
  const WARN = 'chart 0.12.0 ignores fivetran.config.extra_hosts: it only becomes an env var of the agent (chart 0.24.0 renders it as the pod\'s hostAliases); use --set fivetran.kubernetes.chartVersion=0.24.0, or remove it';

  it(
    'chart 0.12.0: dry-run text and --json carry one warning per ignored key; the summary of the install too',
    async () => {
      const text = await bed.hd([...args('0.12.0'), '--dry-run']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`! ${WARN}`);
      expect(text.stdout).toContain('chart 0.12.0 ignores fivetran.config.custom_dns');
      const json = await bed.hd([...args('0.12.0'), '--dry-run', '--json']);
      expect((JSON.parse(json.stdout) as Obj).warnings).toEqual([WARN, expect.stringContaining('chart 0.12.0 ignores fivetran.config.custom_dns')]);
      const run = await bed.hd([...args('0.12.0'), '--yes', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const summary = (run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Obj).at(-1) as Obj).summary;
      expect(summary.warnings).toContain(WARN);
    },
    T,
  );

  it(
    'chart 0.24.0 renders them: no such warning',
    async () => {
      const text = await bed.hd([...args('0.24.0'), '--dry-run']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout + text.stderr).not.toContain('ignores');
    },
    T,
  );
});

describe('an install made without --context stays in its cluster when the current context changes', () => {
  // Two clusters (two API servers): staging, current at the first install, and prod. Without the context in
  // the record, every command after `kubectl config use-context prod` acted on prod: an uninstall of the
  // staging install (pointed at by its preset, no --context) removed prod's release of the same name.
  let staging: Bed, prod: Bed;
  const hd = (args: string[]) => staging.hd(args);
  const releases = async (context: string) => (await staging.helm('list', '-a', '-n', 'fivetran', '--kube-context', context, '-q')).stdout.trim();
  beforeAll(async () => {
    staging = await startBed({}, SECRET_ENV);
    prod = await startBed({}, SECRET_ENV);
    seedFivetranTarget(staging);
    seedFivetranTarget(prod);
    writeFileSync(
      staging.kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- {name: staging, cluster: {server: '${staging.api.url}'}}`,
        `- {name: prod, cluster: {server: '${prod.api.url}'}}`,
        'users:',
        '- {name: u, user: {token: test-token}}',
        'contexts:',
        '- {name: staging, context: {cluster: staging, user: u}}',
        '- {name: prod, context: {cluster: prod, user: u}}',
        'current-context: staging',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
  });
  afterAll(async () => {
    await staging?.stop();
    await prod?.stop();
  });

  it(
    'after a switch to another context, every command pointed at it refuses (exit 2, the way back named), and acts on it from its own context',
    async () => {
      const first = await hd(['install', '--yes', '--preset', 'fivetran-kubernetes', ...CHART]);
      expect(first.code, first.stderr).toBe(0);
      const second = await hd(['install', '--yes', '--preset', 'fivetran-kubernetes', '--context', 'prod', ...CHART]);
      expect(second.code, second.stderr).toBe(0);
      expect([await releases('staging'), await releases('prod')]).toEqual(['hd-agent', 'hd-agent']);
      expect((await staging.kubectl('config', 'use-context', 'prod')).code).toBe(0);

      const refusal = 'error: context: the current kubectl context is prod, but the Fivetran agent on Kubernetes, release hd-agent in namespace fivetran, was installed in context staging (current then); switch back to act on it: kubectl config use-context staging. To install one in prod as well: --context prod';
      for (const args of [
        ['uninstall', '--yes', '--preset', 'fivetran-kubernetes'],
        ['stop', '--preset', 'fivetran-kubernetes'],
        ['status', '--preset', 'fivetran-kubernetes'],
        ['install', '--yes', '--preset', 'fivetran-kubernetes', ...CHART],
      ]) {
        const r = await hd(args);
        expect([args[0], r.code]).toEqual([args[0], 2]);
        expect(r.stderr.trim()).toBe(refusal);
      }
      expect([await releases('staging'), await releases('prod')]).toEqual(['hd-agent', 'hd-agent']);
      // status of every install: that one is left out, said; the one in prod is shown
      const all = await hd(['status']);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stderr).toBe(`hd-setup: left out: ${refusal.replace('error: context: ', '')}\n`);
      expect(all.stdout).toContain('release hd-agent in namespace fivetran (context prod)');
      expect((await staging.kubectl('--context', 'prod', 'get', 'deployments', '-n', 'fivetran', '-o', 'jsonpath={.items[*].spec.replicas}')).stdout).toBe('1');

      // another kubeconfig (KUBECONFIG) whose context has the same name, staging, but is prod's cluster: refused too
      const other = join(staging.dir, 'other-kubeconfig');
      writeFileSync(
        other,
        ['apiVersion: v1', 'kind: Config', 'clusters:', `- {name: staging, cluster: {server: '${prod.api.url}'}}`, 'users:', '- {name: u, user: {token: test-token}}', 'contexts:', '- {name: staging, context: {cluster: staging, user: u}}', 'current-context: staging', ''].join('\n'),
        { mode: 0o600 },
      );
      const same = await staging.hd(['uninstall', '--yes', '--preset', 'fivetran-kubernetes'], { KUBECONFIG: other });
      expect(same.code, same.stderr).toBe(2);
      expect(same.stderr.trim()).toBe(
        `error: context: the current kubectl context is staging (API server ${prod.api.url}), but the Fivetran agent on Kubernetes, release hd-agent in namespace fivetran, was installed in context staging (API server ${staging.api.url}) (current then); switch back to act on it: use the kubeconfig it was installed with (KUBECONFIG). To install one in staging as well: --context staging`,
      );
      expect([await releases('staging'), await releases('prod')]).toEqual(['hd-agent', 'hd-agent']);

      // back in staging: the same uninstall removes the staging release, and prod's stays
      expect((await staging.kubectl('config', 'use-context', 'staging')).code).toBe(0);
      const un = await hd(['uninstall', '--yes', '--preset', 'fivetran-kubernetes']);
      expect(un.code, un.stderr).toBe(0);
      expect([await releases('staging'), await releases('prod')]).toEqual(['', 'hd-agent']);
    },
    T,
  );
});
