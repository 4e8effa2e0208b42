import { lstatSync, realpathSync, statSync } from 'node:fs';
import { kindOf, readHead } from './bounded-read.js';
import { backupFile, prunedLine, writeFileAtomic } from './fsx.js';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
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

/** The top folder of a diagnostics bundle (exec/bundle.ts): its tar's first entry. */
export const BUNDLE_TOP = 'hd-setup-diagnostics';

/** Files hd-setup writes and may write over again, each known by its first bytes. */
export const OUR_FILES = {
  // a preset may hold the user's edits since: the one replaced is kept as a backup
  preset: { what: 'a preset hd-setup wrote', backup: true, is: (head: Buffer) => Object.values(PRESET_HEADERS).some((h) => head.toString('utf8').startsWith(`# ${h}`)) },
  bundle: {
    what: 'a diagnostics bundle hd-setup wrote',
    backup: false,
    // a gzip whose tar starts with the bundle's folder (the tar header's name field)
    is: (head: Buffer) => {
      try {
        return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 100).toString('latin1').startsWith(`${BUNDLE_TOP}/`);
      } catch {
        return false;
      }
    },
  },
} as const;

/** Whether `file` (not followed if a link) is a regular file that `kind` recognizes from its first 4 KiB. */
function isOurs(file: string, kind: keyof typeof OUR_FILES): boolean {
  const head = readHead(file, 4096);
  return head !== undefined && OUR_FILES[kind].is(head);
}

/**
 * Why a file cannot be written at `file` (absolute), or undefined: its folder must exist, and the name must not
 * be a folder itself. `example` is a file name to suggest inside such a folder. A file already there is written
 * over only if it is one of hd-setup's of that kind (a preset it exported or saved, a bundle it made); anything
 * else is the user's.
 */
export function outputFileProblem(file: string, example: string, kind: keyof typeof OUR_FILES): string | undefined {
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
  // a link, a FIFO, a device: said as what it is (never followed, opened or replaced)
  if (!there.isFile()) return `${file} is ${kindOf(there.mode)}, not ${OUR_FILES[kind].what}; give another name, or move it away first`;
  if (!isOurs(file, kind)) return `${file} exists and is not ${OUR_FILES[kind].what}; give another name, or move it away first`;
  return undefined;
}

/**
 * Write one of hd-setup's output files at `file`, checked again just before (a file that appeared since the
 * first check is written over only if it is hd-setup's of that kind). The same content again writes
 * nothing; a preset that differs is kept as a backup first (the user may have edited it).
 */
export function writeOutputFile(file: string, content: string | Buffer, mode: number, kind: keyof typeof OUR_FILES, example: string): { problem: string } | { unchanged: boolean; backup?: string; pruned?: string } {
  const problem = outputFileProblem(file, example, kind);
  if (problem) return { problem };
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const before = readHead(file, bytes.length + 1);
  if (before?.equals(bytes)) return { unchanged: true };
  const backup = before && OUR_FILES[kind].backup ? backupFile(file) : undefined;
  writeFileAtomic(file, bytes, mode);
  const pruned = backup && prunedLine(backup.pruned);
  return { unchanged: false, ...(backup ? { backup: backup.path } : {}), ...(pruned ? { pruned } : {}) };
}

/** The file systems the kernel makes up (processes, devices), and the folders of the system (besides /usr/local). */
const KERNEL_TREES = ['/proc', '/sys', '/dev'];
const SYSTEM_TREES = ['/bin', '/boot', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/run', '/sbin', '/usr'];

/**
 * Why `dir` is no place for hd-setup's files, where it really is (the nearest existing folder on its way
 * through links): in what the kernel makes up, the root folder, or a folder of the system. Undefined: fine.
 */
function systemPlace(dir: string): string | undefined {
  let d = dir;
  const there = (p: string) => {
    try {
      return Boolean(lstatSync(p, { throwIfNoEntry: false }));
    } catch {
      return true; // there, but not ours to look into
    }
  };
  while (!there(d) && posix.dirname(d) !== d) d = posix.dirname(d);
  let real = d;
  try {
    real = realpathSync(d);
  } catch {
    /* unreadable: as given */
  }
  const full = posix.join(real, posix.relative(d, dir));
  const inTree = (t: string) => full === t || full.startsWith(`${t}/`);
  if (inTree('/dev/shm')) return undefined; // a tmpfs of files
  const kernel = KERNEL_TREES.find(inTree);
  if (kernel) return `is in ${kernel}, which the kernel makes up, not a folder of files`;
  if (full === '/') return 'is the root folder';
  const sys = SYSTEM_TREES.find(inTree);
  return sys && !inTree('/usr/local') ? `is in ${sys}, a folder of the system` : undefined;
}

/** Why files cannot be written into the folder `dir` (made when missing), or undefined. */
export function outputDirProblem(dir: string): string | undefined {
  const place = systemPlace(dir);
  if (place) return `${dir} ${place}; give a folder of your own, e.g. --out ./rendered`;
  try {
    const st = lstatSync(dir);
    if (st.isSymbolicLink()) {
      // never written through: the link could be changed between the check and the writes
      let target = '';
      try {
        target = realpathSync(dir);
      } catch {
        /* a dangling link */
      }
      return `${dir} is a symbolic link${target ? ` (to ${target})` : ''}; hd-setup does not write through links: give the folder itself`;
    }
    if (!st.isDirectory()) return `${dir} exists and is not a folder; give a folder (it is made when missing)`;
  } catch {
    /* made when missing */
  }
  return undefined;
}
