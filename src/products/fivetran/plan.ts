// Fivetran install plans: docker/podman (config.json + controller container) and Kubernetes (Helm).
import { posix } from 'node:path';
import type { BaseModel as Model } from '../../model/base.js';
import { bootStep, containerStep, containerUpToDate, filesStep, imageStep, networkStep, waitStep, type ContainerSpec } from '../../plan/containers.js';
import { kubernetesPlan } from '../../plan/kubernetes.js';
import { proxyHasCredentials } from '../../render/proxy.js';
import type { HostFacts, InstalledState, PlannedFile, Plan, Step } from '../../plan/types.js';
import { CHECKSUM_ANNOTATION, chartTakesPodAnnotations, configChecksum, credentialKeys, FIVETRAN_CONTAINER, FIVETRAN_NETWORK, FIVETRAN_UNIT, fivetranOf, fivetranTokenSecretName } from './render.js';
import { checkToken } from './token.js';

export const CONTAINER_PREFLIGHT = ['runtime-present', 'runtime-version', 'socket', 'not-root', 'arch', 'selinux', 'disk', 'memory', 'install-dir', 'linger'];

export function fivetranContainerSpec(model: Model, host: HostFacts, installDir: string, configJson: string): ContainerSpec {
  const f = fivetranOf(model);
  const runtime = model.runtime as 'docker' | 'podman';
  const tok = checkToken(f.token ?? '');
  const internalSocket = runtime === 'podman' ? '/run/user/1000/podman/podman.sock' : '/var/run/docker.sock';
  return {
    name: FIVETRAN_CONTAINER,
    image: f.image,
    restart: f.restartPolicy,
    pull: f.pullPolicy,
    network: FIVETRAN_NETWORK,
    memory: f.memory,
    labels: {
      fivetran: 'ldp',
      ldp_process_id: 'default-controller-process-id',
      ldp_controller_id: tok.ok ? tok.controllerId : 'unknown',
      ldp_container_type: 'CONTROLLER',
      'hd-setup.product': 'fivetran',
    },
    env: { HOST_USER_HOME_DIR: host.home, CONTAINER_ENV_TYPE: runtime },
    volumes: [
      [posix.join(installDir, 'conf'), '/conf'],
      [posix.join(installDir, 'logs'), '/logs'],
      [host.socket, internalSocket],
    ],
    securityOpts: ['label=disable'],
    args: ['-f', '/conf/config.json'],
    // config.json without the token and with a proxy URL's password masked (configChecksum)
    inputs: [hashable(configJson, credentialKeys(f.config))],
    owner: installDir,
  };
}

/** config.json as the config hash takes it: its checksum without the secrets, or nothing when it is not JSON. */
function hashable(configJson: string, secretKeys: readonly string[]): string {
  try {
    return configChecksum(JSON.parse(configJson) as Record<string, unknown>, secretKeys);
  } catch {
    return '';
  }
}

export function planFivetranContainers(model: Model, host: HostFacts, state: InstalledState, files: PlannedFile[], installDir: string, specs: ContainerSpec[]): Plan {
  const f = fivetranOf(model);
  const runtime = model.runtime as 'docker' | 'podman';
  const bin = host.runtimeBin;
  const checks = [...CONTAINER_PREFLIGHT, ...(f.pullPolicy === 'never' ? ['image-present'] : [])];
  const dirs = [installDir, ...['conf', 'data', 'logs', 'tmp'].map((d) => posix.join(installDir, d))].map((path) => ({ path, mode: 0o700 }));
  const steps: Step[] = [
    { id: 'preflight', title: 'Preflight checks', actions: [{ kind: 'preflight', checks }] },
    filesStep(files, dirs, 'fivetran.installDir'),
    networkStep(bin, FIVETRAN_NETWORK, state),
    imageStep(runtime, bin, f.image, f.pullPolicy, state, 'fivetran.pullPolicy', specs.every((s) => containerUpToDate(s, state))),
    ...specs.map((s) => containerStep(bin, s, state)),
    waitStep(runtime, bin, specs.map((s) => s.name)),
    bootStep(host, FIVETRAN_UNIT, runtime, f.restartPolicy === 'always', files),
  ];
  const name = posix.basename(bin);
  return {
    product: 'fivetran',
    runtime,
    steps,
    files,
    nextSteps: [
      `Status:  hd-setup status   (or: ${name} ps --filter name=${FIVETRAN_CONTAINER})`,
      `Logs:    ${name} logs -f ${FIVETRAN_CONTAINER}   and ${posix.join(installDir, 'logs')}`,
      `Config:  ${posix.join(installDir, 'conf/config.json')} (0600)`,
    ],
  };
}

/**
 * Config keys chart 0.24.0 renders into the pod spec, which chart 0.12.0 leaves as env vars only: what 0.24.0
 * does with each. (0.24.0's deployment_annotations and sa_annotations take maps, which fivetran.config cannot hold.)
 */
export const IGNORED_BY_0_12: Record<string, string> = {
  extra_hosts: 'renders it as the pod\'s hostAliases',
  custom_dns: 'renders it as the pod\'s dnsConfig nameservers',
  profile: 'sets the agent\'s profile env var from it; 0.12.0 always sets "kubernetes"',
};

export const fivetranSelector = (release: string) => `app.kubernetes.io/name=hd-agent,app.kubernetes.io/app=${release}`;
/** The chart's one Deployment (one replica, fixed by the chart). */
export const fivetranDeployments = (release: string) => [{ labels: { 'app.kubernetes.io/name': 'hd-agent' }, name: release, replicas: 1 }];

export function planFivetranKubernetes(model: Model, state: InstalledState, files: PlannedFile[]): Plan {
  const k = fivetranOf(model).kubernetes;
  const plan = kubernetesPlan({
    product: 'fivetran',
    k: { ...k, selector: fivetranSelector(k.release) },
    deployments: fivetranDeployments(k.release),
    timeoutSetting: 'fivetran.kubernetes.timeout',
    namespaceSetting: 'fivetran.kubernetes.namespace',
    state,
    files,
    checks: ['kubectl', 'helm', 'helm-version', 'resources', 'server-version', 'context', 'namespace', 'pvc', 'rbac', 'node-arch', 'placement', ...(k.tokenSecret ? ['token-secret'] : k.tokenDelivery === 'secret' ? ['secret-owner'] : []), 'chart', ...(k.egressCheck ? ['egress'] : [])],
    manifests: [['token-secret.yaml', 'secret', `Apply Secret ${fivetranTokenSecretName(model)}`, 'Secret with the agent token']],
    logs: `deploy/${k.release}`,
    secretsInUse: k.tokenSecret ? { names: [k.tokenSecret.name], why: `the token is read from Secret ${k.tokenSecret.name}` } : k.tokenDelivery === 'inline' ? { names: [], why: 'the token is delivered inline' } : { names: [fivetranTokenSecretName(model)], why: `the token is in Secret ${fivetranTokenSecretName(model)}` },
    ...(k.tokenSecret ? { usersSecrets: { names: [k.tokenSecret.name], setting: 'fivetran.kubernetes.tokenSecret' } } : {}),
    ...(chartTakesPodAnnotations(k.chartVersion) ? { podChecksum: ['agent', 'annotations', CHECKSUM_ANNOTATION] } : {}),
  });
  // Chart 0.12.0 passes every config key to the agent as an env var (ConfigMap, envFrom) but renders none of
  // these into the pod or its service accounts, as 0.24.0 does (compare the two charts' templates).
  const ignored = k.chartVersion === '0.12.0' ? Object.keys(fivetranOf(model).config).filter((key) => Object.hasOwn(IGNORED_BY_0_12, key)) : [];
  if (ignored.length) {
    plan.warnings = [
      ...(plan.warnings ?? []),
      ...ignored.map((key) => `chart 0.12.0 ignores fivetran.config.${key}: it only becomes an env var of the agent (chart 0.24.0 ${IGNORED_BY_0_12[key]}); use --set fivetran.kubernetes.chartVersion=0.24.0, or remove it`),
    ];
  }
  // The chart puts every config key but the token into its ConfigMap: readable by anyone who may read ConfigMaps there.
  const secretKeys = credentialKeys(fivetranOf(model).config);
  if (secretKeys.length) {
    plan.warnings = [
      ...(plan.warnings ?? []),
      `${secretKeys.map((key) => `fivetran.config.${key}`).join(', ')} ${secretKeys.length > 1 ? 'are' : 'is'} named like a secret, and the chart puts the agent's config into the ConfigMap of release ${k.release} in namespace ${k.namespace}, readable by anyone who may read ConfigMaps there (not a Secret)`,
    ];
  }
  // The chart passes http_proxy/https_proxy to the agent through a ConfigMap: readable by anyone who may read ConfigMaps there.
  if (proxyHasCredentials(model)) {
    plan.warnings = [
      ...(plan.warnings ?? []),
      `the proxy URL holds a password, and the chart puts http_proxy/https_proxy into the ConfigMap of release ${k.release} in namespace ${k.namespace}, readable by anyone who may read ConfigMaps there (not a Secret); use a proxy that needs no credentials from the cluster, or one that authenticates the cluster's nodes instead`,
    ];
  }
  return plan;
}
