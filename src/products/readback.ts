// Reading an install back: the product's decode (the exact inverse of its render), then one generic
// step that keeps only what the user set. A value is dropped when the model would give it anyway: equal
// to the schema's default, or, for an optional setting without one, when the model is the same without
// it. So a default that was written stays a default, and every setting that is left is one the install
// really has: the reset refusal (model/reconcile.ts) protects exactly these.
import type { BaseModel } from '../model/base.js';
import { parseModel } from './load.js';
import type { RenderEnv } from '../render/types.js';
import { computePresetJsonSchema, PRODUCTS, presetJsonSchema, productOf } from './index.js';
import { secretPaths } from './secrets.js';
import type { Artifacts, ProductModule } from './types.js';
import { canonical } from '../util/canonical.js';

type JS = Record<string, any>;
type Obj = Record<string, unknown>;

export interface ReadBack {
  /** The install as a minimal preset. Secret values are literals or stored: references. */
  preset: Obj;
  /** Dotted paths of the values in `preset` that are secret whole (the registry's, products/secrets.ts). */
  secretPaths: string[];
}

export function readBack(a: Artifacts, env: RenderEnv, list: readonly ProductModule[] = PRODUCTS, parse: (raw: Obj) => unknown = defaultParse): ReadBack {
  const product = productOf(a.location, list);
  const full = product.decode(a, env);
  const preset = minimize(full, parse, list === PRODUCTS ? presetJsonSchema() : computePresetJsonSchema(list));
  return { preset, secretPaths: secretPaths(preset, list) };
}

function defaultParse(raw: Obj): unknown {
  return parseModel(structuredClone(raw), { env: {}, lenient: true }).model;
}


const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function deref(s: JS | undefined, root: JS): JS | undefined {
  if (!s) return undefined;
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')) return deref(root.$defs?.[s.$ref.slice(8)], root);
  return s;
}

/** The object branch of a schema, through anyOf/oneOf (a gateway setting may be a scalar or a mapping). */
function objectBranch(s: JS | undefined, root: JS): JS | undefined {
  const d = deref(s, root);
  if (!d) return undefined;
  const alts = (d.anyOf ?? d.oneOf) as JS[] | undefined;
  if (!alts) return d;
  const objs = alts.map((a) => deref(a, root)).filter((a): a is JS => Boolean(a && (a.properties || a.additionalProperties)));
  return objs[0] ?? d;
}

function child(s: JS | undefined, key: string, root: JS): { schema?: JS; required: boolean } {
  const d = objectBranch(s, root);
  if (!d) return { required: false };
  const props = d.properties as Record<string, JS> | undefined;
  if (props && Object.hasOwn(props, key)) return { schema: deref(props[key], root), required: Array.isArray(d.required) && d.required.includes(key) };
  if (isObj(d.additionalProperties)) return { schema: deref(d.additionalProperties as JS, root), required: true };
  return { required: false };
}

/** Drop what the model would give anyway (see the top of this file). Returns a new preset. */
export function minimize(preset: Obj, parse: (raw: Obj) => unknown, root: JS): Obj {
  const out = structuredClone(preset);
  let base: string;
  try {
    base = canonical(parse(out));
  } catch {
    return out; // not a valid model: nothing to compare with (the caller reports it)
  }
  const same = () => {
    try {
      return canonical(parse(out)) === base;
    } catch {
      return false;
    }
  };
  // The schema's own defaults only (what the model gives anyway by its schema, not by a rule of its own).
  const dropDefaults = (obj: Obj, schema: JS | undefined) => {
    for (const key of Object.keys(obj)) {
      const { schema: s } = child(schema, key, root);
      if (isObj(obj[key]) && s) dropDefaults(obj[key] as Obj, s);
      if (s && 'default' in s && canonical(s.default) === canonical(obj[key])) delete obj[key];
    }
  };
  const walk = (obj: Obj, schema: JS | undefined) => {
    for (const key of Object.keys(obj)) {
      if (key === 'product' || key === 'runtime' || key === '$schema') continue;
      const { schema: s, required } = child(schema, key, root);
      const v = obj[key];
      const whole = isObj(v) ? structuredClone(v) : v;
      if (isObj(v) && s) walk(v, s);
      if (s && 'default' in s) {
        if (canonical(s.default) === canonical(obj[key])) delete obj[key];
        continue;
      }
      if (required) continue;
      delete obj[key];
      // A mapping that must stay but lost every entry to a rule of the model (resources.requests, each of whose
      // values it fills in while another is there) goes back with them: an empty one says nothing a reader, a
      // re-run or the reset refusal can see. Its schema defaults stay out (egressCheck: {} is "on, as default").
      if (!same()) {
        if (isObj(v) && Object.keys(v).length === 0 && isObj(whole)) dropDefaults(whole, s);
        obj[key] = isObj(v) && Object.keys(v).length === 0 ? whole : v;
      }
    }
  };
  walk(out, root);
  return out;
}

/** The model of a read-back preset (secrets as they are: literals or stored references). */
export function modelOfReadBack(preset: Obj): BaseModel {
  return defaultParse(preset) as BaseModel;
}
