// The one option model: validation, defaults, field-naming errors, and the preset JSON Schema.
import * as z from 'zod';
import { readFileSync } from 'node:fs';
import { proxy } from './common.js';
import { fivetranSchema } from '../products/fivetran/schema.js';
import { checkTobikoForRuntime, tobikoSchema } from '../products/tobiko/schema.js';

export const PRODUCTS = ['fivetran', 'tobiko'] as const;
export const RUNTIMES = ['docker', 'podman', 'kubernetes'] as const;
export type Product = (typeof PRODUCTS)[number];
export type Runtime = (typeof RUNTIMES)[number];

export const presetSchema = z
  .strictObject({
    $schema: z.string().optional(),
    product: z.enum(PRODUCTS).meta({ description: 'fivetran: Fivetran Hybrid Deployment Agent; tobiko: Tobiko Cloud hybrid executors.' }),
    runtime: z.enum(RUNTIMES),
    proxy: proxy.optional(),
    fivetran: fivetranSchema.optional(),
    tobiko: tobikoSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.product === 'fivetran') {
      if (!m.fivetran) {
        ctx.addIssue({ code: 'custom', path: ['fivetran'], message: 'is required when product is fivetran; pass --set fivetran.token=env:FIVETRAN_TOKEN' });
        return;
      }
      const k = m.fivetran.kubernetes;
      const hasToken = m.fivetran.token !== undefined;
      if (m.runtime === 'kubernetes') {
        if (hasToken && k.tokenSecret) {
          ctx.addIssue({ code: 'custom', path: ['fivetran', 'kubernetes', 'tokenSecret'], message: 'give either fivetran.token or fivetran.kubernetes.tokenSecret, not both' });
        } else if (!hasToken && !k.tokenSecret) {
          ctx.addIssue({
            code: 'custom',
            path: ['fivetran', 'token'],
            message: 'is required (or fivetran.kubernetes.tokenSecret); pass --set fivetran.token=env:FIVETRAN_TOKEN',
          });
        }
        if (!k.dataVolumePvc) {
          ctx.addIssue({ code: 'custom', path: ['fivetran', 'kubernetes', 'dataVolumePvc'], message: 'is required on Kubernetes; pass --set fivetran.kubernetes.dataVolumePvc=<pvc name>' });
        }
      } else {
        if (!hasToken) {
          ctx.addIssue({ code: 'custom', path: ['fivetran', 'token'], message: 'is required; pass --set fivetran.token=env:FIVETRAN_TOKEN' });
        }
        if (k.tokenSecret) {
          ctx.addIssue({ code: 'custom', path: ['fivetran', 'kubernetes', 'tokenSecret'], message: `is for Kubernetes; on ${m.runtime} give fivetran.token` });
        }
      }
    } else {
      if (!m.tobiko) {
        ctx.addIssue({ code: 'custom', path: ['tobiko'], message: 'is required when product is tobiko (org, project, clientId, clientSecret, gateways)' });
        return;
      }
      checkTobikoForRuntime(m.tobiko, m.runtime, ctx, ['tobiko']);
    }
  });

export type Model = z.output<typeof presetSchema>;
export type PresetInput = z.input<typeof presetSchema>;

export function computePresetJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(presetSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
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
