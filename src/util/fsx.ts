// Atomic file writes (temp + fsync + rename) and backups. No file is ever left half-written, no symlink is
// followed when writing, no mode of a directory hd-setup did not create is changed, and what hd-setup
// creates in an install dir is recorded there (CREATED_MARKER) so that --purge deletes only that.
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { permissionFix } from './bounded-read.js';

/** Whether `path` is a unix socket (a runtime's API socket); false when it is missing or unreadable. */
export function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Backups kept per file (older ones are deleted); HD_SETUP_KEEP_BACKUPS overrides it. */
export const BACKUPS_KEPT = 10;
export function backupsKept(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.HD_SETUP_KEEP_BACKUPS);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : BACKUPS_KEPT;
}

const lexists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

export interface EnsuredDir {
  /** The top-most directory this call created (mkdir -p), if it created any. */
  created?: string;
  /** An existing directory that is more open than asked: left as it is, with this warning. */
  warning?: string;
}

/** Local state in the way (a file where a folder must be): exit 2 with the message, which names it and the fix. */
export class LocalStateError extends Error {}

/** The nearest existing ancestor of `path` that is not a folder, if any. */
function fileInTheWay(path: string): string | undefined {
  for (let d = dirname(path); ; d = dirname(d)) {
    if (lexists(d)) return statSync(d, { throwIfNoEntry: false })?.isDirectory() ? undefined : d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * A symbolic link to a folder (~/fivetran on a bigger disk) is followed only to a folder of this user's (or
 * root's) that not everyone may write: otherwise another user could swap what hd-setup writes there (a token,
 * a lock). The problem, with its fix, when `path` is a link to any other folder; undefined otherwise.
 */
export function linkedFolderProblem(path: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || !lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) return undefined;
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return undefined;
  // Group-writable is left alone: under a umask of 002 a user's folders are 0775, their group their own.
  const foreign = st.uid !== uid && st.uid !== 0;
  if (!foreign && (st.mode & 0o002) === 0) return undefined;
  const why = foreign ? `a folder of another user (uid ${st.uid})` : `a folder anyone may write (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  return `${path} is a symbolic link to ${why}; hd-setup does not follow it there: make ${path} a folder of your own (or link it to one that only you, or your group, can write)`;
}

/**
 * Create a directory (and parents) with mode. An existing directory keeps its mode: hd-setup never chmods
 * what it did not create (a 1777 /tmp-like dir keeps its sticky bit); with `warnIfOpen` it says so when
 * the directory is writable by others, or readable by others where `mode` is private.
 */
export function ensureDir(path: string, mode = 0o700, warnIfOpen = true): EnsuredDir {
  if (!lexists(path)) {
    const way = fileInTheWay(path);
    if (way) throw new LocalStateError(`cannot make the folder ${path}: ${way} is not a folder; move it away and run this again`);
    const created = makeFolders(path, mode);
    // mkdir's mode is masked by the umask: set exactly what was asked, on the directories made just now
    if (created) {
      for (let d = path; ; d = dirname(d)) {
        fchmodDir(d, mode);
        if (d === created || dirname(d) === d) break;
      }
    }
    return created ? { created } : {};
  }
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new LocalStateError(`${path} is a symbolic link to nothing; hd-setup keeps its files in a folder there: remove the link, or make its target a folder, and run this again`);
  if (!st.isDirectory()) throw new LocalStateError(`${path} is not a folder; hd-setup keeps its files in a folder there: move it away and run this again`);
  const link = linkedFolderProblem(path);
  if (link) throw new LocalStateError(`${link} and run this again`);
  const have = st.mode & 0o777;
  const tooOpen = (have & 0o022 & ~mode) !== 0 || ((mode & 0o077) === 0 && (have & 0o077) !== 0);
  if (warnIfOpen && tooOpen) {
    // (a chmod only its owner may make: another user's, or root's, is theirs to restrict)
    const owner = process.getuid?.() === undefined || st.uid === process.getuid?.() ? undefined : st.uid === 0 ? 'root' : `uid ${st.uid}`;
    const how = owner ? `its owner, ${owner}, may restrict it: ${owner === 'root' ? 'sudo ' : ''}chmod ${mode.toString(8)} ${path}` : `chmod ${mode.toString(8)} ${path} to restrict it`;
    return { warning: `${path} is mode ${have.toString(8).padStart(4, '0')}, more open than ${mode.toString(8).padStart(4, '0')}; hd-setup leaves it as it is (${how})` };
  }
  return {};
}

/**
 * mkdir -p, a level at a time: the first folder made (undefined when none was). Not Node's recursive mkdir,
 * which never returns for a path in /proc (Node 20: it retries for ever, deaf even to SIGTERM). An error
 * names the folder that could not be made and why.
 */
function makeFolders(path: string, mode: number): string | undefined {
  const missing: string[] = [];
  for (let d = path; !lexists(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(d, { throwIfNoEntry: false })?.isDirectory()) continue; // made meanwhile
      const refused = refusedIn(dirname(d), e);
      if (refused) throw new LocalStateError(`cannot make the folder ${d}: ${refused}`);
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the file system is read-only' : code === 'ENOSPC' ? 'no space left on the device' : code === 'ENOENT' ? 'that file system takes no folders made by users' : (code ?? 'failed');
      throw new LocalStateError(`cannot make the folder ${d}: ${why}; give a folder you can write`);
    }
  }
  return missing[0];
}

/**
 * Why this user may not make a file or folder in `dir`, when a permission refused it (EACCES, EPERM): the
 * folder, its mode and the fix (the chmod its owner lacks, or whose it is: permissionFix). Undefined for
 * another refusal, and as root, whom no mode stops (a read-only mount or a security module does).
 */
function refusedIn(dir: string, e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if ((code !== 'EACCES' && code !== 'EPERM') || process.getuid?.() === 0) return undefined;
  const f = permissionFix(dir, 'wx');
  return f && `${dir} is not writable (${f.mode}); ${f.fix}`;
}

function fchmodDir(path: string, mode: number): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort: some file systems refuse fsync on a directory */
  }
}

const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Remove temp files of `path` left by an hd-setup that was killed (their PID is gone). */
function sweepStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const n of names) {
    const m = n.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}$/.exec(n.slice(prefix.length)) : null;
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // a live run's
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    try {
      if (lstatSync(join(dirname(path), n)).isFile()) unlinkSync(join(dirname(path), n));
    } catch {
      /* gone */
    }
  }
}

/** Write `content` to a fresh temp file next to `path` (O_EXCL, O_NOFOLLOW), synced, with `mode`. */
function writeTemp(path: string, content: string | Uint8Array, mode: number): string {
  sweepStaleTemps(path);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number;
  try {
    fd = openSync(tmp, WRITE_NEW, mode);
  } catch (e) {
    // a folder this user may not write (a chmod by hand, root's after a run with sudo): named, with the fix;
    // any other refusal is about the file, not its temp (whose name it would give)
    const refused = refusedIn(dirname(path), e);
    if (refused) throw new LocalStateError(`cannot write ${path}: ${refused}`);
    throw withPath(e, path, true);
  }
  try {
    fchmodSync(fd, mode);
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw withPath(e, path);
  }
  closeSync(fd);
  return tmp;
}

/**
 * A file-system error on a file descriptor (a write or fsync on a full disk: `ENOSPC: no space left on device,
 * write`) names no path: given the file's, the CLI reports it as the machine's state, one line with the fix
 * (exit 2), not as a bug. `replace`: the file's path in place of the one it names (a temp file's).
 */
export function withPath(e: unknown, path: string, replace = false): unknown {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof err.code === 'string' && (replace || err.path === undefined)) err.path = path;
  return e;
}

/** Why the file system refused, for the errors that are the machine's state, not a bug: the fix is the user's. */
const FS_CAUSES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is used up',
  EBUSY: 'it is busy (a mount point, or in use)',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links on the way',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on this machine',
};

/** A file-system error as one line: the folder, why, and the fix (exit 2: the machine's state, which the user fixes). */
export function fileSystemProblem(e: unknown): string | undefined {
  const { code, path } = (e ?? {}) as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof code !== 'string' || typeof path !== 'string' || !(code in FS_CAUSES)) return undefined;
  const dir = dirname(path);
  const fix =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `free some space on the file system that holds ${dir}`
      : code === 'EMFILE' || code === 'ENFILE'
        ? 'raise the limit of open files (ulimit -n), or close what holds them'
        : code === 'EBUSY'
          ? `${path} is a mount point or in use: move it away, or end what holds it`
          : /\/\.config\/hd-setup(\/|$)/.test(dir)
            ? `make ${dir} writable for this user (hd-setup keeps its files there), or run with HOME set to a folder that is`
            : `check that this user may use ${path} (its permissions and those of the folders above it, the file system's mount options)`;
  return `cannot use ${path}: ${FS_CAUSES[code]} (${code}); ${fix}`;
}

/** Replace `path` atomically. A symlink at `path` is replaced, never followed. */
/** Write a new file whole, or nothing when one is there already (another run's): false then. */
export function writeFileExclusive(path: string, content: string, mode: number): boolean {
  const tmp = writeTemp(path, content, mode);
  try {
    linkSync(tmp, path);
    fsyncDir(dirname(path));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function writeFileAtomic(path: string, content: string | Buffer, mode: number): void {
  const tmp = writeTemp(path, content, mode);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(path));
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Largest file of an install hd-setup copies or reads back (its own files are far smaller: values of 10,000 connections are 0.3 MB). */
const MAX_OWN_FILE_BYTES = 16 * 1024 * 1024;

/** Read a file hd-setup wrote, without following a symlink at its name. */
function readNoFollow(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(64 * 1024);
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      len += n;
      // never read a file of many gigabytes into memory (a backup grown or replaced by hand)
      if (len > MAX_OWN_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_OWN_FILE_BYTES} bytes`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

const BACKUP_NAME = (base: string) => new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.bak-\\d{8}T\\d{6}Z(-\\d+)?$`);

/** How far ahead of this host's clock a backup's time may be (another host's clock, a correction since). */
const BACKUP_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/** A backup's name after `<file>.bak-`: its time (YYYYMMDDTHHMMSSZ) and its number within that second (0 for none). */
function backupStamp(path: string, backup: string): { time: string; n: number } {
  const rest = basename(backup).slice(basename(path).length + 5);
  const m = /-(\d+)$/.exec(rest.slice(16));
  return { time: rest.slice(0, 16), n: m ? Number(m[1]) : 0 };
}

/**
 * Why a name of the backup form is no backup hd-setup made (undefined: it may be one): hd-setup names a
 * backup after the UTC time it made it, so a time that is not one (month 13, 25 o'clock) or that is later
 * than now (beyond a day of clock skew) was not made by it. Such a file would otherwise be taken as the
 * newest backup, by rollback and by the name of the next backup.
 */
function notABackupTime(time: string, now: Date): string | undefined {
  const [y, mo, d, h, mi, s] = [time.slice(0, 4), time.slice(4, 6), time.slice(6, 8), time.slice(9, 11), time.slice(11, 13), time.slice(13, 15)].map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) {
    return 'its name is not a time';
  }
  if (t > now.getTime() + BACKUP_CLOCK_SKEW_MS) return 'its name is a time still to come';
  return undefined;
}

function backupNames(path: string): string[] {
  const re = BACKUP_NAME(basename(path));
  try {
    return readdirSync(dirname(path)).filter((n) => re.test(n));
  } catch {
    return [];
  }
}

/** The backups of `path`, oldest first (names sort by time; a -N suffix after the same second). A name that is no time, or one to come, is none (strayBackups). */
export function listBackups(path: string, now = new Date()): string[] {
  const dir = dirname(path);
  const key = (n: string) => {
    const { time, n: i } = backupStamp(path, n);
    return `${time}#${i.toString().padStart(6, '0')}`;
  };
  return backupNames(path)
    .filter((n) => !notABackupTime(backupStamp(path, n).time, now))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .map((n) => join(dir, n));
}

/** Files named as a backup of `path` that hd-setup did not make (their name is no time, or a time to come), with why. */
export function strayBackups(path: string, now = new Date()): { path: string; why: string }[] {
  return backupNames(path)
    .sort()
    .flatMap((n) => {
      const why = notABackupTime(backupStamp(path, n).time, now);
      return why ? [{ path: join(dirname(path), n), why }] : [];
    });
}

/**
 * Copy the current file to <path>.bak-<timestamp> (0600): written to a temp file, synced, then linked into
 * place (a name that exists, even as a dangling symlink, is never reused or followed). Keeps the newest
 * `keep` backups and deletes older ones. Returns the backup's path and the older backups it deleted.
 */
export function backupFile(path: string, now = new Date(), keep = backupsKept(), heldBy?: string): { path: string; pruned: string[] } | undefined {
  if (!lexists(path)) return undefined;
  const content = readNoFollow(path);
  // A backup that holds this very text already (the one a rollback just restored the file from): another
  // copy of it would add nothing, and take the place of an older, different one when backups are pruned.
  if (heldBy && sameBytes(path, heldBy, content)) return undefined;
  const tmp = writeTemp(path, content, 0o600);
  // Named after every backup there, so that it is the newest by name (what rollback and pruning go by): in
  // the second of the last one, the next number (a free name before it, left by a pruned backup, would have
  // this one pruned at once); at its time, if the clock is behind it.
  const last = listBackups(path).at(-1);
  let time = timestamp(now);
  let i = 0;
  if (last) {
    const l = backupStamp(path, last);
    if (l.time >= time) [time, i] = [l.time, l.n + 1];
  }
  let dest = '';
  try {
    for (let tries = 0; ; tries++, i++) {
      dest = i ? `${path}.bak-${time}-${i}` : `${path}.bak-${time}`;
      try {
        linkSync(tmp, dest);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 1000) throw e;
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncDir(dirname(path));
  return { path: dest, pruned: pruneBackups(path, keep) };
}

/** `backup`, one of the backups of `path` (a regular file, not a link), holds exactly these bytes. */
function sameBytes(path: string, backup: string, content: Buffer): boolean {
  try {
    return listBackups(path).includes(backup) && lstatSync(backup).isFile() && readNoFollow(backup).equals(content);
  } catch {
    return false;
  }
}

/** The line that says which older backups a backup deleted (the user may have counted on them), or none. */
export function prunedLine(pruned: string[], keep = backupsKept()): string | undefined {
  if (!pruned.length) return undefined;
  return `removed the oldest backup${pruned.length > 1 ? 's' : ''} ${pruned.join(', ')}: hd-setup keeps the newest ${keep} of each file (HD_SETUP_KEEP_BACKUPS=N keeps N)`;
}

/** Delete all but the newest `keep` backups of `path` (regular files with hd-setup's backup name only). */
export function pruneBackups(path: string, keep = backupsKept()): string[] {
  const all = listBackups(path);
  const old = all.slice(0, Math.max(0, all.length - keep));
  const removed: string[] = [];
  for (const b of old) {
    try {
      if (!lstatSync(b).isFile()) continue;
      unlinkSync(b);
      removed.push(b);
    } catch {
      /* gone already */
    }
  }
  return removed;
}

/** A backup passed over, and why (said in the warning that names it). */
export interface SkippedBackup {
  path: string;
  why: string;
}

/**
 * The newest backup of `path` that is complete: `valid` (which parses it) accepts it. A 0-byte or cut-off
 * backup (a kill during an older hd-setup's copy) is passed over for the previous good one.
 */
export function latestGoodBackup(path: string, valid: (text: string) => boolean): { path: string; skipped: SkippedBackup[] } | undefined {
  const skipped: SkippedBackup[] = [];
  for (const b of goodBackups(path, valid)) {
    if (b.path) return { path: b.path, skipped };
    skipped.push(b.skipped!);
  }
  return undefined;
}

/** Why a backup is not read at all (a link, a folder, a device or a FIFO in its place; one too large), or undefined. */
function notReadable(path: string): string | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 'it is gone';
  }
  if (st.isSymbolicLink()) return 'it is a symbolic link, not a file hd-setup wrote: not followed';
  if (st.isDirectory()) return 'it is a folder, not a file hd-setup wrote: not read';
  if (!st.isFile()) return 'it is not a regular file (a FIFO, socket or device), not one hd-setup wrote: not read';
  if (st.size > MAX_OWN_FILE_BYTES) return `it is larger than ${MAX_OWN_FILE_BYTES / 1024 / 1024} MB, far more than hd-setup writes: not read`;
  return undefined;
}

/** The backups of a file, newest first: each one that reads as UTF-8 and is `valid` with its text, or skipped (with why). */
export function* goodBackups(path: string, valid: (text: string) => boolean): Generator<{ path: string; text: string; skipped?: undefined } | { path?: undefined; skipped: SkippedBackup }> {
  const broken = (b: string): { skipped: SkippedBackup } => ({ skipped: { path: b, why: 'it is empty, cut off or broken' } });
  for (const b of listBackups(path).reverse()) {
    const why = notReadable(b);
    if (why) {
      yield { skipped: { path: b, why } };
      continue;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(readNoFollow(b));
    } catch {
      yield broken(b);
      continue;
    }
    yield text.length > 0 && valid(text) ? { path: b, text } : broken(b);
  }
}

// ---- what hd-setup created in an install dir ----

/** In an install dir: the paths (relative; "." for the dir itself) that hd-setup created there. */
export const CREATED_MARKER = '.hd-setup-created';

function within(root: string, path: string): string | undefined {
  const rel = posix.relative(root, path);
  if (rel === '') return '.';
  if (rel.startsWith('..') || posix.isAbsolute(rel)) return undefined;
  return rel;
}

export function readCreated(root: string): string[] | undefined {
  try {
    const v = JSON.parse(readNoFollow(join(root, CREATED_MARKER)).toString('utf8')) as { created?: unknown };
    if (!Array.isArray(v.created)) return undefined;
    return v.created.filter((p): p is string => typeof p === 'string' && (p === '.' || (!posix.isAbsolute(p) && !p.split('/').includes('..') && p.length > 0)));
  } catch {
    return undefined;
  }
}

/** Record that hd-setup created `paths` (directories it made, files that did not exist) under `root`. */
export function recordCreated(root: string, ...paths: string[]): void {
  if (!lexists(root)) return;
  const r = posix.resolve(root);
  const before = readCreated(root) ?? [];
  const list = new Set(before);
  for (const path of paths) {
    const p = posix.resolve(path);
    // mkdir -p made a parent of the install dir: then it made the install dir too
    const rel = within(r, p) ?? (within(p, r) !== undefined ? '.' : undefined);
    if (rel !== undefined) list.add(rel);
  }
  if (list.size === before.length) return;
  writeFileAtomic(join(root, CREATED_MARKER), JSON.stringify({ createdBy: 'hd-setup', created: [...list].sort() }, null, 2) + '\n', 0o600);
}

export type PurgeAction = { kind: 'remove'; path: string; recursive?: boolean; ifEmpty?: boolean } | { kind: 'note'; text: string };

/** A folder between `root` and `path` (both absolute, path under root) is a symbolic link, or is not there. */
function linkOnTheWay(root: string, path: string): boolean {
  const rel = posix.relative(root, posix.dirname(path));
  if (!rel) return false;
  let at = root;
  for (const part of rel.split('/')) {
    at = posix.join(at, part);
    try {
      if (!lstatSync(at).isDirectory()) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** A folder above `rel` (relative to `dir`) that hd-setup recorded making, and that --purge removes whole (rm -rf). */
function removedWhole(dir: string, rel: string, created: string[]): boolean {
  for (let up = posix.dirname(rel); up !== '.' && up !== '/'; up = posix.dirname(up)) {
    const p = posix.join(dir, up);
    if (!created.includes(up) || linkOnTheWay(dir, p)) continue;
    try {
      if (lstatSync(p).isDirectory()) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

/** " to <target>" for a symbolic link, or nothing when it cannot be read. */
function linkTarget(p: string): string {
  try {
    return ` to ${readlinkSync(p)}`;
  } catch {
    return '';
  }
}

/**
 * What --purge deletes in an install dir: only what hd-setup recorded creating there (directories it made,
 * with what the agent wrote in them; files it wrote new), then the dir itself if hd-setup made it and
 * nothing else is left. Never the home directory or "/"; nothing at all without the record.
 */
export function purgeActions(root: string, home: string, files: readonly string[] = []): PurgeAction[] {
  const dir = posix.resolve(root);
  const created = readCreated(dir);
  const homeDir = posix.resolve(home);
  if (!created) {
    return [{ kind: 'note', text: `${dir} has no record of what hd-setup created (${CREATED_MARKER}); nothing is deleted there: remove what you no longer need by hand` }];
  }
  const out: PurgeAction[] = [];
  const entries = created.filter((p) => p !== '.').sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
  for (const rel of entries) {
    const p = posix.join(dir, rel);
    if (p === '/' || p === homeDir || within(p, homeDir) !== undefined) continue;
    // never through a link: a folder on the way replaced by one (data/ -> elsewhere) would lead the
    // delete out of the install dir
    if (linkOnTheWay(dir, p)) continue;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    // a link in place of what hd-setup made (tmp/ -> /tmp): not hd-setup's, and never followed; left as it
    // is, unless a folder above it that hd-setup made goes whole (rm -rf removes the link, not what it points
    // at); the backups hd-setup made of a file there go all the same (they hold its earlier secrets)
    if (st.isSymbolicLink()) {
      if (!removedWhole(dir, rel, created)) out.push({ kind: 'note', text: `${p} is a symbolic link${linkTarget(p)}, not what hd-setup made there: left as it is (never followed)` }, ...listBackups(p).map((b): PurgeAction => ({ kind: 'remove', path: b })));
      continue;
    }
    // a recorded directory was made by hd-setup, so all in it is its or the agent's (config, data, logs);
    // a recorded file goes with the backups hd-setup made of it (they hold its earlier secrets)
    // (but not a folder where hd-setup wrote a file, `files`: the user's, put there since; left, as a link is)
    if (st.isDirectory() && files.includes(rel)) {
      if (!removedWhole(dir, rel, created)) out.push({ kind: 'note', text: `${p} is a folder where hd-setup wrote a file: not what hd-setup made there, left as it is` }, ...listBackups(p).map((b): PurgeAction => ({ kind: 'remove', path: b })));
    } else if (st.isDirectory()) out.push({ kind: 'remove', path: p, recursive: true });
    else out.push({ kind: 'remove', path: p }, ...listBackups(p).map((b): PurgeAction => ({ kind: 'remove', path: b })));
  }
  out.push({ kind: 'remove', path: posix.join(dir, CREATED_MARKER) });
  // the dir itself: only if hd-setup made it, never ~ or / or a parent of ~, and only when empty by then
  if (created.includes('.') && dir !== '/' && within(dir, homeDir) === undefined) out.push({ kind: 'remove', path: dir, ifEmpty: true });
  return out;
}
