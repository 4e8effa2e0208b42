// Preflight checks for Kubernetes installs (helm + kubectl). Read-only commands with short timeouts.
import type { BaseModel as Model } from '../model/base.js';
import { productOf } from '../products/index.js';
import { which } from '../util/which.js';
import type { Check, CheckContext } from './preflight.js';
import { compareVersions } from './preflight.js';
import { run } from './run.js';

/** The ExternalSecret version hd-setup renders (products/tobiko/render.ts). */
export const ESO_VERSION = 'v1';

export interface K8sTarget {
  namespace: string;
  release: string;
  context?: string;
}

export function k8sTarget(model: Model): K8sTarget {
  const k = productOf(model).kube(model);
  return { namespace: k.namespace, release: k.release, ...(k.context ? { context: k.context } : {}) };
}

export function kubectlArgv(t: { context?: string }, ...args: string[]): string[] {
  return t.context ? ['kubectl', '--context', t.context, ...args] : ['kubectl', ...args];
}

/** Every call to the API server is bounded: kubectl gives up on a request after this, and the process a bit later. */
export const REQUEST_TIMEOUT = '5s';
const PROCESS_TIMEOUT_MS = 8_000;

async function kubectl(ctx: CheckContext, ...args: string[]) {
  return run(kubectlArgv(k8sTarget(ctx.model), `--request-timeout=${REQUEST_TIMEOUT}`, ...args), { timeoutMs: PROCESS_TIMEOUT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
}

/** A klog line (`E1202 07:34:26.001395   30267 memcache.go:265] ...`): client-go's internals, not for the user. */
const KLOG = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]+\] /;

/** kubectl's or helm's stderr without klog lines (kept under HD_SETUP_DEBUG=1). */
export function toolStderr(stderr: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.HD_SETUP_DEBUG === '1') return stderr;
  return stderr
    .split('\n')
    .filter((l) => !KLOG.test(l))
    .join('\n');
}

function firstLine(s: string): string {
  return toolStderr(s).trim().split('\n')[0] ?? '';
}

export interface ServerProbe {
  ok: boolean;
  /** The server's version, when it answered. */
  version?: string;
  /** One line: which server, which context, why it cannot be used. */
  message?: string;
  fix?: string;
}

function probeCause(r: { stderr: string; failure?: string }): string {
  const e = r.stderr;
  if (r.failure === 'timeout' || /context deadline exceeded|Client\.Timeout|i\/o timeout|TLS handshake timeout|timed out/i.test(e)) return `no answer within ${REQUEST_TIMEOUT} (the server accepts connections but does not respond, or a firewall drops them)`;
  if (/connection refused|was refused/i.test(e)) return 'connection refused (nothing listens at that address)';
  if (/no such host|server misbehaving/i.test(e)) return 'the host name does not resolve';
  if (/x509|certificate/i.test(e)) return 'its TLS certificate is not trusted';
  if (/Unauthorized|must be logged in|provide credentials/i.test(e)) return 'it rejects the credentials of this context (expired token?)';
  if (/no route to host|network is unreachable/i.test(e)) return 'no route to it (VPN down?)';
  return firstLine(e) || 'no server version in the answer';
}

const probes = new WeakMap<CheckContext, Promise<ServerProbe>>();

/**
 * One probe of the API server per preflight (memoised on the check context): `kubectl version` with a
 * request timeout. When it fails, the server-version check reports it once (server, context, cause, fix)
 * and the checks that need the server are skipped instead of each failing with a misleading message.
 */
export function probeServer(ctx: CheckContext): Promise<ServerProbe> {
  let p = probes.get(ctx);
  if (!p) {
    p = (async () => {
      const t = k8sTarget(ctx.model);
      const r = await kubectl(ctx, 'version', '-o', 'json');
      let version: string | undefined;
      try {
        version = (JSON.parse(r.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
      } catch {
        version = undefined;
      }
      if (version && r.exitCode === 0) return { ok: true, version };
      const view = await run(kubectlArgv(t, 'config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}|{.current-context}'), { timeoutMs: PROCESS_TIMEOUT_MS });
      const [server, current] = view.exitCode === 0 ? view.stdout.trim().split('|') : [];
      const context = t.context ?? current;
      const where = `${server ? `at ${server}` : ''}${context ? ` (context ${context})` : ''}`.trim();
      return {
        ok: false,
        message: `cannot reach the Kubernetes API server${where ? ` ${where}` : ''}: ${probeCause(r)}`,
        fix: `check that the cluster is up and reachable from here (VPN, firewall, proxy): kubectl${t.context ? ` --context ${t.context}` : ''} cluster-info; or choose another context with --context`,
      };
    })();
    probes.set(ctx, p);
  }
  return p;
}

const UNREACHABLE_SKIP = { status: 'skipped' as const, message: 'not checked: the API server cannot be reached (see server-version)' };

/** A check that needs the API server: skipped when the probe failed. */
function needsServer(check: Check): Check {
  return async (ctx) => ((await probeServer(ctx)).ok ? check(ctx) : UNREACHABLE_SKIP);
}

const notFound = (stderr: string) => /NotFound|not found/i.test(stderr);
const unreachable = (stderr: string) => /Unable to connect|connection refused|no such host|i\/o timeout|couldn't get current server API group list|dial tcp/i.test(stderr);

function clusterFix(stderr: string): string {
  return unreachable(stderr) ? 'check that the cluster is reachable: kubectl cluster-info (VPN, kubeconfig, --context)' : 'see the kubectl error above';
}

/** What the chart creates, and so what the installing user must be allowed to create. */
function requiredRights(model: Model): string[] {
  return productOf(model).host.kubernetes?.resources(model) ?? [];
}

export const kubernetesChecks: Record<string, Check> = {
  kubectl: (ctx) => {
    const p = which('kubectl', ctx.env.PATH);
    return p
      ? { status: 'ok', message: `kubectl found at ${p}` }
      : { status: 'fail', message: 'kubectl is not installed or not on PATH', fix: 'install kubectl (kubernetes.io/docs/tasks/tools) and configure access to your cluster' };
  },
  helm: (ctx) => {
    const p = which('helm', ctx.env.PATH);
    return p ? { status: 'ok', message: `helm found at ${p}` } : { status: 'fail', message: 'helm is not installed or not on PATH', fix: 'install helm 3 (helm.sh/docs/intro/install)' };
  },
  'helm-version': async (ctx) => {
    const min = productOf(ctx.model).host.kubernetes?.minHelm ?? '3.8.0';
    const r = await run(['helm', 'version', '--template', '{{.Version}}'], { timeoutMs: 10_000 });
    const v = /v?(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1];
    if (!v) return { status: 'warn', message: `could not read the helm version (${firstLine(r.stderr) || 'no output'})`, fix: 'check that "helm version" works' };
    if (compareVersions(v, min) < 0) {
      return { status: 'fail', message: `helm ${v} is older than the required ${min}`, fix: `upgrade helm to ${min} or newer (helm.sh/docs/intro/install), or --skip-check helm-version` };
    }
    return { status: 'ok', message: `helm ${v} (>= ${min})` };
  },
  'server-version': async (ctx) => {
    const probe = await probeServer(ctx);
    if (!probe.ok) return { status: 'fail', message: probe.message ?? 'cannot reach the Kubernetes API server', fix: probe.fix ?? clusterFix('') };
    const server = probe.version!;
    const v = /v?(\d+\.\d+\.\d+)/.exec(server)?.[1] ?? '0.0.0';
    const min = productOf(ctx.model).host.kubernetes?.minServer;
    if (min && compareVersions(v, min) < 0) {
      const short = min.replace(/\.0$/, '');
      return { status: 'fail', message: `Kubernetes ${server} is older than the required ${short}`, fix: `upgrade the cluster to ${short} or newer, or install on another cluster with --context` };
    }
    return { status: 'ok', message: `Kubernetes ${server}` };
  },
  context: async (ctx) => {
    const t = k8sTarget(ctx.model);
    if (t.context) {
      const r = await run(['kubectl', 'config', 'get-contexts', t.context, '-o', 'name'], { timeoutMs: 10_000 });
      return r.exitCode === 0
        ? { status: 'ok', message: `context ${t.context} (from --context)` }
        : { status: 'fail', message: `context ${t.context} is not in your kubeconfig`, fix: 'list them with: kubectl config get-contexts' };
    }
    const r = await run(['kubectl', 'config', 'current-context'], { timeoutMs: 10_000 });
    if (r.exitCode !== 0 || !r.stdout.trim()) return { status: 'fail', message: 'no current kubectl context', fix: 'kubectl config use-context <name>, or pass --context <name>' };
    return { status: 'ok', message: `current context: ${r.stdout.trim()} (use --context to pick another)` };
  },
  namespace: needsServer(async (ctx) => {
    const t = k8sTarget(ctx.model);
    const r = await kubectl(ctx, 'get', 'namespace', t.namespace, '-o', 'name');
    if (r.exitCode === 0) return { status: 'ok', message: `namespace ${t.namespace} exists` };
    if (notFound(r.stderr)) return { status: 'ok', message: `namespace ${t.namespace} does not exist: it will be created` };
    if (/forbidden/i.test(r.stderr)) return { status: 'warn', message: `cannot read namespace ${t.namespace} (forbidden)`, fix: `ask an admin to create it, or use a namespace you can see: --set ${ctx.product.settingPath('namespace', 'kubernetes')}=...` };
    return { status: 'fail', message: `cannot check namespace ${t.namespace}: ${firstLine(r.stderr)}`, fix: clusterFix(r.stderr) };
  }),
  pvc: needsServer(async (ctx) => {
    const t = k8sTarget(ctx.model);
    const claim = productOf(ctx.model).kube(ctx.model).pvc;
    if (!claim) return { status: 'ok', message: 'no PVC configured' };
    const pvc = claim.name;
    const r = await kubectl(ctx, 'get', 'pvc', pvc, '-n', t.namespace, '-o', 'json');
    if (r.exitCode !== 0) {
      if (notFound(r.stderr)) {
        return {
          status: 'fail',
          message: `PersistentVolumeClaim ${pvc} does not exist in namespace ${t.namespace}; the agent needs it for pipeline data`,
          fix: `create it first (kubectl apply -n ${t.namespace} -f pvc.yaml, ReadWriteMany, e.g. 50Gi), or point --set ${claim.setting}=<name> at an existing one`,
        };
      }
      return { status: 'fail', message: `cannot read PVC ${pvc}: ${firstLine(r.stderr)}`, fix: clusterFix(r.stderr) };
    }
    let phase = 'Unknown';
    try {
      phase = (JSON.parse(r.stdout) as { status?: { phase?: string } }).status?.phase ?? 'Unknown';
    } catch {
      /* keep Unknown */
    }
    if (phase === 'Bound') return { status: 'ok', message: `PVC ${pvc} is Bound` };
    return {
      status: 'warn',
      message: `PVC ${pvc} is ${phase}, not Bound; pods that mount it will wait`,
      fix: `kubectl describe pvc ${pvc} -n ${t.namespace} (check its StorageClass and provisioner)`,
    };
  }),
  rbac: needsServer(async (ctx) => {
    const t = k8sTarget(ctx.model);
    const denied: string[] = [];
    for (const res of requiredRights(ctx.model)) {
      const r = await kubectl(ctx, 'auth', 'can-i', 'create', res, '-n', t.namespace);
      if (r.stdout.trim() !== 'yes') denied.push(res.split('.')[0]!);
    }
    if (denied.length === 0) return { status: 'ok', message: `you may create what the chart needs in ${t.namespace}` };
    return {
      status: 'fail',
      message: `forbidden: you may not create ${denied.join(', ')} in namespace ${t.namespace}`,
      fix: `ask a cluster admin for a Role with create on ${denied.join(', ')} in ${t.namespace}, or use a context that has it (--context)`,
    };
  }),
  'external-secrets-crd': needsServer(async (ctx) => {
    const r = await kubectl(ctx, 'get', 'crd', 'externalsecrets.external-secrets.io', '-o', 'json');
    if (r.exitCode !== 0) {
      if (!notFound(r.stderr)) return { status: 'fail', message: `cannot read the External Secrets Operator CRD: ${firstLine(r.stderr)}`, fix: clusterFix(r.stderr) };
      return {
        status: 'fail',
        message: 'the External Secrets Operator CRD externalsecrets.external-secrets.io is missing',
        fix: 'install External Secrets Operator (external-secrets.io/latest/introduction/getting-started), or choose --set tobiko.secrets.strategy=existingSecret',
      };
    }
    // hd-setup renders external-secrets.io/v1, which ESO serves from 0.17 on; older ones serve only v1beta1.
    let served: string[] = [];
    try {
      served = ((JSON.parse(r.stdout) as { spec?: { versions?: { name?: string; served?: boolean }[] } }).spec?.versions ?? []).filter((v) => v.served).map((v) => v.name ?? '');
    } catch {
      served = [];
    }
    if (served.includes(ESO_VERSION)) return { status: 'ok', message: `External Secrets Operator serves external-secrets.io/${ESO_VERSION}` };
    return {
      status: 'fail',
      message: `External Secrets Operator serves only ${served.map((v) => `external-secrets.io/${v}`).join(', ') || 'no version'} of ExternalSecret; hd-setup renders external-secrets.io/${ESO_VERSION}`,
      fix: 'upgrade External Secrets Operator to 0.17 or newer, or choose --set tobiko.secrets.strategy=existingSecret',
    };
  }),
  'node-arch': needsServer(async (ctx) => {
    const r = await kubectl(ctx, 'get', 'nodes', '-o', 'json');
    if (r.exitCode !== 0) return { status: 'warn', message: `cannot list nodes (${firstLine(r.stderr)})`, fix: 'the agent image is amd64 only: make sure amd64 nodes exist' };
    let arches: string[] = [];
    try {
      arches = ((JSON.parse(r.stdout) as { items?: { metadata?: { labels?: Record<string, string> } }[] }).items ?? []).map((n) => n.metadata?.labels?.['kubernetes.io/arch'] ?? 'unknown');
    } catch {
      arches = [];
    }
    const amd = arches.filter((a) => a === 'amd64').length;
    if (amd > 0) return { status: 'ok', message: `${amd} of ${arches.length} node(s) are amd64` };
    return { status: 'warn', message: `no amd64 node found (${[...new Set(arches)].join(', ') || 'none'}); the agent image is amd64 only`, fix: 'add amd64 nodes, or pin the agent with a nodeSelector kubernetes.io/arch=amd64' };
  }),
  // A Secret the user made that the install needs (the token's, or the executors'): ids as products name them.
  'token-secret': needsServer(requiredSecret),
  'existing-secret': needsServer(requiredSecret),
};

async function requiredSecret(ctx: CheckContext) {
  const t = k8sTarget(ctx.model);
  const s = productOf(ctx.model).kube(ctx.model).requiredSecret;
  if (!s) return { status: 'ok' as const, message: 'no Secret to check' };
  return secretExists(ctx, s.name, t.namespace, s.fix);
}

async function secretExists(ctx: CheckContext, name: string, namespace: string, fix: string) {
  const r = await kubectl(ctx, 'get', 'secret', name, '-n', namespace, '-o', 'name');
  if (r.exitCode === 0) return { status: 'ok' as const, message: `Secret ${name} exists in ${namespace}` };
  if (notFound(r.stderr)) return { status: 'fail' as const, message: `Secret ${name} does not exist in namespace ${namespace}`, fix };
  return { status: 'fail' as const, message: `cannot read Secret ${name}: ${firstLine(r.stderr)}`, fix: clusterFix(r.stderr) };
}
