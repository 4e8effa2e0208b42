// Re-running against an existing install: keep stored secrets unless new ones are given, and refuse a
// preset that would silently reset a setting the install has (Tailscale-style), unless --reset.
// Generic: the install is a read-back preset (products/readback.ts) whose every leaf is a setting the
// install really has, and the secrets are the paths its product names.
import { shellQuote } from '../util/shell.js';
import { canonical } from '../util/canonical.js';
import { parseSetPath } from './load.js';
import { envRefValue } from './refs.js';

export interface Installed {
  product: string;
  runtime: string;
  /** The install as a minimal preset (read back). */
  preset: Record<string, unknown>;
  secretPaths: string[];
  /**
   * Settings secret only in part (a proxy URL with a password): kept like a secret when the preset
   * references them and the reference gives nothing (env:NAME unset); a preset that omits them resets them.
   */
  partSecretPaths?: string[];
  /** Each secret's own reference (env:NAME), by dotted path: the one export-preset and a refusal's keep command write for it. */
  secretRefs?: Record<string, string>;
  where: string;
  /** A config an uninstall kept (nothing runs it): named so, not "the installed agent". */
  kept?: boolean;
}

type Path = string[];
type Obj = Record<string, unknown>;
/** Parses a raw preset as the install would (env references resolved); throws on an invalid one. */
/** Parses a preset (throws when it is not a valid one); returns the model, or nothing when only validity matters. */
export type Validate = (raw: Obj) => unknown;

const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** A list's item by its index in a dotted path (`tobiko.docker.extraEnv.0.value`). */
const isIndex = (cur: unknown, k: string): cur is unknown[] => Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(k);

export function getIn(o: unknown, path: readonly string[]): unknown {
  let cur = o;
  for (const k of path) {
    if (isIndex(cur, k)) cur = cur[Number(k)];
    else if (!isObj(cur) || !Object.hasOwn(cur, k)) return undefined;
    else cur = cur[k];
  }
  return cur;
}

/** Whether `inner` is `outer` or lies below it (`a.b.c` within `a.b`). */
export function pathWithin(inner: readonly string[], outer: readonly string[]): boolean {
  return outer.length <= inner.length && outer.every((x, i) => x === inner[i]);
}

/** Whether one path lies on the other's way: the same setting, or one within the other. */
export function pathsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return pathWithin(a, b) || pathWithin(b, a);
}

export function setIn(o: Obj, path: readonly string[], v: unknown): void {
  let cur: Obj | unknown[] = o;
  for (const [i, k] of path.entries()) {
    const last = i === path.length - 1;
    if (isIndex(cur, k)) {
      if (last) cur[Number(k)] = v;
      else cur = (isObj(cur[Number(k)]) || Array.isArray(cur[Number(k)]) ? cur[Number(k)] : (cur[Number(k)] = {})) as Obj | unknown[];
    } else {
      const m = cur as Obj;
      if (last) m[k] = v;
      else cur = (isObj(m[k]) || Array.isArray(m[k]) ? m[k] : (m[k] = {})) as Obj | unknown[];
    }
  }
}

function deleteIn(o: Obj, path: readonly string[]): void {
  const parent = getIn(o, path.slice(0, -1));
  if (isObj(parent)) delete parent[path[path.length - 1]!];
}

/** deleteIn, and each mapping it leaves empty on the way up (a preset that leaves a setting out has no empty mapping for it). */
function deleteWhole(o: Obj, path: readonly string[]): void {
  deleteIn(o, path);
  for (let i = path.length - 1; i > 0; i--) {
    const up = getIn(o, path.slice(0, i));
    if (!isObj(up) || Object.keys(up).length > 0) break;
    deleteIn(o, path.slice(0, i));
  }
}

/** Leaves of a preset: objects are walked, arrays and scalars are values. */
export function leaves(o: unknown, prefix: Path = []): [Path, unknown][] {
  if (!isObj(o)) return prefix.length ? [[prefix, o]] : [];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}

const unresolvable = (v: unknown, env: NodeJS.ProcessEnv) => typeof v === 'string' && v.startsWith('env:') && !envRefValue(env, v.slice(4));

const valid = (validate: Validate, raw: Obj) => {
  try {
    validate(raw);
    return true;
  } catch {
    return false;
  }
};

const sameInstall = (raw: Obj, installed: Installed) => raw.product === installed.product && raw.runtime === installed.runtime;

/**
 * A stored secret is kept unless a new one is given: a secret the preset omits, or references but
 * cannot resolve (env:NAME unset), is taken from the install, unless the preset chose something that
 * excludes it (a Secret of the user's own instead of the token, say). Returns the kept paths.
 * Not one this run names itself (`given`: its --set and HD_SETUP_* paths, as segments) by another reference
 * than its own (`secretRefs`): that asks for a new one, and a reference that gives nothing is then an error, as
 * on a first install (a mistyped variable in a rotation would otherwise keep the old secret and report
 * success). Its own reference re-states it, as a refusal's keep command does: kept.
 */
export function keepStoredSecrets(raw: Obj, installed: Installed, env: NodeJS.ProcessEnv, validate: Validate, given: readonly (readonly string[])[] = []): string[] {
  if (!sameInstall(raw, installed)) return [];
  const kept: string[] = [];
  const whole = new Set(installed.secretPaths);
  // (the setting itself: one that holds it, a list of env vars given whole, re-states the references it has)
  const named = (path: readonly string[]) => given.some((g) => pathWithin(g, path));
  for (const dotted of [...installed.secretPaths, ...(installed.partSecretPaths ?? [])]) {
    const from = dotted.split('.');
    const path = sameItemPath(raw, installed.preset, from);
    if (!path) continue;
    const v = getIn(raw, path);
    if (named(path) && v !== installed.secretRefs?.[dotted]) continue;
    if (v !== undefined ? !unresolvable(v, env) : !whole.has(dotted)) continue;
    const before = structuredClone(raw);
    setIn(raw, path, getIn(installed.preset, from));
    if (!valid(validate, raw) && valid(validate, before)) {
      for (const k of Object.keys(raw)) delete raw[k];
      Object.assign(raw, before);
      continue;
    }
    kept.push(path.join('.'));
  }
  return kept;
}

/**
 * A path of the install's preset as the same place in `raw`: a list item that has a name (an env var) is the
 * item of that name in raw's list, wherever it is; one without a name, the item at the same index. Undefined
 * when raw has no such item: a list edited (an item removed, the order changed) moves the others, and a
 * secret kept by position would go to another variable, one that may not be secret at all.
 */
function sameItemPath(raw: Obj, installed: Obj, path: readonly string[]): string[] | undefined {
  const out = [...path];
  for (let i = 1; i < path.length; i++) {
    const list = getIn(installed, path.slice(0, i));
    if (!/^(0|[1-9][0-9]*)$/.test(path[i]!) || !Array.isArray(list)) continue;
    const item = list[Number(path[i])];
    const name = isObj(item) ? item.name : undefined;
    if (name === undefined) continue;
    const there = getIn(raw, out.slice(0, i));
    const at = Array.isArray(there) ? there.findIndex((x) => isObj(x) && x.name === name) : -1;
    if (at < 0) return undefined;
    out[i] = String(at);
  }
  return out;
}

export interface Reset {
  path: string;
  value: unknown;
  secret: boolean;
  /** For a secret: the variable the suggested --set references it by. */
  env?: string;
}

function mentions(raw: Obj, path: Path): boolean {
  for (let i = path.length; i > 0; i--) {
    const v = getIn(raw, path.slice(0, i));
    if (v !== undefined && (i === path.length || !isObj(v))) return true;
  }
  return false;
}

/**
 * Settings the install has that the new preset does not mention: applying it would silently drop them.
 * A setting the preset cannot have beside what it says (an alternative it chose) is a change, not a reset.
 * `isSecret` says whether a setting holds a secret (the registry's answer): true, or the variable to
 * reference it by; the refusal then never shows its value.
 */
export function findResets(raw: Obj, installed: Installed, validate: Validate, isSecret: (v: unknown, path: string) => boolean | string = () => false, unset: readonly (readonly string[])[] = []): Reset[] {
  if (!sameInstall(raw, installed)) return [];
  // a setting this run unsets on purpose (--set path=null) is a change it asks for, never a silent reset
  const unsetHere = (path: Path) => unset.some((u) => u.length <= path.length && u.every((k, i) => k === String(path[i])));
  const candidates = leaves(installed.preset).filter(([path]) => path.length >= 2 && !installed.secretPaths.includes(path.join('.')) && !mentions(raw, path) && !unsetHere(path));
  // Add back what the preset can have beside what it says (some settings only make sense together, so
  // repeat until nothing more fits); what never fits is an alternative the preset chose.
  let withThem = structuredClone(raw);
  const resets = new Set<number>();
  const within = (prefix: Path, p: Path) => prefix.every((k, i) => p[i] === k);
  /** Adds the candidates `idx` (and the install's stored secrets under `whole`, which a group needs to be whole) when the result is valid. */
  const tryAdd = (idx: number[], whole?: Path) => {
    const trial = structuredClone(withThem);
    for (const i of idx) setIn(trial, candidates[i]![0], candidates[i]![1]);
    if (whole) {
      for (const sp of installed.secretPaths.map((x) => x.split('.'))) if (within(whole, sp) && getIn(trial, sp) === undefined) setIn(trial, sp, getIn(installed.preset, sp));
    }
    if (!valid(validate, trial)) return false;
    withThem = trial;
    for (const i of idx) resets.add(i);
    return true;
  };
  const depth = Math.max(0, ...candidates.map(([p]) => p.length - 1));
  for (let grew = true; grew; ) {
    grew = false;
    // one at a time
    candidates.forEach((_, i) => {
      if (!resets.has(i) && tryAdd([i])) grew = true;
    });
    if (grew) continue;
    // Then what is whole only together: a gateway (its type, host, user and stored password), affinity rules
    // and the connections placed by them. Group by group under a common parent, the deepest first.
    groups: for (let d = depth; d >= 1; d--) {
      const groups = new Map<string, { prefix: Path; idx: number[] }>();
      candidates.forEach(([path], i) => {
        if (resets.has(i) || path.length <= d) return;
        const key = JSON.stringify(path.slice(0, d));
        const g = groups.get(key) ?? { prefix: path.slice(0, d), idx: [] };
        g.idx.push(i);
        groups.set(key, g);
      });
      for (const g of groups.values()) {
        if (tryAdd(g.idx, g.prefix)) {
          grew = true;
          break groups;
        }
      }
    }
  }
  // A setting the preset gives anyway (a default gateway that is its first one) is not reset by leaving it
  // out: the model is the same without it.
  const model = (r: Obj) => {
    try {
      const m = validate(r);
      return m === undefined ? undefined : canonical(m);
    } catch {
      return undefined;
    }
  };
  const whole = model(withThem);
  const noChange = (idx: readonly number[]) => {
    if (whole === undefined) return false;
    const without = structuredClone(withThem);
    for (const i of idx) deleteWhole(without, candidates[i]![0]);
    return model(without) === whole;
  };
  const kept = new Set([...resets].filter((i) => !noChange([i])));
  // Settings that change nothing one by one may together (resources.requests.cpu and .memory: the model fills
  // in either while the other is there, and neither when both are gone): those of one mapping, left out
  // together, that change the install are resets too.
  const byParent = new Map<string, number[]>();
  for (const i of resets) {
    if (kept.has(i)) continue;
    const key = JSON.stringify(candidates[i]![0].slice(0, -1));
    byParent.set(key, [...(byParent.get(key) ?? []), i]);
  }
  for (const idx of byParent.values()) if (idx.length > 1 && !noChange(idx)) idx.forEach((i) => kept.add(i));
  return candidates
    .filter((_, i) => kept.has(i))
    .map(([path, value]) => {
      const s = isSecret(value, path.join('.'));
      return { path: path.join('.'), value, secret: s !== false, ...(typeof s === 'string' ? { env: s } : {}) };
    });
}

/** A setting the last install was given with --set, which this run's preset (with no --set for it) says otherwise. */
export interface Override extends Reset {
  /** What this run's preset says. */
  now: unknown;
  /** The setting as the --set named it (`proxy.noProxy[0]`): shown, and given back in the keep command as it was. */
  key: string;
}

/** getIn that also reads through lists (a --set may name one item: `proxy.noProxy[0]`). */
function itemIn(o: unknown, path: readonly (string | number)[]): unknown {
  let cur = o;
  for (const k of path) {
    if (Array.isArray(cur) && typeof k === 'number') cur = cur[k];
    else if (isObj(cur) && typeof k === 'string' && Object.hasOwn(cur, k)) cur = cur[k];
    else return undefined;
  }
  return cur;
}

/**
 * The settings the last install was given with --set (`before`, as model/load.ts buildRaw's `given` names them) that this run would change to
 * what its preset says, with no --set of its own for them (`given`): a preset re-run would revert them
 * silently. Secrets are left out (a new one is a rotation), as are settings the install no longer has. A setting
 * the read-back leaves out because it holds the default (a --set that gave it) is the default, read from the
 * models (`validate`).
 */
export function findOverrides(raw: Obj, installed: Installed, before: readonly string[], given: readonly string[], isSecret: (v: unknown, path: string) => boolean | string = () => false, validate?: Validate): Override[] {
  if (!sameInstall(raw, installed)) return [];
  // The models of the install and of this run (defaults in), each parsed once when first needed.
  const modelOf = (r: Obj) => {
    let m: { v: unknown } | undefined;
    return () => {
      if (!m) {
        try {
          m = { v: validate?.(structuredClone(r)) };
        } catch {
          m = { v: undefined };
        }
      }
      return m.v;
    };
  };
  const installedModel = modelOf(installed.preset);
  const nowModel = modelOf(raw);
  const segs = (k: string) => parseSetPath(k).map(String);
  const within = (a: string[], b: string[]) => a.length <= b.length && a.every((x, i) => x === b[i]);
  const near = (a: string[], b: string[]) => within(a, b) || within(b, a);
  const now = given.map(segs);
  const secrets = installed.secretPaths.map((p) => p.split('.'));
  const out: Override[] = [];
  for (const key of before) {
    let parsed: (string | number)[];
    try {
      parsed = parseSetPath(key);
    } catch {
      continue; // a record edited by hand: nothing to protect there
    }
    const path = parsed.map(String);
    if (now.some((g) => near(g, path)) || secrets.some((sp) => near(sp, path))) continue;
    let was = itemIn(installed.preset, parsed);
    const says = itemIn(raw, parsed);
    // The read-back leaves out a value the model gives anyway: a --set that gave the default (restartPolicy back
    // to on-failure:3) is not there, but the install has it, and a preset that says another changes it.
    if (was === undefined && says !== undefined && validate) {
      const had = itemIn(installedModel(), parsed);
      const will = itemIn(nowModel(), parsed);
      if (had !== undefined && will !== undefined && canonical(had) !== canonical(will)) was = had;
    }
    // An item the --set appended (proxy.noProxy[2] of a list of two) is gone from a list the preset gives
    // whole: as much a change as another value there.
    const dropped = says === undefined && typeof parsed.at(-1) === 'number' && Array.isArray(itemIn(raw, parsed.slice(0, -1)));
    if (was === undefined || (says === undefined && !dropped) || canonical(was) === canonical(says)) continue;
    if (isSecret(was, path.join('.')) !== false || isSecret(says, path.join('.')) !== false) continue;
    out.push({ path: path.join('.'), key, value: was, secret: false, now: says });
  }
  return out;
}

function setPath(path: string): string {
  return path
    .split('.')
    .map((seg, i) => (i === 0 || /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? seg : `["${seg}"]`))
    .join('.')
    .replace(/\.\[/g, '[');
}

function setArg(r: Reset | Override): string {
  const v = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
  const value = r.secret ? `env:${r.env ?? 'YOUR_SECRET_VAR'}` : v;
  return `--set ${shellQuote(`${'key' in r ? r.key : setPath(r.path)}=${value}`)}`;
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const settings = (n: number) => `${n} setting${n > 1 ? 's' : ''}`;

/**
 * The refusal of a re-run that would drop settings (resets) or revert ones given with --set (overrides).
 * `subject` names what the run was given: a preset, or only --set.
 */
export function resetRefusal(resets: Reset[], installed: Installed, argvBase: string, overrides: Override[] = [], subject = 'this preset'): { path: string; message: string }[] {
  const keep = `${argvBase} ${[...resets, ...overrides].map(setArg).join(' ')}`;
  return [
    ...(resets.length
      ? [{ path: '', message: `${subject} would reset ${settings(resets.length)} ${installed.kept ? 'the config an uninstall kept' : 'the installed agent'} has (${installed.where}): ${resets.map((r) => `${r.path}${r.secret ? '' : `=${shown(r.value)}`}`).join(', ')}` }]
      : []),
    ...(overrides.length
      ? [{ path: '', message: `${subject} would change ${settings(overrides.length)} the install was given with --set or HD_SETUP_* (${installed.where}): ${overrides.map((o) => `${o.key}=${shown(o.value)} (${subject.replace(/^this /, 'the ')} ${o.now === undefined ? 'has no such item' : `says ${shown(o.now)}`})`).join(', ')}` }]
      : []),
    { path: '', message: `to keep ${resets.length + overrides.length > 1 ? 'them' : 'it'}: ${keep}` },
    { path: '', message: `to apply exactly ${subject}${resets.length ? ` and drop ${resets.length > 1 ? 'them' : 'it'}` : ''}: add --reset` },
  ];
}

export { deleteIn };
