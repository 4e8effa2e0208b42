// End-to-end leak round (issue 12, item 8) on the real rootful docker (test/e2e/setup.sh): the Fivetran
// agent and the Tobiko executors installed with secrets of awkward shapes, then every command a user runs
// after. No secret in stdout, stderr, any process's command line (every /proc/*/cmdline scanned while
// installs run), any file of the run's HOME but the intended 0600 ones, or the diagnostics bundle.
// The stub-runtime battery (test/leak-battery.test.ts) covers the commands in depth; this checks the
// real daemon's side: what `inspect` and the logs give back, and the bundle made from them.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ROOT, readState } from './state.js';

const RUN = Math.random().toString(36).slice(2, 8);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const TOKEN_PART = `E2e leak ${RUN} @:/%"'$#\\ x`;
const TOKEN = b64(`clever_tiger:${TOKEN_PART}`);
const CLIENT_SECRET = b64(`e2e-client-${RUN}-bytes`);
const DB_PASSWORD = `e2e-db-${RUN}-${'p'.repeat(4000)}`;
const PROXY_PW_RAW = `Pr0xy@${RUN}%20%23%25`;
const PROXY_PW = decodeURIComponent(PROXY_PW_RAW);
const SECRETS = [TOKEN, TOKEN_PART, CLIENT_SECRET, DB_PASSWORD, PROXY_PW, PROXY_PW_RAW];

const S = readState();
const ready = S.HD_E2E_DOCKER === '1' && process.getuid?.() === 0;
if (!ready) console.warn('\n*** leaks.e2e: rootful docker is not ready (run: sudo test/e2e/setup.sh); skipping ***\n');

function spellings(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), b64(secret).replace(/=+$/, '')])];
}
function expectAbsent(where: string, text: string): void {
  for (const secret of SECRETS) {
    for (const s of spellings(secret)) {
      const i = text.indexOf(s);
      if (i >= 0) throw new Error(`${where}: leaked ${JSON.stringify(s.slice(0, 40))}: ...${JSON.stringify(text.slice(Math.max(0, i - 60), i + 60))}...`);
    }
  }
}

describe.runIf(ready)('e2e leak round on rootful docker', () => {
  const home = mkdtempSync(join(tmpdir(), 'hd-e2e-leaks-'));
  chmodSync(home, 0o755);
  const secretDir = join(home, 'secrets');
  mkdirSync(secretDir, { mode: 0o700 });
  const file = (name: string, content: string) => {
    writeFileSync(join(secretDir, name), content, { mode: 0o600 });
    return `file:${join(secretDir, name)}`;
  };
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', HOME: home, CI: 'true', NO_COLOR: '1', HD_SETUP_DEBUG: '1', PROXY_URL: `http://bob:${PROXY_PW_RAW}@proxy.internal:3128` };
  const cli = S.HD_E2E_CLI || join(ROOT, 'bin/hd-setup.js');
  const fivetran = ['--preset', 'fivetran-docker', '--allow-root', '--set', `fivetran.image=${S.HD_E2E_AGENT_IMAGE_DOCKER ?? 'hd-agent-test:latest'}`, '--set', 'fivetran.pullPolicy=never', '--set', `fivetran.token=${file('token', TOKEN)}`, '--set', 'proxy.https=env:PROXY_URL'];
  const tobiko = [
    '--preset', 'tobiko-docker', '--allow-root',
    '--set', `tobiko.docker.image=${S.HD_E2E_TCLOUD_IMAGE_DOCKER ?? 'hd-tcloud-test:latest'}`, '--set', 'tobiko.docker.pullPolicy=never',
    '--set', `tobiko.clientSecret=${file('client', CLIENT_SECRET)}`, '--set', `tobiko.gateways.warehouse.password=${file('db', DB_PASSWORD)}`, '--set', 'proxy.https=env:PROXY_URL',
  ];
  const outputs: string[] = [];
  const hd = (args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', cwd: '/', timeout: 180_000 });
    outputs.push(`${r.stdout}\n${r.stderr}`);
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  async function scanned(args: string[]) {
    const child = spawn(process.execPath, [cli, ...args], { env, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    let done = false;
    const exit = new Promise<number>((r) => child.on('exit', (c) => ((done = true), r(c ?? -1))));
    const cmdlines: string[] = [];
    let scans = 0;
    while (!done) {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          cmdlines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
        } catch {
          /* gone */
        }
      }
      scans++;
      await new Promise((r) => setTimeout(r, 5));
    }
    outputs.push(out);
    return { code: await exit, out, cmdlines, scans };
  }

  it('cleans up leftovers of earlier runs', () => {
    spawnSync('docker', ['rm', '-f', 'controller', 'tcloud-apply-executor', 'tcloud-run-executor'], { encoding: 'utf8' });
  });

  for (const [name, args] of [
    ['fivetran', fivetran],
    ['tobiko', tobiko],
  ] as const) {
    it(`${name}: install, re-run, status, doctor --bundle, export-preset, uninstall --dry-run leak nothing`, async () => {
      const r = await scanned(['install', ...args, '--yes']);
      expect(r.code, r.out.slice(-800)).toBe(0);
      expect(r.scans).toBeGreaterThan(5);
      expectAbsent(`${name}: command lines during the install`, r.cmdlines.join('\n'));
      expect(hd(['install', ...args, '--dry-run', '--json']).code).toBe(0);
      expect(hd(['install', ...args, '--yes']).code).toBe(0);
      hd(['status', ...args.slice(0, 2)]);
      hd(['status', '--json']);
      const bundle = join(home, `${name}-bundle.tar.gz`);
      hd(['doctor', '--bundle', bundle, ...args.slice(0, 2)]);
      expect(lstatSync(bundle).mode & 0o777).toBe(0o600);
      const unpacked = join(home, `${name}-bundle`);
      mkdirSync(unpacked);
      expect(spawnSync('tar', ['-xzf', bundle, '-C', unpacked]).status).toBe(0);
      const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (lstatSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
      const inBundle = walk(unpacked);
      expect(inBundle.some((f) => f.includes('inspect-'))).toBe(true);
      for (const f of inBundle) expectAbsent(`${name}: bundle ${relative(unpacked, f)}`, readFileSync(f, 'utf8'));
      expect(hd(['export-preset', ...args.slice(0, 2)]).stdout).toContain('env:');
      hd(['uninstall', ...args.slice(0, 2), '--dry-run']);
      for (const o of outputs) expectAbsent(`${name}: output`, o);
    });
  }

  it('files: only the install config and its backups hold a secret, 0600; then uninstall', () => {
    const walk = (d: string): string[] => (existsSync(d) ? readdirSync(d).flatMap((n) => (lstatSync(join(d, n)).isDirectory() ? walk(join(d, n)) : lstatSync(join(d, n)).isFile() ? [join(d, n)] : [])) : []);
    for (const f of walk(home)) {
      const rel = relative(home, f);
      if (rel.startsWith('secrets/') || /-bundle(\/|\.tar\.gz)/.test(rel)) continue;
      let holds = false;
      try {
        expectAbsent(rel, readFileSync(f, 'latin1') + readFileSync(f, 'utf8'));
      } catch {
        holds = true;
      }
      if (!holds) continue;
      expect(/^(fivetran\/conf\/config\.json|tobiko\/tobiko\.env)(\.bak-.*)?$/.test(rel), `${rel} holds a secret`).toBe(true);
      expect(lstatSync(f).mode & 0o777, rel).toBe(0o600);
    }
    expect(hd(['uninstall', '--preset', 'fivetran-docker', '--yes', '--set', `fivetran.token=${file('token', TOKEN)}`]).code).toBe(0);
    expect(hd(['uninstall', '--preset', 'tobiko-docker', '--yes']).code).toBe(0);
    for (const o of outputs) expectAbsent('output', o);
  });
});
