// Detect what is installed and turn it back into the model: a preset (with the stored secrets as
// literals, which callers never print: they are registered with the redactor).
// docker/podman: the install dir's config/env-file and the containers' inspect data.
// Kubernetes: `helm get values` for the release, and the Secret it references.
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { Product, Runtime } from '../model/schema.js';
import { FIVETRAN_CONTAINER } from '../products/fivetran/render.js';
import { FIVETRAN_IMAGE } from '../products/fivetran/schema.js';
import { TOBIKO_CONTAINERS, TOBIKO_ENV_FILE } from '../products/tobiko/render.js';
import { TOBIKO_IMAGE } from '../products/tobiko/schema.js';
import type { ContainerState } from '../plan/types.js';
import { MEMORY_LABEL, PULL_LABEL } from '../plan/containers.js';
import { which } from '../util/which.js';
import { expandTilde } from '../util/paths.js';
import { inspectContainers } from './detect.js';
import { run } from './run.js';
import { parseEnvFileChecked, parseInstallConfig, readStateFile } from './local-state.js';

export interface DetectedInstall {
  product: Product;
  runtime: Runtime;
  /** The install as a preset. Secret values are literals here. */
  preset: Record<string, unknown>;
  /** Dotted paths in `preset` that hold secrets. */
  secretPaths: string[];
  keptPaths?: string[];
  containers: ContainerState[];
  release?: { name: string; namespace: string; revision: number; chart: string; status: string };
  where: string;
}

export interface DetectQuery {
  product?: Product;
  runtime?: Runtime;
  installDir?: string;
  namespace?: string;
  release?: string;
  context?: string;
  home?: string;
  env?: NodeJS.ProcessEnv;
}

function read(p: string): string | undefined {
  return readStateFile(p, 'restore it with hd-setup rollback, or move it away and install again');
}


const RESTARTS = new Set(['on-failure:3', 'always', 'unless-stopped']);

/** Pull policy and memory as hd-setup labelled the container, where they differ from the defaults. */
function labelSettings(labels: Record<string, string> | undefined, defaults: { pullPolicy: string; memory?: string }): Record<string, string> {
  const out: Record<string, string> = {};
  const pull = labels?.[PULL_LABEL];
  if (pull && ['always', 'missing', 'never'].includes(pull) && pull !== defaults.pullPolicy) out.pullPolicy = pull;
  const memory = labels?.[MEMORY_LABEL];
  if (defaults.memory && memory && /^[0-9]+[kmg]$/.test(memory) && memory !== defaults.memory) out.memory = memory;
  return out;
}

async function containerDetails(bin: string, names: string[]): Promise<{ states: ContainerState[]; restart?: string }> {
  const r = await run([bin, 'container', 'inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', names[0]!], { timeoutMs: 10_000 });
  const [name, count] = r.exitCode === 0 ? r.stdout.trim().split(':') : [];
  const restart = name === 'on-failure' ? `on-failure:${count}` : name;
  const states = Object.values(await inspectContainers(bin, names)).filter((c): c is ContainerState => Boolean(c));
  return { states, ...(restart && RESTARTS.has(restart) ? { restart } : {}) };
}

/** Which of docker/podman holds our containers (the first that has one). */
async function runtimeWith(names: string[], prefer: Runtime | undefined, env: NodeJS.ProcessEnv): Promise<{ runtime: 'docker' | 'podman'; bin: string } | undefined> {
  const order: ('docker' | 'podman')[] = prefer === 'podman' ? ['podman', 'docker'] : ['docker', 'podman'];
  for (const rt of order) {
    if (prefer && prefer !== 'kubernetes' && rt !== prefer) continue;
    const bin = which(rt, env.PATH);
    if (!bin) continue;
    const found = await inspectContainers(bin, names);
    if (Object.values(found).some(Boolean)) return { runtime: rt, bin };
  }
  if (prefer === 'docker' || prefer === 'podman') {
    const bin = which(prefer, env.PATH);
    if (bin) return { runtime: prefer, bin };
  }
  return undefined;
}

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function proxyFrom(http?: string, https?: string, noProxy?: string): Record<string, unknown> | undefined {
  if (!http && !https) return undefined;
  return { ...(http ? { http } : {}), ...(https ? { https } : {}), ...(noProxy ? { noProxy: noProxy.split(',').filter(Boolean) } : {}) };
}

async function detectFivetranContainers(q: DetectQuery, home: string, env: NodeJS.ProcessEnv): Promise<DetectedInstall | undefined> {
  const dir = posix.resolve(expandTilde(q.installDir ?? '~/fivetran', home));
  const text = read(posix.join(dir, 'conf/config.json'));
  if (!text) return undefined;
  const config = parseInstallConfig(text, posix.join(dir, 'conf/config.json'));
  const rt = await runtimeWith([FIVETRAN_CONTAINER], q.runtime, env);
  const runtime = rt?.runtime ?? (q.runtime === 'podman' ? 'podman' : 'docker');
  const details = rt ? await containerDetails(rt.bin, [FIVETRAN_CONTAINER]) : { states: [] };
  const { token, http_proxy, https_proxy, no_proxy, host_selinux_enabled, ...rest } = config;
  const fivetran: Record<string, unknown> = {};
  if (typeof token === 'string' && token) fivetran.token = token;
  if (dir !== posix.join(home, 'fivetran')) fivetran.installDir = dir;
  const image = details.states[0]?.image;
  if (image && image !== FIVETRAN_IMAGE) fivetran.image = image;
  Object.assign(fivetran, labelSettings(details.states[0]?.labels, { pullPolicy: 'always', memory: '2048m' }));
  if (details.restart && details.restart !== 'on-failure:3') fivetran.restartPolicy = details.restart;
  const extra = Object.fromEntries(Object.entries(rest).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)));
  if (Object.keys(extra).length) fivetran.config = extra;
  void host_selinux_enabled;
  const proxy = proxyFrom(http_proxy as string | undefined, https_proxy as string | undefined, no_proxy as string | undefined);
  return {
    product: 'fivetran',
    runtime,
    preset: { product: 'fivetran', runtime, ...(proxy ? { proxy } : {}), fivetran },
    secretPaths: fivetran.token ? ['fivetran.token'] : [],
    containers: details.states,
    where: dir,
  };
}

async function detectTobikoContainers(q: DetectQuery, home: string, env: NodeJS.ProcessEnv): Promise<DetectedInstall | undefined> {
  const dir = posix.resolve(expandTilde(q.installDir ?? '~/tobiko', home));
  const text = read(posix.join(dir, TOBIKO_ENV_FILE));
  if (!text) return undefined;
  const e = parseEnvFileChecked(text, posix.join(dir, TOBIKO_ENV_FILE));
  const names = [TOBIKO_CONTAINERS.apply, TOBIKO_CONTAINERS.run];
  const rt = await runtimeWith(names, q.runtime, env);
  const runtime = rt?.runtime ?? (q.runtime === 'podman' ? 'podman' : 'docker');
  const details = rt ? await containerDetails(rt.bin, names) : { states: [] };
  const m = /\/sqlmesh\/([^/]+)\/([^/]+)\/?$/.exec(e.TCLOUD_URL ?? '');
  const gateways: Record<string, Record<string, unknown>> = {};
  const secretPaths: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    const g = /^SQLMESH__GATEWAYS__([A-Z0-9_]+?)__CONNECTION__([A-Z0-9_]+)$/.exec(k);
    if (!g) continue;
    const gw = g[1]!.toLowerCase();
    const param = g[2]!.toLowerCase();
    gateways[gw] ??= {};
    gateways[gw][param] = /^-?\d+$/.test(v) && param === 'port' ? Number(v) : v;
  }
  const { isSecretParam } = await import('../products/tobiko/engines.js');
  for (const [g, params] of Object.entries(gateways)) for (const p of Object.keys(params)) if (isSecretParam(p)) secretPaths.push(`tobiko.gateways.${g}.${p}`);
  const docker: Record<string, unknown> = {};
  if (dir !== posix.join(home, 'tobiko')) docker.installDir = dir;
  const image = details.states[0]?.image;
  if (image && image !== TOBIKO_IMAGE) docker.image = image;
  Object.assign(docker, labelSettings(details.states[0]?.labels, { pullPolicy: 'always' }));
  if (details.restart && details.restart !== 'unless-stopped') docker.restartPolicy = details.restart;
  const tobiko: Record<string, unknown> = {
    org: m?.[1] ?? '',
    project: m?.[2] ?? '',
    clientId: e.TCLOUD_CLIENT_ID ?? '',
    ...(e.TCLOUD_CLIENT_SECRET ? { clientSecret: e.TCLOUD_CLIENT_SECRET } : {}),
    gateways,
    ...(e.SQLMESH__DEFAULT_GATEWAY ? { defaultGateway: e.SQLMESH__DEFAULT_GATEWAY } : {}),
    ...(Object.keys(docker).length ? { docker } : {}),
  };
  if (e.TCLOUD_CLIENT_SECRET) secretPaths.push('tobiko.clientSecret');
  const proxy = proxyFrom(e.HTTP_PROXY, e.HTTPS_PROXY, e.NO_PROXY);
  return { product: 'tobiko', runtime, preset: { product: 'tobiko', runtime, ...(proxy ? { proxy } : {}), tobiko }, secretPaths, containers: details.states, where: dir };
}

async function detectKubernetes(q: DetectQuery, product: Product): Promise<DetectedInstall | undefined> {
  const namespace = q.namespace ?? (product === 'fivetran' ? 'fivetran' : 'tobiko');
  const release = q.release ?? (product === 'fivetran' ? 'hd-agent' : 'executors');
  const hctx = q.context ? ['--kube-context', q.context] : [];
  if (!which('helm', q.env?.PATH)) return undefined;
  const list = await run(['helm', 'list', '-n', namespace, '-o', 'json', '--filter', `^${release}$`, ...hctx], { timeoutMs: 15_000 });
  let entry: { name?: string; revision?: string | number; chart?: string; status?: string } | undefined;
  try {
    entry = (JSON.parse(list.stdout || '[]') as (typeof entry)[]).find((r) => r?.name === release);
  } catch {
    entry = undefined;
  }
  if (!entry) return undefined;
  const vals = await run(['helm', 'get', 'values', release, '-n', namespace, '-o', 'json', ...hctx], { timeoutMs: 15_000 });
  let values: Record<string, any> = {};
  try {
    values = (JSON.parse(vals.stdout || '{}') ?? {}) as Record<string, any>;
  } catch {
    values = {};
  }
  const releaseInfo = { name: release, namespace, revision: Number(entry.revision ?? 0), chart: entry.chart ?? '', status: entry.status ?? '' };
  const ctx = q.context ? { context: q.context } : {};
  if (product === 'fivetran') {
    const c = (values.config ?? {}) as Record<string, any>;
    const k: Record<string, unknown> = { namespace, release, ...ctx };
    const version = /(\d+\.\d+\.\d+)$/.exec(releaseInfo.chart)?.[1];
    if (version && version !== '0.24.0') k.chartVersion = version;
    if (c.data_volume_pvc) k.dataVolumePvc = c.data_volume_pvc;
    const fivetran: Record<string, unknown> = { kubernetes: k };
    const secretPaths: string[] = [];
    const keptPaths: string[] = [];
    if (typeof c.token === 'string') {
      fivetran.token = c.token;
      k.tokenDelivery = 'inline';
      secretPaths.push('fivetran.token');
    } else if (c.token_secret_name && c.token_secret_name !== `${release}-hd-setup-token`) {
      k.tokenSecret = { name: c.token_secret_name, key: c.token_secret_key ?? 'token' };
    } else if (c.token_secret_name) {
      // Our managed Secret: keeping the stored token means referencing it.
      k.tokenSecret = { name: c.token_secret_name, key: 'token' };
      keptPaths.push('fivetran.kubernetes.tokenSecret');
    }
    if (values.agent?.node_selector) k.nodeSelector = values.agent.node_selector;
    if (values.agent?.resources) k.resources = values.agent.resources;
    if (values.agent?.image && values.agent.image !== FIVETRAN_IMAGE) fivetran.image = values.agent.image;
    if (Array.isArray(c.kubernetes_affinity)) {
      k.affinity = c.kubernetes_affinity;
      k.affinityRules = Object.fromEntries(Object.entries((c.affinity_rules ?? {}) as Record<string, any>).map(([n, r]) => [n, affinityRuleFromChart(r)]));
    }
    const proxy = proxyFrom(c.http_proxy, c.https_proxy, c.no_proxy);
    const known = new Set(['namespace', 'data_volume_pvc', 'token', 'token_secret_name', 'token_secret_key', 'http_proxy', 'https_proxy', 'no_proxy', 'kubernetes_affinity', 'affinity_rules', 'kubernetes_node_selector_enable']);
    const extra = Object.fromEntries(Object.entries(c).filter(([key, v]) => !known.has(key) && ['string', 'number', 'boolean'].includes(typeof v)));
    if (Object.keys(extra).length) fivetran.config = extra;
    return {
      product,
      runtime: 'kubernetes',
      preset: { product, runtime: 'kubernetes', ...(proxy ? { proxy } : {}), fivetran },
      secretPaths,
      keptPaths,
      containers: [],
      release: releaseInfo,
      where: `release ${release} in namespace ${namespace}`,
    };
  }
  const g = (values.global ?? {}) as Record<string, any>;
  const gateways: Record<string, unknown> = {};
  for (const [name, gw] of Object.entries((g.sqlmesh?.gateways ?? {}) as Record<string, any>)) gateways[name] = { ...(gw?.connection ?? {}) };
  const existing = values.secrets?.existingSecret as string | undefined;
  const tobiko: Record<string, unknown> = {
    org: g.cloud?.org ?? '',
    project: g.cloud?.project ?? '',
    clientId: g.cloud?.clientId ?? '',
    gateways,
    kubernetes: {
      namespace,
      release,
      ...ctx,
      ...(g.image ? { image: g.image } : {}),
      apply: { replicas: values.apply?.replicaCount ?? 1, ...(values.apply?.resources ? { resources: values.apply.resources } : {}) },
      run: { replicas: values.run?.replicaCount ?? 1, ...(values.run?.resources ? { resources: values.run.resources } : {}) },
    },
  };
  const secretPaths: string[] = [];
  const keptPaths: string[] = [];
  if (g.cloud?.clientSecret) {
    tobiko.clientSecret = g.cloud.clientSecret;
    tobiko.secrets = { strategy: 'inline' };
    secretPaths.push('tobiko.clientSecret');
  } else if (existing) {
    // Keeping stored secrets means keeping the Secret: reference it instead of re-creating it.
    tobiko.secrets = { strategy: 'existingSecret', name: existing, create: false };
    keptPaths.push('tobiko.secrets');
  }
  if (Array.isArray(g.sqlmesh?.secretParams)) tobiko.secretParams = g.sqlmesh.secretParams;
  if (Array.isArray(g.sqlmesh?.nonSecretParams)) tobiko.nonSecretParams = g.sqlmesh.nonSecretParams;
  const first = Object.keys(gateways)[0];
  if (first && Object.keys(gateways).length > 1) tobiko.defaultGateway = first;
  return {
    product,
    runtime: 'kubernetes',
    preset: { product, runtime: 'kubernetes', tobiko },
    secretPaths,
    keptPaths,
    containers: [],
    release: releaseInfo,
    where: `release ${release} in namespace ${namespace}`,
  };
}

function affinityRuleFromChart(r: any): Record<string, unknown> {
  const na = r?.affinity?.nodeAffinity ?? {};
  const req = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchExpressions;
  if (req) return { mode: 'required', match: req };
  const pref = na.preferredDuringSchedulingIgnoredDuringExecution?.[0];
  return { mode: 'preferred', weight: pref?.weight ?? 1, match: pref?.preference?.matchExpressions ?? [] };
}

/** Find an existing install. Without a product/runtime, looks for each in turn. */
export async function detectInstalled(q: DetectQuery = {}): Promise<DetectedInstall | undefined> {
  const env = q.env ?? process.env;
  const home = q.home ?? env.HOME ?? homedir();
  const products: Product[] = q.product ? [q.product] : ['fivetran', 'tobiko'];
  for (const p of products) {
    if (q.runtime !== 'kubernetes') {
      const d = p === 'fivetran' ? await detectFivetranContainers(q, home, env) : await detectTobikoContainers(q, home, env);
      if (d) return d;
    }
    if (q.runtime === 'kubernetes' || (q.runtime === undefined && q.namespace)) {
      const d = await detectKubernetes(q, p);
      if (d) return d;
    }
  }
  return undefined;
}
