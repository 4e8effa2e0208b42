// Can the Kubernetes API server of a context be reached? One bounded probe per context and process
// (`kubectl version` with a request timeout), asked before detection's helm calls, so that a closed port or
// a hung server costs one request timeout instead of a timeout per call, and so that "cluster unreachable"
// (exit 1, with the server, the context, the cause and the fix) is never mistaken for "nothing installed".
import { UserError } from '../model/errors.js';
import { describeLocation, type Location } from '../model/base.js';
import { run } from './run.js';

export function kubectlArgv(t: { context?: string }, ...args: string[]): string[] {
  return t.context ? ['kubectl', '--context', t.context, ...args] : ['kubectl', ...args];
}

/** Every call to the API server is bounded: kubectl gives up on a request after this, and the process a bit later. */
export const REQUEST_TIMEOUT = '5s';

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

export interface Reach {
  ok: boolean;
  version?: string;
  /** When not ok: which server, which context, why. */
  message?: string;
  fix?: string;
}

/** A process around a request that has its own timeout: a bit longer, so that the request's error is what we read. */
export const KUBE_PROCESS_TIMEOUT_MS = 8_000;
/** helm has no request timeout of its own: its read-only calls are bounded by the process. */
export const HELM_READ_TIMEOUT_MS = 10_000;

export function unreachableCause(r: { stderr: string; failure?: string }): string {
  const e = r.stderr;
  if (r.failure === 'timeout' || /context deadline exceeded|Client\.Timeout|i\/o timeout|TLS handshake timeout|timed out/i.test(e)) return `no answer within ${REQUEST_TIMEOUT} (the server accepts connections but does not respond, or a firewall drops them)`;
  if (/connection refused|was refused/i.test(e)) return 'connection refused (nothing listens at that address)';
  if (/no such host|server misbehaving/i.test(e)) return 'the host name does not resolve';
  if (/x509|certificate/i.test(e)) return 'its TLS certificate is not trusted';
  if (/Unauthorized|must be logged in|provide credentials/i.test(e)) return 'it rejects the credentials of this context (expired token?)';
  if (/no route to host|network is unreachable/i.test(e)) return 'no route to it (VPN down?)';
  return toolStderr(e).trim().split('\n')[0] || 'no server version in the answer';
}

const memo = new Map<string, Promise<Reach>>();

/** Probe the API server of a context (the current one when undefined), once per process. */
export function reachCluster(context: string | undefined): Promise<Reach> {
  const key = `${process.env.KUBECONFIG ?? ''}\0${context ?? ''}`; // another kubeconfig is another cluster
  let p = memo.get(key);
  if (!p) {
    p = (async () => {
      const t = context ? { context } : {};
      const r = await run(kubectlArgv(t, `--request-timeout=${REQUEST_TIMEOUT}`, 'version', '-o', 'json'), { timeoutMs: KUBE_PROCESS_TIMEOUT_MS });
      let version: string | undefined;
      try {
        version = (JSON.parse(r.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
      } catch {
        version = undefined;
      }
      if (version && r.exitCode === 0) return { ok: true, version };
      if (r.failure === 'not-found') return { ok: false, message: 'kubectl is not installed or not on PATH', fix: 'install kubectl (kubernetes.io/docs/tasks/tools) and configure access to your cluster' };
      const view = await run(kubectlArgv(t, 'config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}|{.current-context}'), { timeoutMs: KUBE_PROCESS_TIMEOUT_MS });
      const [server, current] = view.exitCode === 0 ? view.stdout.trim().split('|') : [];
      const ctx = context ?? current;
      const where = `${server ? `at ${server}` : ''}${ctx ? ` (context ${ctx})` : ''}`.trim();
      return {
        ok: false,
        message: `cannot reach the Kubernetes API server${where ? ` ${where}` : ''}: ${unreachableCause(r)}`,
        fix: `check that the cluster is up and reachable from here (VPN, firewall, proxy): kubectl${context ? ` --context ${context}` : ''} cluster-info; or choose another context with --context`,
      };
    })();
    memo.set(key, p);
  }
  return p;
}

/** The cluster of an install cannot be asked: exit 1 with the cause, never "no install found". */
export function unreachableError(loc: Location, reach: Reach): UserError {
  return new UserError(
    [{ path: '', message: `${reach.message ?? 'cannot reach the Kubernetes API server'}; so ${describeLocation(loc)} cannot be looked at (it is not known whether it is installed); fix: ${reach.fix ?? 'check the cluster'}` }],
    1,
  );
}
