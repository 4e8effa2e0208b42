// Ctrl-C while helm waits: the real CLI (the bundle in dist/) runs `install` as a child process against the
// in-memory API server, with the REAL helm and kubectl; the pod never becomes Ready (ImagePullBackOff, with a
// grace period longer than the test, so only the interrupt ends the wait). SIGINT goes to hd-setup alone, as a
// terminal's Ctrl-C does (every child runs in its own process group). What it must leave: exit 130, no helm
// or kubectl still running, no temp file with a secret, and an install every command finds, with its state and fix.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CHARTS, startBed, type Bed, seedFivetranTarget } from '../k8s-api/bed.js';
import { SECRETS, SECRET_ENV, TOKEN } from '../helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = 240_000;
const FIVETRAN = ['--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`];

/** The pids of every live descendant of `root` (from /proc), with their command lines. */
function descendants(root: number): Map<number, string> {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parent.set(Number(name), Number(fields[1]));
    } catch {
      /* gone */
    }
  }
  const out = new Map<number, string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!out.has(pid) && (ppid === root || out.has(ppid))) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        } catch {
          /* gone */
        }
        out.set(pid, cmd);
        grew = true;
      }
    }
  }
  return out;
}

/** Whether a process is still running (a zombie is not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** After the tests: a failed set-up must not leave hd-setup or its helm running. */
async function cleanUp(spawned: ReturnType<typeof spawn> | undefined, bed: Bed | undefined): Promise<void> {
  if (spawned?.pid && spawned.exitCode === null && spawned.signalCode === null) {
    for (const pid of descendants(spawned.pid).keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawned.kill('SIGKILL');
  }
  await bed?.stop();
}

describe('Ctrl-C during helm --wait (a pod that never becomes Ready)', () => {
  let bed: Bed;
  let tmp: string;
  let result: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
  let before: Map<number, string>;
  let t0 = 0;
  let tInterrupt = 0;
  let tExit = 0;
  let spawned: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    bed = await startBed({ pods: 'ImagePullBackOff' }, SECRET_ENV);
    seedFivetranTarget(bed);
    tmp = join(bed.dir, 'tmp');
    mkdirSync(tmp, { mode: 0o700 });
    // The grace period outlasts the test: the watcher never ends the wait, only the interrupt does.
    const env = { ...bed.env, TMPDIR: tmp, HD_SETUP_STUCK_GRACE_MS: '600000' };
    const child = (spawned = spawn(process.execPath, [BIN, 'install', '--yes', ...FIVETRAN], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    t0 = Date.now();
    // helm is waiting: its upgrade is under way, the Deployment's pod exists and cannot pull its image.
    await until('helm to wait for the pod', () => {
      const pods = bed.api.objects('', 'pods', 'fivetran');
      return /helm upgrade --install hd-agent/.test(stderr) && pods.length > 0 && [...descendants(child.pid!).values()].some((c) => /\bhelm upgrade\b/.test(c));
    }, 150_000);
    await new Promise((r) => setTimeout(r, 2500)); // a poll or two of helm's wait
    before = descendants(child.pid!);
    tInterrupt = Date.now();
    child.kill('SIGINT');
    const end = await Promise.race([closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`hd-setup did not exit after SIGINT:\n${stderr}`)), 30_000))]);
    tExit = Date.now();
    result = { ...end, stdout, stderr };
  }, T);
  afterAll(() => cleanUp(spawned, bed));

  it('exits 130 soon after the interrupt, long before helm\'s 5m timeout, saying it was interrupted', () => {
    expect(result.code, result.stderr).toBe(130);
    // (it ended within 30 s of the signal, or beforeAll failed) and before helm's 5m wait could have ended
    expect(tExit - t0).toBeLessThan(300_000);
    expect(tExit - tInterrupt).toBeLessThan(30_000);
    expect(result.stderr).toMatch(/interrupt|cancel/i);
    expect(result.stderr).toContain('helm was interrupted: the release hd-agent is left as helm left it (see hd-setup status); run the same install again to finish it, or remove it with hd-setup uninstall');
    // the grace period is the tool's own switch, not an option
    expect(result.stderr).not.toContain('ignoring HD_SETUP_STUCK_GRACE_MS');
  });

  it('no helm or kubectl it started is left running', async () => {
    expect([...before.values()].some((c) => /\bhelm upgrade --install hd-agent\b/.test(c)), [...before.values()].join('\n')).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const left = [...before].filter(([pid]) => running(pid));
    expect(left).toEqual([]);
  });

  it('no temp file is left, and no file but the 0600 Secret manifest holds a secret', () => {
    // Node 22+'s own compile cache (bin/hd-setup.js enables it; it holds compiled code) is not a temp file of hd-setup's
    expect(readdirSync(tmp).filter((n) => n !== `hd-setup-${process.getuid!()}`)).toEqual([]); // Node 22.1+: the compile cache
    for (const f of files(bed.home)) {
      const text = readFileSync(f, 'utf8');
      if (SECRETS.some((s) => text.includes(s))) {
        expect(f.endsWith('/token-secret.yaml'), `a secret in ${f}`).toBe(true);
        expect(statSync(f).mode & 0o777).toBe(0o600);
        expect(text).toContain(TOKEN);
      }
    }
    expect(files(bed.home).filter((f) => /\.tmp|~$|\.swp$/.test(f))).toEqual([]);
    for (const s of SECRETS) expect(result.stdout + result.stderr).not.toContain(s);
  });

  it('the install record was written when the install started', () => {
    const installs = JSON.parse(readFileSync(join(bed.home, '.config/hd-setup/installs.json'), 'utf8')) as Obj;
    expect(JSON.stringify(installs)).toContain('hd-agent');
    expect(JSON.stringify(installs)).toContain('fivetran');
  });

  it('the release is left failed or pending, and status finds it: its state and the fix (exit 1)', async () => {
    const [rel] = JSON.parse((await bed.helm('list', '-a', '-n', 'fivetran', '-o', 'json')).stdout) as Obj[];
    expect(rel?.name).toBe('hd-agent');
    expect(['failed', 'pending-install']).toContain(rel!.status);
    const st = await bed.hd(['status']);
    expect(st.code, st.stderr).toBe(1);
    expect(st.stdout).toContain(`release hd-agent is ${rel!.status} (revision 1)`);
    expect(st.stdout).toContain('hd-setup uninstall');
    for (const s of SECRETS) expect(st.stdout + st.stderr).not.toContain(s);
  }, T);

  it('uninstall removes it (the install is not orphaned)', async () => {
    const r = await bed.hd(['uninstall', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse((await bed.helm('list', '-a', '-n', 'fivetran', '-o', 'json')).stdout)).toEqual([]);
  }, T);
});

describe('Ctrl-C during the wait of an upgrade (the new pod never becomes Ready)', () => {
  let bed: Bed;
  let spawned: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
    seedFivetranTarget(bed);
  });
  afterAll(() => cleanUp(spawned, bed));

  it(
    'exits 130, stops helm, and the summary names the revision hd-setup rollback goes back to',
    async () => {
      const first = await bed.hd(['install', '--yes', ...FIVETRAN]);
      expect(first.code, first.stderr).toBe(0);
      bed.api.scenario.pods = 'ImagePullBackOff';
      const child = (spawned = spawn(process.execPath, [BIN, 'install', '--yes', ...FIVETRAN, '--set', 'proxy.https=http://proxy.corp:3128'], { env: { ...bed.env, HD_SETUP_STUCK_GRACE_MS: '600000' }, stdio: ['ignore', 'pipe', 'pipe'] }));
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.resume();
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await until('helm to wait for the new pod', () => /cannot pull image/.test(stderr) && [...descendants(child.pid!).values()].some((c) => /\bhelm upgrade\b/.test(c)), 150_000);
      const before = descendants(child.pid!);
      child.kill('SIGINT');
      const code = await Promise.race([closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`hd-setup did not exit after SIGINT:\n${stderr}`)), 30_000))]);
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('helm was interrupted: the release hd-agent is left as helm left it (see hd-setup status); run the same install again to finish the upgrade, or hd-setup rollback to go back to revision 1');
      await new Promise((r) => setTimeout(r, 200));
      expect([...before].filter(([pid]) => running(pid))).toEqual([]);
      for (const s of SECRETS) expect(stderr).not.toContain(s);
    },
    T,
  );
});
