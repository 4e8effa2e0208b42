// A URL's user and password with characters a URL never holds raw (" < > \ and backtick): in free text
// they end a URL, so the one URL parser read no password in `http://bob:pr0x\yP4ss@proxy:3128` and hd-setup
// treated it as no secret (export-preset printed it, a re-run's refusal put it on argv). Now such input is
// refused (exit 2, the %XX escapes named), a value holding one is still read as one URL with its password,
// and an install made before (its config holding one) leaks it nowhere. CLI on the stub runtime.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';
import { hasPassword, maskUrl, urlPasswords } from '../src/util/url-userinfo.js';
import { holdsSecretValue } from '../src/model/secret-names.js';

const PW = (c: string) => `pr0x${c}yP4ss`;
const RAW = ['\\', '"', '<', '>', '`'];

describe('one URL as a value: the password is read whatever raw character it holds', () => {
  it.each(RAW)('%s', (c) => {
    const url = `http://bob:${PW(c)}@proxy.corp:3128`;
    expect(hasPassword(url)).toBe(true);
    expect(urlPasswords(url)).toContain(PW(c));
    expect(maskUrl(url)).toBe('http://bob:********@proxy.corp:3128');
    expect(holdsSecretValue(`postgresql://u:${PW(c)}@h:5432/db`)).toBe(true);
  });
});

describe('a proxy URL whose password holds " < > \\ or a backtick', () => {
  it('is refused before anything is written: exit 2, one line naming proxy.https and the escapes, the password nowhere', async () => {
    const s = await stubEnv();
    for (const c of RAW) {
      const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=env:PX', ...rootFlags], { env: { ...s.env, PX: `http://bob:${PW(c)}@proxy.corp:3128` } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual(['error: proxy.https: must be an http:// or https:// URL, e.g. http://proxy.internal:3128, with " < > \\ and ` in the user and password written as %22, %3C, %3E, %5C and %60']);
      expect(r.stdout + r.stderr).not.toContain('yP4ss');
      expect(existsSync(join(s.home, 'fivetran'))).toBe(false);
    }
    // written as the message says, it is taken
    const ok = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=env:PX', ...rootFlags], { env: { ...s.env, PX: 'http://bob:pr0x%5CyP4ss@proxy.corp:3128' } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('yP4ss');
    s.server.close();
  }, 60_000);

  it('in the config of an install made before: status, doctor (a reachability line that says so), export, rollback and the bundle show it nowhere', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    const c = JSON.parse(readFileSync(conf, 'utf8')) as Record<string, unknown>;
    c.https_proxy = `http://bob:${PW('\\')}@proxy.corp:3128`;
    writeFileSync(conf, JSON.stringify(c, null, 2));
    const bundle = join(s.home, 'b.tar.gz');
    const runs = [['status'], ['status', '--json'], ['doctor'], ['doctor', '--json'], ['export-preset'], ['rollback', '--dry-run', ...rootFlags], ['doctor', '--bundle', bundle]].map((a) => ({ a, r: cli(a, { env: s.env }) }));
    for (const { a, r } of runs) {
      expect(r.stdout + r.stderr, a.join(' ')).not.toContain('yP4ss');
      expect(r.stdout + r.stderr, a.join(' ')).not.toContain('Invalid URL');
    }
    const doctor = runs.find(({ a }) => a.join(' ') === 'doctor')!.r;
    expect(doctor.stdout).toContain('reachability: the proxy URL http://bob:********@proxy.corp:3128 cannot be read as a URL');
    const x = join(s.home, 'bx');
    mkdirSync(x);
    expect(spawnSync('tar', ['xzf', bundle, '-C', x]).status).toBe(0);
    const files = (readdirSync(x, { recursive: true }) as string[]).filter((f) => statSync(join(x, f)).isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(join(x, f), 'utf8'), f).not.toContain('yP4ss');
    s.server.close();
  }, 90_000);
});

describe('an extra variable given as env:NAME whose value is a URL with such a password', () => {
  it('is read from the variable and kept secret: in the env-file, masked in output, exported as a reference', async () => {
    const s = await stubEnv();
    const env = { ...s.env, XU: `postgresql://u:${PW('\\')}@db:5432/x` };
    const r = cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', 'tobiko.docker.extraEnv=[{name: MY_URL, value: "env:XU"}]', ...rootFlags], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('yP4ss');
    expect(readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8')).toContain(`MY_URL=postgresql://u:${PW('\\')}@db:5432/x`);
    const ex = cli(['export-preset'], { env });
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).not.toContain('yP4ss');
    expect(ex.stdout).toMatch(/name: MY_URL\n\s+value: env:TOBIKO_MY_URL/);
    s.server.close();
  }, 60_000);
});

describe('a URL with such a password inside a longer value, in a map, or with a space in it', () => {
  it.each([
    ['see postgresql://u:Hunter2\\Pw@h/db', true],
    ['{"dsn":"postgresql://u:Hunter3\\"Pw@h/db"}', true],
    ['dsn=postgresql://u:Hunter4\\Pw@h/db', true],
    ['postgresql://u:Hunter5 Pw@h/db', true],
    ['see http://host/a@b and mailto:x@y', false],
    ['http://user@host:3128', false],
    ['see postgresql://u:@h/db', false],
  ])('%s holds a password: %s', (v, yes) => {
    expect(holdsSecretValue(v)).toBe(yes);
  });

  it('install --dry-run on docker shows none of them (a trial: the settings and env-file diffs showed each in clear)', async () => {
    const s = await stubEnv();
    const gw = '{lake: {type: postgres, host: h, port: 5432, database: d, user: x, password: "env:WAREHOUSE_PASSWORD", sslrootcert: "see postgresql://u:Hunter2\\\\Pw@h/db", sslcert: "postgresql://u:Hunter5 Pw@h/db", connect_args: {dsn: "postgresql://u:Hunter3\\"Pw@h/db"}}}';
    const r = cli(['install', '--preset', 'tobiko-docker', '--dry-run', '--set', `tobiko.gateways=${gw}`, '--set', 'tobiko.defaultGateway=lake', '--set', 'tobiko.docker.extraEnv=[{name: MY_DSN, value: "dsn=postgresql://u:Hunter4\\\\Pw@h/db"}]', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('MY_DSN=');
    for (const pw of ['Hunter2', 'Hunter3', 'Hunter4', 'Hunter5']) expect(r.stdout + r.stderr, pw).not.toContain(pw);
    s.server.close();
  }, 60_000);
});
