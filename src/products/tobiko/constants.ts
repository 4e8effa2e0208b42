// Tobiko's fixed names and defaults, without zod: the schema and the wizard's questions share them.
import { urlProblem } from '../../model/patterns.js';
import { hasPassword } from '../../util/url-userinfo.js';
export const TOBIKO_CHART = 'oci://registry-1.docker.io/tobikodata/hybrid-executors';
export const TOBIKO_IMAGE = 'tobikodata/tcloud:latest';
export const TOBIKO_RESTART_POLICIES = ['always', 'unless-stopped', 'on-failure:3'] as const;

/** Variables hd-setup writes itself: an extra one of the same name would be read back as the setting. */
export const isReservedEnvName = (n: string): boolean => /^(TCLOUD_|SQLMESH__)/i.test(n) || /^(HTTPS?|NO)_PROXY$/i.test(n);

/** The docker/podman env-file holds one line per value (render.ts refuses one with a line break; the wizard, at its field). */
export const ENV_FILE_LINE_BREAK = 'contains a line break, which an env-file cannot hold';
export const envFileValueProblem = (v: string): string | undefined => (/[\r\n]/.test(v) ? ENV_FILE_LINE_BREAK : undefined);

/**
 * tobiko.url: an http(s) URL without a password. The executors authenticate with the OAuth client; a password
 * in the URL would be no secret anywhere (TCLOUD_URL, and on Kubernetes global.cloud.baseUrl in the 0644 values
 * and the Deployments' env, are plain settings), so export-preset wrote it out in clear.
 */
export function tobikoUrlProblem(s: string): string | undefined {
  return (
    urlProblem(s, ['http', 'https'], 'https://cloud.tobikodata.com/sqlmesh/acme/analytics') ??
    (hasPassword(s) ? 'must not hold a password (user:password@): the executors authenticate with tobiko.clientId and tobiko.clientSecret, and the URL is no secret (written as TCLOUD_URL, and on Kubernetes into the values and the Deployments); give it without user:password@' : undefined)
  );
}
