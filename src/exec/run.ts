// The only place that starts processes (execa). Secrets never go on argv: callers pass them on stdin.
import type { execa as Execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAbandoned, isClosing, trackChild, untrackChild } from '../util/interrupt.js';

export interface RunOptions {
  stdin?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** spawn failure (ENOENT) or signal, when the command did not exit by itself. */
  failure?: 'not-found' | 'cancelled' | 'timeout' | 'signal';
}

// execa is loaded when the first process starts: commands that start none (render, schema, --help) do not
// compile it (~120 KB).
let execaFn: typeof Execa | undefined;

export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (!argv[0]) throw new Error('empty command');
  if (isAbandoned()) return never();
  if (isClosing()) return { exitCode: -1, stdout: '', stderr: '', failure: 'cancelled' };
  // A command told to read /dev/stdin (kubectl patch --patch-file) gets a 0600 file in a 0700 temp dir
  // holding the input instead, removed right after: the stdin a child gets from Node is a socket, which
  // open(2) refuses (ENXIO: "no such device or address"), and the input may be secret.
  if (opts.stdin !== undefined && argv.includes('/dev/stdin')) {
    const dir = mkdtempSync(join(tmpdir(), 'hd-setup-'));
    try {
      const file = join(dir, 'stdin');
      writeFileSync(file, opts.stdin, { mode: 0o600, flag: 'wx' });
      const { stdin: _, ...rest } = opts;
      return await runProcess(argv.map((a) => (a === '/dev/stdin' ? file : a)), rest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runProcess(argv, opts);
}

async function runProcess(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const execa = (execaFn ??= (await import('execa')).execa);
  const sub = execa(cmd, args, {
    reject: false,
    all: false,
    stripFinalNewline: true,
    ...(opts.stdin !== undefined ? { input: opts.stdin } : { stdin: 'ignore' }),
    ...(opts.signal ? { cancelSignal: opts.signal, forceKillAfterDelay: 2000 } : {}),
    ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
    lines: false,
    // Own process group: cancelling kills the child and everything it started (a shell's `sleep`,
    // a plugin), so no grandchild keeps the pipes open. The terminal's Ctrl-C reaches only us.
    detached: true,
  });
  // Known to the Ctrl-C handler (util/interrupt.ts), which kills the group if hd-setup is interrupted.
  trackChild(sub.pid);
  const killGroup = () => {
    if (!sub.pid) return;
    try {
      process.kill(-sub.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    setTimeout(() => {
      try {
        process.kill(-sub.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 2000).unref();
  };
  opts.signal?.addEventListener('abort', killGroup, { once: true });
  // The time bound ends the whole group (execa's own timeout would end only the child, and a grandchild
  // holding the pipes open would keep us waiting).
  let timedOut = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        killGroup();
      }, opts.timeoutMs)
    : undefined;
  if (opts.onLine) {
    const feed = (stream: 'stdout' | 'stderr') => {
      let buf = '';
      sub[stream]?.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          opts.onLine?.(buf.slice(0, i).replace(/\r$/, ''), stream);
          buf = buf.slice(i + 1);
        }
      });
      sub[stream]?.on('end', () => {
        if (buf) opts.onLine?.(buf, stream);
        buf = '';
      });
    };
    feed('stdout');
    feed('stderr');
  }
  let r: Awaited<typeof sub>;
  try {
    r = await sub;
  } finally {
    if (timer) clearTimeout(timer);
    untrackChild(sub.pid);
  }
  opts.signal?.removeEventListener('abort', killGroup);
  // killed by the signal that ends hd-setup: its answer is no answer (a preflight "daemon not reachable")
  if (isAbandoned()) return never();
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  let failure: RunResult['failure'];
  if (r.isCanceled) failure = 'cancelled';
  else if (timedOut) failure = 'timeout';
  else if ((r as { code?: string }).code === 'ENOENT') failure = 'not-found';
  else if (r.signal) failure = 'signal';
  // No exit code: the command never ran (EACCES, ENOENT) or was ended by a signal, never a success.
  return { exitCode: r.exitCode ?? -1, stdout, stderr, ...(failure ? { failure } : {}) };
}

/** hd-setup is exiting (util/interrupt.ts isAbandoned): the caller waits until it has. */
function never(): Promise<RunResult> {
  return new Promise(() => {});
}

/** Run and return trimmed stdout, or undefined when it fails. For quick read-only probes. */
export async function probe(argv: readonly string[], timeoutMs = 5000, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(argv, { timeoutMs, ...(env ? { env } : {}) });
  return r.exitCode === 0 && !r.failure ? r.stdout.trim() : undefined;
}
