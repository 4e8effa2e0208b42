// Kubernetes installs against recording fakes of helm and kubectl (test/stubs/k8s): no cluster exists here.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '../src/service/plan.js';
import { CLIENT_SECRET, ROOT, SECRETS, SECRET_ENV, TOKEN, WAREHOUSE_PASSWORD, cli, load, type CliResult } from './helpers.js';

import { fakeK8s, type Call } from './k8s-fakes.js';

const line = (c: Call) => `${c.tool} ${c.argv.join(' ')}`;
const mutating = (calls: Call[]) => calls.filter((c) => /^(kubectl (create|apply|delete|scale)|helm (upgrade|rollback|uninstall))/.test(line(c))).map(line);

function noSecretsInArgv(calls: Call[]): void {
  for (const c of calls) for (const s of SECRETS) expect(c.argv.join(' ').includes(s), `secret on argv of ${c.tool}`).toBe(false);
}

describe('Kubernetes installs (fakes)', () => {
  it('fivetran-kubernetes: exact commands, the Secret and values are the rendered ones, no secret on argv', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const state = join(k.dir, '.config/hd-setup/fivetran/fivetran/hd-agent');
    expect(mutating(k.calls())).toEqual([
      'kubectl create namespace fivetran',
      'kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n fivetran -f -',
      `helm upgrade --install hd-agent oci://us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/helm/hybrid-deployment-agent --namespace fivetran --create-namespace -f ${state}/values.yaml --version 0.24.0 --wait --timeout 5m`,
    ]);
    const files = render(load({ preset: 'fivetran-kubernetes' }).model, { home: k.dir, selinux: false, runtimeBin: '', version: '0.1.0' });
    const apply = k.calls().find((c) => c.argv[0] === 'apply')!;
    expect(apply.stdin).toBe(files.find((f) => f.path === 'token-secret.yaml')!.content);
    expect(readFileSync(join(state, 'values.yaml'), 'utf8')).toBe(files.find((f) => f.path === 'values.yaml')!.content);
    noSecretsInArgv(k.calls());
    expect(r.stderr).toContain('release hd-agent revision 1 (deployed), 1/1 pods ready');
    expect(r.stderr).toContain('helm status hd-agent -n fivetran');
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
    // The preflight ran every check with read-only commands.
    const pre = k.calls().map(line).map((l) => l.replace(' --request-timeout=5s', ''));
    for (const c of ['kubectl version -o json', 'helm version --template {{.Version}}', 'kubectl config current-context', 'kubectl get pvc fivetran-data -n fivetran -o json', 'kubectl get nodes -o json']) {
      expect(pre).toContain(c);
    }
    expect(pre).toContain('kubectl auth can-i create deployments.apps -n fivetran');
  });

  it('fivetran-kubernetes-affinity: values carry kubernetes_affinity and affinity_rules', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'fivetran-kubernetes-affinity', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const values = readFileSync(join(k.dir, '.config/hd-setup/fivetran/fivetran/hd-agent/values.yaml'), 'utf8');
    expect(values).toContain('kubernetes_affinity:');
    expect(values).toContain('affinity_rules:');
    noSecretsInArgv(k.calls());
  });

  it('tobiko-kubernetes: the executors Secret on stdin, then helm', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'tobiko-kubernetes', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(mutating(k.calls())).toEqual([
      'kubectl create namespace tobiko',
      'kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n tobiko -f -',
      `helm upgrade --install executors oci://registry-1.docker.io/tobikodata/hybrid-executors --namespace tobiko --create-namespace -f ${k.dir}/.config/hd-setup/tobiko/tobiko/executors/values.yaml --wait --timeout 5m`,
    ]);
    const stdin = k.calls().find((c) => c.argv[0] === 'apply')!.stdin!;
    expect(stdin).toContain(`TCLOUD_CLIENT_SECRET: ${CLIENT_SECRET}`);
    expect(stdin).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: ${WAREHOUSE_PASSWORD}`);
    expect(r.stderr).toContain('2/2 pods ready');
    noSecretsInArgv(k.calls());
  });

  it('tobiko-kubernetes-external-secrets: checks the CRD, applies the ExternalSecret', () => {
    const missing = fakeK8s();
    const r1 = missing.run(['install', '--preset', 'tobiko-kubernetes-external-secrets', '--yes']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('the External Secrets Operator CRD externalsecrets.external-secrets.io is missing');
    expect(r1.stderr).toContain('install External Secrets Operator');
    const k = fakeK8s({ crds: ['externalsecrets.external-secrets.io'], namespaces: ['tobiko'] });
    const r = k.run(['install', '--preset', 'tobiko-kubernetes-external-secrets', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const apply = k.calls().find((c) => c.argv[0] === 'apply')!;
    expect(apply.stdin).toContain('kind: ExternalSecret');
    expect(r.stdout + r.stderr).toContain('externalsecret.external-secrets.io/executors-secrets serverside-applied');
    expect(mutating(k.calls()).some((c) => c.startsWith('kubectl create namespace'))).toBe(false);
  });

  it('inline values go to helm on stdin, never as a file path or argv', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes', '--set', 'fivetran.kubernetes.tokenDelivery=inline']);
    expect(r.code, r.stderr).toBe(0);
    const helm = k.calls().find((c) => c.tool === 'helm' && c.argv[0] === 'upgrade')!;
    expect(helm.argv).toContain('-');
    expect(helm.stdin).toContain(`token: ${TOKEN}`);
    noSecretsInArgv(k.calls());
  });

  it('--context reaches every kubectl and helm call', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes', '--context', 'prod-east']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('context prod-east (from --context)');
    for (const c of k.calls()) {
      if (c.tool === 'kubectl' && c.argv[0] !== 'config') expect(c.argv.slice(0, 2)).toEqual(['--context', 'prod-east']);
      if (c.tool === 'helm' && ['upgrade', 'status', 'get', 'list'].includes(c.argv[0]!)) expect(c.argv.join(' ')).toContain('--kube-context prod-east');
    }
  });
});

describe('Kubernetes failures are explained, each with its fix', () => {
  const cases: [string, Record<string, unknown>, RegExp[]][] = [
    ['server-too-old', {}, [/Kubernetes v1\.27\.3 is older than the required 1\.29/, /upgrade the cluster to 1\.29/]],
    ['helm-too-old', {}, [/helm 3\.12\.0 is older than the required 3\.16\.1/, /upgrade helm to 3\.16\.1/]],
    ['pvc-missing', {}, [/PersistentVolumeClaim fivetran-data does not exist in namespace fivetran/, /create it first/]],
    ['forbidden', {}, [/forbidden: you may not create deployments, roles, secrets in namespace fivetran/, /ask a cluster admin/]],
    ['image-pull-backoff', {}, [/cannot pull image us-docker\.pkg\.dev\/.*\(ImagePullBackOff\)/, /check that the nodes reach the registry \(proxy, firewall, DNS\)/, /kubectl describe pod hd-agent-/]],
    ['crashloop', {}, [/is crash-looping \(4 restarts\); last log line: .*Invalid token/, /kubectl logs hd-agent-.* --previous/, /ERROR Invalid token/]],
    ['unschedulable-affinity', {}, [/cannot be scheduled: node selector hd_size=large matches no node/, /kubectl label node <node> hd_size=large/]],
    ['helm-timeout', {}, [/is not ready \(Pending, ContainerCreating\) and helm stopped waiting/, /raise the timeout \(--set fivetran\.kubernetes\.timeout=10m\)/]],
  ];
  it.each(cases)('%s', (scenario, _o, expected) => {
    const k = fakeK8s({ scenario });
    const r = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes']);
    expect(r.code).toBe(1);
    for (const e of expected) expect(r.stderr).toMatch(e);
    expect(r.stderr).toMatch(/Fix: /);
    noSecretsInArgv(k.calls());
  });
  it('the PVC can be skipped by its check id, and the skip is reported', () => {
    const k = fakeK8s({ scenario: 'pvc-missing' });
    const r = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes', '--skip-check', 'pvc']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('pvc: skipped by --skip-check');
  });
});

describe('Kubernetes dry-run and --json', () => {
  it('dry-run prints every command and manifest with secrets masked, and runs nothing that changes', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'tobiko-kubernetes', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$ kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n tobiko -f -   # stdin: Secret with the executor secrets');
    expect(r.stdout).toContain('|   TCLOUD_CLIENT_SECRET: ********');
    expect(r.stdout).toContain('$ helm upgrade --install executors');
    expect(mutating(k.calls())).toEqual([]);
    expect(r.stdout).not.toContain(CLIENT_SECRET);
  });
  it('--json emits events ending in a summary', () => {
    const k = fakeK8s();
    const r = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes', '--json']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1).summary.ok).toBe(true);
    expect(events.at(-1).summary.state[0]).toContain('revision 1');
    const k2 = fakeK8s({ scenario: 'image-pull-backoff' });
    const e2 = k2.run(['install', '--preset', 'fivetran-kubernetes', '--yes', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(e2.some((e) => e.type === 'hint' && /ImagePullBackOff/.test(e.message))).toBe(true);
    expect(e2.at(-1).summary.ok).toBe(false);
  });
});

describe('Kubernetes lifecycle (fakes)', () => {
  it('re-run, reset refusal, rollback, status, stop/start, uninstall', () => {
    const k = fakeK8s();
    expect(k.run(['install', '--preset', 'fivetran-kubernetes', '--yes']).code).toBe(0);
    const state = join(k.dir, '.config/hd-setup/fivetran/fivetran/hd-agent');

    // Same preset again: nothing re-applied.
    let n = k.calls().length;
    const same = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes']);
    expect(same.code, same.stderr).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual([]);
    expect(same.stderr).toContain('release hd-agent is up to date (revision 1)');

    // A proxy added: helm upgrade with the new values; the values file backed up.
    n = k.calls().length;
    const proxy = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes', '--set', 'proxy.https=http://proxy:3128']);
    expect(proxy.code, proxy.stderr).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual([expect.stringMatching(/^helm upgrade --install hd-agent /)]);
    expect(readdirSync(state).some((f) => f.startsWith('values.yaml.bak-'))).toBe(true);

    // Dropping it without --reset is refused, naming the proxy.
    const refused = k.run(['install', '--preset', 'fivetran-kubernetes', '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('would reset 1 setting the installed agent has (release hd-agent in namespace fivetran): proxy.https=http://proxy:3128');

    // A stored token is kept when none is given: the managed Secret is referenced.
    const keep = k.run(['install', '--preset', 'fivetran-kubernetes', '--dry-run', '--set', 'proxy.https=http://proxy:3128'], { FIVETRAN_TOKEN: '' });
    expect(keep.code, keep.stderr).toBe(0);
    expect(keep.stderr).toContain('Keeping the stored secret: fivetran.token');

    // Rollback: helm rollback and the previous values restored.
    n = k.calls().length;
    const back = k.run(['rollback', '--yes', '--preset', 'fivetran-kubernetes']);
    expect(back.code, back.stderr).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual(['helm rollback hd-agent -n fivetran --wait']);
    expect(readFileSync(join(state, 'values.yaml'), 'utf8')).not.toContain('https_proxy');

    const st = k.run(['status', '--json', '--preset', 'fivetran-kubernetes']);
    expect(st.code, st.stderr).toBe(0);
    const j = JSON.parse(st.stdout);
    expect(j.release.revision).toBe(3);
    expect(j.podsReady).toBe('1/1');

    n = k.calls().length;
    expect(k.run(['stop', '--preset', 'fivetran-kubernetes']).code).toBe(0);
    expect(k.run(['start', '--preset', 'fivetran-kubernetes']).code).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual(['kubectl scale deployment hd-agent -n fivetran --replicas=0', 'kubectl scale deployment hd-agent -n fivetran --replicas=1']);

    n = k.calls().length;
    const un = k.run(['uninstall', '--yes', '--preset', 'fivetran-kubernetes']);
    expect(un.code, un.stderr).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual([
      'helm uninstall hd-agent -n fivetran --wait',
      'kubectl delete secret -n fivetran -l app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=hd-agent --ignore-not-found',
    ]);
    expect(un.stderr).toContain('the PVCs and namespace fivetran are kept');
    noSecretsInArgv(k.calls());
  }, 180_000); // ~40 fake-tool processes in sequence: over 60 s on a loaded 2-core machine

  it('Tobiko: a re-run keeps the stored secrets in their Secret; stop/start scale both executors; uninstall deletes our Secret', () => {
    const k = fakeK8s();
    expect(k.run(['install', '--preset', 'tobiko-kubernetes', '--yes']).code).toBe(0);
    let n = k.calls().length;
    const again = k.run(['install', '--preset', 'tobiko-kubernetes', '--yes', '--set', 'tobiko.kubernetes.run.replicas=3'], { TCLOUD_CLIENT_SECRET: '', WAREHOUSE_PASSWORD: '' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Keeping the stored secret: tobiko.clientSecret');
    expect(again.stderr).toContain('Keeping the stored secret: tobiko.gateways.warehouse.password');
    expect(mutating(k.calls().slice(n))).toEqual([expect.stringMatching(/^helm upgrade --install executors /)]);
    n = k.calls().length;
    expect(k.run(['stop', '--preset', 'tobiko-kubernetes']).code).toBe(0);
    expect(k.run(['start', '--preset', 'tobiko-kubernetes']).code).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual([
      'kubectl scale deployment executors-hybrid-executors-apply -n tobiko --replicas=0',
      'kubectl scale deployment executors-hybrid-executors-run -n tobiko --replicas=0',
      'kubectl scale deployment executors-hybrid-executors-apply -n tobiko --replicas=1',
      'kubectl scale deployment executors-hybrid-executors-run -n tobiko --replicas=3',
    ]);
    n = k.calls().length;
    expect(k.run(['uninstall', '--yes', '--preset', 'tobiko-kubernetes']).code).toBe(0);
    expect(mutating(k.calls().slice(n))).toEqual([
      'helm uninstall executors -n tobiko --wait',
      'kubectl delete secret -n tobiko -l app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=executors --ignore-not-found',
      'kubectl delete externalsecret -n tobiko -l app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=executors --ignore-not-found',
    ]);
  });

  it('export-preset from a release turns the stored secrets into references', () => {
    const k = fakeK8s();
    expect(k.run(['install', '--preset', 'tobiko-kubernetes', '--yes']).code).toBe(0);
    const r = k.run(['export-preset', '--preset', 'tobiko-kubernetes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('clientSecret: env:TCLOUD_CLIENT_SECRET');
    expect(r.stdout).toContain('password: env:WAREHOUSE_PASSWORD');
    expect(r.stdout).not.toContain(CLIENT_SECRET);
  });
});
