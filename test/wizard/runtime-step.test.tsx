// The runtime step: what it says about the host when a runtime is chosen (root, an old runtime, a
// rootless docker socket not in DOCKER_HOST), the Kubernetes context picker (every context, probed in
// parallel, bounded), and the context shown on every Kubernetes screen.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { detectHost, detectRuntime } from '../../src/exec/detect.js';
import { join } from 'node:path';
import { render as inkRender } from 'ink-testing-library';
import { runtimeNotes, kubeContexts, versionNotes } from '../../src/service/host.js';
import { PRODUCTS, findProduct } from '../../src/products/index.js';
import { runtimeNotesFor } from '../../src/ui/wiz/questions.js';
import { containerChecks, type CheckContext } from '../../src/exec/preflight.js';
import { PROBE_CONCURRENCY } from '../../src/exec/kube-contexts.js';
import { createState, currentQuestion, reduce } from '../../src/ui/wiz/state.js';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import type { Detection } from '../../src/ui/wiz/questions.js';
import { ROOT, TOKEN, tmp } from '../helpers.js';
import { frameOf, until } from '../ink-frames.js';
import { drive, hasScript, lastFrame } from './pty-helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';

const rt = (version: string, rootless: boolean) => ({ bin: '/usr/bin/x', version, rootless, socket: rootless ? '/run/user/1000/docker.sock' : '/var/run/docker.sock', reachable: true });

describe('runtime notes', () => {
  it('root: refused without --allow-root, a recommendation with it', () => {
    expect(runtimeNotes({ uid: 0, allowRoot: false, env: {} }).docker).toEqual([expect.stringMatching(/^running as root: the install will refuse it.*--allow-root$/)]);
    expect(runtimeNotes({ uid: 0, allowRoot: true, env: {} }).podman).toEqual(['running as root (--allow-root): the vendors recommend a regular user with rootless podman or docker']);
    expect(runtimeNotes({ uid: 1000, allowRoot: false, env: {} }).docker).toEqual([]);
  });
  it('a rootless docker whose socket is not DOCKER_HOST', () => {
    const n = runtimeNotes({ uid: 1000, allowRoot: false, docker: rt('20.10.5', true), podman: rt('4.3.1', true), env: {} });
    expect(n.docker).toEqual([
      'rootless docker: its socket is /run/user/1000/docker.sock, and DOCKER_HOST is not set; run: export DOCKER_HOST=unix:///run/user/1000/docker.sock (then start hd-setup again), so that hd-setup, the boot unit and the containers all use that daemon',
    ]);
    expect(n.podman).toEqual([]);
    expect(runtimeNotes({ uid: 1000, allowRoot: false, docker: rt('28.0.0', true), env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' } }).docker).toEqual([]);
  });
  it('Kubernetes without kubectl, helm or a context: said when it is chosen, with the fix (the review failed later)', () => {
    const k = (kubectl: boolean, helm: boolean, contexts: number) => runtimeNotes({ uid: 1000, allowRoot: false, kube: { kubectl, helm, contexts }, env: {} }).kubernetes;
    expect(k(false, false, 0)).toEqual(['kubectl is not on PATH: install kubectl and helm 3, set up a context for your cluster, then start hd-setup again']);
    expect(k(true, true, 0)).toEqual(['kubectl has no context: set one up for your cluster (kubectl config set-context, or KUBECONFIG=FILE), then start hd-setup again']);
    expect(k(true, false, 2)).toEqual(['helm is not on PATH: install helm 3 (the install runs helm upgrade --install), then start hd-setup again']);
    expect(k(true, true, 1)).toEqual([]);
  });
  it('a daemon that does not answer: said at the runtime step with its fix', () => {
    const down = { bin: '/usr/bin/x', version: '28.2.2', rootless: false, socket: '/var/run/docker.sock', reachable: false };
    expect(runtimeNotes({ uid: 1000, allowRoot: false, docker: down, env: {} }).docker).toEqual([
      'the docker daemon does not answer at /var/run/docker.sock: start it (sudo systemctl start docker; rootless: systemctl --user start docker), or set DOCKER_HOST to its socket',
    ]);
    expect(runtimeNotes({ uid: 1000, allowRoot: false, podman: { ...down, version: '4.3.1' }, env: {} }).podman).toEqual([expect.stringMatching(/^podman does not answer "podman info"/)]);
  });
  it('detection: DOCKER_HOST not set, the rootful daemon out of reach, and the user\'s own daemon at $XDG_RUNTIME_DIR/docker.sock', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'xdg'));
    writeFileSync(join(dir, 'bin', 'docker'), '#!/bin/sh\n[ "$1" = --version ] && { echo "Docker version 28.2.2, build x"; exit 0; }\necho "permission denied while trying to connect to the Docker daemon socket" >&2; exit 1\n', { mode: 0o755 });
    const env = { PATH: join(dir, 'bin'), XDG_RUNTIME_DIR: join(dir, 'xdg') };
    // no user socket: not reachable, not rootless, and the note says to start it
    const plain = await detectRuntime('docker', env);
    expect(plain).toMatchObject({ version: '28.2.2', rootless: false, reachable: false, socket: '/var/run/docker.sock' });
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(dir, 'xdg', 'docker.sock'), r));
    try {
      const info = await detectRuntime('docker', env);
      expect(info).toMatchObject({ rootless: true, reachable: false, socket: join(dir, 'xdg', 'docker.sock') });
      expect(runtimeNotes({ uid: 1000, allowRoot: false, docker: info, env }).docker).toEqual([expect.stringContaining(`run: export DOCKER_HOST=unix://${join(dir, 'xdg', 'docker.sock')}`)]);
      // preflight says the same at the review, for `install` too
      const check = await containerChecks.socket!({ model: { product: 'fivetran', runtime: 'docker' } as never, product: findProduct('fivetran')!, host: { runtime: info, socket: info.socket } as never } as unknown as CheckContext);
      expect(check).toMatchObject({ status: 'fail', fix: `export DOCKER_HOST=unix://${join(dir, 'xdg', 'docker.sock')} and run hd-setup again` });
      // the boot unit must reach the same daemon: the host facts carry it
      expect((await detectHost('docker', { env })).dockerHost).toBe(`unix://${join(dir, 'xdg', 'docker.sock')}`);
      expect((await detectHost('docker', { env: { ...env, DOCKER_HOST: 'tcp://10.0.0.5:2375' } })).dockerHost).toBe('tcp://10.0.0.5:2375');
      expect((await detectHost('podman', { env })).dockerHost).toBeUndefined();
      // with DOCKER_HOST set, it is asked as it is: nothing guessed
      expect(await detectRuntime('docker', { ...env, DOCKER_HOST: 'unix:///nowhere.sock' })).toMatchObject({ rootless: false, socket: '/nowhere.sock' });
    } finally {
      server.close();
    }
  });
  it('an old runtime: against the chosen product\'s own minimum (its module\'s data), never another product\'s', () => {
    const host = { docker: rt('20.10.5', false), podman: rt('4.3.1', true) };
    const fivetran = versionNotes(host, findProduct('fivetran')!);
    expect(fivetran.docker).toEqual(['docker 20.10.5 is older than 20.10.17, the minimum the Fivetran Hybrid Deployment Agent requires: upgrade docker (or the check fails at the review)']);
    expect(fivetran.podman).toEqual([expect.stringContaining('podman 4.3.1 is older than 4.5.0, the minimum the Fivetran Hybrid Deployment Agent requires')]);
    // Tobiko states no minimum: nothing is said, and surely not Fivetran's
    const tobiko = versionNotes(host, findProduct('tobiko')!);
    expect(tobiko).toEqual({ docker: [], podman: [], kubernetes: [] });
    // a product's own minimum, whatever it is: the numbers come from the module
    const fake = { title: 'Echo agent', host: { runtimeMinimums: { docker: '19.0.0', podman: '4.4.0' } } };
    expect(versionNotes(host, fake).podman).toEqual(['podman 4.3.1 is older than 4.4.0, the minimum the Echo agent requires: upgrade podman (or the check fails at the review)']);
    expect(versionNotes(host, fake).docker).toEqual([]);
    // the runtime step shows the host's notes, then the chosen product's
    const d = { runtimeNotes: { podman: ['host note'] }, productNotes: Object.fromEntries(PRODUCTS.map((m) => [m.id, versionNotes(host, m)])) };
    expect(runtimeNotesFor(d, 'tobiko', 'podman')).toEqual(['host note']);
    expect(runtimeNotesFor(d, 'fivetran', 'podman')).toEqual(['host note', expect.stringContaining('the minimum the Fivetran Hybrid Deployment Agent requires')]);
  });
  it('preflight\'s runtime-version check: the same minimum, the product\'s own', async () => {
    const check = (product: string, runtime: 'docker' | 'podman', version: string) =>
      containerChecks['runtime-version']!({ model: { product, runtime } as never, product: findProduct(product)!, host: { runtime: { ...rt(version, true) } } as never } as unknown as CheckContext);
    expect(await check('fivetran', 'podman', '4.3.1')).toMatchObject({ status: 'fail', message: 'podman 4.3.1 is older than the required 4.5.0' });
    expect(await check('fivetran', 'podman', '4.9.3')).toMatchObject({ status: 'ok' });
    const tobiko = await check('tobiko', 'podman', '4.3.1');
    expect(tobiko).toEqual({ status: 'ok', message: 'podman 4.3.1 (no minimum version is stated for the Tobiko Cloud hybrid executors)' });
    expect(JSON.stringify(tobiko)).not.toMatch(/Fivetran|4\.5\.0/);
  });
});

const CONTEXTS: Detection['kubeContexts'] = [
  { name: 'dead', current: true, reachable: false, problem: 'no answer in time' },
  { name: 'staging-live', current: false, reachable: true, version: 'v1.30.2' },
];
const paths = { fivetran: 'fivetran.kubernetes.context', tobiko: 'tobiko.kubernetes.context' };

describe('the context picker (state, no Ink)', () => {
  const submit = (s: ReturnType<typeof createState>, v: string) => reduce(s, { type: 'submit', value: v });
  it('lists every context with reachability and version; another than the current is written', () => {
    let s = submit(submit(createState({}, { kubeContexts: CONTEXTS, contextPaths: paths, kubeContext: 'dead' }), 'fivetran'), 'kubernetes');
    const q = currentQuestion(s);
    expect(q.id).toBe('context');
    expect(q.kind === 'select' && q.options).toEqual([
      { label: 'dead', value: 'dead', hint: 'current · not reachable: no answer in time' },
      { label: 'staging-live', value: 'staging-live', hint: 'reachable, Kubernetes v1.30.2' },
    ]);
    s = submit(s, 'staging-live');
    expect(s.answers.fivetran.kubernetes.context).toBe('staging-live');
    // the current one stays implicit, as an install without --context
    s = submit(reduce(s, { type: 'back' }), 'dead');
    expect(s.answers.fivetran?.kubernetes?.context).toBeUndefined();
  });
  it('--context preselects its context', () => {
    const s = submit(submit(createState({}, { kubeContexts: CONTEXTS, contextPaths: paths, contextFlag: 'staging-live' }), 'tobiko'), 'kubernetes');
    const q = currentQuestion(s);
    expect(q.kind === 'select' && q.initial).toBe('staging-live');
    // the runtime list names the context in use, not the kubeconfig's current one
    const rt = currentQuestion(submit(createState({}, { kubeContext: 'dead', kubeContexts: CONTEXTS, contextPaths: paths, contextFlag: 'staging-live' }), 'tobiko'));
    expect(rt.kind === 'select' && rt.options.find((o) => o.value === 'kubernetes')?.hint).toBe('context staging-live (--context)');
  });
});

const mount = (initial: Record<string, unknown>, detection: Detection) =>
  inkRender(<WizardApp initial={initial} detection={detection} review={async () => ({ ok: true, text: 'Files' })} save={async () => ''} onDone={() => {}} />);

describe('the mounted runtime step', () => {
  it('the notes of the highlighted runtime show on the runtime screen', async () => {
    const app = mount({ product: 'fivetran' }, { docker: { version: '20.10.5', rootless: false, reachable: true }, runtimeNotes: { docker: ['running as root: the install will refuse it'], podman: [], kubernetes: [] } });
    await until(() => frameOf(app).includes('Where should it run?'));
    expect(frameOf(app)).toContain('⚠ running as root: the install will refuse it');
    app.stdin.write('\x1b[B'); // podman: nothing to say
    await until(() => !frameOf(app).includes('⚠'));
    expect(frameOf(app)).not.toContain('⚠');
    app.unmount();
  });
  it('every Kubernetes screen shows the context in use', async () => {
    const app = mount({ product: 'fivetran', runtime: 'kubernetes', fivetran: { token: TOKEN, kubernetes: { context: 'staging-live' } } }, { kubeContexts: CONTEXTS, contextPaths: paths });
    await until(() => frameOf(app).includes('Review'));
    expect(frameOf(app)).toContain('· Kubernetes context staging-live');
    for (let i = 0; i < 8 && !frameOf(app).includes('Which Kubernetes cluster'); i++) {
      expect(frameOf(app)).toContain('· Kubernetes context staging-live');
      app.stdin.write('\x1b');
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(frameOf(app)).toContain('staging-live  reachable, Kubernetes v1.30.2');
    app.unmount();
  });
});

describe('probing the contexts', () => {
  it('every context, at most PROBE_CONCURRENCY at once, a dead or hanging one cut short', async () => {
    const state = tmp();
    const names = Array.from({ length: 8 }, (_, i) => `c${i}:ok`);
    const env = { PATH: `${join(ROOT, 'test/stubs/kube')}:/usr/bin:/bin`, HD_STUB_STATE: state, HD_STUB_CONTEXTS: [...names, 'down:down', 'stuck:hang'].join(' '), HD_STUB_CURRENT: 'c1', HD_STUB_DELAY: '1' };
    mkdirSync(state, { recursive: true });
    const t = Date.now();
    const list = await kubeContexts(env);
    const took = Date.now() - t;
    expect(list.map((c) => c.name)).toEqual([...names.map((n) => n.split(':')[0]), 'down', 'stuck']);
    expect(list[1]).toEqual({ name: 'c1', current: true, reachable: true, version: 'v1.30.2' });
    expect(list.find((c) => c.name === 'down')).toMatchObject({ reachable: false, problem: expect.stringContaining('refused') });
    expect(list.find((c) => c.name === 'stuck')).toMatchObject({ reachable: false, problem: 'no answer in time' });
    // 8 one-second probes, 4 at a time: about 2 s, not 8; the hanging one is cut at the timeout
    expect(PROBE_CONCURRENCY).toBe(4);
    expect(took).toBeLessThan(12_000);
  }, 30_000);
});

describe('the contexts answer after the rest (one that hangs holds nothing up)', () => {
  it('the picker lists them at once as "asking…", then each answer as it comes; the question in hand stays', async () => {
    let more: ((d: Partial<Detection>) => void) | undefined;
    const listed = [{ name: 'prod', current: true, reachable: false, asking: true as const }, { name: 'staging', current: false, reachable: false, asking: true as const }];
    const app = inkRender(<WizardApp initial={{}} detection={async () => ({ docker: { version: '24.0.7', rootless: false, reachable: true }, kubeContext: 'prod', kubeContexts: listed, contextPaths: { fivetran: 'fivetran.kubernetes.context' } })} moreDetection={() => new Promise((r) => (more = r))} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => undefined} />);
    await until(() => frameOf(app).includes('What do you want to install?'));
    app.stdin.write('\r');
    await until(() => frameOf(app).includes('rootful, detected'));
    app.stdin.write('\x1b[B\x1b[B\r');
    await until(() => frameOf(app).includes('Which Kubernetes cluster'));
    await until(() => more !== undefined);
    expect(frameOf(app)).toMatch(/prod\s+current · asking…/);
    expect(frameOf(app)).toContain('Asking each of the 2 contexts for its version (a few seconds at most); you may choose meanwhile.');
    app.stdin.write('\x1b[B'); // to staging: the answers must not move the choice back
    await until(() => frameOf(app).includes('❯ staging'));
    more!({ kubeContexts: [{ name: 'prod', current: true, reachable: false, problem: 'no answer in time' }, { name: 'staging', current: false, reachable: true, version: 'v1.30.2' }] });
    await until(() => frameOf(app).includes('reachable, Kubernetes v1.30.2'));
    expect(frameOf(app)).toMatch(/prod\s+current · not reachable: no answer in time/);
    expect(frameOf(app)).toContain('(1 of 2 reachable)');
    expect(frameOf(app)).toContain('❯ staging');
    app.unmount();
  });
  it.runIf(hasScript)('the built wizard: docker is shown and the picker lists the context while it hangs (detection waited for it: about 5 s of "detecting…")', async () => {
    const s = await stubEnv();
    const env = { ...s.env, PATH: `${join(ROOT, 'test/stubs/kube')}:${s.env.PATH}`, HD_STUB_CONTEXTS: 'prod:hang', HD_STUB_CURRENT: 'prod' };
    const r = await drive('cols 120 rows 40', rootFlags, env, [
      ['What do you want to install?', '\r'],
      ['rootful, detected', '\x1b[B\x1b[B\r'],
      ['asking…', ''],
      ['no answer in time', '\x03'],
    ]);
    expect(r.out).toContain('Which Kubernetes cluster (kubectl context)?');
    s.server.close();
  }, 60_000);
});

describe('the runtime hints before detection has answered', () => {
  it('say "detecting…", not "not found on PATH"; then what was found', async () => {
    let answer: ((d: Detection) => void) | undefined;
    const app = inkRender(<WizardApp initial={{ product: 'fivetran' }} detection={() => new Promise<Detection>((r) => (answer = r))} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => undefined} />);
    await until(() => frameOf(app).includes('docker'));
    expect(frameOf(app)).toMatch(/docker\s+detecting…/);
    expect(frameOf(app)).not.toContain('not found on PATH');
    await until(() => answer !== undefined);
    answer!({ docker: { version: '24.0.7', rootless: false, reachable: true } });
    await until(() => frameOf(app).includes('24.0.7 rootful, detected'));
    expect(frameOf(app)).toMatch(/podman\s+not found on PATH/);
    app.unmount();
  });
  it('a rootless docker daemon the CLI does not ask (DOCKER_HOST unset) is "found", not "not reachable"', async () => {
    const app = inkRender(<WizardApp initial={{ product: 'fivetran' }} detection={{ docker: { version: '27.0.1', rootless: true, reachable: false } }} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => undefined} />);
    await until(() => frameOf(app).includes('docker'));
    expect(frameOf(app)).toMatch(/docker\s+27\.0\.1 rootless daemon found; DOCKER_HOST is not set/);
    app.unmount();
  });
});

describe.runIf(hasScript)('the built bin in a pty: the notes are computed from this host, shown at the runtime step', () => {
  it('podman 4.3.1: Fivetran (which needs 4.5.0) says so beside podman, before any other question; Tobiko does not', async () => {
    const s = await stubEnv('podman', { USER: 'ana', HD_STUB_VERSION: '4.3.1' });
    const fivetran = await drive('cols 80 rows 24', ['--set', 'product=fivetran', ...rootFlags], s.env, [
      ['Where should it run?', '\x1b[B'],
      // on podman, the warning is drawn once its version is read (on a loaded machine, after the pointer moves)
      ['older than 4.5.0', '\x03'],
    ]);
    const frame = lastFrame(fivetran.out).join(' ').replace(/\s+/g, ' ');
    expect(frame).toContain('⚠ podman 4.3.1 is older than 4.5.0, the minimum the Fivetran Hybrid Deployment Agent requires');
    expect(fivetran.out).not.toContain('Agent token');
    const tobiko = await drive('cols 80 rows 24', ['--set', 'product=tobiko', ...rootFlags], s.env, [
      ['Where should it run?', '\x1b[B'],
      ['❯ podman', '\x03'],
    ]);
    expect(lastFrame(tobiko.out).join(' ')).not.toContain('older than');
    s.server.close();
  }, 90_000);
});
