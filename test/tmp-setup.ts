// vitest globalSetup: the temporary dirs of one run (homes, stub states, sockets, charts) go under one dir
// of their own, removed when the run ends, so a run leaves nothing in /tmp. Workers and the CLI children
// they start inherit TMPDIR; a run that is killed leaves one hd-suite-* dir, not thousands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'hd-suite-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
