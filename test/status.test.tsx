import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import type { HdEvent, Summary } from '../src/exec/events.js';
import { StatusApp, StatusView, createEventBus } from '../src/ui/status/StatusScreen.js';
import { initialStatus, statusReducer, TAIL_LINES } from '../src/ui/status/reducer.js';
import { jsonReporter, plainReporter } from '../src/ui/reporters.js';
import { frameOf } from './ink-frames.js';
import { animationEnabled, colorsEnabled } from '../src/ui/theme.js';

const tick = () => new Promise((r) => setImmediate(() => setTimeout(r, 0)));

const base: Summary = { ok: true, cancelled: false, done: [], skipped: [], notRun: [], changes: [], backups: [], warnings: [], nextSteps: [] };

const plan: HdEvent = {
  type: 'plan',
  title: 'Fivetran agent on docker',
  steps: [
    { id: 'preflight', title: 'Preflight checks' },
    { id: 'files', title: 'Write configuration files' },
    { id: 'image', title: 'Pull image agent:latest' },
    { id: 'container:controller', title: 'Run container controller' },
  ],
};

const success: HdEvent[] = [
  plan,
  { type: 'step:start', id: 'preflight', title: 'Preflight checks' },
  { type: 'check', id: 'preflight', check: { id: 'memory', status: 'warn', message: '8 GB RAM', fix: 'add memory' } },
  { type: 'step:done', id: 'preflight' },
  { type: 'step:start', id: 'files', title: 'Write configuration files' },
  { type: 'step:done', id: 'files' },
  { type: 'step:skip', id: 'image', reason: 'image is present locally' },
  { type: 'step:start', id: 'container:controller', title: 'Run container controller' },
  { type: 'command', id: 'container:controller', command: 'docker run -d --name controller agent:latest -f /conf/config.json' },
  { type: 'output', id: 'container:controller', line: 'f00dfeed', stream: 'stdout' },
  { type: 'step:done', id: 'container:controller' },
  {
    type: 'done',
    summary: { ...base, done: ['preflight', 'files', 'container:controller'], skipped: ['image'], changes: ['wrote /x/conf/config.json (0600)'], nextSteps: ['Logs:    docker logs -f controller'] },
  },
];

describe('status reducer', () => {
  it('tracks each step through pending, running, done, skipped, failed, cancelled', () => {
    let s = statusReducer(initialStatus, plan, 0);
    expect(s.steps.map((x) => x.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    s = statusReducer(s, { type: 'step:start', id: 'preflight', title: 'Preflight checks' }, 10);
    expect(s.steps[0]).toMatchObject({ status: 'running', startedAt: 10 });
    s = statusReducer(s, { type: 'step:done', id: 'preflight' }, 30);
    s = statusReducer(s, { type: 'step:skip', id: 'files', reason: 'up to date' });
    s = statusReducer(s, { type: 'step:fail', id: 'image', error: 'boom', fix: 'do x' });
    s = statusReducer(s, { type: 'step:cancel', id: 'container:controller' });
    expect(s.steps.map((x) => x.status)).toEqual(['done', 'skipped', 'failed', 'cancelled']);
    expect(s.steps[2]).toMatchObject({ error: 'boom', fix: 'do x' });
  });
  it('keeps a bounded tail of output', () => {
    let s = statusReducer(initialStatus, plan);
    s = statusReducer(s, { type: 'command', id: 'image', command: 'docker pull x' });
    for (let i = 0; i < 50; i++) s = statusReducer(s, { type: 'output', id: 'image', line: `line ${i}`, stream: 'stdout' });
    expect(s.tail).toHaveLength(TAIL_LINES);
    expect(s.tail.at(-1)).toBe('line 49');
  });
});

describe('status screen (ink-testing-library)', () => {
  it('success: steps, the skipped reason, warnings with fixes, and the summary with next steps', async () => {
    const bus = createEventBus();
    const app = render(<StatusApp source={bus} animate={false} />);
    for (const e of success.slice(0, 9)) bus.emit(e);
    await tick();
    let frame = frameOf(app);
    expect(frame).toContain('installing Fivetran agent on docker');
    expect(frame).toContain('✔ Preflight checks');
    expect(frame).toContain('fix: add memory');
    expect(frame).toContain('↷ Pull image agent:latest');
    expect(frame).toContain('(image is present locally)');
    expect(frame).toContain('… Run container controller');
    expect(frame).toContain('$ docker run -d --name controller');
    for (const e of success.slice(9)) bus.emit(e);
    await tick();
    frame = frameOf(app);
    expect(frame).toContain('✔ Fivetran agent on docker: done.');
    expect(frame).toContain('Logs:    docker logs -f controller');
    app.unmount();
  });

  it('a failed step shows the error and the fix, not just stderr', async () => {
    const bus = createEventBus();
    const app = render(<StatusApp source={bus} animate={false} />);
    bus.emit(plan);
    bus.emit({ type: 'step:start', id: 'preflight', title: 'Preflight checks' });
    bus.emit({ type: 'step:fail', id: 'preflight', error: 'socket: the docker daemon is not reachable', fix: 'start it: sudo systemctl start docker', output: ['Cannot connect to the Docker daemon'] });
    for (const id of ['files', 'image', 'container:controller']) bus.emit({ type: 'step:cancel', id });
    bus.emit({ type: 'done', summary: { ...base, ok: false, failed: 'preflight', error: 'socket: the docker daemon is not reachable', fix: 'start it: sudo systemctl start docker', notRun: ['files', 'image', 'container:controller'] } });
    await tick();
    const frame = frameOf(app);
    expect(frame).toContain('✖ Preflight checks');
    expect(frame).toContain('fix: start it: sudo systemctl start docker');
    expect(frame).toContain('Cannot connect to the Docker daemon');
    expect(frame).toContain('failed at "preflight"'); // a summary without titles names the step by its id
    expect(frame).toContain('Not done: files, image, container:controller');
    app.unmount();
  });

  it('a restart is one screen: the start\'s steps follow the stop\'s, under "restarting"; a step id both have is the later one\'s', () => {
    let s = statusReducer(initialStatus, { type: 'plan', title: 'Fivetran agent on docker', verb: 'restarting', steps: [{ id: 'boot', title: 'Disable start on boot' }, { id: 'stop', title: 'Stop controller' }] }, 0);
    for (const id of ['boot', 'stop']) s = statusReducer(statusReducer(s, { type: 'step:start', id, title: id }, 1), { type: 'step:done', id }, 2);
    s = statusReducer(s, { type: 'plan', title: 'Fivetran agent on docker', verb: 'restarting', append: true, steps: [{ id: 'preflight', title: 'Preflight checks' }, { id: 'boot', title: 'Start on boot' }] }, 3);
    expect(s.verb).toBe('restarting');
    expect(s.steps.map((x) => `${x.id}:${x.status}`)).toEqual(['boot:done', 'stop:done', 'preflight:pending', 'boot:pending']);
    s = statusReducer(s, { type: 'step:start', id: 'boot', title: 'Start on boot' }, 4);
    expect(s.steps.map((x) => `${x.title}:${x.status}`)).toEqual(['boot:done', 'stop:done', 'Preflight checks:pending', 'Start on boot:running']);
    // A plan that is not a continuation starts the screen afresh.
    expect(statusReducer(s, { type: 'plan', title: 'x', steps: [{ id: 'a', title: 'a' }] }, 5).steps.map((x) => x.id)).toEqual(['a']);
  });

  it('a resize fits the screen again at the new width: nothing cut at the edge, shorter than the terminal', async () => {
    let cols = 100;
    const bus = createEventBus();
    const app = render(<StatusApp source={bus} animate={false} />);
    Object.defineProperty(app.stdout, 'columns', { get: () => cols, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { get: () => 9, configurable: true });
    bus.emit(plan);
    bus.emit({ type: 'step:start', id: 'preflight', title: 'Preflight checks' });
    const error = 'socket: the docker daemon at unix:///run/user/1000/docker.sock is not reachable from here end-of-error';
    bus.emit({ type: 'step:fail', id: 'preflight', error, fix: 'start it: systemctl --user start docker' });
    bus.emit({ type: 'step:start', id: 'files', title: 'Write the files' });
    await tick();
    expect(frameOf(app)).toContain('end-of-error');
    cols = 50;
    app.stdout.emit('resize');
    await tick();
    const frame = frameOf(app).split('\n');
    for (const l of frame) expect([...l].length, l).toBeLessThanOrEqual(50);
    expect(frame.join('\n')).toContain('end-of-error');
    // Counted at the new width: the frame stays shorter than the terminal (else Ink clears it, and the scrollback).
    expect(frame.length).toBeLessThanOrEqual(9 - 2);
    app.unmount();
  });

  it('Ctrl-C: unfinished steps cancelled, the summary says what changed and what did not', async () => {
    const bus = createEventBus();
    const app = render(<StatusApp source={bus} animate={false} />);
    bus.emit(plan);
    bus.emit({ type: 'step:start', id: 'preflight', title: 'Preflight checks' });
    bus.emit({ type: 'step:done', id: 'preflight' });
    bus.emit({ type: 'step:start', id: 'files', title: 'Write configuration files' });
    bus.emit({ type: 'step:done', id: 'files' });
    bus.emit({ type: 'step:start', id: 'image', title: 'Pull image agent:latest' });
    bus.emit({ type: 'command', id: 'image', command: 'docker pull agent:latest' });
    await tick();
    expect(frameOf(app)).toContain('$ docker pull agent:latest');
    bus.emit({ type: 'step:cancel', id: 'image' });
    bus.emit({ type: 'step:cancel', id: 'container:controller' });
    bus.emit({ type: 'done', summary: { ...base, ok: false, cancelled: true, done: ['preflight', 'files'], notRun: ['image', 'container:controller'], changes: ['wrote /x/conf/config.json (0600)'] } });
    await tick();
    const frame = frameOf(app);
    expect(frame).toContain('⊘ Pull image agent:latest');
    expect(frame).toContain('⊘ Run container controller');
    expect(frame).toContain('cancelled.');
    expect(frame).toContain('wrote /x/conf/config.json (0600)');
    expect(frame).toContain('Not done: image, container:controller');
    app.unmount();
  });

  it('renders a spinner only when animating', () => {
    let s = statusReducer(initialStatus, plan);
    s = statusReducer(s, { type: 'step:start', id: 'preflight', title: 'Preflight checks' });
    const still = render(<StatusView state={s} animate={false} />);
    expect(still.lastFrame()).toContain('… Preflight checks');
    still.unmount();
    const moving = render(<StatusView state={s} animate={true} frame={3} />);
    expect(moving.lastFrame()).toContain('⠸ Preflight checks');
    moving.unmount();
  });
});

describe('plain and JSON reporters', () => {
  it('plain lines', () => {
    const out: string[] = [];
    const emit = plainReporter((s) => out.push(s));
    for (const e of success) emit(e);
    const text = out.join('');
    expect(text).toContain('hd-setup: installing Fivetran agent on docker');
    expect(text).toContain('[1/4] Preflight checks ...');
    expect(text).toContain('warn memory: 8 GB RAM');
    expect(text).toContain('fix: add memory');
    // skipped before it started: the line names the step
    expect(text).toContain('[3/4] Pull image agent:latest ... skipped: image is present locally');
    expect(text).toContain('$ docker run -d --name controller');
    expect(text).toContain('✔ Fivetran agent on docker: done.');
    expect(text).not.toMatch(/\x1b\[/);
  });
  it('JSON lines: one parseable event per line', () => {
    const out: string[] = [];
    const emit = jsonReporter((s) => out.push(s));
    for (const e of success) emit(e);
    const events = out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(success.map((e) => e.type));
    expect(events.every((e) => typeof e.time === 'string')).toBe(true);
  });
});

describe('colour and animation', () => {
  it('a plain terminal animates and colours; NO_COLOR, CI, NODE_ENV=test and VITEST each stop the spinner, only NO_COLOR the colour', () => {
    expect(animationEnabled({})).toBe(true);
    expect(colorsEnabled({})).toBe(true);
    for (const env of [{ NO_COLOR: '1' }, { CI: 'true' }, { NODE_ENV: 'test' }, { VITEST: 'true' }]) expect(animationEnabled(env), JSON.stringify(env)).toBe(false);
    expect(animationEnabled({ NODE_ENV: 'production' })).toBe(true);
    expect(colorsEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorsEnabled({ CI: 'true' })).toBe(true);
  });
});
