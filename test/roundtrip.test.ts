// The read-back is the exact inverse of render: for generated models of every product and runtime,
// decode(render(m)) gives m back (a default stays a default, and every setting survives), and what it
// gives back renders to the same install.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../src/products/load.js';
import { isStored } from '../src/model/stored.js';
import type { BaseModel } from '../src/model/base.js';
import { isSecretParam } from '../src/products/tobiko/engines.js';
import { readBack } from '../src/products/readback.js';
import { canonical } from '../src/util/canonical.js';
import { artifactsOf } from '../src/service/plan.js';
import { HOST } from './helpers.js';

type Obj = Record<string, any>;

const RUNS = Number(process.env.HD_TEST_ROUNDTRIP_RUNS ?? 200);

// ---- building blocks ----
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const k8sName = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const text = fc.stringMatching(/^[A-Za-z0-9._:/@+-]{1,20}$/);
const secretText = fc.stringMatching(/^[A-Za-z0-9!#%*+,.:;<>?@^_~-]{8,24}$/);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const compact = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const token = fc.tuple(fc.stringMatching(/^[a-z]{2,8}_[a-z]{2,8}$/), fc.stringMatching(/^[A-Za-z0-9]{8,24}$/)).map(([id, s]) => Buffer.from(`${id}:${s}`).toString('base64'));

// a password as a URL's userinfo may hold it unencoded (RFC 3986: no ":" "@" "/" "?" "#" "%")
const urlPassword = fc.stringMatching(/^[A-Za-z0-9!*+,.;=_~-]{8,24}$/);
const proxyUrl = fc.tuple(fc.constantFrom('http', 'https'), opt(fc.tuple(word, urlPassword)), fc.constantFrom('proxy.internal', '10.0.0.1'), fc.integer({ min: 1, max: 65535 })).map(
  ([scheme, cred, host, port]) => `${scheme}://${cred ? `${cred[0]}:${cred[1]}@` : ''}${host}:${port}`,
);
const proxy = opt(
  fc
    .record({ http: opt(proxyUrl), https: opt(proxyUrl), noProxy: opt(fc.array(fc.constantFrom('localhost', '127.0.0.1', '.internal', '10.0.0.0/8'), { maxLength: 3 })) })
    .filter((p) => Boolean(p.http || p.https))
    .map(compact),
);

// The in-cluster egress check: {} turns it on with the defaults; the image and the time bound may be set.
const egress = opt(fc.record({ image: opt(fc.constantFrom('registry.local/curl:8', 'curlimages/curl:8.10.1')), timeout: opt(fc.constantFrom('30s', '2m')) }).map(compact));

// (the Fivetran chart's own defaults, 2 CPU and 2Gi, among them: the model fills each in while another value
// is there; the reset refusal's side of it is lossless.test.ts's)
const resources = opt(
  fc
    .record({
      requests: opt(fc.record({ cpu: opt(fc.constantFrom('1', '500m', '2')), memory: opt(fc.constantFrom('1Gi', '512Mi', '2Gi')) }).map(compact)),
      limits: opt(fc.record({ cpu: opt(fc.constantFrom('2', '4')), memory: opt(fc.constantFrom('2Gi', '8Gi')) }).map(compact)),
    })
    .map(compact),
);

// ---- Fivetran ----
const fivetranConfig = opt(fc.dictionary(fc.stringMatching(/^(custom_dns|extra_hosts|job_cpu|log_level)$/), fc.oneof(text, fc.integer({ min: 0, max: 99 }), fc.boolean()), { maxKeys: 3 }));

const fivetranContainers = (runtime: 'docker' | 'podman', selinuxHost: boolean) =>
  fc
    .record({
      token,
      installDir: opt(fc.constantFrom('~/fivetran', '~/agents/ft', '/opt/fivetran')),
      image: opt(fc.constantFrom('us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production', 'registry.local/ldp-agent:1.2')),
      pullPolicy: opt(fc.constantFrom('always', 'missing', 'never')),
      restartPolicy: opt(fc.constantFrom('on-failure:3', 'always', 'unless-stopped')),
      memory: opt(fc.constantFrom('2048m', '4g')),
      // A value equal to the host's is the same install as 'auto': only the distinguishable ones.
      selinux: opt(fc.constantFrom('auto', !selinuxHost)),
      config: fivetranConfig,
    })
    .chain((f) => proxy.map((p) => compact({ product: 'fivetran', runtime, proxy: p, fivetran: compact(f) })));

const matchExpr = fc.oneof(
  fc.record({ key: word, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(word, { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: word, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  fc.record({ key: word, values: fc.array(word, { minLength: 1, maxLength: 2 }) }),
);
const rule = fc.oneof(
  fc.record({ mode: fc.constant('required'), match: fc.array(matchExpr, { minLength: 1, maxLength: 2 }) }),
  fc.record({ mode: opt(fc.constant('preferred')), weight: opt(fc.integer({ min: 1, max: 100 })), match: fc.array(matchExpr, { minLength: 1, maxLength: 2 }) }).map(compact),
);
const placement = fc.oneof(
  fc.constant({}),
  fc.record({ nodeSelector: fc.dictionary(fc.constantFrom('pool', 'kubernetes.io/arch', 'disk'), word, { minKeys: 1, maxKeys: 2 }) }),
  fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 3 }).chain((names) =>
    fc.tuple(fc.array(rule, { minLength: names.length, maxLength: names.length }), fc.uniqueArray(fc.stringMatching(/^conn_[a-z]{1,5}$/), { maxLength: 6 }), fc.nat(names.length - 1)).map(([rules, conns, def]) => ({
      affinityRules: Object.fromEntries(names.map((n, i) => [n, rules[i]])),
      // Connections spread over the rules; one rule is the default; every other rule gets at least one.
      affinity: names
        .map((n, i) => compact({ rule: n, connectors: conns.filter((_, j) => j % names.length === i), default: i === def ? true : undefined }))
        .filter((a) => a.default || a.connectors.length > 0)
        .map((a) => (a.connectors.length ? a : { rule: a.rule, default: true })),
    })),
  ),
);
const fivetranKubernetes = fc
  .record({
    namespace: opt(k8sName),
    release: opt(k8sName),
    chart: opt(fc.constantFrom('oci://us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/helm/hybrid-deployment-agent', 'oci://mirror.local/charts/hd')),
    chartVersion: opt(fc.constantFrom('0.24.0', '0.12.0')),
    context: opt(fc.constantFrom('prod', 'kind-dev')),
    dataVolumePvc: k8sName,
    imagePullPolicy: opt(fc.constantFrom('Always', 'IfNotPresent', 'Never')),
    resources,
    timeout: opt(fc.constantFrom('5m', '10m', '1h30m')),
    egressCheck: egress,
    delivery: fc.constantFrom('secret', 'inline', 'tokenSecret'),
    tokenSecret: fc.record({ name: k8sName, key: opt(fc.constantFrom('token', 'agent-token')) }).map(compact),
    placement,
  })
  .chain((k) =>
    fc.tuple(token, fivetranConfig, proxy, opt(fc.constantFrom('registry.local/ldp-agent:1.2'))).map(([tok, config, p, image]) => {
      const { delivery, tokenSecret, placement: pl, ...rest } = k;
      const kubernetes = compact({ ...rest, ...pl, ...(delivery === 'tokenSecret' ? { tokenSecret } : delivery === 'inline' ? { tokenDelivery: 'inline' } : { tokenDelivery: 'secret' }) });
      return compact({ product: 'fivetran', runtime: 'kubernetes', proxy: p, fivetran: compact({ ...(delivery === 'tokenSecret' ? {} : { token: tok }), image, config, kubernetes }) });
    }),
  );

// ---- Tobiko ----
const gatewayOf = fc.oneof(
  // sslrootcert: a path, or a URL with a password (a secret by its value: on Kubernetes only marked one, below)
  fc.record({ type: fc.constant('postgres'), host: fc.constantFrom('db.internal', 'db'), port: fc.integer({ min: 1, max: 65535 }), database: word, user: word, password: secretText, sslrootcert: opt(fc.constantFrom('/certs/root.crt', 'postgresql://u:Url-pw-9@h:5432/db')) }).map(compact),
  fc.record({ type: fc.constant('snowflake'), account: word, user: word, password: secretText, warehouse: opt(word), role: opt(word) }).map(compact),
  fc.record({ type: fc.constant('duckdb'), database: opt(fc.constantFrom('local.db', 'x.duckdb')) }).map(compact),
  fc.record({ type: fc.constant('trino'), host: word, user: word, catalog: word, http_scheme: opt(fc.constantFrom('https', 'http')), source: opt(secretText), private_key: opt(secretText) }).map(compact),
);
const gateways = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 3 }).chain((names) =>
  fc.tuple(fc.array(gatewayOf, { minLength: names.length, maxLength: names.length }), opt(fc.constantFrom(...names))).map(([gws, def]) => ({ gateways: Object.fromEntries(names.map((n, i) => [n, gws[i]])), defaultGateway: def })),
);
const extraEnv = opt(fc.array(fc.record({ name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).filter((n) => !/^(TCLOUD_|SQLMESH__)/.test(n) && !/^(HTTPS?|NO)_PROXY$/.test(n)), value: text }), { maxLength: 2 }));
const tobikoBase = fc
  .record({
    org: word,
    project: word,
    // the chart builds the URL as <base>/sqlmesh/<org>/<project>: only the base is the user's to choose
    urlBase: opt(fc.constantFrom('https://tobiko.example.com', 'https://cloud.eu.example.org')),
    clientId: text,
    secretParams: opt(fc.constantFrom(['private_key'], ['account'])),
    gw: gateways,
  })
  // key material is valid only marked secret (the model refuses it otherwise)
  .map((b) => (Object.values(b.gw.gateways as Obj).some((g) => 'private_key' in g) ? { ...b, secretParams: [...new Set([...(b.secretParams ?? []), 'private_key'])] } : b))
  .map(({ urlBase, ...b }) => compact({ ...b, url: urlBase ? `${urlBase}/sqlmesh/${b.org}/${b.project}` : undefined }) as { org: string; project: string; clientId: string; gw: { gateways: Obj; defaultGateway?: string }; url?: string; secretParams?: string[] });
const tobikoContainers = (runtime: 'docker' | 'podman') =>
  fc.tuple(tobikoBase, secretText, proxy, fc.record({ installDir: opt(fc.constantFrom('~/tobiko', '/srv/tobiko')), image: opt(fc.constantFrom('tobikodata/tcloud:1.2')), pullPolicy: opt(fc.constantFrom('always', 'missing', 'never')), restartPolicy: opt(fc.constantFrom('always', 'unless-stopped', 'on-failure:3')), extraEnv })).map(
    ([b, cs, p, docker]) => {
      const { gw, ...rest } = b;
      return compact({ product: 'tobiko', runtime, proxy: p, tobiko: compact({ ...rest, ...gw, clientSecret: cs, docker: compact(docker) }) });
    },
  );
const executor = fc.record({ replicas: opt(fc.integer({ min: 0, max: 5 })), resources, extraEnv }).map(compact);
const tobikoKubernetes = fc
  .tuple(
    tobikoBase,
    secretText,
    proxy,
    fc.constantFrom('inline', 'existingSecret', 'existingSecretExternal', 'externalSecrets', undefined),
    fc.record({
      namespace: opt(k8sName),
      release: opt(k8sName),
      chart: opt(fc.constantFrom('oci://mirror.local/charts/executors')),
      chartVersion: opt(fc.constantFrom('0.3.1')),
      context: opt(fc.constantFrom('prod')),
      timeout: opt(fc.constantFrom('10m')),
      egressCheck: egress,
      image: opt(fc.record({ repository: fc.constantFrom('tobikodata/tcloud'), tag: fc.constantFrom('1.2', 'latest') })),
      apply: opt(executor),
      run: opt(executor),
      extraEnv,
    }),
    opt(k8sName),
  )
  .map(([generated, cs, p, strategy, k, secretName]) => {
    const { gw, ...rest } = structuredClone(generated); // fast-check reuses generated values: change a copy
    const t: Obj = compact({ ...rest, ...gw, kubernetes: compact(k) });
    // a value that holds a secret is valid on Kubernetes only marked secret (the chart would pass it in clear)
    if (Object.values(t.gateways as Obj).some((g) => String(g.sslrootcert).includes('@'))) t.secretParams = [...new Set([...(t.secretParams ?? []), 'sslrootcert'])];
    if (strategy === 'externalSecrets') {
      // Secrets come from the store: gateway secrets are absent, or name their remote key.
      for (const params of Object.values(t.gateways as Obj)) for (const key of Object.keys(params)) if (isSecretParam(key, t.secretParams)) params[key] = `remote:vault/${key}`;
      t.secrets = { strategy, store: { kind: 'ClusterSecretStore', name: 'vault' } };
    } else if (strategy === 'existingSecretExternal') {
      for (const params of Object.values(t.gateways as Obj)) for (const key of Object.keys(params)) if (isSecretParam(key, t.secretParams)) delete params[key];
      t.secrets = { strategy: 'existingSecret', create: false, ...(secretName ? { name: secretName } : {}) };
    } else {
      t.clientSecret = cs;
      if (strategy) t.secrets = compact({ strategy, name: strategy === 'existingSecret' ? secretName : undefined });
    }
    return compact({ product: 'tobiko', runtime: 'kubernetes', proxy: p, tobiko: t });
  });

// ---- the property ----
const parse = (raw: Obj) => parseModel(structuredClone(raw), { env: {} }).model as BaseModel & Obj;

/**
 * What the read-back can know: on Kubernetes a secret kept in a Secret hd-setup made comes back as a
 * stored reference; the section of the other runtime is not installed anywhere.
 */
function installable(m: Obj): Obj {
  const out = structuredClone(m);
  if (out.runtime !== 'kubernetes') {
    if (out.fivetran) delete out.fivetran.kubernetes;
    if (out.tobiko) {
      delete out.tobiko.kubernetes;
      delete out.tobiko.secrets;
    }
  } else {
    if (out.fivetran) {
      for (const k of ['installDir', 'pullPolicy', 'restartPolicy', 'memory', 'selinux']) delete out.fivetran[k];
    }
    if (out.tobiko) delete out.tobiko.docker;
  }
  return out;
}

function storedAware(expected: Obj, actual: Obj): Obj {
  // Where the read-back says stored:, the model had the value itself.
  const walk = (e: any, a: any): any => {
    if (isStored(a)) return a;
    if (a && typeof a === 'object' && e && typeof e === 'object' && !Array.isArray(a)) return Object.fromEntries(Object.keys({ ...e }).map((k) => [k, walk(e[k], a[k])]));
    return e;
  };
  return walk(expected, actual);
}

function roundTrip(raw: Obj, selinuxHost = false): void {
  let m: Obj;
  try {
    m = parse(raw);
  } catch (e) {
    throw new Error(`generated an invalid preset: ${(e as Error).message}\n${JSON.stringify(raw)}`);
  }
  const host = { ...HOST, selinux: selinuxHost, runtimeBin: raw.runtime === 'podman' ? '/usr/bin/podman' : '/usr/bin/docker' };
  const a = artifactsOf(m as BaseModel, host);
  const back = readBack(a, { home: host.home, selinux: host.selinux, runtimeBin: host.runtimeBin, version: host.version });
  const m2 = parse(back.preset);
  // 1. The same model (the parts an install holds), secrets kept where they are.
  expect(canonical(installable(m2))).toBe(canonical(storedAware(installable(m), installable(m2))));
  // 2. The same install: what the read-back renders is what was rendered (a stored secret is not re-applied).
  const a2 = artifactsOf(m2 as BaseModel, host);
  expect(canonical(a2.values ?? {})).toBe(canonical(a.values ?? {}));
  expect(canonical(a2.containers)).toBe(canonical(a.containers));
  for (const [k, v] of Object.entries(a2.files)) expect(v, k).toBe(a.files[k]);
  // 3. A default stays a default: the read-back is minimal (nothing in it that the model would give anyway),
  //    and reading back its own install gives it again.
  const back2 = readBack(a2, { home: host.home, selinux: host.selinux, runtimeBin: host.runtimeBin, version: host.version });
  expect(canonical(back2.preset)).toBe(canonical(back.preset));
}

describe('decode is the exact inverse of render', () => {
  for (const runtime of ['docker', 'podman'] as const) {
    it(`Fivetran on ${runtime}`, () => {
      fc.assert(fc.property(fc.boolean().chain((s) => fivetranContainers(runtime, s).map((raw) => [raw, s] as const)), ([raw, s]) => roundTrip(raw, s)), { numRuns: RUNS });
    });
    it(`Tobiko on ${runtime}`, () => {
      fc.assert(fc.property(tobikoContainers(runtime), (raw) => roundTrip(raw)), { numRuns: RUNS });
    });
  }
  it('Fivetran on Kubernetes', () => {
    fc.assert(fc.property(fivetranKubernetes, (raw) => roundTrip(raw)), { numRuns: RUNS });
  });
  it('Tobiko on Kubernetes, every secrets strategy', () => {
    fc.assert(fc.property(tobikoKubernetes, (raw) => roundTrip(raw)), { numRuns: RUNS });
  });
});

describe('the read-back keeps only what was set', () => {
  it('the bundled Tobiko preset reads back without its defaults (installDir, restartPolicy, defaultGateway)', () => {
    const raw = {
      product: 'tobiko',
      runtime: 'docker',
      tobiko: { org: 'acme', project: 'analytics', clientId: 'c', clientSecret: 'tc-client-secret-9f8e7d', gateways: { warehouse: { type: 'postgres', host: 'db', port: 5432, database: 'a', user: 'u', password: 'pg-pass-Zq81!x' } }, docker: { installDir: '~/tobiko', restartPolicy: 'unless-stopped' } },
    };
    const back = readBack(artifactsOf(parse(raw), HOST), { home: HOST.home, selinux: false, runtimeBin: HOST.runtimeBin, version: 'x' });
    expect(back.preset.tobiko).not.toHaveProperty('defaultGateway');
    expect(back.preset.tobiko).not.toHaveProperty('docker');
    expect(back.secretPaths.sort()).toEqual(['tobiko.clientSecret', 'tobiko.gateways.warehouse.password']);
  });
  it('SELinux set on a host without it is a setting; equal to the host it is the default', () => {
    const raw = (selinux: unknown) => ({ product: 'fivetran', runtime: 'docker', fivetran: { token: Buffer.from('ab_cd:secretpart').toString('base64'), selinux } });
    const env = (selinux: boolean) => ({ home: HOST.home, selinux, runtimeBin: HOST.runtimeBin, version: 'x' });
    expect((readBack(artifactsOf(parse(raw(true)), HOST), env(false)).preset.fivetran as Obj).selinux).toBe(true);
    expect(readBack(artifactsOf(parse(raw(true)), { ...HOST, selinux: true }), env(true)).preset.fivetran).not.toHaveProperty('selinux');
  });
  it('a release whose values name the token Secret without its key (installed by hand, as the vendor shows) reads back with the key the chart then uses: token', () => {
    const raw = { product: 'fivetran', runtime: 'kubernetes', fivetran: { kubernetes: { dataVolumePvc: 'data', tokenSecret: { name: 'agent-token', key: 'token' } } } };
    const a = artifactsOf(parse(raw), HOST);
    const config = (a.values as { config: Obj }).config;
    expect(config.token_secret_key).toBe('token');
    delete config.token_secret_key; // the chart: key: {{ if .Values.config.token_secret_key }}…{{ else }}token{{ end }}
    const back = readBack(a, { home: HOST.home, selinux: false, runtimeBin: '', version: 'x' });
    expect(back.preset.fivetran).toEqual({ kubernetes: { dataVolumePvc: 'data', tokenSecret: { name: 'agent-token' } } }); // key: token, the default
  });
  it('a token given to the Secret hd-setup makes comes back as stored, not as a Secret of the user', () => {
    const raw = { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: Buffer.from('ab_cd:secretpart').toString('base64'), kubernetes: { dataVolumePvc: 'data' } } };
    const back = readBack(artifactsOf(parse(raw), HOST), { home: HOST.home, selinux: false, runtimeBin: '', version: 'x' });
    expect(back.preset.fivetran).toEqual({ token: 'stored:secret/hd-agent-hd-setup-token#token', kubernetes: { dataVolumePvc: 'data' } });
  });
});
