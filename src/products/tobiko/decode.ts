// Tobiko: what an install looks like -> the preset that makes it. The exact inverse of render.ts (the
// env-file and the containers on docker/podman; the chart values on Kubernetes). Defaults are dropped
// later, generically (products/minimize.ts).
import { storedRef } from '../../model/stored.js';
import { PULL_LABEL } from '../../plan/containers.js';
import { HD_SETUP_VALUES_KEY } from '../../render/values.js';
import type { RenderEnv } from '../../render/types.js';
import { homeRelative } from '../../util/paths.js';
import { fileKey, type Artifacts } from '../types.js';
import { canonicalParam, isSecretParam } from './engines.js';
import { ENV_META_PREFIX, TOBIKO_CONTAINERS, TOBIKO_ENV_FILE } from './render.js';

type Obj = Record<string, any>;

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
const GATEWAY_VAR = /^SQLMESH__GATEWAYS__([A-Z0-9_]+?)__CONNECTION__([A-Z0-9_]+)$/;

export function parseEnvFile(text: string): { vars: [string, string][]; meta: Obj } {
  const vars: [string, string][] = [];
  let meta: Obj = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(ENV_META_PREFIX)) {
      meta = JSON.parse(line.slice(ENV_META_PREFIX.length)) as Obj;
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) vars.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return { vars, meta };
}

function proxyOf(env: Map<string, string>): Obj | undefined {
  const http = env.get('HTTP_PROXY');
  const https = env.get('HTTPS_PROXY');
  if (http === undefined && https === undefined) return undefined;
  const no = env.get('NO_PROXY');
  return { ...(http !== undefined ? { http } : {}), ...(https !== undefined ? { https } : {}), ...(no ? { noProxy: no.split(',') } : {}) };
}

function envEntries(list: unknown): { name: string; value: string }[] {
  return Array.isArray(list) ? (list as Obj[]).map((e) => ({ name: String(e.name), value: String(e.value ?? '') })) : [];
}

/**
 * The gateways, the default one last. The files list it first (the chart asks for that order), and a model
 * whose default is its first gateway needs no defaultGateway: read back in that order, which gateway is the
 * default would be left to the order of a map, which a preset merged with --sets (the refusal's keep
 * command) does not keep. Last, it stays an explicit setting whenever there are two gateways or more.
 */
function defaultLast(gateways: Obj, def: string | undefined): Obj {
  if (def === undefined || !Object.hasOwn(gateways, def)) return gateways;
  const { [def]: last, ...rest } = gateways;
  return { ...rest, [def]: last };
}

export function decodeTobiko(a: Artifacts, env: RenderEnv): Obj {
  return a.location.runtime === 'kubernetes' ? decodeKubernetes(a) : decodeContainers(a, env);
}

function decodeContainers(a: Artifacts, home: RenderEnv): Obj {
  const { vars, meta } = parseEnvFile(a.files[fileKey('install', TOBIKO_ENV_FILE)] ?? '');
  const env = new Map(vars);
  const secretParams = (meta.secretParams ?? []) as string[];
  const nonSecretParams = (meta.nonSecretParams ?? []) as string[];
  const gateways: Obj = {};
  const extraEnv: { name: string; value: string }[] = [];
  for (const [k, v] of vars) {
    const g = GATEWAY_VAR.exec(k);
    if (g) {
      const gw = g[1]!.toLowerCase();
      const p = g[2]!.toLowerCase();
      gateways[gw] ??= {};
      gateways[gw][p] = p === 'type' ? v : canonicalParam(v, isSecretParam(p, secretParams, nonSecretParams));
    } else if (!k.startsWith('TCLOUD_') && k !== 'SQLMESH__DEFAULT_GATEWAY' && !PROXY_VARS.includes(k)) extraEnv.push({ name: k, value: v });
  }
  const org = String(meta.org ?? '');
  const project = String(meta.project ?? '');
  const url = env.get('TCLOUD_URL');
  const docker: Obj = {};
  if (a.location.installDir) docker.installDir = homeRelative(a.location.installDir, home.home);
  const c = a.containers[TOBIKO_CONTAINERS.apply];
  if (c) {
    docker.image = c.image;
    if (c.labels[PULL_LABEL]) docker.pullPolicy = c.labels[PULL_LABEL];
    if (c.restart) docker.restartPolicy = c.restart;
  }
  if (extraEnv.length) docker.extraEnv = extraEnv;
  const proxy = proxyOf(env);
  const tobiko: Obj = {
    org,
    project,
    ...(url && url !== `https://cloud.tobikodata.com/sqlmesh/${org}/${project}` ? { url } : {}),
    clientId: env.get('TCLOUD_CLIENT_ID') ?? '',
    ...(env.get('TCLOUD_CLIENT_SECRET') ? { clientSecret: env.get('TCLOUD_CLIENT_SECRET') } : {}),
    gateways: defaultLast(gateways, env.get('SQLMESH__DEFAULT_GATEWAY')),
    ...(env.get('SQLMESH__DEFAULT_GATEWAY') ? { defaultGateway: env.get('SQLMESH__DEFAULT_GATEWAY') } : {}),
    ...(secretParams.length ? { secretParams } : {}),
    ...(nonSecretParams.length ? { nonSecretParams } : {}),
    docker,
  };
  return { product: 'tobiko', runtime: a.location.runtime, ...(proxy ? { proxy } : {}), tobiko };
}

function decodeKubernetes(a: Artifacts): Obj {
  const values = (a.values ?? {}) as Obj;
  const meta = (values[HD_SETUP_VALUES_KEY] ?? {}) as Obj;
  const g = (values.global ?? {}) as Obj;
  const cloud = (g.cloud ?? {}) as Obj;
  const sqlmesh = (g.sqlmesh ?? {}) as Obj;
  const secretsMeta = (meta.secrets ?? {}) as Obj;
  const strategy = String(secretsMeta.strategy ?? (cloud.clientSecret !== undefined ? 'inline' : 'existingSecret'));
  const secretName = String(values.secrets?.existingSecret ?? secretsMeta.name ?? `${a.location.release}-secrets`);
  const secretParams = (sqlmesh.secretParams ?? []) as string[];
  const nonSecretParams = (sqlmesh.nonSecretParams ?? []) as string[];
  const gatewaySecrets = (meta.gatewaySecrets ?? {}) as Record<string, string[]>;
  const remote = (meta.remote ?? {}) as Record<string, string>;
  // A value hd-setup put in the Secret it manages is kept there; one from the store or from a Secret
  // someone else made is not hd-setup's to know.
  const stored = strategy === 'existingSecret' && secretsMeta.create !== false;
  const gateways: Obj = {};
  for (const [name, gw] of Object.entries((sqlmesh.gateways ?? {}) as Obj)) {
    const params: Obj = {};
    for (const [p, v] of Object.entries((gw?.connection ?? {}) as Obj)) {
      if (strategy !== 'inline' && isSecretParam(p, secretParams, nonSecretParams)) continue; // a placeholder
      params[p] = p === 'type' ? v : canonicalParam(v, isSecretParam(p, secretParams, nonSecretParams));
    }
    for (const p of gatewaySecrets[name] ?? []) {
      const key = `SQLMESH__GATEWAYS__${name.toUpperCase()}__CONNECTION__${p.toUpperCase()}`;
      if (remote[`${name}.${p}`]) params[p] = `remote:${remote[`${name}.${p}`]}`;
      else if (stored) params[p] = storedRef(`secret/${secretName}#${key}`);
    }
    gateways[name] = params;
  }
  const common = Number(meta.commonEnv ?? 0);
  const roleEnv = (role: 'apply' | 'run') => envEntries(values[role]?.extraEnvVars).filter((e) => !PROXY_VARS.includes(e.name));
  const applyEnv = roleEnv('apply');
  const proxyEnv = new Map(envEntries(values.apply?.extraEnvVars).filter((e) => PROXY_VARS.includes(e.name)).map((e) => [e.name, e.value]));
  const executor = (role: 'apply' | 'run') => {
    const v = (values[role] ?? {}) as Obj;
    const extra = roleEnv(role).slice(common);
    return { replicas: v.replicaCount ?? 1, ...(v.resources ? { resources: v.resources } : {}), ...(extra.length ? { extraEnv: extra } : {}) };
  };
  const k: Obj = {
    namespace: a.location.namespace,
    release: a.location.release,
    ...(a.location.context ? { context: a.location.context } : {}),
    ...(typeof meta.chart === 'string' ? { chart: meta.chart } : {}),
    ...(typeof meta.chartVersion === 'string' ? { chartVersion: meta.chartVersion } : {}),
    ...(typeof meta.timeout === 'string' ? { timeout: meta.timeout } : {}),
    ...(meta.egressCheck && typeof meta.egressCheck === 'object' ? { egressCheck: meta.egressCheck } : {}),
    ...(g.image ? { image: g.image } : {}),
    apply: executor('apply'),
    run: executor('run'),
    ...(common ? { extraEnv: applyEnv.slice(0, common) } : {}),
  };
  const secrets: Obj = { strategy };
  if (strategy !== 'inline') {
    if (secretsMeta.name) secrets.name = secretsMeta.name;
    for (const key of ['create', 'store', 'refreshInterval', 'keyPrefix']) if (secretsMeta[key] !== undefined) secrets[key] = secretsMeta[key];
  }
  const clientSecret = strategy === 'inline' ? cloud.clientSecret : stored ? storedRef(`secret/${secretName}#TCLOUD_CLIENT_SECRET`) : undefined;
  const proxy = proxyOf(proxyEnv);
  const tobiko: Obj = {
    org: cloud.org ?? '',
    project: cloud.project ?? '',
    ...(typeof meta.url === 'string' ? { url: meta.url } : {}),
    clientId: cloud.clientId ?? '',
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    gateways: defaultLast(gateways, typeof meta.defaultGateway === 'string' ? meta.defaultGateway : undefined),
    ...(typeof meta.defaultGateway === 'string' ? { defaultGateway: meta.defaultGateway } : {}),
    ...(secretParams.length ? { secretParams } : {}),
    ...(nonSecretParams.length ? { nonSecretParams } : {}),
    secrets,
    kubernetes: k,
  };
  return { product: 'tobiko', runtime: 'kubernetes', ...(proxy ? { proxy } : {}), tobiko };
}
