// Every context in the kubeconfig, each probed for reachability and its server version: bounded (at most
// MAX_CONTEXTS, PROBE_CONCURRENCY at a time, each cut at PROBE_TIMEOUT_MS), as abctl lists its contexts.
import { posix } from 'node:path';
import { which } from '../util/which.js';
import { homeOf } from '../model/home.js';
import { probe, run } from './run.js';

export const MAX_CONTEXTS = 20;
export const PROBE_CONCURRENCY = 4;
export const PROBE_TIMEOUT_MS = 4000;

export interface KubeContext {
  name: string;
  current: boolean;
  reachable: boolean;
  /** The API server's version (gitVersion), when it answered. */
  version?: string;
  /** Why it is not reachable, in a few words. */
  problem?: string;
}

/** Run `work` over `items`, at most `limit` at a time, results in the items' order. */
export async function bounded<T, R>(items: readonly T[], limit: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** The context names in the kubeconfig (a local read, no cluster asked); undefined when kubectl is missing or fails. */
export async function contextNames(env: NodeJS.ProcessEnv = process.env): Promise<string[] | undefined> {
  const kubectl = which('kubectl', env.PATH);
  if (!kubectl) return undefined;
  const names = await probe([kubectl, 'config', 'get-contexts', '-o', 'name'], 3000, env);
  return names === undefined ? undefined : names.split('\n').map((n) => n.trim()).filter(Boolean);
}

/**
 * The kubeconfig's current context and its cluster's API server (a local read); undefined when kubectl is
 * missing, fails or has none. (Two kubeconfigs often have a context of the same name: "default", "minikube".)
 */
export async function currentContext(env: NodeJS.ProcessEnv = process.env): Promise<{ name: string; server?: string; kubeconfig: string } | undefined> {
  const kubectl = which('kubectl', env.PATH);
  const out = kubectl ? await probe([kubectl, 'config', 'view', '--minify', '-o', 'jsonpath={.current-context}|{.clusters[0].cluster.server}'], 3000, env) : undefined;
  const [name, server] = (out ?? '').split('|');
  // which kubeconfig kubectl read: KUBECONFIG (a list, as given), or its default
  return name ? { name, ...(server ? { server } : {}), kubeconfig: env.KUBECONFIG || posix.join(homeOf(env), '.kube/config') } : undefined;
}

/** The contexts of the kubeconfig and which is current: a local read, no cluster asked (the picker's names, at once). */
export async function listContexts(env: NodeJS.ProcessEnv = process.env): Promise<{ names: string[]; current?: string }> {
  const kubectl = which('kubectl', env.PATH);
  if (!kubectl) return { names: [] };
  const [names, current] = await Promise.all([contextNames(env), probe([kubectl, 'config', 'current-context'], 3000, env)]);
  return { names: (names ?? []).slice(0, MAX_CONTEXTS), ...(current ? { current } : {}) };
}

/** Each listed context asked for its server version: its reachability (bounded: PROBE_CONCURRENCY at once, each cut at PROBE_TIMEOUT_MS). */
export async function probeContexts(listed: { names: string[]; current?: string }, env: NodeJS.ProcessEnv = process.env): Promise<KubeContext[]> {
  const kubectl = which('kubectl', env.PATH);
  if (!kubectl) return [];
  return bounded(listed.names, PROBE_CONCURRENCY, async (name) => {
    const r = await run([kubectl, '--context', name, 'version', '-o', 'json', `--request-timeout=${Math.ceil(PROBE_TIMEOUT_MS / 1000)}s`], { timeoutMs: PROBE_TIMEOUT_MS + 1000, env });
    let version: string | undefined;
    try {
      version = (JSON.parse(r.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
    } catch {
      version = undefined;
    }
    const base = { name, current: name === listed.current };
    if (version) return { ...base, reachable: true, version };
    const why = r.failure === 'timeout' ? 'no answer in time' : ((r.stderr.trim().split('\n').at(-1) ?? '').replace(/^(error|E\d+ [^\]]*\]):?\s*/i, '').replace(/^(.{59}).+$/s, '$1…') || 'not reachable');
    return { ...base, reachable: false, problem: why };
  });
}

export async function kubeContexts(env: NodeJS.ProcessEnv = process.env): Promise<KubeContext[]> {
  return probeContexts(await listContexts(env), env);
}
