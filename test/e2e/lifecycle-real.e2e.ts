// Real rootful docker and podman: what the stub-runtime tests (test/lossless.test.ts) show, on the real
// runtimes. One install dir runs on one runtime (a second runtime, or a moved dir, is refused before
// anything is created, naming the uninstall that comes first; that uninstall works, then the install does);
// restart is one run with one summary; doctor still runs a check skipped at the install and calls its
// failure accepted; uninstall takes the unit's .bak- copies with it.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupFile } from '../../src/util/fsx.js';
import { ROOT, readState } from './state.js';

const TOKEN = Buffer.from('clever_tiger:E2eS3cretTok3nPart').toString('base64');
const S = readState();
const root = process.getuid?.() === 0;
const CLI = S.HD_E2E_CLI || join(ROOT, 'bin/hd-setup.js');
// the test image, by the name each runtime's own storage holds (podman also resolves the short name)
const IMAGE = ['--set', 'fivetran.image=hd-agent-test:latest', '--set', 'fivetran.pullPolicy=never'];
// podman here is 4.3.1, older than the vendor's 4.5.0: that check is skipped (and remembered)
const ON_DOCKER = ['install', '--preset', 'fivetran-docker', '--yes', '--allow-root', ...IMAGE];
const ON_PODMAN = ['install', '--preset', 'fivetran-podman', '--yes', '--allow-root', '--skip-check', 'runtime-version', ...IMAGE];

function hd(home: string, args: string[]) {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', CI: 'true', NO_COLOR: '1', HOME: home, FIVETRAN_TOKEN: TOKEN };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', cwd: '/', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const rt = (bin: string, ...args: string[]) => spawnSync(bin, args, { encoding: 'utf8' }).stdout.trim();
/** The controller container's id and state, or '' when there is none. */
const controller = (bin: string) => rt(bin, 'container', 'inspect', 'controller', '--format', '{{.Id}} {{.State.Status}}');
const lines = (s: string) => s.trim().split('\n');

const homes: string[] = [];
function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'hd-e2e-life-'));
  chmodSync(home, 0o755);
  homes.push(home);
  return home;
}
function clean(): void {
  for (const bin of ['docker', 'podman']) {
    spawnSync(bin, ['rm', '-f', 'controller'], { encoding: 'utf8' });
    spawnSync(bin, ['network', 'rm', 'fivetran_ldp'], { encoding: 'utf8' });
  }
}

describe.runIf(root && S.HD_E2E_DOCKER === '1' && S.HD_E2E_PODMAN === '1')('real docker and podman: one install dir, one runtime', () => {
  afterEach(() => {
    for (const home of homes.splice(0)) {
      hd(home, ['uninstall', '--yes', '--allow-root', '--set', 'product=fivetran', '--set', 'runtime=docker']);
      hd(home, ['uninstall', '--yes', '--allow-root', '--set', 'product=fivetran', '--set', 'runtime=podman']);
      rmSync(home, { recursive: true, force: true });
    }
    clean();
  });

  it('installed on docker, the same dir on podman is refused before anything is created; the uninstall it names works, then the podman install does', () => {
    clean();
    const home = freshHome();
    const first = hd(home, ON_DOCKER);
    expect(first.code, first.stderr).toBe(0);
    const onDocker = controller('docker');
    expect(onDocker).toMatch(/ running$/);

    const refused = hd(home, ON_PODMAN);
    expect(refused.code, refused.stderr).toBe(2);
    // one line, the error, and nothing before it (no plan, no "installing" banner)
    expect(lines(refused.stderr)).toEqual([
      `error: runtime: the Fivetran Hybrid Deployment Agent in ${home}/fivetran is installed on docker; installing it on podman as well would leave the docker containers running beside the new ones. Remove it first: hd-setup uninstall --set product=fivetran --set runtime=docker (its config is kept), then install again; or keep runtime=docker`,
    ]);
    expect(refused.stderr).not.toContain('Found an existing install');
    // nothing on podman; the docker agent runs on, the same container
    expect(controller('podman')).toBe('');
    expect(rt('podman', 'network', 'ls', '--format', '{{.Name}}').split('\n')).not.toContain('fivetran_ldp');
    expect(controller('docker')).toBe(onDocker);

    const un = hd(home, ['uninstall', '--yes', '--allow-root', '--set', 'product=fivetran', '--set', 'runtime=docker']);
    expect(un.code, un.stderr).toBe(0);
    expect(controller('docker')).toBe('');
    const again = hd(home, ON_PODMAN);
    expect(again.code, again.stderr).toBe(0);
    expect(controller('podman')).toMatch(/ running$/);
  }, 600_000);

  it('a config kept on docker, taken up by podman: its --sets and container settings are held; the keep command runs the real podman container with them, and a second run changes nothing', () => {
    clean();
    const home = freshHome();
    const first = hd(home, [...ON_DOCKER, '--set', 'fivetran.restartPolicy=always', '--set', 'fivetran.memory=3g']);
    expect(first.code, first.stderr).toBe(0);
    expect(hd(home, ['uninstall', '--yes', '--allow-root']).code).toBe(0);
    const bare = hd(home, ON_PODMAN);
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain(`would reset 1 setting the config an uninstall kept has (${home}/fivetran): fivetran.memory=3g\n`);
    expect(bare.stderr).toContain('fivetran.restartPolicy=always (the preset says on-failure:3)');
    expect(controller('podman')).toBe('');
    const keep = [...ON_PODMAN, '--set', 'fivetran.memory=3g', '--set', 'fivetran.restartPolicy=always'];
    expect(bare.stderr).toContain(`to keep them: hd-setup ${keep.slice(0, -4).join(' ')} --set fivetran.memory=3g --set fivetran.restartPolicy=always\n`);
    const kept = hd(home, keep);
    expect(kept.code, kept.stderr).toBe(0);
    expect(controller('podman')).toMatch(/ running$/);
    expect(rt('podman', 'container', 'inspect', 'controller', '--format', '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.Memory}}')).toBe(`always ${3 * 1024 ** 3}`);
    // one install now, not the podman one beside the docker config it took up: hints need no --set
    expect(kept.stderr).toContain('Status:  hd-setup status   (or: podman ps');
    const again = hd(home, keep);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
  }, 600_000);

  it('an install and a kept config: stop and start act on the install, on the real daemon; an install made before the "%" check still stops and starts', () => {
    clean();
    const home = freshHome();
    expect(hd(home, ON_DOCKER).code).toBe(0);
    expect(hd(home, ['uninstall', '--yes', '--allow-root']).code).toBe(0);
    const second = hd(home, [...ON_DOCKER, '--set', 'fivetran.installDir=~/ft2']);
    expect(second.code, second.stderr).toBe(0);
    const running = controller('docker');
    expect(running).toMatch(/ running$/);
    // no pointer: the install that is there (they exited 2, "2 installs found")
    const stop = hd(home, ['stop', '--allow-root']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toContain(`${home}/ft2`);
    expect(rt('docker', 'container', 'inspect', 'controller', '--format', '{{.State.Status}}')).toBe('exited');
    // its config edited as an hd-setup before the "%" check would have written it: start still reads it
    const conf = join(home, 'ft2/conf/config.json');
    writeFileSync(conf, JSON.stringify({ ...JSON.parse(readFileSync(conf, 'utf8')), https_proxy: 'http://bob:50%off@proxy.internal:3128' }), { mode: 0o600 });
    const start = hd(home, ['start', '--allow-root']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).not.toContain('50%off');
    expect(controller('docker')).toMatch(/ running$/);
    // an install run names the rule
    const again = hd(home, [...ON_DOCKER, '--set', 'fivetran.installDir=~/ft2']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('"%" in the user and password only as a %XX escape');
  }, 600_000);

  it('moving it to another dir on the same runtime is refused with the way to do it; the running container is left alone', () => {
    clean();
    const home = freshHome();
    expect(hd(home, ON_DOCKER).code).toBe(0);
    const before = controller('docker');
    const moved = [...ON_DOCKER, '--set', 'fivetran.installDir=~/small/fivetran'];
    const r = hd(home, moved);
    expect(r.code, r.stderr).toBe(2);
    const cmd = `hd-setup uninstall --set product=fivetran --set runtime=docker --set fivetran.installDir=${home}/fivetran`;
    expect(lines(r.stderr)).toEqual([
      `error: fivetran.installDir: the Fivetran Hybrid Deployment Agent is installed on docker in ${home}/fivetran, and one docker runs one (its containers have fixed names). To move it to ${home}/small/fivetran: ${cmd} (its config is kept), then install again; or keep fivetran.installDir=${home}/fivetran`,
    ]);
    // nothing new on docker: no second agent, no container made for the new dir
    expect(rt('docker', 'ps', '-a', '--filter', `label=hd-setup.install=${home}/small/fivetran`, '--format', '{{.Names}}')).toBe('');
    expect(controller('docker')).toBe(before);
    // the command it names, then the install in the new dir
    const un = hd(home, [...cmd.split(' ').slice(1), '--yes', '--allow-root']);
    expect(un.code, un.stderr).toBe(0);
    const there = hd(home, moved);
    expect(there.code, there.stderr).toBe(0);
    expect(rt('docker', 'container', 'inspect', 'controller', '--format', '{{index .Config.Labels "hd-setup.install"}}')).toBe(`${home}/small/fivetran`);
    hd(home, ['uninstall', '--yes', '--allow-root', '--set', 'fivetran.installDir=~/small/fivetran', '--set', 'product=fivetran', '--set', 'runtime=docker']);
  }, 600_000);

  it('podman: restart is one run with one summary; doctor runs the check skipped at the install and calls it accepted; uninstall takes the unit\'s backups', () => {
    clean();
    const home = freshHome();
    expect(hd(home, ON_PODMAN).code).toBe(0);
    const restart = hd(home, ['restart']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stderr.match(/^hd-setup: .*$/gm)).toEqual(['hd-setup: restarting Fivetran agent on podman']);
    expect(restart.stderr).toMatch(/^\[1\/(\d+)\] Preflight checks \.\.\.$/m);
    const total = /^\[1\/(\d+)\]/m.exec(restart.stderr)![1];
    expect(restart.stderr).toMatch(new RegExp(`^\\[2\\/${total}\\] Stop controller \\.\\.\\.$`, 'm'));
    expect(restart.stderr).toMatch(new RegExp(`^\\[${total}\\/${total}\\] `, 'm'));
    expect(restart.stderr.match(/^✔ .*: done\.$/gm)).toEqual(['✔ Fivetran agent on podman: done.']);
    expect(restart.stderr).toMatch(/Changed:\n {4}- Stop controller\n {4}- Start container controller\n/);
    expect(controller('podman')).toMatch(/ running$/);

    const doctor = hd(home, ['doctor', '--json']);
    const version = JSON.parse(doctor.stdout).checks.find((c: { id: string }) => c.id === 'runtime-version');
    expect(version.status).toBe('warn');
    expect(version.message).toMatch(/^podman 4\.\d+\.\d+ is older than the required 4\.5\.0 \(accepted: skipped when it was installed\)$/);

    const units = join(home, '.config/systemd/user');
    const backup = backupFile(join(units, 'hd-fivetran-agent.service'))?.path;
    expect(backup).toMatch(/hd-fivetran-agent\.service\.bak-/);
    writeFileSync(join(units, 'mine.service'), '[Unit]\n');
    const un = hd(home, ['uninstall', '--yes']);
    expect(un.code, un.stderr).toBe(0);
    expect(readdirSync(units)).toEqual(['mine.service']);
    expect(controller('podman')).toBe('');
  }, 600_000);

  it('kept config: after an uninstall, the script status suggests (export-preset, then install from it) runs as printed, with no token in the environment, and brings the agent back as it was; run again it changes nothing', () => {
    clean();
    const home = freshHome();
    const first = hd(home, [...ON_DOCKER, '--set', 'fivetran.memory=3g']);
    expect(first.code, first.stderr).toBe(0);
    const config = readFileSync(join(home, 'fivetran/conf/config.json'), 'utf8');
    expect(hd(home, ['uninstall', '--yes', '--allow-root']).code).toBe(0);
    expect(controller('docker')).toBe('');
    const st = hd(home, ['status']);
    const script = /in a script: (hd-setup export-preset [^)]*)\)/.exec(st.stdout)?.[1];
    expect(script, st.stdout).toBe('hd-setup export-preset --out kept.yaml && hd-setup install --preset kept.yaml --allow-root --yes');
    // as a user would paste it: hd-setup on PATH, in a fresh directory, FIVETRAN_TOKEN unset
    const bin = mkdtempSync(join(tmpdir(), 'hd-e2e-bin-'));
    homes.push(bin);
    writeFileSync(join(bin, 'hd-setup'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
    const cwd = mkdtempSync(join(tmpdir(), 'hd-e2e-kept-'));
    homes.push(cwd);
    const env = { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, CI: 'true', NO_COLOR: '1', HOME: home };
    const paste = () => spawnSync('bash', ['-c', script!], { env, cwd, encoding: 'utf8', timeout: 180_000 });
    const back = paste();
    expect(back.status, back.stderr).toBe(0);
    expect(back.stderr).toContain('Keeping the stored secret: fivetran.token');
    expect(back.stderr).toMatch(/^\[\d+\/\d+\] Pull image \S+ \.\.\. skipped: present locally; pull policy never$/m);
    const running = controller('docker');
    expect(running).toMatch(/ running$/);
    expect(rt('docker', 'container', 'inspect', 'controller', '--format', '{{.HostConfig.Memory}}')).toBe(String(3 * 1024 ** 3));
    expect(readFileSync(join(home, 'fivetran/conf/config.json'), 'utf8')).toBe(config);
    const again = paste();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
    expect(controller('docker')).toBe(running);
  }, 600_000);

  it('on the real daemons: a start finishes an install whose pull failed (restarts then keep the container); a re-run and a stopped agent\'s re-run pull nothing; a second stop changes nothing; HOME with a trailing slash is the same home', () => {
    // the test image under a name whose registry nobody answers at: present locally, any pull of it fails
    const PULLS_FAIL = '127.0.0.1:9/hd-agent-test:latest';
    for (const [bin, preset, extra, local] of [
      ['docker', 'fivetran-docker', [], 'hd-agent-test:latest'],
      ['podman', 'fivetran-podman', ['--skip-check', 'runtime-version'], 'localhost/hd-agent-test:latest'],
    ] as const) {
      clean();
      const home = freshHome();
      spawnSync(bin, ['tag', local, PULLS_FAIL]);
      try {
        const install = [...['install', '--preset', preset, '--yes', '--allow-root'], ...extra, '--set', `fivetran.image=${PULLS_FAIL}`, '--set', 'fivetran.pullPolicy=always'];
        const failed = hd(home, install);
        expect(failed.code, failed.stderr).toBe(1);
        expect(controller(bin)).toBe('');
        const start = hd(home, ['start', '--allow-root', ...extra]);
        expect(start.code, start.stderr).toBe(0);
        const running = controller(bin);
        expect(running).toMatch(/ running$/);
        // finished: each restart started the container again (it recreated it: the record said "started")
        for (let i = 0; i < 2; i++) expect(hd(home, ['restart', '--allow-root', ...extra]).code).toBe(0);
        expect(controller(bin)).toBe(running);
        // up to date: no pull (it would fail), nothing changed
        const again = hd(home, install);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toMatch(/Changed: nothing/);
        expect(controller(bin)).toBe(running);
        // a second stop finds it stopped
        expect(hd(home, ['stop', '--allow-root']).code).toBe(0);
        const stop2 = hd(home, ['stop', '--allow-root']);
        expect(stop2.code, stop2.stderr).toBe(0);
        expect(stop2.stderr).toContain('skipped: controller is stopped already');
        expect(stop2.stderr).toMatch(/Changed: nothing/);
        // a stopped agent's re-run starts the same container and pulls nothing (the pull failed, exit 1)
        const stopped = hd(home, install);
        expect(stopped.code, stopped.stderr).toBe(0);
        expect(controller(bin)).toBe(running);
        // the same HOME spelled with a trailing slash: nothing recreated
        const slash = hd(`${home}/`, install);
        expect(slash.code, slash.stderr).toBe(0);
        expect(slash.stderr).toMatch(/Changed: nothing/);
        expect(controller(bin)).toBe(running);
        expect(hd(home, ['uninstall', '--yes', '--allow-root']).code).toBe(0);
      } finally {
        spawnSync(bin, ['rmi', PULLS_FAIL]);
      }
    }
  }, 900_000);

  it('docker: a stopped agent whose network was removed: start recreates it on the network (it started it on none, and status said healthy); taken off it while running, status and doctor say so and start puts it back', () => {
    clean();
    const home = freshHome();
    const first = hd(home, ON_DOCKER);
    expect(first.code, first.stderr).toBe(0);
    const networks = () => rt('docker', 'container', 'inspect', 'controller', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}');
    expect(networks()).toBe('fivetran_ldp');
    // as "docker network prune" does to the network of a stopped container (that would take every unused network of the daemon)
    expect(spawnSync('docker', ['stop', 'controller']).status).toBe(0);
    expect(spawnSync('docker', ['network', 'rm', 'fivetran_ldp']).status).toBe(0);
    const start = hd(home, ['start', '--allow-root']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain('Recreate container controller (not on network fivetran_ldp)');
    expect(controller('docker')).toMatch(/ running$/);
    expect(networks()).toBe('fivetran_ldp');
    expect(hd(home, ['status']).code).toBe(0);
    // running, taken off its network by hand
    expect(spawnSync('docker', ['network', 'disconnect', 'fivetran_ldp', 'controller']).status).toBe(0);
    const st = hd(home, ['status']);
    expect(st.code).toBe(1);
    expect(st.stdout).toContain('✖ controller is not on network fivetran_ldp, which the install runs it on');
    expect(st.stdout).toContain('fix: hd-setup start recreates it on that network');
    const agent = (JSON.parse(hd(home, ['doctor', '--json', '--allow-root']).stdout) as { checks: { id: string; status: string; fix?: string }[] }).checks.find((c) => c.id === 'agent');
    expect(agent).toMatchObject({ status: 'fail', fix: 'hd-setup start recreates it on that network' });
    const again = hd(home, ['start', '--allow-root']);
    expect(again.code, again.stderr).toBe(0);
    expect(networks()).toBe('fivetran_ldp');
    expect(hd(home, ['status']).code).toBe(0);
    // on its network: a start leaves it alone
    const running = controller('docker');
    const third = hd(home, ['start', '--allow-root']);
    expect(third.stderr).toMatch(/Changed: nothing/);
    expect(controller('docker')).toBe(running);
  }, 300_000);

  it('a pull the real daemons refuse (a registry nobody answers at): exit 1, the fix names the pull-policy setting, no container', () => {
    for (const [bin, preset, extra] of [
      ['docker', 'fivetran-docker', []],
      ['podman', 'fivetran-podman', ['--skip-check', 'runtime-version']],
    ] as const) {
      clean();
      const home = freshHome();
      const r = hd(home, ['install', '--preset', preset, '--yes', '--allow-root', ...extra, '--set', 'fivetran.image=127.0.0.1:9/hd-none:latest', '--set', 'fivetran.pullPolicy=always']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^\[4\/7\] FAILED: .*127\.0\.0\.1:9.*connection refused$/m);
      expect(r.stderr).toMatch(/failed at "Pull image /);
      expect(r.stderr).toMatch(/Fix: +check registry access from this host .*load the image yourself and use --set fivetran\.pullPolicy=never$/m);
      expect(controller(bin)).toBe('');
    }
  }, 600_000);
});
