// Fivetran: model -> files. Pure.
import { createHash } from 'node:crypto';
import { sectionOf, type BaseModel as Model } from '../../model/base.js';
import { HD_SETUP_VALUES_KEY, valuesFile } from '../../render/values.js';
import type { RenderEnv, RenderedFile } from '../../render/types.js';
import { toYaml } from '../../render/yaml.js';
import { isStored } from '../../model/stored.js';
import { settingHoldsSecret } from '../../model/secret-names.js';
import { containerServiceUnit } from '../../render/unit.js';
import { maskUrlCredentials } from '../../util/url-userinfo.js';
import { canonical } from '../../util/canonical.js';
import type { AffinityRule, FivetranOptions } from './schema.js';

export const FIVETRAN_UNIT = 'hd-fivetran-agent.service';
export const FIVETRAN_CONTAINER = 'controller';
export const FIVETRAN_NETWORK = 'fivetran_ldp';

export function fivetranOf(model: Model): FivetranOptions {
  return sectionOf<FivetranOptions>(model, 'fivetran');
}

function proxyKeys(model: Model): Record<string, string> {
  const out: Record<string, string> = {};
  if (model.proxy?.http) out.http_proxy = model.proxy.http;
  if (model.proxy?.https) out.https_proxy = model.proxy.https;
  if (model.proxy && model.proxy.noProxy.length > 0) out.no_proxy = model.proxy.noProxy.join(',');
  return out;
}

/** conf/config.json, as install.sh writes it: token, host_selinux_enabled as a string, proxy keys. */
export function fivetranConfigJson(model: Model, env: RenderEnv): string {
  const f = fivetranOf(model);
  const selinux = f.selinux === 'auto' ? env.selinux : f.selinux;
  const config: Record<string, unknown> = {
    token: f.token,
    host_selinux_enabled: selinux ? 'true' : 'false',
    ...proxyKeys(model),
    ...f.config,
  };
  return JSON.stringify(config, null, 2) + '\n';
}

export function fivetranUnit(model: Model, env: RenderEnv): string {
  return containerServiceUnit({ name: FIVETRAN_UNIT, description: 'Fivetran Hybrid Deployment Agent', containers: [FIVETRAN_CONTAINER], runtime: model.runtime as 'docker' | 'podman', runtimeBin: env.runtimeBin, ...(env.dockerHost ? { dockerHost: env.dockerHost } : {}) });
}

function renderAffinityRule(r: AffinityRule): Record<string, unknown> {
  const matchExpressions = r.match.map((m) => (m.values.length ? { key: m.key, operator: m.operator, values: m.values } : { key: m.key, operator: m.operator }));
  if (r.mode === 'required') {
    return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } } };
  }
  return { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: r.weight, preference: { matchExpressions } }] } } };
}

/** The agent parameters that hold a secret: text whose name says so (db_password). */
export function credentialKeys(config: Record<string, unknown>): string[] {
  return Object.entries(config).flatMap(([k, v]) => (settingHoldsSecret(k, v) ? [k] : []));
}

/** The Secret hd-setup makes for the token a user gives (tokenDelivery: secret). */
export function managedTokenSecret(release: string): string {
  return `${release}-hd-setup-token`;
}

export function fivetranTokenSecretName(model: Model): string {
  return managedTokenSecret(fivetranOf(model).kubernetes.release);
}

/**
 * The pod annotation that makes helm roll the agent when the configuration the chart keeps in its ConfigMap
 * and Secret changes (envFrom and secretKeyRef are read only when a pod starts). Chart 0.24.0 takes pod
 * annotations (`agent.annotations`); 0.12.0 takes none, and gets a `kubectl rollout restart` instead.
 */
export const CHECKSUM_ANNOTATION = 'checksum/config';
export const chartTakesPodAnnotations = (chartVersion: string) => chartVersion !== '0.12.0';

/**
 * sha256 of the chart's `config` (what becomes its ConfigMap and Secret) with the secrets left out: the
 * inline token and the user's parameters named like secrets (`secretKeys`: db_password) are dropped, and the
 * password of every URL (a proxy's) masked. The annotation is readable by
 * whoever may read Deployments or Pods, more than may read the Secrets: a plain hash of a secret would let
 * them test guesses of a short one offline, and a keyed hash needs a key kept where they cannot read it yet
 * every re-run can (a random one would also make render impure). So a change of a secret alone leaves the
 * checksum as it is, and the plan restarts the pods for it as for a chart without annotations.
 */
export function configChecksum(config: Record<string, unknown>, secretKeys: readonly string[]): string {
  return createHash('sha256')
    .update(canonical(Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'token' && !secretKeys.includes(key))), maskUrlCredentials))
    .digest('hex');
}

/** values.yaml for the hybrid-deployment-agent chart (0.24.0 or 0.12.0). */
export function fivetranValues(model: Model): Record<string, unknown> {
  const f = fivetranOf(model);
  const k = f.kubernetes;
  const config: Record<string, unknown> = { namespace: k.namespace, data_volume_pvc: k.dataVolumePvc };
  if (k.tokenSecret) {
    config.token_secret_name = k.tokenSecret.name;
    config.token_secret_key = k.tokenSecret.key;
  } else if (k.tokenDelivery === 'inline') {
    config.token = f.token;
  } else {
    config.token_secret_name = fivetranTokenSecretName(model);
    config.token_secret_key = 'token';
  }
  Object.assign(config, proxyKeys(model));
  if (k.affinity.length > 0) {
    config.kubernetes_node_selector_enable = false;
    config.kubernetes_affinity = k.affinity.map((a) => ({
      rule: a.rule,
      ...(a.connectors.length ? { connectors: a.connectors } : {}),
      ...(a.default ? { default: true } : {}),
    }));
    config.affinity_rules = Object.fromEntries(Object.entries(k.affinityRules).map(([name, r]) => [name, renderAffinityRule(r)]));
  }
  Object.assign(config, f.config);
  const agent: Record<string, unknown> = { image: f.image, image_pull_policy: k.imagePullPolicy };
  if (k.resources) agent.resources = k.resources;
  if (k.nodeSelector && Object.keys(k.nodeSelector).length > 0) agent.node_selector = k.nodeSelector;
  if (chartTakesPodAnnotations(k.chartVersion)) agent.annotations = { [CHECKSUM_ANNOTATION]: configChecksum(config, credentialKeys(f.config)) };
  // What helm is told on its command line, kept with the release so that a re-run from anywhere keeps it.
  const hdSetup = { chart: k.chart, chartVersion: k.chartVersion, timeout: k.timeout, ...(k.egressCheck ? { egressCheck: k.egressCheck } : {}) };
  return { config, agent, [HD_SETUP_VALUES_KEY]: hdSetup };
}

export function renderFivetran(model: Model, env: RenderEnv): RenderedFile[] {
  const f = fivetranOf(model);
  if (model.runtime !== 'kubernetes') {
    return [
      {
        path: 'conf/config.json',
        base: 'install',
        rel: 'conf/config.json',
        mode: 0o600,
        content: fivetranConfigJson(model, env),
        secret: true,
        description: 'agent configuration with the token',
      },
      {
        path: `systemd/${FIVETRAN_UNIT}`,
        base: 'systemd',
        rel: FIVETRAN_UNIT,
        mode: 0o644,
        content: fivetranUnit(model, env),
        secret: false,
        description: 'systemd user unit that starts the agent at boot',
      },
    ];
  }
  const k = f.kubernetes;
  const inline = !k.tokenSecret && k.tokenDelivery === 'inline';
  const files: RenderedFile[] = [
    valuesFile(
      model,
      fivetranValues(model),
      `Generated by hd-setup ${env.version} for ${k.chart}:${k.chartVersion}\nhelm upgrade --install ${k.release} <chart> --namespace ${k.namespace} -f values.yaml`,
      inline ? 'holds the agent token (tokenDelivery: inline). Keep it out of version control.' : undefined,
      credentialKeys(f.config).length ? `secret agent parameters ${credentialKeys(f.config).join(', ')}` : undefined,
    ),
  ];
  if (!k.tokenSecret && !inline && !isStored(f.token)) {
    files.push({
      path: 'token-secret.yaml',
      base: 'state',
      rel: 'token-secret.yaml',
      mode: 0o600,
      content: toYaml({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: fivetranTokenSecretName(model), namespace: k.namespace, labels: { 'app.kubernetes.io/managed-by': 'hd-setup', 'app.kubernetes.io/instance': k.release, 'app.kubernetes.io/part-of': 'hybrid-deployment' } },
        type: 'Opaque',
        stringData: { token: f.token },
      }),
      secret: true,
      description: 'Secret with the agent token (applied with kubectl, on stdin)',
    });
  }
  return files;
}
