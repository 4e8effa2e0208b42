// Start on boot, told truthfully: the real CLI against the stub runtime (test/stubs/bin) and stub
// systemctl/loginctl (test/stubs/boot) that play a user manager with or without linger, or none at all.
// The real systemd, linger and reboots are in test/e2e/reboot.e2e.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ROOT, cli, expectNoSecrets } from './helpers.js';
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
    expect(r.stderr).toContain('[7/7] skipped: No systemd user manager here (systemctl --user fails): hd-fivetran-agent.service is written but not enabled');
    expect(r.stderr).toContain('- boot: the agent (docker) will not start at boot. On a host with systemd, run: systemctl --user daemon-reload && systemctl --user enable hd-fivetran-agent.service && sudo loginctl enable-linger ana');
    expect(existsSync(join(s.home, '.config/systemd/user/hd-fivetran-agent.service'))).toBe(true);
    expect(s.systemctl().some((c) => c.startsWith('--user enable'))).toBe(false);
    s.server.close();
  });

  it('systemctl refuses the unit: the step fails with the fix', async () => {
    const s = await stub({ HD_STUB_ENABLE: 'fail' });
    const r = install(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed at step "boot"');
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

  it('podman 4.4+: a Quadlet .container with the same container', () => {
    const q = quadletContainer({
      name: 'controller',
      description: 'Fivetran Hybrid Deployment Agent',
      image: 'localhost/hd-agent-test:latest',
      network: 'fivetran_ldp',
      memory: '2048m',
      labels: { fivetran: 'ldp', 'hd-setup.config-hash': 'abc' },
      env: { HOST_USER_HOME_DIR: '/home/ana', CONTAINER_ENV_TYPE: 'podman' },
      volumes: [['/home/ana/fivetran/conf', '/conf']],
      securityOpts: ['label=disable'],
      args: ['-f', '/conf/config.json'],
    });
    for (const line of ['ContainerName=controller', 'Image=localhost/hd-agent-test:latest', 'Network=fivetran_ldp', 'Label=fivetran=ldp', 'Environment=CONTAINER_ENV_TYPE=podman', 'Volume=/home/ana/fivetran/conf:/conf', 'SecurityLabelDisable=true', 'PodmanArgs=--memory=2048m', 'Exec=-f /conf/config.json', 'WantedBy=default.target']) {
      expect(q.split('\n')).toContain(line);
    }
  });
});
