// What the wizard's runtime step says about this host, when a runtime is chosen (not at the review):
// running as root, a rootless docker whose socket is not DOCKER_HOST, a runtime older than the chosen
// product's own minimum; and every Kubernetes context with its reachability and server version.
import { compareVersions } from '../exec/preflight.js';
import type { HostPolicy } from '../products/types.js';
import type { RuntimeInfo } from '../exec/detect.js';
import { contextNames } from '../exec/kube-contexts.js';
import { UserError } from '../model/errors.js';
export { kubeContexts, listContexts, probeContexts, type KubeContext } from '../exec/kube-contexts.js';

/**
 * The wizard's --context, checked before its first question like every other flag: one the kubeconfig
 * has (the words of install's preflight). Without kubectl there is nothing to check against here.
 */
export async function checkContextFlag(name: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const names = await contextNames(env);
  if (!names || names.includes(name)) return;
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
  throw new UserError([
    { path: '--context', message: `context ${JSON.stringify(name.slice(0, 100))} is not in your kubeconfig (${names.length ? `it has: ${shown}` : 'it has no context'}); list them with: kubectl config get-contexts` },
  ]);
}

export interface HostNotesInput {
  uid: number;
  allowRoot: boolean;
  /** allowRoot because the install here was made with --allow-root (its record), not the flag now. */
  allowRootFrom?: 'flag' | 'install';
  docker?: RuntimeInfo;
  podman?: RuntimeInfo;
  /** Kubernetes: whether kubectl and helm are on PATH, and how many contexts the kubeconfig has. */
  kube?: { kubectl: boolean; helm: boolean; contexts: number };
  env: NodeJS.ProcessEnv;
}

/** Warnings per runtime (docker, podman, kubernetes) whatever the product, each a line with its fix. */
export function runtimeNotes(h: HostNotesInput): Record<string, string[]> {
  const out: Record<string, string[]> = { docker: [], podman: [], kubernetes: [] };
  for (const rt of ['docker', 'podman'] as const) {
    const info = h.docker && rt === 'docker' ? h.docker : rt === 'podman' ? h.podman : undefined;
    const notes = out[rt]!;
    if (h.uid === 0) {
      notes.push(
        h.allowRoot
          ? `running as root (${h.allowRootFrom === 'install' ? 'allowed: the install here was made with --allow-root' : '--allow-root'}): the vendors recommend a regular user with rootless podman or docker`
          : 'running as root: the install will refuse it, as the vendor scripts do; run hd-setup as a regular user (rootless recommended), or start it with --allow-root',
      );
    }
    if (!info?.bin) continue;
    if (rt === 'docker' && info.rootless && !h.env.DOCKER_HOST?.startsWith('unix://')) {
      notes.push(`rootless docker: its socket is ${info.socket}, and DOCKER_HOST is not set; run: export DOCKER_HOST=unix://${info.socket} (then start hd-setup again), so that hd-setup, the boot unit and the containers all use that daemon`);
    } else if (!info.reachable) {
      notes.push(
        rt === 'docker'
          ? `the docker daemon does not answer${info.socket ? ` at ${info.socket}` : ''}: start it (sudo systemctl start docker; rootless: systemctl --user start docker), or set DOCKER_HOST to its socket`
          : 'podman does not answer "podman info": check it; for rootless podman run hd-setup as the user that owns the containers',
      );
    }
  }
  // Kubernetes needs both tools and a context to reach a cluster: said when it is chosen, not at the review.
  const k = h.kube;
  if (k && !k.kubectl) out.kubernetes!.push('kubectl is not on PATH: install kubectl and helm 3, set up a context for your cluster, then start hd-setup again');
  else if (k && k.contexts === 0) out.kubernetes!.push('kubectl has no context: set one up for your cluster (kubectl config set-context, or KUBECONFIG=FILE), then start hd-setup again');
  if (k?.kubectl && !k.helm) out.kubernetes!.push('helm is not on PATH: install helm 3 (the install runs helm upgrade --install), then start hd-setup again');
  return out;
}

/**
 * A product's own notes per runtime: a docker/podman older than the minimum its vendor requires (product
 * module data, `host.runtimeMinimums`); nothing for a product that states none.
 */
export function versionNotes(h: Pick<HostNotesInput, 'docker' | 'podman'>, product: { title: string; host: Pick<HostPolicy, 'runtimeMinimums'> }): Record<string, string[]> {
  const out: Record<string, string[]> = { docker: [], podman: [], kubernetes: [] };
  for (const rt of ['docker', 'podman'] as const) {
    const info = h[rt];
    const min = product.host.runtimeMinimums?.[rt];
    if (info?.bin && info.version && min && compareVersions(info.version, min) < 0) {
      out[rt]!.push(`${rt} ${info.version} is older than ${min}, the minimum the ${product.title} requires: upgrade ${rt} (or the check fails at the review)`);
    }
  }
  return out;
}
