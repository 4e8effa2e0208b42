// Atomic file writes (temp + fsync + rename) and backups. No file is ever left half-written.
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** Create a directory (and parents) with mode; with enforce, also fix the mode of an existing one. */
export function ensureDir(path: string, mode = 0o700, enforce = true): void {
  if (!existsSync(path)) {
    mkdirSync(path, { recursive: true, mode });
    chmodSync(path, mode);
    return;
  }
  const st = statSync(path);
  if (!st.isDirectory()) throw new Error(`${path} exists and is not a directory`);
  if (enforce && (st.mode & 0o777) !== mode) chmodSync(path, mode);
}

export function writeFileAtomic(path: string, content: string, mode: number): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Copy the current file to <path>.bak-<timestamp> (0600). Returns the backup path. */
export function backupFile(path: string, now = new Date()): string | undefined {
  if (!existsSync(path)) return undefined;
  let dest = `${path}.bak-${timestamp(now)}`;
  for (let i = 1; existsSync(dest); i++) dest = `${path}.bak-${timestamp(now)}-${i}`;
  writeFileSync(dest, readFileSync(path), { mode: 0o600, flag: 'wx' }); // 0600 from creation (no copy of the source's mode), never through a symlink
  chmodSync(dest, 0o600);
  return dest;
}
