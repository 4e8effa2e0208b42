// Steps shared by docker and podman installs: files, network, image, containers, readiness, boot unit.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Action, HostFacts, InstalledState, PlannedFile, Step } from './types.js';

export const HASH_LABEL = 'hd-setup.config-hash';
/** Settings a container does not otherwise show, so that a re-run can prefill them. */
export const PULL_LABEL = 'hd-setup.pull-policy';
export const MEMORY_LABEL = 'hd-setup.memory';

export interface ContainerSpec {
  name: string;
  image: string;
  restart: string;
  pull: 'always' | 'missing' | 'never';
  network?: string;
  memory?: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  envFile?: string;
  volumes: [string, string][];
  securityOpts: string[];
  args: string[];
  /** Content the container reads (config, env-file): a change recreates the container. */
  inputs: string[];
}

export function configHash(spec: ContainerSpec): string {
  const h = createHash('sha256');
  const { inputs, ...rest } = spec;
  h.update(JSON.stringify(rest));
  for (const i of inputs) h.update('\0' + i);
  return h.digest('hex').slice(0, 16);
}

/** The labels a container is run with: the product's, the settings it does not otherwise show, and the config hash. */
export function containerLabels(spec: ContainerSpec, hash: string): Record<string, string> {
  return { ...spec.labels, [PULL_LABEL]: spec.pull, ...(spec.memory ? { [MEMORY_LABEL]: spec.memory } : {}), [HASH_LABEL]: hash };
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

export function filesStep(files: PlannedFile[], dirs: { path: string; mode: number }[], dirSetting?: string): Step {
  const actions: Action[] = dirs.map((d) => ({ kind: 'mkdir', path: d.path, mode: d.mode }));
  const changed = files.filter((f) => f.current !== f.content);
  for (const f of changed) actions.push({ kind: 'write', path: f.dest, mode: f.mode, content: f.content, secret: f.secret, backup: f.current !== undefined });
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

/** The container exists, runs, and has this configuration: nothing to do for it. */
export function containerUpToDate(spec: ContainerSpec, state: InstalledState): boolean {
  const current = state.containers[spec.name];
  return Boolean(current && current.running && current.labels[HASH_LABEL] === configHash(spec) && current.image === spec.image);
}

/**
 * Pull the image per policy. When every container already runs it with this configuration, a re-run
 * changes nothing and pulls nothing: the image is pulled when a container is (re)created.
 */
export function imageStep(bin: string, image: string, policy: 'always' | 'missing' | 'never', state: InstalledState, pullSetting: string, upToDate = false): Step {
  const present = state.images.includes(image);
  const base = { id: 'image', title: `Pull image ${image}` };
  if (upToDate && present) return { ...base, actions: [], skip: 'the agent already runs this image with this configuration' };
  if (policy === 'never' || (policy === 'missing' && present)) {
    return { ...base, actions: [], skip: present ? 'image is present locally (pull policy: ' + policy + ')' : 'pull policy is never' };
  }
  return {
    ...base,
    actions: [{ kind: 'exec', argv: [bin, 'pull', image], timeoutMs: 15 * 60_000 }],
    fix: `check registry access from this host (proxy: HTTPS_PROXY for the ${posix.basename(bin)} daemon), or load the image yourself and use --set ${pullSetting}=never`,
  };
}

/** Create, recreate, start, or leave alone: a container whose config hash matches is not recreated. */
export function containerStep(bin: string, spec: ContainerSpec, state: InstalledState): Step {
  const hash = configHash(spec);
  const current = state.containers[spec.name];
  const base = { id: `container:${spec.name}`, title: `Run container ${spec.name}` };
  const fix = `see "${posix.basename(bin)} logs ${spec.name}"; a name clash with a container not made by hd-setup needs "${posix.basename(bin)} rm -f ${spec.name}"`;
  if (current && current.labels[HASH_LABEL] === hash && current.image === spec.image) {
    if (current.running) return { ...base, actions: [], skip: 'already running with the same configuration' };
    return { ...base, title: `Start container ${spec.name}`, actions: [{ kind: 'exec', argv: [bin, 'start', spec.name] }], fix };
  }
  const actions: Action[] = [];
  if (current) actions.push({ kind: 'exec', argv: [bin, 'rm', '-f', spec.name] });
  actions.push({ kind: 'exec', argv: runArgv(bin, spec, hash) });
  return { ...base, title: current ? `Recreate container ${spec.name} (configuration changed)` : base.title, actions, fix };
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
export function bootStep(host: HostFacts, unitName: string | undefined, runtime: 'docker' | 'podman', restartAlways: boolean, what = 'the agent'): Step {
  const title = 'Start on boot';
  if (!unitName) {
    return { id: 'boot', title, actions: [], skip: restartAlways ? 'restart policy brings the containers back when the runtime starts' : 'no unit for this product' };
  }
  return {
    id: 'boot',
    title,
    actions: [{ kind: 'boot', unit: unitName, user: host.user, what: `${what} (${runtime})`, systemdUser: host.systemdUser }],
    fix: `run "systemctl --user status ${unitName}" to see why the user manager refuses the unit`,
  };
}
