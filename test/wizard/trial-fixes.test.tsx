// Bugs a user trial found in the wizard (stub runtimes, in tmux): each reproduced here on the pure state machine.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import { frameOf, keysFor, untilFrame } from '../ink-frames.js';
import { createState, currentQuestion, envSourceNote, reduce, type WizardState } from '../../src/ui/wiz/state.js';
import { questions } from '../../src/ui/wiz/questions.js';
import { runtimeNotesFor } from '../../src/products/wizard.js';
import { PASTE_END, PASTE_START } from '../../src/ui/wiz/keys.js';
import { parseModel } from '../../src/products/load.js';
import { render } from '../../src/service/plan.js';
import { RENDER_ENV, TOKEN } from '../helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';
import { drive, hasScript } from './pty-helpers.js';

const submit = (s: WizardState, value: string) => reduce(s, { type: 'submit', value });
const type = (s: WizardState, data: string) => reduce(s, { type: 'input', data });
const ESC = '\u001B';
const ENTER = '\r';
const CTRL_U = '\x15';

/** Fivetran on docker, a token, "Use a proxy" chosen: at the HTTPS proxy field. */
function atProxy(): WizardState {
  let s = submit(submit(submit(createState(), 'fivetran'), 'docker'), TOKEN);
  expect(currentQuestion(s).id).toBe('proxy');
  s = submit(s, 'set');
  expect(currentQuestion(s).id).toBe('proxy-https');
  return s;
}

describe('a proxy entered in this run keeps its answers on Back', () => {
  it('no_proxy: an edit sent with Enter is there again after Esc, and Enter keeps it', () => {
    let s = submit(atProxy(), 'http://p.example:3128');
    s = submit(s, '');
    expect(currentQuestion(s).id).toBe('proxy-no');
    expect(s.text).toBe('localhost, 127.0.0.1');
    s = type(s, `, .internal${ENTER}`);
    expect(currentQuestion(s).id).not.toBe('proxy-no');
    s = type(s, ESC);
    expect(currentQuestion(s).id).toBe('proxy-no');
    expect(s.text).toBe('localhost, 127.0.0.1, .internal');
    s = type(s, ENTER);
    expect(s.answers.proxy.noProxy).toEqual(['localhost', '127.0.0.1', '.internal']);
  });
  it('no_proxy cleared and replaced (Ctrl-U) is kept too, and so is an emptied one', () => {
    let s = submit(submit(atProxy(), 'http://p.example:3128'), '');
    s = type(s, `${CTRL_U}10.0.0.0/8${ENTER}${ESC}`);
    expect(s.text).toBe('10.0.0.0/8');
    s = type(s, `${CTRL_U}${ENTER}${ESC}`);
    expect(currentQuestion(s).id).toBe('proxy-no');
    expect(s.text).toBe('');
  });
  it('the HTTP proxy: "none" sent with Enter is "none" again after Esc (not "same as HTTPS")', () => {
    let s = submit(atProxy(), 'http://p.example:3128');
    s = type(s, `none${ENTER}${ESC}`);
    expect(currentQuestion(s).id).toBe('proxy-http');
    expect(s.text).toBe('none');
    s = type(s, ENTER);
    expect(s.answers.proxy.http).toBeUndefined();
  });
  it('No proxy, then a proxy again: it starts from the usual values', () => {
    let s = submit(submit(atProxy(), 'http://p.example:3128'), '');
    s = type(s, `${CTRL_U}10.0.0.0/8${ENTER}`);
    for (let i = 0; i < 10 && currentQuestion(s).id !== 'proxy'; i++) s = type(s, ESC);
    s = submit(submit(s, 'none'), 'none');
    for (let i = 0; i < 10 && currentQuestion(s).id !== 'proxy'; i++) s = type(s, ESC);
    s = submit(submit(submit(s, 'set'), 'http://q.example:3128'), '');
    expect(currentQuestion(s).id).toBe('proxy-no');
    expect(s.text).toBe('localhost, 127.0.0.1');
  });
});

describe('Kubernetes: the Namespace screen names the context chosen in the picker', () => {
  const kube = {
    kubeContext: 'prod',
    kubeContexts: [
      { name: 'prod', current: true, reachable: true, version: 'v1.30.2' },
      { name: 'staging', current: false, reachable: false, problem: 'refused' },
    ],
    contextPaths: { fivetran: 'fivetran.kubernetes.context', tobiko: 'tobiko.kubernetes.context' },
  };
  it.each([
    ['fivetran', ['token', TOKEN], 'namespace'],
    // the namespace before the secrets question (and the client secret, asked only when hd-setup holds it)
    ['tobiko', ['org', 'acme', 'project', 'analytics', 'client-id', 'cid'], 'tobiko-namespace'],
  ] as const)('%s', (product, answers, nsId) => {
    let s = submit(submit(createState({}, kube), product), 'kubernetes');
    s = submit(s, 'staging');
    if (product === 'fivetran') s = submit(s, 'token');
    for (let i = 0; i < answers.length; i += 2) {
      expect(currentQuestion(s).id).toBe(answers[i]);
      s = submit(s, answers[i + 1]!);
    }
    const q = currentQuestion(s);
    expect(q.id).toBe(nsId);
    expect(q.help).toBe('Created when missing; context staging.');
    // kubectl's current one, when it is the one chosen
    s = reduce(createState({}, kube), { type: 'submit', value: product });
    const ns = questions({ answers: { ...s.answers, runtime: 'kubernetes' }, drafts: {}, detection: kube }).find((x) => x.id === nsId);
    expect(ns?.help).toBe('Created when missing; context prod.');
  });
});

describe('checks made at the field, in its words, not first at the review with a model path', () => {
  it('no_proxy: each item as the model checks it; empty items are dropped', () => {
    let s = submit(submit(atProxy(), 'http://p.example:3128'), '');
    expect(currentQuestion(s).id).toBe('proxy-no');
    s = type(s, `,  ,bad host${ENTER}`);
    expect(currentQuestion(s).id).toBe('proxy-no');
    expect(s.error).toBe('hosts that bypass the proxy: "bad host" must be a host, an IP address, a CIDR (10.0.0.0/8), a .domain suffix or *');
    expect(s.error).not.toMatch(/proxy\.noProxy/);
    s = type(s, `${CTRL_U}localhost,  , 10.0.0.0/8, .internal, *.corp:8443${ENTER}`);
    expect(s.error).toBeUndefined();
    expect(s.answers.proxy.noProxy).toEqual(['localhost', '10.0.0.0/8', '.internal', '*.corp:8443']);
    // what the field takes, the model takes
    expect(() => parseModel(structuredClone(s.answers), { env: {} })).not.toThrow();
  });

  const paste = (t: string) => `${PASTE_START}${t}${PASTE_END}`;
  const tobikoAt = (runtime: string) => {
    let s = submit(submit(createState(), 'tobiko'), runtime);
    s = submit(submit(submit(s, 'acme'), 'analytics'), 'cid');
    expect(currentQuestion(s).id).toBe('client-secret');
    return s;
  };
  it('Tobiko on docker/podman: a client secret pasted on several lines is refused at its field (it goes into the env-file)', () => {
    for (const runtime of ['docker', 'podman']) {
      let s = type(tobikoAt(runtime), paste('sec-line-one\nsec-line-two'));
      expect(s.text).toBe('sec-line-one\nsec-line-two'); // a secret keeps a multi-line paste as it is
      s = type(s, ENTER);
      expect(currentQuestion(s).id).toBe('client-secret');
      expect(s.error).toBe('the client secret contains a line break, which an env-file cannot hold: give it on one line');
      // the same rule as the env-file's renderer
      const answers = { product: 'tobiko', runtime, tobiko: { org: 'acme', project: 'analytics', clientId: 'cid', clientSecret: 'sec-line-one\nsec-line-two', gateways: { warehouse: { type: 'duckdb' } } } };
      expect(() => render(parseModel(structuredClone(answers), { env: {} }).model, RENDER_ENV)).toThrow(/env-file TCLOUD_CLIENT_SECRET: contains a line break, which an env-file cannot hold/);
      s = type(s, `${CTRL_U}sec-one-line${ENTER}`);
      expect(s.error).toBeUndefined();
      expect(currentQuestion(s).id).not.toBe('client-secret');
    }
  });
  it('Tobiko on Kubernetes: the client secret goes into a Secret, where several lines stay fine', () => {
    let s = submit(submit(createState(), 'tobiko'), 'kubernetes');
    s = submit(submit(submit(s, 'acme'), 'analytics'), 'cid');
    s = submit(submit(s, 'tobiko'), 'existingSecret:create');
    expect(currentQuestion(s).id).toBe('client-secret');
    s = type(s, paste('sec-line-one\nsec-line-two') + ENTER);
    expect(s.error).toBeUndefined();
    expect(s.answers.tobiko.clientSecret).toBe('sec-line-one\nsec-line-two');
  });
});

describe('a secret exported in the shell that its field refuses (FIVETRAN_TOKEN=notbase64!!)', () => {
  const BAD = 'notbase64!!';
  const installed = { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } };
  const rerun = (env = [{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: BAD }]) => {
    let s = reduce(createState(), { type: 'detected', detection: { envSecrets: env } });
    s = reduce(s, { type: 'prefill', answers: installed, note: 'Found the agent installed here (/home/ana/fivetran).' });
    return s;
  };
  it('a re-run stops at the field, which says the value is the variable\'s and what to do; emptied, Enter keeps the installed token', () => {
    let s = rerun();
    expect(currentQuestion(s).id).toBe('token');
    expect(envSourceNote(s)).toBe(
      '$FIVETRAN_TOKEN (exported in this shell) is refused: token is not base64; copy the whole token shown when the agent was created in the Fivetran dashboard. Fix it or unset it (unset FIVETRAN_TOKEN) and run hd-setup again, or type another here, or leave it empty to keep the installed one.',
    );
    // Enter on it: the same words, as the error
    s = type(s, ENTER);
    expect(currentQuestion(s).id).toBe('token');
    expect(s.error).toBe(envSourceNote(rerun()));
    // Ctrl-U: empty, and Enter keeps the installed token
    s = type(s, CTRL_U);
    expect(s.text).toBe('');
    expect(envSourceNote(s)).toBe('Empty: Enter keeps the installed one (not $FIVETRAN_TOKEN).');
    s = type(s, ENTER);
    expect(s.error).toBeUndefined();
    expect(currentQuestion(s).id).not.toBe('token');
    expect(s.answers.fivetran.token).toBe(TOKEN);
    // and Back shows the installed one, no note about the variable
    s = type(s, ESC);
    expect(currentQuestion(s).id).toBe('token');
    expect(s.text).toBe(TOKEN);
    expect(envSourceNote(s)).toBeUndefined();
  });
  it('generic: the same for Tobiko\'s client secret (TCLOUD_CLIENT_SECRET), by the question\'s path', () => {
    const tob = { product: 'tobiko', runtime: 'docker', tobiko: { org: 'acme', project: 'analytics', clientId: 'cid', clientSecret: 'installed-secret', gateways: { warehouse: { type: 'duckdb' } } } };
    let s = reduce(createState(), { type: 'detected', detection: { envSecrets: [{ path: 'tobiko.clientSecret', env: 'TCLOUD_CLIENT_SECRET', value: 'line-one\nline-two' }] } });
    s = reduce(s, { type: 'prefill', answers: tob, note: 'Found it.' });
    expect(currentQuestion(s).id).toBe('client-secret');
    expect(envSourceNote(s)).toMatch(/^\$TCLOUD_CLIENT_SECRET \(exported in this shell\) is refused: the client secret contains a line break, .*leave it empty to keep the installed one\.$/);
    s = type(s, `${CTRL_U}${ENTER}`);
    expect(s.error).toBeUndefined();
    expect(s.answers.tobiko.clientSecret).toBe('installed-secret');
  });
  it('a first run (nothing installed): the field says whose value it is; emptied, Enter names the variable too', () => {
    let s = reduce(createState(), { type: 'detected', detection: { envSecrets: [{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: BAD }] } });
    s = submit(submit(s, 'fivetran'), 'docker');
    expect(currentQuestion(s).id).toBe('token');
    expect(envSourceNote(s)).toMatch(/^\$FIVETRAN_TOKEN \(exported in this shell\) is refused: token is not base64; .* Fix it or unset it \(unset FIVETRAN_TOKEN\) and run hd-setup again, or type another here\.$/);
    s = type(s, `${CTRL_U}${ENTER}`);
    expect(s.error).toMatch(/\$FIVETRAN_TOKEN/);
    s = type(s, `${TOKEN}${ENTER}`);
    expect(s.error).toBeUndefined();
    expect(s.answers.fivetran.token).toBe(TOKEN);
  });
  it('no variable: a token given before, emptied, says that Enter keeps it (the field shows nothing), and Enter does', () => {
    let s = submit(submit(submit(createState(), 'fivetran'), 'docker'), TOKEN);
    s = type(s, ESC);
    expect(currentQuestion(s).id).toBe('token');
    expect(envSourceNote(s)).toBeUndefined();
    s = type(s, CTRL_U);
    expect(envSourceNote(s)).toBe('Empty: Enter keeps the one it had.');
    s = type(s, ENTER);
    expect(s.answers.fivetran.token).toBe(TOKEN);
  });
  it('a valid exported token: no note under the field (the note above says it is from the environment)', () => {
    const s = rerun([{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: TOKEN }]);
    expect(envSourceNote(s)).toBeUndefined();
  });
});

describe('the screen (Ink)', () => {
  it('the token field of a re-run says the refused value is $FIVETRAN_TOKEN, and emptied, what Enter keeps', async () => {
    const app = inkRender(
      <WizardApp
        detection={async () => ({ envSecrets: [{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: 'notbase64!!' }], installed: { where: '/home/ana/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } } } })}
        review={async () => ({ ok: true, text: '' })}
        save={async () => ''}
        onDone={() => {}}
      />,
    );
    await untilFrame(app, 'is refused');
    const frame = frameOf(app).replace(/\s+/g, ' ');
    expect(frame).toContain('Agent token');
    expect(frame).toContain('$FIVETRAN_TOKEN (exported in this shell) is refused: token is not base64');
    expect(frame).toContain('or leave it empty to keep the installed one.');
    expect(frame).not.toContain('… token is not base64'); // said once
    await keysFor(app)(CTRL_U);
    await untilFrame(app, 'Empty: Enter keeps the installed one (not $FIVETRAN_TOKEN).');
    app.unmount();
  });
});

describe('root allowed for the install made with --allow-root: for its product and runtime only', () => {
  const refused = 'running as root: the install will refuse it, as the vendor scripts do; run hd-setup as a regular user (rootless recommended), or start it with --allow-root';
  const allowed = 'running as root (allowed: the install here was made with --allow-root): the vendors recommend a regular user with rootless podman or docker';
  const d = { runtimeNotes: { docker: [refused], podman: [refused], kubernetes: [] }, installNotes: { product: 'fivetran', runtime: 'docker', notes: [allowed] }, productNotes: { tobiko: { docker: ['old docker'] } } };
  it('runtimeNotesFor: the install\'s notes for its product and runtime, the host\'s otherwise', () => {
    expect(runtimeNotesFor(d, 'fivetran', 'docker')).toEqual([allowed]);
    expect(runtimeNotesFor(d, 'tobiko', 'docker')).toEqual([refused, 'old docker']);
    expect(runtimeNotesFor(d, 'fivetran', 'podman')).toEqual([refused]);
  });
  it('the runtime screen: Fivetran says allowed, Tobiko (chosen after Esc to the product screen) says refused', async () => {
    const app = inkRender(<WizardApp initial={{ product: 'fivetran' }} detection={d} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />);
    await untilFrame(app, 'Where should it run?');
    expect(frameOf(app).replace(/\s+/g, ' ')).toContain('allowed: the install here was made with --allow-root');
    await keysFor(app)(ESC);
    await untilFrame(app, 'What do you want to install?');
    await keysFor(app)('\u001B[B', ENTER);
    await untilFrame(app, 'Where should it run?');
    const frame = frameOf(app).replace(/\s+/g, ' ');
    expect(frame).toContain('running as root: the install will refuse it');
    expect(frame).not.toContain('allowed: the install here');
    app.unmount();
  });
});

describe.runIf(hasScript && rootFlags.length > 0)('the built wizard, as root', () => {
  it('Fivetran installed with --allow-root: the runtime step of a re-run allows root for it, and not for Tobiko chosen instead (as the review has it)', async () => {
    const s = await stubEnv('docker', { USER: 'ana', ACCESSIBLE: '1' }, { imagePresent: true });
    const first = await drive('cols 80 rows 24', ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--allow-root'], s.env, [['q quit: ', 'i\r']]);
    expect(first.code, first.out.slice(-1500)).toBe(0);
    // no arguments: the install is found; back to the product question, Tobiko
    const back: [string, string][] = [['q quit: ', '<\r'], ...Array.from({ length: 4 }, (): [string, string] => ['Step ', '<\r'])];
    // (the line prompts say a runtime's notes once it is chosen)
    const same = await drive('cols 80 rows 24', [], s.env, [...back, ['Where should it run?', '\r'], ['Step ', '\x04']]);
    const other = await drive('cols 80 rows 24', [], s.env, [...back, ['Where should it run?', '<\r'], ['What do you want to install?', '2\r'], ['Where should it run?', '\r'], ['Step ', '\x04']]);
    s.server.close();
    const shown = (out: string) => out.slice(out.lastIndexOf('Where should it run?')).replace(/\s+/g, ' ');
    expect(shown(same.out)).toContain('running as root (allowed: the install here was made with --allow-root)');
    expect(shown(other.out)).toContain('Tobiko');
    expect(shown(other.out)).toContain('running as root: the install will refuse it');
    expect(shown(other.out)).not.toContain('allowed: the install here');
  }, 120_000);
});

describe('the keys the screen offers, and the save prompt', () => {
  it('no "back" on the first screen, where Esc has nowhere to go; on the next, it is there', async () => {
    const app = inkRender(<WizardApp detection={{}} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />);
    await untilFrame(app, 'What do you want to install?');
    expect(frameOf(app)).toContain('↑↓ move · enter choose · ctrl-c quit');
    expect(frameOf(app)).not.toMatch(/back/);
    await keysFor(app)(ESC); // does nothing, as the keys say
    expect(frameOf(app)).toContain('What do you want to install?');
    await keysFor(app)(ENTER);
    await untilFrame(app, 'Where should it run?');
    expect(frameOf(app)).toContain('esc/← back');
    app.unmount();
  });
  it('a path the save refuses keeps the prompt open, with the typed path and the error; corrected, it saves', async () => {
    const tried: string[] = [];
    const save = async (_a: unknown, path: string) => {
      tried.push(path);
      if (path.endsWith('notes.txt')) throw new Error(`${path} exists and is not a preset hd-setup wrote; give another name, or move it away first`);
      return `Saved ${path}.`;
    };
    const app = inkRender(
      <WizardApp initial={{ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }} detection={{}} review={async () => ({ ok: true, text: 'plan' })} save={save} onDone={() => {}} />,
    );
    const keys = keysFor(app);
    for (let i = 0; i < 6 && !frameOf(app).includes('s save as preset'); i++) await keys(ENTER);
    await untilFrame(app, 's save as preset');
    await keys('s');
    await untilFrame(app, 'Save preset to:');
    await keys(`./notes.txt${ENTER}`);
    await untilFrame(app, 'exists and is not a preset');
    expect(tried).toEqual(['./notes.txt']);
    expect(frameOf(app)).toContain('Save preset to: ./notes.txt');
    expect(frameOf(app)).toContain('error: ./notes.txt exists and is not a preset hd-setup wrote');
    // edited from its end (the typed path is not a suggestion any more)
    await keys('\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7fp.yaml', ENTER);
    await untilFrame(app, 'Saved ./p.yaml.');
    expect(tried).toEqual(['./notes.txt', './p.yaml']);
    expect(frameOf(app)).not.toContain('Save preset to:');
    app.unmount();
  });
  it('an empty path keeps the prompt open too', async () => {
    const app = inkRender(<WizardApp initial={{ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }} detection={{}} review={async () => ({ ok: true, text: 'plan' })} save={async () => 'saved'} onDone={() => {}} />);
    const keys = keysFor(app);
    for (let i = 0; i < 6 && !frameOf(app).includes('s save as preset'); i++) await keys(ENTER);
    await untilFrame(app, 's save as preset');
    await keys('s');
    await untilFrame(app, 'Save preset to:');
    await keys(CTRL_U, ENTER);
    await untilFrame(app, 'error: give a file name for the preset');
    expect(frameOf(app)).toContain('Save preset to:');
    app.unmount();
  });
});

describe('a text value wider than the terminal', () => {
  it('wraps under the prompt, which keeps its space ("›http://…" was drawn when it wrapped)', async () => {
    const app = inkRender(<WizardApp detection={{}} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />);
    const keys = keysFor(app);
    await untilFrame(app, 'What do you want to install?');
    await keys('\r');
    await untilFrame(app, 'Where should it run?');
    await keys('\r');
    await untilFrame(app, 'Agent token');
    await keys(`${TOKEN}\r`);
    await untilFrame(app, 'through a proxy');
    await keys('\x1b[B\r');
    await untilFrame(app, 'HTTPS proxy URL');
    const url = `http://proxy.example.com:3128/${'seg00/'.repeat(30)}`;
    await keys(url);
    await untilFrame(app, 'seg00/seg00');
    const line = frameOf(app).split('\n').find((l) => l.includes('http://proxy.example.com'))!;
    expect(line.startsWith('› http://proxy.example.com:3128/'), JSON.stringify(line)).toBe(true);
    app.unmount();
  });
});
