// The real CLI executing real plans against a stub container runtime that answers at once.
// (The real docker/podman runs are in test/e2e.)
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, TOKEN, cli, cliAsync, expectNoSecrets, CLIENT_SECRET, WAREHOUSE_PASSWORD } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';



describe('the config hash label (readable by whoever may inspect the container) holds no secret', () => {
  const hashes = (calls: string[]) => calls.filter((c) => c.startsWith('run ')).map((c) => /hd-setup\.config-hash=([0-9a-f]+)/.exec(c)?.[1]);
  it.each([
    ['Fivetran: a new token', 'fivetran-docker', [], (v: string) => ({ FIVETRAN_TOKEN: Buffer.from(`clever_tiger:${v}`).toString('base64') }), ['controller']],
    ['Fivetran: a new proxy password', 'fivetran-docker', [['proxy.https', 'env:PROXY_URL']], (v: string) => ({ PROXY_URL: `http://bob:${v}@proxy:3128` }), ['controller']],
    ['Tobiko: a new gateway password', 'tobiko-docker', [], (v: string) => ({ WAREHOUSE_PASSWORD: v }), ['tcloud-apply-executor', 'tcloud-run-executor']],
    ['Tobiko: a new client secret', 'tobiko-docker', [], (v: string) => ({ TCLOUD_CLIENT_SECRET: v }), ['tcloud-apply-executor', 'tcloud-run-executor']],
    // (a trial tested guesses of it through --dry-run against the label: it went into the hash unmasked)
    ['Tobiko: a new extra env var named as a secret', 'tobiko-docker', [['tobiko.docker.extraEnv', '[{"name":"AWS_SECRET_ACCESS_KEY","value":"env:AWS_KEY"}]']], (v: string) => ({ AWS_KEY: `aws-${v}-Summer2024!` }), ['tcloud-apply-executor', 'tcloud-run-executor']],
  ])('%s: the same label, yet the containers are recreated to read it', async (_what, preset, sets, secret, containers) => {
    const s = await stubEnv();
    const args = (v: string) => ['install', '--preset', preset, '--yes', ...rootFlags, ...(sets as string[][]).flatMap(([k, ref]) => ['--set', `${k}=${ref}`])];
    const env = (v: string) => ({ ...s.env, TCLOUD_CLIENT_SECRET: 'cs-1', WAREHOUSE_PASSWORD: 'wp-1', PROXY_URL: 'http://bob:pp-1@proxy:3128', ...secret(v) });
    const first = cli(args('a'), { env: env('a') });
    expect(first.code, first.stderr).toBe(0);
    const before = hashes(s.calls());
    expect(before).toHaveLength((containers as string[]).length);
    for (const h of before) expect(h).toMatch(/^[0-9a-f]{16}$/);
    const mid = s.calls().length;
    const rotated = cli(args('b'), { env: env('b') });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(hashes(s.calls().slice(mid))).toEqual(before);
    for (const c of containers as string[]) {
      expect(s.calls().slice(mid)).toContain(`rm -f ${c}`);
      expect(rotated.stderr).toContain(`Recreate container ${c} (its config file changed)`);
    }
    s.server.close();
  });
});

describe('install on a stub runtime', () => {
  it('doctor says whether the agent runs: ok, a container that exited fails with the way to see why (it checked the host only), one stopped with hd-setup stop is a warning', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const agent = () => (JSON.parse(cli(['doctor', '--json', ...rootFlags], { env: s.env }).stdout) as { checks: { id: string }[] }).checks.find((c) => c.id === 'agent');
    expect(agent()).toEqual({ id: 'agent', status: 'ok', message: 'controller is running' });
    writeFileSync(join(s.env.HD_STUB_STATE!, 'containers/controller.status'), 'exited\n');
    expect(agent()).toEqual({ id: 'agent', status: 'fail', message: 'controller is exited', fix: 'see why: docker logs controller; then hd-setup start' });
    expect(cli(['stop', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(agent()).toMatchObject({ id: 'agent', status: 'warn', message: expect.stringMatching(/^controller is exited: stopped with hd-setup stop \(/), fix: 'hd-setup start' });
    // removed by hand: no logs to see (they went with it), and start runs it again
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    rmSync(join(s.env.HD_STUB_STATE!, 'containers/controller'), { recursive: true, force: true });
    expect(agent()).toEqual({ id: 'agent', status: 'fail', message: 'controller is not there', fix: 'hd-setup start (it runs it again as it was installed)' });
    s.server.close();
  });
  it('export-preset names the choices it was installed with (--allow-root, --skip-check), which a preset does not hold; with them, the CI path is a no-op (it failed on the skipped check)', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--skip-check', 'disk', ...rootFlags], { env: s.env }).code).toBe(0);
    const out = join(s.home, 'exported.yaml');
    const exp = cli(['export-preset', '--out', out], { env: s.env });
    expect(exp.code, exp.stderr).toBe(0);
    const flags = '--allow-root --skip-check disk';
    expect(exp.stderr).toContain(`Installed with ${flags}, which a preset does not hold: add them when you install from it: hd-setup install --preset ${out} ${flags} --yes\n`);
    // where the values the variables stand for are (moving the install: the user must find them), never the values
    const kept = `Their values are in ${join(s.home, 'fivetran/conf/config.json')} (0600) on this host: a re-run here keeps them when they are not exported; on another host, export them first.`;
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 4).join('\n')).toBe(`# Exported by hd-setup from ${join(s.home, 'fivetran')}\n# Secrets are references: export FIVETRAN_TOKEN before using it.\n# ${kept}\n# It was installed with ${flags}, which a preset does not hold: add them when you install from it: hd-setup install --preset <this file> ${flags} --yes`);
    expect(exp.stderr).toContain(`Secrets are env: references (FIVETRAN_TOKEN). ${kept}\n`);
    const again = cli(['install', '--preset', out, ...flags.split(' '), '--yes'], { env: { ...s.env, CI: 'true' } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    // as it says: here, with the variable not exported, the install's own is kept
    const { FIVETRAN_TOKEN: _t, ...without } = s.env;
    const here = cli(['install', '--preset', out, ...flags.split(' '), '--yes'], { env: { ...without, CI: 'true' } });
    expect(here.code, here.stderr).toBe(0);
    expect(here.stderr).toContain('Changed: nothing');
    s.server.close();
  });
  it('fivetran-docker: installs, a re-run changes nothing, a changed config recreates the container', async () => {
    const s = await stubEnv();
    const r1 = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r1.code, r1.stderr).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    for (const d of ['', 'conf', 'data', 'logs', 'tmp']) expect(statSync(join(s.home, 'fivetran', d)).mode & 0o777).toBe(0o700);
    const run = s.calls().find((c) => c.startsWith('run '))!;
    expect(run).toContain('--restart on-failure:3');
    expect(run).toContain(`-v ${s.home}/fivetran/conf:/conf -v ${s.home}/fivetran/logs:/logs -v ${s.home}/runtime.sock:/var/run/docker.sock`);
    expect(run).toContain('--env CONTAINER_ENV_TYPE=docker');
    expect(run).toMatch(/ -f \/conf\/config\.json$/);
    expect(s.calls()).toContain('network create --driver bridge fivetran_ldp');
    expect(r1.stderr).toContain('✔ Fivetran agent on docker: done.');
    expect(r1.stderr).toContain('sudo loginctl enable-linger');
    expectNoSecrets(r1.stdout + r1.stderr + s.calls().join('\n'));

    const before = s.calls().length;
    const r2 = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r2.code, r2.stderr).toBe(0);
    const again = s.calls().slice(before);
    expect(again.filter((c) => /^(run|rm|network create|start) /.test(c))).toEqual([]);
    expect(r2.stderr).toContain('skipped: already running with the same configuration');
    // a step that changed nothing is shown skipped (↷), not done (✔): only the preflight ran
    expect(r2.stderr).toMatch(/\[(\d+)\/\d+\] Write configuration files \.\.\.\n\[\1\/\d+\] skipped: unchanged\n/);
    // done: only the checks (preflight, the wait for the running container); all else skipped
    expect(r2.stderr.match(/^\[\d+\/\d+\] (?!skipped|done)(?!.* \.\.\. skipped: ).*$/gm)!.filter((l) => !/Preflight|Wait until/.test(l)).map((l) => r2.stderr.includes(`${l.split(' ')[0]} skipped:`))).not.toContain(false);

    const mid = s.calls().length;
    const r3 = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env });
    expect(r3.code, r3.stderr).toBe(0);
    const changed = s.calls().slice(mid);
    expect(changed).toContain('rm -f controller');
    expect(changed.some((c) => c.startsWith('run '))).toBe(true);
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBe('http://proxy.internal:3128');
    const backups = readdirSync(join(s.home, 'fivetran/conf')).filter((f) => f.startsWith('config.json.bak-'));
    expect(backups).toHaveLength(1);
    expect(statSync(join(s.home, 'fivetran/conf', backups[0]!)).mode & 0o777).toBe(0o600);
    expect(r3.stderr).toContain('Recreate container controller (its config file changed)');
    s.server.close();
  });

  it('works from any directory, with spaces in paths', async () => {
    const s = await stubEnv();
    const dir = join(s.home, 'my agents/fivetran home');
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', `fivetran.installDir=${dir}`, ...rootFlags], { env: s.env, cwd: '/' });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, 'conf/config.json')).mode & 0o777).toBe(0o600);
    const run = s.calls().find((c) => c.startsWith('run '))!;
    expect(run).toContain(`-v ${dir}/conf:/conf`);
    const st = cli(['status', '--json'], { env: s.env, cwd: '/tmp' });
    expect(JSON.parse(st.stdout).where).toBe(dir);
    s.server.close();
  });

  it('status, doctor --bundle (no secret inside), export-preset, stop/start, uninstall --purge', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const st = cli(['status', '--json'], { env: s.env, cwd: '/' });
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ product: 'tobiko', runtime: 'docker', healthy: true });
    const bundle = join(s.home, 'diag.tgz');
    const doc = cli(['doctor', '--bundle', bundle, '--json'], { env: s.env });
    expect(JSON.parse(doc.stdout).checks.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['runtime-version', 'socket', 'reachability', 'clock-skew']));
    const { spawnSync } = await import('node:child_process');
    const content = spawnSync('tar', ['-xzOf', bundle], { encoding: 'utf8' }).stdout;
    expect(content).toContain('TCLOUD_URL=https://cloud.tobikodata.com/sqlmesh/acme/analytics');
    expect(content).not.toContain(CLIENT_SECRET);
    expect(content).not.toContain(WAREHOUSE_PASSWORD);
    const exp = cli(['export-preset'], { env: s.env });
    expect(exp.stdout).toContain('clientSecret: env:TCLOUD_CLIENT_SECRET');
    expect(exp.stdout).toContain('password: env:WAREHOUSE_PASSWORD');
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    expect(s.calls()).toContain('stop -t 10 tcloud-apply-executor tcloud-run-executor');
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    // a rotated client secret: the env-file is backed up (0600) with the old one in it
    const ROTATED = 'rotated-client-secret-5e1f';
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: { ...s.env, TCLOUD_CLIENT_SECRET: ROTATED } }).code).toBe(0);
    const backups = readdirSync(join(s.home, 'tobiko')).filter((n) => n.startsWith('tobiko.env.bak-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(s.home, 'tobiko', backups[0]!), 'utf8')).toContain(CLIENT_SECRET);
    // --purge deletes it with the env-file: no secret of this install stays on disk, and the dry-run says so first
    const dry = cli(['uninstall', '--purge', '--dry-run'], { env: s.env });
    expect(dry.stdout + dry.stderr).toContain(join(s.home, 'tobiko', backups[0]!));
    const un = cli(['uninstall', '--yes', '--purge'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(un.stderr).not.toContain('kept');
    expect(existsSync(join(s.home, 'tobiko'))).toBe(false);
    expect(s.calls()).toContain('rm -f tcloud-apply-executor tcloud-run-executor');
    s.server.close();
  });

  it('a re-run finds the pull policy and memory it set (container labels), so they are kept', async () => {
    const s = await stubEnv();
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, '--set', 'fivetran.pullPolicy=missing', '--set', 'fivetran.memory=4g'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(s.calls().join('\n')).toMatch(/--label hd-setup.pull-policy=missing --label hd-setup.memory=4g/);
    const exp = cli(['export-preset'], { env: s.env });
    expect(exp.stdout).toContain('pullPolicy: missing');
    expect(exp.stdout).toContain('memory: 4g');
    s.server.close();
  });

  it('doctor probes the endpoints through the proxy the install uses (CONNECT, credentials), masked', async () => {
    // A proxy that records each CONNECT and refuses it: the probe must have gone through it.
    const seen: string[] = [];
    const proxy = createServer((sock) => {
      sock.once('data', (d) => {
        const head = d.toString('latin1').split('\r\n');
        seen.push(`${head[0]} | ${head.find((l) => /^proxy-authorization:/i.test(l)) ?? ''}`);
        sock.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => proxy.once('listening', r));
    const port = (proxy.address() as { port: number }).port;
    const s = await stubEnv();
    const set = ['--set', `proxy.https=http://bob:pr0xy-pw@127.0.0.1:${port}`, '--set', 'proxy.noProxy=[api.fivetran.com]'];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, ...set], { env: s.env }).code).toBe(0);
    const out = (await cliAsync(['doctor', '--json'], { env: s.env })).stdout;
    proxy.close();
    s.server.close();
    expect(seen[0]).toMatch(/^CONNECT ldp\.orchestrator\.fivetran\.com:443 HTTP\/1\.1 \| proxy-authorization: Basic /i);
    expect(Buffer.from(seen[0]!.split('Basic ')[1]!, 'base64').toString()).toBe('bob:pr0xy-pw');
    expect(seen).toHaveLength(1); // api.fivetran.com is in noProxy: probed directly
    const checks = JSON.parse(out).checks as { id: string; status: string; message: string }[];
    const reach = checks.filter((c) => c.id === 'reachability');
    expect(reach[0]).toMatchObject({ status: 'fail', message: expect.stringContaining(`through the proxy http://bob:********@127.0.0.1:${port}`) });
    expect(reach[1]!.message).not.toContain('through the proxy');
    expect(out).not.toContain('pr0xy-pw');
  });

  it('restarts a stopped agent with the same config instead of deleting it', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    writeFileSync(join(s.state, 'containers/controller.status'), 'exited\n');
    const before = s.calls().length;
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const calls = s.calls().slice(before);
    expect(calls).toContain('start controller');
    expect(calls.some((c) => c.startsWith('rm '))).toBe(false);
    s.server.close();
  });

  it('a container that exits shows its logs and the fix, exit 1', async () => {
    const s = await stubEnv('docker', { HD_STUB_RUN_STATUS: 'exited' });
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAILED: controller exited with code');
    expect(r.stderr).toContain('ERROR Invalid token: authentication failed (401)');
    expect(r.stderr).toMatch(/fix: see "docker logs controller"/);
    expect(r.stderr).toContain('failed at "Wait until controller is running"');
    s.server.close();
  });

  it('a recreate whose run fails: the summary lists only what ran (the old container removed), not the recreate; the fix does not send to the logs alone', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', 'tobiko.docker.restartPolicy=always', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'run' } });
    expect(r.code).toBe(1);
    const changed = r.stderr.slice(r.stderr.indexOf('  Changed:'));
    expect(changed).toMatch(/- Recreate container tcloud-apply-executor \(restart policy unless-stopped -> always\): not finished; it ran "\S*docker rm -f tcloud-apply-executor"\n/);
    expect(changed).not.toMatch(/- Recreate container tcloud-apply-executor \(restart policy unless-stopped -> always\)\n/);
    expect(r.stderr).toContain('Fix:   read the error above; a container that was made but did not start says why in "docker logs tcloud-apply-executor"; then run the same command again');
    // the same command again, once the runtime works: done
    const again = cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', 'tobiko.docker.restartPolicy=always', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    s.server.close();
  });

  it('a pull that fails (offline): the fix names the exact pull-policy setting of the product, no placeholder', async () => {
    for (const [preset, setting, runtime] of [
      ['fivetran-docker', 'fivetran.pullPolicy', 'docker'],
      ['fivetran-podman', 'fivetran.pullPolicy', 'podman'],
      ['tobiko-docker', 'tobiko.docker.pullPolicy', 'docker'],
    ] as const) {
      const s = await stubEnv(runtime, { HD_STUB_FAIL: 'pull' });
      const r = cli(['install', '--preset', preset, '--yes', ...rootFlags, '--skip-check', 'runtime-version'], { env: s.env });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('no such host');
      // the error itself, not what the runtime said before it (podman: "Trying to pull …")
      expect(r.stderr).toMatch(/^ {2}Error: Error response from daemon: Get "https:\/\/registry\.example\/v2\/": dial tcp: lookup registry\.example: no such host$/m);
      expect(r.stderr).toMatch(new RegExp(`Fix: +check registry access from this host .*load the image yourself and use --set ${setting.replace('.', '\\.')}=never$`, 'm'));
      expect(r.stderr).not.toMatch(/<product>|<runtime>/);
      // where a proxy goes: podman pulls in its own process (it has no daemon to configure)
      expect(r.stderr).toContain(runtime === 'podman' ? '(behind a proxy: export HTTPS_PROXY before running hd-setup; podman pulls in its own process)' : "(behind a proxy: HTTPS_PROXY in the docker daemon's environment, not this shell's)");
      s.server.close();
    }
  });

  it('status of an install that failed at the pull says it did not finish (it said only "Not running"); once start finishes it, it does not', async () => {
    const s = await stubEnv('docker', { HD_STUB_FAIL: 'pull' });
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(failed.code).toBe(1);
    // a first install that fails says how to remove what it made
    expect(failed.stderr).toContain('\n  Undo:  hd-setup uninstall   (removes what this install made; its config stays until --purge)\n');
    const st = cli(['status'], { env: s.env });
    expect(st.code).toBe(1);
    expect(st.stdout).toContain('\nNot running: the last install did not finish (it failed or was stopped). Finish it: hd-setup start (or run the install again)   Diagnose: hd-setup doctor\n');
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout).unfinished).toBe(true);
    const env = { ...s.env, HD_STUB_FAIL: '' };
    expect(cli(['start', ...rootFlags], { env }).code).toBe(0);
    const after = cli(['status'], { env });
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).not.toContain('did not finish');
    expect(JSON.parse(cli(['status', '--json'], { env }).stdout).unfinished).toBeUndefined();
    // no such Undo where the install was there before this run (its record lost, a fresh HOME's
    // config: uninstall would remove a running agent), nor where the run changed nothing (preflight)
    rmSync(join(s.home, '.config/hd-setup/installs.json'));
    rmSync(join(s.home, '.config/systemd/user/hd-fivetran-agent.service')); // written again, with no backup: a change
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, '--set', 'fivetran.memory=3000m'], { env: { ...env, HD_STUB_FAIL: 'pull' } });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Found an existing install');
    expect(again.stderr).not.toContain('Undo:  hd-setup uninstall');
    const fresh = await stubEnv('docker', { HD_STUB_VERSION: '1.0.0' });
    const refused = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: fresh.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Changed: nothing');
    expect(refused.stderr).not.toContain('Undo:');
    fresh.server.close();
    s.server.close();
  });

  it('a failing command reports the error and the fix, and what was not done', async () => {
    const s = await stubEnv('docker', { HD_STUB_FAIL: 'run' });
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is already in use');
    expect(r.stderr).toContain('Fix:');
    expect(r.stderr).toContain('Not done: Wait until controller is running, Start on boot');
    s.server.close();
  });

  it('reports skipped checks, and fails preflight with a fix', async () => {
    const s = await stubEnv();
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--skip-check', 'memory', ...rootFlags], { env: s.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('skip memory: skipped (--skip-check memory)');
    expect(r.stderr).toContain('memory: skipped by --skip-check');
    if (process.getuid?.() === 0) {
      // a first install (a re-run takes --allow-root from the install)
      const fresh = await stubEnv();
      const root = cli(['install', '--preset', 'fivetran-docker', '--yes'], { env: fresh.env });
      expect(root.code).toBe(1);
      expect(root.stderr).toContain('FAIL not-root: running as root');
      expect(root.stderr).toContain('pass --allow-root');
      fresh.server.close();
    }
    s.server.close();
  });

  it('--json emits JSON-lines events and no secret', async () => {
    const s = await stubEnv();
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--json', ...rootFlags], { env: s.env });
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].type).toBe('plan');
    expect(events.at(-1)).toMatchObject({ type: 'done', summary: { ok: true } });
    expect(events.filter((e) => e.type === 'step:start').length).toBeGreaterThan(3);
    expectNoSecrets(r.stdout + r.stderr);
    // a run that fails: its last line says where and why, and names no next step (the text summary shows none;
    // they named a config file it never wrote); bad input is one line too
    const fresh = await stubEnv();
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', '--json', ...rootFlags], { env: { ...fresh.env, HD_STUB_FAIL: 'pull' } });
    expect(failed.code).toBe(1);
    const lines = failed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'done', summary: { ok: false, failed: 'image', error: expect.any(String), nextSteps: [] } });
    const bad = cli(['install', '--preset', 'fivetran-docker', '--yes', '--json', '--set', 'fivetran.memory=lots', ...rootFlags], { env: fresh.env });
    expect(bad.code).toBe(2);
    expect(bad.stdout.split('\n').map((l) => l && JSON.parse(l))).toEqual([{ errors: [{ path: 'fivetran.memory', message: expect.any(String) }] }, '']);
    s.server.close();
    fresh.server.close();
  });

  it('the dry-run\'s commands are shell lines to copy: a folder with a space in its name is quoted, its mkdir too', async () => {
    const s = await stubEnv();
    const r = cli(['install', '--preset', 'fivetran-docker', '--dry-run', '--set', 'fivetran.installDir=~/my agent', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`       mkdir -p -m 0700 '${s.home}/my agent/conf'   (missing)\n`);
    expect(r.stdout).toContain(` -v '${s.home}/my agent/conf:/conf' `);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.installDir=~/my agent', ...rootFlags], { env: s.env }).code).toBe(0);
    const purge = cli(['uninstall', '--purge', '--dry-run', ...rootFlags], { env: s.env });
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain(`rm -rf '${s.home}/my agent/conf'`);
    expect(purge.stdout).toContain(`rmdir '${s.home}/my agent'   (if nothing else is left in it)`);
    s.server.close();
  });

  it('tobiko-docker: two executors from a 0600 env-file, no secret on argv', async () => {
    const s = await stubEnv();
    const r = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const envFile = join(s.home, 'tobiko/tobiko.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const runs = s.calls().filter((c) => c.startsWith('run '));
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(new RegExp(`--name tcloud-apply-executor --restart unless-stopped .*--env-file ${envFile} tobikodata/tcloud:latest executor apply$`));
    expect(runs[1]).toMatch(/--name tcloud-run-executor .* executor run$/);
    // each executor's logs command on a line of its own (a narrow terminal wrapped inside the second)
    expect(r.stderr).toMatch(/^ {4}Logs: {4}\S*docker logs -f tcloud-apply-executor\n {13}\S*docker logs -f tcloud-run-executor\n/m);
    const all = s.calls().join('\n') + r.stdout + r.stderr;
    expect(all).not.toContain(CLIENT_SECRET);
    expect(all).not.toContain(WAREHOUSE_PASSWORD);
    // a re-run: the executors are "executors" wherever a step speaks of what runs, never "the agent"
    const again = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Pull image tobikodata/tcloud:latest');
    expect(again.stderr).not.toMatch(/\bthe agent\b/);
    s.server.close();
  });

  it('podman: a short image name it cannot resolve (no unqualified-search registries) is pulled as docker.io\'s; one it resolves is pulled as given; the container runs the name as given', async () => {
    for (const noSearch of ['1', '']) {
      const s = await stubEnv('podman', { HD_STUB_NO_SEARCH: noSearch });
      const r = cli(['install', '--preset', 'tobiko-docker', '--set', 'runtime=podman', '--yes', ...rootFlags, '--skip-check', 'runtime-version'], { env: s.env });
      expect(r.code, r.stderr).toBe(0);
      const pulls = s.calls().filter((c) => c.startsWith('pull '));
      expect(pulls).toEqual(noSearch ? ['pull tobikodata/tcloud:latest', 'pull docker.io/tobikodata/tcloud:latest'] : ['pull tobikodata/tcloud:latest']);
      if (noSearch) expect(r.stderr).toContain('podman could not resolve the short name tobikodata/tcloud:latest: pulling docker.io/tobikodata/tcloud:latest, the image docker pulls for it');
      expect(s.calls().filter((c) => c.startsWith('run ')).every((c) => / tobikodata\/tcloud:latest executor (apply|run)$/.test(c))).toBe(true);
      s.server.close();
    }
    // the plan says so before the run
    const s = await stubEnv('podman');
    const dry = cli(['install', '--preset', 'tobiko-docker', '--set', 'runtime=podman', '--dry-run', ...rootFlags, '--skip-check', 'runtime-version'], { env: s.env });
    expect(dry.stdout).toMatch(/^ {7}\$ \S*podman pull tobikodata\/tcloud:latest\n {9}when its error says "short-name": \$ \S*podman pull docker\.io\/tobikodata\/tcloud:latest\n/m);
    s.server.close();
  });

  it('a check skipped with --skip-check is said in the plan (the dry-run, its --json, the confirmation): it listed the check as made', async () => {
    const s = await stubEnv('podman', { HD_STUB_ROOTLESS: 'true' });
    const args = ['install', '--preset', 'fivetran-podman', ...rootFlags, '--skip-check', 'runtime-version', '--skip-check', 'disk'];
    const dry = cli([...args, '--dry-run'], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^ {7}checks: runtime-present, socket, .*; skipped \(--skip-check\): runtime-version, disk$/m);
    expect(dry.stdout).not.toMatch(/checks: .*runtime-version.*;/);
    const json = JSON.parse(cli([...args, '--dry-run', '--json'], { env: s.env }).stdout);
    const pre = json.steps.find((x: { id: string }) => x.id === 'preflight').actions[0];
    expect(pre.skipped).toEqual(['runtime-version', 'disk']);
    expect(pre.checks).not.toContain('runtime-version');
    // a lifecycle command's dry-run: those skipped at the install, and those given now
    expect(cli([...args, '--yes'], { env: s.env }).code).toBe(0);
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    const start = cli(['start', '--dry-run', '--skip-check', 'memory'], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/; skipped \(--skip-check\): runtime-version, disk, memory$/m);
    s.server.close();
  });

  it.each([
    ['podman', 'fivetran-podman', 'v1', true],
    ['podman', 'fivetran-podman', 'v2', false],
    ['docker', 'fivetran-docker', '1', false], // rootful: its limits apply
  ] as const)('%s on cgroups %s: a memory limit the runtime would ignore (rootless, cgroups v1) is a warning, not "set"', async (runtime, preset, cgroups, warned) => {
    const s = await stubEnv(runtime, { HD_STUB_ROOTLESS: 'true', HD_STUB_CGROUPS: cgroups });
    const r = cli(['install', '--preset', preset, '--yes', '--set', 'fivetran.memory=3g', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const line = `the container memory limit (3g) is not applied: rootless ${runtime} on cgroups v1 cannot limit memory`;
    if (warned) expect(r.stderr).toMatch(new RegExp(`^ {4}- memory: .*; ${line.replace(/[()]/g, '\\$&')} \\(fix: .*the limit applies on cgroups v2 \\(the unified hierarchy\\), or with a rootful runtime\\)$`, 'm'));
    else expect(r.stderr).not.toContain('is not applied');
    // doctor and restart say it too, in the same words (the memory check's), as often as the install does
    // (they did not: doctor's and restart's checks had no limits to judge)
    const times = (t: string) => t.split(line).length - 1;
    const doctor = cli(['doctor', '--json', ...rootFlags], { env: s.env });
    const memory = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; message: string }[] }).checks.filter((c) => c.id === 'memory');
    expect(memory).toHaveLength(1);
    expect(times(memory[0]!.message)).toBe(warned ? 1 : 0);
    expect(times(cli(['doctor', ...rootFlags], { env: s.env }).stdout)).toBe(warned ? 1 : 0);
    const restart = cli(['restart', '--yes', ...rootFlags], { env: s.env });
    expect(restart.code, restart.stderr).toBe(0);
    expect(times(restart.stderr)).toBe(times(r.stderr));
    s.server.close();
  });

  it('rootless podman: mounts the user socket, sets CONTAINER_ENV_TYPE=podman', async () => {
    const s = await stubEnv('podman', { HD_STUB_ROOTLESS: 'true' });
    const r = cli(['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags, '--skip-check', 'runtime-version'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const run = s.calls().find((c) => c.startsWith('run '))!;
    expect(run).toContain(`-v ${s.home}/runtime.sock:/run/user/1000/podman/podman.sock`);
    expect(run).toContain('--env CONTAINER_ENV_TYPE=podman');
    expect(r.stderr).toContain('rootless podman, socket');
    s.server.close();
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while a re-run probes (before the plan): it says nothing was changed, and nothing is (the install went on in the half second the exit waits, and was cut off half-way: an executor removed)', async (sig, code) => {
    const s = await stubEnv('docker', { CI: 'true', NO_COLOR: '1' });
    const base = ['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags];
    expect(cli(base, { env: s.env }).code).toBe(0);
    const files = () => readdirSync(s.home, { recursive: true }).filter((f) => !String(f).startsWith('.stub')).map(String).sort();
    const before = { files: files(), env: readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8') };
    const n = s.calls().length;
    const child = spawn(process.execPath, [BIN, ...base, '--set', 'tobiko.docker.extraEnv[0].name=FOO', '--set', 'tobiko.docker.extraEnv[0].value=bar'], { env: { ...s.env, HD_STUB_SLOW: 'inspect' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    // the first probe of the re-run (the stub sleeps 1 s in it)
    while (!s.calls().slice(n).some((c) => c.startsWith('container inspect'))) await new Promise((r) => setTimeout(r, 5));
    child.kill(sig);
    expect(await exited).toBe(code);
    expect(err).toBe(`\nInterrupted (${sig}) before any change, nothing was changed; stopped 1 running command.\n`);
    expect(out).toBe('');
    await new Promise((r) => setTimeout(r, 300)); // a child it left would still call the runtime
    expect(s.calls().slice(n)).toEqual(['container inspect tcloud-apply-executor tcloud-run-executor']);
    expect({ files: files(), env: readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8') }).toEqual(before);
    s.server.close();
  });

  it('Ctrl-C stops the running child, marks the rest cancelled, and leaves no half-written file', async () => {
    const s = await stubEnv('docker', { HD_STUB_SLOW: 'pull', CI: 'true', NO_COLOR: '1' });
    const child = spawn(process.execPath, [BIN, 'install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const t0 = Date.now();
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('latest: Pulling from stub') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(code).toBe(130);
    expect(err).toContain('[4/7] cancelled');
    expect(err).toContain('[5/7] cancelled');
    expect(err).toContain('cancelled.');
    expect(err).toContain(`Not done: Pull image ${'us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production'}, Run container controller, Wait until controller is running, Start on boot`);
    expect(err).toMatch(/Changed:\n\s+- made folders .*\/fivetran\/tmp \(0700\)\n\s+- wrote .*config\.json/);
    expect(JSON.parse(readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8')).token).toBe(TOKEN);
    expect(readdirSync(join(s.home, 'fivetran/conf')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    s.server.close();
  });
});
