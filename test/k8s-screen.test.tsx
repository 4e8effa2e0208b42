// The live status screen over a real execution of a Kubernetes plan: the real helm and kubectl against the
// in-memory API server (test/k8s-api) and the vendored chart.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { join } from 'node:path';
import { buildPlan } from '../src/service/plan.js';
import { installName, productOf } from '../src/products/index.js';
import { FRESH, type HostFacts } from '../src/plan/types.js';
import { execute } from '../src/exec/execute.js';
import { allChecks } from '../src/exec/checks.js';
import { kubernetesWatcher } from '../src/exec/watch.js';
import { Redactor } from '../src/util/redact.js';
import { StatusApp, createEventBus } from '../src/ui/status/StatusScreen.js';
import { summaryLines } from '../src/ui/summary.js';
import { SECRET_ENV, load } from './helpers.js';
import { CHARTS, startBed } from './k8s-api/bed.js';
import type { Scenario } from './k8s-api/server.js';
import { frameOf } from './ink-frames.js';

async function runScreen(scenario: Partial<Scenario>) {
  const bed = await startBed(scenario, SECRET_ENV);
  bed.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
  const saved = { ...process.env };
  Object.assign(process.env, bed.env);
  try {
    return await screen(bed.home);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await bed.stop();
  }
}

async function screen(dir: string) {
  const { model, secrets } = load({ preset: 'fivetran-kubernetes', sets: [`fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`, 'fivetran.kubernetes.timeout=8s'] });
  const host: HostFacts = { home: dir, user: 'ana', uid: 1000, runtimeBin: '', rootless: false, socket: '', selinux: false, systemdUser: false, version: 'test' };
  const plan = buildPlan(model, host, FRESH);
  const bus = createEventBus();
  // What the user sees: the last frame, and the summary printed below it when it did not fit in the frame
  let inFrame: boolean | undefined;
  const app = render(<StatusApp source={bus} animate={false} onSummary={(shown) => (inFrame = shown)} />);
  const summary = await execute(plan, {
    emit: bus.emit,
    redactor: new Redactor(secrets),
    signal: new AbortController().signal,
    checks: allChecks,
    checkContext: { model, product: productOf(model), host, state: FRESH, installDir: dir, allowRoot: true, env: process.env },
    skipChecks: [],
    watcher: kubernetesWatcher,
  });
  await new Promise((r) => setTimeout(r, 20));
  // the screen says where the summary goes when it exits (an effect, after the last event)
  for (let i = 0; i < 500 && inFrame === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  const below = inFrame === false ? `\n${summaryLines(summary, installName(model.product, model.runtime)).join('\n')}` : '';
  const frame = `${frameOf(app)}${below}`.replace(/\s+/g, " ");
  app.unmount();
  return { summary, frame };
}

describe('status screen over a Kubernetes install (real helm and kubectl)', () => {
  it('success: every step done, the release revision and pods ready', async () => {
    const { summary, frame } = await runScreen({});
    expect(summary.ok).toBe(true);
    expect(frame).toContain('✔ Preflight checks');
    expect(frame).toContain('✔ Apply Secret hd-agent-hd-setup-token');
    expect(frame).toContain('✔ helm upgrade --install hd-agent');
    expect(frame).toContain('release hd-agent revision 1 (deployed), 1/1 pods ready');
    expect(frame).toContain('✔ Fivetran agent on Kubernetes: done.');
  });

  it('ImagePullBackOff: the cause and its fix on the screen', async () => {
    const { summary, frame } = await runScreen({ pods: 'ImagePullBackOff' });
    expect(summary.ok).toBe(false);
    expect(frame).toContain('✖ helm upgrade --install hd-agent');
    expect(frame).toMatch(/cannot pull image us-docker\.pkg\.dev/);
    expect(frame).toContain('ImagePullBackOff');
    expect(frame).toMatch(/fix: check that the nodes reach the registry/);
    expect(frame).toContain('failed at "helm upgrade --install hd-agent"');
  });
});
