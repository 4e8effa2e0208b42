// Fivetran's fixed names and defaults, without zod: the schema and the wizard's questions share them.
export const FIVETRAN_IMAGE = 'us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production';
export const FIVETRAN_CHART = 'oci://us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/helm/hybrid-deployment-agent';
export const FIVETRAN_CHART_VERSIONS = ['0.24.0', '0.12.0'] as const;
export const FIVETRAN_RESTART_POLICIES = ['on-failure:3', 'always', 'unless-stopped'] as const;
export const FIVETRAN_PULL_POLICIES_K8S = ['Always', 'IfNotPresent', 'Never'] as const;
/**
 * The Fivetran chart's resources when `agent.resources` is empty (templates/deployment.yaml, 0.12.0 and
 * 0.24.0): the block is all or nothing, so with any value given these are written for the others.
 */
export const CHART_DEFAULT_RESOURCES = { cpu: '2', memory: '2Gi' } as const;

/** Agent parameters hd-setup writes itself (config.json and the chart's config): not for fivetran.config. */
export const HD_SETUP_CONFIG_KEYS = [
  'token',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'host_selinux_enabled',
  'namespace',
  'data_volume_pvc',
  'token_secret_name',
  'token_secret_key',
  'kubernetes_affinity',
  'affinity_rules',
  'kubernetes_node_selector_enable',
];

/**
 * A container memory limit as docker and podman take it (--memory): a whole number and b, k, m or g, in
 * either case, of at least 6 MiB, the least they accept (512k passed here and failed at `docker run`).
 */
export function containerMemoryProblem(v: string): string | undefined {
  const m = /^([1-9][0-9]{0,12})([bkmg])$/i.exec(v);
  if (!m) return 'must be like 2048m or 2g';
  const bytes = Number(m[1]) * 1024 ** 'bkmg'.indexOf(m[2]!.toLowerCase());
  return bytes < 6 * 1024 ** 2 ? 'must be at least 6m: docker and podman refuse less' : undefined;
}
