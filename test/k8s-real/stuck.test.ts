// A pod stuck in a state that waiting will not resolve: the watcher beside helm's wait asks (a terminal) or
// stops (no terminal). Driven against the API server through the real kubectl; the screen's question is a
// pure reducer and key mapping, tested without Ink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesWatcher } from '../../src/exec/watch.js';
import type { HdEvent } from '../../src/exec/events.js';
import { initialStatus, statusReducer, stuckChoice } from '../../src/ui/status/reducer.js';
import { startBed, type Bed } from '../k8s-api/bed.js';

describe('the watcher ends the wait early, or keeps waiting when told to', () => {
  let bed: Bed;
  const saved = { PATH: process.env.PATH, KUBECONFIG: process.env.KUBECONFIG };
  beforeAll(async () => {
    bed = await startBed({ pods: 'CrashLoopBackOff', logs: 'ERROR Invalid token\n' });
    bed.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fivetran' } });
    bed.api.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hd-agent', namespace: 'fivetran' }, spec: { replicas: 1, selector: { matchLabels: { app: 'hd' } }, template: { metadata: { labels: { app: 'hd' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } } } });
    // The watcher runs kubectl from this process: point it at the bed.
    process.env.PATH = bed.env.PATH;
    process.env.KUBECONFIG = bed.kubeconfig;
  });
  afterAll(async () => {
    process.env.PATH = saved.PATH;
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
    await bed?.stop();
  });

  const watch = (decide?: (f: { message: string; fix: string }) => Promise<'stop' | 'wait'>) => {
    const events: HdEvent[] = [];
    const asked: string[] = [];
    let stopped: { message: string; fix: string } | undefined;
    const controller = new AbortController();
    const stop = kubernetesWatcher({
      namespace: 'fivetran',
      selector: 'app=hd',
      stepId: 'helm',
      emit: (e) => events.push(e),
      signal: controller.signal,
      stopEarly: (f) => (stopped = f),
      ...(decide
        ? {
            decide: async (f) => {
              asked.push(f.message);
              return decide(f);
            },
          }
        : {}),
    });
    return { events, asked, stop, stopped: () => stopped };
  };

  it('no terminal (no decide): a crash loop stops the wait at once, with the cause and the fix', async () => {
    const w = watch();
    for (let i = 0; i < 40 && !w.stopped(); i++) await new Promise((r) => setTimeout(r, 250));
    await w.stop(false);
    expect(w.stopped()?.message).toMatch(/^pod hd-agent-\S+ is crash-looping \(4 restarts\); last log line: ERROR Invalid token$/);
    expect(w.stopped()?.fix).toMatch(/kubectl logs hd-agent-\S+ -n fivetran --previous/);
  }, 60_000);

  it('a terminal that answers "keep waiting": asked once, the wait goes on', async () => {
    const w = watch(async () => 'wait');
    for (let i = 0; i < 40 && w.asked.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2500)); // more polls: not asked again, not stopped
    await w.stop(false);
    expect(w.asked).toHaveLength(1);
    expect(w.stopped()).toBeUndefined();
  }, 60_000);

  it('a terminal that answers "stop": the wait ends', async () => {
    const w = watch(async () => 'stop');
    for (let i = 0; i < 40 && !w.stopped(); i++) await new Promise((r) => setTimeout(r, 250));
    await w.stop(false);
    expect(w.asked).toHaveLength(1);
    expect(w.stopped()?.message).toContain('is crash-looping');
  }, 60_000);
});

describe('the question on the status screen (reducer and keys, without Ink)', () => {
  it('w keeps waiting; Enter, s or Esc stops; other keys do nothing', () => {
    expect(stuckChoice('w')).toBe('wait');
    expect(stuckChoice('W')).toBe('wait');
    expect(stuckChoice('s')).toBe('stop');
    expect(stuckChoice('', { return: true })).toBe('stop');
    expect(stuckChoice('', { escape: true })).toBe('stop');
    expect(stuckChoice('x')).toBeUndefined();
  });

  it('the question shows while asked, goes with the answer, and a kept wait is noted on the step', () => {
    let s = statusReducer(initialStatus, { type: 'plan', title: 'Fivetran agent on Kubernetes', steps: [{ id: 'helm', title: 'helm upgrade --install hd-agent' }] });
    s = statusReducer(s, { type: 'step:start', id: 'helm', title: 'helm upgrade --install hd-agent' });
    s = statusReducer(s, { type: 'stuck', id: 'helm', message: 'pod hd-agent-x is crash-looping', fix: 'read the logs' });
    expect(s.asking).toEqual({ id: 'helm', message: 'pod hd-agent-x is crash-looping', fix: 'read the logs' });
    const waited = statusReducer(s, { type: 'stuck:answered', id: 'helm', choice: 'wait' });
    expect(waited.asking).toBeUndefined();
    expect(waited.steps[0]!.notes).toEqual(['kept waiting (you chose w)']);
    const stopped = statusReducer(s, { type: 'stuck:answered', id: 'helm', choice: 'stop' });
    expect(stopped.asking).toBeUndefined();
    expect(stopped.steps[0]!.notes).toEqual([]);
  });

  it('the screen and the run meet: ask shows the question and waits; the key takes it off the screen and settles the ask', async () => {
    const { createEventBus } = await import('../../src/ui/status/StatusScreen.js');
    const { stuckQuestion } = await import('../../src/ui/status/run.js');
    const bus = createEventBus();
    let s = statusReducer(initialStatus, { type: 'plan', title: 't', steps: [{ id: 'helm', title: 'helm' }] });
    bus.subscribe((e) => (s = statusReducer(s, e)));
    bus.emit({ type: 'step:start', id: 'helm', title: 'helm' });
    const { ask, onAnswer } = stuckQuestion(bus, () => 'helm');
    const asked = ask({ message: 'pod x is crash-looping', fix: 'read the logs' });
    expect(s.asking).toMatchObject({ id: 'helm', message: 'pod x is crash-looping' });
    onAnswer('helm', 'wait');
    await expect(asked).resolves.toBe('wait');
    expect(s.asking).toBeUndefined();
    expect(s.steps[0]!.notes).toEqual(['kept waiting (you chose w)']);
    // a second stuck pod asks again; stop settles it
    const again = ask({ message: 'pod y is crash-looping', fix: 'read the logs' });
    onAnswer('helm', 'stop');
    await expect(again).resolves.toBe('stop');
    expect(s.asking).toBeUndefined();
  });
});
