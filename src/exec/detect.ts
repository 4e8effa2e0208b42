// Detection: facts about the host and what is installed. Read-only commands, short timeouts.
import { posix } from 'node:path';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { readStateFile } from './local-state.js';
import { userInfo } from 'node:os';
import type { BaseModel as Model, Runtime } from '../model/base.js';
import type { ContainerState, HostFacts, InstalledState, Plan } from '../plan/types.js';
import { IMAGE_LABEL } from '../plan/containers.js';
import { managedSelector, matchesSelector, podSpecOf, secretsReadBy } from '../plan/kubernetes.js';
import { productOf } from '../products/index.js';
import { VERSION } from '../version.js';
import { which } from '../util/which.js';
import { isSocket } from '../util/fsx.js';
import { probe, run } from './run.js';
import { HELM_READ_TIMEOUT_MS, KUBE_PROCESS_TIMEOUT_MS, REQUEST_TIMEOUT, reachCluster } from './kube-reach.js';
import { homeOf } from '../model/home.js';
import { secretDigest } from '../util/secret-digest.js';

export interface RuntimeInfo {
  bin?: string;
  version?: string;
  rootless: boolean;
  socket: string;
  reachable: boolean;
  /** The cgroups version the runtime reports ('1' or '2'), where it says. */
  cgroups?: '1' | '2';
}

export async function detectRuntime(runtime: 'docker' | 'podman', env: NodeJS.ProcessEnv = process.env): Promise<RuntimeInfo> {
  const bin = which(runtime, env.PATH);
  const uid = process.getuid?.() ?? 1000;
  const xdg = env.XDG_RUNTIME_DIR || `/run/user/${uid}`;
  if (!bin) return { rootless: uid !== 0, socket: '', reachable: false };
  // Both questions at once: they are independent, and each is a process start.
  const infoFormat = runtime === 'podman' ? '{{.Host.Security.Rootless}}|{{.Host.RemoteSocket.Path}}|{{.Host.CgroupsVersion}}' : '{{json .SecurityOptions}}|{{.DockerRootDir}}|{{.CgroupVersion}}';
  const [versionOut, info] = await Promise.all([probe([bin, '--version'], 3000), probe([bin, 'info', '--format', infoFormat], 8000)]);
  const version = /(\d+\.\d+\.\d+)/.exec(versionOut ?? '')?.[1];
  // podman says v1/v2, docker 1/2 (an older one nothing)
  const cg = /^v?([12])$/.exec((info ?? '').split('|')[2]?.trim() ?? '')?.[1] as '1' | '2' | undefined;
  const cgroups = cg ? { cgroups: cg } : {};
  if (runtime === 'podman') {
    const [rootlessS, sock] = (info ?? '').split('|');
    const rootless = info ? rootlessS === 'true' : uid !== 0;
    const socket = sock?.replace(/^unix:\/\//, '') || (rootless ? `${xdg}/podman/podman.sock` : '/run/podman/podman.sock');
    return { bin, ...(version ? { version } : {}), rootless, socket, reachable: info !== undefined, ...cgroups };
  }
  const host = env.DOCKER_HOST?.startsWith('unix://') ? env.DOCKER_HOST.slice(7) : undefined;
  // The usual rootless set-up: DOCKER_HOST not set, so the CLI asks the rootful daemon (not there, or not
  // ours), while the user's own daemon listens at $XDG_RUNTIME_DIR/docker.sock. Say so, with the export.
  const userSocket = `${xdg}/docker.sock`;
  if (!info && !host && isSocket(userSocket)) {
    return { bin, ...(version ? { version } : {}), rootless: true, socket: userSocket, reachable: false };
  }
  const rootless = info ? /rootless/.test(info) || (info.split('|')[1] ?? '').startsWith(homeOf()) : false;
  const socket = host ?? (rootless ? `/var/run/user/${uid}/docker.sock` : '/var/run/docker.sock');
  return { bin, ...(version ? { version } : {}), rootless, socket, reachable: info !== undefined, ...cgroups };
}

async function selinuxEnabled(env: NodeJS.ProcessEnv): Promise<boolean> {
  const bin = which('getenforce', env.PATH);
  if (!bin) return false;
  const out = await probe([bin], 2000);
  return out !== undefined && out !== 'Disabled';
}

async function systemdUser(env: NodeJS.ProcessEnv): Promise<boolean> {
  const bin = which('systemctl', env.PATH);
  if (!bin) return false;
  const r = await run([bin, '--user', 'show-environment'], { timeoutMs: 3000 });
  return r.exitCode === 0 && !r.failure;
}

export interface DetectOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Skip probing the runtime (render only needs the binary path). */
  light?: boolean;
}

export async function detectHost(runtime: Runtime, opts: DetectOptions = {}): Promise<HostFacts & { runtime?: RuntimeInfo }> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homeOf(env);
  const uid = process.getuid?.() ?? 1000;
  const base = { home, uid, user: env.USER ?? env.LOGNAME ?? currentUser(), version: VERSION };
  if (runtime === 'kubernetes') {
    return { ...base, runtimeBin: '', rootless: false, socket: '', selinux: false, systemdUser: false };
  }
  const [rt, selinux, sd] = await Promise.all([
    opts.light ? Promise.resolve<RuntimeInfo>({ bin: which(runtime, env.PATH), rootless: uid !== 0, socket: '', reachable: false }) : detectRuntime(runtime, env),
    selinuxEnabled(env),
    opts.light ? Promise.resolve(false) : systemdUser(env),
  ]);
  // the daemon a boot unit must start the containers on: the one this session's docker CLI talks to
  const dockerHost = runtime === 'docker' ? (env.DOCKER_HOST || (rt.rootless && rt.socket ? `unix://${rt.socket}` : undefined)) : undefined;
  return { ...base, runtimeBin: rt.bin ?? `/usr/bin/${runtime}`, rootless: rt.rootless, socket: rt.socket, selinux, systemdUser: sd, ...(rt.version ? { runtimeVersion: rt.version } : {}), ...(dockerHost ? { dockerHost } : {}), runtime: rt };
}

function readIfExists(p: string): string | undefined {
  // bounded: a FIFO, device or huge file where hd-setup writes is exit 2 naming it, never a hang
  return readStateFile(p, 'move it away: hd-setup writes a regular file there');
}

/** The restart policy as `run --restart` takes it: on-failure:3, always, unless-stopped. */
function restartOf(p: { Name?: string; MaximumRetryCount?: number } | undefined): { restart?: string } {
  if (!p?.Name || p.Name === 'no') return {};
  return { restart: p.Name === 'on-failure' ? `on-failure:${p.MaximumRetryCount ?? 0}` : p.Name };
}

export async function inspectContainers(bin: string, names: string[]): Promise<Record<string, ContainerState | undefined>> {
  const out: Record<string, ContainerState | undefined> = {};
  const r = await run([bin, 'container', 'inspect', ...names], { timeoutMs: 10_000 });
  let list: unknown[] = [];
  try {
    list = JSON.parse(r.stdout || '[]') as unknown[];
  } catch {
    list = [];
  }
  for (const c of list as Array<Record<string, any>>) {
    const name = String(c.Name ?? '').replace(/^\//, '');
    out[name] = {
      name,
      status: String(c.State?.Status ?? 'unknown'),
      running: Boolean(c.State?.Running),
      // as the settings name it (the label hd-setup writes), else as the runtime reports it
      image: String(c.Config?.Labels?.[IMAGE_LABEL] ?? c.Config?.Image ?? c.ImageName ?? ''),
      labels: (c.Config?.Labels ?? {}) as Record<string, string>,
      ...restartOf(c.HostConfig?.RestartPolicy),
      mounts: (Array.isArray(c.Mounts) ? (c.Mounts as Array<Record<string, unknown>>) : []).filter((m) => m?.Type === 'bind' && typeof m.Source === 'string').map((m) => String(m.Source)),
      ...(c.NetworkSettings?.Networks && typeof c.NetworkSettings.Networks === 'object' ? { networks: Object.keys(c.NetworkSettings.Networks as Record<string, unknown>) } : {}),
    };
  }
  return out;
}

/** The runtime's part of what is installed (containers, networks, image), asked of `bin`. */
export interface RuntimeState {
  bin: string;
  found: Promise<Pick<InstalledState, 'containers' | 'networks' | 'images'>>;
}

/** The binary detectHost names for a container runtime (HostFacts.runtimeBin), known before it runs. */
export function runtimeBinOf(runtime: 'docker' | 'podman', env: NodeJS.ProcessEnv = process.env): string {
  return which(runtime, env.PATH) ?? `/usr/bin/${runtime}`;
}

/**
 * Start asking the runtime what is installed. It needs only the binary, not the host facts: prepare starts
 * it beside detectHost, so the two sets of probes run at once (each is a process start).
 */
export function askRuntimeState(model: Model, bin: string): RuntimeState {
  const found = (async () => {
    // Not on PATH (bin is then only the path a unit would name): nothing of this runtime can be asked.
    if (!existsSync(bin) || !which(posix.basename(bin))) return { containers: {}, networks: [], images: [] };
    const product = productOf(model);
    const image = product.image(model);
    const [containers, networks, img] = await Promise.all([
      inspectContainers(bin, product.containerNames),
      probe([bin, 'network', 'ls', '--format', '{{.Name}}'], 8000),
      run([bin, 'image', 'inspect', image], { timeoutMs: 8000 }),
    ]);
    return { containers, networks: (networks ?? '').split('\n').filter(Boolean), images: img.exitCode === 0 ? [image] : [] };
  })();
  found.catch(() => undefined); // awaited later, by detectState; a rejection is not "unhandled" meanwhile
  return { bin, found };
}

/**
 * The Secrets `kubectl get secrets -o json` lists: their names, and each one's type, labels, the digest of
 * its data (decoded; the data itself is dropped here) and whether a controller owns it. Unknown (kubectl failed, or other output): nothing.
 */
function liveSecretsOf(json: string | undefined): { secrets?: string[]; liveSecrets?: NonNullable<InstalledState['kubernetes']>['liveSecrets'] } {
  if (json === undefined) return {};
  let items: unknown;
  try {
    items = (JSON.parse(json) as { items?: unknown }).items;
  } catch {
    return {};
  }
  if (!Array.isArray(items)) return {};
  const names: string[] = [];
  // (no prototype: a Secret named "constructor" that is not there is not found there)
  const live: NonNullable<NonNullable<InstalledState['kubernetes']>['liveSecrets']> = Object.create(null);
  for (const it of items as { metadata?: { name?: unknown; labels?: unknown; ownerReferences?: unknown }; type?: unknown; data?: unknown }[]) {
    const name = it?.metadata?.name;
    if (typeof name !== 'string') continue;
    names.push(name);
    const data = it.data && typeof it.data === 'object' ? (it.data as Record<string, unknown>) : {};
    const labels = it.metadata?.labels && typeof it.metadata.labels === 'object' ? (it.metadata.labels as Record<string, unknown>) : {};
    live[name] = {
      type: typeof it.type === 'string' ? it.type : 'Opaque',
      labels: Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string')),
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secretDigest(Buffer.from(typeof v === 'string' ? v : '', 'base64').toString('utf8'))])),
      ...(Array.isArray(it.metadata?.ownerReferences) && it.metadata.ownerReferences.length > 0 ? { owned: true } : {}),
    };
  }
  return { secrets: names, liveSecrets: live };
}

/**
 * What is installed now: files we would write, containers, networks, images; or the namespace and release.
 * `asked`: the runtime's answers, if already asked of host.runtimeBin (askRuntimeState).
 */
export async function detectState(model: Model, host: HostFacts, destFiles: string[], asked?: RuntimeState): Promise<InstalledState> {
  const files: Record<string, string | undefined> = {};
  const modes: Record<string, number> = {};
  for (const f of destFiles) {
    files[f] = readIfExists(f);
    if (files[f] !== undefined) modes[f] = lstatSync(f).mode & 0o777;
  }
  if (model.runtime === 'kubernetes') {
    const k = productOf(model).kube(model);
    const ctx = k.context ? ['--context', k.context] : [];
    const hctx = k.context ? ['--kube-context', k.context] : [];
    if (!which('kubectl')) return { containers: {}, networks: [], images: [], files, modes, kubernetes: { namespaceExists: false } };
    // An API server that cannot be reached is reported once, by preflight: nothing more to ask it here.
    if (!(await reachCluster(k.context)).ok) return { containers: {}, networks: [], images: [], files, modes, kubernetes: { namespaceExists: false } };
    // the other kinds hd-setup applies for this release (an ExternalSecret): one this configuration no longer
    // applies is deleted (a kind the cluster does not serve, or cannot list, stays unknown: nothing is deleted)
    const kinds = Promise.all(k.managedKinds.map(async (kind) => [kind, await probe(['kubectl', ...ctx, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', kind, '-n', k.namespace, '-l', managedSelector(k.release), '-o', 'name'], KUBE_PROCESS_TIMEOUT_MS)] as const));
    // what the namespace's other workloads read: a Secret one of them reads is never deleted as no longer used
    const readers = probe(['kubectl', ...ctx, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'deployments,statefulsets,daemonsets,cronjobs,jobs,pods', '-n', k.namespace, '-o', 'json'], KUBE_PROCESS_TIMEOUT_MS);
    const [ns, values, listing, deployments, secrets] = await Promise.all([
      probe(['kubectl', ...ctx, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'namespace', k.namespace, '-o', 'name'], KUBE_PROCESS_TIMEOUT_MS),
      which('helm') ? probe(['helm', 'get', 'values', k.release, '-n', k.namespace, '-o', 'json', ...hctx], HELM_READ_TIMEOUT_MS) : Promise.resolve(undefined),
      // its state, revision and chart (helm list: helm status says no chart version); -a: pending and failed ones too
      // (all of the namespace's: another release of a chart with fixed names cannot go beside it)
      // (--max 0: every one; helm lists 256 by default, which a busy namespace may pass)
      which('helm') ? probe(['helm', 'list', '-a', '-n', k.namespace, '-o', 'json', '--max', '0', ...hctx], HELM_READ_TIMEOUT_MS) : Promise.resolve(undefined),
      // how far the release's Deployments are scaled now (a stopped install is at 0)
      probe(['kubectl', ...ctx, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'deployments', '-n', k.namespace, '-l', k.selector, '-o', 'json'], KUBE_PROCESS_TIMEOUT_MS),
      // the Secrets hd-setup applied for this release that are there: one deleted by hand, or holding other
      // data, is applied again, and one that holds what would be applied is not (from a fresh HOME too)
      probe(['kubectl', ...ctx, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'secrets', '-n', k.namespace, '-l', managedSelector(k.release), '-o', 'json'], KUBE_PROCESS_TIMEOUT_MS),
    ]);
    let release: { revision: number; values: Record<string, unknown> } | undefined;
    let others: { name: string; chart: string; status?: string }[] | undefined;
    try {
      const all = listing ? (JSON.parse(listing) as { name?: unknown; chart?: unknown; status?: unknown }[]) : undefined;
      others = all?.flatMap((r) => (typeof r.name === 'string' && r.name !== k.release && typeof r.chart === 'string' ? [{ name: r.name, chart: r.chart, ...(typeof r.status === 'string' ? { status: r.status } : {}) }] : []));
    } catch {
      others = undefined;
    }
    if (values && listing) {
      try {
        const listed = (JSON.parse(listing) as { name?: unknown; revision?: unknown; status?: unknown; chart?: unknown }[]).find((r) => r.name === k.release);
        // "chart": "<name>-<version>" (a version may hold "-": 1.0.0-rc.1)
        const chartVersion = typeof listed?.chart === 'string' ? /-(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(listed.chart)?.[1] : undefined;
        release = listed ? { revision: Number(listed.revision ?? 0), values: (JSON.parse(values) ?? {}) as Record<string, unknown>, ...(typeof listed.status === 'string' && listed.status ? { status: listed.status } : {}), ...(chartVersion ? { chartVersion } : {}) } : undefined;
      } catch {
        release = undefined;
      }
    }
    const live = release ? liveDeployments(deployments) : undefined;
    const readElsewhere = secretsReadOutside(await readers, k.selector);
    const managed = Object.fromEntries((await kinds).flatMap(([kind, out]) => (out === undefined ? [] : [[kind, out.split('\n').filter(Boolean).map((l) => l.slice(l.indexOf('/') + 1))]])));
    return { containers: {}, networks: [], images: [], files, modes, kubernetes: { namespaceExists: ns !== undefined, ...(release ? { release } : {}), ...(others?.length ? { others } : {}), ...(live ? { deployments: live } : {}), ...liveSecretsOf(secrets), ...(Object.keys(managed).length ? { managed } : {}), ...(readElsewhere ? { readElsewhere } : {}) } };
  }
  const runtimeState = asked?.bin === host.runtimeBin ? asked : askRuntimeState(model, host.runtimeBin);
  return { ...(await runtimeState.found), files, modes };
}

/** The Secrets the workloads and pods listed (kubectl get … -o json) read, leaving out this release's (its selector). */
function secretsReadOutside(json: string | undefined, selector: string): string[] | undefined {
  if (json === undefined) return undefined;
  try {
    const items = (JSON.parse(json) as { items?: { metadata?: { labels?: Record<string, string> } }[] }).items ?? [];
    return [...new Set(items.filter((x) => !matchesSelector(x.metadata?.labels, selector)).flatMap((x) => secretsReadBy(podSpecOf(x))))];
  } catch {
    return undefined;
  }
}

/** kubectl get deployments -o json, as names, labels and replicas (undefined when it cannot be read). */
function liveDeployments(json: string | undefined): { name: string; labels: Record<string, string>; replicas: number }[] | undefined {
  if (json === undefined) return undefined;
  try {
    const items = (JSON.parse(json) as { items?: { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { replicas?: number } }[] }).items ?? [];
    // spec.replicas left out means 1 (the API server's default)
    return items.flatMap((d) => (d.metadata?.name ? [{ name: d.metadata.name, labels: d.metadata.labels ?? {}, replicas: d.spec?.replicas ?? 1 }] : []));
  } catch {
    return undefined;
  }
}

/**
 * The plan with each directory it makes marked `missing` when nothing is there now (a dry-run names them; a
 * re-run puts them back), or `blocked` when something that is not a folder is (a file, a link to nothing or to a file).
 */
export function markMissingDirs(plan: Plan): Plan {
  const look = (path: string): { missing?: true; blocked?: string } => {
    let l;
    try {
      l = lstatSync(path, { throwIfNoEntry: false });
    } catch (e) {
      // under a file (the install-dir check says so), or not to be looked at (unknown: said by the run)
      return (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? { missing: true } : {};
    }
    if (!l) return { missing: true };
    if (l.isDirectory()) return {};
    if (!l.isSymbolicLink()) return { blocked: l.isFile() ? 'a file' : 'not a folder' };
    const t = statSync(path, { throwIfNoEntry: false });
    return t?.isDirectory() ? {} : { blocked: t ? 'a link to a file' : 'a link to nothing' };
  };
  return { ...plan, steps: plan.steps.map((s) => ({ ...s, actions: s.actions.map((a) => (a.kind === 'mkdir' ? { ...a, ...look(a.path) } : a)) })) };
}

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'user';
  }
}
