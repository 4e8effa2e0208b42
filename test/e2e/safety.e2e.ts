// End-to-end safety rounds on real rootful docker (issue 13): ownership of a same-named container across
// two HOMEs, two installs at once (the lock), and a SIGKILL during the backup of the config followed by a
// rollback, start and status. The built CLI as root (--allow-root); test/e2e/setup.sh prepares docker.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, readState } from './state.js';

const TOKEN = Buffer.from('clever_tiger:E2eS3cretTok3nPart').toString('base64');
const CI = Boolean(process.env.CI);

const S = readState();
const ready = S.HD_E2E_DOCKER === '1' && process.getuid?.() === 0;
const IMAGE = S.HD_E2E_AGENT_IMAGE_DOCKER ?? 'hd-agent-test:latest';
const CLI = S.HD_E2E_CLI || join(ROOT, 'bin/hd-setup.js');

function newHome(name: string): string {
  const h = mkdtempSync(join(tmpdir(), `hd-e2e-safety-${name}-`));
  chmodSync(h, 0o755);
  writeFileSync(join(h, '.token'), TOKEN, { mode: 0o600 });
  return h;
}

const envOf = (home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', CI: 'true', NO_COLOR: '1', HOME: home, FIVETRAN_TOKEN: TOKEN, ...extra });
const installArgs = (home: string, ...extra: string[]) => ['install', '--preset', 'fivetran-docker', '--yes', '--allow-root', '--set', `fivetran.image=${IMAGE}`, '--set', 'fivetran.pullPolicy=never', '--set', `fivetran.token=file:${join(home, '.token')}`, ...extra];
const pointer = (home: string) => ['--preset', 'fivetran-docker', '--set', `fivetran.token=file:${join(home, '.token')}`];

function hd(home: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: envOf(home, extra), encoding: 'utf8', cwd: '/', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function hdAsync(home: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: envOf(home, extra), cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, stdout, stderr })));
  return { child, done };
}

function docker(...args: string[]): { code: number; out: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/root' } });
  return { code: r.status ?? -1, out: (r.stdout ?? '').trim() };
}
const inspect = (name: string): any => JSON.parse(docker('container', 'inspect', name).out || '[]')[0];

/** Every backup of config.json is whole: it parses and holds the token (a cut or empty one would not). */
function backupsAreWhole(conf: string): string[] {
  const backups = readdirSync(conf).filter((f) => f.startsWith('config.json.bak-'));
  for (const b of backups) {
    const text = readFileSync(join(conf, b), 'utf8');
    expect(() => JSON.parse(text), `${b} is cut: ${JSON.stringify(text.slice(0, 40))}`).not.toThrow();
    expect(JSON.parse(text).token, b).toBe(TOKEN);
  }
  return backups;
}

/** The config on disk and the running container agree: a dry-run of the install as exported plans nothing for the container. */
function configAndContainerAgree(home: string): void {
  const out = join(home, 'exported.yaml');
  const ex = hd(home, ['export-preset', '--out', out]);
  expect(ex.code, ex.stderr).toBe(0);
  const dry = hd(home, ['install', '--preset', out, '--dry-run', '--json', '--allow-root']);
  expect(dry.code, dry.stderr).toBe(0);
  const step = (JSON.parse(dry.stdout).steps as { id: string; skip?: string }[]).find((s) => s.id === 'container:controller');
  expect(step?.skip, `config.json and the running controller disagree:\n${dry.stdout}`).toBe('already running with the same configuration');
  expect(inspect('controller').State.Running).toBe(true);
}

function cleanup(): void {
  docker('rm', '-f', 'controller');
}

if (!ready) {
  const msg = 'E2E safety: rootful docker is not ready (run as root: bash test/e2e/setup.sh)';
  if (CI && process.env.HD_E2E_REQUIRED !== '0') describe('e2e safety', () => it('needs rootful docker under CI', () => expect.fail(msg)));
  else console.warn(`\n*** ${msg}; skipping ***\n`);
}

describe.runIf(ready)('e2e safety on rootful docker', () => {
  it('ownership: another HOME\'s install, and a container not made by hd-setup, are never removed or replaced', () => {
    cleanup();
    const a = newHome('own-a');
    const b = newHome('own-b');
    const ra = hd(a, installArgs(a));
    expect(ra.code, ra.stderr).toBe(0);
    const before = inspect('controller');
    expect(before.Config.Labels['hd-setup.install']).toBe(join(a, 'fivetran'));
    for (const extra of [['--dry-run'], []]) {
      const rb = hd(b, [...installArgs(b), ...extra]);
      expect(rb.code, rb.stderr).toBe(2);
      expect(rb.stderr).toContain(`container controller: belongs to the hd-setup install in ${join(a, 'fivetran')}, not to the install in ${join(b, 'fivetran')}`);
      expect(rb.stderr).toContain('docker rm -f controller');
    }
    // doctor in the other HOME, on the real daemon: a failed check with its fix (exit 1), nothing touched
    const dr = hd(b, ['doctor', ...pointer(b), '--allow-root', '--json']);
    expect(dr.code, dr.stderr).toBe(1);
    expect((JSON.parse(dr.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'container-owner')).toMatchObject({ status: 'fail', message: expect.stringContaining(`container controller belongs to the hd-setup install in ${join(a, 'fivetran')}`), fix: expect.stringContaining('docker rm -f controller') });
    const after = inspect('controller');
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(existsSync(join(b, 'fivetran/conf/config.json'))).toBe(false);
    // A's own lifecycle still works.
    expect(hd(a, ['stop', ...pointer(a)]).code).toBe(0);
    expect(hd(a, ['start', '--allow-root', ...pointer(a)]).code).toBe(0);
    expect(inspect('controller').State.Running).toBe(true);

    // A container of the same name that hd-setup did not make.
    cleanup();
    expect(docker('run', '-d', '--name', 'controller', '--label', 'made-by=someone-else', IMAGE, '-f', '/conf/none.json').code).toBe(0);
    const foreign = inspect('controller').Id;
    const rc = hd(b, installArgs(b));
    expect(rc.code, rc.stderr).toBe(2);
    expect(rc.stderr).toContain('container controller: belongs to no hd-setup install: it was not made by hd-setup (labels: ');
    expect(rc.stderr).toContain('made-by=someone-else');
    expect(rc.stderr).toContain('docker rename controller controller-old');
    expect(inspect('controller').Id).toBe(foreign);
    cleanup();
  });

  it('two installs at once, several rounds: one waits or exits 2 naming the holder\'s PID; config.json and the running container always agree', async () => {
    cleanup();
    const home = newHome('concurrent');
    expect(hd(home, installArgs(home)).code).toBe(0);
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      // Rounds 0-3: no waiting for the lock (the second exits 2 at once); 4-5: the default wait of 5 s.
      const extra = round < 4 ? { HD_SETUP_LOCK_WAIT_MS: '0' } : {};
      const p1 = hdAsync(home, installArgs(home, '--set', `proxy.https=http://proxy-a-${round}.internal:3128`), extra);
      const p2 = hdAsync(home, installArgs(home, '--set', `proxy.https=http://proxy-b-${round}.internal:3128`), extra);
      const [r1, r2] = await Promise.all([p1.done, p2.done]);
      const pids = [p1.child.pid!, p2.child.pid!];
      const rs = [r1, r2];
      outcomes.push(`${r1.code}/${r2.code}`);
      for (const [i, r] of rs.entries()) {
        expect([0, 2], r.stderr).toContain(r.code);
        if (r.code === 2) {
          expect(r.stderr).toMatch(/PID \d+/);
          expect(r.stderr).toContain(`PID ${pids[1 - i]}`);
        }
      }
      expect(rs.some((r) => r.code === 0), `${r1.stderr}\n${r2.stderr}`).toBe(true);
      // The config is the one of a run that exited 0, and the container runs exactly it.
      const https = JSON.parse(readFileSync(join(home, 'fivetran/conf/config.json'), 'utf8')).https_proxy as string;
      const winners = rs.map((r, i) => (r.code === 0 ? `http://proxy-${i === 0 ? 'a' : 'b'}-${round}.internal:3128` : undefined)).filter(Boolean);
      expect(winners).toContain(https);
      configAndContainerAgree(home);
      expect(readdirSync(join(home, '.config/hd-setup/locks'))).toEqual([]);
    }
    // With no wait, at least one round saw the other run hold the lock.
    expect(outcomes.slice(0, 4).some((o) => o.includes('2')), outcomes.join(' ')).toBe(true);
    cleanup();
  }, 600_000);

  it('a SIGKILL during the backup of the config: no cut backup, rollback skips a cut one, start and status still work', async () => {
    cleanup();
    const home = newHome('kill');
    const conf = join(home, 'fivetran/conf');
    expect(hd(home, installArgs(home, '--set', 'proxy.https=http://proxy-0.internal:3128')).code).toBe(0);
    let hits = 0;
    for (let round = 1; round <= 6; round++) {
      // Killed the moment the install creates a temp file in conf/ (the backup copy is written first; the
      // watcher's event may come a little later, while the config itself is written).
      const p = hdAsync(home, installArgs(home, '--set', `proxy.https=http://proxy-${round}.internal:3128`));
      let killed = false;
      const kill = () => {
        if (killed) return;
        killed = true;
        p.child.kill('SIGKILL');
      };
      const w = watch(conf, (_ev, name) => {
        if (String(name ?? '').startsWith('.config.json.tmp-')) {
          hits++;
          kill();
        }
      });
      const timer = setTimeout(kill, 120_000);
      const r = await p.done;
      clearTimeout(timer);
      w.close();
      expect(r.signal === 'SIGKILL' || r.code === 0, r.stderr).toBe(true);
      // Whatever the moment: every backup is whole, and config.json itself parses.
      backupsAreWhole(conf);
      expect(JSON.parse(readFileSync(join(conf, 'config.json'), 'utf8')).token).toBe(TOKEN);
    }
    expect(hits, 'the watcher never saw the backup being written').toBeGreaterThan(0);
    // The lock of a killed run is taken over (its PID is gone), and a plain re-run puts things right.
    const fix = hd(home, installArgs(home, '--set', 'proxy.https=http://proxy-final.internal:3128'));
    expect(fix.code, fix.stderr).toBe(0);
    configAndContainerAgree(home);
    // What a kill during an older hd-setup's copy left: an empty and a cut backup, newer than the good ones.
    const good = backupsAreWhole(conf).sort();
    expect(good.length).toBeGreaterThan(0);
    // (named a minute from now: newer than every backup, and no time still to come, which rollback ignores)
    const soon = new Date(Date.now() + 60_000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    writeFileSync(join(conf, `config.json.bak-${soon}`), '', { mode: 0o600 });
    writeFileSync(join(conf, `config.json.bak-${soon}-1`), `{"token": "${TOKEN.slice(0, 9)}`, { mode: 0o600 });
    const rb = hd(home, ['rollback', '--yes', '--allow-root', ...pointer(home)]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stderr).toContain(`config.json.bak-${soon}-1: it is empty, cut off or broken`);
    expect(rb.stderr).toContain(`config.json.bak-${soon}: it is empty, cut off or broken`);
    const restored = JSON.parse(readFileSync(join(conf, 'config.json'), 'utf8'));
    expect(restored.token).toBe(TOKEN);
    expect(restored.https_proxy).toMatch(/^http:\/\/proxy-.*\.internal:3128$/);
    expect(restored.https_proxy).not.toBe('http://proxy-final.internal:3128');
    configAndContainerAgree(home);
    const st = hd(home, ['status', '--json', ...pointer(home)]);
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).containers[0]).toMatchObject({ name: 'controller', running: true });
    expect(hd(home, ['stop', ...pointer(home)]).code).toBe(0);
    expect(inspect('controller').State.Running).toBe(false);
    const s = hd(home, ['start', '--allow-root', ...pointer(home)]);
    expect(s.code, s.stderr).toBe(0);
    expect(inspect('controller').State.Running).toBe(true);
    expect(hd(home, ['uninstall', '--yes', ...pointer(home)]).code).toBe(0);
    cleanup();
  }, 600_000);
});
