// Steps shared by Kubernetes installs: manifests applied on stdin, then helm upgrade --install watched.
import type { Action, PlannedFile, Step } from './types.js';

export interface HelmSpec {
  release: string;
  chart: string;
  version?: string;
  namespace: string;
  context?: string;
  timeout: string;
  /** Values file on disk (no secrets), or undefined to feed the values on stdin (inline secrets). */
  valuesPath?: string;
  valuesContent: string;
  selector: string;
}

export function kubectl(context: string | undefined, ...args: string[]): string[] {
  return context ? ['kubectl', '--context', context, ...args] : ['kubectl', ...args];
}

export function helmArgv(spec: HelmSpec): string[] {
  const argv = ['helm', 'upgrade', '--install', spec.release, spec.chart, '--namespace', spec.namespace, '--create-namespace'];
  argv.push('-f', spec.valuesPath ?? '-');
  if (spec.version) argv.push('--version', spec.version);
  argv.push('--wait', '--timeout', spec.timeout);
  if (spec.context) argv.push('--kube-context', spec.context);
  return argv;
}

export function namespaceStep(namespace: string, context: string | undefined, exists: boolean): Step {
  return {
    id: 'namespace',
    title: `Create namespace ${namespace}`,
    actions: exists ? [] : [{ kind: 'exec', argv: kubectl(context, 'create', 'namespace', namespace) }],
    ...(exists ? { skip: `namespace ${namespace} exists` } : {}),
    fix: `ask a cluster admin to create namespace ${namespace}, or choose an existing one with --set <product>.kubernetes.namespace=...`,
  };
}

export function applyStep(id: string, title: string, file: PlannedFile, namespace: string, context: string | undefined, label: string): Step {
  return {
    id,
    title,
    actions: [{ kind: 'exec', argv: kubectl(context, 'apply', '-n', namespace, '-f', '-'), stdin: file.content, stdinLabel: label }],
    fix: `check that you may create ${label.split(' ')[0]} objects in ${namespace}: kubectl auth can-i create secrets -n ${namespace}`,
  };
}

export function helmStep(spec: HelmSpec): Step {
  const action: Action = {
    kind: 'exec',
    argv: helmArgv(spec),
    ...(spec.valuesPath ? {} : { stdin: spec.valuesContent, stdinLabel: 'Helm values (with inline secrets)' }),
    timeoutMs: durationMs(spec.timeout) + 60_000,
    watch: { namespace: spec.namespace, selector: spec.selector, ...(spec.context ? { context: spec.context } : {}) },
  };
  return {
    id: 'helm',
    title: `helm upgrade --install ${spec.release}`,
    actions: [action, { kind: 'releaseStatus', release: spec.release, namespace: spec.namespace, selector: spec.selector, ...(spec.context ? { context: spec.context } : {}) }],
    fix: `inspect with: kubectl ${spec.context ? `--context ${spec.context} ` : ''}get pods,events -n ${spec.namespace}`,
  };
}

export function durationMs(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m) return 300_000;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}
