#!/usr/bin/env node
// Node 22.1+ caches compiled code between runs (a no-op on Node 20). Not in Node's default place, the shared
// <tmp>/node-compile-cache: another user who made that directory first could put code in it that would run
// as whoever runs hd-setup next (root, often). Here: <tmp>/hd-setup-<uid>, used only when it is a directory
// of this user that nobody else may write (made 0700 when missing; one that is not is left as it is).
import module from 'node:module';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const uid = process.getuid?.();
if (module.enableCompileCache && uid !== undefined) {
  const dir = join(tmpdir(), `hd-setup-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    /* there already, or not possible: checked below */
  }
  try {
    const st = lstatSync(dir);
    if (st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0) module.enableCompileCache(join(dir, 'compile-cache'));
  } catch {
    /* no cache */
  }
}
await import('../dist/hd-setup.mjs');
