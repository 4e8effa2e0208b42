// Plans for the lifecycle commands (uninstall, stop, start on Kubernetes, rollback): pure, like install
// plans, so they get the same dry-run description, status screen and summary. What they act on is data
// the product's module gives (names of containers, units, deployments), never a product's name.
import { posix } from 'node:path';
import type { Location } from '../model/base.js';
import { HELM_WAIT_MS, KUBECTL_MS, kubectl, managedSelector, rolloutStatusAction, scaleActions } from './kubernetes.js';
import type { Action, Plan, Step } from './types.js';

/** An install to act on: where it is, and what it consists of. */
export interface Target {
  location: Location;
  /** docker/podman binary. */
  runtimeBin: string;
  home: string;
  systemdUser: boolean;
  /** Kubernetes: where hd-setup keeps the install's files. */
  stateDir?: string;
  /** Kubernetes: those of its files that hold a secret (the Secrets' manifests): gone with the Secrets. */
  secretFiles?: string[];
  /**
   * Kubernetes uninstall: what the values it keeps hold: whether values.yaml holds a secret (a proxy password,
   * inline secrets: written 0600), and how many backups of it there are (0600: they may hold earlier secrets).
   * Only the uninstall says it, and only its plan finds it out (the other commands do not render the install).
   */
  valuesKept?: { secret: boolean; backups: number };
  containers: string[];
  network?: string;
  unitName?: string;
  /** podman >= 4.4: the services Quadlet generates for the containers (their .container files exist), and where those files are. */
  quadlet?: { services: string[]; files: string[] };
  /** Kubernetes: uninstalled with its values kept: no release, no Secrets (only --purge has something to do). */
  releaseGone?: boolean;
  /** The release is gone but its uninstall did not finish: the Secrets and other kinds hd-setup applied may be left. */
  leftovers?: boolean;
  /** Kubernetes: the release's deployments and their replicas when started. */
  deployments: { name: string; replicas: number }[];
  /** Kubernetes: how a start waits for the pods it scales up, as an install waits (their selector, the install's timeout). */
  wait?: { selector: string; timeout: string; timeoutSetting?: string };
  /** Kubernetes: the replicas each Deployment is scaled to now, by name (when kubectl said). */
  replicasNow?: Record<string, number>;
  /** Kubernetes: kinds besides Secret that hd-setup created for the release (uninstall: those that have objects now). */
  managedKinds: string[];
  /**
   * docker/podman uninstall: the containers of this install that are there now (when known); the others
   * are not removed, and the summary does not say they were.
   */
  present?: string[];
  /** docker/podman: those of them that run now (when known): a stop leaves the others as they are. */
  running?: string[];
  /** docker/podman: a container of the same name that another install (another HOME) runs is there: its network stays. */
  foreignPresent?: boolean;
  /** docker/podman: the boot unit's file exists (when known). */
  unitPresent?: boolean;
  /** docker/podman: the boot unit's file is a symbolic link (to this), which hd-setup never makes: it is left there. */
  unitLink?: string;
  /** docker/podman: the backups hd-setup made of the boot unit when it rewrote it (they go with the unit). */
  unitBackups?: string[];
  /** docker/podman --purge: the removals of what hd-setup recorded creating in the install dir (util/fsx purgeActions). */
  purgeActions?: Action[];
}

function helmCtx(t: Target): string[] {
  return t.location.context ? ['--kube-context', t.location.context] : [];
}

const ns = (t: Target) => t.location.namespace ?? 'default';

/** Forget the boot unit: disable it (and stop it, which stops the containers), so a reboot keeps them stopped. */
function disableUnitActions(t: Target): Step['actions'] {
  if (!t.systemdUser || !t.unitName) return [];
  // A unit file that is a link (the user's): `systemctl disable` would delete that link too (it removes every
  // link to the unit). Stopped, and the start at boot undone by removing only what enable made.
  if (t.unitLink) return [{ kind: 'exec', argv: ['systemctl', '--user', 'stop', t.unitName], okExitCodes: [1, 5] }, { kind: 'remove', path: posix.join(t.home, '.config/systemd/user/default.target.wants', t.unitName) }];
  return [{ kind: 'exec', argv: ['systemctl', '--user', 'disable', '--now', t.unitName], okExitCodes: [1, 5] }];
}

/** Quadlet: the generated services own the containers; a mask keeps them stopped across a reboot (they cannot be disabled). */
const quadletOn = (t: Target) => Boolean(t.systemdUser && t.quadlet?.services.length);

export function uninstallPlan(t: Target, purge: boolean): Plan {
  const steps: Step[] = [];
  const { product, runtime } = t.location;
  if (runtime !== 'kubernetes') {
    if (t.quadlet?.files.length) {
      // Stopping the services removes their containers (Quadlet runs them with --rm); then the files go.
      const svcs = t.quadlet.services;
      steps.push({
        id: 'unit',
        title: `Remove the Quadlet units (${svcs.join(', ')})`,
        actions: [
          ...(quadletOn(t)
            ? [
                { kind: 'exec' as const, argv: ['systemctl', '--user', 'stop', ...svcs], okExitCodes: [1, 5] },
                { kind: 'exec' as const, argv: ['systemctl', '--user', 'unmask', ...svcs], okExitCodes: [1] },
              ]
            : []),
          ...t.quadlet.files.map((path) => ({ kind: 'remove' as const, path })),
          ...(t.systemdUser ? [{ kind: 'exec' as const, argv: ['systemctl', '--user', 'daemon-reload'], okExitCodes: [1] }] : []),
        ],
      });
    } else if (t.unitName) {
      // The unit first: disabling it with --now stops the containers through it, before they are removed.
      const unit = posix.join(t.home, '.config/systemd/user', t.unitName);
      // A link put in its place (not hd-setup's doing): disabled, as the containers it starts are going, not deleted.
      steps.push({
        id: 'unit',
        title: t.unitLink ? `Disable the systemd user unit (${unit} is a link to ${t.unitLink}, not made by hd-setup: left there)` : 'Remove the systemd user unit',
        ...(t.unitPresent === false && !t.unitBackups?.length ? { skip: 'no unit file (already removed)' } : {}),
        actions: [
          ...(t.unitPresent === false ? [] : [...disableUnitActions(t), ...(t.unitLink ? [] : [{ kind: 'remove' as const, path: unit }])]),
          ...(t.unitBackups ?? []).map((path) => ({ kind: 'remove' as const, path })),
          ...(t.systemdUser ? [{ kind: 'exec' as const, argv: ['systemctl', '--user', 'daemon-reload'], okExitCodes: [1] }] : []),
        ],
      });
    }
    const names = t.present ?? t.containers;
    const bin = t.runtimeBin;
    steps.push({
      id: 'containers',
      title: `Stop and remove ${names.join(', ') || t.containers.join(', ')}`,
      ...(names.length === 0 ? { skip: `no container of this install is there${t.foreignPresent ? `; the ${t.containers.join(', ')} there belongs to another install and is left alone` : ''}` } : {}),
      actions: [
        { kind: 'exec', argv: [bin, 'stop', '-t', '10', ...names], okExitCodes: [1, 125] },
        { kind: 'exec', argv: [bin, 'rm', '-f', ...names], okExitCodes: [1] },
      ],
    });
    if (t.network) {
      steps.push({
        id: 'network',
        title: `Remove network ${t.network}`,
        ...(t.foreignPresent ? { skip: `kept: a container of another install uses it` } : {}),
        actions: [{ kind: 'exec', argv: [bin, 'network', 'rm', t.network], okExitCodes: [1] }],
        fix: `containers still attached? ${posix.basename(bin)} network inspect ${t.network}`,
      });
    }
    const dir = t.location.installDir;
    if (purge && dir) steps.push({ id: 'purge', title: `Delete what hd-setup created in ${dir} (--purge)`, actions: t.purgeActions ?? [] });
  } else {
    const rel = t.location.release ?? '';
    const selector = managedSelector(rel);
    if (!t.releaseGone) steps.push({
      id: 'helm',
      title: `helm uninstall ${rel}`,
      actions: [{ kind: 'exec', argv: ['helm', 'uninstall', rel, '-n', ns(t), '--wait', ...helmCtx(t)], timeoutMs: HELM_WAIT_MS }],
      fix: `check: helm list -a -n ${ns(t)}`,
    });
    if (!t.releaseGone || t.leftovers) steps.push({
      id: 'secrets',
      title: 'Delete the Secrets hd-setup created',
      actions: [
        { kind: 'exec', argv: kubectl(t.location.context, 'delete', 'secret', '-n', ns(t), '-l', selector, '--ignore-not-found'), timeoutMs: KUBECTL_MS },
        ...t.managedKinds.map((kind) => ({ kind: 'exec' as const, argv: kubectl(t.location.context, 'delete', kind, '-n', ns(t), '-l', selector, '--ignore-not-found'), timeoutMs: KUBECTL_MS })),
      ],
    });
    if (purge && t.stateDir) steps.push({ id: 'purge', title: `Delete ${t.stateDir} (--purge)`, actions: [{ kind: 'remove', path: t.stateDir, recursive: true }] });
    // The Secrets are deleted from the cluster: their local copies (0600) go too, or a secret would outlive
    // the install with no record left to find it by.
    else if (t.secretFiles?.length) steps.push({ id: 'secret-files', title: 'Delete the local copies of the Secrets', actions: t.secretFiles.map((path) => ({ kind: 'remove' as const, path })) });
  }
  const dir = t.location.installDir;
  const kept = runtime === 'kubernetes' ? `the PVCs and namespace ${ns(t)} are kept${!purge && t.stateDir ? `; ${t.stateDir} keeps the values (${t.valuesKept?.secret ? 'secrets among them, 0600: a proxy password or inline secrets' : 'no secret'}${t.valuesKept?.backups ? `; ${t.valuesKept.backups === 1 ? 'its backup' : `its ${t.valuesKept.backups} backups`}, 0600, may hold earlier ones` : ''}); --purge deletes it` : ''}` : purge ? '' : `${dir} and its files are kept; --purge deletes what hd-setup created there`;
  return { product, runtime, verb: 'uninstalling', steps, files: [], nextSteps: kept ? [kept] : [] };
}

export function stopPlan(t: Target): Plan {
  const { product, runtime } = t.location;
  const steps: Step[] =
    runtime !== 'kubernetes'
      ? [
          ...(quadletOn(t)
            ? [
                { id: 'boot', title: `Keep it stopped across a reboot (systemctl --user mask ${t.quadlet!.services.join(' ')})`, actions: [{ kind: 'exec' as const, argv: ['systemctl', '--user', 'mask', ...t.quadlet!.services] }] },
                { id: 'stop', title: `Stop ${t.quadlet!.services.join(', ')} (Quadlet removes the containers)`, actions: [{ kind: 'exec' as const, argv: ['systemctl', '--user', 'stop', ...t.quadlet!.services] }] },
              ]
            : [
                ...(t.systemdUser && t.unitName ? [{ id: 'boot', title: `Disable start on boot (${t.unitName}): a reboot keeps it stopped`, actions: disableUnitActions(t) }] : []),
                containersStop(t),
              ]),
        ]
      : [scaleStep(t, 0)];
  return { product, runtime, verb: 'stopping', files: [], nextSteps: ['Start again with: hd-setup start'], steps };
}

/**
 * Stop the containers that are there: one missing (removed by hand) would fail the stop of the others
 * (docker: exit 1; podman 4.3: none stopped).
 */
function containersStop(t: Target): Step {
  const names = t.present ?? t.containers;
  const gone = t.containers.filter((n) => !names.includes(n));
  // stopped already (a second stop): nothing to do, and nothing said to have changed
  const stopped = names.length > 0 && t.running !== undefined && !names.some((n) => t.running!.includes(n));
  return {
    id: 'stop',
    title: `Stop ${(names.length ? names : t.containers).join(', ')}${names.length && gone.length ? ` (${gone.join(', ')}: not there)` : ''}`,
    ...(names.length ? (stopped ? { skip: `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} stopped already` } : {}) : { skip: 'no container of this install is there' }),
    actions: stopped ? [] : [{ kind: 'exec', argv: [t.runtimeBin, 'stop', '-t', '10', ...names] }],
  };
}

/** Kubernetes: scale the release's deployments to 0 (stop) or to their replicas (start). */
export function scaleStep(t: Target, to: 0 | 'configured'): Step {
  const counts = t.deployments.map((d) => (to === 0 ? 0 : d.replicas));
  // scaled so already (a second stop, a start of a running agent): nothing to do, and nothing said to have changed
  const already = t.replicasNow !== undefined && t.deployments.length > 0 && t.deployments.every((d, i) => t.replicasNow![d.name] === counts[i]);
  return {
    id: 'scale',
    title: `Scale ${t.deployments.map((d) => d.name).join(', ')} to ${counts.join('/')}`,
    ...(already ? { skip: to === 0 ? 'scaled to 0 already' : 'scaled so already' } : {}),
    actions: already ? [] : [...scaleActions(t.location.context, ns(t), t.deployments.map((d, i) => ({ name: d.name, replicas: counts[i]! }))), ...(to === 0 ? [] : waitActions(t))],
    fix: `check the deployments: kubectl get deploy -n ${ns(t)}`,
  };
}

/**
 * Kubernetes: after scaling up, wait until the pods are ready (kubectl rollout status, watched for pods stuck
 * as an install's helm --wait is), then report them: a start said done as soon as it had scaled.
 */
function waitActions(t: Target): Action[] {
  const w = t.wait;
  if (!w) return [];
  const a = { namespace: ns(t), selector: w.selector, timeout: w.timeout, ...(t.location.context ? { context: t.location.context } : {}), ...(w.timeoutSetting ? { timeoutSetting: w.timeoutSetting } : {}) };
  return [...t.deployments.filter((d) => d.replicas > 0).map((d) => rolloutStatusAction(a, d.name)), { kind: 'releaseStatus', release: t.location.release ?? '', namespace: ns(t), selector: w.selector, ...(t.location.context ? { context: t.location.context } : {}) }];
}

/** Kubernetes: what applies a change that did not finish (a start runs the revision deployed, as it is). */
export const FINISH_BY_INSTALL = 'run the install again (hd-setup install --preset … --yes, with the settings you want)';

/**
 * Kubernetes: scale the deployments back up. `unfinished`: the last change did not finish (a failed upgrade
 * rolled back, a run stopped before helm) and this revision is deployed: the start runs it as it is, which may
 * not have that change: said, with the fix (a start applies no settings: those are the install's to give).
 */
export function startPlanKubernetes(t: Target, unfinished?: number): Plan {
  const warnings = unfinished === undefined ? [] : [`the last change did not finish (it failed or was stopped): this start runs revision ${unfinished} of release ${t.location.release ?? ''} as it is deployed, which may not have all of it; to apply it, ${FINISH_BY_INSTALL}`];
  return { product: t.location.product, runtime: t.location.runtime, verb: 'starting', files: [], nextSteps: ['Status: hd-setup status'], steps: [scaleStep(t, 'configured')], ...(warnings.length ? { warnings } : {}) };
}

/**
 * helm rollback. `stopped`: the agent was stopped with hd-setup stop (when, as the record says): the rollback
 * (which puts back the replicas its revision renders) waits for no pod, and scales it to 0 again.
 */
export function helmRollbackPlan(t: Target, restore?: { from: string; to: string }, revision?: number, stopped?: string): Plan {
  const steps: Step[] = [];
  const rel = t.location.release ?? '';
  if (restore) steps.push({ id: 'restore', title: `Restore ${posix.basename(restore.to)} from ${posix.basename(restore.from)}`, actions: [{ kind: 'restore', from: restore.from, to: restore.to }] });
  steps.push({
    id: 'helm-rollback',
    title: `helm rollback ${rel}${revision ? ` to revision ${revision}` : ''}`,
    actions: [{ kind: 'exec', argv: ['helm', 'rollback', rel, ...(revision ? [String(revision)] : []), '-n', ns(t), ...(stopped ? [] : ['--wait']), ...helmCtx(t)], timeoutMs: HELM_WAIT_MS }],
    fix: `see the history: helm history ${rel} -n ${ns(t)}`,
  });
  if (stopped && t.deployments.length) {
    steps.push({
      id: 'keep-stopped',
      title: `Keep it stopped (hd-setup stop, ${stopped}): scale ${t.deployments.map((d) => d.name).join(', ')} to 0`,
      actions: scaleActions(t.location.context, ns(t), t.deployments.map((d) => ({ name: d.name, replicas: 0 }))),
    });
  }
  return { product: t.location.product, runtime: t.location.runtime, verb: 'rolling back', steps, files: [], nextSteps: stopped ? [keptStopped(stopped)] : ['Status: hd-setup status'] };
}

/** What a rollback of a stopped agent says: it stays so, and the restored configuration runs at the next start. */
export const keptStopped = (at: string) => `The agent stays stopped (hd-setup stop, ${at}); hd-setup start runs it with the restored configuration`;
