// The Fivetran Hybrid Deployment Agent, as a product module: everything hd-setup knows about it.
import { posix } from 'node:path';
import type * as z from 'zod';
import type { BaseModel, Location, Runtime } from '../../model/base.js';
import { isNotGiven, isStored } from '../../model/stored.js';
import { settingHoldsSecret } from '../../model/secret-names.js';
import { expandTilde } from '../../util/paths.js';
import { obj, str, type KubeSpec, type ProductModule } from '../types.js';
import { decodeFivetran } from './decode.js';
import { affinityChangeText } from './changes.js';
import { fivetranContainerSpec, fivetranDeployments, fivetranSelector, planFivetranContainers, planFivetranKubernetes } from './plan.js';
import { FIVETRAN_CONTAINER, FIVETRAN_NETWORK, FIVETRAN_UNIT, fivetranOf, fivetranTokenSecretName, renderFivetran } from './render.js';
import { FIVETRAN_CHART, fivetranSchema, type FivetranKubernetes } from './schema.js';
import { CHART_DEFAULT_RESOURCES } from './constants.js';
import { fivetranWizard } from './questions.js';

const DEFAULT_DIR = '~/fivetran';

/** A --set path to a key of a map: dotted when the key is a plain word, else bracketed. */
const keyPath = (base: string, key: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`);

/** Where the agent and its jobs must run: the agent's node selector, and each required affinity rule. */
function fivetranPlacement(k: FivetranKubernetes): KubeSpec['placement'] {
  const out: NonNullable<KubeSpec['placement']> = [];
  const sel = k.nodeSelector ?? {};
  if (Object.keys(sel).length > 0) {
    const labels = Object.entries(sel).map(([key, v]) => `${key}=${v}`).join(',');
    out.push({
      what: `the agent's node selector ${labels}`,
      selector: sel,
      fix: `label a node (kubectl label node <node> ${Object.entries(sel).map(([key, v]) => `${key}=${v}`).join(' ')}), or change it: ${Object.keys(sel).map((key) => `--set ${keyPath('fivetran.kubernetes.nodeSelector', key)}=<value>`).join(' ')}`,
    });
  }
  for (const [name, r] of Object.entries(k.affinityRules)) {
    if (r.mode !== 'required') continue;
    const base = keyPath('fivetran.kubernetes.affinityRules', name);
    out.push({
      what: `required affinity rule ${name} (${r.match.map((m) => `${m.key} ${m.operator}${m.values.length ? ` ${m.values.join(',')}` : ''}`).join(' and ')}), needed by the jobs of its connections,`,
      expressions: r.match.map((m) => ({ key: m.key, operator: m.operator, values: m.values })),
      fix: `label a node to match it, change its match (--set ${base}.match=...), or make it a preference: --set ${base}.mode=preferred`,
    });
  }
  return out;
}

export const fivetran: ProductModule = {
  id: 'fivetran',
  title: 'Fivetran Hybrid Deployment Agent',
  noun: 'the agent',
  short: 'Fivetran agent',
  schema: fivetranSchema,
  runtimes: ['docker', 'podman', 'kubernetes'],
  requiredHint: '--set fivetran.token=env:FIVETRAN_TOKEN',

  // The chart's resources block is all or nothing: with any field given, its defaults (2 CPU / 2Gi each)
  // apply to none of the others. A field left unset means that default, so it is filled in here, once,
  // for every surface (render, diff, read-back, which then drops them again as the model's own values).
  normalize(model: BaseModel) {
    const r = model.runtime === 'kubernetes' ? fivetranOf(model).kubernetes.resources : undefined;
    if (!r || (!r.requests && !r.limits)) return;
    for (const kind of ['requests', 'limits'] as const) r[kind] = { cpu: CHART_DEFAULT_RESOURCES.cpu, memory: CHART_DEFAULT_RESOURCES.memory, ...r[kind] };
  },

  refine(model: BaseModel, ctx: z.RefinementCtx) {
    const f = fivetranOf(model);
    const k = f.kubernetes;
    const hasToken = f.token !== undefined;
    if (model.runtime === 'kubernetes') {
      if (hasToken && k.tokenSecret) {
        ctx.addIssue({ code: 'custom', path: ['fivetran', 'kubernetes', 'tokenSecret'], message: 'give either fivetran.token or fivetran.kubernetes.tokenSecret, not both' });
      } else if (!hasToken && !k.tokenSecret) {
        ctx.addIssue({ code: 'custom', path: ['fivetran', 'token'], message: 'is required (or fivetran.kubernetes.tokenSecret); pass --set fivetran.token=env:FIVETRAN_TOKEN' });
      }
      if (isStored(f.token) && k.tokenDelivery === 'inline') {
        ctx.addIssue({ code: 'custom', path: ['fivetran', 'token'], message: 'the installed token is kept in its Secret and cannot be moved inline; give the token again (--set fivetran.token=env:FIVETRAN_TOKEN)' });
      }
      if (!k.dataVolumePvc) {
        ctx.addIssue({ code: 'custom', path: ['fivetran', 'kubernetes', 'dataVolumePvc'], message: 'is required on Kubernetes; pass --set fivetran.kubernetes.dataVolumePvc=<pvc name>' });
      }
    } else {
      if (!hasToken) ctx.addIssue({ code: 'custom', path: ['fivetran', 'token'], message: 'is required; pass --set fivetran.token=env:FIVETRAN_TOKEN' });
      else if (isStored(f.token) && !isNotGiven(f.token)) ctx.addIssue({ code: 'custom', path: ['fivetran', 'token'], message: `a token kept in a Kubernetes Secret cannot be used on ${model.runtime}; pass --set fivetran.token=env:FIVETRAN_TOKEN` });
      if (k.tokenSecret) ctx.addIssue({ code: 'custom', path: ['fivetran', 'kubernetes', 'tokenSecret'], message: `is for Kubernetes; on ${model.runtime} give fivetran.token` });
    }
  },

  location(model, home): Location {
    const f = fivetranOf(model);
    if (model.runtime === 'kubernetes') {
      const k = f.kubernetes;
      return { product: 'fivetran', runtime: 'kubernetes', namespace: k.namespace, release: k.release, ...(k.context ? { context: k.context } : {}) };
    }
    return { product: 'fivetran', runtime: model.runtime, installDir: posix.resolve(expandTilde(f.installDir, home)) };
  },
  locate(raw, runtime: Runtime, home): Location {
    const f = obj(raw.fivetran);
    if (runtime === 'kubernetes') {
      const k = obj(f.kubernetes);
      return { product: 'fivetran', runtime, namespace: str(k.namespace, 'fivetran'), release: str(k.release, 'hd-agent'), ...(typeof k.context === 'string' ? { context: k.context } : {}) };
    }
    return { product: 'fivetran', runtime, installDir: posix.resolve(expandTilde(str(f.installDir, DEFAULT_DIR), home)) };
  },
  settingPath(setting, runtime) {
    if (setting === 'pullPolicy') return runtime === 'kubernetes' ? 'fivetran.kubernetes.imagePullPolicy' : 'fivetran.pullPolicy';
    return setting === 'installDir' || setting === 'image' ? `fivetran.${setting}` : `fivetran.kubernetes.${setting}`;
  },

  render: renderFivetran,
  containers(model, host, installDir, files) {
    const config = files.find((x) => x.rel === 'conf/config.json');
    return [fivetranContainerSpec(model, host, installDir, config?.content ?? '')];
  },
  containerNames: [FIVETRAN_CONTAINER],
  network: FIVETRAN_NETWORK,
  unitName: FIVETRAN_UNIT,
  image: (model) => fivetranOf(model).image,
  configFiles: (runtime) => (runtime === 'kubernetes' ? [{ base: 'state', rel: 'values.yaml' }] : [{ base: 'install', rel: 'conf/config.json' }]),

  decode: decodeFivetran,
  reads: (runtime) => (runtime === 'kubernetes' ? { files: [], containers: [] } : { files: [{ base: 'install', rel: 'conf/config.json' }], containers: [FIVETRAN_CONTAINER] }),

  plan(model, host, state, files, installDir, containers) {
    return model.runtime === 'kubernetes' ? planFivetranKubernetes(model, state, files) : planFivetranContainers(model, host, state, files, installDir, containers);
  },
  kube(model) {
    const k = fivetranOf(model).kubernetes;
    return {
      namespace: k.namespace,
      release: k.release,
      secretManifests: ['token-secret.yaml'],
      ...(k.context ? { context: k.context } : {}),
      chart: k.chart,
      chartVersion: k.chartVersion,
      timeout: k.timeout,
      selector: fivetranSelector(k.release),
      logs: `deploy/${k.release}`,
      deployments: fivetranDeployments(k.release),
      managedKinds: [],
      // chart 0.24.0's PodDisruptionBudgets are hd-agent-pdb and hd-job-pdb, whatever the release
      onePerNamespace: 'hybrid-deployment-agent',
      ...(k.dataVolumePvc ? { pvc: { name: k.dataVolumePvc, setting: 'fivetran.kubernetes.dataVolumePvc' } } : {}),
      placement: fivetranPlacement(k),
      ...(k.egressCheck ? { egressCheck: { ...k.egressCheck, setting: 'fivetran.kubernetes.egressCheck' } } : {}),
      ...(k.resources ? { resources: [{ what: 'the agent', setting: 'fivetran.kubernetes.resources', ...k.resources }] } : {}),
      ...(k.tokenSecret
        ? { requiredSecret: { name: k.tokenSecret.name, keys: [k.tokenSecret.key], keySetting: 'fivetran.kubernetes.tokenSecret.key', fix: `kubectl create secret generic ${k.tokenSecret.name} -n ${k.namespace} --from-file=${k.tokenSecret.key}=./token.txt` } }
        : k.tokenDelivery === 'secret'
          ? { appliedSecret: { name: fivetranTokenSecretName(model), fix: `use it as it is (--set 'fivetran.kubernetes.tokenSecret={name: ${fivetranTokenSecretName(model)}}'), or delete it first (kubectl delete secret ${fivetranTokenSecretName(model)} -n ${k.namespace})` } }
          : {}),
    };
  },
  host: {
    // MIN_DOCKER_VERSION and MIN_PODMAN_VERSION of the vendor's hdagent.sh.
    runtimeMinimums: { docker: '20.10.17', podman: '4.5.0' },
    sizing: { memoryGb: 32, cpus: 8 },
    // the controller mounts the socket and starts a container per job through it (hdagent.sh)
    socket: { why: 'the agent starts its jobs through it' },
    amd64Only: true,
    kubernetes: {
      minHelm: '3.16.1',
      minServer: '1.29.0',
      // What the chart creates (chart 0.24.0 adds a PodDisruptionBudget; 0.12.0 has none), and the Secrets
      // (helm keeps the release in one; the token's).
      resources: (model) => [
        'deployments.apps',
        'serviceaccounts',
        'roles.rbac.authorization.k8s.io',
        'rolebindings.rbac.authorization.k8s.io',
        'secrets',
        'configmaps',
        ...(fivetranOf(model).kubernetes.chartVersion === '0.12.0' ? [] : ['poddisruptionbudgets.policy']),
      ],
    },
  },

  // Secrets: fivetran.token, marked in the schema (schema.ts); no rules of its own.
  // conf/config.json holds the token under `token`, as install.sh writes it.
  // an agent parameter named like a secret (db_password): a secret, in config.json under its own key
  secretRules: (preset) => Object.entries(obj(obj(preset.fivetran).config)).flatMap(([k, v]) => (settingHoldsSecret(k, v) ? [`fivetran.config.${k}`] : [])),
  secretConfigKey: (path) => (path === 'fivetran.token' ? 'token' : path.startsWith('fivetran.config.') ? path.slice('fivetran.config.'.length) : undefined),
  // the connections per affinity rule: what each rule gains, loses and takes from another, not two lists
  changeText: (path, from, to) => (path === 'fivetran.kubernetes.affinity' ? affinityChangeText(from, to) : undefined),
  endpoints: () => ['https://ldp.orchestrator.fivetran.com', 'https://api.fivetran.com/v1/hybrid-deployment-agents'],
  wizard: fivetranWizard,
};

export { FIVETRAN_CHART };
