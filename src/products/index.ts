// The products hd-setup installs: one module each, listed here. Adding a product is adding its folder
// and one line to PRODUCTS (README: "Adding a product"). The preset model is the union of the products'
// branches, discriminated by `product`.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { RUNTIMES, type BaseModel } from '../model/base.js';
import { proxy } from '../model/common.js';
import { fivetran } from './fivetran/index.js';
import { tobiko } from './tobiko/index.js';
import type { ProductModule } from './types.js';

export const PRODUCTS: readonly ProductModule[] = [fivetran, tobiko];

export function productIds(list: readonly ProductModule[] = PRODUCTS): string[] {
  return list.map((p) => p.id);
}

/** The module of a product id; undefined for an unknown one. */
export function findProduct(id: unknown, list: readonly ProductModule[] = PRODUCTS): ProductModule | undefined {
  return list.find((p) => p.id === id);
}

const RUNTIME_NAMES: Record<string, string> = { docker: 'docker', podman: 'podman', kubernetes: 'Kubernetes' };

/** An install as headers and summaries name it: "Fivetran agent on docker" (the id for a product not registered). */
export function installName(product: string, runtime: string, list: readonly ProductModule[] = PRODUCTS): string {
  return `${findProduct(product, list)?.short ?? product} on ${RUNTIME_NAMES[runtime] ?? runtime}`;
}

/** The module of a parsed model (its product is always a registered one). */
export function productOf(model: Pick<BaseModel, 'product'>, list: readonly ProductModule[] = PRODUCTS): ProductModule {
  const m = findProduct(model.product, list);
  if (!m) throw new Error(`unknown product ${model.product}`);
  return m;
}

const SCHEMA_KEY = z.string().optional().meta({ description: 'The JSON Schema this preset follows (for editors); hd-setup ignores it.' });
const RUNTIME_META = { description: 'Where the agent runs: docker or podman (containers on this host), or kubernetes (a Helm release).' };
const PROXY_META = { description: 'The proxy for outbound connections to the vendor; a password in a URL is a secret (env:NAME or file:PATH).' };

/** One branch of the preset model: a product, its runtimes, the proxy, and the product's section. */
function branch(m: ProductModule, all: readonly ProductModule[]) {
  const others = Object.fromEntries(all.filter((o) => o.id !== m.id).map((o) => [o.id, z.unknown().optional().meta({ description: `Options of ${o.title}; used when product is ${o.id}.` })]));
  return z
    .strictObject({
      $schema: SCHEMA_KEY,
      product: z.literal(m.id).meta({ description: m.title }),
      runtime: z.enum(m.runtimes as [string, ...string[]]).meta(RUNTIME_META),
      proxy: proxy.optional().meta(PROXY_META),
      ...others,
      [m.id]: m.schema.optional(),
    })
    .superRefine((model, ctx) => {
      for (const o of all) {
        if (o.id !== m.id && (model as Record<string, unknown>)[o.id] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [o.id], message: `is for product ${o.id}, but product is ${m.id}; remove it or set product: ${o.id}` });
        }
      }
      if ((model as Record<string, unknown>)[m.id] === undefined) {
        ctx.addIssue({ code: 'custom', path: [m.id], message: `is required when product is ${m.id}; pass ${m.requiredHint}` });
        return;
      }
      m.refine(model as unknown as BaseModel, ctx);
    });
}

/** The preset model of a list of products (the registry's, or a test's). */
export function presetSchemaOf(list: readonly ProductModule[]) {
  const branches = list.map((m) => branch(m, list));
  if (branches.length === 1) return branches[0]!;
  return z.discriminatedUnion('product', branches as unknown as [ReturnType<typeof branch>, ...ReturnType<typeof branch>[]]);
}

/** Resolve the defaults that depend on several fields (after validation), through each product module. */
export function normalizeModel<T extends BaseModel>(model: T, list: readonly ProductModule[] = PRODUCTS): T {
  productOf(model, list).normalize?.(model);
  return model;
}

/** The model of a list of products, defaults resolved. */
export function modelSchemaOf(list: readonly ProductModule[]) {
  return presetSchemaOf(list).transform((m) => normalizeModel(m as unknown as BaseModel, list) as unknown as Model);
}

export const presetSchema = modelSchemaOf(PRODUCTS);

/** A parsed preset: the product, the runtime, the proxy and the product's section (see sectionOf). */
export type Model = BaseModel;

/**
 * The preset JSON Schema, for editors and for typing --set and HD_SETUP_* values: one object with every
 * product's section (the model itself, a union on product, checks which section goes with which product).
 */
export function computePresetJsonSchema(list: readonly ProductModule[] = PRODUCTS): Record<string, unknown> {
  const doc = z.strictObject({
    $schema: SCHEMA_KEY,
    product: z.enum(productIds(list) as [string, ...string[]]).meta({ description: list.map((m) => `${m.id}: ${m.title}`).join('; ') + '.' }),
    runtime: z.enum(RUNTIMES).meta(RUNTIME_META),
    proxy: proxy.optional().meta(PROXY_META),
    ...Object.fromEntries(list.map((m) => [m.id, m.schema.optional().meta({ description: `Options of ${m.title}; used when product is ${m.id}.` })])),
  });
  const schema = z.toJSONSchema(doc, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://hd-setup.dev/preset.schema.json', title: 'hd-setup preset' };
}

declare const __HD_BUNDLE__: boolean | undefined;
let presetJsonSchemaCache: Record<string, unknown> | undefined;

/**
 * The preset JSON Schema. The bundle ships it precomputed as dist/preset.schema.json (scripts/build.mjs
 * writes it with `hd-setup schema`): computing it costs ~10 ms of every command that reads --set or env.
 */
export function presetJsonSchema(): Record<string, unknown> {
  if (presetJsonSchemaCache) return presetJsonSchemaCache;
  if (typeof __HD_BUNDLE__ === 'boolean' && __HD_BUNDLE__) {
    try {
      // every chunk sits in dist/chunks/
      presetJsonSchemaCache = JSON.parse(readFileSync(new URL('../preset.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    } catch {
      // not generated yet (the build is asking for it): compute it
    }
  }
  return (presetJsonSchemaCache ??= computePresetJsonSchema());
}

export type { ProductModule } from './types.js';
