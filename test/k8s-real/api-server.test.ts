// The test API server itself, driven by the real kubectl: selectors, the patch types, server-side apply,
// watch (through `kubectl rollout status` and `kubectl wait`), scale, logs, deletecollection. If one of these
// breaks, the hd-setup tests built on it would mislead, so it is pinned here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBed, runProcess, type Bed } from '../k8s-api/bed.js';
import { jsonPatch, mergePatch, strategicMerge } from '../k8s-api/patch.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let bed: Bed;
beforeAll(async () => {
  bed = await startBed({ logs: 'one\ntwo\nthree\n' });
  bed.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 't' } });
});
afterAll(() => bed?.stop());

const kubectl = async (...args: string[]) => {
  const r = await bed.kubectl(...args);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
};
const apply = (yaml: string, ...flags: string[]) => runProcess([`${bed.env.PATH!.split(':')[0]}/kubectl`, 'apply', '-f', '-', ...flags], { env: bed.env, input: yaml });

describe('the API server, through the real kubectl', () => {
  it('label and field selectors', async () => {
    for (const [name, labels] of [['a', 'tier: web'], ['b', 'tier: db'], ['c', 'other: x']]) {
      expect((await apply(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: t, labels: {${labels}}}\ndata: {k: v}\n`)).code).toBe(0);
    }
    expect(await kubectl('get', 'cm', '-n', 't', '-l', 'tier in (web,db)', '-o', 'name')).toBe('configmap/a\nconfigmap/b');
    expect(await kubectl('get', 'cm', '-n', 't', '-l', '!tier', '-o', 'name')).toBe('configmap/c');
    expect(await kubectl('get', 'cm', '-n', 't', '-l', 'tier!=web', '-o', 'name')).toBe('configmap/b\nconfigmap/c');
    expect(await kubectl('get', 'cm', '-n', 't', '--field-selector', 'metadata.name=b', '-o', 'name')).toBe('configmap/b');
  }, 120_000);

  it('merge, strategic and JSON patches; client-side apply (configured / unchanged as on a real server); server-side apply', async () => {
    await kubectl('patch', 'cm', 'a', '-n', 't', '--type', 'merge', '-p', '{"data":{"k":null,"m":"1"}}');
    await kubectl('patch', 'cm', 'a', '-n', 't', '--type', 'json', '-p', '[{"op":"add","path":"/data/j","value":"2"}]');
    await kubectl('patch', 'cm', 'a', '-n', 't', '-p', '{"data":{"s":"3"}}');
    expect(JSON.parse(await kubectl('get', 'cm', 'a', '-n', 't', '-o', 'json')).data).toEqual({ m: '1', j: '2', s: '3' });
    // As on a real server, a Secret applied with stringData is "configured" every time (stringData is not
    // stored, so kubectl's three-way patch always re-adds it); with data it is "unchanged".
    const withStringData = 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: t}\nstringData: {token: abc}\n';
    expect((await apply(withStringData)).stdout).toContain('secret/s created');
    expect((await apply(withStringData)).stdout).toContain('secret/s configured');
    const withData = `apiVersion: v1\nkind: Secret\nmetadata: {name: s3, namespace: t}\ndata: {token: ${Buffer.from('abc').toString('base64')}}\n`;
    expect((await apply(withData)).stdout).toContain('secret/s3 created');
    expect((await apply(withData)).stdout).toContain('secret/s3 unchanged');
    const ssa = await apply('apiVersion: v1\nkind: Secret\nmetadata: {name: s2, namespace: t}\nstringData: {token: xyz}\n', '--server-side');
    expect(ssa.stdout + ssa.stderr).toContain('secret/s2 serverside-applied');
    expect(Buffer.from(JSON.parse(await kubectl('get', 'secret', 's2', '-n', 't', '-o', 'json')).data.token, 'base64').toString()).toBe('xyz');
  }, 120_000);

  it('a Deployment rolls out (watch), scales, serves logs; delete waits for the pods to go (watch)', async () => {
    const dep = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: t}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: main, image: nginx}]}\n';
    expect((await apply(dep)).code).toBe(0);
    expect(await kubectl('rollout', 'status', 'deployment/web', '-n', 't', '--timeout=20s')).toContain('successfully rolled out');
    await kubectl('scale', 'deployment', 'web', '-n', 't', '--replicas=3');
    expect(await kubectl('rollout', 'status', 'deployment/web', '-n', 't', '--timeout=20s')).toContain('successfully rolled out');
    const pods = JSON.parse(await kubectl('get', 'pods', '-n', 't', '-l', 'app=web', '-o', 'json')).items as Obj[];
    expect(pods).toHaveLength(3);
    expect(await kubectl('logs', pods[0]!.metadata.name, '-n', 't', '--tail=2')).toBe('two\nthree');
    await kubectl('delete', 'deployment', 'web', '-n', 't', '--wait=true');
    expect(bed.api.objects('', 'pods', 't')).toEqual([]);
    expect(bed.api.objects('apps', 'replicasets', 't')).toEqual([]);
  }, 120_000);

  it('deletecollection by label; a 403 for a forbidden verb', async () => {
    await kubectl('delete', 'cm', '-n', 't', '-l', 'tier');
    expect(await kubectl('get', 'cm', '-n', 't', '-o', 'name')).toBe('configmap/c');
    bed.api.scenario.forbidden = ['delete configmaps'];
    const r = await bed.kubectl('delete', 'cm', 'c', '-n', 't');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden): configmaps "c" is forbidden: User "test-user" cannot delete resource "configmaps"');
    expect(await kubectl('auth', 'can-i', 'get', 'configmaps', '-n', 't')).toBe('yes');
    const no = await bed.kubectl('auth', 'can-i', 'delete', 'configmaps', '-n', 't');
    expect(no.stdout.trim()).toMatch(/^no\b/);
    bed.api.scenario.forbidden = [];
  }, 120_000);
});

describe('patch functions', () => {
  it('strategic merge: lists merged by key, $patch delete, $setElementOrder; other lists replaced', () => {
    const cur = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }, { name: 'F', value: '2' }] }, { name: 'b', image: 'y' }], args: ['1', '2'] } };
    const patch = {
      spec: {
        containers: [{ name: 'a', env: [{ name: 'F', $patch: 'delete' }, { name: 'G', value: '3' }] }],
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
        args: ['3'],
      },
    };
    expect(strategicMerge(cur, patch)).toEqual({
      spec: { containers: [{ name: 'b', image: 'y' }, { name: 'a', image: 'x', env: [{ name: 'E', value: '1' }, { name: 'G', value: '3' }] }], args: ['3'] },
    });
  });
  it('merge patch and JSON patch', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: null }, d: [2] })).toEqual({ a: { c: 2 }, d: [2] });
    expect(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/1', value: 9 }, { op: 'remove', path: '/a/0' }, { op: 'replace', path: '/a/1', value: 3 }])).toEqual({ a: [9, 3] });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test failed/);
  });
});
