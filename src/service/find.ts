// Finding installs: the one place that decides which install a command acts on.
import { describeLocation, sameLocation, type Location, type Runtime } from '../model/base.js';
import { currentContext } from '../exec/kube-contexts.js';
import { UserError, formatProblem } from '../model/errors.js';
import { buildRaw, knownSetPath } from '../products/load.js';
import { getIn, setIn } from '../model/reconcile.js';
import { RUNTIMES } from '../model/base.js';
import { PRODUCTS, findProduct, productIds, installName } from '../products/index.js';
import { detectHost } from '../exec/detect.js';
import { defaultLocations, detectAt, UnreadableInstall, type DetectedInstall, type GatherOptions } from '../exec/installed.js';
import { findRecord, readRegistry, type InstallRecord } from '../exec/registry.js';
import { redactor } from '../util/output.js';
import { which } from '../util/which.js';
import { shellQuote } from '../util/shell.js';
import { maskUrlCredentials } from '../util/redact.js';
import { secretValues } from '../products/secrets.js';
import { VERSION } from '../version.js';
import { usableHome } from '../model/home.js';

export interface Pointer {
  preset?: string;
  set?: string[];
  context?: string;
}

export interface FindContext {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Where a word about what finding did goes (stderr; the wizard, drawing its screen, has none). */
  note?: (message: string) => void;
  /** A broken configuration file is read from its newest whole backup (rollback): see GatherOptions. */
  brokenFromBackup?: boolean;
  /** A configuration file that cannot be read is taken as missing (uninstall): see GatherOptions. */
  brokenAsMissing?: boolean;
}

export function findContext(env: NodeJS.ProcessEnv = process.env): FindContext {
  return { home: usableHome(env), env, note: (m) => process.stderr.write(`${m}\n`) };
}

/** Register what a read-back holds with the redactor before anything can print it. */
export function guardSecrets(d: Pick<DetectedInstall, 'preset'>): void {
  redactor.add(secretValues(d.preset));
}

/** Where a (possibly incomplete) preset points: its product's location, if product and runtime are given. */
export function locationFromRaw(raw: Record<string, unknown>, home: string): Location | undefined {
  const product = findProduct(raw.product);
  const runtime = RUNTIMES.includes(raw.runtime as Runtime) ? (raw.runtime as Runtime) : undefined;
  if (!product || !runtime) return undefined;
  return product.locate(raw, runtime, home);
}

/**
 * docker without DOCKER_HOST, for an install made on another daemon (a rootless one): that daemon, for
 * this command and every process it runs, as the install's boot unit does; said once.
 */
function useRecordedDaemon(rec: InstallRecord | undefined, c: FindContext): void {
  const host = rec?.dockerHost;
  if (c.env.DOCKER_HOST || !host) return;
  c.env.DOCKER_HOST = host;
  if (c.env !== process.env) process.env.DOCKER_HOST = host;
  c.note?.(`hd-setup: DOCKER_HOST is not set; using ${host}, the daemon this install was made on`);
}

/** A daemon address as docker reads it: unset is the default socket, /run and /var/run are one. */
const daemonKey = (host: string | undefined) => (host || 'unix:///var/run/docker.sock').replace(/^unix:\/\/\/run\//, 'unix:///var/run/').replace(/\/+$/, '');

/**
 * docker with DOCKER_HOST set to another daemon than the one an install runs on: every command would act
 * on that other daemon (start a second agent there, write its address into the boot unit). Refused, with
 * the way to reach the install's own daemon, and the way to move it. (An uninstalled one runs nowhere.)
 */
/** An install on another docker daemon than DOCKER_HOST's (refuseOtherDaemon). */
export class OtherDaemon extends UserError {}

function refuseOtherDaemon(loc: Location, rec: InstallRecord | undefined, c: FindContext): void {
  const shell = c.env.DOCKER_HOST;
  if (loc.runtime !== 'docker' || !shell) return;
  if (!rec || rec.state === 'uninstalled' || daemonKey(rec.dockerHost) === daemonKey(shell)) return;
  const its = rec.dockerHost ? `the daemon at ${maskUrlCredentials(rec.dockerHost)}` : 'the default docker daemon';
  throw new OtherDaemon([
    {
      path: 'DOCKER_HOST',
      message: `is ${maskUrlCredentials(shell)}, but the ${installName(loc.product, loc.runtime)} in ${loc.installDir} is on ${its}; unset DOCKER_HOST${rec.dockerHost ? ` (or export DOCKER_HOST=${maskUrlCredentials(rec.dockerHost)})` : ''} to act on it. To move it to the other daemon: hd-setup uninstall, then install with DOCKER_HOST set`,
    },
  ]);
}

/** refuseOtherDaemon for every recorded install (the wizard, before its first question: it would prefill one). */
export function refuseOtherDaemons(c: FindContext, fits: (loc: Location) => boolean = () => true): void {
  if (!c.env.DOCKER_HOST) return;
  for (const r of readRegistry(c.home)) {
    const loc = locationOfRecord(r);
    if (fits(loc)) refuseOtherDaemon(loc, r, c);
  }
}

/** An install made in another context than the current one (refuseOtherContext). */
class OtherContext extends UserError {}

/**
 * Kubernetes without --context, for an install made without it too: the current context must still be the
 * one it was made in, or every command would act on another cluster (uninstall a release of the same name
 * there, or install a second agent). Refused, with the way back to its cluster. (An uninstalled one's
 * commands ask no cluster.)
 */
async function refuseOtherContext(loc: Location, rec: InstallRecord | undefined, c: FindContext): Promise<void> {
  if (loc.context || !rec?.kubeContext || rec.state === 'uninstalled') return;
  const now = await currentContext(c.env);
  if (now === undefined) return;
  const sameName = now.name === rec.kubeContext;
  // The same name is the same cluster, unless another kubeconfig (KUBECONFIG changed) gives it another server.
  // (In its own kubeconfig, a context whose server changed is that cluster moved, or down: said as such later.)
  const elsewhere = rec.kubeconfig !== undefined && now.kubeconfig !== rec.kubeconfig && rec.kubeServer !== undefined && now.server !== undefined && now.server !== rec.kubeServer;
  if (sameName && !elsewhere) return;
  const at = (name: string, server: string | undefined) => (sameName && server ? `${name} (API server ${server})` : name);
  throw new OtherContext([
    {
      path: 'context',
      message: `the current kubectl context is ${at(now.name, now.server)}, but the ${installName(loc.product, loc.runtime)}, ${describeLocation(loc)}, was installed in context ${at(rec.kubeContext, rec.kubeServer)} (current then); switch back to act on it: ${sameName ? 'use the kubeconfig it was installed with (KUBECONFIG)' : `kubectl config use-context ${shellQuote(rec.kubeContext)}`}. To install one in ${now.name} as well: --context ${shellQuote(now.name)}`,
    },
  ]);
}

async function detect(loc: Location, c: FindContext, unreachable: 'throw' | 'absent' = 'throw', as?: Pick<GatherOptions, 'instead' | 'containersInstead'>): Promise<DetectedInstall | undefined> {
  if (loc.runtime === 'docker') {
    const rec = findRecord(c.home, loc);
    refuseOtherDaemon(loc, rec, c);
    useRecordedDaemon(rec, c);
  }
  if (loc.runtime === 'kubernetes') await refuseOtherContext(loc, findRecord(c.home, loc), c);
  const host = await detectHost(loc.runtime, { env: c.env, home: c.home, light: true });
  const d = await detectAt(loc, { home: c.home, env: c.env, renderEnv: { home: c.home, selinux: host.selinux, runtimeBin: host.runtimeBin, version: VERSION, ...(host.dockerHost ? { dockerHost: host.dockerHost } : {}) }, unreachable, ...as, ...(c.brokenFromBackup ? { brokenFromBackup: true } : {}), ...(c.brokenAsMissing ? { brokenAsMissing: true } : {}), command: (verb) => [`hd-setup ${verb}`, choosingFlags(loc, c.home)].filter(Boolean).join(' ') });
  if (d) guardSecrets(d);
  return d;
}

/**
 * The install at a location, if any. A Kubernetes cluster that cannot be reached is exit 1 with the cause
 * (never "no install found"), unless `unreachable: 'absent'` (install: its preflight reports the server).
 */
export async function findAt(loc: Location, c: FindContext, unreachable: 'throw' | 'absent' = 'throw', as?: Pick<GatherOptions, 'instead' | 'containersInstead'>): Promise<DetectedInstall | undefined> {
  return detect(loc, c, unreachable, as);
}

/**
 * An install found whose files cannot be read (a link or a folder in a file's place, a file that is not what
 * hd-setup writes): it concerns only the commands aimed at it, which refuse with `error` (the file and the
 * fix, never its text). Listed by status, and among the installs a command without a pointer chooses from.
 */
export interface BrokenInstall {
  location: Location;
  where: string;
  error: UnreadableInstall;
}

/** An install as a choice lists it: found, or broken. */
export type Listed = DetectedInstall | BrokenInstall;

export function isBroken(d: Listed): d is BrokenInstall {
  return 'error' in d && d.error instanceof UnreadableInstall;
}

/** What is wrong with a broken install, in one line: the file and the fix. */
export function brokenNote(b: BrokenInstall): string {
  return b.error.problems.map(formatProblem).join('; ');
}

/**
 * Every install hd-setup can see: the recorded ones, and those in the products' default places. Where
 * the same directory could belong to docker or podman, the runtime that has its containers wins.
 * With `leaveOutOtherDaemons`, one on another docker daemon than DOCKER_HOST's is left out of the list
 * (a list beside others: a podman install has no daemon), and said; the refusal itself if it is the only one.
 * Broken installs are left out (findAllWithBroken lists them); one alone is its refusal (exit 2, the fix named).
 */
export async function findAll(c: FindContext, o: { leaveOutOtherDaemons?: boolean } = {}): Promise<DetectedInstall[]> {
  return (await findAllWithBroken(c, o)).found;
}

/** findAll, with the broken installs beside those found (none found: the first one's refusal). */
export async function findAllWithBroken(c: FindContext, o: { leaveOutOtherDaemons?: boolean } = {}): Promise<{ found: DetectedInstall[]; broken: BrokenInstall[] }> {
  const { found, otherDaemon, broken } = await listInstalls(c, Boolean(o.leaveOutOtherDaemons));
  // nothing else to show: the refusal itself (exit 2, the fix named)
  if (!found.length && broken.length) throw broken[0]!.error;
  if (otherDaemon.length && !found.length) throw otherDaemon[0]!.refusal;
  for (const e of otherDaemon) c.note?.(`hd-setup: left out: ${formatProblem(e.refusal.problems[0]!)}`);
  return { found, broken };
}

/** The installs found, those left out for being on another docker daemon (when asked to leave them out), with their refusal, and the broken ones. */
async function listInstalls(c: FindContext, leaveOutOtherDaemons: boolean): Promise<{ found: DetectedInstall[]; otherDaemon: { location: Location; refusal: OtherDaemon }[]; broken: BrokenInstall[] }> {
  const found: DetectedInstall[] = [];
  const passed: Location[] = [];
  const otherDaemon: { location: Location; refusal: OtherDaemon }[] = [];
  const broken: BrokenInstall[] = [];
  // (one dir is one install: its files read on the other runtime are the same install, not a second one)
  const same = (x: Location, l: Location) => sameLocation(x, l) || Boolean(l.installDir && x.product === l.product && x.installDir === l.installDir);
  const seen = (l: Location) => passed.some((x) => same(x, l)) || found.some((d) => same(d.location, l));
  for (const r of readRegistry(c.home)) {
    if (seen(r)) continue;
    const location = locationOfRecord(r);
    let d: DetectedInstall | undefined;
    try {
      d = await detect(location, c);
    } catch (e) {
      // made in another context than the current one: left out of the list, said (the others are shown);
      // so is one on another docker daemon than DOCKER_HOST's where the caller says
      if (leaveOutOtherDaemons && e instanceof OtherDaemon) otherDaemon.push({ location, refusal: e });
      // its files cannot be read: broken, listed as such (the others are not its concern)
      else if (e instanceof UnreadableInstall) broken.push({ location, where: describeLocation(location), error: e });
      else if (e instanceof OtherContext) c.note?.(`hd-setup: left out: ${e.problems[0]!.message}`);
      else throw e;
      passed.push(location);
      continue;
    }
    if (d) found.push(d);
  }
  const byDir = new Map<string, DetectedInstall[]>();
  for (const l of defaultLocations(c.home)) {
    if (seen(l) || broken.some((b) => same(b.location, l))) continue;
    let d: DetectedInstall | undefined;
    try {
      d = await detect(l, c);
    } catch (e) {
      if (!(e instanceof UnreadableInstall)) throw e;
      broken.push({ location: l, where: describeLocation(l), error: e });
      continue;
    }
    if (!d) continue;
    const key = `${l.product}\0${l.installDir}`;
    byDir.set(key, [...(byDir.get(key) ?? []), d]);
  }
  for (const list of byDir.values()) found.push(list.find((d) => d.containers.length > 0) ?? list[0]!);
  return { found, otherDaemon, broken };
}

/**
 * --context alone: the Kubernetes installs in that context, the recorded ones and each product's default
 * release there (a --context with no preset names no product, so it cannot point at one location).
 */
export async function findInContext(context: string, c: FindContext): Promise<DetectedInstall[]> {
  const locs: Location[] = [];
  const add = (l: Location) => {
    if (!locs.some((x) => sameLocation(x, l))) locs.push(l);
  };
  for (const r of readRegistry(c.home)) if (r.runtime === 'kubernetes' && r.context === context) add(locationOfRecord(r));
  for (const p of PRODUCTS) if (p.runtimes.includes('kubernetes')) add({ ...p.locate({}, 'kubernetes', c.home), context });
  const found: DetectedInstall[] = [];
  for (const l of locs) {
    const d = await detect(l, c);
    if (d) found.push(d);
  }
  return found;
}

/** Only --context points (no preset, no --set): the installs are those in that context. */
export function contextOnly(p: Pointer): string | undefined {
  return p.context && !p.preset && !p.set?.length ? p.context : undefined;
}

export function locationOfRecord(r: InstallRecord): Location {
  return {
    product: r.product,
    runtime: r.runtime,
    ...(r.installDir ? { installDir: r.installDir } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
    ...(r.release ? { release: r.release } : {}),
    ...(r.context ? { context: r.context } : {}),
  };
}

export function recordFor(d: DetectedInstall, c: FindContext): InstallRecord | undefined {
  return findRecord(c.home, d.location);
}

/** What --preset/--set/--context say about where the install is (product and runtime at least). */
export function pointerLocation(p: Pointer, c: FindContext): Location | undefined {
  if (!p.preset && !p.set?.length && !p.context) return undefined;
  const { raw } = buildRaw({ ...(p.preset ? { preset: p.preset } : {}), sets: p.set ?? [] });
  return locationFromRaw(withContext(raw, p.context), c.home);
}

/** --context: the Kubernetes context of the product the preset names. */
export function withContext(raw: Record<string, unknown>, context: string | undefined): Record<string, unknown> {
  const product = findProduct(raw.product);
  if (!context || !product) return raw;
  setIn(raw, product.settingPath('context', 'kubernetes').split('.'), context);
  return raw;
}

const choose = `--preset <name> [--set ...]: the preset and the settings it was installed with (hd-setup presets lists the bundled ones)`;

/** A --set path that names no setting (a typo): exit 2 naming it. */
function refuseUnknownSets(sets: string[]): void {
  const typo = sets.map((a) => a.slice(0, Math.max(0, a.indexOf('=')))).find((path) => !knownSetPath(path));
  if (typo !== undefined) throw new UserError([{ path: '--set', message: `${JSON.stringify(typo.slice(0, 100))} is not a setting; hd-setup schema lists the settings there are` }]);
}

/** Nothing installed where the flags point (or anywhere): `found` says where it looked (uninstall: nothing to do). */
export class NoInstallFound extends UserError {
  constructor(
    readonly found: string,
    path = '',
    lead = 'point at it with ',
  ) {
    super([{ path, message: `${found}; ${lead}${choose}` }]);
  }
}

/**
 * The one install a command acts on. With a pointer, the install there. Without, the only one found;
 * with several, `pick` chooses (a TTY asks) or the command stops with exit 2 naming how to choose.
 */
export async function findOne(p: Pointer, c: FindContext, pick?: PickOne, prefer?: (d: DetectedInstall) => boolean): Promise<DetectedInstall> {
  // a --set path that names no setting may point away from the install: a typo, said as one
  refuseUnknownSets(p.set ?? []);
  const inContext = contextOnly(p);
  const loc = inContext ? undefined : pointerLocation(p, c);
  if (!inContext && (p.preset || p.set?.length || p.context)) {
    if (!loc) {
      const { fit, raw, broken } = await installsWith(p, c);
      const flag = p.preset ? '--preset' : '--set';
      if (fit.length === 0 && broken.length === 0) throw new NoInstallFound(`no install found with ${[raw.product !== undefined ? `product ${String(raw.product)}` : '', raw.runtime !== undefined ? `runtime ${String(raw.runtime)}` : ''].filter(Boolean).join(' and ')}`, flag, '');
      const pool = prefer && fit.some(prefer) ? fit.filter(prefer) : fit;
      return oneOf([...pool, ...broken], pick);
    }
    const d = await findAt(loc, c);
    if (d) return d;
    // without helm the release could not be looked for: that is not "nothing there"
    if (loc.runtime === 'kubernetes' && !which('helm', c.env.PATH)) throw new UserError([{ path: '', message: `helm is not on PATH, so release ${loc.release} in namespace ${loc.namespace} cannot be looked for; install helm 3 (https://helm.sh/docs/intro/install/)` }]);
    throw new NoInstallFound(`no install found for ${installName(loc.product, loc.runtime)} (${loc.installDir ?? `release ${loc.release} in namespace ${loc.namespace}`})`);
  }
  const { found, broken } = inContext ? { found: await findInContext(inContext, c), broken: [] } : await findAllWithBroken(c);
  // `prefer` (uninstall: installs that are there now) narrows the choice when any fits; a broken install
  // (whose state cannot be read) stays a choice.
  const all: Listed[] = [...(prefer && found.some(prefer) ? found.filter(prefer) : found), ...broken];
  if (all.length === 0) {
    if (inContext) {
      throw new NoInstallFound(`no install found in context ${inContext} (looked at the installs hd-setup recorded there and the default releases of ${productIds().join(', ')})`, '--context');
    }
    throw new NoInstallFound(`no install found (looked in the installs hd-setup recorded and the default places of ${productIds().join(', ')})`);
  }
  return oneOf(all, pick);
}

/** The one of these (a broken one is its refusal), or the one `pick` chooses. */
function oneOf(all: Listed[], pick?: PickOne): Promise<DetectedInstall> {
  if (all.length !== 1) return chooseAmong(all, pick);
  const only = all[0]!;
  if (isBroken(only)) throw only.error;
  return Promise.resolve(only);
}

/** A pointer with only a product or a runtime (--set product=fivetran): the installs found that have it. */
export async function installsWith(p: Pointer, c: FindContext): Promise<{ fit: DetectedInstall[]; raw: Record<string, unknown>; broken: BrokenInstall[] }> {
  const { raw } = buildRaw({ ...(p.preset ? { preset: p.preset } : {}), sets: p.set ?? [] });
  if (raw.product === undefined && raw.runtime === undefined) throw new UserError([{ path: p.preset ? '--preset' : '--set', message: `names no product and runtime; ${choose}` }]);
  // a product or runtime that does not exist is a typo, not a place where nothing is installed
  if (raw.product !== undefined && !findProduct(raw.product)) throw new UserError([{ path: 'product', message: `must be one of ${productIds().join(', ')} (got ${JSON.stringify(String(raw.product).slice(0, 40))})` }]);
  if (raw.runtime !== undefined && !RUNTIMES.includes(raw.runtime as Runtime)) throw new UserError([{ path: 'runtime', message: `must be one of ${RUNTIMES.join(', ')} (got ${JSON.stringify(String(raw.runtime).slice(0, 40))})` }]);
  // and where it says the install is (an install dir, a namespace), read as that install's runtime reads it
  const at = (d: Pick<Listed, 'location'>) => {
    const product = findProduct(d.location.product)!;
    const want = product.locate(raw, d.location.runtime, c.home);
    return (['installDir', 'namespace', 'release', 'context'] as const).every((k) => getIn(raw, product.settingPath(k, d.location.runtime).split('.')) === undefined || want[k] === d.location[k]);
  };
  const wanted = (l: Location) => (raw.product === undefined || l.product === raw.product) && (raw.runtime === undefined || l.runtime === raw.runtime);
  // One left out for being on another docker daemon: refused if it is one pointed at, as if pointed at alone;
  // nothing to this run otherwise (not said).
  const { found, otherDaemon, broken } = await listInstalls(c, true);
  const refused = otherDaemon.find((o) => wanted(o.location));
  if (refused) throw refused.refusal;
  return { fit: found.filter((d) => wanted(d.location) && at(d)), raw, broken: broken.filter((d) => wanted(d.location) && at(d)) };
}

/**
 * docker/podman, a run that names no install dir (only --set product and runtime, say) where nothing is
 * installed at the default place: the one install of that product and runtime hd-setup recorded as
 * installed (in a dir the wizard was given), with `raw` pointed at it. Only its record is read, and only
 * it is looked at: another install (broken, on another daemon) has no say in this run. Not Kubernetes: a
 * release elsewhere may be in another cluster, and the run is for the current context.
 */
export async function adoptOnlyInstall(raw: Record<string, unknown>, c: FindContext): Promise<DetectedInstall | undefined> {
  const product = findProduct(raw.product);
  const runtime = raw.runtime as Runtime;
  if (!product || (runtime !== 'docker' && runtime !== 'podman') || !product.runtimes.includes(runtime)) return undefined;
  const path = product.settingPath('installDir', runtime).split('.');
  if (getIn(raw, path) !== undefined) return undefined;
  const recs = readRegistry(c.home).filter((r) => r.product === product.id && r.runtime === runtime && r.state === 'installed');
  if (recs.length !== 1) return undefined;
  const d = await findAt(locationOfRecord(recs[0]!), c, 'absent');
  const dir = d && getIn(d.preset, path);
  if (!d || d.uninstalled || dir === undefined) return undefined;
  setIn(raw, path, structuredClone(dir));
  return d;
}

/** A terminal's choice among several installs (undefined: none, or no terminal). */
export type PickOne = <T extends Listed>(list: T[]) => Promise<T | undefined>;

/** How a list of installs to choose from names one: its product and runtime, where it is, what is wrong. */
export function listedName(d: Listed): string {
  const why = isBroken(d) ? `; broken: ${d.error.problems[0]?.path || 'its files cannot be read'}` : d.uninstalled ? '; not installed, config kept' : d.configMissing ? `; its config ${d.configMissing} is gone or cannot be read` : '';
  return `${installName(d.location.product, d.location.runtime)} (${d.where}${why})`;
}

/** Several installs: `pick` chooses (a TTY asks), else exit 2 naming the flags that choose each. A broken one chosen is its refusal. */
async function chooseAmong(all: Listed[], pick?: PickOne): Promise<DetectedInstall> {
  const chosen = pick ? await pick(all) : undefined;
  if (chosen && isBroken(chosen)) throw chosen.error;
  if (chosen) return chosen;
  throw new UserError([
    {
      path: '',
      message: `${all.length} installs found: ${all.map(listedName).join('; ')}; choose one with ${all.map((d) => shortestPointer(d, all)).join(' or ')}`,
    },
  ]);
}

/** The flags that choose d among these: `--set product=…` when it is its product's only one (it named every --set of the install: three, an install dir among them). */
function shortestPointer(d: Listed, all: Listed[]): string {
  return all.filter((o) => o.location.product === d.location.product).length === 1 ? `--set product=${d.location.product}` : pointerFor(d);
}

/** The flags that point at an install. */
export function pointerFor(d: Pick<DetectedInstall, 'location'>): string {
  const l = d.location;
  const product = findProduct(l.product);
  const set = (k: string, v: string) => `--set ${shellQuote(`${k}=${v}`)}`;
  const parts = [set('product', l.product), set('runtime', l.runtime)];
  if (product && l.installDir) parts.push(set(product.settingPath('installDir', l.runtime), l.installDir));
  if (product && l.namespace) parts.push(set(product.settingPath('namespace', l.runtime), l.namespace));
  if (product && l.release) parts.push(set(product.settingPath('release', l.runtime), l.release));
  if (l.context) parts.push(`--context ${shellQuote(l.context)}`);
  return parts.join(' ');
}

/**
 * The flags a later command needs to act on this install: none when it is the only one hd-setup recorded,
 * `--set product=…` when it is its product's only one, else the whole pointer. For the commands in hints.
 */
export function choosingFlags(loc: Location, home: string): string {
  let others: Location[];
  try {
    others = readRegistry(home).map(locationOfRecord).filter((l) => !sameLocation(l, loc));
  } catch {
    return '';
  }
  if (!others.length) return '';
  return others.some((l) => l.product === loc.product) ? pointerFor({ location: loc }) : `--set product=${loc.product}`;
}

/** An install that is there now (its containers or its release), not only the settings an uninstall kept. */
export function isPresent(d: Pick<DetectedInstall, 'containers' | 'release'>): boolean {
  return d.containers.length > 0 || d.release !== undefined;
}
