// The review's file viewer (key v): the reducer without Ink, the mounted review, and the line mode.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { PassThrough } from 'node:stream';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp, reviewKeys, wrapText } from '../../src/ui/wiz/Wizard.js';
import { runPlainWizard } from '../../src/ui/wiz/plain.js';
import { openViewer, viewLines, viewerKey, viewerTitleLines, type ViewFile } from '../../src/ui/wiz/viewer.js';
import { TOKEN } from '../helpers.js';
import { frameOf, until, keysFor } from '../ink-frames.js';
import { PASTE_END, PASTE_START } from '../../src/ui/wiz/keys.js';

const FILES: ViewFile[] = [
  { path: '/home/ana/fivetran/conf/config.json', mode: '0600', content: `{\n  "token": "********",\n${Array.from({ length: 40 }, (_, i) => `  "line${i + 1}": ${i + 1},`).join('\n')}\n  "end": true\n}\n` },
  { path: '/home/ana/.config/systemd/user/hd-fivetran-agent.service', mode: '0644', content: '[Unit]\nDescription=agent\n' },
];

describe('viewer reducer (no Ink)', () => {
  it('a path too long for the two title lines loses its start, never its file name or mode', () => {
    const path = `/tmp/hd-suite-7VVpCQ/hd-stub-home-j8sPfo/${'deep/'.repeat(6)}.config/systemd/user/hd-fivetran-agent.service`;
    const files = [{ path, mode: '0644', content: 'x\n' }, ...FILES];
    const lines = viewerTitleLines({ index: 0, top: 0 }, files, 80, wrapText);
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines.join(' ')).toContain('/systemd/user/hd-fivetran-agent.service (0644, secrets masked)');
    expect(lines.join(' ')).toMatch(/^File 1 of 3: …/);
    // A short one is whole.
    expect(viewerTitleLines({ index: 1, top: 0 }, files, 80, wrapText).join(' ')).toContain(`${FILES[0]!.path} (`);
  });
  it('scrolls within the file, pages, and stops at its ends', () => {
    const rows = 10;
    let s = openViewer();
    s = viewerKey(s, { input: '', downArrow: true }, FILES, 80, rows)!;
    expect(s).toEqual({ index: 0, top: 1 });
    s = viewerKey(s, { input: '', upArrow: true }, FILES, 80, rows)!;
    s = viewerKey(s, { input: '', upArrow: true }, FILES, 80, rows)!;
    expect(s.top).toBe(0);
    s = viewerKey(s, { input: '', pageDown: true }, FILES, 80, rows)!;
    expect(s.top).toBe(10);
    s = viewerKey(s, { input: '', end: true }, FILES, 80, rows)!;
    expect(s.top).toBe(viewLines(FILES[0]!, 80).length - rows);
    s = viewerKey(s, { input: '', pageDown: true }, FILES, 80, rows)!;
    expect(s.top).toBe(viewLines(FILES[0]!, 80).length - rows);
  });
  it('←/→ (and n/p, Tab) go to another file from its top, round; esc, q or v close', () => {
    let s = { index: 0, top: 5 };
    s = viewerKey(s, { input: '', rightArrow: true }, FILES, 80, 10)!;
    expect(s).toEqual({ index: 1, top: 0 });
    s = viewerKey(s, { input: 'n' }, FILES, 80, 10)!;
    expect(s.index).toBe(0);
    s = viewerKey(s, { input: '', leftArrow: true }, FILES, 80, 10)!;
    expect(s.index).toBe(1);
    expect(viewerKey(s, { input: '', escape: true }, FILES, 80, 10)).toBeUndefined();
    expect(viewerKey(s, { input: 'q' }, FILES, 80, 10)).toBeUndefined();
    expect(viewerKey(s, { input: 'v' }, FILES, 80, 10)).toBeUndefined();
    // ctrl-c quits (the root's key): the viewer stays, so the last frame is the file, not the review
    expect(viewerKey(s, { input: 'c', ctrl: true }, FILES, 80, 10)).toEqual(s);
  });
  it('a long line is cut into pieces of the width, none lost', () => {
    const long = { path: 'x', mode: '0644', content: `${'a'.repeat(25)}\nb\n` };
    expect(viewLines(long, 10)).toEqual(['aaaaaaaaaa', 'aaaaaaaaaa', 'aaaaa', 'b']);
  });
  it('the review offers v only when there are files', () => {
    expect(reviewKeys({ result: { ok: true, text: '', files: FILES }, saving: false, scrolls: false })).toContain('v view files');
    expect(reviewKeys({ result: { ok: true, text: '' }, saving: false, scrolls: false })).not.toContain('v view files');
  });
});

describe('the mounted review', () => {
  it('v opens each file, masked and scrollable; esc returns to the review', async () => {
    let done: { kind: string } | undefined;
    const app = inkRender(
      <WizardApp
        initial={{ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }}
        detection={{}}
        review={async () => ({ ok: true, text: 'Files\n  0600 conf/config.json', files: FILES })}
        save={async () => 'saved'}
        onDone={(r) => (done = r)}
      />,
    );
    const keys = keysFor(app);
    const frame = () => frameOf(app);
    await until(() => frame().includes('v view files'));
    await keys('v');
    await until(() => frame().includes('File 1 of 2'));
    expect(frame()).toContain('File 1 of 2: /home/ana/fivetran/conf/config.json (0600, secrets masked)');
    expect(frame()).toContain('"token": "********"');
    expect(frame()).toContain('←→ another file · ↑↓ pgup/pgdn scroll · esc back to the review');
    expect(frame()).not.toContain('"end": true');
    await keys('\x1b[F'); // End
    expect(frame()).toContain('"end": true');
    expect(frame()).not.toContain('"token"');
    await keys('\x1b[C'); // → the next file
    expect(frame()).toContain('File 2 of 2: /home/ana/.config/systemd/user/hd-fivetran-agent.service');
    expect(frame()).toContain('Description=agent');
    // Enter does not install from inside the viewer
    await keys('\r');
    expect(done).toBeUndefined();
    // a paste is no key: its q closes nothing, its ← goes to no other file
    await keys(`${PASTE_START}q\x1b[D${PASTE_END}`);
    expect(frame()).toContain('File 2 of 2');
    await keys('\x1b');
    await until(() => frame().includes('enter install'));
    expect(frame()).toContain('Review');
    expect(frame()).not.toContain('File 2 of 2');
    await keys('\r');
    await until(() => done !== undefined);
    expect(done?.kind).toBe('install');
    app.unmount();
  });
});

describe('a resized terminal', () => {
  it('the review wraps again at the new width (nothing cut at the edge) and a taller one shows no empty page', async () => {
    let cols = 100;
    let rows = 24;
    const long = `hd-setup install --set product=fivetran --set runtime=docker --set fivetran.token=env:FIVETRAN_TOKEN --yes last-word-here`;
    const text = ['Files', ...Array.from({ length: 40 }, (_, i) => `  line ${i}`), long].join('\n');
    const app = inkRender(
      <WizardApp
        initial={{ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }}
        detection={{}}
        review={async () => ({ ok: true, text, files: FILES })}
        save={async () => 'saved'}
        onDone={() => undefined}
      />,
    );
    Object.defineProperty(app.stdout, 'columns', { get: () => cols, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { get: () => rows, configurable: true });
    const keys = keysFor(app);
    await until(() => frameOf(app).includes('v view files'));
    await keys('\x1b[F', ...Array(60).fill('\x1b[B')); // to the end
    await until(() => frameOf(app).includes('last-word-here'));
    cols = 50;
    app.stdout.emit('resize');
    await until(() => frameOf(app).split('\n').every((l) => [...l].length <= 50));
    await keys(...Array(20).fill('\x1b[B'));
    await until(() => frameOf(app).includes('last-word-here'));
    const frame = frameOf(app).split('\n');
    for (const l of frame) expect([...l].length, l).toBeLessThanOrEqual(50);
    // Wrapped at a space, whole: not cut at the old width's edge.
    expect(frame.some((l) => l.trim() === 'fivetran.token=env:FIVETRAN_TOKEN --yes last-word-here' || l.trimEnd().endsWith(' last-word-here'))).toBe(true);
    // Taller: everything fits, from the first line (the old top would leave the start scrolled away).
    rows = 80;
    app.stdout.emit('resize');
    await until(() => frameOf(app).includes('  line 0'));
    expect(frameOf(app)).toContain('  line 0');
    expect(frameOf(app)).toContain('last-word-here');
    expect(frameOf(app)).not.toMatch(/lines \d+-\d+ of \d+/);
    app.unmount();
  });
  it('the viewer scrolls from the page it shows when a resize left its top past the end', () => {
    const last = viewLines(FILES[0]!, 80).length - 10;
    expect(viewerKey({ index: 0, top: last + 30 }, { input: '', upArrow: true }, FILES, 80, 10)).toEqual({ index: 0, top: last - 1 });
  });
});

describe('the line mode', () => {
  it('v prints every file in full, masked, and asks again', async () => {
    const input = new PassThrough();
    let output = '';
    const done = runPlainWizard(
      { initial: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, detection: {}, review: async () => ({ ok: true, text: 'Files', files: FILES }), save: async () => '' },
      { input, output: { write: (s: string) => ((output += s), true), columns: 120 } },
    );
    for (const a of ['v', 'q']) {
      const asked = output.length;
      for (let i = 0; i < 200 && (output.length === asked || !output.endsWith(': ')); i++) await new Promise((r) => setTimeout(r, 5));
      input.write(`${a}\n`);
    }
    expect((await done).kind).toBe('cancel');
    expect(output).toContain('v view the files');
    expect(output).toContain('File 1 of 2: /home/ana/fivetran/conf/config.json (0600, secrets masked)');
    expect(output).toContain('  |   "token": "********",');
    expect(output).toContain('  |   "end": true');
    expect(output).toContain('  | Description=agent');
    expect(output.match(/i install, v view the files/g)).toHaveLength(2);
  });
});
