// Running the built bin in a real pseudo-terminal (util-linux `script`), feeding keys with pauses.
import { spawn, spawnSync } from 'node:child_process';
import stripAnsi from 'strip-ansi';
import { BIN, tmp } from '../helpers.js';

export const hasScript = spawnSync('script', ['--version']).status === 0;

/** Run the bin with `args` in a pty of `size` ("cols 80 rows 24"), each key after `gap` ms. */
export function inPty(size: string, opts: { args?: string[]; env?: NodeJS.ProcessEnv; keys?: string[]; gap?: number; first?: number } = {}): Promise<{ out: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: tmp('hd-home-'), ...opts.env };
  delete env.CI; // Ink draws only the last frame when CI is set at all
  const cmd = [process.execPath, BIN, ...(opts.args ?? [])].map((a) => JSON.stringify(a)).join(' ');
  const child = spawn('script', ['-qec', `stty ${size}; exec ${cmd}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  void (async () => {
    let i = 0;
    for (const k of opts.keys ?? []) {
      await new Promise((r) => setTimeout(r, i++ === 0 ? (opts.first ?? 2500) : (opts.gap ?? 800)));
      if (child.exitCode === null) child.stdin.write(k);
    }
  })();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ out, code });
    });
  });
}

/**
 * The wizard (the bin, no arguments) in an 80×24 pty: CI unset, HOME a new directory unless `env` sets it.
 * `output()` is all it wrote so far (up to date in any later 'data' listener); `closed` its exit code. A run
 * that goes wrong is ended after `limit` ms (the pty's child with it), never left behind.
 */
export function wizardInPty(env: NodeJS.ProcessEnv = {}, limit = 20_000) {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: tmp('hd-home-'), ...env };
  delete e.CI; // Ink draws only the last frame when CI is set at all
  const child = spawn('script', ['-qec', `stty cols 80 rows 24; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`, '/dev/null'], { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), limit);
  const closed = new Promise<number | null>((done) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      done(code);
    }),
  );
  return { child, output: () => out, closed };
}

/** The last frame Ink drew (what stays on screen), as plain lines. */
export function lastFrame(out: string): string[] {
  const frames = out.split(/(?:\x1b\[2K\x1b\[1A)+\x1b\[2K\x1b\[G|\x1b\[2J\x1b\[H/);
  return stripAnsi(frames.at(-1) ?? '')
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trimEnd());
}

/** Run the bin in a pty; each step waits (up to 30 s) for its text on screen, then sends its keys. */
/**
 * Run the CLI in a pty and answer it: for each step, wait (up to 30 s) for its text, then type its keys. A
 * text that never shows (the program went on without it, or ended) fails the run: a prompt that disappears
 * is a change a test must notice, not something to type past.
 */
/** `steps`: wait for the text, then send the keys (a function: what it returns, once it has run: another command meanwhile). */
export function drive(size: string, args: string[], env: NodeJS.ProcessEnv, steps: [string, string | (() => string)][]): Promise<{ out: string; code: number | null; raw: string }> {
  const e: NodeJS.ProcessEnv = { ...env, NO_COLOR: '1', PATH: `${env.PATH}:/usr/bin:/bin` };
  delete e.CI;
  const cmd = [process.execPath, BIN, ...args].map((a) => JSON.stringify(a)).join(' ');
  const child = spawn('/usr/bin/script', ['-qec', `stty ${size}; exec ${cmd}`, '/dev/null'], { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let missed: string | undefined;
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const seen = (from: number, text: string) => stripAnsi(out.slice(from)).includes(text);
  const closed = new Promise((r) => child.on('close', r));
  void (async () => {
    let from = 0;
    for (const [text, keys] of steps) {
      for (let t = Date.now(); Date.now() - t < 30_000 && !seen(from, text) && child.exitCode === null; ) await new Promise((r) => setTimeout(r, 50));
      if (child.exitCode !== null) await closed; // its last output read
      if (!seen(from, text)) {
        missed = text;
        child.kill('SIGKILL');
        return;
      }
      from = out.length;
      await new Promise((r) => setTimeout(r, 200));
      if (child.exitCode === null) child.stdin.write(typeof keys === 'function' ? keys() : keys);
    }
  })();
  return new Promise((done, fail) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = stripAnsi(out).replace(/\r/g, '');
      if (missed !== undefined) fail(new Error(`drive: never saw ${JSON.stringify(missed)}; the output ended:\n${text.slice(-1500)}`));
      else done({ out: text, code, raw: out });
    });
  });
}

