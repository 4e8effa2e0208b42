// Preset loading: bundled name or path, YAML or JSON; then environment, then --set; then the zod model.
// Precedence: --set > environment (HD_SETUP_*) > preset file > defaults.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homeOf } from './home.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jsYaml from 'js-yaml';
import { CORE_SCHEMA, Type, YAMLException, load as loadYaml } from 'js-yaml';
import { UserError, formatPath, zodProblems, type Problem } from './errors.js';
import { withResolveContext } from './refs.js';
import { parseJsonStrict } from './json-strict.js';
import { LIMITS, PROTO_KEY_MESSAGE, checkStructure, isProtoKey } from './limits.js';
import { readBoundedText } from '../util/bounded-read.js';
import { CONTROL, controlCode } from '../util/control.js';
import type { ZodType } from 'zod';
import { ENV_PREFIX, noteFromEnv, optionVarNames } from './env-names.js';

export { ENV_PREFIX } from './env-names.js';

export function presetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../presets', '../../presets']) {
    const p = resolve(here, rel);
    if (existsSync(p)) return p;
  }
  return resolve(here, '../presets');
}

export interface BundledPreset {
  name: string;
  file: string;
  description: string;
}

export function listPresets(): BundledPreset[] {
  const dir = presetsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const first = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('#')) ?? '';
      return { name: f.replace(/\.(ya?ml|json)$/, ''), file, description: first.replace(/^#\s*/, '') };
    });
}

export function findPreset(ref: string): string {
  if (ref === '-') throw new UserError([{ path: '--preset', message: '- (standard input) is not read: a preset is a file; write it to one (hd-setup export-preset --out FILE does) and give its path' }]);
  const looksLikePath = ref.includes('/') || /\.(ya?ml|json)$/.test(ref);
  if (looksLikePath) {
    const p = resolve(ref.startsWith('~') ? homeOf() + ref.slice(1) : ref);
    if (!existsSync(p)) throw new UserError([{ path: '--preset', message: `file ${p} does not exist` }]);
    return p;
  }
  const hit = listPresets().find((p) => p.name === ref);
  if (!hit) {
    const names = listPresets().map((p) => p.name);
    // something of that name here: the user meant it, but a bare name is a bundled preset's
    let here: 'folder' | 'file' | undefined;
    try {
      here = statSync(ref).isDirectory() ? 'folder' : 'file';
    } catch {
      here = undefined;
    }
    const local = here === 'folder' ? `; ./${ref} here is a folder, not a preset file` : here === 'file' ? `; to use the file ./${ref}, give it as a path: --preset ./${ref}` : ' (or give a path to a .yaml or .json file)';
    throw new UserError([{ path: '--preset', message: `unknown preset "${ref}"; bundled presets: ${names.join(', ')}${local}` }]);
  }
  return hit.file;
}

/**
 * YAML's core schema, except that an integer past 2^53 (12345678901234567890) is kept as its text: read as
 * a number it would be the nearest double, another number (...7000), written into config.json as if given.
 * With merge keys (`<<: *anchor`, YAML 1.1's, which CI files use and editors' schema checks resolve): a
 * mapping's keys written out win over the merged ones (js-yaml caps the keys merged in one document).
 * Presets, and --set and HD_SETUP_* values, are read with it.
 */
const yamlTypes = (jsYaml as unknown as { types: { int: Type; merge: Type } }).types; // exported by js-yaml 4, not declared by its types
const yamlInt = yamlTypes.int;
const EXACT_YAML = CORE_SCHEMA.extend({
  implicit: [
    yamlTypes.merge,
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (data: string) => yamlInt.resolve(data),
      construct: (data: string) => {
        const n = yamlInt.construct(data) as number;
        return Number.isSafeInteger(n) ? n : data;
      },
    }),
  ],
});

export function parsePresetText(text: string, source: string): Record<string, unknown> {
  let parsed: Record<string, unknown>;
  if (source.endsWith('.json')) {
    // Strict: duplicate keys, depth and errors that never quote the text (model/json-strict.ts).
    parsed = asObject(parseJsonStrict(text, source), source);
  } else {
    // js-yaml reads presets: it needs a third of the memory of yaml's Document API on large presets.
    try {
      parsed = asObject(loadYaml(text, { filename: source, schema: EXACT_YAML }) ?? {}, source);
    } catch (e) {
      if (e instanceof YAMLException) {
        // reason only: e.message carries a snippet of the text, which may hold a secret
        const where = e.mark ? `${source}:${e.mark.line + 1}:${e.mark.column + 1}` : source;
        throw new UserError([{ path: where, message: `invalid YAML: ${e.reason}` }]);
      }
      if (e instanceof RangeError) throw new UserError([{ path: source, message: `invalid YAML: nested too deeply (a preset is at most ${LIMITS.depth} levels deep)` }]);
      throw e;
    }
  }
  const problems = checkStructure(parsed);
  if (problems.length) throw new UserError(problems);
  // A value an alias or a merge key uses in two places is one object: a --set or HD_SETUP_* of one place
  // (resources.limits.memory of `limits: *requests`) would change the other too. Each place gets its own
  // copy (checkStructure counted each use, so the copy is bounded).
  return unshared(parsed) as Record<string, unknown>;
}

function unshared(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unshared);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = unshared(x);
  return out;
}

function asObject(v: unknown, source: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new UserError([{ path: source, message: 'a preset must be a mapping (product: ..., runtime: ...)' }]);
  }
  return v as Record<string, unknown>;
}

// ---- paths: "a.b[0].c" and a["dotted.key"] ----

export function parseSetPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const bad = (why: string) => new UserError([{ path: '--set', message: `cannot parse path "${path.length > 80 ? `${path.slice(0, 80)}...` : path}"${why}; use a.b.c, a.list[0].b or a["dotted.key"]` }]);
  if (path.length > LIMITS.keyLength * 4 || /[\u0000-\u001f\u007f]/.test(path)) throw bad(path.length > LIMITS.keyLength * 4 ? ' (too long)' : ' (control characters)');
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.(?=[^.])/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < path.length && (m = re.exec(path)) !== null) {
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) {
      const i = m[2].length > 9 ? Infinity : Number(m[2]);
      if (!(i < LIMITS.listLength)) throw bad(` (index ${m[2].length > 12 ? `${m[2].slice(0, 12)}...` : m[2]} is past the longest list, ${LIMITS.listLength} items)`);
      out.push(i);
    } else if (m[3] !== undefined) {
      try {
        out.push(JSON.parse(`"${m[3]}"`) as string);
      } catch {
        throw bad(' (a bad escape inside ["..."]; only \\" \\\\ \\n \\t \\uXXXX are allowed)');
      }
    }
    if (out.length > LIMITS.setPathSegments) throw bad(` (more than ${LIMITS.setPathSegments} parts)`);
  }
  if (pos !== path.length || out.length === 0) throw bad('');
  const proto = out.find(isProtoKey);
  if (proto !== undefined) throw new UserError([{ path: '--set', message: `"${String(proto)}" ${PROTO_KEY_MESSAGE}` }]);
  return out;
}

/**
 * Set a value at a path, creating maps and lists on the way. Own keys only (never a prototype's); a list
 * index may point at an existing item or one past the end (appending), nothing further.
 */
export function setIn(obj: Record<string, unknown>, path: (string | number)[], value: unknown, flag = '--set'): void {
  const where = (i: number) => formatPath(path.slice(0, i + 1));
  const fail = (message: string): never => {
    throw new UserError([{ path: flag, message }]);
  };
  let cur: Record<string | number, unknown> | unknown[] = obj;
  for (let i = 0; i < path.length; i++) {
    const k = path[i]!;
    if (isProtoKey(k)) fail(`"${String(k)}" ${PROTO_KEY_MESSAGE}`);
    const last = i === path.length - 1;
    if (Array.isArray(cur)) {
      if (typeof k !== 'number') fail(`${formatPath(path.slice(0, i))} is a list; address its items by index, e.g. ${formatPath(path.slice(0, i))}[0]`);
      const idx = k as number;
      if (idx > cur.length) fail(`${where(i)}: the list has ${cur.length} item${cur.length === 1 ? '' : 's'}; use an index up to ${cur.length} (${cur.length} appends)`);
      if (idx >= LIMITS.listLength) fail(`${where(i)}: a list holds at most ${LIMITS.listLength} items`);
    } else if (typeof k === 'number') {
      fail(`${formatPath(path.slice(0, i))} is not a list; drop the [${k}]`);
    }
    const rec = cur as Record<string | number, unknown>;
    if (last) {
      rec[k] = value;
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    let next = Object.hasOwn(rec, k) ? rec[k] : undefined;
    if (next === null || typeof next !== 'object') {
      next = nextIsIndex ? [] : {};
      rec[k] = next;
    }
    cur = next as Record<string | number, unknown> | unknown[];
  }
}

/** Remove the value at a path (own keys only); nothing there is nothing to do. A list item is taken out. */
export function unsetIn(obj: Record<string, unknown>, path: (string | number)[]): void {
  let cur: unknown = obj;
  for (const k of path.slice(0, -1)) {
    if (isProtoKey(k)) throw new UserError([{ path: '--set', message: `"${String(k)}" ${PROTO_KEY_MESSAGE}` }]);
    if (!cur || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  const last = path.at(-1)!;
  if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
  else if (cur && typeof cur === 'object' && Object.hasOwn(cur, last)) delete (cur as Record<string | number, unknown>)[last];
}

// ---- the JSON Schema tells what type a path holds and maps env names to keys ----

type JS = Record<string, unknown>;
/** The preset JSON Schema being walked (its $defs resolve $refs); set by the functions that take one. */
let root: JS = {};

function deref(s: JS | undefined): JS | undefined {
  if (!s) return undefined;
  const ref = s.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const defs = root.$defs as Record<string, JS> | undefined;
    return deref(defs?.[ref.slice(8)]);
  }
  return s;
}

/** The object-shaped branches of a schema (through $ref and anyOf/oneOf/allOf), for walking paths. */
function objectBranches(s: JS | undefined): JS[] {
  const d = deref(s);
  if (!d) return [];
  if (d.properties || d.additionalProperties || d.items) return [d];
  const alts = (d.anyOf ?? d.oneOf ?? d.allOf) as JS[] | undefined;
  return alts ? alts.flatMap((a) => objectBranches(a)) : [d];
}

/** A schema that says something (not the `{}` of a key that another product's branch holds). */
const meaningful = (s: JS | undefined): s is JS => Boolean(s && Object.keys(s).some((k) => k !== 'description'));

function childSchema(s: JS | undefined, key: string | number): JS | undefined {
  for (const d of objectBranches(s)) {
    let c: JS | undefined;
    if (typeof key === 'number') c = deref(d.items as JS | undefined);
    else {
      const props = d.properties as Record<string, JS> | undefined;
      if (props && Object.hasOwn(props, key)) c = deref(props[key]);
      else if (d.additionalProperties && typeof d.additionalProperties === 'object') c = deref(d.additionalProperties as JS);
    }
    if (meaningful(c)) return c;
  }
  return undefined;
}

function schemaAt(path: (string | number)[]): JS | undefined {
  let s: JS | undefined = deref(root);
  for (const k of path) s = childSchema(s, k);
  return s;
}

function typesOf(s: JS | undefined): string[] {
  if (!s) return [];
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type as string[];
  const alts = (s.anyOf ?? s.oneOf) as JS[] | undefined;
  if (alts) return alts.flatMap((a) => typesOf(deref(a)));
  if (s.const !== undefined) return [typeof s.const];
  if (s.enum) return [...new Set((s.enum as unknown[]).map((v) => typeof v))];
  return [];
}

/** Whether the schema has a setting at this path (a --set path that is not a typo). */
export function knownPath(schema: JS, path: (string | number)[]): boolean {
  root = schema;
  return schemaAt(path) !== undefined;
}

/** Parse a --set / env value: strings stay strings where the model wants a string; otherwise YAML (numbers, booleans, [lists], {maps}). */
export function parseValue(schema: JS, path: (string | number)[], raw: string): unknown {
  root = schema;
  const types = typesOf(schemaAt(path));
  if (types.length > 0 && types.every((t) => t === 'string')) return raw;
  try {
    const v = loadYaml(raw, { schema: EXACT_YAML });
    // YAML folds a line break in a plain value into a space, a change no one asked for: text with a control
    // character stays as given (and is then refused, unless it is a secret; parseModel). A YAML list or map
    // written over lines ("- a\n- b") is what it says.
    if (typeof v === 'string' && CONTROL.test(raw)) return raw;
    // A number YAML reads from another spelling (0012, 0x1F, +5, 1e3, 1.50) would be written as other text
    // (12, 31): where the setting takes text too (an agent parameter), it stays as typed.
    if (typeof v === 'number' && types.includes('string') && String(v) !== raw.trim()) return raw;
    // YAML null ("null", "~") is null: --set reads it as "unset this"; an empty value stays "".
    return v === null ? null : (v ?? raw);
  } catch {
    return raw;
  }
}

const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');

/** HD_SETUP_FIVETRAN__KUBERNETES__DATA_VOLUME_PVC -> fivetran.kubernetes.dataVolumePvc */
export function envPath(schema: JS, name: string): (string | number)[] | undefined {
  root = schema;
  const segs = name.slice(ENV_PREFIX.length).split('__');
  const out: (string | number)[] = [];
  let s: JS | undefined = deref(root);
  for (const seg of segs) {
    const branches = objectBranches(s);
    const hit = branches.flatMap((d) => Object.keys((d.properties ?? {}) as Record<string, JS>)).find((k) => norm(k) === norm(seg) && meaningful(childSchema(s, k)));
    if (hit) {
      out.push(hit);
      s = childSchema(s, hit);
    } else if (branches.some((d) => d.additionalProperties && typeof d.additionalProperties === 'object')) {
      out.push(seg.toLowerCase());
      s = childSchema(s, seg.toLowerCase());
    } else return undefined;
  }
  return out;
}

export interface LoadOptions {
  preset?: string;
  /** Inline preset object (the wizard's answers). */
  presetObject?: Record<string, unknown>;
  sets?: string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** A preset model's schemas: the zod model (validation, defaults) and its JSON Schema (types of --set paths, env names). */
export interface ModelSchemas<M> {
  schema: ZodType<M>;
  jsonSchema: () => JS;
}

export interface Loaded<M = unknown> {
  model: M;
  /** The preset as given, before secret references were resolved (refs intact). */
  raw: Record<string, unknown>;
  secrets: Set<string>;
  source: string;
  warnings: string[];
}

/**
 * The raw preset from --preset, HD_SETUP_* options and --set (in that order). `given`: the paths the
 * options and --sets name (a.b[0]["dotted.key"], as parseSetPath reads them back).
 */
export function buildRaw<M>(schemas: ModelSchemas<M>, opts: LoadOptions): { raw: Record<string, unknown>; source: string; baseDir: string; warnings: string[]; given: string[]; /** The paths --set gave as null (unset on purpose). */ unset: string[][] } {
  const env = opts.env ?? process.env;
  let raw: Record<string, unknown> = {};
  let source = '(flags)';
  let baseDir = process.cwd();
  const warnings: string[] = [];
  if (opts.presetObject) {
    raw = structuredClone(opts.presetObject);
    source = '(wizard)';
  } else if (opts.preset) {
    const file = findPreset(opts.preset);
    // Regular files only, capped, strict UTF-8: /dev/zero, a FIFO or a directory is refused at once.
    const r = readBoundedText(file, LIMITS.fileBytes);
    if (!r.ok) throw new UserError([{ path: '--preset', message: `${file} ${r.why}; give a .yaml or .json preset file of at most ${LIMITS.fileBytes} bytes` }]);
    raw = parsePresetText(r.text, file);
    source = file;
    // file: paths are relative to the preset file; a bundled preset (named) is no file of the user's, so
    // they are relative to the working directory, as with no preset (--set tobiko.….password=file:pw.txt)
    if (dirname(file) !== resolve(presetsDir())) baseDir = dirname(file);
  }
  const problems: Problem[] = [];
  const given: string[] = [];
  const unset: string[][] = [];
  for (const name of optionVarNames(env)) {
    const path = envPath(schemas.jsonSchema(), name);
    if (!path) {
      // as a mistyped --set is: the setting it meant would be missing, silently
      problems.push({ path: name, message: `names no option; check the spelling (see: hd-setup schema), or unset it` });
      continue;
    }
    // set but empty: what a CI variable that is not defined comes out as (${{ vars.MEMORY }}); not a value
    const text = env[name];
    if (!text) {
      warnings.push(`${name} is set but empty: not used (give it a value, or unset it; an empty value is given with --set ${formatPath(path)}=)`);
      continue;
    }
    try {
      setIn(raw, path, parseValue(schemas.jsonSchema(), path, text), name);
      given.push(formatPath(path));
      noteFromEnv(formatPath(path), name);
    } catch (e) {
      if (e instanceof UserError) problems.push(...e.problems);
      else throw e;
    }
  }
  for (const s of opts.sets ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      problems.push({ path: '--set', message: setWithoutValue(s, Object.keys(schemas.jsonSchema().properties ?? {})) });
      continue;
    }
    try {
      const path = parseSetPath(s.slice(0, eq));
      const value = parseValue(schemas.jsonSchema(), path, s.slice(eq + 1));
      // `path=null` unsets what the preset has there (as Helm's --set does); a text setting keeps "null" as text.
      if (value === null) {
        unsetIn(raw, path);
        unset.push(path.map(String));
      } else setIn(raw, path, value);
      given.push(formatPath(path));
      noteFromEnv(formatPath(path), undefined);
    } catch (e) {
      if (e instanceof UserError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new UserError(problems);
  // Values from env and --set are YAML too: the same caps and no prototype keys.
  const structural = checkStructure(raw);
  if (structural.length) throw new UserError(structural);
  return { raw, source, baseDir, warnings, given, unset };
}

export function parseModel<M>(schemas: ModelSchemas<M>, raw: Record<string, unknown>, ctx: { env?: NodeJS.ProcessEnv; baseDir?: string; home?: string; lenient?: boolean } = {}): { model: M; secrets: Set<string>; warnings: string[] } {
  const secrets = new Set<string>();
  const warnings: string[] = [];
  const result = withResolveContext(
    { env: ctx.env ?? process.env, baseDir: ctx.baseDir ?? process.cwd(), home: ctx.home ?? homeOf(ctx.env ?? process.env), secrets, warnings, ...(ctx.lenient ? { lenient: true } : {}) },
    () => schemas.schema.safeParse(raw, { reportInput: true }),
  );
  // one line a field: its first problem (an empty memory is "must not be empty", not that and its format too)
  if (!result.success) throw new UserError(zodProblems(result.error.issues).filter((p, i, all) => all.findIndex((q) => q.path === p.path) === i));
  const control = ctx.lenient ? [] : controlCharacters(result.data, secrets);
  if (control.length) throw new UserError(control);
  return { model: result.data, secrets, warnings };
}

/**
 * Every setting and key of a model that holds a control character, secrets aside; the value is never shown.
 * In a setting they would be written into files that fold or drop them (a newline in config.json's value, an
 * env file's line), and echoed back to a terminal they act (ESC starts a sequence that can retitle it). A
 * secret may hold them (a PEM key's newlines): it is never shown.
 */
function controlCharacters(model: unknown, secrets: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (out.length >= 10) return;
    if (typeof v === 'string') {
      if (CONTROL.test(v) && !secrets.has(v)) out.push({ path: formatPath(path), message: `holds a control character (${controlCode(v)}); remove it` });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (CONTROL.test(k)) out.push({ path: formatPath(path), message: `has a key that holds a control character (${controlCode(k)}); remove it` });
        else walk(x, [...path, k]);
      }
    }
  };
  walk(model, []);
  return out;
}

/** A --set without "=": named back only when it is a path into the model (anything else may be a pasted secret). */
export function setWithoutValue(s: string, topKeys: readonly string[]): string {
  const top = /^[A-Za-z]\w*/.exec(s)?.[0] ?? '';
  return topKeys.includes(top) && /^[A-Za-z]\w*(\.[\w-]{1,40}|\[\d+\])*$/.test(s) && s.length <= 100
    ? `"${s}" has no value; write it as --set ${s}=VALUE (one argument, no spaces around "=")`
    : 'an argument is not path=value (not shown: it may be a secret); write it as --set path=value, e.g. --set fivetran.kubernetes.namespace=fivetran';
}
