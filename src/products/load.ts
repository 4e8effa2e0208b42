// Loading a preset into the joined model of the registered products: model/load.ts does the generic work
// (files, --set paths, env names, caps) for a schema it is given; this binds it to the registry's schema.
import * as generic from '../model/load.js';
import { findProduct, presetJsonSchema, presetSchema, type Model } from './index.js';
import { isAbsolute, resolve } from 'node:path';
import { secretFields, secretsOnCommandLine } from './secrets.js';

export type { LoadOptions } from '../model/load.js';
export type Loaded = generic.Loaded<Model>;

const SCHEMAS: generic.ModelSchemas<Model> = { schema: presetSchema, jsonSchema: presetJsonSchema };

/**
 * The preset from the flags, with a warning for each secret --set gives as a literal. A relative `file:` a
 * --set or an HD_SETUP_* variable gives is made absolute from the working directory (as the shell completed
 * it), where the preset's own are relative to the preset file.
 */
export function buildRaw(opts: generic.LoadOptions): ReturnType<typeof generic.buildRaw> {
  const built = generic.buildRaw(SCHEMAS, opts);
  const setPaths = (opts.sets ?? []).map((s) => generic.parseSetPath(s.slice(0, s.indexOf('='))).join('.'));
  if (resolve(built.baseDir) !== process.cwd()) fileRefsFromCwd(built.raw, built.given.map((p) => generic.parseSetPath(p).join('.')));
  return { ...built, warnings: [...built.warnings, ...secretsOnCommandLine(built.raw, setPaths)] };
}

function fileRefsFromCwd(raw: Record<string, unknown>, given: readonly string[]): void {
  const paths = new Set([...secretFields(raw).map((f) => f.path), ...(findProduct(raw.product)?.refRules?.(raw) ?? [])]);
  for (const path of paths) {
    if (!given.some((p) => path === p || path.startsWith(`${p}.`))) continue;
    const keys = path.split('.');
    const holder = keys.slice(0, -1).reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), raw);
    if (holder === null || typeof holder !== 'object') continue;
    const last = keys.at(-1)!;
    const v = (holder as Record<string, unknown>)[last];
    if (typeof v !== 'string' || !v.startsWith('file:')) continue;
    const p = v.slice(5);
    if (p && !isAbsolute(p) && !p.startsWith('~')) (holder as Record<string, unknown>)[last] = `file:${resolve(p)}`;
  }
}
export const parseModel = (raw: Record<string, unknown>, ctx?: Parameters<typeof generic.parseModel>[2]) => generic.parseModel(SCHEMAS, raw, ctx);
export function loadModel(opts: generic.LoadOptions): Loaded {
  const { raw, source, baseDir, warnings } = buildRaw(opts);
  const { model, secrets, warnings: more } = parseModel(raw, { env: opts.env, baseDir, ...(opts.home ? { home: opts.home } : {}) });
  return { model, raw, secrets, source, warnings: [...warnings, ...more] };
}
/** A --set / env value as the model's field at `path` takes it (strings stay strings; otherwise YAML). */
export const parseValue = (path: (string | number)[], raw: string) => generic.parseValue(presetJsonSchema(), path, raw);
/** Whether a --set path names a setting of the model. */
export const knownSetPath = (path: string) => generic.knownPath(presetJsonSchema(), generic.parseSetPath(path));
/** The model path an HD_SETUP_* variable names, or undefined. */
export const envPath = (name: string) => generic.envPath(presetJsonSchema(), name);
