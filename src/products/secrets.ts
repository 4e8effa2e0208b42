// The secret registry: which values of a preset are secret, decided in this one place. A value is secret
// when the schema marks its field (`x-secret`, set by model/common.ts `secret()`; `x-secret: "userinfo"`
// for a URL whose password is the secret, `credentialUrl()`), or when its product module's own rules say
// so (`secretRules`: Tobiko's keyword rule for gateway params, secretParams, nonSecretParams). Everything
// that masks, exports, refuses or reads back asks here: the output redactor (parsed presets and read-back
// installs), export-preset and the wizard's saved preset, the diagnostics bundle, the reset refusal, and
// the re-run rules that keep stored secrets. No other list of secret paths exists.
import type { SecretField } from '../model/secret-refs.js';
import { isStored } from '../model/stored.js';
import { hasPassword, urlPasswords } from '../util/url-userinfo.js';
import { isRef } from '../model/refs.js';
import { computePresetJsonSchema, findProduct, PRODUCTS, presetJsonSchema } from './index.js';
import type { ProductModule } from './types.js';

export type { SecretField } from '../model/secret-refs.js';

type JS = Record<string, any>;
type Obj = Record<string, unknown>;

interface Mark {
  /** Path pattern; '*' matches every key of a map or item of a list. */
  pattern: string[];
  kind: SecretField['kind'];
  env?: string;
}

const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Every secret mark in a JSON Schema, as path patterns. */
export function schemaMarks(root: JS): Mark[] {
  const out: Mark[] = [];
  const seen = new Set<string>();
  const walk = (s: JS | undefined, path: string[], refs: string[]) => {
    if (!s || typeof s !== 'object') return;
    if (typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')) {
      const name = s.$ref.slice(8);
      if (refs.includes(name)) return; // a recursive definition: no secret below it that is not above
      walk(root.$defs?.[name], path, [...refs, name]);
    }
    const mark = s['x-secret'];
    if (mark === true || mark === 'userinfo') {
      const key = `${path.join('\u0000')}|${mark}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ pattern: path, kind: mark === true ? 'value' : 'userinfo', ...(typeof s['x-env'] === 'string' ? { env: s['x-env'] } : {}) });
      }
      return;
    }
    for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])] as JS[]) walk(alt, path, refs);
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, JS>)) walk(v, [...path, k], refs);
    if (isObj(s.additionalProperties)) walk(s.additionalProperties, [...path, '*'], refs);
    if (isObj(s.items)) walk(s.items, [...path, '*'], refs);
  };
  walk(root, [], []);
  return out;
}

const marksCache = new WeakMap<readonly ProductModule[], Mark[]>();
function marksOf(list: readonly ProductModule[]): Mark[] {
  let m = marksCache.get(list);
  if (!m) {
    m = schemaMarks(list === PRODUCTS ? presetJsonSchema() : computePresetJsonSchema(list));
    marksCache.set(list, m);
  }
  return m;
}

/** The concrete paths of a preset that a pattern matches (only where a value is present). */
function expand(preset: unknown, pattern: string[]): string[][] {
  let at: [string[], unknown][] = [[[], preset]];
  for (const seg of pattern) {
    const next: [string[], unknown][] = [];
    for (const [p, v] of at) {
      if (Array.isArray(v)) v.forEach((x, i) => (seg === '*' || seg === String(i)) && next.push([[...p, String(i)], x]));
      else if (isObj(v)) for (const k of Object.keys(v)) if (seg === '*' || seg === k) next.push([[...p, k], v[k]]);
    }
    at = next;
  }
  return at.filter(([, v]) => v !== undefined && v !== null).map(([p]) => p);
}

export const defaultEnvName = (path: string) => path.replace(/\W+/g, '_').toUpperCase();

/**
 * The secret fields of a preset (raw, parsed or read back): the schema's marks united with its product's
 * rules. Only fields that hold a value. A URL field is listed whether or not it holds a password now (it
 * may be a reference still); `secretValues` and `withSecretRefs` look at what it holds.
 */
export function secretFields(preset: Obj, list: readonly ProductModule[] = PRODUCTS): SecretField[] {
  const out = new Map<string, SecretField>();
  const product = findProduct(preset.product, list);
  const envOf = (path: string, mark?: string) => mark ?? product?.secretEnvName?.(path, preset) ?? defaultEnvName(path);
  for (const m of marksOf(list)) {
    for (const p of expand(preset, m.pattern)) {
      const path = p.join('.');
      if (!out.has(path)) out.set(path, { path, kind: m.kind, env: envOf(path, m.env) });
    }
  }
  for (const path of product?.secretRules?.(preset) ?? []) if (!out.has(path)) out.set(path, { path, kind: 'value', env: envOf(path) });
  // One variable for each: two secrets named alike (an extra variable X_TOKEN and a gateway "tobiko"'s x_token)
  // would both be exported as one, and the install of the export would give them the same value.
  const taken = new Set<string>();
  return [...out.values()].map((f) => {
    let env = f.env;
    for (let n = 2; taken.has(env); n++) env = `${f.env}_${n}`;
    taken.add(env);
    return env === f.env ? f : { ...f, env };
  });
}

/**
 * The secrets a preset of some product has at a fixed path (a token, a client secret; not one per gateway)
 * whose environment variable is set and not empty: the wizard prefills them as env: references.
 */
export function secretsInEnv(env: NodeJS.ProcessEnv, list: readonly ProductModule[] = PRODUCTS): { path: string; env: string }[] {
  const out: { path: string; env: string }[] = [];
  for (const m of marksOf(list)) {
    if (m.kind !== 'value' || m.pattern.includes('*')) continue;
    const path = m.pattern.join('.');
    const name = m.env ?? findProduct(m.pattern[0], list)?.secretEnvName?.(path) ?? defaultEnvName(path);
    if (env[name]?.trim() && !out.some((o) => o.path === path)) out.push({ path, env: name });
  }
  return out;
}

/** Paths of the values that are secret whole (the re-run rules keep these when a preset omits them). */
export function secretPaths(preset: Obj, list: readonly ProductModule[] = PRODUCTS): string[] {
  return secretFields(preset, list)
    .filter((f) => f.kind === 'value')
    .map((f) => f.path);
}

const getPath = (o: unknown, path: string) => path.split('.').reduce<unknown>((v, k) => (isObj(v) || Array.isArray(v) ? (v as Obj)[k] : undefined), o);

/**
 * The secret values a preset holds, for the output redactor: each secret field's value (a reference or a
 * stored: marker is not a value), and the password of each URL field (as written and decoded).
 */
export function secretValues(preset: Obj, list: readonly ProductModule[] = PRODUCTS): string[] {
  const out: string[] = [];
  for (const f of secretFields(preset, list)) {
    const v = getPath(preset, f.path);
    if (f.kind === 'userinfo') {
      if (typeof v === 'string') out.push(...urlPasswords(v));
      continue;
    }
    // A reference names where the secret is (env:FIVETRAN_TOKEN in a kept Kubernetes config): no secret.
    if (v === undefined || v === null || isStored(v) || (typeof v === 'string' && isRef(v))) continue;
    out.push(typeof v === 'string' ? v : JSON.stringify(v));
  }
  return out;
}

/**
 * The keys under which the install's config files (docker/podman) hold the preset's secret values, by the
 * product's own mapping (`secretConfigKey`): an env-file line or a JSON field with one of these keys is
 * masked whole, whatever its value looks like. URL fields are left out: their password is masked in place.
 */
export function secretConfigKeys(preset: Obj, list: readonly ProductModule[] = PRODUCTS): string[] {
  const product = findProduct(preset.product, list);
  const out = new Set<string>();
  for (const f of secretFields(preset, list)) {
    const key = f.kind === 'value' ? product?.secretConfigKey?.(f.path, preset) : undefined;
    if (key) out.add(key);
  }
  return [...out];
}

/**
 * A warning for each secret that --set gives as a literal (a whole section given as JSON counts for the
 * secrets in it): argv is readable by other users (ps, /proc) and shell history keeps it. Each names the
 * setting and the reference to give instead, never the value.
 */
export function secretsOnCommandLine(preset: Obj, setPaths: readonly string[], list: readonly ProductModule[] = PRODUCTS): string[] {
  const out: string[] = [];
  const product = findProduct(preset.product, list);
  for (const f of secretFields(preset, list)) {
    if (!setPaths.some((p) => f.path === p || f.path.startsWith(`${p}.`))) continue;
    const v = getPath(preset, f.path);
    // a number or a section is as literal as a string (password=123456789 arrives as a number)
    if (v === undefined || v === null || v === '') continue; // an empty one is refused, with its fix
    if (typeof v === 'string' && (isRef(v) || isStored(v) || product?.secretPointer?.(v))) continue;
    if (f.kind === 'userinfo' && !(typeof v === 'string' && hasPassword(v))) continue;
    const ref = f.kind === 'value' ? `env:${f.env} (export it first)` : `env:${f.env} (a variable holding the whole URL)`;
    out.push(`${f.path} is given on the command line, where other users can read it (ps) and your shell history keeps it; give it as ${ref} or file:PATH`);
  }
  return out;
}

/** The secret field at a path of a preset, if it is one (the reset refusal asks for each setting it names). */
export function secretFieldAt(preset: Obj, path: string, list: readonly ProductModule[] = PRODUCTS): SecretField | undefined {
  return secretFields(preset, list).find((f) => f.path === path);
}
