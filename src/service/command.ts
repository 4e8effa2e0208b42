// The wizard's answers as the one non-interactive command that gives the same install (as gitlab-runner
// prints its `register` line): `hd-setup install [--preset P] --set path=value ... --yes`, secrets as
// env: references (or the reference they came from). The command is checked here: loading its flags
// must give back exactly the answers, or a longer form (no preset) is used.
import { isDeepStrictEqual } from 'node:util';
import { formatPath } from '../model/errors.js';
import { listPresets } from '../model/load.js';
import { buildRaw, parseModel, parseValue } from '../products/load.js';
import { withSecretRefs } from '../model/secret-refs.js';
import { secretFields } from '../products/secrets.js';
import { shellQuote } from '../util/shell.js';

export interface CommandOptions {
  /** The preset the wizard started from (--preset), tried first as the base. */
  preset?: string;
  /** The references secrets came from (env:NAME, file:PATH), kept as they are. */
  refs?: Record<string, string>;
  allowRoot?: boolean;
  skipCheck?: string[];
  /** The environment the answers are read in (their own env: references). */
  env?: NodeJS.ProcessEnv;
}

export interface Equivalent {
  /** The command, shell-quoted. */
  command: string;
  /** Its arguments after `hd-setup`. */
  argv: string[];
  /** Its words, shell-quoted (`hd-setup` first): `command` is them joined by spaces. */
  words: string[];
  /** The environment variables it reads (the secrets). */
  vars: string[];
}

type Path = (string | number)[];

/** The leaves of a preset: every scalar, and empty maps and lists, with their paths. */
function leaves(v: unknown, path: Path = []): [Path, unknown][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...path, i])) : [[path, []]];
  if (v && typeof v === 'object') {
    const e = Object.entries(v as Record<string, unknown>);
    return e.length || !path.length ? e.flatMap(([k, x]) => leaves(x, [...path, k])) : [[path, {}]];
  }
  return [[path, v]];
}

/** `path=value` as --set reads it back to the same value (a string the model would take as YAML is quoted). */
function setArg(path: Path, value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const back = (t: string) => parseValue(path, t);
  const v = isDeepStrictEqual(back(text), value) ? text : JSON.stringify(value);
  return `${formatPath(path)}=${v}`;
}

const without$schema = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== '$schema'));

function get(o: unknown, path: Path): unknown {
  return path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string | number, unknown>)[k] : undefined), o);
}

/**
 * The --set flags that turn the preset `base` into `target`, or undefined when loading them does not give
 * the same model as `answers`. What `base` has and the answers do not is unset (`--set path=null`, at the
 * first key the answers lack), unless the model is the same without that. References in `target` stand
 * for the answers' values: they are put back before comparing.
 */
function setsFrom(base: Record<string, unknown>, target: Record<string, unknown>, answers: Record<string, unknown>, preset: string | undefined, same: (raw: Record<string, unknown>) => boolean): string[] | undefined {
  const sets = leaves(target)
    .filter(([p, v]) => !isDeepStrictEqual(get(base, p), v))
    .map(([p, v]) => setArg(p, v));
  const unsets: string[] = [];
  // What an unset of a map takes away that the answers have: set again after it.
  const resets = new Map<string, string[]>();
  for (const [p] of leaves(base)) {
    let i = 0;
    while (i < p.length && get(target, p.slice(0, i + 1)) !== undefined) i++;
    if (i === p.length) continue;
    // only where --set reads "null" as unset (a text setting would take it as text): else the nearest
    // enclosing map that takes it is unset, and what the answers have in it is set again
    let at = i + 1;
    while (at > 0 && parseValue(p.slice(0, at), 'null') !== null) at--;
    if (at === 0) continue;
    const arg = `${formatPath(p.slice(0, at))}=null`;
    if (unsets.includes(arg)) continue;
    unsets.push(arg);
    if (at <= i) {
      const under = get(target, p.slice(0, at));
      const again = under && typeof under === 'object' ? leaves(under as Record<string, unknown>).map(([q, v]) => setArg([...p.slice(0, at), ...q], v)) : [];
      resets.set(arg, again);
    }
  }
  const withResets = (us: string[]) => [...us, ...sets.filter((x) => !us.some((u) => resets.get(u)?.includes(x))), ...us.flatMap((u) => resets.get(u) ?? [])];
  const loads = (args: string[]) => {
    try {
      const back = without$schema(buildRaw({ ...(preset ? { preset } : {}), sets: args, env: {} }).raw);
      for (const [p, v] of leaves(target)) {
        const mine = get(answers, p);
        if (!isDeepStrictEqual(mine, v) && isDeepStrictEqual(get(back, p), v)) put(back, p, mine);
      }
      return same(back);
    } catch {
      return false;
    }
  };
  let needed = [...unsets];
  if (!loads(withResets(needed))) return undefined;
  // An unset the model does not notice (the base spells out a default) is left out.
  for (const u of unsets) {
    const without = needed.filter((x) => x !== u);
    if (loads(withResets(without))) needed = without;
  }
  return [...new Set(withResets(needed))];
}

function put(o: Record<string, unknown>, path: Path, v: unknown): void {
  let cur = o as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path.at(-1)!] = v;
}

/** The shortest command that reproduces `answers`: from the preset given, a bundled one, or none. */
export function equivalentCommand(given: Record<string, unknown>, o: CommandOptions = {}): Equivalent {
  // "$schema" (answers prefilled from a preset file carry it) is no setting: the loads compared below drop it
  const answers = without$schema(given);
  const { preset, vars } = withSecretRefs(answers, secretFields(answers), o.refs ?? {});
  const target = without$schema(JSON.parse(JSON.stringify(preset)) as Record<string, unknown>);
  const env = o.env ?? process.env;
  const model = (raw: Record<string, unknown>) => {
    try {
      return parseModel(structuredClone(raw), { env }).model;
    } catch {
      return undefined;
    }
  };
  const want = model(answers);
  const same = (raw: Record<string, unknown>) => (want ? isDeepStrictEqual(model(raw), want) : isDeepStrictEqual(raw, JSON.parse(JSON.stringify(answers))));
  const bases: (string | undefined)[] = [...(o.preset ? [o.preset] : []), ...listPresets().map((p) => p.name), undefined];
  // The closest preset first: one of the same product and runtime (a Kubernetes install starts from a
  // Kubernetes preset, never from the docker one with --set runtime=kubernetes); then the fewest flags.
  const kind = (raw: Record<string, unknown>) => raw.product === answers.product && raw.runtime === answers.runtime;
  let best: { preset?: string; sets: string[]; near: boolean } | undefined;
  for (const b of bases) {
    let raw: Record<string, unknown> = {};
    try {
      raw = b ? without$schema(buildRaw({ preset: b, env: {} }).raw) : {};
    } catch {
      continue;
    }
    // another product's preset is never a base (its section would be unset whole)
    if (b && raw.product !== answers.product) continue;
    const sets = setsFrom(raw, target, answers, b, same);
    const near = Boolean(b) && kind(raw);
    if (sets && (!best || (near && !best.near) || (near === best.near && sets.length < best.sets.length))) best = { ...(b ? { preset: b } : {}), sets, near };
  }
  const argv = [
    'install',
    ...(best?.preset ? ['--preset', best.preset] : []),
    ...(best?.sets ?? []).flatMap((s) => ['--set', s]),
    ...(o.allowRoot ? ['--allow-root'] : []),
    ...(o.skipCheck ?? []).flatMap((id) => ['--skip-check', id]),
    '--yes',
  ];
  const words = ['hd-setup', ...argv].map(shellQuote);
  return { argv, words, command: words.join(' '), vars: [...new Set(vars)] };
}
