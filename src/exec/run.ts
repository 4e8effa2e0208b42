// The only place that starts processes. Secrets never go on argv: callers pass them on stdin.
// Plain node:child_process (not execa): execa cost ~120 KB of code to compile and a few ms per process,
// which was most of a stub install's time; what hd-setup used of it is below (no rejection, utf8 output
// with one final newline stripped, stdin from a string, cancel and timeout with a forced kill).
import { spawn } from 'node:child_process';
import { trackChild, untrackChild } from '../util/interrupt.js';

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

/** Output kept per stream; past it the rest is dropped (a runaway `logs`, say). */
const MAX_BUFFER = 100_000_000;
/** After SIGTERM (cancel, timeout), SIGKILL follows this much later if the child is still there. */
const CANCEL_FORCE_KILL_MS = 2000;
const TIMEOUT_FORCE_KILL_MS = 5000;

function stripFinalNewline(s: string): string {
  return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('empty command');
  return new Promise((resolve) => {
    const sub = spawn(cmd, args, {
      stdio: [opts.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      // Own process group: cancelling kills the child and everything it started (a shell's `sleep`,
      // a plugin), so no grandchild keeps the pipes open. The terminal's Ctrl-C reaches only us.
      detached: true,
    });
    // Known to the Ctrl-C handler (util/interrupt.ts), which kills the group if hd-setup is interrupted.
    trackChild(sub.pid);
    let failure: RunResult['failure'];
    let spawnError: NodeJS.ErrnoException | undefined;
    const timers: NodeJS.Timeout[] = [];
    let exited = false;
    const signalGroup = (sig: NodeJS.Signals) => {
      if (!sub.pid) return;
      try {
        process.kill(-sub.pid, sig);
      } catch {
        try {
          sub.kill(sig);
        } catch {
          /* gone */
        }
      }
    };
    const stop = (why: 'cancelled' | 'timeout', forceAfterMs: number) => {
      if (exited || failure) return;
      failure = why;
      signalGroup('SIGTERM');
      const t = setTimeout(() => signalGroup('SIGKILL'), forceAfterMs);
      t.unref();
      timers.push(t);
    };
    const onAbort = () => stop('cancelled', CANCEL_FORCE_KILL_MS);
    if (opts.signal?.aborted) queueMicrotask(onAbort);
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs) {
      const t = setTimeout(() => stop('timeout', TIMEOUT_FORCE_KILL_MS), opts.timeoutMs);
      timers.push(t);
    }

    const out = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      const s = sub[stream];
      if (!s) continue;
      s.setEncoding('utf8');
      let line = '';
      s.on('data', (chunk: string) => {
        if (out[stream].length < MAX_BUFFER) out[stream] += chunk.slice(0, MAX_BUFFER - out[stream].length);
        if (!opts.onLine) return;
        line += chunk;
        let i: number;
        while ((i = line.indexOf('\n')) >= 0) {
          opts.onLine(line.slice(0, i).replace(/\r$/, ''), stream);
          line = line.slice(i + 1);
        }
      });
      s.on('end', () => {
        if (line) opts.onLine?.(line, stream);
        line = '';
      });
    }
    if (sub.stdin) {
      // A child that exits without reading its stdin (EPIPE) is judged by its exit code, as with a shell.
      sub.stdin.on('error', () => {});
      sub.stdin.end(opts.stdin);
    }
    sub.on('exit', () => {
      exited = true;
    });
    sub.on('error', (e: NodeJS.ErrnoException) => {
      spawnError ??= e;
    });
    sub.on('close', (code, signal) => {
      exited = true;
      untrackChild(sub.pid);
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      if (!failure) {
        if (spawnError?.code === 'ENOENT') failure = 'not-found';
        else if (signal) failure = 'signal';
      }
      // A command that could not start (ENOENT, EACCES) has no exit code of its own: -1, never 0.
      const stdout = stripFinalNewline(out.stdout);
      const stderr = stripFinalNewline(out.stderr);
      resolve({ exitCode: spawnError ? -1 : (code ?? (failure ? -1 : 0)), stdout, stderr, ...(failure ? { failure } : {}) });
    });
  });
}

/** Run and return trimmed stdout, or undefined when it fails. For quick read-only probes. */
export async function probe(argv: readonly string[], timeoutMs = 5000, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(argv, { timeoutMs, ...(env ? { env } : {}) });
  return r.exitCode === 0 && !r.failure ? r.stdout.trim() : undefined;
}
