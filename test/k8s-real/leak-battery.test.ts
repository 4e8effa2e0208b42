// The leak battery on Kubernetes (issue 12, item 8): every command, on Fivetran and Tobiko installs with every
// secrets strategy hd-setup offers there, run as the built CLI through the REAL helm and kubectl against the
// in-memory API server (one bed for the file; each install kind has its own HOME and namespace). Secrets of
// every shape (the stub battery's: plain, 1 character, a common word, multi-line, every awkward character, 4 KB,
// base64-looking). No secret may show in stdout, stderr (HD_SETUP_DEBUG=1 throughout), the argv of hd-setup or
// any process under it (/proc/<pid>/cmdline sampled while installs run), a request URL, any file but the
// intended 0600 ones, or the unpacked diagnostics bundle; no object the API server ever stored may hold one in
// an annotation (client-side `kubectl apply` would copy a Secret's data into last-applied-configuration), and
// outside Secrets only where the README says it lives (the Fivetran chart's ConfigMap for a proxy, the Tobiko
// executors' environment for a proxy or with `inline`). And the output around a masked secret still reads right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MASK } from '../../src/util/redact.js';
import { CHARTS, startBed, type Bed } from '../k8s-api/bed.js';
import { B64_CLIENT, JSON_LITERAL, LONG_PART, PRIVATE_KEY, PROXY, PROXY2, PROXY2_PW, PROXY_PW, PROXY_PW_RAW, RUN, SPECIAL_PART, TWO_LINES, USER_ONLY, b64, expectAbsent, expectNoToken, firstLeak, runSampled, tokenOf, walk } from '../leak-check.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = 600_000;

/** hd-setup as a child process while sampling the argv of it and of every process under it (helm, kubectl). */
const hdSampled = (args: string[], env: NodeJS.ProcessEnv) => runSampled(args, env);

const SPECIAL_PW = `Wh ${RUN} @:/%"'$#\\&<> pw`;
// Secrets that live only in the cluster (a Secret the user made): hd-setup never reads their values.
const USER_TOKEN = tokenOf(`user-made-${RUN}`);
const USER_CLIENT = `user-made-client-${RUN}`;
const USER_PW = `user-made-pw-${RUN}`;
const ALL_TWO_LINES = [`first-line-${RUN}`, `second-line-${RUN}`];

const F_CHART = `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`;
const T_CHART = `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`;

interface Kind {
  name: string;
  product: 'fivetran' | 'tobiko';
  /** A bundled preset, or a preset file written into HOME (`preset.yaml`) from `presetFile`. */
  preset: string;
  presetFile?: string;
  namespace: string;
  /** Secrets given through env: / file: references (never on argv). */
  env: NodeJS.ProcessEnv;
  files?: Record<string, string>;
  sets: string[];
  /** Objects to seed in the namespace before anything runs (an existing Secret, the PVC). */
  seed: Obj[];
  /** 8+ characters: absent in every spelling. */
  secrets: string[];
  /** Shorter: never a whole token. */
  short: string[];
  /** Which non-Secret objects of the store may hold which secrets (as the README says): `Kind/name` patterns. */
  inCluster: { secrets: string[]; holders: RegExp }[];
  /** What the output must still read as (around the masked secrets). */
  reads: (s: string) => void;
  /** What the reset refusal suggests for the proxy it would drop. */
  refusal: string;
  /** Bad input that carries a secret: exit 2, the field named, the value never. */
  bad: { args: string[]; files?: Record<string, string>; field: RegExp }[];
}

const pvc = (ns: string): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: ns }, spec: { accessModes: ['ReadWriteMany'] } });
const namespace = (ns: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
const userSecret = (ns: string, name: string, data: Record<string, string>): Obj => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: ns },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
// The executors' environment: the Deployments and what the controller makes of them.
const EXECUTOR_ENV = /^(Deployment|ReplicaSet|Pod)\//;
const F_CONFIGMAP = /^ConfigMap\/hd-agent-config$/;

const kinds: Kind[] = [
  {
    name: 'fivetran, token in a Secret hd-setup applies (tokenDelivery: secret): a token with @ : / % " \' $ # \\ and spaces; a proxy password of the same',
    product: 'fivetran',
    preset: 'fivetran-kubernetes',
    namespace: 'ft-secret',
    env: { FIVETRAN_TOKEN: tokenOf(SPECIAL_PART), HTTPS_PROXY_URL: PROXY },
    sets: ['fivetran.kubernetes.namespace=ft-secret', 'proxy.https=env:HTTPS_PROXY_URL'],
    seed: [namespace('ft-secret'), pvc('ft-secret')],
    secrets: [tokenOf(SPECIAL_PART), SPECIAL_PART, PROXY_PW, PROXY_PW_RAW],
    short: [],
    // The chart puts the proxy into its ConfigMap (review and dry-run warn).
    inCluster: [{ secrets: [PROXY_PW, PROXY_PW_RAW, PROXY2_PW], holders: F_CONFIGMAP }],
    reads: (s) => {
      expect(s).toContain(`http://bob:${MASK}@proxy.internal:3128`);
      expect(s).toMatch(/\|\s+token: \*{8}/);
      expect(s).toContain('kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n ft-secret -f -');
      expect(s).toContain('into the ConfigMap of release hd-agent in namespace ft-secret'); // the warning names it
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [
      // A two-line token from a file: refused, never quoted.
      { args: ['--set', 'fivetran.token=file:two-lines.txt'], files: { 'two-lines.txt': `${TWO_LINES}\n` }, field: /fivetran\.token/ },
      // A secret given where an enum goes: the error names the field, not the value.
      { args: ['--set', `fivetran.kubernetes.imagePullPolicy=${JSON_LITERAL}`], field: /fivetran\.kubernetes\.imagePullPolicy/ },
    ],
  },
  {
    name: 'fivetran, token inline in the values (tokenDelivery: inline): a 4 KB secret part from a file; a proxy with a user and no password',
    product: 'fivetran',
    preset: 'fivetran-kubernetes',
    namespace: 'ft-inline',
    env: {},
    files: { 'token.txt': `${tokenOf(LONG_PART)}\n` },
    sets: ['fivetran.kubernetes.namespace=ft-inline', 'fivetran.kubernetes.tokenDelivery=inline', 'fivetran.token=file:token.txt', `proxy.https=${USER_ONLY}`],
    seed: [namespace('ft-inline'), pvc('ft-inline')],
    secrets: [tokenOf(LONG_PART), LONG_PART],
    short: [],
    inCluster: [{ secrets: [PROXY2_PW], holders: F_CONFIGMAP }],
    reads: (s) => {
      expect(s).toContain(USER_ONLY);
      expect(s).toContain('# stdin: Helm values (with inline secrets)');
    },
    refusal: `proxy.https=${USER_ONLY}`,
    bad: [
      // A JSON preset with an unquoted literal: the parse error names line and column, never the text.
      { args: ['--preset', 'bad.json'], files: { 'bad.json': `{"product": "fivetran", "runtime": "kubernetes", "fivetran": {"token": ${JSON_LITERAL}}}` }, field: /bad\.json:1:\d+/ },
    ],
  },
  {
    name: 'fivetran, an existing Secret the user made (tokenSecret): its token is never read; a proxy password',
    product: 'fivetran',
    preset: 'preset.yaml',
    presetFile: 'product: fivetran\nruntime: kubernetes\nfivetran:\n  kubernetes:\n    namespace: ft-existing\n    dataVolumePvc: fivetran-data\n    tokenSecret: {name: my-token, key: agent-token}\n',
    namespace: 'ft-existing',
    env: { HTTPS_PROXY_URL: PROXY },
    sets: ['proxy.https=env:HTTPS_PROXY_URL'],
    seed: [namespace('ft-existing'), pvc('ft-existing'), userSecret('ft-existing', 'my-token', { 'agent-token': USER_TOKEN })],
    secrets: [USER_TOKEN, PROXY_PW, PROXY_PW_RAW],
    short: [],
    inCluster: [{ secrets: [PROXY_PW, PROXY_PW_RAW, PROXY2_PW], holders: F_CONFIGMAP }],
    reads: (s) => {
      expect(s).toContain(`http://bob:${MASK}@proxy.internal:3128`);
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [],
  },
  {
    name: 'tobiko, a Secret hd-setup applies (existingSecret): a two-line client secret, a 1-character password, a common word forced secret by secretParams, a proxy password',
    product: 'tobiko',
    preset: 'tobiko-kubernetes',
    namespace: 'tb-secret',
    env: { WAREHOUSE_PASSWORD: 'y', PK: PRIVATE_KEY, HTTPS_PROXY_URL: PROXY },
    files: { 'client.txt': `${TWO_LINES}\n` },
    sets: ['tobiko.kubernetes.namespace=tb-secret', 'tobiko.clientSecret=file:client.txt', 'proxy.https=env:HTTPS_PROXY_URL', 'tobiko.secretParams=[private_key]', 'tobiko.gateways.warehouse.private_key=env:PK'],
    seed: [],
    secrets: [TWO_LINES, ...ALL_TWO_LINES, PRIVATE_KEY, PROXY_PW, PROXY_PW_RAW],
    short: ['y'],
    inCluster: [{ secrets: [PROXY_PW, PROXY_PW_RAW, PROXY2_PW], holders: EXECUTOR_ENV }],
    reads: (s) => {
      expect(s).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: ${MASK}\n`);
      expect(s).toContain(`TCLOUD_CLIENT_SECRET: |-\n`);
      expect(s).toContain('kubectl apply --server-side --field-manager=hd-setup --force-conflicts -n tb-secret -f -');
      expect(s).toContain('executors-hybrid-executors-apply'); // the 1-character secret leaves words whole
      expect(s).toContain(`value: http://bob:${MASK}@proxy.internal:3128`);
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [
      { args: ['--set', `tobiko.secrets.strategy=${JSON_LITERAL}`], field: /tobiko\.secrets\.strategy/ },
    ],
  },
  {
    name: 'tobiko, secrets inline in the values (inline): a base64-looking client secret, a password with every awkward character, a proxy password',
    product: 'tobiko',
    preset: 'tobiko-kubernetes',
    namespace: 'tb-inline',
    env: { TCLOUD_CLIENT_SECRET: B64_CLIENT, WAREHOUSE_PASSWORD: SPECIAL_PW, HTTPS_PROXY_URL: PROXY },
    sets: ['tobiko.kubernetes.namespace=tb-inline', 'tobiko.secrets.strategy=inline', 'proxy.https=env:HTTPS_PROXY_URL'],
    seed: [],
    secrets: [B64_CLIENT, SPECIAL_PW, PROXY_PW, PROXY_PW_RAW],
    short: [],
    // inline: the executors' environment holds every secret (the warning says development only).
    inCluster: [{ secrets: [B64_CLIENT, SPECIAL_PW, PROXY_PW, PROXY_PW_RAW, PROXY2_PW], holders: EXECUTOR_ENV }],
    reads: (s) => {
      expect(s).toContain('inline');
      expect(s).toContain(`http://bob:${MASK}@proxy.internal:3128`);
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [
      // A two-line password from a file where it must be one line: refused, never quoted.
      { args: ['--preset', 'bad.yaml'], files: { 'bad.yaml': `product: tobiko\nruntime: kubernetes\ntobiko: {org: acme, project: p, clientId: c, clientSecret: "${JSON_LITERAL}", gateways: {w: {type: postgres, host: h, port: [${JSON_LITERAL}}}}\n` }, field: /tobiko\.gateways\.w\.port|bad\.yaml:\d+:\d+/ },
    ],
  },
  {
    name: 'tobiko, secrets from a store (externalSecrets): only the proxy password goes through hd-setup',
    product: 'tobiko',
    preset: 'tobiko-kubernetes-external-secrets',
    namespace: 'tb-external',
    env: { HTTPS_PROXY_URL: PROXY },
    sets: ['tobiko.kubernetes.namespace=tb-external', 'proxy.https=env:HTTPS_PROXY_URL'],
    seed: [],
    secrets: [PROXY_PW, PROXY_PW_RAW],
    short: [],
    inCluster: [{ secrets: [PROXY_PW, PROXY_PW_RAW, PROXY2_PW], holders: EXECUTOR_ENV }],
    reads: (s) => {
      expect(s).toContain('ExternalSecret');
      expect(s).toContain(`http://bob:${MASK}@proxy.internal:3128`);
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [],
  },
  {
    name: 'tobiko, a Secret the user made (existingSecret, create: false): its values are never read; a proxy password',
    product: 'tobiko',
    preset: 'preset.yaml',
    presetFile: [
      'product: tobiko',
      'runtime: kubernetes',
      'tobiko:',
      '  org: acme',
      '  project: analytics',
      '  clientId: 7f3c2a10-hybrid-executors',
      '  gateways: {warehouse: {type: postgres, host: db, port: 5432, database: analytics, user: sqlmesh}}',
      '  secrets: {strategy: existingSecret, name: executors-secrets, create: false}',
      '  kubernetes: {namespace: tb-existing}',
      '',
    ].join('\n'),
    namespace: 'tb-existing',
    env: { HTTPS_PROXY_URL: PROXY },
    sets: ['proxy.https=env:HTTPS_PROXY_URL'],
    seed: [
      namespace('tb-existing'),
      userSecret('tb-existing', 'executors-secrets', { TCLOUD_CLIENT_SECRET: USER_CLIENT, SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: USER_PW }),
    ],
    secrets: [USER_CLIENT, USER_PW, PROXY_PW, PROXY_PW_RAW],
    short: [],
    inCluster: [{ secrets: [PROXY_PW, PROXY_PW_RAW, PROXY2_PW], holders: EXECUTOR_ENV }],
    reads: (s) => {
      expect(s).toContain(`http://bob:${MASK}@proxy.internal:3128`);
    },
    refusal: 'proxy.https=env:AGENT_HTTPS_PROXY',
    bad: [],
  },
];

describe('leak battery on Kubernetes: every command, every secrets strategy, every shape of secret (real helm and kubectl)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({ eso: 'v1' });
    bed.api.keepAll();
  });
  afterAll(() => bed?.stop());

  for (const k of kinds) {
    it(
      k.name,
      async () => {
        for (const o of k.seed) bed.api.seed(o);
        const home = join(bed.dir, `home-${k.namespace}`);
        mkdirSync(home, { mode: 0o700 });
        for (const [name, content] of Object.entries(k.files ?? {})) writeFileSync(join(home, name), content, { mode: 0o600 });
        const env: NodeJS.ProcessEnv = { ...bed.env, HOME: home, HD_SETUP_DEBUG: '1', PROXY2_URL: PROXY2, ...k.env };
        const secrets = [...k.secrets, PROXY2_PW];
        if (k.presetFile) writeFileSync(join(home, k.preset), k.presetFile);
        const chart = k.product === 'fivetran' ? F_CHART : T_CHART;
        // file: references are given absolute (hd-setup resolves a relative one from the working directory)
        const abs = (a: string, dir = home) => a.replace(/=file:(?!\/)/, `=file:${dir}/`);
        const sets = (list: string[]) => list.flatMap((x) => ['--set', abs(x)]);
        const base = ['--preset', k.presetFile ? join(home, k.preset) : k.preset, '--set', chart];
        const at = [...base, ...sets(k.sets)];
        const outputs: [string, string][] = [];
        const run = async (label: string, args: string[], o: { expect?: number } = {}) => {
          const r = await hdSampled(args, env);
          outputs.push([label, r.stdout + r.stderr]);
          expectAbsent(`argv during ${label}`, r.argvs.join('\n'), secrets);
          if (o.expect !== undefined) expect(r.code, `${label}: ${r.stderr.slice(0, 800)}`).toBe(o.expect);
          return r;
        };

        await run('render --json', ['render', ...at, '--out', join(home, 'render-out'), '--json'], { expect: 0 });
        await run('install --dry-run', ['install', ...at, '--dry-run'], { expect: 0 });
        await run('install --dry-run --json', ['install', ...at, '--dry-run', '--json'], { expect: 0 });
        const real = await run('install', ['install', ...at, '--yes'], { expect: 0 });
        expect(real.argvs.some((a) => a.includes(' helm ') || /\/helm /.test(a) || a.includes('helm upgrade'))).toBe(true); // the sampler saw helm run
        expectNoToken('argv during install', real.argvs.join('\n'), k.short);
        await run('install --json (again)', ['install', ...at, '--yes', '--json'], { expect: 0 });
        // a change: its dry-run shows the diff of the values, then it is made (the values are backed up)
        const change = ['--set', 'proxy.https=env:PROXY2_URL'];
        await run('install --dry-run (change)', ['install', ...at, ...change, '--dry-run'], { expect: 0 });
        await run('install (change)', ['install', ...at, ...change, '--yes'], { expect: 0 });
        // the reset refusal: a preset that drops the proxy (and --json)
        const dropProxy = [...base, ...sets(k.sets.filter((x) => !x.startsWith('proxy.')))];
        const refusal = await run('reset refusal', ['install', ...dropProxy, '--yes'], { expect: 2 });
        expect(refusal.stderr).toContain(k.refusal === `proxy.https=${USER_ONLY}` ? 'proxy.https=' : k.refusal);
        await run('reset refusal --json', ['install', ...dropProxy, '--yes', '--json'], { expect: 2 });
        // read-only commands, from the install's record (no preset)
        await run('status', ['status']);
        await run('status --json', ['status', '--json']);
        await run('doctor', ['doctor', '--skip-check', 'egress']);
        const bundle = join(home, 'diag.tar.gz');
        await run('doctor --bundle', ['doctor', '--bundle', bundle]);
        const exp = await run('export-preset', ['export-preset'], { expect: 0 });
        expect(exp.stdout).toMatch(/product: /);
        await run('uninstall --dry-run', ['uninstall', '--dry-run']);
        await run('rollback', ['rollback', '--yes'], { expect: 0 });
        // bad input that carries a secret
        for (const b of k.bad) {
          const dir = join(home, `bad-${k.bad.indexOf(b)}`);
          mkdirSync(dir);
          for (const [name, content] of Object.entries(b.files ?? {})) writeFileSync(join(dir, name), content, { mode: 0o600 });
          const args = b.args[0] === '--preset' ? ['install', '--preset', join(dir, b.args[1]!), '--dry-run'] : ['install', ...at, ...b.args.map((a) => abs(a, dir)), '--dry-run'];
          for (const json of [false, true]) {
            const r = await run(`bad input ${b.args.join(' ')}${json ? ' --json' : ''}`, [...args, ...(json ? ['--json'] : [])], { expect: 2 });
            expect(r.stdout + r.stderr).toMatch(b.field);
            expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace, even with HD_SETUP_DEBUG=1
            expectAbsent(`bad input ${b.args.join(' ')}`, r.stdout + r.stderr, [...ALL_TWO_LINES, JSON_LITERAL]);
          }
        }

        // the API server's store, every version of every object ever written: no secret in an annotation
        // (last-applied-configuration); outside Secrets only where the README says it lives
        const stored = bed.api.allWritten().filter((o) => o.metadata?.namespace === k.namespace);
        expect(stored.some((o) => o.kind === 'Deployment')).toBe(true);
        for (const o of stored) {
          const id = `${o.kind}/${o.metadata.name}`;
          expectAbsent(`annotations of ${id}`, JSON.stringify(o.metadata.annotations ?? {}), [...secrets, ...ALL_TWO_LINES]);
          if (o.kind === 'Secret') continue;
          const allowed = new Set(k.inCluster.filter((c) => c.holders.test(id)).flatMap((c) => c.secrets));
          expectAbsent(`${id} in the API server`, JSON.stringify(o), secrets.filter((s) => !allowed.has(s)));
        }
        // it still reads right around what was masked
        k.reads(outputs.map(([, t]) => t).join('\n'));
        // stdout and stderr of every command
        for (const [label, text] of outputs) {
          expectAbsent(label, text, secrets);
          expectNoToken(label, text, k.short);
        }
        // no request URL carries one
        expectAbsent('request URLs', bed.api.requests.map((r) => r.url).join('\n'), secrets);
        // files: only the intended ones hold a secret, and they are 0600 (render's output dir too)
        const intended = new RegExp(`^(\\.config/hd-setup/${k.product}/${k.namespace}/[^/]+/|render-out/)(values|token-secret|secret)\\.yaml(\\.bak-.*)?$`);
        for (const f of walk(home)) {
          const rel = relative(home, f.path);
          if (Object.keys(k.files ?? {}).includes(rel) || rel === k.preset || /^bad-\d+\//.test(rel)) continue; // the test's own inputs
          const text = readFileSync(f.path, 'latin1') + readFileSync(f.path, 'utf8');
          if (!firstLeak(text, secrets)) continue;
          expect(intended.test(rel), `${rel} holds a secret`).toBe(true);
          expect(f.mode, `${rel} mode`).toBe(0o600);
        }
        // the bundle, unpacked
        const unpacked = join(home, 'unpacked');
        mkdirSync(unpacked);
        expect(spawnSync('tar', ['-xzf', bundle, '-C', unpacked]).status).toBe(0);
        const inBundle = walk(unpacked);
        expect(inBundle.map((f) => relative(unpacked, f.path))).toContain('hd-setup-diagnostics/helm-values.json');
        for (const f of inBundle) {
          const text = readFileSync(f.path, 'utf8');
          expectAbsent(`bundle ${relative(unpacked, f.path)}`, text, secrets);
          expectNoToken(`bundle ${relative(unpacked, f.path)}`, text, k.short);
        }
      },
      T,
    );
  }
});
