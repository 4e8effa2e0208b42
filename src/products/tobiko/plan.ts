// Tobiko install plans: docker/podman (env-file + two executor containers) and Kubernetes (Helm).
import { posix } from 'node:path';
import type { BaseModel as Model } from '../../model/base.js';
import { bootStep, containerStep, containerUpToDate, filesStep, imageStep, waitStep, type ContainerSpec } from '../../plan/containers.js';
import { kubernetesPlan } from '../../plan/kubernetes.js';
import type { HostFacts, InstalledState, PlannedFile, Plan, Step } from '../../plan/types.js';
import { maskEnvFile } from '../../util/mask-fields.js';
import { credentialEnv, secretEnvNames, TOBIKO_CONTAINERS, TOBIKO_ENV_FILE, TOBIKO_UNIT, tobikoOf, tobikoSecretEntries, tobikoSecretName } from './render.js';
import { effectiveStrategy } from './schema.js';

export function tobikoContainerSpecs(model: Model, installDir: string, envFileContent: string): ContainerSpec[] {
  const envFilePath = posix.join(installDir, TOBIKO_ENV_FILE);
  const t = tobikoOf(model);
  return (['apply', 'run'] as const).map((role) => ({
    name: TOBIKO_CONTAINERS[role],
    image: t.docker.image,
    restart: t.docker.restartPolicy,
    pull: t.docker.pullPolicy,
    labels: { 'hd-setup.product': 'tobiko', 'hd-setup.role': `${role}-executor` },
    env: {},
    envFile: envFilePath,
    volumes: [],
    securityOpts: [],
    args: ['executor', role],
    // the env-file with its secrets masked (the client secret, gateway secrets, extra env vars named as
    // secrets, a proxy URL's password): the label must not let anyone test guesses of one
    inputs: [maskEnvFile(envFileContent, [...tobikoSecretEntries(t).map((e) => e.key), ...secretEnvNames(t.docker.extraEnv)])],
    owner: installDir,
  }));
}

export function planTobikoContainers(model: Model, host: HostFacts, state: InstalledState, files: PlannedFile[], installDir: string, specs: ContainerSpec[]): Plan {
  const t = tobikoOf(model);
  const runtime = model.runtime as 'docker' | 'podman';
  const bin = host.runtimeBin;
  const checks = ['runtime-present', 'runtime-version', 'socket', 'not-root', 'disk', 'memory', 'install-dir', ...(t.docker.pullPolicy === 'never' ? ['image-present'] : [])];
  const steps: Step[] = [
    { id: 'preflight', title: 'Preflight checks', actions: [{ kind: 'preflight', checks }] },
    filesStep(files, [{ path: installDir, mode: 0o700 }], 'tobiko.docker.installDir'),
    imageStep(runtime, bin, t.docker.image, t.docker.pullPolicy, state, 'tobiko.docker.pullPolicy', specs.every((s) => containerUpToDate(s, state))),
    ...specs.map((s) => containerStep(bin, s, state)),
    waitStep(runtime, bin, specs.map((s) => s.name)),
    bootStep(host, TOBIKO_UNIT, runtime, t.docker.restartPolicy !== 'on-failure:3', files, 'the executors'),
  ];
  const name = posix.basename(bin);
  return {
    product: 'tobiko',
    runtime,
    steps,
    files,
    nextSteps: [
      `Status:  hd-setup status   (or: ${name} ps --filter name=tcloud-)`,
      // one command a line: a narrow terminal wraps between them, not inside one
      `Logs:    ${name} logs -f ${TOBIKO_CONTAINERS.apply}`,
      `         ${name} logs -f ${TOBIKO_CONTAINERS.run}`,
      `Env:     ${posix.join(installDir, TOBIKO_ENV_FILE)} (0600)`,
    ],
  };
}

export const tobikoSelector = (release: string) => `app.kubernetes.io/instance=${release}`;
/** The chart's two Deployments, known by their component label, with the replicas the preset gives each. */
export const tobikoDeployments = (k: { release: string; apply: { replicas: number }; run: { replicas: number } }) => [
  { labels: { 'app.kubernetes.io/component': 'apply-executor' }, name: `${k.release}-hybrid-executors-apply`, replicas: k.apply.replicas },
  { labels: { 'app.kubernetes.io/component': 'run-executor' }, name: `${k.release}-hybrid-executors-run`, replicas: k.run.replicas },
];
/** `kubectl logs` arguments for both executors, each line prefixed with its pod (short enough not to wrap). */
export const tobikoLogs = (release: string) => `-l ${tobikoSelector(release)} --prefix`;

export function planTobikoKubernetes(model: Model, state: InstalledState, files: PlannedFile[]): Plan {
  const t = tobikoOf(model);
  const k = t.kubernetes;
  const strategy = effectiveStrategy(t, 'kubernetes');
  const checks = ['kubectl', 'helm', 'helm-version', 'resources', 'server-version', 'context', 'namespace', 'rbac'];
  if (strategy === 'externalSecrets') checks.push('external-secrets-crd');
  if (strategy === 'existingSecret' && !t.secrets.create) checks.push('existing-secret');
  if (strategy === 'existingSecret' && t.secrets.create) checks.push('secret-owner');
  checks.push('chart');
  if (k.egressCheck) checks.push('egress');
  const name = tobikoSecretName(t);
  const plan = kubernetesPlan({
    product: 'tobiko',
    k: { ...k, selector: tobikoSelector(k.release) },
    deployments: tobikoDeployments(k),
    timeoutSetting: 'tobiko.kubernetes.timeout',
    namespaceSetting: 'tobiko.kubernetes.namespace',
    state,
    files,
    checks,
    manifests: [
      ['secret.yaml', 'secret', `Apply Secret ${name}`, 'Secret with the executor secrets'],
      ['external-secret.yaml', 'external-secret', `Apply ExternalSecret ${name}`, 'ExternalSecret manifest'],
    ],
    logs: tobikoLogs(k.release),
    secretsInUse: strategy === 'inline' ? { names: [], why: 'the secrets are inline in the Helm values' } : { names: [name], why: `the executors read Secret ${name}${strategy === 'externalSecrets' ? ', which its ExternalSecret fills' : ''}` },
    ...(strategy === 'existingSecret' && !t.secrets.create ? { usersSecrets: { names: [name], setting: 'tobiko.secrets.create=false' } } : {}),
  });
  // The chart writes extra env vars into the Deployments as they are: a secret there is readable by anyone who may read Deployments.
  const secretEnv = credentialEnv(t);
  if (secretEnv.length) {
    plan.warnings = [
      ...(plan.warnings ?? []),
      `the extra env var${secretEnv.length > 1 ? 's' : ''} ${secretEnv.join(', ')} ${secretEnv.length > 1 ? 'are' : 'is'} named like a secret, and the chart writes extra env vars into the executors' Deployments in namespace ${k.namespace} as they are, readable by anyone who may read Deployments there (not a Secret)`,
    ];
  }
  return plan;
}
