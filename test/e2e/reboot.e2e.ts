// End-to-end: survive a reboot, with a real systemd. A Debian bookworm with systemd as PID 1
// (test/e2e/systemd/build.sh) is booted in a container on the host's docker; inside it an ordinary user
// with linger runs the built CLI from the checkout. The agent containers run on the host's daemon (its
// socket is bind-mounted), so the user's HOME is a host directory mounted at the same path inside.
// "Reboot" is `docker restart` of the systemd container: its user manager starts the enabled units again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, readState } from './state.js';

const CI = Boolean(process.env.CI);

const S = readState();
const IMAGE = S.HD_E2E_SYSTEMD_IMAGE ?? '';
const AGENT_IMAGE = S.HD_E2E_AGENT_IMAGE_DOCKER || 'hd-agent-test:latest';
const TCLOUD_IMAGE = S.HD_E2E_TCLOUD_IMAGE_DOCKER || 'hd-tcloud-test:latest';
const CLI = S.HD_E2E_CLI || join(ROOT, 'bin/hd-setup.js');
const ready = process.getuid?.() === 0 && S.HD_E2E_DOCKER === '1' && IMAGE !== '';

const TOKEN_SECRET = 'R3bootS3cretTok3n';
const TOKEN = Buffer.from(`clever_tiger:${TOKEN_SECRET}`).toString('base64');
const CLIENT_SECRET = 'reboot-client-secret-41cc';
const DB_PASSWORD = 'reboot-db-pass-52dd';
const SECRETS = [TOKEN, TOKEN_SECRET, CLIENT_SECRET, DB_PASSWORD];

// Distinct from the other e2e suites: the systemd container's name, the user, its uid and HOME.
const SD = `hd-e2e-reboot-${process.pid}`;
const USER = 'hdboot';
const UID = 4242;
const XDG = `/run/user/${UID}`;
const FIVETRAN_UNIT = 'hd-fivetran-agent.service';
const TOBIKO_UNIT = 'hd-tobiko-executors.service';
/** How long the agent may take to come back after the reboot starts. */
const BACK_WITHIN_MS = 60_000;

let base = '';
let HOME = '';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], timeout = 120_000): Out {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: '/root' } });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const docker = (...args: string[]) => sh('docker', args);
/** As root inside the booted system. */
const inSd = (...args: string[]) => docker('exec', SD, ...args);
/** As the test user inside the booted system, with a clean login-like environment. */
function asUser(args: string[], timeout = 120_000, extraEnv: string[] = []): Out {
  const env = [`HOME=${HOME}`, `USER=${USER}`, `LOGNAME=${USER}`, 'PATH=/usr/local/bin:/usr/bin:/bin', `XDG_RUNTIME_DIR=${XDG}`, 'CI=true', 'NO_COLOR=1', ...extraEnv];
  return sh('docker', ['exec', '-w', HOME, SD, 'runuser', '-u', USER, '--', 'env', '-i', ...env, ...args], timeout);
}
const hd = (...args: string[]) => asUser(['node', CLI, ...args], 170_000);
const userctl = (...args: string[]) => asUser(['systemctl', '--user', ...args]).stdout.trim();

function container(name: string): { running: boolean; startedAt: string; env: string[] } | undefined {
  const r = docker('container', 'inspect', name);
  if (r.code !== 0) return undefined;
  const c = JSON.parse(r.stdout)[0];
  return { running: Boolean(c.State.Running), startedAt: String(c.State.StartedAt), env: (c.Config.Env ?? []) as string[] };
}

/** Containers this test made: the marker env (Tobiko) or HOST_USER_HOME_DIR under our base (Fivetran). */
function ours(name: string): boolean {
  const c = container(name);
  return Boolean(c?.env.some((e) => e.startsWith('HD_E2E_REBOOT=') || e.startsWith('HOST_USER_HOME_DIR=/var/tmp/hd-e2e-reboot-')));
}

async function until(what: string, ms: number, ok: () => boolean): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (ok()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The system is up and the user's manager has finished starting its units. */
async function booted(): Promise<void> {
  await until('systemd is running', 60_000, () => /running|degraded/.test(inSd('systemctl', 'is-system-running').stdout));
  await until(`user@${UID}.service is active`, 30_000, () => inSd('systemctl', 'is-active', `user@${UID}.service`).stdout.trim() === 'active');
  await until('the user manager is running', 60_000, () => /running|degraded/.test(asUser(['systemctl', '--user', 'is-system-running']).stdout));
}

async function reboot(): Promise<number> {
  const t0 = Date.now();
  const r = docker('restart', '-t', '10', SD);
  expect(r.code, r.stderr).toBe(0);
  await booted();
  return Date.now() - t0;
}

function noSecrets(text: string): void {
  for (const s of SECRETS) expect(text.includes(s), 'a secret in the output').toBe(false);
}

const wanted = ready || (CI && process.env.HD_E2E_REQUIRED !== '0');
describe.runIf(wanted)('survives a reboot: real systemd, lingering user, docker', () => {
  if (!ready) {
    it('the systemd image and rootful docker are ready', () => expect.fail(`needs root, rootful docker and HD_E2E_SYSTEMD_IMAGE (${IMAGE || 'not built'}): run test/e2e/setup.sh`));
    return;
  }
  const names = ['controller', 'tcloud-apply-executor', 'tcloud-run-executor'];

  beforeAll(async () => {
    // The agent's container names are fixed (as upstream's); another suite on this daemon must be done first.
    for (const n of names) if (container(n) && ours(n)) docker('rm', '-f', n);
    await until(`the host daemon is free of ${names.join(', ')} (another e2e run holds them)`, 90_000, () => names.every((n) => !container(n)));
    base = mkdtempSync('/var/tmp/hd-e2e-reboot-');
    chmodSync(base, 0o755);
    HOME = join(base, 'home');
    mkdirSync(HOME, { mode: 0o700 });
    chownSync(HOME, UID, UID);
    const cliRoot = dirname(dirname(CLI));
    const sockGid = statSync('/var/run/docker.sock').gid;
    const run = docker(
      'run', '-d', '--name', SD, '--hostname', 'hd-reboot', '--label', 'hd-e2e=reboot',
      // systemd halts on SIGRTMIN+3 (SIGTERM would make docker wait, then kill it): a clean shutdown.
      '--stop-signal', 'SIGRTMIN+3',
      '--tmpfs', '/run', '--tmpfs', '/run/lock', '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      '-v', '/var/run/docker.sock:/run/docker.sock',
      '-v', `${HOME}:${HOME}`,
      '-v', `${cliRoot}:${cliRoot}:ro`,
      '-v', `${process.execPath}:/usr/local/bin/node:ro`,
      IMAGE, '/sbin/init',
    );
    expect(run.code, run.stderr).toBe(0);
    await until('systemd is running', 60_000, () => /running|degraded/.test(inSd('systemctl', 'is-system-running').stdout));
    // An ordinary user who may use the host's docker socket (its group, by number), with linger.
    const mk = inSd('sh', '-c', `groupadd -g ${sockGid} hostdocker 2>/dev/null || true; groupadd -g ${UID} ${USER} && useradd -M -d ${HOME} -u ${UID} -g ${UID} -G ${sockGid} -s /bin/sh ${USER} && loginctl enable-linger ${USER}`);
    expect(mk.code, mk.stderr).toBe(0);
    await booted();
    for (const [f, v] of [['.token', TOKEN], ['.client', CLIENT_SECRET], ['.db', DB_PASSWORD]] as const) {
      const w = spawnSync('docker', ['exec', '-i', SD, 'runuser', '-u', USER, '--', 'sh', '-c', `umask 077; cat > ${HOME}/${f}`], { input: v });
      expect(w.status).toBe(0);
    }
  }, 150_000);

  afterAll(() => {
    if (!base) return;
    docker('rm', '-f', SD);
    for (const n of names) if (container(n) && ours(n)) docker('rm', '-f', n);
    if (docker('network', 'inspect', 'fivetran_ldp', '--format', '{{len .Containers}}').stdout.trim() === '0') docker('network', 'rm', 'fivetran_ldp');
    rmSync(base, { recursive: true, force: true });
  }, 60_000);

  const ftSet = () => ['--preset', 'fivetran-docker', '--set', `fivetran.image=${AGENT_IMAGE}`, '--set', 'fivetran.pullPolicy=never', '--set', `fivetran.token=file:${HOME}/.token`];

  it('fivetran-docker: install enables the unit under the real user manager; the summary, status and doctor say it starts at boot', () => {
    const r = hd('install', '--yes', ...ftSet());
    expect(r.code, r.stderr).toBe(0);
    noSecrets(r.stdout + r.stderr);
    expect(r.stderr).toContain('$ systemctl --user daemon-reload');
    expect(r.stderr).toContain(`$ systemctl --user enable ${FIVETRAN_UNIT}`);
    expect(r.stderr).toContain(`Start on boot: ${FIVETRAN_UNIT} is enabled and linger is on for ${USER}`);
    expect(r.stderr).not.toMatch(/skipped: .*start at boot/);
    expect(existsSync(join(HOME, '.config/systemd/user', FIVETRAN_UNIT))).toBe(true);
    expect(userctl('is-enabled', FIVETRAN_UNIT)).toBe('enabled');
    expect(container('controller')?.running).toBe(true);

    const st = hd('status', '--json', ...ftSet());
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).bootState).toMatchObject({ systemdUser: true, enabled: 'enabled', linger: 'yes' });
    const doc = hd('doctor', '--json', ...ftSet());
    const boot = (JSON.parse(doc.stdout).checks as { id: string; status: string; message: string }[]).find((c) => c.id === 'boot');
    expect(boot).toMatchObject({ status: 'ok' });
    expect(boot?.message).toContain('starts at boot');

    // the same install again: the enabled unit is left as it is, under the real user manager too
    const again = hd('install', '--yes', ...ftSet());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('$ systemctl --user daemon-reload');
    expect(again.stderr).not.toContain('$ systemctl --user enable');
    expect(again.stderr).toContain(`skipped: ${FIVETRAN_UNIT} already starts at boot (enabled, linger on for ${USER})`);
    expect(again.stderr).toContain('Changed: nothing');
    expect(userctl('is-enabled', FIVETRAN_UNIT)).toBe('enabled');
  });

  it('fivetran-docker: after a reboot the unit starts the stopped agent again (its journal shows it)', async () => {
    expect(docker('stop', '-t', '1', 'controller').code).toBe(0);
    const before = container('controller')!.startedAt;
    const t0 = Date.now();
    docker('restart', '-t', '10', SD);
    const back = await until('controller runs again', BACK_WITHIN_MS, () => Boolean(container('controller')?.running));
    console.log(`fivetran: controller back ${((Date.now() - t0) / 1000).toFixed(1)}s after the reboot began (${back} ms of polling)`);
    expect(container('controller')!.startedAt).not.toBe(before);
    await booted();
    expect(userctl('is-active', FIVETRAN_UNIT)).toBe('active');
    // The journal is volatile (/run is a tmpfs): these lines are from this boot.
    const journal = asUser(['journalctl', '--user', '-u', FIVETRAN_UNIT, '--no-pager', '-o', 'cat']).stdout;
    expect(journal).toMatch(/Starting hd-fivetran-agent\.service/);
    expect(journal).toMatch(/^controller$/m);
    expect(journal).toMatch(/Finished hd-fivetran-agent\.service/);
  });

  it('fivetran-docker: stop disables the unit and holds across a reboot; start enables it again', async () => {
    const s = hd('stop', ...ftSet());
    expect(s.code, s.stderr).toBe(0);
    expect(userctl('is-enabled', FIVETRAN_UNIT)).toBe('disabled');
    expect(container('controller')?.running).toBe(false);
    await reboot();
    expect(userctl('is-active', FIVETRAN_UNIT)).toBe('inactive');
    expect(container('controller')?.running).toBe(false);
    const st = hd('status', '--json', ...ftSet());
    expect(JSON.parse(st.stdout).bootState).toMatchObject({ enabled: 'disabled', active: 'inactive', linger: 'yes' });
    const go = hd('start', ...ftSet());
    expect(go.code, go.stderr).toBe(0);
    expect(userctl('is-enabled', FIVETRAN_UNIT)).toBe('enabled');
    expect(container('controller')?.running).toBe(true);
  });

  it('fivetran-docker: uninstall disables and removes the unit', () => {
    const u = hd('uninstall', '--yes', ...ftSet());
    expect(u.code, u.stderr).toBe(0);
    expect(existsSync(join(HOME, '.config/systemd/user', FIVETRAN_UNIT))).toBe(false);
    expect(existsSync(join(HOME, '.config/systemd/user/default.target.wants', FIVETRAN_UNIT))).toBe(false);
    expect(userctl('is-enabled', FIVETRAN_UNIT)).not.toBe('enabled');
    expect(container('controller')).toBeUndefined();
  });

  it("fivetran-docker: a unit file the user replaced with a link to their own copy: stop and uninstall leave the link and the file (systemctl disable deleted the link), start refuses to write through it", () => {
    const r = hd('install', '--yes', ...ftSet());
    expect(r.code, r.stderr).toBe(0);
    expect(userctl('is-enabled', FIVETRAN_UNIT)).toBe('enabled');
    const unit = join(HOME, '.config/systemd/user', FIVETRAN_UNIT);
    const mine = join(HOME, 'my-units', FIVETRAN_UNIT);
    // (the same text as hd-setup's: a start finds nothing to rewrite)
    const mv = asUser(['sh', '-c', `mkdir -p ${HOME}/my-units && cp ${unit} ${mine} && ln -sf ${mine} ${unit} && systemctl --user daemon-reload`]);
    expect(mv.code, mv.stderr).toBe(0);
    const linked = () => asUser(['readlink', unit]).stdout.trim();
    expect(linked()).toBe(mine);
    const stop = hd('stop', ...ftSet());
    expect(stop.code, stop.stderr).toBe(0);
    expect(linked()).toBe(mine);
    expect(userctl('is-enabled', FIVETRAN_UNIT)).not.toBe('enabled');
    expect(container('controller')?.running).toBe(false);
    // start would write the unit: never through a link (exit 2, naming the fix), nothing changed
    const start = hd('start', ...ftSet());
    expect([start.code, start.stderr]).toEqual([2, `error: ${unit}: is a symbolic link, not a file hd-setup wrote (it reads and writes its own files only, never through a link); move it away: hd-setup writes a regular file there\n`]);
    expect(linked()).toBe(mine);
    expect(container('controller')?.running).toBe(false);
    const un = hd('uninstall', '--yes', ...ftSet());
    expect(un.code, un.stderr).toBe(0);
    expect(un.stderr).toContain(`Disable the systemd user unit (${unit} is a link to ${mine}, not made by hd-setup: left there)`);
    expect(linked()).toBe(mine);
    expect(asUser(['grep', '-c', 'ExecStart', mine]).stdout.trim()).not.toBe('0');
    expect(userctl('is-enabled', FIVETRAN_UNIT)).not.toBe('enabled');
    expect(container('controller')).toBeUndefined();
    // the user's own: removed by them, as it is theirs
    expect(asUser(['sh', '-c', `rm ${unit} && systemctl --user daemon-reload`]).code).toBe(0);
  });

  const tobiko = () => [
    '--preset', 'tobiko-docker',
    '--set', `tobiko.docker.image=${TCLOUD_IMAGE}`, '--set', 'tobiko.docker.pullPolicy=never',
    '--set', `tobiko.clientSecret=file:${HOME}/.client`, '--set', `tobiko.gateways.warehouse.password=file:${HOME}/.db`,
    '--set', `tobiko.docker.extraEnv=[{name: HD_E2E_REBOOT, value: ${SD}}]`,
  ];
  const executors = ['tcloud-apply-executor', 'tcloud-run-executor'];

  it('tobiko-docker: install writes and enables a unit for both executors', () => {
    const r = hd('install', '--yes', ...tobiko());
    expect(r.code, r.stderr).toBe(0);
    noSecrets(r.stdout + r.stderr);
    expect(r.stderr).toContain(`Start on boot: ${TOBIKO_UNIT} is enabled and linger is on for ${USER}`);
    const unit = readFileSync(join(HOME, '.config/systemd/user', TOBIKO_UNIT), 'utf8');
    expect(unit).toContain('ExecStart=/usr/local/bin/docker start tcloud-apply-executor tcloud-run-executor');
    expect(userctl('is-enabled', TOBIKO_UNIT)).toBe('enabled');
    for (const n of executors) expect(container(n)?.running).toBe(true);
  });

  it('tobiko-docker: after a reboot the unit starts both stopped executors again', async () => {
    expect(docker('stop', '-t', '1', ...executors).code).toBe(0);
    const t0 = Date.now();
    docker('restart', '-t', '10', SD);
    await until('both executors run again', BACK_WITHIN_MS, () => executors.every((n) => container(n)?.running));
    console.log(`tobiko: executors back ${((Date.now() - t0) / 1000).toFixed(1)}s after the reboot began`);
    await booted();
    const journal = asUser(['journalctl', '--user', '-u', TOBIKO_UNIT, '--no-pager', '-o', 'cat']).stdout;
    expect(journal).toMatch(/Finished hd-tobiko-executors\.service/);
    expect(journal).toMatch(/^tcloud-run-executor$/m);
  });

  it('tobiko-docker: stop holds across a reboot, start re-enables, uninstall removes the unit', async () => {
    expect(hd('stop', ...tobiko()).code).toBe(0);
    expect(userctl('is-enabled', TOBIKO_UNIT)).toBe('disabled');
    await reboot();
    for (const n of executors) expect(container(n)?.running).toBe(false);
    const go = hd('start', ...tobiko());
    expect(go.code, go.stderr).toBe(0);
    expect(userctl('is-enabled', TOBIKO_UNIT)).toBe('enabled');
    for (const n of executors) expect(container(n)?.running).toBe(true);
    const u = hd('uninstall', '--yes', ...tobiko());
    expect(u.code, u.stderr).toBe(0);
    expect(existsSync(join(HOME, '.config/systemd/user', TOBIKO_UNIT))).toBe(false);
    expect(userctl('is-enabled', TOBIKO_UNIT)).not.toBe('enabled');
    for (const n of executors) expect(container(n)).toBeUndefined();
  });

  it('docker through DOCKER_HOST (the CLI\'s own default leads nowhere): the unit carries it, and after a reboot it starts the agent on that daemon', async () => {
    // The user's docker CLI defaults to a context with no daemon behind it, as for a user whose daemon is
    // reached only through DOCKER_HOST (a rootless docker, a socket elsewhere); hd-setup runs with it set.
    const ctx = asUser(['sh', '-c', 'docker context create hd-nowhere --docker host=unix:///nonexistent/docker.sock >/dev/null && docker context use hd-nowhere']);
    expect(ctx.code, ctx.stderr).toBe(0);
    const viaHost = ['DOCKER_HOST=unix:///run/docker.sock'];
    const hdHost = (...args: string[]) => asUser(['node', CLI, ...args], 170_000, viaHost);
    try {
      expect(asUser(['docker', 'ps']).code, 'the CLI alone reaches no daemon').not.toBe(0);
      const r = hdHost('install', '--yes', ...ftSet());
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(HOME, '.config/systemd/user', FIVETRAN_UNIT), 'utf8')).toContain('\nEnvironment=DOCKER_HOST=unix:///run/docker.sock\n');
      expect(userctl('is-enabled', FIVETRAN_UNIT)).toBe('enabled');
      expect(docker('stop', '-t', '1', 'controller').code).toBe(0);
      const before = container('controller')!.startedAt;
      await reboot();
      await until('controller runs again after the reboot', BACK_WITHIN_MS, () => Boolean(container('controller')?.running));
      expect(container('controller')!.startedAt).not.toBe(before);
      expect(userctl('is-active', FIVETRAN_UNIT)).toBe('active');
    } finally {
      const u = hdHost('uninstall', '--yes', ...ftSet());
      expect(u.code, u.stderr).toBe(0);
      asUser(['sh', '-c', 'docker context use default >/dev/null; docker context rm -f hd-nowhere >/dev/null']);
    }
  });
});

// Podman's boot unit. Debian's podman here is 4.3.1, below Quadlet's 4.4, so podman gets the service unit
// that starts the named containers; it is checked with systemd-analyze (system mode: --user needs a user
// manager). The Quadlet form (podman >= 4.4) cannot be verified here: 4.3.1 ships no quadlet generator.
const podmanVersion = /(\d+\.\d+\.\d+)/.exec(sh('podman', ['--version']).stdout)?.[1];
describe.runIf(process.getuid?.() === 0 && (S.HD_E2E_PODMAN === '1' || CI))('the boot unit podman gets', () => {
  it('is the service unit (podman < 4.4 here) for both products, and systemd-analyze verifies it', () => {
    expect(podmanVersion, 'podman --version').toBeDefined();
    const out = mkdtempSync('/var/tmp/hd-e2e-units-');
    try {
      const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: out, CI: 'true', NO_COLOR: '1', FIVETRAN_TOKEN: TOKEN, TCLOUD_CLIENT_SECRET: CLIENT_SECRET, WAREHOUSE_PASSWORD: DB_PASSWORD };
      for (const [preset, unit, sets] of [
        ['fivetran-podman', FIVETRAN_UNIT, []],
        ['tobiko-docker', TOBIKO_UNIT, ['--set', 'runtime=podman']],
      ] as const) {
        const r = spawnSync(process.execPath, [CLI, 'render', '--preset', preset, ...sets, '--out', join(out, preset)], { encoding: 'utf8', env });
        expect(r.status, r.stderr).toBe(0);
        const file = join(out, preset, 'systemd', unit);
        const text = readFileSync(file, 'utf8');
        expect(text).toMatch(/^ExecStart=\/usr\/bin\/podman start /m);
        expect(text).toContain('After=network-online.target podman.socket');
        const v = sh('systemd-analyze', ['verify', file]);
        expect(v.code, v.stderr).toBe(0);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
