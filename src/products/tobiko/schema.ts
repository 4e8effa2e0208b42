import * as z from 'zod';
import { chartRef, checked, contextName, duration, positiveDuration, egressCheck, extraEnv, helmRelease, imageRef, imageRepository, imageTag, k8sName, installDirPath, oneLine, patterned, pullPolicy, secret, tobikoResources } from '../../model/common.js';
import { checkGatewayParams } from './params.js';
import { PATTERNS, pemProblem } from '../../model/patterns.js';
import { isRef, registerSecret, resolveRef } from '../../model/refs.js';
import { isStored, storedSecretName } from '../../model/stored.js';
import { setFlags, type Mend } from '../../model/errors.js';
import { canonicalParam, ENGINE_TYPES, ENGINES, isKeyMaterial, isSecretParam, paramHoldsSecret } from './engines.js';

import { TOBIKO_CHART, TOBIKO_IMAGE, TOBIKO_RESTART_POLICIES, isReservedEnvName, tobikoUrlProblem } from './constants.js';
export { TOBIKO_CHART, TOBIKO_IMAGE };

const paramValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.record(z.string(), z.unknown())]);

export const gateway = z
  .looseObject({ type: z.enum(ENGINE_TYPES).meta({ description: 'SQLMesh engine type.' }) })
  .catchall(paramValue)
  .superRefine(checkGatewayParams)
  .meta({
    description:
      'A SQLMesh gateway: its engine type and connection params. Params named like password/secret/token are secrets (a literal, env:NAME or file:PATH); so is one whose value holds a URL with a password (on Kubernetes list it in secretParams).',
  });

export const gatewayName = z
  .string()
  .regex(PATTERNS.gatewayName.re, PATTERNS.gatewayName.message)
  .max(63)
  .refine((n) => !n.includes('__'), 'gateway names must not contain "__" (it separates parts of SQLMESH__ variable names)');

const executor = z.strictObject({
  replicas: z.number().int().min(0).max(50).default(1).meta({ description: 'Number of pods.' }),
  resources: tobikoResources.optional(),
  extraEnv: extraEnv.meta({ description: 'Env vars for this executor only.' }),
});

export const tobikoKubernetes = z.strictObject({
  namespace: k8sName.default('tobiko').meta({ description: 'Namespace of the release; created when missing.' }),
  release: helmRelease.default('executors').meta({ description: 'Helm release name.' }),
  chart: chartRef.default(TOBIKO_CHART).meta({ description: 'Chart reference; override for a mirror.' }),
  chartVersion: patterned(PATTERNS.chartVersion).optional().meta({ description: 'Chart version or semver range (helm --version); default is the latest.' }),
  context: contextName.optional().meta({ description: 'kubectl/helm context; default is the current context.' }),
  timeout: positiveDuration.default('5m').meta({ description: 'How long helm waits for the release (helm --timeout).' }),
  image: z
    .strictObject({ repository: imageRepository.meta({ description: 'Image repository, e.g. a registry mirror of tobikodata/tcloud.' }), tag: imageTag.meta({ description: 'Image tag.' }) })
    .optional()
    .meta({ description: 'The executor image; default: the chart\'s.' }),
  apply: executor.prefault({}).meta({ description: 'The apply executor: it applies plans.' }),
  run: executor.prefault({}).meta({ description: 'The run executor: it runs scheduled model runs.' }),
  extraEnv: extraEnv.meta({ description: 'Env vars for both executors.' }),
  egressCheck: egressCheck.optional(),
});

export const tobikoDocker = z.strictObject({
  installDir: installDirPath.default('~/tobiko').meta({ description: 'docker/podman: where the 0600 env-file lives.' }),
  image: imageRef.default(TOBIKO_IMAGE).meta({ description: 'The executor image; a registry mirror of it. A name without a registry that podman cannot resolve (no unqualified-search registry, or several and no terminal) is pulled from docker.io, as docker does.' }),
  pullPolicy: pullPolicy.default('always'),
  restartPolicy: z.enum(TOBIKO_RESTART_POLICIES).default('unless-stopped').meta({ description: 'The containers\' restart policy.' }),
  extraEnv: extraEnv,
});

export const SECRET_STRATEGIES = ['inline', 'existingSecret', 'externalSecrets', 'envFile'] as const;
export type SecretStrategy = (typeof SECRET_STRATEGIES)[number];

export const tobikoSecrets = z.preprocess(
  (v) => (typeof v === 'string' ? { strategy: v } : v),
  z.strictObject({
    strategy: z.enum(SECRET_STRATEGIES).optional().meta({
      description:
        'inline: secrets in the Helm values (development only); existingSecret: a Kubernetes Secret; externalSecrets: an External Secrets Operator ExternalSecret; envFile: a 0600 env-file (docker/podman). Default: existingSecret on Kubernetes, envFile on docker/podman.',
    }),
    name: k8sName.optional().meta({ description: 'Secret name (existingSecret, or the ExternalSecret target). Default <release>-secrets.' }),
    create: z.boolean().default(true).meta({ description: 'existingSecret: create/update the Secret from the preset (false: it exists already).' }),
    store: z
      .strictObject({ kind: z.enum(['ClusterSecretStore', 'SecretStore']).default('ClusterSecretStore').meta({ description: 'The store\'s kind.' }), name: k8sName.meta({ description: 'The store\'s name.' }) })
      .optional()
      .meta({ description: 'externalSecrets: the SecretStore or ClusterSecretStore to read from.' }),
    refreshInterval: duration.default('1h').meta({ description: 'externalSecrets: how often the operator reads the store again.' }),
    keyPrefix: oneLine.default('sqlmesh/').meta({ description: 'externalSecrets: prefix of the remote keys.' }),
  }),
);

export const tobikoSchema = z
  .strictObject({
    org: z.string().min(1, { message: 'must not be empty: the <org> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>', abort: true }).regex(PATTERNS.tobikoOrg.re, PATTERNS.tobikoOrg.message).meta({ description: 'Tobiko Cloud organization: the <org> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>.' }),
    project: z.string().min(1, { message: 'must not be empty: the <project> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>', abort: true }).regex(PATTERNS.tobikoProject.re, PATTERNS.tobikoProject.message).meta({ description: 'Tobiko Cloud project: the <project> in that URL.' }),
    url: checked(tobikoUrlProblem).optional().meta({ description: 'Override of https://cloud.tobikodata.com/sqlmesh/<org>/<project>.' }),
    clientId: oneLine.min(1).meta({ description: 'OAuth client id for the executors (not a secret).' }),
    clientSecret: secret('Tobiko Cloud OAuth client secret.', 'TCLOUD_CLIENT_SECRET').optional(),
    gateways: z
      .record(gatewayName, gateway)
      .refine((g) => Object.keys(g).length > 0, 'define at least one gateway')
      .meta({ description: 'SQLMesh gateways by name: the connections the executors use.' }),
    defaultGateway: z.string().optional().meta({ description: 'Default gateway; listed first in the values. Default: the first gateway.' }),
    secretParams: z.array(z.string()).default([]).meta({ description: 'Gateway params that are secrets although their name has no password/secret/token (e.g. private_key).' }),
    nonSecretParams: z.array(z.string()).default([]).meta({ description: 'Gateway params that are not secrets although their name says so.' }),
    secrets: tobikoSecrets.prefault({}).meta({ description: 'Where the client secret and gateway secrets live.' }),
    kubernetes: tobikoKubernetes.prefault({}).meta({ description: 'Kubernetes (runtime: kubernetes): the Helm release and its settings.' }),
    docker: tobikoDocker.prefault({}).meta({ description: 'docker/podman: the two executor containers.' }),
  })
  .superRefine((t, ctx) => {
    const names = Object.keys(t.gateways);
    const envLists: [string[], { name: string }[]][] = [
      [['docker', 'extraEnv'], t.docker.extraEnv],
      [['kubernetes', 'extraEnv'], t.kubernetes.extraEnv],
      [['kubernetes', 'apply', 'extraEnv'], t.kubernetes.apply.extraEnv],
      [['kubernetes', 'run', 'extraEnv'], t.kubernetes.run.extraEnv],
    ];
    for (const [path, list] of envLists) {
      list.forEach((e, i) => {
        if (isReservedEnvName(e.name)) ctx.addIssue({ code: 'custom', path: [...path, i, 'name'], message: `${e.name} is set by hd-setup; use the dedicated option (tobiko.url, tobiko.clientId, gateways, proxy)` });
      });
    }
    const validName = (p: string) => /^[a-z][a-z0-9_]*$/.test(p) && !p.includes('__');
    // Key material the chart's rule would leave out of its Secret (to a ConfigMap, the 0644 values and every
    // output): every such param at once, so that one --set of each list mends them all.
    const unmarked = [...new Set(Object.values(t.gateways).flatMap((params) => Object.keys(params).filter((p) => validName(p) && isKeyMaterial(p) && !isSecretParam(p, t.secretParams, t.nonSecretParams))))];
    const secretList = `[${[...new Set([...t.secretParams, ...unmarked])].join(',')}]`;
    const nonSecretList = `[${t.nonSecretParams.filter((p) => !unmarked.includes(p)).join(',')}]`;
    const undo = unmarked.some((p) => t.nonSecretParams.includes(p));
    const mend: Mend = [{ path: 'tobiko.secretParams', value: secretList }, ...(undo ? [{ path: 'tobiko.nonSecretParams', value: nonSecretList }] : [])];
    for (const [g, params] of Object.entries(t.gateways)) {
      for (const p of Object.keys(params)) {
        if (!validName(p)) {
          ctx.addIssue({ code: 'custom', path: ['gateways', g, p], message: 'parameter names use a-z, 0-9 and single "_" (they become SQLMESH__GATEWAYS__<G>__CONNECTION__<P> variables)' });
        } else if (unmarked.includes(p)) {
          ctx.addIssue({
            code: 'custom',
            path: ['gateways', g, p],
            params: { mend },
            message: `is key material, which the chart does not treat as a secret (no "password", "secret" or "token" in its name): mark it one with ${setFlags(mend)}`,
          });
        }
      }
    }
    if (t.defaultGateway !== undefined && !names.includes(t.defaultGateway)) {
      ctx.addIssue({ code: 'custom', path: ['defaultGateway'], message: `"${t.defaultGateway}" is not a gateway (defined: ${names.join(', ') || 'none'})` });
    }
  })
  .transform((t, ctx) => {
    // Resolve env:/file: in gateway params; register the secret ones for masking.
    const gateways: typeof t.gateways = {};
    // a secret of spaces only (a variable set to spaces, an empty --set): output would mask every space
    const blank = (g: string, p: string, value: unknown, ref?: string) => {
      if (typeof value !== 'string' || value.trim()) return false;
      ctx.addIssue({ code: 'custom', path: ['gateways', g, p], message: `${ref ? `${ref} ` : ''}is blank (spaces or line breaks only): a secret that output would mask wherever a space stands; give the value, or leave the setting out` });
      return true;
    };
    // a PEM key cut off (its END line missing: a paste that stopped early, a variable of its first line)
    const cutOff = (g: string, p: string, value: unknown, ref?: string) => {
      const bad = pemProblem(value);
      if (bad) ctx.addIssue({ code: 'custom', path: ['gateways', g, p], message: `${ref ? `${ref} ` : ''}${bad}` });
      return Boolean(bad);
    };
    for (const [g, params] of Object.entries(t.gateways)) {
      const out: Record<string, unknown> = {};
      for (const [p, v] of Object.entries(params)) {
        if (typeof v === 'string' && isRef(v)) {
          const r = resolveRef(v);
          if (!r.ok) {
            ctx.addIssue({ code: 'custom', path: ['gateways', g, p], message: r.message });
            continue;
          }
          if (cutOff(g, p, r.value, v)) continue;
          const secret = isSecretParam(p, t.secretParams, t.nonSecretParams);
          if (secret && blank(g, p, r.value, v)) continue;
          out[p] = canonicalParam(r.value, secret);
          // (a value that holds a secret whatever the param is called, a URL with a password: masked whole, as the env-file holds it)
          if (secret || paramHoldsSecret(p, r.value)) registerSecret(r.value, `tobiko.gateways.${g}.${p}`);
        } else {
          const secret = p !== 'type' && isSecretParam(p, t.secretParams, t.nonSecretParams);
          if (secret && blank(g, p, v)) continue;
          if (cutOff(g, p, v)) continue;
          out[p] = p === 'type' ? v : canonicalParam(v, secret);
          if (secret && typeof out[p] === 'string' && !isStored(out[p]) && !(out[p] as string).startsWith('remote:')) registerSecret(out[p] as string, `tobiko.gateways.${g}.${p}`);
          else if (!secret && paramHoldsSecret(p, out[p])) registerSecret(typeof out[p] === 'string' ? (out[p] as string) : JSON.stringify(out[p]), `tobiko.gateways.${g}.${p}`);
        }
      }
      gateways[g] = out as (typeof t.gateways)[string];
    }
    // The default gateway is the first one unless named: the model says which, so a read-back that
    // lists gateways in another order means the same.
    return { ...t, gateways, defaultGateway: t.defaultGateway ?? Object.keys(gateways)[0] };
  });

export type TobikoOptions = z.output<typeof tobikoSchema>;
export type Gateway = TobikoOptions['gateways'][string];

/** Checks that depend on the runtime (strategy defaults, required params): called from the top-level schema. */
export function checkTobikoForRuntime(t: TobikoOptions, runtime: string, ctx: z.RefinementCtx, base: (string | number)[]): void {
  const strategy = effectiveStrategy(t, runtime);
  const k8s = runtime === 'kubernetes';
  if (k8s && strategy === 'envFile') {
    ctx.addIssue({ code: 'custom', path: [...base, 'secrets', 'strategy'], message: 'envFile is for docker/podman; on Kubernetes use existingSecret, externalSecrets or inline' });
  }
  if (!k8s && strategy !== 'envFile') {
    ctx.addIssue({ code: 'custom', path: [...base, 'secrets', 'strategy'], message: `${strategy} is for Kubernetes; on ${runtime} secrets go to a 0600 env-file (strategy: envFile)` });
  }
  if (strategy === 'externalSecrets' && !t.secrets.store) {
    ctx.addIssue({ code: 'custom', path: [...base, 'secrets', 'store'], message: 'externalSecrets needs the store: {kind: ClusterSecretStore|SecretStore, name: ...}' });
  }
  const secretsInPreset = secretValuesExpected(t, runtime);
  if (!secretsInPreset && t.clientSecret !== undefined && !isStored(t.clientSecret)) {
    ctx.addIssue({ code: 'custom', path: [...base, 'clientSecret'], message: `is not used with secrets.strategy ${strategy}${strategy === 'existingSecret' ? ' and create: false (the Secret holds it)' : ' (the store holds it)'}; remove it` });
  }
  if (secretsInPreset && t.clientSecret === undefined) {
    ctx.addIssue({ code: 'custom', path: [...base, 'clientSecret'], message: 'is required; pass --set tobiko.clientSecret=env:TCLOUD_CLIENT_SECRET' });
  }
  // A secret the install keeps in its Secret (stored:) stays where it is: a run that puts the secrets elsewhere
  // (inline in the values, or in a Secret of another name) needs it given again, or the executors lose it.
  if (secretsInPreset && k8s) {
    const target = tobikoSecretName(t);
    const moved = (v: unknown, path: (string | number)[], env: string) => {
      const from = storedSecretName(v);
      if (from === undefined || (strategy !== 'inline' && from === target)) return;
      const where = strategy === 'inline' ? 'cannot be moved inline' : `is not in Secret ${target} (tobiko.secrets.name)`;
      const again = `give it again (export ${env}, read by --set ${path.join('.')}=env:${env})`;
      ctx.addIssue({ code: 'custom', path, message: `is kept in Secret ${from} and ${where}; ${again}${strategy === 'inline' ? '' : `, or keep --set tobiko.secrets.name=${from}`}` });
    };
    moved(t.clientSecret, [...base, 'clientSecret'], 'TCLOUD_CLIENT_SECRET');
    for (const [g, params] of Object.entries(t.gateways)) for (const [p, v] of Object.entries(params)) moved(v, [...base, 'gateways', g, p], `${g.toUpperCase()}_${p.toUpperCase()}`);
  }
  // A value that holds a secret under a param the chart does not treat as one (sslrootcert: a URL with a
  // password): the chart would put it in the executors' Deployment in clear, and hd-setup in the 0644 values.
  // Marked in secretParams, it goes to the Secret (or the store) and the chart wires it from there; every
  // such param at once, so that one --set of each list mends them all.
  if (k8s) {
    const unmarked = [...new Set(Object.values(t.gateways).flatMap((params) => Object.entries(params).filter(([p, v]) => paramHoldsSecret(p, v) && !isSecretParam(p, t.secretParams, t.nonSecretParams)).map(([p]) => p)))];
    if (unmarked.length) {
      const undo = unmarked.some((p) => t.nonSecretParams.includes(p));
      const mend: Mend = [
        { path: 'tobiko.secretParams', value: `[${[...new Set([...t.secretParams, ...unmarked])].join(',')}]` },
        ...(undo ? [{ path: 'tobiko.nonSecretParams', value: `[${t.nonSecretParams.filter((p) => !unmarked.includes(p)).join(',')}]` }] : []),
      ];
      for (const [g, params] of Object.entries(t.gateways)) {
        for (const p of Object.keys(params)) {
          if (!unmarked.includes(p) || !paramHoldsSecret(p, params[p])) continue;
          ctx.addIssue({
            code: 'custom',
            path: [...base, 'gateways', g, p],
            params: { mend },
            message: `holds a secret (a URL with a password in it), which the chart would pass to the executors in clear: it takes from its Secret only params named with "password", "secret" or "token" or listed in tobiko.secretParams; mark it secret with ${setFlags(mend)}`,
          });
        }
      }
    }
  }
  for (const [g, params] of Object.entries(t.gateways)) {
    const spec = ENGINES[params.type];
    for (const req of spec.required) {
      if (params[req] !== undefined) continue;
      if (!secretsInPreset && isSecretParam(req, t.secretParams, t.nonSecretParams)) continue;
      ctx.addIssue({ code: 'custom', path: [...base, 'gateways', g, req], message: `${params.type} needs "${req}" (required: ${spec.required.join(', ')})` });
    }
    for (const alts of 'oneOf' in spec ? spec.oneOf : []) {
      const has = alts.some((a) => params[a] !== undefined);
      // Where the secrets live outside the preset (a Secret someone made, the store), a secret alternative may be there.
      const secretAlt = alts.some((a) => isSecretParam(a, t.secretParams, t.nonSecretParams));
      if (!has && !(secretAlt && !secretsInPreset)) {
        ctx.addIssue({ code: 'custom', path: [...base, 'gateways', g], message: `${params.type} needs one of ${alts.map((a) => `"${a}"`).join(', ')}` });
      }
    }
    if (strategy === 'existingSecret' && !t.secrets.create) {
      for (const [p, v] of Object.entries(params)) {
        if (isSecretParam(p, t.secretParams, t.nonSecretParams) && !isStored(v)) {
          ctx.addIssue({ code: 'custom', path: [...base, 'gateways', g, p], message: 'with secrets.create: false the Secret exists already and holds it; remove it here, or set tobiko.secrets.create: true to write it' });
        }
      }
    }
    if (strategy === 'externalSecrets') {
      for (const [p, v] of Object.entries(params)) {
        if (isSecretParam(p, t.secretParams, t.nonSecretParams) && !(typeof v === 'string' && (v.startsWith('remote:') || isStored(v)))) {
          ctx.addIssue({
            code: 'custom',
            path: [...base, 'gateways', g, p],
            message: 'with externalSecrets, secret params come from the store; remove it, or write remote:<key> to name its remote key',
          });
        }
      }
    }
  }
}

/** The Secret the executors read their secrets from on Kubernetes (unless inline). */
export function tobikoSecretName(t: TobikoOptions): string {
  return t.secrets.name ?? `${t.kubernetes.release}-secrets`;
}

export function effectiveStrategy(t: TobikoOptions, runtime: string): SecretStrategy {
  return t.secrets.strategy ?? (runtime === 'kubernetes' ? 'existingSecret' : 'envFile');
}

/** Whether the preset itself must carry the secret values (vs. a store or a pre-existing Secret). */
export function secretValuesExpected(t: TobikoOptions, runtime: string): boolean {
  const s = effectiveStrategy(t, runtime);
  if (s === 'externalSecrets') return false;
  if (s === 'existingSecret' && !t.secrets.create) return false;
  return true;
}
