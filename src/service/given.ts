// The wizard's flags, checked before its first question. Light (the model and the product modules, no
// execution): it runs before the wizard's first frame.
import { UserError } from '../model/errors.js';
import { buildRaw, parseModel } from '../products/load.js';
import { PRODUCTS, findProduct } from '../products/index.js';
import { setIn } from '../model/reconcile.js';
import { unsetIn } from '../model/load.js';
import type { LoadRequest } from './install.js';
import type { BaseModel } from '../model/base.js';
import { NOT_GIVEN } from '../model/stored.js';
import { secretFieldAt } from '../products/secrets.js';

/**
 * The wizard's flags (--preset, --set, HD_SETUP_*), checked before its first question: every problem
 * `install` would report except a missing value (the wizard asks for those). A missing product or
 * runtime is supplied for the check only, so a mistyped key under a product section is still caught.
 * Throws a UserError (exit 2, one line per problem) like `install`; returns the raw preset and install's
 * warnings (a secret given as a literal).
 */
export function checkGiven(req: Pick<LoadRequest, 'preset' | 'set' | 'context'>, env: NodeJS.ProcessEnv = process.env): { raw: Record<string, unknown>; baseDir: string; warnings: string[] } {
  const built = buildRaw({ ...(req.preset ? { preset: req.preset } : {}), sets: req.set ?? [], env });
  const raw = built.raw;
  // --context: the Kubernetes context of the product named (as service/find.ts withContext).
  const named = findProduct(raw.product);
  if (req.context && named) setIn(raw, named.settingPath('context', 'kubernetes').split('.'), req.context);
  const given = (p: { message: string }) => !/^is required\b/.test(p.message);
  const problemsOf = (r: Record<string, unknown>) => {
    try {
      parseModel(structuredClone(r), { env, baseDir: built.baseDir });
      return [];
    } catch (e) {
      if (e instanceof UserError) return e.problems.filter(given);
      throw e;
    }
  };
  // No product named: each one in turn (with none, a mistyped top-level key hides behind "product is required").
  const sections = raw.product !== undefined ? [raw.product] : PRODUCTS.map((m) => m.id).filter((id) => raw[id] !== undefined);
  const products = sections.length ? sections : PRODUCTS.map((m) => m.id);
  const candidates = products.flatMap((product) => {
    const m = findProduct(product);
    const runtimes = raw.runtime !== undefined || !m ? [raw.runtime] : m.runtimes;
    return runtimes.map((runtime) => ({ ...raw, product, ...(runtime !== undefined ? { runtime } : {}) }));
  });
  // The reading that fits best (a runtime filled in for the check may not be the one the user means).
  const problems = candidates.map(problemsOf).sort((a, b) => a.length - b.length)[0] ?? [];
  if (problems.length) throw new UserError(problems);
  // Settings of one product and no product named (`--set tobiko.org=acme`): that product, as install would
  // need it said (the wizard asked which, and the other one dropped them unseen).
  if (raw.product === undefined && sections.length === 1) raw.product = sections[0];
  return { raw, baseDir: built.baseDir, warnings: built.warnings };
}

/** A secret `doctor` went without: the setting, and why it was not there. */
export interface NotGiven {
  path: string;
  /** What the secret is: a whole value (a token, a password), or a URL whose credentials are secret (a proxy). */
  kind: 'value' | 'userinfo';
  message: string;
}

const pathOf = (p: string) => p.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));

function getIn(o: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), o);
}

/**
 * The model the host checks run on (`doctor` before an install): the flags as `install` reads them, except
 * that a secret that is not given (unset env:, missing file:, or absent) is not an error. The host checks
 * need no secret; each one missing stands in as a not-given marker (a proxy URL whose credentials are
 * missing is left out), and is listed so that doctor can say so and which checks it skipped for it.
 * Every other problem is the same exit 2 as `install`'s.
 */
export function givenForChecks(req: Pick<LoadRequest, 'preset' | 'set' | 'context'>, env: NodeJS.ProcessEnv = process.env): { model: BaseModel; secrets: Set<string>; warnings: string[]; notGiven: NotGiven[] } {
  const built = buildRaw({ ...(req.preset ? { preset: req.preset } : {}), sets: req.set ?? [], env });
  const raw = built.raw;
  const named = findProduct(raw.product);
  if (req.context && named) setIn(raw, named.settingPath('context', 'kubernetes').split('.'), req.context);
  const notGiven: NotGiven[] = [];
  // Each round stands in for the secrets the last one found missing; a secret is missing once.
  for (;;) {
    try {
      const r = parseModel(structuredClone(raw), { env, baseDir: built.baseDir });
      return { model: r.model as BaseModel, secrets: r.secrets, warnings: [...built.warnings, ...r.warnings], notGiven };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      // No section at all for the product (`--set product=... --set runtime=...`): an empty one, so that
      // what it lacks is found field by field.
      if (typeof raw.product === 'string' && raw[raw.product] === undefined && e.problems.some((p) => p.path === raw.product)) {
        raw[raw.product] = {};
        continue;
      }
      const secretOf = (path: string) => {
        if (!path || notGiven.some((n) => n.path === path)) return undefined;
        const probe = structuredClone(raw);
        if (typeof getIn(probe, pathOf(path)) !== 'string') setIn(probe, path.split('.'), 'x');
        return secretFieldAt(probe, path);
      };
      const missing = e.problems.flatMap((p) => {
        const f = secretOf(p.path);
        return f ? [{ path: p.path, kind: f.kind, message: p.message }] : [];
      });
      // A section left without the URL taken out of it (a proxy with neither http nor https) goes too.
      const emptied = e.problems.filter((p) => p.path && notGiven.some((n) => n.kind === 'userinfo' && n.path.startsWith(`${p.path}.`)) && getIn(raw, pathOf(p.path)) !== undefined);
      for (const p of emptied) unsetIn(raw, pathOf(p.path));
      const others = e.problems.filter((p) => !missing.some((m) => m.path === p.path) && !emptied.includes(p));
      if (others.length || (!missing.length && !emptied.length)) throw others.length ? new UserError(others, e.exitCode) : e;
      for (const m of missing) {
        notGiven.push(m);
        if (m.kind === 'userinfo') unsetIn(raw, pathOf(m.path));
        else setIn(raw, m.path.split('.'), NOT_GIVEN);
      }
    }
  }
}
