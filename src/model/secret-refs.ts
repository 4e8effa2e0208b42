// A preset to save or export: every secret becomes an env: reference (or the reference it came from).
import { urlPasswords } from '../util/redact.js';

/**
 * Replace the values at `secretPaths` (and proxy credentials) with references. `refs` gives the
 * reference a value came from (env:NAME or file:PATH), kept as it was; otherwise env:<NAME>.
 * Returns the variables the user must export.
 */
export function withSecretRefs(
  preset: Record<string, unknown>,
  secretPaths: string[],
  envNameFor: (path: string) => string,
  refs: Record<string, string> = {},
): { preset: Record<string, unknown>; vars: string[] } {
  const out = structuredClone(preset);
  const vars: string[] = [];
  for (const p of secretPaths) {
    const keys = p.split('.');
    let cur: any = out;
    for (const k of keys.slice(0, -1)) cur = cur?.[k];
    if (!cur || typeof cur !== 'object' || !Object.hasOwn(cur, keys.at(-1)!)) continue;
    const ref = refs[p] ?? `env:${envNameFor(p)}`;
    cur[keys.at(-1)!] = ref;
    if (ref.startsWith('env:')) vars.push(ref.slice(4));
  }
  const proxy = out.proxy as Record<string, unknown> | undefined;
  for (const key of ['http', 'https'] as const) {
    const u = proxy?.[key];
    if (typeof u === 'string' && urlPasswords(u).length) {
      const name = key === 'http' ? 'HTTP_PROXY' : 'HTTPS_PROXY';
      proxy![key] = `env:${name}`;
      vars.push(name);
    }
  }
  return { preset: { $schema: 'https://hd-setup.dev/preset.schema.json', ...out }, vars };
}
