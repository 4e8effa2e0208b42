// Tobiko's fixed names and defaults, without zod: the schema and the wizard's questions share them.
export const TOBIKO_CHART = 'oci://registry-1.docker.io/tobikodata/hybrid-executors';
export const TOBIKO_IMAGE = 'tobikodata/tcloud:latest';
export const TOBIKO_RESTART_POLICIES = ['always', 'unless-stopped', 'on-failure:3'] as const;

/** Variables hd-setup writes itself: an extra one of the same name would be read back as the setting. */
export const isReservedEnvName = (n: string): boolean => /^(TCLOUD_|SQLMESH__)/.test(n) || /^(HTTPS?|NO)_PROXY$/i.test(n);
