import { describe, expect, it } from 'vitest';
import React from 'react';
import { render as inkRender } from 'ink-testing-library';
import { parseModel } from '../../src/products/load.js';
import { render } from '../../src/service/plan.js';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import { createState, currentQuestion, prefill, reduce, type KeyPress, type WizardState } from '../../src/ui/wiz/state.js';
import { PASTE_END, PASTE_START, PASTE_WAIT_MS } from '../../src/ui/wiz/keys.js';
import { questions, type Answers, type Detection } from '../../src/ui/wiz/questions.js';
import { secretFields } from '../../src/products/secrets.js';
import { withSecretRefs } from '../../src/model/secret-refs.js';
import { RENDER_ENV, SECRET_ENV, TOKEN, load } from '../helpers.js';
import { tick, frameOf, until, untilFrame, keysFor } from '../ink-frames.js';

const DOWN = '\u001B[B';
const ENTER = '\r';
const ESC = '\u001B';

function mount(initial: Answers = {}, detection = {}) {
  let done: { kind: string; answers: Answers } | undefined;
  const app = inkRender(
    <WizardApp
      initial={initial}
      detection={detection}
      review={async () => ({ ok: true, text: 'Files\n  0600 conf/config.json\nSteps\n  1. Preflight checks' })}
      save={async () => 'saved'}
      onDone={(r) => (done = r)}
    />,
  );
  const keys = keysFor(app);
  return { app, keys, result: () => done, frame: () => frameOf(app) };
}

function parseModelProblem(answers: Answers): string {
  try {
    parseModel(structuredClone(answers), { env: SECRET_ENV });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

function renderedFiles(answers: Answers) {
  return render(parseModel(structuredClone(answers), { env: SECRET_ENV }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]);
}

/** At the review: confirm, then the answers must render the same files as the bundled preset. */
async function installFromReview(w: ReturnType<typeof mount>, preset: string) {
  await untilFrame(w.app, 'enter install'); // offered once the plan is ready
  expect(w.frame()).toContain('Review');
  await w.keys(ENTER);
  await until(() => w.result() !== undefined);
  expect(w.result()?.kind).toBe('install');
  expect(renderedFiles(w.result()!.answers)).toEqual(presetFiles(preset));
  w.app.unmount();
}

function presetFiles(name: string) {
  return render(load({ preset: name }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]);
}

describe('wizard state (no Ink)', () => {
  const submit = (s: WizardState, value: string) => reduce(s, { type: 'submit', value });
  it('asks product, runtime, then product-specific credentials', () => {
    let s = createState({}, { docker: { version: '24.0.7', rootless: true, reachable: true } });
    expect(currentQuestion(s).id).toBe('product');
    s = submit(s, 'fivetran');
    expect(currentQuestion(s).id).toBe('runtime');
    const rt = currentQuestion(s);
    expect(rt.kind === 'select' && rt.initial).toBe('docker');
    expect(rt.kind === 'select' && rt.options[0]!.hint).toContain('24.0.7 rootless, detected');
    s = submit(s, 'docker');
    expect(currentQuestion(s).id).toBe('token');
  });
  it('catches a bad token at the field, and keeps answers when going back', () => {
    let s = submit(submit(createState(), 'fivetran'), 'docker');
    s = submit(s, 'not-a-token');
    expect(s.error).toMatch(/token is not base64/);
    expect(currentQuestion(s).id).toBe('token');
    s = submit(s, TOKEN);
    expect(s.error).toBeUndefined();
    expect(currentQuestion(s).id).toBe('proxy');
    s = reduce(s, { type: 'back' });
    expect(currentQuestion(s).id).toBe('token');
    expect(s.answers.fivetran.token).toBe(TOKEN);
    s = reduce(reduce(s, { type: 'back' }), { type: 'back' });
    expect(currentQuestion(s).id).toBe('product');
    expect(s.answers.runtime).toBe('docker');
  });
  it('affinity: rejects a connection in two rules, inline', () => {
    let s = createState();
    for (const v of ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'affinity', 'add', 'a', 'preferred', '1', 'k', 'In', 'x', 'add', 'b', 'required', 'k', 'In', 'y', 'done', 'c1, c2']) s = submit(s, v);
    expect(currentQuestion(s).id).toBe('assign:b');
    s = submit(s, 'c3, c2');
    expect(s.error).toBe('connection c2 is already in rule a; a connection belongs to one rule only');
    s = submit(s, 'c3');
    s = submit(s, 'a');
    expect(s.answers.fivetran.kubernetes.affinity).toEqual([
      { rule: 'a', default: true, connectors: ['c1', 'c2'] },
      { rule: 'b', connectors: ['c3'] },
    ]);
    expect(currentQuestion(s).id).toBe('advanced');
  });
  it('gateways: add, then remove, with engine-required params', () => {
    let s = createState();
    for (const v of ['tobiko', 'docker', 'acme', 'p', 'cid', 'sec', 'add', 'wh', 'postgres']) s = submit(s, v);
    expect(currentQuestion(s).id).toBe('gw-param:host');
    s = submit(s, '');
    expect(s.error).toBe('host is required for postgres');
    for (const v of ['db', '5432', 'analytics', 'u', 'pw']) s = submit(s, v);
    expect(currentQuestion(s).id).toBe('gw-menu');
    expect(s.answers.tobiko.gateways.wh).toEqual({ type: 'postgres', host: 'db', port: 5432, database: 'analytics', user: 'u', password: 'pw' });
    // asked first, Enter keeping it (one key removed what took a dozen to enter)
    s = submit(s, 'remove:wh');
    expect(currentQuestion(s)).toMatchObject({ id: 'gw-remove', title: 'Remove gateway wh (postgres, 5 settings)?', initial: 'keep' });
    s = submit(s, 'keep');
    expect(currentQuestion(s).id).toBe('gw-menu');
    expect(Object.keys(s.answers.tobiko.gateways)).toEqual(['wh']);
    // Esc there is a keep too
    s = reduce(submit(s, 'remove:wh'), { type: 'back' });
    expect(currentQuestion(s).id).toBe('gw-menu');
    expect(Object.keys(s.answers.tobiko.gateways)).toEqual(['wh']);
    expect(s.drafts.gatewayRemove).toBeUndefined();
    s = submit(s, 'remove:wh');
    s = submit(s, 'remove');
    expect(s.answers.tobiko.gateways).toEqual({});
    expect(currentQuestion(s).id).toBe('gw-menu');
    // after an add, a keep and a remove, one Esc leaves the list (each round added an Esc to press)
    expect(currentQuestion(reduce(s, { type: 'back' })).id).toBe('client-secret');
  });
  it('a prefilled preset is accepted up to what is missing', () => {
    const s = prefill(createState({ product: 'fivetran', runtime: 'kubernetes', fivetran: { token: TOKEN } }));
    expect(currentQuestion(s).id).toBe('pvc');
    const raw = load({ preset: 'fivetran-kubernetes-affinity' }).raw as Answers;
    const full = prefill(createState({ ...raw, fivetran: { ...raw.fivetran, token: TOKEN } }));
    expect(currentQuestion(full).id).toBe('review');
    expect(full.history.length).toBeGreaterThan(5);
  });
  it('prefills from a detected install (re-run)', () => {
    const installed = { product: 'tobiko', runtime: 'docker', tobiko: { org: 'acme', project: 'p', clientId: 'c', clientSecret: 'kept', gateways: { wh: { type: 'duckdb' } } } };
    const s = prefill(createState(installed));
    expect(currentQuestion(s).id).toBe('review');
    expect(s.answers.tobiko.clientSecret).toBe('kept');
  });
  it('a found install replaces the answers until the user presses a key', () => {
    const installed = { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN, pullPolicy: 'never' } };
    const fromSet = prefill(createState({ product: 'fivetran' }));
    expect(currentQuestion(fromSet).id).toBe('runtime');
    const s = reduce(fromSet, { type: 'prefill', answers: installed, note: 'found' });
    expect(currentQuestion(s).id).toBe('review');
    expect(s.answers.fivetran.pullPolicy).toBe('never');
    const moved = reduce(fromSet, { type: 'key', key: { input: '', downArrow: true } });
    expect(reduce(moved, { type: 'prefill', answers: installed, note: 'found' })).toBe(moved);
  });
  it('save as preset writes secrets as references', () => {
    const answers = { product: 'tobiko', runtime: 'docker', tobiko: { clientSecret: 'x', gateways: { wh: { type: 'postgres', password: 'y', host: 'h' } } } };
    const { preset, vars } = withSecretRefs(answers, secretFields(answers), { 'tobiko.clientSecret': 'file:/run/secret' });
    expect(preset.tobiko).toMatchObject({ clientSecret: 'file:/run/secret', gateways: { wh: { password: 'env:WH_PASSWORD', host: 'h' } } });
    expect(vars).toEqual(['WH_PASSWORD']);
  });
  it('keys are state: ↓ then enter picks the next option, text and backspace, esc back, ctrl-c', () => {
    const key = (s: WizardState, k: Partial<KeyPress>) => reduce(s, { type: 'key', key: { input: '', ...k } });
    let s = key(key(createState(), { downArrow: true }), { return: true });
    expect(s.answers.product).toBe('tobiko');
    s = key(s, { escape: true });
    expect(currentQuestion(s).id).toBe('product');
    expect(s.choice).toBe(1); // back on the product question, Tobiko still highlighted
    s = key(key(key(s, { upArrow: true }), { return: true }), { input: 'j' });
    expect(s.answers.product).toBe('fivetran');
    s = key(s, { return: true });
    expect(currentQuestion(s).id).toBe('token');
    s = key(key(key(s, { input: 'ab' }), { backspace: true }), { input: 'c' });
    expect(s.text).toBe('ac');
    s = key(s, { leftArrow: true });
    expect(currentQuestion(s).id).toBe('token'); // ← moves the cursor; it only goes back from an empty field
    expect(s.caret).toBe(1);
    s = key(key(key(key(s, { end: true }), { backspace: true }), { backspace: true }), { leftArrow: true });
    expect(currentQuestion(s).id).toBe('runtime');
    expect(key(s, { input: 'c', ctrl: true }).result).toEqual({ kind: 'cancel' });
  });
  it('a stored token typed over and left empty: Enter keeps it (one key lost it, with "the token is required" and no way back)', () => {
    let s = prefill(createState({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }));
    s = reduce(s, { type: 'back' });
    while (currentQuestion(s).id !== 'token') s = reduce(s, { type: 'back' });
    s = reduce(s, { type: 'key', key: { input: 'a\x7f' } });
    expect(s.text).toBe('');
    s = reduce(s, { type: 'key', key: { input: '\r' } });
    expect(s.error).toBeUndefined();
    expect(currentQuestion(s).id).not.toBe('token');
    expect(s.answers.fivetran.token).toBe(TOKEN);
    // with nothing before it, empty is refused as ever
    const fresh = reduce(submit(submit(createState(), 'fivetran'), 'docker'), { type: 'submit', value: '' });
    expect(fresh.error).toBe('the token is required');
  });
  it('text that arrives in one piece (a paste, coalesced keys) acts key by key, across questions', () => {
    let s = createState();
    s = reduce(s, { type: 'key', key: { input: '\r' } }); // product: Fivetran
    expect(reduce(s, { type: 'input', data: 'jj' }).choice).toBe(2); // coalesced keys on a list: one by one
    s = reduce(s, { type: 'key', key: { input: 'j\r' } }); // runtime: the second option
    expect(s.answers.runtime).toBe('podman');
    s = reduce(s, { type: 'key', key: { input: `${TOKEN}x\x7f\r` } });
    expect(s.answers.fivetran.token).toBe(TOKEN);
    expect(s.secrets).toEqual([TOKEN]);
    expect(currentQuestion(s).id).toBe('proxy');
  });
  it('a bracketed paste is text, never keys: its line breaks submit nothing, a choice takes none, a one-line field refuses several lines', () => {
    const paste = (t: string) => `${PASTE_START}${t}${PASTE_END}`;
    const input = (s: WizardState, data: string) => reduce(s, { type: 'input', data });
    // a choice: the paste does nothing (its "j" moves nothing, its line break chooses nothing)
    let s = input(createState(), paste('jj\r'));
    expect(currentQuestion(s).id).toBe('product');
    expect(s.choice).toBe(0);
    s = input(input(s, '\x1b[B\r'), '\r'); // Tobiko, docker
    expect(currentQuestion(s).id).toBe('org');
    // one line with the line break a copy brings: inserted, not submitted
    s = input(s, paste('acme\r\n'));
    expect([currentQuestion(s).id, s.text, s.error]).toEqual(['org', 'acme', undefined]);
    // several lines: refused whole, the field as it was, nothing answered (the next question is the project)
    const refused = input(s, paste('analytics\rcid\rsecret\r'));
    expect([currentQuestion(refused).id, refused.text]).toEqual(['org', 'acme']);
    expect(refused.error).toBe('The paste spans several lines and this field takes one: nothing was inserted; copy a single line');
    expect(refused.answers.tobiko?.project).toBeUndefined();
    // typed on, the error goes; Enter submits what is in the field
    s = input(refused, '-co\r');
    expect([currentQuestion(s).id, s.answers.tobiko.org, s.error]).toEqual(['project', 'acme-co', undefined]);
    // a secret field keeps a pasted key's lines ("\n"), masked, and waits for Enter
    let f = reduce(reduce(createState(), { type: 'submit', value: 'fivetran' }), { type: 'submit', value: 'docker' });
    expect(currentQuestion(f).id).toBe('token');
    f = input(f, paste(`${TOKEN}\n`));
    expect([currentQuestion(f).id, f.text]).toEqual(['token', TOKEN]);
    f = input(f, '\r');
    expect([currentQuestion(f).id, f.answers.fivetran.token]).toEqual(['proxy', TOKEN]);
    // a paste while detection is still running waits, whole, with the keys typed around it
    const waiting = { ...createState(), waiting: true };
    const queued = input(input(waiting, paste('x\ry')), 'j');
    expect(currentQuestion(queued).id).toBe('product');
    expect(reduce(queued, { type: 'settled' }).choice).toBe(1); // the j moved; the paste's line break chose nothing
  });
  it('fields check the model\'s formats where they are typed (the same words as preset mode)', () => {
    let s = createState();
    for (const v of ['tobiko', 'docker']) s = reduce(s, { type: 'submit', value: v });
    s = reduce(s, { type: 'submit', value: 'acmé-🚀' });
    expect(s.error).toBe('the organization: use the organization name as shown in Tobiko Cloud (letters, digits, "_", "-", ".")');
    expect(currentQuestion(s).id).toBe('org');
    expect(parseModelProblem({ product: 'tobiko', runtime: 'docker', tobiko: { org: 'acmé-🚀' } })).toContain('use the organization name as shown in Tobiko Cloud');
  });
  it('a prefilled text is kept by enter, edited from its end by typing, cleared by ctrl-u', () => {
    const key = (s: WizardState, k: Partial<KeyPress>) => reduce(s, { type: 'key', key: { input: '', ...k } });
    let s = createState();
    for (const v of ['fivetran', 'docker', TOKEN, 'set', 'http://proxy.internal:3128', '']) s = reduce(s, { type: 'submit', value: v });
    expect(currentQuestion(s).id).toBe('proxy-no');
    expect(s.text).toBe('localhost, 127.0.0.1');
    expect(s.caret).toBe('localhost, 127.0.0.1'.length);
    expect(key(s, { input: ', 10.0.0.0/8' }).text).toBe('localhost, 127.0.0.1, 10.0.0.0/8');
    expect(key(key(s, { input: 'u', ctrl: true }), { input: '10.0.0.0/8' }).text).toBe('10.0.0.0/8');
    expect(key(key(s, { backspace: true }), { input: '2' }).text).toBe('localhost, 127.0.0.2');
    expect(key(key(key(s, { input: ', 10.0.0.0/8' }), { return: true }), {}).answers.proxy.noProxy).toEqual(['localhost', '127.0.0.1', '10.0.0.0/8']);
    expect(key(s, { return: true }).answers.proxy.noProxy).toEqual(['localhost', '127.0.0.1']);
  });
  it('detection preselects the found runtime unless the user moved first', () => {
    const found = { podman: { version: '4.9.3', rootless: true, reachable: true } };
    let s = reduce(createState(), { type: 'submit', value: 'fivetran' });
    expect(reduce(s, { type: 'detected', detection: found }).choice).toBe(1);
    s = reduce(s, { type: 'key', key: { input: '', downArrow: true } });
    s = reduce(s, { type: 'key', key: { input: '', downArrow: true } });
    expect(reduce(s, { type: 'detected', detection: found }).choice).toBe(2);
  });
  it('questions fit the product and runtime', () => {
    const ids = (a: Answers) => questions({ answers: a, drafts: {}, detection: {} }).map((q) => q.id);
    expect(ids({ product: 'fivetran', runtime: 'docker' })).not.toContain('placement');
    expect(ids({ product: 'fivetran', runtime: 'kubernetes' })).toEqual(expect.arrayContaining(['token-source', 'namespace', 'pvc', 'placement', 'advanced']));
    // the token's source promises no Secret that the Secrets step then offers to trade for inline values
    const qs = questions({ answers: { product: 'fivetran', runtime: 'kubernetes' }, drafts: {}, detection: {} });
    const source = qs.find((q) => q.id === 'token-source');
    expect(source?.kind === 'select' && source.options[0]!.hint).toBe('hd-setup keeps it for you: in a Secret it creates, or inline (the Secrets step asks)');
  });
});

describe('wizard flows (ink-testing-library): the answers render byte-identical files to the bundled presets', () => {
  it('Fivetran on docker', async () => {
    const w = mount();
    expect(w.frame()).toContain('What do you want to install?');
    // the first screen offers no back (there is none); the next ones do
    expect(w.frame()).toContain('↑↓ move · enter choose · ctrl-c quit');
    expect(w.frame()).not.toContain('esc/← back');
    await w.keys(ENTER);
    expect(w.frame()).toContain('esc/← back');
    await w.keys(ENTER);
    expect(w.frame()).toContain('Agent token');
    await w.keys('bad', ENTER);
    expect(w.frame()).toContain('✖ token does not decode');
    await w.keys('\x7f', '\x7f', '\x7f', TOKEN);
    expect(w.frame()).toContain('well-formed token for controller clever_tiger (Fivetran checks it on connect)');
    expect(w.frame()).not.toContain(TOKEN);
    await w.keys(ENTER);
    expect(w.frame()).toContain('through a proxy?');
    await w.keys(ESC);
    expect(w.frame()).toContain('Agent token');
    await w.keys(ENTER, ENTER, ENTER);
    expect(w.frame()).toContain('Advanced settings');
    // edit them, keeping every default: each choice says what its options do
    await w.keys(DOWN, ENTER, ENTER);
    expect(w.frame()).toContain('Image pull policy');
    expect(w.frame()).toMatch(/❯ always\s+default · pull the image each time a container is made: a new install or a changed config\n\s+missing\s+pull it only when it is not here\n\s+never\s+offline: use an image loaded beforehand/);
    await w.keys(ENTER, ENTER, ENTER);
    expect(w.frame()).toMatch(/❯ on-failure:3\s+default · restart after a crash, 3 times at most/);
    await w.keys(ENTER, ENTER, ENTER);
    await installFromReview(w, 'fivetran-docker');
  });

  it('Esc pressed twice fast (both in one chunk of input) goes back two screens, not one', async () => {
    const w = mount();
    await w.keys(ENTER, ENTER, TOKEN, ENTER);
    expect(w.frame()).toContain('through a proxy?');
    await w.keys(ESC + ESC);
    expect(w.frame()).toContain('Where should it run?');
    w.app.unmount();
  });

  it('one Esc on a review reached from flags goes back one step, to the Advanced step (it went two, to Secrets)', async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await untilFrame(w.app, 'enter install');
    await w.keys(ESC);
    await untilFrame(w.app, 'Advanced settings');
    expect(w.frame()).not.toContain('The token goes only into');
    w.app.unmount();
  });

  it('Fivetran on Kubernetes with affinity rules', async () => {
    const w = mount();
    await w.keys(ENTER, DOWN, DOWN, ENTER);
    expect(w.frame()).toContain('How does the agent get its token?');
    await w.keys(ENTER, TOKEN, ENTER, ENTER, 'fivetran-data', ENTER, ENTER, ENTER);
    expect(w.frame()).toContain('Where should pods run?');
    await w.keys(DOWN, DOWN, ENTER);
    expect(w.frame()).toContain('Define a node-affinity rule');
    await w.keys(ENTER, 'small', ENTER, ENTER, ENTER, 'hd_size', ENTER);
    // each operator says what it matches
    expect(w.frame()).toContain('How is hd_size matched?');
    expect(w.frame()).toMatch(/❯ In\s+its value is one of a list/);
    expect(w.frame()).toMatch(/DoesNotExist\s+the node lacks it/);
    await w.keys(ENTER, 'small', ENTER);
    expect(w.frame()).toContain('Affinity rules: small');
    await w.keys(DOWN, ENTER, 'large', ENTER, DOWN, ENTER, 'hd_size', ENTER, ENTER, 'large', ENTER);
    await w.keys(ENTER, 'demo_connection1, demo_connection2', ENTER, 'demo_connection3, demo_connection2', ENTER);
    expect(w.frame()).toContain('connection demo_connection2 is already in rule small');
    for (let i = 0; i < 'demo_connection2'.length + 2; i++) await w.keys('\x7f');
    await w.keys(', demo_connection4', ENTER);
    expect(w.frame()).toContain('Default rule');
    await w.keys(DOWN, ENTER, ENTER);
    await untilFrame(w.app, 'enter install');
    await w.keys(ENTER);
    await until(() => w.result() !== undefined);
    expect(w.result()?.kind).toBe('install');
    expect(renderedFiles(w.result()!.answers)).toEqual(presetFiles('fivetran-kubernetes-affinity'));
    w.app.unmount();
  });

  it('Tobiko on Kubernetes with External Secrets', async () => {
    const w = mount();
    await w.keys(DOWN, ENTER, DOWN, DOWN, ENTER);
    expect(w.frame()).toContain('Tobiko Cloud organization');
    await w.keys('acme', ENTER, 'analytics', ENTER, '7f3c2a10-hybrid-executors', ENTER, ENTER);
    // where the secrets live, before any of them: the store holds them, so none is asked
    expect(w.frame()).toContain('Where do the executor secrets live?');
    await w.keys(DOWN, DOWN, ENTER, ENTER, 'aws-secretsmanager', ENTER, ENTER, ENTER);
    expect(w.frame()).toContain('Add the SQLMesh gateway');
    await w.keys(ENTER, ENTER, ENTER, 'postgres.data.svc.cluster.local', ENTER, ENTER, 'analytics', ENTER, 'sqlmesh', ENTER);
    expect(w.frame()).toContain('warehouse (postgres) [default]');
    await w.keys(ENTER, ENTER, ENTER);
    await untilFrame(w.app, 'enter install');
    expect(w.app.frames.join('\n')).not.toMatch(/OAuth client secret|warehouse: password/);
    await w.keys(ENTER);
    await until(() => w.result() !== undefined);
    expect(w.result()?.kind).toBe('install');
    expect(renderedFiles(w.result()!.answers)).toEqual(presetFiles('tobiko-kubernetes-external-secrets'));
    w.app.unmount();
  });

  it('Fivetran on docker with every key in one chunk (as over a slow SSH link)', async () => {
    const w = mount();
    await w.keys(`${ENTER}${ENTER}${TOKEN}${ENTER}${ENTER}${ENTER}${ENTER}`);
    await installFromReview(w, 'fivetran-docker');
  });

  it('↓ and enter in one chunk choose the second product', async () => {
    const w = mount();
    await w.keys(`${DOWN}${ENTER}`);
    expect(w.frame()).toContain('Where should it run?');
    await w.keys(DOWN, DOWN, `${ENTER}`);
    expect(w.frame()).toContain('Tobiko Cloud organization');
    w.app.unmount();
  });

  it('a failed preflight on the review can be skipped with k, then installed', async () => {
    const skipped: string[] = [];
    let done: { kind: string } | undefined;
    const app = inkRender(
      <WizardApp
        initial={{ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }}
        detection={{}}
        review={async () => (skipped.length ? { ok: true, text: 'Steps\n  1. Preflight checks' } : { ok: false, failed: ['runtime-version'], text: '✖ runtime-version: podman 4.3.1 is older than the required 4.5.0\nPress k to skip this check' })}
        skipChecks={(ids) => skipped.push(...ids)}
        save={async () => ''}
        onDone={(r) => (done = r)}
      />,
    );
    await untilFrame(app, 'Not ready to install');
    // The footer offers only what works: no "enter install" while the plan is not ready.
    await untilFrame(app, 'k skip check · s save as preset · esc back · ctrl-c quit');
    expect(frameOf(app)).not.toContain('enter install');
    app.stdin.write(ENTER); // not ready: enter does nothing
    await tick();
    expect(done).toBeUndefined();
    app.stdin.write('k');
    await untilFrame(app, 'Review: files');
    expect(skipped).toEqual(['runtime-version']);
    await untilFrame(app, 'enter install · s save as preset · esc back · ctrl-c quit');
    expect(frameOf(app)).not.toContain('k skip');
    app.stdin.write(ENTER);
    await until(() => done !== undefined);
    expect(done?.kind).toBe('install');
    app.unmount();
  });

  it('a review that cannot be built (its promise rejects) says so and is not ready: Enter installs nothing', async () => {
    let done: { kind: string } | undefined;
    const app = inkRender(
      <WizardApp
        initial={{ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }}
        detection={{}}
        review={async () => {
          throw new Error('cannot read /home/ana/fivetran/conf/config.json');
        }}
        skipChecks={() => {}}
        save={async () => ''}
        onDone={(r) => (done = r)}
      />,
    );
    await untilFrame(app, 'cannot read /home/ana/fivetran/conf/config.json');
    expect(frameOf(app)).toContain('Not ready to install');
    expect(frameOf(app)).not.toContain('enter install');
    app.stdin.write(ENTER);
    await tick();
    expect(done).toBeUndefined();
    app.unmount();
  });

  it('Ctrl-C before execution cancels and writes nothing', async () => {
    const w = mount();
    await w.keys(ENTER, '\u0003');
    await until(() => w.result() !== undefined);
    expect(w.result()?.kind).toBe('cancel');
    w.app.unmount();
  });

  it('a bracketed paste read in pieces goes into the field whole, or not at all; on the review its "s" and line break do nothing', async () => {
    const w = mount();
    await w.keys(DOWN, ENTER, ENTER); // Tobiko, docker
    await untilFrame(w.app, 'Tobiko Cloud organization');
    // as a terminal sends a long paste: over several reads, the markers and line breaks anywhere in them
    await w.keys(`${PASTE_START}ac`, 'me\r\nanaly', `tics\r${PASTE_END}`);
    await untilFrame(w.app, 'this field takes one');
    expect(w.frame()).toContain('Tobiko Cloud organization');
    expect(w.frame()).not.toContain('analytics');
    await w.keys(`${PASTE_START}acme\r${PASTE_END}`);
    expect(w.frame()).toContain('acme');
    expect(w.frame()).not.toContain('this field takes one');
    expect(w.frame()).toContain('Tobiko Cloud organization'); // its line break submitted nothing
    w.app.unmount();
    const r = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await untilFrame(r.app, 'enter install');
    await r.keys(`${PASTE_START}s${PASTE_END}`, `${PASTE_START}\r${PASTE_END}`, `${PASTE_START}v${PASTE_END}`);
    expect(r.frame()).not.toContain('Save preset to');
    expect(r.frame()).toContain('enter install');
    expect(r.result()).toBeUndefined();
    await r.keys(ENTER);
    await until(() => r.result() !== undefined);
    expect(r.result()?.kind).toBe('install');
    r.app.unmount();
  });

  it('a paste whose end marker comes cut in two reads, or never, does not keep the keys: they act (Ctrl-C too)', async () => {
    const w = mount();
    const pointer = () => w.frame().split('\n').find((l) => l.includes('❯')) ?? '';
    expect(pointer()).toContain('Fivetran');
    // Ink passes "ESC[20" on as an event of its own when the read ends there: still the end of the paste
    await w.keys(`${PASTE_START}x`, '\x1b[20', '1~', DOWN);
    expect(pointer()).toContain('Tobiko');
    // a terminal that lost the end: after PASTE_WAIT_MS the paste ends as it is, and keys are keys again
    await w.keys(`${PASTE_START}never ended`);
    await new Promise((r) => setTimeout(r, PASTE_WAIT_MS + 200));
    await w.keys('\u001B[A');
    expect(pointer()).toContain('Fivetran');
    await w.keys('\x03');
    await until(() => w.result() !== undefined);
    expect(w.result()?.kind).toBe('cancel');
    w.app.unmount();
  });

  it('typed ahead while detection runs, a paste keeps its meaning: two lines pasted into the token field (no bracketed paste) stay in it, and answer no screen unseen', async () => {
    let answer: ((d: Detection) => void) | undefined;
    const w = mount({}, () => new Promise<Detection>((r) => (answer = r)));
    await untilFrame(w.app, 'What do you want to install?');
    await until(() => answer !== undefined);
    // Fivetran, then (detection still running) docker and the paste: they wait
    await w.keys(ENTER, ENTER, `${TOKEN}\n${TOKEN}`);
    expect(w.frame()).toContain('Where should it run?');
    answer!({ docker: { version: '27.0.1', rootless: false, reachable: true } });
    await untilFrame(w.app, 'Agent token');
    await tick(50);
    expect(w.frame()).toContain('Agent token');
    expect(w.frame()).not.toContain('through a proxy');
    expect(w.frame()).not.toContain(TOKEN);
    // the paste is the field's value: Enter submits it, and the token check refuses two lines
    await w.keys(ENTER);
    await untilFrame(w.app, '✖');
    expect(w.frame()).toContain('Agent token');
    w.app.unmount();
  });

  it('a prefilled install opens at the review', async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await tick();
    expect(w.frame()).toContain('Review');
    await w.keys(ESC);
    expect(w.frame()).toContain('Secrets');
    w.app.unmount();
  });
});
