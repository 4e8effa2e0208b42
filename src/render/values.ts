import type { BaseModel as Model } from '../model/base.js';
import { proxyHasCredentials } from './proxy.js';
import type { RenderedFile } from './types.js';
import { toYaml } from './yaml.js';

/** The values key that keeps hd-setup's own settings with the release (what helm gets on its command line,
 * and settings with no chart key); charts ignore it. */
export const HD_SETUP_VALUES_KEY = 'hdSetup';

/**
 * values.yaml for a chart: 0600 and marked secret when it holds secrets (inline, proxy credentials, or a
 * setting named like a secret: `credentials`, which says where).
 */
export function valuesFile(model: Model, values: Record<string, unknown>, header: string, inlineWarning: string | undefined, credentials?: string): RenderedFile {
  const secret = inlineWarning !== undefined || proxyHasCredentials(model) || credentials !== undefined;
  return {
    path: 'values.yaml',
    base: 'state',
    rel: 'values.yaml',
    mode: secret ? 0o600 : 0o644,
    content: toYaml(values, inlineWarning ? `${header}\nWARNING: ${inlineWarning}` : header, { sortKeys: true }),
    secret,
    description: inlineWarning ? 'Helm values, with secrets inline' : credentials ? `Helm values (${credentials} inside)` : secret ? 'Helm values (proxy credentials inside)' : 'Helm values (no secrets)',
  };
}
