import { posix } from 'node:path';

/** ~ and ~/x relative to home; anything else unchanged. */
export function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? posix.join(home, p.slice(2)) : p;
}
