// The values hd-setup renders, put through the REAL helm (v3.17.2) with the vendored charts: `helm template`
// and `helm lint --strict`, for every Fivetran Kubernetes preset and a set of variations, on both chart
// versions; and the Tobiko values with the pre-release chart source, checking the env each executor gets.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { BIN, CHARTS, ROOT, runProcess, toolsDir } from '../k8s-api/bed.js';
import { CLIENT_SECRET, SECRET_ENV, TOKEN, WAREHOUSE_PASSWORD } from '../helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIVETRAN_CHART = (v: string) => join(CHARTS, `fivetran-${v}`);
const TOBIKO_CHART = join(CHARTS, 'tobiko-hybrid-executors-prerelease');

async function renderPreset(preset: string, sets: string[], env: NodeJS.ProcessEnv = SECRET_ENV): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'hd-render-'));
  const r = await runProcess([process.execPath, BIN, 'render', '--preset', preset, ...sets.flatMap((s) => ['--set', s]), '--out', out], {
    env: { PATH: process.env.PATH, HOME: out, CI: 'true', NO_COLOR: '1', ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function helm(...args: string[]) {
  return runProcess([join(toolsDir(), 'helm'), ...args], { env: { PATH: process.env.PATH, HOME: tmpdir(), HELM_CACHE_HOME: join(tmpdir(), 'hd-helm-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'hd-helm-config'), HELM_DATA_HOME: join(tmpdir(), 'hd-helm-data') } });
}

/** `helm template` and `helm lint --strict` of `chart` with the rendered values; the manifests, parsed. */
async function templateAndLint(chart: string, valuesDir: string, release: string, namespace: string): Promise<Obj[]> {
  const values = join(valuesDir, 'values.yaml');
  const [lint, t] = await Promise.all([helm('lint', '--strict', chart, '-f', values, '--namespace', namespace), helm('template', release, chart, '--namespace', namespace, '-f', values)]);
  expect(lint.code, `helm lint --strict: ${lint.stdout}${lint.stderr}`).toBe(0);
  expect(lint.stdout).toContain('0 chart(s) failed');
  expect(t.code, t.stderr).toBe(0);
  return (loadAll(t.stdout) as Obj[]).filter(Boolean);
}

const find = (docs: Obj[], kind: string, name?: string) => docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
const agentContainer = (docs: Obj[]) => find(docs, 'Deployment')!.spec.template.spec.containers[0];
const envOf = (c: Obj) => Object.fromEntries(((c.env ?? []) as Obj[]).map((e) => [e.name, e.valueFrom ?? e.value]));

function tokenSecretPreset(dir: string): string {
  const p = join(dir, 'token-secret-preset.yaml');
  writeFileSync(p, ['product: fivetran', 'runtime: kubernetes', 'fivetran:', '  kubernetes:', '    namespace: fivetran', '    release: hd-agent', '    dataVolumePvc: fivetran-data', '    tokenSecret: {name: my-token, key: agent-token}', ''].join('\n'));
  return p;
}

describe('Fivetran values through the real helm and the vendored charts', () => {
  const presets = readdirSync(join(ROOT, 'presets'))
    .filter((f) => f.startsWith('fivetran-kubernetes'))
    .map((f) => f.replace(/\.yaml$/, ''));

  it('there are Kubernetes presets to check', () => {
    expect(presets).toEqual(expect.arrayContaining(['fivetran-kubernetes', 'fivetran-kubernetes-affinity']));
  });

  const variations: [string, string[], (docs: Obj[]) => void][] = [
    [
      'as is',
      [],
      (docs) => {
        const c = agentContainer(docs);
        expect(envOf(c).token).toEqual({ secretKeyRef: { name: 'hd-agent-hd-setup-token', key: 'token' } });
        expect(find(docs, 'ConfigMap', 'hd-agent-config')!.data.data_volume_pvc).toBe('fivetran-data');
      },
    ],
    [
      'proxy',
      ['proxy.http=http://proxy.corp:3128', 'proxy.https=http://proxy.corp:3129', 'proxy.noProxy=[localhost,10.0.0.0/8]'],
      (docs) => {
        const cm = find(docs, 'ConfigMap', 'hd-agent-config')!.data;
        expect(cm).toMatchObject({ http_proxy: 'http://proxy.corp:3128', https_proxy: 'http://proxy.corp:3129', no_proxy: 'localhost,10.0.0.0/8' });
      },
    ],
    ['nodeSelector', ['fivetran.kubernetes.affinity=[]', 'fivetran.kubernetes.affinityRules={}', 'fivetran.kubernetes.nodeSelector["kubernetes.io/arch"]=amd64', 'fivetran.kubernetes.nodeSelector.pool=agents'], (docs) => {
      expect(find(docs, 'Deployment')!.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64', pool: 'agents' });
    }],
    [
      'inline token',
      ['fivetran.kubernetes.tokenDelivery=inline'],
      (docs) => {
        expect(envOf(agentContainer(docs)).token).toEqual({ secretKeyRef: { name: 'hd-agent-token-secret', key: 'token' } });
        const s = find(docs, 'Secret', 'hd-agent-token-secret')!;
        expect(Buffer.from(s.data?.token ?? '', 'base64').toString() || s.stringData?.token).toBe(TOKEN);
      },
    ],
    [
      'resources',
      ['fivetran.kubernetes.resources.requests.cpu=1', 'fivetran.kubernetes.resources.requests.memory=3Gi', 'fivetran.kubernetes.resources.limits.cpu=4', 'fivetran.kubernetes.resources.limits.memory=8Gi'],
      (docs) => {
        expect(agentContainer(docs).resources).toEqual({ requests: { cpu: '1', memory: '3Gi' }, limits: { cpu: '4', memory: '8Gi' } });
      },
    ],
    [
      // the chart's resources block is all or nothing: a limit alone keeps its 2 CPU / 2Gi for the rest
      'one limit only',
      ['fivetran.kubernetes.resources={"limits":{"cpu":"4"}}'],
      (docs) => {
        expect(agentContainer(docs).resources).toEqual({ requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '4', memory: '2Gi' } });
      },
    ],
  ];

  for (const version of ['0.24.0', '0.12.0']) {
    for (const preset of ['fivetran-kubernetes', 'fivetran-kubernetes-affinity']) {
      for (const [name, sets, check] of variations) {
        if (preset === 'fivetran-kubernetes-affinity' && name === 'nodeSelector') continue;
        it(`${preset}, ${name}, chart ${version}`, async () => {
          const dir = await renderPreset(preset, [`fivetran.kubernetes.chartVersion=${version}`, ...sets]);
          const docs = await templateAndLint(FIVETRAN_CHART(version), dir, 'hd-agent', 'fivetran');
          expect(find(docs, 'Deployment')!.metadata.name).toBe('hd-agent');
          check(docs);
          if (preset === 'fivetran-kubernetes-affinity') {
            const cm = find(docs, 'ConfigMap', 'hd-agent-config')!.data;
            expect(JSON.stringify(cm)).toContain('hd_size');
          }
        });
      }
    }
    it(`several affinity rules (required and preferred, a default), chart ${version}`, async () => {
      const dir = await renderPreset('fivetran-kubernetes-affinity', [
        `fivetran.kubernetes.chartVersion=${version}`,
        'fivetran.kubernetes.affinityRules.ssd={mode: required, match: [{key: disktype, operator: In, values: [ssd]}]}',
        'fivetran.kubernetes.affinityRules.gpu={mode: preferred, weight: 50, match: [{key: gpu, operator: Exists}]}',
        'fivetran.kubernetes.affinity[2]={rule: ssd, connectors: [conn_a, conn_b]}',
        'fivetran.kubernetes.affinity[3]={rule: gpu, connectors: [conn_c]}',
      ]);
      const docs = await templateAndLint(FIVETRAN_CHART(version), dir, 'hd-agent', 'fivetran');
      const text = JSON.stringify(find(docs, 'ConfigMap', 'hd-agent-config')!.data);
      for (const s of ['disktype', 'gpu', 'conn_a', 'conn_c', 'hd_size']) expect(text).toContain(s);
    });
    it(`an existing tokenSecret, chart ${version}`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'hd-preset-'));
      const dir = await renderPreset(tokenSecretPreset(tmp), [`fivetran.kubernetes.chartVersion=${version}`], {});
      expect(readdirSync(dir)).toEqual(['values.yaml']);
      const docs = await templateAndLint(FIVETRAN_CHART(version), dir, 'hd-agent', 'fivetran');
      expect(envOf(agentContainer(docs)).token).toEqual({ secretKeyRef: { name: 'my-token', key: 'agent-token' } });
    });
  }
});

const executors = (docs: Obj[]) => docs.filter((d) => d.kind === 'Deployment');
const execEnv = (docs: Obj[], role: 'apply' | 'run') => envOf(executors(docs).find((d) => d.metadata.name.endsWith(`-${role}`))!.spec.template.spec.containers[0]);

describe('Tobiko values through the real helm and the pre-release chart', () => {
  it('tobiko-kubernetes: URL, client id, default gateway and every gateway param, the password from the Secret', async () => {
    const dir = await renderPreset('tobiko-kubernetes', []);
    const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
    expect(executors(docs).map((d) => d.metadata.name).sort()).toEqual(['executors-hybrid-executors-apply', 'executors-hybrid-executors-run']);
    for (const role of ['apply', 'run'] as const) {
      const env = execEnv(docs, role);
      expect(env).toMatchObject({
        TCLOUD_URL: 'https://cloud.tobikodata.com/sqlmesh/acme/analytics',
        TCLOUD_CLIENT_ID: '7f3c2a10-hybrid-executors',
        TCLOUD_CLIENT_SECRET: { secretKeyRef: { name: 'executors-secrets', key: 'TCLOUD_CLIENT_SECRET' } },
        SQLMESH__DEFAULT_GATEWAY: 'WAREHOUSE',
        SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__TYPE: 'postgres',
        SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__HOST: 'postgres.data.svc.cluster.local',
        SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PORT: '5432',
        SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__DATABASE: 'analytics',
        SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__USER: 'sqlmesh',
        SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: { secretKeyRef: { name: 'executors-secrets', key: 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD' } },
      });
    }
    // The Secret hd-setup applies holds exactly the keys the pods reference.
    const secret = readFileSync(join(dir, 'secret.yaml'), 'utf8');
    expect(secret).toContain(`TCLOUD_CLIENT_SECRET: ${CLIENT_SECRET}`);
    expect(secret).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: ${WAREHOUSE_PASSWORD}`);
    expect(readFileSync(join(dir, 'values.yaml'), 'utf8')).not.toContain(WAREHOUSE_PASSWORD);
  });

  it('two gateways: the default one is the one chosen, not the first in sorted order', async () => {
    const dir = await renderPreset('tobiko-kubernetes', [
      'tobiko.gateways.analytics={type: postgres, host: db2, port: 5432, database: a2, user: u2, password: env:WAREHOUSE_PASSWORD}',
      'tobiko.defaultGateway=warehouse',
    ]);
    const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
    const env = execEnv(docs, 'run');
    expect(env.SQLMESH__DEFAULT_GATEWAY).toBe('WAREHOUSE');
    expect(env.SQLMESH__GATEWAYS__ANALYTICS__CONNECTION__HOST).toBe('db2');
    expect(env.SQLMESH__GATEWAYS__ANALYTICS__CONNECTION__PASSWORD).toEqual({ secretKeyRef: { name: 'executors-secrets', key: 'SQLMESH__GATEWAYS__ANALYTICS__CONNECTION__PASSWORD' } });
  });

  it('a custom URL reaches TCLOUD_URL (written as global.cloud.baseUrl); one the chart cannot build is refused', async () => {
    const dir = await renderPreset('tobiko-kubernetes', ['tobiko.url=https://tcloud.example.com/sqlmesh/acme/analytics']);
    expect(readFileSync(join(dir, 'values.yaml'), 'utf8')).toContain('baseUrl: https://tcloud.example.com\n');
    const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
    expect(execEnv(docs, 'apply').TCLOUD_URL).toBe('https://tcloud.example.com/sqlmesh/acme/analytics');
    const out = mkdtempSync(join(tmpdir(), 'hd-render-'));
    const bad = await runProcess([process.execPath, BIN, 'render', '--preset', 'tobiko-kubernetes', '--set', 'tobiko.url=https://tcloud.example.com/x', '--out', join(out, 'o')], {
      env: { PATH: process.env.PATH, HOME: out, CI: 'true', NO_COLOR: '1', ...SECRET_ENV },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['error: tobiko.url: on Kubernetes the chart builds the URL as <base>/sqlmesh/acme/analytics; give a URL that ends with /sqlmesh/acme/analytics']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('externalSecrets: the password is still wired to the Secret the ExternalSecret fills', async () => {
    const dir = await renderPreset('tobiko-kubernetes-external-secrets', []);
    const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
    const env = execEnv(docs, 'apply');
    expect(env.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD).toEqual({ secretKeyRef: { name: 'executors-secrets', key: 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD' } });
    expect(env.TCLOUD_CLIENT_SECRET).toEqual({ secretKeyRef: { name: 'executors-secrets', key: 'TCLOUD_CLIENT_SECRET' } });
    expect(readFileSync(join(dir, 'external-secret.yaml'), 'utf8')).toContain('secretKey: SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD');
  });

  // A Snowflake key-pair user whose key is in the user's own Secret (or the store): the executors read
  // private_key from that Secret, no password is wired, and nothing asks for the key's value.
  const keyPair = ['tobiko.gateways={lake: {type: snowflake, account: xy123, user: svc, database: db, warehouse: wh}}', 'tobiko.defaultGateway=lake', 'tobiko.secretParams=[private_key]'];
  it("a key pair in the user's own Secret: the executors read private_key from it, and no password", async () => {
    const preset = join(mkdtempSync(join(tmpdir(), 'hd-preset-')), 'key-pair.yaml');
    writeFileSync(preset, ['product: tobiko', 'runtime: kubernetes', 'tobiko:', '  org: acme', '  project: analytics', '  clientId: abc', '  secrets: {strategy: existingSecret, name: mine, create: false}', ''].join('\n'));
    const dir = await renderPreset(preset, keyPair);
    const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
    for (const role of ['apply', 'run'] as const) {
      const env = execEnv(docs, role);
      expect(env.SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY).toEqual({ secretKeyRef: { name: 'mine', key: 'SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY' } });
      expect(Object.keys(env).filter((k) => k.startsWith('SQLMESH__GATEWAYS__LAKE__CONNECTION__PASSWORD'))).toEqual([]);
    }
    expect(readdirSync(dir).sort()).toEqual(['values.yaml']);
  });
  it('a key pair from the store: the ExternalSecret fetches private_key, and the executors read it', async () => {
    const dir = await renderPreset('tobiko-kubernetes-external-secrets', keyPair);
    const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
    expect(execEnv(docs, 'run').SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY).toEqual({ secretKeyRef: { name: 'executors-secrets', key: 'SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY' } });
    const es = readFileSync(join(dir, 'external-secret.yaml'), 'utf8');
    expect(es).toContain('secretKey: SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY');
    expect(es).not.toContain('CONNECTION__PASSWORD');
  });
});

describe('a gateway param whose value holds a URL with a password (sslrootcert), through the real helm and the pre-release chart', () => {
  const PW = 'G4tewayUrlPw';
  const env = { ...SECRET_ENV, CERT_URL: `postgresql://u:${PW}@h:5432/db` };
  const render = (sets: string[]) => {
    const out = mkdtempSync(join(tmpdir(), 'hd-render-'));
    return runProcess([process.execPath, BIN, 'render', '--preset', 'tobiko-kubernetes', ...sets.flatMap((x) => ['--set', x]), '--out', join(out, 'o')], { env: { PATH: process.env.PATH, HOME: out, CI: 'true', NO_COLOR: '1', ...env } }).then((r) => ({ ...r, out }));
  };
  it('not marked secret: refused, exit 2, one line naming the setting and the --set that marks it (the chart put it in the Deployments\' env, hd-setup in the 0644 values)', async () => {
    for (const [extra, fix] of [
      [[], '--set tobiko.secretParams=[sslrootcert]'],
      // listed as no secret: the fix takes it out of that list too
      [['tobiko.nonSecretParams=[sslrootcert,x_token]'], '--set tobiko.secretParams=[sslrootcert] --set tobiko.nonSecretParams=[x_token]'],
    ] as const) {
      const r = await render([...extra, 'tobiko.gateways.warehouse.sslrootcert=env:CERT_URL']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `error: tobiko.gateways.warehouse.sslrootcert: holds a secret (a URL with a password in it), which the chart would pass to the executors in clear: it takes from its Secret only params named with "password", "secret" or "token" or listed in tobiko.secretParams; mark it secret with ${fix}`,
      ]);
      expect(r.stdout + r.stderr).not.toContain(PW);
      expect(readdirSync(r.out)).toEqual([]);
    }
  });
  for (const strategy of ['existingSecret', 'inline'] as const) {
    it(`marked secret (${strategy}): the executors read it from the Secret, never from a plain env value; the values hold no password${strategy === 'inline' ? ' but in the chart\'s Secret' : ''}`, async () => {
      const dir = await renderPreset('tobiko-kubernetes', [`tobiko.secrets.strategy=${strategy}`, 'tobiko.secretParams=[sslrootcert]', 'tobiko.gateways.warehouse.sslrootcert=env:CERT_URL'], env);
      const docs = await templateAndLint(TOBIKO_CHART, dir, 'executors', 'tobiko');
      const secretName = strategy === 'inline' ? 'executors-hybrid-executors-secrets' : 'executors-secrets';
      for (const role of ['apply', 'run'] as const) {
        expect(execEnv(docs, role).SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT).toEqual({ secretKeyRef: { name: secretName, key: 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT' } });
      }
      expect(JSON.stringify(executors(docs))).not.toContain(PW);
      if (strategy === 'existingSecret') {
        expect(readFileSync(join(dir, 'values.yaml'), 'utf8')).not.toContain(PW);
        expect(readFileSync(join(dir, 'secret.yaml'), 'utf8')).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT: postgresql://u:${PW}@h:5432/db`);
      }
    });
  }
});

describe('what each chart version does with the settings hd-setup can give it', () => {
  // The settings chart 0.12.0 ignores, found by the charts themselves: each changes 0.24.0's pod spec and
  // leaves 0.12.0's as it is (only the ConfigMap, hence an env var, changes).
  // (the checksum annotation, which changes with any config on 0.24.0, is left out: tested below)
  const podSpec = (docs: Obj[]) => {
    const t = structuredClone(find(docs, 'Deployment')!.spec.template) as Obj;
    delete t.metadata?.annotations?.['checksum/config'];
    return JSON.stringify(t);
  };
  for (const [key, value] of Object.entries({ extra_hosts: 'db.internal:10.0.0.5', custom_dns: '10.0.0.53', profile: 'staging' })) {
    it(`fivetran.config.${key} reaches the pod with 0.24.0, only an env var with 0.12.0; hd-setup warns for 0.12.0 alone`, async () => {
      for (const version of ['0.24.0', '0.12.0']) {
        const plain = await templateAndLint(FIVETRAN_CHART(version), await renderPreset('fivetran-kubernetes', [`fivetran.kubernetes.chartVersion=${version}`]), 'hd-agent', 'fivetran');
        const dir = await renderPreset('fivetran-kubernetes', [`fivetran.kubernetes.chartVersion=${version}`, `fivetran.config.${key}=${value}`]);
        const docs = await templateAndLint(FIVETRAN_CHART(version), dir, 'hd-agent', 'fivetran');
        expect(find(docs, 'ConfigMap', 'hd-agent-config')!.data[key]).toBe(value);
        if (version === '0.24.0') expect(podSpec(docs)).not.toBe(podSpec(plain));
        else expect(podSpec(docs)).toBe(podSpec(plain));
      }
      const { IGNORED_BY_0_12 } = await import('../../src/products/fivetran/plan.js');
      expect(Object.keys(IGNORED_BY_0_12)).toContain(key);
    });
  }

  // A reconfigure reaches the agent only through a new pod (the chart's ConfigMap is read through envFrom at
  // start): 0.24.0's pod template carries the checksum hd-setup renders, so helm replaces the pod itself;
  // 0.12.0 takes no pod annotations and renders a byte-identical template, hence hd-setup's rollout restart.
  it('a proxy added: 0.24.0 changes the pod template (the checksum annotation), 0.12.0 leaves it byte-identical', async () => {
    for (const version of ['0.24.0', '0.12.0']) {
      const sets = [`fivetran.kubernetes.chartVersion=${version}`];
      const plain = await templateAndLint(FIVETRAN_CHART(version), await renderPreset('fivetran-kubernetes', sets), 'hd-agent', 'fivetran');
      const proxied = await templateAndLint(FIVETRAN_CHART(version), await renderPreset('fivetran-kubernetes', [...sets, 'proxy.https=http://proxy.corp:3128']), 'hd-agent', 'fivetran');
      expect(find(proxied, 'ConfigMap', 'hd-agent-config')!.data.https_proxy).toBe('http://proxy.corp:3128');
      const template = (docs: Obj[]) => find(docs, 'Deployment')!.spec.template;
      if (version === '0.24.0') {
        expect(template(plain).metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
        expect(template(proxied).metadata.annotations['checksum/config']).not.toBe(template(plain).metadata.annotations['checksum/config']);
        expect(podSpec(proxied)).toBe(podSpec(plain));
      } else {
        expect(JSON.stringify(template(proxied))).toBe(JSON.stringify(template(plain)));
        expect(template(plain).metadata.annotations['checksum/config']).toBeUndefined();
      }
    }
  });

  it('IGNORED_BY_0_12 names exactly the keys checked above', async () => {
    const { IGNORED_BY_0_12 } = await import('../../src/products/fivetran/plan.js');
    expect(Object.keys(IGNORED_BY_0_12).sort()).toEqual(['custom_dns', 'extra_hosts', 'profile']);
  });

  // The rbac preflight check asks `kubectl auth can-i create` for each of the product's resources: exactly the
  // kinds the chart version renders (plus the Secret hd-setup applies), no more (0.12.0 has no PodDisruptionBudget).
  const PLURAL: Record<string, string> = {
    Deployment: 'deployments.apps',
    ServiceAccount: 'serviceaccounts',
    Role: 'roles.rbac.authorization.k8s.io',
    RoleBinding: 'rolebindings.rbac.authorization.k8s.io',
    Secret: 'secrets',
    ConfigMap: 'configmaps',
    PodDisruptionBudget: 'poddisruptionbudgets.policy',
    ExternalSecret: 'externalsecrets.external-secrets.io',
  };
  const rights = async (preset: string, sets: string[]) => {
    const { load } = await import('../helpers.js');
    const { productOf } = await import('../../src/products/index.js');
    const { model } = load({ preset, sets });
    return [...productOf(model).host.kubernetes!.resources(model)].sort();
  };
  for (const version of ['0.24.0', '0.12.0']) {
    it(`rbac: Fivetran chart ${version} creates exactly the kinds the check asks rights for`, async () => {
      const sets = [`fivetran.kubernetes.chartVersion=${version}`, 'fivetran.kubernetes.tokenDelivery=inline'];
      const docs = await templateAndLint(FIVETRAN_CHART(version), await renderPreset('fivetran-kubernetes', sets), 'hd-agent', 'fivetran');
      const kinds = [...new Set(docs.map((d) => d.kind as string))];
      expect(kinds.every((k) => PLURAL[k]), kinds.join()).toBe(true);
      expect([...new Set(kinds.map((k) => PLURAL[k]!))].sort()).toEqual(await rights('fivetran-kubernetes', sets));
    });
  }
  // Tobiko: the chart's kinds, a Secret (helm's release storage, and the executors' Secret), and for the
  // externalSecrets strategy the ExternalSecret hd-setup applies.
  for (const [preset, applied] of [['tobiko-kubernetes', ['Secret']], ['tobiko-kubernetes-external-secrets', ['Secret', 'ExternalSecret']]] as const) {
    it(`rbac: the Tobiko chart (${preset}) creates exactly the kinds the check asks rights for, with what hd-setup applies`, async () => {
      const docs = await templateAndLint(TOBIKO_CHART, await renderPreset(preset, []), 'executors', 'tobiko');
      const kinds = [...new Set([...docs.map((d) => d.kind as string), ...applied])];
      expect(kinds.every((k) => PLURAL[k]), kinds.join()).toBe(true);
      expect([...new Set(kinds.map((k) => PLURAL[k]!))].sort()).toEqual(await rights(preset, []));
    });
  }
});
