import { UserError } from '../model/errors.js';

// The id of every check --skip-check can name. A light module (no checks loaded), so the CLI can refuse a
// mistyped id before anything runs; the check tables are typed by these lists, so the two cannot drift.
export const CONTAINER_CHECK_IDS = ['runtime-present', 'runtime-version', 'socket', 'not-root', 'arch', 'selinux', 'disk', 'memory', 'install-dir', 'linger', 'image-present'] as const;
export const KUBERNETES_CHECK_IDS = ['kubectl', 'helm', 'helm-version', 'server-version', 'context', 'namespace', 'pvc', 'rbac', 'external-secrets-crd', 'node-arch', 'placement', 'resources', 'chart', 'egress', 'token-secret', 'existing-secret', 'secret-owner'] as const;
/** doctor's own: whether the agent starts at boot. */
export const DOCTOR_CHECK_IDS = ['boot'] as const;

/**
 * Checks whose failure the install cannot run past (no runtime, no daemon, a directory it cannot write, an
 * image it may not pull, no kubectl or helm, no context, no API server, a limit below its request, which the
 * API server refuses): the wizard's k does not skip them. --skip-check still does, for a user who knows better
 * (a check that is wrong about an odd host).
 */
export const BLOCKING_CHECK_IDS: readonly string[] = ['runtime-present', 'socket', 'install-dir', 'image-present', 'kubectl', 'helm', 'context', 'server-version', 'resources'];

export type ContainerCheckId = (typeof CONTAINER_CHECK_IDS)[number];
export type KubernetesCheckId = (typeof KUBERNETES_CHECK_IDS)[number];
export const CHECK_IDS: readonly string[] = [...CONTAINER_CHECK_IDS, ...KUBERNETES_CHECK_IDS, ...DOCTOR_CHECK_IDS];

/** commander's parser for a repeatable --skip-check: an unknown id is refused with the list. */
export function collectCheckId(v: string, prev: string[] = []): string[] {
  if (!CHECK_IDS.includes(v)) {
    const near = CHECK_IDS.filter((id) => id.startsWith(v.slice(0, 3)) || v.includes(id));
    throw new UserError([{ path: '--skip-check', message: `no check is called "${v.slice(0, 60)}"${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; the checks: ${CHECK_IDS.join(', ')}` }]);
  }
  return [...prev, v];
}
