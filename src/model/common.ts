// Building blocks shared by both products' schemas.
import * as z from 'zod';
import { PATTERNS, tooLong, type Pattern } from './patterns.js';
import { registerSecret, registerUrlCredentials, resolveRef } from './refs.js';
import { isStored } from './stored.js';

/** A secret field: literal, env:NAME or file:PATH. Parses to the resolved value and registers it for masking. */
export function secret(description: string) {
  return z
    .string()
    .min(1, 'must not be empty')
    .transform((raw, ctx) => {
      if (isStored(raw)) return raw;
      const r = resolveRef(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      const value = r.value.trim(); // trimmed wherever it came from (typed, env:, file:, --set): what is checked is what is stored
      registerSecret(value, description.replace(/\.$/, ''));
      return value;
    })
    .meta({ description: `${description} Secret: a literal, env:NAME or file:PATH.`, 'x-secret': true });
}

/** A URL that may carry credentials (a proxy): env:/file: allowed, the password part is masked. */
export function credentialUrl(description: string) {
  return z
    .string()
    .min(1)
    .transform((raw, ctx) => {
      const r = resolveRef(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      if (!/^https?:\/\/[^\s/]+/.test(r.value)) {
        ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// URL, e.g. http://proxy.internal:3128` });
        return z.NEVER;
      }
      registerUrlCredentials(r.value);
      return r.value;
    })
    .meta({ description: `${description} May be env:NAME or file:PATH; credentials in it are masked.` });
}

/** A string in one of the shared formats (model/patterns.ts), with its message. */
export const patterned = (p: Pattern) => {
  const s = z.string().regex(p.re, p.message);
  return p.max === undefined ? s : s.max(p.max, tooLong(p.max));
};

export const k8sName = patterned(PATTERNS.k8sName);
export const cpuQuantity = patterned(PATTERNS.cpu);
export const memoryQuantity = patterned(PATTERNS.memory);

const resourceSet = z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() });
export const resources = z
  .strictObject({ requests: resourceSet.optional(), limits: resourceSet.optional() })
  .meta({ description: 'Container resources, as in the chart: cpu "2" or "500m", memory "2Gi" or "512Mi".' });

/** Extra resources key allowed for Tobiko (ephemeral-storage). */
const tobikoResourceSet = z.strictObject({
  cpu: cpuQuantity.optional(),
  memory: memoryQuantity.optional(),
  'ephemeral-storage': z.string().regex(/^[0-9]+(Mi|Gi)$/, 'must match ^[0-9]+(Mi|Gi)$, e.g. "10Gi"').optional(),
});
export const tobikoResources = z.strictObject({ requests: tobikoResourceSet.optional(), limits: tobikoResourceSet.optional() });

export const pullPolicy = z
  .enum(['always', 'missing', 'never'])
  .meta({ description: 'Container image pull policy: always pull, pull when missing, or never pull (use a local image).' });

export const envVarName = patterned(PATTERNS.envVarName);
export const extraEnv = z.array(z.strictObject({ name: envVarName, value: z.string() })).default([]);

export const duration = patterned(PATTERNS.duration);

export const proxy = z
  .strictObject({
    http: credentialUrl('HTTP proxy URL.').optional(),
    https: credentialUrl('HTTPS proxy URL.').optional(),
    noProxy: z.array(z.string().min(1)).default([]).meta({ description: 'Hosts that bypass the proxy.' }),
  })
  .refine((p) => p.http || p.https, { message: 'set at least one of proxy.http and proxy.https, or remove proxy' });

export type Proxy = z.output<typeof proxy>;
export type Resources = z.output<typeof resources>;
