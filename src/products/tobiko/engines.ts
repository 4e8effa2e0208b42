// SQLMesh engines Tobiko Cloud executes on, with the connection params each one needs.
// `oneOf` lists alternatives where at least one must be present (authentication methods).
import { holdsSecretValue, namedLikeKeyMaterial, namedLikeSecret } from '../../model/secret-names.js';

export interface EngineSpec {
  label: string;
  required: string[];
  oneOf?: string[][];
  /** Params the wizard offers beyond the required ones. */
  optional?: string[];
  defaults?: Record<string, string | number>;
}

export const ENGINES = {
  postgres: { label: 'PostgreSQL', required: ['host', 'port', 'database', 'user', 'password'], defaults: { port: 5432 } },
  redshift: { label: 'Amazon Redshift', required: ['host', 'database', 'user', 'password'], optional: ['port'], defaults: { port: 5439 } },
  snowflake: {
    label: 'Snowflake',
    required: ['account', 'user'],
    oneOf: [['password', 'private_key', 'private_key_path', 'authenticator']],
    optional: ['warehouse', 'database', 'role'],
  },
  bigquery: { label: 'Google BigQuery', required: ['project'], optional: ['method', 'keyfile', 'keyfile_json', 'location'] },
  databricks: {
    label: 'Databricks',
    required: ['server_hostname', 'http_path'],
    oneOf: [['access_token', 'auth_type']],
    optional: ['catalog'],
  },
  mssql: { label: 'Microsoft SQL Server', required: ['host', 'user', 'password'], optional: ['port', 'database'], defaults: { port: 1433 } },
  trino: { label: 'Trino', required: ['host', 'user', 'catalog'], optional: ['port', 'password', 'http_scheme'] },
  mysql: { label: 'MySQL', required: ['host', 'user', 'password'], optional: ['port', 'database'] },
  clickhouse: { label: 'ClickHouse', required: ['host', 'username'], optional: ['password', 'port'] },
  duckdb: { label: 'DuckDB', required: [], optional: ['database'] },
  motherduck: { label: 'MotherDuck', required: ['token'], optional: ['database'] },
  athena: { label: 'Amazon Athena', required: ['region_name'], optional: ['work_group', 's3_staging_dir', 's3_warehouse_location'] },
  fabric: { label: 'Microsoft Fabric', required: ['host', 'database'], optional: ['user', 'password'] },
  risingwave: { label: 'RisingWave', required: ['host', 'port', 'database', 'user'], optional: ['password'] },
  spark: { label: 'Spark', required: [], optional: ['config_dir', 'catalog'] },
} satisfies Record<string, EngineSpec>;

export type EngineType = keyof typeof ENGINES;
export const ENGINE_TYPES = Object.keys(ENGINES) as [EngineType, ...EngineType[]];

/** What a connection parameter is, where its name does not say enough. */
export const PARAM_HELP: Record<string, string> = {
  account: 'The Snowflake account identifier, e.g. myorg-myaccount or xy12345.eu-west-1.',
  private_key: 'The PEM private key of a key-pair user (masked; marked secret for the chart).',
  private_key_path:
    'A path inside the executor containers: the chart and hd-setup mount no files, so the key must be in the image there; a key you hold: choose private_key.',
  authenticator: 'e.g. externalbrowser (SSO) or oauth.',
  http_path: 'The SQL warehouse or cluster HTTP path, e.g. /sql/1.0/warehouses/abc123.',
  keyfile: 'A path inside the executor containers to the service account JSON key (the chart mounts no files).',
  keyfile_json: 'The service account JSON key itself (masked; marked secret for the chart).',
};


/**
 * Key material whose name the chart's keyword rule does not catch (no "password", "secret" or "token"):
 * hd-setup's own rule for such names (a private key, its passphrase, an API key), and a service account's
 * JSON key. Their paths (private_key_path, keyfile) are not secrets.
 */
export function isKeyMaterial(name: string): boolean {
  return namedLikeKeyMaterial(name) || name === 'keyfile_json';
}

/** The key of a gateway param among the executors' variables: in the env-file, and in the Secret the chart reads. */
export function gatewayEnvKey(gateway: string, param: string): string {
  return `SQLMESH__GATEWAYS__${gateway.toUpperCase()}__CONNECTION__${param.toUpperCase()}`;
}

/**
 * The secret params a gateway leaves out that the executors take from the Secret all the same (on Kubernetes
 * the values list each with an empty value, and the chart reads it from the Secret's key
 * SQLMESH__GATEWAYS__<G>__CONNECTION__<P>): each required one; of a set of alternatives none of which is
 * given, altPick's; and, with a Secret of the user's (`ownSecret`: the preset can name none of its keys), each
 * optional key material param `secretParams` names (BigQuery's keyfile_json). With a store a gateway names
 * an optional one as `remote:<key>` itself; where hd-setup holds the values, one left out is not set.
 */
export function secretsLeftOut(type: EngineType, params: Record<string, unknown>, secretParams: readonly string[], nonSecretParams: readonly string[], ownSecret: boolean): string[] {
  const spec: EngineSpec = ENGINES[type];
  const secret = (p: string) => isSecretParam(p, secretParams, nonSecretParams);
  const given = (p: string) => params[p] !== undefined;
  const out = spec.required.filter((p) => secret(p) && !given(p));
  for (const alts of spec.oneOf ?? []) {
    if (alts.some(given)) continue;
    const pick = altPick(alts, secretParams, nonSecretParams);
    if (pick !== undefined) out.push(pick);
  }
  if (ownSecret) out.push(...(spec.optional ?? []).filter((p) => !given(p) && isKeyMaterial(p) && secretParams.includes(p) && secret(p)));
  return out;
}

/**
 * Of a set of alternatives a gateway gives none of, the one read from the Secret: the one `secretParams`
 * names (Snowflake's key pair, private_key), else the first secret one (its password). One rule for every
 * gateway of the engine: secretParams is one list.
 */
export function altPick(alts: readonly string[], secretParams: readonly string[], nonSecretParams: readonly string[]): string | undefined {
  const secret = (p: string) => isSecretParam(p, secretParams, nonSecretParams);
  return alts.find((a) => secretParams.includes(a) && secret(a)) ?? alts.find(secret);
}

/**
 * A param whose value holds a secret whatever the param is called (sslrootcert: postgresql://u:pw@h/db, a
 * URL with a password or a signature in it), as an extra env var's does: hd-setup's rule by value, which the
 * chart does not have (it goes by name only). Lists and maps count by their text, as the env-file writes them.
 * Not a reference (env:NAME, file:PATH): what it names is looked at once it is read.
 */
export function paramHoldsSecret(name: string, v: unknown): boolean {
  if (name === 'type') return false;
  return holdsSecretValue(typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : undefined);
}

/** The chart's dynamic secret detection, with secretParams / nonSecretParams overrides. */
export function isSecretParam(name: string, secretParams: readonly string[] = [], nonSecretParams: readonly string[] = []): boolean {
  if (name === 'type') return false;
  if (nonSecretParams.includes(name)) return false;
  if (secretParams.includes(name)) return true;
  return namedLikeSecret(name);
}

/**
 * A gateway parameter as the env-file and the chart carry it, read back: every value is text there, so
 * the model keeps non-secret values in this one form (a number or boolean where the text is exactly one,
 * a list or map where it is JSON), and secrets as text.
 */
export function canonicalParam(v: unknown, secret: boolean): unknown {
  if (secret) return typeof v === 'string' ? v : JSON.stringify(v);
  if (typeof v !== 'string') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?(0|[1-9][0-9]{0,14})(\.[0-9]*[1-9])?$/.test(v)) return Number(v);
  if (/^[[{]/.test(v)) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (parsed && typeof parsed === 'object' && JSON.stringify(parsed) === v) return parsed;
    } catch {
      /* text */
    }
  }
  return v;
}
