// A preset to save or export: every secret becomes an env: reference (or the reference it came from).
import { hasPassword } from '../util/url-userinfo.js';

/** One secret field of a preset, as the registry (products/secrets.ts) lists it. */
export interface SecretField {
  /** Dotted path in the preset. */
  path: string;
  /** value: the whole value is secret; userinfo: a URL whose password is secret (the rest is not). */
  kind: 'value' | 'userinfo';
  /** The environment variable a saved or exported preset references it by. */
  env: string;
}

/**
 * Replace the secret fields' values with references. `refs` gives the reference a value came from
 * (env:NAME or file:PATH), kept as it was; otherwise env:<its variable>. A URL is replaced only when it
 * holds a password. Two fields with one value (the wizard's HTTP proxy "same as HTTPS") share one
 * reference, so one variable is exported, not the same URL twice. Returns the variables the user must export.
 */
export function withSecretRefs(preset: Record<string, unknown>, fields: readonly SecretField[], refs: Record<string, string> = {}): { preset: Record<string, unknown>; vars: string[] } {
  const out = structuredClone(preset);
  const vars: string[] = [];
  const byValue = new Map<unknown, string>();
  for (const f of fields) {
    const keys = f.path.split('.');
    let cur: any = out;
    for (const k of keys.slice(0, -1)) cur = cur?.[k];
    const last = keys.at(-1)!;
    if (!cur || typeof cur !== 'object' || !Object.hasOwn(cur, last)) continue;
    const v = cur[last];
    if (f.kind === 'userinfo' && !refs[f.path] && !(typeof v === 'string' && hasPassword(v))) continue;
    const ref = refs[f.path] ?? byValue.get(v) ?? `env:${f.env}`;
    byValue.set(v, ref);
    cur[last] = ref;
    if (ref.startsWith('env:') && !vars.includes(ref.slice(4))) vars.push(ref.slice(4));
  }
  return { preset: { $schema: 'https://hd-setup.dev/preset.schema.json', ...out }, vars };
}
