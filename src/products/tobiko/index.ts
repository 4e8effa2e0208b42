// Tobiko Cloud hybrid executors, as a product module: everything hd-setup knows about them.
import { isRemote } from './params.js';
import { posix } from 'node:path';
import type * as z from 'zod';
import type { BaseModel, Location, Runtime } from '../../model/base.js';
import { expandTilde } from '../../util/paths.js';
import { obj, str, type ProductModule } from '../types.js';
import { decodeTobiko } from './decode.js';
import { isKeyMaterial, isSecretParam, paramHoldsSecret } from './engines.js';
import { settingHoldsSecret } from '../../model/secret-names.js';
import { planTobikoContainers, planTobikoKubernetes, tobikoContainerSpecs, tobikoDeployments, tobikoLogs, tobikoSelector } from './plan.js';
import { gatewayEnvKey, renderTobiko, TOBIKO_CONTAINERS, TOBIKO_ENV_FILE, TOBIKO_UNIT, tobikoOf, tobikoSecretEntries, tobikoSecretName } from './render.js';
import { checkTobikoForRuntime, effectiveStrategy, tobikoSchema } from './schema.js';
import { tobikoWizard } from './questions.js';

const DEFAULT_DIR = '~/tobiko';

/** The lists of extra env vars (dotted paths): an entry named like a secret (AWS_SECRET_ACCESS_KEY) holds one. */
const EXTRA_ENV_LISTS = ['tobiko.docker.extraEnv', 'tobiko.kubernetes.extraEnv', 'tobiko.kubernetes.apply.extraEnv', 'tobiko.kubernetes.run.extraEnv'];
function extraEnvOf(preset: Record<string, unknown>, at: string): { name: string; value: unknown }[] {
  const list = at.split('.').reduce<unknown>((v, k) => obj(v)[k], preset);
  return Array.isArray(list) ? list.map((e) => ({ name: str(obj(e).name, ''), value: obj(e).value })) : [];
}
/** The variable an extra env entry's value path (`<list>.<i>.value`) is set as: its own name. */
function extraEnvName(preset: Record<string, unknown>, path: string): string | undefined {
  const m = /^(.*)\.(\d+)\.value$/.exec(path);
  if (!m || !EXTRA_ENV_LISTS.includes(m[1]!)) return undefined;
  return extraEnvOf(preset, m[1]!)[Number(m[2])]?.name || undefined;
}

export const tobiko: ProductModule = {
  id: 'tobiko',
  title: 'Tobiko Cloud hybrid executors',
  noun: 'the executors',
  short: 'Tobiko Cloud executors',
  schema: tobikoSchema,
  runtimes: ['docker', 'podman', 'kubernetes'],
  requiredHint: '--preset tobiko-docker (org, project, clientId, clientSecret, gateways)',

  refine(model: BaseModel, ctx: z.RefinementCtx) {
    checkTobikoForRuntime(tobikoOf(model), model.runtime, ctx, ['tobiko']);
  },
  normalize(model) {
    const t = tobikoOf(model);
    t.secrets.strategy = effectiveStrategy(t, model.runtime);
  },

  location(model, home): Location {
    const t = tobikoOf(model);
    if (model.runtime === 'kubernetes') {
      const k = t.kubernetes;
      return { product: 'tobiko', runtime: 'kubernetes', namespace: k.namespace, release: k.release, ...(k.context ? { context: k.context } : {}) };
    }
    return { product: 'tobiko', runtime: model.runtime, installDir: posix.resolve(expandTilde(t.docker.installDir, home)) };
  },
  locate(raw, runtime: Runtime, home): Location {
    const t = obj(raw.tobiko);
    if (runtime === 'kubernetes') {
      const k = obj(t.kubernetes);
      return { product: 'tobiko', runtime, namespace: str(k.namespace, 'tobiko'), release: str(k.release, 'executors'), ...(typeof k.context === 'string' ? { context: k.context } : {}) };
    }
    return { product: 'tobiko', runtime, installDir: posix.resolve(expandTilde(str(obj(t.docker).installDir, DEFAULT_DIR), home)) };
  },
  settingPath(setting, runtime) {
    if (setting === 'installDir' || (runtime !== 'kubernetes' && (setting === 'pullPolicy' || setting === 'image'))) return `tobiko.docker.${setting}`;
    return setting === 'pullPolicy' ? 'tobiko.kubernetes.image' : `tobiko.kubernetes.${setting}`;
  },

  render: renderTobiko,
  containers: (model, _host, installDir, files) => tobikoContainerSpecs(model, installDir, files.find((x) => x.rel === TOBIKO_ENV_FILE)?.content ?? ''),
  containerNames: [TOBIKO_CONTAINERS.apply, TOBIKO_CONTAINERS.run],
  unitName: TOBIKO_UNIT,
  image: (model) => tobikoOf(model).docker.image,
  configFiles: (runtime) => (runtime === 'kubernetes' ? [{ base: 'state', rel: 'values.yaml' }] : [{ base: 'install', rel: TOBIKO_ENV_FILE }]),

  decode: decodeTobiko,
  reads: (runtime) => (runtime === 'kubernetes' ? { files: [], containers: [] } : { files: [{ base: 'install', rel: TOBIKO_ENV_FILE }], containers: [TOBIKO_CONTAINERS.apply] }),

  plan(model, host, state, files, installDir, containers) {
    return model.runtime === 'kubernetes' ? planTobikoKubernetes(model, state, files) : planTobikoContainers(model, host, state, files, installDir, containers);
  },
  kube(model) {
    const t = tobikoOf(model);
    const k = t.kubernetes;
    return {
      namespace: k.namespace,
      release: k.release,
      secretManifests: ['secret.yaml'],
      ...(k.context ? { context: k.context } : {}),
      chart: k.chart,
      ...(k.chartVersion ? { chartVersion: k.chartVersion } : {}),
      timeout: k.timeout,
      selector: tobikoSelector(k.release),
      logs: tobikoLogs(k.release),
      deployments: tobikoDeployments(k),
      ...(k.egressCheck ? { egressCheck: { ...k.egressCheck, setting: 'tobiko.kubernetes.egressCheck' } } : {}),
      resources: (['apply', 'run'] as const).flatMap((role) => (k[role].resources ? [{ what: `the ${role} executor`, setting: `tobiko.kubernetes.${role}.resources`, ...k[role].resources }] : [])),
      // Whatever the strategy now: an earlier install may have used the store.
      managedKinds: ['externalsecret'],
      ...(effectiveStrategy(t, 'kubernetes') === 'existingSecret' && !t.secrets.create
        ? { requiredSecret: { name: tobikoSecretName(t), keys: tobikoSecretEntries(t).map((e) => e.key), fix: `create it with the keys ${tobikoSecretEntries(t).map((e) => e.key).join(', ')}, or set tobiko.secrets.create=true` } }
        : {}),
      ...(effectiveStrategy(t, 'kubernetes') === 'existingSecret' && t.secrets.create
        ? { appliedSecret: { name: tobikoSecretName(t), fix: `use it as it is (--set tobiko.secrets.create=false), name another (--set tobiko.secrets.name=…), or delete it first (kubectl delete secret ${tobikoSecretName(t)} -n ${k.namespace})` } }
        : {}),
    };
  },
  host: {
    // Tobiko states no docker/podman minimum and no host sizing.
    kubernetes: {
      minHelm: '3.8.0',
      // What the chart creates (its two Deployments), the Secrets (helm keeps the release in one; the
      // executors' one), and the ExternalSecret hd-setup applies for that strategy.
      resources: (model) => ['deployments.apps', 'secrets', ...(effectiveStrategy(tobikoOf(model), 'kubernetes') === 'externalSecrets' ? ['externalsecrets.external-secrets.io'] : [])],
    },
  },

  // Secrets: clientSecret is marked in the schema; gateway params by the chart's keyword rule and the overrides,
  // and key material whatever they say (an install made before a name counted as one holds it unmarked: its
  // value is masked and exported as env: all the same, while the model refuses it until it is marked); and,
  // as extra env vars, a param whose value holds one (a URL with a password), whatever its name: on Kubernetes
  // the model refuses it until secretParams marks it (the chart would pass it in clear), on docker/podman the
  // 0600 env-file holds it as it does a password.
  secretRules(preset) {
    const t = obj(preset.tobiko);
    const secretParams = Array.isArray(t.secretParams) ? (t.secretParams as string[]) : [];
    const nonSecretParams = Array.isArray(t.nonSecretParams) ? (t.nonSecretParams as string[]) : [];
    const out: string[] = [];
    for (const [g, params] of Object.entries(obj(t.gateways))) {
      for (const [p, v] of Object.entries(obj(params))) if (isSecretParam(p, secretParams, nonSecretParams) || isKeyMaterial(p) || paramHoldsSecret(p, v)) out.push(`tobiko.gateways.${g}.${p}`);
    }
    for (const at of EXTRA_ENV_LISTS) out.push(...extraEnvOf(preset, at).flatMap((e, i) => (settingHoldsSecret(e.name, e.value) ? [`${at}.${i}.value`] : [])));
    return out;
  },
  refRules(preset) {
    // every setting of a gateway resolves env: and file: (schema.ts), whatever its name
    return Object.entries(obj(obj(preset.tobiko).gateways)).flatMap(([g, params]) => Object.keys(obj(params)).filter((p) => p !== 'type').map((p) => `tobiko.gateways.${g}.${p}`));
  },
  secretConfigKey(path, preset) {
    if (path === 'tobiko.clientSecret') return 'TCLOUD_CLIENT_SECRET';
    const g = /^tobiko\.gateways\.([^.]+)\.(.+)$/.exec(path);
    return g ? gatewayEnvKey(g[1]!, g[2]!) : preset ? extraEnvName(preset, path) : undefined;
  },
  secretPointer: isRemote,
  secretEnvName(path, preset) {
    const g = /^tobiko\.gateways\.([^.]+)\.(.+)$/.exec(path);
    if (g) return `${g[1]!.toUpperCase()}_${g[2]!.toUpperCase()}`;
    const name = preset && extraEnvName(preset, path);
    // Never the variable of the setting's own name: a developer's shell often has one (AWS_SECRET_ACCESS_KEY,
    // DATABASE_URL) for something else, and a re-run would take it in the stored secret's place unseen.
    return name ? `TOBIKO_${name}` : path.replace(/\W+/g, '_').toUpperCase();
  },
  endpoints: (model) => [tobikoOf(model).url ?? 'https://cloud.tobikodata.com'],
  wizard: tobikoWizard,
};

export { TOBIKO_CONTAINERS };
