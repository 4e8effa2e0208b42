// The lifecycle commands say what is true: options taken alike, diffs headed as git heads them, installs
// told from configs kept, and summaries that list what was done.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, TOKEN, cli, tmp } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';
import { listBackups } from '../src/util/fsx.js';
import { drive, hasScript, lastFrame } from './wizard/pty-helpers.js';

describe('every command that may act as root takes --allow-root', () => {
  it.each(['install', 'uninstall', 'start', 'stop', 'restart', 'rollback', 'doctor'])('%s --allow-root is known', (cmd) => {
    const r = cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--allow-root\s/);
  });

  it('uninstall --allow-root and stop --allow-root run (nothing installed: stop exits 2 saying so, uninstall has nothing to do; not "unknown option")', () => {
    const stop = cli(['stop', '--allow-root', '--dry-run']);
    expect([stop.code, stop.stderr]).toEqual([2, expect.stringMatching(/^error: no install found/)]);
    // how to point at one, with no product's example (a podman user was shown a Kubernetes namespace)
    expect(stop.stderr).toContain('; point at it with --preset <name> [--set ...]: the preset and the settings it was installed with (hd-setup presets lists the bundled ones)\n');
    const un = cli(['uninstall', '--allow-root', '--dry-run']);
    expect([un.code, un.stderr]).toEqual([0, expect.stringMatching(/^nothing to do: no install found/)]);
  });
});

describe('uninstall --purge twice is once', () => {
  it('the second finds nothing and has nothing to do: exit 0 (it was exit 2, "no install found"), no runtime call that changes anything', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['uninstall', '--purge', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const before = s.calls().length;
    const again = cli(['uninstall', '--purge', '--yes', ...rootFlags], { env: s.env });
    expect([again.code, again.stdout]).toEqual([0, '']);
    expect(again.stderr).toBe('nothing to do: no install found (looked in the installs hd-setup recorded and the default places of fivetran, tobiko)\n');
    const json = cli(['uninstall', '--purge', '--yes', '--json', ...rootFlags], { env: s.env });
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { installed: false, changed: [] }]);
    // pointed at a place where nothing is: the same, naming it
    const there = cli(['uninstall', '--yes', '--preset', 'fivetran-docker', ...rootFlags], { env: s.env });
    expect([there.code, there.stderr]).toEqual([0, `nothing to do: no install found for Fivetran agent on docker (${s.home}/fivetran)\n`]);
    expect(s.calls().slice(before).filter((c) => /^(rm|stop|network rm|run|create) /.test(c))).toEqual([]);
    expect(existsSync(join(s.home, 'fivetran'))).toBe(false);
    // but a typo is not "nothing there": exit 2 naming it
    const typos: [string[], string][] = [
      [['--set', 'runtime=kubernets'], 'error: runtime: must be one of docker, podman, kubernetes (got "kubernets")\n'],
      [['--set', 'product=fivetrn'], 'error: product: must be one of fivetran, tobiko (got "fivetrn")\n'],
      [['--preset', 'fivetran-kubernetes', '--set', 'fivetran.kubernetes.namespce=x'], 'error: --set: "fivetran.kubernetes.namespce" is not a setting; hd-setup schema lists the settings there are\n'],
    ];
    for (const [args, err] of typos) {
      const r = cli(['uninstall', '--yes', ...args, ...rootFlags], { env: s.env });
      expect([r.code, r.stderr]).toEqual([2, err]);
    }
    // nor is a release that could not be looked for (no helm on PATH)
    const k8s = cli(['uninstall', '--yes', '--preset', 'fivetran-kubernetes'], { env: s.env });
    expect([k8s.code, k8s.stderr]).toEqual([2, 'error: helm is not on PATH, so release hd-agent in namespace fivetran cannot be looked for; install helm 3 (https://helm.sh/docs/intro/install/)\n']);
    s.server.close();
  }, 60_000);
});

describe('diffs are headed as git heads them', () => {
  it('a new file: --- /dev/null, +++ its path; a changed file: --- and +++ its path', async () => {
    const s = await stubEnv();
    const conf = join(s.home, 'fivetran/conf/config.json');
    const first = cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`        --- /dev/null\n        +++ ${conf}\n        @@ -0,0 +1,`);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const changed = cli(['install', '--preset', 'fivetran-docker', '--dry-run', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env });
    expect(changed.stdout).toContain(`        --- ${conf}\n        +++ ${conf}\n        @@ `);
    expect(changed.stdout).toContain('+  "https_proxy": "http://proxy.internal:3128"');
    s.server.close();
  }, 60_000);
});

describe('uninstalled, config kept: told apart from an install, and read back whole', () => {
  it('status says it plainly, uninstall has nothing to do, the kept config keeps the image and the pull policy', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const image = 'registry.local/ldp-agent:1.2';
    const set = ['--set', 'fivetran.pullPolicy=never', '--set', `fivetran.image=${image}`];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...set, ...rootFlags], { env: s.env }).code).toBe(0);
    const un = cli(['uninstall', '--yes', ...rootFlags], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(un.stderr).toContain('and its files are kept; --purge deletes what hd-setup created there');

    const st = cli(['status'], { env: s.env });
    expect(st.code).toBe(1);
    expect(st.stdout).toBe(`Fivetran agent on docker — ${s.home}/fivetran\n  not installed: it was uninstalled and its config is kept in ${s.home}/fivetran; install it again (at a terminal: hd-setup; in a script: hd-setup export-preset --out kept.yaml && hd-setup install --preset kept.yaml${rootFlags.length ? ' --allow-root' : ''} --yes), or delete the config (hd-setup uninstall --purge)\n`);
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout)).toMatchObject({ installed: false, healthy: false });

    const before = s.calls().length;
    const again = cli(['uninstall', '--yes'], { env: s.env });
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`nothing to do: Fivetran agent on docker is not installed (uninstalled; its config is kept in ${s.home}/fivetran). To delete the config too: hd-setup uninstall --purge\n`);
    // --json says the same: not installed, nothing changed, where the config is kept
    const json = cli(['uninstall', '--yes', '--json'], { env: s.env });
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { product: 'fivetran', runtime: 'docker', where: `${s.home}/fivetran`, installed: false, changed: [] }]);
    expect(s.calls().slice(before).filter((c) => /^(rm|stop|network rm) /.test(c))).toEqual([]);
    // an install's dry-run says what status says: not an existing install, a kept config
    const dry = cli(['install', '--dry-run', '--preset', 'fivetran-docker', ...set], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`Found the config an uninstall kept (${s.home}/fivetran); it is installed again from it, with what changed.\n`);
    expect(dry.stderr).not.toContain('Found an existing install');

    // The read-back of the kept config has what only the container said: the wizard prefills it.
    const exported = cli(['export-preset'], { env: s.env }).stdout;
    expect(exported).toContain(`  image: ${image}\n  pullPolicy: never\n`);
    const { findAll, findContext, isPresent } = await import('../src/service/find.js');
    const { createState, prefill } = await import('../src/ui/wiz/state.js');
    const saved = { ...process.env };
    Object.assign(process.env, s.env);
    try {
      const [found] = await findAll(findContext(process.env));
      expect(found!.uninstalled).toBe(true);
      expect(isPresent(found!)).toBe(false);
      const w = prefill(createState(found!.preset as never));
      expect(w.answers.fivetran).toMatchObject({ image, pullPolicy: 'never' });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    // A re-install keeps them: the bare preset is refused naming the --set that keeps them (never exit 0 with them gone) ...
    const bare = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(`fivetran.image=${image}, fivetran.pullPolicy=never`);
    // so is a run that names only the install (no preset: the stored token is kept, the settings are named)
    const named = cli(['install', '--set', 'product=fivetran', '--set', 'runtime=docker', '--yes', ...rootFlags], { env: s.env });
    expect(named.code, named.stderr).toBe(2);
    expect(named.stderr).toContain(`this run would reset 2 settings the config an uninstall kept has (${s.home}/fivetran): fivetran.image=${image}, fivetran.pullPolicy=never`);
    // ... and the script status suggests installs it as it was (the offline re-install does not pull), with no secret in the environment
    const cwd = tmp('hd-kept-');
    const { FIVETRAN_TOKEN: _, ...noToken } = s.env;
    const keptPreset = cli(['export-preset', '--out', 'kept.yaml'], { env: noToken, cwd });
    expect(keptPreset.code, keptPreset.stderr).toBe(0);
    const re = cli(['install', '--preset', 'kept.yaml', ...rootFlags, '--yes'], { env: noToken, cwd });
    expect(re.code, re.stderr).toBe(0);
    expect(re.stderr).toContain('Keeping the stored secret: fivetran.token');
    expect(s.calls().some((c) => c.startsWith('pull '))).toBe(false);
    // a new token named by --set or HD_SETUP_* whose variable is not set (a rotation with a typo): exit 2, as on a
    // first install, not the stored one kept and "success"
    const config = readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8');
    for (const [args, env, from] of [[['--set', 'fivetran.token=env:FIVETRAN_TOKEN_V2'], noToken, ''], [[], { ...noToken, HD_SETUP_FIVETRAN__TOKEN: 'env:FIVETRAN_TOKEN_V2' }, ' (from HD_SETUP_FIVETRAN__TOKEN)']] as const) {
      const rotate = cli(['install', '--preset', 'kept.yaml', ...args, ...rootFlags, '--yes'], { env, cwd });
      expect(rotate.code, rotate.stderr).toBe(2);
      expect(rotate.stderr).toBe(`error: fivetran.token${from}: environment variable FIVETRAN_TOKEN_V2 is not set; export FIVETRAN_TOKEN_V2=... first, or give file:PATH instead\n`);
    }
    expect(readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8')).toBe(config);
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout)).toMatchObject({ installed: true });
    s.server.close();
  }, 90_000);

  it('stop, start, restart and rollback of a kept config exit 1 saying it is not installed, and how to install it again; nothing runs', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    // (a check skipped at the install: the script it prints skips it too, or it failed where the install had passed)
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--skip-check', 'disk', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['uninstall', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const note = `not installed: it was uninstalled and its config is kept in ${s.home}/fivetran; install it again (at a terminal: hd-setup; in a script: hd-setup export-preset --out kept.yaml && hd-setup install --preset kept.yaml${rootFlags.length ? ' --allow-root' : ''} --skip-check disk --yes), or delete the config (hd-setup uninstall --purge)`;
    for (const [cmd, verb] of [[['stop'], 'stop'], [['start'], 'start'], [['restart'], 'restart'], [['rollback', '--yes'], 'roll back']] as const) {
      const r = cli([...cmd, ...rootFlags], { env: s.env });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(`error: cannot ${verb}: ${note}\n`);
    }
    expect(s.calls().slice(n).filter((c) => /^(run|rm|start|stop|restart|pull|network (create|rm)) /.test(c))).toEqual([]);
    // the script, run as printed: it installs again
    const script = /in a script: (.*)\), or delete/.exec(note)![1]!.replaceAll('hd-setup ', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} `);
    const ran = spawnSync('sh', ['-c', script], { env: s.env, cwd: tmp('hd-kept-'), encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    s.server.close();
  });
  it('with an install and a kept config, uninstall, stop, start, restart and rollback act on the install; --purge of the kept one lists only what it removed', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['uninstall', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const dry = cli(['uninstall', '--dry-run'], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^hd-setup uninstall --dry-run: Tobiko Cloud executors on docker/);
    // so do stop, start, restart and rollback: the kept config is nothing they could act on (they exited 2, "2 installs found")
    for (const cmd of ['stop', 'start']) {
      const r = cli([cmd, '--dry-run'], { env: s.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^hd-setup ${cmd} --dry-run: Tobiko Cloud executors on docker`));
    }
    // (Tobiko's env file has no backup yet: rollback says so, of the Tobiko install)
    expect(cli(['rollback', '--dry-run'], { env: s.env }).stderr).toMatch(new RegExp(`^error: nothing to roll back to: hd-setup has changed the install at ${s.home}/tobiko only once`));
    const restart = cli(['restart', ...rootFlags], { env: s.env });
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stderr).toContain('Tobiko Cloud executors on docker');
    // pointed at with --set runtime=docker (both fit): the same choice
    const pointed = cli(['stop', '--dry-run', '--set', 'runtime=docker'], { env: s.env });
    expect(pointed.code, pointed.stderr).toBe(0);
    expect(pointed.stdout).toMatch(/^hd-setup stop --dry-run: Tobiko Cloud executors on docker/);
    // the commands status and uninstall suggest for the kept config name it among the two
    const hint = /or delete the config \((hd-setup uninstall --purge[^)]*)\)/.exec(cli(['status'], { env: s.env }).stdout)?.[1];
    expect(hint).toBe('hd-setup uninstall --purge --set product=fivetran');
    const nothing = cli(['uninstall', '--set', 'product=fivetran', '--yes'], { env: s.env });
    expect(nothing.stderr).toContain(`To delete the config too: ${hint}\n`);
    const purge = cli([...hint!.split(' ').slice(1), '--yes'], { env: s.env });
    expect(purge.code, purge.stderr).toBe(0);
    const changed = purge.stderr.slice(purge.stderr.indexOf('Changed:'));
    expect(changed).not.toContain('Stop and remove');
    expect(changed).not.toContain('network');
    expect(changed).toContain(`removed ${s.home}/fivetran/conf/config.json`);
    expect(purge.stderr).toContain('skipped: no container of this install is there\n');
    s.server.close();
  }, 120_000);
});

describe('uninstall --purge acts on this HOME\'s install only', () => {
  it('a kept config here, another HOME\'s container of the same name on the daemon: that container is left running and the summary lists only what was removed', async () => {
    const b = await stubEnv('docker', {}, { imagePresent: true });
    const a = await stubEnv('podman', { HD_STUB_STATE: b.state, HD_STUB_SOCKET: join(b.home, 'runtime.sock') });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: b.env }).code).toBe(0);
    expect(cli(['uninstall', '--yes', ...rootFlags], { env: b.env }).code).toBe(0);
    const ra = cli(['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags], { env: a.env });
    expect(ra.code, ra.stderr).toBe(0);
    const before = b.calls().length;
    const r = cli(['uninstall', '--purge', '--yes', ...rootFlags], { env: b.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('hd-setup: uninstalling Fivetran agent on docker');
    expect(r.stderr).toContain('skipped: no container of this install is there; the controller there belongs to another install and is left alone\n');
    expect(b.calls().slice(before).filter((c) => /^(rm|stop|network rm) /.test(c))).toEqual([]);
    expect(readFileSync(join(b.state, 'containers/controller.status'), 'utf8').trim()).toBe('running');
    const changed = r.stderr.slice(r.stderr.indexOf('Changed:')).split('\n').filter((l) => l.startsWith('    - '));
    expect(changed.length).toBeGreaterThan(0);
    for (const l of changed) expect(l).toMatch(new RegExp(`^    - removed ${b.home}/fivetran`));
    expect(existsSync(join(b.home, 'fivetran'))).toBe(false);
    expect(existsSync(join(a.home, 'fivetran/conf/config.json'))).toBe(true);
    // Nothing left here: the record is gone too.
    // (the answer, not bad input: exit 1 as for an agent not running; it was exit 2, "error: no install found")
    const none = cli(['status'], { env: b.env });
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/^Nothing installed here: no install found \(looked in the installs hd-setup recorded and the default places of fivetran, tobiko\)\.\nInstall one: hd-setup install --preset <name> --yes/);
    expect(JSON.parse(cli(['status', '--json'], { env: b.env }).stdout)).toEqual({ healthy: false, installs: [] });
    a.server.close();
    b.server.close();
  }, 120_000);
});

describe('--dry-run --json of the lifecycle commands', () => {
  it('stop, start, uninstall and rollback print the plan as JSON (steps by id, exact commands), as install does; nothing is done', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const plans: Record<string, string[]> = {};
    for (const cmd of ['stop', 'start', 'uninstall']) {
      const r = cli([cmd, '--dry-run', '--json', ...rootFlags], { env: s.env });
      expect(r.code, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout) as { dryRun: boolean; command: string; product: string; runtime: string; steps: { id: string; actions: { command: string }[] }[] };
      expect(plan).toMatchObject({ dryRun: true, command: cmd, product: 'fivetran', runtime: 'docker' });
      plans[cmd] = plan.steps.map((st) => st.id);
    }
    // a changed config leaves a backup: rollback has a plan too
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.config.custom_dns=10.0.0.2', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const rb = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(rb.code, rb.stderr).toBe(0);
    expect(JSON.parse(rb.stdout)).toMatchObject({ dryRun: true, command: 'rollback', product: 'fivetran', restore: { file: join(s.home, 'fivetran/conf/config.json') } });
    expect(JSON.parse(rb.stdout)).toMatchObject({ settings: [{ path: 'fivetran.config.custom_dns', now: '10.0.0.2' }] });
    expect(JSON.parse(rb.stdout).restore.diff).toMatch(/^-  "custom_dns": "10\.0\.0\.2"$/m);
    // then a change the containers carry (no backup of the file): the rollback undoes that one (it undid the
    // custom_dns change, an earlier one, and kept the memory), and says the file stays
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.config.custom_dns=10.0.0.2', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const text = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env }).stdout;
    expect(text).toContain(`keep ${join(s.home, 'fivetran/conf/config.json')} as it is, then re-apply it`);
    expect(text).toContain('It puts back:\n  fivetran.memory: 3g -> 2048m (the default)\n');
    expect(text).toContain(`${join(s.home, 'fivetran/conf/config.json')} stays as it is (the last change left it so).\n`);
    expect(text).not.toContain('custom_dns');
    expect(text).not.toContain(TOKEN);
    expect(plans.stop).toEqual(['stop']);
    expect(plans.uninstall).toEqual(['unit', 'containers', 'network']);
    expect(cli(['status'], { env: s.env }).stdout).toContain('✔ controller: running');
    s.server.close();
  }, 60_000);
});

describe('status after hd-setup stop: stopped, not failed', () => {
  it('says it was stopped and how to start it; a start clears that, and an agent that stops by itself is a failure again', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    const stopped = cli(['status'], { env: s.env });
    expect(stopped.code).toBe(1); // not running: scripts that check status still see it
    expect(stopped.stdout).toMatch(/■ controller: stopped \(hd-setup stop, \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(stopped.stdout).toMatch(/Stopped with hd-setup stop \(.*\)\. Start it: hd-setup start/);
    expect(stopped.stdout).not.toContain('✖');
    expect(stopped.stdout).not.toContain('Not running.');
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout).stoppedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(s.home, '.config/hd-setup/installs.json'), 'utf8'))[0].stoppedAt).toBeUndefined();
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['restart', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(s.home, '.config/hd-setup/installs.json'), 'utf8'))[0].stoppedAt).toBeUndefined();
    const running = cli(['status'], { env: s.env });
    expect(running.code).toBe(0);
    expect(running.stdout).toContain('✔ controller: running');
    // Stopped by something else (here: docker stop by hand, as a crash would leave it): a failure, as before.
    expect(spawnSync('docker', ['stop', 'controller'], { env: s.env }).status).toBe(0);
    const died = cli(['status'], { env: s.env });
    expect(died.code).toBe(1);
    expect(died.stdout).toContain('✖ controller: exited');
    expect(died.stdout).toContain('Not running. Start it: hd-setup start');
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout).stoppedAt).toBeUndefined();
    s.server.close();
  }, 60_000);
});

describe('stop with a container removed by hand', () => {
  // docker stops the others and exits 1; podman 4.3 stops none (exit 125): both as the stub runtimes mimic
  it.each(['docker', 'podman'] as const)('%s: stop stops the executor that is there (exit 0), says the other is not; restart brings both back', async (rt) => {
    const s = await stubEnv(rt, {}, { imagePresent: true });
    const at = ['--preset', 'tobiko-docker', '--set', `runtime=${rt}`];
    expect(cli(['install', ...at, '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(spawnSync(rt, ['rm', '-f', 'tcloud-run-executor'], { env: s.env }).status).toBe(0);
    const stop = cli(['stop', ...at], { env: s.env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toContain('Stop tcloud-apply-executor (tcloud-run-executor: not there)');
    expect(s.calls()).toContain('stop -t 10 tcloud-apply-executor');
    const st = JSON.parse(cli(['status', '--json', ...at], { env: s.env }).stdout);
    expect(st.containers.map((c: { name: string; state: string }) => `${c.name}:${c.state}`)).toEqual(['tcloud-apply-executor:exited', 'tcloud-run-executor:missing']);
    const restart = cli(['restart', ...at, ...rootFlags], { env: s.env });
    expect(restart.code, restart.stderr).toBe(0);
    expect(cli(['status', ...at], { env: s.env }).code).toBe(0);
    s.server.close();
  }, 60_000);
});

describe('the flags that choose one of several installs', () => {
  it('are printed shell-quoted (an install dir with a space): run as printed, they reach that install', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const dir = `${s.home}/my agent`;
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', `fivetran.installDir=${dir}`, ...rootFlags], { env: s.env }).code).toBe(0);
    // podman's containers apart from docker's (the stubs share one state dir by default)
    const podState = join(s.home, '.stub-podman');
    mkdirSync(podState);
    // its API socket: the stub daemon's (not the host's /run/podman/podman.sock, which a fresh machine lacks)
    const podman = cli(['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags], { env: { ...s.env, HD_STUB_IMAGE: '1', HD_STUB_STATE: podState, HD_STUB_SOCKET: s.env.DOCKER_HOST!.replace(/^unix:\/\//, '') } });
    expect(podman.code, podman.stderr).toBe(0);
    const stop = cli(['stop'], { env: s.env });
    expect(stop.code).toBe(2);
    const choices = /choose one with (.*)$/m.exec(stop.stderr)![1]!.split(' or ');
    const docker = choices.find((c) => c.includes('runtime=docker'))!;
    expect(docker).toBe(`--set product=fivetran --set runtime=docker --set 'fivetran.installDir=${dir}'`);
    const st = spawnSync('bash', ['-c', `"$0" "$1" status --json ${docker}`, process.execPath, BIN], { env: { ...process.env, ...s.env, CI: 'true' }, encoding: 'utf8' });
    expect(JSON.parse(st.stdout), st.stderr).toMatchObject({ runtime: 'docker', where: dir });
    s.server.close();
  }, 60_000);
});

describe('the flags that choose one of several installs, one of each product', () => {
  it('are --set product=… alone (they named the runtime and install dir too), and reach that install as printed', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const stop = cli(['stop', ...rootFlags], { env: s.env });
    expect(stop.code).toBe(2);
    expect(/choose one with (.*)\n$/.exec(stop.stderr)?.[1]?.split(' or ').sort()).toEqual(['--set product=fivetran', '--set product=tobiko']);
    for (const [flag, where] of [['product=fivetran', 'fivetran'], ['product=tobiko', 'tobiko']] as const) {
      const st = cli(['status', '--json', '--set', flag], { env: s.env });
      expect(JSON.parse(st.stdout), st.stderr).toMatchObject({ runtime: 'docker', where: join(s.home, where) });
    }
    s.server.close();
  }, 60_000);
});

describe('restart in plain lines', () => {
  it('shows what happens in its order, counted whole: the preflight, then the stop, then the start ([1/8] … [8/8])', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = cli(['restart', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const starts = r.stderr.split('\n').filter((l) => /^\[\d+\/\d+\] .* \.\.\./.test(l)).map((l) => l.replace(/ \.\.\..*/, ''));
    expect(starts).toEqual([
      '[1/8] Preflight checks',
      '[2/8] Stop controller',
      '[3/8] Write configuration files',
      '[4/8] Create network fivetran_ldp',
      '[5/8] Pull image us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production',
      '[6/8] Start container controller',
      '[7/8] Wait until controller is running',
      '[8/8] Start on boot',
    ]);
    s.server.close();
  }, 60_000);
});

describe('stop twice', () => {
  it('the second stop finds the container stopped: nothing run, Changed: nothing (it stopped it again and said so)', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const again = cli(['stop', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Stop controller ... skipped: controller is stopped already');
    expect(again.stderr).toMatch(/Changed: nothing/);
    expect(s.calls().slice(n).filter((c) => /^stop /.test(c))).toEqual([]);
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    s.server.close();
  }, 60_000);
});

describe('rollback undoes the last change: the file as it found it, and what the containers carried (memory, image, pull and restart policy)', () => {
  const conf = (s: { home: string }) => join(s.home, 'fivetran/conf/config.json');
  const memoryOf = (s: { calls: () => string[] }) => /--memory=(\S+)/.exec(s.calls().filter((c) => c.startsWith('run ')).at(-1)!)?.[1];
  it('a change of the memory alone: rollback puts it back and leaves the file (it restored an earlier proxy change instead); a second rollback undoes the first', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=3g', '--set', 'fivetran.restartPolicy=always', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const file = readFileSync(conf(s), 'utf8');
    const backups = listBackups(conf(s));
    const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain('Recreate container controller (memory 3g -> 2048m, restart policy always -> on-failure:3)');
    expect(memoryOf(s)).toBe('2048m');
    expect(readFileSync(conf(s), 'utf8')).toBe(file); // the proxy stays
    expect(listBackups(conf(s))).toEqual(backups); // the file was not touched: no backup of it
    const exported = cli(['export-preset'], { env: s.env }).stdout;
    expect(exported).toContain('https: http://proxy.internal:3128');
    expect(exported).not.toMatch(/memory|restartPolicy/);
    // the rollback was a change too: a second one puts the memory back to 3g
    const dry = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(JSON.parse(dry.stdout).settings).toEqual([{ path: 'fivetran.memory', value: '3g', now: '2048m' }, { path: 'fivetran.restartPolicy', value: 'always', now: 'on-failure:3' }]);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(memoryOf(s)).toBe('3g');
    expect(cli(['export-preset'], { env: s.env }).stdout).toMatch(/memory: 3g/);
    // and a re-run of what the last install was given is a no-op
    const n = s.calls().length;
    const again = cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=3g', '--set', 'fivetran.restartPolicy=always', '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(s.calls().slice(n).filter((c) => /^(run|rm|create|pull) /.test(c))).toEqual([]);
    s.server.close();
  }, 60_000);

  it('one change of the file and the memory: rollback puts both back, from the backup that holds the file as the change found it', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const first = readFileSync(conf(s), 'utf8');
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.stdout).toContain('It puts back:\n  fivetran.memory: 3g -> 2048m (the default)\n  proxy.https: http://proxy.internal:3128 -> none\n');
    expect(dry.stdout).toMatch(/^-  "https_proxy": "http:\/\/proxy\.internal:3128",?$/m);
    expect(dry.stdout).not.toContain('Settings the containers carry');
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(readFileSync(conf(s), 'utf8')).toBe(first);
    expect(memoryOf(s)).toBe('2048m');
    s.server.close();
  }, 60_000);

  it('trial: a change of the restart policy alone, then a hand edit of the file that start applied: rollback puts the policy back and keeps the edit (it said "nothing to roll back to: hd-setup has changed the install only once"), exit 0', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const restartOf = () => /--restart (\S+)/.exec(s.calls().filter((c) => c.startsWith('run ')).at(-1)!)?.[1];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.restartPolicy=always', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const edited = JSON.stringify({ ...JSON.parse(readFileSync(conf(s), 'utf8')), custom_dns: '10.0.0.2' }, null, 2) + '\n';
    writeFileSync(conf(s), edited);
    for (const applied of [false, true]) {
      if (applied) expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
      const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).toBe('');
      expect(dry.stdout).toContain(`keep ${conf(s)} as it is`);
      expect(dry.stdout).toContain('fivetran.restartPolicy: always -> on-failure:3');
    }
    const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(back.code, back.stderr).toBe(0);
    expect(restartOf()).toBe('on-failure:3');
    expect(readFileSync(conf(s), 'utf8')).toBe(edited);
    expect(listBackups(conf(s))).toEqual([]);
    s.server.close();
  }, 60_000);

  it('stopped: a rollback that would put back what the containers carry is refused, naming it and the way (start, then roll back); nothing changes', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot roll back while the agent is stopped \(hd-setup stop, [^)]+\): the last change also set fivetran\.memory, which the containers carry and only a rollback that runs them puts back; start it, roll back, and stop it again: hd-setup start && hd-setup rollback && hd-setup stop\n$/);
    expect(s.calls().slice(n).filter((c) => /^(run|rm|start|create) /.test(c))).toEqual([]);
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(memoryOf(s)).toBe('2048m');
    s.server.close();
  }, 60_000);

  it('an install whose last change an older hd-setup made (no "before" in its record), or whose backup of that change is gone: the newest backup of the file, the containers\' settings staying, said', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const first = readFileSync(conf(s), 'utf8');
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const records = JSON.parse(readFileSync(registry, 'utf8')) as { before?: unknown }[];
    expect(records[0]!.before).toBeDefined();
    writeFileSync(registry, JSON.stringify(records.map(({ before: _, ...r }) => r)));
    const old = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain('Settings the containers carry, not the file (image, pull policy, memory, restart policy), are not in the backup and stay as they are');
    expect(old.stdout).toMatch(/^-  "https_proxy"/m);
    // the record says what the last change found, and the backup that held that file is gone
    writeFileSync(registry, JSON.stringify(records.map((r) => ({ ...r, before: { ...(r.before as object), config: 'a'.repeat(64) } }))));
    const gone = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toContain(`warning: no backup of ${conf(s)} holds it as the last change found it (changed by hand since, or that backup gone): rolling back to the newest whole backup of it, the containers' settings staying as they are\n`);
    expect(readFileSync(conf(s), 'utf8')).toBe(first);
    expect(memoryOf(s)).toBe('3g');
    s.server.close();
  }, 60_000);

  it('review: a retry of a failed change keeps what rollback goes back to; rollback puts back the --set list with the values (a bare re-run then refuses every one); stopped, the dry-run refuses as the run does', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const three = ['--set', 'fivetran.memory=3g', '--set', 'fivetran.restartPolicy=always', '--set', 'fivetran.pullPolicy=missing'];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...three, ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'run' } }).code).toBe(1);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...three, ...rootFlags], { env: s.env }).code).toBe(0);
    const dry = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).settings).toEqual([
      { path: 'fivetran.memory', value: '2048m', default: true, now: '3g' },
      { path: 'fivetran.pullPolicy', value: 'always', default: true, now: 'missing' },
      { path: 'fivetran.restartPolicy', value: 'on-failure:3', default: true, now: 'always' },
    ]);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--reset', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(memoryOf(s)).toBe('3g');
    const bare = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/would reset 2 settings .*: fivetran\.pullPolicy=missing, fivetran\.memory=3g\n/);
    expect(bare.stderr).toContain('would change 1 setting the install was given with --set or HD_SETUP_* (' );
    expect(bare.stderr).toContain('fivetran.restartPolicy=always (the preset says on-failure:3)');
    // stopped: the dry-run says what the run says
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--reset', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    for (const args of [['--dry-run'], ['--dry-run', '--json'], ['--yes']]) {
      const r = cli(['rollback', ...args, ...rootFlags], { env: s.env });
      expect(r.code, args.join(' ')).toBe(2);
      // (with --json the error is JSON on stdout)
      expect(args.includes('--json') ? (JSON.parse(r.stdout) as { errors: { message: string }[] }).errors[0]!.message : r.stderr).toMatch(/^(error: )?cannot roll back while the agent is stopped/);
    }
    s.server.close();
  }, 60_000);

  it('review: a "before" whose container settings hd-setup would not write (a memory "abc") is exit 2 naming installs.json, not a missing backup', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const records = JSON.parse(readFileSync(registry, 'utf8')) as { before: { containers: { controller: { labels: Record<string, string> } } } }[];
    records[0]!.before.containers.controller.labels['hd-setup.memory'] = 'abc';
    writeFileSync(registry, JSON.stringify(records));
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${registry}: the "before" of this install \\(what rollback goes back to\\) does not read back \\(.*memory.*\\); remove that entry`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(memoryOf(s)).toBe('3g');
    s.server.close();
  }, 60_000);

  it('the digest of the config file in the record is keyed (a plain sha256 would confirm a guess of a secret in it): the key is 0600; a key hd-setup did not make is exit 2 naming it; a new key (the old one removed) falls back to the newest backup, said', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const first = readFileSync(conf(s), 'utf8');
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const key = join(s.home, '.config/hd-setup/digest.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const digest = (JSON.parse(readFileSync(registry, 'utf8')) as { before: { config: string } }[])[0]!.before.config;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toBe(createHash('sha256').update(first).digest('hex'));
    expect(digest).toBe(createHmac('sha256', Buffer.from(readFileSync(key, 'utf8').trim(), 'hex')).update(first).digest('hex'));
    const good = readFileSync(key, 'utf8');
    writeFileSync(key, 'not a key\n');
    const bad = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`error: ${key}: is not a key hd-setup made (64 hex digits); remove it (hd-setup makes a new one: a rollback then goes back to the newest backup of the config file)\n`);
    rmSync(key);
    const fresh = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain('warning: no backup of');
    expect(readFileSync(conf(s), 'utf8')).toBe(first);
    expect(readFileSync(key, 'utf8')).not.toBe(good);
    s.server.close();
  }, 60_000);

  it('trial: a hand edit that breaks the file after a change: rollback says the last change\'s file is in no backup, so what it set in the file is lost; when a backup holds it (a rollback made one), rollback puts that back: the hand edit alone is undone', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const change = ['--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=4g'];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...change, ...rootFlags], { env: s.env }).code).toBe(0);
    const changed = readFileSync(conf(s), 'utf8');
    writeFileSync(conf(s), '{ oops\n');
    const lost = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(lost.code, lost.stderr).toBe(0);
    expect(lost.stdout).toMatch(/No backup holds the file as the last change hd-setup made left it \(it was edited in place\): this goes back to config\.json\.bak-\S+ as an earlier change left it, and what the last change set in the file is lost: install again with those settings after it/);
    // the memory, which the container carries, is known; what the file holds now is not (it named none of it)
    expect(lost.stdout).toContain('It puts back:\n  fivetran.memory: 4g -> 2048m (the default)\nIt cannot name the settings it puts back in the file: it is broken, so what it holds now cannot be read, nor which backup holds what the containers run.\n');
    const lostJson = JSON.parse(cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env }).stdout) as { settings: { path: string }[]; nowUnknown?: boolean };
    expect([lostJson.settings.map((x) => x.path), lostJson.nowUnknown]).toEqual([['fivetran.memory'], true]);
    // a rollback and its undo leave a backup of the changed file: a break after that is undone alone
    writeFileSync(conf(s), changed);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(readFileSync(conf(s), 'utf8')).toBe(changed);
    writeFileSync(conf(s), '{ oops\n');
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.stdout).toMatch(/It puts back config\.json\.bak-\S+: the file as the last change hd-setup made left it\./);
    expect(dry.stdout).not.toContain('No backup holds');
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(readFileSync(conf(s), 'utf8')).toBe(changed);
    expect(memoryOf(s)).toBe('4g');
    // that repair changed no setting: the rollback after it undoes the last change (it said "puts back no
    // setting" and did nothing)
    const next = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(next.stdout).toContain('  fivetran.memory: 4g -> 2048m (the default)\n');
    expect(next.stdout).toContain('  proxy.https: http://proxy.internal:3128 -> none');
    s.server.close();
  }, 60_000);

  it('trial: a file broken after the rollback of a change made over a hand edit: the dry-run takes no "now" from an older backup (it said proxy.https: <the value rolled back> -> <the one running>), and the repair leaves the container running (its config hash is the one it restores: it recreated it)', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    // a hand edit (as an editor saves it, no newline at the end), applied by start
    writeFileSync(conf(s), JSON.stringify({ ...JSON.parse(readFileSync(conf(s), 'utf8')), https_proxy: 'http://hand.example:3128' }, null, 2));
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://set.example:3128', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const running = readFileSync(conf(s), 'utf8');
    expect(JSON.parse(running).https_proxy).toBe('http://hand.example:3128');
    writeFileSync(conf(s), running.slice(0, 40));
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).not.toContain('set.example');
    expect(dry.stdout).toContain('It puts back no setting: it undoes the hand edit alone, the settings staying as the last change left them.\n');
    expect(dry.stdout).toMatch(/It puts back config\.json\.bak-\S+: the file as the last change hd-setup made left it\./);
    expect(dry.stdout).toMatch(/^hd-setup rollback --dry-run: restore \S+ from \S+, then re-apply it \(the containers run it already: not recreated\)\n/);
    const json = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(json.code, json.stderr).toBe(0);
    const j = JSON.parse(json.stdout) as { settings: unknown[]; nowUnknown?: boolean };
    expect(j.settings).toEqual([]);
    expect(j.nowUnknown).toBeUndefined();
    const n = s.calls().length;
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(conf(s), 'utf8')).toBe(running);
    expect(s.calls().slice(n).filter((c) => /^(run|rm|create|start|stop) /.test(c))).toEqual([]);
    expect(r.stderr).not.toContain('Recreate container');
    expect(r.stderr).toContain('skipped: already running with the same configuration');
    const st = cli(['status'], { env: s.env });
    expect(st.code, st.stdout + st.stderr).toBe(0);
    s.server.close();
  }, 60_000);

  it('a file broken after a hand edit that start applied: what the container runs is in no backup, so the rollback says it cannot name the settings of the file now (it named those of the newest backup, which the rollback had replaced), and recreates the container', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://a.example:3128', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://b.example:3128', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    // a hand edit written as hd-setup writes the file (so start does not rewrite it, nor back it up), applied by start
    writeFileSync(conf(s), `${JSON.stringify({ ...JSON.parse(readFileSync(conf(s), 'utf8')), https_proxy: 'http://hand.example:3128' }, null, 2)}\n`);
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    writeFileSync(conf(s), '{ oops\n');
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).not.toContain('b.example');
    expect(dry.stdout).not.toContain('It puts back no setting');
    expect(dry.stdout).toContain('It cannot name the settings it puts back: the file is broken, so what it holds now cannot be read, nor which backup holds what the containers run.\n');
    expect(dry.stdout).toMatch(/then re-apply it \(containers are recreated\)\n/);
    const json = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    const j = JSON.parse(json.stdout) as { settings: unknown[]; nowUnknown?: boolean };
    expect(j.settings).toEqual([]);
    expect(j.nowUnknown).toBe(true);
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf(s), 'utf8')).https_proxy).toBe('http://a.example:3128');
    expect(r.stderr).toContain('Recreate container controller');
    s.server.close();
  }, 60_000);

  it('trial: undo is another name for rollback (a user typed it, and got "unknown command")', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = cli(['undo', '--dry-run', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('It puts back:\n  fivetran.memory: 3g -> 2048m (the default)\n');
    expect(cli(['--help'], { env: s.env }).stdout).toMatch(/rollback\|undo .*undo the last change hd-setup made/);
    s.server.close();
  }, 60_000);

  it('trial: nothing to roll back (one install, no change since) is exit 1 saying so, with uninstall as the way to remove it', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: nothing to roll back to: hd-setup has changed the install at ${join(s.home, 'fivetran')} only once, when it installed it (no backup of ${conf(s)}: one is made each time hd-setup changes it); to remove it: hd-setup uninstall\n`);
    s.server.close();
  }, 60_000);

  it('a record whose "before" is not what hd-setup writes: exit 2 naming the file and the entry', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const records = JSON.parse(readFileSync(registry, 'utf8')) as Record<string, unknown>[];
    writeFileSync(registry, JSON.stringify(records.map((r) => ({ ...r, before: { containers: {}, config: '../../etc/passwd' } }))));
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has a "before" that is not \{containers, config, setPaths, left\} \(what rollback goes back to\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    s.server.close();
  }, 60_000);
});

describe('a rollback of an agent stopped with hd-setup stop', () => {
  it('restores the config and leaves the agent stopped, saying a start runs it with it (it recreated and started the container); the start then does', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.selinux=true', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    const config = join(s.home, 'fivetran/conf/config.json');
    expect(JSON.parse(readFileSync(config, 'utf8')).host_selinux_enabled).toBe('true');
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.stdout).toMatch(/, then the agent stays stopped \(hd-setup stop, \d{4}-\d\d-\d\d \d\d:\d\dZ\): hd-setup start runs it with it\n\n/);
    const n = s.calls().length;
    const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(readFileSync(config, 'utf8')).host_selinux_enabled).toBe('false');
    expect(s.calls().slice(n).filter((c) => /^(run|rm|start|create) /.test(c))).toEqual([]);
    expect(back.stderr).toMatch(/The agent stays stopped \(hd-setup stop, [^)]+\); hd-setup start runs it with the restored configuration/);
    expect(cli(['status'], { env: s.env }).stdout).toMatch(/controller: stopped \(hd-setup stop/);
    const start = cli(['start', ...rootFlags], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain('Recreate container controller (configuration changed)');
    s.server.close();
  }, 60_000);
});

describe('an install run on a stopped agent', () => {
  it('starts its container as it is and pulls nothing: the pull could change nothing, and failed offline', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    // its dry-run says first that it starts the agent (trial: only its plan's step said so)
    const dry = cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.stderr).toMatch(/^It was stopped with hd-setup stop \(\d{4}-\d\d-\d\d \d\d:\d\dZ\): this install starts it again\.$/m);
    const n = s.calls().length;
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'pull' } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('It was stopped with hd-setup stop (');
    expect(again.stderr).toContain('skipped: its containers are there with this image and configuration (a pull would change nothing)');
    expect(s.calls().slice(n).filter((c) => /^(pull|run|rm) /.test(c))).toEqual([]);
    expect(s.calls().slice(n)).toContain('start controller');
    s.server.close();
  }, 60_000);
});

describe('after an install that did not finish', () => {
  it('a start that brings it up finishes it: restarts then start the container as it is, and a re-run changes nothing (each restart recreated it, the record "started" for ever)', async () => {
    const s = await stubEnv('docker');
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'pull' } });
    expect(failed.code).toBe(1);
    // the image arrives some other way (a mirror, docker load): start brings the agent up
    writeFileSync(join(s.home, '.stub/image-present'), '');
    const start = cli(['start', ...rootFlags], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    const n = s.calls().length;
    for (let i = 0; i < 2; i++) expect(cli(['restart', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(s.calls().slice(n).filter((c) => /^(run|rm) /.test(c))).toEqual([]);
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
    s.server.close();
  }, 60_000);
});

describe('a reconfigure that did not finish, its agent still running', () => {
  type Status = { healthy: boolean; unfinished?: boolean; changing?: number; notApplied?: string[]; problem?: { message: string; fix: string } };
  const agentCheck = (env: NodeJS.ProcessEnv) => (JSON.parse(cli(['doctor', '--json', ...rootFlags], { env }).stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'agent');

  it('one stopped or failed before it changed anything ("Changed: nothing": at its pull) leaves the install as it was: healthy, a start recreates nothing, rollback still undoes the change before it, and a stopped agent stays stopped', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const recorded = readFileSync(registry, 'utf8');
    const failed = cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=4g', '--yes', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'pull' } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Changed: nothing');
    // the record is the one before the run: the status is the install's, not "the last change did not finish"
    expect(readFileSync(registry, 'utf8')).toBe(recorded);
    const st = cli(['status', '--json'], { env: s.env });
    expect(st.code, st.stdout).toBe(0);
    expect(JSON.parse(st.stdout) as Status).not.toHaveProperty('unfinished');
    expect(cli(['start', '--dry-run', ...rootFlags], { env: s.env }).stdout).not.toContain('Recreate');
    // what rollback undoes is the last change made: 2048m -> 3g
    expect(cli(['rollback', '--dry-run', ...rootFlags], { env: s.env }).stdout).toContain('It puts back:\n  fivetran.memory: 3g -> 2048m (the default)\n');
    // stopped, then a run cancelled before it changed anything: still stopped with hd-setup stop, not failed
    expect(cli(['stop', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=4g', '--yes', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'pull' } }).code).toBe(1);
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout)).toMatchObject({ stoppedAt: expect.any(String) });
    s.server.close();
  }, 60_000);

  it('killed during its pull: status says another hd-setup is changing it while it runs; then that the change did not finish and the agent runs the config from before it (exit 1, not healthy; doctor fails "agent"); start applies it and all is well again', async () => {
    const { spawn } = await import('node:child_process');
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    const n = s.calls().length;
    const change = spawn(process.execPath, [BIN, 'install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.corp:3128', ...rootFlags], { env: { ...s.env, HD_STUB_SLOW: 'pull', CI: 'true', NO_COLOR: '1' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => change.once('exit', (code) => r(code)));
    for (let i = 0; i < 200 && !s.calls().slice(n).some((c) => c.startsWith('pull ')); i++) await new Promise((r) => setTimeout(r, 50));
    // under way: said so, not "did not finish"
    const during = cli(['status'], { env: s.env });
    expect(during.code).toBe(1);
    expect(during.stdout).toContain(`  … another hd-setup (PID ${change.pid}) is changing it now\n    fix: wait for it to finish, then hd-setup status\n`);
    change.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBe('http://proxy.corp:3128');
    const text = cli(['status'], { env: s.env });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`  ✖ the last change did not finish (it failed or was stopped): controller still runs the configuration from before it, not the one in ${conf}\n    fix: hd-setup start applies it (or run the install again); hd-setup rollback goes back to how it was before that change\n`);
    expect(text.stdout).not.toContain('Not running');
    const json = cli(['status', '--json'], { env: s.env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout) as Status).toMatchObject({ healthy: false, unfinished: true, notApplied: ['controller'], problem: { message: expect.stringContaining('the last change did not finish') } });
    expect(agentCheck(s.env)).toEqual({
      id: 'agent',
      status: 'fail',
      message: `controller is running, but the last change did not finish (it failed or was stopped): controller still runs the configuration from before it, not the one in ${conf}`,
      fix: 'hd-setup start applies it (or run the install again); hd-setup rollback goes back to how it was before that change',
    });
    // what status says start does, it does: it recreates the container with the config on disk
    expect(cli(['start', '--dry-run', ...rootFlags], { env: s.env }).stdout).toContain('Recreate container controller (its config file changed)');
    const start = cli(['start', '--yes', ...rootFlags], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    const after = cli(['status', '--json'], { env: s.env });
    expect([after.code, (JSON.parse(after.stdout) as Status).healthy]).toEqual([0, true]);
    expect(agentCheck(s.env)?.status).toBe('ok');
    s.server.close();
  }, 90_000);

  it('failed at its pull: rollback, which status names, goes back to the config the agent runs (healthy again); a config edited by hand since the agent started is said too (start applies it)', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.corp:3128', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'pull' } });
    expect(failed.code).toBe(1);
    const st = cli(['status', '--json'], { env: s.env });
    expect(st.code).toBe(1);
    expect(JSON.parse(st.stdout) as Status).toMatchObject({ healthy: false, unfinished: true, notApplied: ['controller'] });
    const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBeUndefined();
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    // edited by hand: the running agent does not run it either
    writeFileSync(conf, JSON.stringify({ ...JSON.parse(readFileSync(conf, 'utf8')), https_proxy: 'http://by-hand:3128' }, null, 2));
    const hand = cli(['status'], { env: s.env });
    expect(hand.code).toBe(1);
    expect(hand.stdout).toContain(`  ✖ controller runs another configuration than the one in ${conf} (changed since it was started: by hand?)\n    fix: hd-setup start applies it (it recreates controller)\n`);
    expect(agentCheck(s.env)?.status).toBe('fail');
    expect(cli(['start', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    s.server.close();
  }, 90_000);
});

describe('a container that is not on its network', () => {
  type Status = { healthy: boolean; problem?: { message: string; fix: string } };
  const networksOf = (state: string, c: string) => Object.keys(JSON.parse(readFileSync(join(state, 'containers', c), 'utf8').replace('__STATUS__', 'x').replace('__RUNNING__', 'true')).NetworkSettings.Networks);
  const agentCheck = (env: NodeJS.ProcessEnv) => (JSON.parse(cli(['doctor', '--json', ...rootFlags], { env }).stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'agent');

  it('stopped, its network pruned: start makes the network and recreates the container on it (it started it on no network, and status said healthy)', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(networksOf(s.state, 'controller')).toEqual(['fivetran_ldp']);
    expect(spawnSync('docker', ['stop', 'controller'], { env: s.env }).status).toBe(0);
    expect(spawnSync('docker', ['network', 'prune', '-f'], { env: s.env }).stdout.toString()).toContain('fivetran_ldp');
    const dry = cli(['start', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.stdout).toContain('Create network fivetran_ldp');
    expect(dry.stdout).toContain('Recreate container controller (not on network fivetran_ldp)');
    const start = cli(['start', ...rootFlags], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    expect(networksOf(s.state, 'controller')).toEqual(['fivetran_ldp']);
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    // and a second start leaves it alone
    const n = s.calls().length;
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(s.calls().slice(n).filter((c) => /^(rm|run|start|network create)\b/.test(c))).toEqual([]);
    s.server.close();
  }, 60_000);

  it('running, off its network: status and doctor say so with the fix (exit 1, not healthy); start recreates it on the network; install and restart do too', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    for (const fixIt of [['start'], ['install', '--preset', 'fivetran-docker', '--yes'], ['restart']]) {
      expect(spawnSync('docker', ['network', 'disconnect', 'fivetran_ldp', 'controller'], { env: s.env }).status).toBe(0);
      expect(networksOf(s.state, 'controller')).toEqual([]);
      const st = cli(['status'], { env: s.env });
      expect(st.code, fixIt[0]).toBe(1);
      expect(st.stdout).toContain('  ✖ controller is not on network fivetran_ldp, which the install runs it on (the network was removed, or made again, since it started?)\n    fix: hd-setup start recreates it on that network\n');
      expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout) as Status).toMatchObject({ healthy: false, problem: { fix: 'hd-setup start recreates it on that network' } });
      expect(agentCheck(s.env)).toMatchObject({ status: 'fail', message: expect.stringContaining('controller is running, but controller is not on network fivetran_ldp'), fix: 'hd-setup start recreates it on that network' });
      const r = cli([...fixIt, ...rootFlags], { env: s.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain('Recreate container controller (not on network fivetran_ldp)');
      expect(networksOf(s.state, 'controller')).toEqual(['fivetran_ldp']);
      expect(cli(['status'], { env: s.env }).code).toBe(0);
      expect(agentCheck(s.env)?.status).toBe('ok');
    }
    s.server.close();
  }, 90_000);
});

describe('a container of the install\'s name that the user made', () => {
  it('status and doctor say it is not this install\'s (exit 1), with the fix start gives when it refuses it; doctor does not send the user to that start', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const dir = join(s.home, 'fivetran');
    expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
    expect(spawnSync('docker', ['run', '-d', '--name', 'controller', '--label', 'mine=yes', 'example.com/mine:1', 'sleep', '1e5'], { env: s.env }).status).toBe(0);
    const start = cli(['start', ...rootFlags], { env: s.env });
    expect(start.code).toBe(2);
    const fix = 'rename it ("docker rename controller controller-old") or remove it ("docker rm -f controller") yourself, then run again';
    const message = `container controller belongs to no hd-setup install: it was not made by hd-setup (labels: mine=yes), not to the install in ${dir}: hd-setup will not remove, replace, start or stop it`;
    expect(start.stderr).toContain(`${fix}\n`);
    const st = cli(['status'], { env: s.env });
    expect(st.code).toBe(1);
    expect(st.stdout).toContain('  ✖ controller: running, up');
    expect(st.stdout).toContain("image example.com/mine:1 (not this install's)\n");
    expect(st.stdout).toContain(`  ✖ ${message}\n    fix: ${fix}\n`);
    expect(st.stdout).not.toContain('✔');
    expect(st.stdout).not.toContain('hd-setup start');
    const json = JSON.parse(cli(['status', '--json'], { env: s.env }).stdout);
    expect(json).toMatchObject({ healthy: false, foreign: ['controller'], problem: { message, fix } });
    // doctor says it once: container-owner whose it is and the fix, agent that its container is not this
    // install's, referring to it (both said the whole message and fix)
    const doc = cli(['doctor', '--json', ...rootFlags], { env: s.env });
    expect(doc.code).toBe(1);
    const checks = (JSON.parse(doc.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks;
    expect(checks.find((c) => c.id === 'container-owner')).toEqual({ id: 'container-owner', status: 'fail', message, fix });
    expect(checks.find((c) => c.id === 'agent')).toEqual({ id: 'agent', status: 'fail', message: "container controller is not this install's", fix: 'see container-owner: whose it is, and the fix' });
    const text = cli(['doctor', ...rootFlags], { env: s.env });
    expect(text.code).toBe(1);
    expect(text.stdout.split(message)).toHaveLength(2);
    expect(text.stdout.split(fix)).toHaveLength(2);
    expect(text.stdout).toContain("  fail    agent: container controller is not this install's\n          fix: see container-owner: whose it is, and the fix\n  fail    container-owner: ");
    // the configuration file gone, the host checks (container-owner among them) do not run: agent says it whole
    const conf = join(dir, 'conf/config.json');
    renameSync(conf, `${conf}.away`);
    const gone = JSON.parse(cli(['doctor', '--json', ...rootFlags], { env: s.env }).stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] };
    expect(gone.checks.find((c) => c.id === 'container-owner')).toBeUndefined();
    expect(gone.checks.find((c) => c.id === 'agent')).toEqual({ id: 'agent', status: 'fail', message, fix });
    renameSync(`${conf}.away`, conf);
    // once it is out of the way, start runs the install's own again
    expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    s.server.close();
  }, 60_000);
});

describe('restart on Kubernetes (the real helm and kubectl, the in-memory API server)', () => {
  it('is one run counted whole, with no empty plan; the summary names the steps of both halves', async () => {
    const { startBed, CHARTS } = await import('./k8s-api/bed.js');
    const { SECRET_ENV } = await import('./helpers.js');
    const k = await startBed({}, SECRET_ENV);
    try {
      k.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
      const first = await k.hd(['install', '--preset', 'fivetran-kubernetes', '--yes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`]);
      expect(first.code, first.stderr).toBe(0);
      const plain = await k.hd(['restart']);
      expect(plain.code, plain.stderr).toBe(0);
      const counts = [...plain.stderr.matchAll(/^\[(\d+)\/(\d+)\] .* \.\.\./gm)].map((m) => [Number(m[1]), Number(m[2])]);
      const total = counts.length;
      expect(total).toBeGreaterThan(1);
      expect(counts).toEqual(counts.map((_, i) => [i + 1, total]));
      const json = await k.hd(['restart', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; steps?: unknown[]; summary?: { titles: Record<string, string>; done: string[] } });
      expect(events.filter((e) => e.type === 'plan').every((e) => e.steps!.length > 0)).toBe(true);
      const summary = events.find((e) => e.type === 'done')!.summary!;
      for (const id of summary.done) expect(summary.titles[id], id).toBeDefined();
    } finally {
      await k.stop();
    }
  }, 120_000);
});

describe.runIf(hasScript)('the wizard, left open at its review while another run changes the install', () => {
  it('takes the lock and finds the install changed: nothing is done, it says so (it put the memory back to 2048m unseen)', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    let other = -1;
    const r = await drive('cols 100 rows 40', [...rootFlags], s.env, [
      [
        'enter install',
        () => {
          other = cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=3g', '--yes', ...rootFlags], { env: s.env }).code;
          return '\r';
        },
      ],
    ]);
    expect(other).toBe(0);
    expect(r.code, r.out.slice(-800)).toBe(1);
    expect(r.out).toContain(`The install at ${join(s.home, 'fivetran')} changed while the wizard was open (another hd-setup run); nothing was changed. Run hd-setup again to start from it as it is now.`);
    const run = s.calls().filter((c) => c.startsWith('run '));
    expect(run.at(-1)).toContain('--memory=3g');
    s.server.close();
  }, 60_000);
});

describe.runIf(hasScript)('restart on a terminal', () => {
  it('is one screen: "restarting", the stop\'s step, then the start\'s', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = await drive('cols 100 rows 40', ['restart', ...rootFlags], s.env, []);
    expect(r.code, r.out.slice(-800)).toBe(0);
    const frame = lastFrame(r.out).join('\n');
    expect(frame).toContain('hd-setup · restarting Fivetran agent on docker');
    expect(frame.indexOf('✔ Stop controller')).toBeGreaterThan(-1);
    expect(frame.indexOf('✔ Preflight checks')).toBeLessThan(frame.indexOf('✔ Stop controller'));
    expect(frame.indexOf('✔ Stop controller')).toBeLessThan(frame.indexOf('✔ Start container controller'));
    expect(r.out).not.toMatch(/(?<!re)starting Fivetran agent on docker/);
    s.server.close();
  }, 60_000);
});

describe('Kubernetes, uninstalled with its values kept (the real helm and kubectl, the in-memory API server)', () => {
  it('status, doctor and a second uninstall say so; stop is refused; the export installs it again once the token is exported; --purge deletes the values and asks the cluster nothing', async () => {
    const { startBed, CHARTS } = await import('./k8s-api/bed.js');
    const { SECRET_ENV } = await import('./helpers.js');
    const k = await startBed({}, SECRET_ENV);
    try {
      k.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
      const install = ['install', '--preset', 'fivetran-kubernetes', '--yes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`, '--set', 'fivetran.kubernetes.imagePullPolicy=IfNotPresent'];
      expect((await k.hd(install)).code).toBe(0);
      const un = await k.hd(['uninstall', '--yes']);
      expect(un.code, un.stderr).toBe(0);
      const dir = join(k.home, '.config/hd-setup/fivetran/fivetran/hd-agent');
      expect(existsSync(join(dir, 'values.yaml'))).toBe(true);
      expect(existsSync(join(dir, 'token-secret.yaml'))).toBe(false);
      const writes = () => k.api.requests.filter((r) => r.method !== 'GET' && !r.url.includes('selfsubjectaccessreviews')).length;
      const before = writes();

      const st = await k.hd(['status']);
      expect(st.code).toBe(1);
      const note = `not installed: it was uninstalled and the values of release hd-agent in namespace fivetran are kept in ${dir}; install it again (at a terminal: hd-setup; in a script, with FIVETRAN_TOKEN exported (its Secrets went with the release): hd-setup export-preset --out kept.yaml && hd-setup install --preset kept.yaml --yes), or delete the values (hd-setup uninstall --purge)`;
      expect(st.stdout).toBe(`Fivetran agent on Kubernetes — release hd-agent in namespace fivetran\n  ${note}\n`);
      expect(JSON.parse((await k.hd(['status', '--json'])).stdout)).toMatchObject({ installed: false, healthy: false, kept: note });
      const again = await k.hd(['uninstall', '--yes']);
      expect(again.code).toBe(0);
      expect(again.stderr).toBe(`nothing to do: Fivetran agent on Kubernetes is not installed (uninstalled; the values of release hd-agent in namespace fivetran are kept in ${dir}). To delete the values too: hd-setup uninstall --purge\n`);
      const stop = await k.hd(['stop']);
      expect(stop.code).toBe(1);
      expect(stop.stderr).toBe(`error: cannot stop: ${note}\n`);
      const doctor = await k.hd(['doctor', '--json']);
      expect(doctor.code).toBe(1);
      expect(JSON.parse(doctor.stdout)).toMatchObject({ installed: false, ok: false, checks: [{ id: 'installed', status: 'fail' }] });
      expect(writes()).toBe(before);
      // no helm on PATH: the kept values are read all the same
      const noHelm = await k.hd(['status'], { PATH: '/usr/bin:/bin' });
      expect(noHelm.code, noHelm.stderr).toBe(1);
      expect(noHelm.stdout).toContain(note);
      // a broken kept values file: exit 2 naming it, and a fix that works (rm; uninstall --purge would read it too)
      const values = readFileSync(join(dir, 'values.yaml'), 'utf8');
      writeFileSync(join(dir, 'values.yaml'), '- a list\n');
      const broken = await k.hd(['status']);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toBe(`error: ${join(dir, 'values.yaml')}: is not a YAML mapping; fix it by hand (a YAML mapping), or delete it: rm ${join(dir, 'values.yaml')}\n`);
      writeFileSync(join(dir, 'values.yaml'), values);

      // the script status names: without the token, exit 2 before anything is asked of the cluster; with it, back as it was
      const kept = join(tmp('hd-kept-k8s-'), 'kept.yaml');
      expect((await k.hd(['export-preset', '--out', kept])).code).toBe(0);
      const exported = readFileSync(kept, 'utf8');
      expect(exported).toContain('  token: env:FIVETRAN_TOKEN\n');
      expect(exported).toContain('    imagePullPolicy: IfNotPresent\n');
      const noToken = await k.hd(['install', '--preset', kept, '--yes'], { FIVETRAN_TOKEN: '' });
      expect(noToken.code, noToken.stderr).toBe(2);
      expect(noToken.stderr).toBe('error: fivetran.token: environment variable FIVETRAN_TOKEN is empty; export FIVETRAN_TOKEN=... first, or give file:PATH instead\n');
      expect(writes()).toBe(before);
      const back = await k.hd(['install', '--preset', kept, '--yes']);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stderr).toContain(`Found the config an uninstall kept (release hd-agent in namespace fivetran)`);
      expect((await k.helm('get', 'values', 'hd-agent', '-n', 'fivetran', '-o', 'json')).stdout).toContain('"image_pull_policy":"IfNotPresent"');
      expect(JSON.parse((await k.hd(['status', '--json'])).stdout)).toMatchObject({ installed: true });
      const same = await k.hd(['install', '--preset', kept, '--yes']);
      expect(same.stderr).toContain('Changed: nothing');

      // uninstall, then --purge of the kept values: only the local directory goes; the cluster is not asked
      expect((await k.hd(['uninstall', '--yes'])).code).toBe(0);
      // the release made again by hand (helm, the kept values): that is the install now, not the kept config
      const byHand = await k.helm('install', 'hd-agent', join(CHARTS, 'fivetran-0.24.0'), '-n', 'fivetran', '-f', join(dir, 'values.yaml'));
      expect(byHand.code, byHand.stderr).toBe(0);
      expect(JSON.parse((await k.hd(['status', '--json'])).stdout)).toMatchObject({ installed: true });
      expect((await k.hd(['uninstall', '--yes'])).code).toBe(0);
      const afterUninstall = writes();
      const purge = await k.hd(['uninstall', '--purge', '--yes']);
      expect(purge.code, purge.stderr).toBe(0);
      expect(purge.stderr).toContain(`Changed:\n    - removed ${dir}\n`);
      expect(purge.stderr).not.toContain('helm uninstall');
      expect(writes()).toBe(afterUninstall);
      expect(existsSync(dir)).toBe(false);
      expect((await k.hd(['status'])).code).toBe(1);
    } finally {
      await k.stop();
    }
  }, 180_000);
});

describe('Kubernetes: one release name and namespace in two clusters (two in-memory API servers, the real helm and kubectl)', () => {
  it('uninstall of the one keeps the Secret copy they share, and its --purge is refused while the other is recorded: hd-setup keeps both releases\' files in one directory', async () => {
    const { startBed, CHARTS } = await import('./k8s-api/bed.js');
    const { SECRET_ENV } = await import('./helpers.js');
    const k = await startBed({}, SECRET_ENV);
    const k2 = await startBed({}, SECRET_ENV);
    try {
      const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } };
      k.api.seed(pvc);
      k2.api.seed(pvc);
      expect((await k.kubectl('config', 'set-cluster', 'other', `--server=${k2.api.url}`)).code).toBe(0);
      expect((await k.kubectl('config', 'set-context', 'other', '--cluster=other', '--user=test-user')).code).toBe(0);
      const install = ['install', '--preset', 'fivetran-kubernetes', '--yes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`];
      expect((await k.hd([...install, '--context', 'test'])).code).toBe(0);
      const there = await k.hd([...install, '--context', 'other']);
      expect(there.code, there.stderr).toBe(0);
      const dir = join(k.home, '.config/hd-setup/fivetran/fivetran/hd-agent');
      const secretCopy = readFileSync(join(dir, 'token-secret.yaml'), 'utf8');
      expect((await k.hd(['uninstall', '--yes', '--context', 'test'])).code).toBe(0);
      // the plain uninstall leaves the Secret copy, which is the other context's too (it deleted it before)
      expect(readFileSync(join(dir, 'token-secret.yaml'), 'utf8')).toBe(secretCopy);
      const purge = await k.hd(['uninstall', '--purge', '--yes', '--context', 'test']);
      expect(purge.code, purge.stderr).toBe(2);
      expect(purge.stderr).toBe(`error: --purge: ${dir} also holds the files of release hd-agent in namespace fivetran of context other; uninstall without --purge, and delete what is no longer needed there by hand\n`);
      expect(existsSync(join(dir, 'values.yaml'))).toBe(true);
      expect((await k2.helm('status', 'hd-agent', '-n', 'fivetran')).code).toBe(0);
      // the other uninstalled too: no release needs the copy any more, and it goes (a token left in a file otherwise)
      const last = await k.hd(['uninstall', '--yes', '--context', 'other']);
      expect(last.code, last.stderr).toBe(0);
      expect(existsSync(join(dir, 'token-secret.yaml'))).toBe(false);
    } finally {
      await k.stop();
      await k2.stop();
    }
  }, 240_000);
});

describe('a docker install made with DOCKER_HOST (a rootless daemon)', () => {
  it('later commands without DOCKER_HOST reach that daemon, and say so once', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    s.env.HD_STUB_ONLY_HOST = s.env.DOCKER_HOST;
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const { DOCKER_HOST: host, ...without } = s.env;
    // the stub as the real CLI: without DOCKER_HOST it reaches no daemon
    expect(spawnSync('docker', ['ps'], { env: without, encoding: 'utf8' }).stderr).toContain('Cannot connect to the Docker daemon');
    const st = cli(['status'], { env: without });
    expect(st.code, st.stdout + st.stderr).toBe(0);
    expect(st.stdout).toContain('✔ controller: running');
    expect(st.stderr.trim().split('\n')).toEqual([`hd-setup: DOCKER_HOST is not set; using ${host}, the daemon this install was made on`]);
    for (const cmd of ['stop', 'start']) expect(cli([cmd, ...rootFlags], { env: without }).code).toBe(0);
    expect(JSON.parse(cli(['status', '--json'], { env: without }).stdout).healthy).toBe(true);
    // DOCKER_HOST given: it is used, and nothing is said
    expect(cli(['status'], { env: s.env }).stderr).toBe('');
    s.server.close();
  }, 60_000);
});

describe('install dirs of two products', () => {
  it('may not overlap (the --purge of one would delete the other\'s files); nor may a ~/ dir go up with ".." (~/../.. is /)', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    for (const dir of ['~/fivetran', '~/fivetran/sub']) {
      const r = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, '--set', `tobiko.docker.installDir=${dir}`], { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: tobiko.docker.installDir: ${dir.replace('~', s.home)} overlaps ${s.home}/fivetran, the install dir of Fivetran agent on docker; give each product a folder of its own, e.g. ~/tobiko\n`);
    }
    expect(existsSync(join(s.home, 'fivetran/sub'))).toBe(false);
    expect(s.calls().slice(n).filter((c) => /^(run|rm|pull|network create) /.test(c))).toEqual([]);
    for (const dir of ['~/../..', '~/x/../../../etc/hd']) {
      const r = cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags, '--set', `fivetran.installDir=${dir}`], { env: s.env });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('error: fivetran.installDir: must not use ".." (it can leave the home folder for a folder of the system); give a folder of its own, e.g. ~/agent or /opt/agent\n');
    }
    s.server.close();
  });
});
