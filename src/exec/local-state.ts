// Local state is input too: installs.json, an install's config.json, a Tobiko env-file, helm values.
// Each is read bounded (regular file, capped, UTF-8) and checked for shape; a corrupted one is a UserError
// (exit 2) that names the path and the fix, never a crash and never a silent "no install found".
import { UserError } from '../model/errors.js';
import { RUNTIMES } from '../model/base.js';
import { productIds } from '../products/index.js';
import { parseJsonStrict } from '../model/json-strict.js';
import { LIMITS, isProtoKey } from '../model/limits.js';
import { posix } from 'node:path';
import { pathProblem } from '../model/patterns.js';
import { accessProblem, readBoundedText } from '../util/bounded-read.js';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';

const PRODUCTS: readonly string[] = productIds();

const corrupt = (path: string, what: string, fix: string) => new UserError([{ path, message: `${what}; ${fix}` }]);

/**
 * A state file this user may not open for a permission (of a folder on its way, or its own): the fix is the
 * chmod it names, never to move the file away or to put a backup back (the file is whole, its token too).
 */
export class NoAccess extends UserError {}

/** The text of a state file, or undefined when it does not exist. Anything else unreadable is an error. */
export function readStateFile(path: string, fix: string): string | undefined {
  const r = readBoundedText(path, LIMITS.fileBytes, { followLink: false });
  if (r.ok) return r.text;
  if (r.why === 'does not exist') return undefined;
  const denied = r.why === 'is not readable' ? accessProblem(path) : undefined;
  if (denied) throw new NoAccess([denied]);
  throw corrupt(path, r.why, fix);
}

function parseJson(text: string, path: string, fix: string): unknown {
  try {
    return parseJsonStrict(text, path);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.problems.map((p) => ({ path: p.path, message: `${p.message}; ${fix}` })));
    throw e;
  }
}

/** What an uninstall kept of a container that no file keeps (image, hd-setup's labels, restart policy). */
export interface KeptContainer {
  image: string;
  labels: Record<string, string>;
  restart?: string;
}

export interface RecordShape {
  product: string;
  runtime: string;
  installDir?: string;
  namespace?: string;
  release?: string;
  context?: string;
  skipChecks?: string[];
  allowRoot?: boolean;
  state?: 'installed' | 'started' | 'uninstalled';
  containers?: Record<string, KeptContainer>;
  before?: LastChange;
  updatedAt: string;
}

/**
 * docker/podman: the install as the last change found it, for rollback. What its containers carried then
 * (image, hd-setup's labels, restart policy), and a digest of its configuration file then (registry.ts
 * configDigest: the backup that holds that text is found by it; no text of the file is kept here).
 */
export interface LastChange {
  containers: Record<string, KeptContainer>;
  config?: string;
  /** The settings given with --set then (InstallRecord.setPaths): rollback puts them back with their values. */
  setPaths?: string[];
  /** A digest of the configuration file as the change left it: what a rollback of a hand edit since puts back. */
  left?: string;
}



const REGISTRY_FIX = 'fix it or move it away (hd-setup then starts a new list, and finds installs in their default places again)';

const isStr = (v: unknown) => typeof v === 'string' && v.length <= LIMITS.stringLength;

/** The settings an uninstall kept of its containers: {name: {image, labels, restart?}}, strings only, capped. */
function keptContainersOk(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 16) return false;
  return entries.every(([name, c]) => {
    if (isProtoKey(name) || c === null || typeof c !== 'object' || Array.isArray(c)) return false;
    const o = c as Record<string, unknown>;
    if (!isStr(o.image) || (o.restart !== undefined && !isStr(o.restart))) return false;
    if (o.labels === null || typeof o.labels !== 'object' || Array.isArray(o.labels)) return false;
    const labels = Object.entries(o.labels as Record<string, unknown>);
    return labels.length <= 64 && labels.every(([k, l]) => !isProtoKey(k) && isStr(l));
  });
}

/** Why a registry entry is not usable, or undefined. */
function recordProblem(r: unknown): string | undefined {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return 'is not an object';
  const o = r as Record<string, unknown>;
  if (!PRODUCTS.includes(o.product as string)) return `has no valid product (${PRODUCTS.join(' or ')})`;
  if (!RUNTIMES.includes(o.runtime as (typeof RUNTIMES)[number])) return `has no valid runtime (${RUNTIMES.join(', ')})`;
  for (const k of ['installDir', 'namespace', 'release', 'context', 'updatedAt', 'stoppedAt', 'dockerHost', 'kubeContext', 'kubeServer', 'kubeconfig'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') return `has a ${k} that is not a string`;
  }
  if (o.skipChecks !== undefined && !(Array.isArray(o.skipChecks) && o.skipChecks.every((c) => typeof c === 'string'))) return 'has skipChecks that are not a list of check ids';
  if (o.setPaths !== undefined && !(Array.isArray(o.setPaths) && o.setPaths.length <= 1000 && o.setPaths.every((c) => typeof c === 'string' && c.length <= 1000))) return 'has setPaths that are not a list of setting paths';
  if (o.allowRoot !== undefined && typeof o.allowRoot !== 'boolean') return 'has an allowRoot that is not true or false';
  if (o.state !== undefined && o.state !== 'installed' && o.state !== 'started' && o.state !== 'uninstalled') return 'has an unknown state';
  if (o.containers !== undefined && !keptContainersOk(o.containers)) return 'has containers that are not {name: {image, labels, restart}}';
  if (o.before !== undefined) {
    const b = o.before as Record<string, unknown> | null;
    const paths = (v: unknown) => Array.isArray(v) && v.length <= 1000 && v.every((c) => typeof c === 'string' && c.length <= 1000);
    if (b === null || typeof b !== 'object' || Array.isArray(b) || !keptContainersOk(b.containers) || [b.config, b.left].some((h) => h !== undefined && !(typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) || (b.setPaths !== undefined && !paths(b.setPaths)) || Object.keys(b).some((k) => !['containers', 'config', 'setPaths', 'left'].includes(k))) {
      return 'has a "before" that is not {containers, config, setPaths, left} (what rollback goes back to)';
    }
  }
  // hd-setup records it absolute and normalized: anything else (relative, "/", "a/../b") is not its record
  if (typeof o.installDir === 'string' && (pathProblem(o.installDir) || !posix.isAbsolute(o.installDir) || o.installDir === '/' || posix.normalize(o.installDir) !== o.installDir || o.installDir.endsWith('/'))) {
    return 'has an invalid installDir (hd-setup records an absolute folder)';
  }
  if (o.runtime !== 'kubernetes' && typeof o.installDir !== 'string') return 'has no installDir';
  return undefined;
}

/**
 * ~/.config/hd-setup/installs.json: a list of install records. Strict: a corrupted file is exit 2.
 * Lenient (when hd-setup is about to rewrite it): unusable entries are dropped and reported through warn.
 */
export function readRegistryFile(path: string, lenient?: { warn: (msg: string) => void }): RecordShape[] {
  let text: string | undefined;
  let parsed: unknown;
  try {
    text = readStateFile(path, REGISTRY_FIX);
    if (text === undefined) return [];
    parsed = parseJson(text, path, REGISTRY_FIX);
    if (!Array.isArray(parsed)) throw corrupt(path, 'is not a list of installs', REGISTRY_FIX);
  } catch (e) {
    if (lenient && e instanceof UserError) {
      lenient.warn(`${e.message.split('\n')[0]} (starting a new list)`);
      return [];
    }
    throw e;
  }
  const out: RecordShape[] = [];
  for (const [i, r] of (parsed as unknown[]).entries()) {
    const bad = recordProblem(r);
    if (!bad) {
      out.push(r as RecordShape);
      continue;
    }
    if (!lenient) throw corrupt(path, `install [${i}] ${bad}`, REGISTRY_FIX);
    lenient.warn(`${path}: install [${i}] ${bad}; dropped it from the list`);
  }
  return out;
}

/** An install's conf/config.json (Fivetran on docker/podman): a JSON object. */
export function parseInstallConfig(text: string, path: string, fix = 'fix it by hand (it is the agent\'s config, a JSON object), or move it away and install again'): Record<string, unknown> {
  const v = parseJson(text, path, fix);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw corrupt(path, 'is not a JSON object', fix);
  return { ...(v as Record<string, unknown>) };
}

/** The Helm values hd-setup wrote for a release (values.yaml): a YAML mapping, read as JSON data. */
export function parseValuesFile(text: string, path: string, fix: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = loadYaml(text, { schema: CORE_SCHEMA, json: false });
  } catch (e) {
    throw corrupt(path, `is not valid YAML (${String((e as Error).message).split('\n')[0]})`, fix);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw corrupt(path, 'is not a YAML mapping', fix);
  return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
}

/** An env-file hd-setup wrote (KEY=VALUE lines). Keys must be variable names; no key maps to a prototype name. */
export function parseEnvFileChecked(text: string, path: string, fix = 'fix it by hand (KEY=VALUE lines), or move it away and install again'): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    // docker and podman keep a carriage return in the value (clientId\r): a file saved with Windows line ends
    if (line.endsWith('\r')) throw corrupt(`${path}:${i + 1}`, 'ends in a carriage return (the file was saved with Windows line ends, which docker keeps in the value); save it with Unix line ends (dos2unix)', fix);
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw corrupt(`${path}:${i + 1}`, 'is not a KEY=VALUE line with a variable name', fix);
    if (key.toLowerCase().includes('__proto__') || key.split('__').some((part) => isProtoKey(part.toLowerCase()))) throw corrupt(`${path}:${i + 1}`, 'uses a reserved name (__proto__, constructor, prototype) in its key', fix);
    // docker's --env-file takes the last of two: a line added by hand below hd-setup's would win there, and be
    // dropped by the next rewrite; one of them is refused instead (as a key twice in config.json is)
    if (key in out) throw corrupt(`${path}:${i + 1}`, `sets ${key} a second time (docker and podman would take this one); keep one of the two lines`, fix);
    out[key] = line.slice(eq + 1);
  }
  return { ...out };
}

/**
 * Whether a backup of `file` is complete enough to restore: it parses as what the file holds and ends
 * where hd-setup's files end (a newline). A 0-byte or cut-off backup is not.
 */
export function backupValidator(file: string): (text: string) => boolean {
  const ok = (fn: () => unknown) => {
    try {
      return fn() !== false;
    } catch {
      return false;
    }
  };
  if (file.endsWith('.json')) return (t) => ok(() => parseInstallConfig(t, file));
  if (file.endsWith('.env')) return (t) => t.endsWith('\n') && ok(() => Object.keys(parseEnvFileChecked(t, file)).length > 0);
  if (/\.ya?ml$/.test(file)) {
    return (t) =>
      t.endsWith('\n') &&
      ok(() => {
        const v = loadYaml(t, { schema: CORE_SCHEMA });
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
  }
  return (t) => t.endsWith('\n');
}
