// Temporary directories that may hold secrets: 0700, removed on every exit path (return, throw,
// process.exit, SIGINT/SIGTERM/SIGHUP), and the ones a killed run left behind are removed by the next.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from './process.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;


/** Remove `<base>/<prefix><pid>-*` directories of ours whose process is gone. */
export function removeStaleTempDirs(prefix: string, base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const n of names) {
    const m = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-[A-Za-z0-9]{6}$`).exec(n);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    const p = join(base, n);
    try {
      const st = statSync(p);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } catch {
      /* not ours to remove */
    }
  }
  return removed;
}

/**
 * A fresh 0700 directory `<tmp>/<prefix><pid>-XXXXXX`. It is removed by cleanup(), and otherwise when the
 * process exits or is ended by SIGINT/SIGTERM/SIGHUP; stale ones of dead processes are removed first.
 */
export function tempDir(prefix: string, base = tmpdir()): { dir: string; cleanup: () => void } {
  removeStaleTempDirs(prefix, base);
  const dir = mkdtempSync(join(base, `${prefix}${process.pid}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const onSignal = (sig: NodeJS.Signals) => {
    cleanup();
    // No other handler: end as the signal would have ended us.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  // A signal someone already handles (hd-setup's interrupt handlers: they stop the children and end the
  // process through process.exit) is left to them, and the 'exit' listener removes the directory then. Removed
  // at the signal instead, it would be gone while the run, its children being stopped, still writes into it
  // (an ENOENT error before the exit). Where nobody handles a signal, it would end the process without 'exit':
  // ours removes first.
  const signals = SIGNALS.filter((s) => process.listenerCount(s) === 0);
  const cleanup = () => {
    remove();
    process.off('exit', remove);
    for (const s of signals) process.off(s, onSignal);
  };
  process.on('exit', remove);
  for (const s of signals) process.on(s, onSignal);
  return { dir, cleanup };
}

/** Run fn with a tempDir() that is removed whatever way fn or the process ends. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>, base = tmpdir()): Promise<T> {
  const t = tempDir(prefix, base);
  try {
    return await fn(t.dir);
  } finally {
    t.cleanup();
  }
}
