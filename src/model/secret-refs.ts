// A preset to save or export: every secret becomes an env: reference (or the reference it came from).
import { urlPasswords } from '../util/redact.js';

function envNameFor(path: string): string {
  if (path === 'fivetran.token') return 'FIVETRAN_TOKEN';
  if (path === 'tobiko.clientSecret') return 'TCLOUD_CLIENT_SECRET';
  const g = /^tobiko\.gateways\.([^.]+)\.(.+)$/.exec(path);
  if (g) return `${g[1]!.toUpperCase()}_${g[2]!.toUpperCase()}`;
  return path.replace(/\W+/g, '_').toUpperCase();
}

/**
 * Replace the values at `secretPaths` (and proxy credentials) with references. `refs` gives the
 * reference a value came from (env:NAME or file:PATH), kept as it was; otherwise env:<NAME>.
 * Returns the variables the user must export.
 */
export function withSecretRefs(preset: Record<string, unknown>, secretPaths: string[], refs: Record<string, string> = {}): { preset: Record<string, unknown>; vars: string[] } {
  const out = structuredClone(preset);
  const vars: string[] = [];
  for (const p of secretPaths) {
    const keys = p.split('.');
    let cur: any = out;
    for (const k of keys.slice(0, -1)) cur = cur?.[k];
    if (!cur || !(keys.at(-1)! in cur)) continue;
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
