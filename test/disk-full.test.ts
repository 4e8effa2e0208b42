// A HOME on a full disk: the write that fails (the lock's PID, a file's text) names no path in Node's error
// (`ENOSPC: no space left on device, write`), so the run ended as a bug report (exit 1, "set HD_SETUP_DEBUG=1")
// and left its half-written `<lock>.<pid>.new` in ~/.config/hd-setup/locks at every try.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportedError } from './helpers.js';

const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...a: Parameters<typeof real.writeSync>) => {
    if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return (real.writeSync as (...b: unknown[]) => number)(...a);
  }) as typeof real.writeSync;
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const homes: string[] = [];
afterEach(() => {
  disk.full = false;
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

describe('a full disk under HOME', () => {
  it('taking the lock: one line naming the lock and the fix (exit 2), and no .new file left behind', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hd-full-'));
    homes.push(home);
    const { acquireLock, lockPath } = await import('../src/exec/lock.js');
    disk.full = true;
    const e = await acquireLock('fivetran:containers', home, 0).then(() => undefined, (x: unknown) => x);
    disk.full = false;
    const lock = lockPath(home, 'fivetran:containers');
    expect(await reportedError(e)).toEqual({ exit: 2, err: `error: cannot use ${lock}: no space is left on the device (ENOSPC); free some space on the file system that holds ${join(home, '.config/hd-setup/locks')}\n` });
    expect(readdirSync(join(home, '.config/hd-setup/locks'))).toEqual([]);
  });

  it('writing a file (config.json, installs.json): names the file, exit 2, no temp file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-full-'));
    homes.push(dir);
    const { writeFileAtomic } = await import('../src/util/fsx.js');
    disk.full = true;
    let e: unknown;
    try {
      writeFileAtomic(join(dir, 'config.json'), '{}\n', 0o600);
    } catch (x) {
      e = x;
    }
    disk.full = false;
    expect(await reportedError(e)).toEqual({ exit: 2, err: `error: cannot use ${join(dir, 'config.json')}: no space is left on the device (ENOSPC); free some space on the file system that holds ${dir}\n` });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('in a run (the config written by an install): the summary names the file and the fix, exit 2 (it was "ENOSPC: no space left on device, write", exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-full-'));
    homes.push(dir);
    const [{ execute }, { exitCodeOf }, { Redactor }] = await Promise.all([import('../src/exec/execute.js'), import('../src/service/install.js'), import('../src/util/redact.js')]);
    const file = join(dir, 'conf/config.json');
    const plan = { product: 'fivetran', runtime: 'docker' as const, files: [], nextSteps: [], steps: [{ id: 'files', title: 'Write configuration files', actions: [{ kind: 'write' as const, path: file, mode: 0o600, content: '{}\n', secret: true, backup: false }], fix: 'check that the install directory is writable by this user (ls -ld)' }] };
    disk.full = true;
    const summary = await execute(plan, { emit: () => {}, redactor: new Redactor([]), signal: new AbortController().signal, checks: {}, checkContext: {} as never /* (no install dir: nothing recorded there) */, skipChecks: [] });
    disk.full = false;
    expect([summary.error, summary.fix, exitCodeOf(summary)]).toEqual([`cannot use ${file}: no space is left on the device (ENOSPC); free some space on the file system that holds ${join(dir, 'conf')}`, undefined, 2]);
  });
});
