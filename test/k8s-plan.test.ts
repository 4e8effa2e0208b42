// The Kubernetes plan's restart step, pure: where the chart takes a checksum annotation and it changes, the
// upgrade replaces the pods and no restart is planned; any change it does not see keeps the restart.
import { describe, expect, it } from 'vitest';
import { kubernetesPlan, storedSecretRewritten, type KubernetesPlanSpec } from '../src/plan/kubernetes.js';
import { FRESH, type PlannedFile } from '../src/plan/types.js';
import { secretDigest } from '../src/util/secret-digest.js';

const CHECKSUM = ['agent', 'annotations', 'checksum/config'];

/** A plan spec of a deployed release (revision 1) with one Secret manifest; `over` sets the rest. */
function spec(over: Partial<KubernetesPlanSpec> & Pick<KubernetesPlanSpec, 'state' | 'files'>): KubernetesPlanSpec {
  return {
    product: 'p',
    k: { namespace: 'ns', release: 'rel', chart: 'c', timeout: '5m', selector: 'a=b' },
    deployments: [],
    timeoutSetting: 'p.timeout',
    namespaceSetting: 'p.namespace',
    checks: [],
    manifests: [['secret.yaml', 'secret', 'Apply Secret', 'Secret']],
    logs: 'deploy/rel',
    secretsInUse: { names: ['s1'], why: 'in use' },
    ...over,
  };
}

function valuesFile(sum: string | undefined, proxy: string): PlannedFile {
  const annotations = sum ? `  annotations:\n    checksum/config: "${sum}"\n` : '';
  return { path: 'values.yaml', base: 'state', rel: 'values.yaml', mode: 0o644, secret: false, description: 'values', dest: '/s/values.yaml', content: `agent:\n${annotations}  image: x\nconfig:\n  https_proxy: "${proxy}"\n` };
}
const installed = (sum: string | undefined, proxy: string) => ({ agent: { ...(sum ? { annotations: { 'checksum/config': sum } } : {}), image: 'x' }, config: { https_proxy: proxy } });
const secretFile = (token: string, current: string): PlannedFile => ({ path: 'secret.yaml', base: 'state', rel: 'secret.yaml', mode: 0o600, secret: true, description: 's', dest: '/s/secret.yaml', content: token, current });

function plan(files: PlannedFile[], values: Record<string, unknown>, podChecksum?: string[]) {
  const p = kubernetesPlan(spec({ state: { ...FRESH, kubernetes: { namespaceExists: true, release: { revision: 1, values, status: 'deployed' } } }, files, ...(podChecksum ? { podChecksum } : {}) }));
  const live = (id: string) => p.steps.some((s) => s.id === id && !s.skip && s.actions.length > 0);
  return { helm: live('helm'), restart: live('rollout') };
}

describe('the restart step after a reconfigure', () => {
  const same = secretFile('t', 't');
  it('the checksum changed: helm upgrades and replaces the pods, no restart', () => {
    expect(plan([valuesFile('B', 'http://p:2'), same], installed('A', 'http://p:1'), CHECKSUM)).toEqual({ helm: true, restart: false });
  });
  it('an install without the annotation yet (an earlier hd-setup): adding it replaces the pods, no restart', () => {
    expect(plan([valuesFile('A', 'http://p:1'), same], installed(undefined, 'http://p:1'), CHECKSUM)).toEqual({ helm: true, restart: false });
  });
  it('the values changed but not the checksum (a secret it leaves out): restart', () => {
    expect(plan([valuesFile('A', 'http://u:new@p:1'), same], installed('A', 'http://u:old@p:1'), CHECKSUM)).toEqual({ helm: true, restart: true });
  });
  it('the Secret applied beside the chart changed: restart, even with the checksum unchanged', () => {
    expect(plan([valuesFile('A', 'http://p:1'), secretFile('new', 'old')], installed('A', 'http://p:1'), CHECKSUM)).toEqual({ helm: false, restart: true });
  });
  it('a chart that takes no pod annotations: every change restarts', () => {
    expect(plan([valuesFile(undefined, 'http://p:2'), same], installed(undefined, 'http://p:1'))).toEqual({ helm: true, restart: true });
  });
  it('nothing changed: neither', () => {
    expect(plan([valuesFile('A', 'http://p:1'), same], installed('A', 'http://p:1'), CHECKSUM)).toEqual({ helm: false, restart: false });
  });
});

describe('an install of a stopped release (its Deployments scaled to 0)', () => {
  const values = installed('A', 'http://p:1');
  const files = [valuesFile('A', 'http://p:1'), secretFile('t', 't')];
  const stepsFor = (live: { name: string; labels: Record<string, string>; replicas: number }[] | undefined, changed = false) =>
    kubernetesPlan(spec({
      deployments: [{ labels: { role: 'apply' }, replicas: 1 }, { labels: { role: 'run' }, replicas: 2 }],
      state: { ...FRESH, kubernetes: { namespaceExists: true, release: { revision: 1, values: changed ? installed('A', 'http://p:0') : values, status: 'deployed' }, ...(live ? { deployments: live } : {}) } },
      files,
      podChecksum: CHECKSUM,
    })).steps;
  const argvs = (steps: ReturnType<typeof stepsFor>) => steps.find((s) => s.id === 'scale')?.actions.map((a) => (a.kind === 'exec' ? a.argv.join(' ') : a.kind));
  it('nothing for helm to do: the ones at 0 are scaled to their replicas (found by their labels, under the names they have) and waited for', () => {
    const live: { name: string; labels: Record<string, string>; replicas: number }[] = [{ name: 'x-apply', labels: { role: 'apply', a: 'b' }, replicas: 0 }, { name: 'x-run', labels: { role: 'run' }, replicas: 0 }];
    expect(argvs(stepsFor(live))).toEqual([
      'kubectl scale deployment x-apply -n ns --replicas=1',
      'kubectl scale deployment x-run -n ns --replicas=2',
      'kubectl rollout status deployment/x-apply -n ns --timeout=5m',
      'kubectl rollout status deployment/x-run -n ns --timeout=5m',
      'releaseStatus',
    ]);
    // only the one at 0
    expect(argvs(stepsFor([{ ...live[0]!, replicas: 1 }, live[1]!]))?.slice(0, 1)).toEqual(['kubectl scale deployment x-run -n ns --replicas=2']);
  });
  it('scaled by hand to another count, not known, or an upgrade (helm puts the replicas back itself): no scale step', () => {
    expect(argvs(stepsFor([{ name: 'x-apply', labels: { role: 'apply' }, replicas: 3 }]))).toBeUndefined();
    expect(argvs(stepsFor(undefined))).toBeUndefined();
    expect(argvs(stepsFor([{ name: 'x-apply', labels: { role: 'apply' }, replicas: 0 }], true))).toBeUndefined();
  });
});

describe('a Secret compared with the one in the cluster (a fresh HOME has no local copy)', () => {
  const manifest = (data: Record<string, string>) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\n  labels:\n    app.kubernetes.io/managed-by: hd-setup\ntype: Opaque\nstringData:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
  const live = (data: Record<string, string>, labels = { 'app.kubernetes.io/managed-by': 'hd-setup' }) => ({ s1: { type: 'Opaque', labels, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secretDigest(v)])) } });
  const applied = (content: string, liveSecrets: ReturnType<typeof live> | undefined, current?: string) => {
    const p = kubernetesPlan(spec({
      state: { ...FRESH, kubernetes: { namespaceExists: true, release: { revision: 1, values: {}, status: 'deployed' }, secrets: ['s1'], ...(liveSecrets ? { liveSecrets } : {}) } },
      files: [{ path: 'secret.yaml', base: 'state', rel: 'secret.yaml', mode: 0o600, secret: true, description: 's', dest: '/s/secret.yaml', content, ...(current !== undefined ? { current } : {}) }],
    }));
    const st = p.steps.find((s) => s.id === 'secret')!;
    return !st.skip && st.actions.length > 0;
  };
  it('the same data, labels and type: nothing applied, with no local copy', () => {
    expect(applied(manifest({ a: 'x', b: 'y' }), live({ a: 'x', b: 'y' }))).toBe(false);
  });
  it('a key the cluster keeps besides (an apply of stringData never removes one): still the same, or every run would apply', () => {
    expect(applied(manifest({ a: 'x' }), live({ a: 'x', gone: 'old' }))).toBe(false);
  });
  it('a value, a key, a label or the type that differs: applied, whatever the local copy says', () => {
    const m = manifest({ a: 'x', b: 'y' });
    expect(applied(m, live({ a: 'x', b: 'z' }), m)).toBe(true);
    expect(applied(m, live({ a: 'x' }), m)).toBe(true);
    expect(applied(m, live({ a: 'x', b: 'y' }, {} as never), m)).toBe(true);
    expect(applied(m, { s1: { ...live({ a: 'x', b: 'y' }).s1, type: 'kubernetes.io/tls' } }, m)).toBe(true);
  });
  it('the cluster not asked (kubectl failed): the local copy decides, as before', () => {
    const m = manifest({ a: 'x' });
    expect(applied(m, undefined, m)).toBe(false);
    expect(applied(m, undefined)).toBe(true);
  });
});

describe('new keys merged into a Secret whose other keys are stored (a partial manifest), given again as the cluster holds them', () => {
  const manifest = (data: Record<string, string>) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\n  labels:\n    app.kubernetes.io/managed-by: hd-setup\ntype: Opaque\nstringData:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
  const live = (data: Record<string, string>) => ({ s1: { type: 'Opaque', labels: {}, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secretDigest(v)])) } });
  const planned = (content: string, liveSecrets: ReturnType<typeof live> | undefined, unfinished = false, current = manifest({ a: 'x', kept: 'k' })) => {
    const p = kubernetesPlan(spec({
      state: { ...FRESH, ...(unfinished ? { unfinished } : {}), kubernetes: { namespaceExists: true, release: { revision: 1, values: {}, status: 'deployed' }, secrets: ['s1'], ...(liveSecrets ? { liveSecrets } : {}) } },
      files: [{ path: 'secret.yaml', base: 'state', rel: 'secret.yaml', mode: 0o600, secret: true, partial: true, description: 's', dest: '/s/secret.yaml', content, current }],
    }));
    const st = p.steps.find((s) => s.id === 'secret');
    return { written: p.files.length > 0, applied: Boolean(st && !st.skip && st.actions.length > 0) };
  };
  it('the cluster holds them as they are (its labels aside, which a patch of the data sets not): nothing written (the copy keeps the stored keys), nothing patched; it patched the Secret and restarted the pods', () => {
    expect(planned(manifest({ a: 'x' }), live({ a: 'x', kept: 'k' }))).toEqual({ written: false, applied: false });
  });
  it('another value, the last run unfinished, or the cluster not read: merged in, as before', () => {
    expect(planned(manifest({ a: 'y' }), live({ a: 'x', kept: 'k' }))).toEqual({ written: true, applied: true });
    expect(planned(manifest({ a: 'x' }), live({ a: 'x', kept: 'k' }), true)).toEqual({ written: true, applied: true });
    expect(planned(manifest({ a: 'x' }), undefined)).toEqual({ written: true, applied: true });
  });
  it('our copy as this run would write it, the cluster holding another value (edited there by hand): the cluster counts, merged in (our copy said nothing was to do)', () => {
    const st = (liveSecrets: ReturnType<typeof live>) => planned(manifest({ a: 'y' }), liveSecrets, false, manifest({ a: 'y' })).applied;
    expect(st(live({ a: 'x', kept: 'k' }))).toBe(true);
    expect(st(live({ a: 'y', kept: 'k' }))).toBe(false);
  });
});

describe('storedSecretRewritten: whether a run writes another value where the install stores a secret (the changes list names it then)', () => {
  const manifest = (data: Record<string, string>) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\ntype: Opaque\nstringData:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
  const file = (content: string, current?: string): PlannedFile => ({ path: 'secret.yaml', base: 'state', rel: 'secret.yaml', mode: 0o600, secret: true, description: 's', dest: '/s/secret.yaml', content, ...(current !== undefined ? { current } : {}) });
  const state = (data?: Record<string, string>) => ({ ...FRESH, kubernetes: { namespaceExists: true, ...(data ? { liveSecrets: { s1: { type: 'Opaque', labels: {}, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secretDigest(v)])) } } } : {}) } });
  const ref = 'stored:secret/s1#a';
  it('the cluster\'s Secret read: another value there is a rotation, the same is none, whatever the local copy says', () => {
    expect(storedSecretRewritten([file(manifest({ a: 'new' }), manifest({ a: 'new' }))], state({ a: 'old' }), ref)).toBe(true);
    expect(storedSecretRewritten([file(manifest({ a: 'old', b: 'z' }), manifest({ a: 'x' }))], state({ a: 'old', b: 'y' }), ref)).toBe(false);
  });
  it('not read: the local copy compared; none, or without the key: not known to be the same', () => {
    expect(storedSecretRewritten([file(manifest({ a: 'old' }), manifest({ a: 'old' }))], state(), ref)).toBe(false);
    expect(storedSecretRewritten([file(manifest({ a: 'new' }), manifest({ a: 'old' }))], state(), ref)).toBe(true);
    expect(storedSecretRewritten([file(manifest({ a: 'new' }))], state(), ref)).toBe(true);
    expect(storedSecretRewritten([file(manifest({ a: 'new' }), manifest({ b: 'old' }))], state(), ref)).toBe(true);
  });
  it('no manifest carrying that key (the secret kept), another Secret, or no stored reference: none', () => {
    expect(storedSecretRewritten([file(manifest({ b: 'new' }))], state({ a: 'old' }), ref)).toBe(false);
    expect(storedSecretRewritten([file(manifest({ a: 'new' }))], state({ a: 'old' }), 'stored:secret/s2#a')).toBe(false);
    expect(storedSecretRewritten([file(manifest({ a: 'new' }))], state({ a: 'old' }), 'env:A')).toBe(false);
  });
  it('a Secret named as a property every object has (constructor), not read: the local copy, not that property', () => {
    const named = (content: string) => content.replace('name: s1', 'name: constructor');
    expect(storedSecretRewritten([file(named(manifest({ toString: 'old' })), named(manifest({ toString: 'old' })))], state({ b: 'y' }), 'stored:secret/constructor#toString')).toBe(false);
  });
});

describe('the Secrets hd-setup applied that this configuration no longer uses', () => {
  const values = installed('A', 'http://p:1');
  const retire = (secrets: string[], inUse: string[], files: PlannedFile[], owned: string[] = [], readElsewhere: string[] | null = []) => {
    const p = kubernetesPlan(spec({
      state: { ...FRESH, kubernetes: { namespaceExists: true, release: { revision: 1, values, status: 'deployed' }, secrets, ...(readElsewhere ? { readElsewhere } : {}), liveSecrets: Object.fromEntries(secrets.map((n) => [n, { type: 'Opaque', labels: {}, data: {}, ...(owned.includes(n) ? { owned: true as const } : {}) }])) } },
      files,
      secretsInUse: { names: inUse, why: 'the reason' },
    }));
    const i = p.steps.findIndex((s) => s.id === 'retire-secret');
    return i < 0 ? undefined : { last: i === p.steps.length - 1, title: p.steps[i]!.title, actions: p.steps[i]!.actions };
  };
  it('one no longer used is deleted, last, with the copy of the Secret manifest no longer rendered (the release reads a Secret of the user\'s now)', () => {
    expect(retire(['old'], ['theirs'], [valuesFile('A', 'http://p:1')])).toEqual({
      last: true,
      title: 'Delete Secret old: no longer used (the reason)',
      actions: [{ kind: 'exec', argv: ['kubectl', 'delete', 'secret', 'old', '-n', 'ns', '--ignore-not-found'], timeoutMs: expect.any(Number) }, { kind: 'remove', path: '/s/secret.yaml' }],
    });
  });
  it('the copy of a Secret manifest still rendered (the new name) stays', () => {
    expect(retire(['old'], ['new'], [valuesFile('A', 'http://p:1'), secretFile('t', 't')])?.actions).toEqual([{ kind: 'exec', argv: ['kubectl', 'delete', 'secret', 'old', '-n', 'ns', '--ignore-not-found'], timeoutMs: expect.any(Number) }]);
  });
  it('a Secret of hd-setup\'s still in use (kept as it is: its manifest not rendered) keeps the local copy', () => {
    expect(retire(['stray', 's1'], ['s1'], [valuesFile('A', 'http://p:1')])?.actions).toEqual([{ kind: 'exec', argv: ['kubectl', 'delete', 'secret', 'stray', '-n', 'ns', '--ignore-not-found'], timeoutMs: expect.any(Number) }]);
  });
  it('one another workload reads is left, with a warning; with what others read unknown, none is deleted', () => {
    expect(retire(['old', 'shared'], [], [valuesFile('A', 'http://p:1')], [], ['shared'])?.title).toBe('Delete Secret old: no longer used (the reason)');
    expect(retire(['old'], [], [valuesFile('A', 'http://p:1')], [], null)).toBeUndefined();
  });
  it('every one in use: nothing', () => {
    expect(retire(['a', 'b'], ['a', 'b'], [valuesFile('A', 'http://p:1')])).toBeUndefined();
  });
  it('one a controller owns (an ExternalSecret made it) is left to its owner', () => {
    expect(retire(['eso-target', 'old'], [], [valuesFile('A', 'http://p:1')], ['eso-target'])?.title).toBe('Delete Secret old: no longer used (the reason)');
    expect(retire(['eso-target'], [], [valuesFile('A', 'http://p:1')], ['eso-target'])).toBeUndefined();
  });
});
