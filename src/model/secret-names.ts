// Which names and values are a secret's by the name alone (no zod here: the wizard's first frame reads it).
/** The words that make a name a secret's (the Tobiko chart's own rule for gateway params). */
export const SECRET_WORDS = ['password', 'secret', 'token'] as const;
/** Whether a name (a gateway param, by the chart's rule) says it holds a secret: DB_PASSWORD, aws_secret_access_key, GITHUB_TOKEN. */
export function namedLikeSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_WORDS.some((w) => lower.includes(w));
}

/**
 * Whether the name of a setting of hd-setup's own (an extra env var, an agent parameter) says it holds a
 * secret: the chart's words, and key material they miss: a private key, an API key, an encryption key, a
 * passphrase (SNOWFLAKE_PRIVATE_KEY, DD_API_KEY, openai_apikey, ENCRYPTION_KEY, PGPASSWD). Not where the name
 * says it is a path, a file, a folder, an ID or a name (PRIVATE_KEY_PATH, API_KEY_ID, PRIVATE_KEY_DIR).
 */
export function settingNamedLikeSecret(name: string): boolean {
  const n = name.toLowerCase().replace(/-/g, '_');
  if (namedLikeSecret(n)) return true;
  return /private_?key|api_?key|encryption_?key|passphrase|passwd/.test(n) && !/_(path|file|dir|id|name)$/.test(n);
}

/**
 * A value a setting named like a secret may hold as one: not a flag (USE_SECRETS_MANAGER=true is a setting,
 * and masking "true" everywhere would break every --json). A number may be a password (DB_PASSWORD=98765432).
 */
export function couldBeSecret(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '' && !/^(true|false|yes|no|on|off)$/i.test(v.trim());
}
