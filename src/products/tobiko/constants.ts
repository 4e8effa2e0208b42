// Tobiko's fixed names and defaults, without zod: the schema and the wizard's questions share them.
export const TOBIKO_CHART = 'oci://registry-1.docker.io/tobikodata/hybrid-executors';
export const TOBIKO_IMAGE = 'tobikodata/tcloud:latest';
export const TOBIKO_RESTART_POLICIES = ['always', 'unless-stopped', 'on-failure:3'] as const;

/** Variables hd-setup writes itself: an extra one of the same name would be read back as the setting. */
export const isReservedEnvName = (n: string): boolean => /^(TCLOUD_|SQLMESH__)/i.test(n) || /^(HTTPS?|NO)_PROXY$/i.test(n);

/** The docker/podman env-file holds one line per value (render.ts refuses one with a line break; the wizard, at its field). */
export const ENV_FILE_LINE_BREAK = 'contains a line break, which an env-file cannot hold';
export const envFileValueProblem = (v: string): string | undefined => (/[\r\n]/.test(v) ? ENV_FILE_LINE_BREAK : undefined);
