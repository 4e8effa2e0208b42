// Preflight checks for Kubernetes installs (helm + kubectl). Read-only commands with short timeouts.
import type { KubernetesCheckId } from './check-ids.js';
import type { BaseModel as Model } from '../model/base.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homeOf } from '../model/home.js';
import { join } from 'node:path';
import { productOf } from '../products/index.js';
import { nodeMatches } from './node-match.js';
import { which } from '../util/which.js';
import type { Check, CheckContext } from './preflight.js';
import { compareVersions } from './preflight.js';
import { run } from './run.js';
import { KUBE_PROCESS_TIMEOUT_MS, REQUEST_TIMEOUT, kubectlArgv, reachCluster, toolStderr } from './kube-reach.js';
import type { CheckResult } from './events.js';
import { durationMs } from '../plan/kubernetes.js';
import { maskUrlCredentials } from '../util/redact.js';
import { onExitCleanup } from '../util/interrupt.js';
import { chartYamlVersion, isLocalChart } from '../util/local-chart.js';
import { quantity } from '../model/patterns.js';

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


async function kubectl(ctx: CheckContext, ...args: string[]) {
  return run(kubectlArgv(k8sTarget(ctx.model), `--request-timeout=${REQUEST_TIMEOUT}`, ...args), { timeoutMs: KUBE_PROCESS_TIMEOUT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
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

/**
 * One probe of the API server per context and process (exec/kube-reach.ts), shared with detection: a closed
 * port or a hung server costs one request timeout, and every check that needs the server is skipped.
 */
export function probeServer(ctx: CheckContext): Promise<ServerProbe> {
  return reachCluster(k8sTarget(ctx.model).context);
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

export const kubernetesChecks: Record<KubernetesCheckId, Check> = {
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
    let modes: string[] = [];
    try {
      const o = JSON.parse(r.stdout) as { spec?: { accessModes?: string[] }; status?: { phase?: string; accessModes?: string[] } };
      phase = o.status?.phase ?? 'Unknown';
      modes = o.status?.accessModes ?? o.spec?.accessModes ?? [];
    } catch {
      /* keep Unknown */
    }
    // The agent and the job pods it starts mount the claim at once, from any node: it must be ReadWriteMany.
    if (!modes.includes('ReadWriteMany')) {
      return {
        status: 'fail',
        message: `PVC ${pvc} is ${modes.join(', ') || 'of no access mode'}, not ReadWriteMany; the agent and its job pods mount it at the same time from different nodes`,
        fix: `create a ReadWriteMany PVC (a StorageClass that supports it: NFS, EFS, Filestore, Azure Files, CephFS) and point --set ${claim.setting}=<name> at it`,
      };
    }
    if (phase === 'Bound') return { status: 'ok', message: `PVC ${pvc} is Bound (ReadWriteMany)` };
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
    if (r.exitCode !== 0) return { status: 'warn', message: `cannot list nodes (${firstLine(r.stderr)})`, fix: 'the agent image is amd64 only: ask for the right to list nodes, or check by hand that amd64 nodes exist (kubectl get nodes -L kubernetes.io/arch)' };
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
  // Each node selector and required affinity rule of the install matches at least one node, else its pods stay Pending.
  placement: needsServer(async (ctx) => {
    const wanted = productOf(ctx.model).kube(ctx.model).placement ?? [];
    if (wanted.length === 0) return { status: 'ok', message: 'no node selector or required affinity rule' };
    const r = await kubectl(ctx, 'get', 'nodes', '-o', 'json');
    if (r.exitCode !== 0) return { status: 'warn', message: `cannot list nodes to check the placement (${firstLine(r.stderr)})`, fix: 'ask for the right to list nodes, or check by hand: kubectl get nodes --show-labels' };
    let nodes: { name: string; labels: Record<string, string> }[] = [];
    try {
      nodes = ((JSON.parse(r.stdout) as { items?: { metadata?: { name?: string; labels?: Record<string, string> } }[] }).items ?? []).map((n) => ({ name: n.metadata?.name ?? '?', labels: n.metadata?.labels ?? {} }));
    } catch {
      return { status: 'warn', message: 'cannot read the node list to check the placement', fix: 'check by hand: kubectl get nodes --show-labels' };
    }
    const none = wanted.filter((w) => !nodes.some((n) => nodeMatches(n.labels, w.selector, w.expressions)));
    if (none.length === 0) return { status: 'ok', message: `each node selector and required affinity rule (${wanted.length}) matches at least one of ${nodes.length} node(s)` };
    return {
      status: 'fail',
      message: none.map((w) => `${w.what} matches none of the ${nodes.length} node(s)`).join('; '),
      fix: none.map((w) => w.fix).join('; '),
    };
  }),
  // Limits below requests: the API server rejects the pod template, after the namespace and Secrets exist.
  resources: (ctx) => {
    const sets = productOf(ctx.model).kube(ctx.model).resources ?? [];
    const bad: { what: string; setting: string; res: string; request: string; limit: string }[] = [];
    for (const s of sets) {
      for (const [res, limit] of Object.entries(s.limits ?? {})) {
        const request = s.requests?.[res];
        if (request === undefined) continue;
        const l = quantity(limit);
        const q = quantity(request);
        if (l !== undefined && q !== undefined && l < q) bad.push({ what: s.what, setting: s.setting, res, request, limit });
      }
    }
    if (bad.length === 0) return { status: 'ok', message: sets.length ? 'resource limits are not below the requests' : 'no resources set' };
    return {
      status: 'fail',
      message: bad.map((b) => `${b.what}: the ${b.res} limit ${b.limit} is below its request ${b.request} (Kubernetes rejects such a pod)`).join('; '),
      fix: bad.map((b) => `--set ${b.setting}.limits.${b.res}=${b.request} (or more), or lower --set ${b.setting}.requests.${b.res}`).join('; '),
    };
  },
  // The chart can be fetched (from the registry, a mirror, or the local directory given), before anything is created.
  // Not tried when the cluster cannot be reached: nothing would be installed, and a registry that hangs too
  // would keep the user waiting for the one error that matters.
  chart: needsServer(async (ctx) => {
    const product = productOf(ctx.model);
    const k = product.kube(ctx.model);
    const ref = `${k.chart}${k.chartVersion ? ` ${k.chartVersion}` : ''}`;
    const setting = product.settingPath('chart', 'kubernetes');
    if (!which('helm', ctx.env.PATH)) return { status: 'skipped', message: 'not checked: helm is missing (see helm)' };
    const version = k.chartVersion ? ['--version', k.chartVersion] : [];
    const local = isLocalChart(k.chart);
    let r;
    if (local) r = await run(['helm', 'show', 'chart', k.chart], { timeoutMs: CHART_TIMEOUT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    else {
      const dir = chartCacheDir(ctx.env);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      r = await run(['helm', 'pull', k.chart, ...version, '--destination', dir], { timeoutMs: CHART_TIMEOUT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    }
    if (r.exitCode === 0) {
      const got = local ? chartYamlVersion(r.stdout) : undefined;
      if (local && k.chartVersion && got && got !== k.chartVersion) {
        return { status: 'fail', message: `the chart in ${k.chart} is version ${got}, not ${k.chartVersion}`, fix: `point --set ${setting}=<dir> at chart ${k.chartVersion}, or --set ${product.settingPath('chartVersion', 'kubernetes')}=${got}` };
      }
      return { status: 'ok', message: local ? `chart ${k.chart} (version ${got ?? '?'}) is readable` : `chart ${ref} fetched into ${chartCacheDir(ctx.env)}` };
    }
    const why = r.failure === 'timeout' ? `no answer within ${CHART_TIMEOUT_MS / 1000}s` : firstLine(r.stderr) || 'helm gave no reason';
    return {
      status: 'fail',
      message: `cannot fetch the chart ${ref}: ${why}`,
      fix: `check that this host reaches the chart's registry (firewall; a proxy through HTTPS_PROXY; helm registry login for a private one), or point at a mirror or a local copy: --set ${setting}=<oci://mirror/... or a directory>`,
    };
  }),
  // Optional (the install turns it on): from inside the cluster, through the configured proxy, like the vendor's precheck.
  egress: needsServer(egressCheck),
  // A Secret the user made that the install needs (the token's, or the executors'): ids as products name them.
  'token-secret': needsServer(requiredSecret),
  'existing-secret': needsServer(requiredSecret),
  'secret-owner': needsServer(appliedSecretOwner),
};

const CHART_TIMEOUT_MS = 60_000;

/** Where preflight pulls charts to: the user's cache (XDG_CACHE_HOME), not helm's. */
export function chartCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homeOf(env), '.cache'), 'hd-setup', 'charts');
}

async function requiredSecret(ctx: CheckContext) {
  const t = k8sTarget(ctx.model);
  const s = productOf(ctx.model).kube(ctx.model).requiredSecret;
  if (!s) return { status: 'ok' as const, message: 'no Secret to check' };
  return secretHasKeys(ctx, s.name, t.namespace, s.fix, s.keys ?? [], s.keySetting);
}

/** An object's hd-setup labels and its owners: `<managed-by>|<instance>;<Kind>/<name> …` (never its data). */
const LABELS_AND_OWNERS = 'go-template={{with .metadata.labels}}{{index . "app.kubernetes.io/managed-by"}}|{{index . "app.kubernetes.io/instance"}}{{end}};{{range .metadata.ownerReferences}}{{.kind}}/{{.name}} {{end}}';

/**
 * The Secret the install applies is not there, or is hd-setup's for this release (its labels, or filled by
 * the ExternalSecret hd-setup applied, which this install replaces): one the user made, or that hd-setup
 * handed over (create: false, tokenSecret), would have what it holds replaced. Its labels and owners are
 * read, never its data.
 */
async function appliedSecretOwner(ctx: CheckContext) {
  const t = k8sTarget(ctx.model);
  const s = productOf(ctx.model).kube(ctx.model).appliedSecret;
  if (!s) return { status: 'ok' as const, message: 'no Secret to apply' };
  const r = await kubectl(ctx, 'get', 'secret', s.name, '-n', t.namespace, '-o', LABELS_AND_OWNERS);
  if (r.exitCode !== 0) {
    if (notFound(r.stderr)) return { status: 'ok' as const, message: `Secret ${s.name} is made in namespace ${t.namespace}` };
    return { status: 'fail' as const, message: `cannot read Secret ${s.name}: ${firstLine(r.stderr)}`, fix: clusterFix(r.stderr) };
  }
  const ours = (out: string) => out.trim().split(';')[0] === `hd-setup|${t.release}`;
  if (ours(r.stdout)) return { status: 'ok' as const, message: `Secret ${s.name} is hd-setup's (release ${t.release})` };
  if ((r.stdout.trim().split(';')[1] ?? '').split(' ').includes(`ExternalSecret/${s.name}`)) {
    const es = await kubectl(ctx, 'get', 'externalsecret', s.name, '-n', t.namespace, '-o', LABELS_AND_OWNERS);
    if (es.exitCode === 0 && ours(es.stdout)) return { status: 'ok' as const, message: `Secret ${s.name} is filled by hd-setup's ExternalSecret, which this install replaces` };
  }
  return { status: 'fail' as const, message: `Secret ${s.name} is in namespace ${t.namespace}, and hd-setup did not make it for release ${t.release} (or handed it over to you): the install would replace what it holds`, fix: s.fix };
}

/**
 * A Secret's key names, one a line: kubectl renders the template, so only the names of `.data` reach
 * hd-setup, never a value (nor the annotations: kubectl apply's last-applied one holds the object it was
 * given, values included). A Secret without data (none, or an empty map) renders nothing; `stringData` is
 * write-only: the API server moves it into `.data`.
 */
const KEY_NAMES = 'go-template={{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}';

const keyList = (keys: string[]) => `${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}`;

/**
 * The Secret exists and holds every key in `wanted` (each read by the chart through a secretKeyRef that is not
 * optional: one missing leaves the pods in CreateContainerConfigError, seen only at the end of helm's wait).
 * Only its key names are read, never its values; a fix never puts a value on the command line.
 */
async function secretHasKeys(ctx: CheckContext, name: string, namespace: string, fix: string, wanted: string[], keySetting?: string): Promise<CheckResult> {
  const r = await kubectl(ctx, 'get', 'secret', name, '-n', namespace, '-o', KEY_NAMES);
  if (r.exitCode !== 0) {
    if (/forbidden/i.test(r.stderr)) {
      return {
        status: 'warn',
        message: `cannot read Secret ${name} in namespace ${namespace} (forbidden): not checked that it exists${wanted.length ? ` and holds the ${keyList(wanted)}` : ''}`,
        fix: `check by hand (names and sizes, no values): kubectl describe secret ${name} -n ${namespace}; or ask for the right to get secrets in ${namespace}`,
      };
    }
    if (notFound(r.stderr)) return { status: 'fail', message: `Secret ${name} does not exist in namespace ${namespace}`, fix };
    return { status: 'fail', message: `cannot read Secret ${name}: ${firstLine(r.stderr)}`, fix: clusterFix(r.stderr) };
  }
  if (wanted.length === 0) return { status: 'ok', message: `Secret ${name} exists in ${namespace}` };
  const keys = r.stdout.split('\n').map((k) => k.trim()).filter(Boolean);
  const missing = wanted.filter((k) => !keys.includes(k));
  if (missing.length === 0) return { status: 'ok', message: `Secret ${name} in ${namespace} has the ${keyList(wanted)}` };
  const add = `add the ${keyList(missing)} to Secret ${name}: kubectl edit secret ${name} -n ${namespace} (each under stringData:, the API server encodes it), or recreate it from files (kubectl delete secret ${name} -n ${namespace}, then kubectl create secret generic ${name} -n ${namespace} --from-file=<KEY>=<file> for every key); never a value on the command line (--from-literal)`;
  return {
    status: 'fail',
    message: `Secret ${name} in namespace ${namespace} has no ${keyList(missing)} (${keys.length ? `its keys: ${keys.join(', ')}` : 'it holds no data'})`,
    fix: keySetting && wanted.length === 1 && keys.length ? `name the key that holds it: --set ${keySetting}=<key> (one of ${keys.join(', ')}), or ${add}` : add,
  };
}

/** The egress pod's script: one line per endpoint, `OK <url> <http code>` or `FAIL <url> <curl's error>`. */
const EGRESS_SCRIPT = 'for u in "$@"; do out=$(curl -sS -o /dev/null --max-time 10 -w "%{http_code}" "$u" 2>&1) && echo "OK $u $out" || echo "FAIL $u $(echo "$out" | tail -n 1)"; done';

/**
 * A short-lived pod in the install's namespace that reaches each vendor endpoint with curl, through the proxy
 * the install uses; bounded by the check's timeout (activeDeadlineSeconds, and the wait here), always deleted.
 * The manifest goes on stdin (the proxy URL may hold a password).
 */
async function egressCheck(ctx: CheckContext): Promise<CheckResult> {
  const product = productOf(ctx.model);
  const k = product.kube(ctx.model);
  const e = k.egressCheck;
  if (!e) return { status: 'ok', message: 'not turned on' };
  const t = k8sTarget(ctx.model);
  const ns = await kubectl(ctx, 'get', 'namespace', t.namespace, '-o', 'name');
  if (ns.exitCode !== 0) {
    return notFound(ns.stderr)
      ? { status: 'skipped', message: `namespace ${t.namespace} does not exist yet: run hd-setup doctor after the install to check egress from inside it` }
      : { status: 'fail', message: `cannot check namespace ${t.namespace}: ${firstLine(ns.stderr)}`, fix: clusterFix(ns.stderr) };
  }
  const urls = product.endpoints(ctx.model);
  const p = ctx.model.proxy;
  const env = [
    ...(p?.http ? [{ name: 'HTTP_PROXY', value: p.http }, { name: 'http_proxy', value: p.http }] : []),
    ...(p?.https ? [{ name: 'HTTPS_PROXY', value: p.https }, { name: 'https_proxy', value: p.https }] : []),
    ...(p?.noProxy.length ? [{ name: 'NO_PROXY', value: p.noProxy.join(',') }, { name: 'no_proxy', value: p.noProxy.join(',') }] : []),
  ];
  const seconds = Math.max(5, Math.round(durationMs(e.timeout) / 1000));
  const name = `hd-setup-egress-${Math.random().toString(36).slice(2, 8)}`;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: t.namespace, labels: { 'app.kubernetes.io/managed-by': 'hd-setup', 'app.kubernetes.io/component': 'egress-check' } },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: seconds,
      automountServiceAccountToken: false,
      containers: [{ name: 'egress', image: e.image, command: ['sh', '-c', EGRESS_SCRIPT, 'egress', ...urls], ...(env.length ? { env } : {}) }],
    },
  };
  const via = p?.https || p?.http ? ` through the proxy ${maskUrlCredentials((p.https ?? p.http)!)}` : '';
  // The pod holds the proxy's credentials: removed on every way out. A signal that ends hd-setup at once
  // (a second Ctrl-C, SIGHUP, or one outside a plan: doctor) deletes it on the way out; the finally below
  // deletes it with no signal of its own (a cancelled run's signal would cancel the delete too).
  const deleteArgv = kubectlArgv(t, `--request-timeout=${REQUEST_TIMEOUT}`, 'delete', 'pod', name, '-n', t.namespace, '--ignore-not-found', '--wait=false');
  const dropCleanup = onExitCleanup(() => {
    spawnSync(deleteArgv[0]!, deleteArgv.slice(1), { stdio: 'ignore', timeout: KUBE_PROCESS_TIMEOUT_MS });
  });
  const created = await run(kubectlArgv(t, `--request-timeout=${REQUEST_TIMEOUT}`, 'create', '-n', t.namespace, '-f', '-'), { stdin: JSON.stringify(pod), timeoutMs: KUBE_PROCESS_TIMEOUT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  if (created.exitCode !== 0) {
    dropCleanup();
    return { status: 'fail', message: `cannot start the egress check pod in ${t.namespace}: ${firstLine(created.stderr)}`, fix: `ask for the right to create pods in ${t.namespace}, or --skip-check egress` };
  }
  try {
    const deadline = Date.now() + seconds * 1000 + 5_000;
    let phase = '';
    let waiting = '';
    while (Date.now() < deadline && !ctx.signal?.aborted) {
      const g = await kubectl(ctx, 'get', 'pod', name, '-n', t.namespace, '-o', 'jsonpath={.status.phase}|{.status.containerStatuses[0].state.waiting.reason}');
      [phase = '', waiting = ''] = g.stdout.trim().split('|');
      if (phase === 'Succeeded' || phase === 'Failed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      return {
        status: 'fail',
        message: `the egress check pod did not finish within ${e.timeout} (${waiting || phase || 'not started'}); image ${e.image}`,
        fix: /Image|ErrImage/.test(waiting) ? `the cluster cannot pull ${e.image}: --set ${e.setting}.image=<an image with sh and curl in a registry the nodes reach>, or --skip-check egress` : `raise --set ${e.setting}.timeout=2m, or --skip-check egress`,
      };
    }
    const logs = await kubectl(ctx, 'logs', name, '-n', t.namespace);
    const lines = logs.stdout.split('\n').map((l) => l.trim()).filter((l) => /^(OK|FAIL) /.test(l));
    const failed = urls.filter((u) => !lines.some((l) => l.startsWith(`OK ${u} `)));
    if (failed.length === 0) return { status: 'ok', message: `from a pod in ${t.namespace}${via}, every vendor endpoint answers (${urls.map((u) => new URL(u).host).join(', ')})` };
    const why = failed.map((u) => `${new URL(u).host} (${lines.find((l) => l.startsWith(`FAIL ${u} `))?.slice(`FAIL ${u} `.length) || 'no answer'})`).join(', ');
    return {
      status: 'fail',
      message: `from a pod in namespace ${t.namespace}${via}, not reachable: ${why}`,
      fix: via
        ? `check that the proxy lets the cluster's pods through to them (CONNECT on 443), or change --set proxy.https=...`
        : `allow egress from namespace ${t.namespace} to them (NetworkPolicy, firewall, NAT), or give the cluster a proxy: --set proxy.https=...`,
    };
  } finally {
    await run(deleteArgv, { timeoutMs: KUBE_PROCESS_TIMEOUT_MS });
    dropCleanup();
  }
}
