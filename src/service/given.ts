// The wizard's flags, checked before its first question. Light (the model and the product modules, no
// execution): it runs before the wizard's first frame.
import { UserError } from '../model/errors.js';
import { buildRaw, parseModel } from '../products/load.js';
import { PRODUCTS, findProduct } from '../products/index.js';
import { setIn } from '../model/reconcile.js';
import type { LoadRequest } from './install.js';

/**
 * The wizard's flags (--preset, --set, HD_SETUP_*), checked before its first question: every problem
 * `install` would report except a missing value (the wizard asks for those). A missing product or
 * runtime is supplied for the check only, so a mistyped key under a product section is still caught.
 * Throws a UserError (exit 2, one line per problem) like `install`; returns the raw preset.
 */
export function checkGiven(req: Pick<LoadRequest, 'preset' | 'set' | 'context'>, env: NodeJS.ProcessEnv = process.env): { raw: Record<string, unknown>; baseDir: string } {
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
  const products = raw.product !== undefined ? [raw.product] : PRODUCTS.map((m) => m.id).filter((id) => raw[id] !== undefined);
  const candidates = (products.length ? products : [undefined]).flatMap((product) => {
    const m = findProduct(product);
    const runtimes = raw.runtime !== undefined || !m ? [raw.runtime] : m.runtimes;
    return runtimes.map((runtime) => ({ ...raw, ...(product !== undefined ? { product } : {}), ...(runtime !== undefined ? { runtime } : {}) }));
  });
  // The reading that fits best (a runtime filled in for the check may not be the one the user means).
  const problems = candidates.map(problemsOf).sort((a, b) => a.length - b.length)[0] ?? [];
  if (problems.length) throw new UserError(problems);
  return { raw, baseDir: built.baseDir };
}
