// The line editor inside the mounted wizard (ink-testing-library): raw terminal sequences go through
// Ink's own input parser to the wizard, keys arrive one by one or all in one chunk, and the save-as-preset
// field at the review edits like the questions.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp, presetPath, reviewKeys } from '../../src/ui/wiz/Wizard.js';
import type { Answers } from '../../src/ui/wiz/questions.js';
import { writeOutputFile } from '../../src/util/paths.js';
import { PASTE_END, PASTE_START } from '../../src/ui/wiz/keys.js';
import { TOKEN } from '../helpers.js';
import { frameOf, until, keysFor } from '../ink-frames.js';

const ENTER = '\r';
const CTRL_U = '\x15';
const HOME = '\x1b[H';
const ALT_B = '\x1bb';

function mount(initial: Answers = {}, files?: { path: string; mode: string; content: string }[]) {
  let done: { kind: string; answers: Answers } | undefined;
  const saved: string[] = [];
  const app = inkRender(
    <WizardApp
      initial={initial}
      detection={{}}
      review={async () => ({ ok: true, text: 'Files\n  0600 conf/config.json', ...(files ? { files } : {}) })}
      save={async (_a, p) => {
        saved.push(p);
        return `Saved ${p}.`;
      }}
      onDone={(r) => (done = r)}
    />,
  );
  const keys = keysFor(app);
  const frame = () => frameOf(app);
  const untilFrame = async (text: string) => {
    await until(() => frame().includes(text));
    expect(frame()).toContain(text);
  };
  return { app, keys, frame, untilFrame, saved, result: () => done };
}

/** From the secrets step on, every screen as it is, then install: the answers installed. */
async function installFromSecretsStep(w: ReturnType<typeof mount>): Promise<Answers> {
  await w.untilFrame('The token goes only into');
  await w.keys(ENTER);
  await w.untilFrame('Advanced settings');
  await w.keys(ENTER);
  await w.untilFrame('enter install');
  await w.keys(ENTER);
  await until(() => w.result() !== undefined);
  return w.result()!.answers;
}

describe('text questions edit like readline', () => {
  it('a token pasted with spaces around it is stored trimmed; its mask stays one short line', async () => {
    const w = mount();
    await w.keys(ENTER, ENTER);
    await w.untilFrame('Agent token');
    await w.keys(`  ${TOKEN} `);
    // checked as it will be stored, drawn as 8 bullets and the length (not 47 bullets)
    expect(w.frame()).toContain('well-formed token for controller clever_tiger (Fivetran checks it on connect)');
    expect(w.frame()).toContain(`•••••••• (${TOKEN.length} characters; 3 spaces around it dropped)`);
    expect(w.frame()).not.toContain('•••••••••');
    expect(w.frame()).not.toContain(TOKEN);
    await w.keys(ENTER);
    await w.untilFrame('through a proxy?');
    await w.keys('\x1b');
    await w.untilFrame('Agent token');
    // back on the field: the stored (trimmed) token, prefilled, cursor at the end
    expect(w.frame()).toContain(`•••••••• (${TOKEN.length} characters)`);
    expect(w.frame()).toContain('enter keeps it · typing replaces it · ←→ edit it'); // (a prefilled secret: typing replaces it)
    // one Ctrl-U clears it (no backspace per character)
    await w.keys(CTRL_U);
    expect(w.frame()).not.toContain('••');
    expect(w.frame()).toContain('type · enter next');
    w.app.unmount();
  });

  it('text typed and left with Esc before Enter is there again on the way back; Enter then keeps it', async () => {
    const w = mount();
    await w.keys(ENTER, ENTER);
    await w.untilFrame('Agent token');
    await w.keys(TOKEN, ENTER);
    await w.untilFrame('through a proxy?');
    await w.keys('\x1b[B', ENTER); // Use a proxy
    await w.untilFrame('HTTPS proxy');
    await w.keys('http://proxy.internal:31');
    await w.keys('\x1b');
    await w.untilFrame('through a proxy?');
    await w.keys(ENTER);
    await w.untilFrame('HTTPS proxy');
    // the unsent URL, the cursor at its end: typing goes on where it stopped
    expect(w.frame()).toContain('http://proxy.internal:31');
    await w.keys('28', ENTER);
    await w.untilFrame('HTTP proxy');
    await w.keys('\x1b');
    await w.untilFrame('HTTPS proxy URL');
    expect(w.frame()).toContain('http://proxy.internal:3128');
    w.app.unmount();
  });

  it('a prefilled list is extended at its end, edited in the middle, every key in one chunk', async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN }, proxy: { https: 'http://proxy.internal:3128', noProxy: ['localhost', '127.0.0.1'] } });
    await w.untilFrame('enter install');
    // walk back to the no-proxy question (past the Advanced step and the secrets note)
    for (let i = 0; i < 4 && !w.frame().includes('Hosts that bypass the proxy'); i++) await w.keys('\x1b');
    await w.untilFrame('Hosts that bypass the proxy');
    expect(w.frame()).toContain('localhost, 127.0.0.1');
    // one chunk: append ", 10.0.0.0/8", then Home, Alt-F (after "localhost"), Alt-D (kill ", 127"),
    // End, Ctrl-Y (yank it back at the end), Enter
    await w.keys(`, 10.0.0.0/8${HOME}\x1bf\x1bd\x1b[F\x19${ENTER}`);
    expect((await installFromSecretsStep(w)).proxy.noProxy).toEqual(['localhost.0.0.1', '10.0.0.0/8', '127']);
    w.app.unmount();
  });

  it('Backspace deletes before the cursor and Delete at it (Ink reports both as "delete")', async () => {
    const w = mount({ product: 'tobiko', runtime: 'docker' });
    await w.untilFrame('Tobiko Cloud organization');
    // each credential says where to find it
    expect(w.frame()).toContain('the <org> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>');
    await w.keys('acmex', '\x1b[D', '\x1b[D', '\x7f', '\x1b[3~', ENTER);
    await w.untilFrame('Project');
    await w.keys('\x1b');
    await w.untilFrame('Tobiko Cloud organization');
    expect(w.frame()).toMatch(/› acx/);
    w.app.unmount();
  });

  it('undo, Ctrl-X Ctrl-U (in two writes), Ctrl-T, Alt-U and Alt-Y through Ink, on a secret that is never drawn', async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker' });
    await w.untilFrame('Agent token');
    await w.keys(`${PASTE_START}${TOKEN}${PASTE_END}`, 'ab', '\x14', '\x1f'); // Ctrl-T then undo: "ab" again
    await w.keys('\x18', '\x15'); // Ctrl-X Ctrl-U in two reads: "ab" goes (no kill of the whole line)
    expect(w.frame()).toContain(`•••••••• (${TOKEN.length} characters)`);
    await w.keys('\x01', '\x1bu', '\x1f'); // Alt-U on the token, undone
    // two kills, Ctrl-Y the second, Alt-Y the first in its place ("<token> a"), then all of it undone, step by step
    await w.keys('\x05', ' a', '\x17', 'b', '\x17', '\x19', '\x1by');
    expect(w.frame()).toContain(`•••••••• (${TOKEN.length + 2} characters)`);
    await w.keys(...Array<string>(7).fill('\x1f'));
    expect(w.frame()).not.toContain(TOKEN);
    expect(w.frame()).not.toContain(TOKEN.toUpperCase());
    await w.keys(ENTER);
    await w.untilFrame('through a proxy?');
    await w.keys(ENTER); // no proxy
    expect((await installFromSecretsStep(w)).fivetran.token).toBe(TOKEN);
    w.app.unmount();
  });

  it('Alt-B moves by word, typing inserts at the cursor', async () => {
    const w = mount({ product: 'tobiko', runtime: 'docker' });
    await w.untilFrame('Tobiko Cloud organization');
    await w.keys(`acme-prod${ALT_B}eu-${ENTER}`);
    await w.untilFrame('Project');
    await w.keys('\x1b');
    await w.untilFrame('acme-eu-prod');
    w.app.unmount();
  });
});

describe('errors and hints', () => {
  it('a wrong token shows its error once (the live check steps aside for the error)', async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker' });
    await w.untilFrame('Agent token');
    await w.keys('bad');
    expect(w.frame()).toContain('… token does not decode');
    await w.keys(ENTER);
    await w.untilFrame('✖ token does not decode');
    expect(w.frame().match(/does not decode/g)).toHaveLength(1);
    // editing clears the error; the live check speaks again
    await w.keys('\x7f');
    expect(w.frame()).not.toContain('✖');
    expect(w.frame().match(/token/g)?.length).toBeGreaterThan(0);
    w.app.unmount();
  });
});

describe('save as preset (review)', () => {
  const at = async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await w.untilFrame('enter install');
    await w.keys('s');
    await w.untilFrame('Save preset to: ./hd-setup-preset.yaml');
    expect(w.frame()).toContain('type a path to replace it · enter save · ←→ edit it · esc cancel');
    expect(w.frame()).not.toContain('enter install');
    return w;
  };
  it('Ctrl-U clears the default; the typed path is the path (not appended to the default)', async () => {
    const w = await at();
    await w.keys(`${CTRL_U}presets/k8s.yaml${ENTER}`);
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual(['presets/k8s.yaml']);
    await w.untilFrame('Saved presets/k8s.yaml.');
    w.app.unmount();
  });
  it('typing replaces the suggested default whole (no Ctrl-U needed), as the trial expected', async () => {
    const w = await at();
    await w.keys(`~/presets/fd.yaml${ENTER}`);
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual([`${process.env.HOME}/presets/fd.yaml`]);
    w.app.unmount();
  });
  it('the default is edited from its end, like every field', async () => {
    const w = await at();
    await w.keys('\x7f\x7f\x7f\x7fjson', ENTER);
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual(['./hd-setup-preset.json']);
    w.app.unmount();
  });
  it('~/ is the home directory', async () => {
    const w = await at();
    await w.keys(CTRL_U, '~/x.yaml', ENTER);
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual([`${process.env.HOME}/x.yaml`]);
    expect(presetPath(' ~/a/b.yaml ', '/home/ana')).toBe('/home/ana/a/b.yaml');
    expect(presetPath('./p.yaml', '/home/ana')).toBe('./p.yaml');
    // a folder that does not exist: one plain sentence (the save shows it as "error: ..."), not ENOENT of a temp file
    expect(writeOutputFile('/nonexistent-hd/presets/fd.yaml', 'x', 0o644, 'preset', 'hd-setup-preset.yaml')).toEqual({ problem: 'the folder /nonexistent-hd/presets does not exist; create it first, or give a path in an existing folder' });
    w.app.unmount();
  });
  it('a bracketed paste: one line replaces the suggestion (its line break saves nothing); several lines are refused with a message that goes once the path is edited', async () => {
    const w = await at();
    await w.keys(`${PASTE_START}./a.yaml\nb.yaml${PASTE_END}`);
    await w.untilFrame('error: The paste spans several lines and this field takes one');
    expect(w.frame()).toContain('Save preset to: ./hd-setup-preset.yaml');
    await w.keys(`${PASTE_START}./pasted.yaml\r\n${PASTE_END}`);
    await w.untilFrame('Save preset to: ./pasted.yaml');
    expect(w.frame()).not.toContain('error:');
    expect(w.saved).toEqual([]);
    await w.keys(ENTER);
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual(['./pasted.yaml']);
    w.app.unmount();
  });
  it('s, a path and Enter in one chunk (a slow link, tmux) save there: the path was compared whole with "s", and the Enter installed', async () => {
    const w = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await w.untilFrame('enter install');
    await w.keys(`s~/mine.yaml${ENTER}`);
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual([`${process.env.HOME}/mine.yaml`]);
    await w.untilFrame('Saved');
    expect(w.result()).toBeUndefined();
    // a letter that is no key, with Enter, in one chunk: the Enter alone installs, as pressed alone
    await w.keys(`x${ENTER}`);
    await until(() => w.result() !== undefined);
    expect(w.result()?.kind).toBe('install');
    w.app.unmount();
  });
  it('Escapes in one chunk go back as many screens from the review, and from its viewer (the rest of the chunk was dropped)', async () => {
    const title = (f: string) => f.split('\n').find((l) => l.trim() && !l.includes('hd-setup')) ?? '';
    // one Escape at a time: where two and three lead
    const one = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await one.untilFrame('enter install');
    await one.keys('\x1b');
    await until(() => !one.frame().includes('enter install'));
    await one.keys('\x1b');
    const twoBack = one.frame();
    await one.keys('\x1b');
    const threeBack = one.frame();
    one.app.unmount();
    expect(twoBack).not.toBe(threeBack);
    const chunk = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } });
    await chunk.untilFrame('enter install');
    await chunk.keys('\x1b\x1b');
    await until(() => chunk.frame() === twoBack);
    expect(title(chunk.frame())).toBe(title(twoBack));
    chunk.app.unmount();
    // the viewer: the first Escape closes it, the next two go back from the review
    const viewer = mount({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, [{ path: '/x/conf/config.json', mode: '0600', content: '{}\n' }]);
    await viewer.untilFrame('v view');
    await viewer.keys('v');
    await viewer.untilFrame('/x/conf/config.json');
    await viewer.keys('\x1b\x1b\x1b');
    await until(() => viewer.frame() === twoBack);
    expect(title(viewer.frame())).toBe(title(twoBack));
    viewer.app.unmount();
  });
  it('the save field: typing replaced the suggestion as one undo step; after Ctrl-X, Esc does not cancel', async () => {
    const w = await at();
    await w.keys('x.yaml');
    await w.untilFrame('Save preset to: x.yaml');
    await w.keys('\x1f'); // the typed run
    await w.keys('\x1f'); // the suggestion it replaced
    await w.untilFrame('Save preset to: ./hd-setup-preset.yaml');
    await w.keys('\x18', '\x1b'); // Ctrl-X Esc: an unknown sequence, nothing
    expect(w.frame()).toContain('Save preset to: ./hd-setup-preset.yaml');
    await w.keys('\x14', ENTER); // Ctrl-T at the end
    await until(() => w.saved.length > 0);
    expect(w.saved).toEqual(['./hd-setup-preset.yalm']);
    w.app.unmount();
  });
  it('the save field: a pasted path is one undo step (typed, it would be runs of 20)', async () => {
    const w = await at();
    await w.keys(CTRL_U, `${PASTE_START}./presets/production-agent.yaml${PASTE_END}`);
    await w.untilFrame('Save preset to: ./presets/production-agent.yaml');
    await w.keys('\x1f');
    await until(() => w.frame().includes('Save preset to:\n'));
    await w.keys('\x1f'); // the Ctrl-U
    await w.untilFrame('Save preset to: ./hd-setup-preset.yaml');
    w.app.unmount();
  });
  it('Esc cancels the save and the review keys come back', async () => {
    const w = await at();
    await w.keys('\x1b');
    await w.untilFrame('enter install · s save as preset · esc back · ctrl-c quit');
    expect(w.frame()).not.toContain('Save preset to');
    expect(w.saved).toEqual([]);
    w.app.unmount();
  });
});

describe('review keys', () => {
  it('offer only what works now', () => {
    expect(reviewKeys({ result: undefined, saving: false, scrolls: false })).toBe('esc back · ctrl-c quit');
    // ↑↓ is said on the "lines … of …" line; the keys fit in 80 columns even with every one offered
    expect(reviewKeys({ result: { ok: false, text: '' }, saving: false, scrolls: true })).toBe('s save as preset · esc back · ctrl-c quit');
    expect([...reviewKeys({ result: { ok: false, text: '', failed: ['a', 'b'], files: [{ path: 'p', mode: '0600', content: '' }] }, saving: false, scrolls: true })].length).toBeLessThan(80);
    expect([...reviewKeys({ result: { ok: true, text: '', files: [{ path: 'p', mode: '0600', content: '' }] }, saving: false, scrolls: true })].length).toBeLessThan(80);
    expect(reviewKeys({ result: { ok: true, text: '' }, saving: false, scrolls: false })).toBe('enter install · s save as preset · esc back · ctrl-c quit');
  });
});
