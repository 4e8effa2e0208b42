// The products' wizard questions, one line per product (the same order as PRODUCTS in index.ts; each
// module's `wizard` is the same object, test/wizard/product-questions.test.ts checks it). A separate
// list because the wizard's first frame loads it: no schema, no zod, no renderers.
import { fivetranWizard } from './fivetran/questions.js';
import { tobikoWizard } from './tobiko/questions.js';
import type { ProductWizard } from './wizard.js';

export const WIZARDS: readonly ProductWizard[] = [fivetranWizard, tobikoWizard];

export function wizardOf(id: unknown, list: readonly ProductWizard[] = WIZARDS): ProductWizard | undefined {
  return list.find((w) => w.id === id);
}
