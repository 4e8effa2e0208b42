// The accessible wizard (ACCESSIBLE=1, --plain, and terminals too small or dumb to draw on): numbered
// line prompts over the same state machine; the same answers give the same files as the bundled presets.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPlainWizard, answerOf } from '../../src/ui/wiz/plain.js';
import { parseModel } from '../../src/products/load.js';
import { render } from '../../src/service/plan.js';
import type { Answers, Detection } from '../../src/ui/wiz/questions.js';
import { RENDER_ENV, SECRET_ENV, TOKEN, load, tmp } from '../helpers.js';
import { drive, hasScript, inPty } from './pty-helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';

const files = (answers: Answers) => render(parseModel(structuredClone(answers), { env: SECRET_ENV }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]);
const presetFiles = (name: string) => render(load({ preset: name }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]);

/** Run the line wizard on piped input: each answer is sent once the output asks for input again. */
async function converse(answers: string[], opts: { review?: (a: Answers) => Promise<{ ok: boolean; text: string; failed?: string[] }>; initial?: Answers; detection?: Detection | (() => Promise<Detection>) } = {}) {
  const input = new PassThrough();
  let output = '';
  const saved: string[] = [];
  const out = { write: (s: string) => ((output += s), true), columns: 120 };
  const done = runPlainWizard(
    {
      initial: opts.initial ?? {},
      detection: opts.detection ?? {},
      review: opts.review ?? (async () => ({ ok: true, text: 'Files\n  0600 conf/config.json' })),
      save: async (_a, p) => (saved.push(p), `Saved ${p}.`),
    },
    { input, output: out },
  );
  for (const a of answers) {
    const asked = output.length;
    for (let i = 0; i < 200 && output.length === asked; i++) await new Promise((r) => setTimeout(r, 5));
    input.write(`${a}\n`);
  }
  input.end(); // then the input ends (Ctrl-D): a cancel, if still asking
  const result = await done;
  return { result, output, saved };
}

describe('line prompts', () => {
  it('Fivetran on docker: the same answers render the same files as the bundled preset', async () => {
    const { result, output } = await converse(['1', '1', `  ${TOKEN} `, '', '', '', 'i']);
    expect(result.kind).toBe('install');
    expect(result.answers.fivetran.token).toBe(TOKEN); // trimmed
    expect(files(result.answers)).toEqual(presetFiles('fivetran-docker'));
    expect(output).toContain('Step 1 of 3 (Product): What do you want to install?');
    expect(output).toContain('  1. Fivetran Hybrid Deployment Agent (Fivetran pipelines, in your network) [default]');
    expect(output).toContain('✔ well-formed token for controller clever_tiger (Fivetran checks it on connect)');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toMatch(/\x1b/); // never repaints: no escape sequences at all
  });
  it('errors are said once and asked again; < goes back and keeps the answers', async () => {
    const { result, output } = await converse(['1', '9', '1', 'not-a-token', '<', '', TOKEN, '2', 'http://proxy.internal:3128', '', '', '', '', 'q']);
    expect(output).toContain('✖ type a number from 1 to 3, or Enter for the default');
    expect(output).toContain('✖ token is not base64');
    expect(output.match(/Where should it run\?/g)).toHaveLength(3);
    expect(result.kind).toBe('cancel');
    expect(result.answers.proxy).toEqual({ https: 'http://proxy.internal:3128', http: 'http://proxy.internal:3128', noProxy: ['localhost', '127.0.0.1'] });
  });
  it('a field whose empty answer means something says what at the prompt (it said "Enter for none" where empty is the default image)', async () => {
    const { output } = await converse(['1', '1', TOKEN, '', '', 'edit', '<']);
    const image = 'us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production';
    expect(output).toContain(`Agent image (empty:\n  ${image})\n`);
    expect(output).toContain(`Answer (Enter: ${image}, <: back): `);
  });
  it('a required field offers no Enter at the prompt (it said "Enter for none", which it then refused); one that takes empty says so', async () => {
    const { output } = await converse(['2', '1', '', 'acme', 'analytics', 'cid', 'sec', '<', '<', '<', '<', '<', 'q']);
    expect(output).toContain('Tobiko Cloud organization\n');
    expect(output).toContain('✖ the organization is required');
    const prompts = output.split('\n').filter((l) => l.startsWith('Answer (') || l.startsWith('Type it (hidden) ('));
    expect(prompts.length).toBeGreaterThan(2);
    for (const p of prompts) expect(p).not.toContain('Enter for none');
    expect(output).toContain('Answer (<: back): ');
    const t = await converse(['1', '1', TOKEN, '2', 'http://proxy.internal:3128', '', '', 'q']);
    expect(t.output).toContain('shown masked after Enter) (Enter for none, <: back): ');
  });
  it('a secret exported in this shell is named at its prompt (it said "Enter keeps the value already set", not whence)', async () => {
    const envSecrets = [{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: TOKEN }];
    const { result, output } = await converse(['1', '1', '', '', '', '', 'i'], { detection: { envSecrets } });
    expect(output).toContain('Type it (hidden) (Enter keeps $FIVETRAN_TOKEN (exported in this shell), <: back): ');
    expect(output).not.toContain(TOKEN);
    expect(result.answers.fivetran.token).toBe(TOKEN);
  });
  it('"-" is offered only where a field takes an empty answer: on a secret it has that cannot be empty, it is refused, saying what Enter keeps (it said "- clears it", then kept the exported token unsaid)', async () => {
    const OTHER = Buffer.from('other_ctl:other-secret-1').toString('base64');
    const envSecrets = [{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: TOKEN }];
    const { result, output } = await converse(['1', '1', '-', OTHER, '', '', '', 'i'], { detection: { envSecrets } });
    expect(output).toContain('✖ it cannot be empty: Enter keeps $FIVETRAN_TOKEN (exported in this shell); or type another\n');
    expect(output.match(/Agent token\n/g)).toHaveLength(2); // asked again
    expect(result.answers.fivetran.token).toBe(OTHER);
    // a required text field it has: Enter keeps it, no "- clears it" (which the field then refused)
    const t = await converse(['2', '1', 'acme', 'analytics', 'cid', 'sec', '<', '<', '<', 'q']);
    expect(t.output).toContain('Answer (Enter keeps "cid", <: back): ');
    expect(t.output).toContain('Answer (Enter keeps "analytics", <: back): ');
    expect(t.output).not.toContain('- clears it');
    // one that takes empty still offers it
    const n = await converse(['1', '1', TOKEN, '2', 'http://proxy.internal:3128', '', '', '<', 'q']);
    expect(n.output).toContain('Answer (Enter keeps "localhost, 127.0.0.1", - clears it, <: back): ');
  });
  it('a PEM key pasted into a secret is one answer, read hidden to its END line (its body lines answered the questions after it, shown in clear, and went into the warehouse, database and role)', async () => {
    const body = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjPemBodyOne', 'QWERTYPemBodyTwoASDFGHJKL0987654321zxcvbnm'];
    const pem = ['-----BEGIN PRIVATE KEY-----', ...body, '-----END PRIVATE KEY-----'].join('\n');
    const head = ['acme', 'analytics', 'cid'];
    const gateway = ['snow', 'snowflake', 'private_key', 'acct', 'bob', pem];
    const k8s = await converse([...head, '', '', 'sec', '', ...gateway, '', '', '', '', '', '', 'i'], { initial: { product: 'tobiko', runtime: 'kubernetes' } });
    expect(k8s.result).toMatchObject({ kind: 'install', answers: { tobiko: { gateways: { snow: { type: 'snowflake', account: 'acct', user: 'bob', private_key: pem } } } } });
    expect(k8s.output).toContain('(a PEM block: its lines are read, not echoed, to its -----END line; an empty line ends it sooner)');
    expect(k8s.output).toContain('(4 lines read)');
    for (const l of body) expect(k8s.output).not.toContain(l);
    // on docker/podman the env-file holds one line: refused whole, with the way on, and asked again
    const docker = await converse([...head, 'sec', '', ...gateway, '<', 'q'], { initial: { product: 'tobiko', runtime: 'docker' } });
    expect(docker.output).toContain('✖ private_key spans several lines, which the env-file cannot hold: save it to a file and choose private_key_path');
    expect(docker.output).not.toContain('warehouse (optional');
    for (const l of body) expect(docker.output).not.toContain(l);
    // cut off (its END line never comes): an empty line ends it, the field says so and asks again; the whole key then goes
    // (every line after the BEGIN line was read as the key, Enter and "<" too, until Ctrl-C)
    const cut = await converse([...head, '', '', 'sec', '', ...gateway.slice(0, -1), '-----BEGIN PRIVATE KEY-----', body[0]!, '', pem, '', '', '', '', '', '', 'i'], { initial: { product: 'tobiko', runtime: 'kubernetes' } });
    expect(cut.output).toContain('✖ private_key is cut off: it has the -----BEGIN PRIVATE KEY----- line and no -----END PRIVATE KEY----- line');
    expect(cut.output).toContain('(2 lines read)');
    expect(cut.result).toMatchObject({ kind: 'install', answers: { tobiko: { gateways: { snow: { private_key: pem } } } } });
    for (const l of body) expect(cut.output).not.toContain(l);
  });
  it('"<" at the first question says there is nothing to go back to (it asked it again unsaid)', async () => {
    const { output } = await converse(['<']);
    expect(output).toContain('✖ this is the first question: there is nothing to go back to (Ctrl-C quits)\n');
    expect(output.match(/What do you want to install\?/g)).toHaveLength(2);
    // from any other, "<" goes back, unsaid
    const rerun = await converse(['1', '1', TOKEN, '', '', '', '<', 'q']);
    expect(rerun.output).not.toContain('first question');
  });
  it('"<" typed in a field that is not echoed (a proxy URL) goes back, and is not shown as if it were the answer', async () => {
    const { result, output } = await converse(['1', '1', TOKEN, '2', 'http://al:PlainPw77@px:3128', '<', '', '', '', '', 'q']);
    expect(output).not.toMatch(/ {2}<\n/);
    expect(output.match(/HTTPS proxy URL\n/g)).toHaveLength(2);
    expect(result.answers.proxy?.https).toBe('http://al:PlainPw77@px:3128');
  });
  it('a re-run where the exported secret is not the installed one: said, and asked, Enter keeping the installed one; 2 takes the variable\'s', async () => {
    const OLD = 'b2xkX2NvbnRyb2xsZXI6b2xkLXNlY3JldA==';
    const detection = async (): Promise<Detection> => ({ envSecrets: [{ path: 'fivetran.token', env: 'FIVETRAN_TOKEN', value: OLD }], installed: { where: '/h/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } } } });
    const keep = await converse(['', 'i'], { detection });
    expect(keep.output.replace(/\s+/g, ' ')).toContain('$FIVETRAN_TOKEN (exported in this shell) is not the installed fivetran.token: the installed one is kept unless you choose $FIVETRAN_TOKEN.');
    expect(keep.output).toContain('(Credentials): Agent token: $FIVETRAN_TOKEN (exported in this shell) is not the installed one\n');
    expect(keep.output).toContain('  1. Keep the installed one ($FIVETRAN_TOKEN is not used) [default]\n  2. Use $FIVETRAN_TOKEN (it replaces the installed one)\n');
    expect(keep.result).toMatchObject({ kind: 'install', answers: { fivetran: { token: TOKEN } } });
    const use = await converse(['2', 'i'], { detection });
    expect(use.result).toMatchObject({ kind: 'install', answers: { fivetran: { token: OLD } } });
    for (const o of [keep.output, use.output]) expect(o).not.toMatch(new RegExp(`${TOKEN}|${OLD}`));
  });
  it('a proxy URL with a password is not echoed as typed: it is shown masked after Enter', async () => {
    const { result, output } = await converse(['1', '1', TOKEN, '2', 'http://al:PlainPw77@px:3128', '', '', '', '', 'q']);
    expect(result.answers.proxy?.https).toBe('http://al:PlainPw77@px:3128');
    expect(output).not.toContain('PlainPw77');
    expect(output).toContain('Answer (not echoed: it may hold a password; shown masked after Enter)');
    expect(output).toMatch(/ {2}http:\/\/al:\*+@px:3128\n/);
  });
  it('the review: not ready offers what works; k skips the failed checks; s saves (~ expanded)', async () => {
    let skipped = false;
    const review = async () => (skipped ? { ok: true, text: 'Steps' } : { ok: false, failed: ['not-root'], text: '✖ not-root: running as root' });
    const input = ['1', '1', TOKEN, '', '', '', 'i', 's', '~/p.yaml', 'k', 'i'];
    const input2 = new PassThrough();
    let output = '';
    const saved: string[] = [];
    const done = runPlainWizard({ initial: {}, detection: {}, review, skipChecks: () => (skipped = true), save: async (_a, p) => (saved.push(p), `Saved ${p}.`) }, { input: input2, output: { write: (s: string) => ((output += s), true) } });
    for (const a of input) {
      const asked = output.length;
      for (let i = 0; i < 200 && output.length === asked; i++) await new Promise((r) => setTimeout(r, 5));
      input2.write(`${a}\n`);
    }
    const result = await done;
    expect(output).toContain('k skip the failed check, s save as a preset, < back, q quit: ');
    expect(output).toContain('✖ type one of: k, s, <, q'); // "i" while not ready
    expect(saved).toEqual([`${process.env.HOME}/p.yaml`]);
    expect(output).toContain('i install, s save as a preset, < back, q quit: ');
    expect(result.kind).toBe('install');
  });
  it('the same questions as the full screen: a Snowflake key pair, the Advanced step, a refused affinity default', async () => {
    const { result, output } = await converse(['2', '1', 'acme', 'analytics', 'cid', 'sec', '', '', 'snowflake', 'private_key_path', 'acct', 'svc', '/keys/k.p8', '', '', '', '', '', '', 'edit', '', '', 'never', '', '', '', 'i']);
    expect(output).toContain('warehouse: which of password, private_key, private_key_path, authenticator?');
    expect(output).toContain('Advanced settings');
    expect(result.kind).toBe('install');
    expect(result.answers.tobiko.gateways.warehouse).toEqual({ type: 'snowflake', account: 'acct', user: 'svc', private_key_path: '/keys/k.p8' });
    expect(result.answers.tobiko.docker).toEqual({ pullPolicy: 'never' });
    expect(files(result.answers).find(([p]) => String(p).endsWith('tobiko.env'))?.[2]).toContain('SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PRIVATE_KEY_PATH=/keys/k.p8');
    // "No default" (1) refused; Enter takes b, the only rule that can be the default, which it starts on
    const k8s = await converse(['1', '3', '1', TOKEN, '', 'fivetran-data', '', '', '3', '', 'a', '', '1', 'k', '', 'x', '2', 'b', '2', 'k', '', 'y', '', 'c1', '', '1', '', '', 'i']);
    expect(k8s.output).toContain('✖ rule b has no connections, so it must be the default: choose b, or go back and give it connection ids');
    expect(k8s.result.answers.fivetran.kubernetes.affinity).toEqual([{ rule: 'a', connectors: ['c1'] }, { rule: 'b', default: true }]);
  });
  it('wording: a one-option note says what Enter does (no "Choose 1-1"); the option Enter picks is marked once', async () => {
    const { output } = await converse(['1', '1', TOKEN, '', '', 'edit', '', 'never', '<']);
    expect(output).toContain('Press Enter to choose Config file, 0600 (<: back): ');
    expect(output).not.toContain('Choose 1-1');
    expect(output).not.toMatch(/\(default\) \[default\]/);
    expect(output).toContain('  1. always (pull the image each time a container is made: a new install or a changed config) [default]');
    // back on a choice whose value is not the model's default: Enter keeps the one set now
    expect(output).toContain('  1. always (default; pull the image each time a container is made: a new install or a changed config)');
    expect(output).toContain('  3. never (offline: use an image loaded beforehand (docker load, podman load)) [current]');
    expect(output).toContain('Choose 1-3 (Enter: the current one, <: back): ');
    const one = { id: 'n', step: 'S', title: 't', kind: 'select' as const, options: [{ label: 'Env-file, 0600', value: 'ok' }], apply: () => ({}) };
    expect(answerOf(one, 'x')).toEqual({ problem: 'press Enter to choose Env-file, 0600, or type < to go back' });
  });
  it('the review is printed once; v lists only the files (masked), s and a mistyped key do not reprint it', async () => {
    const hows: unknown[] = [];
    const review = async (_a: Answers, how?: { plain?: boolean }) => {
      hows.push(how);
      return { ok: true, text: 'PLAN-TEXT\nThe same without the wizard:\n  hd-setup install --yes', files: [{ path: '/h/fivetran/conf/config.json', mode: '0600', content: '{"token": "********"}\n' }] };
    };
    const { output, result } = await converse(['1', '1', TOKEN, '', '', '', 'v', 'x', 's', '', 'i'], { review });
    expect(result.kind).toBe('install');
    expect(output.match(/PLAN-TEXT/g)).toHaveLength(1);
    expect(output).toContain('File 1 of 1: /h/fivetran/conf/config.json (0600, secrets masked)\n  | {"token": "********"}\n(end of /h/fivetran/conf/config.json)');
    expect(output.match(/i install, v view the files, s save as a preset, < back, q quit: /g)).toHaveLength(4);
    expect(hows).toEqual([{ plain: true, width: 119 }]);
  });
  it('the input ending (Ctrl-D, a closed pipe) cancels', async () => {
    const input = new PassThrough();
    const done = runPlainWizard({ initial: {}, detection: {}, review: async () => ({ ok: true, text: '' }), save: async () => '' }, { input, output: { write: () => true } });
    input.end();
    expect((await done).kind).toBe('cancel');
  });
  it('reads a typed line for each kind of question', () => {
    const select = { id: 'x', step: 'S', title: 't', kind: 'select' as const, options: [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }], initial: 'b', apply: () => ({}) };
    expect(answerOf(select, '')).toEqual({ value: 'b' });
    expect(answerOf(select, ' 1 ')).toEqual({ value: 'a' });
    expect(answerOf(select, 'b')).toEqual({ value: 'b' });
    expect(answerOf(select, '<')).toEqual({ back: true });
    expect(answerOf(select, '3')).toHaveProperty('problem');
    const text = { id: 'y', step: 'S', title: 't', kind: 'text' as const, initial: 'keep', apply: () => ({}) };
    expect(answerOf(text, '')).toEqual({ value: 'keep' });
    expect(answerOf(text, '-')).toEqual({ value: '' });
    expect(answerOf(text, 'new value')).toEqual({ value: 'new value' });
  });
});

describe.runIf(hasScript)('line prompts in a pseudo-terminal (the built bin)', () => {
  it('ACCESSIBLE=1: numbered prompts that never repaint; the token is never echoed; s saves a preset', async () => {
    const home = tmp('hd-home-');
    const r = await inPty('cols 80 rows 24', {
      env: { ACCESSIBLE: '1', HOME: home },
      // typed ahead too: the reader, not the terminal, decides what is echoed
      keys: ['1\r', '1\r', `${TOKEN}\r`, '\r', '\r', '\r', 's\r', '~/p.yaml\r', 'q\r'],
      first: 1500,
      gap: 600,
    });
    expect(r.out).toContain('Step 1 of 3 (Product): What do you want to install?');
    expect(r.out).toContain('Type it (hidden)');
    expect(r.out).not.toContain(TOKEN);
    expect(r.out).not.toMatch(/\x1b\[[0-9;]*[ABCDGHJK]/); // no cursor movement or erasing: nothing repaints
    expect(readFileSync(join(home, 'p.yaml'), 'utf8')).toContain('token: env:FIVETRAN_TOKEN');
    expect(r.code).toBe(130);
    // the cancel says what was written: the preset, and that nothing was installed
    expect(r.out).not.toContain('Nothing was written');
    expect(r.out.replace(/\s+/g, ' ')).toContain(`Cancelled. Nothing was installed; the preset ${join(home, 'p.yaml')} was saved (export FIVETRAN_TOKEN, then hd-setup install --preset ${join(home, 'p.yaml')} --yes uses it).`);
  }, 60_000);
  it('s never writes over a file of the user\'s: it says so and the file stays; a preset the wizard saved before is replaced', async () => {
    const home = tmp('hd-home-');
    writeFileSync(join(home, 'p.yaml'), 'mine: true\n');
    writeFileSync(join(home, 'q.yaml'), '# Saved by the hd-setup wizard. Secrets are references: export FIVETRAN_TOKEN first.\nproduct: fivetran\n');
    const r = await inPty('cols 80 rows 24', {
      env: { ACCESSIBLE: '1', HOME: home },
      keys: ['1\r', '1\r', `${TOKEN}\r`, '\r', '\r', '\r', 's\r', '~/p.yaml\r', 's\r', '~/q.yaml\r', 'q\r'],
      first: 1500,
      gap: 600,
    });
    expect(r.out.replace(/\s+/g, ' ')).toContain(`error: ${join(home, 'p.yaml')} exists and is not a preset hd-setup wrote; give another name, or move it away first`);
    expect(readFileSync(join(home, 'p.yaml'), 'utf8')).toBe('mine: true\n');
    expect(readFileSync(join(home, 'q.yaml'), 'utf8')).toContain('token: env:FIVETRAN_TOKEN');
    expect(r.code).toBe(130);
  }, 60_000);
  it('the review names the line mode\'s keys ("<", typed), never Esc; v does not reprint the plan', async () => {
    // Fivetran on podman 4.3.1: its runtime-version check fails, so the review is "not ready"
    const s = await stubEnv('podman', { USER: 'ana', HD_STUB_VERSION: '4.3.1', ACCESSIBLE: '1' });
    const args = ['--set', 'product=fivetran', '--set', 'runtime=podman', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', ...rootFlags];
    const r = await drive('cols 80 rows 24', args, s.env, [
      ['q quit: ', 'v\r'],
      ['(end of ', 'q\r'],
    ]);
    s.server.close();
    expect(r.code, r.out.slice(-1500)).toBe(130);
    expect(r.out).toContain('Not ready to install:');
    expect(r.out).toContain('podman 4.3.1 is older than the required 4.5.0');
    expect(r.out.replace(/\s+/g, ' ')).toContain('or type < (and Enter) to change your answers. Type k (and Enter) to skip this check');
    expect(r.out).not.toMatch(/press esc/i);
    expect(r.out.match(/Not ready to install:/g)).toHaveLength(1);
    expect(r.out).toContain('File 1 of 2:');
  }, 90_000);
  it('k is not offered for a check the install cannot run past (an image it may not pull); the others still', async () => {
    const s = await stubEnv('podman', { USER: 'ana', HD_STUB_VERSION: '4.3.1', ACCESSIBLE: '1' });
    const args = ['--set', 'product=fivetran', '--set', 'runtime=podman', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--set', 'fivetran.pullPolicy=never', ...rootFlags];
    const r = await drive('cols 80 rows 24', args, s.env, [
      ['q quit: ', 'k\r'],
      ['q quit: ', 'q\r'],
    ]);
    s.server.close();
    expect(r.code, r.out.slice(-1500)).toBe(130);
    const out = r.out.replace(/\s+/g, ' ');
    expect(out).toContain('✖ image-present: image');
    expect(out).toContain('image-present cannot be skipped here: the install would fail on the same problem.');
    expect(out).not.toContain('k skip the failed check');
    expect(out).not.toContain('Skipped checks:');
  }, 90_000);
  it('a check skipped with k stays skipped on the next run of the wizard for that install, and says so', async () => {
    const s = await stubEnv('podman', { USER: 'ana', HD_STUB_VERSION: '4.3.1', ACCESSIBLE: '1' });
    const args = ['--set', 'product=fivetran', '--set', 'runtime=podman', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', ...rootFlags];
    // k, then save a preset, then install
    const first = await drive('cols 80 rows 24', args, s.env, [['q quit: ', 'k\r'], ['i install, ', 's\r'], ['Save the preset to', '~/p.yaml\r'], ['i install, ', 'i\r']]);
    expect(first.code, first.out.slice(-1500)).toBe(0);
    expect(first.out).toContain('podman 4.3.1 is older than the required 4.5.0');
    // after k, the review says which check will not run
    expect(first.out.replace(/\s+/g, ' ')).toContain('Skipped checks: runtime-version (the same as --skip-check runtime-version).');
    // and so does the plan's preflight step (it listed the check as made)
    expect(first.out.replace(/\s+/g, ' ')).toMatch(/checks: runtime-present, (?:(?!runtime-version)[^;])*; skipped \(--skip-check\): runtime-version /);
    // the saved preset says how to use it: with the check skipped, as it was here
    expect(readFileSync(join(s.home, 'p.yaml'), 'utf8')).toContain(`# Use it: hd-setup install --preset ${join(s.home, 'p.yaml')}${rootFlags.length ? ' --allow-root' : ''} --skip-check runtime-version --yes`);
    // again, with nothing changed (and without --allow-root: it was installed with it): ready at once,
    // naming the check it skips and why
    const again = await drive('cols 80 rows 24', args.filter((a) => a !== '--allow-root'), s.env, [['q quit: ', 'i\r']]);
    // back at the runtime step (the same run, without --allow-root), root is allowed for this install's
    // runtime, as the review says; another runtime would be a new install, and refused
    const back = rootFlags.length
      ? await drive('cols 80 rows 24', args.filter((a) => a !== '--allow-root'), s.env, [['q quit: ', '<\r'], ...Array.from({ length: 4 }, (): [string, string] => ['Step ', '<\r']), ['Where should it run?', '\r'], ['Step ', '\x04']])
      : undefined;
    s.server.close();
    if (back) {
      const shown = back.out.slice(back.out.lastIndexOf('Where should it run?')).replace(/\s+/g, ' ');
      expect(shown).toContain('running as root (allowed: the install here was made with --allow-root)');
      expect(shown).not.toContain('the install will refuse it');
    }
    expect(again.code, again.out.slice(-1500)).toBe(0);
    expect(again.out).not.toContain('Not ready to install');
    expect(again.out.replace(/\s+/g, ' ')).toContain('Skipped as at the last install: runtime-version (the same as --skip-check runtime-version).');
    expect(again.out.replace(/\s+/g, ' ')).toMatch(/checks: runtime-present, (?:(?!runtime-version)[^;])*; skipped \(--skip-check\): runtime-version /);
    expect(again.out.replace(/\s+/g, ' ')).toMatch(/hd-setup install .*--skip-check runtime-version/);
    // warnings are at the review, before the install (here: root, when the suite runs as root)
    if (rootFlags.length) {
      expect(again.out).toMatch(/Preflight warnings \(they do not stop the install\):\n(! .*\n(  fix: .*\n)?)*! not-root: running as root \(allowed: it was installed with --allow-root\)/);
      expect(again.out.replace(/\s+/g, ' ')).toMatch(/hd-setup install .*--allow-root (\\ )?--skip-check runtime-version/);
    }
  }, 90_000);
  it('a 0×0 terminal says why and asks in lines instead', async () => {
    const r = await inPty('cols 0 rows 0', { keys: ['q\r', '\x03'], first: 2500 });
    expect(r.out).toContain('the terminal is too small for the full-screen wizard (0×0; it needs at least 40×10): asking line by line instead');
    expect(r.out).toContain('Step 1 of 3 (Product)');
    expect(r.code).toBe(130);
  }, 60_000);
});
