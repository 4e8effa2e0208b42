import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { listPresets } from '../src/model/load.js';
import { render } from '../src/service/plan.js';
import { fivetranValues } from '../src/products/fivetran/render.js';
import { CLIENT_SECRET, RENDER_ENV, ROOT, TOKEN, WAREHOUSE_PASSWORD, load } from './helpers.js';

const schemas = Object.fromEntries(
  ['0.12.0', '0.24.0'].map((v) => [v, JSON.parse(readFileSync(join(ROOT, `test/fixtures/charts/fivetran-${v}/values.schema.json`), 'utf8'))]),
);
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = Object.fromEntries(Object.entries(schemas).map(([v, s]) => [v, ajv.compile(s)]));

function validateValues(version: string, values: unknown): string[] {
  const validate = validators[version]!;
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('every bundled preset renders', () => {
  for (const p of listPresets()) {
    it(p.name, () => {
      const { model } = load({ preset: p.name });
      const files = render(model, RENDER_ENV);
      expect(files.length).toBeGreaterThan(0);
      expect(files.map((f) => ({ path: f.path, mode: f.mode.toString(8), secret: f.secret, content: f.content }))).toMatchSnapshot();
    });
  }
});

describe('Fivetran on docker/podman', () => {
  it('writes config.json with token, host_selinux_enabled as a string, and proxy keys', () => {
    const { model } = load({ preset: 'fivetran-docker', sets: ['proxy.http=http://proxy:3128', 'proxy.https=http://proxy:3129', 'proxy.noProxy=[localhost, 127.0.0.1]'] });
    const [config] = render(model, { ...RENDER_ENV, selinux: true });
    expect(config?.path).toBe('conf/config.json');
    expect(config?.mode).toBe(0o600);
    expect(JSON.parse(config!.content)).toEqual({
      token: TOKEN,
      host_selinux_enabled: 'true',
      http_proxy: 'http://proxy:3128',
      https_proxy: 'http://proxy:3129',
      no_proxy: 'localhost,127.0.0.1',
    });
  });
  it('honours an explicit selinux setting and extra agent parameters', () => {
    const { model } = load({ preset: 'fivetran-podman', sets: ['fivetran.selinux=false', 'fivetran.config.custom_dns=1.1.1.1'] });
    const config = JSON.parse(render(model, { ...RENDER_ENV, selinux: true })[0]!.content);
    expect(config.host_selinux_enabled).toBe('false');
    expect(config.custom_dns).toBe('1.1.1.1');
  });
  it('renders a systemd user unit that starts the container', () => {
    const { model } = load({ preset: 'fivetran-podman' });
    const unit = render(model, { ...RENDER_ENV, runtimeBin: '/usr/bin/podman' }).find((f) => f.path.endsWith('.service'))!;
    expect(unit.content).toContain('ExecStart=/usr/bin/podman start controller');
    expect(unit.content).toContain('WantedBy=default.target');
  });
  it('docker on another daemon (DOCKER_HOST, rootless): the boot unit starts the containers on that daemon, for both products', () => {
    for (const preset of ['fivetran-docker', 'tobiko-docker']) {
      const { model } = load({ preset });
      const unitOf = (env: typeof RENDER_ENV) => render(model, env).find((f) => f.path.endsWith('.service'))!.content;
      const unit = unitOf({ ...RENDER_ENV, runtimeBin: '/usr/bin/docker', dockerHost: 'unix:///run/user/1001/docker.sock' });
      expect(unit, preset).toMatch(/\[Service\][\s\S]*\nEnvironment=DOCKER_HOST=unix:\/\/\/run\/user\/1001\/docker\.sock\n(?:[\s\S]*\n)?ExecStart=\/usr\/bin\/docker start /);
      // the default daemon: nothing added
      expect(unitOf({ ...RENDER_ENV, runtimeBin: '/usr/bin/docker' }), preset).not.toContain('Environment=');
    }
    // systemd expands "%" and splits at spaces: the value is escaped and quoted
    const { model } = load({ preset: 'fivetran-docker' });
    const odd = render(model, { ...RENDER_ENV, dockerHost: 'unix:///tmp/a b%c/docker.sock' }).find((f) => f.path.endsWith('.service'))!.content;
    expect(odd).toContain('Environment="DOCKER_HOST=unix:///tmp/a b%%c/docker.sock"');
  });
});

describe('Fivetran on Kubernetes: values validate against the real chart schemas', () => {
  const variants: [string, string[]][] = [
    ['default (token in a Secret)', []],
    ['inline token', ['fivetran.kubernetes.tokenDelivery=inline']],
    ['existing token Secret', ['fivetran.token=', 'fivetran.kubernetes.tokenSecret.name=agent-token', 'fivetran.kubernetes.tokenSecret.key=tok']],
    ['proxy', ['proxy.https=http://proxy:3128', 'proxy.noProxy=[localhost]']],
    ['node selector', ['fivetran.kubernetes.nodeSelector.pool=agents']],
    ['resources', ['fivetran.kubernetes.resources.requests.cpu=500m', 'fivetran.kubernetes.resources.limits.memory=4Gi']],
    ['pull policy', ['fivetran.kubernetes.imagePullPolicy=IfNotPresent']],
  ];
  for (const version of ['0.24.0', '0.12.0']) {
    for (const [name, sets] of variants) {
      it(`${version}: ${name}`, () => {
        const noToken = sets.includes('fivetran.token=');
        const { model } = noToken
          ? load({
              presetObject: {
                product: 'fivetran',
                runtime: 'kubernetes',
                fivetran: { kubernetes: { chartVersion: version, dataVolumePvc: 'data', tokenSecret: { name: 'agent-token', key: 'tok' } } },
              },
            })
          : load({ preset: 'fivetran-kubernetes', sets: [...sets, `fivetran.kubernetes.chartVersion=${version}`] });
        const values = parse(render(model, RENDER_ENV).find((f) => f.path === 'values.yaml')!.content);
        expect(validateValues(version, values)).toEqual([]);
      });
    }
    it(`${version}: affinity preset`, () => {
      const { model } = load({ preset: 'fivetran-kubernetes-affinity', sets: [`fivetran.kubernetes.chartVersion=${version}`] });
      const values = parse(render(model, RENDER_ENV).find((f) => f.path === 'values.yaml')!.content);
      expect(validateValues(version, values)).toEqual([]);
      expect(values.config.kubernetes_affinity).toHaveLength(2);
      expect(Object.keys(values.config.affinity_rules).sort()).toEqual(['large', 'small']);
    });
  }
  it('the schema check is real: a broken value fails it', () => {
    const { model } = load({ preset: 'fivetran-kubernetes' });
    const values = fivetranValues(model) as { config: Record<string, unknown>; agent: Record<string, unknown> };
    delete values.config.data_volume_pvc;
    values.agent.resources = { requests: { cpu: '2.5' } };
    expect(validateValues('0.24.0', values).length).toBeGreaterThanOrEqual(2);
  });
  it('keeps the token out of values unless inline, and puts it in a 0600 Secret manifest', () => {
    const { model } = load({ preset: 'fivetran-kubernetes' });
    const files = render(model, RENDER_ENV);
    const values = files.find((f) => f.path === 'values.yaml')!;
    expect(values.content).not.toContain(TOKEN);
    expect(values.mode).toBe(0o644);
    const secret = files.find((f) => f.path === 'token-secret.yaml')!;
    expect(secret.mode).toBe(0o600);
    expect(parse(secret.content).stringData.token).toBe(TOKEN);
    const inline = render(load({ preset: 'fivetran-kubernetes', sets: ['fivetran.kubernetes.tokenDelivery=inline'] }).model, RENDER_ENV);
    expect(inline.map((f) => f.path)).toEqual(['values.yaml']);
    expect(inline[0]!.mode).toBe(0o600);
    expect(inline[0]!.content).toContain('WARNING');
  });
  describe('the checksum annotation (chart 0.24.0 rolls the pods itself when its ConfigMap or Secret changes)', () => {
    const annotations = (sets: string[]) => {
      const { model } = load({ preset: 'fivetran-kubernetes', sets });
      return parse(render(model, RENDER_ENV).find((f) => f.path === 'values.yaml')!.content).agent.annotations as Record<string, string> | undefined;
    };
    const sum = (sets: string[]) => annotations(sets)?.['checksum/config'];
    it('0.24.0 carries the checksum as a pod annotation; 0.12.0, which takes none, carries nothing', () => {
      expect(Object.keys(annotations([]) ?? {})).toEqual(['checksum/config']);
      expect(sum([])).toMatch(/^[0-9a-f]{64}$/);
      expect(annotations(['fivetran.kubernetes.chartVersion=0.12.0'])).toBeUndefined();
    });
    it('the same config gives the same checksum; any config the ConfigMap holds changes it', () => {
      expect(sum([])).toBe(sum([]));
      for (const set of ['proxy.https=http://proxy:3128', 'fivetran.config.profile=staging', 'fivetran.kubernetes.dataVolumePvc=other']) {
        expect(sum([set]), set).not.toBe(sum([]));
      }
      expect(sum(['proxy.https=http://proxy:3128'])).not.toBe(sum(['proxy.https=http://proxy:3129']));
      expect(sum(['proxy.https=http://proxy:3128', 'proxy.noProxy=[localhost]'])).not.toBe(sum(['proxy.https=http://proxy:3128']));
    });
    it('no secret goes into it: the inline token and a proxy password leave it as it is', () => {
      const inline = ['fivetran.kubernetes.tokenDelivery=inline'];
      expect(sum([...inline, `fivetran.token=${TOKEN}`])).toBe(sum([...inline, `fivetran.token=${Buffer.from('other_lion:Zx9QvR2mL7pK4tW8nB3cY6hJ1sD5fG0a').toString('base64')}`]));
      expect(sum(['proxy.https=http://user:pw1@proxy:3128'])).toBe(sum(['proxy.https=http://user:an0ther-Passw0rd@proxy:3128']));
      expect(sum(['proxy.https=http://user:pw1@proxy:3128'])).not.toBe(sum(['proxy.https=http://someone:pw1@proxy:3128']));
    });
  });
  it('renders 10,000 connections over 50 rules', () => {
    const rules = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`r${i}`, { match: [{ key: 'pool', values: [`p${i}`] }] }]));
    const affinity = Array.from({ length: 50 }, (_, i) => ({
      rule: `r${i}`,
      connectors: Array.from({ length: 200 }, (_, j) => `conn_${i}_${j}`),
      ...(i === 0 ? { default: true } : {}),
    }));
    const { model } = load({ presetObject: { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'env:FIVETRAN_TOKEN', kubernetes: { dataVolumePvc: 'd', affinityRules: rules, affinity } } } });
    const values = parse(render(model, RENDER_ENV)[0]!.content);
    expect(values.config.kubernetes_affinity.flatMap((a: { connectors: string[] }) => a.connectors)).toHaveLength(10_000);
    expect(validateValues('0.24.0', values)).toEqual([]);
  });
});

describe('Tobiko', () => {
  it('docker: a 0600 env-file with TCLOUD_* and SQLMESH__ variables', () => {
    const { model } = load({ preset: 'tobiko-docker' });
    const [env] = render(model, RENDER_ENV);
    expect(env?.mode).toBe(0o600);
    const lines = env!.content.split('\n');
    expect(lines).toContain('TCLOUD_URL=https://cloud.tobikodata.com/sqlmesh/acme/analytics');
    expect(lines).toContain(`TCLOUD_CLIENT_SECRET=${CLIENT_SECRET}`);
    expect(lines).toContain('SQLMESH__DEFAULT_GATEWAY=warehouse');
    expect(lines).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD=${WAREHOUSE_PASSWORD}`);
    expect(lines).toContain('SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__TYPE=postgres');
  });
  it('kubernetes existingSecret: no secret in values; a Secret with the chart keys', () => {
    const files = render(load({ preset: 'tobiko-kubernetes' }).model, RENDER_ENV);
    const values = parse(files.find((f) => f.path === 'values.yaml')!.content);
    expect(JSON.stringify(values)).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(values)).not.toContain(WAREHOUSE_PASSWORD);
    expect(values.secrets.existingSecret).toBe('executors-secrets');
    expect(values.global.cloud).toEqual({ org: 'acme', project: 'analytics', clientId: '7f3c2a10-hybrid-executors' });
    expect(values.run.replicaCount).toBe(2);
    const secret = parse(files.find((f) => f.path === 'secret.yaml')!.content);
    expect(secret.stringData).toEqual({ TCLOUD_CLIENT_SECRET: CLIENT_SECRET, SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: WAREHOUSE_PASSWORD });
  });
  it('kubernetes inline: secrets in a 0600 values file with a warning', () => {
    const files = render(load({ preset: 'tobiko-kubernetes', sets: ['tobiko.secrets.strategy=inline'] }).model, RENDER_ENV);
    expect(files.map((f) => f.path)).toEqual(['values.yaml']);
    expect(files[0]!.mode).toBe(0o600);
    expect(files[0]!.content).toContain('WARNING');
    const values = parse(files[0]!.content);
    expect(values.global.cloud.clientSecret).toBe(CLIENT_SECRET);
    expect(values.global.sqlmesh.gateways.warehouse.connection.password).toBe(WAREHOUSE_PASSWORD);
  });
  it('kubernetes externalSecrets: an external-secrets.io/v1 ExternalSecret with remote keys', () => {
    const files = render(load({ preset: 'tobiko-kubernetes-external-secrets' }).model, RENDER_ENV);
    const es = parse(files.find((f) => f.path === 'external-secret.yaml')!.content);
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secretsmanager' });
    // in key order: the order of the gateways carries no meaning
    expect(es.spec.data).toEqual([
      { secretKey: 'SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD', remoteRef: { key: 'sqlmesh/SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD' } },
      { secretKey: 'TCLOUD_CLIENT_SECRET', remoteRef: { key: 'sqlmesh/TCLOUD_CLIENT_SECRET' } },
    ]);
  });
  it('puts the default gateway first and honours secretParams / nonSecretParams', () => {
    const { model } = load({
      preset: 'tobiko-kubernetes',
      sets: [
        'tobiko.gateways.lake.type=snowflake',
        'tobiko.gateways.lake.account=acme',
        'tobiko.gateways.lake.user=u',
        'tobiko.gateways.lake.private_key_path=/keys/k.p8',
        'tobiko.gateways.lake.access_key=AKIA123',
        'tobiko.gateways.lake.token_endpoint=https://idp/token',
        'tobiko.defaultGateway=lake',
        'tobiko.secretParams=[access_key]',
        'tobiko.nonSecretParams=[token_endpoint]',
      ],
    });
    const files = render(model, RENDER_ENV);
    const values = parse(files.find((f) => f.path === 'values.yaml')!.content);
    expect(Object.keys(values.global.sqlmesh.gateways)).toEqual(['lake', 'warehouse']);
    expect(values.global.sqlmesh.gateways.lake.connection.access_key).toBe(''); // listed, so the chart wires it to the Secret
    expect(values.global.sqlmesh.gateways.lake.connection.token_endpoint).toBe('https://idp/token');
    const secret = parse(files.find((f) => f.path === 'secret.yaml')!.content);
    expect(secret.stringData.SQLMESH__GATEWAYS__LAKE__CONNECTION__ACCESS_KEY).toBe('AKIA123');
  });
});
