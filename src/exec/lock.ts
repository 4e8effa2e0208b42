// One change at a time per install target: a lock file in ~/.config/hd-setup/locks/, hard-linked into place
// (atomic, fails if it exists) already holding the PID. A second run waits a few seconds, then exits 2 naming the holder; a lock whose PID is
// gone is taken over. Released on every exit path (the finally of the command, and process exit).
import { closeSync, constants, linkSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { UserError } from '../model/errors.js';
import { ensureDir, withPath } from '../util/fsx.js';
import { kindOf, readBoundedText } from '../util/bounded-read.js';
import { alive } from '../util/process.js';
import { usableHome } from '../model/home.js';

/** How long a second run waits for the lock (HD_SETUP_LOCK_WAIT_MS overrides it). */
export const LOCK_WAIT_MS = 5000;
const POLL_MS = 100;

export function lockWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.HD_SETUP_LOCK_WAIT_MS);
  return Number.isInteger(n) && n >= 0 && n <= 600_000 ? n : LOCK_WAIT_MS;
}

/**
 * The key of an install target: its product and where it lives. Kubernetes: namespace/release. docker and
 * podman: the product alone, whatever the install dir: its containers have fixed names on the runtime, so
 * two installs into two dirs at once would both pass the check that one runtime runs one install, and race
 * for the same container names (the loser left a record that no command could remove).
 */
export function installLockKey(t: { product: string; runtime: string; namespace?: string; release?: string }): string {
  return t.runtime === 'kubernetes' ? `${t.product}:kubernetes:${t.namespace ?? ''}/${t.release ?? ''}` : `${t.product}:containers`;
}

/** The lock of an install found on the machine (lifecycle commands): the same key an install of it takes. */
export function lockInstall(d: { product: string; runtime: string; where: string; release?: { name: string; namespace: string } }, home = usableHome()): Promise<Lock> {
  const key = installLockKey({ product: d.product, runtime: d.runtime, ...(d.release ? { namespace: d.release.namespace, release: d.release.name } : {}) });
  return acquireLock(key, home);
}

export function lockPath(home: string, key: string): string {
  const slug = key.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return join(home, '.config/hd-setup/locks', `${slug}-${hash}.lock`);
}

/** The PID of another live process that holds the lock for `key` now, if one does (status: a change under way). */
export function lockHolder(key: string, home: string): number | undefined {
  try {
    const h = readHolder(lockPath(home, key));
    return typeof h === 'number' && h !== process.pid && alive(h) ? h : undefined;
  } catch {
    return undefined; // not a lock file: the commands that take it say so
  }
}

export interface Lock {
  path: string;
  /** Whether another run held it first (callers then re-read what that run may have changed). */
  waited: boolean;
  release(): void;
}

// Re-entrant within a process (restart = stop + start; rollback runs start).
const held = new Map<string, { count: number; path: string }>();

function releaseAll(): void {
  for (const [, h] of held) {
    try {
      if (holderOf(h.path) === process.pid) unlinkSync(h.path);
    } catch {
      /* gone */
    }
  }
  held.clear();
}
let exitHook = false;

function holderOf(path: string): number | undefined {
  const h = readHolder(path);
  return typeof h === 'number' ? h : undefined;
}

/** The PID in a lock file; 'gone' when there is no file (its holder just released it); undefined when it holds no PID. */
function readHolder(path: string): number | 'gone' | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  // Not a file hd-setup made (a FIFO would block the read for ever, /dev/zero never end it): refused, not read.
  if (!st.isFile()) throw new UserError([{ path: '', message: `the lock ${path} is ${kindOf(st.mode)}, not a lock file hd-setup made; remove it and run this again` }]);
  const r = readBoundedText(path, 4096); // a lock holds a PID, a key and a time
  if (!r.ok) return r.why === 'does not exist' ? 'gone' : undefined;
  const pid = Number(r.text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}


/**
 * Create the lock with its PID already in it: written to a file of this process's own, then hard-linked into
 * place (link fails if the lock exists). A lock file is never seen empty, so a second run always learns the PID.
 */
function tryCreate(path: string, key: string): boolean {
  const own = `${path}.${process.pid}.new`;
  const fd = openSync(own, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, `${process.pid}\n${key}\n${new Date().toISOString()}\n`);
  } catch (e) {
    // a full disk: leave no half-written file, and name the lock (a write's error names no path)
    closeSync(fd);
    try {
      unlinkSync(own);
    } catch {
      /* gone */
    }
    throw withPath(e, path);
  }
  closeSync(fd);
  try {
    linkSync(own, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(own);
  }
}

/** Move a stale lock (its PID gone) out of the way; if another run replaced it meanwhile, put that back. */
function takeOverStale(path: string, stalePid: number | undefined): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it
  }
  if (holderOf(aside) !== stalePid) {
    try {
      linkSync(aside, path); // a live lock taken by mistake: restore it (never over a newer one)
    } catch {
      /* a newer lock is there */
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    /* gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the lock for `key`. Waits up to `waitMs` while a live process holds it, then throws a UserError
 * (exit 2) that names the holder's PID and the lock file.
 */
export async function acquireLock(key: string, home: string, waitMs = lockWaitMs()): Promise<Lock> {
  const path = lockPath(home, key);
  const mine = held.get(key);
  const lock = (waited: boolean): Lock => {
    const h = held.get(key)!;
    let released = false;
    return {
      path,
      waited,
      release() {
        if (released) return;
        released = true;
        if (--h.count > 0) return;
        held.delete(key);
        try {
          if (holderOf(path) === process.pid) unlinkSync(path);
        } catch {
          /* gone */
        }
      },
    };
  };
  if (mine) {
    mine.count++;
    return lock(false);
  }
  ensureDir(join(home, '.config/hd-setup/locks'), 0o700, false);
  const deadline = Date.now() + waitMs;
  let waited = false;
  let holder: number | undefined;
  const tries: Tries = { freed: 0 };
  for (;;) {
    const t = tryTake(path, key, tries);
    if (t.taken) break;
    holder = t.holder;
    if (Date.now() >= deadline) {
      throw new UserError([
        {
          path: '',
          message:
            holder === undefined
              ? `this install (${key}) is locked by ${path}, which names no process; if no other hd-setup is running, remove it and run this again`
              : `another hd-setup (PID ${holder}) is changing this install (${key}); wait for it to finish and run this again (if PID ${holder} is not hd-setup, remove ${path})`,
        },
      ]);
    }
    // said once, on stderr: it waited up to its bound without a word
    if (!waited && holder !== undefined) process.stderr.write(`Waiting for another hd-setup (PID ${holder}) that is changing this install (${key})…\n`);
    waited = true;
    await sleep(POLL_MS);
  }
  held.set(key, { count: 1, path });
  if (!exitHook) {
    exitHook = true;
    process.once('exit', releaseAll);
  }
  return lock(waited);
}

interface Tries {
  freed: number;
  unreadableSince?: number;
}

/**
 * One try at a lock file: taken, or the live process that holds it (undefined: unreadable). On the way, one
 * released meanwhile is tried again at once (bounded, in case of a storm of runs), and a stale one taken over:
 * its PID gone, or this process's own (a dead process's that had the same PID: this process holds it nowhere
 * else, as re-entry is counted before), or unreadable for more than a second (being written this instant is
 * given that moment).
 */
function tryTake(path: string, key: string, tries: Tries): { taken: true } | { taken: false; holder: number | undefined } {
  for (;;) {
    if (tryCreate(path, key)) return { taken: true };
    const h = readHolder(path);
    if (h === 'gone' && tries.freed++ < 100) continue;
    const holder = typeof h === 'number' ? h : undefined;
    if (holder === undefined) {
      tries.unreadableSince ??= Date.now();
      // unreadable for a second: taken over, and tried again at once (else a deadline as near refused the lock just freed)
      if (Date.now() - tries.unreadableSince > 1000 && tries.freed++ < 100) {
        takeOverStale(path, undefined);
        tries.unreadableSince = undefined;
        continue;
      }
    } else if (holder === process.pid || !alive(holder)) {
      takeOverStale(path, holder);
      continue;
    }
    return { taken: false, holder };
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Block this thread for `ms` (a short lock's wait, in code that must not yield). */
const sleepSync = (ms: number) => void Atomics.wait(pause, 0, 0, ms);

/**
 * Run `fn` holding the lock file at `path`, synchronously: for a read-modify-write of a file every run shares
 * (the registry), held only while `fn` runs, which must not wait for anything (so never for an install's
 * lock: no two runs can wait for each other). The same lock file as an install's (its PID in it, linked into
 * place); one whose PID is gone, or that names none for a second, is taken over. A live holder is waited for
 * up to `waitMs`; then `refused(holder)` is thrown.
 */
export function withFileLockSync<T>(path: string, waitMs: number, refused: (holder: number | undefined) => Error, fn: () => T): T {
  ensureDir(dirname(path), 0o700, false);
  const deadline = Date.now() + waitMs;
  const tries: Tries = { freed: 0 };
  let delay = 1;
  for (;;) {
    const t = tryTake(path, path, tries);
    if (t.taken) break;
    if (Date.now() >= deadline) throw refused(t.holder);
    sleepSync(delay);
    delay = Math.min(delay * 2, 25);
  }
  try {
    return fn();
  } finally {
    try {
      if (holderOf(path) === process.pid) unlinkSync(path);
    } catch {
      /* gone */
    }
  }
}

/** Run `fn` holding the lock for `key`; released whatever happens. */
export async function withLock<T>(key: string, home: string, fn: (lock: Lock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(key, home);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
