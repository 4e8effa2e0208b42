import { closeSync, constants, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { posix } from 'node:path';

/** ~ and ~/x relative to home; anything else unchanged. */
export function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? posix.join(home, p.slice(2)) : p;
}

/** An absolute path under home as ~/..., as a preset would say it. */
export function homeRelative(path: string, home: string): string {
  if (path === home) return '~';
  return path.startsWith(home + '/') ? `~/${posix.relative(home, path)}` : path;
}

/** Where hd-setup records its installs (exec/registry.ts reads and writes it). */
export function registryFile(home: string): string {
  return posix.join(home, '.config/hd-setup/installs.json');
}

/** The first lines of the presets hd-setup writes (after "# "): a file that starts with one is hd-setup's to replace. */
export const PRESET_HEADERS = { saved: 'Saved by the hd-setup wizard.', exported: 'Exported by hd-setup from' } as const;

/** Whether the file at `file` (not followed if a link) is a regular file whose first line is one of hd-setup's preset headers. */
function isOurPreset(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n).toString('utf8');
    return lstatSync(file).isFile() && Object.values(PRESET_HEADERS).some((h) => head.startsWith(`# ${h}`));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Why a file cannot be written at `file` (absolute), or undefined: its folder must exist, and the name must not
 * be a folder itself. `example` is a file name to suggest inside such a folder. With `preset`, a file already
 * there is written over only if it is a preset hd-setup wrote (exported or saved); anything else is the user's.
 */
export function outputFileProblem(file: string, example: string, opts: { preset?: boolean } = {}): string | undefined {
  const dir = posix.dirname(file);
  let st;
  try {
    st = statSync(dir);
  } catch {
    return `the folder ${dir} does not exist; create it first, or give a path in an existing folder`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder; give a path in an existing folder`;
  let there;
  try {
    there = lstatSync(file);
  } catch {
    return undefined; // not there yet: written new
  }
  if (there.isDirectory()) return `${file} is a folder; name a file in it, e.g. ${posix.join(file, example)}`;
  if (opts.preset && !isOurPreset(file)) return `${file} exists and is not a preset hd-setup wrote; give another name, or move it away first`;
  return undefined;
}

/** Why files cannot be written into the folder `dir` (made when missing), or undefined. */
export function outputDirProblem(dir: string): string | undefined {
  try {
    if (!lstatSync(dir).isDirectory()) return `${dir} exists and is not a folder; give a folder (it is made when missing)`;
  } catch {
    /* made when missing */
  }
  return undefined;
}
