// The Kubernetes plan's restart step, pure: where the chart takes a checksum annotation and it changes, the
// upgrade replaces the pods and no restart is planned; any change it does not see keeps the restart.
import { describe, expect, it } from 'vitest';
import { kubernetesPlan, type KubernetesPlanSpec } from '../src/plan/kubernetes.js';
import { FRESH, type PlannedFile } from '../src/plan/types.js';

const CHECKSUM = ['agent', 'annotations', 'checksum/config'];

function valuesFile(sum: string | undefined, proxy: string): PlannedFile {
  const annotations = sum ? `  annotations:\n    checksum/config: "${sum}"\n` : '';
  return { path: 'values.yaml', base: 'state', rel: 'values.yaml', mode: 0o644, secret: false, description: 'values', dest: '/s/values.yaml', content: `agent:\n${annotations}  image: x\nconfig:\n  https_proxy: "${proxy}"\n` };
}
const installed = (sum: string | undefined, proxy: string) => ({ agent: { ...(sum ? { annotations: { 'checksum/config': sum } } : {}), image: 'x' }, config: { https_proxy: proxy } });
const secretFile = (token: string, current: string): PlannedFile => ({ path: 'secret.yaml', base: 'state', rel: 'secret.yaml', mode: 0o600, secret: true, description: 's', dest: '/s/secret.yaml', content: token, current });

function plan(files: PlannedFile[], values: Record<string, unknown>, podChecksum?: string[]) {
  const spec: KubernetesPlanSpec = {
    product: 'p',
    k: { namespace: 'ns', release: 'rel', chart: 'c', timeout: '5m', selector: 'a=b' },
    timeoutSetting: 'p.timeout',
    namespaceSetting: 'p.namespace',
    state: { ...FRESH, kubernetes: { namespaceExists: true, release: { revision: 1, values, status: 'deployed' } } },
    files,
    checks: [],
    manifests: [['secret.yaml', 'secret', 'Apply Secret', 'Secret']],
    logs: 'deploy/rel',
    ...(podChecksum ? { podChecksum } : {}),
  };
  const p = kubernetesPlan(spec);
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
