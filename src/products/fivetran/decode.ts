// Fivetran: what an install looks like -> the preset that makes it. The exact inverse of render.ts (and
// of the container spec in plan.ts): every value render writes is read back here. Defaults are dropped
// later, generically (products/minimize.ts), so this reads everything it can see.
import { storedRef } from '../../model/stored.js';
import { homeRelative } from '../../util/paths.js';
import { HD_SETUP_VALUES_KEY } from '../../render/values.js';
import type { RenderEnv } from '../../render/types.js';
import { MEMORY_LABEL, PULL_LABEL } from '../../plan/containers.js';
import { fileKey, type Artifacts } from '../types.js';
import { FIVETRAN_CONTAINER, managedTokenSecret } from './render.js';
import { HD_SETUP_CONFIG_KEYS } from './schema.js';

type Obj = Record<string, any>;

/** proxy keys of config.json / the chart's config -> the preset's proxy. */
export function proxyFrom(http: unknown, https: unknown, noProxy: unknown): Obj | undefined {
  if (typeof http !== 'string' && typeof https !== 'string') return undefined;
  return {
    ...(typeof http === 'string' ? { http } : {}),
    ...(typeof https === 'string' ? { https } : {}),
    ...(typeof noProxy === 'string' && noProxy ? { noProxy: noProxy.split(',') } : {}),
  };
}

// Every key hd-setup does not write itself, whatever it holds: one the model cannot hold (an object or a
// null edited into config.json) then fails the read-back's validation, and the re-run refuses, naming it,
// rather than rewrite the file without it.
function extras(config: Obj): Obj | undefined {
  const out = Object.fromEntries(Object.entries(config).filter(([k]) => !HD_SETUP_CONFIG_KEYS.includes(k)));
  return Object.keys(out).length ? out : undefined;
}

export function decodeFivetran(a: Artifacts, env: RenderEnv): Obj {
  const runtime = a.location.runtime;
  const fivetran: Obj = {};
  let proxy: Obj | undefined;
  if (runtime !== 'kubernetes') {
    const text = a.files[fileKey('install', 'conf/config.json')];
    const config = (text ? JSON.parse(text) : {}) as Obj;
    if (typeof config.token === 'string') fivetran.token = config.token;
    if (config.host_selinux_enabled !== undefined && (config.host_selinux_enabled === 'true') !== env.selinux) fivetran.selinux = config.host_selinux_enabled === 'true';
    proxy = proxyFrom(config.http_proxy, config.https_proxy, config.no_proxy);
    const extra = extras(config);
    if (extra) fivetran.config = extra;
    if (a.location.installDir) fivetran.installDir = homeRelative(a.location.installDir, env.home);
    const c = a.containers[FIVETRAN_CONTAINER];
    if (c) {
      fivetran.image = c.image;
      if (c.labels[PULL_LABEL]) fivetran.pullPolicy = c.labels[PULL_LABEL];
      if (c.labels[MEMORY_LABEL]) fivetran.memory = c.labels[MEMORY_LABEL];
      if (c.restart) fivetran.restartPolicy = c.restart;
    }
    return { product: 'fivetran', runtime, ...(proxy ? { proxy } : {}), fivetran };
  }
  const values = (a.values ?? {}) as Obj;
  const c = (values.config ?? {}) as Obj;
  const agent = (values.agent ?? {}) as Obj;
  const meta = (values[HD_SETUP_VALUES_KEY] ?? {}) as Obj;
  const release = a.location.release ?? '';
  const k: Obj = { namespace: c.namespace ?? a.location.namespace, release };
  if (a.location.context) k.context = a.location.context;
  for (const key of ['chart', 'chartVersion', 'timeout'] as const) if (typeof meta[key] === 'string') k[key] = meta[key];
  if (meta.egressCheck && typeof meta.egressCheck === 'object') k.egressCheck = meta.egressCheck;
  if (typeof c.data_volume_pvc === 'string') k.dataVolumePvc = c.data_volume_pvc;
  if (typeof c.token === 'string') {
    fivetran.token = c.token;
    k.tokenDelivery = 'inline';
  } else if (typeof c.token_secret_name === 'string') {
    // The Secret hd-setup made holds the token the user gave: it is kept there, not a setting of its own.
    if (c.token_secret_name === managedTokenSecret(release) && c.token_secret_key === 'token') {
      fivetran.token = storedRef(`secret/${c.token_secret_name}#token`);
    } else k.tokenSecret = { name: c.token_secret_name, key: c.token_secret_key ?? 'token' };
  }
  proxy = proxyFrom(c.http_proxy, c.https_proxy, c.no_proxy);
  if (Array.isArray(c.kubernetes_affinity)) {
    k.affinity = (c.kubernetes_affinity as Obj[]).map((x) => ({ rule: x.rule, ...(x.connectors ? { connectors: x.connectors } : {}), ...(x.default ? { default: true } : {}) }));
    k.affinityRules = Object.fromEntries(Object.entries((c.affinity_rules ?? {}) as Obj).map(([n, r]) => [n, affinityRuleFromChart(r)]));
  }
  const extra = extras(c);
  if (extra) fivetran.config = extra;
  if (typeof agent.image === 'string') fivetran.image = agent.image;
  if (typeof agent.image_pull_policy === 'string') k.imagePullPolicy = agent.image_pull_policy;
  if (agent.resources) k.resources = agent.resources;
  if (agent.node_selector) k.nodeSelector = agent.node_selector;
  fivetran.kubernetes = k;
  return { product: 'fivetran', runtime, ...(proxy ? { proxy } : {}), fivetran };
}

function affinityRuleFromChart(r: Obj): Obj {
  const na = r?.affinity?.nodeAffinity ?? {};
  const req = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchExpressions;
  if (req) return { mode: 'required', match: req };
  const pref = na.preferredDuringSchedulingIgnoredDuringExecution?.[0];
  return { mode: 'preferred', weight: pref?.weight ?? 1, match: pref?.preference?.matchExpressions ?? [] };
}
