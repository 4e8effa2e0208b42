import * as z from 'zod';
import { chartRef, checked, contextName, duration, positiveDuration, egressCheck, exactNumber, helmRelease, imageRef, k8sName, labelKey, labelMap, labelValue, installDirPath, patterned, pullPolicy, resources, secret, secretByName, secretKey } from '../../model/common.js';
import { settingNamedLikeSecret } from '../../model/secret-names.js';
import { PATTERNS } from '../../model/patterns.js';
import { isStored } from '../../model/stored.js';
import { checkToken } from './token.js';

export { HD_SETUP_CONFIG_KEYS } from './constants.js';
import { HD_SETUP_CONFIG_KEYS, containerMemoryProblem } from './constants.js';

import { FIVETRAN_CHART, FIVETRAN_CHART_VERSIONS, FIVETRAN_IMAGE, FIVETRAN_PULL_POLICIES_K8S, FIVETRAN_RESTART_POLICIES } from './constants.js';
export { FIVETRAN_CHART, FIVETRAN_CHART_VERSIONS, FIVETRAN_IMAGE };

const matchExpression = z
  .strictObject({
    key: labelKey.meta({ description: 'A node label key, e.g. disktype.' }),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']).default('In').meta({ description: 'How the label is matched, as in Kubernetes node affinity.' }),
    values: z.array(z.union([z.string().regex(/^-?[0-9]+$/), labelValue])).default([]).meta({ description: 'Label values (In, NotIn: one or more; Gt, Lt: one integer; Exists, DoesNotExist: none).' }),
  })
  .superRefine((m, ctx) => {
    if ((m.operator === 'In' || m.operator === 'NotIn') && m.values.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${m.operator} needs at least one value` });
    }
    if ((m.operator === 'Exists' || m.operator === 'DoesNotExist') && m.values.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${m.operator} takes no values; remove values` });
    }
    if ((m.operator === 'Gt' || m.operator === 'Lt') && (m.values.length !== 1 || !/^-?[0-9]+$/.test(m.values[0] ?? ''))) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${m.operator} needs exactly one integer value` });
    }
  });

export const affinityRule = z
  .strictObject({
    mode: z.enum(['required', 'preferred']).default('preferred').meta({
      description: 'required: jobs only run on matching nodes; preferred: the scheduler favours them.',
    }),
    weight: z.number().int().min(1).max(100).optional().meta({ description: 'Weight of a preferred rule, 1-100 (default 1). A required rule has none.' }),
    match: z.array(matchExpression).min(1, 'a rule needs at least one match expression, e.g. {key: disktype, operator: In, values: [ssd]}').meta({ description: 'Node label expressions, all of which a node must match.' }),
  })
  .superRefine((r, ctx) => {
    if (r.mode === 'required' && r.weight !== undefined && r.weight !== 1) {
      ctx.addIssue({ code: 'custom', path: ['weight'], message: 'a weight applies to preferred rules only; remove it or use mode: preferred' });
    }
  })
  // A preferred rule's weight defaults to 1; a required rule holds none (its values have none to write, and
  // read back it has none): `weight: 1` given on one is dropped, and the changes list of a re-run never says
  // "weight: none -> 1" of a rule the weight means nothing to.
  .transform(({ mode, weight, match }) => (mode === 'preferred' ? { mode, weight: weight ?? 1, match } : { mode, match }))
  .meta({ description: 'A named node-affinity rule for Hybrid Deployment jobs.' });

export const affinityAssignment = z.strictObject({
  rule: z.string().min(1).meta({ description: 'The name of a rule in affinityRules.' }),
  connectors: z.array(z.string().min(1)).default([]).meta({ description: 'Connection ids scheduled with this rule.' }),
  default: z.boolean().default(false).meta({ description: 'Use this rule for every connection not listed elsewhere.' }),
});

export const fivetranKubernetes = z
  .strictObject({
    namespace: k8sName.default('fivetran').meta({ description: 'Namespace of the release; created when missing.' }),
    release: helmRelease.default('hd-agent').meta({ description: 'Helm release name.' }),
    chart: chartRef.default(FIVETRAN_CHART).meta({ description: 'Chart reference; override for a mirror.' }),
    chartVersion: z.enum(FIVETRAN_CHART_VERSIONS).default('0.24.0').meta({ description: 'Chart version (helm --version).' }),
    context: contextName.optional().meta({ description: 'kubectl/helm context; default is the current context.' }),
    dataVolumePvc: k8sName.optional().meta({ description: 'PersistentVolumeClaim used for pipeline data (required on Kubernetes).' }),
    tokenSecret: z
      .strictObject({ name: k8sName.meta({ description: 'The Secret\'s name, in the release\'s namespace.' }), key: secretKey.default('token').meta({ description: 'The key that holds the token.' }) })
      .optional()
      .meta({ description: 'An existing Secret that holds the token, instead of fivetran.token.' }),
    tokenDelivery: z.enum(['secret', 'inline']).default('secret').meta({
      description: 'With fivetran.token: "secret" creates a Secret with kubectl and keeps the token out of the values; "inline" puts it in the values (0600).',
    }),
    imagePullPolicy: z.enum(FIVETRAN_PULL_POLICIES_K8S).default('Always').meta({ description: 'The pods\' image pull policy.' }),
    nodeSelector: labelMap.optional().meta({ description: 'Node selector for the agent pod. Excludes affinity.' }),
    affinityRules: z.record(patterned(PATTERNS.affinityRuleName), affinityRule).default({}).meta({ description: 'affinity_rules: named node-affinity rules for the pipeline jobs.' }),
    affinity: z.array(affinityAssignment).default([]).meta({ description: 'kubernetes_affinity: connections per affinity rule.' }),
    resources: resources.optional(),
    timeout: positiveDuration.default('5m').meta({ description: 'How long helm waits for the release (helm --timeout).' }),
    egressCheck: egressCheck.optional(),
  })
  .superRefine((k, ctx) => {
    if (k.nodeSelector && Object.keys(k.nodeSelector).length > 0 && k.affinity.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['nodeSelector'], message: 'cannot be combined with affinity; use either a node selector or affinity rules' });
    }
    if (k.affinity.length > 0) checkAffinity(k.affinity, k.affinityRules, ctx);
    else if (Object.keys(k.affinityRules).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['affinityRules'], message: 'rules are defined but no connection uses them; add fivetran.kubernetes.affinity (a default rule at least) or remove affinityRules' });
    }
  });

type Assignment = z.output<typeof affinityAssignment>;

function checkAffinity(affinity: Assignment[], rules: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const defined = Object.keys(rules);
  const seenRule = new Map<string, number>();
  const owner = new Map<string, number>();
  let defaultAt = -1;
  affinity.forEach((a, i) => {
    if (!Object.hasOwn(rules, a.rule)) {
      const list = defined.length ? `defined: ${defined.join(', ')}` : 'none defined; add it under fivetran.kubernetes.affinityRules';
      ctx.addIssue({ code: 'custom', path: ['affinity', i, 'rule'], message: `"${a.rule}" is not defined in affinityRules (${list})` });
    }
    const prevRule = seenRule.get(a.rule);
    if (prevRule !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['affinity', i, 'rule'], message: `rule "${a.rule}" is already used by affinity[${prevRule}]; merge their connectors` });
    } else seenRule.set(a.rule, i);
    if (a.default) {
      if (defaultAt >= 0) {
        ctx.addIssue({ code: 'custom', path: ['affinity', i, 'default'], message: `only one rule can be the default; affinity[${defaultAt}] (${affinity[defaultAt]?.rule}) already is` });
      } else defaultAt = i;
    }
    if (!a.default && a.connectors.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['affinity', i, 'connectors'], message: 'must list at least one connection id unless the rule is the default' });
    }
    a.connectors.forEach((c, j) => {
      const prev = owner.get(c);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['affinity', i, 'connectors', j],
          message: `connection "${c}" is already assigned to rule "${affinity[prev]?.rule}" (affinity[${prev}]); a connection belongs to one rule only`,
        });
      } else owner.set(c, i);
    });
  });
}

export const fivetranSchema = z
  .strictObject({
    token: secret('The agent token from the Fivetran dashboard (base64 of <controller_id>:<secret>).', 'FIVETRAN_TOKEN').optional(),
    installDir: installDirPath.default('~/fivetran').meta({ description: 'docker/podman: agent home with conf/, data/, logs/, tmp/.' }),
    image: imageRef.default(FIVETRAN_IMAGE).meta({ description: 'The agent image; a registry mirror of it.' }),
    pullPolicy: pullPolicy.default('always'),
    restartPolicy: z.enum(FIVETRAN_RESTART_POLICIES).default('on-failure:3').meta({ description: 'docker/podman: the container\'s restart policy.' }),
    memory: checked(containerMemoryProblem).default('2048m').meta({ description: 'docker/podman: container memory limit.' }),
    selinux: z.union([z.literal('auto'), z.boolean()]).default('auto').meta({ description: 'host_selinux_enabled in config.json; auto detects it.' }),
    config: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'config keys are snake_case agent parameters'), z.union([z.string(), exactNumber, z.boolean()]))
      // a parameter named like a secret (db_password) is one: env:/file: taken, masked in all output; a number
      // there (--set reads 98765432 as one) is the password's text, written as such
      .transform((c, ctx) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'string' || (typeof v === 'number' && settingNamedLikeSecret(k)) ? secretByName(k, String(v), `fivetran.config.${k}`, ctx, [k]) : v])))
      .default({})
      .meta({ description: 'Extra agent parameters written to config.json / the chart config (e.g. custom_dns). One whose name has password, secret or token in it, or names key material (a key as its last word: dd_api_key, hmac_key, but not partition_key or public_key; a password however written: db_pass, pgpasswd, key_passphrase; not one whose last word is path, file, dir, id, name, header, type, version, url and the like), given as a number or as text other than true/false, yes/no or on/off, is a secret: a literal, env:NAME or file:PATH, masked in all output and exported as env:FIVETRAN_CONFIG_<NAME>.' }),
    kubernetes: fivetranKubernetes.prefault({}).meta({ description: 'Kubernetes (runtime: kubernetes): the Helm release and its settings.' }),
  })
  .superRefine((f, ctx) => {
    if (f.token && !isStored(f.token)) { // an empty one is refused already, with its fix
      const t = checkToken(f.token);
      if (!t.ok) ctx.addIssue({ code: 'custom', path: ['token'], message: t.message });
    }
    for (const k of HD_SETUP_CONFIG_KEYS) {
      if (Object.hasOwn(f.config, k)) {
        ctx.addIssue({ code: 'custom', path: ['config', k], message: `is set by hd-setup; use the dedicated option instead (fivetran.token, proxy, fivetran.selinux, fivetran.kubernetes.*)` });
      }
    }
  });

export type FivetranOptions = z.output<typeof fivetranSchema>;
export type FivetranKubernetes = z.output<typeof fivetranKubernetes>;
export type AffinityRule = z.output<typeof affinityRule>;
