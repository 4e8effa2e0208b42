// Where hd-setup installed things: ~/.config/hd-setup/installs.json, so that status, doctor, uninstall,
// start/stop and rollback work from any directory without repeating the preset, and keep the choices
// of the install that are not settings of the agent (checks skipped, --allow-root).
import { posix } from 'node:path';
import { sameLocation, type Location } from '../model/base.js';
import { createHmac, randomBytes } from 'node:crypto';
import { ensureDir, writeFileAtomic, writeFileExclusive } from '../util/fsx.js';
import { readBoundedText } from '../util/bounded-read.js';
import { UserError } from '../model/errors.js';
import { readRegistryFile, type KeptContainer, type LastChange } from './local-state.js';
import { registryFile } from '../util/paths.js';
import { canonical } from '../util/canonical.js';
import { lockWaitMs, withFileLockSync } from './lock.js';

export interface InstallRecord extends Location {
  /** Preflight checks the user chose to skip for this install (--skip-check): later commands skip them too. */
  skipChecks?: string[];
  /** --allow-root was given for this install. */
  allowRoot?: boolean;
  /**
   * installed: the last run finished; started: it began and has not finished (failed or interrupted);
   * uninstalled: removed by `uninstall`, its config kept (the install dir or the values are still there).
   */
  state?: 'installed' | 'started' | 'uninstalled';
  /**
   * uninstalled: what its containers said that no file keeps (image, the pull policy and memory labels,
   * restart policy), so that the kept config reads back whole and a re-install keeps them.
   */
  containers?: Record<string, KeptContainer>;
  /**
   * docker: the daemon it was installed on when not the default one (DOCKER_HOST then, or a rootless
   * daemon's socket): later commands run without DOCKER_HOST talk to it too, as its boot unit does.
   */
  dockerHost?: string;
  /**
   * Kubernetes, installed without --context: the kubeconfig's current context then. A later command that
   * finds the current context changed refuses to act (it would reach another cluster, where a release of
   * the same name may be another agent).
   */
  kubeContext?: string;
  /**
   * With kubeContext: that context's API server then, and the kubeconfig it was read from (KUBECONFIG, or
   * ~/.kube/config). Another kubeconfig may have a context of the same name for another cluster; the same
   * one with another server is the same cluster moved (or down), as its own entry says.
   */
  kubeServer?: string;
  kubeconfig?: string;
  /**
   * The settings the last install was given with --set (dotted paths, secrets left out): a later run whose
   * preset says otherwise for one of them, without --set for it, is refused rather than reverting it.
   */
  setPaths?: string[];
  /**
   * docker/podman: the install as the last change (an install that changed it, or a rollback) found it:
   * what rollback puts back. Absent: the last change was the first install, or made by an older hd-setup.
   */
  before?: LastChange;
  /** When `hd-setup stop` stopped it (ISO time); a start, restart or install clears it. */
  stoppedAt?: string;
  updatedAt: string;
}

export type { KeptContainer, LastChange };

export { registryFile };

/** The recorded installs. A corrupted file is exit 2 naming it; lenient (about to rewrite it): bad entries are dropped with a warning. */
export function readRegistry(home: string, lenient?: { warn: (msg: string) => void }): InstallRecord[] {
  return readRegistryFile(registryFile(home), lenient) as InstallRecord[];
}

export function recordOf(loc: Location, choices: { skipChecks?: string[]; allowRoot?: boolean; dockerHost?: string; kubeContext?: string; kubeServer?: string; kubeconfig?: string; setPaths?: string[]; before?: LastChange } = {}, state: InstallRecord['state'] = 'installed', now = new Date(), containers?: Record<string, KeptContainer>): InstallRecord {
  return {
    ...loc,
    ...(choices.skipChecks?.length ? { skipChecks: [...new Set(choices.skipChecks)].sort() } : {}),
    ...(choices.allowRoot ? { allowRoot: true } : {}),
    ...(choices.dockerHost && loc.runtime === 'docker' ? { dockerHost: choices.dockerHost } : {}),
    ...(choices.kubeContext && loc.runtime === 'kubernetes' && !loc.context ? { kubeContext: choices.kubeContext, ...(choices.kubeServer ? { kubeServer: choices.kubeServer } : {}), ...(choices.kubeconfig ? { kubeconfig: choices.kubeconfig } : {}) } : {}),
    ...(choices.setPaths?.length ? { setPaths: [...new Set(choices.setPaths)].sort() } : {}),
    state,
    ...(containers && Object.keys(containers).length ? { containers } : {}),
    ...(choices.before && loc.runtime !== 'kubernetes' ? { before: choices.before } : {}),
    updatedAt: now.toISOString(),
  };
}

/**
 * Whether the registry holds rec already, as it is (its time aside), and nothing else in it needs a rewrite:
 * a re-run that changes nothing then leaves the file as it is.
 */
export function holdsRecord(home: string, rec: InstallRecord): boolean {
  let clean = true;
  const list = readRegistry(home, { warn: () => (clean = false) });
  const found = list.find((r) => sameLocation(r, rec));
  const timeless = ({ updatedAt: _, ...r }: InstallRecord) => canonical(r);
  // (a record this one took up, which an older hd-setup left beside it, is one to drop: a rewrite)
  return clean && found !== undefined && timeless(found) === timeless(rec) && !list.some((r) => takenUp(r, rec));
}

export function findRecord(home: string, loc: Location): InstallRecord | undefined {
  return readRegistry(home).find((r) => sameLocation(r, loc));
}

/**
 * The record of the install at loc: its own, or, for a config kept by an uninstall on the other container
 * runtime (uninstalled on docker, now installed on podman), that one: what its containers said and the
 * settings it was given with --set are the kept config's, whichever runtime takes it up.
 */
export function findRecordOfInstall(home: string, loc: Location): InstallRecord | undefined {
  const list = readRegistry(home);
  return list.find((r) => sameLocation(r, loc)) ?? list.find((r) => takenUp(r, loc));
}

/**
 * The digest a LastChange keeps of a configuration file's text: an HMAC-SHA256 under a key of this HOME
 * (~/.config/hd-setup/digest.key, 0600, made once), so that the record cannot confirm a guess of a secret
 * in the file. A key that is not one hd-setup made is exit 2 naming it; a new key (the old one removed)
 * matches no digest made before it: rollback then goes back to the newest backup, and says so.
 */
export function configDigest(home: string, text: string): string {
  return createHmac('sha256', digestKey(home)).update(text).digest('hex');
}

function digestKey(home: string): Buffer {
  const path = posix.join(posix.dirname(registryFile(home)), 'digest.key');
  const read = () => {
    const r = readBoundedText(path, 1024, { followLink: false });
    if (!r.ok && r.why === 'does not exist') return undefined;
    const hex = r.ok ? r.text.trim() : '';
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new UserError([{ path, message: `${r.ok ? 'is not a key hd-setup made (64 hex digits)' : r.why}; remove it (hd-setup makes a new one: a rollback then goes back to the newest backup of the config file)` }]);
    return Buffer.from(hex, 'hex');
  };
  const key = read();
  if (key) return key;
  ensureDir(posix.dirname(path), 0o700, false);
  writeFileExclusive(path, `${randomBytes(32).toString('hex')}\n`, 0o600);
  return read()!;
}

function write(home: string, list: InstallRecord[]): void {
  ensureDir(posix.dirname(registryFile(home)), 0o700, false);
  writeFileAtomic(registryFile(home), JSON.stringify(list, null, 2) + '\n', 0o600);
}

/** The lock every change of the registry holds, beside the installs' own locks. */
export function registryLockFile(home: string): string {
  return posix.join(posix.dirname(registryFile(home)), 'locks', 'installs.json.lock');
}

/**
 * Change the registry under its own lock: read, change, write, with no other run between (two installs'
 * runs each hold their own install's lock, and wrote the file from what each had read: one's change was
 * lost, a stop's stoppedAt, and its agent was then reported failed). Held for the moment of the write; a
 * live holder is waited for as an install's lock is (HD_SETUP_LOCK_WAIT_MS, at least 1 s), then exit 2
 * naming the file and its lock. `change` returns undefined to leave the file as it is.
 */
function update(home: string, change: (list: InstallRecord[]) => InstallRecord[] | undefined): void {
  const file = registryFile(home);
  const lock = registryLockFile(home);
  // (a wait here blocks the thread, Ctrl-C too: a registry write takes milliseconds, so a few seconds at most)
  const waitMs = Math.min(5000, Math.max(1000, lockWaitMs()));
  const refused = (holder: number | undefined) =>
    new UserError([
      {
        path: file,
        message:
          holder === undefined
            ? `cannot record the change in it: its lock ${lock} names no process; if no other hd-setup is running, remove the lock and run this again`
            : `cannot record the change in it: another hd-setup (PID ${holder}) has held its lock ${lock} for more than ${Math.round(waitMs / 1000)} s; run this again when it is done (if PID ${holder} is not hd-setup, remove the lock)`,
      },
    ]);
  withFileLockSync(lock, waitMs, refused, () => {
    const next = change(readRegistry(home, rewriting));
    if (next) write(home, next);
  });
}

/** Rewriting the registry keeps its good entries and drops, with a warning, any it cannot use. */
const rewriting = { warn: (msg: string) => process.stderr.write(`warning: ${msg}\n`) };

/** Records rec (first in the file); returns the records it replaced, where they were, for putBack. */
export function remember(home: string, rec: InstallRecord): Replaced {
  let replaced: Replaced = [];
  update(home, (list) => {
    replaced = list.flatMap((r, at) => (sameLocation(r, rec) || takenUp(r, rec) ? [{ at, record: r }] : []));
    return [rec, ...list.filter((r) => !sameLocation(r, rec) && !takenUp(r, rec))];
  });
  return replaced;
}

/** What remember replaced: each record with its place in the file. */
export type Replaced = { at: number; record: InstallRecord }[];

/**
 * The records as they were before remember(rec) (what it returned), rec gone: a run recorded as started
 * that then changed nothing (cancelled or failed before its first change) is no change of the install.
 * Left as it was, the install read as one whose last change did not finish (status unhealthy, a start
 * recreating its containers), and the run took the place of the change rollback undoes.
 */
export function putBack(home: string, rec: InstallRecord, replaced: Replaced): void {
  update(home, (list) => {
    const out = list.filter((r) => !sameLocation(r, rec));
    for (const { at, record } of replaced) out.splice(Math.min(at, out.length), 0, record);
    return out;
  });
}

/**
 * A config an uninstall kept on one container runtime, which an install on the other now takes up (the same
 * dir): its record goes, as findRecordOfInstall has handed it over. Kept, it was a second install in every
 * hint, and, once this one was uninstalled too, the one a later install found first, with what it had before.
 */
function takenUp(old: InstallRecord, at: Pick<Location, 'product' | 'runtime' | 'installDir'>): boolean {
  return old.state === 'uninstalled' && old.runtime !== 'kubernetes' && at.runtime !== 'kubernetes' && old.product === at.product && old.installDir !== undefined && old.installDir === at.installDir;
}

/** `hd-setup stop` stopped the install (at), or a start made it run again (undefined): its record says so. */
export function markStopped(home: string, loc: Location, at: Date | undefined, finishes = true): void {
  // nothing to change (no record, stopped already, running and whole): the file is not rewritten
  if (!stoppedChange(findRecord(home, loc), at, finishes)) return;
  update(home, (list) => {
    const rec = stoppedChange(list.find((r) => sameLocation(r, loc)), at, finishes);
    return rec && [rec, ...list.filter((r) => !sameLocation(r, loc))];
  });
}

/**
 * The record as a stop (at) or a start (undefined) leaves it; undefined when that changes nothing. `finishes`:
 * the start applies the install's configuration (docker/podman re-apply it; a Kubernetes start only scales).
 */
function stoppedChange(rec: InstallRecord | undefined, at: Date | undefined, finishes: boolean): InstallRecord | undefined {
  // running again (at: undefined) after an install that did not finish, its configuration applied: the
  // install is whole (its record said "started" for ever, and every restart recreated)
  const finished = at === undefined && rec?.state === 'started' && finishes;
  if (!rec || (at === undefined && rec.stoppedAt === undefined && !finished)) return undefined;
  // stopped already (a second stop): it has been stopped since then, and the record stays as it is
  if (at && rec.stoppedAt) return undefined;
  const { stoppedAt: _, ...rest } = rec;
  return { ...rest, ...(finished ? { state: 'installed' as const } : {}), ...(at ? { stoppedAt: at.toISOString() } : {}), updatedAt: new Date().toISOString() };
}

export function forget(home: string, loc: Location): void {
  update(home, (list) => list.filter((r) => !sameLocation(r, loc)));
}
