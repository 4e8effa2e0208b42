// Process-level leak tests: the built CLI (dist/) with secrets of awkward shapes, on the stub runtimes
// (test/stubs: a recording docker; on Kubernetes the real kubectl/helm against the in-memory API server).
// Nothing leaks, and the output still reads right.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MASK } from '../src/util/redact.js';
import { ROOT, cli, tmp } from './helpers.js';
import { startBed, type Run } from './k8s-api/bed.js';

const TWO_LINES = ['first-line-of-the-secret', 'second-LINE-2x'];
// A last line of punctuation only: free-text masking leaves it (it would mask every `--`), the manifest's structure does not.
const LAST_LINE = '--';
const PROXY_PW = 'Pr0xy@Pa55';
const PROXY = `http://bob:${PROXY_PW}@proxy.internal:3128`;
const rootFlags = process.getuid?.() === 0 ? ['--allow-root'] : [];

/** The secret in any spelling a reader could use: as is, JSON-escaped, percent-encoded, base64. */
function expectAbsent(text: string, secret: string): void {
  for (const s of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64').replace(/=+$/, '')]) {
    const i = text.indexOf(s);
    if (i >= 0) throw new Error(`leaked ${JSON.stringify(s)}: ...${text.slice(Math.max(0, i - 60), i + s.length + 20)}...`);
  }
}

/** `y` never stands as a word of its own (it is masked there), though it may sit inside words. */
function expectNoToken(text: string, secret: string): void {
  const m = new RegExp(`(^|[^\\p{L}\\p{N}_])${secret}(?=[^\\p{L}\\p{N}_]|$)`, 'u').exec(text);
  if (m) throw new Error(`leaked the token ${secret}: ...${text.slice(Math.max(0, m.index - 60), m.index + 60)}...`);
}

/** hd-setup against a Kubernetes test bed (the real helm and kubectl), with `home` as HOME. */
async function onK8s(home: string, runs: (hd: (args: string[], extra?: NodeJS.ProcessEnv) => Promise<Run>) => Promise<void>): Promise<void> {
  const bed = await startBed();
  try {
    await runs((args, extra = {}) => bed.hd(args, { HOME: home, WAREHOUSE_PASSWORD: 'y', ...extra }));
  } finally {
    await bed.stop();
  }
}

describe('install --dry-run leaks nothing (two-line secret via file:, proxy password with a raw @, 1-char password)', () => {
  it('kubernetes (real helm and kubectl): text and --json', async () => {
    const home = tmp('hd-leak-k8s-');
    const secretFile = join(home, 'client-secret');
    writeFileSync(secretFile, `${[...TWO_LINES, LAST_LINE].join('\n')}\n`, { mode: 0o600 });
    const args = ['install', '--preset', 'tobiko-kubernetes', '--dry-run', '--set', `tobiko.clientSecret=file:${secretFile}`, '--set', `proxy.https=${PROXY}`];
    let text = { code: -1, stdout: '', stderr: '' };
    let json = text;
    await onK8s(home, async (hd) => {
      text = await hd(args);
      json = await hd([...args, '--json']);
    });
    for (const r of [text, json]) {
      expect(r.code, r.stderr).toBe(0);
      const all = r.stdout + r.stderr;
      for (const s of [...TWO_LINES, TWO_LINES.join('\n'), PROXY_PW, 'Pa55', 'Pr0xy']) expectAbsent(all, s);
      expectNoToken(all, 'y');
      // One warning, naming the field, not the value.
      expect(r.stderr.match(/warning: tobiko\.gateways\.warehouse\.password is shorter than 8 characters/g)).toHaveLength(1);
    }
    // It still reads right: the manifest's layout, the proxy user and host, the names around the short secret.
    expect(text.stdout).toContain(`|   TCLOUD_CLIENT_SECRET: |-\n         |     ${MASK}\n         |     ${MASK}\n         |     ${MASK}\n`);
    expect(text.stdout).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: ${MASK}\n`);
    expect(text.stdout).toContain(`value: http://bob:${MASK}@proxy.internal:3128`);
    expect(text.stdout).toContain('helm upgrade --install executors oci://registry-1.docker.io/tobikodata/hybrid-executors');
    expect(text.stdout).toContain('kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n tobiko -f -');
    const plan = JSON.parse(json.stdout) as { steps: { id: string; actions: { stdin?: { content: string } }[] }[] };
    const secretStdin = plan.steps.find((s) => s.id === 'secret')!.actions[0]!.stdin!.content;
    expect(secretStdin).toContain(`TCLOUD_CLIENT_SECRET: |-\n    ${MASK}\n    ${MASK}\n    ${MASK}\n`);
    // Nothing written by hd-setup (kubectl keeps its discovery cache in ~/.kube).
    expect(readdirSync(home).filter((f) => f !== '.kube')).toEqual(['client-secret']);
  });

  it('docker (stub): text and --json keep tcloud-apply-executor and pull-policy=always whole', () => {
    const home = tmp('hd-leak-docker-');
    mkdirSync(join(home, '.stub'));
    const clientSecret = `c$l"i#e\\nt %40 s\`ecret 'x' :/@`;
    const env = { PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`, HOME: home, HD_STUB_STATE: join(home, '.stub'), TCLOUD_CLIENT_SECRET: clientSecret, WAREHOUSE_PASSWORD: 'y' };
    const args = ['install', '--preset', 'tobiko-docker', '--dry-run', '--set', `proxy.https=${PROXY}`, ...rootFlags];
    const text = cli(args, { env });
    const json = cli([...args, '--json'], { env });
    for (const r of [text, json]) {
      expect(r.code, r.stderr).toBe(0);
      const all = r.stdout + r.stderr;
      for (const s of [clientSecret, PROXY_PW, 'Pa55']) expectAbsent(all, s);
      expectNoToken(all, 'y');
      expect(all).toContain('--name tcloud-apply-executor');
      expect(all).toContain('--label hd-setup.pull-policy=always');
      expect(all).not.toContain(MASK + '-e');
    }
  });

  it('a 4 KB secret and a long unbroken value are masked quickly (the old URL regex was quadratic)', async () => {
    const home = tmp('hd-leak-long-');
    const long = 'k'.repeat(4096);
    // Values stay under the model's 64 KiB cap on a string (model/limits.ts).
    const database = 'c'.repeat(60_000);
    const env = { TCLOUD_CLIENT_SECRET: long, WAREHOUSE_PASSWORD: `w${'a'.repeat(60_000)}` };
    // The proxy has credentials, so the values go on stdin and are shown: a 60k-letter value in the output.
    let r = { code: -1, stdout: '', stderr: '' };
    await onK8s(home, async (hd) => {
      r = await hd(['install', '--preset', 'tobiko-kubernetes', '--dry-run', '--set', 'proxy.https=http://bob:pw-12345678@proxy.internal:3128', '--set', `tobiko.gateways.warehouse.database=${database}`], env);
    });
    expect(r.code, r.stderr.slice(0, 500)).toBe(0);
    expectAbsent(r.stdout + r.stderr, long);
    expectAbsent(r.stdout + r.stderr, env.WAREHOUSE_PASSWORD);
    expect(r.stdout.includes(`http://bob:${MASK}@proxy.internal:3128`)).toBe(true);
    expect(r.stdout.includes(database)).toBe(true);
  });
});

describe('doctor --bundle', () => {
  it('a file of the user\'s that appears at its path while the checks run is not written over (the path is checked again before the write)', () => {
    const home = tmp('hd-bundle-race-');
    mkdirSync(join(home, '.stub'));
    const env = { PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`, HOME: home, HD_STUB_STATE: join(home, '.stub'), TCLOUD_CLIENT_SECRET: 'cs', WAREHOUSE_PASSWORD: 'wp' };
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env }).code).toBe(0);
    const bundle = join(home, 'diag.tar.gz');
    // the runtime's first answer (after the first check of the path) comes with the user's file at it
    const wrap = join(home, 'wrap');
    mkdirSync(wrap);
    writeFileSync(join(wrap, 'docker'), `#!/bin/sh\n[ -e '${bundle}' ] || printf 'mine\\n' > '${bundle}'\nexec '${join(ROOT, 'test/stubs/bin/docker')}' "$@"\n`, { mode: 0o755 });
    const r = cli(['doctor', '--bundle', bundle], { env: { ...env, PATH: `${wrap}:${env.PATH}` } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`error: --bundle: ${bundle} exists and is not a diagnostics bundle hd-setup wrote; give another name, or move it away first\n`);
    expect(readFileSync(bundle, 'utf8')).toBe('mine\n');
  });
  it('is 0600 whatever the umask, and leaves no staging directory behind', () => {
    const home = tmp('hd-leak-bundle-');
    const tmpDir = join(home, 'tmp');
    mkdirSync(join(home, '.stub'));
    mkdirSync(tmpDir);
    const env = {
      PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`,
      HOME: home,
      HD_STUB_STATE: join(home, '.stub'),
      TMPDIR: tmpDir,
      TCLOUD_CLIENT_SECRET: 'client-secret-for-bundle',
      WAREHOUSE_PASSWORD: 'warehouse-pw-for-bundle',
    };
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env }).code).toBe(0);
    const bundle = join(home, 'diag.tar.gz');
    const r = cli(['doctor', '--bundle', bundle], { env });
    expect(r.stdout).toContain('Diagnostics bundle (secrets redacted)');
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    // Node 22.1+ keeps hd-setup's compile cache there (no secret in it): everything else is ours, and gone
    expect(readdirSync(tmpDir).filter((n) => n !== `hd-setup-${process.getuid!()}`)).toEqual([]);
    // made again under the same name: a bundle hd-setup wrote is replaced (a file of the user's would not be)
    const again = cli(['doctor', '--bundle', bundle], { env });
    expect(again.stdout).toContain('Diagnostics bundle (secrets redacted)');
    expect(again.code).toBe(r.code);
    expect(again.stderr).not.toContain('exists and is not');
  });
});

describe('secrets holding characters YAML writes as escapes (NBSP from a password pasted out of a web page, ESC, U+2028)', () => {
  it('the helm values diff of a dry-run, text and --json, masks them as the dump spells them', () => {
    const home = tmp('hd-leak-yaml-escapes-');
    const secrets = { TCLOUD_CLIENT_SECRET: 'Clnt7\u00a0Sec9Q-2024', WAREHOUSE_PASSWORD: 'Wz7q\u2028Hp3x\u001b-Pw-2024' };
    const env = { HOME: home, PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`, ...secrets };
    for (const json of [[], ['--json']]) {
      const r = cli(['install', '--preset', 'tobiko-kubernetes', '--set', 'tobiko.secrets.strategy=inline', '--dry-run', ...json], { env });
      expect(r.code, r.stderr).toBe(0);
      const all = r.stdout + r.stderr;
      expect(all).toContain('clientSecret');
      for (const s of Object.values(secrets)) {
        expectAbsent(all, s);
        for (const word of s.split(/[\u00a0\u2028\u001b]/)) expect(all).not.toContain(word);
      }
    }
  });
});

describe('the token decoded in the agent\'s log (base64 of <controller_id>:<secret>)', () => {
  it('status, status --json and the bundle mask it and its secret part, with FIVETRAN_TOKEN unset (trial: re-encoding it gave back the credential)', () => {
    const home = tmp('hd-leak-decoded-');
    mkdirSync(join(home, '.stub'));
    const part = 'Zq9!secretPart@Value';
    const env = { PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`, HOME: home, HD_STUB_STATE: join(home, '.stub'), FIVETRAN_TOKEN: Buffer.from(`clever_tiger:${part}`).toString('base64') };
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env }).code).toBe(0);
    const later = { ...env, FIVETRAN_TOKEN: '', HD_STUB_LOG: `decoded token clever_tiger:${part} / secret part only: ${part}` };
    const bundle = join(home, 'diag.tar.gz');
    const runs = [cli(['status'], { env: later }), cli(['status', '--json'], { env: later }), cli(['doctor', '--bundle', bundle, ...rootFlags], { env: later })];
    const unpacked = join(home, 'unpacked');
    mkdirSync(unpacked);
    expect(spawnSync('tar', ['-xzf', bundle, '-C', unpacked]).status).toBe(0);
    const files = readdirSync(unpacked, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => readFileSync(join(f.parentPath, f.name), 'utf8'));
    const all = [...runs.map((r) => r.stdout + r.stderr), ...files].join('\n');
    expect(all).toContain('decoded token');
    for (const s of [part, `clever_tiger:${part}`]) expectAbsent(all, s);
    expect(all).toContain(`secret part only: ${MASK}`);
  });
});

describe('a secret given on the command line (--set): warned about, by setting and never by value', () => {
  it.each([
    ['a token', ['--preset', 'fivetran-docker', '--set', 'fivetran.token=Y2xldmVyX3RpZ2VyOmFyZ3ZzZWNyZXQ='], 'fivetran.token', 'env:FIVETRAN_TOKEN', 'Y2xldmVyX3RpZ2VyOmFyZ3ZzZWNyZXQ='],
    ['a gateway password', ['--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse.password=argv-pw-1'], 'tobiko.gateways.warehouse.password', 'env:', 'argv-pw-1'],
    // a whole section given as JSON holds one too
    ['a gateway given whole', ['--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse={"type":"postgres","host":"db","port":5432,"database":"d","user":"u","password":"argv-pw-2"}'], 'tobiko.gateways.warehouse.password', 'env:', 'argv-pw-2'],
    ['a proxy URL with a password', ['--preset', 'fivetran-docker', '--set', 'proxy.http=http://bob:argv-pw-3@proxy:3128'], 'proxy.http', 'env:', 'argv-pw-3'],
    // a literal that --set reads as a number is a literal all the same
    ['a password of digits', ['--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse.password=736150924'], 'tobiko.gateways.warehouse.password', 'env:', '736150924'],
  ])('%s', (_what, args, path, ref, value) => {
    // the stub runtimes, not whatever a docker on this machine runs (hermetic)
    const home = tmp('hd-argv-');
    const env = { HOME: home, PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`, HD_STUB_STATE: join(home, '.stub'), FIVETRAN_TOKEN: Buffer.from('clever_tiger:b').toString('base64'), TCLOUD_CLIENT_SECRET: 'cs', WAREHOUSE_PASSWORD: 'wp' };
    for (const cmd of [['install', '--dry-run'], ['render', '--out', join(env.HOME, 'out')]]) {
      const r = cli([...cmd, ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`warning: ${path} is given on the command line, where other users can read it (ps) and your shell history keeps it; give it as ${ref}`);
      expectAbsent(r.stdout + r.stderr, value);
    }
  });
  it('a reference (env:, file:) or a URL without a password is no warning', () => {
    const env = { HOME: tmp('hd-argv-'), FIVETRAN_TOKEN: Buffer.from('clever_tiger:b').toString('base64'), T2: Buffer.from('clever_tiger:d').toString('base64') };
    const r = cli(['install', '--dry-run', '--preset', 'fivetran-docker', '--set', 'fivetran.token=env:T2', '--set', 'proxy.http=http://proxy:3128'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('command line');
    // nor the name of a key in the external secret store (the value stays there)
    const remote = cli(['install', '--dry-run', '--preset', 'tobiko-kubernetes-external-secrets', '--set', 'tobiko.gateways.warehouse.password=remote:sqlmesh/wh-pw'], { env });
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stderr).not.toContain('command line');
    // nor a literal in a preset file (not on the command line), with other settings given by --set
    const preset = join(env.HOME, 'p.yaml');
    writeFileSync(preset, `product: fivetran\nruntime: docker\nfivetran:\n  token: ${env.T2}\n`);
    const f = cli(['install', '--dry-run', '--preset', preset, '--set', 'fivetran.memory=4g'], { env });
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).not.toContain('command line');
  });
});

describe('a gateway param whose value holds a URL with a password (sslrootcert: postgresql://u:pw@h/db): a secret by its value, as an extra env var is', () => {
  const PW = 'G4tewayUrlPw';
  const URL_PW = `postgresql://u:${PW}@h:5432/db`;
  it('docker: masked in the dry-run (text, --json), exported as env:WAREHOUSE_SSLROOTCERT (export-preset --out wrote it in clear; stdout masked it, and installing that copy wrote the mask into the env-file), kept on re-runs, rotated by its reference', async () => {
    const { stubEnv, rootFlags: root } = await import('./stub-runtime.js');
    const s = await stubEnv('docker');
    const set = ['--set', `tobiko.gateways.warehouse.sslrootcert=${URL_PW}`];
    const envFile = join(s.home, 'tobiko/tobiko.env');
    const line = (v: string) => `\nSQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT=${v}\n`;
    const outputs: string[] = [];
    for (const json of [[], ['--json']]) {
      const dry = cli(['install', '--preset', 'tobiko-docker', '--dry-run', ...json, ...set, ...root], { env: s.env });
      expect(dry.code, dry.stderr).toBe(0);
      outputs.push(dry.stdout + dry.stderr);
      // given literally on the command line: said, by setting and reference, never by value
      expect(dry.stderr).toContain('warning: tobiko.gateways.warehouse.sslrootcert is given on the command line, where other users can read it (ps) and your shell history keeps it; give it as env:WAREHOUSE_SSLROOTCERT (export it first) or file:PATH\n');
    }
    expect(outputs[0]).toContain(`+SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT=${MASK}\n`);
    const first = cli(['install', '--preset', 'tobiko-docker', '--yes', ...set, ...root], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    outputs.push(first.stdout + first.stderr);
    expect(readFileSync(envFile, 'utf8')).toContain(line(URL_PW));

    // exported as a reference, to a file (0644) and to stdout alike
    const file = join(s.home, 'p.yaml');
    const out = cli(['export-preset', '--out', file], { env: s.env });
    expect(out.code, out.stderr).toBe(0);
    const printed = cli(['export-preset'], { env: s.env });
    expect(printed.code, printed.stderr).toBe(0);
    outputs.push(out.stdout + out.stderr, printed.stdout + printed.stderr);
    for (const p of [readFileSync(file, 'utf8'), printed.stdout]) {
      expect(p).toContain('      sslrootcert: env:WAREHOUSE_SSLROOTCERT\n');
      expect(p).toContain('export TCLOUD_CLIENT_SECRET, WAREHOUSE_PASSWORD, WAREHOUSE_SSLROOTCERT before using it');
    }
    outputs.push(readFileSync(file, 'utf8'));

    // installed from the export, its variable not exported: the install's value is kept, nothing changes
    const again = cli(['install', '--preset', file, '--yes', ...root], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Keeping the stored secret: tobiko.gateways.warehouse.sslrootcert\n');
    expect(again.stderr).toContain('Changed: nothing');
    expect(readFileSync(envFile, 'utf8')).toContain(line(URL_PW));
    // a preset that leaves it out keeps it too, as it does a password (the reset refusal printed it masked, to be given back so)
    const bare = cli(['install', '--preset', 'tobiko-docker', '--yes', ...root], { env: s.env });
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toContain('Changed: nothing');
    outputs.push(again.stdout + again.stderr, bare.stdout + bare.stderr);

    // rotated through its reference: the new value reaches the env-file, and no output shows either
    const NEW = 'R0tatedUrlPw7';
    const rotated = cli(['install', '--preset', file, '--yes', ...root], { env: { ...s.env, WAREHOUSE_SSLROOTCERT: `postgresql://u:${NEW}@h2:5432/db` } });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toContain(line(`postgresql://u:${NEW}@h2:5432/db`));
    outputs.push(rotated.stdout + rotated.stderr);
    for (const o of outputs) for (const pw of [PW, NEW]) expectAbsent(o, pw);
    s.server.close();
  });
});

describe('tobiko.url with a password in it (https://u:pw@host/…): no secret anywhere it goes, so refused (export-preset wrote it in clear, its stdout masked it)', () => {
  it('exit 2, one line naming the setting and the fix, never the value; an install that holds one is refused until given anew', async () => {
    const PW = 'UrlPw0fTobiko';
    const { stubEnv, rootFlags: root } = await import('./stub-runtime.js');
    const s = await stubEnv('docker');
    const LINE = 'error: tobiko.url: must not hold a password (user:password@): the executors authenticate with tobiko.clientId and tobiko.clientSecret, and the URL is no secret (written as TCLOUD_URL, and on Kubernetes into the values and the Deployments); give it without user:password@\n';
    for (const preset of ['tobiko-docker', 'tobiko-kubernetes']) {
      const r = cli(['install', '--preset', preset, '--dry-run', '--set', `tobiko.url=https://u:${PW}@tobiko.example.com/sqlmesh/acme/analytics`, ...root], { env: s.env });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(LINE);
      expectAbsent(r.stdout, PW);
    }
    // as an older hd-setup wrote it: export-preset and a plain re-run refuse; the URL given anew mends it
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...root], { env: s.env }).code).toBe(0);
    const envFile = join(s.home, 'tobiko/tobiko.env');
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/^TCLOUD_URL=.*$/m, `TCLOUD_URL=https://u:${PW}@tobiko.example.com/sqlmesh/acme/analytics`), { mode: 0o600 });
    const file = join(s.home, 'p.yaml');
    const runs = [cli(['export-preset'], { env: s.env }), cli(['export-preset', '--out', file], { env: s.env }), cli(['install', '--preset', 'tobiko-docker', '--yes', ...root], { env: s.env })];
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('tobiko.url must not hold a password');
      expectAbsent(r.stdout + r.stderr, PW);
    }
    expect(readdirSync(s.home)).not.toContain('p.yaml');
    const mended = cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', 'tobiko.url=https://tobiko.example.com/sqlmesh/acme/analytics', ...root], { env: s.env });
    expect(mended.code, mended.stderr).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toContain('\nTCLOUD_URL=https://tobiko.example.com/sqlmesh/acme/analytics\n');
    expectAbsent(mended.stdout + mended.stderr, PW);
    s.server.close();
  });
});
