#!/usr/bin/env node
// Node 22.1+ caches compiled code between runs (a no-op on Node 20). Not in Node's default place, the shared
// <tmp>/node-compile-cache: another user who made that directory first could put code in it that would run
// as whoever runs hd-setup next (root, often). Here: <tmp>/hd-setup-<uid>, used only when it is a directory
// of this user that nobody else may write (made 0700 when missing; one that is not is left as it is).
// Not for --version, which compiles next to nothing: it loads no module before the entry's answer.
const args = process.argv.slice(2);
const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-v');
const uid = process.getuid?.();
if (!versionOnly && Number(process.versions.node.split('.')[0]) >= 22 && uid !== undefined) {
  const [{ default: module }, { lstatSync, mkdirSync }, { tmpdir }, { join }] = await Promise.all([import('node:module'), import('node:fs'), import('node:os'), import('node:path')]);
  const dir = join(tmpdir(), `hd-setup-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    /* there already, or not possible: checked below */
  }
  try {
    const st = lstatSync(dir);
    if (module.enableCompileCache && st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0) module.enableCompileCache(join(dir, 'compile-cache'));
  } catch {
    /* no cache */
  }
}
await import('../dist/hd-setup.mjs');
