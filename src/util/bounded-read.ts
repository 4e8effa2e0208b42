// Bounded reads of files the user names (presets, file: references): regular files only, never more than
// a cap, strict UTF-8. A FIFO nobody writes, /dev/zero or a directory is refused at once with one line.
import { accessSync, closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { homedir } from 'node:os';
import { shellQuote } from './shell.js';

/** Largest file hd-setup reads as input (a preset, a secret in a file:). */
export const MAX_INPUT_BYTES = 1024 * 1024;

export type BoundedRead = { ok: true; text: string; path: string } | { ok: false; why: string };

/** What a file that is not a regular one is, in words ("a FIFO (named pipe)"). */
export function kindOf(mode: number): string {
  const t = mode & constants.S_IFMT;
  if (t === constants.S_IFDIR) return 'a directory';
  if (t === constants.S_IFIFO) return 'a FIFO (named pipe)';
  if (t === constants.S_IFSOCK) return 'a socket';
  if (t === constants.S_IFCHR) return 'a character device';
  if (t === constants.S_IFBLK) return 'a block device';
  if (t === constants.S_IFLNK) return 'a symbolic link';
  return 'not a regular file';
}

function openNoFollow(path: string): number {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  try {
    return openSync(path, flags);
  } catch (e) {
    // A symlink (e.g. a mounted Kubernetes Secret): open what it points at, still without following
    // a further link at the last step, and let fstat decide whether it is a regular file.
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    try {
      return openSync(realpathSync(path), flags);
    } catch (r) {
      // /dev/stdin, /dev/fd/N (a <(...)): the kernel's link to a pipe names no file ("pipe:[123]"), but opens
      // it; fstat then says it is a pipe, where the name that is not there said "does not exist"
      if ((r as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(path)) throw r;
      return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    }
  }
}

/**
 * Read a regular file of at most `max` bytes as strict UTF-8. Never blocks on a FIFO, never reads past
 * the cap, never quotes the content in its answer.
 */
export function readBoundedText(path: string, max = MAX_INPUT_BYTES, o: { followLink?: boolean } = {}): BoundedRead {
  let fd: number;
  try {
    fd = o.followLink === false ? openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK) : openNoFollow(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, why: 'is a symbolic link, not a file hd-setup wrote (it reads and writes its own files only, never through a link)' };
    const why =
      // ENOTDIR: a folder on the way is a file, so nothing is there either
      code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'is not readable' : code === 'EISDIR' ? 'is a directory' : `cannot be opened (${code ?? 'error'})`;
    return { ok: false, why };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, why: `is ${kindOf(st.mode)}, not a regular file` };
    if (st.size > max) return { ok: false, why: `is larger than ${max} bytes` };
    // Sized from fstat, grown (up to the cap) if the file grows while we read it.
    let buf = Buffer.alloc(Math.min(max, st.size) + 1);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len > max) return { ok: false, why: `is larger than ${max} bytes` };
        const bigger = Buffer.alloc(Math.min(max + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, len, buf.length - len, null);
      } catch (e) {
        return { ok: false, why: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
      }
      if (n === 0) break;
      len += n;
      if (len > max) return { ok: false, why: `is larger than ${max} bytes` };
    }
    return decode(buf.subarray(0, len), path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why this user may not open a file that open() refused for its permissions (EACCES): the first folder on its
 * way it may not enter, or the file itself it may not read; with the chmod that gives it back (the owner's
 * own permissions, no one else's), or whose it is when it is not this user's. Undefined when neither is it
 * (a refusal of another kind: a security module, a mount).
 */
export function accessProblem(path: string): { path: string; message: string } | undefined {
  const file = resolve(path);
  const folders: string[] = [];
  for (let d = dirname(file); ; d = dirname(d)) {
    folders.unshift(d);
    if (dirname(d) === d) break;
  }
  const giveBack = (p: string, what: string, need: Need) => {
    const f = permissionFix(p, need);
    return f && { path: p, message: `${what} (${f.mode}); ${f.fix}` };
  };
  const blocked = folders.find((d) => !mayAccess(d, constants.X_OK));
  if (blocked) return giveBack(blocked, 'this user may not enter this folder', 'x');
  if (!mayAccess(file, constants.R_OK)) return giveBack(file, 'this user may not read it', 'r');
  return undefined;
}

/** Whether this user may use a path so (access(2): constants.R_OK, W_OK, X_OK). */
export function mayAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** What this user needs of a folder or file: enter it, read it, or write into it. */
export type Need = 'x' | 'r' | 'wx';

/**
 * The mode of a folder or file this user may not use as it needs, and the fix: the chmod that gives the owner
 * back what it lacks of the permissions hd-setup uses (a folder's rwx, a file's rw; no one else's), or, when it is another user's,
 * whose it is; or, when its mode allows it already, what else refuses it (a read-only mount, an ACL, a
 * security module), where a chmod would do nothing. Read through a link, as the refusal was. Undefined when
 * nothing is there.
 */
export function permissionFix(path: string, need: Need): { mode: string; fix: string } | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  const bits = st.mode & 0o7777;
  const mode = `mode ${bits.toString(8).padStart(4, '0')}`;
  const uid = process.getuid?.();
  // root's, in this user's place (its HOME): most often a run with sudo that kept HOME (its files root's since);
  // elsewhere (/opt, /srv) a folder of the system's, which is not to be given away
  if (uid !== undefined && st.uid === 0 && uid !== 0) {
    const home = resolve(homedir());
    const inHome = (p: string) => home !== '/' && (p === home || p.startsWith(`${home}/`));
    const mine = inHome(resolve(path));
    // the whole of what that run made root's: from the highest folder above it, below HOME, that is root's too
    // (a fix of `conf/` alone, in a root's install dir, would be refused next at the install dir)
    // (a link's own owner: a link of the user's ends the climb; one root made is named by where it leads, as
    // chown -R changes a link given it and not what it leads to)
    let top = resolve(path);
    for (let up = dirname(top); mine && up !== top && up !== home && inHome(up) && ownerOf(up) === 0; up = dirname(up)) top = up;
    const named = linkTarget(top) ?? top;
    return { mode: `${mode}, owned by root`, fix: mine ? `give it back to this user (a run with sudo made it root's?): sudo chown -R ${uid}:${process.getgid?.() ?? uid} ${shellQuote(named)}` : "it is root's, outside your home: have root make a folder there for this user, or choose another place" };
  }
  if (uid !== undefined && st.uid !== uid) return { mode: `${mode}, owned by uid ${st.uid}`, fix: 'run hd-setup as the user it belongs to, or have that user give this one access' };
  const owner = { r: 0o400, w: 0o200, x: 0o100 } as const;
  const lacks = (letters: string) => [...letters].filter((c) => !(bits & owner[c as keyof typeof owner])).join('');
  if (!lacks(need)) return { mode, fix: 'its mode allows it, so something else refuses it (a read-only mount, an ACL, SELinux or AppArmor): check those, or choose another place' };
  // the owner's permissions that hd-setup uses there (it reads and writes its folders and files), and only those it lacks
  return { mode, fix: `give it back its permissions: chmod u+${lacks(st.isDirectory() ? 'rwx' : 'rw')} ${shellQuote(path)}` };
}

function ownerOf(path: string): number | undefined {
  try {
    return lstatSync(path).uid;
  } catch {
    return undefined;
  }
}

/** Where a link leads (its real path), or undefined when it is no link. */
function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** The first `n` bytes of a regular file (a link is not followed; a FIFO never blocks), or undefined. */
export function readHead(path: string, n: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function decode(bytes: Uint8Array, path: string): BoundedRead {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), path };
  } catch {
    return { ok: false, why: 'is not valid UTF-8 text' };
  }
}
