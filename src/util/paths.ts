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
