// Plans for the lifecycle commands (uninstall, stop, rollback on Kubernetes): pure, like install plans,
// so they get the same dry-run description, status screen and summary.
import { posix } from 'node:path';
import { FIVETRAN_CONTAINER, FIVETRAN_NETWORK, FIVETRAN_UNIT } from '../products/fivetran/render.js';
import { TOBIKO_CONTAINERS } from '../products/tobiko/render.js';
import type { Product, Runtime } from '../model/schema.js';
import { kubectl } from './kubernetes.js';
import type { Plan, Step } from './types.js';
import { purgeActions } from '../util/fsx.js';

export interface Target {
  product: Product;
  runtime: Runtime;
  runtimeBin: string;
  installDir?: string;
  namespace?: string;
  release?: string;
  context?: string;
  home: string;
  systemdUser: boolean;
  stateDir?: string;
}

export function containerNamesOf(product: Product): string[] {
  return product === 'fivetran' ? [FIVETRAN_CONTAINER] : [TOBIKO_CONTAINERS.apply, TOBIKO_CONTAINERS.run];
}

function helmCtx(t: Target): string[] {
  return t.context ? ['--kube-context', t.context] : [];
}

export function uninstallPlan(t: Target, purge: boolean): Plan {
  const steps: Step[] = [];
  if (t.runtime !== 'kubernetes') {
    const names = containerNamesOf(t.product);
    const bin = t.runtimeBin;
    steps.push({
      id: 'containers',
      title: `Stop and remove ${names.join(', ')}`,
      actions: [
        { kind: 'exec', argv: [bin, 'stop', '-t', '10', ...names], okExitCodes: [1, 125] },
        { kind: 'exec', argv: [bin, 'rm', '-f', ...names], okExitCodes: [1] },
      ],
    });
    if (t.product === 'fivetran') {
      steps.push({
        id: 'network',
        title: `Remove network ${FIVETRAN_NETWORK}`,
        actions: [{ kind: 'exec', argv: [bin, 'network', 'rm', FIVETRAN_NETWORK], okExitCodes: [1] }],
        fix: `containers still attached? ${posix.basename(bin)} network inspect ${FIVETRAN_NETWORK}`,
      });
      const unit = posix.join(t.home, '.config/systemd/user', FIVETRAN_UNIT);
      steps.push({
        id: 'unit',
        title: 'Remove the systemd user unit',
        actions: [
          ...(t.systemdUser ? [{ kind: 'exec' as const, argv: ['systemctl', '--user', 'disable', FIVETRAN_UNIT], okExitCodes: [1] }] : []),
          { kind: 'remove' as const, path: unit },
        ],
      });
    }
    if (purge && t.installDir) steps.push({ id: 'purge', title: `Delete what hd-setup created in ${t.installDir} (--purge)`, actions: purgeActions(t.installDir, t.home) });
  } else {
    const ns = t.namespace ?? 'default';
    const rel = t.release ?? '';
    steps.push({
      id: 'helm',
      title: `helm uninstall ${rel}`,
      actions: [{ kind: 'exec', argv: ['helm', 'uninstall', rel, '-n', ns, '--wait', ...helmCtx(t)] }],
      fix: `check: helm list -n ${ns}`,
    });
    steps.push({
      id: 'secrets',
      title: 'Delete the Secrets hd-setup created',
      actions: [
        { kind: 'exec', argv: kubectl(t.context, 'delete', 'secret', '-n', ns, '-l', `app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=${rel}`, '--ignore-not-found') },
        ...(t.product === 'tobiko'
          ? [{ kind: 'exec' as const, argv: kubectl(t.context, 'delete', 'externalsecret', '-n', ns, '-l', `app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=${rel}`, '--ignore-not-found'), okExitCodes: [1] }]
          : []),
      ],
    });
    if (purge && t.stateDir) steps.push({ id: 'purge', title: `Delete ${t.stateDir} (--purge)`, actions: [{ kind: 'remove', path: t.stateDir, recursive: true }] });
  }
  const kept = t.runtime === 'kubernetes' ? `the PVCs and namespace ${t.namespace} are kept` : purge ? '' : `${t.installDir} (config, data, logs) is kept; --purge deletes it`;
  return { product: t.product, runtime: t.runtime, verb: 'uninstalling', steps, files: [], nextSteps: kept ? [kept] : [] };
}

export function stopPlan(t: Target): Plan {
  if (t.runtime !== 'kubernetes') {
    const names = containerNamesOf(t.product);
    return {
      product: t.product,
      runtime: t.runtime,
      verb: 'stopping',
      files: [],
      nextSteps: ['Start again with: hd-setup start'],
      steps: [{ id: 'stop', title: `Stop ${names.join(', ')}`, actions: [{ kind: 'exec', argv: [t.runtimeBin, 'stop', '-t', '10', ...names] }] }],
    };
  }
  return { product: t.product, runtime: t.runtime, verb: 'stopping', files: [], nextSteps: ['Start again with: hd-setup start'], steps: [scaleStep(t, 0)] };
}

export function deploymentNames(t: Target): string[] {
  return t.product === 'fivetran' ? [t.release ?? 'hd-agent'] : [`${t.release}-apply`, `${t.release}-run`];
}

export function scaleStep(t: Target, replicas: number | [number, number]): Step {
  const names = deploymentNames(t);
  const counts = Array.isArray(replicas) ? replicas : names.map(() => replicas);
  return {
    id: 'scale',
    title: `Scale ${names.join(', ')} to ${counts.join('/')}`,
    actions: names.map((n, i) => ({ kind: 'exec' as const, argv: kubectl(t.context, 'scale', 'deployment', n, '-n', t.namespace ?? 'default', `--replicas=${counts[i]}`) })),
    fix: `check the deployments: kubectl get deploy -n ${t.namespace}`,
  };
}

export function helmRollbackPlan(t: Target, restore?: { from: string; to: string }): Plan {
  const steps: Step[] = [];
  if (restore) steps.push({ id: 'restore', title: `Restore ${posix.basename(restore.to)} from ${posix.basename(restore.from)}`, actions: [{ kind: 'restore', from: restore.from, to: restore.to }] });
  steps.push({
    id: 'helm-rollback',
    title: `helm rollback ${t.release}`,
    actions: [{ kind: 'exec', argv: ['helm', 'rollback', t.release ?? '', '-n', t.namespace ?? 'default', '--wait', ...helmCtx(t)] }],
    fix: `see the history: helm history ${t.release} -n ${t.namespace}`,
  });
  return { product: t.product, runtime: t.runtime, verb: 'rolling back', steps, files: [], nextSteps: ['Status: hd-setup status'] };
}
