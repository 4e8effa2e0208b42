// Fivetran's fixed names and defaults, without zod: the schema and the wizard's questions share them.
export const FIVETRAN_IMAGE = 'us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production';
export const FIVETRAN_CHART = 'oci://us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/helm/hybrid-deployment-agent';
export const FIVETRAN_CHART_VERSIONS = ['0.24.0', '0.12.0'] as const;
export const FIVETRAN_RESTART_POLICIES = ['on-failure:3', 'always', 'unless-stopped'] as const;
export const FIVETRAN_PULL_POLICIES_K8S = ['Always', 'IfNotPresent', 'Never'] as const;

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
