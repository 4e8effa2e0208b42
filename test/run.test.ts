// exec/run.ts, the one place that starts processes (through execa): what its callers rely on.
import { describe, expect, it, vi } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe, run } from '../src/exec/run.js';
import { liveChildren } from '../src/util/interrupt.js';

/** Running (a killed orphan may linger as a zombie until init reaps it: that is not alive). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('run', () => {
  it('returns exit code and both streams as text, one final newline stripped, never rejecting', async () => {
    const r = await run(['sh', '-c', 'printf "a\\nb\\n\\n"; printf "err\\r\\n" >&2; exit 3']);
    expect(r).toEqual({ exitCode: 3, stdout: 'a\nb\n', stderr: 'err' });
  });

  it('passes stdin from a string (secrets never on argv), and ignores a child that does not read it', async () => {
    expect((await run(['sh', '-c', 'cat'], { stdin: 'se\ncret' })).stdout).toBe('se\ncret');
    expect(await run(['true'], { stdin: 'x'.repeat(1 << 20) })).toMatchObject({ exitCode: 0 });
  });

  it('uses exactly the env given (nothing inherited), else the process env', async () => {
    process.env.HD_RUN_TEST_VAR = 'inherited';
    try {
      expect((await run(['/bin/sh', '-c', 'echo "${HD_RUN_TEST_VAR:-none}|$ONLY"'], { env: { ONLY: 'this' } })).stdout).toBe('none|this');
      expect((await run(['sh', '-c', 'echo $HD_RUN_TEST_VAR'])).stdout).toBe('inherited');
    } finally {
      delete process.env.HD_RUN_TEST_VAR;
    }
  });

  it('streams lines to onLine as they come, and keeps the whole output', async () => {
    const lines: string[] = [];
    const r = await run(['sh', '-c', 'echo one; echo two >&2; printf three'], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one', 'stdout:three']);
    expect(r.stdout).toBe('one\nthree');
  });

  it('a missing command is not-found with exit -1; one that cannot be executed is exit -1 too, never 0', async () => {
    expect(await run(['/nonexistent/hd-setup-cmd'])).toMatchObject({ exitCode: -1, failure: 'not-found' });
    const dir = mkdtempSync(join(tmpdir(), 'hd-run-'));
    const f = join(dir, 'not-executable');
    writeFileSync(f, '#!/bin/sh\necho hi\n');
    chmodSync(f, 0o644);
    expect((await run([f])).exitCode).toBe(-1);
    expect(await probe([f])).toBeUndefined();
  });

  it('a timeout kills the whole process group (a shell and its sleep) and says timeout', async () => {
    const t0 = Date.now();
    const r = await run(['sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300 });
    expect(r.failure).toBe('timeout');
    expect(r.exitCode).toBe(-1);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const grandchild = Number(r.stdout.trim());
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('a group that ignores SIGTERM is killed 2 s later (SIGKILL): the timeout still ends it', async () => {
    const t0 = Date.now();
    const r = await run(['sh', '-c', 'trap "" TERM; sleep 30 & echo $!; wait'], { timeoutMs: 300 });
    expect(r.failure).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000); // the TERM was ignored
    expect(Date.now() - t0).toBeLessThan(10_000);
    const grandchild = Number(r.stdout.trim());
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('an abort signal cancels the child (already aborted too), and it is no longer tracked for Ctrl-C', async () => {
    const c = new AbortController();
    const p = run(['sleep', '30'], { signal: c.signal });
    await new Promise((res) => setTimeout(res, 100));
    expect(liveChildren().length).toBeGreaterThan(0);
    c.abort();
    expect(await p).toMatchObject({ failure: 'cancelled', exitCode: -1 });
    expect(liveChildren()).toEqual([]);
    const done = new AbortController();
    done.abort();
    expect((await run(['sleep', '30'], { signal: done.signal })).failure).toBe('cancelled');
  });

  it('a run that has ended signals nothing when its abort signal fires later (its pid may be another process by then)', async () => {
    const c = new AbortController();
    // one signal serves a whole run of commands (the executor's): each ended one lets go of it
    for (let i = 0; i < 3; i++) expect((await run(['true'], { signal: c.signal })).exitCode).toBe(0);
    const kill = vi.spyOn(process, 'kill');
    try {
      c.abort();
      expect(kill).not.toHaveBeenCalled();
    } finally {
      kill.mockRestore();
    }
  });

  it('a child killed by a signal of its own reads as signal', async () => {
    expect(await run(['sh', '-c', 'kill -9 $$'])).toMatchObject({ exitCode: -1, failure: 'signal' });
  });

  it('probe trims stdout of a success, undefined otherwise', async () => {
    expect(await probe(['sh', '-c', 'echo "  v1.2.3  "'])).toBe('v1.2.3');
    expect(await probe(['sh', '-c', 'echo out; exit 1'])).toBeUndefined();
  });
});
