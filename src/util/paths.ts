import { lstatSync, statSync } from 'node:fs';
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

/**
 * Why a file cannot be written at `file` (absolute), or undefined: its folder must exist, and the name must not
 * be a folder itself. `example` is a file name to suggest inside such a folder.
 */
export function outputFileProblem(file: string, example: string): string | undefined {
  const dir = posix.dirname(file);
  let st;
  try {
    st = statSync(dir);
  } catch {
    return `the folder ${dir} does not exist; create it first, or give a path in an existing folder`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder; give a path in an existing folder`;
  try {
    if (lstatSync(file).isDirectory()) return `${file} is a folder; name a file in it, e.g. ${posix.join(file, example)}`;
  } catch {
    /* not there yet: written new */
  }
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
