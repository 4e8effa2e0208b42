// Finding what is installed: gather an install's artifacts (its files, its containers, its release's
// values) at a location, and read them back through the product's decode (products/readback.ts).
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { describeLocation, type ContainerRuntime, type Location } from '../model/base.js';
import { UserError } from '../model/errors.js';
import { goodBackups, latestGoodBackup } from '../util/fsx.js';
import { shellQuote } from '../util/shell.js';
import type { ContainerState } from '../plan/types.js';
import { ownershipOf } from '../plan/containers.js';
import { managedSelector, podSpecOf, secretsReadBy } from '../plan/kubernetes.js';
import { QUADLET_DIR, quadletFacts } from '../render/unit.js';
import { findProduct, PRODUCTS } from '../products/index.js';
import { readBack } from '../products/readback.js';
import { secretFields } from '../products/secrets.js';
import { isStored } from '../model/stored.js';
import { getIn, setIn } from '../model/reconcile.js';
import { fileKey, type Artifacts, type ProductModule } from '../products/types.js';
import type { RenderEnv } from '../render/types.js';
import { which } from '../util/which.js';
import { inspectContainers } from './detect.js';
import { run } from './run.js';
import { HELM_READ_TIMEOUT_MS, KUBE_PROCESS_TIMEOUT_MS, REQUEST_TIMEOUT, reachCluster, toolStderr, unreachableError } from './kube-reach.js';
import { NoAccess, backupValidator, parseEnvFileChecked, parseInstallConfig, parseValuesFile, readStateFile } from './local-state.js';
import { findRecordOfInstall, type KeptContainer } from './registry.js';

export interface ReleaseInfo {
  name: string;
  namespace: string;
  revision: number;
  chart: string;
  /** deployed, failed, pending-install, pending-upgrade, pending-rollback, uninstalling, ... */
  status: string;
  /** When the release is not deployed: the newest revision that was (helm history), if any. */
  lastGood?: number;
}

/** A release that is not deployed, in words: its state and what to do about it. */
export function releaseProblem(r: ReleaseInfo): { message: string; fix: string } | undefined {
  if (r.status === 'deployed') return undefined;
  const where = `-n ${r.namespace}`;
  const busy = `if no hd-setup or helm is still working on it (helm history ${r.name} ${where})`;
  const back = r.lastGood ? `hd-setup rollback (back to revision ${r.lastGood}, the last one that deployed)` : undefined;
  const again = 'hd-setup uninstall, then install again (hd-setup doctor finds the cause first)';
  switch (r.status) {
    case 'pending-install':
      return { message: `release ${r.name} is pending-install (revision ${r.revision}): an install was interrupted or is still running`, fix: `${busy}: ${again}` };
    case 'pending-upgrade':
    case 'pending-rollback':
      return { message: `release ${r.name} is ${r.status} (revision ${r.revision}): an upgrade or rollback was interrupted or is still running`, fix: `${busy}: ${back ?? again}` };
    case 'uninstalling':
      return { message: `release ${r.name} is uninstalling (revision ${r.revision}): an uninstall was interrupted or is still running`, fix: `${busy}: hd-setup uninstall` };
    case 'failed':
      return {
        message: `release ${r.name} is failed (revision ${r.revision})`,
        fix: back ? `${back}, or fix the cause (hd-setup doctor) and run hd-setup install again` : `the first install did not complete: ${again}`,
      };
    default:
      return { message: `release ${r.name} is ${r.status || 'in an unknown state'} (revision ${r.revision})`, fix: `see: helm history ${r.name} ${where}` };
  }
}

export interface DetectedInstall {
  product: ProductModule;
  location: Location;
  /** The install as a minimal preset. Secret values are literals here (or stored: references). */
  preset: Record<string, unknown>;
  /** Dotted paths in `preset` that hold secrets. */
  secretPaths: string[];
  /** Its containers that are there now (those of this install: ownership label, or an earlier hd-setup's mounts). */
  containers: ContainerState[];
  /** Containers of the same names that belong to another install (another HOME's) or to nobody hd-setup knows. */
  foreign: ContainerState[];
  /** The install was removed by `uninstall` and only its config is left (its record says so). */
  uninstalled?: boolean;
  /**
   * Kubernetes: recorded as installed, and the cluster has no release of it (an uninstall that stopped after
   * `helm uninstall`, or a `helm uninstall` by hand): what hd-setup applied beside the release may be left.
   * It counts as uninstalled, except that `uninstall` still deletes what is left.
   */
  unfinished?: true;
  /**
   * docker/podman: recorded as installed, and its configuration file (this path) is not there (deleted or
   * moved by hand): found all the same, with its containers, so that status says so and uninstall removes them.
   */
  configMissing?: string;
  /**
   * docker/podman, found with `brokenFromBackup` (rollback): its configuration file is broken (not what
   * hd-setup writes: a bad hand edit, a cut-off file), and this install is read from the file's newest whole
   * backup instead. `problem` is what is wrong with the file (its text is never shown: it may hold secrets).
   */
  brokenConfig?: { path: string; problem: string };
  /**
   * docker/podman: what its containers carry now (image, hd-setup's labels, restart policy), by name, as the
   * read-back reads it (carriedBy: under Quadlet from the .container files): what the record keeps of them.
   */
  carried?: Record<string, KeptContainer>;
  release?: ReleaseInfo;
  /** Human-readable: the install dir, or the release and namespace. */
  where: string;
}

export interface GatherOptions {
  home: string;
  /** Read this text for the file at this path (what the install would be with a backup restored). */
  instead?: { path: string; text: string };
  /**
   * A configuration file that is broken is read from its newest whole backup (rollback, which puts that
   * back), and said (`brokenConfig`). Without it, a broken file is exit 2 naming it and that fix.
   */
  brokenFromBackup?: boolean;
  /**
   * Uninstall: a configuration file that cannot be read (broken by a hand edit, a link or a folder in its
   * place) is taken as missing (`configMissing`): the record and the containers say what to remove.
   */
  brokenAsMissing?: boolean;
  /** `hd-setup <verb>` that chooses this install (with the flags that do, when there are several). */
  command?: (verb: string) => string;
  /** docker/podman: read these as what its containers carry (rollback: as the last change found them), not the live ones. */
  containersInstead?: Record<string, KeptContainer>;
  env: NodeJS.ProcessEnv;
  /** Facts render used (selinux, runtime binary) so that decode can tell a default from a setting. */
  renderEnv: RenderEnv;
  /**
   * Kubernetes, when the API server cannot be reached: throw (exit 1 with the cause: lifecycle commands), or
   * answer "nothing there" (install, whose preflight then reports the server once, with the cause).
   */
  unreachable?: 'throw' | 'absent';
}

/** A file of an install, read bounded (regular file, capped, UTF-8); a broken one is exit 2 naming it. */
function read(p: string, orElse?: string): string | undefined {
  return withBackupFix(p, (fix) => readStateFile(p, fix ?? 'move it away and install again'), undefined, orElse);
}

/**
 * Read or check a file of the install; when it is broken and a good backup of it is there, the error's fix
 * says how to put that back. A configuration file whose text is broken (`rollback`: the command that
 * chooses this install) is put back by rollback, which reads the install from a backup then and keeps the
 * broken file as a backup of its own; anything else (a link, a file too large or not UTF-8) by the `cp` it
 * names (no hd-setup command reads the install until then). `orElse`: another way out, said after the fix.
 */
function withBackupFix<T>(path: string, read: (fix?: string) => T, rollback?: () => string, orElse?: string): T {
  try {
    return withFix(path, read, rollback, orElse);
  } catch (e) {
    throw e instanceof UserError && !(e instanceof UnreadableInstall) ? new UnreadableInstall(e.problems, e.exitCode) : e;
  }
}

/**
 * A file of this install cannot be read (a link, a folder, not what hd-setup writes) or not read back: this
 * install is broken, not the others; the finding of every install (service/find.ts) lists it as such.
 */
export class UnreadableInstall extends UserError {}

function withFix<T>(path: string, read: (fix?: string) => T, rollback?: () => string, orElse?: string): T {
  try {
    return read();
  } catch (e) {
    // (a permission is all that is wrong: the chmod it names is the fix, not a backup)
    if (!(e instanceof UserError) || e instanceof NoAccess) throw e;
    // (not with a folder in its place: the purge would delete that folder, the user's, with the rest)
    const or = orElse && !isFolder(path) ? `, or ${orElse}` : '';
    // a link to a file (the file moved elsewhere and linked back): a copy of that file in the link's place is
    // one hd-setup reads and writes (moved away, the file would be missing, a second refusal)
    const target = linkedFile(path);
    if (target) return read(`replace the link with a copy of the file it points to: cp --remove-destination ${shellQuote(target)} ${shellQuote(path)}${or}`);
    const good = latestGoodBackup(path, backupValidator(path));
    if (!good) throw or ? new UserError(e.problems.map((p) => ({ ...p, message: `${p.message}${or}` })), e.exitCode) : e;
    if (rollback && isRegularFile(path)) return read(`put back a whole copy from its backups: ${rollback()} (to see first what it restores, add --dry-run)`);
    // a folder in its place: moved away first (a cp into it would put the backup, its token too, inside it)
    const aside = isFolder(path) ? `mv ${shellQuote(path)} ${shellQuote(freeName(`${path}.old`))} && ` : '';
    return read(`put back its newest whole backup (as it was before the last change hd-setup made to it; no hd-setup command reads the install until then, rollback included): ${aside}cp --remove-destination ${shellQuote(good.path)} ${shellQuote(path)}${or}`);
  }
}

/** What is at a path, the link itself when it is one; undefined when nothing is. */
function lstatOf(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

const isRegularFile = (path: string) => Boolean(lstatOf(path)?.isFile());

/** The file a symbolic link at `path` leads to (through any further links), when it is a regular file. */
function linkedFile(path: string): string | undefined {
  if (!lstatOf(path)?.isSymbolicLink()) return undefined;
  try {
    return statSync(path).isFile() ? realpathSync(path) : undefined;
  } catch {
    return undefined;
  }
}
const isFolder = (path: string) => Boolean(lstatOf(path)?.isDirectory());

/** `name`, or `name-2`, `name-3` …: the first that nothing is at (a link to nothing counts). */
function freeName(name: string): string {
  let n = name;
  for (let i = 2; lstatOf(n); i++) n = `${name}-${i}`;
  return n;
}

/** The newest backup of a file that is whole (read as the file is read), with its text. */
function newestGood(path: string): { path: string; text: string } | undefined {
  for (const b of goodBackups(path, backupValidator(path))) if (b.path) return { path: b.path, text: b.text };
  return undefined;
}

const stateDir = (loc: Location, home: string) => posix.join(home, '.config/hd-setup', loc.product, loc.namespace ?? 'default', loc.release ?? 'default');

function helmCtx(loc: Location): string[] {
  return loc.context ? ['--kube-context', loc.context] : [];
}

/**
 * The release at a location, in any state (helm list -a: pending and failed releases too). The API server is
 * probed first (once per process, bounded): when it cannot be reached this throws (exit 1 with the cause), or
 * with `unreachable: 'absent'` answers undefined.
 */
export async function findRelease(loc: Location, env: NodeJS.ProcessEnv, unreachable: 'throw' | 'absent' = 'throw'): Promise<ReleaseInfo | undefined> {
  if (!which('helm', env.PATH)) return undefined;
  // The probe and the listing run side by side (no extra wait on a healthy cluster); on an unreachable one
  // the probe's bounded answer is what counts, and the listing is stopped.
  const ns = loc.namespace ?? 'default';
  const stopList = new AbortController();
  const listing = run(['helm', 'list', '-a', '-n', ns, '-o', 'json', '--filter', `^${loc.release}$`, ...helmCtx(loc)], { timeoutMs: HELM_READ_TIMEOUT_MS, signal: stopList.signal });
  const reach = await reachCluster(loc.context);
  if (!reach.ok) {
    stopList.abort();
    await listing;
    if (unreachable === 'absent') return undefined;
    throw unreachableError(loc, reach);
  }
  const list = await listing;
  if (list.exitCode !== 0 || list.failure) {
    if (unreachable === 'absent') return undefined;
    throw unreachableError(loc, { ok: false, message: `helm cannot list the releases in namespace ${ns}: ${list.failure === 'timeout' ? `no answer within ${HELM_READ_TIMEOUT_MS / 1000}s` : toolStderr(list.stderr).trim().split('\n')[0] ?? ''}`, fix: `check: helm list -a -n ${ns}${loc.context ? ` --kube-context ${loc.context}` : ''}` });
  }
  let entry: { name?: string; revision?: string | number; chart?: string; status?: string } | undefined;
  try {
    entry = (JSON.parse(list.stdout || '[]') as (typeof entry)[]).find((r) => r?.name === loc.release);
  } catch {
    entry = undefined;
  }
  if (!entry) return undefined;
  const info: ReleaseInfo = { name: loc.release ?? '', namespace: ns, revision: Number(entry.revision ?? 0), chart: entry.chart ?? '', status: entry.status ?? '' };
  if (info.status !== 'deployed') {
    const good = await lastGoodRevision(loc);
    if (good) info.lastGood = good;
  }
  return info;
}

/** The newest revision of a release that deployed (deployed, or superseded by a later one), from helm history. */
export async function lastGoodRevision(loc: Location, below?: number): Promise<number | undefined> {
  const h = await run(['helm', 'history', loc.release ?? '', '-n', loc.namespace ?? 'default', '-o', 'json', '--max', '20', ...helmCtx(loc)], { timeoutMs: HELM_READ_TIMEOUT_MS });
  try {
    const list = JSON.parse(h.stdout || '[]') as { revision?: number; status?: string }[];
    const good = list.filter((r) => (r.status === 'deployed' || r.status === 'superseded') && (below === undefined || Number(r.revision) < below)).map((r) => Number(r.revision));
    return good.length ? Math.max(...good) : undefined;
  } catch {
    return undefined;
  }
}

/** What decode reads of a container: image, labels, restart policy. */
export function containerFacts(c: { image: string; labels: Record<string, string>; restart?: string }): KeptContainer {
  return { image: c.image, labels: c.labels, ...(c.restart ? { restart: c.restart } : {}) };
}

/**
 * What one container of an install carries, as the read-back reads it: under Quadlet its .container file (a
 * stopped service has removed its container, and a running one's own restart policy is systemd's), else the
 * container there. The one place this is worked out: gather, the install record and rollback use it.
 */
export function carriedBy(quadletText: string | undefined, live: ContainerState | undefined): KeptContainer | undefined {
  const q = quadletText === undefined ? undefined : quadletFacts(quadletText);
  return q ?? (live ? containerFacts(live) : undefined);
}

/** As the install record keeps it (the containers gone, or changed since): hd-setup's own labels only. */
export function keptForm(f: KeptContainer): KeptContainer {
  return containerFacts({ ...f, labels: Object.fromEntries(Object.entries(f.labels).filter(([k]) => k.startsWith('hd-setup.'))) });
}

/** What is at a location: the artifacts decode reads, or undefined when nothing is installed there. */
export async function gather(loc: Location, o: GatherOptions): Promise<{ artifacts: Artifacts; containers: ContainerState[]; foreign: ContainerState[]; carried?: Record<string, KeptContainer>; uninstalled?: boolean; unfinished?: true; configMissing?: string; brokenConfig?: DetectedInstall['brokenConfig']; release?: ReleaseInfo } | undefined> {
  const product = findProduct(loc.product);
  if (!product) return undefined;
  if (loc.runtime === 'kubernetes') {
    const rec = findRecordOfInstall(o.home, loc);
    // Uninstalled with its values kept (no --purge): the values file is what is left, unless the release is
    // there again (made with helm by hand, or from another machine): then that is the install. A cluster that
    // cannot be reached, or no helm, leaves the kept values (status and uninstall --purge still work).
    const kept = () => {
      const path = posix.join(stateDir(loc, o.home), 'values.yaml');
      const text = read(path);
      if (text === undefined) return undefined;
      const values = withBackupFix(path, (fix) => parseValuesFile(text, path, fix ?? `fix it by hand (a YAML mapping), or delete it: rm ${shellQuote(path)}`));
      return { artifacts: { location: loc, files: {}, containers: {}, values }, containers: [], foreign: [], uninstalled: true };
    };
    if (rec?.state === 'uninstalled') {
      const again = which('helm', o.env.PATH) ? await findRelease(loc, o.env, 'absent') : undefined;
      if (!again) return kept();
    }
    // A release hd-setup recorded, and no helm to look at it with: not "nothing installed" (exit 1, the fix).
    // Unrecorded, the answer stays "nothing here": doctor then runs its checks for an install, helm's included.
    if (o.unreachable !== 'absent' && !which('helm', o.env.PATH) && rec) {
      throw unreachableError(loc, { ok: false, message: 'helm is not installed or not on PATH', fix: 'install helm 3 (helm.sh/docs/intro/install) and put it on PATH' });
    }
    const release = await findRelease(loc, o.env, o.unreachable);
    // Recorded as installed, and the cluster answered that the release is not there (unreachable, 'throw'
    // has thrown): the uninstall that removed it stopped before the rest (its Secrets, an ExternalSecret, the
    // local copies), or helm uninstall ran by hand. Found with its values, so that `uninstall` ends the job.
    if (!release) {
      const left = rec && rec.state !== 'uninstalled' && o.unreachable !== 'absent' ? kept() : undefined;
      return left ? { ...left, unfinished: true as const } : undefined;
    }
    const vals = await run(['helm', 'get', 'values', loc.release ?? '', '-n', release.namespace, '-o', 'json', ...helmCtx(loc)], { timeoutMs: HELM_READ_TIMEOUT_MS });
    let values: Record<string, unknown> = {};
    try {
      values = (JSON.parse(vals.stdout || '{}') ?? {}) as Record<string, unknown>;
    } catch {
      values = {};
    }
    return { artifacts: { location: loc, files: {}, containers: {}, values }, containers: [], foreign: [], release };
  }
  const reads = product.reads(loc.runtime);
  const files: Record<string, string> = {};
  const pathOf = (f: (typeof reads.files)[number]) => posix.join(f.base === 'install' ? (loc.installDir ?? o.home) : f.base === 'state' ? stateDir(loc, o.home) : posix.join(o.home, '.config/systemd/user'), f.rel);
  let brokenConfig: DetectedInstall['brokenConfig'];
  const rec = findRecordOfInstall(o.home, loc);
  const command = (verb: string) => o.command?.(verb) ?? `hd-setup ${verb}`;
  // Uninstalled, its config kept: rollback has nothing to go back to; a broken kept file is also deleted, with
  // the rest of what hd-setup created there, by uninstall --purge (which finds it: `unreadable` below).
  const kept = rec?.state === 'uninstalled';
  const orElse = kept ? `delete it with the rest of what hd-setup created there: ${command('uninstall --purge')}` : undefined;
  /** Uninstall (brokenAsMissing): files that are there and cannot be read, taken as missing. */
  const unreadable = new Set<string>();
  for (const f of reads.files) {
    const path = pathOf(f);
    // Local state is input: a file that is not what hd-setup writes is exit 2 naming it, before decode reads it.
    const rollback = kept ? undefined : () => command('rollback');
    const parsed = (t: string) => {
      if (f.rel.endsWith('.json')) withBackupFix(path, (fix) => parseInstallConfig(t, path, fix), rollback, orElse);
      else if (f.rel.endsWith('.env')) withBackupFix(path, (fix) => parseEnvFileChecked(t, path, fix), rollback, orElse);
    };
    let text: string | undefined;
    if (o.instead?.path === path) text = o.instead.text;
    else {
      // one that cannot be read as text (a link, a folder, too large, not UTF-8) is exit 2 whatever the command
      // (uninstall: it is as if it were missing)
      try {
        text = read(path, orElse);
      } catch (e) {
        if (!(o.brokenAsMissing && e instanceof UserError)) throw e;
        unreadable.add(path);
        continue;
      }
      try {
        if (text !== undefined) parsed(text);
      } catch (e) {
        if (o.brokenAsMissing && e instanceof UserError) {
          unreadable.add(path);
          continue;
        }
        // rollback: its text is broken, and a backup is whole; read from that one, said
        const good = o.brokenFromBackup && e instanceof UserError ? newestGood(path) : undefined;
        if (!good) throw e;
        text = good.text;
        const p = (e as UserError).problems[0]!;
        const at = p.path.startsWith(`${path}:`) ? `at ${p.path.slice(path.length + 1)}: ` : '';
        brokenConfig = { path, problem: `${at}${p.message.replace(/; (fix it|put it back|put back|move it).*$/, '')}` };
      }
    }
    if (text === undefined) continue;
    files[fileKey(f.base, f.rel)] = text;
  }
  // The configuration file is the install: without it there is nothing here, unless hd-setup recorded an
  // install here (its config deleted or moved by hand, its containers perhaps running): found, and said.
  // Uninstall finds one uninstalled whose kept config is there but broken: --purge deletes what is left.
  const first = reads.files[0];
  const configMissing = first && files[fileKey(first.base, first.rel)] === undefined ? pathOf(first) : undefined;
  const brokenKept = kept && configMissing !== undefined && unreadable.has(configMissing);
  if (configMissing && (!rec || kept) && !brokenKept) return undefined;
  const bin = which(loc.runtime, o.env.PATH);
  const found = bin ? await inspectContainers(bin, product.containerNames) : {};
  // Another install's container of the same name says nothing about this one: decode does not read it, it
  // does not make this install "installed" (the plans and lifecycle commands refuse to touch it, plan/containers.ts assertOwned).
  const isOurs = (c: ContainerState) => Boolean(loc.installDir) && ownershipOf(c, loc.installDir!).owned;
  const all = Object.values(found).filter((c): c is ContainerState => Boolean(c));
  const containers = all.filter(isOurs);
  const foreign = all.filter((c) => !isOurs(c));
  // (An install that stopped before it wrote its config, its record "started", is not one: none was there.)
  if (configMissing && rec?.state !== 'installed' && containers.length === 0 && !brokenKept) return undefined;
  const ours = (n: string) => containers.find((c) => c.name === n);
  // Uninstalled with the config kept: what its containers said is in its record (service/lifecycle.ts uninstall).
  const uninstalled = rec?.state === 'uninstalled' && containers.length === 0;
  // Quadlet (podman >= 4.4): the .container file is the container's definition (a stopped service has
  // removed its container), so it is what the read-back reads.
  const quadlet = (n: string) => (loc.runtime === 'podman' ? read(posix.join(o.home, QUADLET_DIR, `${n}.container`)) : undefined);
  const now = Object.fromEntries(reads.containers.flatMap((n) => {
    const f = carriedBy(quadlet(n), ours(n));
    return f ? [[n, f]] : [];
  }));
  const facts = Object.fromEntries(
    reads.containers.map((n) => {
      const kept = o.containersInstead?.[n];
      if (kept) return [n, containerFacts(kept)];
      // Not there: what the record kept of it (an uninstall with the config kept, an install that stopped
      // before it ran the container, or a container removed by hand).
      const seen = now[n] ?? rec?.containers?.[n];
      return [n, seen ? containerFacts(seen) : undefined];
    }),
  );
  const carried = Object.fromEntries(Object.entries(now).map(([n, f]) => [n, keptForm(f)]));
  return { artifacts: { location: loc, files, containers: facts }, containers, foreign, carried, ...(uninstalled ? { uninstalled } : {}), ...(configMissing ? { configMissing } : {}), ...(brokenConfig ? { brokenConfig } : {}) };
}

/** The install at a location, read back; undefined when nothing is there. */
export async function detectAt(loc: Location, o: GatherOptions): Promise<DetectedInstall | undefined> {
  const g = await gather(loc, o);
  if (!g) return undefined;
  const product = findProduct(loc.product)!;
  let back;
  try {
    back = readBack(g.artifacts, { ...o.renderEnv, home: o.home });
  } catch (e) {
    const what = loc.runtime === 'kubernetes' ? `the values of ${describeLocation(loc)}` : `the files in ${loc.installDir}`;
    throw new UnreadableInstall([{ path: describeLocation(loc), message: `cannot read back ${what} (${(e as Error).message.split('\n')[0]}); fix or remove them, or point at another install with --preset/--set` }]);
  }
  // Kubernetes, uninstalled: the Secrets went with the release, so what the values say is stored there is
  // nowhere now. Each is the env: reference a new install reads it from (nothing counts as stored).
  // (Not one whose uninstall stopped: its Secrets may be there still, and it is read back whole, so that the
  // uninstall that ends the job knows them and their local copies.)
  if (g.uninstalled && !g.unfinished && loc.runtime === 'kubernetes') {
    for (const f of secretFields(back.preset)) {
      const at = f.path.split('.');
      if (isStored(getIn(back.preset, at))) setIn(back.preset, at, `env:${f.env}`);
    }
    back = { preset: back.preset, secretPaths: [] };
  }
  return { product, location: loc, preset: back.preset, secretPaths: back.secretPaths, containers: g.containers, foreign: g.foreign, ...(g.carried ? { carried: g.carried } : {}), ...(g.uninstalled ? { uninstalled: true } : {}), ...(g.unfinished ? { unfinished: true } : {}), ...(g.configMissing ? { configMissing: g.configMissing } : {}), ...(g.brokenConfig ? { brokenConfig: g.brokenConfig } : {}), ...(g.release ? { release: g.release } : {}), where: describeLocation(loc) };
}

/** Where installs live when nobody recorded them: each product's default place, on each container runtime. */
export function defaultLocations(home: string): Location[] {
  const out: Location[] = [];
  for (const p of PRODUCTS) for (const rt of ['docker', 'podman'] as ContainerRuntime[]) if (p.runtimes.includes(rt)) out.push(p.locate({}, rt, home));
  return out;
}

export interface ManifestObject {
  kind: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * The kinds, of these, that have objects hd-setup applied for the release (by its labels). A kind the
 * cluster does not serve (no ExternalSecret CRD) has none. One that cannot be listed (forbidden, no answer)
 * is an error (exit 1) naming it: before anything is removed, never an object left behind unsaid.
 */
export async function kindsPresent(loc: Location, kinds: string[]): Promise<string[]> {
  if (kinds.length === 0 || !which('kubectl')) return [];
  const selector = managedSelector(loc.release ?? '');
  const found = await Promise.all(kinds.map((kind) => run(['kubectl', ...(loc.context ? ['--context', loc.context] : []), `--request-timeout=${REQUEST_TIMEOUT}`, 'get', kind, '-n', loc.namespace ?? 'default', '-l', selector, '-o', 'name'], { timeoutMs: KUBE_PROCESS_TIMEOUT_MS })));
  const unserved = (stderr: string) => /doesn't have a resource type|could not find the requested resource/i.test(stderr);
  const failed = kinds.findIndex((_, i) => found[i]!.exitCode !== 0 && !unserved(found[i]!.stderr));
  if (failed >= 0) {
    const why = toolStderr(found[failed]!.stderr).trim().split('\n')[0] || (found[failed]!.failure === 'timeout' ? 'no answer in time' : `exit ${found[failed]!.exitCode}`);
    const ns = loc.namespace ?? 'default';
    throw new UserError([{ path: '', message: `cannot uninstall: the ${kinds[failed]} objects hd-setup applied in namespace ${ns} cannot be listed (${why}); nothing was changed. Fix the access, or delete them yourself (kubectl delete ${kinds[failed]} -n ${ns} -l ${selector}), then uninstall again` }], 1);
  }
  return kinds.filter((_, i) => found[i]!.exitCode === 0 && found[i]!.stdout.trim() !== '');
}

/** How far these Deployments are scaled now (spec.replicas; left out: 1), by name; undefined when kubectl cannot say. */
export async function replicasNow(loc: Location, names: string[]): Promise<Record<string, number> | undefined> {
  if (names.length === 0 || !which('kubectl')) return undefined;
  const r = await run(['kubectl', ...(loc.context ? ['--context', loc.context] : []), `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'deployments', ...names, '-n', loc.namespace ?? 'default', '-o', 'json'], { timeoutMs: KUBE_PROCESS_TIMEOUT_MS });
  if (r.exitCode !== 0) return undefined;
  try {
    const j = JSON.parse(r.stdout) as { kind?: string; items?: unknown[] } & Record<string, unknown>;
    const items = (j.kind === 'List' ? j.items ?? [] : [j]) as { metadata?: { name?: unknown }; spec?: { replicas?: unknown } }[];
    const out = Object.fromEntries(items.flatMap((d) => (typeof d.metadata?.name === 'string' ? [[d.metadata.name, typeof d.spec?.replicas === 'number' ? d.spec.replicas : 1]] : [])));
    return names.every((n) => n in out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Secrets a revision of a release reads that are not in its namespace now, that it does not make itself,
 * and that the revision running now (`current`) does not read either (a Secret hd-setup deleted once the
 * release no longer read it; not one missing for both, such as an ExternalSecret's target not filled yet):
 * a rollback to it would run pods that cannot start. Undefined when helm or kubectl cannot tell.
 */
export async function secretsMissingAt(loc: Location, revision: number, current: number): Promise<string[] | undefined> {
  const ns = loc.namespace ?? 'default';
  const ctx = loc.context ? ['--context', loc.context] : [];
  const manifest = (r: number) => run(['helm', 'get', 'manifest', loc.release ?? '', '--revision', String(r), '-n', ns, ...helmCtx(loc)], { timeoutMs: HELM_READ_TIMEOUT_MS });
  const [m, now, have] = await Promise.all([
    manifest(revision),
    manifest(current),
    run(['kubectl', ...ctx, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'secrets', '-n', ns, '-o', 'name'], { timeoutMs: KUBE_PROCESS_TIMEOUT_MS }),
  ]);
  if (m.exitCode !== 0 || now.exitCode !== 0 || have.exitCode !== 0) return undefined;
  const secretsOf = (text: string) => {
    const made = new Set<string>();
    const read = new Set<string>();
    loadAll(text, (doc) => {
      const d = doc as { kind?: string; metadata?: { name?: string } } | null;
      if (d?.kind === 'Secret' && d.metadata?.name) made.add(d.metadata.name);
      else if (d?.kind) for (const n of secretsReadBy(podSpecOf(d))) read.add(n);
    }, { schema: CORE_SCHEMA });
    return { made, read };
  };
  let target: ReturnType<typeof secretsOf>, running: ReturnType<typeof secretsOf>;
  try {
    [target, running] = [secretsOf(m.stdout), secretsOf(now.stdout)];
  } catch {
    return undefined;
  }
  const there = new Set(have.stdout.split('\n').filter(Boolean).map((l) => l.slice(l.indexOf('/') + 1)));
  return [...target.read].filter((n) => !target.made.has(n) && !there.has(n) && !running.read.has(n));
}

/** The objects of a release as helm rendered them (helm get manifest): the names the chart really gave. */
export async function releaseObjects(loc: Location, env: NodeJS.ProcessEnv = process.env): Promise<ManifestObject[] | undefined> {
  if (!which('helm', env.PATH)) return undefined;
  const r = await run(['helm', 'get', 'manifest', loc.release ?? '', '-n', loc.namespace ?? 'default', ...helmCtx(loc)], { timeoutMs: HELM_READ_TIMEOUT_MS });
  if (r.exitCode !== 0) return undefined;
  const out: ManifestObject[] = [];
  try {
    loadAll(r.stdout, (doc) => {
      const d = doc as { kind?: string; metadata?: { name?: string; labels?: Record<string, string> } } | null;
      if (d?.kind && d.metadata?.name) out.push({ kind: d.kind, name: d.metadata.name, labels: d.metadata.labels ?? {} });
    }, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  return out;
}
