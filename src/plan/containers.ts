// Steps shared by docker and podman installs: files, network, image, containers, readiness, boot unit.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { UserError, type Problem } from '../model/errors.js';
import type { Action, ContainerState, HostFacts, InstalledState, Plan, PlannedFile, Step } from './types.js';

export const HASH_LABEL = 'hd-setup.config-hash';
/** Settings a container does not otherwise show, so that a re-run can prefill them. */
export const PULL_LABEL = 'hd-setup.pull-policy';
export const MEMORY_LABEL = 'hd-setup.memory';
/** The image as the settings name it: podman reports a local short name as localhost/<name>, which would read back as another setting. */
export const IMAGE_LABEL = 'hd-setup.image';
/**
 * The install a container belongs to (its install dir, absolute). Written when the container is run and
 * checked before hd-setup removes, replaces, starts or stops it: container names are shared by every
 * install on a daemon (another user's, another HOME's). Not part of the config hash.
 */
export const OWNER_LABEL = 'hd-setup.install';

import { bootUnitForm, QUADLET_DIR, quadletContainer, quadletService, type ContainerSpec } from '../render/unit.js';
import type { RenderedFile } from '../render/types.js';
export type { ContainerSpec };

export function configHash(spec: ContainerSpec): string {
  const h = createHash('sha256');
  const { inputs, owner: _owner, inputsChanged: _changed, ...rest } = spec;
  h.update(JSON.stringify(rest));
  for (const i of inputs) h.update('\0' + i);
  return h.digest('hex').slice(0, 16);
}

/** The labels a container is run with: the product's, the settings it does not otherwise show, and the config hash. */
export function containerLabels(spec: ContainerSpec, hash: string): Record<string, string> {
  return { ...spec.labels, [PULL_LABEL]: spec.pull, ...(spec.memory ? { [MEMORY_LABEL]: spec.memory } : {}), [IMAGE_LABEL]: spec.image, [OWNER_LABEL]: spec.owner, [HASH_LABEL]: hash };
}

export type Ownership = { owned: true } | { owned: false; whose: string; madeByHdSetup: boolean };

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Whose a container is, for the install in `owner` (its install dir). Its OWNER_LABEL says so; a container
 * an earlier hd-setup made (config hash, no owner label) is this install's unless its bind mounts all lie
 * outside the install dir; a container without hd-setup's labels belongs to someone else.
 */
export function ownershipOf(c: Pick<ContainerState, 'labels' | 'mounts'>, owner: string): Ownership {
  const label = c.labels[OWNER_LABEL];
  const mounts = c.mounts ?? [];
  if (label !== undefined) return label === owner ? { owned: true } : { owned: false, whose: `the hd-setup install in ${clip(label, 200)}`, madeByHdSetup: true };
  if (c.labels[HASH_LABEL] !== undefined) {
    if (mounts.length === 0 || mounts.some((m) => within(m, owner))) return { owned: true };
    return { owned: false, whose: `an install made by an earlier hd-setup (it mounts ${mounts.slice(0, 4).map((m) => clip(m)).join(', ')})`, madeByHdSetup: true };
  }
  const labels = Object.entries(c.labels).slice(0, 6).map(([k, v]) => clip(`${k}=${v}`, 60));
  const more = Object.keys(c.labels).length > 6 ? ', …' : '';
  return {
    owned: false,
    whose: `no hd-setup install: it was not made by hd-setup (labels: ${labels.join(', ') || 'none'}${more}${mounts.length ? `; mounts: ${mounts.slice(0, 4).map((m) => clip(m)).join(', ')}` : ''})`,
    madeByHdSetup: false,
  };
}

/**
 * The refusal of a container that is not this install's, with the container's name as data: doctor reports
 * it (and refers its agent check to that report) by the name, never by the wording of the refusal.
 */
export class ForeignContainerError extends UserError {
  readonly problem: Problem & { fix: string };
  constructor(
    readonly container: string,
    problem: Problem & { fix: string },
  ) {
    super([problem]);
    this.problem = problem;
  }
}

/** The one-line refusal for a container that is not this install's: whose it looks like and what to do. */
export function foreignContainerError(bin: string, name: string, owner: string, o: Extract<Ownership, { owned: false }>): ForeignContainerError {
  const rt = posix.basename(bin);
  const todo = o.madeByHdSetup
    ? `run hd-setup as the user (and HOME) of that install, or, if that install is gone, remove the container yourself ("${rt} rm -f ${name}") and run again`
    : `rename it ("${rt} rename ${name} ${name}-old") or remove it ("${rt} rm -f ${name}") yourself, then run again`;
  return new ForeignContainerError(name, { path: `container ${name}`, message: `belongs to ${o.whose}, not to the install in ${owner}: hd-setup will not remove, replace, start or stop it; ${todo}`, fix: todo });
}

/** Refuse (exit 2) when any of these containers is not this install's. */
export function assertOwned(bin: string, containers: (ContainerState | undefined)[], owner: string): void {
  for (const c of containers) {
    if (!c) continue;
    const o = ownershipOf(c, owner);
    if (!o.owned) throw foreignContainerError(bin, c.name, owner, o);
  }
}

export function runArgv(bin: string, spec: ContainerSpec, hash: string): string[] {
  const argv = [bin, 'run', '-d', '--name', spec.name, '--restart', spec.restart, '--pull', 'never'];
  if (spec.memory) argv.push(`--memory=${spec.memory}`);
  for (const [k, v] of Object.entries(containerLabels(spec, hash))) argv.push('--label', `${k}=${v}`);
  for (const o of spec.securityOpts) argv.push('--security-opt', o);
  if (spec.network) argv.push('--network', spec.network);
  for (const [k, v] of Object.entries(spec.env)) argv.push('--env', `${k}=${v}`);
  if (spec.envFile) argv.push('--env-file', spec.envFile);
  for (const [src, dst] of spec.volumes) argv.push('-v', `${src}:${dst}`);
  argv.push(spec.image, ...spec.args);
  return argv;
}

/** The file exists with permission bits its own mode does not have (read by the group or others). */
export function looser(f: PlannedFile): boolean {
  return f.currentMode !== undefined && (f.currentMode & ~f.mode & 0o777) !== 0;
}

export function filesStep(files: PlannedFile[], dirs: { path: string; mode: number }[], dirSetting?: string): Step {
  const actions: Action[] = dirs.map((d) => ({ kind: 'mkdir', path: d.path, mode: d.mode }));
  // Written again when its text differs, or when it lets others do more than its own mode does (a config
  // file holding the token made 0644 by hand): hd-setup made it, and puts its mode back; a stricter one stays.
  const changed = files.filter((f) => f.current !== f.content || looser(f));
  for (const f of changed) actions.push({ kind: 'write', path: f.dest, mode: f.mode, content: f.content, secret: f.secret, backup: f.current !== undefined && f.current !== f.content });
  return {
    id: 'files',
    title: `Write ${files.length === 1 ? 'the configuration file' : 'configuration files'}`,
    actions,
    ...(changed.length === 0 && dirs.length === 0 ? { skip: 'files are up to date' } : {}),
    fix: dirSetting ? `check that the install directory is writable by this user (ls -ld), or choose another with --set ${dirSetting}=...` : 'check that the directory is writable by this user (ls -ld)',
  };
}

export function networkStep(bin: string, network: string, state: InstalledState): Step {
  const exists = state.networks.includes(network);
  return {
    id: 'network',
    title: `Create network ${network}`,
    actions: exists ? [] : [{ kind: 'exec', argv: [bin, 'network', 'create', '--driver', 'bridge', network] }],
    ...(exists ? { skip: `network ${network} exists` } : {}),
    fix: `run "${posix.basename(bin)} network ls" and remove a conflicting network, or check the runtime's network plugins`,
  };
}

/**
 * Whether the containers must be recreated to read their config file whatever their config hash says: the
 * file is rewritten now (a secret in it too, which the hash leaves out), or the last run that rewrote it
 * did not finish (it may have stopped before the containers were).
 */
export function readsChanged(file: PlannedFile | undefined, state: InstalledState): boolean {
  return state.unfinished === true || (file !== undefined && file.current !== file.content);
}

/**
 * The container is there but not on the network the install runs it on: it left it (running), or, stopped, the
 * network is gone (pruned: a start would not put it back on the one made again under that name; docker 20.10
 * started it on none). Only a new container is attached to it. A running one's network cannot be removed, so
 * an answer of `network ls` that lacks it does not count then.
 */
export function offNetwork(spec: ContainerSpec, state: InstalledState): boolean {
  const current = state.containers[spec.name];
  if (!spec.network || !current) return false;
  if (current.networks !== undefined && !current.networks.includes(spec.network)) return true;
  return !current.running && !state.networks.includes(spec.network);
}

/** The container is there with this configuration and image, on its network: it is left running, or started, never recreated. */
export function containerUpToDate(spec: ContainerSpec, state: InstalledState): boolean {
  const current = state.containers[spec.name];
  return Boolean(!spec.inputsChanged && current && current.labels[HASH_LABEL] === configHash(spec) && current.image === spec.image && !offNetwork(spec, state));
}

/**
 * Pull the image per policy. When every container is there with it and this configuration (running, or
 * stopped: then started as it is), a re-run pulls nothing: the image is pulled when a container is
 * (re)created. (A stopped agent's re-run pulled, for nothing, and failed offline.)
 */
export function imageStep(runtime: 'docker' | 'podman', bin: string, image: string, policy: 'always' | 'missing' | 'never', state: InstalledState, pullSetting: string, upToDate = false): Step {
  const present = state.images.includes(image);
  const base = { id: 'image', title: `Pull image ${image}` };
  const orElse = shortNameFallback(bin, image);
  if (upToDate && present) return { ...base, actions: [], skip: 'its containers are there with this image and configuration (a pull would change nothing)' };
  if (policy === 'never' || (policy === 'missing' && present)) {
    return { ...base, actions: [], skip: present ? `present locally; pull policy ${policy}` : 'pull policy is never' };
  }
  return {
    ...base,
    actions: [{ kind: 'exec', argv: [bin, 'pull', image], timeoutMs: 15 * 60_000, ...(orElse ? { orElse } : {}) }],
    fix: `check registry access from this host (behind a proxy: ${runtime === 'podman' ? 'export HTTPS_PROXY before running hd-setup; podman pulls in its own process' : 'HTTPS_PROXY in the docker daemon\'s environment, not this shell\'s'}), or load the image yourself and use --set ${pullSetting}=never`,
  };
}

/**
 * The docker.io name of an image named without a registry (tobikodata/tcloud:latest), which is what docker
 * pulls for it; undefined for a name with a registry (a first part with a dot or a colon, localhost, or an
 * upper-case letter, as docker reads a reference).
 */
export function dockerHubName(image: string): string | undefined {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
  return hasRegistry ? undefined : `docker.io/${image}`;
}

/**
 * podman looks a name without a registry up in its unqualified-search registries, and refuses when there are
 * none (a rootless podman 4.3 on Debian: "short-name … did not resolve to an alias") or when it would have to
 * ask which one (several, and no terminal: "short-name resolution enforced"). Then the pull is of the name
 * docker gives it (docker.io), which podman finds locally for the name as given. One search registry (an
 * internal mirror) still resolves it as before. (Any runtime: a docker CLI may be podman's.)
 */
function shortNameFallback(bin: string, image: string): { when: string[]; why: string; argv: string[] } | undefined {
  const hub = dockerHubName(image);
  return hub ? { when: ['short-name'], why: `${posix.basename(bin)} could not resolve the short name ${image}: pulling ${hub}, the image docker pulls for it`, argv: [bin, 'pull', hub] } : undefined;
}

/** Create, recreate, start, or leave alone: a container whose config hash matches is not recreated. */
export function containerStep(bin: string, spec: ContainerSpec, state: InstalledState): Step {
  const hash = configHash(spec);
  const current = state.containers[spec.name];
  const labels = Object.fromEntries(Object.entries(containerLabels(spec, hash)).filter(([k]) => k.startsWith('hd-setup.')));
  const base = { id: `container:${spec.name}`, title: `Run container ${spec.name}`, runs: { name: spec.name, image: spec.image, labels, restart: spec.restart } };
  // The run may fail before the container exists (a name in use, no image): its logs are no help then.
  const fix = `read the error above; a container that was made but did not start says why in "${posix.basename(bin)} logs ${spec.name}"; then run the same command again`;
  // Never remove, replace or start a container another install (or no install) made: exit 2 saying whose.
  if (current) assertOwned(bin, [current], spec.owner);
  if (current && !spec.inputsChanged && current.labels[HASH_LABEL] === hash && current.image === spec.image && !offNetwork(spec, state)) {
    if (current.running) return { ...base, actions: [], skip: 'already running with the same configuration' };
    return { ...base, title: `Start container ${spec.name}`, actions: [{ kind: 'exec', argv: [bin, 'start', spec.name] }], fix };
  }
  const actions: Action[] = [];
  if (current) actions.push({ kind: 'exec', argv: [bin, 'rm', '-f', spec.name] });
  actions.push({ kind: 'exec', argv: runArgv(bin, spec, hash) });
  return { ...base, title: current ? `Recreate container ${spec.name} (${whatChanged(current, spec, labels, offNetwork(spec, state)).join(', ') || 'configuration changed'})` : base.title, actions, fix };
}

/** What makes a container be recreated, as its settings say it (the review showed only "configuration changed"). */
function whatChanged(current: ContainerState, spec: ContainerSpec, labels: Record<string, string>, offNet: boolean): string[] {
  const out: string[] = [];
  if (current.image !== spec.image) out.push(`image ${current.image} -> ${spec.image}`);
  for (const [label, what] of [[PULL_LABEL, 'pull policy'], [MEMORY_LABEL, 'memory']] as const) {
    if (current.labels[label] !== undefined && current.labels[label] !== labels[label]) out.push(`${what} ${current.labels[label]} -> ${labels[label] ?? 'none'}`);
  }
  if (current.restart !== undefined && current.restart !== spec.restart) out.push(`restart policy ${current.restart} -> ${spec.restart}`);
  if (spec.inputsChanged) out.push('its config file changed');
  if (offNet) out.push(`not on network ${spec.network}`);
  return out;
}

export function waitStep(runtime: 'docker' | 'podman', bin: string, names: string[]): Step {
  return {
    id: 'ready',
    title: `Wait until ${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} running`,
    actions: [{ kind: 'waitContainers', runtime, runtimeBin: bin, names, timeoutMs: 60_000 }],
    fix: `see "${posix.basename(bin)} logs ${names[0]}" for why it exits`,
  };
}

export function userUnitDir(host: Pick<HostFacts, 'home'>): string {
  return posix.join(host.home, '.config/systemd/user');
}

/**
 * Start on boot: systemctl --user daemon-reload + enable of the unit, then a real check that it is enabled
 * and that the user lingers. ✔ only then; otherwise the step ends skipped, with a warning giving the exact
 * commands (also where there is no user systemd at all: the unit is written, never claimed to be enabled).
 */
export function bootStep(host: HostFacts, unitName: string | undefined, runtime: 'docker' | 'podman', restartAlways: boolean, files: readonly PlannedFile[], what = 'the agent'): Step {
  const title = 'Start on boot';
  if (!unitName) {
    return { id: 'boot', title, actions: [], skip: restartAlways ? 'restart policy brings the containers back when the runtime starts' : 'no unit for this product' };
  }
  return {
    id: 'boot',
    title,
    actions: [{ kind: 'boot', unit: unitName, user: host.user, what: `${what} (${runtime})`, systemdUser: host.systemdUser, reload: files.some((f) => f.base === 'systemd' && f.current !== f.content) }],
    fix: `run "systemctl --user status ${unitName}" to see why the user manager refuses the unit`,
  };
}

// ---- Quadlet (podman >= 4.4) ----

/**
 * Whether an install hands its containers to Quadlet: podman 4.4 or later with a systemd user manager
 * (Quadlet is a systemd generator; without a user manager nothing would run the unit). Otherwise the
 * containers are run by hd-setup and started at boot by the service unit (render/unit.ts).
 */
export function usesQuadlet(runtime: string, host: Pick<HostFacts, 'runtimeVersion' | 'systemdUser'>): boolean {
  return runtime === 'podman' && host.systemdUser && bootUnitForm('podman', host.runtimeVersion) === 'quadlet';
}

export function quadletDir(host: Pick<HostFacts, 'home'>): string {
  return posix.join(host.home, QUADLET_DIR);
}

/** The .container file of a spec, with the labels `run` would give it. */
export function quadletFile(spec: ContainerSpec, description: string): RenderedFile {
  return {
    path: `containers-systemd/${spec.name}.container`,
    base: 'quadlet',
    rel: `${spec.name}.container`,
    mode: 0o644,
    content: quadletContainer(spec, { description, labels: containerLabels(spec, configHash(spec)) }),
    secret: false,
    description: `Quadlet unit: podman's generator makes ${quadletService(spec.name)} from it`,
  };
}

/**
 * A container plan in Quadlet form: the .container files (already among the plan's files) own the
 * containers. After the files are written, `systemctl --user daemon-reload` generates the services; each
 * container whose file or configuration changed is (re)created by restarting its service (Quadlet runs it
 * with --replace), a stopped one is started, and any mask a `stop` left is lifted first. Start on boot is
 * the [Install] section of the file: checked (generated, linger), never `enable`d. Pure.
 */
export function quadletPlan(plan: Plan, specs: ContainerSpec[], state: InstalledState, host: HostFacts, what: string): Plan {
  const files = new Map(plan.files.map((f) => [f.rel, f]));
  const changed = (name: string) => {
    const f = files.get(`${name}.container`);
    return !f || f.current !== f.content || Boolean(specs.find((s) => s.name === name)?.inputsChanged);
  };
  const services = specs.map((s) => quadletService(s.name));
  const anyChanged = specs.some((s) => changed(s.name));
  const steps: Step[] = [];
  for (const step of plan.steps) {
    const spec = specs.find((s) => step.id === `container:${s.name}`);
    if (spec) {
      const svc = quadletService(spec.name);
      const current = state.containers[spec.name];
      const title = `Run container ${spec.name} through ${svc} (Quadlet)`;
      if (!changed(spec.name) && containerUpToDate(spec, state)) {
        steps.push({ ...step, title, actions: [], skip: 'already running with the same configuration' });
        continue;
      }
      const verb = !changed(spec.name) && current && current.labels[HASH_LABEL] === configHash(spec) && !offNetwork(spec, state) ? 'start' : 'restart';
      steps.push({
        id: step.id,
        title,
        actions: [
          { kind: 'exec', argv: ['systemctl', '--user', 'unmask', svc], okExitCodes: [1] },
          { kind: 'exec', argv: ['systemctl', '--user', verb, svc], timeoutMs: 15 * 60_000 },
        ],
        fix: `see "systemctl --user status ${svc}" and "journalctl --user -u ${svc}"`,
      });
      continue;
    }
    if (step.id === 'boot') {
      steps.push({
        id: 'boot',
        title: 'Start on boot',
        actions: services.map((unit) => ({ kind: 'boot' as const, unit, user: host.user, what: `${what} (podman, Quadlet)`, generated: true, reload: anyChanged })),
        fix: `run "systemctl --user status ${services[0]}"; the generator's messages: journalctl --user -b | grep -i quadlet`,
      });
      continue;
    }
    steps.push(step);
    if (step.id === 'files' && anyChanged) {
      steps.push({
        id: 'units',
        title: 'Generate the services from the Quadlet files (systemctl --user daemon-reload)',
        actions: [{ kind: 'exec', argv: ['systemctl', '--user', 'daemon-reload'] }],
        fix: `check the files in ${quadletDir(host)} with "/usr/libexec/podman/quadlet -dryrun -user"`,
      });
    }
  }
  return { ...plan, steps };
}
