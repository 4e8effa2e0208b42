// Each product's wizard questions live in its module (src/products/<name>/questions.ts), registered with
// it; the wizard's shared flow names no product and loads no zod. Driven through the pure state machine
// (no Ink), asserting the answers and what they render.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { parseModel } from '../../src/products/load.js';
import { render } from '../../src/service/plan.js';
import { PRODUCTS, computePresetJsonSchema } from '../../src/products/index.js';
import { WIZARDS } from '../../src/products/wizards.js';
import { secretPaths } from '../../src/products/secrets.js';
import { createState, currentQuestion, prefill, reduce, secretPaste, type WizardState } from '../../src/ui/wiz/state.js';
import { questions, type Answers } from '../../src/ui/wiz/questions.js';
import { RENDER_ENV, ROOT, SECRET_ENV, TOKEN, load, tmp } from '../helpers.js';
import { localChart } from '../../src/util/local-chart.js';

const submit = (s: WizardState, value: string) => reduce(s, { type: 'submit', value });
const walk = (s: WizardState, values: string[]) => values.reduce(submit, s);
const files = (answers: Answers) => render(parseModel(structuredClone(answers), { env: SECRET_ENV }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]);
const at = (s: WizardState) => currentQuestion(s).id;
/** A Fivetran Kubernetes install with these affinity rules and assignments, as decode gives it. */
const k8sInstalled = (affinityRules: Record<string, unknown>, affinity: unknown[]) => ({
  product: 'fivetran',
  runtime: 'kubernetes',
  fivetran: { token: TOKEN, kubernetes: { dataVolumePvc: 'fivetran-data', affinityRules, affinity } },
});
/** Esc until the question `id` is current. */
function backTo(s: WizardState, id: string): WizardState {
  for (let i = 0; i < 60 && at(s) !== id; i++) s = reduce(s, { type: 'back' });
  expect(at(s)).toBe(id);
  return s;
}

/** The static (non-type) imports reachable from a source file. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^import\s+(?!type\b)(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) {
        seen.add(`pkg:${spec}`);
        continue;
      }
      const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
      visit(existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.tsx`);
    }
  };
  visit(entry);
  return seen;
}

describe('questions are the product modules\' own', () => {
  it('each module registers its questions; the wizard\'s list is the same objects, in the same order', () => {
    expect(WIZARDS.map((w) => w.id)).toEqual(PRODUCTS.map((p) => p.id));
    PRODUCTS.forEach((p, i) => expect(p.wizard).toBe(WIZARDS[i]));
  });

  it('the wizard\'s first frame imports no zod (questions, state, the wizard entry)', () => {
    for (const entry of ['src/cli/wizard-main.ts', 'src/ui/wiz/questions.ts', 'src/products/wizards.ts']) {
      const graph = importGraph(join(ROOT, entry));
      expect([...graph].filter((f) => f === 'pkg:zod' || f.endsWith('/schema.ts') || f.endsWith('products/index.ts')), entry).toEqual([]);
      expect(graph.has(join(ROOT, 'src/products/fivetran/questions.ts')) || entry === 'src/cli/wizard-main.ts').toBe(true);
    }
  });

  it('the Advanced settings are the model\'s: the path exists, with its default and its choices', () => {
    const schema = computePresetJsonSchema() as any;
    const node = (path: string) => path.split('.').reduce((n, k) => n?.properties?.[k] ?? n?.anyOf?.find((x: any) => x.properties)?.properties?.[k], schema);
    for (const w of WIZARDS) {
      for (const runtime of ['docker', 'kubernetes']) {
        for (const f of w.advanced({ answers: { product: w.id, runtime }, drafts: {}, detection: {} })) {
          const n = node(f.path);
          expect(n, f.path).toBeDefined();
          // a setting that is an object or a list (the egress check, extra parameters) is asked as text or on/off
          if (n.type === 'object' || n.type === 'array') continue;
          if (f.default !== undefined) expect(String(n.default), f.path).toBe(f.default);
          const en = n.enum ?? n.anyOf?.flatMap((x: any) => x.enum ?? (x.const !== undefined ? [x.const] : x.type === 'boolean' ? [true, false] : []));
          if (f.options) expect([...f.options].map(String).sort(), f.path).toEqual(en.map(String).sort());
        }
      }
    }
  });
});

describe('the Advanced step', () => {
  const fivetranDocker = () => walk(createState(), ['fivetran', 'docker', TOKEN, 'none', 'ok']);
  it('is skipped by default: Enter keeps the defaults and goes to the review', () => {
    const s = fivetranDocker();
    expect(at(s)).toBe('advanced');
    const r = submit(s, 'defaults');
    expect(at(r)).toBe('review');
    expect(files(r.answers)).toEqual(render(load({ preset: 'fivetran-docker' }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]));
  });

  it('Fivetran on docker: image (a mirror), pull policy, install dir, memory, restart policy; the same files as the --set paths', () => {
    let s = submit(fivetranDocker(), 'edit');
    expect(at(s)).toBe('adv:fivetran.image');
    s = submit(s, 'registry.internal/fivetran/ldp-agent:production');
    expect(at(s)).toBe('adv:fivetran.pullPolicy');
    s = walk(s, ['never', '~/hd', '4g', 'always']);
    expect(at(s)).toBe('adv:fivetran.selinux');
    s = submit(s, 'auto');
    expect(at(s)).toBe('adv:fivetran.config');
    const cq = currentQuestion(s);
    expect(cq.kind === 'text' && cq.display?.('custom_dns=10.0.0.2, db_password=98765432')).toBe('custom_dns=10.0.0.2, db_password=********');
    // a value holding a password is masked whatever its name, as the model makes it a secret (review: it showed as typed)
    expect(cq.kind === 'text' && cq.display?.('metrics_url=https://m:hunter2hunter2@metrics/x, db_url=postgres://db/x?sslpassword=qq-ssl-99, plain_url=https://example.test/?mode=ro')).toBe('metrics_url=********, db_url=********, plain_url=https://example.test/?mode=ro');
    // extra agent parameters: checked as the model does, typed as --set reads them
    expect(submit(s, 'token=x').error).toBe('token is set by hd-setup from its own question');
    expect(submit(s, 'custom_dns').error).toBe('"custom_dns" is not key=value');
    s = submit(s, 'custom_dns=10.0.0.2, job_cpu=2');
    expect(at(s)).toBe('review');
    expect(s.answers.fivetran).toEqual({ token: TOKEN, image: 'registry.internal/fivetran/ldp-agent:production', pullPolicy: 'never', installDir: '~/hd', memory: '4g', restartPolicy: 'always', config: { custom_dns: '10.0.0.2', job_cpu: 2 } });
    const viaSet = load({ preset: 'fivetran-docker', sets: ['fivetran.image=registry.internal/fivetran/ldp-agent:production', 'fivetran.pullPolicy=never', 'fivetran.installDir=~/hd', 'fivetran.memory=4g', 'fivetran.restartPolicy=always', 'fivetran.config.custom_dns=10.0.0.2', 'fivetran.config.job_cpu=2'] });
    expect(files(s.answers)).toEqual(render(viaSet.model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]));
    // a re-run shows what is kept
    const back = backTo(s, 'advanced');
    const q = currentQuestion(back);
    expect(q.kind === 'select' && q.options[0]).toMatchObject({ label: 'Keep these settings', hint: expect.stringContaining('pullPolicy=never') });
  });

  it('refuses a value in the wrong format where it is typed, with the model\'s words', () => {
    let s = submit(fivetranDocker(), 'edit');
    s = submit(s, 'Not An Image');
    expect(s.error).toMatch(/must be an image reference/);
    s = walk(s, ['', 'always', '', '2 gigs']);
    expect(s.error).toBe('must be like 2048m or 2g');
    // the schema's check, where it is typed: less than docker takes is refused here, not at `docker run`
    s = submit(s, '512k');
    expect(s.error).toBe('must be at least 6m: docker and podman refuse less');
  });

  it('Tobiko on docker: the URL, the image, tobiko.docker.pullPolicy', () => {
    let s = walk(createState(), ['tobiko', 'docker', 'acme', 'analytics', 'cid', 'sec', 'add', 'warehouse', 'duckdb', '', 'done', 'none', 'ok', 'edit']);
    expect(at(s)).toBe('adv:tobiko.url');
    // a password in it would be no secret anywhere (TCLOUD_URL, the Kubernetes values): refused where it is typed
    expect(submit(s, 'https://u:pw-1234@tobiko.internal/sqlmesh/acme/analytics').error).toMatch(/^must not hold a password \(user:password@\)/);
    s = walk(s, ['https://tobiko.internal/sqlmesh/acme/analytics', 'mirror.internal/tobikodata/tcloud:1.2', 'never', '', 'always']);
    expect(at(s)).toBe('adv:tobiko.docker.extraEnv');
    expect(submit(s, 'TCLOUD_URL=x').error).toBe('TCLOUD_URL is set by hd-setup from its own question');
    // a secret's value is masked as it is typed (it showed until saved); a reference and any other value are not
    const q = currentQuestion(s);
    const show = (v: string) => (q.kind === 'text' && q.display ? q.display(v) : v);
    expect(show('TZ=UTC, X_SECRET=abc123')).toBe('TZ=UTC, X_SECRET=********');
    expect(show('DD_API_KEY=dd0api7key, DB_PASS=env:DBP')).toBe('DD_API_KEY=********, DB_PASS=env:DBP');
    expect(show('X_SECRET=')).toBe('X_SECRET=');
    s = submit(s, 'DBT_TARGET=prod, TZ=UTC');
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko).toMatchObject({ url: 'https://tobiko.internal/sqlmesh/acme/analytics', docker: { image: 'mirror.internal/tobikodata/tcloud:1.2', pullPolicy: 'never', restartPolicy: 'always', extraEnv: [{ name: 'DBT_TARGET', value: 'prod' }, { name: 'TZ', value: 'UTC' }] } });
    expect(files(s.answers).find(([p]) => String(p).endsWith('tobiko.env'))?.[2]).toContain('TCLOUD_URL=https://tobiko.internal/sqlmesh/acme/analytics');
    expect(files(s.answers).find(([p]) => String(p).endsWith('tobiko.env'))?.[2]).toContain('\nDBT_TARGET=prod\nTZ=UTC\n');
  });

  it('Kubernetes: release, chart mirror and version, executor image, replicas', () => {
    let s = walk(createState(), ['tobiko', 'kubernetes', 'acme', 'analytics', 'cid', 'tobiko', 'existingSecret:create', 'sec', 'add', 'warehouse', 'duckdb', '', 'done', 'none', 'edit']);
    expect(at(s)).toBe('adv:tobiko.url');
    s = walk(s, ['', 'mirror.internal/tobikodata/tcloud', '']);
    expect(s.error).toBe('give the tag of that repository (the image is a repository and a tag), or clear the repository');
    s = walk(s, ['1.2.3', 'exec', 'oci://mirror.internal/charts/hybrid-executors', '0.5.0', '10m', '', 'on', '1', '2']);
    expect(at(s)).toBe('res:apply.requests.cpu');
    // requests cpu, memory, scratch disk; limits the same; for apply, then for run
    expect(submit(walk(s, ['', '']), '10 gigs').error).toBe('must be like 10Gi or 512Mi');
    s = walk(s, ['', '', '10Gi', '4', '8Gi', '', ...Array(6).fill('')]);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.kubernetes).toEqual({
      namespace: 'tobiko',
      image: { repository: 'mirror.internal/tobikodata/tcloud', tag: '1.2.3' },
      release: 'exec',
      chart: 'oci://mirror.internal/charts/hybrid-executors',
      chartVersion: '0.5.0',
      timeout: '10m',
      apply: { resources: { requests: { 'ephemeral-storage': '10Gi' }, limits: { cpu: '4', memory: '8Gi' } } },
      run: { replicas: 2 },
      egressCheck: {},
    });
    expect(() => parseModel(structuredClone(s.answers), { env: SECRET_ENV })).not.toThrow();
    const adv = currentQuestion(backTo(s, 'advanced'));
    expect(adv.kind === 'select' && adv.options[0]!.hint).toContain('apply.limits.cpu=4, apply.limits.memory=8Gi, run.replicas=2');
  });
});

describe('what the screens promise is what they ask (issue 15 trial)', () => {
  /** Choose Edit at the Advanced step, then count the questions until the review. */
  function countAsked(s: WizardState): { promised: number; asked: number } {
    const q = currentQuestion(s);
    expect(q.id).toBe('advanced');
    const promised = Number(/^(\d+) settings$/.exec((q.kind === 'select' && q.options.find((o) => o.value === 'edit')?.hint) || '')?.[1]);
    let asked = 0;
    for (s = submit(s, 'edit'); at(s) !== 'review' && asked < 100; asked++) {
      const cur = currentQuestion(s);
      // each says which --set gives it without the wizard
      expect(cur.help ?? '', cur.id).toMatch(/--set [a-z]+\.[\w.-]+=…/);
      s = submit(s, cur.kind === 'text' ? cur.initial : cur.kind === 'select' ? (cur.initial ?? cur.options[0]!.value) : '');
      expect(s.error, cur.id).toBeUndefined();
    }
    return { promised, asked };
  }
  for (const [name, values] of [
    ['Tobiko on Kubernetes', ['tobiko', 'kubernetes', 'acme', 'analytics', 'cid', 'tobiko', 'existingSecret:create', 'sec', 'add', 'warehouse', 'duckdb', '', 'done', 'none']],
    ['Tobiko on docker', ['tobiko', 'docker', 'acme', 'analytics', 'cid', 'sec', 'add', 'warehouse', 'duckdb', '', 'done', 'none', 'ok']],
    ['Fivetran on docker', ['fivetran', 'docker', TOKEN, 'none', 'ok']],
  ] as const) {
    it(`${name}: the Advanced step's "Edit" hint counts the settings it then asks`, () => {
      const { promised, asked } = countAsked(walk(createState(), [...values]));
      expect(asked).toBeGreaterThan(0);
      expect(promised).toBe(asked);
    });
  }
  it('removing the default gateway clears the default: the first one left is it, and the review is reached', () => {
    let s = walk(createState(), ['tobiko', 'docker', 'acme', 'analytics', 'cid', 'sec', 'add', 'warehouse', 'duckdb', '', 'add', 'lake', 'duckdb', '', 'default:lake']);
    expect(at(s)).toBe('gw-menu');
    expect(s.answers.tobiko?.defaultGateway).toBe('lake');
    s = walk(s, ['remove:lake']);
    expect(currentQuestion(s).help).toBe('It is the default gateway: the next one becomes the default.');
    s = walk(s, ['remove']);
    expect(Object.keys(s.answers.tobiko?.gateways ?? {})).toEqual(['warehouse']);
    expect(s.answers.tobiko).not.toHaveProperty('defaultGateway');
    s = walk(s, ['done', 'none', 'ok']);
    expect(at(s)).toBe('advanced');
  });

  it('the gateway list\'s help speaks of the runtime in hand: chart values on Kubernetes only', () => {
    const menu = (runtime: string) => {
      const s = walk(createState(), ['tobiko', runtime, 'acme', 'analytics', 'cid', ...(runtime === 'kubernetes' ? ['tobiko', 'existingSecret:create'] : []), 'sec']);
      expect(at(s)).toBe('gw-menu');
      return currentQuestion(s).help ?? '';
    };
    expect(menu('docker')).not.toMatch(/chart/);
    expect(menu('docker')).toContain('SQLMESH__DEFAULT_GATEWAY in the env-file');
    expect(menu('podman')).not.toMatch(/chart/);
    expect(menu('kubernetes')).toContain('chart values');
  });
});

describe('every field the model accepts, with its rules', () => {
  const tobikoGateway = (runtime = 'docker', strategy = 'existingSecret:create') =>
    walk(createState(), ['tobiko', runtime, 'acme', 'analytics', 'cid', ...(runtime === 'kubernetes' ? ['tobiko', strategy, ...(strategy === 'existingSecret:existing' ? ['executors-secrets'] : [])] : []), ...(runtime === 'kubernetes' && strategy === 'existingSecret:existing' ? [] : ['sec']), 'add', 'lake', 'snowflake']);

  it('a proxy URL that is not http(s) is refused at its question, saying what it must be', () => {
    let s = walk(createState(), ['fivetran', 'docker', TOKEN, 'set']);
    expect(at(s)).toBe('proxy-https');
    s = submit(s, 'proxy.internal:3128');
    expect(at(s)).toBe('proxy-https');
    expect(s.error).toBe('must be an http:// or https:// URL, e.g. http://proxy.internal:3128');
    s = submit(s, 'http://proxy.internal:3128');
    expect(at(s)).toBe('proxy-http');
  });

  it('a proxy password is masked while it is typed, before its @ (a port is not)', () => {
    const s = walk(createState(), ['fivetran', 'docker', TOKEN, 'set']);
    const q = currentQuestion(s);
    expect(q.id).toBe('proxy-https');
    const show = (v: string) => (q.kind === 'text' && q.display ? q.display(v) : v);
    for (const typed of ['http://bob:P', 'http://bob:Pr0xyPa55', 'http://bob:Pr0xyPa55@', 'http://bob:Pr0xyPa55@proxy.corp:3128']) expect(show(typed), typed).not.toMatch(/Pr0xy|:P$/);
    expect(show('http://bob:Pr0xyPa55')).toBe('http://bob:********');
    expect(show('http://proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(show('http://proxy.corp:')).toBe('http://proxy.corp:');
    expect(show('http://[::1]:3128')).toBe('http://[::1]:3128');
    expect(show('http://bob:Pr0xyPa55@proxy.corp:3128')).toBe('http://bob:********@proxy.corp:3128');
  });

  it('a proxy port out of range is refused at its question, as the model would at the review', () => {
    let s = walk(createState(), ['fivetran', 'docker', TOKEN, 'set']);
    s = submit(s, 'http://proxy.internal:99999');
    expect(at(s)).toBe('proxy-https');
    expect(s.error).toBe('must be an http:// or https:// URL, e.g. http://proxy.internal:3128; the port must be an integer from 1 to 65535');
    s = submit(s, 'http://proxy.internal:3128');
    s = submit(s, 'http://proxy.internal:0');
    expect(at(s)).toBe('proxy-http');
    expect(s.error).toMatch(/the port must be an integer from 1 to 65535/);
    s = submit(s, 'env:HTTP_PROXY_URL');
    expect(at(s)).toBe('proxy-no');
  });

  it('a port that is not a number (X3128), shown masked as a password may be typed there: the error says both readings, never the text', () => {
    let s = walk(createState(), ['fivetran', 'docker', TOKEN, 'set']);
    s = submit(s, 'http://proxy.internal:X3128');
    expect(at(s)).toBe('proxy-https');
    expect(s.error).toBe('must be an http:// or https:// URL, e.g. http://proxy.internal:3128; what follows the ":" after the host must be a port, an integer from 1 to 65535 (a user and password go before an "@": http://user:password@host:3128)');
    s = submit(s, 'http://bob:Pr0xyPa55');
    expect(s.error).toContain('a user and password go before an "@"');
    expect(s.error).not.toContain('Pr0xy');
  });

  it('an HTTP proxy left "same as HTTPS" follows a corrected HTTPS URL; one typed on its own stays', () => {
    let s = walk(createState(), ['fivetran', 'docker', TOKEN, 'set', 'http://old.internal:3128', '']);
    expect(s.answers.proxy).toMatchObject({ https: 'http://old.internal:3128', http: 'http://old.internal:3128' });
    s = backTo(s, 'proxy-https');
    s = submit(s, 'http://new.internal:3128');
    expect(at(s)).toBe('proxy-http');
    expect(currentQuestion(s)).toMatchObject({ initial: '' });
    expect(s.answers.proxy).toMatchObject({ https: 'http://new.internal:3128', http: 'http://new.internal:3128' });
    s = submit(s, 'http://plain.internal:8080');
    s = backTo(s, 'proxy-https');
    s = submit(s, 'http://newer.internal:3128');
    expect(s.answers.proxy).toMatchObject({ https: 'http://newer.internal:3128', http: 'http://plain.internal:8080' });
  });

  it('a proxy the answers have (a re-run: an HTTPS proxy set with --set, no HTTP proxy, no no_proxy) is kept exactly by Enter on each field (it gained http_proxy and no_proxy)', () => {
    const proxy = { https: 'http://proxy.internal:3128' };
    let s = prefill(createState({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN }, proxy }));
    expect(at(s)).toBe('review');
    expect(s.answers.proxy).toEqual(proxy);
    s = backTo(s, 'proxy-http');
    expect(currentQuestion(s)).toMatchObject({ initial: 'none' });
    s = backTo(s, 'proxy');
    s = walk(s, ['set', proxy.https, 'none', '']);
    expect(s.answers.proxy).toEqual(proxy);
    // one with both and a list: as it is
    const both = { https: 'http://proxy.internal:3128', http: 'http://plain.internal:8080', noProxy: ['10.0.0.0/8'] };
    expect(prefill(createState({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN }, proxy: both })).answers.proxy).toEqual(both);
    // a proxy entered now starts from the usual: HTTP the same as HTTPS, no_proxy localhost and 127.0.0.1
    s = walk(createState(), ['fivetran', 'docker', TOKEN, 'set', proxy.https]);
    expect(currentQuestion(s)).toMatchObject({ id: 'proxy-http', initial: '' });
    s = submit(s, '');
    expect(currentQuestion(s)).toMatchObject({ id: 'proxy-no', initial: 'localhost, 127.0.0.1' });
    s = submit(s, 'localhost, 127.0.0.1');
    expect(s.answers.proxy).toEqual({ ...proxy, http: proxy.https, noProxy: ['localhost', '127.0.0.1'] });
  });

  it('Fivetran on Kubernetes, the token in an existing Secret: its name, then its key (token unless said), each asked and kept', () => {
    let s = walk(createState(), ['fivetran', 'kubernetes', 'secret']);
    expect(at(s)).toBe('token-secret-name');
    s = submit(s, 'agent-token');
    expect(currentQuestion(s)).toMatchObject({ id: 'token-secret-key', title: 'Key in the Secret that holds the token', initial: 'token' });
    expect(submit(s, '').error).toBeDefined();
    s = submit(s, 'tok');
    expect(s.answers.fivetran.kubernetes.tokenSecret).toEqual({ name: 'agent-token', key: 'tok' });
    expect(s.answers.fivetran.token).toBeUndefined();
  });

  it('removing a gateway names how many settings go with it: 1 setting, 2 settings', () => {
    let s = prefill(createState({ product: 'tobiko', runtime: 'docker', tobiko: { org: 'acme', project: 'p', clientId: 'c', clientSecret: 'client-secret-1', defaultGateway: 'one', gateways: { one: { type: 'duckdb', database: 'a.db' }, two: { type: 'duckdb', database: 'b.db', extensions: 'x' } } } }));
    s = backTo(s, 'gw-menu');
    expect(currentQuestion(submit(s, 'remove:one')).title).toBe('Remove gateway one (duckdb, 1 setting)?');
    expect(currentQuestion(submit(s, 'remove:two')).title).toBe('Remove gateway two (duckdb, 2 settings)?');
  });

  it('the engine question names every engine the model takes, by its product name, with what each needs', () => {
    const s = walk(createState(), ['tobiko', 'docker', 'acme', 'analytics', 'cid', 'sec', 'add', 'lake']);
    const q = currentQuestion(s);
    expect(q.id).toBe('gw-type');
    const options = (q as { options: { label: string; value: string; hint?: string }[] }).options;
    expect(options.map((o) => `${o.value}: ${o.label}`)).toEqual([
      'postgres: PostgreSQL', 'redshift: Amazon Redshift', 'snowflake: Snowflake', 'bigquery: Google BigQuery', 'databricks: Databricks',
      'mssql: Microsoft SQL Server', 'trino: Trino', 'mysql: MySQL', 'clickhouse: ClickHouse', 'duckdb: DuckDB', 'motherduck: MotherDuck',
      'athena: Amazon Athena', 'fabric: Microsoft Fabric', 'risingwave: RisingWave', 'spark: Spark',
    ]);
    expect(options.find((o) => o.value === 'snowflake')?.hint).toBe('account, user, password | private_key | private_key_path | authenticator');
    expect(options.find((o) => o.value === 'duckdb')?.hint).toBe('no required params');
  });

  it('Snowflake with a key pair (private_key_path), a warehouse and a role: no password needed', () => {
    let s = tobikoGateway();
    expect(at(s)).toBe('gw-auth:0');
    const auth = currentQuestion(s);
    expect(auth.kind === 'select' && auth.options.map((o) => o.value)).toEqual(['password', 'private_key', 'private_key_path', 'authenticator']);
    // on docker/podman the key itself is one line in the env-file: its option says which one takes a PEM file (it was offered, then refused)
    expect(auth.kind === 'select' && auth.options.find((o) => o.value === 'private_key')?.hint).toMatch(/one line only in the env-file: a PEM key file goes with private_key_path$/);
    const k8sAuth = currentQuestion(tobikoGateway('kubernetes'));
    expect((k8sAuth.kind === 'select' && k8sAuth.options.find((o) => o.value === 'private_key')?.hint) || '').not.toMatch(/one line only/);
    // the alternative is chosen before the params: account, user, the key path, then the optional ones
    s = submit(s, 'private_key_path');
    expect(at(s)).toBe('gw-param:account');
    expect(currentQuestion(s).help).toContain('account identifier, e.g. myorg-myaccount');
    s = walk(s, ['acct-1', 'svc']);
    // where the path points: inside the containers, which get no files mounted
    expect(currentQuestion(s).help).toContain('the chart and hd-setup mount no files');
    s = walk(s, ['/keys/rsa_key.p8']);
    expect(at(s)).toBe('gw-param:warehouse');
    s = walk(s, ['COMPUTE_WH', '', 'TRANSFORMER']);
    expect(at(s)).toBe('gw-menu');
    expect(s.answers.tobiko.gateways.lake).toEqual({ type: 'snowflake', account: 'acct-1', user: 'svc', private_key_path: '/keys/rsa_key.p8', warehouse: 'COMPUTE_WH', role: 'TRANSFORMER' });
    s = walk(s, ['done', 'none', 'ok', 'defaults']);
    expect(at(s)).toBe('review');
    const env = String(files(s.answers).find(([p]) => String(p).endsWith('tobiko.env'))?.[2]);
    expect(env).toContain('SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY_PATH=/keys/rsa_key.p8');
    expect(env).toContain('SQLMESH__GATEWAYS__LAKE__CONNECTION__ROLE=TRANSFORMER');
    expect(env).not.toContain('PASSWORD');
  });

  it('Snowflake: an inline private key is masked; switching to an authenticator drops it', () => {
    let s = walk(tobikoGateway(), ['private_key', 'acct', 'svc']);
    const key = currentQuestion(s);
    expect(key.id).toBe('gw-param:private_key');
    expect(key.kind === 'text' && key.secret).toBe(true);
    s = walk(s, ['-----BEGIN PRIVATE KEY-----abc', '', '', '']);
    expect(s.answers.tobiko.gateways.lake.private_key).toBe('-----BEGIN PRIVATE KEY-----abc');
    // the chart's keyword rule would not call it secret: the wizard lists it in secretParams, so the model,
    // the env-file's secret part and every output treat it as one
    expect(s.answers.tobiko.secretParams).toEqual(['private_key']);
    expect(secretPaths(s.answers)).toContain('tobiko.gateways.lake.private_key');
    // edit it: authenticator instead
    s = walk(s, ['edit:lake', 'lake', 'snowflake', 'authenticator', 'acct', 'svc', 'externalbrowser', '', '', '']);
    expect(s.answers.tobiko.gateways.lake).toEqual({ type: 'snowflake', account: 'acct', user: 'svc', authenticator: 'externalbrowser' });
  });

  it('BigQuery: a service account JSON key (keyfile_json) is masked and marked secret, so the chart keeps it out of its ConfigMap', () => {
    let s = walk(createState(), ['tobiko', 'kubernetes', 'acme', 'analytics', 'cid', 'tobiko', 'existingSecret:create', 'sec', 'add', 'bq', 'bigquery', 'my-project', '', '']);
    const key = currentQuestion(s);
    expect(key.id).toBe('gw-param:keyfile_json');
    expect(key.kind === 'text' && key.secret).toBe(true);
    s = walk(s, ['{"type":"service_account","private_key":"abc"}', '']);
    expect(s.answers.tobiko.secretParams).toEqual(['keyfile_json']);
    expect(secretPaths(s.answers)).toContain('tobiko.gateways.bq.keyfile_json');
  });

  it('Snowflake: a multi-line private key pasted in one chunk stays in its masked field (its lines are never Enter); on docker it is refused, naming private_key_path', () => {
    let s = walk(tobikoGateway(), ['private_key', 'acct', 'svc']);
    expect(at(s)).toBe('gw-param:private_key');
    const pem = '-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n-----END PRIVATE KEY-----\r\n';
    s = reduce(s, { type: 'input', data: pem });
    // still on the key: no line of it went into warehouse, database or role
    expect(at(s)).toBe('gw-param:private_key');
    expect(s.error).toBe('private_key spans several lines, which the env-file cannot hold: save it to a file and choose private_key_path instead');
    expect(JSON.stringify(s.answers)).not.toContain('MIIEvQ');
    // typed keys still act one by one: a single-line value and Enter go on
    expect(secretPaste('abc\r').map((k) => (k.return ? 'enter' : k.input))).toEqual(['abc', 'enter']);
    expect(secretPaste('a\nb\n').map((k) => (k.return ? 'enter' : k.input))).toEqual(['a\nb', 'enter']);
  });

  it('Snowflake on Kubernetes: a multi-line private key pasted whole is taken, its lines kept (a Secret holds them as they are), and goes on', () => {
    let s = walk(tobikoGateway('kubernetes'), ['private_key', 'acct', 'svc']);
    expect(at(s)).toBe('gw-param:private_key');
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    s = reduce(s, { type: 'input', data: `\x1b[200~${pem}\x1b[201~` });
    expect(at(s)).toBe('gw-param:private_key');
    s = reduce(s, { type: 'input', data: '\r' });
    expect(s.error).toBeUndefined();
    expect(at(s)).not.toBe('gw-param:private_key');
    s = walk(s, ['', '', '']);
    expect(s.answers.tobiko.gateways.lake.private_key).toBe(pem.trim());
    expect(s.answers.tobiko.secretParams).toEqual(['private_key']);
    // a control character on one of its lines is still refused
    let t = walk(tobikoGateway('kubernetes'), ['private_key', 'acct', 'svc']);
    t = submit(t, '-----BEGIN PRIVATE KEY-----\nab\x07c\n-----END PRIVATE KEY-----');
    expect(t.error).toBe('private_key has a control character on one of its lines');
    // a param that is no secret stays one line there (it goes to a ConfigMap, and the values, as written)
    const u = submit(walk(tobikoGateway('kubernetes'), ['private_key']), 'acct\nother');
    expect(u.error).toBe('account must be one line without control characters');
  });

  it('Snowflake: the chosen alternative is required (a secret one is not asked where a Secret of the user\'s or a store holds it)', () => {
    let s = walk(tobikoGateway(), ['password', 'acct', 'svc']);
    s = submit(s, '');
    expect(s.error).toBe('password is required for snowflake');
    // Kubernetes, a Secret hd-setup creates: required too (it goes into that Secret)
    let k = walk(tobikoGateway('kubernetes'), ['password', 'acct', 'svc']);
    expect(submit(k, '').error).toBe('password is required for snowflake');
    // an existing Secret holds it: not asked
    k = walk(tobikoGateway('kubernetes', 'existingSecret:existing'), ['password', 'acct', 'svc']);
    expect(at(k)).not.toBe('gw-param:password');
    expect(k.error).toBeUndefined();
    k = walk(tobikoGateway('kubernetes'), ['authenticator', 'acct', 'svc']);
    expect(submit(k, '').error).toBe('authenticator is required for snowflake');
  });

  it('other engines: optional params asked, checked with the model\'s rules (port, host)', () => {
    let s = walk(createState(), ['tobiko', 'docker', 'acme', 'analytics', 'cid', 'sec', 'add', 'db', 'mssql', 'db host']);
    expect(s.error).toMatch(/^host must be a host name/);
    s = walk(s, ['sql.internal', 'sa', 'pw']);
    expect(at(s)).toBe('gw-param:port');
    expect(currentQuestion(s).title).toContain('(optional; empty: not set)');
    s = submit(s, '99999');
    expect(s.error).toBe('port must be a port number, an integer from 1 to 65535');
    s = submit(s, '1433');
    // any other param: one line without control characters (an env-file line, an env var's value)
    s = submit(s, 'ana\u0007lytics');
    expect(s.error).toBe('database must be one line without control characters');
    s = walk(s, ['analytics']);
    expect(s.answers.tobiko.gateways.db).toEqual({ type: 'mssql', host: 'sql.internal', user: 'sa', password: 'pw', port: 1433, database: 'analytics' });
    // Databricks: access token or auth type
    s = walk(s, ['add', 'dbx', 'databricks']);
    expect(at(s)).toBe('gw-auth:0');
    s = walk(s, ['auth_type', 'adb-1.azuredatabricks.net', '/sql/1.0/warehouses/abc', 'databricks-oauth', '']);
    expect(s.answers.tobiko.gateways.dbx).toEqual({ type: 'databricks', server_hostname: 'adb-1.azuredatabricks.net', http_path: '/sql/1.0/warehouses/abc', auth_type: 'databricks-oauth' });
    s = walk(s, ['done', 'none', 'ok', 'defaults']);
    expect(() => parseModel(structuredClone(s.answers), { env: SECRET_ENV })).not.toThrow();
  });

  const k8sAffinity = () => walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'affinity', 'add', 'a', 'preferred', '1', 'k', 'In', 'x', 'add', 'b', 'required', 'k', 'In', 'y', 'done', 'c1', '']);
  it('affinity: a rule with no connections must be the default, refused at the question (never dropped)', () => {
    let s = k8sAffinity();
    expect(at(s)).toBe('assign-default');
    s = submit(s, '');
    expect(s.error).toBe('rule b has no connections, so it must be the default: choose b, or go back and give it connection ids');
    expect(at(s)).toBe('assign-default');
    s = submit(s, 'a');
    expect(s.error).toBe('rule b has no connections, so it must be the default: choose b, or go back and give it connection ids');
    s = submit(s, 'b');
    expect(s.error).toBeUndefined();
    expect(s.answers.fivetran.kubernetes.affinity).toEqual([{ rule: 'a', connectors: ['c1'] }, { rule: 'b', default: true }]);
    expect(() => parseModel(structuredClone(s.answers), { env: SECRET_ENV })).not.toThrow();
  });

  it('affinity: a default rule with no connections, as installed, is prefilled and goes through every question again (it crashed the re-run)', () => {
    // what decode gives for an install with `- default: true, rule: b` (no connectors key)
    const installed = k8sInstalled(
      { a: { mode: 'required', match: [{ key: 'k', operator: 'In', values: ['x'] }] }, b: { weight: 50, match: [{ key: 'k', operator: 'In', values: ['y'] }] } },
      [{ rule: 'a', connectors: ['c1'] }, { rule: 'b', default: true }],
    );
    let s = prefill(createState(structuredClone(installed)));
    expect(at(s)).toBe('review');
    s = backTo(s, 'assign:a');
    s = walk(s, ['c1, c2']);
    expect(s.error).toBeUndefined();
    expect(at(s)).toBe('assign:b');
    s = walk(s, ['', 'b']);
    expect(s.error).toBeUndefined();
    expect(s.answers.fivetran.kubernetes.affinity).toEqual([{ rule: 'a', connectors: ['c1', 'c2'] }, { rule: 'b', default: true }]);
    // and on a first run, Esc back to the connections after the default is chosen
    let f = walk(k8sAffinity(), ['b']);
    f = backTo(f, 'assign:a');
    f = walk(f, ['c1', '', 'b']);
    expect(f.error).toBeUndefined();
    expect(f.answers.fivetran.kubernetes.affinity).toEqual([{ rule: 'a', connectors: ['c1'] }, { rule: 'b', default: true }]);
  });

  it('affinity: removing a rule asks first, naming the connections that go with it; kept, nothing changes', () => {
    let s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'affinity', 'add', 'a', 'preferred', '1', 'k', 'In', 'x', 'add', 'b', 'required', 'k', 'In', 'y', 'done', 'c1, c2', 'a', 'c3', 'b']);
    const before = s.answers.fivetran.kubernetes;
    // back to the rule list (the connections are assigned), then remove a
    s = backTo(s, 'rule-menu');
    s = walk(s, ['remove:a']);
    expect(currentQuestion(s)).toMatchObject({ id: 'rule-remove', title: 'Remove rule a and its 2 connections?', initial: 'keep' });
    s = walk(s, ['keep']);
    expect(at(s)).toBe('rule-menu');
    expect(s.answers.fivetran.kubernetes.affinityRules).toEqual(before.affinityRules);
    s = walk(s, ['remove:a', 'remove']);
    expect(Object.keys(s.answers.fivetran.kubernetes.affinityRules)).toEqual(['b']);
    expect(s.answers.fivetran.kubernetes.affinity.map((x: { rule: string }) => x.rule)).toEqual(['b']);
  });

  it('a suggestion (a default weight, namespace or Secret key, the first gateway\'s name) is replaced by what is typed; ←/→ first edit it; a value given is edited from its end', () => {
    const typed = (s: WizardState, data: string) => reduce(s, { type: 'input', data });
    // the weight: 1 suggested, 5 typed is 5 (it was 15, a weight the model takes)
    let s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN]);
    expect(currentQuestion(s)).toMatchObject({ id: 'namespace', initial: 'fivetran', suggested: true });
    s = typed(s, 'agents\r');
    expect(s.answers.fivetran.kubernetes.namespace).toBe('agents');
    s = walk(s, ['data', 'none', 'secret', 'affinity', 'add', 'a', 'preferred']);
    expect(at(s)).toBe('rule-weight');
    s = typed(s, '5\r');
    expect(s.error).toBeUndefined();
    expect(at(s)).toBe('rule-key');
    s = walk(s, ['k', 'In', 'x']);
    expect(s.answers.fivetran.kubernetes.affinityRules.a.weight).toBe(5);
    // ← first: the suggestion is edited (readline's way), not replaced
    let e = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN]);
    e = typed(e, '\x1b[D-x\r'); // ← then "-x": before the last character
    expect(e.answers.fivetran.kubernetes.namespace).toBe('fivetra-xn');
    // back at it, the namespace is an answer now: typing goes on from its end
    e = reduce(e, { type: 'back' });
    expect(currentQuestion(e)).toMatchObject({ id: 'namespace', initial: 'fivetra-xn' });
    expect((currentQuestion(e) as { suggested?: boolean }).suggested).toBeUndefined();
    e = typed(e, '2\r');
    expect(e.answers.fivetran.kubernetes.namespace).toBe('fivetra-xn2');
    // Tobiko's first gateway: "warehouse" suggested, "snow" typed is "snow" (it was "warehousesnow")
    let t = walk(createState(), ['tobiko', 'docker']);
    for (let i = 0; i < 20 && at(t) !== 'gw-name'; i++) t = reduce(t, { type: 'submit', value: at(t) === 'gw-menu' ? 'add' : ({ org: 'acme', project: 'p', 'client-id': 'id', 'client-secret': 'cl1ent-S3cret' } as Record<string, string>)[at(t)] ?? (currentQuestion(t) as { initial?: string }).initial ?? '' });
    expect(currentQuestion(t)).toMatchObject({ id: 'gw-name', initial: 'warehouse', suggested: true });
    t = typed(t, 'snow\r');
    expect(t.error).toBeUndefined();
    expect((t.drafts.gateway as { name?: string }).name).toBe('snow');
  });

  it('affinity: a rule is edited in place, its answers prefilled, its name and connections kept; one of several match expressions is a preset\'s (no Edit offered)', () => {
    // as a re-run finds it: rule a with the defaults left out (mode, weight, operator), b required
    const installed = k8sInstalled(
      {
        a: { match: [{ key: 'pool', values: ['small'] }] },
        b: { mode: 'required', match: [{ key: 'k', operator: 'In', values: ['y'] }] },
        c: { mode: 'required', match: [{ key: 'k', operator: 'In', values: ['z'] }, { key: 'ssd', operator: 'Exists' }] },
      },
      [{ rule: 'a', connectors: ['c1'] }, { rule: 'b', connectors: ['c2'] }, { rule: 'c', default: true }],
    );
    let s = prefill(createState(structuredClone(installed)));
    expect(at(s)).toBe('review');
    s = backTo(s, 'rule-menu');
    const menu = currentQuestion(s);
    expect(menu.kind === 'select' && menu.options.map((o) => [o.value, o.hint])).toEqual([
      ['done', undefined],
      ['add', undefined],
      ['edit:a', 'preferred 1: pool In (small)'],
      ['remove:a', undefined],
      ['edit:b', 'required: k In (y)'],
      ['remove:b', undefined],
      ['remove:c', 'required: k In (z) and ssd Exists (several match expressions: edit them in a preset)'],
    ]);
    // unchanged: Enter through every answer writes it as it was, defaults left out
    let same = walk(s, ['edit:a']);
    expect(currentQuestion(same)).toMatchObject({ id: 'rule-mode', title: 'Rule a: required or preferred?', initial: 'preferred' });
    same = walk(same, ['preferred', '1', 'pool', 'In', 'small']);
    expect(at(same)).toBe('rule-menu');
    expect(same.answers.fivetran.kubernetes.affinityRules).toEqual(installed.fivetran.kubernetes.affinityRules);
    // Esc from the edit's first question: back at the menu, nothing changed
    const back = reduce(walk(s, ['edit:a']), { type: 'back' });
    expect(at(back)).toBe('rule-menu');
    expect(back.answers.fivetran.kubernetes.affinityRules).toEqual(installed.fivetran.kubernetes.affinityRules);
    // a: the pool label's values changed, the weight too; b made preferred; the connections stay with them
    s = walk(s, ['edit:a', 'preferred', '40', 'pool', 'In', 'small, medium', 'edit:b', 'preferred', '1', 'k', 'Exists']);
    expect(at(s)).toBe('rule-menu');
    expect(s.answers.fivetran.kubernetes.affinityRules).toEqual({
      a: { weight: 40, match: [{ key: 'pool', values: ['small', 'medium'] }] },
      b: { mode: 'preferred', match: [{ key: 'k', operator: 'Exists' }] }, // (its weight: the default, 1)
      c: installed.fivetran.kubernetes.affinityRules.c,
    });
    expect(s.answers.fivetran.kubernetes.affinity).toEqual(installed.fivetran.kubernetes.affinity);
    // a new rule of a name there already: the refusal says how to change that one
    s = walk(s, ['add', 'a']);
    expect(s.error).toBe('rule a exists; to change it, choose Edit a');
  });

  it('affinity and node selector: label keys and values in the model\'s format, at the question', () => {
    let s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'affinity', 'add', 'a', 'required', 'bad key!']);
    expect(s.error).toMatch(/^the label key must be a Kubernetes label key/);
    s = walk(s, ['disktype', 'In', 'ssd, not ok']);
    expect(s.error).toMatch(/^each value must be a Kubernetes label value/);
    s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'selector', 'pool=agents, -x=y']);
    expect(s.error).toMatch(/^the key -x must be a Kubernetes label key/);
    // the item that is no pair is named, as the agent parameters' field names it (trial)
    expect(submit(s, 'disktype=ssd, bad label').error).toBe('"bad label" is not key=value; write key=value pairs, e.g. pool=agents');
    s = submit(s, 'pool=agents, kubernetes.io/arch=amd64');
    expect(s.answers.fivetran.kubernetes.nodeSelector).toEqual({ pool: 'agents', 'kubernetes.io/arch': 'amd64' });
  });

  it('affinity: Gt/Lt take exactly one integer, as the model says', () => {
    const s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'affinity', 'add', 'a', 'required', 'cpu', 'Gt', '4, 8']);
    expect(s.error).toBe('operator Gt needs exactly one integer value');
  });

  it('Fivetran on Kubernetes: a mirror image, the pull policy, the release, a chart mirror and the older chart version; the files are those of the --set paths', () => {
    let s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'fivetran-data', 'none', 'secret', 'none', 'edit']);
    expect(at(s)).toBe('adv:fivetran.image');
    s = walk(s, ['registry.internal/fivetran/ldp-agent:production', 'IfNotPresent', 'agent-eu', 'oci://registry.internal/helm/hybrid-deployment-agent', '0.12.0', '10m', '', 'off', '', '', '', '']);
    expect(at(s)).toBe('review');
    expect(s.answers.fivetran.image).toBe('registry.internal/fivetran/ldp-agent:production');
    expect(s.answers.fivetran.kubernetes).toMatchObject({ imagePullPolicy: 'IfNotPresent', release: 'agent-eu', chart: 'oci://registry.internal/helm/hybrid-deployment-agent', chartVersion: '0.12.0', timeout: '10m' });
    const bare = { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'env:FIVETRAN_TOKEN', kubernetes: { namespace: 'fivetran', dataVolumePvc: 'fivetran-data' } } };
    const viaSet = load({
      presetObject: bare,
      sets: [
        'fivetran.image=registry.internal/fivetran/ldp-agent:production',
        'fivetran.kubernetes.imagePullPolicy=IfNotPresent',
        'fivetran.kubernetes.release=agent-eu',
        'fivetran.kubernetes.chart=oci://registry.internal/helm/hybrid-deployment-agent',
        'fivetran.kubernetes.chartVersion=0.12.0',
        'fivetran.kubernetes.timeout=10m',
      ],
    });
    expect(files(s.answers)).toEqual(render(viaSet.model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]));
  });

  it('resources: empty requests stay unset (no requests: {}); the same values as the --set paths', () => {
    let s = walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'fivetran-data', 'none', 'secret', 'none', 'edit']);
    expect(at(s)).toBe('adv:fivetran.image');
    s = walk(s, ['', 'Always', '', '', '0.24.0', '', '', 'off', '', '', '4', '8Gi']);
    expect(at(s)).toBe('review');
    expect(s.answers.fivetran.kubernetes.resources).toEqual({ limits: { cpu: '4', memory: '8Gi' } });
    const bare = { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'env:FIVETRAN_TOKEN', kubernetes: { namespace: 'fivetran', dataVolumePvc: 'fivetran-data' } } };
    const viaSet = load({ presetObject: bare, sets: ['fivetran.kubernetes.resources.limits.cpu=4', 'fivetran.kubernetes.resources.limits.memory=8Gi'] });
    expect(files(s.answers)).toEqual(render(viaSet.model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]));
    // the chart's resources block is all or nothing: the requests left empty are its 2 / 2Gi, written out
    const values = String(files(s.answers).find(([p]) => String(p).endsWith('values.yaml'))?.[2]);
    expect(values).toContain('  resources:\n    limits:\n      cpu: "4"\n      memory: 8Gi\n    requests:\n      cpu: "2"\n      memory: 2Gi\n');
    // clearing a value that was set removes it, and the empty object with it
    // what the Advanced step keeps is said (not "the defaults")
    const adv = currentQuestion(backTo(s, 'advanced'));
    expect(adv.kind === 'select' && adv.options[0]).toEqual({ label: 'Keep these settings', value: 'defaults', hint: 'limits.cpu=4, limits.memory=8Gi' });
    s = backTo(s, 'res:limits.cpu');
    s = walk(s, ['', '']);
    expect(s.answers.fivetran.kubernetes.resources).toBeUndefined();
  });
});

describe('Fivetran on Kubernetes: the placement and Advanced questions offer what can be', () => {
  const choiceOf = (s: WizardState) => {
    const q = currentQuestion(s);
    return q.kind === 'select' ? q.options[s.choice]?.value : undefined;
  };
  const k8sAffinity = (conns: string[]) => walk(createState(), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'data', 'none', 'secret', 'affinity', 'add', 'a', 'preferred', '1', 'k', 'In', 'x', 'add', 'b', 'required', 'k', 'In', 'y', 'done', ...conns]);
  it('the default rule: the cursor starts on the only rule that can be it (it started on "No default", which is refused)', () => {
    // b has no connections: only b can be the default
    let s = k8sAffinity(['c1', '']);
    expect(at(s)).toBe('assign-default');
    expect(choiceOf(s)).toBe('b');
    s = submit(s, choiceOf(s)!);
    expect(s.error).toBeUndefined();
    expect(s.answers.fivetran.kubernetes.affinity).toEqual([{ rule: 'a', connectors: ['c1'] }, { rule: 'b', default: true }]);
    // a has none, b has: a, even where b was the default before
    s = backTo(s, 'assign:a');
    s = walk(s, ['', 'c2']);
    expect(at(s)).toBe('assign-default');
    expect(choiceOf(s)).toBe('a');
    // every rule has connections: any choice goes; the one made before (b) is where the cursor starts
    s = backTo(s, 'assign:a');
    s = walk(s, ['c1']);
    expect(at(s)).toBe('assign:b');
    s = walk(s, ['c2']);
    expect(choiceOf(s)).toBe('b');
    expect(choiceOf(k8sAffinity(['c1', 'c2']))).toBe('');
    // two rules without connections: none can be, the cursor stays where it was
    expect(choiceOf(k8sAffinity(['', '']))).toBe('');
  });

  const advanced = (detection = {}) => {
    const s = walk(createState({}, detection), ['fivetran', 'kubernetes', 'token', TOKEN, 'fivetran', 'fivetran-data', 'none', 'secret', 'none', 'edit']);
    expect(at(s)).toBe('adv:fivetran.image');
    return s;
  };
  it('a memory or CPU limit below its request is refused at its field, naming what fixes it (the review refused it, offering k to skip the check)', () => {
    let s = walk(advanced(), ['', 'Always', '', '', '0.24.0', '', '', 'off', '1', '4Gi', '2']);
    expect(at(s)).toBe('res:limits.memory');
    s = submit(s, '1Gi');
    expect(at(s)).toBe('res:limits.memory');
    expect(s.error).toBe('the memory limit 1Gi is below the memory request 4Gi, which Kubernetes refuses: give 4Gi or more, or go back and lower the request');
    // empty is the chart's 2Gi, below the request too
    s = submit(s, '');
    expect(s.error).toBe('empty is the chart\'s memory limit, 2Gi, below the memory request 4Gi, which Kubernetes refuses: give 4Gi or more, or go back and lower the request');
    s = submit(s, '4096Mi');
    expect(s.error).toBeUndefined();
    expect(at(s)).toBe('review');
    expect(s.answers.fivetran.kubernetes.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4096Mi' } });
    // a request left empty is the chart's 2Gi once a limit is given
    s = walk(advanced(), ['', 'Always', '', '', '0.24.0', '', '', 'off', '', '', '', '1Gi']);
    expect(s.error).toBe('the memory limit 1Gi is below the memory request, the chart\'s 2Gi (the request left empty), which Kubernetes refuses: give 2Gi or more, or go back and give a request of 1Gi or less');
    // the CPU limit the same
    s = walk(advanced(), ['', 'Always', '', '', '0.24.0', '', '', 'off', '', '', '500m']);
    expect(s.error).toBe('the CPU limit 500m is below the CPU request, the chart\'s 2 (the request left empty), which Kubernetes refuses: give 2 or more, or go back and give a request of 500m or less');
    s = walk(advanced(), ['', 'Always', '', '', '0.24.0', '', '', 'off', '500m', '', '500m', '']);
    expect(s.error).toBeUndefined();
    expect(at(s)).toBe('review');
    expect(() => parseModel(structuredClone(s.answers), { env: SECRET_ENV })).not.toThrow();
  });

  const CHARTS = join(ROOT, 'test/fixtures/charts');
  it('a local chart: its own version is used, and not asked (the version question offered 0.24.0, which helm ignores for a local chart and preflight refused)', () => {
    const detection = { localChart };
    let s = walk(advanced(detection), ['', 'Always', '']);
    expect(at(s)).toBe('adv:fivetran.kubernetes.chart');
    const q = currentQuestion(s);
    const old = join(CHARTS, 'fivetran-0.12.0');
    expect(q.kind === 'text' && q.live?.(old)).toEqual({ ok: true, text: 'a local chart, version 0.12.0: that version is used (helm installs the chart as it is there)' });
    s = submit(s, old);
    expect(s.error).toBeUndefined();
    // the next question is the timeout: no chart version to choose
    expect(at(s)).toBe('adv:fivetran.kubernetes.timeout');
    expect(s.answers.fivetran.kubernetes).toMatchObject({ chart: old, chartVersion: '0.12.0' });
    // the files are those of the chart's version
    const values = String(files(s.answers).find(([p]) => String(p).endsWith('values.yaml'))?.[2]);
    expect(values).not.toContain('checksum/config'); // chart 0.12.0 takes no pod annotations
    // another local chart, of the default version: the setting goes back to unset
    s = walk(backTo(s, 'adv:fivetran.kubernetes.chart'), [join(CHARTS, 'fivetran-0.24.0')]);
    expect(at(s)).toBe('adv:fivetran.kubernetes.timeout');
    expect(s.answers.fivetran.kubernetes.chartVersion).toBeUndefined();
    // a registry again: the version is asked
    s = walk(backTo(s, 'adv:fivetran.kubernetes.chart'), ['oci://registry.internal/helm/hybrid-deployment-agent']);
    expect(at(s)).toBe('adv:fivetran.kubernetes.chartVersion');
    // a local chart of a version hd-setup does not write values for, or no chart at all: refused at the field
    s = backTo(s, 'adv:fivetran.kubernetes.chart');
    const tobiko = join(CHARTS, 'tobiko-hybrid-executors-prerelease');
    s = submit(s, tobiko);
    expect(s.error).toBe(`the chart in ${tobiko} is version 1.0.0; hd-setup writes the values of chart 0.24.0 or 0.12.0: give a copy of one of those`);
    s = submit(s, CHARTS);
    expect(s.error).toBe(`${CHARTS} is not a chart: its Chart.yaml does not exist`);
    // a packaged chart (.tgz, as helm package makes it) too
    const dir = tmp();
    const tgz = join(dir, 'hybrid-deployment-agent-0.12.0.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', CHARTS, 'fivetran-0.12.0']);
    s = submit(s, tgz);
    expect(s.error).toBeUndefined();
    expect(s.answers.fivetran.kubernetes).toMatchObject({ chart: tgz, chartVersion: '0.12.0' });
    writeFileSync(join(dir, 'not-a-chart.tgz'), 'plain text');
    s = submit(backTo(s, 'adv:fivetran.kubernetes.chart'), join(dir, 'not-a-chart.tgz'));
    expect(s.error).toBe(`${join(dir, 'not-a-chart.tgz')} is not a chart: neither a directory nor a packaged chart (a .tgz holding <name>/Chart.yaml)`);
  });
});

describe('a re-run through the Advanced step, Enter on every setting', () => {
  it('keeps each setting exactly: a number stays a number, the egress check keeps its image', () => {
    const installed = {
      product: 'fivetran',
      runtime: 'kubernetes',
      fivetran: { token: TOKEN, config: { job_cpu: 2, custom_dns: '10.0.0.2' }, kubernetes: { dataVolumePvc: 'fivetran-data', egressCheck: { image: 'registry.local/curl:8' } } },
    };
    let s = prefill(createState(structuredClone(installed)));
    expect(at(s)).toBe('review');
    s = backTo(s, 'advanced');
    for (s = submit(s, 'edit'); at(s) !== 'review'; ) {
      const q = currentQuestion(s);
      s = submit(s, q.kind === 'text' ? q.initial : q.kind === 'select' ? q.initial ?? q.options[0]!.value : '');
      expect(s.error, q.id).toBeUndefined();
    }
    expect(s.answers.fivetran.config).toEqual({ job_cpu: 2, custom_dns: '10.0.0.2' });
    expect(s.answers.fivetran.kubernetes.egressCheck).toEqual({ image: 'registry.local/curl:8' });
  });
});

describe('--set overrides survive a change of product or runtime (point 17)', () => {
  it('a chart override for the other product is kept while the installed product is configured, and used when switching to it', () => {
    // a re-run of an installed Fivetran with --set tobiko.kubernetes.chart=... on top
    const installed = { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN }, tobiko: { kubernetes: { chart: 'oci://mirror.internal/charts/hybrid-executors' } } };
    let s = prefill(createState(installed));
    expect(at(s)).toBe('review');
    // configuring Fivetran: the Tobiko section is not in the answers (the model would refuse it), but kept
    expect(s.answers.tobiko).toBeUndefined();
    expect(() => parseModel(structuredClone(s.answers), { env: SECRET_ENV })).not.toThrow();
    s = backTo(s, 'product');
    s = walk(s, ['tobiko', 'kubernetes']);
    expect(s.answers.tobiko.kubernetes.chart).toBe('oci://mirror.internal/charts/hybrid-executors');
    expect(s.answers.fivetran).toBeUndefined();
    s = walk(s, ['acme', 'analytics', 'cid', 'tobiko', 'existingSecret:create', 'sec', 'add', 'warehouse', 'duckdb', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    const values = files(s.answers).find(([p]) => String(p).endsWith('values.yaml'))?.[2];
    expect(values).toContain('oci://mirror.internal/charts/hybrid-executors');
    // and back to Fivetran: its answers come back
    s = walk(backTo(s, 'product'), ['fivetran']);
    expect(s.answers.fivetran).toEqual({ token: TOKEN });
    expect(s.answers.tobiko).toBeUndefined();
  });

  it('a Kubernetes re-run: the token kept in the Secret hd-setup made is taken as given, up to the review', () => {
    const stored = 'stored:secret/hd-agent-hd-setup-token#token';
    // what the read-back of a Fivetran Kubernetes install gives the wizard
    let s = prefill(createState({ product: 'fivetran', runtime: 'kubernetes', fivetran: { token: stored, kubernetes: { dataVolumePvc: 'fivetran-data' } } }));
    expect(at(s)).toBe('review');
    expect(s.answers.fivetran.token).toBe(stored);
    s = backTo(s, 'token');
    const q = currentQuestion(s);
    expect(q.kind === 'text' && q.live?.(stored)).toMatchObject({ ok: true, text: expect.stringContaining('Enter keeps it') });
    s = submit(s, stored);
    expect(s.error).toBeUndefined();
    expect(at(s)).not.toBe('token');
  });

  it('a --set in a section a question rewrites is kept (the secrets strategy keeps keyPrefix)', () => {
    let s = prefill(createState({ product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', gateways: { wh: { type: 'duckdb' } }, secrets: { keyPrefix: 'team/' } } }));
    s = backTo(s, 'strategy');
    s = walk(s, ['externalSecrets', 'ClusterSecretStore', 'aws', '1h']);
    expect(currentQuestion(s).kind === 'text' && (currentQuestion(s) as { initial: string }).initial).toBe('team/');
    s = submit(s, 'team/');
    expect(s.answers.tobiko.secrets).toEqual({ keyPrefix: 'team/', strategy: 'externalSecrets', store: { kind: 'ClusterSecretStore', name: 'aws' }, refreshInterval: '1h' });
    // back to a Secret hd-setup creates: the strategy goes back to its default; the model takes the rest as it is
    s = walk(backTo(s, 'strategy'), ['existingSecret:create', 'x', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.secrets.strategy).toBeUndefined();
    expect(() => parseModel(structuredClone(s.answers), { env: SECRET_ENV })).not.toThrow();
  });

  it('a change of runtime keeps the overrides of the product', () => {
    let s = prefill(createState({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN, kubernetes: { chart: 'oci://mirror.internal/helm/hd-agent' } } }));
    s = walk(backTo(s, 'runtime'), ['kubernetes']);
    expect(s.answers.fivetran.kubernetes.chart).toBe('oci://mirror.internal/helm/hd-agent');
  });
});

describe('the questions list', () => {
  it('names every step for the header, open lists included', () => {
    const ids = (a: Answers) => questions({ answers: a, drafts: {}, detection: {}, whole: true }).map((q) => q.step);
    expect([...new Set(ids({ product: 'tobiko', runtime: 'kubernetes', tobiko: { gateways: { wh: { type: 'duckdb' } } } }))]).toEqual(['Product', 'Runtime', 'Credentials', 'Secrets', 'Gateways', 'Proxy', 'Advanced', 'Review']);
    // docker/podman: the env-file note after the proxy, as before
    expect([...new Set(ids({ product: 'tobiko', runtime: 'docker', tobiko: { gateways: { wh: { type: 'duckdb' } } } }))]).toEqual(['Product', 'Runtime', 'Credentials', 'Gateways', 'Proxy', 'Secrets', 'Advanced', 'Review']);
    expect([...new Set(ids({ product: 'fivetran', runtime: 'kubernetes', fivetran: { token: TOKEN } }))]).toEqual(['Product', 'Runtime', 'Credentials', 'Proxy', 'Secrets', 'Placement', 'Advanced', 'Review']);
  });
});
