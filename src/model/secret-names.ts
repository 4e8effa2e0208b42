// Which names and values are a secret's by the name alone (no zod here: the wizard's first frame reads it).
/** The words that make a name a secret's (the Tobiko chart's own rule for gateway params). */
export const SECRET_WORDS = ['password', 'secret', 'token'] as const;
/** Whether a name (an env var, a config key, a param) says it holds a secret: DB_PASSWORD, aws_secret_access_key, GITHUB_TOKEN. */
export function namedLikeSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_WORDS.some((w) => lower.includes(w));
}

/**
 * A value a setting named like a secret may hold as one: not a flag (USE_SECRETS_MANAGER=true is a setting,
 * and masking "true" everywhere would break every --json). A number may be a password (DB_PASSWORD=98765432).
 */
export function couldBeSecret(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '' && !/^(true|false|yes|no|on|off)$/i.test(v.trim());
}
