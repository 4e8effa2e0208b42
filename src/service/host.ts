// What the wizard's runtime step says about this host, when a runtime is chosen (not at the review):
// running as root, a runtime older than the minimum, a rootless docker whose socket is not DOCKER_HOST;
// and every Kubernetes context with its reachability and server version.
import { MIN_VERSIONS, compareVersions } from '../exec/preflight.js';
import type { RuntimeInfo } from '../exec/detect.js';
export { kubeContexts, type KubeContext } from '../exec/kube-contexts.js';

export interface HostNotesInput {
  uid: number;
  allowRoot: boolean;
  docker?: RuntimeInfo;
  podman?: RuntimeInfo;
  env: NodeJS.ProcessEnv;
}

/** Warnings per runtime (docker, podman, kubernetes), each a line with its fix. */
export function runtimeNotes(h: HostNotesInput): Record<string, string[]> {
  const out: Record<string, string[]> = { docker: [], podman: [], kubernetes: [] };
  for (const rt of ['docker', 'podman'] as const) {
    const info = h.docker && rt === 'docker' ? h.docker : rt === 'podman' ? h.podman : undefined;
    const notes = out[rt]!;
    if (h.uid === 0) {
      notes.push(
        h.allowRoot
          ? 'running as root (--allow-root): the vendors recommend a regular user with rootless podman or docker'
          : 'running as root: the install will refuse it, as the vendor scripts do; run hd-setup as a regular user (rootless recommended), or start it with --allow-root',
      );
    }
    if (!info?.bin) continue;
    const min = MIN_VERSIONS[rt];
    if (info.version && compareVersions(info.version, min) < 0) notes.push(`${rt} ${info.version} is older than ${min}, the minimum the agent scripts require: upgrade ${rt} (or the check fails at the review)`);
    if (rt === 'docker' && info.rootless && !h.env.DOCKER_HOST?.startsWith('unix://')) {
      notes.push(`rootless docker: its socket is ${info.socket}, and DOCKER_HOST is not set; run: export DOCKER_HOST=unix://${info.socket} (then start hd-setup again), so that the agent's jobs use the same daemon`);
    }
  }
  return out;
}
