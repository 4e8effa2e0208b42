// Terminals (issue 15, point 15): too small or dumb terminals get one line instead of a broken screen;
// the scrollback is never wiped; a closed stdout ends any command quietly. Real processes: the built
// bin in a pseudo-terminal (util-linux `script`), and with a stdout pipe closed by the reader.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { hasScript, inPty } from './pty-helpers.js';
import { BIN, cli, tmp } from '../helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';
import { MIN_COLUMNS, MIN_ROWS, keepScrollback, terminalProblem } from '../../src/ui/term.js';
import { PassThrough } from 'node:stream';

describe('terminal size and type', () => {
  it('needs at least 40×10 and a terminal that is not dumb', () => {
    expect(terminalProblem({ columns: 80, rows: 24 }, {})).toBeUndefined();
    expect(terminalProblem({ columns: MIN_COLUMNS, rows: MIN_ROWS }, {})).toBeUndefined();
    expect(terminalProblem({ columns: 0, rows: 0 }, {})).toBe('the terminal is too small for the full-screen wizard (0×0; it needs at least 40×10)');
    expect(terminalProblem({ columns: 39, rows: 24 }, {})).toContain('(39×24;');
    expect(terminalProblem({ columns: 80, rows: 9 }, {})).toContain('(80×9;');
    expect(terminalProblem({}, {})).toContain('(0×0;');
    expect(terminalProblem({ columns: 80, rows: 24 }, { TERM: 'dumb' })).toBe('this terminal (TERM=dumb) cannot draw the full-screen wizard');
  });
});

describe.runIf(hasScript)('the built bin in a pseudo-terminal', () => {
  for (const [name, size, env, what] of [
    ['0×0', 'cols 0 rows 0', {}, '(0×0;'],
    ['30×24', 'cols 30 rows 24', {}, '(30×24;'],
    ['TERM=dumb', 'cols 80 rows 24', { TERM: 'dumb' }, 'TERM=dumb'],
  ] as const) {
    it(`${name}: one line saying why, then line prompts; nothing drawn with Ink`, async () => {
      const r = await inPty(size, { env, keys: ['\x03'], first: 2500 });
      expect(r.code).toBe(130);
      const lines = r.out.replace(/\r/g, '').trim().split('\n');
      expect(lines[0]).toContain(what);
      expect(lines[0]).toMatch(/: asking line by line instead \(ACCESSIBLE=1 or --plain does this anywhere\)$/);
      expect(r.out).toContain('Step 1 of 3 (Product):');
      expect(r.out).not.toMatch(/\x1b\[[0-9;?]*[A-Za-z]/); // no escape sequences: Ink never started
    }, 40_000);
  }

  it('at the smallest size (80×10) every frame fits: nothing clears the screen or the scrollback', async () => {
    // 10 rows: the runtime question's help is cut and its options windowed, so the frame stays shorter
    // than the terminal; Ink repaints a frame as tall as it with ESC[2J (and ESC[3J, the scrollback).
    const r = await inPty('cols 80 rows 10', { keys: ['\r', '\x1b[B', '\x1b[A', '\r', '\x03'], first: 1500, gap: 700 });
    expect(r.out).toContain('Where should it run?');
    expect(r.out).not.toContain('\x1b[2J');
    expect(r.out).not.toContain('\x1b[3J');
    expect(r.code).toBe(130);
  }, 40_000);
});

describe('the stream Ink writes to', () => {
  it('drops ESC[3J and passes everything else through', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d: Buffer) => (written += d.toString()));
    const s = keepScrollback(sink as unknown as NodeJS.WriteStream);
    s.write('\x1b[2J\x1b[3J\x1b[Hframe');
    s.write(Buffer.from('\x1b[3Jbytes'));
    expect(written).toBe('\x1b[2J\x1b[Hframe\x1b[3Jbytes');
    expect(keepScrollback(sink as unknown as NodeJS.WriteStream)).toBe(s);
  });
});

describe.runIf(hasScript)('bad flags on a terminal (issue 15, point 9)', () => {
  it('a mistyped --set stops the wizard before its first question: exit 2, one line naming the key', async () => {
    const r = await inPty('cols 80 rows 24', { args: ['--set', 'fivetran.imagee=x'], keys: [], first: 2500 });
    expect(r.code).toBe(2);
    const lines = r.out.replace(/\r/g, '').trim().split('\n');
    expect(lines).toEqual(['error: fivetran.imagee: unknown key; check the spelling (see: hd-setup schema)']);
  });
  it('an HD_SETUP_* variable that names no option stops the wizard before its first question, as install is stopped: exit 2, one line naming it', async () => {
    const r = await inPty('cols 80 rows 24', { env: { HD_SETUP_PROXYY__HTTPS: 'http://proxy.internal:3128' }, keys: ['\x03'], first: 2500 });
    expect(r.code).toBe(2);
    expect(r.out.replace(/\r/g, '').trim().split('\n')).toEqual(['error: HD_SETUP_PROXYY__HTTPS: names no option; check the spelling (see: hd-setup schema), or unset it']);
  });
});

describe('a closed stdout (hd-setup … | head -1)', () => {
  /** Run the bin with a stdout pipe the reader closes at once: every write fails with EPIPE. */
  function withClosedStdout(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tmp('hd-home-') }): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
  }
  for (const [args, code] of [
    [['schema'], 0],
    [['presets'], 0],
    [['presets', '--json'], 0],
    [['--help'], 0],
    [['--version'], 0],
    [['status', '--json'], 1], // no install: the command's own code (nothing installed), its JSON lost to the closed pipe
  ] as const) {
    it(`hd-setup ${args.join(' ')}: exits ${code}, no stack trace`, async () => {
      const r = await withClosedStdout([...args]);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.m?js/);
      expect(r.code).toBe(code);
    });
  }
  it('hd-setup status of a running install (its text, not --json): exits 0, no stack trace', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = await withClosedStdout(['status'], s.env);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.m?js/);
    expect(r.code).toBe(0);
    s.server.close();
  });
});
