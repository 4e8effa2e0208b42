// The install service: load a preset against what is installed, prepare a plan, check it, run it.
// The CLI's install command and the wizard both call these; they run no process themselves.
import { posix } from 'node:path';
import { UserError, type Problem } from '../model/errors.js';
import { buildRaw, parseModel, type Loaded } from '../products/load.js';
import { findOverrides, findResets, getIn, keepStoredSecrets, leaves, pathsOverlap, pathWithin, resetRefusal, setIn } from '../model/reconcile.js';
import type { BaseModel, Location } from '../model/base.js';
import { installName, productOf } from '../products/index.js';
import { secretFieldAt, secretFields, secretPaths } from '../products/secrets.js';
import { parseSetPath } from '../model/load.js';
import { envRefValue, isRef } from '../model/refs.js';
import { isStored } from '../model/stored.js';
import type { ProductModule } from '../products/types.js';
import { askRuntimeState, detectHost, detectState, inspectContainers, markMissingDirs, runtimeBinOf } from '../exec/detect.js';
import { ForeignContainerError, MEMORY_LABEL, OWNER_LABEL, usesQuadlet } from '../plan/containers.js';
import { storedSecretRewritten } from '../plan/kubernetes.js';
import { carriedBy, keptForm, type DetectedInstall } from '../exec/installed.js';
import { findRecord, findRecordOfInstall, holdsRecord, readRegistry, recordOf, remember, putBack, configDigest, type Replaced, type InstallRecord, type KeptContainer, type LastChange } from '../exec/registry.js';
import type { CheckReport, Emit, Summary } from '../exec/events.js';
import { execute } from '../exec/execute.js';
import { allChecks } from '../exec/checks.js';
import { kubernetesWatcher } from '../exec/watch.js';
import { currentContext } from '../exec/kube-contexts.js';
import { keepsReadBack, type HostFacts, type InstalledState, type Plan, type SettingChange } from '../plan/types.js';
import { printable, redactor } from '../util/output.js';
import { hasPassword } from '../util/url-userinfo.js';
import { shellQuote } from '../util/shell.js';
import { cancelExitCode, onInterrupt } from '../util/interrupt.js';
import { adoptOnlyInstall, choosingFlags, findAt, findContext, locationFromRaw, withContext } from './find.js';
import { baseDirs, buildPlan, locationOf, placeFiles, renderForHost, stateDirOf } from './plan.js';

/** The user's choices for an install that are not settings of the agent: remembered with the install. */
export interface Choices {
  skipCheck?: string[];
  allowRoot?: boolean;
  /** Where allowRoot came from (effectiveChoices): --allow-root now, or the install's record. */
  allowRootFrom?: 'flag' | 'install';
  /** The settings this run was given with --set or an HD_SETUP_* option (a.b[0]["dotted.key"]): recorded, so a later preset run does not revert them silently. */
  setPaths?: string[];
}

export interface LoadRequest {
  preset?: string;
  set?: string[];
  context?: string;
  /** The wizard's answers, instead of a preset file. */
  presetObject?: Record<string, unknown>;
  /** Apply exactly this preset: drop settings the install has that it does not mention, and take its values over an earlier --set's. */
  reset?: boolean;
}

export interface LoadedForInstall {
  loaded: Loaded;
  installed?: DetectedInstall;
  /** Stored secrets kept from the install. */
  kept: string[];
  /** Of those, the ones whose env: reference names a variable set but empty: path -> variable. */
  keptEmpty: Record<string, string>;
  /** The settings given with --set or an HD_SETUP_* option, secrets left out: for the install record. */
  setPaths: string[];
}


/** Load flags against what is installed: keep stored secrets, refuse silent resets (unless reset). */
export async function loadForInstall(req: LoadRequest, env: NodeJS.ProcessEnv = process.env): Promise<LoadedForInstall> {
  const built = buildRaw({ ...(req.preset ? { preset: req.preset } : {}), ...(req.presetObject ? { presetObject: req.presetObject } : {}), sets: req.set ?? [] });
  const { source, baseDir, warnings } = built;
  const raw = withContext(built.raw, req.context);
  for (const w of warnings) process.stderr.write(`warning: ${printable(w)}\n`);
  const c = findContext(env);
  const loc = locationFromRaw(raw, c.home);
  // (only --set product and runtime, nothing at their default place: the one install of them, where it is)
  const installed = (loc ? await findAt(loc, c, 'absent') : undefined) ?? (loc && !req.preset && !req.presetObject ? await adoptOnlyInstall(raw, c) : undefined);
  const validate = (r: Record<string, unknown>) => parseModel(structuredClone(r), { env, baseDir }).model;
  // What this run gives by name: its --sets and its HD_SETUP_* options (the same settings, from the environment).
  const { given } = built;
  const givenPaths = given.map(setPathSegments).filter((g): g is string[] => g !== undefined);
  let kept: string[] = [];
  const keptEmpty: Record<string, string> = {};
  if (installed) {
    // Kubernetes reads back the release's values, which helm checked: only a rule of this hd-setup that
    // refuses them (one a --set mends: Problem.fixSets) counts there. docker/podman: any problem of the files.
    const broken = req.reset ? undefined : readBackProblems(installed);
    // The install as this run would leave it: what it gives by name, and the settings a fix names that its preset holds.
    const fixPaths = (broken ?? []).flatMap((p) => p.fixSets ?? []).map(setPathSegments).filter((g): g is string[] => g !== undefined && getIn(raw, g) !== undefined);
    const mended = withGiven(installed.preset, [...givenPaths, ...fixPaths], raw);
    const fields = secretFields(installed.preset);
    // a proxy URL with a password in it: kept when the preset's reference to it gives nothing, as a secret is
    const partSecretPaths = fields
      .filter((f) => f.kind === 'userinfo' && hasPassword(String(getIn(installed.preset, f.path.split('.')) ?? '')))
      .map((f) => f.path);
    // The install's secrets, and values it holds that this run makes secret (a param it adds to secretParams): kept alike.
    const nowSecret = secretPaths(mended).filter((p) => !installed.secretPaths.includes(p) && getIn(installed.preset, p.split('.')) !== undefined);
    const secretRefs = Object.fromEntries(fields.map((f) => [f.path, `env:${f.env}`]));
    const inst = { product: installed.location.product, runtime: installed.location.runtime, preset: installed.preset, secretPaths: [...installed.secretPaths, ...nowSecret], partSecretPaths, secretRefs, where: installed.where, ...(installed.uninstalled ? { kept: true } : {}) };
    // A setting is secret if the registry says so (a URL with a password), or if it holds a value that is one.
    const isSecret = (v: unknown, path: string) => {
      const f = secretFieldAt(installed.preset, path);
      if (f && (f.kind === 'value' || (typeof v === 'string' && hasPassword(v)))) return f.env;
      return typeof v !== 'string' && typeof v !== 'object' ? false : redactor.leaks(typeof v === 'string' ? v : JSON.stringify(v));
    };
    // Files edited into something hd-setup would not write (a proxy URL with a space): what they hold cannot
    // be kept, and a re-run would drop it silently. Refused unless --reset says to replace them.
    // (Unless this run gives those settings anew: an install made before a check was added, fixed by --set.)
    if (broken) refuseBrokenReadBack(installed, broken, givenPaths, mended, env);
    // The stored secrets first: a run that gives none (only --set product=… runtime=…, or a preset whose
    // env: reference is unset) is otherwise invalid with every setting added back, and so seems to reset nothing.
    const refsBefore = structuredClone(raw);
    kept = keepStoredSecrets(raw, inst, env, validate, givenPaths);
    // kept because its env: reference names a variable set but empty (a CI secret not defined comes out so): said
    for (const k of kept) {
      const v = getIn(refsBefore, k.split('.'));
      if (typeof v === 'string' && /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(v) && envRefValue(env, v.slice(4)) === '') keptEmpty[k] = v.slice(4);
    }
    // A setting that holds secret fields (a list of env vars, one of them a credential): named and kept
    // with each secret as its env: reference, which the install's stored one then fills.
    const inside = fields.filter((f) => f.kind === 'value');
    const withRefs = (r: ReturnType<typeof findResets>[number]) => {
      const under = inside.filter((f) => f.path.startsWith(`${r.path}.`));
      if (!r.secret || r.env !== undefined || !under.length || typeof r.value !== 'object' || r.value === null) return r;
      const value = structuredClone(r.value) as Record<string, unknown>;
      for (const f of under) setIn(value, f.path.slice(r.path.length + 1).split('.'), `env:${f.env}`);
      return redactor.leaks(JSON.stringify(value)) ? r : { ...r, value, secret: false };
    };
    const resets = req.reset ? [] : findResets(raw, inst, validate, isSecret, built.unset).map(withRefs);
    // The wizard's answers are each chosen on screen: only a preset (file) run can revert a --set unseen.
    const overrides = req.reset || req.presetObject ? [] : findOverrides(raw, inst, findRecordOfInstall(c.home, installed.location)?.setPaths ?? [], given, isSecret, validate);
    const refusal = () => new UserError(resetRefusal(resets, inst, `hd-setup ${keepArgv(process.argv.slice(2), (v, path) => secretAsRef(raw, installed.preset, v, path)).map(shellQuote).join(' ')}`, overrides, req.preset || req.presetObject ? 'this preset' : 'this run'));
    let parsed: ReturnType<typeof parseModel>;
    try {
      parsed = parseModel(raw, { env, baseDir });
    } catch (e) {
      if (!(e instanceof UserError) || !(resets.length || overrides.length)) throw e;
      // Invalid only for what it leaves out (on Kubernetes, only --set product and runtime lack the volume
      // claim the install has): the refusal names that. Its own secrets are masked in it all the same.
      // A value it gives that is wrong in itself (a memory of 2048, a number) is that error, named first.
      if (!e.problems.every((p) => leftOut(p.path, resets))) throw e;
      const whole = structuredClone(raw);
      for (const r of resets) setIn(whole, r.path.split('.'), r.value);
      try {
        redactor.add(parseModel(whole, { env, baseDir }).secrets);
      } catch {
        /* nothing more to mask than what the registry knows */
      }
      throw refusal();
    }
    const { model, secrets, warnings: short } = parsed;
    redactor.add(secrets);
    for (const w of short) process.stderr.write(`warning: ${printable(w)}\n`);
    if (resets.length || overrides.length) throw refusal();
    return { loaded: { model, raw, secrets, source, warnings }, installed, kept, keptEmpty, setPaths: publicPaths(given, model) };
  }
  const { model, secrets, warnings: short } = parseModel(raw, { env, baseDir });
  redactor.add(secrets);
  for (const w of short) process.stderr.write(`warning: ${printable(w)}\n`);
  return { loaded: { model, raw, secrets, source, warnings }, kept, keptEmpty, setPaths: publicPaths(given, model) };
}

/**
 * This run's argv for the refusal's keep command: a secret given literally with --set (warned about) is
 * shown as its env: reference, as the warning says to give it. Masked in place it would read
 * `--set fivetran.token=********`, a command that sets the token to eight asterisks when pasted.
 */
export function keepArgv(argv: readonly string[], rewrite: (value: string, path: string) => string | undefined): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    // --set k=v, -s k=v, --set=k=v, -sk=v (commander's shapes)
    const joined = a.startsWith('--set=') ? '--set=' : /^-s./.test(a) ? '-s' : undefined;
    const at = joined ? i : a === '--set' || a === '-s' ? i + 1 : -1;
    const arg = joined ? a.slice(joined.length) : out[at];
    if (at < 0 || arg === undefined) continue;
    const eq = arg.indexOf('=');
    const value = arg.slice(eq + 1);
    if (eq <= 0 || isRef(value)) continue;
    let path: string;
    try {
      path = parseSetPath(arg.slice(0, eq)).join('.');
    } catch {
      continue;
    }
    const now = rewrite(value, path);
    if (now === undefined) continue;
    out[at] = `${joined ?? ''}${arg.slice(0, eq)}=${now}`;
    if (at > i) i++;
  }
  return out;
}

/**
 * What a keep command gives for a --set value: a secret field given literally is its env: reference; a
 * section given as JSON, with each secret literal in it as its reference; anything else as it was (undefined).
 */
function secretAsRef(raw: Record<string, unknown>, installed: Record<string, unknown>, value: string, path: string): string | undefined {
  const literal = (f: { kind: string }, x: unknown) => typeof x !== 'string' || (!isRef(x) && (f.kind === 'value' || hasPassword(x)));
  const f = secretFieldAt(raw, path) ?? secretFieldAt(installed, path);
  if (f) return literal(f, value) ? `env:${f.env}` : undefined;
  const inside = secretFields(raw).filter((x) => x.path.startsWith(`${path}.`) && literal(x, getIn(raw, x.path.split('.'))));
  if (!inside.length) return undefined;
  const section = structuredClone(getIn(raw, path.split('.'))) as Record<string, unknown>;
  for (const x of inside) setIn(section, x.path.slice(path.length + 1).split('.'), `env:${x.env}`);
  return JSON.stringify(section);
}

/** The --set paths that hold no secret (a secret's rotation is no setting to keep). */
function publicPaths(given: string[], model: BaseModel): string[] {
  const secret = secretFields(model as unknown as Record<string, unknown>).filter((f) => f.kind === 'value').map((f) => f.path.split('.'));
  return given.filter((k) => {
    const path = parseSetPath(k).map(String);
    return !secret.some((sp) => sp.every((x, i) => x === path[i]) || path.every((x, i) => x === sp[i]));
  });
}

export interface Prepared {
  loaded: Pick<Loaded, 'model'> & Partial<Loaded>;
  product: ProductModule;
  location: Location;
  host: HostFacts & { runtime?: Awaited<ReturnType<typeof detectHost>>['runtime'] };
  state: InstalledState;
  plan: Plan;
  /**
   * With `foreign`: the same-named containers hd-setup does not own (the plan is built as if they were not
   * there), each by its name, with the refusal an install would give.
   */
  foreign?: { container: string; problem: Problem & { fix: string } }[];
  /** The plan its checks are made for, when this one is a part of it (restart's preflight, run before the stop, checks for the start). */
  checksFor?: Plan;
}

export interface PrepareOptions {
  /** Build the plan for re-applying an install (start, rollback): never pull the image. */
  noPull?: boolean;
  /** Doctor: a container of the same name that hd-setup does not own is reported, not thrown. */
  foreign?: boolean;
  /**
   * Rollback: the config file was just put back from its backup, so the containers may run with what it
   * held before: they are recreated, as after a run that did not finish (a restored secret alone leaves
   * their config hash as it was, and they would keep the secret it replaced).
   */
  configRestored?: boolean;
}

/**
 * One install per product and daemon, one runtime per install dir: moving an install that runs to another
 * dir, or installing it on a second runtime, would leave the old containers running beside the new ones
 * (two agents, or two sets of executors). Refused, naming the command that removes the other first.
 */
async function refuseSecondInstall(product: ProductModule, loc: Location, home: string, state: InstalledState): Promise<void> {
  if (!loc.installDir || loc.runtime === 'kubernetes') return;
  // Another product's install dir (its config kept too): one dir would hold both, and the --purge of one
  // would delete the other's files.
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b.replace(/\/+$/, '')}/`);
  const neighbour = readRegistry(home).find((r) => r.product !== loc.product && r.installDir && (inside(loc.installDir!, r.installDir) || inside(r.installDir, loc.installDir!)));
  if (neighbour) {
    throw new UserError([{ path: product.settingPath('installDir', loc.runtime), message: `${loc.installDir} overlaps ${neighbour.installDir}, the install dir of ${installName(neighbour.product, neighbour.runtime)}; give each product a folder of its own, e.g. ~/${loc.product}` }]);
  }
  // The registry says where it was installed; its containers say whether it still runs there (a record
  // can outlive containers removed by hand).
  const installed = readRegistry(home).filter((r) => r.product === loc.product && r.state !== 'uninstalled');
  const runsFrom = (containers: Record<string, { labels: Record<string, string> } | undefined>, dir: string | undefined) => Object.values(containers).some((c) => c?.labels[OWNER_LABEL] === dir);
  // Moving it to another install dir on the same runtime: its containers have fixed names, so the new
  // install would meet the old one's; say how to move it (not that another user owns them).
  const moved = installed.find((r) => r.runtime === loc.runtime && r.installDir && r.installDir !== loc.installDir && runsFrom(state.containers, r.installDir));
  if (moved) {
    const path = product.settingPath('installDir', loc.runtime);
    throw new UserError([
      {
        path,
        message: `the ${product.title} is installed on ${loc.runtime} in ${moved.installDir}, and one ${loc.runtime} runs one (its containers have fixed names). To move it to ${loc.installDir}: hd-setup uninstall --set product=${loc.product} --set runtime=${loc.runtime} --set ${path}=${moved.installDir} (its config is kept), then install again; or keep ${path}=${moved.installDir}`,
      },
    ]);
  }
  const other = installed.find((r) => r.installDir === loc.installDir && r.runtime !== loc.runtime);
  if (!other || other.runtime === 'kubernetes') return;
  const there = await inspectContainers(runtimeBinOf(other.runtime), product.containerNames).catch(() => ({}));
  if (!runsFrom(there, loc.installDir)) return;
  throw new UserError([
    {
      path: 'runtime',
      message: `the ${product.title} in ${loc.installDir} is installed on ${other.runtime}; installing it on ${loc.runtime} as well would leave the ${other.runtime} containers running beside the new ones. Remove it first: hd-setup uninstall --set product=${loc.product} --set runtime=${other.runtime} (its config is kept), then install again; or keep runtime=${other.runtime}`,
    },
  ]);
}

function refuseBeside(product: ProductModule, model: BaseModel, state: InstalledState, home: string): void {
  const k = product.kube(model);
  const chart = k.onePerNamespace;
  // (one helm uninstalled with its history kept is gone: it holds no object)
  const other = chart ? state.kubernetes?.others?.find((r) => r.chart.startsWith(`${chart}-`) && r.status !== 'uninstalled') : undefined;
  if (!other) return;
  const path = product.settingPath('release', 'kubernetes');
  const ctx = k.context ? ` --context ${shellQuote(k.context)}` : '';
  // hd-setup's own (recorded): its uninstall; another's: helm's, the user's call to make
  const ours = readRegistry(home).some((r) => r.product === model.product && r.runtime === 'kubernetes' && r.namespace === k.namespace && r.release === other.name);
  const remove = ours
    ? `hd-setup uninstall --set product=${model.product} --set runtime=kubernetes --set ${product.settingPath('namespace', 'kubernetes')}=${k.namespace} --set ${path}=${other.name}${ctx} (its values are kept)`
    : `helm uninstall ${other.name} -n ${k.namespace}${k.context ? ` --kube-context ${shellQuote(k.context)}` : ''} (hd-setup did not install it)`;
  throw new UserError([
    {
      path,
      message: `namespace ${k.namespace} has the ${product.title} already, as release ${other.name}${other.status && other.status !== 'deployed' ? ` (${other.status})` : ''}; a second release of its chart there fails on the names the chart fixes. Keep that one: --set ${path}=${other.name}; or, to rename it, remove it first: ${remove}, then install again`,
    },
  ]);
}

export async function prepare(loaded: Pick<Loaded, 'model'> & Partial<Loaded>, opts: PrepareOptions = {}): Promise<Prepared> {
  const { model } = loaded;
  const product = productOf(model);
  // The runtime's answers about what is installed need only its binary: asked beside the host probes.
  const asked = model.runtime === 'kubernetes' ? undefined : askRuntimeState(model, runtimeBinOf(model.runtime));
  const host = await detectHost(model.runtime);
  const rendered = renderForHost(model, host);
  const dests = placeFiles(model, host, rendered, { containers: {}, networks: [], images: [], files: {} }).map((f) => f.dest);
  const detected = await detectState(model, host, dests, asked);
  // The last run that changed it did not finish: what it rewrote may not have reached the containers yet.
  const state = opts.configRestored || findRecord(host.home, locationOf(model, host.home))?.state === 'started' ? { ...detected, unfinished: true } : detected;
  // An install (not a start, nor doctor): the same install dir on another runtime would leave that runtime's containers running.
  if (!opts.noPull && !opts.foreign) await refuseSecondInstall(product, locationOf(model, host.home), host.home, state);
  // A new release beside another of a chart with fixed names: helm would fail on them, leaving a failed
  // release and the Secrets applied for it (a release renamed on a re-run, or a second agent).
  if (!opts.noPull && !opts.foreign && model.runtime === 'kubernetes' && !state.kubernetes?.release) refuseBeside(product, model, state, host.home);
  // A release a helm run left pending (killed mid-upgrade) or uninstalling: helm takes no upgrade of it, and
  // its values may be those the run wanted, not what is deployed (it was called up to date).
  const rel = state.kubernetes?.release;
  if (!opts.noPull && !opts.foreign && rel?.status && (rel.status.startsWith('pending-') || rel.status === 'uninstalling')) {
    const k = product.kube(model);
    const fix = rel.status === 'pending-install' || rel.status === 'uninstalling' ? 'hd-setup uninstall, then install again' : 'hd-setup rollback (back to the last revision that deployed), then install again';
    throw new UserError([{ path: '', message: `cannot install: release ${k.release} in namespace ${k.namespace} is ${rel.status} (revision ${rel.revision}): a helm run was interrupted or is still running; if no hd-setup or helm is still working on it (helm history ${k.release} -n ${k.namespace}): ${fix}` }], 1);
  }
  const foreign: NonNullable<Prepared['foreign']> = [];
  let plan: Plan | undefined;
  while (!plan) {
    try {
      const containers = Object.fromEntries(Object.entries(state.containers).filter(([name]) => !foreign.some((f) => f.container === name)));
      plan = buildPlan(model, host, { ...state, containers }, rendered);
    } catch (e) {
      // a same-named container of another owner (the refusal names it; once each, or it would loop)
      if (!opts.foreign || !(e instanceof ForeignContainerError) || foreign.some((f) => f.container === e.container)) throw e;
      foreign.push({ container: e.container, problem: e.problem });
    }
  }
  if (opts.noPull) plan = withoutPull(plan, state, product.image(model));
  plan = markMissingDirs(plan);
  return { loaded, product, location: locationOf(model, host.home), host, state, plan, ...(foreign.length ? { foreign } : {}) };
}

/** A start re-applies the installed config; it is not an upgrade, so the image is pulled only when it is missing. */
function withoutPull(plan: Plan, state: InstalledState, image: string): Plan {
  return {
    ...plan,
    steps: plan.steps.map((s) => (s.id === 'image' && state.images.includes(image) ? { ...s, actions: [], skip: 'present locally; not pulled on start' } : s)),
  };
}

/** Lifecycle commands act with the install's own choices: the checks skipped and --allow-root given when it was installed, and those given now. */
export function effectiveChoices(p: Pick<Prepared, 'location' | 'host'>, choices: Choices): Choices {
  const rec = findRecord(p.host.home, p.location);
  const allowRootFrom = choices.allowRoot ? 'flag' : rec?.allowRoot ? 'install' : undefined;
  return { skipCheck: skipsOf(rec, choices.skipCheck), allowRoot: Boolean(allowRootFrom), ...(allowRootFrom ? { allowRootFrom } : {}) };
}

/**
 * An install run over an install: --allow-root as it was installed with it (as start and the wizard take it),
 * said as such by the check. Not its skipped checks: a run without them is how a check comes back.
 */
export function withRecordedRoot<C extends Choices>(p: Pick<Prepared, 'location' | 'host'>, choices: C): C {
  if (choices.allowRoot || !findRecord(p.host.home, p.location)?.allowRoot) return choices;
  return { ...choices, allowRoot: true, allowRootFrom: 'install' };
}

/** The checks a lifecycle command skips: those skipped at the install, and those given now. */
export function skippedChecks(home: string, location: Location, given?: readonly string[]): string[] {
  return skipsOf(findRecord(home, location), given);
}

const skipsOf = (rec: InstallRecord | undefined, given: readonly string[] = []) => [...new Set([...(rec?.skipChecks ?? []), ...given])];

/** The memory limits a plan gives its containers (the memory check says when the runtime cannot apply them). */
export function memoryLimitsOf(plan: Plan): string[] {
  return plan.steps.flatMap((s) => (s.runs?.labels[MEMORY_LABEL] ? [s.runs.labels[MEMORY_LABEL]] : []));
}

function checkContext(p: Prepared, choices: Choices, signal?: AbortSignal) {
  const plan = p.checksFor ?? p.plan;
  return {
    model: p.loaded.model,
    product: p.product,
    host: p.host,
    state: p.state,
    // Kubernetes has no install dir: its files (and the record of what hd-setup created) live in the state dir,
    // never in the HOME itself.
    installDir: p.location.installDir ?? stateDirOf(p.location, p.host.home),
    allowRoot: Boolean(choices.allowRoot),
    ...(choices.allowRootFrom ? { allowRootFrom: choices.allowRootFrom } : {}),
    blockedDirs: plan.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'mkdir' && a.blocked ? [{ path: a.path, what: a.blocked }] : []))),
    writeDirs: [...new Set(plan.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'write' ? [posix.dirname(a.path)] : a.kind === 'restore' ? [posix.dirname(a.to)] : []))))],
    makes: plan.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'mkdir' || a.kind === 'write' ? [a.path] : a.kind === 'restore' ? [a.to] : []))),
    memoryLimits: memoryLimitsOf(plan),
    env: process.env,
    ...(signal ? { signal } : {}),
  };
}

/** Run the plan's preflight checks alone (read-only), for a decision before asking to confirm. */
export async function preflight(p: Prepared, c: Choices): Promise<CheckReport[]> {
  const pre = p.plan.steps.find((s) => s.id === 'preflight')?.actions[0];
  if (!pre || pre.kind !== 'preflight') return [];
  const ctx = checkContext(p, c);
  const out: CheckReport[] = [];
  for (const id of pre.checks) {
    if (c.skipCheck?.includes(id)) continue;
    const check = allChecks[id];
    if (check) out.push({ id, ...(await check(ctx)) });
  }
  return out;
}

/** Asked when a pod is stuck (a terminal only): stop waiting, or keep waiting. */
export type AskStuck = (f: { message: string; fix: string }) => Promise<'stop' | 'wait'>;

export type Reporter = (work: (emit: Emit, ask?: AskStuck) => Promise<Summary>) => Promise<Summary>;

/** The hd-setup commands in a summary's hints (next steps, undo), with the flags that choose the install. */
function withChoosingFlags(s: Summary, flags: string): Summary {
  if (!flags) return s;
  const point = (text: string) => text.replace(/\bhd-setup (start|stop|restart|rollback|status|doctor|uninstall)\b/g, `hd-setup $1 ${flags}`);
  return { ...s, nextSteps: s.nextSteps.map(point), ...(s.undo ? { undo: point(s.undo) } : {}) };
}

/** Carry out a plan, Ctrl-C aborting it; `report` chooses how events are shown. */
export function runPlan(p: Prepared, c: Choices, report: Reporter): Promise<Summary> {
  return runPlans([async () => ({ p, c })], report);
}

/**
 * Carry out plans one after the other, as one run with one summary (a restart: the stop, then the start,
 * whose plan is made once the stop is done). A plan that does not succeed ends the run with its summary.
 * `upcoming[i]`: the steps expected after plan i (its later plans are not made yet), so the run is counted whole.
 */
export async function runPlans(runs: readonly (() => Promise<{ p: Prepared; c: Choices }>)[], report: Reporter, verb?: string, upcoming: readonly number[] = []): Promise<Summary> {
  const controller = new AbortController();
  const offInterrupt = onInterrupt(() => controller.abort());
  try {
    return await report(async (emit, ask) => {
      const summaries: Summary[] = [];
      let lastRun: Prepared | undefined;
      for (const [i, next] of runs.entries()) {
        const { p, c } = await next();
        lastRun = p;
        const s = await execute(p.plan, {
          // One run on the screen: a later plan's steps follow the earlier ones', under the run's verb; one
          // summary for the run: each plan's own is held back.
          // `upcoming`: how many steps the later plans are expected to have, for the count of the whole run.
          emit: (e) => e.type !== 'done' && emit(e.type === 'plan' ? { ...e, ...(verb ? { verb } : {}), ...(i > 0 ? { append: true } : {}), ...(upcoming[i] ? { upcoming: upcoming[i] } : {}) } : e),
          // Without a terminal to ask, a stuck pod ends the wait.
          ...(ask ? { decideStuck: ask } : {}),
          redactor,
          signal: controller.signal,
          checks: allChecks,
          checkContext: checkContext(p, c, controller.signal),
          skipChecks: c.skipCheck ?? [],
          watcher: kubernetesWatcher,
        });
        summaries.push(s);
        if (!s.ok) break;
      }
      const last = summaries.at(-1)!;
      const all = <K extends 'done' | 'skipped' | 'changes' | 'backups' | 'warnings'>(k: K) => [...new Set(summaries.flatMap((x) => x[k]))];
      const joined: Summary =
        summaries.length > 1
          ? { ...last, done: all('done'), skipped: all('skipped'), changes: all('changes'), backups: all('backups'), warnings: all('warnings'), titles: Object.assign({}, ...summaries.map((x) => x.titles)) }
          : last;
      // With several installs, the commands it offers name this one, or they would ask which (or exit 2).
      const summary = withChoosingFlags(joined, lastRun ? choosingFlags(lastRun.location, lastRun.host.home) : '');
      emit({ type: 'done', summary });
      return summary;
    });
  } finally {
    offInterrupt();
  }
}

/**
 * An install: recorded when its first change starts (so a failed or interrupted one is found; a run that
 * its preflight stops changed nothing, and leaves the record as it was) and when it ends, with the choices
 * it was made with (a re-run states its own; lifecycle commands reuse them).
 */
export async function install(p: Prepared, c: Choices, report: Reporter): Promise<Summary> {
  // While it runs, the record keeps what the containers will say (image, pull policy, memory, restart
  // policy): an install that stops before they exist (a failed pull, Ctrl-C) still reads back whole.
  const runs = Object.fromEntries(p.plan.steps.flatMap((s) => (s.runs ? [[s.runs.name, { image: s.runs.image, labels: s.runs.labels, restart: s.runs.restart }]] : [])));
  // Kubernetes without --context: the cluster is the current context's, named in the record (service/find.ts).
  const cur = p.location.runtime === 'kubernetes' && !p.location.context ? await currentContext() : undefined;
  // What rollback goes back to: the install as this run finds it, when it changes what reads back (a file
  // of the install, a container); otherwise, what the last change found.
  const prior = findRecord(p.host.home, p.location);
  const lastChange = keepsReadBack(p.plan) ? prior?.before : (lastChangeOf(p, prior) ?? prior?.before);
  // What the containers carry once it is done (those it runs, and the others as found): in the record, so
  // that one removed by hand is still read back whole (status, start, a re-run), not as the defaults.
  const after = p.location.runtime === 'kubernetes' ? undefined : { ...carriedAt(p, prior?.state === 'installed' ? prior.containers : undefined, true), ...Object.fromEntries(Object.entries(runs).map(([n, r]) => [n, keptForm(r)])) };
  const choices = { ...(lastChange ? { before: lastChange } : {}), ...(c.skipCheck ? { skipChecks: c.skipCheck } : {}), ...(c.allowRoot ? { allowRoot: true } : {}), ...(p.host.dockerHost ? { dockerHost: p.host.dockerHost } : {}), ...(cur ? { kubeContext: cur.name, ...(cur.server ? { kubeServer: cur.server } : {}), kubeconfig: cur.kubeconfig } : {}), ...(c.setPaths?.length ? { setPaths: c.setPaths } : {}) };
  // A re-run that replaces nothing, over an install recorded with the same choices, leaves the record as it is.
  const same = keepsReadBack(p.plan) && holdsRecord(p.host.home, recordOf(p.location, choices, 'installed', new Date(), after));
  let marked = same;
  // the record as this run found it, put back when the run ends having changed nothing
  let started: { rec: InstallRecord; replaced: Replaced } | undefined;
  const markStarted = () => {
    if (marked) return;
    marked = true;
    const rec = recordOf(p.location, choices, 'started', new Date(), Object.keys(runs).length ? runs : undefined);
    started = { rec, replaced: remember(p.host.home, rec) };
  };
  // emitted before the step's first action: the record says "started" before anything is changed
  const marking: Reporter = (work) => report((emit, ask) => work((e) => (e.type === 'step:start' && e.id !== 'preflight' && markStarted(), emit(e)), ask));
  // A first install that fails: what it made goes with uninstall. First: nothing of it was there (no
  // container, no release, whatever this HOME recorded: a CI runner's is fresh) and none recorded here.
  const nothingThere = Object.keys(p.state.containers).length === 0 && !p.state.kubernetes?.release;
  const first = nothingThere && (!prior || prior.state === 'uninstalled');
  const plan = first ? { ...p.plan, undoFailed: 'hd-setup uninstall   (removes what this install made; its config stays until --purge)' } : p.plan;
  const summary = await runPlan({ ...p, plan }, c, marking);
  if (summary.ok && !same) {
    // and the config file as this run left it (a rollback of a hand edit since puts that back)
    const f = p.product.configFiles(p.location.runtime)[0];
    const dest = f && posix.join(baseDirs(p.location, p.host)[f.base], f.rel);
    const left = p.plan.files.find((x) => x.dest === dest)?.content;
    const before = lastChange && left !== undefined ? { ...lastChange, left: configDigest(p.host.home, left) } : lastChange;
    remember(p.host.home, recordOf(p.location, { ...choices, ...(before ? { before } : {}) }, 'installed', new Date(), after));
  } else if (!summary.ok && started && summary.changes.length === 0 && p.location.runtime !== 'kubernetes') {
    // docker/podman, stopped or failed before its first change ("Changed: nothing"): the install is as it was,
    // and so is its record. (On Kubernetes a helm that failed or was stopped may have left a revision all the same.)
    putBack(p.host.home, started.rec, started.replaced);
  }
  return summary;
}

/**
 * docker/podman: what the install's containers carry as this run found them, in the record's form; one not
 * there (removed by hand), as `kept` says (the record's). Under Quadlet, its .container file.
 */
function carriedAt(p: Prepared, kept?: Record<string, KeptContainer>, planned?: boolean): Record<string, KeptContainer> {
  const dirs = baseDirs(p.location, p.host);
  const quadlet = usesQuadlet(p.location.runtime, p.host);
  // `planned`: as the run leaves them (the .container files it writes), not as it found them
  const file = (path: string) => (planned ? p.plan.files.find((f) => f.dest === path)?.content : undefined) ?? p.state.files[path];
  return Object.fromEntries(p.product.reads(p.location.runtime).containers.flatMap((n) => {
    const f = carriedBy(quadlet ? file(posix.join(dirs.quadlet, `${n}.container`)) : undefined, p.state.containers[n] ?? undefined);
    const k = f ? keptForm(f) : kept?.[n];
    return k ? [[n, k]] : [];
  }));
}

/**
 * docker/podman: the install as a run that changes it finds it (what a rollback puts back): what its
 * containers carry, and a digest of its configuration file. None when no container of it is there (a
 * first install: a rollback then has nothing to go back to but a backup of the file).
 */
function lastChangeOf(p: Prepared, prior: InstallRecord | undefined): LastChange | undefined {
  if (p.location.runtime === 'kubernetes') return undefined;
  const setPaths = prior?.setPaths;
  // (a container removed by hand: what the record says it carried)
  const carried = carriedAt(p, prior?.state === 'installed' ? prior.containers : undefined);
  if (Object.keys(carried).length === 0) return undefined;
  const dirs = baseDirs(p.location, p.host);
  const f = p.product.configFiles(p.location.runtime)[0];
  const text = f ? p.state.files[posix.join(dirs[f.base], f.rel)] : undefined;
  return { containers: carried, ...(text !== undefined ? { config: configDigest(p.host.home, text) } : {}), ...(setPaths?.length ? { setPaths } : {}) };
}

export function exitCodeOf(s: Summary): number {
  return s.ok ? 0 : s.cancelled ? cancelExitCode() : s.localState ? 2 : 1;
}

/**
 * The model of an install as it is (for lifecycle commands): its read-back, parsed. Leniently: what a check
 * added since the install was made refuses (a bare "%" in a proxy password) does not stop start or status;
 * the next install run names it.
 */
/** A read-back's whole model, defaults filled in, its stored secrets as they are (throws what keeps it from being one). */
export const lenientModel = (preset: Record<string, unknown>): BaseModel => parseModel(structuredClone(preset), { env: {}, lenient: true }).model;

export function modelOfInstall(d: DetectedInstall): BaseModel {
  try {
    return lenientModel(d.preset);
  } catch (e) {
    throw notWhole(d, e, 'or install it again (hd-setup install --preset … --reset)');
  }
}

/** What keeps an install's read-back from making a whole model, every check applied (undefined: nothing). */
export function wholeProblems(d: Pick<DetectedInstall, 'preset'>, env: NodeJS.ProcessEnv = {}): UserError | undefined {
  try {
    parseModel(structuredClone(d.preset), { env });
    return undefined;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
}

/**
 * The settings a run changes on an install: each setting of the two whole models (defaults filled in) whose
 * value differs. A list's order carries no meaning here (the read-back may hold it in another). A secret, or a
 * setting that holds one (a proxy URL with a password, a list of variables with a credential), is named only;
 * one kept in the install's Secret (stored:) is no change, nor is it given again with the value that Secret
 * holds; given with another (`rewritten`: the run writes another value there, a rotation), it is one. Empty
 * when the read-back makes no model.
 */
export function settingChanges(installed: Pick<DetectedInstall, 'preset' | 'secretPaths'>, model: BaseModel, rewritten: (stored: string) => boolean = () => false): SettingChange[] {
  let before: BaseModel;
  try {
    before = lenientModel(installed.preset);
  } catch {
    return [];
  }
  const after = model as unknown as Record<string, unknown>;
  const product = productOf(model);
  const flat = (m: Record<string, unknown>) => new Map(leaves(m).map(([p, v]) => [p.join('.'), v]));
  const [was, now] = [flat(before as unknown as Record<string, unknown>), flat(after)];
  // (an empty list is none: a section given now fills in its lists empty)
  const same = (a: unknown, b: unknown) => {
    const key = (v: unknown) => (Array.isArray(v) ? (v.length ? JSON.stringify(v.map((x) => JSON.stringify(x)).sort()) : undefined) : JSON.stringify(v));
    return key(a) === key(b);
  };
  // (a URL field is secret when it holds a password: a proxy without one is shown)
  const fields = [...secretFields(installed.preset), ...secretFields(after)];
  const secret = [...new Set([...installed.secretPaths, ...fields.filter((f) => f.kind === 'value').map((f) => f.path)])];
  const userinfo = new Set(fields.filter((f) => f.kind === 'userinfo').map((f) => f.path));
  const holdsSecret = (path: string, a: unknown, b: unknown) =>
    secret.some((s) => s === path || s.startsWith(`${path}.`)) || (userinfo.has(path) && [a, b].some((v) => typeof v === 'string' && hasPassword(v)));
  // a path under the home folder, as written or as ~/… (the read-back writes it so): the same
  const home = findContext().home;
  const homeForm = (v: unknown) => (typeof v === 'string' && v.startsWith(`${home}/`) ? `~${v.slice(home.length)}` : v);
  // a secret kept where the install stores it (stored:), unless this run writes another value there
  const kept = (before: unknown[], after: unknown[]) => [...before, ...after].some(isStored) && !before.some((v) => isStored(v) && rewritten(v));
  const values = (e: { item: Record<string, unknown> } | undefined) => Object.values(e?.item ?? {});
  const out: SettingChange[] = [];
  // ($schema: where an editor finds the schema, no setting)
  for (const path of [...new Set([...was.keys(), ...now.keys()])].filter((p) => !p.startsWith('$')).sort()) {
    const [a, b] = [homeForm(was.get(path)), homeForm(now.get(path))];
    if (same(a, b)) continue;
    // a list of named items (extra variables): each item by its name, so that a secret among them hides only itself
    const [na, nb] = [byName(a), byName(b)];
    if (na && nb) {
      for (const name of new Set([...na.keys(), ...nb.keys()])) {
        const [x, y] = [na.get(name), nb.get(name)];
        if (JSON.stringify(x?.item) === JSON.stringify(y?.item)) continue;
        const at = `${path}[${name}]`;
        const secretItem = [x, y].some((e) => e !== undefined && secret.some((sp) => sp.startsWith(`${path}.${e.index}.`)));
        if (secretItem) {
          if (!kept(values(x), values(y))) out.push({ path: at, secret: true, ...(y === undefined ? { removed: true as const } : {}) });
        } else out.push({ path: at, ...(x ? { from: itemValue(x.item) } : {}), ...(y ? { to: itemValue(y.item) } : {}) });
      }
      continue;
    }
    if (holdsSecret(path, a, b)) {
      if (!kept([a], [b])) out.push({ path, secret: true, ...(b === undefined ? { removed: true as const } : {}) });
    } else {
      const text = product.changeText?.(path, a, b);
      out.push({ path, ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}), ...(text !== undefined ? { text } : {}) });
    }
  }
  // An entry of a map given or taken away whole (a gateway added, removed, or renamed: both) is said as one: the
  // first setting above the change that one side has nothing of, below one both sides have
  // (each side's settings and their parents, and how many changes lie below each parent: built once)
  const heads = (paths: Iterable<string>, proper: boolean, into: Map<string, number> = new Map()) => {
    for (const k of paths) {
      const segs = k.split('.');
      for (let i = 1; i <= segs.length - (proper ? 1 : 0); i++) {
        const p = segs.slice(0, i).join('.');
        into.set(p, (into.get(p) ?? 0) + 1);
      }
    }
    return into;
  };
  const [had, has, below] = [heads(was.keys(), false), heads(now.keys(), false), heads(out.map((c) => c.path), true)];
  return out.map((c) => {
    const segs = c.path.split('.');
    for (let i = 2; i < segs.length; i++) {
      const [p, parent] = [segs.slice(0, i).join('.'), segs.slice(0, i - 1).join('.')];
      const kind = !had.has(p) && had.has(parent) ? 'added' : !has.has(p) && has.has(parent) ? 'removed' : undefined;
      if (kind && (below.get(p) ?? 0) > 1) return { ...c, entry: { path: p, kind } };
    }
    return c;
  });
}

/** Whether the prepared run writes another value for a secret the install stores (settingChanges' `rewritten`). */
export function rewrittenBy(p: Pick<Prepared, 'plan' | 'state'>): (stored: string) => boolean {
  return (stored) => storedSecretRewritten(p.plan.files, p.state, stored);
}

/** A list whose items each have a name of their own (extra variables), by name with each one's place; undefined for any other value. */
function byName(v: unknown): Map<string, { index: number; item: Record<string, unknown> }> | undefined {
  if (v === undefined) return new Map();
  if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string')) return undefined;
  const m = new Map(v.map((x: Record<string, unknown>, index) => [x.name as string, { index, item: x }]));
  return m.size === v.length ? m : undefined;
}

/** A named item as the changes list shows it: its value, or the item without its name when it has more. */
function itemValue(item: Record<string, unknown>): unknown {
  const { name: _name, ...rest } = item;
  return Object.keys(rest).length === 1 && 'value' in rest ? rest.value : rest;
}

/** What to say of an install whose configuration file is gone (DetectedInstall.configMissing), and the ways on. */
export function configMissingNote(d: Pick<DetectedInstall, 'where' | 'configMissing'>): string {
  return `the install at ${d.where} has lost its configuration file ${d.configMissing} (deleted or moved?): put it back, or install it again from its preset with its secrets (hd-setup install --preset … --reset), or remove the install (hd-setup uninstall)`;
}

/** The problems of a read-back in one line, each its path and the first part of its message. */
export function problemsInBrief(e: UserError): string {
  return e.problems.map((p) => `${p.path ? `${p.path} ` : ''}${p.message.split('; ')[0]}`).join(', ');
}

/**
 * An install whose read-back makes a whole install (export-preset: a preset that would not install is no
 * export). Kubernetes: only what a rule of this hd-setup refuses in the release's values, which helm checked.
 */
export function requireWholeInstall(d: DetectedInstall): void {
  const problems = readBackProblems(d);
  if (problems) throw notWhole(d, new UserError(problems), 'or install it again (hd-setup install --preset … --reset)');
}

/** What keeps a read-back from making a whole install (undefined: nothing): on Kubernetes only what a --set mends (see loadForInstall). */
function readBackProblems(d: Pick<DetectedInstall, 'preset' | 'location'>, env: NodeJS.ProcessEnv = {}): Problem[] | undefined {
  const problems = wholeProblems(d, env)?.problems.filter((p) => d.location.runtime !== 'kubernetes' || p.fixSets !== undefined);
  return problems?.length ? problems : undefined;
}

/** Whether a problem's path is a setting a reset puts back, or one within or around it (what the run leaves out). */
function leftOut(problemPath: string, resets: readonly { path: string }[]): boolean {
  const p = setPathSegments(problemPath);
  return !p || resets.some((r) => pathsOverlap(p, r.path.split('.')));
}

/** A --set path as its segments (undefined: not one). */
function setPathSegments(k: string): string[] | undefined {
  try {
    return parseSetPath(k).map(String);
  } catch {
    return undefined;
  }
}

/** The install's read-back with what this run gives by name (`given`) in place: the install as this run would leave it, before the preset's other settings. */
function withGiven(preset: Record<string, unknown>, given: readonly (readonly string[])[], raw: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(preset);
  for (const g of given) setIn(out, g, structuredClone(getIn(raw, g)));
  return out;
}

/**
 * Before an install run: the install's read-back must make a whole model, every check applied (`problems`:
 * what it lacks), except where this run gives the setting anew (--set, an HD_SETUP_* option), which replaces
 * what the files hold there, or gives the fix a problem names elsewhere (`mended`).
 */
function refuseBrokenReadBack(d: DetectedInstall, problems: Problem[], givenPaths: readonly (readonly string[])[], mended: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const covered = (path: string) => {
    const p = setPathSegments(path);
    return p !== undefined && p.length > 0 && givenPaths.some((g) => pathWithin(p, g));
  };
  if (problems.every((p) => covered(p.path))) return;
  // What this run gives, in place of what the files hold there, makes it whole: the fix a problem names
  // elsewhere (an API key param made before it counted as key material: --set tobiko.secretParams=[api_key]).
  if (!readBackProblems({ preset: mended, location: d.location }, env)) return;
  throw notWhole(d, new UserError(problems.filter((p) => !covered(p.path))), 'or pass --reset to replace them with what this command gives');
}

/** The files of an install do not make a whole model: exit 2 saying what, with the fix (`--set` would not help). */
function notWhole(d: DetectedInstall, e: unknown, orElse: string): unknown {
  if (!(e instanceof UserError)) return e;
  if (d.configMissing) return new UserError([{ path: '', message: configMissingNote(d) }]);
  // Settings a rule of this hd-setup refuses for a setting elsewhere, which a --set mends (not files edited by hand)
  if (e.problems.every((p) => p.fixSets?.length)) {
    return new UserError([{ path: '', message: `the install at ${d.where} has settings this version of hd-setup refuses (${problemsInBrief(e)}); install it again with the fix: hd-setup install --preset … ${[...new Set(e.problems.map((p) => p.fix))].join(' ')}` }]);
  }
  return new UserError([{ path: '', message: `the files of the install at ${d.where} do not make a whole install (${problemsInBrief(e)}); put back their last backup (hd-setup rollback), ${orElse}` }]);
}


