// The bundled bin, in a real pseudo-terminal (util-linux `script`), at 80×24 and 120×40: it draws the
// same first frame as the wizard's source does under ink-testing-library (the bundle swaps in its own
// Unicode fast paths, scripts/unicode-fast-paths.mjs; this shows they change nothing on screen); and a
// session driven by keys lays out its screens within the width, options aligned, secrets short.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stripAnsi from 'strip-ansi';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import { BIN, TOKEN, tmp } from '../helpers.js';
import { drive, hasScript, inPty, lastFrame, wizardInPty } from './pty-helpers.js';

const lines = (s: string) => stripAnsi(s).replace(/\r/g, '').split('\n').map((l) => l.trimEnd()).join('\n').trim();
const SIZES = [
  [80, 24],
  [120, 40],
] as const;

describe.runIf(hasScript)('wizard in a pseudo-terminal', () => {
  it('Ctrl-C gives the terminal its cursor back whole: the last write is ESC[?25h (it ended "ESC[?25", eating the next key)', async () => {
    // stderr to a file, so that what reaches it is read byte for byte
    const dir = tmp('hd-pty-err-');
    const err = join(dir, 'stderr');
    // an install to find: its secrets join the redactor, which holds back a write's tail that may begin one
    mkdirSync(join(dir, 'tobiko'), { mode: 0o700 });
    writeFileSync(
      join(dir, 'tobiko', 'tobiko.env'),
      ['TCLOUD_URL=https://cloud.tobikodata.com/sqlmesh/acme/analytics', 'TCLOUD_CLIENT_ID=client-123', 'TCLOUD_CLIENT_SECRET=sEcr3tValue_abc123', 'SQLMESH__DEFAULT_GATEWAY=wh', 'SQLMESH__GATEWAYS__WH__CONNECTION__TYPE=postgres', 'SQLMESH__GATEWAYS__WH__CONNECTION__HOST=db.internal', 'SQLMESH__GATEWAYS__WH__CONNECTION__PORT=5432', 'SQLMESH__GATEWAYS__WH__CONNECTION__DATABASE=analytics', 'SQLMESH__GATEWAYS__WH__CONNECTION__USER=loader', 'SQLMESH__GATEWAYS__WH__CONNECTION__PASSWORD=pgPass_9x', ''].join('\n'),
      { mode: 0o600 },
    );
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: dir };
    delete env.CI; // Ink (is-in-ci) hides no cursor when CI is set at all
    const child = spawn('script', ['-qec', `stty cols 80 rows 24; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} 2>${JSON.stringify(err)}`, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    setTimeout(() => child.stdin.write('\x03'), 5000);
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(130);
    const text = readFileSync(err, 'utf8');
    expect(text).toContain('Cancelled. Nothing was written.');
    expect(text.endsWith('\x1b[?25h'), JSON.stringify(text.slice(-16))).toBe(true);
  }, 60_000);

  it('bracketed paste is on while the wizard runs and off when it ends (Ctrl-C too): a pasted line break chose nothing', async () => {
    const { child, output, closed } = wizardInPty();
    let step = 0;
    child.stdout.on('data', () => {
      // the first screen drawn: a paste of "j" and a line break, as a terminal sends it with the mode on
      if (step === 0 && stripAnsi(output()).includes('Tobiko')) {
        step = 1;
        setTimeout(() => child.stdin.write('\x1b[200~j\r\x1b[201~'), 300);
        setTimeout(() => child.stdin.write('\x03'), 1500);
      }
    });
    expect(await closed).toBe(130);
    const out = output();
    const on = out.indexOf('\x1b[?2004h');
    expect(on).toBeGreaterThanOrEqual(0);
    expect(on).toBeLessThan(out.indexOf('What do you want to install?'));
    expect(out.lastIndexOf('\x1b[?2004l')).toBeGreaterThan(out.lastIndexOf('\x1b[?2004h'));
    // still the first question, the pointer on the first product: the paste neither moved nor chose
    const last = lastFrame(out.slice(0, out.lastIndexOf('Cancelled')));
    expect(last.join('\n')).toContain('What do you want to install?');
    expect(last.find((l) => l.includes('❯'))).toContain('Fivetran');
  }, 30_000);

  it('HD_SETUP_DEBUG=1 traces the wizard\'s start on stderr, each stage named: entry, wizard loaded, first frame', () => {
    // where the time to the first frame goes (scripts/bench.mjs measures the total): each line is "<stage> at <N> ms"
    const dir = tmp('hd-pty-trace-');
    const err = join(dir, 'stderr');
    const r = spawnSync('script', ['-qec', `stty cols 80 rows 24; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} 2>${JSON.stringify(err)}`, '/dev/null'], {
      env: { ...process.env, CI: '', NO_COLOR: '1', HOME: dir, HD_SETUP_DEBUG: '1', HD_SETUP_WIZARD_EXIT_AFTER_FIRST_FRAME: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    const trace = readFileSync(err, 'utf8').split('\n').filter((l) => / at \d+ ms$/.test(l));
    expect(trace.map((l) => l.replace(/ at \d+ ms$/, ''))).toEqual(['entry', 'wizard loaded', 'first frame']);
  });

  it('a key typed while the wizard loads is not echoed (no ^[[B above the first frame) and acts on the first screen', async () => {
    const { child, output, closed } = wizardInPty({ HD_SETUP_DEBUG: '1' });
    let sent = false;
    let quit = false;
    child.stdout.on('data', () => {
      const out = output();
      // "entry at N ms" is written as the wizard starts loading (before its first frame): the key goes now
      if (!sent && out.includes('entry at')) {
        sent = true;
        child.stdin.write('\x1b[B');
      }
      if (!quit && out.includes('wizard loaded at') && /Tobiko/.test(stripAnsi(out.slice(out.indexOf('wizard loaded at'))))) {
        quit = true;
        setTimeout(() => child.stdin.write('\x03'), 600);
      }
    });
    await closed;
    const out = output();
    expect(sent).toBe(true);
    expect(out.slice(0, out.indexOf('wizard loaded at'))).not.toContain('^[');
    expect(out).not.toContain('^[[B');
    // the arrow was read by the first screen: the cursor is on the second product
    expect(lastFrame(out.slice(0, out.lastIndexOf('Cancelled'))).find((l) => l.includes('❯'))).toContain('Tobiko');
  }, 30_000);

  it('SIGTERM (kill, a closing session) ends the wizard: exit 143, nothing written, the terminal given back (it was ignored)', async () => {
    const home = tmp('hd-home-');
    // detection still asking a hung runtime when the signal comes: its probes are ended, and the exit waits for them
    const bin = tmp('hd-hung-');
    for (const rt of ['docker', 'podman']) writeFileSync(join(bin, rt), '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
    const { child, output, closed } = wizardInPty({ HOME: home, PATH: `${bin}:/usr/bin:/bin` });
    let sent = false;
    void (async () => {
      const running = () => spawnSync('pgrep', ['-f', `${bin}/`]).status === 0;
      for (let t = Date.now(); Date.now() - t < 15_000 && !(stripAnsi(output()).includes('Tobiko') && running()); ) await new Promise((r) => setTimeout(r, 50));
      sent = true;
      // the wizard is script's child (the shell exec'd it)
      const pid = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim();
      process.kill(Number(pid), 'SIGTERM');
    })();
    const code = await closed;
    const out = output();
    expect(sent).toBe(true);
    expect(code, stripAnsi(out).slice(-300)).toBe(143);
    // the message after the wizard's last frame, and only it (detection's probes may still be running)
    expect(stripAnsi(out).replace(/\r/g, '')).toMatch(/ctrl-c quit\n+Interrupted \(SIGTERM\) before any change, nothing was changed; stopped \d+ running commands?\.\n*$/);
    expect(out.lastIndexOf('\x1b[?25h')).toBeGreaterThan(out.lastIndexOf('\x1b[?25l')); // the cursor shown again
    expect(out.lastIndexOf('\x1b[?2004l')).toBeGreaterThan(out.lastIndexOf('\x1b[?2004h')); // bracketed paste off again
    expect(readdirSync(home)).toEqual([]);
  }, 30_000);

  it('Ctrl-C while detection waits on a hung runtime exits at once: its read-only probes are ended', async () => {
    const bin = tmp('hd-hung-');
    for (const rt of ['docker', 'podman']) writeFileSync(join(bin, rt), '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
    const { child, output, closed } = wizardInPty({ PATH: `${bin}:/usr/bin:/bin` }, 40_000);
    let sentAt = 0;
    child.stdout.on('data', () => {
      if (!sentAt && stripAnsi(output()).includes('Tobiko')) {
        sentAt = Date.now();
        child.stdin.write('\x03');
      }
    });
    expect(await closed).toBe(130);
    expect(output()).toContain('Cancelled. Nothing was written.');
    // the probes would answer only after 30 s (their own bound is 5 s)
    expect(Date.now() - sentAt).toBeLessThan(3000);
  }, 60_000);

  for (const [cols, rows] of SIZES) {
    it(`draws the first frame exactly as the source renders it (${cols}×${rows})`, async () => {
      const r = spawnSync('script', ['-qec', `stty cols ${cols} rows ${rows}; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`, '/dev/null'], {
        env: { ...process.env, CI: '', NO_COLOR: '1', HD_SETUP_WIZARD_EXIT_AFTER_FIRST_FRAME: '1' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).toBe(0);
      const app = inkRender(<WizardApp initial={{}} detection={{}} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />);
      await new Promise((done) => setTimeout(done, 20));
      const expected = lines(app.lastFrame() ?? '');
      app.unmount();
      expect(expected).toContain('Fivetran Hybrid Deployment Agent');
      expect(lines(r.stdout)).toBe(expected);
      for (const l of lines(r.stdout).split('\n')) expect(l.length).toBeLessThanOrEqual(cols);
    });

    it(`options with long hints stay aligned under the pointer; nothing wider than the terminal (${cols}×${rows})`, async () => {
      const args = ['--set', 'product=tobiko', '--set', 'runtime=kubernetes', '--set', 'tobiko.org=acme', '--set', 'tobiko.project=p', '--set', 'tobiko.clientId=c', '--set', 'tobiko.gateways.wh.type=duckdb'];
      // prefilled up to the client secret (hd-setup is to create the Secret, and none is given); esc goes back to the
      // secrets question; ctrl-c leaves it on screen
      const r = await inPty(`cols ${cols} rows ${rows}`, { args, keys: ['\x1b', '\x03'], first: 4000, gap: 1500 });
      const frame = lastFrame(r.out);
      expect(r.code).toBe(130);
      expect(frame.join('\n')).toContain('Where do the executor secrets live?');
      const options = frame.filter((l) => /^[❯ ] (A Kubernetes Secret|An existing Secret|External Secrets Operator|Inline in the Helm values)/.test(l));
      expect(options).toHaveLength(4);
      expect(options[0]).toMatch(/^❯ A Kubernetes Secret/);
      for (const o of options.slice(1)) expect(o).toMatch(/^ {2}\S/);
      for (const l of frame) expect([...l].length).toBeLessThanOrEqual(cols);
    }, 60_000);

    it(`a token pasted with spaces and edited: one short masked line, checked trimmed (${cols}×${rows})`, async () => {
      const args = ['--set', 'product=fivetran', '--set', 'runtime=docker'];
      // paste with two spaces at each end, then Home, Delete, End, Backspace: one space left at each end
      const r = await inPty(`cols ${cols} rows ${rows}`, { args, keys: [`  ${TOKEN}  `, '\x1b[H\x1b[3~\x1b[F\x7f', '\x03'], first: 2500, gap: 800 });
      const frame = lastFrame(r.out);
      expect(r.code).toBe(130);
      expect(frame).toContain(`› •••••••• (${TOKEN.length} characters; 2 spaces around it dropped)`);
      expect(frame.join('\n')).toContain('✔ well-formed token for controller clever_tiger (Fivetran checks it on connect)');
      expect(r.out).not.toContain(TOKEN);
      expect(frame.join('\n')).toContain('type · enter next');
    }, 60_000);
  }
});

describe.runIf(hasScript)('the install status screen in a pseudo-terminal', () => {
  it('keys typed while steps run are not echoed into the frame nor left for the shell; Ctrl-C still interrupts the plan (exit 130)', async () => {
    const { stubEnv, rootFlags } = await import('../stub-runtime.js');
    const s = await stubEnv('docker', { USER: 'ana', HD_STUB_SLOW: 'pull' });
    // the pull takes 10 s: type into it, then Ctrl-C (200 ms later: Ink repaints only the lines that
    // change, so no new text is there to wait for)
    const r = await drive('cols 80 rows 24', ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], s.env, [
      ['Pull image', 'zzqq\r\r\r'],
      ['', '\x03'],
    ]);
    s.server.close();
    expect(r.code, r.out.slice(-1500)).toBe(130);
    expect(r.out).toContain('✖ Fivetran agent on docker: cancelled.');
    expect(r.out.replace(/\s+/g, '')).toContain('Notdone:Pullimageus-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production,Runcontainercontroller,Waituntilcontrollerisrunning,Startonboot'); // titles, wrapped at 80
    // echoed, the keys (and three line breaks) would land inside a frame, so the next repaint erases
    // three lines too few and leaves a copy of the screen in the scrollback
    expect(r.raw).not.toContain('zqq');
  }, 90_000);
});

describe.runIf(hasScript)('status and doctor on an 80-column terminal', () => {
  it('are wrapped at words and path boundaries: no line wider than the terminal, no word it would cut', async () => {
    const { stubEnv, rootFlags } = await import('../stub-runtime.js');
    const { cli } = await import('../helpers.js');
    // a long image reference and install dir, so that lines must wrap
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const image = 'registry.internal.example.com/mirrors/fivetran/ldp-agent:production-2026-12';
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', `fivetran.image=${image}`, '--set', 'fivetran.pullPolicy=never', ...rootFlags], { env: s.env }).code).toBe(0);
    for (const cmd of [['status'], ['doctor', ...rootFlags]]) {
      const r = await drive('cols 80 rows 24', cmd, s.env, []);
      const lines = r.out.split('\n');
      for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
      if (cmd[0] === 'status') expect(lines.some((l) => l.trim() === image || l.trim().endsWith(` ${image}`) || l.trim().endsWith('/ldp-agent:production-2026-12'))).toBe(true);
    }
    s.server.close();
  }, 90_000);
});

describe.runIf(hasScript)('from the review to the install', () => {
  it('keys typed right after Enter (while the plan is prepared) are neither echoed nor left for the shell', async () => {
    const { stubEnv, rootFlags } = await import('../stub-runtime.js');
    // Each `container inspect` takes 1 s (the stub's HD_STUB_SLOW): the keys, 200 ms after Enter, come while
    // the plan is prepared, whatever the machine's speed (a quick one had finished the whole install by then,
    // and the pty echoed them after its exit).
    const s = await stubEnv('docker', { USER: 'ana', HD_STUB_SLOW: 'inspect' }, { imagePresent: true });
    const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', ...rootFlags];
    const r = await drive('cols 120 rows 40', args, s.env, [
      ['enter install', '\r'],
      ['', 'zqq\r'],
      ['The same without the wizard', ''],
    ]);
    s.server.close();
    expect(r.code, r.out.slice(-1500)).toBe(0);
    expect(r.raw).not.toContain('zqq');
  }, 90_000);
});

describe.runIf(hasScript)('hd-setup install with no preset, on a terminal', () => {
  it('is the wizard (README: install without --preset or --set asks), not a run of nothing', async () => {
    const { stubEnv, rootFlags } = await import('../stub-runtime.js');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const r = await drive('cols 100 rows 30', ['install', ...rootFlags], s.env, [['Fivetran', '\x03']]);
    expect(r.code).toBe(130);
    expect(r.out).toContain('Tobiko');
    expect(r.out).toContain('Cancelled. Nothing was written.');
    s.server.close();
  }, 60_000);
});
