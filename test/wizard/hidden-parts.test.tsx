// A stored secret inside visible text (a proxy URL's password, a secret NAME=value's value) stays hidden
// wherever an edit moves it: the field masks the parts that were hidden when it opened, not only what the
// parse of the text finds after each key (a "/" typed before the password ended the URL's authority there, and
// the password showed). Driven through the state machine, asserting what the view draws (lineParts, as
// Wizard.tsx calls it) and what Enter sends; one through Ink.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import { lineParts } from '../../src/ui/wiz/Field.js';
import { createState, currentQuestion, fieldText, hiddenOf, initialValue, reduce, type WizardState } from '../../src/ui/wiz/state.js';
import type { Answers } from '../../src/ui/wiz/questions.js';
import { frameOf, keysFor, tick, untilFrame } from '../ink-frames.js';
import { TOKEN } from '../helpers.js';

const PW = 'pr0xyPW';
const PROXY = `http://bob:${PW}@proxy.corp:3128`;
const KEY = 'envS3cretKEY';
const ENV = `LOG_LEVEL=debug, DD_API_KEY=${KEY}, TZ=UTC`;
const FIVETRAN: Answers = { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN }, proxy: { https: PROXY, http: PROXY } };
const TOBIKO: Answers = {
  product: 'tobiko',
  runtime: 'docker',
  tobiko: {
    org: 'acme',
    project: 'analytics',
    clientId: 'cid',
    clientSecret: 'sec',
    gateways: { warehouse: { type: 'duckdb' } },
    docker: { extraEnv: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'DD_API_KEY', value: KEY }, { name: 'TZ', value: 'UTC' }] },
  },
};

const at = (s: WizardState) => currentQuestion(s).id;
const type = (s: WizardState, data: string) => reduce(s, { type: 'input', data });
const CTRL_A = '\x01';
const CTRL_B = '\x02';
const CTRL_F = '\x06';
const CTRL_K = '\x0b';
const CTRL_T = '\x14';
const CTRL_Y = '\x19';
const UNDO = '\x1f';
const BACKSPACE = '\x7f';
const ESC = '\x1b';
/** The cursor at grapheme `n` of the line. */
const to = (n: number) => CTRL_A + CTRL_F.repeat(n);

/** A re-run: the install's answers prefilled (the wizard at the review), then back to field `id`. */
function reRun(installed: Answers, id: string): WizardState {
  let s = reduce(createState(), { type: 'prefill', answers: installed, note: 'Found it.' });
  expect(at(s)).toBe('review');
  const stop = id.startsWith('adv:') ? 'advanced' : id;
  for (let i = 0; i < 60 && at(s) !== stop; i++) s = reduce(s, { type: 'back' });
  if (id.startsWith('adv:')) {
    s = reduce(s, { type: 'submit', value: 'edit' });
    for (let i = 0; i < 30 && at(s) !== id; i++) s = reduce(s, { type: 'submit', value: initialValue(currentQuestion(s)) });
  }
  expect(at(s)).toBe(id);
  return s;
}

/** The field's line as the view draws it (Wizard.tsx TextQuestion), the cursor cell included. */
function drawnLine(s: WizardState): string {
  const q = currentQuestion(s);
  if (q.kind !== 'text') throw new Error(`${q.id} is no text field`);
  const table = hiddenOf(s);
  const p = lineParts(s.text, s.caret, { ...(q.display ? { display: q.display } : {}), ...(table ? { table } : {}) });
  return `${p.before}${p.at}${p.after}`.trimEnd();
}

const REFUSED = 'the hidden part (********) is no longer where a secret goes in this field, so it would be kept and shown as plain text: undo the edit (Ctrl-_), or delete it and type the secret again';

describe('a stored secret in a masked field stays hidden wherever an edit moves it', () => {
  it('the proxy URL prefilled: shown masked, and Enter on it sends exactly the installed value', () => {
    let s = reRun(FIVETRAN, 'proxy-https');
    expect(drawnLine(s)).toBe('http://bob:********@proxy.corp:3128');
    expect(fieldText(s)).toBe(PROXY);
    s = type(s, '\r');
    expect(s.answers.proxy.https).toBe(PROXY);
    // left as they were, every field keeps the install's answers (the review then has nothing to change)
    for (let i = 0; i < 30 && at(s) !== 'review'; i++) s = type(s, '\r');
    expect(s.answers).toEqual(FIVETRAN);
    const t = reRun(TOBIKO, 'adv:tobiko.docker.extraEnv');
    expect(drawnLine(t)).toBe('LOG_LEVEL=debug, DD_API_KEY=********, TZ=UTC');
    expect(type(t, '\r').answers).toEqual(TOBIKO);
  });

  it('"/" typed before the password (the authority now ends there): still masked; the text sent is the real one', () => {
    let s = type(reRun(FIVETRAN, 'proxy-https'), `${to(11)}/`);
    expect(fieldText(s)).toBe(`http://bob:/${PW}@proxy.corp:3128`);
    expect(drawnLine(s)).toBe('http://bob:/********@proxy.corp:3128');
    // refused (an "@" after a "/"), the message quoting nothing of it
    s = type(s, '\r');
    expect(at(s)).toBe('proxy-https');
    expect(s.error).toBeDefined();
    expect(s.error).not.toContain(PW);
    // "?" and "#" end the authority too
    for (const ch of ['?', '#']) expect(drawnLine(type(reRun(FIVETRAN, 'proxy-https'), `${to(11)}${ch}`))).toBe(`http://bob:${ch}********@proxy.corp:3128`);
  });

  it('Backspace on the ":" before it (no password any more: the whole userinfo a user name): still masked, and Enter refuses it (sent, it was a user name in clear in the review, the command and the preset); undone, it goes', () => {
    let s = type(reRun(FIVETRAN, 'proxy-https'), `${to(11)}${BACKSPACE}`);
    expect(drawnLine(s)).toBe('http://bob********@proxy.corp:3128');
    s = type(s, '\r');
    expect(at(s)).toBe('proxy-https');
    expect(s.error).toBe(REFUSED);
    expect(s.answers.proxy.https).toBe(PROXY);
    s = type(s, `${UNDO}\r`);
    expect(s.error).toBeUndefined();
    expect(s.answers.proxy.https).toBe(PROXY);
    // back on it after Enter: drawn as it was
    s = reduce(s, { type: 'back' });
    expect(at(s)).toBe('proxy-https');
    expect(drawnLine(s)).toBe('http://bob:********@proxy.corp:3128');
    // and Backspace on the "@" after it (a password being typed, to the authority's end, as the parse reads it)
    expect(drawnLine(type(reRun(FIVETRAN, 'proxy-https'), `${to(19)}${BACKSPACE}`))).toBe('http://bob:********');
  });

  it('Ctrl-T on the "@" after it, again and again, walks no character of it out', () => {
    let s = type(reRun(FIVETRAN, 'proxy-https'), `${to(18)}${CTRL_T}`);
    expect(drawnLine(s)).toBe('http://bob:********@********proxy.corp:3128');
    for (let i = 0; i < PW.length - 1; i++) {
      s = type(s, `${CTRL_B}${CTRL_B}${CTRL_T}`);
      expect(drawnLine(s)).toBe('http://bob:********@********proxy.corp:3128');
    }
    expect(fieldText(s)).toBe(`http://bob:@${PW}proxy.corp:3128`);
    s = type(s, '\r');
    expect(s.error).toBe(REFUSED);
    expect(s.answers.proxy.https).toBe(PROXY);
  });

  it('leaving with Esc before Enter and coming back: the text kept is drawn as it was', () => {
    let s = type(reRun(FIVETRAN, 'proxy-https'), `${to(11)}/`);
    s = reduce(s, { type: 'back' });
    expect(at(s)).toBe('proxy');
    s = type(s, '\r');
    expect(at(s)).toBe('proxy-https');
    expect(drawnLine(s)).toBe('http://bob:/********@proxy.corp:3128');
    expect(fieldText(s)).toBe(`http://bob:/${PW}@proxy.corp:3128`);
  });

  it('extra env: "x, NOTE=" typed before a secret value makes it the value of a name that is no secret: still masked, and Enter refuses it', () => {
    let s = type(reRun(TOBIKO, 'adv:tobiko.docker.extraEnv'), `${to(28)}x, NOTE=`);
    expect(drawnLine(s)).toBe('LOG_LEVEL=debug, DD_API_KEY=********, NOTE=********, TZ=UTC');
    s = type(s, '\r');
    expect(s.error).toBe(REFUSED);
    expect(s.answers).toEqual(TOBIKO);
    // the name a secret's (NOTE_TOKEN): masked there by its parse, and taken
    s = type(s, `${BACKSPACE}_TOKEN=\r`);
    expect(s.error).toBeUndefined();
    expect(s.answers.tobiko.docker.extraEnv).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'DD_API_KEY', value: 'x' },
      { name: 'NOTE_TOKEN', value: KEY },
      { name: 'TZ', value: 'UTC' },
    ]);
  });

  it('extra env: Ctrl-T on the comma after it, and Backspace on its "=": masked', () => {
    const s = type(reRun(TOBIKO, 'adv:tobiko.docker.extraEnv'), `${to(40)}${CTRL_T}`);
    expect(drawnLine(s)).toBe('LOG_LEVEL=debug, DD_API_KEY=********,******** TZ=UTC');
    expect(fieldText(s)).toBe(`LOG_LEVEL=debug, DD_API_KEY=${KEY.slice(0, -1)},${KEY.slice(-1)} TZ=UTC`);
    let e = type(reRun(TOBIKO, 'adv:tobiko.docker.extraEnv'), `${to(28)}${BACKSPACE}`);
    expect(drawnLine(e)).toBe('LOG_LEVEL=debug, DD_API_KEY********, TZ=UTC');
    // refused (no "="): the message quotes the pair as the field draws it
    e = type(e, '\r');
    expect(e.error).toBe('"DD_API_KEY********" is not key=value');
  });

  it('killed and yanked elsewhere, undone, a case change next to it: masked, and decoded exactly', () => {
    let s = type(reRun(TOBIKO, 'adv:tobiko.docker.extraEnv'), `${to(28)}${CTRL_K}`);
    expect(drawnLine(s)).toBe('LOG_LEVEL=debug, DD_API_KEY=');
    s = type(s, `${CTRL_A}${CTRL_Y}`);
    expect(drawnLine(s)).toBe('********, TZ=UTCLOG_LEVEL=debug, DD_API_KEY=');
    expect(fieldText(s)).toBe(`${KEY}, TZ=UTCLOG_LEVEL=debug, DD_API_KEY=`);
    const refused = type(s, '\r');
    expect(refused.error).toBe('"********" is not key=value');
    // undone twice: the line as it was
    s = type(s, `${UNDO}${UNDO}`);
    expect(fieldText(s)).toBe(ENV);
    expect(drawnLine(s)).toBe('LOG_LEVEL=debug, DD_API_KEY=********, TZ=UTC');
    // Alt-L from the start of the mask: the next word down-cased, the hidden characters as they were
    s = type(s, `${to(28)}${ESC}l`);
    expect(drawnLine(s)).toBe('LOG_LEVEL=debug, DD_API_KEY=********, tz=UTC');
    expect(fieldText(s)).toBe(`LOG_LEVEL=debug, DD_API_KEY=${KEY}, tz=UTC`);
    // a URL's password killed with the word after it (Alt-D), yanked after the next word: masked there too
    let u = type(reRun(FIVETRAN, 'proxy-https'), `${to(11)}${ESC}d`);
    expect(drawnLine(u)).toBe('http://bob:********'); // (as a password being typed: the parse's own mask)
    u = type(u, `${to(11)}${ESC}f${CTRL_Y}`);
    expect(fieldText(u)).toBe(`http://bob:.corp${PW}@proxy:3128`);
    expect(drawnLine(u)).toBe('http://bob:********@proxy:3128');
    u = type(u, `${to(11)}${CTRL_K}${CTRL_A}${CTRL_Y}`);
    expect(fieldText(u)).toBe(`.corp${PW}@proxy:3128http://bob:`);
    expect(drawnLine(u)).toBe('.corp********@proxy:3128http://bob:');
  });

  it('a pasted or typed private-use character is text of its own: drawn and sent as it is', () => {
    let s = type(reRun(FIVETRAN, 'proxy-https'), `${to(11)}\u{e000}\u{e001}`);
    expect(drawnLine(s)).toBe('http://bob:********@proxy.corp:3128');
    s = type(s, `${CTRL_A}\u{e000}`);
    expect(drawnLine(s).startsWith('\u{e000}http://')).toBe(true);
    expect(fieldText(s)).toBe(`\u{e000}http://bob:\u{e000}\u{e001}${PW}@proxy.corp:3128`);
  });

  it('through Ink: the re-run\'s proxy field, "/" typed before the password, never draws it', async () => {
    const app = inkRender(<WizardApp initial={FIVETRAN} detection={{}} review={async () => ({ ok: true, text: 'Nothing to change' })} save={async () => ''} onDone={() => undefined} />);
    const press = keysFor(app);
    await untilFrame(app, 'Nothing to change');
    for (let i = 0; i < 10 && !frameOf(app).includes('HTTPS proxy URL'); i++) await press(ESC);
    await untilFrame(app, 'http://bob:********@proxy.corp:3128');
    await press(CTRL_A, ...Array<string>(11).fill(CTRL_F), '/');
    await untilFrame(app, 'http://bob:/********@proxy.corp:3128');
    await press(CTRL_B, BACKSPACE);
    await tick();
    await untilFrame(app, 'http://bob/********@proxy.corp:3128');
    for (const f of app.frames) expect(f).not.toContain(PW);
    app.unmount();
  });
});
