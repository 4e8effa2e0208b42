// doctor before an install: the host checks for the product and runtime given (--preset/--set) or asked
// on a terminal, as the vendor's precheck scripts do; exit 0 (no failure), 1 (a check failed), 2 (bad input).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, SECRET_ENV, TOKEN, cli, cliAsync, expectNoSecrets, tmp } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';
import { drive, hasScript } from './wizard/pty-helpers.js';

const isRoot = process.getuid?.() === 0;

describe('doctor before an install', () => {
  it('an install directory under a file (not a folder): the fix names the install-dir setting of the product in hand', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    writeFileSync(join(s.home, 'blocker'), 'a file, not a folder\n', { mode: 0o644 });
    for (const [preset, setting] of [
      ['fivetran-docker', 'fivetran.installDir'],
      ['tobiko-docker', 'tobiko.docker.installDir'],
    ] as const) {
      const r = cli(['doctor', '--preset', preset, '--json', '--set', `${setting}=~/blocker/agent`, ...rootFlags], { env: s.env });
      const dir = (JSON.parse(r.stdout).checks as { id: string }[]).find((c) => c.id === 'install-dir');
      expect(dir, r.stderr).toEqual({
        id: 'install-dir',
        status: 'fail',
        message: `${s.home}/blocker/agent cannot be made: ${s.home}/blocker is a file, not a folder`,
        fix: `move ${s.home}/blocker away, or choose another directory with --set ${setting}=...`,
        noSkip: true, // (an install would stop at it all the same: no --skip-check is offered)
      });
      expect(r.code).toBe(1);
    }
    s.server.close();
  }, 60_000);

  it('--preset: the checks an install of it would run, on this host; nothing written', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    const before = readdirSync(s.home).sort();
    const r = cli(['doctor', '--preset', 'fivetran-docker', '--json', ...rootFlags], { env: s.env });
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ product: 'fivetran', runtime: 'docker', installed: false });
    const ids = j.checks.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['runtime-present', 'runtime-version', 'socket', 'not-root', 'disk', 'memory', 'install-dir', 'reachability', 'clock-skew']));
    expect(ids).not.toContain('boot'); // nothing to start on boot yet
    expect(j.checks.find((c: { id: string }) => c.id === 'socket').status).toBe('ok');
    expect(r.code).toBe(j.ok ? 0 : 1);
    expect(readdirSync(s.home).sort()).toEqual(before);
    expect(existsSync(join(s.home, 'fivetran'))).toBe(false);
    expectNoSecrets(r.stdout + r.stderr);
    const text = cli(['doctor', '--preset', 'fivetran-docker', ...rootFlags], { env: s.env });
    expect(text.stdout).toMatch(/^hd-setup doctor: Fivetran agent on docker \(not installed yet: the checks an install would run\)\n/);
    s.server.close();
  }, 60_000);

  it("no API socket: Fivetran's preflight fails (its agent starts jobs through it), Tobiko's does not (its executors never mount it)", async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    s.server.close(); // the daemon answers its CLI, but the socket file is gone
    const socketOf = (preset: string) => JSON.parse(cli(['doctor', '--preset', preset, '--json', ...rootFlags], { env: s.env }).stdout).checks.find((c: { id: string }) => c.id === 'socket');
    expect(socketOf('fivetran-docker')).toMatchObject({ status: 'fail', message: expect.stringMatching(/its API socket .* does not exist; the agent starts its jobs through it$/) });
    expect(socketOf('tobiko-docker')).toEqual({ id: 'socket', status: 'ok', message: 'rootful docker, reachable (its API socket is not mounted by this install)' });
  }, 60_000);

  it('a proxy whose host name does not resolve is named as the cause (not the endpoint, nor CONNECT or credentials)', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    const r = cli(['doctor', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://bob:pw-x1@proxy.invalid:3128', '--json', ...rootFlags], { env: s.env });
    const reach = JSON.parse(r.stdout).checks.filter((c: { id: string }) => c.id === 'reachability');
    expect(reach.length).toBeGreaterThan(0);
    for (const c of reach) {
      expect(c).toMatchObject({ status: 'fail', message: expect.stringMatching(/^the proxy host proxy\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\), so \S+ was not reached$/), fix: "check the proxy's host name in proxy.https, and this host's DNS (getent hosts proxy.invalid)" });
    }
    expect(r.stdout).not.toContain('pw-x1');
    s.server.close();
  }, 60_000);

  it('no secret given (--preset, --set): the host checks run all the same, and say which secret was not given', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    const env = { ...s.env, FIVETRAN_TOKEN: undefined, TCLOUD_CLIENT_SECRET: undefined, WAREHOUSE_PASSWORD: undefined };
    const r = cli(['doctor', '--preset', 'fivetran-docker', '--json', ...rootFlags], { env });
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ product: 'fivetran', runtime: 'docker', installed: false });
    const ids = j.checks.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['runtime-present', 'socket', 'disk', 'install-dir', 'reachability']));
    expect(j.checks.filter((c: { id: string }) => c.id === 'secret')).toEqual([
      { id: 'secret', status: 'skipped', message: 'fivetran.token is not given (environment variable FIVETRAN_TOKEN is not set; export FIVETRAN_TOKEN=... first, or give file:PATH instead); no host check needs it, an install will' },
    ]);
    expect(r.code).toBe(j.checks.some((c: { status: string }) => c.status === 'fail') ? 1 : 0);
    // Absent altogether (not even a reference): the same; Tobiko's secrets too.
    const bare = JSON.parse(cli(['doctor', '--set', 'product=fivetran', '--set', 'runtime=podman', '--json', ...rootFlags], { env }).stdout);
    expect(bare.checks.find((c: { id: string }) => c.id === 'secret').message).toMatch(/^fivetran\.token is not given \(is required/);
    const tobiko = JSON.parse(cli(['doctor', '--preset', 'tobiko-docker', '--json', ...rootFlags], { env }).stdout);
    expect(tobiko.checks.filter((c: { id: string }) => c.id === 'secret').map((c: { message: string }) => c.message.split(' ')[0])).toEqual(['tobiko.clientSecret', 'tobiko.gateways.warehouse.password']);
    expect(tobiko.checks.map((c: { id: string }) => c.id)).toContain('runtime-present');
    // Nothing else is let through: a mistyped key is still exit 2.
    const bad = cli(['doctor', '--preset', 'fivetran-docker', '--set', 'fivetran.imagee=x'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: fivetran.imagee: unknown key; check the spelling (see: hd-setup schema)\n');
    s.server.close();
  }, 60_000);

  it('a proxy whose URL is not given: the checks through it are skipped, naming it', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    const r = cli(['doctor', '--preset', 'fivetran-docker', '--set', 'proxy.https=env:PROXY_URL', '--set', 'proxy.noProxy=[localhost]', '--json', ...rootFlags], { env: s.env });
    const j = JSON.parse(r.stdout);
    const why = 'not checked: proxy.https is not given (environment variable PROXY_URL is not set; export PROXY_URL=... first, or give file:PATH instead), and the vendor is reached through it';
    expect(j.checks.filter((c: { id: string }) => c.id === 'reachability' || c.id === 'clock-skew')).toEqual([
      { id: 'reachability', status: 'skipped', message: why },
      { id: 'clock-skew', status: 'skipped', message: why },
    ]);
    expect(j.checks.find((c: { id: string }) => c.id === 'secret').message).toMatch(/^proxy\.https is not given .*the checks through the proxy were skipped for it/);
    s.server.close();
  }, 60_000);

  it('a failing host check: exit 1, with its fix', async () => {
    const s = await stubEnv('docker', { USER: 'ana', DOCKER_HOST: 'unix:///nonexistent.sock' });
    const r = cli(['doctor', '--set', 'product=fivetran', '--set', 'runtime=podman', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--json', ...rootFlags], { env: { ...s.env, PATH: '/nonexistent' } });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.checks.find((c: { id: string }) => c.id === 'runtime-present')).toMatchObject({ status: 'fail', message: 'podman is not installed or not on PATH' });
    s.server.close();
  }, 60_000);

  it('nothing installed and nothing to go on, no terminal: exit 2 naming how to check a host first', () => {
    const r = cli(['doctor']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no install found; to check this host before installing, name what you will install: hd-setup doctor --preset <name> [--set ...] (list them: hd-setup presets), or run it in a terminal to choose\n');
  });

  it('bad flags: exit 2, one line naming the field', () => {
    const r = cli(['doctor', '--preset', 'fivetran-docker', '--set', 'fivetran.imagee=x'], { env: SECRET_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: fivetran.imagee: unknown key; check the spelling (see: hd-setup schema)\n');
  });

  it.runIf(hasScript)('on a terminal, with nothing installed, it asks which product and runtime', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    const r = await drive('cols 100 rows 30', ['doctor', ...rootFlags], s.env, [['Which one?', '1\r']]);
    expect(r.out).toContain('No install found. Check this host before installing, for:');
    expect(r.out).toContain('1) fivetran-docker');
    expect(r.out).toContain('hd-setup doctor: Fivetran agent on docker (not installed yet: the checks an install would run)');
    expect(r.out).toMatch(/socket: .*docker/);
    s.server.close();
  }, 60_000);

  it.runIf(hasScript)('on a terminal, with no secret in the environment, the chosen preset is checked all the same', async () => {
    const s = await stubEnv('docker', { USER: 'ana' });
    const env = { ...s.env, FIVETRAN_TOKEN: undefined };
    const r = await drive('cols 200 rows 40', ['doctor', ...rootFlags], env, [['Which one?', '1\r']]);
    expect(r.out).toContain('hd-setup doctor: Fivetran agent on docker (not installed yet: the checks an install would run)');
    expect(r.out).toContain('skipped secret: fivetran.token is not given (environment variable FIVETRAN_TOKEN is not set');
    expect(r.out).not.toContain('error:');
    s.server.close();
  }, 60_000);
});

describe('doctor with only a product (--set product=fivetran), as the other commands take it', () => {
  it('checks the install of that product when there is one; with none, the checks before an install name what is missing', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const none = cli(['doctor', '--set', 'product=fivetran'], { env: s.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: runtime: is required/);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    for (const [product, where] of [['fivetran', 'fivetran'], ['tobiko', 'tobiko']]) {
      const r = cli(['doctor', '--set', `product=${product}`, '--json'], { env: s.env });
      expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ product, runtime: 'docker', where: `${s.home}/${where}`, installed: true });
    }
    // the runtime alone fits both: exit 2 naming how to choose
    const both = cli(['doctor', '--set', 'runtime=docker'], { env: s.env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: 2 installs found: .*choose one with --set product=/);
    // a setting alone names no install: the checks before an install say what they need
    const setting = cli(['doctor', '--set', 'fivetran.memory=4g'], { env: s.env });
    expect(setting.code).toBe(2);
    expect(setting.stderr).toMatch(/^error: product: is required/);
    // an install dir that is not the install's: not that install (stop would have stopped it)
    const n = s.calls().length;
    for (const cmd of ['doctor', 'stop', 'status']) {
      const elsewhere = cli([cmd, '--set', 'product=fivetran', '--set', `fivetran.installDir=${s.home}/elsewhere`], { env: s.env });
      expect(elsewhere.code, `${cmd}: ${elsewhere.stderr}`).toBe(2);
      expect(elsewhere.stderr).toContain(cmd === 'doctor' ? 'runtime: is required' : 'no install found with product fivetran');
    }
    expect(s.calls().slice(n).filter((c) => c.startsWith('stop '))).toEqual([]);
    s.server.close();
  }, 90_000);
});

describe.runIf(isRoot)('doctor says where --allow-root came from', () => {
  it('installed with --allow-root, doctor without it: "allowed: it was installed with --allow-root"', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--allow-root'], { env: s.env }).code).toBe(0);
    const j = JSON.parse(cli(['doctor', '--json'], { env: s.env }).stdout);
    expect(j.checks.find((c: { id: string }) => c.id === 'not-root')).toMatchObject({ status: 'warn', message: 'running as root (allowed: it was installed with --allow-root)' });
    // before an install, only the flag given now counts
    const pre = JSON.parse(cli(['doctor', '--preset', 'tobiko-docker', '--json'], { env: s.env }).stdout);
    expect(pre.checks.find((c: { id: string }) => c.id === 'not-root')).toMatchObject({ status: 'fail', message: 'running as root; the vendor scripts refuse this too' });
    const flag = JSON.parse(cli(['doctor', '--preset', 'tobiko-docker', '--allow-root', '--json'], { env: s.env }).stdout);
    expect(flag.checks.find((c: { id: string }) => c.id === 'not-root')).toMatchObject({ status: 'warn', message: 'running as root (--allow-root)' });
    s.server.close();
  }, 90_000);
});

describe('doctor on a host that reaches the vendor (the endpoints played by a local TLS server, through a CONNECT proxy)', () => {
  // The endpoints are the vendor's real host names: a CONNECT proxy hands every tunnel to a local HTTPS server
  // whose certificate, for those names, is signed by a CA the CLI is told to trust (NODE_EXTRA_CA_CERTS).
  async function vendorBed(dateOffsetS: number) {
    const dir = tmp('hd-tls-');
    const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=hd-setup test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=fivetran test');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:ldp.orchestrator.fivetran.com,DNS:api.fivetran.com,DNS:cloud.tobikodata.com\n');
    ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'san.ext');
    const heads: string[] = [];
    const https = createHttpsServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) }, (req, res) => {
      heads.push(`${req.method} ${req.headers.host}${req.url}`);
      res.setHeader('Date', new Date(Date.now() + dateOffsetS * 1000).toUTCString());
      res.writeHead(404).end();
    }).listen(0, '127.0.0.1');
    const proxy = createServer((sock) => {
      sock.once('data', () => {
        const up = connect((https.address() as AddressInfo).port, '127.0.0.1', () => {
          sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          sock.pipe(up).pipe(sock);
        });
        up.on('error', () => sock.destroy());
      });
      sock.on('error', () => undefined);
    }).listen(0, '127.0.0.1');
    await Promise.all([new Promise((r) => https.once('listening', r)), new Promise((r) => proxy.once('listening', r))]);
    return {
      heads,
      proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      env: { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
      close: () => (https.close(), proxy.close()),
    };
  }

  it.each([
    ['a clock 5 minutes behind is a warning with the fix', -300, { id: 'clock-skew', status: 'warn', message: expect.stringMatching(/^the clock differs from ldp\.orchestrator\.fivetran\.com by (29[89]|30[0-2])s$/), fix: 'enable NTP time sync (timedatectl set-ntp true)' }],
    ['a clock in time passes', 0, { id: 'clock-skew', status: 'ok', message: expect.stringMatching(/^clock within [0-2]s of ldp\.orchestrator\.fivetran\.com$/) }],
  ] as const)('%s; both endpoints answer', async (_name, offset, skew) => {
    const bed = await vendorBed(offset);
    const s = await stubEnv('docker', { USER: 'ana' });
    try {
      const r = await cliAsync(['doctor', '--preset', 'fivetran-docker', '--set', `proxy.https=${bed.proxyUrl}`, '--json', ...rootFlags], { env: { ...s.env, ...bed.env } });
      const checks = JSON.parse(r.stdout).checks as { id: string }[];
      expect(checks.filter((c) => c.id === 'reachability' || c.id === 'clock-skew'), r.stderr).toEqual([
        { id: 'reachability', status: 'ok', message: `ldp.orchestrator.fivetran.com answers through the proxy ${bed.proxyUrl} (HTTP 404)` },
        skew,
        { id: 'reachability', status: 'ok', message: `api.fivetran.com answers through the proxy ${bed.proxyUrl} (HTTP 404)` },
      ]);
      expect(bed.heads).toEqual(['HEAD ldp.orchestrator.fivetran.com/', 'HEAD api.fivetran.com/v1/hybrid-deployment-agents']);
    } finally {
      bed.close();
      s.server.close();
    }
  }, 60_000);

  it('Kubernetes: an endpoint this host does not reach is a warning that says the agent runs in the cluster, naming the egress check (it failed, exit 1, as if the agent could not reach it)', async () => {
    const state = tmp();
    const env = { PATH: `${join(ROOT, 'test/stubs/kube')}:/usr/bin:/bin`, HD_STUB_STATE: state, HD_STUB_CONTEXTS: 'staging:ok', HD_STUB_CURRENT: 'staging', HOME: tmp(), FIVETRAN_TOKEN: TOKEN };
    const closed = ['--set', 'proxy.https=http://127.0.0.1:1'];
    const run = async (extra: string[]) => JSON.parse((await cliAsync(['doctor', '--preset', 'fivetran-kubernetes', ...closed, ...extra, '--json', ...rootFlags], { env })).stdout).checks as { id: string; status: string; message: string; fix: string }[];
    const reach = (await run([])).filter((c) => c.id === 'reachability');
    expect(reach.map((c) => c.status)).toEqual(['warn', 'warn']);
    expect(reach[0]).toEqual({
      id: 'reachability',
      status: 'warn',
      message: 'ldp.orchestrator.fivetran.com is not reachable from this host through the proxy http://127.0.0.1:1 (ECONNREFUSED); the agent runs in the cluster, which this does not check',
      fix: 'check that the proxy allows CONNECT to it on port 443 and that its credentials are right, or change proxy.https; to check from inside the cluster: --set fivetran.kubernetes.egressCheck={}',
    });
    // with the egress check on, the fix points at it
    const on = (await run(['--set', 'fivetran.kubernetes.egressCheck={}'])).filter((c) => c.id === 'reachability');
    expect(on[0]!.fix).toMatch(/; the egress check looks from inside the cluster$/);
  }, 60_000);

  it("Tobiko's endpoint is its cloud: reached, and the clock read from it", async () => {
    const bed = await vendorBed(120);
    const s = await stubEnv('docker', { USER: 'ana' });
    try {
      const r = await cliAsync(['doctor', '--preset', 'tobiko-docker', '--set', `proxy.https=${bed.proxyUrl}`, '--json', ...rootFlags], { env: { ...s.env, ...bed.env } });
      const checks = JSON.parse(r.stdout).checks as { id: string }[];
      expect(checks.filter((c) => c.id === 'reachability' || c.id === 'clock-skew'), r.stderr).toEqual([
        { id: 'reachability', status: 'ok', message: `cloud.tobikodata.com answers through the proxy ${bed.proxyUrl} (HTTP 404)` },
        { id: 'clock-skew', status: 'warn', message: expect.stringMatching(/^the clock differs from cloud\.tobikodata\.com by 1(19|2[0-2])s$/), fix: 'enable NTP time sync (timedatectl set-ntp true)' },
      ]);
      expect(bed.heads).toEqual(['HEAD cloud.tobikodata.com/']);
    } finally {
      bed.close();
      s.server.close();
    }
  }, 60_000);
});
