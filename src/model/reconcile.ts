// Re-running against an existing install: keep stored secrets unless new ones are given, and refuse a
// preset that would silently reset a setting the install has (Tailscale-style), unless --reset.
import { shellQuote } from '../util/shell.js';
import { hasPassword } from '../util/url-userinfo.js';

export interface Installed {
  product: string;
  runtime: string;
  preset: Record<string, unknown>;
  secretPaths: string[];
  /** Paths that stand for a stored secret (a Secret hd-setup manages): kept, never a reset. */
  keptPaths?: string[];
  where: string;
}

type Path = string[];

function getIn(o: unknown, path: Path): unknown {
  let cur = o;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setIn(o: Record<string, unknown>, path: Path, v: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = v;
}

function deleteIn(o: Record<string, unknown>, path: Path): void {
  const parent = getIn(o, path.slice(0, -1));
  if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[path[path.length - 1]!];
}

/** Leaves of a preset: objects are walked, arrays and scalars are values. */
export function leaves(o: unknown, prefix: Path = []): [Path, unknown][] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return prefix.length ? [[prefix, o]] : [];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}

const unresolvable = (v: unknown, env: NodeJS.ProcessEnv) => typeof v === 'string' && v.startsWith('env:') && !env[v.slice(4)];

/**
 * A stored secret is kept unless a new one is given: a secret the preset references but cannot
 * resolve (env:NAME unset) or omits is taken from the install. Returns what was kept.
 */
export function keepStoredSecrets(raw: Record<string, unknown>, installed: Installed, env: NodeJS.ProcessEnv): string[] {
  if (raw.product !== installed.product) return [];
  const kept: string[] = [];
  for (const dotted of installed.secretPaths) {
    const path = dotted.split('.');
    const v = getIn(raw, path);
    if (v === undefined || unresolvable(v, env)) {
      setIn(raw, path, getIn(installed.preset, path));
      kept.push(dotted);
    }
  }
  // Kubernetes: the stored secret lives in a Secret; keeping it means referencing that Secret.
  if (installed.runtime === 'kubernetes' && raw.runtime === 'kubernetes') {
    if (installed.product === 'fivetran') {
      const ts = getIn(installed.preset, ['fivetran', 'kubernetes', 'tokenSecret']);
      const tok = getIn(raw, ['fivetran', 'token']);
      if (ts && (tok === undefined || unresolvable(tok, env)) && !getIn(raw, ['fivetran', 'kubernetes', 'tokenSecret'])) {
        deleteIn(raw, ['fivetran', 'token']);
        setIn(raw, ['fivetran', 'kubernetes', 'tokenSecret'], ts);
        kept.push(`fivetran.token (in Secret ${(ts as { name: string }).name})`);
      }
    } else {
      const s = getIn(installed.preset, ['tobiko', 'secrets']) as { strategy?: string; name?: string } | undefined;
      const cs = getIn(raw, ['tobiko', 'clientSecret']);
      if (s?.strategy === 'existingSecret' && (cs === undefined || unresolvable(cs, env))) {
        deleteIn(raw, ['tobiko', 'clientSecret']);
        const gws = (getIn(raw, ['tobiko', 'gateways']) ?? {}) as Record<string, Record<string, unknown>>;
        for (const params of Object.values(gws)) for (const [p, v] of Object.entries(params)) if (unresolvable(v, env)) delete params[p];
        setIn(raw, ['tobiko', 'secrets'], { ...((getIn(raw, ['tobiko', 'secrets']) as object) ?? {}), strategy: 'existingSecret', name: s.name, create: false });
        kept.push(`tobiko secrets (in Secret ${s.name})`);
      }
    }
  }
  return kept;
}

export interface Reset {
  path: string;
  value: unknown;
  secret: boolean;
}

/** Settings the install has that the new preset does not mention: applying it would silently drop them. */
export function findResets(raw: Record<string, unknown>, installed: Installed): Reset[] {
  if (raw.product !== installed.product || raw.runtime !== installed.runtime) return [];
  const out: Reset[] = [];
  for (const [path, value] of leaves(installed.preset)) {
    if (path.length < 2) continue;
    // A stored secret the preset omits is kept (keepStoredSecrets), not reset.
    if (installed.secretPaths.includes(path.join('.')) || installed.keptPaths?.some((k) => path.join('.').startsWith(k))) continue;
    let present = false;
    for (let i = path.length; i > 0 && !present; i--) present = getIn(raw, path.slice(0, i)) !== undefined && (i === path.length || typeof getIn(raw, path.slice(0, i)) !== 'object');
    if (present) continue;
    const dotted = path.join('.');
    const credentialUrl = typeof value === 'string' && hasPassword(value);
    out.push({ path: dotted, value, secret: installed.secretPaths.includes(dotted) || credentialUrl });
  }
  return out;
}

function setArg(r: Reset): string {
  const v = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
  const value = r.secret ? 'env:YOUR_SECRET_VAR' : v;
  const path = r.path
    .split('.')
    .map((seg, i) => (i === 0 || /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? seg : `["${seg}"]`))
    .join('.')
    .replace(/\.\[/g, '[');
  return `--set ${shellQuote(`${path}=${value}`)}`;
}

export function resetRefusal(resets: Reset[], installed: Installed, argvBase: string): { path: string; message: string }[] {
  const keep = `${argvBase} ${resets.map(setArg).join(' ')}`;
  return [
    {
      path: '',
      message: `this preset would reset ${resets.length} setting${resets.length > 1 ? 's' : ''} the installed agent has (${installed.where}): ${resets
        .map((r) => `${r.path}${r.secret ? '' : `=${typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}`}`)
        .join(', ')}`,
    },
    { path: '', message: `to keep them: ${keep}` },
    { path: '', message: `to apply exactly this preset and drop them: add --reset` },
  ];
}
