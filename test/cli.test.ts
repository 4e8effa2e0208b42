// Process-level tests of the built bin, as a user (or CI) runs it.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { SECRET_ENV, TOKEN, cli, expectNoSecrets, tmp, ROOT, BIN } from './helpers.js';
import { stubEnv } from './stub-runtime.js';

const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...SECRET_ENV, ...extra });

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out.sort();
}

describe('basics', () => {
  it('flags before the command are the command\'s (hd-setup --allow-root install …: they were dropped); one it does not take is exit 2 naming it', async () => {
    const s = await stubEnv();
    const r = cli(['--allow-root', '--set', 'fivetran.memory=4g', 'install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.restartPolicy=always'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const run = s.calls().find((c) => c.startsWith('run '))!;
    expect(run).toContain('--memory=4g');
    expect(run).toContain('--restart always');
    const bad = cli(['--plain', 'status'], { env: s.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: --plain: is not an option of status; see: hd-setup status --help\n');
    s.server.close();
  });
  it('--version and --help', () => {
    const v = cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('render');
    expect(h.stdout).toContain('install');
    const ih = cli(['install', '--help']);
    expect(ih.stdout).toContain('--dry-run');
    expect(ih.stdout).toContain('--skip-check');
  });
  it('no help says "(default: [])" of a repeatable option (an empty list says nothing)', () => {
    for (const cmd of [[], ['install'], ['doctor'], ['restart'], ['uninstall'], ['start'], ['render']]) {
      const h = cli([...cmd, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).not.toContain('(default: [])');
      expect(h.stdout).toMatch(/--set <path=value>|--skip-check <id>/);
      expect(h.stdout).toMatch(/\(repeatable\)\n/);
    }
  });
  it('without a TTY, the wizard never mounts: exit 2 naming what to pass', () => {
    const r = cli([], { env: { CI: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no terminal for the wizard; run non-interactively with a preset: hd-setup install --preset <name> --yes/);
    const ci = cli([], { env: { CI: 'true' } });
    expect(ci.code).toBe(2);
    expect(ci.stderr).toContain('(CI is set)');
  });
  it('install with nothing to go on and no terminal names the flags to pass', () => {
    const r = cli(['install']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: product: is required: one of "fivetran", "tobiko"; pass --set product=fivetran or a preset: --preset <name>');
  });
  it('unknown command or option: exit 2, one line naming it and the nearest command (it said "too many arguments")', () => {
    for (const [args, line] of [
      [['instal', '--preset', 'x'], "error: unknown command 'instal'; did you mean install? (see: hd-setup --help)\n"],
      [['statsu'], "error: unknown command 'statsu'; did you mean status? (see: hd-setup --help)\n"],
      [['frobnicate'], "error: unknown command 'frobnicate' (see: hd-setup --help)\n"],
      [['install', '--bogus'], "error: unknown option '--bogus'\n"],
      [['status', '--jsn'], "error: unknown option '--jsn'; did you mean --json?\n"],
    ] as const) {
      const r = cli([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(line);
    }
  });
  it('with --json, a flag commander refuses is {"errors": […]} on stdout like any other error, nothing on stderr (it was text on stderr)', () => {
    for (const [args, message] of [
      [['status', '--json', '--bogus'], "unknown option '--bogus'"],
      [['presets', '--json', '--x'], "unknown option '--x'"],
      [['statsu', '--json'], "unknown command 'statsu'; did you mean status? (see: hd-setup --help)"],
      [['install', '--json', '--preset'], "option '-p, --preset <name|path>' argument missing"],
    ] as const) {
      const r = cli([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${JSON.stringify({ errors: [{ path: '', message }] })}\n`);
    }
  });
  it('lists presets', () => {
    const r = cli(['presets', '--json']);
    const names = JSON.parse(r.stdout).presets.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['fivetran-docker', 'tobiko-kubernetes-external-secrets']));
    // --json is one document, indented by two spaces (stable to diff), ending in a newline
    expect(r.stdout).toBe(JSON.stringify(JSON.parse(r.stdout), null, 2) + '\n');
    expect(cli(['presets']).stdout).toContain('fivetran-kubernetes-affinity');
  });
  it('prints a JSON Schema that every bundled preset satisfies', () => {
    const r = cli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    for (const f of readdirSync(join(ROOT, 'presets'))) {
      const preset = parse(readFileSync(join(ROOT, 'presets', f), 'utf8'));
      expect(validate(preset), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ product: 'fivetran', runtime: 'docker', fivetran: { tokn: 'x' } })).toBe(false);
  });
});

describe('render', () => {
  it('writes exactly the install files into --out, with modes, and --json lists them', () => {
    const out = join(tmp(), 'out');
    const home = tmp('hd-home-');
    const r = cli(['render', '--preset', 'fivetran-docker', '--out', out, '--json'], { env: env({ HOME: home }) });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.files).toEqual([
      { path: 'conf/config.json', mode: '0600', bytes: expect.any(Number) },
      { path: 'systemd/hd-fivetran-agent.service', mode: '0644', bytes: expect.any(Number) },
    ]);
    expect(listTree(out)).toEqual(['conf/config.json', 'systemd/hd-fivetran-agent.service']);
    expect(statSync(join(out, 'conf/config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'conf')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(out, 'conf/config.json'), 'utf8')).token).toBe(TOKEN);
    expect(listTree(home)).toEqual([]);
    expectNoSecrets(r.stdout + r.stderr);
  });
  it('into a folder anyone may write, says so when a file holds a secret (the trial saw install warn and render not); not for a sticky one, as /tmp is', () => {
    const warned = (mode: number, preset = 'tobiko-docker') => {
      const out = join(tmp(), 'out');
      mkdirSync(out);
      chmodSync(out, mode);
      const r = cli(['render', '--preset', preset, '--out', out], { env: env({ HOME: tmp('hd-home-') }) });
      expect(r.code, r.stderr).toBe(0);
      return r.stderr.includes(`warning: --out: ${out} is mode ${mode.toString(8).padStart(4, '0')}: anyone may write there`);
    };
    expect(warned(0o777)).toBe(true);
    expect(warned(0o755)).toBe(false);
    expect(warned(0o775)).toBe(false);
    expect(warned(0o1777)).toBe(false);
  });
  it('renders every bundled preset', () => {
    for (const p of JSON.parse(cli(['presets', '--json']).stdout).presets as { name: string }[]) {
      const out = tmp();
      const r = cli(['render', '--preset', p.name, '--out', out], { env: env() });
      expect(r.code, `${p.name}: ${r.stderr}`).toBe(0);
      expect(listTree(out).length).toBeGreaterThan(0);
      expectNoSecrets(r.stdout + r.stderr);
    }
  });
  it('needs --out', () => {
    const r = cli(['render', '--preset', 'fivetran-docker'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });
});

describe('bad input: exit 2, one line per problem, no stack trace, nothing written', () => {
  it('a product section missing: one way to give it, said once (it said "pass --preset …; pass --set … or a preset")', () => {
    const r = cli(['render', '--preset', 'fivetran-docker', '--set', 'product=tobiko', '--out', join(tmp(), 'out')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[1]).toBe('error: tobiko: is required when product is tobiko; pass --preset tobiko-docker (org, project, clientId, clientSecret, gateways)');
  });
  it('a bare --preset name that is no bundled preset but is there in the working directory: said, with the way to use a file', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'mine'), 'product: fivetran\n');
    mkdirSync(join(cwd, 'bad'));
    const file = cli(['render', '--preset', 'mine', '--out', join(cwd, 'out')], { env: env(), cwd });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/^error: --preset: unknown preset "mine"; bundled presets: [^;]*; to use the file \.\/mine, give it as a path: --preset \.\/mine\n$/);
    const dir = cli(['render', '--preset', 'bad', '--out', join(cwd, 'out')], { env: env(), cwd });
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/^error: --preset: unknown preset "bad"; bundled presets: [^;]*; \.\/bad here is a folder, not a preset file\n$/);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });
  const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['unknown preset', ['--preset', 'fivetran-dokcer'], env(), /^error: --preset: unknown preset "fivetran-dokcer"; bundled presets: /],
    ['unset env variable', ['--preset', 'fivetran-docker'], {}, /^error: fivetran\.token: environment variable FIVETRAN_TOKEN is not set; export FIVETRAN_TOKEN=\.\.\. first, or give file:PATH instead/],
    ['empty env variable', ['--preset', 'fivetran-docker'], { FIVETRAN_TOKEN: '' }, /^error: fivetran\.token: environment variable FIVETRAN_TOKEN is empty; export FIVETRAN_TOKEN=\.\.\. first, or give file:PATH instead/],
    ['missing file', ['--preset', 'fivetran-docker', '--set', 'fivetran.token=file:/no/such/token'], env(), /^error: fivetran\.token: file \/no\/such\/token does not exist/],
    ['wrong type', ['--preset', 'tobiko-kubernetes', '--set', 'tobiko.kubernetes.run.replicas=many'], env(), /^error: tobiko\.kubernetes\.run\.replicas: expected number/],
    [
      'broken affinity reference',
      ['--preset', 'fivetran-kubernetes-affinity', '--set', 'fivetran.kubernetes.affinity[1].rule=gpu'],
      env(),
      /^error: fivetran\.kubernetes\.affinity\[1\]\.rule: "gpu" is not defined in affinityRules \(defined: small, large\)$/m,
    ],
    ['bad token', ['--preset', 'fivetran-docker'], { FIVETRAN_TOKEN: 'not-a-token' }, /^error: fivetran\.token: is not base64/],
  ];
  it.each(cases)('%s', (_n, args, e, expected) => {
    const out = join(tmp(), 'out');
    for (const cmd of [['render', ...args, '--out', out], ['install', ...args, '--dry-run']]) {
      const r = cli(cmd, { env: e });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    }
  });
  it('a secret file every user of the host can read is taken, with a warning naming the chmod (never its text); a file of its own, or one in a private folder, gives none', () => {
    // a folder every user may enter (the suite's own temp dir is private: its parent, /tmp, is not)
    const open = mkdtempSync(join(dirname(process.env.TMPDIR ?? tmpdir()), 'hd-open-'));
    try {
      chmodSync(open, 0o755);
      const file = join(open, 'token');
      writeFileSync(file, `${TOKEN}\n`, { mode: 0o644 });
      chmodSync(file, 0o644);
      const warning = `warning: the secret in ${file} can be read by every user of this host (mode 0644, and each folder above it open to them); make it yours alone: chmod 600 ${file}\n`;
      const args = ['--preset', 'fivetran-docker', '--set', `fivetran.token=file:${file}`];
      for (const cmd of [['render', ...args, '--out', join(tmp(), 'out')], ['install', ...args, '--dry-run']]) {
        const r = cli(cmd, { env: {} });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr.split(warning)).toHaveLength(2);
        expectNoSecrets(r.stdout + r.stderr);
      }
      chmodSync(file, 0o600);
      expect(cli(['install', ...args, '--dry-run'], { env: {} }).stderr).not.toContain('can be read by');
      chmodSync(file, 0o644);
      // a link to it from a private folder: the file is what others read, where it is
      const priv = tmp();
      symlinkSync(file, join(priv, 'link'));
      expect(cli(['install', '--preset', 'fivetran-docker', '--set', `fivetran.token=file:${join(priv, 'link')}`, '--dry-run'], { env: {} }).stderr.split(warning)).toHaveLength(2);
      // an open folder inside a private one, and a link to it from the open one: no one else gets there
      const inner = join(priv, 'open');
      mkdirSync(inner, { mode: 0o755 });
      writeFileSync(join(inner, 'token'), `${TOKEN}\n`, { mode: 0o644 });
      chmodSync(join(inner, 'token'), 0o644);
      symlinkSync(join(inner, 'token'), join(open, 'link'));
      for (const f of [join(inner, 'token'), join(open, 'link')]) expect(cli(['install', '--preset', 'fivetran-docker', '--set', `fivetran.token=file:${f}`, '--dry-run'], { env: {} }).stderr).not.toContain('can be read by');
      chmodSync(open, 0o700);
      expect(cli(['install', ...args, '--dry-run'], { env: {} }).stderr).not.toContain('can be read by');
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });
  it('invalid YAML', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'p.yaml'), 'product: fivetran\n  runtime: docker\n');
    const r = cli(['render', '--preset', join(dir, 'p.yaml'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p\.yaml:\d+:\d+: invalid YAML/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
  it('--json gives {"errors":[{path,message}]}', () => {
    const r = cli(['render', '--preset', 'fivetran-kubernetes-affinity', '--set', 'fivetran.kubernetes.affinity[1].rule=gpu', '--set', 'fivetran.kubernetes.namespace=BAD', '--out', tmp(), '--json'], { env: env() });
    expect(r.code).toBe(2);
    // on one line: an install's --json is JSON lines, read line by line, and may end in it
    expect(r.stdout.split('\n')).toHaveLength(2);
    const j = JSON.parse(r.stdout);
    expect(j.errors).toEqual(
      expect.arrayContaining([
        { path: 'fivetran.kubernetes.affinity[1].rule', message: '"gpu" is not defined in affinityRules (defined: small, large)' },
        { path: 'fivetran.kubernetes.namespace', message: expect.stringContaining('RFC 1123') },
      ]),
    );
  });
  it('a secret never appears in errors, even when it is the bad value', () => {
    const bad = Buffer.from('x-y:TopSecretValue1').toString('base64');
    const r = cli(['install', '--preset', 'fivetran-docker', '--dry-run', '--json'], { env: { FIVETRAN_TOKEN: bad } });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(bad);
  });
});

describe('install --dry-run', () => {
  it('prints every step and exact command, secrets masked, and changes nothing', () => {
    const home = tmp('hd-home-');
    const r = cli(['install', '--preset', 'tobiko-kubernetes', '--dry-run', '--set', 'proxy.https=http://bob:hunter2hunter@proxy:3128'], { env: env({ HOME: home }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n tobiko -f -');
    expect(r.stdout).toContain('helm upgrade --install executors oci://registry-1.docker.io/tobikodata/hybrid-executors --namespace tobiko --create-namespace');
    expect(r.stdout).toContain('TCLOUD_CLIENT_SECRET: ********');
    expect(r.stdout).not.toContain('hunter2hunter');
    expectNoSecrets(r.stdout + r.stderr);
    expect(listTree(home)).toEqual([]);
  });
  it('--json describes the plan', () => {
    const home = tmp('hd-home-');
    const r = cli(['install', '--preset', 'fivetran-docker', '--dry-run', '--json'], { env: env({ HOME: home, PATH: '/nonexistent' }) });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dryRun).toBe(true);
    expect(j.files[0]).toEqual({ path: join(home, 'fivetran/conf/config.json'), mode: '0600', bytes: expect.any(Number), secret: true, status: 'new' });
    const ids = j.steps.map((s: { id: string }) => s.id);
    expect(ids).toEqual(['preflight', 'files', 'network', 'image', 'container:controller', 'ready', 'boot']);
    const run = j.steps.find((s: { id: string }) => s.id === 'container:controller').actions.at(-1).command as string;
    expect(run).toContain('--label fivetran=ldp --label ldp_process_id=default-controller-process-id --label ldp_controller_id=clever_tiger');
    expect(run).toContain('--security-opt label=disable');
    expect(run).toContain('-f /conf/config.json');
    expectNoSecrets(r.stdout + r.stderr);
    expect(listTree(home)).toEqual([]);
  });
  it('install without --yes and without a terminal refuses and names --yes', async () => {
    // on a stub runtime: what the machine's own docker holds must not change the answer
    const s = await stubEnv();
    try {
      const r = cli(['install', '--preset', 'fivetran-docker'], { env: s.env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --yes: is required to install without a terminal/);
      expect(s.calls().filter((c) => /^(run|create|rm|pull|start|stop|network (create|rm))\b/.test(c))).toEqual([]);
      expect(s.calls().length).toBeGreaterThan(0); // it did look at the (stub) runtime, not the machine's
    } finally {
      s.server.close();
    }
  });
});

describe('the wizard checks its flags before the first question (exit 2, install\'s one-line errors)', () => {
  const cases: [string, string[], NodeJS.ProcessEnv, string][] = [
    ['a mistyped key, product not given', ['--set', 'fivetran.imagee=x'], {}, 'error: fivetran.imagee: unknown key; check the spelling (see: hd-setup schema)'],
    ['a mistyped key', ['--set', 'product=fivetran', '--set', 'fivetran.imagee=x'], {}, 'error: fivetran.imagee: unknown key; check the spelling (see: hd-setup schema)'],
    ['a mistyped top-level key, nothing else given', ['--set', 'proxyy.https=http://proxy.internal:3128'], {}, 'error: proxyy: unknown key; check the spelling (see: hd-setup schema)'],
    ['an unknown preset', ['--preset', 'fivetran-dokcer'], {}, 'error: --preset: unknown preset "fivetran-dokcer"; bundled presets: '],
    ['an unset env: reference', ['--set', 'fivetran.token=env:NO_SUCH_VAR_X'], {}, 'error: fivetran.token: environment variable NO_SUCH_VAR_X is not set'],
    ['a wrong type', ['--set', 'product=tobiko', '--set', 'tobiko.kubernetes.run.replicas=many'], {}, 'error: tobiko.kubernetes.run.replicas: expected number'],
    ['a bad value from the environment', [], { HD_SETUP_FIVETRAN__KUBERNETES__NAMESPACE: 'BAD_NS' }, 'error: fivetran.kubernetes.namespace (from HD_SETUP_FIVETRAN__KUBERNETES__NAMESPACE): '],
  ];
  it.each(cases)('%s', (_n, args, e, expected) => {
    const r = cli(args, { env: { CI: '', ...e } });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain(expected);
    // the same words as install says for the same flags
    const named = args.some((a) => a.startsWith('product=') || a === '--preset') ? args : ['--set', 'product=fivetran', ...args];
    expect(cli(['install', ...named, '--set', 'runtime=docker', '--dry-run'], { env: { ...SECRET_ENV, ...e } }).stderr).toContain(expected.replace(/^error: /, ''));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it('a missing value is not an error: the wizard asks for it (here: no terminal, so that is the error)', () => {
    const r = cli(['--set', 'product=fivetran', '--set', 'runtime=kubernetes'], { env: { CI: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no terminal for the wizard/);
  });
});

describe('--version', () => {
  it('answers from the entry chunk alone: the rest of the bundle is not loaded (start-up time)', async () => {
    const { cpSync, rmSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const dist = join(tmp(), 'dist');
    cpSync(join(ROOT, 'dist'), dist, { recursive: true });
    // without any chunk of the bundle, --version and -v still answer (the entry imports nothing, not even
    // node:module); anything else cannot
    rmSync(join(dist, 'chunks'), { recursive: true });
    expect(readFileSync(join(dist, 'hd-setup.mjs'), 'utf8')).not.toMatch(/^\s*import[\s{]/m);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = spawnSync(process.execPath, [join(dist, 'hd-setup.mjs'), flag], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
    expect(spawnSync(process.execPath, [join(dist, 'hd-setup.mjs'), 'schema'], { encoding: 'utf8' }).status).not.toBe(0);
  });
  it.runIf(existsSync('/dev/full'))('a stdout that cannot be written (a full disk): one line, exit 1', async () => {
    const { openSync, closeSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['--version'], ['presets']]) {
        const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', full, 'pipe'], env: { ...process.env, CI: 'true' } });
        expect(r.status, args.join(' ')).toBe(1);
        expect(r.stderr).toBe('error: cannot write the output: ENOSPC: no space left on device, write\n');
      }
    } finally {
      closeSync(full);
    }
  });
});

describe('export-preset and schema, as a CI script calls them', () => {
  it('export-preset --json is the preset as JSON with the variables it reads and the flags it needs (it printed YAML); --out - is standard output (it wrote a file named "-"); schema takes --json', async () => {
    const s = await stubEnv();
    const rootFlags = process.getuid?.() === 0 ? ['--allow-root'] : [];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=3g', ...rootFlags], { env: s.env }).code).toBe(0);
    const j = cli(['export-preset', '--json'], { env: s.env, cwd: s.home });
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ preset: expect.objectContaining({ product: 'fivetran', runtime: 'docker', fivetran: expect.objectContaining({ token: 'env:FIVETRAN_TOKEN', memory: '3g' }) }), env: ['FIVETRAN_TOKEN'], flags: rootFlags });
    expectNoSecrets(j.stdout + j.stderr);
    // the JSON document is itself a preset that installs as a no-op
    writeFileSync(join(s.home, 'p.json'), JSON.stringify(JSON.parse(j.stdout).preset));
    const again = cli(['install', '--preset', join(s.home, 'p.json'), '--yes', '--json', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    const dash = cli(['export-preset', '--out', '-'], { env: s.env, cwd: s.home });
    expect(dash.code, dash.stderr).toBe(0);
    expect(dash.stdout).toContain('memory: 3g');
    expect(existsSync(join(s.home, '-'))).toBe(false);
    const out = cli(['export-preset', '--out', join(s.home, 'e.yaml'), '--json'], { env: s.env });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ out: join(s.home, 'e.yaml'), written: true, env: ['FIVETRAN_TOKEN'] });
    expect(parse(readFileSync(join(s.home, 'e.yaml'), 'utf8'))).toEqual(JSON.parse(j.stdout).preset);
    const sc = cli(['schema', '--json']);
    expect(sc.code, sc.stderr).toBe(0);
    expect(JSON.parse(sc.stdout).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    s.server.close();
  }, 60_000);

  it('a re-run whose token variable is set but empty (a CI secret not defined) keeps the stored token and says the variable is empty', async () => {
    const s = await stubEnv();
    const rootFlags = process.getuid?.() === 0 ? ['--allow-root'] : [];
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, FIVETRAN_TOKEN: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Keeping the stored secret: fivetran.token (FIVETRAN_TOKEN is set but empty)\n');
    const unset = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, FIVETRAN_TOKEN: undefined } });
    expect(unset.stderr).toContain('Keeping the stored secret: fivetran.token\n');
    // a line break alone is empty too (what a reference gives ends where its line does)
    const lineEnd = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, FIVETRAN_TOKEN: '\r\n' } });
    expect(lineEnd.code, lineEnd.stderr).toBe(0);
    expect(lineEnd.stderr).toContain('Keeping the stored secret: fivetran.token (FIVETRAN_TOKEN is set but empty)\n');
    s.server.close();
  }, 60_000);
});
