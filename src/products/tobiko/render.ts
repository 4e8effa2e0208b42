// Tobiko: model -> files. Pure.
import { UserError } from '../../model/errors.js';
import { sectionOf, type BaseModel as Model } from '../../model/base.js';
import { HD_SETUP_VALUES_KEY, valuesFile } from '../../render/values.js';
import type { RenderEnv, RenderedFile } from '../../render/types.js';
import { toYaml } from '../../render/yaml.js';
import { isStored } from '../../model/stored.js';
import { settingHoldsSecret } from '../../model/secret-names.js';
import { containerServiceUnit } from '../../render/unit.js';
import { gatewayEnvKey, isSecretParam, secretsLeftOut } from './engines.js';
import { ENV_FILE_LINE_BREAK, envFileValueProblem } from './constants.js';
import { effectiveStrategy, secretValuesExpected, tobikoSecretName, type Gateway, type TobikoOptions } from './schema.js';

export { tobikoSecretName };

export const TOBIKO_CONTAINERS = { apply: 'tcloud-apply-executor', run: 'tcloud-run-executor' } as const;
export const TOBIKO_ENV_FILE = 'tobiko.env';
export const TOBIKO_UNIT = 'hd-tobiko-executors.service';

export function tobikoOf(model: Model): TobikoOptions {
  return sectionOf<TobikoOptions>(model, 'tobiko');
}

export function tobikoUrl(t: TobikoOptions): string {
  return t.url ?? `https://cloud.tobikodata.com/sqlmesh/${t.org}/${t.project}`;
}

/** Gateways with the default one first: the chart README asks for that order. */
export function orderedGateways(t: TobikoOptions): [string, Gateway][] {
  const entries = Object.entries(t.gateways);
  const def = t.defaultGateway ?? entries[0]?.[0];
  return [...entries.filter(([n]) => n === def), ...entries.filter(([n]) => n !== def)];
}

export function defaultGateway(t: TobikoOptions): string {
  return t.defaultGateway ?? Object.keys(t.gateways)[0] ?? '';
}

export { gatewayEnvKey };

function envValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export interface SecretEntry {
  key: string;
  /** The value, when the preset carries it. */
  value?: string;
  /** Remote key for External Secrets. */
  remoteKey: string;
}

/**
 * A gateway's secret params: those it sets, plus those it leaves to the Secret (secretsLeftOut: the required
 * ones, the alternative in use, and where the Secret is the user's or a store's, the optional ones secretParams names).
 */
function gatewaySecretParams(t: TobikoOptions, params: Gateway): string[] {
  const names = new Set(Object.keys(params).filter((p) => isSecretParam(p, t.secretParams, t.nonSecretParams)));
  for (const p of secretsLeftOut(params.type, params, t.secretParams, t.nonSecretParams, effectiveStrategy(t, 'kubernetes') === 'existingSecret' && !t.secrets.create)) names.add(p);
  return [...names];
}

/** Every secret the executors need, as env keys: TCLOUD_CLIENT_SECRET and SQLMESH__GATEWAYS__<G>__CONNECTION__<P>. */
export function tobikoSecretEntries(t: TobikoOptions): SecretEntry[] {
  const prefix = t.secrets.keyPrefix;
  const out: SecretEntry[] = [{ key: 'TCLOUD_CLIENT_SECRET', value: t.clientSecret, remoteKey: `${prefix}TCLOUD_CLIENT_SECRET` }];
  for (const [g, params] of orderedGateways(t)) {
    for (const p of gatewaySecretParams(t, params)) {
      const key = gatewayEnvKey(g, p);
      const v = params[p];
      const remote = typeof v === 'string' && v.startsWith('remote:') ? v.slice(7) : `${prefix}${key}`;
      out.push({ key, value: v === undefined || (typeof v === 'string' && v.startsWith('remote:')) ? undefined : envValue(v), remoteKey: remote });
    }
  }
  return out;
}

function proxyEnv(model: Model): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const p = model.proxy;
  if (!p) return out;
  if (p.http) out.push({ name: 'HTTP_PROXY', value: p.http }, { name: 'http_proxy', value: p.http });
  if (p.https) out.push({ name: 'HTTPS_PROXY', value: p.https }, { name: 'https_proxy', value: p.https });
  if (p.noProxy.length) out.push({ name: 'NO_PROXY', value: p.noProxy.join(',') }, { name: 'no_proxy', value: p.noProxy.join(',') });
  return out;
}

/** The suffix the chart appends to `global.cloud.baseUrl` to make TCLOUD_URL. */
const cloudPath = (t: TobikoOptions) => `/sqlmesh/${t.org}/${t.project}`;

/**
 * values.yaml for the hybrid-executors chart. Key names follow the published chart README; how they render
 * follows the chart source (test/fixtures/charts/tobiko-hybrid-executors-prerelease):
 * - TCLOUD_URL is `<global.cloud.baseUrl>/sqlmesh/<org>/<project>`: a `tobiko.url` override is written as
 *   its base (the URL without that suffix), and must have that form;
 * - `global.sqlmesh.defaultGateway` is always written (Helm iterates gateways sorted, so YAML order alone
 *   does not choose it), and the default gateway is also listed first, as the README asks;
 * - the chart makes an env var only for the params listed under a gateway's `connection`, so unless the
 *   strategy is inline, every secret param is listed with an empty placeholder: the chart then wires it to
 *   the Secret by its key SQLMESH__GATEWAYS__<G>__CONNECTION__<P>.
 */
export function tobikoValues(model: Model): Record<string, unknown> {
  const t = tobikoOf(model);
  const strategy = effectiveStrategy(t, model.runtime);
  const inline = strategy === 'inline';
  const gateways: Record<string, unknown> = {};
  for (const [g, params] of orderedGateways(t)) {
    const connection: Record<string, unknown> = {};
    const secret = new Set(inline ? [] : gatewaySecretParams(t, params));
    for (const [p, v] of Object.entries(params)) connection[p] = secret.has(p) ? '' : v;
    for (const p of secret) connection[p] = '';
    gateways[g] = { connection };
  }
  const sqlmesh: Record<string, unknown> = { defaultGateway: defaultGateway(t), gateways };
  if (t.secretParams.length) sqlmesh.secretParams = t.secretParams;
  if (t.nonSecretParams.length) sqlmesh.nonSecretParams = t.nonSecretParams;
  const cloud: Record<string, unknown> = { org: t.org, project: t.project, clientId: t.clientId };
  if (t.url) {
    if (!t.url.replace(/\/+$/, '').endsWith(cloudPath(t))) {
      throw new UserError([{ path: 'tobiko.url', message: `on Kubernetes the chart builds the URL as <base>${cloudPath(t)}; give a URL that ends with ${cloudPath(t)}` }]);
    }
    cloud.baseUrl = t.url.replace(/\/+$/, '').slice(0, -cloudPath(t).length);
  }
  if (inline) cloud.clientSecret = t.clientSecret;
  const global: Record<string, unknown> = {};
  if (t.kubernetes.image) global.image = t.kubernetes.image;
  global.cloud = cloud;
  global.sqlmesh = sqlmesh;
  const values: Record<string, unknown> = { global };
  if (!inline) values.secrets = { existingSecret: tobikoSecretName(t) };
  const envCommon = [...proxyEnv(model), ...t.kubernetes.extraEnv];
  for (const role of ['apply', 'run'] as const) {
    const ex = t.kubernetes[role];
    const v: Record<string, unknown> = { replicaCount: ex.replicas };
    if (ex.resources) v.resources = ex.resources;
    const extra = [...envCommon, ...ex.extraEnv];
    if (extra.length) v.extraEnvVars = extra;
    values[role] = v;
  }
  return values;
}

/** The names of the extra env vars in `list` that hold a secret (their name says so). */
export function secretEnvNames(list: readonly { name: string; value: string }[]): string[] {
  return [...new Set(list.filter((e) => settingHoldsSecret(e.name, e.value)).map((e) => e.name))];
}

/** Kubernetes: the extra env vars that hold a secret, which the chart puts in the Deployments' env. */
export function credentialEnv(t: TobikoOptions): string[] {
  const k = t.kubernetes;
  return secretEnvNames([...k.extraEnv, ...k.apply.extraEnv, ...k.run.extraEnv]);
}

export function tobikoEnvFile(model: Model, env: RenderEnv): string {
  const t = tobikoOf(model);
  const lines: [string, string][] = [
    ['TCLOUD_URL', tobikoUrl(t)],
    ['TCLOUD_CLIENT_ID', t.clientId],
    ['TCLOUD_CLIENT_SECRET', t.clientSecret ?? ''],
    ['SQLMESH__DEFAULT_GATEWAY', defaultGateway(t)],
  ];
  for (const [g, params] of orderedGateways(t)) {
    for (const [p, v] of Object.entries(params)) lines.push([gatewayEnvKey(g, p), envValue(v)]);
  }
  for (const e of [...proxyEnv(model), ...t.docker.extraEnv]) lines.push([e.name, e.value]);
  const bad = lines.find(([, v]) => envFileValueProblem(v));
  if (bad) {
    throw new UserError([{ path: `env-file ${bad[0]}`, message: `${ENV_FILE_LINE_BREAK}; use a single-line value (e.g. a key path instead of the key)` }]);
  }
  return `# Generated by hd-setup ${env.version}: Tobiko Cloud executor environment. Secret: keep 0600.\n${ENV_META_PREFIX}${JSON.stringify(envFileMeta(t))}\n${lines.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** The comment line of the env-file that keeps the settings the variables do not show. */
export const ENV_META_PREFIX = '# hd-setup: ';

function envFileMeta(t: TobikoOptions): Record<string, unknown> {
  return {
    org: t.org,
    project: t.project,
    ...(t.secretParams.length ? { secretParams: t.secretParams } : {}),
    ...(t.nonSecretParams.length ? { nonSecretParams: t.nonSecretParams } : {}),
  };
}

/**
 * Kubernetes: hd-setup's settings that the chart's values do not show, kept with the release (values key
 * hdSetup) so that a re-run from anywhere reads them back: helm's command line, the secrets strategy, and
 * which gateway parameters live in the Secret.
 */
export function tobikoMeta(model: Model): Record<string, unknown> {
  const t = tobikoOf(model);
  const k = t.kubernetes;
  const strategy = effectiveStrategy(t, model.runtime);
  const gatewaySecrets: Record<string, string[]> = {};
  const remote: Record<string, string> = {};
  // With create: false the Secret is the user's, and hd-setup keeps nothing in it: a secret kept from before
  // (a stored secret, when the install made the Secret) is listed nowhere, as the read-back gives none.
  const keptInOurSecret = !(strategy === 'existingSecret' && !t.secrets.create);
  for (const [g, params] of orderedGateways(t)) {
    const names = Object.keys(params).filter((p) => isSecretParam(p, t.secretParams, t.nonSecretParams));
    if (names.length && keptInOurSecret) gatewaySecrets[g] = names;
    for (const p of names) {
      const v = params[p];
      if (typeof v === 'string' && v.startsWith('remote:')) remote[`${g}.${p}`] = v.slice(7);
    }
  }
  return {
    chart: k.chart,
    ...(k.chartVersion ? { chartVersion: k.chartVersion } : {}),
    timeout: k.timeout,
    ...(k.egressCheck ? { egressCheck: k.egressCheck } : {}),
    ...(t.url ? { url: t.url } : {}),
    defaultGateway: defaultGateway(t),
    commonEnv: k.extraEnv.length,
    secrets: {
      strategy,
      ...(t.secrets.name ? { name: t.secrets.name } : {}),
      create: t.secrets.create,
      ...(t.secrets.store ? { store: t.secrets.store } : {}),
      refreshInterval: t.secrets.refreshInterval,
      keyPrefix: t.secrets.keyPrefix,
    },
    ...(strategy === 'inline' ? {} : { gatewaySecrets }),
    ...(Object.keys(remote).length ? { remote } : {}),
  };
}

export function tobikoUnit(model: Model, env: RenderEnv): string {
  return containerServiceUnit({ name: TOBIKO_UNIT, description: 'Tobiko Cloud executors', containers: [TOBIKO_CONTAINERS.apply, TOBIKO_CONTAINERS.run], runtime: model.runtime as 'docker' | 'podman', runtimeBin: env.runtimeBin, ...(env.dockerHost ? { dockerHost: env.dockerHost } : {}) });
}

export function renderTobiko(model: Model, env: RenderEnv): RenderedFile[] {
  const t = tobikoOf(model);
  if (model.runtime !== 'kubernetes') {
    return [
      {
        path: TOBIKO_ENV_FILE,
        base: 'install',
        rel: TOBIKO_ENV_FILE,
        mode: 0o600,
        content: tobikoEnvFile(model, env),
        secret: true,
        description: 'executor env-file with the client secret and gateway secrets',
      },
      {
        path: `systemd/${TOBIKO_UNIT}`,
        base: 'systemd',
        rel: TOBIKO_UNIT,
        mode: 0o644,
        content: tobikoUnit(model, env),
        secret: false,
        description: 'systemd user unit that starts the executors at boot',
      },
    ];
  }
  const k = t.kubernetes;
  const strategy = effectiveStrategy(t, model.runtime);
  const inline = strategy === 'inline';
  const files: RenderedFile[] = [
    valuesFile(
      model,
      { ...tobikoValues(model), [HD_SETUP_VALUES_KEY]: tobikoMeta(model) },
      `Generated by hd-setup ${env.version} for ${k.chart}${k.chartVersion ? `:${k.chartVersion}` : ''}`,
      inline ? 'secrets are inline (strategy: inline, development only). Keep this file out of version control.' : undefined,
      credentialEnv(t).length ? `secret env vars ${credentialEnv(t).join(', ')}` : undefined,
    ),
  ];

  // Values kept in the Secret from an earlier install (stored:) stay there: only new ones are applied.
  const entries = tobikoSecretEntries(t);
  const known = entries.filter((e) => e.value !== undefined && !isStored(e.value));
  const labels = { 'app.kubernetes.io/managed-by': 'hd-setup', 'app.kubernetes.io/instance': k.release };
  if (strategy === 'existingSecret' && secretValuesExpected(t, model.runtime) && known.length > 0) {
    files.push({
      path: 'secret.yaml',
      base: 'state',
      rel: 'secret.yaml',
      mode: 0o600,
      content: toYaml({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: tobikoSecretName(t), namespace: k.namespace, labels },
        type: 'Opaque',
        stringData: Object.fromEntries(known.map((e) => [e.key, e.value])),
      }, undefined, { sortKeys: true }),
      secret: true,
      ...(known.length < entries.filter((e) => e.value !== undefined).length ? { partial: true } : {}),
      description: 'Secret with the client secret and gateway secrets (applied with kubectl, on stdin)',
    });
  }
  if (strategy === 'externalSecrets' && t.secrets.store) {
    files.push({
      path: 'external-secret.yaml',
      base: 'state',
      rel: 'external-secret.yaml',
      mode: 0o644,
      content: toYaml({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: tobikoSecretName(t), namespace: k.namespace, labels },
        spec: {
          refreshInterval: t.secrets.refreshInterval,
          secretStoreRef: { kind: t.secrets.store.kind, name: t.secrets.store.name },
          target: { name: tobikoSecretName(t), creationPolicy: 'Owner' },
          // In key order: the order of the gateways carries no meaning.
          data: [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => ({ secretKey: e.key, remoteRef: { key: e.remoteKey } })),
        },
      }),
      secret: false,
      description: 'ExternalSecret that fills the executors Secret from the store',
    });
  }
  return files;
}
