// The leak battery (issue 12, item 8): every command, on every install kind the stub runtime has
// (Fivetran on docker and podman, Tobiko on docker), with secrets of every shape, run as the built CLI.
// No secret may show in stdout, stderr, the argv of any process (the stub records every runtime argv;
// /proc/*/cmdline of the run's processes is sampled during installs), any file but the intended 0600
// ones, or the diagnostics bundle; and the output around a masked secret still reads as without it.
// Shapes are spread over the kinds (each kind gets a few), not multiplied by them, to keep it fast.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MASK } from '../src/util/redact.js';
import { cli, tmp } from './helpers.js';
import { B64_CLIENT, JSON_LITERAL, LONG_PART, PRIVATE_KEY, PROXY, PROXY2, PROXY2_PW, PROXY_PW, PROXY_PW_RAW, RUN, SPECIAL_PART, TWO_LINES, USER_ONLY, expectAbsent, expectNoToken, runSampled, tokenOf, walk } from './leak-check.js';
import { rootFlags, stubEnv } from './stub-runtime.js';


const CONFIG_SECRET = `db-Pa55-${RUN}`;
/** An agent parameter named as an API key (no password, secret or token in its name). */
const API_KEY_SECRET = 'dd0api7key4value9x';
const ENV_SECRET = `aws-Secret-${RUN}-K7MDENG`;

/** Runs the CLI while sampling the argv of it and every process under it (/proc/<pid>/cmdline). */
const cliSampled = (args: string[], env: NodeJS.ProcessEnv) => runSampled(args, { CI: 'true', NO_COLOR: '1', ...env });

interface Kind {
  name: string;
  runtime: 'docker' | 'podman';
  preset: string;
  /** Secrets given through env: references (never on argv). */
  env: NodeJS.ProcessEnv;
  sets: string[];
  /** 8+ characters: absent in every spelling. */
  secrets: string[];
  /** Shorter: never a whole token. */
  short: string[];
  /** The files meant to hold secrets (relative to HOME), always 0600. */
  intended: RegExp;
  /** A change for the second install (so a backup exists for rollback). */
  change: string[];
  /** What the dry-run output must still read as (around the masked secrets). */
  reads: (s: string) => void;
  /** What the reset refusal suggests for the proxy it would drop. */
  refusal: string;
  /** Bad input that carries a secret: exit 2, the field named, the value never. */
  bad: { args: string[]; env?: NodeJS.ProcessEnv; files?: Record<string, string>; field: RegExp }[];
}


const kinds: Kind[] = [
  {
    name: 'Fivetran agent on docker: a token whose secret part has @ : / % " \' $ # \\ and spaces; a proxy password of the same',
    runtime: 'docker',
    preset: 'fivetran-docker',
    env: { FIVETRAN_TOKEN: tokenOf(SPECIAL_PART), HTTPS_PROXY_URL: PROXY, DBPW: CONFIG_SECRET },
    // an agent parameter named like a secret is one (it was shown in the diff and exported in clear)
    sets: ['proxy.https=env:HTTPS_PROXY_URL', 'fivetran.config.db_password=env:DBPW'],
    secrets: [tokenOf(SPECIAL_PART), SPECIAL_PART, PROXY_PW, PROXY_PW_RAW, CONFIG_SECRET],
    short: [],
    intended: /^fivetran\/conf\/config\.json(\.bak-.*)?$/,
    change: ['--set', 'proxy.https=env:PROXY2_URL'],
    reads: (s) => {
      expect(s).toContain(`http://bob:${MASK}@proxy.internal:3128`);
      expect(s).toContain('--name controller');
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [
      // A two-line token from a file: refused, never quoted.
      { args: ['--set', 'fivetran.token=file:two-lines.txt'], files: { 'two-lines.txt': `${TWO_LINES}\n` }, field: /fivetran\.token/ },
      // A secret given where an enum goes: the error names the field, not the value.
      { args: ['--set', `fivetran.pullPolicy=${JSON_LITERAL}`], field: /fivetran\.pullPolicy/ },
    ],
  },
  {
    name: 'Fivetran agent on podman: a 4 KB secret part; a proxy with a user and no password (shown whole)',
    runtime: 'podman',
    preset: 'fivetran-podman',
    env: { FIVETRAN_TOKEN: tokenOf(LONG_PART), DDK: API_KEY_SECRET },
    // an agent parameter named as key material (an API key) is a secret too
    sets: [`proxy.https=${USER_ONLY}`, 'fivetran.config.dd_api_key=env:DDK'],
    secrets: [tokenOf(LONG_PART), LONG_PART, API_KEY_SECRET],
    short: [],
    intended: /^fivetran\/conf\/config\.json(\.bak-.*)?$/,
    change: ['--set', 'proxy.https=http://carol@proxy2.internal:3128'],
    reads: (s) => {
      expect(s).toContain(USER_ONLY);
    },
    refusal: 'proxy.https=http://carol@proxy2.internal:3128',
    bad: [
      // A JSON preset with an unquoted literal: the parse error names line and column, never the text.
      { args: ['--preset', 'bad.json'], files: { 'bad.json': `{"product": "fivetran", "runtime": "podman", "fivetran": {"token": ${JSON_LITERAL}}}` }, field: /bad\.json:1:\d+/ },
    ],
  },
  {
    name: 'Tobiko Cloud executors on docker: a base64-looking client secret, a 1-character password, a common word forced secret by secretParams, a proxy password',
    runtime: 'docker',
    preset: 'tobiko-docker',
    env: { TCLOUD_CLIENT_SECRET: B64_CLIENT, WAREHOUSE_PASSWORD: 'y', PK: PRIVATE_KEY, HTTPS_PROXY_URL: PROXY, AWSK: ENV_SECRET },
    // an extra env var named like a secret is one (it was shown in the diff and exported in clear)
    sets: ['proxy.https=env:HTTPS_PROXY_URL', 'tobiko.secretParams=[private_key]', 'tobiko.gateways.warehouse.private_key=env:PK', 'tobiko.docker.extraEnv=[{name: AWS_SECRET_ACCESS_KEY, value: "env:AWSK"}]'],
    secrets: [B64_CLIENT, PRIVATE_KEY, PROXY_PW, PROXY_PW_RAW, ENV_SECRET],
    short: ['y'],
    intended: /^tobiko\/tobiko\.env(\.bak-.*)?$/,
    change: ['--set', 'proxy.https=env:PROXY2_URL'],
    reads: (s) => {
      expect(s).toContain('--name tcloud-apply-executor');
      expect(s).toContain('hd-setup.pull-policy=always');
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [
      // A two-line password cannot go into the env-file: refused, naming the field, never the value.
      { args: ['--set', 'tobiko.gateways.warehouse.password=file:two-lines.txt'], files: { 'two-lines.txt': `${TWO_LINES}\n` }, field: /tobiko\.gateways\.warehouse\.password|SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD/ },
    ],
  },
];

const ALL_TWO_LINES = [`first-line-${RUN}`, `second-line-${RUN}`];

describe('leak battery: every command, every stub install kind, every shape of secret', () => {
  for (const k of kinds) {
    it(k.name, async () => {
      const s = await stubEnv(k.runtime, { ...k.env, PROXY2_URL: PROXY2 });
      try {
        const home = s.home;
        const env = { ...s.env, HD_SETUP_DEBUG: '1' };
        const secrets = [...k.secrets, PROXY2_PW];
        const pointer = ['--preset', k.preset, ...k.sets.flatMap((x) => ['--set', x])];
        const outputs: [string, string][] = [];
        const run = (label: string, args: string[], o: { expect?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}) => {
          const t0 = Date.now();
          const r = cli(args, { env: { ...env, ...o.env }, ...(o.cwd ? { cwd: o.cwd } : {}) });
          if (process.env.HD_LEAK_TIMES) console.log(label, Date.now() - t0);
          outputs.push([label, r.stdout + r.stderr]);
          if (o.expect !== undefined) expect(r.code, `${label}: ${r.stderr.slice(0, 600)}`).toBe(o.expect);
          return r;
        };

        // render, both forms
        run('render --json', ['render', ...pointer, '--out', join(home, 'render-out'), '--json'], { expect: 0 });
        // install: dry-run text and --json, then for real (argv sampled), then the same again with --json
        run('install --dry-run', ['install', ...pointer, '--dry-run', ...rootFlags], { expect: 0 });
        run('install --dry-run --json', ['install', ...pointer, '--dry-run', '--json', ...rootFlags], { expect: 0 });
        const real = await cliSampled(['install', ...pointer, '--yes', ...rootFlags], env);
        outputs.push(['install', real.stdout + real.stderr]);
        expect(real.code, real.stderr.slice(0, 600)).toBe(0);
        expect(real.argvs.some((a) => a.includes(k.preset))).toBe(true); // the sampler saw the run
        expectAbsent('argv during install', real.argvs.join('\n'), secrets);
        expectNoToken('argv during install', real.argvs.join('\n'), k.short);
        run('install --json (again)', ['install', ...pointer, '--yes', '--json', ...rootFlags], { expect: 0 });
        // a change: its dry-run shows the diff of the config, then it is made (the config is backed up), sampled too
        run('install --dry-run (change)', ['install', ...pointer, ...k.change, '--dry-run', ...rootFlags], { expect: 0 });
        const changed = await cliSampled(['install', ...pointer, ...k.change, '--yes', ...rootFlags], env);
        outputs.push(['install (change)', changed.stdout + changed.stderr]);
        expect(changed.code, changed.stderr.slice(0, 600)).toBe(0);
        expectAbsent('argv during the change', changed.argvs.join('\n'), secrets);
        // the reset refusal: a preset that drops the proxy (and --json)
        const refusal = run('reset refusal', ['install', '--preset', k.preset, ...k.sets.filter((x) => !x.startsWith('proxy.')).flatMap((x) => ['--set', x]), '--yes', ...rootFlags], { expect: 2 });
        // the secret's own variable, never its value (nor a placeholder name the user must guess)
        expect(refusal.stderr).toContain(k.refusal);
        run('reset refusal --json', ['install', '--preset', k.preset, ...k.sets.filter((x) => !x.startsWith('proxy.')).flatMap((x) => ['--set', x]), '--yes', '--json', ...rootFlags], { expect: 2 });
        // read-only commands
        run('status', ['status']);
        run('status --json', ['status', '--json']);
        run('doctor', ['doctor']);
        const bundle = join(home, 'diag.tar.gz');
        run('doctor --bundle', ['doctor', '--bundle', bundle]);
        const exp = run('export-preset', ['export-preset'], { expect: 0 });
        expect(exp.stdout).toMatch(/env:/);
        run('uninstall --dry-run', ['uninstall', '--dry-run']);
        run('rollback', ['rollback', '--yes', ...rootFlags], { expect: 0 });
        // bad input that carries a secret
        for (const b of k.bad) {
          const dir = tmp('hd-leak-bad-');
          for (const [name, content] of Object.entries(b.files ?? {})) writeFileSync(join(dir, name), content, { mode: 0o600 });
          const args = b.args[0] === '--preset' ? ['install', ...b.args, '--dry-run'] : ['install', ...pointer, ...b.args, '--dry-run'];
          for (const json of [false, true]) {
            const r = run(`bad input ${b.args.join(' ')}${json ? ' --json' : ''}`, [...args, ...(json ? ['--json'] : []), ...rootFlags], { expect: 2, cwd: dir });
            expect(r.stdout + r.stderr).toMatch(b.field);
            expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace, even with HD_SETUP_DEBUG=1
            expectAbsent(`bad input ${b.args.join(' ')}`, r.stdout + r.stderr, [...ALL_TWO_LINES, JSON_LITERAL]);
          }
        }

        // it still reads right around what was masked
        k.reads(outputs.map(([, t]) => t).join('\n'));
        // stdout and stderr of every command
        for (const [label, text] of outputs) {
          expectAbsent(label, text, secrets);
          expectNoToken(label, text, k.short);
        }
        // every argv the runtime was given (the stub records them all)
        expectAbsent('runtime argv', s.calls().join('\n'), secrets);
        expectNoToken('runtime argv', s.calls().join('\n'), k.short);
        // files: only the intended ones hold a secret, and they are 0600 (render's output dirs included)
        for (const f of walk(home)) {
          const rel = relative(home, f.path);
          const text = readFileSync(f.path, 'latin1') + readFileSync(f.path, 'utf8');
          let holds = false;
          try {
            expectAbsent(rel, text, secrets);
          } catch {
            holds = true;
          }
          if (!holds) continue;
          const asRendered = rel.replace(/^render-out\//, k.preset.startsWith('tobiko') ? 'tobiko/' : 'fivetran/');
          expect(k.intended.test(rel) || k.intended.test(asRendered), `${rel} holds a secret`).toBe(true);
          expect(f.mode, `${rel} mode`).toBe(0o600);
        }
        // the bundle, unpacked
        const unpacked = join(home, 'unpacked');
        mkdirSync(unpacked);
        expect(spawnSync('tar', ['-xzf', bundle, '-C', unpacked]).status).toBe(0);
        const inBundle = walk(unpacked);
        expect(inBundle.length).toBeGreaterThan(3);
        for (const f of inBundle) {
          const text = readFileSync(f.path, 'utf8');
          expectAbsent(`bundle ${relative(unpacked, f.path)}`, text, secrets);
          expectNoToken(`bundle ${relative(unpacked, f.path)}`, text, k.short);
        }
      } finally {
        s.server.close();
      }
    }, 300_000);
  }
});

describe('a number given for a setting named like a secret', () => {
  it('is a secret (--set reads 98765432 as a number, which was shown in the diff and exported in clear): masked, exported as env:, written as text to the 0600 file; the same again is a no-op', async () => {
    const s = await stubEnv('docker');
    try {
      const PIN = '98765432';
      const args = ['install', '--preset', 'fivetran-docker', '--set', `fivetran.config.db_password=${PIN}`, ...rootFlags];
      const dry = cli([...args, '--dry-run'], { env: s.env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`+  "db_password": "${MASK}"`);
      // given on the command line, it is warned about, as a secret given so is
      expect(dry.stderr).toContain('warning: fivetran.config.db_password is given on the command line');
      const first = cli([...args, '--yes'], { env: s.env });
      expect(first.code, first.stderr).toBe(0);
      const exported = cli(['export-preset'], { env: s.env });
      expect(exported.stdout).toContain('db_password: env:FIVETRAN_CONFIG_DB_PASSWORD');
      for (const out of [dry.stdout, first.stdout, first.stderr, exported.stdout, exported.stderr]) expect(out).not.toContain(PIN);
      expect(JSON.parse(readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8')).db_password).toBe(PIN);
      const again = cli([...args, '--yes'], { env: s.env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('Changed: nothing');
    } finally {
      s.server.close();
    }
  });
});

describe('a token a hand edit made a number or an object (no secret the redactor knows matches it)', () => {
  it.each([
    ['a number past 2^53', '98765432109876543', '98765432109876543'],
    ['an object', '{"v": "OBJSECRETvalue", "w": [1, {"x": "OBJSECRETdeep"}]}', 'OBJSECRET'],
  ])('%s: the diffs of rollback --dry-run (text and --json) and install --dry-run mask it whole', async (_, value, secret) => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy.internal:3128', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    writeFileSync(conf, `{\n  "token": ${value},\n  "host_selinux_enabled": "false"\n}\n`);
    const runs = [cli(['rollback', '--dry-run', ...rootFlags], { env: s.env }), cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env }), cli(['install', '--preset', 'fivetran-docker', '--dry-run', '--reset', ...rootFlags], { env: s.env })];
    expect(runs[0]!.code, runs[0]!.stderr).toBe(0);
    expect(runs[0]!.stdout).toMatch(/--- .*config\.json/);
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain(secret);
    s.server.close();
  }, 60_000);
});
