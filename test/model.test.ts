import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../src/model/errors.js';
import { listPresets, parseSetPath } from '../src/model/load.js';
import { buildRaw, envPath } from '../src/products/load.js';
import { CONTROL_VARS, optionVarNames } from '../src/model/env-names.js';
import { computePresetJsonSchema, presetJsonSchema } from '../src/products/index.js';
import { checkToken } from '../src/products/fivetran/token.js';
import { bypassesProxy } from '../src/exec/net.js';
import { isSecretParam } from '../src/products/tobiko/engines.js';
import { TOKEN, cli, load, problems, tmp, CLIENT_SECRET, WAREHOUSE_PASSWORD, ROOT, tobikoPreset } from './helpers.js';

const fk = (kubernetes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  product: 'fivetran',
  runtime: 'kubernetes',
  fivetran: { token: 'env:FIVETRAN_TOKEN', kubernetes: { dataVolumePvc: 'data', ...kubernetes }, ...extra },
});

const rules = { ssd: { match: [{ key: 'disk', values: ['ssd'] }] }, highmem: { mode: 'required', match: [{ key: 'mem', values: ['high'] }] } };

const tob = (tobiko: Record<string, unknown>, runtime = 'kubernetes') => tobikoPreset(tobiko, runtime);

describe('bundled presets', () => {
  it('ships the presets the issue names, each loading with secrets from the environment', () => {
    const names = listPresets().map((p) => p.name);
    for (const n of [
      'fivetran-docker',
      'fivetran-podman',
      'fivetran-kubernetes',
      'fivetran-kubernetes-affinity',
      'tobiko-kubernetes',
      'tobiko-kubernetes-external-secrets',
      'tobiko-docker',
    ]) {
      expect(names).toContain(n);
      const { model } = load({ preset: n });
      expect(model.product).toBe(n.split('-')[0]);
    }
  });

  it('resolves env: secrets and registers them for masking', () => {
    const { model, secrets } = load({ preset: 'tobiko-docker' });
    expect(model.tobiko?.clientSecret).toBe(CLIENT_SECRET);
    expect(model.tobiko?.gateways.warehouse?.password).toBe(WAREHOUSE_PASSWORD);
    expect([...secrets]).toEqual(expect.arrayContaining([CLIENT_SECRET, WAREHOUSE_PASSWORD]));
  });
});

describe('precedence: --set > environment > preset > defaults', () => {
  it('applies defaults', () => {
    const { model } = load({ preset: 'fivetran-docker' });
    expect(model.fivetran?.pullPolicy).toBe('always');
    expect(model.fivetran?.kubernetes.chartVersion).toBe('0.24.0');
  });
  it('env overrides the preset, --set overrides env', () => {
    const env = { FIVETRAN_TOKEN: TOKEN, HD_SETUP_FIVETRAN__INSTALL_DIR: '/opt/env', HD_SETUP_RUNTIME: 'podman' };
    let r = load({ preset: 'fivetran-docker', env });
    expect(r.model.fivetran?.installDir).toBe('/opt/env');
    expect(r.model.runtime).toBe('podman');
    r = load({ preset: 'fivetran-docker', env, sets: ['fivetran.installDir=/opt/set'] });
    expect(r.model.fivetran?.installDir).toBe('/opt/set');
  });
  it('maps env names to camelCase paths and record keys', () => {
    expect(envPath('HD_SETUP_FIVETRAN__KUBERNETES__DATA_VOLUME_PVC')).toEqual(['fivetran', 'kubernetes', 'dataVolumePvc']);
    expect(envPath('HD_SETUP_TOBIKO__GATEWAYS__WAREHOUSE__HOST')).toEqual(['tobiko', 'gateways', 'warehouse', 'host']);
    expect(envPath('HD_SETUP_NOPE')).toBeUndefined();
  });
  it('parses --set values by the type the model wants', () => {
    const { model } = load({
      preset: 'fivetran-kubernetes',
      sets: ['fivetran.kubernetes.chartVersion=0.12.0', 'proxy.noProxy=[a, b]', 'proxy.https=http://p:3128', 'fivetran.kubernetes.nodeSelector["kubernetes.io/arch"]=amd64'],
    });
    expect(model.fivetran?.kubernetes.chartVersion).toBe('0.12.0');
    expect(model.proxy?.noProxy).toEqual(['a', 'b']);
    expect(model.fivetran?.kubernetes.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64' });
  });
  it('parses set paths', () => {
    expect(parseSetPath('a.b[2].c')).toEqual(['a', 'b', 2, 'c']);
    expect(parseSetPath('a["x.y"].z')).toEqual(['a', 'x.y', 'z']);
    expect(() => parseSetPath('a..b')).toThrow(UserError);
  });
  it('works with no preset file, from flags only', () => {
    const { model } = load({ sets: ['product=fivetran', 'runtime=docker', 'fivetran.token=env:FIVETRAN_TOKEN'] });
    expect(model.fivetran?.token).toBe(TOKEN);
  });
  it('reads file: secrets relative to the preset', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'token.txt'), TOKEN + '\n');
    writeFileSync(join(dir, 'p.yaml'), 'product: fivetran\nruntime: docker\nfivetran:\n  token: file:token.txt\n');
    expect(load({ preset: join(dir, 'p.yaml') }).model.fivetran?.token).toBe(TOKEN);
  });
  it('with a bundled preset, a file: given by --set is relative to the working directory (the preset is no file of the user\'s)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'pw.txt'), 'pw-from-a-file-55\n', { mode: 0o600 });
    const env = { HOME: dir, TCLOUD_CLIENT_SECRET: CLIENT_SECRET };
    const r = cli(['render', '--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse.password=file:pw.txt', '--out', join(dir, 'out')], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/tobiko.env'), 'utf8')).toContain('pw-from-a-file-55');
  });
  it("with the user's own preset, a file: given by --set or an HD_SETUP_* variable is relative to the working directory, as the shell completed it; the preset's own stay relative to the preset", () => {
    const dir = tmp();
    mkdirSync(join(dir, 'presets'));
    // the preset's own secret, next to it; a decoy of the --set's name next to it too
    writeFileSync(join(dir, 'presets/p.yaml'), 'product: tobiko\nruntime: docker\ntobiko:\n  org: acme\n  project: p\n  clientId: id\n  clientSecret: file:cs.txt\n  gateways:\n    warehouse:\n      type: postgres\n      host: db\n      port: 5432\n      user: u\n      database: d\n');
    writeFileSync(join(dir, 'presets/cs.txt'), 'client-secret-next-to-the-preset\n', { mode: 0o600 });
    writeFileSync(join(dir, 'presets/pw.txt'), 'decoy-next-to-the-preset\n', { mode: 0o600 });
    writeFileSync(join(dir, 'pw.txt'), 'pw-in-the-working-dir-77\n', { mode: 0o600 });
    const env = { HOME: dir };
    const r = cli(['render', '--preset', 'presets/p.yaml', '--set', 'tobiko.gateways.warehouse.password=file:pw.txt', '--out', join(dir, 'out')], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, 'out/tobiko.env'), 'utf8');
    expect(text).toContain('pw-in-the-working-dir-77');
    expect(text).toContain('client-secret-next-to-the-preset');
    expect(text).not.toContain('decoy');
    // a gateway's setting that is no secret takes file: too (every gateway setting does): the same
    writeFileSync(join(dir, 'presets/user.txt'), 'decoy_user\n', { mode: 0o600 });
    writeFileSync(join(dir, 'user.txt'), 'user_in_the_working_dir\n', { mode: 0o600 });
    const u = cli(['render', '--preset', 'presets/p.yaml', '--set', 'tobiko.gateways.warehouse.user=file:user.txt', '--set', 'tobiko.gateways.warehouse.password=file:pw.txt', '--out', join(dir, 'out-user')], { env, cwd: dir });
    expect(u.code, u.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out-user/tobiko.env'), 'utf8')).toContain('user_in_the_working_dir');
    // a whole gateway given by a variable: its file: too
    const v = cli(['render', '--preset', 'presets/p.yaml', '--out', join(dir, 'out2')], { env: { ...env, HD_SETUP_TOBIKO__GATEWAYS__WAREHOUSE: '{type: postgres, host: db, port: 5432, user: u, database: d, password: "file:pw.txt"}' }, cwd: dir });
    expect(v.code, v.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out2/tobiko.env'), 'utf8')).toContain('pw-in-the-working-dir-77');
    // one missing is named where it was looked for
    const m = cli(['render', '--preset', 'presets/p.yaml', '--set', 'tobiko.gateways.warehouse.password=file:nope.txt', '--out', join(dir, 'out3')], { env, cwd: dir });
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`file ${join(dir, 'nope.txt')} does not exist`);
  });
});

describe('the Fivetran token', () => {
  it('accepts base64 of <controller_id>:<secret>', () => {
    expect(checkToken(TOKEN)).toEqual({ ok: true, controllerId: 'clever_tiger' });
  });
  it.each([
    ['not base64', 'not base64!!'],
    ['no colon', Buffer.from('clever_tiger').toString('base64')],
    ['bad controller id', Buffer.from('clever-tiger:x').toString('base64')],
    ['digits in the id', Buffer.from('clever_tiger2:x').toString('base64')],
    ['empty secret', Buffer.from('clever_tiger:').toString('base64')],
  ])('rejects %s', (_n, token) => {
    expect(checkToken(token).ok).toBe(false);
  });
});

describe('bad input: one line per problem, naming the field', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['unknown product', { product: 'airbyte', runtime: 'docker' }, /^product: must be one of "fivetran", "tobiko"/],
    ["missing runtime", { product: "fivetran" }, /^runtime: is required: one of "docker", "podman", "kubernetes"/],
    ['wrong type', { product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:FIVETRAN_TOKEN', installDir: 5 } }, /^fivetran\.installDir: expected string/],
    ['typo key', { product: 'fivetran', runtime: 'docker', fivetran: { tokn: 'x' } }, /^fivetran\.tokn: unknown key/],
    ['bad token', { product: 'fivetran', runtime: 'docker', fivetran: { token: Buffer.from('bad:x').toString('base64') } }, /^fivetran\.token: has a controller id that is not two words of letters joined by "_" \(like clever_tiger\)/],
    ['no token on docker', { product: 'fivetran', runtime: 'docker', fivetran: {} }, /^fivetran\.token: is required; pass --set fivetran\.token=env:FIVETRAN_TOKEN/],
    ['unset env', { product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:NOT_SET_ANYWHERE' } }, /^fivetran\.token: environment variable NOT_SET_ANYWHERE is not set/],
    ['missing file', { product: 'fivetran', runtime: 'docker', fivetran: { token: 'file:/nonexistent/token' } }, /^fivetran\.token: file \/nonexistent\/token does not exist/],
    ['token and tokenSecret', fk({ tokenSecret: { name: 's' } }), /^fivetran\.kubernetes\.tokenSecret: give either fivetran\.token or fivetran\.kubernetes\.tokenSecret, not both/],
    ['no token source', { product: 'fivetran', runtime: 'kubernetes', fivetran: { kubernetes: { dataVolumePvc: 'd' } } }, /^fivetran\.token: is required \(or fivetran\.kubernetes\.tokenSecret\)/],
    ['no PVC', { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'env:FIVETRAN_TOKEN' } }, /^fivetran\.kubernetes\.dataVolumePvc: is required on Kubernetes/],
    ['cpu pattern', fk({ resources: { requests: { cpu: '2.5' } } }), /^fivetran\.kubernetes\.resources\.requests\.cpu: must match \^\[0-9\]\+m\?\$/],
    ['memory pattern', fk({ resources: { limits: { memory: '2G' } } }), /^fivetran\.kubernetes\.resources\.limits\.memory: must match \^\[0-9\]\+\(Mi\|Gi\)\$/],
    ['namespace name', fk({ namespace: 'Fivetran_NS' }), /^fivetran\.kubernetes\.namespace: must be a lowercase RFC 1123 name/],
    ['selector + affinity', fk({ nodeSelector: { a: 'b' }, affinityRules: rules, affinity: [{ rule: 'ssd', default: true }] }), /^fivetran\.kubernetes\.nodeSelector: cannot be combined with affinity/],
    ['unknown rule', fk({ affinityRules: rules, affinity: [{ rule: 'ssd', connectors: ['a'] }, { rule: 'gpu', connectors: ['b'] }] }), /^fivetran\.kubernetes\.affinity\[1\]\.rule: "gpu" is not defined in affinityRules \(defined: ssd, highmem\)$/],
    ['two defaults', fk({ affinityRules: rules, affinity: [{ rule: 'ssd', default: true }, { rule: 'highmem', default: true }] }), /^fivetran\.kubernetes\.affinity\[1\]\.default: only one rule can be the default; affinity\[0\] \(ssd\) already is/],
    ['connection in two rules', fk({ affinityRules: rules, affinity: [{ rule: 'ssd', connectors: ['c1', 'c2'] }, { rule: 'highmem', connectors: ['c3', 'c2'] }] }), /^fivetran\.kubernetes\.affinity\[1\]\.connectors\[1\]: connection "c2" is already assigned to rule "ssd"/],
    ['empty connectors', fk({ affinityRules: rules, affinity: [{ rule: 'ssd' }] }), /^fivetran\.kubernetes\.affinity\[0\]\.connectors: must list at least one connection id unless the rule is the default/],
    ['rule without match', fk({ affinityRules: { ssd: { match: [] } }, affinity: [{ rule: 'ssd', default: true }] }), /^fivetran\.kubernetes\.affinityRules\.ssd\.match: a rule needs at least one match expression/],
    ['In without values', fk({ affinityRules: { ssd: { match: [{ key: 'a' }] } }, affinity: [{ rule: 'ssd', default: true }] }), /affinityRules\.ssd\.match\[0\]\.values: operator In needs at least one value/],
    ['a weight on a required rule', fk({ affinityRules: { ssd: { mode: 'required', weight: 5, match: [{ key: 'a', values: ['b'] }] } }, affinity: [{ rule: 'ssd', default: true }] }), /^fivetran\.kubernetes\.affinityRules\.ssd\.weight: a weight applies to preferred rules only; remove it or use mode: preferred$/],
    ['chart version', fk({ chartVersion: '0.99.0' }), /^fivetran\.kubernetes\.chartVersion: must be one of "0\.24\.0", "0\.12\.0"/],
    ['config key owned by hd-setup', { product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:FIVETRAN_TOKEN', config: { http_proxy: 'x' } } }, /^fivetran\.config\.http_proxy: is set by hd-setup/],
    ['proxy URL', { product: 'fivetran', runtime: 'docker', proxy: { https: 'proxy:3128' }, fivetran: { token: 'env:FIVETRAN_TOKEN' } }, /^proxy\.https: must be an http:\/\/ or https:\/\/ URL/],
    ['gateway name', tob({ gateways: { Bad: { type: 'duckdb' } } }), /^tobiko\.gateways\.Bad: key "Bad": gateway names start with a-z/],
    ['gateway __', tob({ gateways: { a__b: { type: 'duckdb' } } }), /^tobiko\.gateways\.a__b: key "a__b": gateway names must not contain "__"/],
    ['unknown engine', tob({ gateways: { wh: { type: 'oracle' } } }), /^tobiko\.gateways\.wh\.type: must be one of "postgres"/],
    ['postgres params', tob({ gateways: { wh: { type: 'postgres', host: 'h' } } }), /^tobiko\.gateways\.wh\.port: postgres needs "port" \(required: host, port, database, user, password\)/],
    ['snowflake auth', tob({ gateways: { sf: { type: 'snowflake', account: 'a', user: 'u' } } }), /^tobiko\.gateways\.sf: snowflake needs one of "password", "private_key"/],
    ['bigquery project', tob({ gateways: { bq: { type: 'bigquery' } } }), /^tobiko\.gateways\.bq\.project: bigquery needs "project"/],
    ['databricks', tob({ gateways: { db: { type: 'databricks', server_hostname: 'x' } } }), /^tobiko\.gateways\.db\.http_path: databricks needs "http_path"/],
    ['redshift', tob({ gateways: { rs: { type: 'redshift', host: 'h', user: 'u', password: 'p' } } }), /^tobiko\.gateways\.rs\.database: redshift needs "database"/],
    ['mssql', tob({ gateways: { ms: { type: 'mssql', host: 'h', user: 'u' } } }), /^tobiko\.gateways\.ms\.password: mssql needs "password"/],
    ['trino', tob({ gateways: { tr: { type: 'trino', host: 'h', user: 'u' } } }), /^tobiko\.gateways\.tr\.catalog: trino needs "catalog"/],
    ['default gateway', tob({ defaultGateway: 'nope' }), /^tobiko\.defaultGateway: "nope" is not a gateway \(defined: wh\)/],
    ['envFile on k8s', tob({ secrets: 'envFile' }), /^tobiko\.secrets\.strategy: envFile is for docker\/podman/],
    ['existingSecret on docker', tob({ secrets: 'existingSecret' }, 'docker'), /^tobiko\.secrets\.strategy: existingSecret is for Kubernetes/],
    ['externalSecrets without store', tob({ secrets: 'externalSecrets', clientSecret: undefined, gateways: { wh: { type: 'duckdb' } } }), /^tobiko\.secrets\.store: externalSecrets needs the store/],
    ['secret literal with externalSecrets', tob({ secrets: { strategy: 'externalSecrets', store: { name: 's' } }, clientSecret: undefined }), /^tobiko\.gateways\.wh\.password: with externalSecrets, secret params come from the store/],
    ['no client secret', tob({ clientSecret: undefined }), /^tobiko\.clientSecret: is required; pass --set tobiko\.clientSecret=env:TCLOUD_CLIENT_SECRET/],
    ['replicas type', tob({ kubernetes: { apply: { replicas: 'two' } } }), /^tobiko\.kubernetes\.apply\.replicas: expected number/],
    ['Tobiko chart version: a path typed into it', tob({ kubernetes: { chartVersion: '/charts/tobiko' } }), /^tobiko\.kubernetes\.chartVersion: must be a chart version like "0\.3\.1"/],
    ['Tobiko chart version: a flag', tob({ kubernetes: { chartVersion: '--devel' } }), /^tobiko\.kubernetes\.chartVersion: must be a chart version/],
    ['Tobiko chart version: a word', tob({ kubernetes: { chartVersion: 'latest' } }), /^tobiko\.kubernetes\.chartVersion: must be a chart version/],
  ];
  it('an affinity rule: a preferred one weighs 1 unless given; a required one holds no weight (weight: 1 given on one is dropped), as its values have none', () => {
    const r = (rule: Record<string, unknown>) => load({ presetObject: fk({ affinityRules: { ssd: { match: [{ key: 'a', values: ['b'] }], ...rule } }, affinity: [{ rule: 'ssd', default: true }] }) }).model.fivetran!.kubernetes.affinityRules.ssd;
    expect(r({})).toEqual({ mode: 'preferred', weight: 1, match: [{ key: 'a', operator: 'In', values: ['b'] }] });
    expect(r({ weight: 7 })).toMatchObject({ mode: 'preferred', weight: 7 });
    expect(r({ mode: 'required' })).toEqual({ mode: 'required', match: [{ key: 'a', operator: 'In', values: ['b'] }] });
    expect(r({ mode: 'required', weight: 1 })).toEqual({ mode: 'required', match: [{ key: 'a', operator: 'In', values: ['b'] }] });
  });
  it('Tobiko chart version: every form helm --version takes is accepted', () => {
    for (const v of ['0.3.1', 'v1.2.3', '1.0.0-rc.1+build.5', '1.2.x', '^0.3', '~1.2', '>=0.3.0 <1.0.0', '>= 1.2, < 2', '1.2.3 || 2.x', '*']) {
      expect(load({ presetObject: tob({ kubernetes: { chartVersion: v } }) }).model.tobiko!.kubernetes.chartVersion, v).toBe(v);
    }
  });
  it.each(cases)('%s', (_name, preset, expected) => {
    const lines = problems(() => load({ presetObject: preset }));
    expect(lines.some((l) => expected.test(l)), lines.join('\n')).toBe(true);
  });

  it('reports every problem of an input, one per line', () => {
    const lines = problems(() => load({ presetObject: fk({ namespace: 'BAD', resources: { requests: { cpu: 'x', memory: 'y' } } }) }));
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it('never puts a secret value in an error', () => {
    const bad = Buffer.from('bad-id:' + 'TopSecretValue').toString('base64');
    const lines = problems(() => load({ presetObject: { product: 'fivetran', runtime: 'docker', fivetran: { token: bad } } }));
    expect(lines.join('\n')).not.toContain(bad);
    expect(lines.join('\n')).not.toContain('TopSecretValue');
  });

  it('rejects an unknown preset and lists the bundled ones', () => {
    expect(problems(() => load({ preset: 'nope' }))[0]).toMatch(/^--preset: unknown preset "nope"; bundled presets: fivetran-docker, /);
  });

  it('rejects invalid YAML with its position', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), 'product: fivetran\nruntime: [docker\n');
    expect(problems(() => load({ preset: join(dir, 'bad.yaml') }))[0]).toMatch(/bad\.yaml:\d+:\d+: invalid YAML/);
  });

  it('rejects a preset that is not a mapping', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
    expect(problems(() => load({ preset: join(dir, 'list.yaml') }))[0]).toMatch(/a preset must be a mapping/);
  });

  it('rejects a malformed --set', () => {
    expect(problems(() => load({ preset: 'fivetran-docker', sets: ['novalue'] }))[0]).toMatch(/^--set: an argument is not path=value \(not shown/);
  });
});

describe('Tobiko secret detection', () => {
  it('follows the chart: password, secret, token in the name, with overrides', () => {
    expect(isSecretParam('password')).toBe(true);
    expect(isSecretParam('client_secret')).toBe(true);
    expect(isSecretParam('api_token')).toBe(true);
    expect(isSecretParam('access_key')).toBe(false);
    expect(isSecretParam('access_key', ['access_key'])).toBe(true);
    expect(isSecretParam('token_endpoint', [], ['token_endpoint'])).toBe(false);
    expect(isSecretParam('type')).toBe(false);
  });
});

describe('HD_SETUP_* environment', () => {
  it('reads options, not the tool\'s own switches', () => {
    const env = { HD_SETUP_DEBUG: '1', HD_SETUP_PRODUCT: 'fivetran', HD_SETUP_NOT_AN_OPTION: 'x', PATH: '/bin' };
    expect(optionVarNames(env)).toEqual(['HD_SETUP_NOT_AN_OPTION', 'HD_SETUP_PRODUCT']);
    const { HD_SETUP_NOT_AN_OPTION: _, ...options } = env;
    const { raw, warnings } = buildRaw({ env: options });
    expect(raw).toEqual({ product: 'fivetran' });
    expect(warnings).toEqual([]);
    // one that names no option is refused, as a mistyped --set is (the setting it meant would be missing)
    expect(problems(() => buildRaw({ env }))).toEqual(['HD_SETUP_NOT_AN_OPTION: names no option; check the spelling (see: hd-setup schema), or unset it']);
  });

  it('every HD_SETUP_* variable the source, scripts or tests read is a switch (a test knob there would reach the children as an unknown option)', () => {
    const read = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|tsx|mjs|js|sh)$|^run$/.test(e.name)) for (const m of readFileSync(p, 'utf8').matchAll(/env(?:\.|\[')(HD_SETUP_[A-Z0-9_]+)/g)) read.add(m[1]!);
      }
    };
    for (const d of ['src', 'scripts', 'test', 'bin', '.ci']) walk(join(ROOT, d));
    expect([...read].filter((n) => !CONTROL_VARS.has(n))).toEqual([]);
    expect(read.has('HD_SETUP_DEBUG')).toBe(true);
  });
});

describe('no_proxy', () => {
  it('matches exact hosts, domain suffixes and *', () => {
    const np = ['localhost', '.internal.example', 'fivetran.com', '10.0.0.0/8'];
    expect(bypassesProxy('api.fivetran.com', np)).toBe(true);
    expect(bypassesProxy('fivetran.com', np)).toBe(true);
    expect(bypassesProxy('notfivetran.com', np)).toBe(false);
    expect(bypassesProxy('db.internal.example', np)).toBe(true);
    expect(bypassesProxy('cloud.tobikodata.com', np)).toBe(false);
    expect(bypassesProxy('anything', ['*'])).toBe(true);
  });
});

describe('JSON Schema', () => {
  it('describes presets, with the contract keys', () => {
    const s = presetJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['product', 'runtime', 'proxy', 'fivetran', 'tobiko']));
  });

  it('describes every setting, so an editor shows what each key does', () => {
    const missing: string[] = [];
    const described = (n: any): boolean => Boolean(n?.description) || (n?.anyOf ?? []).some(described);
    const walk = (n: any, path: string): void => {
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries<any>(n.properties ?? {})) {
        if (!described(v)) missing.push(`${path}${k}`);
        walk(v, `${path}${k}.`);
      }
      for (const b of n.anyOf ?? []) walk(b, path);
      if (n.items) walk(n.items, `${path}[].`);
      if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}*.`);
    };
    walk(computePresetJsonSchema(), '');
    expect(missing).toEqual([]);
  });

  it('ships precomputed in the bundle, identical to the model', () => {
    // npm test builds first; the bundle reads dist/preset.schema.json instead of computing it
    expect(JSON.parse(readFileSync(join(ROOT, 'dist/preset.schema.json'), 'utf8'))).toEqual(computePresetJsonSchema());
  });
});

describe('messages', () => {
  it('a required field names the flag that supplies it once', async () => {
    const { parseModel } = await import('../src/products/load.js');
    const raw = { product: 'tobiko', runtime: 'docker', tobiko: { org: 'a', project: 'b', clientId: 'c', gateways: { w: { type: 'duckdb' } } } };
    let message = '';
    try {
      parseModel(raw, { env: {} });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('tobiko.clientSecret: is required; pass --set tobiko.clientSecret=env:TCLOUD_CLIENT_SECRET');
    expect(message.match(/pass --set/g)).toHaveLength(1);
  });
});

describe('agent parameters hd-setup writes itself', () => {
  // named here one by one (not from the list in the source): a name dropped from that list is caught
  it.each(['token', 'http_proxy', 'https_proxy', 'no_proxy', 'host_selinux_enabled', 'namespace', 'data_volume_pvc', 'token_secret_name', 'token_secret_key', 'kubernetes_affinity', 'affinity_rules', 'kubernetes_node_selector_enable'])(
    'fivetran.config.%s is refused, naming the dedicated option',
    (key) => {
      expect(problems(() => load({ preset: 'fivetran-docker', sets: [`fivetran.config.${key}=x`] }))).toEqual([
        `fivetran.config.${key}: is set by hd-setup; use the dedicated option instead (fivetran.token, proxy, fivetran.selinux, fivetran.kubernetes.*)`,
      ]);
    },
  );
});
