// Which names and values are a secret's by the name alone (no zod here: the wizard's first frame reads it).
/** The words that make a name a secret's (the Tobiko chart's own rule for gateway params). */
export const SECRET_WORDS = ['password', 'secret', 'token'] as const;
/** Whether a name (a gateway param, by the chart's rule) says it holds a secret: DB_PASSWORD, aws_secret_access_key, GITHUB_TOKEN. */
export function namedLikeSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_WORDS.some((w) => lower.includes(w));
}

/** Keys and passwords by the names they go by, beside the chart's words: SNOWFLAKE_PRIVATE_KEY, DD_API_KEY, DD_APP_KEY, TLS_CLIENT_KEY, KEY_PASSPHRASE, PGPASSWD, DB_PWD, SMTP_PASS (not PWD alone: the shell's working directory). */
const KEY_MATERIAL = /(private|api|app|application|client|encryption|signing|master|license|ssh)_?key|passphrase|passwd|(^|_)pass$|_pwd$/;
/** What a name ends in when it names where a secret is, or what it is called, not the secret: PRIVATE_KEY_PATH, API_KEY_ID, API_KEY_HEADER. */
const ABOUT_A_SECRET = /_(path|file|dir|id|name|header|type)$/;

/**
 * Key material whose name has none of the chart's words (password, secret, token): a private, API or client
 * key, a passphrase, a short password (see KEY_MATERIAL). Not a name that says it is a path, a file, a folder,
 * an ID, a name, a header or a type (ABOUT_A_SECRET).
 */
export function namedLikeKeyMaterial(name: string): boolean {
  const n = name.toLowerCase().replace(/-/g, '_');
  return KEY_MATERIAL.test(n) && !ABOUT_A_SECRET.test(n);
}

/** Whether the name of a setting of hd-setup's own (an extra env var, an agent parameter) says it holds a secret: the chart's words, or key material they miss. */
export function settingNamedLikeSecret(name: string): boolean {
  return namedLikeSecret(name) || namedLikeKeyMaterial(name);
}

/**
 * A value a setting named like a secret may hold as one: not a flag (USE_SECRETS_MANAGER=true is a setting,
 * and masking "true" everywhere would break every --json). A number may be a password (DB_PASSWORD=98765432),
 * given as text or as a number (`--set fivetran.config.db_password=98765432` reads a number).
 */
export function couldBeSecret(v: unknown): v is string | number {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.trim() !== '' && !/^(true|false|yes|no|on|off)$/i.test(v.trim());
}
