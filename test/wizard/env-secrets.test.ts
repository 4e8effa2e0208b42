// A token or client secret already exported (FIVETRAN_TOKEN, TCLOUD_CLIENT_SECRET) prefills its field in
// the wizard, masked, named in a note; typing over it replaces it; a saved preset keeps the env: reference.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretsInEnv } from '../../src/products/secrets.js';
import { createState, currentQuestion, reduce, visibleNote, type WizardState } from '../../src/ui/wiz/state.js';
import { CLIENT_SECRET, TOKEN, cli, expectNoSecrets } from '../helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';
import { drive, hasScript } from './pty-helpers.js';

const found = [
  { path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: TOKEN },
  { path: 'tobiko.clientSecret', env: 'TCLOUD_CLIENT_SECRET', value: CLIENT_SECRET },
];

describe('secrets in the environment', () => {
  it('secretsInEnv: the fixed secret paths whose variable is set (names from the schema), none for empty ones', () => {
    expect(secretsInEnv({ FIVETRAN_TOKEN: 'x', TCLOUD_CLIENT_SECRET: 'y' })).toEqual([
      { path: 'fivetran.token', env: 'FIVETRAN_TOKEN' },
      { path: 'tobiko.clientSecret', env: 'TCLOUD_CLIENT_SECRET' },
    ]);
    expect(secretsInEnv({ FIVETRAN_TOKEN: '  ' })).toEqual([]);
  });

  it('fill the chosen product\'s field (not another product\'s section), say so, and typing replaces the hidden value', () => {
    let s = reduce(createState(), { type: 'detected', detection: { envSecrets: found } });
    expect(s.answers).toEqual({}); // no product yet: nothing to fill, no section of another product
    s = reduce(s, { type: 'submit', value: 'fivetran' });
    expect(s.answers).toEqual({ product: 'fivetran', fivetran: { token: TOKEN } });
    expect(visibleNote(s)).toBe('From the environment: FIVETRAN_TOKEN (fivetran.token); Enter keeps it, typing replaces it.');
    s = reduce(s, { type: 'submit', value: 'docker' });
    expect(currentQuestion(s).id).toBe('token');
    expect(s.text).toBe(TOKEN); // prefilled (the field shows it masked)
    s = reduce(s, { type: 'input', data: 'abc' });
    expect(s.text).toBe('abc');
    expect(visibleNote(s)).toBeUndefined(); // it said "Enter keeps it" over the token typed
    s = reduce(s, { type: 'input', data: '\x1f\x1f' }); // undone (the typing, then the replacing): the exported one again
    expect(visibleNote(s)).toBe('From the environment: FIVETRAN_TOKEN (fivetran.token); Enter keeps it, typing replaces it.');
  });

  it('Enters typed ahead while detection runs wait for it past the product question: the runtime it found is taken and the exported token kept (they found the token field still empty: "the token is required", then the token said both well-formed and missing)', () => {
    let s = createState({}, { pending: true });
    s = reduce(s, { type: 'input', data: '\r\r\r' }); // product (Fivetran), then two held
    expect(currentQuestion(s).id).toBe('runtime');
    expect(s.held).toHaveLength(2);
    s = reduce(s, { type: 'key', key: { input: '', return: true } }); // one more, one by one
    expect(s.held).toHaveLength(3);
    expect(s.answers.runtime).toBeUndefined();
    s = reduce(s, { type: 'detected', detection: { envSecrets: found, podman: { version: '4.9.3', rootless: true, reachable: true } } });
    expect(currentQuestion(s).id).toBe('runtime');
    s = reduce(s, { type: 'settled' });
    expect(s.error).toBeUndefined();
    expect(s.held).toBeUndefined();
    expect(s.answers).toMatchObject({ product: 'fivetran', runtime: 'podman', fivetran: { token: TOKEN } });
    expect(s.history.slice(0, 3)).toEqual(['product', 'runtime', 'token']); // and the fourth Enter answered the next one
    // Ctrl-C among held keys quits at once
    let c = reduce(createState({}, { pending: true }), { type: 'input', data: '\r' });
    c = reduce(c, { type: 'input', data: '\r\x03' });
    expect(c.result).toEqual({ kind: 'cancel' });
    // a detection that failed (no answer) still lets them act
    let f = reduce(createState({}, { pending: true }), { type: 'input', data: '\r\r' });
    f = reduce(f, { type: 'settled' });
    expect(f.detection.pending).toBe(false);
    expect(currentQuestion(f).id).toBe('token');
  });

  it('input typed ahead while detection runs means what it would have meant on the screen it reaches: a chunk waits whole and that screen reads it (a multi-line paste into the token field, without bracketed paste, was read as keys where it arrived: its lines were Enters that answered the token and proxy screens unseen)', () => {
    const paste = (t: string) => `\u001B[200~${t}\u001B[201~`;
    const seen = (s: WizardState) => ({ at: currentQuestion(s).id, text: s.text, error: s.error, answers: s.answers, history: s.history, result: s.result });
    const typed = (s: WizardState, chunks: string[]) => chunks.reduce((st, data) => reduce(st, { type: 'input', data }), s);
    const detected = (s: WizardState) => reduce(reduce(s, { type: 'detected', detection: {} }), { type: 'settled' });
    // each chunk as it would act had detection answered at once
    const ready = (chunks: string[]) => seen(typed(detected(createState({}, { pending: true })), chunks));
    // typed while detection runs: past the product question (no install recorded here), or all of it (a re-run)
    const ahead = (chunks: string[]) => seen(detected(typed(createState({}, { pending: true }), chunks)));
    const waited = (chunks: string[]) => seen(detected(typed({ ...createState({}, { pending: true }), waiting: true }, chunks)));
    const cases: string[][] = [
      // an unbracketed paste of two lines into the (secret) token field: its value, lines and all, waiting for Enter; with a line break at its end, submitted and refused
      ['\r', '\r', `${TOKEN}\n${TOKEN}`],
      ['\r', '\r', `${TOKEN}\n${TOKEN}\n`],
      // a bracketed one: one paste, its line break no Enter; then Enter
      ['\r', '\r', paste(`${TOKEN}\n`), '\r'],
      // a bracketed paste of two lines into a one-line field (the organization): refused whole, then typed
      ['\u001B[B\r', '\r', paste('acme\nanalytics'), 'acme\r'],
      // keys that arrive together act one by one, a chunk that came to a choice (the runtime question) too
      ['\u001B[B\r', '\racme\nanalytics\n'],
      ['\r\r' + TOKEN + '\r\r'],
    ];
    for (const chunks of cases) {
      const want = ready(chunks);
      expect(ahead(chunks), JSON.stringify(chunks)).toEqual(want);
      expect(waited(chunks), JSON.stringify(chunks)).toEqual(want);
    }
    // what that is, for the paste of two lines into the token field: the field holds it, nothing was answered past it
    expect(ahead(cases[0]!)).toMatchObject({ at: 'token', text: `${TOKEN}\n${TOKEN}`, error: undefined, history: ['product', 'runtime'] });
    expect(ahead(cases[1]!)).toMatchObject({ at: 'token', text: `${TOKEN}\n${TOKEN}`, history: ['product', 'runtime'] });
    expect(ahead(cases[1]!).error).toContain('token');
    expect(ahead(cases[1]!).answers.fivetran).toBeUndefined();
    expect(ahead(cases[3]!)).toMatchObject({ at: 'project', answers: { tobiko: { org: 'acme' } } });
  });

  it('a re-run: an exported secret that is not the installed one (the old value of a rotation made since) is said, and asked first, the installed one the choice Enter takes (one Enter at the review put the old one back)', () => {
    const OLD = 'b2xkX2NvbnRyb2xsZXI6b2xkLXNlY3JldA==';
    const installed = { product: 'fivetran', runtime: 'docker', fivetran: { token: OLD } };
    const rerun = () => reduce(reduce(createState(), { type: 'detected', detection: { envSecrets: found } }), { type: 'prefill', answers: installed, note: 'Found the agent installed here (/home/ana/fivetran).' });
    let s = rerun();
    // the walk through the installed answers stops at the choice, just before the token field; the answers keep the installed one
    const q = currentQuestion(s);
    expect(q.id).toBe('env-or-installed:fivetran.token');
    expect(s.history).toEqual(['product', 'runtime']);
    expect(s.answers.fivetran).toEqual({ token: OLD });
    expect(q.kind === 'select' && q.title).toBe('Agent token: $FIVETRAN_TOKEN (exported in this shell) is not the installed one');
    expect(q.kind === 'select' && q.options.map((o) => o.label)).toEqual(['Keep the installed one', 'Use $FIVETRAN_TOKEN']);
    expect(s.choice).toBe(0);
    expect(visibleNote(s)).toBe('Found the agent installed here (/home/ana/fivetran). $FIVETRAN_TOKEN (exported in this shell) is not the installed fivetran.token: the installed one is kept unless you choose $FIVETRAN_TOKEN.');
    // Enter: the installed one, and on to the review (as a re-run goes straight there)
    s = reduce(s, { type: 'input', data: '\r' });
    expect(currentQuestion(s).id).toBe('review');
    expect(s.answers.fivetran).toEqual({ token: OLD });
    // the variable's is one step away: down, Enter
    let e = reduce(rerun(), { type: 'input', data: '\u001B[B\r' });
    expect(currentQuestion(e).id).toBe('review');
    expect(e.answers.fivetran).toEqual({ token: TOKEN });
    // back from the review to the token field: it holds the variable's (named), and emptied keeps the installed one
    for (let i = 0; i < 4; i++) e = reduce(e, { type: 'back' });
    expect(currentQuestion(e).id).toBe('token');
    expect(e.text).toBe(TOKEN);
    e = reduce(e, { type: 'input', data: '\x15\r' });
    expect(e.answers.fivetran).toEqual({ token: OLD });
    // back to the choice: it shows the one chosen, and another choice is taken through the field (no walk to the review now)
    e = reduce(reduce(e, { type: 'input', data: '\u001B' }), { type: 'input', data: '\u001B' });
    expect(currentQuestion(e).id).toBe('env-or-installed:fivetran.token');
    expect(e.choice).toBe(1);
    // the same choice again keeps what the field holds (the installed one, kept by the emptied field)
    e = reduce(e, { type: 'input', data: '\r' });
    expect(currentQuestion(e).id).toBe('token');
    expect(e.answers.fivetran).toEqual({ token: OLD });
    e = reduce(reduce(e, { type: 'input', data: '\u001B' }), { type: 'input', data: '\u001B[A\r' });
    expect(e.answers.fivetran).toEqual({ token: OLD });
    e = reduce(reduce(e, { type: 'input', data: '\u001B' }), { type: 'input', data: '\u001B[B\r' });
    expect(currentQuestion(e).id).toBe('token');
    expect(e.answers.fivetran).toEqual({ token: TOKEN });
    // the same value exported: nothing to say, nothing asked
    let same = reduce(createState(), { type: 'detected', detection: { envSecrets: [{ ...found[0]!, value: OLD }] } });
    same = reduce(same, { type: 'prefill', answers: installed, note: 'Found it.' });
    expect(currentQuestion(same).id).toBe('review');
    expect(same.answers.fivetran).toEqual({ token: OLD });
    expect(visibleNote(same)).toBe('Found it.');
  });

  it('generic: Tobiko\'s client secret (TCLOUD_CLIENT_SECRET) the same, by the field\'s path; one kept where the wizard does not read it (a Kubernetes Secret) is not said to differ, and is kept by Enter', () => {
    const tob = { product: 'tobiko', runtime: 'docker', tobiko: { org: 'acme', project: 'analytics', clientId: 'cid', clientSecret: 'installed-secret', gateways: { warehouse: { type: 'duckdb' } } } };
    let s = reduce(createState(), { type: 'detected', detection: { envSecrets: found } });
    s = reduce(s, { type: 'prefill', answers: tob, note: 'Found it.' });
    const q = currentQuestion(s);
    expect(q.id).toBe('env-or-installed:tobiko.clientSecret');
    expect(q.title).toBe('OAuth client secret: $TCLOUD_CLIENT_SECRET (exported in this shell) is not the installed one');
    expect(visibleNote(s)).toBe('Found it. $TCLOUD_CLIENT_SECRET (exported in this shell) is not the installed tobiko.clientSecret: the installed one is kept unless you choose $TCLOUD_CLIENT_SECRET.');
    s = reduce(s, { type: 'input', data: '\r' });
    expect(currentQuestion(s).id).toBe('review');
    expect(s.answers.tobiko.clientSecret).toBe('installed-secret');
    // Fivetran on Kubernetes: the installed token is in the Secret hd-setup made (stored:), which the wizard does not read
    const kept = 'stored:secret/hd-agent-token#token';
    const k8s = { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: kept, kubernetes: { context: 'staging' } } };
    let k = reduce(createState(), { type: 'detected', detection: { envSecrets: found, kubeContext: 'staging' } });
    k = reduce(k, { type: 'prefill', answers: k8s, note: 'Found it.' });
    const kq = currentQuestion(k);
    expect(kq.id).toBe('env-or-installed:fivetran.token');
    expect(kq.title).toBe('Agent token: $FIVETRAN_TOKEN (exported in this shell), or the installed one?');
    expect(visibleNote(k)).toContain('$FIVETRAN_TOKEN (exported in this shell) may not be the installed fivetran.token');
    k = reduce(k, { type: 'input', data: '\r' });
    expect(k.answers.fivetran.token).toBe(kept);
  });

  it.runIf(hasScript)('the built wizard, a re-run where the exported token is refused and the field emptied: the installed one is kept, and the command without the wizard says to unset the variable (it would read it)', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = await drive('cols 120 rows 40', rootFlags, { ...s.env, FIVETRAN_TOKEN: 'notbase64!!' }, [
      ['is refused', '\x15\r'],
      ['through a proxy', '\r'],
      ['Config file, 0600', '\r'],
      ['Advanced settings', '\r'],
      ['enter install', '\x1b[F'],
      ['The same without the wizard', '\x03'],
    ]);
    s.server.close();
    expectNoSecrets(r.raw);
    const flat = r.out.replace(/\s+/g, ' ');
    expect(flat).toContain('The same without the wizard (unset FIVETRAN_TOKEN first: it keeps the installed secret, which the variable would replace):');
    expect(flat).not.toContain('export FIVETRAN_TOKEN first');
  }, 90_000);

  it.runIf(hasScript)('the built wizard: Enter keeps the exported token; the saved preset references it and says to export it; never shown', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', ...rootFlags];
    const r = await drive('cols 120 rows 40', args, s.env, [
      ['From the environment: FIVETRAN_TOKEN (fivetran.token)', '\r'],
      ['through a proxy', '\r'],
      ['Config file, 0600', '\r'],
      ['Advanced settings', '\r'],
      ['s save as preset', 's'],
      ['Save preset to', '\x15~/p.yaml\r'],
      ['Saved ', '\x03'],
    ]);
    s.server.close();
    expectNoSecrets(r.raw);
    expect(r.out).toContain('Before using it, export FIVETRAN_TOKEN.');
    expect(readFileSync(join(s.home, 'p.yaml'), 'utf8')).toContain('token: env:FIVETRAN_TOKEN');
  }, 90_000);
});

describe('the wizard started as `hd-setup` alone on a terminal (its own entry, which loads no CLI parser)', () => {
  it.runIf(hasScript)('its output goes through the redactor too: the exported client secret pasted into the client id field shows as ******** (it showed as typed)', async () => {
    // (the tests above pass flags, --allow-root as root: they start the wizard through the CLI's entry)
    const s = await stubEnv('docker'); // TCLOUD_CLIENT_SECRET exported in it
    const r = await drive('cols 120 rows 40', [], s.env, [
      ['What do you want to install?', 'j'],
      ['❯ Tobiko', '\r'],
      ['Where should it run?', '\r'],
      ['Tobiko Cloud organization', 'acme\r'],
      ['Project', 'analytics\r'],
      ['OAuth client id', CLIENT_SECRET],
      ['› ********', '\x03'],
    ]);
    s.server.close();
    expect(r.code).toBe(130);
    expectNoSecrets(r.raw);
  }, 90_000);
});

describe('a rotation typed in the wizard, the old secret still exported in the shell', () => {
  it.runIf(hasScript)('the built wizard: the next run says the exported token is not the installed one, and Enter keeps the installed one (one Enter put the old token back); never shown', async () => {
    const NEW_PART = 'R0tat3dN3wS3cr3tPart';
    const NEW = Buffer.from(`clever_tiger:${NEW_PART}`).toString('base64');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    // installed with the token exported (TOKEN)
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const config = join(s.home, 'fivetran', 'conf', 'config.json');
    expect(readFileSync(config, 'utf8')).toContain(TOKEN);
    // the rotation: the wizard again, back to the token field, the new token typed over it, installed
    const rotate = await drive('cols 120 rows 40', rootFlags, s.env, [
      ['enter install', '\x1b'],
      ['Advanced settings', '\x1b'],
      ['Config file, 0600', '\x1b'],
      ['through a proxy', '\x1b'],
      ['Agent token', `${NEW}\r`],
      ['through a proxy', '\r'],
      ['Config file, 0600', '\r'],
      ['Advanced settings', '\r'],
      ['fivetran.token: a new value', '\r'],
      ['The same without the wizard', ''],
    ]);
    expect(rotate.code, rotate.out.slice(-1500)).toBe(0);
    expect(readFileSync(config, 'utf8')).toContain(NEW);
    // the next run, FIVETRAN_TOKEN (the old token) still exported: said, and Enter keeps the installed (new) one
    const next = await drive('cols 120 rows 40', rootFlags, s.env, [
      ['Keep the installed one', '\r'],
      ['enter install', '\r'],
      ['The same without the wizard', ''],
    ]);
    s.server.close();
    expect(next.code, next.out.slice(-1500)).toBe(0);
    const flat = next.out.replace(/\s+/g, ' ');
    expect(flat).toContain('Agent token: $FIVETRAN_TOKEN (exported in this shell) is not the installed one');
    expect(flat).toContain('Use $FIVETRAN_TOKEN');
    expect(flat).toContain('Nothing to change');
    expect(flat).not.toContain('fivetran.token: a new value');
    // the command without the wizard keeps it too: it would read the variable
    expect(flat).toContain('unset FIVETRAN_TOKEN first');
    expect(readFileSync(config, 'utf8')).toContain(NEW);
    expect(readFileSync(config, 'utf8')).not.toContain(TOKEN);
    for (const r of [rotate, next]) {
      expectNoSecrets(r.raw);
      expect(r.raw).not.toContain(NEW);
      expect(r.raw).not.toContain(NEW_PART);
    }
  }, 150_000);
});
