// The Fivetran Hybrid Deployment Agent, as a product module: everything hd-setup knows about it.
import { posix } from 'node:path';
import type * as z from 'zod';
import type { BaseModel, Location, Runtime } from '../../model/base.js';
import { isStored } from '../../model/stored.js';
import { expandTilde } from '../../util/paths.js';
import { obj, str, type ProductModule } from '../types.js';
import { decodeFivetran } from './decode.js';
import { fivetranContainerSpec, fivetranSelector, planFivetranContainers, planFivetranKubernetes } from './plan.js';
import { FIVETRAN_CONTAINER, FIVETRAN_NETWORK, FIVETRAN_UNIT, fivetranOf, renderFivetran } from './render.js';
import { FIVETRAN_CHART, fivetranSchema } from './schema.js';
import { fivetranWizard } from './questions.js';

const DEFAULT_DIR = '~/fivetran';

export const fivetran: ProductModule = {
  id: 'fivetran',
  title: 'Fivetran Hybrid Deployment Agent',
  schema: fivetranSchema,
  runtimes: ['docker', 'podman', 'kubernetes'],
  requiredHint: '--set fivetran.token=env:FIVETRAN_TOKEN',

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
      else if (isStored(f.token)) ctx.addIssue({ code: 'custom', path: ['fivetran', 'token'], message: `a token kept in a Kubernetes Secret cannot be used on ${model.runtime}; pass --set fivetran.token=env:FIVETRAN_TOKEN` });
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

  plan(model, host, state, files, installDir) {
    return model.runtime === 'kubernetes' ? planFivetranKubernetes(model, state, files) : planFivetranContainers(model, host, state, files, installDir);
  },
  kube(model) {
    const k = fivetranOf(model).kubernetes;
    return {
      namespace: k.namespace,
      release: k.release,
      ...(k.context ? { context: k.context } : {}),
      chart: k.chart,
      chartVersion: k.chartVersion,
      timeout: k.timeout,
      selector: fivetranSelector(k.release),
      logs: `deploy/${k.release}`,
      deployments: [{ labels: { 'app.kubernetes.io/name': 'hd-agent' }, name: k.release, replicas: 1 }],
      managedKinds: [],
      ...(k.dataVolumePvc ? { pvc: { name: k.dataVolumePvc, setting: 'fivetran.kubernetes.dataVolumePvc' } } : {}),
      ...(k.tokenSecret
        ? { requiredSecret: { name: k.tokenSecret.name, key: k.tokenSecret.key, fix: `kubectl create secret generic ${k.tokenSecret.name} -n ${k.namespace} --from-file=${k.tokenSecret.key}=./token.txt` } }
        : {}),
    };
  },
  host: {
    runtimeMinimumRequired: true,
    sizing: { memoryGb: 32, cpus: 8 },
    kubernetes: {
      minHelm: '3.16.1',
      minServer: '1.29.0',
      // What the chart creates: chart 0.24.0 adds a PodDisruptionBudget; 0.12.0 has none.
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

  secretPaths: (preset) => (obj(preset.fivetran).token !== undefined ? ['fivetran.token'] : []),
  secretEnvName: (path) => (path === 'fivetran.token' ? 'FIVETRAN_TOKEN' : path.replace(/\W+/g, '_').toUpperCase()),
  endpoints: () => ['https://ldp.orchestrator.fivetran.com', 'https://api.fivetran.com/v1/hybrid-deployment-agents'],
  wizard: fivetranWizard,
};

export { FIVETRAN_CHART };
