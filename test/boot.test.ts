// Start on boot, told truthfully: the real CLI against the stub runtime (test/stubs/bin) and stub
// systemctl/loginctl (test/stubs/boot) that play a user manager with or without linger, or none at all.
// The real systemd, linger and reboots are in test/e2e/reboot.e2e.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, cli, expectNoSecrets, tmp } from './helpers.js';
import { rootFlags, stubEnv, type StubEnv } from './stub-runtime.js';
import { bootUnitForm, containerServiceUnit, quadletContainer } from '../src/render/unit.js';
import { bootCheck, bootLine, type BootState } from '../src/exec/boot.js';

interface Stub extends StubEnv {
  systemctl(): string[];
}

async function stub(extra: NodeJS.ProcessEnv = {}): Promise<Stub> {
  const s = await stubEnv('docker', { USER: 'ana', ...extra }, { path: [join(ROOT, 'test/stubs/boot')], imagePresent: true });
  const log = join(s.state, 'systemctl.log');
  return { ...s, systemctl: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const install = (s: Stub, preset = 'fivetran-docker') => cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });

describe('Start on boot in the install summary', () => {
  it('✔ only when the unit is enabled for real and linger is on', async () => {
    const s = await stub();
    const r = install(s);
    expect(r.code, r.stderr).toBe(0);
    expect(s.systemctl()).toEqual(expect.arrayContaining(['--user daemon-reload', '--user enable hd-fivetran-agent.service', '--user is-enabled hd-fivetran-agent.service']));
    expect(r.stderr).toMatch(/\[7\/7\] Start on boot \.\.\.\n(.*\n)*\[7\/7\] done/);
    expect(r.stderr).toContain('Start on boot: hd-fivetran-agent.service is enabled and linger is on for ana');
    expect(r.stderr).not.toContain('- boot: ');
    // The preflight must not contradict the boot step: linger matters for the unit on any runtime.
    expect(r.stderr).not.toContain('linger not needed');
    expectNoSecrets(r.stdout + r.stderr);
    s.server.close();
  });

  it('a re-run leaves a unit that starts at boot as it is (Changed: nothing, no daemon-reload, no enable); a unit file written again, or disabled by hand, is enabled again', async () => {
    for (const [preset, unit] of [
      ['fivetran-docker', 'hd-fivetran-agent.service'],
      ['tobiko-docker', 'hd-tobiko-executors.service'],
    ] as const) {
      const s = await stub();
      expect(install(s, preset).code).toBe(0);
      let before = s.systemctl().length;
      const again = install(s, preset);
      expect(again.code, again.stderr).toBe(0);
      expect(s.systemctl().slice(before).filter((c) => /daemon-reload|enable /.test(c))).toEqual([]);
      expect(again.stderr).toContain(`skipped: ${unit} already starts at boot (enabled, linger on for ana)`);
      expect(again.stderr).toContain('Changed: nothing');
      // the unit file removed: written again, and systemd told (daemon-reload) before enable
      rmSync(join(s.home, '.config/systemd/user', unit));
      before = s.systemctl().length;
      const rewritten = install(s, preset);
      expect(rewritten.code, rewritten.stderr).toBe(0);
      expect(s.systemctl().slice(before)).toEqual(expect.arrayContaining(['--user daemon-reload', `--user enable ${unit}`]));
      expect(rewritten.stderr).toContain(`Start on boot: ${unit} is enabled and linger is on for ana`);
      // disabled by hand: enabled again
      spawnSync(join(ROOT, 'test/stubs/boot/systemctl'), ['--user', 'disable', unit], { env: s.env });
      before = s.systemctl().length;
      expect(install(s, preset).code).toBe(0);
      expect(s.systemctl().slice(before)).toContain(`--user enable ${unit}`);
      s.server.close();
    }
  });

  it('linger off: enabled, but shown as a warning with the exact command, never ✔', async () => {
    const s = await stub({ HD_STUB_LINGER: 'no' });
    const r = install(s);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('[7/7] skipped: linger is off for ana: the agent (docker) will not start at boot until "sudo loginctl enable-linger ana" is run');
    expect(r.stderr).not.toMatch(/\[7\/7\] done/);
    expect(r.stderr).toMatch(/Warnings:\n(.*\n)*\s+- boot: .*; run: sudo loginctl enable-linger ana\n/);
    expect(r.stderr).toContain('enabled hd-fivetran-agent.service (systemctl --user enable)');
    expect(r.stderr).not.toContain('Start on boot: hd-fivetran-agent.service is enabled and linger is on');
    s.server.close();
  });

  it('enable exits 0 but the unit is not enabled: skipped with the fix, never ✔; status says disabled', async () => {
    const s = await stub({ HD_STUB_ENABLE: 'noop' });
    const r = install(s);
    expect(r.code, r.stderr).toBe(0);
    expect(s.systemctl()).toContain('--user is-enabled hd-fivetran-agent.service');
    expect(r.stderr).not.toMatch(/\[7\/7\] done/);
    expect(r.stderr).toMatch(/\[7\/7\] skipped: .*hd-fivetran-agent\.service is disabled/);
    expect(r.stderr).not.toContain('Start on boot: hd-fivetran-agent.service is enabled');
    expect(r.stderr).not.toContain('enabled hd-fivetran-agent.service (systemctl --user enable)');
    expect(r.stderr).toMatch(/- boot: .*; run: systemctl --user daemon-reload && systemctl --user enable hd-fivetran-agent\.service/);
    const st = cli(['status'], { env: s.env });
    expect(st.stdout).toContain('on boot: hd-fivetran-agent.service disabled');
    expect(st.stdout).not.toContain('starts at boot');
    s.server.close();
  });

  it('linger unknown to logind (no session, no linger) counts as off', async () => {
    const s = await stub({ HD_STUB_LINGER: 'none' });
    const r = install(s);
    expect(r.stderr).toContain('linger is off for ana');
    s.server.close();
  });

  it('no user systemd: skipped with every command to run, the unit still written', async () => {
    const s = await stub({ HD_STUB_SYSTEMD_USER: '0' });
    const r = install(s);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('[7/7] skipped: no systemd user manager here, as systemctl --user fails: hd-fivetran-agent.service is written but not enabled');
    expect(r.stderr).toContain('- boot: the agent (docker) will not start at boot. On a host with systemd, run: systemctl --user daemon-reload && systemctl --user enable hd-fivetran-agent.service && sudo loginctl enable-linger ana');
    expect(existsSync(join(s.home, '.config/systemd/user/hd-fivetran-agent.service'))).toBe(true);
    expect(s.systemctl().some((c) => c.startsWith('--user enable'))).toBe(false);
    s.server.close();
  });

  it('systemctl refuses the unit: the step fails with the fix', async () => {
    const s = await stub({ HD_STUB_ENABLE: 'fail' });
    const r = install(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed at "Start on boot"');
    expect(r.stderr).toContain('Unit file hd-fivetran-agent.service does not exist');
    expect(r.stderr).toContain('systemctl --user status hd-fivetran-agent.service');
    s.server.close();
  });

  it('--dry-run describes the boot step without running systemctl', async () => {
    const s = await stub();
    const r = cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('systemctl --user enable hd-fivetran-agent.service');
    expect(r.stdout).toContain('loginctl show-user ana -p Linger');
    expect(s.systemctl().some((c) => /enable|daemon-reload/.test(c))).toBe(false);
    s.server.close();
  });
});

describe('the unit follows the lifecycle; status and doctor report it', () => {
  it('Tobiko gets a unit for both executors; stop disables it, start enables it, uninstall disables and removes it', async () => {
    const s = await stub();
    const r = install(s, 'tobiko-docker');
    expect(r.code, r.stderr).toBe(0);
    const unit = join(s.home, '.config/systemd/user/hd-tobiko-executors.service');
    expect(readFileSync(unit, 'utf8')).toContain('start tcloud-apply-executor tcloud-run-executor');
    expect(r.stderr).toContain('Start on boot: hd-tobiko-executors.service is enabled and linger is on for ana');

    const st = cli(['status', '--json'], { env: s.env });
    expect(JSON.parse(st.stdout).bootState).toMatchObject({ systemdUser: true, enabled: 'enabled', active: 'active', linger: 'yes' });
    expect(cli(['status'], { env: s.env }).stdout).toContain('on boot: hd-tobiko-executors.service enabled, active; linger on for ana — starts at boot');

    const n = s.systemctl().length;
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    expect(s.systemctl().slice(n)).toContain('--user disable --now hd-tobiko-executors.service');
    const stopped = JSON.parse(cli(['status', '--json'], { env: s.env }).stdout);
    expect(stopped.bootState).toMatchObject({ enabled: 'disabled', active: 'inactive' });
    expect(cli(['status'], { env: s.env }).stdout).toContain('will not start at boot; run: systemctl --user daemon-reload && systemctl --user enable hd-tobiko-executors.service');

    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout).bootState.enabled).toBe('enabled');

    const m = s.systemctl().length;
    const un = cli(['uninstall', '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(s.systemctl().slice(m)).toEqual(expect.arrayContaining(['--user disable --now hd-tobiko-executors.service', '--user daemon-reload']));
    expect(existsSync(unit)).toBe(false);
    s.server.close();
  }, 120_000);

  it('doctor: the boot check warns with the fix when linger is off, and is ok when it is on', async () => {
    const s = await stub();
    expect(install(s).code).toBe(0);
    const ok = JSON.parse(cli(['doctor', '--json'], { env: s.env }).stdout).checks.find((c: { id: string }) => c.id === 'boot');
    expect(ok).toMatchObject({ status: 'ok', message: 'hd-fivetran-agent.service is enabled (active) and linger is on for ana: starts at boot' });
    const off = JSON.parse(cli(['doctor', '--json'], { env: { ...s.env, HD_STUB_LINGER: 'no' } }).stdout).checks.find((c: { id: string }) => c.id === 'boot');
    expect(off).toMatchObject({ status: 'warn', fix: 'sudo loginctl enable-linger ana' });
    expect(off.message).toContain('will not start at boot until "sudo loginctl enable-linger ana" is run');
    const none = JSON.parse(cli(['doctor', '--json'], { env: { ...s.env, HD_STUB_SYSTEMD_USER: '0' } }).stdout).checks.find((c: { id: string }) => c.id === 'boot');
    expect(none).toMatchObject({ status: 'warn', fix: 'systemctl --user daemon-reload && systemctl --user enable hd-fivetran-agent.service' });
    s.server.close();
  }, 60_000);
});

describe('boot state words', () => {
  const s: BootState = { unit: 'u.service', user: 'ana', systemdUser: true, enabled: 'enabled', active: 'failed', linger: 'yes' };
  it('status shows the real unit state, failed included', () => {
    expect(bootLine(s)).toBe('u.service enabled, failed; linger on for ana — starts at boot');
    // no user manager: said once (the trial saw it twice in a row)
    expect(bootLine({ ...s, systemdUser: false, enabled: 'unknown', active: 'unknown', linger: 'unknown' })).toBe(
      'u.service — no systemd user manager here (systemctl --user fails), so u.service is not enabled and the agent will not start at boot; run: systemctl --user daemon-reload && systemctl --user enable u.service && sudo loginctl enable-linger ana',
    );
    expect(bootLine({ ...s, systemdUser: false })).not.toMatch(/run: $/); // nothing to run: no empty "run:"
    expect(bootCheck({ ...s, enabled: 'disabled', linger: 'no' })).toMatchObject({
      status: 'warn',
      message: 'u.service is disabled and linger is off for ana: the agent will not start at boot',
      fix: 'systemctl --user daemon-reload && systemctl --user enable u.service && sudo loginctl enable-linger ana',
    });
  });
});

describe('the shared unit builder', () => {
  it('docker, and podman before 4.4: a service unit that starts the named containers', () => {
    expect(bootUnitForm('docker', '28.2.2')).toBe('service');
    expect(bootUnitForm('podman', '4.3.1')).toBe('service');
    expect(bootUnitForm('podman', undefined)).toBe('service');
    expect(bootUnitForm('podman', '4.4.0')).toBe('quadlet');
    expect(bootUnitForm('podman', '5.0.2')).toBe('quadlet');
    const u = containerServiceUnit({ name: 'x.service', description: 'Two things', containers: ['a', 'b'], runtime: 'podman', runtimeBin: '/usr/bin/podman' });
    expect(u).toContain('ExecStart=/usr/bin/podman start a b\nExecStop=/usr/bin/podman stop -t 10 b a\n');
    expect(u).toContain('After=network-online.target podman.socket');
    expect(u).toContain('[Install]\nWantedBy=default.target');
  });

  it('podman 4.4+: a Quadlet .container built from the same ContainerSpec as podman run, read back exactly', async () => {
    const { containerLabels, configHash, runArgv } = await import('../src/plan/containers.js');
    const { quadletFacts } = await import('../src/render/unit.js');
    const spec = {
      name: 'controller',
      image: 'localhost/hd-agent-test:latest',
      restart: 'on-failure:3',
      pull: 'missing' as const,
      network: 'fivetran_ldp',
      memory: '2048m',
      labels: { fivetran: 'ldp', 'hd-setup.product': 'fivetran' },
      env: { HOST_USER_HOME_DIR: '/home/ana', CONTAINER_ENV_TYPE: 'podman' },
      volumes: [['/home/ana/fivetran/conf', '/conf']] as [string, string][],
      securityOpts: ['label=disable'],
      args: ['-f', '/conf/config.json'],
      inputs: ['{}'],
      owner: '/home/ana/fivetran',
    };
    const labels = containerLabels(spec, configHash(spec));
    const q = quadletContainer(spec, { description: 'Fivetran Hybrid Deployment Agent', labels });
    for (const line of ['ContainerName=controller', 'Image=localhost/hd-agent-test:latest', 'Network=fivetran_ldp', 'Label=fivetran=ldp', 'Label=hd-setup.install=/home/ana/fivetran', `Label=hd-setup.config-hash=${configHash(spec)}`, 'Environment=CONTAINER_ENV_TYPE=podman', 'Volume=/home/ana/fivetran/conf:/conf', 'SecurityLabelDisable=true', 'PodmanArgs=--memory=2048m', 'Exec=-f /conf/config.json', 'Restart=on-failure', 'StartLimitBurst=3', 'WantedBy=default.target']) {
      expect(q.split('\n')).toContain(line);
    }
    // Every label podman run is given is in the file, and the read-back sees what inspect would.
    const argv = runArgv('/usr/bin/podman', spec, configHash(spec));
    const runLabels = argv.flatMap((a, i) => (argv[i - 1] === '--label' ? [a] : []));
    expect(runLabels.map((l) => `Label=${l}`).every((l) => q.split('\n').includes(l))).toBe(true);
    expect(quadletFacts(q)).toEqual({ image: spec.image, labels, restart: 'on-failure:3' });
    for (const restart of ['always', 'unless-stopped']) expect(quadletFacts(quadletContainer({ ...spec, restart }, { description: 'x', labels }))?.restart).toBe(restart);
    // A value with a space or quote is quoted as systemd reads it.
    const quoted = quadletContainer({ ...spec, env: { A: 'x y"z' } }, { description: 'x', labels: { k: 'a b' } }).split('\n');
    expect(quoted).toContain('Environment="A=x y\\"z"');
    expect(quoted).toContain('Label="k=a b"');
    // EnvironmentFile= is split at spaces by Quadlet (LookupAllArgs): a folder with a space is quoted (it became two files)
    const envFile = quadletContainer({ ...spec, envFile: '/home/ana/my tobiko/tobiko.env' }, { description: 'x', labels }).split('\n');
    expect(envFile).toContain('EnvironmentFile="/home/ana/my tobiko/tobiko.env"');
    expect(quadletContainer({ ...spec, envFile: '/home/ana/tobiko/tobiko.env' }, { description: 'x', labels }).split('\n')).toContain('EnvironmentFile=/home/ana/tobiko/tobiko.env');
    expect(quadletFacts(quadletContainer(spec, { description: 'x', labels: { k: 'a b' } }))?.labels).toEqual({ k: 'a b' });
  });
});

describe('the Quadlet file, checked as far as this machine can (podman 4.3.1 here has no Quadlet generator)', () => {
  it('its [Unit], [Service] and [Install] sections, which the generator copies into the service, verify with systemd-analyze', async () => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (which.status !== 0) return; // no systemd-analyze: nothing to check with
    const { quadletFile } = await import('../src/plan/containers.js');
    const { tobikoContainerSpecs } = await import('../src/products/tobiko/plan.js');
    const { fivetranContainerSpec } = await import('../src/products/fivetran/plan.js');
    const { load, HOST, RENDER_ENV } = await import('./helpers.js');
    const d = tmp();
    const ft = load({ preset: 'fivetran-podman' }).model;
    const tb = load({ preset: 'tobiko-docker', sets: ['runtime=podman'] }).model;
    const specs = [fivetranContainerSpec(ft, { ...HOST, ...RENDER_ENV }, '/home/ana/fivetran', '{}'), ...tobikoContainerSpecs(tb, '/home/ana/tobiko', '')];
    for (const spec of specs) {
      const text = quadletFile(spec, 'x').content;
      // What the generator does with the rest: [Container] becomes ExecStart=podman run ...
      const service = text.replace(/\[Container\][\s\S]*?(?=\n\[)/, '').replace('[Service]\n', '[Service]\nExecStart=/bin/true\n');
      const f = join(d, `${spec.name}.service`);
      writeFileSync(f, service);
      const v = spawnSync('systemd-analyze', ['verify', f], { encoding: 'utf8' });
      expect(v.status, `${service}\n${v.stderr}`).toBe(0);
      expect(v.stderr, v.stderr).not.toMatch(/Unknown (key|section)|Invalid|Failed to parse/i);
      // The [Container] keys are those of podman-systemd.unit(5).
      const keys = [...text.split('[Container]')[1]!.split('\n[')[0]!.matchAll(/^([A-Za-z]+)=/gm)].map((m) => m[1]);
      for (const k of keys) expect(['ContainerName', 'Image', 'Network', 'Label', 'Environment', 'EnvironmentFile', 'Volume', 'SecurityLabelDisable', 'PodmanArgs', 'Exec']).toContain(k);
    }
  });
});

describe('podman >= 4.4: the containers are handed to Quadlet (stub podman 4.9, stub systemctl playing the generator)', () => {
  async function podman(version = '4.9.3', extra: NodeJS.ProcessEnv = {}) {
    const s = await stubEnv('podman', { USER: 'ana', HD_STUB_VERSION: version, ...extra }, { path: [join(ROOT, 'test/stubs/boot')], imagePresent: true });
    const log = join(s.state, 'systemctl.log');
    return { ...s, systemctl: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
  }
  const quadletFile = (home: string, n = 'controller') => join(home, '.config/containers/systemd', `${n}.container`);
  const running = (state: string, c: string) => existsSync(join(state, 'containers', c)) && readFileSync(join(state, 'containers', `${c}.status`), 'utf8').trim() === 'running';
  const isEnabled = (s: { env: NodeJS.ProcessEnv }, unit: string) => spawnSync(join(ROOT, 'test/stubs/boot/systemctl'), ['--user', 'is-enabled', unit], { env: s.env, encoding: 'utf8' }).stdout.trim();
  const fivetran = (s: { env: NodeJS.ProcessEnv }, ...extra: string[]) => cli(['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags, '--set', 'fivetran.image=example.com/agent:7', '--set', 'fivetran.pullPolicy=missing', ...extra], { env: s.env });

  it('rollback of a memory change puts back what the .container file said (the restart policy too: the live container has none of its own)', async () => {
    const s = await podman();
    expect(fivetran(s, '--set', 'fivetran.restartPolicy=always').code).toBe(0);
    expect(fivetran(s, '--set', 'fivetran.restartPolicy=always', '--set', 'fivetran.memory=3g').code).toBe(0);
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('It puts back:\n  fivetran.memory: 3g -> 2048m (the default)\n');
    expect(dry.stdout).not.toContain('restartPolicy');
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const text = readFileSync(quadletFile(s.home), 'utf8');
    expect(text).toContain('Restart=always');
    expect(text).not.toMatch(/3g/);
    expect(cli(['export-preset'], { env: s.env }).stdout).toContain('restartPolicy: always');
  });

  it('install writes controller.container instead of the service unit, and the generated service runs the container; a re-run changes nothing', async () => {
    const s = await podman();
    const r = fivetran(s);
    expect(r.code, r.stderr).toBe(0);
    const file = quadletFile(s.home);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(existsSync(join(s.home, '.config/systemd/user/hd-fivetran-agent.service'))).toBe(false);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('Image=example.com/agent:7');
    expect(text).toContain(`Label=hd-setup.install=${join(s.home, 'fivetran')}`);
    expectNoSecrets(text);
    // hd-setup does not run the container itself: the unit does (podman run --replace from the file).
    expect(s.calls().filter((c) => c.startsWith('run '))).toEqual([expect.stringMatching(/^run -d --name controller --replace --label /)]);
    expect(s.systemctl()).toEqual(expect.arrayContaining(['--user daemon-reload', '--user unmask controller.service', '--user restart controller.service']));
    expect(s.systemctl()).not.toContain('--user enable controller.service');
    expect(running(s.state, 'controller')).toBe(true);
    expect(r.stderr).toContain('Start on boot: controller.service is generated (Quadlet) and linger is on for ana');
    expect(isEnabled(s, 'controller.service')).toBe('generated');
    const before = s.systemctl().length;
    const again = fivetran(s);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already running with the same configuration');
    expect(s.systemctl().slice(before).filter((c) => /restart|start controller/.test(c))).toEqual([]);
    // nothing generated again, nothing said to have changed (the service is generated and linger is on)
    expect(s.systemctl().slice(before).filter((c) => /daemon-reload|unmask|enable /.test(c))).toEqual([]);
    expect(again.stderr).toContain('skipped: controller.service already starts at boot (generated, linger on for ana)');
    expect(again.stderr).toContain('Changed: nothing');
    // A change of configuration: the file is rewritten and the service restarted (Quadlet recreates the container).
    const changed = fivetran(s, '--set', 'fivetran.memory=4g');
    expect(changed.code, changed.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('PodmanArgs=--memory=4g');
    expect(s.systemctl().filter((c) => c === '--user restart controller.service')).toHaveLength(2);
    // A new token alone: the .container file is the same (its config hash leaves the token out), but
    // config.json is rewritten, so the service is restarted and the agent reads the new token.
    const unit = readFileSync(file, 'utf8');
    const rotated = cli(['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags, '--set', 'fivetran.image=example.com/agent:7', '--set', 'fivetran.pullPolicy=missing', '--set', 'fivetran.memory=4g'], { env: { ...s.env, FIVETRAN_TOKEN: Buffer.from('clever_tiger:rotated-secret').toString('base64') } });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(unit);
    expect(s.systemctl().filter((c) => c === '--user restart controller.service')).toHaveLength(3);
    s.server.close();
  });

  it('a "%" in a value (an install dir) is written "%%", as systemd reads it, and read back as "%": a re-run changes nothing', async () => {
    const s = await podman();
    const r = fivetran(s, '--set', 'fivetran.installDir=~/ag%hent');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(quadletFile(s.home), 'utf8');
    expect(text).toContain(`Volume=${s.home}/ag%%hent/conf:/conf`);
    expect(text).toContain(`Label=hd-setup.install=${s.home}/ag%%hent`);
    expect(text).not.toMatch(/[^%]%h/);
    const again = fivetran(s, '--set', 'fivetran.installDir=~/ag%hent');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    const ex = cli(['export-preset'], { env: s.env });
    expect(ex.stdout).toContain('installDir: ~/ag%hent');
    s.server.close();
  });

  it('stop masks the generated service (a reboot keeps it stopped), start unmasks it, the read-back survives the removed container, uninstall removes the file', async () => {
    const s = await podman();
    expect(fivetran(s).code).toBe(0);
    const st = cli(['stop'], { env: s.env });
    expect(st.code, st.stderr).toBe(0);
    expect(s.systemctl()).toEqual(expect.arrayContaining(['--user mask controller.service', '--user stop controller.service']));
    expect(existsSync(join(s.state, 'containers/controller'))).toBe(false);
    // "Reboot": the generator runs again; the mask wins over the file's [Install].
    spawnSync(join(ROOT, 'test/stubs/boot/systemctl'), ['--user', 'daemon-reload'], { env: s.env });
    expect(isEnabled(s, 'controller.service')).toBe('masked');
    const status = cli(['status', '--json'], { env: s.env });
    const j = JSON.parse(status.stdout);
    expect(j.bootState).toMatchObject({ unit: quadletFile(s.home), enabled: 'masked' });
    expect(j.boot).toContain('systemctl --user unmask controller.service');
    // The container is gone (Quadlet's --rm): what the install is comes from its .container file.
    const ex = cli(['export-preset'], { env: s.env });
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toContain('image: example.com/agent:7');
    expect(ex.stdout).toContain('pullPolicy: missing');
    const go = cli(['start', ...rootFlags], { env: s.env });
    expect(go.code, go.stderr).toBe(0);
    expect(s.systemctl()).toEqual(expect.arrayContaining(['--user unmask controller.service']));
    expect(running(s.state, 'controller')).toBe(true);
    expect(isEnabled(s, 'controller.service')).toBe('generated');
    const mark = s.systemctl().length;
    const un = cli(['uninstall', '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(existsSync(quadletFile(s.home))).toBe(false);
    expect(existsSync(join(s.state, 'containers/controller'))).toBe(false);
    const tail = s.systemctl().slice(mark).filter((c) => !/show-environment|is-enabled|is-active/.test(c));
    expect(tail).toEqual(['--user stop controller.service', '--user unmask controller.service', '--user daemon-reload']);
    s.server.close();
  });

  it('the record keeps what the .container file says once the run is done: a change is recorded as made, and a re-run that changes nothing leaves installs.json as it is', async () => {
    const s = await podman();
    const registry = join(s.home, '.config/hd-setup/installs.json');
    expect(fivetran(s).code).toBe(0);
    const first = readFileSync(registry, 'utf8');
    expect(JSON.parse(first)[0].containers.controller.image).toBe('example.com/agent:7');
    expect(fivetran(s).code).toBe(0);
    expect(readFileSync(registry, 'utf8')).toBe(first);
    expect(fivetran(s, '--set', 'fivetran.memory=3g').code).toBe(0);
    const changed = readFileSync(registry, 'utf8');
    expect(JSON.parse(changed)[0].containers.controller.labels['hd-setup.memory']).toBe('3g');
    expect(fivetran(s, '--set', 'fivetran.memory=3g').code).toBe(0);
    expect(readFileSync(registry, 'utf8')).toBe(changed);
    s.server.close();
  });

  it('uninstall of a stopped agent keeps what its .container file said (the service removed the container): the kept config installs again as it was', async () => {
    const s = await podman();
    expect(fivetran(s, '--set', 'fivetran.memory=3g').code).toBe(0);
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    expect(existsSync(join(s.state, 'containers/controller'))).toBe(false);
    const un = cli(['uninstall', '--yes', ...rootFlags], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    const ex = cli(['export-preset'], { env: s.env });
    expect(ex.code, ex.stderr).toBe(0);
    for (const line of ['image: example.com/agent:7', 'pullPolicy: missing', 'memory: 3g']) expect(ex.stdout).toContain(line);
    s.server.close();
  });

  it('Tobiko: one .container per executor, both services started and checked', async () => {
    const s = await podman('5.2.1');
    const r = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, '--set', 'runtime=podman'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    for (const n of ['tcloud-apply-executor', 'tcloud-run-executor']) {
      expect(readFileSync(quadletFile(s.home, n), 'utf8')).toContain(`EnvironmentFile=${join(s.home, 'tobiko/tobiko.env')}`);
      expect(running(s.state, n)).toBe(true);
    }
    expectNoSecrets(readFileSync(quadletFile(s.home, 'tcloud-apply-executor'), 'utf8'));
    expect(existsSync(join(s.home, '.config/systemd/user/hd-tobiko-executors.service'))).toBe(false);
    expect(r.stderr).toContain('Start on boot: tcloud-run-executor.service is generated (Quadlet)');
    // status and doctor look at both services: the run executor's masked by hand is seen
    const ok = JSON.parse(cli(['status', '--json'], { env: s.env }).stdout);
    expect(ok.boot).toMatch(/^tcloud-apply-executor\.service generated, .* — starts at boot; tcloud-run-executor\.service generated, .* — starts at boot$/);
    spawnSync(join(ROOT, 'test/stubs/boot/systemctl'), ['--user', 'mask', 'tcloud-run-executor.service'], { env: s.env });
    const masked = JSON.parse(cli(['status', '--json'], { env: s.env }).stdout);
    expect(masked.bootState).toMatchObject({ unit: quadletFile(s.home, 'tcloud-run-executor'), enabled: 'masked' });
    expect(masked.boot).toContain('systemctl --user unmask tcloud-run-executor.service');
    const doc = JSON.parse(cli(['doctor', '--json'], { env: s.env }).stdout).checks.find((c: { id: string }) => c.id === 'boot');
    expect(doc).toMatchObject({ status: 'warn', fix: expect.stringContaining('unmask tcloud-run-executor.service') });
    spawnSync(join(ROOT, 'test/stubs/boot/systemctl'), ['--user', 'unmask', 'tcloud-run-executor.service'], { env: s.env });
    // stopped: Quadlet removes the containers; status says stopped (■), not missing
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    const st = cli(['status'], { env: s.env });
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/■ tcloud-apply-executor: stopped \(hd-setup stop, [^)]*\), image /);
    expect(st.stdout).toMatch(/■ tcloud-run-executor: stopped \(hd-setup stop, [^)]*\), image /);
    expect(st.stdout).not.toContain('missing');
    s.server.close();
  });

  it('older podman (4.3), or no user manager: the service unit and podman run, as before', async () => {
    for (const s of [await podman('4.3.1'), await podman('4.9.3', { HD_STUB_SYSTEMD_USER: '0' })]) {
      const r = fivetran(s, '--skip-check', 'runtime-version');
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(s.home, '.config/systemd/user/hd-fivetran-agent.service'))).toBe(true);
      expect(existsSync(quadletFile(s.home))).toBe(false);
      expect(s.calls()).toEqual(expect.arrayContaining([expect.stringMatching(/^run -d --name controller --restart on-failure:3 /)]));
      s.server.close();
    }
  });
});
