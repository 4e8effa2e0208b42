// The lifecycle of an install: stop, start, restart, uninstall, rollback, status, doctor, export. Each
// acts on an install found by service/find.ts and changes none of its settings: what an install is comes
// from its read-back, and the choices it was installed with (skipped checks, --allow-root) from its record.
import { PRESET_HEADERS } from '../util/paths.js';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { readBoundedText } from '../util/bounded-read.js';
import { LIMITS } from '../model/limits.js';
import { sameLocation, type BaseModel, type Location } from '../model/base.js';
import { productOf, installName } from '../products/index.js';
import type { KubeSpec, ProductModule } from '../products/types.js';
import { choosingFlags, findAt, findContext } from './find.js';
import { getIn, leaves, setIn } from '../model/reconcile.js';
import { listPresets, parseSetPath, unsetIn } from '../model/load.js';
import { buildRaw } from '../products/load.js';
import { NOT_GIVEN } from '../model/stored.js';
import { goodBackups, latestGoodBackup, listBackups, purgeActions, strayBackups, type SkippedBackup } from '../util/fsx.js';
import { acquireLock, installLockKey, lockHolder, type Lock } from '../exec/lock.js';
import { backupValidator } from '../exec/local-state.js';
import { posix } from 'node:path';
import { UserError, formatProblem, type Problem } from '../model/errors.js';
import { withSecretRefs } from '../model/secret-refs.js';
import { secretConfigKeys, secretFieldAt, secretFields, secretValues } from '../products/secrets.js';
import { fileDiff } from '../plan/describe.js';
import { detectHost, detectRuntime } from '../exec/detect.js';
import { releaseObjects, releaseProblem, replicasNow, kindsPresent, secretsMissingAt, type DetectedInstall } from '../exec/installed.js';
import { configDigest, findRecord, forget, markStopped, readRegistry, remember, recordOf, type KeptContainer, type LastChange } from '../exec/registry.js';
import { allChecks } from '../exec/checks.js';
import { isFailed, type CheckReport, type FailedCheck, type Summary } from '../exec/events.js';
import { probeEndpoint } from '../exec/net.js';
import { containerStatus, kubeStatus, type ContainerStatus, type KubeStatus } from '../exec/status.js';
import { writeBundle } from '../exec/bundle.js';
import { bootCheck, bootLine, bootProblem, readBootState, type BootState } from '../exec/boot.js';
import { FINISH_BY_INSTALL, helmRollbackPlan, keptStopped, startPlanKubernetes, stopPlan, uninstallPlan, type Target } from '../plan/lifecycle.js';
import type { HostFacts, Plan } from '../plan/types.js';
import { assertOwned, configHash, foreignContainerError, HASH_LABEL, ownershipOf, type ContainerSpec } from '../plan/containers.js';
import { QUADLET_DIR, quadletService } from '../render/unit.js';
import { registryFile } from '../util/paths.js';
import { toYaml } from '../render/yaml.js';
import { redactor } from '../util/output.js';
import { maskUrl, maskUrlCredentials } from '../util/redact.js';
import { VERSION } from '../version.js';
import { configMissingNote, effectiveChoices, lenientModel, memoryLimitsOf, modelOfInstall, prepare, preflight, problemsInBrief, runPlan, runPlans, wholeProblems, type Choices, type Prepared, type Reporter } from './install.js';
import { baseDirs, installDirOf, renderForHost, stateDirOf } from './plan.js';
import type { NotGiven } from './given.js';

export async function hostFor(d: DetectedInstall): Promise<HostFacts> {
  return detectHost(d.location.runtime, { light: d.location.runtime === 'kubernetes' });
}

/**
 * The release facts of a Kubernetes install (deployments, selector, ...) from its read-back; undefined when
 * the read-back is not a whole model (a release left pending or failed before its values were complete).
 */
export function kubeOf(d: DetectedInstall): ReturnType<DetectedInstall['product']['kube']> | undefined {
  if (d.location.runtime !== 'kubernetes') return undefined;
  try {
    return d.product.kube(modelOfInstall(d));
  } catch {
    return undefined;
  }
}

/**
 * An install that is not there: uninstalled with its config kept, or a release that is not deployed. The
 * commands that need a working one (stop, start, restart, rollback without a revision to go back to) stop
 * here with its state and the fix (exit 1).
 */
export function requireUsableRelease(d: DetectedInstall, command: 'stop' | 'start' | 'restart' | 'rollback'): void {
  // Uninstalled (its config kept): nothing to stop or start; an install brings it back (on Kubernetes with
  // its Secrets, which went with the release).
  if (d.uninstalled) throw new UserError([{ path: '', message: `cannot ${command === 'rollback' ? 'roll back' : command}: ${keptConfigNote(d, choosingFlags(d.location, findContext().home))}` }], 1);
  const r = d.release;
  if (!r) return;
  const problem = releaseProblem(r);
  if (!problem) return;
  const usable = command === 'rollback' ? Boolean(r.lastGood) && !r.status.startsWith('pending-install') : r.status === 'failed' && kubeOf(d) !== undefined;
  if (!usable) throw new UserError([{ path: '', message: `cannot ${command}: ${problem.message}; fix: ${problem.fix}` }], 1);
}

export async function targetOf(d: DetectedInstall): Promise<Target> {
  const host = await hostFor(d);
  const k = kubeOf(d);
  return {
    location: d.location,
    runtimeBin: host.runtimeBin,
    home: host.home,
    systemdUser: host.systemdUser,
    // The local Secret copies go with the release, unless another context's install of the same name and
    // namespace shares them (the state dir does not name the context): then they stay, for that install.
    ...(d.location.runtime === 'kubernetes' ? { stateDir: stateDirOf(d.location, host.home), secretFiles: sharerOfStateDir(d.location, host.home, true) ? [] : secretFilesOf(stateDirOf(d.location, host.home), k), ...(d.uninstalled ? { releaseGone: true } : {}), ...(d.unfinished ? { leftovers: true } : {}) } : {}),
    containers: d.product.containerNames,
    // Uninstalled (config kept): its network went with it.
    ...(d.product.network && !d.uninstalled ? { network: d.product.network } : {}),
    ...(d.product.unitName ? { unitName: d.product.unitName } : {}),
    ...quadletOf(d, host.home),
    ...(await deploymentFacts(d, k)),
    ...(k ? { wait: { selector: k.selector, timeout: k.timeout, timeoutSetting: d.product.settingPath('timeout', 'kubernetes') } } : {}),
    managedKinds: k?.managedKinds ?? [],
    // (the files hd-setup writes in the install dir: a folder in one's place is not its to delete)
    ...(d.location.installDir ? { purgeActions: purgeActions(d.location.installDir, host.home, d.product.configFiles(d.location.runtime).filter((f) => f.base === 'install').map((f) => f.rel)) } : {}),
    ...(d.location.runtime !== 'kubernetes'
      ? {
          present: d.containers.map((c) => c.name),
          running: d.containers.filter((c) => c.running).map((c) => c.name),
          foreignPresent: d.foreign.length > 0,
          ...(d.product.unitName ? unitFacts(posix.join(host.home, '.config/systemd/user', d.product.unitName)) : {}),
        }
      : {}),
  };
}

/** The boot unit's file: there or not, a link (never followed) or not, and its backups. */
function unitFacts(file: string): Pick<Target, 'unitPresent' | 'unitLink' | 'unitBackups'> {
  let link: string | undefined;
  try {
    if (lstatSync(file).isSymbolicLink()) link = readlinkSync(file);
  } catch {
    /* not there */
  }
  return { unitPresent: link !== undefined || existsSync(file), ...(link !== undefined ? { unitLink: link } : {}), unitBackups: listBackups(file) };
}

/** The files hd-setup keeps for this install that hold a Secret's manifest, and exist now. */
/** The local copies of the Secrets (0600), and the backups made of them when they were rewritten (earlier secrets). */
function secretFilesOf(stateDir: string, k: KubeSpec | undefined): string[] {
  return (k?.secretManifests ?? []).map((rel) => posix.join(stateDir, rel)).flatMap((f) => [...(existsSync(f) ? [f] : []), ...listBackups(f)]);
}

/**
 * What the values hd-setup keeps hold, for the uninstall's words (the uninstall alone finds it out: status,
 * stop and start render nothing; doctor says a read-back that does not render as its `settings` check): whether values.yaml holds a secret (as the install renders it; a
 * read-back that is not whole or that no longer renders, a release edited by hand: as the file's mode says,
 * hd-setup writes such a file 0600), and how many backups of it there are (each 0600, whatever it holds).
 */
function valuesKept(stateDir: string, model: BaseModel | undefined, host: HostFacts): NonNullable<Target['valuesKept']> {
  const f = posix.join(stateDir, 'values.yaml');
  return { secret: (model && renderedSecret(model, host)) ?? modeSaysSecret(f), backups: listBackups(f).length };
}

/** Whether the install's values.yaml, as rendered now, holds a secret; undefined when it does not render. */
function renderedSecret(model: BaseModel, host: HostFacts): boolean | undefined {
  try {
    return renderForHost(model, host).some((r) => r.rel === 'values.yaml' && r.secret);
  } catch (e) {
    if (e instanceof UserError) return undefined;
    throw e;
  }
}

/** A file hd-setup wrote 0600: one that holds a secret. */
function modeSaysSecret(f: string): boolean {
  try {
    const st = lstatSync(f);
    return st.isFile() && (st.mode & 0o077) === 0;
  } catch {
    return false; // not there
  }
}

/** podman >= 4.4 installs: the containers' Quadlet files that exist, and the services generated from them. */
function quadletOf(d: DetectedInstall, home: string): { quadlet?: { services: string[]; files: string[] } } {
  if (d.location.runtime !== 'podman') return {};
  const names = d.product.containerNames.filter((n) => existsSync(posix.join(home, QUADLET_DIR, `${n}.container`)));
  return names.length ? { quadlet: { services: names.map(quadletService), files: names.map((n) => posix.join(home, QUADLET_DIR, `${n}.container`)) } } : {};
}

/** The boot units of an install and their files: the service unit, or (Quadlet) each container's generated service. */
function bootUnitsOf(t: Target): { unit: string; file: string; generated: boolean }[] {
  if (t.quadlet) return t.quadlet.services.map((unit, i) => ({ unit, file: t.quadlet!.files[i]!, generated: true }));
  return t.unitName ? [{ unit: t.unitName, file: posix.join(t.home, '.config/systemd/user', t.unitName), generated: false }] : [];
}

/** Kubernetes: the release's Deployments, and how far each is scaled now. */
async function deploymentFacts(d: DetectedInstall, k: KubeSpec | undefined): Promise<Pick<Target, 'deployments' | 'replicasNow'>> {
  const deployments = k && !d.uninstalled ? await deploymentsOf(d, k.deployments) : [];
  const now = await replicasNow(d.location, deployments.map((x) => x.name));
  return { deployments, ...(now ? { replicasNow: now } : {}) };
}

/**
 * The release's Deployments by the names the chart gave them (its manifest), matched by their labels;
 * the chart's default names only when the manifest cannot be read.
 */
async function deploymentsOf(d: DetectedInstall, wanted: { labels: Record<string, string>; name: string; replicas: number }[]): Promise<{ name: string; replicas: number }[]> {
  if (wanted.length === 0) return [];
  const objects = (await releaseObjects(d.location))?.filter((o) => o.kind === 'Deployment');
  return wanted.map((w) => {
    const hit = objects?.find((o) => Object.entries(w.labels).every(([k, v]) => o.labels[k] === v));
    return { name: hit?.name ?? w.name, replicas: w.replicas };
  });
}

function wholeModelOr(d: DetectedInstall): BaseModel {
  try {
    return modelOfInstall(d);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return d.preset as unknown as BaseModel;
  }
}

/** A lifecycle plan as a Prepared, so that it runs through the same executor and status screen. */
async function asPrepared(d: DetectedInstall, plan: Plan): Promise<Prepared> {
  // An install whose files no longer make a whole model (a release left pending or failed, a config.json
  // edited without its token) can still be stopped, rolled back and uninstalled: its preset as read back
  // stands in, since these plans need only where the install is.
  const model = kubeOf(d) || d.location.runtime !== 'kubernetes' ? wholeModelOr(d) : (d.preset as unknown as BaseModel);
  const host = await hostFor(d);
  return { loaded: { model }, product: d.product, location: d.location, host, state: { containers: {}, networks: [], images: [], files: {} }, plan };
}

/** docker/podman: refuse (exit 2) to stop or remove a container of the same name that another install made. */
function assertOwnContainers(d: DetectedInstall, t: Target): void {
  if (d.location.runtime !== 'kubernetes' && d.location.installDir) assertOwned(t.runtimeBin, [...d.containers, ...d.foreign], d.location.installDir);
}

/**
 * Uninstall removes only what is this install's: its own containers that are there, its unit if its file
 * is there. Nothing to do for an install that `uninstall` already removed, unless --purge (its config).
 */
export async function uninstallPlanFor(d: DetectedInstall, purge: boolean): Promise<Plan> {
  const t = await targetOf(d);
  // An install that is there: a same-named container of another install is refused (exit 2, naming its
  // owner), as stop and start do. Its config alone (--purge after an uninstall): that container is left alone.
  if (!d.uninstalled) assertOwnContainers(d, t);
  if (purge && t.stateDir) refuseSharedStateDir(d, t.stateDir);
  // What the values it keeps hold, said in its summary (kept without --purge)
  const kept = !purge && t.stateDir ? { valuesKept: valuesKept(t.stateDir, wholeModel(d), await hostFor(d)) } : {};
  // Only the kinds that have objects to delete: kubectl's error for a kind the cluster does not serve (no
  // ExternalSecret CRD) is no longer printed, and a delete that fails is a failure.
  return uninstallPlan({ ...t, ...kept, managedKinds: d.uninstalled && !d.unfinished ? [] : await kindsPresent(d.location, t.managedKinds) }, purge);
}

/**
 * Another context's recorded install of the same product, namespace and release: its files share the state
 * dir. `installedOnly`: one whose release is there (an uninstalled one keeps its values, not its Secret copies).
 */
function sharerOfStateDir(l: DetectedInstall['location'], home: string, installedOnly = false) {
  return l.runtime === 'kubernetes'
    ? readRegistry(home).find((r) => r.runtime === 'kubernetes' && r.product === l.product && r.namespace === l.namespace && r.release === l.release && !sameLocation(r, l) && (!installedOnly || r.state !== 'uninstalled'))
    : undefined;
}

/**
 * Kubernetes --purge deletes the directory of a namespace and release, which does not name the context: a
 * release of that name and namespace recorded in another context keeps its values and Secret copies there.
 */
function refuseSharedStateDir(d: DetectedInstall, dir: string): void {
  const l = d.location;
  const other = sharerOfStateDir(l, findContext().home);
  if (!other) return;
  throw new UserError([{ path: '--purge', message: `${dir} also holds the files of release ${l.release} in namespace ${l.namespace} of context ${other.context ?? '(the current one)'}; uninstall without --purge, and delete what is no longer needed there by hand` }]);
}

/**
 * An install that was uninstalled with its config kept: `uninstall` has nothing to do without --purge.
 * `choosing`: the flags that point at it when there are others (service/find.ts choosingFlags).
 */
export function nothingToUninstall(d: DetectedInstall, purge: boolean, choosing = ''): string | undefined {
  if (!d.uninstalled || d.unfinished || purge) return undefined;
  return `nothing to do: ${installName(d.location.product, d.location.runtime)} is not installed (uninstalled; ${keptWhere(d)}). To delete the ${keptWhat(d)} too: hd-setup uninstall --purge${choosing ? ` ${choosing}` : ''}`;
}

/**
 * What status says of a config an uninstall kept: the commands that install it again, as it was (the wizard
 * starts from it; a script exports it whole and installs that, its secrets kept from the install), or delete it.
 */
export function keptConfigNote(d: DetectedInstall, choosing = ''): string {
  return `${keptState(d)}; ${keptCommands(d, choosing)}`;
}

/** That it is not installed, and where its config is kept. */
const keptState = (d: DetectedInstall) =>
  d.unfinished
    ? `not installed: release ${d.location.release} is not there, and what hd-setup applied beside it may be left (a run that stopped, or helm uninstall by hand)`
    : `not installed: it was uninstalled and ${keptWhere(d)}`;

/** The commands that install a kept config again, or delete it. */
function keptCommands(d: DetectedInstall, choosing: string): string {
  const at = choosing ? ` ${choosing}` : '';
  if (d.unfinished) return `install it again (hd-setup install${at} …), or delete what is left (hd-setup uninstall${at})`;
  // the choices it was installed with, which the preset does not hold (export-preset names them too)
  const rec = findRecord(findContext().home, d.location);
  const root = `${rec?.allowRoot ? ' --allow-root' : ''}${(rec?.skipChecks ?? []).map((id) => ` --skip-check ${id}`).join('')}`;
  const needs = secretsToGive(d);
  const give = needs.length ? `, with ${needs.join(' and ')} exported (its Secrets went with the release)` : '';
  return `install it again (at a terminal: hd-setup${at}; in a script${give}: hd-setup export-preset${at} --out kept.yaml && hd-setup install --preset kept.yaml${root} --yes), or delete the ${keptWhat(d)} (hd-setup uninstall --purge${at})`;
}

/** doctor of a config an uninstall kept: the agent is not installed, which fails the check up (status says it alike). */
function keptReport(d: DetectedInstall): CheckReport {
  return { id: 'installed', status: 'fail', message: keptState(d), fix: keptCommands(d, choosingFlags(d.location, findContext().home)) };
}

/** Kubernetes keeps the release's values (no secret) in hd-setup's state dir; docker/podman the install dir. */
const keptWhat = (d: DetectedInstall) => (d.location.runtime === 'kubernetes' ? 'values' : 'config');
function keptWhere(d: DetectedInstall): string {
  if (d.location.runtime !== 'kubernetes') return `its config is kept in ${d.where}`;
  return `the values of ${d.where} are kept in ${stateDirOf(d.location, findContext().home)}`;
}

/** The environment variables the kept config's env: references name (secrets that nothing keeps now). */
function secretsToGive(d: DetectedInstall): string[] {
  return secretFields(d.preset).flatMap((f) => {
    const v = getIn(d.preset, f.path.split('.'));
    return typeof v === 'string' && v.startsWith('env:') ? [v.slice(4)] : [];
  });
}

export async function uninstall(d: DetectedInstall, plan: Plan, choices: Choices, report: Reporter, purge = false): Promise<Summary> {
  const p = await asPrepared(d, plan);
  const s = await runPlan(p, effectiveChoices(p, choices), report);
  const home = (await hostFor(d)).home;
  if (s.ok) {
    // The config is kept (no --purge): the record says so, with what only the containers knew.
    if (!purge) {
      const rec = findRecord(home, d.location);
      // (what they carried when found: a stopped Quadlet service has no container, its .container file says it)
      const kept = d.uninstalled ? (rec?.containers ?? {}) : { ...(rec?.containers ?? {}), ...(d.carried ?? {}) };
      remember(home, recordOf(d.location, { ...(rec?.skipChecks ? { skipChecks: rec.skipChecks } : {}), ...(rec?.allowRoot ? { allowRoot: true } : {}), ...(rec?.dockerHost ? { dockerHost: rec.dockerHost } : {}), ...(rec?.kubeContext ? { kubeContext: rec.kubeContext, ...(rec.kubeServer ? { kubeServer: rec.kubeServer } : {}), ...(rec.kubeconfig ? { kubeconfig: rec.kubeconfig } : {}) } : {}), ...(rec?.setPaths ? { setPaths: rec.setPaths } : {}) }, 'uninstalled', new Date(), kept));
    } else forget(home, d.location);
  }
  return s;
}

export async function stopPlanFor(d: DetectedInstall): Promise<Plan> {
  const t = await targetOf(d);
  assertOwnContainers(d, t);
  return stopPlan(t);
}

export async function stop(d: DetectedInstall, plan: Plan, report: Reporter): Promise<Summary> {
  const summary = await runPlan(await asPrepared(d, plan), {}, report);
  // status tells a stop someone asked for from an agent that died.
  if (summary.ok) markStopped(findContext().home, d.location, new Date());
  return summary;
}

/** The plan of a start: re-apply the installed configuration as it is (containers), or scale up (Kubernetes). */
export async function startPrepared(d: DetectedInstall, configRestored = false): Promise<Prepared> {
  if (d.location.runtime === 'kubernetes') {
    // The last change did not finish: the revision deployed runs, as it is, and the start says so (it said
    // nothing, and the agent ran the configuration from before that change as if started as installed).
    const last = unfinishedRelease(d);
    return asPrepared(d, startPlanKubernetes(await targetOf(d), last && !last.changing ? d.release?.revision : undefined));
  }
  const p = await prepare({ model: modelOfInstall(d) }, { noPull: true, ...(configRestored ? { configRestored } : {}) });
  // it re-applies the installed configuration: a start, not an install, as its screen and summary say
  return { ...p, plan: { ...p.plan, verb: 'starting' } };
}

export async function start(p: Prepared, choices: Choices, report: Reporter): Promise<Summary> {
  const summary = await runPlan(p, effectiveChoices(p, choices), report);
  // (a Kubernetes start scales up and applies nothing: a change that did not finish stays unfinished, as the
  // start's warning and status say)
  if (summary.ok) markStopped(p.host.home, p.location, undefined, p.location.runtime !== 'kubernetes');
  return summary;
}

/**
 * Restart: the start half's preflight runs first, with the install's own choices; when it fails, the
 * running agent is left alone and nothing is stopped.
 */
export async function restart(d: DetectedInstall, choices: Choices, report: Reporter): Promise<{ summary?: Summary; failed?: FailedCheck[] }> {
  const startP = await startPrepared(d);
  const failed = (await preflight(startP, effectiveChoices(startP, choices))).filter(isFailed);
  if (failed.length) return { failed };
  // One run, one summary, in the order it happens: the start's preflight, the stop (no "start again with
  // hd-setup start": the start follows), then the rest of the start, planned once the stop is done.
  const stopP = await asPrepared(d, { ...(await stopPlanFor(d)), nextSteps: [] });
  const isCheck = (st: Plan['steps'][number]) => st.actions.some((a) => a.kind === 'preflight');
  const rest = (p: Prepared): Prepared => ({ ...p, plan: { ...p.plan, steps: p.plan.steps.filter((st) => !isCheck(st)) } });
  // (its checks are the start's: the folders it makes and writes into, the memory limits it gives)
  const preP: Prepared = { ...startP, plan: { ...startP.plan, steps: startP.plan.steps.filter(isCheck), nextSteps: [] }, checksFor: startP.plan };
  const startSteps = rest(startP).plan.steps.length;
  // (a start with no preflight step of its own: no plan for it)
  const pre = preP.plan.steps.length ? [async () => ({ p: preP, c: effectiveChoices(startP, choices) })] : [];
  const summary = await runPlans(
    [
      ...pre,
      async () => ({ p: stopP, c: {} }),
      async () => {
        const p = rest(await startPrepared(d));
        return { p, c: effectiveChoices(p, choices) };
      },
    ],
    report,
    'restarting',
    // the steps still to come after each plan, for "[2/9]": the start's as planned before the stop
    [...(pre.length ? [stopP.plan.steps.length + startSteps] : []), startSteps, 0],
  );
  if (summary.ok) markStopped(stopP.host.home, d.location, undefined, d.location.runtime !== 'kubernetes');
  return { summary };
}

// ---- rollback ----

const strayWarned = new Set<string>();

/**
 * Files named as backups of `file` that hd-setup did not make (a name that is no time, or a time still to
 * come): rollback does not take them, said once each, by name (their text may hold secrets: not shown).
 */
export function warnStrayBackups(file: string): void {
  for (const s of strayBackups(file)) {
    if (strayWarned.has(s.path)) continue;
    strayWarned.add(s.path);
    process.stderr.write(`warning: ignoring ${s.path}: ${s.why}, so it is no backup hd-setup made (rollback does not use it; it is left as it is)\n`);
  }
}

/** The newest backup of a file that parses and is complete; empty or cut-off ones are passed over, with a warning. */
export function latestBackup(file: string): string | undefined {
  warnStrayBackups(file);
  const good = latestGoodBackup(file, backupValidator(file));
  for (const s of good?.skipped ?? []) process.stderr.write(`warning: skipping ${s.path}: ${s.why}\n`);
  return good?.path;
}

/**
 * docker/podman: the newest backup of the config file that makes a whole install in its place, read back
 * as the re-apply will read it (`restored`: the install so). One that does not (a hand edit backed up by an
 * earlier rollback) is passed over with a warning: restored, the re-apply would refuse it after the file was
 * already replaced.
 */
export async function latestWholeBackup(d: DetectedInstall, file: string): Promise<{ path: string; restored: DetectedInstall } | undefined> {
  for (const b of goodBackups(file, backupValidator(file))) {
    if (!b.path) {
      process.stderr.write(`warning: skipping ${b.skipped!.path}: ${b.skipped!.why}\n`);
      continue;
    }
    let problem: string | undefined;
    try {
      const restored = await findAt(d.location, findContext(), 'throw', { instead: { path: file, text: b.text } });
      const e = restored && wholeProblems(restored);
      if (restored && !e) return { path: b.path, restored };
      problem = e ? problemsInBrief(e) : 'nothing to read back';
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problem = problemsInBrief(e);
    }
    process.stderr.write(`warning: skipping ${b.path}: it does not make a whole install (${problem})\n`);
  }
  return undefined;
}

/** One change at a time per install: taken before acting; `waited` says another run held it (re-read then). */
export function lockAt(loc: Location, home: string): Promise<Lock> {
  return acquireLock(installLockKey(loc), home);
}

export async function configFileOf(d: DetectedInstall): Promise<string> {
  const host = await hostFor(d);
  const f = d.product.configFiles(d.location.runtime)[0]!;
  return posix.join(baseDirs(d.location, host)[f.base], f.rel);
}

export async function helmRollbackPlanFor(d: DetectedInstall): Promise<Plan> {
  const file = await configFileOf(d);
  const b = latestBackup(file);
  // A release that is not deployed goes back to the last revision that was; a deployed one to the one before.
  const revision = d.release && d.release.status !== 'deployed' ? d.release.lastGood : undefined;
  // A deployed first revision has none before it (helm said "release has no 0 version"): the runs since
  // changed no chart values (a Secret alone, which helm does not keep).
  if (d.release && d.release.status === 'deployed' && d.release.revision <= 1) {
    throw new UserError([{ path: '', message: `cannot roll back: release ${d.release.name} has no revision before ${d.release.revision} (the runs since it changed no chart values; a token or secret alone is not kept by helm); to go back to an earlier secret, install with it again (hd-setup install … with the old one)` }], 1);
  }
  // A revision that reads a Secret no longer there (hd-setup deleted it once the release stopped reading it):
  // its pods could not start. Refused before anything changes, with the way to get there.
  const target = revision ?? (d.release ? d.release.revision - 1 : undefined);
  const missing = d.release && target ? await secretsMissingAt(d.location, target, d.release.revision) : undefined;
  if (missing?.length) {
    throw new UserError([{ path: '', message: `cannot roll back: revision ${target} of release ${d.release!.name} reads Secret ${missing.join(', ')}, which is no longer in namespace ${d.location.namespace} (hd-setup deletes a Secret its release stops reading); install again with the settings you want back (hd-setup install …), which applies the Secrets they need` }], 1);
  }
  return helmRollbackPlan(await targetOf(d), b ? { from: b, to: file } : undefined, revision, stoppedSince(d));
}

/**
 * When the install was stopped with hd-setup stop and still is (no container of it runs): the time, as the
 * record says it. A rollback keeps it stopped: it restores the configuration, which the next start runs.
 */
export function stoppedSince(d: DetectedInstall): string | undefined {
  const at = findRecord(findContext().home, d.location)?.stoppedAt;
  if (!at || (d.location.runtime !== 'kubernetes' && d.containers.some((c) => c.running))) return undefined;
  return at.replace(/:\d\d\.\d+Z$/, 'Z').replace('T', ' ');
}

/**
 * What a docker/podman rollback goes back to. The install as the last change found it (its record's
 * `before`): the backup of the configuration file that holds the text it had then (none when that change
 * left the file as it is), and what its containers carried then (image, pull policy, memory, restart
 * policy). An install whose record has none (its last change made by an older hd-setup) goes back to the
 * newest whole backup of the file, its containers' settings staying as they are (`containers` absent).
 */
export interface RollbackTarget {
  backup?: { path: string };
  containers?: Record<string, KeptContainer>;
  /** The install as the rollback makes it, read back before anything changes. */
  restored: DetectedInstall;
  /** With `containers`: the install with the file alone put back (the live containers'): what the file decides. */
  fileAlone?: DetectedInstall;
  /** With `containers`: the settings given with --set then (the record's setPaths go back to them). */
  setPaths?: string[];
  /** A broken file put back as the last change left it: the hand edit alone is undone. */
  handEditOnly?: true;
  /**
   * With `handEditOnly`: the containers run that file already (their config hash is the one it makes), so
   * this is the install as it runs now, and the re-apply leaves them as they are. Absent with a broken file
   * otherwise: the settings the file held before it broke cannot be told (the newest backup may hold a
   * change a rollback undid since), and none is named.
   */
  running?: DetectedInstall;
}

export async function rollbackTarget(d: DetectedInstall, file: string): Promise<RollbackTarget | undefined> {
  warnStrayBackups(file);
  const before = findRecord(findContext().home, d.location)?.before;
  // A file broken by a hand edit: undoing that edit puts back the file as the last change left it, when a
  // backup holds it (a later rollback's); the containers run with it already.
  if (d.brokenConfig && before?.left) {
    const b = backupWithDigest(file, before.left);
    const restored = b && (await findAt(d.location, findContext(), 'throw', { instead: { path: file, text: b.text } }).catch((e: unknown) => (e instanceof UserError ? undefined : Promise.reject(e))));
    if (b && restored && !wholeProblems(restored)) return { backup: { path: b.path }, restored, handEditOnly: true, ...(runTheConfig(d, restored, await hostFor(d)) ? { running: restored } : {}) };
  }
  if (before) {
    const t = await lastChangeTarget(d, file, before);
    if (t) return t;
    process.stderr.write(`warning: no backup of ${file} holds it as the last change found it (changed by hand since, or that backup gone): rolling back to the newest whole backup of it, the containers' settings staying as they are\n`);
  }
  const b = await latestWholeBackup(d, file);
  return b && { backup: { path: b.path }, restored: b.restored };
}

async function lastChangeTarget(d: DetectedInstall, file: string, before: LastChange): Promise<RollbackTarget | undefined> {
  const now = readBoundedText(file, LIMITS.fileBytes, { followLink: false });
  let backup: { path: string; text: string } | undefined;
  // the file as it was then: as it is now (the change left it alone, so a hand edit since is the user's and
  // stays: no backup holds the text it found, as none was made), or the backup that holds that text
  const leftAlone = before.left !== undefined && before.left === before.config;
  if (before.config !== undefined && !(now.ok && !d.brokenConfig && (leftAlone || configDigest(findContext().home, now.text) === before.config))) {
    backup = backupWithDigest(file, before.config);
    if (!backup) return undefined;
  }
  const instead = backup ? { instead: { path: file, text: backup.text } } : {};
  let fileAlone: DetectedInstall | undefined;
  try {
    fileAlone = backup ? await findAt(d.location, findContext(), 'throw', instead) : d;
  } catch (e) {
    if (e instanceof UserError) return undefined; // the backup does not read back: the newest whole one then
    throw e;
  }
  if (!fileAlone || (backup && wholeProblems(fileAlone))) return undefined;
  // what the record says the containers carried: a value hd-setup would not have written is its fault
  const recordFault = (why: string) => new UserError([{ path: registryFile(findContext().home), message: `the "before" of this install (what rollback goes back to) does not read back (${why}); remove that entry (rollback then goes back to the newest backup of ${file}), or install again with the settings you want` }]);
  let restored: DetectedInstall | undefined;
  try {
    restored = await findAt(d.location, findContext(), 'throw', { ...instead, containersInstead: before.containers });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    throw recordFault(problemsInBrief(e));
  }
  if (!restored) return undefined;
  const problems = wholeProblems(restored);
  if (problems) throw recordFault(problemsInBrief(problems));
  return { ...(backup ? { backup: { path: backup.path } } : {}), containers: before.containers, restored, fileAlone, ...(before.setPaths ? { setPaths: before.setPaths } : {}) };
}

/** The newest backup of a file whose text has this digest (the broken ones before it said, once found). */
function backupWithDigest(file: string, digest: string): { path: string; text: string } | undefined {
  const skipped: SkippedBackup[] = [];
  for (const b of goodBackups(file, backupValidator(file))) {
    if (b.path && configDigest(findContext().home, b.text) === digest) {
      for (const s of skipped) process.stderr.write(`warning: skipping ${s.path}: ${s.why}\n`);
      return { path: b.path, text: b.text };
    }
    if (b.skipped) skipped.push(b.skipped);
  }
  return undefined;
}

/**
 * A rollback of an agent stopped with hd-setup stop restores the file only: one that would put back what
 * the containers carry is refused (it cannot without running them), naming that and the way.
 */
export function stoppedRefusal(d: DetectedInstall, target: RollbackTarget): UserError | undefined {
  const stopped = stoppedSince(d);
  const carried = target.containers ? settingsPutBack(d, target).filter((s) => !s.fromFile) : [];
  if (!stopped || carried.length === 0) return undefined;
  const flags = choosingFlags(d.location, findContext().home);
  const cmd = (c: string) => `hd-setup ${c}${flags ? ` ${flags}` : ''}`;
  return new UserError([{ path: '', message: `cannot roll back while the agent is stopped (hd-setup stop, ${stopped}): the last change also set ${carried.map((s) => s.path).join(', ')}, which the containers carry and only a rollback that runs them puts back; start it, roll back, and stop it again: ${cmd('start')} && ${cmd('rollback')} && ${cmd('stop')}` }]);
}

/**
 * docker/podman rollback: restore the config file from its backup, then re-apply it with what the
 * containers carried then (the install as restored, read back once the restore is done): one run with one
 * summary, as a restart is. Its record's `before` then says how the install was: a second rollback undoes it.
 */
export async function rollbackFromBackup(d: DetectedInstall, file: string, target: RollbackTarget, choices: Choices, report: Reporter): Promise<Summary> {
  const home = findContext().home;
  const rec0 = findRecord(home, d.location);
  const carried = d.carried ?? {};
  const undo: LastChange | undefined = Object.keys(carried).length ? { containers: carried, ...(readable(file) !== undefined && !d.brokenConfig ? { config: configDigest(home, readable(file)!) } : {}), ...(rec0?.setPaths?.length ? { setPaths: rec0.setPaths } : {}) } : undefined;
  const restoreP = target.backup ? await asPrepared(d, restorePlan(d, file, target.backup.path)) : undefined;
  const stopped = stoppedSince(d);
  // A repair (a file broken by hand put back as the last change left it) changes no setting: the record's
  // last change stays, so the rollback after it undoes that change (it said "puts back no setting").
  const repair = Boolean(d.brokenConfig && target.handEditOnly);
  const done = (s: Summary) => {
    if (!s.ok) return s;
    if (!stopped) markStopped(home, d.location, undefined);
    const rec = findRecord(home, d.location);
    if (rec && !repair) {
      // the settings given with --set go back with their values (a later bare re-run keeps or refuses them)
      const { setPaths: now, before: _, containers: had, ...rest } = rec;
      const setPaths = target.containers ? target.setPaths : now;
      const left = readable(file);
      const before = undo && left !== undefined ? { ...undo, left: configDigest(home, left) } : undo;
      // what the containers carry now: what it put back (a container removed later is read back as that)
      const containers = target.containers ? { ...had, ...target.containers } : had;
      remember(home, { ...rest, ...(setPaths?.length ? { setPaths } : {}), ...(containers && Object.keys(containers).length ? { containers } : {}), ...(before ? { before } : {}), updatedAt: new Date().toISOString() });
    }
    return s;
  };
  // Stopped with hd-setup stop: the file is restored and the agent stays stopped (a start runs it with it).
  // What only the containers carry cannot be put back without running them: refused when that differs.
  if (stopped) {
    const refused = stoppedRefusal(d, target);
    if (refused) throw refused;
    if (!restoreP) return done(await runPlan(await asPrepared(d, { product: d.location.product, runtime: d.location.runtime, files: [], nextSteps: [keptStopped(stopped)], steps: [] }), choices, report));
    const p = { ...restoreP, plan: { ...restoreP.plan, verb: 'rolling back', nextSteps: [keptStopped(stopped)] } };
    return done(await runPlan(p, effectiveChoices(p, choices), report));
  }
  // What the restore changes (a secret alone too) must reach the containers: they are recreated then.
  const changes = rollbackRecreates(file, target);
  const as = target.containers ? { containersInstead: target.containers } : {};
  const reapply = async () => {
    const restored = await findAt(d.location, findContext(), 'throw', as);
    if (!restored) throw new UserError([{ path: '', message: `the restored install at ${d.where} cannot be read back; run hd-setup doctor` }]);
    const p = await startPrepared(restored, changes);
    return { p, c: effectiveChoices(p, choices) };
  };
  if (!restoreP) {
    const { p, c } = await reapply();
    return done(await runPlan({ ...p, plan: { ...p.plan, verb: 'rolling back' } }, c, report));
  }
  // the steps the re-apply will have, as planned for the install as the backup makes it: "[1/8]", not "[1/1]"
  const expected = (await startPrepared(target.restored, changes)).plan.steps.length;
  return done(await runPlans([async () => ({ p: restoreP, c: effectiveChoices(restoreP, choices) }), reapply], report, 'rolling back', [expected, 0]));
}

/** A file's text (read bounded, not through a link), or undefined. */
function readable(p: string): string | undefined {
  const r = readBoundedText(p, LIMITS.fileBytes, { followLink: false });
  return r.ok ? r.text : undefined;
}

/**
 * The settings a rollback puts back, by path: their value now and then (secrets: only that they change),
 * and whether the configuration file holds them (else the containers do).
 */
export interface SettingPutBack {
  path: string;
  /** The value now and then (a secret's: absent). */
  now?: unknown;
  then?: unknown;
  /** The value is the default (the minimal preset leaves it out); `now`/`then` hold the default's value, if any. */
  nowDefault?: true;
  thenDefault?: true;
  secret: boolean;
  /** The configuration file holds it (else the containers do). */
  fromFile: boolean;
}

/** The whole model of an install (defaults filled in), when it makes one. */
function wholeModel(d: DetectedInstall): BaseModel | undefined {
  try {
    return modelOfInstall(d);
  } catch {
    return undefined;
  }
}

export function settingsPutBack(d: DetectedInstall, target: RollbackTarget): SettingPutBack[] {
  const flat = (o: Record<string, unknown>) => new Map(leaves(o).map(([p, v]) => [p.join('.'), JSON.stringify(v)]));
  // A broken file: the install as it runs, when that is known; else what the file held is not (the install
  // was read from the newest whole backup, which a rollback may have replaced since): only what the
  // containers carry (their own labels) is named.
  const current = target.running ?? d;
  const fileUnknown = nowUnknown(d, target);
  const [now, then] = [flat(current.preset), flat(target.restored.preset)];
  const secret = new Set([...current.secretPaths, ...target.restored.secretPaths]);
  const paths = [...new Set([...now.keys(), ...then.keys()])].filter((p) => now.get(p) !== then.get(p)).sort();
  // what the containers decide: what differs between the file put back alone and with the containers' settings
  const alone = target.fileAlone ? flat(target.fileAlone.preset) : then;
  const containerPaths = new Set([...new Set([...alone.keys(), ...then.keys()])].filter((p) => alone.get(p) !== then.get(p)));
  const [nowModel, thenModel] = [wholeModel(current), wholeModel(target.restored)];
  // a value the minimal preset leaves out is the default: its value from the whole model, if it has one
  const side = (key: 'now' | 'then', flatted: Map<string, string>, model: BaseModel | undefined, path: string) => {
    if (flatted.has(path)) return { [key]: JSON.parse(flatted.get(path)!) as unknown };
    const v = model ? getIn(model as unknown as Record<string, unknown>, path.split('.')) : undefined;
    return { [`${key}Default`]: true, ...(v !== undefined ? { [key]: v } : {}) };
  };
  const all = paths.map((path) => ({
    path,
    ...side('now', now, nowModel, path),
    ...side('then', then, thenModel, path),
    secret: secret.has(path),
    fromFile: !containerPaths.has(path),
  }));
  return fileUnknown ? all.filter((s) => !s.fromFile) : all;
}

/** A broken file whose settings before it broke cannot be told: a rollback names only what the containers carry. */
export function nowUnknown(d: DetectedInstall, target: RollbackTarget): boolean {
  return Boolean(d.brokenConfig) && !target.running;
}

/**
 * The restore changes what the containers read (a secret alone too, which their config hash leaves out): the
 * re-apply recreates them. Not when it puts back the file they run already (a broken file, as the last
 * change left it: `running`): they are left as they are, as a start leaves them (it recreated them).
 */
export function rollbackRecreates(file: string, target: RollbackTarget): boolean {
  return Boolean(target.backup) && !target.running && !sameContent(file, target.backup!.path);
}

/**
 * What a docker/podman rollback restores, said before it runs: the settings it puts back (secrets: only
 * that they change), then the file's diff (masked: the backup's own secrets too, an older token). A broken
 * file's text is not shown: what secrets it holds cannot be told (the restore keeps it as a backup).
 */
export function rollbackPreview(d: DetectedInstall, file: string, target: RollbackTarget): { text: string; diff?: string; settings: SettingPutBack[] } {
  redactor.add(secretValues(target.restored.preset));
  const lines: string[] = [];
  const settings = settingsPutBack(d, target);
  const shown = (v: unknown, byDefault?: true) => `${v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v)}${byDefault && v !== undefined ? ' (the default)' : ''}`;
  // a secret: never shown, but whether the rollback removes it, sets it again or changes it is
  const secretChange = (s: SettingPutBack) =>
    s.thenDefault && s.then === undefined ? 'a secret: removed (the install it goes back to has none)' : s.nowDefault && s.now === undefined ? 'a secret, not set now: set again (its earlier value)' : 'a secret (its earlier value)';
  const broken = d.brokenConfig?.path === file ? d.brokenConfig : undefined;
  if (settings.length) lines.push(`It puts back:\n${settings.map((s) => `  ${s.path}: ${s.secret ? secretChange(s) : `${shown(s.now, s.nowDefault)} -> ${shown(s.then, s.thenDefault)}`}`).join('\n')}`);
  // a broken file: its settings cannot be read, and unless the containers run the file put back (a repair),
  // no backup can be told to hold them: none of the file's is named (what the containers carry is)
  const unknown = ', so what it holds now cannot be read, nor which backup holds what the containers run.';
  if (broken && nowUnknown(d, target)) lines.push(settings.length ? `It cannot name the settings it puts back in the file: it is broken${unknown}` : `It cannot name the settings it puts back: the file is broken${unknown}`);
  else if (!settings.length) lines.push(broken ? 'It puts back no setting: it undoes the hand edit alone, the settings staying as the last change left them.' : 'It puts back no setting: the install is as the last change found it.');
  if (broken) {
    lines.push(`${file} is broken (${broken.problem}); its text is not shown, as it may hold secrets. The restore keeps it beside the backups, as ${posix.basename(file)}.bak-<time of the rollback>.`);
    if (target.handEditOnly) lines.push(`It puts back ${posix.basename(target.backup!.path)}: the file as the last change hd-setup made left it.`);
    else lines.push(`No backup holds the file as the last change hd-setup made left it (it was edited in place): this goes back to ${target.backup ? posix.basename(target.backup.path) : 'the file'} as an earlier change left it, and what the last change set in the file is lost: install again with those settings after it (hd-setup install --preset … --set …).`);
  }
  let diff: string | undefined;
  if (!broken && target.backup) {
    const current = readable(file);
    diff = fileDiff({ path: posix.basename(file), base: 'install', rel: posix.basename(file), dest: file, content: readable(target.backup.path) ?? '', ...(current !== undefined ? { current } : {}), mode: 0o600, secret: true, description: '' }, redactor);
    lines.push(diff || `${file} is the same as the backup (secrets masked, a secret alone may differ)`);
  } else if (!broken) lines.push(`${file} stays as it is (the last change left it so).`);
  if (!target.containers && !target.handEditOnly) lines.push('Settings the containers carry, not the file (image, pull policy, memory, restart policy), are not in the backup and stay as they are; set one back with hd-setup install … --set.');
  return { text: `${lines.join('\n')}\n`, ...(diff ? { diff } : {}), settings };
}

/** Two files hold the same text (neither followed through a link); false when either cannot be read. */
function sameContent(a: string, b: string): boolean {
  const [x, y] = [readBoundedText(a, LIMITS.fileBytes, { followLink: false }), readBoundedText(b, LIMITS.fileBytes, { followLink: false })];
  return x.ok && y.ok && x.text === y.text;
}

export function restorePlan(d: DetectedInstall, file: string, backup: string): Plan {
  return {
    product: d.location.product,
    runtime: d.location.runtime,
    files: [],
    nextSteps: [],
    steps: [{ id: 'restore', title: `Restore ${posix.basename(file)} from ${posix.basename(backup)}`, actions: [{ kind: 'restore', from: backup, to: file }] }],
  };
}

export async function runLifecycle(d: DetectedInstall, plan: Plan, choices: Choices, report: Reporter): Promise<Summary> {
  const p = await asPrepared(d, plan);
  return runPlan(p, effectiveChoices(p, choices), report);
}

// ---- export ----

export function presetWithRefs(d: Pick<DetectedInstall, 'preset'>): { preset: Record<string, unknown>; vars: string[] } {
  return withSecretRefs(d.preset, secretFields(d.preset));
}

export function exportText(d: DetectedInstall): { text: string; preset: Record<string, unknown>; vars: string[]; flags: string[]; /** Where the values the variables stand for are kept (moving an install: the user must find them). */ kept?: string } {
  const { preset, vars } = presetWithRefs(d);
  // the variables are named by hd-setup (AGENT_HTTPS_PROXY, WAREHOUSE_PASSWORD): where their values are, never the values
  const f = d.product.configFiles(d.location.runtime)[0];
  const kept = !vars.length
    ? undefined
    : d.location.runtime === 'kubernetes' || !f
      ? "Their values are in the cluster (in the Secrets hd-setup applied, or in the release's values: a proxy URL, an inline secret): a re-run there keeps them when they are not exported"
      : `Their values are in ${posix.join(baseDirs(d.location, { home: findContext().home })[f.base], f.rel)} (0600) on this host: a re-run here keeps them when they are not exported; on another host, export them first`;
  // The choices it was installed with are no settings, so not in the preset: named, for the command that uses it
  const rec = findRecord(findContext().home, d.location);
  const flags = [...(rec?.allowRoot ? ['--allow-root'] : []), ...(rec?.skipChecks ?? []).flatMap((id) => ['--skip-check', id])];
  const header = `${PRESET_HEADERS.exported} ${d.where}\nSecrets are references: export ${vars.join(', ') || '(none)'} before using it.${kept ? `\n${kept}.` : ''}${flags.length ? `\nIt was installed with ${flags.join(' ')}, which a preset does not hold: add ${flags.length > 1 ? 'them' : 'it'} when you install from it: hd-setup install --preset <this file> ${flags.join(' ')} --yes` : ''}`;
  return { text: toYaml(preset, header), preset, vars, flags, ...(kept ? { kept } : {}) };
}

// ---- status ----

export interface StatusReport {
  product: string;
  runtime: string;
  where: string;
  versions: Record<string, unknown>;
  healthy: boolean;
  boot?: string;
  bootState?: { unit: string; enabled: BootState['enabled']; active: BootState['active']; linger: BootState['linger']; systemdUser: boolean };
  containers?: ContainerStatus[];
  release?: DetectedInstall['release'];
  pods?: KubeStatus['pods'];
  podsReady?: string;
  warnings?: string[];
  /**
   * Kubernetes: the release is not deployed (pending, failed, uninstalling), or the last change did not
   * finish; docker/podman, its containers running: the last change did not finish, or they do not run the
   * configuration on disk. What, and the fix.
   */
  problem?: { message: string; fix: string };
  /** false: uninstalled, only its config is kept (`kept` says so and what to do). */
  installed: boolean;
  kept?: string;
  /** Not running because `hd-setup stop` stopped it, at this time (ISO), not because it failed. */
  stoppedAt?: string;
  /** The last change (an install) began and did not finish (it failed, or was stopped), as its record says: running or not. */
  unfinished?: boolean;
  /** Another hd-setup (this PID) is changing the install now (it holds the install's lock): its change is under way, not unfinished. */
  changing?: number;
  /** docker/podman: the containers that run, but not the configuration on disk (their config-hash label is another's). */
  notApplied?: string[];
  /** docker/podman: the containers of its names that are not this install's (another install's, or not made by hd-setup): start refuses them. */
  foreign?: string[];
  /** docker/podman: its configuration file is gone (DetectedInstall.configMissing): what to say, with the ways on. */
  configMissing?: string;
  /** Its files cannot be read (find.ts BrokenInstall): the file and the fix, in one line (never its text). */
  broken?: string;
}

/** The status of an install whose files cannot be read: said, not probed (not healthy). */
export function brokenStatus(location: Location, where: string, note: string): StatusReport {
  return { product: location.product, runtime: location.runtime, where, installed: true, versions: { hdSetup: VERSION }, healthy: false, broken: note };
}

function imageOf(d: DetectedInstall): string | undefined {
  try {
    return d.product.image(modelOfInstall(d));
  } catch {
    return undefined;
  }
}

export async function status(d: DetectedInstall, choosing = ''): Promise<StatusReport> {
  const base = { product: d.location.product, runtime: d.location.runtime, where: d.where, installed: !d.uninstalled };
  if (d.uninstalled) {
    return { ...base, versions: { hdSetup: VERSION }, healthy: false, kept: keptConfigNote(d, choosing) };
  }
  const t = await targetOf(d);
  if (d.location.runtime !== 'kubernetes') {
    const rt = await detectRuntime(d.location.runtime);
    const found = await Promise.all(t.containers.map((n) => containerStatus(t.runtimeBin, n, redactor)));
    // A container that is not there (an install that stopped before it ran it, or removed by hand): the
    // image it runs, from the install's settings.
    const planned = found.some((c) => c.state === 'missing') ? imageOf(d) : undefined;
    // One of its names held by a container that is not this install's: not the agent (its logs are not ours to show).
    const foreign = foreignProblem(d);
    const mine = (c: ContainerStatus) => !foreign?.names.includes(c.name);
    const containers = found.map((c) => (c.state === 'missing' && planned ? { ...c, image: planned } : mine(c) ? c : { ...c, logs: [] }));
    const host = await hostFor(d);
    // Every boot unit (Quadlet: one per container), each said; the JSON's bootState is the first with a problem.
    const units = bootUnitsOf(t);
    const states = await Promise.all(units.map((u) => readBootState(u.unit, host.user)));
    const present = units.map((u) => existsSync(u.file));
    const lines = units.map((u, i) => (present[i] ? bootLine(states[i]!, u.generated, d.product.noun) : `${units.length > 1 ? `${u.unit}: ` : ''}no unit (run hd-setup install again to write it)`));
    const boot = units.length ? lines.join('; ') : 'restart policy of the containers';
    const worst = Math.max(0, units.findIndex((_, i) => !present[i] || bootProblem(states[i]!, d.product.noun) !== undefined));
    const unit = units[worst]?.file;
    const bs = states[worst];
    const running = containers.every((c) => c.running && mine(c)) && !d.configMissing;
    const applied = running ? await appliedProblem(d, host, choosing) : undefined;
    const unfinished = findRecord(findContext().home, d.location)?.state === 'started';
    const healthy = running && !applied;
    return {
      ...base,
      versions: { hdSetup: VERSION, [d.location.runtime]: rt.version, rootless: rt.rootless },
      healthy,
      ...(d.configMissing ? { configMissing: configMissingNote(d) } : {}),
      // (stopped with hd-setup stop, and its name taken since: the start that would follow refuses it)
      ...stoppedBy(d, running || foreign !== undefined),
      ...(unfinished ? { unfinished } : {}),
      ...(applied?.changing ? { changing: applied.changing } : {}),
      ...(applied?.notApplied.length ? { notApplied: applied.notApplied } : {}),
      ...(foreign ? { foreign: foreign.names, problem: { message: foreign.message, fix: foreign.fix } } : applied ? { problem: { message: applied.message, fix: applied.fix } } : {}),
      boot,
      ...(unit && bs ? { bootState: { unit, enabled: bs.enabled, active: bs.active, linger: bs.linger, systemdUser: bs.systemdUser } } : {}),
      containers,
    };
  }
  const k = kubeOf(d);
  const ks = await kubeStatus(d.location, k?.selector ?? `app.kubernetes.io/instance=${d.location.release}`);
  const ready = ks.pods.filter((p) => p.ready).length;
  // the pods the install runs when started (a Deployment scaled down by hand leaves fewer, all ready)
  const configured = k?.deployments.reduce((n, w) => n + w.replicas, 0);
  const problem = d.release ? releaseProblem(d.release) : undefined;
  const short = configured !== undefined && ks.pods.length > 0 && ready < configured;
  // deployed, running or stopped, but the last change did not finish (or is under way): its settings may not be
  // there (a start runs that revision as it is)
  const last = !problem ? unfinishedRelease(d, choosing) : undefined;
  const up = !problem && ks.pods.length > 0 && ready === ks.pods.length && !short;
  const healthy = up && !last;
  return {
    ...base,
    ...(d.release ? { release: d.release } : {}),
    versions: { hdSetup: VERSION, kubernetes: ks.kubernetes, helm: ks.helm },
    pods: ks.pods,
    podsReady: `${ready}/${short ? configured : ks.pods.length}`,
    warnings: ks.warnings,
    ...(last ? { unfinished: true, ...(last.changing ? { changing: last.changing } : {}) } : {}),
    ...(problem ? { problem } : last ? { problem: { message: last.message, fix: last.fix } } : short ? { problem: { message: `${ready} of the ${configured} pods the install runs are ready (a Deployment scaled down by hand?)`, fix: 'hd-setup start (scales each Deployment back to its replicas)' } } : {}),
    healthy,
    ...stoppedBy(d, up),
  };
}

/**
 * Kubernetes, its release deployed: the last change did not finish (its record says "started": it failed and
 * was rolled back, or was stopped, perhaps before helm ran), or another hd-setup is making it now (it holds
 * the install's lock). The deployed revision may not have its settings: an install run again applies them
 * (a start only scales; a rollback goes back a revision further).
 */
function unfinishedRelease(d: DetectedInstall, choosing = choosingFlags(d.location, findContext().home)): { message: string; fix: string; changing?: number } | undefined {
  const r = d.release;
  const home = findContext().home;
  if (!r || r.status !== 'deployed' || findRecord(home, d.location)?.state !== 'started') return undefined;
  const changing = lockHolder(installLockKey(d.location), home);
  if (changing) return { message: `another hd-setup (PID ${changing}) is changing it now`, fix: `wait for it to finish, then hd-setup status${choosing ? ` ${choosing}` : ''}`, changing };
  return {
    message: `the last change did not finish (it failed or was stopped): revision ${r.revision} of release ${r.name}, deployed now, may not have all of it`,
    fix: `${FINISH_BY_INSTALL}: it applies them`,
  };
}

/** The record says `hd-setup stop` stopped it (and it is not running now): when. */
function stoppedBy(d: DetectedInstall, running: boolean): { stoppedAt?: string } {
  const at = running ? undefined : findRecord(findContext().home, d.location)?.stoppedAt;
  return at ? { stoppedAt: at } : {};
}

/**
 * docker/podman: the containers of the install's names that are not its own (another install's, or not made
 * by hd-setup; the owner label start and uninstall check, plan/containers.ts ownershipOf), said as start says
 * it when it refuses them, with its fix; undefined when there is none.
 */
function foreignProblem(d: DetectedInstall): { names: string[]; message: string; fix: string } | undefined {
  const dir = d.location.installDir;
  if (d.location.runtime === 'kubernetes' || !dir) return undefined;
  const said = d.foreign.flatMap((c) => {
    const o = ownershipOf(c, dir);
    if (o.owned || !d.product.containerNames.includes(c.name)) return [];
    const p = foreignContainerError(d.location.runtime, c.name, dir, o).problems[0]!;
    return [{ name: c.name, message: `${p.path} ${p.message.replace(`; ${p.fix}`, '')}`, fix: p.fix ?? '' }];
  });
  if (!said.length) return undefined;
  return { names: said.map((s) => s.name), message: said.map((s) => s.message).join('; '), fix: [...new Set(said.map((s) => s.fix))].join('; ') };
}

/**
 * docker/podman: every container of `as` is there (in `d`, as found) and carries the configuration `as`
 * makes: its config-hash label is its hash (image, settings, the config file bar its secrets).
 */
function runTheConfig(d: DetectedInstall, as: DetectedInstall, host: HostFacts): boolean {
  const specs = specsOf(as, host);
  return specs.length > 0 && specs.every((spec) => {
    const h = d.carried?.[spec.name]?.labels[HASH_LABEL];
    return h !== undefined && h === configHash(spec);
  });
}

/** docker/podman: the containers the install's files make now (none when they do not read back whole). */
function specsOf(d: DetectedInstall, host: HostFacts): ContainerSpec[] {
  const model = wholeModel(d);
  if (!model) return [];
  try {
    return d.product.containers(model, host, installDirOf(model, host.home), renderForHost(model, host));
  } catch {
    return [];
  }
}

/**
 * docker/podman: the containers that run, but with another configuration than the one on disk: their
 * config-hash label is not the hash of the configuration the install's files make now (what `start`
 * compares: it recreates them). A configuration that does not read back whole is said elsewhere.
 */
function notRunningTheConfig(d: DetectedInstall, host: HostFacts): string[] {
  return specsOf(d, host)
    .filter((spec) => {
      const c = d.containers.find((x) => x.name === spec.name);
      return c?.running && c.labels[HASH_LABEL] !== undefined && c.labels[HASH_LABEL] !== configHash(spec);
    })
    .map((spec) => spec.name);
}

/** docker/podman: the containers that run, but not on the network the install runs them on (what `start` recreates them for, plan/containers.ts offNetwork). */
function offTheirNetwork(d: DetectedInstall, host: HostFacts): { name: string; network: string }[] {
  return specsOf(d, host).flatMap((spec) => {
    const c = d.containers.find((x) => x.name === spec.name);
    return spec.network && c?.running && c.networks !== undefined && !c.networks.includes(spec.network) ? [{ name: spec.name, network: spec.network }] : [];
  });
}

/**
 * docker/podman, its containers running: why the agent may not run the install as its files say, with the
 * fix; undefined when it does. Another hd-setup is changing it now (it holds the install's lock); the last
 * change did not finish (its record says "started": it failed or was stopped, perhaps before the containers
 * were recreated); or the containers carry another configuration than the file's (a hand edit since), or
 * are not on the install's network (it was removed or made again since they started: no network at all).
 * `choosing`: the flags that choose this install, for the commands named.
 */
export async function appliedProblem(d: DetectedInstall, host: HostFacts, choosing = choosingFlags(d.location, findContext().home)): Promise<{ message: string; fix: string; changing?: number; notApplied: string[] } | undefined> {
  if (d.location.runtime === 'kubernetes' || d.uninstalled || d.configMissing) return undefined;
  const cmd = (verb: string) => `hd-setup ${verb}${choosing ? ` ${choosing}` : ''}`;
  const unfinished = findRecord(host.home, d.location)?.state === 'started';
  const changing = unfinished ? lockHolder(installLockKey(d.location), host.home) : undefined;
  if (changing) return { message: `another hd-setup (PID ${changing}) is changing it now`, fix: `wait for it to finish, then ${cmd('status')}`, changing, notApplied: [] };
  const off = offTheirNetwork(d, host);
  if (off.length) {
    const names = off.map((o) => o.name).join(', ');
    const nets = [...new Set(off.map((o) => o.network))].join(', ');
    return {
      message: `${names} ${off.length > 1 ? 'are' : 'is'} not on network ${nets}, which the install runs ${off.length > 1 ? 'them' : 'it'} on (the network was removed, or made again, since ${off.length > 1 ? 'they' : 'it'} started?)`,
      fix: `${cmd('start')} recreates ${off.length > 1 ? 'them' : 'it'} on that network`,
      notApplied: [],
    };
  }
  const notApplied = notRunningTheConfig(d, host);
  const file = await configFileOf(d);
  const names = notApplied.join(', ');
  const run = notApplied.length > 1 ? 'run' : 'runs';
  if (unfinished) {
    return {
      message: notApplied.length
        ? `the last change did not finish (it failed or was stopped): ${names} still ${run} the configuration from before it, not the one in ${file}`
        : `the last change did not finish (it failed or was stopped): the agent may not run all of it (a secret it changed, start on boot)`,
      fix: `${cmd('start')} ${notApplied.length ? 'applies' : 'finishes'} it (or run the install again); ${cmd('rollback')} goes back to how it was before that change`,
      notApplied,
    };
  }
  if (!notApplied.length) return undefined;
  return {
    message: `${names} ${run} another configuration than the one in ${file} (changed since ${notApplied.length > 1 ? 'they were' : 'it was'} started: by hand?)`,
    fix: `${cmd('start')} applies it (it recreates ${names})`,
    notApplied,
  };
}

// ---- doctor ----

export async function doctor(d: DetectedInstall, choices: Choices): Promise<CheckReport[]> {
  const problem = d.release ? releaseProblem(d.release) : undefined;
  const last = !problem && !d.uninstalled ? unfinishedRelease(d) : undefined;
  const deployed = d.release && `release ${d.release.name} revision ${d.release.revision} is deployed`;
  const release: CheckReport[] = d.uninstalled
    ? [keptReport(d)]
    : problem
      ? [{ id: 'release', status: 'fail', ...problem }]
      : last
        ? [{ id: 'release', status: last.changing ? 'warn' : 'fail', message: `${deployed}, but ${last.message.replace(/: revision .*$/, ': it may not have all of it')}`, fix: last.fix }]
        : d.release
          ? [{ id: 'release', status: 'ok', message: deployed! }]
          : [];
  // Kubernetes, uninstalled: no release to check; the host checks of an install are doctor --preset's.
  if (d.uninstalled && d.location.runtime === 'kubernetes') return release;
  // A release left before its values were complete (not deployed): its state is what there is to say.
  if (d.location.runtime === 'kubernetes' && problem && !kubeOf(d)) return release;
  // Its configuration file is gone: that, and whether its containers run, is what there is to check (the
  // host checks need the install's settings); a bundle collects the rest for whoever helps.
  if (d.configMissing) return [{ id: 'config', status: 'fail', message: `its configuration file ${d.configMissing} is gone (deleted or moved?)`, fix: 'put it back, or install it again from its preset with its secrets (hd-setup install --preset … --reset), or remove the install (hd-setup uninstall)' }, ...agentReport(d)];
  // Settings edited by hand into what hd-setup refuses: a failed check, beside every other that can still run
  const settings = await settingsOf(d);
  const refused = settings.report ? [settings.report] : [];
  if (!settings.model || !settings.planModel) return [...release, ...refused, ...agentReport(d)];
  const bootUnits = d.location.runtime !== 'kubernetes' ? bootUnitsOf(await targetOf(d)) : [];
  const running = d.location.runtime !== 'kubernetes' && d.product.containerNames.every((n) => d.containers.some((c) => c.name === n && c.running));
  const applied = running ? await appliedProblem(d, await hostFor(d)) : undefined;
  const host = await doctorOf(settings.model, d.product, d.location.installDir, choices, bootUnits, true, undefined, settings.planModel);
  // a container of its name that is not this install's is container-owner's to say (whose, and the fix), once
  return [...release, ...refused, ...agentReport(d, applied, host.foreign), ...host.reports];
}

/**
 * doctor: the install's settings as read back (its configuration file, or its release's values) and the
 * models its other checks run with. Edited by hand into what hd-setup refuses (a value the model refuses, or
 * values that no longer render: a release's org changed with helm under its tobiko.url), `report` is a failed
 * `settings` check that names each setting, what is wrong with it and the fix (never its value: the model's
 * words), where docker/podman's install, start and export-preset refuse it, exit 2. The checks then read the
 * settings as they are where they parse (`model`: the vendor URL is the install's own), and the checks' plan
 * is made from them with a stand-in for each refused one (`planModel`, and `model` too where they do not
 * parse); neither, when one has no stand-in.
 */
async function settingsOf(d: DetectedInstall): Promise<{ report?: CheckReport; model?: BaseModel; planModel?: BaseModel }> {
  const host = await hostFor(d);
  let model: BaseModel | undefined;
  let problems: Problem[];
  try {
    model = lenientModel(d.preset);
    renderForHost(model, host);
    return { model, planModel: model };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    problems = e.problems;
  }
  const planModel = standInModel(d.preset, host);
  const one = problems.length === 1;
  const [it, they] = one ? ['it', 'it'] : ['them', 'they'];
  const what = problems.map(formatProblem).join('; ');
  const kube = d.location.runtime === 'kubernetes';
  const file = kube ? undefined : await configFileOf(d);
  const ran = !planModel ? '; the host checks need whole settings, and did not run' : !model ? `; the other checks ran without ${it}` : '';
  const message = kube ? `the values of ${d.where} do not make an install hd-setup renders (changed by hand since, with helm?): ${what}${ran}` : `${file} holds ${one ? 'a setting' : 'settings'} hd-setup refuses (edited by hand since?): ${what}${ran}`;
  // each as a --set gives it anew (a secret by its env: reference, never on the command line), or the one a
  // rule names; a problem no --set reaches: the install from its preset, replacing them all
  const env = new Map(secretFields(d.preset).map((f) => [f.path, f.env]));
  const sets = problems.map((p) => {
    if (p.fixSets?.length && p.fix) return p.fix;
    const at = setPathOf(p.path);
    return at && `--set ${p.path}=${env.has(at) ? `env:${env.get(at)}` : '…'}`;
  });
  const again = sets.every(Boolean) ? `run the install again with ${it} as ${they} should be: hd-setup install --preset … ${[...new Set(sets)].join(' ')}` : 'install it again from its preset with its secrets: hd-setup install --preset … --reset';
  // (Kubernetes: a helm upgrade by hand made a revision of its own; the one before it is what hd-setup made)
  const back = kube && d.release && d.release.revision > 1 ? `; or go back to the revision before (${d.release.revision - 1}): hd-setup rollback` : '';
  // (docker/podman: a file corrected by hand reaches the containers when start recreates them)
  const start = ['hd-setup start', choosingFlags(d.location, host.home)].filter(Boolean).join(' ');
  const fix = kube ? `${again}${back}` : `${again}; or correct ${it} in ${file}, then ${start}`;
  return { report: { id: 'settings', status: 'fail', message, fix }, ...(model ? { model } : planModel ? { model: planModel } : {}), ...(planModel ? { planModel } : {}) };
}

/** A problem's path as the dotted path secretFields names (undefined: none a --set reaches). */
function setPathOf(path: string): string | undefined {
  try {
    return path ? parseSetPath(path).map(String).join('.') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings the checks' plan is made from, when the read-back's are refused: each refused one in turn
 * stands in, as a setting the host checks do not read: a secret as one not given (doctor before an install
 * does the same), another left out, or, one the install needs, the value a bundled preset of the product has
 * there (or at the nearest setting above it); undefined when none does.
 */
function standInModel(preset: Record<string, unknown>, host: HostFacts): BaseModel | undefined {
  const out = structuredClone(preset);
  const tried = new Set<string>();
  let sample: Record<string, unknown> | undefined;
  for (let i = 0; i < 40; i++) {
    try {
      const model = lenientModel(out);
      renderForHost(model, host);
      return model;
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const problem = e.problems[0];
      const at = problem && setPathOf(problem.path);
      if (!at) return undefined;
      const segments = parseSetPath(problem.path);
      const path = segments.map(String);
      const once = (how: string, p = path) => !tried.has(`${how} ${JSON.stringify(p)}`) && Boolean(tried.add(`${how} ${JSON.stringify(p)}`));
      const secret = secretFieldAt(out, at);
      if (secret && once('secret')) {
        if (secret.kind === 'userinfo') unsetIn(out, segments);
        else setIn(out, path, NOT_GIVEN);
        continue;
      }
      if (getIn(out, path) !== undefined && once('unset')) {
        unsetIn(out, segments);
        continue;
      }
      sample ??= bundledSample(preset);
      const above = sample ? path.map((_, n) => path.slice(0, path.length - n)).find((p) => getIn(sample, p) !== undefined && once('sample', p)) : undefined;
      if (!above) return undefined;
      setIn(out, above, structuredClone(getIn(sample, above)));
    }
  }
  return undefined;
}

/** A bundled preset of the read-back's product (of its runtime, if one is), as its file says it. */
function bundledSample(preset: Record<string, unknown>): Record<string, unknown> | undefined {
  const of = listPresets().flatMap((p) => {
    try {
      const raw = buildRaw({ preset: p.file, sets: [], env: {} }).raw;
      return raw.product === preset.product ? [raw] : [];
    } catch {
      return [];
    }
  });
  return of.find((r) => r.runtime === preset.runtime) ?? of[0];
}

/**
 * docker/podman: whether the agent's containers run (doctor checked the host only: a dead agent passed), and
 * run the install as its files say (`applied`: why not; a change under way is a warning).
 */
function agentReport(d: DetectedInstall, applied?: Awaited<ReturnType<typeof appliedProblem>>, ownerReports: readonly string[] = []): CheckReport[] {
  if (d.location.runtime === 'kubernetes' || d.uninstalled) return [];
  // a container of its name that is not this install's: not the agent, and not one start would run (it
  // refuses it); when the container-owner check says whose it is and the fix (`ownerReports`: the containers
  // it reports, by name), agent refers to it (both said it whole)
  const foreign = foreignProblem(d);
  if (foreign && foreign.names.every((n) => ownerReports.includes(n))) {
    const many = foreign.names.length > 1;
    return [{ id: 'agent', status: 'fail', message: `container${many ? 's' : ''} ${foreign.names.join(', ')} ${many ? 'are' : 'is'} not this install's`, fix: `see container-owner: whose ${many ? 'they are' : 'it is'}, and the fix` }];
  }
  if (foreign) return [{ id: 'agent', status: 'fail', message: foreign.message, fix: foreign.fix }];
  const names = d.product.containerNames;
  const down = names.filter((n) => !d.containers.some((c) => c.name === n && c.running));
  const up = `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} running`;
  if (!down.length && applied) return [{ id: 'agent', status: applied.changing ? 'warn' : 'fail', message: `${up}, but ${applied.message}`, fix: applied.fix }];
  if (!down.length) return [{ id: 'agent', status: 'ok', message: up }];
  const bin = d.location.runtime;
  const say = down.map((n) => {
    const c = d.containers.find((x) => x.name === n);
    return c ? `${n} is ${c.status}` : `${n} is not there`;
  });
  const stopped = stoppedSince(d);
  if (stopped) return [{ id: 'agent', status: 'warn', message: `${say.join(', ')}: stopped with hd-setup stop (${stopped})`, fix: 'hd-setup start' }];
  // (its logs went with a container that is not there: only one that exited has them)
  const exited = down.find((n) => d.containers.some((c) => c.name === n));
  return [{ id: 'agent', status: 'fail', message: say.join(', '), fix: exited ? `see why: ${bin} logs ${exited}; then hd-setup start` : 'hd-setup start (it runs it again as it was installed)' }];
}

/**
 * Before an install: the host checks an install of this model would run (the runtime, its version and
 * socket, root, disk and memory, the cluster's reachability, rights and namespace), the vendor
 * endpoints and the clock; as the vendor's precheck scripts do, so a host can be checked first.
 */
export async function doctorBefore(model: BaseModel, choices: Choices, notGiven: readonly NotGiven[] = []): Promise<CheckReport[]> {
  const product = productOf(model);
  // A proxy whose credentials were not given: the endpoints are reached through it, so they are not checked.
  const proxy = notGiven.find((n) => n.kind === 'userinfo');
  const unreached = proxy ? `not checked: ${proxy.path} is not given (${proxy.message}), and the vendor is reached through it` : undefined;
  const { reports } = await doctorOf(model, product, product.location(model, findContext().home).installDir, choices, [], false, unreached);
  const secrets: CheckReport[] = notGiven.map((n) => ({
    id: 'secret',
    status: 'skipped',
    message: `${n.path} is not given (${n.message}); ${n.kind === 'userinfo' ? 'the checks through the proxy were skipped for it' : 'no host check needs it'}, an install will`,
  }));
  return [...reports, ...secrets];
}

/** The boot checks of several units as one: the failing ones (warn, their fixes once each), else all ok. */
function oneBootCheck(each: CheckReport[]): CheckReport {
  if (each.length === 1) return each[0]!;
  const bad = each.filter((r) => r.status !== 'ok');
  if (!bad.length) return { id: 'boot', status: 'ok', message: each.map((r) => r.message).join('; ') };
  return { id: 'boot', status: 'warn', message: bad.map((r) => r.message).join('; '), fix: [...new Set(bad.map((r) => r.fix).filter(Boolean))].join(' && ') };
}

/** The host checks, and the containers the container-owner check reports as not this install's (by name). */
interface HostChecks {
  reports: CheckReport[];
  foreign: string[];
}

/**
 * `bootUnits`: the installed units to check (none before an install, or on Kubernetes). `planModel`: the
 * settings the checks' plan is made from, when `model` (what the checks read) does not render.
 */
async function doctorOf(model: BaseModel, product: ProductModule, installDir: string | undefined, choices: Choices, bootUnits: { unit: string; generated: boolean }[], installed = true, unreached?: string, planModel = model): Promise<HostChecks> {
  const d = { product, location: { installDir } };
  // A same-named container another install (or no install) made: an install would refuse (exit 2); doctor
  // reports it as one failed check with its fix, beside all the other host checks.
  const p = await prepare({ model: planModel }, { foreign: true });
  const foreign = (p.foreign ?? []).map((f) => f.container);
  const owners: CheckReport[] = (p.foreign ?? []).map(({ problem: { path, message, fix } }) => ({ id: 'container-owner', status: 'fail', message: `${path} ${message.replace(`; ${fix}`, '')}`, fix }));
  const c = installed ? effectiveChoices(p, choices) : { ...choices, ...(choices.allowRoot ? { allowRootFrom: 'flag' as const } : {}) };
  const pre = p.plan.steps.find((s) => s.id === 'preflight')?.actions[0];
  const checks = pre && pre.kind === 'preflight' ? pre.checks.filter((x) => x !== 'image-present') : [];
  const ctx = { model, product: d.product, host: p.host, state: p.state, installDir: d.location.installDir ?? p.host.home, allowRoot: Boolean(c.allowRoot), ...(c.allowRootFrom ? { allowRootFrom: c.allowRootFrom } : {}), memoryLimits: memoryLimitsOf(p.plan), env: process.env };
  const reports: CheckReport[] = [...owners];
  for (const id of checks) {
    if (c.skipCheck?.includes(id)) {
      // Skipped checks still run here, so doctor says how things are: a failure accepted with --skip-check
      // (now, or when it was installed) is a warning, named as accepted.
      const why = choices.skipCheck?.includes(id) ? `--skip-check ${id}` : 'skipped when it was installed';
      const check = allChecks[id];
      const r = check ? await check(ctx) : undefined;
      if (!r) reports.push({ id, status: 'skipped', message: `skipped (${why})` });
      else reports.push({ id, ...r, ...(r.status === 'fail' ? { status: 'warn' as const, message: `${r.message} (accepted: ${why})` } : {}) });
      continue;
    }
    if (unreached && id === 'egress') {
      reports.push({ id, status: 'skipped', message: unreached });
      continue;
    }
    const check = allChecks[id];
    if (check) reports.push({ id, ...(await check(ctx)) });
  }
  if (bootUnits.length && !c.skipCheck?.includes('boot')) {
    // one boot check for all the units (Quadlet: one per container): ok only when each is
    const each = await Promise.all(bootUnits.map(async (u) => bootCheck(await readBootState(u.unit, p.host.user), u.generated, p.product.noun)));
    reports.push(oneBootCheck(each));
  }
  if (unreached) return { reports: [...reports, { id: 'reachability', status: 'skipped', message: unreached }, { id: 'clock-skew', status: 'skipped', message: unreached }], foreign };
  let skewChecked = false;
  // Through the proxy the install uses, as the agent would.
  const proxyUrl = model.proxy?.https ?? model.proxy?.http;
  const proxy = proxyUrl ? { url: proxyUrl, noProxy: model.proxy?.noProxy ?? [] } : undefined;
  for (const url of product.endpoints(model)) {
    const host = new URL(url).host;
    const r = await probeEndpoint(url, 5000, proxy);
    const via = proxy && r.proxied ? ` through the proxy ${maskUrlCredentials(proxy.url)}` : '';
    if (!r.ok) {
      const report = unreachedReport(host, r.error ?? 'no answer', r.proxied ? proxy?.url : undefined);
      reports.push(model.runtime === 'kubernetes' ? fromThisHost(report, product.settingPath('egressCheck', 'kubernetes'), model) : report);
      continue;
    }
    reports.push({ id: 'reachability', status: 'ok', message: `${host} answers${via} (HTTP ${r.status})` });
    if (!skewChecked && r.date) {
      skewChecked = true;
      const skew = Math.round(Math.abs(Date.now() - Date.parse(r.date)) / 1000);
      reports.push(
        skew > 30
          ? { id: 'clock-skew', status: 'warn', message: `the clock differs from ${host} by ${skew}s`, fix: 'enable NTP time sync (timedatectl set-ntp true)' }
          : { id: 'clock-skew', status: 'ok', message: `clock within ${skew}s of ${host}` },
      );
    }
  }
  if (!skewChecked) reports.push({ id: 'clock-skew', status: 'warn', message: 'cannot check the clock: no endpoint answered', fix: 'check reachability first' });
  return { reports, foreign };
}

/**
 * Kubernetes: an endpoint this host does not reach says little of the cluster, where the agent runs (its DNS,
 * its proxy, its egress are the cluster's): a warning that says so, naming the egress check that looks from
 * inside it (a pod), not a failure.
 */
function fromThisHost(r: CheckReport, egressPath: string, model: BaseModel): CheckReport {
  const on = getIn(model as unknown as Record<string, unknown>, egressPath.split('.')) !== undefined;
  return {
    ...r,
    status: 'warn',
    message: `${r.message}; the agent runs in the cluster, which this does not check`,
    fix: `${r.fix}; ${on ? 'the egress check looks from inside the cluster' : `to check from inside the cluster: --set ${egressPath}={}`}`,
  };
}

/** An endpoint not reached, directly or through the proxy at proxyUrl: the cause named, with its fix. */
export function unreachedReport(host: string, error: string, proxyUrl?: string): CheckReport {
  const unresolved = error === 'ENOTFOUND' || error === 'EAI_AGAIN';
  if (proxyUrl) {
    // Through a proxy, a name that does not resolve is the proxy's own (the proxy resolves the endpoint).
    // one hd-setup took before it refused " < > \ ` unencoded in a URL's user and password (no client reads it)
    if (!URL.canParse(proxyUrl)) return { id: 'reachability', status: 'fail', message: `the proxy URL ${maskUrl(proxyUrl)} cannot be read as a URL, so ${host} was not reached`, fix: 'write its user and password with %XX escapes (" < > \\ and ` as %22, %3C, %3E, %5C and %60) and install with it: --set proxy.https=…' };
    const proxyHost = new URL(proxyUrl).hostname;
    if (unresolved) return { id: 'reachability', status: 'fail', message: `the proxy host ${proxyHost} does not resolve (${error}), so ${host} was not reached`, fix: `check the proxy's host name in proxy.https, and this host's DNS (getent hosts ${proxyHost})` };
    return { id: 'reachability', status: 'fail', message: `${host} is not reachable from this host through the proxy ${maskUrl(proxyUrl)} (${error})`, fix: 'check that the proxy allows CONNECT to it on port 443 and that its credentials are right, or change proxy.https' };
  }
  if (unresolved) return { id: 'reachability', status: 'fail', message: `${host} does not resolve on this host (${error})`, fix: `check this host's DNS (getent hosts ${host}); where only a proxy reaches the internet, configure it (--set proxy.https=...)` };
  return { id: 'reachability', status: 'fail', message: `${host} is not reachable from this host (${error})`, fix: 'allow outbound HTTPS to it in the firewall, or configure the proxy (--set proxy.https=...)' };
}

export async function bundle(file: string, d: DetectedInstall, reports: CheckReport[]): Promise<string> {
  const host = await hostFor(d);
  const configs = d.product.configFiles(d.location.runtime).map((f) => posix.join(baseDirs(d.location, host)[f.base], f.rel));
  return writeBundle(
    file,
    {
      location: d.location,
      presetYaml: toYaml(presetWithRefs(d).preset),
      doctorJson: JSON.stringify({ product: d.location.product, runtime: d.location.runtime, where: d.where, checks: reports }, null, 2),
      runtimeBin: host.runtimeBin,
      containers: d.product.containerNames,
      files: d.location.runtime === 'kubernetes' ? [] : configs,
      secretKeys: secretConfigKeys(d.preset),
      ...(d.configMissing ? { maskAllEnv: true } : {}),
    },
    redactor,
  );
}

export { UserError };
