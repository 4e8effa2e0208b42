// Building blocks shared by both products' schemas.
import * as z from 'zod';
import {
  PATTERNS,
  chartProblem,
  hostProblem,
  imageProblem,
  imageRepositoryProblem,
  imageTagProblem,
  labelKeyProblem,
  labelValueProblem,
  lineProblem,
  noProxyProblem,
  installDirProblem,
  tooLong,
  urlProblem,
  type Pattern,
} from './patterns.js';
import { LIMITS } from './limits.js';
import { addWarning, isRef, readingLeniently, registerSecret, registerUrlCredentials, resolveRef } from './refs.js';
import { isStored } from './stored.js';
import { MASK as SECRET_MASK } from '../util/redact.js';
import { couldBeSecret, holdsSecretValue, settingNamedLikeSecret } from './secret-names.js';

/**
 * A secret field: literal, env:NAME or file:PATH. Parses to the resolved value and registers it for masking.
 * Its `x-secret` mark is what the secret registry (products/secrets.ts) reads; `env` names the variable a
 * saved or exported preset references it by (`x-env`).
 */
export function secret(description: string, env?: string) {
  const fix = `give it as env:${env ?? 'NAME'}${env ? ' (export it first)' : ''} or file:PATH`;
  return z
    .string()
    .min(1, `must not be empty; ${fix}`)
    .transform((raw, ctx) => {
      if (isStored(raw)) return raw;
      const r = resolveRef(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      const value = r.value.trim(); // trimmed wherever it came from (typed, env:, file:, --set): what is checked is what is stored
      if (!value) {
        // never stored as an empty secret (a file holding a blank line, a variable set to spaces)
        ctx.addIssue({ code: 'custom', message: `is blank (spaces or line breaks only); ${fix}` });
        return z.NEVER;
      }
      registerSecret(value, description.replace(/\.$/, ''));
      return value;
    })
    .meta({ description: `${description} Secret: a literal, env:NAME or file:PATH.`, 'x-secret': true, ...(env ? { 'x-env': env } : {}) });
}

/**
 * A URL that may carry credentials (a proxy): env:/file: allowed, the password part is masked. Marked
 * `x-secret: "userinfo"`: the registry treats the password in it as a secret, and the URL as a whole as
 * something to export as a reference (`x-env`) when it has one.
 */
export function credentialUrl(description: string, env?: string) {
  return z
    .string()
    .min(1)
    .transform((raw, ctx) => {
      const r = resolveRef(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      // never quote the value: it may carry a password
      const bad = urlProblem(r.value, ['http', 'https'], 'http://proxy.internal:3128', !readingLeniently());
      if (bad) {
        ctx.addIssue({ code: 'custom', message: bad });
        return z.NEVER;
      }
      registerUrlCredentials(r.value);
      return r.value;
    })
    .meta({ description: `${description} May be env:NAME or file:PATH; credentials in it are masked.`, 'x-secret': 'userinfo', ...(env ? { 'x-env': env } : {}) });
}

/** A string in one of the shared formats (model/patterns.ts), with its message. */
export const patterned = (p: Pattern) => {
  const s = z.string().regex(p.re, p.message);
  return p.max === undefined ? s : s.max(p.max, tooLong(p.max));
};

export const k8sName = patterned(PATTERNS.k8sName);

/** A non-empty string checked by one of the format functions of model/patterns.ts. */
export function checked(problem: (s: string) => string | undefined) {
  return z
    .string()
    .min(1, 'must not be empty')
    .superRefine((s, ctx) => {
      const p = problem(s);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    });
}

/**
 * A number as written in a file read back (config.json): an integer past 2^53 was read as another number
 * (12345678901234567890 as ...7000), which a re-run would write, or suggest to keep: refused instead.
 */
// (From 1e21 a number is written in exponent form, 1.5e+300, as it was given: that is no integer's digits.)
export const exactNumber = z.number().refine((n) => !Number.isInteger(n) || Number.isSafeInteger(n) || Math.abs(n) >= 1e21, 'is an integer past 2^53, which is read as another number; write it in quotes, as text');

export const port = z.number().int('must be an integer from 1 to 65535').min(1, 'must be a port from 1 to 65535').max(65535, 'must be a port from 1 to 65535');
export const host = checked(hostProblem);
export const imageRef = checked(imageProblem);
/** An image with `sh` and `curl` that the cluster can pull, for the in-cluster egress check. */
export const EGRESS_IMAGE = 'curlimages/curl:8.11.1';
export const imageRepository = checked(imageRepositoryProblem);
export const imageTag = checked(imageTagProblem);
export const chartRef = checked(chartProblem);
export const helmRelease = patterned(PATTERNS.helmRelease);
export const installDirPath = checked(installDirProblem);
/** A kubectl/helm context name: one line; it is passed as a separate argument, never as a flag. */
export const contextName = checked((s) => lineProblem(s) ?? (s.startsWith('-') ? 'must not start with "-"' : undefined));
/** Text that lands in a file or a command line: one line, no control characters. */
export const oneLine = z.string().superRefine((s, ctx) => {
  const p = lineProblem(s);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
export const labelKey = checked(labelKeyProblem);
export const labelValue = z.string().superRefine((s, ctx) => {
  const p = labelValueProblem(s);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
/** A Kubernetes label map (node selectors): keys and values by the API's rules. */
export const labelMap = z.record(labelKey, labelValue);
/** A key in a Secret's data: letters, digits, "-", "_" and ".". */
export const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key: letters, digits, "-", "_" and "."').max(253, tooLong(253));
export const cpuQuantity = patterned(PATTERNS.cpu);
export const memoryQuantity = patterned(PATTERNS.memory);

const CPU = { description: 'CPU, as Kubernetes counts it: "2", "0.5" or "500m".' };
const MEMORY = { description: 'Memory, as Kubernetes counts it: "2Gi", "512Mi".' };
const REQUESTS = { description: 'What the scheduler reserves for the pod.' };
const LIMITS_META = { description: 'The most the pod may use.' };
const resourceSet = z.strictObject({ cpu: cpuQuantity.optional().meta(CPU), memory: memoryQuantity.optional().meta(MEMORY) });
export const resources = z
  .strictObject({ requests: resourceSet.optional().meta(REQUESTS), limits: resourceSet.optional().meta(LIMITS_META) })
  .meta({ description: 'Container resources, as in the chart: cpu "2" or "500m", memory "2Gi" or "512Mi".' });

/** Extra resources key allowed for Tobiko (ephemeral-storage). */
const tobikoResourceSet = z.strictObject({
  cpu: cpuQuantity.optional().meta(CPU),
  memory: memoryQuantity.optional().meta(MEMORY),
  'ephemeral-storage': z.string().regex(/^[0-9]+(Mi|Gi)$/, 'must match ^[0-9]+(Mi|Gi)$, e.g. "10Gi"').optional().meta({ description: 'Scratch disk: "10Gi".' }),
});
export const tobikoResources = z
  .strictObject({ requests: tobikoResourceSet.optional().meta(REQUESTS), limits: tobikoResourceSet.optional().meta(LIMITS_META) })
  .meta({ description: 'Container resources, as in the chart; empty fields keep the chart defaults.' });

export const pullPolicy = z
  .enum(['always', 'missing', 'never'])
  .meta({ description: 'Container image pull policy: always pull, pull when missing, or never pull (use a local image).' });

/**
 * A value of a setting hd-setup does not know (an extra env var, an agent parameter). One whose name says it
 * is a secret (settingNamedLikeSecret) takes a literal, env:NAME or file:PATH, resolved and registered for
 * masking, as a secret field is. Any other is kept as written (`file:app.db?mode=ro` is a value, and an
 * install made before this rule holds such text), unless it holds a secret itself (a URL with a password:
 * a secret whatever the name) or is a reference to one: export-preset writes such a value as
 * env:<product prefix><NAME>, which resolves here when it gives a secret. `at`: the setting, for the mask's
 * label; `path`: where an error points, below the value transformed.
 */
export function secretByName(name: string, raw: string, at: string, ctx: z.RefinementCtx, path: PropertyKey[] = []): string {
  if (isStored(raw)) return raw;
  if (!settingNamedLikeSecret(name)) {
    if (holdsSecretValue(raw)) {
      registerSecret(raw, at);
      return raw;
    }
    if (!isRef(raw)) return raw;
    const ref = resolveRef(raw);
    if (ref.ok && holdsSecretValue(ref.value)) {
      registerSecret(ref.value, at);
      return ref.value;
    }
    // an env: reference that gives nothing, taken as the text it is: said, as it may have meant the variable
    if (!ref.ok && /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) addWarning(`${at} is the text "${raw}" as written: ${raw.slice(4)} is not set; export it first if it names the value`);
    return raw;
  }
  const r = resolveRef(raw);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message, path });
    return raw;
  }
  // the mask hd-setup prints for a secret (the wizard shows the install's so), copied back as if it were one
  if (r.value.trim() === SECRET_MASK) {
    ctx.addIssue({ code: 'custom', message: `is "${SECRET_MASK}", the mask hd-setup prints in place of a secret; give the secret itself, as env:NAME or file:PATH`, path });
    return raw;
  }
  if (couldBeSecret(r.value)) registerSecret(r.value, at);
  return r.value;
}

export const envVarName = patterned(PATTERNS.envVarName);
export const extraEnv = z
  .array(
    z
      .strictObject({
        name: envVarName.meta({ description: 'Variable name.' }),
        value: z.string().meta({ description: 'Its value. A name with password, secret or token in it (AWS_SECRET_ACCESS_KEY), or key material (a key as its last word: SNOWFLAKE_PRIVATE_KEY, DD_API_KEY, HMAC_KEY, but not PARTITION_KEY or PUBLIC_KEY; a password however written: DB_PASS, dbPwd, PGPASSWD, KEY_PASSPHRASE; not one whose last word is PATH, FILE, DIR, ID, NAME, HEADER, TYPE, VERSION, URL and the like), makes it a secret (unless it is true/false, yes/no or on/off): a literal, env:NAME or file:PATH, masked in all output and exported as env:<its name>. Any other is shown and exported as is.' }),
      })
      .transform((e, ctx) => ({ name: e.name, value: secretByName(e.name, e.value, `env ${e.name}`, ctx, ['value']) })),
  )
  .default([])
  .meta({ description: 'Extra environment variables for the executors.' });

export const duration = patterned(PATTERNS.duration);
/** A wait (helm --timeout, the egress check): zero would give up at once (helm left a failed release). */
export const positiveDuration = duration.refine((d) => /[1-9]/.test(d), 'must be more than zero (helm would give up at once and leave a failed release), e.g. 5m');

// A preset exports a proxy URL that holds a password as env:AGENT_HTTP(S)_PROXY, never as HTTP(S)_PROXY:
// a shell's own proxy variables (often set, for this host's traffic) would silently replace the agent's.
export const proxy = z
  .strictObject({
    http: credentialUrl('HTTP proxy URL.', 'AGENT_HTTP_PROXY').optional(),
    https: credentialUrl('HTTPS proxy URL.', 'AGENT_HTTPS_PROXY').optional(),
    noProxy: z.array(checked(noProxyProblem)).max(LIMITS.listLength).default([]).meta({ description: 'Hosts that bypass the proxy.' }),
  })
  .refine((p) => p.http || p.https, { message: 'set at least one of proxy.http and proxy.https, or remove proxy' });

export type Proxy = z.output<typeof proxy>;
export type Resources = z.output<typeof resources>;

/**
 * The optional in-cluster egress check (preflight and doctor): a short-lived pod that reaches the vendor
 * endpoints through the configured proxy. Present: it runs (skip it with --skip-check egress).
 */
export const egressCheck = z
  .strictObject({
    image: imageRef.default(EGRESS_IMAGE).meta({ description: `An image with sh and curl the cluster can pull (air-gapped clusters: a copy in their registry); default ${EGRESS_IMAGE}.` }),
    timeout: positiveDuration.default('60s').meta({ description: 'How long the check may take, the start of its pod included.' }),
  })
  .meta({ description: 'Check from inside the cluster that a pod reaches the vendor endpoints (through the proxy); {} turns it on.' });
