// Preset loading: bundled name or path, YAML or JSON; then environment, then --set; then the zod model.
// Precedence: --set > environment (HD_SETUP_*) > preset file > defaults.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, YAMLException, load as loadYaml } from 'js-yaml';
import { UserError, zodProblems, type Problem } from './errors.js';
import { withResolveContext } from './refs.js';
import { presetJsonSchema, presetSchema, type Model } from './schema.js';
import { ENV_PREFIX, optionVarNames } from './env-names.js';

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
  const looksLikePath = ref.includes('/') || /\.(ya?ml|json)$/.test(ref);
  if (looksLikePath) {
    const p = resolve(ref.startsWith('~') ? homedir() + ref.slice(1) : ref);
    if (!existsSync(p)) throw new UserError([{ path: '--preset', message: `file ${p} does not exist` }]);
    return p;
  }
  const hit = listPresets().find((p) => p.name === ref);
  if (!hit) {
    const names = listPresets().map((p) => p.name);
    throw new UserError([
      { path: '--preset', message: `unknown preset "${ref}"; bundled presets: ${names.join(', ')} (or give a path to a .yaml or .json file)` },
    ]);
  }
  return hit.file;
}

export function parsePresetText(text: string, source: string): Record<string, unknown> {
  if (source.endsWith('.json')) {
    try {
      return asObject(JSON.parse(text), source);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError([{ path: source, message: `invalid JSON: ${(e as Error).message}` }]);
    }
  }
  // js-yaml reads presets: it needs a third of the memory of yaml's Document API on large presets.
  try {
    return asObject(loadYaml(text, { filename: source, schema: CORE_SCHEMA }) ?? {}, source);
  } catch (e) {
    if (e instanceof YAMLException) {
      const where = e.mark ? `${source}:${e.mark.line + 1}:${e.mark.column + 1}` : source;
      throw new UserError([{ path: where, message: `invalid YAML: ${e.reason}` }]);
    }
    throw e;
  }
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
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.(?=[^.])/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < path.length && (m = re.exec(path)) !== null) {
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  if (pos !== path.length || out.length === 0) throw new UserError([{ path: '--set', message: `cannot parse path "${path}"; use a.b.c, a.list[0].b or a["dotted.key"]` }]);
  return out;
}

function setIn(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const nextIsIndex = typeof path[i + 1] === 'number';
    let next = cur[k];
    if (next === null || typeof next !== 'object') {
      next = nextIsIndex ? [] : {};
      cur[k] = next;
    }
    cur = next as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

// ---- the JSON Schema tells what type a path holds and maps env names to keys ----

type JS = Record<string, unknown>;
let cachedSchema: JS | undefined;
function jsonSchema(): JS {
  cachedSchema ??= presetJsonSchema();
  return cachedSchema;
}

function deref(s: JS | undefined): JS | undefined {
  if (!s) return undefined;
  const ref = s.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const defs = jsonSchema().$defs as Record<string, JS> | undefined;
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
  let s: JS | undefined = deref(jsonSchema());
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

/** Parse a --set / env value: strings stay strings where the model wants a string; otherwise YAML (numbers, booleans, [lists], {maps}). */
export function parseValue(path: (string | number)[], raw: string): unknown {
  const types = typesOf(schemaAt(path));
  if (types.length > 0 && types.every((t) => t === 'string')) return raw;
  try {
    return loadYaml(raw, { schema: CORE_SCHEMA }) ?? raw;
  } catch {
    return raw;
  }
}

const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');

/** HD_SETUP_FIVETRAN__KUBERNETES__DATA_VOLUME_PVC -> fivetran.kubernetes.dataVolumePvc */
export function envPath(name: string): (string | number)[] | undefined {
  const segs = name.slice(ENV_PREFIX.length).split('__');
  const out: (string | number)[] = [];
  let s: JS | undefined = deref(jsonSchema());
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

export interface Loaded {
  model: Model;
  /** The preset as given, before secret references were resolved (refs intact). */
  raw: Record<string, unknown>;
  secrets: Set<string>;
  source: string;
  warnings: string[];
}

export function buildRaw(opts: LoadOptions): { raw: Record<string, unknown>; source: string; baseDir: string; warnings: string[] } {
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UserError([{ path: '--preset', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` }]);
    }
    raw = parsePresetText(text, file);
    source = file;
    baseDir = dirname(file);
  }
  const problems: Problem[] = [];
  for (const name of optionVarNames(env)) {
    const path = envPath(name);
    if (!path) {
      warnings.push(`ignoring ${name}: it names no option (see: hd-setup schema)`);
      continue;
    }
    setIn(raw, path, parseValue(path, env[name] ?? ''));
  }
  for (const s of opts.sets ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      problems.push({ path: '--set', message: `"${s}" is not path=value, e.g. --set fivetran.kubernetes.namespace=fivetran` });
      continue;
    }
    try {
      const path = parseSetPath(s.slice(0, eq));
      setIn(raw, path, parseValue(path, s.slice(eq + 1)));
    } catch (e) {
      if (e instanceof UserError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new UserError(problems);
  return { raw, source, baseDir, warnings };
}

export function parseModel(raw: Record<string, unknown>, ctx: { env?: NodeJS.ProcessEnv; baseDir?: string; home?: string } = {}): { model: Model; secrets: Set<string>; warnings: string[] } {
  const secrets = new Set<string>();
  const warnings: string[] = [];
  const result = withResolveContext(
    { env: ctx.env ?? process.env, baseDir: ctx.baseDir ?? process.cwd(), home: ctx.home ?? homedir(), secrets, warnings },
    () => presetSchema.safeParse(raw, { reportInput: true }),
  );
  if (!result.success) throw new UserError(zodProblems(result.error.issues));
  return { model: result.data, secrets, warnings };
}

export function loadModel(opts: LoadOptions): Loaded {
  const { raw, source, baseDir, warnings } = buildRaw(opts);
  const { model, secrets, warnings: more } = parseModel(raw, { env: opts.env, baseDir, home: opts.home });
  return { model, raw, secrets, source, warnings: [...warnings, ...more] };
}

