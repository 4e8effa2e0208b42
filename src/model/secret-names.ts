// Which names and values are a secret's by the name alone (no zod here: the wizard's first frame reads it).
/** The words that make a name a secret's (the Tobiko chart's own rule for gateway params). */
export const SECRET_WORDS = ['password', 'secret', 'token'] as const;
/** Whether a name (a gateway param, by the chart's rule) says it holds a secret: DB_PASSWORD, aws_secret_access_key, GITHUB_TOKEN. */
export function namedLikeSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_WORDS.some((w) => lower.includes(w));
}

/** A name's words: split at _ - . and between a lower-case letter or digit and an upper-case one (dbPass: db, pass), lower-cased. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Words that are a password or key material in themselves: DB_PASS_1, dbPwd, KEY_PASSPHRASE, PGPASSWD, openai_apikey, DBPASS. */
const SECRET_WORD = /^(pass|pwd)$|passwd|passphrase|(apikey|appkey|privatekey|accesskey|authkey)$|^(db|pg|sql|mysql|mongo|redis|ldap|smtp|mail|ftp|admin|root|user|app)(pass|pwd)$/;
/** What comes before KEY when the key is no secret: a table's or a cache's key, a public key (PARTITION_KEY, PUBLIC_KEY). */
const PLAIN_KEY = new Set(['public', 'sort', 'partition', 'primary', 'foreign', 'cache', 'idempotency', 'object', 'routing', 'shard', 'range', 'hash', 'lookup', 'group', 'dedup', 'dedupe', 'unique', 'composite', 'row', 'map', 'dict', 'json', 's3', 'blob', 'redis']);
/** What a name ends in when it names where a secret is, what it is called or what it is like, not the secret: PRIVATE_KEY_PATH, API_KEY_ID, API_KEY_HEADER, ENCRYPTION_KEY_VERSION. */
const ABOUT_A_SECRET = new Set(['path', 'file', 'dir', 'id', 'name', 'header', 'type', 'version', 'url', 'uri', 'prefix', 'suffix', 'length', 'size', 'format', 'count', 'location', 'region', 'ref', 'arn']);

/**
 * Key material whose name has none of the chart's words (password, secret, token), read word by word: a key
 * of some kind as the last word (DD_API_KEY, HMAC_KEY, AZURE_STORAGE_ACCOUNT_KEY, apiKey; not a table's or a
 * cache's key, nor a public key: PLAIN_KEY), a password or passphrase however written (SECRET_WORD: DB_PASS_1,
 * dbPwd, PGPASSWD; not PWD or OLDPWD alone, the shell's working directories). Not a name whose last word says
 * it is about a secret (ABOUT_A_SECRET: PRIVATE_KEY_PATH, API_KEY_ID). Nor KEYCLOAK_URL or CLIENT_KEYSTORE:
 * words, not letters.
 */
export function namedLikeKeyMaterial(name: string): boolean {
  const w = wordsOf(name);
  const last = w.at(-1);
  if (last === undefined || ABOUT_A_SECRET.has(last)) return false;
  if (w.length === 1 && (last === 'pwd' || last === 'oldpwd')) return false;
  if (w.some((x) => SECRET_WORD.test(x))) return true;
  return (last === 'key' || last === 'keys') && w.length > 1 && !PLAIN_KEY.has(w.at(-2)!);
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
